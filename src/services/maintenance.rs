//! Keeping the database well: `backup` (a consistent copy while others work), `restore` (only
//! a copy that passes its integrity and audit checks), and `doctor` (what needs attention).

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Result, ServiceError, Session, Unusable};
use crate::domain::audit::Checkpoint;
use crate::domain::inspector::{CERT_WARNING_DAYS, CertAlert};
use crate::domain::role::{Action, Role};
use crate::domain::visit::PUBLISH_WORKING_DAYS;
use crate::services::dashboard::{Alert, Overview};
use crate::sheets::SheetError;
use crate::sheets::files::{Overwrite, check_target};
use crate::store::files::{self, sql};
use crate::store::{self, Store};

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub path: String,
    pub bytes: u64,
    pub checkpoint: Checkpoint,
}

/// A file this module created under a unique name; removed (with any SQLite side files) when
/// dropped unless it was put in place. Nothing else is ever removed.
struct Temp {
    path: PathBuf,
    keep: bool,
}

impl Temp {
    /// Creates `<target>.<random>.<tag>` beside `target`, owner-only, refusing any name that
    /// already exists.
    fn beside(target: &Path, tag: &str) -> Result<Temp> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "shuangsuiji.db".to_string());
        let dir = dir_of(target);
        let creating = || format!("无法在 {} 中创建临时文件", dir.display());
        let mut last = None;
        for _ in 0..8 {
            let path = dir.join(format!("{name}.{:012x}.{tag}", rand::random::<u64>() >> 16));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(_) => return Ok(Temp { path, keep: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(ServiceError::io(creating(), e)),
            }
        }
        // Eight names taken in a row: the last refusal says so.
        let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
        Err(ServiceError::io(creating(), e))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let mut paths = vec![self.path.clone()];
        if self.keep {
            paths.clear();
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            paths.push(store::side_file(&self.path, suffix));
        }
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The directory a file is in (`.` for a bare file name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// [`files::open_for_check`], as a use case's result.
fn open_for_check(path: &Path) -> Result<rusqlite::Connection> {
    Ok(files::open_for_check(path)?)
}

/// [`files::make_self_contained`], as a use case's result.
fn make_self_contained(path: &Path) -> Result<()> {
    Ok(files::make_self_contained(path)?)
}

/// "the file is damaged" in words, for SQLite's corruption errors.
fn damaged(path: &Path, e: ServiceError) -> ServiceError {
    use rusqlite::ErrorCode;
    let detail = match &e {
        ServiceError::Store(store::StoreError::Sql(s))
            if matches!(
                s.sqlite_error_code(),
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
            ) =>
        {
            s.to_string()
        }
        ServiceError::Store(store::StoreError::Corrupt(s)) => s.clone(),
        ServiceError::Store(e @ store::StoreError::NotADatabaseFile) => e.to_string(),
        _ => return e,
    };
    ServiceError::Unusable(Unusable::Damaged {
        path: path.to_path_buf(),
        detail,
    })
}

/// Differences between a database's schema (tables, indexes, triggers, views) and the one
/// this build creates; empty when they agree. A dropped append-only trigger shows here.
pub fn schema_differences(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let fresh = Store::in_memory()?;
    let want = files::schema_objects(fresh.conn())?;
    let have = files::schema_objects(conn)?;
    let label = |kind: &str| match kind {
        "table" => "表",
        "index" => "索引",
        "trigger" => "触发器",
        "view" => "视图",
        _ => "对象",
    };
    let mut out = Vec::new();
    for ((kind, name), sql) in &want {
        match have.get(&(kind.clone(), name.clone())) {
            None => out.push(format!("缺少{} {name}", label(kind))),
            Some(s) if s != sql => out.push(format!("{} {name} 与本程序的定义不同", label(kind))),
            Some(_) => {}
        }
    }
    for (kind, name) in have.keys() {
        if !want.contains_key(&(kind.clone(), name.clone())) {
            out.push(format!("多出{} {name}", label(kind)));
        }
    }
    Ok(out)
}

/// Integrity, audit chain and (for a file of this build's schema version) the schema.
fn check_conn(conn: &rusqlite::Connection, path: &Path) -> Result<Checkpoint> {
    let problems = files::integrity_problems(conn)?;
    if problems != ["ok"] {
        return Err(ServiceError::Unusable(Unusable::Integrity {
            path: path.to_path_buf(),
            problems,
        }));
    }
    let head = match store::audit::verify(conn, None)? {
        Ok(head) => head,
        Err(b) => {
            return Err(ServiceError::Unusable(Unusable::AuditChain {
                path: path.to_path_buf(),
                detail: b.to_string(),
            }));
        }
    };
    if files::schema_version(conn)? == store::SCHEMA_VERSION {
        let diff = schema_differences(conn)?;
        if !diff.is_empty() {
            return Err(ServiceError::Unusable(Unusable::Schema {
                path: path.to_path_buf(),
                differences: diff,
            }));
        }
    }
    Ok(head)
}

/// Checks a database file on its own: SQLite's integrity check, the audit chain and the
/// schema (triggers and indexes as this build makes them). Leaves no file beside it.
pub fn check_file(path: &Path) -> Result<Checkpoint> {
    let conn = open_for_check(path).map_err(|e| damaged(path, e))?;
    check_conn(&conn, path).map_err(|e| damaged(path, e))
}

impl Session {
    /// `backup FILE [--force]`: SQLite's online backup, consistent while others keep working.
    /// The copy is written owner-only under a unique temporary name beside `FILE`, made
    /// self-contained (no `-wal`), checked, and only then linked to `FILE` (an existing file
    /// is never touched) or, with `overwrite`, renamed over it (a symlink there is replaced,
    /// never followed).
    ///
    /// The `db.backup` event is written first, so the copy carries it: restoring this very
    /// copy rolls nothing back, and the live log says who took a copy of everything, when and
    /// where to. (A backup that fails after that leaves the event of a file never made.)
    pub fn backup(&self, dest: &Path, overwrite: Overwrite) -> Result<BackupReport> {
        self.require(Action::BackupDatabase)?;
        check_target(dest, overwrite)?;
        let tmp = Temp::beside(dest, "partial")?;
        self.log_read(
            "db.backup",
            &dest.display().to_string(),
            &serde_json::json!({ "overwrite": overwrite == Overwrite::Replace }),
        )?;
        self.store()
            .conn()
            .backup(rusqlite::MAIN_DB, &tmp.path, None)
            .map_err(sql)?;
        make_self_contained(&tmp.path)?;
        let checkpoint = check_file(&tmp.path)?;
        let exists = || SheetError::Exists(dest.to_path_buf());
        let put = |e: std::io::Error| ServiceError::io(format!("无法写入 {}", dest.display()), e);
        match overwrite {
            Overwrite::Replace => std::fs::rename(&tmp.path, dest).map_err(put)?,
            Overwrite::Refuse => match std::fs::hard_link(&tmp.path, dest) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(exists().into());
                }
                // A file system without hard links: rename, having checked again just before.
                Err(_) if dest.symlink_metadata().is_err() => {
                    std::fs::rename(&tmp.path, dest).map_err(put)?;
                }
                Err(_) => return Err(exists().into()),
            },
        }
        drop(tmp);
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport {
            path: dest.display().to_string(),
            bytes,
            checkpoint,
        })
    }
}

/// How `restore` may proceed.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Restore even if audit events of the live database are not in the copy (they stay in
    /// the kept `.before-restore-` file).
    pub allow_rollback: bool,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// The copy's head as restored.
    pub checkpoint: Checkpoint,
    /// The restored log's head: the copy's events and the `db.restore` event after them.
    pub head: Checkpoint,
    /// The head of the database it replaced, if there was one.
    pub replaced: Option<Checkpoint>,
    /// Where the replaced database was kept.
    pub kept: Option<String>,
    /// Audit events of the replaced database that the copy does not have.
    pub dropped: Vec<String>,
}

/// A database's facts restore compares.
struct Facts {
    mode: Option<String>,
    id: Option<String>,
    /// `(hash, "action subject")` in order.
    events: Vec<(String, String)>,
}

fn facts(conn: &rusqlite::Connection) -> Result<Facts> {
    let events = files::audit_hashes(conn)?;
    Ok(Facts {
        mode: store::settings::get(conn, store::settings::MODE)?,
        id: store::settings::get(conn, store::settings::DATABASE_ID)?,
        events,
    })
}

/// The refusal when another process has the database open.
fn in_use(db: &Path) -> ServiceError {
    ServiceError::InUse {
        path: db.to_path_buf(),
    }
}

/// Opens the live database and takes SQLite's exclusive lock on it, held until the
/// connection closes ([`files::lock_exclusive`]); anyone else still in it is refused.
fn lock_live(db: &Path) -> Result<rusqlite::Connection> {
    match files::lock_exclusive(db) {
        Ok(Some(conn)) => Ok(conn),
        Ok(None) | Err(store::StoreError::Busy) => Err(in_use(db)),
        Err(other) => Err(damaged(db, other.into())),
    }
}

/// `restore BACKUP` with no rollback allowed.
pub fn restore(backup: &Path, db: &Path, os_login: &str) -> Result<RestoreReport> {
    restore_with(backup, db, os_login, &RestoreOptions::default())
}

/// `restore BACKUP`: copies the backup beside `db`, checks the copy (integrity, audit chain,
/// schema, the one restoring is its admin), takes the live database's exclusive lock (so no
/// dashboard or command has it open), refuses a copy of another database or of the other mode,
/// and one that would drop audit events unless `allow_rollback`; then puts the copy in place,
/// keeping the database it replaces as `<db>.before-restore-<time>`.
pub fn restore_with(
    backup: &Path,
    db: &Path,
    os_login: &str,
    options: &RestoreOptions,
) -> Result<RestoreReport> {
    if !backup.exists() {
        return Err(store::StoreError::Missing(backup.to_path_buf()).into());
    }
    // The file as given first (read-only, nothing left beside it), then the copy put in place.
    check_file(backup)?;
    let tmp = Temp::beside(db, "restoring")?;
    let (head, copy) = checked_copy(backup, &tmp.path, os_login)?;
    let mut report = RestoreReport {
        head: head.clone(),
        checkpoint: head,
        replaced: None,
        kept: None,
        dropped: Vec::new(),
    };
    let mut mode = 0o660;
    let mut lock = None;
    let live = if db.exists() {
        let conn = lock_live(db)?;
        let (replaced, dropped) = compare_with_live(&conn, backup, db, &copy, options)?;
        report.replaced = Some(replaced);
        report.dropped = dropped;
        Some(conn)
    } else {
        None
    };
    // The restored log says what it replaced, before it is put in place.
    report.head = log_restore(&tmp.path, backup, os_login, &report)?;
    if let Some(conn) = live {
        let (kept, live_mode) = set_aside_live(&conn, db, mode)?;
        mode = live_mode;
        report.kept = Some(kept);
        lock = Some(conn);
    }
    std::fs::set_permissions(&tmp.path, std::fs::Permissions::from_mode(mode))
        .map_err(store::StoreError::from)?;
    std::fs::rename(&tmp.path, db).map_err(store::StoreError::from)?;
    let mut tmp = tmp;
    tmp.keep = true;
    drop(tmp);
    drop(lock);
    Ok(report)
}

/// Appends `db.restore` to the checked copy at `tmp` (still ours alone, not yet in place):
/// the backup restored and its head, the head of the database it replaces and the events
/// rolled back (how many, by action, and the first hundred). The restored log's new head.
fn log_restore(
    tmp: &Path,
    backup: &Path,
    os_login: &str,
    report: &RestoreReport,
) -> Result<Checkpoint> {
    let mut by_action: std::collections::BTreeMap<&str, usize> = Default::default();
    for e in &report.dropped {
        *by_action
            .entry(e.split_once(' ').map_or(e.as_str(), |(a, _)| a))
            .or_default() += 1;
    }
    let detail = serde_json::json!({
        "backup": backup.display().to_string(),
        "restored": report.checkpoint.to_string(),
        "replaced": report.replaced.as_ref().map(|c| serde_json::json!({ "size": c.size, "head": c.head })),
        "rolled_back": report.dropped.len(),
        "rolled_back_actions": by_action,
        "rolled_back_events": report.dropped.iter().take(ROLLED_BACK_LISTED).collect::<Vec<_>>(),
    });
    let mut conn = rusqlite::Connection::open_with_flags(
        tmp,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql)?;
    let ev = super::Actor::creator(os_login).log(
        &tx,
        "db.restore",
        &backup.display().to_string(),
        &detail,
    )?;
    // A connection of ours holds the event until sealed; this raw one writes it at once.
    let ev = store::audit::seal(&tx)?.unwrap_or(ev);
    tx.commit().map_err(sql)?;
    conn.close().map_err(|(_, e)| sql(e))?;
    Ok(Checkpoint {
        size: ev.seq,
        head: ev.hash,
    })
}

/// How many of the rolled-back events `db.restore` names one by one (all are counted).
pub const ROLLED_BACK_LISTED: usize = 100;

/// Copies the backup to `tmp`, brings its schema up to date, makes it one self-contained
/// file and checks it; refuses it unless `os_login` is an active admin in it. The copy's
/// audit head and the facts restore compares.
fn checked_copy(backup: &Path, tmp: &Path, os_login: &str) -> Result<(Checkpoint, Facts)> {
    std::fs::copy(backup, tmp)
        .map_err(|e| ServiceError::io(format!("无法读取备份 {}", backup.display()), e))?;
    // Bring an older copy's schema up to date, then make it one self-contained file.
    let name_backup = |e: ServiceError| match damaged(backup, e) {
        damaged @ ServiceError::Unusable(_) => damaged,
        other => ServiceError::Unusable(Unusable::Backup {
            path: backup.to_path_buf(),
            detail: other
                .to_string()
                .replace(&tmp.display().to_string(), &backup.display().to_string()),
        }),
    };
    Store::open(tmp).map_err(|e| name_backup(e.into()))?;
    make_self_contained(tmp).map_err(name_backup)?;
    let conn = open_for_check(tmp).map_err(|e| damaged(backup, e))?;
    let head = check_conn(&conn, backup).map_err(|e| damaged(backup, e))?;
    let user = store::users::get(&conn, os_login)?;
    if !user.is_some_and(|u| u.active && u.roles.contains(&Role::Admin)) {
        return Err(ServiceError::Denied {
            login: os_login.to_string(),
            roles: "备份中非系统管理员".to_string(),
            action: "恢复数据库",
            why: crate::domain::role::Refusal::Role,
        });
    }
    Ok((head, facts(&conn)?))
}

/// The live database's head, and its audit events the copy does not have. Refuses a copy of
/// the other mode, a copy of another database, and one that drops events unless
/// `allow_rollback`.
fn compare_with_live(
    conn: &rusqlite::Connection,
    backup: &Path,
    db: &Path,
    copy: &Facts,
    options: &RestoreOptions,
) -> Result<(Checkpoint, Vec<String>)> {
    let live = facts(conn).map_err(|e| damaged(db, e))?;
    if live.mode != copy.mode {
        return Err(ServiceError::OtherMode {
            backup_mode: copy.mode.clone(),
            db: db.to_path_buf(),
            live_mode: live.mode,
        });
    }
    let other_id = matches!((&live.id, &copy.id), (Some(a), Some(b)) if a != b);
    let other_start = matches!((live.events.first(), copy.events.first()),
        (Some(a), Some(b)) if a.0 != b.0);
    if other_id || other_start {
        return Err(ServiceError::OtherDatabase {
            backup: backup.to_path_buf(),
            db: db.to_path_buf(),
        });
    }
    let common = live
        .events
        .iter()
        .zip(&copy.events)
        .take_while(|(a, b)| a.0 == b.0)
        .count();
    let dropped: Vec<String> = live.events[common..].iter().map(|e| e.1.clone()).collect();
    if !dropped.is_empty() && !options.allow_rollback {
        return Err(ServiceError::WouldRollBack {
            db: db.to_path_buf(),
            dropped,
        });
    }
    let head = match live.events.last() {
        Some((hash, _)) => Checkpoint {
            size: live.events.len() as u64,
            head: hash.clone(),
        },
        None => Checkpoint {
            size: 0,
            head: hex::encode(crate::domain::audit::GENESIS),
        },
    };
    Ok((head, dropped))
}

/// Makes the live database self-contained and renames it to `<db>.before-restore-<time>`
/// (numbered when taken): where it was kept, and its permission bits (`mode` when they
/// cannot be read).
fn set_aside_live(conn: &rusqlite::Connection, db: &Path, mode: u32) -> Result<(String, u32)> {
    // The old file becomes self-contained too, so it can be kept on its own.
    files::leave_wal(conn, db)?;
    let mode = std::fs::metadata(db)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(mode);
    let stamp = super::china_now().format("%Y%m%d%H%M%S").to_string();
    let mut keep = store::side_file(db, &format!(".before-restore-{stamp}"));
    let mut n = 1;
    while keep.symlink_metadata().is_ok() {
        n += 1;
        keep = store::side_file(db, &format!(".before-restore-{stamp}-{n}"));
    }
    std::fs::rename(db, &keep).map_err(store::StoreError::from)?;
    Ok((keep.display().to_string(), mode))
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
    /// `doctor`: integrity, audit chain, schema (triggers and indexes as this build makes
    /// them), file and directory permissions, next year's holiday notice, certificates, draws
    /// left unrun, overdue results. Every check gives at least one line.
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
        let rows = self.verify_rows()?;
        match rows.problems.first() {
            None => put(
                "ok",
                "记录行",
                format!("{} 张表 {} 行，均与审计日志一致", rows.tables, rows.rows),
            ),
            Some(first) => put(
                "fail",
                "记录行",
                format!(
                    "{} 处与审计日志不符，首处：{first}（详见 audit verify）",
                    rows.total
                ),
            ),
        }
        let (level, detail) = self.witness_finding()?;
        put(level, WITNESS_CHECK, detail);
        let diff = schema_differences(self.store().conn())?;
        if diff.is_empty() {
            put(
                "ok",
                "数据库结构",
                "表、索引、触发器与本程序一致".to_string(),
            );
        } else {
            put(
                "fail",
                "数据库结构",
                format!("被改动过：{}", diff.join("；")),
            );
        }
        for f in file_findings(self.db_path()) {
            put(f.level, f.check, f.detail);
        }
        let dir = dir_of(self.db_path());
        match std::fs::metadata(&dir) {
            Ok(m) if m.permissions().mode() & 0o002 != 0 => put(
                "warn",
                "目录权限",
                format!(
                    "{} 为 {:o}：任何用户都可在其中创建、改名文件（包括数据库的 -wal、-shm），应为 770 或 700",
                    dir.display(),
                    m.permissions().mode() & 0o7777
                ),
            ),
            Ok(m) => put(
                "ok",
                "目录权限",
                format!("{} 为 {:o}", dir.display(), m.permissions().mode() & 0o777),
            ),
            Err(e) => put("warn", "目录权限", format!("{}：{e}", dir.display())),
        }
        for f in overview_findings(&self.overview()?) {
            put(f.level, f.check, f.detail);
        }
        let year = self.today().year();
        let k = self.key_coverage(year)?;
        let f = key_coverage_finding(&k, year, self.today());
        put(f.level, f.check, f.detail);
        Ok(out)
    }
}

/// The check the witness file is reported under.
const WITNESS_CHECK: &str = "见证文件";

impl Session {
    /// The configured witness file against the log: "fail" when the log is not a
    /// continuation of every checkpoint in it, or when it cannot be read; "warn" when it lies
    /// in the database's own directory; "ok" when none is set (saying how to set one).
    fn witness_finding(&self) -> Result<(&'static str, String)> {
        let Some(path) = self.witness_file()? else {
            return Ok((
                "ok",
                "未设置（settings witness-file 文件）；回滚只有库外保存的检查点才能发现，见 docs/audit.md"
                    .to_string(),
            ));
        };
        let shown = path.display();
        let check = match self.check_witness_file(&path) {
            Ok(c) => c,
            Err(ServiceError::Store(e)) => return Err(e.into()),
            Err(e) => return Ok(("fail", format!("{shown}：{e}"))),
        };
        if !check.breaks.is_empty() {
            let lines: Vec<String> = check.breaks.iter().map(|b| b.to_string()).collect();
            return Ok((
                "fail",
                format!(
                    "审计日志不是 {shown} 中{}个检查点的延续（日志被回滚或改写）：{}",
                    check.breaks.len(),
                    lines.join("；")
                ),
            ));
        }
        let ok = format!(
            "{shown}：审计日志是其中全部 {} 个检查点的延续",
            check.checkpoints
        );
        if super::audit::same_directory(&path, self.db_path()) {
            return Ok((
                "warn",
                format!(
                    "{ok}；但它与数据库在同一目录，能替换数据库的人也能替换它，应放在别处或打印签字保存"
                ),
            ));
        }
        Ok(("ok", ok))
    }
}

/// A file's mode bits, owner and group.
struct FileFacts {
    mode: u32,
    uid: u32,
    gid: u32,
}

impl FileFacts {
    fn of(m: &std::fs::Metadata) -> FileFacts {
        use std::os::unix::fs::MetadataExt;
        FileFacts {
            mode: m.mode() & 0o777,
            uid: m.uid(),
            gid: m.gid(),
        }
    }

    /// Whether the group shares the file (option A of docs/deploy.md: one account each).
    fn shared(&self) -> bool {
        self.mode & 0o070 != 0
    }

    /// The mode the database and its side files should have: 660 shared, else 600.
    fn wanted(&self) -> u32 {
        if self.shared() { 0o660 } else { 0o600 }
    }

    /// `owner:group`, by name where the system knows them.
    fn owner(&self) -> String {
        use nix::unistd::{Gid, Group, Uid, User};
        let user = User::from_uid(Uid::from_raw(self.uid))
            .ok()
            .flatten()
            .map_or_else(|| self.uid.to_string(), |u| u.name);
        let group = Group::from_gid(Gid::from_raw(self.gid))
            .ok()
            .flatten()
            .map_or_else(|| self.gid.to_string(), |g| g.name);
        format!("{user}:{group}")
    }
}

/// The check the file findings are reported under.
const FILE_CHECK: &str = "文件权限";

/// What `doctor` finds on the database file and its side files (`-wal`, `-shm`, `-journal`)
/// as files: a mode that makes one read-only (SQLite then refuses every write, "数据库文件是
/// 只读的"), a side file whose owner or group differs from the database's, the current account
/// unable to write the file, and access for others. Each problem comes with its fix in one
/// line. The mode bits decide, not a trial write: a check run as root would always succeed.
pub fn file_findings(db: &Path) -> Vec<Finding> {
    let main = match std::fs::metadata(db) {
        Ok(m) => FileFacts::of(&m),
        Err(e) => {
            return vec![finding(
                "warn",
                FILE_CHECK,
                format!("{}：{e}", db.display()),
            )];
        }
    };
    let mut out = database_problems(db, &main);
    let mut sides = Vec::new();
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = store::side_file(db, suffix);
        if let Ok(meta) = std::fs::symlink_metadata(&side) {
            out.extend(side_problems(db, &side, &meta, &main));
            sides.push(format!("{suffix} {:o}", FileFacts::of(&meta).mode));
        }
    }
    if out.is_empty() {
        let mut detail = format!("{:o} {}", main.mode, main.owner());
        if !sides.is_empty() {
            detail.push_str(&format!("；{}", sides.join("，")));
        }
        out.push(finding("ok", FILE_CHECK, detail));
    }
    out
}

/// The database file's own mode, and whether the account running this can use it.
fn database_problems(db: &Path, main: &FileFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let want = main.wanted();
    let path = db.display();
    let mode = main.mode;
    if mode & 0o600 != 0o600 {
        out.push(finding(
            "fail",
            FILE_CHECK,
            format!(
                "数据库文件 {path} 为 {mode:o}：属主不能读写，任何写入都会失败。修复：chmod {want:o} {path}"
            ),
        ));
    } else if main.shared() && mode & 0o060 != 0o060 {
        out.push(finding(
            "fail",
            FILE_CHECK,
            format!(
                "数据库文件 {path} 为 {mode:o}：同组用户只能读不能写，他们的写入都会失败。修复：chmod 660 {path}"
            ),
        ));
    }
    if mode & 0o007 != 0 {
        out.push(finding(
            "warn",
            FILE_CHECK,
            format!(
                "数据库文件 {path} 为 {mode:o}：其他用户可访问，应为 660 或 600。修复：chmod {want:o} {path}"
            ),
        ));
    }
    use nix::unistd::{AccessFlags, access};
    if access(db, AccessFlags::R_OK | AccessFlags::W_OK).is_err() {
        let me = super::identity::os_login().unwrap_or_else(|_| "当前账户".to_string());
        let owner = main.owner();
        let group = owner.split_once(':').map_or("", |(_, g)| g);
        out.push(finding(
            "fail",
            FILE_CHECK,
            format!(
                "当前账户 {me} 不能读写数据库文件 {path}（属主 {owner}，{mode:o}）。修复：usermod -aG {group} {me}（重新登录后生效），或以属主账户运行"
            ),
        ));
    }
    out
}

/// A side file's problems against the database file: a symbolic link, another owner (owner
/// only) or group (shared by a group), read-only, or more open than the database.
fn side_problems(
    db: &Path,
    side: &Path,
    meta: &std::fs::Metadata,
    main: &FileFacts,
) -> Vec<Finding> {
    let shown = side.display();
    if meta.file_type().is_symlink() {
        return vec![finding(
            "fail",
            FILE_CHECK,
            format!("{shown} 是符号链接，SQLite 会写到别处。修复：确认无人使用数据库后 rm {shown}"),
        )];
    }
    let f = FileFacts::of(meta);
    let mut out = Vec::new();
    let owner_wrong = if main.shared() {
        f.gid != main.gid
    } else {
        f.uid != main.uid
    };
    if owner_wrong {
        // Shared by a group, new side files keep the group only in a setgid directory.
        let dir = dir_of(db);
        let setgid = std::fs::metadata(&dir).is_ok_and(|m| m.permissions().mode() & 0o2000 != 0);
        let also = if main.shared() && !setgid {
            format!(
                "；并 chmod g+s {}，使新建的 -wal、-shm 沿用属组",
                dir.display()
            )
        } else {
            String::new()
        };
        let who = if main.shared() {
            "同组用户"
        } else {
            "数据库的属主"
        };
        out.push(finding(
            "fail",
            FILE_CHECK,
            format!(
                "{shown} 的属主为 {}，与数据库文件（{}）不同，{who}无法写入。修复：chown {} {shown}{also}",
                f.owner(),
                main.owner(),
                main.owner()
            ),
        ));
    }
    let needed = if main.shared() { 0o660 } else { 0o600 };
    if f.mode & needed != needed {
        out.push(finding(
            "fail",
            FILE_CHECK,
            format!(
                "{shown} 为 {:o}：只读，任何写入都会失败（“数据库文件是只读的”）。修复：chmod {:o} {shown}",
                f.mode,
                main.mode & 0o770 | needed
            ),
        ));
    } else if f.mode & !main.mode & 0o077 != 0 {
        out.push(finding(
            "warn",
            FILE_CHECK,
            format!(
                "{shown} 为 {:o}，比数据库文件（{:o}）开放。修复：chmod {:o} {shown}",
                f.mode, main.mode, main.mode
            ),
        ));
    }
    out
}

/// Key coverage (inspected / all key units, and which are not yet inspected): a warning from
/// the fourth quarter, when the last draw of the window must take them.
fn key_coverage_finding(
    k: &crate::services::dashboard::KeyCoverage,
    year: i32,
    today: chrono::NaiveDate,
) -> Finding {
    if k.missing.is_empty() {
        return finding(
            "ok",
            "重点单位覆盖",
            format!("{year}年重点单位已全部检查（{}/{}）", k.covered, k.all),
        );
    }
    let names: Vec<String> = k
        .missing
        .iter()
        .map(|(id, n)| format!("{id} {n}"))
        .collect();
    finding(
        if today.month() >= 10 { "warn" } else { "ok" },
        "重点单位覆盖",
        format!(
            "{year}年已检查 {}/{}；尚未检查 {} 个：{}",
            k.covered,
            k.all,
            names.len(),
            names.join("、")
        ),
    )
}

/// The overview's alerts as `doctor` reports them, with an "ok" line for each check that
/// found nothing: the dashboard's first screen and `doctor` read the same overview.
fn overview_findings(o: &Overview) -> Vec<Finding> {
    let mut out = vec![calendar_finding(o)];
    let (certs, draws, corrections) = alert_lines(o);
    let mut group = |check, lines: Vec<String>, none: String| {
        if lines.is_empty() {
            out.push(finding("ok", check, none));
        }
        out.extend(lines.into_iter().map(|l| finding("warn", check, l)));
    };
    group(
        "执法证",
        certs,
        format!(
            "在岗执法人员 {} 名，{CERT_WARNING_DAYS} 天内无到期或过期的执法证",
            o.on_duty
        ),
    );
    group(
        "抽取",
        draws,
        format!("共 {} 次抽取，没有已准备而未运行或待批作废的", o.draws),
    );
    group("更正审批", corrections, "没有待审批的更正".to_string());
    out.push(visits_finding(
        "录入期限",
        o.overdue(),
        None,
        "没有逾期未录入的结果".to_string(),
        "逾期未录入".to_string(),
    ));
    out.push(visits_finding(
        "公示",
        o.unpublished(),
        None,
        format!("没有录入满 {PUBLISH_WORKING_DAYS} 个工作日仍未公示的结果"),
        format!("录入满 {PUBLISH_WORKING_DAYS} 个工作日仍未公示"),
    ));
    let (count, closing): (usize, Vec<(i64, String)>) = o
        .alerts
        .iter()
        .find_map(|a| match a {
            Alert::WindowClosing { count, first } => Some((
                *count,
                first
                    .iter()
                    .map(|(id, name, close)| (*id, format!("{name}（{close}截止）")))
                    .collect(),
            )),
            _ => None,
        })
        .unwrap_or_default();
    out.push(visits_finding(
        "检查时间",
        &closing,
        Some((count, "visit list --closing")),
        format!("没有检查时间 {CLOSING_WARNING_DAYS} 个工作日内截止仍未开始的检查任务"),
        format!("未开始，检查时间 {CLOSING_WARNING_DAYS} 个工作日内截止"),
    ));
    out.push(annual_finding(o));
    out
}

use crate::domain::window::CLOSING_WARNING_DAYS;
use chrono::Datelike;

fn finding(level: &'static str, check: &'static str, detail: String) -> Finding {
    Finding {
        level,
        check,
        detail,
    }
}

/// Whether next year's holiday notice is loaded.
fn calendar_finding(o: &Overview) -> Finding {
    let next = o.year + 1;
    if o.alerts
        .iter()
        .any(|a| matches!(a, Alert::NextYearCalendar(_)))
    {
        finding(
            "warn",
            "节假日安排",
            format!("{next}年未载入：跨年的录入期限按周末计算（临时）"),
        )
    } else {
        finding("ok", "节假日安排", format!("{next}年已载入"))
    }
}

/// The certificate, draw and correction alerts, one line each, by check.
fn alert_lines(o: &Overview) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut certs, mut draws, mut corrections) = (Vec::new(), Vec::new(), Vec::new());
    for a in &o.alerts {
        match a {
            Alert::Certificate { code, name, alert } => certs.push(match alert {
                CertAlert::Expired(d) => format!("{code} {name} 已于 {d} 过期"),
                CertAlert::Expiring(d) => format!("{code} {name} 将于 {d} 到期"),
            }),
            Alert::DrawWaiting {
                draw,
                prepared_by,
                prepared_at,
            } => draws.push(format!(
                "{draw} 已准备，尚未运行（{prepared_by} {prepared_at}）"
            )),
            Alert::VoidWaiting { draw } => {
                draws.push(format!("{draw} 已申请作废，待主要负责人批准"))
            }
            Alert::CorrectionsWaiting(n) => corrections.push(format!("{n} 项更正待主要负责人审批")),
            Alert::DrawDue { period, since } => draws.push(format!(
                "{period}尚未抽取（检查时间内第5个工作日 {since} 起提醒）"
            )),
            Alert::Overdue(_)
            | Alert::Unpublished(_)
            | Alert::AnnualReport { .. }
            | Alert::NextYearCalendar(_)
            | Alert::WindowClosing { .. } => {}
        }
    }
    (certs, draws, corrections)
}

/// One line naming the visits (`id 名称`, …) of a check, or its "ok" line when there are none.
/// `of` is how many there are when `visits` names only the first of them, with the command
/// that lists them all.
fn visits_finding(
    check: &'static str,
    visits: &[(i64, String)],
    of: Option<(usize, &str)>,
    none: String,
    what: String,
) -> Finding {
    let count = of.map_or(visits.len(), |(n, _)| n.max(visits.len()));
    if count == 0 {
        return finding("ok", check, none);
    }
    let names: Vec<String> = visits
        .iter()
        .map(|(id, name)| format!("{id} {name}"))
        .collect();
    let more = match of {
        Some((_, all)) if count > visits.len() => {
            format!(" 等（前 {} 项；全部：{all}）", visits.len())
        }
        _ => String::new(),
    };
    finding(
        "warn",
        check,
        format!("{count} 项{what}：{}{more}", names.join("、")),
    )
}

/// The annual report: due, or when it was generated.
fn annual_finding(o: &Overview) -> Finding {
    let annual = o.alerts.iter().find_map(|a| match a {
        Alert::AnnualReport { year, due, late } => Some((*year, *due, *late)),
        _ => None,
    });
    match annual {
        Some((year, due, late)) => finding(
            "warn",
            "年度报告",
            format!(
                "{year}年度报告尚未生成，应于 {due} 前报送领导小组办公室{}（report annual --year {year} 文件）",
                if late { "，已逾期" } else { "" }
            ),
        ),
        None => finding(
            "ok",
            "年度报告",
            match o.annual_report_generated {
                Some(on) => format!("{}年度报告已生成（数据截至 {on}）", o.year),
                None => format!(
                    "{}年度报告应于10月30日前报送，10月1日起未生成即提醒",
                    o.year
                ),
            },
        ),
    }
}
