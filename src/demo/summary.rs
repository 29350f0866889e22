//! Counts of the demo county, for the command line and the tests.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::classification::{SupervisionClass, classify};
use crate::domain::vocab::{CreditTier, TargetType};

use super::DemoCounty;
use super::words::TOWNS;

/// How many entities of each type, class and tier the demo county has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub entities: usize,
    /// Entities flagged 不参与双随机.
    pub excluded: usize,
    /// Per target type (an entity of several types counts in each).
    pub by_type: Vec<(TargetType, usize)>,
    /// Per supervision class as of the summary date.
    pub by_class: Vec<(SupervisionClass, usize)>,
    /// Special entities that also meet a key criterion.
    pub special_also_key: usize,
    /// Per credit tier; `None` = not yet classified.
    pub by_tier: Vec<(Option<CreditTier>, usize)>,
    pub by_town: Vec<(String, usize)>,
    pub inspectors: usize,
    pub inspectors_on_duty: usize,
    pub departments: usize,
    pub users: usize,
}

pub fn summary(county: &DemoCounty, today: NaiveDate) -> DemoSummary {
    let es = &county.entities;
    let classes: Vec<_> = es.iter().map(|e| classify(e, today)).collect();
    let tiers = std::iter::once(None).chain(CreditTier::ALL.iter().copied().map(Some));
    DemoSummary {
        entities: es.len(),
        excluded: es.iter().filter(|e| e.exclusion.is_some()).count(),
        by_type: TargetType::ALL
            .iter()
            .map(|t| (*t, es.iter().filter(|e| e.target_types.contains(t)).count()))
            .collect(),
        by_class: SupervisionClass::ALL
            .iter()
            .map(|c| (*c, classes.iter().filter(|x| x.class == *c).count()))
            .collect(),
        special_also_key: classes
            .iter()
            .filter(|x| x.class == SupervisionClass::Special && x.also_key)
            .count(),
        by_tier: tiers
            .map(|t| (t, es.iter().filter(|e| e.credit_tier == t).count()))
            .collect(),
        by_town: TOWNS
            .iter()
            .map(|t| (t.to_string(), es.iter().filter(|e| e.town == *t).count()))
            .collect(),
        inspectors: county.inspectors.len(),
        inspectors_on_duty: county.inspectors.iter().filter(|o| o.on_duty).count(),
        departments: county.departments.len(),
        users: county.users.len(),
    }
}

fn join<T>(items: &[(T, usize)], label: impl Fn(&T) -> String) -> String {
    items
        .iter()
        .map(|(k, n)| format!("{}{n}", label(k)))
        .collect::<Vec<_>>()
        .join("，")
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "监管对象{}个（不参与双随机{}个）",
            self.entities, self.excluded
        )?;
        writeln!(
            f,
            "  按类型：{}",
            join(&self.by_type, |t| t.label().to_string())
        )?;
        writeln!(
            f,
            "  按监管类别：{}（其中特殊且属重点{}）",
            join(&self.by_class, |c| c.label().to_string()),
            self.special_also_key
        )?;
        writeln!(
            f,
            "  按信用风险：{}",
            join(&self.by_tier, |t| t
                .map_or("未分类".to_string(), |t| t.label().to_string()))
        )?;
        writeln!(f, "  按乡镇：{}", join(&self.by_town, |t| t.clone()))?;
        write!(
            f,
            "执法人员{}人（在岗{}人），部门{}个，用户{}个",
            self.inspectors, self.inspectors_on_duty, self.departments, self.users
        )
    }
}
