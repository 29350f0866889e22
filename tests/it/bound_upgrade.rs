//! Issue 10, item 5: a database made before rows were bound is bound by one event when it is
//! upgraded; a later upgrade binds only what it finds unbound, and a row changed beside the
//! log before it stays reported; the log's listing keeps the rows' digest out of the way.

use std::io::Read;
use std::path::{Path, PathBuf};

use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::services::audit::RowProblem;

use crate::support::{self, open, run, stdout};

/// The first year's demo database (made by that build, schema before rows were bound).
fn first_year_db(dir: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/first-year-v1.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(fixture).unwrap()).unwrap();
    let mut bytes = Vec::new();
    zip.by_name("demo-v1.db")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let path = dir.join("first-year.db");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Rows in every table but the log and drafts, counted with a raw connection.
fn record_rows(path: &Path) -> u64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT IN ('audit_log', 'audit_rows', 'result_drafts')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    tables
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| {
                r.get::<_, u64>(0)
            })
            .unwrap()
        })
        .sum()
}

fn events(path: &Path) -> u64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_first_year_database_is_bound_by_one_baseline_event_when_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let db = first_year_db(dir.path());
    let before = events(&db);
    assert!(before > 100, "the fixture has a year's log: {before}");
    let s = open(&db, None);
    let after = record_rows(&db);
    // Exactly one event more: the baseline, by the system, binding every row there is now.
    assert_eq!(events(&db), before + 1);
    let last = &s.audit_events(&EventFilter::default()).unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("audit.baseline", "system")
    );
    let detail: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(detail["rows"], after, "{detail}");
    assert_eq!(detail["unlogged"], 0, "{detail}");
    assert_eq!(detail["bound"]["n"], after, "{detail}");
    let check = s.verify_rows().unwrap();
    assert_eq!(check.total, 0, "{:?}", check.problems);
    assert_eq!(check.rows, after);
    drop(s);

    // From then on a row changed beside the log is named.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let inspector: String = conn
        .query_row(
            "SELECT min(login) FROM users WHERE roles = '[\"inspector\"]'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE users SET roles = '[\"admin\",\"principal\"]' WHERE login = ?1",
            [&inspector],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let check = open(&db, None).verify_rows().unwrap();
    assert_eq!(check.total, 1, "{:?}", check.problems);
    assert!(
        matches!(&check.problems[0], RowProblem::Edited { table, key, fields, .. }
            if table == "users" && *key == inspector && fields == &["roles"]),
        "{:?}",
        check.problems
    );
}

#[test]
fn an_upgrade_keeps_reporting_a_row_changed_beside_the_log_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "d.db");
    let s = open(&db, None);
    assert_eq!(s.verify_rows().unwrap().total, 0);
    drop(s);
    // Someone edits an entity with sqlite3, then makes the program believe the last four
    // migrations have yet to run (v11 re-creates the town list; v12's and v14's indexes are
    // kept; v13 copies the drafts into a table of the same shape).
    let conn = rusqlite::Connection::open(&db).unwrap();
    let code: String = conn
        .query_row("SELECT min(code) FROM entities", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "UPDATE entities SET name = name || '（改）' WHERE code = ?1",
        [&code],
    )
    .unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    conn.execute_batch("DROP TABLE towns").unwrap();
    conn.pragma_update(None, "user_version", version - 4)
        .unwrap();
    drop(conn);
    let s = open(&db, None);
    let last = &s.audit_events(&EventFilter::default()).unwrap()[0];
    assert_eq!(last.action, "audit.rebind");
    let detail: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(detail["unlogged"], 1, "{detail}");
    let check = s.verify_rows().unwrap();
    assert!(
        check.problems.iter().any(|p| matches!(p,
            RowProblem::FoundAtRebind { table, key, .. } if table == "entities" && *key == code)),
        "{:?}",
        check.problems
    );
    // The town list the migration wrote again is bound as it is (the same rows as before).
    assert!(
        !check
            .problems
            .iter()
            .any(|p| p.to_string().contains("towns")),
        "{:?}",
        check.problems
    );
}

#[test]
fn the_log_listing_leaves_the_rows_digest_to_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "d.db");
    let listed = stdout(&run(&db, &["audit", "log", "--limit", "3"]));
    assert!(!listed.contains("\"bound\""), "{listed}");
    let json = stdout(&run(&db, &["audit", "log", "--limit", "3", "--json"]));
    assert!(json.contains("bound"), "{json}");
    let verified = run(&db, &["audit", "verify"]);
    assert!(verified.status.success());
    assert!(
        stdout(&verified).contains("记录行与审计日志一致"),
        "{}",
        stdout(&verified)
    );
}
