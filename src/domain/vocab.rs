//! The closed vocabularies of the registry: target types, permit classes, grades, tiers.
//!
//! Each term is stored and shown by its Chinese label, which is also what bureau spreadsheets
//! carry; `parse` accepts the label (and a few common spellings) and `label` gives it back.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $label:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every term, in its natural order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The Chinese label, as stored and shown.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Accepts the label or one of its accepted spellings (trimmed).
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                $(if t == $label $(|| t.eq_ignore_ascii_case($alias))* { return Some($name::$variant); })+
                None
            }

            /// The labels joined for an error message ("A/B/C").
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join("/")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("“{s}”不是有效取值（{}）", Self::choices()))
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String { v.label().to_string() }
        }
    };
}

/// The result vocabularies (`domain::result`) are made the same way.
pub(crate) use vocabulary;

vocabulary! {
    /// 检查对象: the seven target types of the check-item list.
    TargetType {
        Polluter => "排污单位",
        Radiation => "核与辐射利用单位",
        VehicleTesting => "机动车排放检验机构",
        NonRoadMachine => "非道路移动机械",
        RiverOutfall => "设有入河排污口的单位",
        SewagePlant => "城镇污水处理厂",
        SolidWaste => "涉固体废物和危险废物单位",
    }
}

vocabulary! {
    /// 排污许可管理类别: the pollutant-discharge permit class.
    PermitClass {
        Key => "重点管理",
        Simplified => "简化管理",
        Registration => "登记管理",
    }
}

vocabulary! {
    /// 重污染天气重点行业绩效分级: the heavy-pollution-weather performance grade.
    PerfGrade {
        Leading => "引领性",
        A => "A级" | "A",
        B => "B级" | "B",
        C => "C级" | "C",
        D => "D级" | "D",
        Ungraded => "未分级",
    }
}

vocabulary! {
    /// The level of an authority that listed or notified an entity (挂牌督办, 超标通报).
    Level {
        Province => "省厅" | "省级",
        City => "市级",
    }
}

vocabulary! {
    /// 环评类别: the environmental-impact-assessment class of an entity's projects.
    EiaClass {
        ReportBook => "报告书",
        ReportForm => "报告表",
        Registration => "登记表",
    }
}

vocabulary! {
    /// 信用风险等级: the national enterprise credit-risk tier (A/B/C/D).
    CreditTier {
        Low => "低风险" | "A" | "low",
        Normal => "一般风险" | "B" | "normal",
        Elevated => "较高风险" | "C" | "elevated",
        High => "高风险" | "D" | "high",
    }
}

vocabulary! {
    /// 生产状态: whether an entity is producing.
    ProductionStatus {
        Normal => "正常",
        Seasonal => "季节性",
        Suspended => "停产",
        Closed => "关闭",
    }
}

vocabulary! {
    /// 专业: an inspector's field of expertise.
    Expertise {
        Air => "大气",
        Water => "水",
        SolidWaste => "固废",
        Radiation => "辐射",
        Vehicle => "机动车",
        Soil => "土壤",
        Noise => "噪声",
        General => "综合",
    }
}

impl PerfGrade {
    pub fn is_ungraded(&self) -> bool {
        *self == PerfGrade::Ungraded
    }
}

impl ProductionStatus {
    pub fn is_normal(&self) -> bool {
        *self == ProductionStatus::Normal
    }
}

impl CreditTier {
    /// The name used on the command line (`--tier low|normal|elevated|high`).
    pub fn key(self) -> &'static str {
        match self {
            CreditTier::Low => "low",
            CreditTier::Normal => "normal",
            CreditTier::Elevated => "elevated",
            CreditTier::High => "high",
        }
    }
}

/// Parses a list written in one spreadsheet cell: items separated by `、`, `，`, `,`, `;`,
/// `；`, `/` or whitespace. Empty items are dropped.
pub fn split_list(cell: &str) -> Vec<&str> {
    cell.split(['、', '，', ',', ';', '；', '/', ' ', '\n', '\t', '　'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Joins a list for one spreadsheet cell.
pub fn join_list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_for_every_term() {
        for t in TargetType::ALL {
            assert_eq!(TargetType::parse(t.label()), Some(*t));
        }
        for t in CreditTier::ALL {
            assert_eq!(CreditTier::parse(t.label()), Some(*t));
            assert_eq!(CreditTier::parse(t.key()), Some(*t));
        }
    }

    #[test]
    fn aliases_and_rejections() {
        assert_eq!(PerfGrade::parse("b"), Some(PerfGrade::B));
        assert_eq!(CreditTier::parse("D"), Some(CreditTier::High));
        assert_eq!(PermitClass::parse("重点"), None);
        let err = TargetType::try_from("工厂".to_string()).unwrap_err();
        assert!(err.contains("排污单位/核与辐射利用单位"), "{err}");
    }

    #[test]
    fn serde_uses_the_chinese_label() {
        let json = serde_json::to_string(&EiaClass::ReportForm).unwrap();
        assert_eq!(json, "\"报告表\"");
        let back: EiaClass = serde_json::from_str(&json).unwrap();
        assert_eq!(back, EiaClass::ReportForm);
    }

    #[test]
    fn split_list_accepts_the_usual_separators() {
        assert_eq!(
            split_list("大气、水, 固废；辐射"),
            vec!["大气", "水", "固废", "辐射"]
        );
        assert!(split_list("  ").is_empty());
    }
}
