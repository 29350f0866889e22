//! The holiday-notices table (节假日安排): one row per year, the date lists as JSON.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, from_json, to_json};
use crate::domain::calendar::HolidayNotice;

/// Inserts the year's notice or replaces it; `seq` is the audit event that loaded it.
pub fn put(conn: &Connection, notice: &HolidayNotice, seq: u64) -> Result<()> {
    conn.execute(
        "INSERT INTO holiday_notices (year, source, days_off, workdays, loaded_seq)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year) DO UPDATE SET source = excluded.source,
           days_off = excluded.days_off, workdays = excluded.workdays,
           loaded_seq = excluded.loaded_seq",
        params![
            notice.year,
            notice.source,
            to_json(&notice.days_off),
            to_json(&notice.workdays),
            seq
        ],
    )?;
    Ok(())
}

type Row = (i32, String, String, String);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn decode((year, source, days_off, workdays): Row) -> Result<HolidayNotice> {
    Ok(HolidayNotice {
        year,
        source,
        days_off: from_json(&format!("{year}年放假日期"), &days_off)?,
        workdays: from_json(&format!("{year}年调休上班日期"), &workdays)?,
    })
}

/// The year's notice, if loaded.
pub fn get(conn: &Connection, year: i32) -> Result<Option<HolidayNotice>> {
    conn.query_row(
        "SELECT year, source, days_off, workdays FROM holiday_notices WHERE year = ?1",
        [year],
        read_row,
    )
    .optional()?
    .map(decode)
    .transpose()
}

/// Every loaded notice, by year.
pub fn all(conn: &Connection) -> Result<Vec<HolidayNotice>> {
    let mut stmt =
        conn.prepare("SELECT year, source, days_off, workdays FROM holiday_notices ORDER BY year")?;
    let rows = stmt.query_map([], read_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(row?)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::shipped;
    use crate::store::{Store, audit};

    #[test]
    fn notices_round_trip_and_replace_by_year() {
        let mut store = Store::in_memory().unwrap();
        store
            .write(|tx| -> Result<()> {
                let ev = audit::append(tx, "t", "a", "calendar.import", "x", "{}")?;
                for n in shipped() {
                    put(tx, &n, ev.seq)?;
                }
                let mut changed = shipped().remove(0);
                changed.source = "改".into();
                changed.workdays.pop();
                put(tx, &changed, ev.seq)?;
                Ok(())
            })
            .unwrap();
        let conn = store.conn();
        let all = all(conn).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1..], shipped()[1..]);
        let y2024 = get(conn, 2024).unwrap().unwrap();
        assert_eq!(y2024.source, "改");
        assert_eq!(y2024.workdays.len(), shipped()[0].workdays.len() - 1);
        assert_eq!(get(conn, 2027).unwrap(), None);
    }
}
