//! 总览: this year's progress per task, deadlines by urgency, my visits, alerts.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, header, row, scroll_start};
use crate::services::visits::VisitView;
use crate::tui::model::{Model, OverviewPane};
use crate::tui::strings as s;

/// The countdown of a visit in words ("剩3个工作日", "逾期2个工作日", with 临时).
pub fn countdown_text(v: &VisitView) -> String {
    match (&v.due, v.days_left) {
        (Some(d), Some(left)) => {
            let prov = if d.provisional {
                format!("({})", s::PROVISIONAL)
            } else {
                String::new()
            };
            if left < 0 {
                format!(
                    "{} {}{}{}{prov}",
                    d.date.format("%m-%d"),
                    s::OVERDUE,
                    -left,
                    s::WORKING_DAYS
                )
            } else {
                format!(
                    "{} {}{}{}{prov}",
                    d.date.format("%m-%d"),
                    s::LEFT,
                    left,
                    s::WORKING_DAYS
                )
            }
        }
        (Some(d), None) if v.late => format!("{} {}", d.date.format("%m-%d"), s::LATE),
        (Some(d), None) => d.date.format("%m-%d").to_string(),
        _ => String::new(),
    }
}

pub fn urgency_style(m: &Model, v: &VisitView) -> ratatui::style::Style {
    match v.days_left {
        Some(l) if l < 0 => m.theme.danger(),
        Some(l) if l <= 2 => m.theme.danger(),
        Some(l) if l <= 5 => m.theme.warn(),
        _ => ratatui::style::Style::new(),
    }
}

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let Some(o) = &m.overview else {
        f.render_widget(Paragraph::new(s::LOADING), area);
        return;
    };
    // The task table gets the rows it needs (tasks, header, coverage, borders); the deadlines
    // get the rest, at least six rows.
    let wanted = o.tasks.len() as u16 + 4;
    let top_h = wanted.min(area.height.saturating_sub(6));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(6)]).areas(area);
    let [tasks, alerts] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(top);
    let [deadlines, mine] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);

    let w = tasks.width.saturating_sub(4) as usize;
    // marker 2, code 6, then name and four figure columns (4, 6, 6, 6), one space between each.
    let name_w = w.saturating_sub(2 + 6 + 1 + 5 + 3 * 7).max(4);
    let h = s::TASK_HEADERS;
    let mut lines = vec![header(
        &m.theme,
        &[
            (h[0], 6),
            (h[1], name_w),
            (h[2], 6),
            (h[3], 6),
            (h[4], 6),
            (h[5], 6),
        ],
    )];
    for t in &o.tasks {
        let (a, b, c, d) = (
            t.drawn.to_string(),
            t.inspected.to_string(),
            t.entered.to_string(),
            t.published.to_string(),
        );
        lines.push(row(
            &m.theme,
            false,
            &[
                (&t.code, 6),
                (&t.name, name_w),
                (&a, 6),
                (&b, 6),
                (&c, 6),
                (&d, 6),
            ],
            ratatui::style::Style::new(),
        ));
    }
    if let Some(k) = m.key_coverage {
        lines.push(Line::from(format!(
            "  {}：{}/{}",
            s::KEY_COVERAGE,
            k.covered,
            k.all
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(&m.theme, s::TASK_PROGRESS)),
        tasks,
    );

    let aw = alerts.width.saturating_sub(4) as usize;
    let alert_lines: Vec<Line<'_>> = if o.alerts.is_empty() {
        vec![Line::from(s::NONE)]
    } else {
        o.alerts
            .iter()
            .map(|alert| {
                Line::from(Span::styled(
                    format!(
                        "! {}",
                        crate::tui::text::truncate(&s::alert(alert), aw.saturating_sub(2))
                    ),
                    if alert.urgent() {
                        m.theme.danger()
                    } else {
                        m.theme.warn()
                    },
                ))
            })
            .collect()
    };
    f.render_widget(
        Paragraph::new(alert_lines).block(block(&m.theme, s::ALERTS)),
        alerts,
    );

    let dw = deadlines.width.saturating_sub(4) as usize;
    let height = deadlines.height.saturating_sub(2) as usize;
    let cursor = |pane: OverviewPane, i: usize| m.overview_pane == pane && m.overview_selected == i;
    let start = |pane: OverviewPane| {
        if m.overview_pane == pane {
            scroll_start(m.overview_selected, height)
        } else {
            0
        }
    };
    let dl: Vec<Line<'_>> = o
        .deadlines
        .iter()
        .enumerate()
        .skip(start(OverviewPane::Deadlines))
        .take(height)
        .map(|(i, v)| {
            let due = countdown_text(v);
            let name_w = dw.saturating_sub(26);
            row(
                &m.theme,
                cursor(OverviewPane::Deadlines, i),
                &[(&v.id.to_string(), 4), (&v.entity_name, name_w), (&due, 20)],
                urgency_style(m, v),
            )
        })
        .collect();
    f.render_widget(
        Paragraph::new(if dl.is_empty() {
            vec![Line::from(s::NONE)]
        } else {
            dl
        })
        .block(block(&m.theme, s::DEADLINES)),
        deadlines,
    );

    let mw = mine.width.saturating_sub(4) as usize;
    let ml: Vec<Line<'_>> = o
        .mine
        .iter()
        .enumerate()
        .skip(start(OverviewPane::Mine))
        .take(height)
        .map(|(i, v)| {
            row(
                &m.theme,
                cursor(OverviewPane::Mine, i),
                &[
                    (&v.id.to_string(), 4),
                    (&v.entity_name, mw.saturating_sub(14)),
                    (v.state.label(), 6),
                ],
                urgency_style(m, v),
            )
        })
        .collect();
    f.render_widget(
        Paragraph::new(if ml.is_empty() {
            vec![Line::from(s::NONE)]
        } else {
            ml
        })
        .block(block(&m.theme, s::MY_VISITS)),
        mine,
    );
}
