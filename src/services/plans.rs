//! Plans: instantiate the seed's plans for a year, copy a year's plans to another, and change
//! tasks during the year — every change with its written reason (plan section 四) — and the
//! written notice of a year's changes to the 领导小组办公室 (书面报送), numbered and recorded
//! when sent.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::reports::ReportFormat;
use super::{Existing, Result, ServiceError, Session, Unchanged};
use crate::domain::plan::{Plan, Task, TierMultipliers};
use crate::domain::plan_records::{
    ChangeSent, NOTICE_RECIPIENT, NoticeItem, NoticeSent, NoticeText, PlanChange, PlanNotice,
    PlanRecord,
};
use crate::domain::role::Action;
use crate::sheets::files::{Access, Overwrite, Staged, check_target};
use crate::sheets::publicity::{Table, workbook_bytes};
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

    /// `plan changes --year Y`: every change of the year's plans with what it changed in
    /// words and whether (by which notice, when) it was sent to the 领导小组办公室, and the
    /// year's notices.
    pub fn plan_change_status(&self, year: i32) -> Result<PlanChanges> {
        self.require(Action::ViewRegistry)?;
        plan_changes_of(self.store().conn(), year)
    }

    /// `plan changes --year Y --notice FILE [--force]`: the written notice (书面报送) of the
    /// year's changes not yet sent, as .md or .xlsx, numbered `Y-N` (the next number of the
    /// year) and stored with the changes it covers, in one transaction logged as
    /// `plans.notice`. The file is written beside `path` and put in place once that
    /// transaction has committed, never over an existing file without `overwrite`; it is the
    /// bureau's until sent, so owner-only. Refused when every change of the year was sent.
    pub fn write_plan_notice(
        &mut self,
        year: i32,
        path: &Path,
        overwrite: Overwrite,
    ) -> Result<PlanNotice> {
        self.require(Action::EditPlans)?;
        check_year(year)?;
        let format = ReportFormat::named(path, "notice", "报送件")?;
        check_target(path, overwrite)?;
        let today = self.today();
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut staged = None;
        let notice = self.write(|tx, actor| {
            let all = plan_changes_of(tx, year)?;
            let open: Vec<&ChangeStatus> =
                all.changes.iter().filter(|c| !c.sent.is_sent()).collect();
            if open.is_empty() {
                return Err(ServiceError::Invalid(if all.changes.is_empty() {
                    format!("{year}年的抽查计划没有调整，无需报送")
                } else {
                    format!("{year}年的计划调整均已报送，没有需要报送的调整")
                }));
            }
            let number = all.notices.iter().map(|n| n.number).max().unwrap_or(0) + 1;
            let id = PlanNotice::id_of(year, number);
            let text = notice_text(tx, year, &id, today, &open)?;
            let bytes = match format {
                ReportFormat::Markdown => text.markdown().into_bytes(),
                ReportFormat::Xlsx => workbook_bytes(&notice_tables(&text))?,
            };
            staged = Some(Staged::bytes(path, overwrite, Access::Private, &bytes)?);
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let changes: Vec<i64> = open.iter().map(|c| c.change.id).collect();
            let ev = actor.log(
                tx,
                "plans.notice",
                &id,
                &json!({
                    "year": year,
                    "file": file,
                    "format": format.key(),
                    "changes": changes,
                    "sha256": sha256,
                }),
            )?;
            let notice = PlanNotice {
                id,
                year,
                number,
                written_on: today,
                written_by: actor.login.clone(),
                file: file.clone(),
                sha256,
                audit_seq: ev.seq,
                changes,
                sent: None,
            };
            store::plans::insert_notice(tx, &notice)?;
            Ok(notice)
        })?;
        let staged = staged.ok_or_else(|| ServiceError::Invalid("报送件未生成".to_string()))?;
        staged.place_or_keep().map_err(|(e, tmp)| {
            ServiceError::Invalid(format!(
                "报送件 {} 已登记，但无法把临时文件 {} 放到 {}（{e}），请手工改名",
                notice.id,
                tmp.display(),
                path.display()
            ))
        })?;
        Ok(notice)
    }

    /// `plan changes --mark-sent NOTICE --on DATE`: records, once, the day a notice was sent
    /// (not after today, not before it was written), logged as `plans.notice_sent`.
    pub fn mark_notice_sent(&mut self, id: &str, on: NaiveDate) -> Result<PlanNotice> {
        self.require(Action::EditPlans)?;
        let on = crate::domain::check_date(on).map_err(|why| ServiceError::invalid("on", why))?;
        let today = self.today();
        if on > today {
            return Err(ServiceError::invalid(
                "on",
                format!("报送日期 {on} 不能晚于今天 {today}"),
            ));
        }
        let id = id.trim();
        if PlanNotice::parse_id(id).is_none() {
            return Err(ServiceError::invalid(
                "notice",
                format!("报送件编号“{id}”有误：应为“年份-序号”，如 2026-1"),
            ));
        }
        self.write(|tx, actor| {
            let n = store::plans::notice(tx, id)?
                .ok_or_else(|| ServiceError::not_found("计划调整报送件", id))?;
            if let Some(s) = &n.sent {
                return Err(ServiceError::Invalid(format!(
                    "报送件 {id} 已登记于 {} 报送（{} 登记），不能重复登记",
                    s.on, s.recorded_by
                )));
            }
            if on < n.written_on {
                return Err(ServiceError::invalid(
                    "on",
                    format!(
                        "报送日期 {on} 不能早于报送件 {id} 的成文日期 {}",
                        n.written_on
                    ),
                ));
            }
            let ev = actor.log(
                tx,
                "plans.notice_sent",
                id,
                &json!({ "on": on.to_string(), "changes": n.changes }),
            )?;
            let sent = NoticeSent {
                on,
                recorded_by: actor.login.clone(),
                audit_seq: ev.seq,
            };
            store::plans::mark_notice_sent(tx, id, &sent)?;
            Ok(PlanNotice {
                sent: Some(sent),
                ..n
            })
        })
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
                    check_task(tx, task, &known)?;
                    (Some(task.code.clone()), "add_task", None, Some(to_json(task)))
                }
                PlanEdit::EditTask(task) => {
                    let old = find(&task.code).ok_or_else(|| ServiceError::not_found("任务", &task.code))?;
                    check_task(tx, task, &known)?;
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

fn check_task(conn: &rusqlite::Connection, task: &Task, known_items: &[String]) -> Result<()> {
    let mut problems = task.problems(known_items);
    // The plans refer to departments by the database's records (issue 15): a cooperating
    // department is named exactly as `settings departments` lists it.
    let departments = store::inspectors::departments(conn)?;
    let directory = super::departments::Directory::load(conn)?;
    for d in &task.cooperating_departments {
        if !departments.contains(d) {
            let closest = match directory.resolve(d) {
                super::departments::Resolved::Known(k) => Some(k),
                super::departments::Resolved::Unknown { closest } => closest,
            };
            problems.push(format!(
                "配合部门：{}",
                super::departments::unknown_message(d, closest.as_deref())
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid("task", problems.join("；")))
    }
}

/// A change of a year's plans, what it changed in words, and whether it was sent in writing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangeStatus {
    #[serde(flatten)]
    pub change: PlanChange,
    /// What was changed: `删除任务 NB-5“…”` ([`PlanChange::describe`]).
    pub what: String,
    pub sent: ChangeSent,
}

/// A year's plan changes and the notices written of them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanChanges {
    pub year: i32,
    /// Oldest first.
    pub changes: Vec<ChangeStatus>,
    /// By number.
    pub notices: Vec<PlanNotice>,
}

/// The year's changes with their sending state (shared with the annual report).
pub(crate) fn plan_changes_of(conn: &rusqlite::Connection, year: i32) -> Result<PlanChanges> {
    let notices = store::plans::notices(conn, year)?;
    let changes = store::plans::changes(conn, year)?
        .into_iter()
        .map(|change| ChangeStatus {
            what: change.describe(),
            sent: ChangeSent::of(change.id, &notices),
            change,
        })
        .collect();
    Ok(PlanChanges {
        year,
        changes,
        notices,
    })
}

/// What a notice says of `changes`: each with its day, plan, who (name and login), what and why.
fn notice_text(
    conn: &rusqlite::Connection,
    year: i32,
    id: &str,
    written_on: NaiveDate,
    changes: &[&ChangeStatus],
) -> Result<NoticeText> {
    let plans: HashMap<String, String> = store::plans::list(conn, Some(year))?
        .into_iter()
        .map(|p| (p.plan.code.clone(), p.plan.name))
        .collect();
    let names: HashMap<String, String> = store::users::all(conn)?
        .into_iter()
        .map(|u| (u.login, u.name))
        .collect();
    let items = changes
        .iter()
        .map(|c| {
            let c = &c.change;
            let plan = match plans.get(&c.plan) {
                Some(name) => format!("{name}（{year}-{}）", c.plan),
                None => format!("{year}-{}", c.plan),
            };
            let who = match names.get(&c.actor) {
                Some(name) if name != &c.actor => format!("{name}（{}）", c.actor),
                _ => c.actor.clone(),
            };
            NoticeItem {
                day: c.day(),
                plan,
                who,
                what: c.describe(),
                why: c.reason.clone(),
                audit_seq: c.audit_seq,
            }
        })
        .collect();
    Ok(NoticeText {
        id: id.to_string(),
        year,
        bureau: super::departments::bureau(conn)?,
        written_on,
        items,
    })
}

/// The notice as a workbook: sheet 报送件 (the letter: title, number, addressee, the bureau,
/// date, the closing and the signature lines) and sheet 调整明细 (a row per change).
fn notice_tables(t: &NoticeText) -> Vec<Table> {
    let pair = |k: &str, v: String| vec![k.to_string(), v];
    let letter = Table {
        name: "报送件".to_string(),
        headers: vec!["项目".to_string(), "内容".to_string()],
        rows: vec![
            pair("标题", t.title()),
            pair("编号", t.id.clone()),
            pair("报送对象", NOTICE_RECIPIENT.to_string()),
            pair("正文", t.opening()),
            pair("调整明细", format!("见“调整明细”表，共{}项", t.items.len())),
            pair("结语", t.closing()),
            pair("报送单位", t.bureau.clone()),
            pair("成文日期", t.date_text()),
            pair("经办人（签字）", String::new()),
            pair("负责人（签字）", String::new()),
        ],
        numbers: false,
    };
    let details = Table {
        name: "调整明细".to_string(),
        headers: [
            "序号",
            "日期",
            "计划",
            "调整内容",
            "调整人",
            "调整理由",
            "审计序号",
        ]
        .map(String::from)
        .to_vec(),
        rows: t
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                vec![
                    (i + 1).to_string(),
                    item.day.clone(),
                    item.plan.clone(),
                    item.what.clone(),
                    item.who.clone(),
                    item.why.clone(),
                    item.audit_seq.to_string(),
                ]
            })
            .collect(),
        numbers: false,
    };
    let mut tables = vec![letter, details];
    for cell in tables.iter_mut().flat_map(|t| t.rows.iter_mut().flatten()) {
        if let std::borrow::Cow::Owned(cut) = crate::domain::text::excel_cell(cell) {
            *cell = cut;
        }
    }
    tables
}
