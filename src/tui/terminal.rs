//! The terminal: raw mode, alternate screen, bracketed paste, a large buffered writer,
//! synchronized updates, and restoring everything on exit, on error and on panic.

use std::io::{BufWriter, Stdout, Write};

use super::backend::WideBackend;
use ratatui::Terminal;
use ratatui::crossterm::{
    cursor,
    event::{DisableBracketedPaste, EnableBracketedPaste},
    execute, queue,
    terminal::{
        self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
        LeaveAlternateScreen,
    },
};

/// Our crossterm backend: no cursor move after each wide character (see `backend`).
pub type Backend = WideBackend<BufWriter<Stdout>>;

/// Restores the terminal. Safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal first when the program panics, then reports the panic as before.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// The terminal, restored when dropped.
pub struct Screen {
    pub terminal: Terminal<Backend>,
}

impl Screen {
    pub fn enter() -> std::io::Result<Screen> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        let mut out = std::io::stdout();
        // Bracketed paste: a paste arrives as one event, inserted at once (not a key per
        // character, each saving the draft).
        if let Err(e) = execute!(out, EnterAlternateScreen, EnableBracketedPaste) {
            restore();
            return Err(e);
        }
        // std would otherwise split a frame into 1 KiB writes.
        let backend = WideBackend::new(BufWriter::with_capacity(256 * 1024, std::io::stdout()));
        match Terminal::new(backend) {
            Ok(terminal) => Ok(Screen { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Draws one frame inside a synchronized update, then flushes once. `clear`: another view
    /// replaces the whole screen, so it is cleared first and only the new view's text is
    /// written (not a space over every cell that had text).
    pub fn draw(
        &mut self,
        clear: bool,
        render: impl FnOnce(&mut ratatui::Frame<'_>),
    ) -> std::io::Result<()> {
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        if clear {
            self.terminal.clear()?;
        }
        self.terminal.draw(render)?;
        queue!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        self.terminal.backend_mut().flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}
