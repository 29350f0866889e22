//! What the year's rules leave undone, named (domain-rules §10 "The annual report states
//! shortfalls"): key units not inspected, full-coverage tasks not covered, quotas the cap cut
//! short, visits over the cap, outside their windows, 未实施, results waiting to be published and
//! late entries. Every listed entity is named by id, so the JSON can be checked against the
//! visits.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::super::publicity::VisitRecord;
use crate::domain::draw::Draw;
use crate::domain::draw::record::DrawRecord;
use crate::domain::visit::VisitState;

/// An entity named in a list: id, name, and why it is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub detail: String,
}

/// A visit named in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitLine {
    pub visit: i64,
    pub period: String,
    pub entity: String,
    pub name: String,
    pub tasks: Vec<String>,
    pub detail: String,
}

/// Key units inspected of all, as of the report's date, and the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub covered: usize,
    pub all: usize,
    pub missing: Vec<Listed>,
}

/// A full-coverage (100 %) task: its units, those inspected for it, and the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullTask {
    pub task: String,
    pub name: String,
    pub population: usize,
    pub covered: usize,
    pub missing: Vec<Listed>,
}

/// A stratum whose rule asked for more units than were eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaShortfall {
    pub draw: String,
    pub task: String,
    pub label: String,
    /// 应抽 by the rule.
    pub wanted: u32,
    /// 可抽: the quota the population allowed.
    pub quota: u32,
}

/// Everything the year's rules leave undone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Shortfalls {
    pub key_coverage: Coverage,
    pub full_tasks: Vec<FullTask>,
    pub quota_shortfalls: Vec<QuotaShortfall>,
    pub over_cap: Vec<VisitLine>,
    pub outside_windows: Vec<VisitLine>,
    pub lapsed: Vec<VisitLine>,
    pub unpublished: Vec<VisitLine>,
    pub late_entries: Vec<VisitLine>,
}

fn line(v: &VisitRecord, names: &HashMap<String, String>, detail: String) -> VisitLine {
    VisitLine {
        visit: v.row.id,
        period: v.row.period.clone(),
        entity: v.row.entity.clone(),
        name: names.get(&v.row.entity).cloned().unwrap_or_default(),
        tasks: v.row.tasks.clone(),
        detail,
    }
}

/// The visit lists: over the cap, outside windows, 未实施, unpublished, late.
pub(super) fn visit_lists(
    visits: &[VisitRecord],
    names: &HashMap<String, String>,
    out: &mut Shortfalls,
) {
    for v in visits {
        if let Some(n) = &v.row.note {
            out.over_cap.push(line(v, names, n.clone()));
        }
        let reasons: Vec<String> = [
            ("开始", v.dates.started, &v.dates.start_reason),
            ("完成", v.dates.completed, &v.dates.complete_reason),
        ]
        .into_iter()
        .filter_map(|(what, day, reason)| Some(format!("{what} {}：{}", day?, reason.as_deref()?)))
        .collect();
        if !reasons.is_empty() {
            out.outside_windows.push(line(v, names, reasons.join("；")));
        }
        if let Some(r) = &v.dates.lapsed {
            out.lapsed.push(line(v, names, r.clone()));
        }
        if v.dates.state() == VisitState::Entered {
            let entered = v.dates.entered.map(|d| d.to_string()).unwrap_or_default();
            out.unpublished
                .push(line(v, names, format!("{entered} 录入，未公示")));
        }
        if let Some(s) = v.submitted.as_ref().filter(|s| s.late) {
            out.late_entries
                .push(line(v, names, format!("{} 录入（逾期）", s.submitted_on)));
        }
    }
}

/// Strata of the scope's live draws whose rule asked for more than could be drawn.
pub(super) fn quota_shortfalls(records: &[(Draw, DrawRecord)]) -> Vec<QuotaShortfall> {
    let mut out = Vec::new();
    for (d, r) in records {
        for st in &r.prepared.strata {
            let short = st.shortfall();
            if short > 0 {
                out.push(QuotaShortfall {
                    draw: d.id.clone(),
                    task: st.task.clone(),
                    label: st.label.clone(),
                    wanted: st.wanted(),
                    quota: st.quota,
                });
            }
        }
    }
    out
}

/// Each full-coverage task of the scope: the units of its populations over the year (those
/// already checked dropped out of later populations, so the union is the task's scope as drawn
/// from), those with a started visit carrying the task, and the rest.
pub(super) fn full_tasks(
    records: &[(Draw, DrawRecord)],
    visits: &[VisitRecord],
    names: &HashMap<String, String>,
) -> Vec<FullTask> {
    let mut scope: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (_, r) in records {
        for st in r.prepared.strata.iter().filter(|s| s.full_coverage) {
            let name = r
                .prepared
                .tasks
                .iter()
                .find(|t| t.code == st.task)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            scope
                .entry((st.task.clone(), name))
                .or_default()
                .extend(st.population.iter().cloned());
        }
    }
    scope
        .into_iter()
        .map(|((task, name), mut units)| {
            let covered: BTreeSet<String> = visits
                .iter()
                .filter(|v| v.dates.started.is_some() && v.row.tasks.contains(&task))
                .map(|v| v.row.entity.clone())
                .collect();
            units.extend(covered.iter().cloned());
            let missing: Vec<Listed> = units
                .iter()
                .filter(|u| !covered.contains(*u))
                .map(|u| Listed {
                    id: u.clone(),
                    name: names.get(u).cloned().unwrap_or_default(),
                    detail: "尚未检查".to_string(),
                })
                .collect();
            FullTask {
                task,
                name,
                population: units.len(),
                covered: units.len() - missing.len(),
                missing,
            }
        })
        .collect()
}
