//! 检查任务的进度 (the life of a visit): 待检查 → 检查中 → 已完成 → 已录入 → 已公示.
//! Dates never lie in the future nor before the draw, and each step follows the one before.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::calendar::WorkingCalendar;

/// 谁录入、谁公示: publication follows entry. A result entered and still not published after
/// this many working days is flagged.
pub const PUBLISH_WORKING_DAYS: u32 = 20;

/// The label of a visit of an earlier period marked as never carried out.
pub const LAPSED_LABEL: &str = "未实施";

/// Where a visit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VisitState {
    /// 待检查
    Assigned,
    /// 检查中
    Started,
    /// 已完成 (inspection done, result not yet entered)
    Completed,
    /// 已录入
    Entered,
    /// 已公示
    Published,
}

impl VisitState {
    pub const ALL: [VisitState; 5] = [
        VisitState::Assigned,
        VisitState::Started,
        VisitState::Completed,
        VisitState::Entered,
        VisitState::Published,
    ];

    pub fn label(self) -> &'static str {
        match self {
            VisitState::Assigned => "待检查",
            VisitState::Started => "检查中",
            VisitState::Completed => "已完成",
            VisitState::Entered => "已录入",
            VisitState::Published => "已公示",
        }
    }
}

/// The dates a visit has collected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitDates {
    /// The day the draw was run.
    pub drawn: Option<NaiveDate>,
    pub started: Option<NaiveDate>,
    pub completed: Option<NaiveDate>,
    /// The day the result was submitted.
    pub entered: Option<NaiveDate>,
    pub published: Option<NaiveDate>,
    /// Why the visit was started, or completed, outside its tasks' windows (if it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_reason: Option<String>,
    /// 未实施: the reason a visit of an earlier period never started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lapsed: Option<String>,
}

impl VisitDates {
    /// Entered, not published, and more than [`PUBLISH_WORKING_DAYS`] working days after
    /// entry on `today`.
    pub fn publication_overdue(&self, cal: &WorkingCalendar, today: NaiveDate) -> bool {
        match (self.entered, self.published) {
            (Some(entered), None) => {
                cal.add_working_days(entered, PUBLISH_WORKING_DAYS).date < today
            }
            _ => false,
        }
    }

    /// Whether a step of the visit was taken outside its windows (recorded with a reason).
    pub fn outside_window(&self) -> bool {
        self.start_reason.is_some() || self.complete_reason.is_some()
    }

    /// The state as lists show it: 未实施 for a lapsed visit, else the state's label.
    pub fn status_label(&self) -> &'static str {
        if self.lapsed.is_some() {
            LAPSED_LABEL
        } else {
            self.state().label()
        }
    }

    /// Whether the visit belongs in the alert of windows closing: not started, not marked
    /// 未实施, drawn with a team (`has_team`), and `closing` (its earliest window closes soon:
    /// [`crate::domain::window::closing_soon`], asked only when the rest holds).
    pub fn closing_unstarted(&self, has_team: bool, closing: impl FnOnce() -> bool) -> bool {
        self.state() == VisitState::Assigned && self.lapsed.is_none() && has_team && closing()
    }

    pub fn state(&self) -> VisitState {
        if self.published.is_some() {
            VisitState::Published
        } else if self.entered.is_some() {
            VisitState::Entered
        } else if self.completed.is_some() {
            VisitState::Completed
        } else if self.started.is_some() {
            VisitState::Started
        } else {
            VisitState::Assigned
        }
    }
}

/// A step of the life of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Start,
    Complete,
    Enter,
    Publish,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::Start => "开始检查",
            Step::Complete => "完成检查",
            Step::Enter => "录入结果",
            Step::Publish => "公示",
        }
    }

    /// Whether this step comes next for a visit in `state` (the order of the steps alone).
    pub fn follows(self, state: VisitState) -> Result<(), StepError> {
        if state == self.needs() {
            Ok(())
        } else {
            Err(StepError::OutOfOrder { state, step: self })
        }
    }

    fn needs(self) -> VisitState {
        match self {
            Step::Start => VisitState::Assigned,
            Step::Complete => VisitState::Started,
            Step::Enter => VisitState::Completed,
            Step::Publish => VisitState::Entered,
        }
    }
}

/// Why a step may not happen (on that day).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The visit is not at the state the step follows (someone moved it already, or a step
    /// was skipped).
    #[error("检查任务当前为“{}”，不能{}", .state.label(), .step.label())]
    OutOfOrder { state: VisitState, step: Step },
    /// The day is after today.
    #[error("{}日期 {day} 不能晚于今天 {today}", .step.label())]
    InFuture {
        step: Step,
        day: NaiveDate,
        today: NaiveDate,
    },
    /// The day is before an earlier step's (`earlier` names it: "抽取", "开始检查" …).
    #[error("{}日期 {day} 不能早于{earlier}日期 {on}", .step.label())]
    BeforeEarlier {
        step: Step,
        day: NaiveDate,
        earlier: &'static str,
        on: NaiveDate,
    },
}

/// Checks that `step` may happen on `day`, given the visit's dates and today.
pub fn check_step(
    dates: &VisitDates,
    step: Step,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<(), StepError> {
    step.follows(dates.state())?;
    if day > today {
        return Err(StepError::InFuture { step, day, today });
    }
    let earlier = [
        (dates.drawn, "抽取"),
        (dates.started, "开始检查"),
        (dates.completed, "完成检查"),
        (dates.entered, "录入结果"),
    ];
    for (d, what) in earlier {
        if let Some(d) = d
            && day < d
        {
            return Err(StepError::BeforeEarlier {
                step,
                day,
                earlier: what,
                on: d,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_step_follows_one_state_only() {
        for (step, after) in [
            (Step::Start, VisitState::Assigned),
            (Step::Complete, VisitState::Started),
            (Step::Enter, VisitState::Completed),
            (Step::Publish, VisitState::Entered),
        ] {
            for state in VisitState::ALL {
                assert_eq!(
                    step.follows(state).is_ok(),
                    state == after,
                    "{step:?} {state:?}"
                );
            }
            assert_eq!(
                step.follows(VisitState::Assigned)
                    .err()
                    .map(|e| e.to_string()),
                (after != VisitState::Assigned)
                    .then(|| format!("检查任务当前为“待检查”，不能{}", step.label()))
            );
        }
    }

    #[test]
    fn publication_is_overdue_after_twenty_working_days() {
        let cal = WorkingCalendar::new([]);
        // Entered on Monday 06-01: twenty working days later is Monday 06-29.
        let entered = VisitDates {
            entered: Some(d("2026-06-01")),
            ..Default::default()
        };
        assert!(!entered.publication_overdue(&cal, d("2026-06-29")));
        assert!(entered.publication_overdue(&cal, d("2026-06-30")));
        let published = VisitDates {
            published: Some(d("2026-06-10")),
            ..entered.clone()
        };
        assert!(!published.publication_overdue(&cal, d("2026-12-31")));
        assert!(!VisitDates::default().publication_overdue(&cal, d("2026-12-31")));
    }

    #[test]
    fn steps_follow_in_order() {
        let mut v = VisitDates {
            drawn: Some(d("2026-04-01")),
            ..Default::default()
        };
        let today = d("2026-05-20");
        assert_eq!(v.state(), VisitState::Assigned);
        assert!(
            check_step(&v, Step::Complete, d("2026-04-10"), today)
                .unwrap_err()
                .to_string()
                .contains("待检查")
        );
        assert_eq!(
            check_step(&v, Step::Complete, d("2026-04-10"), today),
            Err(StepError::OutOfOrder {
                state: VisitState::Assigned,
                step: Step::Complete
            })
        );
        check_step(&v, Step::Start, d("2026-04-10"), today).unwrap();
        v.started = Some(d("2026-04-10"));
        assert_eq!(v.state(), VisitState::Started);
        assert!(
            check_step(&v, Step::Start, d("2026-04-11"), today).is_err(),
            "started once"
        );
        check_step(&v, Step::Complete, d("2026-04-10"), today).unwrap();
        v.completed = Some(d("2026-04-10"));
        check_step(&v, Step::Enter, d("2026-05-01"), today).unwrap();
        v.entered = Some(d("2026-05-01"));
        check_step(&v, Step::Publish, d("2026-05-02"), today).unwrap();
        v.published = Some(d("2026-05-02"));
        assert_eq!(v.state(), VisitState::Published);
    }

    #[test]
    fn dates_cannot_be_in_the_future_or_before_the_draw_or_the_previous_step() {
        let v = VisitDates {
            drawn: Some(d("2026-04-01")),
            ..Default::default()
        };
        let today = d("2026-05-20");
        assert!(
            check_step(&v, Step::Start, d("2026-05-21"), today)
                .unwrap_err()
                .to_string()
                .contains("不能晚于今天")
        );
        assert!(
            check_step(&v, Step::Start, d("2026-03-31"), today)
                .unwrap_err()
                .to_string()
                .contains("不能早于抽取日期")
        );
        let started = VisitDates {
            started: Some(d("2026-04-10")),
            ..v
        };
        assert!(
            check_step(&started, Step::Complete, d("2026-04-09"), today)
                .unwrap_err()
                .to_string()
                .contains("不能早于开始检查日期")
        );
    }
}
