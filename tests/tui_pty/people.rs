//! Who does what in the demo county, found through the library (shared by `tests/it/tui_pty.rs`
//! and `benches/tui.rs`).

#![allow(dead_code)]

use std::path::Path;

use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::visits::{VisitFilter, VisitView};

use crate::support::{login_of, open};

/// The most urgent completed visit (waiting for its result) and the login of its team's
/// lead officer: the rule `demo.tape` uses to pick `$OFFICER` (with `visit list` and `jq`).
pub fn urgent_visit_and_officer(path: &Path) -> (VisitView, String) {
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
        .team
        .iter()
        .find(|t| t.lead)
        .expect("a team has a lead")
        .inspector;
    let login = login_of(&s, code);
    (visit, login)
}
