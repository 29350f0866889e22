//! 抽取对象 (selecting targets) and forming visits from the selections.
//!
//! Each stratum selects the `quota` entities with the smallest `(priority, ticket, id)` under
//! `S = SHA-256(seed)`; priority is 0 for the stratum's `priority` ids, 1 otherwise. Every
//! stratum uses the same seed, so an entity ranks the same in every task. The visits are the
//! distinct selected entities with every task that drew them, in ticket order.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::record::{OVER_CAP_NOTE, Prepared, Selected, StratumResult, StratumSpec};
use super::ticket::{Seeded, TicketKey, seed_hash};

pub fn select(prepared: &Prepared, seed: &str) -> Vec<StratumResult> {
    let s = Seeded::new(&seed_hash(seed));
    let mut results: Vec<StratumResult> = prepared
        .strata
        .iter()
        .map(|st| {
            if st.full_coverage {
                // Drawn after the others, which it joins (below).
                return result_of(st, Vec::new());
            }
            let priority: HashSet<&str> = st.priority.iter().map(String::as_str).collect();
            let keyed = st
                .population
                .iter()
                .map(|id| {
                    (
                        !priority.contains(id.as_str()),
                        TicketKey::seeded(&s, id),
                        id.as_str(),
                    )
                })
                .collect();
            result_of(st, smallest(keyed, st.quota as usize))
        })
        .collect();
    if prepared.strata.iter().any(|st| st.full_coverage) {
        join_full_coverage(prepared, &s, &mut results);
    }
    results
}

/// The `take` smallest keys, in order.
fn smallest(mut keyed: Vec<(bool, TicketKey, &str)>, take: usize) -> Vec<(bool, TicketKey, &str)> {
    let take = take.min(keyed.len());
    if take > 0 && take < keyed.len() {
        keyed.select_nth_unstable(take - 1);
    }
    keyed.truncate(take);
    keyed.sort();
    keyed
}

fn result_of(st: &StratumSpec, keyed: Vec<(bool, TicketKey, &str)>) -> StratumResult {
    // Into a vector of its own size: collected in place, the selection would keep the whole
    // population's keys' allocation for as long as the record lives.
    let mut selected = Vec::with_capacity(keyed.len());
    selected.extend(keyed.into_iter().map(|(_, k, id)| Selected {
        id: id.to_string(),
        ticket: k.text(),
    }));
    StratumResult {
        task: st.task.clone(),
        label: st.label.clone(),
        quota: st.quota,
        selected,
    }
}

/// v2 full-coverage strata ("进一次门，查多项事"): every unit of the population that a
/// stratum of another kind selected joins that visit; the rest of the quota is drawn by
/// ticket; then every unit some full-coverage stratum drew joins the other full-coverage
/// strata whose population holds it.
fn join_full_coverage(prepared: &Prepared, s: &Seeded, results: &mut [StratumResult]) {
    let random: HashSet<String> = results
        .iter()
        .flat_map(|r| r.selected.iter().map(|x| x.id.clone()))
        .collect();
    for (st, r) in prepared.strata.iter().zip(results.iter_mut()) {
        if !st.full_coverage {
            continue;
        }
        let keyed = st
            .population
            .iter()
            .map(|id| (!random.contains(id), TicketKey::seeded(s, id), id.as_str()))
            .collect::<Vec<_>>();
        let joined = keyed.iter().filter(|k| !k.0).count();
        let picked = smallest(keyed, joined.max(st.quota as usize));
        *r = result_of(st, picked);
    }
    let visited: HashSet<String> = results
        .iter()
        .flat_map(|r| r.selected.iter().map(|x| x.id.clone()))
        .collect();
    for (st, r) in prepared.strata.iter().zip(results.iter_mut()) {
        if !st.full_coverage {
            continue;
        }
        let have: HashSet<String> = r.selected.iter().map(|x| x.id.clone()).collect();
        let mut keyed: Vec<(bool, TicketKey, &str)> = st
            .population
            .iter()
            .filter(|id| visited.contains(*id))
            .map(|id| (!visited.contains(id), TicketKey::seeded(s, id), id.as_str()))
            .collect();
        if keyed.len() > have.len() {
            keyed.sort();
            *r = result_of(st, keyed);
        }
    }
}

/// A visit before its team: the entity, its tasks (in the draw's task order) and its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedVisit {
    pub entity: String,
    pub tasks: Vec<String>,
    pub ticket: String,
    /// [`OVER_CAP_NOTE`] for a unit at the yearly cap drawn by a full-coverage task.
    pub note: Option<String>,
}

/// One visit per selected entity ("进一次门，查多项事"), ordered by ticket then id.
pub fn visits(prepared: &Prepared, results: &[StratumResult]) -> Vec<PlannedVisit> {
    let order: Vec<&str> = prepared.tasks.iter().map(|t| t.code.as_str()).collect();
    let mut by_entity: BTreeMap<&str, (BTreeSet<usize>, &str)> = BTreeMap::new();
    for r in results {
        let pos = order
            .iter()
            .position(|c| *c == r.task)
            .unwrap_or(usize::MAX);
        for sel in &r.selected {
            let slot = by_entity
                .entry(sel.id.as_str())
                .or_insert((BTreeSet::new(), sel.ticket.as_str()));
            slot.0.insert(pos);
        }
    }
    let over_cap: HashSet<&str> = prepared
        .strata
        .iter()
        .flat_map(|st| st.over_cap.iter().map(String::as_str))
        .collect();
    let mut out: Vec<PlannedVisit> = by_entity
        .into_iter()
        .map(|(id, (tasks, ticket))| PlannedVisit {
            note: over_cap.contains(id).then(|| OVER_CAP_NOTE.to_string()),
            entity: id.to_string(),
            tasks: tasks
                .into_iter()
                .filter_map(|p| order.get(p).map(|c| c.to_string()))
                .collect(),
            ticket: ticket.to_string(),
        })
        .collect();
    out.sort_by(|a, b| (&a.ticket, &a.entity).cmp(&(&b.ticket, &b.entity)));
    out
}
