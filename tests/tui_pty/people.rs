//! Who does what in the demo county, found through the library (shared by `tests/it/tui_pty.rs`
//! and `benches/tui.rs`).

#![allow(dead_code)]

use std::path::Path;

use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::visits::{VisitFilter, VisitSummary};
use shuangsuiji::services::{OpenOptions, Session};

/// A session on a demo database as `login`, on the harness's day.
pub fn open(path: &Path, login: &str) -> Session {
    Session::open(
        path,
        &OpenOptions {
            act_as: Some(login.to_string()),
            today: Some(super::harness::TODAY.parse().unwrap()),
        },
    )
    .unwrap()
}

/// The most urgent completed visit (waiting for its result) and the login of its team's
/// lead officer: the rule `demo.tape` uses to pick `$OFFICER` (with `visit list` and `jq`).
pub fn urgent_visit_and_officer(path: &Path) -> (VisitSummary, String) {
    let s = open(path, "lead.liu");
    let visit = s
        .list_visits(&VisitFilter {
            due_within: Some(99),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo has completed visits waiting for their result");
    assert_eq!(visit.state, VisitState::Completed);
    let code = &visit
        .row
        .team
        .iter()
        .find(|t| t.lead)
        .expect("a team has a lead")
        .inspector;
    let login = s
        .list_users()
        .unwrap()
        .into_iter()
        .find(|u| u.inspector.as_deref() == Some(code.as_str()))
        .unwrap_or_else(|| panic!("no login for officer {code}"))
        .login;
    (visit, login)
}
