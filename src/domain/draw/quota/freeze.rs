//! The steps of [`prepare`](super::prepare): the officers who may be sent, each task's pool of
//! entities and its strata, the facts frozen of the entities drawn from, the workload cap.

use super::*;

/// The officers who may be sent this quarter, and those who may not with the reason, in the
/// library's order.
pub(super) fn sendable_inspectors(
    library: &[Inspector],
    period: Period,
) -> (Vec<InspectorFacts>, Vec<Ineligible>) {
    let mut inspectors = Vec::new();
    let mut ineligible = Vec::new();
    for i in library {
        match inspector_eligibility(i, period) {
            Some(reason) => ineligible.push(Ineligible {
                id: i.code.clone(),
                reason,
            }),
            None => inspectors.push(InspectorFacts {
                id: i.code.clone(),
                name: i.name.clone(),
                department: i.department.clone(),
                areas: i.areas.iter().cloned().collect(),
                expertise: i.expertise.iter().map(|x| x.label().to_string()).collect(),
                conflicts: None,
            }),
        }
    }
    (inspectors, ineligible)
}

/// The 1:N rule's count: on-duty officers of the lead department whose certificate is valid
/// on the day of preparation (officers who may inspect), sendable this quarter or not.
pub(super) fn certified_lead_officers(input: &PrepareInput<'_>) -> usize {
    input
        .inspectors
        .iter()
        .filter(|i| {
            i.on_duty && i.department == input.lead_department && i.certified_on(input.prepared_on)
        })
        .count()
}

/// The private part: the declared conflicts of the sendable officers, the officers left out
/// and why, and the previous teams.
pub(super) fn private_part(
    library: &[Inspector],
    sendable: &[InspectorFacts],
    ineligible: Vec<Ineligible>,
    last_teams: Vec<LastTeam>,
) -> PrivatePart {
    let mut conflicts: Vec<OfficerConflicts> = library
        .iter()
        .filter(|i| !i.conflicts.is_empty() && sendable.iter().any(|s| s.id == i.code))
        .map(|i| {
            let mut entities: Vec<String> = i.conflicts.iter().map(|c| c.entity.clone()).collect();
            entities.sort();
            entities.dedup();
            OfficerConflicts {
                inspector: i.code.clone(),
                entities,
            }
        })
        .collect();
    conflicts.sort_by(|a, b| a.inspector.cmp(&b.inspector));
    PrivatePart {
        conflicts,
        ineligible,
        last_teams,
    }
}

/// The task's sampling lines whose window meets the period; an error when there is none.
pub(super) fn lines_in_period(task: &Task, period: Period) -> Result<Vec<&SamplingLine>, String> {
    let lines: Vec<&SamplingLine> = task
        .lines
        .iter()
        .filter(|l| period.in_window(l.window))
        .collect();
    if lines.is_empty() {
        return Err(format!(
            "任务{}（{}）的检查时间不含{period}",
            task.code, task.name
        ));
    }
    Ok(lines)
}

/// The entities in the task's scope that are in its population this quarter; those left out
/// go to `excluded` with the reason.
///
/// `by_id` lists the entities' positions in id order: the pool is kept in that order, so that
/// each stratum's population (sorted by id) comes out sorted without sorting again.
pub(super) fn task_pool<'p>(
    input: &PrepareInput<'_>,
    ctx: &Ctx<'_>,
    units: &'p [Unit],
    by_id: &[usize],
    task: &Task,
    lines: &[&SamplingLine],
    excluded: &mut Vec<Exclusion>,
) -> Pool<'p> {
    let period = ctx.period;
    let scope = Scope {
        task,
        period,
        months: period
            .months()
            .filter(|m| {
                lines
                    .iter()
                    .any(|l| l.window.start_month <= *m && *m <= l.window.end_month)
            })
            .collect(),
    };
    let mut pool = Pool {
        members: Vec::new(),
        capped: Vec::new(),
        drawn_out: Vec::new(),
    };
    // A full-coverage line is never starved by the cap: its units at the cap stay in.
    let all_full = lines.iter().all(|l| matches!(l.rule, SamplingRule::Full));
    let some_full = lines.iter().any(|l| matches!(l.rule, SamplingRule::Full));
    for &n in by_id {
        let e = &units[n];
        if !task.target_types.iter().any(|t| e.has_type(*t)) {
            continue;
        }
        let reason = exclusion_reason(e, &scope);
        let capped = reason
            .is_none()
            .then(|| cap_reason(e, input.history, input.province_cap))
            .flatten();
        match (reason, capped) {
            (None, None) => pool.members.push(e),
            (None, Some(why)) => {
                pool.capped.push(e);
                if !all_full {
                    excluded.push(Exclusion {
                        id: e.id.clone(),
                        task: task.code.clone(),
                        reason: if some_full {
                            format!("{why}（全覆盖检查项仍纳入）")
                        } else {
                            why
                        },
                    });
                }
            }
            (Some(reason), _) => {
                if ctx.drawn(&task.code, &e.id) {
                    pool.drawn_out.push(e);
                }
                excluded.push(Exclusion {
                    id: e.id.clone(),
                    task: task.code.clone(),
                    reason,
                });
            }
        }
    }
    pool
}

/// The strata of every line of the task in the period, labelled by line group when there
/// are several.
pub(super) fn task_strata(
    ctx: &Ctx<'_>,
    plan: &Plan,
    task: &Task,
    lines: &[&SamplingLine],
    pool: &Pool<'_>,
) -> Vec<StratumSpec> {
    let several = lines.len() > 1;
    let mut strata = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let prefix = if several {
            format!("第{}组({})/", i + 1, line.items.join(","))
        } else {
            String::new()
        };
        strata.extend(line_strata(ctx, plan, task, line, &prefix, pool));
    }
    strata
}

/// The task as the record freezes it: its plan, cooperating departments, the expertise its
/// target types ask for, its items.
pub(super) fn task_spec(plan: &Plan, task: &Task) -> TaskSpec {
    let mut expertise: Vec<String> = task
        .target_types
        .iter()
        .flat_map(|t| expertise_for(*t))
        .map(|s| s.to_string())
        .collect();
    expertise.sort();
    expertise.dedup();
    TaskSpec {
        code: task.code.clone(),
        name: task.name.clone(),
        plan: format!("{}/{}", plan.year, plan.code),
        departments: task.cooperating_departments.clone(),
        expertise,
        items: task.item_codes().iter().map(|s| s.to_string()).collect(),
    }
}

/// The facts frozen of every entity in some stratum's population, by id, and (for the private
/// part) the previous team of those that had one.
///
/// `by_id` lists the units' positions in id order. Each population is sorted by id, so their
/// ids, sorted together (a merge of sorted runs) and deduplicated, are walked beside the units
/// in id order: no set of a hundred thousand ids is hashed, and the facts come out in id order.
pub(super) fn entity_facts(
    history: &History,
    units: &[Unit],
    by_id: &[usize],
    strata: &[StratumSpec],
) -> (Vec<EntityFacts>, Vec<LastTeam>) {
    let mut in_population: Vec<&str> = strata
        .iter()
        .flat_map(|s| s.population.iter().map(String::as_str))
        .collect();
    in_population.sort();
    in_population.dedup();
    let mut entities = Vec::with_capacity(in_population.len());
    let mut last_teams = Vec::new();
    let mut wanted = in_population.iter().peekable();
    for e in by_id.iter().map(|&n| &units[n]) {
        // Ids of a population that no unit has cannot occur (populations are made of units);
        // they are passed over all the same.
        while wanted.next_if(|id| **id < e.id.as_str()).is_some() {}
        if wanted.next_if(|id| **id == e.id.as_str()).is_none() {
            continue;
        }
        entities.push(EntityFacts {
            id: e.id.clone(),
            name: e.name.clone(),
            town: e.town.clone(),
            last_team: None,
            class: Some(e.class.short_label().to_string()),
        });
        if let Some(team) = history.last_team.get(&e.id)
            && !team.is_empty()
        {
            last_teams.push(LastTeam {
                entity: e.id.clone(),
                inspectors: team.clone(),
            });
        }
    }
    (entities, last_teams)
}

/// The most visits one officer may take in this draw: two seats per quota unit shared among
/// the lead department's sendable officers, plus one, at least 3.
pub(super) fn workload_cap(
    strata: &[StratumSpec],
    inspectors: &[InspectorFacts],
    lead_department: &str,
) -> u32 {
    let seats: u64 = strata.iter().map(|s| u64::from(s.quota)).sum::<u64>() * 2;
    let leads = inspectors
        .iter()
        .filter(|i| i.department == lead_department)
        .count()
        .max(1) as u64;
    (seats.div_ceil(leads) + 1).max(3) as u32
}
