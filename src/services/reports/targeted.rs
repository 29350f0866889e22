//! The reports' section on targeted checks (个案检查): counted by reason and listed, apart
//! from the random inspections, whose figures they never enter. JSON key `targeted`, a
//! Markdown appendix, and the .xlsx sheet 个案检查.

use serde::Serialize;

use super::Scope;
use crate::domain::draw::period::Period;
use crate::domain::targeted::{TARGETED_LABEL, TargetedReason};
use crate::sheets::publicity::Table;
use crate::store;

/// How many targeted checks of the scope had one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: TargetedReason,
    pub count: usize,
}

/// One targeted check of the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetedLine {
    pub id: i64,
    /// The entity's id (USCC or registry code) and name.
    pub entity: String,
    pub entity_name: String,
    pub reason: TargetedReason,
    pub detail: String,
    /// Inspector codes, the lead marked `*`.
    pub team: String,
    pub started: chrono::NaiveDate,
    pub completed: chrono::NaiveDate,
    /// 检查结果: the categories as published ([`crate::domain::result::InspectionResult::summary`]).
    pub result: String,
    pub found_problems: bool,
}

/// The targeted checks of a report's scope: those started in its year or quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetedSection {
    pub count: usize,
    /// Every reason, in the vocabulary's order, with its count (0 included).
    pub by_reason: Vec<ReasonCount>,
    /// Checks that found a problem.
    pub found_problems: usize,
    /// Distinct entities checked.
    pub entities: usize,
    /// Every check, oldest first.
    pub checks: Vec<TargetedLine>,
}

/// The targeted checks of `scope`, by the day each started.
pub(super) fn section(conn: &rusqlite::Connection, scope: Scope) -> super::Result<TargetedSection> {
    let names = store::entities::names(conn)?;
    let checks: Vec<TargetedLine> = store::targeted::list(conn, None, Some(scope.year()))?
        .into_iter()
        .filter(|t| scope.covers(&Period::of(t.started).to_string()))
        .map(|t| TargetedLine {
            entity_name: names
                .get(&t.entity)
                .map(|n| n.0.clone())
                .unwrap_or_default(),
            team: t.team.codes(),
            result: t.result.summary(),
            found_problems: t.result.found_problems(),
            id: t.id,
            entity: t.entity,
            reason: t.reason,
            detail: t.detail,
            started: t.started,
            completed: t.completed,
        })
        .collect();
    let by_reason = TargetedReason::ALL
        .iter()
        .map(|&reason| ReasonCount {
            reason,
            count: checks.iter().filter(|c| c.reason == reason).count(),
        })
        .collect();
    let entities: std::collections::HashSet<&str> =
        checks.iter().map(|c| c.entity.as_str()).collect();
    Ok(TargetedSection {
        count: checks.len(),
        by_reason,
        found_problems: checks.iter().filter(|c| c.found_problems).count(),
        entities: entities.len(),
        checks,
    })
}

/// A Markdown table cell: no pipes, no line breaks.
fn md(text: &str) -> String {
    text.replace('|', "｜").replace(['\n', '\r'], " ")
}

/// The reason with its detail, as the list shows it.
fn reason_of(c: &TargetedLine) -> String {
    crate::domain::targeted::reason_text(c.reason, &c.detail)
}

/// The Markdown appendix: counts by reason, then every check.
pub(super) fn markdown(out: &mut String, t: &TargetedSection) {
    out.push_str(&format!(
        "\n## 附：{TARGETED_LABEL}（非随机，不计入以上双随机抽查数）\n\n"
    ));
    out.push_str(&format!(
        "- {TARGETED_LABEL} {} 项，涉及对象 {} 个，发现问题 {} 项；按事由：{}\n",
        t.count,
        t.entities,
        t.found_problems,
        t.by_reason
            .iter()
            .map(|r| format!("{} {}", r.reason.label(), r.count))
            .collect::<Vec<_>>()
            .join("，")
    ));
    out.push_str(
        "- 个案检查因投诉举报、转办交办、突发事件、监测发现等开展，不是随机抽取的检查：不计入应抽数、抽取数和年度抽查次数上限，计入重点监管对象的年度检查覆盖。\n",
    );
    if t.checks.is_empty() {
        return;
    }
    out.push('\n');
    out.push_str("| 编号 | 对象 | 代码 | 检查事由 | 检查组 | 开始 | 完成 | 检查结果 |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for c in &t.checks {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            c.id,
            md(&c.entity_name),
            c.entity,
            md(&reason_of(c)),
            c.team,
            c.started,
            c.completed,
            md(&c.result)
        ));
    }
}

/// The .xlsx sheet 个案检查: one row per check.
pub(super) fn table(t: &TargetedSection) -> Table {
    Table {
        name: TARGETED_LABEL.to_string(),
        headers: [
            "编号",
            "对象名称",
            "统一社会信用代码/登记编码",
            "检查事由",
            "事由说明",
            "检查组",
            "开始日期",
            "完成日期",
            "检查结果",
            "发现问题",
        ]
        .map(String::from)
        .to_vec(),
        rows: t
            .checks
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.entity_name.clone(),
                    c.entity.clone(),
                    c.reason.label().to_string(),
                    c.detail.clone(),
                    c.team.clone(),
                    c.started.to_string(),
                    c.completed.to_string(),
                    c.result.clone(),
                    if c.found_problems { "是" } else { "否" }.to_string(),
                ]
            })
            .collect(),
        // Text throughout: a complaint's number keeps its form.
        numbers: false,
    }
}
