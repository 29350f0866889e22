//! 抽查: the draws, a draw's record, and the keys to prepare, run, verify and void.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{block, header, row, scroll_start};
use crate::domain::draw::DrawStatus;
use crate::tui::model::Model;
use crate::tui::strings as s;
use crate::tui::text::truncate;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let d = &m.draws;
    let w = area.width.saturating_sub(4) as usize;
    let height = area.height.saturating_sub(3) as usize;
    if let Some((id, lines)) = &d.detail {
        let l: Vec<Line<'_>> = lines
            .iter()
            .skip(d.scroll)
            .take(height + 1)
            .map(|x| Line::from(truncate(x, w)))
            .collect();
        f.render_widget(Paragraph::new(l).block(block(&m.theme, id)), area);
        return;
    }
    let h = s::DRAW_HEADERS;
    let task_w = w.saturating_sub(2 + 10 + 6 + 8 + 16 + 4);
    let mut lines = vec![header(
        &m.theme,
        &[(h[0], 10), (h[1], 6), (h[2], 8), (h[3], task_w), (h[4], 16)],
    )];
    let start = scroll_start(d.selected, height);
    for (i, x) in d.list.iter().enumerate().skip(start).take(height) {
        let status = x.status();
        let style = match status {
            DrawStatus::Void => m.theme.dim(),
            DrawStatus::VoidRequested => m.theme.danger(),
            DrawStatus::Run => Style::new(),
            DrawStatus::Prepared => m.theme.warn(),
        };
        let state = status.label();
        let tasks = x.tasks.join(",");
        lines.push(row(
            &m.theme,
            i == d.selected,
            &[
                (&x.id, 10),
                (&x.period, 6),
                (state, 8),
                (&tasks, task_w),
                (&x.commitment[..16.min(x.commitment.len())], 16),
            ],
            style,
        ));
    }
    if d.list.is_empty() {
        lines.push(Line::from(s::NONE));
    }
    let b = super::list_block(&m.theme, s::SCREENS[2], Some(d.selected), d.list.len());
    f.render_widget(Paragraph::new(lines).block(b), area);
}
