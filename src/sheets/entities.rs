//! The 监管对象 (entity) sheet: its columns, import and export.

use std::path::Path;

use crate::domain::entity::{EXCLUSION_REASONS, Entity, RIVERS, parse_registry_code};
use crate::domain::text::TextKind;
use crate::domain::uscc;
use crate::domain::vocab::{
    CreditTier, EiaClass, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};

use super::cells::{self, MANGLED, labels, month_labels, yes_no_labels};
use super::columns::{
    Column, RowCheck, RowParser, Seen, Values, headers, parse_all, parse_partial_sheet,
};
use super::write::write_records;
use super::{Parsed, Present, Problem, Row, SheetError, SheetKind, Table};

const NAME: usize = 0;
const USCC: usize = 1;
const REGISTRY: usize = 2;
const TOWN: usize = 3;
const ADDRESS: usize = 4;
const INDUSTRY: usize = 5;
const CONTACT: usize = 6;
const PHONE: usize = 7;
const TARGETS: usize = 8;
const PERMIT: usize = 9;
const KEY_LIST: usize = 10;
const GRADE: usize = 11;
const SUPERVISED: usize = 12;
const EXCEEDANCE: usize = 13;
const VIOLATION: usize = 14;
const POSITIVE: usize = 15;
const EIA: usize = 16;
const CREDIT: usize = 17;
const PRODUCTION: usize = 18;
const MONTHS: usize = 19;
const RIVERS_COL: usize = 20;
const OWNER: usize = 21;
const OWNER_USCC: usize = 22;
const EXCLUSION: usize = 23;
const NOTE: usize = 24;

fn rivers() -> Vec<&'static str> {
    RIVERS.to_vec()
}

fn exclusion_reasons() -> Vec<&'static str> {
    EXCLUSION_REASONS.to_vec()
}

/// The columns of the entity sheet, in order.
pub(crate) const COLUMNS: &[Column] = &[
    Column::new("名称", true, "单位全称")
        .for_new()
        .aliases(&["企业名称", "单位名称"])
        .kind(TextKind::Name)
        .identifier(),
    Column::new(
        "统一社会信用代码",
        false,
        "18位代码，请设为文本格式；与登记编码至少填一个",
    )
    .aliases(&["社会信用代码", "信用代码", "统一代码"])
    .identifier(),
    Column::new(
        "登记编码",
        false,
        "无统一社会信用代码的对象（如非道路移动机械）填写，只允许字母、数字和-",
    )
    .aliases(&["登记编号"])
    .identifier(),
    Column::new(
        "乡镇",
        true,
        "所在乡镇，须为乡镇名单中的名称，如 凤城镇、北留镇（settings towns 列出名单）",
    )
    .for_new()
    .aliases(&["所在乡镇"])
    .kind(TextKind::Name)
    .identifier(),
    Column::new("地址", false, "").kind(TextKind::Address),
    Column::new("行业", false, ""),
    Column::new("联系人", false, "").kind(TextKind::Name),
    Column::new("联系电话", false, "请设为文本格式").aliases(&["联系方式"]),
    Column::new("检查对象类型", true, "可填多个，用“、”分隔")
        .for_new()
        .aliases(&["检查对象"])
        .values(Values::Many(labels::<TargetType>)),
    Column::new("排污许可管理类别", false, "未发证的留空")
        .values(Values::One(labels::<PermitClass>)),
    Column::new(
        "重点排污单位名录",
        false,
        "是否列入重点排污单位名录，留空为否",
    )
    .aliases(&["重点排污单位"])
    .values(Values::One(yes_no_labels)),
    Column::new("重污染天气绩效分级", false, "留空为未分级")
        .aliases(&["绩效分级"])
        .values(Values::One(labels::<PerfGrade>)),
    Column::new("挂牌督办", false, "未被挂牌督办的留空").values(Values::One(labels::<Level>)),
    Column::new("超标通报", false, "未因超标被通报的留空").values(Values::One(labels::<Level>)),
    Column::new(
        "行政处罚或举报查实日期",
        false,
        "最近一次行政处罚或举报查实的日期，如 2026-03-01",
    )
    .aliases(&["行政处罚/举报查实日期"]),
    Column::new("监督执法正面清单", false, "留空为否")
        .aliases(&["正面清单"])
        .values(Values::One(yes_no_labels)),
    Column::new("环评类别", false, "可填多个，用“、”分隔").values(Values::Many(labels::<EiaClass>)),
    Column::new("信用风险等级", false, "未评定的留空").values(Values::One(labels::<CreditTier>)),
    Column::new("生产状态", false, "留空为正常").values(Values::One(labels::<ProductionStatus>)),
    Column::new(
        "生产月份",
        false,
        "季节性生产必填：如 1、2、3，或 11-3 表示11月至次年3月",
    )
    .values(Values::Many(month_labels)),
    Column::new(
        "入河排污口河流",
        false,
        "设有入河排污口的填写河流名称，可填多个",
    )
    .values(Values::Suggest(rivers))
    .identifier(),
    Column::new("所有人", false, "非道路移动机械的所有人")
        .kind(TextKind::Name)
        .identifier(),
    Column::new(
        "所有人统一社会信用代码",
        false,
        "所有人为单位的填写其18位代码，请设为文本格式；所有人为个人的留空",
    )
    .aliases(&["所有人社会信用代码", "所有人信用代码"])
    .identifier(),
    Column::new("不参与双随机原因", false, "参与双随机的留空")
        .values(Values::Suggest(exclusion_reasons)),
    Column::new("备注", false, "").kind(TextKind::Remark),
];

/// A code cell: a scientific-notation number is a mangled code; otherwise `parse` decides.
fn code(
    c: &mut RowCheck,
    col: usize,
    parse: impl FnOnce(&str) -> Result<String, String>,
) -> Option<String> {
    let text = c.text(col);
    if text.is_empty() {
        return None;
    }
    if cells::is_mangled_number(text) {
        c.fail(col, MANGLED);
        return None;
    }
    c.parse(col, parse)
}

fn optional_text(text: &str) -> Option<String> {
    (!cells::is_blank(text)).then(|| text.to_string())
}

const SEASONAL_NEEDS_MONTHS: &str = "生产状态为季节性时必须填写生产月份";

fn parse_row(c: &mut RowCheck, seen: &mut Seen) -> Entity {
    let name = c.required(NAME);
    let uscc = code(c, USCC, |t| uscc::parse(t).map_err(|e| e.to_string()));
    let registry_code = code(c, REGISTRY, parse_registry_code);
    let owner_uscc = code(c, OWNER_USCC, |t| uscc::parse(t).map_err(|e| e.to_string()));
    if c.text(USCC).is_empty() && c.text(REGISTRY).is_empty() {
        c.fail(USCC, "统一社会信用代码和登记编码不能都为空");
    }
    let town = c.required(TOWN);
    let phone = c.text(PHONE).to_string();
    if cells::is_mangled_number(&phone) {
        c.fail(PHONE, MANGLED);
    }
    let target_types = c.parse(TARGETS, cells::many).unwrap_or_default();
    if target_types.is_empty() && !c.failed(TARGETS) && c.has(TARGETS) {
        c.fail(TARGETS, "不能为空");
    }
    let production = c.parse(PRODUCTION, cells::one).flatten();
    let production_months = c.parse(MONTHS, cells::months).unwrap_or_default();
    // With either column absent, a re-import takes that field from the stored record, so
    // the rule is checked on the merged record ([`merged_entity_problems`]).
    if production == Some(ProductionStatus::Seasonal)
        && production_months.is_empty()
        && !c.failed(MONTHS)
        && c.has(PRODUCTION)
        && c.has(MONTHS)
    {
        c.fail(MONTHS, SEASONAL_NEEDS_MONTHS);
    }
    let entity = Entity {
        uscc,
        registry_code,
        name,
        town,
        address: c.text(ADDRESS).to_string(),
        industry: c.text(INDUSTRY).to_string(),
        contact: c.text(CONTACT).to_string(),
        phone,
        target_types,
        permit_class: c.parse(PERMIT, cells::one).flatten(),
        key_polluter_list: c
            .parse(KEY_LIST, |t| cells::yes_no(t, false))
            .unwrap_or(false),
        perf_grade: c
            .parse(GRADE, cells::one)
            .flatten()
            .unwrap_or(PerfGrade::Ungraded),
        supervised_listing: c.parse(SUPERVISED, cells::one).flatten(),
        exceedance_notice: c.parse(EXCEEDANCE, cells::one).flatten(),
        violation_date: c.parse(VIOLATION, cells::date).flatten(),
        positive_list: c
            .parse(POSITIVE, |t| cells::yes_no(t, false))
            .unwrap_or(false),
        eia_classes: c.parse(EIA, cells::many).unwrap_or_default(),
        credit_tier: c.parse(CREDIT, cells::one).flatten(),
        production: production.unwrap_or(ProductionStatus::Normal),
        production_months,
        outfall_rivers: cells::names(c.text(RIVERS_COL)),
        owner: c.text(OWNER).to_string(),
        owner_uscc,
        exclusion: optional_text(c.text(EXCLUSION)),
        note: c.text(NOTE).to_string(),
    };
    let id_column = if entity.uscc.is_some() {
        USCC
    } else {
        REGISTRY
    };
    if let Some(first) = seen.earlier(entity.id(), c.number()) {
        c.fail(id_column, format!("与第{first}行重复"));
    }
    entity
}

/// Checks every row of a 监管对象 sheet: the entities with their row numbers, or every
/// problem of every row (a repeated 统一社会信用代码/登记编码 is reported on the later row).
pub fn parse_entities(table: &Table) -> Result<Vec<(usize, Entity)>, Vec<Problem>> {
    parse_all(table, COLUMNS, parse_row)
}

/// Like [`parse_entities`], also telling which columns the file has (for a re-import that
/// leaves the fields of absent columns unchanged). 名称, 乡镇 and 检查对象类型 may be absent
/// here: such a sheet can only update stored entities ([`missing_for_new`]).
pub fn parse_entity_sheet(table: &Table) -> Result<Parsed<Entity>, Vec<Problem>> {
    parse_partial_sheet(table, COLUMNS, parse_row)
}

/// The rows of an entity sheet parsed one at a time as they are read (a streamed import),
/// with the same checks as [`parse_entity_sheet`].
pub struct EntityRows(RowParser<'static>);

impl EntityRows {
    /// Locates the columns of a header (header problems when it does not fit).
    pub fn new(headers: &[String], header_row: usize) -> Result<EntityRows, Vec<Problem>> {
        RowParser::new(headers, header_row, COLUMNS, true).map(EntityRows)
    }

    /// The columns the header has.
    pub fn present(&self) -> Present {
        self.0.present()
    }

    /// Forgets the ids seen (once every row is read).
    pub fn forget_ids(&mut self) {
        self.0.forget_ids();
    }

    /// One row: its entity, or every problem found in it (a repeated code on a later row
    /// than its first).
    pub fn parse(&mut self, row: &Row) -> Result<Entity, Vec<Problem>> {
        self.0.parse(row, parse_row)
    }
}

/// Whether a sheet with these columns may add entities: it has every column a new entity
/// needs ([`missing_for_new`] names them otherwise).
pub fn may_add(present: &Present) -> bool {
    COLUMNS
        .iter()
        .enumerate()
        .all(|(col, c)| !c.for_new || present.has(col))
}

/// The columns a new entity needs that the sheet lacks, as header problems naming the rows
/// that are new (`new_rows`, not among the stored entities); none when no row is new.
pub fn missing_for_new(present: &Present, header_row: usize, new_rows: &[usize]) -> Vec<Problem> {
    if new_rows.is_empty() {
        return Vec::new();
    }
    let rows = new_rows
        .iter()
        .take(5)
        .map(|r| format!("第{r}行"))
        .collect::<Vec<_>>()
        .join("、");
    let more = if new_rows.len() > 5 { "等" } else { "" };
    COLUMNS
        .iter()
        .enumerate()
        .filter(|(col, c)| c.for_new && !present.has(*col))
        .map(|(_, c)| {
            Problem::new(
                header_row.max(1),
                "表头",
                format!(
                    "缺少必填列“{}”：{rows}{more}是新对象（库中没有该代码），须填写；只更新已有对象的表可以不带此列",
                    c.header
                ),
            )
        })
        .collect()
}

/// Re-importing over a stored entity: every field whose column the file lacks keeps its
/// stored value. A column that is present, even with an empty cell, is taken as written.
pub fn keep_absent_entity_fields(present: &Present, incoming: &mut Entity, stored: &Entity) {
    keep_absent!(
        present,
        incoming,
        stored,
        NAME => name,
        USCC => uscc,
        REGISTRY => registry_code,
        TOWN => town,
        ADDRESS => address,
        INDUSTRY => industry,
        CONTACT => contact,
        PHONE => phone,
        TARGETS => target_types,
        PERMIT => permit_class,
        KEY_LIST => key_polluter_list,
        GRADE => perf_grade,
        SUPERVISED => supervised_listing,
        EXCEEDANCE => exceedance_notice,
        VIOLATION => violation_date,
        POSITIVE => positive_list,
        EIA => eia_classes,
        CREDIT => credit_tier,
        PRODUCTION => production,
        MONTHS => production_months,
        RIVERS_COL => outfall_rivers,
        OWNER => owner,
        OWNER_USCC => owner_uscc,
        EXCLUSION => exclusion,
        NOTE => note,
    );
}

/// The rules across columns that a row alone could not check because a column was absent,
/// checked on the record as it will be stored (row `row`).
pub fn merged_entity_problems(row: usize, e: &Entity) -> Vec<Problem> {
    let mut out = Vec::new();
    if e.production == ProductionStatus::Seasonal && e.production_months.is_empty() {
        out.push(Problem::new(
            row,
            COLUMNS[MONTHS].header,
            SEASONAL_NEEDS_MONTHS,
        ));
    }
    out
}

/// The cells of an entity, in column order (the inverse of the import).
pub(crate) fn entity_cells(e: &Entity) -> Vec<String> {
    vec![
        e.name.clone(),
        e.uscc.clone().unwrap_or_default(),
        e.registry_code.clone().unwrap_or_default(),
        e.town.clone(),
        e.address.clone(),
        e.industry.clone(),
        e.contact.clone(),
        e.phone.clone(),
        cells::many_text(&e.target_types),
        cells::one_text(e.permit_class),
        cells::yes_no_text(e.key_polluter_list),
        e.perf_grade.label().to_string(),
        cells::one_text(e.supervised_listing),
        cells::one_text(e.exceedance_notice),
        cells::date_text(e.violation_date),
        cells::yes_no_text(e.positive_list),
        cells::many_text(&e.eia_classes),
        cells::one_text(e.credit_tier),
        e.production.label().to_string(),
        cells::months_text(&e.production_months),
        crate::domain::vocab::join_list(&e.outfall_rivers),
        e.owner.clone(),
        e.owner_uscc.clone().unwrap_or_default(),
        e.exclusion.clone().unwrap_or_default(),
        e.note.clone(),
    ]
}

/// The entities as a table laid out like the export.
pub(crate) fn entity_table(entities: &[Entity]) -> Table {
    Table {
        header_row: 1,
        headers: headers(COLUMNS),
        rows: entities
            .iter()
            .enumerate()
            .map(|(i, e)| Row {
                number: i + 2,
                cells: entity_cells(e),
            })
            .collect(),
    }
}

/// Writes entities to .xlsx (worksheet 监管对象), .csv (UTF-8 with BOM) or .json.
pub fn write_entities(
    path: &Path,
    entities: &[Entity],
    overwrite: super::Overwrite,
) -> Result<(), SheetError> {
    write_records(
        path,
        SheetKind::Entities,
        COLUMNS,
        entities,
        entity_cells,
        overwrite,
    )
}

/// Reads a .json export of entities back, checking each record like a sheet row.
pub fn read_entities_json(path: &Path) -> Result<Vec<Entity>, SheetError> {
    let entities: Vec<Entity> = super::write::read_json(path)?;
    super::write::recheck(parse_entities(&entity_table(&entities)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> String {
        uscc::complete(body).unwrap()
    }

    fn table(rows: &[&[&str]]) -> Table {
        crate::sheets::columns::table_of(COLUMNS, rows)
    }

    #[test]
    fn the_layout_constants_point_at_their_columns() {
        let named = [
            (NAME, "名称"),
            (USCC, "统一社会信用代码"),
            (REGISTRY, "登记编码"),
            (TOWN, "乡镇"),
            (PHONE, "联系电话"),
            (TARGETS, "检查对象类型"),
            (PERMIT, "排污许可管理类别"),
            (VIOLATION, "行政处罚或举报查实日期"),
            (MONTHS, "生产月份"),
            (RIVERS_COL, "入河排污口河流"),
            (OWNER, "所有人"),
            (OWNER_USCC, "所有人统一社会信用代码"),
            (EXCLUSION, "不参与双随机原因"),
            (NOTE, "备注"),
        ];
        for (col, header) in named {
            assert_eq!(COLUMNS[col].header, header);
        }
        assert_eq!(COLUMNS.len(), 25);
    }

    #[test]
    fn a_full_entity_survives_its_cells() {
        let mut e = Entity::named("阳城县某某煤业有限公司", &code("91140522MA0K12345"));
        e.registry_code = Some("FDL-0001".into());
        e.town = "町店镇".into();
        e.phone = "0356-4221234".into();
        e.note = "第一行\n第二行，含“引号”".into();
        e.target_types.insert(TargetType::SolidWaste);
        e.permit_class = Some(PermitClass::Key);
        e.key_polluter_list = true;
        e.perf_grade = PerfGrade::B;
        e.supervised_listing = Some(Level::City);
        e.violation_date = chrono::NaiveDate::from_ymd_opt(2025, 11, 3);
        e.eia_classes.insert(EiaClass::ReportBook);
        e.credit_tier = Some(CreditTier::High);
        e.production = ProductionStatus::Seasonal;
        e.production_months = [11, 12, 1].into();
        e.outfall_rivers.insert("沁河".into());
        e.exclusion = Some("长期停产".into());
        e.owner = "阳城县某某运输有限公司".into();
        e.owner_uscc = Some(code("91140522MA0K54321"));
        let parsed = parse_entities(&entity_table(std::slice::from_ref(&e))).unwrap();
        assert_eq!(parsed, vec![(2, e)]);
    }

    #[test]
    fn an_owners_uscc_is_normalised_and_checked() {
        let good = code("91140522MA0K54321");
        let wide: String = good
            .to_lowercase()
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                _ => c,
            })
            .collect();
        let row = |owner_uscc: &str| {
            let mut cells = vec![""; COLUMNS.len()];
            cells[NAME] = "装载机";
            cells[REGISTRY] = "FDL-1";
            cells[TOWN] = "町店镇";
            cells[TARGETS] = "非道路移动机械";
            cells[OWNER] = "阳城县某某运输有限公司";
            cells[OWNER_USCC] = owner_uscc;
            parse_entities(&table(&[&cells]))
        };
        let (_, e) = row(&wide).unwrap().remove(0);
        assert_eq!(e.owner_uscc.as_deref(), Some(good.as_str()));
        assert_eq!(row("").unwrap()[0].1.owner_uscc, None);
        let bad = format!("{}0", &good[..17]);
        let bad = if bad == good {
            format!("{}1", &good[..17])
        } else {
            bad
        };
        for (cell, reason) in [
            (bad.as_str(), "校验位错误"),
            ("91140522", "长度应为18位，实为8位"),
            ("9.11405E+17", MANGLED),
        ] {
            let got: Vec<String> = row(cell)
                .unwrap_err()
                .iter()
                .map(|p| p.to_string())
                .collect();
            assert_eq!(
                got,
                vec![format!("第2行 所有人统一社会信用代码 “{cell}” {reason}")]
            );
        }
    }

    #[test]
    fn defaults_for_empty_cells() {
        let t = table(&[&["甲", "", "fdl-9", "町店镇", "", "", "", "", "排污单位"]]);
        let (_, e) = parse_entities(&t).unwrap().remove(0);
        assert_eq!(e.registry_code.as_deref(), Some("FDL-9"));
        assert_eq!(e.uscc, None);
        assert_eq!(e.perf_grade, PerfGrade::Ungraded);
        assert_eq!(e.production, ProductionStatus::Normal);
        assert_eq!((e.credit_tier, e.exclusion), (None, None));
        assert!(!e.key_polluter_list && !e.positive_list);
    }

    #[test]
    fn every_bad_row_is_reported() {
        let good = code("91140522MA0K12345");
        let t = table(&[
            &["甲", "", "", "町店镇", "", "", "", "", "排污单位"],
            &["乙", "9.13501E+17", "", "町店镇", "", "", "", "", "工厂"],
            &["丙", &good, "", "", "", "", "", "", "排污单位"],
            &["丁", &good, "", "町店镇", "", "", "", "", "排污单位"],
        ]);
        let got: Vec<String> = parse_entities(&t)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            got,
            vec![
                "第2行 统一社会信用代码 统一社会信用代码和登记编码不能都为空",
                "第3行 统一社会信用代码 “9.13501E+17” 应为文本格式（Excel 已将其变为数字）",
                "第3行 检查对象类型 “工厂”不是有效取值（排污单位/核与辐射利用单位/机动车排放检验机构/非道路移动机械/设有入河排污口的单位/城镇污水处理厂/涉固体废物和危险废物单位）",
                "第4行 乡镇 不能为空",
                "第5行 统一社会信用代码 “91140522MA0K12345F” 与第4行重复",
            ]
        );
    }

    #[test]
    fn a_missing_required_column_is_one_problem_on_row_one() {
        let t = Table {
            header_row: 1,
            headers: vec!["企业名称".into(), "统一社会信用代码".into(), "乡镇".into()],
            rows: vec![],
        };
        let got = parse_entities(&t).unwrap_err();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].to_string(), "第1行 表头 缺少必填列“检查对象类型”");
    }

    #[test]
    fn absent_columns_keep_stored_fields_and_empty_cells_clear_them() {
        let id = code("91140522MA0K12345");
        let mut stored = Entity::named("旧名", &id);
        stored.town = "町店镇".into();
        stored.address = "旧地址".into();
        stored.industry = "煤炭开采".into();
        stored.permit_class = Some(PermitClass::Key);
        stored.perf_grade = PerfGrade::B;
        stored.owner = "某某公司".into();
        stored.owner_uscc = Some(code("91140522MA0K54321"));
        let t = Table {
            header_row: 1,
            headers: vec![
                "名称".into(),
                "统一社会信用代码".into(),
                "乡镇".into(),
                "检查对象类型".into(),
                "行业".into(),
            ],
            rows: vec![Row {
                number: 2,
                cells: vec![
                    "新名".into(),
                    id.clone(),
                    "北留镇".into(),
                    "排污单位".into(),
                    "".into(),
                ],
            }],
        };
        let parsed = parse_entity_sheet(&t).unwrap();
        assert!(!parsed.present.is_all());
        let mut e = parsed.rows[0].1.clone();
        keep_absent_entity_fields(&parsed.present, &mut e, &stored);
        assert_eq!((e.name.as_str(), e.town.as_str()), ("新名", "北留镇"));
        assert_eq!(e.address, "旧地址", "absent: kept");
        assert_eq!(e.industry, "", "present but empty: cleared");
        assert_eq!(e.permit_class, Some(PermitClass::Key));
        assert_eq!(e.perf_grade, PerfGrade::B);
        assert_eq!(
            (e.owner.as_str(), e.owner_uscc.as_deref()),
            ("某某公司", stored.owner_uscc.as_deref()),
            "absent: the owner and the owner's USCC kept"
        );
        let mut whole = parsed.rows[0].1.clone();
        keep_absent_entity_fields(&Present::all(), &mut whole, &stored);
        assert_eq!(whole.address, "", "a whole record replaces");
    }

    #[test]
    fn seasonal_without_a_months_column_is_checked_after_merging() {
        let id = code("91140522MA0K12345");
        let t = Table {
            header_row: 1,
            headers: vec![
                "名称".into(),
                "统一社会信用代码".into(),
                "乡镇".into(),
                "检查对象类型".into(),
                "生产状态".into(),
            ],
            rows: vec![Row {
                number: 2,
                cells: vec![
                    "甲".into(),
                    id,
                    "町店镇".into(),
                    "排污单位".into(),
                    "季节性".into(),
                ],
            }],
        };
        let parsed = parse_entity_sheet(&t).unwrap();
        let e = &parsed.rows[0].1;
        assert_eq!(e.production, ProductionStatus::Seasonal);
        let got = merged_entity_problems(2, e);
        assert_eq!(
            got[0].to_string(),
            "第2行 生产月份 生产状态为季节性时必须填写生产月份"
        );
        let mut with_months = e.clone();
        with_months.production_months = [11, 12].into();
        assert!(merged_entity_problems(2, &with_months).is_empty());
    }
}
