//! The county the draw benches share (benches/draw.rs and benches/draw_scale.rs): the shape
//! of the 32,000 visits at 100,000 entities, 40 officers, the year's seed plans.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use shuangsuiji::domain::inspector::BUREAU;
use shuangsuiji::domain::role::Role;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{OpenOptions, Session, identity, init};

use super::county::{TOWNS, code};

const PERMITS: &[&str] = &["重点管理", "简化管理", "登记管理", "", "", ""];
const TIERS: &[&str] = &["低风险", "一般风险", "较高风险", "高风险", "", "低风险", ""];
const EIA: &[&str] = &["报告表", "登记表", "报告书", "", "报告表、登记表"];

/// Target types and outfall river of entity `i` (the 32,000 visits at 100k): mostly
/// polluters, some with outfalls, solid-waste, radiation, sewage, vehicle-testing units and machines.
pub fn kind(i: usize) -> (&'static str, &'static str) {
    match i % 200 {
        0..=9 => ("排污单位、设有入河排污口的单位", ["沁河", "芦苇河"][i % 2]),
        10..=13 => ("排污单位、涉固体废物和危险废物单位", ""),
        14 => ("核与辐射利用单位", ""),
        15 if i % 1000 == 15 => ("城镇污水处理厂", ""),
        16 if i % 1000 == 16 => ("机动车排放检验机构", ""),
        17..=18 => ("非道路移动机械", ""),
        _ => ("排污单位", ""),
    }
}

/// `n` entities of that shape as a CSV; their codes, in order.
pub fn write_entities(path: &Path, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别,重点排污单位名录,入河排污口河流\n".as_bytes())
        .unwrap();
    for i in 0..n {
        let (types, river) = kind(i);
        let town = TOWNS[i % TOWNS.len()];
        let id = code(i);
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{id},{town},阳城县{town}某村{}号,制造业,{types},{},{},{},{},{river}",
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
            EIA[i % EIA.len()],
            if i % 37 == 0 { "是" } else { "" },
        )
        .unwrap();
        ids.push(id);
    }
    ids
}

/// 40 officers: 32 of the bureau, 4 of 水利局, 4 of 住建局.
pub fn write_inspectors(path: &Path) {
    const FIELDS: &[&str] = &[
        "大气、固废",
        "水",
        "固废、辐射",
        "机动车、大气",
        "辐射、水",
        "综合",
        "大气、水、机动车",
        "固废",
    ];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(
        "人员编号,姓名,执法证号,执法证有效期至,所属部门,股室/大队,专业,负责片区,在岗\n".as_bytes(),
    )
    .unwrap();
    for n in 0..40 {
        let (department, unit, fields) = match n {
            0..32 => (BUREAU, "执法大队", FIELDS[n % FIELDS.len()]),
            32..36 => ("水利局", "河道管理中心", "水"),
            _ => ("住建局", "城建股", "水"),
        };
        let areas = format!(
            "{}、{}",
            TOWNS[n % TOWNS.len()],
            TOWNS[(n + 3) % TOWNS.len()]
        );
        writeln!(
            f,
            "YC-{n:03},执法人员{n},140522{n:05},2035-12-31,{department},{unit},{fields},{areas},是"
        )
        .unwrap();
    }
}

/// A production county of `n` entities and 40 inspectors with the year's seed plans; the
/// operating-system user is its admin and lead. Returns the entity ids.
pub fn template(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let db = dir.join(format!("template-{n}.db"));
    let me = identity::os_login().unwrap();
    let today = shuangsuiji::services::china_today();
    init::init_empty(&db, &me, today).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    s.change_user(&me, UserChange::Grant(Role::Lead)).unwrap();
    let mut s = Session::open(&db, &OpenOptions::default()).unwrap();
    if s.list_plans(Some(today.year())).unwrap().is_empty() {
        s.create_seed_plans(today.year()).unwrap();
    }
    let csv = dir.join(format!("entities-{n}.csv"));
    let ids = write_entities(&csv, n);
    let added = s
        .import_entities(&csv, false, &mut |_, _| {})
        .unwrap()
        .added;
    assert_eq!(added, n);
    std::fs::remove_file(&csv).ok();
    let inspectors = dir.join("inspectors.csv");
    write_inspectors(&inspectors);
    assert_eq!(s.import_inspectors(&inspectors, false).unwrap().added, 40);
    drop(s);
    (db, ids)
}

pub fn copy_database(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut a = from.as_os_str().to_owned();
        a.push(suffix);
        let mut b = to.as_os_str().to_owned();
        b.push(suffix);
        let _ = std::fs::remove_file(&b);
        if Path::new(&a).exists() {
            std::fs::copy(&a, &b).unwrap();
        }
    }
}

pub fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
