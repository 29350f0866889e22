//! Strategies: random but valid libraries, plans, histories and periods for the draw.

use std::collections::{BTreeSet, HashSet};

use chrono::{Days, NaiveDate};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use shuangsuiji::demo::TOWNS;
use shuangsuiji::domain::draw::commit::normalise_part;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::quota::History;
use shuangsuiji::domain::entity::{EXCLUSION_REASONS, Entity, RIVERS};
use shuangsuiji::domain::inspector::{BUREAU, Conflict, Inspector, Leave};
use shuangsuiji::domain::plan::{
    Plan, PlanKind, SamplingLine, SamplingRule, Task, TierMultipliers, Window, seed_plans,
};
use shuangsuiji::domain::uscc;
use shuangsuiji::domain::vocab::{
    CreditTier, EiaClass, Expertise, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};

/// The USCC code alphabet (GB 32100-2015).
pub const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
pub const WATER: &str = "水利局";
pub const HOUSING: &str = "住建局";

/// A valid, unique USCC for entity number `i`.
pub fn uscc_for(i: usize) -> String {
    let mut body = String::from("91140522");
    let mut n = i;
    for _ in 0..9 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    uscc::complete(&body).expect("a body in the code alphabet")
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// Everything one draw reads, plus the people's seed parts.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub period: Period,
    pub prepared_on: NaiveDate,
    pub entities: Vec<Entity>,
    pub inspectors: Vec<Inspector>,
    /// The seed plans (with a random subset of their tasks) and one plan of random tasks.
    pub plans: Vec<Plan>,
    pub history: History,
    pub province_cap: Option<u32>,
    /// People's parts, already normalised (digits only).
    pub parts: Vec<String>,
    /// The system's own part.
    pub system: String,
}

impl Scenario {
    /// The tasks a `draw prepare` without `--task` would choose: those with a line in window.
    pub fn tasks_in_window(&self) -> Vec<(&Plan, &Task)> {
        self.all_tasks()
            .into_iter()
            .filter(|(_, t)| t.lines.iter().any(|l| self.period.in_window(l.window)))
            .collect()
    }

    pub fn all_tasks(&self) -> Vec<(&Plan, &Task)> {
        self.plans
            .iter()
            .flat_map(|p| p.tasks.iter().map(move |t| (p, t)))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Entities

fn target_types() -> impl Strategy<Value = BTreeSet<TargetType>> {
    prop_oneof![
        3 => Just(BTreeSet::from([TargetType::Polluter])),
        2 => subsequence(TargetType::ALL.to_vec(), 1..=3).prop_map(|v| v.into_iter().collect()),
    ]
}

fn level() -> impl Strategy<Value = Option<Level>> {
    prop_oneof![9 => Just(None), 1 => select(Level::ALL.to_vec()).prop_map(Some)]
}

fn date_in(from: NaiveDate, days: u64) -> impl Strategy<Value = NaiveDate> {
    (0..=days).prop_map(move |d| from + Days::new(d))
}

fn production() -> impl Strategy<Value = (ProductionStatus, BTreeSet<u8>)> {
    prop_oneof![
        14 => Just((ProductionStatus::Normal, BTreeSet::new())),
        4 => subsequence((1u8..=12).collect::<Vec<_>>(), 1..=6)
            .prop_map(|m| (ProductionStatus::Seasonal, m.into_iter().collect())),
        1 => Just((ProductionStatus::Suspended, BTreeSet::new())),
        1 => Just((ProductionStatus::Closed, BTreeSet::new())),
    ]
}

/// One entity without its id; [`entities`] numbers them.
pub fn entity() -> impl Strategy<Value = Entity> {
    let class = (
        target_types(),
        proptest::option::weighted(0.6, select(PermitClass::ALL.to_vec())),
        proptest::bool::weighted(0.2),
        prop_oneof![6 => Just(PerfGrade::Ungraded), 4 => select(PerfGrade::ALL.to_vec())],
        level(),
        level(),
        proptest::option::weighted(0.15, date_in(day(2023, 1, 1), 5 * 366)),
        proptest::bool::weighted(0.1),
    );
    let rest = (
        subsequence(EiaClass::ALL.to_vec(), 0..=2),
        proptest::option::weighted(0.75, select(CreditTier::ALL.to_vec())),
        production(),
        proptest::option::weighted(0.05, select(EXCLUSION_REASONS.to_vec())),
        subsequence(RIVERS.to_vec(), 0..=2),
        select(TOWNS.to_vec()),
    );
    (class, rest).prop_map(
        |(
            (types, permit, key_list, perf, listing, notice, violation, positive),
            (eia, tier, (production, months), exclusion, rivers, town),
        )| {
            let mut e = Entity::named("", "");
            e.target_types = types;
            e.permit_class = permit;
            e.key_polluter_list = key_list;
            e.perf_grade = perf;
            e.supervised_listing = listing;
            e.exceedance_notice = notice;
            e.violation_date = violation;
            e.positive_list = positive;
            e.eia_classes = eia.into_iter().collect();
            e.credit_tier = tier;
            e.production = production;
            e.production_months = months;
            e.exclusion = exclusion.map(str::to_string);
            if e.target_types.contains(&TargetType::RiverOutfall) {
                e.outfall_rivers = rivers.into_iter().map(str::to_string).collect();
            }
            e.town = town.to_string();
            e
        },
    )
}

/// Numbers entities: unique USCCs and names.
pub fn numbered(v: Vec<Entity>) -> Vec<Entity> {
    v.into_iter()
        .enumerate()
        .map(|(i, mut e)| {
            e.uscc = Some(uscc_for(i * 7 + 3));
            e.name = format!("阳城县第{i}号示例企业有限公司");
            e
        })
        .collect()
}

pub fn entities(max: usize) -> impl Strategy<Value = Vec<Entity>> {
    vec(entity(), 0..=max).prop_map(numbered)
}

// ---------------------------------------------------------------------------------------------
// Inspectors

fn cert() -> impl Strategy<Value = (String, Option<NaiveDate>)> {
    prop_oneof![
        8 => Just(("14052200001".to_string(), Some(day(2030, 12, 31)))),
        2 => date_in(day(2023, 6, 1), 5 * 366).prop_map(|d| ("14052200002".to_string(), Some(d))),
        1 => Just(("14052200003".to_string(), None)),
        1 => Just((String::new(), Some(day(2030, 12, 31)))),
    ]
}

/// Leaves that do not overlap (overlapping ones are covered by a test of their own).
fn leaves() -> impl Strategy<Value = Vec<Leave>> {
    vec((0u64..=5 * 366, 0u64..=50), 0..=3).prop_map(|raw| {
        let mut out: Vec<Leave> = Vec::new();
        for (start, len) in raw {
            let from = day(2023, 6, 1) + Days::new(start);
            let to = from + Days::new(len);
            if out.iter().all(|l| to < l.from || l.to < from) {
                out.push(Leave {
                    from,
                    to,
                    reason: "病假".to_string(),
                });
            }
        }
        out.sort();
        out
    })
}

/// An inspector of `department` without code, and the entity indexes they conflict with.
pub fn inspector(department: &'static str) -> impl Strategy<Value = (Inspector, Vec<Index>)> {
    (
        subsequence(Expertise::ALL.to_vec(), 0..=4),
        subsequence(TOWNS.to_vec(), 0..=3),
        proptest::bool::weighted(0.85),
        cert(),
        leaves(),
        vec(any::<Index>(), 0..=2),
    )
        .prop_map(
            move |(expertise, areas, on_duty, (cert_no, cert_expiry), leaves, conflicts)| {
                (
                    Inspector {
                        code: String::new(),
                        name: String::new(),
                        cert_no,
                        cert_expiry,
                        department: department.to_string(),
                        unit: "执法大队".to_string(),
                        expertise: expertise.into_iter().collect(),
                        areas: areas.into_iter().map(str::to_string).collect(),
                        on_duty,
                        phone: String::new(),
                        leaves,
                        conflicts: vec![],
                    },
                    conflicts,
                )
            },
        )
}

/// 4–30 bureau officers and 0–4 in each of 水利局 and 住建局, with conflicts resolved against
/// the entities.
fn roster(entities: &[Entity], raw: Vec<(Inspector, Vec<Index>)>) -> Vec<Inspector> {
    raw.into_iter()
        .enumerate()
        .map(|(n, (mut i, conflicts))| {
            let prefix = match i.department.as_str() {
                BUREAU => "YC",
                WATER => "SL",
                _ => "ZJ",
            };
            i.code = format!("{prefix}-{n:03}");
            i.name = format!("执法人员{n}");
            if !entities.is_empty() {
                let mut c: Vec<Conflict> = conflicts
                    .iter()
                    .map(|ix| Conflict {
                        entity: ix.get(entities).id().to_string(),
                        reason: "亲属任职".to_string(),
                    })
                    .collect();
                c.sort();
                c.dedup_by(|a, b| a.entity == b.entity);
                i.conflicts = c;
            }
            i
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Plans

fn bp() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 1u32..=3000, 1 => 1u32..=10_000]
}

pub fn rule() -> impl Strategy<Value = SamplingRule> {
    prop_oneof![
        bp().prop_map(|ratio_bp| SamplingRule::FixedRatio { ratio_bp }),
        Just(SamplingRule::Full),
        (bp(), bp(), bp()).prop_map(|(key_bp, special_bp, general_bp)| SamplingRule::ByClass {
            key_bp,
            special_bp,
            general_bp
        }),
        (bp(), bp(), bp()).prop_map(|(report_book_bp, report_form_bp, registration_bp)| {
            SamplingRule::ByEiaClass {
                report_book_bp,
                report_form_bp,
                registration_bp,
            }
        }),
        (bp(), 1u32..=5).prop_map(|(key_bp, units_per_inspector)| {
            SamplingRule::KeyAndOneInThree {
                key_bp,
                units_per_inspector,
            }
        }),
    ]
}

pub fn window() -> impl Strategy<Value = Window> {
    (1u32..=12)
        .prop_flat_map(|start| (Just(start), start..=12))
        .prop_map(|(start_month, end_month)| Window {
            start_month,
            end_month,
        })
}

fn line() -> impl Strategy<Value = SamplingLine> {
    (window(), rule(), 1u32..=7).prop_map(|(window, rule, item)| SamplingLine {
        items: vec![format!("{item}-1")],
        window,
        rule,
        rule_text: rule.describe(),
    })
}

/// A task of the random plan, numbered later.
fn task() -> impl Strategy<Value = Task> {
    (
        subsequence(TargetType::ALL.to_vec(), 1..=3),
        prop_oneof![2 => Just(vec![]), 1 => subsequence(RIVERS.to_vec(), 1..=2)],
        subsequence(vec![HOUSING, WATER], 0..=2),
        vec(line(), 1..=3),
    )
        .prop_map(|(types, rivers, departments, lines)| Task {
            code: String::new(),
            seq: 0,
            name: "随机任务".to_string(),
            inspection_type: "定向".to_string(),
            target_types: types,
            scope: String::new(),
            rivers: rivers.into_iter().map(str::to_string).collect(),
            credit_requirement: String::new(),
            initiating_unit: BUREAU.to_string(),
            inspecting_body: BUREAU.to_string(),
            cooperating_departments: departments.into_iter().map(str::to_string).collect(),
            lines,
        })
}

fn multipliers() -> impl Strategy<Value = TierMultipliers> {
    prop_oneof![
        2 => Just(TierMultipliers::default()),
        1 => (50u32..=150, 0u32..=100, 0u32..=100, 0u32..=150).prop_map(|(low, a, b, c)| {
            TierMultipliers {
                low_pct: low,
                normal_pct: low + a,
                elevated_pct: low + a + b,
                high_pct: low + a + b + c,
            }
        }),
    ]
}

/// The seed plans of a year with the tasks in `keep` (indexes into all nine), and a plan "SJ"
/// of random tasks.
fn plans(year: i32, keep: Vec<usize>, random: Vec<Task>, m: TierMultipliers) -> Vec<Plan> {
    let mut n = 0;
    let mut out: Vec<Plan> = seed_plans(year)
        .into_iter()
        .map(|mut p| {
            p.tasks.retain(|_| {
                n += 1;
                keep.contains(&(n - 1))
            });
            p
        })
        .collect();
    let tasks = random
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            t.code = format!("SJ-{}", i + 1);
            t.seq = i as u32 + 1;
            t
        })
        .collect();
    out.push(Plan {
        code: "SJ".to_string(),
        year,
        name: "随机生成的计划".to_string(),
        kind: PlanKind::Internal,
        source: "测试".to_string(),
        tier_multipliers: m,
        tasks,
    });
    out
}

// ---------------------------------------------------------------------------------------------
// History

type RawHistory = (
    Vec<(Index, u32)>,
    Vec<(Index, Vec<Index>)>,
    Vec<(Index, Vec<Index>)>,
);

fn raw_history() -> impl Strategy<Value = RawHistory> {
    (
        vec((any::<Index>(), 1u32..=4), 0..=120),
        vec((any::<Index>(), vec(any::<Index>(), 0..=40)), 0..=6),
        vec((any::<Index>(), vec(any::<Index>(), 1..=3)), 0..=60),
    )
}

fn history(
    entities: &[Entity],
    inspectors: &[Inspector],
    task_codes: &[String],
    (visits, drawn, teams): RawHistory,
) -> History {
    let mut h = History::default();
    if entities.is_empty() {
        return h;
    }
    let id = |ix: &Index| ix.get(entities).id().to_string();
    for (e, n) in &visits {
        h.random_visits.insert(id(e), *n);
    }
    if !task_codes.is_empty() {
        for (t, es) in &drawn {
            let set: &mut HashSet<String> = h
                .drawn_by_task
                .entry(t.get(task_codes).clone())
                .or_default();
            set.extend(es.iter().map(id));
        }
    }
    for (e, team) in &teams {
        let team: Vec<String> = team
            .iter()
            .map(|i| i.get(inspectors).code.clone())
            .collect();
        h.last_team.insert(id(e), team);
    }
    h
}

// ---------------------------------------------------------------------------------------------
// Seeds

/// A person's 20 digits as typed, with the odd separator.
fn typed_part() -> impl Strategy<Value = String> {
    (
        vec(0u8..=9, 20),
        vec(select(vec!["", "", "", " ", "-"]), 20),
    )
        .prop_map(|(d, sep)| d.iter().zip(sep).map(|(d, s)| format!("{d}{s}")).collect())
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    vec(0u8..=9, n).prop_map(|d| d.iter().map(|d| d.to_string()).collect())
}

// ---------------------------------------------------------------------------------------------
// Scenario

pub fn period() -> impl Strategy<Value = (Period, NaiveDate)> {
    (2024i32..=2027, 1u32..=4, 0u64..=90).prop_map(|(year, quarter, offset)| {
        let p = Period { year, quarter };
        let d = (p.first_day() + Days::new(offset)).min(p.last_day());
        (p, d)
    })
}

pub fn scenario() -> impl Strategy<Value = Scenario> {
    let libraries = (
        entities(400),
        vec(inspector(BUREAU), 4..=30),
        vec(inspector(WATER), 0..=4),
        vec(inspector(HOUSING), 0..=4),
    );
    let plans_and_period = (
        period(),
        subsequence((0..9).collect::<Vec<usize>>(), 0..=9),
        vec(task(), 0..=2),
        multipliers(),
    );
    let rest = (
        raw_history(),
        proptest::option::weighted(0.4, 1u32..=3),
        vec(typed_part(), 2..=3),
        digits(20),
    );
    (libraries, plans_and_period, rest).prop_map(
        |(
            (entities, bureau, water, housing),
            ((period, prepared_on), keep, random, m),
            (raw, province_cap, typed, system),
        )| {
            let raw_inspectors: Vec<_> = bureau.into_iter().chain(water).chain(housing).collect();
            let inspectors = roster(&entities, raw_inspectors);
            let plans = plans(period.year, keep, random, m);
            let codes: Vec<String> = plans
                .iter()
                .flat_map(|p| p.tasks.iter().map(|t| t.code.clone()))
                .collect();
            let history = history(&entities, &inspectors, &codes, raw);
            let parts = typed
                .iter()
                .map(|p| normalise_part(p).expect("digits and separators"))
                .collect();
            Scenario {
                period,
                prepared_on,
                entities,
                inspectors,
                plans,
                history,
                province_cap,
                parts,
                system,
            }
        },
    )
}

/// A roster big enough for any quarter: every bureau officer on duty, certified, and holding
/// one of the pollution fields.
pub fn big_roster() -> impl Strategy<Value = Vec<Inspector>> {
    vec(
        (
            subsequence(
                vec![
                    Expertise::Air,
                    Expertise::Water,
                    Expertise::SolidWaste,
                    Expertise::General,
                ],
                1..=3,
            ),
            subsequence(TOWNS.to_vec(), 0..=3),
        ),
        16..=24,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(n, (expertise, areas))| Inspector {
                expertise: expertise.into_iter().collect(),
                areas: areas.into_iter().map(str::to_string).collect(),
                ..officer(n, true, BUREAU)
            })
            .collect()
    })
}

/// Officer `n` of `department`, certified until 2030, in no area, expert in air, radiation
/// and water, without leave or conflicts.
pub fn officer(n: usize, on_duty: bool, department: &str) -> Inspector {
    Inspector {
        code: format!("YC-{n:03}"),
        name: format!("执法人员{n}"),
        cert_no: "14052200001".to_string(),
        cert_expiry: Some(day(2030, 12, 31)),
        department: department.to_string(),
        unit: "执法大队".to_string(),
        expertise: BTreeSet::from([Expertise::Air, Expertise::Radiation, Expertise::Water]),
        areas: BTreeSet::new(),
        on_duty,
        phone: String::new(),
        leaves: vec![],
        conflicts: vec![],
    }
}

/// Random seed digits for a quarter of a simulated year.
pub fn year_parts() -> impl Strategy<Value = Vec<String>> {
    vec(digits(20), 4)
}
