//! Pure domain rules: no storage, no terminal. Everything here is tested directly.

pub mod annual_report;
pub mod audit;
pub mod calendar;
pub mod canonical;
pub mod check_item;
pub mod classification;
pub mod draw;
pub mod entity;
pub mod inspector;
pub mod plan;
pub mod plan_records;
pub mod result;
pub mod result_records;
pub mod role;
pub mod targeted;
pub mod text;
pub mod uscc;
pub mod user;
pub mod visit;
pub mod vocab;
pub mod window;

use chrono::{Datelike, NaiveDate};

/// The first year a business date may fall in (every date the program takes is in 2000–2100).
pub const FIRST_YEAR: i32 = 2000;
/// The last year a business date may fall in.
pub const LAST_YEAR: i32 = 2100;

/// Why a year is out of range, in words.
fn out_of_range(what: &str) -> String {
    format!("{what}超出范围：应在{FIRST_YEAR}年至{LAST_YEAR}年之间")
}

/// Refuses a date outside 2000–2100.
pub fn check_date(date: NaiveDate) -> Result<NaiveDate, String> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(out_of_range(&format!("日期 {date} ")))
    }
}

/// Refuses a year outside 2000–2100.
pub fn check_year(year: i64) -> Result<i32, String> {
    match i32::try_from(year) {
        Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Ok(y),
        _ => Err(out_of_range(&format!("年份 {year} "))),
    }
}

/// A year as typed (`2026`, `2026年`), within 2000–2100.
pub fn parse_year(text: &str) -> Result<i32, String> {
    let t = text.trim();
    let digits = t.strip_suffix('年').unwrap_or(t);
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("年份“{t}”应为四位数字，如 2026"));
    }
    check_year(
        digits
            .parse::<i64>()
            .map_err(|_| format!("年份“{t}”应为四位数字"))?,
    )
}

/// How a date failed to read.
enum DateError {
    Unreadable,
    OutOfRange,
}

/// A date in any of the spellings of [`parse_date`], within 2000–2100.
fn read_date(text: &str) -> Result<NaiveDate, DateError> {
    let t = text.trim();
    // A signed or long year (`+262142-12-31`) is a date chrono knows, far out of range.
    if let Ok(far) = t.parse::<NaiveDate>()
        && check_date(far).is_err()
    {
        return Err(DateError::OutOfRange);
    }
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(DateError::Unreadable);
    };
    let digits = |p: &str, most: usize| {
        !p.is_empty() && p.len() <= most && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(y, 9) && digits(m, 2) && digits(d, 2)) {
        return Err(DateError::Unreadable);
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(DateError::Unreadable);
    };
    let year = check_year(i64::from(y)).map_err(|_| DateError::OutOfRange)?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or(DateError::Unreadable)
}

/// Parses a date as bureaus write it: `2026-03-01`, `2026/3/1`, `2026.3.1` or `2026年3月1日`,
/// in 2000–2100.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    read_date(text).map_err(|e| match e {
        DateError::Unreadable => format!("日期“{}”无法识别（应为 YYYY-MM-DD）", text.trim()),
        DateError::OutOfRange => out_of_range(&format!("日期“{}”", text.trim())),
    })
}

/// A date given on the command line (`--date`, `--from`, `--today` …): the spellings of
/// [`parse_date`], in 2000–2100; the reason is said for an option's value.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    read_date(text).map_err(|e| match e {
        DateError::Unreadable => "应为存在的日期，写作 YYYY-MM-DD，如 2026-05-20".to_string(),
        DateError::OutOfRange => out_of_range(&format!("日期“{}”", text.trim())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_usual_spellings() {
        let want = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        for s in [
            "2026-03-01",
            "2026/3/1",
            "2026.3.1",
            "2026年3月1日",
            " 2026-3-1 ",
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("明天").is_err());
    }

    #[test]
    fn dates_and_years_outside_2000_to_2100_are_refused() {
        for s in [
            "+262142-12-31",
            "1999-12-31",
            "2101-01-01",
            "-0001-01-01",
            "99999-1-1",
        ] {
            assert!(parse_date(s).is_err(), "{s}");
            assert!(parse_day(s).is_err(), "{s}");
        }
        assert_eq!(
            parse_day("2101-01-01").unwrap_err(),
            "日期“2101-01-01”超出范围：应在2000年至2100年之间"
        );
        assert_eq!(
            parse_date(" 1999-12-31").unwrap_err(),
            "日期“1999-12-31”超出范围：应在2000年至2100年之间"
        );
        assert!(parse_day("2026-02-30").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_day("+262142-12-31").unwrap_err().contains("超出范围"));
        assert_eq!(
            parse_day("2000-01-01"),
            NaiveDate::from_ymd_opt(2000, 1, 1).ok_or(String::new())
        );
        assert_eq!(
            parse_day("2100-12-31"),
            NaiveDate::from_ymd_opt(2100, 12, 31).ok_or(String::new())
        );
        assert_eq!(parse_year("2026年"), Ok(2026));
        assert!(parse_year("262142").is_err());
        assert!(parse_year("-5").is_err());
        assert!(parse_year("").is_err());
        assert_eq!(
            check_year(i64::MAX).unwrap_err(),
            format!("年份 {} 超出范围：应在2000年至2100年之间", i64::MAX)
        );
    }
}
