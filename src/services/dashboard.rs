//! 总览 (the overview): this year's progress per task, the deadlines, my visits and what needs
//! attention. The dashboard's first screen and `doctor` both read it, so they cannot disagree.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::visits::{VisitFilter, VisitView, task_windows};
use super::{Result, Session};
use crate::domain::annual_report;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::draw::DrawStatus;
use crate::domain::draw::period::Period;
use crate::domain::draw::record::Team;
use crate::domain::inspector::CertAlert;
use crate::domain::role::Action;
use crate::domain::role::Subject;
use crate::domain::visit::VisitDates;
use crate::domain::visit::VisitState;
use crate::domain::window::{self, TaskWindow};
use crate::services::registry::EntityFilter;
use crate::store::{self, Visits};

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
    /// [`crate::domain::window::CLOSING_WARNING_DAYS`] working days (or closed): how many,
    /// and the first [`CLOSING_NAMED`] by id as (visit, entity name, the day it closes). At
    /// the end of a window it is every unstarted visit of the task (6,024 on the 100,000
    /// county of the benches); `visit list --closing` lists them all.
    WindowClosing {
        count: usize,
        first: Vec<(i64, String, NaiveDate)>,
    },
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
            Alert::DrawWaiting { .. }
            | Alert::NextYearCalendar(_)
            | Alert::WindowClosing { .. } => false,
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

/// How many of the visits in the alert of windows closing the overview names.
pub const CLOSING_NAMED: usize = 10;

fn year_of(period: &str) -> Option<i32> {
    period.parse::<Period>().ok().map(|p| p.year)
}

/// What the overview shows of the visits: the tasks' progress counted over every visit the
/// viewer may see, and the few visits it lists.
struct VisitLists {
    tasks: Vec<TaskProgress>,
    /// Most urgent first.
    deadlines: Vec<VisitView>,
    mine: Vec<VisitView>,
    unpublished: Vec<(i64, String)>,
    closing: usize,
    closing_first: Vec<(i64, String, NaiveDate)>,
}

/// Which of the overview's lists a visit is on, each decided once a visit (the closing
/// window is a count of working days).
#[derive(Debug, Clone, Copy, Default)]
struct Listed {
    deadline: bool,
    mine: bool,
    unpublished: bool,
    closing: bool,
}

impl Listed {
    /// The lists a visit the viewer may see is on, from its dates: the deadlines (completed,
    /// its result not entered), the viewer's own (`own`: on its current team; not yet
    /// entered), the unpublished, and the closing (`window_closing`: its earliest window
    /// closes soon, asked only of a visit not started, not 未实施, with a team). The overview
    /// asks it of each visit's mark, its reference of each visit built whole.
    fn of(
        dates: &VisitDates,
        own: bool,
        has_team: bool,
        (cal, today): (&WorkingCalendar, NaiveDate),
        window_closing: impl FnOnce() -> bool,
    ) -> Listed {
        let state = dates.state();
        Listed {
            deadline: state == VisitState::Completed,
            mine: own && state < VisitState::Entered,
            unpublished: dates.publication_overdue(cal, today),
            closing: dates.closing_unstarted(has_team, window_closing),
        }
    }

    fn any(self) -> bool {
        self.deadline || self.mine || self.unpublished || self.closing
    }
}

impl Session {
    /// The overview for today, as the user may see it.
    ///
    /// The visits are read as [`store::draws::VisitMark`]s, one narrow row each, and
    /// counted; only the visits the overview lists are read whole and named.
    /// [`Session::overview_by_visits`] builds every visit instead, as the overview did
    /// before: the reference tests compare this with.
    pub fn overview(&self) -> Result<Overview> {
        self.require(Action::ViewRegistry)?;
        let lists = self.visit_lists()?;
        self.overview_with(lists)
    }

    /// [`Session::overview`] from every visit the viewer may see, each built whole: the
    /// reference the overview is tested against (and the "before" of `benches/draw_scale.rs`).
    pub fn overview_by_visits(&self) -> Result<Overview> {
        self.require(Action::ViewRegistry)?;
        let lists = self.visit_lists_by_visits()?;
        self.overview_with(lists)
    }

    /// Which lists a visit the viewer may see, built whole, is on.
    fn listed(&self, v: &VisitView, cal: &WorkingCalendar) -> Listed {
        let today = self.today();
        Listed::of(
            &v.dates,
            self.on_team(&v.team),
            v.problem.is_none(),
            (cal, today),
            || window::closing_soon(&v.windows, today, cal),
        )
    }

    /// The overview's lists from `visits`, in the order of the list of visits: all of them
    /// whole for [`Session::overview_by_visits`], only the listed ones for the overview.
    /// Every closing visit of `visits` is named, and the progress is left to the caller.
    fn lists_of(&self, visits: Vec<VisitView>, cal: &WorkingCalendar) -> VisitLists {
        let (mut deadlines, mut mine, mut unpublished, mut closing) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for v in visits {
            let l = self.listed(&v, cal);
            if l.unpublished {
                unpublished.push((v.id, v.entity_name.clone()));
            }
            if l.closing
                && let Some(close) = v.window_closes()
            {
                closing.push((v.id, v.entity_name.clone(), close));
            }
            match (l.deadline, l.mine) {
                (true, true) => {
                    mine.push(v.clone());
                    deadlines.push(v);
                }
                (true, false) => deadlines.push(v),
                (false, true) => mine.push(v),
                (false, false) => {}
            }
        }
        deadlines.sort_by_key(|v| (v.days_left, v.id));
        VisitLists {
            tasks: Vec::new(),
            deadlines,
            mine,
            unpublished,
            closing: closing.len(),
            closing_first: closing,
        }
    }

    /// The overview's visits from every visit built whole and the listed ones named (the
    /// reference).
    fn visit_lists_by_visits(&self) -> Result<VisitLists> {
        let year = self.today().year();
        let cal = self.calendar()?;
        let mut visits = self.list_visits_unnamed(&VisitFilter::default())?;
        let listed: Vec<Listed> = visits.iter().map(|v| self.listed(v, &cal)).collect();
        self.name_visits(
            visits
                .iter_mut()
                .zip(&listed)
                .filter(|(_, l)| l.any())
                .map(|(v, _)| v),
        )?;
        let tasks = self.task_progress(
            year,
            visits
                .iter()
                .filter(|v| year_of(&v.period) == Some(year))
                .map(|v| (v.tasks.as_slice(), v.state, 1)),
        )?;
        let listed: Vec<VisitView> = visits
            .into_iter()
            .zip(listed)
            .filter(|(_, l)| l.any())
            .map(|(v, _)| v)
            .collect();
        let mut lists = self.lists_of(listed, &cal);
        lists.tasks = tasks;
        lists.closing_first.truncate(CLOSING_NAMED);
        Ok(lists)
    }

    /// The overview's visits from every visit's mark and dates: each visit's place in the
    /// lists is decided from them by [`Listed::of`], as [`Session::listed`] decides it from
    /// the visit built whole, and whether the viewer may see it by the role table's
    /// [`Subject::DrawnVisit`]; only the visits listed are then read whole, by id. The
    /// closing window is decided once a year and task list.
    fn visit_lists(&self) -> Result<VisitLists> {
        let year = self.today().year();
        let today = self.today();
        let cal = self.calendar()?;
        let conn = self.store().conn();
        let marks = store::draws::live_visit_marks(conn)?;
        let dates = store::results::events_of(conn, Visits::All)?;
        let windows = task_windows(conn)?;
        // The viewer's own visits, with their teams; every other visit's team does not hold
        // the viewer, which is all the role table asks of it.
        let mine: store::ById<Team> = match &self.user().inspector {
            Some(code) => store::draws::teams_with(conn, code)?
                .into_iter()
                .filter(|(_, team)| team.includes(code))
                .collect(),
            None => store::ById::default(),
        };
        let nobody = Team::default();
        let years: Vec<Option<i32>> = marks.periods.iter().map(|p| year_of(p)).collect();
        let undated = VisitDates::default();
        let mut closing_soon: HashMap<(Option<i32>, usize), bool> = HashMap::new();
        let mut progress: HashMap<(usize, VisitState), usize> = HashMap::new();
        let (mut read, mut closing) = (Vec::new(), Vec::new());
        for m in &marks.visits {
            let d = dates.get(&m.id).unwrap_or(&undated);
            let state = d.state();
            let team = mine.get(&m.id);
            let subject = Subject::DrawnVisit {
                team: team.unwrap_or(&nobody),
                started: state != VisitState::Assigned,
            };
            if !self.may(Action::ViewDrawResults, subject) {
                continue;
            }
            let y = years[m.period];
            if y == Some(year) {
                *progress.entry((m.tasks, state)).or_default() += 1;
            }
            let l = Listed::of(d, team.is_some(), !m.problem, (&cal, today), || {
                *closing_soon.entry((y, m.tasks)).or_insert_with(|| {
                    let of_tasks: Vec<TaskWindow> = marks.tasks[m.tasks]
                        .iter()
                        .filter_map(|t| windows.get(&(y.unwrap_or(0), t.clone())).cloned())
                        .collect();
                    window::closing_soon(&of_tasks, today, &cal)
                })
            });
            if l.closing {
                closing.push(m.id);
            }
            if l.deadline || l.mine || l.unpublished {
                read.push(m.id);
            }
        }
        let tasks = self.task_progress(
            year,
            progress
                .iter()
                .map(|(&(tasks, state), &n)| (marks.tasks[tasks].as_slice(), state, n)),
        )?;
        closing.sort_unstable();
        let count = closing.len();
        read.extend(closing.iter().take(CLOSING_NAMED));
        let mut lists = self.lists_of(self.list_visits_of(&read)?, &cal);
        // A visit of the viewer's own that is closing is read whole whether or not it is
        // among the first named.
        let named: HashSet<i64> = closing.iter().take(CLOSING_NAMED).copied().collect();
        lists.closing_first.retain(|(id, _, _)| named.contains(id));
        lists.closing = count;
        lists.tasks = tasks;
        Ok(lists)
    }

    /// The overview around its lists of visits.
    fn overview_with(&self, lists: VisitLists) -> Result<Overview> {
        let year = self.today().year();
        let calendar = self.calendar()?;
        let today = self.today();
        let VisitLists {
            tasks,
            deadlines,
            mine,
            unpublished,
            closing,
            closing_first,
        } = lists;
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
        // Counted without reading the corrections themselves.
        let pending = store::results::pending_correction_visits(self.store().conn())?.len();
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
        if closing > 0 {
            alerts.push(Alert::WindowClosing {
                count: closing,
                first: closing_first,
            });
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

    /// The progress of the year's tasks from (task list, state, how many visits) counts.
    fn task_progress<'a>(
        &self,
        year: i32,
        counts: impl Iterator<Item = (&'a [String], VisitState, usize)>,
    ) -> Result<Vec<TaskProgress>> {
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
        for (codes, state, n) in counts {
            for code in codes {
                if let Some(t) = tasks.iter_mut().find(|t| &t.code == code) {
                    t.drawn += n;
                    t.inspected += if state >= VisitState::Completed { n } else { 0 };
                    t.entered += if state >= VisitState::Entered { n } else { 0 };
                    t.published += if state == VisitState::Published { n } else { 0 };
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
