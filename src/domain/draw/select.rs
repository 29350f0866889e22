//! 抽取对象 (selecting targets) and forming visits from the selections.
//!
//! Each stratum selects the `quota` entities with the smallest `(priority, ticket, id)` under
//! `S = SHA-256(seed)`; priority is 0 for the stratum's `priority` ids, 1 otherwise. Every
//! stratum uses the same seed, so an entity ranks the same in every task. The visits are the
//! distinct selected entities with every task that drew them, in ticket order.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::record::{Prepared, Selected, StratumResult};
use super::ticket::{TicketKey, seed_hash};

pub fn select(prepared: &Prepared, seed: &str) -> Vec<StratumResult> {
    let s = seed_hash(seed);
    prepared
        .strata
        .iter()
        .map(|st| {
            let priority: HashSet<&str> = st.priority.iter().map(String::as_str).collect();
            let mut keyed: Vec<(bool, TicketKey, &str)> = st
                .population
                .iter()
                .map(|id| {
                    (
                        !priority.contains(id.as_str()),
                        TicketKey::new(&s, id),
                        id.as_str(),
                    )
                })
                .collect();
            let take = (st.quota as usize).min(keyed.len());
            if take > 0 && take < keyed.len() {
                keyed.select_nth_unstable(take - 1);
            }
            keyed.truncate(take);
            keyed.sort();
            StratumResult {
                task: st.task.clone(),
                label: st.label.clone(),
                quota: st.quota,
                selected: keyed
                    .into_iter()
                    .map(|(_, k, id)| Selected {
                        id: id.to_string(),
                        ticket: k.text(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A visit before its team: the entity, its tasks (in the draw's task order) and its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedVisit {
    pub entity: String,
    pub tasks: Vec<String>,
    pub ticket: String,
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
    let mut out: Vec<PlannedVisit> = by_entity
        .into_iter()
        .map(|(id, (tasks, ticket))| PlannedVisit {
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
