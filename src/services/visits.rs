//! 检查任务 (visits): listing with countdowns, and the steps start and complete.
//! Who may act on a visit: an officer of its team (谁检查、谁录入), or a lead for progress.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::calendar::{Countdown, Deadline, WorkingCalendar};
use crate::domain::draw::record::Team;
use crate::domain::role::{Action, Subject};
use crate::domain::visit::{Step, VisitDates, VisitState, check_step};
use crate::store::{self, draws::VisitRow};

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
}

pub(crate) fn summarise(
    rows: Vec<VisitRow>,
    events: &HashMap<i64, VisitDates>,
    results: &HashMap<i64, crate::domain::result_records::Submitted>,
    pending: &[i64],
    names: &HashMap<String, (String, String)>,
    cal: &WorkingCalendar,
    today: NaiveDate,
) -> Vec<VisitView> {
    rows.into_iter()
        .map(|row| {
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
            let late = match (results.get(&row.id), &due) {
                (Some(r), _) => r.late,
                (None, Some(d)) => today > d.date,
                _ => false,
            };
            let (entity_name, town) = names.get(&row.entity).cloned().unwrap_or_default();
            VisitView {
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
        self.visits_where(filter, None)
    }

    fn visits_where(&self, filter: &VisitFilter, only: Option<i64>) -> Result<Vec<VisitView>> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let cal = self.calendar()?;
        let rows = match only {
            None => store::draws::live_visits(conn, filter.year)?,
            Some(id) => store::draws::live_visit(conn, id)?.into_iter().collect(),
        };
        let events = store::results::events_of(conn, only)?;
        let results = store::results::results_of(conn, only)?;
        let pending: Vec<i64> = store::results::corrections(conn, None)?
            .into_iter()
            .filter(|c| c.decision.is_none())
            .map(|c| c.visit_id)
            .collect();
        let names = store::entities::names(conn)?;
        let mut out: Vec<VisitView> = summarise(
            rows,
            &events,
            &results,
            &pending,
            &names,
            &cal,
            self.today(),
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
        .collect();
        out.sort_by_key(|v| (v.days_left.unwrap_or(i64::MAX), v.state, v.id));
        Ok(out)
    }

    /// One visit, if the user may see it.
    pub fn visit(&self, id: i64) -> Result<VisitView> {
        let all = self.visits_where(&VisitFilter::default(), Some(id))?;
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
    /// as the visit's event `kind`, logged as `action`.
    fn step(
        &mut self,
        id: i64,
        step: Step,
        kind: &str,
        action: &str,
        day: NaiveDate,
    ) -> Result<()> {
        crate::domain::check_date(day).map_err(|why| ServiceError::invalid("date", why))?;
        let v = self.visit(id)?;
        self.require_team_or_lead(&v.team)?;
        if v.problem.is_some() {
            return Err(ServiceError::NoTeam { visit: id });
        }
        let today = self.today();
        self.write(|tx, actor| {
            // Re-read inside the transaction: another user may have moved first.
            let mut dates = store::results::dates_of(tx, id)?;
            dates.drawn = v.dates.drawn;
            check_step(&dates, step, day, today)
                .map_err(|why| ServiceError::StepOutOfOrder { visit: None, why })?;
            let ev = actor.log(
                tx,
                action,
                &id.to_string(),
                &json!({ "entity": v.entity, "draw": v.draw_id, "day": day.to_string() }),
            )?;
            store::results::add_event(tx, id, kind, day, ev.seq)?;
            Ok(())
        })
    }

    /// `visit start ID --date D`
    pub fn start_visit(&mut self, id: i64, day: NaiveDate) -> Result<()> {
        self.step(id, Step::Start, "start", "visit.start", day)
    }

    /// `visit complete ID --date D` (检查完成日期: the 20 working days run from here).
    pub fn complete_visit(&mut self, id: i64, day: NaiveDate) -> Result<()> {
        self.step(id, Step::Complete, "complete", "visit.complete", day)
    }
}
