//! Plans: instantiate the seed's plans for a year, copy a year's plans to another, and change
//! tasks during the year — every change with its written reason (plan section 四).

use serde_json::json;

use super::{Existing, Result, ServiceError, Session, Unchanged};
use crate::domain::plan::{Plan, Task, TierMultipliers};
use crate::domain::plan_records::{PlanChange, PlanRecord};
use crate::domain::role::Action;
use crate::store::{self, to_json};

/// A change to one plan during the year.
#[derive(Debug, Clone)]
pub enum PlanEdit {
    /// A new task.
    AddTask(Task),
    /// Replace a task's specification (same code).
    EditTask(Task),
    /// Remove a task (kept as removed, never deleted).
    RemoveTask(String),
    /// New credit-tier multipliers.
    Multipliers(TierMultipliers),
}

fn require_reason(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.chars().count() < 4 {
        return Err(ServiceError::invalid(
            "reason",
            "计划调整须写明书面理由（至少4个字）",
        ));
    }
    crate::domain::text::field("理由", crate::domain::text::TextKind::Other, r)
        .map_err(|why| ServiceError::invalid("reason", why))?;
    Ok(r.to_string())
}

/// The years a plan may be for: the range periods accept (`2026Q2`).
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn check_year(year: i32) -> Result<()> {
    if PLAN_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "year",
            format!(
                "年份 {year} 不在{}年至{}年之间，不能建立抽查计划",
                PLAN_YEARS.start(),
                PLAN_YEARS.end()
            ),
        ))
    }
}

impl Session {
    pub fn list_plans(&self, year: Option<i32>) -> Result<Vec<PlanRecord>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::plans::list(self.store().conn(), year)?)
    }

    pub fn plan_changes(&self, year: i32) -> Result<Vec<PlanChange>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::plans::changes(self.store().conn(), year)?)
    }

    /// `plan init --year Y`: the seed's joint and internal plans for a year.
    pub fn create_seed_plans(&mut self, year: i32) -> Result<usize> {
        self.require(Action::EditPlans)?;
        check_year(year)?;
        self.write(|tx, actor| {
            if !store::plans::list(tx, Some(year))?.is_empty() {
                return Err(ServiceError::Exists(Existing::Plans { year }));
            }
            super::init::load_plans(tx, actor, year)
        })
    }

    /// `plan copy --from Y1 --to Y2`: every plan of one year, with its active tasks and
    /// multipliers, to another year that has none.
    pub fn copy_plans(&mut self, from: i32, to: i32) -> Result<usize> {
        self.require(Action::EditPlans)?;
        check_year(to)?;
        self.write(|tx, actor| {
            let source = store::plans::list(tx, Some(from))?;
            if source.is_empty() {
                return Err(ServiceError::NotFound {
                    what: "抽查计划",
                    key: String::new(),
                    year: Some(from),
                });
            }
            if !store::plans::list(tx, Some(to))?.is_empty() {
                return Err(ServiceError::Exists(Existing::Plans { year: to }));
            }
            for sp in &source {
                if let Some(problem) = sp.plan.tier_multipliers.problem() {
                    return Err(ServiceError::invalid(
                        "multipliers",
                        format!(
                            "{from}年计划{}不能复制：{problem}；请先用 plan multipliers 修改",
                            sp.plan.code
                        ),
                    ));
                }
                let plan = Plan {
                    year: to,
                    ..sp.plan.clone()
                };
                actor.log(
                    tx,
                    "plans.copy",
                    &format!("{to}/{}", plan.code),
                    &json!({
                        "from": format!("{from}/{}", plan.code),
                        "tasks": plan.tasks.iter().map(|t| &t.code).collect::<Vec<_>>(),
                    }),
                )?;
                store::plans::insert(tx, &plan)?;
            }
            Ok(source.len())
        })
    }

    /// Changes one plan of a year, with the written reason.
    pub fn edit_plan(
        &mut self,
        year: i32,
        plan_code: &str,
        edit: PlanEdit,
        reason: &str,
    ) -> Result<()> {
        self.require(Action::EditPlans)?;
        let reason = require_reason(reason)?;
        self.write(|tx, actor| {
            let sp = store::plans::get(tx, year, plan_code)?
                .ok_or_else(|| ServiceError::NotFound { what: "计划", key: plan_code.to_string(), year: Some(year) })?;
            let known: Vec<String> = store::items::all(tx)?.into_iter().map(|i| i.code).collect();
            let find = |code: &str| sp.plan.tasks.iter().find(|t| t.code == code);
            let (task_code, change, before, after) = match &edit {
                PlanEdit::AddTask(task) => {
                    if find(&task.code).is_some() || sp.removed.iter().any(|t| t.code == task.code) {
                        return Err(ServiceError::Exists(Existing::TaskCode { code: task.code.clone() }));
                    }
                    check_task(task, &known)?;
                    (Some(task.code.clone()), "add_task", None, Some(to_json(task)))
                }
                PlanEdit::EditTask(task) => {
                    let old = find(&task.code).ok_or_else(|| ServiceError::not_found("任务", &task.code))?;
                    check_task(task, &known)?;
                    if old == task {
                        return Err(ServiceError::Unchanged(Unchanged::Task));
                    }
                    (Some(task.code.clone()), "edit_task", Some(to_json(old)), Some(to_json(task)))
                }
                PlanEdit::RemoveTask(code) => {
                    if find(code).is_none() && let Some(gone) = sp.removed.iter().find(|t| &t.code == code) {
                        return Err(ServiceError::TaskRemoved {
                            code: code.clone(),
                            name: gone.name.clone(),
                            removal: sp.removal(code).cloned().map(Box::new),
                        });
                    }
                    let old = find(code).ok_or_else(|| ServiceError::not_found("任务", code))?;
                    (Some(code.clone()), "remove_task", Some(to_json(old)), None)
                }
                PlanEdit::Multipliers(m) => {
                    if let Some(problem) = m.problem() {
                        return Err(ServiceError::invalid("multipliers", problem));
                    }
                    (None, "multipliers", Some(to_json(&sp.plan.tier_multipliers)), Some(to_json(m)))
                }
            };
            let ev = actor.log(tx, &format!("plans.{change}"), &format!("{year}/{plan_code}"), &json!({
                "task": task_code, "reason": reason,
                "before": before.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose().ok().flatten(),
                "after": after.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose().ok().flatten(),
            }))?;
            match &edit {
                PlanEdit::AddTask(t) => store::plans::insert_task(tx, sp.id, t)?,
                PlanEdit::EditTask(t) => store::plans::replace_task(tx, sp.id, t)?,
                PlanEdit::RemoveTask(c) => store::plans::deactivate_task(tx, sp.id, c)?,
                PlanEdit::Multipliers(m) => store::plans::set_multipliers(tx, sp.id, m)?,
            }
            store::plans::record_change(tx, &store::plans::NewChange {
                plan_id: sp.id,
                task: task_code.as_deref(),
                change,
                reason: &reason,
                before: before.as_deref(),
                after: after.as_deref(),
                audit_seq: ev.seq,
            })?;
            Ok(())
        })
    }
}

fn check_task(task: &Task, known_items: &[String]) -> Result<()> {
    let problems = task.problems(known_items);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid("task", problems.join("；")))
    }
}
