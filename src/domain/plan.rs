//! 抽查计划 (plans) and 抽查任务 (tasks): what is drawn, from whom, by which rule, when.

use serde::{Deserialize, Serialize};

use super::vocab::TargetType;

/// 部门联合 (joint) or 内部 (internal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanKind {
    Joint,
    Internal,
}

impl PlanKind {
    pub fn label(self) -> &'static str {
        match self {
            PlanKind::Joint => "部门联合",
            PlanKind::Internal => "内部",
        }
    }
}

/// A year's plan: the seed has a joint plan (LH) and an internal plan (NB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub code: String,
    #[serde(default)]
    pub year: i32,
    pub name: String,
    pub kind: PlanKind,
    pub source: String,
    #[serde(default)]
    pub tier_multipliers: TierMultipliers,
    #[serde(rename = "task")]
    pub tasks: Vec<Task>,
}

/// One task of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Plan code + 序号, e.g. `NB-1`.
    pub code: String,
    pub seq: u32,
    /// 抽查任务名称
    pub name: String,
    /// 抽查类型 (定向 …)
    #[serde(default)]
    pub inspection_type: String,
    /// 检查对象
    pub target_types: Vec<TargetType>,
    /// 抽查对象范围, as the plan words it.
    pub scope: String,
    /// Rivers the outfalls must be on (入河排污口 tasks); empty = any.
    #[serde(default)]
    pub rivers: Vec<String>,
    /// 智慧监管（信用风险）分类要求
    #[serde(default)]
    pub credit_requirement: String,
    /// 发起部门 / 发起主体
    pub initiating_unit: String,
    /// 抽查检查主体
    #[serde(default)]
    pub inspecting_body: String,
    /// 配合部门 (joint tasks): each seats its own officer on every team.
    #[serde(default)]
    pub cooperating_departments: Vec<String>,
    /// Sampling lines: items with their rule and window.
    #[serde(rename = "line")]
    pub lines: Vec<SamplingLine>,
}

/// Some of a task's check items, sampled by one rule within one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplingLine {
    /// Check-item codes (`1-3`).
    pub items: Vec<String>,
    pub window: Window,
    pub rule: SamplingRule,
    /// The plan's own wording of the rule.
    #[serde(default)]
    pub rule_text: String,
}

/// 抽查起止时间: months of the year, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start_month: u32,
    pub end_month: u32,
}

impl Window {
    pub fn label(self) -> String {
        format!("{}月-{}月", self.start_month, self.end_month)
    }

    /// The quarters (1–4) the window touches.
    pub fn quarters(self) -> std::ops::RangeInclusive<u32> {
        self.start_month.div_ceil(3)..=self.end_month.div_ceil(3)
    }
}

/// 抽查比例: how many of a population are drawn. Ratios in basis points (2500 = 25 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SamplingRule {
    /// A fixed share per quarter of the window.
    FixedRatio { ratio_bp: u32 },
    /// Everyone (100 %).
    Full,
    /// 重点 / 特殊 / 一般 per quarter.
    ByClass {
        key_bp: u32,
        special_bp: u32,
        general_bp: u32,
    },
    /// 报告书 / 报告表 / 登记表 per quarter.
    ByEiaClass {
        report_book_bp: u32,
        report_form_bp: u32,
        registration_bp: u32,
    },
    /// Key ≥ ratio per quarter; general units by the 1 : N rule (annual count = N × on-duty
    /// inspectors, spread over the quarters left in the window).
    KeyAndOneInThree {
        key_bp: u32,
        units_per_inspector: u32,
    },
}

/// Basis points as a percentage for people: 2500 → "25%", 1250 → "12.50%".
pub fn pct(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

impl SamplingRule {
    /// A short Chinese description, e.g. "重点25%/特殊30%/一般5%".
    pub fn describe(&self) -> String {
        match *self {
            SamplingRule::FixedRatio { ratio_bp } => format!("固定比例{}", pct(ratio_bp)),
            SamplingRule::Full => "全覆盖100%".to_string(),
            SamplingRule::ByClass {
                key_bp,
                special_bp,
                general_bp,
            } => format!(
                "重点{}/特殊{}/一般{}",
                pct(key_bp),
                pct(special_bp),
                pct(general_bp)
            ),
            SamplingRule::ByEiaClass {
                report_book_bp,
                report_form_bp,
                registration_bp,
            } => format!(
                "报告书{}/报告表{}/登记表{}",
                pct(report_book_bp),
                pct(report_form_bp),
                pct(registration_bp)
            ),
            SamplingRule::KeyAndOneInThree {
                key_bp,
                units_per_inspector,
            } => format!(
                "重点{}，一般按1:{}（在岗执法人员:年度抽查单位）",
                pct(key_bp),
                units_per_inspector
            ),
        }
    }

    fn ratios(&self) -> Vec<u32> {
        match *self {
            SamplingRule::FixedRatio { ratio_bp } => vec![ratio_bp],
            SamplingRule::Full => vec![],
            SamplingRule::ByClass {
                key_bp,
                special_bp,
                general_bp,
            } => vec![key_bp, special_bp, general_bp],
            SamplingRule::ByEiaClass {
                report_book_bp,
                report_form_bp,
                registration_bp,
            } => vec![report_book_bp, report_form_bp, registration_bp],
            SamplingRule::KeyAndOneInThree { key_bp, .. } => vec![key_bp],
        }
    }
}

/// 信用风险递加比例: multipliers on a stratum's base ratio, in percent (150 = ×1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierMultipliers {
    pub low_pct: u32,
    pub normal_pct: u32,
    pub elevated_pct: u32,
    pub high_pct: u32,
}

impl Default for TierMultipliers {
    fn default() -> Self {
        TierMultipliers {
            low_pct: 100,
            normal_pct: 150,
            elevated_pct: 200,
            high_pct: 300,
        }
    }
}

/// The plan's sentence on credit tiers (智慧监管（信用风险）分类要求), quoted when tiers do not rise.
pub const RISING_TIERS_SENTENCE: &str = "根据企业信用风险分类结果，结合行业监管风险分类，对低风险、一般风险、较高风险、高风险企业分别递加比例抽查";

impl TierMultipliers {
    /// 递加 means strictly rising: 低 < 一般 < 较高 < 高, and above zero. The reason, in
    /// Chinese, when they are not.
    pub fn problem(&self) -> Option<String> {
        let m = self;
        let rising = 0 < m.low_pct
            && m.low_pct < m.normal_pct
            && m.normal_pct < m.elevated_pct
            && m.elevated_pct < m.high_pct;
        (!rising).then(|| {
            format!(
                "信用风险倍数须逐级递加（低风险 < 一般风险 < 较高风险 < 高风险，且大于0），现为 低{}% 一般{}% 较高{}% 高{}%。计划要求：“{RISING_TIERS_SENTENCE}”",
                m.low_pct, m.normal_pct, m.elevated_pct, m.high_pct
            )
        })
    }
}

impl Plan {
    /// Checks a plan for mistakes a person could make editing it; returns readable problems.
    pub fn problems(&self, known_items: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        if self.tasks.is_empty() {
            out.push(format!("计划{}没有任务", self.code));
        }
        if let Some(problem) = self.tier_multipliers.problem() {
            out.push(format!("计划{}：{problem}", self.code));
        }
        let mut codes = std::collections::BTreeSet::new();
        for t in &self.tasks {
            out.extend(t.problems(known_items));
            if !codes.insert(t.code.as_str()) {
                out.push(format!("任务编号{}重复", t.code));
            }
        }
        out
    }
}

impl Task {
    /// Its text fields over their limits, and names and codes with invisible characters
    /// (`domain::text`), by field.
    fn text_problems(&self) -> Vec<String> {
        use super::text::{TextKind, field, identifier};
        let mut checks: Vec<Result<(), String>> = vec![
            identifier("任务编号", TextKind::Other, &self.code),
            identifier("任务名称", TextKind::Name, &self.name),
            field("抽查类型", TextKind::Other, &self.inspection_type),
            field("抽查对象范围", TextKind::Other, &self.scope),
            field(
                "信用风险分类要求",
                TextKind::Other,
                &self.credit_requirement,
            ),
            identifier("发起部门", TextKind::Name, &self.initiating_unit),
            identifier("检查主体", TextKind::Name, &self.inspecting_body),
        ];
        checks.extend(
            self.rivers
                .iter()
                .map(|r| identifier("河流", TextKind::Name, r)),
        );
        checks.extend(
            self.cooperating_departments
                .iter()
                .map(|d| identifier("配合部门", TextKind::Name, d)),
        );
        for line in &self.lines {
            checks.push(field("抽查比例说明", TextKind::Other, &line.rule_text));
            checks.extend(
                line.items
                    .iter()
                    .map(|i| identifier("抽查事项编号", TextKind::Other, i)),
            );
        }
        checks.into_iter().filter_map(Result::err).collect()
    }

    /// Checks a task; returns readable problems.
    pub fn problems(&self, known_items: &[String]) -> Vec<String> {
        let text_problems = self.text_problems();
        if !text_problems.is_empty() {
            // Quoting a name that is too long or hides characters would repeat the problem.
            return text_problems;
        }
        let mut out = Vec::new();
        let who = format!("任务{}（{}）", self.code, self.name);
        if self.name.trim().is_empty() {
            out.push(format!("{who}缺少任务名称"));
        }
        if self.target_types.is_empty() {
            out.push(format!("{who}缺少检查对象"));
        }
        if self.lines.is_empty() {
            out.push(format!("{who}没有抽查事项"));
        }
        for line in &self.lines {
            let w = line.window;
            if !(1..=12).contains(&w.start_month) || !(w.start_month..=12).contains(&w.end_month) {
                out.push(format!("{who}的检查时间{}不合理", w.label()));
            }
            if line.rule.ratios().iter().any(|&bp| bp == 0 || bp > 10_000) {
                out.push(format!("{who}的抽查比例应在0.01%至100%之间"));
            }
            if let SamplingRule::KeyAndOneInThree {
                units_per_inspector: 0,
                ..
            } = line.rule
            {
                out.push(format!("{who}的1:N比例中N不能为0"));
            }
            for item in &line.items {
                if !known_items.iter().any(|k| k == item) {
                    out.push(format!("{who}引用了不存在的抽查事项{item}"));
                }
            }
        }
        out
    }

    /// Every check-item code of the task, in line order.
    pub fn item_codes(&self) -> Vec<&str> {
        self.lines
            .iter()
            .flat_map(|l| l.items.iter().map(String::as_str))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        Task {
            code: "LH-1".into(),
            seq: 1,
            name: "入河排污口监督检查".into(),
            inspection_type: String::new(),
            target_types: vec![TargetType::RiverOutfall],
            scope: "在沁河、芦苇河有排污口的排污单位".into(),
            rivers: vec!["沁河".into(), "芦苇河".into()],
            credit_requirement: String::new(),
            initiating_unit: "晋城市生态环境局阳城分局".into(),
            inspecting_body: String::new(),
            cooperating_departments: vec!["水利局".into()],
            lines: vec![SamplingLine {
                items: vec!["5-1".into()],
                window: Window {
                    start_month: 3,
                    end_month: 10,
                },
                rule: SamplingRule::FixedRatio { ratio_bp: 2000 },
                rule_text: "20%".into(),
            }],
        }
    }

    fn tiers(low: u32, normal: u32, elevated: u32, high: u32) -> TierMultipliers {
        TierMultipliers {
            low_pct: low,
            normal_pct: normal,
            elevated_pct: elevated,
            high_pct: high,
        }
    }

    #[test]
    fn tiers_must_rise_strictly() {
        assert_eq!(TierMultipliers::default().problem(), None);
        assert_eq!(tiers(100, 101, 102, 103).problem(), None);
        for flat in [
            tiers(100, 100, 100, 100),
            tiers(100, 150, 150, 300),
            tiers(100, 150, 200, 200),
            tiers(300, 200, 150, 100),
            tiers(0, 150, 200, 300),
        ] {
            let p = flat.problem().expect("not rising");
            assert!(p.contains("逐级递加"), "{p}");
            assert!(p.contains(RISING_TIERS_SENTENCE), "quotes the plan: {p}");
        }
    }

    #[test]
    fn the_seed_plans_tiers_rise() {
        let plans = seed_plans(2026);
        assert!(!plans.is_empty());
        for p in &plans {
            assert_eq!(p.tier_multipliers.problem(), None, "{}", p.code);
        }
    }

    #[test]
    fn window_quarters() {
        let w = Window {
            start_month: 3,
            end_month: 10,
        };
        assert_eq!(w.quarters(), 1..=4);
        let w = Window {
            start_month: 4,
            end_month: 6,
        };
        assert_eq!(w.quarters(), 2..=2);
    }

    #[test]
    fn a_good_task_has_no_problems_and_a_bad_one_says_why() {
        let known = vec!["5-1".to_string()];
        assert!(task().problems(&known).is_empty());
        let mut t = task();
        t.lines[0].items.push("9-9".into());
        t.lines[0].window.end_month = 2;
        t.lines[0].rule = SamplingRule::FixedRatio { ratio_bp: 0 };
        let p = t.problems(&known);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p.iter().any(|s| s.contains("9-9")));
    }

    #[test]
    fn rules_describe_themselves() {
        let r = SamplingRule::ByClass {
            key_bp: 2500,
            special_bp: 3000,
            general_bp: 500,
        };
        assert_eq!(r.describe(), "重点25%/特殊30%/一般5%");
        assert_eq!(
            SamplingRule::FixedRatio { ratio_bp: 1250 }.describe(),
            "固定比例12.50%"
        );
    }

    #[test]
    fn rules_read_from_toml() {
        let line: SamplingLine = toml::from_str(
            r#"items = ["1-1"]
window = { start_month = 3, end_month = 10 }
rule = { kind = "by_eia_class", report_book_bp = 1000, report_form_bp = 500, registration_bp = 1000 }
"#,
        )
        .unwrap();
        assert_eq!(
            line.rule,
            SamplingRule::ByEiaClass {
                report_book_bp: 1000,
                report_form_bp: 500,
                registration_bp: 1000
            }
        );
    }
}

/// The plans shipped with the project (`data/plans.toml`, transcribed from 阳分环发〔2024〕6号),
/// set to a year.
pub fn seed_plans(year: i32) -> Vec<Plan> {
    #[derive(Deserialize)]
    struct File {
        plan: Vec<Plan>,
    }
    let file: File = toml::from_str(include_str!("../../data/plans.toml"))
        .expect("data/plans.toml is checked by the tests");
    file.plan
        .into_iter()
        .map(|mut p| {
            p.year = year;
            p
        })
        .collect()
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    #[test]
    fn the_seed_has_a_joint_plan_of_two_tasks_and_an_internal_plan_of_seven() {
        let plans = seed_plans(2026);
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].kind, PlanKind::Joint);
        assert_eq!(plans[0].tasks.len(), 2);
        assert_eq!(plans[1].kind, PlanKind::Internal);
        assert_eq!(plans[1].tasks.len(), 7);
        assert!(plans.iter().all(|p| p.year == 2026));
        let joint = &plans[0].tasks;
        assert_eq!(joint[0].cooperating_departments, vec!["水利局"]);
        assert_eq!(joint[1].cooperating_departments, vec!["住建局"]);
        assert_eq!(
            joint[0].lines[0].rule,
            SamplingRule::FixedRatio { ratio_bp: 2000 }
        );
        let nb1 = &plans[1].tasks[0];
        assert_eq!(nb1.lines.len(), 3);
        assert!(nb1.lines.iter().any(|l| l.window.end_month == 12));
    }
}
