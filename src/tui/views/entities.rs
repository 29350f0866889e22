//! 监管对象: tabs by class, a tier filter, incremental search, a list and a detail pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, header, row, scroll_start};
use crate::domain::classification::SupervisionClass;
use crate::domain::vocab::join_list;
use crate::tui::model::Model;
use crate::tui::strings as s;
use crate::tui::text::{truncate, wrap};
use unicode_width::UnicodeWidthStr;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let e = &m.entities;
    if !e.loaded {
        f.render_widget(Paragraph::new(s::LOADING), area);
        return;
    }
    let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let mut spans = Vec::new();
    for (i, t) in s::CLASS_TABS.iter().enumerate() {
        spans.push(Span::styled(
            format!(" {t} "),
            if e.tab == i {
                m.theme.tab_active()
            } else {
                Style::new()
            },
        ));
    }
    let tier = match e.tier {
        None => s::TIER_ALL.to_string(),
        Some(t) => t.map(|t| t.label()).unwrap_or("未评级").to_string(),
    };
    let town = e.town.as_deref().unwrap_or(s::TOWN_ALL);
    let target = e.target.map(|t| t.label()).unwrap_or(s::TARGET_ALL);
    spans.push(Span::raw(format!(
        " [t]{tier} [z]{} [y]{} ",
        truncate(town, 8),
        truncate(target, 8)
    )));
    let shown_search = crate::tui::text::tail(&e.search, 24);
    let search = if e.searching {
        format!("/{shown_search}")
    } else if e.search.is_empty() {
        format!("[/] {}", s::SEARCH)
    } else {
        format!("/{shown_search}")
    };
    spans.push(Span::styled(
        search,
        if e.searching {
            m.theme.selected()
        } else {
            m.theme.dim()
        },
    ));
    spans.push(Span::raw(format!("  {}/{}", e.shown.len(), e.all.len())));
    if e.searching {
        // The real cursor sits after the typed text, where the input method expects it.
        let before: usize = spans
            .iter()
            .take(spans.len() - 2)
            .map(|s| s.content.width())
            .sum();
        let col = (before + 1 + shown_search.width()).min(bar.width.saturating_sub(1) as usize);
        f.set_cursor_position(ratatui::layout::Position::new(bar.x + col as u16, bar.y));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), bar);

    let (list_area, detail_area) = if e.detail {
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(body);
        (a, Some(b))
    } else {
        (body, None)
    };
    let w = list_area.width.saturating_sub(4) as usize;
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
    let height = list_area.height.saturating_sub(3) as usize;
    let start = scroll_start(e.selected, height);
    for (n, idx) in e.shown.iter().enumerate().skip(start).take(height) {
        let c = &e.all[*idx];
        let class = c.classification.class;
        let style = match class {
            SupervisionClass::Special => m.theme.danger(),
            SupervisionClass::Key => m.theme.warn(),
            SupervisionClass::General => Style::new(),
        };
        let tier = c.entity.credit_tier.map(|t| t.label()).unwrap_or("未评级");
        let mut cells = vec![
            (c.entity.name.as_str(), name_w),
            (c.entity.town.as_str(), town_w),
            (class.short_label(), class_w),
            (tier, tier_w),
        ];
        if code_w > 0 {
            cells.push((c.id.as_str(), code_w));
        }
        lines.push(row(&m.theme, n == e.selected, &cells, style));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(&m.theme, s::SCREENS[1])),
        list_area,
    );

    if let (Some(area), Some(c)) = (detail_area, e.shown.get(e.selected).map(|i| &e.all[*i])) {
        let w = area.width.saturating_sub(4) as usize;
        let mut l: Vec<Line<'_>> = Vec::new();
        let mut put = |label: &str, value: String| {
            for (i, part) in wrap(&format!("{label}：{value}"), w)
                .into_iter()
                .enumerate()
            {
                l.push(Line::from(if i == 0 { part } else { format!("  {part}") }));
            }
        };
        put("名称", c.entity.name.clone());
        put("代码", c.id.clone());
        put("乡镇", format!("{} {}", c.entity.town, c.entity.address));
        put("类别", c.classification.class.label().to_string());
        put(s::REASONS, c.classification.reasons.join("；"));
        put(
            "检查对象",
            join_list(c.entity.target_types.iter().map(|t| t.label())),
        );
        put(
            "信用风险",
            c.entity
                .credit_tier
                .map(|t| t.label())
                .unwrap_or("未评级")
                .to_string(),
        );
        if let Some(x) = &c.entity.exclusion {
            put(s::EXCLUDED, x.clone());
        }
        let history = e.visits_this_year.get(&c.id).cloned().unwrap_or_default();
        let cap = if class_is_special(c) {
            "不受限".to_string()
        } else {
            "2".to_string()
        };
        put(
            s::INSPECTED_THIS_YEAR,
            format!("{} 次（{}{}）", history.len(), s::CAP, cap),
        );
        for h in history {
            l.push(Line::from(format!(
                "  {}",
                truncate(&h, w.saturating_sub(2))
            )));
        }
        f.render_widget(Paragraph::new(l).block(block(&m.theme, s::DETAIL)), area);
    }
}

fn class_is_special(c: &crate::services::registry::ClassifiedEntity) -> bool {
    c.classification.class == SupervisionClass::Special
}
