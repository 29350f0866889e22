//! The key tables, one per mode: every screen's keys, the keys common to every list, the keys
//! of each kind of popup, of the result form, of a search and of the `g` prefix. Each maps key
//! codes to a [`Msg`]; [`message`] is the only place a key is matched. A screen's keys also
//! carry what they do (for `?`), their short name (for the key bar) and the action of the
//! role table they need: the help, the key bar and the refusal of a key the viewer may not use
//! are all read from here, so they cannot drift apart; `update` asks [`refusal`] before acting
//! on a message.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::model::{FormFocus, Model, ScreenId};
use super::msg::{Mode, Move, Msg, PopupKind};
use super::strings as s;
use crate::domain::role::{Action, Subject};

/// One key of a screen.
pub struct Key {
    /// The key as the help writes it.
    pub keys: &'static str,
    /// What it does, for the help.
    pub what: &'static str,
    /// Its short name in the key bar, if it has a place there.
    pub bar: Option<&'static str>,
    /// The action it needs, if any.
    pub action: Option<Action>,
    /// The key codes that take the action, as the README's key table writes them.
    pub codes: &'static [KeyCode],
    /// Further codes with the same meaning, that the help and the README describe in words
    /// (Esc, the arrows).
    pub also: &'static [KeyCode],
    /// What the key means (none for keys only described).
    pub msg: Option<Msg>,
}

/// A key code bound to a message, in the tables without help text of their own.
pub struct Bind {
    pub codes: &'static [KeyCode],
    pub msg: Msg,
}

const fn bind(codes: &'static [KeyCode], msg: Msg) -> Bind {
    Bind { codes, msg }
}

const fn key(keys: &'static str, what: &'static str) -> Key {
    Key {
        keys,
        what,
        bar: None,
        action: None,
        codes: &[],
        also: &[],
        msg: None,
    }
}

/// A key the help describes in words, with the codes that mean `msg`.
const fn described(
    keys: &'static str,
    what: &'static str,
    also: &'static [KeyCode],
    msg: Msg,
) -> Key {
    Key {
        keys,
        what,
        bar: None,
        action: None,
        codes: &[],
        also,
        msg: Some(msg),
    }
}

/// A key with a place in the key bar and, maybe, an action it needs.
const fn act(
    keys: &'static str,
    what: &'static str,
    bar: &'static str,
    action: Option<Action>,
    codes: &'static [KeyCode],
    msg: Msg,
) -> Key {
    Key {
        keys,
        what,
        bar: Some(bar),
        action,
        codes,
        also: &[],
        msg: Some(msg),
    }
}

use KeyCode::{
    BackTab, Backspace, Char, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up,
};

/// The keys of every screen, as the help describes them.
pub const COMMON: &[Key] = &[
    key("1-6", "切换画面（或 g 再按 o/e/d/v/a/l）"),
    key("上下键 j k", "上下移动"),
    key("PgUp PgDn", "翻页"),
    key("?", "帮助"),
    key("q", "退出（草稿随时已保存）"),
];

/// The keys every screen takes before its own (`COMMON` describes them).
pub const GLOBAL: &[Bind] = &[
    bind(&[Char('q')], Msg::Quit),
    bind(&[Char('?')], Msg::Help),
    bind(&[Char('g')], Msg::Prefix),
    bind(&[Char('1')], Msg::Switch(ScreenId::Overview)),
    bind(&[Char('2')], Msg::Switch(ScreenId::Entities)),
    bind(&[Char('3')], Msg::Switch(ScreenId::Draws)),
    bind(&[Char('4')], Msg::Switch(ScreenId::Visits)),
    bind(&[Char('5')], Msg::Switch(ScreenId::Approvals)),
    bind(&[Char('6')], Msg::Switch(ScreenId::Audit)),
];

/// The keys common to every list, after the screen's own.
pub const LIST: &[Bind] = &[
    bind(&[Down, Char('j')], Msg::Move(Move::Down)),
    bind(&[Up, Char('k')], Msg::Move(Move::Up)),
    bind(&[PageDown], Msg::Move(Move::PageDown)),
    bind(&[PageUp], Msg::Move(Move::PageUp)),
    bind(&[Home], Msg::Move(Move::Home)),
    bind(&[End], Msg::Move(Move::End)),
];

/// After `g`: the screen by its letter; any other key leaves the prefix.
pub const PREFIX: &[Bind] = &[
    bind(&[Char('o')], Msg::Switch(ScreenId::Overview)),
    bind(&[Char('e')], Msg::Switch(ScreenId::Entities)),
    bind(&[Char('d')], Msg::Switch(ScreenId::Draws)),
    bind(&[Char('v')], Msg::Switch(ScreenId::Visits)),
    bind(&[Char('a')], Msg::Switch(ScreenId::Approvals)),
    bind(&[Char('l')], Msg::Switch(ScreenId::Audit)),
];

/// Typing a search: other characters are typed into it (`Msg::Type`).
pub const SEARCH: &[Bind] = &[
    bind(&[Enter, Down], Msg::Done),
    bind(&[Esc], Msg::Cancel),
    bind(&[Backspace], Msg::Erase),
];

/// Too small to show anything: only `q` (and Ctrl+C, always).
pub const TOO_SMALL: &[Bind] = &[bind(&[Char('q')], Msg::Quit)];

/// The keys of one kind of popup, and the line that tells how to answer or dismiss it.
pub struct PopupKeys {
    pub hint: &'static str,
    pub binds: &'static [Bind],
}

/// Yes or no: a confirmation, or whether to discard what was typed.
const YES_NO: &[Bind] = &[
    bind(&[Enter, Char('y')], Msg::Confirm),
    bind(&[Esc, Char('n')], Msg::Cancel),
];

const CONFIRM: PopupKeys = PopupKeys {
    hint: s::CONFIRM_KEYS,
    binds: YES_NO,
};

/// A message or the help: these keys close it; any other closes it and acts.
const MESSAGE: PopupKeys = PopupKeys {
    hint: s::CLOSE_KEYS,
    binds: &[bind(&[Esc, Enter, Char('q'), Char('?')], Msg::Close)],
};

const DISCARD: PopupKeys = PopupKeys {
    hint: s::DISCARD_KEYS,
    binds: YES_NO,
};

/// An input dialog: other keys edit the field with the focus (`Msg::Edit`).
const INPUT: PopupKeys = PopupKeys {
    hint: s::INPUT_KEYS,
    binds: &[
        bind(&[Esc], Msg::Cancel),
        bind(&[Tab, Down], Msg::NextField),
        bind(&[BackTab, Up], Msg::PrevField),
        bind(&[Enter], Msg::Confirm),
    ],
};

/// The keys of a kind of popup.
pub fn popup(kind: PopupKind) -> &'static PopupKeys {
    match kind {
        PopupKind::Confirm => &CONFIRM,
        PopupKind::Message => &MESSAGE,
        PopupKind::Discard => &DISCARD,
        PopupKind::Input => &INPUT,
    }
}

/// The result form's keys wherever the focus is.
pub const FORM: &[Bind] = &[
    bind(&[Esc], Msg::Back),
    bind(&[Tab], Msg::NextField),
    bind(&[BackTab], Msg::PrevField),
];
/// The form's keys where the focus is not a text field (where they are characters typed).
pub const FORM_CHOICE: &[Bind] = &[bind(&[Char('q')], Msg::Back), bind(&[Char('?')], Msg::Help)];
/// A submitted result, read only.
pub const FORM_READ_ONLY: &[Bind] = &[
    bind(&[Char('e')], Msg::Correct),
    bind(&[Char('d')], Msg::CorrectFromDraft),
];
/// The check items.
pub const FORM_ITEMS: &[Bind] = &[
    bind(&[Down, Char('j')], Msg::Move(Move::Down)),
    bind(&[Up, Char('k')], Msg::Move(Move::Up)),
    bind(&[Char(' '), Right], Msg::Toggle),
    bind(&[Left], Msg::ToggleBack),
];
/// The result categories.
pub const FORM_CATEGORIES: &[Bind] = &[
    bind(&[Down, Char('j')], Msg::Move(Move::Down)),
    bind(&[Up, Char('k')], Msg::Move(Move::Up)),
    bind(&[Char(' '), Enter], Msg::Toggle),
];
/// The submit button.
pub const FORM_SUBMIT: &[Bind] = &[bind(&[Enter], Msg::Submit)];
/// A one-line text field: Enter goes to the next; other keys edit the field (`Msg::Edit`).
pub const FORM_LINE: &[Bind] = &[bind(&[Enter], Msg::NextField)];

/// A row of the result form's help: its keys and words, and the messages of the form's tables
/// it describes.
pub struct HelpRow {
    pub text: (&'static str, &'static str),
    pub msgs: &'static [Msg],
}

const fn row(text: (&'static str, &'static str), msgs: &'static [Msg]) -> HelpRow {
    HelpRow { text, msgs }
}

/// The help of a result form's fields, a visit's or a targeted check's.
const EDITING_HELP: &[HelpRow] = &[
    row(s::FORM_HELP_FIELDS, &[Msg::NextField, Msg::PrevField]),
    row(
        s::FORM_HELP_MOVE,
        &[Msg::Move(Move::Down), Msg::Move(Move::Up)],
    ),
    row(s::FORM_HELP_TOGGLE, &[Msg::Toggle, Msg::ToggleBack]),
];

/// Then a visit's result form: submitted once, corrected after.
const VISIT_HELP: &[HelpRow] = &[
    row(s::FORM_HELP_SUBMIT, &[Msg::Submit]),
    row(s::FORM_HELP_CORRECT, &[Msg::Correct]),
    row(s::FORM_HELP_FROM_DRAFT, &[Msg::CorrectFromDraft]),
    row(s::FORM_HELP_BACK, &[Msg::Back]),
];

/// Then a targeted check's (nothing is submitted yet: no corrections).
const TARGETED_HELP: &[HelpRow] = &[
    row(s::TARGETED_HELP_SUBMIT, &[Msg::Submit]),
    row(s::TARGETED_HELP_BACK, &[Msg::Back]),
];

/// The rows of the result form's help (of a visit's result, or of a targeted check's).
pub fn form_help_rows(visit: bool) -> impl Iterator<Item = &'static HelpRow> {
    let then = if visit { VISIT_HELP } else { TARGETED_HELP };
    EDITING_HELP.iter().chain(then)
}

/// The help of the result form, as shown.
pub fn form_help(visit: bool) -> Vec<(&'static str, &'static str)> {
    form_help_rows(visit).map(|r| r.text).collect()
}

fn find(table: &[Bind], code: KeyCode) -> Option<Msg> {
    table
        .iter()
        .find(|b| b.codes.contains(&code))
        .map(|b| b.msg)
}

fn find_key(table: &[Key], code: KeyCode) -> Option<Msg> {
    table
        .iter()
        .find(|k| k.codes.contains(&code) || k.also.contains(&code))
        .and_then(|k| k.msg)
}

/// What `k` means in `mode`: the one place keys are matched. Ctrl+C always quits. Text goes
/// through as characters (`Msg::Type`, searches) or whole editing keys (`Msg::Edit`, the text
/// areas of dialogs and the form, which handle their own editing keys).
pub fn message(mode: Mode, m: &Model, k: KeyEvent) -> Option<Msg> {
    let code = k.code;
    if k.modifiers.contains(KeyModifiers::CONTROL) && code == Char('c') {
        return Some(Msg::Quit);
    }
    match mode {
        Mode::TooSmall => find(TOO_SMALL, code),
        Mode::Popup(kind) => find(popup(kind).binds, code).or(match kind {
            PopupKind::Message => Some(Msg::CloseAndPass),
            PopupKind::Input => Some(Msg::Edit(k)),
            _ => None,
        }),
        Mode::Form => form_message(m, k),
        Mode::EntitySearch | Mode::ListSearch => find(SEARCH, code).or(match code {
            Char(c) if !c.is_control() => Some(Msg::Type(c)),
            _ => None,
        }),
        Mode::Prefix => find(PREFIX, code).or(Some(Msg::Cancel)),
        Mode::Screen(screen) => {
            let msg = find(GLOBAL, code)
                .or_else(|| find_key(keys(screen), code))
                .or_else(|| find(more(screen), code))
                .or_else(|| find(LIST, code))?;
            // `q` goes back from an opened record or detail; it quits only from a screen.
            let inner = match screen {
                ScreenId::Draws => m.draws.detail.is_some(),
                ScreenId::Entities => m.entities.detail,
                _ => false,
            };
            Some(if msg == Msg::Quit && inner {
                Msg::Back
            } else {
                msg
            })
        }
    }
}

/// The text fields, where `q` and `?` are characters like any other.
pub fn is_text(focus: FormFocus) -> bool {
    matches!(
        focus,
        FormFocus::Findings
            | FormFocus::LegalBasis
            | FormFocus::Measure
            | FormFocus::Other
            | FormFocus::Remark
    )
}

fn form_message(m: &Model, k: KeyEvent) -> Option<Msg> {
    let f = m.form.as_ref()?;
    let code = k.code;
    let text = is_text(f.focus);
    if let Some(msg) = find(FORM, code) {
        return Some(msg);
    }
    if !text && let Some(msg) = find(FORM_CHOICE, code) {
        return Some(msg);
    }
    if f.read_only {
        return find(FORM_READ_ONLY, code);
    }
    match f.focus {
        FormFocus::Items => find(FORM_ITEMS, code),
        FormFocus::Categories => find(FORM_CATEGORIES, code),
        FormFocus::Submit => find(FORM_SUBMIT, code),
        FormFocus::Findings => Some(Msg::Edit(k)),
        _ => find(FORM_LINE, code).or(Some(Msg::Edit(k))),
    }
}

const OVERVIEW: &[Key] = &[
    act(
        "Tab",
        "在录入期限和我的检查任务之间切换",
        "Tab切换",
        None,
        &[Tab],
        Msg::NextTab,
    ),
    act(
        "Enter",
        "打开所选的检查任务",
        "Enter打开",
        None,
        &[Enter],
        Msg::Open,
    ),
    act(
        "v",
        "完整显示提醒和所选任务（不截断）",
        "v完整",
        None,
        &[Char('v')],
        Msg::ShowFull,
    ),
    act(
        "n",
        "写出本年计划调整的书面报送件（Markdown）",
        "n报送件",
        Some(Action::EditPlans),
        &[Char('n')],
        Msg::WriteNotice,
    ),
    act(
        "N",
        "登记报送件已报送（编号、日期）",
        "N已报送",
        Some(Action::EditPlans),
        &[Char('N')],
        Msg::NoticeSent,
    ),
];

const ENTITIES: &[Key] = &[
    described(
        "Tab 左右键 h l",
        "类别页签",
        &[Tab, Right, Char('l')],
        Msg::NextTab,
    ),
    act(
        "t",
        "切换信用风险",
        "t风险",
        None,
        &[Char('t')],
        Msg::CycleTier,
    ),
    act("z", "切换乡镇", "z乡镇", None, &[Char('z')], Msg::CycleTown),
    act(
        "y",
        "切换检查对象类型",
        "y类型",
        None,
        &[Char('y')],
        Msg::CycleTarget,
    ),
    act(
        "/",
        "按名称或代码查找",
        "/查找",
        None,
        &[Char('/')],
        Msg::Search,
    ),
    act("Enter", "详情", "Enter详情", None, &[Enter], Msg::Open),
    act(
        "v",
        "完整显示所选对象（名称、地址、分类理由）",
        "v完整",
        None,
        &[Char('v')],
        Msg::ShowFull,
    ),
    act(
        "n",
        "在详情中记录个案检查（投诉举报等，非随机）",
        "n个案检查",
        Some(Action::RecordTargeted),
        &[Char('n')],
        Msg::Targeted,
    ),
    described("Esc", "关闭详情或清除查找", &[Esc], Msg::Back),
];

const DRAWS: &[Key] = &[
    act(
        "Enter",
        "查看抽取记录",
        "Enter记录",
        None,
        &[Enter],
        Msg::Open,
    ),
    act(
        "p",
        "准备抽取（选择期间和任务）",
        "p准备",
        Some(Action::PrepareDraw),
        &[Char('p')],
        Msg::Prepare,
    ),
    act(
        "r",
        "输入种子并运行（最后输入抽取编号确认）",
        "r运行",
        Some(Action::RunDraw),
        &[Char('r')],
        Msg::Run,
    ),
    act(
        "v",
        "完整显示所选抽取（任务、承诺值、作废理由）；记录中为光标所在行",
        "v完整",
        None,
        &[Char('v')],
        Msg::ShowFull,
    ),
    act("V", "复算核验", "V核验", None, &[Char('V')], Msg::Verify),
    act(
        "w",
        "把抽取记录写成 Markdown 文件（可打印）",
        "w写出",
        None,
        &[Char('w')],
        Msg::WriteRecord,
    ),
    act(
        "x",
        "申请作废",
        "x申请作废",
        Some(Action::RequestVoid),
        &[Char('x')],
        Msg::RequestVoid,
    ),
    act(
        "a",
        "批准作废（主要负责人）",
        "a批准作废",
        Some(Action::ApproveVoid),
        &[Char('a')],
        Msg::Approve,
    ),
    described("Esc", "返回列表", &[Esc], Msg::Back),
];

const VISITS: &[Key] = &[
    act(
        "Enter",
        "录入结果 / 查看",
        "Enter结果",
        None,
        &[Enter],
        Msg::Open,
    ),
    act(
        "s",
        "开始检查",
        "s开始",
        Some(Action::EnterResult),
        &[Char('s')],
        Msg::Start,
    ),
    act(
        "c",
        "完成检查",
        "c完成",
        Some(Action::EnterResult),
        &[Char('c')],
        Msg::Complete,
    ),
    act(
        "p",
        "公示本组已录入的结果（标记待公示）",
        "p公示",
        Some(Action::PublishResult),
        &[Char('p')],
        Msg::Publish,
    ),
    act(
        "u",
        "替换检查组成员（队长，须写理由）",
        "u替换",
        Some(Action::RunDraw),
        &[Char('u')],
        Msg::Substitute,
    ),
    act(
        "U",
        "申请再次替换已替换过的席位（队长，须主要负责人批准）",
        "U申请替换",
        Some(Action::RunDraw),
        &[Char('U')],
        Msg::RequestSubstitution,
    ),
    act(
        "x",
        "往期未开始的检查任务标为未实施（队长，须写原因）",
        "x未实施",
        Some(Action::MarkLapsed),
        &[Char('x')],
        Msg::Lapse,
    ),
    act("m", "只看我的", "m我的", None, &[Char('m')], Msg::Mine),
    act(
        "v",
        "完整显示所选任务（被截断的栏目）",
        "v完整",
        None,
        &[Char('v')],
        Msg::ShowFull,
    ),
    act(
        "/",
        "查找：各词都须出现（编号、对象、任务、抽取、期间、状态、乡镇、人员编号或姓名）",
        "/查找",
        None,
        &[Char('/')],
        Msg::Search,
    ),
    described("Esc", "清除查找", &[Esc], Msg::Back),
];

const APPROVALS: &[Key] = &[
    act(
        "v",
        "完整显示所选申请（理由不截断）",
        "v完整",
        None,
        &[Char('v')],
        Msg::ShowFull,
    ),
    act(
        "a",
        "批准（更正、作废、再次替换）",
        "a批准",
        Some(Action::ApproveCorrection),
        &[Char('a')],
        Msg::Approve,
    ),
    act(
        "r",
        "驳回（须写理由）",
        "r驳回",
        Some(Action::ApproveCorrection),
        &[Char('r')],
        Msg::Reject,
    ),
];

const AUDIT: &[Key] = &[
    act(
        "v",
        "完整显示所选记录（对象、详情）",
        "v完整",
        None,
        &[Char('v')],
        Msg::ShowFull,
    ),
    act(
        "V",
        "核验审计日志",
        "V核验",
        None,
        &[Char('V')],
        Msg::Verify,
    ),
    act(
        "/",
        "查找：各词都须出现（操作、操作人、对象、序号）",
        "/查找",
        None,
        &[Char('/')],
        Msg::Search,
    ),
    described("Esc", "清除查找", &[Esc], Msg::Back),
];

/// Further codes of a screen that its help describes on a row of their own meaning's
/// neighbour (Shift-Tab, ←, h: the class tab before).
const OVERVIEW_MORE: &[Bind] = &[bind(&[BackTab], Msg::NextTab)];
const ENTITIES_MORE: &[Bind] = &[bind(&[BackTab, Left, Char('h')], Msg::PrevTab)];

/// The further codes of a screen, described by its help in words (see `keys`).
pub fn more(screen: ScreenId) -> &'static [Bind] {
    match screen {
        ScreenId::Overview => OVERVIEW_MORE,
        ScreenId::Entities => ENTITIES_MORE,
        _ => &[],
    }
}

/// The keys of one screen (without the common ones).
pub fn keys(screen: ScreenId) -> &'static [Key] {
    match screen {
        ScreenId::Overview => OVERVIEW,
        ScreenId::Entities => ENTITIES,
        ScreenId::Draws => DRAWS,
        ScreenId::Visits => VISITS,
        ScreenId::Approvals => APPROVALS,
        ScreenId::Audit => AUDIT,
    }
}

/// The help of a screen: the common keys and its own, without those the viewer may not use.
pub fn help(screen: ScreenId, may: impl Fn(Action) -> bool) -> Vec<(&'static str, &'static str)> {
    COMMON
        .iter()
        .chain(keys(screen))
        .filter(|k| k.action.is_none_or(&may))
        .map(|k| (k.keys, k.what))
        .collect()
}

/// The key bar of a screen within `width` columns: the keys the viewer may use, as many as fit,
/// then `?帮助 q退出`, which are never cut.
pub fn bar(screen: ScreenId, may: impl Fn(Action) -> bool, width: usize) -> String {
    let tail = s::STATUS_KEYS;
    let mut out = String::new();
    for k in keys(screen).iter().filter(|k| k.action.is_none_or(&may)) {
        let Some(name) = k.bar else { continue };
        let wider = super::text::width(&out) + super::text::width(name) + 1;
        if wider + super::text::width(tail) > width {
            break;
        }
        out.push_str(name);
        out.push(' ');
    }
    out.push_str(tail);
    out
}

/// Why the viewer may not ask for `msg` on this screen, by the role table; `None` when the key
/// is theirs (what it is done to may still refuse it: a visit of another team).
pub fn refusal(m: &Model, screen: ScreenId, msg: Msg) -> Option<String> {
    let k = keys(screen).iter().find(|k| k.msg == Some(msg))?;
    let action = k.action?;
    (!m.may(action, Subject::Any)).then(|| s::refused_by_role(&m.viewer.role_labels(), action))
}

/// Why `may` refused `action`, in one line.
pub fn why(m: &Model, action: Action, refusal: crate::domain::role::Refusal, visit: i64) -> String {
    use crate::domain::role::Refusal;
    match refusal {
        Refusal::Role => s::refused_by_role(&m.viewer.role_labels(), action),
        Refusal::NotOnTeam => s::refused_not_on_team(visit, action),
        Refusal::OwnRequest => s::REFUSED_OWN_REQUEST.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How the README writes a key code.
    fn written(code: &KeyCode) -> String {
        match code {
            Char(c) => format!("`{c}`"),
            Enter => "`Enter`".to_string(),
            Tab => "`Tab`".to_string(),
            other => format!("`{other:?}`"),
        }
    }

    #[test]
    fn the_readme_key_table_lists_every_key_of_the_keymap() {
        let readme = include_str!("../../README.md");
        for (screen, tag) in [
            (ScreenId::Overview, "(overview)"),
            (ScreenId::Entities, "(entities)"),
            (ScreenId::Draws, "(draws)"),
            (ScreenId::Visits, "(visits)"),
            (ScreenId::Approvals, "(approvals)"),
            (ScreenId::Audit, "(audit)"),
        ] {
            let row = readme
                .lines()
                .find(|l| l.starts_with('|') && l.trim_end().ends_with(&format!("{tag} |")))
                .unwrap_or_else(|| panic!("the README's key table has a row for {tag}"));
            let cell = row.split('|').nth(1).unwrap();
            for k in keys(screen) {
                for code in k.codes {
                    assert!(
                        cell.contains(&written(code)),
                        "README {tag} lacks {} ({})",
                        written(code),
                        k.what
                    );
                }
            }
        }
    }

    /// The codes of a table, each once per binding.
    fn codes_of(table: &[Bind]) -> Vec<KeyCode> {
        table.iter().flat_map(|b| b.codes.iter().copied()).collect()
    }

    fn assert_unique(mode: &str, codes: Vec<KeyCode>) {
        let mut seen = std::collections::HashSet::new();
        for c in codes {
            assert!(seen.insert(c), "{mode}: {c:?} appears twice");
        }
    }

    #[test]
    fn no_key_code_appears_twice_in_one_modes_table() {
        for screen in ScreenId::ALL {
            let mut codes = codes_of(GLOBAL);
            for k in keys(screen) {
                codes.extend(k.codes.iter().chain(k.also).copied());
                assert_eq!(
                    k.msg.is_some(),
                    !k.codes.is_empty() || !k.also.is_empty(),
                    "{screen:?} {}: a key with codes has a message, and only such a key",
                    k.keys
                );
            }
            codes.extend(codes_of(more(screen)));
            codes.extend(codes_of(LIST));
            assert_unique(&format!("{screen:?}"), codes);
        }
        for kind in [
            PopupKind::Confirm,
            PopupKind::Message,
            PopupKind::Discard,
            PopupKind::Input,
        ] {
            assert_unique(&format!("{kind:?}"), codes_of(popup(kind).binds));
        }
        assert_unique("search", codes_of(SEARCH));
        assert_unique("prefix", codes_of(PREFIX));
        assert_unique("too small", codes_of(TOO_SMALL));
        // The form: its common keys, those of a part that is not text, and one part's own.
        let choice = [FORM, FORM_CHOICE].concat_codes();
        for (part, table) in [
            ("read only", FORM_READ_ONLY),
            ("items", FORM_ITEMS),
            ("categories", FORM_CATEGORIES),
            ("submit", FORM_SUBMIT),
        ] {
            assert_unique(part, [choice.clone(), codes_of(table)].concat());
        }
        assert_unique(
            "one-line field",
            [codes_of(FORM), codes_of(FORM_LINE)].concat(),
        );
    }

    /// The codes of several tables together.
    trait ConcatCodes {
        fn concat_codes(&self) -> Vec<KeyCode>;
    }
    impl ConcatCodes for [&[Bind]; 2] {
        fn concat_codes(&self) -> Vec<KeyCode> {
            self.iter().flat_map(|t| codes_of(t)).collect()
        }
    }

    /// Every table of the result form.
    const FORM_TABLES: [&[Bind]; 7] = [
        FORM,
        FORM_CHOICE,
        FORM_READ_ONLY,
        FORM_ITEMS,
        FORM_CATEGORIES,
        FORM_SUBMIT,
        FORM_LINE,
    ];

    #[test]
    fn the_form_help_describes_every_message_of_the_form_tables_and_no_other() {
        let described: Vec<Msg> = form_help_rows(true)
            .flat_map(|r| r.msgs.iter().copied())
            .collect();
        let bound: Vec<Msg> = FORM_TABLES
            .iter()
            .flat_map(|t| t.iter().map(|b| b.msg))
            .collect();
        for msg in &bound {
            // `?` opens this help; it is the screens' `?` row.
            assert!(
                *msg == Msg::Help || described.contains(msg),
                "the form's help does not describe {msg:?}"
            );
        }
        for msg in &described {
            assert!(
                bound.contains(msg),
                "the form's help describes {msg:?}, bound nowhere"
            );
        }
        // A targeted check's form is never read only: the same, but the corrections.
        let targeted: Vec<Msg> = form_help_rows(false)
            .flat_map(|r| r.msgs.iter().copied())
            .collect();
        let read_only: Vec<Msg> = FORM_READ_ONLY.iter().map(|b| b.msg).collect();
        for msg in &bound {
            assert_eq!(
                *msg == Msg::Help || read_only.contains(msg),
                !targeted.contains(msg),
                "the targeted form's help and {msg:?}"
            );
        }
    }

    /// How a row of the form's help writes a key code.
    fn named(code: KeyCode) -> String {
        match code {
            Tab => "Tab".into(),
            BackTab => "Shift-Tab".into(),
            Up | Down => "上下键".into(),
            Left | Right => "左右键".into(),
            Char(' ') => "空格".into(),
            Enter => "Enter".into(),
            Esc => "Esc".into(),
            Char(c) => c.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn each_row_of_the_form_help_names_a_key_bound_to_what_it_describes() {
        for r in form_help_rows(true).chain(form_help_rows(false)) {
            for msg in r.msgs {
                let codes: Vec<KeyCode> = FORM_TABLES
                    .iter()
                    .flat_map(|t| t.iter())
                    .filter(|b| b.msg == *msg)
                    .flat_map(|b| b.codes.iter().copied())
                    .collect();
                assert!(
                    codes.iter().any(|c| r.text.0.contains(&named(*c))),
                    "{:?} names none of {codes:?}, bound to {msg:?}",
                    r.text
                );
            }
        }
    }

    #[test]
    fn every_key_of_a_screen_table_becomes_its_message_there() {
        let viewer = crate::tui::model::Viewer {
            login: "x".into(),
            name: "x".into(),
            roles: [crate::domain::role::Role::Lead].into(),
            inspector: None,
            active: true,
        };
        let theme = crate::tui::theme::Theme {
            color: false,
            ascii: true,
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let m = Model::new(theme, viewer, "t.db".into(), false, today);
        for screen in ScreenId::ALL {
            for k in keys(screen) {
                for code in k.codes.iter().chain(k.also) {
                    let got = message(
                        Mode::Screen(screen),
                        &m,
                        KeyEvent::new(*code, KeyModifiers::NONE),
                    );
                    assert_eq!(got, k.msg, "{screen:?} {code:?}");
                }
            }
        }
        // Ctrl+C quits in every mode; `q` quits from a screen.
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        for mode in [
            Mode::TooSmall,
            Mode::Form,
            Mode::Prefix,
            Mode::Popup(PopupKind::Input),
        ] {
            assert_eq!(message(mode, &m, ctrl_c), Some(Msg::Quit), "{mode:?}");
        }
    }

    #[test]
    fn the_key_bar_keeps_help_and_quit_and_lists_only_allowed_keys() {
        let observer = |a: Action| {
            crate::domain::role::allowed(&[crate::domain::role::Role::Observer].into(), a)
        };
        let bar = bar(ScreenId::Draws, observer, 40);
        assert!(bar.ends_with(s::STATUS_KEYS), "{bar}");
        assert!(!bar.contains("p准备") && !bar.contains("r运行"), "{bar}");
        assert!(bar.contains("V核验"), "{bar}");
        let lead =
            |a: Action| crate::domain::role::allowed(&[crate::domain::role::Role::Lead].into(), a);
        let narrow = super::bar(ScreenId::Visits, lead, 20);
        assert!(super::super::text::width(&narrow) <= 20, "{narrow}");
        assert!(narrow.ends_with(s::STATUS_KEYS));
    }
}
