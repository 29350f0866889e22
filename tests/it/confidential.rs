//! Nothing confidential reaches someone who may not see it (issue: insiders can neither steer
//! nor peek). Before the visits start, an observer and an inspector outside the teams try every
//! command that shows draws, visits, the log and reports; the output never carries the seed, a
//! drawn unit of a visit they may not see, or what a later preparation would reveal of earlier
//! draws (cap exclusions, shrunk populations).

use std::collections::BTreeSet;

use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::visits::VisitFilter;

use crate::support::{self, open, run, seeds, stderr, stdout};

#[test]
fn observers_and_other_teams_learn_nothing_before_the_visits_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut lead = open(&path, "lead.liu");
    let q2 = lead.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    lead.prepare_draw("2026Q3".parse().unwrap(), &[], &[])
        .unwrap();
    let q3_lead = lead.show_draw("2026Q3-01").unwrap();
    assert!(!q3_lead.withheld, "a lead sees the preparation whole");
    let visits = lead.list_visits(&VisitFilter::default()).unwrap();
    let unstarted: Vec<_> = visits
        .iter()
        .filter(|v| v.state == VisitState::Assigned)
        .collect();
    assert!(
        unstarted.iter().any(|v| v.period == "2026Q1"),
        "Q1 has visits not started"
    );
    let observer = support::only(&lead, Role::Observer);
    let users = lead.list_users().unwrap();
    let inspector = users
        .iter()
        .find(|u| u.roles == [Role::Inspector].into() && u.inspector.is_some())
        .unwrap();
    let code = inspector.inspector.clone().unwrap();
    drop(lead);
    for (who, own_code) in [
        (observer.as_str(), None),
        (inspector.login.as_str(), Some(code.as_str())),
    ] {
        // The units of visits this person may not see yet, but for units with another visit
        // they may see (started, or their own team's).
        let visible: BTreeSet<&str> = visits
            .iter()
            .filter(|v| {
                v.state != VisitState::Assigned || own_code.is_some_and(|c| v.team.includes(c))
            })
            .map(|v| v.entity.as_str())
            .collect();
        let secret: BTreeSet<&str> = unstarted
            .iter()
            .filter(|v| own_code.is_none_or(|c| !v.team.includes(c)))
            .map(|v| v.entity.as_str())
            .filter(|e| !visible.contains(e))
            .collect();
        assert!(secret.len() > 20, "{who}: {} secret units", secret.len());
        let cli = |args: &[&str]| {
            let o = run(&path, &[&["--as", who][..], args].concat());
            format!("{}{}", stdout(&o), stderr(&o))
        };
        let mut all = String::new();
        let mut no_ids = String::new();
        for args in [
            &["draw", "list"][..],
            &["draw", "show", "2026Q2-01"],
            &["draw", "show", "2026Q2-01", "--json"],
            &["draw", "show", "2026Q2-01", "--markdown"],
            &["draw", "show", "2026Q3-01"],
            &["draw", "show", "2026Q3-01", "--json"],
            &["draw", "show", "2026Q3-01", "--markdown"],
            &["draw", "verify", "2026Q2-01"],
            &["visit", "list"],
            &["visit", "list", "--json"],
            &["audit", "log"],
        ] {
            let out = cli(args);
            all.push_str(&out);
            no_ids.push_str(&out);
        }
        all.push_str(&cli(&[
            "report", "quarter", "--period", "2026Q2", "-", "--format", "md",
        ]));
        for secret_part in q2.seed_parts.iter().chain([&q2.seed]) {
            assert!(
                !all.contains(secret_part.as_str()),
                "{who}: seed part {secret_part} shown"
            );
        }
        for id in &secret {
            assert!(
                !no_ids.contains(id),
                "{who}: the unstarted visit's unit {id} shown"
            );
        }
        // A later preparation tells nothing of the earlier draws.
        assert!(
            !no_ids.contains("已随机抽查"),
            "{who}: a cap exclusion shown"
        );
        assert!(
            no_ids.contains("保密"),
            "{who}: the preparation is said to be withheld"
        );
        // Nor does the entity's history of a unit the second quarter drew.
        let drawn_now: Vec<&&str> = secret
            .iter()
            .filter(|id| q2.visits.iter().any(|v| v.entity == **id))
            .take(5)
            .collect();
        assert!(
            !drawn_now.is_empty(),
            "{who}: Q2 drew units they may not see"
        );
        for id in drawn_now {
            let out = cli(&["entities", "show", id]);
            assert!(
                !out.contains("2026Q2-01"),
                "{who}: {id}'s drawn visit in its history"
            );
        }
    }
}

#[test]
fn a_preparation_opens_once_the_earlier_visits_have_started_or_lapsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut lead = open(&path, "lead.liu");
    let observer = support::only(&lead, Role::Observer);
    let withheld = |p: &std::path::Path| open(p, observer.as_str()).show_draw("2026Q2-01").unwrap();
    let v = withheld(&path);
    assert!(v.withheld && v.prepared.excluded.is_empty());
    assert!(v.prepared.strata.iter().all(|s| s.population.is_empty()));
    let lead_view = lead.show_draw("2026Q2-01").unwrap();
    assert_eq!(
        v.counts, lead_view.counts,
        "the counts are the same for all"
    );
    assert!(lead_view.counts.iter().any(|c| c.population > 0));
    // Every Q1 visit still unstarted is marked 未实施 (the demo day is in Q2): the Q2
    // preparation opens.
    for q1 in lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.period == "2026Q1" && v.state == VisitState::Assigned)
    {
        lead.lapse_visit(q1.id, "企业停产，未实施").unwrap();
    }
    let v = withheld(&path);
    assert!(!v.withheld);
    assert_eq!(v.prepared, lead_view.prepared);
}
