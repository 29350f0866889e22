//! Issue 10, item 5: the tamper matrix. Every record table of the database (all but the log,
//! its row lists and result drafts, taken from `sqlite_master` so that a new table is covered
//! at once) × {update a field, delete a row, insert a forged row}, each done by an insider
//! with a plain SQLite connection who drops the table's triggers, tampers, and re-creates them
//! exactly. `verify_rows` must name the table (and the field changed, or the key deleted or
//! forged) in every case. Then the log itself: emptied, its tail cut (caught by the rows when
//! the cut events wrote rows, by a witness checkpoint when they did not), a row list altered,
//! and a tampered row later overwritten by a legitimate write. Last, the same through the
//! binary: `audit verify`, `doctor`, and an observer who is not shown the keys.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;
use rusqlite::Connection;
use rusqlite::types::Value;
use shuangsuiji::domain::result::InspectionResult;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::targeted::TargetedReason;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::Session;
use shuangsuiji::services::audit::{BindingCheck, RowProblem};
use shuangsuiji::services::plans::PlanEdit;
use shuangsuiji::services::targeted::TargetedEntry;
use shuangsuiji::sheets::Overwrite;

use crate::support::{self, clean_result, day, login_of, only, open_on, problem_result};

/// Late in the demo year: three quarters run, most tables filled.
const TODAY: &str = "2026-11-20";
const ADMIN: &str = "admin.li";
const LEAD: &str = "lead.liu";
const PRINCIPAL: &str = "principal.wang";
/// Tables that are not record tables (`store::binding::UNBOUND`, restated: the test must not
/// take the code's word for what is bound).
const UNBOUND: [&str; 3] = ["audit_log", "audit_rows", "result_drafts"];

fn today() -> NaiveDate {
    day(TODAY)
}

fn session(db: &Path, login: &str) -> Session {
    open_on(db, login, today())
}

// ---------------------------------------------------------------------------------------------
// The populated database.

/// The demo as of [`TODAY`] with every table the demo leaves empty filled through the
/// services; built once per process (copy it before changing it).
fn populated() -> &'static Path {
    static BUILT: Mutex<Option<&'static Path>> = Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(p) = *built {
        return p;
    }
    let dir = tempfile::tempdir().unwrap().keep();
    let db = dir.join("populated.db");
    std::fs::copy(support::demo_at(today()), &db).unwrap();
    populate(&db, &dir);
    let p: &'static Path = Box::leak(db.into_boxed_path());
    *built = Some(p);
    p
}

/// A fresh copy of the populated database in `dir`.
fn copy(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::copy(populated(), &path).unwrap();
    path
}

/// Writes, through the services, a row in every table the demo leaves empty.
fn populate(db: &Path, dir: &Path) {
    let mut lead = session(db, LEAD);
    let visits = lead.list_visits(&Default::default()).unwrap();
    let unstarted: Vec<_> = visits
        .iter()
        .filter(|v| v.state == VisitState::Assigned && v.problem.is_none() && !v.team.is_empty())
        .collect();
    assert!(unstarted.len() >= 2, "the demo has unstarted visits");

    // substitutions, substitution_requests, substitution_approvals.
    let v = unstarted[0];
    let sub = lead
        .substitute(&v.draw_id, &v.entity, &v.team[0].inspector, "病假")
        .unwrap();
    let request = lead
        .request_substitution(&v.draw_id, &v.entity, &sub.replacement, "公差")
        .unwrap();
    session(db, PRINCIPAL)
        .approve_substitution(request.id)
        .unwrap();

    // visit_lapses.
    lead.lapse_visit(unstarted[1].id, "企业停产，未实施")
        .unwrap();

    // draw_void_requests, draw_void_approvals: the prepared fourth quarter.
    lead.request_void("2026Q4-01", "人员名单有误，重新准备")
        .unwrap();
    session(db, PRINCIPAL).approve_void("2026Q4-01").unwrap();

    // plan_changes, plan_notices, plan_notice_changes, plan_notice_sent.
    lead.edit_plan(
        2026,
        "NB",
        PlanEdit::RemoveTask("NB-4".into()),
        "该事项由市局统一组织检查",
    )
    .unwrap();
    let notice = lead
        .write_plan_notice(2026, &dir.join("报送件.md"), Overwrite::Refuse)
        .unwrap();
    lead.mark_notice_sent(&notice.id, today()).unwrap();

    // targeted_checks.
    let entity = unstarted[1].entity.clone();
    let item = lead.result_view(unstarted[1].id).unwrap().items[0]
        .0
        .clone();
    let team: Vec<String> = lead
        .list_inspectors()
        .unwrap()
        .into_iter()
        .filter(|i| i.certified_on(today()) && !i.on_leave(today()) && !i.conflicts_with(&entity))
        .take(2)
        .map(|i| i.code)
        .collect();
    lead.record_targeted(
        &TargetedEntry {
            entity,
            reason: TargetedReason::Complaint,
            detail: "12369-1120".into(),
            team,
            started: today(),
            completed: today(),
        },
        &InspectionResult::blank(&[item]),
    )
    .unwrap();

    // publication_marks, corrections, correction_decisions: two entered results.
    let entered: Vec<_> = visits
        .iter()
        .filter(|v| v.state == VisitState::Entered && !v.pending_correction)
        .collect();
    assert!(entered.len() >= 2, "the demo has entered results");
    lead.mark_for_publicity(entered[0].id).unwrap();
    let c = entered[1];
    let officer = login_of(&lead, &c.team[0].inspector);
    let mut s = session(db, &officer);
    let fixed = problem_result(&s, c.id);
    let cid = match s.file_correction(c.id, &fixed, "补充检查发现的问题") {
        Ok(cid) => cid,
        Err(_) => s
            .file_correction(c.id, &clean_result(&s, c.id), "更正录入错误")
            .unwrap(),
    };
    drop(s);
    session(db, PRINCIPAL)
        .decide_correction(cid, true, "同意")
        .unwrap();

    // department_aliases.
    session(db, ADMIN)
        .add_department_alias("水务局", "水利局", "配合部门名单用简称")
        .unwrap();
}

/// The record tables of a database, from `sqlite_master`.
fn record_tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|n| !UNBOUND.contains(&n.as_str()))
        .collect()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {}", ident(table)), [], |r| {
        r.get(0)
    })
    .unwrap()
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn verify(db: &Path, login: &str) -> BindingCheck {
    session(db, login).verify_rows().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Tampering as an insider: a plain connection, the table's triggers dropped and re-created.

/// The triggers on `tables`: (name, SQL).
fn triggers(conn: &Connection, tables: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 \
                 ORDER BY name",
            )
            .unwrap();
        out.extend(
            stmt.query_map([t], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    out
}

/// Opens `db` as an insider would, drops the triggers of `tables`, runs `tamper`, and
/// re-creates the triggers exactly as they were; returns what `tamper` returned.
fn as_insider<T>(db: &Path, tables: &[&str], tamper: impl FnOnce(&Connection) -> T) -> T {
    let conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    let before = triggers(&conn, tables);
    for (name, _) in &before {
        conn.execute_batch(&format!("DROP TRIGGER {}", ident(name)))
            .unwrap();
    }
    let out = tamper(&conn);
    for (_, sql) in &before {
        conn.execute_batch(sql).unwrap();
    }
    assert_eq!(
        triggers(&conn, tables),
        before,
        "the triggers are back as they were"
    );
    out
}

/// A column of a table.
struct Column {
    name: String,
    /// Position in the key (0: not a key column).
    pk: i64,
}

fn columns(conn: &Connection, table: &str) -> Vec<Column> {
    let mut stmt = conn
        .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")
        .unwrap();
    stmt.query_map([table], |r| {
        Ok(Column {
            name: r.get(0)?,
            pk: r.get(1)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The key columns of a table in key order (empty: keyed by rowid).
fn key_columns(cols: &[Column]) -> Vec<String> {
    let mut key: Vec<&Column> = cols.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    key.into_iter().map(|c| c.name.clone()).collect()
}

/// The key a problem names: a one-column key's value, a JSON array of a composite one's.
fn key_text(values: &[Value]) -> String {
    let json = |v: &Value| match v {
        Value::Integer(i) => serde_json::json!(i),
        Value::Text(t) => serde_json::json!(t),
        other => panic!("unexpected key value {other:?}"),
    };
    match values {
        [Value::Integer(i)] => i.to_string(),
        [Value::Text(t)] => t.clone(),
        many => serde_json::Value::Array(many.iter().map(json).collect()).to_string(),
    }
}

/// One row of a table to tamper with: the key columns (or `rowid`) and their values.
struct Target {
    key_cols: Vec<String>,
    key: Vec<Value>,
    values: Vec<(String, Value)>,
}

impl Target {
    fn filter(&self) -> String {
        self.key_cols
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} IS ?{}", ident(c), i + 1))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// The row written last (highest rowid; for a table without rowid, the highest key).
fn target(conn: &Connection, table: &str) -> Target {
    let cols = columns(conn, table);
    let key_cols = {
        let k = key_columns(&cols);
        if k.is_empty() {
            vec!["rowid".to_string()]
        } else {
            k
        }
    };
    let with_rowid = conn
        .prepare(&format!("SELECT rowid FROM {}", ident(table)))
        .is_ok();
    let order = if with_rowid {
        "rowid DESC".to_string()
    } else {
        key_cols
            .iter()
            .map(|c| format!("{} DESC", ident(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let list = key_cols
        .iter()
        .chain(cols.iter().map(|c| &c.name))
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    conn.query_row(
        &format!(
            "SELECT {list} FROM {} ORDER BY {order} LIMIT 1",
            ident(table)
        ),
        [],
        |r| {
            let key = (0..key_cols.len())
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let values = cols
                .iter()
                .enumerate()
                .map(|(i, c)| Ok((c.name.clone(), r.get::<_, Value>(key_cols.len() + i)?)))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Target {
                key_cols: key_cols.clone(),
                key,
                values,
            })
        },
    )
    .unwrap_or_else(|e| panic!("table {table} has a row: {e}"))
}

/// A new value for a key column: text + "-伪", an integer past the column's largest.
fn new_key_value(conn: &Connection, table: &str, col: &str, v: &Value) -> Value {
    match v {
        Value::Text(t) => Value::Text(format!("{t}-伪")),
        Value::Integer(_) => {
            let max: i64 = conn
                .query_row(
                    &format!("SELECT max({}) FROM {}", ident(col), ident(table)),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            Value::Integer(max + 1000)
        }
        other => panic!("key {table}.{col} is {other:?}"),
    }
}

/// What a case did: the field changed or the key deleted or forged.
enum Tampered {
    Field(String),
    /// The key of a key-only table changed from the first key to the second.
    Key(String, String),
    Deleted(String),
    Forged(String),
}

/// Updates one field of the target row: a TEXT or INTEGER non-key column whose new value the
/// table's constraints accept; for a table of key columns only, the key.
fn update_field(conn: &Connection, table: &str, t: &Target) -> Tampered {
    let cols = columns(conn, table);
    let non_key: Vec<&(String, Value)> = t
        .values
        .iter()
        .filter(|(name, _)| !t.key_cols.contains(name))
        .collect();
    if non_key.is_empty() {
        // Key columns only: change the last key column.
        let col = &key_columns(&cols).last().cloned().unwrap();
        let i = t.key_cols.iter().position(|c| c == col).unwrap();
        let new = new_key_value(conn, table, col, &t.key[i]);
        let mut key = t.key.clone();
        key[i] = new.clone();
        let mut all: Vec<Value> = vec![new];
        all.extend(t.key.iter().cloned());
        let filter = t
            .key_cols
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} IS ?{}", ident(c), i + 2))
            .collect::<Vec<_>>()
            .join(" AND ");
        let n = conn
            .execute(
                &format!(
                    "UPDATE {} SET {} = ?1 WHERE {filter}",
                    ident(table),
                    ident(col)
                ),
                rusqlite::params_from_iter(all.iter()),
            )
            .unwrap();
        assert_eq!(n, 1);
        return Tampered::Key(key_text(&t.key), key_text(&key));
    }
    for (name, value) in non_key {
        let set = match value {
            Value::Text(_) => format!("{0} = {0} || '-改'", ident(name)),
            Value::Integer(0) => format!("{} = 1", ident(name)),
            Value::Integer(1) => format!("{} = 0", ident(name)),
            Value::Integer(_) => format!("{0} = {0} + 1", ident(name)),
            _ => continue,
        };
        let sql = format!("UPDATE {} SET {set} WHERE {}", ident(table), t.filter());
        // A CHECK constraint may refuse the new value: try the next column.
        if let Ok(1) = conn.execute(&sql, rusqlite::params_from_iter(t.key.iter())) {
            return Tampered::Field(name.clone());
        }
    }
    panic!("no field of {table} could be changed")
}

fn delete_row(conn: &Connection, table: &str, t: &Target) -> Tampered {
    let n = conn
        .execute(
            &format!("DELETE FROM {} WHERE {}", ident(table), t.filter()),
            rusqlite::params_from_iter(t.key.iter()),
        )
        .unwrap();
    assert_eq!(n, 1);
    Tampered::Deleted(key_text(&t.key))
}

/// The columns of each UNIQUE constraint other than the key.
fn unique_sets(conn: &Connection, table: &str) -> Vec<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_index_list(?1) WHERE \"unique\" AND origin != 'pk'")
        .unwrap();
    let names: Vec<String> = stmt
        .query_map([table], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .iter()
        .map(|index| {
            let mut stmt = conn
                .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                .unwrap();
            stmt.query_map([index], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        })
        .collect()
}

/// Inserts a copy of the target row with a new key (and a new value in one column of each
/// other UNIQUE constraint, so that the copy is accepted).
fn forge_row(conn: &Connection, table: &str, t: &Target) -> Tampered {
    let cols = columns(conn, table);
    let mut row: Vec<(String, Value)> = t.values.clone();
    let mut key = t.key.clone();
    let rowid_keyed = t.key_cols == ["rowid"];
    if rowid_keyed {
        key[0] = new_key_value(conn, table, "rowid", &t.key[0]);
    }
    for (name, value) in row.iter_mut() {
        if let Some(i) = t.key_cols.iter().position(|c| c == name) {
            *value = new_key_value(conn, table, name, value);
            key[i] = value.clone();
        }
    }
    for set in unique_sets(conn, table) {
        if set.iter().any(|c| t.key_cols.contains(c)) {
            continue;
        }
        let pick = set
            .iter()
            .find(|c| {
                row.iter()
                    .any(|(n, v)| n == *c && matches!(v, Value::Integer(_)))
            })
            .or_else(|| set.first())
            .unwrap();
        let (_, v) = row.iter_mut().find(|(n, _)| n == pick).unwrap();
        *v = match v {
            Value::Integer(i) => Value::Integer(*i + 1000),
            Value::Text(s) => Value::Text(format!("{s}-伪")),
            other => panic!("unique {table}.{pick} is {other:?}"),
        };
    }
    let mut names: Vec<String> = cols.iter().map(|c| ident(&c.name)).collect();
    let mut values: Vec<Value> = row.into_iter().map(|(_, v)| v).collect();
    if rowid_keyed {
        names.push("rowid".into());
        values.push(key[0].clone());
    }
    let marks = (1..=values.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    conn.execute(
        &format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            ident(table),
            names.join(", ")
        ),
        rusqlite::params_from_iter(values.iter()),
    )
    .unwrap_or_else(|e| panic!("forged row in {table}: {e}"));
    Tampered::Forged(key_text(&key))
}

/// The placeholder for a key the viewer may not see.
const HIDDEN: &str = "（不显示）";

/// Whether `check` reports what was done to `table`: the problem's kind, the field changed,
/// and the key (or, with `keys_shown` false, the placeholder in its place for the teams
/// table, whose keys name team members).
fn caught(check: &BindingCheck, table: &str, what: &Tampered, keys_shown: bool) -> bool {
    let hidden = !keys_shown && table == "visit_team";
    let key_is = |key: &str, expected: &str| {
        if hidden {
            key == HIDDEN
        } else {
            key == expected
        }
    };
    check.problems.iter().any(|p| match (what, p) {
        (
            Tampered::Field(f),
            RowProblem::Edited {
                table: t,
                fields,
                key,
                ..
            },
        ) => t == table && fields.contains(f) && (!hidden || key == HIDDEN),
        (Tampered::Key(old, _), RowProblem::Deleted { table: t, key, .. })
        | (Tampered::Key(_, old), RowProblem::Forged { table: t, key }) => {
            t == table && key_is(key, old)
        }
        (Tampered::Deleted(k), RowProblem::Deleted { table: t, key, .. }) => {
            t == table && key_is(key, k)
        }
        (Tampered::Forged(k), RowProblem::Forged { table: t, key }) => t == table && key_is(key, k),
        _ => false,
    })
}

fn describe(what: &Tampered) -> String {
    match what {
        Tampered::Field(f) => format!("update field {f}"),
        Tampered::Key(a, b) => format!("update key {a} → {b}"),
        Tampered::Deleted(k) => format!("delete key {k}"),
        Tampered::Forged(k) => format!("forge key {k}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix.

#[test]
fn every_record_table_is_populated_through_the_services_and_verifies() {
    let db = populated();
    let conn = Connection::open(db).unwrap();
    let tables = record_tables(&conn);
    assert!(
        tables.len() >= 30,
        "{} record tables: {tables:?}",
        tables.len()
    );
    let empty: Vec<&String> = tables.iter().filter(|t| count(&conn, t) == 0).collect();
    assert!(empty.is_empty(), "tables left empty: {empty:?}");
    let check = verify(db, ADMIN);
    assert_eq!(check.total, 0, "{:?}", check.problems);
    assert_eq!(check.tables, tables.len(), "every record table is checked");
    let rows: i64 = tables.iter().map(|t| count(&conn, t)).sum();
    assert_eq!(check.rows, rows as u64);
}

#[test]
fn every_table_times_update_delete_forge_is_caught() {
    let db = populated();
    let tables = record_tables(&Connection::open(db).unwrap());
    assert!(tables.len() >= 30, "{tables:?}");
    let dir = tempfile::tempdir().unwrap();
    type Case = fn(&Connection, &str, &Target) -> Tampered;
    let cases: [(&str, Case); 3] = [
        ("update", update_field),
        ("delete", delete_row),
        ("forge", forge_row),
    ];
    let mut total = 0;
    let mut missed = Vec::new();
    for table in &tables {
        for (kind, case) in cases {
            total += 1;
            let path = dir.path().join(format!("{table}-{kind}.db"));
            std::fs::copy(db, &path).unwrap();
            let what = as_insider(&path, &[table], |conn| {
                let t = target(conn, table);
                case(conn, table, &t)
            });
            // The administrator is told the table, the kind and the field, not the key (a
            // key can name a drawn unit); the principal, who may see drawn lists, the key.
            let admin = verify(&path, ADMIN);
            let principal = verify(&path, PRINCIPAL);
            if !caught(&admin, table, &what, false) || !caught(&principal, table, &what, true) {
                missed.push(format!(
                    "{table}: {} not caught; the administrator was told {:?}, the principal {:?}",
                    describe(&what),
                    admin.problems,
                    principal.problems
                ));
            }
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
    eprintln!(
        "tamper matrix: {} tables × 3 = {total} cases, {} caught",
        tables.len(),
        total - missed.len()
    );
    assert_eq!(total, tables.len() * 3);
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The log itself.

/// The log's size.
fn log_size(conn: &Connection) -> u64 {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_log", [], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn an_emptied_log_leaves_every_row_forged() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "emptied.db");
    as_insider(&db, &["audit_log", "audit_rows"], |conn| {
        conn.execute_batch("DELETE FROM audit_rows; DELETE FROM audit_log;")
            .unwrap();
    });
    let s = session(&db, ADMIN);
    // The chain alone cannot tell an empty log from a new one.
    let head = s.verify_audit(None).unwrap().unwrap();
    assert_eq!(head.size, 0);
    let check = s.verify_rows().unwrap();
    let conn = Connection::open(&db).unwrap();
    let rows: i64 = record_tables(&conn).iter().map(|t| count(&conn, t)).sum();
    assert!(rows > 3000, "{rows} rows");
    assert_eq!(check.rows, rows as u64);
    assert_eq!(
        check.total, check.rows,
        "every row is one that no event wrote"
    );
    assert!(
        check
            .problems
            .iter()
            .all(|p| matches!(p, RowProblem::Forged { .. })),
        "{:?}",
        &check.problems[..5]
    );
}

#[test]
fn cutting_the_log_tail_that_wrote_rows_is_caught_by_the_rows() {
    const N: u64 = 5;
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "cut.db");
    // The rows the last N events wrote: (table, key).
    let cut: Vec<(String, String)> = as_insider(&db, &["audit_log", "audit_rows"], |conn| {
        let from = log_size(conn) - N + 1;
        let mut stmt = conn
            .prepare("SELECT tbl, key FROM audit_rows WHERE seq >= ?1 ORDER BY seq, tbl, key")
            .unwrap();
        let cut: Vec<(String, String)> = stmt
            .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        conn.execute("DELETE FROM audit_rows WHERE seq >= ?1", [from])
            .unwrap();
        conn.execute("DELETE FROM audit_log WHERE seq >= ?1", [from])
            .unwrap();
        cut
    });
    assert!(!cut.is_empty(), "the last {N} events wrote rows");
    let s = session(&db, PRINCIPAL);
    // The chain is whole: a shorter log is still a chain.
    assert!(s.verify_audit(None).unwrap().is_ok());
    let check = s.verify_rows().unwrap();
    for (table, key) in &cut {
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.to_string().contains(&format!("表 {table} 主键 {key}："))),
            "{table} {key} not named: {:?}",
            check.problems
        );
    }
    assert!(check.total as usize >= cut.len());
}

#[test]
fn cutting_a_log_tail_that_wrote_no_rows_is_caught_by_a_witness_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "witnessed.db");
    let witness = dir.path().join("witness.txt");
    let s = session(&db, ADMIN);
    s.append_witness(&witness).unwrap();
    // Two library exports: events that write no rows.
    s.export_entities(&dir.path().join("e.csv"), Overwrite::Refuse)
        .unwrap();
    s.export_inspectors(&dir.path().join("i.csv"), Overwrite::Refuse)
        .unwrap();
    let later = s.append_witness(&witness).unwrap().checkpoint;
    drop(s);
    as_insider(&db, &["audit_log", "audit_rows"], |conn| {
        let from = later.size - 1;
        let lines: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_rows WHERE seq >= ?1",
                [from],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(lines, 0, "the exports wrote no rows");
        conn.execute("DELETE FROM audit_log WHERE seq >= ?1", [from])
            .unwrap();
    });
    let s = session(&db, ADMIN);
    // Neither the chain nor the rows can see it: that is what a witness is for.
    assert_eq!(s.verify_audit(None).unwrap().unwrap().size, later.size - 2);
    assert_eq!(s.verify_rows().unwrap().total, 0);
    let check = s.check_witness_file(&witness).unwrap();
    assert_eq!(check.checkpoints, 2);
    assert_eq!(check.breaks.len(), 1, "{:?}", check.breaks);
    assert_eq!(check.breaks[0].line, 2);
    assert_eq!(check.breaks[0].checkpoint, later);
}

#[test]
fn an_altered_row_list_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "list.db");
    let seq: u64 = as_insider(&db, &["audit_rows"], |conn| {
        let (seq, tbl, key): (u64, String, String) = conn
            .query_row(
                "SELECT seq, tbl, key FROM audit_rows WHERE new IS NOT NULL \
                 ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let n = conn
            .execute(
                "UPDATE audit_rows SET new = zeroblob(length(new)) \
                 WHERE seq = ?1 AND tbl = ?2 AND key = ?3",
                rusqlite::params![seq, tbl, key],
            )
            .unwrap();
        assert_eq!(n, 1);
        seq
    });
    let check = verify(&db, ADMIN);
    assert!(
        check.problems.contains(&RowProblem::ListAltered { seq }),
        "{:?}",
        check.problems
    );
}

#[test]
fn a_row_tampered_then_overwritten_by_a_legitimate_write_is_still_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "overwritten.db");
    let (code, on_duty): (String, bool) = as_insider(&db, &["inspectors"], |conn| {
        let (code, on_duty): (String, bool) = conn
            .query_row(
                "SELECT code, on_duty FROM inspectors ORDER BY code LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        conn.execute(
            "UPDATE inspectors SET name = name || '改' WHERE code = ?1",
            [&code],
        )
        .unwrap();
        (code, on_duty)
    });
    let before = verify(&db, PRINCIPAL);
    assert!(
        before.problems.iter().any(
            |p| matches!(p, RowProblem::Edited { table, key, fields, .. } if table == "inspectors" && key == &code && fields == &["name"])
        ),
        "{:?}",
        before.problems
    );
    // A legitimate edit of the same row: the row is now as its last event recorded it.
    session(&db, ADMIN)
        .set_on_duty(&code, !on_duty, "岗位调整")
        .unwrap();
    let after = verify(&db, PRINCIPAL);
    assert_eq!(
        after.problems,
        vec![RowProblem::ChangedBefore {
            seq: log_size(&Connection::open(&db).unwrap()),
            table: "inspectors".into(),
            key: code.clone(),
            fields: Vec::new(),
        }],
    );
}

// ---------------------------------------------------------------------------------------------
// Through the binary.

/// The binary on `db` as `login`, on [`TODAY`].
fn cli(db: &Path, login: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--as", login];
    all.extend_from_slice(args);
    support::command(db, &all)
        .env("SHUANGSUIJI_TODAY", TODAY)
        .output()
        .unwrap()
}

#[test]
fn audit_verify_and_doctor_name_the_table_and_an_observer_is_not_shown_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "cli.db");
    let code: String = as_insider(&db, &["entities"], |conn| {
        let code: String = conn
            .query_row(
                "SELECT code FROM entities ORDER BY rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "UPDATE entities SET name = name || '改' WHERE code = ?1",
            [&code],
        )
        .unwrap();
        code
    });

    let o = cli(&db, PRINCIPAL, &["audit", "verify"]);
    let err = support::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("审计日志核验失败：1 处记录行与审计日志不符"),
        "{err}"
    );
    assert!(
        err.contains(&format!("表 entities 主键 {code}：")) && err.contains("（字段 name）"),
        "{err}"
    );

    let o = cli(&db, ADMIN, &["doctor"]);
    let out = support::stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("记录行"))
        .unwrap_or_else(|| panic!("doctor has a 记录行 line: {out}"));
    assert!(
        line.contains("错误") && line.contains("表 entities"),
        "{line}"
    );
    let o = cli(&db, ADMIN, &["doctor", "--json"]);
    let findings: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "记录行")
        .unwrap();
    assert_eq!(rows["level"], "fail");

    let observer = only(&session(&db, ADMIN), Role::Observer);
    assert_eq!(observer, "observer.chen");
    // An entity's code is no secret; a team member is, before the visit starts.
    let seat: String = as_insider(&db, &["visit_team"], |conn| {
        let (visit, inspector): (i64, String) = conn
            .query_row(
                "SELECT visit_id, inspector FROM visit_team ORDER BY rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        conn.execute(
            "DELETE FROM visit_team WHERE visit_id = ?1 AND inspector = ?2",
            rusqlite::params![visit, inspector],
        )
        .unwrap();
        inspector
    });
    let o = cli(&db, &observer, &["audit", "verify"]);
    let err = support::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("表 entities 主键 {code}：")) && err.contains("（字段 name）"),
        "{err}"
    );
    assert!(err.contains("表 visit_team 主键 （不显示）："), "{err}");
    let all = format!("{}{err}", support::stdout(&o));
    assert!(
        !all.contains(&seat),
        "the observer is shown the seat: {all}"
    );
    let o = cli(&db, PRINCIPAL, &["audit", "verify"]);
    assert!(
        support::stderr(&o).contains(&seat),
        "{}",
        support::stderr(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// The limit: an insider who rewrites the row, its line, the event and the chain after it.

/// `put` of `store::binding`: a length-prefixed field.
fn put(h: &mut sha2::Sha256, bytes: &[u8]) {
    use sha2::Digest;
    h.update((bytes.len() as u32).to_be_bytes());
    h.update(bytes);
}

/// The digest of event `seq`'s row list, re-implemented here as an insider would from the
/// published source (`store::binding`), not by calling it.
fn list_digest(conn: &Connection, seq: u64) -> (u64, String) {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"ssj-rows-v1");
    let mut stmt = conn
        .prepare("SELECT tbl, key, old, new FROM audit_rows WHERE seq = ?1 ORDER BY tbl, key")
        .unwrap();
    let mut rows = stmt.query([seq]).unwrap();
    let mut n = 0;
    while let Some(r) = rows.next().unwrap() {
        put(&mut h, r.get::<_, String>(0).unwrap().as_bytes());
        put(&mut h, r.get::<_, String>(1).unwrap().as_bytes());
        for i in [2, 3] {
            match r.get::<_, Option<Vec<u8>>>(i).unwrap() {
                None => h.update([0]),
                Some(b) => {
                    h.update([1]);
                    put(&mut h, &b);
                }
            }
        }
        n += 1;
    }
    (n, hex::encode(h.finalize()))
}

#[test]
fn a_full_rewrite_of_row_list_event_and_chain_is_caught_only_by_a_witness() {
    use rusqlite::types::ValueRef;
    use shuangsuiji::domain::audit::AuditEvent;
    let dir = tempfile::tempdir().unwrap();
    let db = copy(&dir, "rewritten.db");
    let witness = dir.path().join("witness.txt");
    let taken = session(&db, ADMIN)
        .append_witness(&witness)
        .unwrap()
        .checkpoint;
    let code = as_insider(&db, &["entities", "audit_log", "audit_rows"], |conn| {
        let code: String = conn
            .query_row(
                "SELECT code FROM entities ORDER BY rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "UPDATE entities SET name = name || '改' WHERE code = ?1",
            [&code],
        )
        .unwrap();
        // The row's new stored form, by the program's own public function.
        let names: Vec<String> = columns(conn, "entities")
            .into_iter()
            .map(|c| c.name)
            .collect();
        let list = names
            .iter()
            .map(|n| ident(n))
            .collect::<Vec<_>>()
            .join(", ");
        let blob = conn
            .query_row(
                &format!("SELECT {list} FROM entities WHERE code = ?1"),
                [&code],
                |r| {
                    let mut cols: Vec<(&str, ValueRef<'_>)> = names
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (n.as_str(), r.get_ref(i).unwrap()))
                        .collect();
                    Ok(shuangsuiji::store::binding::row_blob("entities", &mut cols))
                },
            )
            .unwrap();
        let seq: u64 = conn
            .query_row(
                "SELECT max(seq) FROM audit_rows WHERE tbl = 'entities' AND key = ?1",
                [&code],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "UPDATE audit_rows SET new = ?1 WHERE seq = ?2 AND tbl = 'entities' AND key = ?3",
            rusqlite::params![blob, seq, code],
        )
        .unwrap();
        let (n, digest) = list_digest(conn, seq);
        let detail: String = conn
            .query_row("SELECT detail FROM audit_log WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .unwrap();
        let mut detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["bound"]["n"], n);
        detail["bound"]["sha256"] = digest.into();
        conn.execute(
            "UPDATE audit_log SET detail = ?1 WHERE seq = ?2",
            rusqlite::params![detail.to_string(), seq],
        )
        .unwrap();
        // The chain from that event on.
        let mut prev: [u8; 32] = hex::decode(
            conn.query_row::<String, _, _>(
                "SELECT hash FROM audit_log WHERE seq = ?1",
                [seq - 1],
                |r| r.get(0),
            )
            .unwrap(),
        )
        .unwrap()
        .try_into()
        .unwrap();
        let events: Vec<AuditEvent> = conn
            .prepare(
                "SELECT seq, at, actor, action, subject, detail, hash FROM audit_log \
                 WHERE seq >= ?1 ORDER BY seq",
            )
            .unwrap()
            .query_map([seq], |r| {
                Ok(AuditEvent {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                    detail: r.get(5)?,
                    hash: r.get(6)?,
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for e in events {
            prev = e.compute_hash(&prev);
            conn.execute(
                "UPDATE audit_log SET hash = ?1 WHERE seq = ?2",
                rusqlite::params![hex::encode(prev), e.seq],
            )
            .unwrap();
        }
        code
    });
    let s = session(&db, PRINCIPAL);
    // The database agrees with itself: the chain is whole and every row is as logged.
    let head = s.verify_audit(None).unwrap().unwrap();
    assert_eq!(head.size, taken.size);
    assert_ne!(head, taken);
    assert_eq!(s.verify_rows().unwrap().total, 0);
    let name: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT name FROM entities WHERE code = ?1", [&code], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(name.ends_with('改'), "{name}");
    // Only the checkpoint kept outside tells.
    let check = s.check_witness_file(&witness).unwrap();
    assert_eq!(check.breaks.len(), 1, "{:?}", check.breaks);
    assert_eq!(check.breaks[0].checkpoint, taken);
}
