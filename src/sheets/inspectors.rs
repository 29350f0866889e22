//! The 执法人员 (inspector) sheet: its columns, import and export.

use std::path::Path;

use crate::domain::entity::parse_registry_code;
use crate::domain::inspector::{
    Conflict, Inspector, format_conflicts, format_leaves, parse_conflicts, parse_inspector_code,
    parse_leaves,
};
use crate::domain::text::TextKind;
use crate::domain::uscc;
use crate::domain::vocab::Expertise;

use super::cells::{self, MANGLED, labels, yes_no_labels};
use super::columns::{Column, RowCheck, Seen, Values, headers, parse_all, parse_sheet};
use super::write::write_records;
use super::{Parsed, Present, Problem, Row, SheetError, SheetKind, Table};

const CODE: usize = 0;
const NAME: usize = 1;
const CERT_NO: usize = 2;
const CERT_EXPIRY: usize = 3;
const DEPARTMENT: usize = 4;
const UNIT: usize = 5;
const EXPERTISE: usize = 6;
const AREAS: usize = 7;
const ON_DUTY: usize = 8;
const PHONE: usize = 9;
const LEAVES: usize = 10;
const CONFLICTS: usize = 11;

/// The columns of the inspector sheet, in order.
pub(crate) const COLUMNS: &[Column] = &[
    Column::new(
        "人员编号",
        true,
        "本局内唯一，只允许字母、数字和-，如 YC-001",
    )
    .aliases(&["编号"])
    .identifier(),
    Column::new("姓名", true, "")
        .kind(TextKind::Name)
        .identifier(),
    Column::new("执法证号", false, "请设为文本格式")
        .aliases(&["执法证编号"])
        .identifier(),
    Column::new("执法证有效期至", false, "如 2027-12-31").aliases(&["执法证有效期"]),
    Column::new(
        "所属部门",
        true,
        "须与部门设置的名称或别名一致（settings departments 列出），如 水利局、住建局",
    )
    .aliases(&["部门"])
    .kind(TextKind::Name)
    .identifier(),
    Column::new("股室/大队", false, "")
        .aliases(&["股室", "大队"])
        .kind(TextKind::Name)
        .identifier(),
    Column::new("专业", false, "可填多个，用“、”分隔").values(Values::Many(labels::<Expertise>)),
    Column::new("负责片区", false, "负责的乡镇，可填多个，用“、”分隔").identifier(),
    Column::new("在岗", false, "留空为是").values(Values::One(yes_no_labels)),
    Column::new("联系电话", false, "请设为文本格式").aliases(&["联系方式"]),
    Column::new(
        "请假时段",
        false,
        "如 2026-03-01~2026-03-10 病假，多段用“；”分隔",
    ),
    Column::new(
        "回避对象",
        false,
        "如 91140522MA0K12345X:亲属任职，多个用“；”分隔；代码为统一社会信用代码或登记编码",
    ),
];

/// Checks the entity code of a declared conflict. An 18-character alphanumeric code is taken
/// for a 统一社会信用代码 and must pass its check; anything else must be a valid 登记编码.
fn check_conflict(conflict: &Conflict) -> Result<(), String> {
    let code = &conflict.entity;
    let looks_like_uscc =
        code.chars().count() == 18 && code.chars().all(|c| c.is_ascii_alphanumeric());
    let checked = if looks_like_uscc {
        uscc::parse(code).map(|_| ()).map_err(|e| e.to_string())
    } else {
        parse_registry_code(code).map(|_| ())
    };
    checked.map_err(|why| format!("回避对象代码“{code}”无效：{why}"))
}

fn conflicts(text: &str) -> Result<Vec<Conflict>, String> {
    let list = parse_conflicts(text)?;
    list.iter().try_for_each(check_conflict)?;
    Ok(list)
}

fn parse_row(c: &mut RowCheck, seen: &mut Seen) -> Inspector {
    let code = if cells::is_mangled_number(c.text(CODE)) {
        c.fail(CODE, MANGLED);
        String::new()
    } else if c.text(CODE).is_empty() {
        c.required(CODE)
    } else {
        c.parse(CODE, parse_inspector_code).unwrap_or_default()
    };
    let name = c.required(NAME);
    for col in [CERT_NO, PHONE] {
        if cells::is_mangled_number(c.text(col)) {
            c.fail(col, MANGLED);
        }
    }
    let inspector = Inspector {
        code,
        name,
        cert_no: c.text(CERT_NO).to_string(),
        cert_expiry: c.parse(CERT_EXPIRY, cells::date).flatten(),
        department: c.required(DEPARTMENT),
        unit: c.text(UNIT).to_string(),
        expertise: c.parse(EXPERTISE, cells::many).unwrap_or_default(),
        areas: cells::names(c.text(AREAS)),
        on_duty: c.parse(ON_DUTY, |t| cells::yes_no(t, true)).unwrap_or(true),
        phone: c.text(PHONE).to_string(),
        leaves: c.parse(LEAVES, parse_leaves).unwrap_or_default(),
        conflicts: c.parse(CONFLICTS, conflicts).unwrap_or_default(),
    };
    if let Some(first) = seen.earlier(&inspector.code, c.number()) {
        c.fail(CODE, format!("与第{first}行重复"));
    }
    inspector
}

/// Checks every row of a 执法人员 sheet: the inspectors with their row numbers, or every
/// problem of every row (a repeated 人员编号 is reported on the later row).
pub fn parse_inspectors(table: &Table) -> Result<Vec<(usize, Inspector)>, Vec<Problem>> {
    parse_all(table, COLUMNS, parse_row)
}

/// Like [`parse_inspectors`], also telling which columns the file has (for a re-import that
/// leaves the fields of absent columns unchanged).
pub fn parse_inspector_sheet(table: &Table) -> Result<Parsed<Inspector>, Vec<Problem>> {
    parse_sheet(table, COLUMNS, parse_row)
}

/// Re-importing over a stored inspector: every field whose column the file lacks keeps its
/// stored value. A column that is present, even with an empty cell, is taken as written.
pub fn keep_absent_inspector_fields(
    present: &Present,
    incoming: &mut Inspector,
    stored: &Inspector,
) {
    keep_absent!(
        present,
        incoming,
        stored,
        CODE => code,
        NAME => name,
        CERT_NO => cert_no,
        CERT_EXPIRY => cert_expiry,
        DEPARTMENT => department,
        UNIT => unit,
        EXPERTISE => expertise,
        AREAS => areas,
        ON_DUTY => on_duty,
        PHONE => phone,
        LEAVES => leaves,
        CONFLICTS => conflicts,
    );
}

/// The cells of an inspector, in column order (the inverse of the import).
pub(crate) fn inspector_cells(i: &Inspector) -> Vec<String> {
    vec![
        i.code.clone(),
        i.name.clone(),
        i.cert_no.clone(),
        cells::date_text(i.cert_expiry),
        i.department.clone(),
        i.unit.clone(),
        cells::many_text(&i.expertise),
        crate::domain::vocab::join_list(&i.areas),
        cells::yes_no_text(i.on_duty),
        i.phone.clone(),
        format_leaves(&i.leaves),
        format_conflicts(&i.conflicts),
    ]
}

fn inspector_table(inspectors: &[Inspector]) -> Table {
    Table {
        header_row: 1,
        headers: headers(COLUMNS),
        rows: inspectors
            .iter()
            .enumerate()
            .map(|(n, i)| Row {
                number: n + 2,
                cells: inspector_cells(i),
            })
            .collect(),
    }
}

/// Writes inspectors to .xlsx (worksheet 执法人员), .csv (UTF-8 with BOM) or .json.
pub fn write_inspectors(
    path: &Path,
    inspectors: &[Inspector],
    overwrite: super::Overwrite,
) -> Result<(), SheetError> {
    write_records(
        path,
        SheetKind::Inspectors,
        COLUMNS,
        inspectors,
        inspector_cells,
        overwrite,
    )
}

/// Reads a .json export of inspectors back, checking each record like a sheet row.
pub fn read_inspectors_json(path: &Path) -> Result<Vec<Inspector>, SheetError> {
    let inspectors: Vec<Inspector> = super::write::read_json(path)?;
    super::write::recheck(parse_inspectors(&inspector_table(&inspectors)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inspector::{BUREAU, Leave};

    fn table(rows: &[&[&str]]) -> Table {
        crate::sheets::columns::table_of(COLUMNS, rows)
    }

    #[test]
    fn the_layout_constants_point_at_their_columns() {
        assert_eq!(COLUMNS[CODE].header, "人员编号");
        assert_eq!(COLUMNS[DEPARTMENT].header, "所属部门");
        assert_eq!(COLUMNS[ON_DUTY].header, "在岗");
        assert_eq!(COLUMNS[CONFLICTS].header, "回避对象");
        assert_eq!(COLUMNS.len(), 12);
    }

    #[test]
    fn a_full_inspector_survives_its_cells() {
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let i = Inspector {
            code: "YC-001".into(),
            name: "张三".into(),
            cert_no: "14052200001".into(),
            cert_expiry: Some(day("2027-12-31")),
            department: BUREAU.into(),
            unit: "执法大队".into(),
            expertise: [Expertise::Air, Expertise::Water].into(),
            areas: ["町店镇".to_string(), "北留镇".to_string()].into(),
            on_duty: false,
            phone: "13800000000".into(),
            leaves: vec![Leave {
                from: day("2026-03-01"),
                to: day("2026-03-10"),
                reason: "病假".into(),
            }],
            conflicts: vec![Conflict {
                entity: uscc::complete("91140522MA0K12345").unwrap(),
                reason: "亲属任职".into(),
            }],
        };
        let parsed = parse_inspectors(&inspector_table(std::slice::from_ref(&i))).unwrap();
        assert_eq!(parsed, vec![(2, i)]);
    }

    #[test]
    fn empty_on_duty_means_on_duty() {
        let t = table(&[&["yc-2", "李四", "", "", BUREAU]]);
        let (_, i) = parse_inspectors(&t).unwrap().remove(0);
        assert_eq!(i.code, "YC-2");
        assert!(i.on_duty);
    }

    #[test]
    fn bad_rows_are_all_reported() {
        let bad_uscc = "91350100M000100Y44";
        let conflict = format!("{bad_uscc}:亲属");
        let row3: &[&str] = &[
            "YC-1", "王五", "", "明年", BUREAU, "", "法律", "", "也许", "", "", &conflict,
        ];
        let t = table(&[
            &["YC-1", "李四", "", "", BUREAU],
            row3,
            &[
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "2026-03-05~2026-03-01",
                "晋E:亲属",
            ],
        ]);
        let got: Vec<String> = parse_inspectors(&t)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            got,
            vec![
                "第3行 人员编号 “YC-1” 与第2行重复",
                "第3行 执法证有效期至 日期“明年”无法识别（应为 YYYY-MM-DD）",
                "第3行 专业 “法律”不是有效取值（大气/水/固废/辐射/机动车/土壤/噪声/综合）",
                "第3行 在岗 “也许”应为 是/否",
                "第3行 回避对象 “91350100M000100Y44:亲属” 回避对象代码“91350100M000100Y44”无效：校验位错误",
                "第4行 人员编号 不能为空",
                "第4行 姓名 不能为空",
                "第4行 所属部门 不能为空",
                "第4行 请假时段 请假时段“2026-03-05~2026-03-01”结束日期早于起始日期",
                "第4行 回避对象 “晋E:亲属” 回避对象代码“晋E”无效：登记编码含有不允许的字符“晋”（只允许字母、数字和-）",
            ]
        );
    }

    #[test]
    fn absent_columns_keep_stored_fields() {
        let mut stored = Inspector {
            code: "YC-001".into(),
            name: "张三".into(),
            cert_no: "14052200001".into(),
            cert_expiry: None,
            department: BUREAU.into(),
            unit: "执法大队".into(),
            expertise: [Expertise::Air].into(),
            areas: ["町店镇".to_string()].into(),
            on_duty: false,
            phone: "13800000000".into(),
            leaves: vec![],
            conflicts: vec![],
        };
        stored.conflicts.push(Conflict {
            entity: uscc::complete("91140522MA0K12345").unwrap(),
            reason: "亲属任职".into(),
        });
        let t = Table {
            header_row: 1,
            headers: vec![
                "人员编号".into(),
                "姓名".into(),
                "所属部门".into(),
                "联系电话".into(),
            ],
            rows: vec![Row {
                number: 2,
                cells: vec!["YC-001".into(), "张三".into(), BUREAU.into(), "".into()],
            }],
        };
        let parsed = parse_inspector_sheet(&t).unwrap();
        let mut i = parsed.rows[0].1.clone();
        keep_absent_inspector_fields(&parsed.present, &mut i, &stored);
        let mut expected = stored.clone();
        expected.phone = String::new();
        assert_eq!(i, expected, "only the present 联系电话 (empty) changes");
    }
}
