//! Requests for a further substitution of a seat and their approvals (schema v8), and a
//! draw's substitutions with the approval each was made under. Insert and read, never update.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, from_json};
use crate::domain::draw::record::{Ineligible, Substitution, SubstitutionApproval};

/// A request as stored, with its visit and its audit event's actor and time, and the
/// approval's event number once approved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestRow {
    pub id: i64,
    pub visit_id: i64,
    pub draw_id: String,
    pub entity: String,
    pub out: String,
    pub reason: String,
    pub seq: u64,
    pub by: String,
    pub at: String,
    pub approved_seq: Option<u64>,
}

pub fn insert_request(
    conn: &Connection,
    visit_id: i64,
    out: &str,
    reason: &str,
    seq: u64,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO substitution_requests (visit_id, out, reason, seq) VALUES (?1, ?2, ?3, ?4)",
        params![visit_id, out, reason, seq],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_approval(conn: &Connection, request: i64, seq: u64) -> Result<()> {
    conn.execute(
        "INSERT INTO substitution_approvals (request_id, seq) VALUES (?1, ?2)",
        params![request, seq],
    )?;
    Ok(())
}

/// The columns of a request, as a literal for `concat!`.
macro_rules! select_request {
    () => {
        "SELECT r.id, r.visit_id, v.draw_id, v.entity, r.out, r.reason, r.seq, a.actor, a.at, ap.seq
         FROM substitution_requests r
         JOIN visits v ON v.id = r.visit_id
         JOIN audit_log a ON a.seq = r.seq
         LEFT JOIN substitution_approvals ap ON ap.request_id = r.id"
    };
}

fn row_to_request(r: &rusqlite::Row<'_>) -> rusqlite::Result<RequestRow> {
    Ok(RequestRow {
        id: r.get(0)?,
        visit_id: r.get(1)?,
        draw_id: r.get(2)?,
        entity: r.get(3)?,
        out: r.get(4)?,
        reason: r.get(5)?,
        seq: r.get(6)?,
        by: r.get(7)?,
        at: r.get(8)?,
        approved_seq: r.get(9)?,
    })
}

pub fn request(conn: &Connection, id: i64) -> Result<Option<RequestRow>> {
    Ok(conn
        .query_row(
            concat!(select_request!(), " WHERE r.id = ?1"),
            [id],
            row_to_request,
        )
        .optional()?)
}

/// The requests of a draw (every draw with `None`), oldest first.
pub fn requests(conn: &Connection, draw: Option<&str>) -> Result<Vec<RequestRow>> {
    let mut stmt = conn.prepare(concat!(
        select_request!(),
        " WHERE ?1 IS NULL OR v.draw_id = ?1 ORDER BY r.id"
    ))?;
    let rows = stmt.query_map([draw], row_to_request)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The substitutions of a draw in order, each with the request it was approved on, if any
/// (the approval's event is the substitution's own).
pub fn substitutions(conn: &Connection, draw: &str) -> Result<Vec<Substitution>> {
    let mut stmt = conn.prepare(
        "SELECT v.entity, s.out, s.replacement, s.reason, s.skipped, a.at, a.actor, ra.actor, ra.at
         FROM substitutions s
         JOIN visits v ON v.id = s.visit_id
         JOIN audit_log a ON a.seq = s.seq
         LEFT JOIN substitution_approvals ap ON ap.seq = s.seq
         LEFT JOIN substitution_requests r ON r.id = ap.request_id
         LEFT JOIN audit_log ra ON ra.seq = r.seq
         WHERE v.draw_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([draw], |r| {
        Ok((
            [
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ],
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let ([entity, o, replacement, reason, skipped, at, by], asked_by, asked_at) = row?;
        let skipped: Vec<Ineligible> = from_json("substitutions.skipped", &skipped)?;
        let approval = match (asked_by, asked_at) {
            (Some(requested_by), Some(requested_at)) => Some(SubstitutionApproval {
                requested_by,
                requested_at,
            }),
            _ => None,
        };
        out.push(Substitution {
            entity,
            out: o,
            replacement,
            reason,
            skipped,
            at,
            by,
            approval,
            withheld: false,
        });
    }
    Ok(out)
}
