//! The draw: selecting from one large stratum, and a whole prepare + run on a 100,000-entity
//! production database. Goals (docs/benchmarks.md): `select/100k_5pct` ≤ 40 ms,
//! `select/1m_5pct` ≤ 500 ms.
//!
//! `cargo bench --bench draw` prints criterion's timings and, once, what the whole draw drew.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Datelike;
use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::record::{ALGORITHM, Prepared, StratumSpec, TaskSpec};
use shuangsuiji::domain::draw::select::{select, visits};
use shuangsuiji::domain::draw::team::match_teams;
use shuangsuiji::domain::draw::verify::verify;
use shuangsuiji::domain::inspector::BUREAU;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::uscc;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{OpenOptions, Session, identity, init};

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
const PERMITS: &[&str] = &["重点管理", "简化管理", "登记管理", "", "", ""];
const TIERS: &[&str] = &["低风险", "一般风险", "较高风险", "高风险", "", "低风险", ""];
const EIA: &[&str] = &["报告表", "登记表", "报告书", "", "报告表、登记表"];

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

/// Target types and outfall river of entity `i`: mostly polluters, some with outfalls, a few
/// solid-waste, radiation, sewage, vehicle-testing units and machines.
fn kind(i: usize) -> (&'static str, &'static str) {
    match i % 200 {
        0..=9 => ("排污单位、设有入河排污口的单位", ["沁河", "芦苇河"][i % 2]),
        10..=13 => ("排污单位、涉固体废物和危险废物单位", ""),
        14 => ("核与辐射利用单位", ""),
        15 if i % 1000 == 15 => ("城镇污水处理厂", ""),
        16 if i % 1000 == 16 => ("机动车排放检验机构", ""),
        17..=18 => ("非道路移动机械", ""),
        _ => ("排污单位", ""),
    }
}

fn write_entities(path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别,重点排污单位名录,入河排污口河流\n".as_bytes())
        .unwrap();
    for i in 0..N {
        let (types, river) = kind(i);
        let town = TOWNS[i % TOWNS.len()];
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{},{town},阳城县{town}某村{}号,制造业,{types},{},{},{},{},{river}",
            code(i),
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
            EIA[i % EIA.len()],
            if i % 37 == 0 { "是" } else { "" },
        )
        .unwrap();
    }
}

/// 40 officers: 32 of the bureau, 4 of 水利局, 4 of 住建局.
fn write_inspectors(path: &Path) {
    const FIELDS: &[&str] = &[
        "大气、固废",
        "水",
        "固废、辐射",
        "机动车、大气",
        "辐射、水",
        "综合",
        "大气、水、机动车",
        "固废",
    ];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(
        "人员编号,姓名,执法证号,执法证有效期至,所属部门,股室/大队,专业,负责片区,在岗\n".as_bytes(),
    )
    .unwrap();
    for n in 0..40 {
        let (department, unit, fields) = match n {
            0..32 => (BUREAU, "执法大队", FIELDS[n % FIELDS.len()]),
            32..36 => ("水利局", "河道管理中心", "水"),
            _ => ("住建局", "城建股", "水"),
        };
        let areas = format!(
            "{}、{}",
            TOWNS[n % TOWNS.len()],
            TOWNS[(n + 3) % TOWNS.len()]
        );
        writeln!(
            f,
            "YC-{n:03},执法人员{n},140522{n:05},2035-12-31,{department},{unit},{fields},{areas},是"
        )
        .unwrap();
    }
}

/// A production database with the year's plans, 100,000 entities and 40 inspectors; the
/// operating-system user is its admin and lead.
fn template(dir: &Path) -> PathBuf {
    let db = dir.join("template.db");
    let me = identity::os_login().unwrap();
    let today = shuangsuiji::services::china_today();
    init::init_empty(&db, &me, today).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    s.change_user(&me, UserChange::Grant(Role::Lead)).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    if s.list_plans(Some(today.year())).unwrap().is_empty() {
        s.create_seed_plans(today.year()).unwrap();
    }
    let entities = dir.join("entities.csv");
    write_entities(&entities);
    assert_eq!(
        s.import_entities(&entities, false, &mut |_, _| {})
            .unwrap()
            .added,
        N
    );
    let inspectors = dir.join("inspectors.csv");
    write_inspectors(&inspectors);
    assert_eq!(s.import_inspectors(&inspectors, false).unwrap().added, 40);
    drop(s);
    db
}

fn copy_database(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut a = from.as_os_str().to_owned();
        a.push(suffix);
        let mut b = to.as_os_str().to_owned();
        b.push(suffix);
        let _ = std::fs::remove_file(&b);
        if Path::new(&a).exists() {
            std::fs::copy(&a, &b).unwrap();
        }
    }
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

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
    let db = template(dir.path());
    eprintln!(
        "database of {N} entities and 40 inspectors built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Production databases refuse --today: the period is the real current quarter.
    let period = Period::of(shuangsuiji::services::china_today());

    // One draw outside criterion, to say what is being measured.
    let probe = dir.path().join("probe.db");
    copy_database(&db, &probe);
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
    remove_database(&probe);

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
                    remove_database(&dir.path().join(format!("run-{}.db", n - 1)));
                }
                let copy = dir.path().join(format!("run-{n}.db"));
                copy_database(&db, &copy);
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
