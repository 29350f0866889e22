//! Word lists of the demo county: towns, villages, trade names, people's names, machines.
//!
//! The towns are Yangcheng county's real townships; everything else is generic vocabulary
//! combined at random, so the units, people and addresses it produces are synthetic.

/// 阳城县's townships (10 镇, 7 乡), roughly from the county seat outwards.
pub const TOWNS: &[&str] = &[
    "凤城镇",
    "北留镇",
    "润城镇",
    "町店镇",
    "芹池镇",
    "次营镇",
    "横河镇",
    "河北镇",
    "蟒河镇",
    "东冶镇",
    "白桑乡",
    "寺头乡",
    "西河乡",
    "演礼乡",
    "固隆乡",
    "董封乡",
    "驾岭乡",
];

/// Relative weight of industry in each town of [`TOWNS`] (same order).
pub const TOWN_WEIGHTS: &[u32] = &[20, 12, 12, 8, 7, 5, 4, 6, 3, 8, 4, 4, 5, 4, 3, 3, 3];

/// The town a unit of an urban trade (clinics, garages, petrol stations) clusters in.
pub const COUNTY_SEAT: &str = "凤城镇";

/// Generic village stems (without 村).
pub const VILLAGES: &[&str] = &[
    "东庄",
    "西庄",
    "南庄",
    "北坡",
    "后沟",
    "前岭",
    "上河",
    "下河",
    "河东",
    "河西",
    "岭头",
    "石门",
    "柳树底",
    "杨家岭",
    "李家河",
    "王村",
    "张庄",
    "高家庄",
    "马坡",
    "窑头",
    "南沟",
    "北沟",
    "桥头",
    "庙底",
    "水泉",
    "三岔",
    "新庄",
    "中村",
    "东坡",
    "西岭",
    "寨上",
    "安乐",
    "涧底",
    "杏园",
    "槐树岭",
    "郭家沟",
    "白草坪",
    "龙泉",
    "峪口",
    "圪塔",
];

/// Generic street names for addresses in the county seat.
pub const STREETS: &[&str] = &[
    "凤鸣路",
    "东环路",
    "西环路",
    "新兴街",
    "建设路",
    "滨河路",
    "育才路",
    "文化街",
    "南关街",
    "北关街",
    "迎宾路",
    "工业路",
];

/// Two-character trade names (字号) for synthetic company names.
pub const TRADE_WORDS: &[&str] = &[
    "晋阳", "鑫源", "宏达", "恒泰", "瑞丰", "华鑫", "兴盛", "永昌", "福瑞", "泰和", "金辉", "润丰",
    "广源", "聚鑫", "昌盛", "鼎盛", "鸿运", "顺达", "盛元", "天润", "嘉禾", "博远", "凯达", "祥和",
    "益民", "富源", "旺鑫", "新星", "腾飞", "金鼎", "德润", "诚信", "三和", "四方", "兴隆", "安泰",
    "荣达", "裕丰", "晟达", "佳禾", "同心", "和顺", "瑞祥", "恒信", "立信", "宏源", "隆昌", "康达",
    "泽润", "鑫磊", "金石", "凤鸣", "析城", "清源", "沁源", "丰泽", "永泰", "弘毅", "正阳", "长兴",
    "利民", "晋丰", "华通", "众鑫", "宝丰", "鑫泰", "合众", "信达", "润泽", "乾丰", "坤元", "庆丰",
    "德胜", "协力", "万顺", "东升", "鸿泰", "源通", "力达", "金泉", "峰岩", "景元", "汇源", "宏盛",
    "亿丰", "晋鑫", "恒昌", "耀华",
];

/// Surnames common in southern Shanxi, with their pinyin (for ASCII logins).
pub const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("郭", "guo"),
    ("田", "tian"),
    ("原", "yuan"),
    ("卫", "wei"),
    ("吉", "ji"),
    ("栗", "li"),
    ("成", "cheng"),
    ("茹", "ru"),
    ("延", "yan"),
    ("牛", "niu"),
    ("常", "chang"),
    ("段", "duan"),
    ("宋", "song"),
    ("崔", "cui"),
    ("韩", "han"),
    ("冯", "feng"),
    ("秦", "qin"),
    ("申", "shen"),
    ("靳", "jin"),
    ("贾", "jia"),
    ("潘", "pan"),
    ("曹", "cao"),
    ("上官", "shangguan"),
];

/// Characters for given names, with their pinyin.
pub const GIVEN: &[(&str, &str)] = &[
    ("建", "jian"),
    ("国", "guo"),
    ("伟", "wei"),
    ("军", "jun"),
    ("平", "ping"),
    ("红", "hong"),
    ("丽", "li"),
    ("芳", "fang"),
    ("志", "zhi"),
    ("强", "qiang"),
    ("海", "hai"),
    ("涛", "tao"),
    ("斌", "bin"),
    ("鹏", "peng"),
    ("晓", "xiao"),
    ("文", "wen"),
    ("明", "ming"),
    ("俊", "jun"),
    ("宏", "hong"),
    ("玉", "yu"),
    ("霞", "xia"),
    ("艳", "yan"),
    ("静", "jing"),
    ("敏", "min"),
    ("磊", "lei"),
    ("超", "chao"),
    ("鑫", "xin"),
    ("瑞", "rui"),
    ("亮", "liang"),
    ("刚", "gang"),
    ("峰", "feng"),
    ("波", "bo"),
    ("辉", "hui"),
    ("婷", "ting"),
    ("慧", "hui"),
    ("琳", "lin"),
    ("丹", "dan"),
    ("飞", "fei"),
    ("宇", "yu"),
    ("杰", "jie"),
    ("浩", "hao"),
    ("云", "yun"),
    ("春", "chun"),
    ("秋", "qiu"),
    ("永", "yong"),
    ("福", "fu"),
    ("新", "xin"),
    ("林", "lin"),
    ("华", "hua"),
    ("荣", "rong"),
];

/// Mobile number prefixes; a demo number is prefix + 0356 + four digits.
pub const MOBILE_PREFIXES: &[&str] = &[
    "139", "138", "137", "135", "136", "150", "152", "158", "183", "187", "130", "131", "155",
    "133", "153", "180", "189",
];

/// Non-road machines: (kind, industry, models).
pub const MACHINES: &[(&str, &str, &[&str])] = &[
    (
        "挖掘机",
        "工程机械",
        &[
            "小松PC200",
            "三一SY215C",
            "徐工XE215D",
            "卡特彼勒320GC",
            "柳工CLG922E",
            "临工E6210F",
            "日立ZX200",
        ],
    ),
    (
        "装载机",
        "工程机械",
        &[
            "柳工CLG856H",
            "临工L956F",
            "徐工LW500KV",
            "龙工LG855N",
            "山工SEM656D",
        ],
    ),
    (
        "叉车",
        "物料搬运机械",
        &["合力CPCD30", "杭叉CPCD35", "龙工LG30DT"],
    ),
    ("压路机", "工程机械", &["徐工XS223J", "三一SSR220C"]),
    ("推土机", "工程机械", &["山推SD16"]),
];

/// Trade words for the builders and haulers that own machines but are not in the library.
pub const MACHINE_OWNER_TRADES: &[&str] = &["建筑工程", "土石方工程", "路桥工程", "物流"];

/// Reasons an officer declares a conflict of interest (回避).
pub const CONFLICT_REASONS: &[&str] = &[
    "亲属在该单位任职",
    "曾在该单位工作，离职未满三年",
    "配偶持有该单位股份",
];
