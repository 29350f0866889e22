//! 计划记录 (plans as kept): a plan with its id and the tasks removed during the year, the
//! record of plan changes (计划调整), and the written notices of those changes to the 领导小组办公室
//! (书面报送, plan 四: "需要调整、增减计划的，应以书面形式向……领导小组办公室报送").

use chrono::NaiveDate;
use serde_json::Value;

use super::plan::{Plan, Task, TierMultipliers};

/// A stored plan with its database id.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    pub id: i64,
    pub plan: Plan,
    /// Tasks removed during the year (kept, never deleted).
    pub removed: Vec<Task>,
    /// When, by whom and why each removed task was removed, by task code.
    pub removals: Vec<Removal>,
}

impl PlanRecord {
    /// The removal of a removed task, if recorded.
    pub fn removal(&self, task: &str) -> Option<&Removal> {
        self.removals.iter().rev().find(|r| r.task == task)
    }
}

/// The removal of a task: when, by whom and why (from the record of plan changes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    pub task: String,
    pub at: String,
    pub actor: String,
    pub reason: String,
    pub audit_seq: u64,
}

/// A recorded change to a plan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanChange {
    /// The change's number in the record of plan changes.
    pub id: i64,
    pub plan: String,
    pub year: i32,
    pub task: Option<String>,
    pub change: String,
    pub reason: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub audit_seq: u64,
    pub actor: String,
    pub at: String,
}

impl PlanChange {
    /// The day of the change (the date part of `at`).
    pub fn day(&self) -> String {
        self.at.get(..10).unwrap_or(&self.at).to_string()
    }

    /// What was changed, in words: `增加任务 NB-8“…”`, `修改任务 NB-1“…”（抽查事项、比例和时间）`,
    /// `删除任务 NB-5“…”`, `信用风险递加倍数由 低×1、… 调整为 低×1、…`.
    pub fn describe(&self) -> String {
        let before = self
            .before
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok());
        let after = self
            .after
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok());
        let task = self.task.as_deref().unwrap_or("");
        let name = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .map(|n| format!("“{n}”"))
                .unwrap_or_default()
        };
        match self.change.as_str() {
            "add_task" => format!("增加任务 {task}{}", name(&after)),
            "remove_task" => format!("删除任务 {task}{}", name(&before)),
            "edit_task" => {
                let fields = changed_fields(before.as_ref(), after.as_ref());
                let fields = if fields.is_empty() {
                    String::new()
                } else {
                    format!("（调整：{}）", fields.join("、"))
                };
                format!("修改任务 {task}{}{fields}", name(&after))
            }
            "multipliers" => {
                let m = |v: Option<Value>| {
                    v.and_then(|v| serde_json::from_value::<TierMultipliers>(v).ok())
                        .map_or_else(|| "（未记录）".to_string(), |m| multipliers_text(&m))
                };
                format!("信用风险递加倍数由 {} 调整为 {}", m(before), m(after))
            }
            other => format!("{other} {task}").trim().to_string(),
        }
    }
}

/// The fields of a task specification, by their key in its JSON, and what the plan calls them.
const TASK_FIELDS: [(&str, &str); 11] = [
    ("name", "任务名称"),
    ("seq", "序号"),
    ("inspection_type", "抽查类型"),
    ("target_types", "检查对象"),
    ("scope", "抽查对象范围"),
    ("rivers", "河流"),
    ("credit_requirement", "信用风险分类要求"),
    ("initiating_unit", "发起部门"),
    ("inspecting_body", "抽查检查主体"),
    ("cooperating_departments", "配合部门"),
    ("line", "抽查事项、比例和时间"),
];

/// What differs between two task specifications, in the plan's words.
fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<&'static str> {
    let (Some(b), Some(a)) = (before, after) else {
        return Vec::new();
    };
    TASK_FIELDS
        .iter()
        .filter(|(key, _)| b.get(key) != a.get(key))
        .map(|(_, label)| *label)
        .collect()
}

/// `低×1、一般×1.5、较高×2、高×3`
pub fn multipliers_text(m: &TierMultipliers) -> String {
    let x = |p: u32| {
        if p.is_multiple_of(100) {
            format!("{}", p / 100)
        } else {
            format!("{}", f64::from(p) / 100.0)
        }
    };
    format!(
        "低×{}、一般×{}、较高×{}、高×{}",
        x(m.low_pct),
        x(m.normal_pct),
        x(m.elevated_pct),
        x(m.high_pct)
    )
}

/// Who receives the written notice of plan changes (plan 四).
pub const NOTICE_RECIPIENT: &str = "阳城县市场监管领域“双随机、一公开”监管工作领导小组办公室";

/// The plan's sentence that asks for the notice.
/// Quoted inside “…”, so its own quotation marks are the inner ones (‘…’).
pub const NOTICE_RULE: &str = "需要调整、增减计划的，应以书面形式向阳城县市场监管领域‘双随机、一公开’监管工作领导小组办公室报送";

/// A written notice of a year's plan changes (书面报送), as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanNotice {
    /// `2026-1`: the year and the notice's number in that year.
    pub id: String,
    pub year: i32,
    pub number: u32,
    /// The day it was written (its date).
    pub written_on: NaiveDate,
    pub written_by: String,
    /// The file's name and the hex SHA-256 of its bytes.
    pub file: String,
    pub sha256: String,
    pub audit_seq: u64,
    /// The changes it covers (their ids), oldest first.
    pub changes: Vec<i64>,
    /// When it was sent, once recorded.
    pub sent: Option<NoticeSent>,
}

/// That a notice was sent: the day, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NoticeSent {
    pub on: NaiveDate,
    pub recorded_by: String,
    pub audit_seq: u64,
}

impl PlanNotice {
    /// The id of a year's notice number `n`: `2026-1`.
    pub fn id_of(year: i32, number: u32) -> String {
        format!("{year}-{number}")
    }

    /// The year and number of a notice id (`2026-1`), if it is one.
    pub fn parse_id(text: &str) -> Option<(i32, u32)> {
        let (y, n) = text.trim().split_once('-')?;
        let year = y.parse().ok()?;
        let number: u32 = n.parse().ok()?;
        (number > 0 && (1000..=9999).contains(&year)).then_some((year, number))
    }
}

/// Whether (and how) a change reached the 领导小组办公室 in writing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChangeSent {
    /// Covered by a notice recorded as sent (the first one sent).
    Sent { notice: String, on: NaiveDate },
    /// Written into notices not yet sent.
    Written { notices: Vec<String> },
    /// In no notice yet.
    NotSent,
}

impl ChangeSent {
    /// The state of change `id` among a year's notices.
    pub fn of(id: i64, notices: &[PlanNotice]) -> ChangeSent {
        let covering: Vec<&PlanNotice> =
            notices.iter().filter(|n| n.changes.contains(&id)).collect();
        if let Some((n, sent)) = covering
            .iter()
            .filter_map(|n| n.sent.as_ref().map(|s| (n, s)))
            .min_by_key(|(n, s)| (s.on, n.number))
        {
            return ChangeSent::Sent {
                notice: n.id.clone(),
                on: sent.on,
            };
        }
        if covering.is_empty() {
            ChangeSent::NotSent
        } else {
            ChangeSent::Written {
                notices: covering.iter().map(|n| n.id.clone()).collect(),
            }
        }
    }

    pub fn is_sent(&self) -> bool {
        matches!(self, ChangeSent::Sent { .. })
    }

    /// `已报送（2026-1，2026-06-01）`, `已写入报送件 2026-2，未报送`, `未报送`.
    pub fn label(&self) -> String {
        match self {
            ChangeSent::Sent { notice, on } => format!("已报送（{notice}，{on}）"),
            ChangeSent::Written { notices } => {
                format!("已写入报送件 {}，未报送", notices.join("、"))
            }
            ChangeSent::NotSent => "未报送".to_string(),
        }
    }
}

/// One change as the notice states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeItem {
    /// `2026-04-10`
    pub day: String,
    /// The plan's name and number: `内部双随机抽查工作计划（2026-NB）`.
    pub plan: String,
    /// Who made the change: `刘队长（lead.liu）`.
    pub who: String,
    pub what: String,
    pub why: String,
    pub audit_seq: u64,
}

/// What a notice says: its number, who writes it, to whom, when, and the changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    pub id: String,
    pub year: i32,
    /// The bureau that writes it.
    pub bureau: String,
    pub written_on: NaiveDate,
    pub items: Vec<NoticeItem>,
}

/// `一`, `二`, … `九十九`: the numbering of a Chinese document's sections.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

impl NoticeText {
    /// The title: `关于调整2026年度“双随机、一公开”抽查计划的报告`.
    pub fn title(&self) -> String {
        format!("关于调整{}年度“双随机、一公开”抽查计划的报告", self.year)
    }

    /// The date as a Chinese document writes it: `2026年5月20日`.
    pub fn date_text(&self) -> String {
        use chrono::Datelike;
        let d = self.written_on;
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }

    /// The opening paragraph.
    pub fn opening(&self) -> String {
        format!(
            "按照《晋城市生态环境局阳城分局2024年度双随机抽查实施方案》（阳分环发〔2024〕6号）“{NOTICE_RULE}”的要求，现将我局{}年度抽查计划的调整情况报告如下：",
            self.year
        )
    }

    /// The closing line: how many changes, and the request.
    pub fn closing(&self) -> String {
        format!("以上调整共{}项，特此报告，请予备案。", self.items.len())
    }

    /// The notice as a Markdown document: heading, number, addressee, each change with its
    /// date, who, what and why, the bureau and date, and signature lines.
    pub fn markdown(&self) -> String {
        let md = |t: &str| t.replace(['\n', '\r'], " ");
        let mut out = format!("# {}\n\n", self.title());
        out.push_str(&format!("编号：{}\n\n", self.id));
        out.push_str(&format!("{NOTICE_RECIPIENT}：\n\n"));
        out.push_str(&format!("{}\n\n", self.opening()));
        for (i, item) in self.items.iter().enumerate() {
            out.push_str(&format!(
                "**{}、{}，{}：{}。**\n\n",
                chinese_number(i + 1),
                item.day,
                md(&item.plan),
                md(&item.what)
            ));
            out.push_str(&format!("- 调整人：{}\n", md(&item.who)));
            out.push_str(&format!("- 调整理由：{}\n", md(&item.why)));
            out.push_str(&format!("- 审计记录：第{}条\n\n", item.audit_seq));
        }
        out.push_str(&format!("{}\n\n", self.closing()));
        out.push_str(&format!("{}  \n{}\n\n", self.bureau, self.date_text()));
        out.push_str("经办人（签字）：________________　日期：______年____月____日\n\n");
        out.push_str("负责人（签字）：________________　日期：______年____月____日\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(change: &str, before: Option<&str>, after: Option<&str>) -> PlanChange {
        PlanChange {
            id: 1,
            plan: "NB".into(),
            year: 2026,
            task: Some("NB-1".into()),
            change: change.into(),
            reason: "理由四个字".into(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
            audit_seq: 9,
            actor: "lead.liu".into(),
            at: "2026-04-10T09:00:00+08:00".into(),
        }
    }

    #[test]
    fn changes_read_in_words() {
        let before = r#"{"name":"甲","scope":"全县","line":[1]}"#;
        let after = r#"{"name":"甲","scope":"全县","line":[2]}"#;
        let c = change("edit_task", Some(before), Some(after));
        assert_eq!(
            c.describe(),
            "修改任务 NB-1“甲”（调整：抽查事项、比例和时间）"
        );
        assert_eq!(c.day(), "2026-04-10");
        let c = change("remove_task", Some(before), None);
        assert_eq!(c.describe(), "删除任务 NB-1“甲”");
        let c = change("add_task", None, Some(after));
        assert_eq!(c.describe(), "增加任务 NB-1“甲”");
        let m = change(
            "multipliers",
            Some(r#"{"low_pct":100,"normal_pct":150,"elevated_pct":200,"high_pct":300}"#),
            Some(r#"{"low_pct":100,"normal_pct":125,"elevated_pct":200,"high_pct":250}"#),
        );
        assert_eq!(
            m.describe(),
            "信用风险递加倍数由 低×1、一般×1.5、较高×2、高×3 调整为 低×1、一般×1.25、较高×2、高×2.5"
        );
    }

    fn notice(number: u32, changes: &[i64], sent: Option<&str>) -> PlanNotice {
        PlanNotice {
            id: PlanNotice::id_of(2026, number),
            year: 2026,
            number,
            written_on: "2026-05-01".parse().unwrap(),
            written_by: "lead.liu".into(),
            file: "n.md".into(),
            sha256: String::new(),
            audit_seq: 1,
            changes: changes.to_vec(),
            sent: sent.map(|d| NoticeSent {
                on: d.parse().unwrap(),
                recorded_by: "lead.liu".into(),
                audit_seq: 2,
            }),
        }
    }

    #[test]
    fn a_change_is_sent_by_the_first_notice_sent_that_covers_it() {
        let notices = [
            notice(1, &[1, 2], None),
            notice(2, &[2, 3], Some("2026-06-02")),
            notice(3, &[3], Some("2026-06-01")),
        ];
        assert_eq!(
            ChangeSent::of(1, &notices),
            ChangeSent::Written {
                notices: vec!["2026-1".into()]
            }
        );
        assert_eq!(
            ChangeSent::of(3, &notices),
            ChangeSent::Sent {
                notice: "2026-3".into(),
                on: "2026-06-01".parse().unwrap()
            }
        );
        assert!(ChangeSent::of(2, &notices).is_sent());
        assert_eq!(ChangeSent::of(4, &notices), ChangeSent::NotSent);
        assert_eq!(ChangeSent::of(4, &notices).label(), "未报送");
        assert_eq!(
            ChangeSent::of(3, &notices).label(),
            "已报送（2026-3，2026-06-01）"
        );
    }

    #[test]
    fn notice_ids_parse() {
        assert_eq!(PlanNotice::parse_id("2026-2"), Some((2026, 2)));
        assert_eq!(PlanNotice::parse_id(" 2026-12 "), Some((2026, 12)));
        for bad in ["2026", "2026-0", "26-1", "2026-x", "x-1", ""] {
            assert_eq!(PlanNotice::parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn sections_are_numbered_in_chinese() {
        let got: Vec<String> = [1, 9, 10, 11, 20, 21, 99]
            .into_iter()
            .map(chinese_number)
            .collect();
        assert_eq!(got, ["一", "九", "十", "十一", "二十", "二十一", "九十九"]);
    }

    #[test]
    fn the_notice_names_each_change_and_ends_with_signature_lines() {
        let t = NoticeText {
            id: "2026-1".into(),
            year: 2026,
            bureau: "晋城市生态环境局阳城分局".into(),
            written_on: "2026-05-20".parse().unwrap(),
            items: vec![NoticeItem {
                day: "2026-04-10".into(),
                plan: "内部双随机抽查工作计划（2026-NB）".into(),
                who: "刘队长（lead.liu）".into(),
                what: "删除任务 NB-5“入河排污口检查”".into(),
                why: "该河段已划入\n市局直管".into(),
                audit_seq: 42,
            }],
        };
        let md = t.markdown();
        assert!(md.starts_with("# 关于调整2026年度“双随机、一公开”抽查计划的报告\n"));
        assert!(md.contains("编号：2026-1"));
        assert!(md.contains(&format!("{NOTICE_RECIPIENT}：")));
        assert!(md.contains(
            "**一、2026-04-10，内部双随机抽查工作计划（2026-NB）：删除任务 NB-5“入河排污口检查”。**"
        ));
        assert!(md.contains("- 调整人：刘队长（lead.liu）"));
        assert!(md.contains("- 调整理由：该河段已划入 市局直管"), "{md}");
        assert!(md.contains("以上调整共1项"));
        assert!(md.contains("2026年5月20日"));
        assert!(md.contains("负责人（签字）"));
        // The plan quoted inside “…” uses the inner quotation marks.
        assert!(md.contains("“需要调整、增减计划的，应以书面形式向阳城县市场监管领域‘双随机、一公开’监管工作领导小组办公室报送”"), "{md}");
    }
}
