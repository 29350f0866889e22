//! The real binary in a pseudo-terminal: keys go in through the pty, every byte that comes out
//! is fed to a `vt100` parser (and kept, and counted), and tests read the parsed screen.
//!
//! Shared by `tests/it/tui_pty.rs` and `benches/tui.rs` (both include it with `#[path]`).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// The binary under test (built by cargo for integration tests and benchmarks).
pub const BIN: &str = env!("CARGO_BIN_EXE_shuangsuiji");

/// The date the demo copies are built for.
pub const TODAY: &str = crate::support::DEMO_DAY;

pub const ENTER: &str = "\r";
pub const TAB: &str = "\t";
pub const ESC: &str = "\x1b";
pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";
pub const BACKSPACE: &str = "\x7f";
pub const CTRL_C: &str = "\x03";

/// Leaves the alternate screen.
pub const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
/// Shows the cursor.
pub const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// When the first bytes arrived, when the screen first showed any text, and when the
    /// latest bytes arrived.
    first: Option<Instant>,
    first_text: Option<Instant>,
    last: Instant,
    /// The pty closed: the child and everything it started have gone.
    eof: bool,
}

/// One running program in a pseudo-terminal.
pub struct Term {
    out: Arc<Mutex<Output>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
    /// When the child was spawned.
    pub started: Instant,
    status: Option<ExitStatus>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The arguments that open the dashboard on `db` as of [`TODAY`].
pub fn dashboard_args(db: &Path, login: Option<&str>) -> Vec<String> {
    let mut args = vec![
        "--db".to_string(),
        db.display().to_string(),
        "--today".to_string(),
        TODAY.to_string(),
    ];
    if let Some(login) = login {
        args.push("--as".to_string());
        args.push(login.to_string());
    }
    args.push("dashboard".to_string());
    args
}

impl Term {
    /// Starts the binary with `args` in a `cols`×`rows` pseudo-terminal.
    pub fn spawn(args: &[String], cols: u16, rows: u16) -> Term {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("SHUANGSUIJI_DB");
        cmd.env_remove("SHUANGSUIJI_TODAY");
        if let Some(dir) = std::env::temp_dir().to_str() {
            cmd.cwd(dir);
        }
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn the binary");
        // Only the child holds the slave now, so the reader sees EOF when it exits.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let out = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(rows.max(1)).unwrap(),
                std::num::NonZeroU16::new(cols.max(1)).unwrap(),
                0,
            ),
            raw: Vec::new(),
            first: None,
            first_text: None,
            last: started,
            eof: false,
        }));
        let shared = Arc::clone(&out);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut o = shared.lock().unwrap();
                        o.parser.process(&buf[..n]);
                        o.raw.extend_from_slice(&buf[..n]);
                        let now = Instant::now();
                        o.first.get_or_insert(now);
                        if o.first_text.is_none() && !o.parser.screen().contents().trim().is_empty()
                        {
                            o.first_text = Some(now);
                        }
                        o.last = now;
                    }
                }
            }
            shared.lock().unwrap().eof = true;
        });
        Term {
            out,
            writer,
            master: pair.master,
            child,
            reader: Some(reader),
            started,
            status: None,
        }
    }

    /// Opens the dashboard on `db` (as of [`TODAY`], optionally `--as login`).
    pub fn dashboard(db: &Path, login: Option<&str>, cols: u16, rows: u16) -> Term {
        Term::spawn(&dashboard_args(db, login), cols, rows)
    }

    fn out(&self) -> MutexGuard<'_, Output> {
        self.out.lock().unwrap()
    }

    /// Types `keys` (one write). A lone Esc is followed by a pause, so that the next key is
    /// not read together with it as Alt+key.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
        if keys == ESC {
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Types each character of `text` in its own write, a little apart, as a person would.
    pub fn type_slowly(&mut self, text: &str, gap: Duration) {
        let mut buf = [0u8; 4];
        for c in text.chars() {
            self.send(c.encode_utf8(&mut buf));
            std::thread::sleep(gap);
        }
    }

    /// The text of the parsed screen.
    pub fn contents(&self) -> String {
        self.out().parser.screen().contents()
    }

    /// (on the alternate screen, cursor hidden), as the parsed terminal stands.
    pub fn modes(&self) -> (bool, bool) {
        let o = self.out();
        (
            o.parser.screen().alternate_screen(),
            o.parser.screen().hide_cursor(),
        )
    }

    /// All bytes the program has written so far.
    pub fn bytes(&self) -> usize {
        self.out().raw.len()
    }

    /// A copy of everything the program has written.
    pub fn raw(&self) -> Vec<u8> {
        self.out().raw.clone()
    }

    /// When the first byte arrived.
    pub fn first_output(&self) -> Option<Instant> {
        self.out().first
    }

    /// The names of the pty's local mode flags (`ICANON`, `ECHO`, …): raw mode has neither.
    pub fn local_modes(&self) -> Option<Vec<String>> {
        let termios = self.master.get_termios()?;
        let flags = format!("{:?}", termios.local_flags);
        Some(
            flags
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    /// When the screen first showed any text.
    pub fn first_text(&self) -> Option<Instant> {
        self.out().first_text
    }

    /// Sends `keys` and counts the bytes written in answer: from the key until nothing more
    /// has come for `quiet`.
    pub fn bytes_for(&mut self, keys: &str, quiet: Duration) -> usize {
        let before = self.settle(quiet, Duration::from_secs(60));
        self.send(keys);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.bytes() == before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        self.settle(quiet, Duration::from_secs(60)) - before
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Waits until `pred` holds for the screen's text, or panics with the screen.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let (text, eof) = {
                let o = self.out();
                (o.parser.screen().contents(), o.eof)
            };
            if pred(&text) {
                return text;
            }
            if Instant::now() >= deadline || eof {
                panic!(
                    "{} waiting for {what} ({:.1} s); the screen:\n{text}",
                    if eof {
                        "the program ended"
                    } else {
                        "timed out"
                    },
                    timeout.as_secs_f64()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the screen shows `text`; returns the screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?}"), timeout, |s| s.contains(text))
    }

    /// Waits until the screen no longer shows `text`; returns the screen.
    pub fn wait_gone(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(&format!("{text:?} to go"), timeout, |s| !s.contains(text))
    }

    /// Waits until nothing has been written for `quiet` (or `max` has passed); returns the
    /// number of bytes written so far.
    pub fn settle(&self, quiet: Duration, max: Duration) -> usize {
        let deadline = Instant::now() + max;
        loop {
            let (last, n) = {
                let o = self.out();
                (o.last, o.raw.len())
            };
            let now = Instant::now();
            if now.duration_since(last) >= quiet || now >= deadline {
                return n;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Resizes the pseudo-terminal (the program gets SIGWINCH) and the parser with it.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        {
            let mut o = self.out();
            o.parser.set_size(
                std::num::NonZeroU16::new(rows).unwrap(),
                std::num::NonZeroU16::new(cols).unwrap(),
            );
        }
        self.master
            .resize(size(cols, rows))
            .expect("resize the pty");
    }

    /// Waits for the program to end on its own.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        if let Some(s) = &self.status {
            return s.clone();
        }
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.status = Some(status.clone());
                // Let the reader drain what was written last.
                let until = Instant::now() + Duration::from_secs(5);
                while !self.out().eof && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(10));
                }
                if let Some(r) = self.reader.take()
                    && self.out().eof
                {
                    let _ = r.join();
                }
                return status;
            }
            if Instant::now() >= deadline {
                let screen = self.contents();
                let _ = self.child.kill();
                panic!(
                    "the program did not exit within {:.1} s; the screen:\n{screen}",
                    timeout.as_secs_f64()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Presses `q`, waits for the program to exit, asserts it succeeded; returns everything
    /// it wrote.
    pub fn quit(&mut self) -> Vec<u8> {
        self.send("q");
        let status = self.wait_exit(Duration::from_secs(10));
        assert!(
            status.success(),
            "the dashboard exited with {status:?}; the screen:\n{}",
            self.contents()
        );
        self.raw()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if self.status.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// How many frames `bytes` holds (each is wrapped in a synchronized update).
pub fn frames(bytes: &[u8]) -> usize {
    bytes.windows(8).filter(|w| w == b"\x1b[?2026h").count()
}

/// Where `needle` last occurs in `hay`.
pub fn rfind_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
