//! Single-record edits between imports: excluding an entity from draws, an officer's duty,
//! leave and declared conflicts. Each is logged with before and after.

use chrono::NaiveDate;
use serde_json::json;

use super::{Existing, Result, ServiceError, Session, Unchanged};
use crate::domain::inspector::{Conflict, Inspector, Leave};
use crate::domain::role::Action;
use crate::domain::text::{self, TextKind};
use crate::store;

/// "No change" that names who made the record so, when it was someone: two people doing the
/// same thing at once learn that the other was first.
fn no_change(conn: &rusqlite::Connection, subject: &str, prefix: &str) -> ServiceError {
    let last = store::audit::list(
        conn,
        &crate::domain::audit::EventFilter {
            action_prefix: Some(prefix.to_string()),
            subject: Some(subject.to_string()),
            limit: Some(1),
            ..Default::default()
        },
    );
    ServiceError::Unchanged(Unchanged::Record {
        last: last.ok().and_then(|v| v.into_iter().next()).map(Box::new),
    })
}

fn need_reason(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ServiceError::invalid("reason", "须写明理由"));
    }
    text::field("理由", TextKind::Other, r).map_err(|why| ServiceError::invalid("reason", why))?;
    Ok(r.to_string())
}

/// A free-text field of a record (a leave's or a conflict's reason, an exclusion), within
/// its limit.
fn within_limit(label: &str, field: &'static str, value: &str) -> Result<()> {
    text::field(label, TextKind::Other, value).map_err(|why| ServiceError::invalid(field, why))
}

impl Session {
    /// `entities exclude CODE --reason R` (不参与双随机) or, with `None`, take it back in.
    pub fn set_exclusion(
        &mut self,
        code: &str,
        exclusion: Option<&str>,
        reason: &str,
    ) -> Result<()> {
        self.require(Action::EditEntities)?;
        let reason = need_reason(reason)?;
        if let Some(why) = exclusion {
            within_limit("不参与双随机原因", "exclusion", why.trim())?;
        }
        let code = code.trim().to_ascii_uppercase();
        self.write(|tx, actor| {
            let mut e = store::entities::get(tx, &code)?
                .ok_or_else(|| ServiceError::not_found("监管对象", &code))?;
            let before = e.exclusion.clone();
            e.exclusion = exclusion
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            if e.exclusion == before {
                return Err(no_change(tx, &code, "entities."));
            }
            let action = if e.exclusion.is_some() {
                "entities.exclude"
            } else {
                "entities.include"
            };
            let ev = actor.log(
                tx,
                action,
                &code,
                &json!({ "before": before, "after": e.exclusion, "reason": reason }),
            )?;
            store::entities::put(tx, &e, ev.seq)?;
            Ok(())
        })
    }

    fn edit_inspector(
        &mut self,
        code: &str,
        action: &str,
        reason: &str,
        change: impl FnOnce(&mut Inspector) -> Result<()>,
    ) -> Result<Inspector> {
        self.require(Action::EditInspectors)?;
        let reason = need_reason(reason)?;
        let code = code.trim().to_ascii_uppercase();
        self.write(|tx, actor| {
            let mut i = store::inspectors::get(tx, &code)?
                .ok_or_else(|| ServiceError::not_found("执法人员", &code))?;
            let before = i.clone();
            change(&mut i)?;
            if i == before {
                return Err(no_change(tx, &code, "inspectors."));
            }
            let ev = actor.log(
                tx,
                action,
                &code,
                &json!({ "before": before, "after": i, "reason": reason }),
            )?;
            store::inspectors::put(tx, &i, ev.seq)?;
            Ok(i)
        })
    }

    /// `inspectors duty CODE on|off --reason R`.
    pub fn set_on_duty(&mut self, code: &str, on_duty: bool, reason: &str) -> Result<Inspector> {
        self.edit_inspector(code, "inspectors.duty", reason, |i| {
            i.on_duty = on_duty;
            Ok(())
        })
    }

    /// `inspectors leave CODE --from D --to D --reason R`.
    pub fn add_leave(
        &mut self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        reason: &str,
    ) -> Result<Inspector> {
        for (field, day) in [("from", from), ("to", to)] {
            crate::domain::check_date(day).map_err(|why| ServiceError::invalid(field, why))?;
        }
        if to < from {
            return Err(ServiceError::invalid("to", "结束日期早于起始日期"));
        }
        let why = reason.trim().to_string();
        within_limit("请假原因", "reason", &why)?;
        self.edit_inspector(code, "inspectors.leave", reason, |i| {
            i.leaves.push(Leave {
                from,
                to,
                reason: why,
            });
            i.leaves.sort();
            i.leaves.dedup();
            Ok(())
        })
    }

    /// `inspectors leave CODE --cancel FROM --reason R`: removes the leave that starts on
    /// `from`, in one transaction with its audit event (`inspectors.leave_cancel`).
    pub fn cancel_leave(&mut self, code: &str, from: NaiveDate, reason: &str) -> Result<Inspector> {
        self.edit_inspector(code, "inspectors.leave_cancel", reason, |i| {
            let at = leave_starting(i, from)?;
            i.leaves.remove(at);
            Ok(())
        })
    }

    /// `inspectors leave CODE --edit FROM [--from D] [--to D] --reason R`: gives the leave that
    /// starts on `from` new dates (its own reason kept), audited as `inspectors.leave_edit`.
    pub fn edit_leave(
        &mut self,
        code: &str,
        from: NaiveDate,
        new_from: Option<NaiveDate>,
        new_to: Option<NaiveDate>,
        reason: &str,
    ) -> Result<Inspector> {
        for (field, day) in [("from", new_from), ("to", new_to)] {
            if let Some(day) = day {
                crate::domain::check_date(day).map_err(|why| ServiceError::invalid(field, why))?;
            }
        }
        self.edit_inspector(code, "inspectors.leave_edit", reason, |i| {
            let at = leave_starting(i, from)?;
            let leave = &mut i.leaves[at];
            leave.from = new_from.unwrap_or(leave.from);
            leave.to = new_to.unwrap_or(leave.to);
            if leave.to < leave.from {
                return Err(ServiceError::invalid("to", "结束日期早于起始日期"));
            }
            i.leaves.sort();
            i.leaves.dedup();
            Ok(())
        })
    }

    /// `inspectors conflict CODE --entity ID --reason R` (declared conflict, 回避).
    pub fn declare_conflict(
        &mut self,
        code: &str,
        entity: &str,
        reason: &str,
    ) -> Result<Inspector> {
        let entity = entity.trim().to_ascii_uppercase();
        if store::entities::get(self.store().conn(), &entity)?.is_none() {
            return Err(ServiceError::not_found("监管对象", entity));
        }
        let why = reason.trim().to_string();
        within_limit("回避原因", "reason", &why)?;
        self.edit_inspector(code, "inspectors.conflict", reason, |i| {
            if i.conflicts_with(&entity) {
                return Err(ServiceError::Exists(Existing::Conflict { entity }));
            }
            i.conflicts.push(Conflict {
                entity,
                reason: why,
            });
            i.conflicts.sort();
            Ok(())
        })
    }
}

/// The index of the inspector's one leave that starts on `from`.
fn leave_starting(i: &Inspector, from: NaiveDate) -> Result<usize> {
    let found: Vec<usize> = (0..i.leaves.len())
        .filter(|&n| i.leaves[n].from == from)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(ServiceError::invalid(
            "leave",
            format!(
                "{} {} 没有从 {from} 开始的请假（现有：{}）",
                i.code,
                i.name,
                if i.leaves.is_empty() {
                    "无".to_string()
                } else {
                    i.leaves
                        .iter()
                        .map(|l| format!("{}~{}", l.from, l.to))
                        .collect::<Vec<_>>()
                        .join("、")
                }
            ),
        )),
        _ => Err(ServiceError::invalid(
            "leave",
            format!(
                "{} {} 有多段从 {from} 开始的请假，请先取消其中一段",
                i.code, i.name
            ),
        )),
    }
}
