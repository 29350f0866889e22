//! Spreadsheets (表格): reading bureau files (xlsx, CSV in UTF-8/GBK) and writing exports and
//! templates (导入模板).
//!
//! The three libraries — 监管对象 (entities), 执法人员 (inspectors) and 抽查事项 (check items) —
//! each have one column layout, used alike by the template, the export and the import.
//! Reading is in two steps: [`read_table`] turns any supported file into a [`Table`] of text
//! cells, then `parse_*` checks every row and returns either all records or *all* problems
//! ([`Problem`], shown as `第57行 统一社会信用代码 校验位错误`), never just the first.
//!
//! The header is the first row that is not blank, after any title rows (rows with a single
//! filled cell such as “附件1 监管对象名录” above the header); blank rows are left out, and
//! every row keeps the number the user sees in Excel.
//!
//! A file whose header row is present but which has no data rows reads as a [`Table`] with no
//! rows, and `parse_*` of it gives `Ok(vec![])` (so an untouched template imports nothing,
//! without error); only a file with no header row at all is [`SheetError::Empty`].

/// For a re-import: each listed field of `$incoming` whose column `$present` lacks takes the
/// value `$stored` has (a column that is there, even with an empty cell, is taken as written).
macro_rules! keep_absent {
    ($present:expr, $incoming:expr, $stored:expr, $($col:expr => $field:ident),+ $(,)?) => {$(
        if !$present.has($col) {
            $incoming.$field = $stored.$field.clone();
        }
    )+};
}

mod cells;
mod columns;
mod entities;
pub mod files;
mod inspectors;
mod items;
pub mod limits;
pub mod publicity;
mod read;
pub mod stream;
mod template;
mod write;
mod xls_check;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

pub use entities::{
    EntityRows, keep_absent_entity_fields, may_add, merged_entity_problems, missing_for_new,
    parse_entities, parse_entity_sheet, read_entities_json, write_entities,
};
pub use files::{Access, Overwrite};
pub use inspectors::{
    keep_absent_inspector_fields, parse_inspector_sheet, parse_inspectors, read_inspectors_json,
    write_inspectors,
};
pub use items::{builtin_check_items, parse_check_items, read_check_items_json, write_check_items};
pub use read::{decode_text, is_csv, read_table};
pub use stream::{CsvStream, open_csv};
pub use template::{write_template, write_template_for};

/// A sheet read from a file (表格): the header row and the data rows, all as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The spreadsheet row number of the header row: 1, unless title rows come first.
    pub header_row: usize,
    /// 表头: the cells of the header row, as written (not yet normalised).
    pub headers: Vec<String>,
    /// The data rows; rows whose cells are all blank are left out.
    pub rows: Vec<Row>,
}

/// One data row (数据行).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The spreadsheet row number as the user sees it: the header is row 1, the first data
    /// row is 2. For CSV it counts records, so a quoted cell with line breaks is one row.
    pub number: usize,
    /// The cells, in header order; may be shorter or longer than the header.
    pub cells: Vec<String>,
}

/// Which columns of a layout a file's header has (表头中的列), so a re-import can leave the
/// fields of absent columns as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present(Vec<bool>);

impl Present {
    /// Every column present (a whole record, such as a JSON export's).
    pub fn all() -> Present {
        Present(Vec::new())
    }

    pub(crate) fn of(index: &[Option<usize>]) -> Present {
        Present(index.iter().map(Option::is_some).collect())
    }

    /// Whether the file has a layout column (every column, for [`Present::all`]).
    pub(crate) fn has(&self, col: usize) -> bool {
        self.0.is_empty() || self.0.get(col).copied().unwrap_or(false)
    }

    /// Whether the file has every column of the layout.
    pub fn is_all(&self) -> bool {
        self.0.iter().all(|p| *p)
    }

    /// How many layout columns the header has (every one for [`Present::all`]).
    pub fn count(&self) -> usize {
        self.0.iter().filter(|p| **p).count()
    }
}

/// The records of a sheet with the columns its header has.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// The records with their row numbers.
    pub rows: Vec<(usize, T)>,
    /// The columns present in the file.
    pub present: Present,
}

/// The text encoding a CSV file was decoded from (文件编码).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 with a byte-order mark (what Excel writes as “CSV UTF-8”).
    Utf8Bom,
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// GBK / GB18030 (what Excel on a Chinese Windows writes as plain “CSV”).
    Gbk,
    /// UTF-16 with a byte-order mark (Excel's “Unicode 文本”).
    Utf16,
}

/// One problem found in a file (错误): a row, a column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The spreadsheet row number (the header row, usually 1, for problems with the header).
    pub row: usize,
    /// The column's header, or `表头` for a problem with the header row.
    pub column: String,
    /// Why, in Chinese.
    pub reason: String,
}

impl Problem {
    /// A problem on a row and column.
    pub fn new(row: usize, column: &str, reason: impl Into<String>) -> Problem {
        Problem {
            row,
            column: column.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行 {} {}", self.row, self.column, self.reason)
    }
}

/// Why a file could not be read or written (表格错误).
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file could not be opened, read or written (what happened, in Chinese).
    #[error("文件读写失败：{0}")]
    Io(String),
    /// The file name's extension is not one we read or write (the extension, with its dot).
    #[error("不支持的文件类型“{0}”：请使用 .xlsx、.csv 或 .json（导入还支持 .xls 和 .xlsm）")]
    UnknownExtension(String),
    /// A template can only be written as .xlsx (the extension given).
    #[error("导入模板只能保存为 .xlsx 文件，不能保存为“{0}”")]
    TemplateExtension(String),
    /// The workbook could not be read or written.
    #[error("Excel 文件出错：{0}")]
    Xlsx(String),
    /// The CSV text could not be read or written.
    #[error("CSV 文件出错：{0}")]
    Csv(String),
    /// The bytes are neither UTF-8 nor GBK.
    #[error("文件编码无法识别（应为 UTF-8 或 GBK）")]
    Encoding,
    /// There is no header row at all.
    #[error("文件中没有数据")]
    Empty,
    /// A JSON export could not be read or written, or its records are invalid.
    #[error("JSON 文件出错：{0}")]
    Json(String),
    /// A file to be written exists, and `--force` was not given.
    #[error("文件“{}”已存在，未覆盖；如要覆盖，请加 --force", .0.display())]
    Exists(std::path::PathBuf),
    /// A file to be read is beyond the import limits ([`limits`]).
    #[error("文件超出导入上限：{0}")]
    Limit(String),
}

impl SheetError {
    /// An I/O error on a path, explained in Chinese where the kind is a common one.
    pub fn io(path: &Path, source: std::io::Error) -> SheetError {
        use std::io::ErrorKind;
        let why = match source.kind() {
            ErrorKind::NotFound => "文件或目录不存在".to_string(),
            ErrorKind::PermissionDenied => "没有权限".to_string(),
            ErrorKind::AlreadyExists => "文件已存在".to_string(),
            ErrorKind::IsADirectory => "这是一个目录".to_string(),
            ErrorKind::StorageFull => "磁盘已满".to_string(),
            _ => source.to_string(),
        };
        SheetError::Io(format!("“{}”{why}", path.display()))
    }
}

/// Which library a sheet holds (表格类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SheetKind {
    /// 监管对象
    Entities,
    /// 执法人员
    Inspectors,
    /// 抽查事项
    Items,
}

impl SheetKind {
    /// Every kind.
    pub const ALL: &'static [SheetKind] =
        &[SheetKind::Entities, SheetKind::Inspectors, SheetKind::Items];

    /// Accepts `entities`, `inspectors`, `items` (any case) or the Chinese label.
    pub fn parse(text: &str) -> Option<SheetKind> {
        let t = text.trim();
        SheetKind::ALL
            .iter()
            .copied()
            .find(|k| t.eq_ignore_ascii_case(k.key()) || t == k.label())
    }

    /// The name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            SheetKind::Entities => "entities",
            SheetKind::Inspectors => "inspectors",
            SheetKind::Items => "items",
        }
    }

    /// The Chinese label, also the worksheet name.
    pub fn label(self) -> &'static str {
        match self {
            SheetKind::Entities => "监管对象",
            SheetKind::Inspectors => "执法人员",
            SheetKind::Items => "抽查事项",
        }
    }
}

impl fmt::Display for SheetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for SheetKind {
    type Err = String;
    fn from_str(s: &str) -> Result<SheetKind, String> {
        SheetKind::parse(s).ok_or_else(|| {
            format!(
                "未知的表格类型“{}”（应为 entities/inspectors/items）",
                s.trim()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_as_the_bureau_writes_them() {
        let p = Problem::new(57, "统一社会信用代码", "校验位错误");
        assert_eq!(p.to_string(), "第57行 统一社会信用代码 校验位错误");
    }

    #[test]
    fn sheet_kinds_parse_from_keys_and_labels() {
        assert_eq!(SheetKind::parse("entities"), Some(SheetKind::Entities));
        assert_eq!(SheetKind::parse(" Items "), Some(SheetKind::Items));
        assert_eq!(SheetKind::parse("执法人员"), Some(SheetKind::Inspectors));
        assert_eq!(SheetKind::parse("plans"), None);
        let err = "plans".parse::<SheetKind>().unwrap_err();
        assert!(err.contains("entities/inspectors/items"), "{err}");
    }

    #[test]
    fn errors_are_in_chinese() {
        assert_eq!(SheetError::Empty.to_string(), "文件中没有数据");
        assert_eq!(
            SheetError::Encoding.to_string(),
            "文件编码无法识别（应为 UTF-8 或 GBK）"
        );
        let e = SheetError::UnknownExtension(".txt".into()).to_string();
        assert!(
            e.contains(".xlsx") && e.contains(".csv") && e.contains(".json"),
            "{e}"
        );
    }
}
