//! 抽取记录 (the draw record): what is committed before the seed exists, and what the run
//! produced. `draw show --json` prints it; `draw verify` re-computes it from itself alone.

use serde::{Deserialize, Serialize};

use crate::domain::audit::Checkpoint;

pub const FORMAT: &str = "ssj-draw-record-v1";
pub const ALGORITHM: &str = "ssj-draw-v1";

/// Everything frozen and hashed before the randomness exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepared {
    pub period: String,
    pub algorithm: String,
    /// The date the population was frozen (YYYY-MM-DD).
    pub prepared_on: String,
    /// Declared randomness sources, e.g. "现场掷骰（两人各20位）".
    pub sources: Vec<String>,
    pub tasks: Vec<TaskSpec>,
    pub strata: Vec<StratumSpec>,
    pub excluded: Vec<Exclusion>,
    /// Facts about every entity in any population that the team matching reads.
    pub entities: Vec<EntityFacts>,
    /// The eligible inspectors and what the team matching reads of them.
    pub inspectors: Vec<InspectorFacts>,
    /// Inspectors left out, and why.
    pub ineligible: Vec<Ineligible>,
    /// The department whose officers lead every team (the bureau).
    pub lead_department: String,
    /// At most this many visits per inspector in this draw.
    pub workload_cap: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    pub code: String,
    pub name: String,
    pub plan: String,
    /// 配合部门: each seats one officer of its own.
    pub departments: Vec<String>,
    /// At least one bureau officer on the team holds one of these.
    pub expertise: Vec<String>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumSpec {
    pub task: String,
    pub label: String,
    /// How the quota was reached, in words.
    pub rule: String,
    /// The effective ratio in basis points (after the credit-tier multiplier).
    pub ratio_bp: u32,
    pub population: Vec<String>,
    /// Ids drawn first (key entities not yet covered this year).
    pub priority: Vec<String>,
    pub quota: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub id: String,
    pub task: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityFacts {
    pub id: String,
    pub name: String,
    pub town: String,
    /// The inspectors of the entity's previous random-inspection team (回避).
    pub last_team: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorFacts {
    pub id: String,
    pub name: String,
    pub department: String,
    pub areas: Vec<String>,
    pub expertise: Vec<String>,
    /// Entities the officer declared a conflict with.
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ineligible {
    pub id: String,
    pub reason: String,
}

/// A selected entity with its ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selected {
    pub id: String,
    pub ticket: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumResult {
    pub task: String,
    pub label: String,
    pub quota: u32,
    pub selected: Vec<Selected>,
}

/// One seat of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub inspector: String,
    pub department: String,
    pub lead: bool,
    pub ticket: String,
}

/// 检查任务 (a visit): one entity, all the tasks that drew it, one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitResult {
    pub entity: String,
    pub tasks: Vec<String>,
    pub ticket: String,
    pub team: Vec<Seat>,
    /// Why a valid team could not be formed, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A later change of one officer on one visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitution {
    pub entity: String,
    pub out: String,
    #[serde(rename = "in")]
    pub replacement: String,
    pub reason: String,
    /// Candidates ranked before the replacement that were passed over, with why.
    pub skipped: Vec<Ineligible>,
    pub at: String,
    pub by: String,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub format: String,
    pub draw_id: String,
    pub period: String,
    pub algorithm: String,
    pub prepared: Prepared,
    pub commitment: String,
    pub seed_parts: Vec<String>,
    /// Who or what gave each seed part, in the same order.
    pub seed_sources: Vec<String>,
    pub seed: String,
    /// The day the draw was run (YYYY-MM-DD).
    #[serde(default)]
    pub run_on: String,
    pub witnesses: Vec<String>,
    pub strata: Vec<StratumResult>,
    pub visits: Vec<VisitResult>,
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}
