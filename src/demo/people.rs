//! The inspector library and the demo logins.

use std::collections::{BTreeSet, HashSet};

use rand::Rng;

use crate::domain::entity::Entity;
use crate::domain::inspector::{BUREAU, Conflict, Inspector, Leave};
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::vocab::{Expertise, TargetType};

use super::ctx::{Ctx, Person};
use super::words::{CONFLICT_REASONS, TOWNS};

/// The water-resources bureau, which joins the river-outfall task.
pub const WATER_BUREAU: &str = "水利局";
/// The housing and construction bureau, which joins the sewage-plant task.
pub const HOUSING_BUREAU: &str = "住建局";

use Expertise::{Air, General, Noise, Radiation, Soil, SolidWaste, Vehicle, Water};

/// The roster: (code, department, unit, expertise).
const ROSTER: &[(&str, &str, &str, &[Expertise])] = &[
    ("YC-001", BUREAU, "综合行政执法队", &[Air, General]),
    ("YC-002", BUREAU, "综合行政执法队", &[Water, General]),
    ("YC-003", BUREAU, "综合行政执法队", &[SolidWaste, Air]),
    ("YC-004", BUREAU, "综合行政执法队", &[Air, Noise]),
    ("YC-005", BUREAU, "综合行政执法队", &[Water, Soil]),
    ("YC-006", BUREAU, "综合行政执法队", &[General]),
    ("YC-007", BUREAU, "综合行政执法队", &[Air, Water]),
    ("YC-008", BUREAU, "综合行政执法队", &[SolidWaste, General]),
    ("YC-009", BUREAU, "综合行政执法队", &[Air, Vehicle]),
    ("YC-010", BUREAU, "大气环境股", &[Air]),
    ("YC-011", BUREAU, "大气环境股", &[Air, Radiation]),
    ("YC-012", BUREAU, "大气环境股", &[Air, General]),
    ("YC-013", BUREAU, "水和土壤生态环境股", &[Water, Soil]),
    ("YC-014", BUREAU, "水和土壤生态环境股", &[Water]),
    ("YC-015", BUREAU, "水和土壤生态环境股", &[Soil, SolidWaste]),
    ("YC-016", BUREAU, "辐射安全股", &[Radiation, General]),
    ("YC-017", BUREAU, "辐射安全股", &[Radiation]),
    ("YC-018", BUREAU, "辐射安全股", &[Radiation, Air]),
    ("YC-019", BUREAU, "机动车尾气管理中心", &[Vehicle, Air]),
    ("YC-020", BUREAU, "机动车尾气管理中心", &[Vehicle]),
    ("YC-021", BUREAU, "机动车尾气管理中心", &[Vehicle, General]),
    ("YC-022", BUREAU, "固体废物中心", &[SolidWaste]),
    ("YC-023", BUREAU, "固体废物中心", &[SolidWaste, Soil]),
    ("YC-024", BUREAU, "固体废物中心", &[SolidWaste, Radiation]),
    ("SL-001", WATER_BUREAU, "水政监察大队", &[Water]),
    ("SL-002", WATER_BUREAU, "水政监察大队", &[Water, General]),
    ("SL-003", WATER_BUREAU, "河湖管理股", &[Water]),
    ("ZJ-001", HOUSING_BUREAU, "城建监察大队", &[Water, General]),
    ("ZJ-002", HOUSING_BUREAU, "市政公用事业服务中心", &[Water]),
    ("ZJ-003", HOUSING_BUREAU, "城建监察大队", &[General]),
];

/// Officers whose certificate has expired / expires within 60 days.
const EXPIRED: &[&str] = &["YC-006"];
const EXPIRING: &[&str] = &["YC-004", "SL-003"];
/// Officers not on duty (借调, 长期病休).
const OFF_DUTY: &[&str] = &["YC-008", "YC-014"];
/// Leave periods (days from today, inclusive): (code, from, to, reason).
const LEAVES: &[(&str, i64, i64, &str)] = &[
    ("YC-002", -3, 4, "病假"),
    ("YC-012", 7, 16, "年休假"),
    ("YC-015", -45, -41, "培训"),
    ("YC-015", 20, 24, "事假"),
    ("YC-022", -40, -36, "培训"),
    ("ZJ-002", -1, 2, "事假"),
];
/// Officers with a declared conflict of interest, and the kind of unit it concerns.
const CONFLICTS: &[(&str, TargetType)] = &[
    ("YC-003", TargetType::Polluter),
    ("YC-010", TargetType::Polluter),
    ("SL-001", TargetType::RiverOutfall),
];
/// The officer who is also a lead (执法队队长).
const LEAD_OFFICER: &str = "YC-001";

/// Certificate number prefix by department.
fn cert_prefix(department: &str) -> &'static str {
    match department {
        WATER_BUREAU => "14052201",
        HOUSING_BUREAU => "14052202",
        _ => "14052200",
    }
}

pub fn departments() -> Vec<String> {
    [BUREAU, WATER_BUREAU, HOUSING_BUREAU]
        .iter()
        .map(|d| d.to_string())
        .collect()
}

/// The inspectors and, in the same order, the people they are (for logins).
pub fn inspectors(ctx: &mut Ctx, entities: &[Entity]) -> (Vec<Inspector>, Vec<Person>) {
    let mut out = Vec::new();
    let mut people = Vec::new();
    let mut names = HashSet::new();
    let mut certs = HashSet::new();
    for (i, (code, department, unit, expertise)) in ROSTER.iter().enumerate() {
        let person = loop {
            let p = ctx.person();
            if names.insert(p.name.clone()) {
                break p;
            }
        };
        let cert_no = loop {
            let n = format!(
                "{}{:04}",
                cert_prefix(department),
                ctx.rng.random_range(0..10_000)
            );
            if certs.insert(n.clone()) {
                break n;
            }
        };
        let expiry = if EXPIRED.contains(code) {
            ctx.days_from_today(-90, -5)
        } else if EXPIRING.contains(code) {
            ctx.days_from_today(5, 55)
        } else {
            ctx.days_from_today(365, 4 * 365)
        };
        // Consecutive runs of towns, starting two apart, cover the whole county.
        let len = ctx.rng.random_range(2..=4);
        let areas: BTreeSet<String> = (0..len)
            .map(|k| TOWNS[(2 * i + k) % TOWNS.len()].to_string())
            .collect();
        let leaves = LEAVES
            .iter()
            .filter(|(c, ..)| c == code)
            .map(|&(_, from, to, reason)| Leave {
                from: ctx.shift(from),
                to: ctx.shift(to),
                reason: reason.to_string(),
            })
            .collect();
        let conflicts = CONFLICTS
            .iter()
            .filter(|(c, _)| c == code)
            .filter_map(|(_, kind)| conflict(ctx, entities, &areas, *kind))
            .collect();
        out.push(Inspector {
            code: code.to_string(),
            name: person.name.clone(),
            cert_no,
            cert_expiry: Some(expiry),
            department: department.to_string(),
            unit: unit.to_string(),
            expertise: expertise.iter().copied().collect(),
            areas,
            on_duty: !OFF_DUTY.contains(code),
            phone: ctx.mobile(),
            leaves,
            conflicts,
        });
        people.push(person);
    }
    (out, people)
}

/// A conflict with a unit of the kind in the officer's towns (anywhere, if none there).
fn conflict(
    ctx: &mut Ctx,
    entities: &[Entity],
    areas: &BTreeSet<String>,
    kind: TargetType,
) -> Option<Conflict> {
    let fits = |e: &Entity| e.target_types.contains(&kind) && e.exclusion.is_none();
    let mut found: Vec<&Entity> = entities
        .iter()
        .filter(|e| fits(e) && areas.contains(&e.town))
        .collect();
    if found.is_empty() {
        found = entities.iter().filter(|e| fits(e)).collect();
    }
    if found.is_empty() {
        return None;
    }
    let e = found.get(ctx.rng.random_range(0..found.len()))?;
    Some(Conflict {
        entity: e.id().to_string(),
        reason: ctx.pick(CONFLICT_REASONS).to_string(),
    })
}

/// Demo logins: one per office role, and inspectors linked to their records.
pub fn users(ctx: &mut Ctx, inspectors: &[Inspector], people: &[Person]) -> Vec<User> {
    let mut logins: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    let mut add = |login: String, name: String, roles: &[Role], inspector: Option<String>| {
        let mut login = login;
        let base = login.clone();
        let mut n = 2;
        while !logins.insert(login.clone()) {
            login = format!("{base}{n}");
            n += 1;
        }
        out.push(User {
            login,
            name,
            roles: roles.iter().copied().collect(),
            inspector,
            active: true,
        });
    };
    for (login, surname, role) in [
        ("admin.li", "李", Role::Admin),
        ("lead.liu", "刘", Role::Lead),
        ("principal.wang", "王", Role::Principal),
        ("observer.chen", "陈", Role::Observer),
    ] {
        // Office staff are not the officers of the same name.
        let name = loop {
            let (given, _) = ctx.given_name();
            let name = format!("{surname}{given}");
            if inspectors.iter().all(|o| o.name != name) {
                break name;
            }
        };
        add(login.to_string(), name, &[role], None);
    }
    // Every officer has a login (谁检查、谁录入: results are entered by the team itself).
    for (i, officer) in inspectors.iter().enumerate() {
        let code = officer.code.as_str();
        let Some(p) = people.get(i) else {
            continue;
        };
        let roles: &[Role] = if code == LEAD_OFFICER {
            &[Role::Inspector, Role::Lead]
        } else {
            &[Role::Inspector]
        };
        add(
            format!("{}.{}", p.surname_pinyin, p.given_pinyin),
            inspectors[i].name.clone(),
            roles,
            Some(code.to_string()),
        );
    }
    out
}
