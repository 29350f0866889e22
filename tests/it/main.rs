//! The integration tests, one crate: one build and one link for all of them, and the shared
//! demo database (`support`) built once per run instead of once per test binary.
//!
//! Each module is one area, run alone with a filter: `cargo test --test it calendar::`.
//! The long fault tests are `#[ignore]`d: `cargo test --test it faults:: -- --ignored`.

// Shared with `benches/tui.rs`, which includes it by path.
#[path = "../support/mod.rs"]
mod support;

mod calendar;
mod cli;
mod db_files;
mod demo;
mod draw_props;
mod draw_verify;
mod draws;
mod faults;
mod golden_codes;
mod golden_tickets;
mod hostile;
mod maintenance;
mod permissions;
mod publicity;
mod registry;
mod reports;
mod results;
mod sheets;
mod tui_pty;
mod tui_snapshots;
