//! 计划记录 (plans as kept): a plan with its id and the tasks removed during the year, and the
//! record of plan changes (计划调整).

use super::plan::{Plan, Task};

/// A stored plan with its database id.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    pub id: i64,
    pub plan: Plan,
    /// Tasks removed during the year (kept, never deleted).
    pub removed: Vec<Task>,
    /// When, by whom and why each removed task was removed, by task code.
    pub removals: Vec<Removal>,
}

impl PlanRecord {
    /// The removal of a removed task, if recorded.
    pub fn removal(&self, task: &str) -> Option<&Removal> {
        self.removals.iter().rev().find(|r| r.task == task)
    }
}

/// The removal of a task: when, by whom and why (from the record of plan changes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    pub task: String,
    pub at: String,
    pub actor: String,
    pub reason: String,
    pub audit_seq: u64,
}

/// A recorded change to a plan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanChange {
    pub plan: String,
    pub year: i32,
    pub task: Option<String>,
    pub change: String,
    pub reason: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub audit_seq: u64,
    pub actor: String,
    pub at: String,
}
