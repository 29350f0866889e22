//! The entity library table (监管对象库).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

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

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM entities", [], |r| r.get(0))?)
}

/// Name and town of every entity, by id (what lists of visits show), without reading records.
pub fn names(conn: &Connection) -> Result<HashMap<String, (String, String)>> {
    let mut stmt = conn.prepare("SELECT code, name, town FROM entities")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The key entities counted by the year's key coverage, as (id, name), ordered by town, name
/// and id: on the 重点排污单位名录 or under 排污许可重点管理 (the key inputs, which do not depend
/// on the date), not excluded from draws, not closed. Read from the partial index
/// `entities_key` (schema v12), without reading the records; the terms below are the index's
/// own, word for word, so that SQLite uses it.
pub fn key_in_scope(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    key_in_scope_each(conn, |code, name| {
        out.push((code.to_string(), name.to_string()))
    })?;
    Ok(out)
}

/// [`key_in_scope`] one row at a time, borrowed: nothing is copied that `each` does not keep.
pub fn key_in_scope_each(conn: &Connection, mut each: impl FnMut(&str, &str)) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name FROM entities
         WHERE (json_extract(data, '$.key_polluter_list') = 1
                OR json_extract(data, '$.permit_class') = '重点管理')
           AND excluded = 0
           AND json_extract(data, '$.production') IS NOT '关闭'
         ORDER BY town, name, code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let code = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let name = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        each(code, name);
    }
    Ok(())
}

/// Name and town of the entities that have a visit, by id: what lists of visits show, read
/// without going through the whole registry (the overview's visits on a county of 100,000).
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
    use crate::domain::vocab::{PermitClass, ProductionStatus};

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

    /// The labels that `key_in_scope` and the index `entities_key` spell out in SQL.
    #[test]
    fn the_key_query_spells_the_stored_labels() {
        assert_eq!(PermitClass::Key.label(), "重点管理");
        assert_eq!(ProductionStatus::Closed.label(), "关闭");
        let sql = include_str!("schema_v12.sql");
        assert!(sql.contains("'$.permit_class') = '重点管理'"));
        assert!(sql.contains("'$.key_polluter_list') = 1"));
    }
}
