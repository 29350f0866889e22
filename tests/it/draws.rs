//! The draw protocol through the services and the binary: prepare → seed → run once, voids
//! with four eyes, substitutions, confidentiality, verification, and two processes racing.

use std::path::PathBuf;

use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::record::DrawRecord;
use shuangsuiji::domain::draw::verify::verify;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::ServiceError;

use crate::support::{
    self, SEEDS, command, day, demo_day, only, open, open_on, run, run_without_db, seeds, stderr,
    stdout,
};

const Q2: Period = Period {
    year: 2026,
    quarter: 2,
};

fn demo(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    support::demo_copy(dir, name)
}

#[test]
fn the_demo_has_a_drawn_first_quarter_and_a_prepared_second() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let s = open(&path, None);
    let draws = s.list_draws().unwrap();
    assert_eq!(
        draws.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        vec!["2026Q1-01", "2026Q2-01"]
    );
    assert!(draws[0].run.is_some() && draws[1].run.is_none());
    assert!(s.verify_draw("2026Q1-01").unwrap().is_empty());
    let r = s.draw_record("2026Q1-01").unwrap();
    let cp = r.checkpoint.clone().unwrap();
    assert!(
        s.verify_audit(Some(&cp)).unwrap().is_ok(),
        "the record's checkpoint is in the log"
    );
    assert!(!r.visits.is_empty());
    assert!(
        r.visits.iter().all(|v| v.problem.is_none()),
        "{:?}",
        r.visits.iter().find(|v| v.problem.is_some())
    );
}

/// A demo made late in the year has worked through it: the quarters before the latest run one
/// are inspected, entered and published; the latest holds the special cases (due soon,
/// overdue, a correction waiting, an open case) and is not yet published; this quarter's draw
/// waits for its seed.
#[test]
fn a_demo_made_in_december_has_worked_through_its_year() {
    let dir = tempfile::tempdir().unwrap();
    let day = day("2026-12-02");
    let path = support::demo_copy_at(&dir, "december.db", day);
    let s = open_on(&path, "lead.liu", day);
    let draws = s.list_draws().unwrap();
    let ids: Vec<&str> = draws.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["2026Q1-01", "2026Q2-01", "2026Q3-01", "2026Q4-01"]);
    assert!(draws[3].run.is_none() && draws[..3].iter().all(|d| d.run.is_some()));
    let visits = s
        .list_visits(&shuangsuiji::services::visits::VisitFilter::default())
        .unwrap();
    fn of<'a>(
        visits: &'a [shuangsuiji::services::visits::VisitView],
        p: &'a str,
    ) -> impl Iterator<Item = &'a shuangsuiji::services::visits::VisitView> {
        visits.iter().filter(move |v| v.period == p)
    }
    for p in ["2026Q1", "2026Q2"] {
        let n = of(&visits, p).count();
        let published = of(&visits, p)
            .filter(|v| v.state == VisitState::Published)
            .count();
        assert!(
            n > 50 && published == n,
            "{p}: {published} of {n} published"
        );
    }
    let q3: Vec<VisitState> = of(&visits, "2026Q3").map(|v| v.state).collect();
    for state in [
        VisitState::Assigned,
        VisitState::Started,
        VisitState::Completed,
        VisitState::Entered,
    ] {
        assert!(q3.contains(&state), "2026Q3 has a visit {state:?}");
    }
    // Its ordinary results were published within 20 working days of entry (谁公示); the
    // special cases entered since wait.
    assert!(
        q3.contains(&VisitState::Published),
        "2026Q3's timely results are published"
    );
    assert!(
        of(&visits, "2026Q3").any(|v| v.days_left.is_some_and(|d| d < 0)),
        "one overdue"
    );
    assert!(of(&visits, "2026Q3").any(|v| v.days_left.is_some_and(|d| (0..=2).contains(&d))));
    assert_eq!(s.pending_corrections().unwrap().len(), 1);
    assert!(s.verify_audit(None).unwrap().is_ok());
    for id in &ids[..3] {
        assert!(s.verify_draw(id).unwrap().is_empty(), "{id}");
    }
}

#[test]
fn a_draw_runs_once_and_needs_twenty_digits() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let mut s = open(&path, None);
    let short = s
        .run_draw("2026Q2-01", &["1234567890".into(), "123456789".into()], &[])
        .unwrap_err();
    assert!(
        short.to_string().contains("至少20位数字，现为19位"),
        "{short}"
    );
    let bad = s
        .run_draw("2026Q2-01", &["12345678901234567890x".into()], &[])
        .unwrap_err();
    assert!(bad.to_string().contains("非数字字符"), "{bad}");
    let r = s
        .run_draw(
            "2026Q2-01",
            &[
                "３１４１５９２６５３ 5897932384".into(),
                "2718-2818-2845-9045-2353".into(),
            ],
            &["张监督".into()],
        )
        .unwrap();
    assert_eq!(
        r.seed_parts[0], SEEDS[0],
        "full-width digits and spaces normalised"
    );
    assert_eq!(r.seed_parts.len(), 3, "the system adds its own part");
    assert_eq!(r.seed_parts[2].len(), 20);
    assert!(verify(&r).is_empty());
    let again = s.run_draw("2026Q2-01", &seeds(), &[]).unwrap_err();
    assert!(again.to_string().contains("只能运行一次"), "{again}");
    // The same period cannot be prepared again while its draw stands.
    let dup = s.prepare_draw(Q2, &[], &[]).unwrap_err();
    assert!(dup.to_string().contains("2026Q2-01"), "{dup}");
}

#[test]
fn a_void_needs_a_principal_who_did_not_ask_and_both_draws_stay_visible() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let mut lead = open(&path, None);
    lead.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    assert!(
        lead.request_void("2026Q2-01", "短").is_err(),
        "a written reason is required"
    );
    lead.request_void("2026Q2-01", "见证人未到场，程序不合规")
        .unwrap();
    assert!(
        matches!(
            lead.approve_void("2026Q2-01"),
            Err(ServiceError::Denied { .. })
        ),
        "a lead cannot approve"
    );
    let principal = only(&lead, Role::Principal);
    // Still standing until approved: a new draw of the period is refused.
    assert!(lead.prepare_draw(Q2, &[], &[]).is_err());
    let mut p = open(&path, &principal);
    p.approve_void("2026Q2-01").unwrap();
    assert!(
        p.approve_void("2026Q2-01")
            .unwrap_err()
            .to_string()
            .contains("已于")
    );
    let mut lead = open(&path, None);
    let again = lead.prepare_draw(Q2, &[], &[]).unwrap();
    assert_eq!(again.id, "2026Q2-02");
    let draws = lead.list_draws().unwrap();
    assert!(
        draws
            .iter()
            .find(|d| d.id == "2026Q2-01")
            .unwrap()
            .is_void()
    );
    assert_eq!(draws.len(), 3);
    // A voided draw's visits no longer count for the year.
    let run = lead.run_draw("2026Q2-02", &seeds(), &[]).unwrap();
    assert!(verify(&run).is_empty());
}

#[test]
fn the_one_who_asks_cannot_approve_even_as_principal() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let mut admin = open(&path, None);
    let me = admin.user().login.clone();
    admin
        .change_user(
            &me,
            shuangsuiji::services::users::UserChange::Grant(Role::Principal),
        )
        .unwrap();
    let mut both = open(&path, None);
    both.request_void("2026Q2-01", "种子录入有误，需要重新抽取")
        .unwrap();
    let err = both.approve_void("2026Q2-01").unwrap_err();
    assert!(err.to_string().contains("申请人以外"), "{err}");
}

#[test]
fn substitution_takes_the_next_in_the_ranking_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let mut s = open(&path, None);
    let r = s.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    let visit = r.visits.iter().find(|v| v.problem.is_none()).unwrap();
    let out = visit
        .team
        .iter()
        .find(|m| !m.lead)
        .unwrap()
        .inspector
        .clone();
    assert!(s.substitute("2026Q2-01", &visit.entity, &out, "").is_err());
    let sub = s
        .substitute("2026Q2-01", &visit.entity, &out, "病假")
        .unwrap();
    assert_ne!(sub.replacement, out);
    assert!(!visit.team.iter().any(|m| m.inspector == sub.replacement));
    assert!(s.verify_draw("2026Q2-01").unwrap().is_empty());
    let full = s.draw_record("2026Q2-01").unwrap();
    assert_eq!(full.substitutions.len(), 1);
    // A forged replacement is caught.
    let mut forged = full.clone();
    forged.substitutions[0].replacement = out.clone();
    assert!(
        verify(&forged).iter().any(|d| d.contains("替换")),
        "{:?}",
        verify(&forged)
    );
    // The officer who left cannot be substituted again.
    assert!(
        s.substitute("2026Q2-01", &visit.entity, &out, "再次")
            .is_err()
    );
}

#[test]
fn the_drawn_list_is_confidential_to_leads_principals_and_the_team() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let lead = open(&path, None);
    let observer = only(&lead, Role::Observer);
    let o = open(&path, &observer);
    // The first quarter's visits have all started or finished: they are no longer secret
    // (as in `visit list`), but the seed stays held back.
    let view = o.show_draw("2026Q1-01").unwrap();
    assert!(view.confidential);
    let rec = view.record.unwrap();
    let started: Vec<String> = o
        .list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.draw_id == "2026Q1-01" && v.state != VisitState::Assigned)
        .map(|v| v.entity)
        .collect();
    assert!(!started.is_empty());
    let mut seen: Vec<String> = rec.visits.iter().map(|v| v.entity.clone()).collect();
    seen.sort();
    let mut want = started.clone();
    want.sort();
    assert_eq!(seen, want);
    assert!(rec.seed.is_empty() && rec.seed_parts.is_empty());
    // A freshly run draw's visits have not started: the observer sees none of them.
    let mut l = open(&path, None);
    l.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    let r = l.draw_record("2026Q2-01").unwrap();
    let view = o.show_draw("2026Q2-01").unwrap();
    assert!(view.confidential);
    let rec = view.record.unwrap();
    assert!(
        rec.visits.is_empty()
            && rec.seed.is_empty()
            && rec.strata.iter().all(|s| s.selected.is_empty())
    );
    assert!(matches!(
        o.draw_record("2026Q2-01"),
        Err(ServiceError::Denied { .. })
    ));
    // An inspector sees the visits of their own teams only.
    let users = lead.list_users().unwrap();
    let inspector = users
        .iter()
        .find(|u| {
            u.roles == [Role::Inspector].into()
                && u.inspector.as_ref().is_some_and(|c| {
                    r.visits
                        .iter()
                        .any(|v| v.team.iter().any(|m| &m.inspector == c))
                })
        })
        .unwrap();
    let code = inspector.inspector.clone().unwrap();
    let mine: Vec<&str> = r
        .visits
        .iter()
        .filter(|v| v.team.iter().any(|m| m.inspector == code))
        .map(|v| v.entity.as_str())
        .collect();
    let view = open(&path, &inspector.login)
        .show_draw("2026Q2-01")
        .unwrap();
    let seen: Vec<&str> = view
        .record
        .as_ref()
        .unwrap()
        .visits
        .iter()
        .map(|v| v.entity.as_str())
        .collect();
    assert_eq!(seen, mine);
    // Once one of those visits starts, the observer sees it too.
    let started = support::assigned_q2_visit(&l, |_| true);
    l.start_visit(started.id, demo_day(), None).unwrap();
    let view = o.show_draw("2026Q2-01").unwrap();
    let seen: Vec<String> = view
        .record
        .unwrap()
        .visits
        .into_iter()
        .map(|v| v.entity)
        .collect();
    assert_eq!(seen, vec![started.entity.clone()]);
    // Observers and inspectors cannot prepare or run.
    let mut o = open(&path, &observer);
    assert!(matches!(
        o.run_draw("2026Q2-01", &seeds(), &[]),
        Err(ServiceError::Denied { .. })
    ));
}

#[test]
fn verification_reports_a_changed_commitment_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let s = open(&path, None);
    let r = s.draw_record("2026Q1-01").unwrap();
    let mut changed = r.clone();
    changed.prepared.strata[0].population.pop();
    let diffs = verify(&changed);
    assert!(diffs[0].starts_with("承诺值不符"), "{diffs:?}");
    let mut reseeded = r.clone();
    reseeded.seed_parts[0].push('1');
    assert!(verify(&reseeded).iter().any(|d| d.starts_with("种子不符")));
    let mut swapped: DrawRecord = r.clone();
    swapped.visits.swap(0, 1);
    assert!(!verify(&swapped).is_empty());
}

#[test]
fn the_cli_prints_json_markdown_and_verifies_a_file_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir, "d.db");
    let cli = |args: &[&str]| run(&path, args);
    let o = cli(&["draw", "show", "2026Q1-01", "--json"]);
    assert!(o.status.success());
    let file = dir.path().join("record.json");
    std::fs::write(&file, &o.stdout).unwrap();
    let file_arg = file.to_str().unwrap();
    let o = run_without_db(dir.path(), &["draw", "verify", "--file", file_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Without a database the verifier says what it re-computed and what it cannot confirm.
    let out = stdout(&o);
    assert!(!out.contains("核验通过"), "{out}");
    for needle in [
        "记录自身复算一致",
        "已复算",
        "仅凭记录无法确认",
        "见证人",
        "运行日期",
        "替换的理由",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    // With the bureau's database it is compared with the stored record and its audit events.
    let o = cli(&["draw", "verify", "--file", file_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("核验通过"));
    let text = std::fs::read_to_string(&file).unwrap();
    let forged = text.replacen("\"seed\": \"", "\"seed\": \"0", 1);
    std::fs::write(&file, forged).unwrap();
    let o = run_without_db(dir.path(), &["draw", "verify", "--file", file_arg]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("种子不符"));
    let o = cli(&["draw", "show", "2026Q1-01", "--markdown"]);
    let md = stdout(&o);
    for needle in [
        "# 双随机抽查抽取记录 2026Q1-01",
        "承诺值",
        "现场种子1",
        "签字",
        "运行后审计检查点",
    ] {
        assert!(md.contains(needle), "{needle}");
    }
}

#[test]
fn two_processes_running_the_same_draw_succeed_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let path = demo(&dir, &format!("race{round}.db"));
        let spawn = |seed: &str| {
            command(&path, &["draw", "run", "2026Q2-01", "--seed", seed])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn("11111111111111111111");
        let b = spawn("22222222222222222222");
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let wins = [&a, &b].iter().filter(|o| o.status.success()).count();
        assert_eq!(wins, 1, "round {round}: {} / {}", stderr(&a), stderr(&b));
        let loser = if a.status.success() { &b } else { &a };
        let msg = stderr(loser);
        assert!(msg.contains("只能运行一次"), "{msg}");
        assert!(!msg.contains("locked"), "{msg}");
        let s = open(&path, None);
        assert!(s.verify_draw("2026Q2-01").unwrap().is_empty());
        assert!(s.verify_audit(None).unwrap().is_ok());
    }
}
