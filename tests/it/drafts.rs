//! Drafts per user (issue 11, item 3) and input bursts (item 16): two officers of one team
//! typing into the same result keep their own drafts; the form names a teammate's draft and
//! when it was saved; a teammate's submission from the command line turns the other's open
//! form read only with a line in the status bar, no dialog, and their text starts a
//! correction; schema v13 carries a draft over; a paste is one insert and one draft save.
//!
//! The dashboard runs on its own event handler (`tui::handle`, `tui::handle_burst`, what the
//! terminal loop calls) and `tui::refresh` (what the loop calls when another process commits)
//! over a real database.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::calendar::short_time;
use shuangsuiji::services::Session;
use shuangsuiji::tui::model::{FormFocus, InputPurpose, Model, Popup, ReadOnly, ScreenId};
use shuangsuiji::tui::{self, handle};

use crate::support::{self, CompletedVisit, completed_visit, login_of, open, run, stdout};
use crate::tui_pty::harness::{ENTER, ESC, LEAVE_ALT_SCREEN, TAB, Term, rfind_bytes};

fn press(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn key(s: &mut Session, m: &mut Model, code: KeyCode) {
    handle(s, m, press(code));
}

fn keys(s: &mut Session, m: &mut Model, text: &str) {
    for c in text.chars() {
        key(s, m, KeyCode::Char(c));
    }
}

/// The screen at 100x30, as lines of text.
fn screen(m: &Model) -> String {
    support::drawn(m, 100, 30)
}

/// The dashboard of `login` with visit `id`'s result form open, the focus on `field`.
fn form_of(db: &std::path::Path, login: &str, id: i64, field: FormFocus) -> (Session, Model) {
    let mut s = open(db, login);
    let mut m = tui::model_for(&s, true);
    m.size = Some((100, 30));
    keys(&mut s, &mut m, "4");
    assert_eq!(m.screen, ScreenId::Visits);
    let at = m
        .visits
        .list
        .iter()
        .position(|v| v.id == id)
        .expect("the officer sees the visit");
    for _ in 0..at {
        key(&mut s, &mut m, KeyCode::Down);
    }
    key(&mut s, &mut m, KeyCode::Enter);
    let f = m.form.as_ref().expect("the result form opens");
    assert!(!f.read_only, "completed, on the team, not submitted");
    while m.form.as_ref().unwrap().focus != field {
        key(&mut s, &mut m, KeyCode::Tab);
    }
    (s, m)
}

/// A completed visit and the logins of two officers of its team.
fn two_officers(dir: &tempfile::TempDir) -> (CompletedVisit, String, String) {
    let c = completed_visit(dir, "drafts.db", |v| v.team.len() >= 2);
    let lead = open(&c.db, "lead.liu");
    let other = c
        .visit
        .team
        .iter()
        .map(|m| login_of(&lead, &m.inspector))
        .find(|l| *l != c.officer)
        .expect("a second officer on the team");
    let first = c.officer.clone();
    (c, first, other)
}

const BASIS: &str = "《中华人民共和国水污染防治法》第三十九条";

#[test]
fn two_members_typing_into_one_result_keep_both_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id;
    // Both open the result; A types a 违法依据, then B types one character into 检查发现.
    let (mut sa, mut ma) = form_of(&c.db, &a, id, FormFocus::LegalBasis);
    let (mut sb, mut mb) = form_of(&c.db, &b, id, FormFocus::Findings);
    keys(&mut sa, &mut ma, BASIS);
    keys(&mut sb, &mut mb, "x");
    assert!(ma.popup.is_none() && mb.popup.is_none());

    let va = sa.result_view(id).unwrap();
    let vb = sb.result_view(id).unwrap();
    let da = va.draft.expect("A's draft");
    let db = vb.draft.expect("B's draft");
    assert_eq!(
        (da.author.as_str(), da.result.legal_basis.as_str()),
        (a.as_str(), BASIS)
    );
    assert_eq!(da.result.findings, "", "B's key did not reach A's draft");
    assert_eq!(
        (db.author.as_str(), db.result.findings.as_str()),
        (b.as_str(), "x")
    );
    assert_eq!(db.result.legal_basis, "", "A's text is A's");
    // Each sees the other's by name and time, never the text.
    assert_eq!(
        va.teammate_drafts
            .iter()
            .map(|t| &t.author)
            .collect::<Vec<_>>(),
        [&b]
    );
    assert_eq!(
        vb.teammate_drafts
            .iter()
            .map(|t| &t.author)
            .collect::<Vec<_>>(),
        [&a]
    );
    assert_eq!(vb.teammate_drafts[0].updated_at, da.updated_at);
    // One more key from B still leaves A's text whole.
    keys(&mut sb, &mut mb, "y");
    let da = sa.result_view(id).unwrap().draft.unwrap();
    assert_eq!(da.result.legal_basis, BASIS);
    // The command line reads and writes one's own draft too.
    let shown = stdout(&run(
        &c.db,
        &["--as", &b, "result", "show", &id.to_string()],
    ));
    assert!(shown.contains("也有草稿"), "{shown}");
    assert!(
        !shown.contains(BASIS),
        "A's text is not shown to B:\n{shown}"
    );
}

#[test]
fn the_form_names_the_teammates_draft_and_when_it_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id;
    let (mut sa, mut ma) = form_of(&c.db, &a, id, FormFocus::LegalBasis);
    keys(&mut sa, &mut ma, BASIS);
    let saved = sa.result_view(id).unwrap().draft.unwrap().updated_at;
    let name_a = sa.user().name.clone();

    let (_sb, mb) = form_of(&c.db, &b, id, FormFocus::Findings);
    let text = screen(&mb);
    let line = format!("{name_a} 也有草稿（{} 保存）", short_time(&saved));
    assert!(text.contains(&line), "{line} on B's form:\n{text}");
    // Month, day and minute, not the stored RFC 3339 text.
    let t = short_time(&saved);
    assert_eq!(t.len(), "12-06 14:03".len(), "{t}");
    assert!(
        !text.contains(BASIS),
        "A's text is not on B's form:\n{text}"
    );
    // A, with no other draft yet, sees no such line.
    assert!(!screen(&ma).contains("也有草稿"));
}

/// A writes and submits the result from the command line, as A.
fn submit_from_cli(c: &CompletedVisit, a: &str) {
    let s = open(&c.db, a);
    let result = support::clean_result(&s, c.visit.id);
    drop(s);
    let file = c.db.with_file_name("result.toml");
    std::fs::write(&file, toml::to_string(&result).unwrap()).unwrap();
    let out = run(
        &c.db,
        &[
            "--as",
            a,
            "result",
            "submit",
            &c.visit.id.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
}

#[test]
fn a_cli_submit_turns_the_other_open_form_read_only_with_a_line_and_keys_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id;
    let (mut sb, mut mb) = form_of(&c.db, &b, id, FormFocus::Findings);
    keys(&mut sb, &mut mb, "现场未见异常");
    submit_from_cli(&c, &a);

    // What the loop does when `PRAGMA data_version` says another process committed.
    tui::refresh(&mut sb, &mut mb);
    let f = mb.form.as_ref().expect("the form stays open");
    assert!(f.read_only && f.read_only_why == Some(ReadOnly::Submitted));
    assert!(
        mb.popup.is_none(),
        "a line, not a dialog: \n{}",
        screen(&mb)
    );
    let (status, _) = mb.status.clone().expect("a notice");
    let name_a = open(&c.db, a.as_str()).user().name.clone();
    assert!(
        status.contains(&format!("已由 {name_a} 提交")) && status.contains("只读"),
        "{status}"
    );
    let text = screen(&mb);
    assert!(!text.contains("草稿已保存"), "{text}");
    assert!(text.contains("d 以我的草稿提交更正"), "{text}");
    // The read-only form as it then stands: the submitted result, the notice, the keys.
    // (Less the status line, which holds the temporary database's path.)
    let form: Vec<&str> = text.lines().collect();
    insta::assert_snapshot!(
        "submitted_meanwhile_100x30",
        form[..form.len() - 1].join("\n")
    );
    assert!(
        form[form.len() - 1].starts_with(&format!("#{id} 已由 {name_a} 提交，表单转为只读")),
        "{text}"
    );

    // The next keys act as keys: BackTab moves (to the categories), `?` opens help, which
    // says how to close it.
    key(&mut sb, &mut mb, KeyCode::BackTab);
    assert_eq!(mb.form.as_ref().unwrap().focus, FormFocus::Categories);
    key(&mut sb, &mut mb, KeyCode::Char('?'));
    assert!(matches!(mb.popup, Some(Popup::Help(_))));
    assert!(screen(&mb).contains("Enter 或 Esc 关闭"));
    // A key that means something closes the help and does it.
    key(&mut sb, &mut mb, KeyCode::Char('d'));
    assert!(mb.popup.is_none());
    let f = mb.form.as_ref().unwrap();
    assert!(f.correcting && !f.read_only, "`d` starts a correction");
    assert_eq!(f.result.findings, "现场未见异常", "from B's own draft");

    // B's draft stayed B's until the correction is filed.
    assert_eq!(
        sb.result_view(id).unwrap().draft.unwrap().result.findings,
        "现场未见异常"
    );
    while mb.form.as_ref().unwrap().focus != FormFocus::Submit {
        key(&mut sb, &mut mb, KeyCode::Tab);
    }
    key(&mut sb, &mut mb, KeyCode::Enter);
    assert!(matches!(
        mb.popup,
        Some(Popup::Input {
            purpose: InputPurpose::Correction(v),
            ..
        }) if v == id
    ));
    keys(&mut sb, &mut mb, "补记现场检查发现");
    key(&mut sb, &mut mb, KeyCode::Enter);
    assert!(mb.form.is_none(), "filed: \n{}", screen(&mb));
    let principal = open(&c.db, "principal.wang");
    let filed = principal
        .pending_corrections()
        .unwrap()
        .into_iter()
        .find(|x| x.visit_id == id)
        .expect("the correction waits for the principal");
    assert_eq!(filed.filed_by, b);
    assert_eq!(filed.result.findings, "现场未见异常");
    assert!(
        sb.result_view(id).unwrap().draft.is_none(),
        "the draft has served"
    );
}

#[test]
fn a_key_typed_after_a_teammates_submit_raises_no_dialog_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id;
    let (mut sb, mut mb) = form_of(&c.db, &b, id, FormFocus::Findings);
    keys(&mut sb, &mut mb, "现场");
    submit_from_cli(&c, &a);
    // Before the dashboard notices, B types one more character: its save finds the result
    // submitted.
    keys(&mut sb, &mut mb, "好");
    assert!(
        mb.popup.is_none(),
        "no \"结果已提交\" dialog: \n{}",
        screen(&mb)
    );
    let f = mb.form.as_ref().unwrap();
    assert!(f.read_only && f.read_only_why == Some(ReadOnly::Submitted));
    assert_eq!(
        f.own_draft.as_ref().map(|r| r.findings.as_str()),
        Some("现场好"),
        "what B typed, the refused key included"
    );
    assert!(mb.status.as_ref().unwrap().0.contains("只读"));
    // The next key is not swallowed: Esc goes back to the list.
    key(&mut sb, &mut mb, KeyCode::Esc);
    assert!(mb.form.is_none() && mb.popup.is_none());
    // The saved draft is the last one the result allowed.
    assert_eq!(
        sb.result_view(id).unwrap().draft.unwrap().result.findings,
        "现场"
    );
}

#[test]
fn migration_13_carries_an_existing_draft_over_under_its_author() {
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id;
    let result = {
        let s = open(&c.db, a.as_str());
        let mut r = support::clean_result(&s, id);
        r.remark = "升级前的草稿".into();
        r
    };
    // The database as schema 12 left it: one draft per visit.
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    conn.execute_batch(
        "DROP TABLE result_drafts;
         CREATE TABLE result_drafts (
             visit_id   INTEGER PRIMARY KEY REFERENCES visits(id),
             author     TEXT NOT NULL,
             data       TEXT NOT NULL,
             updated_at TEXT NOT NULL
         ) STRICT;",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO result_drafts VALUES (?1, ?2, ?3, '2026-12-06T14:03:00+08:00')",
        rusqlite::params![id, a, serde_json::to_string(&result).unwrap()],
    )
    .unwrap();
    conn.pragma_update(None, "user_version", 12).unwrap();
    drop(conn);

    let s = open(&c.db, a.as_str());
    let d = s.result_view(id).unwrap().draft.expect("carried over");
    assert_eq!(d.author, a);
    assert_eq!(d.result.remark, "升级前的草稿");
    assert_eq!(d.updated_at, "2026-12-06T14:03:00+08:00");
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, shuangsuiji::store::SCHEMA_VERSION);
    let key: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('result_drafts') WHERE pk > 0 ORDER BY pk")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(key, ["visit_id", "author"]);
    drop(conn);
    // Now the teammate can have a draft of their own beside it, and the rows stay bound.
    let mut sb = open(&c.db, b.as_str());
    let mut mine = support::clean_result(&sb, id);
    mine.remark = "另一份".into();
    sb.save_draft(id, &mine).unwrap();
    let d = s.result_view(id).unwrap().draft.unwrap();
    assert_eq!(d.result.remark, "升级前的草稿");
    assert!(sb.verify_rows().unwrap().problems.is_empty());
}

#[test]
fn a_paste_of_500_cjk_characters_is_one_insert_and_one_draft_save() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "paste.db", |_| true);
    let id = c.visit.id;
    let (mut s, mut m) = form_of(&c.db, &c.officer, id, FormFocus::Findings);
    let text: String = "检查发现废水排放口标识不清"
        .chars()
        .cycle()
        .take(500)
        .collect();

    let before = s.commits();
    handle(&mut s, &mut m, Event::Paste(text.clone()));
    assert_eq!(s.commits() - before, 1, "one draft save for the paste");
    assert_eq!(
        s.result_view(id).unwrap().draft.unwrap().result.findings,
        text
    );
    assert!(m.popup.is_none());
    assert_eq!(m.status.as_ref().unwrap().0, "草稿已保存");

    // Over the limit (500 for 检查发现): what fits goes in, and the line says what was left.
    handle(&mut s, &mut m, Event::Paste("多余的字".into()));
    let (status, error) = m.status.clone().unwrap();
    assert!(
        error && status.contains("检查发现最多500个字符") && status.contains("4个字符"),
        "{status}"
    );
    assert_eq!(
        m.form.as_ref().unwrap().result.findings.chars().count(),
        500
    );
}

#[test]
fn a_burst_of_keys_saves_its_draft_once() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "burst.db", |_| true);
    let id = c.visit.id;
    let (mut s, mut m) = form_of(&c.db, &c.officer, id, FormFocus::Remark);
    let typed = "复查时携带排污许可证副本";
    // As a terminal without bracketed paste delivers a paste: the keys, queued together.
    let burst: Vec<Event> = typed.chars().map(|c| press(KeyCode::Char(c))).collect();
    let before = s.commits();
    tui::handle_burst(&mut s, &mut m, burst);
    assert_eq!(s.commits() - before, 1, "one save for the burst");
    assert_eq!(
        s.result_view(id).unwrap().draft.unwrap().result.remark,
        typed
    );

    // One at a time, each key saves (what the burst saves is not a smaller draft).
    let before = s.commits();
    keys(&mut s, &mut m, "。");
    assert_eq!(s.commits() - before, 1);

    // A burst that types and then leaves the form keeps every key in the draft.
    let mut burst: Vec<Event> = "再".chars().map(|c| press(KeyCode::Char(c))).collect();
    burst.push(press(KeyCode::Esc));
    tui::handle_burst(&mut s, &mut m, burst);
    assert!(m.form.is_none());
    assert_eq!(
        s.result_view(id).unwrap().draft.unwrap().result.remark,
        format!("{typed}。再")
    );
}

#[test]
fn keys_queued_with_a_resize_act_on_the_screen_the_user_saw() {
    // Typed at "终端窗口太小" while the dashboard was busy, then the window grew: the key and
    // the resize arrive in one burst, in either order, and the key stays blind.
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "resize.db");
    for order in [[0, 1], [1, 0]] {
        let mut s = open(&db, "lead.liu");
        let mut m = tui::model_for(&s, true);
        m.size = Some((79, 24));
        let events = [Event::Resize(100, 30), press(KeyCode::Char('4'))];
        let burst: Vec<Event> = order.iter().map(|&i| events[i].clone()).collect();
        assert!(tui::handle_burst(&mut s, &mut m, burst));
        assert_eq!(m.size, Some((100, 30)), "{order:?}");
        assert_eq!(
            m.screen,
            ScreenId::Overview,
            "{order:?}: the blind `4` did nothing"
        );
        // The next key, typed at the new size, acts.
        key(&mut s, &mut m, KeyCode::Char('4'));
        assert_eq!(m.screen, ScreenId::Visits);
    }
}

#[test]
fn a_paste_outside_a_text_field_does_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "nowhere.db", |_| true);
    let mut s = open(&c.db, c.officer.as_str());
    let mut m = tui::model_for(&s, true);
    m.size = Some((100, 30));
    keys(&mut s, &mut m, "4");
    let before = (m.screen, m.visits.selected, s.commits());
    // "q" and "s" would quit and start a visit if replayed as keys.
    handle(&mut s, &mut m, Event::Paste("qs2".into()));
    assert!(!m.quit);
    assert_eq!((m.screen, m.visits.selected, s.commits()), before);
    assert!(m.status.as_ref().unwrap().0.contains("粘贴只能用于文字栏"));
}

/// Bracketed paste as a terminal sends it.
fn bracketed(text: &str) -> String {
    format!("\x1b[200~{text}\x1b[201~")
}

/// End to end, in a pseudo-terminal: the real binary as B, a paste into 检查发现, then A's
/// submission from the command line in its own process.
#[test]
fn in_a_terminal_a_paste_is_kept_and_a_teammates_submit_turns_the_form_read_only() {
    let slow = std::time::Duration::from_secs(15);
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id;
    let mut t = Term::dashboard(&c.db, Some(&b), 100, 30);
    t.wait_for("本年各任务进度", slow);
    t.send("4");
    t.wait_for("检查组", slow);
    t.send("/");
    t.send(&format!("#{id} {}", c.visit.entity));
    t.send(ENTER);
    t.send(ENTER);
    t.wait_for(&format!("结果录入 {id}"), slow);
    t.send(TAB);
    t.send(TAB);
    // `q` and `?` inside a paste are text, not keys that quit or open the help.
    let text = "现场检查q?未见异常，台账齐全";
    t.send(&bracketed(text));
    t.wait_for("台账齐全", slow);
    t.wait_for("草稿已保存", slow);
    let s = open(&c.db, b.as_str());
    assert_eq!(
        s.result_view(id).unwrap().draft.unwrap().result.findings,
        text
    );

    submit_from_cli(&c, &a);
    let name_a = s.result_view(id).unwrap().submitted_by_name.unwrap();
    // Noticed by polling PRAGMA data_version, without a key.
    let screen = t.wait_for(&format!("已由 {name_a} 提交"), slow);
    assert!(!screen.contains("错误"), "no dialog:\n{screen}");
    t.send("d");
    t.wait_for("更正中", slow);
    t.send(ESC);
    t.wait_gone("结果录入", slow);
    let raw = t.quit();
    // Bracketed paste on while running, off again on the way out.
    let leave = rfind_bytes(&raw, LEAVE_ALT_SCREEN).expect("left the alternate screen");
    assert!(rfind_bytes(&raw[..leave], b"\x1b[?2004h").is_some());
    assert!(rfind_bytes(&raw, b"\x1b[?2004l").is_some());
    // B's own draft stays B's (the correction was not filed).
    assert_eq!(
        s.result_view(id).unwrap().draft.unwrap().result.findings,
        text
    );
}

/// `result draft` on the command line saves the user's own draft; `result show --json` gives
/// the user theirs and names the teammate's.
#[test]
fn the_command_line_keeps_one_draft_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let (c, a, b) = two_officers(&dir);
    let id = c.visit.id.to_string();
    let s = open(&c.db, a.as_str());
    for (login, remark) in [(&a, "甲的备注"), (&b, "乙的备注")] {
        let mut r = support::clean_result(&s, c.visit.id);
        r.remark = remark.into();
        let file = dir.path().join(format!("{login}.toml"));
        std::fs::write(&file, toml::to_string(&r).unwrap()).unwrap();
        let out = run(
            &c.db,
            &[
                "--as",
                login,
                "result",
                "draft",
                &id,
                "--file",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", support::stderr(&out));
    }
    let json = stdout(&run(&c.db, &["--as", &a, "result", "show", &id, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["draft"]["author"], a.as_str());
    assert_eq!(v["draft"]["result"]["remark"], "甲的备注");
    assert_eq!(v["teammate_drafts"][0]["author"], b.as_str());
    assert!(v["teammate_drafts"][0].get("result").is_none());
    assert!(!json.contains("乙的备注"), "B's text is B's:\n{json}");
}
