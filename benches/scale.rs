//! Scale (issue 12): counties of 10,000 and 100,000 entities (1,000,000 with `SCALE_1M=1`)
//! from a generated CSV, with the seed's plans, measured beside their peers in the same run:
//!
//! - `import CSV`: `Session::import_entities` in process, and the release CLI
//!   (`shuangsuiji import entities FILE`) as a child with its peak memory, against
//!   `sqlite3 .import` of the same file into a fresh database (the `sqlite3` binary is
//!   installed with `apt-get install -y sqlite3` when missing);
//! - the dashboard's full first screen (`tui::load::overview` then `tui::load::key_coverage`,
//!   as the dashboard loads it) on the demo county and on each size, with its memory;
//! - `shuangsuiji stats` (the release CLI, with its peak memory) against the `sqlite3` CLI
//!   counting the same groups over `json_extract` on the same database;
//! - `audit verify` (the chain, then `verify_rows`) on each size, in process and as the CLI.
//!
//! Peak memory of a child comes from GNU `time` (benches/common/peak.rs says why).
//! `SCALE_CLI=PATH` runs another build's binary as the CLI, for a "before" figure.
//!
//! `cargo bench --bench scale` prints a markdown table: medians of interleaved runs, with the
//! ratios. The figures are recorded in docs/benchmarks.md, "Scale".

#[path = "common/county.rs"]
mod county;
#[path = "common/peak.rs"]
mod peak;
#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Datelike;
use shuangsuiji::domain::role::Role;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{OpenOptions, Session, identity, init};
use shuangsuiji::tui;

/// Runs of each measurement (interleaved with its peer); the median is shown.
const RUNS: usize = 5;

use county::TOWNS;
const PERMITS: &[&str] = &["重点管理", "简化管理", "登记管理", "", "", ""];
const TIERS: &[&str] = &["低风险", "一般风险", "较高风险", "高风险", "", "低风险", ""];
const PRODUCTION: &[&str] = &["", "", "", "", "", "", "", "", "停产", "关闭"];

/// The county's registry: `n` entities, a mix of target types, permit classes, tiers, the
/// key-polluter list (1 in 37), production states and exclusions (1 in 101).
fn write_entities(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别,重点排污单位名录,生产状态,不参与双随机原因\n".as_bytes())
        .unwrap();
    for i in 0..n {
        let types = match i % 200 {
            0..=9 => "排污单位、涉固体废物和危险废物单位",
            10 => "核与辐射利用单位",
            11..=12 => "非道路移动机械",
            _ => "排污单位",
        };
        let town = TOWNS[i % TOWNS.len()];
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{},{town},阳城县{town}某村{}号,制造业,{types},{},{},报告表,{},{},{}",
            county::code(i),
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
            if i % 37 == 0 { "是" } else { "" },
            PRODUCTION[(i / 7) % PRODUCTION.len()],
            if i % 101 == 0 { "长期停产" } else { "" },
        )
        .unwrap();
    }
}

/// An empty production database with the year's seed plans; the operating-system user is its
/// admin and lead.
fn empty_county(db: &Path) {
    let me = identity::os_login().unwrap();
    let today = shuangsuiji::services::china_today();
    init::init_empty(db, &me, today).unwrap();
    let mut s = Session::open(db, &OpenOptions::default()).unwrap();
    s.change_user(&me, UserChange::Grant(Role::Lead)).unwrap();
    let mut s = Session::open(db, &OpenOptions::default()).unwrap();
    if s.list_plans(Some(today.year())).unwrap().is_empty() {
        s.create_seed_plans(today.year()).unwrap();
    }
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// `import CSV` into a fresh county: the time of the import alone.
fn import(db: &Path, csv: &Path, n: usize) -> Duration {
    remove_db(db);
    empty_county(db);
    let mut s = Session::open(db, &OpenOptions::default()).unwrap();
    let start = Instant::now();
    let r = s.import_entities(csv, false, &mut |_, _| {}).unwrap();
    let took = start.elapsed();
    assert_eq!(r.added, n);
    took
}

/// The release binary, `shuangsuiji --db DB ARGS…`, as a child process: its wall time and
/// its own peak memory. `SCALE_CLI=PATH` runs another build's binary instead (a "before"
/// figure from an older commit's release build, on the same databases).
fn cli(db: &Path, args: &[&str]) -> peak::ChildRun {
    let bin =
        std::env::var("SCALE_CLI").unwrap_or_else(|_| env!("CARGO_BIN_EXE_shuangsuiji").into());
    let run = peak::run_child(Command::new(bin).arg("--db").arg(db).args(args));
    assert!(run.success, "shuangsuiji {args:?}: {}", run.stderr);
    run
}

/// `shuangsuiji import entities FILE` into a fresh county, the release CLI as a child: the
/// whole process (start, open, import, exit) and its peak memory.
fn import_cli(db: &Path, csv: &Path) -> peak::ChildRun {
    remove_db(db);
    empty_county(db);
    cli(db, &["import", "entities", &csv.display().to_string()])
}

/// SQLite's floor for what an import writes: the rows the import left in `imported` (its
/// entities, its event and that event's `audit_rows` lines) copied into a fresh empty county
/// by one `INSERT … SELECT` per table, in one transaction, through the schema's own indexes
/// and the triggers the import keeps (it sets `audit_rows_no_replace` aside while it files
/// its lines by plain inserts, and so does the floor), with the page cache the import gives
/// itself. Nothing is read from the CSV or computed: it is the least the storage of those
/// rows costs, whatever writes them.
fn import_floor(imported: &Path, csv: &Path, floor_db: &Path) -> Duration {
    remove_db(floor_db);
    empty_county(floor_db);
    let bytes = std::fs::metadata(csv).unwrap().len() as i64;
    let cache_kib = (bytes * 2 / 1024).clamp(2048, 16 * 1024);
    let conn = county::floor_connection(floor_db, imported, "imported", cache_kib);
    let (set_aside, put_back) = county::guards_set_aside(&conn, &["audit_rows"]);
    assert!(
        !set_aside.is_empty(),
        "the schema has audit_rows_no_replace"
    );
    let start = Instant::now();
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         {set_aside}
         CREATE TEMP TABLE ev AS SELECT max(seq) AS seq FROM imported.audit_log
             WHERE action = 'entities.import';
         INSERT INTO main.audit_log SELECT * FROM imported.audit_log
             WHERE seq = (SELECT seq FROM ev);
         INSERT INTO main.audit_rows SELECT * FROM imported.audit_rows
             WHERE seq = (SELECT seq FROM ev);
         INSERT INTO main.entities SELECT * FROM imported.entities;
         {put_back}
         COMMIT;"
    ))
    .unwrap();
    let took = start.elapsed();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM main.entities", [], |r| r.get(0))
        .unwrap();
    let m: i64 = conn
        .query_row("SELECT count(*) FROM imported.entities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, m);
    drop(conn);
    remove_db(floor_db);
    took
}

/// The peer: `sqlite3 .import` of the same file into a fresh database (a table made from the
/// header), the process's whole run and its peak memory.
fn sqlite3_import(db: &Path, csv: &Path) -> peak::ChildRun {
    remove_db(db);
    let script = db.with_extension("sql");
    std::fs::write(
        &script,
        format!(
            "PRAGMA journal_mode=WAL;\n.mode csv\n.import '{}' entities\n",
            csv.display()
        ),
    )
    .unwrap();
    let run = peak::run_child(
        Command::new("sqlite3")
            .arg(db)
            .arg(format!(".read '{}'", script.display())),
    );
    assert!(run.success, "sqlite3 .import: {}", run.stderr);
    run
}

/// The peer of `stats`: the `sqlite3` CLI counting the same groups on the same database, over
/// `json_extract` of the records (the registry's counts by tier, town, target type, the
/// inputs of the class, exclusions).
fn sqlite3_stats(db: &Path) -> peak::ChildRun {
    let run = peak::run_child(Command::new("sqlite3").arg(db).arg(
        "SELECT count(*), sum(excluded) FROM entities;
         SELECT coalesce(json_extract(data, '$.credit_tier'), '未评级'), count(*) FROM entities GROUP BY 1;
         SELECT town, count(*) FROM entities GROUP BY town;
         SELECT t.value, count(*) FROM entities, json_each(entities.data, '$.target_types') t GROUP BY 1;
         SELECT json_extract(data, '$.key_polluter_list'), json_extract(data, '$.permit_class'),
                json_extract(data, '$.production'), json_extract(data, '$.violation_date') > '2025',
                count(*) FROM entities GROUP BY 1, 2, 3, 4;",
    ));
    assert!(run.success, "sqlite3 stats: {}", run.stderr);
    run
}

/// Installs the `sqlite3` binary when it is missing.
fn ensure_sqlite3() {
    if Command::new("sqlite3").arg("-version").output().is_ok() {
        return;
    }
    eprintln!("sqlite3 missing: apt-get install -y sqlite3");
    let ok = Command::new("apt-get")
        .args(["install", "-y", "sqlite3"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "could not install sqlite3: run `apt-get install -y sqlite3`"
    );
}

/// The dashboard's first screen as `tui::run` loads it: the overview, then the key-entity
/// coverage. Open excluded (reported apart).
fn first_screen(session: &Session) -> Duration {
    let mut m = tui::model_for(session, false);
    let start = Instant::now();
    tui::load::overview(session, &mut m).unwrap();
    tui::load::key_coverage(session, &mut m).unwrap();
    let took = start.elapsed();
    assert!(m.key_coverage.is_some());
    took
}

/// The two parts of the first screen apart: (overview, key coverage).
fn first_screen_parts(session: &Session) -> (Duration, Duration) {
    let mut m = tui::model_for(session, false);
    let start = Instant::now();
    tui::load::overview(session, &mut m).unwrap();
    let overview = start.elapsed();
    let start = Instant::now();
    tui::load::key_coverage(session, &mut m).unwrap();
    (overview, start.elapsed())
}

/// `audit verify`: the chain, then every record row against the log.
fn audit_verify(session: &Session) -> Duration {
    let start = Instant::now();
    let chain = session.verify_audit(None).unwrap();
    let rows = session.verify_rows().unwrap();
    let took = start.elapsed();
    assert!(chain.is_ok(), "the chain verifies");
    assert_eq!(rows.total, 0, "the rows verify");
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn spread(v: &[Duration]) -> String {
    let min = v.iter().min().copied().unwrap_or_default();
    let max = v.iter().max().copied().unwrap_or_default();
    format!("{} ({}–{})", ms(median(v.to_vec())), ms(min), ms(max))
}

struct Row {
    work: String,
    size: String,
    ours: String,
    peer: String,
    ratio: String,
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
}

fn county(dir: &Path, n: usize, rows: &mut Vec<Row>, demo: Duration) {
    let label = if n >= 1_000_000 {
        format!("{}M", n / 1_000_000)
    } else {
        format!("{}k", n / 1000)
    };
    let csv = dir.join(format!("entities-{n}.csv"));
    write_entities(&csv, n);
    // `SCALE_KEEP=DIR` keeps a copy of each CSV there (for profiling by hand).
    if let Ok(keep) = std::env::var("SCALE_KEEP") {
        std::fs::copy(&csv, Path::new(&keep).join(format!("entities-{n}.csv"))).unwrap();
    }
    let mb = std::fs::metadata(&csv).unwrap().len() as f64 / 1e6;
    let db = dir.join(format!("county-{n}.db"));
    let peer_db = dir.join(format!("sqlite3-{n}.db"));
    let runs = if n >= 1_000_000 { 3 } else { RUNS };
    let floor_db = dir.join(format!("floor-{n}.db"));
    let (mut ours, mut peer, mut cli_runs, mut peer_runs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut floors = Vec::new();
    for _ in 0..runs {
        ours.push(import(&db, &csv, n));
        let p = sqlite3_import(&peer_db, &csv);
        peer.push(p.wall);
        peer_runs.push(p.peak_bytes);
        let c = import_cli(&db, &csv);
        cli_runs.push((c.wall, c.peak_bytes));
        floors.push(import_floor(&db, &csv, &floor_db));
    }
    let cli_wall: Vec<Duration> = cli_runs.iter().map(|c| c.0).collect();
    let cli_peak = cli_runs.iter().map(|c| c.1).max().unwrap_or(0);
    let peer_peak = peer_runs.iter().copied().max().unwrap_or(0);
    rows.push(Row {
        work: format!("import CSV ({mb:.1} MB), `Session::import_entities` in process"),
        size: label.clone(),
        ours: spread(&ours),
        peer: format!("`sqlite3 .import` {}", spread(&peer)),
        ratio: ratio(median(ours), median(peer.clone())),
    });
    rows.push(Row {
        work: format!(
            "import CSV ({mb:.1} MB), `shuangsuiji import entities` (release CLI, whole process)"
        ),
        size: label.clone(),
        ours: format!("{}; peak {}", spread(&cli_wall), peak::mib(cli_peak)),
        peer: format!(
            "`sqlite3 .import` {}; peak {}",
            spread(&peer),
            peak::mib(peer_peak)
        ),
        ratio: ratio(median(cli_wall), median(peer.clone())),
    });
    rows.push(Row {
        work: "— SQLite's floor for the rows an import writes (entities, the event and its row lines; one `INSERT … SELECT` a table), against `sqlite3 .import`".into(),
        size: label.clone(),
        ours: spread(&floors),
        peer: format!("`sqlite3 .import` {}", spread(&peer)),
        ratio: ratio(median(floors), median(peer)),
    });
    remove_db(&peer_db);

    // The last import's database stays: the first screen and the log on it.
    let open = Instant::now();
    let session = Session::open(&db, &OpenOptions::default()).unwrap();
    let opened = open.elapsed();
    let mut screen = Vec::new();
    let mut overview = Vec::new();
    let mut coverage = Vec::new();
    for _ in 0..runs {
        screen.push(first_screen(&session));
        let (o, c) = first_screen_parts(&session);
        overview.push(o);
        coverage.push(c);
    }
    rows.push(Row {
        work: "dashboard first screen (overview + key coverage)".into(),
        size: label.clone(),
        ours: spread(&screen),
        peer: format!("the demo county {}", ms(demo)),
        ratio: ratio(median(screen), demo),
    });
    let before = peak::resident_now();
    let (_, screen_peak) = peak::in_process(|| first_screen(&session));
    rows.push(Row {
        work: "— peak memory of the first screen (in process: high-water mark after reset / its growth over the resident set before)".into(),
        size: label.clone(),
        ours: format!(
            "{} / +{}",
            peak::mib(screen_peak),
            peak::mib(screen_peak.saturating_sub(before))
        ),
        peer: "goal ≤ 64 MiB".into(),
        ratio: String::new(),
    });
    rows.push(Row {
        work: "— of which `load::overview` / `load::key_coverage`; `Session::open`".into(),
        size: label.clone(),
        ours: format!(
            "{} / {}; {}",
            ms(median(overview)),
            ms(median(coverage)),
            ms(opened)
        ),
        peer: String::new(),
        ratio: String::new(),
    });
    // The record-based key coverage (before the count moved into SQLite), and the one read
    // the overview makes that grows with the registry: every entity's name and town.
    let year = session.today().year();
    let by_records: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            session.key_coverage_by_records(year).unwrap();
            start.elapsed()
        })
        .collect();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let names: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            shuangsuiji::store::entities::names(&conn).unwrap();
            start.elapsed()
        })
        .collect();
    let visited: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            shuangsuiji::store::entities::names_of_visited(&conn).unwrap();
            start.elapsed()
        })
        .collect();
    drop(conn);
    rows.push(Row {
        work: "— key coverage from the classified records (before) / names for the visit list: every entity's (before) / the visited ones' (after)".into(),
        size: label.clone(),
        ours: format!(
            "{} / {} / {}",
            spread(&by_records),
            spread(&names),
            spread(&visited)
        ),
        peer: String::new(),
        ratio: String::new(),
    });
    // `stats`: the release CLI against the `sqlite3` CLI's group-by on the same file.
    let (mut stats, mut stats_peer, mut stats_peak) = (Vec::new(), Vec::new(), 0);
    for _ in 0..runs {
        let c = cli(&db, &["stats"]);
        stats.push(c.wall);
        stats_peak = stats_peak.max(c.peak_bytes);
        stats_peer.push(sqlite3_stats(&db).wall);
    }
    rows.push(Row {
        work: "`shuangsuiji stats` (release CLI, whole process)".into(),
        size: label.clone(),
        ours: format!("{}; peak {}", spread(&stats), peak::mib(stats_peak)),
        peer: format!(
            "`sqlite3` group-by over `json_extract` {}",
            spread(&stats_peer)
        ),
        ratio: ratio(median(stats), median(stats_peer)),
    });
    let verify: Vec<Duration> = (0..runs).map(|_| audit_verify(&session)).collect();
    let verify_cli: Vec<peak::ChildRun> =
        (0..runs).map(|_| cli(&db, &["audit", "verify"])).collect();
    let verify_peak = verify_cli.iter().map(|c| c.peak_bytes).max().unwrap_or(0);
    let verify_cli: Vec<Duration> = verify_cli.iter().map(|c| c.wall).collect();
    let events = session.audit_checkpoint().unwrap().size;
    rows.push(Row {
        work: format!("`audit verify`, chain + rows ({events} events)"),
        size: label.clone(),
        ours: spread(&verify),
        peer: "goal ≤ 1 s".into(),
        ratio: ratio(median(verify), Duration::from_secs(1)),
    });
    rows.push(Row {
        work: "`shuangsuiji audit verify` (release CLI, whole process)".into(),
        size: label,
        ours: format!("{}; peak {}", spread(&verify_cli), peak::mib(verify_peak)),
        peer: "goal ≤ 1 s".into(),
        ratio: ratio(median(verify_cli), Duration::from_secs(1)),
    });
    drop(session);
    remove_db(&db);
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this with no flag: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/scale.rs: run with `cargo bench --bench scale`");
        return;
    }
    ensure_sqlite3();
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();

    // The demo county's first screen: the reference for the large ones.
    let demo_db = support::demo_copy(&dir, "demo.db");
    let demo_session = support::open(&demo_db, "lead.liu");
    first_screen(&demo_session);
    let demo: Vec<Duration> = (0..RUNS * 2).map(|_| first_screen(&demo_session)).collect();
    let (o, c) = first_screen_parts(&demo_session);
    rows.push(Row {
        work: "dashboard first screen (overview + key coverage)".into(),
        size: "demo".into(),
        ours: spread(&demo),
        peer: format!("of which overview {} / key coverage {}", ms(o), ms(c)),
        ratio: String::new(),
    });
    let demo = median(demo);
    drop(demo_session);

    let mut sizes = vec![10_000, 100_000];
    if std::env::var("SCALE_1M").is_ok_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    if let Ok(only) = std::env::var("SCALE_ONLY") {
        sizes.retain(|n| n.to_string() == only);
    }
    for n in sizes {
        county(dir.path(), n, &mut rows, demo);
    }

    println!("| work | size | ours: median (min–max) | peer | ratio |");
    println!("|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.work, r.size, r.ours, r.peer, r.ratio
        );
    }
    eprintln!(
        "benches/scale.rs took {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
