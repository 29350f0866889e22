//! `draw verify` checks every field of a record: what the record alone re-computes, and, with
//! the bureau's database, the stored record, its audit events and the checkpoint. Each
//! difference names its field with the recorded and the recomputed (or stored) value.

use std::path::PathBuf;

use serde_json::Value;
use shuangsuiji::domain::audit::GENESIS;
use shuangsuiji::domain::draw::commit::commitment;
use shuangsuiji::domain::draw::record::{DrawRecord, parse_record};
use shuangsuiji::domain::draw::verify::verify;
use shuangsuiji::domain::role::Role;

use crate::support::{self, open, run, seeds, stderr, stdout};

/// A demo copy with the second quarter run (witness 张三) and one substitution made.
fn run_demo(dir: &tempfile::TempDir) -> (PathBuf, DrawRecord) {
    let path = support::demo_copy(dir, "d.db");
    let mut s = open(&path, None);
    s.run_draw("2026Q2-01", &seeds(), &["张三".to_string()])
        .unwrap();
    let visit = support::assigned_q2_visit(&s, |_| true);
    let out = visit.team[1].inspector.clone();
    s.substitute("2026Q2-01", &visit.entity, &out, "病假")
        .unwrap();
    let r = s.draw_record("2026Q2-01").unwrap();
    assert!(s.verify_draw("2026Q2-01").unwrap().is_empty());
    (path, r)
}

fn has(diffs: &[String], needle: &str) -> bool {
    diffs.iter().any(|d| d.contains(needle))
}

#[test]
fn changes_outside_the_recomputed_parts_are_named_with_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (path, r) = run_demo(&dir);
    let s = open(&path, None);
    let check = |t: &DrawRecord| s.check_record(t).unwrap().diffs;
    assert!(check(&r).is_empty(), "{:?}", check(&r));

    let mut t = r.clone();
    t.checkpoint.as_mut().unwrap().size += 1;
    let d = check(&t);
    assert!(
        has(&d, "checkpoint.size") && has(&d, "检查点 size 不符"),
        "{d:?}"
    );
    assert!(
        verify(&t).is_empty(),
        "a record alone cannot see the checkpoint"
    );

    let mut t = r.clone();
    t.checkpoint.as_mut().unwrap().head = "0".repeat(64);
    assert!(has(&check(&t), "检查点 head 不符"));

    let mut t = r.clone();
    t.witnesses = vec!["李四".into()];
    let d = check(&t);
    // The file's value is named; the stored one never is (the reader may not see it).
    assert!(
        has(&d, "witnesses") && has(&d, "李四") && has(&d, "与数据库中的记录不一致"),
        "{d:?}"
    );
    assert!(!has(&d, "张三"), "{d:?}");

    let mut t = r.clone();
    t.run_on = "2026-05-01".into();
    let d = check(&t);
    assert!(has(&d, "run_on") && has(&d, "摘要"), "{d:?}");

    let mut t = r.clone();
    t.draw_id = "2026Q2-07".into();
    assert!(has(&check(&t), "数据库中没有抽取 2026Q2-07"));
    let mut t = r.clone();
    t.draw_id = "2026Q3-01".into();
    assert!(has(&verify(&t), "抽取编号“2026Q3-01”与期间“2026Q2”不一致"));

    let mut t = r.clone();
    t.seed_sources[0] = "张三掷骰".into();
    let d = verify(&t);
    assert!(has(&d, "seed_sources[0]") && has(&d, "现场种子1"), "{d:?}");
    let mut t = r.clone();
    t.seed_sources.pop();
    assert!(has(&verify(&t), "应一一对应"));
    let mut t = r.clone();
    t.prepared.sources.pop();
    assert!(has(&verify(&t), "prepared.sources"));

    // Substitutions: deleted, reason edited, time or author edited.
    let mut t = r.clone();
    t.substitutions.clear();
    let d = check(&t);
    assert!(has(&d, "记录有0次人员替换，审计日志有1次"), "{d:?}");
    let mut t = r.clone();
    t.substitutions[0].reason = "公差".into();
    let d = check(&t);
    assert!(
        has(&d, "substitutions[0].reason") && has(&d, "公差") && has(&d, "与审计日志不一致"),
        "{d:?}"
    );
    assert!(!has(&d, "病假"), "{d:?}");
    assert!(verify(&t).is_empty());
    let mut t = r.clone();
    t.substitutions[0].by = "someone".into();
    assert!(has(&check(&t), "substitutions[0].by"));
}

#[test]
fn substitutions_are_replayed_from_the_record_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run_demo(&dir);
    let sub = &r.substitutions[0];
    // `out` must have been on the team.
    let mut t = r.clone();
    t.substitutions[0].out = "YC-NOBODY".into();
    assert!(has(&verify(&t), "无法复现"), "{:?}", verify(&t));
    // A candidate said to be passed over who was not ranked before the replacement.
    let mut t = r.clone();
    t.substitutions[0]
        .skipped
        .push(shuangsuiji::domain::draw::record::Ineligible {
            id: "YC-NOBODY".into(),
            reason: "请假".into(),
        });
    let d = verify(&t);
    assert!(has(&d, "skipped") && has(&d, "YC-NOBODY"), "{d:?}");
    let mut t = r.clone();
    t.substitutions[0].replacement = sub.out.clone();
    assert!(has(&verify(&t), "接替"));
}

#[test]
fn each_team_and_ticket_difference_names_the_field_and_both_values() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run_demo(&dir);
    let v = r.visits.iter().position(|v| v.team.len() >= 2).unwrap();
    let e = r.visits[v].entity.clone();
    let m = r.visits[v].team[1].clone();

    let mut t = r.clone();
    t.visits[v].team[1].inspector = "YC-999".into();
    let d = verify(&t);
    assert!(
        has(
            &d,
            &format!(
                "对象 {e} 检查组第2人（inspector）不符：记录为 YC-999，重算为 {}",
                m.inspector
            )
        ),
        "{d:?}"
    );
    let mut t = r.clone();
    t.visits[v].team[1].lead = true;
    assert!(has(
        &verify(&t),
        "组长标记（lead）不符：记录为组长，重算为组员"
    ));
    let mut t = r.clone();
    // A department other than the recomputed one (a river outfall's second officer may
    // already be of 水利局).
    let other = if m.department == "水利局" {
        "住建局"
    } else {
        "水利局"
    };
    t.visits[v].team[1].department = other.into();
    assert!(has(
        &verify(&t),
        &format!(
            "部门（department）不符：记录为 {other}，重算为 {}",
            m.department
        )
    ));
    let mut t = r.clone();
    t.visits[v].team[1].ticket = "0.5".into();
    assert!(has(
        &verify(&t),
        &format!(
            "{} 的签号（ticket）不符：记录为 0.5，重算为 {}",
            m.inspector, m.ticket
        )
    ));
    let mut t = r.clone();
    t.visits[v].ticket = "0.5".into();
    assert!(has(
        &verify(&t),
        &format!(
            "对象 {e} 的签号（ticket）不符：记录为 0.5，重算为 {}",
            r.visits[v].ticket
        )
    ));
    let mut t = r.clone();
    t.visits[v].tasks.push("XX-9".into());
    assert!(has(
        &verify(&t),
        &format!("对象 {e} 的任务（tasks）不符：记录为")
    ));
    let mut t = r.clone();
    t.visits[v].team.pop();
    assert!(has(&verify(&t), "检查组人数不符"));

    let st = r
        .strata
        .iter()
        .position(|s| !s.selected.is_empty())
        .unwrap();
    let sel = r.strata[st].selected[0].clone();
    let mut t = r.clone();
    t.strata[st].selected[0].ticket = "0.5".into();
    let d = verify(&t);
    assert!(
        has(
            &d,
            &format!(
                "对象 {} 的签号（ticket）不符：记录为 0.5，重算为 {}",
                sel.id, sel.ticket
            )
        ),
        "{d:?}"
    );
    assert!(!has(&d, "抽中对象不符"), "{d:?}");
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run_demo(&dir);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(parse_record(&json.to_string()).unwrap(), r);
    let pointers = [
        "",
        "/checkpoint",
        "/prepared",
        "/visits/0/team/0",
        "/substitutions/0",
        "/strata/0",
    ];
    for p in pointers {
        let mut v = json.clone();
        v.pointer_mut(p)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("note".into(), Value::from("x"));
        let e = parse_record(&v.to_string()).unwrap_err();
        assert!(e.contains("字段“note”"), "{p}: {e}");
    }
}

#[test]
fn a_stored_record_edited_in_sqlite_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = run_demo(&dir);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER draw_runs_no_update;
         UPDATE draw_runs SET record = json_set(record, '$.witnesses', json('[\"李四\"]'))
         WHERE draw_id = '2026Q2-01';",
    )
    .unwrap();
    drop(conn);
    let d = open(&path, None).verify_draw("2026Q2-01").unwrap();
    assert!(has(&d, "字段 witnesses 与审计事件 draw.run"), "{d:?}");
    assert!(has(&d, "摘要"), "{d:?}");
    // The visit tables too: the run row keeps its visits there (by their count), so an edit
    // of a team is an edit of the record, which the re-computation and the digest notice.
    support::flip_last_seat_lead(&path);
    let d = open(&path, None).verify_draw("2026Q2-01").unwrap();
    assert!(has(&d, "的组长标记（lead）不符"), "{d:?}");
    // Not also as a difference from the tables: the record's visits are read from them.
    assert!(!has(&d, "检查任务表"), "{d:?}");
    assert!(
        d.iter()
            .filter(|x| x.contains("摘要") && x.contains("记录在运行后被改动"))
            .count()
            == 1,
        "{d:?}"
    );
}

/// A draw.run event written before the digest existed: the event is rewritten without
/// `record_digest` and the chain (and the record's checkpoint) re-hashed, as an older
/// database would hold it.
#[test]
fn an_old_record_without_a_digest_verifies_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut s = open(&path, None);
    s.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER draw_runs_no_update;")
        .unwrap();
    let run_seq: u64 = conn
        .query_row(
            "SELECT run_seq FROM draw_runs WHERE draw_id = '2026Q2-01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE seq = ?1",
            [run_seq],
            |r| r.get(0),
        )
        .unwrap();
    let mut d: Value = serde_json::from_str(&detail).unwrap();
    let obj = d.as_object_mut().unwrap();
    obj.remove("record_digest");
    obj.remove("run_on");
    let detail = shuangsuiji::domain::draw::commit::canonical_json(&d);
    conn.execute(
        "UPDATE audit_log SET detail = ?1 WHERE seq = ?2",
        rusqlite::params![detail, run_seq],
    )
    .unwrap();
    let events = shuangsuiji::store::audit::list(&conn, &Default::default()).unwrap();
    let mut prev = GENESIS;
    let mut run_hash = String::new();
    for mut e in events.into_iter().rev() {
        prev = e.compute_hash(&prev);
        e.hash = hex::encode(prev);
        conn.execute(
            "UPDATE audit_log SET hash = ?1 WHERE seq = ?2",
            rusqlite::params![e.hash, e.seq],
        )
        .unwrap();
        if e.seq == run_seq {
            run_hash = e.hash.clone();
        }
    }
    // An old record carries its checkpoint (newer ones leave it to the log).
    conn.execute(
        "UPDATE draw_runs SET record = json_set(record, '$.checkpoint', json_object('size', ?2, 'head', ?1)) WHERE draw_id = '2026Q2-01'",
        rusqlite::params![run_hash, run_seq],
    )
    .unwrap();
    drop(conn);
    let check = open(&path, None).check_draw("2026Q2-01").unwrap();
    assert!(check.diffs.is_empty(), "{:?}", check.diffs);
    assert!(
        has(&check.notes, "审计事件无摘要（旧记录）"),
        "{:?}",
        check.notes
    );
    let o = run(&path, &["draw", "verify", "2026Q2-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("审计事件无摘要（旧记录）"));
}

/// Every scalar outside prepared / seed_parts / selected / visits, changed one at a time, is
/// noticed when the database is available.
#[test]
fn every_other_field_changed_is_noticed_with_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (path, r) = run_demo(&dir);
    let s = open(&path, None);
    let json = serde_json::to_value(&r).unwrap();
    let mut leaves = Vec::new();
    fn walk(p: String, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(format!("{p}/{k}"), x, out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(format!("{p}/{i}"), x, out)),
            _ => out.push(p),
        }
    }
    for (k, v) in json.as_object().unwrap() {
        if !["prepared", "seed_parts", "strata", "visits"].contains(&k.as_str()) {
            walk(format!("/{k}"), v, &mut leaves);
        }
    }
    // strata: the task, label and quota of each result (selected is covered by the proptest).
    for i in 0..r.strata.len().min(5) {
        for f in ["task", "label", "quota"] {
            leaves.push(format!("/strata/{i}/{f}"));
        }
    }
    assert!(leaves.len() > 20, "{leaves:?}");
    for p in &leaves {
        let mut v = json.clone();
        let leaf = v.pointer_mut(p).unwrap();
        *leaf = match leaf.clone() {
            Value::String(s) => {
                let mut c: Vec<char> = s.chars().collect();
                match c.last_mut() {
                    Some(x) => {
                        *x = if *x == '7' {
                            '8'
                        } else if x.is_ascii() {
                            '7'
                        } else {
                            '甲'
                        }
                    }
                    None => c.push('1'),
                }
                Value::from(c.into_iter().collect::<String>())
            }
            Value::Number(n) => Value::from(n.as_u64().unwrap() + 1),
            Value::Bool(b) => Value::from(!b),
            Value::Null => Value::from("x"),
            other => other,
        };
        let Ok(t) = parse_record(&v.to_string()) else {
            continue;
        };
        assert_ne!(t, r, "{p}");
        assert!(
            !s.check_record(&t).unwrap().diffs.is_empty(),
            "{p} changed and not noticed"
        );
    }
}

#[test]
fn a_prepared_draw_can_be_inspected_and_its_commitment_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut lead = open(&path, None);
    let observer = support::only(&lead, Role::Observer);
    // The preparation is open to observers once every earlier visit started or is 未实施
    // (tests/it/confidential.rs has it withheld before).
    let unstarted: Vec<i64> = lead
        .list_visits(&Default::default())
        .unwrap()
        .iter()
        .filter(|v| v.period == "2026Q1" && v.dates.started.is_none())
        .map(|v| v.id)
        .collect();
    for id in unstarted {
        lead.lapse_visit(id, "企业停产，未实施").unwrap();
    }
    let view = lead.show_draw("2026Q2-01").unwrap();
    let prepared = view.prepared;
    let private = view.private.expect("a lead sees the private part");
    assert!(!prepared.excluded.is_empty() && !private.ineligible.is_empty());
    assert!(
        prepared.ineligible.is_none(),
        "v2 keeps personal data apart"
    );
    let cli = |args: &[&str]| {
        let o = run(&path, &[&["--as", observer.as_str()][..], args].concat());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let text = cli(&["draw", "show", "2026Q2-01"]);
    for x in &prepared.excluded {
        assert!(text.contains(&x.id) && text.contains(&x.reason), "{x:?}");
    }
    // Why an officer may not be sent (leave, certificate) is personal: not for an observer.
    for x in &private.ineligible {
        assert!(!text.contains(&x.reason), "{x:?} shown to an observer");
    }
    assert!(text.contains("保密部分"), "{text}");
    let v: Value = serde_json::from_str(&cli(&["draw", "show", "2026Q2-01", "--json"])).unwrap();
    assert_eq!(v["draw_id"], "2026Q2-01");
    assert_eq!(v["period"], "2026Q2");
    // What an outsider does: SHA-256 of the canonical JSON of `prepared`.
    assert_eq!(
        v["commitment"].as_str().unwrap(),
        commitment(&v["prepared"])
    );
    assert_eq!(v["commitment"].as_str().unwrap(), commitment(&prepared));
    let md = cli(&["draw", "show", "2026Q2-01", "--markdown"]);
    for needle in [
        "# 双随机抽查抽取准备记录 2026Q2-01",
        v["commitment"].as_str().unwrap(),
        "## 分层、名额与规则",
        "## 未纳入总体的对象",
        &prepared.excluded[0].reason,
        &prepared.strata[0].rule,
        "签字",
    ] {
        assert!(md.contains(needle), "{needle}");
    }
}

#[test]
fn the_printed_record_carries_every_ticket_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let (path, r) = run_demo(&dir);
    let md = open(&path, None).printable_record("2026Q2-01").unwrap();
    let tickets: Vec<&str> = r
        .strata
        .iter()
        .flat_map(|s| s.selected.iter().map(|x| x.ticket.as_str()))
        .collect();
    assert!(!tickets.is_empty());
    for t in tickets {
        assert!(t.len() >= 66);
        assert!(md.contains(&format!("| {t} |")), "{t}");
    }
    assert!(!md.contains(".. |"));
}

/// The run event's digest, hashed member by member as the record is written, is the SHA-256
/// of the whole canonical text of the record as run, computed here through the JSON tree:
/// the record without `prepared`, `private`, `substitutions` and `checkpoint`. The event of a
/// real run carries that digest.
#[test]
fn the_record_digest_is_that_of_the_whole_record_as_run() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let (path, r) = run_demo(&dir);
    assert!(!r.visits.is_empty() && !r.strata.is_empty() && !r.witnesses.is_empty());
    let mut tree = serde_json::to_value(&r).unwrap();
    let obj = tree.as_object_mut().unwrap();
    for gone in ["prepared", "private", "substitutions", "checkpoint"] {
        obj.remove(gone);
    }
    assert_eq!(obj.len(), 12, "{:?}", obj.keys().collect::<Vec<_>>());
    let whole = shuangsuiji::domain::canonical::by_tree(&tree);
    let expected = hex::encode(Sha256::digest(whole.as_bytes()));
    let streamed = shuangsuiji::domain::draw::record::record_digest(&r);
    assert_eq!(streamed, expected);
    // The stored row, written member by member too: the record with `prepared` by its
    // commitment and `visits` by their count, without the private part and the checkpoint;
    // the substitution made after the run is in it.
    let mut row = serde_json::to_value(&r).unwrap();
    let obj = row.as_object_mut().unwrap();
    obj.remove("private");
    obj.remove("checkpoint");
    obj.insert(
        "prepared".into(),
        serde_json::json!({ "commitment": r.commitment }),
    );
    obj.insert(
        "visits".into(),
        serde_json::json!({ "rows": r.visits.len() }),
    );
    assert!(!r.substitutions.is_empty());
    assert_eq!(
        shuangsuiji::store::draws::run_row_text(&r),
        shuangsuiji::domain::canonical::by_tree(&row)
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE seq = \
             (SELECT run_seq FROM draw_runs WHERE draw_id = '2026Q2-01')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["record_digest"], Value::String(expected));
}

/// A priority id outside its stratum's population is named (looked up in a set since a
/// million-entity county's priority lists are as long as their populations).
#[test]
fn a_priority_id_outside_its_population_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run_demo(&dir);
    assert!(!has(&verify(&r), "不在总体中"));
    let mut bad = r.clone();
    let st = bad
        .prepared
        .strata
        .iter_mut()
        .find(|s| !s.population.is_empty())
        .unwrap();
    st.priority.push("91140522NOTINPOP0X".to_string());
    let d = verify(&bad);
    assert!(has(&d, "的优先对象91140522NOTINPOP0X不在总体中"), "{d:?}");
}

/// `draw verify --file` against the database: a record whose `prepared` or visits differ
/// from what the database froze and drew is named field by field (the stored bytes and the
/// visits are compared first as they are, and only a difference is parsed and laid out).
#[test]
fn a_record_differing_from_the_frozen_preparation_or_the_visit_tables_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (path, r) = run_demo(&dir);
    let s = open(&path, None);
    assert!(s.check_record(&r).unwrap().diffs.is_empty());
    let mut bad = r.clone();
    bad.prepared.workload_cap += 1;
    let lead = &mut bad.visits[0].team[0].lead;
    *lead = !*lead;
    let d = s.check_record(&bad).unwrap().diffs;
    assert!(has(&d, "记录的承诺内容与准备时冻结的内容不同"), "{d:?}");
    assert!(has(&d, "workload_cap"), "{d:?}");
    assert!(has(&d, "检查任务表"), "{d:?}");
}
