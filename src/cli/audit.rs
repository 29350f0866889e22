//! `audit verify | checkpoint | log`.

use super::{CliResult, Failure, output};
use shuangsuiji::domain::audit::Checkpoint;
use shuangsuiji::services::Session;
use shuangsuiji::store::audit::EventFilter;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// 核验哈希链；给出检查点时同时证明日志是其延续
    Verify {
        #[arg(long, value_name = "SIZE:HASH")]
        checkpoint: Option<Checkpoint>,
    },
    /// 显示当前检查点（条数:哈希）
    Checkpoint,
    /// 查看日志（最新在前）
    Log {
        /// 按动作前缀筛选，如 entities
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        actor: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[command(flatten)]
        json: output::JsonFlag,
    },
}

pub fn run(s: &Session, c: &AuditCommand) -> CliResult {
    match c {
        AuditCommand::Verify { checkpoint } => match s.verify_audit(checkpoint.as_ref())? {
            Ok(head) => {
                let extra = checkpoint
                    .as_ref()
                    .map(|c| format!("，且延续检查点 {c}"))
                    .unwrap_or_default();
                output::say(&format!("审计日志完整：{} 条{extra}", head.size));
                output::say(&format!("当前检查点：{head}"));
                Ok(())
            }
            Err(broken) => Err(Failure::Message(format!("审计日志核验失败：{broken}"))),
        },
        AuditCommand::Checkpoint => {
            output::say(&s.audit_checkpoint()?.to_string());
            Ok(())
        }
        AuditCommand::Log {
            action,
            actor,
            limit,
            json,
        } => {
            let events = s.audit_events(&EventFilter {
                action_prefix: action.clone(),
                actor: actor.clone(),
                subject: None,
                limit: Some(*limit),
            })?;
            if json.json {
                return Ok(output::json(&events)?);
            }
            let rows: Vec<Vec<String>> = events
                .iter()
                .map(|e| {
                    let detail: String = e.detail.chars().take(60).collect();
                    vec![
                        e.seq.to_string(),
                        e.at.clone(),
                        e.actor.clone(),
                        e.action.clone(),
                        e.subject.clone(),
                        detail,
                    ]
                })
                .collect();
            Ok(output::table(
                &["序号", "时间", "操作人", "动作", "对象", "详情"],
                &rows,
            )?)
        }
    }
}
