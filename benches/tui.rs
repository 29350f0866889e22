//! The dashboard over a slow link: bytes written to the terminal per action, nothing while
//! idle, how soon another user's change is shown, the first frame on a 100,000-entity database, render time and peak memory.
//!
//! `cargo bench --bench tui` (release build) prints a table; the figures and goals are in
//! docs/benchmarks.md, "The dashboard". Bytes are counted through a pseudo-terminal running
//! the real binary (the harness of `tests/it/tui_pty.rs`), so they are what an SSH link carries.

#[path = "../tests/tui_pty/harness.rs"]
mod harness;
#[path = "../tests/tui_pty/people.rs"]
mod people;
#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Datelike;
use harness::{ENTER, ESC, TAB, Term};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::uscc;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{OpenOptions, Session, identity, init};
use shuangsuiji::tui::{self, model::ScreenId};

/// Nothing written for this long: the screen is stable.
const QUIET: Duration = Duration::from_millis(400);
/// Generous: a loaded 2-core machine.
const SLOW: Duration = Duration::from_secs(60);
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
/// How many times each small action is measured (the table shows the median).
const REPEAT: usize = 5;
const N: usize = 100_000;

struct Row {
    what: String,
    goal: &'static str,
    figures: Vec<String>,
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

fn span(v: &[usize]) -> String {
    let min = v.iter().min().copied().unwrap_or(0);
    let max = v.iter().max().copied().unwrap_or(0);
    if min == max {
        format!("{min}")
    } else {
        format!("{} ({min}-{max})", median(v.to_vec()))
    }
}

/// The dashboard on a fresh demo copy, started and settled: (terminal, bytes, frames).
fn started(dir: &tempfile::TempDir, name: &str, login: Option<&str>, size: (u16, u16)) -> Term {
    let db = support::demo_copy(dir, name);
    let t = Term::dashboard(&db, login, size.0, size.1);
    t.wait_for("重点监管对象本年覆盖", SLOW);
    t.settle(QUIET, SLOW);
    t
}

/// Bytes on the wire, demo county, per terminal size.
fn wire(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let (_, officer) = people::urgent_visit_and_officer(&support::demo_copy(&dir, "probe.db"));
    let mut first = Vec::new();
    let mut first_frames = Vec::new();
    let mut first_only = Vec::new();
    let mut step = Vec::new();
    let mut step_page = Vec::new();
    let mut search_char = Vec::new();
    let mut form_char = Vec::new();
    let mut idle = Vec::new();
    let mut switch12 = Vec::new();
    let mut switch21 = Vec::new();
    let mut noop = Vec::new();
    let mut record_step = Vec::new();
    let mut record_page = Vec::new();
    for (i, size) in SIZES.into_iter().enumerate() {
        // The first frame: everything until the screen is stable (three draws: before
        // loading, the overview, the key-entity coverage).
        let mut t = started(&dir, &format!("first-{i}.db"), None, size);
        let raw = t.raw();
        first.push(raw.len().to_string());
        first_frames.push(harness::frames(&raw).to_string());
        let second = raw
            .windows(8)
            .enumerate()
            .filter(|(_, w)| w == b"\x1b[?2026h")
            .nth(1)
            .map(|(at, _)| at)
            .unwrap_or(raw.len());
        first_only.push(second.to_string());

        // Ten idle seconds on the overview.
        let before = t.settle(QUIET, SLOW);
        std::thread::sleep(Duration::from_secs(10));
        idle.push((t.bytes() - before).to_string());

        // A key that changes nothing (k at the top of the overview).
        noop.push(span(
            &(0..REPEAT)
                .map(|_| t.bytes_for("k", QUIET))
                .collect::<Vec<_>>(),
        ));

        // Screen switches, 1 to 2 (the first loads the entities) and back.
        let mut to2 = Vec::new();
        let mut to1 = Vec::new();
        for _ in 0..REPEAT {
            to2.push(t.bytes_for("2", QUIET));
            to1.push(t.bytes_for("1", QUIET));
        }
        switch12.push(span(&to2));
        switch21.push(span(&to1));

        // One Chinese character typed into the search (the list is filtered as it is typed),
        // then Esc, which leaves the search and clears it.
        t.bytes_for("2", QUIET);
        t.wait_for("[/] 查找", SLOW);
        t.bytes_for("/", QUIET);
        search_char.push(t.bytes_for("阳", QUIET).to_string());
        t.bytes_for(ESC, QUIET);
        t.wait_for("[/] 查找", SLOW);

        // One step down the entity list (within a page), and across a page boundary.
        let page = size.1 as usize - 6;
        let steps: Vec<usize> = (0..page + 1).map(|_| t.bytes_for("j", QUIET)).collect();
        let (within, across): (Vec<_>, Vec<_>) = steps
            .iter()
            .enumerate()
            .partition(|(n, _)| (n + 1) % page != 0);
        step.push(span(
            &within
                .into_iter()
                .map(|(_, b)| *b)
                .take(REPEAT)
                .collect::<Vec<_>>(),
        ));
        step_page.push(span(
            &across.into_iter().map(|(_, b)| *b).collect::<Vec<_>>(),
        ));

        // A draw's record (screen 3, the run draw): a step of its cursor within a page, and
        // onto the next page.
        t.bytes_for("3", QUIET);
        t.bytes_for("j", QUIET);
        t.bytes_for(ENTER, QUIET);
        t.wait_for("抽查期间", SLOW);
        let page = size.1 as usize - 4;
        let steps: Vec<usize> = (0..page).map(|_| t.bytes_for("j", QUIET)).collect();
        record_step.push(span(&steps[..page - 1]));
        record_page.push(steps[page - 1].to_string());
        t.bytes_for(ESC, QUIET);
        t.quit();

        // One Chinese character in the result form's 检查发现.
        let mut t = started(&dir, &format!("form-{i}.db"), Some(&officer), size);
        t.bytes_for("4", QUIET);
        t.bytes_for("m", QUIET);
        t.bytes_for(ENTER, QUIET);
        t.wait_for("结果录入", SLOW);
        t.bytes_for(TAB, QUIET);
        t.bytes_for(TAB, QUIET);
        t.bytes_for("现", QUIET);
        form_char.push(span(
            &["场", "检", "查", "正", "常"]
                .iter()
                .map(|c| t.bytes_for(c, QUIET))
                .collect::<Vec<_>>(),
        ));
        t.bytes_for(ESC, QUIET);
        t.quit();
    }
    let mut add = |what: &str, goal: &'static str, figures: Vec<String>| {
        rows.push(Row {
            what: what.to_string(),
            goal,
            figures,
        })
    };
    add(
        "first screen, until stable (bytes)",
        "",
        first
            .iter()
            .zip(&first_frames)
            .map(|(b, f)| format!("{b} in {f} frames"))
            .collect(),
    );
    add("of which the very first frame (bytes)", "", first_only);
    add("ten idle seconds (bytes)", "0", idle);
    add("a key that changes nothing (bytes)", "", noop);
    add(
        "list step `j` on screen 2, within a page (bytes)",
        "<= 400",
        step,
    );
    add("list step `j` onto the next page (bytes)", "", step_page);
    add(
        "one Chinese character in the search, list refiltered (bytes)",
        "",
        search_char,
    );
    add("one Chinese character in 检查发现 (bytes)", "", form_char);
    add("screen switch `1` -> `2` (bytes)", "", switch12);
    add("screen switch `2` -> `1` (bytes)", "", switch21);
    add(
        "draw record: cursor step `j` within a page (bytes)",
        "",
        record_step,
    );
    add(
        "draw record: step onto the next page (bytes)",
        "",
        record_page,
    );
}

/// A writer whose bytes stay countable while a backend owns it.
#[derive(Clone, Default)]
struct Counted(std::rc::Rc<std::cell::RefCell<usize>>);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.borrow_mut() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The same frames drawn through ratatui-crossterm's backend (before) and ours (after), in
/// process: the bytes each action writes, frame by frame as the dashboard draws them (inside
/// synchronized-update brackets, nothing when the frame did not change).
struct Wire<B: ratatui::backend::Backend + Write> {
    terminal: Terminal<B>,
    make: Box<dyn Fn(Counted) -> B>,
    out: Counted,
    last: Option<ratatui::buffer::Buffer>,
    /// Clear the screen first when that pays, as the dashboard does (not done before).
    clears: bool,
}

impl<B: ratatui::backend::Backend + Write> Wire<B> {
    fn new(make: impl Fn(Counted) -> B + 'static, (w, h): (u16, u16), clears: bool) -> Self {
        let out = Counted::default();
        let terminal = Self::terminal(&make, &out, (w, h));
        Wire {
            terminal,
            make: Box::new(make),
            out,
            last: None,
            clears,
        }
    }

    fn terminal(make: &dyn Fn(Counted) -> B, out: &Counted, (w, h): (u16, u16)) -> Terminal<B> {
        Terminal::with_options(
            make(out.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
            },
        )
        .unwrap()
    }

    /// The bytes of drawing `m` now; 0 when the frame is the one already shown (the
    /// dashboard's shadow frame skips the draw then).
    fn draw(&mut self, m: &tui::model::Model) -> usize {
        use ratatui::crossterm::{
            queue,
            terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate},
        };
        let area = self.terminal.get_frame().area();
        let mut shadow = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
        shadow.draw(|f| tui::views::render(f, m)).unwrap();
        let frame = shadow.backend().buffer().clone();
        if self.last.as_ref() == Some(&frame) {
            return 0;
        }
        let clear = self.clears
            && self
                .last
                .as_ref()
                .is_some_and(|old| tui::clear_pays(old, &frame));
        self.last = Some(frame);
        let before = *self.out.0.borrow();
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate).unwrap();
        if clear {
            // What the dashboard's `Terminal::clear` writes (ESC[2J, the cursor put back),
            // then a terminal with nothing drawn yet, as after the clear.
            use ratatui::crossterm::{cursor::MoveTo, terminal::Clear, terminal::ClearType};
            queue!(
                self.terminal.backend_mut(),
                Clear(ClearType::All),
                MoveTo(0, 0)
            )
            .unwrap();
            self.terminal = Self::terminal(&self.make, &self.out, (area.width, area.height));
        }
        self.terminal.draw(|f| tui::views::render(f, m)).unwrap();
        queue!(self.terminal.backend_mut(), EndSynchronizedUpdate).unwrap();
        *self.out.0.borrow() - before
    }
}

/// Bytes per action before and after our backend, on the demo county, per terminal size:
/// (what, before, after) for each size.
fn wide_characters(rows: &mut Vec<Row>) {
    use ratatui::backend::CrosstermBackend;
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use shuangsuiji::tui::backend::WideBackend;
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "wide.db");
    let (_, officer) = people::urgent_visit_and_officer(&db);
    let key = |c: KeyCode| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let what = [
        "first screen, until stable (3 frames)",
        "list step `j` on screen 2",
        "screen switch `1` -> `2`",
        "screen switch `2` -> `1`",
        "one Chinese character in 检查发现",
        "one Chinese character in the entity search",
        "ten idle seconds (no frame)",
    ];
    let mut figures: Vec<Vec<String>> = vec![Vec::new(); what.len()];
    for size in SIZES {
        let mut before = Wire::new(CrosstermBackend::new, size, false);
        let mut after = Wire::new(WideBackend::new, size, true);
        let mut both = |m: &tui::model::Model| (before.draw(m), after.draw(m));
        let add = |a: (usize, usize), b: (usize, usize)| (a.0 + b.0, a.1 + b.1);
        let mut s = support::open(&db, None);
        let mut m = tui::model_for(&s, true);
        m.size = Some(size);
        let step = |s: &mut Session, m: &mut tui::model::Model, ev: Event| {
            tui::handle(s, m, ev);
        };
        // The three frames of a start: before loading, the overview, the coverage.
        let mut first = both(&m);
        tui::load::overview(&s, &mut m).unwrap();
        first = add(first, both(&m));
        tui::load::key_coverage(&s, &mut m).unwrap();
        first = add(first, both(&m));
        step(&mut s, &mut m, key(KeyCode::Char('2')));
        let to2 = both(&m);
        step(&mut s, &mut m, key(KeyCode::Char('j')));
        let j = both(&m);
        step(&mut s, &mut m, key(KeyCode::Char('1')));
        let to1 = both(&m);
        step(&mut s, &mut m, key(KeyCode::Char('2')));
        both(&m);
        step(&mut s, &mut m, key(KeyCode::Char('/')));
        both(&m);
        step(&mut s, &mut m, key(KeyCode::Char('阳')));
        let search = both(&m);
        let idle = both(&m);
        // The officer's form: Tab Tab to 检查发现, one character, then the next.
        let mut s = support::open(&db, officer.as_str());
        let mut m = tui::model_for(&s, true);
        m.size = Some(size);
        let mut before = Wire::new(CrosstermBackend::new, size, false);
        let mut after = Wire::new(WideBackend::new, size, true);
        let mut both = |m: &tui::model::Model| (before.draw(m), after.draw(m));
        tui::load::overview(&s, &mut m).unwrap();
        for ev in [
            key(KeyCode::Char('4')),
            key(KeyCode::Char('m')),
            key(KeyCode::Enter),
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Char('现')),
        ] {
            step(&mut s, &mut m, ev);
            both(&m);
        }
        step(&mut s, &mut m, key(KeyCode::Char('场')));
        let typed = both(&m);
        for (i, (b, a)) in [first, j, to2, to1, typed, search, idle]
            .into_iter()
            .enumerate()
        {
            figures[i].push(format!("{b} -> **{a}**"));
        }
    }
    for (w, f) in what.iter().zip(figures) {
        rows.push(Row {
            what: format!(
                "in process, before -> after (our backend, cleared when that pays): {w} (bytes)"
            ),
            goal: "",
            figures: f,
        });
    }
}

/// How long after another process commits its change the dashboard shows it: the principal
/// on screen 3 while the lead asks, in this process, to void the waiting draw.
fn shown_from_elsewhere(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let mut figures = Vec::new();
    for (i, size) in SIZES.into_iter().enumerate() {
        let mut times = Vec::new();
        for n in 0..REPEAT {
            let db = support::demo_copy(&dir, &format!("elsewhere-{i}-{n}.db"));
            let mut t = Term::dashboard(&db, Some("principal.wang"), size.0, size.1);
            t.wait_for("重点监管对象本年覆盖", SLOW);
            t.send("3");
            t.wait_for("待运行", SLOW);
            t.settle(QUIET, SLOW);
            let mut lead = Session::open(
                &db,
                &OpenOptions {
                    act_as: Some("lead.liu".into()),
                    today: Some(support::demo_day()),
                },
            )
            .unwrap();
            lead.request_void("2026Q2-01", "现场种子来源不合规，重新准备")
                .unwrap();
            let committed = Instant::now();
            t.wait_for("作废待批", SLOW);
            times.push(committed.elapsed().as_millis() as usize);
            t.quit();
        }
        figures.push(span(&times));
    }
    rows.push(Row {
        what: "another process's commit shown on the dashboard (ms)".into(),
        goal: "about 1 s",
        figures,
    });
}

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

fn write_entities(path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别,重点排污单位名录\n".as_bytes())
        .unwrap();
    for i in 0..N {
        let types = match i % 200 {
            0..=9 => "排污单位、涉固体废物和危险废物单位",
            10 => "核与辐射利用单位",
            11..=12 => "非道路移动机械",
            _ => "排污单位",
        };
        let town = TOWNS[i % TOWNS.len()];
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{},{town},阳城县{town}某村{}号,制造业,{types},{},{},报告表,{}",
            code(i),
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
            if i % 37 == 0 { "是" } else { "" },
        )
        .unwrap();
    }
}

/// A production database with the year's plans and 100,000 entities; the operating-system
/// user is its admin and lead.
fn big_database(dir: &Path) -> PathBuf {
    let db = dir.join("big.db");
    let me = identity::os_login().unwrap();
    let today = shuangsuiji::services::china_today();
    init::init_empty(&db, &me, today).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    s.change_user(&me, UserChange::Grant(Role::Lead)).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    if s.list_plans(Some(today.year())).unwrap().is_empty() {
        s.create_seed_plans(today.year()).unwrap();
    }
    let csv = dir.join("entities.csv");
    write_entities(&csv);
    let added = s
        .import_entities(&csv, false, &mut |_, _| {})
        .unwrap()
        .added;
    assert_eq!(added, N);
    db
}

/// The child's peak resident memory (VmHWM), in MiB.
fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The child's CPU time so far (user + system).
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): state is the first; utime
    // and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|x| x.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    // Linux reports in USER_HZ, 100 a second on every architecture it runs on.
    Duration::from_millis(ticks * 10)
}

/// The CPU the dashboard spends noticing and reloading after one commit by someone else.
fn cpu_per_commit(db: &Path, pid: u32, change: UserChange) -> Duration {
    std::thread::sleep(Duration::from_millis(1500));
    let before = cpu(pid);
    let me = identity::os_login().unwrap();
    let mut s = Session::open(db, &OpenOptions::default()).unwrap();
    s.change_user(&me, change).unwrap();
    drop(s);
    // Noticed at the next look (once a second): give it time to reload.
    std::thread::sleep(Duration::from_millis(3000));
    cpu(pid) - before
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// The 100,000-entity database: first frame, loading, screen 2, memory; render time.
fn big(rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let built = Instant::now();
    let db = big_database(dir.path());
    eprintln!(
        "100,000-entity database built in {:.1} s",
        built.elapsed().as_secs_f64()
    );
    let mut first = Vec::new();
    let mut overview = Vec::new();
    let mut coverage = Vec::new();
    let mut entities = Vec::new();
    let mut peak = Vec::new();
    let mut again = Vec::new();
    let mut cpu_overview = Vec::new();
    let mut cpu_entities = Vec::new();
    for run in 0..3 {
        let args = vec![
            "--db".to_string(),
            db.display().to_string(),
            "dashboard".to_string(),
        ];
        let mut t = Term::spawn(&args, 120, 40);
        t.wait_until("any text", SLOW, |s| !s.trim().is_empty());
        let spawned = t.started;
        first.push(t.first_text().unwrap() - spawned);
        t.wait_for("本年各任务进度", SLOW);
        overview.push(spawned.elapsed());
        t.wait_for("重点监管对象本年覆盖", SLOW);
        coverage.push(spawned.elapsed());
        t.settle(QUIET, SLOW);
        let pid = t.pid().expect("the child's pid");
        if run == 0 {
            cpu_overview.push(cpu_per_commit(&db, pid, UserChange::Grant(Role::Observer)));
        }
        let asked = Instant::now();
        t.send("2");
        t.wait_for(&format!("/{N}"), SLOW);
        entities.push(asked.elapsed());
        t.settle(QUIET, SLOW);
        peak.push(peak_mib(pid).unwrap_or(f64::NAN));
        if run == 0 {
            cpu_entities.push(cpu_per_commit(&db, pid, UserChange::Revoke(Role::Observer)));
        }
        // Away and back: the list is loaded again.
        t.send("1");
        t.wait_for("本年各任务进度", SLOW);
        t.settle(QUIET, SLOW);
        let asked = Instant::now();
        t.send("2");
        t.wait_for(&format!("/{N}"), SLOW);
        t.settle(Duration::from_millis(50), SLOW);
        again.push(asked.elapsed());
        t.quit();
    }
    let best = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        format!(
            "{} (runs: {})",
            ms(v[v.len() / 2]),
            v.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
        )
    };
    rows.push(Row {
        what: "100k: spawn to first non-empty screen".into(),
        goal: "<= 150 ms",
        figures: vec![best(&first)],
    });
    rows.push(Row {
        what: "100k: spawn to overview loaded".into(),
        goal: "",
        figures: vec![best(&overview)],
    });
    rows.push(Row {
        what: "100k: spawn to key-entity coverage shown".into(),
        goal: "",
        figures: vec![best(&coverage)],
    });
    rows.push(Row {
        what: "100k: `2` to the entity list shown".into(),
        goal: "",
        figures: vec![best(&entities)],
    });
    rows.push(Row {
        what: "100k: `1` then `2` again (the list is reloaded)".into(),
        goal: "",
        figures: vec![best(&again)],
    });
    rows.push(Row {
        what: "100k: dashboard CPU per commit by another process, on screen 1 / on screen 2".into(),
        goal: "",
        figures: vec![format!(
            "{} / {}",
            cpu_overview
                .iter()
                .map(|d| ms(*d))
                .collect::<Vec<_>>()
                .join(", "),
            cpu_entities
                .iter()
                .map(|d| ms(*d))
                .collect::<Vec<_>>()
                .join(", ")
        )],
    });
    rows.push(Row {
        what: "100k: peak memory (VmHWM) on screen 2".into(),
        goal: "",
        figures: vec![format!(
            "{:.0} MiB (runs: {})",
            peak.iter().cloned().fold(f64::NAN, f64::max),
            peak.iter()
                .map(|p| format!("{p:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        )],
    });

    // Render time: the entity list of all 100,000 entities, 120x40, in-process.
    let session = Session::open(&db, &OpenOptions::default()).unwrap();
    let mut m = tui::model_for(&session, false);
    m.screen = ScreenId::Entities;
    let loading = Instant::now();
    tui::load::entities(&session, &mut m).unwrap();
    let load_time = loading.elapsed();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| tui::views::render(f, &m)).unwrap();
    let runs = 100;
    let start = Instant::now();
    for _ in 0..runs {
        terminal.draw(|f| tui::views::render(f, &m)).unwrap();
    }
    let same = start.elapsed() / runs;
    let start = Instant::now();
    for i in 0..runs {
        m.entities.selected = i as usize;
        terminal.draw(|f| tui::views::render(f, &m)).unwrap();
    }
    let moving = start.elapsed() / runs;
    m.entities.detail = true;
    let start = Instant::now();
    for _ in 0..runs {
        terminal.draw(|f| tui::views::render(f, &m)).unwrap();
    }
    let detail = start.elapsed() / runs;
    let us = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    rows.push(Row {
        what: "100k: render the entity list, 120x40, mean of 100".into(),
        goal: "<= 2 ms",
        figures: vec![format!(
            "{} (selection moving: {}; detail pane open: {})",
            us(same),
            us(moving),
            us(detail)
        )],
    });
    // What the loads are made of.
    let timed = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let visits = timed(&|| {
        session.list_visits(&Default::default()).unwrap();
    });
    let classified = timed(&|| {
        session.list_entities(&Default::default()).unwrap();
    });
    let overview = timed(&|| {
        let mut o2 = tui::model_for(&session, false);
        tui::load::overview(&session, &mut o2).unwrap();
    });
    let coverage = timed(&|| {
        let mut o2 = tui::model_for(&session, false);
        tui::load::overview(&session, &mut o2).unwrap();
        tui::load::key_coverage(&session, &mut o2).unwrap();
    })
    .saturating_sub(overview);
    rows.push(Row {
        what: "100k, in-process: `load::overview` / `load::key_coverage` / `load::entities`".into(),
        goal: "",
        figures: vec![format!(
            "{} / {} / {}",
            ms(overview),
            ms(coverage),
            ms(load_time)
        )],
    });
    rows.push(Row {
        what: "100k, in-process: `Session::list_visits` (no visits) / `list_entities`".into(),
        goal: "",
        figures: vec![format!("{} / {}", ms(visits), ms(classified))],
    });
}

/// A paste of 500 CJK characters into 检查发现, in process: one bracketed-paste event (one
/// insert, one draft save) against the same text as 500 keys handled one at a time (a draft
/// save each: what a paste cost before bracketed paste and bursts). Write transactions
/// (`Session::commits`) and time, the two measured in the same run.
fn paste(rows: &mut Vec<Row>) {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let text: String = "检查发现废水排放口标识不清"
        .chars()
        .cycle()
        .take(500)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let measure = |name: &str, as_paste: bool| -> (u64, Duration) {
        let c = support::completed_visit(&dir, name, |_| true);
        let mut s = support::open(&c.db, c.officer.as_str());
        let mut m = tui::model_for(&s, true);
        m.size = Some((100, 30));
        let key = |s: &mut Session, m: &mut tui::model::Model, code: KeyCode| {
            tui::handle(s, m, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        };
        key(&mut s, &mut m, KeyCode::Char('4'));
        let at = m
            .visits
            .list
            .iter()
            .position(|v| v.id == c.visit.id)
            .unwrap();
        for _ in 0..at {
            key(&mut s, &mut m, KeyCode::Down);
        }
        key(&mut s, &mut m, KeyCode::Enter);
        key(&mut s, &mut m, KeyCode::Tab);
        key(&mut s, &mut m, KeyCode::Tab);
        let before = s.commits();
        let t = Instant::now();
        if as_paste {
            tui::handle(&mut s, &mut m, Event::Paste(text.clone()));
        } else {
            for ch in text.chars() {
                key(&mut s, &mut m, KeyCode::Char(ch));
            }
        }
        let took = t.elapsed();
        let draft = s.result_view(c.visit.id).unwrap().draft.unwrap();
        assert_eq!(draft.result.findings, text);
        (s.commits() - before, took)
    };
    let (one_commits, one) = measure("paste-one.db", true);
    let (keys_commits, keys) = measure("paste-keys.db", false);
    rows.push(Row {
        what: "paste 500 CJK into 检查发现: one event vs 500 keys (commits, ms)".into(),
        goal: "1 commit",
        figures: vec![format!(
            "{one_commits}, {} vs {keys_commits}, {} ({:.0}x)",
            ms(one),
            ms(keys),
            keys.as_secs_f64() / one.as_secs_f64().max(1e-9)
        )],
    });
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this with no flag: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/tui.rs: run with `cargo bench --bench tui`");
        return;
    }
    let mut rows = Vec::new();
    let start = Instant::now();
    // `TUI_BENCH=bytes`: only the bytes on the wire (a minute instead of several).
    let only_bytes = std::env::var("TUI_BENCH").is_ok_and(|v| v == "bytes");
    // `TUI_BENCH=paste`: only the paste (seconds).
    let only_paste = std::env::var("TUI_BENCH").is_ok_and(|v| v == "paste");
    paste(&mut rows);
    if !only_paste {
        wide_characters(&mut rows);
        wire(&mut rows);
    }
    if !only_bytes && !only_paste {
        shown_from_elsewhere(&mut rows);
        big(&mut rows);
    }
    let head = format!(
        "| measurement | goal | {} |",
        SIZES
            .iter()
            .map(|(c, r)| format!("{c}x{r}"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("{head}");
    println!("|---|---|{}", "---|".repeat(SIZES.len()));
    for r in rows {
        let mut cells = r.figures.clone();
        cells.resize(SIZES.len(), String::new());
        println!("| {} | {} | {} |", r.what, r.goal, cells.join(" | "));
    }
    eprintln!("benches/tui.rs took {:.0} s", start.elapsed().as_secs_f64());
}
