//! Visit events, result drafts, submitted results, corrections and follow-ups.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{ById, Result, StoreError, Visits, each_visit_row, from_json, id_range, to_json};
use crate::domain::result::InspectionResult;
use crate::domain::result_records::{Correction, Decision, Draft, FollowUp, Submitted};
use crate::domain::visit::VisitDates;

/// A stored day (`YYYY-MM-DD`). The digits are read directly (the year's end of a county of
/// 100,000 has 100,000 events to read for the overview); anything else goes through chrono's
/// parser, which refuses what it refuses.
fn date(s: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
        && let Some(day) = NaiveDate::from_ymd_opt(y as i32, m, d)
    {
        return Ok(day);
    }
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("日期“{s}”")))
}

/// The events of every visit: (visit id → kind → day).
pub fn events(conn: &Connection) -> Result<ById<VisitDates>> {
    events_of(conn, Visits::All)
}

/// The dates of one visit (none yet for a visit just drawn).
pub fn dates_of(conn: &Connection, id: i64) -> Result<VisitDates> {
    Ok(events_of(conn, Visits::One(id))?
        .remove(&id)
        .unwrap_or_default())
}

/// Ranges of visit ids wider than this are read by a pass over the events (see [`events_of`]).
const WIDE: i64 = 65_536;

/// The dates of the visits `which` covers: their events, 未实施 marks and the day each
/// result was entered (visit id → dates; a visit with none is absent).
pub fn events_of(conn: &Connection, which: Visits<'_>) -> Result<ById<VisitDates>> {
    let mut out: ById<VisitDates> = ById::default();
    // A wide range (every visit's, or a span of many): the table in one pass (`+visit_id`
    // keeps SQLite off the index of (visit_id, kind), which costs a look-up of the row for
    // each event: 1,000,000 at the year's end of a county of a million). Narrow ones: the
    // index.
    let wide = which
        .ranges()
        .iter()
        .any(|[low, high]| high.saturating_sub(*low) > WIDE);
    let mut events = conn.prepare(if wide {
        "SELECT visit_id, kind, day, reason FROM visit_events WHERE +visit_id BETWEEN ?1 AND ?2"
    } else {
        "SELECT visit_id, kind, day, reason FROM visit_events WHERE visit_id BETWEEN ?1 AND ?2"
    })?;
    each_visit_row(&mut events, which, |id, r| {
        let d = date(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)?;
        let v = out.entry(id).or_default();
        match r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)? {
            "start" => (v.started, v.start_reason) = (Some(d), r.get(3)?),
            "complete" => (v.completed, v.complete_reason) = (Some(d), r.get(3)?),
            "publish" => v.published = Some(d),
            _ => {}
        }
        Ok(())
    })?;
    let mut lapses =
        conn.prepare("SELECT visit_id, reason FROM visit_lapses WHERE visit_id BETWEEN ?1 AND ?2")?;
    each_visit_row(&mut lapses, which, |id, r| {
        out.entry(id).or_default().lapsed = Some(r.get(1)?);
        Ok(())
    })?;
    let mut entered = conn
        .prepare("SELECT visit_id, submitted_on FROM results WHERE visit_id BETWEEN ?1 AND ?2")?;
    each_visit_row(&mut entered, which, |id, r| {
        let d = date(r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)?;
        out.entry(id).or_default().entered = Some(d);
        Ok(())
    })?;
    Ok(out)
}

pub fn add_event(
    conn: &Connection,
    visit_id: i64,
    kind: &str,
    day: NaiveDate,
    seq: u64,
) -> Result<()> {
    add_event_with_reason(conn, visit_id, kind, day, None, seq)
}

/// A step with the reason it was taken outside the visit's windows.
pub fn add_event_with_reason(
    conn: &Connection,
    visit_id: i64,
    kind: &str,
    day: NaiveDate,
    reason: Option<&str>,
    seq: u64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO visit_events (visit_id, kind, day, reason, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![visit_id, kind, day.to_string(), reason, seq],
    )?;
    Ok(())
}

/// Marks a visit 未实施 with the reason.
pub fn add_lapse(conn: &Connection, visit_id: i64, reason: &str, seq: u64) -> Result<()> {
    conn.execute(
        "INSERT INTO visit_lapses (visit_id, reason, seq) VALUES (?1, ?2, ?3)",
        params![visit_id, reason, seq],
    )?;
    Ok(())
}

/// `author`'s own draft of a visit's result (drafts are per user, schema v13).
pub fn draft(conn: &Connection, visit_id: i64, author: &str) -> Result<Option<Draft>> {
    Ok(drafts(conn, visit_id)?
        .into_iter()
        .find(|d| d.author == author))
}

/// Every draft of a visit's result, one per author, the most recently saved first.
pub fn drafts(conn: &Connection, visit_id: i64) -> Result<Vec<Draft>> {
    let mut stmt = conn.prepare(
        "SELECT author, data, updated_at FROM result_drafts WHERE visit_id = ?1
         ORDER BY updated_at DESC, author",
    )?;
    let rows: Vec<(String, String, String)> = stmt
        .query_map([visit_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(author, data, updated_at)| {
            Ok(Draft {
                author,
                result: from_json("result_drafts", &data)?,
                updated_at,
            })
        })
        .collect()
}

/// Saves `author`'s draft, replacing only their own.
pub fn put_draft(
    conn: &Connection,
    visit_id: i64,
    author: &str,
    result: &InspectionResult,
    at: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO result_drafts (visit_id, author, data, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (visit_id, author) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        params![visit_id, author, to_json(result), at],
    )?;
    Ok(())
}

/// Drops `author`'s draft of a visit's result; the teammates' stay.
pub fn drop_draft(conn: &Connection, visit_id: i64, author: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM result_drafts WHERE visit_id = ?1 AND author = ?2",
        params![visit_id, author],
    )?;
    Ok(())
}

pub struct NewResult<'a> {
    pub visit_id: i64,
    pub result: &'a InspectionResult,
    pub by: &'a str,
    pub on: NaiveDate,
    pub due: NaiveDate,
    pub late: bool,
    pub seq: u64,
}

pub fn insert_result(conn: &Connection, r: &NewResult<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO results (visit_id, data, submitted_by, submitted_on, due, late, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![r.visit_id, to_json(r.result), r.by, r.on.to_string(), r.due.to_string(), r.late, r.seq],
    )?;
    Ok(())
}

fn row_to_submitted(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Submitted, String)> {
    Ok((
        Submitted {
            visit_id: r.get(0)?,
            result: InspectionResult::default(),
            submitted_by: r.get(2)?,
            submitted_on: r.get(3)?,
            due: r.get(4)?,
            late: r.get(5)?,
            seq: r.get(6)?,
        },
        r.get(1)?,
    ))
}

pub fn result(conn: &Connection, visit_id: i64) -> Result<Option<Submitted>> {
    let row = conn
        .query_row("SELECT visit_id, data, submitted_by, submitted_on, due, late, seq FROM results WHERE visit_id = ?1", [visit_id], row_to_submitted)
        .optional()?;
    row.map(|(mut s, data)| {
        s.result = from_json("results", &data)?;
        Ok(s)
    })
    .transpose()
}

/// Every submitted result, by visit.
pub fn all_results(conn: &Connection) -> Result<HashMap<i64, Submitted>> {
    let mut stmt = conn.prepare(
        "SELECT visit_id, data, submitted_by, submitted_on, due, late, seq FROM results",
    )?;
    let mut out = HashMap::new();
    for row in stmt.query_map([], row_to_submitted)? {
        let (mut s, data) = row?;
        s.result = from_json("results", &data)?;
        out.insert(s.visit_id, s);
    }
    Ok(out)
}

/// Whether each submitted result of the visits `which` covers was late (visit id → late):
/// all a list of visits shows of a result, read without parsing the results.
pub fn late_of(conn: &Connection, which: Visits<'_>) -> Result<ById<bool>> {
    let mut stmt =
        conn.prepare("SELECT visit_id, late FROM results WHERE visit_id BETWEEN ?1 AND ?2")?;
    let mut out = ById::default();
    each_visit_row(&mut stmt, which, |id, r| {
        out.insert(id, r.get(1)?);
        Ok(())
    })?;
    Ok(out)
}

/// The visits with a correction waiting for the principal's decision (a visit twice if two
/// wait), as [`corrections`] lists them undecided, without reading the corrections.
pub fn pending_correction_visits(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT c.visit_id FROM corrections c JOIN audit_log a ON a.seq = c.seq
         WHERE NOT EXISTS (SELECT 1 FROM correction_decisions d WHERE d.correction_id = c.id)
         ORDER BY c.id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_correction(
    conn: &Connection,
    visit_id: i64,
    result: &InspectionResult,
    reason: &str,
    by: &str,
    seq: u64,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO corrections (visit_id, data, reason, filed_by, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![visit_id, to_json(result), reason, by, seq],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn decide(
    conn: &Connection,
    correction_id: i64,
    approved: bool,
    by: &str,
    note: &str,
    seq: u64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO correction_decisions (correction_id, approved, decided_by, note, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![correction_id, approved, by, note, seq],
    )?;
    Ok(())
}

/// Corrections, oldest first; of one visit, or all.
pub fn corrections(conn: &Connection, visit_id: Option<i64>) -> Result<Vec<Correction>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.visit_id, c.data, c.reason, c.filed_by, a.at, c.seq,
                d.approved, d.decided_by, da.at, d.note, d.seq
         FROM corrections c JOIN audit_log a ON a.seq = c.seq
         LEFT JOIN correction_decisions d ON d.correction_id = c.id
         LEFT JOIN audit_log da ON da.seq = d.seq
         WHERE ?1 IS NULL OR c.visit_id = ?1 ORDER BY c.id",
    )?;
    let rows = stmt.query_map([visit_id], |r| {
        let decision = match r.get::<_, Option<bool>>(7)? {
            Some(approved) => Some(Decision {
                approved,
                by: r.get(8)?,
                at: r.get(9)?,
                note: r.get(10)?,
                seq: r.get(11)?,
            }),
            None => None,
        };
        Ok((
            Correction {
                id: r.get(0)?,
                visit_id: r.get(1)?,
                result: InspectionResult::default(),
                reason: r.get(3)?,
                filed_by: r.get(4)?,
                filed_at: r.get(5)?,
                seq: r.get(6)?,
                decision,
            },
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut c, data) = row?;
        c.result = from_json("corrections", &data)?;
        out.push(c);
    }
    Ok(out)
}

pub fn insert_followup(
    conn: &Connection,
    visit_id: i64,
    kind: &str,
    case_no: &str,
    note: &str,
    seq: u64,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO followups (visit_id, kind, case_no, note, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![visit_id, kind, case_no, note, seq],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update_followup(
    conn: &Connection,
    id: i64,
    status: &str,
    closed_on: Option<NaiveDate>,
    note: &str,
    seq: u64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO followup_updates (followup_id, status, closed_on, note, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, status, closed_on.map(|d| d.to_string()), note, seq],
    )?;
    Ok(())
}

pub fn followups(conn: &Connection, visit_id: Option<i64>) -> Result<Vec<FollowUp>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.visit_id, f.kind, f.case_no, f.note, a.actor, a.at,
                (SELECT u.status FROM followup_updates u WHERE u.followup_id = f.id ORDER BY u.id DESC LIMIT 1),
                (SELECT u.closed_on FROM followup_updates u WHERE u.followup_id = f.id ORDER BY u.id DESC LIMIT 1)
         FROM followups f JOIN audit_log a ON a.seq = f.seq
         WHERE ?1 IS NULL OR f.visit_id = ?1 ORDER BY f.id",
    )?;
    let rows = stmt.query_map([visit_id], |r| {
        Ok(FollowUp {
            id: r.get(0)?,
            visit_id: r.get(1)?,
            kind: r.get(2)?,
            case_no: r.get(3)?,
            note: r.get(4)?,
            opened_by: r.get(5)?,
            opened_at: r.get(6)?,
            status: r
                .get::<_, Option<String>>(7)?
                .unwrap_or_else(|| "办理中".to_string()),
            closed_on: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that a visit's result is marked for the next publicity export (谁公示) by `by` on
/// `day`, logged as audit event `seq`.
pub fn add_publication_mark(
    conn: &Connection,
    visit_id: i64,
    by: &str,
    day: NaiveDate,
    seq: u64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO publication_marks (visit_id, marked_by, day, seq) VALUES (?1, ?2, ?3, ?4)",
        params![visit_id, by, day.to_string(), seq],
    )?;
    Ok(())
}

/// The publication marks of one visit (`Some(id)`) or of every visit: visit id → (who, day,
/// audit seq).
pub fn publication_marks(
    conn: &Connection,
    only: Option<i64>,
) -> Result<HashMap<i64, (String, NaiveDate, u64)>> {
    let mut stmt = conn.prepare(
        "SELECT visit_id, marked_by, day, seq FROM publication_marks WHERE visit_id BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt.query_map(id_range(only), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u64>(3)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (visit_id, by, day, seq) = row?;
        out.insert(visit_id, (by, date(&day)?, seq));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    /// The stored days read as chrono reads them, whatever the text.
    #[test]
    fn days_read_as_chrono_reads_them() {
        for text in [
            "2026-12-08",
            "2024-02-29",
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "0001-01-01",
            "9999-12-31",
            "2026-1-08",
            "2026/12/08",
            "２０２６-12-08",
            "+2026-12-08",
            " 2026-12-08",
            "2026-12-08 ",
            "",
            "20261208",
            "2026-12-0a",
        ] {
            let ours = super::date(text).ok();
            let chrono = text.parse::<NaiveDate>().ok();
            assert_eq!(ours, chrono, "{text:?}");
        }
    }
}
