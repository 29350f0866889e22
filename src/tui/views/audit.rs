//! 日志: the audit chain, newest first, with verification and the current checkpoint.

use crate::domain::calendar::china_time;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{header, list_block, row, scroll_start, search_border};
use crate::tui::model::Model;
use crate::tui::strings as s;
use crate::tui::text::truncate;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let a = &m.audit;
    let [top, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
    let w = top.width as usize;
    let mut head = vec![Line::from(truncate(
        &s::labelled(s::CHECKPOINT, &a.checkpoint),
        w,
    ))];
    head.push(match &a.verified {
        Some(Ok(t)) => Line::styled(truncate(t, w), m.theme.ok()),
        Some(Err(t)) => Line::styled(truncate(t, w), m.theme.danger()),
        None => Line::styled(s::VERIFY_KEY, m.theme.dim()),
    });
    f.render_widget(Paragraph::new(head), top);
    let lw = list.width.saturating_sub(4) as usize;
    let subject_w = lw.saturating_sub(2 + 6 + 19 + 12 + 18 + 4);
    let h = s::AUDIT_HEADERS;
    let mut lines = vec![header(
        &m.theme,
        &[
            (h[0], 6),
            (h[1], 19),
            (h[2], 12),
            (h[3], 18),
            (h[4], subject_w),
        ],
    )];
    let height = list.height.saturating_sub(3) as usize;
    let start = scroll_start(a.selected, height);
    for (i, e) in a.events.iter().enumerate().skip(start).take(height) {
        let seq = e.seq.to_string();
        // Shown in UTC+8 whatever offset it was written in; the offset itself is left off.
        let at: String = china_time(&e.at).chars().take(19).collect();
        lines.push(row(
            &m.theme,
            i == a.selected,
            &[
                (&seq, 6),
                (&at, 19),
                (&e.actor, 12),
                (s::audit_action(&e.action), 18),
                (&e.subject, subject_w),
            ],
            Style::new(),
        ));
    }
    let b = list_block(&m.theme, s::SCREENS[5], Some(a.selected), a.events.len());
    let b = search_border(f, &m.theme, b, list, &a.search, a.searching);
    f.render_widget(Paragraph::new(lines).block(b), list);
}
