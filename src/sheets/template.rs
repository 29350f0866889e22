//! Import templates (导入模板): an empty sheet with the header row, drop-down lists on the
//! vocabulary columns, and a second worksheet 填写说明 explaining every column.

use std::path::Path;

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Workbook, Worksheet, XlsxError};

use super::columns::{Column, Values};
use super::files::{Access, Overwrite, check_target, write_file};
use super::read::extension;
use super::write::{column_number, workbook_buffer, write_sheet, xlsx_error};
use super::{SheetError, SheetKind, entities, inspectors, items};

/// The last spreadsheet row (1-based) that gets drop-down lists.
const LAST_VALIDATED_ROW: u32 = 10_000;

/// The name of the explanation worksheet.
pub(crate) const NOTES_SHEET: &str = "填写说明";

pub(crate) fn columns(kind: SheetKind) -> &'static [Column] {
    match kind {
        SheetKind::Entities => entities::COLUMNS,
        SheetKind::Inspectors => inspectors::COLUMNS,
        SheetKind::Items => items::COLUMNS,
    }
}

/// The header of a column in a template: required columns end in `*`.
pub(crate) fn template_header(column: &Column) -> String {
    if column.required {
        format!("{}*", column.header)
    } else {
        column.header.to_string()
    }
}

/// Writes an import template (.xlsx only): the header row with required columns marked `*`,
/// no data rows, and the 填写说明 worksheet. It holds no data, so it is readable by all; an
/// existing file is replaced only with `overwrite` ([`super::files`]).
pub fn write_template(
    kind: SheetKind,
    path: &Path,
    overwrite: Overwrite,
) -> Result<(), SheetError> {
    write_template_for(kind, path, overwrite, &[])
}

/// The column of a sheet whose values are a list the database holds: an inspector's 所属部门
/// (the departments) or an entity's 乡镇 (the town list).
fn listed_column(kind: SheetKind) -> Option<&'static str> {
    match kind {
        SheetKind::Inspectors => Some("所属部门"),
        SheetKind::Entities => Some("乡镇"),
        SheetKind::Items => None,
    }
}

/// [`write_template`] for a database whose names for the kind's listed column are `names`:
/// the departments (the bureau first) for inspectors, the town list for entities. That column
/// offers them in a drop-down, and its note gives them as the example, so the sheet is filled
/// in the database's own spelling.
pub fn write_template_for(
    kind: SheetKind,
    path: &Path,
    overwrite: Overwrite,
    names: &[String],
) -> Result<(), SheetError> {
    let ext = extension(path);
    if ext != "xlsx" {
        return Err(SheetError::TemplateExtension(if ext.is_empty() {
            "（无扩展名）".to_string()
        } else {
            format!(".{ext}")
        }));
    }
    check_target(path, overwrite)?;
    let columns = columns(kind);
    let listed = listed_column(kind).filter(|_| !names.is_empty());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(kind.label()).map_err(xlsx_error)?;
    let headers: Vec<String> = columns.iter().map(template_header).collect();
    write_sheet(sheet, &headers, &[]).map_err(xlsx_error)?;
    add_validations(sheet, columns).map_err(xlsx_error)?;
    if let Some(column) = listed {
        add_name_list(sheet, columns, column, names).map_err(xlsx_error)?;
    }

    let notes = book.add_worksheet();
    notes.set_name(NOTES_SHEET).map_err(xlsx_error)?;
    let mut rows = note_rows(kind);
    if let Some(column) = listed
        && let Some(row) = rows.iter_mut().find(|r| r[0] == column)
    {
        row[2] = names.join("/");
        row[3] = name_hint(column, names);
    }
    write_sheet(notes, &note_headers(), &rows).map_err(xlsx_error)?;
    let bytes = workbook_buffer(&mut book)?;
    write_file(path, &bytes, overwrite, Access::Public)
}

/// The note of a listed column for a database's names.
fn name_hint(column: &str, names: &[String]) -> String {
    if column == "乡镇" {
        format!(
            "须为本数据库乡镇名单中的名称，如 {}（settings towns 列出名单）",
            names.join("、")
        )
    } else {
        format!(
            "须与本数据库的部门名称一致，如 {}（settings departments 列出名称和已登记的别名）",
            names.join("、")
        )
    }
}

/// Replaces a listed column's input message by a drop-down of the database's names
/// (advisory: a department's registered alias is accepted too, and a town stored before the
/// list stays as it is).
fn add_name_list(
    sheet: &mut Worksheet,
    columns: &[Column],
    column: &str,
    names: &[String],
) -> Result<(), XlsxError> {
    let Some(col) = columns.iter().position(|c| c.header == column) else {
        return Ok(());
    };
    let Ok(rule) = DataValidation::new().allow_list_strings(names) else {
        // Too long for Excel's list: the note still names them.
        return Ok(());
    };
    let hint = name_hint(column, names);
    let rule = rule
        .set_error_style(DataValidationErrorStyle::Information)
        .set_error_title("请核对")?
        .set_error_message(&hint)?
        .set_input_title(column)?
        .set_input_message(&hint)?;
    let col = column_number(col)?;
    sheet.add_data_validation(1, col, LAST_VALIDATED_ROW - 1, col, &rule)?;
    Ok(())
}

/// The allowed values of a column as the 填写说明 sheet states them.
fn allowed(values: Values) -> String {
    match values {
        Values::Text => String::new(),
        Values::One(list) => list().join("/"),
        Values::Many(list) => format!("{}（可多选，用“、”分隔）", list().join("/")),
        Values::Suggest(list) => format!("常用：{}", list().join("、")),
    }
}

fn note_headers() -> Vec<String> {
    ["列名", "是否必填", "允许取值", "填写说明"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn note_rows(kind: SheetKind) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = columns(kind)
        .iter()
        .map(|c| {
            vec![
                c.header.to_string(),
                if c.required { "必填" } else { "选填" }.to_string(),
                allowed(c.values),
                c.hint.to_string(),
            ]
        })
        .collect();
    let mut general = vec![
        "带 * 的列为必填列，每一行都必须填写；列的顺序可以调整，其他列导入时忽略。",
        "各列已设为文本格式。从其他表格粘贴时请用“选择性粘贴—数值”，以免长代码变成 9.1E+17 这样的数字。",
        "日期写作 2026-03-01，应在2000年至2100年之间；是/否列可填 是 或 否。",
        "字数上限：名称、姓名、乡镇、部门200字，地址300字，备注2000字，检查依据500字，其他各列500字。",
        "名称和代码中不能有看不见的字符（零宽空格、文字方向控制符等，常随网页或聊天软件复制而来）。",
    ];
    if kind == SheetKind::Entities {
        general
            .push("每个监管对象须填写统一社会信用代码或登记编码，至少一个；代码在表内不能重复。");
    }
    rows.push(vec![]);
    rows.extend(general.into_iter().map(|text| {
        vec![
            "说明".to_string(),
            String::new(),
            String::new(),
            text.to_string(),
        ]
    }));
    rows
}

/// A drop-down list for a vocabulary column (strict for single choices, advisory for lists
/// and suggestions), or an input message for a free-text column with a hint.
fn validation(column: &Column) -> Result<Option<DataValidation>, XlsxError> {
    let base = match column.values {
        Values::Text if column.hint.is_empty() => return Ok(None),
        Values::Text => DataValidation::new().allow_any_value(),
        Values::One(list) => DataValidation::new()
            .allow_list_strings(&list())?
            .set_error_title("取值无效")?
            .set_error_message(format!("请从下拉列表中选择：{}", list().join("/")))?,
        Values::Many(list) | Values::Suggest(list) => DataValidation::new()
            .allow_list_strings(&list())?
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title("请核对")?
            .set_error_message(format!(
                "可填写列表以外的内容或多个取值（用“、”分隔）。常用取值：{}",
                list().join("/")
            ))?,
    };
    if column.hint.is_empty() {
        return Ok(Some(base));
    }
    Ok(Some(
        base.set_input_title(column.header)?
            .set_input_message(column.hint)?,
    ))
}

fn add_validations(sheet: &mut Worksheet, columns: &[Column]) -> Result<(), XlsxError> {
    for (col, column) in columns.iter().enumerate() {
        // A list too long for Excel's 255 characters just goes without a drop-down.
        let Ok(Some(rule)) = validation(column) else {
            continue;
        };
        let col = column_number(col)?;
        sheet.add_data_validation(1, col, LAST_VALIDATED_ROW - 1, col, &rule)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_with_a_vocabulary_gets_a_valid_rule() {
        for kind in SheetKind::ALL {
            for column in columns(*kind) {
                let rule = validation(column);
                assert!(rule.is_ok(), "{} {}: {:?}", kind, column.header, rule.err());
                let has_rule = matches!(rule, Ok(Some(_)));
                let wants = !matches!(column.values, Values::Text) || !column.hint.is_empty();
                assert_eq!(has_rule, wants, "{}", column.header);
            }
        }
    }

    #[test]
    fn notes_list_every_column_and_its_values() {
        let rows = note_rows(SheetKind::Entities);
        let permit = rows.iter().find(|r| r[0] == "排污许可管理类别").unwrap();
        assert_eq!(permit[1], "选填");
        assert_eq!(permit[2], "重点管理/简化管理/登记管理");
        let name = rows.iter().find(|r| r[0] == "名称").unwrap();
        assert_eq!(name[1], "必填");
        let types = rows.iter().find(|r| r[0] == "检查对象类型").unwrap();
        assert!(types[2].starts_with("排污单位/") && types[2].ends_with("（可多选，用“、”分隔）"));
    }

    #[test]
    fn templates_are_xlsx_only() {
        let err =
            write_template(SheetKind::Items, Path::new("模板.csv"), Overwrite::Refuse).unwrap_err();
        assert!(
            matches!(&err, SheetError::TemplateExtension(e) if e == ".csv"),
            "{err}"
        );
    }
}
