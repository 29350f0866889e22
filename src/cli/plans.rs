//! `plan list | show | init | copy | add-task | edit-task | remove-task | multipliers | changes`.

use std::path::PathBuf;

use chrono::Datelike;

use super::{CliResult, Failure, output};
use shuangsuiji::domain::plan::{Task, TierMultipliers};
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::Session;
use shuangsuiji::services::plans::PlanEdit;
use shuangsuiji::store::plans::StoredPlan;

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// 列出某年的计划与任务
    List {
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 显示一个计划的全部任务、事项、比例和时间
    Show {
        /// 计划代码：LH（部门联合）或 NB（内部）
        code: String,
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 按2024年方案（阳分环发〔2024〕6号）建立某年的计划
    Init {
        #[arg(long)]
        year: i32,
    },
    /// 把一年的计划复制到另一年
    Copy {
        #[arg(long)]
        from: i32,
        #[arg(long)]
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
        #[arg(long)]
        year: Option<i32>,
    },
    /// 修改信用风险递加倍数（百分比，150 = 1.5倍），须写明理由
    Multipliers {
        #[arg(long)]
        plan: String,
        #[arg(long)]
        low: u32,
        #[arg(long)]
        normal: u32,
        #[arg(long)]
        elevated: u32,
        #[arg(long)]
        high: u32,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        year: Option<i32>,
    },
    /// 列出某年的计划调整记录
    Changes {
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
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
    #[arg(long)]
    pub year: Option<i32>,
}

fn read_task(path: &PathBuf) -> Result<Task, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Message(format!("无法读取 {}：{e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Failure::Message(format!("任务定义 {} 有误：{e}", path.display())))
}

pub fn run(s: &mut Session, c: &PlanCommand) -> CliResult {
    let this_year = s.today().year();
    match c {
        PlanCommand::List { year, json } => {
            let plans = s.list_plans(Some(year.unwrap_or(this_year)))?;
            if json.json {
                let v: Vec<_> = plans.iter().map(plan_json).collect();
                return Ok(output::json(&v)?);
            }
            let mut rows = Vec::new();
            for sp in &plans {
                for (t, removed) in sp
                    .plan
                    .tasks
                    .iter()
                    .map(|t| (t, false))
                    .chain(sp.removed.iter().map(|t| (t, true)))
                {
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
                    rows.push(vec![
                        format!("{}年{}", sp.plan.year, sp.plan.kind.label()),
                        t.code.clone(),
                        name,
                        join_list(t.target_types.iter().map(|x| x.label())),
                        rules,
                        join_list(dedup(windows)),
                        join_list(t.cooperating_departments.iter()),
                    ]);
                }
            }
            output::table(
                &[
                    "计划",
                    "任务",
                    "名称",
                    "检查对象",
                    "抽查比例",
                    "时间",
                    "配合部门",
                ],
                &rows,
            )?;
            Ok(())
        }
        PlanCommand::Show { code, year, json } => {
            let year = year.unwrap_or(this_year);
            let plans = s.list_plans(Some(year))?;
            let sp = plans
                .iter()
                .find(|p| p.plan.code.eq_ignore_ascii_case(code))
                .ok_or_else(|| Failure::Message(format!("未找到{year}年的计划 {code}")))?;
            if json.json {
                return Ok(output::json(&plan_json(sp))?);
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
        PlanCommand::Init { year } => {
            let n = s.create_seed_plans(*year)?;
            output::say(&format!("已建立{year}年抽查计划 {n} 个"));
            Ok(())
        }
        PlanCommand::Copy { from, to } => {
            let n = s.copy_plans(*from, *to)?;
            output::say(&format!("已把{from}年的 {n} 个计划复制到{to}年"));
            Ok(())
        }
        PlanCommand::AddTask(a) | PlanCommand::EditTask(a) => {
            let task = read_task(&a.file)?;
            let code = task.code.clone();
            let edit = if matches!(c, PlanCommand::AddTask(_)) {
                PlanEdit::AddTask(task)
            } else {
                PlanEdit::EditTask(task)
            };
            s.edit_plan(a.year.unwrap_or(this_year), &a.plan, edit, &a.reason)?;
            output::say(&format!("已调整计划 {}：任务 {code}", a.plan));
            Ok(())
        }
        PlanCommand::RemoveTask {
            plan,
            task,
            reason,
            year,
        } => {
            s.edit_plan(
                year.unwrap_or(this_year),
                plan,
                PlanEdit::RemoveTask(task.clone()),
                reason,
            )?;
            output::say(&format!("已从计划 {plan} 删除任务 {task}（记录保留）"));
            Ok(())
        }
        PlanCommand::Multipliers {
            plan,
            low,
            normal,
            elevated,
            high,
            reason,
            year,
        } => {
            let m = TierMultipliers {
                low_pct: *low,
                normal_pct: *normal,
                elevated_pct: *elevated,
                high_pct: *high,
            };
            s.edit_plan(
                year.unwrap_or(this_year),
                plan,
                PlanEdit::Multipliers(m),
                reason,
            )?;
            output::say(&format!("已修改计划 {plan} 的信用风险递加倍数"));
            Ok(())
        }
        PlanCommand::Changes { year, json } => {
            let changes = s.plan_changes(year.unwrap_or(this_year))?;
            if json.json {
                return Ok(output::json(&changes)?);
            }
            let rows: Vec<Vec<String>> = changes
                .iter()
                .map(|c| {
                    vec![
                        c.at.clone(),
                        c.actor.clone(),
                        c.plan.clone(),
                        c.task.clone().unwrap_or_default(),
                        c.change.clone(),
                        c.reason.clone(),
                        c.audit_seq.to_string(),
                    ]
                })
                .collect();
            output::table(
                &["时间", "操作人", "计划", "任务", "调整", "理由", "审计序号"],
                &rows,
            )?;
            Ok(())
        }
    }
}

/// “已删除：时间 操作人，理由…” for a removed task.
fn removal_text(sp: &StoredPlan, code: &str) -> String {
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
fn plan_json(sp: &StoredPlan) -> serde_json::Value {
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
