//! The streamed entity import: a CSV file is read, checked and written row by row inside one
//! transaction. All or nothing still holds for a refused row near the end of a big file; a
//! dry run writes nothing; the encodings read alike and the digest is the file's bytes'; a
//! re-import keeps the fields of absent columns; the one event binds every row written.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::uscc;
use shuangsuiji::services::{ServiceError, Session};

use crate::support::{demo_copy, open};

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const TOWNS: &[&str] = &["凤城镇", "北留镇", "润城镇", "町店镇"];
const HEADER: &str = "名称,统一社会信用代码,乡镇,地址,检查对象类型,信用风险等级\n";

/// A valid USCC for entity number `i`, apart from the demo county's codes.
fn code(i: usize) -> String {
    let mut body = String::from("92140599");
    let mut n = i;
    for _ in 0..9 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    uscc::complete(&body).unwrap()
}

/// A CSV of `n` new entities (UTF-8, no BOM); `bad` replaces the line of entity `i`.
fn big_csv(n: usize, bad: Option<(usize, &dyn Fn(usize) -> String)>) -> String {
    let mut text = String::from(HEADER);
    for i in 0..n {
        match bad {
            Some((at, line)) if at == i => text.push_str(&line(i)),
            _ => writeln!(
                text,
                "流式导入第{i}号公司,{},{},某村{i}号,排污单位,低风险",
                code(i),
                TOWNS[i % TOWNS.len()]
            )
            .unwrap(),
        }
    }
    text
}

/// A session on a fresh demo copy in `dir`, with its entity count and log size before.
fn demo_with_counts(dir: &tempfile::TempDir) -> (Session, usize, u64) {
    let s = open(&demo_copy(dir, "demo.db"), None);
    let (entities, audit) = (
        s.stats().unwrap().entities,
        s.audit_checkpoint().unwrap().size,
    );
    (s, entities, audit)
}

fn nothing_changed(s: &Session, entities: usize, audit: u64) {
    assert_eq!(s.stats().unwrap().entities, entities, "no entity written");
    assert_eq!(
        s.audit_checkpoint().unwrap().size,
        audit,
        "no event written"
    );
}

fn problems(err: ServiceError) -> Vec<(usize, String, String)> {
    match err {
        ServiceError::Rejected(p) => p.into_iter().map(|p| (p.row, p.column, p.reason)).collect(),
        other => panic!("expected a rejection, got {other}"),
    }
}

#[test]
fn a_refused_row_near_the_end_of_a_big_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, entities, audit) = demo_with_counts(&dir);
    // Entity 19,990 of 20,000 (row 19,992 under the header) has a tier that does not exist.
    let bad = |i: usize| {
        format!(
            "流式导入第{i}号公司,{},凤城镇,某村,排污单位,很高风险\n",
            code(i)
        )
    };
    let csv = dir.path().join("big.csv");
    std::fs::write(&csv, big_csv(20_000, Some((19_990, &bad)))).unwrap();
    let err = s.import_entities(&csv, false, &mut |_, _| {}).unwrap_err();
    let found = problems(err);
    assert_eq!(found.len(), 1, "{found:?}");
    let (row, column, reason) = &found[0];
    assert_eq!((*row, column.as_str()), (19_992, "信用风险等级"));
    assert!(reason.contains("很高风险"), "{reason}");
    nothing_changed(&s, entities, audit);
}

#[test]
fn a_row_the_file_cannot_hold_after_thousands_of_rows_written_rolls_them_back() {
    // The rows are read ahead of the writes: thousands are written, and more read and
    // waiting, when the reader meets a row wider than a sheet may be.
    let dir = tempfile::tempdir().unwrap();
    let (mut s, entities, audit) = demo_with_counts(&dir);
    let wide = |_: usize| format!("{}\n", ["宽"; 300].join(","));
    let csv = dir.path().join("wide.csv");
    std::fs::write(&csv, big_csv(12_000, Some((10_800, &wide)))).unwrap();
    let mut ticks = 0;
    let err = s
        .import_entities(&csv, false, &mut |_, _| ticks += 1)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Sheet(shuangsuiji::sheets::SheetError::Limit(_))
        ),
        "{err:?}"
    );
    // Row 10,802: the header is row 1 and entity 0 row 2.
    assert!(err.to_string().contains("第10802行有 300 列"), "{err}");
    assert_eq!(ticks, 10, "the rows before it were written");
    nothing_changed(&s, entities, audit);
    // The same file without that row imports whole.
    std::fs::write(&csv, big_csv(12_000, None)).unwrap();
    let r = s.import_entities(&csv, false, &mut |_, _| {}).unwrap();
    assert_eq!((r.rows, r.added), (12_000, 12_000));
}

#[test]
fn an_import_that_stops_early_lets_the_reader_ahead_of_it_go() {
    // An administrator with the file broke a stored record. A partial sheet updating it stops
    // at its first row, while the reader is thousands of rows ahead and waiting to hand them
    // over: the import returns the damage, writes nothing, and the reader is let go (a reader
    // left waiting would hang the import here).
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    let count = || -> i64 {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("SELECT count(*) FROM entities", [], |r| r.get(0))
            .unwrap()
    };
    let conn = rusqlite::Connection::open(&db).unwrap();
    let broken: String = conn
        .query_row(
            "SELECT code FROM entities WHERE uscc IS NOT NULL ORDER BY code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE entities SET data = '{\"name\":1}' WHERE code = ?1",
        [&broken],
    )
    .unwrap();
    drop(conn);
    let mut s = open(&db, None);
    let (entities, audit) = (count(), s.audit_checkpoint().unwrap().size);
    let mut text = format!("统一社会信用代码,信用风险等级\n{broken},高风险\n");
    for i in 0..12_000 {
        writeln!(text, "{},高风险", code(i)).unwrap();
    }
    let csv = dir.path().join("stops.csv");
    std::fs::write(&csv, text).unwrap();
    let mut ticks = 0;
    let err = s
        .import_entities(&csv, false, &mut |_, _| ticks += 1)
        .unwrap_err();
    assert!(matches!(err, ServiceError::Store(_)), "{err:?}");
    assert!(err.to_string().contains(&broken), "{err}");
    assert_eq!(ticks, 0, "it stopped at the first row");
    // `nothing_changed` reads the statistics, which the broken record stops.
    assert_eq!(count(), entities, "no entity written");
    assert_eq!(
        s.audit_checkpoint().unwrap().size,
        audit,
        "no event written"
    );
}

#[test]
fn a_town_off_the_list_after_thousands_of_rows_written_rolls_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, entities, audit) = demo_with_counts(&dir);
    // The town is checked against the list once the row is merged, after 14,999 rows were
    // written in the transaction: they must all go.
    let bad = |i: usize| format!("流式导入第{i}号公司,{},凤成镇,某村,排污单位,\n", code(i));
    let csv = dir.path().join("town.csv");
    std::fs::write(&csv, big_csv(15_000, Some((14_999, &bad)))).unwrap();
    let found = problems(s.import_entities(&csv, false, &mut |_, _| {}).unwrap_err());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), (15_001, "乡镇"));
    assert!(found[0].2.contains("凤成镇"), "{}", found[0].2);
    nothing_changed(&s, entities, audit);
    // With a bad town early and a repeated code late, the row's own problem (the repeated
    // code) is the one reported, as when the sheet was checked whole before writing.
    let text = big_csv(15_000, Some((3, &bad))).replace(
        &format!("流式导入第14000号公司,{},", code(14_000)),
        &format!("流式导入第14000号公司,{},", code(3)),
    );
    std::fs::write(&csv, text).unwrap();
    let found = problems(s.import_entities(&csv, false, &mut |_, _| {}).unwrap_err());
    let rows: Vec<usize> = found.iter().map(|p| p.0).collect();
    assert_eq!(rows, vec![14_002], "{found:?}");
    assert!(found[0].2.contains("与第5行重复"), "{found:?}");
    nothing_changed(&s, entities, audit);
}

#[test]
fn a_dry_run_counts_every_row_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, entities, audit) = demo_with_counts(&dir);
    let csv = dir.path().join("dry.csv");
    let text = big_csv(5_000, None);
    std::fs::write(&csv, &text).unwrap();
    let mut ticks = Vec::new();
    let r = s
        .import_entities(&csv, true, &mut |done, total| ticks.push((done, total)))
        .unwrap();
    assert!(r.dry_run);
    assert_eq!(
        (r.rows, r.added, r.updated, r.unchanged),
        (5_000, 5_000, 0, 0)
    );
    assert_eq!(r.audit_seq, None);
    assert_eq!(r.sha256, hex::encode(Sha256::digest(text.as_bytes())));
    nothing_changed(&s, entities, audit);
    // Progress goes through the file's bytes and ends at its size.
    let size = text.len();
    assert_eq!(ticks.last(), Some(&(size, size)), "{ticks:?}");
    assert!(ticks.windows(2).all(|w| w[0].0 <= w[1].0), "{ticks:?}");
}

/// Imports `bytes` as a fresh CSV file on a fresh demo copy: the report and the stored name
/// of the first entity.
fn import_bytes(bytes: &[u8]) -> (shuangsuiji::services::registry::ImportReport, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    let mut s = open(&db, None);
    let csv = dir.path().join("enc.csv");
    std::fs::write(&csv, bytes).unwrap();
    let r = s.import_entities(&csv, false, &mut |_, _| {}).unwrap();
    let name = s.show_entity(&code(0)).unwrap().entity.entity.name;
    (r, name)
}

#[test]
fn gbk_gb18030_utf8_and_bom_files_import_alike_and_hash_their_own_bytes() {
    // Enough rows that the pieces the file is decoded in split characters.
    let text = big_csv(3_000, None);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (gb18030, _, _) = encoding_rs::GB18030.encode(&text);
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    for bytes in [text.as_bytes(), &gbk, &gb18030, &bom] {
        let (r, name) = import_bytes(bytes);
        assert_eq!((r.rows, r.added), (3_000, 3_000));
        assert_eq!(r.sha256, hex::encode(Sha256::digest(bytes)));
        assert_eq!(name, "流式导入第0号公司");
    }
}

#[test]
fn a_reimport_keeps_absent_columns_and_binds_what_it_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    let mut s = open(&db, None);
    let csv = dir.path().join("full.csv");
    std::fs::write(&csv, big_csv(2_000, None)).unwrap();
    let first = s.import_entities(&csv, false, &mut |_, _| {}).unwrap();
    assert_eq!(first.added, 2_000);
    // A partial sheet: the code and the tier only. One tier changes, one stays.
    let partial = dir.path().join("partial.csv");
    std::fs::write(
        &partial,
        format!(
            "统一社会信用代码,信用风险等级\n{},高风险\n{},低风险\n",
            code(7),
            code(8)
        ),
    )
    .unwrap();
    let r = s.import_entities(&partial, false, &mut |_, _| {}).unwrap();
    assert_eq!((r.rows, r.added, r.updated, r.unchanged), (2, 0, 1, 1));
    let e = s.show_entity(&code(7)).unwrap().entity.entity;
    assert_eq!(
        e.name, "流式导入第7号公司",
        "absent columns keep their values"
    );
    assert_eq!(e.address, "某村7号");
    assert_eq!(
        e.credit_tier.map(|t| t.label().to_string()).as_deref(),
        Some("高风险")
    );
    // The event names the file's digest and the ids it changed, and binds their rows.
    let seq = r.audit_seq.unwrap();
    let event = s
        .audit_events(&EventFilter {
            action_prefix: Some("entities.import".into()),
            ..EventFilter::default()
        })
        .unwrap()
        .into_iter()
        .find(|e| e.seq == seq)
        .unwrap();
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap();
    assert_eq!(detail["updated"], serde_json::json!([code(7)]));
    assert_eq!(detail["added"], serde_json::json!([]));
    assert_eq!(detail["unchanged"], 1);
    assert_eq!(
        detail["sha256"],
        hex::encode(Sha256::digest(std::fs::read(&partial).unwrap()))
    );
    let first_event = s
        .audit_events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .find(|e| Some(e.seq) == first.audit_seq)
        .unwrap();
    let first_detail: serde_json::Value = serde_json::from_str(&first_event.detail).unwrap();
    assert_eq!(first_detail["added"].as_array().unwrap().len(), 2_000);
    assert_eq!(first_detail["rows"], 2_000);
    let rows = s.verify_rows().unwrap();
    assert_eq!(rows.total, 0, "{:?}", rows.problems);
    assert!(s.verify_audit(None).unwrap().is_ok());
    // The same partial sheet again changes nothing and logs nothing.
    let size = s.audit_checkpoint().unwrap().size;
    let again = s.import_entities(&partial, false, &mut |_, _| {}).unwrap();
    assert_eq!(
        (again.updated, again.unchanged, again.audit_seq),
        (0, 2, None)
    );
    assert_eq!(s.audit_checkpoint().unwrap().size, size);
}

#[test]
fn a_partial_sheet_with_a_new_code_names_the_new_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, entities, audit) = demo_with_counts(&dir);
    let mut text = String::from("统一社会信用代码,信用风险等级\n");
    for i in 0..8 {
        writeln!(text, "{},高风险", code(i)).unwrap();
    }
    let csv = Path::new(dir.path()).join("new.csv");
    std::fs::write(&csv, text).unwrap();
    let found = problems(s.import_entities(&csv, false, &mut |_, _| {}).unwrap_err());
    assert!(!found.is_empty());
    for (row, column, reason) in &found {
        assert_eq!((*row, column.as_str()), (1, "表头"));
        assert!(
            reason.contains("第2行、第3行、第4行、第5行、第6行等"),
            "{reason}"
        );
    }
    nothing_changed(&s, entities, audit);
}
