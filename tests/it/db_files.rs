//! The database file itself through the real binary: a file that is not ours is refused and
//! left as it was, the permissions of a new file, an account that may not reach the file;
//! and what the binary says about import files it cannot read and about removed plan tasks.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::{self, BIN, run, stderr, stdout};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE x(a); INSERT INTO x VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let o = run(&other, &["stats"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("不是 shuangsuiji 数据库"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(&other).unwrap(),
        before,
        "not one byte written"
    );
    let c = rusqlite::Connection::open(&other).unwrap();
    let tables: i64 = c
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
}

#[test]
fn an_empty_file_is_refused_and_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("zero.db");
    std::fs::write(&zero, b"").unwrap();
    let o = run(&zero, &["stats"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("空文件") && err.contains("init"), "{err}");
    assert_eq!(std::fs::metadata(&zero).unwrap().len(), 0);
    assert!(!dir.path().join("zero.db-wal").exists());
}

/// An administrator may prepare the file with the owner, group and mode the deployment needs
/// (`install -m 660 -g GROUP /dev/null FILE`); `init` fills it and keeps them.
#[test]
fn init_fills_a_prepared_empty_file_and_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = dir.path().join("prepared.db");
    std::fs::write(&prepared, b"").unwrap();
    std::fs::set_permissions(&prepared, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(&prepared, &["init", "--demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mode = std::fs::metadata(&prepared).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the prepared mode stays");
    let o = run(&prepared, &["stats", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stats: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(stats.to_string().contains("entities"), "{stats}");
    assert!(run(&prepared, &["audit", "verify"]).status.success());
    // Now it holds a database: a second init is refused and changes nothing.
    let before = std::fs::read(&prepared).unwrap();
    let o = run(&prepared, &["init", "--demo"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已存在"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&prepared).unwrap(), before);

    // An empty file with a write-ahead log beside it is what is left of a database, not a
    // prepared file: refused, both left as they were.
    let leftover = dir.path().join("leftover.db");
    std::fs::write(&leftover, b"").unwrap();
    let wal = dir.path().join("leftover.db-wal");
    std::fs::write(&wal, b"not empty").unwrap();
    let o = run(&leftover, &["init", "--demo"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已存在"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&leftover).unwrap().len(), 0);
    assert_eq!(std::fs::read(&wal).unwrap(), b"not empty");
}

#[test]
fn a_file_that_is_not_sqlite_is_explained_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.csv");
    std::fs::write(&junk, "名称,乡镇\n甲,町店镇\n".repeat(100)).unwrap();
    let o = run(&junk, &["stats"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("不是数据库文件"), "{err}");
    assert!(!err.contains("file is not a database"), "{err}");
}

#[test]
fn a_new_database_is_0660_under_umask_022() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let o = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(BIN)
        .arg("--db")
        .arg(&db)
        .args(["init", "--demo"])
        .env_remove("SHUANGSUIJI_DB")
        .env("SHUANGSUIJI_TODAY", support::DEMO_DAY)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&db), 0o660, "{:o}", mode(&db));
    // While a connection is open, SQLite's -wal and -shm take the database file's mode.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE t(a); DROP TABLE t;").unwrap();
    for suffix in ["-wal", "-shm"] {
        let side = dir.path().join(format!("new.db{suffix}"));
        assert_eq!(mode(&side), 0o660, "{suffix}: {:o}", mode(&side));
    }
}

#[test]
fn an_account_that_cannot_enter_the_directory_is_told_so_not_that_the_file_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let db = support::demo_copy(&dir, "locked/demo.db");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = nix::unistd::geteuid().is_root();
    let mut cmd = if root {
        // Root passes every permission check: run as nobody instead.
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: running as root without setpriv");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        Command::new(BIN)
    };
    let o = cmd
        .arg("--db")
        .arg(&db)
        .arg("stats")
        .env_remove("SHUANGSUIJI_DB")
        .output()
        .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("没有权限"), "{err}");
    assert!(!err.contains("不存在"), "{err}");
}

#[test]
fn import_files_that_cannot_be_read_are_explained_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let folder = dir.path().join("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(&bad, b"not a workbook at all").unwrap();
    let missing = dir.path().join("missing.csv");
    for (file, says) in [
        (&missing, "不存在"),
        (&folder, "目录"),
        (&bad, "文件已损坏，或不是 Excel 格式"),
    ] {
        let o = run(&db, &["import", "entities", file.to_str().unwrap()]);
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("os error"), "{err}");
        assert!(!err.starts_with("Xlsx error"), "{err}");
    }
}

#[test]
fn plan_list_shows_a_removed_task_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let why = "本年度辖区无非道路移动机械备案";
    let remove = || {
        run(
            &db,
            &[
                "plan",
                "remove-task",
                "--plan",
                "NB",
                "--task",
                "NB-4",
                "--reason",
                why,
            ],
        )
    };
    let o = remove();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&db, &["plan", "list"]);
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.contains("NB-4"))
        .expect("the removed task is listed");
    assert!(line.contains("已删除") && line.contains(why), "{line}");
    let o = run(&db, &["plan", "list", "--json"]);
    let plans: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let task = |code: &str| {
        plans
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["task"].as_array().unwrap())
            .find(|t| t["code"] == code)
            .cloned()
    };
    let removed = task("NB-4").expect("the removed task is in the JSON");
    assert_eq!(removed["removed"]["reason"], why);
    assert!(removed["removed"]["audit_seq"].as_u64().unwrap() > 0);
    assert!(task("NB-1").unwrap().get("removed").is_none());
    let o = remove();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已被删除"), "{}", stderr(&o));
}
