//! `audit verify` (issue 10 item 5): the hash chain (`verify_audit`) and the record rows
//! against the log (`verify_rows`), on the demo database and on a 100,000-entity production
//! database built by importing a generated CSV through the service.
//!
//! `cargo bench --bench audit` prints criterion's timings and, once, the sizes: the log, the
//! row lists (`audit_rows`, by `dbstat`) and the files. Results: docs/benchmarks.md.

use std::path::Path;

use chrono::NaiveDate;
#[path = "common/county.rs"]
mod county;

use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::Connection;

use shuangsuiji::services::{OpenOptions, Session, identity, init};

const N: usize = 100_000;
/// The demo as of late in its year: three quarters drawn, most tables filled.
const DEMO_DATE: &str = "2026-11-20";
/// Bytes a table (and its indexes) takes in the database file, by `dbstat`.
fn table_bytes(db: &Path, table: &str) -> u64 {
    let conn = Connection::open(db).unwrap();
    conn.query_row(
        "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?1 \
         OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1)",
        [table],
        |r| r.get(0),
    )
    .unwrap()
}

fn count(db: &Path, table: &str) -> u64 {
    let conn = Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// The database file and its WAL, in bytes.
fn file_bytes(db: &Path) -> u64 {
    let wal = format!("{}-wal", db.display());
    std::fs::metadata(db).unwrap().len() + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

fn sizes(label: &str, db: &Path) {
    eprintln!(
        "{label}: {} events, {} audit_rows lines ({:.2} MB), audit_log {:.2} MB, entities {:.2} MB, file {:.1} MB",
        count(db, "audit_log"),
        count(db, "audit_rows"),
        table_bytes(db, "audit_rows") as f64 / 1e6,
        table_bytes(db, "audit_log") as f64 / 1e6,
        table_bytes(db, "entities") as f64 / 1e6,
        file_bytes(db) as f64 / 1e6,
    );
}

/// A session of the creator (administrator) on `db`.
fn session(db: &Path, today: Option<NaiveDate>) -> Session {
    Session::open(
        db,
        &OpenOptions {
            act_as: None,
            today,
        },
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let me = identity::os_login().unwrap();

    let demo_day: NaiveDate = DEMO_DATE.parse().unwrap();
    let demo = dir.path().join("demo.db");
    init::init_demo(&demo, &me, demo_day).unwrap();

    let big = dir.path().join("100k.db");
    init::init_empty(&big, &me, shuangsuiji::services::china_today()).unwrap();
    let empty = table_bytes(&big, "audit_rows");
    let empty_file = file_bytes(&big);
    let csv = dir.path().join("entities.csv");
    county::write_csv(&csv, N);
    {
        let mut s = session(&big, None);
        let r = s.import_entities(&csv, false, &mut |_, _| {}).unwrap();
        assert_eq!(r.added, N);
    }
    // Let the WAL go into the file, so that dbstat and the file size count the same pages.
    Connection::open(&big)
        .unwrap()
        .pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .unwrap();
    // To time the command itself: `SSJ_AUDIT_BENCH_KEEP=/tmp/100k.db cargo bench --bench audit`,
    // then `/usr/bin/time -v shuangsuiji --db /tmp/100k.db audit verify`.
    if let Some(keep) = std::env::var_os("SSJ_AUDIT_BENCH_KEEP") {
        std::fs::copy(&big, &keep).unwrap();
    }
    sizes("demo", &demo);
    sizes("100,000 entities", &big);
    eprintln!(
        "the import grew audit_rows by {:.2} MB (the file by {:.1} MB)",
        (table_bytes(&big, "audit_rows") - empty) as f64 / 1e6,
        (file_bytes(&big) - empty_file) as f64 / 1e6,
    );

    let mut group = c.benchmark_group("audit_verify");
    group.sample_size(10);
    for (name, db, today) in [("demo", &demo, Some(demo_day)), ("100k", &big, None)] {
        let s = session(db, today);
        let check = s.verify_rows().unwrap();
        assert_eq!(check.total, 0, "{:?}", check.problems);
        eprintln!(
            "{name}: {} tables, {} rows, {} events bind rows",
            check.tables, check.rows, check.events
        );
        group.bench_function(format!("chain_{name}"), |b| {
            b.iter(|| s.verify_audit(None).unwrap().unwrap())
        });
        group.bench_function(format!("rows_{name}"), |b| {
            b.iter(|| s.verify_rows().unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
