//! 抽查事项 (check item): one row of the check-item list (抽查事项清单).

use serde::{Deserialize, Serialize};

use super::vocab::TargetType;

/// 事项类别
pub const ITEM_CLASSES: &[&str] = &["一般检查事项", "重点检查事项"];

/// 检查方式
pub const METHODS: &[&str] = &["现场检查", "网络检查", "书面检查"];

/// One check item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    /// 编号: `<category>-<row>`, e.g. `1-3`.
    pub code: String,
    /// 类别序号
    pub category_no: u32,
    /// 抽查类别
    pub category: String,
    /// 抽查事项
    pub item: String,
    /// 检查对象
    pub target_type: TargetType,
    /// 事项类别
    pub item_class: String,
    /// 检查方式 (several joined with 、)
    pub method: String,
    /// 检查主体
    pub body: String,
    /// 检查依据
    pub legal_basis: String,
}

impl CheckItem {
    /// Checks the fields that have a closed vocabulary; returns (column, reason) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut parts = self.code.split('-');
        let ok_code = matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(a), Some(b), None) if a.parse::<u32>() == Ok(self.category_no) && b.parse::<u32>().is_ok()
        );
        if !ok_code {
            out.push(("编号", format!("“{}”应为 类别序号-序号，如 1-3", self.code)));
        }
        if self.category.trim().is_empty() {
            out.push(("抽查类别", "不能为空".to_string()));
        }
        if self.item.trim().is_empty() {
            out.push(("抽查事项", "不能为空".to_string()));
        }
        if !ITEM_CLASSES.contains(&self.item_class.as_str()) {
            out.push((
                "事项类别",
                format!("“{}”应为 {}", self.item_class, ITEM_CLASSES.join("/")),
            ));
        }
        if let Some(m) = super::vocab::split_list(&self.method)
            .into_iter()
            .find(|m| !METHODS.contains(m))
        {
            out.push(("检查方式", format!("“{m}”应为 {}", METHODS.join("/"))));
        }
        out
    }
}
