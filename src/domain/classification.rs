//! 监管类别 (supervision class), derived from an entity's record (plan section 三).
//!
//! * 特殊监管对象 (special): 绩效分级 B 级以下 (B, C or D — "以下" includes the grade named, as
//!   in Chinese statutory usage), 挂牌督办 by the province or city, 因超标排放被通报, or a
//!   行政处罚 / 举报查实 within the last 12 months.
//! * 重点监管对象 (key): on the 重点排污单位名录 or under 排污许可重点管理.
//! * 一般监管对象 (general): everyone else.
//!
//! Special wins over key; a special entity that also meets a key criterion still counts toward
//! the key annual coverage (`also_key`).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::entity::Entity;
use super::vocab::{PerfGrade, PermitClass};

/// The three supervision classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SupervisionClass {
    /// 特殊监管对象
    Special,
    /// 重点监管对象
    Key,
    /// 一般监管对象
    General,
}

impl SupervisionClass {
    pub const ALL: [SupervisionClass; 3] = [
        SupervisionClass::Special,
        SupervisionClass::Key,
        SupervisionClass::General,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SupervisionClass::Special => "特殊监管对象",
            SupervisionClass::Key => "重点监管对象",
            SupervisionClass::General => "一般监管对象",
        }
    }

    /// The short label: 特殊, 重点, 一般.
    pub fn short_label(self) -> &'static str {
        match self {
            SupervisionClass::Special => "特殊",
            SupervisionClass::Key => "重点",
            SupervisionClass::General => "一般",
        }
    }

    /// The name used on the command line (`--class key|special|general`).
    pub fn key(self) -> &'static str {
        match self {
            SupervisionClass::Special => "special",
            SupervisionClass::Key => "key",
            SupervisionClass::General => "general",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.key() == text || c.label() == text)
    }
}

/// The class with every reason that led to it, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub class: SupervisionClass,
    /// Meets a key criterion (counts toward key annual coverage even when special).
    pub also_key: bool,
    /// Human-readable reasons, special criteria first, then key criteria.
    pub reasons: Vec<String>,
}

/// How long a penalty or verified report keeps an entity special.
pub const VIOLATION_MONTHS: u32 = 12;

/// Derives the supervision class of an entity as of a date.
pub fn classify(entity: &Entity, as_of: NaiveDate) -> Classification {
    let mut special = Vec::new();
    if matches!(
        entity.perf_grade,
        PerfGrade::B | PerfGrade::C | PerfGrade::D
    ) {
        special.push(format!(
            "重污染天气绩效分级{}（B级以下）",
            entity.perf_grade
        ));
    }
    if let Some(level) = entity.supervised_listing {
        special.push(format!("被{level}挂牌督办"));
    }
    if let Some(level) = entity.exceedance_notice {
        special.push(format!("因超标排放被{level}通报"));
    }
    if let Some(date) = entity.violation_date {
        let since = as_of
            .checked_sub_months(Months::new(VIOLATION_MONTHS))
            .unwrap_or(NaiveDate::MIN);
        if date > since && date <= as_of {
            special.push(format!(
                "{date}受到行政处罚或被举报查实（近{VIOLATION_MONTHS}个月内）"
            ));
        }
    }
    let mut key = Vec::new();
    if entity.key_polluter_list {
        key.push("列入重点排污单位名录".to_string());
    }
    if entity.permit_class == Some(PermitClass::Key) {
        key.push("排污许可重点管理".to_string());
    }
    let also_key = !key.is_empty();
    let class = if !special.is_empty() {
        SupervisionClass::Special
    } else if also_key {
        SupervisionClass::Key
    } else {
        SupervisionClass::General
    };
    let mut reasons = special;
    reasons.extend(key);
    if reasons.is_empty() {
        reasons.push(if entity.positive_list {
            "列入监督执法正面清单，无重点或特殊情形".to_string()
        } else {
            "无重点或特殊情形".to_string()
        });
    }
    Classification {
        class,
        also_key,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocab::Level;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn base() -> Entity {
        Entity::named("阳城县某公司", "91350100M000100Y43")
    }

    #[test]
    fn plain_entity_is_general() {
        let c = classify(&base(), day("2026-05-01"));
        assert_eq!(c.class, SupervisionClass::General);
        assert!(!c.also_key);
        assert_eq!(c.reasons, vec!["无重点或特殊情形"]);
    }

    #[test]
    fn key_list_or_key_permit_makes_key() {
        let mut e = base();
        e.permit_class = Some(PermitClass::Key);
        let c = classify(&e, day("2026-05-01"));
        assert_eq!(c.class, SupervisionClass::Key);
        assert_eq!(c.reasons, vec!["排污许可重点管理"]);
        e.permit_class = Some(PermitClass::Simplified);
        e.key_polluter_list = true;
        assert_eq!(classify(&e, day("2026-05-01")).class, SupervisionClass::Key);
    }

    #[test]
    fn special_wins_over_key_and_keeps_key_coverage() {
        let mut e = base();
        e.key_polluter_list = true;
        e.perf_grade = PerfGrade::C;
        e.supervised_listing = Some(Level::City);
        let c = classify(&e, day("2026-05-01"));
        assert_eq!(c.class, SupervisionClass::Special);
        assert!(c.also_key);
        assert_eq!(
            c.reasons,
            vec![
                "重污染天气绩效分级C级（B级以下）",
                "被市级挂牌督办",
                "列入重点排污单位名录"
            ]
        );
    }

    #[test]
    fn grade_a_and_leading_are_not_special_but_b_is() {
        let mut e = base();
        for (grade, special) in [
            (PerfGrade::Leading, false),
            (PerfGrade::A, false),
            (PerfGrade::Ungraded, false),
            (PerfGrade::B, true),
            (PerfGrade::D, true),
        ] {
            e.perf_grade = grade;
            let c = classify(&e, day("2026-05-01"));
            assert_eq!(c.class == SupervisionClass::Special, special, "{grade}");
        }
    }

    #[test]
    fn a_violation_counts_for_twelve_months() {
        let mut e = base();
        e.exceedance_notice = None;
        e.violation_date = Some(day("2025-05-02"));
        assert_eq!(
            classify(&e, day("2026-05-01")).class,
            SupervisionClass::Special
        );
        assert_eq!(
            classify(&e, day("2026-05-02")).class,
            SupervisionClass::General
        );
        // A date in the future (a typo) does not count.
        assert_eq!(
            classify(&e, day("2025-05-01")).class,
            SupervisionClass::General
        );
    }

    #[test]
    fn exceedance_notice_is_special() {
        let mut e = base();
        e.exceedance_notice = Some(Level::Province);
        let c = classify(&e, day("2026-05-01"));
        assert_eq!(c.class, SupervisionClass::Special);
        assert_eq!(c.reasons, vec!["因超标排放被省厅通报"]);
    }
}
