//! The life of a visit and its result through the services: order and dates, who may enter,
//! locked results, corrections with four eyes, follow-up, drafts, deadlines and lateness.

use std::path::{Path, PathBuf};

use shuangsuiji::domain::result::FollowUpKind;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::visits::{VisitFilter, VisitView};
use shuangsuiji::services::{ServiceError, Session};

use crate::support::{
    self, clean_result, day as d, drawn_copy, login_of, open, open_on, outsider, problem_result,
};

/// A demo database as of 2026-05-20 with its second quarter drawn that day.
fn drawn(dir: &tempfile::TempDir) -> PathBuf {
    drawn_copy(dir, "r.db")
}

/// A fresh Q2 visit and the login of an officer on its team.
fn fresh_visit(path: &Path) -> (VisitView, String) {
    let s = open(path, None);
    let v = support::assigned_q2_visit(&s, |_| true);
    let login = login_of(&s, &v.team[0].inspector);
    (v, login)
}

/// A Q2 visit started on 05-21 and completed on 05-22, with a session of an officer of its
/// team as of 05-22.
fn completed_visit(dir: &tempfile::TempDir) -> (PathBuf, VisitView, String, Session) {
    let path = drawn(dir);
    let (v, login) = fresh_visit(&path);
    let mut s = open_on(&path, &login, d("2026-05-22"));
    s.start_visit(v.id, d("2026-05-21"), None).unwrap();
    s.complete_visit(v.id, d("2026-05-22"), None).unwrap();
    (path, v, login, s)
}

#[test]
fn steps_keep_their_order_and_dates_stay_honest() {
    let dir = tempfile::tempdir().unwrap();
    let path = drawn(&dir);
    let (v, login) = fresh_visit(&path);
    let id = v.id;
    let mut s = open_on(&path, &login, d("2026-05-25"));
    assert!(
        s.complete_visit(id, d("2026-05-22"), None)
            .unwrap_err()
            .to_string()
            .contains("待检查")
    );
    assert!(
        s.start_visit(id, d("2026-05-26"), None)
            .unwrap_err()
            .to_string()
            .contains("不能晚于今天")
    );
    assert!(
        s.start_visit(id, d("2026-05-19"), None)
            .unwrap_err()
            .to_string()
            .contains("不能早于抽取日期")
    );
    s.start_visit(id, d("2026-05-22"), None).unwrap();
    assert!(
        s.start_visit(id, d("2026-05-22"), None).is_err(),
        "started once"
    );
    assert!(
        s.complete_visit(id, d("2026-05-21"), None)
            .unwrap_err()
            .to_string()
            .contains("不能早于开始检查日期")
    );
    s.complete_visit(id, d("2026-05-25"), None).unwrap();
    let v = s.visit(id).unwrap();
    assert_eq!(v.state, VisitState::Completed);
    // 2026-05-25 + 20 working days, 06-19 being 端午节 = 2026-06-23.
    assert_eq!(v.due.as_ref().unwrap().date, d("2026-06-23"));
    assert_eq!(v.days_left, Some(20));
    assert!(s.verify_audit(None).unwrap().is_ok());
}

#[test]
fn only_the_team_enters_and_a_result_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, v, login, mut s) = completed_visit(&dir);
    let id = v.id;
    // An officer of another team may not enter it.
    let outsider = outsider(&s, &v);
    let mut o = open_on(&path, &outsider, d("2026-05-22"));
    let good = clean_result(&s, id);
    assert!(matches!(
        o.submit_result(id, &good),
        Err(ServiceError::Denied { .. })
    ));
    // Nor the lead, who is not on the team.
    let mut lead = open_on(&path, "lead.liu", d("2026-05-22"));
    assert!(matches!(
        lead.submit_result(id, &good),
        Err(ServiceError::Denied { .. })
    ));
    // An incomplete result says why.
    let mut partial = good.clone();
    partial.items.pop();
    let err = s.submit_result(id, &partial).unwrap_err().to_string();
    assert!(err.contains("没有检查结论"), "{err}");
    // A draft survives and goes when the result is submitted.
    s.save_draft(id, &partial).unwrap();
    assert!(
        open_on(&path, &login, d("2026-05-22"))
            .result_view(id)
            .unwrap()
            .draft
            .is_some()
    );
    let submitted = s.submit_result(id, &good).unwrap();
    assert!(!submitted.late);
    assert!(s.result_view(id).unwrap().draft.is_none());
    assert!(
        s.submit_result(id, &good)
            .unwrap_err()
            .to_string()
            .contains("已于")
    );
    assert!(s.save_draft(id, &good).is_err());
    // The database itself refuses to change, delete or replace it (REPLACE deletes the old
    // row without firing DELETE triggers).
    let raw = rusqlite::Connection::open(&path).unwrap();
    let stored = || -> String {
        raw.query_row("SELECT data FROM results WHERE visit_id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let before = stored();
    for (sql, refused) in [
        (
            "UPDATE results SET data = '{}' WHERE visit_id = ?1",
            "不能修改",
        ),
        ("DELETE FROM results WHERE visit_id = ?1", "不能删除"),
        (
            "INSERT OR REPLACE INTO results SELECT * FROM results WHERE visit_id = ?1",
            "不能改写",
        ),
    ] {
        let err = raw.execute(sql, [id]).unwrap_err();
        assert!(err.to_string().contains(refused), "{err}");
    }
    assert_eq!(before, stored());
}

/// Every table that refuses UPDATE also refuses INSERT OR REPLACE of a row it holds: the
/// demo has rows in each, and a replace of each one's first row is refused, leaving it there.
#[test]
fn no_append_only_row_can_be_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "replace.db");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = raw
        .prepare(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_update'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() >= 15, "{tables:?}");
    let mut tried = vec![];
    for t in &tables {
        let count = |c: &rusqlite::Connection| -> i64 {
            c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        };
        let n = count(&raw);
        if n == 0 {
            continue;
        }
        tried.push(t.as_str());
        let err = raw
            .execute(
                &format!("INSERT OR REPLACE INTO {t} SELECT * FROM {t} LIMIT 1"),
                [],
            )
            .expect_err(t);
        assert!(err.to_string().contains("不能改写"), "{t}: {err}");
        let err = raw
            .execute(&format!("REPLACE INTO {t} SELECT * FROM {t} LIMIT 1"), [])
            .expect_err(t);
        assert!(err.to_string().contains("不能改写"), "{t}: {err}");
        assert_eq!(count(&raw), n, "{t}");
    }
    for t in [
        "audit_log",
        "draws",
        "draw_runs",
        "visits",
        "visit_team",
        "results",
    ] {
        assert!(tried.contains(&t), "the demo has rows in {t}: {tried:?}");
    }
}

#[test]
fn a_late_entry_stays_late() {
    let dir = tempfile::tempdir().unwrap();
    let path = drawn(&dir);
    let (v, login) = fresh_visit(&path);
    let id = v.id;
    let mut s = open_on(&path, &login, d("2026-05-21"));
    s.start_visit(id, d("2026-05-21"), None).unwrap();
    s.complete_visit(id, d("2026-05-21"), None).unwrap();
    // Due 2026-06-18 (05-21 + 20 working days; 06-19 is a holiday). Entered 06-22: late.
    let mut later = open_on(&path, &login, d("2026-06-22"));
    let v = later.visit(id).unwrap();
    assert_eq!(v.due.as_ref().unwrap().date, d("2026-06-18"));
    assert!(v.late && v.days_left.unwrap() < 0);
    let r = clean_result(&later, id);
    let sub = later.submit_result(id, &r).unwrap();
    assert!(sub.late);
    let v = later.visit(id).unwrap();
    assert_eq!(v.state, VisitState::Entered);
    assert!(v.late, "entered late stays on the record");
}

#[test]
fn a_correction_needs_a_principal_who_did_not_file_it_and_both_versions_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (path, v, login, mut s) = completed_visit(&dir);
    let id = v.id;
    let original = clean_result(&s, id);
    s.submit_result(id, &original).unwrap();
    let corrected = problem_result(&s, id);
    assert!(
        s.file_correction(id, &corrected, "漏").is_err(),
        "a reason is required"
    );
    let cid = s
        .file_correction(id, &corrected, "录入时漏记危险废物问题")
        .unwrap();
    assert!(
        s.file_correction(id, &corrected, "再次更正同一结果")
            .unwrap_err()
            .to_string()
            .contains("待审批")
    );
    // The filer cannot approve it, even holding the principal's role.
    let mut admin = open_on(&path, None, d("2026-05-22"));
    admin
        .change_user(
            &login,
            shuangsuiji::services::users::UserChange::Grant(Role::Principal),
        )
        .unwrap();
    let mut filer = open_on(&path, &login, d("2026-05-22"));
    assert!(
        filer
            .decide_correction(cid, true, "")
            .unwrap_err()
            .to_string()
            .contains("提交人以外")
    );
    // A lead cannot approve.
    let mut lead = open_on(&path, "lead.liu", d("2026-05-22"));
    assert!(matches!(
        lead.decide_correction(cid, true, ""),
        Err(ServiceError::Denied { .. })
    ));
    // Until approved, the original is in force.
    assert_eq!(s.result_view(id).unwrap().effective.unwrap(), original);
    let mut principal = open_on(&path, "principal.wang", d("2026-05-23"));
    principal.decide_correction(cid, true, "同意更正").unwrap();
    assert!(
        principal.decide_correction(cid, false, "").is_err(),
        "decided once"
    );
    let view = s.result_view(id).unwrap();
    assert_eq!(view.effective.unwrap(), corrected);
    assert_eq!(
        view.submitted.unwrap().result,
        original,
        "the original stays visible"
    );
    assert!(view.corrections[0].decision.as_ref().unwrap().approved);
    assert!(
        !principal
            .pending_corrections()
            .unwrap()
            .iter()
            .any(|c| c.id == cid)
    );
}

#[test]
fn follow_up_of_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (path, v, login, mut s) = completed_visit(&dir);
    let id = v.id;
    let r = problem_result(&s, id);
    s.submit_result(id, &r).unwrap();
    assert!(
        s.add_followup(id, FollowUpKind::Penalty, " ", "")
            .unwrap_err()
            .to_string()
            .contains("案号")
    );
    let fid = s
        .add_followup(id, FollowUpKind::Penalty, "阳环罚〔2026〕7号", "已立案")
        .unwrap();
    assert!(
        s.update_followup(fid, "已办结", None, "")
            .unwrap_err()
            .to_string()
            .contains("办结日期")
    );
    assert!(s.update_followup(fid, "结束", None, "").is_err());
    let mut later = open_on(&path, &login, d("2026-06-30"));
    // Not closed before the inspection that found the problem was completed.
    let done = later.visit(id).unwrap().dates.completed.unwrap();
    let err = later
        .update_followup(fid, "已办结", done.pred_opt(), "")
        .unwrap_err()
        .to_string();
    assert!(err.contains("不能早于检查完成日期"), "{err}");
    later
        .update_followup(fid, "已办结", Some(d("2026-06-29")), "已缴纳罚款")
        .unwrap();
    let f = &later.result_view(id).unwrap().followups[0];
    assert_eq!(
        (f.kind.as_str(), f.status.as_str(), f.closed_on.as_deref()),
        ("立案处罚", "已办结", Some("2026-06-29"))
    );
}

#[test]
fn joint_punishment_is_a_follow_up_published_and_counted_like_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (path, v, login, mut s) = completed_visit(&dir);
    let id = v.id;
    let r = problem_result(&s, id);
    s.submit_result(id, &r).unwrap();
    drop(s);
    let add = |kind: &str| {
        support::run(
            &path,
            &[
                "--as",
                &login,
                "followup",
                "add",
                &id.to_string(),
                "--kind",
                kind,
                "--note",
                "列入失信名单",
            ],
        )
    };
    let o = add("惩戒");
    assert!(!o.status.success());
    assert!(
        support::stderr(&o).contains("联合惩戒"),
        "{}",
        support::stderr(&o)
    );
    let o = add("联合惩戒");
    assert!(o.status.success(), "{}", support::stderr(&o));
    assert!(support::text(&o.stdout).contains("联合惩戒"));
    let mut later = open_on(&path, &login, d("2026-06-30"));
    let fid = later.result_view(id).unwrap().followups[0].id;
    later
        .update_followup(fid, "已办结", Some(d("2026-06-29")), "已公示惩戒措施")
        .unwrap();
    let f = &later.result_view(id).unwrap().followups[0];
    assert_eq!(
        (f.kind.as_str(), f.status.as_str(), f.closed_on.as_deref()),
        ("联合惩戒", "已办结", Some("2026-06-29"))
    );
    let mut lead = open_on(&path, "lead.liu", d("2026-06-30"));
    let csv = dir.path().join("p.csv");
    lead.export_publicity(&csv, None).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.contains("后续处理：联合惩戒已办结2026-06-29"),
        "{text}"
    );
    let report = lead.annual_report(2026).unwrap();
    assert!(report.total.followups >= 1 && report.total.followups_closed >= 1);
}

#[test]
fn a_visit_not_yet_started_is_hidden_from_officers_of_other_teams() {
    let dir = tempfile::tempdir().unwrap();
    let path = drawn(&dir);
    let (v, login) = fresh_visit(&path);
    let id = v.id;
    let s = open(&path, None);
    let outsider = outsider(&s, &v);
    let o = open_on(&path, &outsider, d("2026-05-21"));
    assert!(matches!(o.visit(id), Err(ServiceError::NotFound { .. })));
    assert!(
        open_on(&path, "observer.chen", d("2026-05-21"))
            .visit(id)
            .is_err()
    );
    let mut member = open_on(&path, &login, d("2026-05-21"));
    assert!(
        member
            .list_visits(&VisitFilter {
                mine: true,
                ..Default::default()
            })
            .unwrap()
            .iter()
            .any(|x| x.id == id)
    );
    member.start_visit(id, d("2026-05-21"), None).unwrap();
    assert_eq!(
        o.visit(id).unwrap().state,
        VisitState::Started,
        "visible once started"
    );
}

#[test]
fn due_within_lists_the_urgent_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = drawn(&dir);
    let s = open(&path, None);
    let urgent = s
        .list_visits(&VisitFilter {
            due_within: Some(5),
            ..Default::default()
        })
        .unwrap();
    let mut last = i64::MIN;
    for v in &urgent {
        let left = v.days_left.unwrap();
        assert!(left <= 5);
        assert!(left >= last, "sorted by urgency");
        last = left;
    }
}
