//! Writers for 结果公示 (the publicity list in the layout of the national enterprise credit
//! publicity system, gsxt) and for the tables of the quarterly and annual reports.
//! Everything is produced as bytes, so the caller decides where and when the file lands.

use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use serde::Serialize;

use super::SheetError;
use super::read::{extension, unknown_extension};
use super::write::{
    column_number, csv_bytes, fit_column_widths, header_format, write_sheet, xlsx_error,
};

/// The columns of gsxt's 双随机抽查结果信息, in order.
pub const PUBLICITY_COLUMNS: [&str; 11] = [
    "抽查计划编号",
    "抽查计划名称",
    "抽查任务编号",
    "抽查任务名称",
    "抽查类型",
    "检查机关",
    "检查完成日期",
    "检查结果",
    "备注",
    "统一社会信用代码",
    "企业名称",
];

/// The worksheet name of the publicity workbook.
pub const PUBLICITY_SHEET: &str = "双随机抽查结果";

/// One row of the publicity list (one visit × one task). Serialised with the Chinese
/// column names, in column order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicityRecord {
    #[serde(rename = "抽查计划编号")]
    pub plan_code: String,
    #[serde(rename = "抽查计划名称")]
    pub plan_name: String,
    #[serde(rename = "抽查任务编号")]
    pub task_code: String,
    #[serde(rename = "抽查任务名称")]
    pub task_name: String,
    #[serde(rename = "抽查类型")]
    pub inspection_type: String,
    #[serde(rename = "检查机关")]
    pub authority: String,
    #[serde(rename = "检查完成日期")]
    pub completed: String,
    #[serde(rename = "检查结果")]
    pub result: String,
    #[serde(rename = "备注")]
    pub remark: String,
    #[serde(rename = "统一社会信用代码")]
    pub uscc: String,
    #[serde(rename = "企业名称")]
    pub entity_name: String,
}

impl PublicityRecord {
    /// The cells in [`PUBLICITY_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.plan_code.clone(),
            self.plan_name.clone(),
            self.task_code.clone(),
            self.task_name.clone(),
            self.inspection_type.clone(),
            self.authority.clone(),
            self.completed.clone(),
            self.result.clone(),
            self.remark.clone(),
            self.uscc.clone(),
            self.entity_name.clone(),
        ]
    }
}

/// The formats the publicity list is written in, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicityFormat {
    Xlsx,
    /// UTF-8 with a byte-order mark, CRLF.
    Csv,
    /// An array of objects keyed by the Chinese column names, in column order.
    Json,
}

impl PublicityFormat {
    /// The format for a path, by its extension (.xlsx, .csv, .json).
    pub fn of(path: &Path) -> Result<PublicityFormat, SheetError> {
        match extension(path).as_str() {
            "xlsx" => Ok(PublicityFormat::Xlsx),
            "csv" => Ok(PublicityFormat::Csv),
            "json" => Ok(PublicityFormat::Json),
            _ => Err(unknown_extension(path)),
        }
    }
}

/// The publicity list as the bytes of a file in `format`.
pub fn publicity_bytes(
    format: PublicityFormat,
    records: &[PublicityRecord],
) -> Result<Vec<u8>, SheetError> {
    let headers: Vec<String> = PUBLICITY_COLUMNS.iter().map(|s| s.to_string()).collect();
    let rows: Vec<Vec<String>> = records.iter().map(PublicityRecord::cells).collect();
    match format {
        PublicityFormat::Xlsx => workbook_bytes(&[Table {
            name: PUBLICITY_SHEET.to_string(),
            headers,
            rows,
            numbers: false,
        }]),
        PublicityFormat::Csv => csv_bytes(&headers, &rows),
        PublicityFormat::Json => {
            let mut text = serde_json::to_string_pretty(records)
                .map_err(|e| SheetError::Json(format!("无法生成（{e}）")))?;
            text.push('\n');
            Ok(text.into_bytes())
        }
    }
}

/// One worksheet to write: its name, header row and data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Write cells that are plain whole numbers as numbers (reports); otherwise every cell
    /// is text, so codes keep their leading zeros (the publicity list).
    pub numbers: bool,
}

/// A plain whole number that Excel can hold exactly and that has no leading zero.
fn as_number(cell: &str) -> Option<f64> {
    let plain = !cell.is_empty()
        && cell.len() <= 15
        && cell.bytes().all(|b| b.is_ascii_digit())
        && (cell == "0" || !cell.starts_with('0'));
    if plain { cell.parse().ok() } else { None }
}

/// Writes a table whose whole-number cells become numbers.
fn write_numeric_sheet(sheet: &mut Worksheet, t: &Table) -> Result<(), XlsxError> {
    let bold = header_format();
    for (col, header) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(0, column_number(col)?, header, &bold)?;
    }
    for (i, cells) in t.rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, cell) in cells.iter().enumerate() {
            let col = column_number(col)?;
            match as_number(cell) {
                Some(n) => sheet.write_number(row, col, n)?,
                None if cell.is_empty() => continue,
                None => sheet.write_string(row, col, cell)?,
            };
        }
    }
    fit_column_widths(sheet, &t.headers, t.rows.iter())?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A workbook of several sheets, each with a bold frozen header and fitted widths, as bytes.
pub fn workbook_bytes(tables: &[Table]) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&t.name).map_err(xlsx_error)?;
        if t.numbers {
            write_numeric_sheet(sheet, t).map_err(xlsx_error)?;
        } else {
            write_sheet(sheet, &t.headers, &t.rows).map_err(xlsx_error)?;
        }
    }
    book.save_to_buffer()
        .map_err(|e| SheetError::Xlsx(format!("无法生成（{e}）")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> PublicityRecord {
        PublicityRecord {
            plan_code: "2026-NB".into(),
            plan_name: "2026年内部双随机抽查工作计划".into(),
            task_code: "2026Q2-01/NB-1".into(),
            task_name: "污染源日常环境监督管理".into(),
            inspection_type: "定向抽查".into(),
            authority: "晋城市生态环境局阳城分局".into(),
            completed: "2026-05-20".into(),
            result: "未发现问题".into(),
            remark: "甲,乙".into(),
            uscc: "91140522MA0XXXXXX0".into(),
            entity_name: "阳城县某公司".into(),
        }
    }

    #[test]
    fn json_keeps_the_column_order() {
        let bytes = publicity_bytes(PublicityFormat::Json, &[record()]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let positions: Vec<usize> = PUBLICITY_COLUMNS
            .iter()
            .map(|c| text.find(&format!("\"{c}\"")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn csv_has_the_header_and_a_bom() {
        let bytes = publicity_bytes(PublicityFormat::Csv, &[record()]).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(text.starts_with(&PUBLICITY_COLUMNS.join(",")));
        assert!(text.contains("\"甲,乙\""));
    }

    #[test]
    fn only_plain_whole_numbers_become_numbers() {
        assert_eq!(as_number("42"), Some(42.0));
        assert_eq!(as_number("0"), Some(0.0));
        assert_eq!(as_number("007"), None);
        assert_eq!(as_number("66.7%"), None);
        assert_eq!(as_number("NB-1"), None);
        assert_eq!(as_number(""), None);
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            PublicityFormat::of(Path::new("a.XLSX")).unwrap(),
            PublicityFormat::Xlsx
        );
        assert!(PublicityFormat::of(Path::new("a.txt")).is_err());
    }
}
