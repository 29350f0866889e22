//! Integration tests for spreadsheets (表格): fixtures are built on the fly in a temporary
//! directory — GBK and UTF-8 CSV, a hand-made workbook — and exports are read back.

mod common;
mod round_trip;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use calamine::Reader;
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use shuangsuiji::domain::entity::Entity;
use shuangsuiji::domain::vocab::{
    CreditTier, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};
use shuangsuiji::sheets::{
    self, SheetError, SheetKind, TextEncoding, builtin_check_items, decode_text, parse_check_items,
    parse_entities, read_table, write_template,
};

use common::{code, with_bad_check_character};
use shuangsuiji::sheets::Overwrite;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn import(path: &Path) -> Vec<(usize, Entity)> {
    let table = read_table(path).unwrap();
    parse_entities(&table).unwrap_or_else(|p| panic!("{p:?}"))
}

fn problems(path: &Path) -> Vec<String> {
    let table = read_table(path).unwrap();
    match parse_entities(&table) {
        Ok(list) => panic!("expected problems, got {} entities", list.len()),
        Err(problems) => problems.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn gbk_csv_with_chinese_headers_imports_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let a = code("91140522MA0K12345");
    // Columns out of order, aliases, a trailing *, full-width parentheses, an unknown column.
    let text = format!(
        "序号,企业名称*,所在乡镇,统一社会信用代码,检查对象类型,生产状态,生产月份（1-12）,\
         排污许可管理类别,重点排污单位名录,联系方式,行政处罚或举报查实日期,信用风险等级,\
         挂牌督办,重污染天气绩效分级,入河排污口河流,不参与双随机原因,备注\r\n\
         1,阳城县晋阳焦化有限公司,町店镇,{a},排污单位、设有入河排污口的单位,季节性,11-3,\
         重点管理,是,13934567890,2025/11/3,较高风险,省级,B级,沁河,无,\"地址变更，待核实\"\r\n"
    );
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let path = write(dir.path(), "监管对象.csv", &bytes);
    assert_eq!(decode_text(&bytes).unwrap().1, TextEncoding::Gbk);

    let got = import(&path);
    assert_eq!(got.len(), 1);
    let (row, e) = &got[0];
    assert_eq!(*row, 2);
    assert_eq!(e.name, "阳城县晋阳焦化有限公司");
    assert_eq!(e.town, "町店镇");
    assert_eq!(e.uscc.as_deref(), Some(a.as_str()));
    assert_eq!(e.registry_code, None);
    assert_eq!(
        e.target_types,
        BTreeSet::from([TargetType::Polluter, TargetType::RiverOutfall])
    );
    assert_eq!(e.production, ProductionStatus::Seasonal);
    assert_eq!(e.production_months, BTreeSet::from([11, 12, 1, 2, 3]));
    assert_eq!(e.permit_class, Some(PermitClass::Key));
    assert!(e.key_polluter_list);
    assert_eq!(e.phone, "13934567890");
    assert_eq!(e.violation_date, NaiveDate::from_ymd_opt(2025, 11, 3));
    assert_eq!(e.credit_tier, Some(CreditTier::Elevated));
    assert_eq!(e.supervised_listing, Some(Level::Province));
    assert_eq!(e.exceedance_notice, None);
    assert_eq!(e.perf_grade, PerfGrade::B);
    assert_eq!(e.outfall_rivers, BTreeSet::from(["沁河".to_string()]));
    assert_eq!(e.exclusion, None, "“无” means not excluded");
    assert_eq!(e.note, "地址变更，待核实");
    assert!(!e.positive_list);
    assert_eq!(e.address, "", "a column the file lacks is empty");
}

#[test]
fn utf8_csv_with_bom_imports() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{FEFF}名称,登记编码,乡镇,检查对象类型,所有人,生产月份\r\n\
                装载机,ycfdl-0007,北留镇,非道路移动机械,张某,3月\r\n\
                \"多行\n名称\",,,,,\r\n";
    let path = write(dir.path(), "机械.csv", text.as_bytes());
    assert_eq!(
        decode_text(text.as_bytes()).unwrap().1,
        TextEncoding::Utf8Bom
    );
    let table = read_table(&path).unwrap();
    assert_eq!(
        table.headers[0], "名称",
        "the BOM is not part of the first header"
    );
    let got = problems(&path);
    assert_eq!(
        got,
        vec![
            "第3行 统一社会信用代码 统一社会信用代码和登记编码不能都为空",
            "第3行 乡镇 不能为空",
            "第3行 检查对象类型 不能为空",
        ]
    );
    let path = write(
        dir.path(),
        "机械2.csv",
        text.split("\"多行").next().unwrap().as_bytes(),
    );
    let (_, e) = import(&path).remove(0);
    assert_eq!(e.registry_code.as_deref(), Some("YCFDL-0007"));
    assert_eq!(e.uscc, None);
    assert_eq!(e.owner, "张某");
    assert_eq!(e.production_months, BTreeSet::from([3]));
    assert_eq!(e.target_types, BTreeSet::from([TargetType::NonRoadMachine]));
}

#[test]
fn hand_made_xlsx_with_a_real_date_and_a_numeric_phone_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("台账.xlsx");
    let a = code("91140522MA0K54321");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "名称",
        "统一社会信用代码",
        "乡镇",
        "检查对象类型",
        "联系电话",
    ];
    let more = [
        "行政处罚或举报查实日期",
        "生产月份",
        "登记编码",
        "监督执法正面清单",
    ];
    for (col, h) in headers.iter().chain(more.iter()).enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(1, 0, "阳城县污水处理厂").unwrap();
    sheet.write_string(1, 1, &a).unwrap();
    sheet.write_string(1, 2, "凤城镇").unwrap();
    sheet.write_string(1, 3, "城镇污水处理厂").unwrap();
    sheet.write_number(1, 4, 13934567890.0).unwrap();
    let day = ExcelDateTime::from_ymd(2026, 3, 1).unwrap();
    sheet
        .write_datetime_with_format(1, 5, &day, &date_format)
        .unwrap();
    sheet.write_number(1, 6, 5.0).unwrap();
    sheet.write_number(1, 7, 20240001.0).unwrap();
    sheet.write_boolean(1, 8, true).unwrap();
    book.save(&path).unwrap();

    let table = read_table(&path).unwrap();
    assert_eq!(table.rows[0].cells[4], "13934567890");
    assert_eq!(table.rows[0].cells[5], "2026-03-01");
    let (row, e) = import(&path).remove(0);
    assert_eq!(row, 2);
    assert_eq!(e.name, "阳城县污水处理厂");
    assert_eq!(e.uscc.as_deref(), Some(a.as_str()));
    assert_eq!(e.town, "凤城镇");
    assert_eq!(e.target_types, BTreeSet::from([TargetType::SewagePlant]));
    assert_eq!(e.phone, "13934567890");
    assert_eq!(e.violation_date, NaiveDate::from_ymd_opt(2026, 3, 1));
    assert_eq!(e.production_months, BTreeSet::from([5]));
    assert_eq!(e.registry_code.as_deref(), Some("20240001"));
    assert!(e.positive_list);
}

#[test]
fn a_code_excel_turned_into_a_number_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("数字.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in ["名称", "统一社会信用代码", "乡镇", "检查对象类型"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "甲").unwrap();
    sheet.write_number(1, 1, 913_501_000_000_000_000.0).unwrap();
    sheet.write_string(1, 2, "町店镇").unwrap();
    sheet.write_string(1, 3, "排污单位").unwrap();
    book.save(&path).unwrap();
    assert_eq!(
        problems(&path),
        vec!["第2行 统一社会信用代码 “9.13501E+17” 应为文本格式（Excel 已将其变为数字）"]
    );
    // The same code after a round trip through Excel's CSV.
    let csv = "名称,统一社会信用代码,乡镇,检查对象类型\r\n甲,9.13501E+17,町店镇,排污单位\r\n";
    let path = write(dir.path(), "数字.csv", csv.as_bytes());
    assert_eq!(
        problems(&path),
        vec!["第2行 统一社会信用代码 “9.13501E+17” 应为文本格式（Excel 已将其变为数字）"]
    );
}

#[test]
fn a_merged_title_row_above_the_header_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, headers: &[&str], row: &[&str]| {
        let path = dir.path().join(name);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let title = "附件1 阳城县双随机监管对象名录";
        sheet
            .merge_range(0, 0, 0, 3, title, &Format::new())
            .unwrap();
        for (col, (h, v)) in headers.iter().zip(row).enumerate() {
            sheet.write_string(1, col as u16, *h).unwrap();
            sheet.write_string(2, col as u16, *v).unwrap();
        }
        book.save(&path).unwrap();
        path
    };
    let a = code("91140522MA0K77777");
    let full = ["名称", "统一社会信用代码", "乡镇", "检查对象类型"];
    let path = save("有标题.xlsx", &full, &["甲", &a, "町店镇", "排污单位"]);
    let got = import(&path);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].0, got[0].1.name.as_str()), (3, "甲"));
    let path = save("缺列.xlsx", &full[..3], &["甲", &a, "町店镇"]);
    assert_eq!(problems(&path), vec!["第2行 表头 缺少必填列“检查对象类型”"]);
}

#[test]
fn several_bad_rows_give_exactly_their_problems() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c, d) = (
        code("91140522MA0K00011"),
        code("91140522MA0K00022"),
        code("91140522MA0K00033"),
        code("91140522MA0K00044"),
    );
    let bad = with_bad_check_character(&code("91140522MA0K00055"));
    let rows = [
        "名称,统一社会信用代码,乡镇,检查对象类型,排污许可管理类别,生产状态,生产月份".to_string(),
        format!("甲厂,{a},町店镇,排污单位,重点管理,,"),
        format!("乙厂,{bad},町店镇,排污单位,,,"),
        format!("丙厂,{b},町店镇,排污单位,特别管理,,"),
        format!(",{c},町店镇,排污单位,,,"),
        format!("丁厂,{d},町店镇,排污单位,,季节性,"),
        format!("戊厂,{a},町店镇,排污单位,,,"),
        format!(
            "己厂,{},町店镇,排污单位,,正常,13",
            code("91140522MA0K00066")
        ),
    ];
    let path = write(dir.path(), "错误.csv", rows.join("\r\n").as_bytes());
    assert_eq!(
        problems(&path),
        vec![
            "第3行 统一社会信用代码 “91140522MA0K000550” 校验位错误",
            "第4行 排污许可管理类别 “特别管理”不是有效取值（重点管理/简化管理/登记管理）",
            "第5行 名称 不能为空",
            "第6行 生产月份 生产状态为季节性时必须填写生产月份",
            "第7行 统一社会信用代码 “91140522MA0K00011Q” 与第2行重复",
            "第8行 生产月份 月份“13”应在1至12之间",
        ]
    );
}

#[test]
fn a_missing_required_column_is_reported_once_on_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "缺列.csv",
        "单位名称,统一社会信用代码,检查对象类型\r\n甲,,排污单位\r\n".as_bytes(),
    );
    assert_eq!(problems(&path), vec!["第1行 表头 缺少必填列“乡镇”"]);
}

#[test]
fn templates_read_back_as_headers_without_rows() {
    let dir = tempfile::tempdir().unwrap();
    for kind in SheetKind::ALL {
        let path = dir.path().join(format!("{}模板.xlsx", kind.label()));
        write_template(*kind, &path, Overwrite::Refuse).unwrap();
        let book = calamine::open_workbook_auto(&path).unwrap();
        assert_eq!(book.sheet_names(), vec![kind.label(), "填写说明"]);
        let table = read_table(&path).unwrap();
        assert!(table.rows.is_empty(), "{kind}: no example rows");
        match kind {
            SheetKind::Entities => {
                assert_eq!(table.headers.len(), 25);
                assert_eq!(table.headers[0], "名称*");
                assert_eq!(table.headers[1], "统一社会信用代码");
                assert_eq!(table.headers[8], "检查对象类型*");
                assert_eq!(
                    table.headers[21..23],
                    ["所有人", "所有人统一社会信用代码"],
                    "the owner's USCC beside the owner's name"
                );
                assert_eq!(parse_entities(&table), Ok(vec![]));
            }
            SheetKind::Inspectors => {
                assert_eq!(table.headers[0], "人员编号*");
                assert_eq!(sheets::parse_inspectors(&table), Ok(vec![]));
            }
            SheetKind::Items => {
                assert_eq!(table.headers.len(), 9);
                assert_eq!(parse_check_items(&table), Ok(vec![]));
            }
        }
    }
    let err = write_template(
        SheetKind::Entities,
        &dir.path().join("模板.csv"),
        Overwrite::Refuse,
    )
    .unwrap_err();
    assert!(matches!(err, SheetError::TemplateExtension(_)), "{err}");
}

#[test]
fn the_builtin_check_items_are_the_shipped_nineteen() {
    let items = builtin_check_items();
    assert_eq!(items.len(), 19);
    let codes: Vec<&str> = items.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes[..3], ["1-1", "1-2", "1-3"]);
    assert_eq!(items[6].method, "现场检查、网络检查");
    assert_eq!(items[6].target_type, TargetType::Radiation);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/check_items.csv");
    let from_file = parse_check_items(&read_table(&shipped).unwrap()).unwrap();
    assert_eq!(from_file.len(), 19);
    assert_eq!(from_file.last().map(|(row, _)| *row), Some(20));
}

#[test]
fn empty_and_unknown_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "空.csv", b"\xEF\xBB\xBF");
    assert_eq!(read_table(&path).unwrap_err().to_string(), "文件中没有数据");
    let path = write(dir.path(), "名单.txt", b"x");
    assert!(matches!(
        read_table(&path),
        Err(SheetError::UnknownExtension(_))
    ));
    let missing = dir.path().join("不存在.xlsx");
    let err = read_table(&missing).unwrap_err().to_string();
    assert!(err.contains("不存在"), "{err}");
    let path = write(dir.path(), "乱码.csv", b"\xFF\xFE\x00\xD8");
    assert_eq!(
        read_table(&path).unwrap_err().to_string(),
        "文件编码无法识别（应为 UTF-8 或 GBK）"
    );
}

/// A copy of the workbook at `from` with `edit` applied to the text of its first worksheet.
fn with_sheet_xml(from: &Path, to: &Path, edit: impl Fn(&str) -> String) {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let name = entry.name().unwrap().to_string();
        if name == "xl/worksheets/sheet1.xml" {
            bytes = edit(std::str::from_utf8(&bytes).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn a_workbook_pointing_past_its_shared_strings_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "名称").unwrap();
    sheet.write_string(1, 0, "阳城县污水处理厂").unwrap();
    book.save(&good).unwrap();
    assert_eq!(
        read_table(&good).unwrap().rows[0].cells[0],
        "阳城县污水处理厂"
    );

    // The second string cell now names string 2903 of a table of two: the damage a flipped
    // byte did to an exported library (found by tests/it/hostile.rs), which once crashed the reader.
    let bad = dir.path().join("bad.xlsx");
    with_sheet_xml(&good, &bad, |xml| {
        let damaged = xml.replacen("<v>1</v>", "<v>2903</v>", 1);
        assert_ne!(damaged, xml, "the sheet refers to its second string");
        damaged
    });
    match read_table(&bad) {
        Err(SheetError::Xlsx(message)) => assert!(message.contains("shared strings"), "{message}"),
        other => panic!("expected a damaged-workbook error, got {other:?}"),
    }
}
