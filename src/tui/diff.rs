//! What a correction changes: every field of a result that differs from the one it would
//! replace, labelled as the form labels it, before and after. The approval screen shows these,
//! so the principal sees each change (检查结论 per item, 结果类别, 违法依据, 处理措施, 备注 …).

use crate::domain::result::InspectionResult;

use super::strings as s;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The fields of `after` that differ from `before`, in the form's order; `items` gives the
/// check items' texts by code.
pub fn changes(
    before: &InspectionResult,
    after: &InspectionResult,
    items: &[(String, String)],
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut push = |label: String, b: String, a: String| {
        if b != a {
            out.push(FieldChange {
                label,
                before: b,
                after: a,
            });
        }
    };
    // Each check item once, in the order of the item list, then any other code.
    let mut codes: Vec<&str> = items.iter().map(|(c, _)| c.as_str()).collect();
    for r in [before, after] {
        for i in &r.items {
            if !codes.contains(&i.item.as_str()) {
                codes.push(&i.item);
            }
        }
    }
    let outcome = |r: &InspectionResult, code: &str| {
        r.items
            .iter()
            .find(|i| i.item == code)
            .map(|i| {
                if i.note.is_empty() {
                    i.outcome.label().to_string()
                } else {
                    format!("{}（{}）", i.outcome.label(), i.note)
                }
            })
            .unwrap_or_else(|| s::NOTHING.to_string())
    };
    for code in codes {
        let text = items
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        let label = format!("{} {code} {text}", s::ITEM_OUTCOME)
            .trim_end()
            .to_string();
        push(label, outcome(before, code), outcome(after, code));
    }
    let categories = |r: &InspectionResult| {
        let all: Vec<&str> = r.categories.iter().map(|c| c.label()).collect();
        if all.is_empty() {
            s::NOTHING.to_string()
        } else {
            all.join("、")
        }
    };
    push(
        s::CATEGORIES_LABEL.to_string(),
        categories(before),
        categories(after),
    );
    let text = |t: &str| {
        if t.trim().is_empty() {
            s::NOTHING.to_string()
        } else {
            t.to_string()
        }
    };
    for (label, b, a) in [
        (s::OTHER, &before.other, &after.other),
        (s::FINDINGS, &before.findings, &after.findings),
        (s::LEGAL_BASIS, &before.legal_basis, &after.legal_basis),
        (s::MEASURE, &before.measure, &after.measure),
        (s::REMARK, &before.remark, &after.remark),
    ] {
        push(label.to_string(), text(b), text(a));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::result::{Category, Outcome};

    #[test]
    fn every_changed_field_is_named_and_nothing_else() {
        let items = vec![
            ("NB-1-01".to_string(), "排污许可".to_string()),
            ("NB-1-02".to_string(), "台账".to_string()),
        ];
        let before = InspectionResult::blank(&["NB-1-01", "NB-1-02"]);
        let mut after = before.clone();
        after.items[1].outcome = Outcome::Problem;
        after.categories = [Category::Pending].into();
        after.legal_basis = "《大气污染防治法》第九十九条".into();
        after.remark = "复查".into();
        let c = changes(&before, &after, &items);
        let labels: Vec<&str> = c.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "检查结论 NB-1-02 台账",
                "结果类别",
                "违法依据",
                "备注（公示）"
            ]
        );
        assert_eq!(c[0].before, "符合要求");
        assert_eq!(c[0].after, "发现问题");
        assert_eq!(c[1].before, "未发现问题");
        assert_eq!(c[2].before, "（无）");
        assert_eq!(c[2].after, "《大气污染防治法》第九十九条");
        assert!(changes(&before, &before, &items).is_empty());
    }
}
