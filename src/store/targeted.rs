//! 个案检查 (targeted checks): insert and read, never update.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::{Result, StoreError, from_json, to_json};
use crate::domain::draw::record::{Seat, Team};
use crate::domain::result::InspectionResult;
use crate::domain::targeted::{TargetedCheck, TargetedReason};

/// A targeted check to store.
pub struct NewTargeted<'a> {
    /// From [`next_id`], inside the same transaction.
    pub id: i64,
    pub entity: &'a str,
    pub reason: TargetedReason,
    pub detail: &'a str,
    pub team: &'a Team,
    pub started: NaiveDate,
    pub completed: NaiveDate,
    pub result: &'a InspectionResult,
    pub recorded_by: &'a str,
    pub recorded_on: NaiveDate,
    pub seq: u64,
}

/// The number the next targeted check gets (1, 2, …): rows are never deleted.
pub fn next_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM targeted_checks",
        [],
        |r| r.get(0),
    )?)
}

/// Stores a targeted check.
pub fn insert(conn: &Connection, t: &NewTargeted<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO targeted_checks (id, entity, reason, detail, team, started, completed, result, recorded_by, recorded_on, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            t.id,
            t.entity,
            t.reason.label(),
            t.detail,
            to_json(t.team),
            t.started.to_string(),
            t.completed.to_string(),
            to_json(t.result),
            t.recorded_by,
            t.recorded_on.to_string(),
            t.seq
        ],
    )?;
    Ok(())
}

fn date(what: &str, s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("个案检查{what}“{s}”")))
}

/// Targeted checks, oldest first (by start date, then id): of one entity, or all. `year`
/// keeps those started in that year.
pub fn list(
    conn: &Connection,
    entity: Option<&str>,
    year: Option<i32>,
) -> Result<Vec<TargetedCheck>> {
    let mut stmt = conn.prepare(
        "SELECT id, entity, reason, detail, team, started, completed, result, recorded_by, recorded_on, seq
         FROM targeted_checks
         WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR substr(started, 1, 4) = CAST(?2 AS TEXT))
         ORDER BY started, id",
    )?;
    let rows = stmt.query_map(params![entity, year], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, u64>(10)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, entity, reason, detail, team, started, completed, result, by, on, seq) = row?;
        let seats: Vec<Seat> = from_json("targeted_checks.team", &team)?;
        out.push(TargetedCheck {
            id,
            entity,
            reason: TargetedReason::parse(&reason)
                .ok_or_else(|| StoreError::Corrupt(format!("个案检查事由“{reason}”")))?,
            detail,
            team: Team(seats),
            started: date("开始日期", &started)?,
            completed: date("完成日期", &completed)?,
            result: from_json("targeted_checks.result", &result)?,
            recorded_by: by,
            recorded_on: date("录入日期", &on)?,
            seq,
        });
    }
    Ok(out)
}

/// The entities a targeted check inspected in the year `?1` (by its start date): one column,
/// `entity`, as often as they were checked; read by [`inspected_in`] and by the key coverage's
/// count in SQLite ([`super::entities::key_coverage_in`]).
pub(crate) const INSPECTED_IN_YEAR: &str =
    "SELECT entity FROM targeted_checks WHERE substr(started, 1, 4) = CAST(?1 AS TEXT)";

/// [`INSPECTED_IN_YEAR`] for `year`.
pub fn inspected_in(conn: &Connection, year: i32) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached(INSPECTED_IN_YEAR)?;
    let rows = stmt.query_map([year], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
