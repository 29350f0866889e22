//! Writing a report: Markdown and .xlsx.

use super::*;
use crate::sheets::files::{Access, Overwrite, check_target, write_file};

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Xlsx,
}

impl ReportFormat {
    pub fn of(path: &Path) -> Result<ReportFormat> {
        ReportFormat::named(path, "file", "报告")
    }

    /// A document (`what`: 报告, 报送件) by its file's extension: .md or .xlsx, else refused
    /// naming the extension, as the invalid field `field`.
    pub fn named(path: &Path, field: &'static str, what: &str) -> Result<ReportFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "md" => Ok(ReportFormat::Markdown),
            "xlsx" => Ok(ReportFormat::Xlsx),
            other => Err(ServiceError::invalid(
                field,
                format!(
                    "{what}只能保存为 .md 或 .xlsx 文件，不能保存为“{}”",
                    if other.is_empty() {
                        "（无扩展名）".to_string()
                    } else {
                        format!(".{other}")
                    }
                ),
            )),
        }
    }

    /// The extension, as logged.
    pub fn key(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Xlsx => "xlsx",
        }
    }
}

/// The headers of the 汇总 sheet (and the Markdown tables, split in two).
const MAIN_HEADERS: [&str; 17] = [
    "抽查计划编号",
    "抽查任务编号",
    "抽查任务名称",
    "抽查类型",
    "抽查对象总数",
    "应抽数",
    "抽取数",
    "季度名额合计",
    "检查任务数",
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
        f.quota_slots.to_string(),
        f.visits.to_string(),
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
    let mut tables = vec![summary, draws];
    if matches!(r.scope, Scope::Year(_)) {
        tables.push(plan_changes_table(r));
    }
    tables.push(shortfalls_table(r));
    if r.targeted.count > 0 {
        tables.push(targeted::table(&r.targeted));
    }
    // Stored text (a void's reason) longer than Excel holds is cut there, with a note.
    for cell in tables.iter_mut().flat_map(|t| t.rows.iter_mut().flatten()) {
        if let std::borrow::Cow::Owned(cut) = crate::domain::text::excel_cell(cell) {
            *cell = cut;
        }
    }
    tables
}

/// The lists of [`Shortfalls`](super::Shortfalls) as (section, lines): each line the entity's
/// id and name, and what is listed of it.
fn shortfall_lines(r: &Report) -> Vec<(String, Vec<[String; 4]>)> {
    let sf = &r.shortfalls;
    let visit = |v: &super::VisitLine| {
        [
            v.entity.clone(),
            v.name.clone(),
            format!("{} {} {}", v.visit, v.period, v.tasks.join("、")),
            v.detail.clone(),
        ]
    };
    let listed = |l: &super::Listed, what: &str| {
        [
            l.id.clone(),
            l.name.clone(),
            what.to_string(),
            l.detail.clone(),
        ]
    };
    let mut out = vec![(
        format!(
            "重点单位检查覆盖：已检查 {}/{}，尚未检查 {} 个",
            sf.key_coverage.covered,
            sf.key_coverage.all,
            sf.key_coverage.missing.len()
        ),
        sf.key_coverage
            .missing
            .iter()
            .map(|l| listed(l, "重点单位"))
            .collect(),
    )];
    for t in &sf.full_tasks {
        out.push((
            format!(
                "全覆盖任务 {} {}：已检查 {}/{}",
                t.task, t.name, t.covered, t.population
            ),
            t.missing.iter().map(|l| listed(l, &t.task)).collect(),
        ));
    }
    out.push((
        format!(
            "受年度抽查上限限制未能足额抽取的分层：{} 个",
            sf.quota_shortfalls.len()
        ),
        sf.quota_shortfalls
            .iter()
            .map(|q| {
                [
                    q.draw.clone(),
                    q.task.clone(),
                    q.label.clone(),
                    format!("应抽{}个，可抽{}个", q.wanted, q.quota),
                ]
            })
            .collect(),
    ));
    for (title, list) in [
        ("超出年度抽查上限的检查任务（全覆盖任务）", &sf.over_cap),
        ("检查时间外开始或完成的检查任务", &sf.outside_windows),
        ("未实施的检查任务", &sf.lapsed),
        ("已录入未公示的结果", &sf.unpublished),
        ("逾期录入的结果", &sf.late_entries),
    ] {
        out.push((
            format!("{title}：{} 项", list.len()),
            list.iter().map(visit).collect(),
        ));
    }
    out
}

/// The 未完成事项 sheet: every shortfall list, a section row then its lines.
fn shortfalls_table(r: &Report) -> Table {
    let mut rows = Vec::new();
    for (section, lines) in shortfall_lines(r) {
        rows.push(vec![section, String::new(), String::new(), String::new()]);
        rows.extend(lines.into_iter().map(|l| l.to_vec()));
    }
    Table {
        name: "未完成事项".to_string(),
        headers: ["代码/编号", "名称/任务", "检查任务/分层", "说明"]
            .map(String::from)
            .to_vec(),
        rows,
        numbers: false,
    }
}

/// The 计划调整 sheet of the annual report: every change of the year and whether it was sent.
fn plan_changes_table(r: &Report) -> Table {
    Table {
        name: "计划调整".to_string(),
        headers: [
            "序号",
            "日期",
            "计划",
            "调整内容",
            "理由",
            "调整人",
            "书面报送",
            "审计序号",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .plan_changes
            .iter()
            .map(|c| {
                vec![
                    c.change.id.to_string(),
                    c.change.day(),
                    c.change.plan.clone(),
                    c.what.clone(),
                    c.change.reason.clone(),
                    c.change.actor.clone(),
                    c.sent.label(),
                    c.change.audit_seq.to_string(),
                ]
            })
            .collect(),
        numbers: true,
    }
}

/// The annual report's lines on plan changes (in 其他情况): how many, how many sent in
/// writing, and each change with its sending state.
fn plan_changes_markdown(out: &mut String, r: &Report) {
    if !matches!(r.scope, Scope::Year(_)) {
        return;
    }
    let sent = r.plan_changes.iter().filter(|c| c.sent.is_sent()).count();
    out.push_str(&format!(
        "- 计划调整：{} 项，已书面报送领导小组办公室 {} 项，未报送 {} 项\n",
        r.plan_changes.len(),
        sent,
        r.plan_changes.len() - sent
    ));
    for c in &r.plan_changes {
        out.push_str(&format!(
            "  - {} {}：{}；理由：{}；{}；{}\n",
            c.change.day(),
            md(&c.change.plan),
            md(&c.what),
            md(&c.change.reason),
            md(&c.change.actor),
            c.sent.label()
        ));
    }
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
        r.joint_share, r.total.joint_visits, r.total.visits
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
    plan_changes_markdown(&mut out, r);
    out.push_str("\n## 四、未完成事项\n\n");
    for (section, lines) in shortfall_lines(r) {
        out.push_str(&format!("- {}\n", md(&section)));
        for l in lines {
            out.push_str(&format!(
                "  - {} {}（{}）：{}\n",
                md(&l[0]),
                md(&l[1]),
                md(&l[2]),
                md(&l[3])
            ));
        }
    }
    out.push_str("\n## 五、口径说明\n\n");
    for line in [
        "抽查对象总数：本期已运行且未作废的抽取中，该任务各抽取层（strata）对象的去重数；年度报告按全年去重。",
        "应抽数：按去重对象计，即本期各抽取层抽中的对象（同一对象只计一次）加上受年度抽查上限限制未能抽取的数目；抽取数：有该任务检查任务的去重对象数。二者可以比较，差额即上限造成的不足。",
        "季度名额合计：各抽取层名额之和（同一对象在重叠的检查项中重复计算），仅供参考；检查任务数：同一对象每次抽取计一次。",
        "未完成事项：重点单位按报告日的监管类别统计，已开始检查的为已检查；全覆盖任务按全年各次抽取的总体去重；名单中的对象以代码标明。",
        "已检查：状态为已完成、已录入或已公示的检查任务；已录入：已提交检查结果的检查任务。",
        "检查结果分类与发现问题：按现行有效结果（已批准的更正优先于原结果）统计，一个结果可选多个分类。",
        "后续处理已办结：状态为“已办结”的后续处理记录。",
        "公示率 = 已公示 / 已录入；逾期录入：完成检查后超过20个工作日才录入的结果。",
        "合计行中每个检查任务只计一次，一个检查任务涉及多个抽查任务时，合计可能小于各任务之和。",
        "已作废的抽取及其检查任务不计入统计，仅在作废抽取中列出。",
        "计划调整（年度报告）：当年每项计划调整，及是否已以书面形式报送领导小组办公室（报送件编号、报送日期）。",
    ] {
        out.push_str(&format!("- {line}\n"));
    }
    targeted::markdown(&mut out, &r.targeted);
    out
}

/// Writes a report as .md or .xlsx, by the path's extension: owner-only (it is the bureau's
/// until it sends it), replacing an existing file only with `overwrite`
/// ([`crate::sheets::files`]).
pub fn write_report(r: &Report, path: &Path, overwrite: Overwrite) -> Result<ReportFormat> {
    let format = ReportFormat::of(path)?;
    check_target(path, overwrite)?;
    let bytes = match format {
        ReportFormat::Markdown => report_markdown(r).into_bytes(),
        ReportFormat::Xlsx => workbook_bytes(&report_tables(r))?,
    };
    write_file(path, &bytes, overwrite, Access::Private)?;
    Ok(format)
}
