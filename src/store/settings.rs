//! Settings: a key–value table for the database's own facts.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

/// `demo` or `production`.
pub const MODE: &str = "mode";
/// The login that created the database.
pub const CREATED_BY: &str = "created_by";
/// When it was created (RFC 3339).
pub const CREATED_AT: &str = "created_at";
/// The operating-system account SSH forced commands run as (`--as` is honoured only for it).
pub const SERVICE_ACCOUNT: &str = "service_account";
/// A province's annual cap of random inspections per enterprise (环办执法〔2025〕4号), if any.
pub const PROVINCE_CAP: &str = "province_annual_cap";
/// What the public 备注 of the publicity export carries besides the result's remark and the
/// follow-ups' outcome: `correction_reason`, `followup_notes` (comma-separated); none if unset.
pub const PUBLICITY_REMARK: &str = "publicity_remark";
/// The date the demo county was generated for.
pub const DEMO_DATE: &str = "demo_date";
/// A random value set when the database is created: `restore` refuses a copy of another
/// database (a copy keeps the value of the database it was taken from).
pub const DATABASE_ID: &str = "database_id";
/// The witness file `doctor` checks the log against (`settings witness-file`): checkpoints
/// appended by `audit checkpoint --append`, kept outside the database's directory.
pub const WITNESS_FILE: &str = "witness_file";
/// The bureau's own name (本局), set at `init --empty --bureau` and by `settings bureau`; a
/// database without it (a demo, or one made before the setting) is the default bureau.
pub const BUREAU: &str = "bureau";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub fn unset(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

// ---- The town list (乡镇名单, schema v11) ----

/// The listed towns, in the order they were listed (the seed: from the county seat outwards).
pub fn towns(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM towns ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a town to the list; false when it was listed already.
pub fn add_town(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute(
        "INSERT INTO towns (name) VALUES (?1) ON CONFLICT DO NOTHING",
        [name],
    )? == 1)
}

/// Takes a town off the list; false when it was not listed.
pub fn remove_town(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM towns WHERE name = ?1", [name])? == 1)
}

/// How many entities each town in use has, by town (listed or not).
pub fn entities_by_town(conn: &Connection) -> Result<Vec<(String, usize)>> {
    let mut stmt =
        conn.prepare("SELECT town, count(*) FROM entities GROUP BY town ORDER BY town")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---- Departments: what refers to one (plan tasks), and carrying a rename along ----

/// A plan task that names a department: among its cooperating departments, or as its 发起部门
/// or 检查主体 (exactly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRef {
    pub year: i32,
    pub plan: String,
    pub task: String,
    /// False for a task removed during the year (kept, inactive).
    pub active: bool,
}

/// Every task (active or removed, of any year) that names `department`, by year, plan and task.
pub fn tasks_naming(conn: &Connection, department: &str) -> Result<Vec<TaskRef>> {
    Ok(task_specs(conn)?
        .into_iter()
        .filter(|(_, _, spec)| names(spec, department))
        .map(|(_, r, _)| r)
        .collect())
}

/// Renames `from` to `to` in every task's cooperating departments, and in its 发起部门 and
/// 检查主体 where they are exactly `from` (the specification's other fields untouched); returns
/// the tasks changed.
pub fn rename_in_tasks(conn: &Connection, from: &str, to: &str) -> Result<Vec<TaskRef>> {
    let mut changed = Vec::new();
    for (id, r, mut spec) in task_specs(conn)? {
        if !names(&spec, from) {
            continue;
        }
        let renamed = || serde_json::Value::String(to.to_string());
        if let Some(list) = spec
            .get_mut("cooperating_departments")
            .and_then(|v| v.as_array_mut())
        {
            for d in list.iter_mut() {
                if d.as_str() == Some(from) {
                    *d = renamed();
                }
            }
        }
        for unit in UNITS {
            if let Some(u) = spec.get_mut(unit)
                && u.as_str() == Some(from)
            {
                *u = renamed();
            }
        }
        conn.execute(
            "UPDATE tasks SET spec = ?2 WHERE id = ?1",
            params![id, spec.to_string()],
        )?;
        changed.push(r);
    }
    Ok(changed)
}

/// A task's fields that name one unit: 发起部门 and 检查主体.
const UNITS: [&str; 2] = ["initiating_unit", "inspecting_body"];

fn names(spec: &serde_json::Value, department: &str) -> bool {
    spec.get("cooperating_departments")
        .and_then(|v| v.as_array())
        .is_some_and(|ds| ds.iter().any(|d| d.as_str() == Some(department)))
        || UNITS
            .iter()
            .any(|u| spec.get(u).and_then(|v| v.as_str()) == Some(department))
}

fn task_specs(conn: &Connection) -> Result<Vec<(i64, TaskRef, serde_json::Value)>> {
    let mut stmt = conn.prepare(
        "SELECT t.id, p.year, p.code, t.code, t.active, t.spec
         FROM tasks t JOIN plans p ON p.id = t.plan_id
         ORDER BY p.year, p.code, t.seq, t.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            TaskRef {
                year: r.get(1)?,
                plan: r.get(2)?,
                task: r.get(3)?,
                active: r.get::<_, i64>(4)? != 0,
            },
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, r, spec) = row?;
        let spec: serde_json::Value = serde_json::from_str(&spec)
            .map_err(|e| super::StoreError::Corrupt(format!("任务{}的内容：{e}", r.task)))?;
        out.push((id, r, spec));
    }
    Ok(out)
}

/// The inspectors (code, name) of a department.
pub fn inspectors_of(conn: &Connection, department: &str) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT code, name FROM inspectors WHERE department = ?1 ORDER BY code")?;
    let rows = stmt.query_map([department], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes a department and its aliases (nothing may refer to it: the caller checks).
pub fn remove_department(conn: &Connection, name: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM department_aliases WHERE department = ?1",
        [name],
    )?;
    conn.execute("DELETE FROM departments WHERE name = ?1", [name])?;
    Ok(())
}
