//! Shared by the integration tests: one demo database per test binary, copied for each test,
//! so the demo county (and its year of draws and results) is built once.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use shuangsuiji::services::{identity, init};

/// The date the shared demo is built for.
pub const DEMO_DAY: &str = "2026-05-20";

pub fn demo_day() -> NaiveDate {
    DEMO_DAY.parse().unwrap()
}

fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("template.db");
        init::init_demo(&path, &identity::os_login().unwrap(), demo_day()).unwrap();
        path
    })
}

/// A visit of the demo's second-quarter draw (once run) that has a team and has not started,
/// and that meets `also`.
pub fn assigned_q2_visit(
    session: &shuangsuiji::services::Session,
    also: impl Fn(&shuangsuiji::services::visits::VisitView) -> bool,
) -> shuangsuiji::services::visits::VisitView {
    use shuangsuiji::domain::visit::VisitState;
    session
        .list_visits(&Default::default())
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

/// A fresh copy of the demo database (as of [`DEMO_DAY`]) in `dir`.
pub fn demo_copy(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::copy(template(), &path).unwrap();
    path
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_shuangsuiji");

/// Runs the binary on `db` with `args`, on the demo day, with no database from the environment.
pub fn run(db: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SHUANGSUIJI_DB")
        .env("SHUANGSUIJI_TODAY", DEMO_DAY)
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
