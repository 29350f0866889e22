//! 个案检查 (targeted checks): inspections that are not drawn — on a complaint, a referral, an
//! incident or a monitoring lead. They are recorded with their reason, team, dates and result
//! (the same result as a random visit's), count as "inspected" for key coverage, never toward
//! the random caps, and are reported apart from the random inspections (domain-rules §10).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::draw::record::{Seat, Team};
use super::inspector::Inspector;
use super::result::InspectionResult;
use super::text::{self, TextKind};
use super::vocab::vocabulary;

/// How lists and reports mark a targeted check.
pub const TARGETED_LABEL: &str = "个案检查";

/// The fewest officers of a team: 行政处罚法 Art. 42 (执法人员不得少于两人).
pub const MIN_TEAM: usize = 2;

vocabulary! {
    /// 检查事由: why a targeted check was made.
    TargetedReason {
        Complaint => "投诉举报",
        Referral => "转办交办",
        Incident => "突发事件",
        Monitoring => "监测发现",
        Other => "其他",
    }
}

/// A targeted check as recorded. Written once, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetedCheck {
    /// 个案检查编号.
    pub id: i64,
    pub entity: String,
    pub reason: TargetedReason,
    /// 事由说明: the complaint's or referral's number, what happened; required for 其他.
    pub detail: String,
    /// The officers, the lead first (`lead` set), as typed; `ticket` is empty (not drawn).
    pub team: Team,
    pub started: NaiveDate,
    pub completed: NaiveDate,
    pub result: InspectionResult,
    pub recorded_by: String,
    pub recorded_on: NaiveDate,
    /// The audit event that recorded it.
    pub seq: u64,
}

impl TargetedCheck {
    /// The check items the result covers.
    pub fn items(&self) -> Vec<String> {
        self.result.items.iter().map(|i| i.item.clone()).collect()
    }

    /// The reason as lists show it: "投诉举报（12369-0512）", "其他：企业自行报告".
    pub fn reason_text(&self) -> String {
        reason_text(self.reason, &self.detail)
    }
}

/// A reason and its detail in one phrase: "投诉举报（12369-0512）", "其他：企业自行报告", "突发事件".
pub fn reason_text(reason: TargetedReason, detail: &str) -> String {
    match (reason, detail.trim()) {
        (r, "") => r.label().to_string(),
        (TargetedReason::Other, d) => format!("其他：{d}"),
        (r, d) => format!("{}（{d}）", r.label()),
    }
}

/// Reads a reason as typed: the label alone ("投诉举报"), or with its detail after a colon
/// ("其他：企业自行报告"). A detail given apart (`detail`) is used when the text has none.
pub fn parse_reason(text: &str, detail: &str) -> Result<(TargetedReason, String), String> {
    let text = text.trim();
    let (kind, inline) = match text.split_once(['：', ':']) {
        Some((k, d)) => (k.trim(), d.trim()),
        None => (text, ""),
    };
    let reason = TargetedReason::parse(kind).ok_or_else(|| {
        if kind.is_empty() {
            format!("须填写检查事由（{}）", TargetedReason::choices())
        } else {
            format!(
                "检查事由“{kind}”不是可选的值（{}）",
                TargetedReason::choices()
            )
        }
    })?;
    let detail = match (inline, detail.trim()) {
        ("", d) => d,
        (i, "") => i,
        (i, d) => {
            return Err(format!("事由说明写了两次（“{i}”和“{d}”），请只写一处"));
        }
    };
    Ok((reason, detail.to_string()))
}

/// What a targeted check says besides its result, before it is checked against the libraries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetedFacts<'a> {
    pub reason: TargetedReason,
    pub detail: &'a str,
    /// Inspector codes, the lead first.
    pub team: &'a [String],
    pub started: NaiveDate,
    pub completed: NaiveDate,
    pub today: NaiveDate,
}

/// Every reason the reason, team and dates of a targeted check are refused; `inspectors` is
/// the inspector library and `entity` the entity checked (for 回避). Empty when they stand.
pub fn problems(f: &TargetedFacts<'_>, entity: &str, inspectors: &[Inspector]) -> Vec<String> {
    let mut out = Vec::new();
    if f.reason == TargetedReason::Other && f.detail.trim().chars().count() < 2 {
        out.push("事由为“其他”时须写明事由说明".to_string());
    }
    if let Err(why) = text::field("事由说明", TextKind::Other, f.detail) {
        out.push(why);
    }
    for (what, day) in [("开始日期", f.started), ("完成日期", f.completed)] {
        if let Err(why) = super::check_date(day) {
            out.push(format!("{what}：{why}"));
        } else if day > f.today {
            out.push(format!("{what} {day} 不能晚于今天 {}", f.today));
        }
    }
    if f.completed < f.started {
        out.push(format!(
            "完成日期 {} 不能早于开始日期 {}",
            f.completed, f.started
        ));
    }
    let mut seen = BTreeSet::new();
    for code in f.team {
        if !seen.insert(code.as_str()) {
            out.push(format!("检查组中 {code} 重复"));
        }
    }
    if seen.len() < MIN_TEAM {
        out.push(format!(
            "检查组至少须有{MIN_TEAM}名执法人员（《行政处罚法》第四十二条），现有{}名",
            seen.len()
        ));
    }
    for code in seen {
        let Some(i) = inspectors.iter().find(|i| i.code == code) else {
            out.push(format!("执法人员库中没有人员编号 {code}"));
            continue;
        };
        if !i.certified_on(f.started) {
            out.push(format!(
                "{code} {} 在 {} 没有有效的执法证",
                i.name, f.started
            ));
        }
        if i.on_leave(f.started) {
            out.push(format!("{code} {} 在 {} 请假/离岗", i.name, f.started));
        }
        if i.conflicts_with(entity) {
            out.push(format!("{code} {} 已声明须回避该对象", i.name));
        }
    }
    out
}

/// The team as stored: the seats in the order typed, the first the lead (组长), each with the
/// officer's department.
pub fn team_of(codes: &[String], inspectors: &[Inspector]) -> Team {
    codes
        .iter()
        .enumerate()
        .map(|(n, code)| Seat {
            inspector: code.clone(),
            department: inspectors
                .iter()
                .find(|i| &i.code == code)
                .map(|i| i.department.clone())
                .unwrap_or_default(),
            lead: n == 0,
            ticket: String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn officer(code: &str) -> Inspector {
        Inspector {
            code: code.to_string(),
            name: format!("{code}名"),
            cert_no: format!("证{code}"),
            cert_expiry: Some(day("2027-12-31")),
            department: "生态环境局".to_string(),
            unit: String::new(),
            expertise: Default::default(),
            areas: Default::default(),
            on_duty: true,
            phone: String::new(),
            leaves: vec![],
            conflicts: vec![],
        }
    }

    fn facts<'a>(team: &'a [String]) -> TargetedFacts<'a> {
        TargetedFacts {
            reason: TargetedReason::Complaint,
            detail: "12369-0512",
            team,
            started: day("2026-05-10"),
            completed: day("2026-05-11"),
            today: day("2026-05-20"),
        }
    }

    fn codes(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reasons_read_with_or_without_their_detail() {
        assert_eq!(
            parse_reason("投诉举报", "").unwrap(),
            (TargetedReason::Complaint, String::new())
        );
        assert_eq!(
            parse_reason("其他：企业自行报告", "").unwrap(),
            (TargetedReason::Other, "企业自行报告".to_string())
        );
        assert_eq!(
            parse_reason(" 转办交办 ", "市局转办").unwrap(),
            (TargetedReason::Referral, "市局转办".to_string())
        );
        let err = parse_reason("随手查", "").unwrap_err();
        assert!(err.contains("随手查") && err.contains("投诉举报"), "{err}");
        assert!(parse_reason("其他：甲", "乙").unwrap_err().contains("两次"));
        assert!(parse_reason("", "").unwrap_err().contains("须填写检查事由"));
        assert_eq!(
            reason_text(TargetedReason::Complaint, "12369-0512"),
            "投诉举报（12369-0512）"
        );
        assert_eq!(reason_text(TargetedReason::Other, "自报"), "其他：自报");
        assert_eq!(reason_text(TargetedReason::Incident, " "), "突发事件");
    }

    #[test]
    fn a_team_of_two_certified_officers_stands() {
        let team = codes(&["YC-001", "YC-002"]);
        let all = [officer("YC-001"), officer("YC-002")];
        assert!(problems(&facts(&team), "E1", &all).is_empty());
        let t = team_of(&team, &all);
        assert!(t[0].lead && !t[1].lead);
        assert_eq!(t.codes(), "*YC-001 YC-002");
    }

    #[test]
    fn one_officer_is_not_a_team() {
        let team = codes(&["YC-001", "YC-001"]);
        let p = problems(&facts(&team), "E1", &[officer("YC-001")]);
        assert!(p.iter().any(|x| x.contains("YC-001 重复")), "{p:?}");
        assert!(
            p.iter()
                .any(|x| x.contains("至少须有2名") && x.contains("现有1名")),
            "{p:?}"
        );
    }

    #[test]
    fn officers_must_be_known_certified_present_and_free_of_conflict() {
        let team = codes(&["YC-001", "YC-002", "YC-003", "YC-009"]);
        let mut expired = officer("YC-001");
        expired.cert_expiry = Some(day("2026-05-01"));
        let mut away = officer("YC-002");
        away.leaves.push(crate::domain::inspector::Leave {
            from: day("2026-05-09"),
            to: day("2026-05-12"),
            reason: "病假".into(),
        });
        let mut conflicted = officer("YC-003");
        conflicted
            .conflicts
            .push(crate::domain::inspector::Conflict {
                entity: "E1".into(),
                reason: "亲属".into(),
            });
        let p = problems(&facts(&team), "E1", &[expired, away, conflicted]);
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].contains("YC-001") && p[0].contains("执法证"), "{p:?}");
        assert!(p[1].contains("YC-002") && p[1].contains("请假"), "{p:?}");
        assert!(p[2].contains("YC-003") && p[2].contains("回避"), "{p:?}");
        assert!(p[3].contains("没有人员编号 YC-009"), "{p:?}");
    }

    #[test]
    fn dates_follow_each_other_and_stop_at_today() {
        let team = codes(&["YC-001", "YC-002"]);
        let all = [officer("YC-001"), officer("YC-002")];
        let mut f = facts(&team);
        f.completed = day("2026-05-09");
        let p = problems(&f, "E1", &all);
        assert_eq!(p, vec!["完成日期 2026-05-09 不能早于开始日期 2026-05-10"]);
        f.completed = day("2026-05-21");
        let p = problems(&f, "E1", &all);
        assert_eq!(p, vec!["完成日期 2026-05-21 不能晚于今天 2026-05-20"]);
    }

    #[test]
    fn other_needs_its_detail() {
        let team = codes(&["YC-001", "YC-002"]);
        let all = [officer("YC-001"), officer("YC-002")];
        let mut f = facts(&team);
        f.reason = TargetedReason::Other;
        f.detail = "";
        assert_eq!(
            problems(&f, "E1", &all),
            vec!["事由为“其他”时须写明事由说明"]
        );
    }
}
