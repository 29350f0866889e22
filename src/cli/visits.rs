//! `visit list | show | start | complete | lapse | publish | record-targeted | targeted`, `result show | submit | draft | correct |
//! approve-correction | reject-correction | pending`, `followup add | update`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::messages::{self, AWAITS_PRINCIPAL, PROVISIONAL, label};
use super::{CliResult, Failure, output};
use shuangsuiji::domain::check_item::CheckItem;
use shuangsuiji::domain::result::{Category, FollowUpKind, InspectionResult, Outcome};
use shuangsuiji::domain::targeted;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::Session;
use shuangsuiji::services::results::ResultView;
use shuangsuiji::services::targeted::TargetedEntry;
use shuangsuiji::services::visits::{VisitFilter, VisitView};

#[derive(Debug, clap::Subcommand)]
pub enum VisitCommand {
    /// 列出检查任务（按紧急程度排序）
    List(ListArgs),
    /// 显示一项检查任务：对象、检查组、日期、录入期限和抽查事项（含检查方式和依据）
    Show {
        id: i64,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 开始检查
    Start {
        id: i64,
        /// 日期（默认今天）
        #[arg(long, value_parser = super::day)]
        date: Option<NaiveDate>,
        /// 日期不在任务检查时间内时须说明原因
        #[arg(long)]
        reason: Option<String>,
    },
    /// 完成检查（检查完成日期，20个工作日录入期限从此起算）
    Complete {
        id: i64,
        /// 日期（默认今天）
        #[arg(long, value_parser = super::day)]
        date: Option<NaiveDate>,
        /// 日期不在任务检查时间内时须说明原因
        #[arg(long)]
        reason: Option<String>,
    },
    /// 将往期未开始的检查任务标为未实施（须说明原因；队长）
    Lapse {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// 公示本检查组已录入的结果（谁检查、谁录入、谁公示）：标记待公示，下次导出公示时公示
    Publish { id: i64 },
    /// 记录个案检查（投诉举报、转办交办、突发事件、监测发现等非随机检查；队长）：不计入随机抽查次数
    RecordTargeted(TargetedArgs),
    /// 列出个案检查
    Targeted {
        /// 只列该年开始的个案检查
        #[arg(long, value_name = "YYYY", value_parser = super::year)]
        year: Option<i32>,
        /// 只列该对象的个案检查（统一社会信用代码或登记编码）
        #[arg(long, value_name = "CODE")]
        entity: Option<String>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
}

#[derive(Debug, clap::Args)]
pub struct TargetedArgs {
    /// 被检查对象（统一社会信用代码或登记编码）
    #[arg(long, value_name = "CODE")]
    entity: String,
    /// 检查事由：投诉举报、转办交办、突发事件、监测发现、其他（可写作“其他：说明”）
    #[arg(long)]
    reason: String,
    /// 事由说明：举报、转办编号等；事由为“其他”时必填
    #[arg(long, default_value = "")]
    detail: String,
    /// 检查组人员编号，组长在前，至少2人（可重复 --team，或用逗号分隔）
    #[arg(long, value_name = "CODE", required = true, value_delimiter = ',')]
    team: Vec<String>,
    /// 开始检查日期
    #[arg(long, value_parser = super::day)]
    started: NaiveDate,
    /// 完成检查日期
    #[arg(long, value_parser = super::day)]
    completed: NaiveDate,
    /// 检查结果文件（TOML，格式同 result submit；所列抽查事项即本次检查的事项）；写作 - 时从标准输入读取
    #[arg(long)]
    file: PathBuf,
    #[command(flatten)]
    json: output::JsonFlag,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// 只列我所在检查组的任务
    #[arg(long)]
    mine: bool,
    /// 只列 N 个工作日内到期（含逾期）的任务
    #[arg(long, value_name = "N")]
    due_within: Option<i64>,
    /// 只列该年抽取的任务（默认全部）
    #[arg(long, value_name = "YYYY", value_parser = super::year)]
    year: Option<i32>,
    /// 只列尚未开始、检查时间即将截止（或已截止）的任务：总览与 doctor “检查时间”提醒的全部任务
    #[arg(long)]
    closing: bool,
    #[command(flatten)]
    json: output::JsonFlag,
}

impl ListArgs {
    fn filter(&self) -> VisitFilter {
        VisitFilter {
            mine: self.mine,
            due_within: self.due_within,
            state: None,
            year: self.year,
            closing: self.closing,
        }
    }
}

fn due_text(v: &VisitView) -> String {
    match (&v.due, v.days_left, v.countdown) {
        (Some(d), Some(left), Some(c)) => {
            let prov = if d.provisional { PROVISIONAL } else { "" };
            if left < 0 {
                format!("{}{prov} 逾期{}个工作日", d.date, -left)
            } else {
                format!("{}{prov} 剩{}个工作日（{}）", d.date, left, c.label())
            }
        }
        (Some(d), _, _) => format!(
            "{}{}{}",
            d.date,
            if d.provisional { PROVISIONAL } else { "" },
            messages::late_entry(v.late, " ", "")
        ),
        _ => String::new(),
    }
}

pub fn run(s: &mut Session, c: &VisitCommand) -> CliResult {
    match c {
        VisitCommand::List(a) => list(s, a),
        VisitCommand::Show { id, json } => show_visit(s, *id, json.json),
        VisitCommand::Start { id, date, reason } => {
            let date = date.unwrap_or_else(|| s.today());
            start(s, *id, date, reason.as_deref())
        }
        VisitCommand::Complete { id, date, reason } => {
            let date = date.unwrap_or_else(|| s.today());
            complete(s, *id, date, reason.as_deref())
        }
        VisitCommand::Lapse { id, reason } => {
            s.lapse_visit(*id, reason)?;
            output::say(&format!("检查任务 {id} 已标为未实施：{reason}"));
            Ok(())
        }
        VisitCommand::Publish { id } => publish(s, *id),
        VisitCommand::RecordTargeted(a) => record_targeted(s, a),
        VisitCommand::Targeted { year, entity, json } => {
            list_targeted(s, *year, entity.as_deref(), json.json)
        }
    }
}

/// `visit record-targeted`: a lead records a check that was not drawn, with its result.
fn record_targeted(s: &mut Session, a: &TargetedArgs) -> CliResult {
    let (reason, detail) =
        targeted::parse_reason(&a.reason, &a.detail).map_err(Failure::Message)?;
    let entry = TargetedEntry {
        entity: a.entity.clone(),
        reason,
        detail,
        team: a.team.clone(),
        started: a.started,
        completed: a.completed,
    };
    let result = read_result(&a.file)?;
    let t = s.record_targeted(&entry, &result)?;
    if a.json.json {
        return output::json(&t);
    }
    output::say(&format!(
        "已记录个案检查 {}：{}，{}，检查组 {}，{} 至 {}，检查结果：{}",
        t.id,
        t.entity,
        t.reason_text(),
        t.team.codes(),
        t.started,
        t.completed,
        t.result.summary()
    ));
    output::say("个案检查不计入随机抽查次数和抽查报告的随机抽查数，计入重点监管对象的年度覆盖");
    Ok(())
}

/// `visit targeted [--year Y] [--entity CODE]`
fn list_targeted(s: &Session, year: Option<i32>, entity: Option<&str>, json: bool) -> CliResult {
    let headers = [
        "编号",
        label::SUBJECT,
        "检查事由",
        "检查组",
        "开始",
        "完成",
        "检查结果",
        "录入人",
    ];
    let list = s.targeted_checks(entity, year)?;
    let names = super::inspector_names(s);
    output::counted_listing(json, &headers, &list, "项", |t| {
        vec![
            t.check.id.to_string(),
            t.entity_name.clone(),
            t.reason_text.clone(),
            super::team_text(&t.check.team, &names),
            t.check.started.to_string(),
            t.check.completed.to_string(),
            t.check.result.summary(),
            t.check.recorded_by.clone(),
        ]
    })
}

/// `visit publish ID`: the team marks its entered result for the next publicity export.
fn publish(s: &mut Session, id: i64) -> CliResult {
    let m = s.mark_for_publicity(id)?;
    output::say(&format!(
        "检查任务 {id} 的结果已由 {} 于 {} 标记待公示；下次导出公示（export publicity）时公示，此前仍计为未公示",
        m.marked_by, m.day
    ));
    Ok(())
}

fn list(s: &Session, a: &ListArgs) -> CliResult {
    let headers = [
        label::ID,
        "抽取",
        label::SUBJECT,
        label::TASK,
        label::STATE,
        "检查组",
        "录入期限",
        label::NOTE,
    ];
    let list = s.list_visits(&a.filter())?;
    let marks = s.publication_marks()?;
    let names = super::inspector_names(s);
    output::counted_listing(a.json.json, &headers, &list, "项", |v| {
        let mut notes = Vec::new();
        if v.pending_correction {
            notes.push("更正待批");
        }
        if v.state == VisitState::Entered && marks.contains_key(&v.id) {
            notes.push("已标记待公示");
        }
        vec![
            v.id.to_string(),
            v.draw_id.clone(),
            v.entity_name.clone(),
            join_list(&v.tasks),
            v.status_label().to_string(),
            super::team_text(&v.team, &names),
            due_text(v),
            notes_text(v, &notes),
        ]
    })
}

/// The list's 备注: a correction waiting, the team's publication mark (`marks`), steps
/// outside the windows, 未实施, the rules' mark.
fn notes_text(v: &VisitView, marks: &[&str]) -> String {
    let mut notes: Vec<String> = marks.iter().map(|m| m.to_string()).collect();
    if v.dates.outside_window() {
        notes.push("检查时间外".to_string());
    }
    if let Some(r) = &v.dates.lapsed {
        notes.push(format!("未实施：{r}"));
    }
    if let Some(n) = &v.note {
        notes.push(n.clone());
    }
    notes.join("；")
}

fn start(s: &mut Session, id: i64, date: NaiveDate, reason: Option<&str>) -> CliResult {
    s.start_visit(id, date, reason)?;
    output::say(&format!("检查任务 {id} 已于 {date} 开始检查"));
    Ok(())
}

fn complete(s: &mut Session, id: i64, date: NaiveDate, reason: Option<&str>) -> CliResult {
    s.complete_visit(id, date, reason)?;
    let v = s.visit(id)?;
    output::say(&format!(
        "检查任务 {id} 已于 {date} 完成检查；结果应于 {} 前录入",
        due_text(&v)
    ));
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum ResultCommand {
    /// 显示检查结果、草稿、更正和后续处理
    Show {
        id: i64,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 生成结果文件模板（TOML）：列出本任务的抽查事项、依据和可选的检查结果，填好后用 submit --file 提交
    Template {
        id: i64,
        /// 写入该文件（默认输出到标准输出，可用 > 结果.toml 保存）
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// 保存草稿（TOML，格式同 submit）
    Draft {
        id: i64,
        /// 结果文件（TOML）；写作 - 时从标准输入读取
        #[arg(long)]
        file: PathBuf,
    },
    /// 提交检查结果（提交后锁定，不能修改）
    Submit {
        id: i64,
        /// 结果文件（TOML）；写作 - 时从标准输入读取
        #[arg(long)]
        file: PathBuf,
    },
    /// 提交更正（须主要负责人批准）
    Correct {
        id: i64,
        /// 更正后的结果文件（TOML）；写作 - 时从标准输入读取
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        reason: String,
    },
    /// 批准更正（主要负责人，不能是提交人）
    ApproveCorrection {
        correction: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 驳回更正
    RejectCorrection {
        correction: i64,
        #[arg(long)]
        note: String,
    },
    /// 列出待审批的更正
    Pending(output::JsonFlag),
}

/// A result file (TOML), or standard input for `-`.
fn read_result(path: &Path) -> Result<InspectionResult, Failure> {
    let bytes = super::stdio::read_small(path, super::stdio::SMALL_LIMIT)?;
    let shown = super::stdio::shown_input(path);
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Message(format!("检查结果文件 {shown} 不是 UTF-8 编码的文本")))?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(0, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        });
        Failure::Message(format!(
            "检查结果文件 {shown} 第{line}行有误：{}",
            toml_problem(e.message())
        ))
    })
}

/// The TOML parser's message in words a user reads: unknown keys and wrong values named.
fn toml_problem(message: &str) -> String {
    let message = message.trim();
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    if message.starts_with("unknown field") {
        let allowed: Vec<String> = message
            .split("expected")
            .nth(1)
            .unwrap_or("")
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        format!(
            "未知的字段“{}”（可用的字段：{}）",
            quoted(message),
            allowed.join("、")
        )
    } else if message.starts_with("missing field") {
        format!("缺少字段“{}”", quoted(message))
    } else if message.starts_with("unknown variant") {
        format!("“{}”不是可选的值", quoted(message))
    } else {
        format!("格式错误（{message}）")
    }
}

/// One version of a result: its categories, every item, and each text field that is filled.
fn say_result(title: &str, r: &InspectionResult) {
    output::say(&format!("{title}：{}", r.summary()));
    for i in &r.items {
        output::say(&format!(
            "  {} {}{}",
            i.item,
            i.outcome.label(),
            if i.note.is_empty() {
                String::new()
            } else {
                format!("：{}", i.note)
            }
        ));
    }
    for (label, text) in [
        ("检查发现", &r.findings),
        ("违法依据", &r.legal_basis),
        ("处理措施", &r.measure),
        ("备注", &r.remark),
    ] {
        if !text.is_empty() {
            output::say(&format!("  {label}：{text}"));
        }
    }
}

pub fn result(s: &mut Session, c: &ResultCommand) -> CliResult {
    match c {
        ResultCommand::Show { id, json } => show_result(s, *id, json.json),
        ResultCommand::Template { id, output } => template(s, *id, output.as_deref()),
        ResultCommand::Draft { id, file } => draft(s, *id, file),
        ResultCommand::Submit { id, file } => submit(s, *id, file),
        ResultCommand::Correct { id, file, reason } => correct(s, *id, file, reason),
        ResultCommand::ApproveCorrection { correction, note } => decide(s, *correction, true, note),
        ResultCommand::RejectCorrection { correction, note } => decide(s, *correction, false, note),
        ResultCommand::Pending(json) => pending(s, json.json),
    }
}

/// `result show`: the visit, the result in force (and the original when corrected) or the
/// draft, then its submission, corrections and follow-ups.
fn show_result(s: &Session, id: i64, json: bool) -> CliResult {
    let v = s.result_view(id)?;
    if json {
        return output::json(&v);
    }
    output::say(&format!(
        "检查任务 {}：{}（{}），{}",
        id,
        v.visit.entity_name,
        v.visit.entity,
        v.visit.state.label()
    ));
    output::say(&format!("录入期限：{}", due_text(&v.visit)));
    say_items(&v.check_items);
    let original = v.submitted.as_ref().map(|s| &s.result);
    if let Some(r) = &v.effective {
        if original.is_some_and(|o| o != r) {
            say_result("现行结果（已更正）", r);
            if let Some(o) = original {
                say_result("原提交结果", o);
            }
        } else {
            say_result("检查结果", r);
        }
    } else if let Some(d) = &v.draft {
        output::say(&format!(
            "你的草稿（{} 保存于 {}）：{}",
            d.author,
            d.updated_at,
            d.result.summary()
        ));
    } else {
        output::say("尚未录入。");
    }
    // Drafts are per user: one's own kept after a teammate submitted is the start of a
    // correction; the teammates' are named with their time, never shown.
    if v.effective.is_some()
        && let Some(d) = &v.draft
    {
        output::say(&format!(
            "你的草稿仍保留（保存于 {}）：{}；可据以提出更正（result correct）",
            d.updated_at,
            d.result.summary()
        ));
    }
    for t in &v.teammate_drafts {
        output::say(&format!("{} 也有草稿（{} 保存）", t.name, t.saved()));
    }
    say_history(&v);
    for x in s.visit_substitutions(id)? {
        output::say(&format!(
            "人员替换：{} 由 {} 接替，理由：{}，{} {}{}",
            x.out,
            x.replacement,
            super::draws::substitution_reason_text(&x),
            x.by,
            shuangsuiji::domain::calendar::china_time(&x.at),
            x.approval
                .as_ref()
                .map(|a| format!("（{} 申请，经批准）", a.requested_by))
                .unwrap_or_default()
        ));
    }
    Ok(())
}

/// The visit's check items: code, text, method and legal basis.
fn say_items(items: &[CheckItem]) {
    output::say(&format!("抽查事项（{}项）：", items.len()));
    for i in items {
        output::say(&format!("  {} {}", i.code, one_line(&i.item)));
        if !i.method.is_empty() {
            output::say(&format!("      检查方式：{}", i.method));
        }
        if !i.legal_basis.is_empty() {
            output::say(&format!("      依据：{}", one_line(&i.legal_basis)));
        }
    }
}

/// A list cell's text on one line (a legal basis may hold line breaks).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `visit show ID`: what an inspector needs before going out.
fn show_visit(s: &Session, id: i64, json: bool) -> CliResult {
    let v = s.result_view(id)?;
    if json {
        return output::json(&serde_json::json!({
            "visit": &v.visit,
            "check_items": &v.check_items,
        }));
    }
    let visit = &v.visit;
    output::say(&format!(
        "检查任务 {id}：{}（{}），{}",
        visit.entity_name,
        visit.entity,
        visit.status_label()
    ));
    output::say(&format!(
        "抽取：{}（{}），抽查任务：{}",
        visit.draw_id,
        visit.period,
        join_list(&visit.tasks)
    ));
    if !visit.town.is_empty() {
        output::say(&format!("乡镇：{}", visit.town));
    }
    match &visit.problem {
        Some(p) => output::say(&format!("检查组：无（{p}）")),
        None => output::say(&format!(
            "检查组（*组长）：{}",
            super::team_text(&visit.team, &super::inspector_names(s))
        )),
    }
    if let Some(d) = visit.dates.started {
        output::say(&format!("开始检查：{d}"));
    }
    if let Some(d) = visit.dates.completed {
        output::say(&format!("完成检查：{d}"));
    }
    if visit.due.is_some() {
        output::say(&format!("录入期限：{}", due_text(visit)));
    }
    let notes = notes_text(visit, &[]);
    if !notes.is_empty() {
        output::say(&format!("备注：{notes}"));
    }
    say_items(&v.check_items);
    output::say(&format!(
        "录入结果：shuangsuiji result template {id} > 结果.toml，填写后 shuangsuiji result submit {id} --file 结果.toml"
    ));
    Ok(())
}

/// A TOML string literal.
fn toml_str(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The result file an inspector fills in for visit `id`: every check item with its text and
/// basis as comments, the current draft's values when there is one (else every item 符合要求
/// and 未发现问题, as the dashboard's form starts), and the allowed values spelled out.
pub(crate) fn template_text(v: &ResultView) -> String {
    let codes: Vec<&str> = v.check_items.iter().map(|i| i.code.as_str()).collect();
    let start = v
        .draft
        .as_ref()
        .map(|d| d.result.clone())
        .unwrap_or_else(|| InspectionResult::blank(&codes));
    let visit = &v.visit;
    let mut out = String::new();
    let mut line = |l: &str| {
        out.push_str(l);
        out.push('\n');
    };
    line(&format!(
        "# 检查结果：检查任务 {}，{}（{}），抽查任务 {}",
        visit.id,
        one_line(&visit.entity_name),
        visit.entity,
        join_list(&visit.tasks)
    ));
    line("# 以 # 开头的行是说明，提交时不读。填好后提交：");
    line(&format!(
        "#   shuangsuiji result submit {} --file 本文件（先存草稿：result draft {} --file 本文件）",
        visit.id, visit.id
    ));
    line("#");
    let cats: Vec<String> = start
        .categories
        .iter()
        .map(|c| toml_str(c.label()))
        .collect();
    line("# 检查结果（categories，可多选，写在方括号里，用逗号分隔），可选：");
    for c in Category::ALL {
        line(&format!("#   {}", toml_str(c.label())));
    }
    line("# 发现问题时选“发现问题已责令改正”或“发现问题待后续处理”，并填写违法依据和处理措施。");
    line(&format!("categories = [{}]", cats.join(", ")));
    for (key, value, label) in [
        ("other", &start.other, "选“其他”时的说明"),
        ("findings", &start.findings, "检查发现"),
        (
            "legal_basis",
            &start.legal_basis,
            "违法依据（发现问题时必填）",
        ),
        ("measure", &start.measure, "处理措施（发现问题时必填）"),
        ("remark", &start.remark, "备注（随结果公示）"),
    ] {
        line(&format!("# {label}"));
        line(&format!("{key} = {}", toml_str(value)));
    }
    line("");
    // The items come last: in TOML a key after an [[item]] header belongs to that item.
    line("# 每个抽查事项一段 [[item]]，code 不要改；");
    line(&format!(
        "#   outcome（单项检查结论）可选：{}",
        Outcome::ALL
            .iter()
            .map(|o| o.label())
            .collect::<Vec<_>>()
            .join("、")
    ));
    line("#   note（说明）发现问题时写明问题。");
    line("");
    for i in &v.check_items {
        let chosen = start.items.iter().find(|x| x.item == i.code);
        line(&format!("# 抽查事项 {}：{}", i.code, one_line(&i.item)));
        if !i.method.is_empty() {
            line(&format!("# 检查方式：{}", i.method));
        }
        if !i.legal_basis.is_empty() {
            line(&format!("# 依据：{}", one_line(&i.legal_basis)));
        }
        line("[[item]]");
        line(&format!("code = {}", toml_str(&i.code)));
        line(&format!(
            "outcome = {}",
            toml_str(chosen.map_or(Outcome::Compliant, |x| x.outcome).label())
        ));
        line(&format!(
            "note = {}",
            toml_str(chosen.map_or("", |x| x.note.as_str()))
        ));
        line("");
    }
    out
}

/// `result template ID [--output FILE]`
fn template(s: &Session, id: i64, to: Option<&Path>) -> CliResult {
    let v = s.result_view(id)?;
    let text = template_text(&v);
    match to {
        None => {
            output::say(text.trim_end());
            Ok(())
        }
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| Failure::Message(output::io_problem(path, &e)))?;
            output::say(&format!(
                "已写入结果文件模板 {}（{}个抽查事项）；填写后运行 shuangsuiji result submit {id} --file {}",
                path.display(),
                v.check_items.len(),
                path.display()
            ));
            Ok(())
        }
    }
}

/// What happened to a result after it was entered: submission, corrections, follow-ups.
fn say_history(v: &ResultView) {
    if let Some(sub) = &v.submitted {
        output::say(&format!(
            "提交：{} {}{}",
            sub.submitted_by,
            sub.submitted_on,
            messages::late_entry(sub.late, "（", "）")
        ));
    }
    for corr in &v.corrections {
        let state = match &corr.decision {
            None => messages::decision(None).to_string(),
            Some(d) => format!(
                "{}（{} {}）",
                messages::decision(Some(d.approved)),
                d.by,
                d.at
            ),
        };
        output::say(&format!(
            "更正 {}：{}，理由：{}，{}；更正后：{}",
            corr.id,
            corr.filed_by,
            corr.reason,
            state,
            corr.result.summary()
        ));
    }
    for f in &v.followups {
        output::say(&format!(
            "后续处理 {}：{} {} {}{}{}",
            f.id,
            f.kind,
            f.case_no,
            f.status,
            f.closed_on
                .as_ref()
                .map(|d| format!("（{d}办结）"))
                .unwrap_or_default(),
            if f.note.is_empty() {
                String::new()
            } else {
                format!("；{}", f.note)
            }
        ));
    }
}

fn draft(s: &mut Session, id: i64, file: &Path) -> CliResult {
    s.save_draft(id, &read_result(file)?)?;
    output::say(&format!("已保存检查任务 {id} 的草稿"));
    Ok(())
}

fn submit(s: &mut Session, id: i64, file: &Path) -> CliResult {
    let r = s.submit_result(id, &read_result(file)?)?;
    // A due date in a year without a loaded holiday notice is provisional (临时).
    let provisional = s
        .visit(id)?
        .due
        .is_some_and(|d| d.provisional && d.date.to_string() == r.due);
    output::say(&format!(
        "检查任务 {id} 的结果已提交并锁定（期限 {}{}{}）",
        r.due,
        if provisional { PROVISIONAL } else { "" },
        messages::late_entry(r.late, "，", "")
    ));
    Ok(())
}

fn correct(s: &mut Session, id: i64, file: &Path, reason: &str) -> CliResult {
    let cid = s.file_correction(id, &read_result(file)?, reason)?;
    output::say(&format!("已提交更正 {cid}，{AWAITS_PRINCIPAL}；原结果保留"));
    Ok(())
}

fn decide(s: &mut Session, correction: i64, approve: bool, note: &str) -> CliResult {
    s.decide_correction(correction, approve, note)?;
    let decision = messages::decision(Some(approve));
    output::say(&format!("{decision}更正 {correction}"));
    Ok(())
}

fn pending(s: &Session, json: bool) -> CliResult {
    let headers = ["更正", "检查任务", "提交人", label::TIME, label::REASON];
    output::listing(json, &headers, &s.pending_corrections()?, |c| {
        vec![
            c.id.to_string(),
            c.visit_id.to_string(),
            c.filed_by.clone(),
            c.filed_at.clone(),
            c.reason.clone(),
        ]
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum FollowUpCommand {
    /// 登记后续处理：责令改正、立案处罚（须案号）、移送其他行政机关、移送司法机关、联合惩戒
    Add {
        /// 检查任务编号
        id: i64,
        #[arg(long, value_parser = parse_kind)]
        kind: FollowUpKind,
        #[arg(long, default_value = "")]
        case_no: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 更新后续处理状态
    Update {
        /// 后续处理编号
        followup: i64,
        /// 办理中 / 已办结 / 已移送 / 已撤销
        #[arg(long)]
        status: String,
        #[arg(long, value_parser = super::day)]
        closed: Option<NaiveDate>,
        #[arg(long, default_value = "")]
        note: String,
    },
}

fn parse_kind(s: &str) -> Result<FollowUpKind, String> {
    FollowUpKind::parse(s).ok_or_else(|| format!("应为 {}", FollowUpKind::choices()))
}

pub fn followup(s: &mut Session, c: &FollowUpCommand) -> CliResult {
    match c {
        FollowUpCommand::Add {
            id,
            kind,
            case_no,
            note,
        } => add_followup(s, *id, *kind, case_no, note),
        FollowUpCommand::Update {
            followup,
            status,
            closed,
            note,
        } => update_followup(s, *followup, status, *closed, note),
    }
}

fn add_followup(
    s: &mut Session,
    visit: i64,
    kind: FollowUpKind,
    case_no: &str,
    note: &str,
) -> CliResult {
    let id = s.add_followup(visit, kind, case_no, note)?;
    output::say(&format!("已登记后续处理 {id}：{}", kind.label()));
    Ok(())
}

fn update_followup(
    s: &mut Session,
    id: i64,
    status: &str,
    closed: Option<NaiveDate>,
    note: &str,
) -> CliResult {
    s.update_followup(id, status, closed, note)?;
    output::say(&format!("后续处理 {id}：{status}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(path: &std::path::Path) -> String {
        match read_result(path) {
            Err(Failure::Message(m)) => m,
            Err(Failure::Quiet) => panic!("a message, not a quiet failure"),
            Ok(_) => panic!("{} read as a result", path.display()),
        }
    }

    #[test]
    fn result_file_problems_are_told_in_chinese_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.toml");
        std::fs::write(&path, "categories = [\"未发现问题\"]\nremak = \"已签收\"\n").unwrap();
        let err = problem(&path);
        assert!(err.contains("第2行"), "{err}");
        assert!(err.contains("未知的字段“remak”"), "{err}");
        assert!(
            err.contains("remark"),
            "the allowed fields are listed: {err}"
        );
        let missing = dir.path().join("none.toml");
        let err = problem(&missing);
        assert!(err.ends_with("文件不存在"), "{err}");
        let err = problem(dir.path());
        assert!(err.contains("目录"), "{err}");
        std::fs::write(&path, b"findings = \"\xB2\xE2\"\n").unwrap();
        let err = problem(&path);
        assert!(err.contains("UTF-8"), "{err}");
    }
}
