//! Database files as files: opening one to check it without side files, making a copy
//! self-contained, reading its schema, its integrity check and its audit hashes, and taking
//! the exclusive lock a restore needs. The maintenance use cases (`backup`, `restore`,
//! `doctor`) call these; no SQL is written anywhere else.

use std::path::Path;

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, Result, StoreError, side_file};

/// SQLite's error, with corruption kept apart so [`damaged`] can name it.
pub fn sql(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::from(e),
    }
}

/// Opens a file to check it without leaving anything beside it: a file with no `-wal` is
/// read as it is on disk (SQLite's `immutable`), so no `-wal` or `-shm` is created.
pub fn open_for_check(path: &Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    if !path.exists() {
        return Err(StoreError::Missing(path.to_path_buf()));
    }
    if side_file(path, "-wal").exists() {
        // A live file with its WAL: read it with the WAL (the side files are there already).
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        return Ok(conn);
    }
    let abs = std::fs::canonicalize(path).map_err(StoreError::from)?;
    let mut uri = String::from("file:");
    for b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' | b'~' => {
                uri.push(*b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    let conn = rusqlite::Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    Ok(conn)
}

/// Rewrites a copy to a self-contained file (rollback journal, no `-wal`), so reading it
/// later creates no side files.
pub fn make_self_contained(path: &Path) -> Result<()> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sql)?;
    conn.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(())
}

/// (kind, name) → SQL of every table, index, trigger and view.
pub type SchemaObjects = std::collections::BTreeMap<(String, String), String>;

pub fn schema_objects(conn: &Connection) -> Result<SchemaObjects> {
    let mut stmt = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_master
             WHERE sql IS NOT NULL AND substr(name, 1, 7) <> 'sqlite_'",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .map_err(sql)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sql)
}

/// The schema version a file says it has (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)
}

/// SQLite's integrity check: `["ok"]` when the file is sound.
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(sql)?;
    stmt.query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(sql)
}

/// Every audit event as `(hash, "action subject")`, in order: what a restore compares.
pub fn audit_hashes(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn
        .prepare("SELECT hash, action, subject FROM audit_log ORDER BY seq")
        .map_err(sql)?;
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            format!("{} {}", r.get::<_, String>(1)?, r.get::<_, String>(2)?),
        ))
    })
    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
    .map_err(sql)
}

/// Opens the live database and takes SQLite's exclusive lock on it, held until the
/// connection closes, with everything in the WAL moved into the file. Every other connection
/// (even an idle dashboard: in WAL mode an open connection keeps a shared lock) makes this
/// fail with [`StoreError::Busy`]; `Ok(None)` means a reader still holds the WAL.
pub fn lock_exclusive(db: &Path) -> Result<Option<Connection>> {
    let conn = Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(2))
        .map_err(sql)?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(sql)?;
    conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
        .map_err(sql)?;
    let (blocked, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(sql)?;
    Ok((blocked == 0).then_some(conn))
}

/// Makes a file self-contained in place (rollback journal), removing its `-wal` and `-shm`.
pub fn leave_wal(conn: &Connection, db: &Path) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sql)?;
    for suffix in ["-wal", "-shm"] {
        let side = side_file(db, suffix);
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    Ok(())
}
