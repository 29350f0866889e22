//! Properties of the draw (抽取), through the public domain API only: quotas, selection,
//! visits, teams and verification hold for random but valid libraries, plans, histories and
//! periods; a simulated year covers every key entity; a changed byte of a record is noticed.
//! Hand-computed quotas follow at the end.
//!
//! Case counts are kept moderate so the whole file runs in well under a minute in the debug
//! profile on two cores.

mod check;
mod strategies;

use std::collections::{BTreeSet, HashSet};

use proptest::prelude::*;
use shuangsuiji::domain::classification::{SupervisionClass, classify};
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::quota::History;
use shuangsuiji::domain::draw::record::{DrawRecord, Prepared, StratumSpec};
use shuangsuiji::domain::draw::verify::verify;
use shuangsuiji::domain::entity::Entity;
use shuangsuiji::domain::inspector::{BUREAU, Inspector, Leave};
use shuangsuiji::domain::plan::{
    Plan, PlanKind, SamplingLine, SamplingRule, Task, TierMultipliers, Window, seed_plans,
};
use shuangsuiji::domain::vocab::{
    CreditTier, Expertise, PermitClass, ProductionStatus, TargetType,
};

use check::{
    AREAS, Prep, change_byte, check_draw, positions, prepare_scenario, prepare_system,
    prepare_with, record_into, run,
};
use strategies::{
    Scenario, big_roster, day, entities, numbered, officer, scenario, uscc_for, year_parts,
};

fn run_scenario(sc: &Scenario) -> (Prep, DrawRecord) {
    let prepared = prepare_scenario(sc).expect("tasks in window prepare");
    let record = run(prepared.clone(), &sc.parts, &sc.system);
    (prepared, record)
}

proptest! {
    #![proptest_config(crate::proptest_config(128))]

    /// Quotas met exactly, selections from the population with priority first (checked against
    /// an independent ticket sort), caps respected, one visit per selected entity, valid teams,
    /// and a record that verifies.
    #[test]
    fn every_draw_keeps_its_rules(sc in scenario()) {
        let (_, record) = run_scenario(&sc);
        check_draw(
            sc.period,
            sc.prepared_on,
            &sc.entities,
            &sc.inspectors,
            &sc.history,
            sc.province_cap,
            &record,
        )?;
    }

    /// One changed letter or digit in `prepared`, `seed_parts`, a stratum's `selected` or
    /// `visits` of the record's JSON is always noticed (changes that no longer parse are
    /// skipped).
    #[test]
    fn a_changed_byte_is_noticed(
        sc in scenario(),
        changes in proptest::collection::vec((0usize..4, any::<proptest::sample::Index>(), 0usize..61), 6),
    ) {
        let (_, record) = run_scenario(&sc);
        prop_assert!(verify(&record).is_empty());
        let json = serde_json::to_string(&record).unwrap();
        let spots = positions(&json);
        for (area, at, pick) in changes {
            let area = (area..area + 4).map(|a| a % 4).find(|a| !spots[*a].is_empty());
            let Some(area) = area else { continue };
            let pos = *at.get(&spots[area]);
            let changed = change_byte(&json, pos, pick);
            let Ok(tampered) = serde_json::from_str::<DrawRecord>(&changed) else {
                continue;
            };
            prop_assert_ne!(&tampered, &record);
            let diffs = verify(&tampered);
            prop_assert!(
                !diffs.is_empty(),
                "byte {} in {} changed ({:?} → {:?}) and not noticed",
                pos,
                AREAS[area],
                &json[pos.saturating_sub(30)..(pos + 30).min(json.len())],
                &changed[pos.saturating_sub(30)..(pos + 30).min(changed.len())]
            );
        }
    }

    /// One changed letter or digit in a field outside `prepared`, `seed_parts`, `selected` and
    /// `visits` that the record alone re-computes (format, algorithm, period, the draw id's
    /// period, commitment, seed, seed sources, each stratum's task, label and quota) is noticed
    /// without a database. (Witnesses, run date, checkpoint and substitution reasons need the
    /// database: tests/it/draw_verify.rs changes each of them with the database available.)
    #[test]
    fn a_changed_byte_elsewhere_is_noticed(
        sc in scenario(),
        changes in proptest::collection::vec(
            (any::<proptest::sample::Index>(), any::<proptest::sample::Index>(), 0usize..61),
            6,
        ),
    ) {
        let (_, record) = run_scenario(&sc);
        let json = serde_json::to_value(&record).unwrap();
        let mut leaves: Vec<String> = ["/format", "/algorithm", "/period", "/draw_id", "/commitment", "/seed"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        leaves.extend((0..record.seed_sources.len()).map(|i| format!("/seed_sources/{i}")));
        for i in 0..record.strata.len() {
            leaves.extend(["task", "label", "quota"].map(|f| format!("/strata/{i}/{f}")));
        }
        let alnum: Vec<char> = ('0'..='9').chain('a'..='z').chain('A'..='Z').collect();
        for (leaf, at, pick) in changes {
            let path = at.get(&leaves);
            let mut v = json.clone();
            let slot = v.pointer_mut(path).unwrap();
            match slot.clone() {
                serde_json::Value::Number(n) => {
                    *slot = serde_json::Value::from(n.as_u64().unwrap() + 1 + pick as u64);
                }
                serde_json::Value::String(text) => {
                    let mut chars: Vec<char> = text.chars().collect();
                    // In the draw id only the period part is fixed by the record.
                    let end = if path == "/draw_id" { record.period.chars().count() } else { chars.len() };
                    let spots: Vec<usize> = (0..end).filter(|&i| chars[i].is_ascii_alphanumeric()).collect();
                    if spots.is_empty() {
                        continue;
                    }
                    let i = *leaf.get(&spots);
                    let others: Vec<char> = alnum.iter().copied().filter(|&c| c != chars[i]).collect();
                    chars[i] = others[pick % others.len()];
                    *slot = serde_json::Value::from(chars.into_iter().collect::<String>());
                }
                _ => continue,
            }
            let tampered: DrawRecord = serde_json::from_value(v).unwrap();
            prop_assert_ne!(&tampered, &record);
            prop_assert!(!verify(&tampered).is_empty(), "{} changed and not noticed", path);
        }
    }

    /// A task is refused for a quarter its windows do not touch; otherwise it prepares.
    #[test]
    fn tasks_prepare_exactly_in_their_windows(
        sc in scenario(),
        (period, on) in strategies::period(),
    ) {
        for (plan, task) in sc.all_tasks() {
            let got = prepare_with(
                period, on, vec![(plan, task)], &sc.entities, &sc.inspectors, &sc.history, None,
            );
            let in_window = task.lines.iter().any(|l| period.in_window(l.window));
            prop_assert_eq!(got.is_ok(), in_window, "{} in {}", &task.code, period);
        }
    }
}

proptest! {
    #![proptest_config(crate::proptest_config(48))]

    /// A year of NB-1 draws (Q1–Q4, history carried from quarter to quarter): each quarter keeps
    /// every rule, and by the end every key entity that was eligible in the window's last
    /// quarter has been drawn; no general unit more than twice, no non-special unit past the
    /// province's cap.
    #[test]
    fn a_year_of_draws_covers_every_key_entity(
        year in 2024i32..=2027,
        entities in entities(250),
        roster in big_roster(),
        province_cap in proptest::option::weighted(0.4, 1u32..=3),
        parts in year_parts(),
        offsets in proptest::collection::vec(0u64..=80, 4),
    ) {
        let plans = seed_plans(year);
        let nb1 = plans[1].tasks.iter().find(|t| t.code == "NB-1").unwrap();
        let mut h = History::default();
        let mut ons = Vec::new();
        for quarter in 1..=4 {
            let period = Period { year, quarter };
            let on = (period.first_day() + chrono::Days::new(offsets[quarter as usize - 1]))
                .min(period.last_day());
            let prepared = prepare_system(
                period, on, vec![(&plans[1], nb1)], &entities, &roster, &h, province_cap,
                &parts[(quarter as usize) % 4],
            ).unwrap();
            let people = &parts[quarter as usize - 1..quarter as usize];
            let record = run(prepared, people, &parts[(quarter as usize) % 4]);
            check_draw(period, on, &entities, &roster, &h, province_cap, &record)?;
            record_into(&mut h, &record);
            ons.push(on);
        }
        for e in &entities {
            let classes: Vec<_> = ons.iter().map(|d| classify(e, *d)).collect();
            let visits = h.random_visits.get(e.id()).copied().unwrap_or(0);
            let eligible_in_q4 = e.target_types.contains(&TargetType::Polluter)
                && e.exclusion.is_none()
                && (10..=12).any(|m| e.producing_in(m));
            if classes[3].also_key && eligible_in_q4 {
                prop_assert!(h.inspected.contains(e.id()), "key entity {} never drawn in {}", e.id(), year);
            }
            if classes.iter().all(|c| c.class == SupervisionClass::General) {
                prop_assert!(visits <= 2, "general {} drawn {} times", e.id(), visits);
            }
            if let Some(cap) = province_cap
                && classes.iter().all(|c| c.class != SupervisionClass::Special)
            {
                prop_assert!(visits <= cap, "{} drawn {} times past cap {}", e.id(), visits, cap);
            }
        }
    }
}

proptest! {
    #![proptest_config(crate::proptest_config(16))]

    /// A year of all nine seed tasks: each quarter keeps every rule; a 100 % or fixed-ratio task
    /// never draws a unit twice in the year, and by the end a 100 % task has drawn every unit
    /// still eligible for it in the window's last quarter; every key entity eligible for NB-1 in
    /// Q4 is covered.
    #[test]
    fn a_year_of_all_seed_tasks_spreads_and_covers(
        year in 2024i32..=2027,
        entities in entities(200),
        mut roster in big_roster(),
        extra in proptest::collection::vec(strategies::inspector(strategies::WATER), 2..=3),
        extra2 in proptest::collection::vec(strategies::inspector(strategies::HOUSING), 2..=3),
        parts in year_parts(),
    ) {
        for (n, (mut i, _)) in extra.into_iter().chain(extra2).enumerate() {
            i.code = format!("XT-{n:02}");
            i.name = format!("配合人员{n}");
            roster.push(i);
        }
        for (n, i) in roster.iter_mut().enumerate() {
            i.expertise.insert(match n % 3 {
                0 => Expertise::Radiation,
                1 => Expertise::Vehicle,
                _ => Expertise::Water,
            });
        }
        let plans = seed_plans(year);
        let tasks: Vec<(&Plan, &Task)> =
            plans.iter().flat_map(|p| p.tasks.iter().map(move |t| (p, t))).collect();
        let mut h = History::default();
        let mut drawn_by: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut last = None;
        for quarter in 1..=4 {
            let period = Period { year, quarter };
            let on = period.first_day();
            let prepared = prepare_system(
                period, on, tasks.clone(), &entities, &roster, &h, None,
                &parts[(quarter as usize) % 4],
            ).unwrap();
            let people = &parts[quarter as usize - 1..quarter as usize];
            let record = run(prepared.clone(), people, &parts[(quarter as usize) % 4]);
            check_draw(period, on, &entities, &roster, &h, None, &record)?;
            for v in &record.visits {
                for t in &v.tasks {
                    drawn_by.entry(t.clone()).or_default().push(v.entity.clone());
                }
            }
            record_into(&mut h, &record);
            last = Some(prepared);
        }
        let q4 = last.unwrap();
        for (_, t) in &tasks {
            let spread = t.lines.iter().all(|l| {
                matches!(l.rule, SamplingRule::Full | SamplingRule::FixedRatio { .. })
            });
            let got = drawn_by.get(&t.code).cloned().unwrap_or_default();
            if spread {
                let distinct: HashSet<&String> = got.iter().collect();
                prop_assert_eq!(distinct.len(), got.len(), "{} drew a unit twice", &t.code);
            }
            if t.lines.iter().all(|l| l.rule == SamplingRule::Full) {
                for s in q4.strata.iter().filter(|s| s.task == t.code) {
                    for id in &s.population {
                        prop_assert!(got.contains(id), "{} never drew {}", &t.code, id);
                    }
                }
            }
        }
        for e in &entities {
            let eligible_in_q4 = e.target_types.contains(&TargetType::Polluter)
                && e.exclusion.is_none()
                && (10..=12).any(|m| e.producing_in(m));
            if classify(e, q4.prepared_on.parse().unwrap()).also_key && eligible_in_q4 {
                prop_assert!(h.inspected.contains(e.id()), "key {} not covered", e.id());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-computed quotas

const Q2: Period = Period {
    year: 2026,
    quarter: 2,
};
const Q3: Period = Period {
    year: 2026,
    quarter: 3,
};
const Q4: Period = Period {
    year: 2026,
    quarter: 4,
};

fn on(p: Period) -> chrono::NaiveDate {
    p.first_day()
}

fn w(start_month: u32, end_month: u32) -> Window {
    Window {
        start_month,
        end_month,
    }
}

/// A plan of one task with one line.
fn one_task(rule: SamplingRule, window: Window, types: &[TargetType], m: TierMultipliers) -> Plan {
    Plan {
        code: "T".to_string(),
        year: 2026,
        name: "手算计划".to_string(),
        kind: PlanKind::Internal,
        source: "测试".to_string(),
        tier_multipliers: m,
        tasks: vec![Task {
            code: "T-1".to_string(),
            seq: 1,
            name: "手算任务".to_string(),
            inspection_type: String::new(),
            target_types: types.to_vec(),
            scope: String::new(),
            rivers: vec![],
            credit_requirement: String::new(),
            initiating_unit: BUREAU.to_string(),
            inspecting_body: BUREAU.to_string(),
            cooperating_departments: vec![],
            lines: vec![SamplingLine {
                items: vec!["1-2".to_string()],
                window,
                rule,
                rule_text: String::new(),
            }],
        }],
    }
}

fn by_class() -> SamplingRule {
    SamplingRule::ByClass {
        key_bp: 2500,
        special_bp: 3000,
        general_bp: 500,
    }
}

/// The one task of [`one_task`] over polluters by class, in a window of March to October.
fn polluter_plan() -> Plan {
    one_task(
        by_class(),
        w(3, 10),
        &[TargetType::Polluter],
        TierMultipliers::default(),
    )
}

/// The one task over radiation units: a quarter of the key ones, three general ones per
/// officer a year, March to October.
fn one_in_three_plan() -> Plan {
    one_task(
        SamplingRule::KeyAndOneInThree {
            key_bp: 2500,
            units_per_inspector: 3,
        },
        w(3, 10),
        &[TargetType::Radiation],
        TierMultipliers::default(),
    )
}

fn radiation(e: &mut Entity) {
    e.target_types = BTreeSet::from([TargetType::Radiation]);
}

/// A history in which the task drew `drawn` earlier this year, each randomly inspected
/// `visits` times.
fn drawn_earlier(drawn: &[Entity], visits: u32) -> History {
    let mut h = History::default();
    let ids: HashSet<String> = drawn.iter().map(|e| e.id().to_string()).collect();
    for id in &ids {
        h.random_visits.insert(id.clone(), visits);
    }
    h.inspected.extend(ids.iter().cloned());
    h.done_by_task.insert("T-1".to_string(), ids.clone());
    h.drawn_by_task.insert("T-1".to_string(), ids);
    h
}

/// `n` entities built by `make`, numbered from `from`.
fn units(from: usize, n: usize, make: impl Fn(&mut Entity)) -> Vec<Entity> {
    (from..from + n)
        .map(|i| {
            let mut e = Entity::named(&format!("单位{i}"), &uscc_for(i));
            e.town = "凤城镇".to_string();
            make(&mut e);
            e
        })
        .collect()
}

fn key(tier: Option<CreditTier>) -> impl Fn(&mut Entity) {
    move |e| {
        e.permit_class = Some(PermitClass::Key);
        e.credit_tier = tier;
    }
}

fn officers(n: usize) -> Vec<Inspector> {
    (0..n).map(|i| officer(i, true, BUREAU)).collect()
}

fn stratum<'a>(p: &'a Prepared, label: &str) -> &'a StratumSpec {
    p.strata
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| {
            panic!(
                "no stratum {label}: {:?}",
                p.strata.iter().map(|s| &s.label).collect::<Vec<_>>()
            )
        })
}

fn prepare_plan(
    plan: &Plan,
    period: Period,
    entities: &[Entity],
    inspectors: &[Inspector],
    h: &History,
) -> Prep {
    prepare_with(
        period,
        on(period),
        vec![(plan, &plan.tasks[0])],
        entities,
        inspectors,
        h,
        None,
    )
    .unwrap()
}

#[test]
fn key_entities_quarter_share_by_hand() {
    // 12 unrated key units at 25 % → 3; 12 较高风险 at 25 % × 2 = 50 % → 6; 12 低风险 → 3;
    // 12 一般风险 at 37.5 % → ⌈4.5⌉ = 5.
    let mut es = units(0, 12, key(None));
    es.extend(units(12, 12, key(Some(CreditTier::Elevated))));
    es.extend(units(24, 12, key(Some(CreditTier::Low))));
    es.extend(units(36, 12, key(Some(CreditTier::Normal))));
    let plan = polluter_plan();
    let p = prepare_plan(&plan, Q2, &es, &officers(4), &History::default());
    for (label, bp, quota) in [
        ("重点/未评级", 2500, 3),
        ("重点/较高风险", 5000, 6),
        ("重点/低风险", 2500, 3),
        ("重点/一般风险", 3750, 5),
    ] {
        let s = stratum(&p, label);
        assert_eq!(
            (s.ratio_bp, s.quota, s.population.len()),
            (bp, quota, 12),
            "{label}"
        );
        assert_eq!(s.priority.len(), 12, "not yet inspected: all first");
    }
    let r = run(p, &["12345678901234567890".to_string()], check::SYSTEM_PART);
    assert_eq!(
        r.strata
            .iter()
            .map(|s| s.selected.len())
            .collect::<Vec<_>>(),
        vec![6, 5, 3, 3],
        "strata in tier order 高/较高/一般/低/未评级"
    );
    assert!(verify(&r).is_empty());
}

#[test]
fn special_and_general_shares_by_hand() {
    // 10 special (绩效 C) high-risk at 30 % × 3 = 90 % → 9; 41 general unrated at 5 % → ⌈2.05⌉ = 3.
    let mut es = units(0, 10, |e| {
        e.perf_grade = shuangsuiji::domain::vocab::PerfGrade::C;
        e.credit_tier = Some(CreditTier::High);
    });
    es.extend(units(10, 41, |_| {}));
    let plan = polluter_plan();
    let p = prepare_plan(&plan, Q2, &es, &officers(4), &History::default());
    let s = stratum(&p, "特殊/高风险");
    assert_eq!((s.ratio_bp, s.quota), (9000, 9));
    assert!(
        s.priority.is_empty(),
        "special but not key: no coverage priority"
    );
    let g = stratum(&p, "一般/未评级");
    assert_eq!((g.ratio_bp, g.quota, g.population.len()), (500, 3, 41));
}

#[test]
fn one_in_three_by_hand() {
    // 5 on-duty bureau officers (a sixth off duty, a 水利局 officer on duty: neither counts),
    // 40 general units, Q2 of a 3–10 window, none drawn yet → annual 15, 3 quarters left → 5.
    let es = units(0, 40, radiation);
    let mut staff = officers(5);
    staff.push(officer(5, false, BUREAU));
    staff.push(officer(6, true, "水利局"));
    let plan = one_in_three_plan();
    let p = prepare_plan(&plan, Q2, &es, &staff, &History::default());
    let s = stratum(&p, "一般/1:3");
    assert_eq!((s.quota, s.population.len()), (5, 40), "{}", s.rule);
    assert_eq!(s.officers, Some(5), "the 1:3 count is data in the record");
    assert!(
        s.rule.contains("在岗且执法证有效的执法人员5名") && s.rule.contains("全年15个"),
        "{}",
        s.rule
    );
    let r = run(p, &["98765432109876543210".to_string()], check::SYSTEM_PART);
    assert_eq!(r.strata[0].selected.len(), 5);
    assert!(
        r.visits.iter().all(|v| v.problem.is_none()),
        "{:?}",
        r.visits
    );
    assert!(verify(&r).is_empty());
}

#[test]
fn full_rule_spreads_what_is_left_by_hand() {
    // 7 sewage plants, 3 drawn earlier this year by the task, Q3 of 3–10 (2 quarters left):
    // ⌈4 / 2⌉ = 2, from the 4 not drawn yet.
    let es = units(0, 7, |e| {
        e.target_types = BTreeSet::from([TargetType::SewagePlant]);
    });
    let plan = one_task(
        SamplingRule::Full,
        w(3, 10),
        &[TargetType::SewagePlant],
        TierMultipliers::default(),
    );
    let h = drawn_earlier(&es[..3], 1);
    let p = prepare_plan(&plan, Q3, &es, &officers(4), &h);
    let s = stratum(&p, "全部");
    assert_eq!(s.quota, 2, "{}", s.rule);
    let want: Vec<String> = es[3..].iter().map(|e| e.id().to_string()).collect();
    let mut got = s.population.clone();
    got.sort();
    assert_eq!(got, want);
    // In the window's last quarter, whatever is left is taken.
    let p = prepare_plan(&plan, Q4, &es, &officers(4), &h);
    assert_eq!(stratum(&p, "全部").quota, 4);
}

#[test]
fn last_quarter_takes_every_uncovered_key_entity() {
    // 20 key units, 8 already inspected this year, 12 not: 25 % of 20 is 5, but Q4 is the
    // window's last quarter, so all 12 uncovered are taken; in Q3 the 5 are all uncovered ones.
    let es = units(0, 20, key(None));
    let mut h = History::default();
    for e in &es[..8] {
        h.random_visits.insert(e.id().to_string(), 1);
        h.inspected.insert(e.id().to_string());
    }
    let uncovered: HashSet<&str> = es[8..].iter().map(|e| e.id()).collect();
    let plan = polluter_plan();
    let p3 = prepare_plan(&plan, Q3, &es, &officers(6), &h);
    assert_eq!(stratum(&p3, "重点/未评级").quota, 5);
    let r3 = run(
        p3,
        &["11111111112222222222".to_string()],
        check::SYSTEM_PART,
    );
    assert!(
        r3.strata[0]
            .selected
            .iter()
            .all(|s| uncovered.contains(s.id.as_str()))
    );
    let p4 = prepare_plan(&plan, Q4, &es, &officers(6), &h);
    let s = stratum(&p4, "重点/未评级");
    assert_eq!((s.quota, s.priority.len()), (12, 12), "{}", s.rule);
    assert!(s.rule.contains("全部抽取"), "{}", s.rule);
    let r4 = run(
        p4,
        &["33333333334444444444".to_string()],
        check::SYSTEM_PART,
    );
    let got: HashSet<&str> = r4.strata[0]
        .selected
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(got, uncovered);
    assert!(verify(&r4).is_empty());
}

#[test]
fn caps_by_hand() {
    // The yearly cap of 2 holds for every class but special: a general and a key unit at 2 are
    // out, a special unit at 5 is in, a general unit at 1 is in. With a province cap of 1 the
    // general unit at 1 is out too; the special one still is not.
    let mut es = units(0, 1, |_| {});
    es.extend(units(1, 1, |e| {
        e.exceedance_notice = Some(shuangsuiji::domain::vocab::Level::City)
    }));
    es.extend(units(2, 1, key(None)));
    es.extend(units(3, 1, |_| {}));
    let mut h = History::default();
    for (i, n) in [(0, 2), (1, 5), (2, 2), (3, 1)] {
        h.random_visits.insert(es[i].id().to_string(), n);
    }
    let plan = polluter_plan();
    let prepare = |cap| {
        prepare_with(
            Q2,
            on(Q2),
            vec![(&plan, &plan.tasks[0])],
            &es,
            &officers(4),
            &h,
            cap,
        )
        .unwrap()
    };
    let in_pop = |p: &Prep| -> HashSet<String> {
        p.strata
            .iter()
            .flat_map(|s| s.population.iter().cloned())
            .collect()
    };
    let out = |p: &Prep| -> Vec<(String, String)> {
        p.excluded
            .iter()
            .map(|x| (x.id.clone(), x.reason.clone()))
            .collect()
    };
    let p = prepare(None);
    let pop = in_pop(&p);
    assert!(!pop.contains(es[0].id()) && pop.contains(es[1].id()));
    assert!(!pop.contains(es[2].id()), "a key unit at 2 is capped too");
    assert!(pop.contains(es[3].id()));
    let o = out(&p);
    for i in [0, 2] {
        assert!(
            o.iter()
                .any(|(id, r)| id == es[i].id() && r.contains("年度上限2次")),
            "{o:?}"
        );
    }
    assert_eq!(o.len(), 2, "{o:?}");
    // The key stratum's ratio still counts the capped key unit: 25 % of 1 is 1, none can be
    // drawn, and the record says so.
    let key = stratum(&p, "重点/未评级");
    assert_eq!((key.quota, key.ratio_base), (0, Some(1)), "{}", key.rule);
    assert!(
        key.rule.contains("受年度抽查上限限制，应抽1个，可抽0个"),
        "{}",
        key.rule
    );

    let p = prepare(Some(1));
    let pop = in_pop(&p);
    assert!(!pop.contains(es[3].id()) && pop.contains(es[1].id()));
    assert!(
        out(&p)
            .iter()
            .any(|(id, r)| id == es[3].id() && r.contains("省级上限1次"))
    );
}

#[test]
fn unavailable_units_are_excluded_with_their_reason() {
    let mut es = units(0, 5, |_| {});
    es[0].exclusion = Some("搬迁".to_string());
    es[1].production = ProductionStatus::Closed;
    es[2].production = ProductionStatus::Suspended;
    es[3].production = ProductionStatus::Seasonal;
    es[3].production_months = BTreeSet::from([11, 12, 1]);
    let plan = polluter_plan();
    let p = prepare_plan(&plan, Q2, &es, &officers(4), &History::default());
    let reasons: Vec<&str> = p.excluded.iter().map(|x| x.reason.as_str()).collect();
    assert_eq!(p.excluded.len(), 4, "{reasons:?}");
    assert_eq!(stratum(&p, "一般/未评级").population, vec![es[4].id()]);
}

#[test]
fn a_simulated_quarter_with_the_seed_plans_verifies() {
    // The nine seed tasks over one small county, as a smoke test of the helpers themselves.
    let es = numbered(
        (0..60)
            .map(|i| {
                let mut e = Entity::named("", "");
                e.target_types = match i % 6 {
                    0 => BTreeSet::from([TargetType::Polluter, TargetType::RiverOutfall]),
                    1 => BTreeSet::from([TargetType::SewagePlant]),
                    2 => BTreeSet::from([TargetType::Radiation]),
                    3 => BTreeSet::from([TargetType::SolidWaste, TargetType::Polluter]),
                    _ => BTreeSet::from([TargetType::Polluter]),
                };
                e.outfall_rivers = BTreeSet::from(["沁河".to_string()]);
                e.permit_class = (i % 4 == 0).then_some(PermitClass::Key);
                e
            })
            .collect(),
    );
    let mut staff = officers(12);
    staff.push(officer(20, true, "水利局"));
    staff.push(officer(21, true, "住建局"));
    for (n, i) in staff.iter_mut().enumerate() {
        i.expertise.insert(if n % 2 == 0 {
            Expertise::SolidWaste
        } else {
            Expertise::Vehicle
        });
    }
    let plans = seed_plans(2026);
    let tasks: Vec<(&Plan, &Task)> = plans
        .iter()
        .flat_map(|p| p.tasks.iter().map(move |t| (p, t)))
        .collect();
    let p = prepare_with(Q2, on(Q2), tasks, &es, &staff, &History::default(), None).unwrap();
    let r = run(p, &["01234567890123456789".to_string()], check::SYSTEM_PART);
    check_draw(Q2, on(Q2), &es, &staff, &History::default(), None, &r).unwrap();
    assert!(
        r.visits.iter().any(|v| v.tasks.len() > 1),
        "进一次门，查多项事"
    );
    assert!(
        r.visits.iter().all(|v| v.problem.is_none()),
        "{:?}",
        r.visits
    );
}

// ---------------------------------------------------------------------------------------------
// Bugs found (un-ignore after the fix)

#[test]

fn unrated_units_keep_the_base_ratio_when_low_risk_is_edited() {
    // A plan that raises 低风险 to ×1.2: docs/draw.md §1.3 and quota.rs say unrated ×1, so
    // unrated key units stay at 25 % (12 → 3) while 低风险 ones get 30 % (12 → 4).
    let mut es = units(0, 12, key(None));
    es.extend(units(12, 12, key(Some(CreditTier::Low))));
    let m = TierMultipliers {
        low_pct: 120,
        normal_pct: 150,
        elevated_pct: 200,
        high_pct: 300,
    };
    let plan = one_task(by_class(), w(3, 10), &[TargetType::Polluter], m);
    assert!(plan.problems(&["1-2".to_string()]).is_empty());
    let p = prepare_plan(&plan, Q2, &es, &officers(4), &History::default());
    let low = stratum(&p, "重点/低风险");
    assert_eq!((low.ratio_bp, low.quota), (3000, 4));
    let unrated = stratum(&p, "重点/未评级");
    assert_eq!(
        (unrated.ratio_bp, unrated.quota),
        (2500, 3),
        "{}",
        unrated.rule
    );
}

#[test]

fn overlapping_leaves_count_each_day_once() {
    // The same 20 days recorded twice (病假 and 年假; `inspectors leave` keeps both): 20 days
    // away in Q2, under the 30-day limit, so the officer stays eligible.
    let mut staff = officers(3);
    for reason in ["病假", "年假"] {
        staff[0].leaves.push(Leave {
            from: day(2026, 4, 1),
            to: day(2026, 4, 20),
            reason: reason.to_string(),
        });
    }
    let plan = polluter_plan();
    let es = units(0, 4, |_| {});
    let p = prepare_plan(&plan, Q2, &es, &staff, &History::default());
    assert!(
        p.private.ineligible.is_empty(),
        "20 days of leave made YC-000 ineligible: {:?}",
        p.private.ineligible
    );
    assert_eq!(p.inspectors.len(), 3);
}

#[test]

fn one_in_n_counts_units_drawn_earlier_even_if_now_capped() {
    // 2 on-duty officers → annual 6 general units. 4 were drawn by this task earlier this year
    // and have since been randomly inspected twice (general cap), so they are out of the
    // population now. docs/draw.md: this quarter ⌈(A − drawn by this task this year) / quarters
    // left⌉ = ⌈(6 − 4) / 2⌉ = 1 in Q3; the code forgets the 4 and takes ⌈6 / 2⌉ = 3, and the task
    // ends the year with more than 6.
    let es = units(0, 20, radiation);
    let plan = one_in_three_plan();
    let h = drawn_earlier(&es[..4], 2);
    let p = prepare_plan(&plan, Q3, &es, &officers(2), &h);
    let s = stratum(&p, "一般/1:3");
    assert_eq!(s.population.len(), 16);
    assert_eq!(s.quota, 1, "{}", s.rule);
}

// ---------------------------------------------------------------------------------------------
// The year's rules (issue: a year that keeps the plan)

/// A plan with a by-class task over polluters (T-1) and a full-coverage task over outfall units
/// (T-2), both March to October.
fn polluters_and_outfalls() -> Plan {
    let mut plan = polluter_plan();
    let mut full = one_task(
        SamplingRule::Full,
        w(3, 10),
        &[TargetType::RiverOutfall],
        TierMultipliers::default(),
    )
    .tasks
    .remove(0);
    full.code = "T-2".to_string();
    full.seq = 2;
    plan.tasks.push(full);
    plan
}

#[test]
fn a_pending_full_coverage_check_joins_the_visit_another_task_draws() {
    // 40 general polluters that also have an outfall: T-1 draws 5 % → 2 a quarter; T-2 must
    // check all 40 over Q2–Q4 (⌈40 / 3⌉ = 14 now). Each unit T-1 draws gets T-2 in the same
    // visit, and T-2's 14 by ticket come on top: 14 + 2 at most, never a second visit.
    let es = units(0, 40, |e| {
        e.target_types = BTreeSet::from([TargetType::Polluter, TargetType::RiverOutfall]);
    });
    let plan = polluters_and_outfalls();
    let tasks = vec![(&plan, &plan.tasks[0]), (&plan, &plan.tasks[1])];
    let p = prepare_with(
        Q2,
        on(Q2),
        tasks,
        &es,
        &officers(8),
        &History::default(),
        None,
    )
    .unwrap();
    let full = stratum(&p, "全部");
    assert!(full.full_coverage && full.annual.is_some(), "{full:?}");
    assert_eq!(full.quota, 14, "{}", full.rule);
    let r = run(p, &["55555555556666666666".to_string()], check::SYSTEM_PART);
    let t1: HashSet<&str> = r
        .strata
        .iter()
        .filter(|s| s.task == "T-1")
        .flat_map(|s| s.selected.iter().map(|x| x.id.as_str()))
        .collect();
    assert_eq!(t1.len(), 2);
    let t2: HashSet<&str> = r
        .strata
        .iter()
        .filter(|s| s.task == "T-2")
        .flat_map(|s| s.selected.iter().map(|x| x.id.as_str()))
        .collect();
    assert!(t1.is_subset(&t2), "T-1's units join T-2: {t1:?} {t2:?}");
    assert!(t2.len() >= 14 && t2.len() <= 16, "{}", t2.len());
    for v in &r.visits {
        if t1.contains(v.entity.as_str()) {
            assert_eq!(v.tasks, ["T-1", "T-2"], "one visit, both tasks");
        }
    }
    assert_eq!(r.visits.len(), t1.union(&t2).count(), "one visit per unit");
    assert!(verify(&r).is_empty(), "{:?}", verify(&r));
}

#[test]
fn a_unit_at_the_cap_still_gets_its_full_coverage_check_marked_over_the_cap() {
    // Two outfall units inspected twice this year by other tasks, never by T-2 (100 %): in Q4,
    // the window's last quarter, both are drawn, marked over the cap; T-1 keeps them out.
    let es = units(0, 2, |e| {
        e.target_types = BTreeSet::from([TargetType::Polluter, TargetType::RiverOutfall]);
    });
    let mut h = History::default();
    for e in &es {
        h.random_visits.insert(e.id().to_string(), 2);
        h.inspected.insert(e.id().to_string());
    }
    let plan = polluters_and_outfalls();
    let tasks = vec![(&plan, &plan.tasks[0]), (&plan, &plan.tasks[1])];
    let p = prepare_with(Q4, on(Q4), tasks, &es, &officers(8), &h, None).unwrap();
    let full = stratum(&p, "全部");
    assert_eq!((full.quota, full.over_cap.len()), (2, 2), "{}", full.rule);
    assert!(
        p.excluded.iter().all(|x| x.task == "T-1"),
        "{:?}",
        p.excluded
    );
    let r = run(p, &["77777777778888888888".to_string()], check::SYSTEM_PART);
    assert_eq!(r.visits.len(), 2);
    for v in &r.visits {
        assert_eq!(v.tasks, ["T-2"]);
        assert_eq!(v.note.as_deref(), Some("超出年度抽查上限（全覆盖任务）"));
    }
    assert!(verify(&r).is_empty(), "{:?}", verify(&r));
    // A forged mark is noticed.
    let mut forged = r.clone();
    forged.visits[0].note = None;
    assert!(
        verify(&forged).iter().any(|d| d.contains("note")),
        "{:?}",
        verify(&forged)
    );
}

#[test]
fn a_fixed_ratio_task_counts_units_drawn_earlier_even_when_capped_since() {
    // 20 % of 10 units a year = 2. Two were drawn by the task in Q2 and have since reached the
    // cap: the task has its 2 and draws nobody more (before the fix it drew again).
    let es = units(0, 10, |_| {});
    let plan = one_task(
        SamplingRule::FixedRatio { ratio_bp: 2000 },
        w(3, 10),
        &[TargetType::Polluter],
        TierMultipliers::default(),
    );
    let h = drawn_earlier(&es[..2], 2);
    let p = prepare_plan(&plan, Q3, &es, &officers(4), &h);
    let capped = p
        .excluded
        .iter()
        .filter(|x| x.reason.contains("年度上限2次"))
        .count();
    assert_eq!(capped, 2, "{:?}", p.excluded);
    assert!(
        p.strata.iter().all(|s| s.quota == 0),
        "{:?}",
        p.strata.iter().map(|s| &s.rule).collect::<Vec<_>>()
    );
}

#[test]
fn a_key_unit_drawn_but_never_inspected_stays_first() {
    // Six key units; two were drawn in Q2 but never visited (not inspected, not counted), two
    // were inspected. In Q3 the priority list is the four not inspected, the two drawn ones
    // among them.
    let es = units(0, 6, key(None));
    let mut h = History::default();
    for e in &es[..2] {
        h.drawn_by_task
            .entry("T-1".to_string())
            .or_default()
            .insert(e.id().to_string());
    }
    for e in &es[2..4] {
        h.random_visits.insert(e.id().to_string(), 1);
        h.inspected.insert(e.id().to_string());
    }
    let p = prepare_plan(&polluter_plan(), Q3, &es, &officers(4), &h);
    let s = stratum(&p, "重点/未评级");
    let mut want: Vec<String> = [&es[..2], &es[4..]]
        .concat()
        .iter()
        .map(|e| e.id().to_string())
        .collect();
    want.sort();
    assert_eq!(s.priority, want);
}

#[test]
fn the_one_in_three_count_leaves_out_expired_certificates() {
    // Five officers on duty, two with a certificate expired before the day of preparation.
    let es = units(0, 60, radiation);
    let mut staff = officers(5);
    for o in &mut staff[..2] {
        o.cert_expiry = Some(on(Q2) - chrono::Days::new(1));
    }
    let p = prepare_plan(&one_in_three_plan(), Q2, &es, &staff, &History::default());
    let s = stratum(&p, "一般/1:3");
    assert_eq!(s.officers, Some(3), "{}", s.rule);
    assert_eq!(s.annual.map(|a| a.target), Some(9), "{}", s.rule);
}

// ---------------------------------------------------------------------------------------------
// A year simulated

/// Cases of [`a_year_keeps_the_plan`]: 32 in `cargo test`, more with `SHUANGSUIJI_YEAR_CASES`.
fn year_cases() -> u32 {
    std::env::var("SHUANGSUIJI_YEAR_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// Whether the visit to `entity` in `quarter` is carried out, `percent` of the time.
fn carried(entity: &str, quarter: u32, percent: u32, salt: u64) -> bool {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{salt}|{quarter}|{entity}").as_bytes());
    u32::from(h[0]) * 100 / 256 < percent
}

proptest! {
    #![proptest_config(crate::proptest_config(year_cases()))]

    /// A random county (50 to 3,000 units, random classes, tiers, target types and production,
    /// officers on leave) through the four quarterly draws of all nine seed tasks, 80–100 % of
    /// each quarter's visits carried out before the next draw. After each quarter every draw
    /// keeps its rules (quotas or a recorded shortfall, caps, priority, full-coverage joining:
    /// `check_draw`); over the year no unit has more than two counted random visits unless it
    /// was special when drawn or the visit is marked over the cap for a full-coverage task; no
    /// fixed-ratio or full task draws a unit twice; a full task takes every pending unit in its
    /// window's last quarter; the last draw takes every key unit not yet inspected; and when
    /// every earlier visit was carried out, every key unit eligible then is covered or drawn.
    #[test]
    fn a_year_keeps_the_plan(
        year in 2024i32..=2027,
        entities in proptest::collection::vec(strategies::entity(), 50..=3000).prop_map(numbered),
        mut roster in big_roster(),
        parts in year_parts(),
        percents in proptest::collection::vec(prop_oneof![1 => Just(100u32), 3 => 80u32..=100], 4),
        salt in any::<u64>(),
    ) {
        for (n, i) in roster.iter_mut().enumerate() {
            i.expertise.insert(match n % 3 {
                0 => Expertise::Radiation,
                1 => Expertise::Vehicle,
                _ => Expertise::Water,
            });
        }
        let plans = seed_plans(year);
        let tasks: Vec<(&Plan, &Task)> =
            plans.iter().flat_map(|p| p.tasks.iter().map(move |t| (p, t))).collect();
        let all_lines = |code: &str, rule: fn(&SamplingRule) -> bool| {
            tasks
                .iter()
                .any(|(_, t)| t.code == code && t.lines.iter().all(|l| rule(&l.rule)))
        };
        let fixed_ratio = |code: &str| {
            all_lines(code, |r| matches!(r, SamplingRule::FixedRatio { .. }))
        };
        let full = |code: &str| all_lines(code, |r| matches!(r, SamplingRule::Full));
        let mut h = History::default();
        let mut counted: std::collections::HashMap<String, u32> = Default::default();
        let mut drawn_by: std::collections::HashMap<(String, String), u32> = Default::default();
        let mut all_carried = true;
        for quarter in 1..=4u32 {
            let period = Period { year, quarter };
            let on = period.first_day();
            let part = &parts[(quarter as usize) % 4];
            let prepared = prepare_system(
                period, on, tasks.clone(), &entities, &roster, &h, None, part,
            ).unwrap();
            let people = &parts[quarter as usize - 1..quarter as usize];
            let record = run(prepared, people, part);
            check_draw(period, on, &entities, &roster, &h, None, &record)?;
            prop_assert!(verify(&record).is_empty(), "{:?}", verify(&record));
            let p = &record.prepared;
            for (spec, got) in p.strata.iter().zip(&record.strata) {
                // The window's last quarter takes every key unit not yet inspected, and a full
                // task every unit still pending.
                if spec.take_all_priority {
                    for id in &spec.priority {
                        prop_assert!(got.selected.iter().any(|s| &s.id == id),
                            "{} {}: priority {} not taken in the last quarter", spec.task, spec.label, id);
                    }
                }
                if spec.full_coverage && spec.annual.is_some_and(|a| a.quarters_left == 1) {
                    prop_assert_eq!(spec.quota as usize, spec.population.len(),
                        "{} takes every pending unit in its last quarter", &spec.task);
                }
            }
            // Last quarter, every earlier visit carried out: every key unit eligible for the
            // by-class task now is covered or drawn now.
            if quarter == 4 && all_carried {
                let visited: HashSet<&str> = record.visits.iter().map(|v| v.entity.as_str()).collect();
                for st in p.strata.iter().filter(|s| s.take_all_priority) {
                    for id in &st.population {
                        let e = entities.iter().find(|e| e.id() == id).unwrap();
                        if classify(e, on).also_key {
                            prop_assert!(h.inspected.contains(id.as_str()) || visited.contains(id.as_str()),
                                "key {} neither inspected nor drawn in the last quarter", id);
                        }
                    }
                }
            }
            // Carry out part of the quarter's visits.
            let special: HashSet<&str> = p.entities.iter()
                .filter(|e| e.class.as_deref() == Some("特殊"))
                .map(|e| e.id.as_str()).collect();
            for v in &record.visits {
                let done = carried(&v.entity, quarter, percents[quarter as usize - 1], salt);
                all_carried &= done;
                for t in &v.tasks {
                    h.drawn_by_task.entry(t.clone()).or_default().insert(v.entity.clone());
                    *drawn_by.entry((t.clone(), v.entity.clone())).or_default() += 1;
                    if done {
                        h.done_by_task.entry(t.clone()).or_default().insert(v.entity.clone());
                    }
                }
                h.last_team.insert(v.entity.clone(), v.team.iter().map(|s| s.inspector.clone()).collect());
                if done {
                    h.inspected.insert(v.entity.clone());
                    if !special.contains(v.entity.as_str()) {
                        *h.random_visits.entry(v.entity.clone()).or_insert(0) += 1;
                        if v.note.is_none() {
                            *counted.entry(v.entity.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
        for (entity, n) in &counted {
            prop_assert!(*n <= 2, "{} has {} counted random visits", entity, n);
        }
        // A fixed-ratio task counts a unit drawn as drawn, whatever happened since; a full
        // task's check stays pending until a visit of it is carried out.
        for ((task, entity), n) in &drawn_by {
            if fixed_ratio(task) || (full(task) && all_carried) {
                prop_assert!(*n <= 1, "{} drew {} {} times", task, entity, n);
            }
        }
    }
}
