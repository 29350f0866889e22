//! 更正审批: corrections and draw voids waiting for the principal, original and corrected side
//! by side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{block, row};
use crate::tui::model::Model;
use crate::tui::strings as s;
use crate::tui::text::wrap;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let a = &m.approvals;
    let [list, compare] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    let w = list.width.saturating_sub(4) as usize;
    let mut lines = vec![Line::from(s::CORRECTIONS)];
    for (i, c) in a.corrections.iter().enumerate() {
        let text = format!(
            "更正{} 任务{} {} {}",
            c.id, c.visit_id, c.filed_by, c.reason
        );
        lines.push(row(
            &m.theme,
            a.selected == i,
            &[(&text, w.saturating_sub(2))],
            Style::new(),
        ));
    }
    lines.push(Line::from(s::VOIDS));
    for (j, d) in a.voids.iter().enumerate() {
        let reason = d
            .void_request
            .as_ref()
            .map(|v| format!("{} {}", v.by, v.reason))
            .unwrap_or_default();
        let text = format!("{} {}", d.id, reason);
        lines.push(row(
            &m.theme,
            a.selected == a.corrections.len() + j,
            &[(&text, w.saturating_sub(2))],
            m.theme.danger(),
        ));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(&m.theme, s::SCREENS[4])),
        list,
    );

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(compare);
    let cw = left.width.saturating_sub(2) as usize;
    let describe = |r: &crate::domain::result::InspectionResult| -> Vec<Line<'static>> {
        let mut out: Vec<Line<'static>> =
            wrap(&r.summary(), cw).into_iter().map(Line::from).collect();
        for x in [&r.findings, &r.measure, &r.remark] {
            if !x.is_empty() {
                out.extend(wrap(x, cw).into_iter().map(Line::from));
            }
        }
        out
    };
    let (orig, corr) = match a.corrections.get(a.selected) {
        Some(c) => (
            a.originals
                .get(&c.visit_id)
                .map(describe)
                .unwrap_or_default(),
            describe(&c.result),
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
