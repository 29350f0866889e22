//! Shared by the integration tests (`tests/it`) and `benches/tui.rs`: the demo databases (each
//! built once per process and date, copied for each test), sessions on them, who is who in the
//! demo county, the standard seeds and results, and the binary under test.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;
use shuangsuiji::domain::result::{Category, InspectionResult, ItemOutcome, Outcome};
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::visits::VisitView;
use shuangsuiji::services::{OpenOptions, ServiceError, Session, identity, init};

/// The date the shared demo is built for.
pub const DEMO_DAY: &str = "2026-05-20";

pub fn demo_day() -> NaiveDate {
    DEMO_DAY.parse().unwrap()
}

/// A date written `YYYY-MM-DD`.
pub fn day(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a date: {e}"))
}

/// The two seed parts the tests draw with (digits of π and of e).
pub const SEEDS: [&str; 2] = ["31415926535897932384", "27182818284590452353"];

pub fn seeds() -> Vec<String> {
    SEEDS.map(String::from).to_vec()
}

// ---------------------------------------------------------------------------------------------
// Demo databases.

/// The demo database built as of `date` by the operating-system user, once per process and
/// date. Copy it ([`demo_copy_at`]) before changing it.
///
/// Demos are built one at a time: building one publishes its earlier quarters through a
/// temporary file named after the process, which two builds at once in one process would share.
pub fn demo_at(date: NaiveDate) -> &'static Path {
    // One lock for the list and the building, so that demos are built one at a time.
    static BUILT: Mutex<BTreeMap<NaiveDate, &'static Path>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = built.get(&date).copied() {
        return path;
    }
    let dir = tempfile::tempdir().unwrap().keep();
    let path: &'static Path = Box::leak(dir.join(format!("demo-{date}.db")).into_boxed_path());
    init::init_demo(path, &identity::os_login().unwrap(), date).unwrap();
    built.insert(date, path);
    path
}

/// A fresh copy of the demo database as of `date` in `dir`.
pub fn demo_copy_at(dir: &tempfile::TempDir, name: &str, date: NaiveDate) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::copy(demo_at(date), &path).unwrap();
    path
}

/// An insider with the database file: the lead flag of the last seat written turned over,
/// its trigger dropped (outside the program and its log).
pub fn flip_last_seat_lead(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER visit_team_no_update;
         UPDATE visit_team SET lead = 1 - lead WHERE rowid = (SELECT max(rowid) FROM visit_team);",
    )
    .unwrap();
}

/// A fresh copy of the demo database (as of [`DEMO_DAY`]) in `dir`.
pub fn demo_copy(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    demo_copy_at(dir, name, demo_day())
}

/// A demo copy with the second quarter's draw run by the lead with [`SEEDS`] and no witness.
pub fn drawn_copy(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let path = demo_copy(dir, name);
    open(&path, "lead.liu")
        .run_draw("2026Q2-01", &seeds(), &[])
        .unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// Sessions and people.

/// Who a session is for: a login (`"lead.liu"`, `&officer`), or `None` for the
/// operating-system user (the demo's creator, admin and lead).
pub trait Login {
    fn login(&self) -> Option<&str>;
}

impl Login for &str {
    fn login(&self) -> Option<&str> {
        Some(*self)
    }
}

impl Login for &String {
    fn login(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl Login for Option<&str> {
    fn login(&self) -> Option<&str> {
        *self
    }
}

/// A session on `path` as `login`, as of `day`.
pub fn try_open_on(
    path: &Path,
    login: impl Login,
    day: NaiveDate,
) -> Result<Session, ServiceError> {
    Session::open(
        path,
        &OpenOptions {
            act_as: login.login().map(str::to_string),
            today: Some(day),
        },
    )
}

/// A session on `path` as `login`, as of `day`.
pub fn open_on(path: &Path, login: impl Login, day: NaiveDate) -> Session {
    let login = login.login();
    try_open_on(path, login, day)
        .unwrap_or_else(|e| panic!("open {} as {login:?} on {day}: {e}", path.display()))
}

/// A session on `path` as `login`, as of [`DEMO_DAY`].
pub fn open(path: &Path, login: impl Login) -> Session {
    open_on(path, login, demo_day())
}

/// The login of a user who holds `role` and no other.
pub fn only(s: &Session, role: Role) -> String {
    s.list_users()
        .unwrap()
        .into_iter()
        .find(|u| u.roles.len() == 1 && u.roles.contains(&role))
        .unwrap_or_else(|| panic!("the demo has a user who is only {role:?}"))
        .login
}

/// The login of the officer whose inspector code is `code`.
pub fn login_of(s: &Session, code: &str) -> String {
    s.list_users()
        .unwrap()
        .into_iter()
        .find(|u| u.inspector.as_deref() == Some(code))
        .unwrap_or_else(|| panic!("no login for inspector {code}"))
        .login
}

/// A login holding only the inspector role whose officer is not on `visit`'s team.
pub fn outsider(s: &Session, visit: &VisitView) -> String {
    s.list_users()
        .unwrap()
        .into_iter()
        .find(|u| {
            u.roles == [Role::Inspector].into()
                && u.inspector
                    .as_ref()
                    .is_some_and(|c| !visit.team.iter().any(|m| &m.inspector == c))
        })
        .expect("an inspector off the team")
        .login
}

/// A visit of the demo's second-quarter draw (once run) that has a team and has not started,
/// and that meets `also`.
pub fn assigned_q2_visit(s: &Session, also: impl Fn(&VisitView) -> bool) -> VisitView {
    s.list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .find(|v| {
            v.draw_id == "2026Q2-01"
                && v.state == VisitState::Assigned
                && v.problem.is_none()
                && also(v)
        })
        .expect("the run second-quarter draw has an assigned visit with a team")
}

/// A visit of [`drawn_copy`]'s second quarter, started and completed on [`DEMO_DAY`] by the
/// first officer of its team.
pub struct CompletedVisit {
    pub db: PathBuf,
    pub visit: VisitView,
    pub officer: String,
}

/// [`drawn_copy`] with an assigned second-quarter visit that meets `also` started and
/// completed by the first officer of its team.
pub fn completed_visit(
    dir: &tempfile::TempDir,
    name: &str,
    also: impl Fn(&VisitView) -> bool,
) -> CompletedVisit {
    let db = drawn_copy(dir, name);
    let lead = open(&db, "lead.liu");
    let visit = assigned_q2_visit(&lead, also);
    let officer = login_of(&lead, &visit.team[0].inspector);
    drop(lead);
    let mut s = open(&db, &officer);
    s.start_visit(visit.id, demo_day(), None).unwrap();
    s.complete_visit(visit.id, demo_day(), None).unwrap();
    CompletedVisit { db, visit, officer }
}

// ---------------------------------------------------------------------------------------------
// Results.

/// Every check item of visit `id` found compliant, in `categories`.
pub fn compliant_result(s: &Session, id: i64, categories: &[Category]) -> InspectionResult {
    InspectionResult {
        items: s
            .result_view(id)
            .unwrap()
            .items
            .into_iter()
            .map(|(code, _)| ItemOutcome {
                item: code,
                outcome: Outcome::Compliant,
                note: String::new(),
            })
            .collect(),
        categories: categories.iter().copied().collect(),
        ..Default::default()
    }
}

/// Every check item compliant, no problem found.
pub fn clean_result(s: &Session, id: i64) -> InspectionResult {
    compliant_result(s, id, &[Category::NoProblem])
}

/// A problem found on the first check item, to be followed up.
pub fn problem_result(s: &Session, id: i64) -> InspectionResult {
    let mut r = compliant_result(s, id, &[Category::Pending]);
    r.items[0].outcome = Outcome::Problem;
    r.findings = "危险废物贮存场所未设置识别标志".into();
    r.legal_basis = "《中华人民共和国固体废物污染环境防治法》第七十七条".into();
    r.measure = "立案调查".into();
    r
}

// ---------------------------------------------------------------------------------------------
// The binary.

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_shuangsuiji");

/// The binary on `db` with `args`, on the demo day, with no database from the environment.
pub fn command(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SHUANGSUIJI_DB")
        .env("SHUANGSUIJI_TODAY", DEMO_DAY);
    c
}

/// Runs the binary on `db` with `args`, on the demo day, with no database from the environment.
pub fn run(db: &Path, args: &[&str]) -> Output {
    command(db, args).output().expect("the binary runs")
}

/// Runs the binary with `args` in `dir`, with no database at all.
pub fn run_without_db(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("SHUANGSUIJI_DB")
        .output()
        .expect("the binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

/// The text of the dashboard drawn at `w`x`h`, a line per row: a wide character's second cell
/// is skipped, so text reads as it was written.
pub fn drawn(m: &shuangsuiji::tui::model::Model, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| shuangsuiji::tui::views::render(f, m)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let symbol = buf[(x, y)].symbol();
            out.push_str(symbol);
            x += u16::try_from(unicode_width::UnicodeWidthStr::width(symbol).max(1)).unwrap();
        }
        out.push('\n');
    }
    out
}
