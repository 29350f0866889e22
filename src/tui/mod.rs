//! 仪表盘 (the dashboard): a keyboard-first ratatui app over the same services as the command
//! line. It draws only when something changed — a key, another user's commit (noticed by
//! polling `PRAGMA data_version` about once a second), or the day turning — never on a timer.

mod effects;
pub mod load;
pub mod model;
pub mod strings;
mod terminal;
pub mod text;
pub mod theme;
pub mod update;
pub mod views;

use std::time::Duration;

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
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            for effect in update::key(m, k) {
                effects::apply(session, m, effect);
            }
            true
        }
        Event::Paste(text) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                let k = event::KeyEvent::new(event::KeyCode::Char(c), event::KeyModifiers::NONE);
                for effect in update::key(m, k) {
                    effects::apply(session, m, effect);
                }
            }
            true
        }
        Event::Resize(..) => true,
        _ => false,
    }
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
}

/// Runs the dashboard until the user quits. The terminal is restored however it ends.
pub fn run(mut session: Session, ascii: bool) -> std::io::Result<()> {
    let mut m = model_for(&session, ascii);
    let mut screen = terminal::Screen::enter()?;
    // The first frame comes before anything heavy is loaded.
    screen.draw(|f| views::render(f, &m))?;
    if let Err(e) = load::overview(&session, &mut m) {
        m.status = Some((e.to_string(), true));
    }
    screen.draw(|f| views::render(f, &m))?;
    if load::key_coverage(&session, &mut m).is_ok() {
        screen.draw(|f| views::render(f, &m))?;
    }
    let mut version = session.data_version().unwrap_or(0);
    let mut day = session.today();
    loop {
        if m.quit {
            return Ok(());
        }
        let mut dirty = false;
        if event::poll(POLL)? {
            // Handle everything queued, then draw once.
            loop {
                dirty |= handle(&mut session, &mut m, event::read()?);
                if m.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            session.refresh_today();
            let v = session.data_version().unwrap_or(version);
            if v != version || session.today() != day {
                version = v;
                day = session.today();
                refresh(&mut session, &mut m);
                dirty = true;
            }
        }
        if dirty && !m.quit {
            screen.draw(|f| views::render(f, &m))?;
        }
    }
}
