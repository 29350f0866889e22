//! Issue 12, the draw's prepare and run slimmer: the preparation reads only what it needs of
//! each entity, and `draw run` lets the preparation go once the teams are matched. Neither
//! changes a byte of what is stored.

use std::path::Path;

use shuangsuiji::domain::classification::classify;
use shuangsuiji::domain::draw::record::Prepared;
use shuangsuiji::store;

use crate::support::{self, open, run, seeds, stderr, stdout};

const DRAW: &str = "2026Q2-01";

fn stored(path: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([DRAW], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The run row, and the visits and teams in insertion order, as text.
fn run_rows(path: &Path) -> (Vec<String>, Vec<String>) {
    let record = stored(path, "SELECT record FROM draw_runs WHERE draw_id = ?1");
    let visits = stored(
        path,
        "SELECT v.id || '|' || v.entity || '|' || v.tasks || '|' || v.ticket || '|' ||
                coalesce(v.problem, '') || '|' || coalesce(v.note, '') || '|' ||
                coalesce((SELECT group_concat(t.inspector || ',' || t.department || ',' || t.lead
                                              || ',' || t.ticket, ';')
                          FROM visit_team t WHERE t.visit_id = v.id), '')
         FROM visits v WHERE v.draw_id = ?1 ORDER BY v.id",
    );
    (record, visits)
}

#[test]
fn a_brief_run_stores_the_very_rows_a_full_run_stores_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let full = support::demo_copy(&dir, "full.db");
    let brief = support::demo_copy(&dir, "brief.db");
    let witnesses = ["张三".to_string()];
    let record = open(&full, None)
        .run_draw(DRAW, &seeds(), &witnesses)
        .unwrap();
    let mut s = open(&brief, None);
    let b = s.run_draw_brief(DRAW, &seeds(), &witnesses).unwrap();
    let (full_row, full_visits) = run_rows(&full);
    let (brief_row, brief_visits) = run_rows(&brief);
    assert_eq!(full_row.len(), 1);
    assert_eq!(brief_row, full_row, "the run row");
    assert!(!full_visits.is_empty(), "a real draw");
    assert_eq!(brief_visits, full_visits, "visits and teams");

    assert_eq!(b.seed, record.seed);
    assert_eq!(b.visits, record.visits.len());
    assert_eq!(
        b.problems,
        record.visits.iter().filter(|v| v.problem.is_some()).count()
    );
    // The checkpoint is the brief run's own event, as the stored record reads it back.
    let shown = s.show_draw(DRAW).unwrap().record.unwrap();
    assert_eq!(b.checkpoint, shown.checkpoint);
    assert!(b.checkpoint.is_some());
    // The record as stored is whole again when read: the preparation is stored with the draw.
    assert_eq!(shown.prepared, s.show_draw(DRAW).unwrap().prepared);
    assert_ne!(shown.prepared, Prepared::default());
    let check = s.check_draw(DRAW).unwrap();
    assert!(check.diffs.is_empty(), "{:?}", check.diffs);

    // A second run is refused, as before.
    assert!(s.run_draw_brief(DRAW, &seeds(), &[]).is_err());
}

#[test]
fn draw_run_on_the_command_line_says_what_the_stored_record_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let args = [
        "draw",
        "run",
        DRAW,
        "--seed",
        "31415926535897932384",
        "--seed",
        "27182818284590452353",
    ];
    let o = run(&path, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let record = open(&path, None).show_draw(DRAW).unwrap().record.unwrap();
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "抽取 {DRAW} 已运行：种子 {}，检查任务 {} 项",
            record.seed,
            record.visits.len()
        )),
        "{out}"
    );
    let cp = record.checkpoint.unwrap();
    assert!(out.contains(&cp.head), "{out}");
}

/// The facts the preparation froze of each entity (read the slim way) are those of the whole
/// record: its name, its town and its class on the day of preparation.
#[test]
fn the_frozen_facts_are_those_of_the_whole_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let s = open(&path, None);
    let prepared = s.show_draw(DRAW).unwrap().prepared;
    let on: chrono::NaiveDate = prepared.prepared_on.parse().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(prepared.entities.len() > 10, "a real preparation");
    for f in &prepared.entities {
        let e = store::entities::get(&conn, &f.id).unwrap().unwrap();
        assert_eq!(
            (f.name.as_str(), f.town.as_str()),
            (e.name.as_str(), e.town.as_str())
        );
        assert_eq!(
            f.class.as_deref(),
            Some(classify(&e, on).class.short_label()),
            "{}",
            f.id
        );
    }
    let mut ids: Vec<&str> = prepared.entities.iter().map(|f| f.id.as_str()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "each entity once, in id order");
    assert!(prepared.entities.windows(2).all(|w| w[0].id < w[1].id));
    for st in &prepared.strata {
        for id in &st.population {
            assert!(
                ids.binary_search(&id.as_str()).is_ok(),
                "{id} has its facts"
            );
        }
    }
}
