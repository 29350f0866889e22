//! Browsing the libraries: entities with their class, one entity in full, inspectors, check
//! items, and the figures of `stats`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::visits::VisitFilter;
use super::{Result, ServiceError, Session};
use crate::domain::classification::{Classification, SupervisionClass, classify};
use crate::domain::draw::period::Period;
use crate::domain::draw::record::Team;
use crate::domain::entity::Entity;
use crate::domain::inspector::Inspector;
use crate::domain::result::Category;
use crate::domain::result_records::FollowUp;
use crate::domain::role::Action;
use crate::domain::targeted::{TARGETED_LABEL, TargetedCheck, TargetedReason};
use crate::domain::visit::{VisitDates, VisitState};
use crate::domain::vocab::{CreditTier, TargetType};
use crate::store;

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
    /// Every visit of the entity the user may see, across years, oldest first, and its
    /// targeted checks (个案检查) among them.
    pub history: Vec<EntityVisit>,
}

/// One visit of an entity, as its history lists it. Only visits of draws that were run and
/// not voided; a visit not yet started only for those who may see it (leads, principals,
/// its own team), as in every visit list.
///
/// A targeted check (个案检查, not drawn) is listed the same way with `targeted` set: its
/// `visit_id` is then the check's number, `draw_id` is empty, `tasks` are the check items
/// of its result, and `period` the quarter it started in.
#[derive(Debug, Clone, Serialize)]
pub struct EntityVisit {
    pub visit_id: i64,
    pub draw_id: String,
    pub period: String,
    pub tasks: Vec<String>,
    /// The current team (substitutions applied).
    pub team: Team,
    /// Why the visit has no team, if it has none.
    pub problem: Option<String>,
    pub dates: VisitDates,
    pub state: VisitState,
    /// The categories of the result in force (the latest approved correction, else the
    /// submitted result); empty while no result is submitted.
    pub categories: Vec<Category>,
    /// An approved correction replaced the submitted result.
    pub corrected: bool,
    pub followups: Vec<FollowUp>,
    /// Set for a targeted check: why it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targeted: Option<TargetedMark>,
}

/// What marks a targeted check in an entity's history: 个案检查 and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetedMark {
    pub reason: TargetedReason,
    pub detail: String,
    /// "投诉举报（12369-0512）"
    pub reason_text: String,
}

impl EntityVisit {
    /// A targeted check as a line of the history: entered (its result was recorded with it),
    /// never published in the random inspections' publicity.
    fn of_targeted(t: TargetedCheck) -> EntityVisit {
        EntityVisit {
            visit_id: t.id,
            draw_id: String::new(),
            period: Period::of(t.started).to_string(),
            tasks: t.items(),
            problem: None,
            dates: VisitDates {
                started: Some(t.started),
                completed: Some(t.completed),
                entered: Some(t.recorded_on),
                ..Default::default()
            },
            state: VisitState::Entered,
            categories: t.result.categories.iter().copied().collect(),
            corrected: false,
            followups: vec![],
            targeted: Some(TargetedMark {
                reason_text: t.reason_text(),
                reason: t.reason,
                detail: t.detail,
            }),
            team: t.team,
        }
    }

    /// The label of the line's kind: 个案检查 for a targeted check, else the draw.
    pub fn source(&self) -> String {
        match &self.targeted {
            Some(_) => TARGETED_LABEL.to_string(),
            None => self.draw_id.clone(),
        }
    }
}

impl EntityVisit {
    /// The visit's latest date with what it was: drawn, started, completed, entered or
    /// published.
    pub fn latest_date(&self) -> Option<chrono::NaiveDate> {
        let d = &self.dates;
        d.published
            .or(d.entered)
            .or(d.completed)
            .or(d.started)
            .or(d.drawn)
    }
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
            .ok_or_else(|| ServiceError::not_found("监管对象", &code))?;
        let changed_seq = store::entities::changed_seq(conn, &code)?;
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
            history: self.entity_history(&code)?,
        })
    }

    /// The visits of one entity across years, oldest first, filtered as `list_visits` is.
    fn entity_history(&self, code: &str) -> Result<Vec<EntityVisit>> {
        let conn = self.store().conn();
        let mut visits: Vec<_> = self
            .list_visits(&VisitFilter::default())?
            .into_iter()
            .filter(|v| v.entity == code)
            .collect();
        visits.sort_by(|a, b| {
            (&a.period, &a.drawn_on, &a.draw_id, a.id).cmp(&(
                &b.period,
                &b.drawn_on,
                &b.draw_id,
                b.id,
            ))
        });
        let mut out = Vec::with_capacity(visits.len());
        for v in visits {
            let corrected = store::results::corrections(conn, Some(v.id))?
                .into_iter()
                .rev()
                .find(|c| c.decision.as_ref().is_some_and(|d| d.approved))
                .map(|c| c.result);
            let effective = match &corrected {
                Some(r) => Some(r.clone()),
                None => store::results::result(conn, v.id)?.map(|s| s.result),
            };
            out.push(EntityVisit {
                visit_id: v.id,
                draw_id: v.draw_id,
                period: v.period,
                tasks: v.tasks,
                team: v.team,
                problem: v.problem,
                dates: v.dates,
                state: v.state,
                categories: effective
                    .map(|r| r.categories.into_iter().collect())
                    .unwrap_or_default(),
                corrected: corrected.is_some(),
                followups: store::results::followups(conn, Some(v.id))?,
                targeted: None,
            });
        }
        // Targeted checks among the visits, by the quarter and day they started.
        out.extend(
            store::targeted::list(conn, Some(code), None)?
                .into_iter()
                .map(EntityVisit::of_targeted),
        );
        // Stable: visits keep their order (by period, then draw day); a targeted check goes
        // by the day it started.
        out.sort_by_key(|h| {
            let day = match h.targeted {
                Some(_) => h.dates.started,
                None => h.dates.drawn,
            };
            (h.period.clone(), day)
        });
        Ok(out)
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
