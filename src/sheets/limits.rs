//! Import limits (导入上限): what a file may declare and hold before it is read, so that a
//! crafted file is refused with a message instead of exhausting memory.
//!
//! The limits are far beyond what a county reaches (its registry has a few thousand rows and
//! thirty columns): [`MAX_ROWS`] rows, [`MAX_COLUMNS`] columns, [`MAX_BYTES`] per file
//! (for a workbook: uncompressed), and a compression ratio of at most [`MAX_RATIO`] for any
//! part of a workbook larger than [`RATIO_GRACE`]. They are checked before reading: a
//! workbook's zip directory and its shared strings' declared count (calamine reserves room
//! for that count), a worksheet's declared dimension, and then every cell read. Cells are
//! read one by one ([`super::read`]), so memory follows the cells a file really holds, never
//! what it declares.

use std::io::{Read, Seek};
use std::path::Path;

use super::SheetError;

/// The most rows a sheet may have (the last filled row's number).
pub const MAX_ROWS: u32 = 2_000_000;
/// The most columns a sheet may have (the last filled column's number).
pub const MAX_COLUMNS: u32 = 200;
/// The largest file, and the largest workbook once uncompressed: 500 MB.
pub const MAX_BYTES: u64 = 500 * 1024 * 1024;
/// The highest compression ratio of a part of a workbook.
pub const MAX_RATIO: u64 = 100;
/// Parts smaller than this when uncompressed are not held to [`MAX_RATIO`]: a small part
/// that compresses well (styles, an empty sheet) cannot exhaust anything.
pub const RATIO_GRACE: u64 = 1024 * 1024;
/// The most shared strings a workbook may declare, whatever its size.
pub const MAX_SHARED_STRINGS: u64 = 10_000_000;

/// Megabytes, rounded up, for messages.
fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// The refusal of a file beyond a limit.
pub(crate) fn refuse(why: impl Into<String>) -> SheetError {
    SheetError::Limit(why.into())
}

/// A column's letters: 0 → A, 25 → Z, 26 → AA, 16383 → XFD.
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell's name (`XFD1048576`), from 0-based row and column.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

/// Refuses a file larger than [`MAX_BYTES`] (a missing file passes: reading it says so).
pub fn check_file_size(path: &Path) -> Result<(), SheetError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => check_file_bytes(meta.len()),
        _ => Ok(()),
    }
}

/// The bytes of a file, refused beyond [`MAX_BYTES`] (read no further than one byte past it,
/// whatever the file's size said before).
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, SheetError> {
    check_file_size(path)?;
    let file = std::fs::File::open(path).map_err(|e| SheetError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SheetError::io(path, e))?;
    check_file_bytes(bytes.len() as u64)?;
    Ok(bytes)
}

/// Refuses a file of `bytes` bytes beyond [`MAX_BYTES`].
pub(crate) fn check_file_bytes(bytes: u64) -> Result<(), SheetError> {
    if bytes > MAX_BYTES {
        return Err(refuse(format!("文件大小超过 {} MB", mb(MAX_BYTES))));
    }
    Ok(())
}

/// Refuses a cell beyond the row or column limit (0-based position).
pub(crate) fn check_cell(row: u32, col: u32) -> Result<(), SheetError> {
    if row >= MAX_ROWS {
        return Err(refuse(format!(
            "单元格 {} 在第 {} 行，超过 {MAX_ROWS} 行",
            cell_name(row, col),
            u64::from(row) + 1
        )));
    }
    if col >= MAX_COLUMNS {
        return Err(refuse(format!(
            "单元格 {} 在第 {} 列，超过 {MAX_COLUMNS} 列",
            cell_name(row, col),
            u64::from(col) + 1
        )));
    }
    Ok(())
}

/// Refuses a worksheet whose declared dimension (`<dimension ref="A1:XFD1048576">`, 0-based
/// start and end) reaches beyond the limits.
pub(crate) fn check_dimension(start: (u32, u32), end: (u32, u32)) -> Result<(), SheetError> {
    let (last_row, last_col) = (start.0.max(end.0), start.1.max(end.1));
    let range = format!(
        "{}:{}",
        cell_name(start.0, start.1),
        cell_name(end.0, end.1)
    );
    if last_row >= MAX_ROWS {
        return Err(refuse(format!(
            "工作表声明的范围 {range} 有 {} 行，超过 {MAX_ROWS} 行",
            u64::from(last_row) + 1
        )));
    }
    if last_col >= MAX_COLUMNS {
        return Err(refuse(format!(
            "工作表声明的范围 {range} 有 {} 列，超过 {MAX_COLUMNS} 列",
            u64::from(last_col) + 1
        )));
    }
    Ok(())
}

/// Checks a workbook's zip directory before anything is uncompressed: the parts' total size
/// uncompressed, each part's compression ratio, and the count of strings the shared-string
/// table declares. The sizes checked are the ones the zip reader then holds each part to
/// (it stops with an error at a part's declared size).
pub(crate) fn check_zip<R: Read + Seek>(reader: R) -> Result<(), SheetError> {
    check_zip_within(reader, MAX_BYTES)
}

/// [`check_zip`] with `max_total` bytes uncompressed at most.
fn check_zip_within<R: Read + Seek>(reader: R, max_total: u64) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| super::read::not_a_workbook(&e))?;
    let mut total: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| super::read::not_a_workbook(&e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let size = entry.size();
        total = total.saturating_add(size);
        if total > max_total {
            return Err(refuse(format!("工作簿解压后超过 {} MB", mb(max_total))));
        }
        let packed = entry.compressed_size().max(1);
        if size > RATIO_GRACE && size / packed > MAX_RATIO {
            return Err(refuse(format!(
                "工作簿中的“{name}”压缩比为 {}:1，超过 {MAX_RATIO}:1（解压后 {} MB，疑似压缩炸弹）",
                size / packed,
                mb(size)
            )));
        }
        let normalized = name.replace('\\', "/").to_ascii_lowercase();
        if normalized.ends_with("sharedstrings.xml") {
            shared_strings.push((i, size));
        }
    }
    for (i, size) in shared_strings {
        let entry = archive
            .by_index(i)
            .map_err(|e| super::read::not_a_workbook(&e))?;
        if let Some(count) = declared_count(entry)? {
            // Each string takes at least `<si/>`, five bytes.
            let most = (size / 5).min(MAX_SHARED_STRINGS);
            if count > most {
                return Err(refuse(format!(
                    "工作簿的共享字符串表声明了 {count} 个字符串，超过其内容所能容纳的 {most} 个"
                )));
            }
        }
    }
    Ok(())
}

/// The `uniqueCount` the start tag of a shared-string table (`<sst … uniqueCount="N">`)
/// declares, read in pieces up to that tag; `None` when there is none or it is not a number
/// (calamine then reserves nothing either).
fn declared_count(mut part: impl Read) -> Result<Option<u64>, SheetError> {
    const TAIL: usize = 4096;
    let mut window: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut tag_from = None;
    loop {
        let n = match part.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) => return Err(SheetError::Xlsx(format!("无法读取共享字符串表（{e}）"))),
        };
        window.extend_from_slice(&chunk[..n]);
        if tag_from.is_none() {
            tag_from = find_sst(&window);
        }
        match tag_from {
            Some(at) => {
                if let Some(end) = window[at..].iter().position(|&b| b == b'>') {
                    let tag = String::from_utf8_lossy(&window[at..at + end]).into_owned();
                    return Ok(attribute_number(&tag, "uniqueCount"));
                }
                if window.len() - at > 64 * 1024 {
                    // A start tag this long is no spreadsheet's.
                    return Err(SheetError::Xlsx("共享字符串表格式错误".to_string()));
                }
            }
            None => {
                // Keep only a tail long enough to hold the start of the tag.
                if window.len() > TAIL {
                    window.drain(..window.len() - TAIL);
                }
            }
        }
    }
}

/// Where the start tag of the `sst` element begins (`<sst` or `<x:sst`), if it has.
fn find_sst(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let rest = &bytes[i + 1..];
            let name_end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')?;
            let name = &rest[..name_end];
            let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
            if local == b"sst" {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// The value of `name="digits"` (or `'digits'`) in a start tag, as a number.
fn attribute_number(tag: &str, name: &str) -> Option<u64> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let digits: String = value[1..].chars().take_while(|c| *c != quote).collect();
        return digits.trim().parse::<u64>().ok();
    }
    None
}

/// Refuses a CSV row beyond the limits: `record` is its 1-based number, `columns` the
/// position of its last filled cell (1-based).
pub(crate) fn check_csv_row(record: usize, columns: usize) -> Result<(), SheetError> {
    if record > MAX_ROWS as usize {
        return Err(refuse(format!("文件超过 {MAX_ROWS} 行")));
    }
    if columns > MAX_COLUMNS as usize {
        return Err(refuse(format!(
            "第{record}行有 {columns} 列，超过 {MAX_COLUMNS} 列"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_as_excel_writes_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(199), "GR");
        assert_eq!(column_letters(16383), "XFD");
        assert_eq!(cell_name(1_048_575, 16383), "XFD1048576");
    }

    #[test]
    fn dimensions_within_and_beyond() {
        assert!(check_dimension((0, 0), (9999, 29)).is_ok());
        assert!(check_dimension((0, 0), (MAX_ROWS - 1, MAX_COLUMNS - 1)).is_ok());
        let e = check_dimension((0, 0), (1_048_575, 16383)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "文件超出导入上限：工作表声明的范围 A1:XFD1048576 有 16384 列，超过 200 列"
        );
        let e = check_dimension((0, 0), (MAX_ROWS, 3)).unwrap_err();
        assert!(e.to_string().contains("超过 2000000 行"), "{e}");
        assert!(check_cell(MAX_ROWS - 1, MAX_COLUMNS - 1).is_ok());
        assert!(check_cell(0, MAX_COLUMNS).is_err());
    }

    #[test]
    fn the_declared_count_of_shared_strings_is_found_in_pieces() {
        let xml = format!(
            "<?xml version=\"1.0\"?>{}<x:sst xmlns:x=\"…\" count=\"9\" uniqueCount = '12345'><si/>",
            " ".repeat(40_000)
        );
        assert_eq!(declared_count(xml.as_bytes()).unwrap(), Some(12345));
        let plain = "<sst xmlns=\"a\" uniqueCount=\"7\" count=\"9\">";
        assert_eq!(declared_count(plain.as_bytes()).unwrap(), Some(7));
        assert_eq!(
            declared_count("<sst count=\"3\">".as_bytes()).unwrap(),
            None
        );
        assert_eq!(
            declared_count("<sstx uniqueCount=\"3\">".as_bytes()).unwrap(),
            None
        );
        assert_eq!(
            declared_count("<sst xuniqueCount=\"3\">".as_bytes()).unwrap(),
            None
        );
    }

    fn zip_of(parts: &[(&str, &[u8])]) -> std::io::Cursor<Vec<u8>> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            out.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(bytes).unwrap();
        }
        let mut cursor = out.finish().unwrap();
        cursor.set_position(0);
        cursor
    }

    #[test]
    fn zip_parts_are_held_to_their_total_ratio_and_string_count() {
        let part = vec![b'x'; 600];
        let two = || zip_of(&[("a.xml", &part), ("b.xml", &part)]);
        assert!(check_zip_within(two(), 1200).is_ok());
        let e = check_zip_within(two(), 1000).unwrap_err();
        assert!(matches!(e, SheetError::Limit(_)), "{e}");
        assert!(e.to_string().contains("解压后超过"), "{e}");
        // Small parts may compress as well as they like; a large one may not.
        let spaces = vec![b' '; 2 * 1024 * 1024];
        assert!(check_zip(zip_of(&[("styles.xml", &spaces[..1000])])).is_ok());
        let e = check_zip(zip_of(&[("xl/worksheets/sheet1.xml", &spaces)])).unwrap_err();
        assert!(e.to_string().contains("压缩比"), "{e}");
        let lying = b"<sst uniqueCount=\"4000000000\"><si><t>a</t></si></sst>";
        let e = check_zip(zip_of(&[("xl/sharedStrings.xml", lying)])).unwrap_err();
        assert!(e.to_string().contains("共享字符串"), "{e}");
        let honest = b"<sst uniqueCount=\"1\"><si><t>a</t></si></sst>";
        assert!(check_zip(zip_of(&[("xl/SharedStrings.xml", honest)])).is_ok());
        assert!(matches!(
            check_zip(std::io::Cursor::new(b"PK\x03\x04".to_vec())),
            Err(SheetError::Xlsx(_))
        ));
    }

    #[test]
    fn csv_rows_and_columns() {
        assert!(check_csv_row(MAX_ROWS as usize, MAX_COLUMNS as usize).is_ok());
        assert!(check_csv_row(MAX_ROWS as usize + 1, 1).is_err());
        let e = check_csv_row(7, 201).unwrap_err();
        assert_eq!(
            e.to_string(),
            "文件超出导入上限：第7行有 201 列，超过 200 列"
        );
    }
}
