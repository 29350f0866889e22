//! Issue 12: the dashboard's key-entity coverage counted in SQLite over indexed inputs gives
//! the same figures as classifying every entity's record and building the year's visits.

use chrono::NaiveDate;
use shuangsuiji::services::Session;

use shuangsuiji::services::dashboard::Overview;
use shuangsuiji::services::visits::VisitView;

use crate::support::{self, completed_visit, day, demo_copy, open, open_on};

/// The fast path and the reference, for `year`, on one session.
fn same(s: &Session, year: i32) -> shuangsuiji::services::dashboard::KeyCoverage {
    let fast = s.key_coverage(year).unwrap();
    let reference = s.key_coverage_by_records(year).unwrap();
    assert_eq!(fast, reference, "{year}, as of {}", s.today());
    // What the dashboard reads: the same counts, and the first missing ones by name.
    for head in [0, 1, 3, usize::MAX] {
        let shown = s.key_coverage_head(year, head).unwrap();
        assert_eq!(
            (shown.covered, shown.all),
            (fast.covered, fast.all),
            "{head}"
        );
        let first: Vec<_> = fast.missing.iter().take(head).cloned().collect();
        assert_eq!(shown.missing, first, "{head}");
    }
    fast
}

#[test]
fn key_coverage_from_sqlite_equals_the_classified_records_at_several_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "d.db");
    for today in [
        "2026-01-05",
        "2026-03-31",
        "2026-05-20",
        "2026-10-01",
        "2026-12-31",
    ] {
        let s = open_on(&db, "lead.liu", day(today));
        let c = same(&s, 2026);
        assert!(c.all > 0, "the demo county has key entities");
        same(&s, 2025);
    }
    // The demo as built on another day (its own visits started and targeted checks).
    let late = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let other = support::demo_copy_at(&dir, "late.db", late);
    let s = open_on(&other, "lead.liu", late);
    let c = same(&s, 2026);
    assert!(
        c.covered > 0,
        "by November some key entities were inspected"
    );
}

#[test]
fn a_started_visit_to_a_key_entity_counts_and_the_key_inputs_move_it() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let db = support::drawn_copy(&dir, "before.db");
        same(&open(&db, "lead.liu"), 2026)
    };
    // A visit to a key entity still missing, started and completed.
    let done = completed_visit(&dir, "d.db", |v| {
        before.missing.iter().any(|(id, _)| id == &v.entity)
    });
    let mut s = open(&done.db, "lead.liu");
    let after = same(&s, 2026);
    assert_eq!(after.all, before.all);
    assert_eq!(after.covered, before.covered + 1);
    assert!(!after.missing.iter().any(|(id, _)| id == &done.visit.entity));

    // The inputs: excluded, closed, made key by its permit, off the key list.
    let missing = after.missing[0].0.clone();
    s.set_exclusion(&missing, Some("搬迁"), "企业已迁出本县")
        .unwrap();
    let c = same(&s, 2026);
    assert_eq!(c.all, after.all - 1, "an excluded entity does not count");
    s.set_exclusion(&missing, None, "企业已迁回本县").unwrap();
    s.set_entity_field(&missing, "生产状态", "关闭", "企业已经关闭停产")
        .unwrap();
    let c = same(&s, 2026);
    assert_eq!(c.all, after.all - 1, "a closed entity does not count");
    s.set_entity_field(&missing, "生产状态", "停产", "企业暂时停产整顿")
        .unwrap();
    let c = same(&s, 2026);
    assert_eq!(c.all, after.all, "a suspended one still counts");

    let general = s
        .list_entities(&Default::default())
        .unwrap()
        .into_iter()
        .find(|c| {
            !c.classification.also_key
                && c.entity.exclusion.is_none()
                && c.entity.production != shuangsuiji::domain::vocab::ProductionStatus::Closed
        })
        .expect("a county has entities that are not key")
        .id;
    s.set_entity_field(
        &general,
        "排污许可管理类别",
        "重点管理",
        "换发重点管理许可证",
    )
    .unwrap();
    let c = same(&s, 2026);
    assert_eq!(c.all, after.all + 1, "a key permit makes it key");
    s.set_entity_field(&general, "排污许可管理类别", "简化管理", "改为简化管理许可")
        .unwrap();
    s.set_entity_field(&general, "重点排污单位名录", "是", "列入本年名录公告")
        .unwrap();
    let c = same(&s, 2026);
    assert_eq!(c.all, after.all + 1, "the key list makes it key");
    s.set_entity_field(&general, "重点排污单位名录", "否", "移出本年名录公告")
        .unwrap();
    assert_eq!(same(&s, 2026).all, after.all);
}

/// A visit read alone (what starting, completing or entering it reads) is the visit as the
/// whole list shows it: its entity's name, its team with a substitution applied. The list
/// reads every visit's seats and substitutions in one pass, and one visit reads only its own
/// entity's name.
#[test]
fn a_visit_read_alone_is_the_visit_as_the_list_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::drawn_copy(&dir, "d.db");
    let mut s = open(&db, "lead.liu");
    let all = s.list_visits(&Default::default()).unwrap();
    let first = all
        .iter()
        .find(|v| v.draw_id == "2026Q2-01" && v.problem.is_none())
        .expect("the demo's second quarter has a visit with a team")
        .clone();
    let out = first.team.0[0].inspector.clone();
    let sub = s
        .substitute("2026Q2-01", &first.entity, &out, "病假")
        .unwrap();
    let all = s.list_visits(&Default::default()).unwrap();
    assert!(all.len() > 10, "{}", all.len());
    let moved = all.iter().find(|v| v.id == first.id).unwrap();
    assert!(moved.team.includes(&sub.replacement));
    assert!(!moved.team.includes(&out));
    for v in &all {
        assert!(!v.entity_name.is_empty(), "#{} has its entity's name", v.id);
        let alone = s.visit(v.id).unwrap();
        assert_eq!(
            serde_json::to_value(&alone).unwrap(),
            serde_json::to_value(v).unwrap(),
            "#{}",
            v.id
        );
    }
}

/// The overview reads every visit unnamed and names only those it lists (the deadlines, the
/// viewer's own, the alerts'), each as the list of visits names it.
#[test]
fn the_overview_names_what_it_lists_as_the_visit_list_does() {
    use shuangsuiji::services::dashboard::Alert;
    let dir = tempfile::tempdir().unwrap();
    let late = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let db = support::demo_copy_at(&dir, "late.db", late);
    // An inspector with a visit of the late demo's still to be entered: the overview lists it
    // as theirs.
    let lead = open_on(&db, "lead.liu", late);
    let inspector = lead
        .list_users()
        .unwrap()
        .into_iter()
        .filter(|u| u.inspector.is_some())
        .map(|u| u.login)
        .find(|login| {
            !open_on(&db, login.as_str(), late)
                .overview()
                .unwrap()
                .mine
                .is_empty()
        })
        .expect("an inspector of the late demo has a visit to enter");
    drop(lead);
    for (login, today) in [
        ("lead.liu", late),
        (inspector.as_str(), late),
        (inspector.as_str(), day("2026-12-28")),
    ] {
        let s = open_on(&db, login, today);
        let named: std::collections::HashMap<i64, (String, String)> = s
            .list_visits(&Default::default())
            .unwrap()
            .into_iter()
            .map(|v| (v.id, (v.entity_name, v.town)))
            .collect();
        let o = s.overview().unwrap();
        let mut listed = vec![o.deadlines.len(), o.mine.len()];
        for v in o.deadlines.iter().chain(&o.mine) {
            assert!(!v.entity_name.is_empty());
            assert_eq!(
                (&v.entity_name, &v.town),
                (&named[&v.id].0, &named[&v.id].1)
            );
        }
        for a in &o.alerts {
            let shown: Vec<(i64, &String)> = match a {
                Alert::Overdue(l) | Alert::Unpublished(l) => {
                    l.iter().map(|(id, name)| (*id, name)).collect()
                }
                Alert::WindowClosing { first, .. } => {
                    first.iter().map(|(id, name, _)| (*id, name)).collect()
                }
                _ => continue,
            };
            listed.push(shown.len());
            for (id, name) in shown {
                assert!(!name.is_empty());
                assert_eq!(name, &named[&id].0, "#{id}");
            }
        }
        eprintln!("{login} {today}: {listed:?}");
        assert!(
            listed.iter().sum::<usize>() > 0,
            "{login} {today}: {listed:?}"
        );
    }
}

/// The overview and its reference agree in everything they show.
fn same_overview(fast: &Overview, reference: &Overview, what: &str) {
    let json = |l: &[VisitView]| serde_json::to_value(l).unwrap();
    assert_eq!(fast.tasks, reference.tasks, "{what}: progress");
    assert_eq!(
        json(&fast.deadlines),
        json(&reference.deadlines),
        "{what}: deadlines"
    );
    assert_eq!(json(&fast.mine), json(&reference.mine), "{what}: mine");
    assert_eq!(fast.alerts, reference.alerts, "{what}: alerts");
    assert_eq!(
        (
            fast.year,
            fast.on_duty,
            fast.draws,
            fast.annual_report_generated
        ),
        (
            reference.year,
            reference.on_duty,
            reference.draws,
            reference.annual_report_generated
        ),
        "{what}"
    );
}

/// The overview counts every visit from a narrow mark and its dates and reads whole only
/// the visits it lists; building every visit whole (the reference, as the overview did
/// before) gives the same overview for every user of the demo on days across the year:
/// the progress counted over the visits each may see, the deadlines, their own visits, and
/// each alert with the visits it names. The days and the changes made cover every list:
/// a substitution (the officer substituted in has the visit as theirs, the one out no
/// longer), visits marked 未实施, and the alert of windows closing longer than it names.
#[test]
fn the_overview_from_marks_is_the_overview_from_every_visit() {
    use shuangsuiji::services::dashboard::{Alert, CLOSING_NAMED};
    use shuangsuiji::services::visits::VisitFilter;
    let dir = tempfile::tempdir().unwrap();
    // A drawn second quarter with a substitution and the first quarter's unstarted visits
    // marked 未实施.
    let drawn = support::drawn_copy(&dir, "drawn.db");
    let mut lead = open(&drawn, "lead.liu");
    let visits = lead.list_visits(&VisitFilter::default()).unwrap();
    let moved = visits
        .iter()
        .find(|v| v.draw_id == "2026Q2-01" && v.problem.is_none())
        .unwrap()
        .clone();
    let out = moved.team.0[0].inspector.clone();
    let sub = lead
        .substitute("2026Q2-01", &moved.entity, &out, "病假")
        .unwrap();
    let mut lapsed = 0;
    for v in visits
        .iter()
        .filter(|v| {
            v.period == "2026Q1" && v.state == shuangsuiji::domain::visit::VisitState::Assigned
        })
        .take(3)
    {
        lead.lapse_visit(v.id, "企业停产，未实施").unwrap();
        lapsed += 1;
    }
    assert!(lapsed > 0);
    let drawn_day = support::demo_day();
    drop(lead);
    let late = day("2026-11-20");
    let cases = [
        (drawn, drawn_day),
        (
            support::demo_copy_at(&dir, "oct.db", day("2026-10-20")),
            day("2026-10-20"),
        ),
        (support::demo_copy_at(&dir, "late.db", late), late),
        (
            support::demo_copy_at(&dir, "late2.db", late),
            day("2026-12-28"),
        ),
    ];
    // What the cases covered, so that a list left empty everywhere fails the test.
    let (mut deadlines, mut mine, mut unpublished, mut overdue, mut closing_long) = (0, 0, 0, 0, 0);
    let mut hidden = 0;
    let mut substituted_in = false;
    for (db, today) in &cases {
        let logins: Vec<String> = open_on(db, "lead.liu", *today)
            .list_users()
            .unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect();
        let all_drawn = open_on(db, "lead.liu", *today)
            .overview()
            .unwrap()
            .tasks
            .iter()
            .map(|t| t.drawn)
            .sum::<usize>();
        for login in &logins {
            let Ok(s) = support::try_open_on(db, login.as_str(), *today) else {
                continue;
            };
            let Ok(fast) = s.overview() else {
                continue;
            };
            let reference = s.overview_by_visits().unwrap();
            let what = format!("{login} on {today}");
            same_overview(&fast, &reference, &what);
            deadlines += fast.deadlines.len();
            mine += fast.mine.len();
            unpublished += fast.unpublished().len();
            overdue += fast.overdue().len();
            if fast.tasks.iter().map(|t| t.drawn).sum::<usize>() < all_drawn {
                hidden += 1;
            }
            if fast.mine.iter().any(|v| v.id == moved.id) {
                assert!(
                    s.user().inspector.as_deref() != Some(out.as_str()),
                    "{what}"
                );
                substituted_in |= s.user().inspector.as_deref() == Some(sub.replacement.as_str());
            }
            for a in &fast.alerts {
                if let Alert::WindowClosing { count, first } = a {
                    assert_eq!(first.len(), (*count).min(CLOSING_NAMED), "{what}");
                    closing_long += usize::from(*count > CLOSING_NAMED);
                }
            }
        }
    }
    eprintln!(
        "deadlines {deadlines}, mine {mine}, unpublished {unpublished}, overdue {overdue}, \
         closing alerts longer than named {closing_long}, viewers counting fewer {hidden}"
    );
    for (what, n) in [
        ("deadlines", deadlines),
        ("mine", mine),
        ("unpublished", unpublished),
        ("overdue", overdue),
        ("a closing alert longer than it names", closing_long),
        ("a viewer who may not see every visit", hidden),
    ] {
        assert!(n > 0, "no case had {what}");
    }
    assert!(
        substituted_in,
        "the officer substituted in has the visit as theirs"
    );
}

/// A read of some visits by id brings exactly those, as the read of every visit has them,
/// though ids close together are read as one run (with the visits between) and ids far apart
/// as runs of their own.
#[test]
fn a_read_of_some_visits_brings_exactly_those() {
    use shuangsuiji::store::{Visits, draws};
    let dir = tempfile::tempdir().unwrap();
    let db = support::drawn_copy(&dir, "d.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let all = draws::live_visits(&conn, None).unwrap();
    assert!(all.len() > 40, "{}", all.len());
    let mut ids: Vec<i64> = all.iter().map(|v| v.id).collect();
    ids.sort_unstable();
    // Every third visit (runs with visits between), and the last one alone.
    let mut picked: Vec<i64> = ids.iter().step_by(3).copied().collect();
    picked.push(*ids.last().unwrap());
    picked.reverse();
    let got = draws::live_visits_where(&conn, None, Visits::These(&picked)).unwrap();
    let mut got_ids: Vec<i64> = got.iter().map(|v| v.id).collect();
    got_ids.sort_unstable();
    let mut want = picked.clone();
    want.sort_unstable();
    want.dedup();
    assert_eq!(got_ids, want);
    for v in &got {
        let whole = all.iter().find(|w| w.id == v.id).unwrap();
        assert_eq!(format!("{v:?}"), format!("{whole:?}"), "#{}", v.id);
    }
    // In the order of the whole list.
    let order: Vec<i64> = all
        .iter()
        .filter(|v| want.contains(&v.id))
        .map(|v| v.id)
        .collect();
    assert_eq!(got.iter().map(|v| v.id).collect::<Vec<_>>(), order);
}

/// An administrator with the file drops the indexes the lists of draws read (schema v14)
/// with sqlite3: the next open makes them again, and the draws, the overview and `doctor`
/// read as before, where every list of draws failed with "no such index".
#[test]
fn the_draw_lists_survive_their_indexes_dropped_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "d.db");
    let before = open(&db, "lead.liu").list_draws().unwrap();
    assert!(!before.is_empty());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP INDEX draws_listed; DROP INDEX draw_runs_listed;")
        .unwrap();
    drop(conn);
    let s = open(&db, "lead.liu");
    let after = s.list_draws().unwrap();
    assert_eq!(
        after
            .iter()
            .map(|d| (&d.id, d.status()))
            .collect::<Vec<_>>(),
        before
            .iter()
            .map(|d| (&d.id, d.status()))
            .collect::<Vec<_>>()
    );
    s.overview().unwrap();
    assert!(!s.doctor().unwrap().is_empty());
    let out = support::run(&db, &["--as", "lead.liu", "draw", "list"]);
    assert!(out.status.success(), "{}", support::text(&out.stderr));
}

/// The overview counts the corrections waiting for the principal without reading them: the
/// same number as the list of them, on a demo that has one waiting, and none once it is
/// decided.
#[test]
fn the_corrections_waiting_are_counted_as_listed() {
    use shuangsuiji::services::dashboard::Alert;
    let dir = tempfile::tempdir().unwrap();
    let today = day("2026-12-28");
    let db = support::demo_copy_at(&dir, "late.db", today);
    let waiting = |s: &Session| {
        s.overview()
            .unwrap()
            .alerts
            .iter()
            .find_map(|a| match a {
                Alert::CorrectionsWaiting(n) => Some(*n),
                _ => None,
            })
            .unwrap_or(0)
    };
    let mut principal = open_on(&db, "principal.wang", today);
    let listed = principal.pending_corrections().unwrap();
    assert!(!listed.is_empty(), "the late demo has a correction waiting");
    assert_eq!(waiting(&principal), listed.len());
    for c in &listed {
        principal.decide_correction(c.id, true, "同意").unwrap();
    }
    assert_eq!(waiting(&principal), 0);
}
