//! 检查结果 (an inspection result): per check item an outcome, the overall result categories
//! (several may apply), findings, and for problems the legal basis and the follow-up measure.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::text::{self, TextKind};
use super::vocab::vocabulary;

vocabulary! {
    /// 单项检查结论
    Outcome {
        Compliant => "符合要求",
        Problem => "发现问题",
        NotApplicable => "不适用",
    }
}

vocabulary! {
    /// 检查结果 categories of the national publicity system (multi-select).
    Category {
        NoProblem => "未发现问题",
        Corrected => "发现问题已责令改正",
        Pending => "发现问题待后续处理",
        NoActivity => "未发现开展本次抽查涉及的经营活动",
        Closed => "已关闭停业或正在组织清算",
        Uncooperative => "不配合检查情节严重",
        Unreachable => "通过登记的住所(经营场所)无法联系",
        Other => "其他",
    }
}

vocabulary! {
    /// 后续处理方式
    FollowUpKind {
        Rectify => "责令改正",
        Penalty => "立案处罚",
        ReferAdministrative => "移送其他行政机关",
        ReferJudicial => "移送司法机关",
        JointPunishment => "联合惩戒",
    }
}

impl Category {
    /// Categories that say a problem was found.
    pub fn is_problem(self) -> bool {
        matches!(self, Category::Corrected | Category::Pending)
    }
}

/// The outcome of one check item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemOutcome {
    /// 抽查事项编号
    #[serde(rename = "code")]
    pub item: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub note: String,
}

/// A result, as drafted, submitted or corrected.
/// Unknown keys are refused, so a misspelt field (`remak`) is an error, not a silent blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionResult {
    #[serde(default, rename = "item")]
    pub items: Vec<ItemOutcome>,
    #[serde(default)]
    pub categories: BTreeSet<Category>,
    /// The text of 其他.
    #[serde(default)]
    pub other: String,
    /// 检查发现
    #[serde(default)]
    pub findings: String,
    /// 违法依据 (for problems)
    #[serde(default)]
    pub legal_basis: String,
    /// 处理措施 (for problems)
    #[serde(default)]
    pub measure: String,
    /// 备注 (published)
    #[serde(default)]
    pub remark: String,
}

/// A result's text fields, in order (检查发现, 违法依据, 处理措施, 其他说明, 备注): their Chinese
/// names and kinds, which set their length limits.
pub const TEXT_FIELDS: [(&str, TextKind); 5] = [
    ("检查发现", TextKind::Other),
    ("违法依据", TextKind::LegalBasis),
    ("处理措施", TextKind::Other),
    ("其他说明", TextKind::Other),
    ("备注", TextKind::Remark),
];

impl InspectionResult {
    /// The form a result starts from: every check item compliant, 未发现问题, no text.
    pub fn blank<S: AsRef<str>>(items: &[S]) -> InspectionResult {
        InspectionResult {
            items: items
                .iter()
                .map(|c| ItemOutcome {
                    item: c.as_ref().to_string(),
                    outcome: Outcome::Compliant,
                    note: String::new(),
                })
                .collect(),
            categories: [Category::NoProblem].into(),
            ..Default::default()
        }
    }

    /// The text fields with their Chinese names and kinds (which set their length limits).
    fn text_fields(&self) -> [(&str, &'static str, TextKind); 5] {
        let [f, l, me, o, r] = TEXT_FIELDS;
        [
            (&self.findings, f.0, f.1),
            (&self.legal_basis, l.0, l.1),
            (&self.measure, me.0, me.1),
            (&self.other, o.0, o.1),
            (&self.remark, r.0, r.1),
        ]
    }

    /// Every text field over its limit, by name: "备注不能超过2000个字符（现有2001个）".
    /// A draft is not saved with these; a result is not submitted.
    pub fn text_problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .text_fields()
            .into_iter()
            .filter_map(|(value, label, kind)| text::field(label, kind, value).err())
            .collect();
        for i in &self.items {
            if let Err(why) = text::identifier("抽查事项编号", TextKind::Other, &i.item) {
                out.push(why);
            }
            let label = format!("抽查事项 {} 的说明", text::visible(&i.item));
            if let Err(why) = text::field(&label, TextKind::Other, &i.note) {
                out.push(why);
            }
        }
        out
    }

    /// Every reason the result cannot be submitted for a visit with these check items.
    pub fn problems(&self, visit_items: &[String]) -> Vec<String> {
        let mut out = self.text_problems();
        for code in visit_items {
            if !self.items.iter().any(|i| &i.item == code) {
                out.push(format!("抽查事项 {code} 没有检查结论"));
            }
        }
        let mut seen = BTreeSet::new();
        for i in &self.items {
            if !visit_items.contains(&i.item) {
                out.push(format!("抽查事项 {} 不属于本次检查", i.item));
            }
            if !seen.insert(&i.item) {
                out.push(format!("抽查事项 {} 重复", i.item));
            }
        }
        if self.categories.is_empty() {
            out.push("至少选择一项检查结果".to_string());
        }
        let any_problem_item = self.items.iter().any(|i| i.outcome == Outcome::Problem);
        let problem_category = self.categories.iter().any(|c| c.is_problem());
        if self.categories.contains(&Category::NoProblem) && (problem_category || any_problem_item)
        {
            out.push("“未发现问题”与发现问题的结论矛盾".to_string());
        }
        if any_problem_item && !problem_category {
            out.push(
                "有事项发现问题，检查结果应选“发现问题已责令改正”或“发现问题待后续处理”"
                    .to_string(),
            );
        }
        if problem_category {
            if !any_problem_item {
                out.push("检查结果为发现问题，但没有事项结论为“发现问题”".to_string());
            }
            for (field, label) in [
                (&self.findings, "检查发现"),
                (&self.legal_basis, "违法依据"),
                (&self.measure, "处理措施"),
            ] {
                if field.trim().is_empty() {
                    out.push(format!("发现问题时须填写{label}"));
                }
            }
        }
        if self.categories.contains(&Category::Other) && self.other.trim().is_empty() {
            out.push("选择“其他”时须说明".to_string());
        }
        out
    }

    /// 检查结果 as published: the categories joined, with the text of 其他.
    pub fn summary(&self) -> String {
        self.categories
            .iter()
            .map(|c| {
                if *c == Category::Other && !self.other.is_empty() {
                    format!("其他：{}", self.other)
                } else {
                    c.label().to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("；")
    }

    pub fn found_problems(&self) -> bool {
        self.categories.iter().any(|c| c.is_problem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|s| s.to_string()).collect()
    }

    fn clean() -> InspectionResult {
        InspectionResult {
            items: vec![ItemOutcome {
                item: "1-3".into(),
                outcome: Outcome::Compliant,
                note: String::new(),
            }],
            categories: [Category::NoProblem].into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_blank_result_has_every_item_compliant_and_no_problem_found() {
        let r = InspectionResult::blank(&["1-1", "2-3"]);
        let codes: Vec<&str> = r.items.iter().map(|i| i.item.as_str()).collect();
        assert_eq!(codes, ["1-1", "2-3"]);
        assert!(r.items.iter().all(|i| i.outcome == Outcome::Compliant));
        assert_eq!(r.categories, [Category::NoProblem].into());
        assert!(!r.found_problems());
        assert!(
            r.problems(&["1-1".to_string(), "2-3".to_string()])
                .is_empty()
        );
    }
    #[test]
    fn a_clean_result_passes() {
        assert!(clean().problems(&items(&["1-3"])).is_empty());
        assert_eq!(clean().summary(), "未发现问题");
    }

    #[test]
    fn every_item_needs_an_outcome_and_no_stranger_items() {
        let p = clean().problems(&items(&["1-3", "1-4"]));
        assert_eq!(p, vec!["抽查事项 1-4 没有检查结论"]);
        let p = clean().problems(&items(&["1-4"]));
        assert!(p.iter().any(|s| s.contains("1-3 不属于")));
    }

    #[test]
    fn problems_need_basis_measure_and_a_problem_category() {
        let mut r = clean();
        r.items[0].outcome = Outcome::Problem;
        let p = r.problems(&items(&["1-3"]));
        assert!(p.iter().any(|s| s.contains("矛盾")), "{p:?}");
        r.categories = [Category::Corrected].into();
        let p = r.problems(&items(&["1-3"]));
        assert_eq!(p.len(), 3, "{p:?}");
        r.findings = "污染防治设施未正常运行".into();
        r.legal_basis = "《中华人民共和国大气污染防治法》第二十条".into();
        r.measure = "责令改正".into();
        assert!(r.problems(&items(&["1-3"])).is_empty());
    }

    #[test]
    fn several_categories_and_other_text() {
        let mut r = clean();
        r.categories = [Category::NoActivity, Category::Other].into();
        assert!(
            r.problems(&items(&["1-3"]))
                .iter()
                .any(|s| s.contains("其他"))
        );
        r.other = "季节性停产".into();
        assert!(r.problems(&items(&["1-3"])).is_empty());
        assert_eq!(
            r.summary(),
            "未发现开展本次抽查涉及的经营活动；其他：季节性停产"
        );
    }

    #[test]
    fn text_over_its_limit_is_named_with_the_limit() {
        let mut r = clean();
        r.remark = "甲".repeat(2001);
        r.legal_basis = "乙".repeat(501);
        r.items[0].note = "丙".repeat(501);
        let p = r.problems(&items(&["1-3"]));
        assert_eq!(
            p,
            vec![
                "违法依据不能超过500个字符（现有501个）",
                "备注不能超过2000个字符（现有2001个）",
                "抽查事项 1-3 的说明不能超过500个字符（现有501个）",
            ]
        );
        r.remark = "甲".repeat(2000);
        r.legal_basis = "乙".repeat(500);
        r.items[0].note = "丙".repeat(500);
        assert!(r.text_problems().is_empty());
    }

    #[test]
    fn toml_form() {
        let r: InspectionResult = toml::from_str(
            r#"categories = ["发现问题已责令改正"]
findings = "f"
legal_basis = "b"
measure = "m"
[[item]]
code = "1-3"
outcome = "发现问题"
"#,
        )
        .unwrap();
        assert!(r.problems(&items(&["1-3"])).is_empty());
        assert!(toml::from_str::<InspectionResult>("categories = [\"很好\"]").is_err());
        // A misspelt key is refused, not dropped.
        let err = toml::from_str::<InspectionResult>("remak = \"已签收\"").unwrap_err();
        assert!(err.message().contains("remak"), "{err}");
        let err = toml::from_str::<InspectionResult>(
            "[[item]]\ncode = \"1-3\"\noutcome = \"符合要求\"\nnotes = \"x\"\n",
        )
        .unwrap_err();
        assert!(err.message().contains("notes"), "{err}");
    }
}
