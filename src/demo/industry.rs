//! The industrial 排污单位 of the demo county: mining, energy, building materials, manufacturing.

use crate::domain::vocab::TargetType::*;

use super::kinds::{ASPHALT_MONTHS, BASE, BRICK_MONTHS, Eia, HEATING_MONTHS, Kind, SMALL};

pub const INDUSTRY: &[Kind] = &[
    Kind {
        tag: "coal",
        count: 45,
        names: &[
            ("山西阳城{T}煤业有限公司", "烟煤和无烟煤开采洗选"),
            ("阳城县{T}煤业有限公司", "烟煤和无烟煤开采洗选"),
        ],
        extra: &[(SolidWaste, 0.2), (RiverOutfall, 0.25), (Radiation, 0.1)],
        permit: [0.6, 0.4, 0.0],
        key_list: 0.4,
        eia: Eia::Book,
        violation: 0.15,
        ..BASE
    },
    Kind {
        tag: "washing",
        count: 18,
        names: &[
            ("阳城县{T}洗煤有限公司", "烟煤和无烟煤开采洗选"),
            ("阳城县{Z}{T}洗煤厂", "烟煤和无烟煤开采洗选"),
        ],
        extra: &[(SolidWaste, 0.2), (RiverOutfall, 0.1)],
        permit: [0.0, 0.8, 0.2],
        eia: Eia::Form,
        violation: 0.12,
        ..BASE
    },
    Kind {
        tag: "coking",
        count: 7,
        names: &[
            ("阳城县{T}焦化有限公司", "炼焦"),
            ("山西{T}焦化有限公司", "炼焦"),
        ],
        extra: &[(SolidWaste, 0.9), (RiverOutfall, 0.3), (Radiation, 0.3)],
        permit: [1.0, 0.0, 0.0],
        key_list: 0.9,
        graded: true,
        eia: Eia::Book,
        violation: 0.2,
        ..BASE
    },
    Kind {
        tag: "power",
        count: 3,
        names: &[
            ("阳城县{T}热电有限公司", "热电联产"),
            ("山西{T}综合利用发电有限公司", "火力发电"),
        ],
        extra: &[(SolidWaste, 0.8), (RiverOutfall, 0.5)],
        permit: [1.0, 0.0, 0.0],
        key_list: 1.0,
        eia: Eia::Book,
        violation: 0.1,
        ..BASE
    },
    Kind {
        tag: "heating",
        count: 6,
        names: &[
            ("阳城县{T}供热有限公司", "热力生产和供应"),
            ("阳城县{Z}{T}集中供热站", "热力生产和供应"),
        ],
        permit: [0.3, 0.5, 0.2],
        key_list: 0.2,
        eia: Eia::Form,
        seasonal: Some((HEATING_MONTHS, 1.0)),
        ..BASE
    },
    Kind {
        tag: "cement",
        count: 5,
        names: &[
            ("阳城县{T}水泥有限公司", "水泥制造"),
            ("山西{T}水泥有限公司", "水泥制造"),
        ],
        permit: [0.8, 0.2, 0.0],
        key_list: 0.6,
        graded: true,
        eia: Eia::Book,
        violation: 0.1,
        ..BASE
    },
    Kind {
        tag: "lime",
        count: 8,
        names: &[
            ("阳城县{T}石灰厂", "石灰和石膏制造"),
            ("阳城县{Z}{T}钙业有限公司", "石灰和石膏制造"),
        ],
        permit: [0.0, 0.7, 0.3],
        graded: true,
        eia: Eia::Form,
        violation: 0.1,
        ..BASE
    },
    Kind {
        tag: "brick",
        count: 26,
        names: &[
            ("阳城县{Z}{T}砖厂", "粘土砖瓦及建筑砌块制造"),
            ("阳城县{T}新型建材有限公司", "粘土砖瓦及建筑砌块制造"),
        ],
        registrants: SMALL,
        permit: [0.0, 0.4, 0.6],
        graded: true,
        violation: 0.1,
        seasonal: Some((BRICK_MONTHS, 0.8)),
        ..BASE
    },
    Kind {
        tag: "ceramics",
        count: 18,
        names: &[
            ("阳城县{T}陶瓷有限公司", "建筑陶瓷制品制造"),
            ("阳城县{Z}{T}琉璃制品厂", "陈设艺术陶瓷制造"),
        ],
        permit: [0.05, 0.7, 0.25],
        graded: true,
        eia: Eia::Form,
        ..BASE
    },
    Kind {
        tag: "foundry",
        count: 18,
        names: &[
            ("阳城县{T}铸造有限公司", "黑色金属铸造"),
            ("阳城县{T}铸业有限公司", "黑色金属铸造"),
        ],
        extra: &[(SolidWaste, 0.15)],
        permit: [0.1, 0.7, 0.2],
        key_list: 0.05,
        graded: true,
        eia: Eia::Form,
        violation: 0.08,
        ..BASE
    },
    Kind {
        tag: "chemical",
        count: 12,
        names: &[
            ("阳城县{T}化工有限公司", "无机盐制造"),
            ("山西{T}化工科技有限公司", "化学试剂和助剂制造"),
            ("阳城县{T}化肥有限公司", "氮肥制造"),
        ],
        extra: &[(SolidWaste, 0.5), (RiverOutfall, 0.3)],
        permit: [0.4, 0.6, 0.0],
        key_list: 0.3,
        graded: true,
        eia: Eia::Book,
        violation: 0.12,
        ..BASE
    },
    Kind {
        tag: "cbm",
        count: 4,
        names: &[("阳城县{T}煤层气开发有限公司", "陆地天然气开采")],
        extra: &[(SolidWaste, 0.2)],
        permit: [0.0, 0.5, 0.5],
        eia: Eia::Form,
        ..BASE
    },
    Kind {
        tag: "quarry",
        count: 30,
        names: &[
            ("阳城县{T}石料有限公司", "建筑装饰用石开采"),
            ("阳城县{Z}{T}采石场", "石灰石、石膏开采"),
        ],
        registrants: SMALL,
        permit: [0.0, 0.3, 0.7],
        violation: 0.12,
        seasonal: Some((BRICK_MONTHS, 0.3)),
        ..BASE
    },
    Kind {
        tag: "printing",
        count: 5,
        names: &[("阳城县{T}印务有限公司", "包装装潢及其他印刷")],
        permit: [0.0, 0.4, 0.6],
        graded: true,
        urban: true,
        ..BASE
    },
    Kind {
        tag: "furniture",
        count: 6,
        names: &[
            ("阳城县{T}家具厂", "木质家具制造"),
            ("阳城县{T}木业有限公司", "木质家具制造"),
        ],
        registrants: SMALL,
        permit: [0.0, 0.3, 0.7],
        graded: true,
        ..BASE
    },
    Kind {
        tag: "concrete",
        count: 20,
        names: &[
            ("阳城县{T}商品混凝土有限公司", "水泥制品制造"),
            ("阳城县{T}建材有限公司", "水泥制品制造"),
        ],
        permit: [0.0, 0.2, 0.8],
        violation: 0.08,
        ..BASE
    },
    Kind {
        tag: "asphalt",
        count: 3,
        names: &[("阳城县{T}沥青搅拌有限公司", "沥青混合料制造")],
        permit: [0.0, 0.6, 0.4],
        seasonal: Some((ASPHALT_MONTHS, 1.0)),
        ..BASE
    },
    Kind {
        tag: "silk",
        count: 3,
        names: &[
            ("阳城县{T}丝绸有限公司", "缫丝加工"),
            ("阳城县{T}缫丝厂", "缫丝加工"),
        ],
        extra: &[(RiverOutfall, 0.5)],
        permit: [0.0, 0.7, 0.3],
        eia: Eia::Form,
        ..BASE
    },
    Kind {
        tag: "plating",
        count: 2,
        names: &[("阳城县{T}表面处理有限公司", "金属表面处理及热处理加工")],
        types: &[Polluter, SolidWaste],
        extra: &[(RiverOutfall, 0.5)],
        permit: [1.0, 0.0, 0.0],
        key_list: 0.5,
        eia: Eia::Book,
        violation: 0.15,
        ..BASE
    },
    Kind {
        tag: "machinery",
        count: 16,
        names: &[
            ("阳城县{T}机械制造有限公司", "矿山机械制造"),
            ("阳城县{T}矿山设备有限公司", "矿山机械制造"),
        ],
        extra: &[(SolidWaste, 0.1)],
        permit: [0.0, 0.2, 0.8],
        ..BASE
    },
    Kind {
        tag: "refractory",
        count: 5,
        names: &[(
            "阳城县{T}耐火材料有限公司",
            "耐火陶瓷制品及其他耐火材料制造",
        )],
        permit: [0.0, 0.6, 0.4],
        graded: true,
        eia: Eia::Form,
        ..BASE
    },
    Kind {
        tag: "incineration",
        count: 1,
        names: &[("阳城县{T}环保能源有限公司", "生物质能发电")],
        types: &[Polluter, SolidWaste],
        permit: [1.0, 0.0, 0.0],
        key_list: 1.0,
        eia: Eia::Book,
        ..BASE
    },
    Kind {
        tag: "plastics",
        count: 6,
        names: &[("阳城县{T}塑业有限公司", "塑料制品制造")],
        permit: [0.0, 0.3, 0.7],
        graded: true,
        ..BASE
    },
    Kind {
        tag: "stone",
        count: 8,
        names: &[
            ("阳城县{T}石材加工厂", "石材加工"),
            ("阳城县{Z}{T}石材有限公司", "石材加工"),
        ],
        registrants: SMALL,
        permit: [0.0, 0.0, 1.0],
        eia: Eia::Registration,
        ..BASE
    },
    Kind {
        tag: "ore",
        count: 4,
        names: &[
            ("阳城县{T}矿业有限公司", "铁矿采选"),
            ("阳城县{T}耐火土矿业有限公司", "耐火土石开采"),
        ],
        extra: &[(SolidWaste, 0.5)],
        permit: [0.0, 0.6, 0.4],
        eia: Eia::Book,
        violation: 0.12,
        ..BASE
    },
];
