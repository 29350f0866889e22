//! Reading files into a [`Table`] (读取表格): .xlsx/.xls through calamine, CSV in UTF-8 or GBK.

use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, ExcelDateTime, ExcelDateTimeType, Reader, Xlsx, XlsxError};
use chrono::{Days, NaiveDate};

use super::cells::unguard_formula;
use super::limits::{
    MAX_BYTES, check_cell, check_dimension, check_file_bytes, check_file_size, check_zip,
};
use super::stream::{CsvStream, open_csv};
use super::xls_check::check_xls;
use super::{Row, SheetError, Table, TextEncoding};

/// The extension of a path, lower case, without the dot.
pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether a path names a CSV file (by extension), which an import reads as a stream.
pub fn is_csv(path: &Path) -> bool {
    extension(path) == "csv"
}

/// The error for an extension we do not handle.
pub(crate) fn unknown_extension(path: &Path) -> SheetError {
    let ext = extension(path);
    SheetError::UnknownExtension(if ext.is_empty() {
        "（无扩展名）".to_string()
    } else {
        format!(".{ext}")
    })
}

/// Reads the first worksheet of a workbook (.xlsx, .xlsm, .xls) or a CSV file, by extension,
/// within the import limits ([`super::limits`]).
pub fn read_table(path: &Path) -> Result<Table, SheetError> {
    match extension(path).as_str() {
        "xlsx" | "xlsm" | "xls" => {
            check_file_size(path)?;
            read_workbook(path)
        }
        "csv" => collect(open_csv(path)?),
        _ => Err(unknown_extension(path)),
    }
}

/// Decodes the bytes of a text file: UTF-8 (with or without BOM), UTF-16 with a BOM, else GBK.
pub fn decode_text(bytes: &[u8]) -> Result<(String, TextEncoding), SheetError> {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest).map_err(|_| SheetError::Encoding)?;
        (text.to_string(), TextEncoding::Utf8Bom)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (utf16(encoding_rs::UTF_16LE, rest)?, TextEncoding::Utf16)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (utf16(encoding_rs::UTF_16BE, rest)?, TextEncoding::Utf16)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), TextEncoding::Utf8)
    } else {
        let text = encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(SheetError::Encoding)?;
        (text.into_owned(), TextEncoding::Gbk)
    };
    // A NUL means binary data, not a spreadsheet saved as text.
    if text.contains('\0') {
        return Err(SheetError::Encoding);
    }
    Ok((text, encoding))
}

fn utf16(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, SheetError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or(SheetError::Encoding)
}

/// Parses CSV bytes (comma- or tab-separated) into a table, through the same stream as a
/// file's ([`super::stream`]).
pub(crate) fn read_csv(bytes: &[u8]) -> Result<Table, SheetError> {
    collect(CsvStream::new(std::io::Cursor::new(bytes), None)?)
}

/// Every row of a CSV stream, as a table.
fn collect<R: Read + Seek>(mut stream: CsvStream<R>) -> Result<Table, SheetError> {
    let mut rows = Vec::new();
    while let Some(row) = stream.next_row()? {
        rows.push(row);
    }
    Ok(Table {
        header_row: stream.header_row(),
        headers: stream.headers().to_vec(),
        rows,
    })
}

/// The refusal of a file that is no workbook we can open.
pub(crate) fn not_a_workbook(e: &dyn std::fmt::Display) -> SheetError {
    SheetError::Xlsx(format!(
        "无法打开工作簿：文件已损坏，或不是 Excel 格式（请用 Excel 打开后另存为 .xlsx 再导入；技术信息：{e}）"
    ))
}

fn read_workbook(path: &Path) -> Result<Table, SheetError> {
    std::fs::metadata(path).map_err(|e| SheetError::io(path, e))?;
    // A damaged workbook must give a message, never a crash: should the parser panic on a
    // case it does not check, that is reported as a damaged file like any other.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_workbook(path))).unwrap_or_else(
        |_| {
            Err(SheetError::Xlsx(
                "工作簿已损坏，无法读取（请用 Excel 打开后另存为 .xlsx 再导入）".to_string(),
            ))
        },
    )
}

/// Reads a workbook by what it is, whatever its extension says: a zip (.xlsx, .xlsm) or a
/// compound file (.xls). Each is checked against the limits before calamine reads it.
fn parse_workbook(path: &Path) -> Result<Table, SheetError> {
    let mut file = std::fs::File::open(path).map_err(|e| SheetError::io(path, e))?;
    let mut head = [0u8; 8];
    let n = read_up_to(&mut file, &mut head).map_err(|e| SheetError::io(path, e))?;
    // The file checked is the file read: one open file throughout.
    file.rewind().map_err(|e| SheetError::io(path, e))?;
    let rows = if head[..n].starts_with(b"PK") {
        check_zip(&mut file)?;
        file.rewind().map_err(|e| SheetError::io(path, e))?;
        xlsx_rows(file)?
    } else if head[..n] == *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
        let mut bytes = Vec::new();
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| SheetError::io(path, e))?;
        check_file_bytes(bytes.len() as u64)?;
        xls_rows(bytes)?
    } else {
        return Err(not_a_workbook(&"文件开头既不是 zip 也不是 OLE 复合文档"));
    };
    table_from_rows(rows)
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The filled cells of an .xlsx's first worksheet, read one by one (never as a range laid out
/// by the declared dimension), each row as long as its last filled cell.
fn xlsx_rows(file: std::fs::File) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    let mut book =
        Xlsx::new(std::io::BufReader::new(file)).map_err(|e: XlsxError| not_a_workbook(&e))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(SheetError::Empty);
    };
    let unreadable = |e: XlsxError| SheetError::Xlsx(format!("无法读取第一个工作表（{e}）"));
    let mut cells = match book.worksheet_cells_reader(&name) {
        Ok(reader) => reader,
        Err(XlsxError::NotAWorksheet(_)) => return Err(SheetError::Empty),
        Err(e) => return Err(unreadable(e)),
    };
    let declared = cells.dimensions();
    check_dimension(declared.start, declared.end)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::String(s) => unguard_formula(s),
            DataRef::SharedString(s) => unguard_formula(s),
            other => cell_text(&Data::from(other.clone())),
        };
        if text.is_empty() {
            continue;
        }
        check_cell(row, col)?;
        let at = col as usize;
        let cells = rows.entry(row).or_default();
        if cells.len() <= at {
            cells.resize(at + 1, String::new());
        }
        cells[at] = text;
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| (row as usize + 1, cells))
        .collect())
}

/// The first worksheet of an .xls, once [`check_xls`] has bounded what calamine will lay out.
fn xls_rows(bytes: Vec<u8>) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    check_xls(&bytes)?;
    let mut book =
        calamine::Xls::new(std::io::Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(SheetError::Empty),
        Some(r) => r.map_err(|e| SheetError::Xlsx(format!("无法读取第一个工作表（{e}）")))?,
    };
    let Some((first_row, first_col)) = range.start() else {
        return Err(SheetError::Empty);
    };
    let pad = first_col as usize;
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut texts = vec![String::new(); pad];
            texts.extend(cells.iter().map(|c| match c {
                Data::String(s) => unguard_formula(s),
                other => cell_text(other),
            }));
            (first_row as usize + i + 1, texts)
        })
        .collect())
}

/// How many title rows may come before the header.
const MAX_TITLE_ROWS: usize = 3;

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

/// Finds the header — the first row that is not blank, after at most three title rows
/// (rows with a single filled cell followed by a wider row) — and drops blank rows.
fn table_from_rows(rows: Vec<(usize, Vec<String>)>) -> Result<Table, SheetError> {
    let rows: Vec<(usize, Vec<String>)> = rows.into_iter().filter(|(_, c)| filled(c) > 0).collect();
    let titles = rows
        .iter()
        .take(MAX_TITLE_ROWS + 1)
        .position(|(_, cells)| filled(cells) > 1)
        .unwrap_or(0);
    let mut rows = rows.into_iter().skip(titles);
    let (header_row, headers) = rows.next().ok_or(SheetError::Empty)?;
    Ok(Table {
        header_row,
        headers,
        rows: rows.map(|(number, cells)| Row { number, cells }).collect(),
    })
}

/// The text of a workbook cell as the user sees it: whole numbers without `.0` (phone
/// numbers), dates as `YYYY-MM-DD`, and numbers too long for Excel's 15 digits in Excel's
/// scientific notation (`9.13501E+17`), which the parsers recognise as a mangled code.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => excel_date_text(dt),
        Data::DateTimeIso(s) => match s.strip_suffix("T00:00:00") {
            Some(day) => day.to_string(),
            None => s.replacen('T', " ", 1),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.abs() >= 1e15 {
        let s = format!("{f:.14E}");
        let (mantissa, exponent) = s.split_once('E').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return match exponent.strip_prefix('-') {
            Some(e) => format!("{mantissa}E-{e}"),
            None => format!("{mantissa}E+{exponent}"),
        };
    }
    if f.fract() == 0.0 {
        // |f| < 1e15, so the conversion is exact.
        return format!("{}", f as i64);
    }
    // Excel keeps 15 significant digits: 0.1 + 0.2 shows as 0.3.
    format!("{f:.14e}").parse::<f64>().unwrap_or(f).to_string()
}

fn excel_date_text(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if *dt == ExcelDateTime::new(v, ExcelDateTimeType::TimeDelta, false)
        || *dt == ExcelDateTime::new(v, ExcelDateTimeType::TimeDelta, true)
    {
        return number_text(v);
    }
    let is_1904 = *dt == ExcelDateTime::new(v, ExcelDateTimeType::DateTime, true);
    serial_date_text(v, is_1904).unwrap_or_else(|| number_text(v))
}

/// An Excel serial date as `YYYY-MM-DD` (with ` HH:MM:SS` when it has a time of day).
pub(crate) fn serial_date_text(serial: f64, is_1904: bool) -> Option<String> {
    if !serial.is_finite() || !(0.0..=2_958_466.0).contains(&serial) {
        return None;
    }
    // Days since 1899-12-30; the 1900 system counts a 29 February 1900 that never was.
    let days = if is_1904 {
        serial + 1462.0
    } else if serial < 60.0 {
        serial + 1.0
    } else {
        serial
    };
    let seconds = (days * 86_400.0).round() as u64;
    let (whole, second) = (seconds / 86_400, seconds % 86_400);
    let date = NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(whole))?;
    if second == 0 {
        Some(date.to_string())
    } else {
        Some(format!(
            "{date} {:02}:{:02}:{:02}",
            second / 3600,
            second / 60 % 60,
            second % 60
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_and_without_bom_and_gbk() {
        let text = "名称,乡镇\r\n甲,町店镇\r\n";
        let (t, e) = decode_text(text.as_bytes()).unwrap();
        assert_eq!((t.as_str(), e), (text, TextEncoding::Utf8));
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(
            decode_text(&bom).unwrap(),
            (text.to_string(), TextEncoding::Utf8Bom)
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(
            decode_text(&gbk).unwrap(),
            (text.to_string(), TextEncoding::Gbk)
        );
    }

    #[test]
    fn undecodable_bytes_are_an_encoding_error() {
        // 0xFF is never valid in GBK; a NUL means binary.
        for bytes in [b"\xFF\xFF\xFF".as_slice(), b"a\0b".as_slice()] {
            let err = decode_text(bytes).unwrap_err();
            assert_eq!(err.to_string(), "文件编码无法识别（应为 UTF-8 或 GBK）");
        }
    }

    #[test]
    fn csv_rows_are_numbered_by_record_and_blank_rows_dropped() {
        let t = read_csv("名称,备注\r\n甲,\"一\n二\"\r\n,\r\n乙,x\r\n".as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["名称", "备注"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            (t.rows[0].number, t.rows[0].cells[1].as_str()),
            (2, "一\n二")
        );
        assert_eq!(t.rows[1].number, 4);
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let text = "附件1 监管对象名录,,\r\n,,\r\n名称,乡镇,备注\r\n甲,町店镇,\r\n";
        let t = read_csv(text.as_bytes()).unwrap();
        assert_eq!((t.header_row, t.headers[0].as_str()), (3, "名称"));
        assert_eq!(t.rows[0].number, 4);
        let one_column = read_csv("名称\r\n甲\r\n".as_bytes()).unwrap();
        assert_eq!((one_column.header_row, one_column.rows.len()), (1, 1));
    }

    #[test]
    fn tab_separated_utf16_text_is_read() {
        let text = "名称\t乡镇\r\n甲\t町店镇\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let t = read_csv(&bytes).unwrap();
        assert_eq!(t.rows[0].cells, vec!["甲", "町店镇"]);
    }

    #[test]
    fn empty_files_and_zip_files_named_csv() {
        assert!(matches!(read_csv(b""), Err(SheetError::Empty)));
        assert!(matches!(read_csv(b",,\r\n,,\r\n"), Err(SheetError::Empty)));
        assert!(matches!(read_csv(b"PK\x03\x04xx"), Err(SheetError::Csv(_))));
    }

    #[test]
    fn numbers_print_as_excel_shows_them() {
        assert_eq!(number_text(13_800_000_000.0), "13800000000");
        assert_eq!(number_text(3.5), "3.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-2.0), "-2");
        assert_eq!(number_text(913_501_000_000_000_000.0), "9.13501E+17");
        assert_eq!(cell_text(&Data::Int(42)), "42");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2026-03-01T00:00:00".into())),
            "2026-03-01"
        );
    }

    #[test]
    fn serial_dates_in_both_systems() {
        assert_eq!(
            serial_date_text(46_082.0, false).as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(serial_date_text(1.0, false).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_date_text(61.0, false).as_deref(), Some("1900-03-01"));
        assert_eq!(
            serial_date_text(44_620.0, true).as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(
            serial_date_text(46_082.5, false).as_deref(),
            Some("2026-03-01 12:00:00")
        );
        assert_eq!(serial_date_text(-1.0, false), None);
        let dt = ExcelDateTime::new(46_082.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(dt)), "2026-03-01");
    }

    #[test]
    fn unknown_extensions_are_refused() {
        let err = read_table(Path::new("名单.txt")).unwrap_err();
        assert!(
            matches!(&err, SheetError::UnknownExtension(e) if e == ".txt"),
            "{err}"
        );
    }
}
