//! Unit tests of the generator's internals; the public promises are in `tests/it/demo.rs`.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::ctx::Ctx;
use super::entities::generate;
use super::kinds;
use super::variety::ensure_variety;
use super::*;
use crate::domain::classification::{SupervisionClass, classify};
use crate::domain::entity::{EXCLUSION_REASONS, RIVERS};
use crate::domain::vocab::{
    CreditTier, EiaClass, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// Everything the demo promises to show; empty when it shows all of it.
fn missing(entities: &[Entity], today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            out.push(what.to_string());
        }
    };
    let any = |p: &dyn Fn(&Entity) -> bool| entities.iter().any(p);
    for t in TargetType::ALL {
        need(any(&|e| e.target_types.contains(t)), t.label());
    }
    let classes: BTreeSet<(SupervisionClass, bool)> = entities
        .iter()
        .map(|e| {
            let c = classify(e, today);
            (c.class, c.also_key)
        })
        .collect();
    for c in [
        (SupervisionClass::Special, true),
        (SupervisionClass::Special, false),
        (SupervisionClass::Key, true),
        (SupervisionClass::General, false),
    ] {
        need(classes.contains(&c), &format!("{c:?}"));
    }
    for t in CreditTier::ALL.iter().copied().map(Some).chain([None]) {
        need(any(&|e| e.credit_tier == t), &format!("{t:?}"));
    }
    for g in PerfGrade::ALL {
        need(any(&|e| e.perf_grade == *g), g.label());
    }
    for l in Level::ALL {
        need(any(&|e| e.supervised_listing == Some(*l)), "挂牌督办");
        need(any(&|e| e.exceedance_notice == Some(*l)), "超标通报");
    }
    for c in EiaClass::ALL {
        need(any(&|e| e.eia_classes.contains(c)), c.label());
    }
    for c in PermitClass::ALL {
        need(any(&|e| e.permit_class == Some(*c)), c.label());
    }
    for r in EXCLUSION_REASONS {
        need(any(&|e| e.exclusion.as_deref() == Some(*r)), r);
    }
    for r in RIVERS {
        need(any(&|e| e.outfall_rivers.contains(*r)), r);
    }
    for t in TOWNS {
        need(any(&|e| e.town == *t), t);
    }
    need(any(&|e| e.positive_list), "正面清单");
    need(
        any(&|e| e.production == ProductionStatus::Seasonal),
        "季节性",
    );
    let recent = |e: &Entity| {
        e.violation_date
            .is_some_and(|d| (today - d).num_days() < 360)
    };
    let older = |e: &Entity| {
        e.violation_date
            .is_some_and(|d| (today - d).num_days() > 370)
    };
    need(any(&recent), "近12个月处罚");
    need(any(&older), "12个月前处罚");
    out
}

#[test]
fn the_generator_shows_everything_on_many_dates() {
    let mut d = day("2019-01-01");
    while d < day("2032-01-01") {
        let county = demo_county(d);
        assert_eq!(missing(&county.entities, d), Vec::<String>::new(), "{d}");
        d = d + chrono::Days::new(97);
    }
}

#[test]
fn ensure_variety_repairs_a_bland_county() {
    let today = day("2026-05-01");
    let mut ctx = Ctx::new(today);
    let mut generated = generate(&mut ctx);
    for e in &mut generated.entities {
        e.permit_class = None;
        e.key_polluter_list = false;
        e.perf_grade = PerfGrade::Ungraded;
        e.supervised_listing = None;
        e.exceedance_notice = None;
        e.violation_date = None;
        e.positive_list = false;
        e.eia_classes.clear();
        e.credit_tier = Some(CreditTier::Normal);
        e.production = ProductionStatus::Normal;
        e.production_months.clear();
        e.exclusion = None;
        e.outfall_rivers.clear();
        e.target_types.remove(&TargetType::RiverOutfall);
        e.town = "凤城镇".to_string();
    }
    assert!(!missing(&generated.entities, today).is_empty());
    ensure_variety(&mut ctx, &mut generated);
    assert_eq!(missing(&generated.entities, today), Vec::<String>::new());
}

#[test]
fn kinds_are_well_formed() {
    for k in kinds::all() {
        assert!(!k.names.is_empty(), "{}", k.tag);
        assert!(k.count > 0, "{}", k.tag);
        assert!(k.permit.iter().sum::<f64>() <= 1.0 + 1e-9, "{}", k.tag);
        assert!(k.names.iter().all(|(_, industry)| !industry.is_empty()));
        if let Some((months, _)) = k.seasonal {
            assert!(months.iter().all(|m| (1..=12).contains(m)), "{}", k.tag);
        }
    }
    let tags: BTreeSet<&str> = kinds::all().map(|k| k.tag).collect();
    assert_eq!(tags.len(), kinds::all().count(), "tags are unique");
}

#[test]
fn unit_names_are_unique_and_machines_repeat_only_models() {
    let county = demo_county(day("2026-05-01"));
    let units: Vec<&Entity> = county
        .entities
        .iter()
        .filter(|e| e.uscc.is_some())
        .collect();
    let names: BTreeSet<&str> = units.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), units.len());
    for e in &units {
        assert!(!e.name.contains('{'), "{}", e.name);
        assert!(
            e.name.starts_with("阳城") || e.name.starts_with("山西"),
            "{}",
            e.name
        );
        assert!(!e.industry.is_empty() && !e.contact.is_empty() && !e.phone.is_empty());
        assert!(
            e.address.starts_with(&format!("阳城县{}", e.town)),
            "{}",
            e.address
        );
    }
}

#[test]
fn registrant_prefixes_follow_the_name() {
    let county = demo_county(day("2026-05-01"));
    for e in &county.entities {
        let Some(code) = &e.uscc else { continue };
        match &code[..2] {
            "12" => assert!(e.name.ends_with("卫生院"), "{}", e.name),
            "93" => assert!(e.name.ends_with("合作社"), "{}", e.name),
            "92" => assert!(!e.name.contains("有限公司"), "{}", e.name),
            "91" => assert!(!e.name.ends_with("卫生院") && !e.name.ends_with("合作社")),
            other => panic!("unexpected prefix {other} on {}", e.name),
        }
    }
}

#[test]
fn summary_counts_add_up() {
    let today = day("2026-05-01");
    let county = demo_county(today);
    let s = summary(&county, today);
    assert_eq!(s.entities, county.entities.len());
    assert_eq!(s.by_class.iter().map(|(_, n)| n).sum::<usize>(), s.entities);
    assert_eq!(s.by_tier.iter().map(|(_, n)| n).sum::<usize>(), s.entities);
    assert_eq!(s.by_town.iter().map(|(_, n)| n).sum::<usize>(), s.entities);
    let text = s.to_string();
    assert!(
        text.contains("特殊监管对象") && text.contains("未分类"),
        "{text}"
    );
}
