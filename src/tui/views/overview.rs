//! 总览: this year's progress per task, deadlines by urgency, my visits, alerts.

use crate::domain::calendar::Countdown;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, header, row, scroll_start};
use crate::services::dashboard::Overview;
use crate::services::visits::VisitView;
use crate::tui::model::{Model, OverviewPane};
use crate::tui::strings as s;
use crate::tui::text::truncate;

/// The countdown of a visit in words ("剩3个工作日", "逾期2个工作日", with 临时).
pub fn countdown_text(m: &Model, v: &VisitView) -> String {
    let text = countdown_only(v);
    // Without colour, the meaning of the colour is written, first so it is never cut (逾期,
    // 今天到期 and 临时 are written anyway).
    match v.countdown {
        Some(c @ (Countdown::Urgent | Countdown::Near))
            if !m.theme.color && v.days_left != Some(0) =>
        {
            format!("{} {text}", c.label())
        }
        _ => text,
    }
}

/// The same, written in full (for `v`).
pub fn countdown_in_full(m: &Model, v: &VisitView) -> String {
    countdown_text(m, v)
}

/// The countdown within `width` columns, after `prefix` (时间外) if any. What the words mean
/// is never cut: the date goes first, then "个工作日" becomes "工作日", then 临时 moves to the
/// front, so 逾期, 今天到期, 临时, 紧急 and 临近 stay whole.
pub fn countdown_fit(m: &Model, v: &VisitView, prefix: Option<&str>, width: usize) -> String {
    let with = |t: &str| match prefix {
        Some(p) if t.is_empty() => p.to_string(),
        Some(p) => format!("{p} {t}"),
        None => t.to_string(),
    };
    let full = countdown_text(m, v);
    let no_date = match &v.due {
        Some(d) => full.replacen(&format!("{} ", d.date.format("%m-%d")), "", 1),
        None => full.clone(),
    };
    let short = no_date.replace(s::WORKING_DAYS, s::WORKING_DAYS_SHORT);
    let prov = format!("({})", s::PROVISIONAL);
    let front = if short.contains(&prov) {
        format!("{} {}", s::PROVISIONAL, short.replace(&prov, ""))
    } else {
        short.clone()
    };
    for c in [&full, &no_date, &short, &front] {
        let c = with(c);
        if crate::tui::text::width(&c) <= width {
            return c;
        }
    }
    with(&front)
}

fn countdown_only(v: &VisitView) -> String {
    match (&v.due, v.days_left) {
        (Some(d), Some(left)) => {
            let prov = if d.provisional {
                format!("({})", s::PROVISIONAL)
            } else {
                String::new()
            };
            if left == 0 {
                // The due day itself: not "0 days left".
                format!("{} {}{prov}", d.date.format("%m-%d"), s::DUE_TODAY)
            } else if left < 0 {
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

/// The colour of a countdown, from the domain's class of it ([`Countdown`]).
pub fn urgency_style(m: &Model, v: &VisitView) -> Style {
    match v.countdown {
        Some(Countdown::Overdue | Countdown::Urgent) => m.theme.danger(),
        Some(Countdown::Near) => m.theme.warn(),
        _ => Style::new(),
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
    f.render_widget(
        Paragraph::new(task_lines(m, o, tasks.width)).block(block(&m.theme, s::TASK_PROGRESS)),
        tasks,
    );
    f.render_widget(
        Paragraph::new(alert_lines(m, o, alerts.width)).block(block(&m.theme, s::ALERTS)),
        alerts,
    );
    render_visits(f, m, o, OverviewPane::Deadlines, deadlines);
    render_visits(f, m, o, OverviewPane::Mine, mine);
}

/// This year's figures per task, and the key entities covered.
fn task_lines(m: &Model, o: &Overview, width: u16) -> Vec<Line<'static>> {
    let w = width.saturating_sub(4) as usize;
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
        let figures = [t.drawn, t.inspected, t.entered, t.published].map(|n| n.to_string());
        let mut cells = vec![(t.code.as_str(), 6), (t.name.as_str(), name_w)];
        cells.extend(figures.iter().map(|n| (n.as_str(), 6)));
        lines.push(row(&m.theme, false, &cells, Style::new()));
    }
    if let Some(k) = &m.key_coverage {
        let covered = format!("{}/{}", k.covered, k.all);
        let mut text = format!("  {}", s::labelled(s::KEY_COVERAGE, covered));
        if !k.missing.is_empty() {
            let names: Vec<&str> = k.missing.iter().map(|(_, n)| n.as_str()).collect();
            text.push_str(&s::key_missing(&names));
        }
        lines.push(Line::from(crate::tui::text::truncate(&text, w)));
    }
    lines
}

/// The alerts, urgent ones in red.
fn alert_lines(m: &Model, o: &Overview, width: u16) -> Vec<Line<'static>> {
    if o.alerts.is_empty() {
        return vec![Line::from(s::NONE)];
    }
    let w = width.saturating_sub(4) as usize;
    o.alerts
        .iter()
        .map(|alert| {
            let style = if alert.urgent() {
                m.theme.danger()
            } else {
                m.theme.warn()
            };
            let text = truncate(&s::alert(alert), w.saturating_sub(2));
            Line::from(Span::styled(format!("! {text}"), style))
        })
        .collect()
}

/// One of the two visit lists, the deadlines or my visits, a page at a time around the cursor
/// when the list has it.
fn render_visits(f: &mut Frame<'_>, m: &Model, o: &Overview, pane: OverviewPane, area: Rect) {
    let w = area.width.saturating_sub(4) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let here = m.overview_pane == pane;
    // The countdown's cell: 20 columns, up to 30 where the pane is wide, so the date stays.
    let due_w = 20 + w.saturating_sub(50).min(10);
    let start = if here {
        scroll_start(m.overview_selected, height)
    } else {
        0
    };
    let mut lines: Vec<Line<'_>> = pane
        .list(o)
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, v)| {
            let id = v.id.to_string();
            let cells = match pane {
                OverviewPane::Deadlines => [
                    (id.as_str(), 4),
                    (v.entity_name.as_str(), w.saturating_sub(due_w + 6)),
                    (&countdown_fit(m, v, None, due_w), due_w),
                ],
                OverviewPane::Mine => [
                    (id.as_str(), 4),
                    (v.entity_name.as_str(), w.saturating_sub(14)),
                    (v.status_label(), 6),
                ],
            };
            let selected = here && m.overview_selected == i;
            row(&m.theme, selected, &cells, urgency_style(m, v))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(s::NONE));
    }
    let title = match pane {
        OverviewPane::Deadlines => s::DEADLINES,
        OverviewPane::Mine => s::MY_VISITS,
    };
    let at = here.then_some(m.overview_selected);
    let b = super::list_block(&m.theme, title, at, pane.list(o).len());
    f.render_widget(Paragraph::new(lines).block(b), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Deadline;
    use crate::domain::visit::{VisitDates, VisitState};
    use crate::tui::model::Viewer;
    use crate::tui::theme::Theme;

    fn model(color: bool) -> Model {
        let viewer = Viewer {
            login: "x".into(),
            name: "x".into(),
            roles: [crate::domain::role::Role::Lead].into(),
            inspector: None,
            active: true,
        };
        let theme = Theme { color, ascii: true };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        Model::new(theme, viewer, "t.db".into(), false, today)
    }

    fn visit(left: i64, countdown: Countdown, provisional: bool) -> VisitView {
        VisitView {
            id: 1,
            draw_id: "2026Q4-01".into(),
            period: "2026Q4".into(),
            entity: "E1".into(),
            tasks: vec!["NB-1".into()],
            ticket: "0.5".into(),
            problem: None,
            note: None,
            team: Default::default(),
            drawn_on: "2026-12-01".into(),
            entity_name: "对象".into(),
            town: "凤城镇".into(),
            dates: VisitDates::default(),
            state: VisitState::Completed,
            due: Some(Deadline {
                date: chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                provisional,
                unknown_years: vec![],
            }),
            days_left: Some(left),
            countdown: Some(countdown),
            late: false,
            pending_correction: false,
            windows: vec![],
        }
    }

    #[test]
    fn the_words_that_carry_meaning_are_never_cut() {
        let plain = model(false);
        let w = crate::tui::text::width;
        // In the 20 columns of the lists, everything but the date fits; after 时间外 the
        // words that carry meaning still come before anything the cell cuts.
        for (v, must, count) in [
            (
                visit(2, Countdown::Urgent, true),
                &["紧急", "临时"][..],
                "剩2",
            ),
            (visit(20, Countdown::Ample, true), &["临时"][..], "剩20"),
            (
                visit(-13, Countdown::Overdue, true),
                &["临时", "逾期13"][..],
                "",
            ),
            (
                visit(0, Countdown::Urgent, true),
                &["临时", "今天到期"][..],
                "",
            ),
        ] {
            let t = countdown_fit(&plain, &v, None, 20);
            assert!(w(&t) <= 20, "{t:?} wider than 20");
            for word in must.iter().chain([&count]) {
                assert!(t.contains(word), "{word} in {t:?}");
            }
            let cell =
                crate::tui::text::fit(&countdown_fit(&plain, &v, Some(s::OUTSIDE_MARK), 20), 20);
            assert!(cell.starts_with(s::OUTSIDE_MARK), "{cell}");
            for word in must {
                assert!(cell.contains(word), "{word} in {cell:?} after 时间外");
            }
        }
        // With room, the whole text, date included.
        let v = visit(20, Countdown::Ample, true);
        assert_eq!(
            countdown_fit(&plain, &v, None, 40),
            countdown_text(&plain, &v)
        );
    }
}
