//! `visit list | show | start | complete`, `result show | submit | draft | correct |
//! approve-correction | reject-correction | pending`, `followup add | update`.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{CliResult, Failure, output};
use shuangsuiji::domain::result::{FollowUpKind, InspectionResult};
use shuangsuiji::services::Session;
use shuangsuiji::services::visits::{VisitFilter, VisitSummary};

#[derive(Debug, clap::Subcommand)]
pub enum VisitCommand {
    /// 列出检查任务（按紧急程度排序）
    List {
        /// 只列我所在检查组的任务
        #[arg(long)]
        mine: bool,
        /// 只列 N 个工作日内到期（含逾期）的任务
        #[arg(long, value_name = "N")]
        due_within: Option<i64>,
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 开始检查
    Start {
        id: i64,
        #[arg(long)]
        date: NaiveDate,
    },
    /// 完成检查（检查完成日期，20个工作日录入期限从此起算）
    Complete {
        id: i64,
        #[arg(long)]
        date: NaiveDate,
    },
}

fn due_text(v: &VisitSummary) -> String {
    match (&v.due, v.days_left, v.countdown) {
        (Some(d), Some(left), Some(c)) => {
            let prov = if d.provisional { "（临时）" } else { "" };
            if left < 0 {
                format!("{}{prov} 逾期{}个工作日", d.date, -left)
            } else {
                format!("{}{prov} 剩{}个工作日（{}）", d.date, left, c.label())
            }
        }
        (Some(d), _, _) => format!(
            "{}{}{}",
            d.date,
            if d.provisional { "（临时）" } else { "" },
            if v.late { " 逾期录入" } else { "" }
        ),
        _ => String::new(),
    }
}

pub fn run(s: &mut Session, c: &VisitCommand) -> CliResult {
    match c {
        VisitCommand::List {
            mine,
            due_within,
            year,
            json,
        } => {
            let list = s.list_visits(&VisitFilter {
                mine: *mine,
                due_within: *due_within,
                state: None,
                year: *year,
            })?;
            if json.json {
                return Ok(output::json(&list)?);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|v| {
                    let team = v
                        .row
                        .team
                        .iter()
                        .map(|m| format!("{}{}", if m.lead { "*" } else { "" }, m.inspector))
                        .collect::<Vec<_>>()
                        .join(" ");
                    vec![
                        v.row.id.to_string(),
                        v.row.draw_id.clone(),
                        v.entity_name.clone(),
                        v.row.tasks.join("、"),
                        v.state.label().to_string(),
                        team,
                        due_text(v),
                        if v.pending_correction {
                            "更正待批".to_string()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            output::table(
                &[
                    "编号",
                    "抽取",
                    "对象",
                    "任务",
                    "状态",
                    "检查组",
                    "录入期限",
                    "备注",
                ],
                &rows,
            )?;
            output::say(&format!("共 {} 项", list.len()));
            Ok(())
        }
        VisitCommand::Start { id, date } => {
            s.start_visit(*id, *date)?;
            output::say(&format!("检查任务 {id} 已于 {date} 开始检查"));
            Ok(())
        }
        VisitCommand::Complete { id, date } => {
            s.complete_visit(*id, *date)?;
            let v = s.visit(*id)?;
            output::say(&format!(
                "检查任务 {id} 已于 {date} 完成检查；结果应于 {} 前录入",
                due_text(&v)
            ));
            Ok(())
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum ResultCommand {
    /// 显示检查结果、草稿、更正和后续处理
    Show {
        id: i64,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 保存草稿（TOML，格式同 submit）
    Draft {
        id: i64,
        #[arg(long)]
        file: PathBuf,
    },
    /// 提交检查结果（提交后锁定，不能修改）
    Submit {
        id: i64,
        #[arg(long)]
        file: PathBuf,
    },
    /// 提交更正（须主要负责人批准）
    Correct {
        id: i64,
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

fn read_result(path: &PathBuf) -> Result<InspectionResult, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("无法读取 {}：{e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Failure(format!("检查结果文件 {} 有误：{e}", path.display())))
}

pub fn result(s: &mut Session, c: &ResultCommand) -> CliResult {
    match c {
        ResultCommand::Show { id, json } => {
            let v = s.result_view(*id)?;
            if json.json {
                return Ok(output::json(&v)?);
            }
            output::say(&format!(
                "检查任务 {}：{}（{}），{}",
                id,
                v.visit.entity_name,
                v.visit.row.entity,
                v.visit.state.label()
            ));
            output::say(&format!("录入期限：{}", due_text(&v.visit)));
            if let Some(r) = &v.effective {
                output::say(&format!("检查结果：{}", r.summary()));
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
                if !r.findings.is_empty() {
                    output::say(&format!("检查发现：{}", r.findings));
                }
            } else if let Some(d) = &v.draft {
                output::say(&format!(
                    "草稿（{} 保存于 {}）：{}",
                    d.author,
                    d.updated_at,
                    d.result.summary()
                ));
            } else {
                output::say("尚未录入。");
            }
            if let Some(sub) = &v.submitted {
                output::say(&format!(
                    "提交：{} {}{}",
                    sub.submitted_by,
                    sub.submitted_on,
                    if sub.late { "（逾期录入）" } else { "" }
                ));
            }
            for corr in &v.corrections {
                let state = match &corr.decision {
                    None => "待审批".to_string(),
                    Some(d) => format!(
                        "{}（{} {}）",
                        if d.approved { "已批准" } else { "已驳回" },
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
                    "后续处理 {}：{} {} {}{}",
                    f.id,
                    f.kind,
                    f.case_no,
                    f.status,
                    f.closed_on
                        .as_ref()
                        .map(|d| format!("（{d}办结）"))
                        .unwrap_or_default()
                ));
            }
            Ok(())
        }
        ResultCommand::Draft { id, file } => {
            s.save_draft(*id, &read_result(file)?)?;
            output::say(&format!("已保存检查任务 {id} 的草稿"));
            Ok(())
        }
        ResultCommand::Submit { id, file } => {
            let r = s.submit_result(*id, &read_result(file)?)?;
            output::say(&format!(
                "检查任务 {id} 的结果已提交并锁定（期限 {}{}）",
                r.due,
                if r.late { "，逾期录入" } else { "" }
            ));
            Ok(())
        }
        ResultCommand::Correct { id, file, reason } => {
            let cid = s.file_correction(*id, &read_result(file)?, reason)?;
            output::say(&format!("已提交更正 {cid}，待主要负责人批准；原结果保留"));
            Ok(())
        }
        ResultCommand::ApproveCorrection { correction, note } => {
            s.decide_correction(*correction, true, note)?;
            output::say(&format!("已批准更正 {correction}"));
            Ok(())
        }
        ResultCommand::RejectCorrection { correction, note } => {
            s.decide_correction(*correction, false, note)?;
            output::say(&format!("已驳回更正 {correction}"));
            Ok(())
        }
        ResultCommand::Pending(json) => {
            let list = s.pending_corrections()?;
            if json.json {
                return Ok(output::json(&list)?);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.visit_id.to_string(),
                        c.filed_by.clone(),
                        c.filed_at.clone(),
                        c.reason.clone(),
                    ]
                })
                .collect();
            Ok(output::table(
                &["更正", "检查任务", "提交人", "时间", "理由"],
                &rows,
            )?)
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum FollowUpCommand {
    /// 登记后续处理：责令改正、立案处罚（须案号）、移送其他行政机关、移送司法机关
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
        #[arg(long)]
        closed: Option<NaiveDate>,
        #[arg(long, default_value = "")]
        note: String,
    },
}

fn parse_kind(s: &str) -> Result<FollowUpKind, String> {
    FollowUpKind::parse(s)
        .ok_or_else(|| "应为 责令改正/立案处罚/移送其他行政机关/移送司法机关".to_string())
}

pub fn followup(s: &mut Session, c: &FollowUpCommand) -> CliResult {
    match c {
        FollowUpCommand::Add {
            id,
            kind,
            case_no,
            note,
        } => {
            let fid = s.add_followup(*id, *kind, case_no, note)?;
            output::say(&format!("已登记后续处理 {fid}：{}", kind.label()));
        }
        FollowUpCommand::Update {
            followup,
            status,
            closed,
            note,
        } => {
            s.update_followup(*followup, status, *closed, note)?;
            output::say(&format!("后续处理 {followup}：{status}"));
        }
    }
    Ok(())
}
