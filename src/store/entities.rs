//! The entity library table (监管对象库).

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{Result, to_json};
use crate::domain::entity::Entity;

/// Stores an entity (insert or replace by id), marking the audit event that changed it.
pub fn put(conn: &Connection, entity: &Entity, changed_seq: u64) -> Result<()> {
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
        to_json(entity),
        changed_seq
    ])?;
    Ok(())
}

/// The stored JSON of every entity, by id (for comparing an import against the library).
pub fn stored_json(conn: &Connection) -> Result<HashMap<String, String>> {
    super::records::json_by_code(conn, "SELECT code, data FROM entities")
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

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM entities", [], |r| r.get(0))?)
}

/// Name and town of every entity, by id (what lists of visits show), without reading records.
pub fn names(conn: &Connection) -> Result<HashMap<String, (String, String)>> {
    let mut stmt = conn.prepare("SELECT code, name, town FROM entities")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The audit event that last changed an entity.
pub fn changed_seq(conn: &Connection, code: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT changed_seq FROM entities WHERE code = ?1",
        [code],
        |r| r.get(0),
    )?)
}
