//! Every word the dashboard shows, in one place. No ambiguous-width characters (no `…`, `·`,
//! `→`, `①`, curly quotes): they break layouts in Chinese-locale terminals.

use crate::domain::role::Action;
use crate::domain::vocab::join_list;

pub const APP: &str = "双随机抽查";
pub const DEMO: &str = "示例数据";
pub const TOO_SMALL: &str = "终端窗口太小";

/// The too-small screen: the size now, the size needed, and how to go on or leave.
pub fn too_small(width: u16, height: u16, min_width: u16, min_height: u16) -> String {
    format!(
        "{TOO_SMALL}：现为 {width} 列 x {height} 行，至少需要 {min_width} 列 x {min_height} 行。\
         请调大窗口；按 q 退出（草稿已保存）。窗口太小时其他按键不起作用"
    )
}
pub const LOADING: &str = "正在载入";
pub const DB_REPLACED: &str =
    "数据库文件已被替换（如刚恢复备份），改动不会保存：请按 q 退出后重新打开";
pub const NONE: &str = "（无）";

/// What may separate the names or codes typed into one field.
pub const LIST_SEPARATORS: [char; 3] = ['、', ',', '，'];

/// `label：value`, the way a labelled value is written everywhere on screen.
pub fn labelled(label: &str, value: impl std::fmt::Display) -> String {
    format!("{label}：{value}")
}

pub const SCREENS: [&str; 6] = ["总览", "监管对象", "抽查", "检查任务", "更正审批", "日志"];

/// The status line when the selected row left its list: which row, and where the cursor is.
pub fn selection_moved(lost: &str, now: Option<&str>) -> String {
    match now {
        Some(now) => format!("已不在列表：{lost}，改选 {now}"),
        None => format!("已不在列表：{lost}"),
    }
}

/// A correction's key and label in the approvals list: "更正21".
pub fn correction_key(id: i64) -> String {
    format!("更正{id}")
}

/// The keys every screen has, last in the key bar and never cut.
pub const STATUS_KEYS: &str = "?帮助 q退出";

// Overview
pub const TASK_PROGRESS: &str = "本年各任务进度";
pub const TASK_HEADERS: [&str; 6] = ["任务", "名称", "已抽", "已检查", "已录入", "已公示"];
pub const DEADLINES: &str = "录入期限（按紧急程度）";
pub const MY_VISITS: &str = "我的检查任务";
pub const ALERTS: &str = "提醒";
pub const KEY_COVERAGE: &str = "重点监管对象本年覆盖";

/// The key units not yet inspected, after the coverage figure (cut to the panel's width).
pub fn key_missing(names: &[&str]) -> String {
    format!("，未检查：{}", names.join("、"))
}
pub const ALERT_DRAW_WAITING: &str = "抽取已准备，等待现场种子";
pub const ALERT_VOID_WAITING: &str = "作废申请待主要负责人批准";
pub const ALERT_CORRECTION_WAITING: &str = "更正待主要负责人批准";
pub const ALERT_CERT_EXPIRING: &str = "执法证60日内到期";
pub const ALERT_CERT_EXPIRED: &str = "执法证已过期";
pub const ALERT_NEXT_YEAR: &str = "年节假日安排未载入，期限按周末计算（临时）";
pub const ALERT_OVERDUE: &str = "检查结果逾期未录入";
pub const ALERT_UNPUBLISHED: &str = "录入满20工作日未公示";
pub const ALERT_ANNUAL_REPORT: &str = "年度报告尚未生成（report annual），应于";

// Entities
pub const CLASS_TABS: [&str; 4] = ["全部", "特殊", "重点", "一般"];
pub const NAME: &str = "名称";
pub const TOWN: &str = "乡镇";
pub const CLASS: &str = "类别";
pub const CREDIT_TIER: &str = "信用风险";
pub const CODE: &str = "代码";
pub const TARGET_TYPES: &str = "检查对象";
pub const ENTITY_HEADERS: [&str; 5] = [NAME, TOWN, CLASS, CREDIT_TIER, CODE];
pub const UNRATED: &str = "未评级";
pub const SEARCH: &str = "查找";
pub const CLEAR: &str = "清除";
pub const TIER_ALL: &str = "全部风险";
pub const TOWN_ALL: &str = "全部乡镇";
pub const TARGET_ALL: &str = "全部类型";
pub const DETAIL: &str = "详情";
pub const REASONS: &str = "分类理由";

/// The reasons of a classification, in one line.
pub fn reasons(list: &[String]) -> String {
    list.join("；")
}
pub const INSPECTED_THIS_YEAR: &str = "本年随机抽查";
pub const CAP: &str = "上限";
pub const NO_CAP: &str = "不受限";
pub const HISTORY: &str = "抽查记录";
pub const EXCLUDED: &str = "不参与双随机";
/// Random visits this year against the yearly cap: "1 次（上限2）".
pub fn times_of_cap(times: usize, cap: &str) -> String {
    format!("{times} 次（{CAP}{cap}）")
}
/// A list entry and its filter in brackets: "检查任务（只看我的）".
pub fn qualified(what: &str, by: &str) -> String {
    format!("{what}（{by}）")
}

// Draws
pub const DRAW_HEADERS: [&str; 5] = ["编号", "期间", "状态", "任务", "承诺值"];
pub const PREPARE_TITLE: &str = "准备抽取：冻结总体、排除和名额，登记承诺值";
pub const PREPARE_PERIOD: &str = "抽查期间（如 2026Q4）";
pub const PREPARE_TASKS: &str = "任务编号（用、分隔；留空为该期间的全部任务）";
pub const SUBSTITUTE_TITLE: &str = "替换检查组成员";
pub const SUBSTITUTE_OUT: &str = "被替换的执法人员编号";
pub const SUBSTITUTE_REASON: &str = "替换理由（如病假、回避）";
pub const RECORD_WRITTEN: &str = "抽取记录已写入";
pub const NOTICE_SENT_TITLE: &str = "登记计划调整报送件已报送";
pub const NOTICE_ID: &str = "报送件编号（如 2026-1）";
pub const NOTICE_SENT_ON: &str = "报送日期";

/// The file the dashboard writes a plan-change notice to, in the export folder.
pub fn notice_file(year: i32, today: chrono::NaiveDate) -> String {
    format!("计划调整报送件-{year}-{today}.md")
}

/// The lines after a notice was written.
pub fn notice_written(id: &str, changes: usize, path: &str) -> Vec<String> {
    vec![
        format!("已写出计划调整报送件 {id}（{changes} 项调整）："),
        path.to_string(),
        "报送后按 N 登记报送日期。".to_string(),
    ]
}

/// The status line after a notice was recorded as sent.
pub fn notice_sent(id: &str, on: chrono::NaiveDate) -> String {
    format!("已登记报送件 {id} 于 {on} 报送")
}
pub const RUN_TITLE: &str = "运行抽取（只能一次）";
pub const CONFIRM_RUN_LABEL: &str = "输入抽取编号以确认运行（Esc 返回修改种子）";

/// The title of a run's last confirmation.
pub fn confirm_run_title(id: &str) -> String {
    format!("确认运行抽取 {id}（只能一次，运行后不能撤回）")
}

/// The id typed to confirm a run is not the draw's.
pub fn run_id_mismatch(id: &str) -> String {
    format!("抽取编号：输入的不是 {id}，未运行")
}
pub const SEED_1: &str = "现场种子1（数字）";
pub const SEED_2: &str = "现场种子2（数字）";
pub const WITNESSES: &str = "见证人（用、分隔）";
pub const VOID_TITLE: &str = "申请作废：书面理由";
pub const CONFIDENTIAL: &str = "名单在检查开始前保密";
pub const COMMITMENT: &str = "承诺值";
pub const SEED: &str = "种子";
pub const VISITS: &str = "检查任务";
pub const RECORD_FILE: &str = "抽取记录";

/// The file a draw's printable record is written to.
pub fn record_file(id: &str) -> String {
    format!("{RECORD_FILE}-{id}.md")
}

/// The question before a printable record replaces a file of the same name.
pub fn record_exists(path: &std::path::Path) -> String {
    format!("文件 {} 已存在。覆盖它？", path.display())
}

/// A draw and its state: "D2026-003 已运行".
pub fn draw_in_state(id: &str, state: crate::domain::draw::DrawStatus) -> String {
    format!("{id} {}", state.label())
}

/// What preparing a draw registered.
pub fn draw_prepared(id: &str, period: &str, tasks: &[String], commitment: &str) -> Vec<String> {
    vec![
        labelled(&format!("{id} {period}"), join_list(tasks)),
        labelled(COMMITMENT, commitment),
    ]
}

/// What running a draw gave: the seed, the visits, and how many have no full team.
pub fn draw_run(seed: &str, visits: usize, without_team: usize) -> Vec<String> {
    let mut lines = vec![labelled(SEED, seed), format!("已抽取 {visits} 项{VISITS}")];
    if without_team > 0 {
        lines.push(format!("{without_team} 项未能组成检查组"));
    }
    lines
}

pub fn draw_verified(id: &str) -> String {
    format!("{id} 核验通过")
}

pub fn substituted(out: &str, replacement: &str, reason: &str) -> String {
    format!("{out} 由 {replacement} 接替，理由：{reason}")
}

/// The refusal of a second substitution of a seat, pointing to the request.
pub const SUBSTITUTE_AGAIN: &str =
    "再次替换须经主要负责人批准：按 Esc 返回，在该检查任务上按 U 提交申请";

/// The title of the dialog asking for a further substitution.
pub fn substitute_request_title(visit: i64, team: &[&str]) -> String {
    format!(
        "申请再次替换（须主要负责人批准） {visit}（{}）",
        join_list(team)
    )
}

/// The status line after a request for a further substitution.
pub fn substitution_requested(id: i64, out: &str) -> String {
    format!("已申请再次替换 {out}（申请{id}），待主要负责人批准")
}

// Visits
pub const VISIT_HEADERS: [&str; 7] = ["编号", "对象", "任务", "期间", "状态", "检查组", "录入期限"];
pub const ONLY_MINE: &str = "只看我的";
pub const ALERT_WINDOW_CLOSING: &str = "检查任务未开始，检查时间10个工作日内截止";
pub const ALERT_DRAW_DUE: &str = "尚未抽取";
/// `v`: a visit, or the reminders, in full.
pub const IN_FULL: &str = "完整内容";
pub fn visit_title(visit: i64) -> String {
    format!("检查任务 #{visit}")
}
pub const FULL_ENTITY: &str = "对象";
pub const FULL_TOWN: &str = "乡镇";
pub const FULL_TASKS: &str = "任务";
pub const FULL_DRAW: &str = "抽取（期间）";
pub const FULL_STATE: &str = "状态";
pub const FULL_TEAM: &str = "检查组";
pub const FULL_DUE: &str = "录入期限";
pub const FULL_PROBLEM: &str = "未组成检查组";
pub const FULL_NOTE: &str = "说明";
pub const FULL_START_REASON: &str = "检查时间外开始的原因";
pub const FULL_COMPLETE_REASON: &str = "检查时间外完成的原因";

/// The title of the dialog of the day a visit starts: the visit and its entity.
pub fn start_title(visit: i64, entity: &str) -> String {
    format!("开始检查 #{visit} {entity}")
}
/// The day field of that dialog, and of completion's.
pub const START_DAY: &str = "开始日期（默认今天，不能晚于今天）";
pub const COMPLETE_DAY: &str = "完成日期（默认今天；20个工作日的录入期限从此日起算）";
/// The visits list's mark of a step taken outside the windows (with its reason).
pub const OUTSIDE_MARK: &str = "时间外";
pub const LAPSE_REASON: &str = "未实施的原因";

/// The title of the 未实施 dialog.
pub fn lapse_title(visit: i64, entity: &str) -> String {
    format!("检查任务{visit} {entity} 标为未实施")
}

/// The status line after a visit was marked 未实施.
pub fn lapsed(visit: i64) -> String {
    format!("检查任务{visit}已标为未实施")
}

pub const OUTSIDE_REASON: &str = "原因（该日不在检查时间内，须写明）";

/// The title of the reason dialog for a step on a day outside the visit's windows.
pub fn outside_title(visit: i64, day: chrono::NaiveDate, tasks: &str) -> String {
    format!("检查任务{visit}：{day} 不在{tasks}的检查时间内")
}
/// The status line after a visit was started or completed on a day.
pub fn step_done(visit: i64, step: crate::domain::visit::Step, day: chrono::NaiveDate) -> String {
    format!("检查任务{visit}：{}日期已记为 {day}", step.label())
}
/// The title of the dialog of the day a visit is completed.
pub fn complete_title(visit: i64, entity: &str) -> String {
    format!("完成检查 #{visit} {entity}")
}
/// The question before a team's entered result is marked for publicity.
pub fn publish_confirm(visit: i64, entity: &str) -> String {
    format!(
        "公示检查任务 #{visit} {entity} 的结果？标记后在下次导出公示时公示（谁检查、谁录入、谁公示）。"
    )
}
/// The state of an entered result its team marked for the next export.
pub const MARKED: &str = "待公示";

/// A result marked for the next publicity export, and by whom.
pub fn publish_marked(visit: i64, by: &str) -> String {
    format!("检查任务 {visit} 已由 {by} 标记待公示，下次导出公示时公示")
}
pub const PROVISIONAL: &str = "临时";
pub const OVERDUE: &str = "逾期";
pub const LATE: &str = "逾期录入";
pub const LEFT: &str = "剩";
pub const DUE_TODAY: &str = "今天到期";
pub const WORKING_DAYS: &str = "个工作日";
pub const WORKING_DAYS_SHORT: &str = "工作日";

/// The title of the substitution dialog: the visit and its team.
pub fn substitute_title(visit: i64, team: &[&str]) -> String {
    format!("{SUBSTITUTE_TITLE} {visit}（{}）", join_list(team))
}

// Result form
pub const FORM_TITLE: &str = "结果录入";
pub const ITEMS: &str = "抽查事项结论";
pub const CATEGORIES: &str = "检查结果（可多选）";
pub const FINDINGS: &str = "检查发现";
pub const LEGAL_BASIS: &str = "违法依据";
pub const MEASURE: &str = "处理措施";
pub const REMARK: &str = "备注（公示）";
pub const OTHER: &str = "其他说明";
/// A correction's changes: one item's conclusion, the categories, a field left empty.
pub const ITEM_OUTCOME: &str = "检查结论";
pub const CATEGORIES_LABEL: &str = "结果类别";
pub const NOTHING: &str = "（无）";
pub const BEFORE: &str = "原：";
pub const AFTER: &str = "新：";
pub const NO_CHANGE: &str = "（与原结果相同）";
pub const CORRECTION_REASON: &str = "更正理由";
pub const CHANGES: &str = "更正内容（逐项对比）";
pub const MORE_BELOW: &str = "……（更多更改未显示，可用 result show 查看）";
/// The head of a correction on the approval screen: who filed it, when, and why.
pub fn correction_head(id: i64, visit: i64, by: &str, at: &str) -> String {
    format!("更正 #{id}　检查任务 #{visit}　{by} 提交于 {at}")
}
pub const SUBMIT: &str = "[ 提交 ]";
/// The question before a visit's result is submitted.
pub fn submit_confirm(visit: i64, entity: &str) -> String {
    format!("确认提交检查任务 #{visit} {entity} 的结果？提交后结果锁定，不能修改（只能提交更正）。")
}
pub const DRAFT_SAVED: &str = "草稿已保存";

/// A visit's result submitted: its deadline, and whether it came late.
pub fn submitted(visit: i64, due: impl std::fmt::Display, late: bool) -> String {
    let late = if late {
        format!("，{LATE}")
    } else {
        String::new()
    };
    format!("检查任务 {visit} 已提交，期限 {due}{late}")
}
pub const READ_ONLY: &str = "只读";
/// A read-only form with no result: the visit was not inspected (or nothing entered yet).
pub const NOT_INSPECTED: &str = "只读：尚无检查结果";
/// How a dialog with nothing to answer is closed.
pub const CLOSE_KEYS: &str = "Enter 或 Esc 关闭";
pub const FORM_FOOT: &str = "Tab 切换栏目  空格 选择  Esc 返回（草稿已保存）  ? 帮助";
/// The foot of a read-only form: which of the three reasons.
pub fn read_only_foot(why: Option<crate::tui::model::ReadOnly>) -> String {
    use crate::tui::model::ReadOnly;
    let why = match why {
        Some(ReadOnly::Submitted) => "结果已提交（本组人员按 e 提交更正）",
        Some(ReadOnly::NotOnTeam) => "你不在本检查组",
        Some(ReadOnly::NotCompleted) => "检查尚未完成",
        None => "",
    };
    format!("{READ_ONLY}：{why}  Esc 返回")
}

/// The status line when a submitted result becomes a correction being written.
pub const CORRECTION_MODE: &str = "更正中（提交后才保存）";
pub const CORRECTING: &str = "更正：改好后在 [提交] 上按 Enter，写明理由，由主要负责人审批";
pub const CORRECTION_DROPPED: &str = "更正未提交，已放弃";
/// `d` on a submitted result while a correction waits for the principal.
pub const CORRECTION_WAITING: &str = "已有更正待主要负责人审批，审批后才能再提交更正";
/// The foot of a form submitted by a teammate while the viewer had a draft.
pub const OWN_DRAFT_FOOT: &str =
    "只读：结果已提交  d 以我的草稿提交更正  e 以已提交结果更正  Esc 返回";
/// The teammates who have their own draft of the result: names and when, not contents.
pub fn teammate_drafts(drafts: &[crate::services::results::TeammateDraft]) -> String {
    drafts
        .iter()
        .map(|d| format!("{} 也有草稿（{} 保存）", d.name, d.saved()))
        .collect::<Vec<_>>()
        .join("；")
}
/// A paste where no text field has the focus.
pub const PASTE_NOWHERE: &str = "粘贴只能用于文字栏：先用 Tab 移到要填写的栏目";
/// A paste cut at the field's limit.
pub fn paste_cut(label: &str, limit: usize, dropped: usize) -> String {
    format!("{label}最多{limit}个字符：粘贴的内容超出部分（{dropped}个字符）未填入")
}
/// Who submitted, when the name cannot be known.
pub const SOMEONE: &str = "他人";
/// The status line when the open form's result was submitted by someone else: the form turns
/// read only, and the viewer's text is kept as their draft. Short: the status line shares its
/// row with the user and the database, and what matters comes first.
pub fn submitted_meanwhile(visit: i64, by: &str, own_draft: bool) -> String {
    if own_draft {
        format!("#{visit} 已由 {by} 提交，表单转为只读；你的草稿已保留，d 以草稿提交更正")
    } else {
        format!("#{visit} 已由 {by} 提交，表单转为只读")
    }
}
pub const CORRECTION_REASON_FIELD: &str = "更正理由（至少4个字）";
/// The title of the dialog that files a correction: the visit named.
pub fn correction_title(visit: i64, entity: &str) -> String {
    format!("提交更正 #{visit} {entity}")
}
/// The status line once a correction is filed.
pub fn correction_filed(id: i64, visit: i64) -> String {
    format!("已提交更正 #{id}（检查任务 #{visit}），待主要负责人审批")
}
/// The latest correction of a result, as the form's info line says it: waiting, approved, or
/// rejected with the principal's reason.
pub fn correction_state(c: &crate::domain::result_records::Correction) -> String {
    match &c.decision {
        None => format!("更正 #{} 待审批", c.id),
        Some(d) if d.approved => format!("更正 #{} 已批准（{}）", c.id, d.by),
        Some(d) if d.note.trim().is_empty() => format!("更正 #{} 已驳回（{}）", c.id, d.by),
        Some(d) => format!("更正 #{} 已驳回（{}）：{}", c.id, d.by, d.note),
    }
}

// Approvals
pub const CORRECTIONS: &str = "待审批的更正";
pub const VOIDS: &str = "待批准的作废申请";
pub const SUBSTITUTIONS: &str = "待批准的再次替换申请";

/// A request for a further substitution in the list.
pub fn substitution_row(id: i64, entity: &str, out: &str, by: &str, reason: &str) -> String {
    format!("替换申请{id} 对象{entity} 替换{out} {by} {reason}")
}

/// The list key of a substitution request (apart from corrections and draws).
pub fn substitution_key(id: i64) -> String {
    format!("替换申请{id}")
}

/// The question before a further substitution is approved.
pub fn approve_substitution(id: i64, entity: &str, out: &str) -> String {
    format!("批准替换申请 {id}：对象 {entity} 检查组中的 {out} 由排名下一位的执法人员接替？")
}

/// The status line after the approval.
pub fn substitution_approved(id: i64, out: &str, replacement: &str) -> String {
    format!("已批准替换申请 {id}：{out} 由 {replacement} 接替")
}
pub const ORIGINAL: &str = "原结果";
pub const CORRECTED: &str = "更正后";
pub const APPROVE_CONFIRM: &str = "批准？";
pub const REJECT_TITLE: &str = "驳回更正";
pub const REJECT_LABEL: &str = "驳回理由";

/// A correction in the list: its number, visit, who filed it and why.
pub fn correction_row(id: i64, visit: i64, by: &str, reason: &str) -> String {
    format!("更正{id} 任务{visit} {by} {reason}")
}

/// The question before a correction is approved: the correction and its visit.
pub fn approve_correction(id: i64, visit: i64) -> String {
    format!("批准更正 {id}（检查任务 #{visit}）？批准后更正后的结果生效。")
}

/// The status line after a decision on a correction.
pub fn correction_decided(id: i64, approved: bool) -> String {
    if approved {
        format!("已批准更正 {id}，更正后的结果生效")
    } else {
        format!("已驳回更正 {id}，原结果不变")
    }
}

/// The title of the dialog rejecting a correction.
pub fn reject_title(id: i64, visit: i64) -> String {
    format!("{REJECT_TITLE} {id}（检查任务 #{visit}）")
}

/// A void request waiting: "待批准作废：2026Q4-01".
pub fn void_waiting(draw: &str) -> String {
    labelled(WAITING_VOID, draw)
}
pub const WAITING_VOID: &str = "待批准作废";

/// The question before a void is approved.
pub fn approve_void(draw: &str) -> String {
    format!("{}。批准作废抽取 {draw}？", void_waiting(draw))
}

// Audit
pub const AUDIT_HEADERS: [&str; 5] = ["序号", "时间", "操作人", "动作", "对象"];
pub const CHECKPOINT: &str = "当前检查点";
pub const VERIFY_OK: &str = "审计日志完整";
pub const VERIFY_KEY: &str = "[V] 核验";

/// An audit action in words: the one table of their Chinese names. An action not listed
/// (a newer one) shows as stored.
pub fn audit_action(action: &str) -> &str {
    AUDIT_ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(action, |(_, label)| label)
}

/// Every audit action and its Chinese name (docs/audit.md lists what each records).
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("system.init", "初始化数据库"),
    ("db.backup", "备份数据库"),
    ("db.restore", "恢复数据库"),
    ("users.add", "添加用户"),
    ("users.change", "修改用户"),
    ("settings.bureau", "设置本局名称"),
    ("settings.department_add", "添加配合部门"),
    ("settings.department_alias", "部门别名"),
    ("settings.departments", "修改配合部门"),
    ("settings.province_cap", "设置省级抽查上限"),
    ("settings.publicity_remark", "设置公示备注"),
    ("settings.service_account", "设置服务账户"),
    ("settings.witness_file", "设置见证文件"),
    ("settings.department_rename", "配合部门更名"),
    ("settings.department_remove", "删除配合部门"),
    ("settings.town_add", "增加乡镇"),
    ("settings.town_remove", "删除乡镇"),
    ("calendar.import", "导入节假日安排"),
    ("calendar.edit", "修改节假日安排"),
    ("entities.import", "导入监管对象"),
    ("entities.export", "导出监管对象"),
    ("entities.exclude", "排除监管对象"),
    ("entities.include", "恢复监管对象"),
    ("entities.set", "修改监管对象"),
    ("inspectors.import", "导入执法人员"),
    ("inspectors.export", "导出执法人员"),
    ("inspectors.conflict", "登记回避关系"),
    ("inspectors.duty", "修改在岗状态"),
    ("inspectors.leave", "登记请假"),
    ("inspectors.leave_cancel", "取消请假"),
    ("inspectors.leave_edit", "修改请假"),
    ("items.import", "导入抽查事项"),
    ("items.export", "导出抽查事项"),
    ("plans.create", "制定抽查计划"),
    ("plans.copy", "复制抽查计划"),
    ("plans.add_task", "增加抽查任务"),
    ("plans.edit_task", "修改抽查任务"),
    ("plans.remove_task", "删除抽查任务"),
    ("plans.multipliers", "修改抽查比例系数"),
    ("plans.notice", "写出计划调整报送件"),
    ("plans.notice_sent", "登记报送件已报送"),
    ("draw.prepare", "准备抽取"),
    ("draw.run", "运行抽取"),
    ("draw.substitute", "替换检查人员"),
    ("draw.substitute_request", "申请再次替换"),
    ("draw.void_request", "申请作废抽取"),
    ("draw.void_approve", "批准作废抽取"),
    ("visit.start", "开始检查"),
    ("visit.complete", "完成检查"),
    ("visit.lapse", "标为未实施"),
    ("visit.publish", "标记待公示"),
    ("result.submit", "提交检查结果"),
    ("result.correct", "提交更正"),
    ("result.correction_approve", "批准更正"),
    ("result.correction_reject", "驳回更正"),
    ("followup.add", "登记后续处理"),
    ("followup.update", "更新后续处理"),
    ("publicity.export", "导出公示"),
    ("report.annual", "生成年度报告"),
    ("targeted.record", "记录个案检查"),
    ("site.publish", "发布公开网站"),
    ("audit.baseline", "登记全部记录行"),
    ("audit.rebind", "升级后登记记录行"),
];

/// The audit chain verified: how many events, up to which checkpoint.
pub fn audit_verified(events: u64, rows: u64, head: impl std::fmt::Display) -> String {
    labelled(
        VERIFY_OK,
        format!("{events} 条，记录行 {rows} 行一致，{head}"),
    )
}

/// Record rows the log does not account for: how many, and the first.
pub fn rows_broken(total: u64, first: impl std::fmt::Display) -> String {
    format!("{total} 处记录行与审计日志不符，首处：{first}")
}

// Dialogs
pub const CONFIRM_KEYS: &str = "Enter 确认  Esc 取消";
pub const INPUT_KEYS: &str = "Tab 下一栏  Enter 确认  Esc 取消";
pub const DONE: &str = "完成";
pub const DISCARD_QUESTION: &str = "放弃已填写的内容？";
pub const DISCARD_KEYS: &str = "y 放弃  n 或 Esc 继续填写";
pub const ERROR: &str = "错误";

/// The keys of each screen, for `?`, without those the viewer may not use (`may`): read from
/// the one key table ([`crate::tui::keymap`]).
pub fn help(screen: usize, may: impl Fn(Action) -> bool) -> Vec<(&'static str, &'static str)> {
    crate::tui::keymap::help(crate::tui::model::ScreenId::ALL[screen], may)
}

/// Why a key was refused, in one line from the role table: "观察员不能准备抽取".
pub fn refused_by_role(roles: &str, action: Action) -> String {
    format!("{roles}不能{}", action.label())
}

/// Why a key was refused on a visit of another team.
pub fn refused_not_on_team(visit: i64, action: Action) -> String {
    format!("你不在检查任务 #{visit} 的检查组，不能{}", action.label())
}

pub const STEP_START: &str = "开始检查";
pub const STEP_COMPLETE: &str = "完成检查";
pub const STEP_PUBLISH: &str = "公示";

/// A step asked of a visit not in the state it needs.
pub fn wrong_state(visit: i64, state: &str, step: &str) -> String {
    format!("检查任务 #{visit} 现为{state}，不能{step}")
}

/// A result already marked for the next publicity export.
pub fn already_marked(visit: i64) -> String {
    format!("检查任务 #{visit} 已标记{MARKED}")
}

/// Why a key was refused on one's own request.
pub const REFUSED_OWN_REQUEST: &str = "不能审批自己提出的申请，须由另一位主要负责人审批";

/// The result form's help, row by row: the keys and what they do (which messages each row
/// describes: `keymap::form_help`).
pub const FORM_HELP_FIELDS: (&str, &str) = ("Tab / Shift-Tab", "在栏目间移动");
pub const FORM_HELP_MOVE: (&str, &str) = ("上下键", "选择事项或结果类别");
pub const FORM_HELP_TOGGLE: (&str, &str) = ("空格 左右键", "切换事项结论、勾选类别");
pub const FORM_HELP_SUBMIT: (&str, &str) = ("Enter", "在 [提交] 上确认提交");
pub const FORM_HELP_CORRECT: (&str, &str) = ("e", "提交更正（结果已提交时，本组人员）");
pub const FORM_HELP_FROM_DRAFT: (&str, &str) = ("d", "以我的草稿提交更正（同组他人已先提交时）");
pub const FORM_HELP_BACK: (&str, &str) = ("Esc", "返回（草稿已自动保存；更正未提交则不保存）");
/// A targeted check's form: submitting records it, and leaving records nothing.
pub const TARGETED_HELP_SUBMIT: (&str, &str) = ("Enter", "在 [提交] 上确认提交（提交即记录）");
pub const TARGETED_HELP_BACK: (&str, &str) = ("Esc", "放弃，不记录");

/// An overview alert in words.
pub fn alert(a: &crate::services::dashboard::Alert) -> String {
    use crate::domain::inspector::CertAlert;
    use crate::services::dashboard::Alert;
    use chrono::Datelike;
    match a {
        Alert::DrawWaiting { draw, .. } => format!("{draw} {ALERT_DRAW_WAITING}"),
        Alert::VoidWaiting { draw } => format!("{draw} {ALERT_VOID_WAITING}"),
        Alert::CorrectionsWaiting(n) => format!("{n} 项{ALERT_CORRECTION_WAITING}"),
        Alert::Overdue(v) => format!("{} 项{ALERT_OVERDUE}", v.len()),
        Alert::Certificate {
            code,
            name,
            alert: CertAlert::Expired(d),
        } => {
            format!("{code} {name} {ALERT_CERT_EXPIRED}（{d}）")
        }
        Alert::Certificate {
            code,
            name,
            alert: CertAlert::Expiring(d),
        } => {
            format!("{code} {name} {ALERT_CERT_EXPIRING}（{d}）")
        }
        Alert::NextYearCalendar(y) => format!("{y}{ALERT_NEXT_YEAR}"),
        Alert::WindowClosing { count, .. } => format!("{count} 项{ALERT_WINDOW_CLOSING}"),
        Alert::DrawDue { period, since } => format!("{period}{ALERT_DRAW_DUE}（{since}起）"),
        Alert::Unpublished(v) => format!("{} 项{ALERT_UNPUBLISHED}", v.len()),
        Alert::AnnualReport { year, due, late } => format!(
            "{year}{ALERT_ANNUAL_REPORT}{}月{}日前报送{}",
            due.month(),
            due.day(),
            if *late { "（已逾期）" } else { "" }
        ),
    }
}

// The history of an entity in its detail (issue 9, item 12).

/// The heading of an entity's visits across years.
pub const ENTITY_HISTORY: &str = "检查记录";
/// Marks a result replaced by an approved correction.
pub const RESULT_CORRECTED: &str = "（已更正）";
pub const FOLLOW_UP: &str = "后续";
/// One follow-up in a line: "责令改正 办理中".
pub fn follow_up(kind: &str, status: &str) -> String {
    format!("{kind} {status}")
}
/// How many visits a history lists: "3 次".
pub fn visit_count(n: usize) -> String {
    format!("{n} 次")
}

// Targeted checks (个案检查, issue 9 item 11).

/// The fields of the targeted-check dialog, in order.
pub const TARGETED_FIELDS: [&str; 6] = [
    "检查事由（投诉举报/转办交办/突发事件/监测发现/其他）",
    "事由说明（举报、转办编号等；事由为其他时必填）",
    "检查组人员编号（组长在前，至少2人，逗号分隔）",
    TARGETED_STARTED,
    TARGETED_COMPLETED,
    "抽查事项编号（逗号分隔，如 1-1,1-3）",
];
pub const TARGETED_STARTED: &str = "开始日期";
pub const TARGETED_COMPLETED: &str = "完成日期";
/// The title of the dialog and of the result form: "个案检查 阳城县某化工有限公司".
pub fn targeted_title(entity_name: &str) -> String {
    format!("{} {entity_name}", crate::domain::targeted::TARGETED_LABEL)
}
/// A targeted check in an entity's history: "个案检查 投诉举报（12369-0512）".
pub fn targeted_in_history(reason: &str) -> String {
    format!("{} {reason}", crate::domain::targeted::TARGETED_LABEL)
}
/// The line over a targeted check's result form: reason, team, dates.
pub fn targeted_info(e: &crate::services::targeted::TargetedEntry) -> String {
    format!(
        "{}  检查组 {}  {} 至 {}",
        crate::domain::targeted::reason_text(e.reason, &e.detail),
        e.team.join(" "),
        e.started,
        e.completed
    )
}
pub const TARGETED_FORM_FOOT: &str = "Tab 切换栏目  空格 选择  Esc 放弃（提交前不保存）  ? 帮助";
pub const TARGETED_SUBMIT_CONFIRM: &str =
    "个案检查提交后即记录，不能修改；不计入随机抽查次数。确认提交？";
pub const TARGETED_DROPPED: &str = "个案检查未记录";
/// A targeted check recorded.
pub fn targeted_recorded(id: i64, entity_name: &str) -> String {
    format!("已记录个案检查 {id}（{entity_name}），不计入随机抽查次数，计入重点监管对象覆盖")
}

/// What a long effect is doing, for the progress line ("准备抽取 2026Q3").
pub fn busy_what(effect: &crate::tui::model::Effect) -> String {
    use crate::tui::model::Effect;
    match effect {
        Effect::PrepareDraw { period, .. } => format!("准备抽取 {period}"),
        Effect::RunDraw { id, .. } => format!("运行抽取 {id}"),
        Effect::WriteRecord(id) | Effect::OverwriteRecord(id) => format!("写出抽取记录 {id}"),
        _ => "处理".to_string(),
    }
}

/// Started work cannot be stopped: the progress line says so.
pub const BUSY_NO_CANCEL: &str = "抽取进行中，不能取消";

/// The progress line while long work runs: what, for how long, and that it cannot be stopped.
pub fn busy_line(what: &str, secs: u64) -> String {
    format!("{what}… 已用{secs}秒 · {BUSY_NO_CANCEL}")
}

/// A second long effect asked for while one runs.
pub fn busy_refused(what: &str) -> String {
    format!("请等「{what}」完成后再试")
}

/// `q` (or Ctrl+C) while long work runs: the dashboard quits once it is done.
pub const QUIT_AFTER_BUSY: &str = "完成后退出";

/// The worker thread ended without a result.
pub const WORKER_FAILED: &str = "后台处理意外中止，未完成；请查看抽取列表后重试";

// `v` on the draws, entities, approvals and audit lists: the selected row in full.
pub const FULL_PREPARED: &str = "准备";
pub const FULL_RUN: &str = "运行";
pub const FULL_VOID_ASKED: &str = "申请作废";
pub const FULL_VOID_APPROVED: &str = "批准作废";
pub const FULL_DRAW_ID: &str = "抽取";
pub const FULL_VISIT: &str = "检查任务";
pub const FULL_OUT: &str = "被替换人员";
pub const FULL_REASON: &str = "理由";
pub const FULL_REQUESTED: &str = "申请";
pub const FULL_DETAIL: &str = "详情";

/// Who did something and when: "lead.liu，2026-05-20 09:00:00".
pub fn by_at(by: &str, at: &str) -> String {
    format!("{by}，{at}")
}

/// A further substitution waiting for the principal, as a popup's title.
pub fn substitution_title(id: i64) -> String {
    format!("替换申请 {id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::{Role, allowed};

    fn keys_for(screen: usize, role: Role) -> Vec<&'static str> {
        let roles = [role].into();
        help(screen, |a| allowed(&roles, a))
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn audit_actions_read_in_chinese_and_unknown_ones_as_stored() {
        assert_eq!(audit_action("draw.substitute"), "替换检查人员");
        assert_eq!(audit_action("result.submit"), "提交检查结果");
        assert_eq!(audit_action("some.new_action"), "some.new_action");
        let mut names: Vec<&str> = AUDIT_ACTIONS.iter().map(|(a, _)| *a).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AUDIT_ACTIONS.len(), "each action once");
        assert!(AUDIT_ACTIONS.iter().all(|(_, l)| !l.is_ascii()));
    }

    /// Every action docs/audit.md lists has its Chinese name here.
    #[test]
    fn every_documented_action_has_a_name() {
        let doc = include_str!("../../docs/audit.md");
        let row = doc
            .lines()
            .find(|l| l.starts_with("| `action` |"))
            .expect("the action row");
        let listed: Vec<&str> = row
            .split('`')
            .skip(3)
            .step_by(2)
            .filter(|a| a.contains('.') && !a.contains(' '))
            .collect();
        assert!(listed.len() > 60, "{listed:?}");
        for a in listed {
            assert_ne!(audit_action(a), a, "{a} has no Chinese name");
        }
    }

    #[test]
    fn the_wording_issue_11_asked_for() {
        assert_eq!(void_waiting("2026Q4-01"), "待批准作废：2026Q4-01");
        assert!(approve_void("2026Q4-01").starts_with("待批准作废：2026Q4-01"));
        assert!(!approve_void("2026Q4-01").contains("已作废"));
        assert!(draw_run("ab", 113, 0).contains(&"已抽取 113 项检查任务".to_string()));
        use crate::tui::model::ReadOnly;
        assert!(read_only_foot(Some(ReadOnly::Submitted)).contains("已提交"));
        assert!(read_only_foot(Some(ReadOnly::NotOnTeam)).contains("不在本检查组"));
        assert!(read_only_foot(Some(ReadOnly::NotCompleted)).contains("尚未完成"));
        assert_eq!(start_title(273, "某某公司"), "开始检查 #273 某某公司");
    }

    #[test]
    fn the_year_alerts_read_as_meant() {
        use crate::services::dashboard::Alert;
        let unpublished = Alert::Unpublished(vec![(5, "甲".into()), (7, "乙".into())]);
        assert_eq!(alert(&unpublished), "2 项录入满20工作日未公示");
        let due = chrono::NaiveDate::from_ymd_opt(2026, 10, 30).unwrap();
        let annual = |late| Alert::AnnualReport {
            year: 2026,
            due,
            late,
        };
        assert_eq!(
            alert(&annual(false)),
            "2026年度报告尚未生成（report annual），应于10月30日前报送"
        );
        assert!(alert(&annual(true)).ends_with("（已逾期）"));
        assert!(annual(true).urgent() && !annual(false).urgent());
    }

    #[test]
    fn the_help_offers_only_the_keys_the_role_table_allows() {
        let lead = keys_for(2, Role::Lead);
        for k in ["p", "r", "x"] {
            assert!(
                lead.contains(&k),
                "a lead prepares, runs and asks for voids: {k}"
            );
        }
        assert!(!lead.contains(&"a"), "a lead does not approve voids");
        let principal = keys_for(2, Role::Principal);
        assert!(principal.contains(&"a"));
        assert!(!principal.contains(&"p") && !principal.contains(&"r"));
        let observer = keys_for(3, Role::Observer);
        for k in ["s", "c", "u", "p"] {
            assert!(!observer.contains(&k), "an observer only watches: {k}");
        }
        // 谁公示: the team's officers publish their result; leads and principals any.
        for role in [Role::Inspector, Role::Lead, Role::Principal] {
            assert!(keys_for(3, role).contains(&"p"), "{role:?} publishes");
        }
        assert!(!keys_for(3, Role::Admin).contains(&"p"));
        assert!(observer.contains(&"m") && observer.contains(&"?"));
        assert!(
            keys_for(4, Role::Inspector)
                .iter()
                .all(|k| *k != "a" && *k != "r")
        );
    }
}
