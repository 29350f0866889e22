//! Multi-row inserts (issue 12): rows buffered and written [`ROWS`] to a statement, so that
//! SQLite starts a statement (and, on a table with triggers, a statement journal) once per
//! batch instead of once per row. Used by [`super::binding::Bulk`] for plain inserts and for
//! the lines it files in `audit_rows`.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, Statement};

use super::Result;

/// Rows a full statement writes (unit tests use few, so that their batches span several).
pub const ROWS: usize = if cfg!(test) { 3 } else { 64 };

/// A row with more text than this is written at once rather than copied (a draw's record).
pub const LARGE: usize = 64 * 1024;

/// A value held: text and blobs as ranges of the arena.
#[derive(Clone, Copy)]
enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(usize, usize),
    Blob(usize, usize),
}

/// Rows of `width` values, copied into one arena (owned, so they can be handed to another
/// thread).
pub struct Rows {
    width: usize,
    cells: Vec<Cell>,
    arena: Vec<u8>,
}

impl Rows {
    pub fn new(width: usize) -> Self {
        Rows {
            width,
            cells: Vec::new(),
            arena: Vec::new(),
        }
    }

    pub fn push(&mut self, values: &[ValueRef<'_>]) {
        debug_assert_eq!(values.len(), self.width);
        for v in values {
            let cell = match *v {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(i) => Cell::Integer(i),
                ValueRef::Real(f) => Cell::Real(f),
                ValueRef::Text(t) => {
                    self.arena.extend_from_slice(t);
                    Cell::Text(self.arena.len() - t.len(), self.arena.len())
                }
                ValueRef::Blob(b) => {
                    self.arena.extend_from_slice(b);
                    Cell::Blob(self.arena.len() - b.len(), self.arena.len())
                }
            };
            self.cells.push(cell);
        }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.cells.len() / self.width
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn value(&self, c: &Cell) -> ValueRef<'_> {
        match *c {
            Cell::Null => ValueRef::Null,
            Cell::Integer(i) => ValueRef::Integer(i),
            Cell::Real(f) => ValueRef::Real(f),
            Cell::Text(a, b) => ValueRef::Text(&self.arena[a..b]),
            Cell::Blob(a, b) => ValueRef::Blob(&self.arena[a..b]),
        }
    }

    /// Every value, row after row.
    pub fn values(&self) -> impl Iterator<Item = ValueRef<'_>> {
        self.cells.iter().map(|c| self.value(c))
    }

    /// The values of row `i`.
    pub fn row(&self, i: usize) -> impl Iterator<Item = ValueRef<'_>> {
        self.cells[i * self.width..(i + 1) * self.width]
            .iter()
            .map(|c| self.value(c))
    }

    /// The rows held, leaving none (of the same width).
    pub fn take(&mut self) -> Rows {
        std::mem::replace(self, Rows::new(self.width))
    }

    pub fn clear(&mut self) {
        self.cells.clear();
        self.arena.clear();
    }
}

/// The bytes of text and blobs in a row.
pub fn bytes(values: &[ValueRef<'_>]) -> usize {
    values
        .iter()
        .map(|v| match v {
            ValueRef::Text(b) | ValueRef::Blob(b) => b.len(),
            _ => 0,
        })
        .sum()
}

/// Rows of one INSERT, held until [`ROWS`] of them are written together.
pub struct Batch<'c> {
    conn: &'c Connection,
    /// `INSERT INTO t (…) VALUES`
    head: String,
    /// One row's values: `(?, ?, …)`, a parameter a column.
    row: String,
    /// The statement of [`ROWS`] rows, prepared once.
    full: Option<Statement<'c>>,
    /// The statement of one row, for a [`LARGE`] row.
    one: Option<Statement<'c>>,
    rows: Rows,
}

impl<'c> Batch<'c> {
    /// `head` is `INSERT INTO t (cols) VALUES`; `row` one row's values with `width` `?`.
    pub fn new(conn: &'c Connection, head: String, row: String, width: usize) -> Self {
        Batch {
            conn,
            head,
            row,
            full: None,
            one: None,
            rows: Rows::new(width),
        }
    }

    /// Holds a row (`width` values); writes the batch once it is full.
    pub fn push(&mut self, values: &[ValueRef<'_>]) -> Result<()> {
        if bytes(values) > LARGE {
            self.flush()?;
            self.one()?.execute(rusqlite::params_from_iter(
                values.iter().map(|v| ToSqlOutput::Borrowed(*v)),
            ))?;
            return Ok(());
        }
        self.rows.push(values);
        if self.rows.len() >= ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn sql(&self, rows: usize) -> String {
        let mut sql = self.head.clone();
        for i in 0..rows {
            sql.push_str(if i == 0 { " " } else { ", " });
            sql.push_str(&self.row);
        }
        sql
    }

    /// The statement of one row, prepared once.
    fn one(&mut self) -> Result<&mut Statement<'c>> {
        if self.one.is_none() {
            self.one = Some(self.conn.prepare(&self.sql(1))?);
        }
        Ok(self.one.as_mut().expect("prepared above"))
    }

    /// Writes the rows held, then this row on its own, letting its values go as soon as
    /// SQLite has copied them (so that a long text is not held twice while it is written).
    pub fn write_owned(&mut self, values: Vec<rusqlite::types::Value>) -> Result<()> {
        self.flush()?;
        let one = self.one()?;
        for (i, v) in values.iter().enumerate() {
            one.raw_bind_parameter(i + 1, v)?;
        }
        drop(values);
        one.raw_execute()?;
        one.clear_bindings();
        Ok(())
    }

    /// Writes the rows held.
    pub fn flush(&mut self) -> Result<()> {
        let rows = self.rows.len();
        if rows == 0 {
            return Ok(());
        }
        let values = self.rows.values().map(ToSqlOutput::Borrowed);
        if rows == ROWS {
            if self.full.is_none() {
                self.full = Some(self.conn.prepare(&self.sql(ROWS))?);
            }
            let full = self.full.as_mut().expect("prepared above");
            full.execute(rusqlite::params_from_iter(values))?;
        } else {
            self.conn
                .prepare(&self.sql(rows))?
                .execute(rusqlite::params_from_iter(values))?;
        }
        self.rows.clear();
        Ok(())
    }

    /// Rows held, not yet written.
    pub fn held(&self) -> usize {
        self.rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_in_batches_and_the_rest_on_flush() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, d REAL, e)")
            .unwrap();
        let mut b = Batch::new(
            &conn,
            "INSERT INTO t (a, b, c, d, e) VALUES".into(),
            "(?, ?, ?, ?, ?)".into(),
            5,
        );
        let count = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        for i in 0..(2 * ROWS + 1) as i64 {
            let text = format!("行{i}");
            b.push(&[
                ValueRef::Integer(i),
                ValueRef::Text(text.as_bytes()),
                ValueRef::Blob(&[i as u8, 0]),
                ValueRef::Real(i as f64 / 2.0),
                ValueRef::Null,
            ])
            .unwrap();
        }
        assert_eq!(count(&conn), 2 * ROWS as i64);
        assert_eq!(b.held(), 1);
        b.flush().unwrap();
        assert_eq!(b.held(), 0);
        type Stored = (i64, String, Vec<u8>, f64, Option<i64>);
        let rows: Vec<Stored> = conn
            .prepare("SELECT a, b, c, d, e FROM t ORDER BY a")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows.len(), 2 * ROWS + 1);
        // A large row is written at once, after the rows held before it.
        let large = "长".repeat(LARGE);
        b.push(&[
            ValueRef::Integer(-1),
            ValueRef::Text(large.as_bytes()),
            ValueRef::Null,
            ValueRef::Null,
            ValueRef::Null,
        ])
        .unwrap();
        assert_eq!(b.held(), 0);
        assert_eq!(count(&conn), 2 * ROWS as i64 + 2);
        for (i, (a, b, c, d, e)) in rows.into_iter().enumerate() {
            assert_eq!(a, i as i64);
            assert_eq!(b, format!("行{i}"));
            assert_eq!(c, vec![i as u8, 0]);
            assert_eq!(d, i as f64 / 2.0);
            assert_eq!(e, None);
        }
    }
}
