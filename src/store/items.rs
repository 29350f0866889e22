//! The check-item list table (抽查事项清单).

use rusqlite::{Connection, params};

use super::{Result, StoreError};
use crate::domain::check_item::CheckItem;
use crate::domain::vocab::TargetType;

/// Inserts or replaces a check item by code; true when something changed.
pub fn put(conn: &Connection, item: &CheckItem) -> Result<bool> {
    let changed = conn.execute(
        "INSERT INTO check_items (code, category_no, category, item, target_type, item_class, method, body, legal_basis)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (code) DO UPDATE SET
           category_no = excluded.category_no, category = excluded.category, item = excluded.item,
           target_type = excluded.target_type, item_class = excluded.item_class, method = excluded.method,
           body = excluded.body, legal_basis = excluded.legal_basis
         WHERE (category_no, category, item, target_type, item_class, method, body, legal_basis)
            IS NOT (excluded.category_no, excluded.category, excluded.item, excluded.target_type,
                    excluded.item_class, excluded.method, excluded.body, excluded.legal_basis)",
        params![
            item.code,
            item.category_no,
            item.category,
            item.item,
            item.target_type.label(),
            item.item_class,
            item.method,
            item.body,
            item.legal_basis
        ],
    )?;
    Ok(changed == 1)
}

/// Every check item in code order (category, then row).
pub fn all(conn: &Connection) -> Result<Vec<CheckItem>> {
    let mut stmt = conn.prepare(
        "SELECT code, category_no, category, item, target_type, item_class, method, body, legal_basis
         FROM check_items",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (code, category_no, category, item, tt, item_class, method, body, legal_basis) = row?;
        let target_type = TargetType::parse(&tt)
            .ok_or_else(|| StoreError::Corrupt(format!("抽查事项{code}的检查对象“{tt}”")))?;
        out.push(CheckItem {
            code,
            category_no,
            category,
            item,
            target_type,
            item_class,
            method,
            body,
            legal_basis,
        });
    }
    out.sort_by_key(|i| item_order(&i.code));
    Ok(out)
}

/// Sort key for codes like `2-10`: numerically by category, then row.
pub fn item_order(code: &str) -> (u32, u32, String) {
    let mut parts = code.split('-');
    let a = parts
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(u32::MAX);
    let b = parts
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(u32::MAX);
    (a, b, code.to_string())
}
