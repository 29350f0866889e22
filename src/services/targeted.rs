//! 个案检查 (targeted checks): `visit record-targeted` and the dashboard's dialog record a
//! check that was not drawn, with its reason, team, dates and result; `visit targeted` lists
//! them. Leads record them (`Action::RecordTargeted`); everyone who may view the registry sees
//! them. They are kept apart from random visits (their own table), so the draws, the caps and
//! the random figures of the reports do not see them; key coverage and the entity's history do.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::inspector::Inspector;
use crate::domain::result::InspectionResult;
use crate::domain::role::Action;
use crate::domain::targeted::{self, TargetedCheck, TargetedFacts, TargetedReason};
use crate::store;

/// What a targeted check says besides its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetedEntry {
    /// The entity's id (USCC or registry code).
    pub entity: String,
    pub reason: TargetedReason,
    /// 事由说明 (required for 其他).
    pub detail: String,
    /// Inspector codes, the lead (组长) first.
    pub team: Vec<String>,
    pub started: NaiveDate,
    pub completed: NaiveDate,
}

/// A targeted check as lists show it: the record with the entity's name and town.
#[derive(Debug, Clone, Serialize)]
pub struct TargetedView {
    #[serde(flatten)]
    pub check: TargetedCheck,
    pub entity_name: String,
    pub town: String,
    /// The reason with its detail: "投诉举报（12369-0512）".
    pub reason_text: String,
}

/// A targeted check's entry as checked against the libraries.
struct Checked {
    /// The entity's id, normalised.
    entity: String,
    /// The inspector library (for the team's departments).
    inspectors: Vec<Inspector>,
    /// The check items with their texts.
    items: Vec<(String, String)>,
}

/// The entry's entity and team checked against the libraries, and the check items `items`
/// with their texts. Every problem is told at once.
fn check_entry(
    conn: &rusqlite::Connection,
    e: &TargetedEntry,
    items: &[String],
    today: NaiveDate,
) -> Result<Checked> {
    let code = e.entity.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(ServiceError::invalid("entity", "须填写被检查对象的代码"));
    }
    let entity = store::entities::get(conn, &code)?
        .ok_or_else(|| ServiceError::not_found("监管对象", &code))?;
    let team: Vec<String> = e
        .team
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let inspectors = store::inspectors::all(conn)?;
    let facts = TargetedFacts {
        reason: e.reason,
        detail: &e.detail,
        team: &team,
        started: e.started,
        completed: e.completed,
        today,
    };
    let mut problems = targeted::problems(&facts, &code, &inspectors);
    let library = store::items::all(conn)?;
    let mut out: Vec<(String, String)> = Vec::new();
    if items.is_empty() {
        problems.push("至少须有一个抽查事项的检查结论".to_string());
    }
    for item in items {
        let Some(i) = library.iter().find(|i| &i.code == item) else {
            problems.push(format!("抽查事项清单中没有编号 {item}"));
            continue;
        };
        if !entity.target_types.contains(&i.target_type) {
            problems.push(format!(
                "抽查事项 {item} 的检查对象是{}，{} 不属于此类",
                i.target_type.label(),
                entity.name
            ));
        }
        if out.iter().any(|(c, _)| c == item) {
            problems.push(format!("抽查事项 {item} 重复"));
        } else {
            out.push((item.clone(), i.item.clone()));
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "个案检查不能记录：{}",
            problems.join("；")
        )));
    }
    Ok(Checked {
        entity: code,
        inspectors,
        items: out,
    })
}

impl Session {
    /// Checks a targeted check's reason, team and dates and the check items it covered, before
    /// its result is entered (the dashboard's dialog, then its result form); returns the items
    /// with their texts.
    pub fn targeted_items(
        &self,
        entry: &TargetedEntry,
        items: &[String],
    ) -> Result<Vec<(String, String)>> {
        self.require(Action::RecordTargeted)?;
        let items: Vec<String> = items.iter().map(|i| i.trim().to_string()).collect();
        Ok(check_entry(self.store().conn(), entry, &items, self.today())?.items)
    }

    /// `visit record-targeted`: records a targeted check with its result (a lead), in one
    /// transaction with its audit event `targeted.record`. The check items are those the
    /// result gives a conclusion for; the result is checked as any result is.
    pub fn record_targeted(
        &mut self,
        entry: &TargetedEntry,
        result: &InspectionResult,
    ) -> Result<TargetedCheck> {
        self.require(Action::RecordTargeted)?;
        let problems = result.text_problems();
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems.join("；")));
        }
        let items: Vec<String> = result.items.iter().map(|i| i.item.clone()).collect();
        let today = self.today();
        self.write(|tx, actor| {
            let Checked {
                entity, inspectors, ..
            } = check_entry(tx, entry, &items, today)?;
            let problems = result.problems(&items);
            if !problems.is_empty() {
                return Err(ServiceError::IncompleteResult {
                    problems,
                    correction: false,
                });
            }
            let codes: Vec<String> = entry
                .team
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty())
                .collect();
            let team = targeted::team_of(&codes, &inspectors);
            let detail = entry.detail.trim();
            let id = store::targeted::next_id(tx)?;
            let ev = actor.log(
                tx,
                "targeted.record",
                &entity,
                &json!({
                    "id": id,
                    "reason": entry.reason.label(),
                    "detail": detail,
                    "team": team,
                    "started": entry.started.to_string(),
                    "completed": entry.completed.to_string(),
                    "result": result,
                }),
            )?;
            store::targeted::insert(
                tx,
                &store::targeted::NewTargeted {
                    id,
                    entity: &entity,
                    reason: entry.reason,
                    detail,
                    team: &team,
                    started: entry.started,
                    completed: entry.completed,
                    result,
                    recorded_by: &actor.login,
                    recorded_on: today,
                    seq: ev.seq,
                },
            )?;
            Ok(store::targeted::list(tx, Some(&entity), None)?
                .into_iter()
                .find(|t| t.id == id)
                .expect("just inserted"))
        })
    }

    /// `visit targeted [--year Y] [--entity CODE]`: targeted checks, oldest first.
    pub fn targeted_checks(
        &self,
        entity: Option<&str>,
        year: Option<i32>,
    ) -> Result<Vec<TargetedView>> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let entity = entity.map(|e| e.trim().to_ascii_uppercase());
        let names = store::entities::names(conn)?;
        Ok(store::targeted::list(conn, entity.as_deref(), year)?
            .into_iter()
            .map(|check| {
                let (entity_name, town) = names.get(&check.entity).cloned().unwrap_or_default();
                TargetedView {
                    reason_text: check.reason_text(),
                    check,
                    entity_name,
                    town,
                }
            })
            .collect())
    }
}
