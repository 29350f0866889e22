//! Drawing: read the model, never change it. Every cell of text is cut and padded by display
//! width first, so nothing is cut silently and wide characters are never split.

mod approvals;
mod audit;
mod draws;
mod entities;
mod form;
mod overview;
mod popup;
mod visits;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::model::{Model, ScreenId};
use super::strings as s;
use super::text::{fit, truncate, width};
use super::theme::Theme;
use crate::domain::role::Subject;

pub use super::model::{MIN_HEIGHT, MIN_WIDTH};
pub use overview::countdown_in_full;

pub fn render(f: &mut Frame<'_>, m: &Model) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = s::too_small(area.width, area.height, MIN_WIDTH, MIN_HEIGHT);
        let lines: Vec<Line<'_>> = super::text::wrap(&text, area.width.max(2) as usize)
            .into_iter()
            .map(Line::from)
            .collect();
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_tabs(f, m, tabs);
    if let Some(form) = &m.form {
        form::render(f, m, form, body);
    } else {
        match m.screen {
            ScreenId::Overview => overview::render(f, m, body),
            ScreenId::Entities => entities::render(f, m, body),
            ScreenId::Draws => draws::render(f, m, body),
            ScreenId::Visits => visits::render(f, m, body),
            ScreenId::Approvals => approvals::render(f, m, body),
            ScreenId::Audit => audit::render(f, m, body),
        }
    }
    render_status(f, m, status);
    if let Some(p) = &m.popup {
        popup::render(f, m, p, body);
    }
}

fn render_tabs(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let mut spans = vec![Span::styled(format!(" {} ", s::APP), m.theme.title())];
    for (i, name) in s::SCREENS.iter().enumerate() {
        let style = if m.screen.index() == i {
            m.theme.tab_active()
        } else {
            Style::new()
        };
        spans.push(Span::styled(format!(" {}{} ", i + 1, name), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status line: the main keys (or a message) on the left; who, in which database, and the
/// demo mark on the right. The keys and the demo mark are never cut; who and where give way.
fn render_status(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let demo = if m.demo {
        format!(" [{}]", s::DEMO)
    } else {
        String::new()
    };
    let who = format!(
        "{} {}",
        s::qualified(&m.viewer.login, &m.viewer.role_labels()),
        m.db
    );
    let cols = area.width as usize;
    let left = match (&m.busy, &m.status) {
        // Long work: the progress line, after what was last said.
        (Some(b), status) => {
            let line = s::busy_line(&b.what, b.secs);
            match (status, m.quit) {
                (_, true) => format!("{} · {line}", s::QUIT_AFTER_BUSY),
                (Some((msg, _)), _) => format!("{msg} · {line}"),
                (None, _) => line,
            }
        }
        (None, Some((msg, _))) => msg.clone(),
        // The form has its own keys at its foot.
        (None, None) if m.form.is_some() => s::STATUS_KEYS.to_string(),
        // Who and where come first; the screen's keys take what is left (at least a third).
        (None, None) => {
            let budget = cols
                .saturating_sub(width(&who) + width(&demo) + 1)
                .max(cols / 3);
            super::keymap::bar(m.screen, |a| m.may(a, Subject::Any), budget)
        }
    };
    // The progress line is never cut (that it cannot be cancelled comes last); a message is
    // cut only past what is left beside a few columns of who (a refusal says why in full);
    // the keys take at most half.
    let keep = if m.busy.is_some() {
        width(&left)
    } else if m.status.is_some() {
        width(&left).min(cols.saturating_sub(width(&demo) + 1 + WHO_AT_LEAST))
    } else {
        width(&left).min(cols / 2)
    };
    let who = truncate(&who, cols.saturating_sub(keep + 1 + width(&demo)));
    let right = format!("{who}{demo}");
    let left = fit(&left, cols.saturating_sub(width(&right) + 1));
    let style = match &m.status {
        Some((_, true)) => m.theme.danger(),
        _ => m.theme.status(),
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(left, style),
            Span::raw(" "),
            Span::styled(right, m.theme.status()),
        ])),
        area,
    );
}

/// The columns the status bar keeps for who is signed in and where, beside a long message.
const WHO_AT_LEAST: usize = 8;

/// A bordered block with a title.
pub fn block<'a>(theme: &Theme, title: &'a str) -> Block<'a> {
    let border = theme.border();
    let style = theme.title();
    Block::default()
        .borders(Borders::ALL)
        .border_set(border)
        .title(Span::styled(format!(" {title} "), style))
}

/// A list's block: its title, and the position of the selection on the right ("12/115"; "-/5"
/// for a list without the cursor).
pub fn list_block<'a>(
    theme: &Theme,
    title: &'a str,
    selected: Option<usize>,
    len: usize,
) -> Block<'a> {
    let at = match selected {
        _ if len == 0 => "0".to_string(),
        Some(i) => (i.min(len - 1) + 1).to_string(),
        None => "-".to_string(),
    };
    block(theme, title).title(Line::from(format!(" {at}/{len} ")).right_aligned())
}

/// A list's `/` search, in its bottom border: the words typed, highlighted while typing (the
/// real cursor after them, where the input method expects it), else how to search.
pub fn search_border<'a>(
    f: &mut Frame<'_>,
    theme: &Theme,
    b: Block<'a>,
    area: Rect,
    search: &str,
    searching: bool,
) -> Block<'a> {
    let shown = crate::tui::text::tail(search, (area.width as usize).saturating_sub(16));
    let (text, style) = if searching {
        (format!(" /{shown} "), theme.selected())
    } else if search.is_empty() {
        (format!(" [/] {} ", s::SEARCH), theme.dim())
    } else {
        (format!(" /{shown} [Esc]{} ", s::CLEAR), theme.dim())
    };
    if searching {
        use unicode_width::UnicodeWidthStr;
        let col = (3 + shown.width()).min(area.width.saturating_sub(2) as usize) as u16;
        f.set_cursor_position(ratatui::layout::Position::new(
            area.x + col,
            area.bottom().saturating_sub(1),
        ));
    }
    b.title_bottom(Line::from(Span::styled(text, style)))
}

/// One row of a list: a `>` marker for the selection, then cells fitted to their widths.
/// Only the marker carries the selection style, so moving the selection rewrites a few cells
/// instead of two whole rows (cheap over a slow link).
pub fn row<'a>(theme: &Theme, selected: bool, cells: &[(&str, usize)], style: Style) -> Line<'a> {
    let mut text = String::new();
    for (i, (cell, w)) in cells.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&fit(cell, *w));
    }
    let marker = if selected {
        Span::styled(">", theme.selected())
    } else {
        Span::raw(" ")
    };
    Line::from(vec![
        marker,
        Span::raw(" "),
        Span::styled(text.trim_end().to_string(), style),
    ])
}

/// A header line fitted to the same widths as `row`.
pub fn header<'a>(theme: &Theme, cells: &[(&str, usize)]) -> Line<'a> {
    let mut text = String::from("  ");
    for (i, (cell, w)) in cells.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&fit(cell, *w));
    }
    Line::from(Span::styled(text.trim_end().to_string(), theme.dim()))
}

/// The first visible index: lists scroll a page at a time, so moving the selection within a
/// page rewrites two rows, not the whole list.
pub fn scroll_start(selected: usize, height: usize) -> usize {
    selected.checked_div(height).map_or(0, |page| page * height)
}
