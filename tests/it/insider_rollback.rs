//! Issue 10, items 3 and 4 and weakness 14, tried as the insiders would: a lead walking a
//! team's ranking by substituting the same seat again and again, substitutions after the
//! inspection, the officer who inspected refused entry; an administrator re-rolling a run
//! draw by restoring a copy and deleting what the restore kept; backups, restores and library
//! exports that left no trace.

use std::path::{Path, PathBuf};

use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::draw::record::{DrawRecord, SubstitutionApproval, substitution_reason};
use shuangsuiji::domain::draw::verify::{notes, verify};
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::visits::VisitView;
use shuangsuiji::services::{ServiceError, Session};
use shuangsuiji::sheets::Overwrite;

use crate::support::{
    self, SEEDS, assigned_q2_visit, clean_result, demo_day, drawn_copy, only, open, run, stderr,
    stdout,
};

const DRAW: &str = "2026Q2-01";

fn has(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

/// The login of the officer with inspector code `code`, if there is one holding only the
/// inspector role.
fn inspector_login(s: &Session, code: &str) -> Option<String> {
    s.list_users()
        .unwrap()
        .into_iter()
        .find(|u| u.inspector.as_deref() == Some(code) && u.roles == [Role::Inspector].into())
        .map(|u| u.login)
}

/// The inspector code of a login.
fn inspector_code(s: &Session, login: &str) -> String {
    s.list_users()
        .unwrap()
        .into_iter()
        .find(|u| u.login == login)
        .and_then(|u| u.inspector)
        .unwrap()
}

/// A member of the visit's team who is not its lead.
fn member(v: &VisitView) -> String {
    v.team
        .iter()
        .find(|s| !s.lead)
        .unwrap_or(&v.team[0])
        .inspector
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Item 3: substitutions.

/// The attack: a lead substitutes the same seat twelve times in a row, walking the ranking
/// until the officer they want sits on the team. Now the second is refused without the
/// principal's approval; the approved one is in the record, replayed by `draw verify`.
#[test]
fn twelve_substitutions_of_a_seat_stop_after_the_first_without_approval() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "d.db");
    let mut lead = open(&db, "lead.liu");
    let visit = assigned_q2_visit(&lead, |v| v.team.len() >= 2);
    let mut holder = member(&visit);
    let first_out = holder.clone();
    let mut made = 0;
    let mut refusals = Vec::new();
    for _ in 0..12 {
        match lead.substitute(DRAW, &visit.entity, &holder, "病假") {
            Ok(sub) => {
                made += 1;
                holder = sub.replacement;
            }
            Err(e) => refusals.push(e.to_string()),
        }
    }
    assert_eq!(
        made, 1,
        "only the first substitution of the seat: {refusals:?}"
    );
    assert_eq!(refusals.len(), 11);
    assert!(
        refusals[0].contains("已替换过1次") && refusals[0].contains("须经主要负责人批准"),
        "{}",
        refusals[0]
    );
    assert!(refusals[0].contains("--request"), "{}", refusals[0]);
    let record = lead.draw_record(DRAW).unwrap();
    assert_eq!(record.substitutions.len(), 1);

    // The other seat may still be substituted once by the lead.
    let other = visit
        .team
        .iter()
        .find(|s| s.inspector != first_out)
        .unwrap()
        .inspector
        .clone();
    lead.substitute(DRAW, &visit.entity, &other, "公差")
        .unwrap();

    // A further substitution of the first seat: asked for by the lead, approved by a
    // principal. The lead cannot approve, and nobody approves their own request.
    let q = lead
        .request_substitution(DRAW, &visit.entity, &holder, "其他：借调专项督查")
        .unwrap();
    assert_eq!(q.reason, "其他：借调专项督查");
    assert!(matches!(
        lead.approve_substitution(q.id),
        Err(ServiceError::Denied { .. })
    ));
    let again = lead
        .request_substitution(DRAW, &visit.entity, &holder, "病假")
        .unwrap_err();
    assert!(again.to_string().contains("待主要负责人批准"), "{again}");
    let principal = only(&lead, Role::Principal);
    let mut p = open(&db, principal.as_str());
    let sub = p.approve_substitution(q.id).unwrap();
    assert_eq!(sub.out, holder);
    assert_ne!(sub.replacement, first_out, "who left never comes back");
    assert_eq!(
        sub.approval,
        Some(SubstitutionApproval {
            requested_by: "lead.liu".into(),
            requested_at: q.requested_at.clone(),
        })
    );
    assert_eq!(sub.by, principal);
    let twice = p.approve_substitution(q.id).unwrap_err();
    assert!(twice.to_string().contains("已于"), "{twice}");
    assert!(
        lead.substitution_requests(DRAW).unwrap()[0].approved,
        "the request shows as approved"
    );

    // Replayed and checked against the log.
    let record = lead.draw_record(DRAW).unwrap();
    assert_eq!(record.substitutions.len(), 3);
    assert!(verify(&record).is_empty(), "{:?}", verify(&record));
    let check = lead.check_draw(DRAW).unwrap();
    assert!(check.diffs.is_empty(), "{:?}", check.diffs);
    // The printable record names who asked and the principal who approved.
    let printed = lead.printable_record(DRAW).unwrap();
    let line = format!(
        "再次替换：lead.liu 于 {} 申请，{principal} 批准",
        q.requested_at
    );
    assert!(printed.contains(&line), "{printed}");
    assert!(printed.contains("其他：借调专项督查"), "{printed}");

    // A record whose second substitution of the seat lost its approval, or was approved by
    // the one who asked, does not verify.
    let mut forged = record.clone();
    forged.substitutions[2].approval = None;
    let d = verify(&forged);
    assert!(
        has(&d, "第3次替换") && has(&d, "须经主要负责人批准"),
        "{d:?}"
    );
    let d = lead.check_record(&forged).unwrap().diffs;
    assert!(has(&d, "approval.requested_by"), "{d:?}");
    let mut forged = record.clone();
    forged.substitutions[2]
        .approval
        .as_mut()
        .unwrap()
        .requested_by = principal.clone();
    assert!(has(&verify(&forged), "自己批准"), "{:?}", verify(&forged));
}

#[test]
fn nobody_approves_their_own_request_for_a_substitution() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "d.db");
    // The demo's creator is an administrator and a lead; made principal too.
    let mut me = open(&db, None);
    let login = me.user().login.clone();
    me.change_user(&login, UserChange::Grant(Role::Principal))
        .unwrap();
    let mut me = open(&db, None);
    let visit = assigned_q2_visit(&me, |v| v.team.len() >= 2);
    let out = member(&visit);
    let sub = me.substitute(DRAW, &visit.entity, &out, "离岗").unwrap();
    let q = me
        .request_substitution(DRAW, &visit.entity, &sub.replacement, "回避")
        .unwrap();
    let err = me.approve_substitution(q.id).unwrap_err();
    assert!(err.to_string().contains("申请人以外"), "{err}");
    // A first substitution needs no request.
    let other = visit.team.iter().find(|s| s.inspector != out).unwrap();
    let err = me
        .request_substitution(DRAW, &visit.entity, &other.inspector, "病假")
        .unwrap_err();
    assert!(err.to_string().contains("尚未替换过"), "{err}");
}

/// The attack: substitutions on visits already inspected, entered or published went through.
/// Only a visit that has not started may be substituted; the refusal names its state.
#[test]
fn substitutions_are_refused_once_the_visit_has_started() {
    let dir = tempfile::tempdir().unwrap();
    let c = support::completed_visit(&dir, "d.db", |v| v.team.len() >= 2);
    let mut lead = open(&c.db, "lead.liu");
    let refused = |lead: &mut Session, v: &VisitView, state: &str| {
        let err = lead
            .substitute(&v.draw_id, &v.entity, &v.team[0].inspector, "病假")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(state) && err.contains("只有尚未开始"),
            "{state}: {err}"
        );
    };
    refused(&mut lead, &c.visit, "已完成");
    // Entered by the officer who inspected.
    let mut officer = open(&c.db, c.officer.as_str());
    let result = clean_result(&officer, c.visit.id);
    officer.submit_result(c.visit.id, &result).unwrap();
    refused(&mut lead, &c.visit, "已录入");
    // Started: substituted once before the start, a request is refused afterwards too.
    let v = assigned_q2_visit(&lead, |v| v.team.len() >= 2 && v.id != c.visit.id);
    let sub = lead
        .substitute(DRAW, &v.entity, &member(&v), "病假")
        .unwrap();
    lead.start_visit(v.id, demo_day(), None).unwrap();
    let v = lead.visit(v.id).unwrap();
    refused(&mut lead, &v, "检查中");
    let err = lead
        .request_substitution(DRAW, &v.entity, &sub.replacement, "病假")
        .unwrap_err();
    assert!(err.to_string().contains("检查中"), "{err}");
    // Published: a visit of the first quarter the demo has published.
    let published = lead
        .list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .find(|v| v.state == VisitState::Published && v.problem.is_none())
        .expect("the demo has published visits");
    refused(&mut lead, &published, "已公示");
    // Nothing was recorded by the refusals.
    let record = lead.draw_record(DRAW).unwrap();
    assert_eq!(record.substitutions.len(), 1);
}

/// The attack: after a substitution the officer who actually inspected was refused entry of
/// the result. Team membership follows the current team: the replacement enters it, the
/// officer who left may not.
#[test]
fn the_officer_who_inspects_after_a_substitution_enters_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "d.db");
    let mut lead = open(&db, "lead.liu");
    let candidates: Vec<VisitView> = lead
        .list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.draw_id == DRAW && v.state == VisitState::Assigned && v.problem.is_none())
        .collect();
    // Substitute a seat held by an officer with a login until the replacement has one too.
    let (visit, left, came) = candidates
        .iter()
        .find_map(|v| {
            let out = v
                .team
                .iter()
                .find(|s| !s.lead && inspector_login(&lead, &s.inspector).is_some())?
                .inspector
                .clone();
            let sub = lead.substitute(DRAW, &v.entity, &out, "病假").ok()?;
            let came = inspector_login(&lead, &sub.replacement)?;
            Some((v.clone(), inspector_login(&lead, &out)?, came))
        })
        .expect("a substitution between two officers who have logins");
    let mut gone = open(&db, left.as_str());
    assert!(matches!(
        gone.start_visit(visit.id, demo_day(), None),
        Err(ServiceError::Denied { .. }) | Err(ServiceError::NotFound { .. })
    ));
    let mut officer = open(&db, came.as_str());
    officer.start_visit(visit.id, demo_day(), None).unwrap();
    officer.complete_visit(visit.id, demo_day(), None).unwrap();
    let result = clean_result(&officer, visit.id);
    officer.submit_result(visit.id, &result).unwrap();
    assert_eq!(
        lead.visit(visit.id).unwrap().state,
        VisitState::Entered,
        "the replacement entered the result"
    );
    // The attack's order (inspect, then substitute the one who inspected) is refused now, so
    // the officer who inspected stays on the team that entered the result.
    let err = lead
        .substitute(DRAW, &visit.entity, &inspector_code(&lead, &came), "病假")
        .unwrap_err();
    assert!(err.to_string().contains("已录入"), "{err}");
    assert!(officer.result_view(visit.id).unwrap().submitted.is_some());
    // On the visit: the substitution, with its reason for the lead.
    let subs = lead.visit_substitutions(visit.id).unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].reason, "病假");
    // The officer sees the substitution on the visit, without its reason (personal).
    let seen = officer.visit_substitutions(visit.id).unwrap();
    assert!(seen[0].withheld && seen[0].reason.is_empty(), "{seen:?}");
    assert_eq!(seen[0].replacement, subs[0].replacement);
}

#[test]
fn reasons_come_from_the_list_and_are_held_back_from_those_who_may_not_see_them() {
    // The list, as given and as kept.
    assert_eq!(substitution_reason(" 病假 ").unwrap(), "病假");
    assert_eq!(
        substitution_reason("病假，医院证明已交").unwrap(),
        "病假，医院证明已交"
    );
    assert_eq!(
        substitution_reason("其他 外出培训").unwrap(),
        "其他 外出培训"
    );
    assert!(substitution_reason("其他：").is_err());
    let e = substitution_reason("家里有事").unwrap_err();
    assert!(e.contains("病假、公差、回避、离岗、其他"), "{e}");
    let e = substitution_reason("其他").unwrap_err();
    assert!(e.contains("须写明说明"), "{e}");
    assert!(substitution_reason("病假条").is_err());
    assert!(substitution_reason("").is_err());

    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "d.db");
    let mut lead = open(&db, "lead.liu");
    let visit = assigned_q2_visit(&lead, |v| {
        v.team.len() >= 2
            && v.team
                .iter()
                .any(|s| inspector_login(&lead, &s.inspector).is_some())
    });
    let err = lead
        .substitute(DRAW, &visit.entity, &member(&visit), "家里有事")
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::InvalidField {
                field: "reason",
                ..
            }
        ),
        "{err}"
    );
    // A member with a login stays on the team (the other seat is substituted).
    let stays = visit
        .team
        .iter()
        .find(|s| inspector_login(&lead, &s.inspector).is_some())
        .unwrap()
        .inspector
        .clone();
    let out = visit
        .team
        .iter()
        .find(|s| s.inspector != stays)
        .unwrap()
        .inspector
        .clone();
    let sub = lead
        .substitute(DRAW, &visit.entity, &out, "其他：外出培训")
        .unwrap();
    assert_eq!(sub.reason, "其他：外出培训");

    // A member of the team sees the visit and its substitution, not why.
    let colleague = inspector_login(&lead, &stays).unwrap();
    let c = open(&db, colleague.as_str());
    let view = c.show_draw(DRAW).unwrap();
    let seen = view.record.unwrap();
    let s = seen
        .substitutions
        .iter()
        .find(|s| s.entity == visit.entity)
        .expect("the team sees its visit's substitution");
    assert!(s.withheld && s.reason.is_empty());
    assert!(s.skipped.iter().all(|x| x.reason.is_empty()));
    let json = serde_json::to_string(&seen).unwrap();
    assert!(!json.contains("外出培训"), "the reason is held back");
    // The log's particulars of the substitution and of requests are held back from them too.
    let second = lead
        .request_substitution(DRAW, &visit.entity, &sub.replacement, "其他：另有任务")
        .unwrap();
    let events = c
        .audit_events(&EventFilter {
            action_prefix: Some("draw.substitute".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| !e.detail.contains("外出培训") && !e.detail.contains("另有任务")),
        "{events:?}"
    );

    // The lead's record with the reasons withheld still verifies, against the database too,
    // and says what was not checked.
    let full = lead.draw_record(DRAW).unwrap();
    let mut withheld: DrawRecord = full.clone();
    withheld.substitutions.iter_mut().for_each(|s| s.withhold());
    assert!(verify(&withheld).is_empty(), "{:?}", verify(&withheld));
    assert!(has(&notes(&withheld), "保密"), "{:?}", notes(&withheld));
    let check = lead.check_record(&withheld).unwrap();
    assert!(check.diffs.is_empty(), "{:?}", check.diffs);
    // A withheld record cannot hide a changed replacement.
    withheld.substitutions[0].replacement = out.clone();
    assert!(!lead.check_record(&withheld).unwrap().diffs.is_empty());

    // The command line: the reason for the lead, the list named on a refusal, the request.
    let o = run(&db, &["--as", "lead.liu", "draw", "show", DRAW]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("人员替换") && text.contains("其他：外出培训"),
        "{text}"
    );
    assert!(
        text.contains("待主要负责人批准的再次替换申请") && text.contains(&second.id.to_string()),
        "{text}"
    );
    let o = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "draw",
            "substitute",
            DRAW,
            "--visit",
            &visit.entity,
            "--inspector",
            &stays,
            "--reason",
            "家里有事",
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("病假、公差、回避、离岗、其他"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &db,
        &[
            "--as",
            colleague.as_str(),
            "result",
            "show",
            &visit.id.to_string(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("人员替换") && text.contains("（保密）"),
        "{text}"
    );
    assert!(!text.contains("外出培训"), "{text}");
    let principal = only(&lead, Role::Principal);
    let o = run(
        &db,
        &[
            "--as",
            principal.as_str(),
            "draw",
            "approve-substitute",
            &second.id.to_string(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已批准替换申请"), "{}", stdout(&o));
}

// ---------------------------------------------------------------------------------------------
// Item 4 and weakness 14: no silent re-roll.

/// The CLI on `db` as the demo's creator (administrator and lead).
fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    run(db, args)
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = cli(db, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// The entities drawn, as the lead's record lists them.
fn drawn(db: &Path) -> Vec<String> {
    open(db, "lead.liu")
        .draw_record(DRAW)
        .unwrap()
        .visits
        .into_iter()
        .map(|v| v.entity)
        .collect()
}

fn run_with_dice(db: &Path) {
    ok(
        db,
        &[
            "draw",
            "run",
            DRAW,
            "--seed",
            SEEDS[0],
            "--seed",
            SEEDS[1],
            "--witness",
            "张三",
        ],
    );
}

/// A directory apart from the database's: where the witnesses keep their file.
fn witness_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("见证.txt")
}

/// The attack of issue 10: copy the prepared database, run, `restore --allow-rollback`,
/// delete the `.before-restore` file, run again with the same dice. The list is the same (the
/// system's part was fixed at preparation), the restored log says what it replaced, and a
/// witness file taken after the first run makes `audit verify --witness` and `doctor` fail.
#[test]
fn a_rollback_and_rerun_gives_the_same_list_and_the_witness_file_catches_it() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "bureau.db");
    let witness = witness_in(&elsewhere);
    let w = witness.to_str().unwrap();
    // The bureau keeps a witness file, checked by doctor.
    ok(&db, &["audit", "checkpoint", "--append", w]);
    ok(&db, &["settings", "witness-file", w]);
    let o = cli(&db, &["doctor"]);
    assert_ne!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("见证文件"), "{}", stdout(&o));

    // The administrator copies the prepared database.
    let copy = dir.path().join("prepared-copy.db");
    std::fs::copy(&db, &copy).unwrap();
    run_with_dice(&db);
    let first = drawn(&db);
    let after_run = open(&db, None).audit_checkpoint().unwrap();
    // A witness takes the checkpoint after the run.
    let line = ok(&db, &["audit", "checkpoint", "--append", w]);
    assert!(line.contains(&after_run.to_string()), "{line}");
    ok(&db, &["audit", "verify", "--witness", w]);

    // The re-roll.
    let said = ok(
        &db,
        &["restore", copy.to_str().unwrap(), "--allow-rollback"],
    );
    assert!(said.contains("已回滚"), "{said}");
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().contains(".before-restore") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    run_with_dice(&db);
    assert_eq!(drawn(&db), first, "the same dice draw the same list");

    // The restored log says what it replaced.
    let s = open(&db, None);
    let restore = s
        .audit_events(&EventFilter {
            action_prefix: Some("db.restore".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(restore.len(), 1);
    let d: serde_json::Value = serde_json::from_str(&restore[0].detail).unwrap();
    assert_eq!(d["replaced"]["size"], after_run.size);
    assert_eq!(d["replaced"]["head"], after_run.head.as_str());
    assert!(d["rolled_back"].as_u64().unwrap() >= 1, "{d}");
    assert_eq!(d["rolled_back_actions"]["draw.run"], 1, "{d}");
    assert!(
        s.verify_audit(None).unwrap().is_ok(),
        "the chain itself is whole"
    );
    assert!(
        s.check_draw(DRAW).unwrap().diffs.is_empty(),
        "draw verify passes"
    );

    // Only the witness file tells.
    let o = cli(&db, &["audit", "verify", "--witness", w]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("见证文件第2行") && err.contains("回滚"),
        "{err}"
    );
    assert!(
        !err.contains("第1行"),
        "the first checkpoint, before the copy, holds: {err}"
    );
    let o = cli(&db, &["doctor"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("见证文件") && out.contains("不是"), "{out}");
    let findings = s.doctor().unwrap();
    let f = findings.iter().find(|f| f.check == "见证文件").unwrap();
    assert_eq!(f.level, "fail", "{}", f.detail);
    // The file was only ever appended to.
    let text = std::fs::read_to_string(&witness).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.ends_with('\n'));
}

/// Copying the file back by hand (no `restore`, so no `db.restore` event) is caught by the
/// witness file all the same.
#[test]
fn a_copy_put_back_by_hand_is_caught_by_the_witness_file() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "bureau.db");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    run_with_dice(&db);
    let s = open(&db, None);
    let w = s.append_witness(&witness_in(&elsewhere)).unwrap();
    assert!(!w.beside_db);
    drop(s);
    std::fs::copy(&copy, &db).unwrap();
    let s = open(&db, None);
    assert!(s.verify_audit(None).unwrap().is_ok());
    let check = s.check_witness_file(&witness_in(&elsewhere)).unwrap();
    assert_eq!(check.breaks.len(), 1);
    assert!(
        check.breaks[0].why.contains("少于检查点"),
        "the copy's log is shorter: {}",
        check.breaks[0]
    );
}

#[test]
fn backup_restore_and_library_exports_write_audit_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let s = open(&db, None);
    let events = |s: &Session, action: &str| {
        s.audit_events(&EventFilter {
            action_prefix: Some(action.into()),
            ..Default::default()
        })
        .unwrap()
    };
    // A backup: the event is in the live log and in the copy.
    let backup = dir.path().join("backup.db");
    let r = s.backup(&backup, Overwrite::Refuse).unwrap();
    let ev = events(&s, "db.backup");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].subject, backup.display().to_string());
    assert_eq!(ev[0].actor, s.user().login);
    assert_eq!(
        r.checkpoint.size, ev[0].seq,
        "the copy ends with its own event"
    );
    // Library exports, each with its count; a refused one leaves none.
    let out = dir.path().join("e.csv");
    let n = s.export_entities(&out, Overwrite::Refuse).unwrap();
    s.export_inspectors(&dir.path().join("i.xlsx"), Overwrite::Refuse)
        .unwrap();
    s.export_check_items(&dir.path().join("c.json"), Overwrite::Refuse)
        .unwrap();
    assert!(s.export_entities(&out, Overwrite::Refuse).is_err());
    let ev = events(&s, "entities.export");
    assert_eq!(ev.len(), 1, "the refused export left no event");
    let d: serde_json::Value = serde_json::from_str(&ev[0].detail).unwrap();
    assert_eq!(
        (d["rows"].as_u64(), d["format"].as_str()),
        (Some(n as u64), Some("csv"))
    );
    assert_eq!(events(&s, "inspectors.export").len(), 1);
    assert_eq!(events(&s, "items.export").len(), 1);
    drop(s);
    // Through standard output the log names it so.
    let o = run(&db, &["export", "items", "-", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = open(&db, None);
    assert_eq!(events(&s, "items.export")[0].subject, "标准输出");
    let live = s.audit_checkpoint().unwrap();
    drop(s);
    // A restore of the backup (a rollback of the exports): the restored log records it.
    let me = shuangsuiji::services::identity::os_login().unwrap();
    let r = shuangsuiji::services::maintenance::restore_with(
        &backup,
        &db,
        &me,
        &shuangsuiji::services::maintenance::RestoreOptions {
            allow_rollback: true,
        },
    )
    .unwrap();
    assert_eq!(r.replaced.as_ref(), Some(&live));
    let s = open(&db, None);
    let ev = events(&s, "db.restore");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].seq, r.head.size);
    assert_eq!(ev[0].actor, me);
    let d: serde_json::Value = serde_json::from_str(&ev[0].detail).unwrap();
    assert_eq!(
        d["rolled_back"], 4,
        "three exports and one through standard output: {d}"
    );
    assert_eq!(d["rolled_back_actions"]["items.export"], 2, "{d}");
    assert_eq!(d["restored"], r.checkpoint.to_string());
    assert!(s.verify_audit(None).unwrap().is_ok());
}

#[test]
fn the_witness_file_is_appended_to_and_holds_only_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "d.db");
    let witness = witness_in(&elsewhere);
    let mut s = open(&db, None);
    let a = s.append_witness(&witness).unwrap();
    let first = std::fs::read_to_string(&witness).unwrap();
    assert_eq!(first.trim_end(), a.line);
    s.set_province_cap(Some(3)).unwrap();
    let b = s.append_witness(&witness).unwrap();
    assert_eq!(b.checkpoint.size, a.checkpoint.size + 1);
    let both = std::fs::read_to_string(&witness).unwrap();
    assert!(both.starts_with(&first), "never rewritten");
    assert_eq!(both.lines().count(), 2);
    let check = s.check_witness_file(&witness).unwrap();
    assert_eq!((check.checkpoints, check.breaks.len()), (2, 0));

    // A line typed in by hand without its end, and a comment: kept, and the next line
    // starts on its own.
    let mut typed = both.clone();
    typed.push_str("# 张三 核对\n");
    typed.push_str(&a.line);
    std::fs::write(&witness, &typed).unwrap();
    s.append_witness(&witness).unwrap();
    let text = std::fs::read_to_string(&witness).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(s.check_witness_file(&witness).unwrap().breaks.is_empty());

    // Not the database, not a symlink, not a file with other content.
    let err = s.append_witness(&db).unwrap_err().to_string();
    assert!(err.contains("数据库文件本身"), "{err}");
    let link = elsewhere.path().join("link.txt");
    std::os::unix::fs::symlink(&witness, &link).unwrap();
    assert!(s.append_witness(&link).is_err());
    let notes = elsewhere.path().join("notes.txt");
    std::fs::write(&notes, "会议纪要\n").unwrap();
    let err = s.append_witness(&notes).unwrap_err().to_string();
    assert!(err.contains("其他内容"), "{err}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "会议纪要\n");

    // A bad line is named; a forged checkpoint is a break.
    let err = s.check_witness("12:abc 昨天\n").unwrap_err().to_string();
    assert!(err.contains("第1行"), "{err}");
    let forged = format!("{}:{} 伪造\n", a.checkpoint.size, "ab".repeat(32));
    let check = s.check_witness(&forged).unwrap();
    assert!(
        check.breaks[0].why.contains("不一致"),
        "{}",
        check.breaks[0]
    );

    // The setting: administrators only, audited, refused for a file the log does not continue.
    let observer = only(&s, Role::Observer);
    assert!(matches!(
        open(&db, observer.as_str()).set_witness_file(Some(&witness)),
        Err(ServiceError::Denied { .. })
    ));
    let bad = elsewhere.path().join("bad.txt");
    std::fs::write(&bad, &forged).unwrap();
    let err = s.set_witness_file(Some(&bad)).unwrap_err().to_string();
    assert!(err.contains("未设置"), "{err}");
    s.set_witness_file(Some(&witness)).unwrap();
    assert_eq!(
        s.witness_file().unwrap().as_deref(),
        Some(witness.as_path())
    );
    let logged = s
        .audit_events(&EventFilter {
            action_prefix: Some("settings.witness_file".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(logged.len(), 1);
    let f = s.doctor().unwrap();
    let f = f.iter().find(|f| f.check == "见证文件").unwrap();
    assert_eq!(f.level, "ok", "{}", f.detail);

    // Kept beside the database, doctor warns; on the command line too.
    let beside = dir.path().join("witness.txt");
    s.append_witness(&beside).unwrap();
    s.set_witness_file(Some(&beside)).unwrap();
    let f = s.doctor().unwrap();
    let f = f.iter().find(|f| f.check == "见证文件").unwrap();
    assert_eq!(f.level, "warn", "{}", f.detail);
    drop(s);
    let o = run(
        &db,
        &["audit", "checkpoint", "--append", beside.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("同一目录"), "{}", stdout(&o));
    // `-` prints the line for the caller to keep.
    let o = run(&db, &["audit", "checkpoint", "--append", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&o);
    assert_eq!(printed.lines().count(), 1);
    assert!(
        shuangsuiji::domain::audit::parse_witness(&printed).is_ok(),
        "{printed}"
    );
}
