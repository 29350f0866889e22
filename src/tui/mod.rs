//! 仪表盘 (the dashboard): a keyboard-first ratatui app over the same services as the command
//! line. It draws only when something changed — a key, another user's commit (noticed by
//! polling `PRAGMA data_version` about once a second), or the day turning — never on a timer.

pub mod backend;
pub mod diff;
mod effects;
pub mod full;
pub mod keymap;
pub mod load;
pub mod model;
pub mod msg;
pub mod record;
pub mod search;
pub mod select;
pub mod strings;
mod terminal;
pub mod text;
pub mod theme;
pub mod update;
pub mod views;
pub mod worker;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::services::{Mode, Session};
use model::Model;

/// How often to look for other users' changes.
pub const POLL: Duration = Duration::from_millis(1000);

/// A model for a session, before anything is loaded.
pub fn model_for(session: &Session, ascii: bool) -> Model {
    Model::new(
        theme::Theme::from_env(ascii),
        load::viewer(session),
        session.db_path().display().to_string(),
        session.mode() == Mode::Demo,
        session.today(),
    )
}

/// Handles one event; true when the screen must be redrawn.
pub fn handle(session: &mut Session, m: &mut Model, ev: Event) -> bool {
    handle_burst(session, m, [ev])
}

/// Handles a burst of events queued together (keys typed faster than they are drawn, or a
/// paste in a terminal without bracketed paste): each is applied in turn, but the draft is
/// saved once, with the text as the burst left it, not once per key. Any other effect first
/// saves what is pending, so the order of writes is kept. True when the screen must be
/// redrawn.
pub fn handle_burst(
    session: &mut Session,
    m: &mut Model,
    events: impl IntoIterator<Item = Event>,
) -> bool {
    let mut pending = None;
    let mut dirty = false;
    // A warning a key raised (a paste cut at the field's limit) outlives "草稿已保存".
    let mut warned = None;
    // Keys queued with a resize were typed at the screen the user saw, not at the new size
    // (which the order of a burst's events does not tell): the size changes after them.
    let mut resized = None;
    for ev in events {
        let before = m.status.clone();
        let effects = match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => update::key(m, k),
            Event::Paste(text) => update::paste(m, &text),
            Event::Resize(width, height) => {
                resized = Some((width, height));
                dirty = true;
                continue;
            }
            _ => continue,
        };
        dirty = true;
        if m.status != before && m.status.as_ref().is_some_and(|(_, error)| *error) {
            warned = m.status.clone();
        }
        for effect in effects {
            if effect == model::Effect::SaveDraft {
                // The text as it stands now: a later key may close the form.
                pending = m
                    .form
                    .as_ref()
                    .and_then(|f| Some((f.visit()?.id, f.result.clone())));
            } else {
                effects::save_pending(session, m, &mut pending);
                effects::apply(session, m, effect);
            }
        }
        if m.quit {
            break;
        }
    }
    effects::save_pending(session, m, &mut pending);
    if resized.is_some() {
        m.size = resized;
    }
    if warned.is_some()
        && m.status
            .as_ref()
            .is_some_and(|(t, _)| t == strings::DRAFT_SAVED)
    {
        m.status = warned;
    }
    dirty
}

/// The events already queued after `first`, read without waiting: one burst.
fn drain(first: Event) -> std::io::Result<Vec<Event>> {
    let mut burst = vec![first];
    while event::poll(Duration::ZERO)? {
        burst.push(event::read()?);
    }
    Ok(burst)
}

/// Reloads what is on screen after someone else's change or a new day.
pub fn refresh(session: &mut Session, m: &mut Model) {
    m.today = session.today();
    if let Err(e) = load::current(session, m) {
        m.status = Some((e.to_string(), true));
    }
    if m.screen != model::ScreenId::Overview {
        let _ = load::overview(session, m);
    }
    // An open result form: a teammate's submission turns it read only at once.
    if let Err(e) = load::form(session, m, false) {
        m.status = Some((e.to_string(), true));
    }
}

/// Whether clearing the terminal before drawing `new` over `old` writes fewer bytes than the
/// cell-by-cell update. Both are written into a counter with our backend and compared: the
/// update writes a space over every cell whose text goes away, the clear makes every
/// unchanged text cell be written again. (A screen switch may gain; a list step never.)
pub fn clear_pays(old: &Buffer, new: &Buffer) -> bool {
    use ratatui::backend::Backend;
    if old.area != new.area {
        return false;
    }
    let cost = |from: &Buffer| {
        let mut b = backend::WideBackend::new(Counter(0));
        // On the terminal: `from` (an erase may then run where it cuts no wide character).
        b.showing(from.clone());
        b.expect(new.clone());
        let _ = b.draw(from.diff(new).into_iter());
        b.writer().0
    };
    // ESC[2J and the cursor put back.
    cost(&Buffer::empty(new.area)) + 12 < cost(old)
}

/// Counts what is written.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders off screen first and says whether the frame differs from the last one drawn, so a
/// key that changes nothing writes nothing to the terminal.
struct Shadow {
    terminal: Terminal<TestBackend>,
    last: Option<(Buffer, Option<ratatui::layout::Position>)>,
}

/// The in-memory backend cannot fail.
fn sure<T>(r: Result<T, std::convert::Infallible>) -> T {
    match r {
        Ok(t) => t,
        Err(never) => match never {},
    }
}

impl Shadow {
    fn new() -> std::io::Result<Shadow> {
        Ok(Shadow {
            terminal: sure(Terminal::new(TestBackend::new(1, 1))),
            last: None,
        })
    }

    /// Whether the frame changed, and whether clearing first pays ([`clear_pays`]).
    fn changed(&mut self, size: ratatui::layout::Size, m: &Model) -> std::io::Result<(bool, bool)> {
        if sure(self.terminal.size()) != size {
            // The test backend keeps its own size; resize it as well as the terminal.
            self.terminal.backend_mut().resize(size.width, size.height);
            sure(
                self.terminal
                    .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height)),
            );
            self.last = None;
        }
        sure(self.terminal.draw(|f| views::render(f, m)));
        let cursor = {
            use ratatui::backend::Backend;
            let b = self.terminal.backend_mut();
            b.get_cursor_position().ok()
        };
        let frame = (self.terminal.backend().buffer().clone(), cursor);
        let changed = self.last.as_ref() != Some(&frame);
        let clear = self
            .last
            .as_ref()
            .is_some_and(|(old, _)| clear_pays(old, &frame.0));
        self.last = Some(frame);
        Ok((changed, clear))
    }
}

/// Runs the dashboard until the user quits. The terminal is restored however it ends.
pub fn run(mut session: Session, ascii: bool) -> std::io::Result<()> {
    let mut m = model_for(&session, ascii);
    // Long effects go to the worker thread; keys keep working meanwhile.
    m.background = true;
    let mut work = worker::Worker::default();
    let mut screen = terminal::Screen::enter()?;
    let size = screen.terminal.size()?;
    m.size = Some((size.width, size.height));
    let mut shadow = Shadow::new()?;
    let mut draw = |screen: &mut terminal::Screen, m: &Model, force: bool| -> std::io::Result<()> {
        let size = screen.terminal.size()?;
        let (changed, clear) = shadow.changed(size, m)?;
        if changed || force {
            // The frame about to be written: blank runs may be erased in place.
            if let Some((frame, _)) = &shadow.last {
                screen.terminal.backend_mut().expect(frame.clone());
            }
            screen.draw(clear && !force, |f| views::render(f, m))?;
        }
        Ok(())
    };
    // The first frame comes before anything heavy is loaded.
    draw(&mut screen, &m, true)?;
    if let Err(e) = load::overview(&session, &mut m) {
        m.status = Some((e.to_string(), true));
    }
    draw(&mut screen, &m, false)?;
    if load::key_coverage(&session, &mut m).is_ok() {
        draw(&mut screen, &m, false)?;
    }
    let mut version = session.data_version().unwrap_or(0);
    let mut day = session.today();
    let mut looked = Instant::now();
    loop {
        if m.quit {
            if !work.busy() {
                return Ok(());
            }
            // Started work is not abandoned: the dashboard quits once it is done.
            draw(&mut screen, &m, false)?;
            work.wait(&mut session, &mut m);
            return Ok(());
        }
        let mut dirty = false;
        let mut resized = false;
        let mut wait = POLL.saturating_sub(looked.elapsed());
        if work.busy() {
            wait = wait.min(worker::TICK);
        }
        if event::poll(wait)? {
            // Handle everything queued, then draw once; the burst saves its draft once.
            let burst = drain(event::read()?)?;
            resized |= burst.iter().any(|ev| matches!(ev, Event::Resize(..)));
            dirty |= handle_burst(&mut session, &mut m, burst);
            if resized {
                // The size the terminal has now: a resize event may report one already gone.
                let size = screen.terminal.size()?;
                m.size = Some((size.width, size.height));
            }
        }
        // A long effect asked for: to the worker thread. Its result, when it is there.
        if let Err(e) = work.start(&session, &mut m) {
            m.status = Some((e.to_string(), true));
        }
        if m.busy.is_some() {
            dirty = true;
        }
        dirty |= work.poll(&mut session, &mut m);
        // About once a second, busy or not: other users' commits and the day turning.
        if looked.elapsed() >= POLL {
            looked = Instant::now();
            session.refresh_today();
            // Said again whenever another message has taken its place.
            let said = |(s, _): &(String, bool)| s == strings::DB_REPLACED;
            if session.database_replaced() && !m.status.as_ref().is_some_and(said) {
                m.status = Some((strings::DB_REPLACED.to_string(), true));
                dirty = true;
            }
            let v = session.data_version().unwrap_or(version);
            if v != version || session.today() != day {
                version = v;
                day = session.today();
                refresh(&mut session, &mut m);
                dirty = true;
            }
        }
        if dirty && !m.quit {
            draw(&mut screen, &m, resized)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn buffer(lines: &[&str]) -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 40, 6));
        for (y, l) in lines.iter().enumerate() {
            b.set_string(0, y as u16, l, ratatui::style::Style::new());
        }
        b
    }

    #[test]
    fn clearing_pays_when_much_text_goes_and_little_stays() {
        let full = buffer(&[
            "阳城县东升化工有限公司 东冶镇 重点",
            "阳城县华通骨科医院 东冶镇 重点 低风险",
            "阳城县正阳铸造有限公司 东冶镇 重点",
            "阳城县清源水务有限公司 东冶镇 重点",
            "阳城县益民热电有限公司 东冶镇 重点",
        ]);
        let nearly_empty = buffer(&["双随机抽查"]);
        assert!(clear_pays(&full, &nearly_empty));
        // A list step changes two markers: never cleared.
        let mut stepped = full.clone();
        stepped.set_string(38, 0, ">", ratatui::style::Style::new());
        assert!(!clear_pays(&full, &stepped));
        assert!(
            !clear_pays(&nearly_empty, &full),
            "drawing onto blank gains nothing"
        );
    }

    #[test]
    fn the_update_is_counted_with_the_erases_the_screen_allows() {
        // Wide text that stays, and a long tail after it that goes: erased in place, the
        // update is cheaper than a clear that writes the kept text again. Counted as if the
        // screen were unknown (no erase), it looked dearer, and the switch back to the
        // overview cleared (255 bytes more at 80x24).
        let row = |tail: &str| format!("中文ab{tail}");
        let tail = "x".repeat(34);
        let old = buffer(&[&row(&tail); 6].map(|r| r.as_str()));
        let new = buffer(&[&row(""); 6].map(|r| r.as_str()));
        assert!(!clear_pays(&old, &new));
    }
}
