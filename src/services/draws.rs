//! 抽取 use cases: prepare → seed → run, once; void with the principal's approval; substitute
//! an officer; show and verify. See `docs/draw.md`.

use std::collections::{HashMap, HashSet};

use rand::TryRngCore;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::audit::Checkpoint;
use crate::domain::draw::commit::{commitment, normalise_part, seed};
use crate::domain::draw::period::Period;
use crate::domain::draw::quota::{History, PrepareInput, prepare};
use crate::domain::draw::record::{ALGORITHM, DrawRecord, FORMAT, Prepared, Substitution};
use crate::domain::draw::select::{select, visits};
use crate::domain::draw::team::{match_teams, next_substitute};
use crate::domain::draw::verify::verify;
use crate::domain::inspector::BUREAU;
use crate::domain::role::Action;
use crate::store::{self, draws::StoredDraw, settings};

/// The least number of digits people must contribute to a seed.
pub const MIN_SEED_DIGITS: usize = 20;

/// The randomness sources declared when none are given.
pub fn default_sources() -> Vec<String> {
    vec!["现场掷骰：至少两人各掷20位十进制数字".to_string()]
}

/// The source the system always adds.
pub const SYSTEM_SOURCE: &str = "系统随机数：操作系统熵源（OsRng）20位";

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
}

/// What a user may see of a draw.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DrawView {
    pub draw: StoredDraw,
    pub prepared: Prepared,
    /// The record as run, with substitutions, if run — trimmed to what the user may see.
    pub record: Option<DrawRecord>,
    /// True when the drawn list was held back from this user (保密).
    pub confidential: bool,
}

/// Earlier draws of the year, as the quota rules need them.
fn history(conn: &rusqlite::Connection, year: i32) -> Result<History> {
    let mut h = History::default();
    for v in store::draws::live_visits(conn, Some(year))? {
        *h.random_visits.entry(v.entity.clone()).or_insert(0) += 1;
        for t in &v.tasks {
            h.drawn_by_task
                .entry(t.clone())
                .or_default()
                .insert(v.entity.clone());
        }
    }
    for v in store::draws::live_visits(conn, None)? {
        h.last_team.insert(
            v.entity.clone(),
            v.team.iter().map(|s| s.inspector.clone()).collect(),
        );
    }
    Ok(h)
}

/// Twenty decimal digits from the operating system's entropy.
fn system_part() -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| ServiceError::Invalid(format!("无法读取系统随机数：{e}")))?;
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
        self.require(Action::PrepareDraw)?;
        let today = self.today();
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
            if let Some(missing) = tasks.iter().find(|c| !chosen.iter().any(|(_, t)| t.code.eq_ignore_ascii_case(c))) {
                return Err(ServiceError::NotFound(format!("{}年的任务 {missing}", period.year)));
            }
            if chosen.is_empty() {
                return Err(ServiceError::Invalid(format!("{period}没有检查时间覆盖本季度的任务")));
            }
            let codes: Vec<String> = chosen.iter().map(|(_, t)| t.code.clone()).collect();
            for d in store::draws::all(tx)?.iter().filter(|d| d.period == period.to_string() && !d.is_void()) {
                if let Some(t) = d.tasks.iter().find(|t| codes.contains(t)) {
                    let state = if d.run.is_some() { "已运行" } else { "已准备、待运行" };
                    return Err(ServiceError::Invalid(format!(
                        "{period}的任务 {t} 已在抽取 {}（{state}）中；如需重抽，须先申请作废并经主要负责人批准",
                        d.id
                    )));
                }
            }
            let entities = store::entities::all(tx)?;
            let inspectors = store::inspectors::all(tx)?;
            let province_cap = settings::get(tx, settings::PROVINCE_CAP)?.and_then(|v| v.parse().ok());
            let mut declared: Vec<String> = if sources.is_empty() { default_sources() } else { sources.to_vec() };
            declared.push(SYSTEM_SOURCE.to_string());
            let h = history(tx, period.year)?;
            let prepared = prepare(&PrepareInput {
                period,
                prepared_on: today.max(period.first_day()).min(period.last_day()),
                tasks: chosen,
                entities: &entities,
                inspectors: &inspectors,
                history: &h,
                lead_department: BUREAU,
                province_cap,
                sources: declared,
            })
            .map_err(ServiceError::Invalid)?;
            let c = commitment(&prepared);
            let id = store::draws::next_id(tx, &period.to_string())?;
            let quota: u32 = prepared.strata.iter().map(|s| s.quota).sum();
            let ev = actor.log(tx, "draw.prepare", &id, &json!({
                "period": period.to_string(), "tasks": codes, "commitment": c,
                "strata": prepared.strata.len(), "quota": quota, "excluded": prepared.excluded.len(),
            }))?;
            store::draws::insert(tx, &id, &period.to_string(), &codes, &prepared, &c, ev.seq)?;
            Ok(PreparedDraw { id, period: period.to_string(), tasks: codes, commitment: c, strata: prepared.strata.len(), quota, excluded: prepared.excluded.len(), audit_seq: ev.seq })
        })
    }

    /// `draw run ID --seed DIGITS… [--witness NAME]…`: once, ever.
    pub fn run_draw(
        &mut self,
        id: &str,
        parts: &[String],
        witnesses: &[String],
    ) -> Result<DrawRecord> {
        let system = system_part()?;
        self.run_draw_with(id, parts, witnesses, system)
    }

    /// As [`Session::run_draw`] with the system's part given (the demo history uses a part
    /// derived from its date, so the demo county is the same for the same date).
    pub(crate) fn run_draw_with(
        &mut self,
        id: &str,
        parts: &[String],
        witnesses: &[String],
        system: String,
    ) -> Result<DrawRecord> {
        self.require(Action::RunDraw)?;
        let mut seed_parts = Vec::new();
        for p in parts {
            seed_parts.push(normalise_part(p).map_err(ServiceError::Invalid)?);
        }
        let digits: usize = seed_parts.iter().map(String::len).sum();
        if digits < MIN_SEED_DIGITS {
            return Err(ServiceError::Invalid(format!(
                "现场种子合计至少{MIN_SEED_DIGITS}位数字，现为{digits}位"
            )));
        }
        let mut seed_sources: Vec<String> = (1..=seed_parts.len())
            .map(|i| format!("现场种子{i}"))
            .collect();
        seed_parts.push(system);
        seed_sources.push(SYSTEM_SOURCE.to_string());
        let today = self.today();
        let witnesses: Vec<String> = witnesses
            .iter()
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect();
        self.write(|tx, actor| {
            let draw = store::draws::get(tx, id)?.ok_or_else(|| ServiceError::NotFound(format!("抽取 {id}")))?;
            if let Some(run) = &draw.run {
                return Err(ServiceError::Invalid(format!("抽取 {id} 已于 {} 由 {} 运行，每次抽取只能运行一次", run.at, run.by)));
            }
            if let Some(v) = &draw.void_request {
                return Err(ServiceError::Invalid(format!("抽取 {id} 已由 {} 申请作废（{}），不能运行", v.by, v.reason)));
            }
            let prepared = store::draws::prepared(tx, id)?;
            let s = seed(&draw.commitment, &seed_parts);
            let strata = select(&prepared, &s);
            let planned = visits(&prepared, &strata);
            let teams = match_teams(&prepared, &s, &planned);
            let ev = actor.log(tx, "draw.run", id, &json!({
                "commitment": draw.commitment, "seed_parts": seed_parts, "seed_sources": seed_sources, "seed": s,
                "witnesses": witnesses, "visits": teams.iter().map(|v| &v.entity).collect::<Vec<_>>(),
                "team_problems": teams.iter().filter(|v| v.problem.is_some()).count(),
            }))?;
            let record = DrawRecord {
                format: FORMAT.to_string(),
                draw_id: id.to_string(),
                period: draw.period.clone(),
                algorithm: ALGORITHM.to_string(),
                prepared,
                commitment: draw.commitment.clone(),
                seed_parts: seed_parts.clone(),
                seed_sources: seed_sources.clone(),
                seed: s,
                run_on: today.to_string(),
                witnesses: witnesses.clone(),
                strata,
                visits: teams,
                substitutions: vec![],
                checkpoint: Some(Checkpoint { size: ev.seq, head: ev.hash.clone() }),
            };
            store::draws::insert_run(tx, &record, ev.seq).map_err(|e| match e {
                store::StoreError::Sql(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    ServiceError::Invalid(format!("抽取 {id} 已被运行，每次抽取只能运行一次"))
                }
                other => other.into(),
            })?;
            Ok(record)
        })
    }

    /// `draw void ID --reason R`: asks the principal to void a draw.
    pub fn request_void(&mut self, id: &str, reason: &str) -> Result<()> {
        self.require(Action::RequestVoid)?;
        let reason = reason.trim().to_string();
        if reason.chars().count() < 4 {
            return Err(ServiceError::Invalid(
                "作废须写明书面理由（至少4个字）".to_string(),
            ));
        }
        self.write(|tx, actor| {
            let draw = store::draws::get(tx, id)?
                .ok_or_else(|| ServiceError::NotFound(format!("抽取 {id}")))?;
            if let Some(v) = &draw.void_request {
                return Err(ServiceError::Invalid(format!(
                    "抽取 {id} 已于 {} 由 {} 申请作废",
                    v.at, v.by
                )));
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
        let me = self.user().login.clone();
        self.write(|tx, actor| {
            let draw = store::draws::get(tx, id)?
                .ok_or_else(|| ServiceError::NotFound(format!("抽取 {id}")))?;
            let request = draw
                .void_request
                .as_ref()
                .ok_or_else(|| ServiceError::Invalid(format!("抽取 {id} 没有作废申请")))?;
            if let Some(a) = &draw.void_approved {
                return Err(ServiceError::Invalid(format!(
                    "抽取 {id} 已于 {} 由 {} 批准作废",
                    a.at, a.by
                )));
            }
            if request.by == me {
                return Err(ServiceError::Invalid(
                    "作废申请须由申请人以外的主要负责人批准".to_string(),
                ));
            }
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

    pub fn list_draws(&self) -> Result<Vec<StoredDraw>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::draws::all(self.store().conn())?)
    }

    fn full_record(&self, id: &str) -> Result<Option<DrawRecord>> {
        let conn = self.store().conn();
        Ok(match store::draws::run_record(conn, id)? {
            Some(mut r) => {
                r.substitutions = store::draws::substitutions(conn, id)?;
                Some(r)
            }
            None => None,
        })
    }

    /// `draw show ID`: everything for leads and principals; for others the drawn list is
    /// held back, except the visits whose team includes the user's own inspector record.
    pub fn show_draw(&self, id: &str) -> Result<DrawView> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let draw = store::draws::get(conn, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("抽取 {id}")))?;
        let prepared = store::draws::prepared(conn, id)?;
        let mut record = self.full_record(id)?;
        let mut confidential = false;
        if let Some(r) = record.as_mut()
            && self.require(Action::ViewDrawResults).is_err()
        {
            confidential = true;
            let mine = self.user().inspector.clone();
            let subs = r.substitutions.clone();
            r.visits.retain(|v| {
                let team = crate::domain::draw::team::current_team(v, &subs);
                mine.as_ref()
                    .is_some_and(|m| team.iter().any(|s| &s.inspector == m))
            });
            let keep: HashSet<String> = r.visits.iter().map(|v| v.entity.clone()).collect();
            for st in &mut r.strata {
                st.selected.retain(|s| keep.contains(&s.id));
            }
            r.substitutions.retain(|s| keep.contains(&s.entity));
            r.seed.clear();
            r.seed_parts.clear();
        }
        Ok(DrawView {
            draw,
            prepared,
            record,
            confidential,
        })
    }

    /// `draw verify ID`: the stored record re-computed from itself, and checked against the
    /// stored commitment.
    pub fn verify_draw(&self, id: &str) -> Result<Vec<String>> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let draw = store::draws::get(conn, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("抽取 {id}")))?;
        let record = self
            .full_record(id)?
            .ok_or_else(|| ServiceError::Invalid(format!("抽取 {id} 尚未运行")))?;
        let mut diffs = verify(&record);
        if record.commitment != draw.commitment {
            diffs.insert(
                0,
                format!("记录的承诺值与准备时登记的 {} 不同", draw.commitment),
            );
        }
        if store::draws::prepared(conn, id)? != record.prepared {
            diffs.insert(0, "记录的承诺内容与准备时冻结的内容不同".to_string());
        }
        Ok(diffs)
    }

    /// The printable record (抽取记录) of a run draw as Markdown (`draw show --markdown`, the
    /// dashboard's record view and export), if the user may see it all.
    pub fn printable_record(&self, id: &str) -> Result<String> {
        let record = self.draw_record(id)?;
        let draw = store::draws::get(self.store().conn(), id)?
            .ok_or_else(|| ServiceError::NotFound(format!("抽取 {id}")))?;
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
        self.full_record(id)?
            .ok_or_else(|| ServiceError::Invalid(format!("抽取 {id} 尚未运行")))
    }

    /// `draw substitute ID --visit ENTITY --inspector CODE --reason R`.
    pub fn substitute(
        &mut self,
        id: &str,
        entity: &str,
        out: &str,
        reason: &str,
    ) -> Result<Substitution> {
        self.require(Action::RunDraw)?;
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(ServiceError::Invalid("替换须写明理由".to_string()));
        }
        let entity = entity.trim().to_ascii_uppercase();
        let out = out.trim().to_ascii_uppercase();
        let today = self.today();
        self.write(|tx, actor| {
            let mut record = store::draws::run_record(tx, id)?.ok_or_else(|| ServiceError::Invalid(format!("抽取 {id} 尚未运行")))?;
            record.substitutions = store::draws::substitutions(tx, id)?;
            let visit = record.visits.iter().find(|v| v.entity == entity).ok_or_else(|| ServiceError::NotFound(format!("抽取 {id} 中对象 {entity} 的检查任务")))?;
            let library: HashMap<String, crate::domain::inspector::Inspector> =
                store::inspectors::all(tx)?.into_iter().map(|i| (i.code.clone(), i)).collect();
            let unavailable = |code: &str| -> Option<String> {
                let i = library.get(code)?;
                if !i.on_duty {
                    Some("不在岗".to_string())
                } else if i.on_leave(today) {
                    Some("请假".to_string())
                } else if !i.certified_on(today) {
                    Some("执法证无效".to_string())
                } else if i.conflicts_with(&entity) {
                    Some("已申报回避".to_string())
                } else {
                    None
                }
            };
            let (seat, skipped) = next_substitute(&record.prepared, &record.seed, visit, &record.substitutions, &out, &unavailable).map_err(ServiceError::Invalid)?;
            let ev = actor.log(tx, "draw.substitute", id, &json!({ "entity": entity, "out": out, "in": seat.inspector, "reason": reason, "skipped": skipped }))?;
            let sub = Substitution { entity: entity.clone(), out: out.clone(), replacement: seat.inspector.clone(), reason: reason.clone(), skipped, at: ev.at.clone(), by: ev.actor.clone() };
            let visit_id = store::draws::visit_id(tx, id, &entity)?.ok_or_else(|| ServiceError::NotFound(format!("检查任务 {entity}")))?;
            store::draws::insert_substitution(tx, visit_id, &sub, ev.seq)?;
            Ok(sub)
        })
    }
}
