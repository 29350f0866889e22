//! The 排污单位 of everyday trades: clinics, garages, petrol stations, food, farms.

use crate::domain::vocab::TargetType::*;

use super::kinds::{BASE, Eia, FARM, HARVEST_MONTHS, HEALTH, Kind, SMALL};

pub const TRADES: &[Kind] = &[
    Kind {
        tag: "hospital",
        count: 16,
        names: &[
            ("阳城县{Z}{V}卫生院", "乡镇卫生院"),
            ("阳城{T}医院", "综合医院"),
            ("阳城县{T}中医医院", "中医医院"),
            ("阳城县{T}骨科医院", "专科医院"),
        ],
        extra: &[(SolidWaste, 0.4), (Radiation, 0.6)],
        registrants: HEALTH,
        permit: [0.1, 0.4, 0.5],
        eia: Eia::Form,
        violation: 0.05,
        urban: true,
        ..BASE
    },
    Kind {
        tag: "repair",
        count: 55,
        names: &[
            ("阳城县{T}汽车维修有限公司", "汽车修理与维护"),
            ("阳城县{P}汽车修理部", "汽车修理与维护"),
        ],
        extra: &[(SolidWaste, 0.08)],
        registrants: SMALL,
        permit: [0.0, 0.1, 0.9],
        eia: Eia::Registration,
        violation: 0.08,
        urban: true,
        ..BASE
    },
    Kind {
        tag: "liquor",
        count: 8,
        names: &[("阳城县{T}酒业有限公司", "白酒制造")],
        extra: &[(RiverOutfall, 0.15)],
        permit: [0.0, 0.4, 0.6],
        violation: 0.04,
        ..BASE
    },
    Kind {
        tag: "vinegar",
        count: 8,
        names: &[
            ("阳城县{T}醋业有限公司", "酱油、食醋及类似制品制造"),
            ("阳城县{Z}{T}老陈醋厂", "酱油、食醋及类似制品制造"),
        ],
        registrants: SMALL,
        permit: [0.0, 0.2, 0.8],
        violation: 0.04,
        ..BASE
    },
    Kind {
        tag: "tofu",
        count: 10,
        names: &[
            ("阳城县{T}食品有限公司", "豆制品制造"),
            ("阳城县{P}豆制品加工坊", "豆制品制造"),
        ],
        registrants: SMALL,
        permit: [0.0, 0.1, 0.9],
        violation: 0.04,
        ..BASE
    },
    Kind {
        tag: "orchard",
        count: 10,
        names: &[
            ("阳城县{T}农产品加工有限公司", "果品、蔬菜加工"),
            ("阳城县{Z}{T}山楂制品厂", "果品、蔬菜加工"),
        ],
        extra: &[(RiverOutfall, 0.1)],
        registrants: SMALL,
        permit: [0.0, 0.3, 0.7],
        violation: 0.04,
        seasonal: Some((HARVEST_MONTHS, 0.6)),
        ..BASE
    },
    Kind {
        tag: "farm",
        count: 60,
        names: &[
            ("阳城县{T}养殖有限公司", "猪的饲养"),
            ("阳城县{Z}{T}生态养殖专业合作社", "鸡的饲养"),
            ("阳城县{T}牧业有限公司", "牛的饲养"),
            ("阳城县{P}养猪场", "猪的饲养"),
        ],
        registrants: FARM,
        permit: [0.05, 0.3, 0.65],
        key_list: 0.05,
        ..BASE
    },
    Kind {
        tag: "fuel",
        count: 36,
        names: &[
            ("阳城县{T}加油站有限公司", "机动车燃油零售"),
            ("阳城县{Z}{T}加油站", "机动车燃油零售"),
        ],
        permit: [0.0, 0.0, 1.0],
        eia: Eia::Form,
        violation: 0.03,
        urban: true,
        ..BASE
    },
    Kind {
        tag: "slaughter",
        count: 4,
        names: &[
            ("阳城县{T}肉类食品有限公司", "牲畜屠宰"),
            ("阳城县{Z}{T}屠宰场", "牲畜屠宰"),
        ],
        extra: &[(RiverOutfall, 0.4)],
        permit: [0.0, 0.8, 0.2],
        eia: Eia::Form,
        ..BASE
    },
    Kind {
        tag: "feed",
        count: 3,
        names: &[("阳城县{T}饲料有限公司", "饲料加工")],
        ..BASE
    },
];
