//! `plan list | show | init | copy | add-task | edit-task | remove-task | multipliers | changes`
//! (with the written notice of the year's changes and the record of its sending).

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use super::messages::label;
use super::{CliResult, Failure, output};
use shuangsuiji::domain::plan::{Task, TierMultipliers};
use shuangsuiji::domain::plan_records::PlanRecord;
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::Session;
use shuangsuiji::services::plans::{PlanChanges, PlanEdit};
use shuangsuiji::sheets::Overwrite;

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// 列出某年的计划与任务
    List {
        #[arg(long, value_parser = super::year)]
        year: Option<i32>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 显示一个计划的全部任务、事项、比例和时间
    Show {
        /// 计划代码：LH（部门联合）或 NB（内部）
        code: String,
        #[arg(long, value_parser = super::year)]
        year: Option<i32>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 按2024年方案（阳分环发〔2024〕6号）建立某年的计划
    Init {
        #[arg(long, value_parser = super::year)]
        year: i32,
    },
    /// 把一年的计划复制到另一年
    Copy {
        #[arg(long, value_parser = super::year)]
        from: i32,
        #[arg(long, value_parser = super::year)]
        to: i32,
    },
    /// 增加任务（任务定义见 TOML 文件），须写明理由
    AddTask(TaskFileArgs),
    /// 修改任务（同编号替换），须写明理由
    EditTask(TaskFileArgs),
    /// 删除任务（保留记录），须写明理由
    RemoveTask {
        #[arg(long)]
        plan: String,
        #[arg(long)]
        task: String,
        #[arg(long)]
        reason: String,
        #[arg(long, value_parser = super::year)]
        year: Option<i32>,
    },
    /// 修改信用风险递加倍数（百分比，150 = 1.5倍），须写明理由
    Multipliers(MultipliersArgs),
    /// 列出某年的计划调整记录及书面报送情况；写出报送领导小组办公室的报送件；登记已报送
    Changes(ChangesArgs),
}

#[derive(Debug, clap::Args)]
pub struct ChangesArgs {
    #[arg(long, value_parser = super::year)]
    pub year: Option<i32>,
    /// 把本年尚未报送的计划调整写成书面报送件（.md 或 .xlsx），编号如 2026-1
    #[arg(long, value_name = "FILE", conflicts_with = "mark_sent")]
    pub notice: Option<PathBuf>,
    /// 覆盖已有的报送件文件（不加则文件已存在时拒绝）
    #[arg(long, requires = "notice")]
    pub force: bool,
    /// 登记报送件已报送（编号如 2026-1，须同时给出 --on）
    #[arg(long, value_name = "NOTICE", requires = "on")]
    pub mark_sent: Option<String>,
    /// 报送日期（YYYY-MM-DD）
    #[arg(long, value_name = "DATE", value_parser = super::day, requires = "mark_sent")]
    pub on: Option<NaiveDate>,
    #[command(flatten)]
    pub json: output::JsonFlag,
}

#[derive(Debug, clap::Args)]
pub struct TaskFileArgs {
    #[arg(long)]
    pub plan: String,
    /// 任务定义（TOML，格式同 data/plans.toml 的 [[plan.task]]）
    #[arg(long)]
    pub file: PathBuf,
    #[arg(long)]
    pub reason: String,
    #[arg(long, value_parser = super::year)]
    pub year: Option<i32>,
}

#[derive(Debug, clap::Args)]
pub struct MultipliersArgs {
    #[arg(long)]
    pub plan: String,
    #[arg(long)]
    pub low: u32,
    #[arg(long)]
    pub normal: u32,
    #[arg(long)]
    pub elevated: u32,
    #[arg(long)]
    pub high: u32,
    #[arg(long)]
    pub reason: String,
    #[arg(long, value_parser = super::year)]
    pub year: Option<i32>,
}

fn read_task(path: &Path) -> Result<Task, Failure> {
    let text = output::read_text(path)?;
    toml::from_str(&text)
        .map_err(|e| Failure::Message(format!("任务定义 {} 有误：{e}", path.display())))
}

pub fn run(s: &mut Session, c: &PlanCommand) -> CliResult {
    let this_year = s.today().year();
    let or_this_year = |y: &Option<i32>| y.unwrap_or(this_year);
    match c {
        PlanCommand::List { year, json } => list(s, or_this_year(year), json.json),
        PlanCommand::Show { code, year, json } => show(s, code, or_this_year(year), json.json),
        PlanCommand::Init { year } => create(s, *year),
        PlanCommand::Copy { from, to } => copy(s, *from, *to),
        PlanCommand::AddTask(a) => edit_task(s, a, or_this_year(&a.year), PlanEdit::AddTask),
        PlanCommand::EditTask(a) => edit_task(s, a, or_this_year(&a.year), PlanEdit::EditTask),
        PlanCommand::RemoveTask {
            plan,
            task,
            reason,
            year,
        } => remove_task(s, or_this_year(year), plan, task, reason),
        PlanCommand::Multipliers(a) => multipliers(s, a, or_this_year(&a.year)),
        PlanCommand::Changes(a) => match (&a.notice, &a.mark_sent, a.on) {
            (Some(file), _, _) => notice(
                s,
                or_this_year(&a.year),
                file,
                Overwrite::from_force(a.force),
            ),
            (None, Some(id), Some(on)) => mark_sent(s, id, on),
            _ => changes(s, or_this_year(&a.year), a.json.json),
        },
    }
}

/// `plan list`: a row for every task, removed tasks marked with when, who and why.
fn list(s: &Session, year: i32, json: bool) -> CliResult {
    let plans = s.list_plans(Some(year))?;
    if json {
        let v: Vec<_> = plans.iter().map(plan_json).collect();
        return output::json(&v);
    }
    let tasks = plans.iter().flat_map(|sp| {
        let active = sp.plan.tasks.iter().map(move |t| (sp, t, false));
        active.chain(sp.removed.iter().map(move |t| (sp, t, true)))
    });
    let headers = [
        label::PLAN,
        label::TASK,
        label::NAME,
        label::TARGET_TYPE,
        "抽查比例",
        label::TIME,
        "配合部门",
    ];
    output::table_of(&headers, tasks, |(sp, t, removed)| {
        let rules = t
            .lines
            .iter()
            .map(|l| l.rule.describe())
            .collect::<Vec<_>>()
            .join("；");
        let windows = t.lines.iter().map(|l| l.window.label()).collect::<Vec<_>>();
        let name = if removed {
            format!("{}（{}）", t.name, removal_text(sp, &t.code))
        } else {
            t.name.clone()
        };
        vec![
            format!("{}年{}", sp.plan.year, sp.plan.kind.label()),
            t.code.clone(),
            name,
            join_list(t.target_types.iter().map(|x| x.label())),
            rules,
            join_list(dedup(windows)),
            join_list(t.cooperating_departments.iter()),
        ]
    })
}

/// `plan show CODE`: the plan's multipliers, then each task with its items, rules and windows.
fn show(s: &Session, code: &str, year: i32, json: bool) -> CliResult {
    let plans = s.list_plans(Some(year))?;
    let sp = plans
        .iter()
        .find(|p| p.plan.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| Failure::Message(format!("未找到{year}年的计划 {code}")))?;
    if json {
        return output::json(&plan_json(sp));
    }
    let m = sp.plan.tier_multipliers;
    output::say(&format!(
        "{}年{}（{}），来源：{}",
        year, sp.plan.name, sp.plan.code, sp.plan.source
    ));
    output::say(&format!(
        "信用风险递加倍数：低风险×{}，一般风险×{}，较高风险×{}，高风险×{}",
        pct(m.low_pct),
        pct(m.normal_pct),
        pct(m.elevated_pct),
        pct(m.high_pct)
    ));
    for t in &sp.plan.tasks {
        say_task(t);
    }
    for t in &sp.removed {
        output::say(&format!(
            "{} {}（{}）",
            t.code,
            t.name,
            removal_text(sp, &t.code)
        ));
    }
    Ok(())
}

fn say_task(t: &Task) {
    output::say("");
    output::say(&format!(
        "{} {}（{}）",
        t.code,
        t.name,
        join_list(t.target_types.iter().map(|x| x.label()))
    ));
    output::say(&format!("  范围：{}", t.scope));
    output::say(&format!(
        "  发起：{}  配合：{}",
        t.initiating_unit,
        join_list(t.cooperating_departments.iter())
    ));
    for l in &t.lines {
        output::say(&format!(
            "  事项 {}：{}，{}（{}）",
            join_list(l.items.iter()),
            l.rule.describe(),
            l.window.label(),
            l.rule_text
        ));
    }
}

fn create(s: &mut Session, year: i32) -> CliResult {
    let n = s.create_seed_plans(year)?;
    output::say(&format!("已建立{year}年抽查计划 {n} 个"));
    Ok(())
}

fn copy(s: &mut Session, from: i32, to: i32) -> CliResult {
    let n = s.copy_plans(from, to)?;
    output::say(&format!("已把{from}年的 {n} 个计划复制到{to}年"));
    Ok(())
}

/// `plan add-task | edit-task`: the task read from its file, added or put in place of the one
/// with its code.
fn edit_task(
    s: &mut Session,
    a: &TaskFileArgs,
    year: i32,
    edit: fn(Task) -> PlanEdit,
) -> CliResult {
    let task = read_task(&a.file)?;
    let code = task.code.clone();
    s.edit_plan(year, &a.plan, edit(task), &a.reason)?;
    output::say(&format!("已调整计划 {}：任务 {code}", a.plan));
    Ok(())
}

fn remove_task(s: &mut Session, year: i32, plan: &str, task: &str, reason: &str) -> CliResult {
    s.edit_plan(year, plan, PlanEdit::RemoveTask(task.to_string()), reason)?;
    output::say(&format!("已从计划 {plan} 删除任务 {task}（记录保留）"));
    Ok(())
}

fn multipliers(s: &mut Session, a: &MultipliersArgs, year: i32) -> CliResult {
    let m = TierMultipliers {
        low_pct: a.low,
        normal_pct: a.normal,
        elevated_pct: a.elevated,
        high_pct: a.high,
    };
    s.edit_plan(year, &a.plan, PlanEdit::Multipliers(m), &a.reason)?;
    output::say(&format!("已修改计划 {} 的信用风险递加倍数", a.plan));
    Ok(())
}

/// `plan changes --year Y [--json]`: every change with what it changed and whether it was
/// sent in writing, then the year's notices.
fn changes(s: &Session, year: i32, json: bool) -> CliResult {
    let all: PlanChanges = s.plan_change_status(year)?;
    if json {
        // An array of changes, as before, each with `what` and `sent`.
        return output::json(&all.changes);
    }
    let headers = [
        label::TIME,
        label::ACTOR,
        label::PLAN,
        label::TASK,
        "调整",
        label::REASON,
        "审计序号",
        "书面报送",
    ];
    output::table_of(&headers, &all.changes, |c| {
        vec![
            c.change.at.clone(),
            c.change.actor.clone(),
            c.change.plan.clone(),
            c.change.task.clone().unwrap_or_default(),
            c.what.clone(),
            c.change.reason.clone(),
            c.change.audit_seq.to_string(),
            c.sent.label(),
        ]
    })?;
    let unsent = all.changes.iter().filter(|c| !c.sent.is_sent()).count();
    output::say(&format!(
        "{year}年计划调整共 {} 项，未报送 {unsent} 项",
        all.changes.len()
    ));
    if !all.notices.is_empty() {
        output::say("");
        output::table_of(
            &["报送件", "成文日期", "撰写人", "文件", "调整项", "报送日期"],
            &all.notices,
            |n| {
                vec![
                    n.id.clone(),
                    n.written_on.to_string(),
                    n.written_by.clone(),
                    n.file.clone(),
                    n.changes.len().to_string(),
                    n.sent
                        .as_ref()
                        .map_or_else(|| "未报送".to_string(), |x| x.on.to_string()),
                ]
            },
        )?;
    }
    Ok(())
}

/// `plan changes --year Y --notice FILE [--force]`
fn notice(s: &mut Session, year: i32, file: &Path, overwrite: Overwrite) -> CliResult {
    let n = s.write_plan_notice(year, file, overwrite)?;
    output::say(&format!(
        "已写出{year}年计划调整报送件 {}（{} 项调整）到 {}；报送后请用 plan changes --mark-sent {} --on 日期 登记",
        n.id,
        n.changes.len(),
        file.display(),
        n.id
    ));
    Ok(())
}

/// `plan changes --mark-sent NOTICE --on DATE`
fn mark_sent(s: &mut Session, id: &str, on: NaiveDate) -> CliResult {
    let n = s.mark_notice_sent(id, on)?;
    output::say(&format!(
        "已登记报送件 {} 于 {on} 报送领导小组办公室（{} 项调整）",
        n.id,
        n.changes.len()
    ));
    Ok(())
}

/// “已删除：时间 操作人，理由…” for a removed task.
fn removal_text(sp: &PlanRecord, code: &str) -> String {
    match sp.removal(code) {
        Some(r) => format!(
            "已删除：{} {}，理由：{}，审计第{}条",
            r.at, r.actor, r.reason, r.audit_seq
        ),
        None => "已删除".to_string(),
    }
}

/// A plan as JSON: its active tasks, then its removed tasks each with a `removed` object
/// (`at`, `actor`, `reason`, `audit_seq`), so removed tasks are shown, never dropped.
fn plan_json(sp: &PlanRecord) -> serde_json::Value {
    let mut v = serde_json::to_value(&sp.plan).unwrap_or_default();
    if let Some(tasks) = v.get_mut("task").and_then(|t| t.as_array_mut()) {
        for t in &sp.removed {
            let mut task = serde_json::to_value(t).unwrap_or_default();
            task["removed"] = match sp.removal(&t.code) {
                Some(r) => serde_json::json!({
                    "at": r.at, "actor": r.actor, "reason": r.reason, "audit_seq": r.audit_seq,
                }),
                None => serde_json::json!({}),
            };
            tasks.push(task);
        }
    }
    v
}

fn pct(p: u32) -> String {
    if p.is_multiple_of(100) {
        format!("{}", p / 100)
    } else {
        format!("{}", p as f64 / 100.0)
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.dedup();
    v
}
