//! `backup`, `restore`, `doctor`.

use std::path::PathBuf;

use super::{Cli, CliResult, Failure, Finished, messages, output};
use shuangsuiji::services::{identity, maintenance};
use shuangsuiji::sheets::Overwrite;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// 备份文件（已存在时拒绝，除非加 --force）
    pub file: PathBuf,
    /// 覆盖已有文件
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// 要恢复的备份文件；--db 指定的数据库被替换（原文件改名保留）
    pub backup: PathBuf,
    /// 允许恢复较旧的备份（现有数据库中备份没有的审计事件将丢失，原文件改名保留）
    #[arg(long)]
    pub allow_rollback: bool,
}

pub fn backup(cli: &Cli, a: &BackupArgs) -> CliResult {
    let r = cli
        .open()?
        .backup(&a.file, Overwrite::from_force(a.force))?;
    output::say(&format!(
        "已备份到 {}（{} 字节），完整性与审计日志核验通过，检查点 {}",
        r.path, r.bytes, r.checkpoint
    ));
    Ok(())
}

pub fn restore(cli: &Cli, a: &RestoreArgs) -> CliResult {
    let me = identity::os_login()?;
    let options = maintenance::RestoreOptions {
        allow_rollback: a.allow_rollback,
    };
    let r = maintenance::restore_with(&a.backup, &cli.db, &me, &options)?;
    output::say(&format!(
        "已从 {} 恢复到 {}；备份的检查点 {}，恢复记入审计日志（db.restore）后为 {}",
        a.backup.display(),
        cli.db.display(),
        r.checkpoint,
        r.head
    ));
    if let Some(replaced) = &r.replaced {
        output::say(&format!("被替换的数据库的检查点：{replaced}"));
    }
    if let Some(kept) = &r.kept {
        output::say(&format!("原数据库已改名保留为 {kept}"));
    }
    if !r.dropped.is_empty() {
        output::say(&format!(
            "已回滚：原数据库中的 {} 条审计事件不在备份中（仍保留在原文件里；条数与动作已记入 db.restore）",
            r.dropped.len()
        ));
    }
    Ok(())
}

pub fn doctor(cli: &Cli, json: bool) -> Result<Finished, Failure> {
    let findings = cli.open()?.doctor()?;
    if json {
        output::json(&findings)?;
    } else {
        table(&findings)?;
    }
    if findings.iter().any(|f| f.level == "fail") {
        // Exit code 1.
        return Err(Failure::Message("体检发现错误".into()));
    }
    if findings.iter().any(|f| f.level == "warn") {
        // Exit code 2: warnings only (0 when everything is in order).
        return Ok(Finished::WithWarnings);
    }
    Ok(Finished::Cleanly)
}

fn table(findings: &[maintenance::Finding]) -> CliResult {
    output::table_of(&["结果", "检查", "说明"], findings, |f| {
        vec![
            messages::finding_level(f.level).to_string(),
            f.check.to_string(),
            f.detail.clone(),
        ]
    })
}
