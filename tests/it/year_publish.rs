//! Issue 9, items 9 and 13. Publication by the team (谁检查、谁录入、谁公示): a member of the
//! visit's team marks its entered result for the next publicity export, on the command line
//! and the dashboard; a marked result stays unpublished (and flagged after 20 working days)
//! until the export; the bureau chooses what reaches the public 备注. The written notice of
//! the year's plan changes to the 领导小组办公室 (书面报送): numbered, recorded as sent once,
//! listed per change, and in the annual report.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use calamine::Reader;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::plan::TierMultipliers;
use shuangsuiji::domain::plan_records::ChangeSent;
use shuangsuiji::domain::result::FollowUpKind;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::plans::PlanEdit;
use shuangsuiji::services::publicity::PublicRemark;
use shuangsuiji::services::reports::write_report;
use shuangsuiji::services::visits::VisitView;
use shuangsuiji::services::{ServiceError, Session};
use shuangsuiji::sheets::Overwrite;
use shuangsuiji::tui::model::{Popup, ScreenId};
use shuangsuiji::tui::{self, load, views};

use crate::support::{
    self, CompletedVisit, assigned_q2_visit, clean_result, completed_visit, day, demo_day,
    login_of, only, open, open_on, outsider, problem_result, run, stderr, stdout,
};

fn q2() -> Period {
    "2026Q2".parse().unwrap()
}

/// A second-quarter visit completed on the demo day and its result entered by its officer.
fn entered(dir: &tempfile::TempDir, name: &str) -> CompletedVisit {
    let c = completed_visit(dir, name, |_| true);
    let mut s = open(&c.db, &c.officer);
    let r = clean_result(&s, c.visit.id);
    s.submit_result(c.visit.id, &r).unwrap();
    c
}

/// Another assigned second-quarter visit (not `not`), completed and entered by its officer.
fn enter_another(db: &Path, not: i64) -> VisitView {
    let lead = open(db, "lead.liu");
    let v = assigned_q2_visit(&lead, |v| v.id != not);
    let officer = login_of(&lead, &v.team[0].inspector);
    drop(lead);
    let mut s = open(db, &officer);
    s.start_visit(v.id, demo_day(), None).unwrap();
    s.complete_visit(v.id, demo_day(), None).unwrap();
    let r = clean_result(&s, v.id);
    s.submit_result(v.id, &r).unwrap();
    v
}

fn state_of(s: &Session, id: i64) -> VisitState {
    s.visit(id).unwrap().state
}

fn events(s: &Session, action: &str) -> Vec<shuangsuiji::domain::audit::AuditEvent> {
    let mut all = s
        .audit_events(&EventFilter {
            action_prefix: Some(action.to_string()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect::<Vec<_>>();
    // Oldest first, whatever order the log is listed in.
    all.sort_by_key(|e| e.seq);
    all
}

// ---------------------------------------------------------------------------------------------
// Item 9: publication by the team.

#[test]
fn the_team_marks_its_result_and_the_next_export_publishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = entered(&dir, "mark.db");
    let id = c.visit.id;
    let other = enter_another(&c.db, id);

    // Not the team's: an inspector of another team, an observer.
    let lead = open(&c.db, "lead.liu");
    let stranger = outsider(&lead, &c.visit);
    let observer = only(&lead, Role::Observer);
    drop(lead);
    let e = open(&c.db, &stranger).mark_for_publicity(id).unwrap_err();
    assert!(matches!(e, ServiceError::Denied { .. }), "{e}");
    assert!(
        e.to_string().contains("公示不属于自己检查组的检查结果"),
        "{e}"
    );
    let e = open(&c.db, &observer).mark_for_publicity(id).unwrap_err();
    assert!(matches!(e, ServiceError::Denied { .. }), "{e}");

    // The team's officer marks it, once.
    let mut s = open(&c.db, &c.officer);
    let mark = s.mark_for_publicity(id).unwrap();
    assert_eq!(mark.visit_id, id);
    assert_eq!(mark.marked_by, c.officer);
    assert_eq!(mark.day, demo_day());
    let again = s.mark_for_publicity(id).unwrap_err();
    assert!(again.to_string().contains("标记待公示"), "{again}");
    let logged = events(&s, "visit.publish");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].subject, id.to_string());
    assert_eq!(logged[0].seq, mark.audit_seq);
    // Marked, not published: still 已录入.
    assert_eq!(state_of(&s, id), VisitState::Entered);
    assert!(s.publication_marks().unwrap().contains_key(&id));
    drop(s);

    // The lead's export publishes it as the team's, and the unmarked result in the team's place.
    let mut lead = open(&c.db, "lead.liu");
    let r = lead
        .export_publicity(&dir.path().join("p.json"), Some(q2()))
        .unwrap();
    assert!(r.newly_published.contains(&id) && r.newly_published.contains(&other.id));
    assert!(r.marked.contains(&id) && !r.marked.contains(&other.id));
    assert!(r.unmarked.contains(&other.id) && !r.unmarked.contains(&id));
    assert_eq!(r.marked.len() + r.unmarked.len(), r.newly_published.len());
    assert!(r.rows.iter().any(|row| row.visit_id == id));
    assert!(r.rows.iter().any(|row| row.visit_id == other.id));
    let export = events(&lead, "publicity.export").pop().unwrap();
    let detail: serde_json::Value = serde_json::from_str(&export.detail).unwrap();
    assert!(
        detail["marked"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(id))
    );
    assert!(
        detail["unmarked"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(other.id))
    );
    assert_eq!(state_of(&lead, id), VisitState::Published);
    drop(lead);

    // Published: nothing left to mark.
    let e = open(&c.db, "lead.liu")
        .mark_for_publicity(other.id)
        .unwrap_err();
    assert!(e.to_string().contains("已公示"), "{e}");
}

#[test]
fn only_an_entered_result_is_marked_and_leads_and_principals_may_mark_any() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "steps.db", |_| true);
    // Completed, no result yet.
    let e = open(&c.db, &c.officer)
        .mark_for_publicity(c.visit.id)
        .unwrap_err();
    assert!(e.to_string().contains("不能公示"), "{e}");
    assert!(e.to_string().contains("已完成"), "{e}");
    let mut s = open(&c.db, &c.officer);
    let r = clean_result(&s, c.visit.id);
    s.submit_result(c.visit.id, &r).unwrap();
    drop(s);
    // The principal keeps what it may do: publish any result.
    let principal = only(&open(&c.db, "lead.liu"), Role::Principal);
    let m = open(&c.db, &principal)
        .mark_for_publicity(c.visit.id)
        .unwrap();
    assert_eq!(m.marked_by, principal);
    // A lead too, on another visit.
    let other = enter_another(&c.db, c.visit.id);
    assert!(open(&c.db, "lead.liu").mark_for_publicity(other.id).is_ok());
}

#[test]
fn a_marked_result_counts_as_unpublished_until_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let c = entered(&dir, "late.db");
    let id = c.visit.id;
    open(&c.db, &c.officer).mark_for_publicity(id).unwrap();
    // Entered on 05-20; 07-01 is more than 20 working days later.
    let later = day("2026-07-01");
    let lead = open_on(&c.db, "lead.liu", later);
    let o = lead.overview().unwrap();
    assert!(
        o.unpublished().iter().any(|(v, _)| *v == id),
        "marked, not exported: still flagged {:?}",
        o.unpublished()
    );
    let doctor = lead.doctor().unwrap();
    let publicity = doctor.iter().find(|f| f.check == "公示").unwrap();
    assert_eq!(publicity.level, "warn");
    assert!(
        publicity.detail.contains(&format!("{id} ")),
        "{}",
        publicity.detail
    );
    drop(lead);
    let mut lead = open_on(&c.db, "lead.liu", later);
    lead.export_publicity(&dir.path().join("p.csv"), None)
        .unwrap();
    let o = lead.overview().unwrap();
    assert!(!o.unpublished().iter().any(|(v, _)| *v == id));
    let doctor = lead.doctor().unwrap();
    let publicity = doctor.iter().find(|f| f.check == "公示").unwrap();
    assert!(
        !publicity.detail.contains(&format!("{id} ")),
        "{}",
        publicity.detail
    );
    assert_eq!(lead.visit(id).unwrap().dates.published, Some(later));
}

#[test]
fn the_command_line_publishes_for_the_team_and_lists_the_mark() {
    let dir = tempfile::tempdir().unwrap();
    let c = entered(&dir, "cli.db");
    let id = c.visit.id.to_string();
    let stranger = outsider(&open(&c.db, "lead.liu"), &c.visit);
    let o = run(&c.db, &["--as", &stranger, "visit", "publish", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("无权公示不属于自己检查组的检查结果"),
        "{}",
        stderr(&o)
    );
    let o = run(&c.db, &["--as", &c.officer, "visit", "publish", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("标记待公示"), "{}", stdout(&o));
    let o = run(&c.db, &["--as", &c.officer, "visit", "list", "--mine"]);
    let line = stdout(&o)
        .lines()
        .find(|l| l.trim_start().starts_with(&id))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(line.contains("已标记待公示"), "{}", stdout(&o));
    // The export says which results their team marked.
    let file = dir.path().join("p.csv");
    let o = run(
        &c.db,
        &[
            "--as",
            "lead.liu",
            "export",
            "publicity",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("其中检查组已标记待公示 1 项"),
        "{}",
        stdout(&o)
    );
}

/// The dashboard as drawn on a 120x40 terminal, one line per row.
fn screen_text(m: &shuangsuiji::tui::model::Model) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| views::render(f, m)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn the_dashboard_key_marks_a_result_for_its_team_only() {
    let dir = tempfile::tempdir().unwrap();
    let c = entered(&dir, "tui.db");
    let id = c.visit.id;
    let at =
        |m: &shuangsuiji::tui::model::Model| m.visits.list.iter().position(|v| v.id == id).unwrap();

    // An officer of another team: the key does nothing.
    let stranger = outsider(&open(&c.db, "lead.liu"), &c.visit);
    let mut s = open(&c.db, &stranger);
    let mut m = tui::model_for(&s, true);
    m.screen = ScreenId::Visits;
    load::visits(&s, &mut m).unwrap();
    m.visits.selected = at(&m);
    tui::handle(&mut s, &mut m, press(KeyCode::Char('p')));
    assert!(m.popup.is_none());
    assert!(s.publication_marks().unwrap().is_empty());
    drop(s);

    // The team's officer: asked, then marked; the list shows 待公示.
    let mut s = open(&c.db, &c.officer);
    let mut m = tui::model_for(&s, true);
    m.screen = ScreenId::Visits;
    load::visits(&s, &mut m).unwrap();
    m.visits.selected = at(&m);
    tui::handle(&mut s, &mut m, press(KeyCode::Char('p')));
    assert!(
        matches!(&m.popup, Some(Popup::Confirm { text, .. }) if text.contains("公示")),
        "a confirmation first"
    );
    tui::handle(&mut s, &mut m, press(KeyCode::Char('y')));
    assert!(s.publication_marks().unwrap().contains_key(&id));
    assert!(m.visits.marked.contains(&id));
    let status = m
        .status
        .as_ref()
        .map(|(t, _)| t.clone())
        .unwrap_or_default();
    assert!(status.contains("标记待公示"), "{status}");
    m.visits.selected = at(&m);
    let screen = screen_text(&m);
    // Wide characters take two cells, drawn as the character and a blank.
    let row = screen
        .lines()
        .find(|l| {
            l.split(['|', ' ', '>'])
                .find(|t| !t.is_empty())
                .is_some_and(|t| t == id.to_string())
        })
        .expect("the visit's row is on screen");
    assert!(row.replace(' ', "").contains("待公示"), "{row}");
    // Marked once: the key is not offered again.
    m.visits.selected = at(&m);
    tui::handle(&mut s, &mut m, press(KeyCode::Char('p')));
    assert!(m.popup.is_none());
}

/// A result corrected (with an approved reason) and followed up (with a note).
fn corrected_and_followed_up(
    dir: &tempfile::TempDir,
) -> (CompletedVisit, &'static str, &'static str) {
    const REASON: &str = "原录入漏记危废标识问题（内部）";
    const NOTE: &str = "企业负责人电话承诺三日内整改（内部）";
    let c = entered(dir, "remark.db");
    let id = c.visit.id;
    let mut s = open(&c.db, &c.officer);
    let fixed = problem_result(&s, id);
    let cid = s.file_correction(id, &fixed, REASON).unwrap();
    drop(s);
    let principal = only(&open(&c.db, "lead.liu"), Role::Principal);
    open(&c.db, &principal)
        .decide_correction(cid, true, "同意")
        .unwrap();
    open(&c.db, &c.officer)
        .add_followup(id, FollowUpKind::Rectify, "", NOTE)
        .unwrap();
    (c, REASON, NOTE)
}

fn remark_of(path: &Path, visit: &VisitView) -> String {
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let task = format!("{}/{}", visit.draw_id, visit.tasks[0]);
    rows.iter()
        .find(|r| r["抽查任务编号"] == task.as_str())
        .map(|r| r["备注"].as_str().unwrap().to_string())
        .expect("the visit's row")
}

#[test]
fn the_public_remark_keeps_internal_reasons_out_unless_the_bureau_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let (c, reason, note) = corrected_and_followed_up(&dir);

    // By default: the correction and the follow-up's outcome, not the reason nor the note.
    let first = dir.path().join("p1.json");
    open(&c.db, "lead.liu")
        .export_publicity(&first, Some(q2()))
        .unwrap();
    let remark = remark_of(&first, &c.visit);
    assert!(remark.contains("已更正（原结果：未发现问题）"), "{remark}");
    assert!(remark.contains("后续处理：责令改正办理中"), "{remark}");
    assert!(
        !remark.contains(reason) && !remark.contains("更正理由"),
        "{remark}"
    );
    assert!(!remark.contains(note), "{remark}");

    // Only the system's administrator changes the setting.
    let e = open(&c.db, "lead.liu")
        .set_publicity_remark(PublicRemark {
            correction_reason: true,
            followup_notes: true,
        })
        .unwrap_err();
    assert!(matches!(e, ServiceError::Denied { .. }), "{e}");
    let mut admin = open(&c.db, "admin.li");
    admin
        .set_publicity_remark(PublicRemark {
            correction_reason: true,
            followup_notes: true,
        })
        .unwrap();
    let logged = events(&admin, "settings.publicity_remark").pop().unwrap();
    let detail: serde_json::Value = serde_json::from_str(&logged.detail).unwrap();
    assert_eq!(detail["before"]["correction_reason"], false);
    assert_eq!(detail["after"]["correction_reason"], true);
    assert_eq!(detail["after"]["followup_notes"], true);
    assert!(
        admin
            .settings()
            .unwrap()
            .iter()
            .any(|(k, v)| k == "publicity_remark" && v.contains("correction_reason"))
    );
    drop(admin);

    // Chosen: both reach the public remark.
    let second = dir.path().join("p2.json");
    open(&c.db, "lead.liu")
        .export_publicity(&second, Some(q2()))
        .unwrap();
    let remark = remark_of(&second, &c.visit);
    assert!(
        remark.contains(&format!("已更正（原结果：未发现问题；更正理由：{reason}）")),
        "{remark}"
    );
    assert!(remark.contains(&format!("（说明：{note}）")), "{remark}");

    // Back to the default from the command line; an unknown part is named.
    let o = run(
        &c.db,
        &[
            "--as",
            "admin.li",
            "settings",
            "publicity-remark",
            "内部记录",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("“内部记录”"), "{}", stderr(&o));
    let o = run(&c.db, &["--as", "admin.li", "settings", "publicity-remark"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--clear"), "{}", stderr(&o));
    let o = run(
        &c.db,
        &[
            "--as",
            "admin.li",
            "settings",
            "publicity-remark",
            "followup-notes",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("另含后续处理说明"), "{}", stdout(&o));
    let only_notes = open(&c.db, "lead.liu").publicity_remark().unwrap();
    assert!(only_notes.followup_notes && !only_notes.correction_reason);
    let o = run(
        &c.db,
        &[
            "--as",
            "admin.li",
            "settings",
            "publicity-remark",
            "--clear",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        open(&c.db, "lead.liu").publicity_remark().unwrap(),
        PublicRemark::default()
    );
    let third = dir.path().join("p3.json");
    open(&c.db, "lead.liu")
        .export_publicity(&third, Some(q2()))
        .unwrap();
    let remark = remark_of(&third, &c.visit);
    assert!(
        !remark.contains(reason) && !remark.contains(note),
        "{remark}"
    );
}

#[test]
fn publication_marks_and_notices_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let c = entered(&dir, "append.db");
    open(&c.db, &c.officer)
        .mark_for_publicity(c.visit.id)
        .unwrap();
    let mut lead = open(&c.db, "lead.liu");
    lead.edit_plan(
        2026,
        "NB",
        PlanEdit::RemoveTask("NB-4".into()),
        "该事项由市局统一组织检查",
    )
    .unwrap();
    lead.write_plan_notice(2026, &dir.path().join("n.md"), Overwrite::Refuse)
        .unwrap();
    lead.mark_notice_sent("2026-1", demo_day()).unwrap();
    drop(lead);
    let raw = rusqlite::Connection::open(&c.db).unwrap();
    for t in [
        "publication_marks",
        "plan_notices",
        "plan_notice_changes",
        "plan_notice_sent",
    ] {
        let n: i64 = raw
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "{t}");
        for (sql, refused) in [
            (format!("DELETE FROM {t}"), "不能删除"),
            (
                format!("INSERT OR REPLACE INTO {t} SELECT * FROM {t} LIMIT 1"),
                "不能改写",
            ),
        ] {
            let err = raw.execute(&sql, []).expect_err(&sql);
            assert!(err.to_string().contains(refused), "{t}: {err}");
        }
    }
    let err = raw
        .execute("UPDATE publication_marks SET marked_by = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("不能修改"), "{err}");
    let err = raw
        .execute("UPDATE plan_notice_sent SET sent_on = '2026-01-01'", [])
        .unwrap_err();
    assert!(err.to_string().contains("不能修改"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Item 13: the written notice of plan changes.

/// Two changes to the year's internal plan by the lead: a task removed, the tiers changed.
fn two_changes(s: &mut Session) {
    s.edit_plan(
        2026,
        "NB",
        PlanEdit::RemoveTask("NB-4".into()),
        "该事项由市局统一组织检查",
    )
    .unwrap();
    s.edit_plan(
        2026,
        "NB",
        PlanEdit::Multipliers(TierMultipliers {
            low_pct: 100,
            normal_pct: 125,
            elevated_pct: 200,
            high_pct: 250,
        }),
        "按省厅新的信用分级要求调整",
    )
    .unwrap();
}

#[test]
fn plan_changes_are_sent_in_writing_by_numbered_notices() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "notice.db");
    let mut lead = open(&db, "lead.liu");
    let e = lead
        .write_plan_notice(2026, &dir.path().join("none.md"), Overwrite::Refuse)
        .unwrap_err();
    assert!(e.to_string().contains("没有调整"), "{e}");
    assert!(!dir.path().join("none.md").exists());
    two_changes(&mut lead);
    let status = lead.plan_change_status(2026).unwrap();
    assert_eq!(status.changes.len(), 2);
    assert!(status.changes.iter().all(|c| c.sent == ChangeSent::NotSent));

    // An inspector neither writes nor records notices.
    let inspector = only(&lead, Role::Inspector);
    let e = open(&db, &inspector)
        .write_plan_notice(2026, &dir.path().join("x.md"), Overwrite::Refuse)
        .unwrap_err();
    assert!(matches!(e, ServiceError::Denied { .. }), "{e}");

    // The first notice: both changes, a formal letter, owner-only.
    let md = dir.path().join("报送件.md");
    let n1 = lead
        .write_plan_notice(2026, &md, Overwrite::Refuse)
        .unwrap();
    assert_eq!(n1.id, "2026-1");
    assert_eq!(
        n1.changes,
        status
            .changes
            .iter()
            .map(|c| c.change.id)
            .collect::<Vec<_>>()
    );
    assert_eq!(n1.written_on, demo_day());
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.starts_with("# 关于调整2026年度“双随机、一公开”抽查计划的报告\n"),
        "{text}"
    );
    assert!(text.contains("编号：2026-1"), "{text}");
    assert!(
        text.contains("阳城县市场监管领域“双随机、一公开”监管工作领导小组办公室："),
        "{text}"
    );
    assert!(text.contains("阳分环发〔2024〕6号"), "{text}");
    assert!(text.contains("**一、") && text.contains("**二、"), "{text}");
    assert!(text.contains("删除任务 NB-4"), "{text}");
    assert!(
        text.contains(
            "信用风险递加倍数由 低×1、一般×1.5、较高×2、高×3 调整为 低×1、一般×1.25、较高×2、高×2.5"
        ),
        "{text}"
    );
    assert!(
        text.contains("调整理由：该事项由市局统一组织检查"),
        "{text}"
    );
    assert!(
        text.contains("调整人：") && text.contains("lead.liu"),
        "{text}"
    );
    assert!(text.contains("晋城市生态环境局阳城分局"), "{text}");
    assert!(text.contains("2026年5月20日"), "{text}");
    assert!(
        text.contains("经办人（签字）") && text.contains("负责人（签字）"),
        "{text}"
    );
    let mode = std::fs::metadata(&md).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let logged = events(&lead, "plans.notice").pop().unwrap();
    assert_eq!(logged.subject, "2026-1");
    assert_eq!(logged.seq, n1.audit_seq);

    // The same file again: refused, nothing recorded; with --force a new number.
    let e = lead
        .write_plan_notice(2026, &md, Overwrite::Refuse)
        .unwrap_err();
    assert!(e.to_string().contains("--force"), "{e}");
    assert_eq!(lead.plan_change_status(2026).unwrap().notices.len(), 1);
    let status = lead.plan_change_status(2026).unwrap();
    assert!(status.changes.iter().all(|c| c.sent
        == ChangeSent::Written {
            notices: vec!["2026-1".into()]
        }));

    // Sent: not in the future, not before it was written, once.
    let e = lead
        .mark_notice_sent("2026-1", day("2026-05-21"))
        .unwrap_err();
    assert!(e.to_string().contains("不能晚于今天"), "{e}");
    let e = lead
        .mark_notice_sent("2026-1", day("2026-05-19"))
        .unwrap_err();
    assert!(e.to_string().contains("不能早于"), "{e}");
    let e = lead.mark_notice_sent("2026-9", demo_day()).unwrap_err();
    assert!(e.to_string().contains("未找到"), "{e}");
    let e = lead.mark_notice_sent("第一号", demo_day()).unwrap_err();
    assert!(e.to_string().contains("2026-1"), "{e}");
    let sent = lead.mark_notice_sent("2026-1", demo_day()).unwrap();
    assert_eq!(sent.sent.as_ref().unwrap().on, demo_day());
    let e = lead.mark_notice_sent("2026-1", demo_day()).unwrap_err();
    assert!(e.to_string().contains("不能重复登记"), "{e}");
    assert_eq!(events(&lead, "plans.notice_sent").len(), 1);
    let status = lead.plan_change_status(2026).unwrap();
    assert!(status.changes.iter().all(|c| c.sent
        == ChangeSent::Sent {
            notice: "2026-1".into(),
            on: demo_day()
        }));
    let e = lead
        .write_plan_notice(2026, &dir.path().join("again.md"), Overwrite::Refuse)
        .unwrap_err();
    assert!(e.to_string().contains("均已报送"), "{e}");
    drop(lead);

    // A later change gets the next notice, covering it alone, as a workbook.
    let later = day("2026-06-10");
    let mut lead = open_on(&db, "lead.liu", later);
    lead.edit_plan(
        2026,
        "NB",
        PlanEdit::RemoveTask("NB-3".into()),
        "并入其他任务一并检查",
    )
    .unwrap();
    let xlsx = dir.path().join("报送件2.xlsx");
    let n2 = lead
        .write_plan_notice(2026, &xlsx, Overwrite::Refuse)
        .unwrap();
    assert_eq!(n2.id, "2026-2");
    assert_eq!(n2.changes.len(), 1);
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["报送件".to_string(), "调整明细".to_string()]
    );
    let letter: Vec<Vec<String>> = book
        .worksheet_range("报送件")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(letter.iter().any(|r| r[0] == "编号" && r[1] == "2026-2"));
    assert!(letter.iter().any(|r| r[0] == "负责人（签字）"));
    let details: Vec<Vec<String>> = book
        .worksheet_range("调整明细")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(details.len(), 2, "the header and the one change");
    assert!(details[1][3].contains("删除任务 NB-3"), "{:?}", details[1]);
    assert_eq!(details[1][5], "并入其他任务一并检查");

    // The annual report lists every change and whether it was sent.
    let report = lead.annual_report(2026).unwrap();
    assert_eq!(report.plan_changes.len(), 3);
    assert_eq!(
        report
            .plan_changes
            .iter()
            .filter(|c| c.sent.is_sent())
            .count(),
        2
    );
    let md_report = dir.path().join("annual.md");
    write_report(&report, &md_report, Overwrite::Refuse).unwrap();
    let text = std::fs::read_to_string(&md_report).unwrap();
    assert!(
        text.contains("- 计划调整：3 项，已书面报送领导小组办公室 2 项，未报送 1 项"),
        "{text}"
    );
    assert!(text.contains("已报送（2026-1，2026-05-20）"), "{text}");
    assert!(text.contains("已写入报送件 2026-2，未报送"), "{text}");
    let xlsx_report = dir.path().join("annual.xlsx");
    write_report(&report, &xlsx_report, Overwrite::Refuse).unwrap();
    let mut book = calamine::open_workbook_auto(&xlsx_report).unwrap();
    assert!(book.sheet_names().contains(&"计划调整".to_string()));
    let rows = book.worksheet_range("计划调整").unwrap().rows().count();
    assert_eq!(rows, 4, "a header and three changes");
    // A quarter's report has no plan changes.
    assert!(lead.quarter_report(q2()).unwrap().plan_changes.is_empty());
}

#[test]
fn the_command_line_writes_lists_and_records_notices() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "cli-notice.db");
    two_changes(&mut open(&db, "lead.liu"));
    let file = dir.path().join("n.md");
    let f = file.to_str().unwrap();
    let o = run(
        &db,
        &[
            "--as", "lead.liu", "plan", "changes", "--year", "2026", "--notice", f,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("2026-1"), "{}", stdout(&o));
    let o = run(
        &db,
        &[
            "--as", "lead.liu", "plan", "changes", "--year", "2026", "--notice", f,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "plan",
            "changes",
            "--mark-sent",
            "2026-1",
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--on"), "{}", stderr(&o));
    let o = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "plan",
            "changes",
            "--mark-sent",
            "2026-1",
            "--on",
            "2026-05-20",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已登记报送件 2026-1"), "{}", stdout(&o));
    let o = run(&db, &["plan", "changes", "--year", "2026"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("书面报送"), "{out}");
    assert_eq!(
        out.matches("已报送（2026-1，2026-05-20）").count(),
        2,
        "{out}"
    );
    assert!(out.contains("共 2 项，未报送 0 项"), "{out}");
    let o = run(&db, &["plan", "changes", "--year", "2026", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes = v.as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["sent"]["state"], "sent");
    assert_eq!(changes[0]["sent"]["notice"], "2026-1");
    assert!(changes[0]["reason"].is_string() && changes[0]["what"].is_string());
}

#[test]
fn a_non_road_machine_is_published_under_its_owner_and_the_owners_uscc() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "machines.db");
    let mut lead = open(&db, "lead.liu");
    let file = dir.path().join("all.json");
    lead.export_publicity(&file, None).unwrap();
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let mut checked = 0;
    for row in &rows {
        let remark = row["备注"].as_str().unwrap();
        let Some(code) = remark
            .split('；')
            .find_map(|p| p.strip_prefix("登记编码："))
        else {
            continue;
        };
        let machine = lead.show_entity(code).unwrap().entity.entity;
        if machine.owner.is_empty() {
            continue;
        }
        assert_eq!(row["企业名称"], machine.owner.as_str(), "{row}");
        assert_eq!(
            row["统一社会信用代码"],
            machine.owner_uscc.clone().unwrap_or_default().as_str(),
            "{row}"
        );
        assert!(
            remark.contains(&format!("检查对象：{}", machine.name)),
            "{row}"
        );
        checked += usize::from(machine.owner_uscc.is_some());
    }
    assert!(
        checked > 0,
        "the demo publishes a machine whose owner has a USCC"
    );
}
