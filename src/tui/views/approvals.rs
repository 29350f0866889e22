//! 更正审批: corrections and draw voids waiting for the principal, original and corrected side
//! by side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{block, row};
use crate::domain::calendar::china_time;
use crate::domain::result::InspectionResult;
use crate::tui::diff::changes;
use crate::tui::model::Model;
use crate::tui::strings as s;
use crate::tui::text::{truncate, wrap};

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let [list, compare] =
        Layout::vertical([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(area);
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

/// The selected correction: who filed it, when and why, then each changed field labelled,
/// before and after (from [`crate::tui::diff::changes`]).
fn render_compare(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let a = &m.approvals;
    let w = area.width.saturating_sub(4) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(c) = a.corrections.get(a.selected) {
        let at: String = china_time(&c.filed_at).chars().take(16).collect();
        let head = s::correction_head(c.id, c.visit_id, &c.filed_by, &at.replace('T', " "));
        lines.extend(wrap(&head, w).into_iter().map(Line::from));
        let reason = s::labelled(s::CORRECTION_REASON, &c.reason);
        lines.extend(wrap(&reason, w).into_iter().map(Line::from));
        let empty = InspectionResult::default();
        let before = a.originals.get(&c.visit_id).unwrap_or(&empty);
        let items = a.items.get(&c.visit_id).map(Vec::as_slice).unwrap_or(&[]);
        let changes = changes(before, &c.result, items);
        if changes.is_empty() {
            lines.push(Line::styled(s::NO_CHANGE, m.theme.dim()));
        }
        for ch in changes {
            lines.push(Line::styled(truncate(&ch.label, w), m.theme.title()));
            for (tag, text, style) in [
                (s::BEFORE, &ch.before, m.theme.dim()),
                (s::AFTER, &ch.after, Style::new()),
            ] {
                for (i, part) in wrap(text, w.saturating_sub(5)).into_iter().enumerate() {
                    let tag = if i == 0 { tag } else { "    " };
                    lines.push(Line::styled(format!("  {tag}{part}"), style));
                }
            }
        }
    }
    let inner_height = area.height.saturating_sub(2) as usize;
    if lines.len() > inner_height && inner_height > 0 {
        // What does not fit is said, not dropped silently.
        lines.truncate(inner_height - 1);
        lines.push(Line::styled(s::MORE_BELOW, m.theme.dim()));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(&m.theme, s::CHANGES)),
        area,
    );
}
