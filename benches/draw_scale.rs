//! The draw at scale (issue 12): `draw prepare` + `draw run` for the current quarter through
//! the release CLI, on production counties of 10,000 and 100,000 entities (1,000,000 with
//! `SCALE_1M=1`; `SCALE_ONLY=N` keeps one size), beside its peer in the same run:
//!
//! - **consistent_sampler** (Rivest's PyPI package, the reference of the ticket algorithm)
//!   selecting 5 % of the same ids, timed inside the Python process around the selection
//!   alone. The bench makes a virtual environment under the target's tmp dir with
//!   `python3 -m venv` and `pip install consistent_sampler` when it is missing.
//! - **the SHA-256 floor**: hashing as many 64-byte inputs with `sha2`, against the selection
//!   alone (`ticket::smallest` over the same ids at 5 %), in process.
//!
//! Each child is timed by its wall clock and its own peak resident set (`wait4`). Medians of
//! 5 interleaved runs (3 at 1M). `cargo bench --bench draw_scale` prints a markdown table;
//! the figures are in docs/benchmarks.md, "Scale, the draw".

#[path = "common/peak.rs"]
mod peak;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Datelike;
use sha2::{Digest, Sha256};

use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::ticket;
use shuangsuiji::domain::inspector::BUREAU;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::uscc;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{OpenOptions, Session, identity, init};

const RUNS: usize = 5;
const SEED_A: &str = "31415926535897932384";
const SEED_B: &str = "27182818284590452353";

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

/// A valid USCC for entity number `i` (as benches/draw.rs).
fn code(i: usize) -> String {
    let mut body = String::from("91140522");
    let mut n = i;
    for _ in 0..9 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    uscc::complete(&body).expect("body is in the alphabet")
}

/// The county shape of benches/draw.rs (the issue's 32,000 visits at 100k): mostly polluters,
/// some with outfalls, solid-waste, radiation, sewage, vehicle-testing units and machines.
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

fn write_entities(path: &Path, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别,重点排污单位名录,入河排污口河流\n".as_bytes())
        .unwrap();
    for i in 0..n {
        let (types, river) = kind(i);
        let town = TOWNS[i % TOWNS.len()];
        let id = code(i);
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{id},{town},阳城县{town}某村{}号,制造业,{types},{},{},{},{},{river}",
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
            EIA[i % EIA.len()],
            if i % 37 == 0 { "是" } else { "" },
        )
        .unwrap();
        ids.push(id);
    }
    ids
}

/// 40 officers: 32 of the bureau, 4 of 水利局, 4 of 住建局 (as benches/draw.rs).
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

/// A production county of `n` entities and 40 inspectors with the year's seed plans; the
/// operating-system user is its admin and lead. Returns the entity ids.
fn template(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let db = dir.join(format!("template-{n}.db"));
    let me = identity::os_login().unwrap();
    let today = shuangsuiji::services::china_today();
    init::init_empty(&db, &me, today).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    s.change_user(&me, UserChange::Grant(Role::Lead)).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    if s.list_plans(Some(today.year())).unwrap().is_empty() {
        s.create_seed_plans(today.year()).unwrap();
    }
    let csv = dir.join(format!("entities-{n}.csv"));
    let ids = write_entities(&csv, n);
    let added = s
        .import_entities(&csv, false, &mut |_, _| {})
        .unwrap()
        .added;
    assert_eq!(added, n);
    std::fs::remove_file(&csv).ok();
    let inspectors = dir.join("inspectors.csv");
    write_inspectors(&inspectors);
    assert_eq!(s.import_inspectors(&inspectors, false).unwrap().added, 40);
    drop(s);
    (db, ids)
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

struct DrawRun {
    prepare: Duration,
    run: Duration,
    peak: u64,
    visits: i64,
}

/// `draw prepare --period P` then `draw run P-01 --seed A --seed B` on a fresh copy of the
/// template, each a child process of the release binary.
fn cli_draw(template: &Path, db: &Path, period: &str) -> DrawRun {
    copy_database(template, db);
    let bin = env!("CARGO_BIN_EXE_shuangsuiji");
    let prep = peak::run_child(
        Command::new(bin)
            .args(["draw", "prepare", "--period", period, "--db"])
            .arg(db),
    );
    assert!(prep.success, "draw prepare: {}", prep.stderr);
    let id = format!("{period}-01");
    let run = peak::run_child(
        Command::new(bin)
            .args([
                "draw", "run", &id, "--seed", SEED_A, "--seed", SEED_B, "--db",
            ])
            .arg(db),
    );
    assert!(run.success, "draw run: {}", run.stderr);
    let conn = rusqlite::Connection::open(db).unwrap();
    let visits: i64 = conn
        .query_row("SELECT count(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    remove_database(db);
    DrawRun {
        prepare: prep.wall,
        run: run.wall,
        peak: prep.peak_bytes.max(run.peak_bytes),
        visits,
    }
}

/// The peer's virtual environment: made once under the target's tmp dir.
fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("draw-scale-venv");
    let py = venv.join("bin/python");
    let ok = |py: &Path| {
        Command::new(py)
            .args(["-c", "import consistent_sampler"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ok(&py) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv");
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "consistent_sampler"])
            .status()
            .expect("pip runs");
        assert!(pip.success(), "pip install consistent_sampler");
        assert!(ok(&py), "consistent_sampler imports");
    }
    py
}

/// The peer's script: reads the ids, then times `consistent_sampler.sampler` taking 5 % of
/// them (without replacement, ids only) and prints the seconds and the last id taken.
const PEER: &str = r#"
import sys, time
from consistent_sampler import sampler
ids = open(sys.argv[1]).read().split()
take = -(-len(ids) * 5 // 100)
t = time.perf_counter()
got = list(sampler(ids, seed=sys.argv[2], take=take, output="id"))
dt = time.perf_counter() - t
print(dt, len(got), got[-1])
"#;

/// consistent_sampler selecting 5 % of `ids_file`, timed in Python around the selection.
fn peer(py: &Path, ids_file: &Path) -> (Duration, usize) {
    let out = Command::new(py)
        .args(["-c", PEER])
        .arg(ids_file)
        .arg(SEED_A)
        .output()
        .expect("the peer runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut words = text.split_whitespace();
    let secs: f64 = words.next().unwrap().parse().unwrap();
    let taken: usize = words.next().unwrap().parse().unwrap();
    (Duration::from_secs_f64(secs), taken)
}

/// Selection alone: the 5 % smallest tickets of `ids` (what one stratum's draw computes).
fn selection(ids: &[&str]) -> Duration {
    let s = ticket::seed_hash(SEED_A);
    let take = (ids.len() * 5).div_ceil(100);
    let start = Instant::now();
    let got = ticket::smallest(&s, ids, take);
    let took = start.elapsed();
    assert_eq!(got.len(), take);
    took
}

/// The SHA-256 floor: as many 64-byte inputs (the seed hash and an id are 64 + 18 bytes; one
/// block either way) hashed with sha2.
fn hashing_floor(n: usize) -> Duration {
    let mut input = [b'7'; 64];
    let start = Instant::now();
    let mut acc = 0u8;
    for i in 0..n {
        input[..8].copy_from_slice(&(i as u64).to_le_bytes());
        acc ^= Sha256::digest(input)[0];
    }
    let took = start.elapsed();
    std::hint::black_box(acc);
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn spread(v: &[Duration]) -> String {
    let min = v.iter().min().copied().unwrap_or_default();
    let max = v.iter().max().copied().unwrap_or_default();
    format!("{} ({}–{})", secs(median(v.to_vec())), secs(min), secs(max))
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this with no flag: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/draw_scale.rs: run with `cargo bench --bench draw_scale`");
        return;
    }
    let started = Instant::now();
    let py = python();
    let dir = tempfile::tempdir().unwrap();
    let today = shuangsuiji::services::china_today();
    let period = Period::of(today).to_string();
    let mut sizes = vec![10_000, 100_000];
    if std::env::var("SCALE_1M").is_ok_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    if let Ok(only) = std::env::var("SCALE_ONLY") {
        sizes.retain(|n| n.to_string() == only);
    }
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut totals: Vec<(usize, Duration)> = Vec::new();
    for n in sizes {
        let label = if n >= 1_000_000 {
            format!("{}M", n / 1_000_000)
        } else {
            format!("{}k", n / 1000)
        };
        let build = Instant::now();
        let (template, ids) = template(dir.path(), n);
        eprintln!(
            "{label}: county built in {:.1} s",
            build.elapsed().as_secs_f64()
        );
        // `DRAW_KEEP=DIR` keeps a copy of each county there (for profiling by hand).
        if let Ok(keep) = std::env::var("DRAW_KEEP") {
            copy_database(&template, &Path::new(&keep).join(format!("county-{n}.db")));
        }
        let ids_file = dir.path().join(format!("ids-{n}.txt"));
        std::fs::write(&ids_file, ids.join("\n")).unwrap();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let db = dir.path().join("run.db");
        let runs = std::env::var("DRAW_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if n >= 1_000_000 { 3 } else { RUNS });
        let (mut total, mut prep, mut run, mut peaks) = (vec![], vec![], vec![], vec![]);
        let (mut peer_t, mut sel, mut floor) = (vec![], vec![], vec![]);
        let mut visits = 0;
        for i in 0..runs {
            let d = cli_draw(&template, &db, &period);
            eprintln!(
                "{label} run {i}: prepare {} + run {}, peak {}, {} visits",
                secs(d.prepare),
                secs(d.run),
                peak::mib(d.peak),
                d.visits
            );
            total.push(d.prepare + d.run);
            prep.push(d.prepare);
            run.push(d.run);
            peaks.push(d.peak);
            visits = d.visits;
            let (p, taken) = peer(&py, &ids_file);
            assert_eq!(taken, (n * 5).div_ceil(100));
            peer_t.push(p);
            sel.push(selection(&refs));
            floor.push(hashing_floor(n));
        }
        remove_database(&template);
        let peak = peaks.iter().max().copied().unwrap_or(0);
        let t = median(total.clone());
        totals.push((n, t));
        rows.push([
            format!("`draw prepare` + `draw run`, CLI ({visits} visits)"),
            label.clone(),
            format!(
                "{} = {} + {}; peak {}",
                spread(&total),
                secs(median(prep)),
                secs(median(run)),
                peak::mib(peak)
            ),
            format!("consistent_sampler 5 % alone {}", spread(&peer_t)),
            ratio(t, median(peer_t.clone())),
        ]);
        rows.push([
            "selection alone (`ticket::smallest`, 5 %)".into(),
            label.clone(),
            spread(&sel),
            format!("SHA-256 of {n} 64-byte inputs {}", spread(&floor)),
            ratio(median(sel.clone()), median(floor)),
        ]);
        rows.push([
            "— consistent_sampler against our selection".into(),
            label,
            spread(&sel),
            format!("consistent_sampler {}", secs(median(peer_t.clone()))),
            ratio(median(peer_t), median(sel)),
        ]);
    }
    println!("| work | size | ours: median (min–max) | peer | ratio |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        println!("| {} |", r.join(" | "));
    }
    for w in totals.windows(2) {
        println!(
            "\nprepare + run, {}k → {}k: ×{:.1} for ×{}",
            w[0].0 / 1000,
            w[1].0 / 1000,
            w[1].1.as_secs_f64() / w[0].1.as_secs_f64(),
            w[1].0 / w[0].0
        );
    }
    eprintln!(
        "benches/draw_scale.rs took {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
