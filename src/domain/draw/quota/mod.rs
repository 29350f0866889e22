//! 名额 (quotas): from a period, the chosen tasks and the libraries, the frozen population of
//! every stratum, its quota and the reasons for every exclusion. Pure: the caller passes the
//! year's history of earlier draws.
//!
//! Rules (domain-rules §2–5, plan sections 三 and the annexes):
//! * by class (重点/特殊/一般) and by EIA class (报告书/报告表/登记表): a share **per quarter**
//!   of the window; key entities not yet inspected this year first; in the window's last quarter
//!   the key strata take every key entity still uncovered.
//! * fixed ratio and 100 %: a share **of the year**, spread over the quarters left in the
//!   window, among units this task has not drawn yet this year.
//! * 1:N: general units, N × on-duty bureau officers a year (at most the population), spread
//!   over the quarters left; key and special units of such a task by class (25 % / 30 %).
//! * credit tiers multiply every ratio (低 ×1, 一般 ×1.5, 较高 ×2, 高 ×3 by default; unrated
//!   ×1), capped at 100 %; quotas round up and never exceed the population.
//! * units of every class but special randomly inspected twice this year (a visit counts once
//!   started, or while pending in the period prepared; not when the unit was special when
//!   drawn), and non-special units at the province cap, are out of the population but count
//!   for the ratio (`ratio_base`): the shortfall is recorded, never hidden. Special units are
//!   exempt from both caps. A full-coverage (100 %) task is never starved by the cap: a unit
//!   at the cap stays in its population, marked `over_cap`.
//! * key coverage means inspected: key units without a started visit this year come first.
//! * fixed-ratio and full tasks count a unit drawn earlier in the year as drawn, whatever
//!   happened to it since; a full task's check is pending until a visit of it started.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::period::Period;
use super::record::{
    ALGORITHM, Annual, EntityFacts, Exclusion, Ineligible, InspectorFacts, LastTeam,
    OfficerConflicts, Prepared, PrivatePart, StratumSpec, TaskSpec,
};
use crate::domain::classification::SupervisionClass;
use crate::domain::entity::Entity;
use crate::domain::inspector::Inspector;
use crate::domain::plan::{Plan, SamplingLine, SamplingRule, Task, TierMultipliers, pct};
use crate::domain::vocab::{CreditTier, EiaClass, ProductionStatus, TargetType};

mod freeze;
mod strata;
mod unit;
use freeze::{
    certified_lead_officers, entity_facts, lines_in_period, private_part, sendable_inspectors,
    task_pool, task_spec, task_strata, workload_cap,
};
use strata::line_strata;
pub use unit::Unit;

/// The annual cap of random inspections of a unit of any class but special (plan section 三:
/// "同一污染源……不超过2次，特殊监管对象不受该条款约束").
pub const ANNUAL_CAP: u32 = 2;
/// Special units' share in tasks whose rule names only key and general units.
pub const SPECIAL_DEFAULT_BP: u32 = 3000;
/// Leave of this many days or more within the quarter makes an officer ineligible.
pub const LEAVE_DAYS_INELIGIBLE: i64 = 30;

/// What earlier (not voided) draws of the year did.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Random visits per entity this year that count toward the cap: started, or pending in
    /// the period being prepared, and not to a unit that was special when drawn.
    pub random_visits: HashMap<String, u32>,
    /// Entities each task has drawn this year, whatever happened to the visit since.
    pub drawn_by_task: HashMap<String, HashSet<String>>,
    /// Entities each task has checked or is checking: a visit started, or pending in the
    /// period being prepared (a full task's check is pending until then).
    pub done_by_task: HashMap<String, HashSet<String>>,
    /// Entities inspected this year: a random visit started (or a targeted check).
    pub inspected: HashSet<String>,
    /// The inspectors of each entity's latest random-inspection team.
    pub last_team: HashMap<String, Vec<String>>,
}

pub struct PrepareInput<'a> {
    pub period: Period,
    pub prepared_on: NaiveDate,
    pub tasks: Vec<(&'a Plan, &'a Task)>,
    pub entities: &'a [Entity],
    pub inspectors: &'a [Inspector],
    pub history: &'a History,
    pub lead_department: &'a str,
    pub province_cap: Option<u32>,
    pub sources: Vec<String>,
    /// The draw, its preparer and the time of preparation (RFC 3339), bound by the commitment.
    pub draw_id: String,
    pub prepared_by: String,
    pub prepared_at: String,
    /// SHA-256 of the system's seed part, drawn now and revealed at the run.
    pub system_part_sha256: String,
}

/// The expertise a target type asks of the bureau officers on a team (any one of them).
pub fn expertise_for(t: TargetType) -> &'static [&'static str] {
    match t {
        TargetType::Polluter => &["大气", "水", "固废", "综合"],
        TargetType::Radiation => &["辐射"],
        TargetType::VehicleTesting => &["机动车"],
        TargetType::NonRoadMachine => &["机动车", "大气"],
        TargetType::RiverOutfall | TargetType::SewagePlant => &["水"],
        TargetType::SolidWaste => &["固废"],
    }
}

/// ⌈n × bp / 10000⌉, never more than n.
pub fn ceil_share(n: usize, bp: u32) -> u32 {
    let q = (n as u64 * u64::from(bp)).div_ceil(10_000);
    q.min(n as u64) as u32
}

fn effective_bp(base: u32, tier: Option<CreditTier>, m: &TierMultipliers) -> u32 {
    let mult = match tier {
        None => 100,
        Some(CreditTier::Low) => m.low_pct,
        Some(CreditTier::Normal) => m.normal_pct,
        Some(CreditTier::Elevated) => m.elevated_pct,
        Some(CreditTier::High) => m.high_pct,
    };
    (u64::from(base) * u64::from(mult) / 100).min(10_000) as u32
}

fn tier_label(t: Option<CreditTier>) -> &'static str {
    t.map(|t| t.label()).unwrap_or("未评级")
}

const TIERS: [Option<CreditTier>; 5] = [
    Some(CreditTier::High),
    Some(CreditTier::Elevated),
    Some(CreditTier::Normal),
    Some(CreditTier::Low),
    None,
];

/// The position of a credit tier in [`TIERS`] (every tier has one: the match is exhaustive).
fn tier_index(t: Option<CreditTier>) -> usize {
    match t {
        Some(CreditTier::High) => 0,
        Some(CreditTier::Elevated) => 1,
        Some(CreditTier::Normal) => 2,
        Some(CreditTier::Low) => 3,
        None => 4,
    }
}

/// The task and the months of the quarter inside some active window of it.
struct Scope<'a> {
    task: &'a Task,
    period: Period,
    months: Vec<u32>,
}

/// Why an entity in a task's scope is not in its population this quarter, if it is not.
fn exclusion_reason(e: &Unit, scope: &Scope<'_>) -> Option<String> {
    let (task, period) = (scope.task, scope.period);
    if let Some(r) = &e.exclusion {
        return Some(format!("不参与双随机：{r}"));
    }
    match e.production {
        ProductionStatus::Closed => return Some("已关闭".to_string()),
        ProductionStatus::Suspended => return Some("停产".to_string()),
        _ => {}
    }
    if !scope.months.iter().any(|m| e.producing_in(*m as u8)) {
        return Some(format!("季节性生产，{period}的检查月份内不生产"));
    }
    if !task.rivers.is_empty()
        && e.has_type(TargetType::RiverOutfall)
        && !task.rivers.iter().any(|r| e.outfall_rivers.contains(r))
    {
        return Some(format!("排污口不在{}", task.rivers.join("、")));
    }
    None
}

/// Why the yearly caps keep a unit out, if they do: every class but special, at most
/// [`ANNUAL_CAP`] random inspections a year, and the province's cap where set.
fn cap_reason(e: &Unit, h: &History, cap: Option<u32>) -> Option<String> {
    if e.class == SupervisionClass::Special {
        return None;
    }
    let visits = h.random_visits.get(&e.id).copied().unwrap_or(0);
    if visits >= ANNUAL_CAP {
        return Some(format!(
            "本年度已随机抽查{visits}次（年度上限{ANNUAL_CAP}次，特殊监管对象除外）"
        ));
    }
    match cap {
        Some(cap) if visits >= cap => {
            Some(format!("本年度已随机抽查{visits}次，达到省级上限{cap}次"))
        }
        _ => None,
    }
}

/// A task's units, in id order (see `freeze::task_pool`).
struct Pool<'a> {
    members: Vec<&'a Unit>,
    /// Units of the scope kept out by the yearly cap only: the ratio still counts them.
    capped: Vec<&'a Unit>,
    /// Units of the scope kept out for another reason that this task drew earlier this year.
    drawn_out: Vec<&'a Unit>,
}

impl<'a> Pool<'a> {
    fn ids(&self, keep: impl Fn(&Unit) -> bool) -> Vec<String> {
        sorted_ids(&self.members, keep)
    }

    fn capped_ids(&self, keep: impl Fn(&Unit) -> bool) -> Vec<String> {
        sorted_ids(&self.capped, keep)
    }

    fn drawn_out_ids(&self, keep: impl Fn(&Unit) -> bool) -> Vec<String> {
        sorted_ids(&self.drawn_out, keep)
    }

    /// The units `keep` holds, split by credit tier in one pass over each list (a stratum a
    /// tier would otherwise pass over the whole pool once for each of the five tiers).
    fn tiered(&self, keep: impl Fn(&Unit) -> bool) -> Tiered<'a> {
        let split = |v: &[&'a Unit]| {
            let mut out: [Vec<&'a Unit>; 5] = Default::default();
            for e in v.iter().filter(|e| keep(e)) {
                out[tier_index(e.credit_tier)].push(e);
            }
            out
        };
        Tiered {
            members: split(&self.members),
            capped: split(&self.capped),
            drawn_out: split(&self.drawn_out),
        }
    }
}

/// A pool's units of one kind by credit tier, indexed as [`TIERS`] (see [`Pool::tiered`]).
struct Tiered<'a> {
    members: [Vec<&'a Unit>; 5],
    capped: [Vec<&'a Unit>; 5],
    drawn_out: [Vec<&'a Unit>; 5],
}

impl Tiered<'_> {
    /// As [`Pool::ids`], within tier `t` (a position in [`TIERS`]).
    fn ids(&self, t: usize, keep: impl Fn(&Unit) -> bool) -> Vec<String> {
        sorted_ids(&self.members[t], keep)
    }

    fn capped_ids(&self, t: usize) -> Vec<String> {
        sorted_ids(&self.capped[t], |_| true)
    }

    fn drawn_out_ids(&self, t: usize) -> Vec<String> {
        sorted_ids(&self.drawn_out[t], |_| true)
    }
}

/// The ids kept, sorted (a pool in id order is sorted already, which the sort checks in one
/// pass).
fn sorted_ids(v: &[&Unit], keep: impl Fn(&Unit) -> bool) -> Vec<String> {
    let mut ids: Vec<String> = v.iter().filter(|e| keep(e)).map(|e| e.id.clone()).collect();
    ids.sort();
    ids
}

struct Ctx<'a> {
    period: Period,
    history: &'a History,
    /// On-duty officers of the lead department with a valid certificate on the day of
    /// preparation (the 1:N rule's count).
    officers: usize,
}

impl Ctx<'_> {
    fn uncovered(&self, id: &str) -> bool {
        !self.history.inspected.contains(id)
    }
    fn drawn(&self, task: &str, id: &str) -> bool {
        self.history
            .drawn_by_task
            .get(task)
            .is_some_and(|s| s.contains(id))
    }
    fn done(&self, task: &str, id: &str) -> bool {
        self.history
            .done_by_task
            .get(task)
            .is_some_and(|s| s.contains(id))
    }
}

fn inspector_eligibility(i: &Inspector, period: Period) -> Option<String> {
    if !i.on_duty {
        return Some("不在岗".to_string());
    }
    if !i.certified_on(period.last_day()) {
        return Some(match i.cert_expiry {
            Some(d) if !i.cert_no.trim().is_empty() => format!("执法证有效期至{d}，不足本季度"),
            _ => "无有效执法证".to_string(),
        });
    }
    // Each day of the quarter counts once, however many leave records cover it.
    let leave_days = period
        .first_day()
        .iter_days()
        .take_while(|d| *d <= period.last_day())
        .filter(|d| i.on_leave(*d))
        .count() as i64;
    if leave_days >= LEAVE_DAYS_INELIGIBLE {
        return Some(format!("本季度请假{leave_days}天"));
    }
    None
}

/// Freezes everything a draw needs before its seed exists: the public preparation (which the
/// commitment hashes) and its private part (whose digest the preparation holds).
pub fn prepare(input: &PrepareInput<'_>) -> Result<(Prepared, PrivatePart), String> {
    let units: Vec<Unit> = input
        .entities
        .iter()
        .map(|e| Unit::of(e, input.prepared_on))
        .collect();
    prepare_units(input, &units)
}

/// [`prepare`] with the entities read as [units](Unit) (classed as of `input.prepared_on`),
/// as the draw's slim read of the library gives them: `input.entities` is not read.
pub fn prepare_units(
    input: &PrepareInput<'_>,
    units: &[Unit],
) -> Result<(Prepared, PrivatePart), String> {
    let period = input.period;
    let (inspectors, ineligible) = sendable_inspectors(input.inspectors, period);
    let ctx = Ctx {
        period,
        history: input.history,
        officers: certified_lead_officers(input),
    };
    let mut by_id: Vec<usize> = (0..units.len()).collect();
    by_id.sort_unstable_by(|a, b| units[*a].id.cmp(&units[*b].id));

    let mut tasks = Vec::new();
    let mut strata = Vec::new();
    let mut excluded = Vec::new();
    for (plan, task) in &input.tasks {
        let lines = lines_in_period(task, period)?;
        let pool = task_pool(input, &ctx, units, &by_id, task, &lines, &mut excluded);
        strata.extend(task_strata(&ctx, plan, task, &lines, &pool));
        tasks.push(task_spec(plan, task));
    }
    let (entities, last_teams) = entity_facts(input.history, units, &by_id, &strata);
    excluded.sort_by(|a, b| (&a.task, &a.id).cmp(&(&b.task, &b.id)));
    let workload_cap = workload_cap(&strata, &inspectors, input.lead_department);
    let private = private_part(input.inspectors, &inspectors, ineligible, last_teams);
    let prepared = Prepared {
        period: period.to_string(),
        algorithm: ALGORITHM.to_string(),
        prepared_on: input.prepared_on.to_string(),
        sources: input.sources.clone(),
        tasks,
        strata,
        excluded,
        entities,
        inspectors,
        ineligible: None,
        lead_department: input.lead_department.to_string(),
        workload_cap,
        draw_id: Some(input.draw_id.clone()),
        prepared_by: Some(input.prepared_by.clone()),
        prepared_at: Some(input.prepared_at.clone()),
        system_part_sha256: Some(input.system_part_sha256.clone()),
        private_sha256: Some(private.digest()),
    };
    Ok((prepared, private))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tier_has_its_own_place_in_the_tier_order() {
        for (at, tier) in TIERS.into_iter().enumerate() {
            assert_eq!(tier_index(tier), at, "{tier:?}");
        }
        assert_eq!(TIERS.len(), CreditTier::ALL.len() + 1, "a tier and 未评级");
    }

    #[test]
    fn shares_round_up_and_never_exceed_the_population() {
        assert_eq!(ceil_share(12, 2500), 3);
        assert_eq!(ceil_share(13, 2500), 4);
        assert_eq!(ceil_share(1, 500), 1);
        assert_eq!(ceil_share(0, 2500), 0);
        assert_eq!(ceil_share(3, 10_000), 3);
    }

    #[test]
    fn tier_multipliers_raise_the_ratio_up_to_all() {
        let m = TierMultipliers::default();
        assert_eq!(effective_bp(500, Some(CreditTier::Low), &m), 500);
        assert_eq!(effective_bp(500, Some(CreditTier::Normal), &m), 750);
        assert_eq!(effective_bp(500, None, &m), 500);
        assert_eq!(effective_bp(3000, Some(CreditTier::High), &m), 9000);
        assert_eq!(effective_bp(5000, Some(CreditTier::High), &m), 10_000);
    }
}
