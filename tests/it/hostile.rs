//! Hostile input: files that are not what they claim to be, and stored text that tries to drive
//! the terminal.
//!
//! * The importers (CSV in UTF-8/GBK, .xlsx, .json, and result files in TOML) are fed arbitrary
//!   bytes, byte-flipped copies of real exports, GBK text full of commas, quotes and line
//!   breaks, and real workbooks with random cells. Nothing may panic, and an import that is
//!   refused leaves the database exactly as it was (the libraries and the audit chain hashed
//!   before and after); one that is accepted adds exactly what it reports.
//! * Names, findings, reasons, witnesses and file names holding escape sequences and control
//!   characters are stored as given, and neutralised wherever they are shown: on the command
//!   line (tables, details, Markdown, errors) and in every dashboard screen.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, OnceLock};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use sha2::{Digest, Sha256};
use shuangsuiji::domain::result::{Category, InspectionResult, Outcome};
use shuangsuiji::domain::uscc;
use shuangsuiji::services::Session;
use shuangsuiji::sheets::{self, read_table};
use shuangsuiji::tui::model::ScreenId;
use shuangsuiji::tui::{self, load, views};

use crate::support::{self, demo_day, login_of, open, run, run_without_db, seeds};
use shuangsuiji::sheets::Overwrite;

const HEADER: &str = "名称,统一社会信用代码,乡镇,检查对象类型\n";

/// A hash of the given tables, row by row: equal hashes, nothing written.
fn digest(db: &Path, tables: &[&str]) -> String {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut h = Sha256::new();
    for t in tables {
        let mut st = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY 1"))
            .unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                match r.get_ref(i).unwrap() {
                    ValueRef::Null => h.update([0]),
                    ValueRef::Integer(v) => h.update(v.to_le_bytes()),
                    ValueRef::Real(v) => h.update(v.to_bits().to_le_bytes()),
                    ValueRef::Text(b) | ValueRef::Blob(b) => {
                        h.update((b.len() as u64).to_le_bytes());
                        h.update(b);
                    }
                }
            }
            h.update([1]);
        }
        h.update(t.as_bytes());
    }
    hex::encode(h.finalize())
}

fn count(db: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

const LIBRARIES: &[&str] = &[
    "entities",
    "inspectors",
    "departments",
    "check_items",
    "audit_log",
];

/// A database to import into, and a scratch directory for the files.
struct Target {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Target {
    fn new(name: &str) -> Target {
        let dir = tempfile::tempdir().unwrap();
        let db = support::demo_copy(&dir, &format!("{name}.db"));
        Target { dir, db }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!("{what} panicked: {msg}"))
    })
}

/// Reads `bytes` as a file with extension `ext`, parses it as every library, and imports it
/// as every library into `t`: no panic; refused, nothing changes; accepted, what it reports.
fn hostile_file(t: &Target, ext: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = t.file(&format!("input.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    if ext != "json" {
        if let Ok(table) = no_panic("read_table", || read_table(&path))? {
            no_panic("parse_entities", || sheets::parse_entities(&table))?.ok();
            no_panic("parse_inspectors", || sheets::parse_inspectors(&table))?.ok();
            no_panic("parse_check_items", || sheets::parse_check_items(&table))?.ok();
        }
    } else {
        no_panic("read_entities_json", || sheets::read_entities_json(&path))?.ok();
        no_panic("read_inspectors_json", || {
            sheets::read_inspectors_json(&path)
        })?
        .ok();
    }
    let mut s = open(&t.db, None);
    type Import = fn(&mut Session, &Path) -> shuangsuiji::services::Result<(usize, usize)>;
    let importers: [(&str, &str, Import); 3] = [
        ("entities", "entities", |s, p| {
            s.import_entities(p, false, &mut |_, _| {})
                .map(|r| (r.added, r.updated))
        }),
        ("inspectors", "inspectors", |s, p| {
            s.import_inspectors(p, false).map(|r| (r.added, r.updated))
        }),
        ("items", "check_items", |s, p| {
            s.import_check_items(p, false).map(|r| (r.added, r.updated))
        }),
    ];
    let mut before = digest(&t.db, LIBRARIES);
    for (name, table, import) in importers {
        if name == "items" && ext == "json" {
            continue;
        }
        let (rows, events) = (count(&t.db, table), count(&t.db, "audit_log"));
        let r = no_panic(&format!("import {name}"), || import(&mut s, &path))?;
        match r {
            Err(_) => prop_assert_eq!(
                &before,
                &digest(&t.db, LIBRARIES),
                "a refused {} import changed the database",
                name
            ),
            Ok((added, updated)) => {
                prop_assert_eq!(count(&t.db, table), rows + added as i64, "{} rows", name);
                prop_assert_eq!(
                    count(&t.db, "audit_log"),
                    events + i64::from(added + updated > 0),
                    "{} audit events",
                    name
                );
                before = digest(&t.db, LIBRARIES);
            }
        }
    }
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text a spreadsheet might hold, and things it should not: Chinese, ASCII, separators,
/// quotes, line breaks, control characters.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => (0x4E00u32..0x9FA6).prop_map(|c| char::from_u32(c).unwrap()),
        3 => proptest::char::range(' ', '~'),
        2 => prop::sample::select(vec![',', '"', '\n', '\r', '\t', '、', '，', ';']),
        1 => prop::sample::select(vec!['\u{1b}', '\u{7}', '\u{0}', '\u{7f}', '\u{9b}', '\u{feff}', '\u{2028}']),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(text_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Like `text`, but only characters GBK can encode.
fn gbk_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => (0x4E00u32..0x9FA6).prop_map(|c| char::from_u32(c).unwrap()),
            3 => proptest::char::range(' ', '~'),
            2 => prop::sample::select(vec![',', '"', '\n', '\r', '\t', '、', '，']),
        ],
        0..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// An entity row that is sometimes valid: a real USCC or junk, a town, a type or junk.
fn entity_row() -> impl Strategy<Value = Vec<String>> {
    (
        text(12),
        prop_oneof![
            3 => (0u32..9_999_999).prop_map(|n| uscc::complete(&format!("91140522MA{n:07}")).unwrap()),
            1 => text(20),
        ],
        prop_oneof![Just("凤城镇".to_string()), text(6)],
        prop_oneof![
            3 => Just("排污单位".to_string()),
            1 => Just("排污单位、非道路移动机械".to_string()),
            1 => text(8),
        ],
        prop::collection::vec(text(8), 0..3),
    )
        .prop_map(|(name, code, town, kind, extra)| {
            let mut row = vec![name, code, town, kind];
            row.extend(extra);
            row
        })
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(vec![]);
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

/// Real exports of the demo libraries, to flip bytes in.
fn exports() -> &'static [(String, Vec<u8>)] {
    static EXPORTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    EXPORTS.get_or_init(|| {
        let t = Target::new("exports");
        let s = open(&t.db, None);
        let mut out = Vec::new();
        for ext in ["csv", "xlsx", "json"] {
            let p = t.file(&format!("entities.{ext}"));
            s.export_entities(&p, Overwrite::Refuse).unwrap();
            out.push((ext.to_string(), std::fs::read(&p).unwrap()));
        }
        for ext in ["csv", "xlsx"] {
            let p = t.file(&format!("inspectors.{ext}"));
            s.export_inspectors(&p, Overwrite::Refuse).unwrap();
            out.push((ext.to_string(), std::fs::read(&p).unwrap()));
        }
        out
    })
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn arbitrary_bytes_as_csv_xlsx_and_json(
        bytes in prop::collection::vec(any::<u8>(), 0..1500),
        prefix in prop::sample::select(vec![&b""[..], b"\xEF\xBB\xBF", b"\xFF\xFE", b"PK\x03\x04", HEADER.as_bytes()]),
        ext in prop::sample::select(vec!["csv", "xlsx", "json", "xls"]),
    ) {
        static T: OnceLock<Target> = OnceLock::new();
        let t = T.get_or_init(|| Target::new("bytes"));
        let mut all = prefix.to_vec();
        all.extend(bytes);
        hostile_file(t, ext, &all)?;
    }

    #[test]
    fn gbk_and_utf8_text_with_separators_quotes_and_breaks(
        body in gbk_text(300),
        header in any::<bool>(),
        encoding in prop::sample::select(vec!["gbk", "utf8", "bom", "utf16"]),
    ) {
        static T: OnceLock<Target> = OnceLock::new();
        let t = T.get_or_init(|| Target::new("gbk"));
        let text = if header { format!("{HEADER}{body}") } else { body };
        let bytes = match encoding {
            "gbk" => encoding_rs::GBK.encode(&text).0.into_owned(),
            "utf8" => text.into_bytes(),
            "bom" => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
            _ => {
                let mut b = vec![0xFF, 0xFE];
                b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                b
            }
        };
        hostile_file(t, "csv", &bytes)?;
    }

    #[test]
    fn rows_that_are_nearly_right(
        rows in prop::collection::vec(entity_row(), 0..12),
        gbk in any::<bool>(),
    ) {
        static T: OnceLock<Target> = OnceLock::new();
        let t = T.get_or_init(|| Target::new("rows"));
        let mut all = vec![HEADER.trim_end().split(',').map(str::to_string).collect::<Vec<_>>()];
        all.extend(rows);
        let bytes = csv_bytes(&all);
        let bytes = if gbk {
            match std::str::from_utf8(&bytes) {
                Ok(s) => {
                    let (b, _, unmappable) = encoding_rs::GBK.encode(s);
                    if unmappable { bytes.clone() } else { b.into_owned() }
                }
                Err(_) => bytes.clone(),
            }
        } else {
            bytes
        };
        hostile_file(t, "csv", &bytes)?;
    }

    #[test]
    fn real_exports_with_bytes_flipped_or_cut(
        which in 0usize..5,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        static T: OnceLock<Target> = OnceLock::new();
        let t = T.get_or_init(|| Target::new("flips"));
        let (ext, original) = &exports()[which];
        let mut bytes = original.clone();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()));
        }
        hostile_file(t, ext, &bytes)?;
    }
}

/// A cell of a generated workbook.
#[derive(Debug, Clone)]
enum XCell {
    Text(String),
    Number(f64),
    Bool(bool),
    Blank,
}

fn xcell() -> impl Strategy<Value = XCell> {
    prop_oneof![
        4 => text(16).prop_map(XCell::Text),
        1 => (0u32..9_999_999).prop_map(|n| XCell::Text(uscc::complete(&format!("91140522MA{n:07}")).unwrap())),
        2 => prop_oneof![
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
            Just(9.11405e17),
            Just(46000.0),
            -1e3..1e3f64,
        ].prop_map(XCell::Number),
        1 => any::<bool>().prop_map(XCell::Bool),
        1 => Just(XCell::Blank),
    ]
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn real_workbooks_with_random_cells(
        header in any::<bool>(),
        title in prop::option::of(text(10)),
        rows in prop::collection::vec(prop::collection::vec(xcell(), 0..8), 0..10),
        sheet_name in prop::option::of("[A-Za-z0-9一-龥]{1,10}"),
    ) {
        static T: OnceLock<Target> = OnceLock::new();
        let t = T.get_or_init(|| Target::new("xlsx"));
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        if let Some(n) = &sheet_name {
            let _ = sheet.set_name(n);
        }
        let mut r = 0u32;
        if let Some(title) = &title {
            let _ = sheet.write_string(r, 0, title);
            r += 1;
        }
        if header {
            for (c, h) in HEADER.trim_end().split(',').enumerate() {
                sheet.write_string(r, c as u16, h).unwrap();
            }
            r += 1;
        }
        for row in &rows {
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                // The writer refuses some values (too long, control characters); those cells
                // stay empty.
                let _ = match cell {
                    XCell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                    XCell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                    XCell::Bool(b) => sheet.write_boolean(r, c, *b).map(|_| ()),
                    XCell::Blank => Ok(()),
                };
            }
            r += 1;
        }
        let bytes = book.save_to_buffer().unwrap();
        hostile_file(t, "xlsx", &bytes)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Result files.

/// A demo database with a completed visit waiting for its result, the login of an officer on
/// its team, and the visit's check items.
struct ResultTarget {
    _dir: tempfile::TempDir,
    pristine: PathBuf,
    work: PathBuf,
    visit: i64,
    officer: String,
    items: Vec<String>,
}

/// A completed second-quarter visit of a unit with a USCC: (database, visit id, officer).
fn completed_visit(dir: &tempfile::TempDir, name: &str) -> (PathBuf, i64, String) {
    let c = support::completed_visit(dir, name, |v| v.entity.starts_with('9'));
    (c.db, c.visit.id, c.officer)
}

fn result_target() -> &'static ResultTarget {
    static T: OnceLock<ResultTarget> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (pristine, visit, officer) = completed_visit(&dir, "pristine.db");
        let items = open(&pristine, &officer)
            .result_view(visit)
            .unwrap()
            .items
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        let work = dir.path().join("work.db");
        std::fs::copy(&pristine, &work).unwrap();
        ResultTarget {
            _dir: dir,
            pristine,
            work,
            visit,
            officer,
            items,
        }
    })
}

fn results(db: &Path, visit: i64) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM results WHERE visit_id = ?1",
            [visit],
            |r| r.get(0),
        )
        .unwrap()
}

const RESULT_TABLES: &[&str] = &[
    "results",
    "result_drafts",
    "corrections",
    "visit_events",
    "audit_log",
];

/// Parses `text` as the command line does and, when it parses, submits it: no panic; refused,
/// nothing changes; accepted, one result and one `result.submit` event.
fn hostile_result(text: &str) -> Result<(), TestCaseError> {
    // The two properties below share the work database: one case at a time.
    static WORK: Mutex<()> = Mutex::new(());
    let _work = WORK.lock().unwrap_or_else(|e| e.into_inner());
    let t = result_target();
    let parsed = no_panic("toml", || toml::from_str::<InspectionResult>(text))?;
    let Ok(result) = parsed else { return Ok(()) };
    let before = digest(&t.work, RESULT_TABLES);
    let events = count(&t.work, "audit_log");
    let mut s = open(&t.work, &t.officer);
    let r = no_panic("submit_result", || s.submit_result(t.visit, &result))?;
    let draft = no_panic("save_draft", || s.save_draft(t.visit, &result))?;
    drop(s);
    match r {
        Err(_) => {
            if draft.is_err() {
                prop_assert_eq!(&before, &digest(&t.work, RESULT_TABLES));
            }
            prop_assert_eq!(results(&t.work, t.visit), 0);
            prop_assert_eq!(count(&t.work, "audit_log"), events);
        }
        Ok(_) => {
            prop_assert_eq!(results(&t.work, t.visit), 1);
            prop_assert_eq!(count(&t.work, "audit_log"), events + 1);
            std::fs::copy(&t.pristine, &t.work).unwrap();
            for suffix in ["-wal", "-shm"] {
                let mut p = t.work.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
    Ok(())
}

fn label_or_junk(labels: Vec<&'static str>) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(labels).prop_map(str::to_string),
        1 => text(8),
    ]
}

fn result_toml(items: Vec<String>) -> impl Strategy<Value = String> {
    let outcome = label_or_junk(Outcome::ALL.iter().map(|o| o.label()).collect());
    let category = label_or_junk(Category::ALL.iter().map(|c| c.label()).collect());
    let code = prop_oneof![3 => prop::sample::select(items), 1 => text(6)];
    (
        prop::collection::vec((code, outcome, text(10)), 0..6),
        prop::collection::vec(category, 0..3),
        prop::collection::vec(text(20), 5),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(items, categories, texts, cut)| {
            let mut t = toml::Table::new();
            t.insert(
                "item".into(),
                toml::Value::Array(
                    items
                        .into_iter()
                        .map(|(code, outcome, note)| {
                            let mut i = toml::Table::new();
                            i.insert("code".into(), code.into());
                            i.insert("outcome".into(), outcome.into());
                            i.insert("note".into(), note.into());
                            toml::Value::Table(i)
                        })
                        .collect(),
                ),
            );
            t.insert(
                "categories".into(),
                toml::Value::Array(categories.into_iter().map(Into::into).collect()),
            );
            for (k, v) in ["findings", "legal_basis", "measure", "other", "remark"]
                .iter()
                .zip(texts)
            {
                t.insert(k.to_string(), v.into());
            }
            let text = toml::to_string(&t).unwrap();
            match cut {
                Some(c) => {
                    let mut at = c.index(text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    text[..at].to_string()
                }
                None => text,
            }
        })
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn arbitrary_bytes_as_a_result_file(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        prefix in prop::sample::select(vec!["", "categories = [", "[[item]]\ncode = ", "findings = \""]),
    ) {
        let mut all = prefix.as_bytes().to_vec();
        all.extend(bytes);
        hostile_result(&String::from_utf8_lossy(&all))?;
    }

    #[test]
    fn result_files_that_are_nearly_right(text in result_toml(result_target().items.clone())) {
        hostile_result(&text)?;
    }
}

/// `result submit VISIT --file FILE` as `officer`.
fn submit_file(db: &Path, visit: i64, officer: &str, file: &Path) -> Output {
    let visit = visit.to_string();
    let args = ["--as", officer, "result", "submit", &visit, "--file"];
    run(db, &[&args[..], &[file.to_str().unwrap()]].concat())
}

/// What the binary prints for a file that is not a result: exit code 1, words, no panic.
#[test]
fn hostile_result_files_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, visit, officer) = completed_visit(&dir, "cli.db");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.toml", vec![]),
        ("latin1.toml", b"findings = \"\xe9\xff\"\n".to_vec()),
        ("nul.toml", b"findings = \"a\0b\"\n".to_vec()),
        ("deep.toml", {
            let mut b = b"findings = ".to_vec();
            b.extend(std::iter::repeat_n(b'[', 50_000));
            b
        }),
        ("long.toml", {
            let mut b = b"findings = \"".to_vec();
            b.extend(std::iter::repeat_n(b'x', 2_000_000));
            b.extend(b"\"\ncategories = [\"\xe5\xbe\x88\xe5\xa5\xbd\"]\n");
            b
        }),
        (
            "wrong-types.toml",
            b"item = 3\ncategories = \"x\"\n".to_vec(),
        ),
        ("unknown-item.toml", {
            "categories = [\"未发现问题\"]\n[[item]]\ncode = \"99-99\"\noutcome = \"符合要求\"\n"
                .as_bytes()
                .to_vec()
        }),
    ];
    let before = digest(&db, RESULT_TABLES);
    for (name, bytes) in &cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let o = submit_file(&db, visit, &officer, &file);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(err.starts_with("错误："), "{name}: {err}");
    }
    // A directory where the file should be.
    let o = submit_file(&db, visit, &officer, dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    assert_eq!(before, digest(&db, RESULT_TABLES), "nothing was written");
}

/// The TOML parser quotes the offending line in its message, and the command line prints that
/// message as it is: a result (or task) file can write escape sequences to the terminal.
#[test]
fn a_malformed_result_file_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (db, visit, officer) = completed_visit(&dir, "esc.db");
    let file = dir.path().join("evil.toml");
    std::fs::write(&file, "findings = \"a\u{1b}]0;pwn\u{7}b\" zz\n").unwrap();
    let o = submit_file(&db, visit, &officer, &file);
    assert_eq!(o.status.code(), Some(1));
    assert_clean("result submit --file evil.toml", &o.stderr);
    let o = run(
        &db,
        &[
            "plan",
            "add-task",
            "--plan",
            "NB",
            "--file",
            file.to_str().unwrap(),
            "--reason",
            "测试",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_clean("plan add-task --file evil.toml", &o.stderr);
}

/// `draw verify --file` reads a published record; the differences it reports quote the
/// record's entity ids as they are.
#[test]
fn a_tampered_draw_record_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = completed_visit(&dir, "verify.db");
    let o = run(&db, &["draw", "show", "2026Q2-01", "--json"]);
    assert!(o.status.success());
    let mut record: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    record["visits"][0]["entity"] = "X\u{1b}]0;pwn\u{7}Y".into();
    let file = dir.path().join("record.json");
    std::fs::write(&file, serde_json::to_vec(&record).unwrap()).unwrap();
    let o = run_without_db(
        dir.path(),
        &["draw", "verify", "--file", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_clean("draw verify --file", &o.stderr);
}

// ---------------------------------------------------------------------------------------------
// Stored text that tries to drive the terminal.

/// Clear the screen, set the window title, ring the bell, return the carriage, the 8-bit
/// CSI, delete and backspace.
fn evil(token: &str) -> String {
    format!("{token}\u{1b}[2J\u{1b}]0;pwn\u{7}\r\u{9b}31m\u{7f}\u{8}尾")
}

const TOKENS: &[&str] = &[
    "恶意名称",
    "恶意发现",
    "恶意备注",
    "恶意更正",
    "恶意作废",
    "恶意见证",
    "恶意后续",
    "恶意用户",
];

/// The bytes that must never reach a terminal: C0 controls other than the line feed, DEL,
/// and the C1 controls (U+0080–U+009F, UTF-8 C2 80–C2 9F).
fn control_chars(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .char_indices()
        .filter(|(_, c)| c.is_control() && *c != '\n')
        .map(|(i, c)| format!("{:?} at {i}", c))
        .collect()
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let found = control_chars(bytes);
    assert!(
        found.is_empty(),
        "{what}: control characters {found:?} in\n{}",
        String::from_utf8_lossy(bytes).escape_debug()
    );
}

struct Evil {
    _dir: tempfile::TempDir,
    db: PathBuf,
    entity: String,
    visit: i64,
}

/// A demo database whose stored text is hostile everywhere a person can type.
fn evil_db() -> &'static Evil {
    static E: OnceLock<Evil> = OnceLock::new();
    E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = support::demo_copy(&dir, "evil.db");
        open(&db, "lead.liu")
            .run_draw("2026Q2-01", &seeds(), &[evil("恶意见证")])
            .unwrap();
        let lead = open(&db, "lead.liu");
        let v = support::assigned_q2_visit(&lead, |v| v.entity.starts_with('9'));
        let officer = login_of(&lead, &v.team[0].inspector);
        drop(lead);
        // The entity renamed by an import whose file name is hostile too.
        let csv_path = dir.path().join("evil\u{1b}]0;pwn\u{7}.csv");
        std::fs::write(
            &csv_path,
            csv_bytes(&[
                HEADER.trim_end().split(',').map(str::to_string).collect(),
                vec![
                    evil("恶意名称"),
                    v.entity.clone(),
                    "凤城镇".into(),
                    "排污单位".into(),
                ],
            ]),
        )
        .unwrap();
        let report = open(&db, "admin.li")
            .import_entities(&csv_path, false, &mut |_, _| {})
            .unwrap();
        assert_eq!(report.updated, 1);
        // A result with hostile findings, notes and remark; a correction with a hostile
        // reason; a follow-up with a hostile note.
        let mut s = open(&db, &officer);
        let id = v.id;
        s.start_visit(id, demo_day(), None).unwrap();
        s.complete_visit(id, demo_day(), None).unwrap();
        let mut r = InspectionResult {
            findings: evil("恶意发现"),
            legal_basis: evil("恶意发现"),
            measure: evil("恶意发现"),
            remark: evil("恶意备注"),
            ..support::compliant_result(&s, id, &[Category::Pending])
        };
        for item in &mut r.items {
            item.note = evil("恶意发现");
        }
        r.items[0].outcome = Outcome::Problem;
        s.submit_result(id, &r).unwrap();
        let mut corrected = r.clone();
        corrected.findings = evil("恶意发现更正后");
        s.file_correction(id, &corrected, &evil("恶意更正"))
            .unwrap();
        s.add_followup(
            id,
            shuangsuiji::domain::result::FollowUpKind::Rectify,
            "",
            &evil("恶意后续"),
        )
        .unwrap();
        drop(s);
        open(&db, "lead.liu")
            .request_void("2026Q1-01", &evil("恶意作废"))
            .unwrap();
        open(&db, "admin.li")
            .add_user(
                "evil.user",
                &evil("恶意用户"),
                &[shuangsuiji::domain::role::Role::Observer],
                None,
            )
            .unwrap();
        Evil {
            _dir: dir,
            db,
            entity: v.entity,
            visit: id,
        }
    })
}

#[test]
fn hostile_stored_text_is_neutralised_on_the_command_line() {
    let e = evil_db();
    let visit = e.visit.to_string();
    let commands: Vec<(Vec<&str>, &str)> = vec![
        (vec!["entities", "list"], "恶意名称"),
        (vec!["entities", "list", "--search", "恶意"], "恶意名称"),
        (vec!["entities", "show", &e.entity], "恶意名称"),
        (vec!["result", "show", &visit], "恶意发现"),
        (vec!["result", "show", &visit], "恶意更正"),
        (vec!["result", "pending"], "恶意更正"),
        (vec!["draw", "show", "2026Q1-01"], "恶意作废"),
        (vec!["draw", "show", "2026Q2-01"], "恶意见证"),
        (vec!["draw", "show", "2026Q2-01", "--markdown"], "恶意见证"),
        (vec!["audit", "log", "--limit", "300"], "evil"),
        (vec!["visit", "list"], "恶意名称"),
        (vec!["user", "list"], "恶意用户"),
        (vec!["--as", "evil.user", "whoami"], "恶意用户"),
    ];
    for (args, token) in &commands {
        let o = run(&e.db, args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(token),
            "{args:?} does not show {token}:\n{out}"
        );
        assert_clean(&format!("{args:?} stdout"), &o.stdout);
        assert_clean(&format!("{args:?} stderr"), &o.stderr);
    }
    // Errors quoting what was typed.
    let o = run(&e.db, &["entities", "show", "X\u{1b}[2J\u{7}"]);
    assert_eq!(o.status.code(), Some(1));
    assert_clean("entities show (error)", &o.stderr);
    // JSON escapes the C0 controls; the terminal never sees ESC, BEL, CR or BS.
    for args in [
        vec!["entities", "show", &e.entity, "--json"],
        vec!["result", "show", &visit, "--json"],
        vec!["audit", "log", "--json", "--limit", "300"],
        vec!["visit", "list", "--json"],
    ] {
        let o = run(&e.db, &args);
        assert!(o.status.success());
        for b in [0x1b, 0x07, b'\r', 0x08] {
            assert!(!o.stdout.contains(&b), "{args:?} prints byte {b:#04x}");
        }
    }
}

/// The cells of a frame that hold a control character.
fn dirty_cells(buf: &Buffer) -> Vec<String> {
    let mut out = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            if s.chars().any(char::is_control) {
                out.push(format!("({x},{y}) {s:?}"));
            }
        }
    }
    out
}

fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn enter() -> Event {
    Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

#[test]
fn hostile_stored_text_is_neutralised_in_the_dashboard() {
    let e = evil_db();
    let mut shown = Vec::new();
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let mut check = |what: &str, m: &tui::model::Model| {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal.draw(|f| views::render(f, m)).unwrap();
            let buf = terminal.backend().buffer();
            let dirty = dirty_cells(buf);
            assert!(dirty.is_empty(), "{what} at {w}x{h}: {dirty:?}");
            let text = screen_text(buf).replace(' ', "");
            for t in TOKENS {
                if text.contains(&t.replace(' ', "")) {
                    shown.push((*t, what.to_string()));
                }
            }
        };
        // The lead: entities (list and detail), draws (the detail of both), visits, the
        // result form, the audit log.
        let mut s = open(&e.db, "lead.liu");
        let mut m = tui::model_for(&s, false);
        load::overview(&s, &mut m).unwrap();
        check("overview", &m);
        m.screen = ScreenId::Entities;
        load::entities(&s, &mut m).unwrap();
        m.entities.search = "恶意".into();
        load::filter_entities(&mut m);
        check("entities", &m);
        m.entities.detail = true;
        check("entity detail", &m);
        m.screen = ScreenId::Draws;
        load::draws(&s, &mut m).unwrap();
        for id in ["2026Q1-01", "2026Q2-01"] {
            m.draws.detail = None;
            m.draws.selected = m.draws.list.iter().position(|d| d.id == id).unwrap();
            check("draws", &m);
            tui::handle(&mut s, &mut m, enter());
            assert!(m.draws.detail.is_some(), "{id} opens");
            check(&format!("draw {id}"), &m);
            // Every page of the record.
            loop {
                let before = m.draws.scroll;
                tui::handle(
                    &mut s,
                    &mut m,
                    Event::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
                );
                if m.draws.scroll == before {
                    break;
                }
                check(&format!("draw {id} scrolled"), &m);
            }
        }
        m.draws.detail = None;
        m.screen = ScreenId::Visits;
        load::visits(&s, &mut m).unwrap();
        m.visits.selected = m.visits.list.iter().position(|v| v.id == e.visit).unwrap();
        check("visits", &m);
        tui::handle(&mut s, &mut m, enter());
        assert!(m.form.is_some(), "the result form opens");
        check("result form", &m);
        m.form = None;
        m.screen = ScreenId::Audit;
        load::audit(&s, &mut m).unwrap();
        check("audit", &m);
        // The principal: approvals (the correction and the void request).
        let p = open(&e.db, "principal.wang");
        let mut m = tui::model_for(&p, false);
        load::overview(&p, &mut m).unwrap();
        m.screen = ScreenId::Approvals;
        load::approvals(&p, &mut m).unwrap();
        check("approvals", &m);
        for _ in 0..3 {
            tui::handle(
                &mut open(&e.db, "principal.wang"),
                &mut m,
                Event::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
            );
            check("approvals, next", &m);
        }
        // The evil user's own status line.
        let u = open(&e.db, "evil.user");
        let mut m = tui::model_for(&u, false);
        load::overview(&u, &mut m).unwrap();
        check("status line", &m);
    }
    // The hostile text did reach the screens (neutralised), so the checks above saw it. (The
    // dashboard shows neither follow-up notes nor users' names.)
    for t in TOKENS
        .iter()
        .filter(|t| !["恶意后续", "恶意用户"].contains(t))
    {
        assert!(
            shown.iter().any(|(s, _)| s == t),
            "{t} never shown: {shown:?}"
        );
    }
}

/// JSON output escapes C0 controls (serde_json must), but writes DEL and the C1 controls
/// (U+0080–U+009F) as they are; xterm acts on a UTF-8 encoded U+009B as CSI.
#[test]
fn json_output_escapes_every_control_character() {
    let e = evil_db();
    let visit = e.visit.to_string();
    for args in [
        vec!["entities", "show", &e.entity, "--json"],
        vec!["result", "show", &visit, "--json"],
        vec!["visit", "list", "--json"],
    ] {
        let o = run(&e.db, &args);
        assert!(o.status.success());
        assert_clean(&format!("{args:?}"), &o.stdout);
    }
}
