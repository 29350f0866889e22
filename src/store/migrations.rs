//! Versioned schema migrations, tracked in `PRAGMA user_version`.

use rusqlite::Connection;

use super::{Result, StoreError};

/// Migrations in order; index + 1 is the version each one brings the schema to.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
    include_str!("schema_v7.sql"),
    include_str!("schema_v8.sql"),
    include_str!("schema_v9.sql"),
    include_str!("schema_v10.sql"),
    include_str!("schema_v11.sql"),
    include_str!("schema_v12.sql"),
    include_str!("schema_v13.sql"),
    include_str!("schema_v14.sql"),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The indexes that queries name with `INDEXED BY` (schema v14's, see `store::draws`), and
/// the SQL that makes them. A query naming a missing index fails, so an index dropped beside
/// the program (an administrator with the file and sqlite3) would stop every list of draws,
/// `doctor` included: each open makes a missing one again. An index holds no record, so
/// nothing is logged.
const NAMED_INDEXES: (&[&str], &str) = (
    &["draws_listed", "draw_runs_listed"],
    include_str!("schema_v14.sql"),
);

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            supported: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        // After the last step, in the same transaction, bind what the migrations wrote (and,
        // on a database made before rows were bound, every row) to the log.
        if i as i64 + 1 == LATEST {
            super::binding::install(&tx)?;
            let at = chrono::Utc::now()
                .with_timezone(&crate::domain::calendar::china())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            super::binding::rebind(&tx, &at, LATEST)?;
            super::audit::seal(&tx)?;
        }
        tx.commit()?;
    }
    restore_named_indexes(conn)
}

/// Makes again any of [`NAMED_INDEXES`] that is missing (one read when none is).
fn restore_named_indexes(conn: &mut Connection) -> Result<()> {
    let (names, sql) = NAMED_INDEXES;
    let mut missing = false;
    for name in names {
        missing |= !conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)",
            [name],
            |r| r.get::<_, bool>(0),
        )?;
    }
    if missing {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, LATEST);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='audit_log'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    /// An index the queries name, dropped beside the program, is there again after the
    /// next open, and only the missing one is made.
    #[test]
    fn a_named_index_dropped_by_hand_is_made_again() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch("DROP INDEX draw_runs_listed").unwrap();
        let count = |conn: &Connection| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master
                 WHERE type = 'index' AND name IN ('draws_listed', 'draw_runs_listed')",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(count(&conn), 1);
        migrate(&mut conn).unwrap();
        assert_eq!(count(&conn), 2);
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, LATEST);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
