//! 检查任务: every visit the user may see, with its team, state and countdown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::overview::{countdown_fit, urgency_style};
use super::{header, list_block, row, scroll_start, search_border};
use crate::domain::visit::VisitState;
use crate::tui::model::Model;
use crate::tui::search::team_with_names;
use crate::tui::strings as s;

pub fn render(f: &mut Frame<'_>, m: &Model, area: Rect) {
    let v = &m.visits;
    let w = area.width.saturating_sub(4) as usize;
    let height = area.height.saturating_sub(3) as usize;
    // Names next to codes once there is room for them (wider than 100 columns).
    let wide = w > 96;
    let (id_w, task_w, period_w, state_w, due_w) = (4, 9, 6, 6, 20);
    // Codes are never cut: two members' codes fit ("*YC-018 YC-019"); a bigger team shows
    // the codes that fit whole and how many more ([`whole_codes`]). With room to spare, names
    // follow the codes.
    let team_w = if wide { (14 + (w - 96)).min(40) } else { 14 };
    let name_w = w.saturating_sub(2 + id_w + task_w + period_w + state_w + team_w + due_w + 6);
    let h = s::VISIT_HEADERS;
    let mut lines = vec![header(
        &m.theme,
        &[
            (h[0], id_w),
            (h[1], name_w),
            (h[2], task_w),
            (h[3], period_w),
            (h[4], state_w),
            (h[5], team_w),
            (h[6], due_w),
        ],
    )];
    let start = scroll_start(v.selected, height);
    for (i, x) in v.list.iter().enumerate().skip(start).take(height) {
        let id = x.id.to_string();
        let tasks = x.tasks.join(",");
        // Names only where they fit whole after every code; else the codes alone.
        let named = team_with_names(&x.team, &m.names);
        let team = if wide && crate::tui::text::width(&named) <= team_w {
            named
        } else {
            whole_codes(&x.team, team_w)
        };
        // The step taken outside the windows stays visible: it comes first, never cut.
        let outside = x.dates.outside_window().then_some(s::OUTSIDE_MARK);
        let due = countdown_fit(m, x, outside, due_w);
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
                (&x.period, period_w),
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
    let b = list_block(&m.theme, &title, Some(v.selected), v.list.len());
    let b = search_border(f, &m.theme, b, area, &v.search, v.searching);
    f.render_widget(Paragraph::new(lines).block(b), area);
}

/// A team's codes within `cols` columns, each whole: as many as fit, then "+N" for the rest.
pub fn whole_codes(team: &crate::domain::draw::record::Team, cols: usize) -> String {
    let codes: Vec<String> = team
        .iter()
        .map(|s| format!("{}{}", if s.lead { "*" } else { "" }, s.inspector))
        .collect();
    let mut out = String::new();
    for (i, c) in codes.iter().enumerate() {
        let sep = usize::from(!out.is_empty());
        let rest = codes.len() - i - 1;
        // Room for this code, and for the "+N" of those after it unless it is the last.
        let more = if rest > 0 {
            format!(" +{rest}").len()
        } else {
            0
        };
        if out.len() + sep + c.len() + more > cols {
            let left = codes.len() - i;
            return format!("{out} +{left}").trim_start().to_string();
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(c);
    }
    out
}
