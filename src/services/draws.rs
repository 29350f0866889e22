//! 抽取 use cases: prepare → seed → run, once; void with the principal's approval; substitute
//! an officer; show and verify. See `docs/draw.md`.

use std::collections::{HashMap, HashSet};

use rand::TryRngCore;
use serde_json::json;

use super::{Done, Result, ServiceError, Session};
use crate::domain::audit::Checkpoint;
use crate::domain::draw::Draw;
use crate::domain::draw::commit::{canonical_with_commitment, normalise_part, seed, sha256_hex};
use crate::domain::draw::period::Period;
use crate::domain::draw::quota::{History, PrepareInput, prepare_units};
use crate::domain::draw::record::{
    DrawRecord, Prepared, PrivatePart, StratumCount, Substitution, SubstitutionApproval, format_of,
    person_source, record_digest, substitution_reason,
};
use crate::domain::draw::select::{select, visits};
use crate::domain::draw::team::{NoSubstitute, match_teams, next_substitute, seat_substitutions};
use crate::domain::draw::verify::{field_diffs, notes, verify};
use crate::domain::role::{Action, Subject};
use crate::domain::text::TextKind;
use crate::domain::visit::VisitState;
use crate::store::{self, settings};

/// The least number of digits people must contribute to a seed.
pub const MIN_SEED_DIGITS: usize = 20;

/// The randomness sources declared when none are given.
pub fn default_sources() -> Vec<String> {
    vec!["现场掷骰：至少两人各掷20位十进制数字".to_string()]
}

/// The source the system always adds.
pub use crate::domain::draw::record::SYSTEM_SOURCE;

/// What `draw prepare` made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PreparedDraw {
    pub id: String,
    pub period: String,
    pub tasks: Vec<String>,
    pub commitment: String,
    pub strata: usize,
    pub quota: u32,
    pub excluded: usize,
    pub audit_seq: u64,
    /// Said of the day (a day off, outside the windows), never a refusal.
    pub notes: Vec<String>,
}

/// What `draw run` reports: the seed, how many visits were drawn and how many of them could
/// not be given a team, and the audit checkpoint of the run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunBrief {
    pub seed: String,
    pub visits: usize,
    pub problems: usize,
    pub checkpoint: Option<Checkpoint>,
}

/// What a run keeps of the draw for its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The whole record, its preparation included.
    Prepared,
    /// The record without its preparation (see [`Session::run_draw_brief`]).
    Outcome,
}

/// What a user may see of a draw.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DrawView {
    pub draw: Draw,
    /// The preparation, [withheld](Prepared::withheld) when `withheld`.
    pub prepared: Prepared,
    /// Each stratum's counts (always shown).
    pub counts: Vec<StratumCount>,
    /// True when the population, exclusions and entities are held back from this user until
    /// every visit of the year's earlier draws has started or is 未实施.
    pub withheld: bool,
    /// The private part of a v2 draw, for those who may see draws' teams.
    pub private: Option<PrivatePart>,
    /// The record as run, with substitutions, if run — trimmed to what the user may see.
    pub record: Option<DrawRecord>,
    /// True when the drawn list was held back from this user (保密).
    pub confidential: bool,
}

/// What checking a record against the database found: differences (the record does not
/// verify) and notes (said, but no failure).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DrawCheck {
    pub diffs: Vec<String>,
    pub notes: Vec<String>,
}

/// The format name of a prepared draw's export.
pub const PREPARED_FORMAT: &str = "ssj-draw-prepared-v1";

/// A prepared draw as `draw show --json` prints it before the run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PreparedRecord {
    /// True when `prepared` is [withheld](Prepared::withheld) from this user: the commitment
    /// and `counts` are what may be checked until the year's earlier visits have started.
    pub withheld: bool,
    pub counts: Vec<StratumCount>,
    pub format: String,
    pub draw_id: String,
    pub period: String,
    pub commitment: String,
    pub prepared_by: String,
    pub prepared_at: String,
    pub prepared: Prepared,
}

/// Earlier draws of the year, as the quota rules need them when preparing `period`.
///
/// A visit counts toward the cap once started, or while pending in `period`; not when its
/// unit was special when drawn (v2 records say the class; for v1 draws today's class is used).
/// A task has checked a unit ("done") on the same terms; it has drawn it whatever happened.
fn history(
    conn: &rusqlite::Connection,
    period: Period,
    today: chrono::NaiveDate,
) -> Result<History> {
    use crate::domain::classification::{SupervisionClass, classify};
    let mut h = History::default();
    let visits = store::draws::live_visits(conn, Some(period.year))?;
    let events = store::results::events(conn)?;
    let mut special_when_drawn: HashMap<String, HashSet<String>> = HashMap::new();
    let mut v1_draws: HashSet<String> = HashSet::new();
    for d in visits
        .iter()
        .map(|v| v.draw_id.as_str())
        .collect::<HashSet<_>>()
    {
        let p = store::draws::prepared(conn, d)?;
        if p.entities.iter().all(|e| e.class.is_none()) {
            v1_draws.insert(d.to_string());
        }
        let special = SupervisionClass::Special.short_label();
        special_when_drawn.insert(
            d.to_string(),
            p.entities
                .iter()
                .filter(|e| e.class.as_deref() == Some(special))
                .map(|e| e.id.clone())
                .collect(),
        );
    }
    let special_today: HashSet<String> = if v1_draws.is_empty() {
        HashSet::new()
    } else {
        store::entities::all(conn)?
            .iter()
            .filter(|e| classify(e, today).class == SupervisionClass::Special)
            .map(|e| e.id().to_string())
            .collect()
    };
    let this_period = period.to_string();
    for v in &visits {
        let started = events.get(&v.id).is_some_and(|d| d.started.is_some());
        let counts = started || v.period == this_period;
        let special = if v1_draws.contains(&v.draw_id) {
            special_today.contains(&v.entity)
        } else {
            special_when_drawn
                .get(&v.draw_id)
                .is_some_and(|s| s.contains(&v.entity))
        };
        if counts && !special {
            *h.random_visits.entry(v.entity.clone()).or_insert(0) += 1;
        }
        if started {
            h.inspected.insert(v.entity.clone());
        }
        for t in &v.tasks {
            h.drawn_by_task
                .entry(t.clone())
                .or_default()
                .insert(v.entity.clone());
            if counts {
                h.done_by_task
                    .entry(t.clone())
                    .or_default()
                    .insert(v.entity.clone());
            }
        }
    }
    // Targeted checks (个案检查) of the year count as inspected for key coverage; they never
    // count toward the caps nor as drawn (issue 9 item 11).
    h.inspected
        .extend(store::targeted::inspected_in(conn, period.year)?);
    for v in store::draws::live_visits(conn, None)? {
        h.last_team.insert(
            v.entity.clone(),
            v.team.iter().map(|s| s.inspector.clone()).collect(),
        );
    }
    Ok(h)
}

fn not_run(id: &str) -> ServiceError {
    ServiceError::NotRun {
        draw: id.to_string(),
    }
}

/// Twenty decimal digits from the operating system's entropy.
fn system_part() -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| ServiceError::io("无法读取系统随机数", std::io::Error::other(e)))?;
    Ok(format!(
        "{:020}",
        u128::from_le_bytes(bytes) % 10u128.pow(20)
    ))
}

impl Session {
    /// `draw prepare --period P [--task T]… [--source S]…`
    pub fn prepare_draw(
        &mut self,
        period: Period,
        tasks: &[String],
        sources: &[String],
    ) -> Result<PreparedDraw> {
        let system = system_part()?;
        self.prepare_draw_with(period, tasks, sources, system)
    }

    /// As [`Session::prepare_draw`] with the system's seed part given (the demo history uses a
    /// part derived from its date, so the demo county is the same for the same date).
    pub(crate) fn prepare_draw_with(
        &mut self,
        period: Period,
        tasks: &[String],
        sources: &[String],
        system: String,
    ) -> Result<PreparedDraw> {
        self.require(Action::PrepareDraw)?;
        let today = self.today();
        let now = self.now_rfc3339();
        let calendar = self.calendar()?;
        self.write(|tx, actor| {
            let plans = store::plans::list(tx, Some(period.year))?;
            let mut chosen = Vec::new();
            for sp in &plans {
                for t in &sp.plan.tasks {
                    let wanted = if tasks.is_empty() {
                        t.lines.iter().any(|l| period.in_window(l.window))
                    } else {
                        tasks.iter().any(|c| c.eq_ignore_ascii_case(&t.code))
                    };
                    if wanted {
                        chosen.push((&sp.plan, t));
                    }
                }
            }
            if let Some(missing) = tasks
                .iter()
                .find(|c| !chosen.iter().any(|(_, t)| t.code.eq_ignore_ascii_case(c)))
            {
                return Err(ServiceError::NotFound {
                    what: "任务",
                    key: missing.clone(),
                    year: Some(period.year),
                });
            }
            if chosen.is_empty() {
                return Err(ServiceError::NothingToDraw { period });
            }
            let codes: Vec<String> = chosen.iter().map(|(_, t)| t.code.clone()).collect();
            for d in store::draws::all(tx)?
                .iter()
                .filter(|d| d.period == period.to_string() && !d.is_void())
            {
                if let Some(t) = d.tasks.iter().find(|t| codes.contains(t)) {
                    return Err(ServiceError::TaskAlreadyDrawn {
                        period,
                        task: t.clone(),
                        draw: d.id.clone(),
                        run: d.run.is_some(),
                    });
                }
            }
            // Any order: the preparation orders the entities by id itself. Only what the
            // preparation reads of each record is kept (issue 12).
            let prepared_on = today.max(period.first_day()).min(period.last_day());
            let units = super::draw_read::units(tx, prepared_on)?;
            let inspectors = store::inspectors::all(tx)?;
            let province_cap =
                settings::get(tx, settings::PROVINCE_CAP)?.and_then(|v| v.parse().ok());
            let mut declared: Vec<String> = if sources.is_empty() {
                default_sources()
            } else {
                sources.to_vec()
            };
            declared.push(SYSTEM_SOURCE.to_string());
            let h = history(tx, period, today)?;
            let windows: Vec<crate::domain::plan::Window> = chosen
                .iter()
                .flat_map(|(_, t)| t.lines.iter().map(|l| l.window))
                .collect();
            let notes = crate::domain::window::draw_day_notes(today, &windows, &calendar);
            let id = store::draws::next_id(tx, &period.to_string())?;
            let prepared_at = now.clone();
            // Issue 15 (departments as data): the bureau is the database's own setting.
            let bureau = super::departments::bureau(tx)?;
            let (prepared, private) = prepare_units(
                &PrepareInput {
                    period,
                    prepared_on,
                    tasks: chosen,
                    entities: &[],
                    inspectors: &inspectors,
                    history: &h,
                    lead_department: &bureau,
                    province_cap,
                    sources: declared,
                    draw_id: id.clone(),
                    // The preparer's name, not their login: the record goes public (一公开), and
                    // logins stay internal. The `draw.prepare` event names the login.
                    prepared_by: actor.user.name.clone(),
                    prepared_at,
                    system_part_sha256: sha256_hex(&system),
                },
                &units,
            )
            // Its only refusal is a task chosen by code whose window misses the period.
            .map_err(|reason| ServiceError::InvalidField {
                field: "task",
                reason,
            })?;
            drop(units);
            // The records read are freed blocks the text's large buffers would not reuse.
            super::memory::give_back();
            // Issue 15 (departments as data): refuse before any commitment or log entry when
            // the bureau or a task's cooperating department has no eligible officer.
            super::departments::check_staffed(&prepared)?;
            // Serialised once: the commitment is the SHA-256 of the very bytes stored.
            let (prepared_text, c) = canonical_with_commitment(&prepared);
            let quota: u32 = prepared.strata.iter().map(|s| s.quota).sum();
            let (strata, excluded) = (prepared.strata.len(), prepared.excluded.len());
            // From here on the text is the preparation: the structures it was written from are
            // let go before SQLite copies it (issue 12: the peak of a large county).
            drop(prepared);
            super::memory::give_back();
            let ev = actor.log(
                tx,
                "draw.prepare",
                &id,
                &json!({
                    "period": period.to_string(), "tasks": codes, "commitment": c,
                    "strata": strata, "quota": quota, "excluded": excluded,
                }),
            )?;
            store::draws::insert(
                tx,
                &id,
                &period.to_string(),
                &codes,
                prepared_text,
                &c,
                ev.seq,
            )?;
            store::draws::insert_private(tx, &id, &private, &system)?;
            Ok(PreparedDraw {
                id,
                period: period.to_string(),
                tasks: codes,
                commitment: c,
                strata,
                quota,
                excluded,
                audit_seq: ev.seq,
                notes,
            })
        })
    }

    /// `draw run ID --seed DIGITS… [--witness NAME]…`: once, ever. The system's seed part
    /// was drawn at preparation (v2); a draw prepared by the first year's build (v1) draws it
    /// now, as it did then.
    pub fn run_draw(
        &mut self,
        id: &str,
        parts: &[String],
        witnesses: &[String],
    ) -> Result<DrawRecord> {
        self.require(Action::RunDraw)?;
        let system = self.system_part_of(id)?;
        self.run_draw_with(id, parts, witnesses, system, Keep::Prepared)
    }

    /// The system's seed part of draw `id`: drawn at preparation (v2), or now (v1).
    fn system_part_of(&self, id: &str) -> Result<String> {
        let v1_system = system_part()?;
        let private = store::draws::private(self.store().conn(), id)?;
        Ok(match private {
            Some((_, s)) => s,
            None => v1_system,
        })
    }

    /// [`Session::run_draw`] for those who only report what the run did (`draw run` on the
    /// command line): the preparation, frozen and stored already, is let go as soon as the
    /// teams are matched instead of being kept in a record to return (issue 12: the run's peak
    /// on a large county).
    pub fn run_draw_brief(
        &mut self,
        id: &str,
        parts: &[String],
        witnesses: &[String],
    ) -> Result<RunBrief> {
        self.require(Action::RunDraw)?;
        let system = self.system_part_of(id)?;
        let r = self.run_draw_with(id, parts, witnesses, system, Keep::Outcome)?;
        Ok(RunBrief {
            problems: r.visits.iter().filter(|v| v.problem.is_some()).count(),
            visits: r.visits.len(),
            seed: r.seed,
            checkpoint: r.checkpoint,
        })
    }

    fn run_draw_with(
        &mut self,
        id: &str,
        parts: &[String],
        witnesses: &[String],
        system: String,
        keep: Keep,
    ) -> Result<DrawRecord> {
        self.require(Action::RunDraw)?;
        let mut seed_parts = Vec::new();
        for p in parts {
            seed_parts.push(
                normalise_part(p).map_err(|reason| ServiceError::InvalidField {
                    field: "seed",
                    reason,
                })?,
            );
        }
        let digits: usize = seed_parts.iter().map(String::len).sum();
        if digits < MIN_SEED_DIGITS {
            return Err(ServiceError::invalid(
                "seed",
                format!("现场种子合计至少{MIN_SEED_DIGITS}位数字，现为{digits}位"),
            ));
        }
        let mut seed_sources: Vec<String> = (1..=seed_parts.len()).map(person_source).collect();
        seed_parts.push(system);
        seed_sources.push(SYSTEM_SOURCE.to_string());
        let today = self.today();
        let witnesses: Vec<String> = witnesses
            .iter()
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect();
        for w in &witnesses {
            crate::domain::text::identifier("见证人", TextKind::Name, w)
                .map_err(|r| ServiceError::invalid("witness", r))?;
        }
        self.write(|tx, actor| {
            let draw = store::draws::get(tx, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
            if let Some(run) = &draw.run {
                return Err(ServiceError::AlreadyRun { draw: id.to_string(), done: Some(Done { at: run.at.clone(), by: run.by.clone() }) });
            }
            if let Some(v) = &draw.void_request {
                return Err(ServiceError::VoidPending { draw: id.to_string(), by: v.by.clone(), reason: v.reason.clone() });
            }
            let mut prepared = store::draws::prepared(tx, id)?;
            let private = store::draws::private(tx, id)?.map(|(p, _)| p);
            let s = seed(&draw.commitment, &seed_parts);
            let strata = select(&prepared, &s);
            let planned = visits(&prepared, &strata);
            if keep == Keep::Outcome {
                // Let go before the teams are formed: what the matching does not read.
                let drawn: std::collections::HashSet<&str> =
                    planned.iter().map(|v| v.entity.as_str()).collect();
                prepared.narrow_to_drawn(&drawn);
            }
            // The private part merged in place for the matching and taken out again: no
            // second copy of the entity facts.
            let filled = prepared.merge(private.as_ref());
            let teams = match_teams(&prepared, &s, &planned);
            prepared.unmerge(filled);
            drop(planned);
            let algorithm = prepared.algorithm.clone();
            if keep == Keep::Outcome {
                // Stored at preparation, and not part of the run's row nor of its digest.
                prepared = Prepared::default();
            }
            let mut record = DrawRecord {
                format: format_of(&algorithm).to_string(),
                draw_id: id.to_string(),
                period: draw.period.clone(),
                algorithm,
                prepared,
                private,
                commitment: draw.commitment.clone(),
                seed_parts: seed_parts.clone(),
                seed_sources: seed_sources.clone(),
                seed: s.clone(),
                run_on: today.to_string(),
                witnesses: witnesses.clone(),
                strata,
                visits: teams,
                substitutions: vec![],
                checkpoint: None,
            };
            let mut detail = json!({
                "commitment": draw.commitment, "seed_parts": seed_parts, "seed_sources": seed_sources, "seed": s,
                "witnesses": witnesses, "run_on": record.run_on,
                "visits": record.visits.iter().map(|v| &v.entity).collect::<Vec<_>>(),
                "team_problems": record.visits.iter().filter(|v| v.problem.is_some()).count(),
            });
            // The record's digest is hashed on a helper thread while its rows are written (the
            // event is held until the seal, and its detail completed before it).
            let (inserted, digest) = std::thread::scope(|scope| {
                let digest = std::thread::Builder::new()
                    .name("ssj-record-digest".into())
                    .spawn_scoped(scope, || record_digest(&record))
                    .ok();
                let ev = actor.log(tx, "draw.run", id, &detail)?;
                // The record is stored without its checkpoint, which is the run event itself:
                // the event is sealed with the record's rows, and the checkpoint read back from
                // the log. Tens of thousands of visits and seats with their indexes: the page
                // cache sized to the write (about 1 KiB a visit with its team and index
                // entries) keeps them in memory until the commit instead of spilling into the
                // WAL and dirtying pages twice.
                let cache = store::entities::size_cache_for(tx, record.visits.len() as u64 * 512)?;
                let inserted = store::draws::insert_run(tx, &record, ev.seq);
                store::entities::restore_cache(tx, cache)?;
                let digest = match digest.map(|h| h.join()) {
                    Some(Ok(digest)) => digest,
                    // No helper to be had, or it failed: hashed here.
                    _ => record_digest(&record),
                };
                Ok::<_, ServiceError>(((ev, inserted), digest))
            })?;
            let (ev, inserted) = inserted;
            inserted.map_err(|e| match e {
                store::StoreError::Sql(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    ServiceError::AlreadyRun { draw: id.to_string(), done: None }
                }
                other => other.into(),
            })?;
            if let Some(d) = detail.as_object_mut() {
                d.insert("record_digest".into(), digest.into());
            }
            actor.amend_log(tx, &ev, detail)?;
            let sealed = store::audit::seal(tx)?.filter(|e| e.seq == ev.seq);
            record.checkpoint = sealed.map(|e| Checkpoint { size: e.seq, head: e.hash });
            Ok(record)
        })
    }

    /// `draw void ID --reason R`: asks the principal to void a draw.
    pub fn request_void(&mut self, id: &str, reason: &str) -> Result<()> {
        self.require(Action::RequestVoid)?;
        let reason = reason.trim().to_string();
        crate::domain::text::field("作废理由", TextKind::Other, &reason)
            .map_err(|r| ServiceError::invalid("reason", r))?;
        if reason.chars().count() < 4 {
            return Err(ServiceError::invalid(
                "reason",
                "作废须写明书面理由（至少4个字）",
            ));
        }
        self.write(|tx, actor| {
            let draw =
                store::draws::get(tx, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
            if let Some(v) = &draw.void_request {
                return Err(ServiceError::AlreadyVoidRequested {
                    draw: id.to_string(),
                    done: Done {
                        at: v.at.clone(),
                        by: v.by.clone(),
                    },
                });
            }
            let ev = actor.log(
                tx,
                "draw.void_request",
                id,
                &json!({ "reason": reason, "was_run": draw.run.is_some() }),
            )?;
            store::draws::request_void(tx, id, &reason, ev.seq)?;
            Ok(())
        })
    }

    /// `draw approve-void ID`: the principal, never the one who asked.
    pub fn approve_void(&mut self, id: &str) -> Result<()> {
        self.require(Action::ApproveVoid)?;
        self.write(|tx, actor| {
            let draw =
                store::draws::get(tx, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
            let request =
                draw.void_request
                    .as_ref()
                    .ok_or_else(|| ServiceError::NoVoidRequest {
                        draw: id.to_string(),
                    })?;
            if let Some(a) = &draw.void_approved {
                return Err(ServiceError::AlreadyVoided {
                    draw: id.to_string(),
                    done: Done {
                        at: a.at.clone(),
                        by: a.by.clone(),
                    },
                });
            }
            actor.require_on(
                Action::ApproveVoid,
                Subject::RequestOf(&request.by),
                "作废申请须由申请人以外的主要负责人批准",
            )?;
            let ev = actor.log(
                tx,
                "draw.void_approve",
                id,
                &json!({ "request_seq": request.seq, "reason": request.reason }),
            )?;
            store::draws::approve_void(tx, id, ev.seq)?;
            Ok(())
        })
    }

    pub fn list_draws(&self) -> Result<Vec<Draw>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::draws::all(self.store().conn())?)
    }

    fn full_record(&self, id: &str) -> Result<Option<DrawRecord>> {
        Ok(self.full_record_as_stored(id)?.map(|(r, _)| r))
    }

    /// [`Session::full_record`], and what its row embeds ([`store::draws::Embeds`]).
    fn full_record_as_stored(
        &self,
        id: &str,
    ) -> Result<Option<(DrawRecord, store::draws::Embeds)>> {
        let conn = self.store().conn();
        Ok(match store::draws::run_record_as_stored(conn, id)? {
            Some((mut r, embeds)) => {
                r.substitutions = store::substitution_requests::substitutions(conn, id)?;
                Some((r, embeds))
            }
            None => None,
        })
    }

    /// `draw show ID`: everything for leads and principals; for others the drawn list is
    /// held back, except the visits whose team includes the user's own inspector record.
    pub fn show_draw(&self, id: &str) -> Result<DrawView> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let draw =
            store::draws::get(conn, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
        let mut prepared = store::draws::prepared(conn, id)?;
        let counts = prepared.counts();
        let withheld = !self.may_see_preparation(&draw)?;
        if withheld {
            prepared = prepared.withheld();
        }
        let mut record = self.full_record(id)?;
        if let Some(r) = record.as_mut().filter(|_| withheld) {
            r.prepared = r.prepared.withheld();
        }
        let mut confidential = false;
        if let Some(r) = record.as_mut()
            && self.require(Action::ViewDrawResults).is_err()
        {
            confidential = true;
            let subs = r.substitutions.clone();
            // Visits that have started are no longer confidential (as in `visit list`).
            let started: HashSet<String> = self
                .list_visits(&Default::default())?
                .into_iter()
                .filter(|v| v.draw_id == id && v.state != VisitState::Assigned)
                .map(|v| v.entity)
                .collect();
            r.visits.retain(|v| {
                let team = crate::domain::draw::team::current_team(v, &subs);
                let started = started.contains(&v.entity);
                self.may(
                    Action::ViewDrawResults,
                    Subject::DrawnVisit {
                        team: &team,
                        started,
                    },
                )
            });
            let keep: HashSet<String> = r.visits.iter().map(|v| v.entity.clone()).collect();
            for st in &mut r.strata {
                st.selected.retain(|s| keep.contains(&s.id));
            }
            r.substitutions.retain(|s| keep.contains(&s.entity));
            // Why an officer left (病假) is personal: the ids stay, the replay needs them.
            r.substitutions.iter_mut().for_each(Substitution::withhold);
            r.seed.clear();
            r.seed_parts.clear();
            r.private = None;
        }
        Ok(DrawView {
            draw,
            prepared,
            counts,
            withheld,
            private: self.private_part(id)?,
            record,
            confidential,
        })
    }

    /// `draw verify ID`: the differences found (see [`Session::check_draw`]).
    pub fn verify_draw(&self, id: &str) -> Result<Vec<String>> {
        Ok(self.check_draw(id)?.diffs)
    }

    /// `draw verify ID`: the stored record re-computed from itself, then checked against what
    /// the database holds of it: the commitment and `prepared` frozen at preparation, the
    /// visit tables, the `draw.run` and `draw.substitute` audit events and the chain.
    pub fn check_draw(&self, id: &str) -> Result<DrawCheck> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let draw =
            store::draws::get(conn, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
        let (record, embeds) = self.full_record_as_stored(id)?.ok_or_else(|| not_run(id))?;
        let mut check = DrawCheck {
            diffs: verify(&record),
            notes: notes(&record),
        };
        self.against_store(&draw, &record, embeds, &mut check)?;
        Ok(check)
    }

    /// `draw verify --file F` with a database: the record re-computed from itself, compared
    /// field by field with the stored record, and checked as [`Session::check_draw`] does.
    pub fn check_record(&self, record: &DrawRecord) -> Result<DrawCheck> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let mut check = DrawCheck {
            diffs: verify(record),
            notes: notes(record),
        };
        let id = &record.draw_id;
        let Some(draw) = store::draws::get(conn, id)? else {
            check.diffs.push(format!("数据库中没有抽取 {id}"));
            return Ok(check);
        };
        match self.full_record(id)? {
            None => check.diffs.push(format!("数据库中的抽取 {id} 尚未运行")),
            Some(mut stored) => {
                // A record given without its private part is not different for that, nor one
                // whose substitutions' reasons were held back from its reader.
                if record.private.is_none() {
                    stored.private = None;
                }
                for (mine, theirs) in record.substitutions.iter().zip(&mut stored.substitutions) {
                    if mine.withheld {
                        theirs.withhold();
                    }
                }
                field_diffs(
                    "",
                    &serde_json::to_value(record).expect("records serialise"),
                    &serde_json::to_value(&stored).expect("records serialise"),
                    ("文件", "数据库中的记录"),
                    &mut check.diffs,
                )
            }
        }
        // A record from a file holds its own preparation and visits.
        let own = store::draws::Embeds {
            prepared: true,
            visits: true,
        };
        self.against_store(&draw, record, own, &mut check)?;
        Ok(check)
    }

    /// The record checked against what the database holds of the draw: what was frozen at
    /// preparation, the visit tables, the `draw.run` event and its checkpoint, and the
    /// `draw.substitute` events. `own`: what the record holds itself rather than read from
    /// the rows it is checked against (a stored row's references are those very rows).
    fn against_store(
        &self,
        draw: &Draw,
        record: &DrawRecord,
        own: store::draws::Embeds,
        check: &mut DrawCheck,
    ) -> Result<()> {
        let conn = self.store().conn();
        let id = draw.id.as_str();
        self.against_preparation(draw, record, own, &mut check.diffs)?;
        let mut events = store::audit::list(
            conn,
            &crate::domain::audit::EventFilter {
                action_prefix: Some("draw.".to_string()),
                subject: Some(id.to_string()),
                ..Default::default()
            },
        )?;
        events.reverse();
        let run_seq = draw.run.as_ref().map(|r| r.seq);
        let Some(ev) = events
            .iter()
            .find(|e| e.action == "draw.run" && Some(e.seq) == run_seq)
        else {
            check
                .diffs
                .push(format!("审计日志中没有抽取 {id} 的运行事件（draw.run）"));
            return Ok(());
        };
        Self::against_run_event(record, ev, check);
        self.against_checkpoint(record, ev, &mut check.diffs)?;
        Self::against_substitution_events(record, &events, &mut check.diffs);
        Ok(())
    }

    /// The record's commitment and `prepared` against those registered at preparation, and
    /// its visits against the visit tables: each where the record holds its own (`own`).
    fn against_preparation(
        &self,
        draw: &Draw,
        record: &DrawRecord,
        own: store::draws::Embeds,
        diffs: &mut Vec<String>,
    ) -> Result<()> {
        let conn = self.store().conn();
        let id = draw.id.as_str();
        if record.commitment != draw.commitment {
            diffs.push(format!(
                "记录的承诺值 {} 与准备时登记的 {} 不同",
                record.commitment, draw.commitment
            ));
        }
        if own.prepared {
            Self::against_frozen(conn, id, record, diffs)?;
        }
        if let Some((private, system)) = store::draws::private(conn, id)? {
            if record.seed_parts.last() != Some(&system) {
                diffs.push("系统随机数（最后一个种子部分）与准备时生成并保存的不一致".to_string());
            }
            if record.private.as_ref().is_some_and(|p| *p != private) {
                diffs.push("记录的保密部分（private）与准备时保存的不一致".to_string());
            }
        }
        if own.visits {
            // JSON trees of every visit only for a difference, to name it.
            let tables = store::draws::visit_results(conn, id)?;
            if tables != record.visits {
                field_diffs(
                    "visits",
                    &serde_json::to_value(&record.visits).expect("records serialise"),
                    &serde_json::to_value(&tables).expect("records serialise"),
                    ("记录", "检查任务表"),
                    diffs,
                );
            }
        }
        Ok(())
    }

    /// The record's `prepared` against the text frozen at preparation. Compared as the
    /// stored bytes first: parsing them again to compare the values held a second
    /// preparation (the resident set grows by 450 MB while a million-entity one is read). The
    /// same canonical bytes are the same values; only a difference is parsed, to be named
    /// field by field.
    fn against_frozen(
        conn: &rusqlite::Connection,
        id: &str,
        record: &DrawRecord,
        diffs: &mut Vec<String>,
    ) -> Result<()> {
        let frozen_text = store::draws::prepared_text(conn, id)?;
        if crate::domain::canonical::to_vec(&record.prepared) == frozen_text.as_bytes() {
            return Ok(());
        }
        let frozen = store::draws::prepared_from(id, &frozen_text)?;
        drop(frozen_text);
        if frozen != record.prepared {
            diffs.push("记录的承诺内容与准备时冻结的内容不同：".to_string());
            field_diffs(
                "prepared",
                &serde_json::to_value(&record.prepared).expect("records serialise"),
                &serde_json::to_value(&frozen).expect("records serialise"),
                ("记录", "准备时冻结的内容"),
                diffs,
            );
        }
        Ok(())
    }

    /// What the `draw.run` event logged (seed parts and sources, seed, witnesses, run date,
    /// visits, the record's digest) against the record; a note when the event is older than
    /// digests.
    fn against_run_event(
        record: &DrawRecord,
        ev: &crate::domain::audit::AuditEvent,
        check: &mut DrawCheck,
    ) {
        let n = ev.seq;
        let detail: serde_json::Value = serde_json::from_str(&ev.detail).unwrap_or_default();
        let entities: Vec<&str> = record.visits.iter().map(|v| v.entity.as_str()).collect();
        let expected = [
            ("commitment", json!(record.commitment)),
            ("seed_parts", json!(record.seed_parts)),
            ("seed_sources", json!(record.seed_sources)),
            ("seed", json!(record.seed)),
            ("witnesses", json!(record.witnesses)),
            ("run_on", json!(record.run_on)),
            ("visits", json!(entities)),
        ];
        for (key, want) in expected {
            // Older events do not carry every key (run_on); what they carry must agree.
            if let Some(logged) = detail.get(key)
                && *logged != want
            {
                // The logged value is not printed: the reader may not be allowed to see it.
                check.diffs.push(format!(
                    "字段 {key} 与审计事件 draw.run（第{n}条）不符：记录为 {want}，与审计日志不一致"
                ));
            }
        }
        match detail.get("record_digest").and_then(|d| d.as_str()) {
            Some(d) => {
                let mine = record_digest(record);
                if d != mine {
                    check.diffs.push(format!(
                        "记录（除检查点和替换外）的摘要 {mine} 与审计事件 draw.run（第{n}条）登记的 {d} 不符：记录在运行后被改动"
                    ));
                }
            }
            None => check.notes.push(format!(
                "审计事件无摘要（旧记录）：draw.run（第{n}条）写于摘要功能之前，已逐项核对其登记的种子、见证人和检查对象"
            )),
        }
    }

    /// The record's checkpoint: the `draw.run` event's place and hash, and the audit chain
    /// verified up to it.
    fn against_checkpoint(
        &self,
        record: &DrawRecord,
        ev: &crate::domain::audit::AuditEvent,
        diffs: &mut Vec<String>,
    ) -> Result<()> {
        let n = ev.seq;
        let Some(cp) = &record.checkpoint else {
            diffs.push("记录没有检查点（checkpoint）".to_string());
            return Ok(());
        };
        if cp.size != n {
            diffs.push(format!(
                "检查点 size 不符：记录为 {}，运行事件为审计日志第{n}条",
                cp.size
            ));
        }
        if cp.head != ev.hash {
            diffs.push(format!(
                "检查点 head 不符：记录为 {}，审计日志第{n}条的哈希为 {}",
                cp.head, ev.hash
            ));
        }
        if let Err(b) = store::audit::verify(self.store().conn(), Some(cp))? {
            diffs.push(format!("审计日志与记录的检查点 {cp} 不一致：{b}"));
        }
        Ok(())
    }

    /// The record's substitutions against the `draw.substitute` events, one by one and field
    /// by field.
    fn against_substitution_events(
        record: &DrawRecord,
        events: &[crate::domain::audit::AuditEvent],
        diffs: &mut Vec<String>,
    ) {
        let subs: Vec<&crate::domain::audit::AuditEvent> = events
            .iter()
            .filter(|e| e.action == "draw.substitute")
            .collect();
        if subs.len() != record.substitutions.len() {
            diffs.push(format!(
                "记录有{}次人员替换，审计日志有{}次（draw.substitute）",
                record.substitutions.len(),
                subs.len()
            ));
        }
        for (i, (sub, ev)) in record.substitutions.iter().zip(&subs).enumerate() {
            let d: serde_json::Value = serde_json::from_str(&ev.detail).unwrap_or_default();
            let logged_skipped = d.get("skipped").cloned();
            let (reason, skipped) = if sub.withheld {
                // Held back from this reader: the ids of those passed over are compared.
                let ids = |v: &serde_json::Value| {
                    json!(
                        v.as_array()
                            .map(|a| a.iter().map(|x| x.get("id").cloned()).collect::<Vec<_>>())
                    )
                };
                (
                    None,
                    (ids(&json!(sub.skipped)), logged_skipped.as_ref().map(ids)),
                )
            } else {
                (
                    Some((json!(sub.reason), d.get("reason").cloned())),
                    (json!(sub.skipped), logged_skipped),
                )
            };
            let requested_by = sub.approval.as_ref().map(|a| a.requested_by.clone());
            let mut pairs = vec![
                ("entity", json!(sub.entity), d.get("entity").cloned()),
                ("out", json!(sub.out), d.get("out").cloned()),
                ("in", json!(sub.replacement), d.get("in").cloned()),
                ("skipped", skipped.0, skipped.1),
                ("at", json!(sub.at), Some(json!(ev.at))),
                ("by", json!(sub.by), Some(json!(ev.actor))),
                (
                    "approval.requested_by",
                    json!(requested_by),
                    Some(d.get("requested_by").cloned().unwrap_or_default()),
                ),
            ];
            if let Some((got, logged)) = reason {
                pairs.push(("reason", got, logged));
            }
            for (key, got, logged) in pairs {
                let logged = logged.unwrap_or_default();
                if got != logged {
                    diffs.push(format!(
                        "字段 substitutions[{i}].{key} 与审计事件 draw.substitute（第{}条）不符：记录为 {got}，与审计日志不一致",
                        ev.seq
                    ));
                }
            }
        }
    }

    /// The prepared draw for export before it is run (`draw show --json` on a prepared draw):
    /// anyone who may see the registry may recompute the commitment before the dice are rolled.
    pub fn prepared_record(&self, id: &str) -> Result<PreparedRecord> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let draw =
            store::draws::get(conn, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
        let prepared = store::draws::prepared(conn, id)?;
        let withheld = !self.may_see_preparation(&draw)?;
        Ok(PreparedRecord {
            withheld,
            counts: prepared.counts(),
            format: PREPARED_FORMAT.to_string(),
            draw_id: draw.id.clone(),
            period: draw.period.clone(),
            commitment: draw.commitment.clone(),
            prepared_by: draw.prepared_by.clone(),
            prepared_at: draw.prepared_at.clone(),
            prepared: if withheld {
                prepared.withheld()
            } else {
                prepared
            },
        })
    }

    /// Whether the user may see a draw's frozen population, exclusions and entities: those who
    /// see every drawn list always; anyone else once every visit of the year's earlier draws
    /// (prepared before it, run, not voided) has started or is marked 未实施 — until then the
    /// preparation reveals them (populations shrunk by the cap, "已随机抽查2次", last teams).
    fn may_see_preparation(&self, draw: &Draw) -> Result<bool> {
        if self.require(Action::ViewDrawResults).is_ok() {
            return Ok(true);
        }
        let conn = self.store().conn();
        let year: Period = draw
            .period
            .parse()
            .map_err(|e: String| ServiceError::invalid("period", e))?;
        let earlier: HashSet<String> = store::draws::all(conn)?
            .into_iter()
            .filter(|d| {
                d.prepared_seq < draw.prepared_seq && d.period.starts_with(&year.year.to_string())
            })
            .map(|d| d.id)
            .collect();
        if earlier.is_empty() {
            return Ok(true);
        }
        let events = store::results::events(conn)?;
        Ok(store::draws::live_visits(conn, Some(year.year))?
            .iter()
            .filter(|v| earlier.contains(&v.draw_id))
            .all(|v| {
                events
                    .get(&v.id)
                    .is_some_and(|d| d.started.is_some() || d.lapsed.is_some())
            }))
    }

    /// A v2 draw's private part, for those who may see draws' teams; `None` otherwise.
    fn private_part(&self, id: &str) -> Result<Option<PrivatePart>> {
        if self.require(Action::ViewDrawResults).is_err() {
            return Ok(None);
        }
        Ok(store::draws::private(self.store().conn(), id)?.map(|(p, _)| p))
    }

    /// The printable record of a prepared draw (strata, quotas, rules, exclusions, commitment,
    /// signature lines), for anyone who may see the registry.
    pub fn printable_prepared(&self, id: &str) -> Result<String> {
        let p = self.prepared_record(id)?;
        let private = self.private_part(id)?;
        if p.withheld {
            return Ok(crate::domain::draw::printable::withheld_markdown(
                &p.draw_id,
                &p.commitment,
                &p.prepared,
                &p.counts,
            ));
        }
        Ok(crate::domain::draw::printable::prepared_markdown(
            &p.draw_id,
            &p.commitment,
            &p.prepared,
            private.as_ref(),
            &p.prepared_by,
        ))
    }

    /// The printable record (抽取记录) of a run draw as Markdown (`draw show --markdown`, the
    /// dashboard's record view and export), if the user may see it all.
    pub fn printable_record(&self, id: &str) -> Result<String> {
        let record = self.draw_record(id)?;
        let draw = store::draws::get(self.store().conn(), id)?
            .ok_or_else(|| ServiceError::not_found("抽取", id))?;
        let run_by = draw.run.as_ref().map(|x| x.by.as_str()).unwrap_or_default();
        Ok(crate::domain::draw::printable::markdown(
            &record,
            &draw.prepared_by,
            run_by,
        ))
    }

    /// The record of a run draw for export (`draw show --json`), if the user may see it all.
    pub fn draw_record(&self, id: &str) -> Result<DrawRecord> {
        self.require(Action::ViewDrawResults)?;
        self.full_record(id)?.ok_or_else(|| not_run(id))
    }

    /// `draw substitute ID --visit ENTITY --inspector CODE --reason R`: a lead replaces an
    /// officer of a visit that has not started by the next eligible officer in the visit's
    /// ranking, for a reason of the fixed list ([`SUBSTITUTION_REASONS`]). Each seat once: a
    /// seat already substituted needs [`Session::request_substitution`] and a principal's
    /// approval.
    pub fn substitute(
        &mut self,
        id: &str,
        entity: &str,
        out: &str,
        reason: &str,
    ) -> Result<Substitution> {
        self.require(Action::RunDraw)?;
        let reason = given_reason(reason)?;
        let entity = entity.trim().to_ascii_uppercase();
        let out = out.trim().to_ascii_uppercase();
        let today = self.today();
        self.write(|tx, actor| {
            let ctx = substitution_context(tx, id, &entity, &out)?;
            if let Some(first) = ctx.seat_before.first() {
                return Err(ServiceError::Invalid(format!(
                    "对象 {entity} 检查组中 {out} 所在的席位已替换过{}次（{} 由 {} 接替，{} {}）：同一席位再次替换须经主要负责人批准，请用 draw substitute {id} --visit {entity} --inspector {out} --reason … --request 提交申请",
                    ctx.seat_before.len(),
                    first.out,
                    first.replacement,
                    first.by,
                    crate::domain::calendar::china_time(&first.at),
                )));
            }
            make_substitution(tx, actor, today, &ctx, &out, &reason, None)
        })
    }

    /// `draw substitute … --request`: a lead asks for a further substitution of a seat that
    /// has been substituted before; a principal who did not ask approves it
    /// ([`Session::approve_substitution`]), which makes the substitution.
    pub fn request_substitution(
        &mut self,
        id: &str,
        entity: &str,
        out: &str,
        reason: &str,
    ) -> Result<SubstitutionRequest> {
        self.require(Action::RunDraw)?;
        let reason = given_reason(reason)?;
        let entity = entity.trim().to_ascii_uppercase();
        let out = out.trim().to_ascii_uppercase();
        self.write(|tx, actor| {
            let ctx = substitution_context(tx, id, &entity, &out)?;
            if ctx.seat_before.is_empty() {
                return Err(ServiceError::Invalid(format!(
                    "对象 {entity} 检查组中 {out} 所在的席位尚未替换过：队长可直接替换（不加 --request），无需申请"
                )));
            }
            let pending = store::substitution_requests::requests(tx, Some(id))?
                .into_iter()
                .find(|r| r.visit_id == ctx.visit_id && r.out == out && r.approved_seq.is_none());
            if let Some(p) = pending {
                return Err(ServiceError::Invalid(format!(
                    "对象 {entity} 已有替换 {out} 的申请（第{}号，{} 提交），待主要负责人批准",
                    p.id, p.by
                )));
            }
            let ev = actor.log(tx, "draw.substitute_request", id, &json!({
                "entity": entity, "out": out, "reason": reason,
                "seat_substitutions": ctx.seat_before.len(),
            }))?;
            let rid = store::substitution_requests::insert_request(tx, ctx.visit_id, &out, &reason, ev.seq)?;
            Ok(SubstitutionRequest {
                id: rid,
                draw_id: id.to_string(),
                visit_id: ctx.visit_id,
                entity: entity.clone(),
                out: out.clone(),
                reason: reason.clone(),
                requested_by: ev.actor.clone(),
                requested_at: ev.at.clone(),
                approved: false,
            })
        })
    }

    /// `draw approve-substitute REQUEST`: a principal, not the one who asked, approves a
    /// request; the substitution is made then, by the ranking as it stands (the visit must
    /// still not have started).
    pub fn approve_substitution(&mut self, request: i64) -> Result<Substitution> {
        self.require(Action::ApproveSubstitution)?;
        let today = self.today();
        self.write(|tx, actor| {
            let r = store::substitution_requests::request(tx, request)?
                .ok_or_else(|| ServiceError::not_found("替换申请", request))?;
            if let Some(seq) = r.approved_seq {
                let ev = store::audit::list(
                    tx,
                    &crate::domain::audit::EventFilter {
                        action_prefix: Some("draw.substitute".to_string()),
                        subject: Some(r.draw_id.clone()),
                        ..Default::default()
                    },
                )?
                .into_iter()
                .find(|e| e.seq == seq);
                let (by, at) = ev.map(|e| (e.actor, e.at)).unwrap_or_default();
                return Err(ServiceError::Invalid(format!(
                    "替换申请第{request}号已于 {} 由 {by} 批准",
                    crate::domain::calendar::china_time(&at)
                )));
            }
            actor.require_on(
                Action::ApproveSubstitution,
                Subject::RequestOf(&r.by),
                "替换申请须由申请人以外的主要负责人批准",
            )?;
            let ctx = substitution_context(tx, &r.draw_id, &r.entity, &r.out)?;
            make_substitution(tx, actor, today, &ctx, &r.out, &r.reason, Some(&r))
        })
    }

    /// The requests for a further substitution of a draw's seats, pending and approved, for
    /// those who may see every drawn list (leads and principals).
    pub fn substitution_requests(&self, id: &str) -> Result<Vec<SubstitutionRequest>> {
        self.require(Action::ViewDrawResults)?;
        Ok(
            store::substitution_requests::requests(self.store().conn(), Some(id))?
                .into_iter()
                .map(SubstitutionRequest::from)
                .collect(),
        )
    }

    /// The substitutions of one visit, for whoever may see the visit; the reasons only for
    /// those who may see every drawn list (they are personal: 病假).
    pub fn visit_substitutions(&self, visit: i64) -> Result<Vec<Substitution>> {
        let v = self.visit(visit)?;
        let mut subs: Vec<Substitution> =
            store::substitution_requests::substitutions(self.store().conn(), &v.draw_id)?
                .into_iter()
                .filter(|s| s.entity == v.entity)
                .collect();
        if !self.may_see_reasons() {
            subs.iter_mut().for_each(Substitution::withhold);
        }
        Ok(subs)
    }

    /// Whether the user may see why officers were substituted (leads and principals).
    fn may_see_reasons(&self) -> bool {
        self.require(Action::ViewDrawResults).is_ok()
    }
}

/// A request for a further substitution of a seat, as those who decide see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubstitutionRequest {
    pub id: i64,
    pub draw_id: String,
    pub visit_id: i64,
    pub entity: String,
    pub out: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    /// Approved, and the substitution made.
    pub approved: bool,
}

impl From<store::substitution_requests::RequestRow> for SubstitutionRequest {
    fn from(r: store::substitution_requests::RequestRow) -> Self {
        SubstitutionRequest {
            id: r.id,
            draw_id: r.draw_id,
            visit_id: r.visit_id,
            entity: r.entity,
            out: r.out,
            reason: r.reason,
            requested_by: r.by,
            requested_at: r.at,
            approved: r.approved_seq.is_some(),
        }
    }
}

/// A reason as given, in the form records keep, or the refusal naming what is wrong.
fn given_reason(reason: &str) -> Result<String> {
    let reason = substitution_reason(reason).map_err(|why| ServiceError::invalid("reason", why))?;
    crate::domain::text::field("替换理由", TextKind::Other, &reason)
        .map_err(|r| ServiceError::invalid("reason", r))?;
    Ok(reason)
}

/// What a substitution on one visit reads inside its transaction.
struct SubstitutionContext {
    record: DrawRecord,
    /// The visit in `record.visits`.
    visit: usize,
    visit_id: i64,
    /// The earlier substitutions of the seat the leaving officer holds.
    seat_before: Vec<Substitution>,
}

/// The draw's record with its substitutions, the visit and the seat's earlier substitutions;
/// refuses a voided draw, a visit that has started (naming its state) or was marked 未实施,
/// and an officer who is not on the visit's current team.
fn substitution_context(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    entity: &str,
    out: &str,
) -> Result<SubstitutionContext> {
    let draw = store::draws::get(tx, id)?.ok_or_else(|| ServiceError::not_found("抽取", id))?;
    if let Some(a) = &draw.void_approved {
        return Err(ServiceError::AlreadyVoided {
            draw: id.to_string(),
            done: Done {
                at: a.at.clone(),
                by: a.by.clone(),
            },
        });
    }
    let mut record = store::draws::run_record(tx, id)?.ok_or_else(|| not_run(id))?;
    record.substitutions = store::substitution_requests::substitutions(tx, id)?;
    let visit = record
        .visits
        .iter()
        .position(|v| v.entity == entity)
        .ok_or_else(|| ServiceError::NotInDraw {
            draw: id.to_string(),
            entity: entity.to_string(),
        })?;
    let visit_id = store::draws::visit_id(tx, id, entity)?
        .ok_or_else(|| ServiceError::not_found("检查任务", entity))?;
    let dates = store::results::dates_of(tx, visit_id)?;
    let state = dates.state();
    if state != VisitState::Assigned {
        return Err(ServiceError::Invalid(format!(
            "检查任务 {visit_id}（对象 {entity}）{}，不能替换检查人员：只有尚未开始（待检查）的检查任务可以替换",
            state.label()
        )));
    }
    if dates.lapsed.is_some() {
        return Err(ServiceError::Invalid(format!(
            "检查任务 {visit_id}（对象 {entity}）已标为未实施，不能替换检查人员"
        )));
    }
    let seat_before = seat_substitutions(&record.visits[visit], &record.substitutions, out)
        .ok_or_else(|| NoSubstitute::NotOnTeam {
            out: out.to_string(),
        })?
        .into_iter()
        .cloned()
        .collect();
    Ok(SubstitutionContext {
        record,
        visit,
        visit_id,
        seat_before,
    })
}

/// Replaces `out` by the next eligible officer in the visit's ranking, logs `draw.substitute`
/// and stores the substitution; with `request`, as the approval of that request.
fn make_substitution(
    tx: &rusqlite::Transaction<'_>,
    actor: &super::Actor,
    today: chrono::NaiveDate,
    ctx: &SubstitutionContext,
    out: &str,
    reason: &str,
    request: Option<&store::substitution_requests::RequestRow>,
) -> Result<Substitution> {
    let record = &ctx.record;
    let visit = &record.visits[ctx.visit];
    let entity = visit.entity.as_str();
    let library: HashMap<String, crate::domain::inspector::Inspector> = store::inspectors::all(tx)?
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect();
    let unavailable = |code: &str| -> Option<String> {
        let i = library.get(code)?;
        if !i.on_duty {
            Some("不在岗".to_string())
        } else if i.on_leave(today) {
            Some("请假".to_string())
        } else if !i.certified_on(today) {
            Some("执法证无效".to_string())
        } else if i.conflicts_with(entity) {
            Some("已申报回避".to_string())
        } else {
            None
        }
    };
    let full = record
        .prepared
        .merged_for(&[entity].into(), record.private.as_ref());
    let (seat, skipped) = next_substitute(
        &full,
        &record.seed,
        visit,
        &record.substitutions,
        out,
        &unavailable,
    )?;
    let mut detail = json!({
        "entity": entity, "out": out, "in": seat.inspector, "reason": reason, "skipped": skipped,
    });
    if let Some(r) = request {
        detail["request"] = json!(r.id);
        detail["requested_by"] = json!(r.by);
    }
    let ev = actor.log(tx, "draw.substitute", &record.draw_id, &detail)?;
    let sub = Substitution {
        entity: entity.to_string(),
        out: out.to_string(),
        replacement: seat.inspector.clone(),
        reason: reason.to_string(),
        skipped,
        at: ev.at.clone(),
        by: ev.actor.clone(),
        approval: request.map(|r| SubstitutionApproval {
            requested_by: r.by.clone(),
            requested_at: r.at.clone(),
        }),
        withheld: false,
    };
    store::draws::insert_substitution(tx, ctx.visit_id, &sub, ev.seq)?;
    if let Some(r) = request {
        store::substitution_requests::insert_approval(tx, r.id, ev.seq)?;
    }
    Ok(sub)
}
