//! Importing 100,000 entities from a CSV file into a fresh database (goal: under 3 s).
//!
//! `cargo bench --bench import` prints criterion's timing and, once, the database size.

use std::path::Path;

#[path = "common/county.rs"]
mod county;

use criterion::{Criterion, criterion_group, criterion_main};

use shuangsuiji::services::{OpenOptions, Session, identity, init};

const N: usize = 100_000;
fn import_once(dir: &Path, csv: &Path, run: usize) -> u64 {
    let db = dir.join(format!("bench-{run}.db"));
    let me = identity::os_login().unwrap();
    init::init_empty(&db, &me, shuangsuiji::services::china_today()).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    let r = s.import_entities(csv, false, &mut |_, _| {}).unwrap();
    assert_eq!(r.added, N);
    drop(s);
    let size = std::fs::metadata(&db).unwrap().len()
        + std::fs::metadata(dir.join(format!("bench-{run}.db-wal")))
            .map(|m| m.len())
            .unwrap_or(0);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("bench-{run}.db{suffix}")));
    }
    size
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("entities.csv");
    county::write_csv(&csv, N);
    let size = import_once(dir.path(), &csv, 0);
    eprintln!(
        "100,000 entities: CSV {:.1} MB, database with WAL {:.1} MB",
        std::fs::metadata(&csv).unwrap().len() as f64 / 1e6,
        size as f64 / 1e6
    );
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    let mut run = 1;
    group.bench_function("entities_csv_100k", |b| {
        b.iter(|| {
            run += 1;
            import_once(dir.path(), &csv, run)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
