//! 抽查: the draws, a draw's record, and the keys to prepare, run, verify and void.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{header, row, scroll_start};
use crate::domain::draw::DrawStatus;
use crate::tui::model::Model;
use crate::tui::record::{self, RecordLine};
use crate::tui::strings as s;
use crate::tui::text::truncate;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let d = &m.draws;
    let w = area.width.saturating_sub(4) as usize;
    let height = area.height.saturating_sub(3) as usize;
    if let Some((id, lines)) = &d.detail {
        render_record(f, m, id, lines, area);
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

/// A draw's record: its text without the Markdown marks, its tables as aligned columns (codes
/// never cut, names giving way), a page at a time with a `>` on the cursor line, so a step
/// within a page rewrites two markers and not the screen.
fn render_record(f: &mut Frame<'_>, m: &Model, id: &str, lines: &[RecordLine], area: Rect) {
    let d = &m.draws;
    let height = area.height.saturating_sub(2) as usize;
    let room = area.width.saturating_sub(4) as usize;
    let widths = record::table_widths(lines, room);
    let start = scroll_start(d.scroll, height);
    let shown: Vec<Line<'_>> = lines
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, x)| {
            let (text, style) = match x {
                RecordLine::Text(t) => plain(t, m),
                RecordLine::Row {
                    table,
                    header,
                    cells,
                } => {
                    let w = widths.get(table).map(Vec::as_slice).unwrap_or(&[]);
                    let style = if *header { m.theme.dim() } else { Style::new() };
                    (record::row_text(cells, w), style)
                }
            };
            let marker = if i == d.scroll {
                Span::styled(">", m.theme.selected())
            } else {
                Span::raw(" ")
            };
            Line::from(vec![
                marker,
                Span::raw(" "),
                Span::styled(truncate(&text, room), style),
            ])
        })
        .collect();
    let b = super::list_block(&m.theme, id, Some(d.scroll), lines.len());
    f.render_widget(Paragraph::new(shown).block(b), area);
}

/// A text line of the record without its Markdown: headings bold without `#`, no list dashes,
/// no backticks.
fn plain(t: &str, m: &Model) -> (String, Style) {
    let t = t.replace('`', "");
    if let Some(h) = t.strip_prefix('#') {
        return (
            h.trim_start_matches('#').trim().to_string(),
            m.theme.title(),
        );
    }
    match t.strip_prefix("- ") {
        Some(rest) => (rest.to_string(), Style::new()),
        None => (t, Style::new()),
    }
}
