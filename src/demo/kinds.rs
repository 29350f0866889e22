//! The kinds of units in the demo county: how many, how they are named, what they are.
//!
//! Name patterns: `{T}` a trade name, `{Z}` the town without 镇/乡, `{V}` a village stem,
//! `{P}` a person's name (individual businesses). Polluters are in `industry.rs` and
//! `trades.rs`; the units that are not 排污单位 are here.

use crate::domain::vocab::TargetType::{self, *};

use super::codes::Registrant;
use super::industry::INDUSTRY;
use super::trades::TRADES;

/// Which EIA classes a kind's projects usually have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eia {
    /// 报告书, often also a later 报告表.
    Book,
    /// 报告表, sometimes also a 登记表.
    Form,
    /// 报告表 or 登记表.
    FormOrRegistration,
    /// 登记表.
    Registration,
    /// No project EIA recorded (testing stations).
    None,
}

/// One kind of unit.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// A short tag to find the kind again (machine owners, tests).
    pub tag: &'static str,
    pub count: usize,
    /// Name patterns, each with the industry (国民经济行业) it implies.
    pub names: &'static [(&'static str, &'static str)],
    /// Target types every unit of the kind has.
    pub types: &'static [TargetType],
    /// Target types some units have, with their probability.
    pub extra: &'static [(TargetType, f64)],
    /// Registrants with weights.
    pub registrants: &'static [(Registrant, u32)],
    /// Probabilities of 重点管理, 简化管理, 登记管理 (the rest: no permit).
    pub permit: [f64; 3],
    /// Probability of being on the 重点排污单位名录.
    pub key_list: f64,
    /// A 重污染天气重点行业 with performance grading.
    pub graded: bool,
    pub eia: Eia,
    /// Probability of a penalty or verified report within two years.
    pub violation: f64,
    /// Production months and the share of units that are seasonal.
    pub seasonal: Option<(&'static [u8], f64)>,
    /// Clusters in the county seat.
    pub urban: bool,
}

pub const ENT: &[(Registrant, u32)] = &[(Registrant::Enterprise, 1)];
pub const SMALL: &[(Registrant, u32)] = &[(Registrant::Enterprise, 3), (Registrant::Individual, 2)];
pub const FARM: &[(Registrant, u32)] = &[
    (Registrant::Enterprise, 3),
    (Registrant::Cooperative, 3),
    (Registrant::Individual, 2),
];
pub const HEALTH: &[(Registrant, u32)] =
    &[(Registrant::Institution, 3), (Registrant::Enterprise, 2)];

pub const BRICK_MONTHS: &[u8] = &[3, 4, 5, 6, 7, 8, 9, 10, 11];
pub const HEATING_MONTHS: &[u8] = &[11, 12, 1, 2, 3];
pub const ASPHALT_MONTHS: &[u8] = &[4, 5, 6, 7, 8, 9, 10];
pub const HARVEST_MONTHS: &[u8] = &[9, 10, 11, 12];

/// A kind with neutral defaults, refined by each entry of the tables.
pub const BASE: Kind = Kind {
    tag: "",
    count: 0,
    names: &[],
    types: &[Polluter],
    extra: &[],
    registrants: ENT,
    permit: [0.0, 0.3, 0.6],
    key_list: 0.0,
    graded: false,
    eia: Eia::FormOrRegistration,
    violation: 0.06,
    seasonal: None,
    urban: false,
};

/// Units that are not 排污单位.
const OTHERS: &[Kind] = &[
    Kind {
        tag: "dental",
        count: 6,
        names: &[
            ("阳城{T}口腔门诊部", "口腔专科门诊"),
            ("阳城县{T}口腔诊所", "口腔专科门诊"),
        ],
        types: &[Radiation],
        registrants: SMALL,
        permit: [0.0, 0.0, 0.0],
        eia: Eia::Registration,
        violation: 0.02,
        urban: true,
        ..BASE
    },
    Kind {
        tag: "radiography",
        count: 3,
        names: &[("山西{T}无损检测有限公司", "无损检测服务")],
        types: &[Radiation],
        permit: [0.0, 0.0, 0.0],
        eia: Eia::Form,
        ..BASE
    },
    Kind {
        tag: "testing",
        count: 8,
        names: &[
            ("阳城县{T}机动车检测有限公司", "机动车检验检测"),
            ("阳城县{T}机动车安全技术检测站有限公司", "机动车检验检测"),
        ],
        types: &[VehicleTesting],
        permit: [0.0, 0.0, 0.0],
        eia: Eia::None,
        violation: 0.15,
        urban: true,
        ..BASE
    },
    Kind {
        tag: "sewage",
        count: 10,
        names: &[
            ("阳城县{T}水务有限公司", "污水处理及其再生利用"),
            ("阳城县{T}水务有限公司{Z}污水处理站", "污水处理及其再生利用"),
        ],
        types: &[SewagePlant],
        extra: &[(RiverOutfall, 0.6)],
        permit: [0.4, 0.4, 0.2],
        eia: Eia::Form,
        violation: 0.08,
        ..BASE
    },
    Kind {
        tag: "hazwaste",
        count: 3,
        names: &[
            ("山西{T}再生资源有限公司", "危险废物治理"),
            ("阳城县{T}医疗废物处置有限公司", "医疗废物处置"),
        ],
        types: &[SolidWaste],
        permit: [1.0, 0.0, 0.0],
        key_list: 0.7,
        eia: Eia::Book,
        violation: 0.1,
        ..BASE
    },
    Kind {
        tag: "recycling",
        count: 8,
        names: &[
            ("阳城县{T}物资回收有限公司", "再生物资回收与批发"),
            ("阳城县{T}报废汽车回收拆解有限公司", "报废机动车回收拆解"),
            ("阳城县{T}固废综合利用有限公司", "煤矸石综合利用"),
        ],
        types: &[SolidWaste],
        permit: [0.0, 0.3, 0.6],
        violation: 0.08,
        ..BASE
    },
];

/// The number of non-road machines (非道路移动机械).
pub const MACHINE_COUNT: usize = 62;

/// Every kind of unit, in generation order.
pub fn all() -> impl Iterator<Item = &'static Kind> {
    INDUSTRY.iter().chain(TRADES).chain(OTHERS)
}

/// The kind at a position of [`all`].
pub fn get(index: usize) -> Option<&'static Kind> {
    all().nth(index)
}
