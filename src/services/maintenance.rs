//! Keeping the database well: `backup` (a consistent copy while others work), `restore` (only
//! a copy that passes its integrity and audit checks), and `doctor` (what needs attention).

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use chrono::Datelike;
use serde::Serialize;

use super::{Result, ServiceError, Session};
use crate::domain::audit::Checkpoint;
use crate::domain::role::{Action, Role};
use crate::domain::visit::VisitState;
use crate::services::visits::VisitFilter;
use crate::store::{self, Store};

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub path: String,
    pub bytes: u64,
    pub checkpoint: Checkpoint,
}

/// Checks a database file on its own: SQLite's integrity check and the audit chain.
pub fn check_file(path: &Path) -> Result<Checkpoint> {
    let store = Store::open_read_only(path)?;
    let problems = store.integrity_check()?;
    if problems != ["ok"] {
        return Err(ServiceError::Invalid(format!(
            "{} 的完整性检查未通过：{}",
            path.display(),
            problems.join("；")
        )));
    }
    match store::audit::verify(store.conn(), None)? {
        Ok(head) => Ok(head),
        Err(b) => Err(ServiceError::Invalid(format!(
            "{} 的审计日志核验未通过：{b}",
            path.display()
        ))),
    }
}

impl Session {
    /// `backup FILE`: SQLite's online backup, consistent while others keep working.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport> {
        if !(self.user().roles.contains(&Role::Admin) || self.user().roles.contains(&Role::Lead)) {
            return Err(ServiceError::Denied {
                login: self.user().login.clone(),
                roles: self.user().role_labels(),
                action: "备份数据库",
            });
        }
        if dest.exists() {
            return Err(ServiceError::Invalid(format!(
                "{} 已存在，不会覆盖",
                dest.display()
            )));
        }
        let tmp = dest.with_extension("partial");
        let outcome = (|| -> Result<()> {
            // Created owner-only before a byte is written into it.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(store::StoreError::from)?;
            self.store()
                .conn()
                .backup(rusqlite::MAIN_DB, &tmp, None)
                .map_err(store::StoreError::from)?;
            Ok(())
        })();
        if let Err(e) = outcome {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let checkpoint = match check_file(&tmp) {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, dest).map_err(store::StoreError::from)?;
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport {
            path: dest.display().to_string(),
            bytes,
            checkpoint,
        })
    }
}

/// `restore BACKUP`: checks the copy, then puts it in place of `db`, keeping the database it
/// replaces beside it as `<db>.before-restore-<time>`. The one restoring must be an admin in
/// the copy being restored.
pub fn restore(backup: &Path, db: &Path, os_login: &str) -> Result<Checkpoint> {
    let head = check_file(backup)?;
    {
        let store = Store::open_read_only(backup)?;
        let user = store::users::get(store.conn(), os_login)?;
        if !user.is_some_and(|u| u.active && u.roles.contains(&Role::Admin)) {
            return Err(ServiceError::Denied {
                login: os_login.to_string(),
                roles: "备份中非系统管理员".to_string(),
                action: "恢复数据库",
            });
        }
    }
    if db.exists() {
        let keep = db.with_file_name(format!(
            "{}.before-restore-{}",
            db.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            chrono::Local::now().format("%Y%m%d%H%M%S")
        ));
        // Checkpoint the WAL into the old file before moving it.
        if let Ok(old) = Store::open(db) {
            let _ = old.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        std::fs::rename(db, &keep).map_err(store::StoreError::from)?;
        for suffix in ["-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    std::fs::copy(backup, db).map_err(store::StoreError::from)?;
    std::fs::set_permissions(db, std::fs::Permissions::from_mode(0o660))
        .map_err(store::StoreError::from)?;
    Ok(head)
}

/// One finding of `doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// "ok", "warn" or "fail".
    pub level: &'static str,
    pub check: &'static str,
    pub detail: String,
}

impl Session {
    /// `doctor`: integrity, audit chain, file permissions, next year's holiday notice,
    /// certificates, draws left unrun, overdue results.
    pub fn doctor(&self) -> Result<Vec<Finding>> {
        self.require(Action::ViewAudit)?;
        let mut out = Vec::new();
        let mut put = |level, check, detail: String| {
            out.push(Finding {
                level,
                check,
                detail,
            })
        };
        let integrity = self.store().integrity_check()?;
        put(
            if integrity == ["ok"] { "ok" } else { "fail" },
            "完整性检查",
            integrity.join("；"),
        );
        match self.verify_audit(None)? {
            Ok(head) => put("ok", "审计日志", format!("完整，检查点 {head}")),
            Err(b) => put("fail", "审计日志", b.to_string()),
        }
        match std::fs::metadata(self.db_path()) {
            Ok(m) if m.permissions().mode() & 0o007 != 0 => put(
                "warn",
                "文件权限",
                format!(
                    "{:o}：其他用户可读写，应为 660 或 600",
                    m.permissions().mode() & 0o777
                ),
            ),
            Ok(m) => put(
                "ok",
                "文件权限",
                format!("{:o}", m.permissions().mode() & 0o777),
            ),
            Err(e) => put("warn", "文件权限", e.to_string()),
        }
        let next = self.today().year() + 1;
        if self.calendar()?.known(next) {
            put("ok", "节假日安排", format!("{next}年已载入"));
        } else {
            put(
                "warn",
                "节假日安排",
                format!("{next}年未载入：跨年的录入期限按周末计算（临时）"),
            );
        }
        let today = self.today();
        for i in self.list_inspectors()? {
            match i.cert_expiry {
                Some(d) if i.on_duty && d < today => put(
                    "warn",
                    "执法证",
                    format!("{} {} 已于 {d} 过期", i.code, i.name),
                ),
                Some(d) if i.on_duty && (d - today).num_days() <= 60 => put(
                    "warn",
                    "执法证",
                    format!("{} {} 将于 {d} 到期", i.code, i.name),
                ),
                _ => {}
            }
        }
        for d in self.list_draws()? {
            if d.run.is_none() && d.void_request.is_none() {
                put(
                    "warn",
                    "抽取",
                    format!(
                        "{} 已准备，尚未运行（{} {}）",
                        d.id, d.prepared_by, d.prepared_at
                    ),
                );
            }
        }
        let overdue: Vec<String> = self
            .list_visits(&VisitFilter::default())?
            .into_iter()
            .filter(|v| v.state == VisitState::Completed && v.days_left.is_some_and(|l| l < 0))
            .map(|v| format!("{} {}", v.row.id, v.entity_name))
            .collect();
        if overdue.is_empty() {
            put("ok", "录入期限", "没有逾期未录入的结果".to_string());
        } else {
            put(
                "warn",
                "录入期限",
                format!("{} 项逾期未录入：{}", overdue.len(), overdue.join("、")),
            );
        }
        Ok(out)
    }
}
