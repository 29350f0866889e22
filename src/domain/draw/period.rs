//! 抽查期间 (the period of a draw): a calendar quarter such as `2026Q2`.

use chrono::{Datelike, NaiveDate};

use crate::domain::plan::Window;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub quarter: u32,
}

impl Period {
    /// The quarter containing a date.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            quarter: date.month().div_ceil(3),
        }
    }

    /// Months 1–12 of the quarter.
    pub fn months(self) -> std::ops::RangeInclusive<u32> {
        let first = (self.quarter - 1) * 3 + 1;
        first..=first + 2
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, *self.months().start(), 1).expect("valid quarter")
    }

    pub fn last_day(self) -> NaiveDate {
        let next = if self.quarter == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.months().end() + 1, 1)
        };
        next.expect("valid quarter")
            .pred_opt()
            .expect("not the first day ever")
    }

    /// Whether a sampling window (months) touches this quarter.
    pub fn in_window(self, w: Window) -> bool {
        self.months()
            .any(|m| w.start_month <= m && m <= w.end_month)
    }

    /// Quarters of the window from this one to the window's last, this one included.
    pub fn quarters_left(self, w: Window) -> u32 {
        let last = w.end_month.div_ceil(3);
        if self.quarter > last {
            0
        } else {
            last - self.quarter + 1
        }
    }

    /// This is the window's last quarter.
    pub fn is_last_of(self, w: Window) -> bool {
        self.quarter == w.end_month.div_ceil(3)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl std::str::FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_uppercase();
        let bad = || format!("期间“{s}”应写作 YYYYQn，如 2026Q2");
        let (y, q) = t.split_once('Q').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let quarter: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) || !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Period { year, quarter })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(a: u32, b: u32) -> Window {
        Window {
            start_month: a,
            end_month: b,
        }
    }

    #[test]
    fn parses_and_prints() {
        let p: Period = "2026q2".parse().unwrap();
        assert_eq!(p.to_string(), "2026Q2");
        assert!("2026Q5".parse::<Period>().is_err());
        assert!("Q2".parse::<Period>().is_err());
        assert_eq!(p.first_day().to_string(), "2026-04-01");
        assert_eq!(p.last_day().to_string(), "2026-06-30");
        let q4: Period = "2026Q4".parse().unwrap();
        assert_eq!(q4.last_day().to_string(), "2026-12-31");
    }

    #[test]
    fn windows() {
        let q1: Period = "2026Q1".parse().unwrap();
        let q4: Period = "2026Q4".parse().unwrap();
        assert!(q1.in_window(w(3, 10)), "March is in Q1");
        assert!(!q1.in_window(w(4, 10)));
        assert_eq!(q1.quarters_left(w(3, 10)), 4);
        assert_eq!(q4.quarters_left(w(3, 10)), 1);
        assert!(q4.is_last_of(w(3, 10)));
        assert!(q4.is_last_of(w(3, 12)));
        assert_eq!(q4.quarters_left(w(3, 6)), 0);
    }
}
