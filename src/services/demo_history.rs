//! The demo county's year so far (示例数据): earlier quarters drawn and worked through, so
//! every screen has real content — visits in every state, results with several categories, a
//! late entry, a correction waiting for the principal, an open case, published results, and
//! countdowns running out in the next days. This quarter's draw is prepared, waiting for its
//! seed. Everything goes through the same use cases as a person would, so the audit log tells
//! the story. Deterministic for a date.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::{OpenOptions, Result, ServiceError, Session};
use crate::demo;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::draw::period::Period;
use crate::domain::result::{Category, FollowUpKind, InspectionResult, Outcome};
use crate::domain::visit::VisitState;
use crate::services::visits::{RESULT_WORKING_DAYS, VisitFilter, VisitView};

/// Seed digits derived from a label, so the demo is the same for the same date.
fn digits(label: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(label.as_bytes())
        .iter()
        .take(20)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

fn session(path: &Path, creator: &str, as_login: Option<&str>, day: NaiveDate) -> Result<Session> {
    let options = OpenOptions {
        act_as: as_login.map(str::to_string),
        today: Some(day),
    };
    Session::open_as_os_user(path, creator, &options)
}

/// One open session per person, moved to the day of each step: the history's hundreds of
/// steps reuse a few connections instead of opening one each.
struct People<'a> {
    path: &'a Path,
    creator: &'a str,
    open: std::collections::HashMap<String, Session>,
}

impl People<'_> {
    fn on(&mut self, login: &str, day: NaiveDate) -> Result<&mut Session> {
        if !self.open.contains_key(login) {
            let s = session(self.path, self.creator, Some(login), day)?;
            self.open.insert(login.to_string(), s);
        }
        let s = self.open.get_mut(login).expect("opened above");
        s.move_demo_day(day);
        Ok(s)
    }
}

/// The day the demo draws a quarter: the second working day of the quarter's first month that
/// lies inside the windows of the year's plans (Q1: early March, Q4: early October), as a
/// bureau schedules it; never after today.
fn draw_day(
    s: &Session,
    cal: &WorkingCalendar,
    period: Period,
    today: NaiveDate,
) -> Result<NaiveDate> {
    let windows: Vec<crate::domain::plan::Window> = s
        .list_plans(Some(period.year))?
        .iter()
        .flat_map(|p| p.plan.tasks.iter())
        .flat_map(|t| t.lines.iter().map(|l| l.window))
        .collect();
    let first = (period.quarter - 1) * 3 + 1;
    let month = (first..first + 3)
        .find(|m| {
            windows
                .iter()
                .any(|w| w.start_month <= *m && *m <= w.end_month)
        })
        .unwrap_or(first);
    let start = NaiveDate::from_ymd_opt(period.year, month, 1).unwrap_or(period.first_day());
    let day = cal.add_working_days(start - chrono::Days::new(1), 2).date;
    Ok(day.min(today))
}

pub(crate) fn build(path: &Path, creator: &str, today: NaiveDate) -> Result<()> {
    let current = Period::of(today);
    let lead = session(path, creator, None, today)?;
    let cal = lead.calendar()?;
    let mut days = Vec::new();
    for quarter in 1..=current.quarter {
        let period = Period {
            year: today.year(),
            quarter,
        };
        days.push(draw_day(&lead, &cal, period, today)?);
    }
    drop(lead);
    let latest = current.quarter.saturating_sub(1);
    for quarter in 1..=current.quarter {
        let period = Period {
            year: today.year(),
            quarter,
        };
        let day = days[quarter as usize - 1];
        let mut s = session(path, creator, None, day)?;
        let tag = format!("{}|{period}", demo::DEMO_LABEL);
        let system = digits(&format!("{tag}|system"));
        let prepared = match s.prepare_draw_with(period, &[], &[], system) {
            Ok(p) => p,
            Err(ServiceError::NothingToDraw { .. }) => continue,
            Err(e) => return Err(e),
        };
        if quarter < current.quarter {
            let parts = [digits(&format!("{tag}|1")), digits(&format!("{tag}|2"))];
            let witnesses = ["示例见证人甲".to_string(), "示例见证人乙".to_string()];
            s.run_draw(&prepared.id, &parts, &witnesses)?;
            drop(s);
            // Most of the quarter's visits are done before the next quarter's draw, and their
            // results published within 20 working days of entry (谁公示).
            work_the_quarter(path, creator, &cal, today, period, quarter == latest)?;
            let published_on = cal.add_working_days(day, 25).date.min(today);
            publish(path, creator, period, published_on)?;
        }
    }
    if latest > 0 {
        work_the_special_cases(path, creator, &cal, today, latest)?;
    }
    publish_earlier_quarters(path, creator, today)
}

/// What the demo does with one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Published,
    PublishedSeveralCategories,
    LateWithClosedCase,
    OpenCase,
    CorrectionWaiting,
    DueSoon,
    DueInFive,
    Overdue,
    Started,
}

/// Why the demo's officers inspected outside a window (a late special case).
const OUTSIDE_REASON: &str = "企业停产检修，检查顺延至复产后";

const PLANS: [Plan; 9] = [
    Plan::Published,
    Plan::PublishedSeveralCategories,
    Plan::LateWithClosedCase,
    Plan::OpenCase,
    Plan::CorrectionWaiting,
    Plan::DueSoon,
    Plan::DueInFive,
    Plan::Overdue,
    Plan::Started,
];

/// The latest working day before today whose 20-working-day due date is `left` working days
/// away from today (negative: overdue).
fn completed_for(cal: &WorkingCalendar, today: NaiveDate, left: i64) -> Option<NaiveDate> {
    (1..120)
        .map(|back| today - chrono::Days::new(back))
        .filter(|d| cal.is_working_day(*d))
        .find(|d| {
            cal.countdown(today, cal.add_working_days(*d, RESULT_WORKING_DAYS).date)
                .0
                == left
        })
}

fn result_for(items: &[String], plan: Plan) -> InspectionResult {
    let mut r = InspectionResult::blank(items);
    match plan {
        Plan::PublishedSeveralCategories => {
            r.categories = [Category::NoActivity, Category::Other].into();
            r.other = "季节性停产，已核实停产台账".to_string();
            r.findings = "检查时企业处于季节性停产期".to_string();
        }
        Plan::LateWithClosedCase | Plan::OpenCase => {
            r.items[0].outcome = Outcome::Problem;
            r.items[0].note = "污染防治设施未正常运行".to_string();
            r.categories = if plan == Plan::OpenCase {
                [Category::Pending].into()
            } else {
                [Category::Corrected].into()
            };
            r.findings = "脱硫设施循环泵停运，未如实记录运行台账".to_string();
            r.legal_basis = "《中华人民共和国大气污染防治法》第二十条".to_string();
            r.measure = if plan == Plan::OpenCase {
                "立案调查".to_string()
            } else {
                "责令改正".to_string()
            };
        }
        _ => {}
    }
    r
}

/// Works through a run quarter's visits as their officers would, some working days after
/// the draw: every visit of an older quarter; of the latest run quarter, all but the special
/// cases (kept for later) and one in seven (left 待检查, as some always are).
fn work_the_quarter(
    path: &Path,
    creator: &str,
    cal: &WorkingCalendar,
    today: NaiveDate,
    period: Period,
    latest: bool,
) -> Result<()> {
    let lead = session(path, creator, None, today)?;
    let visits = visits_with_a_login(&lead, today, period.quarter)?;
    drop(lead);
    let mut work = Work {
        people: People {
            path,
            creator,
            open: Default::default(),
        },
        cal: cal.clone(),
        today,
    };
    for (i, (v, login)) in visits.iter().enumerate() {
        if quarter_of(v, today) != period.quarter {
            continue;
        }
        if latest && (i < PLANS.len() || i % 7 == 6) {
            continue;
        }
        work.visit(i, v, login, Plan::Published)?;
    }
    Ok(())
}

/// The latest run quarter's special cases: every state, a late entry, a correction waiting,
/// an open case, countdowns running out in the next days.
fn work_the_special_cases(
    path: &Path,
    creator: &str,
    cal: &WorkingCalendar,
    today: NaiveDate,
    latest: u32,
) -> Result<()> {
    let lead = session(path, creator, None, today)?;
    let visits = visits_with_a_login(&lead, today, latest)?;
    drop(lead);
    let mut work = Work {
        people: People {
            path,
            creator,
            open: Default::default(),
        },
        cal: cal.clone(),
        today,
    };
    let mut plans = PLANS.iter();
    for (i, (v, login)) in visits.iter().enumerate() {
        if quarter_of(v, today) != latest {
            continue;
        }
        let Some(plan) = plans.next() else {
            break;
        };
        work.visit(i, v, login, *plan)?;
    }
    Ok(())
}

/// The quarter of this year a visit belongs to; 0 for another year's.
fn quarter_of(v: &VisitView, today: NaiveDate) -> u32 {
    v.period
        .parse::<Period>()
        .map_or(0, |p| if p.year == today.year() { p.quarter } else { 0 })
}

/// Visits of earlier quarters still 待检查 with a team, each with the login of the first
/// officer on its team who has one: the `latest` quarter's first, then the older ones.
fn visits_with_a_login(
    lead: &Session,
    today: NaiveDate,
    latest: u32,
) -> Result<Vec<(VisitView, String)>> {
    let users = lead.list_users()?;
    let mut visits: Vec<(VisitView, String)> = lead
        .list_visits(&VisitFilter::default())?
        .into_iter()
        .filter(|v| v.state == VisitState::Assigned && v.problem.is_none())
        .filter_map(|v| {
            let login = v
                .team
                .iter()
                .find_map(|seat| {
                    users
                        .iter()
                        .find(|u| u.inspector.as_deref() == Some(&seat.inspector))
                })?
                .login
                .clone();
            Some((v, login))
        })
        .collect();
    visits.sort_by_key(|(v, _)| quarter_of(v, today) != latest);
    Ok(visits)
}

/// The demo's officers at work: their sessions, the working calendar, and today (no step is
/// taken after it).
struct Work<'a> {
    people: People<'a>,
    cal: WorkingCalendar,
    today: NaiveDate,
}

impl Work<'_> {
    /// Starts and completes the `i`-th visit as `plan` says, some working days after its
    /// draw, then enters its result; stops at the first step that would fall after today.
    fn visit(&mut self, i: usize, v: &VisitView, login: &str, plan: Plan) -> Result<()> {
        let (cal, today) = (&self.cal, self.today);
        let id = v.id;
        let Some(drawn) = v.dates.drawn else {
            return Ok(());
        };
        let start = cal.add_working_days(drawn, 8 + (i as u32 % 5)).date;
        let completed = match plan {
            Plan::DueSoon => completed_for(cal, today, 2),
            Plan::DueInFive => completed_for(cal, today, 5),
            Plan::Overdue => completed_for(cal, today, -3),
            _ => Some(cal.add_working_days(start, 1).date),
        };
        let Some(completed) = completed.filter(|c| *c >= start && *c <= today) else {
            return Ok(());
        };
        if start > today {
            return Ok(());
        }
        // A step the schedule puts outside the visit's windows is recorded with its reason, as
        // the officers would.
        let reason = |day: NaiveDate| v.outside_on(day).map(|_| OUTSIDE_REASON);
        self.people
            .on(login, start)?
            .start_visit(id, start, reason(start))?;
        if plan == Plan::Started {
            return Ok(());
        }
        self.people
            .on(login, completed)?
            .complete_visit(id, completed, reason(completed))?;
        if matches!(plan, Plan::DueSoon | Plan::DueInFive | Plan::Overdue) {
            return Ok(());
        }
        let entered = if plan == Plan::LateWithClosedCase {
            cal.add_working_days(completed, RESULT_WORKING_DAYS + 3)
                .date
        } else {
            cal.add_working_days(completed, 4).date
        };
        if entered > today {
            return Ok(());
        }
        self.enter_result(i, id, login, plan, entered)
    }

    /// Enters a visit's result on `entered`, then what its plan adds: a rectification closed
    /// later, an open case, or a correction waiting for the principal.
    fn enter_result(
        &mut self,
        i: usize,
        id: i64,
        login: &str,
        plan: Plan,
        entered: NaiveDate,
    ) -> Result<()> {
        let s = self.people.on(login, entered)?;
        let items: Vec<String> = s
            .result_view(id)?
            .items
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        s.submit_result(id, &result_for(&items, plan))?;
        match plan {
            Plan::LateWithClosedCase => {
                let fid =
                    s.add_followup(id, FollowUpKind::Rectify, "", "限期十五日内恢复设施运行")?;
                let closed = self.cal.add_working_days(entered, 10).date.min(self.today);
                self.people.on(login, closed)?.update_followup(
                    fid,
                    "已办结",
                    Some(closed),
                    "复查已整改到位",
                )?;
            }
            Plan::OpenCase => {
                s.add_followup(
                    id,
                    FollowUpKind::Penalty,
                    &format!("阳环罚〔{}〕{}号", self.today.year(), 10 + i),
                    "已立案调查",
                )?;
            }
            Plan::CorrectionWaiting => {
                let mut corrected = result_for(&items, plan);
                corrected.remark = "补充：企业提供了整改前后的监测报告".to_string();
                s.file_correction(id, &corrected, "录入时漏填备注信息，予以补正")?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Exports the publicity list of `period` on `day`, as the lead would, marking what was
/// entered by then 已公示; the file itself is not kept.
fn publish(path: &Path, creator: &str, period: Period, day: NaiveDate) -> Result<()> {
    let file = std::env::temp_dir().join(format!(
        "shuangsuiji-示例公示-{period}-{}.csv",
        super::unique_suffix()
    ));
    let mut s = session(path, creator, None, day)?;
    let outcome = s.export_publicity(&file, Some(period));
    let _ = std::fs::remove_file(&file);
    outcome.map(|_| ())
}

/// Publishes the results of the earlier quarters (all but the latest one, or the first when
/// it is the only one), as the lead would with `export publicity`.
fn publish_earlier_quarters(path: &Path, creator: &str, today: NaiveDate) -> Result<()> {
    let current = Period::of(today);
    let last = current.quarter.saturating_sub(1);
    let upto = if last <= 1 { last } else { last - 1 };
    let dir = std::env::temp_dir();
    for quarter in 1..=upto {
        let period = Period {
            year: today.year(),
            quarter,
        };
        let file = dir.join(format!(
            "shuangsuiji-示例公示-{period}-{}.csv",
            super::unique_suffix()
        ));
        let mut s = session(path, creator, None, today)?;
        let outcome = s.export_publicity(&file, Some(period));
        let _ = std::fs::remove_file(&file);
        outcome?;
    }
    Ok(())
}
