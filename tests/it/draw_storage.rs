//! Issue 12, the draw's storage: `prepared` serialised once (the stored bytes are the ones
//! the commitment hashes), the run record stored with `prepared` and `visits` by reference,
//! and records stored before (with `prepared` and the private part embedded, or the visits
//! embedded) still read, print and verify.

use std::path::Path;

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use shuangsuiji::domain::canonical;
use shuangsuiji::domain::draw::commit::{canonical_with_commitment, commitment};
use shuangsuiji::domain::draw::record::{
    Annual, DrawRecord, EntityFacts, Exclusion, InspectorFacts, Prepared, StratumSpec, TaskSpec,
};
use shuangsuiji::store::{self, Store};

use crate::support::{self, open, run, seeds, stderr, stdout};

const DRAW: &str = "2026Q2-01";

fn stored(path: &Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(sql, [DRAW], |r| r.get(0)).unwrap()
}

fn show_json(path: &Path) -> String {
    let o = run(path, &["--as", "lead.liu", "draw", "show", DRAW, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// Re-enacts how builds before issue 12 stored a run, on a copy of the demo taken before the
/// run: the same `draw.run` event, then the row with the whole record embedded (`prepared`
/// and the private part, as `to_json(record)` wrote it, without the checkpoint), then the
/// visits and teams, in one transaction that binds the rows to the event.
///
/// With `prepared_by_reference`, as the builds between issue 12's two storage changes stored
/// it: `prepared` by its commitment and no private part, the visits still embedded.
fn store_the_old_way(
    path: &Path,
    record: &DrawRecord,
    event: &shuangsuiji::domain::audit::AuditEvent,
    prepared_by_reference: bool,
) {
    let mut old = record.clone();
    old.checkpoint = None;
    old.substitutions.clear();
    let mut tree = serde_json::to_value(&old).unwrap();
    if prepared_by_reference {
        let obj = tree.as_object_mut().unwrap();
        obj.remove("private");
        obj.insert(
            "prepared".into(),
            serde_json::json!({ "commitment": old.commitment }),
        );
    }
    let text = canonical::by_tree(&tree);
    let mut st = Store::open(path).unwrap();
    st.write(|tx| -> Result<(), store::StoreError> {
        let ev = store::audit::append(tx, &event.at, &event.actor, &event.action, &event.subject, &event.detail)?;
        assert_eq!(ev.seq, event.seq, "the same place in the log");
        tx.execute(
            "INSERT INTO draw_runs (draw_id, seed, run_on, record, run_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![old.draw_id, old.seed, old.run_on, text, ev.seq],
        )?;
        for v in &old.visits {
            tx.execute(
                "INSERT INTO visits (draw_id, entity, tasks, ticket, problem, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![old.draw_id, v.entity, store::to_json(&v.tasks), v.ticket, v.problem, v.note],
            )?;
            let id = tx.last_insert_rowid();
            for s in &v.team {
                tx.execute(
                    "INSERT INTO visit_team (visit_id, inspector, department, lead, ticket) VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![id, s.inspector, s.department, s.lead, s.ticket],
                )?;
            }
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn prepared_is_stored_as_the_bytes_its_commitment_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let s = open(&path, None);
    for id in ["2026Q1-01", DRAW] {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let (text, c): (String, String) = conn
            .query_row(
                "SELECT prepared, commitment FROM draws WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(hex::encode(Sha256::digest(text.as_bytes())), c);
        let prepared: Prepared = serde_json::from_str(&text).unwrap();
        // The writer's bytes are the tree's: the canonical form is unchanged.
        assert_eq!(canonical::by_tree(&prepared), text);
        assert_eq!(
            canonical_with_commitment(&prepared),
            (text.clone(), c.clone())
        );
        assert_eq!(commitment(&prepared), c);
        assert!(prepared.entities.len() > 10, "a real preparation");
    }
    drop(s);
}

#[test]
fn a_new_run_refers_to_prepared_and_prints_the_whole_record_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut s = open(&path, None);
    let record = s.run_draw(DRAW, &seeds(), &["张三".to_string()]).unwrap();
    // By reference: the stored row holds the commitment, not a second copy.
    let row = stored(&path, "SELECT record FROM draw_runs WHERE draw_id = ?1");
    let prepared = stored(&path, "SELECT prepared FROM draws WHERE id = ?1");
    assert!(
        row.contains(&format!(
            r#""prepared":{{"commitment":"{}"}}"#,
            record.commitment
        )),
        "{}",
        &row[..200]
    );
    assert!(!row.contains(r#""private""#));
    assert!(!row.contains(&prepared) && prepared.len() > 1000);
    // The visits by their count: they are the rows of `visits` and `visit_team`, once.
    assert!(record.visits.len() > 10, "a real draw");
    assert!(
        row.contains(&format!(r#""visits":{{"rows":{}}}"#, record.visits.len())),
        "{}",
        &row[row.len() - 200..]
    );
    for v in &record.visits {
        assert!(!row.contains(&format!(r#""entity":"{}""#, v.entity)));
        for seat in &v.team {
            assert!(
                !row.contains(&seat.ticket),
                "a seat's ticket is in its row only"
            );
        }
    }
    // The record read back is the whole, self-contained record the run returned.
    assert_eq!(s.draw_record(DRAW).unwrap(), record);
    assert!(s.verify_draw(DRAW).unwrap().is_empty());
    // `draw show --json` prints exactly what it printed when the record was embedded: the
    // pretty JSON of that whole record.
    let printed = show_json(&path);
    assert_eq!(
        printed,
        format!("{}\n", serde_json::to_string_pretty(&record).unwrap())
    );
    assert_eq!(
        shuangsuiji::domain::draw::record::parse_record(&printed).unwrap(),
        record
    );
    let o = run(&path, &["--as", "lead.liu", "draw", "verify", DRAW]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    drop(s);
}

#[test]
fn records_stored_with_prepared_or_visits_embedded_still_read_print_and_verify() {
    for prepared_by_reference in [false, true] {
        stored_before_reads_prints_and_verifies(prepared_by_reference);
    }
}

fn stored_before_reads_prints_and_verifies(prepared_by_reference: bool) {
    let dir = tempfile::tempdir().unwrap();
    let new = support::demo_copy(&dir, "new.db");
    let old = support::demo_copy(&dir, "old.db");
    let mut s = open(&new, None);
    let record = s.run_draw(DRAW, &seeds(), &["张三".to_string()]).unwrap();
    let event = s
        .audit_events(&Default::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "draw.run" && e.subject == DRAW)
        .unwrap();
    store_the_old_way(&old, &record, &event, prepared_by_reference);
    let row = stored(&old, "SELECT record FROM draw_runs WHERE draw_id = ?1");
    assert_eq!(
        row.contains(r#""prepared":{"algorithm""#),
        !prepared_by_reference,
        "embedded"
    );
    assert_eq!(row.contains(r#""private":{"#), !prepared_by_reference);
    assert!(row.contains(r#""visits":[{"entity":"#), "embedded");

    let o = open(&old, None);
    // The same record; only the log's hash at the run differs (the run event binds the rows
    // it wrote, and the old row's bytes are other bytes).
    let mut got = o.draw_record(DRAW).unwrap();
    let (head, new_head) = (
        got.checkpoint.clone().unwrap().head,
        record.checkpoint.clone().unwrap().head,
    );
    assert_eq!(got.checkpoint.as_ref().unwrap().size, event.seq);
    got.checkpoint = record.checkpoint.clone();
    assert_eq!(got, record);
    assert!(
        o.verify_draw(DRAW).unwrap().is_empty(),
        "{:?}",
        o.verify_draw(DRAW)
    );
    assert!(o.verify_audit(None).unwrap().is_ok());
    let rows = o.verify_rows().unwrap();
    assert_eq!(rows.total, 0, "{:?}", rows.problems);
    // Both forms print the same bytes (but for that hash).
    let printed = show_json(&old);
    assert_eq!(
        printed,
        format!(
            "{}\n",
            serde_json::to_string_pretty(&o.draw_record(DRAW).unwrap()).unwrap()
        )
    );
    assert_eq!(printed.replace(&head, &new_head), show_json(&new));
    for db in [&old, &new] {
        for args in [&["draw", "verify", DRAW][..], &["audit", "verify"]] {
            let out = run(db, &[&["--as", "lead.liu"][..], args].concat());
            assert!(
                out.status.success(),
                "{args:?}: {}{}",
                stdout(&out),
                stderr(&out)
            );
        }
    }
    drop((s, o));
    // The embedded visits are the record's own: a team edited in the tables beside the log
    // is a difference between the two, named as such.
    support::flip_last_seat_lead(&old);
    let d = open(&old, None).verify_draw(DRAW).unwrap();
    assert!(d.iter().any(|x| x.contains("检查任务表")), "{d:?}");
}

#[test]
fn a_reference_to_another_commitment_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut s = open(&path, None);
    let record = s.run_draw(DRAW, &seeds(), &[]).unwrap();
    drop(s);
    // Beside the log (the triggers forbid it; a raw connection without them does not).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER draw_runs_no_update")
        .unwrap();
    conn.execute(
        "UPDATE draw_runs SET record = replace(record, ?1, ?2) WHERE draw_id = ?3",
        rusqlite::params![
            format!(r#""prepared":{{"commitment":"{}"}}"#, record.commitment),
            format!(r#""prepared":{{"commitment":"{}"}}"#, "0".repeat(64)),
            DRAW
        ],
    )
    .unwrap();
    drop(conn);
    let err = store::draws::run_record(Store::open(&path).unwrap().conn(), DRAW).unwrap_err();
    assert!(
        err.to_string()
            .contains("所引用的承诺值与记录中的承诺值不同"),
        "{err}"
    );
}

/// The run row counts its visits: one taken out of the tables beside the log is not read as
/// a shorter record, and `draw verify` says so.
#[test]
fn a_visit_taken_out_of_the_tables_is_not_read_as_a_shorter_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut s = open(&path, None);
    let record = s.run_draw(DRAW, &seeds(), &[]).unwrap();
    drop(s);
    let n = record.visits.len();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER visit_team_no_delete; DROP TRIGGER visits_no_delete;
         DELETE FROM visit_team WHERE visit_id = (SELECT max(id) FROM visits);
         DELETE FROM visits WHERE id = (SELECT max(id) FROM visits);",
    )
    .unwrap();
    drop(conn);
    let want = format!(
        "抽取 {DRAW} 的运行记录登记了{n}个检查任务，检查任务表中有{}个",
        n - 1
    );
    let err = store::draws::run_record(Store::open(&path).unwrap().conn(), DRAW).unwrap_err();
    assert!(err.to_string().contains(&want), "{err}");
    let o = run(&path, &["--as", "lead.liu", "draw", "verify", DRAW]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains(&want), "{}{}", stdout(&o), stderr(&o));
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::char::range('0', 'z'),
            prop::sample::select(vec![
                '沁', '河', '镇', '"', '\\', '\n', '\u{1}', '\u{7f}', '９', '😀', ' '
            ]),
        ],
        0..10,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn texts(n: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 0..n)
}

prop_compose! {
    fn stratum()(task in text(), label in text(), population in texts(6), priority in texts(3),
                 quota in any::<u32>(), ratio_bp in any::<u32>(), ratio_base in any::<Option<u32>>(),
                 annual in any::<Option<(u32, u32, u32)>>(), officers in any::<Option<u32>>(),
                 flags in any::<(bool, bool)>(), over_cap in texts(3)) -> StratumSpec {
        StratumSpec {
            task, label, rule: "比例".into(), ratio_bp, population, priority, quota, ratio_base,
            annual: annual.map(|(target, drawn, quarters_left)| Annual { target, drawn, quarters_left }),
            officers, take_all_priority: flags.0, full_coverage: flags.1, over_cap,
        }
    }
}

prop_compose! {
    fn entity()(id in text(), name in text(), town in text(), last_team in prop::option::of(texts(3)),
                class in prop::option::of(text())) -> EntityFacts {
        EntityFacts { id, name, town, last_team, class }
    }
}

prop_compose! {
    fn prepared()(period in text(), sources in texts(3), strata in prop::collection::vec(stratum(), 0..4),
                  entities in prop::collection::vec(entity(), 0..6), ids in texts(4),
                  cap in any::<u32>(), stamps in any::<(Option<bool>, bool)>(),
                  task in (text(), texts(2))) -> Prepared {
        Prepared {
            period: period.clone(),
            algorithm: "ssj-draw-v2".into(),
            prepared_on: "2026-05-20".into(),
            sources,
            tasks: vec![TaskSpec { code: task.0.clone(), name: task.0, plan: period.clone(), departments: task.1.clone(), expertise: task.1.clone(), items: task.1 }],
            strata,
            excluded: ids.iter().map(|i| Exclusion { id: i.clone(), task: "T".into(), reason: "长期停产".into() }).collect(),
            entities,
            inspectors: ids.iter().map(|i| InspectorFacts { id: i.clone(), name: i.clone(), department: "生态环境局".into(), areas: vec![], expertise: vec![i.clone()], conflicts: stamps.0.map(|_| vec![i.clone()]) }).collect(),
            ineligible: None,
            lead_department: "生态环境局".into(),
            workload_cap: cap,
            draw_id: stamps.1.then(|| period.clone()),
            prepared_by: stamps.1.then(|| "刘".to_string()),
            prepared_at: None,
            system_part_sha256: stamps.1.then(|| "0".repeat(64)),
            private_sha256: None,
        }
    }
}

proptest! {
    #![proptest_config(crate::proptest_config(64))]

    /// Serialised once, the bytes are the canonical bytes of the `Value` tree, and the
    /// commitment is their SHA-256.
    #[test]
    fn serialised_once_equals_the_canonical_bytes(p in prepared()) {
        let (text, c) = canonical_with_commitment(&p);
        prop_assert_eq!(&text, &canonical::by_tree(&p));
        prop_assert_eq!(c, hex::encode(Sha256::digest(text.as_bytes())));
        let back: Prepared = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, p);
    }
}
