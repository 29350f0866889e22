//! 结果录入: per-item outcomes, result categories, findings in a text area, follow-up fields,
//! and a submit button behind a confirmation. The draft is saved on every change.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::block;
use super::overview::countdown_text;
use crate::domain::result::Category;
use crate::tui::model::{FormFocus, Model, ResultForm, text_of};
use crate::tui::strings as s;
use crate::tui::text::{fit, truncate};

pub fn render(f: &mut Frame<'_>, m: &Model, form: &ResultForm, area: Rect) {
    let title = format!(
        "{} {} {}",
        s::FORM_TITLE,
        form.visit.id,
        form.visit.entity_name
    );
    let outer = block(&m.theme, &title);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let [info, lists, fields, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(6),
        Constraint::Length(6),
        Constraint::Length(1),
    ])
    .areas(inner);
    let info_text = format!(
        "{}  {}  {}",
        form.visit.tasks.join(","),
        countdown_text(&form.visit),
        if form.read_only { s::READ_ONLY } else { "" }
    );
    f.render_widget(
        Paragraph::new(truncate(&info_text, info.width as usize)),
        info,
    );

    let [items_area, cats_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(lists);
    let focused = |x: FormFocus| form.focus == x;
    let w = items_area.width as usize;
    let mut l = vec![Line::from(Span::styled(
        s::ITEMS,
        if focused(FormFocus::Items) {
            m.theme.title()
        } else {
            m.theme.dim()
        },
    ))];
    let rows = items_area.height.saturating_sub(1) as usize;
    let start = super::scroll_start(form.item_cursor, rows);
    for (i, item) in form.result.items.iter().enumerate().skip(start).take(rows) {
        let text = form
            .items
            .iter()
            .find(|(c, _)| *c == item.item)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        let sel = focused(FormFocus::Items) && i == form.item_cursor;
        let line = format!(
            "{}{} {} {}",
            if sel { "> " } else { "  " },
            fit(&item.item, 4),
            fit(item.outcome.label(), 8),
            text
        );
        l.push(Line::from(Span::styled(
            truncate(&line, w),
            if sel {
                m.theme.selected()
            } else {
                Style::new()
            },
        )));
    }
    f.render_widget(Paragraph::new(l), items_area);

    let w = cats_area.width as usize;
    let mut l = vec![Line::from(Span::styled(
        s::CATEGORIES,
        if focused(FormFocus::Categories) {
            m.theme.title()
        } else {
            m.theme.dim()
        },
    ))];
    for (i, c) in Category::ALL.iter().enumerate() {
        let sel = focused(FormFocus::Categories) && i == form.category_cursor;
        let mark = if form.result.categories.contains(c) {
            "[x]"
        } else {
            "[ ]"
        };
        let line = format!("{}{mark} {}", if sel { "> " } else { "  " }, c.label());
        l.push(Line::from(Span::styled(
            truncate(&line, w),
            if sel {
                m.theme.selected()
            } else {
                Style::new()
            },
        )));
    }
    f.render_widget(Paragraph::new(l), cats_area);

    let texts = [
        (FormFocus::Findings, s::FINDINGS, &form.findings),
        (FormFocus::LegalBasis, s::LEGAL_BASIS, &form.legal_basis),
        (FormFocus::Measure, s::MEASURE, &form.measure),
        (FormFocus::Other, s::OTHER, &form.other),
        (FormFocus::Remark, s::REMARK, &form.remark),
    ];
    let label_w = 14;
    let value_w = (fields.width as usize).saturating_sub(label_w + 3);
    let mut l = Vec::new();
    let mut cursor = None;
    for (i, (focus, label, area)) in texts.iter().enumerate() {
        let sel = focused(*focus);
        let value = text_of(area).replace('\n', " / ");
        let editing = sel && !form.read_only;
        let shown = if editing {
            // Keep the cursor in view: show the text up to the cursor, scrolled to its end.
            let ratatui_textarea::DataCursor(row, col) = area.cursor();
            let before: String = area
                .lines()
                .iter()
                .take(row)
                .map(|x| format!("{x} / "))
                .collect::<String>()
                + &area
                    .lines()
                    .get(row)
                    .map(|x| x.chars().take(col).collect::<String>())
                    .unwrap_or_default();
            let after: String = value.chars().skip(before.chars().count()).collect();
            let head = crate::tui::text::tail(&before, value_w.saturating_sub(1));
            let x = 2 + label_w + 1 + head.width();
            cursor = Some(Position::new(
                fields.x + x.min(fields.width as usize - 1) as u16,
                fields.y + i as u16,
            ));
            format!(
                "{head}{}",
                truncate(&after, value_w.saturating_sub(head.width()))
            )
        } else {
            truncate(&value, value_w)
        };
        l.push(Line::from(vec![
            Span::styled(
                format!("{}{}", if sel { "> " } else { "  " }, fit(label, label_w)),
                if sel {
                    m.theme.selected()
                } else {
                    m.theme.dim()
                },
            ),
            Span::raw(format!(" {shown}")),
        ]));
    }
    let submit_style = if focused(FormFocus::Submit) {
        m.theme.tab_active()
    } else {
        m.theme.dim()
    };
    l.push(Line::from(Span::styled(
        format!("  {}", s::SUBMIT),
        submit_style,
    )));
    f.render_widget(Paragraph::new(l), fields);
    if let Some(p) = cursor {
        f.set_cursor_position(p);
    }
    let foot_text = match form.problems.first() {
        _ if form.read_only => s::FORM_FOOT_READ_ONLY.to_string(),
        Some(p) => format!("! {p}"),
        None => s::FORM_FOOT.to_string(),
    };
    let style = if form.problems.is_empty() || form.read_only {
        m.theme.dim()
    } else {
        m.theme.warn()
    };
    f.render_widget(
        Paragraph::new(Span::styled(
            truncate(&foot_text, foot.width as usize),
            style,
        )),
        foot,
    );
}
