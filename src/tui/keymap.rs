//! The one key table: for every screen, each key, what it does (for `?`), its short name (for
//! the key bar), and the action of the role table it needs. The help, the key bar and the
//! refusal of a key the viewer may not use are all read from here, so they cannot drift
//! apart; `update` asks [`refusal`] before acting on a key.

use ratatui::crossterm::event::KeyCode;

use super::model::{Model, ScreenId};
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
    /// The key codes that take the action (none for keys only described).
    pub codes: &'static [KeyCode],
}

const fn key(keys: &'static str, what: &'static str) -> Key {
    Key {
        keys,
        what,
        bar: None,
        action: None,
        codes: &[],
    }
}

/// A key with a place in the key bar and, maybe, an action it needs.
const fn act(
    keys: &'static str,
    what: &'static str,
    bar: &'static str,
    action: Option<Action>,
    codes: &'static [KeyCode],
) -> Key {
    Key {
        keys,
        what,
        bar: Some(bar),
        action,
        codes,
    }
}

use KeyCode::{Char, Enter, Tab};

/// The keys of every screen.
pub const COMMON: &[Key] = &[
    key("1-6", "切换画面（或 g 再按 o/e/d/v/a/l）"),
    key("上下键 j k", "上下移动"),
    key("PgUp PgDn", "翻页"),
    key("?", "帮助"),
    key("q", "退出（草稿随时已保存）"),
];

const OVERVIEW: &[Key] = &[
    act(
        "Tab",
        "在录入期限和我的检查任务之间切换",
        "Tab切换",
        None,
        &[Tab],
    ),
    act("Enter", "打开所选的检查任务", "Enter打开", None, &[Enter]),
    act(
        "v",
        "完整显示提醒和所选任务（不截断）",
        "v完整",
        None,
        &[Char('v')],
    ),
    act(
        "n",
        "写出本年计划调整的书面报送件（Markdown）",
        "n报送件",
        Some(Action::EditPlans),
        &[Char('n')],
    ),
    act(
        "N",
        "登记报送件已报送（编号、日期）",
        "N已报送",
        Some(Action::EditPlans),
        &[Char('N')],
    ),
];

const ENTITIES: &[Key] = &[
    key("Tab 左右键 h l", "类别页签"),
    act("t", "切换信用风险", "t风险", None, &[Char('t')]),
    act("z", "切换乡镇", "z乡镇", None, &[Char('z')]),
    act("y", "切换检查对象类型", "y类型", None, &[Char('y')]),
    act("/", "按名称或代码查找", "/查找", None, &[Char('/')]),
    act("Enter", "详情", "Enter详情", None, &[Enter]),
    act(
        "v",
        "完整显示所选对象（名称、地址、分类理由）",
        "v完整",
        None,
        &[Char('v')],
    ),
    act(
        "n",
        "在详情中记录个案检查（投诉举报等，非随机）",
        "n个案检查",
        Some(Action::RecordTargeted),
        &[Char('n')],
    ),
    key("Esc", "关闭详情或清除查找"),
];

const DRAWS: &[Key] = &[
    act("Enter", "查看抽取记录", "Enter记录", None, &[Enter]),
    act(
        "p",
        "准备抽取（选择期间和任务）",
        "p准备",
        Some(Action::PrepareDraw),
        &[Char('p')],
    ),
    act(
        "r",
        "输入种子并运行（最后输入抽取编号确认）",
        "r运行",
        Some(Action::RunDraw),
        &[Char('r')],
    ),
    act(
        "v",
        "完整显示所选抽取（任务、承诺值、作废理由）；记录中为光标所在行",
        "v完整",
        None,
        &[Char('v')],
    ),
    act("V", "复算核验", "V核验", None, &[Char('V')]),
    act(
        "w",
        "把抽取记录写成 Markdown 文件（可打印）",
        "w写出",
        None,
        &[Char('w')],
    ),
    act(
        "x",
        "申请作废",
        "x申请作废",
        Some(Action::RequestVoid),
        &[Char('x')],
    ),
    act(
        "a",
        "批准作废（主要负责人）",
        "a批准作废",
        Some(Action::ApproveVoid),
        &[Char('a')],
    ),
    key("Esc", "返回列表"),
];

const VISITS: &[Key] = &[
    act("Enter", "录入结果 / 查看", "Enter结果", None, &[Enter]),
    act(
        "s",
        "开始检查",
        "s开始",
        Some(Action::EnterResult),
        &[Char('s')],
    ),
    act(
        "c",
        "完成检查",
        "c完成",
        Some(Action::EnterResult),
        &[Char('c')],
    ),
    act(
        "p",
        "公示本组已录入的结果（标记待公示）",
        "p公示",
        Some(Action::PublishResult),
        &[Char('p')],
    ),
    act(
        "u",
        "替换检查组成员（队长，须写理由）",
        "u替换",
        Some(Action::RunDraw),
        &[Char('u')],
    ),
    act(
        "U",
        "申请再次替换已替换过的席位（队长，须主要负责人批准）",
        "U申请替换",
        Some(Action::RunDraw),
        &[Char('U')],
    ),
    act(
        "x",
        "往期未开始的检查任务标为未实施（队长，须写原因）",
        "x未实施",
        Some(Action::MarkLapsed),
        &[Char('x')],
    ),
    act("m", "只看我的", "m我的", None, &[Char('m')]),
    act(
        "v",
        "完整显示所选任务（被截断的栏目）",
        "v完整",
        None,
        &[Char('v')],
    ),
    act(
        "/",
        "查找：各词都须出现（编号、对象、任务、抽取、期间、状态、乡镇、人员编号或姓名）",
        "/查找",
        None,
        &[Char('/')],
    ),
    key("Esc", "清除查找"),
];

const APPROVALS: &[Key] = &[
    act(
        "v",
        "完整显示所选申请（理由不截断）",
        "v完整",
        None,
        &[Char('v')],
    ),
    act(
        "a",
        "批准（更正、作废、再次替换）",
        "a批准",
        Some(Action::ApproveCorrection),
        &[Char('a')],
    ),
    act(
        "r",
        "驳回（须写理由）",
        "r驳回",
        Some(Action::ApproveCorrection),
        &[Char('r')],
    ),
];

const AUDIT: &[Key] = &[
    act(
        "v",
        "完整显示所选记录（对象、详情）",
        "v完整",
        None,
        &[Char('v')],
    ),
    act("V", "核验审计日志", "V核验", None, &[Char('V')]),
    act(
        "/",
        "查找：各词都须出现（操作、操作人、对象、序号）",
        "/查找",
        None,
        &[Char('/')],
    ),
    key("Esc", "清除查找"),
];

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

/// Why the viewer may not press `code` on this screen, by the role table; `None` when the key
/// is theirs (what it is done to may still refuse it: a visit of another team).
pub fn refusal(m: &Model, screen: ScreenId, code: KeyCode) -> Option<String> {
    let k = keys(screen).iter().find(|k| k.codes.contains(&code))?;
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
