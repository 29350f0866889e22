//! 检查任务: every visit the user may see, with its team, state and countdown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::overview::{countdown_text, urgency_style};
use super::{block, header, row, scroll_start};
use crate::domain::visit::VisitState;
use crate::tui::model::Model;
use crate::tui::strings as s;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let v = &m.visits;
    let w = area.width.saturating_sub(4) as usize;
    let height = area.height.saturating_sub(3) as usize;
    let (id_w, task_w, state_w, team_w, due_w) = (5, 10, 6, 15, 20);
    let name_w = w.saturating_sub(2 + id_w + task_w + state_w + team_w + due_w + 5);
    let h = s::VISIT_HEADERS;
    let mut lines = vec![header(
        &m.theme,
        &[
            (h[0], id_w),
            (h[1], name_w),
            (h[2], task_w),
            (h[3], state_w),
            (h[4], team_w),
            (h[5], due_w),
        ],
    )];
    let start = scroll_start(v.selected, height);
    for (i, x) in v.list.iter().enumerate().skip(start).take(height) {
        let id = x.id.to_string();
        let tasks = x.tasks.join(",");
        let team = x.team.codes();
        let mut due = countdown_text(m, x);
        if x.dates.outside_window() {
            // The step taken outside the windows stays visible: it comes first, never cut.
            due = format!("{} {due}", s::OUTSIDE_MARK);
        }
        let state = if x.state == VisitState::Entered && v.marked.contains(&x.id) {
            s::MARKED
        } else {
            x.status_label()
        };
        lines.push(row(
            &m.theme,
            i == v.selected,
            &[
                (&id, id_w),
                (&x.entity_name, name_w),
                (&tasks, task_w),
                (state, state_w),
                (&team, team_w),
                (&due, due_w),
            ],
            urgency_style(m, x),
        ));
    }
    if v.list.is_empty() {
        lines.push(Line::from(s::NONE));
    }
    let title = if v.mine {
        s::qualified(s::SCREENS[3], s::ONLY_MINE)
    } else {
        s::SCREENS[3].to_string()
    };
    f.render_widget(Paragraph::new(lines).block(block(&m.theme, &title)), area);
}
