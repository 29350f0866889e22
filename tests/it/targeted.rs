//! 个案检查 (targeted checks, issue 9 item 11): recorded by a lead from the command line and
//! the dashboard with reason, team, dates and result; refused with the reasons named; never a
//! random visit (no cap, not drawn, not in the random figures) but "inspected" for key
//! coverage and the draw's priority list; in the entity's history and apart in the reports;
//! append-only with its audit event.

use std::path::Path;

use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::check_item::CheckItem;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::result::{Category, InspectionResult, Outcome};
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::targeted::{TARGETED_LABEL, TargetedReason};
use shuangsuiji::services::registry::EntityFilter;
use shuangsuiji::services::reports::{report_markdown, write_report};
use shuangsuiji::services::targeted::TargetedEntry;
use shuangsuiji::services::visits::VisitFilter;
use shuangsuiji::services::{ServiceError, Session};
use shuangsuiji::sheets::Overwrite;
use shuangsuiji::tui::model::{FormSubject, Popup};
use shuangsuiji::tui::{self, load};

use crate::support::{self, day, demo_day, only, open, run, stderr, stdout};

/// The demo's key entity 阳城县东升化工有限公司: key, drawn in Q1 (not started), not yet
/// inspected this year as of the demo day.
const KEY_UNIT: &str = "91140522828947659W";

/// Two officers who may inspect `entity` on `on`: certified, not on leave, no conflict.
fn two_officers(s: &Session, entity: &str, on: NaiveDate) -> Vec<String> {
    let team: Vec<String> = s
        .list_inspectors()
        .unwrap()
        .into_iter()
        .filter(|i| i.certified_on(on) && !i.on_leave(on) && !i.conflicts_with(entity))
        .take(2)
        .map(|i| i.code)
        .collect();
    assert_eq!(team.len(), 2, "the demo has two officers free on {on}");
    team
}

/// The check items that apply to `entity` (its target types).
fn items_for(s: &Session, entity: &str) -> Vec<CheckItem> {
    let e = s.show_entity(entity).unwrap().entity.entity;
    s.list_check_items()
        .unwrap()
        .into_iter()
        .filter(|i| e.target_types.contains(&i.target_type))
        .collect()
}

/// A clean result on the first check item that applies to `entity`.
fn clean(s: &Session, entity: &str) -> InspectionResult {
    let item = items_for(s, entity).remove(0).code;
    InspectionResult::blank(&[item])
}

/// A complaint check of `entity` on 2026-05-10 to 05-11 by two free officers.
fn entry(s: &Session, entity: &str) -> TargetedEntry {
    let started = day("2026-05-10");
    TargetedEntry {
        entity: entity.to_string(),
        reason: TargetedReason::Complaint,
        detail: "12369-0512".to_string(),
        team: two_officers(s, entity, started),
        started,
        completed: day("2026-05-11"),
    }
}

/// The targeted checks stored, read straight from the table.
fn stored(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM targeted_checks", [], |r| r.get(0))
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Recording from the command line.

#[test]
fn a_lead_records_a_targeted_check_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "cli.db");
    let s = open(&db, "lead.liu");
    let team = two_officers(&s, KEY_UNIT, day("2026-05-10"));
    let item = items_for(&s, KEY_UNIT).remove(0).code;
    drop(s);
    let file = dir.path().join("r.toml");
    std::fs::write(
        &file,
        format!(
            "categories = [\"发现问题已责令改正\"]\nfindings = \"废气处理设施未运行\"\n\
             legal_basis = \"《中华人民共和国大气污染防治法》第二十条\"\nmeasure = \"责令改正\"\n\
             [[item]]\ncode = \"{item}\"\noutcome = \"发现问题\"\n"
        ),
    )
    .unwrap();
    let team_arg = team.join(",");
    let o = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "visit",
            "record-targeted",
            "--entity",
            &KEY_UNIT.to_lowercase(),
            "--reason",
            "投诉举报",
            "--detail",
            "12369-0512",
            "--team",
            &team_arg,
            "--started",
            "2026-05-10",
            "--completed",
            "2026-05-11",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("已记录个案检查 1"), "{out}");
    assert!(out.contains("投诉举报（12369-0512）"), "{out}");
    assert!(
        out.contains(&format!("*{} {}", team[0], team[1])),
        "the lead first: {out}"
    );

    // Listed, by everyone who may view the registry, as JSON too.
    let o = run(
        &db,
        &["--as", "observer.chen", "visit", "targeted", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &list[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["entity"], KEY_UNIT);
    assert_eq!(first["entity_name"], "阳城县东升化工有限公司");
    assert_eq!(first["reason"], "投诉举报");
    assert_eq!(first["detail"], "12369-0512");
    assert_eq!(first["started"], "2026-05-10");
    assert_eq!(first["completed"], "2026-05-11");
    assert_eq!(first["recorded_by"], "lead.liu");
    assert_eq!(first["team"][0]["inspector"], team[0].as_str());
    assert_eq!(first["team"][0]["lead"], true);
    assert_eq!(first["team"][1]["lead"], false);
    assert_eq!(first["result"]["categories"][0], "发现问题已责令改正");
    let o = run(
        &db,
        &[
            "--as",
            "observer.chen",
            "visit",
            "targeted",
            "--year",
            "2025",
        ],
    );
    assert!(stdout(&o).contains("（无）") || !stdout(&o).contains(KEY_UNIT));

    // Its audit event, with the whole record, and the chain still verifies.
    let s = open(&db, "lead.liu");
    let events = s
        .audit_events(&EventFilter {
            action_prefix: Some("targeted.".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "targeted.record");
    assert_eq!(events[0].subject, KEY_UNIT);
    let detail: serde_json::Value = serde_json::from_str(&events[0].detail).unwrap();
    assert_eq!(detail["id"], 1);
    assert_eq!(detail["reason"], "投诉举报");
    assert_eq!(detail["result"]["findings"], "废气处理设施未运行");
    assert!(s.verify_audit(None).unwrap().is_ok());
    let t = s.targeted_checks(Some(KEY_UNIT), Some(2026)).unwrap();
    assert_eq!(t[0].check.seq, events[0].seq);
}

#[test]
fn bad_input_is_refused_with_the_reasons_named_and_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "bad.db");
    let mut s = open(&db, "lead.liu");
    let good = entry(&s, KEY_UNIT);
    let result = clean(&s, KEY_UNIT);
    let msg = |s: &mut Session, e: &TargetedEntry, r: &InspectionResult| {
        s.record_targeted(e, r).unwrap_err().to_string()
    };

    // One officer, twice; 其他 without its detail; the dates the wrong way round.
    let mut e = good.clone();
    e.team = vec![good.team[0].clone(), good.team[0].to_lowercase()];
    e.reason = TargetedReason::Other;
    e.detail = String::new();
    e.completed = day("2026-05-09");
    let m = msg(&mut s, &e, &result);
    assert!(m.starts_with("个案检查不能记录："), "{m}");
    assert!(
        m.contains(&format!("检查组中 {} 重复", good.team[0])),
        "{m}"
    );
    assert!(
        m.contains("至少须有2名执法人员（《行政处罚法》第四十二条），现有1名"),
        "{m}"
    );
    assert!(m.contains("事由为“其他”时须写明事由说明"), "{m}");
    assert!(
        m.contains("完成日期 2026-05-09 不能早于开始日期 2026-05-10"),
        "{m}"
    );

    // A date after today; an officer not in the library.
    let mut e = good.clone();
    e.completed = day("2026-05-21");
    e.team.push("YC-999".into());
    let m = msg(&mut s, &e, &result);
    assert!(
        m.contains("完成日期 2026-05-21 不能晚于今天 2026-05-20"),
        "{m}"
    );
    assert!(m.contains("执法人员库中没有人员编号 YC-999"), "{m}");

    // An officer whose certificate has expired by the start.
    let expired = s
        .list_inspectors()
        .unwrap()
        .into_iter()
        .find(|i| i.cert_expiry.is_some_and(|d| d < good.started));
    if let Some(x) = expired {
        let mut e = good.clone();
        e.team[1] = x.code.clone();
        let m = msg(&mut s, &e, &result);
        assert!(
            m.contains(&format!("{} {}", x.code, x.name)) && m.contains("执法证"),
            "{m}"
        );
    }

    // An unknown entity.
    let mut e = good.clone();
    e.entity = "91140522000000000X".into();
    assert!(matches!(
        s.record_targeted(&e, &result),
        Err(ServiceError::NotFound {
            what: "监管对象",
            ..
        })
    ));

    // Check items: none, unknown, or not for this kind of unit.
    let m = msg(&mut s, &good, &InspectionResult::blank::<&str>(&[]));
    assert!(m.contains("至少须有一个抽查事项的检查结论"), "{m}");
    let m = msg(&mut s, &good, &InspectionResult::blank(&["9-99"]));
    assert!(m.contains("抽查事项清单中没有编号 9-99"), "{m}");
    let foreign = s
        .list_check_items()
        .unwrap()
        .into_iter()
        .find(|i| {
            !items_for(&s, KEY_UNIT)
                .iter()
                .any(|mine| mine.code == i.code)
        })
        .expect("an item for another kind of unit");
    let m = msg(&mut s, &good, &InspectionResult::blank(&[&foreign.code]));
    assert!(
        m.contains(&format!(
            "抽查事项 {} 的检查对象是{}",
            foreign.code,
            foreign.target_type.label()
        )),
        "{m}"
    );

    // The result is checked as any result is: a problem needs its basis and measure.
    let mut r = result.clone();
    r.items[0].outcome = Outcome::Problem;
    r.categories = [Category::Pending].into();
    match s.record_targeted(&good, &r) {
        Err(ServiceError::IncompleteResult { problems, .. }) => {
            assert!(
                problems.iter().any(|p| p == "发现问题时须填写违法依据"),
                "{problems:?}"
            );
        }
        other => panic!("an incomplete result: {other:?}"),
    }

    // Not a lead: refused for the role, whoever sits on the team.
    let inspector = only(&s, Role::Inspector);
    for login in [
        inspector.as_str(),
        "principal.wang",
        "observer.chen",
        "admin.li",
    ] {
        let mut other = open(&db, login);
        let err = other.record_targeted(&good, &result).unwrap_err();
        assert!(matches!(err, ServiceError::Denied { .. }), "{login}: {err}");
        assert!(err.to_string().contains("记录个案检查"), "{err}");
    }
    assert_eq!(stored(&db), 0, "nothing refused was stored");

    // The command line names what is wrong in Chinese.
    let file = dir.path().join("r.toml");
    std::fs::write(&file, "categories = [\"未发现问题\"]\n").unwrap();
    let base = |reason: &str| {
        vec![
            "--as".to_string(),
            "lead.liu".into(),
            "visit".into(),
            "record-targeted".into(),
            "--entity".into(),
            KEY_UNIT.into(),
            "--reason".into(),
            reason.into(),
            "--team".into(),
            good.team.join(","),
            "--started".into(),
            "2026-05-10".into(),
            "--completed".into(),
            "2026-05-11".into(),
            "--file".into(),
            file.to_str().unwrap().into(),
        ]
    };
    let args = base("随手查");
    let o = run(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!o.status.success());
    assert!(
        stderr(&o)
            .contains("检查事由“随手查”不是可选的值（投诉举报/转办交办/突发事件/监测发现/其他）"),
        "{}",
        stderr(&o)
    );
    let args = base("投诉举报");
    let o = run(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("至少须有一个抽查事项的检查结论"),
        "{}",
        stderr(&o)
    );
    let mut args = base("投诉举报");
    args[15] = dir.path().join("none.toml").to_str().unwrap().into();
    let o = run(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(stderr(&o).contains("文件不存在"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    assert_eq!(stored(&db), 0);
}

#[test]
fn the_table_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "append.db");
    let mut s = open(&db, "lead.liu");
    let e = entry(&s, KEY_UNIT);
    let r = clean(&s, KEY_UNIT);
    s.record_targeted(&e, &r).unwrap();
    drop(s);
    let raw = rusqlite::Connection::open(&db).unwrap();
    for (sql, refused) in [
        (
            "UPDATE targeted_checks SET detail = '改'",
            "个案检查记录不能修改",
        ),
        ("DELETE FROM targeted_checks", "个案检查记录不能删除"),
        (
            "INSERT OR REPLACE INTO targeted_checks SELECT * FROM targeted_checks LIMIT 1",
            "个案检查记录不能改写",
        ),
        (
            "REPLACE INTO targeted_checks SELECT * FROM targeted_checks LIMIT 1",
            "个案检查记录不能改写",
        ),
    ] {
        let err = raw.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains(refused), "{sql}: {err}");
    }
    let detail: String = raw
        .query_row("SELECT detail FROM targeted_checks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(detail, "12369-0512");
}

// ---------------------------------------------------------------------------------------------
// Not a random visit; but inspected.

/// Ids in any stratum's priority list / population of a prepared draw.
fn strata_ids(s: &Session, draw: &str) -> (Vec<String>, Vec<String>) {
    let v = s.show_draw(draw).unwrap();
    let priority = v
        .prepared
        .strata
        .iter()
        .flat_map(|x| x.priority.iter().cloned())
        .collect();
    let population = v
        .prepared
        .strata
        .iter()
        .flat_map(|x| x.population.iter().cloned())
        .collect();
    (priority, population)
}

#[test]
fn targeted_checks_cover_key_units_but_never_count_toward_the_caps() {
    let dir = tempfile::tempdir().unwrap();
    let q3: Period = "2026Q3".parse().unwrap();

    // Without targeted checks: the key unit not yet inspected heads its stratum in Q3.
    let plain = support::demo_copy(&dir, "plain.db");
    let mut s = open(&plain, "lead.liu");
    let before = s.key_coverage(2026).unwrap();
    assert!(before.missing.iter().any(|(id, _)| id == KEY_UNIT));
    let draw = s.prepare_draw(q3, &[], &[]).unwrap().id;
    let (priority, population) = strata_ids(&s, &draw);
    assert!(priority.contains(&KEY_UNIT.to_string()), "{priority:?}");
    assert!(population.contains(&KEY_UNIT.to_string()));
    drop(s);

    // Three targeted checks of the same unit: more than the random cap of two.
    let db = support::demo_copy(&dir, "targeted.db");
    let mut s = open(&db, "lead.liu");
    let visits_before = s.list_visits(&VisitFilter::default()).unwrap().len();
    let r = clean(&s, KEY_UNIT);
    for (n, (from, to)) in [
        ("2026-04-08", "2026-04-08"),
        ("2026-05-10", "2026-05-11"),
        ("2026-05-19", "2026-05-20"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = entry(&s, KEY_UNIT);
        e.reason = TargetedReason::ALL[n];
        e.started = day(from);
        e.completed = day(to);
        e.team = two_officers(&s, KEY_UNIT, e.started);
        s.record_targeted(&e, &r).unwrap();
    }
    // No random visit was made, and none lists it.
    let visits = s.list_visits(&VisitFilter::default()).unwrap();
    assert_eq!(visits.len(), visits_before);

    // Covered: key coverage counts it inspected (the overview, doctor and the report read it).
    let after = s.key_coverage(2026).unwrap();
    assert_eq!(after.all, before.all);
    assert_eq!(after.covered, before.covered + 1);
    assert!(!after.missing.iter().any(|(id, _)| id == KEY_UNIT));
    let doctor = s.doctor().unwrap();
    let text = format!("{doctor:?}");
    assert!(
        text.contains(&format!("已检查 {}/{}", after.covered, after.all)),
        "doctor reads the same coverage"
    );

    // The Q3 draw no longer puts it first, and it is still eligible: three targeted checks
    // did not bring it to the random cap.
    let draw = s.prepare_draw(q3, &[], &[]).unwrap().id;
    let (priority, population) = strata_ids(&s, &draw);
    assert!(!priority.contains(&KEY_UNIT.to_string()), "{priority:?}");
    assert!(population.contains(&KEY_UNIT.to_string()));

    // A check of another year covers nothing this year.
    let other = support::demo_copy(&dir, "lastyear.db");
    let mut s = open(&other, "lead.liu");
    let mut e = entry(&s, KEY_UNIT);
    e.started = day("2025-12-01");
    e.completed = day("2025-12-02");
    e.team = two_officers(&s, KEY_UNIT, e.started);
    s.record_targeted(&e, &r).unwrap();
    assert_eq!(s.key_coverage(2026).unwrap().covered, before.covered);
    assert_eq!(s.key_coverage(2025).unwrap().covered, 1);
}

// ---------------------------------------------------------------------------------------------
// The entity's history.

#[test]
fn the_entity_history_lists_it_marked_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "history.db");
    let mut s = open(&db, "lead.liu");
    let before = s.show_entity(KEY_UNIT).unwrap().history;
    let mut e = entry(&s, KEY_UNIT);
    e.reason = TargetedReason::Referral;
    e.detail = "市局转办〔2026〕3号".into();
    let r = clean(&s, KEY_UNIT);
    let t = s.record_targeted(&e, &r).unwrap();

    // Everyone who may view the registry sees it (it is no confidential drawn list).
    let observer = open(&db, "observer.chen").show_entity(KEY_UNIT).unwrap();
    assert!(observer.history.iter().any(|v| v.targeted.is_some()));
    let h = s.show_entity(KEY_UNIT).unwrap().history;
    let mine: Vec<_> = h.iter().filter(|v| v.targeted.is_some()).collect();
    assert_eq!(mine.len(), 1);
    let v = mine[0];
    assert_eq!(v.visit_id, t.id);
    assert_eq!(v.source(), TARGETED_LABEL);
    assert_eq!(v.period, "2026Q2");
    assert_eq!(v.dates.started, Some(day("2026-05-10")));
    assert_eq!(v.dates.completed, Some(day("2026-05-11")));
    assert_eq!(v.categories, vec![Category::NoProblem]);
    assert_eq!(v.team.codes(), format!("*{} {}", e.team[0], e.team[1]));
    let mark = v.targeted.as_ref().unwrap();
    assert_eq!(mark.reason, TargetedReason::Referral);
    assert_eq!(mark.reason_text, "转办交办（市局转办〔2026〕3号）");
    // The random visits are as they were, and the check comes after the Q1 visit.
    let random: Vec<i64> = h
        .iter()
        .filter(|v| v.targeted.is_none())
        .map(|v| v.visit_id)
        .collect();
    let was: Vec<i64> = before.iter().map(|v| v.visit_id).collect();
    assert_eq!(random, was);
    assert!(!was.is_empty(), "the demo drew it in Q1");
    assert!(h.last().unwrap().targeted.is_some());

    // `entities show`: a row marked 个案检查 with the reason; JSON with the mark.
    let o = run(
        &db,
        &["--as", "observer.chen", "entities", "show", KEY_UNIT],
    );
    let out = stdout(&o);
    let row = out
        .lines()
        .find(|l| l.contains(TARGETED_LABEL))
        .unwrap_or_else(|| panic!("a 个案检查 row: {out}"));
    assert!(row.starts_with("2026Q2"), "{row}");
    assert!(row.contains("转办交办（市局转办〔2026〕3号）"), "{row}");
    assert!(row.contains("未发现问题"), "{row}");
    let o = run(
        &db,
        &["--as", "lead.liu", "entities", "show", KEY_UNIT, "--json"],
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let last = j["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["targeted"]["reason"], "转办交办");
    assert_eq!(last["visit_id"], t.id);
    let first = &j["history"][0];
    assert!(
        first.get("targeted").is_none(),
        "random visits carry no mark"
    );
}

// ---------------------------------------------------------------------------------------------
// The reports.

#[test]
fn reports_show_targeted_checks_apart_and_keep_the_random_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "report.db");
    let mut s = open(&db, "lead.liu");
    let year_before = s.annual_report(2026).unwrap();
    let q2: Period = "2026Q2".parse().unwrap();
    let quarter_before = s.quarter_report(q2).unwrap();
    assert_eq!(year_before.targeted.count, 0);

    // Two complaints and an incident in Q2, one incident in Q1 (key unit and another unit).
    let other = s
        .list_entities(&EntityFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.id != KEY_UNIT && !items_for(&s, &c.id).is_empty())
        .unwrap()
        .id;
    let r = clean(&s, KEY_UNIT);
    let mut problem = clean(&s, &other);
    problem.items[0].outcome = Outcome::Problem;
    problem.categories = [Category::Corrected].into();
    problem.findings = "危废台账缺失".into();
    problem.legal_basis = "《中华人民共和国固体废物污染环境防治法》第七十八条".into();
    problem.measure = "责令改正".into();
    let mut record = |entity: &str, reason, from: &str, result: &InspectionResult| {
        let mut e = entry(&s, entity);
        e.reason = reason;
        e.started = day(from);
        e.completed = day(from);
        e.team = two_officers(&s, entity, e.started);
        s.record_targeted(&e, result).unwrap()
    };
    record(KEY_UNIT, TargetedReason::Complaint, "2026-04-20", &r);
    record(&other, TargetedReason::Complaint, "2026-05-06", &problem);
    record(KEY_UNIT, TargetedReason::Incident, "2026-05-12", &r);
    record(KEY_UNIT, TargetedReason::Incident, "2026-03-12", &r);

    let year = s.annual_report(2026).unwrap();
    let quarter = s.quarter_report(q2).unwrap();
    // The random figures do not move.
    assert_eq!(year.tasks, year_before.tasks);
    assert_eq!(year.total, year_before.total);
    assert_eq!(quarter.total, quarter_before.total);

    let t = &year.targeted;
    assert_eq!(t.count, 4);
    assert_eq!(t.entities, 2);
    assert_eq!(t.found_problems, 1);
    let count = |reason| {
        t.by_reason
            .iter()
            .find(|c| c.reason == reason)
            .unwrap()
            .count
    };
    assert_eq!(count(TargetedReason::Complaint), 2);
    assert_eq!(count(TargetedReason::Incident), 2);
    assert_eq!(count(TargetedReason::Other), 0);
    assert_eq!(t.by_reason.len(), TargetedReason::ALL.len());
    let starts: Vec<String> = t.checks.iter().map(|c| c.started.to_string()).collect();
    assert_eq!(
        starts,
        ["2026-03-12", "2026-04-20", "2026-05-06", "2026-05-12"],
        "oldest first"
    );
    assert_eq!(quarter.targeted.count, 3, "Q2 only");

    // JSON: the key `targeted`, each check naming its entity by id.
    let j = serde_json::to_value(&year).unwrap();
    assert_eq!(j["targeted"]["count"], 4);
    assert_eq!(j["targeted"]["checks"][2]["entity"], other.as_str());
    assert_eq!(j["targeted"]["checks"][2]["found_problems"], true);

    // Markdown: an appendix after the random figures.
    let md = report_markdown(&year);
    let at = md.find("## 附：个案检查").expect("the appendix");
    assert!(md.find("## 一、分任务情况").unwrap() < at);
    let appendix = &md[at..];
    assert!(
        appendix.contains("个案检查 4 项，涉及对象 2 个，发现问题 1 项；按事由：投诉举报 2，转办交办 0，突发事件 2，监测发现 0，其他 0"),
        "{appendix}"
    );
    assert_eq!(appendix.lines().filter(|l| l.contains(KEY_UNIT)).count(), 3);

    // .xlsx: the sheet 个案检查, a row per check; none in a report without any.
    let path = dir.path().join("year.xlsx");
    write_report(&year, &path, Overwrite::Refuse).unwrap();
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    assert!(book.sheet_names().contains(&TARGETED_LABEL.to_string()));
    let sheet = book.worksheet_range(TARGETED_LABEL).unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][3], "检查事由");
    assert_eq!(rows[3][2], other);
    assert_eq!(rows[3][9], "是");
    let q1 = s.quarter_report("2026Q1".parse().unwrap()).unwrap();
    assert_eq!(q1.targeted.count, 1);
    let empty = s.quarter_report("2026Q4".parse().unwrap()).unwrap();
    let path = dir.path().join("q4.xlsx");
    write_report(&empty, &path, Overwrite::Refuse).unwrap();
    let book = calamine::open_workbook_auto(&path).unwrap();
    assert!(!book.sheet_names().contains(&TARGETED_LABEL.to_string()));

    // The command line's summary says it apart.
    let o = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "report",
            "quarter",
            "--period",
            "2026Q2",
            dir.path().join("q2.md").to_str().unwrap(),
        ],
    );
    assert!(
        stdout(&o).contains("个案检查 3 项（非随机，单独列出，不计入以上抽取数）"),
        "{}",
        stdout(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// The dashboard.

fn press(s: &mut Session, m: &mut tui::model::Model, code: KeyCode) {
    tui::handle(s, m, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(s: &mut Session, m: &mut tui::model::Model, text: &str) {
    for c in text.chars() {
        press(s, m, KeyCode::Char(c));
    }
}

/// The dashboard of `login` on the entities screen with `entity`'s detail open.
fn detail_open(db: &Path, login: &str, entity: &str) -> (Session, tui::model::Model) {
    let mut s = open(db, login);
    let mut m = tui::model_for(&s, true);
    m.size = Some((120, 40));
    load::overview(&s, &mut m).unwrap();
    press(&mut s, &mut m, KeyCode::Char('2'));
    press(&mut s, &mut m, KeyCode::Char('/'));
    type_text(&mut s, &mut m, entity);
    press(&mut s, &mut m, KeyCode::Enter);
    press(&mut s, &mut m, KeyCode::Enter);
    assert!(m.entities.detail);
    let e = &m.entities;
    assert_eq!(e.all[e.shown[e.selected]].id, entity);
    (s, m)
}

/// The screen drawn at `w` x `h`, without spaces, a line per row.
fn screen_text(m: &tui::model::Model, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| tui::views::render(f, m)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .replace(' ', "")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Types one field of the open dialog, replacing what it holds, then moves to the next.
fn fill(s: &mut Session, m: &mut tui::model::Model, text: Option<&str>) {
    if let Some(text) = text {
        for _ in 0..12 {
            press(s, m, KeyCode::Backspace);
        }
        type_text(s, m, text);
    }
    press(s, m, KeyCode::Tab);
}

#[test]
fn a_lead_records_one_from_the_entity_detail_in_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "tui.db");
    let (mut s, mut m) = detail_open(&db, "lead.liu", KEY_UNIT);
    let team = two_officers(&s, KEY_UNIT, demo_day());
    let item = items_for(&s, KEY_UNIT).remove(0).code;
    press(&mut s, &mut m, KeyCode::Char('n'));
    match &m.popup {
        Some(Popup::Input { title, labels, .. }) => {
            assert_eq!(title, "个案检查 阳城县东升化工有限公司");
            assert_eq!(labels.len(), 6);
        }
        _ => panic!("the targeted-check dialog"),
    }

    // A reason not in the list: told, and no form.
    fill(&mut s, &mut m, Some("随手查"));
    press(&mut s, &mut m, KeyCode::Enter);
    // The dialog is given back as typed, with the error under it (issue 11).
    match &m.popup {
        Some(Popup::Input {
            error: Some(error), ..
        }) => {
            assert!(error.contains("检查事由“随手查”不是可选的值"), "{error}");
        }
        _ => panic!("the dialog with the error"),
    }
    assert!(m.form.is_none());
    // Esc asks before throwing the typed input away; y does.
    press(&mut s, &mut m, KeyCode::Esc);
    assert!(matches!(m.popup, Some(Popup::Discard(_))));
    press(&mut s, &mut m, KeyCode::Char('y'));
    assert!(m.popup.is_none());

    // The dialog again, filled in: the dates start as today.
    press(&mut s, &mut m, KeyCode::Char('n'));
    fill(&mut s, &mut m, Some("监测发现"));
    fill(&mut s, &mut m, Some("在线监测超标"));
    fill(&mut s, &mut m, Some(&team.join(" ")));
    fill(&mut s, &mut m, None);
    fill(&mut s, &mut m, None);
    fill(&mut s, &mut m, Some(&item));
    press(&mut s, &mut m, KeyCode::Enter);
    let form = m.form.as_ref().expect("the result form");
    match &form.subject {
        FormSubject::Targeted { entry, entity_name } => {
            assert_eq!(entity_name, "阳城县东升化工有限公司");
            assert_eq!(entry.reason, TargetedReason::Monitoring);
            assert_eq!(entry.started, demo_day());
            assert_eq!(entry.team, team);
        }
        FormSubject::Visit(_) => panic!("a targeted check's form"),
    }
    assert_eq!(form.result.items.len(), 1);
    assert_eq!(stored(&db), 0, "nothing is stored before submission");

    // Drawn: the title and the reason over the form.
    let screen = screen_text(&m, 120, 40);
    assert!(
        screen.contains("个案检查阳城县东升化工有限公司"),
        "{screen}"
    );
    assert!(screen.contains("监测发现（在线监测超标）"), "{screen}");

    // To 提交 and confirm.
    for _ in 0..7 {
        press(&mut s, &mut m, KeyCode::Tab);
    }
    press(&mut s, &mut m, KeyCode::Enter);
    assert!(matches!(m.popup, Some(Popup::Confirm { .. })));
    press(&mut s, &mut m, KeyCode::Char('y'));
    match &m.popup {
        Some(Popup::Message { lines, error, .. }) => {
            assert!(!*error, "{lines:?}");
            assert!(lines[0].starts_with("已记录个案检查 1"), "{lines:?}");
        }
        _ => panic!("a done message"),
    }
    assert!(m.form.is_none());
    assert_eq!(stored(&db), 1);
    let t = &s.targeted_checks(Some(KEY_UNIT), None).unwrap()[0];
    assert_eq!(t.check.reason, TargetedReason::Monitoring);
    assert_eq!(t.check.detail, "在线监测超标");
    assert_eq!(t.check.started, demo_day());
    assert_eq!(t.check.result.categories, [Category::NoProblem].into());
    assert_eq!(t.check.items(), vec![item]);
    // The detail shows it at once, and the key coverage grew.
    let (_, history) = m.entities.history.as_ref().unwrap();
    assert!(history.iter().any(|h| h.targeted.is_some()));
    let k = m.key_coverage.as_ref().unwrap();
    assert!(!k.missing.iter().any(|(id, _)| id == KEY_UNIT));
}

#[test]
fn escape_leaves_it_unrecorded_and_others_are_not_offered_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "tui2.db");
    let (mut s, mut m) = detail_open(&db, "lead.liu", KEY_UNIT);
    let team = two_officers(&s, KEY_UNIT, demo_day());
    let item = items_for(&s, KEY_UNIT).remove(0).code;
    press(&mut s, &mut m, KeyCode::Char('n'));
    // The dialog fits the smallest terminal, every field named.
    let small = screen_text(&m, 80, 24);
    for label in tui::strings::TARGETED_FIELDS {
        let label: String = label.chars().filter(|c| *c != ' ').collect();
        assert!(small.contains(&label), "{label} in {small}");
    }
    fill(&mut s, &mut m, Some("投诉举报"));
    fill(&mut s, &mut m, None);
    fill(&mut s, &mut m, Some(&team.join(",")));
    fill(&mut s, &mut m, None);
    fill(&mut s, &mut m, None);
    fill(&mut s, &mut m, Some(&item));
    press(&mut s, &mut m, KeyCode::Enter);
    assert!(m.form.is_some());
    press(&mut s, &mut m, KeyCode::Esc);
    assert!(m.form.is_none());
    assert_eq!(
        m.status.as_ref().map(|x| x.0.as_str()),
        Some("个案检查未记录")
    );
    assert_eq!(stored(&db), 0);

    // Not in the list: the key only works in the detail.
    press(&mut s, &mut m, KeyCode::Esc);
    assert!(!m.entities.detail);
    press(&mut s, &mut m, KeyCode::Char('n'));
    assert!(m.popup.is_none());

    let inspector = only(&s, Role::Inspector);
    for login in [inspector.as_str(), "principal.wang", "observer.chen"] {
        let (mut s, mut m) = detail_open(&db, login, KEY_UNIT);
        press(&mut s, &mut m, KeyCode::Char('n'));
        assert!(m.popup.is_none(), "{login} is not offered the dialog");
        press(&mut s, &mut m, KeyCode::Char('?'));
        match &m.popup {
            Some(Popup::Help(keys)) => assert!(
                !keys.iter().any(|(k, _)| *k == "n"),
                "{login}'s help has no n"
            ),
            _ => panic!("help"),
        }
    }
}
