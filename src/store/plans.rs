//! Plans, tasks and the record of plan changes (计划调整).

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError, from_json, to_json};
use crate::domain::plan::{Plan, PlanKind, Task, TierMultipliers};
use crate::domain::plan_records::{NoticeSent, PlanChange, PlanNotice, PlanRecord, Removal};

/// The recorded removals of a plan's tasks, oldest first.
fn removals(conn: &Connection, plan_id: i64) -> Result<Vec<Removal>> {
    let mut stmt = conn.prepare(
        "SELECT c.task_code, a.at, a.actor, c.reason, c.audit_seq
         FROM plan_changes c JOIN audit_log a ON a.seq = c.audit_seq
         WHERE c.plan_id = ?1 AND c.change = 'remove_task' AND c.task_code IS NOT NULL
         ORDER BY c.id",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok(Removal {
            task: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            reason: r.get(3)?,
            audit_seq: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn kind_key(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::Joint => "joint",
        PlanKind::Internal => "internal",
    }
}

/// Inserts a plan and its tasks; returns the plan id.
pub fn insert(conn: &Connection, plan: &Plan) -> Result<i64> {
    conn.execute(
        "INSERT INTO plans (year, code, name, kind, source, tier_multipliers) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            plan.year,
            plan.code,
            plan.name,
            kind_key(plan.kind),
            plan.source,
            to_json(&plan.tier_multipliers)
        ],
    )?;
    let id = conn.last_insert_rowid();
    for task in &plan.tasks {
        insert_task(conn, id, task)?;
    }
    Ok(id)
}

pub fn insert_task(conn: &Connection, plan_id: i64, task: &Task) -> Result<()> {
    conn.execute(
        "INSERT INTO tasks (plan_id, code, seq, name, spec, active) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
        params![plan_id, task.code, task.seq, task.name, to_json(task)],
    )?;
    Ok(())
}

/// Replaces an active task's specification.
pub fn replace_task(conn: &Connection, plan_id: i64, task: &Task) -> Result<()> {
    conn.execute(
        "UPDATE tasks SET seq = ?3, name = ?4, spec = ?5 WHERE plan_id = ?1 AND code = ?2 AND active = 1",
        params![plan_id, task.code, task.seq, task.name, to_json(task)],
    )?;
    Ok(())
}

/// Marks a task removed (it stays in the database).
pub fn deactivate_task(conn: &Connection, plan_id: i64, code: &str) -> Result<()> {
    conn.execute(
        "UPDATE tasks SET active = 0 WHERE plan_id = ?1 AND code = ?2",
        params![plan_id, code],
    )?;
    Ok(())
}

pub fn set_multipliers(conn: &Connection, plan_id: i64, m: &TierMultipliers) -> Result<()> {
    conn.execute(
        "UPDATE plans SET tier_multipliers = ?2 WHERE id = ?1",
        params![plan_id, to_json(m)],
    )?;
    Ok(())
}

/// One plan of a year by code.
pub fn get(conn: &Connection, year: i32, code: &str) -> Result<Option<PlanRecord>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM plans WHERE year = ?1 AND code = ?2",
            params![year, code],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| load(conn, id)).transpose()
}

/// Every plan of a year (all years when `None`), by year then code.
pub fn list(conn: &Connection, year: Option<i32>) -> Result<Vec<PlanRecord>> {
    let mut stmt =
        conn.prepare("SELECT id FROM plans WHERE ?1 IS NULL OR year = ?1 ORDER BY year, code")?;
    let ids = stmt
        .query_map([year], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.into_iter().map(|id| load(conn, id)).collect()
}

fn load(conn: &Connection, id: i64) -> Result<PlanRecord> {
    let (year, code, name, kind, source, mult): (i32, String, String, String, String, String) =
        conn.query_row(
            "SELECT year, code, name, kind, source, tier_multipliers FROM plans WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
    let kind = match kind.as_str() {
        "joint" => PlanKind::Joint,
        "internal" => PlanKind::Internal,
        other => return Err(StoreError::Corrupt(format!("计划{code}的类型“{other}”"))),
    };
    let mut stmt =
        conn.prepare("SELECT code, spec, active FROM tasks WHERE plan_id = ?1 ORDER BY seq, code")?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    let mut tasks = Vec::new();
    let mut removed = Vec::new();
    for row in rows {
        let (tcode, spec, active) = row?;
        let task: Task = from_json(&tcode, &spec)?;
        if active {
            tasks.push(task);
        } else {
            removed.push(task);
        }
    }
    Ok(PlanRecord {
        id,
        plan: Plan {
            code,
            year,
            name,
            kind,
            source,
            tier_multipliers: from_json("tier_multipliers", &mult)?,
            tasks,
        },
        removals: if removed.is_empty() {
            Vec::new()
        } else {
            removals(conn, id)?
        },
        removed,
    })
}

/// A change to record.
pub struct NewChange<'a> {
    pub plan_id: i64,
    pub task: Option<&'a str>,
    pub change: &'a str,
    pub reason: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    /// The audit event that logged it.
    pub audit_seq: u64,
}

/// Records a change.
pub fn record_change(conn: &Connection, c: &NewChange<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO plan_changes (plan_id, task_code, change, reason, before, after, audit_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            c.plan_id,
            c.task,
            c.change,
            c.reason,
            c.before,
            c.after,
            c.audit_seq
        ],
    )?;
    Ok(())
}

/// Every recorded change of a year's plans, oldest first.
pub fn changes(conn: &Connection, year: i32) -> Result<Vec<PlanChange>> {
    let mut stmt = conn.prepare(
        "SELECT p.code, p.year, c.task_code, c.change, c.reason, c.before, c.after, c.audit_seq, a.actor, a.at, c.id
         FROM plan_changes c JOIN plans p ON p.id = c.plan_id JOIN audit_log a ON a.seq = c.audit_seq
         WHERE p.year = ?1 ORDER BY c.id",
    )?;
    let rows = stmt.query_map([year], |r| {
        Ok(PlanChange {
            plan: r.get(0)?,
            year: r.get(1)?,
            task: r.get(2)?,
            change: r.get(3)?,
            reason: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
            audit_seq: r.get(7)?,
            actor: r.get(8)?,
            at: r.get(9)?,
            id: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn day(text: &str) -> Result<chrono::NaiveDate> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("日期“{text}”")))
}

/// Every written notice of a year's plan changes, by number, with the changes each covers
/// and when it was sent.
pub fn notices(conn: &Connection, year: i32) -> Result<Vec<PlanNotice>> {
    let mut stmt = conn.prepare(
        "SELECT n.id, n.number, n.written_on, n.written_by, n.file, n.sha256, n.seq,
                s.sent_on, s.recorded_by, s.seq
         FROM plan_notices n LEFT JOIN plan_notice_sent s ON s.notice_id = n.id
         WHERE n.year = ?1 ORDER BY n.number",
    )?;
    type Row = (
        String,
        u32,
        String,
        String,
        String,
        String,
        u64,
        Option<String>,
        Option<String>,
        Option<u64>,
    );
    let rows: Vec<Row> = stmt
        .query_map([year], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut changes = conn.prepare(
        "SELECT change_id FROM plan_notice_changes WHERE notice_id = ?1 ORDER BY change_id",
    )?;
    let mut out = Vec::new();
    for (id, number, written_on, written_by, file, sha256, seq, sent_on, by, sent_seq) in rows {
        let covered = changes
            .query_map([&id], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let sent = match (sent_on, by, sent_seq) {
            (Some(on), Some(recorded_by), Some(audit_seq)) => Some(NoticeSent {
                on: day(&on)?,
                recorded_by,
                audit_seq,
            }),
            _ => None,
        };
        out.push(PlanNotice {
            id,
            year,
            number,
            written_on: day(&written_on)?,
            written_by,
            file,
            sha256,
            audit_seq: seq,
            changes: covered,
            sent,
        });
    }
    Ok(out)
}

/// One notice by id.
pub fn notice(conn: &Connection, id: &str) -> Result<Option<PlanNotice>> {
    let year: Option<i32> = conn
        .query_row("SELECT year FROM plan_notices WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match year {
        Some(y) => notices(conn, y)?.into_iter().find(|n| n.id == id),
        None => None,
    })
}

/// Records a written notice and the changes it covers (`changes` and `sent` of `n` are the
/// covered ids and ignored).
pub fn insert_notice(conn: &Connection, n: &PlanNotice) -> Result<()> {
    conn.execute(
        "INSERT INTO plan_notices (id, year, number, written_on, written_by, file, sha256, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            n.id,
            n.year,
            n.number,
            n.written_on.to_string(),
            n.written_by,
            n.file,
            n.sha256,
            n.audit_seq
        ],
    )?;
    for c in &n.changes {
        conn.execute(
            "INSERT INTO plan_notice_changes (notice_id, change_id) VALUES (?1, ?2)",
            params![n.id, c],
        )?;
    }
    Ok(())
}

/// Records that a notice was sent.
pub fn mark_notice_sent(conn: &Connection, id: &str, sent: &NoticeSent) -> Result<()> {
    conn.execute(
        "INSERT INTO plan_notice_sent (notice_id, sent_on, recorded_by, seq) VALUES (?1, ?2, ?3, ?4)",
        params![id, sent.on.to_string(), sent.recorded_by, sent.audit_seq],
    )?;
    Ok(())
}
