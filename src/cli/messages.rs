//! The command line's words that more than one command prints: labels of table columns and
//! fields, state names, and repeated phrases. Names the domain already gives (a draw's status,
//! a visit's state, a credit tier, a role) come from the domain's `label()`, not from here;
//! a sentence one command alone prints stays beside that command.

use std::fmt::Display;
use std::path::Path;

use shuangsuiji::domain::vocab::CreditTier;
use shuangsuiji::services::Mode;

/// Labels of table columns and fields used by more than one table or command.
pub mod label {
    pub const ID: &str = "编号";
    pub const CODE: &str = "代码";
    pub const NAME: &str = "名称";
    pub const PERSON: &str = "姓名";
    pub const TOWN: &str = "乡镇";
    pub const DEPARTMENT: &str = "部门";
    pub const PLAN: &str = "计划";
    pub const TASK: &str = "任务";
    pub const CHECK_ITEM: &str = "抽查事项";
    pub const TARGET_TYPE: &str = "检查对象";
    /// What a row is about: an inspected entity, an audit event's subject.
    pub const SUBJECT: &str = "对象";
    pub const CLASS: &str = "监管类别";
    pub const CREDIT_TIER: &str = "信用风险";
    pub const INSPECTOR: &str = "执法人员";
    pub const STATE: &str = "状态";
    pub const TIME: &str = "时间";
    pub const ACTOR: &str = "操作人";
    /// Why something is so (an exclusion, an inspector who cannot be sent).
    pub const CAUSE: &str = "原因";
    /// The written reason a user gave for a change.
    pub const REASON: &str = "理由";
    pub const NOTE: &str = "备注";
}

pub const NONE: &str = "无";
pub const NO: &str = "否";

pub fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { NO }
}
/// A deadline counted without the year's holiday notice (weekends only).
pub const PROVISIONAL: &str = "（临时）";
pub const AWAITS_PRINCIPAL: &str = "待主要负责人批准";
/// What a demo database and its records are marked with.
pub const DEMO: &str = shuangsuiji::demo::DEMO_LABEL;

/// “在岗” or “不在岗”: whether an inspector is on duty at all.
pub fn duty(on_duty: bool) -> &'static str {
    if on_duty { "在岗" } else { "不在岗" }
}

/// On duty but on leave today.
pub const ON_LEAVE: &str = "请假";

/// Whether a user account may be used.
pub fn account(active: bool) -> &'static str {
    if active { "在用" } else { "停用" }
}

/// A credit tier, or “未评级” for an entity without one.
pub fn tier(t: Option<CreditTier>) -> &'static str {
    t.map(|t| t.label()).unwrap_or("未评级")
}

/// What kind of database: demo data or the real one.
pub fn mode(mode: Mode) -> &'static str {
    match mode {
        Mode::Demo => DEMO,
        Mode::Production => "正式",
    }
}

/// A correction's state: waiting, or the principal's decision.
pub fn decision(approved: Option<bool>) -> &'static str {
    match approved {
        None => "待审批",
        Some(true) => "已批准",
        Some(false) => "已驳回",
    }
}

/// “逾期录入” between `before` and `after` for a result entered after its deadline; nothing
/// for one entered in time.
pub fn late_entry(late: bool, before: &str, after: &str) -> String {
    if late {
        format!("{before}逾期录入{after}")
    } else {
        String::new()
    }
}

/// A `doctor` finding's level (`ok`, `warn`, `fail`) in words.
pub fn finding_level(level: &str) -> &'static str {
    match level {
        "ok" => "正常",
        "warn" => "注意",
        _ => "错误",
    }
}

/// “，执法人员 YC-001” after a user linked to an inspector; nothing otherwise.
pub fn linked_inspector(code: Option<&str>) -> String {
    code.map(|c| format!("，执法人员 {c}")).unwrap_or_default()
}

/// “共 N 个” under a listing; `unit` is the measure word (个, 名, 项).
pub fn total(n: usize, unit: &str) -> String {
    format!("共 {n} {unit}")
}

pub fn audit_entry(seq: impl Display) -> String {
    format!("审计日志第 {seq} 条")
}

pub fn audit_checkpoint(checkpoint: impl Display) -> String {
    format!("审计检查点：{checkpoint}")
}

/// A file named on the command line could not be read, and why.
pub fn unreadable(path: &Path, why: impl Display) -> String {
    format!("无法读取 {}：{why}", path.display())
}

/// A setting given neither a value nor `--clear`.
pub fn value_or_clear(what: &str) -> String {
    format!("请给出{what}，或用 --clear 取消")
}

/// Before the list of what `whoami` may do.
pub const MAY: &str = "可以：";

/// A run without a subcommand on a chosen path where no database exists yet.
pub fn no_database_here(path: &std::path::Path) -> String {
    format!(
        "数据库文件 {p} 不存在，未创建任何文件。正式数据库请运行 shuangsuiji --db {p} init --empty；\
         示例数据库请运行 shuangsuiji --db {p} init --demo。\
         （只有不指定 --db 和 SHUANGSUIJI_DB 时，才在当前目录自动创建示例数据库 shuangsuiji.db）",
        p = path.display()
    )
}
