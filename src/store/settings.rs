//! Settings: a key–value table for the database's own facts.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// `demo` or `production`.
pub const MODE: &str = "mode";
/// The login that created the database.
pub const CREATED_BY: &str = "created_by";
/// When it was created (RFC 3339).
pub const CREATED_AT: &str = "created_at";
/// The operating-system account SSH forced commands run as (`--as` is honoured only for it).
pub const SERVICE_ACCOUNT: &str = "service_account";
/// A province's annual cap of random inspections per enterprise (环办执法〔2025〕4号), if any.
pub const PROVINCE_CAP: &str = "province_annual_cap";
/// What the public 备注 of the publicity export carries besides the result's remark and the
/// follow-ups' outcome: `correction_reason`, `followup_notes` (comma-separated); none if unset.
pub const PUBLICITY_REMARK: &str = "publicity_remark";
/// The date the demo county was generated for.
pub const DEMO_DATE: &str = "demo_date";
/// A random value set when the database is created: `restore` refuses a copy of another
/// database (a copy keeps the value of the database it was taken from).
pub const DATABASE_ID: &str = "database_id";
/// The witness file `doctor` checks the log against (`settings witness-file`): checkpoints
/// appended by `audit checkpoint --append`, kept outside the database's directory.
pub const WITNESS_FILE: &str = "witness_file";
/// The bureau's own name (本局), set at `init --empty --bureau` and by `settings bureau`; a
/// database without it (a demo, or one made before the setting) is the default bureau.
pub const BUREAU: &str = "bureau";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub fn unset(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}
