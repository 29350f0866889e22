//! `audit verify | checkpoint | log`.

use super::messages::label;
use super::{CliResult, Failure, output};
use shuangsuiji::domain::audit::Checkpoint;
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::calendar::china_time;
use shuangsuiji::services::Session;
use shuangsuiji::services::identity::Via;

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
        AuditCommand::Verify { checkpoint } => verify(s, checkpoint.as_ref()),
        AuditCommand::Checkpoint => {
            output::say(&s.audit_checkpoint()?.to_string());
            Ok(())
        }
        AuditCommand::Log {
            action,
            actor,
            limit,
            json,
        } => log(s, action.as_deref(), actor.as_deref(), *limit, json.json),
    }
}

fn verify(s: &Session, checkpoint: Option<&Checkpoint>) -> CliResult {
    match s.verify_audit(checkpoint)? {
        Ok(head) => {
            let extra = checkpoint
                .map(|c| format!("，且延续检查点 {c}"))
                .unwrap_or_default();
            output::say(&format!("审计日志完整：{} 条{extra}", head.size));
            output::say(&format!("当前检查点：{head}"));
            Ok(())
        }
        Err(broken) => Err(Failure::Message(format!("审计日志核验失败：{broken}"))),
    }
}

fn log(
    s: &Session,
    action: Option<&str>,
    actor: Option<&str>,
    limit: u64,
    json: bool,
) -> CliResult {
    let events = s.audit_events(&EventFilter {
        action_prefix: action.map(str::to_string),
        actor: actor.map(str::to_string),
        subject: None,
        limit: Some(limit),
    })?;
    let headers = [
        "序号",
        label::TIME,
        label::ACTOR,
        "身份来源",
        "动作",
        label::SUBJECT,
        "详情",
    ];
    output::listing(json, &headers, &events, |e| {
        let (via, detail) = split_via(&e.detail);
        vec![
            e.seq.to_string(),
            china_time(&e.at),
            e.actor.clone(),
            via,
            e.action.clone(),
            e.subject.clone(),
            detail.chars().take(60).collect(),
        ]
    })
}

/// How the actor was established, in words (empty for events older than that record), and
/// the rest of the detail.
fn split_via(detail: &str) -> (String, String) {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(detail) else {
        return (String::new(), detail.to_string());
    };
    match map.remove("via") {
        None => (String::new(), detail.to_string()),
        Some(via) => (
            Via::describe(&via),
            serde_json::Value::Object(map).to_string(),
        ),
    }
}
