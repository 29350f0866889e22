//! The year's rules as the bureau meets them: inspection windows (a step outside needs a
//! reason, is recorded and flagged), 未实施, the reminders of the overview and doctor (a window
//! closing on unstarted visits, a quarter without a draw), key coverage by inspection, and a
//! demo year that keeps every rule at several dates.

use chrono::{Datelike, NaiveDate};
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::ServiceError;
use shuangsuiji::services::dashboard::{self, Alert};
use shuangsuiji::services::visits::{VisitFilter, VisitView};

use crate::support::{self, day, login_of, open_on, run, stdout};

/// An unstarted visit whose windows `on` misses, and a login of its team.
fn outside_visit(s: &shuangsuiji::services::Session, on: NaiveDate) -> (VisitView, String) {
    let v = s
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| {
            v.state == VisitState::Assigned && v.problem.is_none() && v.outside_on(on).is_some()
        })
        .expect("an unstarted visit outside its windows");
    let login = login_of(s, &v.team[0].inspector);
    (v, login)
}

#[test]
fn a_step_outside_the_windows_needs_a_reason_and_is_recorded_and_flagged() {
    let today = day("2026-11-20");
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy_at(&dir, "d.db", today);
    let lead = open_on(&path, "lead.liu", today);
    let (v, officer) = outside_visit(&lead, today);
    let tasks = v.outside_on(today).unwrap();
    assert!(tasks.contains("月"), "{tasks}");
    let mut s = open_on(&path, officer.as_str(), today);
    // Without a reason: refused, naming the tasks and their windows.
    match s.start_visit(v.id, today, None) {
        Err(e @ ServiceError::OutsideWindow { .. }) => {
            let m = e.to_string();
            assert!(m.contains(&tasks) && m.contains("--reason"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.visit(v.id).unwrap().state, VisitState::Assigned);
    // With one: recorded, and the visit is flagged.
    s.start_visit(v.id, today, Some("企业停产检修，复产后检查"))
        .unwrap();
    let after = s.visit(v.id).unwrap();
    assert_eq!(after.state, VisitState::Started);
    assert_eq!(
        after.dates.start_reason.as_deref(),
        Some("企业停产检修，复产后检查")
    );
    assert!(after.dates.outside_window());
    let o = run(
        &path,
        &["--today", "2026-11-20", "--as", "lead.liu", "visit", "list"],
    );
    let line = stdout(&o)
        .lines()
        .find(|l| l.starts_with(&format!("{} ", v.id)))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(line.contains("检查时间外"), "{line}");
    // The command line asks for --reason the same way.
    let (w, officer2) = outside_visit(&lead, today);
    let o = run(
        &path,
        &[
            "--today",
            "2026-11-20",
            "--as",
            &officer2,
            "visit",
            "start",
            &w.id.to_string(),
            "--date",
            "2026-11-20",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = run(
        &path,
        &[
            "--today",
            "2026-11-20",
            "--as",
            &officer2,
            "visit",
            "start",
            &w.id.to_string(),
            "--date",
            "2026-11-20",
            "--reason",
            "补查",
        ],
    );
    assert!(o.status.success(), "{}", support::stderr(&o));
}

#[test]
fn an_earlier_quarter_s_unstarted_visit_can_be_marked_lapsed_by_a_lead_once() {
    let today = day("2026-11-20");
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy_at(&dir, "d.db", today);
    let mut lead = open_on(&path, "lead.liu", today);
    let q3 = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| v.period == "2026Q3" && v.state == VisitState::Assigned)
        .expect("an unstarted Q3 visit");
    // Not an inspector, even of its team.
    let officer = login_of(&lead, &q3.team[0].inspector);
    let refused = open_on(&path, officer.as_str(), today).lapse_visit(q3.id, "企业已搬迁");
    assert!(
        matches!(refused, Err(ServiceError::Denied { .. })),
        "{refused:?}"
    );
    lead.lapse_visit(q3.id, "企业已搬迁，无法实施").unwrap();
    let v = lead.visit(q3.id).unwrap();
    assert_eq!(v.status_label(), "未实施");
    assert!(lead.lapse_visit(q3.id, "再次").is_err(), "once");
    // A started visit, and a visit of the current quarter, are not lapsed.
    let started = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| v.period == "2026Q3" && v.state != VisitState::Assigned)
        .unwrap();
    assert!(lead.lapse_visit(started.id, "企业已搬迁").is_err());
    lead.run_draw("2026Q4-01", &support::seeds(), &[]).unwrap();
    let q4 = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| v.period == "2026Q4")
        .unwrap();
    let e = lead.lapse_visit(q4.id, "企业已搬迁").unwrap_err();
    assert!(e.to_string().contains("往期"), "{e}");
    // The log says who and why.
    let o = run(&path, &["--today", "2026-11-20", "audit", "log"]);
    assert!(stdout(&o).contains("visit.lapse"), "{}", stdout(&o));
}

#[test]
fn unstarted_visits_are_flagged_ten_working_days_before_their_window_closes() {
    // 2026-10-20: windows of 3月–10月 close on 10-31, 9 working days away.
    let today = day("2026-10-20");
    let path = support::demo_at(today);
    let lead = open_on(path, "lead.liu", today);
    let o = lead.overview().unwrap();
    let (count, closing) = o
        .alerts
        .iter()
        .find_map(|a| match a {
            Alert::WindowClosing { count, first } => Some((*count, first.clone())),
            _ => None,
        })
        .expect("unstarted visits with a window closing");
    let visits = lead.list_visits(&VisitFilter::default()).unwrap();
    for (id, _, close) in &closing {
        let v = visits.iter().find(|v| v.id == *id).unwrap();
        assert_eq!(v.state, VisitState::Assigned);
        assert_eq!(v.window_closes(), Some(*close));
        assert!(*close <= day("2026-11-03"), "{close}");
    }
    let mut unstarted_closing: Vec<i64> = visits
        .iter()
        .filter(|v| {
            v.state == VisitState::Assigned
                && v.problem.is_none()
                && v.window_closes() == Some(day("2026-10-31"))
        })
        .map(|v| v.id)
        .collect();
    unstarted_closing.sort_unstable();
    assert_eq!(count, unstarted_closing.len());
    // The alert names the first by id, and `visit list --closing` lists them all.
    let named: Vec<i64> = closing.iter().map(|(id, _, _)| *id).collect();
    let first: Vec<i64> = unstarted_closing
        .iter()
        .take(dashboard::CLOSING_NAMED)
        .copied()
        .collect();
    assert_eq!(named, first);
    let mut listed: Vec<i64> = lead
        .list_visits(&VisitFilter {
            closing: true,
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, unstarted_closing);
    let out = support::command(
        path,
        &["--as", "lead.liu", "visit", "list", "--closing", "--json"],
    )
    .env("SHUANGSUIJI_TODAY", today.to_string())
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", support::text(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut cli: Vec<i64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_i64().unwrap())
        .collect();
    cli.sort_unstable();
    assert_eq!(cli, unstarted_closing, "visit list --closing");
    let doctor = lead.doctor().unwrap();
    let line = doctor
        .iter()
        .find(|f| f.check == "检查时间" && f.level == "warn")
        .unwrap_or_else(|| panic!("{doctor:?}"));
    assert!(
        line.detail.starts_with(&format!("{count} 项未开始")),
        "{}",
        line.detail
    );
    for (id, name, _) in &closing {
        assert!(
            line.detail.contains(&format!("{id} {name}")),
            "{}",
            line.detail
        );
    }
    assert_eq!(
        line.detail.contains("全部：visit list --closing"),
        count > dashboard::CLOSING_NAMED,
        "{}",
        line.detail
    );
    // The observer who wants the drawn list early: the closing visits are unstarted, so
    // neither the list nor the alert nor doctor shows him one.
    let observer = open_on(path, "observer.chen", today);
    assert!(
        observer
            .list_visits(&VisitFilter {
                closing: true,
                ..Default::default()
            })
            .unwrap()
            .is_empty()
    );
    assert!(
        !observer
            .overview()
            .unwrap()
            .alerts
            .iter()
            .any(|a| matches!(a, Alert::WindowClosing { .. }))
    );
    let doctor = observer.doctor().unwrap();
    let line = doctor.iter().find(|f| f.check == "检查时间").unwrap();
    assert_eq!(line.level, "ok", "{}", line.detail);
    // On 2026-08-20 nothing closes within ten working days.
    let lead = open_on(
        support::demo_at(day("2026-08-20")),
        "lead.liu",
        day("2026-08-20"),
    );
    let o = lead.overview().unwrap();
    assert!(
        !o.alerts
            .iter()
            .any(|a| matches!(a, Alert::WindowClosing { .. }))
    );
}

#[test]
fn a_quarter_without_a_draw_is_flagged_from_the_fifth_working_day_in_its_window() {
    let today = support::demo_day();
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let due = |p: &std::path::Path| {
        open_on(p, "lead.liu", today)
            .overview()
            .unwrap()
            .alerts
            .into_iter()
            .find(|a| matches!(a, Alert::DrawDue { .. }))
    };
    assert_eq!(due(&path), None, "2026Q2-01 is prepared");
    let mut lead = open_on(&path, "lead.liu", today);
    let principal = support::only(&lead, Role::Principal);
    lead.request_void("2026Q2-01", "名单有误，重新准备")
        .unwrap();
    open_on(&path, principal.as_str(), today)
        .approve_void("2026Q2-01")
        .unwrap();
    // April 1 is the first working day of Q2: the fifth is April 8 (4-4…4-6 are off).
    assert_eq!(
        due(&path),
        Some(Alert::DrawDue {
            period: Period {
                year: 2026,
                quarter: 2
            },
            since: day("2026-04-08"),
        })
    );
}

#[test]
fn key_coverage_counts_inspected_units_and_names_the_rest() {
    let today = support::demo_day();
    let dir = tempfile::tempdir().unwrap();
    let path = support::drawn_copy(&dir, "d.db");
    let lead = open_on(&path, "lead.liu", today);
    let k = lead.key_coverage(2026).unwrap();
    assert_eq!(k.covered + k.missing.len(), k.all);
    // A key unit drawn in Q2 but not visited yet is not covered.
    let visits = lead.list_visits(&VisitFilter::default()).unwrap();
    let drawn_not_started = visits
        .iter()
        .find(|v| v.period == "2026Q2" && k.missing.iter().any(|(id, _)| *id == v.entity));
    assert!(
        drawn_not_started.is_some(),
        "a drawn key unit still counts as missing"
    );
    for (id, _) in &k.missing {
        assert!(
            !visits
                .iter()
                .any(|v| v.entity == *id && v.dates.started.is_some()),
            "{id} was inspected"
        );
    }
}

/// The demo keeps the year's rules at several dates: draws on working days inside the
/// windows, steps inside the windows or with a reason, most of a quarter's visits started
/// before the next quarter's draw, the cap, and the records verifying.
#[test]
fn the_demo_year_keeps_the_rules_at_several_dates() {
    for date in ["2026-05-20", "2026-08-20", "2026-11-20"] {
        let today = day(date);
        let path = support::demo_at(today);
        let lead = open_on(path, "lead.liu", today);
        let cal = lead.calendar().unwrap();
        let draws = lead.list_draws().unwrap();
        let mut draw_days = std::collections::BTreeMap::new();
        // Units special when a draw selected them: that visit does not count toward the cap.
        let mut special_when_drawn = std::collections::HashSet::new();
        for d in &draws {
            let v = lead.show_draw(&d.id).unwrap();
            let on: NaiveDate = v.prepared.prepared_at.as_deref().unwrap()[..10]
                .parse()
                .unwrap();
            assert!(cal.is_working_day(on), "{date}: {} prepared on {on}", d.id);
            assert!((3..=12).contains(&on.month()), "{date}: {} on {on}", d.id);
            let period: Period = d.period.parse().unwrap();
            assert_eq!(
                Period::of(on),
                period,
                "{date}: {} prepared in its quarter",
                d.id
            );
            draw_days.insert(period.quarter, on);
            if d.run.is_some() {
                assert!(
                    lead.verify_draw(&d.id).unwrap().is_empty(),
                    "{date}: {}",
                    d.id
                );
            }
            for e in &v.prepared.entities {
                if e.class.as_deref() == Some("特殊") {
                    special_when_drawn.insert((d.id.clone(), e.id.clone()));
                }
            }
        }
        let visits = lead.list_visits(&VisitFilter::default()).unwrap();
        let mut per_entity = std::collections::HashMap::<&str, u32>::new();
        for v in &visits {
            for (step, on, reason) in [
                ("start", v.dates.started, &v.dates.start_reason),
                ("complete", v.dates.completed, &v.dates.complete_reason),
            ] {
                if let Some(on) = on {
                    assert!(
                        v.outside_on(on).is_none() || reason.is_some(),
                        "{date}: visit {} {step} on {on} outside {:?} without a reason",
                        v.id,
                        v.outside_on(on)
                    );
                }
            }
            let counts = v.dates.started.is_some() || v.period == Period::of(today).to_string();
            if counts && !special_when_drawn.contains(&(v.draw_id.clone(), v.entity.clone())) {
                *per_entity.entry(v.entity.as_str()).or_default() += 1;
            }
        }
        // Most of an earlier quarter's visits started before the next quarter's draw.
        for (q, next) in draw_days.iter().skip(1) {
            let of_q: Vec<&VisitView> = visits
                .iter()
                .filter(|v| v.period == format!("2026Q{}", q - 1) && v.problem.is_none())
                .collect();
            let early = of_q
                .iter()
                .filter(|v| v.dates.started.is_some_and(|s| s < *next))
                .count();
            assert!(
                early * 10 >= of_q.len() * 7,
                "{date}: Q{} {early} of {} started before {next}",
                q - 1,
                of_q.len()
            );
        }
        // The cap: no unit of the year has more than two counted visits but special ones and
        // full-coverage marks.
        for (entity, n) in per_entity {
            if n > 2 {
                let marked = visits
                    .iter()
                    .any(|v| v.entity == entity && v.note.is_some());
                let special = lead.show_entity(entity).is_ok_and(|d| {
                    d.entity.classification.class
                        == shuangsuiji::domain::classification::SupervisionClass::Special
                });
                assert!(marked || special, "{date}: {entity} has {n} visits");
            }
        }
    }
}

/// The annual report names what the year's rules leave undone, each list equal to what the
/// visits say, every entity by id.
#[test]
fn the_annual_report_names_every_shortfall_by_id() {
    let today = day("2026-11-20");
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy_at(&dir, "d.db", today);
    let mut lead = open_on(&path, "lead.liu", today);
    let q3 = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| v.period == "2026Q3" && v.state == VisitState::Assigned)
        .unwrap();
    lead.lapse_visit(q3.id, "企业已搬迁，无法实施").unwrap();
    let (v, officer) = outside_visit(&lead, today);
    open_on(&path, officer.as_str(), today)
        .start_visit(v.id, today, Some("复产后补查"))
        .unwrap();
    let r = lead.annual_report(2026).unwrap();
    let sf = &r.shortfalls;
    let visits = lead.list_visits(&VisitFilter::default()).unwrap();
    let ids = |lines: &[shuangsuiji::services::reports::VisitLine]| -> Vec<i64> {
        let mut v: Vec<i64> = lines.iter().map(|l| l.visit).collect();
        v.sort();
        v
    };
    let want = |keep: &dyn Fn(&VisitView) -> bool| -> Vec<i64> {
        let mut v: Vec<i64> = visits.iter().filter(|v| keep(v)).map(|v| v.id).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&sf.lapsed), vec![q3.id]);
    assert_eq!(
        ids(&sf.outside_windows),
        want(&|x| x.dates.outside_window())
    );
    assert!(ids(&sf.outside_windows).contains(&v.id));
    assert_eq!(ids(&sf.over_cap), want(&|x| x.note.is_some()));
    assert_eq!(
        ids(&sf.unpublished),
        want(&|x| x.state == VisitState::Entered)
    );
    assert_eq!(
        ids(&sf.late_entries),
        want(&|x| x.late && x.dates.entered.is_some())
    );
    let k = lead.key_coverage(2026).unwrap();
    assert_eq!(
        (sf.key_coverage.covered, sf.key_coverage.all),
        (k.covered, k.all)
    );
    let missing: Vec<&str> = sf
        .key_coverage
        .missing
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    let want_missing: Vec<&str> = k.missing.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(missing, want_missing);
    for t in &sf.full_tasks {
        assert_eq!(t.covered + t.missing.len(), t.population, "{}", t.task);
        for m in &t.missing {
            assert!(
                !visits.iter().any(|x| x.entity == m.id
                    && x.dates.started.is_some()
                    && x.tasks.contains(&t.task)),
                "{} listed as missing for {} but inspected",
                m.id,
                t.task
            );
        }
    }
    // The printed forms carry them, the JSON by id.
    let md = shuangsuiji::services::reports::report_markdown(&r);
    assert!(md.contains("未完成事项") && md.contains(&q3.entity), "{md}");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        json["shortfalls"]["lapsed"][0]["entity"],
        q3.entity.as_str()
    );
    assert_eq!(
        json["shortfalls"]["lapsed"][0]["detail"],
        "企业已搬迁，无法实施"
    );
}
