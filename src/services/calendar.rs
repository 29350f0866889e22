//! The working calendar (工作日历): reading it, computing deadlines, and loading the State
//! Council's holiday notices — shipped with the program or imported from a file.

use std::path::Path;

use rusqlite::Transaction;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Actor, Result, ServiceError, Session, Unchanged};
use crate::domain::calendar::{
    self, Deadline, HolidayNotice, NoticeFormat, NoticeProblem, WorkingCalendar,
};
use crate::domain::role::Action;
use crate::sheets::{self, Problem, SheetError};
use crate::store;

/// The most working days `deadline` counts (a generous year and a half).
pub const MAX_DAYS: u32 = 400;

impl Session {
    /// The calendar from the loaded notices (weekends only for other years).
    pub fn calendar(&self) -> Result<WorkingCalendar> {
        self.require(Action::ViewRegistry)?;
        let notices = store::calendar::all(self.store().conn())?;
        Ok(WorkingCalendar::new(&notices))
    }

    /// The year's notice, if loaded.
    pub fn holiday_notice(&self, year: i32) -> Result<Option<HolidayNotice>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::calendar::get(self.store().conn(), year)?)
    }

    /// The `days`th working day after `from` (`from` not counted).
    pub fn deadline(&self, from: chrono::NaiveDate, days: u32) -> Result<Deadline> {
        crate::domain::check_date(from).map_err(|why| ServiceError::invalid("from", why))?;
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(ServiceError::invalid(
                "days",
                format!("工作日天数应在1至{MAX_DAYS}之间"),
            ));
        }
        Ok(self.calendar()?.add_working_days(from, days))
    }

    /// `calendar import FILE` (.toml or .csv): all or nothing. Each year whose notice differs
    /// from the stored one (or is new) is stored and logged as `calendar.import`; the years
    /// changed are returned. A file that changes nothing is refused.
    pub fn import_calendar(&mut self, path: &Path) -> Result<Vec<i32>> {
        self.require(Action::EditCalendar)?;
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let format = NoticeFormat::from_extension(ext).ok_or_else(|| {
            ServiceError::invalid(
                "file",
                format!(
                    "不支持的文件类型“{}”：节假日安排请使用 .toml 或 .csv",
                    path.display()
                ),
            )
        })?;
        let bytes = std::fs::read(path).map_err(|e| SheetError::io(path, e))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let (text, _) = sheets::decode_text(&bytes)?;
        let notices = calendar::parse(format, &text).map_err(rejected)?;
        let file = path.display().to_string();
        self.write(|tx, actor| {
            let mut changed = Vec::new();
            for notice in &notices {
                if store_notice(tx, actor, notice, &file, Some(&sha256))? {
                    changed.push(notice.year);
                }
            }
            if changed.is_empty() {
                return Err(ServiceError::Unchanged(Unchanged::Calendar));
            }
            Ok(changed)
        })
    }
}

/// What a day is made by `calendar set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// 放假
    Off,
    /// 调休上班 (a weekend day worked)
    Workday,
    /// 按平常：neither in the notice (weekdays work, weekends rest)
    Ordinary,
}

impl DayKind {
    pub fn parse(text: &str) -> Option<DayKind> {
        match text.trim() {
            "放假" | "off" => Some(DayKind::Off),
            "调休上班" | "work" => Some(DayKind::Workday),
            "平常" | "ordinary" => Some(DayKind::Ordinary),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DayKind::Off => "放假",
            DayKind::Workday => "调休上班",
            DayKind::Ordinary => "平常",
        }
    }
}

impl Session {
    /// `calendar set DATE --kind K --reason R`: an administrator corrects one day of a loaded
    /// notice (a late 调休 change, a typo in the imported file). Logged as `calendar.edit`
    /// with the reason and the notice before and after.
    pub fn set_calendar_day(
        &mut self,
        date: chrono::NaiveDate,
        kind: DayKind,
        reason: &str,
    ) -> Result<HolidayNotice> {
        use chrono::Datelike;
        self.require(Action::EditCalendar)?;
        let reason = reason.trim().to_string();
        if reason.chars().count() < 4 {
            return Err(ServiceError::invalid(
                "reason",
                "修改节假日安排须写明理由（至少4个字）",
            ));
        }
        crate::domain::text::field("理由", crate::domain::text::TextKind::Other, &reason)
            .map_err(|why| ServiceError::invalid("reason", why))?;
        let year = date.year();
        self.write(|tx, actor| {
            let before =
                store::calendar::get(tx, year)?.ok_or(ServiceError::CalendarNotLoaded { year })?;
            let mut after = before.clone();
            after.days_off.retain(|d| *d != date);
            after.workdays.retain(|d| *d != date);
            match kind {
                DayKind::Off => after.days_off.push(date),
                DayKind::Workday => after.workdays.push(date),
                DayKind::Ordinary => {}
            }
            after.days_off.sort();
            after.workdays.sort();
            if after == before {
                return Err(ServiceError::Unchanged(Unchanged::Day { date, kind }));
            }
            let problems = after.problems();
            if !problems.is_empty() {
                let why: Vec<String> = problems.into_iter().map(|p| p.reason).collect();
                // The day's new kind breaks the notice (a workday that is not a weekend …).
                return Err(ServiceError::invalid("kind", why.join("；")));
            }
            let ev = actor.log(
                tx,
                "calendar.edit",
                &date.to_string(),
                &json!({ "year": year, "date": date.to_string(), "kind": kind.label(),
                         "reason": reason, "before": before, "after": after }),
            )?;
            store::calendar::put(tx, &after, ev.seq)?;
            Ok(after)
        })
    }
}

fn rejected(problems: Vec<NoticeProblem>) -> ServiceError {
    ServiceError::Rejected(
        problems
            .into_iter()
            .map(|p| Problem::new(p.line, &p.field, p.reason))
            .collect(),
    )
}

/// Stores one notice unless the stored one is the same; logs it. Whether it changed.
fn store_notice(
    tx: &Transaction<'_>,
    actor: &Actor,
    notice: &HolidayNotice,
    file: &str,
    sha256: Option<&str>,
) -> Result<bool> {
    let problems = notice.problems();
    if !problems.is_empty() {
        return Err(rejected(problems));
    }
    let before = store::calendar::get(tx, notice.year)?;
    if before.as_ref() == Some(notice) {
        return Ok(false);
    }
    let mut detail = json!({ "year": notice.year, "before": before, "after": notice });
    if let Some(sha) = sha256 {
        detail["sha256"] = json!(sha);
    }
    let ev = actor.log(tx, "calendar.import", file, &detail)?;
    store::calendar::put(tx, notice, ev.seq)?;
    Ok(true)
}

/// Loads the shipped notices (`data/holidays.toml`) into a new database; how many.
pub(crate) fn load_shipped(tx: &Transaction<'_>, actor: &Actor) -> Result<usize> {
    let mut count = 0;
    for notice in calendar::shipped() {
        if store_notice(tx, actor, &notice, calendar::SHIPPED_PATH, None)? {
            count += 1;
        }
    }
    Ok(count)
}
