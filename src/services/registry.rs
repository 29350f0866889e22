//! The libraries: import and export entities, inspectors and check items. Browsing is in
//! `browse`, re-exported here.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Result, ServiceError, Session};
use crate::domain::entity::Entity;
use crate::domain::inspector::Inspector;
use crate::domain::role::Action;
use crate::sheets::{self, Overwrite, Problem};

pub use super::browse::{ClassifiedEntity, EntityDetail, EntityFilter, Stats};
use crate::store::{self, to_json};

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
    /// The audit event that recorded the import (none for a dry run or when nothing changed).
    pub audit_seq: Option<u64>,
}

/// A file to import: where it is read from, and the name the report and the audit log give
/// it (its path, or for standard input spooled to a temporary file, “标准输入.xlsx”).
#[derive(Debug, Clone)]
pub struct ImportFile<'a> {
    pub path: &'a Path,
    pub name: String,
}

impl<'a> From<&'a Path> for ImportFile<'a> {
    fn from(path: &'a Path) -> Self {
        ImportFile {
            path,
            name: path.display().to_string(),
        }
    }
}

impl<'a> From<&'a std::path::PathBuf> for ImportFile<'a> {
    fn from(path: &'a std::path::PathBuf) -> Self {
        ImportFile::from(path.as_path())
    }
}

/// Reports progress of a long write: (done, total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// How each incoming record compares with the library.
enum Change {
    Added,
    Updated,
    Unchanged,
}

/// The SHA-256 of an imported file, read in pieces; a file beyond the import limit's size is
/// refused before it is read at all.
fn file_digest(path: &Path) -> Result<String> {
    sheets::limits::check_file_size(path)?;
    let mut file = std::fs::File::open(path).map_err(|e| sheets::SheetError::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| sheets::SheetError::io(path, e))?;
    Ok(hex::encode(hasher.finalize()))
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn diff<T: Serialize>(stored: &HashMap<String, String>, id: &str, value: &T) -> Change {
    match stored.get(id) {
        None => Change::Added,
        Some(old) if *old == to_json(value) => Change::Unchanged,
        Some(_) => Change::Updated,
    }
}

/// Incoming records sorted against the library.
struct Sorted<'a, T> {
    added: Vec<&'a T>,
    updated: Vec<&'a T>,
    unchanged: usize,
}

impl<'a, T> Sorted<'a, T> {
    fn of(rows: &'a [(usize, T)], change: impl Fn(&T) -> Change) -> Sorted<'a, T> {
        let mut out = Sorted {
            added: Vec::new(),
            updated: Vec::new(),
            unchanged: 0,
        };
        for (_, r) in rows {
            match change(r) {
                Change::Added => out.added.push(r),
                Change::Updated => out.updated.push(r),
                Change::Unchanged => out.unchanged += 1,
            }
        }
        out
    }

    fn nothing_to_write(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty()
    }

    fn report(&self, file: &str, sha256: &str, rows: usize, dry_run: bool) -> ImportReport {
        ImportReport {
            file: file.to_string(),
            sha256: sha256.to_string(),
            rows,
            added: self.added.len(),
            updated: self.updated.len(),
            unchanged: self.unchanged,
            dry_run,
            audit_seq: None,
        }
    }

    /// The audit detail of an import: counts and the ids added and updated.
    fn detail(&self, sha256: &str, rows: usize, id: impl Fn(&T) -> &str) -> serde_json::Value {
        json!({
            "sha256": sha256, "rows": rows, "unchanged": self.unchanged,
            "added": self.added.iter().map(|r| id(r)).collect::<Vec<_>>(),
            "updated": self.updated.iter().map(|r| id(r)).collect::<Vec<_>>(),
        })
    }
}

/// Where entity rows come from: a file (its name) or `entities set`, and the action
/// and detail the write is logged with.
struct EntitySource<'a> {
    file: &'a str,
    header_row: usize,
    action: &'static str,
    extra: serde_json::Value,
}

/// Fills the fields of columns the file lacks from the stored records (a re-import changes
/// only what the file has), so the records compare and store as they will stand. Rows that
/// are new keep the defaults of absent columns.
fn merge_stored<T: serde::de::DeserializeOwned>(
    rows: &mut [(usize, T)],
    present: &sheets::Present,
    stored: &HashMap<String, String>,
    id: impl Fn(&T) -> &str,
    keep: impl Fn(&sheets::Present, &mut T, &T),
) -> Result<()> {
    if present.is_all() {
        return Ok(());
    }
    for (_, r) in rows.iter_mut() {
        if let Some(old) = stored.get(id(r)) {
            let old: T = store::from_json(id(r), old)?;
            keep(present, r, &old);
        }
    }
    Ok(())
}

/// A row of an import: its number and its entity, or the problems found in it.
struct FedRow {
    row: usize,
    parsed: std::result::Result<Entity, Vec<Problem>>,
    /// The entity's text as parsed, when the feed wrote it already: the text stored unless
    /// stored fields are merged into it (a partial sheet's update).
    json: Option<String>,
}

impl FedRow {
    fn new(row: usize, parsed: std::result::Result<Entity, Vec<Problem>>) -> FedRow {
        FedRow {
            row,
            parsed,
            json: None,
        }
    }
}

/// The entity rows of an import, one at a time: from a CSV file as it is read, or from rows
/// already in memory (a workbook's sheet, a JSON export, `entities set`).
trait EntityFeed {
    /// The next row: its number and its entity, or the problems found in it.
    fn next_row(&mut self) -> Result<Option<FedRow>>;
    /// The SHA-256 of the source (once every row is read).
    fn digest(&mut self) -> Result<String>;
    /// How far along the feed is: (done, total), in the feed's own unit.
    fn done(&self) -> (usize, usize);
    /// Whether the feed refuses a row whose id an earlier row has (a sheet's rows are
    /// checked so; a JSON export's records are not).
    fn unique_ids(&self) -> bool {
        false
    }
    /// Lets go of what checking the rows needed (once every row is read and the report
    /// made): the ids seen, a million of them in a large county.
    fn release(&mut self) {}
}

/// A CSV file streamed: rows decoded, parsed and written out as stored text on a helper
/// thread while the caller writes the rows before them, the file hashed as it is read. The
/// rows come in order, a batch at a time, through a bounded channel (a few batches held, not
/// the file).
struct CsvFeed {
    batches:
        Option<std::sync::mpsc::Receiver<std::result::Result<Vec<FedRow>, sheets::SheetError>>>,
    batch: std::vec::IntoIter<FedRow>,
    /// The helper: it returns the file's digest once every row is read.
    /// `None` from it: it stopped before the end (a failure it handed over, or the import
    /// stopped reading).
    reader:
        Option<std::thread::JoinHandle<Option<std::result::Result<String, sheets::SheetError>>>>,
    /// Bytes of the file read so far (for the progress shown).
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    bytes: u64,
}

/// Rows a batch of [`CsvFeed`] carries, and how many batches may wait.
const FEED_BATCH: usize = 256;
const FEED_AHEAD: usize = 8;

impl CsvFeed {
    /// Starts the helper thread on `stream`.
    fn start(
        mut stream: sheets::CsvStream<std::fs::File>,
        mut rows: sheets::EntityRows,
        bytes: u64,
    ) -> Result<CsvFeed> {
        use std::sync::atomic::Ordering;
        let (send, batches) = std::sync::mpsc::sync_channel(FEED_AHEAD);
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let progress = read.clone();
        let reader = std::thread::Builder::new()
            .name("ssj-csv-rows".into())
            .spawn(
                move || -> Option<std::result::Result<String, sheets::SheetError>> {
                    loop {
                        let mut batch = Vec::with_capacity(FEED_BATCH);
                        let mut failed = None;
                        while batch.len() < FEED_BATCH {
                            match stream.next_row() {
                                Ok(Some(row)) => {
                                    let parsed = rows.parse(&row);
                                    let json = parsed.as_ref().ok().map(to_json);
                                    batch.push(FedRow {
                                        row: row.number,
                                        parsed,
                                        json,
                                    });
                                }
                                Ok(None) => break,
                                Err(e) => {
                                    failed = Some(e);
                                    break;
                                }
                            }
                        }
                        progress.store(stream.bytes_read(), Ordering::Relaxed);
                        let end = batch.len() < FEED_BATCH;
                        // The rows before a failure first, then the failure, as a row at a
                        // time would have met them; a closed channel: the import stopped.
                        if !batch.is_empty() && send.send(Ok(batch)).is_err() {
                            return None;
                        }
                        if let Some(e) = failed {
                            let _ = send.send(Err(e));
                            return None;
                        }
                        if end {
                            return Some(stream.digest());
                        }
                    }
                },
            )
            .map_err(|e| {
                ServiceError::Sheet(sheets::SheetError::Io(format!(
                    "无法启动读取文件的线程：{e}"
                )))
            })?;
        Ok(CsvFeed {
            batches: Some(batches),
            batch: Vec::new().into_iter(),
            reader: Some(reader),
            read,
            bytes,
        })
    }
}

impl EntityFeed for CsvFeed {
    fn unique_ids(&self) -> bool {
        true
    }

    fn next_row(&mut self) -> Result<Option<FedRow>> {
        loop {
            if let Some(row) = self.batch.next() {
                return Ok(Some(row));
            }
            let Some(batches) = &self.batches else {
                return Ok(None);
            };
            match batches.recv() {
                Ok(Ok(batch)) => self.batch = batch.into_iter(),
                Ok(Err(e)) => {
                    self.batches = None;
                    return Err(e.into());
                }
                // The helper is done: every row was handed over.
                Err(_) => {
                    self.batches = None;
                    return Ok(None);
                }
            }
        }
    }

    fn digest(&mut self) -> Result<String> {
        self.batches = None;
        let done = self.reader.take().and_then(|r| r.join().ok().flatten());
        match done {
            Some(digest) => Ok(digest?),
            None => Err(ServiceError::Sheet(sheets::SheetError::Io(
                "读取文件的线程未能读完文件".into(),
            ))),
        }
    }

    fn done(&self) -> (usize, usize) {
        let read = self.read.load(std::sync::atomic::Ordering::Relaxed);
        (read as usize, self.bytes as usize)
    }
}

impl Drop for CsvFeed {
    /// A feed let go before its end (the import failed) closes the channel, so the helper
    /// stops at its next batch, and waits for it.
    fn drop(&mut self) {
        self.batches = None;
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

/// The rows of a sheet read whole (a workbook: limited in size), parsed one at a time.
struct TableFeed {
    rows: std::vec::IntoIter<sheets::Row>,
    parser: sheets::EntityRows,
    sha256: String,
    at: usize,
    total: usize,
}

impl EntityFeed for TableFeed {
    fn unique_ids(&self) -> bool {
        true
    }

    fn next_row(&mut self) -> Result<Option<FedRow>> {
        self.at += 1;
        Ok(self
            .rows
            .next()
            .map(|row| FedRow::new(row.number, self.parser.parse(&row))))
    }

    fn digest(&mut self) -> Result<String> {
        Ok(self.sha256.clone())
    }

    fn done(&self) -> (usize, usize) {
        (self.at.min(self.total), self.total)
    }

    fn release(&mut self) {
        self.parser.forget_ids();
    }
}

/// Entities already checked (a JSON export, `entities set`).
struct RecordFeed {
    rows: std::vec::IntoIter<(usize, Entity)>,
    sha256: String,
    at: usize,
    total: usize,
}

impl RecordFeed {
    fn new(rows: Vec<(usize, Entity)>, sha256: &str) -> RecordFeed {
        RecordFeed {
            total: rows.len(),
            rows: rows.into_iter(),
            sha256: sha256.to_string(),
            at: 0,
        }
    }
}

impl EntityFeed for RecordFeed {
    fn next_row(&mut self) -> Result<Option<FedRow>> {
        self.at += 1;
        Ok(self.rows.next().map(|(row, e)| FedRow::new(row, Ok(e))))
    }

    fn digest(&mut self) -> Result<String> {
        Ok(self.sha256.clone())
    }

    fn done(&self) -> (usize, usize) {
        (self.at.min(self.total), self.total)
    }
}

/// What an entity import keeps while its rows stream by: the problems in the order the
/// report gives them, and the ids it changed. Nothing else of a row outlives the row.
#[derive(Default)]
struct EntityTally {
    rows: usize,
    /// Problems of the rows themselves (reported alone when there are any).
    parsed: Vec<Problem>,
    /// The first rows that are new although the sheet lacks a column a new entity needs
    /// ([`sheets::missing_for_new`] names five, and whether there are more).
    new_rows: Vec<usize>,
    /// Problems of the records as they will stand, merged with the stored ones.
    merged: Vec<Problem>,
    added: Vec<String>,
    updated: Vec<String>,
    unchanged: usize,
}

impl EntityTally {
    fn refused(&self) -> bool {
        !self.parsed.is_empty() || !self.new_rows.is_empty() || !self.merged.is_empty()
    }
}

/// Rows of a JSON export, numbered from 1 like a sheet's records.
fn numbered<T>(records: Vec<T>) -> Vec<(usize, T)> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 1, r))
        .collect()
}

impl Session {
    /// `import entities FILE`: all or nothing; upserts by USCC (or registry code). A CSV file
    /// is streamed: each row is decoded, checked, merged with its stored record and written as
    /// it is read, inside one transaction that a refused row rolls back; the file is hashed as
    /// it is read. A workbook is read whole (its size is bounded by [`sheets::limits`]) and
    /// its rows go the same way; a JSON export is whole records.
    pub fn import_entities<'a>(
        &mut self,
        file: impl Into<ImportFile<'a>>,
        dry_run: bool,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let ImportFile { path, name: file } = file.into();
        self.require(Action::EditEntities)?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (mut feed, present, header_row): (Box<dyn EntityFeed>, _, _) = if is_json(path) {
            // A JSON export is whole records (it leaves empty fields out), so it replaces them.
            let sha256 = file_digest(path)?;
            let rows = numbered(sheets::read_entities_json(path)?);
            (
                Box::new(RecordFeed::new(rows, &sha256)),
                sheets::Present::all(),
                1,
            )
        } else if sheets::is_csv(path) {
            let stream = sheets::open_csv(path)?;
            let rows = sheets::EntityRows::new(stream.headers(), stream.header_row())
                .map_err(ServiceError::Rejected)?;
            let (present, header_row) = (rows.present(), stream.header_row());
            (
                Box::new(CsvFeed::start(stream, rows, bytes)?),
                present,
                header_row,
            )
        } else {
            let sha256 = file_digest(path)?;
            let table = sheets::read_table(path)?;
            let parser = sheets::EntityRows::new(&table.headers, table.header_row)
                .map_err(ServiceError::Rejected)?;
            let (present, header_row) = (parser.present(), table.header_row);
            let total = table.rows.len();
            (
                Box::new(TableFeed {
                    rows: table.rows.into_iter(),
                    parser,
                    sha256,
                    at: 0,
                    total,
                }),
                present,
                header_row,
            )
        };
        let source = EntitySource {
            file: &file,
            header_row,
            action: "entities.import",
            extra: serde_json::Value::Null,
        };
        let cache = store::entities::size_cache_for(self.store().conn(), bytes)?;
        let applied = self.apply_entity_rows(feed.as_mut(), present, &source, dry_run, progress);
        store::entities::restore_cache(self.store().conn(), cache)?;
        applied
    }

    /// `entities set CODE FIELD VALUE --reason R`: one field of one stored entity, read as a
    /// one-row partial sheet of the code and that column would be (the same column names,
    /// parsing, checks and merge as an import, all or nothing), logged as `entities.set` with
    /// the field, the value and the reason.
    pub fn set_entity_field(
        &mut self,
        code: &str,
        field: &str,
        value: &str,
        reason: &str,
    ) -> Result<ImportReport> {
        self.require(Action::EditEntities)?;
        let reason = reason.trim();
        crate::domain::text::field("理由", crate::domain::text::TextKind::Other, reason)
            .map_err(|why| ServiceError::invalid("reason", why))?;
        if reason.chars().count() < 4 {
            return Err(ServiceError::invalid(
                "reason",
                "修改须写明理由（至少4个字）",
            ));
        }
        let code = code.trim().to_ascii_uppercase();
        let stored = store::entities::get(self.store().conn(), &code)?
            .ok_or_else(|| ServiceError::not_found("监管对象", &code))?;
        let key = if stored.uscc.is_some() {
            "统一社会信用代码"
        } else {
            "登记编码"
        };
        let table = sheets::Table {
            header_row: 1,
            headers: vec![key.to_string(), field.trim().to_string()],
            rows: vec![sheets::Row {
                number: 2,
                cells: vec![code.clone(), value.to_string()],
            }],
        };
        let parsed = sheets::parse_entity_sheet(&table).map_err(ServiceError::Rejected)?;
        // The code column and the one field: a header the layout does not know adds no column.
        let key_only = sheets::Table {
            header_row: 1,
            headers: vec![key.to_string()],
            rows: vec![sheets::Row {
                number: 2,
                cells: vec![code.clone()],
            }],
        };
        let base = sheets::parse_entity_sheet(&key_only)
            .map(|p| p.present.count())
            .unwrap_or(0);
        if parsed.present.count() != base + 1 || parsed.rows.len() != 1 {
            return Err(ServiceError::invalid(
                "field",
                format!(
                    "“{}”不是监管对象的字段（字段名同导入模板的表头，如 信用风险等级、生产状态、乡镇）",
                    field.trim()
                ),
            ));
        }
        let source = EntitySource {
            file: "",
            header_row: 1,
            action: "entities.set",
            extra: json!({ "entity": code, "field": field.trim(), "value": value, "reason": reason }),
        };
        let mut feed = RecordFeed::new(parsed.rows, "");
        self.apply_entity_rows(&mut feed, parsed.present, &source, false, &mut |_, _| {})
    }

    /// The rows of an entity sheet (or of `entities set`) merged with the stored entities and
    /// written as they come, all or nothing, in one transaction logged as `source.action`.
    ///
    /// Each row is checked, merged with its stored record (a re-import keeps the fields of
    /// absent columns), compared and written before the next is read; what is kept is only
    /// what the report needs (the problems, the ids changed). Once a row is refused nothing
    /// more is written and the rest is only checked, so the report names every problem; the
    /// refusal rolls the transaction back. The problems are those the whole-sheet checks
    /// gave: the rows' own first; else the columns new rows lack; else the merged records'.
    fn apply_entity_rows(
        &mut self,
        feed: &mut dyn EntityFeed,
        present: sheets::Present,
        source: &EntitySource<'_>,
        dry_run: bool,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let EntitySource {
            file,
            header_row,
            action,
            ..
        } = *source;
        let may_add = sheets::may_add(&present);
        self.write(|tx, actor| {
            let listed = store::settings::towns(tx)?;
            let subject = if action == "entities.set" {
                source.extra["entity"].as_str().unwrap_or_default()
            } else {
                file
            };
            // The event is appended first (its number marks the rows) and held until the
            // commit; its detail is filled in once every row is read.
            let event = if dry_run {
                None
            } else {
                Some(actor.log(tx, action, subject, &json!({}))?)
            };
            // Written in bulk, bound to the event without the capture triggers. Into an
            // empty library every row of a sheet is a new id (it repeats none): nothing to
            // look up.
            let empty = feed.unique_ids() && store::entities::is_empty(tx)?;
            let mut writer = match &event {
                Some(_) if empty => Some(store::entities::Writer::new_rows(tx)?),
                Some(_) => Some(store::entities::Writer::new(tx)?),
                None => None,
            };
            let mut t = EntityTally::default();
            while let Some(FedRow { row, parsed, json }) = feed.next_row()? {
                t.rows += 1;
                if t.rows % 1000 == 0 {
                    let (done, total) = feed.done();
                    progress(done, total);
                }
                let mut e = match parsed {
                    Ok(e) => e,
                    Err(problems) => {
                        t.parsed.extend(problems);
                        continue;
                    }
                };
                if !t.parsed.is_empty() {
                    continue;
                }
                let stored = if empty {
                    None
                } else {
                    store::entities::stored_one(tx, e.id())?
                };
                let mut merged = false;
                match &stored {
                    None if !may_add => {
                        // A partial sheet (no 名称, 乡镇 or 检查对象类型) only updates.
                        if t.new_rows.len() < 6 {
                            t.new_rows.push(row);
                        }
                        continue;
                    }
                    Some((json, _)) if !present.is_all() => {
                        let old: Entity = store::from_json(e.id(), json)?;
                        sheets::keep_absent_entity_fields(&present, &mut e, &old);
                        merged = true;
                    }
                    _ => {}
                }
                t.merged.extend(sheets::merged_entity_problems(row, &e));
                let stored_town = stored.as_ref().map(|(_, town)| town.as_str());
                // The town list (issue 15): a town typed anew must be a listed one.
                t.merged
                    .extend(super::towns::row_problem(&listed, stored_town, row, &e));
                if t.refused() {
                    continue;
                }
                // The feed's text is that of the row as parsed, which a merge changed.
                let json = match json {
                    Some(json) if !merged => json,
                    _ => to_json(&e),
                };
                match &stored {
                    Some((old, _)) if *old == json => {
                        t.unchanged += 1;
                        continue;
                    }
                    Some(_) => t.updated.push(e.id().to_string()),
                    None => t.added.push(e.id().to_string()),
                }
                if let (Some(ev), Some(w)) = (&event, &mut writer) {
                    w.put(&e, &json, ev.seq)?;
                }
            }
            if let Some(w) = writer {
                w.finish()?;
            }
            if !t.parsed.is_empty() {
                return Err(ServiceError::Rejected(t.parsed));
            }
            let missing = sheets::missing_for_new(&present, header_row, &t.new_rows);
            if !missing.is_empty() {
                return Err(ServiceError::Rejected(missing));
            }
            if !t.merged.is_empty() {
                t.merged.sort_by_key(|p| p.row);
                return Err(ServiceError::Rejected(t.merged));
            }
            let sha256 = feed.digest()?;
            let (done, total) = feed.done();
            progress(done, total);
            feed.release();
            let mut report = ImportReport {
                file: file.to_string(),
                sha256: sha256.clone(),
                rows: t.rows,
                added: t.added.len(),
                updated: t.updated.len(),
                unchanged: t.unchanged,
                dry_run,
                audit_seq: None,
            };
            let Some(event) = event else {
                return Ok(report);
            };
            if t.added.is_empty() && t.updated.is_empty() {
                store::audit::drop_held(tx, event.seq)?;
                return Ok(report);
            }
            // The ids move into the detail (no copy of 100,000 strings).
            let ids = |v: Vec<String>| {
                serde_json::Value::Array(v.into_iter().map(serde_json::Value::String).collect())
            };
            let mut detail = json!({
                "sha256": sha256, "rows": t.rows, "unchanged": t.unchanged,
            });
            if let Some(d) = detail.as_object_mut() {
                d.insert("added".into(), ids(t.added));
                d.insert("updated".into(), ids(t.updated));
                if let Some(extra) = source.extra.as_object() {
                    d.extend(extra.clone());
                }
            }
            actor.amend_log(tx, &event, detail)?;
            report.audit_seq = Some(event.seq);
            Ok(report)
        })
    }

    /// `import inspectors FILE`: all or nothing; upserts by 人员编号. Departments must
    /// be known (by name or alias: see [`super::departments`]).
    pub fn import_inspectors<'a>(
        &mut self,
        file: impl Into<ImportFile<'a>>,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let ImportFile { path, name: file } = file.into();
        self.require(Action::EditInspectors)?;
        let sha256 = file_digest(path)?;
        let (mut rows, present): (Vec<(usize, Inspector)>, _) = if is_json(path) {
            let rows = numbered(sheets::read_inspectors_json(path)?);
            (rows, sheets::Present::all())
        } else {
            let table = sheets::read_table(path)?;
            let parsed = sheets::parse_inspector_sheet(&table).map_err(ServiceError::Rejected)?;
            (parsed.rows, parsed.present)
        };
        self.write(|tx, actor| {
            // Conflicts must name entities the library knows.
            let mut problems = Vec::new();
            for (row, i) in &rows {
                for c in &i.conflicts {
                    if store::entities::get(tx, &c.entity)?.is_none() {
                        problems.push(Problem {
                            row: *row,
                            column: "回避对象".into(),
                            reason: format!("{} 不在监管对象库中", c.entity),
                        });
                    }
                }
            }
            if !problems.is_empty() {
                return Err(ServiceError::Rejected(problems));
            }
            let stored = store::inspectors::stored_json(tx)?;
            merge_stored(
                &mut rows,
                &present,
                &stored,
                |i| i.code.as_str(),
                sheets::keep_absent_inspector_fields,
            )?;
            // Departments as data (issue 15): a department is its name or a known alias;
            // anything else is refused with the closest department offered.
            super::departments::resolve_rows(tx, &mut rows)?;
            let sorted = Sorted::of(&rows, |i| diff(&stored, &i.code, i));
            let mut report = sorted.report(&file, &sha256, rows.len(), dry_run);
            if dry_run || sorted.nothing_to_write() {
                return Ok(report);
            }
            let detail = sorted.detail(&sha256, rows.len(), |i| i.code.as_str());
            let ev = actor.log(tx, "inspectors.import", &file, &detail)?;
            for i in sorted.added.iter().chain(sorted.updated.iter()) {
                store::inspectors::put(tx, i, ev.seq)?;
            }
            report.audit_seq = Some(ev.seq);
            Ok(report)
        })
    }

    /// `import items FILE`: the check-item list (a sheet, or the .json `export items` writes);
    /// all or nothing, upserts by 编号.
    pub fn import_check_items<'a>(
        &mut self,
        file: impl Into<ImportFile<'a>>,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let ImportFile { path, name: file } = file.into();
        self.require(Action::EditCheckItems)?;
        let sha256 = file_digest(path)?;
        let rows = if is_json(path) {
            numbered(sheets::read_check_items_json(path)?)
        } else {
            let table = sheets::read_table(path)?;
            sheets::parse_check_items(&table).map_err(ServiceError::Rejected)?
        };
        self.write(|tx, actor| {
            let before: HashMap<String, _> = store::items::all(tx)?
                .into_iter()
                .map(|i| (i.code.clone(), i))
                .collect();
            let sorted = Sorted::of(&rows, |item| match before.get(&item.code) {
                None => Change::Added,
                Some(old) if old == item => Change::Unchanged,
                Some(_) => Change::Updated,
            });
            let mut report = sorted.report(&file, &sha256, rows.len(), dry_run);
            if dry_run || sorted.nothing_to_write() {
                return Ok(report);
            }
            let detail = sorted.detail(&sha256, rows.len(), |i| i.code.as_str());
            let ev = actor.log(tx, "items.import", &file, &detail)?;
            for item in sorted.added.iter().chain(sorted.updated.iter()) {
                store::items::put(tx, item)?;
            }
            report.audit_seq = Some(ev.seq);
            Ok(report)
        })
    }

    /// `export entities FILE [--force]` (.xlsx, .csv or .json by extension), owner-only;
    /// returns the count. The export is logged (`entities.export`) before the file is
    /// written: no copy of the library leaves without a trace.
    pub fn export_entities<'a>(
        &self,
        file: impl Into<ImportFile<'a>>,
        overwrite: Overwrite,
    ) -> Result<usize> {
        let ImportFile { path, name } = file.into();
        self.require(Action::ExportRegistry)?;
        let all = store::entities::all(self.store().conn())?;
        self.log_export("entities.export", path, &name, all.len(), overwrite)?;
        sheets::write_entities(path, &all, overwrite)?;
        Ok(all.len())
    }

    /// `export inspectors FILE [--force]`; returns the count. Logged as `inspectors.export`.
    pub fn export_inspectors<'a>(
        &self,
        file: impl Into<ImportFile<'a>>,
        overwrite: Overwrite,
    ) -> Result<usize> {
        let ImportFile { path, name } = file.into();
        self.require(Action::ExportRegistry)?;
        let all = store::inspectors::all(self.store().conn())?;
        self.log_export("inspectors.export", path, &name, all.len(), overwrite)?;
        sheets::write_inspectors(path, &all, overwrite)?;
        Ok(all.len())
    }

    /// `export items FILE [--force]`; returns the count. Logged as `items.export`.
    pub fn export_check_items<'a>(
        &self,
        file: impl Into<ImportFile<'a>>,
        overwrite: Overwrite,
    ) -> Result<usize> {
        let ImportFile { path, name } = file.into();
        self.require(Action::ExportRegistry)?;
        let all = store::items::all(self.store().conn())?;
        self.log_export("items.export", path, &name, all.len(), overwrite)?;
        sheets::write_check_items(path, &all, overwrite)?;
        Ok(all.len())
    }

    /// The audit event of a library export, written before the file: the file's name (as the
    /// user gave it), its format and the number of records. A target that exists without
    /// `--force`, and a directory that is missing or that the account may not write to, are
    /// refused first, so that a refused export leaves no event.
    fn log_export(
        &self,
        action: &str,
        path: &Path,
        name: &str,
        rows: usize,
        overwrite: Overwrite,
    ) -> Result<()> {
        sheets::files::check_target(path, overwrite)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let writable = match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => Err(std::io::ErrorKind::NotADirectory.into()),
            Ok(_) => nix::unistd::access(dir, nix::unistd::AccessFlags::W_OK)
                .map_err(std::io::Error::from),
            Err(e) => Err(e),
        };
        writable.map_err(|e| sheets::SheetError::io(path, e))?;
        let format = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        self.log_read(
            action,
            name,
            &json!({ "rows": rows, "format": format, "overwrite": overwrite == Overwrite::Replace }),
        )?;
        Ok(())
    }
}
