//! Departments as data (issue 15): the bureau's own name and its cooperating departments are
//! records of the database, not constants. Inspector sheets must name a known department or
//! one of its aliases; `draw prepare` refuses a task whose department has no eligible officer.

use rusqlite::Connection;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::draw::record::Prepared;
use crate::domain::inspector::BUREAU;
use crate::domain::role::Action;
use crate::store::{self, settings};

/// The bureau's own name: the `bureau` setting, or the default (demo) bureau.
pub fn bureau(conn: &Connection) -> Result<String> {
    Ok(settings::get(conn, settings::BUREAU)?.unwrap_or_else(|| BUREAU.to_string()))
}

/// One department as `settings departments` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Department {
    pub name: String,
    /// The bureau itself (本局) rather than a cooperating department.
    pub bureau: bool,
    pub aliases: Vec<String>,
}

/// How a department name typed in a sheet resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The name of a department, or an alias of one (the department's name).
    Known(String),
    /// Not a department; the closest known department, if any is close.
    Unknown { closest: Option<String> },
}

/// The departments and their aliases, for resolving names typed in sheets.
pub struct Directory {
    names: Vec<String>,
    aliases: Vec<(String, String)>,
}

impl Directory {
    pub fn load(conn: &Connection) -> Result<Directory> {
        Ok(Directory {
            names: store::inspectors::departments(conn)?,
            aliases: store::inspectors::department_aliases(conn)?,
        })
    }

    /// Exactly a department's name or a known alias (after trimming); otherwise the closest
    /// department offered.
    pub fn resolve(&self, typed: &str) -> Resolved {
        let typed = typed.trim();
        if let Some(n) = self.names.iter().find(|n| n.as_str() == typed) {
            return Resolved::Known(n.clone());
        }
        if let Some((_, d)) = self.aliases.iter().find(|(a, _)| a.as_str() == typed) {
            return Resolved::Known(d.clone());
        }
        Resolved::Unknown {
            closest: self.closest(typed),
        }
    }

    /// The department whose name (or alias) is close to what was typed ([`closest`]).
    fn closest(&self, typed: &str) -> Option<String> {
        closest(
            typed,
            self.names
                .iter()
                .map(|n| (n.as_str(), n.as_str()))
                .chain(self.aliases.iter().map(|(a, d)| (a.as_str(), d.as_str()))),
        )
    }
}

/// The close match offered for a name that is not known, among `spellings` (a spelling and
/// the name it stands for): the one contained in what was typed or containing it (the one
/// sharing most characters), else the one sharing the most characters in order, if it shares
/// at least half of its own. Departments and towns are matched the same way.
pub(crate) fn closest<'a>(
    typed: &str,
    spellings: impl Iterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    if typed.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize, &str)> = None;
    for (spelling, name) in spellings {
        let contained = typed.contains(spelling) || spelling.contains(typed);
        let common = lcs(typed, spelling);
        let len = spelling.chars().count();
        if !contained && common * 2 < len.max(2) {
            continue;
        }
        let score = (usize::from(contained), common);
        if best.is_none_or(|(c, n, _)| score > (c, n)) {
            best = Some((score.0, score.1, name));
        }
    }
    best.map(|(_, _, d)| d.to_string())
}

/// Length of the longest common subsequence of two strings' characters.
fn lcs(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row = vec![0usize; b.len() + 1];
    for ca in a.chars() {
        let mut prev = 0;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev + 1
            } else {
                row[j + 1].max(row[j])
            };
            prev = here;
        }
    }
    row[b.len()]
}

/// The refusal text for an unknown department typed in a sheet.
pub fn unknown_message(typed: &str, closest: Option<&str>) -> String {
    match closest {
        Some(c) => format!(
            "部门“{typed}”不在部门设置中（{typed} → {c}？）；请改为“{c}”，或用 settings department-alias 登记别名"
        ),
        None => format!(
            "部门“{typed}”不在部门设置中；已登记的部门见 settings departments，新部门用 settings department-add 添加"
        ),
    }
}

/// Replaces each row's department by the department it names (its name or an alias);
/// refuses the import, row by row, for departments that are not known.
pub fn resolve_rows(
    conn: &Connection,
    rows: &mut [(usize, crate::domain::inspector::Inspector)],
) -> Result<()> {
    let dir = Directory::load(conn)?;
    let mut problems = Vec::new();
    for (row, i) in rows.iter_mut() {
        match dir.resolve(&i.department) {
            Resolved::Known(d) => i.department = d,
            Resolved::Unknown { closest } => problems.push(crate::sheets::Problem {
                row: *row,
                column: "所属部门".into(),
                reason: unknown_message(i.department.trim(), closest.as_deref()),
            }),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Rejected(problems))
    }
}

/// `draw prepare`'s check before any commitment: the bureau, and every task's cooperating
/// departments, have at least one eligible officer among the preparation's inspectors.
/// The refusal names the task and the department.
pub fn check_staffed(prepared: &Prepared) -> Result<()> {
    let has = |d: &str| prepared.inspectors.iter().any(|i| i.department == d);
    let mut missing = Vec::new();
    for t in &prepared.tasks {
        for d in std::iter::once(&prepared.lead_department).chain(t.departments.iter()) {
            if !has(d) {
                missing.push(format!("任务 {}（{}）需要{}的执法人员", t.code, t.name, d));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let short: Vec<String> = {
        let mut ds: Vec<&str> = std::iter::once(prepared.lead_department.as_str())
            .chain(
                prepared
                    .tasks
                    .iter()
                    .flat_map(|t| t.departments.iter().map(String::as_str)),
            )
            .filter(|d| !has(d))
            .collect();
        ds.sort();
        ds.dedup();
        ds.into_iter().map(String::from).collect()
    };
    Err(ServiceError::invalid(
        "department",
        format!(
            "{}；但{}没有可派的执法人员（在岗、执法证有效、本季度请假不满30天）。抽签未准备，未作任何承诺：请先导入或更正这些部门的执法人员（部门名称须与 settings departments 一致）",
            missing.join("；"),
            short.join("、")
        ),
    ))
}

fn need_reason(reason: &str) -> Result<&str> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ServiceError::invalid(
            "reason",
            "请用 --reason 写明修改理由",
        ));
    }
    Ok(r)
}

fn need_name<'a>(what: &'static str, name: &'a str) -> Result<&'a str> {
    let n = name.trim();
    if n.is_empty() {
        return Err(ServiceError::invalid(what, "名称不能为空"));
    }
    Ok(n)
}

impl Session {
    /// `settings departments`: the bureau first, then the cooperating departments, each with
    /// its aliases.
    pub fn departments(&self) -> Result<Vec<Department>> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let bureau = bureau(conn)?;
        let aliases = store::inspectors::department_aliases(conn)?;
        let mut out: Vec<Department> = store::inspectors::departments(conn)?
            .into_iter()
            .map(|name| Department {
                bureau: name == bureau,
                aliases: aliases
                    .iter()
                    .filter(|(_, d)| *d == name)
                    .map(|(a, _)| a.clone())
                    .collect(),
                name,
            })
            .collect();
        out.sort_by_key(|d| !d.bureau);
        Ok(out)
    }

    /// `settings bureau NAME --reason R`: renames the bureau; its officers follow, and the old
    /// name stays as an alias so sheets that still say it are understood.
    pub fn set_bureau(&mut self, name: &str, reason: &str) -> Result<usize> {
        self.require(Action::ConfigureSystem)?;
        let name = need_name("bureau", name)?;
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            let before = bureau(tx)?;
            if before == name {
                return Err(ServiceError::invalid(
                    "bureau",
                    format!("本局名称已是“{name}”"),
                ));
            }
            if store::inspectors::departments(tx)?
                .iter()
                .any(|d| d == name)
            {
                return Err(ServiceError::invalid(
                    "bureau",
                    format!("“{name}”已是一个配合部门，不能作为本局名称"),
                ));
            }
            let ev = actor.log(
                tx,
                "settings.bureau",
                name,
                &json!({ "before": before, "after": name, "reason": reason }),
            )?;
            let moved = store::inspectors::rename_department(tx, &before, name, ev.seq)?;
            store::inspectors::put_department_alias(tx, &before, name)?;
            settings::set(tx, settings::BUREAU, name)?;
            Ok(moved)
        })
    }

    /// `settings department-add NAME --reason R`: a cooperating department.
    pub fn add_department(&mut self, name: &str, reason: &str) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let name = need_name("department", name)?;
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            if let Resolved::Known(d) = Directory::load(tx)?.resolve(name) {
                return Err(ServiceError::invalid(
                    "department",
                    format!("“{name}”已登记（部门 {d}）"),
                ));
            }
            actor.log(
                tx,
                "settings.department_add",
                name,
                &json!({ "reason": reason }),
            )?;
            store::inspectors::ensure_department(tx, name)?;
            Ok(())
        })
    }

    /// `settings department-alias ALIAS DEPARTMENT --reason R`: another spelling of a
    /// department that inspector sheets may use.
    pub fn add_department_alias(
        &mut self,
        alias: &str,
        department: &str,
        reason: &str,
    ) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let alias = need_name("alias", alias)?;
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            let dir = Directory::load(tx)?;
            let Resolved::Known(dept) = dir.resolve(department) else {
                return Err(ServiceError::invalid(
                    "department",
                    unknown_message(department.trim(), None),
                ));
            };
            if store::inspectors::departments(tx)?
                .iter()
                .any(|d| d == alias)
            {
                return Err(ServiceError::invalid(
                    "alias",
                    format!("“{alias}”本身是一个部门的名称，不能作别名"),
                ));
            }
            actor.log(
                tx,
                "settings.department_alias",
                alias,
                &json!({ "department": dept, "reason": reason }),
            )?;
            store::inspectors::put_department_alias(tx, alias, &dept)?;
            Ok(())
        })
    }
}

/// What `settings department-rename` carried along.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Renamed {
    /// Officers whose 所属部门 now reads the new name.
    pub inspectors: usize,
    /// The plan tasks whose cooperating departments now name it (`2026年 LH-1`).
    pub tasks: Vec<String>,
}

fn task_label(t: &settings::TaskRef) -> String {
    format!(
        "{}年 {}{}",
        t.year,
        t.task,
        if t.active {
            ""
        } else {
            "（已删除的任务）"
        }
    )
}

/// The department a name given on the command line is, by its own name exactly (an alias is
/// refused with the department it stands for).
fn named_department(conn: &Connection, typed: &str) -> Result<String> {
    let typed = need_name("department", typed)?;
    match Directory::load(conn)?.resolve(typed) {
        Resolved::Known(d) if d == typed => Ok(d),
        Resolved::Known(d) => Err(ServiceError::invalid(
            "department",
            format!("“{typed}”是部门“{d}”的别名；请写部门名称“{d}”"),
        )),
        Resolved::Unknown { closest } => Err(ServiceError::invalid(
            "department",
            unknown_message(typed, closest.as_deref()),
        )),
    }
}

impl Session {
    /// `settings department-rename OLD NEW --reason R`: a cooperating department's new name.
    /// In one transaction its officers' 所属部门, its aliases and every plan task that names
    /// it (removed ones too) follow, and the old name stays as an alias so sheets that still
    /// say it are understood. A draw already prepared keeps the name it froze. The bureau is
    /// renamed with `settings bureau`.
    pub fn rename_department(&mut self, old: &str, new: &str, reason: &str) -> Result<Renamed> {
        self.require(Action::ConfigureSystem)?;
        let new = need_name("department", new)?;
        crate::domain::text::identifier("部门名称", crate::domain::text::TextKind::Name, new)
            .map_err(|why| ServiceError::invalid("department", why))?;
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            let old = named_department(tx, old)?;
            if old == bureau(tx)? {
                return Err(ServiceError::invalid(
                    "department",
                    format!("“{old}”是本局；本局名称用 settings bureau 修改"),
                ));
            }
            if old == new {
                return Err(ServiceError::invalid(
                    "department",
                    format!("部门名称已是“{new}”"),
                ));
            }
            if let Resolved::Known(d) = Directory::load(tx)?.resolve(new)
                && d != old
            {
                return Err(ServiceError::invalid(
                    "department",
                    format!("“{new}”已登记（部门 {d}），不能作为“{old}”的新名称"),
                ));
            }
            let tasks: Vec<String> = settings::rename_in_tasks(tx, &old, new)?
                .iter()
                .map(task_label)
                .collect();
            let inspectors = settings::inspectors_of(tx, &old)?.len();
            let ev = actor.log(
                tx,
                "settings.department_rename",
                new,
                &json!({
                    "before": old,
                    "after": new,
                    "inspectors": inspectors,
                    "tasks": tasks,
                    "reason": reason,
                }),
            )?;
            let moved = store::inspectors::rename_department(tx, &old, new, ev.seq)?;
            store::inspectors::put_department_alias(tx, &old, new)?;
            Ok(Renamed {
                inspectors: moved,
                tasks,
            })
        })
    }

    /// `settings department-remove NAME --reason R`: a cooperating department no longer
    /// used, with its aliases. Refused, naming them, while an inspector belongs to it or a
    /// plan task (of any year, removed ones too) names it; the bureau cannot be removed.
    pub fn remove_department(&mut self, name: &str, reason: &str) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            let name = named_department(tx, name)?;
            if name == bureau(tx)? {
                return Err(ServiceError::invalid(
                    "department",
                    format!("“{name}”是本局，不能删除"),
                ));
            }
            let inspectors = settings::inspectors_of(tx, &name)?;
            let tasks = settings::tasks_naming(tx, &name)?;
            if !inspectors.is_empty() || !tasks.is_empty() {
                let mut uses = Vec::new();
                if !inspectors.is_empty() {
                    uses.push(format!(
                        "执法人员 {} 名（{}）",
                        inspectors.len(),
                        listed(inspectors.iter().map(|(c, n)| format!("{c} {n}")))
                    ));
                }
                if !tasks.is_empty() {
                    uses.push(format!(
                        "计划任务 {} 项（{}）",
                        tasks.len(),
                        listed(tasks.iter().map(task_label))
                    ));
                }
                return Err(ServiceError::invalid(
                    "department",
                    format!(
                        "部门“{name}”仍被引用，不能删除：{}。请先改这些执法人员的所属部门、修改这些任务的配合部门，或用 settings department-rename 改名",
                        uses.join("；")
                    ),
                ));
            }
            let aliases: Vec<String> = store::inspectors::department_aliases(tx)?
                .into_iter()
                .filter(|(_, d)| *d == name)
                .map(|(a, _)| a)
                .collect();
            settings::remove_department(tx, &name)?;
            actor.log(
                tx,
                "settings.department_remove",
                &name,
                &json!({ "aliases": aliases, "reason": reason }),
            )?;
            Ok(())
        })
    }
}

/// The first ten of a list, joined with 、, then 等.
fn listed(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut out = items
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    if items.len() > 10 {
        out.push_str(" 等");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> Directory {
        Directory {
            names: vec![
                "晋城市生态环境局阳城分局".into(),
                "水利局".into(),
                "住建局".into(),
            ],
            aliases: vec![("县住建局".into(), "住建局".into())],
        }
    }

    #[test]
    fn exact_names_and_aliases_resolve() {
        let d = dir();
        assert_eq!(d.resolve(" 水利局 "), Resolved::Known("水利局".into()));
        assert_eq!(d.resolve("县住建局"), Resolved::Known("住建局".into()));
    }

    #[test]
    fn unknown_names_offer_the_close_department() {
        let d = dir();
        let closest = |t: &str| match d.resolve(t) {
            Resolved::Unknown { closest } => closest,
            Resolved::Known(k) => panic!("{t} resolved to {k}"),
        };
        assert_eq!(closest("阳城县水利局").as_deref(), Some("水利局"));
        assert_eq!(closest("阳城县住房和城乡建设局").as_deref(), Some("住建局"));
        assert_eq!(
            closest("阳城分局").as_deref(),
            Some("晋城市生态环境局阳城分局")
        );
        assert_eq!(closest("公安局"), None);
    }
}
