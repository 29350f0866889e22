//! Draws, runs, voids, visits, teams and substitutions: insert and read, never update.

use std::collections::HashMap;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};

use serde::{Deserialize, Serialize};

use super::binding::optional_text;
use super::{ById, Result, Visits, from_json, to_json};
use crate::domain::draw::record::{
    DrawRecord, Ineligible, Prepared, PrivatePart, Seat, StratumResult, Substitution, Team,
    VisitResult,
};
use crate::domain::draw::{Draw, RunInfo, VoidInfo};

/// Stores a preparation: `prepared` is its canonical text, the very bytes `commitment` is the
/// SHA-256 of (serialised once, by `commit::canonical_with_commitment`). The text is let go
/// as soon as SQLite has its copy.
pub fn insert(
    conn: &Connection,
    id: &str,
    period: &str,
    tasks: &[String],
    prepared: String,
    commitment: &str,
    seq: u64,
) -> Result<()> {
    // Bound without the capture trigger, which would read the long text back to hash it.
    let tasks = to_json(&tasks);
    one_row(
        conn,
        "draws",
        &[
            "id",
            "period",
            "tasks",
            "prepared",
            "commitment",
            "prepared_seq",
        ],
        vec![
            Value::Text(id.to_string()),
            Value::Text(period.to_string()),
            Value::Text(tasks),
            Value::Text(prepared),
            Value::Text(commitment.to_string()),
            Value::Integer(seq as i64),
        ],
    )
}

/// One row written through [`super::binding::Bulk`]: its digest is computed from the values
/// as bound, so SQLite never hands a copy of a long text to the capture trigger, and the
/// values are let go once SQLite has its copy (see [`super::binding::Bulk::row_owned`]).
fn one_row(conn: &Connection, table: &str, cols: &[&str], values: Vec<Value>) -> Result<()> {
    let mut row = super::binding::Bulk::insert(conn, table, cols)?;
    row.row_owned(values)?;
    row.finish()
}

/// Stores a v2 draw's private part and the system's seed part, at preparation.
pub fn insert_private(
    conn: &Connection,
    id: &str,
    private: &PrivatePart,
    system_part: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO draw_private (draw_id, private, system_part) VALUES (?1, ?2, ?3)",
        params![id, to_json(private), system_part],
    )?;
    Ok(())
}

/// A v2 draw's private part and system seed part; `None` for a v1 draw.
pub fn private(conn: &Connection, id: &str) -> Result<Option<(PrivatePart, String)>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT private, system_part FROM draw_private WHERE draw_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(p, s)| Ok((from_json(id, &p)?, s))).transpose()
}

/// The next free id for a period: `2026Q2-01`, `2026Q2-02` …
pub fn next_id(conn: &Connection, period: &str) -> Result<String> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM draws WHERE period = ?1",
        [period],
        |r| r.get(0),
    )?;
    Ok(format!("{period}-{:02}", n + 1))
}

/// The columns of a draw with its run and void, as a literal for `concat!`. Read from the
/// covering indexes of schema v14 (`draws_listed`, `draw_runs_listed`), never from the rows,
/// whose preparation and record lie before their audit numbers (SQLite would walk every page
/// of those texts); `INDEXED BY`, because SQLite would otherwise take the run's primary key.
macro_rules! select_draw {
    () => {
        "
    SELECT d.id, d.period, d.tasks, d.commitment, d.prepared_seq, pa.actor, pa.at,
           r.run_seq, ra.actor, ra.at,
           v.seq, va.actor, va.at, v.reason,
           ap.seq, apa.actor, apa.at
    FROM draws d INDEXED BY draws_listed
    JOIN audit_log pa ON pa.seq = d.prepared_seq
    LEFT JOIN draw_runs r INDEXED BY draw_runs_listed ON r.draw_id = d.id
    LEFT JOIN audit_log ra ON ra.seq = r.run_seq
    LEFT JOIN draw_void_requests v ON v.draw_id = d.id
    LEFT JOIN audit_log va ON va.seq = v.seq
    LEFT JOIN draw_void_approvals ap ON ap.draw_id = d.id
    LEFT JOIN audit_log apa ON apa.seq = ap.seq"
    };
}

fn row_to_draw(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Draw, String)> {
    let run = match r.get::<_, Option<u64>>(7)? {
        Some(seq) => Some(RunInfo {
            seq,
            by: r.get(8)?,
            at: r.get(9)?,
        }),
        None => None,
    };
    let reason: Option<String> = r.get(13)?;
    let void_request = match r.get::<_, Option<u64>>(10)? {
        Some(seq) => Some(VoidInfo {
            seq,
            by: r.get(11)?,
            at: r.get(12)?,
            reason: reason.clone().unwrap_or_default(),
        }),
        None => None,
    };
    let void_approved = match r.get::<_, Option<u64>>(14)? {
        Some(seq) => Some(VoidInfo {
            seq,
            by: r.get(15)?,
            at: r.get(16)?,
            reason: reason.unwrap_or_default(),
        }),
        None => None,
    };
    Ok((
        Draw {
            id: r.get(0)?,
            period: r.get(1)?,
            tasks: vec![],
            commitment: r.get(3)?,
            prepared_seq: r.get(4)?,
            prepared_by: r.get(5)?,
            prepared_at: r.get(6)?,
            run,
            void_request,
            void_approved,
        },
        r.get(2)?,
    ))
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Draw>> {
    let row = conn
        .query_row(
            concat!(select_draw!(), " WHERE d.id = ?1"),
            [id],
            row_to_draw,
        )
        .optional()?;
    row.map(|(mut d, tasks)| {
        d.tasks = from_json(id, &tasks)?;
        Ok(d)
    })
    .transpose()
}

/// Every draw, oldest first.
pub fn all(conn: &Connection) -> Result<Vec<Draw>> {
    let mut stmt = conn.prepare(concat!(select_draw!(), " ORDER BY d.prepared_seq"))?;
    let rows = stmt.query_map([], row_to_draw)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut d, tasks) = row?;
        d.tasks = from_json(&d.id, &tasks)?;
        out.push(d);
    }
    Ok(out)
}

pub fn prepared(conn: &Connection, id: &str) -> Result<Prepared> {
    prepared_from(id, &prepared_text(conn, id)?)
}

/// The stored text of draw `id`'s preparation: the bytes its commitment hashes.
pub fn prepared_text(conn: &Connection, id: &str) -> Result<String> {
    Ok(
        conn.query_row("SELECT prepared FROM draws WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// A preparation read from its stored text ([`prepared_text`]).
pub fn prepared_from(id: &str, text: &str) -> Result<Prepared> {
    from_json(id, text)
}

/// `prepared` in a stored run record: by reference since issue 12 (the row of `draws` whose
/// commitment this is), embedded in records stored before.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredPrepared {
    Reference(PreparedRef),
    Embedded(Box<Prepared>),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreparedRef {
    commitment: String,
}

/// `visits` in a stored run record: by their count since the run row stopped repeating the
/// rows of `visits` and `visit_team` (issue 12), embedded in records stored before.
enum StoredVisits {
    Rows(VisitsRef),
    Embedded(Vec<VisitResult>),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitsRef {
    /// How many visits the run drew: the rows of `visits` with this draw's id.
    rows: u64,
}

/// An object is the reference, an array the visits themselves. Told apart by the first
/// token rather than by trying each form (serde's untagged enums buffer the whole value
/// first, which for an embedded list of a large run is a second copy of it).
impl<'de> Deserialize<'de> for StoredVisits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = StoredVisits;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of visits or {\"rows\": N}")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<StoredVisits, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(StoredVisits::Embedded)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<StoredVisits, A::Error> {
                VisitsRef::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(StoredVisits::Rows)
            }
        }
        d.deserialize_any(Either)
    }
}

/// A run record as `draw_runs.record` keeps it: the record's own fields, with `prepared` by
/// reference (`{"commitment": …}`) and the private part left in `draw_private`, where both
/// were stored at preparation. Rows stored before embed both and read as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRecord {
    format: String,
    draw_id: String,
    period: String,
    algorithm: String,
    prepared: StoredPrepared,
    #[serde(default)]
    private: Option<PrivatePart>,
    commitment: String,
    seed_parts: Vec<String>,
    seed_sources: Vec<String>,
    seed: String,
    #[serde(default)]
    run_on: String,
    witnesses: Vec<String>,
    strata: Vec<StratumResult>,
    visits: StoredVisits,
    #[serde(default)]
    substitutions: Vec<Substitution>,
    #[serde(default)]
    checkpoint: Option<crate::domain::audit::Checkpoint>,
}

/// The stored text of a run record as new rows keep it: `prepared` by its commitment and
/// `visits` by their count (the rows of `visits` and `visit_team`, written with it), no
/// private part, no checkpoint (it is the run event, read back from the log). Each fact is
/// stored once: at a million entities the visits were 230 MB of text beside their rows.
/// Written member by member ([`crate::domain::draw::record::members_as_run`]).
pub fn run_row_text(record: &DrawRecord) -> String {
    let mut text = Vec::new();
    {
        let mut out = |b: &[u8]| text.extend_from_slice(b);
        let mut m = crate::domain::canonical::Members::new(&mut out);
        let prepared = PreparedRef {
            commitment: record.commitment.clone(),
        };
        let visits = VisitsRef {
            rows: record.visits.len() as u64,
        };
        crate::domain::draw::record::members_as_run(
            record,
            Some(crate::domain::draw::record::RowParts {
                prepared: &prepared,
                visits: &visits,
            }),
            &mut m,
        );
        m.end();
    }
    String::from_utf8(text).expect("JSON text is UTF-8")
}

/// Stores a run: the record (`prepared` and `visits` by reference, see [`run_row_text`]), and
/// a visit with its team for every visit of it.
pub fn insert_run(conn: &Connection, record: &DrawRecord, seq: u64) -> Result<()> {
    one_row(
        conn,
        "draw_runs",
        &["draw_id", "seed", "run_on", "record", "run_seq"],
        vec![
            Value::Text(record.draw_id.clone()),
            Value::Text(record.seed.clone()),
            Value::Text(record.run_on.clone()),
            Value::Text(run_row_text(record)),
            Value::Integer(seq as i64),
        ],
    )?;
    // Written in bulk, bound to the run's event without the capture triggers (see
    // `binding::Bulk`): tens of thousands of visits and seats.
    let mut visit = super::binding::Bulk::insert(
        conn,
        "visits",
        &[
            "id", "draw_id", "entity", "tasks", "ticket", "problem", "note",
        ],
    )?;
    let mut seat = super::binding::Bulk::insert(
        conn,
        "visit_team",
        &["visit_id", "inspector", "department", "lead", "ticket"],
    )?;
    for v in &record.visits {
        let tasks = to_json(&v.tasks);
        let visit_id = visit.row(&[
            ValueRef::Null,
            ValueRef::Text(record.draw_id.as_bytes()),
            ValueRef::Text(v.entity.as_bytes()),
            ValueRef::Text(tasks.as_bytes()),
            ValueRef::Text(v.ticket.as_bytes()),
            optional_text(&v.problem),
            optional_text(&v.note),
        ])?;
        for s in &v.team {
            seat.row(&[
                ValueRef::Integer(visit_id),
                ValueRef::Text(s.inspector.as_bytes()),
                ValueRef::Text(s.department.as_bytes()),
                ValueRef::Integer(i64::from(s.lead)),
                ValueRef::Text(s.ticket.as_bytes()),
            ])?;
        }
    }
    visit.finish()?;
    seat.finish()?;
    Ok(())
}

/// The record as run (without later substitutions).
pub fn run_record(conn: &Connection, id: &str) -> Result<Option<DrawRecord>> {
    Ok(run_record_as_stored(conn, id)?.map(|(record, _)| record))
}

/// What a run row holds itself rather than by reference to the rows it shares with the
/// draw: a row stored before issue 12 embeds its preparation, one stored before the visits
/// were kept once embeds its visits. What a row refers to is read from those very rows, so
/// only what it embeds is worth comparing with them (`draw verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embeds {
    pub prepared: bool,
    pub visits: bool,
}

/// [`run_record`], and what its row embeds.
pub fn run_record_as_stored(conn: &Connection, id: &str) -> Result<Option<(DrawRecord, Embeds)>> {
    let row: Option<(String, u64)> = conn
        .query_row(
            "SELECT record, run_seq FROM draw_runs WHERE draw_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((text, seq)) = row else {
        return Ok(None);
    };
    let stored: StoredRecord = from_json(id, &text)?;
    drop(text);
    let embeds = Embeds {
        prepared: matches!(stored.prepared, StoredPrepared::Embedded(_)),
        visits: matches!(stored.visits, StoredVisits::Embedded(_)),
    };
    let (prepared, private) = match stored.prepared {
        StoredPrepared::Embedded(p) => (*p, stored.private),
        // By reference: the preparation and private part stored with the draw (`draw verify`
        // re-computes the commitment from them).
        StoredPrepared::Reference(r) if r.commitment != stored.commitment => {
            return Err(super::StoreError::Corrupt(format!(
                "抽取 {id} 的运行记录所引用的承诺值与记录中的承诺值不同"
            )));
        }
        StoredPrepared::Reference(_) => (
            prepared(conn, id)?,
            stored.private.or(private(conn, id)?.map(|(p, _)| p)),
        ),
    };
    let visits = match stored.visits {
        StoredVisits::Embedded(v) => v,
        StoredVisits::Rows(r) => {
            let v = visit_results(conn, id)?;
            if v.len() as u64 != r.rows {
                return Err(super::StoreError::Corrupt(format!(
                    "抽取 {id} 的运行记录登记了{}个检查任务，检查任务表中有{}个",
                    r.rows,
                    v.len()
                )));
            }
            v
        }
    };
    let mut record = DrawRecord {
        format: stored.format,
        draw_id: stored.draw_id,
        period: stored.period,
        algorithm: stored.algorithm,
        prepared,
        private,
        commitment: stored.commitment,
        seed_parts: stored.seed_parts,
        seed_sources: stored.seed_sources,
        seed: stored.seed,
        run_on: stored.run_on,
        witnesses: stored.witnesses,
        strata: stored.strata,
        visits,
        substitutions: stored.substitutions,
        checkpoint: stored.checkpoint,
    };
    // The checkpoint is the run event; records stored since rows are bound to the log leave
    // it to the log (older ones carry it, and it is the same).
    if record.checkpoint.is_none()
        && let Some(head) = super::audit::hash_at(conn, seq)?
    {
        record.checkpoint = Some(crate::domain::audit::Checkpoint { size: seq, head });
    }
    Ok(Some((record, embeds)))
}

pub fn request_void(conn: &Connection, id: &str, reason: &str, seq: u64) -> Result<()> {
    conn.execute(
        "INSERT INTO draw_void_requests (draw_id, reason, seq) VALUES (?1, ?2, ?3)",
        params![id, reason, seq],
    )?;
    Ok(())
}

pub fn approve_void(conn: &Connection, id: &str, seq: u64) -> Result<()> {
    conn.execute(
        "INSERT INTO draw_void_approvals (draw_id, seq) VALUES (?1, ?2)",
        params![id, seq],
    )?;
    Ok(())
}

pub fn visit_id(conn: &Connection, draw: &str, entity: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM visits WHERE draw_id = ?1 AND entity = ?2",
            params![draw, entity],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn insert_substitution(
    conn: &Connection,
    visit_id: i64,
    s: &Substitution,
    seq: u64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO substitutions (visit_id, out, replacement, reason, skipped, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![visit_id, s.out, s.replacement, s.reason, to_json(&s.skipped), seq],
    )?;
    Ok(())
}

/// The substitutions of a draw, in order.
pub fn substitutions(conn: &Connection, draw: &str) -> Result<Vec<Substitution>> {
    let mut stmt = conn.prepare(
        "SELECT v.entity, s.out, s.replacement, s.reason, s.skipped, a.at, a.actor
         FROM substitutions s JOIN visits v ON v.id = s.visit_id JOIN audit_log a ON a.seq = s.seq
         WHERE v.draw_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([draw], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (entity, o, replacement, reason, skipped, at, by) = row?;
        let skipped: Vec<Ineligible> = from_json("substitutions.skipped", &skipped)?;
        out.push(Substitution {
            entity,
            out: o,
            replacement,
            reason,
            skipped,
            at,
            by,
            ..Default::default()
        });
    }
    Ok(out)
}

/// One visit of a run draw, with its current team (substitutions applied).
#[derive(Debug, Clone, serde::Serialize)]
pub struct VisitRow {
    pub id: i64,
    pub draw_id: String,
    pub period: String,
    pub entity: String,
    pub tasks: Vec<String>,
    pub ticket: String,
    pub problem: Option<String>,
    /// The rules' mark on the visit when drawn (over the cap for a full-coverage task).
    pub note: Option<String>,
    pub team: Team,
    /// The day the draw was run.
    pub drawn_on: String,
}

/// Every visit of every run, not voided draw (optionally of one year), oldest draw first.
pub fn live_visits(conn: &Connection, year: Option<i32>) -> Result<Vec<VisitRow>> {
    live_visits_where(conn, year, Visits::All)
}

/// One visit, if its draw was run and not voided.
pub fn live_visit(conn: &Connection, id: i64) -> Result<Option<VisitRow>> {
    Ok(live_visits_where(conn, None, Visits::One(id))?.pop())
}

/// The draws run and not voided, of the year `?1` (or all when it is NULL), answered from
/// the covering indexes of schema v14 (as [`select_draw`]): [`live_draws`]' query, and the
/// draws of [`STARTED_ENTITIES_IN_YEAR`]. A literal for `concat!`.
macro_rules! live_draws_sql {
    () => {
        "SELECT d.id, d.period, d.prepared_seq, r.run_on
     FROM draws d INDEXED BY draws_listed
     JOIN draw_runs r INDEXED BY draw_runs_listed ON r.draw_id = d.id
     WHERE NOT EXISTS (SELECT 1 FROM draw_void_approvals a WHERE a.draw_id = d.id)
       AND (?1 IS NULL OR substr(d.period, 1, 4) = CAST(?1 AS TEXT))"
    };
}

const LIVE_DRAWS: &str = live_draws_sql!();

/// The entities of the year `?1`'s visits whose draw was run and not voided and that were
/// started (a start recorded): what the key coverage counts as inspected by a random visit.
/// One column, `entity` (an entity visited twice is there twice); read by the key
/// coverage's count in SQLite ([`super::entities::key_coverage_in`]). Driven from the starts
/// (`CROSS JOIN` keeps that order: a quarter just drawn has 32,000 visits at 100,000
/// entities and no start, and there are never more starts than visits), each visit's draw
/// looked up among the year's few live draws, read once.
pub(crate) const STARTED_ENTITIES_IN_YEAR: &str = concat!(
    "SELECT v.entity AS entity
     FROM visit_events e CROSS JOIN visits v ON v.id = e.visit_id
     WHERE e.kind = 'start' AND v.draw_id IN (SELECT id FROM (",
    live_draws_sql!(),
    "))"
);

/// The draws run and not voided (of the year `year`, or all): id → (period, prepared_seq,
/// the day it was run). Few, each read once, rather than joined to every visit (32,000 a
/// quarter at 100,000 entities).
fn live_draws(
    conn: &Connection,
    year: Option<i32>,
) -> Result<HashMap<String, (String, i64, String)>> {
    let mut stmt = conn.prepare(LIVE_DRAWS)?;
    let live = stmt
        .query_map([year], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(live)
}

/// The live visits (of the year `year`, or all) among those `which` covers, oldest draw
/// first, then by ticket (as SQLite orders text: by its bytes), then by id.
pub fn live_visits_where(
    conn: &Connection,
    year: Option<i32>,
    which: Visits<'_>,
) -> Result<Vec<VisitRow>> {
    let live = live_draws(conn, year)?;
    let mut stmt = conn.prepare(
        "SELECT id, draw_id, entity, tasks, ticket, problem, note FROM visits
         WHERE id BETWEEN ?1 AND ?2",
    )?;
    let mut rows = Vec::new();
    super::each_visit_row(&mut stmt, which, |id, r| {
        let draw_id = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        if let Some((period, prepared_seq, drawn_on)) = live.get(draw_id) {
            rows.push((
                *prepared_seq,
                r.get::<_, String>(4)?,
                id,
                draw_id.to_string(),
                period.clone(),
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(5)?,
                drawn_on.clone(),
                r.get::<_, Option<String>>(6)?,
            ));
        }
        Ok(())
    })?;
    rows.sort_unstable_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    let mut teams = teams_in(conn, which)?;
    let mut out = Vec::with_capacity(rows.len());
    for (_, ticket, id, draw_id, period, entity, tasks, problem, drawn_on, note) in rows {
        out.push(VisitRow {
            id,
            draw_id,
            period,
            entity,
            tasks: from_json("visits.tasks", &tasks)?,
            ticket,
            problem,
            note,
            team: teams.remove(&id).unwrap_or_default(),
            drawn_on,
        });
    }
    Ok(out)
}

/// The current teams (substitutions applied) of the visits in `ranges`: their seats and
/// substitutions each read in one pass a range (not one query a visit: a county of 100,000
/// has 32,000 visits a quarter), lead first, then as stored.
fn teams_in(conn: &Connection, which: Visits<'_>) -> Result<ById<Team>> {
    // Each team put in order here (lead first, then as stored), not by SQLite: a sort in
    // SQLite is a sorter set up for each run of ids, and a list of an officer's own visits
    // is 2,000 runs on the benches' county.
    let mut stored: ById<Vec<(i64, Seat)>> = ById::default();
    let mut stmt = conn.prepare(
        "SELECT visit_id, inspector, department, lead, ticket, rowid FROM visit_team
         WHERE visit_id BETWEEN ?1 AND ?2",
    )?;
    super::each_visit_row(&mut stmt, which, |id, r| {
        let seat = Seat {
            inspector: r.get(1)?,
            department: r.get(2)?,
            lead: r.get(3)?,
            ticket: r.get(4)?,
        };
        stored.entry(id).or_default().push((r.get(5)?, seat));
        Ok(())
    })?;
    let mut seats: ById<Team> = ById::default();
    seats.reserve(stored.len());
    for (id, mut team) in stored {
        team.sort_unstable_by_key(|(rowid, seat)| (!seat.lead, *rowid));
        seats.insert(id, Team(team.into_iter().map(|(_, seat)| seat).collect()));
    }
    let mut stmt = conn.prepare(
        "SELECT visit_id, out, replacement FROM substitutions
         WHERE visit_id BETWEEN ?1 AND ?2 ORDER BY id",
    )?;
    super::each_visit_row(&mut stmt, which, |id, r| {
        let out = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let replacement = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        seats.entry(id).or_default().replace(out, replacement);
        Ok(())
    })?;
    Ok(seats)
}

/// The current teams of the visits an officer sits on or was substituted into or out of:
/// the candidates for "my visits", read without reading every visit's team. Whether the
/// officer is on a team now is the team's to say ([`Team::includes`]).
pub fn teams_with(conn: &Connection, inspector: &str) -> Result<ById<Team>> {
    let mut stmt = conn.prepare(
        "SELECT visit_id FROM visit_team WHERE inspector = ?1
         UNION SELECT visit_id FROM substitutions WHERE replacement = ?1 OR out = ?1",
    )?;
    let ids: Vec<i64> = stmt
        .query_map([inspector], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    teams_in(conn, Visits::These(&ids))
}

/// A live visit as a screen that counts every visit reads it: no team, entity, ticket or
/// note ([`live_visit_marks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitMark {
    pub id: i64,
    /// Its draw's period: an index into [`VisitMarks::periods`].
    pub period: usize,
    /// Its tasks: an index into [`VisitMarks::tasks`].
    pub tasks: usize,
    /// Drawn without a team ([`VisitRow::problem`] is set).
    pub problem: bool,
}

/// Every live visit, marked ([`live_visit_marks`]), with the periods (one per live draw) and
/// the distinct task lists they refer to.
#[derive(Debug, Clone, Default)]
pub struct VisitMarks {
    pub periods: Vec<String>,
    pub tasks: Vec<Vec<String>>,
    pub visits: Vec<VisitMark>,
}

/// Every visit of every run, not voided draw, by id, in one pass over the visits table:
/// each visit's period and task list are read as an index into the few distinct ones, so
/// that the overview counts 32,000 visits without building a string for each.
pub fn live_visit_marks(conn: &Connection) -> Result<VisitMarks> {
    let live = live_draws(conn, None)?;
    let mut out = VisitMarks::default();
    // By draw id: the index of its period.
    let mut periods: HashMap<&str, usize> = HashMap::new();
    let mut task_lists: HashMap<String, usize> = HashMap::new();
    let mut stmt = conn.prepare("SELECT id, draw_id, tasks, problem IS NOT NULL FROM visits")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let draw_id = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let Some((draw, (period, _, _))) = live.get_key_value(draw_id) else {
            continue;
        };
        let period = match periods.get(draw.as_str()) {
            Some(&i) => i,
            None => {
                out.periods.push(period.clone());
                periods.insert(draw.as_str(), out.periods.len() - 1);
                out.periods.len() - 1
            }
        };
        let text = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        let tasks = match task_lists.get(text) {
            Some(&i) => i,
            None => {
                out.tasks.push(from_json("visits.tasks", text)?);
                task_lists.insert(text.to_string(), out.tasks.len() - 1);
                out.tasks.len() - 1
            }
        };
        out.visits.push(VisitMark {
            id: r.get(0)?,
            period,
            tasks,
            problem: r.get(3)?,
        });
    }
    Ok(out)
}

/// The visits of a draw as the visit tables hold them (teams as drawn, before substitutions),
/// in the order they were stored.
pub fn visit_results(conn: &Connection, draw: &str) -> Result<Vec<VisitResult>> {
    let mut stmt = conn.prepare(
        "SELECT id, entity, tasks, ticket, problem, note FROM visits WHERE draw_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([draw], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut team_stmt = conn.prepare(
        "SELECT inspector, department, lead, ticket FROM visit_team WHERE visit_id = ?1 ORDER BY rowid",
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (id, entity, tasks, ticket, problem, note) = row?;
        let team: Vec<Seat> = team_stmt
            .query_map([id], seat)?
            .collect::<rusqlite::Result<_>>()?;
        out.push(VisitResult {
            entity,
            tasks: from_json("visits.tasks", &tasks)?,
            ticket,
            team,
            problem,
            note,
        });
    }
    Ok(out)
}

/// A seat of a team from a row of (inspector, department, lead, ticket).
fn seat(r: &rusqlite::Row<'_>) -> rusqlite::Result<Seat> {
    Ok(Seat {
        inspector: r.get(0)?,
        department: r.get(1)?,
        lead: r.get(2)?,
        ticket: r.get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    /// The lists of draws read no column of the draw tables' rows, whose preparation and
    /// record come before the columns read: every access to `draws` and `draw_runs` is by a
    /// covering index of schema v14.
    #[test]
    fn the_lists_of_draws_read_only_the_covering_indexes() {
        let store = Store::in_memory().unwrap();
        for sql in [
            concat!(select_draw!(), " ORDER BY d.prepared_seq"),
            concat!(select_draw!(), " WHERE d.id = ?1"),
            super::LIVE_DRAWS,
        ] {
            let plan = crate::store::query_plan(
                store.conn(),
                sql,
                &[rusqlite::types::Value::Null, rusqlite::types::Value::Null],
            );
            for (table, index) in [("d", "draws_listed"), ("r", "draw_runs_listed")] {
                assert!(
                    plan.lines()
                        .any(|l| l.contains(&format!(" {table} USING COVERING INDEX {index}"))),
                    "{table}: {plan}"
                );
                assert!(
                    !plan
                        .lines()
                        .any(|l| l.contains(&format!(" {table} USING INDEX"))
                            || l.contains(&format!("SCAN {table}\n"))
                            || l.ends_with(&format!("SCAN {table}"))),
                    "{table}: {plan}"
                );
            }
        }
    }
}
