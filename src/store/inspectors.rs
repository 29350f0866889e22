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

/// Department aliases: (alias, department), by alias.
pub fn department_aliases(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT alias, department FROM department_aliases ORDER BY alias")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records `alias` as another spelling of `department` (replacing what it meant before).
pub fn put_department_alias(conn: &Connection, alias: &str, department: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO department_aliases (alias, department) VALUES (?1, ?2)
         ON CONFLICT (alias) DO UPDATE SET department = excluded.department",
        [alias, department],
    )?;
    Ok(())
}

/// Renames a department: its inspectors and aliases follow it (the stored records' JSON
/// too, marked changed by event `seq`), and the old name is deleted.
pub fn rename_department(conn: &Connection, from: &str, to: &str, seq: u64) -> Result<usize> {
    ensure_department(conn, to)?;
    let moved = conn.execute(
        "UPDATE inspectors SET department = ?2,
           data = json_set(data, '$.department', ?2), changed_seq = ?3
         WHERE department = ?1",
        params![from, to, seq],
    )?;
    conn.execute(
        "UPDATE department_aliases SET department = ?2 WHERE department = ?1",
        [from, to],
    )?;
    conn.execute("DELETE FROM department_aliases WHERE alias = ?1", [to])?;
    conn.execute("DELETE FROM departments WHERE name = ?1", [from])?;
    Ok(moved)
}
