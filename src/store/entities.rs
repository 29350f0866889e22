//! The entity library table (监管对象库).

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use super::binding::optional_text;
use super::{Result, to_json};
use crate::domain::entity::Entity;

/// Stores an entity (insert or replace by id), marking the audit event that changed it.
pub fn put(conn: &Connection, entity: &Entity, changed_seq: u64) -> Result<()> {
    put_json(conn, entity, &to_json(entity), changed_seq)
}

/// [`put`] with the record's JSON already made (`json` is `to_json(entity)`).
pub fn put_json(conn: &Connection, entity: &Entity, json: &str, changed_seq: u64) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO entities (code, uscc, registry_code, name, town, credit_tier, excluded, data, changed_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (code) DO UPDATE SET
           uscc = excluded.uscc, registry_code = excluded.registry_code, name = excluded.name,
           town = excluded.town, credit_tier = excluded.credit_tier, excluded = excluded.excluded,
           data = excluded.data, changed_seq = excluded.changed_seq",
    )?;
    stmt.execute(params![
        entity.id(),
        entity.uscc,
        entity.registry_code,
        entity.name,
        entity.town,
        entity.credit_tier.map(|t| t.key()),
        entity.exclusion.is_some(),
        json,
        changed_seq
    ])?;
    Ok(())
}

/// The columns of `entities`, in the order [`Writer`] gives them.
const COLS: &[&str] = &[
    "code",
    "uscc",
    "registry_code",
    "name",
    "town",
    "credit_tier",
    "excluded",
    "data",
    "changed_seq",
];

/// Entities written in bulk (an import), bound to the log without the capture triggers
/// (see [`super::binding::Bulk`]): the same upsert as [`put_json`], the same lines.
pub struct Writer<'c>(super::binding::Bulk<'c>);

impl<'c> Writer<'c> {
    /// Upserts, as [`put_json`].
    pub fn new(conn: &'c Connection) -> Result<Self> {
        Ok(Writer(super::binding::Bulk::upsert(
            conn, "entities", COLS,
        )?))
    }

    /// Plain inserts, for ids known not to be stored (the first import into an empty
    /// library, whose rows are each a new id): no look-up of a stored row per row. An id
    /// that is stored after all is refused by the table's key, not overwritten.
    pub fn new_rows(conn: &'c Connection) -> Result<Self> {
        Ok(Writer(super::binding::Bulk::insert(
            conn, "entities", COLS,
        )?))
    }

    /// [`put_json`] in the batch.
    pub fn put(&mut self, entity: &Entity, json: &str, changed_seq: u64) -> Result<()> {
        let seq = i64::try_from(changed_seq)
            .map_err(|_| super::StoreError::Corrupt(format!("审计事件序号 {changed_seq} 过大")))?;
        self.0.row(&[
            ValueRef::Text(entity.id().as_bytes()),
            optional_text(&entity.uscc),
            optional_text(&entity.registry_code),
            ValueRef::Text(entity.name.as_bytes()),
            ValueRef::Text(entity.town.as_bytes()),
            entity
                .credit_tier
                .map_or(ValueRef::Null, |t| ValueRef::Text(t.key().as_bytes())),
            ValueRef::Integer(i64::from(entity.exclusion.is_some())),
            ValueRef::Text(json.as_bytes()),
            ValueRef::Integer(seq),
        ])?;
        Ok(())
    }

    /// Ends the batch (see [`super::binding::Bulk::finish`]).
    pub fn finish(self) -> Result<()> {
        self.0.finish()
    }
}

/// The stored JSON of every entity, by id (for comparing an import against the library).
pub fn stored_json(conn: &Connection) -> Result<HashMap<String, String>> {
    super::records::json_by_code(conn, "SELECT code, data FROM entities")
}

/// The stored JSON and town of one entity by id (what an import compares a row with).
pub fn stored_one(conn: &Connection, code: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT data, town FROM entities WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// One entity by id (USCC or registry code).
pub fn get(conn: &Connection, code: &str) -> Result<Option<Entity>> {
    super::records::one(conn, "SELECT data FROM entities WHERE code = ?1", code)
}

/// Every entity, ordered by town then name.
pub fn all(conn: &Connection) -> Result<Vec<Entity>> {
    super::records::all(
        conn,
        "SELECT code, data FROM entities ORDER BY town, name, code",
    )
}

/// Every entity, in the order the table holds them (no sort): for the draw's preparation,
/// which orders what it needs by id itself. Sorting a million records with their JSON by town
/// and name spilled SQLite's sorter to temporary files.
pub fn all_unordered(conn: &Connection) -> Result<Vec<Entity>> {
    super::records::all(conn, "SELECT code, data FROM entities")
}

/// Whether the library holds no entity.
pub fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM entities LIMIT 1", [], |_| Ok(()))
        .optional()?
        .is_none())
}

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM entities", [], |r| r.get(0))?)
}

/// Name and town of every entity, by id (what lists of visits show), without reading records.
pub fn names(conn: &Connection) -> Result<HashMap<String, (String, String)>> {
    let mut stmt = conn.prepare("SELECT code, name, town FROM entities")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The key entities counted by the year's key coverage: on the 重点排污单位名录 or under
/// 排污许可重点管理 (the key inputs, which do not depend on the date), not excluded from draws,
/// not closed. The terms are the partial index `entities_key`'s own (schema v12), word for
/// word, so that SQLite reads them from the index without reading the records.
const KEY_IN_SCOPE: &str = "(json_extract(data, '$.key_polluter_list') = 1
            OR json_extract(data, '$.permit_class') = '重点管理')
       AND excluded = 0
       AND json_extract(data, '$.production') IS NOT '关闭'";

/// The year's key coverage counted in SQLite: how many key entities there are
/// ([`KEY_IN_SCOPE`]), how many of them were inspected in `year` (a random visit started,
/// [`super::draws::STARTED_ENTITIES_IN_YEAR`], or a targeted check,
/// [`super::targeted::INSPECTED_IN_YEAR`]), and the first `head` of those not inspected as
/// (id, name), ordered by town, name and id (all of them with `None`).
///
/// The counts are taken inside SQLite over the index: no key entity crosses into the
/// program to be counted, and only the names asked for are read out, so a screen that shows
/// a line of them does not grow with the registry. One read transaction, so the counts and
/// the names are of the same moment (or the caller's, when one is open).
pub fn key_coverage_in(conn: &Connection, year: i32, head: Option<usize>) -> Result<KeyCounts> {
    let read = match conn.is_autocommit() {
        true => Some(conn.unchecked_transaction()?),
        false => None,
    };
    let (all, covered) = conn
        .prepare_cached(&key_counts_sql())?
        .query_row([year], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, u64>(1)?)))?;
    // SQLite reads a negative limit as none.
    let limit = head.map_or(-1, |h| i64::try_from(h).unwrap_or(-1));
    let mut missing = Vec::new();
    if limit != 0 {
        let mut stmt = conn.prepare_cached(&key_missing_sql())?;
        let rows = stmt.query_map(rusqlite::params![year, limit], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        missing = rows.collect::<rusqlite::Result<_>>()?;
    }
    if let Some(read) = read {
        read.finish()?;
    }
    Ok(KeyCounts {
        all,
        covered,
        missing,
    })
}

/// What [`key_coverage_in`] counts.
#[derive(Debug)]
pub struct KeyCounts {
    /// The key entities in scope.
    pub all: u64,
    /// Those inspected in the year.
    pub covered: u64,
    /// The first of those not inspected, as (id, name), in the index's order.
    pub missing: Vec<(String, String)>,
}

/// The entities inspected in the year `?1`, by a random visit or a targeted check.
fn inspected_sql() -> String {
    format!(
        "SELECT entity FROM ({} UNION ALL {})",
        super::draws::STARTED_ENTITIES_IN_YEAR,
        super::targeted::INSPECTED_IN_YEAR
    )
}

/// How many key entities there are, and how many were inspected in the year `?1`.
fn key_counts_sql() -> String {
    format!(
        "SELECT count(*), coalesce(sum(code IN ({})), 0) FROM entities WHERE {KEY_IN_SCOPE}",
        inspected_sql()
    )
}

/// The first `?2` key entities not inspected in the year `?1`, in the index's order.
fn key_missing_sql() -> String {
    format!(
        "SELECT code, name FROM entities
         WHERE {KEY_IN_SCOPE} AND code NOT IN ({})
         ORDER BY town, name, code LIMIT ?2",
        inspected_sql()
    )
}

/// The name and town of one entity, if it is in the registry.
pub fn name_of(conn: &Connection, code: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT name, town FROM entities WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Name and town of the entities with these codes, by code (those in the registry), one
/// look-up each: for a few visits of many, whose ids lie apart.
pub fn names_of<'a>(
    conn: &Connection,
    codes: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, (String, String)>> {
    let mut out = HashMap::new();
    for code in codes {
        if !out.contains_key(code)
            && let Some(found) = name_of(conn, code)?
        {
            out.insert(code.to_string(), found);
        }
    }
    Ok(out)
}

/// Name and town of every entity that has a visit, by code: what a list of every visit
/// shows, read without going through the whole registry (the overview's reference on a
/// county of 100,000). A list of a few visits names them by [`names_of`].
pub fn names_of_visited(conn: &Connection) -> Result<HashMap<String, (String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, town FROM entities WHERE code IN (SELECT entity FROM visits)",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The largest page cache a bulk write is given, in KiB: past it the transaction's pages
/// spill into the WAL (uncommitted until the commit), which keeps an import of a million
/// rows within its memory goal.
pub const MAX_BULK_CACHE_KIB: u64 = 16 * 1024;

/// Sizes SQLite's page cache for a bulk write of a file of `bytes` (twice its size, between
/// SQLite's default 2 MiB and [`MAX_BULK_CACHE_KIB`]), so that a small import's inserts stay
/// in memory until the commit and a large one's memory stays bounded; returns the setting to
/// put back with [`restore_cache`].
pub fn size_cache_for(conn: &Connection, bytes: u64) -> Result<i64> {
    let before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    let kib = (bytes.saturating_mul(2) / 1024).clamp(2048, MAX_BULK_CACHE_KIB) as i64;
    conn.pragma_update(None, "cache_size", -kib)?;
    Ok(before)
}

/// Puts back the page-cache setting [`size_cache_for`] returned.
pub fn restore_cache(conn: &Connection, before: i64) -> Result<()> {
    conn.pragma_update(None, "cache_size", before)?;
    Ok(())
}

/// The audit event that last changed an entity.
pub fn changed_seq(conn: &Connection, code: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT changed_seq FROM entities WHERE code = ?1",
        [code],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use crate::domain::entity::Entity;
    use crate::domain::vocab::{CreditTier, PermitClass, ProductionStatus};
    use crate::store::{Store, StoreError, audit, binding, to_json};

    /// Entity `i` of a test registry, with every kind of column value: a USCC or only a
    /// registry code (NULL uscc), a credit tier or NULL, an exclusion (1) or none (0).
    fn entity(i: usize, version: usize) -> Entity {
        let mut e = Entity::named(
            &format!("单位{i}"),
            &format!("9114{:014}", (i * 7919) % 100_003),
        );
        if i.is_multiple_of(5) {
            e.registry_code = e.uscc.take().map(|c| format!("DJ{c}"));
        }
        e.town = ["凤城镇", "北留镇"][i % 2].to_string();
        e.credit_tier = (!i.is_multiple_of(3)).then_some(CreditTier::Low);
        e.exclusion = i.is_multiple_of(4).then(|| "长期停产".to_string());
        e.note = format!("v{version}");
        e
    }

    use crate::store::binding::Logged;

    fn logged(store: &Store) -> Logged {
        crate::store::binding::logged(store.conn())
    }

    /// The same writes through the capture triggers ([`super::put_json`]) or in bulk
    /// ([`super::Writer`]): new rows in no key order, then in a second event updates,
    /// unchanged rows and new ones, with a row the triggers captured earlier in the same
    /// event written again in bulk, and a settings row beside them.
    fn run(bulk: bool) -> Store {
        let mut store = Store::in_memory().unwrap();
        let first: Vec<Entity> = (0..300).map(|i| entity(i, 1)).collect();
        let second: Vec<Entity> = (150..450)
            .map(|i| entity(i, 1 + usize::from(i % 2 == 0)))
            .collect();
        for (n, batch) in [first, second].into_iter().enumerate() {
            store
                .write(|tx| {
                    let ev = audit::append(
                        tx,
                        "2026-12-07T00:00:00+08:00",
                        "li",
                        "entities.import",
                        "f.csv",
                        "{}",
                    )?;
                    tx.execute(
                        "INSERT OR REPLACE INTO settings (key, value) VALUES ('k', ?1)",
                        [n.to_string()],
                    )?;
                    // Captured by the triggers before the batch, then written again by it.
                    super::put(tx, &entity(160, 7), ev.seq)?;
                    let mut w = bulk.then(|| super::Writer::new(tx)).transpose()?;
                    for e in &batch {
                        let json = to_json(e);
                        match &mut w {
                            Some(w) => w.put(e, &json, ev.seq)?,
                            None => super::put_json(tx, e, &json, ev.seq)?,
                        }
                    }
                    if let Some(w) = w {
                        w.finish()?;
                    }
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        }
        store
    }

    /// The bulk path binds exactly what the triggers bind: the same lines (old and new
    /// digests, fingerprints), the same count and SHA-256 in each event's detail, and the
    /// check passes on both.
    #[test]
    fn bulk_writes_bind_byte_for_byte_as_the_triggers_do() {
        let (by_triggers, in_bulk) = (run(false), run(true));
        let (a, b) = (logged(&by_triggers), logged(&in_bulk));
        assert!(a.1.len() > 450, "{}", a.1.len());
        assert!(
            a.1.iter().any(|l| l.3.is_some()),
            "updates carry the old digest"
        );
        assert!(a.0.iter().any(|e| e.2.contains("\"bound\"")));
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        for store in [&by_triggers, &in_bulk] {
            let check = binding::check(store.conn()).unwrap();
            assert_eq!(check.total, 0, "{:?}", check.problems);
        }
    }

    /// While a bulk write is open its table is quiet; a transaction that ends so is refused
    /// (a row written beside the bulk would not have been captured), and once the batch is
    /// finished the triggers capture the table's writes again.
    #[test]
    fn a_table_left_quiet_is_refused_and_a_finished_batch_is_loud_again() {
        let mut store = Store::in_memory().unwrap();
        let err = store
            .write(|tx| {
                audit::append(tx, "t", "li", "entities.import", "", "{}")?;
                let w = super::Writer::new(tx)?;
                std::mem::forget(w);
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("entities"), "{err}");
        // Dropped with a row whose line it still holds: the table stays quiet, refused.
        let err = store
            .write(|tx| {
                let ev = audit::append(tx, "t", "li", "entities.import", "", "{}")?;
                let mut w = super::Writer::new(tx)?;
                let e = entity(2, 1);
                w.put(&e, &to_json(&e), ev.seq)?;
                drop(w);
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("entities"), "{err}");
        let err = store
            .write(|tx| {
                let w = super::Writer::new(tx)?;
                w.finish()?;
                super::put(tx, &entity(1, 1), 1)?;
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(err.to_string().contains("entities"), "{err}");
        assert_eq!(super::count(store.conn()).unwrap(), 0);
    }

    /// A value the column would convert is refused, not hashed as bound.
    #[test]
    fn a_value_the_column_would_convert_is_refused() {
        use rusqlite::types::ValueRef;
        let mut store = Store::in_memory().unwrap();
        let err = store
            .write(|tx| {
                audit::append(tx, "t", "li", "entities.import", "", "{}")?;
                let mut b = binding::Bulk::upsert(tx, "entities", super::COLS)?;
                b.row(&[
                    ValueRef::Text(b"X1"),
                    ValueRef::Null,
                    ValueRef::Null,
                    ValueRef::Text(b"n"),
                    ValueRef::Text(b"t"),
                    ValueRef::Null,
                    ValueRef::Text(b"0"),
                    ValueRef::Text(b"{}"),
                    ValueRef::Integer(1),
                ])?;
                b.finish()
            })
            .unwrap_err();
        assert!(err.to_string().contains("excluded"), "{err}");
        let err = store
            .write(|tx| binding::Bulk::insert(tx, "entities", &super::COLS[1..]).map(|_| ()))
            .unwrap_err();
        assert!(err.to_string().contains("每一列"), "{err}");
    }

    /// A JSON value encodes to the same bytes with or without the copy `to_json` makes.
    #[test]
    fn value_json_is_to_json_for_values() {
        let mut map = serde_json::Map::new();
        for k in ["zeta", "alpha", "中文", "Beta"] {
            map.insert(k.into(), serde_json::json!({"b": [1, "二"], "a": null}));
        }
        let v = serde_json::Value::Object(map);
        assert_eq!(crate::store::value_json(&v), crate::store::to_json(&v));
        assert!(crate::store::value_json(&v).starts_with("{\"Beta\""));
    }

    /// Both of the key coverage's statements read the key entities from the partial index,
    /// in its order (no sort of their own), so the first screen reads no record.
    #[test]
    fn the_key_coverage_reads_the_partial_index_in_its_order() {
        let store = Store::in_memory().unwrap();
        for sql in [super::key_counts_sql(), super::key_missing_sql()] {
            let plan = crate::store::query_plan(
                store.conn(),
                &sql,
                &[
                    rusqlite::types::Value::Integer(2026),
                    rusqlite::types::Value::Integer(64),
                ],
            );
            assert!(
                plan.contains("SEARCH entities USING INDEX entities_key")
                    || plan.contains("SEARCH entities USING COVERING INDEX entities_key"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN entities"), "{plan}");
            assert!(!plan.contains("FOR ORDER BY"), "no sort: {plan}");
        }
    }

    /// The labels that `KEY_IN_SCOPE` and the index `entities_key` spell out in SQL.
    #[test]
    fn the_key_query_spells_the_stored_labels() {
        assert_eq!(PermitClass::Key.label(), "重点管理");
        assert_eq!(ProductionStatus::Closed.label(), "关闭");
        let sql = include_str!("schema_v12.sql");
        assert!(sql.contains("'$.permit_class') = '重点管理'"));
        assert!(sql.contains("'$.key_polluter_list') = 1"));
    }
}
