//! 监管对象: tabs by class, a tier filter, incremental search, a list and a detail pane.

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, header, row, scroll_start};
use crate::domain::classification::SupervisionClass;
use crate::domain::vocab::{CreditTier, join_list};
use crate::services::browse::EntityVisit;
use crate::services::registry::ClassifiedEntity;
use crate::tui::model::{EntitiesState, Model};
use crate::tui::strings as s;
use crate::tui::text::{tail, truncate, wrap};
use unicode_width::UnicodeWidthStr;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let e = &m.entities;
    if !e.loaded {
        f.render_widget(Paragraph::new(s::LOADING), area);
        return;
    }
    let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    render_bar(f, m, bar);
    let (list, detail) = if e.detail {
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(body);
        (a, Some(b))
    } else {
        (body, None)
    };
    f.render_widget(
        Paragraph::new(entity_lines(m, list)).block(super::list_block(
            &m.theme,
            s::SCREENS[1],
            Some(e.selected),
            e.shown.len(),
        )),
        list,
    );
    if let (Some(area), Some(c)) = (detail, e.shown.get(e.selected).map(|i| &e.all[*i])) {
        let year = m.today.year().to_string();
        let lines = detail_lines(e, c, &year, area.width.saturating_sub(4) as usize);
        f.render_widget(
            Paragraph::new(lines).block(block(&m.theme, s::DETAIL)),
            area,
        );
    }
}

/// A credit tier in words, or 未评级.
fn tier_label(t: Option<CreditTier>) -> &'static str {
    t.map(|t| t.label()).unwrap_or(s::UNRATED)
}

/// The bar: class tabs, the filters, the search, and how many entities pass them. While
/// searching, the real cursor sits after the typed text, where the input method expects it.
fn render_bar(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let e = &m.entities;
    let mut spans = Vec::new();
    for (i, t) in s::CLASS_TABS.iter().enumerate() {
        let style = if e.tab == i {
            m.theme.tab_active()
        } else {
            Style::new()
        };
        spans.push(Span::styled(format!(" {t} "), style));
    }
    spans.push(Span::raw(filters(e)));
    let shown_search = tail(&e.search, 24);
    let (search, style) = if e.searching {
        (format!("/{shown_search}"), m.theme.selected())
    } else if e.search.is_empty() {
        (format!("[/] {}", s::SEARCH), m.theme.dim())
    } else {
        (format!("/{shown_search}"), m.theme.dim())
    };
    let before: usize = spans.iter().map(|s| s.content.width()).sum();
    spans.push(Span::styled(search, style));
    spans.push(Span::raw(format!("  {}/{}", e.shown.len(), e.all.len())));
    if e.searching {
        let col = (before + 1 + shown_search.width()).min(area.width.saturating_sub(1) as usize);
        f.set_cursor_position(ratatui::layout::Position::new(area.x + col as u16, area.y));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The tier, town and type filters with their keys.
fn filters(e: &EntitiesState) -> String {
    let tier = match e.tier {
        None => s::TIER_ALL,
        Some(t) => tier_label(t),
    };
    let town = e.town.as_deref().unwrap_or(s::TOWN_ALL);
    let target = e.target.map(|t| t.label()).unwrap_or(s::TARGET_ALL);
    format!(
        " [t]{tier} [z]{} [y]{} ",
        truncate(town, 8),
        truncate(target, 8)
    )
}

/// The entities that pass the filters, a page at a time; without the code column while the
/// detail pane takes half the width.
fn entity_lines(m: &Model, area: Rect) -> Vec<Line<'static>> {
    let e = &m.entities;
    let w = area.width.saturating_sub(4) as usize;
    let (town_w, class_w, tier_w) = (6, 4, 8);
    let code_w = if e.detail { 0 } else { 18 };
    let name_w = w.saturating_sub(2 + town_w + class_w + tier_w + code_w + 5);
    let h = s::ENTITY_HEADERS;
    let mut cols = vec![
        (h[0], name_w),
        (h[1], town_w),
        (h[2], class_w),
        (h[3], tier_w),
    ];
    if code_w > 0 {
        cols.push((h[4], code_w));
    }
    let mut lines = vec![header(&m.theme, &cols)];
    let height = area.height.saturating_sub(3) as usize;
    let start = scroll_start(e.selected, height);
    for (n, idx) in e.shown.iter().enumerate().skip(start).take(height) {
        let c = &e.all[*idx];
        let class = c.classification.class;
        let style = match class {
            SupervisionClass::Special => m.theme.danger(),
            SupervisionClass::Key => m.theme.warn(),
            SupervisionClass::General => Style::new(),
        };
        let mut cells = vec![
            (c.entity.name.as_str(), name_w),
            (c.entity.town.as_str(), town_w),
            (class.short_label(), class_w),
            (tier_label(c.entity.credit_tier), tier_w),
        ];
        if code_w > 0 {
            cells.push((c.id.as_str(), code_w));
        }
        lines.push(row(&m.theme, n == e.selected, &cells, style));
    }
    lines
}

/// One entity in full, wrapped to `w` columns, with its visits across years, newest first.
fn detail_lines(
    e: &EntitiesState,
    c: &ClassifiedEntity,
    this_year: &str,
    w: usize,
) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut put = |label: &str, value: String| {
        for (i, part) in wrap(&s::labelled(label, value), w).into_iter().enumerate() {
            lines.push(Line::from(if i == 0 { part } else { format!("  {part}") }));
        }
    };
    put(s::NAME, c.entity.name.clone());
    put(s::CODE, c.id.clone());
    put(s::TOWN, format!("{} {}", c.entity.town, c.entity.address));
    put(s::CLASS, c.classification.class.label().to_string());
    put(s::REASONS, s::reasons(&c.classification.reasons));
    put(
        s::TARGET_TYPES,
        join_list(c.entity.target_types.iter().map(|t| t.label())),
    );
    put(s::CREDIT_TIER, tier_label(c.entity.credit_tier).to_string());
    if let Some(x) = &c.entity.exclusion {
        put(s::EXCLUDED, x.clone());
    }
    let history = e
        .history
        .as_ref()
        .filter(|(id, _)| *id == c.id)
        .map(|(_, h)| h);
    let cap = if c.classification.class == SupervisionClass::Special {
        s::NO_CAP
    } else {
        "2"
    };
    let Some(history) = history else {
        lines.push(Line::from(s::LOADING));
        return lines;
    };
    // Random inspections only: targeted checks (个案检查) do not count toward the cap.
    let times = history
        .iter()
        .filter(|h| h.targeted.is_none() && h.period.starts_with(this_year))
        .count();
    put(s::INSPECTED_THIS_YEAR, s::times_of_cap(times, cap));
    lines.push(Line::from(s::labelled(
        s::ENTITY_HISTORY,
        if history.is_empty() {
            s::NONE.to_string()
        } else {
            s::visit_count(history.len())
        },
    )));
    for h in history.iter().rev() {
        for text in history_lines(h) {
            lines.push(Line::from(truncate(&text, w)));
        }
    }
    lines
}

/// One visit of the history, newest first: period, tasks, state and its latest date; then,
/// indented, the result in force and the follow-ups, when there are any.
fn history_lines(h: &EntityVisit) -> Vec<String> {
    let date = h.latest_date().map(|d| d.to_string()).unwrap_or_default();
    let what = match &h.targeted {
        Some(t) => s::targeted_in_history(&t.reason_text),
        None => join_list(&h.tasks),
    };
    let mut out = vec![format!("  {} {what} {} {date}", h.period, h.state.label())];
    if !h.categories.is_empty() {
        let mut result = join_list(h.categories.iter().map(|c| c.label()));
        if h.corrected {
            result.push_str(s::RESULT_CORRECTED);
        }
        out.push(format!("    {result}"));
    }
    if !h.followups.is_empty() {
        let list = h.followups.iter().map(|f| s::follow_up(&f.kind, &f.status));
        out.push(format!(
            "    {}",
            s::labelled(s::FOLLOW_UP, join_list(list))
        ));
    }
    out
}
