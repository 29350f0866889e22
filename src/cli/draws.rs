//! `draw prepare | run | void | approve-void | list | show | verify | substitute`.

use std::path::PathBuf;

use super::{CliResult, Failure, output};
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::record::parse_record;
use shuangsuiji::domain::draw::team::current_team;
use shuangsuiji::domain::draw::verify::{RECOMPUTED, UNCONFIRMED, verify};
use shuangsuiji::services::draws::DrawCheck;
use shuangsuiji::services::{OpenOptions, Session};

#[derive(Debug, clap::Subcommand)]
pub enum DrawCommand {
    /// 准备抽取：冻结总体、排除、名额和可派人员，计算并登记承诺值
    Prepare {
        /// 抽查期间，如 2026Q2
        #[arg(long)]
        period: Period,
        /// 任务编号（可多次）；不给时取检查时间覆盖本季度的全部任务
        #[arg(long = "task")]
        tasks: Vec<String>,
        /// 声明的随机来源（可多次）
        #[arg(long = "source")]
        sources: Vec<String>,
    },
    /// 运行抽取（只能一次）：输入现场种子（合计至少20位数字）和见证人
    Run {
        id: String,
        #[arg(long = "seed", required = true)]
        seeds: Vec<String>,
        #[arg(long = "witness")]
        witnesses: Vec<String>,
    },
    /// 申请作废抽取（须主要负责人批准）
    Void {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// 批准作废（主要负责人）
    ApproveVoid { id: String },
    /// 列出抽取
    List(output::JsonFlag),
    /// 显示抽取记录
    Show {
        id: String,
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// 可打印的抽取记录（Markdown）
        #[arg(long)]
        markdown: bool,
    },
    /// 复算核验：按编号（数据库）或 --file 记录.json（无需数据库）
    Verify {
        #[arg(required_unless_present = "file")]
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        file: Option<PathBuf>,
    },
    /// 替换一名检查人员（按原排序取下一名合格人员）
    Substitute {
        id: String,
        /// 检查对象代码
        #[arg(long)]
        visit: String,
        /// 被替换的执法人员编号
        #[arg(long)]
        inspector: String,
        #[arg(long)]
        reason: String,
    },
}

/// `draw verify --file F`: the record re-computed from itself; with a database (`--db`, or
/// ./shuangsuiji.db when it exists) also compared with the stored record and its audit events.
pub fn verify_file(path: &PathBuf, db: &std::path::Path, options: &OpenOptions) -> CliResult {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Message(format!("无法读取 {}：{e}", path.display())))?;
    let record = parse_record(&text)
        .map_err(|e| Failure::Message(format!("{} 不是有效的抽取记录：{e}", path.display())))?;
    if db.exists() {
        let s = Session::open(db, options)?;
        let check = s.check_record(&record)?;
        return report(&record.draw_id, check, Some(db));
    }
    report(
        &record.draw_id,
        DrawCheck {
            diffs: verify(&record),
            notes: vec![],
        },
        None,
    )
}

/// Prints the outcome; with `db` the record was also checked against the database.
fn report(id: &str, check: DrawCheck, db: Option<&std::path::Path>) -> CliResult {
    if !check.diffs.is_empty() {
        let mut msg = format!("抽取 {id} 核验不通过，{}处不一致：", check.diffs.len());
        for d in check.diffs {
            msg.push('\n');
            msg.push_str(&d);
        }
        for n in check.notes {
            msg.push_str("\n注：");
            msg.push_str(&n);
        }
        return Err(Failure::Message(msg));
    }
    match db {
        Some(db) => output::say(&format!(
            "抽取 {id} 核验通过：记录复算一致，并与数据库 {} 中的记录、准备时冻结的内容、检查任务表、运行与替换的审计事件及审计链（检查点）逐项一致",
            db.display()
        )),
        None => {
            output::say(&format!("抽取 {id} 的记录自身复算一致。已复算："));
            for r in RECOMPUTED {
                output::say(&format!("  - {r}"));
            }
            output::say(
                "仅凭记录无法确认，须与局方审计日志或公布的检查点核对（shuangsuiji --db 数据库 draw verify --file 记录.json）：",
            );
            for u in UNCONFIRMED {
                output::say(&format!("  - {u}"));
            }
        }
    }
    for n in check.notes {
        output::say(&format!("注：{n}"));
    }
    Ok(())
}

pub fn run(cli_db: &std::path::Path, options: &OpenOptions, c: &DrawCommand) -> CliResult {
    if let DrawCommand::Verify { file: Some(f), .. } = c {
        return verify_file(f, cli_db, options);
    }
    let mut s = Session::open(cli_db, options)?;
    match c {
        DrawCommand::Prepare {
            period,
            tasks,
            sources,
        } => {
            let p = s.prepare_draw(*period, tasks, sources)?;
            output::say(&format!(
                "已准备抽取 {}（{}）：任务 {}，{} 层，名额合计 {}，排除 {} 项",
                p.id,
                p.period,
                p.tasks.join("、"),
                p.strata,
                p.quota,
                p.excluded
            ));
            output::say(&format!("承诺值：{}", p.commitment));
            output::say(&format!(
                "请在现场公布承诺值后掷骰，再运行：shuangsuiji draw run {} --seed … --seed … --witness …",
                p.id
            ));
            Ok(())
        }
        DrawCommand::Run {
            id,
            seeds,
            witnesses,
        } => {
            let r = s.run_draw(id, seeds, witnesses)?;
            let problems = r.visits.iter().filter(|v| v.problem.is_some()).count();
            output::say(&format!(
                "抽取 {id} 已运行：种子 {}，检查任务 {} 项",
                r.seed,
                r.visits.len()
            ));
            if problems > 0 {
                output::say(&format!(
                    "注意：{problems} 项检查任务未能组成检查组，见 draw show {id}"
                ));
            }
            if let Some(cp) = &r.checkpoint {
                output::say(&format!("审计检查点：{cp}"));
            }
            Ok(())
        }
        DrawCommand::Void { id, reason } => {
            s.request_void(id, reason)?;
            output::say(&format!("已申请作废抽取 {id}，待主要负责人批准"));
            Ok(())
        }
        DrawCommand::ApproveVoid { id } => {
            s.approve_void(id)?;
            output::say(&format!("已批准作废抽取 {id}；该抽取及其记录保留可查"));
            Ok(())
        }
        DrawCommand::List(json) => {
            let draws = s.list_draws()?;
            if json.json {
                return Ok(output::json(&draws)?);
            }
            let rows: Vec<Vec<String>> = draws
                .iter()
                .map(|d| {
                    let state = d.status().label();
                    vec![
                        d.id.clone(),
                        d.period.clone(),
                        d.tasks.join("、"),
                        state.to_string(),
                        d.prepared_by.clone(),
                        d.commitment[..16].to_string(),
                    ]
                })
                .collect();
            Ok(output::table(
                &["编号", "期间", "任务", "状态", "准备人", "承诺值（前16位）"],
                &rows,
            )?)
        }
        DrawCommand::Show {
            id,
            json,
            markdown: md,
        } => {
            let v = s.show_draw(id)?;
            if *json {
                if v.record.is_none() {
                    return Ok(output::json(&s.prepared_record(id)?)?);
                }
                return Ok(output::json(&s.draw_record(id)?)?);
            }
            if *md {
                let text = if v.record.is_none() {
                    s.printable_prepared(id)?
                } else {
                    s.printable_record(id)?
                };
                print!("{}", output::clean(&text));
                return Ok(());
            }
            output::say(&format!(
                "抽取 {}（{}），任务 {}",
                v.draw.id,
                v.draw.period,
                v.draw.tasks.join("、")
            ));
            output::say(&format!(
                "准备：{} {}；承诺值 {}",
                v.draw.prepared_by, v.draw.prepared_at, v.draw.commitment
            ));
            if let Some(vr) = &v.draw.void_request {
                output::say(&format!(
                    "作废申请：{} {}，理由：{}",
                    vr.by, vr.at, vr.reason
                ));
            }
            if let Some(va) = &v.draw.void_approved {
                output::say(&format!("已批准作废：{} {}", va.by, va.at));
            }
            let rows: Vec<Vec<String>> = v
                .prepared
                .strata
                .iter()
                .map(|st| {
                    vec![
                        st.task.clone(),
                        st.label.clone(),
                        st.population.len().to_string(),
                        st.priority.len().to_string(),
                        st.quota.to_string(),
                        st.rule.clone(),
                    ]
                })
                .collect();
            output::table(&["任务", "分层", "总体", "优先", "名额", "规则"], &rows)?;
            output::say(&format!(
                "排除 {} 项；可派执法人员 {} 名，不可派 {} 名；每人本次最多 {} 项",
                v.prepared.excluded.len(),
                v.prepared.inspectors.len(),
                v.prepared.ineligible.len(),
                v.prepared.workload_cap
            ));
            if !v.prepared.excluded.is_empty() {
                output::say("未纳入总体的对象：");
                let rows: Vec<Vec<String>> = v
                    .prepared
                    .excluded
                    .iter()
                    .map(|x| vec![x.task.clone(), x.id.clone(), x.reason.clone()])
                    .collect();
                output::table(&["任务", "代码", "原因"], &rows)?;
            }
            if !v.prepared.ineligible.is_empty() {
                output::say("不可派的执法人员：");
                let rows: Vec<Vec<String>> = v
                    .prepared
                    .ineligible
                    .iter()
                    .map(|x| vec![x.id.clone(), x.reason.clone()])
                    .collect();
                output::table(&["编号", "原因"], &rows)?;
            }
            match &v.record {
                None => output::say("尚未运行：等待现场种子。"),
                Some(r) => {
                    if v.confidential {
                        output::say("名单在检查开始前保密；下列仅为你所在检查组的任务。");
                    } else {
                        output::say(&format!(
                            "种子 {}；见证人 {}",
                            r.seed,
                            r.witnesses.join("、")
                        ));
                    }
                    let rows: Vec<Vec<String>> = r
                        .visits
                        .iter()
                        .map(|vis| {
                            let team = current_team(vis, &r.substitutions);
                            let members = team
                                .iter()
                                .map(|m| {
                                    format!("{}{}", if m.lead { "*" } else { "" }, m.inspector)
                                })
                                .collect::<Vec<_>>()
                                .join(" ");
                            vec![
                                vis.entity.clone(),
                                vis.tasks.join("、"),
                                vis.problem.clone().unwrap_or(members),
                            ]
                        })
                        .collect();
                    output::table(&["对象", "任务", "检查组（*组长）"], &rows)?;
                }
            }
            Ok(())
        }
        DrawCommand::Verify { id: Some(id), .. } => report(id, s.check_draw(id)?, Some(cli_db)),
        DrawCommand::Verify { .. } => Err(Failure::Message("请给出抽取编号或 --file".into())),
        DrawCommand::Substitute {
            id,
            visit,
            inspector,
            reason,
        } => {
            let sub = s.substitute(id, visit, inspector, reason)?;
            output::say(&format!(
                "对象 {} 的检查组：{} 由 {} 接替",
                sub.entity, sub.out, sub.replacement
            ));
            Ok(())
        }
    }
}
