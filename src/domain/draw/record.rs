//! 抽取记录 (the draw record): what is committed before the seed exists, and what the run
//! produced. `draw show --json` prints it; `draw verify` re-computes it from itself alone.

use serde::{Deserialize, Serialize};

use crate::domain::audit::Checkpoint;

pub const FORMAT: &str = "ssj-draw-record-v1";
pub const ALGORITHM: &str = "ssj-draw-v1";
/// The seed source the system always adds, last in `prepared.sources` and `seed_sources`.
pub const SYSTEM_SOURCE: &str = "系统随机数：操作系统熵源（OsRng）20位";

/// The source of the `n`-th (1-based) seed part people gave.
pub fn person_source(n: usize) -> String {
    format!("现场种子{n}")
}

/// Everything frozen and hashed before the randomness exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub id: String,
    pub task: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityFacts {
    pub id: String,
    pub name: String,
    pub town: String,
    /// The inspectors of the entity's previous random-inspection team (回避).
    pub last_team: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct Ineligible {
    pub id: String,
    pub reason: String,
}

/// A selected entity with its ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selected {
    pub id: String,
    pub ticket: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratumResult {
    pub task: String,
    pub label: String,
    pub quota: u32,
    pub selected: Vec<Selected>,
}

/// One seat of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seat {
    pub inspector: String,
    pub department: String,
    pub lead: bool,
    pub ticket: String,
}

/// 检查组 (a team): the seats of one visit, in the order drawn (the lead first), with any
/// substitutions applied where the holder says so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Team(pub Vec<Seat>);

impl Team {
    /// Whether the officer with this inspector code sits on the team.
    pub fn includes(&self, inspector: &str) -> bool {
        self.0.iter().any(|s| s.inspector == inspector)
    }

    /// The seat the officer holds, if any.
    pub fn seat_of(&self, inspector: &str) -> Option<&Seat> {
        self.0.iter().find(|s| s.inspector == inspector)
    }

    /// The inspector codes, the lead marked with `*`: "*YC-001 YC-004 SL-002".
    pub fn codes(&self) -> String {
        self.0
            .iter()
            .map(|s| format!("{}{}", if s.lead { "*" } else { "" }, s.inspector))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Puts `replacement` in the seat `out` holds; no change if `out` holds none.
    pub fn replace(&mut self, out: &str, replacement: &str) {
        if let Some(seat) = self.0.iter_mut().find(|s| s.inspector == out) {
            seat.inspector = replacement.to_string();
        }
    }
}

impl std::ops::Deref for Team {
    type Target = [Seat];

    fn deref(&self) -> &[Seat] {
        &self.0
    }
}

impl FromIterator<Seat> for Team {
    fn from_iter<I: IntoIterator<Item = Seat>>(seats: I) -> Team {
        Team(seats.into_iter().collect())
    }
}

impl From<Vec<Seat>> for Team {
    fn from(seats: Vec<Seat>) -> Team {
        Team(seats)
    }
}

/// 检查任务 (a visit): one entity, all the tasks that drew it, one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_checkpoint"
    )]
    pub checkpoint: Option<Checkpoint>,
}

/// The checkpoint as a record carries it, refusing unknown keys like the rest of the record.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictCheckpoint {
    size: u64,
    head: String,
}

fn strict_checkpoint<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Checkpoint>, D::Error> {
    Ok(
        Option::<StrictCheckpoint>::deserialize(d)?.map(|c| Checkpoint {
            size: c.size,
            head: c.head,
        }),
    )
}

/// Parses a record (`draw show --json`), refusing unknown keys with a message naming the key.
pub fn parse_record(text: &str) -> Result<DrawRecord, String> {
    serde_json::from_str(text).map_err(|e| {
        let m = e.to_string();
        let at = format!("（第{}行第{}列）", e.line(), e.column());
        if let Some(rest) = m.strip_prefix("unknown field `")
            && let Some((key, _)) = rest.split_once('`')
        {
            format!("记录含有本格式没有的字段“{key}”{at}，可能被改动过")
        } else if let Some(rest) = m.strip_prefix("missing field `")
            && let Some((key, _)) = rest.split_once('`')
        {
            format!("记录缺少字段“{key}”{at}")
        } else {
            format!("{m}{at}")
        }
    })
}

/// The digest the `draw.run` audit event carries: hex SHA-256 of the canonical JSON of the
/// record as run, that is without `checkpoint` (the checkpoint is that very event), without
/// the later `substitutions` (each has its own `draw.substitute` event), and without
/// `prepared`, which the record's `commitment` (inside the digest) already binds: hashing the
/// frozen population again cost a second per 100,000 entities and added nothing.
pub fn record_digest(record: &DrawRecord) -> String {
    #[derive(Serialize)]
    struct AsRun<'a> {
        format: &'a str,
        draw_id: &'a str,
        period: &'a str,
        algorithm: &'a str,
        commitment: &'a str,
        seed_parts: &'a [String],
        seed_sources: &'a [String],
        seed: &'a str,
        run_on: &'a str,
        witnesses: &'a [String],
        strata: &'a [StratumResult],
        visits: &'a [VisitResult],
    }
    super::commit::commitment(&AsRun {
        format: &record.format,
        draw_id: &record.draw_id,
        period: &record.period,
        algorithm: &record.algorithm,
        commitment: &record.commitment,
        seed_parts: &record.seed_parts,
        seed_sources: &record.seed_sources,
        seed: &record.seed,
        run_on: &record.run_on,
        witnesses: &record.witnesses,
        strata: &record.strata,
        visits: &record.visits,
    })
}
