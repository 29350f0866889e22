//! The integration tests, one crate: one build and one link for all of them, and the shared
//! demo database (`support`) built once per run instead of once per test binary.
//!
//! Each module is one area, run alone with a filter: `cargo test --test it calendar::`.
//! The long fault tests are `#[ignore]`d: `cargo test --test it faults:: -- --ignored`.

// Shared with `benches/tui.rs`, which includes it by path.
#[path = "../support/mod.rs"]
mod support;

/// A proptest configuration of `cases` cases that keeps failures beside the test's source
/// file (`foo.rs` → `foo.proptest-regressions`), where they were before this crate had a
/// `main.rs` (proptest's default would now put them in `tests/proptest-regressions/`).
fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, FileFailurePersistence};
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

mod bound_upgrade;
mod calendar;
mod cli;
mod confidential;
mod dashboard_forms;
mod dashboard_ids;
mod dayone;
mod dayone_verbs;
mod db_files;
mod demo;
mod drafts;
mod draw_props;
mod draw_slim;
mod draw_storage;
mod draw_v2;
mod draw_verify;
mod draws;
mod faults;
mod golden_codes;
mod golden_tickets;
mod hostile;
mod import_stream;
mod insider_files;
mod insider_input;
mod insider_rollback;
mod maintenance;
mod permissions;
mod public_site;
mod publicity;
mod registry;
mod reports;
mod results;
mod scale_read;
mod serve;
mod sheets;
mod tamper_matrix;
mod targeted;
mod towns;
mod tui_pty;
mod tui_snapshots;
mod tui_worker;
mod update_table;
mod year;
mod year_publish;
