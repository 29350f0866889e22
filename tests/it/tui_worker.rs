//! Long work does not block the dashboard (issue 11, item 16): preparing or running a draw
//! runs on the worker thread with a session of its own, while keys keep moving the cursor and
//! the status line shows the progress; a second long job is refused in one line, and the
//! result arrives as the usual outcome (or gives the dialog back with the error).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::services::Session;
use shuangsuiji::tui::model::{Effect, InputPurpose, Model, Popup, ScreenId};
use shuangsuiji::tui::worker::Worker;
use shuangsuiji::tui::{self, handle, views};
use unicode_width::UnicodeWidthStr;

use crate::support::{demo_copy, open};

fn key(s: &mut Session, m: &mut Model, code: KeyCode) {
    handle(s, m, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The screen at 80x24 as text, the blank cells under wide characters skipped.
fn screen(m: &Model) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| views::render(f, m)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for row in buf.content.chunks(80) {
        let mut skip = 0;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            out.push_str(c.symbol());
            skip = c.symbol().width().saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// The lead's dashboard on screen 3 at 80x24, long effects sent to the worker thread as the
/// terminal's event loop sends them.
fn draws_screen(db: &std::path::Path) -> (Session, Model) {
    let mut s = open(db, "lead.liu");
    let mut m = tui::model_for(&s, true);
    m.size = Some((80, 24));
    m.background = true;
    key(&mut s, &mut m, KeyCode::Char('3'));
    assert_eq!(m.screen, ScreenId::Draws);
    assert!(m.draws.list.len() >= 2, "the demo has draws to move over");
    (s, m)
}

/// `p`, the period typed over this quarter's, `Enter`.
fn prepare(s: &mut Session, m: &mut Model, period: &str) {
    key(s, m, KeyCode::Char('p'));
    for _ in 0..6 {
        key(s, m, KeyCode::Backspace);
    }
    for c in period.chars() {
        key(s, m, KeyCode::Char(c));
    }
    key(s, m, KeyCode::Enter);
}

#[test]
fn a_draw_prepares_on_the_worker_while_keys_move_the_cursor_and_the_progress_line_shows() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "worker.db");
    let (mut s, mut m) = draws_screen(&db);
    let before = m.draws.list.len();

    prepare(&mut s, &mut m, "2026Q3");
    // Nothing ran before the next key: the effect waits for the worker, the dialog is gone.
    assert!(m.popup.is_none(), "the dialog closed");
    let busy = m.busy.as_ref().expect("the prepare is long work");
    assert!(matches!(busy.effect, Some(Effect::PrepareDraw { .. })));
    assert_eq!(m.draws.list.len(), before, "not prepared inline");

    let mut work = Worker::default();
    work.start(&s, &mut m).unwrap();
    assert!(work.busy());

    // Keys keep working: the cursor moves, help opens and closes.
    let at = m.draws.selected;
    key(&mut s, &mut m, KeyCode::Char('j'));
    assert_eq!(
        m.draws.selected,
        at + 1,
        "the cursor moved while the draw is prepared"
    );
    key(&mut s, &mut m, KeyCode::Char('?'));
    assert!(matches!(m.popup, Some(Popup::Help(_))));
    key(&mut s, &mut m, KeyCode::Esc);
    assert!(m.popup.is_none());

    // The progress line: what runs, for how long, and that it cannot be cancelled.
    let shown = screen(&m);
    let status = shown.lines().last().unwrap();
    assert!(status.contains("准备抽取 2026Q3"), "{status}");
    assert!(status.contains("已用0秒"), "{status}");
    assert!(status.contains("抽取进行中，不能取消"), "{status}");
    // `Esc` does not stop it.
    key(&mut s, &mut m, KeyCode::Esc);
    assert!(m.busy.is_some());
    // `q` does not abandon it: the dashboard says it quits once the work is done (the loop
    // waits for the result before it returns).
    key(&mut s, &mut m, KeyCode::Char('q'));
    assert!(m.quit);
    let status = screen(&m).lines().last().unwrap().to_string();
    assert!(status.starts_with("完成后退出"), "{status}");
    m.quit = false;

    // A second long job is refused in one line; its dialog comes back as typed.
    prepare(&mut s, &mut m, "2026Q4");
    let (said, error) = m.status.clone().expect("the refusal is said");
    assert!(
        error && said.contains("请等「准备抽取 2026Q3」完成"),
        "{said}"
    );
    match &m.popup {
        Some(Popup::Input {
            purpose, fields, ..
        }) => {
            assert_eq!(purpose, &InputPurpose::PrepareDraw);
            assert_eq!(fields[0].lines()[0], "2026Q4", "the input is kept");
        }
        _ => panic!("the dialog is given back"),
    }
    key(&mut s, &mut m, KeyCode::Esc);
    key(&mut s, &mut m, KeyCode::Char('y'));
    assert!(m.popup.is_none());
    m.status = None;

    // The outcome, once it arrives: the draw's record opens and the dialog says it is done.
    assert!(work.wait(&mut s, &mut m));
    assert!(!work.busy() && m.busy.is_none());
    let (id, _) = m
        .draws
        .detail
        .clone()
        .expect("the prepared draw's record is open");
    assert!(id.starts_with("2026Q3"), "{id}");
    match &m.popup {
        Some(Popup::Message { lines, error, .. }) => {
            assert!(!error);
            assert!(lines.iter().any(|l| l.contains(&id)), "{lines:?}");
        }
        _ => panic!("the outcome is shown"),
    }
    assert_eq!(m.draws.list.len(), before + 1, "the list reloaded");
    let shown = screen(&m);
    assert!(!shown.contains("不能取消"), "the progress line is gone");
    // Only one draw was prepared (the refused one never ran), by the lead.
    let lead = open(&db, "lead.liu");
    let draws = lead.list_draws().unwrap();
    assert!(draws.iter().any(|d| d.id == id));
    assert!(!draws.iter().any(|d| d.id.starts_with("2026Q4")));
}

#[test]
fn a_failed_run_on_the_worker_gives_the_dialog_back_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "worker-fail.db");
    let (mut s, mut m) = draws_screen(&db);
    // The second quarter's draw waits for seeds: too short ones pass the dialog's own checks
    // only if the service is the one to refuse them; either way nothing typed is lost.
    while m.draws.list[m.draws.selected].id != "2026Q2-01" {
        key(&mut s, &mut m, KeyCode::Char('j'));
    }
    key(&mut s, &mut m, KeyCode::Char('r'));
    for c in "12".chars() {
        key(&mut s, &mut m, KeyCode::Char(c));
    }
    key(&mut s, &mut m, KeyCode::Tab);
    for c in "34".chars() {
        key(&mut s, &mut m, KeyCode::Char(c));
    }
    key(&mut s, &mut m, KeyCode::Enter);
    for c in "2026Q2-01".chars() {
        key(&mut s, &mut m, KeyCode::Char(c));
    }
    key(&mut s, &mut m, KeyCode::Enter);
    assert!(matches!(
        m.busy.as_ref().and_then(|b| b.effect.as_ref()),
        Some(Effect::RunDraw { .. })
    ));
    let mut work = Worker::default();
    work.start(&s, &mut m).unwrap();
    assert!(screen(&m).contains("运行抽取 2026Q2-01"));
    work.wait(&mut s, &mut m);
    match &m.popup {
        Some(Popup::Input {
            purpose,
            fields,
            error,
            ..
        }) => {
            assert_eq!(purpose, &InputPurpose::RunDraw("2026Q2-01".into()));
            assert_eq!(fields[0].lines()[0], "12");
            assert!(error.is_some(), "the error is named under the input");
        }
        _ => panic!("the seeds dialog is given back"),
    }
    assert!(m.busy.is_none());
    let lead = open(&db, "lead.liu");
    let d = lead
        .list_draws()
        .unwrap()
        .into_iter()
        .find(|d| d.id == "2026Q2-01")
        .unwrap();
    assert!(d.run.is_none(), "the refused run left the draw waiting");
}
