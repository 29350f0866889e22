//! 结果公示 (publicity): the results in the layout of the national enterprise credit
//! publicity system's 双随机抽查结果信息 (gsxt), written to a file; whatever is exported for the
//! first time is marked 已公示 in the same transaction. A member of a visit's team marks its
//! entered result for the next export (谁检查、谁录入、谁公示); the bureau chooses what reaches
//! the public 备注. See `docs/results.md`.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Result, ServiceError, Session};
use crate::domain::audit::Checkpoint;
use crate::domain::draw::period::Period;
use crate::domain::draw::record::{Prepared, TaskSpec};
use crate::domain::entity::Entity;
use crate::domain::plan::{PlanKind, Task};
use crate::domain::plan_records::PlanRecord;
use crate::domain::result::InspectionResult;
use crate::domain::result_records::{Correction, FollowUp, Submitted};
use crate::domain::role::{Action, Subject};
use crate::domain::visit::{Step, VisitDates, check_step};
use crate::sheets::files::{Access, Overwrite, Staged, check_target};
use crate::sheets::publicity::{PublicityFormat, PublicityRecord, publicity_bytes};
use crate::store::{self, draws::VisitRow, settings};

/// What `export publicity` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicityReport {
    /// The file written.
    pub path: String,
    pub format: PublicityFormat,
    /// `2026Q2`, or `None` for every period.
    pub period: Option<String>,
    /// The rows written, in file order.
    pub rows: Vec<PublishedRow>,
    /// Visits marked 已公示 by this export (exported for the first time).
    pub newly_published: Vec<i64>,
    /// Of those, the visits whose team had marked the result for publication (谁公示) …
    pub marked: Vec<i64>,
    /// … and those nobody had marked, published by the exporter in the team's place so that
    /// no entered result waits past the 20 working days.
    pub unmarked: Vec<i64>,
    /// Visits left out because a correction of their result awaits the principal.
    pub held_back: Vec<HeldBack>,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The audit log's head right after the `publicity.export` event.
    pub checkpoint: Checkpoint,
}

/// One row of the file and the visit it comes from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedRow {
    pub visit_id: i64,
    pub record: PublicityRecord,
}

/// A visit not exported because a correction is pending (filed, not yet decided).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldBack {
    pub visit_id: i64,
    pub draw_id: String,
    pub entity: String,
    pub entity_name: String,
    /// The pending correction's number.
    pub correction: i64,
}

/// One visit with everything recorded about it (shared with the reports).
#[derive(Debug, Clone)]
pub(crate) struct VisitRecord {
    pub row: VisitRow,
    pub dates: VisitDates,
    pub submitted: Option<Submitted>,
    /// Oldest first.
    pub corrections: Vec<Correction>,
    pub followups: Vec<FollowUp>,
}

impl VisitRecord {
    /// The latest approved correction.
    pub fn approved_correction(&self) -> Option<&Correction> {
        self.corrections
            .iter()
            .rev()
            .find(|c| c.decision.as_ref().is_some_and(|d| d.approved))
    }

    /// A correction filed and not yet decided.
    pub fn pending_correction(&self) -> Option<&Correction> {
        self.corrections.iter().find(|c| c.decision.is_none())
    }

    /// The result in force: the latest approved correction, else the submitted result.
    pub fn effective(&self) -> Option<&InspectionResult> {
        self.approved_correction()
            .map(|c| &c.result)
            .or(self.submitted.as_ref().map(|s| &s.result))
    }
}

/// Every visit of every run, not voided draw (of one year, or all), with its dates, result,
/// corrections and follow-ups; oldest draw first, by ticket.
pub(crate) fn visit_records(
    conn: &rusqlite::Connection,
    year: Option<i32>,
) -> Result<Vec<VisitRecord>> {
    let rows = store::draws::live_visits(conn, year)?;
    let mut events = store::results::events(conn)?;
    let mut results = store::results::all_results(conn)?;
    let mut corrections: HashMap<i64, Vec<Correction>> = HashMap::new();
    for c in store::results::corrections(conn, None)? {
        corrections.entry(c.visit_id).or_default().push(c);
    }
    let mut followups: HashMap<i64, Vec<FollowUp>> = HashMap::new();
    for f in store::results::followups(conn, None)? {
        followups.entry(f.visit_id).or_default().push(f);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut dates = events.remove(&row.id).unwrap_or_default();
            dates.drawn = row.drawn_on.parse().ok();
            VisitRecord {
                dates,
                submitted: results.remove(&row.id),
                corrections: corrections.remove(&row.id).unwrap_or_default(),
                followups: followups.remove(&row.id).unwrap_or_default(),
                row,
            }
        })
        .collect())
}

/// What the publicity list says about one task of one draw.
#[derive(Debug, Clone)]
pub(crate) struct TaskInfo {
    pub spec: TaskSpec,
    /// The plan's year and code (`TaskSpec::plan` is `2026/NB`).
    pub year: i32,
    pub plan_code: String,
    /// The plan's name without the year, e.g. `内部双随机抽查工作计划`.
    pub plan_name: String,
    pub joint: bool,
    /// 抽查检查主体, from the plan's task (still there when removed later in the year).
    pub inspecting_body: String,
}

impl TaskInfo {
    fn new(spec: &TaskSpec, plans: &[PlanRecord], bureau: &str) -> TaskInfo {
        let (year, code) = spec
            .plan
            .split_once('/')
            .map(|(y, c)| (y.parse().unwrap_or(0), c.to_string()))
            .unwrap_or((0, spec.plan.clone()));
        let plan = plans
            .iter()
            .find(|p| p.plan.year == year && p.plan.code == code);
        let task: Option<&Task> = plan.and_then(|p| {
            p.plan
                .tasks
                .iter()
                .chain(&p.removed)
                .find(|t| t.code == spec.code)
        });
        let inspecting_body = task
            .map(|t| {
                if t.inspecting_body.trim().is_empty() {
                    t.initiating_unit.clone()
                } else {
                    t.inspecting_body.clone()
                }
            })
            .filter(|b| !b.trim().is_empty())
            .unwrap_or_else(|| bureau.to_string());
        TaskInfo {
            joint: plan.map_or(!spec.departments.is_empty(), |p| {
                p.plan.kind == PlanKind::Joint
            }),
            plan_name: plan.map_or_else(String::new, |p| p.plan.name.clone()),
            spec: spec.clone(),
            year,
            plan_code: code,
            inspecting_body,
        }
    }

    /// 抽查计划编号: `2026-NB`.
    pub fn plan_number(&self) -> String {
        format!("{}-{}", self.year, self.plan_code)
    }

    /// 抽查计划名称: `2026年内部双随机抽查工作计划` (the year is not repeated when the name
    /// already starts with it).
    pub fn plan_title(&self) -> String {
        let year = format!("{}年", self.year);
        if self.plan_name.starts_with(&year) {
            self.plan_name.clone()
        } else {
            format!("{year}{}", self.plan_name)
        }
    }

    /// 抽查类型
    pub fn inspection_type(&self) -> &'static str {
        if self.joint {
            "部门联合抽查"
        } else {
            "定向抽查"
        }
    }

    /// 检查机关: the inspecting body, and for joint tasks `、` the cooperating departments.
    pub fn authority(&self) -> String {
        let mut parts = vec![self.inspecting_body.clone()];
        if self.joint {
            for d in &self.spec.departments {
                if !parts.contains(d) {
                    parts.push(d.clone());
                }
            }
        }
        parts.join("、")
    }
}

/// The tasks of some draws, by (draw id, task code), and each draw's prepared record.
#[derive(Debug, Clone, Default)]
pub(crate) struct DrawTasks {
    pub tasks: HashMap<(String, String), TaskInfo>,
    pub prepared: HashMap<String, Prepared>,
}

impl DrawTasks {
    pub fn load(
        conn: &rusqlite::Connection,
        draw_ids: impl IntoIterator<Item = String>,
    ) -> Result<DrawTasks> {
        let plans = store::plans::list(conn, None)?;
        let mut out = DrawTasks::default();
        for id in draw_ids {
            if out.prepared.contains_key(&id) {
                continue;
            }
            let p = store::draws::prepared(conn, &id)?;
            for spec in &p.tasks {
                out.tasks.insert(
                    (id.clone(), spec.code.clone()),
                    TaskInfo::new(spec, &plans, &p.lead_department),
                );
            }
            out.prepared.insert(id, p);
        }
        Ok(out)
    }

    pub fn get(&self, draw: &str, task: &str) -> Option<&TaskInfo> {
        self.tasks.get(&(draw.to_string(), task.to_string()))
    }
}

/// What the bureau lets reach the public 备注 besides the result's own remark and the
/// follow-ups' kind, case number, status and closing date (`settings publicity-remark`). By
/// default neither: a correction's reason and a follow-up's note are internal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PublicRemark {
    /// 更正理由: the latest approved correction's reason.
    pub correction_reason: bool,
    /// 后续处理说明: the note recorded with each follow-up (`followup add --note`).
    pub followup_notes: bool,
}

impl PublicRemark {
    /// The words `settings publicity-remark` takes, the setting's value, and the label.
    const PARTS: [(&'static str, &'static str, &'static str); 2] = [
        ("correction-reason", "correction_reason", "更正理由"),
        ("followup-notes", "followup_notes", "后续处理说明"),
    ];

    fn flags(self) -> [bool; 2] {
        [self.correction_reason, self.followup_notes]
    }

    fn from_flags([correction_reason, followup_notes]: [bool; 2]) -> PublicRemark {
        PublicRemark {
            correction_reason,
            followup_notes,
        }
    }

    /// The parts named on the command line (`correction-reason`, `followup-notes`, or their
    /// Chinese names); an unknown word is refused, naming what is accepted.
    pub fn parse(words: &[String]) -> Result<PublicRemark> {
        let mut flags = [false; 2];
        for w in words {
            let w = w.trim();
            let i = Self::PARTS
                .iter()
                .position(|(key, value, label)| {
                    w.eq_ignore_ascii_case(key) || w.eq_ignore_ascii_case(value) || w == *label
                })
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "publicity_remark",
                        format!(
                            "公示备注不能包含“{w}”：只能选择 correction-reason（更正理由）或 followup-notes（后续处理说明）"
                        ),
                    )
                })?;
            flags[i] = true;
        }
        Ok(Self::from_flags(flags))
    }

    /// As stored in the settings table: `correction_reason,followup_notes`; `None` for the
    /// default (neither).
    fn to_setting(self) -> Option<String> {
        let parts: Vec<&str> = Self::PARTS
            .iter()
            .zip(self.flags())
            .filter(|(_, on)| *on)
            .map(|((_, value, _), _)| *value)
            .collect();
        (!parts.is_empty()).then(|| parts.join(","))
    }

    fn from_setting(value: Option<&str>) -> PublicRemark {
        let value = value.unwrap_or("");
        let has = |v: &str| value.split(',').any(|p| p.trim() == v);
        Self::from_flags(Self::PARTS.map(|(_, v, _)| has(v)))
    }

    /// `更正理由、后续处理说明`, or `仅检查结果备注和后续处理结果（默认）`.
    pub fn label(self) -> String {
        let parts: Vec<&str> = Self::PARTS
            .iter()
            .zip(self.flags())
            .filter(|(_, on)| *on)
            .map(|((_, _, label), _)| *label)
            .collect();
        if parts.is_empty() {
            "不含更正理由和后续处理说明（默认）".to_string()
        } else {
            format!("另含{}", parts.join("、"))
        }
    }

    /// The bureau's choice, as stored.
    pub(crate) fn read(conn: &rusqlite::Connection) -> Result<PublicRemark> {
        Ok(Self::from_setting(
            settings::get(conn, settings::PUBLICITY_REMARK)?.as_deref(),
        ))
    }
}

/// 备注 of a row: the result's remark; `已更正（原结果：…）` after an approved correction (with
/// `；更正理由：…` when the bureau publishes reasons); each follow-up and its outcome (with
/// `，说明：…` when the bureau publishes notes); for a unit without a USCC, the unit's own name
/// when the row names its owner (`检查对象：…`) and its registry code.
fn remark(
    v: &VisitRecord,
    public: PublicRemark,
    unit: Option<&str>,
    registry_code: Option<&str>,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = v.effective()
        && !r.remark.trim().is_empty()
    {
        parts.push(r.remark.trim().to_string());
    }
    if let (Some(c), Some(original)) = (v.approved_correction(), &v.submitted) {
        let reason = if public.correction_reason {
            format!("；更正理由：{}", c.reason)
        } else {
            String::new()
        };
        parts.push(format!(
            "已更正（原结果：{}{reason}）",
            original.result.summary()
        ));
    }
    for f in &v.followups {
        let case = if f.case_no.is_empty() {
            String::new()
        } else {
            format!("（案号{}）", f.case_no)
        };
        let closed = f.closed_on.as_deref().unwrap_or("");
        let note = if public.followup_notes && !f.note.trim().is_empty() {
            format!("（说明：{}）", f.note.trim())
        } else {
            String::new()
        };
        parts.push(format!(
            "后续处理：{}{case}{}{closed}{note}",
            f.kind, f.status
        ));
    }
    if let Some(unit) = unit {
        parts.push(format!("检查对象：{unit}"));
    }
    if let Some(code) = registry_code {
        parts.push(format!("登记编码：{code}"));
    }
    parts.join("；")
}

/// The owner a unit without a USCC is published under: its 所有人 and 所有人统一社会信用代码.
struct Owner {
    name: String,
    uscc: Option<String>,
}

impl Owner {
    /// The owner of a unit that has no USCC of its own and names an owner; `None` otherwise.
    fn of(e: &Entity) -> Option<Owner> {
        let name = e.owner.trim();
        (e.uscc.is_none() && !name.is_empty()).then(|| Owner {
            name: name.to_string(),
            uscc: e.owner_uscc.clone(),
        })
    }
}

/// The rows to export and the visits held back, from records of one period (or all).
pub(crate) fn publicity_rows(
    conn: &rusqlite::Connection,
    period: Option<Period>,
) -> Result<(Vec<PublishedRow>, Vec<HeldBack>, Vec<VisitRecord>)> {
    let period_text = period.map(|p| p.to_string());
    let records: Vec<VisitRecord> = visit_records(conn, period.map(|p| p.year))?
        .into_iter()
        .filter(|v| period_text.as_ref().is_none_or(|p| &v.row.period == p))
        .filter(|v| v.submitted.is_some())
        .collect();
    let draws = DrawTasks::load(conn, records.iter().map(|v| v.row.draw_id.clone()))?;
    let library: HashMap<String, Entity> = store::entities::all(conn)?
        .into_iter()
        .map(|e| (e.id().to_string(), e))
        .collect();
    let public = PublicRemark::read(conn)?;
    let mut rows = Vec::new();
    let mut held_back = Vec::new();
    let mut exported = Vec::new();
    for v in records {
        let (name, uscc, owner) = match library.get(&v.row.entity) {
            Some(e) => (e.name.clone(), e.uscc.clone(), Owner::of(e)),
            None => {
                let name = draws
                    .prepared
                    .get(&v.row.draw_id)
                    .and_then(|p| p.entities.iter().find(|e| e.id == v.row.entity))
                    .map(|e| e.name.clone())
                    .unwrap_or_default();
                let uscc = crate::domain::uscc::parse(&v.row.entity).ok();
                (name, uscc, None)
            }
        };
        if let Some(c) = v.pending_correction() {
            held_back.push(HeldBack {
                visit_id: v.row.id,
                draw_id: v.row.draw_id.clone(),
                entity: v.row.entity.clone(),
                entity_name: name,
                correction: c.id,
            });
            continue;
        }
        let uscc = uscc.filter(|u| u == &v.row.entity);
        // A unit without a USCC (a non-road machine) is published under its owner, when
        // the library names one: the owner's name and USCC, the unit's name in 备注.
        let (party_uscc, party_name, unit, registry_code) = match (&uscc, owner) {
            (Some(u), _) => (u.clone(), name.clone(), None, None),
            (None, Some(o)) => (
                o.uscc.unwrap_or_default(),
                o.name,
                Some(name.as_str()),
                Some(v.row.entity.as_str()),
            ),
            (None, None) => (
                String::new(),
                name.clone(),
                None,
                Some(v.row.entity.as_str()),
            ),
        };
        let effective = v.effective().map(InspectionResult::summary);
        let remark = remark(&v, public, unit, registry_code);
        for code in &v.row.tasks {
            // The visit's own draw lacks its task: stored records disagree, no case of its own.
            let info = draws.get(&v.row.draw_id, code).ok_or_else(|| {
                ServiceError::Invalid(format!("抽取 {} 中没有任务 {code}", v.row.draw_id))
            })?;
            rows.push(PublishedRow {
                visit_id: v.row.id,
                record: PublicityRecord {
                    plan_code: info.plan_number(),
                    plan_name: info.plan_title(),
                    task_code: format!("{}/{}", v.row.draw_id, code),
                    task_name: info.spec.name.clone(),
                    inspection_type: info.inspection_type().to_string(),
                    authority: info.authority(),
                    completed: v.dates.completed.map(|d| d.to_string()).unwrap_or_default(),
                    result: effective.clone().unwrap_or_default(),
                    remark: remark.clone(),
                    uscc: party_uscc.clone(),
                    entity_name: party_name.clone(),
                },
            });
        }
        exported.push(v);
    }
    Ok((rows, held_back, exported))
}

/// Cuts each field of a row to what an Excel cell holds, with a note where cut
/// (`domain::text::excel_cell`): a remark stored longer never makes the workbook fail.
fn fit_excel(r: &mut PublicityRecord) {
    for field in [
        &mut r.plan_code,
        &mut r.plan_name,
        &mut r.task_code,
        &mut r.task_name,
        &mut r.inspection_type,
        &mut r.authority,
        &mut r.completed,
        &mut r.result,
        &mut r.remark,
        &mut r.uscc,
        &mut r.entity_name,
    ] {
        if let std::borrow::Cow::Owned(cut) = crate::domain::text::excel_cell(field) {
            *field = cut;
        }
    }
}

impl Session {
    /// `export publicity FILE [--period P]`, refusing an existing file: see
    /// [`Session::export_publicity_to`].
    pub fn export_publicity(
        &mut self,
        path: &Path,
        period: Option<Period>,
    ) -> Result<PublicityReport> {
        self.export_publicity_to(path, period, Overwrite::Refuse)
    }

    /// `export publicity FILE [--period P] [--force]`: writes the publicity list (.xlsx, .csv
    /// with BOM, .json) and marks every visit exported for the first time 已公示 today, in one
    /// transaction logged as `publicity.export`. The file is written beside `path` first and
    /// put in place only once that transaction has committed (replacing an existing file only
    /// with `overwrite`, never writing through a symlink); if anything fails, nothing is
    /// published and no file is left. The list is public, so the file is readable by all.
    pub fn export_publicity_to(
        &mut self,
        path: &Path,
        period: Option<Period>,
        overwrite: Overwrite,
    ) -> Result<PublicityReport> {
        self.require(Action::Publish)?;
        let format = PublicityFormat::of(path)?;
        let today = self.today();
        check_target(path, overwrite)?;
        let mut staged = None;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let outcome = self.write(|tx, actor| {
            let (rows, held_back, exported) = publicity_rows(tx, period)?;
            let mut records: Vec<PublicityRecord> = rows.iter().map(|r| r.record.clone()).collect();
            if format == PublicityFormat::Xlsx {
                records.iter_mut().for_each(fit_excel);
            }
            let bytes = publicity_bytes(format, &records)?;
            staged = Some(Staged::bytes(path, overwrite, Access::Public, &bytes)?);
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let marks = store::results::publication_marks(tx, None)?;
            let mut newly_published = Vec::new();
            for v in exported.iter().filter(|v| v.dates.published.is_none()) {
                check_step(&v.dates, Step::Publish, today, today).map_err(|why| {
                    ServiceError::StepOutOfOrder {
                        visit: Some(v.row.id),
                        why,
                    }
                })?;
                newly_published.push(v.row.id);
            }
            let (marked, unmarked): (Vec<i64>, Vec<i64>) = newly_published
                .iter()
                .partition(|id| marks.contains_key(id));
            let ev = actor.log(
                tx,
                "publicity.export",
                &file_name,
                &json!({
                    "file": file_name,
                    "format": format,
                    "period": period.map(|p| p.to_string()),
                    "rows": rows.len(),
                    "published": newly_published,
                    "marked": marked,
                    "unmarked": unmarked,
                    "held_back": held_back.iter().map(|h| h.visit_id).collect::<Vec<_>>(),
                    "sha256": sha256,
                }),
            )?;
            for id in &newly_published {
                store::results::add_event(tx, *id, "publish", today, ev.seq)?;
            }
            Ok(PublicityReport {
                path: path.display().to_string(),
                format,
                period: period.map(|p| p.to_string()),
                rows,
                newly_published,
                marked,
                unmarked,
                held_back,
                sha256,
                checkpoint: store::audit::head(tx)?,
            })
        });
        let report = outcome?;
        let staged = staged.ok_or_else(|| ServiceError::Invalid("公示文件未生成".to_string()))?;
        staged.place_or_keep().map_err(|(e, tmp)| {
            ServiceError::Invalid(format!(
                "公示已登记（审计检查点 {}），但无法把临时文件 {} 放到 {}（{e}），请手工改名",
                report.checkpoint,
                tmp.display(),
                path.display()
            ))
        })?;
        Ok(report)
    }
}

/// A visit's entered result marked for the next publicity export (谁公示).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicationMark {
    pub visit_id: i64,
    /// The login that marked it.
    pub marked_by: String,
    pub day: NaiveDate,
    /// The audit event `visit.publish`.
    pub audit_seq: u64,
}

/// The audit action of a publication mark (subject: the visit id).
pub const MARK_ACTION: &str = "visit.publish";

impl Session {
    /// `visit publish ID`: a member of the visit's team (谁检查、谁录入、谁公示), or a lead or
    /// principal, marks its entered result for the next publicity export, once, logged as
    /// [`MARK_ACTION`]. The visit stays 已录入 (and counts as unpublished) until an export
    /// publishes it.
    pub fn mark_for_publicity(&mut self, id: i64) -> Result<PublicationMark> {
        let v = self.visit(id)?;
        self.require_on(
            Action::PublishResult,
            Subject::VisitPublication(&v.team),
            "公示不属于自己检查组的检查结果",
        )?;
        let today = self.today();
        self.write(|tx, actor| {
            // Re-read inside the transaction: someone else may have marked or exported.
            let mut dates = store::results::dates_of(tx, id)?;
            dates.drawn = v.dates.drawn;
            if dates.published.is_none()
                && let Some((by, day, _)) =
                    store::results::publication_marks(tx, Some(id))?.remove(&id)
            {
                return Err(ServiceError::Invalid(format!(
                    "检查任务 {id} 的结果已由 {by} 于 {day} 标记待公示，将在下次导出公示时公示"
                )));
            }
            check_step(&dates, Step::Publish, today, today).map_err(|why| {
                ServiceError::StepOutOfOrder {
                    visit: Some(id),
                    why,
                }
            })?;
            let ev = actor.log(
                tx,
                MARK_ACTION,
                &id.to_string(),
                &json!({ "entity": v.entity, "draw": v.draw_id, "day": today.to_string() }),
            )?;
            store::results::add_publication_mark(tx, id, &actor.login, today, ev.seq)?;
            Ok(PublicationMark {
                visit_id: id,
                marked_by: actor.login.clone(),
                day: today,
                audit_seq: ev.seq,
            })
        })
    }

    /// Every publication mark, by visit id (a published visit keeps its mark: who published it).
    pub fn publication_marks(&self) -> Result<HashMap<i64, PublicationMark>> {
        self.require(Action::ViewRegistry)?;
        Ok(
            store::results::publication_marks(self.store().conn(), None)?
                .into_iter()
                .map(|(visit_id, (marked_by, day, audit_seq))| {
                    (
                        visit_id,
                        PublicationMark {
                            visit_id,
                            marked_by,
                            day,
                            audit_seq,
                        },
                    )
                })
                .collect(),
        )
    }

    /// What the public 备注 carries besides the result's remark and the follow-ups' outcome.
    pub fn publicity_remark(&self) -> Result<PublicRemark> {
        self.require(Action::ViewRegistry)?;
        PublicRemark::read(self.store().conn())
    }

    /// `settings publicity-remark [correction-reason] [followup-notes] | --clear`: the bureau's
    /// choice of what reaches the public 备注, logged as `settings.publicity_remark` with what
    /// it was and what it is.
    pub fn set_publicity_remark(&mut self, public: PublicRemark) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        self.write(|tx, actor| {
            let before = PublicRemark::read(tx)?;
            actor.log(
                tx,
                "settings.publicity_remark",
                "",
                &json!({ "before": before, "after": public }),
            )?;
            match public.to_setting() {
                Some(v) => settings::set(tx, settings::PUBLICITY_REMARK, &v)?,
                None => settings::unset(tx, settings::PUBLICITY_REMARK)?,
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod remark_tests {
    use super::*;

    #[test]
    fn the_public_remark_setting_round_trips_and_refuses_unknown_parts() {
        assert_eq!(PublicRemark::from_setting(None), PublicRemark::default());
        assert_eq!(PublicRemark::default().to_setting(), None);
        let both =
            PublicRemark::parse(&["correction-reason".into(), "后续处理说明".into()]).unwrap();
        assert!(both.correction_reason && both.followup_notes);
        assert_eq!(
            both.to_setting().as_deref(),
            Some("correction_reason,followup_notes")
        );
        assert_eq!(
            PublicRemark::from_setting(both.to_setting().as_deref()),
            both
        );
        let one = PublicRemark::parse(&["followup-notes".into()]).unwrap();
        assert_eq!(PublicRemark::from_setting(one.to_setting().as_deref()), one);
        assert_eq!(one.label(), "另含后续处理说明");
        let err = PublicRemark::parse(&["internal".into()]).unwrap_err();
        assert!(err.to_string().contains("“internal”"), "{err}");
    }
}
