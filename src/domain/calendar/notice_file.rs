//! Notice files: TOML (`[[notice]]`) and CSV (`日期,类型,来源`).

use super::*;

// ---------------------------------------------------------------------------------------
// Notice files: TOML (`[[notice]]`) and CSV (`日期,类型,来源`).

/// The field names a file uses, for problems.
pub(super) struct Fields {
    year: &'static str,
    source: &'static str,
    off: &'static str,
    work: &'static str,
}

pub(super) const TOML_FIELDS: Fields = Fields {
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
pub(super) struct Draft {
    pub(super) year: i64,
    pub(super) year_line: usize,
    pub(super) source: Option<(String, usize)>,
    pub(super) off: Vec<(NaiveDate, usize)>,
    pub(super) work: Vec<(NaiveDate, usize)>,
}

impl Draft {
    /// Adds the draft's problems to `out`; returns the notice when there are none.
    pub(super) fn check(
        self,
        fields: &Fields,
        out: &mut Vec<NoticeProblem>,
    ) -> Option<HolidayNotice> {
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
            Some((s, line)) if !s.trim().is_empty() => {
                if let Err(why) =
                    crate::domain::text::check(crate::domain::text::TextKind::Other, s.trim())
                {
                    out.push(NoticeProblem::new(*line, fields.source, why.to_string()));
                }
                s.trim().to_string()
            }
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
        match crate::domain::parse_date(text) {
            Ok(d) => out.push((d, line)),
            Err(e) => fail(e),
        }
        return;
    };
    let (first, last) = match (crate::domain::parse_date(a), crate::domain::parse_date(b)) {
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
        let date = match crate::domain::parse_date(cell(c_date)) {
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
