//! The audit log table: append and read. The chain rules live in `domain::audit`.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::audit::{
    AuditEvent, ChainBreak, ChainVerifier, Checkpoint, EventFilter, GENESIS,
};

/// Appends an event on top of the current head, inside the caller's transaction.
///
/// On a connection that binds rows (every [`super::Store`]), the event is held until the next
/// event, a read of the log, or the end of the transaction ([`seal`]): the rows written
/// meanwhile, before or after this call, are its rows, and their digest goes into its detail.
/// Its `seq` is final at once (rows may refer to it); its `hash` is known once sealed.
pub fn append(
    conn: &Connection,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<AuditEvent> {
    if !super::binding::holds_events(conn)? {
        return write_event(conn, at, actor, action, subject, detail);
    }
    seal(conn)?;
    let seq = last(conn)?.map_or(1, |(seq, _)| seq + 1);
    conn.prepare_cached(
        "INSERT INTO temp.ssj_event (seq, at, actor, action, subject, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![seq, at, actor, action, subject, detail])?;
    Ok(AuditEvent {
        seq,
        at: at.to_string(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail: detail.to_string(),
        hash: String::new(),
    })
}

/// Writes the held event, if any, with the rows written since the previous one; returns it
/// with its hash.
pub fn seal(conn: &Connection) -> Result<Option<AuditEvent>> {
    if !super::binding::holds_events(conn)? {
        return Ok(None);
    }
    let held: Option<(String, String, String, String, String)> = conn
        .prepare_cached("SELECT at, actor, action, subject, detail FROM temp.ssj_event")?
        .query_row([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((at, actor, action, subject, detail)) = held else {
        return Ok(None);
    };
    conn.prepare_cached("DELETE FROM temp.ssj_event")?
        .execute([])?;
    write_event(conn, &at, &actor, &action, &subject, &detail).map(Some)
}

/// Replaces the detail of the event `seq` while it is still held (before [`seal`]): for a
/// write whose detail (counts, the ids it changed) is known only once its rows are written.
pub fn amend_held(conn: &Connection, seq: u64, detail: &str) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE temp.ssj_event SET detail = ?1 WHERE seq = ?2")?
        .execute(params![detail, seq])?;
    if n != 1 {
        return Err(super::StoreError::Corrupt(format!(
            "审计事件第{seq}条已写入，不能再修改"
        )));
    }
    Ok(())
}

/// Drops the event `seq` while it is still held, for a write that turned out to change
/// nothing (no row may have been written since it was appended).
pub fn drop_held(conn: &Connection, seq: u64) -> Result<()> {
    // A bulk write files its rows' lines under the held event as it goes (`binding::Bulk`).
    let filed = conn
        .prepare_cached("SELECT 1 FROM audit_rows WHERE seq = ?1 LIMIT 1")?
        .query_row([seq], |_| Ok(()))
        .optional()?;
    if filed.is_some() {
        return Err(super::StoreError::Corrupt(format!(
            "审计事件第{seq}条已写入记录行，不能撤下"
        )));
    }
    conn.prepare_cached("DELETE FROM temp.ssj_event WHERE seq = ?1")?
        .execute([seq])?;
    Ok(())
}

fn last(conn: &Connection) -> Result<Option<(u64, String)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Writes an event on top of the current head, with the rows captured since the last one.
fn write_event(
    conn: &Connection,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<AuditEvent> {
    let (seq, prev) = match last(conn)? {
        Some((seq, hash)) => {
            let bytes = hex::decode(&hash)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok());
            let prev = bytes.ok_or_else(|| {
                super::StoreError::Corrupt(format!("审计日志第{seq}条的哈希不是64位十六进制"))
            })?;
            (seq + 1, prev)
        }
        None => (1, GENESIS),
    };
    // The rows written since the previous event are this event's: their list's digest goes
    // into the detail, so the chain covers them.
    let bound = super::binding::pending(conn, seq)?;
    let detail = match &bound {
        Some(b) => super::binding::with_bound(detail, b),
        None => detail.to_string(),
    };
    let mut event = AuditEvent {
        seq,
        at: at.to_string(),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail,
        hash: String::new(),
    };
    event.hash = hex::encode(event.compute_hash(&prev));
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.subject,
            event.detail,
            event.hash
        ],
    )?;
    super::binding::settle(conn, seq, bound.is_some())?;
    Ok(event)
}

/// The current head of the log.
pub fn head(conn: &Connection) -> Result<Checkpoint> {
    seal(conn)?;
    let last: Option<(u64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match last {
        Some((size, head)) => Checkpoint { size, head },
        None => Checkpoint {
            size: 0,
            head: hex::encode(GENESIS),
        },
    })
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
        hash: r.get(6)?,
    })
}

/// The hash of event `seq`, if the log has it.
pub fn hash_at(conn: &Connection, seq: u64) -> Result<Option<String>> {
    seal(conn)?;
    Ok(conn
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Verifies the whole chain, streaming rows; `Ok(Err(break))` when the chain is broken.
pub fn verify(
    conn: &Connection,
    checkpoint: Option<&Checkpoint>,
) -> Result<std::result::Result<Checkpoint, ChainBreak>> {
    seal(conn)?;
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, subject, detail, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut verifier = ChainVerifier::new(checkpoint);
    while let Some(row) = rows.next()? {
        let event = row_to_event(row)?;
        if let Err(e) = verifier.push(&event) {
            return Ok(Err(e));
        }
    }
    Ok(verifier.finish())
}

/// Lists events, newest first.
pub fn list(conn: &Connection, filter: &EventFilter) -> Result<Vec<AuditEvent>> {
    seal(conn)?;
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, subject, detail, hash FROM audit_log
         WHERE (?1 IS NULL OR action LIKE ?1 || '%')
           AND (?2 IS NULL OR actor = ?2)
           AND (?3 IS NULL OR subject = ?3)
         ORDER BY seq DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![
            filter.action_prefix,
            filter.actor,
            filter.subject,
            filter.limit.map(|l| l as i64).unwrap_or(-1)
        ],
        row_to_event,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn append_chains_and_verifies() {
        let mut store = Store::in_memory().unwrap();
        // A new database may begin with the event binding the rows its schema writes.
        let start = head(store.conn()).unwrap().size;
        store
            .write(|tx| {
                append(tx, "2026-03-01T09:00:00+08:00", "li", "a", "s", "{}")?;
                append(tx, "2026-03-01T09:00:01+08:00", "li", "b", "s", "{}")?;
                Ok::<_, crate::store::StoreError>(())
            })
            .unwrap();
        let head = head(store.conn()).unwrap();
        assert_eq!(head.size, start + 2);
        assert_eq!(verify(store.conn(), Some(&head)).unwrap(), Ok(head.clone()));
        let listed = list(store.conn(), &EventFilter::default()).unwrap();
        assert_eq!(
            listed.iter().take(2).map(|e| e.seq).collect::<Vec<_>>(),
            vec![start + 2, start + 1]
        );
        assert_eq!(listed[0].action, "b");
    }

    #[test]
    fn triggers_refuse_update_and_delete() {
        let mut store = Store::in_memory().unwrap();
        store
            .write(|tx| append(tx, "t", "li", "a", "s", "{}").map(|_| ()))
            .unwrap();
        let err = store
            .conn()
            .execute("UPDATE audit_log SET actor = 'x'", [])
            .unwrap_err();
        assert!(err.to_string().contains("不能修改"), "{err}");
        let err = store
            .conn()
            .execute("DELETE FROM audit_log", [])
            .unwrap_err();
        assert!(err.to_string().contains("不能删除"), "{err}");
    }
}
