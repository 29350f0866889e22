//! Running a draw exactly as `services::draws` does, and the invariants every draw must keep.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use shuangsuiji::domain::audit::Checkpoint;
use shuangsuiji::domain::classification::{SupervisionClass, classify};
use shuangsuiji::domain::draw::commit::sha256_hex;
use shuangsuiji::domain::draw::commit::{commitment, seed};
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::quota::{ANNUAL_CAP, History, PrepareInput, prepare};
use shuangsuiji::domain::draw::record::{ALGORITHM, DrawRecord, FORMAT, Prepared, PrivatePart};
use shuangsuiji::domain::draw::select::{select, visits};
use shuangsuiji::domain::draw::team::{match_teams, team_seed};
use shuangsuiji::domain::draw::ticket::{seed_hash, ticket};
use shuangsuiji::domain::draw::verify::verify;
use shuangsuiji::domain::entity::Entity;
use shuangsuiji::domain::inspector::{BUREAU, Inspector};
use shuangsuiji::domain::plan::{Plan, Task};

use super::strategies::Scenario;

/// The declared sources, as `draw prepare` declares them by default.
pub fn sources() -> Vec<String> {
    vec![
        "现场掷骰：至少两人各掷20位十进制数字".to_string(),
        "系统随机数：操作系统熵源（OsRng）20位".to_string(),
    ]
}

/// A preparation and its private part, as `draw prepare` stores them.
#[derive(Debug, Clone)]
pub struct Prep {
    pub prepared: Prepared,
    pub private: PrivatePart,
}

impl std::ops::Deref for Prep {
    type Target = Prepared;

    fn deref(&self) -> &Prepared {
        &self.prepared
    }
}

/// The system part every test run uses unless it names one: its digest is committed at
/// preparation, so `run` must be given the same part.
pub const SYSTEM_PART: &str = "1";

/// `quota::prepare` with the bureau as lead department.
pub fn prepare_with(
    period: Period,
    prepared_on: NaiveDate,
    tasks: Vec<(&Plan, &Task)>,
    entities: &[Entity],
    inspectors: &[Inspector],
    history: &History,
    province_cap: Option<u32>,
) -> Result<Prep, String> {
    prepare_system(
        period,
        prepared_on,
        tasks,
        entities,
        inspectors,
        history,
        province_cap,
        SYSTEM_PART,
    )
}

/// [`prepare_with`] committing to a given system part.
#[allow(clippy::too_many_arguments)]
pub fn prepare_system(
    period: Period,
    prepared_on: NaiveDate,
    tasks: Vec<(&Plan, &Task)>,
    entities: &[Entity],
    inspectors: &[Inspector],
    history: &History,
    province_cap: Option<u32>,
    system: &str,
) -> Result<Prep, String> {
    let (prepared, private) = prepare(&PrepareInput {
        period,
        prepared_on,
        tasks,
        entities,
        inspectors,
        history,
        lead_department: BUREAU,
        province_cap,
        sources: sources(),
        draw_id: format!("{period}-01"),
        prepared_by: "lead.test".to_string(),
        prepared_at: format!("{prepared_on}T09:00:00+08:00"),
        system_part_sha256: sha256_hex(system),
    })?;
    Ok(Prep { prepared, private })
}

pub fn prepare_scenario(sc: &Scenario) -> Result<Prep, String> {
    prepare_system(
        sc.period,
        sc.prepared_on,
        sc.tasks_in_window(),
        &sc.entities,
        &sc.inspectors,
        &sc.history,
        sc.province_cap,
        &sc.system,
    )
}

/// Seed, selection, visits and teams, assembled as `Session::run_draw_with` assembles them.
pub fn run(prep: Prep, people: &[String], system: &str) -> DrawRecord {
    let Prep { prepared, private } = prep;
    let c = commitment(&prepared);
    let mut seed_parts = people.to_vec();
    let mut seed_sources: Vec<String> =
        (1..=people.len()).map(|i| format!("现场种子{i}")).collect();
    seed_parts.push(system.to_string());
    seed_sources.push("系统随机数：操作系统熵源（OsRng）20位".to_string());
    let s = seed(&c, &seed_parts);
    let strata = select(&prepared, &s);
    let planned = visits(&prepared, &strata);
    let teams = match_teams(&prepared.merged(Some(&private)), &s, &planned);
    let run_on = prepared.prepared_on.clone();
    DrawRecord {
        format: FORMAT.to_string(),
        draw_id: format!("{}-01", prepared.period),
        period: prepared.period.clone(),
        algorithm: ALGORITHM.to_string(),
        prepared,
        private: Some(private),
        commitment: c,
        seed_parts,
        seed_sources,
        seed: s,
        run_on,
        witnesses: vec!["见证人甲".to_string()],
        strata,
        visits: teams,
        substitutions: vec![],
        checkpoint: Some(Checkpoint {
            size: 42,
            head: "ab".repeat(32),
        }),
    }
}

/// What a run adds to the year's history once every visit of it started (as
/// `services::draws::history` reads it back), special units when drawn not counting toward
/// the cap.
pub fn record_into(h: &mut History, record: &DrawRecord) {
    for v in &record.visits {
        let special = record
            .prepared
            .entities
            .iter()
            .any(|e| e.id == v.entity && e.class.as_deref() == Some("特殊"));
        if !special {
            *h.random_visits.entry(v.entity.clone()).or_insert(0) += 1;
        }
        h.inspected.insert(v.entity.clone());
        for t in &v.tasks {
            h.drawn_by_task
                .entry(t.clone())
                .or_default()
                .insert(v.entity.clone());
            h.done_by_task
                .entry(t.clone())
                .or_default()
                .insert(v.entity.clone());
        }
        h.last_team.insert(
            v.entity.clone(),
            v.team.iter().map(|s| s.inspector.clone()).collect(),
        );
    }
}

/// ⌈n × bp / 10000⌉, at most n — computed here, not borrowed from the code under test.
pub fn at_least(n: usize, bp: u32) -> usize {
    (n * bp as usize).div_ceil(10_000).min(n)
}

/// Distinct days of leave within [from, to].
fn leave_days(i: &Inspector, from: NaiveDate, to: NaiveDate) -> usize {
    let mut days = HashSet::new();
    for l in &i.leaves {
        let mut d = l.from.max(from);
        while d <= l.to.min(to) {
            days.insert(d);
            d = d.succ_opt().unwrap();
        }
    }
    days.len()
}

/// Every invariant of a prepared and run draw, against the libraries and history it read.
#[allow(clippy::too_many_arguments)]
pub fn check_draw(
    period: Period,
    prepared_on: NaiveDate,
    entities: &[Entity],
    inspectors: &[Inspector],
    history: &History,
    province_cap: Option<u32>,
    record: &DrawRecord,
) -> Result<(), TestCaseError> {
    let p = &record.prepared;
    let by_id: HashMap<&str, &Entity> = entities.iter().map(|e| (e.id(), e)).collect();
    let visits_of = |id: &str| history.random_visits.get(id).copied().unwrap_or(0);

    // Inspectors: eligible exactly when on duty, certified through the quarter, < 30 days away.
    for i in inspectors {
        let eligible = i.on_duty
            && i.certified_on(period.last_day())
            && leave_days(i, period.first_day(), period.last_day()) < 30;
        let listed = p.inspectors.iter().any(|f| f.id == i.code);
        let refused = p
            .ineligible(record.private.as_ref())
            .iter()
            .any(|f| f.id == i.code);
        prop_assert_eq!(listed, eligible, "eligibility of {}", i.code);
        prop_assert_eq!(refused, !eligible, "ineligibility of {}", i.code);
    }

    // Strata: quotas, populations, caps, priority.
    prop_assert_eq!(record.strata.len(), p.strata.len());
    for (spec, got) in p.strata.iter().zip(&record.strata) {
        let n = spec.population.len();
        let what = format!("{} {} ({})", spec.task, spec.label, spec.rule);
        prop_assert_eq!(&got.task, &spec.task);
        prop_assert_eq!(&got.label, &spec.label);
        prop_assert!(spec.quota as usize <= n, "quota > population: {}", what);
        if spec.full_coverage {
            // Joined visits come on top of the quota (checked below).
            prop_assert!(
                got.selected.len() >= (spec.quota as usize).min(n),
                "{}",
                what
            );
        } else {
            prop_assert_eq!(got.selected.len(), (spec.quota as usize).min(n), "{}", what);
        }
        if spec.rule.starts_with("每季度") {
            let base = spec.ratio_base.map(|b| b as usize).unwrap_or(n);
            prop_assert!(
                spec.quota as usize >= at_least(base, spec.ratio_bp).min(n),
                "per-quarter quota {} < ⌈{} × {}⌉: {}",
                spec.quota,
                n,
                spec.ratio_bp,
                what
            );
        }
        let pop: HashSet<&str> = spec.population.iter().map(String::as_str).collect();
        prop_assert_eq!(pop.len(), n, "population without repeats: {}", what);
        let prio: HashSet<&str> = spec.priority.iter().map(String::as_str).collect();
        prop_assert!(
            prio.is_subset(&pop),
            "priority outside population: {}",
            what
        );
        let chosen: Vec<&str> = got.selected.iter().map(|s| s.id.as_str()).collect();
        prop_assert!(chosen.iter().all(|id| pop.contains(id)), "{}", what);
        prop_assert_eq!(
            chosen.iter().collect::<HashSet<_>>().len(),
            chosen.len(),
            "selected twice in {}",
            what
        );
        let first = prio.len().min(chosen.len());
        prop_assert!(
            chosen[..first].iter().all(|id| prio.contains(id)),
            "priority first: {}",
            what
        );
        if spec.quota as usize >= prio.len() {
            prop_assert!(
                prio.iter().all(|id| chosen.contains(id)),
                "every priority id selected: {}",
                what
            );
        }
        // Oracle: the smallest (priority, ticket, id), tickets as strings; a full-coverage
        // stratum first joins every unit of its population another stratum selected.
        let s = seed_hash(&record.seed);
        let joined: HashSet<&str> = if spec.full_coverage {
            record
                .strata
                .iter()
                .zip(&p.strata)
                .filter(|(_, sp)| !sp.full_coverage)
                .flat_map(|(r, _)| r.selected.iter().map(|x| x.id.as_str()))
                .filter(|id| pop.contains(id))
                .collect()
        } else {
            HashSet::new()
        };
        let mut all: Vec<(bool, String, &str)> = spec
            .population
            .iter()
            .map(|id| {
                let first = prio.contains(id.as_str()) || joined.contains(id.as_str());
                (!first, ticket(&s, id), id.as_str())
            })
            .collect();
        all.sort();
        let take = (spec.quota as usize).max(joined.len());
        let mut want: Vec<(String, &str)> = all
            .into_iter()
            .take(take)
            .map(|(_, t, id)| (t, id))
            .collect();
        if spec.full_coverage {
            // The order within a full-coverage selection is joined-first, then ticket; and
            // units other full-coverage strata drew join too: compare as sets.
            want.sort();
            let mut g: Vec<(String, &str)> = got
                .selected
                .iter()
                .map(|s| (s.ticket.clone(), s.id.as_str()))
                .collect();
            g.sort();
            let want_set: HashSet<_> = want.iter().cloned().collect();
            prop_assert!(
                want_set.iter().all(|w| g.contains(w)),
                "full-coverage selection misses joined or drawn units: {}",
                what
            );
            continue;
        }
        let got_pairs: Vec<(String, &str)> = got
            .selected
            .iter()
            .map(|s| (s.ticket.clone(), s.id.as_str()))
            .collect();
        prop_assert_eq!(got_pairs, want, "selection oracle: {}", what);

        for id in &spec.population {
            let e = by_id[id.as_str()];
            let c = classify(e, prepared_on);
            let v = visits_of(id);
            let capped = c.class != SupervisionClass::Special
                && (v >= ANNUAL_CAP || province_cap.is_some_and(|cap| v >= cap));
            if capped {
                prop_assert!(
                    spec.full_coverage && spec.over_cap.contains(id),
                    "{id} ({:?}) with {v} visits in {what}",
                    c.class
                );
            }
            if spec.priority.contains(id) {
                prop_assert!(
                    c.also_key && !history.inspected.contains(id),
                    "{id} is priority but covered or not key"
                );
            }
        }
    }

    // Exclusions: never from the task's own populations; never a cap for a special unit.
    // (A unit at the cap stays in a full-coverage line's population, marked over the cap.)
    let mut in_task: HashMap<&str, HashSet<&str>> = HashMap::new();
    for s in &p.strata {
        in_task.entry(s.task.as_str()).or_default().extend(
            s.population
                .iter()
                .map(String::as_str)
                .filter(|id| !s.over_cap.iter().any(|o| o == id)),
        );
    }
    for x in &p.excluded {
        prop_assert!(
            !in_task
                .get(x.task.as_str())
                .is_some_and(|s| s.contains(x.id.as_str())),
            "{} excluded from {} and in its population",
            x.id,
            x.task
        );
        let e = by_id[x.id.as_str()];
        if classify(e, prepared_on).class == SupervisionClass::Special {
            prop_assert!(
                !x.reason.contains("上限"),
                "special {} excluded for a cap: {}",
                x.id,
                x.reason
            );
        }
    }

    // Visits: one per selected entity, listing every task that drew it, in the draw's order.
    let order: Vec<&str> = p.tasks.iter().map(|t| t.code.as_str()).collect();
    let mut drew: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &record.strata {
        for s in &r.selected {
            let tasks = drew.entry(s.id.as_str()).or_default();
            if !tasks.contains(&r.task.as_str()) {
                tasks.push(r.task.as_str());
            }
        }
    }
    let mut seen = HashSet::new();
    for v in &record.visits {
        prop_assert!(seen.insert(v.entity.as_str()), "{} visited twice", v.entity);
        let mut want = drew.get(v.entity.as_str()).cloned().unwrap_or_default();
        want.sort_by_key(|t| order.iter().position(|o| o == t));
        prop_assert_eq!(v.tasks.iter().map(String::as_str).collect::<Vec<_>>(), want);
        prop_assert_eq!(&v.ticket, &ticket(&seed_hash(&record.seed), &v.entity));
    }
    prop_assert_eq!(seen.len(), drew.len(), "a selected entity without a visit");
    prop_assert!(
        record
            .visits
            .windows(2)
            .all(|w| (&w[0].ticket, &w[0].entity) < (&w[1].ticket, &w[1].entity)),
        "visits in ticket order"
    );

    // Teams.
    let facts: HashMap<&str, _> = p.inspectors.iter().map(|i| (i.id.as_str(), i)).collect();
    let library: HashMap<&str, &Inspector> =
        inspectors.iter().map(|i| (i.code.as_str(), i)).collect();
    let mut load: HashMap<&str, u32> = HashMap::new();
    for v in &record.visits {
        if v.problem.is_some() {
            prop_assert!(v.team.is_empty(), "a team despite a problem");
            continue;
        }
        let specs: Vec<_> = v
            .tasks
            .iter()
            .map(|c| {
                p.tasks
                    .iter()
                    .find(|t| &t.code == c)
                    .expect("task of the draw")
            })
            .collect();
        let departments: HashSet<&str> = specs
            .iter()
            .flat_map(|t| t.departments.iter().map(String::as_str))
            .collect();
        prop_assert!(
            v.team.len() >= 2,
            "team of {} has {} seats",
            v.entity,
            v.team.len()
        );
        let leads: Vec<_> = v.team.iter().filter(|s| s.lead).collect();
        prop_assert_eq!(leads.len(), 1, "one lead for {}", &v.entity);
        prop_assert_eq!(&leads[0].department, &p.lead_department);
        for d in &departments {
            prop_assert_eq!(
                v.team.iter().filter(|s| s.department == *d).count(),
                1,
                "one seat of {} for {}",
                d,
                &v.entity
            );
        }
        let mut members = HashSet::new();
        let ts = seed_hash(&team_seed(&record.seed, &v.entity));
        let last = history.last_team.get(&v.entity);
        for s in &v.team {
            prop_assert!(
                members.insert(s.inspector.as_str()),
                "{} twice",
                s.inspector
            );
            let f = facts.get(s.inspector.as_str());
            prop_assert!(f.is_some(), "{} not eligible", s.inspector);
            prop_assert_eq!(&f.unwrap().department, &s.department);
            prop_assert!(
                s.department == p.lead_department || departments.contains(s.department.as_str()),
                "seat of {} on {}",
                s.department,
                &v.entity
            );
            prop_assert!(
                !library[s.inspector.as_str()].conflicts_with(&v.entity),
                "{} declared a conflict with {}",
                s.inspector,
                &v.entity
            );
            prop_assert!(
                !last.is_some_and(|t| t.contains(&s.inspector)),
                "{} was on {}'s last team",
                s.inspector,
                &v.entity
            );
            prop_assert_eq!(&s.ticket, &ticket(&ts, &s.inspector));
            *load.entry(s.inspector.as_str()).or_insert(0) += 1;
        }
        for t in &specs {
            prop_assert!(
                t.expertise.is_empty()
                    || v.team.iter().any(|s| s.department == p.lead_department
                        && facts[s.inspector.as_str()]
                            .expertise
                            .iter()
                            .any(|x| t.expertise.contains(x))),
                "no bureau officer with {:?} for {} on {}",
                t.expertise,
                t.code,
                &v.entity
            );
        }
    }
    for (i, n) in &load {
        prop_assert!(
            *n <= p.workload_cap,
            "{} has {} visits > cap {}",
            i,
            n,
            p.workload_cap
        );
    }

    let diffs = verify(record);
    prop_assert!(diffs.is_empty(), "verify: {:?}", diffs);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tampering

enum Frame {
    Obj { key: String, want_key: bool },
    Arr,
}

/// Where a verifier must notice a change: `prepared`, `seed_parts`, `strata[..].selected`,
/// `visits` (in that order).
pub const AREAS: [&str; 4] = ["prepared", "seed_parts", "strata.selected", "visits"];

fn area(stack: &[Frame]) -> Option<usize> {
    let key = |i: usize| match stack.get(i) {
        Some(Frame::Obj { key, .. }) => Some(key.as_str()),
        _ => None,
    };
    match key(0)? {
        "prepared" if stack.len() >= 2 => Some(0),
        "seed_parts" if stack.len() >= 2 => Some(1),
        "strata" if stack.len() >= 4 && key(2) == Some("selected") => Some(2),
        "visits" if stack.len() >= 2 => Some(3),
        _ => None,
    }
}

/// Byte positions of ASCII letters and digits inside string and number values of a compact
/// JSON text, grouped by [`AREAS`]. Escape sequences and object keys are left out.
pub fn positions(json: &str) -> [Vec<usize>; 4] {
    let b = json.as_bytes();
    let mut out: [Vec<usize>; 4] = Default::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => stack.push(Frame::Obj {
                key: String::new(),
                want_key: true,
            }),
            b'[' => stack.push(Frame::Arr),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Obj { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
            }
            b',' => {
                if let Some(Frame::Obj { want_key, .. }) = stack.last_mut() {
                    *want_key = true;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut inside = Vec::new();
                while b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += if b[j + 1] == b'u' { 6 } else { 2 };
                        continue;
                    }
                    if b[j].is_ascii_alphanumeric() {
                        inside.push(j);
                    }
                    j += 1;
                }
                match stack.last_mut() {
                    Some(Frame::Obj {
                        key,
                        want_key: true,
                    }) => *key = json[start..j].to_string(),
                    _ => {
                        if let Some(a) = area(&stack) {
                            out[a].extend(inside);
                        }
                    }
                }
                i = j;
            }
            c if c == b'-' || c.is_ascii_digit() => {
                let a = area(&stack);
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    if let Some(a) = a
                        && b[i].is_ascii_digit()
                    {
                        out[a].push(i);
                    }
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The JSON with the byte at `pos` changed to another letter or digit (`pick` chooses which).
pub fn change_byte(json: &str, pos: usize, pick: usize) -> String {
    let mut bytes = json.as_bytes().to_vec();
    let others: Vec<u8> = ALNUM.iter().copied().filter(|&c| c != bytes[pos]).collect();
    bytes[pos] = others[pick % others.len()];
    String::from_utf8(bytes).expect("ASCII for ASCII")
}
