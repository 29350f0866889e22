//! The libraries: import, export, browse and count entities, inspectors and check items.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Result, ServiceError, Session};
use crate::domain::classification::{Classification, SupervisionClass, classify};
use crate::domain::entity::Entity;
use crate::domain::inspector::Inspector;
use crate::domain::role::Action;
use crate::domain::vocab::{CreditTier, TargetType};
use crate::sheets::{self, Problem};
use crate::store::{self, to_json};

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
    /// The audit event that recorded the import (none for a dry run or when nothing changed).
    pub audit_seq: Option<u64>,
}

/// Reports progress of a long write: (done, total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// How each incoming record compares with the library.
enum Change {
    Added,
    Updated,
    Unchanged,
}

fn file_digest(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| sheets::SheetError::io(path, e))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn diff<T: Serialize>(stored: &HashMap<String, String>, id: &str, value: &T) -> Change {
    match stored.get(id) {
        None => Change::Added,
        Some(old) if *old == to_json(value) => Change::Unchanged,
        Some(_) => Change::Updated,
    }
}

impl Session {
    /// `import entities FILE`: all or nothing; upserts by USCC (or registry code).
    pub fn import_entities(
        &mut self,
        path: &Path,
        dry_run: bool,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        self.require(Action::EditEntities)?;
        let sha256 = file_digest(path)?;
        let rows: Vec<(usize, Entity)> = if is_json(path) {
            sheets::read_entities_json(path)?
                .into_iter()
                .enumerate()
                .map(|(i, e)| (i + 1, e))
                .collect()
        } else {
            let table = sheets::read_table(path)?;
            sheets::parse_entities(&table).map_err(ServiceError::Rejected)?
        };
        let file = path.display().to_string();
        self.write(|tx, actor| {
            let stored = store::entities::stored_json(tx)?;
            let mut report = ImportReport {
                file: file.clone(),
                sha256: sha256.clone(),
                rows: rows.len(),
                dry_run,
                ..Default::default()
            };
            let (mut added, mut updated) = (Vec::new(), Vec::new());
            for (_, e) in &rows {
                match diff(&stored, e.id(), e) {
                    Change::Added => added.push(e),
                    Change::Updated => updated.push(e),
                    Change::Unchanged => report.unchanged += 1,
                }
            }
            report.added = added.len();
            report.updated = updated.len();
            if dry_run || added.len() + updated.len() == 0 {
                return Ok(report);
            }
            let ev = actor.log(
                tx,
                "entities.import",
                &file,
                &json!({
                    "sha256": sha256, "rows": rows.len(), "unchanged": report.unchanged,
                    "added": added.iter().map(|e| e.id()).collect::<Vec<_>>(),
                    "updated": updated.iter().map(|e| e.id()).collect::<Vec<_>>(),
                }),
            )?;
            let total = added.len() + updated.len();
            for (i, e) in added.iter().chain(updated.iter()).enumerate() {
                store::entities::put(tx, e, ev.seq)?;
                if i % 1000 == 0 || i + 1 == total {
                    progress(i + 1, total);
                }
            }
            report.audit_seq = Some(ev.seq);
            Ok(report)
        })
    }

    /// `import inspectors FILE`: all or nothing; upserts by 人员编号. New departments are added.
    pub fn import_inspectors(&mut self, path: &Path, dry_run: bool) -> Result<ImportReport> {
        self.require(Action::EditInspectors)?;
        let sha256 = file_digest(path)?;
        let rows: Vec<(usize, Inspector)> = if is_json(path) {
            sheets::read_inspectors_json(path)?
                .into_iter()
                .enumerate()
                .map(|(i, e)| (i + 1, e))
                .collect()
        } else {
            let table = sheets::read_table(path)?;
            sheets::parse_inspectors(&table).map_err(ServiceError::Rejected)?
        };
        let file = path.display().to_string();
        self.write(|tx, actor| {
            // Conflicts must name entities the library knows.
            let mut problems = Vec::new();
            for (row, i) in &rows {
                for c in &i.conflicts {
                    if store::entities::get(tx, &c.entity)?.is_none() {
                        problems.push(Problem {
                            row: *row,
                            column: "回避对象".into(),
                            reason: format!("{} 不在监管对象库中", c.entity),
                        });
                    }
                }
            }
            if !problems.is_empty() {
                return Err(ServiceError::Rejected(problems));
            }
            let stored = store::inspectors::stored_json(tx)?;
            let known = store::inspectors::departments(tx)?;
            let mut report = ImportReport {
                file: file.clone(),
                sha256: sha256.clone(),
                rows: rows.len(),
                dry_run,
                ..Default::default()
            };
            let (mut added, mut updated) = (Vec::new(), Vec::new());
            for (_, i) in &rows {
                match diff(&stored, &i.code, i) {
                    Change::Added => added.push(i),
                    Change::Updated => updated.push(i),
                    Change::Unchanged => report.unchanged += 1,
                }
            }
            report.added = added.len();
            report.updated = updated.len();
            if dry_run || added.len() + updated.len() == 0 {
                return Ok(report);
            }
            let mut new_departments: Vec<&str> = rows
                .iter()
                .map(|(_, i)| i.department.as_str())
                .filter(|d| !known.iter().any(|k| k == d))
                .collect();
            new_departments.sort();
            new_departments.dedup();
            let ev = actor.log(
                tx,
                "inspectors.import",
                &file,
                &json!({
                    "sha256": sha256, "rows": rows.len(), "unchanged": report.unchanged,
                    "added": added.iter().map(|i| &i.code).collect::<Vec<_>>(),
                    "updated": updated.iter().map(|i| &i.code).collect::<Vec<_>>(),
                    "departments": new_departments,
                }),
            )?;
            for d in &new_departments {
                store::inspectors::ensure_department(tx, d)?;
            }
            for i in added.iter().chain(updated.iter()) {
                store::inspectors::put(tx, i, ev.seq)?;
            }
            report.audit_seq = Some(ev.seq);
            Ok(report)
        })
    }

    /// `import items FILE`: the check-item list; all or nothing, upserts by 编号.
    pub fn import_check_items(&mut self, path: &Path, dry_run: bool) -> Result<ImportReport> {
        self.require(Action::EditCheckItems)?;
        let sha256 = file_digest(path)?;
        let table = sheets::read_table(path)?;
        let rows = sheets::parse_check_items(&table).map_err(ServiceError::Rejected)?;
        let file = path.display().to_string();
        self.write(|tx, actor| {
            let before: HashMap<String, _> = store::items::all(tx)?
                .into_iter()
                .map(|i| (i.code.clone(), i))
                .collect();
            let mut report = ImportReport {
                file: file.clone(),
                sha256: sha256.clone(),
                rows: rows.len(),
                dry_run,
                ..Default::default()
            };
            let (mut added, mut updated) = (Vec::new(), Vec::new());
            for (_, item) in &rows {
                match before.get(&item.code) {
                    None => added.push(item),
                    Some(old) if old == item => report.unchanged += 1,
                    Some(_) => updated.push(item),
                }
            }
            report.added = added.len();
            report.updated = updated.len();
            if dry_run || added.len() + updated.len() == 0 {
                return Ok(report);
            }
            let ev = actor.log(
                tx,
                "items.import",
                &file,
                &json!({
                    "sha256": sha256, "rows": rows.len(), "unchanged": report.unchanged,
                    "added": added.iter().map(|i| &i.code).collect::<Vec<_>>(),
                    "updated": updated.iter().map(|i| &i.code).collect::<Vec<_>>(),
                }),
            )?;
            for item in added.iter().chain(updated.iter()) {
                store::items::put(tx, item)?;
            }
            report.audit_seq = Some(ev.seq);
            Ok(report)
        })
    }

    /// `export entities FILE` (.xlsx, .csv or .json by extension); returns the count.
    pub fn export_entities(&self, path: &Path) -> Result<usize> {
        self.require(Action::ExportRegistry)?;
        let all = store::entities::all(self.store().conn())?;
        sheets::write_entities(path, &all)?;
        Ok(all.len())
    }

    /// `export inspectors FILE`; returns the count.
    pub fn export_inspectors(&self, path: &Path) -> Result<usize> {
        self.require(Action::ExportRegistry)?;
        let all = store::inspectors::all(self.store().conn())?;
        sheets::write_inspectors(path, &all)?;
        Ok(all.len())
    }

    /// `export items FILE`; returns the count.
    pub fn export_check_items(&self, path: &Path) -> Result<usize> {
        self.require(Action::ExportRegistry)?;
        let all = store::items::all(self.store().conn())?;
        sheets::write_check_items(path, &all)?;
        Ok(all.len())
    }
}

/// Filters for `entities list`.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub class: Option<SupervisionClass>,
    pub tier: Option<CreditTier>,
    pub town: Option<String>,
    pub target_type: Option<TargetType>,
    /// Matches name or id (case-insensitive substring).
    pub search: Option<String>,
}

/// An entity with its derived class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifiedEntity {
    #[serde(flatten)]
    pub entity: Entity,
    pub id: String,
    pub classification: Classification,
}

/// Everything `entities show` tells about one entity.
#[derive(Debug, Clone, Serialize)]
pub struct EntityDetail {
    #[serde(flatten)]
    pub entity: ClassifiedEntity,
    /// Inspectors who declared a conflict with it (回避).
    pub conflicted_inspectors: Vec<String>,
    /// The audit event that last changed it.
    pub changed_seq: u64,
}

impl Session {
    pub fn list_entities(&self, filter: &EntityFilter) -> Result<Vec<ClassifiedEntity>> {
        self.require(Action::ViewRegistry)?;
        let today = self.today();
        let needle = filter.search.as_ref().map(|s| s.to_lowercase());
        Ok(store::entities::all(self.store().conn())?
            .into_iter()
            .filter(|e| filter.tier.is_none_or(|t| e.credit_tier == Some(t)))
            .filter(|e| filter.town.as_ref().is_none_or(|t| &e.town == t))
            .filter(|e| {
                filter
                    .target_type
                    .is_none_or(|t| e.target_types.contains(&t))
            })
            .filter(|e| {
                needle.as_ref().is_none_or(|n| {
                    e.name.to_lowercase().contains(n) || e.id().to_lowercase().contains(n)
                })
            })
            .map(|e| ClassifiedEntity {
                id: e.id().to_string(),
                classification: classify(&e, today),
                entity: e,
            })
            .filter(|c| filter.class.is_none_or(|k| c.classification.class == k))
            .collect())
    }

    pub fn show_entity(&self, code: &str) -> Result<EntityDetail> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let code = code.trim().to_ascii_uppercase();
        let entity = store::entities::get(conn, &code)?
            .ok_or_else(|| ServiceError::NotFound(format!("监管对象 {code}")))?;
        let changed_seq: u64 = conn.query_row(
            "SELECT changed_seq FROM entities WHERE code = ?1",
            [&code],
            |r| r.get(0),
        )?;
        let conflicted_inspectors = store::inspectors::all(conn)?
            .into_iter()
            .filter(|i| i.conflicts_with(&code))
            .map(|i| format!("{} {}", i.code, i.name))
            .collect();
        Ok(EntityDetail {
            entity: ClassifiedEntity {
                id: code.clone(),
                classification: classify(&entity, self.today()),
                entity,
            },
            conflicted_inspectors,
            changed_seq,
        })
    }

    pub fn list_inspectors(&self) -> Result<Vec<Inspector>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::inspectors::all(self.store().conn())?)
    }

    pub fn list_check_items(&self) -> Result<Vec<crate::domain::check_item::CheckItem>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::items::all(self.store().conn())?)
    }
}

/// `stats`: the libraries in figures.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub mode: super::Mode,
    pub today: String,
    pub entities: usize,
    pub excluded: usize,
    pub by_class: BTreeMap<String, usize>,
    pub key_coverage_pool: usize,
    pub by_tier: BTreeMap<String, usize>,
    pub by_target_type: BTreeMap<String, usize>,
    pub by_town: BTreeMap<String, usize>,
    pub inspectors: usize,
    pub inspectors_on_duty: usize,
    pub inspectors_certified: usize,
    pub by_department: BTreeMap<String, usize>,
    pub check_items: usize,
    pub plans_this_year: usize,
    pub tasks_this_year: usize,
    pub users: usize,
    pub audit_size: u64,
    pub audit_head: String,
}

impl Session {
    pub fn stats(&self) -> Result<Stats> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let today = self.today();
        let entities = store::entities::all(conn)?;
        let inspectors = store::inspectors::all(conn)?;
        let plans = store::plans::list(conn, Some(chrono::Datelike::year(&today)))?;
        let head = store::audit::head(conn)?;
        let mut s = Stats {
            mode: self.mode(),
            today: today.to_string(),
            entities: entities.len(),
            excluded: entities.iter().filter(|e| e.exclusion.is_some()).count(),
            by_class: BTreeMap::new(),
            key_coverage_pool: 0,
            by_tier: BTreeMap::new(),
            by_target_type: BTreeMap::new(),
            by_town: BTreeMap::new(),
            inspectors: inspectors.len(),
            inspectors_on_duty: inspectors.iter().filter(|i| i.on_duty).count(),
            inspectors_certified: inspectors.iter().filter(|i| i.certified_on(today)).count(),
            by_department: BTreeMap::new(),
            check_items: store::items::all(conn)?.len(),
            plans_this_year: plans.len(),
            tasks_this_year: plans.iter().map(|p| p.plan.tasks.len()).sum(),
            users: store::users::all(conn)?.len(),
            audit_size: head.size,
            audit_head: head.head,
        };
        for e in &entities {
            let c = classify(e, today);
            *s.by_class.entry(c.class.label().to_string()).or_default() += 1;
            if c.also_key {
                s.key_coverage_pool += 1;
            }
            let tier = e.credit_tier.map(|t| t.label()).unwrap_or("未评级");
            *s.by_tier.entry(tier.to_string()).or_default() += 1;
            for t in &e.target_types {
                *s.by_target_type.entry(t.label().to_string()).or_default() += 1;
            }
            *s.by_town.entry(e.town.clone()).or_default() += 1;
        }
        for i in &inspectors {
            *s.by_department.entry(i.department.clone()).or_default() += 1;
        }
        Ok(s)
    }
}
