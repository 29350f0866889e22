//! The draw: selecting from one large stratum, and a whole prepare + run on a 100,000-entity
//! production database. Goals (docs/benchmarks.md): `select/100k_5pct` ≤ 40 ms,
//! `select/1m_5pct` ≤ 500 ms.
//!
//! `cargo bench --bench draw` prints criterion's timings and, once, what the whole draw drew.

#[path = "common/county.rs"]
mod county;
#[path = "common/draw_county.rs"]
mod draw_county;

use std::cell::Cell;
use std::time::Instant;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::record::{ALGORITHM, Prepared, StratumSpec, TaskSpec};
use shuangsuiji::domain::draw::select::{select, visits};
use shuangsuiji::domain::draw::team::match_teams;
use shuangsuiji::domain::draw::verify::verify;
use shuangsuiji::domain::inspector::BUREAU;
use shuangsuiji::services::{OpenOptions, Session};

/// The seed of the golden vector `ent-100000` (shared/golden/consistent-sampler-v1.json).
const GOLDEN_SEED: &str = "01234567890123456789";
/// SHA-256 of its 5,000 selected ids joined by newlines.
const GOLDEN_DIGEST: &str = "7ac22f2eabba255b6b28efecbd3db3d70a07f07d24f8fc372bd48cdafe86aeff";

/// A prepared draw of one stratum: `n` ids `ENT-000001` … at `bp` basis points.
fn one_stratum(n: usize, width: usize, bp: u32) -> Prepared {
    let population: Vec<String> = (1..=n).map(|i| format!("ENT-{i:0width$}")).collect();
    let quota = (n as u64 * u64::from(bp)).div_ceil(10_000) as u32;
    Prepared {
        period: "2026Q2".to_string(),
        algorithm: ALGORITHM.to_string(),
        prepared_on: "2026-04-01".to_string(),
        sources: vec!["基准测试".to_string()],
        tasks: vec![TaskSpec {
            code: "NB-4".to_string(),
            name: "非道路移动机械排放检查".to_string(),
            plan: "2026/NB".to_string(),
            departments: vec![],
            expertise: vec!["机动车".to_string()],
            items: vec!["4-1".to_string()],
        }],
        strata: vec![StratumSpec {
            task: "NB-4".to_string(),
            label: "未评级".to_string(),
            rule: format!("{bp} bp of {n}"),
            ratio_bp: bp,
            population,
            priority: vec![],
            quota,
            ..Default::default()
        }],
        lead_department: BUREAU.to_string(),
        workload_cap: 3,
        ..Default::default()
    }
}

fn selection(c: &mut Criterion) {
    let small = one_stratum(100_000, 6, 500);
    let got = select(&small, GOLDEN_SEED);
    assert_eq!(got[0].selected.len(), 5_000);
    let joined = got[0]
        .selected
        .iter()
        .map(|s| s.id.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        hex::encode(Sha256::digest(joined.as_bytes())),
        GOLDEN_DIGEST,
        "the golden vector ent-100000"
    );
    let large = one_stratum(1_000_000, 7, 500);
    assert_eq!(large.strata[0].quota, 50_000);

    let mut group = c.benchmark_group("select");
    group.bench_function("100k_5pct", |b| b.iter(|| select(&small, GOLDEN_SEED)));
    group.sample_size(10);
    group.bench_function("1m_5pct", |b| b.iter(|| select(&large, GOLDEN_SEED)));
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// A whole draw on a 100,000-entity database

const N: usize = 100_000;
fn seeds() -> Vec<String> {
    vec![
        "31415926535897932384".to_string(),
        "27182818284590452353".to_string(),
    ]
}

/// `draw prepare` without `--task` (every task whose window touches the quarter: with the seed
/// plans, windows 3月–10月 and 3月–12月, that is every task in every quarter, since Q1 holds
/// March and Q4 October) and `draw run` with two people's parts.
fn prepare_and_run(
    s: &mut Session,
    period: Period,
) -> shuangsuiji::domain::draw::record::DrawRecord {
    let prepared = s.prepare_draw(period, &[], &[]).unwrap();
    s.run_draw(&prepared.id, &seeds(), &[]).unwrap()
}

fn whole_draw(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let db = draw_county::template(dir.path(), N).0;
    eprintln!(
        "database of {N} entities and 40 inspectors built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Production databases refuse --today: the period is the real current quarter.
    let period = Period::of(shuangsuiji::services::china_today());

    // One draw outside criterion, to say what is being measured.
    let probe = dir.path().join("probe.db");
    draw_county::copy_database(&db, &probe);
    {
        let mut s = Session::open(&probe, &OpenOptions::default()).unwrap();
        let t = Instant::now();
        let prepared = s.prepare_draw(period, &[], &[]).unwrap();
        let t_prepare = t.elapsed();
        let t = Instant::now();
        let r = s.run_draw(&prepared.id, &seeds(), &[]).unwrap();
        let t_run = t.elapsed();
        let problems = r.visits.iter().filter(|v| v.problem.is_some()).count();
        eprintln!(
            "{period}: tasks {:?}; {} strata, quota {}, {} excluded; {} visits ({} without a \
             team), workload cap {}; prepare {:.2} s, run {:.2} s",
            prepared.tasks,
            prepared.strata,
            prepared.quota,
            prepared.excluded,
            r.visits.len(),
            problems,
            r.prepared.workload_cap,
            t_prepare.as_secs_f64(),
            t_run.as_secs_f64(),
        );
        // Where the run's time goes: the pure steps again, on the record's own prepared.
        let t = Instant::now();
        let strata = select(&r.prepared, &r.seed);
        let t_select = t.elapsed();
        let t = Instant::now();
        let planned = visits(&r.prepared, &strata);
        let t_visits = t.elapsed();
        let t = Instant::now();
        let teams = match_teams(&r.prepared, &r.seed, &planned);
        let t_teams = t.elapsed();
        assert_eq!(teams, r.visits);
        let t = Instant::now();
        let diffs = verify(&r);
        let t_verify = t.elapsed();
        assert!(diffs.is_empty(), "{diffs:?}");
        eprintln!(
            "  of which select {:.3} s, visits {:.3} s, match_teams {:.2} s; verify {:.2} s; \
             prepared {} entity facts, {} population ids",
            t_select.as_secs_f64(),
            t_visits.as_secs_f64(),
            t_teams.as_secs_f64(),
            t_verify.as_secs_f64(),
            r.prepared.entities.len(),
            r.prepared
                .strata
                .iter()
                .map(|s| s.population.len())
                .sum::<usize>(),
        );
    }
    draw_county::remove_database(&probe);

    let mut group = c.benchmark_group("draw");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    let run = Cell::new(0usize);
    group.bench_function("prepare_run_100k", |b| {
        b.iter_batched(
            || {
                let n = run.get();
                run.set(n + 1);
                if n > 0 {
                    draw_county::remove_database(&dir.path().join(format!("run-{}.db", n - 1)));
                }
                let copy = dir.path().join(format!("run-{n}.db"));
                draw_county::copy_database(&db, &copy);
                Session::open(&copy, &OpenOptions::default()).unwrap()
            },
            |mut s| {
                let r = prepare_and_run(&mut s, period);
                (s, r)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, selection, whole_draw);
criterion_main!(benches);
