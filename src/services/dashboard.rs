//! 总览 (the overview): this year's progress per task, the deadlines, my visits and what needs
//! attention. The dashboard's first screen and `doctor` both read it, so they cannot disagree.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use super::visits::{VisitFilter, VisitView};
use super::{Result, Session};
use crate::domain::annual_report;
use crate::domain::draw::DrawStatus;
use crate::domain::draw::period::Period;
use crate::domain::inspector::CertAlert;
use crate::domain::role::Action;
use crate::domain::visit::VisitState;
use crate::services::registry::EntityFilter;

/// One task's visits this year, by how far they have come.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskProgress {
    pub code: String,
    pub name: String,
    pub drawn: usize,
    pub inspected: usize,
    pub entered: usize,
    pub published: usize,
}

/// Something that needs someone's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// A draw is prepared and waits for its seed.
    DrawWaiting {
        draw: String,
        prepared_by: String,
        prepared_at: String,
    },
    /// A void was asked for and waits for the principal.
    VoidWaiting { draw: String },
    /// Corrections wait for the principal.
    CorrectionsWaiting(usize),
    /// Completed visits whose result is past its deadline: (visit, entity name).
    Overdue(Vec<(i64, String)>),
    /// Results entered and not published after [`crate::domain::visit::PUBLISH_WORKING_DAYS`] working days:
    /// (visit, entity name).
    Unpublished(Vec<(i64, String)>),
    /// From 10月1日 until the year's report is generated: it is due on `due` (10月30日).
    AnnualReport {
        year: i32,
        due: NaiveDate,
        late: bool,
    },
    /// An on-duty officer's certificate.
    Certificate {
        code: String,
        name: String,
        alert: CertAlert,
    },
    /// Next year's holiday notice is not loaded: deadlines across the year end are provisional.
    NextYearCalendar(i32),
    /// Visits still unstarted with their earliest window closing within
    /// [`crate::domain::window::CLOSING_WARNING_DAYS`] working days (or closed): (visit,
    /// entity name, the day it closes).
    WindowClosing(Vec<(i64, String, NaiveDate)>),
    /// No draw for the quarter by the fifth working day of its part inside the window.
    DrawDue { period: Period, since: NaiveDate },
}

impl Alert {
    /// Urgent: overdue, expired, or waiting for a decision.
    pub fn urgent(&self) -> bool {
        match self {
            Alert::VoidWaiting { .. }
            | Alert::CorrectionsWaiting(_)
            | Alert::Overdue(_)
            | Alert::Unpublished(_) => true,
            Alert::DrawDue { .. } => true,
            Alert::AnnualReport { late, .. } => *late,
            Alert::Certificate { alert, .. } => matches!(alert, CertAlert::Expired(_)),
            Alert::DrawWaiting { .. } | Alert::NextYearCalendar(_) | Alert::WindowClosing(_) => {
                false
            }
        }
    }
}

/// Key entities (重点排污单位) covered this year: inspected (a random visit started, or a
/// targeted check), not merely drawn. Key is the class on the day asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCoverage {
    pub covered: usize,
    pub all: usize,
    /// The key entities not yet inspected: (id, name).
    pub missing: Vec<(String, String)>,
}

/// The overview on one day.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub year: i32,
    pub tasks: Vec<TaskProgress>,
    /// Completed visits waiting for their result, of any year, most urgent first.
    pub deadlines: Vec<VisitView>,
    /// The viewer's own visits not yet entered, of any year.
    pub mine: Vec<VisitView>,
    pub alerts: Vec<Alert>,
    /// Officers on duty (for "none of N expiring").
    pub on_duty: usize,
    /// Draws of all years.
    pub draws: usize,
    /// The latest day as of which this year's report was written to a file, if ever.
    pub annual_report_generated: Option<NaiveDate>,
}

impl Overview {
    /// The overdue results, if any.
    pub fn overdue(&self) -> &[(i64, String)] {
        self.alerts
            .iter()
            .find_map(|a| match a {
                Alert::Overdue(v) => Some(v.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The results entered and not published in time, if any.
    pub fn unpublished(&self) -> &[(i64, String)] {
        self.alerts
            .iter()
            .find_map(|a| match a {
                Alert::Unpublished(v) => Some(v.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
}

fn in_year(v: &VisitView, year: i32) -> bool {
    v.period.parse::<Period>().is_ok_and(|p| p.year == year)
}

impl Session {
    /// The overview for today, as the user may see it.
    pub fn overview(&self) -> Result<Overview> {
        self.require(Action::ViewRegistry)?;
        let year = self.today().year();
        let calendar = self.calendar()?;
        let today = self.today();
        // What the overview lists of the visits; every visit is counted in the tasks'
        // progress, and only these are named.
        let is_deadline = |v: &VisitView| v.days_left.is_some();
        let is_mine = |v: &VisitView| {
            self.user()
                .inspector
                .as_ref()
                .is_some_and(|code| v.state < VisitState::Entered && v.team.includes(code))
        };
        let is_unpublished = |v: &VisitView| v.dates.publication_overdue(&calendar, today);
        let is_closing = |v: &VisitView| v.closing_unstarted(today, &calendar);
        let mut visits = self.list_visits_unnamed(&VisitFilter::default())?;
        // Each visit's place in the lists, decided once (the closing window is a count of
        // working days).
        const DEADLINE: usize = 0;
        const MINE: usize = 1;
        const UNPUBLISHED: usize = 2;
        const CLOSING: usize = 3;
        let listed: Vec<[bool; 4]> = visits
            .iter()
            .map(|v| [is_deadline(v), is_mine(v), is_unpublished(v), is_closing(v)])
            .collect();
        self.name_visits(
            visits
                .iter_mut()
                .zip(&listed)
                .filter(|(_, l)| l.contains(&true))
                .map(|(v, _)| v),
        )?;
        let on = |list: usize| {
            visits
                .iter()
                .zip(&listed)
                .filter(move |(_, l)| l[list])
                .map(|(v, _)| v)
        };
        let tasks = self.task_progress(year, &visits)?;
        let mut deadlines: Vec<VisitView> = on(DEADLINE).cloned().collect();
        deadlines.sort_by_key(|v| (v.days_left, v.id));
        let mine: Vec<VisitView> = on(MINE).cloned().collect();
        let draws = self.list_draws()?;
        let mut alerts = Vec::new();
        for d in &draws {
            match d.status() {
                DrawStatus::VoidRequested => alerts.push(Alert::VoidWaiting { draw: d.id.clone() }),
                DrawStatus::Prepared => alerts.push(Alert::DrawWaiting {
                    draw: d.id.clone(),
                    prepared_by: d.prepared_by.clone(),
                    prepared_at: d.prepared_at.clone(),
                }),
                DrawStatus::Run | DrawStatus::Void => {}
            }
        }
        let pending = self.pending_corrections()?.len();
        if pending > 0 {
            alerts.push(Alert::CorrectionsWaiting(pending));
        }
        let overdue: Vec<(i64, String)> = deadlines
            .iter()
            .filter(|v| v.days_left.is_some_and(|d| d < 0))
            .map(|v| (v.id, v.entity_name.clone()))
            .collect();
        if !overdue.is_empty() {
            alerts.push(Alert::Overdue(overdue));
        }
        let unpublished: Vec<(i64, String)> = on(UNPUBLISHED)
            .map(|v| (v.id, v.entity_name.clone()))
            .collect();
        if !unpublished.is_empty() {
            alerts.push(Alert::Unpublished(unpublished));
        }
        let annual_report_generated = self.annual_report_generated(year)?;
        if annual_report::remind(year, today, annual_report_generated) {
            let due = annual_report::due(year);
            alerts.push(Alert::AnnualReport {
                year,
                due,
                late: today > due,
            });
        }
        let inspectors = self.list_inspectors()?;
        for i in &inspectors {
            if let Some(alert) = i.cert_alert(self.today()) {
                alerts.push(Alert::Certificate {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    alert,
                });
            }
        }
        if !calendar.known(year + 1) {
            alerts.push(Alert::NextYearCalendar(year + 1));
        }
        let closing: Vec<(i64, String, NaiveDate)> = on(CLOSING)
            .filter_map(|v| Some((v.id, v.entity_name.clone(), v.window_closes()?)))
            .collect();
        if !closing.is_empty() {
            alerts.push(Alert::WindowClosing(closing));
        }
        if let Some(due) = self.draw_due(&draws, today, &calendar)? {
            alerts.push(due);
        }
        Ok(Overview {
            year,
            tasks,
            deadlines,
            mine,
            alerts,
            on_duty: inspectors.iter().filter(|i| i.on_duty).count(),
            draws: draws.len(),
            annual_report_generated,
        })
    }

    /// [`Alert::DrawDue`] when the quarter has no live draw by the fifth working day of its
    /// part inside the windows of the year's plans.
    fn draw_due(
        &self,
        draws: &[crate::domain::draw::Draw],
        today: NaiveDate,
        calendar: &crate::domain::calendar::WorkingCalendar,
    ) -> Result<Option<Alert>> {
        let period = Period::of(today);
        if draws
            .iter()
            .any(|d| d.period == period.to_string() && !d.is_void())
        {
            return Ok(None);
        }
        let windows: Vec<crate::domain::plan::Window> = self
            .list_plans(Some(period.year))?
            .iter()
            .flat_map(|p| p.plan.tasks.iter())
            .flat_map(|t| t.lines.iter().map(|l| l.window))
            .collect();
        Ok(
            crate::domain::window::draw_due_from(period.year, period.quarter, &windows, calendar)
                .filter(|since| today >= *since)
                .map(|since| Alert::DrawDue { period, since }),
        )
    }

    fn task_progress(&self, year: i32, visits: &[VisitView]) -> Result<Vec<TaskProgress>> {
        let mut tasks: Vec<TaskProgress> = Vec::new();
        for p in self.list_plans(Some(year))? {
            for t in &p.plan.tasks {
                tasks.push(TaskProgress {
                    code: t.code.clone(),
                    name: t.name.clone(),
                    ..Default::default()
                });
            }
        }
        for v in visits.iter().filter(|v| in_year(v, year)) {
            for code in &v.tasks {
                if let Some(t) = tasks.iter_mut().find(|t| &t.code == code) {
                    t.drawn += 1;
                    t.inspected += usize::from(v.state >= VisitState::Completed);
                    t.entered += usize::from(v.state >= VisitState::Entered);
                    t.published += usize::from(v.state == VisitState::Published);
                }
            }
        }
        Ok(tasks)
    }

    /// Key entities (not excluded, not closed) inspected this year — a random visit to them
    /// started, or a targeted check (个案检查) — of all key entities, and the ones not yet
    /// inspected (ordered by town, name, id).
    ///
    /// Counted in SQLite over indexed inputs (the key-list flag and the permit class, which
    /// make an entity key whatever the date; exclusion; production status): no entity's
    /// record is read and no visit is built, so the dashboard's first screen does not grow
    /// with the registry. [`Session::key_coverage_by_records`] is the same figure from the
    /// classified records, which tests compare this with.
    pub fn key_coverage(&self, year: i32) -> Result<KeyCoverage> {
        self.key_coverage_up_to(year, None)
    }

    /// [`Session::key_coverage`] with at most the first `head` missing entities named (in the
    /// same order), for a screen that shows a line of them: the counts are whole, and only the
    /// names shown are read out.
    pub fn key_coverage_head(&self, year: i32, head: usize) -> Result<KeyCoverage> {
        self.key_coverage_up_to(year, Some(head))
    }

    fn key_coverage_up_to(&self, year: i32, head: Option<usize>) -> Result<KeyCoverage> {
        self.require(Action::ViewRegistry)?;
        let k = crate::store::entities::key_coverage_in(self.store().conn(), year, head)?;
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        Ok(KeyCoverage {
            covered: count(k.covered),
            all: count(k.all),
            missing: k.missing,
        })
    }

    /// [`Session::key_coverage`] computed from every entity's classified record and the
    /// year's visits, as the dashboard did before the count moved into SQLite: the reference
    /// the fast path is tested against (and the "before" of `benches/scale.rs`).
    pub fn key_coverage_by_records(&self, year: i32) -> Result<KeyCoverage> {
        let mut covered: HashSet<String> = self
            .list_visits(&VisitFilter {
                year: Some(year),
                ..Default::default()
            })?
            .into_iter()
            .filter(|v| v.dates.started.is_some())
            .map(|v| v.entity)
            .collect();
        covered.extend(crate::store::targeted::inspected_in(
            self.store().conn(),
            year,
        )?);
        let keys: Vec<(String, String)> = self
            .list_entities(&EntityFilter::default())?
            .into_iter()
            .filter(|c| {
                c.classification.also_key
                    && c.entity.exclusion.is_none()
                    && c.entity.production != crate::domain::vocab::ProductionStatus::Closed
            })
            .map(|c| (c.id, c.entity.name))
            .collect();
        Ok(coverage_of(keys, &covered))
    }
}

/// The coverage of `keys` (in order) by the entities in `covered`.
fn coverage_of(keys: Vec<(String, String)>, covered: &HashSet<String>) -> KeyCoverage {
    let all = keys.len();
    let missing: Vec<(String, String)> = keys
        .into_iter()
        .filter(|(k, _)| !covered.contains(k))
        .collect();
    KeyCoverage {
        covered: all - missing.len(),
        all,
        missing,
    }
}
