//! The 抽查事项 (check item) sheet: its columns, import, export and the shipped list.

use std::path::Path;

use crate::domain::check_item::{CheckItem, ITEM_CLASSES, METHODS};
use crate::domain::text::TextKind;
use crate::domain::vocab::TargetType;

use super::cells::{self, labels};
use super::columns::{Column, RowCheck, Seen, Values, parse_all};
use super::write::write_records;
use super::{Problem, SheetError, SheetKind, Table};

const CODE: usize = 0;
const CATEGORY_NO: usize = 1;
const CATEGORY: usize = 2;
const ITEM: usize = 3;
const TARGET: usize = 4;
const ITEM_CLASS: usize = 5;
const METHOD: usize = 6;
const BODY: usize = 7;
const BASIS: usize = 8;

/// The check-item list shipped with the program (`data/check_items.csv`).
const SHIPPED: &str = include_str!("../../data/check_items.csv");

fn item_classes() -> Vec<&'static str> {
    ITEM_CLASSES.to_vec()
}

fn methods() -> Vec<&'static str> {
    METHODS.to_vec()
}

/// The columns of the check-item sheet, in order (the header of `data/check_items.csv`).
pub(crate) const COLUMNS: &[Column] = &[
    Column::new("编号", true, "类别序号-序号，如 1-3").identifier(),
    Column::new("类别序号", true, "正整数，与编号的前半部分相同"),
    Column::new("抽查类别", true, "")
        .kind(TextKind::Name)
        .identifier(),
    Column::new("抽查事项", true, "")
        .kind(TextKind::Name)
        .identifier(),
    Column::new("检查对象", true, "").values(Values::One(labels::<TargetType>)),
    Column::new("事项类别", true, "").values(Values::One(item_classes)),
    Column::new("检查方式", true, "可填多个，用“、”分隔").values(Values::Many(methods)),
    Column::new("检查主体", true, "")
        .kind(TextKind::Name)
        .identifier(),
    Column::new("检查依据", true, "").kind(TextKind::LegalBasis),
];

fn category_no(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("“{text}”应为正整数")),
    }
}

fn parse_row(c: &mut RowCheck, seen: &mut Seen) -> CheckItem {
    let code = c.required(CODE);
    let number = if c.text(CATEGORY_NO).is_empty() {
        c.required(CATEGORY_NO);
        None
    } else {
        c.parse(CATEGORY_NO, category_no)
    };
    let category = c.required(CATEGORY);
    let item = c.required(ITEM);
    let target_type = c.parse(TARGET, cells::one).flatten();
    if target_type.is_none() && !c.failed(TARGET) {
        c.fail(TARGET, "不能为空");
    }
    let check = CheckItem {
        code,
        category_no: number.unwrap_or(0),
        category,
        item,
        target_type: target_type.unwrap_or(TargetType::Polluter),
        item_class: c.required(ITEM_CLASS),
        method: c.required(METHOD),
        body: c.required(BODY),
        legal_basis: c.required(BASIS),
    };
    for (column, reason) in check.problems() {
        let Some(col) = COLUMNS.iter().position(|k| k.header == column) else {
            continue;
        };
        let meaningless = col == CODE && number.is_none();
        if !meaningless && !c.failed(col) {
            c.fail(col, reason);
        }
    }
    if let Some(first) = seen.earlier(&check.code, c.number()) {
        c.fail(CODE, format!("与第{first}行重复"));
    }
    check
}

/// Checks every row of a 抽查事项 sheet: the items with their row numbers, or every problem
/// of every row (a repeated 编号 is reported on the later row).
pub fn parse_check_items(table: &Table) -> Result<Vec<(usize, CheckItem)>, Vec<Problem>> {
    parse_all(table, COLUMNS, parse_row)
}

/// The cells of a check item, in column order.
pub(crate) fn item_cells(i: &CheckItem) -> Vec<String> {
    vec![
        i.code.clone(),
        i.category_no.to_string(),
        i.category.clone(),
        i.item.clone(),
        i.target_type.label().to_string(),
        i.item_class.clone(),
        i.method.clone(),
        i.body.clone(),
        i.legal_basis.clone(),
    ]
}

/// Writes check items to .xlsx (worksheet 抽查事项), .csv (UTF-8 with BOM) or .json.
pub fn write_check_items(
    path: &Path,
    items: &[CheckItem],
    overwrite: super::Overwrite,
) -> Result<(), SheetError> {
    write_records(
        path,
        SheetKind::Items,
        COLUMNS,
        items,
        item_cells,
        overwrite,
    )
}

/// Reads a .json export of check items back, checking each record like a sheet row.
pub fn read_check_items_json(path: &Path) -> Result<Vec<CheckItem>, SheetError> {
    let items: Vec<CheckItem> = super::write::read_json(path)?;
    let table = Table {
        header_row: 1,
        headers: super::columns::headers(COLUMNS),
        rows: items
            .iter()
            .enumerate()
            .map(|(n, i)| super::Row {
                number: n + 2,
                cells: item_cells(i),
            })
            .collect(),
    };
    super::write::recheck(parse_check_items(&table))
}

/// The 19 check items of the bureau's published list, shipped in `data/check_items.csv`.
///
/// # Panics
/// Only if the shipped file is broken, which the tests rule out.
pub fn builtin_check_items() -> Vec<CheckItem> {
    let table = super::read::read_csv(SHIPPED.as_bytes()).expect("data/check_items.csv 无法读取");
    match parse_check_items(&table) {
        Ok(items) => items.into_iter().map(|(_, item)| item).collect(),
        Err(problems) => panic!("data/check_items.csv 有误：{problems:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheets::columns::headers;

    fn table(rows: &[&[&str]]) -> Table {
        crate::sheets::columns::table_of(COLUMNS, rows)
    }

    #[test]
    fn the_shipped_list_parses_to_nineteen_items() {
        let items = builtin_check_items();
        assert_eq!(items.len(), 19);
        assert_eq!(items[0].code, "1-1");
        assert_eq!(items[0].target_type, TargetType::Polluter);
        assert_eq!(items[18].code, "7-1");
        assert_eq!(items[18].target_type, TargetType::SolidWaste);
        assert!(items.iter().all(|i| i.problems().is_empty()));
    }

    #[test]
    fn a_json_export_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("it.json");
        let items = builtin_check_items();
        write_check_items(&path, &items, crate::sheets::Overwrite::Refuse).unwrap();
        assert_eq!(read_check_items_json(&path).unwrap(), items);
    }

    #[test]
    fn the_layout_is_the_shipped_header() {
        let first_line = SHIPPED.lines().next().unwrap_or("");
        assert_eq!(headers(COLUMNS).join(","), first_line);
        assert_eq!(COLUMNS[BASIS].header, "检查依据");
    }

    #[test]
    fn bad_items_are_reported_once_per_cell() {
        let ok: &[&str] = &[
            "1-1",
            "1",
            "类",
            "事项",
            "排污单位",
            "一般检查事项",
            "现场检查",
            "局",
            "法",
        ];
        let t = table(&[
            ok,
            &[
                "1-1",
                "x",
                "类",
                "事项",
                "工厂",
                "特别事项",
                "上门",
                "局",
                "法",
            ],
            &[
                "2-1",
                "3",
                "类",
                "事项",
                "排污单位",
                "",
                "现场检查",
                "局",
                "",
            ],
        ]);
        let got: Vec<String> = parse_check_items(&t)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            got,
            vec![
                "第3行 编号 “1-1” 与第2行重复",
                "第3行 类别序号 “x”应为正整数",
                "第3行 检查对象 “工厂”不是有效取值（排污单位/核与辐射利用单位/机动车排放检验机构/非道路移动机械/设有入河排污口的单位/城镇污水处理厂/涉固体废物和危险废物单位）",
                "第3行 事项类别 “特别事项”应为 一般检查事项/重点检查事项",
                "第3行 检查方式 “上门”应为 现场检查/网络检查/书面检查",
                "第4行 编号 “2-1”应为 类别序号-序号，如 1-3",
                "第4行 事项类别 不能为空",
                "第4行 检查依据 不能为空",
            ]
        );
    }
}
