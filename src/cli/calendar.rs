//! `calendar show | deadline | import`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::json;

use super::messages::NONE;
use super::{CliResult, output};
use shuangsuiji::domain::calendar::{RESULT_DEADLINE_DAYS, runs, weekday_label};
use shuangsuiji::services::Session;
use shuangsuiji::services::calendar::DayKind;

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// 显示某年的节假日安排（放假日期、调休上班日、来源）
    Show {
        #[arg(value_parser = super::year)]
        year: i32,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 计算期限：起算日之后第 N 个工作日（起算日当天不计）
    Deadline {
        /// 起算日，如检查完成日期
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::day)]
        from: NaiveDate,
        /// 工作日天数（结果录入期限为20个工作日）
        #[arg(long, default_value_t = RESULT_DEADLINE_DAYS)]
        days: u32,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 载入节假日安排文件（.toml 或 .csv），全部成功或全部不载入（系统管理员）
    Import { file: PathBuf },
    /// 修改已载入通知中的某一天（系统管理员，须写理由，记入审计日志）
    Set {
        #[arg(value_parser = super::day)]
        date: NaiveDate,
        /// 放假、调休上班，或 平常（从通知中去掉这一天）
        #[arg(long, value_parser = parse_kind)]
        kind: DayKind,
        #[arg(long)]
        reason: String,
    },
}

fn parse_kind(text: &str) -> Result<DayKind, String> {
    DayKind::parse(text).ok_or_else(|| "应为 放假、调休上班 或 平常".to_string())
}

fn years_text(years: &[i32]) -> String {
    if years.is_empty() {
        NONE.to_string()
    } else {
        years
            .iter()
            .map(|y| format!("{y}年"))
            .collect::<Vec<_>>()
            .join("、")
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%m-%d").to_string()
}

pub fn run(s: &mut Session, c: &CalendarCommand) -> CliResult {
    match c {
        CalendarCommand::Show { year, json } => show(s, *year, *json),
        CalendarCommand::Deadline { from, days, json } => deadline(s, *from, *days, *json),
        CalendarCommand::Set { date, kind, reason } => set(s, *date, *kind, reason),
        CalendarCommand::Import { file } => import(s, file),
    }
}

fn set(s: &mut Session, date: NaiveDate, kind: DayKind, reason: &str) -> CliResult {
    s.set_calendar_day(date, kind, reason)?;
    output::say(&format!(
        "{date}（{}）已改为“{}”，已记入审计日志",
        weekday_label(date),
        kind.label()
    ));
    Ok(())
}

fn import(s: &mut Session, file: &Path) -> CliResult {
    for y in s.import_calendar(file)? {
        let source = s.holiday_notice(y)?.map(|n| n.source).unwrap_or_default();
        output::say(&format!("已载入{y}年节假日安排（{source}）"));
    }
    Ok(())
}

fn show(s: &Session, year: i32, as_json: bool) -> CliResult {
    let notice = s.holiday_notice(year)?;
    if as_json {
        return output::json(&json!({
            "year": year,
            "loaded": notice.is_some(),
            "notice": notice,
        }));
    }
    let Some(n) = notice else {
        let loaded = s.calendar()?.years();
        output::say(&format!(
            "未载入{year}年节假日安排，按周末计算（临时）。已载入：{}。",
            years_text(&loaded)
        ));
        return Ok(());
    };
    let off: Vec<String> = runs(&n.days_off)
        .into_iter()
        .map(|(a, b)| {
            if a == b {
                day(a)
            } else {
                let len = (b - a).num_days() + 1;
                format!("{}至{}（{len}天）", day(a), day(b))
            }
        })
        .collect();
    let work: Vec<String> = n
        .workdays
        .iter()
        .map(|d| format!("{}（{}）", day(*d), weekday_label(*d)))
        .collect();
    output::fields(&[
        ("年份", format!("{year}年")),
        ("来源", n.source.clone()),
        (
            "放假",
            format!("{}；共{}天", off.join("、"), n.days_off.len()),
        ),
        (
            "调休上班",
            if work.is_empty() {
                NONE.to_string()
            } else {
                work.join("、")
            },
        ),
    ])
}

fn deadline(s: &Session, from: NaiveDate, days: u32, as_json: bool) -> CliResult {
    let due = s.deadline(from, days)?;
    let today = s.today();
    let (left, class) = s.calendar()?.countdown(today, due.date);
    if as_json {
        return output::json(&json!({
            "from": from,
            "days": days,
            "date": due.date,
            "weekday": weekday_label(due.date),
            "provisional": due.provisional,
            "unknown_years": due.unknown_years,
            "today": today,
            "days_left": left,
            "countdown": class,
            "countdown_label": class.label(),
        }));
    }
    output::say(&format!("截止日期：{due}"));
    let status = if left < 0 {
        format!("已逾期{}个工作日", -left)
    } else {
        format!("还剩{left}个工作日")
    };
    output::say(&format!(
        "{from} 之后第{days}个工作日（{}，起算日当天不计）；今天 {today}，{status}（{}）",
        weekday_label(due.date),
        class.label()
    ));
    Ok(())
}
