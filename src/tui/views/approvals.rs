//! 更正审批: corrections and draw voids waiting for the principal, original and corrected side
//! by side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{block, row};
use crate::domain::result::InspectionResult;
use crate::tui::model::Model;
use crate::tui::strings as s;
use crate::tui::text::wrap;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let [list, compare] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    f.render_widget(
        Paragraph::new(waiting_lines(m, list.width)).block(super::list_block(
            &m.theme,
            s::SCREENS[4],
            Some(m.approvals.selected),
            m.approvals.corrections.len()
                + m.approvals.voids.len()
                + m.approvals.substitutions.len(),
        )),
        list,
    );
    render_compare(f, m, compare);
}

/// The corrections, then the voids, waiting; one cursor runs through both.
fn waiting_lines(m: &Model, width: u16) -> Vec<Line<'static>> {
    let a = &m.approvals;
    let w = (width.saturating_sub(4) as usize).saturating_sub(2);
    let mut lines = vec![Line::from(s::CORRECTIONS)];
    for (i, c) in a.corrections.iter().enumerate() {
        let text = s::correction_row(c.id, c.visit_id, &c.filed_by, &c.reason);
        lines.push(row(&m.theme, a.selected == i, &[(&text, w)], Style::new()));
    }
    lines.push(Line::from(s::VOIDS));
    for (j, d) in a.voids.iter().enumerate() {
        let reason = d
            .void_request
            .as_ref()
            .map(|v| format!("{} {}", v.by, v.reason))
            .unwrap_or_default();
        let text = format!("{} {}", s::void_waiting(&d.id), reason);
        let selected = a.selected == a.corrections.len() + j;
        lines.push(row(&m.theme, selected, &[(&text, w)], m.theme.danger()));
    }
    if !a.substitutions.is_empty() {
        lines.push(Line::from(s::SUBSTITUTIONS));
    }
    for (k, r) in a.substitutions.iter().enumerate() {
        let text = s::substitution_row(r.id, &r.entity, &r.out, &r.requested_by, &r.reason);
        let selected = a.selected == a.corrections.len() + a.voids.len() + k;
        lines.push(row(&m.theme, selected, &[(&text, w)], Style::new()));
    }
    lines
}

/// The selected correction: the original result and the corrected one side by side.
fn render_compare(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let a = &m.approvals;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let cw = left.width.saturating_sub(2) as usize;
    let (orig, corr) = match a.corrections.get(a.selected) {
        Some(c) => (
            a.originals
                .get(&c.visit_id)
                .map(|r| describe(r, cw))
                .unwrap_or_default(),
            describe(&c.result, cw),
        ),
        None => (vec![], vec![]),
    };
    f.render_widget(
        Paragraph::new(orig).block(block(&m.theme, s::ORIGINAL)),
        left,
    );
    f.render_widget(
        Paragraph::new(corr).block(block(&m.theme, s::CORRECTED)),
        right,
    );
}

/// A result in short, then its findings, measure and remark, wrapped to `w` columns.
fn describe(r: &InspectionResult, w: usize) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = wrap(&r.summary(), w).into_iter().map(Line::from).collect();
    for x in [&r.findings, &r.measure, &r.remark] {
        if !x.is_empty() {
            out.extend(wrap(x, w).into_iter().map(Line::from));
        }
    }
    out
}
