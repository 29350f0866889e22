//! Forms in the dashboard against a real database: a team member sees the principal's
//! rejection of their correction with its reason, and files a new correction from the form
//! (issue 11 items 6 and 7 of the list: "No way to correct from the TUI").

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::services::Session;
use shuangsuiji::tui::model::{InputPurpose, Model, Popup, ReadOnly, ScreenId};
use shuangsuiji::tui::{self, handle};

use crate::support::{demo_copy, open};

fn key(s: &mut Session, m: &mut Model, code: KeyCode) {
    handle(s, m, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(s: &mut Session, m: &mut Model, text: &str) {
    for c in text.chars() {
        key(s, m, KeyCode::Char(c));
    }
}

/// The screen at 80x24, as lines of text.
fn screen(m: &Model) -> String {
    crate::support::drawn(m, 80, 24)
}

#[test]
fn a_rejected_correction_shows_its_reason_and_a_new_one_is_filed_from_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "forms.db");
    let mut principal = open(&db, "principal.wang");
    let pending = principal.pending_corrections().unwrap();
    let c = pending
        .first()
        .expect("the demo has a correction waiting")
        .clone();
    principal
        .decide_correction(c.id, false, "备注与现场记录不一致")
        .unwrap();

    // The filer opens the visit's result on screen 4.
    let mut s = open(&db, c.filed_by.as_str());
    let mut m = tui::model_for(&s, true);
    m.size = Some((80, 24));
    keys(&mut s, &mut m, "4");
    assert_eq!(m.screen, ScreenId::Visits);
    let at = m
        .visits
        .list
        .iter()
        .position(|v| v.id == c.visit_id)
        .expect("the filer sees the visit");
    for _ in 0..at {
        key(&mut s, &mut m, KeyCode::Down);
    }
    key(&mut s, &mut m, KeyCode::Enter);
    let f = m.form.as_ref().expect("the result form opens");
    assert!(f.read_only && f.read_only_why == Some(ReadOnly::Submitted));
    assert!(f.may_correct, "on the team, submitted, nothing waiting");
    let text = screen(&m);
    assert!(
        text.contains(&format!("更正 #{} 已驳回", c.id)) && text.contains("备注与现场记录不一致"),
        "the rejection and its reason are on screen:\n{text}"
    );
    assert!(text.contains("按 e 提交更正"), "{text}");

    // e: the form becomes a correction; the remark is changed and filed with a reason.
    keys(&mut s, &mut m, "e");
    let f = m.form.as_ref().unwrap();
    assert!(f.correcting && !f.read_only);
    for _ in 0..6 {
        key(&mut s, &mut m, KeyCode::Tab);
    }
    keys(&mut s, &mut m, "（补正）");
    key(&mut s, &mut m, KeyCode::Tab);
    key(&mut s, &mut m, KeyCode::Enter);
    assert!(
        matches!(&m.popup, Some(Popup::Input { purpose: InputPurpose::Correction(v), .. }) if *v == c.visit_id),
        "Enter on 提交 asks the correction's reason"
    );
    // Too short a reason: the service refuses and the dialog comes back with it.
    keys(&mut s, &mut m, "补正");
    key(&mut s, &mut m, KeyCode::Enter);
    match &m.popup {
        Some(Popup::Input { error: Some(e), .. }) => assert!(e.contains("至少4个字"), "{e}"),
        _ => panic!("the reason dialog is given back with the error"),
    }
    assert!(m.form.is_some(), "the correction is still open");
    keys(&mut s, &mut m, "备注信息");
    key(&mut s, &mut m, KeyCode::Enter);
    assert!(m.popup.is_none() && m.form.is_none());
    let status = m
        .status
        .as_ref()
        .map(|(t, _)| t.clone())
        .unwrap_or_default();
    assert!(status.contains("已提交更正"), "{status}");

    let now = open(&db, "principal.wang").pending_corrections().unwrap();
    let filed = now
        .iter()
        .find(|x| x.visit_id == c.visit_id)
        .expect("a new correction waits for the principal");
    assert_ne!(filed.id, c.id);
    assert_eq!(filed.filed_by, c.filed_by);
    assert_eq!(filed.reason, "补正备注信息");
    assert!(
        filed.result.remark.ends_with("（补正）"),
        "{:?}",
        filed.result.remark
    );
}

#[test]
fn no_correction_key_for_those_off_the_team_and_while_one_waits() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "forms-wait.db");
    let c = open(&db, "principal.wang").pending_corrections().unwrap()[0].clone();
    // The filer, while their correction waits: the form says so, and e does nothing.
    let mut s = open(&db, c.filed_by.as_str());
    let mut m = tui::model_for(&s, true);
    m.size = Some((80, 24));
    keys(&mut s, &mut m, "4");
    let at = m
        .visits
        .list
        .iter()
        .position(|v| v.id == c.visit_id)
        .unwrap();
    for _ in 0..at {
        key(&mut s, &mut m, KeyCode::Down);
    }
    key(&mut s, &mut m, KeyCode::Enter);
    assert!(!m.form.as_ref().unwrap().may_correct);
    assert!(screen(&m).contains(&format!("更正 #{} 待审批", c.id)));
    keys(&mut s, &mut m, "e");
    assert!(
        m.form.as_ref().unwrap().read_only,
        "e does not open a second correction"
    );
}
