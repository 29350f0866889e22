//! 工作日历 (working-day calendar): the State Council's yearly holiday notices
//! (节假日安排), which days are working days, the 20-working-day deadline for entering a
//! result (domain rules §6–7), and the countdown to it.
//!
//! A year with a loaded notice follows it: its days off (放假) are not working days, its
//! 调休 weekend days are. A year without one is "schedule unknown" (未载入): weekends only,
//! and every date computed through it is provisional (临时).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Working days after the completion of an inspection within which its result is entered.
pub const RESULT_DEADLINE_DAYS: u32 = 20;

/// Where the shipped notices come from, for audit events.
pub const SHIPPED_PATH: &str = "data/holidays.toml";

/// 节假日安排: one year's holiday notice of the State Council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayNotice {
    pub year: i32,
    /// The notice it comes from: title, and document number where known.
    pub source: String,
    /// 放假: every day off, one date each, sorted (weekend days inside a holiday included).
    pub days_off: Vec<NaiveDate>,
    /// 调休上班: weekend days that are working days, sorted.
    pub workdays: Vec<NaiveDate>,
}

impl HolidayNotice {
    /// What is wrong with the notice (empty when it is valid).
    pub fn problems(&self) -> Vec<NoticeProblem> {
        let off: Vec<(NaiveDate, usize)> = self.days_off.iter().map(|d| (*d, 0)).collect();
        let work: Vec<(NaiveDate, usize)> = self.workdays.iter().map(|d| (*d, 0)).collect();
        let draft = Draft {
            year: i64::from(self.year),
            year_line: 0,
            source: Some((self.source.clone(), 0)),
            off,
            work,
        };
        let mut problems = Vec::new();
        draft.check(&TOML_FIELDS, &mut problems);
        problems
    }
}

/// One problem in a notice or a notice file: the line (0 when there is no file), the field
/// or column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeProblem {
    pub line: usize,
    pub field: String,
    pub reason: String,
}

impl NoticeProblem {
    fn new(line: usize, field: &str, reason: impl Into<String>) -> NoticeProblem {
        NoticeProblem {
            line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for NoticeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "第{}行 ", self.line)?;
        }
        write!(f, "{} {}", self.field, self.reason)
    }
}

/// China Standard Time, UTC+8: the time zone of every business date ("today", the dates of
/// visits and results, deadlines) and of audit times as shown, whatever `TZ` says.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An RFC 3339 time as stored (with whatever offset it was written in) shown in UTC+8:
/// `2026-05-20T02:03:04+00:00` → `2026-05-20T10:03:04+08:00`. Text that is not such a time
/// is shown as it is.
pub fn china_time(at: &str) -> String {
    match DateTime::parse_from_rfc3339(at) {
        Ok(t) => t
            .with_timezone(&china())
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
        Err(_) => at.to_string(),
    }
}

/// An RFC 3339 time as stored, shortened to month, day and minute in UTC+8 for a line of the
/// dashboard: `2026-12-06T06:03:00+00:00` → `12-06 14:03`. Text that is not such a time is
/// shown as it is.
pub fn short_time(at: &str) -> String {
    match DateTime::parse_from_rfc3339(at) {
        Ok(t) => t.with_timezone(&china()).format("%m-%d %H:%M").to_string(),
        Err(_) => at.to_string(),
    }
}

/// 星期一 … 星期日.
pub fn weekday_label(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1))
        .expect("calendar dates stay far from chrono's limits")
}

/// Consecutive runs of sorted dates, as inclusive `(first, last)` pairs.
pub fn runs(dates: &[NaiveDate]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &d in dates {
        match out.last_mut() {
            Some((_, last)) if next_day(*last) == d => *last = d,
            _ => out.push((d, d)),
        }
    }
    out
}

/// A due date, and whether it is provisional because a year it runs through has no notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub date: NaiveDate,
    /// 临时: computed on weekends only for the years in `unknown_years`.
    pub provisional: bool,
    /// The years between the start (exclusive) and the due date without a loaded notice.
    pub unknown_years: Vec<i32>,
}

impl fmt::Display for Deadline {
    /// `2026-10-19`, or `2027-01-29（临时：2027年节假日安排未载入，仅按周末计算）`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date)?;
        if self.provisional {
            let years: Vec<String> = self
                .unknown_years
                .iter()
                .map(|y| format!("{y}年"))
                .collect();
            write!(
                f,
                "（临时：{}节假日安排未载入，仅按周末计算）",
                years.join("、")
            )?;
        }
        Ok(())
    }
}

/// How close a due date is, by working days left (剩余工作日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Countdown {
    /// 充裕: more than 5 working days left.
    Ample,
    /// 临近: 3 to 5 working days left.
    Near,
    /// 紧急: 2 or fewer working days left, the due day itself included (0).
    Urgent,
    /// 逾期: the due date has passed.
    Overdue,
}

impl Countdown {
    /// The class for a number of working days left (negative: overdue).
    pub fn of(left: i64) -> Countdown {
        match left {
            l if l < 0 => Countdown::Overdue,
            0..=2 => Countdown::Urgent,
            3..=5 => Countdown::Near,
            _ => Countdown::Ample,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Countdown::Ample => "充裕",
            Countdown::Near => "临近",
            Countdown::Urgent => "紧急",
            Countdown::Overdue => "逾期",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct YearRules {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
}

/// 工作日历: working days from the loaded notices, weekends only for other years.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, YearRules>,
}

impl WorkingCalendar {
    /// A calendar from notices (a later notice for the same year replaces an earlier one).
    pub fn new<'a>(notices: impl IntoIterator<Item = &'a HolidayNotice>) -> WorkingCalendar {
        let years = notices
            .into_iter()
            .map(|n| {
                let rules = YearRules {
                    off: n.days_off.iter().copied().collect(),
                    work: n.workdays.iter().copied().collect(),
                };
                (n.year, rules)
            })
            .collect();
        WorkingCalendar { years }
    }

    /// Whether the year's notice is loaded.
    pub fn known(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The years with a loaded notice, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.years.get(&date.year()) {
            Some(r) if r.work.contains(&date) => true,
            Some(r) if r.off.contains(&date) => false,
            _ => !is_weekend(date),
        }
    }

    /// The `n`th working day after `from` (`from` itself not counted; `n = 0` gives `from`).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Deadline {
        let mut date = from;
        let mut counted = 0;
        while counted < n {
            date = next_day(date);
            if self.is_working_day(date) {
                counted += 1;
            }
        }
        let unknown_years: Vec<i32> = if date > from {
            (next_day(from).year()..=date.year())
                .filter(|y| !self.known(*y))
                .collect()
        } else {
            Vec::new()
        };
        Deadline {
            date,
            provisional: !unknown_years.is_empty(),
            unknown_years,
        }
    }

    /// Working days after `from` up to and including `to`; negative (the same count, turned
    /// around) when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (start, end, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0;
        let mut d = start;
        while d < end {
            d = next_day(d);
            if self.is_working_day(d) {
                count += 1;
            }
        }
        sign * count
    }

    /// Working days left from `today` to `due` and their class. The due day itself is the
    /// last day (0 left, 紧急); once it has passed the count is negative (at least −1, even
    /// over a weekend) and the class is 逾期.
    pub fn countdown(&self, today: NaiveDate, due: NaiveDate) -> (i64, Countdown) {
        let mut left = self.working_days_between(today, due);
        if due < today {
            left = left.min(-1);
        }
        (left, Countdown::of(left))
    }
}

mod notice_file;
use notice_file::{Draft, TOML_FIELDS};
pub use notice_file::{NoticeFormat, parse, parse_csv, parse_toml};

/// The notices shipped with the program (`data/holidays.toml`).
pub fn shipped() -> Vec<HolidayNotice> {
    parse_toml(include_str!("../../../data/holidays.toml"))
        .expect("data/holidays.toml is valid (checked by the tests)")
}

#[cfg(test)]
mod tests;
