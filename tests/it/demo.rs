//! The demo county (示例数据): what it promises, checked through the public API only.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use shuangsuiji::demo::{DEMO_LABEL, DemoCounty, TOWNS, demo_county, summary};
use shuangsuiji::domain::classification::{SupervisionClass, classify};
use shuangsuiji::domain::entity::{EXCLUSION_REASONS, RIVERS};
use shuangsuiji::domain::inspector::BUREAU;
use shuangsuiji::domain::plan::seed_plans;
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::uscc;
use shuangsuiji::domain::vocab::{CreditTier, Expertise, ProductionStatus, TargetType};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// A few dates, including a leap day and year ends, each giving its own county.
fn dates() -> Vec<NaiveDate> {
    [
        "2024-02-29",
        "2025-12-31",
        "2026-05-01",
        "2027-01-01",
        "2030-07-15",
    ]
    .into_iter()
    .map(day)
    .collect()
}

fn counties() -> Vec<(NaiveDate, DemoCounty)> {
    dates().into_iter().map(|d| (d, demo_county(d))).collect()
}

#[test]
fn the_same_date_gives_the_same_county() {
    for d in dates() {
        assert_eq!(demo_county(d), demo_county(d), "{d}");
    }
    let a = demo_county(day("2026-05-01"));
    let b = demo_county(day("2026-05-02"));
    assert_ne!(a.entities, b.entities, "another date draws another county");
}

#[test]
fn about_six_hundred_entities_with_unique_ids() {
    for (d, c) in counties() {
        let n = c.entities.len();
        assert!((550..=650).contains(&n), "{d}: {n} entities");
        let ids: BTreeSet<&str> = c.entities.iter().map(|e| e.id()).collect();
        assert_eq!(ids.len(), n, "{d}: ids are unique");
        assert!(!ids.contains(""), "{d}: every entity has an id");
    }
}

#[test]
fn every_uscc_is_valid_and_canonical_and_local() {
    for (d, c) in counties() {
        for e in &c.entities {
            if let Some(code) = &e.uscc {
                assert_eq!(
                    uscc::parse(code).as_deref(),
                    Ok(code.as_str()),
                    "{d} {}",
                    e.name
                );
                assert_eq!(&code[2..8], "140522", "{} is registered in 阳城县", e.name);
            }
        }
    }
}

#[test]
fn non_road_machines_have_registry_codes_and_owners() {
    let c = demo_county(day("2026-05-01"));
    let machines: Vec<_> = c
        .entities
        .iter()
        .filter(|e| e.target_types.contains(&TargetType::NonRoadMachine))
        .collect();
    assert!(machines.len() >= 50, "{}", machines.len());
    for m in machines {
        assert!(m.uscc.is_none(), "{}", m.name);
        let code = m.registry_code.as_deref().unwrap_or_default();
        assert!(code.starts_with("FDL-140522-"), "{code}");
        assert!(!m.owner.is_empty(), "{code} has an owner");
        assert!(m.name.contains('（'), "{} names its model", m.name);
        // A company owner has a valid USCC (its own in the library, if it is there); a
        // person has none.
        match c.entities.iter().find(|e| e.name == m.owner) {
            Some(unit) => assert_eq!(m.owner_uscc, unit.uscc, "{code}: the owner's own code"),
            None => assert_eq!(
                m.owner_uscc.is_some(),
                m.owner.ends_with("公司"),
                "{code}: {}",
                m.owner
            ),
        }
        if let Some(u) = &m.owner_uscc {
            assert_eq!(uscc::parse(u).as_deref(), Ok(u.as_str()), "{code}");
        }
    }
    let with_uscc = c.entities.iter().filter(|e| e.owner_uscc.is_some()).count();
    assert!(with_uscc >= 20, "{with_uscc} machines with an owner's USCC");
}

#[test]
fn every_type_class_and_tier_is_present() {
    for (d, c) in counties() {
        for t in TargetType::ALL {
            let n = c
                .entities
                .iter()
                .filter(|e| e.target_types.contains(t))
                .count();
            assert!(n > 0, "{d}: no {t}");
        }
        let classes: Vec<_> = c.entities.iter().map(|e| classify(e, d)).collect();
        for class in SupervisionClass::ALL {
            assert!(
                classes.iter().any(|x| x.class == class),
                "{d}: no {class:?}"
            );
        }
        assert!(
            classes
                .iter()
                .any(|x| x.class == SupervisionClass::Special && x.also_key),
            "{d}: no special entity that is also key"
        );
        for tier in CreditTier::ALL.iter().copied().map(Some).chain([None]) {
            assert!(
                c.entities.iter().any(|e| e.credit_tier == tier),
                "{d}: no {tier:?}"
            );
        }
    }
}

#[test]
fn the_mix_is_roughly_a_real_county() {
    for (d, c) in counties() {
        let n = c.entities.len() as f64;
        let count = |t: TargetType| {
            c.entities
                .iter()
                .filter(|e| e.target_types.contains(&t))
                .count()
        };
        assert!((420..=520).contains(&count(TargetType::Polluter)), "{d}");
        assert!((15..=40).contains(&count(TargetType::Radiation)), "{d}");
        assert!((20..=45).contains(&count(TargetType::RiverOutfall)), "{d}");
        assert!((40..=90).contains(&count(TargetType::SolidWaste)), "{d}");
        let share = |class| {
            c.entities
                .iter()
                .filter(|e| classify(e, d).class == class)
                .count() as f64
                / n
        };
        let (key, special) = (
            share(SupervisionClass::Key),
            share(SupervisionClass::Special),
        );
        assert!((0.07..=0.18).contains(&key), "{d}: key {key}");
        assert!((0.05..=0.16).contains(&special), "{d}: special {special}");
    }
}

#[test]
fn both_rivers_have_outfalls_and_only_outfall_units_name_rivers() {
    for (d, c) in counties() {
        for river in RIVERS {
            assert!(
                c.entities.iter().any(|e| e.outfall_rivers.contains(*river)),
                "{d}: {river}"
            );
        }
        for e in &c.entities {
            let outfall = e.target_types.contains(&TargetType::RiverOutfall);
            assert_eq!(outfall, !e.outfall_rivers.is_empty(), "{d}: {}", e.name);
            assert!(
                e.outfall_rivers
                    .iter()
                    .all(|r| RIVERS.contains(&r.as_str()))
            );
        }
    }
}

#[test]
fn every_town_has_entities_and_an_inspector() {
    assert_eq!(TOWNS.len(), 17);
    for (d, c) in counties() {
        for town in TOWNS {
            assert!(
                c.entities.iter().any(|e| e.town == *town),
                "{d}: no entity in {town}"
            );
            assert!(
                c.inspectors.iter().any(|o| o.areas.contains(*town)),
                "{d}: nobody covers {town}"
            );
        }
        for e in &c.entities {
            assert!(TOWNS.contains(&e.town.as_str()), "{}", e.town);
        }
        for o in &c.inspectors {
            assert!((2..=4).contains(&o.areas.len()), "{}", o.code);
        }
    }
}

#[test]
fn every_exclusion_reason_appears_and_seasonal_units_have_months() {
    for (d, c) in counties() {
        for reason in EXCLUSION_REASONS {
            assert!(
                c.entities
                    .iter()
                    .any(|e| e.exclusion.as_deref() == Some(*reason)),
                "{d}: {reason}"
            );
        }
        let seasonal: Vec<_> = c
            .entities
            .iter()
            .filter(|e| e.production == ProductionStatus::Seasonal)
            .collect();
        assert!(!seasonal.is_empty(), "{d}");
        for e in seasonal {
            assert!(!e.production_months.is_empty(), "{}", e.name);
            assert!(e.production_months.iter().all(|m| (1..=12).contains(m)));
        }
        for e in &c.entities {
            if e.production != ProductionStatus::Seasonal {
                assert!(e.production_months.is_empty(), "{}", e.name);
            }
        }
    }
}

#[test]
fn every_entity_is_labelled_as_demo_data() {
    for (_, c) in counties() {
        assert!(c.entities.iter().all(|e| e.note == DEMO_LABEL));
    }
}

#[test]
fn violations_fall_in_the_last_two_years_and_some_in_the_last_twelve_months() {
    for (d, c) in counties() {
        let ages: Vec<i64> = c
            .entities
            .iter()
            .filter_map(|e| e.violation_date)
            .map(|v| (d - v).num_days())
            .collect();
        assert!(ages.iter().all(|a| (1..=730).contains(a)), "{d}: {ages:?}");
        assert!(ages.iter().any(|a| *a < 365), "{d}");
        assert!(ages.iter().any(|a| *a > 365), "{d}");
    }
}

#[test]
fn conflicts_and_user_links_point_at_real_records() {
    for (d, c) in counties() {
        let ids: BTreeSet<&str> = c.entities.iter().map(|e| e.id()).collect();
        let conflicts: Vec<_> = c.inspectors.iter().flat_map(|o| &o.conflicts).collect();
        assert!(conflicts.len() >= 2, "{d}");
        for k in conflicts {
            assert!(ids.contains(k.entity.as_str()), "{d}: {}", k.entity);
            assert!(!k.reason.is_empty());
        }
        let codes: BTreeSet<&str> = c.inspectors.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(
            codes.len(),
            c.inspectors.len(),
            "inspector codes are unique"
        );
        let linked: Vec<_> = c
            .users
            .iter()
            .filter_map(|u| u.inspector.as_deref())
            .collect();
        let distinct: BTreeSet<&str> = linked.iter().copied().collect();
        assert_eq!(
            (linked.len(), distinct.len()),
            (c.inspectors.len(), c.inspectors.len()),
            "{d}: every officer has exactly one login"
        );
        for code in linked {
            assert!(codes.contains(code), "{d}: {code}");
        }
        let users_named: BTreeMap<&str, &str> = c
            .users
            .iter()
            .filter_map(|u| Some((u.inspector.as_deref()?, u.name.as_str())))
            .collect();
        for o in &c.inspectors {
            if let Some(name) = users_named.get(o.code.as_str()) {
                assert_eq!(*name, o.name, "a linked login carries the officer's name");
            }
        }
    }
}

#[test]
fn every_role_has_an_active_ascii_login() {
    let c = demo_county(day("2026-05-01"));
    for role in Role::ALL {
        assert!(c.users.iter().any(|u| u.roles.contains(&role)), "{role:?}");
    }
    assert!(
        c.users
            .iter()
            .any(|u| u.inspector.is_some() && u.roles.contains(&Role::Lead)),
        "one inspector is also a lead"
    );
    let logins: BTreeSet<&str> = c.users.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins.len(), c.users.len());
    for u in &c.users {
        assert!(u.active);
        assert_eq!(
            shuangsuiji::domain::user::parse_login(&u.login).as_deref(),
            Ok(u.login.as_str())
        );
    }
    for login in ["lead.liu", "principal.wang", "observer.chen", "admin.li"] {
        assert!(logins.contains(login), "{login}");
    }
}

#[test]
fn departments_cover_the_inspectors_and_the_plans_partners() {
    let d = day("2026-05-01");
    let c = demo_county(d);
    assert!(c.departments.iter().any(|x| x == BUREAU));
    for o in &c.inspectors {
        assert!(c.departments.contains(&o.department), "{}", o.department);
    }
    for plan in seed_plans(2026) {
        for task in &plan.tasks {
            for dept in &task.cooperating_departments {
                assert!(c.departments.contains(dept), "{}: {dept}", task.code);
                let ready = c
                    .inspectors
                    .iter()
                    .filter(|o| o.department == *dept && o.on_duty && o.certified_on(d))
                    .count();
                assert!(
                    ready >= 2,
                    "{}: {dept} has {ready} certified officers",
                    task.code
                );
            }
            let population = c
                .entities
                .iter()
                .filter(|e| e.exclusion.is_none())
                .filter(|e| task.target_types.iter().any(|t| e.target_types.contains(t)))
                .count();
            assert!(population > 0, "{} has units to draw", task.code);
        }
    }
}

#[test]
fn certificates_leave_and_expertise_make_a_workable_roster() {
    for (d, c) in counties() {
        assert!((28..=34).contains(&c.inspectors.len()));
        for dept in ["水利局", "住建局"] {
            assert!(c.inspectors.iter().filter(|o| o.department == dept).count() >= 3);
        }
        let expired = c.inspectors.iter().filter(|o| !o.certified_on(d)).count();
        let soon = c
            .inspectors
            .iter()
            .filter(|o| o.certified_on(d) && !o.certified_on(d + Days::new(60)))
            .count();
        assert_eq!((expired, soon), (1, 2), "{d}");
        let off = c.inspectors.iter().filter(|o| !o.on_duty).count();
        assert!((1..=2).contains(&off), "{d}");
        assert!(
            c.inspectors.iter().any(|o| o.on_leave(d)),
            "{d}: someone is on leave today"
        );
        for skill in [
            Expertise::Air,
            Expertise::Water,
            Expertise::SolidWaste,
            Expertise::Radiation,
            Expertise::Vehicle,
        ] {
            let ready = c
                .inspectors
                .iter()
                .filter(|o| {
                    o.expertise.contains(&skill) && o.on_duty && o.certified_on(d) && !o.on_leave(d)
                })
                .count();
            assert!(ready >= 3, "{d}: {skill} has {ready} officers ready");
        }
        let certs: BTreeSet<&str> = c.inspectors.iter().map(|o| o.cert_no.as_str()).collect();
        assert_eq!(
            certs.len(),
            c.inspectors.len(),
            "certificate numbers are unique"
        );
    }
}

#[test]
fn the_summary_matches_the_county() {
    let d = day("2026-05-01");
    let c = demo_county(d);
    let s = summary(&c, d);
    assert_eq!(s.entities, c.entities.len());
    for (t, n) in &s.by_type {
        assert_eq!(
            *n,
            c.entities
                .iter()
                .filter(|e| e.target_types.contains(t))
                .count()
        );
    }
    let special_key = c
        .entities
        .iter()
        .map(|e| classify(e, d))
        .filter(|x| x.class == SupervisionClass::Special && x.also_key)
        .count();
    assert_eq!(s.special_also_key, special_key);
    assert!(s.special_also_key > 0);
    assert_eq!(s.inspectors, c.inspectors.len());
    assert_eq!(s.users, c.users.len());
}
