//! Exports read back exactly: write → read → parse gives the same records, in order.

use std::collections::HashSet;
use std::path::Path;

use calamine::Reader;
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use shuangsuiji::domain::entity::{EXCLUSION_REASONS, Entity};
use shuangsuiji::domain::inspector::{BUREAU, Conflict, Inspector, Leave};
use shuangsuiji::domain::vocab::{
    CreditTier, EiaClass, Expertise, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};
use shuangsuiji::sheets::{
    SheetError, builtin_check_items, parse_check_items, parse_entities, parse_inspectors,
    read_entities_json, read_inspectors_json, read_table, write_check_items, write_entities,
    write_inspectors,
};

use super::common::code;
use shuangsuiji::sheets::Overwrite;

fn entities_back(path: &Path) -> Vec<Entity> {
    if path.extension().is_some_and(|e| e == "json") {
        return read_entities_json(path).unwrap();
    }
    let rows = parse_entities(&read_table(path).unwrap()).unwrap_or_else(|p| panic!("{p:?}"));
    rows.into_iter().map(|(_, e)| e).collect()
}

fn inspectors_back(path: &Path) -> Vec<Inspector> {
    if path.extension().is_some_and(|e| e == "json") {
        return read_inspectors_json(path).unwrap();
    }
    let rows = parse_inspectors(&read_table(path).unwrap()).unwrap_or_else(|p| panic!("{p:?}"));
    rows.into_iter().map(|(_, i)| i).collect()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn entity_fixtures() -> Vec<Entity> {
    let mut a = Entity::named("阳城县“晋阳”焦化有限公司, 二厂", &code("91140522MA0K12345"));
    a.town = "町店镇".into();
    a.address = "町店镇张庄村\n（原化肥厂东侧）".into();
    a.phone = "0356-4221234".into();
    a.target_types.insert(TargetType::RiverOutfall);
    a.permit_class = Some(PermitClass::Key);
    a.key_polluter_list = true;
    a.perf_grade = PerfGrade::Leading;
    a.supervised_listing = Some(Level::Province);
    a.exceedance_notice = Some(Level::City);
    a.violation_date = Some(day(2025, 11, 3));
    a.eia_classes = [EiaClass::ReportBook, EiaClass::ReportForm].into();
    a.credit_tier = Some(CreditTier::Normal);
    a.production = ProductionStatus::Seasonal;
    a.production_months = [11, 12, 1, 2, 3].into();
    a.outfall_rivers = ["沁河".to_string(), "芦苇河".to_string()].into();
    a.note = "备注含\"英文引号\"和，逗号".into();
    let mut b = Entity::named("装载机", "");
    b.uscc = None;
    b.registry_code = Some("YCFDL-0007".into());
    b.town = "北留镇".into();
    b.target_types = [TargetType::NonRoadMachine].into();
    b.owner = "张某".into();
    b.owner_uscc = Some(code("92140522MA0K00007"));
    b.positive_list = true;
    b.production = ProductionStatus::Closed;
    b.exclusion = Some("注销".into());
    vec![a, b]
}

fn inspector_fixtures() -> Vec<Inspector> {
    let a = Inspector {
        code: "YC-001".into(),
        name: "张三".into(),
        cert_no: "14052200001".into(),
        cert_expiry: Some(day(2027, 12, 31)),
        department: BUREAU.into(),
        unit: "执法大队".into(),
        expertise: [Expertise::Air, Expertise::Water].into(),
        areas: ["町店镇".to_string(), "北留镇".to_string()].into(),
        on_duty: true,
        phone: "13800000000".into(),
        leaves: vec![
            Leave {
                from: day(2026, 3, 1),
                to: day(2026, 3, 10),
                reason: "病假".into(),
            },
            Leave {
                from: day(2026, 7, 1),
                to: day(2026, 7, 1),
                reason: String::new(),
            },
        ],
        conflicts: vec![
            Conflict {
                entity: code("91140522MA0K12345"),
                reason: "亲属任职".into(),
            },
            Conflict {
                entity: "YCFDL-0007".into(),
                reason: "曾任职".into(),
            },
        ],
    };
    let b = Inspector {
        code: "SL-01".into(),
        name: "李四".into(),
        cert_no: String::new(),
        cert_expiry: None,
        department: "阳城县水利局".into(),
        unit: String::new(),
        expertise: [Expertise::Water].into(),
        areas: Default::default(),
        on_duty: false,
        phone: String::new(),
        leaves: vec![],
        conflicts: vec![],
    };
    vec![a, b]
}

/// `list` written as .xlsx, .csv and .json (`name.ext`) with `write` reads back the same
/// through `back`.
fn round_trip<T: PartialEq + std::fmt::Debug, E: std::fmt::Debug>(
    name: &str,
    list: &[T],
    write: impl Fn(&Path, &[T]) -> Result<(), E>,
    back: impl Fn(&Path) -> Vec<T>,
) {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["xlsx", "csv", "json"] {
        let path = dir.path().join(format!("{name}.{ext}"));
        write(&path, list).unwrap();
        assert_eq!(back(&path), list, "{ext}");
    }
}

#[test]
fn entities_round_trip_through_xlsx_csv_and_json() {
    round_trip(
        "监管对象",
        &entity_fixtures(),
        |p, l| write_entities(p, l, Overwrite::Refuse),
        entities_back,
    );
}

#[test]
fn inspectors_round_trip_through_xlsx_csv_and_json() {
    round_trip(
        "执法人员",
        &inspector_fixtures(),
        |p, l| write_inspectors(p, l, Overwrite::Refuse),
        inspectors_back,
    );
}

#[test]
fn check_items_round_trip_through_xlsx_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let items = builtin_check_items();
    for ext in ["xlsx", "csv"] {
        let path = dir.path().join(format!("抽查事项.{ext}"));
        write_check_items(&path, &items, Overwrite::Refuse).unwrap();
        let back = parse_check_items(&read_table(&path).unwrap()).unwrap();
        assert_eq!(
            back.into_iter().map(|(_, i)| i).collect::<Vec<_>>(),
            items,
            "{ext}"
        );
    }
}

#[test]
fn exports_look_right_to_excel() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("导出.csv");
    write_entities(&csv, &entity_fixtures(), Overwrite::Refuse).unwrap();
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("名称,统一社会信用代码,登记编码,乡镇,地址,"),
        "{text}"
    );
    assert!(text.contains("\r\n"));
    let xlsx = dir.path().join("导出.xlsx");
    write_inspectors(&xlsx, &inspector_fixtures(), Overwrite::Refuse).unwrap();
    let book = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), vec!["执法人员"]);
    let err = write_entities(&dir.path().join("导出.txt"), &[], Overwrite::Refuse).unwrap_err();
    assert!(
        matches!(err, SheetError::UnknownExtension(ref e) if e == ".txt"),
        "{err}"
    );
}

#[test]
fn a_json_export_with_an_invalid_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("改过.json");
    let mut list = entity_fixtures();
    list[1].registry_code = Some("晋E-01".into());
    std::fs::write(&path, serde_json::to_string(&list).unwrap()).unwrap();
    let err = read_entities_json(&path).unwrap_err().to_string();
    assert_eq!(
        err,
        "JSON 文件出错：第2条 登记编码 “晋E-01” 登记编码含有不允许的字符“晋”（只允许字母、数字和-）"
    );
    std::fs::write(&path, "[{").unwrap();
    assert!(matches!(
        read_entities_json(&path),
        Err(SheetError::Json(_))
    ));
}

fn text() -> impl Strategy<Value = String> {
    "[甲乙丙丁阳城县煤业有限公司，,\"“”'\n a-z0-9（）()、;；]{0,12}"
        .prop_map(|s| s.trim().to_string())
}

fn filled() -> impl Strategy<Value = String> {
    text().prop_filter("not empty", |s| !s.is_empty())
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2035, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| day(y, m, d))
}

fn ids() -> impl Strategy<Value = (Option<String>, Option<String>)> {
    let uscc = "[0-9A-HJ-NP-RTUW-Y]{17}".prop_map(|b| code(&b));
    let registry = "[A-Z]{2,4}-[0-9]{1,6}";
    prop_oneof![
        (uscc.prop_map(Some), proptest::option::of(registry)),
        registry.prop_map(|r| (None, Some(r))),
    ]
}

fn entity() -> impl Strategy<Value = Entity> {
    let texts = (
        filled(),
        filled(),
        text(),
        text(),
        text(),
        "[0-9-]{0,13}",
        text(),
        text(),
    );
    let vocab = (
        subsequence(TargetType::ALL, 1..=7),
        proptest::option::of(select(PermitClass::ALL)),
        select(PerfGrade::ALL),
        proptest::option::of(select(Level::ALL)),
        proptest::option::of(select(Level::ALL)),
        proptest::option::of(date()),
        subsequence(EiaClass::ALL, 0..=3),
        proptest::option::of(select(CreditTier::ALL)),
        any::<(bool, bool)>(),
    );
    let exclusion = prop_oneof![select(EXCLUSION_REASONS).prop_map(String::from), filled()];
    let production = (
        select(ProductionStatus::ALL),
        subsequence((1u8..=12).collect::<Vec<_>>(), 0..=12),
        subsequence(vec!["沁河", "芦苇河", "获泽河"], 0..=3),
        proptest::option::of(exclusion),
    );
    let owner_uscc = proptest::option::of("[0-9A-HJ-NP-RTUW-Y]{17}".prop_map(|b| code(&b)));
    (ids(), texts, vocab, production, owner_uscc).prop_map(|(ids, t, v, p, owner_uscc)| {
        let mut e = Entity::named(&t.0, "");
        (e.uscc, e.registry_code) = ids;
        e.owner_uscc = owner_uscc;
        (e.town, e.address, e.industry, e.contact) = (t.1, t.2, t.3, t.4);
        (e.phone, e.owner, e.note) = (t.5, t.6, t.7);
        e.target_types = v.0.into_iter().collect();
        (e.permit_class, e.perf_grade) = (v.1, v.2);
        (e.supervised_listing, e.exceedance_notice, e.violation_date) = (v.3, v.4, v.5);
        (e.eia_classes, e.credit_tier) = (v.6.into_iter().collect(), v.7);
        (e.key_polluter_list, e.positive_list) = v.8;
        e.production = p.0;
        e.production_months = p.1.into_iter().collect();
        if e.production == ProductionStatus::Seasonal && e.production_months.is_empty() {
            e.production_months.insert(6);
        }
        e.outfall_rivers = p.2.into_iter().map(String::from).collect();
        e.exclusion = p.3;
        e
    })
}

fn inspector() -> impl Strategy<Value = Inspector> {
    let leave =
        (date(), 0u64..40, select(vec!["", "病假", "年休假 外出"])).prop_map(|(from, n, why)| {
            Leave {
                from,
                to: from + chrono::Days::new(n),
                reason: why.to_string(),
            }
        });
    let conflict = (ids(), select(vec!["亲属任职", "曾任职"])).prop_map(|((u, r), why)| Conflict {
        entity: u.or(r).unwrap_or_default(),
        reason: why.to_string(),
    });
    let fields = (
        "[A-Z]{2}-[0-9]{3}",
        filled(),
        "[0-9]{0,12}",
        proptest::option::of(date()),
    );
    let more = (
        filled(),
        text(),
        subsequence(Expertise::ALL, 0..=8),
        any::<bool>(),
        "[0-9]{0,11}",
    );
    let lists = (
        subsequence(vec!["町店镇", "北留镇", "凤城镇"], 0..=3),
        proptest::collection::vec(leave, 0..3),
        proptest::collection::vec(conflict, 0..3),
    );
    (fields, more, lists).prop_map(|(f, m, l)| {
        let (mut leaves, mut conflicts) = (l.1, l.2);
        leaves.sort();
        conflicts.sort();
        Inspector {
            code: f.0,
            name: f.1,
            cert_no: f.2,
            cert_expiry: f.3,
            department: m.0,
            unit: m.1,
            expertise: m.2.into_iter().collect(),
            areas: l.0.into_iter().map(String::from).collect(),
            on_duty: m.3,
            phone: m.4,
            leaves,
            conflicts,
        }
    })
}

fn unique<T>(list: Vec<T>, id: impl Fn(&T) -> String) -> Vec<T> {
    let mut seen = HashSet::new();
    list.into_iter().filter(|x| seen.insert(id(x))).collect()
}

proptest! {
    #![proptest_config(crate::proptest_config(40))]

    #[test]
    fn any_entities_round_trip_through_csv_and_xlsx(list in proptest::collection::vec(entity(), 0..6)) {
        let list = unique(list, |e| e.id().to_string());
        let dir = tempfile::tempdir().unwrap();
        for ext in ["csv", "xlsx", "json"] {
            let path = dir.path().join(format!("e.{ext}"));
            write_entities(&path, &list, Overwrite::Refuse).unwrap();
            prop_assert_eq!(&entities_back(&path), &list, "{}", ext);
        }
    }

    #[test]
    fn any_inspectors_round_trip_through_csv_and_xlsx(list in proptest::collection::vec(inspector(), 0..5)) {
        let list = unique(list, |i| i.code.clone());
        let dir = tempfile::tempdir().unwrap();
        for ext in ["csv", "xlsx"] {
            let path = dir.path().join(format!("i.{ext}"));
            write_inspectors(&path, &list, Overwrite::Refuse).unwrap();
            prop_assert_eq!(&inspectors_back(&path), &list, "{}", ext);
        }
    }
}
