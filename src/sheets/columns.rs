//! Column layouts (列) and the header matching and row checking shared by the three sheets.

use std::collections::HashMap;

use super::{Parsed, Present, Problem, Row, Table};
use crate::domain::text::{self, TextKind};

/// The values a column accepts, for the template's 填写说明 and drop-down lists.
#[derive(Clone, Copy)]
pub(crate) enum Values {
    /// Free text.
    Text,
    /// Exactly one of the listed values.
    One(fn() -> Vec<&'static str>),
    /// Several of the listed values, joined with `、`.
    Many(fn() -> Vec<&'static str>),
    /// Free text; the listed values are the usual ones.
    Suggest(fn() -> Vec<&'static str>),
}

/// One column of a layout (列).
pub(crate) struct Column {
    /// The canonical header (表头), without the `*` of required columns.
    pub header: &'static str,
    /// Whether the column must be present and every row must fill it (必填).
    pub required: bool,
    /// Other headers bureaus use for the same column.
    pub aliases: &'static [&'static str],
    /// The values it accepts.
    pub values: Values,
    /// How to fill it in, for the template's 填写说明 sheet.
    pub hint: &'static str,
    /// The kind of text it holds, which sets its length limit (`domain::text`).
    pub kind: TextKind,
    /// A name or a code: invisible characters (bidi controls, zero-width) are refused.
    pub identifier: bool,
    /// Required of a new record only: a partial sheet that updates stored records may leave
    /// the column out (the import checks that no row of such a sheet is new).
    pub for_new: bool,
}

impl Column {
    pub const fn new(header: &'static str, required: bool, hint: &'static str) -> Column {
        Column {
            header,
            required,
            aliases: &[],
            values: Values::Text,
            hint,
            kind: TextKind::Other,
            identifier: false,
            for_new: false,
        }
    }

    /// Required of new records only (see [`Column::for_new`]).
    pub const fn for_new(mut self) -> Column {
        self.for_new = true;
        self
    }

    /// The kind of text the column holds (its length limit); [`TextKind::Other`] unless set.
    pub const fn kind(mut self, kind: TextKind) -> Column {
        self.kind = kind;
        self
    }

    /// A name or a code, which refuses invisible characters.
    pub const fn identifier(mut self) -> Column {
        self.identifier = true;
        self
    }

    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Column {
        self.aliases = aliases;
        self
    }

    pub const fn values(mut self, values: Values) -> Column {
        self.values = values;
        self
    }
}

/// The headers of a layout as exported (no `*`).
/// A table with the layout's headers and the given rows (numbered from 2), for tests.
#[cfg(test)]
pub(crate) fn table_of(columns: &[Column], rows: &[&[&str]]) -> super::Table {
    super::Table {
        header_row: 1,
        headers: headers(columns),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| super::Row {
                number: i + 2,
                cells: r.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
    }
}

pub(crate) fn headers(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.header.to_string()).collect()
}

/// Normalises a header for matching: drops all white space and leading or trailing `*`, and
/// writes full-width parentheses as half-width ones.
pub(crate) fn normalize_header(text: &str) -> String {
    let s: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '＊' => '*',
            _ => c,
        })
        .collect();
    s.trim_matches('*').to_string()
}

fn matches(column: &Column, normalized: &str) -> bool {
    normalize_header(column.header) == normalized
        || column
            .aliases
            .iter()
            .any(|a| normalize_header(a) == normalized)
}

fn find(columns: &[Column], header: &str) -> Option<usize> {
    let h = normalize_header(header);
    if h.is_empty() {
        return None;
    }
    if let Some(i) = columns.iter().position(|c| matches(c, &h)) {
        return Some(i);
    }
    // “生产月份(1-12)”: a trailing remark in parentheses.
    let bare = match h
        .strip_suffix(')')
        .and_then(|s| s.rfind('(').map(|at| &s[..at]))
    {
        Some(b) if !b.is_empty() => b,
        _ => return None,
    };
    columns.iter().position(|c| matches(c, bare))
}

/// Finds each column of the layout in the file's header: for every layout column, the index
/// of the file column holding it. Unknown file columns are ignored; a missing required column
/// or two file columns for one layout column are problems on the header row.
#[cfg(test)]
pub(crate) fn locate(
    headers: &[String],
    columns: &[Column],
    header_row: usize,
) -> Result<Vec<Option<usize>>, Vec<Problem>> {
    locate_as(headers, columns, header_row, false)
}

/// [`locate`]; with `partial`, a required column marked [`Column::for_new`] may be absent.
fn locate_as(
    headers: &[String],
    columns: &[Column],
    header_row: usize,
    partial: bool,
) -> Result<Vec<Option<usize>>, Vec<Problem>> {
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    let mut problems = Vec::new();
    for (at, header) in headers.iter().enumerate() {
        let Some(col) = find(columns, header) else {
            continue;
        };
        match index[col] {
            Some(first) => problems.push(Problem::new(
                header_row,
                "表头",
                format!(
                    "“{}”与“{}”是同一列（{}），只能保留一列",
                    header.trim(),
                    headers[first].trim(),
                    columns[col].header
                ),
            )),
            None => index[col] = Some(at),
        }
    }
    for (col, column) in columns.iter().enumerate() {
        if column.required && index[col].is_none() && !(partial && column.for_new) {
            problems.push(Problem::new(
                header_row,
                "表头",
                format!("缺少必填列“{}”", column.header),
            ));
        }
    }
    if problems.is_empty() {
        Ok(index)
    } else {
        Err(problems)
    }
}

/// Reads the cells of one row by layout column and collects its problems.
pub(crate) struct RowCheck<'a> {
    row: &'a Row,
    index: &'a [Option<usize>],
    columns: &'a [Column],
    problems: Vec<(usize, Problem)>,
}

impl<'a> RowCheck<'a> {
    pub fn new(row: &'a Row, index: &'a [Option<usize>], columns: &'a [Column]) -> Self {
        RowCheck {
            row,
            index,
            columns,
            problems: Vec::new(),
        }
    }

    /// The row number.
    pub fn number(&self) -> usize {
        self.row.number
    }

    /// Whether the file has a layout column.
    pub fn has(&self, col: usize) -> bool {
        self.index.get(col).copied().flatten().is_some()
    }

    /// The trimmed text of a layout column; empty when the file lacks the column.
    pub fn text(&self, col: usize) -> &'a str {
        self.index
            .get(col)
            .copied()
            .flatten()
            .and_then(|at| self.row.cells.get(at))
            .map_or("", |s| s.trim())
    }

    /// Records a problem with a layout column, quoting the value typed (unless the reason
    /// already does): `第8行 统一社会信用代码 “91140522MA0K00001X” 校验位错误`.
    pub fn fail(&mut self, col: usize, reason: impl Into<String>) {
        let header = self.columns.get(col).map_or("", |c| c.header);
        let reason = with_value(self.text(col), reason.into());
        self.problems
            .push((col, Problem::new(self.row.number, header, reason)));
    }

    /// The text of a column that must not be empty (when the file has it: a partial sheet
    /// may lack a [`Column::for_new`] column).
    pub fn required(&mut self, col: usize) -> String {
        let t = self.text(col);
        if t.is_empty() && self.has(col) {
            self.fail(col, "不能为空");
        }
        t.to_string()
    }

    /// Checks every column's text against its limit and, for names and codes, for invisible
    /// characters (`domain::text`). A column refused here is not parsed further.
    pub fn check_text(&mut self) {
        for (col, column) in self.columns.iter().enumerate() {
            let t = self.text(col);
            let checked = if column.identifier {
                text::check_identifier(column.kind, t)
            } else {
                text::check(column.kind, t)
            };
            if let Err(problem) = checked {
                // Not quoted: the value is too long to show, or holds invisible characters.
                self.problems.push((
                    col,
                    Problem::new(self.row.number, column.header, problem.to_string()),
                ));
            }
        }
    }

    /// Parses a column's text, recording the reason when it fails. A column already refused
    /// (too long, an invisible character) is not parsed again.
    pub fn parse<T>(&mut self, col: usize, f: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        if self.failed(col) {
            return None;
        }
        match f(self.text(col)) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.fail(col, reason);
                None
            }
        }
    }

    /// Whether a problem was recorded for a column.
    pub fn failed(&self, col: usize) -> bool {
        self.problems.iter().any(|(c, _)| *c == col)
    }

    /// The problems, in column order.
    pub fn finish(mut self) -> Vec<Problem> {
        self.problems.sort_by_key(|(col, _)| *col);
        self.problems.into_iter().map(|(_, p)| p).collect()
    }
}

/// The longest value quoted in a problem, in characters; a longer one is cut with “…”.
const QUOTED_VALUE_CHARS: usize = 40;

/// `reason` with the value typed in front, quoted: empty values and reasons that already
/// quote the value are left as they are.
fn with_value(value: &str, reason: String) -> String {
    if value.is_empty() || reason.contains(&format!("“{value}”")) {
        return reason;
    }
    let mut shown: String = value.chars().take(QUOTED_VALUE_CHARS).collect();
    if value.chars().count() > QUOTED_VALUE_CHARS {
        shown.push('…');
    }
    if reason.contains(&format!("“{shown}”")) {
        return reason;
    }
    format!("“{shown}” {reason}")
}

/// Remembers the row of each id, to report a repeated id on the later row.
///
/// An id of at most 21 ASCII letters, digits and hyphens (every USCC and registry code) is
/// kept packed, exactly, in 16 bytes with its row in 4 (issue 12: a million ids in about
/// 42 MB rather than 87 MB); any other id, or a row past `u32`, as text.
#[derive(Default)]
pub(crate) struct Seen {
    packed: HashMap<[u32; 4], u32>,
    other: HashMap<String, usize>,
}

/// An id as 6 bits a character (none is 0, so ids of different lengths differ), if it fits.
fn pack(id: &str) -> Option<[u32; 4]> {
    if id.len() > 21 {
        return None;
    }
    let mut v: u128 = 0;
    for b in id.bytes() {
        let c = match b {
            b'0'..=b'9' => b - b'0' + 1,
            b'A'..=b'Z' => b - b'A' + 11,
            b'a'..=b'z' => b - b'a' + 37,
            b'-' => 63,
            _ => return None,
        };
        v = (v << 6) | u128::from(c);
    }
    Some([
        (v >> 96) as u32,
        (v >> 64) as u32,
        (v >> 32) as u32,
        v as u32,
    ])
}

impl Seen {
    /// The earlier row with the same id, or `None` (and the id is remembered).
    pub fn earlier(&mut self, id: &str, row: usize) -> Option<usize> {
        if id.is_empty() {
            return None;
        }
        let key = pack(id);
        if let Some(&first) = key.as_ref().and_then(|k| self.packed.get(k)) {
            return Some(first as usize);
        }
        if let Some(&first) = self.other.get(id) {
            return Some(first);
        }
        match (key, u32::try_from(row)) {
            (Some(key), Ok(at)) => {
                self.packed.insert(key, at);
            }
            _ => {
                self.other.insert(id.to_string(), row);
            }
        }
        None
    }
}

/// Runs a row parser over every row of a table: all records, or every problem of every row.
pub(crate) fn parse_all<T>(
    table: &Table,
    columns: &[Column],
    parse_row: impl FnMut(&mut RowCheck, &mut Seen) -> T,
) -> Result<Vec<(usize, T)>, Vec<Problem>> {
    parse_sheet(table, columns, parse_row).map(|p| p.rows)
}

/// Like [`parse_all`], also telling which columns the file has.
pub(crate) fn parse_sheet<T>(
    table: &Table,
    columns: &[Column],
    parse_row: impl FnMut(&mut RowCheck, &mut Seen) -> T,
) -> Result<Parsed<T>, Vec<Problem>> {
    parse_sheet_as(table, columns, parse_row, false)
}

/// Like [`parse_sheet`] for a sheet that may only update stored records: the columns marked
/// [`Column::for_new`] may be absent.
pub(crate) fn parse_partial_sheet<T>(
    table: &Table,
    columns: &[Column],
    parse_row: impl FnMut(&mut RowCheck, &mut Seen) -> T,
) -> Result<Parsed<T>, Vec<Problem>> {
    parse_sheet_as(table, columns, parse_row, true)
}

fn parse_sheet_as<T>(
    table: &Table,
    columns: &[Column],
    mut parse_row: impl FnMut(&mut RowCheck, &mut Seen) -> T,
    partial: bool,
) -> Result<Parsed<T>, Vec<Problem>> {
    let mut parser = RowParser::new(&table.headers, table.header_row, columns, partial)?;
    let mut records = Vec::with_capacity(table.rows.len());
    let mut problems = Vec::new();
    for row in &table.rows {
        match parser.parse(row, &mut parse_row) {
            Ok(record) => records.push((row.number, record)),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(Parsed {
            rows: records,
            present: parser.present(),
        })
    } else {
        Err(problems)
    }
}

/// Parses the rows of a sheet one at a time, as they are read (a streamed import): the
/// header located once, the ids seen so far remembered to report a repeated one.
pub(crate) struct RowParser<'c> {
    columns: &'c [Column],
    index: Vec<Option<usize>>,
    seen: Seen,
}

impl<'c> RowParser<'c> {
    /// Locates the layout's columns in a header (header problems when it does not fit; with
    /// `partial`, the columns marked [`Column::for_new`] may be absent).
    pub fn new(
        headers: &[String],
        header_row: usize,
        columns: &'c [Column],
        partial: bool,
    ) -> Result<Self, Vec<Problem>> {
        Ok(RowParser {
            columns,
            index: locate_as(headers, columns, header_row.max(1), partial)?,
            seen: Seen::default(),
        })
    }

    /// Forgets the ids seen (once every row is read: the memory is the writer's again).
    pub fn forget_ids(&mut self) {
        self.seen = Seen::default();
    }

    /// The columns the header has.
    pub fn present(&self) -> Present {
        Present::of(&self.index)
    }

    /// One row: its record, or every problem found in it.
    pub fn parse<T>(
        &mut self,
        row: &Row,
        parse_row: impl FnOnce(&mut RowCheck, &mut Seen) -> T,
    ) -> Result<T, Vec<Problem>> {
        let mut check = RowCheck::new(row, &self.index, self.columns);
        check.check_text();
        let record = parse_row(&mut check, &mut self.seen);
        let found = check.finish();
        if found.is_empty() {
            Ok(record)
        } else {
            Err(found)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_repeated_id_is_found_packed_or_as_text() {
        let mut seen = Seen::default();
        let ids = [
            "91140522MA0K12345X",
            "91140522MA0K12345Y",
            "A",
            "0A",
            "yc-reg-0001",
            "登记-1",
            "a-very-long-registry-code-of-30",
        ];
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.earlier(id, row + 2), None, "{id}");
        }
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.earlier(id, 100), Some(row + 2), "{id}");
        }
        // Packing is exact: the same characters in another order or length differ.
        assert_ne!(pack("AB"), pack("BA"));
        assert_ne!(pack("A"), pack("0A"));
        assert_eq!(pack("登记"), None);
        assert_eq!(seen.other.len(), 2);
        // A row past u32 is kept as text.
        assert_eq!(seen.earlier("B", usize::MAX), None);
        assert_eq!(seen.earlier("B", 7), Some(usize::MAX));
    }

    use super::*;

    const COLUMNS: &[Column] = &[
        Column::new("名称", true, "").aliases(&["企业名称", "单位名称"]),
        Column::new("生产月份", false, ""),
        Column::new("股室/大队", false, ""),
    ];

    fn heads(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_with_stars_spaces_parentheses_and_aliases() {
        let idx = locate(
            &heads(&["备注", " 企业名称* ", "生产月份（1-12）"]),
            COLUMNS,
            1,
        )
        .unwrap();
        assert_eq!(idx, vec![Some(1), Some(2), None]);
        let idx = locate(&heads(&["股室/大队", "*名 称"]), COLUMNS, 1).unwrap();
        assert_eq!(idx, vec![Some(1), None, Some(0)]);
    }

    #[test]
    fn missing_and_doubled_columns_are_header_problems() {
        let err = locate(&heads(&["生产月份"]), COLUMNS, 1).unwrap_err();
        assert_eq!(err[0].to_string(), "第1行 表头 缺少必填列“名称”");
        let err = locate(&heads(&["名称", "单位名称"]), COLUMNS, 3).unwrap_err();
        assert_eq!(err[0].row, 3);
        assert_eq!(err.len(), 1);
        assert!(
            err[0].reason.contains("“单位名称”与“名称”是同一列"),
            "{}",
            err[0]
        );
    }

    #[test]
    fn seen_reports_the_earlier_row() {
        let mut seen = Seen::default();
        assert_eq!(seen.earlier("A", 2), None);
        assert_eq!(seen.earlier("B", 3), None);
        assert_eq!(seen.earlier("A", 4), Some(2));
        assert_eq!(seen.earlier("", 5), None);
        assert_eq!(seen.earlier("", 6), None);
    }
}
