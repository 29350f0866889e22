//! Backup, restore and doctor on real database files.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use shuangsuiji::services::{OpenOptions, ServiceError, Session, identity, maintenance};

fn open(path: &Path, login: Option<&str>) -> Session {
    Session::open(
        path,
        &OpenOptions {
            act_as: login.map(str::to_string),
            today: Some(support::demo_day()),
        },
    )
    .unwrap()
}

#[test]
fn a_backup_is_owner_only_checked_and_restorable() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let s = open(&db, None);
    let head = s.audit_checkpoint().unwrap();
    let backup = dir.path().join("backup.db");
    let r = s.backup(&backup).unwrap();
    assert_eq!(r.checkpoint, head);
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        s.backup(&backup)
            .unwrap_err()
            .to_string()
            .contains("不会覆盖")
    );
    // The live database moves on; restoring brings back the backup and keeps the old file.
    let mut s = open(&db, None);
    s.set_province_cap(Some(3)).unwrap();
    drop(s);
    let restored = maintenance::restore(&backup, &db, &identity::os_login().unwrap()).unwrap();
    assert_eq!(restored, head);
    assert_eq!(open(&db, None).audit_checkpoint().unwrap(), head);
    let kept = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("live.db.before-restore-")
        })
        .count();
    assert_eq!(kept, 1);
}

#[test]
fn a_tampered_backup_is_refused_and_only_admins_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let backup = dir.path().join("backup.db");
    open(&db, None).backup(&backup).unwrap();
    // Only an admin of the backup may restore it.
    let err = maintenance::restore(&backup, &db, "observer.chen").unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    {
        let raw = rusqlite::Connection::open(&backup).unwrap();
        raw.execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;").unwrap();
    }
    let err = maintenance::restore(&backup, &db, &identity::os_login().unwrap()).unwrap_err();
    assert!(err.to_string().contains("审计日志核验未通过"), "{err}");
    assert!(
        open(&db, None).verify_audit(None).unwrap().is_ok(),
        "the live database is untouched"
    );
}

#[test]
fn doctor_names_what_needs_attention() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let findings = open(&db, None).doctor().unwrap();
    let get = |check: &str| {
        findings
            .iter()
            .filter(|f| f.check == check)
            .collect::<Vec<_>>()
    };
    assert_eq!(get("完整性检查")[0].level, "ok");
    assert_eq!(get("审计日志")[0].level, "ok");
    assert!(
        get("抽取").iter().any(|f| f.detail.contains("2026Q2-01")),
        "the prepared draw is waiting"
    );
    assert!(get("节假日安排")[0].detail.contains("2027"));
    assert!(
        !get("执法证").is_empty(),
        "the demo has certificates expiring"
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let findings = open(&db, None).doctor().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.check == "文件权限" && f.level == "warn")
    );
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;").unwrap();
    }
    let findings = open(&db, None).doctor().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.check == "审计日志" && f.level == "fail")
    );
}

#[test]
fn a_writer_waiting_on_another_gets_words_not_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut s = open(&db, None);
    // Another writer holds the lock for longer than the busy timeout would wait in a test,
    // so shorten the wait through a raw handle to the same file.
    let started = std::time::Instant::now();
    let waiter = rusqlite::Connection::open(&db).unwrap();
    waiter
        .busy_timeout(std::time::Duration::from_millis(200))
        .unwrap();
    let err = waiter.execute_batch("BEGIN IMMEDIATE").unwrap_err();
    let words = shuangsuiji::store::StoreError::from(err).to_string();
    assert_eq!(words, "数据库正忙（其他用户正在写入），请稍后再试");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    holder.execute_batch("COMMIT").unwrap();
    s.set_province_cap(Some(2)).unwrap();
}
