//! 结果录入: per-item outcomes, result categories, findings in a text area, follow-up fields,
//! and a submit button behind a confirmation. The draft is saved on every change.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

use super::block;
use super::overview::countdown_text;
use crate::domain::result::Category;
use crate::tui::model::{FormFocus, FormSubject, Model, ResultForm, text_of};
use crate::tui::strings as s;
use crate::tui::text::{fit, tail, truncate};

/// The width of the text fields' labels.
const LABEL_W: usize = 14;

pub fn render(f: &mut Frame<'_>, m: &Model, form: &ResultForm, area: Rect) {
    let title = match &form.subject {
        FormSubject::Visit(v) => format!("{} {} {}", s::FORM_TITLE, v.id, v.entity_name),
        FormSubject::Targeted { entity_name, .. } => s::targeted_title(entity_name),
    };
    let outer = block(&m.theme, &title);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    // A line naming the teammates' drafts, only when there are some.
    let others = if form.teammate_drafts.is_empty() {
        0
    } else {
        1
    };
    let [info, drafts, lists, fields, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(others),
        Constraint::Min(6),
        Constraint::Length(6),
        Constraint::Length(1),
    ])
    .areas(inner);
    render_info(f, m, form, info);
    if others > 0 {
        let text = s::teammate_drafts(&form.teammate_drafts);
        f.render_widget(
            Paragraph::new(Span::styled(
                truncate(&text, drafts.width as usize),
                m.theme.warn(),
            )),
            drafts,
        );
    }
    let [items, categories] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(lists);
    f.render_widget(Paragraph::new(item_lines(m, form, items)), items);
    f.render_widget(
        Paragraph::new(category_lines(m, form, categories.width as usize)),
        categories,
    );
    render_fields(f, m, form, fields);
    render_foot(f, m, form, foot);
}

/// The visit's tasks and countdown, and whether the form only shows; for a targeted check,
/// its reason, team and dates.
fn render_info(f: &mut Frame<'_>, m: &Model, form: &ResultForm, area: Rect) {
    let text = match &form.subject {
        FormSubject::Visit(v) => format!(
            "{}  {}  {}",
            v.tasks.join(","),
            countdown_text(m, v),
            if form.empty {
                s::NOT_INSPECTED
            } else if form.correcting {
                s::CORRECTION_MODE
            } else if form.read_only {
                s::READ_ONLY
            } else {
                ""
            }
        ),
        FormSubject::Targeted { entry, .. } => s::targeted_info(entry),
    };
    // The latest correction's state goes first when there is one: a rejection and its
    // reason must not be cut away behind the tasks.
    let (text, style) = match form.corrections.last() {
        Some(c) => {
            let state = s::correction_state(c);
            let rejected = c.decision.as_ref().is_some_and(|d| !d.approved);
            let style = if rejected {
                m.theme.danger()
            } else {
                m.theme.dim()
            };
            (format!("{state}  {text}"), style)
        }
        None => (text, ratatui::style::Style::new()),
    };
    f.render_widget(
        Paragraph::new(Span::styled(truncate(&text, area.width as usize), style)),
        area,
    );
}

/// A list's heading, bright while the list has the focus.
fn heading(m: &Model, text: &'static str, focused: bool) -> Line<'static> {
    let style = if focused {
        m.theme.title()
    } else {
        m.theme.dim()
    };
    Line::from(Span::styled(text, style))
}

/// One choice of a list, with a `>` where the cursor is.
fn choice(m: &Model, selected: bool, text: &str, width: usize) -> Line<'static> {
    let line = format!("{}{text}", if selected { "> " } else { "  " });
    let style = if selected {
        m.theme.selected()
    } else {
        Style::new()
    };
    Line::from(Span::styled(truncate(&line, width), style))
}

/// The check items and their outcomes, scrolled to the cursor.
fn item_lines(m: &Model, form: &ResultForm, area: Rect) -> Vec<Line<'static>> {
    let focused = form.focus == FormFocus::Items;
    let mut lines = vec![heading(m, s::ITEMS, focused)];
    let rows = area.height.saturating_sub(1) as usize;
    let start = super::scroll_start(form.item_cursor, rows);
    for (i, item) in form.result.items.iter().enumerate().skip(start).take(rows) {
        let text = form
            .items
            .iter()
            .find(|(c, _)| *c == item.item)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        let line = format!(
            "{} {} {}",
            fit(&item.item, 4),
            // No result yet: nothing is ticked.
            fit(if form.empty { "" } else { item.outcome.label() }, 8),
            text
        );
        let selected = focused && i == form.item_cursor;
        lines.push(choice(m, selected, &line, area.width as usize));
    }
    lines
}

/// The result categories, ticked or not.
fn category_lines(m: &Model, form: &ResultForm, width: usize) -> Vec<Line<'static>> {
    let focused = form.focus == FormFocus::Categories;
    let mut lines = vec![heading(m, s::CATEGORIES, focused)];
    for (i, c) in Category::ALL.iter().enumerate() {
        let mark = if !form.empty && form.result.categories.contains(c) {
            "[x]"
        } else {
            "[ ]"
        };
        let selected = focused && i == form.category_cursor;
        lines.push(choice(m, selected, &format!("{mark} {}", c.label()), width));
    }
    lines
}

/// The text fields, one line each, and the submit button; the real cursor in the field being
/// edited.
fn render_fields(f: &mut Frame<'_>, m: &Model, form: &ResultForm, area: Rect) {
    let texts = [
        (FormFocus::Findings, s::FINDINGS, &form.findings),
        (FormFocus::LegalBasis, s::LEGAL_BASIS, &form.legal_basis),
        (FormFocus::Measure, s::MEASURE, &form.measure),
        (FormFocus::Other, s::OTHER, &form.other),
        (FormFocus::Remark, s::REMARK, &form.remark),
    ];
    let value_w = (area.width as usize).saturating_sub(LABEL_W + 3);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, (focus, label, text)) in texts.into_iter().enumerate() {
        let selected = form.focus == focus;
        let shown = if selected && !form.read_only {
            let (shown, col) = editing(text, value_w);
            let x = 2 + LABEL_W + 1 + col;
            cursor = Some(Position::new(
                area.x + x.min(area.width as usize - 1) as u16,
                area.y + i as u16,
            ));
            shown
        } else {
            truncate(&text_of(text).replace('\n', " / "), value_w)
        };
        lines.push(field_line(m, selected, label, shown));
    }
    let submit_style = if form.focus == FormFocus::Submit {
        m.theme.tab_active()
    } else {
        m.theme.dim()
    };
    lines.push(Line::from(Span::styled(
        format!("  {}", s::SUBMIT),
        submit_style,
    )));
    f.render_widget(Paragraph::new(lines), area);
    if let Some(p) = cursor {
        f.set_cursor_position(p);
    }
}

/// A field being edited, in `width` columns: the text up to the cursor, scrolled to its end so
/// the cursor stays in view, then what follows. Also the cursor's column in it.
fn editing(text: &TextArea<'_>, width: usize) -> (String, usize) {
    let value = text_of(text).replace('\n', " / ");
    let ratatui_textarea::DataCursor(row, col) = text.cursor();
    let before: String = text
        .lines()
        .iter()
        .take(row)
        .map(|x| format!("{x} / "))
        .collect::<String>()
        + &text
            .lines()
            .get(row)
            .map(|x| x.chars().take(col).collect::<String>())
            .unwrap_or_default();
    let after: String = value.chars().skip(before.chars().count()).collect();
    let head = tail(&before, width.saturating_sub(1));
    let shown = format!(
        "{head}{}",
        truncate(&after, width.saturating_sub(head.width()))
    );
    (shown, head.width())
}

/// A text field's line: its label, then its text.
fn field_line(m: &Model, selected: bool, label: &str, shown: String) -> Line<'static> {
    let style = if selected {
        m.theme.selected()
    } else {
        m.theme.dim()
    };
    Line::from(vec![
        Span::styled(
            format!(
                "{}{}",
                if selected { "> " } else { "  " },
                fit(label, LABEL_W)
            ),
            style,
        ),
        Span::raw(format!(" {shown}")),
    ])
}

/// The keys, or the first problem of the result as it stands.
fn render_foot(f: &mut Frame<'_>, m: &Model, form: &ResultForm, area: Rect) {
    let text = match form.problems.first() {
        _ if form.read_only && form.own_draft.is_some() && form.may_correct => {
            s::OWN_DRAFT_FOOT.to_string()
        }
        _ if form.read_only => s::read_only_foot(form.read_only_why),
        Some(p) => format!("! {p}"),
        None if form.visit().is_none() => s::TARGETED_FORM_FOOT.to_string(),
        None => s::FORM_FOOT.to_string(),
    };
    let style = if form.problems.is_empty() || form.read_only {
        m.theme.dim()
    } else {
        m.theme.warn()
    };
    f.render_widget(
        Paragraph::new(Span::styled(truncate(&text, area.width as usize), style)),
        area,
    );
}
