//! 工作情况报告 (reports): the figures the county office asks for by 10月30日 (plan 八.五) —
//! per task and overall: population, quota, drawn, inspected, result categories, problems,
//! follow-ups, publication rate, joint-inspection share, late entries — for a year or a
//! quarter, written as Markdown or .xlsx. Definitions in `docs/results.md`.

use crate::domain::draw::record::DrawRecord;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::publicity::{DrawTasks, TaskInfo, VisitRecord, visit_records};
use super::{Result, ServiceError, Session};
use crate::domain::draw::Draw;
use crate::domain::draw::period::Period;
use crate::domain::result::Category;
use crate::domain::role::Action;
use crate::domain::visit::VisitState;
use crate::sheets::publicity::{Table, workbook_bytes};
use crate::store;

/// What a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Year(i32),
    Quarter(#[serde(serialize_with = "display")] Period),
}

fn display<S: serde::Serializer>(p: &Period, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(p)
}

impl Scope {
    /// `2026年度` / `2026年第二季度`.
    pub fn label(self) -> String {
        match self {
            Scope::Year(y) => format!("{y}年度"),
            Scope::Quarter(p) => {
                let q = ["一", "二", "三", "四"][(p.quarter as usize).clamp(1, 4) - 1];
                format!("{}年第{q}季度", p.year)
            }
        }
    }

    fn year(self) -> i32 {
        match self {
            Scope::Year(y) => y,
            Scope::Quarter(p) => p.year,
        }
    }

    fn covers(self, period: &str) -> bool {
        match self {
            Scope::Year(y) => period.starts_with(&y.to_string()),
            Scope::Quarter(p) => period == p.to_string(),
        }
    }
}

/// A count per result category.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CategoryCount {
    pub category: Category,
    pub count: usize,
}

/// The figures of one task, or of all (合计).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// Task code (`NB-1`), or `合计`.
    pub code: String,
    pub name: String,
    /// 抽查计划编号 (`2026-NB`); empty for 合计.
    pub plan: String,
    /// 抽查类型: 部门联合抽查 / 定向抽查; empty for 合计.
    pub inspection_type: String,
    /// 抽查对象总数: distinct entities in the task's strata populations.
    pub population: usize,
    /// 应抽数: the distinct entities the rules asked for — those the task's strata selected
    /// over the scope, plus what the yearly cap kept them from drawing — so that it compares
    /// with 抽取数.
    pub quota: u64,
    /// 季度名额合计: the sum of the strata quotas (overlapping lines count an entity again).
    pub quota_slots: u64,
    /// 抽取数: distinct entities with a visit carrying the task in the scope.
    pub drawn: usize,
    /// 检查任务数: visits (an entity once per draw).
    pub visits: usize,
    /// 已检查: visits at 已完成 or later.
    pub inspected: usize,
    /// 已录入: visits with a submitted result.
    pub entered: usize,
    /// Per category of the effective results (several may apply to one result).
    pub categories: Vec<CategoryCount>,
    /// 发现问题: effective results with a problem category.
    pub problems: usize,
    /// 后续处理: follow-up records, and how many are 已办结.
    pub followups: usize,
    pub followups_closed: usize,
    /// 已公示
    pub published: usize,
    /// 公示率 = 已公示 / 已录入, one decimal (`—` when nothing is entered).
    pub publication_rate: String,
    /// 逾期录入: results submitted after their due date.
    pub late: usize,
    /// 逾期未录入: completed, no result, due date passed (as of the report's date).
    pub overdue: usize,
    /// Visits that include a task of a joint (部门联合) plan.
    pub joint_visits: usize,
}

impl Figures {
    fn new(code: &str, name: &str, plan: &str, inspection_type: &str) -> Figures {
        Figures {
            code: code.to_string(),
            name: name.to_string(),
            plan: plan.to_string(),
            inspection_type: inspection_type.to_string(),
            population: 0,
            quota: 0,
            quota_slots: 0,
            drawn: 0,
            visits: 0,
            inspected: 0,
            entered: 0,
            categories: Category::ALL
                .iter()
                .map(|&category| CategoryCount { category, count: 0 })
                .collect(),
            problems: 0,
            followups: 0,
            followups_closed: 0,
            published: 0,
            publication_rate: String::new(),
            late: 0,
            overdue: 0,
            joint_visits: 0,
        }
    }

    /// The count of one category.
    pub fn category(&self, c: Category) -> usize {
        self.categories
            .iter()
            .find(|x| x.category == c)
            .map_or(0, |x| x.count)
    }

    fn add_visit(&mut self, v: &VisitRecord, joint: bool, overdue: bool) {
        let state = v.dates.state();
        self.visits += 1;
        self.inspected += usize::from(state >= VisitState::Completed);
        self.published += usize::from(v.dates.published.is_some());
        self.overdue += usize::from(overdue);
        self.joint_visits += usize::from(joint);
        self.followups += v.followups.len();
        self.followups_closed += v.followups.iter().filter(|f| f.status == "已办结").count();
        if let Some(s) = &v.submitted {
            self.entered += 1;
            self.late += usize::from(s.late);
        }
        if let Some(r) = v.effective() {
            self.problems += usize::from(r.found_problems());
            for c in &r.categories {
                if let Some(x) = self.categories.iter_mut().find(|x| x.category == *c) {
                    x.count += 1;
                }
            }
        }
    }
}

/// `part / whole` as a percentage with one decimal, rounded half up; `—` when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_string();
    }
    let tenths = (part as u128 * 1000 + whole as u128 / 2) / whole as u128;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// One draw of the scope, voided ones included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DrawLine {
    pub id: String,
    pub period: String,
    pub tasks: Vec<String>,
    /// 待运行 / 已运行 / 作废待批 / 已作废 ([`crate::domain::draw::DrawStatus::label`])
    pub state: String,
    pub prepared_by: String,
    pub run_at: Option<String>,
    /// Visits of the run (also for a voided draw).
    pub visits: usize,
    pub void_reason: Option<String>,
    pub void_requested_by: Option<String>,
    pub void_approved_by: Option<String>,
}

impl DrawLine {
    fn of(d: &Draw, visits: usize) -> DrawLine {
        let state = d.status().label();
        DrawLine {
            id: d.id.clone(),
            period: d.period.clone(),
            tasks: d.tasks.clone(),
            state: state.to_string(),
            prepared_by: d.prepared_by.clone(),
            run_at: d.run.as_ref().map(|r| r.at.clone()),
            visits,
            void_reason: d.void_request.as_ref().map(|v| v.reason.clone()),
            void_requested_by: d.void_request.as_ref().map(|v| v.by.clone()),
            void_approved_by: d.void_approved.as_ref().map(|v| v.by.clone()),
        }
    }
}

/// A quarterly or annual report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub scope: Scope,
    /// `2026年度“双随机、一公开”抽查工作情况（截至2026-11-28）`
    pub title: String,
    /// The day the figures are taken (today).
    pub as_of: NaiveDate,
    pub generated_by: String,
    /// One row per task that has a run, not voided draw in the scope.
    pub tasks: Vec<Figures>,
    /// 合计: every visit counted once.
    pub total: Figures,
    /// 部门联合抽查占比 = visits with a joint task / all visits.
    pub joint_share: String,
    /// Draws of the scope approved void.
    pub voided_draws: usize,
    /// Visits completed whose result is overdue as of `as_of` (= `total.overdue`).
    pub overdue_now: usize,
    /// Corrections filed and not yet decided, on visits of the scope.
    pub pending_corrections: usize,
    /// Every draw of the scope, voided ones included, oldest first.
    pub draws: Vec<DrawLine>,
    /// The annual report: every change of the year's plans and whether it was sent to the
    /// 领导小组办公室 in writing (书面报送); empty in a quarterly report.
    pub plan_changes: Vec<super::plans::ChangeStatus>,
    /// What the year's rules leave undone, named.
    pub shortfalls: Shortfalls,
    /// Targeted checks (个案检查) started in the scope, apart from every figure above.
    pub targeted: targeted::TargetedSection,
}

mod year;
pub use year::{Coverage, FullTask, Listed, QuotaShortfall, Shortfalls, VisitLine};

fn task_order(code: &str) -> (String, u32, String) {
    let (plan, n) = code.rsplit_once('-').unwrap_or((code, ""));
    (
        plan.to_string(),
        n.parse().unwrap_or(u32::MAX),
        code.to_string(),
    )
}

/// The audit action recorded when a year's report is written to a file (subject: the year).
pub const ANNUAL_REPORT_ACTION: &str = "report.annual";

impl Session {
    /// The year's report, not written anywhere (see [`Session::write_annual_report`]).
    pub fn annual_report(&self, year: i32) -> Result<Report> {
        self.report(Scope::Year(year))
    }

    /// `report annual --year Y FILE [--force]`: the year's report written to `path` (.md/.xlsx), then
    /// recorded in the audit log as [`ANNUAL_REPORT_ACTION`] with the day its figures are
    /// taken, so that the overview stops reminding of the 10月30日 deadline.
    pub fn write_annual_report(
        &mut self,
        year: i32,
        path: &Path,
        overwrite: crate::sheets::Overwrite,
    ) -> Result<Report> {
        let report = self.annual_report(year)?;
        write_report(&report, path, overwrite)?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.write(|tx, actor| {
            actor.log(
                tx,
                ANNUAL_REPORT_ACTION,
                &year.to_string(),
                &serde_json::json!({
                    "file": file,
                    "as_of": report.as_of.to_string(),
                }),
            )
        })?;
        Ok(report)
    }

    /// The latest day as of which the report of `year` was written to a file, if ever.
    pub fn annual_report_generated(&self, year: i32) -> Result<Option<NaiveDate>> {
        let events = store::audit::list(
            self.store().conn(),
            &crate::domain::audit::EventFilter {
                action_prefix: Some(ANNUAL_REPORT_ACTION.to_string()),
                subject: Some(year.to_string()),
                ..Default::default()
            },
        )?;
        Ok(events
            .iter()
            .filter(|e| e.action == ANNUAL_REPORT_ACTION)
            .filter_map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).ok()?;
                detail.get("as_of")?.as_str()?.parse().ok()
            })
            .max())
    }

    /// `report quarter --period P`
    pub fn quarter_report(&self, period: Period) -> Result<Report> {
        self.report(Scope::Quarter(period))
    }

    /// The report of a scope: the figures per task and in total, as of today, and every
    /// draw of the scope.
    fn report(&self, scope: Scope) -> Result<Report> {
        self.require(Action::ViewReports)?;
        let conn = self.store().conn();
        let cal = self.calendar()?;
        let today = self.today();
        let draws: Vec<Draw> = store::draws::all(conn)?
            .into_iter()
            .filter(|d| scope.covers(&d.period))
            .collect();
        let live: Vec<&Draw> = draws
            .iter()
            .filter(|d| d.run.is_some() && !d.is_void())
            .collect();
        let visits: Vec<VisitRecord> = visit_records(conn, Some(scope.year()))?
            .into_iter()
            .filter(|v| scope.covers(&v.row.period))
            .collect();
        let known = DrawTasks::load(conn, live.iter().map(|d| d.id.clone()))?;
        let mut records = Vec::new();
        for d in &live {
            if let Some(r) = store::draws::run_record(conn, &d.id)? {
                records.push(((*d).clone(), r));
            }
        }
        let mut tally = Tally::planned(&live, &known);
        tally.count_visits(&visits, &known, |c| {
            super::results::due_after(&cal, c) < today
        });
        let pending_corrections = tally.pending_corrections;
        let (mut tasks, mut total) = tally.figures();
        set_quotas(&records, &mut tasks, &mut total);
        let names: HashMap<String, String> = store::entities::names(conn)?
            .into_iter()
            .map(|(id, (name, _))| (id, name))
            .collect();
        let k = self.key_coverage(scope.year())?;
        let mut shortfalls = Shortfalls {
            key_coverage: Coverage {
                covered: k.covered,
                all: k.all,
                missing: k
                    .missing
                    .into_iter()
                    .map(|(id, name)| Listed {
                        id,
                        name,
                        detail: "本年尚未检查".to_string(),
                    })
                    .collect(),
            },
            full_tasks: year::full_tasks(&records, &visits, &names),
            quota_shortfalls: year::quota_shortfalls(&records),
            ..Default::default()
        };
        year::visit_lists(&visits, &names, &mut shortfalls);
        let plan_changes = match scope {
            Scope::Year(y) => super::plans::plan_changes_of(conn, y)?.changes,
            Scope::Quarter(_) => Vec::new(),
        };
        Ok(Report {
            title: format!(
                "{}“双随机、一公开”抽查工作情况（截至{today}）",
                scope.label()
            ),
            scope,
            as_of: today,
            generated_by: self.user().login.clone(),
            joint_share: percent(total.joint_visits, total.visits),
            voided_draws: draws.iter().filter(|d| d.is_void()).count(),
            overdue_now: total.overdue,
            pending_corrections,
            draws: draw_lines(conn, &draws)?,
            plan_changes,
            shortfalls,
            targeted: targeted::section(conn, scope)?,
            tasks,
            total,
        })
    }
}

/// The figures of a report being counted: per task code with the task's population so far,
/// the total, and the corrections waiting for a decision.
struct Tally {
    /// Per task: its figures, its population so far, the entities it visited.
    by_code: HashMap<String, (Figures, BTreeSet<String>, BTreeSet<String>)>,
    total: Figures,
    /// Every entity visited.
    visited: BTreeSet<String>,
    pending_corrections: usize,
}

impl Tally {
    /// Tasks, population and quota from the frozen strata of the live draws.
    fn planned(live: &[&Draw], known: &DrawTasks) -> Tally {
        let mut by_code: HashMap<String, (Figures, BTreeSet<String>, BTreeSet<String>)> =
            HashMap::new();
        let mut everyone: BTreeSet<String> = BTreeSet::new();
        let mut total = Figures::new("合计", "", "", "");
        for d in live {
            let p = &known.prepared[&d.id];
            for spec in &p.tasks {
                let info: &TaskInfo = &known.tasks[&(d.id.clone(), spec.code.clone())];
                by_code.entry(spec.code.clone()).or_insert_with(|| {
                    let f = Figures::new(
                        &spec.code,
                        &spec.name,
                        &info.plan_number(),
                        info.inspection_type(),
                    );
                    (f, BTreeSet::new(), BTreeSet::new())
                });
            }
            for s in &p.strata {
                if let Some((f, pop, _)) = by_code.get_mut(&s.task) {
                    f.quota_slots += u64::from(s.quota);
                    pop.extend(s.population.iter().cloned());
                }
                total.quota_slots += u64::from(s.quota);
                everyone.extend(s.population.iter().cloned());
            }
        }
        total.population = everyone.len();
        Tally {
            by_code,
            total,
            visited: BTreeSet::new(),
            pending_corrections: 0,
        }
    }

    /// Visits: each counts once per task it carries, and once in the total; `late_by_now`
    /// says whether the result of a visit completed on a day is overdue by now.
    fn count_visits(
        &mut self,
        visits: &[VisitRecord],
        known: &DrawTasks,
        late_by_now: impl Fn(NaiveDate) -> bool,
    ) {
        let joint_of =
            |v: &VisitRecord, code: &str| known.get(&v.row.draw_id, code).is_some_and(|i| i.joint);
        for v in visits {
            let overdue = v.dates.state() == VisitState::Completed
                && v.dates.completed.is_some_and(&late_by_now);
            let joint = v.row.tasks.iter().any(|t| joint_of(v, t));
            self.total.add_visit(v, joint, overdue);
            self.visited.insert(v.row.entity.clone());
            self.pending_corrections += usize::from(v.pending_correction().is_some());
            for t in &v.row.tasks {
                if let Some((f, _, seen)) = self.by_code.get_mut(t) {
                    f.add_visit(v, joint_of(v, t), overdue);
                    seen.insert(v.row.entity.clone());
                }
            }
        }
    }

    /// The per-task figures in task order, with population and publication rate, and the
    /// total with its publication rate.
    fn figures(self) -> (Vec<Figures>, Figures) {
        let mut tasks: Vec<Figures> = self
            .by_code
            .into_values()
            .map(|(mut f, pop, seen)| {
                f.population = pop.len();
                f.drawn = seen.len();
                f.publication_rate = percent(f.published, f.entered);
                f
            })
            .collect();
        tasks.sort_by_key(|f| task_order(&f.code));
        let mut total = self.total;
        total.drawn = self.visited.len();
        total.publication_rate = percent(total.published, total.entered);
        (tasks, total)
    }
}

/// 应抽数 in distinct entities: per task, the entities its strata selected over the scope plus
/// the shortfalls the cap caused; in total, every entity selected once plus every shortfall.
fn set_quotas(records: &[(Draw, DrawRecord)], tasks: &mut [Figures], total: &mut Figures) {
    let mut selected: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut short: HashMap<&str, u64> = HashMap::new();
    let mut everyone: BTreeSet<&str> = BTreeSet::new();
    let mut all_short = 0u64;
    for (_, r) in records {
        for st in &r.strata {
            let ids = st.selected.iter().map(|x| x.id.as_str());
            selected
                .entry(st.task.as_str())
                .or_default()
                .extend(ids.clone());
            everyone.extend(ids);
        }
        for st in &r.prepared.strata {
            let n = u64::from(st.shortfall());
            *short.entry(st.task.as_str()).or_default() += n;
            all_short += n;
        }
    }
    for f in tasks.iter_mut() {
        f.quota = selected.get(f.code.as_str()).map_or(0, |s| s.len() as u64)
            + short.get(f.code.as_str()).copied().unwrap_or(0);
    }
    total.quota = everyone.len() as u64 + all_short;
}

/// One line per draw of the scope, with the number of visits of its run.
fn draw_lines(conn: &rusqlite::Connection, draws: &[Draw]) -> Result<Vec<DrawLine>> {
    let mut lines = Vec::new();
    for d in draws {
        let n = match &d.run {
            Some(_) => store::draws::run_record(conn, &d.id)?.map_or(0, |r| r.visits.len()),
            None => 0,
        };
        lines.push(DrawLine::of(d, n));
    }
    Ok(lines)
}

pub mod targeted;
mod write;
pub use write::{ReportFormat, report_markdown, report_tables, write_report};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_one_decimal() {
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(1, 8), "12.5%");
        assert_eq!(percent(3, 3), "100.0%");
        assert_eq!(percent(0, 5), "0.0%");
        assert_eq!(percent(0, 0), "—");
    }

    #[test]
    fn scopes_read_in_chinese() {
        assert_eq!(Scope::Year(2026).label(), "2026年度");
        let q = Scope::Quarter(Period {
            year: 2026,
            quarter: 2,
        });
        assert_eq!(q.label(), "2026年第二季度");
        assert!(q.covers("2026Q2") && !q.covers("2026Q1"));
        assert!(Scope::Year(2026).covers("2026Q4") && !Scope::Year(2026).covers("2025Q4"));
    }

    #[test]
    fn tasks_sort_by_plan_then_number() {
        let mut codes = vec!["NB-10", "NB-2", "LH-1", "NB-1"];
        codes.sort_by_key(|c| task_order(c));
        assert_eq!(codes, vec!["LH-1", "NB-1", "NB-2", "NB-10"]);
    }
}
