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
//! - **the dashboard's first screen** on the county the last run has just drawn
//!   (`tui::load::overview` + `tui::load::key_coverage`, in process, as `benches/scale.rs`
//!   times it on a county that has drawn nothing), against the goal of 100 ms; then the same
//!   county seen by an officer of the draw (his own visits listed whole), and at the year's
//!   end, simulated in SQL (every visit started and completed, 59 in 60
//!   results entered, most published), and beside each the overview's reference, which builds
//!   every visit whole (`Session::overview_by_visits`, the overview before it counted marks).
//!
//! Each child is timed by its wall clock and its own peak resident set (`wait4`). Medians of
//! 5 interleaved runs (3 at 1M). `cargo bench --bench draw_scale` prints a markdown table;
//! the figures are in docs/benchmarks.md, "Scale, the draw".

#[path = "common/county.rs"]
mod county;
#[path = "common/draw_county.rs"]
mod draw_county;
#[path = "common/peak.rs"]
mod peak;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::ticket;
use shuangsuiji::services::{OpenOptions, Session};
use shuangsuiji::tui;

const RUNS: usize = 5;
const SEED_A: &str = "31415926535897932384";
const SEED_B: &str = "27182818284590452353";

struct DrawRun {
    prepare: Duration,
    run: Duration,
    peak: u64,
    visits: i64,
    /// SQLite's own time for what the run wrote (see [`write_floor`]).
    floor: Duration,
}

/// `draw prepare --period P` then `draw run P-01 --seed A --seed B` on a fresh copy of the
/// template, each a child process of the release binary.
/// One prepare and run on a fresh copy of `template` at `db`; the drawn database is left at
/// `db` when `keep` (for the first screen below), removed otherwise.
fn cli_draw(template: &Path, db: &Path, period: &str, keep: bool) -> DrawRun {
    draw_county::copy_database(template, db);
    let bin = env!("CARGO_BIN_EXE_shuangsuiji");
    let prep = peak::run_child(
        Command::new(bin)
            .args(["draw", "prepare", "--period", period, "--db"])
            .arg(db),
    );
    assert!(prep.success, "draw prepare: {}", prep.stderr);
    let prepared = db.with_extension("prepared.db");
    draw_county::copy_database(db, &prepared);
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
    let floor = write_floor(&prepared, db);
    draw_county::remove_database(&prepared);
    if !keep {
        draw_county::remove_database(db);
    }
    DrawRun {
        prepare: prep.wall,
        run: run.wall,
        peak: prep.peak_bytes.max(run.peak_bytes),
        visits,
        floor,
    }
}

/// SQLite's floor for what `draw run` writes: the rows the run left (its `draw_runs` row,
/// visits, seats, its event and that event's `audit_rows` lines) copied into the database as
/// it was prepared by one `INSERT … SELECT` per table, in one transaction, through the
/// schema's own indexes and the triggers the run keeps (the `…_no_replace` guards of the
/// tables it writes by plain inserts are set aside, as the run sets them aside), with the
/// same page cache as the run. No program
/// computes anything here: it is the least the storage of those rows costs, whatever writes
/// them.
fn write_floor(prepared: &Path, ran: &Path) -> Duration {
    let visits: i64 = rusqlite::Connection::open(ran)
        .unwrap()
        .query_row("SELECT count(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    let cache_kib = (visits * 512 / 1024).clamp(2048, 16 * 1024);
    let conn = county::floor_connection(prepared, ran, "ran", cache_kib);
    // The guards the run sets aside while it writes these tables by plain inserts.
    let (set_aside, put_back) =
        county::guards_set_aside(&conn, &["audit_rows", "draw_runs", "visits", "visit_team"]);
    assert_eq!(set_aside.lines().count(), 4, "{set_aside}");
    let start = Instant::now();
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         {set_aside}
         INSERT INTO main.audit_log SELECT * FROM ran.audit_log
             WHERE seq = (SELECT run_seq FROM ran.draw_runs);
         INSERT INTO main.audit_rows SELECT * FROM ran.audit_rows
             WHERE seq = (SELECT run_seq FROM ran.draw_runs);
         INSERT INTO main.draw_runs SELECT * FROM ran.draw_runs;
         INSERT INTO main.visits SELECT * FROM ran.visits;
         INSERT INTO main.visit_team SELECT * FROM ran.visit_team;
         {put_back}
         COMMIT;"
    ))
    .unwrap();
    let took = start.elapsed();
    let copied: i64 = conn
        .query_row("SELECT count(*) FROM main.visits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(copied, visits);
    took
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

/// Makes the county's users (the one who created it, running the bench) an officer of the
/// draw: given the code of the officer in the first seat drawn, whose visits the overview
/// then lists as "my visits" (in SQL beside the program; the bench only reads it
/// afterwards). Returns how many visits that officer sits on.
fn make_viewer_an_officer(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    let code: String = conn
        .query_row(
            "SELECT inspector FROM visit_team ORDER BY rowid LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute("UPDATE users SET inspector = ?1", [&code])
        .unwrap();
    conn.query_row(
        "SELECT count(*) FROM visit_team WHERE inspector = ?1",
        [&code],
        |r| r.get(0),
    )
    .unwrap()
}

/// The county just drawn as it stands at the year's end, simulated in SQL beside the program
/// (the bench only reads it afterwards; nothing is logged): every visit started and completed
/// on the day of the draw, the results of 59 in 60 entered that day (the rest still within
/// their 20 working days), and 49 in 50 of those published.
fn simulate_year_end(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let day: String = conn
        .query_row(
            "SELECT run_on FROM draw_runs ORDER BY run_seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let seq: i64 = conn
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let data =
        serde_json::to_string(&shuangsuiji::domain::result::InspectionResult::default()).unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for (sql, args) in [
        (
            "INSERT INTO visit_events (visit_id, kind, day, seq)
             SELECT id, 'start', ?1, ?2 FROM visits",
            vec![day.clone(), seq.to_string()],
        ),
        (
            "INSERT INTO visit_events (visit_id, kind, day, seq)
             SELECT id, 'complete', ?1, ?2 FROM visits",
            vec![day.clone(), seq.to_string()],
        ),
        (
            "INSERT INTO results (visit_id, data, submitted_by, submitted_on, due, late, seq)
             SELECT id, ?3, 'bench', ?1, ?1, 0, ?2 FROM visits WHERE id % 60 != 0",
            vec![day.clone(), seq.to_string(), data.clone()],
        ),
        (
            "INSERT INTO visit_events (visit_id, kind, day, seq)
             SELECT id, 'publish', ?1, ?2 FROM visits WHERE id % 60 != 0 AND id % 50 != 0",
            vec![day.clone(), seq.to_string()],
        ),
    ] {
        tx.execute(sql, rusqlite::params_from_iter(args)).unwrap();
    }
    tx.commit().unwrap();
}

/// The dashboard's full first screen (overview and key coverage, as `benches/scale.rs` times
/// it on a county with no draw) on the county just drawn: its year now has a run draw with
/// its visits, which the key coverage goes through to find the ones started.
///
/// The fourth list times the overview's reference, which builds every visit whole
/// ([`Session::overview_by_visits`], the overview before it counted from marks), in turn
/// with the rest.
fn first_screen(db: &Path, runs: usize) -> [Vec<Duration>; 4] {
    let session = Session::open(db, &OpenOptions::default()).unwrap();
    let mut times: [Vec<Duration>; 4] = Default::default();
    for i in 0..=runs {
        let mut m = tui::model_for(&session, false);
        let start = Instant::now();
        tui::load::overview(&session, &mut m).unwrap();
        let overview = start.elapsed();
        tui::load::key_coverage(&session, &mut m).unwrap();
        let took = start.elapsed();
        assert!(m.key_coverage.is_some());
        let start = Instant::now();
        let before = session.overview_by_visits().unwrap();
        let by_visits = start.elapsed();
        let now = m.overview.as_ref().unwrap();
        assert_eq!(
            (&now.tasks, &now.alerts, now.deadlines.len(), now.mine.len()),
            (
                &before.tasks,
                &before.alerts,
                before.deadlines.len(),
                before.mine.len()
            )
        );
        // The first is a warm-up.
        if i > 0 {
            times[0].push(took);
            times[1].push(overview);
            times[2].push(took - overview);
            times[3].push(by_visits);
        }
    }
    times
}

/// A row of the table for [`first_screen`]'s times: the screen, its parts, and the overview
/// against its reference.
fn screen_row(work: String, label: &str, times: [Vec<Duration>; 4]) -> [String; 5] {
    let [screen, overview, key, by_visits] = times;
    [
        work,
        label.to_string(),
        spread(&screen),
        format!(
            "goal ≤ 100 ms; of which `load::overview` {} / `load::key_coverage` {}; \
             the overview building every visit (before) {}",
            secs(median(overview.clone())),
            secs(median(key)),
            spread(&by_visits)
        ),
        format!(
            "overview {} of before",
            ratio(median(overview), median(by_visits))
        ),
    ]
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
        let (template, ids) = draw_county::template(dir.path(), n);
        eprintln!(
            "{label}: county built in {:.1} s",
            build.elapsed().as_secs_f64()
        );
        // `DRAW_KEEP=DIR` keeps a copy of each county there, before and after its last draw
        // (`county-N.db`, `drawn-N.db`; for profiling by hand).
        if let Ok(keep) = std::env::var("DRAW_KEEP") {
            draw_county::copy_database(&template, &Path::new(&keep).join(format!("county-{n}.db")));
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
        let mut floors = vec![];
        let (mut peer_t, mut sel, mut floor) = (vec![], vec![], vec![]);
        let mut visits = 0;
        for i in 0..runs {
            let d = cli_draw(&template, &db, &period, i + 1 == runs);
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
            floors.push(d.floor);
            peaks.push(d.peak);
            visits = d.visits;
            let (p, taken) = peer(&py, &ids_file);
            assert_eq!(taken, (n * 5).div_ceil(100));
            peer_t.push(p);
            sel.push(selection(&refs));
            floor.push(hashing_floor(n));
        }
        draw_county::remove_database(&template);
        let screen = first_screen(&db, if n >= 1_000_000 { 3 } else { RUNS * 2 });
        if let Ok(keep) = std::env::var("DRAW_KEEP") {
            draw_county::copy_database(&db, &Path::new(&keep).join(format!("drawn-{n}.db")));
        }
        let own = make_viewer_an_officer(&db);
        let officer_screen = first_screen(&db, if n >= 1_000_000 { 3 } else { RUNS * 2 });
        simulate_year_end(&db);
        let late_screen = first_screen(&db, if n >= 1_000_000 { 3 } else { RUNS * 2 });
        draw_county::remove_database(&db);
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
                secs(median(run.clone())),
                peak::mib(peak)
            ),
            format!("consistent_sampler 5 % alone {}", spread(&peer_t)),
            ratio(t, median(peer_t.clone())),
        ]);
        rows.push([
            "— of which `draw run` against SQLite's floor for the rows it writes (one `INSERT … SELECT` a table)".into(),
            label.clone(),
            spread(&run),
            format!("SQLite floor {}", spread(&floors)),
            ratio(median(run.clone()), median(floors.clone())),
        ]);
        rows.push(screen_row(
            format!(
                "dashboard first screen (overview + key coverage) after the run ({visits} visits)"
            ),
            &label,
            screen,
        ));
        rows.push(screen_row(
            format!("— the same, seen by an officer with {own} visits of his own"),
            &label,
            officer_screen,
        ));
        rows.push(screen_row(
            format!(
                "— the same at the year's end (simulated: every visit started and completed, \
                 59 in 60 entered, 49 in 50 of those published; {} waiting for their result; \
                 seen by the officer)",
                visits / 60
            ),
            &label,
            late_screen,
        ));
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
