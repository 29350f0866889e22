//! 年度报告 (the yearly report): "10月30日前，将全年部门联合“双随机、一公开”监管工作情况和抽查
//! 数据信息报……领导小组办公室" (plan, 八.五). From 10月1日 until the year's report is generated,
//! the overview reminds of the deadline.

use chrono::NaiveDate;

/// The day the year's report is due: 10月30日.
pub fn due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 10, 30).expect("10月30日 exists")
}

/// The first day of the reminder: 10月1日.
pub fn remind_from(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 10, 1).expect("10月1日 exists")
}

/// Whether, on `today`, the report of `year` should be reminded of: from 10月1日 of that year
/// on, until it has been generated. `generated` is the latest day (as of which) it was
/// generated; one generated before 10月1日 is an early look, not the year's report.
pub fn remind(year: i32, today: NaiveDate, generated: Option<NaiveDate>) -> bool {
    let from = remind_from(year);
    today >= from && generated.is_none_or(|g| g < from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reminded_from_the_first_of_october_until_generated() {
        assert!(!remind(2026, d("2026-09-30"), None));
        assert!(remind(2026, d("2026-10-01"), None));
        assert!(
            remind(2026, d("2026-10-31"), None),
            "after the deadline too"
        );
        let on = Some(d("2026-10-12"));
        assert!(!remind(2026, d("2026-10-15"), on), "generated: no reminder");
        let early = Some(d("2026-06-30"));
        assert!(
            remind(2026, d("2026-10-15"), early),
            "an early look is not the report"
        );
        assert_eq!(due(2026), d("2026-10-30"));
    }
}
