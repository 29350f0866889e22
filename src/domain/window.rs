//! 检查时间 (inspection windows): when a visit's checks are due. Each task line names its window
//! (3月–10月, one item 3月–12月); a visit is inside its windows when its date lies in the window
//! of every task it covers. A step outside them is recorded with a reason, never refused:
//! what really happened must be recorded (domain-rules §10).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::calendar::WorkingCalendar;
use super::plan::Window;

/// Visits still unstarted this many working days before their earliest window closes are
/// flagged.
pub const CLOSING_WARNING_DAYS: i64 = 10;
/// The overview reminds the lead when no draw exists by this working day of the quarter's part
/// inside the window.
pub const DRAW_DUE_WORKING_DAY: i64 = 5;

/// The windows of one task, in the plan year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskWindow {
    pub task: String,
    pub year: i32,
    /// The windows of the task's sampling lines (any one will do).
    pub windows: Vec<Window>,
}

impl TaskWindow {
    /// Whether `day` lies in one of the task's windows (a task without lines has no limit).
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.windows.is_empty()
            || (day.year() == self.year
                && self
                    .windows
                    .iter()
                    .any(|w| w.start_month <= day.month() && day.month() <= w.end_month))
    }

    /// The last day of the latest window.
    pub fn closes(&self) -> Option<NaiveDate> {
        let end = self.windows.iter().map(|w| w.end_month).max()?;
        let next = if end >= 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, end + 1, 1)
        }?;
        next.pred_opt()
    }

    /// "LH-1（3月-10月）".
    pub fn text(&self) -> String {
        let w: Vec<String> = self.windows.iter().map(|w| w.label()).collect();
        format!("{}（{}）", self.task, w.join("、"))
    }
}

/// The tasks whose windows `day` misses, named with their windows ("LH-1（3月-10月）、…");
/// `None` when the day is inside every window.
pub fn outside(tasks: &[TaskWindow], day: NaiveDate) -> Option<String> {
    let out: Vec<String> = tasks
        .iter()
        .filter(|t| !t.contains(day))
        .map(TaskWindow::text)
        .collect();
    (!out.is_empty()).then(|| out.join("、"))
}

/// The earliest day one of the visit's windows closes.
pub fn earliest_close(tasks: &[TaskWindow]) -> Option<NaiveDate> {
    tasks.iter().filter_map(TaskWindow::closes).min()
}

/// Whether an unstarted visit is due to be flagged on `today`: its earliest window closes
/// within [`CLOSING_WARNING_DAYS`] working days (or has closed).
pub fn closing_soon(tasks: &[TaskWindow], today: NaiveDate, cal: &WorkingCalendar) -> bool {
    earliest_close(tasks)
        .is_some_and(|close| cal.working_days_between(today, close) <= CLOSING_WARNING_DAYS)
}

/// The day from which a quarter without a draw is flagged: the fifth working day of the
/// quarter's part that lies inside some window (Q1 of a 3月–10月 window: of March); `None`
/// when no window meets the quarter.
pub fn draw_due_from(
    year: i32,
    quarter: u32,
    windows: &[Window],
    cal: &WorkingCalendar,
) -> Option<NaiveDate> {
    let first_month = (quarter - 1) * 3 + 1;
    let month = (first_month..first_month + 3).find(|m| {
        windows
            .iter()
            .any(|w| w.start_month <= *m && *m <= w.end_month)
    })?;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let mut day = first;
    let mut n = 0;
    loop {
        if cal.is_working_day(day) {
            n += 1;
            if n == DRAW_DUE_WORKING_DAY {
                return Some(day);
            }
        }
        day = day.succ_opt()?;
    }
}

/// What to say of a draw prepared on `day` when it is not what a bureau schedules: a day off, or
/// a day outside every window of the chosen tasks (the rules want draws on working days inside
/// the windows; what happened is recorded, never refused).
pub fn draw_day_notes(day: NaiveDate, windows: &[Window], cal: &WorkingCalendar) -> Vec<String> {
    let mut notes = Vec::new();
    if !cal.is_working_day(day) {
        notes.push(format!("{day}不是工作日：抽取宜在工作日进行"));
    }
    if !windows
        .iter()
        .any(|w| w.start_month <= day.month() && day.month() <= w.end_month)
    {
        notes.push(format!(
            "{day}不在所选任务的检查时间内：抽取宜在检查时间内进行"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn lh1() -> TaskWindow {
        TaskWindow {
            task: "LH-1".to_string(),
            year: 2026,
            windows: vec![Window {
                start_month: 3,
                end_month: 10,
            }],
        }
    }

    #[test]
    fn a_day_outside_names_the_task_and_its_window() {
        let t = [lh1()];
        assert_eq!(outside(&t, d("2026-03-01")), None);
        assert_eq!(outside(&t, d("2026-10-31")), None);
        assert_eq!(
            outside(&t, d("2026-12-20")).as_deref(),
            Some("LH-1（3月-10月）")
        );
        assert_eq!(
            outside(&t, d("2026-02-28")).as_deref(),
            Some("LH-1（3月-10月）")
        );
        // The window is of the plan's year.
        assert!(outside(&t, d("2027-05-01")).is_some());
    }

    #[test]
    fn a_draw_on_a_day_off_or_outside_the_windows_is_noted() {
        let cal = WorkingCalendar::new([]);
        let w = lh1().windows;
        assert!(draw_day_notes(d("2026-03-03"), &w, &cal).is_empty());
        let n = draw_day_notes(d("2026-03-07"), &w, &cal);
        assert!(n.len() == 1 && n[0].contains("不是工作日"), "{n:?}");
        let n = draw_day_notes(d("2026-01-05"), &w, &cal);
        assert!(
            n.len() == 1 && n[0].contains("不在所选任务的检查时间内"),
            "{n:?}"
        );
    }

    #[test]
    fn the_window_closes_on_its_last_month_s_last_day() {
        assert_eq!(lh1().closes(), Some(d("2026-10-31")));
        let mut t = lh1();
        t.windows[0].end_month = 12;
        assert_eq!(t.closes(), Some(d("2026-12-31")));
        assert_eq!(earliest_close(&[t, lh1()]), Some(d("2026-10-31")));
    }
}
