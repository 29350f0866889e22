//! Every record row bound to the audit log (issue 10, item 5).
//!
//! The hash chain proves the log was not rewritten; this module proves the tables were not
//! written beside it. Each write transaction's rows are captured by temporary triggers (this
//! connection's own: a write by any other program is not captured) into `temp.ssj_changed`,
//! one line per row key with the digest of the row it replaced and of the row it left. The
//! next [`crate::store::audit::append`] moves those lines into `audit_rows` under the event's
//! number and puts their count and SHA-256 into the event's detail (`bound`), so the hash
//! chain covers them. A transaction that leaves captured rows without an event is refused.
//!
//! [`check`] replays `audit_rows` over the log and compares the result with the tables as they
//! are: every row must carry the digest its last event recorded, every row an event wrote and
//! no later event removed must exist, and no row may exist that no event wrote.
//!
//! Bulk writes (issue 12): a batch of one table's rows (an import's entities, a draw's visits
//! and seats) goes through [`Bulk`] instead. The table is *quiet* meanwhile (marked in
//! `temp.ssj_quiet`, its capture triggers set aside until the batch ends); `Bulk` writes the
//! rows itself (plain inserts 64 to a statement), computes each digest in Rust from the values
//! it bound (values the column's type affinity would convert are refused, so what is hashed
//! is what is stored), and hands over the line the triggers would have left, a few thousand
//! at a time in key order. Plain inserts made under a held event file their lines straight
//! in `audit_rows` under it ([`pending`] merges them with the captured ones, and refuses a
//! row of both); other batches hand them to `temp.ssj_changed`, merged as the triggers'
//! would be. The event's `bound` and its `audit_rows` are byte for byte those of the trigger
//! path (tests compare both), so [`check`] and older databases are unaffected. A transaction
//! that ends with a table still quiet is refused like one with unlogged rows.
//!
//! Row digest: `SHA-256("ssj-row-v1" ‖ table ‖ (name ‖ type ‖ value)…)` over the non-NULL
//! columns in name order, with length prefixes. NULL columns are left out, so a column added
//! later (NULL in old rows) changes no digest. Each stored digest is followed by an 8-byte
//! fingerprint of every column (`SHA-256("ssj-col-v1" ‖ name ‖ type ‖ value)`, NULL ones
//! included), which lets a difference be named by field without storing any value.

use std::collections::{HashMap, HashSet};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::batch::{Batch, Rows};
use super::{Result, StoreError};

/// Tables not bound: the log itself and drafts (a draft is work in progress, not a record).
pub const UNBOUND: &[&str] = &["audit_log", "audit_rows", "result_drafts"];

/// Bytes of a row digest.
pub const DIGEST: usize = 32;
/// Bytes of a column fingerprint.
const FP: usize = 8;

const LABEL_ROW: &[u8] = b"ssj-row-v1";
const LABEL_COL: &[u8] = b"ssj-col-v1";
const LABEL_LIST: &[u8] = b"ssj-rows-v1";

/// The key in an event's detail that carries its rows' count and digest.
pub const DETAIL_KEY: &str = "bound";

/// The action of the event that binds rows found unbound (a new or upgraded database).
pub const BASELINE: &str = "audit.baseline";
pub const REBIND: &str = "audit.rebind";
/// The actor of those events.
pub const SYSTEM: &str = "system";

/// A record table: its name, columns in table order, and the positions of its key columns
/// (empty: the table has no declared key and rows are keyed by `rowid`).
#[derive(Debug, Clone)]
pub struct Shape {
    pub name: String,
    pub cols: Vec<String>,
    pub key: Vec<usize>,
}

/// Every record table of the database, by name.
pub fn shapes(conn: &Connection) -> Result<Vec<Shape>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| !UNBOUND.contains(&n.as_str())) {
        let mut info = conn.prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let cols: Vec<(String, i64)> = info
            .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut key: Vec<(i64, usize)> = cols
            .iter()
            .enumerate()
            .filter(|(_, (_, pk))| *pk > 0)
            .map(|(i, (_, pk))| (*pk, i))
            .collect();
        key.sort();
        out.push(Shape {
            name,
            cols: cols.into_iter().map(|(c, _)| c).collect(),
            key: key.into_iter().map(|(_, i)| i).collect(),
        });
    }
    Ok(out)
}

fn put(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u32).to_be_bytes());
    h.update(bytes);
}

/// A column's type tag and value, as hashed.
fn put_value(h: &mut Sha256, value: ValueRef<'_>) {
    match value {
        ValueRef::Null => h.update([0]),
        ValueRef::Integer(i) => {
            h.update([1]);
            h.update(i.to_be_bytes());
        }
        ValueRef::Real(f) => {
            h.update([2]);
            h.update(f.to_bits().to_be_bytes());
        }
        ValueRef::Text(t) => {
            h.update([3]);
            put(h, t);
        }
        ValueRef::Blob(b) => {
            h.update([4]);
            put(h, b);
        }
    }
}

/// The fingerprint of one column's value under its name (to name a field that differs).
fn fingerprint(name: &str, value: ValueRef<'_>) -> [u8; FP] {
    let mut h = Sha256::new();
    h.update(LABEL_COL);
    put(&mut h, name.as_bytes());
    put_value(&mut h, value);
    let d: [u8; 32] = h.finalize().into();
    d[..FP]
        .try_into()
        .expect("a digest is longer than a fingerprint")
}

/// A row's digest: its non-NULL columns in name order, each as name, type and value.
pub fn row_digest(table: &str, cols: &mut [(&str, ValueRef<'_>)]) -> [u8; DIGEST] {
    cols.sort_by(|a, b| a.0.cmp(b.0));
    let mut row = Sha256::new();
    row.update(LABEL_ROW);
    put(&mut row, table.as_bytes());
    for (name, value) in cols.iter() {
        if !matches!(value, ValueRef::Null) {
            put(&mut row, name.as_bytes());
            put_value(&mut row, *value);
        }
    }
    row.finalize().into()
}

/// The stored form of a row: its digest, then one fingerprint per column in name order.
pub fn row_blob(table: &str, cols: &mut [(&str, ValueRef<'_>)]) -> Vec<u8> {
    let mut out = row_digest(table, cols).to_vec();
    for (name, value) in cols.iter() {
        out.extend_from_slice(&fingerprint(name, *value));
    }
    out
}

/// A row's key as text: the value of a one-column key, a JSON array for a composite one.
pub fn key_text(values: &[ValueRef<'_>]) -> String {
    fn json(v: ValueRef<'_>) -> serde_json::Value {
        match v {
            ValueRef::Null => serde_json::Value::Null,
            ValueRef::Integer(i) => i.into(),
            ValueRef::Real(f) => f.into(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
            ValueRef::Blob(b) => hex::encode(b).into(),
        }
    }
    match values {
        [one] => match *one {
            ValueRef::Integer(i) => i.to_string(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            other => json(other).to_string(),
        },
        many => serde_json::Value::Array(many.iter().map(|v| json(*v)).collect()).to_string(),
    }
}

/// An SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The expressions `ssj_key(…)` and `ssj_row(…)` over `OLD` or `NEW` for a table.
fn row_exprs(shape: &Shape, which: &str) -> (String, String) {
    let key = if shape.key.is_empty() {
        format!("{which}.rowid")
    } else {
        shape
            .key
            .iter()
            .map(|&i| format!("{which}.{}", ident(&shape.cols[i])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cols = shape
        .cols
        .iter()
        .map(|c| format!("{}, {which}.{}", literal(c), ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    (
        format!("ssj_key({key})"),
        format!("ssj_row({}, {cols})", literal(&shape.name)),
    )
}

/// Registers the digest functions and creates the capture table and triggers on this
/// connection (again after a migration, so they match the tables).
pub fn install(conn: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ssj_row", -1, flags, |ctx| {
        let table = ctx.get_raw(0).as_str().unwrap_or_default().to_string();
        let mut cols = Vec::with_capacity(ctx.len() / 2);
        let mut i = 1;
        while i + 1 < ctx.len() {
            let name = ctx.get_raw(i).as_str().unwrap_or_default();
            cols.push((name, ctx.get_raw(i + 1)));
            i += 2;
        }
        Ok(row_blob(&table, &mut cols))
    })?;
    conn.create_scalar_function("ssj_key", -1, flags, |ctx| {
        let values: Vec<ValueRef<'_>> = (0..ctx.len()).map(|i| ctx.get_raw(i)).collect();
        Ok(key_text(&values))
    })?;
    // REPLACE then fires the delete triggers for the row it replaces.
    conn.pragma_update(None, "recursive_triggers", true)?;
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS ssj_event (seq INTEGER NOT NULL, at TEXT NOT NULL, \
         actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL);\n\
         CREATE TEMP TABLE IF NOT EXISTS ssj_changed (tbl TEXT NOT NULL, key TEXT NOT NULL, \
         old BLOB, new BLOB, PRIMARY KEY (tbl, key)) WITHOUT ROWID;\n\
         CREATE TEMP TABLE IF NOT EXISTS ssj_quiet (tbl TEXT PRIMARY KEY) WITHOUT ROWID;\n",
    );
    let existing: Vec<String> = conn
        .prepare(
            "SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'ssj_bind_%'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for name in existing {
        sql.push_str(&format!("DROP TRIGGER temp.{};\n", ident(&name)));
    }
    for (n, shape) in shapes(conn)?.iter().enumerate() {
        let t = literal(&shape.name);
        let on = format!("main.{}", ident(&shape.name));
        let (old_key, old_row) = row_exprs(shape, "OLD");
        let (new_key, new_row) = row_exprs(shape, "NEW");
        let gone = format!(
            "INSERT INTO ssj_changed (tbl, key, old, new) VALUES ({t}, {old_key}, \
             substr({old_row}, 1, {DIGEST}), NULL) ON CONFLICT (tbl, key) DO UPDATE SET new = NULL;"
        );
        let came = format!(
            "INSERT INTO ssj_changed (tbl, key, old, new) VALUES ({t}, {new_key}, NULL, \
             {new_row}) ON CONFLICT (tbl, key) DO UPDATE SET new = excluded.new;"
        );
        // A bulk write ([`Bulk`]) sets them aside while it hands its lines over itself.
        sql.push_str(&format!(
            "CREATE TEMP TRIGGER ssj_bind_{n}_i AFTER INSERT ON {on} BEGIN {came} END;\n\
             CREATE TEMP TRIGGER ssj_bind_{n}_u AFTER UPDATE ON {on} BEGIN {gone} {came} END;\n\
             CREATE TEMP TRIGGER ssj_bind_{n}_d AFTER DELETE ON {on} BEGIN {gone} END;\n"
        ));
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// A column's type affinity (SQLite's rules on its declared type), for [`Bulk`]: what a
/// value bound to the column becomes when it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Affinity {
    Integer,
    Text,
    Real,
    Numeric,
    /// BLOB, no declared type, or `ANY` in a STRICT table: values are stored as bound.
    None,
}

fn affinity(declared: &str, strict: bool) -> Affinity {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Affinity::Text
    } else if t.is_empty() || t.contains("BLOB") || (strict && t == "ANY") {
        Affinity::None
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// Whether a value bound to a column of this affinity is stored as it is (so that the digest
/// [`Bulk`] computes from the bound value is the digest of the stored row). A value that the
/// column would convert (an integer bound to a TEXT column, text to an INTEGER one, …) is
/// refused instead of guessed at.
fn stored_as_bound(affinity: Affinity, value: ValueRef<'_>) -> bool {
    matches!(
        (affinity, value),
        (_, ValueRef::Null | ValueRef::Blob(_))
            | (Affinity::None, _)
            | (Affinity::Text, ValueRef::Text(_))
            | (Affinity::Integer | Affinity::Numeric, ValueRef::Integer(_))
            | (Affinity::Real, ValueRef::Real(_))
    )
}

/// A batch of rows of one table written without the capture triggers (issue 12: an import of
/// 100,000 entities, a draw's visits and seats).
///
/// While a `Bulk` is open its table is *quiet*: its capture triggers are set aside (dropped
/// inside the transaction, so a rollback brings them back too, and created again when the
/// batch ends), and the `Bulk` itself writes the rows and hands over their lines, with the
/// digests computed in Rust from the values it bound (values the column would convert are
/// refused, so what is hashed is what is stored). The line is the one the triggers would
/// have left for the same write (an insert: no old digest; an upsert over a stored row: the
/// stored row's digest, read first), merged the same way with the lines already captured, so
/// the event's `bound` and its `audit_rows` are byte for byte those of the trigger path: no
/// trigger program, SQL function or journal of a trigger's statements per row. Plain inserts
/// under a held event file their lines in `audit_rows` at once (see [`pending`]).
///
/// [`Bulk::finish`] makes the table loud again; a `Bulk` dropped without it does too (its
/// transaction is then being abandoned), and a transaction that ends with a quiet table is
/// refused like one with unlogged rows ([`unlogged`]). Every column of the table must be
/// given, so that no default the row would take escapes the digest.
pub struct Bulk<'c> {
    conn: &'c Connection,
    table: String,
    cols: Vec<String>,
    affinity: Vec<Affinity>,
    /// Positions (in `cols`) of the key's columns, in key order.
    key: Vec<usize>,
    /// The position of an `INTEGER PRIMARY KEY` column (the rowid): a NULL bound to it is
    /// stored as the new rowid.
    rowid: Option<usize>,
    write: Write<'c>,
    /// For plain inserts into a table keyed by its rowid: the rowid the next row given none
    /// takes (SQLite's own choice, one past the largest; see [`next_rowid`]).
    next_rowid: i64,
    /// For an upsert: reads the stored row by key, every column, in `cols` order.
    stored: Option<rusqlite::Statement<'c>>,
    /// Hands a line to the capture table (`None`: this connection does not capture, or the
    /// lines are `filed`).
    line: Option<rusqlite::Statement<'c>>,
    /// The held event whose `audit_rows` the lines go straight into, and their inserts: a
    /// batch of plain inserts opened after its event was appended, into a table none of whose
    /// rows the event has written yet (so no line needs merging with a captured one, see
    /// [`pending`]).
    filed: Option<(u64, Batch<'c>)>,
    /// Lines not yet handed over, in write order: handed over a run at a time in key order
    /// ([`Bulk::chunk`]), which a B-tree takes faster than the file's order.
    lines: Vec<PendingLine>,
    /// Rows written since the lines were last handed over.
    written: usize,
    /// Rows written in all.
    total: usize,
    /// Computes the lines on a helper thread (`None`: here, as when it could not start).
    hasher: Option<Hasher>,
    quiet: bool,
    /// The table's capture triggers, set aside while the batch is written (their SQL).
    triggers: Vec<String>,
    /// For `filed` lines: the SQL of `audit_rows_no_replace`, set aside while a run of lines
    /// is filed (see [`GUARD`]), and whether it is set aside now.
    guard: Option<String>,
    guard_down: bool,
    /// For plain inserts: the SQL of the table's own `<table>_no_replace`, set aside from the
    /// start of the batch until it ends (see [`guard_of`]); `None` once it is back.
    table_guard: Option<String>,
}

/// A line not yet handed over: the row's key, the digest of the row it replaced, the blob
/// of the row it left.
type PendingLine = (String, Option<[u8; DIGEST]>, Vec<u8>);

/// A row's line, from its columns' names and values as bound.
fn line_of(
    table: &str,
    cols: &mut [(&str, ValueRef<'_>)],
    key: &[usize],
    old: Option<[u8; DIGEST]>,
) -> PendingLine {
    let keys: Vec<ValueRef<'_>> = key.iter().map(|&i| cols[i].1).collect();
    let key = key_text(&keys);
    (key, old, row_blob(table, cols))
}

/// Rows a [`Hasher`] job holds.
const JOB: usize = 256;

/// A [`Hasher`] job: rows, and for each the digest of the row it replaced.
type Job = (Rows, Vec<Option<[u8; DIGEST]>>);

/// The lines of a [`Bulk`]'s rows computed on a helper thread (issue 12): the key text and
/// the SHA-256 of each row and each column are the helper's work while the writer's thread
/// writes rows. The rows are handed over as copies of the values bound, and the lines come
/// back in the order the rows were written.
struct Hasher {
    to: Option<std::sync::mpsc::SyncSender<Job>>,
    from: std::sync::mpsc::Receiver<Vec<PendingLine>>,
    worker: Option<std::thread::JoinHandle<()>>,
    job: Rows,
    olds: Vec<Option<[u8; DIGEST]>>,
    in_flight: usize,
}

impl Hasher {
    /// `None` if the thread could not start (the lines are then computed on the writer's).
    fn start(table: &str, cols: Vec<String>, key: Vec<usize>) -> Option<Hasher> {
        let (to, jobs) = std::sync::mpsc::sync_channel::<Job>(8);
        let (done, from) = std::sync::mpsc::channel();
        let table = table.to_string();
        let job = Rows::new(cols.len());
        let worker = std::thread::Builder::new()
            .name("ssj-row-digests".into())
            .spawn(move || {
                for (rows, olds) in jobs {
                    let mut out = Vec::with_capacity(olds.len());
                    for (i, old) in olds.into_iter().enumerate() {
                        let mut named: Vec<(&str, ValueRef<'_>)> =
                            cols.iter().map(String::as_str).zip(rows.row(i)).collect();
                        out.push(line_of(&table, &mut named, &key, old));
                    }
                    if done.send(out).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Hasher {
            to: Some(to),
            from,
            worker: Some(worker),
            job,
            olds: Vec::new(),
            in_flight: 0,
        })
    }

    fn gone() -> StoreError {
        StoreError::Corrupt("计算记录行摘要的线程意外退出".into())
    }

    fn push(&mut self, values: &[ValueRef<'_>], old: Option<[u8; DIGEST]>) -> Result<()> {
        self.job.push(values);
        self.olds.push(old);
        if self.olds.len() >= JOB {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        if self.job.is_empty() {
            return Ok(());
        }
        let job = self.job.take();
        let olds = std::mem::take(&mut self.olds);
        let to = self.to.as_ref().ok_or_else(Self::gone)?;
        to.send((job, olds)).map_err(|_| Self::gone())?;
        self.in_flight += 1;
        Ok(())
    }

    /// Appends the lines of every row pushed so far, in the order they were pushed.
    fn collect(&mut self, into: &mut Vec<PendingLine>) -> Result<()> {
        self.send()?;
        while self.in_flight > 0 {
            into.extend(self.from.recv().map_err(|_| Self::gone())?);
            self.in_flight -= 1;
        }
        Ok(())
    }
}

impl Drop for Hasher {
    fn drop(&mut self) {
        self.to.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// An optional text column's value, as [`Bulk::row`] takes it.
pub fn optional_text(s: &Option<String>) -> ValueRef<'_> {
    s.as_deref()
        .map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes()))
}

/// How a [`Bulk`] writes its rows.
enum Write<'c> {
    /// Plain inserts, [`super::batch::ROWS`] rows to a statement.
    Insert(Batch<'c>),
    /// Upserts, one row to a statement (each reads the stored row first).
    Upsert(rusqlite::Statement<'c>),
}

/// The rowid SQLite gives the next row inserted without one: one past the largest rowid of
/// the table, or past the largest it ever gave for an `AUTOINCREMENT` table. A table whose
/// largest rowid is already the largest integer (SQLite would then pick one at random) is
/// refused.
fn next_rowid(conn: &Connection, table: &str) -> Result<i64> {
    let on = format!("main.{}", ident(table));
    let mut largest: i64 = conn.query_row(
        &format!("SELECT coalesce(max(rowid), 0) FROM {on}"),
        [],
        |r| r.get(0),
    )?;
    let sequence = conn
        .query_row(
            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if sequence {
        let given: Option<i64> = conn
            .query_row(
                "SELECT seq FROM main.sqlite_sequence WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .optional()?;
        largest = largest.max(given.unwrap_or(0));
    }
    largest
        .checked_add(1)
        .ok_or_else(|| StoreError::Corrupt(format!("批量写入表 {table}：行号已用尽")))
}

/// Lines a [`Bulk`] holds at least before it hands them over (see [`Bulk::chunk`]); small in
/// the unit tests, so that their batches span several.
const CHUNK: usize = if cfg!(test) { 64 } else { 4096 };

/// The `BEFORE INSERT` trigger that refuses a line written over a stored one (schema v10).
/// Lines filed in bulk are written by plain `INSERT`s, which a stored line's key already
/// refuses, so it is set aside while a run of them is filed (its look-up of every line: SQLite's
/// own copy of a 1M import's rows took 21.1 s with it, 18.7 s without; docs/benchmarks.md).
const GUARD: &str = "audit_rows_no_replace";

/// The `BEFORE INSERT` trigger that refuses `INSERT OR REPLACE` over a stored row of an
/// append-only table (schema v4: `<table>_no_replace`, a check of the table's own keys, "which
/// only a REPLACE can reach"). A batch of plain inserts sets it aside until the batch ends:
/// the batch writes by plain `INSERT`s, which a stored key refuses anyway, and no statement of
/// the program replaces a row (SQLite's own copy of a 100k draw run's rows took 1.96 s with
/// the four guards it writes past, 1.57 s without; docs/benchmarks.md).
fn guard_of(table: &str) -> String {
    format!("{table}_no_replace")
}

/// The SQL of the main schema's trigger `name`, if there is one.
fn guard_sql(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// The upsert of a line, as the triggers' statements merge them: a key already captured in
/// this event keeps its first `old` and takes the new `new`.
const LINE: &str = "INSERT INTO temp.ssj_changed (tbl, key, old, new) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (tbl, key) DO UPDATE SET new = excluded.new";

impl<'c> Bulk<'c> {
    /// Plain inserts of new rows of `table`, with values for `cols` (every column).
    pub fn insert(conn: &'c Connection, table: &str, cols: &[&str]) -> Result<Self> {
        Self::open(conn, table, cols, false)
    }

    /// Inserts that update the stored row of the same key instead (`ON CONFLICT DO UPDATE`
    /// of every other column), with values for `cols` (every column).
    pub fn upsert(conn: &'c Connection, table: &str, cols: &[&str]) -> Result<Self> {
        Self::open(conn, table, cols, true)
    }

    fn open(conn: &'c Connection, table: &str, cols: &[&str], upsert: bool) -> Result<Self> {
        let wrong = |why: String| StoreError::Corrupt(format!("批量写入表 {table}：{why}"));
        let strict: bool = conn
            .query_row(
                "SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| wrong("没有这张表".into()))?;
        let mut info =
            conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let declared: Vec<(String, String, i64)> = info
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut given: Vec<&str> = cols.to_vec();
        given.sort_unstable();
        let mut all: Vec<&str> = declared.iter().map(|(n, _, _)| n.as_str()).collect();
        all.sort_unstable();
        if given != all {
            return Err(wrong(format!("须给出每一列（表的列：{}）", all.join("、"))));
        }
        let at = |name: &str| cols.iter().position(|c| *c == name).unwrap_or(0);
        let mut pk: Vec<(i64, usize)> = declared
            .iter()
            .filter(|(_, _, pk)| *pk > 0)
            .map(|(n, _, pk)| (*pk, at(n)))
            .collect();
        pk.sort_unstable();
        let key: Vec<usize> = pk.into_iter().map(|(_, i)| i).collect();
        if key.is_empty() {
            return Err(wrong("没有声明主键".into()));
        }
        let affinity: Vec<Affinity> = cols
            .iter()
            .map(|c| {
                let (_, t, _) = declared.iter().find(|(n, _, _)| n == c).expect("checked");
                affinity(t, strict)
            })
            .collect();
        let rowid = match key[..] {
            [k] if declared
                .iter()
                .any(|(n, t, _)| n == cols[k] && t.eq_ignore_ascii_case("INTEGER")) =>
            {
                Some(k)
            }
            _ => None,
        };
        let on = format!("main.{}", ident(table));
        let names = cols.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ");
        let marks = (1..=cols.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let key_names = key
            .iter()
            .map(|&i| ident(cols[i]))
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!("INSERT INTO {on} ({names}) VALUES ({marks})");
        let stored = if upsert {
            let set = (0..cols.len())
                .filter(|i| !key.contains(i))
                .map(|i| format!("{c} = excluded.{c}", c = ident(cols[i])))
                .collect::<Vec<_>>()
                .join(", ");
            sql.push_str(&format!(" ON CONFLICT ({key_names}) DO UPDATE SET {set}"));
            let by = key
                .iter()
                .enumerate()
                .map(|(n, &i)| format!("{} = ?{}", ident(cols[i]), n + 1))
                .collect::<Vec<_>>()
                .join(" AND ");
            Some(conn.prepare(&format!("SELECT {names} FROM {on} WHERE {by}"))?)
        } else {
            None
        };
        let capture = capturing(conn)?;
        let mut triggers = Vec::new();
        if capture {
            conn.prepare_cached("INSERT INTO temp.ssj_quiet (tbl) VALUES (?1)")?
                .execute([table])?;
            // The table's capture triggers are set aside while the batch is written (put back
            // by `loud`; inside the transaction, so a rollback puts them back too): a row then
            // runs no trigger program, and its insert needs no statement journal.
            let mut stmt = conn.prepare(
                "SELECT name, sql FROM temp.sqlite_master WHERE type = 'trigger' \
                 AND tbl_name = ?1 AND name LIKE 'ssj_bind_%' ORDER BY name",
            )?;
            let found: Vec<(String, String)> = stmt
                .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            drop(stmt);
            for (name, sql) in found {
                conn.execute_batch(&format!("DROP TRIGGER temp.{};", ident(&name)))?;
                // `temp.sqlite_master` keeps the statement without its `TEMP`.
                let body = sql.strip_prefix("CREATE TRIGGER").unwrap_or(&sql);
                triggers.push(format!("CREATE TEMP TRIGGER{body}"));
            }
        }
        let write = if upsert {
            Write::Upsert(conn.prepare(&sql)?)
        } else {
            let marks = vec!["?"; cols.len()].join(", ");
            Write::Insert(Batch::new(
                conn,
                format!("INSERT INTO {on} ({names}) VALUES"),
                format!("({marks})"),
                cols.len(),
            ))
        };
        let next_rowid = match (upsert, rowid) {
            (false, Some(_)) => next_rowid(conn, table)?,
            _ => 0,
        };
        let direct = match (capture, upsert) {
            (true, false) => direct_to(conn, table)?,
            _ => None,
        };
        let (line, filed) = match (capture, direct) {
            (false, _) => (None, None),
            (true, None) => (Some(conn.prepare(LINE)?), None),
            (true, Some(seq)) => (
                None,
                Some((
                    seq,
                    Batch::new(
                        conn,
                        "INSERT INTO audit_rows (seq, tbl, key, old, new) VALUES".into(),
                        "(?, ?, ?, NULL, ?)".into(),
                        4,
                    ),
                )),
            ),
        };
        let guard = match &filed {
            Some(_) => guard_sql(conn, GUARD)?,
            None => None,
        };
        let table_guard = match (capture, &write) {
            (true, Write::Insert(_)) => guard_sql(conn, &guard_of(table))?,
            _ => None,
        };
        if table_guard.is_some() {
            conn.execute_batch(&format!("DROP TRIGGER main.{};", ident(&guard_of(table))))?;
        }
        let hasher = if capture {
            Hasher::start(
                table,
                cols.iter().map(|c| c.to_string()).collect(),
                key.clone(),
            )
        } else {
            None
        };
        Ok(Bulk {
            conn,
            table: table.to_string(),
            cols: cols.iter().map(|c| c.to_string()).collect(),
            affinity,
            key,
            rowid,
            write,
            next_rowid,
            stored,
            line,
            filed,
            lines: Vec::new(),
            written: 0,
            total: 0,
            hasher,
            quiet: capture,
            triggers,
            guard,
            guard_down: false,
            table_guard,
        })
    }

    /// Refuses a row of the wrong width or with a value its column would convert.
    fn admit(&self, values: &[ValueRef<'_>]) -> Result<()> {
        if values.len() != self.cols.len() {
            return Err(StoreError::Corrupt(format!(
                "批量写入表 {}：每行须有 {} 个值",
                self.table,
                self.cols.len()
            )));
        }
        for ((value, affinity), col) in values.iter().zip(&self.affinity).zip(&self.cols) {
            if !stored_as_bound(*affinity, *value) {
                return Err(StoreError::Corrupt(format!(
                    "批量写入表 {}：列 {col} 的值类型（{:?}）与列的类型不符",
                    self.table,
                    value.data_type()
                )));
            }
        }
        Ok(())
    }

    /// [`Bulk::row`] for a plain insert into a table not keyed by its rowid, whose values are
    /// let go as soon as SQLite has copied them: a draw's preparation or record, tens of
    /// megabytes in a large county, is then not held twice while it is written.
    pub fn row_owned(&mut self, values: Vec<rusqlite::types::Value>) -> Result<()> {
        let refs: Vec<ValueRef<'_>> = values.iter().map(ValueRef::from).collect();
        self.admit(&refs)?;
        if !matches!(self.write, Write::Insert(_)) || self.rowid.is_some() {
            return Err(StoreError::Corrupt(format!(
                "批量写入表 {}：整行交出的写入只用于不以行号为主键的插入",
                self.table
            )));
        }
        // The line from the values as they will be bound (hashed here, not copied).
        self.add_line(&refs, None, true)?;
        drop(refs);
        if let Write::Insert(batch) = &mut self.write {
            batch.write_owned(values)?;
        }
        self.after_row()
    }

    /// Writes one row (`values` in the order of the columns given) and hands over its line;
    /// returns the row's rowid (for an upsert that updated, the stored row's is not given;
    /// for plain inserts into a table not keyed by its rowid, 0).
    ///
    /// Plain inserts are written [`super::batch::ROWS`] at a time: a row refused by the
    /// table (a key stored already) fails a later call or [`Bulk::finish`], and the
    /// transaction with it.
    pub fn row(&mut self, values: &[ValueRef<'_>]) -> Result<i64> {
        self.admit(values)?;
        let old = match (&mut self.stored, &self.line) {
            (Some(stored), Some(_)) => {
                let keys: Vec<ValueRef<'_>> = self.key.iter().map(|&i| values[i]).collect();
                let mut rows = stored.query(rusqlite::params_from_iter(
                    keys.into_iter().map(ToSqlOutput::Borrowed),
                ))?;
                match rows.next()? {
                    Some(r) => {
                        let mut cols: Vec<(&str, ValueRef<'_>)> = Vec::with_capacity(values.len());
                        for (i, name) in self.cols.iter().enumerate() {
                            cols.push((name.as_str(), r.get_ref(i)?));
                        }
                        Some(row_digest(&self.table, &mut cols))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let mut cols: Vec<(&str, ValueRef<'_>)> = self
            .cols
            .iter()
            .map(String::as_str)
            .zip(values.iter().copied())
            .collect();
        let rowid = match &mut self.write {
            Write::Upsert(write) => {
                write.execute(rusqlite::params_from_iter(
                    values.iter().map(|v| ToSqlOutput::Borrowed(*v)),
                ))?;
                let rowid = self.conn.last_insert_rowid();
                if let Some(i) = self.rowid
                    && matches!(cols[i].1, ValueRef::Null)
                {
                    cols[i].1 = ValueRef::Integer(rowid);
                }
                rowid
            }
            Write::Insert(_) => {
                // The rowid is given here, as SQLite would choose it, since the row is
                // written later.
                let rowid = match self.rowid.map(|i| (i, cols[i].1)) {
                    Some((i, ValueRef::Null)) => {
                        let id = self.next_rowid;
                        cols[i].1 = ValueRef::Integer(id);
                        id
                    }
                    Some((_, ValueRef::Integer(id))) => id,
                    _ => 0,
                };
                if self.rowid.is_some() {
                    self.next_rowid =
                        self.next_rowid.max(rowid).checked_add(1).ok_or_else(|| {
                            StoreError::Corrupt(format!("批量写入表 {}：行号已用尽", self.table))
                        })?;
                }
                rowid
            }
        };
        // The values as stored: the rowid given in place of a NULL.
        let given: Vec<ValueRef<'_>> = cols.iter().map(|c| c.1).collect();
        if let Write::Insert(batch) = &mut self.write {
            batch.push(&given)?;
        }
        self.add_line(
            &given,
            old,
            super::batch::bytes(&given) > super::batch::LARGE,
        )?;
        self.after_row()?;
        Ok(rowid)
    }

    /// Whether the rows' lines are handed over (this connection captures).
    fn binds(&self) -> bool {
        self.line.is_some() || self.filed.is_some()
    }

    /// The line of a row written with `values` (as stored): computed on the helper thread,
    /// or here for a row not worth copying (`here`), after the lines before it so that they
    /// stay in write order.
    fn add_line(
        &mut self,
        values: &[ValueRef<'_>],
        old: Option<[u8; DIGEST]>,
        here: bool,
    ) -> Result<()> {
        if !self.binds() {
            return Ok(());
        }
        match &mut self.hasher {
            Some(hasher) if !here => hasher.push(values, old)?,
            hasher => {
                if let Some(hasher) = hasher {
                    hasher.collect(&mut self.lines)?;
                }
                let mut cols: Vec<(&str, ValueRef<'_>)> = self
                    .cols
                    .iter()
                    .map(String::as_str)
                    .zip(values.iter().copied())
                    .collect();
                self.lines
                    .push(line_of(&self.table, &mut cols, &self.key, old));
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Hands the lines over once a run of them is complete (see [`Bulk::chunk`]).
    fn after_row(&mut self) -> Result<()> {
        if self.written >= self.chunk() {
            self.hand_over()?;
        }
        Ok(())
    }

    /// How many rows' lines are handed over at a time: [`CHUNK`], and a sixteenth of the rows
    /// written so far once that is more. Each hand-over sweeps the key order of the lines
    /// stored before it, so a batch of a million rows hands over fewer, longer sorted runs
    /// (measured: a 1M import 24 s -> 19 s), with memory that grows only with the batch.
    fn chunk(&self) -> usize {
        CHUNK.max(self.total / 16)
    }

    /// Hands the lines held to the capture table, in key order; a key written twice keeps
    /// its writes' order (the sort is stable), so the lines merge as the triggers' would.
    fn hand_over(&mut self) -> Result<()> {
        if let Some(hasher) = &mut self.hasher {
            hasher.collect(&mut self.lines)?;
        }
        self.total += self.written;
        self.written = 0;
        self.lines.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some((seq, filed)) = &mut self.filed {
            let seq = *seq;
            // The event must still be held: once sealed, its list is closed.
            if held(self.conn)? != Some(seq) {
                return Err(StoreError::Corrupt(format!(
                    "批量写入表 {}：第{seq}条审计事件在这批记录行写完之前已封存（程序错误，请报告）",
                    self.table
                )));
            }
            let seq = i64::try_from(seq)
                .map_err(|_| StoreError::Corrupt(format!("审计事件序号 {seq} 过大")))?;
            if self.lines.is_empty() {
                return Ok(());
            }
            if self.guard.is_some() {
                self.conn
                    .execute_batch(&format!("DROP TRIGGER main.{GUARD};"))?;
                self.guard_down = true;
            }
            let table = self.table.as_bytes();
            let filing = self.lines.drain(..).try_for_each(|(key, _, blob)| {
                filed.push(&[
                    ValueRef::Integer(seq),
                    ValueRef::Text(table),
                    ValueRef::Text(key.as_bytes()),
                    ValueRef::Blob(&blob),
                ])
            });
            let filing = filing.and_then(|()| filed.flush());
            let restored = self.raise_guard();
            return filing.and(restored);
        }
        let Some(line) = &mut self.line else {
            return Ok(());
        };
        for (key, old, blob) in self.lines.drain(..) {
            line.execute(rusqlite::params![
                self.table,
                key,
                old.as_ref().map(|d| &d[..]),
                blob
            ])?;
        }
        Ok(())
    }

    /// Puts `audit_rows_no_replace` back if it is set aside.
    fn raise_guard(&mut self) -> Result<()> {
        if let (true, Some(sql)) = (self.guard_down, &self.guard) {
            self.conn.execute_batch(sql)?;
            self.guard_down = false;
        }
        Ok(())
    }

    /// Ends the batch: the lines held are handed over and the table's writes are captured by
    /// its triggers again.
    pub fn finish(mut self) -> Result<()> {
        self.loud()
    }

    /// Hands over the lines held, then makes the table loud. A table whose lines could not
    /// all be handed over stays quiet, so that its transaction is refused.
    fn loud(&mut self) -> Result<()> {
        if let Write::Insert(batch) = &mut self.write {
            batch.flush()?;
        }
        self.hand_over()?;
        // A guard left down (by a failed run of lines, or the table's own) keeps the table
        // quiet, so that its transaction is refused.
        self.raise_guard()?;
        if let Some(sql) = &self.table_guard {
            self.conn.execute_batch(sql)?;
            self.table_guard = None;
        }
        if self.quiet {
            for sql in std::mem::take(&mut self.triggers) {
                self.conn.execute_batch(&sql)?;
            }
            self.quiet = false;
            self.conn
                .prepare_cached("DELETE FROM temp.ssj_quiet WHERE tbl = ?1")?
                .execute([&self.table])?;
        }
        Ok(())
    }
}

impl Drop for Bulk<'_> {
    fn drop(&mut self) {
        // An error here leaves the table quiet, which the end of the transaction refuses.
        let rows_written = match &self.write {
            Write::Insert(batch) => batch.held() == 0,
            Write::Upsert(_) => true,
        };
        if self.lines.is_empty() && self.written == 0 && rows_written {
            let _ = self.loud();
        }
    }
}

/// The event held on this connection (appended, not yet sealed), if any.
pub(crate) fn held(conn: &Connection) -> Result<Option<u64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM temp.ssj_event")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// Where a batch of plain inserts into `table` can file its lines straight away: under the
/// held event, when one is held and none of its captured lines is of this table.
fn direct_to(conn: &Connection, table: &str) -> Result<Option<u64>> {
    let Some(seq) = held(conn)? else {
        return Ok(None);
    };
    let captured = conn
        .prepare_cached("SELECT 1 FROM temp.ssj_changed WHERE tbl = ?1 LIMIT 1")?
        .query_row([table], |_| Ok(()))
        .optional()?
        .is_some();
    Ok((!captured).then_some(seq))
}

/// What an event binds: how many rows, and the SHA-256 of their list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub n: u64,
    pub sha256: String,
}

/// The captured rows that changed, in list order (only those whose digest changed).
const PENDING: &str = "SELECT tbl, key, old, new FROM temp.ssj_changed \
     WHERE old IS NOT substr(new, 1, 32) ORDER BY tbl, key";

/// One line of an event's row list.
struct Line {
    tbl: String,
    key: String,
    old: Option<Vec<u8>>,
    new: Option<Vec<u8>>,
}

fn list_hasher() -> Sha256 {
    let mut h = Sha256::new();
    h.update(LABEL_LIST);
    h
}

fn hash_line(h: &mut Sha256, line: &Line) {
    put(h, line.tbl.as_bytes());
    put(h, line.key.as_bytes());
    for part in [&line.old, &line.new] {
        match part {
            None => h.update([0]),
            Some(b) => {
                h.update([1]);
                put(h, b);
            }
        }
    }
}

fn line(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<Line> {
    Ok(Line {
        tbl: r.get(from)?,
        key: r.get(from + 1)?,
        old: r.get(from + 2)?,
        new: r.get(from + 3)?,
    })
}

/// Whether this connection holds events until their rows are written (once [`install`] ran).
pub fn holds_events(conn: &Connection) -> Result<bool> {
    capturing(conn)
}

/// Whether this connection captures rows (it does once [`install`] ran).
fn capturing(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM temp.sqlite_master WHERE name = 'ssj_changed'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The rows of event `seq`, if any changed: those captured since the last event, and those
/// a bulk write filed under it already ([`Bulk`]), merged in list order. A row in both (a
/// bulk-written row written again by the same event) is refused: its filed line can no
/// longer be merged.
pub fn pending(conn: &Connection, seq: u64) -> Result<Option<Bound>> {
    if !capturing(conn)? {
        return Ok(None);
    }
    let mut filed_stmt = conn.prepare_cached(
        "SELECT tbl, key, old, new FROM audit_rows WHERE seq = ?1 ORDER BY tbl, key",
    )?;
    let mut captured_stmt = conn.prepare_cached(PENDING)?;
    let mut filed = filed_stmt.query([seq])?;
    let mut captured = captured_stmt.query([])?;
    let next = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<Line>> {
        Ok(rows.next()?.map(|r| line(r, 0)).transpose()?)
    };
    let (mut a, mut b) = (next(&mut filed)?, next(&mut captured)?);
    let mut h = list_hasher();
    let mut n = 0;
    loop {
        // The one of the two next lines that comes first in list order (table, key).
        let filed_first = match (&a, &b) {
            (None, None) => break,
            (Some(x), Some(y)) if (&x.tbl, &x.key) == (&y.tbl, &y.key) => {
                return Err(StoreError::Corrupt(format!(
                    "表 {} 中批量写入的记录行在同一审计事件中又被改写（程序错误，请报告）",
                    x.tbl
                )));
            }
            (Some(x), Some(y)) => (&x.tbl, &x.key) < (&y.tbl, &y.key),
            (x, _) => x.is_some(),
        };
        let (line, rows) = if filed_first {
            (&mut a, &mut filed)
        } else {
            (&mut b, &mut captured)
        };
        hash_line(&mut h, line.as_ref().expect("matched above"));
        *line = next(rows)?;
        n += 1;
    }
    Ok((n > 0).then(|| Bound {
        n,
        sha256: hex::encode(h.finalize()),
    }))
}

/// Moves the captured rows under event `seq` (after the event is written).
pub fn settle(conn: &Connection, seq: u64, bound: bool) -> Result<()> {
    if !capturing(conn)? {
        return Ok(());
    }
    if bound {
        conn.prepare_cached(
            "INSERT INTO audit_rows (seq, tbl, key, old, new) SELECT ?1, tbl, key, old, new \
             FROM temp.ssj_changed WHERE old IS NOT substr(new, 1, 32) ORDER BY tbl, key",
        )?
        .execute([seq])?;
    }
    conn.prepare_cached("DELETE FROM temp.ssj_changed")?
        .execute([])?;
    Ok(())
}

/// The tables of rows written since the last event (a transaction must not end with any),
/// and those a bulk write left quiet (its rows would not all have been captured).
pub fn unlogged(conn: &Connection) -> Result<Vec<String>> {
    if !capturing(conn)? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT tbl FROM temp.ssj_changed WHERE old IS NOT substr(new, 1, 32) \
         UNION SELECT tbl FROM temp.ssj_quiet ORDER BY tbl",
    )?;
    let tables = stmt.query_map([], |r| r.get(0))?;
    Ok(tables.collect::<rusqlite::Result<_>>()?)
}

/// An event's detail with its rows' count and digest added.
pub fn with_bound(detail: &str, bound: &Bound) -> String {
    let mark = serde_json::json!({ "n": bound.n, "sha256": bound.sha256 });
    let value = match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.insert(DETAIL_KEY.to_string(), mark);
            serde_json::Value::Object(map)
        }
        Ok(other) => serde_json::json!({ DETAIL_KEY: mark, "detail": other }),
        Err(_) => serde_json::json!({ DETAIL_KEY: mark, "text": detail }),
    };
    super::value_json(&value)
}

/// The `bound` an event's detail claims.
fn claimed(detail: &str) -> Option<Bound> {
    if !detail.contains("\"bound\":") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(detail).ok()?;
    let mark = value.get(DETAIL_KEY)?;
    Some(Bound {
        n: mark.get("n")?.as_u64()?,
        sha256: mark.get("sha256")?.as_str()?.to_string(),
    })
}

/// Something in the tables that the log does not account for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind")]
pub enum RowProblem {
    /// The row list stored for event `seq` is not the one its detail names.
    ListAltered { seq: u64 },
    /// Event `seq` replaced or deleted a row that was not as the log had left it.
    ChangedBefore {
        seq: u64,
        table: String,
        key: String,
        fields: Vec<String>,
    },
    /// A row differs from what event `seq`, the last to write it, recorded.
    Edited {
        seq: u64,
        table: String,
        key: String,
        fields: Vec<String>,
    },
    /// A row that no event wrote.
    Forged { table: String, key: String },
    /// A row that event `seq` wrote, and no later event removed, is gone.
    Deleted {
        seq: u64,
        table: String,
        key: String,
    },
    /// A row found changed or gone outside the log when event `seq` re-bound the tables
    /// (after an upgrade); it stays reported.
    FoundAtRebind {
        seq: u64,
        table: String,
        key: String,
    },
}

/// Tables whose keys say who sits on which team: before the visits start, that is the drawn
/// list itself.
pub const CONFIDENTIAL_KEYS: &[&str] = &["visit_team"];

impl RowProblem {
    /// Replaces the row's key with a placeholder when it belongs to a table whose keys are
    /// confidential ([`CONFIDENTIAL_KEYS`]), for a viewer who may not see drawn lists.
    pub fn hide_key(&mut self) {
        match self {
            RowProblem::ListAltered { .. } => {}
            RowProblem::ChangedBefore { table, key, .. }
            | RowProblem::Edited { table, key, .. }
            | RowProblem::Forged { table, key }
            | RowProblem::Deleted { table, key, .. }
            | RowProblem::FoundAtRebind { table, key, .. } => {
                if CONFIDENTIAL_KEYS.contains(&table.as_str()) {
                    *key = "（不显示）".to_string();
                }
            }
        }
    }
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields = |fields: &[String]| {
            if fields.is_empty() {
                String::new()
            } else {
                format!("（字段 {}）", fields.join("、"))
            }
        };
        match self {
            RowProblem::ListAltered { seq } => {
                write!(
                    f,
                    "第{seq}条事件的记录行摘要与其所记不符（audit_rows 被改动）"
                )
            }
            RowProblem::ChangedBefore {
                seq,
                table,
                key,
                fields: fs,
            } => write!(
                f,
                "表 {table} 主键 {key}：第{seq}条事件改写它之前，它已在日志之外被改动{}",
                fields(fs)
            ),
            RowProblem::Edited {
                seq,
                table,
                key,
                fields: fs,
            } => write!(
                f,
                "表 {table} 主键 {key}：与第{seq}条事件所记不符，在日志之外被改动{}",
                fields(fs)
            ),
            RowProblem::Forged { table, key } => {
                write!(f, "表 {table} 主键 {key}：没有任何事件写入过这一行（伪造）")
            }
            RowProblem::Deleted { seq, table, key } => write!(
                f,
                "表 {table} 主键 {key}：第{seq}条事件写入的这一行不见了（在日志之外被删除）"
            ),
            RowProblem::FoundAtRebind { seq, table, key } => write!(
                f,
                "表 {table} 主键 {key}：第{seq}条事件（升级后重新登记）时发现它已在日志之外被改动或删除"
            ),
        }
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BindingCheck {
    /// Record tables checked.
    pub tables: usize,
    /// Rows checked.
    pub rows: u64,
    /// Events that bind rows.
    pub events: u64,
    /// The first problems found (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<RowProblem>,
    /// How many problems in all.
    pub total: u64,
}

/// The most problems a check lists (the total is always counted).
pub const MAX_PROBLEMS: usize = 200;

/// The last state of each bound row: table → key → (event, stored blob).
type State = HashMap<String, HashMap<String, (u64, Vec<u8>)>>;

/// Names the fields whose fingerprints differ between a stored blob and a row.
fn differing(stored: &[u8], cols: &mut [(&str, ValueRef<'_>)]) -> Vec<String> {
    let known: HashSet<&[u8]> = stored
        .get(DIGEST..)
        .unwrap_or_default()
        .chunks(FP)
        .collect();
    cols.sort_by(|a, b| a.0.cmp(b.0));
    cols.iter()
        .filter(|(name, value)| !known.contains(&fingerprint(name, *value)[..]))
        .map(|(name, _)| name.to_string())
        .collect()
}

struct Collector {
    problems: Vec<RowProblem>,
    total: u64,
}

impl Collector {
    fn push(&mut self, p: RowProblem) {
        self.total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }
}

/// Replays every event's row list into the state it leaves.
fn replay(conn: &Connection, out: &mut Collector) -> Result<(State, u64)> {
    let mut state: State = HashMap::new();
    let mut events = conn.prepare("SELECT seq, detail, action FROM audit_log ORDER BY seq")?;
    let mut events = events.query([])?;
    let mut lines =
        conn.prepare("SELECT seq, tbl, key, old, new FROM audit_rows ORDER BY seq, tbl, key")?;
    let mut lines = lines.query([])?;
    let mut next: Option<(u64, Line)> = match lines.next()? {
        Some(r) => Some((r.get(0)?, line(r, 1)?)),
        None => None,
    };
    let mut binding = 0;
    while let Some(e) = events.next()? {
        let seq: u64 = e.get(0)?;
        let detail: String = e.get(1)?;
        let rebinding = matches!(
            e.get_ref(2)?.as_str().unwrap_or_default(),
            BASELINE | REBIND
        );
        // Lines filed under an earlier number that has no event are counted with this one.
        let mut h = list_hasher();
        let mut n = 0;
        while let Some((at, l)) = next.take_if(|(at, _)| *at <= seq) {
            hash_line(&mut h, &l);
            n += 1;
            if rebinding && l.old.is_some() {
                out.push(RowProblem::FoundAtRebind {
                    seq: at,
                    table: l.tbl.clone(),
                    key: l.key.clone(),
                });
            }
            apply(&mut state, at, l, out);
            next = match lines.next()? {
                Some(r) => Some((r.get(0)?, line(r, 1)?)),
                None => None,
            };
        }
        let claim = claimed(&detail);
        if claim.is_some() {
            binding += 1;
        }
        let found = (n > 0).then(|| Bound {
            n,
            sha256: hex::encode(h.finalize()),
        });
        if claim != found {
            out.push(RowProblem::ListAltered { seq });
        }
    }
    // Lines under a number past the log's end.
    while let Some((seq, l)) = next.take() {
        out.push(RowProblem::ListAltered { seq });
        apply(&mut state, seq, l, out);
        next = match lines.next()? {
            Some(r) => Some((r.get(0)?, line(r, 1)?)),
            None => None,
        };
    }
    Ok((state, binding))
}

/// Applies one line of an event's list to the state, noting a replaced row the log did not
/// leave so.
fn apply(state: &mut State, seq: u64, l: Line, out: &mut Collector) {
    let table = state.entry(l.tbl.clone()).or_default();
    let before = table.get(&l.key);
    let as_logged = match (&l.old, before) {
        (None, None) => true,
        (Some(old), Some((_, blob))) => old.get(..DIGEST) == blob.get(..DIGEST),
        _ => false,
    };
    if !as_logged {
        out.push(RowProblem::ChangedBefore {
            seq,
            table: l.tbl.clone(),
            key: l.key.clone(),
            fields: Vec::new(),
        });
    }
    match l.new {
        Some(blob) => {
            table.insert(l.key, (seq, blob));
        }
        None => {
            table.remove(&l.key);
        }
    }
}

/// Reads every row of a table as (key, blob, column values), calling `each` per row.
fn scan(
    conn: &Connection,
    shape: &Shape,
    mut each: impl FnMut(String, &mut [(&str, ValueRef<'_>)]),
) -> Result<()> {
    let cols = shape
        .cols
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT rowid, {cols} FROM main.{}", ident(&shape.name));
    // A WITHOUT ROWID table has no rowid; it always has a declared key.
    let sql = if shape.key.is_empty() {
        sql
    } else {
        format!("SELECT NULL, {cols} FROM main.{}", ident(&shape.name))
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let values: Vec<ValueRef<'_>> = (0..=shape.cols.len())
            .map(|i| r.get_ref(i))
            .collect::<rusqlite::Result<_>>()?;
        let key = if shape.key.is_empty() {
            key_text(&values[..1])
        } else {
            let k: Vec<ValueRef<'_>> = shape.key.iter().map(|&i| values[i + 1]).collect();
            key_text(&k)
        };
        let mut cols: Vec<(&str, ValueRef<'_>)> = shape
            .cols
            .iter()
            .map(String::as_str)
            .zip(values[1..].iter().copied())
            .collect();
        each(key, &mut cols);
    }
    Ok(())
}

/// Checks every record table against the log.
pub fn check(conn: &Connection) -> Result<BindingCheck> {
    let mut out = Collector {
        problems: Vec::new(),
        total: 0,
    };
    let (mut state, events) = replay(conn, &mut out)?;
    let shapes = shapes(conn)?;
    let mut rows = 0;
    for shape in &shapes {
        let mut logged = state.remove(&shape.name).unwrap_or_default();
        scan(conn, shape, |key, cols| {
            rows += 1;
            let digest = row_digest(&shape.name, cols);
            match logged.remove(&key) {
                None => out.push(RowProblem::Forged {
                    table: shape.name.clone(),
                    key,
                }),
                Some((seq, stored)) if stored.get(..DIGEST) != Some(&digest[..]) => {
                    out.push(RowProblem::Edited {
                        seq,
                        table: shape.name.clone(),
                        key,
                        fields: differing(&stored, cols),
                    })
                }
                Some(_) => {}
            }
        })?;
        let mut gone: Vec<_> = logged.into_iter().collect();
        gone.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, (seq, _)) in gone {
            out.push(RowProblem::Deleted {
                seq,
                table: shape.name.clone(),
                key,
            });
        }
    }
    // Tables the log has rows of but the database no longer has.
    let mut dropped: Vec<_> = state.into_iter().collect();
    dropped.sort_by(|a, b| a.0.cmp(&b.0));
    for (table, keys) in dropped {
        let mut keys: Vec<_> = keys.into_iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, (seq, _)) in keys {
            out.push(RowProblem::Deleted {
                seq,
                table: table.clone(),
                key,
            });
        }
    }
    Ok(BindingCheck {
        tables: shapes.len(),
        rows,
        events,
        problems: out.problems,
        total: out.total,
    })
}

/// Binds the rows the log does not account for, after a migration (or on a database made
/// before rows were bound): rows no event wrote are bound as found. Rows that differ from
/// what the log recorded, or that it recorded and are gone, are bound too (the database must
/// stay usable), but as lines whose `old` is the logged digest, so that [`check`] keeps
/// reporting them: see `unlogged` in the event's detail.
pub fn rebind(conn: &Connection, at: &str, schema: i64) -> Result<()> {
    let mut ignored = Collector {
        problems: Vec::new(),
        total: 0,
    };
    let first = conn
        .query_row("SELECT 1 FROM audit_rows LIMIT 1", [], |_| Ok(()))
        .optional()?
        .is_none();
    let (mut state, _) = replay(conn, &mut ignored)?;
    let mut lines: Vec<Line> = Vec::new();
    let mut unlogged = 0u64;
    for shape in shapes(conn)? {
        let mut logged = state.remove(&shape.name).unwrap_or_default();
        scan(conn, &shape, |key, cols| {
            let digest = row_digest(&shape.name, cols);
            match logged.remove(&key) {
                None => lines.push(Line {
                    tbl: shape.name.clone(),
                    key,
                    old: None,
                    new: Some(row_blob(&shape.name, cols)),
                }),
                Some((_, stored)) if stored.get(..DIGEST) != Some(&digest[..]) => {
                    unlogged += 1;
                    lines.push(Line {
                        tbl: shape.name.clone(),
                        key,
                        old: Some(stored[..DIGEST].to_vec()),
                        new: Some(row_blob(&shape.name, cols)),
                    })
                }
                Some(_) => {}
            }
        })?;
        for (key, (_, stored)) in logged {
            unlogged += 1;
            lines.push(Line {
                tbl: shape.name.clone(),
                key,
                old: Some(stored[..DIGEST].to_vec()),
                new: None,
            });
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare(
        "INSERT INTO temp.ssj_changed (tbl, key, old, new) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (tbl, key) DO UPDATE SET new = excluded.new",
    )?;
    for l in &lines {
        insert.execute(rusqlite::params![l.tbl, l.key, l.old, l.new])?;
    }
    let action = if first { BASELINE } else { REBIND };
    let detail = super::to_json(&serde_json::json!({
        "schema": schema,
        "rows": lines.len(),
        "unlogged": unlogged,
    }));
    super::audit::append(conn, at, SYSTEM, action, "", &detail)?;
    Ok(())
}

/// The refusal when a transaction wrote rows without an event.
pub fn unlogged_error(tables: &[String]) -> StoreError {
    StoreError::Corrupt(format!(
        "写入的记录行（表 {}）没有对应的审计事件，本次写入已撤销（程序错误，请报告）",
        tables.join("、")
    ))
}

/// One line of `audit_rows`: seq, table, key, old, new.
#[cfg(test)]
pub(crate) type Line5 = (u64, String, String, Option<Vec<u8>>, Option<Vec<u8>>);

/// What writes left in the log: every event's seq, action and detail, every row line.
#[cfg(test)]
pub(crate) type Logged = (Vec<(u64, String, String)>, Vec<Line5>);

#[cfg(test)]
pub(crate) fn logged(conn: &Connection) -> Logged {
    let events = conn
        .prepare("SELECT seq, action, detail FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let lines = conn
        .prepare("SELECT seq, tbl, key, old, new FROM audit_rows ORDER BY seq, tbl, key")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    (events, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store() -> Store {
        let mut store = Store::in_memory().unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES ('a', '1'), ('b', '2')",
                    [],
                )?;
                crate::store::audit::append(tx, "t", "li", "settings.set", "a", "{}")?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        store
    }

    /// Rows of two tables (a rowid key given as NULL, a composite key; columns of every
    /// affinity, NULLs) written by plain SQL through the triggers, or by [`Bulk`]: the same
    /// lines and the same `bound`, with a row written twice in one event and an upsert.
    fn bulk_or_triggers(bulk: bool) -> Logged {
        let mut store = Store::in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "CREATE TABLE t_visit (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INT, \
                 x REAL, raw BLOB, any_of) ;\n\
                 CREATE TABLE t_seat (visit INTEGER NOT NULL, who TEXT NOT NULL, lead INTEGER NOT NULL, \
                 PRIMARY KEY (visit, who)) STRICT;",
            )
            .unwrap();
        install(store.conn()).unwrap();
        let visit_cols = ["id", "name", "n", "x", "raw", "any_of"];
        store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "x.bulk", "", "{}")?;
                let mut v = bulk.then(|| Bulk::insert(tx, "t_visit", &visit_cols)).transpose()?;
                let mut s = bulk.then(|| Bulk::upsert(tx, "t_seat", &["who", "visit", "lead"])).transpose()?;
                for i in 0..50i64 {
                    let name = format!("v{}", (i * 37) % 50);
                    let raw = [i as u8; 3];
                    let row = [
                        ValueRef::Null,
                        ValueRef::Text(name.as_bytes()),
                        if i % 3 == 0 { ValueRef::Null } else { ValueRef::Integer(i) },
                        ValueRef::Real(i as f64 / 4.0),
                        ValueRef::Blob(&raw),
                        ValueRef::Text(b"12"),
                    ];
                    let id = match &mut v {
                        Some(v) => v.row(&row)?,
                        None => {
                            tx.execute(
                                "INSERT INTO t_visit (id, name, n, x, raw, any_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                rusqlite::params_from_iter(row.iter().map(|v| ToSqlOutput::Borrowed(*v))),
                            )?;
                            tx.last_insert_rowid()
                        }
                    };
                    // Each seat twice: the second write of the key updates it.
                    for lead in [0, i % 2] {
                        let who = format!("p{}", i % 7);
                        let seat = [ValueRef::Text(who.as_bytes()), ValueRef::Integer(id), ValueRef::Integer(lead)];
                        match &mut s {
                            Some(s) => {
                                s.row(&seat)?;
                            }
                            None => {
                                tx.execute(
                                    "INSERT INTO t_seat (who, visit, lead) VALUES (?1, ?2, ?3) \
                                     ON CONFLICT (visit, who) DO UPDATE SET lead = excluded.lead",
                                    rusqlite::params_from_iter(seat.iter().map(|v| ToSqlOutput::Borrowed(*v))),
                                )?;
                            }
                        }
                    }
                }
                if let (Some(v), Some(s)) = (v, s) {
                    v.finish()?;
                    s.finish()?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let check = check(store.conn()).unwrap();
        assert_eq!(check.total, 0, "{:?}", check.problems);
        logged(store.conn())
    }

    #[test]
    fn bulk_rows_of_any_key_and_affinity_bind_as_the_triggers_do() {
        let (a, b) = (bulk_or_triggers(false), bulk_or_triggers(true));
        assert!(a.1.iter().filter(|l| l.1 == "t_visit").count() == 50);
        assert!(a.1.iter().any(|l| l.1 == "t_seat" && l.2.starts_with('[')));
        assert_eq!(a, b);
    }

    fn capture_triggers(conn: &Connection) -> Vec<String> {
        conn.prepare(
            "SELECT sql FROM temp.sqlite_master WHERE name LIKE 'ssj_bind_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    fn settings_bulk(tx: &Connection, keys: &[&str]) -> Result<()> {
        let mut b = Bulk::insert(tx, "settings", &["key", "value"])?;
        for k in keys {
            b.row(&[ValueRef::Text(k.as_bytes()), ValueRef::Text(b"v")])?;
        }
        b.finish()
    }

    /// A bulk batch files its lines under the held event as it goes; whatever would leave
    /// that event's list other than it is refused, and the transaction with it.
    #[test]
    fn lines_filed_in_bulk_cannot_be_left_outside_their_event() {
        let mut store = store();
        let before = logged(store.conn());
        let triggers = capture_triggers(store.conn());
        // A row written in bulk and written again by the same event.
        let err = store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                settings_bulk(tx, &["k1", "k2"])?;
                tx.execute("UPDATE settings SET value = 'w' WHERE key = 'k1'", [])?;
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("又被改写"), "{err}");
        // The event sealed (by the next one) before the batch handed its lines over.
        let err = store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                let mut b = Bulk::insert(tx, "settings", &["key", "value"])?;
                b.row(&[ValueRef::Text(b"k3"), ValueRef::Text(b"v")])?;
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                b.finish()?;
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("已封存"), "{err}");
        // The event dropped after its rows were filed.
        let err = store
            .write(|tx| {
                let ev = crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                settings_bulk(tx, &["k4"])?;
                crate::store::audit::drop_held(tx, ev.seq)?;
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("不能撤下"), "{err}");
        // Nothing of the three was kept, and the capture triggers are as they were.
        assert_eq!(logged(store.conn()), before);
        assert_eq!(capture_triggers(store.conn()), triggers);
        // A batch that finishes: its lines are the event's, the table is captured again
        // (a later row in the same transaction is the next event's), and the check passes.
        store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                settings_bulk(tx, &["k5", "k6"])?;
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                tx.execute("UPDATE settings SET value = 'w' WHERE key = 'k5'", [])?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(capture_triggers(store.conn()), triggers);
        let (events, lines) = logged(store.conn());
        let last = events.last().unwrap().0;
        let keys = |seq: u64| -> Vec<&str> {
            lines
                .iter()
                .filter(|l| l.0 == seq)
                .map(|l| l.2.as_str())
                .collect()
        };
        assert_eq!(keys(last - 1), ["k5", "k6"]);
        assert_eq!(keys(last), ["k5"]);
        assert_eq!(check(store.conn()).unwrap().total, 0);
    }

    fn lines_guard(conn: &Connection) -> Option<String> {
        guard_sql(conn, GUARD).unwrap()
    }

    /// `audit_rows_no_replace` is set aside only while a run of lines is filed by plain
    /// inserts: it is back after every run, after a run that failed too, and still refuses
    /// a line written over a stored one by a connection without recursive triggers.
    #[test]
    fn the_no_replace_guard_is_back_after_lines_are_filed() {
        let mut store = store();
        let guard = lines_guard(store.conn()).expect("schema v10 has the guard");
        // Several runs (CHUNK lines each in tests), then the rest.
        let keys: Vec<String> = (0..2 * CHUNK + 5).map(|i| format!("k{i}")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                settings_bulk(tx, &keys)?;
                assert_eq!(lines_guard(tx).as_ref(), Some(&guard));
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(lines_guard(store.conn()).as_ref(), Some(&guard));
        let (events, lines) = logged(store.conn());
        let seq = events.last().unwrap().0;
        assert_eq!(lines.iter().filter(|l| l.0 == seq).count(), keys.len());
        assert_eq!(check(store.conn()).unwrap().total, 0);
        // A run that fails (a line of the event already stored under its key): the guard is
        // back before the error reaches the caller, and nothing is kept.
        let before = logged(store.conn());
        let err = store
            .write(|tx| {
                let ev = crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                tx.execute(
                    "INSERT INTO audit_rows (seq, tbl, key, old, new) \
                     VALUES (?1, 'settings', 'late', NULL, x'00')",
                    [ev.seq as i64],
                )?;
                let failed = settings_bulk(tx, &["early", "late"]);
                assert_eq!(lines_guard(tx).as_ref(), Some(&guard));
                failed
            })
            .unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(logged(store.conn()), before);
        assert_eq!(lines_guard(store.conn()).as_ref(), Some(&guard));
        // And it guards: a line replaced from a connection without recursive triggers.
        let conn = store.conn();
        conn.pragma_update(None, "recursive_triggers", false)
            .unwrap();
        let err = conn
            .execute(
                "INSERT OR REPLACE INTO audit_rows (seq, tbl, key, old, new) \
                 VALUES (?1, 'settings', 'k0', NULL, x'00')",
                [seq as i64],
            )
            .unwrap_err();
        assert!(err.to_string().contains("审计日志不能改写"), "{err}");
    }

    /// A batch of plain inserts into an append-only table sets the table's own
    /// `<table>_no_replace` aside until it ends: the guard is back, the same, after a batch
    /// that finished, and after one whose transaction failed; and it still refuses a REPLACE.
    #[test]
    fn a_table_guard_is_set_aside_only_while_its_batch_is_written() {
        let mut store = Store::in_memory().unwrap();
        let guard = "CREATE TRIGGER t_log_no_replace BEFORE INSERT ON t_log\n    \
                     WHEN EXISTS (SELECT 1 FROM t_log o WHERE o.id = NEW.id)\n    \
                     BEGIN SELECT RAISE(ABORT, '不能改写'); END";
        store
            .conn()
            .execute_batch(&format!(
                "CREATE TABLE t_log (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT;\n{guard};"
            ))
            .unwrap();
        install(store.conn()).unwrap();
        let table_guard = |conn: &Connection| guard_sql(conn, "t_log_no_replace").unwrap();
        let write = |store: &mut Store, ids: &[i64]| {
            store.write(|tx| {
                crate::store::audit::append(tx, "t", "li", "x.bulk", "", "{}")?;
                let mut b = Bulk::insert(tx, "t_log", &["id", "v"])?;
                assert_eq!(table_guard(tx), None, "set aside while the batch is open");
                for id in ids {
                    b.row(&[ValueRef::Integer(*id), ValueRef::Text(b"v")])?;
                }
                b.finish()?;
                assert_eq!(table_guard(tx).as_deref(), Some(guard));
                Ok::<_, StoreError>(())
            })
        };
        write(&mut store, &[1, 2, 3]).unwrap();
        assert_eq!(table_guard(store.conn()).as_deref(), Some(guard));
        // A stored key written again in bulk: refused by the key, nothing kept.
        let before = logged(store.conn());
        let err = write(&mut store, &[4, 2]).unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(logged(store.conn()), before);
        assert_eq!(table_guard(store.conn()).as_deref(), Some(guard));
        assert_eq!(check(store.conn()).unwrap().total, 0);
        let conn = store.conn();
        conn.pragma_update(None, "recursive_triggers", false)
            .unwrap();
        let err = conn
            .execute("INSERT OR REPLACE INTO t_log (id, v) VALUES (1, 'w')", [])
            .unwrap_err();
        assert!(err.to_string().contains("不能改写"), "{err}");
    }

    /// How a settings row is written in [`settings_written`].
    #[derive(Clone, Copy, PartialEq)]
    enum Way {
        /// `Bulk::row`.
        Row,
        /// `Bulk::row_owned`.
        Whole,
    }

    /// Settings rows written in one event by plain SQL through the triggers (`bulk` false),
    /// or by one `Bulk` (an upsert, or plain inserts), each row its own way: what the log
    /// keeps, with the check clean.
    fn settings_written(bulk: bool, upsert: bool, rows: &[(&str, &str, Way)]) -> Logged {
        use rusqlite::types::Value;
        let mut store = Store::in_memory().unwrap();
        store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "settings.set", "", "{}")?;
                let cols = ["key", "value"];
                let mut b = match (bulk, upsert) {
                    (false, _) => None,
                    (true, true) => Some(Bulk::upsert(tx, "settings", &cols)?),
                    (true, false) => Some(Bulk::insert(tx, "settings", &cols)?),
                };
                let sql = if upsert {
                    "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                } else {
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                };
                for &(k, v, way) in rows {
                    match &mut b {
                        Some(b) if way == Way::Whole => {
                            b.row_owned(vec![Value::Text(k.into()), Value::Text(v.into())])?;
                        }
                        Some(b) => {
                            b.row(&[ValueRef::Text(k.as_bytes()), ValueRef::Text(v.as_bytes())])?;
                        }
                        None => {
                            tx.execute(sql, [k, v])?;
                        }
                    }
                }
                if let Some(b) = b {
                    b.finish()?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(check(store.conn()).unwrap().total, 0);
        logged(store.conn())
    }

    /// A large row (hashed on the writer's thread, not copied to the helper) between rows
    /// hashed on the helper keeps its place: the same key written small, large, small merges
    /// as the triggers merge it.
    #[test]
    fn a_large_row_keeps_its_place_among_the_lines() {
        let large = "大".repeat(crate::store::batch::LARGE);
        // k0's lines merge into one only if they stay in write order: the large one first
        // would give the merged line the small row's digest as its old one.
        let rows = [
            ("k0", "a", Way::Row),
            ("k0", large.as_str(), Way::Row),
            ("k1", "b", Way::Row),
            ("k0", "c", Way::Row),
        ];
        let plain = settings_written(false, true, &rows);
        assert!(plain.1.iter().any(|l| l.2 == "k0"));
        assert_eq!(plain, settings_written(true, true, &rows));
    }

    /// A row handed over whole (its values let go once SQLite has copied them) binds as the
    /// triggers bind it, in its place among the batch's other rows; it is only for plain
    /// inserts into a table not keyed by its rowid.
    #[test]
    fn a_row_handed_over_whole_binds_as_the_triggers_do() {
        use rusqlite::types::Value;
        let large = "长".repeat(crate::store::batch::LARGE);
        let rows = [
            ("k1", "a", Way::Row),
            ("k2", large.as_str(), Way::Whole),
            ("k3", "c", Way::Row),
        ];
        let plain = settings_written(false, false, &rows);
        assert!(plain.1.iter().any(|l| l.2 == "k2"));
        assert_eq!(plain, settings_written(true, false, &rows));
        let mut store = Store::in_memory().unwrap();
        let err = store
            .write(|tx| {
                crate::store::audit::append(tx, "t", "li", "x", "", "{}")?;
                let mut b = Bulk::upsert(tx, "settings", &["key", "value"])?;
                b.row_owned(vec![Value::Text("k".into()), Value::Text("v".into())])?;
                b.finish()
            })
            .unwrap_err();
        assert!(err.to_string().contains("只用于"), "{err}");
    }

    /// Plain inserts into a table keyed by its rowid are given the rowid SQLite would
    /// give, also past rows deleted from an `AUTOINCREMENT` table.
    #[test]
    fn bulk_rowids_are_those_sqlite_would_give() {
        let rows = |bulk: bool| -> Logged {
            let mut store = Store::in_memory().unwrap();
            store
                .conn()
                .execute_batch(
                    "CREATE TABLE t_auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL) STRICT;",
                )
                .unwrap();
            install(store.conn()).unwrap();
            store
                .write(|tx| {
                    crate::store::audit::append(tx, "t", "li", "x.seed", "", "{}")?;
                    tx.execute_batch(
                        "INSERT INTO t_auto (v) VALUES ('a'), ('b'), ('c'); \
                         DELETE FROM t_auto WHERE id = 3;",
                    )?;
                    Ok::<_, StoreError>(())
                })
                .unwrap();
            store
                .write(|tx| {
                    crate::store::audit::append(tx, "t", "li", "x.bulk", "", "{}")?;
                    let mut ids = Vec::new();
                    let mut b = bulk
                        .then(|| Bulk::insert(tx, "t_auto", &["id", "v"]))
                        .transpose()?;
                    for v in ["d", "e", "f", "g"] {
                        ids.push(match &mut b {
                            Some(b) => b.row(&[ValueRef::Null, ValueRef::Text(v.as_bytes())])?,
                            None => {
                                tx.execute("INSERT INTO t_auto (id, v) VALUES (NULL, ?1)", [v])?;
                                tx.last_insert_rowid()
                            }
                        });
                    }
                    if let Some(b) = b {
                        b.finish()?;
                    }
                    assert_eq!(ids, [4, 5, 6, 7]);
                    Ok::<_, StoreError>(())
                })
                .unwrap();
            assert_eq!(check(store.conn()).unwrap().total, 0);
            logged(store.conn())
        };
        assert_eq!(rows(false), rows(true));
    }

    #[test]
    fn a_null_column_adds_nothing_to_the_digest_but_has_a_fingerprint() {
        let mut with = [("a", ValueRef::Integer(1)), ("b", ValueRef::Null)];
        let mut without = [("a", ValueRef::Integer(1))];
        let (x, y) = (row_blob("t", &mut with), row_blob("t", &mut without));
        assert_eq!(x[..DIGEST], y[..DIGEST]);
        assert_eq!(x.len(), DIGEST + 2 * FP);
        let mut text = [("a", ValueRef::Text(b"1"))];
        assert_ne!(row_blob("t", &mut text)[..DIGEST], y[..DIGEST]);
        assert_ne!(row_blob("u", &mut without)[..DIGEST], y[..DIGEST]);
    }

    /// A table keyed by rowid would be renumbered by VACUUM and reported as forged and
    /// deleted: every record table declares its key.
    #[test]
    fn every_record_table_declares_its_key() {
        let store = Store::in_memory().unwrap();
        let shapes = shapes(store.conn()).unwrap();
        assert!(shapes.len() >= 30);
        for s in shapes {
            assert!(!s.key.is_empty(), "{} has no declared key", s.name);
        }
    }

    #[test]
    fn keys_read_plainly_and_composite_ones_as_arrays() {
        assert_eq!(key_text(&[ValueRef::Integer(7)]), "7");
        assert_eq!(key_text(&[ValueRef::Text("YC-1".as_bytes())]), "YC-1");
        assert_eq!(
            key_text(&[ValueRef::Integer(7), ValueRef::Text(b"YC-1")]),
            "[7,\"YC-1\"]"
        );
    }

    #[test]
    fn the_event_names_its_rows_and_the_check_passes() {
        let store = store();
        let e = crate::store::audit::list(store.conn(), &Default::default()).unwrap();
        let bound = claimed(&e[0].detail).unwrap();
        let check = check(store.conn()).unwrap();
        // The two settings written, plus whatever the schema's own settings are.
        assert!(bound.n >= 2, "{bound:?}");
        assert_eq!(check.total, 0, "{:?}", check.problems);
        assert!(check.rows >= 2);
    }

    #[test]
    fn rows_without_an_event_are_refused_and_rolled_back() {
        let mut store = store();
        let err = store
            .write(|tx| {
                tx.execute("UPDATE settings SET value = '9' WHERE key = 'a'", [])?;
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("settings"), "{err}");
        let v: String = store
            .conn()
            .query_row("SELECT value FROM settings WHERE key = 'a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(v, "1");
        // Rewriting a row with the same values changes nothing and needs no event.
        store
            .write(|tx| {
                tx.execute("UPDATE settings SET value = '1' WHERE key = 'a'", [])?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn writes_beside_the_log_are_each_named() {
        let store = store();
        // Another connection's writes are not captured (as another program's would not be).
        let conn = store.conn();
        let triggers: Vec<String> = conn
            .prepare("SELECT name FROM temp.sqlite_master WHERE name LIKE 'ssj_bind_%'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for t in triggers {
            conn.execute_batch(&format!("DROP TRIGGER temp.{t}"))
                .unwrap();
        }
        conn.execute("UPDATE settings SET value = '5' WHERE key = 'a'", [])
            .unwrap();
        conn.execute("DELETE FROM settings WHERE key = 'b'", [])
            .unwrap();
        conn.execute("INSERT INTO settings (key, value) VALUES ('z', 'x')", [])
            .unwrap();
        let check = check(conn).unwrap();
        let find = |k: &str| {
            check
                .problems
                .iter()
                .find(|p| p.to_string().contains(&format!("主键 {k}：")))
                .cloned()
        };
        assert!(
            matches!(find("a"), Some(RowProblem::Edited { ref fields, .. }) if fields == &["value"]),
            "{:?}",
            check.problems
        );
        assert!(matches!(find("b"), Some(RowProblem::Deleted { .. })));
        assert!(matches!(find("z"), Some(RowProblem::Forged { .. })));
        assert_eq!(check.total, 3);
    }
}
