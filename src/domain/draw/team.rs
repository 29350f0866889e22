//! 随机匹配执法人员 (matching teams), exactly as `docs/draw.md` describes:
//!
//! For each visit, in ticket order, the eligible officers of a department are ranked under the
//! seed text `seed + "|team|" + entity_id`: first those whose areas include the entity's town,
//! then the rest, each group by ticket then id. Left out: declared conflicts with the entity,
//! the entity's previous random-inspection team, and anyone already at the workload cap.
//!
//! * Bureau seats: the lead is the first ranked officer holding an expertise one of the visit's
//!   tasks asks for; then, for each task whose expertise no seated officer holds yet, the first
//!   ranked officer who holds it; then the next ranked officers until the bureau has
//!   `max(1, 2 − cooperating departments)` seats.
//! * Each cooperating department of the visit's tasks (in name order) seats its first ranked
//!   officer.
//! * No rule is relaxed: if a seat cannot be filled the visit says which and why.

use std::collections::{BTreeSet, HashMap};

use super::record::{
    EntityFacts, Ineligible, InspectorFacts, Prepared, Seat, Substitution, Team, VisitResult,
};
use super::select::PlannedVisit;
use super::ticket::{Seeded, TicketKey, seed_hash};

/// The seed text for ranking the officers of one visit.
pub fn team_seed(seed: &str, entity: &str) -> String {
    format!("{seed}|team|{entity}")
}

/// The hash state every officer's ticket for one visit starts from: the seed hash of
/// [`team_seed`], absorbed once for all the visit's rankings.
fn visit_seed(seed: &str, entity: &str) -> Seeded {
    Seeded::new(&seed_hash(&team_seed(seed, entity)))
}

struct Ranked<'a> {
    officer: &'a InspectorFacts,
    ticket: TicketKey,
}

/// Officers of `department` eligible for the entity, in ranking order (workload not applied).
///
/// `s` has absorbed the visit's seed hash, `seed_hash(team_seed(seed, entity))`.
fn ranking<'a>(
    prepared: &'a Prepared,
    facts: Option<&EntityFacts>,
    s: &Seeded,
    entity: &str,
    department: &str,
) -> Vec<Ranked<'a>> {
    let mut r = Ranking::new(prepared, facts, s, entity, department);
    r.rank_far(s);
    r.ranked
}

/// [`ranking`] as far as the seating reads it. The officers whose areas include the entity's
/// town come first; when one of them takes the seat, the tickets of the others (most of a
/// county's officers) are never needed. They are ranked the first time the near ones will not
/// do, so the order read is [`ranking`]'s own.
struct Ranking<'a> {
    /// In ranking order: the near officers, then the far ones once ranked.
    ranked: Vec<Ranked<'a>>,
    /// The eligible officers whose areas miss the entity's town, not ranked yet.
    far: Vec<&'a InspectorFacts>,
}

impl<'a> Ranking<'a> {
    fn new(
        prepared: &'a Prepared,
        facts: Option<&EntityFacts>,
        s: &Seeded,
        entity: &str,
        department: &str,
    ) -> Ranking<'a> {
        let town = facts.map(|f| f.town.as_str()).unwrap_or("");
        let last: &[String] = facts.and_then(|f| f.last_team.as_deref()).unwrap_or(&[]);
        let mut near = Vec::new();
        let mut far = Vec::new();
        for i in prepared
            .inspectors
            .iter()
            .filter(|i| i.department == department)
            .filter(|i| !i.conflicts.iter().flatten().any(|c| c == entity))
            .filter(|i| !last.contains(&i.id))
        {
            if i.areas.iter().any(|a| a == town) {
                near.push(Ranked {
                    officer: i,
                    ticket: TicketKey::seeded(s, &i.id),
                });
            } else {
                far.push(i);
            }
        }
        near.sort_by(|a, b| (&a.ticket, &a.officer.id).cmp(&(&b.ticket, &b.officer.id)));
        Ranking { ranked: near, far }
    }

    /// Ranks the far officers after the near ones (once).
    fn rank_far(&mut self, s: &Seeded) {
        let mut far: Vec<Ranked<'a>> = std::mem::take(&mut self.far)
            .into_iter()
            .map(|i| Ranked {
                officer: i,
                ticket: TicketKey::seeded(s, &i.id),
            })
            .collect();
        far.sort_by(|a, b| (&a.ticket, &a.officer.id).cmp(&(&b.ticket, &b.officer.id)));
        self.ranked.extend(far);
    }
}

fn needs(prepared: &Prepared, tasks: &[String]) -> (Vec<Vec<String>>, Vec<String>) {
    let mut expertise = Vec::new();
    let mut departments = BTreeSet::new();
    for code in tasks {
        if let Some(t) = prepared.tasks.iter().find(|t| &t.code == code) {
            if !t.expertise.is_empty() && !expertise.contains(&t.expertise) {
                expertise.push(t.expertise.clone());
            }
            departments.extend(t.departments.iter().cloned());
        }
    }
    (expertise, departments.into_iter().collect())
}

fn holds(o: &InspectorFacts, any_of: &[String]) -> bool {
    o.expertise.iter().any(|x| any_of.contains(x))
}

/// Forms every team; a visit whose team cannot be completed carries the reason.
pub fn match_teams(prepared: &Prepared, seed: &str, visits: &[PlannedVisit]) -> Vec<VisitResult> {
    let mut load: HashMap<&str, u32> = HashMap::new();
    let facts: HashMap<&str, &EntityFacts> = prepared
        .entities
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let mut out = Vec::new();
    for v in visits {
        let entity = facts.get(v.entity.as_str()).copied();
        let (team, problem) = match form_team(prepared, seed, v, entity, &load) {
            Ok(seats) => {
                for s in &seats {
                    if let Some(o) = prepared.inspectors.iter().find(|o| o.id == s.inspector) {
                        *load.entry(o.id.as_str()).or_insert(0) += 1;
                    }
                }
                (seats, None)
            }
            Err(problem) => (Vec::new(), Some(problem)),
        };
        out.push(VisitResult {
            entity: v.entity.clone(),
            tasks: v.tasks.clone(),
            ticket: v.ticket.clone(),
            team,
            problem,
            note: v.note.clone(),
        });
    }
    out
}

/// One visit's team, seat by seat as `docs/draw.md` orders them: the bureau's lead, an officer
/// for each expertise not yet covered, more bureau officers up to the bureau's seats, one
/// officer per cooperating department. `Err` says which seat could not be filled and why.
fn form_team(
    prepared: &Prepared,
    seed: &str,
    v: &PlannedVisit,
    entity: Option<&EntityFacts>,
    load: &HashMap<&str, u32>,
) -> Result<Vec<Seat>, String> {
    let (expertise, departments) = needs(prepared, &v.tasks);
    let lead_department = &prepared.lead_department;
    let s = visit_seed(seed, &v.entity);
    let mut bureau = Ranking::new(prepared, entity, &s, &v.entity, lead_department);
    let mut team = Seating {
        cap: prepared.workload_cap,
        load,
        seats: Vec::new(),
        s: &s,
    };
    let all_expertise: Vec<String> = expertise.iter().flatten().cloned().collect();
    if !team.take(&mut bureau, true, |o| {
        all_expertise.is_empty() || holds(o, &all_expertise)
    }) {
        return Err(format!(
            "{lead_department}没有可担任组长的执法人员（需专业：{}）",
            all_expertise.join("、")
        ));
    }
    for any_of in &expertise {
        let covered = team.seats.iter().any(|s| {
            prepared
                .inspectors
                .iter()
                .any(|o| o.id == s.inspector && holds(o, any_of))
        });
        if !covered && !team.take(&mut bureau, false, |o| holds(o, any_of)) {
            return Err(format!(
                "{lead_department}没有符合专业（{}）的执法人员",
                any_of.join("、")
            ));
        }
    }
    let bureau_seats = 2usize.saturating_sub(departments.len()).max(1);
    while team.seats.len() < bureau_seats {
        if !team.take(&mut bureau, false, |_| true) {
            return Err(format!("{lead_department}可派执法人员不足{bureau_seats}名"));
        }
    }
    for d in &departments {
        let mut ranked = Ranking::new(prepared, entity, &s, &v.entity, d);
        if !team.take(&mut ranked, false, |_| true) {
            return Err(format!("{d}没有可派的执法人员"));
        }
    }
    Ok(team.seats)
}

/// The seats of one visit's team so far, and each officer's visits before this one.
struct Seating<'a> {
    cap: u32,
    load: &'a HashMap<&'a str, u32>,
    seats: Vec<Seat>,
    /// The visit's hash state (see [`visit_seed`]), for ranking far officers when asked.
    s: &'a Seeded,
}

impl Seating<'_> {
    /// Seats the first officer in the ranking who is not on the team yet, is under the
    /// workload cap and `fits`; false when there is none.
    fn take(
        &mut self,
        ranking: &mut Ranking<'_>,
        lead: bool,
        fits: impl Fn(&InspectorFacts) -> bool,
    ) -> bool {
        let free = |r: &Ranked<'_>| {
            !self.seats.iter().any(|s| s.inspector == r.officer.id)
                && self.load.get(r.officer.id.as_str()).copied().unwrap_or(0) < self.cap
        };
        let mut found = ranking
            .ranked
            .iter()
            .position(|r| free(r) && fits(r.officer));
        if found.is_none() && !ranking.far.is_empty() {
            let from = ranking.ranked.len();
            ranking.rank_far(self.s);
            found = ranking.ranked[from..]
                .iter()
                .position(|r| free(r) && fits(r.officer))
                .map(|n| from + n);
        }
        let Some(r) = found.map(|n| &ranking.ranked[n]) else {
            return false;
        };
        self.seats.push(Seat {
            inspector: r.officer.id.clone(),
            department: r.officer.department.clone(),
            lead,
            ticket: r.ticket.text(),
        });
        true
    }
}

/// The team of a visit after its substitutions.
pub fn current_team(visit: &VisitResult, substitutions: &[Substitution]) -> Team {
    let mut team = Team::from(visit.team.clone());
    for s in substitutions.iter().filter(|s| s.entity == visit.entity) {
        team.replace(&s.out, &s.replacement);
    }
    team
}

/// The earlier substitutions of the seat `out` holds on the visit's current team, oldest
/// first; `None` when `out` is not on it. A seat is a place in the team as drawn: it passes
/// from one holder to the next, so the twelfth officer to hold it holds the same seat as the
/// first. Each seat may be substituted once by a lead; a further substitution of it needs the
/// principal's approval.
pub fn seat_substitutions<'a>(
    visit: &VisitResult,
    earlier: &'a [Substitution],
    out: &str,
) -> Option<Vec<&'a Substitution>> {
    let mut holders: Vec<&str> = visit.team.iter().map(|s| s.inspector.as_str()).collect();
    let mut seat_of_sub: Vec<(usize, &'a Substitution)> = Vec::new();
    for s in earlier.iter().filter(|s| s.entity == visit.entity) {
        if let Some(i) = holders.iter().position(|h| *h == s.out) {
            holders[i] = s.replacement.as_str();
            seat_of_sub.push((i, s));
        }
    }
    let seat = holders.iter().position(|h| *h == out)?;
    Some(
        seat_of_sub
            .into_iter()
            .filter(|(i, _)| *i == seat)
            .map(|(_, s)| s)
            .collect(),
    )
}

/// Why nobody can replace an officer on a visit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoSubstitute {
    /// The officer to replace is not on the visit's team.
    #[error("{out}不在该检查组中")]
    NotOnTeam { out: String },
    /// Every eligible officer of the department has been tried.
    #[error("{department}已没有可替换的执法人员")]
    NoneLeft { department: String },
}

/// Who replaces `out` on a visit: the next officer of the same department in the visit's
/// ranking who is not on the team and has not been substituted out of it, holding the visit's
/// expertise if `out` was the lead. `unavailable` says why a candidate must be passed over now
/// (leave, a newly declared conflict), or `None`.
pub fn next_substitute(
    prepared: &Prepared,
    seed: &str,
    visit: &VisitResult,
    earlier: &[Substitution],
    out: &str,
    unavailable: &dyn Fn(&str) -> Option<String>,
) -> Result<(Seat, Vec<Ineligible>), NoSubstitute> {
    let team = current_team(visit, earlier);
    let leaving = team.seat_of(out).ok_or_else(|| NoSubstitute::NotOnTeam {
        out: out.to_string(),
    })?;
    let gone: Vec<&str> = earlier
        .iter()
        .filter(|s| s.entity == visit.entity)
        .map(|s| s.out.as_str())
        .chain([out])
        .collect();
    let (expertise, _) = needs(prepared, &visit.tasks);
    let all_expertise: Vec<String> = expertise.iter().flatten().cloned().collect();
    let mut skipped = Vec::new();
    let facts = prepared.entities.iter().find(|e| e.id == visit.entity);
    let s = visit_seed(seed, &visit.entity);
    for r in ranking(prepared, facts, &s, &visit.entity, &leaving.department) {
        let id = r.officer.id.as_str();
        if team.includes(id) || gone.contains(&id) {
            continue;
        }
        if leaving.lead && !all_expertise.is_empty() && !holds(r.officer, &all_expertise) {
            continue;
        }
        if let Some(reason) = unavailable(id) {
            skipped.push(Ineligible {
                id: id.to_string(),
                reason,
            });
            continue;
        }
        let seat = Seat {
            inspector: id.to_string(),
            department: leaving.department.clone(),
            lead: leaving.lead,
            ticket: r.ticket.text(),
        };
        return Ok((seat, skipped));
    }
    Err(NoSubstitute::NoneLeft {
        department: leaving.department.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn officer(n: usize, department: &str, areas: u8, expertise: u8) -> InspectorFacts {
        const TOWNS: [&str; 4] = ["凤城镇", "北留镇", "润城镇", "町店镇"];
        const FIELDS: [&str; 3] = ["大气", "水", "固废"];
        InspectorFacts {
            id: format!("YC-{n:03}"),
            name: format!("执法人员{n}"),
            department: department.to_string(),
            areas: (0..4)
                .filter(|b| areas & (1 << b) != 0)
                .map(|b| TOWNS[b].to_string())
                .collect(),
            expertise: (0..3)
                .filter(|b| expertise & (1 << b) != 0)
                .map(|b| FIELDS[b].to_string())
                .collect(),
            conflicts: None,
        }
    }

    /// The seating over the whole ranking at once, as it was before the far officers were
    /// ranked only when needed.
    fn take_eager(
        seats: &mut Vec<Seat>,
        cap: u32,
        load: &HashMap<&str, u32>,
        ranked: &[Ranked<'_>],
        fits: impl Fn(&InspectorFacts) -> bool,
    ) -> bool {
        let free = |r: &Ranked<'_>| {
            !seats.iter().any(|s| s.inspector == r.officer.id)
                && load.get(r.officer.id.as_str()).copied().unwrap_or(0) < cap
        };
        let Some(r) = ranked.iter().find(|r| free(r) && fits(r.officer)) else {
            return false;
        };
        seats.push(Seat {
            inspector: r.officer.id.clone(),
            department: r.officer.department.clone(),
            lead: false,
            ticket: r.ticket.text(),
        });
        true
    }

    proptest! {
        /// Seat after seat, with any officers, areas, expertise, loads and wishes, the lazy
        /// ranking seats exactly whom the whole ranking seats.
        #[test]
        fn ranking_far_officers_when_needed_seats_the_same(
            officers in proptest::collection::vec((0u8..16, 0u8..8, 0u32..3), 1..24),
            town in 0usize..5,
            wishes in proptest::collection::vec(0u8..8, 1..6),
            seed in "[0-9]{20}",
        ) {
            let prepared = Prepared {
                inspectors: officers
                    .iter()
                    .enumerate()
                    .map(|(n, (areas, expertise, _))| officer(n, "局", *areas, *expertise))
                    .collect(),
                ..Default::default()
            };
            let load: HashMap<&str, u32> = prepared
                .inspectors
                .iter()
                .zip(&officers)
                .map(|(i, (_, _, l))| (i.id.as_str(), *l))
                .collect();
            let towns = ["凤城镇", "北留镇", "润城镇", "町店镇", "别处"];
            let facts = EntityFacts {
                id: "E1".into(),
                name: "甲".into(),
                town: towns[town].into(),
                last_team: None,
                class: None,
            };
            let s = visit_seed(&seed, "E1");
            let eager = ranking(&prepared, Some(&facts), &s, "E1", "局");
            let mut lazy = Ranking::new(&prepared, Some(&facts), &s, "E1", "局");
            let mut team = Seating { cap: 2, load: &load, seats: Vec::new(), s: &s };
            let mut seats = Vec::new();
            for w in wishes {
                let fits = |o: &InspectorFacts| {
                    w == 0 || o.expertise.iter().any(|x| {
                        ["大气", "水", "固废"].iter().enumerate().any(|(b, f)| w & (1 << b) != 0 && x == f)
                    })
                };
                let a = team.take(&mut lazy, false, fits);
                let b = take_eager(&mut seats, 2, &load, &eager, fits);
                prop_assert_eq!(a, b);
                prop_assert_eq!(&team.seats, &seats);
            }
        }
    }
}
