//! Writing exports (导出): .xlsx through rust_xlsxwriter, CSV in UTF-8 with BOM, and JSON.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use unicode_width::UnicodeWidthStr;

use super::cells::{guard_formula, guard_quoted};
use super::columns::{Column, headers};
use super::files::{Access, Overwrite, write_file};
use super::limits::read_bounded;
use super::read::{extension, unknown_extension};
use super::{Problem, SheetError, SheetKind};

/// The most rows whose contents are measured for column widths.
const MEASURED_ROWS: usize = 500;

/// Writes records as .xlsx, .csv or .json, by the path's extension: owner-only, and over an
/// existing file only with `overwrite` ([`super::files`]).
pub(crate) fn write_records<T: Serialize>(
    path: &Path,
    kind: SheetKind,
    columns: &[Column],
    records: &[T],
    cells: fn(&T) -> Vec<String>,
    overwrite: Overwrite,
) -> Result<(), SheetError> {
    super::files::check_target(path, overwrite)?;
    let bytes = match extension(path).as_str() {
        "xlsx" => {
            let rows: Vec<Vec<String>> = records.iter().map(cells).collect();
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name(kind.label()).map_err(xlsx_error)?;
            write_sheet(sheet, &headers(columns), &rows).map_err(xlsx_error)?;
            if !rows.is_empty() {
                let last_col = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);
                let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
                sheet
                    .autofilter(0, 0, last_row, last_col)
                    .map_err(xlsx_error)?;
            }
            workbook_buffer(&mut book)?
        }
        "csv" => {
            let rows: Vec<Vec<String>> = records.iter().map(cells).collect();
            csv_bytes(&headers(columns), &rows)?
        }
        "json" => {
            let mut text = serde_json::to_string_pretty(records)
                .map_err(|e| SheetError::Json(format!("无法生成（{e}）")))?;
            text.push('\n');
            text.into_bytes()
        }
        _ => return Err(unknown_extension(path)),
    };
    write_file(path, &bytes, overwrite, Access::Private)
}

/// The bold header format (表头格式).
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(0xD9E1F2)
        .set_border(FormatBorder::Thin)
}

/// The text number format `@`, so codes typed into a column stay text.
pub(crate) fn text_format() -> Format {
    Format::new().set_num_format("@")
}

/// Writes a header row and data rows as strings, with a frozen header, text-formatted
/// columns and widths fitted to the (CJK-wide) contents.
pub(crate) fn write_sheet(
    sheet: &mut Worksheet,
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let bold = header_format();
    let text = text_format();
    for (col, header) in headers.iter().enumerate() {
        let col = column_number(col)?;
        sheet.write_string_with_format(0, col, header, &bold)?;
        sheet.set_column_format(col, &text)?;
    }
    for (i, cells) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                // Stored text longer than a cell holds is cut with a note, never an error.
                let cell = crate::domain::text::excel_cell(cell);
                sheet.write_string(row, column_number(col)?, guard_quoted(&cell))?;
            }
        }
    }
    fit_column_widths(sheet, headers, rows.iter().take(MEASURED_ROWS))?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Sets each column's width to fit its header and its cells in `rows` (the widest line, a
/// Chinese character counting two), 8 to 60 columns.
pub(crate) fn fit_column_widths<'a>(
    sheet: &mut Worksheet,
    headers: &[String],
    rows: impl Iterator<Item = &'a Vec<String>> + Clone,
) -> Result<(), XlsxError> {
    for (col, header) in headers.iter().enumerate() {
        let widest = rows
            .clone()
            .filter_map(|r| r.get(col))
            .map(|c| display_width(c))
            .chain([display_width(header) + 2])
            .max()
            .unwrap_or(8);
        sheet.set_column_width(column_number(col)?, (widest + 2).clamp(8, 60) as f64)?;
    }
    Ok(())
}

/// The widest line of a cell in terminal columns (a Chinese character is two).
pub(crate) fn display_width(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

pub(crate) fn column_number(col: usize) -> Result<u16, XlsxError> {
    u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)
}

pub(crate) fn xlsx_error(e: XlsxError) -> SheetError {
    SheetError::Xlsx(e.to_string())
}

/// A workbook's bytes, to be written by [`super::files`].
pub(crate) fn workbook_buffer(book: &mut Workbook) -> Result<Vec<u8>, SheetError> {
    book.save_to_buffer()
        .map_err(|e| SheetError::Xlsx(format!("无法生成（{e}）")))
}

/// CSV text in UTF-8 with a byte-order mark, so Excel opens it as UTF-8; CRLF line ends.
/// Every cell that a spreadsheet program would read as a formula starts with `'`
/// ([`guard_formula`]).
pub(crate) fn csv_bytes(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, SheetError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| SheetError::Csv(format!("无法生成（{e}）"));
    writer
        .write_record(headers.iter().map(|h| guard_formula(h).into_owned()))
        .map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|c| guard_formula(c).into_owned()))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| SheetError::Csv(format!("无法生成（{e}）")))
}

/// Reads a JSON array of records.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, SheetError> {
    if extension(path) != "json" {
        return Err(unknown_extension(path));
    }
    let bytes = read_bounded(path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        SheetError::Json(format!(
            "第{}行第{}列内容不符合导出格式（{e}）",
            e.line(),
            e.column()
        ))
    })
}

/// Turns the problems of re-checked JSON records (numbered as sheet rows from 2) into an
/// error naming each record (第1条 is the first element of the array).
pub(crate) fn recheck<T>(
    parsed: Result<Vec<(usize, T)>, Vec<Problem>>,
) -> Result<Vec<T>, SheetError> {
    match parsed {
        Ok(records) => Ok(records.into_iter().map(|(_, r)| r).collect()),
        Err(problems) => Err(SheetError::Json(
            problems
                .iter()
                .map(|p| format!("第{}条 {} {}", p.row.saturating_sub(1), p.column, p.reason))
                .collect::<Vec<_>>()
                .join("；"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_crlf_and_quotes_where_needed() {
        let headers = vec!["名称".to_string(), "备注".to_string()];
        let rows = vec![vec!["甲,乙".to_string(), "说\"明\"\n二行".to_string()]];
        let bytes = csv_bytes(&headers, &rows).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(text, "名称,备注\r\n\"甲,乙\",\"说\"\"明\"\"\n二行\"\r\n");
    }

    #[test]
    fn chinese_is_twice_as_wide() {
        assert_eq!(display_width("名称"), 4);
        assert_eq!(display_width("ab\n名称名称"), 8);
    }

    #[test]
    fn json_problems_name_the_record() {
        let parsed: Result<Vec<(usize, ())>, _> =
            Err(vec![Problem::new(3, "统一社会信用代码", "校验位错误")]);
        let err = recheck(parsed).unwrap_err().to_string();
        assert_eq!(err, "JSON 文件出错：第2条 统一社会信用代码 校验位错误");
    }
}
