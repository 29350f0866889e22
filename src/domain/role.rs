//! 角色与权限 (roles and permissions): who may do what. The service layer asks [`allowed`]
//! before every use case, so the command line and the dashboard obey the same table.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A user's role. One login can hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 队长/股室负责人: prepares and confirms draws, keeps the libraries.
    Lead,
    /// 执法人员: enters results of their own visits.
    Inspector,
    /// 主要负责人: approves corrections and voided draws.
    Principal,
    /// 监督员 (纪检/监督): watches, read-only.
    Observer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Lead,
        Role::Inspector,
        Role::Principal,
        Role::Observer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Lead => "lead",
            Role::Inspector => "inspector",
            Role::Principal => "principal",
            Role::Observer => "observer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Lead => "队长/股室负责人",
            Role::Inspector => "执法人员",
            Role::Principal => "主要负责人",
            Role::Observer => "监督员",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        let t = text.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.key().eq_ignore_ascii_case(t) || r.label() == t)
    }
}

/// Something a user asks the system to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Action {
    /// Browse the libraries, plans and statistics.
    ViewRegistry,
    /// Export the libraries to a file.
    ExportRegistry,
    /// Import or edit entities (监管对象库).
    EditEntities,
    /// Import or edit inspectors and departments (执法人员库).
    EditInspectors,
    /// Import or edit the check-item list (抽查事项清单).
    EditCheckItems,
    /// Create, copy and change plans and tasks.
    EditPlans,
    /// Add users, grant and revoke roles.
    ManageUsers,
    /// Read and verify the audit log.
    ViewAudit,
    /// Change system settings (service account, province cap).
    ConfigureSystem,
    /// Prepare a draw (freeze population and quotas, commit).
    PrepareDraw,
    /// Run a prepared draw, and substitute an officer on a visit.
    RunDraw,
    /// Ask for a draw to be voided.
    RequestVoid,
    /// Approve a void (the principal; never the one who asked).
    ApproveVoid,
    /// See every drawn list before the visits start.
    ViewDrawResults,
    /// Load or edit a year's holiday notice (节假日安排).
    EditCalendar,
    /// Record a visit's progress and enter its result (only on one's own team: 谁检查、谁录入).
    EnterResult,
    /// Approve or reject a correction of a result (not one's own).
    ApproveCorrection,
    /// Record follow-up of violations (on one's own team, or as a lead).
    ManageFollowUp,
    /// Export the publicity list and mark it published.
    Publish,
    /// Produce the quarterly and annual reports.
    ViewReports,
}

impl Action {
    pub const ALL: [Action; 20] = [
        Action::ViewRegistry,
        Action::ExportRegistry,
        Action::EditEntities,
        Action::EditInspectors,
        Action::EditCheckItems,
        Action::EditPlans,
        Action::ManageUsers,
        Action::ViewAudit,
        Action::ConfigureSystem,
        Action::PrepareDraw,
        Action::RunDraw,
        Action::RequestVoid,
        Action::ApproveVoid,
        Action::ViewDrawResults,
        Action::EditCalendar,
        Action::EnterResult,
        Action::ApproveCorrection,
        Action::ManageFollowUp,
        Action::Publish,
        Action::ViewReports,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Action::ViewRegistry => "查看名录与计划",
            Action::ExportRegistry => "导出名录",
            Action::EditEntities => "维护监管对象库",
            Action::EditInspectors => "维护执法人员库",
            Action::EditCheckItems => "维护抽查事项清单",
            Action::EditPlans => "制定和调整抽查计划",
            Action::ManageUsers => "管理用户和角色",
            Action::ViewAudit => "查看和核验审计日志",
            Action::ConfigureSystem => "修改系统设置",
            Action::PrepareDraw => "准备抽取",
            Action::RunDraw => "运行抽取和替换检查人员",
            Action::RequestVoid => "申请作废抽取",
            Action::ApproveVoid => "批准作废抽取",
            Action::ViewDrawResults => "在检查开始前查看抽取名单",
            Action::EditCalendar => "维护节假日安排",
            Action::EnterResult => "记录检查进度和录入检查结果",
            Action::ApproveCorrection => "审批检查结果更正",
            Action::ManageFollowUp => "记录后续处理",
            Action::Publish => "导出公示并标记已公示",
            Action::ViewReports => "生成季度和年度报告",
        }
    }

    /// The roles that may perform the action.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ViewRegistry | Action::ViewAudit => {
                &[Admin, Lead, Inspector, Principal, Observer]
            }
            Action::ExportRegistry => &[Admin, Lead, Principal],
            Action::EditEntities | Action::EditInspectors | Action::EditPlans => &[Admin, Lead],
            Action::EditCheckItems
            | Action::ManageUsers
            | Action::ConfigureSystem
            | Action::EditCalendar => &[Admin],
            Action::PrepareDraw | Action::RunDraw | Action::RequestVoid => &[Lead],
            Action::ApproveVoid => &[Principal],
            Action::ViewDrawResults => &[Lead, Principal],
            Action::EnterResult | Action::ManageFollowUp => &[Lead, Inspector],
            Action::ApproveCorrection => &[Principal],
            Action::Publish => &[Lead, Principal],
            Action::ViewReports => &[Admin, Lead, Inspector, Principal, Observer],
        }
    }
}

/// Whether any of the roles may perform the action.
pub fn allowed(roles: &BTreeSet<Role>, action: Action) -> bool {
    action.roles().iter().any(|r| roles.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(roles: &[Role]) -> BTreeSet<Role> {
        roles.iter().copied().collect()
    }

    #[test]
    fn observers_only_watch() {
        let obs = set(&[Role::Observer]);
        let may: Vec<Action> = Action::ALL
            .into_iter()
            .filter(|a| allowed(&obs, *a))
            .collect();
        assert_eq!(
            may,
            vec![Action::ViewRegistry, Action::ViewAudit, Action::ViewReports]
        );
    }

    #[test]
    fn leads_keep_the_libraries_but_not_users() {
        let lead = set(&[Role::Lead]);
        assert!(allowed(&lead, Action::EditEntities));
        assert!(allowed(&lead, Action::EditPlans));
        assert!(!allowed(&lead, Action::ManageUsers));
        assert!(!allowed(&lead, Action::EditCheckItems));
    }

    #[test]
    fn no_roles_no_actions() {
        assert!(Action::ALL.iter().all(|a| !allowed(&BTreeSet::new(), *a)));
    }

    #[test]
    fn roles_parse_by_key_and_label() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
            assert_eq!(Role::parse(r.label()), Some(r));
        }
        assert_eq!(Role::parse("boss"), None);
    }
}
