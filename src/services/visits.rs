//! 检查任务 (visits): listing with countdowns, and the steps start and complete.
//! Who may act on a visit: an officer of its team (谁检查、谁录入), or a lead for progress.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::calendar::{Countdown, Deadline, WorkingCalendar};
use crate::domain::draw::period::Period;
use crate::domain::draw::record::Team;
use crate::domain::role::{Action, Subject};
use crate::domain::visit::{Step, VisitDates, VisitState, check_step};
use crate::domain::window::{self, TaskWindow};
use crate::store::{self, Visits, draws::VisitRow};

/// Working days to enter a result after the inspection (政府信息公开条例 Art. 26; plan 六).
pub use crate::domain::calendar::RESULT_DEADLINE_DAYS as RESULT_WORKING_DAYS;

/// A visit as lists show it: the drawn visit with its current team, its dates and the state
/// and countdown derived from them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VisitView {
    pub id: i64,
    pub draw_id: String,
    pub period: String,
    pub entity: String,
    pub tasks: Vec<String>,
    pub ticket: String,
    /// Why the visit has no team, if it has none.
    pub problem: Option<String>,
    /// The rules' mark when drawn ("超出年度抽查上限（全覆盖任务）").
    pub note: Option<String>,
    /// The current team (substitutions applied).
    pub team: Team,
    /// The day the draw was run.
    pub drawn_on: String,
    pub entity_name: String,
    pub town: String,
    pub dates: VisitDates,
    pub state: VisitState,
    /// Completion + 20 working days, once completed.
    pub due: Option<Deadline>,
    /// Working days left until `due` (negative: overdue), while the result is not entered.
    pub days_left: Option<i64>,
    pub countdown: Option<Countdown>,
    /// The result was (or, not yet entered, already is) later than the due date.
    pub late: bool,
    pub pending_correction: bool,
    /// The windows of the visit's tasks (检查时间), from the plan of the draw's year.
    pub windows: Vec<TaskWindow>,
}

impl VisitView {
    /// The tasks whose windows `day` misses ("LH-1（3月-10月）"), if any: a step on that day
    /// needs a reason.
    pub fn outside_on(&self, day: NaiveDate) -> Option<String> {
        window::outside(&self.windows, day)
    }

    /// The earliest day one of the visit's windows closes.
    pub fn window_closes(&self) -> Option<NaiveDate> {
        window::earliest_close(&self.windows)
    }

    /// Not started, not 未实施, and its earliest window closes within
    /// [`window::CLOSING_WARNING_DAYS`] working days of `today` (or has closed).
    pub fn closing_unstarted(&self, today: NaiveDate, cal: &WorkingCalendar) -> bool {
        self.dates.closing_unstarted(self.problem.is_none(), || {
            window::closing_soon(&self.windows, today, cal)
        })
    }

    /// The state as lists show it (未实施 for a lapsed visit).
    pub fn status_label(&self) -> &'static str {
        self.dates.status_label()
    }
}

/// The windows of every task of every plan, by (year, task code).
pub(crate) fn task_windows(
    conn: &rusqlite::Connection,
) -> Result<HashMap<(i32, String), TaskWindow>> {
    let mut out = HashMap::new();
    for p in store::plans::list(conn, None)? {
        for t in &p.plan.tasks {
            out.insert(
                (p.plan.year, t.code.clone()),
                TaskWindow {
                    task: t.code.clone(),
                    year: p.plan.year,
                    windows: t.lines.iter().map(|l| l.window).collect(),
                },
            );
        }
    }
    Ok(out)
}

/// Whether a list of visits reads its entities' names and towns.
#[derive(Debug, Clone, Copy)]
enum Names {
    All,
    None,
}

/// Filters for `visit list`.
#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    /// Only visits whose team includes my inspector record.
    pub mine: bool,
    /// Only visits due within this many working days (overdue included).
    pub due_within: Option<i64>,
    pub state: Option<VisitState>,
    pub year: Option<i32>,
    /// Only visits not started whose window closes within
    /// [`window::CLOSING_WARNING_DAYS`] working days, or has closed (the overview's alert).
    pub closing: bool,
}

/// What the visit tables do not hold and a visit's view reads: its dates, result, waiting
/// correction, entity's name and town, and its tasks' windows.
pub(crate) struct VisitFacts<'a> {
    pub events: &'a store::ById<VisitDates>,
    /// Whether each submitted result was late.
    pub late: &'a store::ById<bool>,
    pub pending: &'a [i64],
    pub names: &'a HashMap<String, (String, String)>,
    pub windows: &'a HashMap<(i32, String), TaskWindow>,
}

pub(crate) fn summarise(
    rows: Vec<VisitRow>,
    facts: &VisitFacts<'_>,
    cal: &WorkingCalendar,
    today: NaiveDate,
) -> Vec<VisitView> {
    let VisitFacts {
        events,
        late,
        pending,
        names,
        windows,
    } = *facts;
    rows.into_iter()
        .map(|row| {
            let year = row.period.parse::<Period>().map(|p| p.year).unwrap_or(0);
            let windows: Vec<TaskWindow> = row
                .tasks
                .iter()
                .filter_map(|t| windows.get(&(year, t.clone())).cloned())
                .collect();
            let mut dates = events.get(&row.id).cloned().unwrap_or_default();
            dates.drawn = row.drawn_on.parse().ok();
            let state = dates.state();
            let due = dates
                .completed
                .map(|c| cal.add_working_days(c, RESULT_WORKING_DAYS));
            let (days_left, cd) = match (&due, state) {
                (Some(d), VisitState::Completed) => {
                    let (left, c) = cal.countdown(today, d.date);
                    (Some(left), Some(c))
                }
                _ => (None, None),
            };
            let late = match (late.get(&row.id), &due) {
                (Some(late), _) => *late,
                (None, Some(d)) => today > d.date,
                _ => false,
            };
            let (entity_name, town) = names.get(&row.entity).cloned().unwrap_or_default();
            VisitView {
                windows,
                pending_correction: pending.contains(&row.id),
                entity_name,
                town,
                dates,
                state,
                due,
                days_left,
                countdown: cd,
                late,
                id: row.id,
                draw_id: row.draw_id,
                period: row.period,
                entity: row.entity,
                tasks: row.tasks,
                ticket: row.ticket,
                problem: row.problem,
                note: row.note,
                team: row.team,
                drawn_on: row.drawn_on,
            }
        })
        .collect()
}

impl Session {
    /// Whether my inspector record sits on the visit's current team.
    pub(crate) fn on_team(&self, team: &Team) -> bool {
        self.user()
            .inspector
            .as_ref()
            .is_some_and(|me| team.includes(me))
    }

    fn may_see(&self, v: &VisitView) -> bool {
        self.may(
            Action::ViewDrawResults,
            Subject::DrawnVisit {
                team: &v.team,
                started: v.state != VisitState::Assigned,
            },
        )
    }

    /// `visit list`: visits the user may see (a visit not yet started is confidential to leads,
    /// principals and its team), most urgent first.
    pub fn list_visits(&self, filter: &VisitFilter) -> Result<Vec<VisitView>> {
        self.visits_where(filter, Visits::All, Names::All)
    }

    /// [`Session::list_visits`] of the visits with the given ids only (those the user may
    /// see), read by id: for a screen that lists a few of many.
    pub(crate) fn list_visits_of(&self, ids: &[i64]) -> Result<Vec<VisitView>> {
        self.visits_where(&VisitFilter::default(), Visits::These(ids), Names::All)
    }

    /// [`Session::list_visits`] without the entities' names and towns (left empty): for a
    /// screen that counts every visit and lists a few, which it names with
    /// [`Session::name_visits`].
    pub(crate) fn list_visits_unnamed(&self, filter: &VisitFilter) -> Result<Vec<VisitView>> {
        self.visits_where(filter, Visits::All, Names::None)
    }

    /// Puts the entity's name and town in each of `visits`, read for those entities alone.
    pub(crate) fn name_visits<'a>(
        &self,
        visits: impl IntoIterator<Item = &'a mut VisitView>,
    ) -> Result<()> {
        let mut visits: Vec<&mut VisitView> = visits.into_iter().collect();
        let names = store::entities::names_of(
            self.store().conn(),
            visits.iter().map(|v| v.entity.as_str()),
        )?;
        for v in &mut visits {
            if let Some((name, town)) = names.get(&v.entity) {
                v.entity_name.clone_from(name);
                v.town.clone_from(town);
            }
        }
        Ok(())
    }

    fn visits_where(
        &self,
        filter: &VisitFilter,
        which: Visits<'_>,
        named: Names,
    ) -> Result<Vec<VisitView>> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let cal = self.calendar()?;
        let today = self.today();
        let rows = store::draws::live_visits_where(conn, filter.year, which)?;
        let events = store::results::events_of(conn, which)?;
        let late = store::results::late_of(conn, which)?;
        let pending = store::results::pending_correction_visits(conn)?;
        let names = match (named, which) {
            (Names::None, _) => HashMap::new(),
            (Names::All, Visits::All) => store::entities::names_of_visited(conn)?,
            // One visit, or a few of many: their entities alone.
            (Names::All, Visits::One(_) | Visits::These(_)) => {
                store::entities::names_of(conn, rows.iter().map(|r| r.entity.as_str()))?
            }
        };
        let mut out: Vec<VisitView> = summarise(
            rows,
            &VisitFacts {
                events: &events,
                late: &late,
                pending: &pending,
                names: &names,
                windows: &task_windows(conn)?,
            },
            &cal,
            today,
        )
        .into_iter()
        .filter(|v| self.may_see(v))
        .filter(|v| !filter.mine || self.on_team(&v.team))
        .filter(|v| filter.state.is_none_or(|s| v.state == s))
        .filter(|v| {
            filter
                .due_within
                .is_none_or(|n| v.days_left.is_some_and(|left| left <= n))
        })
        .filter(|v| !filter.closing || v.closing_unstarted(today, &cal))
        .collect();
        out.sort_by_key(|v| (v.days_left.unwrap_or(i64::MAX), v.state, v.id));
        Ok(out)
    }

    /// One visit, if the user may see it.
    pub fn visit(&self, id: i64) -> Result<VisitView> {
        let all = self.visits_where(&VisitFilter::default(), Visits::One(id), Names::All)?;
        all.into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| ServiceError::not_found("检查任务", id))
    }

    /// Checks that the user may record this visit's progress: on its team, or a lead.
    pub(crate) fn require_team_or_lead(&self, team: &Team) -> Result<()> {
        self.require_on(
            Action::EnterResult,
            Subject::VisitWork(team),
            "记录不属于自己检查组的检查任务",
        )
    }

    /// Records `step` (start or complete; results and publication have their own use cases)
    /// as the visit's event `kind`, logged as `action`. A day outside the windows of the
    /// visit's tasks needs a reason; it is recorded, never refused.
    fn step(
        &mut self,
        id: i64,
        step: Step,
        kind: &str,
        action: &str,
        day: NaiveDate,
        reason: Option<&str>,
    ) -> Result<()> {
        let v = self.visit(id)?;
        self.require_team_or_lead(&v.team)?;
        if v.problem.is_some() {
            return Err(ServiceError::NoTeam { visit: id });
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            crate::domain::text::field("原因", crate::domain::text::TextKind::Other, r)
                .map_err(|why| ServiceError::invalid("reason", why))?;
        }
        let outside = v.outside_on(day);
        let reason = match (&outside, reason) {
            (Some(tasks), None) => {
                return Err(ServiceError::OutsideWindow {
                    visit: id,
                    step: step.label(),
                    day,
                    tasks: tasks.clone(),
                });
            }
            (Some(_), Some(r)) => Some(r),
            (None, _) => None,
        };
        let today = self.today();
        self.write(|tx, actor| {
            // Re-read inside the transaction: another user may have moved first.
            let mut dates = store::results::dates_of(tx, id)?;
            dates.drawn = v.dates.drawn;
            check_step(&dates, step, day, today)
                .map_err(|why| ServiceError::StepOutOfOrder { visit: None, why })?;
            let mut detail =
                json!({ "entity": v.entity, "draw": v.draw_id, "day": day.to_string() });
            if let (Some(tasks), Some(r)) = (&outside, reason) {
                detail["outside_window"] = json!(tasks);
                detail["reason"] = json!(r);
            }
            let ev = actor.log(tx, action, &id.to_string(), &detail)?;
            store::results::add_event_with_reason(tx, id, kind, day, reason, ev.seq)?;
            Ok(())
        })
    }

    /// `visit start ID --date D [--reason R]` (the reason when D lies outside the windows).
    pub fn start_visit(&mut self, id: i64, day: NaiveDate, reason: Option<&str>) -> Result<()> {
        self.step(id, Step::Start, "start", "visit.start", day, reason)
    }

    /// `visit complete ID --date D [--reason R]` (检查完成日期: the 20 working days run from
    /// here).
    pub fn complete_visit(&mut self, id: i64, day: NaiveDate, reason: Option<&str>) -> Result<()> {
        self.step(
            id,
            Step::Complete,
            "complete",
            "visit.complete",
            day,
            reason,
        )
    }

    /// `visit lapse ID --reason R`: a lead marks a visit of an earlier period that never
    /// started as 未实施. It no longer counts toward the cap (it never did, unstarted) and the
    /// reports list it as a shortfall.
    pub fn lapse_visit(&mut self, id: i64, reason: &str) -> Result<()> {
        self.require(Action::MarkLapsed)?;
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(ServiceError::invalid("reason", "须写明未实施的原因"));
        }
        crate::domain::text::field("原因", crate::domain::text::TextKind::Other, reason)
            .map_err(|why| ServiceError::invalid("reason", why))?;
        let v = self.visit(id)?;
        let current = Period::of(self.today());
        let period: Period = v
            .period
            .parse()
            .map_err(|e: String| ServiceError::invalid("period", e))?;
        if v.dates.lapsed.is_some() {
            return Err(ServiceError::invalid(
                "visit",
                format!("检查任务{id}已标为未实施"),
            ));
        }
        if v.state != VisitState::Assigned {
            return Err(ServiceError::invalid(
                "visit",
                format!("检查任务{id}已{}，不能标为未实施", v.state.label()),
            ));
        }
        if period >= current {
            return Err(ServiceError::invalid(
                "visit",
                format!("检查任务{id}属于{period}，只有往期未开始的检查任务才能标为未实施"),
            ));
        }
        self.write(|tx, actor| {
            let ev = actor.log(
                tx,
                "visit.lapse",
                &id.to_string(),
                &json!({ "entity": v.entity, "draw": v.draw_id, "period": v.period, "reason": reason }),
            )?;
            store::results::add_lapse(tx, id, reason, ev.seq)?;
            Ok(())
        })
    }
}
