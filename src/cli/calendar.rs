//! `calendar show | deadline | import`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::json;

use super::messages::NONE;
use super::{CliResult, Failure, output};
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
    /// 生成某年节假日安排文件模板（TOML，附中文说明），按国务院办公厅通知填写后用 calendar import 载入
    Template {
        /// 年份（也可写作 --year 2027）；给了 --year 时这里写文件名
        #[arg(value_name = "YEAR|FILE")]
        first: Option<String>,
        /// 写入该文件（默认输出到标准输出；已存在的文件不覆盖）
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// 年份
        #[arg(long, value_parser = super::year)]
        year: Option<i32>,
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
        CalendarCommand::Template { .. } => without_database(c).unwrap_or(Ok(())),
    }
}

/// The commands that need no database (`calendar template`), run; `None` for the others.
pub fn without_database(c: &CalendarCommand) -> Option<CliResult> {
    match c {
        CalendarCommand::Template { first, file, year } => {
            Some(template(*year, first.as_deref(), file.as_deref()))
        }
        _ => None,
    }
}

/// `calendar template 2027 [FILE]` or `calendar template --year 2027 [FILE]`.
fn template(year: Option<i32>, first: Option<&str>, file: Option<&Path>) -> CliResult {
    let (year, file) = match (year, first, file) {
        (Some(y), first, None) => (y, first.map(PathBuf::from)),
        (Some(_), Some(_), Some(_)) => {
            return Err(Failure::Message(
                "给了 --year 时只能再写一个文件名".to_string(),
            ));
        }
        (None, Some(y), file) => (
            super::year(y).map_err(|why| Failure::Message(format!("年份“{y}”无效：{why}")))?,
            file.map(Path::to_path_buf),
        ),
        _ => {
            return Err(Failure::Message(
                "请给出年份：shuangsuiji calendar template 2027 > 2027.toml".to_string(),
            ));
        }
    };
    let text = notice_template(year);
    match file {
        None => {
            print!("{}", output::clean(&text));
            Ok(())
        }
        Some(path) => {
            if path.exists() {
                return Err(Failure::Message(format!(
                    "文件 {} 已存在，不覆盖；请换一个文件名",
                    path.display()
                )));
            }
            std::fs::write(&path, &text)
                .map_err(|e| Failure::Message(format!("无法写入 {}：{e}", path.display())))?;
            output::say(&format!(
                "已写入{year}年节假日安排模板 {}；按通知填写后运行 shuangsuiji calendar import {}",
                path.display(),
                path.display()
            ));
            Ok(())
        }
    }
}

/// The notice file to fill in for `year`: the format explained in Chinese, an empty source
/// (so an unfilled template is refused on import) and each holiday as a commented line.
pub(crate) fn notice_template(year: i32) -> String {
    let holidays = [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ];
    let mut out = format!(
        "# {year}年节假日安排：按国务院办公厅《关于{year}年部分节假日安排的通知》填写，\n\
         # 然后由系统管理员载入：shuangsuiji calendar import 本文件\n\
         #\n\
         #   year      通知所属年份（不要改）\n\
         #   source    通知的标题和文号，如“国务院办公厅关于{year}年部分节假日安排的通知（国办发明电〔{}〕X号）”\n\
         #   days_off  放假日期：\"{year}-MM-DD\"，或连续的放假写成范围 \"{year}-MM-DD..{year}-MM-DD\"（含首尾，\n\
         #             按通知写，可含周六、周日）\n\
         #   workdays  调休上班的周六、周日：\"{year}-MM-DD\"\n\
         #\n\
         # 每个日期都须在{year}年内；一天只写一次；放假日不能同时是调休上班日。\n\
         # 以 # 开头的是说明；去掉日期行前的 # 并把 MM-DD 换成通知中的日期。\n\
         # 未载入通知的年份按周末计算，期限标“临时”。\n\
         \n\
         [[notice]]\n\
         year = {year}\n\
         source = \"\"\n\
         days_off = [\n",
        year - 1
    );
    for h in holidays {
        out.push_str(&format!("    # \"{year}-MM-DD..{year}-MM-DD\", # {h}\n"));
    }
    out.push_str("]\nworkdays = [\n");
    for h in ["元旦", "春节", "劳动节", "国庆节"] {
        out.push_str(&format!("    # \"{year}-MM-DD\", # {h}调休上班\n"));
    }
    out.push_str("]\n");
    out
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
