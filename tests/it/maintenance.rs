//! Backup, restore and doctor on real database files.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::dashboard::Alert;
use shuangsuiji::services::{OpenOptions, ServiceError, Session, identity, maintenance};

use crate::support::{self, demo_day, open, run, seeds, stdout};
use shuangsuiji::sheets::Overwrite;

/// A demo copy `live.db` and its backup `backup.db`, in a new directory.
fn backed_up() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let backup = dir.path().join("backup.db");
    open(&db, None).backup(&backup, Overwrite::Refuse).unwrap();
    (dir, db, backup)
}

#[test]
fn a_backup_is_owner_only_checked_and_restorable() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let s = open(&db, None);
    let backup = dir.path().join("backup.db");
    let r = s.backup(&backup, Overwrite::Refuse).unwrap();
    // The backup's event is in the copy: its head is the live head after the backup.
    let head = s.audit_checkpoint().unwrap();
    assert_eq!(r.checkpoint, head);
    drop(s);
    let s = open(&db, None);
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        s.backup(&backup, Overwrite::Refuse)
            .unwrap_err()
            .to_string()
            .contains("已存在，未覆盖")
    );
    // The live database moves on; restoring brings back the backup and keeps the old file.
    drop(s);
    let mut s = open(&db, None);
    s.set_province_cap(Some(3)).unwrap();
    drop(s);
    let me = identity::os_login().unwrap();
    let err = maintenance::restore(&backup, &db, &me).unwrap_err();
    assert!(
        err.to_string().contains("将丢失 1 条审计事件"),
        "an older backup is a rollback: {err}"
    );
    let restored = maintenance::restore_with(
        &backup,
        &db,
        &me,
        &maintenance::RestoreOptions {
            allow_rollback: true,
        },
    )
    .unwrap();
    assert_eq!(restored.checkpoint, head);
    assert_eq!(restored.dropped.len(), 1);
    // The restored log is the copy's, with the restore recorded after it.
    let now = open(&db, None).audit_checkpoint().unwrap();
    assert_eq!((now.size, &now), (head.size + 1, &restored.head));
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
    let (dir, db, backup) = backed_up();
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
        !std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("restoring")),
        "the checked copy is cleaned up"
    );
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

fn open_prod(path: &Path) -> Session {
    Session::open(path, &OpenOptions::default()).unwrap()
}

fn me() -> String {
    identity::os_login().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The live database's own -wal and -shm come and go with its connections.
        .filter(|n| !n.starts_with("live.db-"))
        .collect();
    v.sort();
    v
}

#[test]
fn restore_refuses_while_the_database_is_open_elsewhere() {
    let (_dir, db, backup) = backed_up();
    // An idle connection that has read (a dashboard between key presses).
    let idle = rusqlite::Connection::open(&db).unwrap();
    idle.query_row("SELECT count(*) FROM audit_log", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let err = maintenance::restore(&backup, &db, &me()).unwrap_err();
    assert!(err.to_string().contains("请先关闭所有仪表盘"), "{err}");
    drop(idle);
    // A connection in the middle of a read transaction.
    let reader = rusqlite::Connection::open(&db).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    reader
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let err = maintenance::restore(&backup, &db, &me()).unwrap_err();
    assert!(err.to_string().contains("请先关闭所有仪表盘"), "{err}");
    // An open session (the dashboard and every command hold one).
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    let s = open(&db, None);
    assert!(maintenance::restore(&backup, &db, &me()).is_err());
    drop(s);
    assert!(open(&db, None).verify_audit(None).unwrap().is_ok());
    maintenance::restore(&backup, &db, &me()).unwrap();
    assert!(open(&db, None).verify_audit(None).unwrap().is_ok());
}

/// A process that starts just as a restore puts its file in place: its connection is on the
/// old file, and its first read waits for the restore's lock. When the restore is done it
/// must land on the restored file, not on the one kept aside (which it would otherwise turn
/// back to WAL mode, with a `-wal` beside the restored file).
#[test]
fn a_process_opening_during_a_restore_lands_on_the_restored_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let restored = support::demo_copy(&dir, "restored.db");
    let mut r = open(&restored, None);
    r.set_province_cap(Some(7)).unwrap();
    let want = r.audit_checkpoint().unwrap();
    drop(r);
    let old = open(&db, None).audit_checkpoint().unwrap();
    assert_ne!(want, old);
    // The restore's lock on the live file, as `restore` takes it.
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch(
        "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE; COMMIT;",
    )
    .unwrap();
    let (started, waiting) = std::sync::mpsc::channel();
    let late = {
        let db = db.clone();
        std::thread::spawn(move || {
            started.send(()).unwrap();
            let s = open(&db, None);
            (s.audit_checkpoint().unwrap(), s.database_replaced())
        })
    };
    waiting.recv().unwrap();
    // Long enough for the late process to be waiting on the lock (if it is not yet, it
    // opens the restored file directly, which is what is checked too).
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kept = dir.path().join("live.db.before-restore");
    std::fs::rename(&db, &kept).unwrap();
    std::fs::rename(&restored, &db).unwrap();
    drop(lock);
    let (seen, replaced) = late.join().unwrap();
    assert_eq!(seen, want, "the late process reads the restored file");
    assert!(!replaced);
    let header = std::fs::read(&kept).unwrap();
    assert_eq!(header[18], 1, "the file kept aside stays in rollback mode");
    assert!(!store_side(&kept, "-wal").exists());
}

/// A session still on a file someone replaced by hand (restore refuses while it is open):
/// its writes are refused, with words that say to reopen, and nothing is written.
#[test]
fn a_session_on_a_replaced_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let other = support::demo_copy(&dir, "other.db");
    let mut s = open(&db, None);
    assert!(!s.database_replaced());
    s.set_province_cap(Some(3)).unwrap();
    let kept = dir.path().join("live.db.kept");
    std::fs::rename(&db, &kept).unwrap();
    std::fs::rename(&other, &db).unwrap();
    assert!(s.database_replaced());
    let bytes = |p: &Path| std::fs::read(p).unwrap_or_default();
    let before = (bytes(&kept), bytes(&store_side(&db, "-wal")), bytes(&db));
    let err = s.set_province_cap(Some(4)).unwrap_err().to_string();
    assert!(
        err.contains("已被替换") && err.contains("重新打开"),
        "{err}"
    );
    let after = (bytes(&kept), bytes(&store_side(&db, "-wal")), bytes(&db));
    assert!(before == after, "the refused write changed a file");
}

fn store_side(path: &Path, suffix: &str) -> std::path::PathBuf {
    shuangsuiji::store::side_file(path, suffix)
}

#[test]
fn restore_refuses_another_database_or_the_other_mode() {
    let dir = tempfile::tempdir().unwrap();
    let prod = dir.path().join("prod.db");
    shuangsuiji::services::init::init_empty(&prod, &me(), demo_day()).unwrap();
    let demo = support::demo_copy(&dir, "demo.db");
    let err = maintenance::restore(&demo, &prod, &me()).unwrap_err();
    assert!(err.to_string().contains("备份是示例数据库"), "{err}");
    let other = dir.path().join("other.db");
    shuangsuiji::services::init::init_empty(&other, &me(), demo_day()).unwrap();
    let err = maintenance::restore_with(
        &other,
        &prod,
        &me(),
        &maintenance::RestoreOptions {
            allow_rollback: true,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("是另一个数据库的备份"), "{err}");
    // Its own backup restores.
    let backup = dir.path().join("prod-backup.db");
    open_prod(&prod).backup(&backup, Overwrite::Refuse).unwrap();
    maintenance::restore(&backup, &prod, &me()).unwrap();
}

#[test]
fn restore_refuses_to_drop_audit_events_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let before = dir.path().join("before.db");
    open(&db, None).backup(&before, Overwrite::Refuse).unwrap();
    open(&db, None)
        .run_draw("2026Q2-01", &seeds()[..1], &[])
        .unwrap();
    let after = dir.path().join("after.db");
    open(&db, None).backup(&after, Overwrite::Refuse).unwrap();
    let err = maintenance::restore(&before, &db, &me()).unwrap_err();
    let words = err.to_string();
    assert!(words.contains("将丢失"), "{words}");
    assert!(words.contains("draw.run 2026Q2-01"), "{words}");
    assert!(words.contains("--allow-rollback"), "{words}");
    // The same copy and one that extends the live log restore without the flag.
    maintenance::restore(&after, &db, &me()).unwrap();
    let r = maintenance::restore_with(
        &before,
        &db,
        &me(),
        &maintenance::RestoreOptions {
            allow_rollback: true,
        },
    )
    .unwrap();
    assert!(r.dropped.iter().any(|e| e == "draw.run 2026Q2-01"));
    // Going forward again drops the record of that rollback (db.restore): that too needs
    // the flag.
    let err = maintenance::restore(&after, &db, &me()).unwrap_err();
    assert!(err.to_string().contains("db.restore"), "{err}");
    let r = maintenance::restore_with(
        &after,
        &db,
        &me(),
        &maintenance::RestoreOptions {
            allow_rollback: true,
        },
    )
    .unwrap();
    assert!(r.dropped.iter().all(|e| e.starts_with("db.restore")));
    assert!(
        open(&db, None)
            .run_draw("2026Q2-01", &seeds()[..1], &[])
            .is_err(),
        "the draw stays run"
    );
}

#[test]
fn restore_refuses_a_changed_schema_and_names_a_damaged_copy() {
    let (dir, db, backup) = backed_up();
    let tampered = dir.path().join("tampered.db");
    std::fs::copy(&backup, &tampered).unwrap();
    {
        let raw = rusqlite::Connection::open(&tampered).unwrap();
        raw.execute_batch("DROP TRIGGER audit_log_no_update")
            .unwrap();
    }
    let err = maintenance::restore(&tampered, &db, &me()).unwrap_err();
    assert!(err.to_string().contains("数据库结构被改动过"), "{err}");
    assert!(err.to_string().contains("audit_log_no_update"), "{err}");
    // Not a database at all, and a database with pages overwritten.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x5a; 8192]).unwrap();
    let err = maintenance::restore(&junk, &db, &me()).unwrap_err();
    assert!(err.to_string().contains("已损坏"), "{err}");
    let broken = dir.path().join("broken.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096..len.min(4096 * 40)] {
        *b = 0xff;
    }
    std::fs::write(&broken, bytes).unwrap();
    let err = maintenance::restore(&broken, &db, &me()).unwrap_err();
    assert!(err.to_string().contains("已损坏"), "{err}");
    assert!(!err.to_string().contains("malformed") || err.to_string().contains("已损坏"));
    // doctor runs the same schema check on the live database.
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch("DROP TRIGGER audit_log_no_delete")
            .unwrap();
    }
    let findings = open(&db, None).doctor().unwrap();
    assert!(
        findings.iter().any(|f| f.check == "数据库结构"
            && f.level == "fail"
            && f.detail.contains("audit_log_no_delete")),
        "{findings:?}"
    );
}

#[test]
fn backup_leaves_only_the_backup_and_never_removes_others_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    let s = open(&db, None);
    std::fs::write(dir.path().join("bkz.partial"), "mine").unwrap();
    std::fs::write(dir.path().join("bkz.db.partial"), "mine").unwrap();
    let before = names(dir.path());
    s.backup(&dir.path().join("bkz.db"), Overwrite::Refuse)
        .unwrap();
    let mut want = before.clone();
    want.push("bkz.db".to_string());
    want.sort();
    assert_eq!(names(dir.path()), want);
    maintenance::check_file(&dir.path().join("bkz.db")).unwrap();
    assert_eq!(
        names(dir.path()),
        want,
        "a check leaves nothing beside the file"
    );
    // A plain copy of a WAL database is checked without side files too.
    drop(s);
    std::fs::copy(&db, dir.path().join("plain.db")).unwrap();
    want.push("plain.db".to_string());
    want.sort();
    maintenance::check_file(&dir.path().join("plain.db")).unwrap();
    assert_eq!(names(dir.path()), want);
    let err = open(&db, None)
        .backup(&dir.path().join("bkz.partial"), Overwrite::Refuse)
        .unwrap_err();
    assert!(err.to_string().contains("已存在，未覆盖"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bkz.partial")).unwrap(),
        "mine"
    );
}

#[test]
fn doctor_says_what_it_checked_and_exits_by_level() {
    let dir = tempfile::tempdir().unwrap();
    let prod = dir.path().join("prod.db");
    shuangsuiji::services::init::init_empty(&prod, &me(), demo_day()).unwrap();
    let findings = open_prod(&prod).doctor().unwrap();
    for check in ["执法证", "抽取", "数据库结构", "目录权限"] {
        assert!(
            findings.iter().any(|f| f.check == check && f.level == "ok"),
            "{check}: {findings:?}"
        );
    }
    let sub = dir.path().join("open");
    std::fs::create_dir(&sub).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = sub.join("live.db");
    std::fs::copy(support::demo_copy(&dir, "t.db"), &db).unwrap();
    let findings = open(&db, None).doctor().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.check == "目录权限" && f.level == "warn")
    );
    let doctor = |db: &Path| run(db, &["doctor"]);
    let o = doctor(&db);
    assert_eq!(o.status.code(), Some(2), "warnings only");
    assert!(stdout(&o).contains("正常"));
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch("DROP TRIGGER audit_log_no_update")
            .unwrap();
    }
    assert_eq!(doctor(&db).status.code(), Some(1), "an error");
}

/// The findings of one check.
fn check<'a>(findings: &'a [maintenance::Finding], check: &str) -> Vec<&'a maintenance::Finding> {
    findings.iter().filter(|f| f.check == check).collect()
}

#[test]
fn results_entered_and_not_published_in_twenty_working_days_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let today = support::day("2026-10-15");
    let db = support::demo_copy_at(&dir, "live.db", today);
    let s = support::open_on(&db, None, today);
    let overview = s.overview().unwrap();
    let flagged = overview.unpublished().to_vec();
    assert!(flagged.len() > 1, "the demo has results left unpublished");
    let cal = s.calendar().unwrap();
    for (id, name) in &flagged {
        let v = s.visit(*id).unwrap();
        assert_eq!(v.state, VisitState::Entered, "{id}");
        assert_eq!(&v.entity_name, name);
        let entered = v.dates.entered.unwrap();
        assert!(
            cal.add_working_days(entered, 20).date < today,
            "{id} {entered}"
        );
    }
    // Every entered result not flagged was entered within the 20 working days.
    for v in s.list_visits(&Default::default()).unwrap() {
        if v.state == VisitState::Entered && !flagged.iter().any(|(id, _)| *id == v.id) {
            let entered = v.dates.entered.unwrap();
            assert!(cal.add_working_days(entered, 20).date >= today, "{}", v.id);
        }
    }
    let findings = s.doctor().unwrap();
    let lines = check(&findings, "公示");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].level, "warn");
    for (id, name) in &flagged {
        assert!(
            lines[0].detail.contains(&format!("{id} {name}")),
            "{}",
            lines[0].detail
        );
    }
    drop(s);
    // Once published, the alert and the warning go; a result held back by a pending
    // correction stays flagged.
    let lead = support::only(&support::open_on(&db, None, today), Role::Lead);
    let mut lead = support::open_on(&db, &lead, today);
    let export = lead
        .export_publicity(&dir.path().join("p.csv"), None)
        .unwrap();
    drop(lead);
    let held: Vec<(i64, String)> = flagged
        .iter()
        .filter(|(id, _)| export.held_back.iter().any(|h| h.visit_id == *id))
        .cloned()
        .collect();
    assert!(
        held.len() < flagged.len(),
        "some flagged results were published"
    );
    let s = support::open_on(&db, None, today);
    assert_eq!(s.overview().unwrap().unpublished(), held.as_slice());
    let findings = s.doctor().unwrap();
    let lines = check(&findings, "公示");
    assert_eq!(lines.len(), 1);
    let level = if held.is_empty() { "ok" } else { "warn" };
    assert_eq!(lines[0].level, level, "{:?}", lines[0]);
}

fn annual_alert(s: &Session) -> Option<Alert> {
    s.overview()
        .unwrap()
        .alerts
        .into_iter()
        .find(|a| matches!(a, Alert::AnnualReport { .. }))
}

#[test]
fn the_annual_report_is_reminded_from_october_until_it_is_generated() {
    let dir = tempfile::tempdir().unwrap();
    let oct = support::day("2026-10-15");
    let db = support::demo_copy_at(&dir, "oct.db", oct);
    let s = support::open_on(&db, None, oct);
    assert_eq!(
        annual_alert(&s),
        Some(Alert::AnnualReport {
            year: 2026,
            due: support::day("2026-10-30"),
            late: false
        })
    );
    let findings = s.doctor().unwrap();
    let lines = check(&findings, "年度报告");
    assert_eq!((lines.len(), lines[0].level), (1, "warn"));
    assert!(
        lines[0].detail.contains("2026-10-30"),
        "{}",
        lines[0].detail
    );
    drop(s);
    // Past the deadline it is urgent.
    let late = support::open_on(&db, None, support::day("2026-11-02"));
    let alert = annual_alert(&late).unwrap();
    assert!(alert.urgent());
    assert!(matches!(alert, Alert::AnnualReport { late: true, .. }));
    drop(late);
    // `report annual` writes the file and records it; the reminder stops.
    let file = dir.path().join("2026年度报告.md");
    let o = support::command(&db, &["report", "annual", "--year", "2026"])
        .arg(&file)
        .env("SHUANGSUIJI_TODAY", "2026-10-15")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", support::stderr(&o));
    assert!(file.exists());
    let s = support::open_on(&db, None, oct);
    assert_eq!(annual_alert(&s), None);
    assert_eq!(s.annual_report_generated(2026).unwrap(), Some(oct));
    let findings = s.doctor().unwrap();
    let lines = check(&findings, "年度报告");
    assert_eq!(lines[0].level, "ok");
    assert!(lines[0].detail.contains("已生成"), "{}", lines[0].detail);
    assert!(s.verify_audit(None).unwrap().is_ok());
}

#[test]
fn no_reminder_before_october_and_an_early_report_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "may.db");
    let mut s = open(&db, None);
    assert_eq!(annual_alert(&s), None, "not before 10月1日");
    let findings = s.doctor().unwrap();
    assert_eq!(check(&findings, "年度报告")[0].level, "ok");
    s.write_annual_report(2026, &dir.path().join("early.xlsx"), Overwrite::Refuse)
        .unwrap();
    drop(s);
    let s = support::open_on(&db, None, support::day("2026-10-01"));
    assert!(
        annual_alert(&s).is_some(),
        "a report as of May is not the year's report"
    );
}
