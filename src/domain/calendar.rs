//! 工作日历 (working-day calendar): the State Council's yearly holiday notices
//! (节假日安排), which days are working days, the 20-working-day deadline for entering a
//! result (domain rules §6–7), and the countdown to it.
//!
//! A year with a loaded notice follows it: its days off (放假) are not working days, its
//! 调休 weekend days are. A year without one is "schedule unknown" (未载入): weekends only,
//! and every date computed through it is provisional (临时).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
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

// ---------------------------------------------------------------------------------------
// Notice files: TOML (`[[notice]]`) and CSV (`日期,类型,来源`).

/// The field names a file uses, for problems.
struct Fields {
    year: &'static str,
    source: &'static str,
    off: &'static str,
    work: &'static str,
}

const TOML_FIELDS: Fields = Fields {
    year: "year",
    source: "source",
    off: "days_off",
    work: "workdays",
};

const CSV_FIELDS: Fields = Fields {
    year: "日期",
    source: "来源",
    off: "日期",
    work: "日期",
};

/// A notice as read from a file, each date with its line, before it is checked.
struct Draft {
    year: i64,
    year_line: usize,
    source: Option<(String, usize)>,
    off: Vec<(NaiveDate, usize)>,
    work: Vec<(NaiveDate, usize)>,
}

impl Draft {
    /// Adds the draft's problems to `out`; returns the notice when there are none.
    fn check(self, fields: &Fields, out: &mut Vec<NoticeProblem>) -> Option<HolidayNotice> {
        let before = out.len();
        let year = match i32::try_from(self.year) {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                out.push(NoticeProblem::new(
                    self.year_line,
                    fields.year,
                    format!("年份 {} 不合理（应在2000至2100之间）", self.year),
                ));
                return None;
            }
        };
        let source = match &self.source {
            Some((s, _)) if !s.trim().is_empty() => s.trim().to_string(),
            other => {
                out.push(NoticeProblem::new(
                    other.as_ref().map_or(self.year_line, |(_, l)| *l),
                    fields.source,
                    format!("{year}年没有写明来源（通知名称，确知时加文号）"),
                ));
                String::new()
            }
        };
        if self.off.is_empty() {
            out.push(NoticeProblem::new(
                self.year_line,
                fields.off,
                format!("{year}年没有放假日期"),
            ));
        }
        let mut seen_off: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for &(d, line) in &self.off {
            if d.year() != year {
                out.push(NoticeProblem::new(
                    line,
                    fields.off,
                    format!("{d} 不在{year}年内"),
                ));
            } else if let Some(first) = seen_off.insert(d, line) {
                seen_off.insert(d, first);
                out.push(NoticeProblem::new(
                    line,
                    fields.off,
                    format!("放假日 {d} 重复列出{}", earlier(first)),
                ));
            }
        }
        let mut seen_work: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for &(d, line) in &self.work {
            if d.year() != year {
                out.push(NoticeProblem::new(
                    line,
                    fields.work,
                    format!("{d} 不在{year}年内"),
                ));
            } else if !is_weekend(d) {
                out.push(NoticeProblem::new(
                    line,
                    fields.work,
                    format!("调休上班日 {d} 是{}，应为星期六或星期日", weekday_label(d)),
                ));
            } else if let Some(first) = seen_work.insert(d, line) {
                seen_work.insert(d, first);
                out.push(NoticeProblem::new(
                    line,
                    fields.work,
                    format!("调休上班日 {d} 重复列出{}", earlier(first)),
                ));
            } else if let Some(off_line) = seen_off.get(&d) {
                out.push(NoticeProblem::new(
                    line,
                    fields.work,
                    format!("{d} 既是调休上班日又是放假日{}", earlier(*off_line)),
                ));
            }
        }
        (out.len() == before).then(|| HolidayNotice {
            year,
            source,
            days_off: seen_off.into_keys().collect(),
            workdays: seen_work.into_keys().collect(),
        })
    }
}

fn earlier(line: usize) -> String {
    if line > 0 {
        format!("（第{line}行已列出）")
    } else {
        String::new()
    }
}

/// The format of a notice file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeFormat {
    Toml,
    Csv,
}

impl NoticeFormat {
    /// By file extension (`.toml`, `.csv`), case-insensitive.
    pub fn from_extension(ext: &str) -> Option<NoticeFormat> {
        match ext.to_ascii_lowercase().as_str() {
            "toml" => Some(NoticeFormat::Toml),
            "csv" => Some(NoticeFormat::Csv),
            _ => None,
        }
    }
}

/// Parses a notice file; all its problems, or every notice it holds sorted by year.
pub fn parse(format: NoticeFormat, text: &str) -> Result<Vec<HolidayNotice>, Vec<NoticeProblem>> {
    match format {
        NoticeFormat::Toml => parse_toml(text),
        NoticeFormat::Csv => parse_csv(text),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    notice: Vec<TomlNotice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlNotice {
    year: toml::Spanned<i64>,
    source: toml::Spanned<String>,
    #[serde(default)]
    days_off: Vec<toml::Spanned<String>>,
    #[serde(default)]
    workdays: Vec<toml::Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// Reads one `days_off` or `workdays` entry: a date, or an inclusive range `A..B` within
/// `year`.
fn entry_dates(
    text: &str,
    year: i64,
    line: usize,
    field: &str,
    out: &mut Vec<(NaiveDate, usize)>,
    problems: &mut Vec<NoticeProblem>,
) {
    let mut fail = |why: String| problems.push(NoticeProblem::new(line, field, why));
    let Some((a, b)) = text.split_once("..") else {
        match super::parse_date(text) {
            Ok(d) => out.push((d, line)),
            Err(e) => fail(e),
        }
        return;
    };
    let (first, last) = match (super::parse_date(a), super::parse_date(b)) {
        (Ok(first), Ok(last)) => (first, last),
        _ => {
            return fail(format!(
                "范围“{text}”无法识别（应为 YYYY-MM-DD..YYYY-MM-DD）"
            ));
        }
    };
    if last < first {
        return fail(format!("范围“{text}”的结束日早于开始日"));
    }
    if i64::from(first.year()) != year || i64::from(last.year()) != year {
        return fail(format!("范围“{text}”超出{year}年"));
    }
    let mut d = first;
    loop {
        out.push((d, line));
        if d == last {
            break;
        }
        d = next_day(d);
    }
}

/// Parses the TOML format: one `[[notice]]` per year with `year`, `source`, `days_off` and
/// `workdays` (dates `YYYY-MM-DD` or inclusive ranges `A..B`).
pub fn parse_toml(text: &str) -> Result<Vec<HolidayNotice>, Vec<NoticeProblem>> {
    let file: TomlFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        vec![NoticeProblem::new(
            line,
            "TOML",
            format!("格式错误：{}", e.message().trim()),
        )]
    })?;
    let mut problems = Vec::new();
    let mut drafts = Vec::new();
    for n in file.notice {
        let year = *n.year.get_ref();
        let year_line = line_of(text, n.year.span().start);
        let mut draft = Draft {
            year,
            year_line,
            source: Some((
                n.source.get_ref().clone(),
                line_of(text, n.source.span().start),
            )),
            off: Vec::new(),
            work: Vec::new(),
        };
        for (list, field, out) in [
            (&n.days_off, TOML_FIELDS.off, &mut draft.off),
            (&n.workdays, TOML_FIELDS.work, &mut draft.work),
        ] {
            for entry in list {
                let line = line_of(text, entry.span().start);
                entry_dates(entry.get_ref(), year, line, field, out, &mut problems);
            }
        }
        drafts.push(draft);
    }
    finish(drafts, &TOML_FIELDS, problems)
}

/// Checks every draft, refuses two notices for one year and an empty file.
fn finish(
    drafts: Vec<Draft>,
    fields: &Fields,
    mut problems: Vec<NoticeProblem>,
) -> Result<Vec<HolidayNotice>, Vec<NoticeProblem>> {
    if drafts.is_empty() && problems.is_empty() {
        problems.push(NoticeProblem::new(1, "文件", "没有任何节假日安排"));
    }
    let mut lines: BTreeMap<i64, usize> = BTreeMap::new();
    let mut notices = Vec::new();
    for d in drafts {
        if let Some(first) = lines.insert(d.year, d.year_line) {
            problems.push(NoticeProblem::new(
                d.year_line,
                fields.year,
                format!("{}年的安排重复出现{}", d.year, earlier(first)),
            ));
            continue;
        }
        notices.extend(d.check(fields, &mut problems));
    }
    if problems.is_empty() {
        notices.sort_by_key(|n| n.year);
        Ok(notices)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// Parses the CSV format: a header `日期,类型,来源`, then one row per day; 类型 is 休 or 放假
/// for a day off, 班 or 调休上班 for a weekend working day; the year comes from the date.
/// 来源 may be left empty on all but one row of a year, but may not differ within a year.
pub fn parse_csv(text: &str) -> Result<Vec<HolidayNotice>, Vec<NoticeProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| vec![NoticeProblem::new(1, "表头", format!("无法读取：{e}"))])?
        .clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(c_date), Some(c_kind), Some(c_source)) =
        (column("日期"), column("类型"), column("来源"))
    else {
        return Err(vec![NoticeProblem::new(
            1,
            "表头",
            "应为“日期,类型,来源”三列",
        )]);
    };
    let mut problems = Vec::new();
    let mut drafts: BTreeMap<i32, Draft> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(NoticeProblem::new(line, "CSV", format!("无法读取：{e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or("");
        let date = match super::parse_date(cell(c_date)) {
            Ok(d) => d,
            Err(e) => {
                problems.push(NoticeProblem::new(line, "日期", e));
                continue;
            }
        };
        let off = match cell(c_kind) {
            "休" | "放假" => true,
            "班" | "调休上班" => false,
            other => {
                problems.push(NoticeProblem::new(
                    line,
                    "类型",
                    format!("“{other}”应为 休/放假 或 班/调休上班"),
                ));
                continue;
            }
        };
        let draft = drafts.entry(date.year()).or_insert_with(|| Draft {
            year: i64::from(date.year()),
            year_line: line,
            source: None,
            off: Vec::new(),
            work: Vec::new(),
        });
        let source = cell(c_source);
        match &draft.source {
            _ if source.is_empty() => {}
            None => draft.source = Some((source.to_string(), line)),
            Some((s, first)) if s != source => problems.push(NoticeProblem::new(
                line,
                "来源",
                format!("与第{first}行的{}年来源不同", date.year()),
            )),
            Some(_) => {}
        }
        if off {
            draft.off.push((date, line));
        } else {
            draft.work.push((date, line));
        }
    }
    finish(drafts.into_values().collect(), &CSV_FIELDS, problems)
}

/// The notices shipped with the program (`data/holidays.toml`).
pub fn shipped() -> Vec<HolidayNotice> {
    parse_toml(include_str!("../../data/holidays.toml"))
        .expect("data/holidays.toml is valid (checked by the tests)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(&shipped())
    }

    #[test]
    fn the_shipped_notices_are_2024_to_2026_and_valid() {
        let notices = shipped();
        assert_eq!(
            notices.iter().map(|n| n.year).collect::<Vec<_>>(),
            vec![2024, 2025, 2026]
        );
        for n in &notices {
            assert!(n.problems().is_empty(), "{}: {:?}", n.year, n.problems());
            assert!(
                n.source
                    .contains(&format!("关于{}年部分节假日安排的通知", n.year))
            );
        }
        // 2024 spring festival: 02-10..02-17 is eight days, weekend days included.
        let spring: Vec<_> = notices[0]
            .days_off
            .iter()
            .filter(|x| x.month() == 2)
            .collect();
        assert_eq!(spring.len(), 8);
        assert_eq!(notices[1].workdays.len(), 5);
    }

    #[test]
    fn the_domain_rules_vectors() {
        let c = cal();
        for (from, due) in [
            ("2024-02-05", "2024-03-08"),
            ("2024-09-20", "2024-10-23"),
            ("2024-12-20", "2025-01-20"),
            ("2025-01-20", "2025-02-21"),
            ("2025-09-25", "2025-10-29"),
            ("2026-02-10", "2026-03-16"),
            ("2026-09-15", "2026-10-19"),
            ("2026-12-01", "2026-12-29"),
        ] {
            let dl = c.add_working_days(d(from), RESULT_DEADLINE_DAYS);
            assert_eq!(dl.date, d(due), "from {from}");
            assert!(!dl.provisional, "from {from}");
            assert_eq!(c.working_days_between(d(from), d(due)), 20);
        }
    }

    #[test]
    fn a_year_without_a_notice_counts_weekends_only_and_is_provisional() {
        let c = cal();
        assert!(!c.known(2027));
        // 2027-01-01 is a Friday: a working day while the schedule is unknown.
        assert!(c.is_working_day(d("2027-01-01")));
        let dl = c.add_working_days(d("2026-12-31"), 20);
        assert_eq!(dl.date, d("2027-01-28"));
        assert!(dl.provisional);
        assert_eq!(dl.unknown_years, vec![2027]);
        assert_eq!(
            dl.to_string(),
            "2027-01-28（临时：2027年节假日安排未载入，仅按周末计算）"
        );
        assert_eq!(
            cal().add_working_days(d("2026-09-15"), 20).to_string(),
            "2026-10-19"
        );
        // Starting on the last day of an unknown year touches only the next one.
        let c = WorkingCalendar::new(&shipped()[2..]);
        assert!(!c.add_working_days(d("2025-12-31"), 3).provisional);
        assert!(c.add_working_days(d("2025-12-30"), 3).provisional);
    }

    #[test]
    fn adjusted_weekend_days_work_and_holidays_rest() {
        let c = cal();
        assert!(c.is_working_day(d("2026-02-28"))); // Saturday, 调休
        assert!(!c.is_working_day(d("2026-02-23"))); // Monday, 春节
        assert!(!c.is_working_day(d("2026-02-21"))); // Saturday inside the holiday
        assert!(c.is_working_day(d("2026-03-02")));
        assert!(!c.is_working_day(d("2026-03-07")));
    }

    #[test]
    fn working_days_between_turns_around_and_matches_adding() {
        let c = cal();
        let from = d("2025-09-25");
        for n in [0, 1, 5, 20, 60] {
            let due = c.add_working_days(from, n).date;
            assert_eq!(c.working_days_between(from, due), i64::from(n));
            assert_eq!(c.working_days_between(due, from), -i64::from(n));
        }
        assert_eq!(c.add_working_days(from, 0).date, from);
        // Over the national-day holiday: 09-26, 09-28 (Sunday, 调休), 09-29, 09-30, 10-09.
        assert_eq!(c.working_days_between(from, d("2025-10-09")), 5);
    }

    #[test]
    fn countdown_boundaries() {
        for (left, class, label) in [
            (6, Countdown::Ample, "充裕"),
            (5, Countdown::Near, "临近"),
            (3, Countdown::Near, "临近"),
            (2, Countdown::Urgent, "紧急"),
            (0, Countdown::Urgent, "紧急"),
            (-1, Countdown::Overdue, "逾期"),
        ] {
            assert_eq!(Countdown::of(left), class, "{left}");
            assert_eq!(class.label(), label);
        }
        let c = cal();
        // Due Monday 2026-10-19; 2026-10-10 is a 调休 Saturday, 10-11 a plain Sunday.
        let due = d("2026-10-19");
        assert_eq!(c.countdown(d("2026-10-09"), due), (7, Countdown::Ample));
        assert_eq!(c.countdown(d("2026-10-10"), due), (6, Countdown::Ample));
        assert_eq!(c.countdown(d("2026-10-11"), due), (6, Countdown::Ample));
        assert_eq!(c.countdown(d("2026-10-12"), due), (5, Countdown::Near));
        assert_eq!(c.countdown(d("2026-10-14"), due), (3, Countdown::Near));
        assert_eq!(c.countdown(d("2026-10-15"), due), (2, Countdown::Urgent));
        assert_eq!(c.countdown(due, due), (0, Countdown::Urgent));
        assert_eq!(c.countdown(d("2026-10-20"), due), (-1, Countdown::Overdue));
        // Due on a Friday and looked at on Saturday: no working day has passed, yet overdue.
        assert_eq!(
            c.countdown(d("2026-10-24"), d("2026-10-23")),
            (-1, Countdown::Overdue)
        );
        assert_eq!(c.countdown(d("2026-10-27"), due), (-6, Countdown::Overdue));
    }

    #[test]
    fn runs_collapse_consecutive_days() {
        let n = &shipped()[2];
        let r = runs(&n.days_off);
        assert_eq!(r.len(), 7);
        assert_eq!(r[1], (d("2026-02-15"), d("2026-02-23")));
        assert_eq!(runs(&n.workdays).len(), 6);
    }

    const GOOD: &str = r#"
[[notice]]
year = 2027
source = "测试通知"
days_off = ["2027-01-01", "2027-02-06..2027-02-13"]
workdays = ["2027-02-14"]
"#;

    fn problems(text: &str) -> Vec<String> {
        parse_toml(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn toml_ranges_are_inclusive() {
        let n = parse_toml(GOOD).unwrap().remove(0);
        assert_eq!(n.days_off.len(), 9);
        assert_eq!(n.days_off[1], d("2027-02-06"));
        assert_eq!(n.days_off[8], d("2027-02-13"));
        assert_eq!(n.workdays, vec![d("2027-02-14")]);
    }

    #[test]
    fn toml_problems_name_the_line() {
        let p = problems(&GOOD.replace("\"2027-02-14\"", "\"2027-02-10\""));
        assert_eq!(
            p,
            vec!["第6行 workdays 调休上班日 2027-02-10 是星期三，应为星期六或星期日"]
        );
        let p = problems(&GOOD.replace("\"2027-01-01\"", "\"2026-12-31\""));
        assert_eq!(p, vec!["第5行 days_off 2026-12-31 不在2027年内"]);
        let p = problems(&GOOD.replace("2027-02-06..2027-02-13", "2027-02-13..2027-02-06"));
        assert_eq!(
            p,
            vec!["第5行 days_off 范围“2027-02-13..2027-02-06”的结束日早于开始日"]
        );
        let p = problems(&GOOD.replace("2027-02-06..2027-02-13", "2027-02-06..2028-01-02"));
        assert!(p[0].contains("超出2027年"), "{p:?}");
        let p = problems(&GOOD.replace("2027-02-06..2027-02-13", "2027-02-06.."));
        assert!(p[0].contains("无法识别"), "{p:?}");
        let p = problems(&GOOD.replace("\"2027-01-01\"", "\"2027-02-07\""));
        assert_eq!(
            p,
            vec!["第5行 days_off 放假日 2027-02-07 重复列出（第5行已列出）"]
        );
        let p = problems(&GOOD.replace("\"2027-02-14\"", "\"2027-02-13\""));
        assert!(p[0].contains("既是调休上班日又是放假日"), "{p:?}");
        let p = problems(&GOOD.replace("source = \"测试通知\"", "source = \" \""));
        assert_eq!(
            p,
            vec!["第4行 source 2027年没有写明来源（通知名称，确知时加文号）"]
        );
        let p = problems(&format!("{GOOD}{GOOD}"));
        assert!(
            p[0].contains("2027年的安排重复出现（第3行已列出）"),
            "{p:?}"
        );
        let p = problems(&GOOD.replace("workdays", "workday"));
        assert!(p[0].starts_with("第6行 TOML 格式错误"), "{p:?}");
        assert!(problems("")[0].contains("没有任何节假日安排"));
    }

    #[test]
    fn csv_reads_the_same_notice() {
        let mut csv = String::from("\u{feff}日期,类型,来源\n2027-01-01,休,测试通知\n");
        for day in 6..=13 {
            csv.push_str(&format!("2027-02-{day:02},放假,\n"));
        }
        csv.push_str("2027/2/14,调休上班,测试通知\n");
        assert_eq!(parse_csv(&csv).unwrap(), parse_toml(GOOD).unwrap());
        assert_eq!(parse(NoticeFormat::Csv, &csv).unwrap().len(), 1);
    }

    #[test]
    fn csv_problems_name_the_row() {
        let p = |text: &str| -> Vec<String> {
            parse_csv(text)
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            p("日期,类型,来源\n2027-01-01,休,甲\n2027-02-10,班,甲\n"),
            vec!["第3行 日期 调休上班日 2027-02-10 是星期三，应为星期六或星期日"]
        );
        assert_eq!(
            p("日期,类型,来源\n2027-01-01,假,甲\n"),
            vec!["第2行 类型 “假”应为 休/放假 或 班/调休上班"]
        );
        assert_eq!(
            p("日期,类型,来源\n2027-01-01,休,甲\n2027-01-02,休,乙\n"),
            vec!["第3行 来源 与第2行的2027年来源不同"]
        );
        assert_eq!(
            p("日期,类型\n2027-01-01,休\n"),
            vec!["第1行 表头 应为“日期,类型,来源”三列"]
        );
        assert!(p("日期,类型,来源\n2027-01-01,休,\n")[0].contains("没有写明来源"));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            NoticeFormat::from_extension("TOML"),
            Some(NoticeFormat::Toml)
        );
        assert_eq!(NoticeFormat::from_extension("csv"), Some(NoticeFormat::Csv));
        assert_eq!(NoticeFormat::from_extension("xlsx"), None);
    }
}
