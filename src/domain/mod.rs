//! Pure domain rules: no storage, no terminal. Everything here is tested directly.

pub mod annual_report;
pub mod audit;
pub mod calendar;
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
pub mod uscc;
pub mod user;
pub mod visit;
pub mod window;
pub mod vocab;

use chrono::NaiveDate;

/// Parses a date as bureaus write it: `2026-03-01`, `2026/3/1`, `2026.3.1` or `2026年3月1日`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if let [y, m, d] = parts.as_slice()
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
        && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
    {
        return Ok(date);
    }
    Err(format!("日期“{t}”无法识别（应为 YYYY-MM-DD）"))
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
}
