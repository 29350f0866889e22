//! 结果录入 (results): drafts saved as typed, one submission that locks the result,
//! corrections approved by a principal who did not file them, and follow-up of violations.

use chrono::NaiveDate;
use serde_json::json;

use super::visits::{RESULT_WORKING_DAYS, VisitView};
use super::{Done, Result, ServiceError, Session};
use crate::domain::check_item::CheckItem;
use crate::domain::result::{FollowUpKind, InspectionResult};
use crate::domain::result_records::{Correction, Draft, FollowUp, Submitted};
use crate::domain::role::{Action, Subject};
use crate::domain::text::{self, TextKind};
use crate::domain::visit::{Step, check_step};
use crate::store::{self, results::NewResult};

/// Everything about one visit's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ResultView {
    pub visit: VisitView,
    /// The check items of the visit's tasks, with their text.
    pub items: Vec<(String, String)>,
    /// The same check items in full: method, legal basis and the rest of the list's row, for
    /// `visit show` and `result template`.
    pub check_items: Vec<CheckItem>,
    /// The viewer's own draft (drafts are per user).
    pub draft: Option<Draft>,
    /// The teammates who have a draft of the same result, and when each saved it: names, not
    /// contents (a teammate's text is theirs until submitted).
    pub teammate_drafts: Vec<TeammateDraft>,
    pub submitted: Option<Submitted>,
    /// The name of who submitted it (the login when the user is no longer on the list).
    pub submitted_by_name: Option<String>,
    pub corrections: Vec<Correction>,
    /// The result in force: the latest approved correction, else the submitted one.
    pub effective: Option<InspectionResult>,
    pub followups: Vec<FollowUp>,
}

/// A teammate's draft of a result, as others see it: who and when, not what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeammateDraft {
    pub author: String,
    /// The author's name (the login when the user is no longer on the list).
    pub name: String,
    /// When it was last saved (RFC 3339, UTC+8).
    pub updated_at: String,
}

impl TeammateDraft {
    /// When it was saved, to the minute in UTC+8 ("12-06 14:03").
    pub fn saved(&self) -> String {
        crate::domain::calendar::short_time(&self.updated_at)
    }
}

/// The statuses a follow-up can be given.
pub const FOLLOWUP_STATUSES: &[&str] = &["办理中", "已办结", "已移送", "已撤销"];

impl Session {
    /// The check items of a visit's tasks, in the tasks' order; a code no longer in the list
    /// is kept with its code only.
    fn visit_items(&self, v: &VisitView) -> Result<Vec<CheckItem>> {
        let conn = self.store().conn();
        let prepared = store::draws::prepared(conn, &v.draw_id)?;
        let list: std::collections::HashMap<String, CheckItem> = store::items::all(conn)?
            .into_iter()
            .map(|i| (i.code.clone(), i))
            .collect();
        let mut out: Vec<CheckItem> = Vec::new();
        for t in prepared.tasks.iter().filter(|t| v.tasks.contains(&t.code)) {
            for code in &t.items {
                if !out.iter().any(|i| &i.code == code) {
                    out.push(list.get(code).cloned().unwrap_or_else(|| CheckItem {
                        code: code.clone(),
                        category_no: 0,
                        category: String::new(),
                        item: String::new(),
                        target_type: crate::domain::vocab::TargetType::ALL[0],
                        item_class: String::new(),
                        method: String::new(),
                        body: String::new(),
                        legal_basis: String::new(),
                    }));
                }
            }
        }
        Ok(out)
    }

    /// `result show ID`
    pub fn result_view(&self, id: i64) -> Result<ResultView> {
        let visit = self.visit(id)?;
        let conn = self.store().conn();
        let corrections = store::results::corrections(conn, Some(id))?;
        let submitted = store::results::result(conn, id)?;
        let effective = corrections
            .iter()
            .rev()
            .find(|c| c.decision.as_ref().is_some_and(|d| d.approved))
            .map(|c| c.result.clone())
            .or_else(|| submitted.as_ref().map(|s| s.result.clone()));
        let check_items = self.visit_items(&visit)?;
        // Drafts are per user: one's own in full; of the teammates', who and when, shown only
        // to those who may enter this result themselves (its team). No action of the role
        // table lets anyone read another's unsubmitted text.
        let (draft, teammate_drafts) =
            if self.may(Action::EnterResult, Subject::VisitResult(&visit.team)) {
                let me = &self.user().login;
                let (mine, others): (Vec<Draft>, Vec<Draft>) = store::results::drafts(conn, id)?
                    .into_iter()
                    .partition(|d| &d.author == me);
                let others = others
                    .into_iter()
                    .map(|d| {
                        Ok(TeammateDraft {
                            name: name_of(conn, &d.author)?,
                            author: d.author,
                            updated_at: d.updated_at,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                (mine.into_iter().next(), others)
            } else {
                (None, vec![])
            };
        Ok(ResultView {
            items: check_items
                .iter()
                .map(|i| (i.code.clone(), i.item.clone()))
                .collect(),
            check_items,
            draft,
            teammate_drafts,
            submitted_by_name: match &submitted {
                Some(x) => Some(name_of(conn, &x.submitted_by)?),
                None => None,
            },
            submitted,
            corrections,
            effective,
            followups: store::results::followups(conn, Some(id))?,
            visit,
        })
    }

    fn require_on_team(&self, v: &VisitView) -> Result<()> {
        self.require_on(
            Action::EnterResult,
            Subject::VisitResult(&v.team),
            "录入不属于自己检查组的检查结果（谁检查、谁录入）",
        )
    }

    /// Saves the user's own draft as it is typed; it survives a dropped connection. Each
    /// officer of the team has their own: a teammate's is never touched. Not an audit event:
    /// nothing is decided until the result is submitted.
    pub fn save_draft(&mut self, id: i64, result: &InspectionResult) -> Result<()> {
        let v = self.visit(id)?;
        self.require_on_team(&v)?;
        // Nothing over its limit is kept, not even as a draft.
        too_long(result)?;
        let login = self.user().login.clone();
        self.write(|tx, _| {
            if store::results::result(tx, id)?.is_some() {
                return Err(ServiceError::AlreadySubmitted {
                    visit: id,
                    done: None,
                });
            }
            store::results::put_draft(tx, id, &login, result, &super::now_rfc3339())?;
            Ok(())
        })
    }

    /// `result submit ID --file RESULT.toml`: validates, locks, and logs the result.
    pub fn submit_result(&mut self, id: i64, result: &InspectionResult) -> Result<Submitted> {
        let v = self.visit(id)?;
        self.require_on_team(&v)?;
        too_long(result)?;
        let codes: Vec<String> = self.visit_items(&v)?.into_iter().map(|i| i.code).collect();
        let problems = result.problems(&codes);
        if !problems.is_empty() {
            return Err(ServiceError::IncompleteResult {
                problems,
                correction: false,
            });
        }
        let today = self.today();
        let cal = self.calendar()?;
        let login = self.user().login.clone();
        self.write(|tx, actor| {
            let mut dates = store::results::dates_of(tx, id)?;
            dates.drawn = v.dates.drawn;
            if let Some(s) = store::results::result(tx, id)? {
                return Err(ServiceError::AlreadySubmitted { visit: id, done: Some(Done { at: s.submitted_on, by: s.submitted_by }) });
            }
            check_step(&dates, Step::Enter, today, today).map_err(|why| ServiceError::StepOutOfOrder { visit: None, why })?;
            let completed = dates.completed.ok_or(ServiceError::NotCompleted { visit: id })?;
            let due = cal.add_working_days(completed, RESULT_WORKING_DAYS);
            let late = today > due.date;
            let ev = actor.log(tx, "result.submit", &id.to_string(), &json!({
                "entity": v.entity, "draw": v.draw_id, "result": result,
                "completed": completed.to_string(), "due": due.date.to_string(), "provisional_due": due.provisional, "late": late,
            }))?;
            store::results::insert_result(tx, &NewResult { visit_id: id, result, by: &login, on: today, due: due.date, late, seq: ev.seq })?;
            // The submitter's draft is now the result; the teammates' stay as their own (the
            // basis of a correction, should they want one).
            store::results::drop_draft(tx, id, &login)?;
            Ok(store::results::result(tx, id)?.expect("just inserted"))
        })
    }

    /// `result correct ID --file F --reason R`: files a correction (a team officer).
    pub fn file_correction(
        &mut self,
        id: i64,
        result: &InspectionResult,
        reason: &str,
    ) -> Result<i64> {
        let v = self.visit(id)?;
        self.require_on_team(&v)?;
        let reason = reason.trim().to_string();
        if reason.chars().count() < 4 {
            return Err(ServiceError::invalid(
                "reason",
                "更正须写明理由（至少4个字）",
            ));
        }
        text::field("更正理由", TextKind::Other, &reason)
            .map_err(|why| ServiceError::invalid("reason", why))?;
        too_long(result)?;
        let codes: Vec<String> = self.visit_items(&v)?.into_iter().map(|i| i.code).collect();
        let problems = result.problems(&codes);
        if !problems.is_empty() {
            return Err(ServiceError::IncompleteResult {
                problems,
                correction: true,
            });
        }
        let login = self.user().login.clone();
        self.write(|tx, actor| {
            let original =
                store::results::result(tx, id)?.ok_or(ServiceError::NotSubmitted { visit: id })?;
            if let Some(p) = store::results::corrections(tx, Some(id))?
                .into_iter()
                .find(|c| c.decision.is_none())
            {
                return Err(ServiceError::CorrectionPending {
                    visit: id,
                    correction: p.id,
                    by: p.filed_by,
                });
            }
            let ev = actor.log(
                tx,
                "result.correct",
                &id.to_string(),
                &json!({ "reason": reason, "before": original.result, "after": result }),
            )?;
            let filed = store::results::insert_correction(tx, id, result, &reason, &login, ev.seq)?;
            // A draft kept after a teammate submitted has served once a correction is filed.
            store::results::drop_draft(tx, id, &login)?;
            Ok(filed)
        })
    }

    /// `result approve-correction CID` / `reject-correction`: a principal, never the filer.
    pub fn decide_correction(
        &mut self,
        correction_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<()> {
        self.require(Action::ApproveCorrection)?;
        text::field("审批意见", TextKind::Other, note.trim())
            .map_err(|why| ServiceError::invalid("note", why))?;
        let me = self.user().login.clone();
        self.write(|tx, actor| {
            let c = store::results::corrections(tx, None)?
                .into_iter()
                .find(|c| c.id == correction_id)
                .ok_or_else(|| ServiceError::not_found("更正", correction_id))?;
            if let Some(d) = &c.decision {
                return Err(ServiceError::AlreadyDecided {
                    correction: correction_id,
                    done: Done {
                        at: d.at.clone(),
                        by: d.by.clone(),
                    },
                    approved: d.approved,
                });
            }
            actor.require_on(
                Action::ApproveCorrection,
                Subject::RequestOf(&c.filed_by),
                "更正须由提交人以外的主要负责人审批",
            )?;
            let action = if approve {
                "result.correction_approve"
            } else {
                "result.correction_reject"
            };
            let ev = actor.log(
                tx,
                action,
                &c.visit_id.to_string(),
                &json!({ "correction": correction_id, "note": note }),
            )?;
            store::results::decide(tx, correction_id, approve, &me, note.trim(), ev.seq)?;
            Ok(())
        })
    }

    /// Corrections waiting for a principal.
    pub fn pending_corrections(&self) -> Result<Vec<Correction>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::results::corrections(self.store().conn(), None)?
            .into_iter()
            .filter(|c| c.decision.is_none())
            .collect())
    }

    /// `followup add ID --kind K [--case-no N] [--note T]`
    pub fn add_followup(
        &mut self,
        id: i64,
        kind: FollowUpKind,
        case_no: &str,
        note: &str,
    ) -> Result<i64> {
        self.require(Action::ManageFollowUp)?;
        let v = self.visit(id)?;
        self.require_on(
            Action::ManageFollowUp,
            Subject::VisitWork(&v.team),
            "为不属于自己检查组的检查任务登记后续处理",
        )?;
        if kind == FollowUpKind::Penalty && case_no.trim().is_empty() {
            return Err(ServiceError::invalid("case_no", "立案处罚须填写案号"));
        }
        text::identifier("案号", TextKind::Other, case_no.trim())
            .map_err(|why| ServiceError::invalid("case_no", why))?;
        text::field("说明", TextKind::Other, note.trim())
            .map_err(|why| ServiceError::invalid("note", why))?;
        self.write(|tx, actor| {
            let r = effective_result(tx, id)?.ok_or(ServiceError::NotSubmitted { visit: id })?;
            if !r.found_problems() {
                return Err(ServiceError::NothingToFollowUp { visit: id });
            }
            let ev = actor.log(
                tx,
                "followup.add",
                &id.to_string(),
                &json!({ "kind": kind.label(), "case_no": case_no.trim(), "note": note.trim() }),
            )?;
            Ok(store::results::insert_followup(
                tx,
                id,
                kind.label(),
                case_no.trim(),
                note.trim(),
                ev.seq,
            )?)
        })
    }

    /// `followup update FID --status S [--closed D] [--note T]`
    pub fn update_followup(
        &mut self,
        followup_id: i64,
        status: &str,
        closed_on: Option<NaiveDate>,
        note: &str,
    ) -> Result<()> {
        self.require(Action::ManageFollowUp)?;
        if !FOLLOWUP_STATUSES.contains(&status) {
            return Err(ServiceError::invalid(
                "status",
                format!("状态应为 {}", FOLLOWUP_STATUSES.join("/")),
            ));
        }
        text::field("说明", TextKind::Other, note.trim())
            .map_err(|why| ServiceError::invalid("note", why))?;
        if status == "已办结" && closed_on.is_none() {
            return Err(ServiceError::invalid("closed_on", "已办结须填写办结日期"));
        }
        if let Some(d) = closed_on {
            crate::domain::check_date(d).map_err(|why| ServiceError::invalid("closed_on", why))?;
        }
        if closed_on.is_some_and(|d| d > self.today()) {
            return Err(ServiceError::invalid("closed_on", "办结日期不能晚于今天"));
        }
        let f = store::results::followups(self.store().conn(), None)?
            .into_iter()
            .find(|f| f.id == followup_id)
            .ok_or_else(|| ServiceError::not_found("后续处理", followup_id))?;
        let v = self.visit(f.visit_id)?;
        self.require_on(
            Action::ManageFollowUp,
            Subject::VisitWork(&v.team),
            "更新不属于自己检查组的后续处理",
        )?;
        // The problem was found at the inspection: it cannot have been dealt with before.
        if let (Some(closed), Some(done)) = (closed_on, v.dates.completed)
            && closed < done
        {
            return Err(ServiceError::invalid(
                "closed_on",
                format!("办结日期 {closed} 不能早于检查完成日期 {done}"),
            ));
        }
        self.write(|tx, actor| {
            let ev = actor.log(tx, "followup.update", &f.visit_id.to_string(), &json!({ "followup": followup_id, "status": status, "closed_on": closed_on.map(|d| d.to_string()), "note": note.trim() }))?;
            store::results::update_followup(tx, followup_id, status, closed_on, note.trim(), ev.seq)?;
            Ok(())
        })
    }
}

/// A user's name by login; the login itself when the user is no longer on the list.
fn name_of(conn: &rusqlite::Connection, login: &str) -> Result<String> {
    Ok(store::users::get(conn, login)?
        .map(|u| u.name)
        .unwrap_or_else(|| login.to_string()))
}

/// Refuses a result with a text field over its limit, naming the field and the limit.
fn too_long(result: &InspectionResult) -> Result<()> {
    let problems = result.text_problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(problems.join("；")))
    }
}

/// The date a result was due for a visit completed on `completed` (for reports).
pub fn due_after(
    cal: &crate::domain::calendar::WorkingCalendar,
    completed: NaiveDate,
) -> NaiveDate {
    cal.add_working_days(completed, RESULT_WORKING_DAYS).date
}

/// The result in force for a visit: its latest approved correction, else the submitted one.
pub(crate) fn effective_result(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<Option<InspectionResult>> {
    let corrected = store::results::corrections(conn, Some(id))?
        .into_iter()
        .rev()
        .find(|c| c.decision.as_ref().is_some_and(|d| d.approved))
        .map(|c| c.result);
    Ok(match corrected {
        Some(r) => Some(r),
        None => store::results::result(conn, id)?.map(|s| s.result),
    })
}
