//! `backup`, `restore`, `doctor`.

use std::path::PathBuf;

use super::{Cli, CliResult, Failure, output};
use shuangsuiji::services::{identity, maintenance};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// 备份文件（不会覆盖已有文件）
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// 要恢复的备份文件；--db 指定的数据库被替换（原文件改名保留）
    pub backup: PathBuf,
}

pub fn backup(cli: &Cli, a: &BackupArgs) -> CliResult {
    let r = cli.open()?.backup(&a.file)?;
    output::say(&format!(
        "已备份到 {}（{} 字节），完整性与审计日志核验通过，检查点 {}",
        r.path, r.bytes, r.checkpoint
    ));
    Ok(())
}

pub fn restore(cli: &Cli, a: &RestoreArgs) -> CliResult {
    let me = identity::os_login()?;
    let head = maintenance::restore(&a.backup, &cli.db, &me)?;
    output::say(&format!(
        "已从 {} 恢复到 {}；审计日志检查点 {head}",
        a.backup.display(),
        cli.db.display()
    ));
    Ok(())
}

pub fn doctor(cli: &Cli, json: bool) -> CliResult {
    let findings = cli.open()?.doctor()?;
    if json {
        return Ok(output::json(&findings)?);
    }
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                match f.level {
                    "ok" => "正常",
                    "warn" => "注意",
                    _ => "错误",
                }
                .to_string(),
                f.check.to_string(),
                f.detail.clone(),
            ]
        })
        .collect();
    output::table(&["结果", "检查", "说明"], &rows)?;
    if findings.iter().any(|f| f.level == "fail") {
        return Err(Failure("体检发现错误".into()));
    }
    Ok(())
}
