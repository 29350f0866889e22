//! The dashboard acts on what the user sees (issue 11): selections are ids, so a re-sort, a
//! reload or another user's change never moves an action onto another row. These drive the
//! dashboard's own event handler (`tui::handle`, the one the terminal loop calls) over a real
//! database, then look at the database through the library.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::visit::{Step, VisitState};
use shuangsuiji::services::Session;
use shuangsuiji::services::visits::VisitFilter;
use shuangsuiji::tui::model::{InputPurpose, Model, Popup, ScreenId};
use shuangsuiji::tui::{self, handle};

use crate::support::{drawn_copy, login_of, open};

fn key(s: &mut Session, m: &mut Model, code: KeyCode) {
    handle(s, m, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(s: &mut Session, m: &mut Model, text: &str) {
    for c in text.chars() {
        key(s, m, KeyCode::Char(c));
    }
}

/// The id of the visit under the cursor of screen 4.
fn selected(m: &Model) -> i64 {
    m.visits.list[m.visits.selected].id
}

/// An officer with at least three not-started second-quarter visits, and their login.
fn busy_officer(db: &std::path::Path) -> (String, String) {
    let lead = open(db, "lead.liu");
    let all = lead.list_visits(&VisitFilter::default()).unwrap();
    let assigned = |code: &str| {
        all.iter()
            .filter(|v| v.state == VisitState::Assigned && v.draw_id == "2026Q2-01")
            .filter(|v| v.team.iter().any(|t| t.inspector == code))
            .count()
    };
    let code = all
        .iter()
        .flat_map(|v| v.team.iter().map(|t| t.inspector.clone()))
        .max_by_key(|c| assigned(c))
        .unwrap();
    assert!(assigned(&code) >= 3, "{code} has three visits to start");
    let login = login_of(&lead, &code);
    (code, login)
}

/// The dashboard of `login` at 120x40, on screen 4 with only their visits (`4 m`).
fn my_visits(db: &std::path::Path, login: &str) -> (Session, Model) {
    let mut s = open(db, login);
    let mut m = tui::model_for(&s, true);
    m.size = Some((120, 40));
    keys(&mut s, &mut m, "4m");
    assert!(m.visits.mine && m.screen == ScreenId::Visits);
    (s, m)
}

/// Moves the cursor down to the last but one not-started visit of the list: not the first
/// row, and one that starting moves (a started visit sorts after the not-started ones).
fn down_to_last_assigned(s: &mut Session, m: &mut Model) -> i64 {
    let target = m
        .visits
        .list
        .iter()
        .rev()
        .filter(|v| v.state == VisitState::Assigned)
        .nth(1)
        .unwrap()
        .id;
    while selected(m) != target {
        key(s, m, KeyCode::Char('j'));
    }
    target
}

#[test]
fn s_enter_starts_exactly_the_visit_under_the_cursor_and_the_cursor_stays_on_it() {
    // As an inspector: `4 m`, move to a visit, `s Enter` started it, and the cursor was then
    // on another visit, because the list re-sorted under a row number.
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "ids.db");
    let (_, login) = busy_officer(&db);
    let (mut s, mut m) = my_visits(&db, &login);
    let target = down_to_last_assigned(&mut s, &mut m);
    let before = m.visits.selected;
    key(&mut s, &mut m, KeyCode::Char('s'));
    match &m.popup {
        Some(Popup::Input { title, purpose, .. }) => {
            assert_eq!(
                *purpose,
                InputPurpose::StepOn {
                    id: target,
                    step: Step::Start
                }
            );
            assert!(
                title.contains(&format!("#{target}")),
                "names its target: {title}"
            );
        }
        _ => panic!("s asks the day to start the visit"),
    }
    key(&mut s, &mut m, KeyCode::Enter);
    let started: Vec<i64> = open(&db, "lead.liu")
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.state == VisitState::Started && v.draw_id == "2026Q2-01")
        .map(|v| v.id)
        .collect();
    assert_eq!(started, vec![target], "exactly that visit started");
    assert_eq!(selected(&m), target, "the cursor stays on the visit");
    assert_ne!(
        m.visits.selected, before,
        "the list did re-sort (a started visit sorts apart), so a row number would have moved"
    );
}

#[test]
fn m_keeps_the_cursor_on_its_visit() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "ids-m.db");
    let (_, login) = busy_officer(&db);
    let (mut s, mut m) = my_visits(&db, &login);
    let target = down_to_last_assigned(&mut s, &mut m);
    // All visits: the officer's visit is among them, at another row.
    m.status = None;
    keys(&mut s, &mut m, "m");
    assert!(!m.visits.mine);
    assert_eq!(selected(&m), target);
    assert!(
        m.status.is_none(),
        "nothing to say: the row is there: {:?}",
        m.status
    );
    keys(&mut s, &mut m, "m");
    assert_eq!(selected(&m), target);
}

#[test]
fn another_users_change_re_sorts_the_list_and_the_cursor_follows_its_visit() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "ids-other.db");
    let (code, login) = busy_officer(&db);
    let (mut s, mut m) = my_visits(&db, &login);
    let target = down_to_last_assigned(&mut s, &mut m);
    // A teammate (or the officer elsewhere) starts the first not-started visit.
    let first = m
        .visits
        .list
        .iter()
        .find(|v| v.state == VisitState::Assigned && v.id != target)
        .unwrap()
        .id;
    open(&db, &login)
        .start_visit(first, crate::support::demo_day(), None)
        .unwrap();
    tui::refresh(&mut s, &mut m);
    assert_eq!(selected(&m), target, "the cursor follows its visit");
    key(&mut s, &mut m, KeyCode::Char('s'));
    assert!(
        matches!(&m.popup, Some(Popup::Input { purpose: InputPurpose::StepOn { id, .. }, .. })
            if *id == target),
        "s offers the visit under the cursor"
    );
    key(&mut s, &mut m, KeyCode::Esc);
    // The lead replaces the officer on the visit: it leaves their list. The cursor takes the
    // nearest visit left, and the status line says so.
    let v = m.visits.list[m.visits.selected].clone();
    open(&db, "lead.liu")
        .substitute(&v.draw_id, &v.entity, &code, "病假")
        .unwrap();
    tui::refresh(&mut s, &mut m);
    assert!(m.visits.list.iter().all(|x| x.id != target));
    let (text, _) = m.status.clone().expect("the status line says the row left");
    assert!(
        text.contains(&format!("#{target}")) && text.contains(&format!("#{}", selected(&m))),
        "{text}"
    );
}

#[test]
fn a_refused_run_gives_the_dialog_back_with_its_input_and_the_field_named() {
    // `3 r`, seeds 123456 and 654321, witnesses, Enter: "合计至少20位", and the dialog was gone.
    let dir = tempfile::tempdir().unwrap();
    let db = crate::support::demo_copy(&dir, "ids-run.db");
    let mut s = open(&db, "lead.liu");
    let mut m = tui::model_for(&s, true);
    m.size = Some((120, 40));
    keys(&mut s, &mut m, "3r123456");
    key(&mut s, &mut m, KeyCode::Tab);
    keys(&mut s, &mut m, "654321");
    key(&mut s, &mut m, KeyCode::Tab);
    keys(&mut s, &mut m, "张三、李四");
    key(&mut s, &mut m, KeyCode::Enter);
    keys(&mut s, &mut m, "2026Q2-01");
    key(&mut s, &mut m, KeyCode::Enter);
    match &m.popup {
        Some(Popup::Input {
            fields,
            error: Some(error),
            focus,
            ..
        }) => {
            let texts: Vec<String> = fields
                .iter()
                .map(shuangsuiji::tui::model::text_of)
                .collect();
            assert_eq!(
                texts,
                ["123456", "654321", "张三、李四"],
                "the input is kept"
            );
            assert!(
                error.starts_with(shuangsuiji::tui::strings::SEED_1) && error.contains("20"),
                "the field is named: {error}"
            );
            assert_eq!(*focus, 0, "the focus is on the field to fix");
        }
        _ => panic!("the seeds dialog is given back"),
    }
    assert!(
        open(&db, "lead.liu").draw_record("2026Q2-01").is_err(),
        "the draw did not run"
    );
    // Fixed in place, the run goes through, and the dialog is gone.
    key(&mut s, &mut m, KeyCode::End);
    keys(&mut s, &mut m, "12345678901234");
    key(&mut s, &mut m, KeyCode::Enter);
    keys(&mut s, &mut m, "2026Q2-01");
    key(&mut s, &mut m, KeyCode::Enter);
    assert!(open(&db, "lead.liu").draw_record("2026Q2-01").is_ok());
    match &m.popup {
        Some(Popup::Message { lines, .. }) => {
            let n = open(&db, "lead.liu")
                .draw_record("2026Q2-01")
                .unwrap()
                .visits
                .len();
            assert!(
                lines.contains(&format!("已抽取 {n} 项检查任务")),
                "{lines:?}"
            );
        }
        _ => panic!("the run says what it drew"),
    }
}

/// The text of the dashboard drawn at `w`x`h`.
fn drawn(m: &Model, w: u16, h: u16) -> String {
    crate::support::drawn(m, w, h)
}

#[test]
fn on_the_due_day_the_deadline_reads_today_not_zero_days_left() {
    let dir = tempfile::tempdir().unwrap();
    let c = crate::support::completed_visit(&dir, "due.db", |_| true);
    let due = open(&c.db, "lead.liu")
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| v.id == c.visit.id)
        .and_then(|v| v.due)
        .expect("a completed visit has a due date")
        .date;
    let s = crate::support::open_on(&c.db, &c.officer, due);
    let mut m = tui::model_for(&s, true);
    m.size = Some((120, 40));
    tui::load::overview(&s, &mut m).unwrap();
    let screen = drawn(&m, 120, 40);
    let line = screen
        .lines()
        .find(|l| {
            l.contains(&c.visit.id.to_string()) && l.contains(&due.format("%m-%d").to_string())
        })
        .unwrap_or_else(|| panic!("the visit's deadline is listed:\n{screen}"));
    assert!(line.contains("今天到期"), "{line}");
    assert!(!line.contains("剩0"), "{line}");
}

#[test]
fn a_read_only_form_says_which_of_the_three_reasons() {
    use shuangsuiji::tui::model::ReadOnly;
    use shuangsuiji::tui::update::form_of;
    let dir = tempfile::tempdir().unwrap();
    let c = crate::support::completed_visit(&dir, "ro.db", |_| true);
    let mut s = open(&c.db, &c.officer);
    // Completed and on the team: editable.
    let f = form_of(s.result_view(c.visit.id).unwrap(), true);
    assert_eq!((f.read_only, f.read_only_why), (false, None));
    // Another team's visit.
    let f = form_of(s.result_view(c.visit.id).unwrap(), false);
    assert_eq!(f.read_only_why, Some(ReadOnly::NotOnTeam));
    // Not yet completed: another of the officer's visits, not started.
    let lead = open(&c.db, "lead.liu");
    let code = &c.visit.team[0].inspector;
    let other = crate::support::assigned_q2_visit(&lead, |v| {
        v.id != c.visit.id && v.team.iter().any(|t| &t.inspector == code)
    });
    let f = form_of(s.result_view(other.id).unwrap(), true);
    assert_eq!(f.read_only_why, Some(ReadOnly::NotCompleted));
    // Not inspected: an empty result, nothing ticked (it once showed "[x] 未发现问题").
    assert!(f.empty);
    let mut m = tui::model_for(&s, true);
    m.form = Some(f);
    let screen = drawn(&m, 120, 40);
    assert!(!screen.contains("[x]"), "{screen}");
    assert!(!screen.contains("符合要求"), "{screen}");
    assert!(
        screen.contains(shuangsuiji::tui::strings::NOT_INSPECTED),
        "{screen}"
    );
    // Submitted.
    let result = crate::support::clean_result(&s, c.visit.id);
    s.submit_result(c.visit.id, &result).unwrap();
    let f = form_of(s.result_view(c.visit.id).unwrap(), true);
    assert_eq!(f.read_only_why, Some(ReadOnly::Submitted));
    assert!(shuangsuiji::tui::strings::read_only_foot(f.read_only_why).contains("已提交"));
}

#[test]
fn without_colour_the_countdown_writes_what_its_colour_means() {
    use shuangsuiji::domain::calendar::Countdown;
    let dir = tempfile::tempdir().unwrap();
    let c = crate::support::completed_visit(&dir, "nocolor.db", |_| true);
    // Walk back from the due day to a day when the visit is 紧急, then one when it is 临近.
    let on = |day| {
        crate::support::open_on(&c.db, &c.officer, day)
            .list_visits(&VisitFilter::default())
            .unwrap()
            .into_iter()
            .find(|v| v.id == c.visit.id)
            .unwrap()
    };
    let due = on(crate::support::demo_day()).due.unwrap().date;
    for want in [Countdown::Urgent, Countdown::Near] {
        let day = (1..30)
            .map(|d| due - chrono::Duration::days(d))
            .find(|d| on(*d).countdown == Some(want) && on(*d).days_left != Some(0))
            .unwrap();
        let s = crate::support::open_on(&c.db, &c.officer, day);
        for color in [false, true] {
            let mut m = tui::model_for(&s, true);
            m.theme.color = color;
            tui::load::overview(&s, &mut m).unwrap();
            let screen = drawn(&m, 120, 40);
            let line = screen
                .lines()
                .find(|l| l.contains(&due.format("%m-%d").to_string()))
                .unwrap_or_else(|| panic!("{screen}"));
            assert_eq!(
                line.contains(want.label()),
                !color,
                "{want:?} colour {color}: {line}"
            );
        }
    }
}

#[test]
fn the_overview_shows_open_deadlines_of_last_year_overdue_first() {
    // With --today 2027-01-04 the deadlines panel once said "（无）" while `visit list --mine`
    // and `doctor` listed overdue results: the deadlines of 2026 fall in 2027.
    let dir = tempfile::tempdir().unwrap();
    let db = crate::support::demo_copy_at(&dir, "y.db", crate::support::day("2026-12-10"));
    let late = crate::support::day("2026-12-28");
    let mut lead = crate::support::open_on(&db, "lead.liu", late);
    let v = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| v.state == VisitState::Assigned && v.problem.is_none())
        .expect("a visit not started");
    lead.start_visit(v.id, late, Some("年底补查")).unwrap();
    lead.complete_visit(v.id, late, Some("年底补查")).unwrap();
    let jan = crate::support::day("2027-01-04");
    let s = crate::support::open_on(&db, "lead.liu", jan);
    let mut m = tui::model_for(&s, true);
    m.size = Some((120, 40));
    tui::load::overview(&s, &mut m).unwrap();
    let o = m.overview.as_ref().unwrap();
    let left: Vec<i64> = o.deadlines.iter().map(|d| d.days_left.unwrap()).collect();
    assert!(
        left.iter().any(|l| *l < 0),
        "last year's overdue results: {left:?}"
    );
    let january = o
        .deadlines
        .iter()
        .find(|d| d.id == v.id)
        .expect("the visit completed in December, due in January");
    assert!(january.due.as_ref().unwrap().date > jan);
    assert!(left.is_sorted(), "overdue first: {left:?}");
    assert!(!o.overdue().is_empty(), "the overdue reminder");
    let screen = drawn(&m, 120, 40);
    assert!(screen.contains(&format!("{} ", v.id)), "{screen}");
    assert!(screen.contains("逾期"), "{screen}");
}
