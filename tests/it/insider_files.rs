//! Files as an insider would abuse them (issue 10, items 7, 8 and 10): exports that run a
//! formula when opened, crafted workbooks and CSV files that would exhaust memory, and the
//! commands that write a file they are given (overwriting it, following a symlink, leaving
//! confidential content readable by others).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::result::Category;
use shuangsuiji::sheets::{Overwrite, SheetError, read_table};
use shuangsuiji::tui::model::Popup;
use shuangsuiji::tui::{self, load};

use crate::support::{self, BIN, DEMO_DAY, compliant_result, open, stderr};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The binary on `db` with `args`, on the demo day, with umask 022 and at most `limit_kb` of
/// virtual memory (0: no limit), through `sh` so that the limits hold for it alone.
fn run_limited(db: &Path, limit_kb: u64, args: &[&str]) -> Output {
    let script = if limit_kb > 0 {
        format!("umask 022; ulimit -v {limit_kb}; exec \"$0\" \"$@\"")
    } else {
        "umask 022; exec \"$0\" \"$@\"".to_string()
    };
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SHUANGSUIJI_DB")
        .env("SHUANGSUIJI_TODAY", DEMO_DAY)
        .output()
        .expect("sh runs the binary")
}

/// The binary with umask 022 and no memory limit.
fn run(db: &Path, args: &[&str]) -> Output {
    run_limited(db, 0, args)
}

/// One gigabyte of address space: far more than reading any file here needs, far less than
/// what the crafted files once took (549 GB, 1.55 GB).
const ONE_GB_KB: u64 = 1024 * 1024;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Asserts the binary refused cleanly (exit 1, not a crash or an abort) with `message`.
fn refused(o: &Output, message: &str) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a clean refusal, not a crash: {err}"
    );
    assert!(err.contains(message), "{message:?} in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn succeeded(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// An .xlsx built part by part, its first worksheet's XML given, with inline strings.
fn workbook(path: &Path, sheet_xml: &str) {
    workbook_parts(path, &[("xl/worksheets/sheet1.xml", sheet_xml.as_bytes())]);
}

/// An .xlsx of the minimal package parts and `extra` parts.
fn workbook_parts(path: &Path, extra: &[(&str, &[u8])]) {
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="监管对象" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for (name, text) in parts {
        out.start_file(name, options).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    for (name, bytes) in extra {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap();
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn text_cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A worksheet: the optional dimension, then rows of `(row number, cells)`.
fn sheet(dimension: Option<&str>, rows: &[(u32, Vec<String>)]) -> String {
    let mut xml = SHEET_HEAD.to_string();
    if let Some(d) = dimension {
        xml.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    xml.push_str("<sheetData>");
    for (r, cells) in rows {
        xml.push_str(&format!(r#"<row r="{r}">{}</row>"#, cells.concat()));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

// ---------------------------------------------------------------------------------------------
// Item 7: exports safe to open.

/// A result whose remark is a formula, submitted and published: the publicity CSV guards it,
/// the publicity workbook holds it as text.
#[test]
fn a_formula_in_a_remark_reaches_the_publicity_csv_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let done = support::completed_visit(&dir, "demo.db", |_| true);
    let remark = r#"=HYPERLINK("http://x","y")"#;
    let mut officer = open(&done.db, &done.officer);
    let mut result = compliant_result(&officer, done.visit.id, &[Category::NoProblem]);
    result.remark = remark.to_string();
    officer.submit_result(done.visit.id, &result).unwrap();
    drop(officer);

    let csv = dir.path().join("公示.csv");
    succeeded(&run(
        &done.db,
        &[
            "--as",
            "lead.liu",
            "export",
            "publicity",
            s(&csv),
            "--period",
            "2026Q2",
        ],
    ));
    let bytes = std::fs::read(&csv).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let remarks: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[8].to_string())
        .filter(|r| r.contains("HYPERLINK"))
        .collect();
    assert!(!remarks.is_empty(), "the remark is published");
    for r in &remarks {
        assert!(r.starts_with(&format!("'{remark}")), "{r}");
    }
    assert_eq!(mode(&csv), 0o644, "the publicity list is public");

    // The same list as a workbook: the remark is a string cell, there is no formula.
    let xlsx = dir.path().join("公示.xlsx");
    succeeded(&run(
        &done.db,
        &[
            "--as",
            "lead.liu",
            "export",
            "publicity",
            s(&xlsx),
            "--period",
            "2026Q2",
        ],
    ));
    let (sheet_xml, strings) = sheet_and_strings(&xlsx);
    assert!(
        !sheet_xml.contains("<f>") && !sheet_xml.contains("<f "),
        "no formula"
    );
    assert!(
        strings.contains("<t>=HYPERLINK(") && strings.contains("http://x"),
        "as text"
    );
}

/// The first worksheet's XML and the shared strings of a workbook.
fn sheet_and_strings(path: &Path) -> (String, String) {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        if let Ok(mut f) = archive.by_name(name) {
            f.read_to_string(&mut text).unwrap();
        }
        text
    };
    (
        part("xl/worksheets/sheet1.xml"),
        part("xl/sharedStrings.xml"),
    )
}

/// Entities whose names start as formulas do (and one with a quote already) go out through
/// CSV and .xlsx and come back unchanged: importing the export changes nothing.
#[test]
fn entity_names_that_look_like_formulas_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let names = ["-阳城县甲厂", "=乙厂+1", "@丙厂", "'=丁厂", "+戊厂"];
    let mut s = open(&db, None);

    // Rename the first entities through an import of an edited export.
    let first = dir.path().join("first.csv");
    s.export_entities(&first, Overwrite::Refuse).unwrap();
    let bytes = std::fs::read(&first).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    // As a CSV export writes them: a quote before a formula that starts with a quote.
    for (row, name) in rows[1..].iter_mut().zip(names) {
        row[0] = if name.starts_with('\'') {
            format!("'{name}")
        } else {
            name.to_string()
        };
    }
    let edited = dir.path().join("edited.csv");
    let mut w = csv::Writer::from_path(&edited).unwrap();
    for row in &rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let r = s.import_entities(&edited, false, &mut |_, _| ()).unwrap();
    assert_eq!(r.updated, names.len());

    for ext in ["csv", "xlsx"] {
        let out = dir.path().join(format!("again.{ext}"));
        s.export_entities(&out, Overwrite::Refuse).unwrap();
        if ext == "csv" {
            let text = String::from_utf8(std::fs::read(&out).unwrap()).unwrap();
            for (name, written) in [
                ("-阳城县甲厂", "'-阳城县甲厂"),
                ("=乙厂+1", "'=乙厂+1"),
                ("@丙厂", "'@丙厂"),
                ("'=丁厂", "''=丁厂"),
                ("+戊厂", "'+戊厂"),
            ] {
                assert!(
                    text.contains(&format!("\r\n{written},")),
                    "{name} as {written}"
                );
            }
        } else {
            let (sheet_xml, _) = sheet_and_strings(&out);
            assert!(!sheet_xml.contains("<f>"), "text stays text");
        }
        let table = read_table(&out).unwrap();
        let read: Vec<&str> = table.rows.iter().map(|r| r.cells[0].as_str()).collect();
        for name in names {
            assert!(read.contains(&name), "{name} read back from {ext}");
        }
        let again = s.import_entities(&out, false, &mut |_, _| ()).unwrap();
        assert_eq!(
            (again.added, again.updated),
            (0, 0),
            "importing the {ext} export changes nothing"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Item 8: imports have limits, not crashes.

/// The 2 KB workbook with a cell at XFD1048576: refused by its declared dimension, with and
/// without --dry-run, within a gigabyte of memory.
#[test]
fn a_huge_declared_dimension_is_refused_not_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let huge = dir.path().join("huge.xlsx");
    workbook(
        &huge,
        &sheet(
            Some("A1:XFD1048576"),
            &[
                (1, vec![text_cell("A1", "名称")]),
                (1_048_576, vec![text_cell("XFD1048576", "x")]),
            ],
        ),
    );
    let size = std::fs::metadata(&huge).unwrap().len();
    assert!(size < 2500, "a small file: {size} bytes");
    for dry in [true, false] {
        let mut args = vec!["import", "entities", s(&huge)];
        if dry {
            args.push("--dry-run");
        }
        let o = run_limited(&db, ONE_GB_KB, &args);
        refused(
            &o,
            "文件超出导入上限：工作表声明的范围 A1:XFD1048576 有 16384 列，超过 200 列",
        );
    }

    // Without a dimension, the cell itself is refused; a dimension that lies small does not
    // hide a cell far down.
    let undeclared = dir.path().join("undeclared.xlsx");
    workbook(
        &undeclared,
        &sheet(
            None,
            &[
                (1, vec![text_cell("A1", "名称")]),
                (1_048_576, vec![text_cell("XFD1048576", "x")]),
            ],
        ),
    );
    refused(
        &run_limited(&db, ONE_GB_KB, &["import", "entities", s(&undeclared)]),
        "单元格 XFD1048576 在第 16384 列，超过 200 列",
    );
    let lying = dir.path().join("lying.xlsx");
    workbook(
        &lying,
        &sheet(
            Some("A1:B2"),
            &[
                (1, vec![text_cell("A1", "名称")]),
                (2_500_000, vec![text_cell("A2500000", "x")]),
            ],
        ),
    );
    match read_table(&lying) {
        Err(SheetError::Limit(m)) => assert!(m.contains("超过 2000000 行"), "{m}"),
        other => panic!("refused: {other:?}"),
    }

    // Within the limits, a workbook built the same way reads as before.
    let fine = dir.path().join("fine.xlsx");
    workbook(
        &fine,
        &sheet(
            Some("A1:GR3"),
            &[
                (1, vec![text_cell("A1", "名称"), text_cell("B1", "备注")]),
                (
                    3,
                    vec![text_cell("A3", "阳城县某厂"), text_cell("GR3", "最后一列")],
                ),
            ],
        ),
    );
    let t = read_table(&fine).unwrap();
    assert_eq!(t.headers, ["名称", "备注"]);
    assert_eq!(t.rows.len(), 1);
    assert_eq!((t.rows[0].number, t.rows[0].cells.len()), (3, 200));
    assert_eq!(t.rows[0].cells[199], "最后一列");
}

/// A small workbook whose worksheet inflates a hundredfold and more is refused before it is
/// inflated, within a gigabyte; so is one whose shared strings declare more than they hold.
#[test]
fn a_zip_bomb_and_a_lying_string_table_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let bomb = dir.path().join("bomb.xlsx");
    let row = "<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>";
    let mut xml = SHEET_HEAD.to_string();
    xml.push_str("<sheetData>");
    xml.push_str(&row.repeat(64 * 1024 * 1024 / row.len()));
    xml.push_str("</sheetData></worksheet>");
    workbook(&bomb, &xml);
    drop(xml);
    let size = std::fs::metadata(&bomb).unwrap().len();
    assert!(size < 1024 * 1024, "small: {size} bytes");
    for args in [
        ["import", "entities", s(&bomb), "--dry-run"],
        ["import", "inspectors", s(&bomb), "--dry-run"],
    ] {
        let o = run_limited(&db, ONE_GB_KB, &args);
        refused(
            &o,
            "文件超出导入上限：工作簿中的“xl/worksheets/sheet1.xml”压缩比为",
        );
        assert!(stderr(&o).contains("超过 100:1"), "{}", stderr(&o));
    }

    let strings = dir.path().join("strings.xlsx");
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000"><si><t>名称</t></si></sst>"#;
    workbook_parts(
        &strings,
        &[
            (
                "xl/worksheets/sheet1.xml",
                sheet(
                    None,
                    &[(1, vec![r#"<c r="A1" t="s"><v>0</v></c>"#.to_string()])],
                )
                .as_bytes(),
            ),
            ("xl/sharedStrings.xml", sst.as_bytes()),
        ],
    );
    refused(
        &run_limited(
            &db,
            ONE_GB_KB,
            &["import", "entities", s(&strings), "--dry-run"],
        ),
        "共享字符串表声明了 4000000000 个字符串",
    );
}

/// CSV: a row beyond 200 filled columns, a file beyond 2,000,000 rows.
#[test]
fn csv_files_beyond_the_limits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let wide = dir.path().join("wide.csv");
    let mut text = "名称,备注\r\n阳城县某厂,\r\n".to_string();
    text.push_str(&format!("乙厂{}x\r\n", ",".repeat(200)));
    std::fs::write(&wide, text).unwrap();
    refused(
        &run(&db, &["import", "entities", s(&wide), "--dry-run"]),
        "文件超出导入上限：第3行有 201 列，超过 200 列",
    );
    // Trailing empty cells are no columns.
    let trailing = dir.path().join("trailing.csv");
    std::fs::write(&trailing, format!("名称{}\r\n甲\r\n", ",".repeat(300))).unwrap();
    assert_eq!(read_table(&trailing).unwrap().rows.len(), 1);

    let long = dir.path().join("long.csv");
    let mut text = String::with_capacity(3 * 2_000_001 + 8);
    text.push_str("名称\n");
    text.push_str(&"a\n".repeat(2_000_000));
    std::fs::write(&long, text).unwrap();
    match read_table(&long) {
        Err(SheetError::Limit(m)) => assert_eq!(m, "文件超过 2000000 行"),
        other => panic!("refused: {other:?}"),
    }
}

/// An old-format workbook (.xls): a compound file holding one BIFF8 workbook stream.
fn xls(path: &Path, sheet_records: &[Vec<u8>]) {
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
        out
    }
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.extend([0u8; 12]);
        record(0x0809, &d)
    };
    let name: Vec<u16> = "监管对象".encode_utf16().collect();
    let boundsheet = |pos: u32| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend([0, 0, name.len() as u8, 1]);
        d.extend(name.iter().flat_map(|u| u.to_le_bytes()));
        record(0x0085, &d)
    };
    let eof = record(0x000A, &[]);
    let globals_len = bof(5).len() + boundsheet(0).len() + eof.len();
    let mut stream = bof(5);
    stream.extend(boundsheet(globals_len as u32));
    stream.extend(&eof);
    stream.extend(bof(0x10));
    for r in sheet_records {
        stream.extend(r);
    }
    stream.extend(&eof);
    stream.resize(stream.len().max(4096).next_multiple_of(512), 0);
    let stream_len = stream.len() as u32;
    let sectors = stream.len() / 512;

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let put = |h: &mut Vec<u8>, at: usize, v: &[u8]| h[at..at + v.len()].copy_from_slice(v);
    put(&mut header, 24, &0x3Eu16.to_le_bytes());
    put(&mut header, 26, &3u16.to_le_bytes());
    put(&mut header, 28, &0xFFFEu16.to_le_bytes());
    put(&mut header, 30, &9u16.to_le_bytes());
    put(&mut header, 32, &6u16.to_le_bytes());
    put(&mut header, 44, &1u32.to_le_bytes());
    put(&mut header, 48, &1u32.to_le_bytes());
    put(&mut header, 56, &4096u32.to_le_bytes());
    put(&mut header, 60, &0xFFFF_FFFEu32.to_le_bytes());
    put(&mut header, 68, &0xFFFF_FFFEu32.to_le_bytes());
    for i in 0..109 {
        let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
        put(&mut header, 76 + 4 * i, &v.to_le_bytes());
    }
    let mut fat: Vec<u32> = vec![0xFFFF_FFFD, 0xFFFF_FFFE];
    for i in 0..sectors {
        fat.push(if i + 1 == sectors {
            0xFFFF_FFFE
        } else {
            (i + 3) as u32
        });
    }
    fat.resize(128, 0xFFFF_FFFF);
    let mut dir = vec![0u8; 512];
    let entry =
        |d: &mut Vec<u8>, at: usize, name: &str, typ: u8, child: u32, start: u32, len: u32| {
            let units: Vec<u16> = name.encode_utf16().collect();
            for (i, u) in units.iter().enumerate() {
                d[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            d[at + 64..at + 66].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
            d[at + 66] = typ;
            d[at + 67] = 1;
            d[at + 68..at + 72].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
            d[at + 72..at + 76].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
            d[at + 76..at + 80].copy_from_slice(&child.to_le_bytes());
            d[at + 116..at + 120].copy_from_slice(&start.to_le_bytes());
            d[at + 120..at + 124].copy_from_slice(&len.to_le_bytes());
        };
    entry(&mut dir, 0, "Root Entry", 5, 1, 0xFFFF_FFFE, 0);
    entry(&mut dir, 128, "Workbook", 2, 0xFFFF_FFFF, 2, stream_len);
    let mut file = header;
    file.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    file.extend(dir);
    file.extend(stream);
    std::fs::write(path, file).unwrap();
}

/// A LABEL cell of an .xls.
fn xls_label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend((units.len() as u16).to_le_bytes());
    d.push(1);
    d.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    let mut out = 0x0204u16.to_le_bytes().to_vec();
    out.extend((d.len() as u16).to_le_bytes());
    out.extend(d);
    out
}

/// The DIMENSIONS record of an .xls (BIFF8): first row, last row + 1, first and last
/// column + 1.
fn xls_dimensions(first_row: u32, end_row: u32, end_col: u16) -> Vec<u8> {
    let mut d = first_row.to_le_bytes().to_vec();
    d.extend(end_row.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(end_col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    let mut out = 0x0200u16.to_le_bytes().to_vec();
    out.extend((d.len() as u16).to_le_bytes());
    out.extend(d);
    out
}

/// An .xls within the limits reads; one declaring four billion rows, one with rows reversed,
/// one with a cell far right and one spanning too many cells are refused, not allocated.
#[test]
fn old_workbooks_are_checked_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let fine = dir.path().join("fine.xls");
    xls(
        &fine,
        &[
            xls_dimensions(0, 2, 2),
            xls_label(0, 0, "名称"),
            xls_label(0, 1, "备注"),
            xls_label(1, 0, "阳城县某厂"),
        ],
    );
    let t = read_table(&fine).unwrap();
    assert_eq!(t.headers, ["名称", "备注"]);
    assert_eq!(t.rows[0].cells[0], "阳城县某厂");

    let cases: [(&str, Vec<Vec<u8>>, &str); 4] = [
        (
            "declared.xls",
            vec![xls_dimensions(0, 4_000_000_000, 2), xls_label(0, 0, "名称")],
            "工作表声明的范围有 4000000000 行",
        ),
        (
            "reversed.xls",
            vec![xls_dimensions(9, 3, 2), xls_label(0, 0, "名称")],
            "工作簿结构异常（工作表范围的首行在末行之后）",
        ),
        (
            "wide.xls",
            vec![xls_label(0, 0, "名称"), xls_label(1, 250, "x")],
            "单元格 IQ2 超出范围",
        ),
        (
            "spread.xls",
            vec![xls_label(0, 0, "名称"), xls_label(65_535, 199, "x")],
            "单元格范围共 13107200 个，超过 4000000 个",
        ),
    ];
    for (name, records, message) in cases {
        let path = dir.path().join(name);
        xls(&path, &records);
        assert!(std::fs::metadata(&path).unwrap().len() < 8192);
        refused(
            &run_limited(
                &db,
                ONE_GB_KB,
                &["import", "entities", s(&path), "--dry-run"],
            ),
            message,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Item 10: files written safely.

/// `ln -s victim.db trap.csv; export inspectors trap.csv`: refused, and with --force the link
/// is replaced, never the file it points to.
#[test]
fn an_export_never_writes_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let victim = support::demo_copy(&dir, "victim.db");
    let before = std::fs::read(&victim).unwrap();
    let trap = dir.path().join("trap.csv");
    std::os::unix::fs::symlink(&victim, &trap).unwrap();

    refused(
        &run(&db, &["export", "inspectors", s(&trap)]),
        "已存在，未覆盖；如要覆盖，请加 --force",
    );
    assert!(std::fs::symlink_metadata(&trap).unwrap().is_symlink());
    assert_eq!(std::fs::read(&victim).unwrap(), before);

    succeeded(&run(&db, &["export", "inspectors", s(&trap), "--force"]));
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        before,
        "the target is intact"
    );
    let meta = std::fs::symlink_metadata(&trap).unwrap();
    assert!(
        meta.is_file() && !meta.is_symlink(),
        "the link itself was replaced"
    );
    assert_eq!(mode(&trap), 0o600, "inspectors' data is for the owner only");
    let text = String::from_utf8(std::fs::read(&trap).unwrap()).unwrap();
    assert!(
        text.contains("执法证号"),
        "the export: {}",
        &text[..80.min(text.len())]
    );

    // A link to a directory, a dangling link: the same.
    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink(dir.path().join("nowhere.json"), &dangling).unwrap();
    refused(&run(&db, &["export", "items", s(&dangling)]), "已存在");
    assert!(!dir.path().join("nowhere.json").exists());
    no_temporary_files(dir.path());
}

/// Nothing `.tmp` is left in `dir`.
fn no_temporary_files(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.contains(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Every command that writes a file it is given refuses an existing one without --force,
/// leaving it as it was, and replaces it with --force: owner-only unless the content is public.
#[test]
fn every_file_command_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let at = |name: &str| -> PathBuf { dir.path().join(name) };
    // (arguments before the file, the file, arguments after it, the mode with --force)
    let cases: Vec<(Vec<&str>, PathBuf, Vec<&str>, u32)> = vec![
        (vec!["export", "entities"], at("e.xlsx"), vec![], 0o600),
        (vec!["export", "inspectors"], at("i.csv"), vec![], 0o600),
        (vec!["export", "items"], at("c.json"), vec![], 0o600),
        (
            vec!["--as", "lead.liu", "export", "publicity"],
            at("p.csv"),
            vec!["--period", "2026Q1"],
            0o644,
        ),
        (vec!["template", "entities"], at("t.xlsx"), vec![], 0o644),
        (
            vec!["report", "quarter", "--period", "2026Q1"],
            at("q.md"),
            vec![],
            0o600,
        ),
        (
            vec!["report", "annual", "--year", "2025"],
            at("a.xlsx"),
            vec![],
            0o600,
        ),
        (vec!["backup"], at("b.db"), vec![], 0o600),
    ];
    for (before, file, after, want_mode) in cases {
        std::fs::write(&file, "keep").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let args = |force: bool| -> Vec<&str> {
            let mut a = before.clone();
            a.push(s(&file));
            a.extend(&after);
            if force {
                a.push("--force");
            }
            a
        };
        let what = args(false).join(" ");
        let o = run(&db, &args(false));
        refused(
            &o,
            &format!(
                "文件“{}”已存在，未覆盖；如要覆盖，请加 --force",
                file.display()
            ),
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep", "{what}");

        succeeded(&run(&db, &args(true)));
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes != b"keep" && !bytes.is_empty(),
            "{what} replaced the file"
        );
        assert_eq!(mode(&file), want_mode, "{what}");
    }
    assert!(
        std::fs::read(at("b.db"))
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    no_temporary_files(dir.path());
}

/// A new file is created owner-only without --force too, and a file named in a directory
/// that does not exist leaves nothing behind.
#[test]
fn new_files_are_owner_only_and_failures_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let q = dir.path().join("q2.xlsx");
    succeeded(&run(
        &db,
        &["report", "quarter", "--period", "2026Q2", s(&q)],
    ));
    assert_eq!(
        mode(&q),
        0o600,
        "a report is the bureau's until it sends it"
    );
    let e = dir.path().join("e.csv");
    succeeded(&run(&db, &["export", "entities", s(&e)]));
    assert_eq!(mode(&e), 0o600);
    let missing = dir.path().join("no-such-dir").join("e.csv");
    let o = run(&db, &["export", "entities", s(&missing)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("文件或目录不存在"), "{}", stderr(&o));
    no_temporary_files(dir.path());
}

/// The dashboard's `w`: a file of the record's name is never overwritten silently (the user
/// is asked) and never written through; what is written is owner-only.
#[test]
fn the_dashboards_record_asks_before_it_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::drawn_copy(&dir, "demo.db");
    let mut session = open(&db, None);
    let mut m = tui::model_for(&session, false);
    load::draws(&session, &mut m).unwrap();
    let out = tempfile::tempdir().unwrap();
    m.export_dir = out.path().to_path_buf();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let file = out.path().join("抽取记录-2026Q2-01.md");
    std::os::unix::fs::symlink(&victim, &file).unwrap();

    let mut press = |m: &mut shuangsuiji::tui::model::Model, c: char| {
        let key = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        tui::handle(
            &mut session,
            m,
            Event::Key(KeyEvent::new(key, KeyModifiers::NONE)),
        );
    };
    press(&mut m, '3');
    m.draws.selected = m
        .draws
        .list
        .iter()
        .position(|d| d.id == "2026Q2-01")
        .expect("the run draw");
    press(&mut m, 'w');
    match &m.popup {
        Some(Popup::Confirm { text, .. }) => assert!(text.contains("已存在"), "{text}"),
        other => panic!("a question first, not {:?}", other.is_some()),
    }
    press(&mut m, '\x1b');
    assert!(
        std::fs::symlink_metadata(&file).unwrap().is_symlink(),
        "Esc writes nothing"
    );
    press(&mut m, 'w');
    press(&mut m, '\n');
    assert!(matches!(m.popup, Some(Popup::Message { error: false, .. })));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(&file).unwrap();
    assert!(meta.is_file() && !meta.is_symlink());
    assert_eq!(mode(&file), 0o600);
    let record = open(&db, None).printable_record("2026Q2-01").unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), record);
}
