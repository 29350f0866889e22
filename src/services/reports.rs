//! 工作情况报告 (reports): the figures the county office asks for by 10月30日 (plan 八.五) —
//! per task and overall: population, quota, drawn, inspected, result categories, problems,
//! follow-ups, publication rate, joint-inspection share, late entries — for a year or a
//! quarter, written as Markdown or .xlsx. Definitions in `docs/results.md`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::publicity::{DrawTasks, TaskInfo, VisitRecord, visit_records};
use super::{Result, ServiceError, Session};
use crate::domain::draw::period::Period;
use crate::domain::result::Category;
use crate::domain::role::Action;
use crate::domain::visit::VisitState;
use crate::sheets::SheetError;
use crate::sheets::publicity::{Table, workbook_bytes};
use crate::store::{self, draws::StoredDraw};

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
    /// 应抽数: the sum of the strata quotas.
    pub quota: u64,
    /// 抽取数: visits (an entity once per draw).
    pub drawn: usize,
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
            drawn: 0,
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
        self.drawn += 1;
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
    /// 待运行 / 已运行 / 已申请作废 / 已作废
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
    fn of(d: &StoredDraw, visits: usize) -> DrawLine {
        let state = if d.is_void() {
            "已作废"
        } else if d.void_request.is_some() {
            "已申请作废"
        } else if d.run.is_some() {
            "已运行"
        } else {
            "待运行"
        };
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
}

fn task_order(code: &str) -> (String, u32, String) {
    let (plan, n) = code.rsplit_once('-').unwrap_or((code, ""));
    (
        plan.to_string(),
        n.parse().unwrap_or(u32::MAX),
        code.to_string(),
    )
}

impl Session {
    /// `report annual --year Y`
    pub fn annual_report(&self, year: i32) -> Result<Report> {
        self.report(Scope::Year(year))
    }

    /// `report quarter --period P`
    pub fn quarter_report(&self, period: Period) -> Result<Report> {
        self.report(Scope::Quarter(period))
    }

    fn report(&self, scope: Scope) -> Result<Report> {
        self.require(Action::ViewReports)?;
        let conn = self.store().conn();
        let cal = self.calendar()?;
        let today = self.today();
        let draws: Vec<StoredDraw> = store::draws::all(conn)?
            .into_iter()
            .filter(|d| scope.covers(&d.period))
            .collect();
        let live: Vec<&StoredDraw> = draws
            .iter()
            .filter(|d| d.run.is_some() && !d.is_void())
            .collect();
        let visits: Vec<VisitRecord> = visit_records(conn, Some(scope.year()))?
            .into_iter()
            .filter(|v| scope.covers(&v.row.period))
            .collect();
        let known = DrawTasks::load(conn, live.iter().map(|d| d.id.clone()))?;

        // Tasks, population and quota from the frozen strata of the live draws.
        let mut by_code: HashMap<String, (Figures, BTreeSet<String>)> = HashMap::new();
        let mut everyone: BTreeSet<String> = BTreeSet::new();
        let mut total = Figures::new("合计", "", "", "");
        for d in &live {
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
                    (f, BTreeSet::new())
                });
            }
            for s in &p.strata {
                if let Some((f, pop)) = by_code.get_mut(&s.task) {
                    f.quota += u64::from(s.quota);
                    pop.extend(s.population.iter().cloned());
                }
                total.quota += u64::from(s.quota);
                everyone.extend(s.population.iter().cloned());
            }
        }
        total.population = everyone.len();

        // Visits: each counts once per task it carries, and once in the total.
        let joint_of =
            |v: &VisitRecord, code: &str| known.get(&v.row.draw_id, code).is_some_and(|i| i.joint);
        let mut pending_corrections = 0;
        for v in &visits {
            let overdue = v.dates.state() == VisitState::Completed
                && v.dates
                    .completed
                    .is_some_and(|c| super::results::due_after(&cal, c) < today);
            let joint = v.row.tasks.iter().any(|t| joint_of(v, t));
            total.add_visit(v, joint, overdue);
            pending_corrections += usize::from(v.pending_correction().is_some());
            for t in &v.row.tasks {
                if let Some((f, _)) = by_code.get_mut(t) {
                    f.add_visit(v, joint_of(v, t), overdue);
                }
            }
        }
        let mut tasks: Vec<Figures> = by_code
            .into_values()
            .map(|(mut f, pop)| {
                f.population = pop.len();
                f.publication_rate = percent(f.published, f.entered);
                f
            })
            .collect();
        tasks.sort_by_key(|f| task_order(&f.code));
        total.publication_rate = percent(total.published, total.entered);

        let mut lines = Vec::new();
        for d in &draws {
            let n = match &d.run {
                Some(_) => store::draws::run_record(conn, &d.id)?.map_or(0, |r| r.visits.len()),
                None => 0,
            };
            lines.push(DrawLine::of(d, n));
        }
        Ok(Report {
            title: format!(
                "{}“双随机、一公开”抽查工作情况（截至{today}）",
                scope.label()
            ),
            scope,
            as_of: today,
            generated_by: self.user().login.clone(),
            joint_share: percent(total.joint_visits, total.drawn),
            voided_draws: draws.iter().filter(|d| d.is_void()).count(),
            overdue_now: total.overdue,
            pending_corrections,
            draws: lines,
            tasks,
            total,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Writing: Markdown and .xlsx.

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Xlsx,
}

impl ReportFormat {
    pub fn of(path: &Path) -> Result<ReportFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "md" => Ok(ReportFormat::Markdown),
            "xlsx" => Ok(ReportFormat::Xlsx),
            other => Err(ServiceError::Invalid(format!(
                "报告只能保存为 .md 或 .xlsx 文件，不能保存为“{}”",
                if other.is_empty() {
                    "（无扩展名）".to_string()
                } else {
                    format!(".{other}")
                }
            ))),
        }
    }
}

/// The headers of the 汇总 sheet (and the Markdown tables, split in two).
const MAIN_HEADERS: [&str; 15] = [
    "抽查计划编号",
    "抽查任务编号",
    "抽查任务名称",
    "抽查类型",
    "抽查对象总数",
    "应抽数",
    "抽取数",
    "已检查",
    "已录入",
    "发现问题",
    "后续处理",
    "后续处理已办结",
    "已公示",
    "公示率",
    "逾期录入",
];

fn main_cells(f: &Figures) -> Vec<String> {
    vec![
        f.plan.clone(),
        f.code.clone(),
        f.name.clone(),
        f.inspection_type.clone(),
        f.population.to_string(),
        f.quota.to_string(),
        f.drawn.to_string(),
        f.inspected.to_string(),
        f.entered.to_string(),
        f.problems.to_string(),
        f.followups.to_string(),
        f.followups_closed.to_string(),
        f.published.to_string(),
        f.publication_rate.clone(),
        f.late.to_string(),
    ]
}

fn category_cells(f: &Figures) -> Vec<String> {
    Category::ALL
        .iter()
        .map(|c| f.category(*c).to_string())
        .collect()
}

/// The 汇总 and 抽取 sheets.
pub fn report_tables(r: &Report) -> Vec<Table> {
    let mut headers: Vec<String> = MAIN_HEADERS.iter().map(|s| s.to_string()).collect();
    headers.extend(Category::ALL.iter().map(|c| c.label().to_string()));
    headers.extend(["逾期未录入", "联合抽查检查任务", "部门联合抽查占比"].map(String::from));
    let row = |f: &Figures, share: &str| {
        let mut cells = main_cells(f);
        cells.extend(category_cells(f));
        cells.push(f.overdue.to_string());
        cells.push(f.joint_visits.to_string());
        cells.push(share.to_string());
        cells
    };
    let mut rows: Vec<Vec<String>> = r.tasks.iter().map(|f| row(f, "")).collect();
    rows.push(row(&r.total, &r.joint_share));
    let summary = Table {
        name: "汇总".to_string(),
        headers,
        rows,
        numbers: true,
    };
    let draws = Table {
        name: "抽取".to_string(),
        headers: [
            "抽取编号",
            "期间",
            "任务",
            "状态",
            "准备人",
            "运行时间",
            "检查任务数",
            "作废理由",
            "作废申请人",
            "作废批准人",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .draws
            .iter()
            .map(|d| {
                vec![
                    d.id.clone(),
                    d.period.clone(),
                    d.tasks.join("、"),
                    d.state.clone(),
                    d.prepared_by.clone(),
                    d.run_at.clone().unwrap_or_default(),
                    d.visits.to_string(),
                    d.void_reason.clone().unwrap_or_default(),
                    d.void_requested_by.clone().unwrap_or_default(),
                    d.void_approved_by.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        numbers: true,
    };
    vec![summary, draws]
}

/// A Markdown table cell: no pipes, no line breaks.
fn md(text: &str) -> String {
    text.replace('|', "｜").replace(['\n', '\r'], " ")
}

fn md_table(out: &mut String, headers: &[String], rows: &[Vec<String>]) {
    out.push_str(&format!("| {} |\n", headers.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| md(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
}

/// The report as a readable Chinese Markdown document.
pub fn report_markdown(r: &Report) -> String {
    let mut out = format!("# {}\n\n", r.title);
    out.push_str(&format!(
        "统计范围：{}已运行且未作废的抽取；统计日期：{}；生成人：{}。\n\n",
        r.scope.label(),
        r.as_of,
        md(&r.generated_by)
    ));
    out.push_str("## 一、分任务情况\n\n");
    let headers: Vec<String> = MAIN_HEADERS[1..].iter().map(|s| s.to_string()).collect();
    let mut rows: Vec<Vec<String>> = r
        .tasks
        .iter()
        .map(|f| main_cells(f)[1..].to_vec())
        .collect();
    rows.push(main_cells(&r.total)[1..].to_vec());
    md_table(&mut out, &headers, &rows);
    out.push_str("\n## 二、检查结果分类\n\n");
    let mut headers = vec!["抽查任务编号".to_string()];
    headers.extend(Category::ALL.iter().map(|c| c.label().to_string()));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for f in r.tasks.iter().chain([&r.total]) {
        let mut cells = vec![f.code.clone()];
        cells.extend(category_cells(f));
        rows.push(cells);
    }
    md_table(&mut out, &headers, &rows);
    out.push_str("\n## 三、其他情况\n\n");
    out.push_str(&format!(
        "- 部门联合抽查占比：{}（{} / {} 项检查任务）\n",
        r.joint_share, r.total.joint_visits, r.total.drawn
    ));
    out.push_str(&format!(
        "- 逾期录入：{} 项；当前逾期未录入：{} 项\n",
        r.total.late, r.overdue_now
    ));
    out.push_str(&format!(
        "- 待审批的更正：{} 项（更正待批的结果暂不公示）\n",
        r.pending_corrections
    ));
    out.push_str(&format!("- 作废的抽取：{} 次\n", r.voided_draws));
    for d in r.draws.iter().filter(|d| d.state == "已作废") {
        out.push_str(&format!(
            "  - {}（{}，检查任务{}项）：{}；申请人 {}，批准人 {}\n",
            d.id,
            d.tasks.join("、"),
            d.visits,
            md(d.void_reason.as_deref().unwrap_or("")),
            md(d.void_requested_by.as_deref().unwrap_or("")),
            md(d.void_approved_by.as_deref().unwrap_or("")),
        ));
    }
    out.push_str("\n## 四、口径说明\n\n");
    for line in [
        "抽查对象总数：本期已运行且未作废的抽取中，该任务各抽取层（strata）对象的去重数；年度报告按全年去重。",
        "应抽数：各抽取层应抽数之和；抽取数：被抽中的检查任务数（同一对象每次抽取计一次）。",
        "已检查：状态为已完成、已录入或已公示的检查任务；已录入：已提交检查结果的检查任务。",
        "检查结果分类与发现问题：按现行有效结果（已批准的更正优先于原结果）统计，一个结果可选多个分类。",
        "后续处理已办结：状态为“已办结”的后续处理记录。",
        "公示率 = 已公示 / 已录入；逾期录入：完成检查后超过20个工作日才录入的结果。",
        "合计行中每个检查任务只计一次，一个检查任务涉及多个抽查任务时，合计可能小于各任务之和。",
        "已作废的抽取及其检查任务不计入统计，仅在作废抽取中列出。",
    ] {
        out.push_str(&format!("- {line}\n"));
    }
    out
}

/// Writes a report as .md or .xlsx, by the path's extension.
pub fn write_report(r: &Report, path: &Path) -> Result<ReportFormat> {
    let format = ReportFormat::of(path)?;
    let bytes = match format {
        ReportFormat::Markdown => report_markdown(r).into_bytes(),
        ReportFormat::Xlsx => workbook_bytes(&report_tables(r))?,
    };
    std::fs::write(path, bytes).map_err(|e| SheetError::io(path, e))?;
    Ok(format)
}

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
