//! 监管对象 (regulated entity): one unit in the entity library (监管对象库).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::vocab::{
    CreditTier, EiaClass, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};

/// The rivers of the county that outfall tasks are restricted to.
pub const RIVERS: &[&str] = &["沁河", "芦苇河"];

/// The usual reasons for 不参与双随机 (exclusion from random draws).
pub const EXCLUSION_REASONS: &[&str] = &["搬迁", "长期停产", "破产", "注销"];

/// A regulated entity as the bureau records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// 统一社会信用代码, validated; `None` for units that have none (machines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// 登记编码: a stable registry code for units without a USCC (e.g. a machine's
    /// registration code). ASCII upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_code: Option<String>,
    /// 名称
    pub name: String,
    /// 乡镇
    pub town: String,
    /// 地址
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// 行业
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub industry: String,
    /// 联系人
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
    /// 联系电话
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// 检查对象类型: one unit can be several.
    pub target_types: BTreeSet<TargetType>,
    /// 排污许可管理类别
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_class: Option<PermitClass>,
    /// 列入重点排污单位名录
    #[serde(default, skip_serializing_if = "is_false")]
    pub key_polluter_list: bool,
    /// 重污染天气绩效分级
    #[serde(default = "ungraded", skip_serializing_if = "PerfGrade::is_ungraded")]
    pub perf_grade: PerfGrade,
    /// 挂牌督办 (by the province or the city)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised_listing: Option<Level>,
    /// 因超标排放被通报 (by the province or the city)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceedance_notice: Option<Level>,
    /// 行政处罚/举报查实: date of the latest penalty or verified report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation_date: Option<NaiveDate>,
    /// 监督执法正面清单
    #[serde(default, skip_serializing_if = "is_false")]
    pub positive_list: bool,
    /// 环评类别 of the unit's projects
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub eia_classes: BTreeSet<EiaClass>,
    /// 信用风险等级; `None` when not yet classified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_tier: Option<CreditTier>,
    /// 生产状态
    #[serde(
        default = "producing",
        skip_serializing_if = "ProductionStatus::is_normal"
    )]
    pub production: ProductionStatus,
    /// 生产月份 for seasonal producers (1–12).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub production_months: BTreeSet<u8>,
    /// 入河排污口所在河流
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub outfall_rivers: BTreeSet<String>,
    /// 所有人: the owner of a non-road machine.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// 所有人统一社会信用代码: the owner's USCC, validated, when the owner has one (a unit
    /// rather than a person). Published in the USCC column for a machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_uscc: Option<String>,
    /// 不参与双随机: the reason, when the unit is excluded from draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<String>,
    /// 备注
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn ungraded() -> PerfGrade {
    PerfGrade::Ungraded
}

fn producing() -> ProductionStatus {
    ProductionStatus::Normal
}

impl Entity {
    /// The entity's id in draws and records: its USCC, else its registry code.
    pub fn id(&self) -> &str {
        self.uscc
            .as_deref()
            .or(self.registry_code.as_deref())
            .unwrap_or("")
    }

    /// A blank entity with a name and a USCC, for tests and builders.
    pub fn named(name: &str, uscc: &str) -> Entity {
        Entity {
            uscc: Some(uscc.to_string()),
            registry_code: None,
            name: name.to_string(),
            town: String::new(),
            address: String::new(),
            industry: String::new(),
            contact: String::new(),
            phone: String::new(),
            target_types: BTreeSet::from([TargetType::Polluter]),
            permit_class: None,
            key_polluter_list: false,
            perf_grade: PerfGrade::Ungraded,
            supervised_listing: None,
            exceedance_notice: None,
            violation_date: None,
            positive_list: false,
            eia_classes: BTreeSet::new(),
            credit_tier: None,
            production: ProductionStatus::Normal,
            production_months: BTreeSet::new(),
            outfall_rivers: BTreeSet::new(),
            owner: String::new(),
            owner_uscc: None,
            exclusion: None,
            note: String::new(),
        }
    }

    /// Whether the unit is producing in a given month (1–12).
    pub fn producing_in(&self, month: u8) -> bool {
        match self.production {
            ProductionStatus::Normal => true,
            ProductionStatus::Seasonal => self.production_months.contains(&month),
            ProductionStatus::Suspended | ProductionStatus::Closed => false,
        }
    }
}

/// Checks a registry code: 1–32 characters of `A-Z 0-9 -`, after upper-casing.
pub fn parse_registry_code(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 32 {
        return Err("登记编码应为1至32位".to_string());
    }
    if let Some(c) = code
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "登记编码含有不允许的字符“{c}”（只允许字母、数字和-）"
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_prefers_the_uscc() {
        let mut e = Entity::named("甲", "91350100M000100Y43");
        assert_eq!(e.id(), "91350100M000100Y43");
        e.uscc = None;
        e.registry_code = Some("FDL-0001".into());
        assert_eq!(e.id(), "FDL-0001");
    }

    #[test]
    fn seasonal_producers_produce_only_in_their_months() {
        let mut e = Entity::named("甲", "91350100M000100Y43");
        e.production = ProductionStatus::Seasonal;
        e.production_months = BTreeSet::from([11, 12, 1, 2, 3]);
        assert!(e.producing_in(1));
        assert!(!e.producing_in(6));
        e.production = ProductionStatus::Closed;
        assert!(!e.producing_in(1));
    }

    #[test]
    fn registry_codes() {
        assert_eq!(parse_registry_code(" fdl-01 ").as_deref(), Ok("FDL-01"));
        assert!(parse_registry_code("晋E123").is_err());
        assert!(parse_registry_code("").is_err());
    }
}
