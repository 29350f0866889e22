//! Importing 100,000 entities from a CSV file into a fresh database (goal: under 3 s).
//!
//! `cargo bench --bench import` prints criterion's timing and, once, the database size.

use std::io::Write;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use shuangsuiji::domain::uscc;
use shuangsuiji::services::{OpenOptions, Session, identity, init};

const N: usize = 100_000;
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const TOWNS: &[&str] = &[
    "凤城镇",
    "北留镇",
    "润城镇",
    "町店镇",
    "芹池镇",
    "次营镇",
    "横河镇",
];
const PERMITS: &[&str] = &["重点管理", "简化管理", "登记管理", ""];
const TIERS: &[&str] = &["低风险", "一般风险", "较高风险", "高风险", ""];

/// A valid USCC for entity number `i`.
fn code(i: usize) -> String {
    let mut body = String::from("91140522");
    let mut n = i;
    for _ in 0..9 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    uscc::complete(&body).expect("body is in the alphabet")
}

fn write_csv(path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别\n".as_bytes())
        .unwrap();
    for i in 0..N {
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{},{},阳城县{}某村{}号,制造业,排污单位,{},{},报告表",
            code(i),
            TOWNS[i % TOWNS.len()],
            TOWNS[i % TOWNS.len()],
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
        )
        .unwrap();
    }
}

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
    write_csv(&csv);
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
