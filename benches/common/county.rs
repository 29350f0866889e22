//! The generated county the benches share: valid USCCs and a 100,000-row entity CSV.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use shuangsuiji::domain::uscc;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
pub const TOWNS: &[&str] = &[
    "凤城镇",
    "北留镇",
    "润城镇",
    "町店镇",
    "芹池镇",
    "次营镇",
    "横河镇",
];
const PERMITS: &[&str] = &["重点管理", "简化管理", "登记管理", ""];
const TIERS: &[&str] = &["低风险", "一般风险", "较高风险", "高风险", ""];

/// A valid USCC for entity number `i`.
pub fn code(i: usize) -> String {
    let mut body = String::from("91140522");
    let mut n = i;
    for _ in 0..9 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    uscc::complete(&body).expect("body is in the alphabet")
}

/// `n` polluters spread over the towns, permit classes and tiers.
pub fn write_csv(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all("\u{feff}名称,统一社会信用代码,乡镇,地址,行业,检查对象类型,排污许可管理类别,信用风险等级,环评类别\n".as_bytes())
        .unwrap();
    for i in 0..n {
        writeln!(
            f,
            "阳城县第{i}号示例企业有限公司,{},{},阳城县{}某村{}号,制造业,排污单位,{},{},报告表",
            code(i),
            TOWNS[i % TOWNS.len()],
            TOWNS[i % TOWNS.len()],
            i % 500,
            PERMITS[i % PERMITS.len()],
            TIERS[i % TIERS.len()],
        )
        .unwrap();
    }
}

/// A connection for measuring SQLite's floor for a write: `db` with the program's journal
/// mode and durability (WAL, `synchronous = NORMAL`), `other` attached as `alias` to copy rows
/// from, and a page cache of `cache_kib` KiB (the one the program gives the same write).
pub fn floor_connection(
    db: &Path,
    other: &Path,
    alias: &str,
    cache_kib: i64,
) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .unwrap();
    conn.execute(
        &format!("ATTACH DATABASE ?1 AS {alias}"),
        [other.display().to_string()],
    )
    .unwrap();
    conn.pragma_update(None, "cache_size", -cache_kib).unwrap();
    conn
}

/// The `<table>_no_replace` guards of `tables` (those the program's bulk writes set aside
/// while they write those tables by plain inserts, see `store::binding::Bulk`): the SQL that
/// drops them and the SQL that creates them again, for a floor that keeps the same triggers
/// as the program's own write.
pub fn guards_set_aside(conn: &rusqlite::Connection, tables: &[&str]) -> (String, String) {
    let (mut drop, mut create) = (String::new(), String::new());
    for t in tables {
        let name = format!("{t}_no_replace");
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = ?1",
                [&name],
                |r| r.get(0),
            )
            .ok();
        if let Some(sql) = sql {
            drop.push_str(&format!("DROP TRIGGER main.{name};\n"));
            create.push_str(&sql);
            create.push_str(";\n");
        }
    }
    (drop, create)
}
