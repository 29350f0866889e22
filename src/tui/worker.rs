//! Long work off the event loop: a draw prepared or run on a big county, a record written.
//! The work runs on a thread of its own with a session of its own (the same user, database
//! and date: [`Session::reopen`]); the result comes back over a channel, and the event loop,
//! which polls with a short timeout while the work runs, hands it to
//! [`effects::finish`](super::effects::finish) on the dashboard's session.

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::effects::{self, Done};
use super::model::Model;
use crate::services::{Result, Session};

/// How often the event loop looks for the result (and the progress line's seconds) while
/// work runs. Idle, it waits for keys only.
pub const TICK: Duration = Duration::from_millis(100);

/// The worker thread, when one runs.
#[derive(Default)]
pub struct Worker {
    running: Option<Running>,
}

struct Running {
    result: Receiver<Done>,
    thread: JoinHandle<()>,
    started: Instant,
}

impl Worker {
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the long effect that `update` left in [`Model::busy`], if there is one and no
    /// work runs. A session that cannot be opened is said at once, as the effect's failure.
    pub fn start(&mut self, session: &Session, m: &mut Model) -> Result<()> {
        if self.running.is_some() {
            return Ok(());
        }
        let Some(effect) = m.busy.as_mut().and_then(|b| b.effect.take()) else {
            return Ok(());
        };
        let mut own = match session.reopen() {
            Ok(s) => s,
            Err(e) => {
                m.busy = None;
                m.busy_asked = None;
                return Err(e);
            }
        };
        let export_dir = m.export_dir.clone();
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            // The receiver may be gone (the dashboard quit): nothing is left to tell.
            let _ = tx.send(effects::work(&mut own, effect, &export_dir));
        });
        self.running = Some(Running {
            result: rx,
            thread,
            started: Instant::now(),
        });
        Ok(())
    }

    /// Looks for the result without waiting: applied when it is there, else the progress
    /// line's seconds brought up to date. True when the screen changed.
    pub fn poll(&mut self, session: &mut Session, m: &mut Model) -> bool {
        self.take(session, m, false)
    }

    /// Waits for the work to end and applies its result (nothing when none runs).
    pub fn wait(&mut self, session: &mut Session, m: &mut Model) -> bool {
        self.take(session, m, true)
    }

    fn take(&mut self, session: &mut Session, m: &mut Model, block: bool) -> bool {
        let Some(running) = &self.running else {
            return false;
        };
        let got = if block {
            running
                .result
                .recv()
                .map_err(|_| TryRecvError::Disconnected)
        } else {
            running.result.try_recv()
        };
        match got {
            Ok(done) => {
                self.end();
                effects::finish(session, m, done);
                true
            }
            Err(TryRecvError::Empty) => {
                let secs = running.started.elapsed().as_secs();
                match m.busy.as_mut() {
                    Some(b) if b.secs != secs => {
                        b.secs = secs;
                        true
                    }
                    _ => false,
                }
            }
            // The thread ended without a word (it panicked): say so, once.
            Err(TryRecvError::Disconnected) => {
                self.end();
                m.busy = None;
                m.busy_asked = None;
                m.status = Some((super::strings::WORKER_FAILED.to_string(), true));
                true
            }
        }
    }

    fn end(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.thread.join();
        }
    }
}
