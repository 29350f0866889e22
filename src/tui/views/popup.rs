//! Dialogs over the screen, cleared in a way that never leaves half a wide character behind.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

use super::block;
use crate::tui::model::{Model, Popup, text_of};
use crate::tui::msg::PopupKind;
use crate::tui::strings as s;
use crate::tui::text::{truncate, wrap};

/// Clears `area`, and blanks a wide character cut by its left edge (ratatui's `Clear` would
/// leave its first half standing, issue #2526).
pub fn clear_cjk(f: &mut Frame<'_>, area: Rect) {
    let buf = f.buffer_mut();
    let bounds = buf.area;
    for y in area.top()..area.bottom() {
        if area.left() > bounds.left()
            && let Some(cell) = buf.cell_mut(Position::new(area.left() - 1, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
    }
    f.render_widget(Clear, area);
}

fn centered(outer: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(outer.width);
    let h = h.min(outer.height);
    Rect::new(
        outer.x + (outer.width - w) / 2,
        outer.y + (outer.height - h) / 2,
        w,
        h,
    )
}

pub fn render(f: &mut Frame<'_>, m: &Model, p: &Popup, body: Rect) {
    let width = body.width.saturating_sub(8).min(72);
    let inner = width.saturating_sub(4) as usize;
    let (title, mut lines): (String, Vec<Line<'_>>) = match p {
        Popup::Confirm { text, .. } => (String::new(), confirm_lines(m, text, inner)),
        Popup::Message {
            title,
            lines,
            error,
        } => (
            title.clone(),
            closable(m, message_lines(m, lines, *error, inner)),
        ),
        Popup::Help(keys) => ("?".to_string(), closable(m, help_lines(keys, inner))),
        Popup::Input {
            title,
            labels,
            fields,
            focus,
            error,
            ..
        } => (
            title.clone(),
            input_lines(m, labels, fields, *focus, error.as_deref(), inner),
        ),
        Popup::Discard(_) => (String::new(), discard_lines(m, inner)),
    };
    let max_lines = body.height.saturating_sub(4) as usize;
    if lines.len() > max_lines {
        // Cut from the middle: the last line says how to answer or close.
        let last = lines.pop();
        lines.truncate(max_lines.saturating_sub(1));
        lines.extend(last);
    }
    let area = centered(body, width, lines.len() as u16 + 2);
    clear_cjk(f, area);
    f.render_widget(Paragraph::new(lines).block(block(&m.theme, &title)), area);
    if let Popup::Input { fields, focus, .. } = p {
        input_cursor(f, &fields[*focus], *focus, area);
    }
}

/// How to answer or dismiss a kind of popup, from its key table.
fn hint(kind: PopupKind) -> &'static str {
    crate::tui::keymap::popup(kind).hint
}

fn confirm_lines(m: &Model, text: &str, inner: usize) -> Vec<Line<'static>> {
    let mut l: Vec<Line<'_>> = wrap(text, inner).into_iter().map(Line::from).collect();
    l.push(Line::from(""));
    l.push(Line::from(Span::styled(
        hint(PopupKind::Confirm),
        m.theme.dim(),
    )));
    l
}

fn message_lines(m: &Model, lines: &[String], error: bool, inner: usize) -> Vec<Line<'static>> {
    let style = if error {
        m.theme.danger()
    } else {
        ratatui::style::Style::new()
    };
    lines
        .iter()
        .flat_map(|x| wrap(x, inner))
        .map(|x| Line::from(Span::styled(x, style)))
        .collect()
}

fn help_lines(keys: &[(&str, &str)], inner: usize) -> Vec<Line<'static>> {
    keys.iter()
        .map(|(k, what)| {
            Line::from(format!(
                "{}  {}",
                crate::tui::text::fit(k, 16),
                truncate(what, inner.saturating_sub(18))
            ))
        })
        .collect()
}

/// A dialog with nothing to answer: how to close it, last (other keys close it and act).
fn closable(m: &Model, mut lines: Vec<Line<'static>>) -> Vec<Line<'static>> {
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        hint(PopupKind::Message),
        m.theme.dim(),
    )));
    lines
}

fn discard_lines(m: &Model, inner: usize) -> Vec<Line<'static>> {
    let mut l: Vec<Line<'_>> = wrap(s::DISCARD_QUESTION, inner)
        .into_iter()
        .map(Line::from)
        .collect();
    l.push(Line::from(""));
    l.push(Line::from(Span::styled(
        hint(PopupKind::Discard),
        m.theme.dim(),
    )));
    l
}

/// Each field under its label, the focused one marked; what was wrong, if anything, below.
fn input_lines(
    m: &Model,
    labels: &[&str],
    fields: &[TextArea<'_>],
    focus: usize,
    error: Option<&str>,
    inner: usize,
) -> Vec<Line<'static>> {
    let mut l = Vec::new();
    for (i, (label, field)) in labels.iter().zip(fields).enumerate() {
        let marker = if i == focus { "> " } else { "  " };
        let style = if i == focus {
            m.theme.selected()
        } else {
            m.theme.dim()
        };
        l.push(Line::from(Span::styled(format!("{marker}{label}"), style)));
        l.push(Line::from(format!(
            "  {}",
            truncate(&text_of(field), inner.saturating_sub(2))
        )));
    }
    if let Some(e) = error {
        for x in wrap(e, inner) {
            l.push(Line::from(Span::styled(x, m.theme.danger())));
        }
    }
    l.push(Line::from(""));
    l.push(Line::from(Span::styled(
        hint(PopupKind::Input),
        m.theme.dim(),
    )));
    l
}

/// Puts the real cursor where the input method expects it: after the text, by width.
fn input_cursor(f: &mut Frame<'_>, field: &TextArea<'_>, focus: usize, area: Rect) {
    let ratatui_textarea::DataCursor(row, col) = field.cursor();
    let before: String = field
        .lines()
        .get(row)
        .map(|l| l.chars().take(col).collect())
        .unwrap_or_default();
    let col = (before.width() as u16).min(area.width.saturating_sub(5));
    f.set_cursor_position(Position::new(
        area.x + 3 + col,
        area.y + 2 + (focus as u16) * 2,
    ));
}
