//! The inspector library table (执法人员库) and departments.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{Result, to_json};
use crate::domain::inspector::Inspector;

/// Stores an inspector (insert or replace by code); its department must exist.
pub fn put(conn: &Connection, inspector: &Inspector, changed_seq: u64) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO inspectors (code, name, department, on_duty, data, changed_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (code) DO UPDATE SET
           name = excluded.name, department = excluded.department, on_duty = excluded.on_duty,
           data = excluded.data, changed_seq = excluded.changed_seq",
    )?;
    stmt.execute(params![
        inspector.code,
        inspector.name,
        inspector.department,
        inspector.on_duty,
        to_json(inspector),
        changed_seq
    ])?;
    Ok(())
}

pub fn stored_json(conn: &Connection) -> Result<HashMap<String, String>> {
    super::records::json_by_code(conn, "SELECT code, data FROM inspectors")
}

pub fn get(conn: &Connection, code: &str) -> Result<Option<Inspector>> {
    super::records::one(conn, "SELECT data FROM inspectors WHERE code = ?1", code)
}

/// Every inspector, ordered by code.
pub fn all(conn: &Connection) -> Result<Vec<Inspector>> {
    super::records::all(conn, "SELECT code, data FROM inspectors ORDER BY code")
}

/// Adds a department if it is not there yet; true when it was added.
pub fn ensure_department(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute(
        "INSERT INTO departments (name) VALUES (?1) ON CONFLICT DO NOTHING",
        [name],
    )? == 1)
}

pub fn departments(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM departments ORDER BY name")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
