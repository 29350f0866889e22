//! Guarantees that the demo county shows every case, whatever the date's random draw gave.
//!
//! The random generator almost always produces every class, tier, grade and reason on its own;
//! each step here only steps in when one is missing, and then changes a unit that does not
//! carry the last example of anything else.

use std::collections::BTreeSet;

use rand::Rng;

use crate::domain::classification::{SupervisionClass, classify};
use crate::domain::entity::{EXCLUSION_REASONS, Entity, RIVERS};
use crate::domain::vocab::{
    CreditTier, EiaClass, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};

use super::ctx::Ctx;
use super::entities::Generated;
use super::kinds;
use super::words::TOWNS;

struct Fixer<'a> {
    ctx: &'a mut Ctx,
    entities: &'a mut [Entity],
    kinds: &'a [Option<usize>],
}

impl Fixer<'_> {
    /// A random index among the units (not machines) that satisfy `pred`.
    fn choose(&mut self, pred: impl Fn(&Entity, usize) -> bool) -> Option<usize> {
        let found: Vec<usize> = (0..self.entities.len())
            .filter(|&i| self.kinds.get(i).copied().flatten().is_some())
            .filter(|&i| pred(&self.entities[i], i))
            .collect();
        if found.is_empty() {
            None
        } else {
            found
                .get(self.ctx.rng.random_range(0..found.len()))
                .copied()
        }
    }

    fn count(&self, pred: impl Fn(&Entity) -> bool) -> usize {
        self.entities.iter().filter(|e| pred(e)).count()
    }

    fn graded(&self, i: usize) -> bool {
        self.kinds
            .get(i)
            .copied()
            .flatten()
            .and_then(kinds::get)
            .is_some_and(|k| k.graded)
    }

    fn class(&self, e: &Entity) -> (SupervisionClass, bool) {
        let c = classify(e, self.ctx.today);
        (c.class, c.also_key)
    }

    /// A plain general unit: producing, not excluded, not on the positive list.
    fn plain_general(&mut self) -> Option<usize> {
        let today = self.ctx.today;
        self.choose(|e, _| {
            e.exclusion.is_none()
                && !e.positive_list
                && e.target_types.contains(&TargetType::Polluter)
                && classify(e, today).class == SupervisionClass::General
        })
    }
}

pub fn ensure_variety(ctx: &mut Ctx, generated: &mut Generated) {
    let mut f = Fixer {
        ctx,
        entities: &mut generated.entities,
        kinds: &generated.kinds,
    };
    exclusions(&mut f);
    rivers(&mut f);
    records(&mut f);
    tiers(&mut f);
    classes(&mut f);
    towns(&mut f);
}

fn exclusions(f: &mut Fixer) {
    for reason in EXCLUSION_REASONS {
        if f.count(|e| e.exclusion.as_deref() == Some(*reason)) > 0 {
            continue;
        }
        if let Some(i) = f.choose(|e, _| e.exclusion.is_none() && !e.positive_list) {
            let e = &mut f.entities[i];
            e.exclusion = Some(reason.to_string());
            e.production = if *reason == "注销" {
                ProductionStatus::Closed
            } else {
                ProductionStatus::Suspended
            };
            e.production_months.clear();
        }
    }
    if f.count(|e| e.production == ProductionStatus::Seasonal) == 0
        && let Some(i) = f.choose(|e, _| e.exclusion.is_none())
    {
        f.entities[i].production = ProductionStatus::Seasonal;
        f.entities[i].production_months = BTreeSet::from([11, 12, 1, 2, 3]);
    }
}

fn rivers(f: &mut Fixer) {
    let outfall = |e: &Entity| e.target_types.contains(&TargetType::RiverOutfall);
    while f.count(outfall) < RIVERS.len() {
        let Some(i) = f.choose(|e, _| !outfall(e) && e.exclusion.is_none()) else {
            return;
        };
        let river = RIVERS[f.count(outfall) % RIVERS.len()];
        f.entities[i].target_types.insert(TargetType::RiverOutfall);
        f.entities[i].outfall_rivers = BTreeSet::from([river.to_string()]);
    }
    for river in RIVERS {
        let on = |e: &Entity, r: &str| e.outfall_rivers.iter().any(|x| x == r);
        if f.count(|e| on(e, river)) > 0 {
            continue;
        }
        // Move an outfall from a river that has more than one.
        let crowded: Vec<String> = RIVERS
            .iter()
            .filter(|r| f.count(|e| on(e, r)) > 1)
            .map(|r| r.to_string())
            .collect();
        if let Some(i) =
            f.choose(|e, _| outfall(e) && e.outfall_rivers.iter().all(|r| crowded.contains(r)))
        {
            f.entities[i].outfall_rivers = BTreeSet::from([river.to_string()]);
        }
    }
}

/// Grades, listings, notices, violations, EIA and permit classes, the positive list.
fn records(f: &mut Fixer) {
    for class in PermitClass::ALL {
        if f.count(|e| e.permit_class == Some(*class)) > 0 {
            continue;
        }
        let counts: Vec<usize> = PermitClass::ALL
            .iter()
            .map(|c| f.count(|e| e.permit_class == Some(*c)))
            .collect();
        let spare = |e: &Entity| match e.permit_class {
            None => true,
            Some(c) => PermitClass::ALL
                .iter()
                .position(|x| *x == c)
                .is_some_and(|p| counts[p] > 1),
        };
        if let Some(i) = f.choose(|e, _| e.target_types.contains(&TargetType::Polluter) && spare(e))
        {
            f.entities[i].permit_class = Some(*class);
        }
    }
    for grade in PerfGrade::ALL {
        if f.count(|e| e.perf_grade == *grade) > 0 {
            continue;
        }
        let counts: Vec<usize> = PerfGrade::ALL
            .iter()
            .map(|g| f.count(|e| e.perf_grade == *g))
            .collect();
        let spare = |e: &Entity| {
            PerfGrade::ALL
                .iter()
                .position(|g| *g == e.perf_grade)
                .is_some_and(|p| counts[p] > 1)
        };
        let graded: Vec<bool> = (0..f.entities.len()).map(|i| f.graded(i)).collect();
        if let Some(i) = f.choose(|e, i| graded[i] && spare(e)) {
            f.entities[i].perf_grade = *grade;
        }
    }
    for level in Level::ALL {
        if f.count(|e| e.supervised_listing == Some(*level)) == 0
            && let Some(i) = f.choose(|e, _| e.supervised_listing.is_none() && !e.positive_list)
        {
            f.entities[i].supervised_listing = Some(*level);
        }
        if f.count(|e| e.exceedance_notice == Some(*level)) == 0
            && let Some(i) = f.choose(|e, _| {
                e.exceedance_notice.is_none()
                    && (e.target_types.contains(&TargetType::Polluter)
                        || e.target_types.contains(&TargetType::SewagePlant))
                    && !e.positive_list
            })
        {
            f.entities[i].exceedance_notice = Some(*level);
        }
    }
    let today = f.ctx.today;
    let recent = |e: &Entity| {
        e.violation_date
            .is_some_and(|d| (today - d).num_days() < 360)
    };
    let older = |e: &Entity| {
        e.violation_date
            .is_some_and(|d| (today - d).num_days() >= 370)
    };
    for (want_recent, lo, hi) in [(true, -300, -10), (false, -700, -400)] {
        let present = if want_recent {
            f.count(recent)
        } else {
            f.count(older)
        };
        if present == 0
            && let Some(i) = f.choose(|e, _| e.violation_date.is_none() && !e.positive_list)
        {
            f.entities[i].violation_date = Some(f.ctx.days_from_today(lo, hi));
        }
    }
    for class in EiaClass::ALL {
        if f.count(|e| e.eia_classes.contains(class)) == 0
            && let Some(i) = f.choose(|e, _| e.target_types.contains(&TargetType::Polluter))
        {
            f.entities[i].eia_classes.insert(*class);
        }
    }
}

fn tiers(f: &mut Fixer) {
    let all: Vec<Option<CreditTier>> = std::iter::once(None)
        .chain(CreditTier::ALL.iter().copied().map(Some))
        .collect();
    for tier in &all {
        if f.count(|e| e.credit_tier == *tier) > 0 {
            continue;
        }
        let counts: Vec<usize> = all
            .iter()
            .map(|t| f.count(|e| e.credit_tier == *t))
            .collect();
        let spare = |e: &Entity| {
            all.iter()
                .position(|t| *t == e.credit_tier)
                .is_some_and(|p| counts[p] > 1)
        };
        if let Some(i) = f.choose(|e, _| spare(e) && !e.positive_list) {
            f.entities[i].credit_tier = *tier;
        }
    }
    if f.count(|e| e.positive_list) == 0
        && let Some(i) = f.plain_general()
    {
        f.entities[i].positive_list = true;
        f.entities[i].credit_tier = Some(CreditTier::Low);
    }
}

/// Special (with and without key), key and general: each present.
fn classes(f: &mut Fixer) {
    let has = |f: &Fixer, class: SupervisionClass, also_key: bool| {
        f.entities.iter().any(|e| f.class(e) == (class, also_key))
    };
    if !has(f, SupervisionClass::Special, true)
        && let Some(i) = f.plain_general()
    {
        f.entities[i].key_polluter_list = true;
        f.entities[i].supervised_listing = Some(Level::City);
    }
    if !has(f, SupervisionClass::Special, false)
        && let Some(i) = f.plain_general()
    {
        f.entities[i].violation_date = Some(f.ctx.days_from_today(-200, -20));
    }
    if !has(f, SupervisionClass::Key, true)
        && let Some(i) = f.plain_general()
    {
        f.entities[i].permit_class = Some(PermitClass::Key);
    }
    if !has(f, SupervisionClass::General, false) {
        let today = f.ctx.today;
        if let Some(i) = f.choose(|e, _| classify(e, today).class == SupervisionClass::Key) {
            f.entities[i].key_polluter_list = false;
            f.entities[i].permit_class = Some(PermitClass::Simplified);
        }
    }
}

fn towns(f: &mut Fixer) {
    for town in TOWNS {
        if f.count(|e| e.town == *town) > 0 {
            continue;
        }
        let counts: Vec<usize> = TOWNS.iter().map(|t| f.count(|e| e.town == *t)).collect();
        let spare = |e: &Entity| {
            TOWNS
                .iter()
                .position(|t| *t == e.town)
                .is_some_and(|p| counts[p] > 1)
        };
        if let Some(i) = f.choose(|e, _| spare(e)) {
            let address = f.ctx.address(town);
            f.entities[i].town = town.to_string();
            f.entities[i].address = address;
        }
    }
}
