//! Errors a use case reports to a person, in Chinese. Each variant is a case a caller (the
//! dashboard, a script, a test) may treat differently; its text is what the person reads.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::calendar::DayKind;
use crate::domain::audit::AuditEvent;
use crate::domain::draw::period::Period;
use crate::domain::draw::team::NoSubstitute;
use crate::domain::plan_records::Removal;
use crate::domain::role::Refusal;
use crate::domain::visit::StepError;
use crate::sheets::{Problem, SheetError};
use crate::store::StoreError;

/// When and by whom something was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub at: String,
    pub by: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    // Who may act.
    /// Refused: the person's roles do not allow `action` (`why` is [`Refusal::Role`]), or the
    /// person is not an officer of the visit's team ([`Refusal::NotOnTeam`]; `action` then
    /// names the refused act).
    #[error("用户 {login}（{roles}）无权{action}")]
    Denied {
        login: String,
        roles: String,
        action: &'static str,
        why: Refusal,
    },
    /// Deciding on one's own request (a correction, a void); `what` says who must decide.
    #[error("{what}")]
    OwnRequest { what: &'static str },

    // What is asked for is not there.
    /// No `what` ("检查任务", "抽取", "监管对象" …) with this `key`; `year` for a year's plans
    /// and tasks. A visit the person may not see is not found either.
    #[error("未找到{}", not_found(*.year, .what, .key))]
    NotFound {
        what: &'static str,
        key: String,
        year: Option<i32>,
    },
    /// The draw exists, but `entity` was not drawn in it.
    #[error("未找到抽取 {draw} 中对象 {entity} 的检查任务")]
    NotInDraw { draw: String, entity: String },

    // What the person typed.
    /// One input is wrong; `field` names it as the command line and the forms do ("reason",
    /// "login", "seed", "closed_on" …), `reason` says why.
    #[error("{reason}")]
    InvalidField { field: &'static str, reason: String },
    /// A result (or a corrected one) lacks answers; one line per problem.
    #[error("{}结果不完整：{}", if *.correction { "更正后的" } else { "检查" }, .problems.join("；"))]
    IncompleteResult {
        problems: Vec<String>,
        correction: bool,
    },
    /// Anything else, in words.
    #[error("{0}")]
    Invalid(String),

    // The thing is already there, or already so.
    /// What would be created exists: choose another name.
    #[error("{0}")]
    Exists(Existing),
    /// Nothing would change: often someone else was first.
    #[error("{0}")]
    Unchanged(Unchanged),

    // A visit's progress and result.
    /// A step of the visit may not happen now or on that day; `visit` is named when the step
    /// was one of many (publication).
    #[error("{}{why}", visit_prefix(*.visit))]
    StepOutOfOrder { visit: Option<i64>, why: StepError },
    /// The draw could not make the visit's team: nothing can be recorded.
    #[error("检查任务 {visit} 尚未组成检查组")]
    NoTeam { visit: i64 },
    /// A step on a day outside the windows of the visit's tasks, without a reason.
    #[error(
        "检查任务{visit}：{day}不在{tasks}的检查时间内。如确在此日{step}，请用 --reason 说明原因（仪表盘中填写原因）"
    )]
    OutsideWindow {
        visit: i64,
        step: &'static str,
        day: chrono::NaiveDate,
        tasks: String,
    },
    /// The visit has no completion date.
    #[error("检查尚未完成")]
    NotCompleted { visit: i64 },
    /// The result was submitted already (`done`: when and by whom, when known); change it
    /// with a correction.
    #[error("{}", submitted(*.visit, .done.as_ref()))]
    AlreadySubmitted { visit: i64, done: Option<Done> },
    /// No result has been submitted yet.
    #[error("检查任务 {visit} 还没有提交结果")]
    NotSubmitted { visit: i64 },
    /// A correction of the visit's result waits for a decision.
    #[error("检查任务 {visit} 已有待审批的更正（第{correction}号，{by} 提交）")]
    CorrectionPending {
        visit: i64,
        correction: i64,
        by: String,
    },
    /// The correction was approved or rejected already.
    #[error("更正 {correction} 已于 {} 由 {} {}", .done.at, .done.by, if *.approved { "批准" } else { "驳回" })]
    AlreadyDecided {
        correction: i64,
        done: Done,
        approved: bool,
    },
    /// The result found no problem: there is nothing to follow up.
    #[error("检查结果未发现问题，无需后续处理")]
    NothingToFollowUp { visit: i64 },

    // Draws.
    /// No task of the year's plans is inspected in the period.
    #[error("{period}没有检查时间覆盖本季度的任务")]
    NothingToDraw { period: Period },
    /// A task is in another draw of the period (`run`: that draw has been run).
    #[error("{period}的任务 {task} 已在抽取 {draw}（{}）中；如需重抽，须先申请作废并经主要负责人批准", if *.run { "已运行" } else { "已准备、待运行" })]
    TaskAlreadyDrawn {
        period: Period,
        task: String,
        draw: String,
        run: bool,
    },
    /// A draw runs once, ever (`done`: when and by whom, when known).
    #[error("{}", already_run(.draw, .done.as_ref()))]
    AlreadyRun { draw: String, done: Option<Done> },
    /// The draw has not been run.
    #[error("抽取 {draw} 尚未运行")]
    NotRun { draw: String },
    /// A draw asked to be voided cannot be run.
    #[error("抽取 {draw} 已由 {by} 申请作废（{reason}），不能运行")]
    VoidPending {
        draw: String,
        by: String,
        reason: String,
    },
    /// The void was asked for already.
    #[error("抽取 {draw} 已于 {} 由 {} 申请作废", .done.at, .done.by)]
    AlreadyVoidRequested { draw: String, done: Done },
    /// There is no void request to approve.
    #[error("抽取 {draw} 没有作废申请")]
    NoVoidRequest { draw: String },
    /// The void was approved already.
    #[error("抽取 {draw} 已于 {} 由 {} 批准作废", .done.at, .done.by)]
    AlreadyVoided { draw: String, done: Done },
    /// Nobody can replace the officer ([`NoSubstitute`] says why).
    #[error(transparent)]
    NoSubstitute(#[from] NoSubstitute),

    // Plans, the calendar, users.
    /// The task was removed from the plan (`removal`: when, by whom and why, when recorded).
    #[error("任务 {code}（{name}）已被删除{}", removed(.removal.as_deref()))]
    TaskRemoved {
        code: String,
        name: String,
        removal: Option<Box<Removal>>,
    },
    /// The year's holiday notice is not loaded: import it first.
    #[error("{year}年节假日安排尚未载入：请先用 calendar import 载入该年的通知")]
    CalendarNotLoaded { year: i32 },
    /// The change would leave no active administrator.
    #[error("至少要保留一名在用的系统管理员")]
    LastAdmin,
    /// An administrator deactivating their own account.
    #[error("不能停用自己的账户")]
    OwnAccount,

    // The database and its files.
    /// The file has no mode setting: not made by `init`.
    #[error("数据库未初始化或模式未知（{}），请先运行 shuangsuiji init", .mode.as_deref().unwrap_or("无"))]
    NotInitialised { mode: Option<String> },
    /// Another process has the database open: close it and try again.
    #[error("数据库 {} 正被其他进程使用（仪表盘或命令），现在恢复会让它们写入的内容丢失。请先关闭所有仪表盘和正在运行的 shuangsuiji 命令，再恢复", .path.display())]
    InUse { path: PathBuf },
    /// A database file (a backup, a copy) fails its checks.
    #[error("{0}")]
    Unusable(Unusable),
    /// A backup of the other mode (demo against production).
    #[error("备份是{}数据库，{} 是{}数据库：不能用一个替换另一个", mode_label(.backup_mode.as_deref()), .db.display(), mode_label(.live_mode.as_deref()))]
    OtherMode {
        backup_mode: Option<String>,
        db: PathBuf,
        live_mode: Option<String>,
    },
    /// A backup of another database.
    #[error("{} 是另一个数据库的备份，不是 {} 的：不能恢复到这里", .backup.display(), .db.display())]
    OtherDatabase { backup: PathBuf, db: PathBuf },
    /// Restoring would drop the live database's audit events (`dropped`, as "action subject"):
    /// allowed only with `--allow-rollback`.
    #[error("{}", rollback(.db, .dropped))]
    WouldRollBack { db: PathBuf, dropped: Vec<String> },
    /// The operating system refused (`what` failed: "无法写入 FILE" …).
    #[error("{what}：{error}")]
    Io { what: String, error: std::io::Error },

    // As they were.
    #[error("{0}")]
    Identity(String),
    #[error("文件有{}处问题，未导入任何数据", .0.len())]
    Rejected(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
}

/// What would be created exists already.
#[derive(Debug, thiserror::Error)]
pub enum Existing {
    #[error("{year}年已有抽查计划")]
    Plans { year: i32 },
    #[error("任务编号 {code} 已被使用")]
    TaskCode { code: String },
    #[error("用户 {login} 已存在")]
    User { login: String },
    /// An officer's declared conflict with an entity.
    #[error("已登记对 {entity} 的回避")]
    Conflict { entity: String },
    /// `init` never overwrites a database file.
    #[error("数据库文件 {} 已存在，init 不会覆盖它", .path.display())]
    Database { path: PathBuf },
}

/// What would change nothing.
#[derive(Debug, thiserror::Error)]
pub enum Unchanged {
    #[error("任务内容没有变化")]
    Task,
    /// A record edit; `last` is the audit event that made the record so, when there is one
    /// (two people doing the same thing at once learn that the other was first).
    #[error("{}", record_unchanged(.last.as_deref()))]
    Record { last: Option<Box<AuditEvent>> },
    /// A holiday notice file the same as the loaded one.
    #[error("文件中的节假日安排与已载入的完全相同，未作任何更改")]
    Calendar,
    /// A calendar day that is already of that kind.
    #[error("{date} 已经是“{}”，未作更改", .kind.label())]
    Day { date: NaiveDate, kind: DayKind },
}

/// Why a database file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Unusable {
    /// SQLite finds it corrupt, or not a database.
    #[error("{} 已损坏（不是完整的 shuangsuiji 数据库文件），不能使用（SQLite：{detail}）", .path.display())]
    Damaged { path: PathBuf, detail: String },
    /// SQLite's integrity check fails.
    #[error("{} 已损坏，完整性检查未通过：{}", .path.display(), .problems.join("；"))]
    Integrity {
        path: PathBuf,
        problems: Vec<String>,
    },
    /// The audit chain does not verify.
    #[error("{} 的审计日志核验未通过：{detail}", .path.display())]
    AuditChain { path: PathBuf, detail: String },
    /// Tables, indexes or triggers differ from this build's.
    #[error("{} 的数据库结构被改动过（{}），不能使用", .path.display(), .differences.join("；"))]
    Schema {
        path: PathBuf,
        differences: Vec<String>,
    },
    /// A backup that cannot be opened or brought up to date.
    #[error("备份 {} 无法使用：{detail}", .path.display())]
    Backup { path: PathBuf, detail: String },
}

impl ServiceError {
    /// [`ServiceError::NotFound`] outside a year.
    pub fn not_found(what: &'static str, key: impl ToString) -> ServiceError {
        ServiceError::NotFound {
            what,
            key: key.to_string(),
            year: None,
        }
    }

    /// [`ServiceError::InvalidField`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> ServiceError {
        ServiceError::InvalidField {
            field,
            reason: reason.into(),
        }
    }

    /// [`ServiceError::Io`].
    pub fn io(what: impl Into<String>, error: std::io::Error) -> ServiceError {
        ServiceError::Io {
            what: what.into(),
            error,
        }
    }
}

fn not_found(year: Option<i32>, what: &str, key: &str) -> String {
    let year = year.map(|y| format!("{y}年的")).unwrap_or_default();
    if key.is_empty() {
        format!("{year}{what}")
    } else {
        format!("{year}{what} {key}")
    }
}

fn visit_prefix(visit: Option<i64>) -> String {
    visit
        .map(|id| format!("检查任务 {id}："))
        .unwrap_or_default()
}

fn submitted(visit: i64, done: Option<&Done>) -> String {
    match done {
        Some(d) => format!(
            "检查任务 {visit} 的结果已于 {} 由 {} 提交，如需修改请提交更正",
            d.at, d.by
        ),
        None => format!("检查任务 {visit} 的结果已提交"),
    }
}

fn already_run(draw: &str, done: Option<&Done>) -> String {
    match done {
        Some(d) => format!(
            "抽取 {draw} 已于 {} 由 {} 运行，每次抽取只能运行一次",
            d.at, d.by
        ),
        None => format!("抽取 {draw} 已被运行，每次抽取只能运行一次"),
    }
}

fn removed(removal: Option<&Removal>) -> String {
    removal.map_or_else(String::new, |r| {
        format!(
            "：{} 由 {} 删除，理由“{}”（审计第{}条）",
            r.at, r.actor, r.reason, r.audit_seq
        )
    })
}

fn record_unchanged(last: Option<&AuditEvent>) -> String {
    match last {
        Some(e) => format!(
            "没有变化：{} 已于 {} 做了同样的修改（{}）",
            e.actor, e.at, e.action
        ),
        None => "没有变化".to_string(),
    }
}

fn mode_label(mode: Option<&str>) -> &'static str {
    match mode {
        Some("demo") => "示例",
        Some("production") => "正式",
        _ => "未知模式的",
    }
}

fn rollback(db: &std::path::Path, dropped: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut list = dropped[..dropped.len().min(SHOWN)].join("、");
    if dropped.len() > SHOWN {
        list.push_str(" 等");
    }
    format!(
        "备份比 {} 旧：恢复将丢失 {} 条审计事件：{list}。确需回到备份时的状态，请加 --allow-rollback（原数据库会改名保留）",
        db.display(),
        dropped.len()
    )
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        ServiceError::Store(StoreError::from(e))
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_stays_small() {
        assert!(std::mem::size_of::<ServiceError>() <= 96);
    }

    #[test]
    fn texts_read_as_before() {
        assert_eq!(
            ServiceError::not_found("检查任务", 7).to_string(),
            "未找到检查任务 7"
        );
        let plans = ServiceError::NotFound {
            what: "抽查计划",
            key: String::new(),
            year: Some(2025),
        };
        assert_eq!(plans.to_string(), "未找到2025年的抽查计划");
        let step = ServiceError::StepOutOfOrder {
            visit: Some(3),
            why: StepError::OutOfOrder {
                state: crate::domain::visit::VisitState::Assigned,
                step: crate::domain::visit::Step::Publish,
            },
        };
        assert_eq!(
            step.to_string(),
            "检查任务 3：检查任务当前为“待检查”，不能公示"
        );
        let late = ServiceError::IncompleteResult {
            problems: vec!["甲".into(), "乙".into()],
            correction: true,
        };
        assert_eq!(late.to_string(), "更正后的结果不完整：甲；乙");
        let dropped: Vec<String> = (0..12).map(|n| n.to_string()).collect();
        let text = ServiceError::WouldRollBack {
            db: "a.db".into(),
            dropped,
        }
        .to_string();
        assert!(text.starts_with("备份比 a.db 旧：恢复将丢失 12 条审计事件：0、1、"));
        assert!(text.contains("9 等。"), "{text}");
    }
}
