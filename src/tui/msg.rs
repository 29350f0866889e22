//! What keys mean: the messages `keymap::message` makes of keys and `update::update` acts on,
//! and the modes that decide which table a key is read in.

use ratatui::crossterm::event::KeyEvent;

use super::model::{Model, Popup, ScreenId};

/// A step of a cursor in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Down,
    Up,
    PageDown,
    PageUp,
    Home,
    End,
}

/// What a key means, whatever key it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    /// Leave the dashboard.
    Quit,
    /// Close what was opened (a record, a detail, a form) or clear a search.
    Back,
    /// The help of what is shown.
    Help,
    /// `g`: the next key names a screen.
    Prefix,
    Switch(ScreenId),
    Move(Move),
    /// Enter on a list: open the selected row.
    Open,
    /// `v`: the selected row (or line) in full.
    ShowFull,
    /// `/`: start typing a search.
    Search,
    /// The next class tab, or the overview's other pane.
    NextTab,
    PrevTab,
    /// The entity filters.
    CycleTier,
    CycleTown,
    CycleTarget,
    /// A targeted check of the entity whose detail is open.
    Targeted,
    WriteNotice,
    NoticeSent,
    Prepare,
    Run,
    Verify,
    WriteRecord,
    RequestVoid,
    Approve,
    Reject,
    Start,
    Complete,
    Publish,
    Substitute,
    RequestSubstitution,
    Lapse,
    Mine,
    /// A dialog: yes, or Enter on its fields.
    Confirm,
    /// A dialog: no, or Esc; a search: drop it.
    Cancel,
    /// A message or the help: closed, the key spent.
    Close,
    /// A message or the help: closed, and the key acts on what is under it.
    CloseAndPass,
    NextField,
    PrevField,
    /// A character typed into a search.
    Type(char),
    /// Backspace in a search.
    Erase,
    /// Enter (or Down) in a search: keep it and go back to the list.
    Done,
    /// The result form: turn the outcome of an item forward (or back), tick a category.
    Toggle,
    ToggleBack,
    /// The result form's submit button.
    Submit,
    /// A submitted result: correct it (`e`), or correct it from one's own draft (`d`).
    Correct,
    CorrectFromDraft,
    /// An editing key for a text field (a dialog's or the form's): the text area's own input
    /// handles it (characters, Backspace, cursor keys), so it is passed through whole.
    Edit(KeyEvent),
}

/// The kinds of popup, each with its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupKind {
    Confirm,
    /// A message or the help: nothing to answer.
    Message,
    Discard,
    Input,
}

/// Which table reads a key: decided from the model, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The terminal is too small: nothing is shown, only `q` works.
    TooSmall,
    Popup(PopupKind),
    Form,
    /// Typing a search on 监管对象.
    EntitySearch,
    /// Typing a search on 检查任务 or 日志.
    ListSearch,
    /// After `g`.
    Prefix,
    Screen(ScreenId),
}

impl Mode {
    pub fn of(m: &Model) -> Mode {
        if m.too_small() {
            return Mode::TooSmall;
        }
        if let Some(p) = &m.popup {
            return Mode::Popup(match p {
                Popup::Confirm { .. } => PopupKind::Confirm,
                Popup::Message { .. } | Popup::Help(_) => PopupKind::Message,
                Popup::Discard(_) => PopupKind::Discard,
                Popup::Input { .. } => PopupKind::Input,
            });
        }
        if m.form.is_some() {
            return Mode::Form;
        }
        if m.screen == ScreenId::Entities && m.entities.searching {
            return Mode::EntitySearch;
        }
        if (m.screen == ScreenId::Visits && m.visits.searching)
            || (m.screen == ScreenId::Audit && m.audit.searching)
        {
            return Mode::ListSearch;
        }
        if m.go_prefix {
            return Mode::Prefix;
        }
        Mode::Screen(m.screen)
    }
}
