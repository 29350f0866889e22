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
                conflicts: i.conflicts.iter().map(|c| c.entity.clone()).collect(),
            }),
        }
    }
    (inspectors, ineligible)
}

/// On-duty officers of the lead department (the 1:N rule's count), eligible this quarter or not.
pub(super) fn on_duty_lead(input: &PrepareInput<'_>) -> usize {
    input
        .inspectors
        .iter()
        .filter(|i| i.on_duty && i.department == input.lead_department)
        .count()
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
pub(super) fn task_pool<'a>(
    input: &PrepareInput<'a>,
    ctx: &Ctx<'_>,
    classes: &[Classification],
    task: &Task,
    lines: &[&SamplingLine],
    excluded: &mut Vec<Exclusion>,
) -> Pool<'a> {
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
        drawn_general: 0,
        drawn_general_out: 0,
    };
    for (e, c) in input.entities.iter().zip(classes) {
        if !task.target_types.iter().any(|t| e.target_types.contains(t)) {
            continue;
        }
        let drawn_general = c.class == SupervisionClass::General && ctx.drawn(&task.code, e.id());
        pool.drawn_general += usize::from(drawn_general);
        match exclusion_reason(e, c, &scope, input.history, input.province_cap) {
            Some(reason) => {
                pool.drawn_general_out += usize::from(drawn_general);
                excluded.push(Exclusion {
                    id: e.id().to_string(),
                    task: task.code.clone(),
                    reason,
                });
            }
            None => pool.members.push((e, c.clone())),
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

/// The facts frozen of every entity in some stratum's population, by id.
pub(super) fn entity_facts(input: &PrepareInput<'_>, strata: &[StratumSpec]) -> Vec<EntityFacts> {
    let mut in_population: BTreeSet<&str> = BTreeSet::new();
    for s in strata {
        in_population.extend(s.population.iter().map(String::as_str));
    }
    let mut entities: Vec<EntityFacts> = input
        .entities
        .iter()
        .filter(|e| in_population.contains(e.id()))
        .map(|e| EntityFacts {
            id: e.id().to_string(),
            name: e.name.clone(),
            town: e.town.clone(),
            last_team: input
                .history
                .last_team
                .get(e.id())
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    entities
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
