//! `audit verify | checkpoint | log`.

use std::path::{Path, PathBuf};

use super::messages::label;
use super::{CliResult, Failure, output};
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::audit::{Checkpoint, witness_line};
use shuangsuiji::domain::calendar::china_time;
use shuangsuiji::services::Session;
use shuangsuiji::services::identity::Via;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// 核验哈希链；给出检查点或见证文件时同时证明日志是其中每个检查点的延续
    Verify {
        #[arg(long, value_name = "SIZE:HASH")]
        checkpoint: Option<Checkpoint>,
        /// 见证文件（audit checkpoint --append 写的，每行一个检查点）；写作 - 时从标准输入读取
        #[arg(long, value_name = "FILE")]
        witness: Option<PathBuf>,
    },
    /// 显示当前检查点（条数:哈希）
    Checkpoint {
        /// 把检查点和时间追加到见证文件（只追加，不改写；应存放在数据库目录以外，或打印签字保存）
        #[arg(long, value_name = "FILE")]
        append: Option<PathBuf>,
    },
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
        AuditCommand::Verify {
            checkpoint,
            witness,
        } => {
            verify(s, checkpoint.as_ref())?;
            match witness {
                Some(w) => verify_witness(s, w),
                None => Ok(()),
            }
        }
        AuditCommand::Checkpoint { append: None } => {
            output::say(&s.audit_checkpoint()?.to_string());
            Ok(())
        }
        AuditCommand::Checkpoint { append: Some(f) } => append_witness(s, f),
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
        }
        Err(broken) => return Err(Failure::Message(format!("审计日志核验失败：{broken}"))),
    }
    let rows = s.verify_rows()?;
    if rows.total == 0 {
        output::say(&format!(
            "记录行与审计日志一致：{} 张表 {} 行，{} 条事件登记了记录行",
            rows.tables, rows.rows, rows.events
        ));
        return Ok(());
    }
    Err(Failure::Message(rows_failure(&rows)))
}

/// The message for record rows the log does not account for.
pub fn rows_failure(rows: &shuangsuiji::services::audit::BindingCheck) -> String {
    let mut msg = format!(
        "审计日志核验失败：{} 处记录行与审计日志不符（在日志之外被写入、改动或删除）：",
        rows.total
    );
    for p in &rows.problems {
        msg.push_str(&format!("\n  {p}"));
    }
    if rows.total as usize > rows.problems.len() {
        msg.push_str(&format!(
            "\n  ……另有 {} 处",
            rows.total as usize - rows.problems.len()
        ));
    }
    msg
}

/// `audit verify --witness FILE`: exit status 1 when the log does not continue every
/// checkpoint in the file.
fn verify_witness(s: &Session, file: &Path) -> CliResult {
    let text = output::read_text(file)?;
    let check = s.check_witness(&text)?;
    let shown = super::stdio::shown_input(file);
    if check.breaks.is_empty() {
        output::say(&format!(
            "审计日志是见证文件 {shown} 中全部 {} 个检查点的延续",
            check.checkpoints
        ));
        return Ok(());
    }
    let mut msg = format!(
        "审计日志核验失败：不是见证文件 {shown} 中{}个检查点的延续（日志被回滚或改写）：",
        check.breaks.len()
    );
    for b in &check.breaks {
        msg.push('\n');
        msg.push_str(&b.to_string());
    }
    msg.push_str(&format!("\n当前检查点：{}", check.head));
    Err(Failure::Message(msg))
}

/// `audit checkpoint --append FILE`; `-` prints the line for the caller to keep (through
/// `serve`: `ssh bureau audit checkpoint --append - >> 见证.txt`).
fn append_witness(s: &Session, file: &Path) -> CliResult {
    if super::stdio::is_stdio(file) {
        let line = witness_line(&s.audit_checkpoint()?, &s.now_rfc3339());
        print!("{line}");
        return Ok(());
    }
    let w = s.append_witness(file)?;
    output::say(&w.line);
    output::say(&format!("已追加到见证文件 {}", file.display()));
    if w.beside_db {
        output::say(
            "注意：见证文件与数据库在同一目录，能替换数据库的人也能替换它；请另存一份到别处，或打印签字保存",
        );
    }
    Ok(())
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
/// the rest of the detail, without the rows' digest it binds (`audit log --json` and
/// `audit verify` show that).
fn split_via(detail: &str) -> (String, String) {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(detail) else {
        return (String::new(), detail.to_string());
    };
    map.remove(shuangsuiji::services::audit::BOUND_KEY);
    let via = map
        .remove("via")
        .map(|v| Via::describe(&v))
        .unwrap_or_default();
    (via, serde_json::Value::Object(map).to_string())
}
