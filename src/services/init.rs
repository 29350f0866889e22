//! Creating a database: `init --demo` (the synthetic county) and `init --empty` (production).

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use super::{Actor, Result, ServiceError};
use crate::demo::{self, DemoCounty};
use crate::domain::inspector::BUREAU;
use crate::domain::plan::seed_plans;
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::store::{self, Store, settings};

/// What `init` made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitReport {
    pub path: String,
    pub mode: super::Mode,
    pub admin: String,
    pub check_items: usize,
    pub entities: usize,
    pub inspectors: usize,
    pub users: usize,
    pub plans: usize,
    pub year: i32,
}

/// Creates a demo database for `today` at `path`; `creator` becomes admin and lead. The
/// earlier quarters of the year are drawn, and the current quarter's draw is prepared and
/// waits for its seed.
pub fn init_demo(path: &Path, creator: &str, today: NaiveDate) -> Result<InitReport> {
    let prepared = prepared_file(path);
    let report = create_demo(path, creator, today)?;
    if let Err(e) = super::demo_history::build(path, creator, today) {
        remove_database(path, prepared);
        return Err(e);
    }
    Ok(report)
}

fn create_demo(path: &Path, creator: &str, today: NaiveDate) -> Result<InitReport> {
    let county = demo::demo_county(today);
    create(path, |store| {
        let actor = Actor::creator(creator);
        store.write(|tx| {
            begin(tx, &actor, "demo", today)?;
            settings::set(tx, settings::DEMO_DATE, &today.to_string())?;
            let items = load_check_items(tx, &actor)?;
            super::calendar::load_shipped(tx, &actor)?;
            let report = load_county(tx, &actor, &county, creator)?;
            let plans = load_plans(tx, &actor, today.year())?;
            Ok(InitReport {
                path: path.display().to_string(),
                mode: super::Mode::Demo,
                admin: creator.to_string(),
                check_items: items,
                plans,
                year: today.year(),
                ..report
            })
        })
    })
}

/// Creates a production database at `path` with the check-item list, for the default bureau
/// name (see [`init_empty_for`]); `creator` becomes its admin.
pub fn init_empty(path: &Path, creator: &str, today: NaiveDate) -> Result<InitReport> {
    init_empty_for(path, creator, today, BUREAU)
}

/// Creates a production database at `path` with the check-item list; `creator` becomes its
/// admin. The departments are the bureau (`bureau`, kept as the `bureau` setting) and the
/// cooperating departments the seed's joint plans name (水利局, 住建局).
pub fn init_empty_for(
    path: &Path,
    creator: &str,
    today: NaiveDate,
    bureau: &str,
) -> Result<InitReport> {
    let bureau = bureau.trim();
    if bureau.is_empty() {
        return Err(ServiceError::invalid(
            "bureau",
            "本局名称（--bureau）不能为空",
        ));
    }
    let cooperating = seed_departments(today.year());
    if cooperating.iter().any(|d| d == bureau) {
        return Err(ServiceError::invalid(
            "bureau",
            format!("“{bureau}”是配合部门的名称，不能作为本局名称"),
        ));
    }
    create(path, |store| {
        let actor = Actor::creator(creator);
        store.write(|tx| {
            begin(tx, &actor, "production", today)?;
            settings::set(tx, settings::BUREAU, bureau)?;
            store::inspectors::ensure_department(tx, bureau)?;
            for d in &cooperating {
                store::inspectors::ensure_department(tx, d)?;
            }
            actor.log(
                tx,
                "settings.departments",
                bureau,
                &json!({ "bureau": bureau, "cooperating": cooperating }),
            )?;
            let items = load_check_items(tx, &actor)?;
            super::calendar::load_shipped(tx, &actor)?;
            let admin = User {
                login: creator.to_string(),
                name: creator.to_string(),
                roles: [Role::Admin].into(),
                inspector: None,
                active: true,
            };
            store::users::put(tx, &admin)?;
            actor.log(
                tx,
                "users.add",
                creator,
                &json!({ "roles": ["admin"], "name": creator }),
            )?;
            Ok(InitReport {
                path: path.display().to_string(),
                mode: super::Mode::Production,
                admin: creator.to_string(),
                check_items: items,
                entities: 0,
                inspectors: 0,
                users: 1,
                plans: 0,
                year: today.year(),
            })
        })
    })
}

/// Creates the file (or fills a 0-byte one an administrator prepared), runs `fill`, and
/// undoes it if anything failed: a file `init` created is removed, a prepared one is left
/// empty again, so a failed `init` leaves things as they were.
fn create(path: &Path, fill: impl FnOnce(&mut Store) -> Result<InitReport>) -> Result<InitReport> {
    let prepared = prepared_file(path);
    if !prepared && std::fs::symlink_metadata(path).is_ok() {
        return Err(ServiceError::Exists(super::Existing::Database {
            path: path.to_path_buf(),
        }));
    }
    let outcome = if prepared {
        Store::create_in_empty(path)
    } else {
        Store::create(path)
    }
    .map_err(ServiceError::from)
    .and_then(|mut store| fill(&mut store));
    if outcome.is_err() {
        remove_database(path, prepared);
    }
    outcome
}

/// A 0-byte regular file with no write-ahead log beside it (an empty file with a log is what
/// is left of a database, not a prepared file).
fn prepared_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
        && std::fs::symlink_metadata(store::side_file(path, "-wal")).is_err()
}

/// Removes what a failed `init` wrote; a file the administrator prepared is emptied, not
/// removed, so its owner, group and mode stay.
fn remove_database(path: &Path, prepared: bool) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(store::side_file(path, suffix));
    }
    if prepared {
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path);
    } else {
        let _ = std::fs::remove_file(path);
    }
}

fn begin(
    tx: &rusqlite::Transaction<'_>,
    actor: &Actor,
    mode: &str,
    today: NaiveDate,
) -> Result<()> {
    let at = super::now_rfc3339();
    settings::set(tx, settings::MODE, mode)?;
    settings::set(tx, settings::CREATED_BY, &actor.login)?;
    settings::set(tx, settings::CREATED_AT, &at)?;
    settings::set(tx, settings::DATABASE_ID, &new_database_id())?;
    actor.log(
        tx,
        "system.init",
        mode,
        &json!({ "mode": mode, "date": today.to_string(), "version": env!("CARGO_PKG_VERSION") }),
    )?;
    Ok(())
}

/// 128 random bits in hex: the identity of a database (see [`settings::DATABASE_ID`]).
pub fn new_database_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn load_check_items(tx: &rusqlite::Transaction<'_>, actor: &Actor) -> Result<usize> {
    let items = crate::sheets::builtin_check_items();
    for item in &items {
        store::items::put(tx, item)?;
    }
    let codes: Vec<&str> = items.iter().map(|i| i.code.as_str()).collect();
    actor.log(
        tx,
        "items.import",
        "data/check_items.csv",
        &json!({ "source": "阳分环发〔2024〕6号 附件1", "added": codes }),
    )?;
    Ok(items.len())
}

fn load_county(
    tx: &rusqlite::Transaction<'_>,
    actor: &Actor,
    county: &DemoCounty,
    creator: &str,
) -> Result<InitReport> {
    for d in &county.departments {
        store::inspectors::ensure_department(tx, d)?;
    }
    let ev = actor.log(
        tx,
        "inspectors.import",
        demo::DEMO_LABEL,
        &json!({ "added": county.inspectors.iter().map(|i| &i.code).collect::<Vec<_>>(),
                 "departments": county.departments }),
    )?;
    for i in &county.inspectors {
        store::inspectors::put(tx, i, ev.seq)?;
    }
    let ev = actor.log(
        tx,
        "entities.import",
        demo::DEMO_LABEL,
        &json!({ "added": county.entities.iter().map(|e| e.id()).collect::<Vec<_>>() }),
    )?;
    for e in &county.entities {
        store::entities::put(tx, e, ev.seq)?;
    }
    let mut users = county.users.clone();
    match users.iter_mut().find(|u| u.login == creator) {
        Some(u) => {
            u.roles.insert(Role::Admin);
            u.roles.insert(Role::Lead);
        }
        None => users.push(User {
            login: creator.to_string(),
            name: format!("{creator}（创建者）"),
            roles: [Role::Admin, Role::Lead].into(),
            inspector: None,
            active: true,
        }),
    }
    for u in &users {
        store::users::put(tx, u)?;
        actor.log(
            tx,
            "users.add",
            &u.login,
            &json!({ "name": u.name, "roles": u.roles, "inspector": u.inspector }),
        )?;
    }
    Ok(InitReport {
        path: String::new(),
        mode: super::Mode::Demo,
        admin: creator.to_string(),
        check_items: 0,
        entities: county.entities.len(),
        inspectors: county.inspectors.len(),
        users: users.len(),
        plans: 0,
        year: 0,
    })
}

/// The cooperating departments the seed's plans for `year` name, sorted.
pub fn seed_departments(year: i32) -> Vec<String> {
    let mut ds: Vec<String> = seed_plans(year)
        .iter()
        .flat_map(|p| p.tasks.iter())
        .flat_map(|t| t.cooperating_departments.iter().cloned())
        .collect();
    ds.sort();
    ds.dedup();
    ds
}

/// Instantiates the seed's plans for a year; returns how many plans were created.
pub(crate) fn load_plans(
    tx: &rusqlite::Transaction<'_>,
    actor: &Actor,
    year: i32,
) -> Result<usize> {
    let mut plans = seed_plans(year);
    // The seed names the bureau as the default; a database names it its own way.
    let bureau = super::departments::bureau(tx)?;
    for t in plans.iter_mut().flat_map(|p| p.tasks.iter_mut()) {
        for unit in [&mut t.initiating_unit, &mut t.inspecting_body] {
            if unit.as_str() == BUREAU {
                *unit = bureau.clone();
            }
        }
    }
    // The plans refer to departments by the database's records: a cooperating department
    // the settings do not list would leave its tasks without a team.
    let known = store::inspectors::departments(tx)?;
    for plan in &plans {
        for t in &plan.tasks {
            if let Some(d) = t
                .cooperating_departments
                .iter()
                .find(|d| !known.contains(d))
            {
                return Err(ServiceError::invalid(
                    "department",
                    format!(
                        "计划 {} 任务 {} 的配合部门“{d}”不在部门设置中；先运行 shuangsuiji settings department-add {d} --reason …",
                        plan.code, t.code
                    ),
                ));
            }
        }
    }
    for plan in &plans {
        actor.log(
            tx,
            "plans.create",
            &format!("{year}/{}", plan.code),
            &json!({ "source": plan.source, "tasks": plan.tasks.iter().map(|t| &t.code).collect::<Vec<_>>() }),
        )?;
        store::plans::insert(tx, plan)?;
    }
    Ok(plans.len())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn failing(store: &mut Store) -> Result<InitReport> {
        store
            .conn()
            .execute_batch("CREATE TABLE half_written (x)")?;
        Err(ServiceError::Invalid("fails halfway".into()))
    }

    #[test]
    fn a_failed_init_leaves_a_prepared_file_empty_with_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prepared.db");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(create(&path, failing).is_err());
        let m = std::fs::metadata(&path).unwrap();
        assert_eq!(m.len(), 0);
        assert_eq!(m.permissions().mode() & 0o777, 0o640);
        assert!(!store::side_file(&path, "-wal").exists());
        assert!(!store::side_file(&path, "-shm").exists());
    }

    #[test]
    fn a_failed_init_removes_the_file_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        assert!(create(&path, failing).is_err());
        assert!(!path.exists());
        assert!(!store::side_file(&path, "-wal").exists());
    }
}
