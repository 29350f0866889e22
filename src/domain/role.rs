//! 角色与权限 (roles and permissions): who may do what. The service layer asks [`allowed`]
//! before every use case, so the command line and the dashboard obey the same table.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::draw::record::Team;
use super::user::User;

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
    /// Approve a further substitution of a seat already substituted once (the principal;
    /// never the one who asked).
    ApproveSubstitution,
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
    /// Mark one visit's entered result for the next publicity export (谁公示: an officer of
    /// its team; those who export the list may mark any).
    PublishResult,
    /// Produce the quarterly and annual reports.
    ViewReports,
    /// Copy the database with `backup`.
    BackupDatabase,
    /// Mark a visit of an earlier period that never started as 未实施, with the reason.
    MarkLapsed,
    /// Record a targeted check (个案检查: on a complaint, a referral, an incident or a
    /// monitoring lead; not drawn) with its team, dates and result.
    RecordTargeted,
}

impl Action {
    pub const ALL: [Action; 25] = [
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
        Action::ApproveSubstitution,
        Action::ViewDrawResults,
        Action::EditCalendar,
        Action::EnterResult,
        Action::ApproveCorrection,
        Action::ManageFollowUp,
        Action::Publish,
        Action::PublishResult,
        Action::ViewReports,
        Action::BackupDatabase,
        Action::MarkLapsed,
        Action::RecordTargeted,
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
            Action::ApproveSubstitution => "批准同一席位的再次替换",
            Action::ViewDrawResults => "在检查开始前查看抽取名单",
            Action::EditCalendar => "维护节假日安排",
            Action::EnterResult => "记录检查进度和录入检查结果",
            Action::ApproveCorrection => "审批检查结果更正",
            Action::ManageFollowUp => "记录后续处理",
            Action::Publish => "导出公示并标记已公示",
            Action::PublishResult => "公示本检查组录入的检查结果",
            Action::ViewReports => "生成季度和年度报告",
            Action::BackupDatabase => "备份数据库",
            Action::MarkLapsed => "将往期未开始的检查任务标为未实施",
            Action::RecordTargeted => "记录个案检查（投诉举报、转办交办等非随机检查）",
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
            Action::ApproveVoid | Action::ApproveSubstitution => &[Principal],
            Action::ViewDrawResults => &[Lead, Principal],
            Action::EnterResult | Action::ManageFollowUp => &[Lead, Inspector],
            Action::ApproveCorrection => &[Principal],
            Action::Publish => &[Lead, Principal],
            Action::PublishResult => &[Lead, Inspector, Principal],
            Action::ViewReports => &[Admin, Lead, Inspector, Principal, Observer],
            Action::BackupDatabase => &[Admin, Lead],
            Action::MarkLapsed | Action::RecordTargeted => &[Lead],
        }
    }
}

/// Whether any of the roles may perform the action.
pub fn allowed(roles: &BTreeSet<Role>, action: Action) -> bool {
    action.roles().iter().any(|r| roles.contains(r))
}

/// What an action is done to, where the answer depends on it and not on roles alone.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// Nothing in particular: the role table decides.
    Any,
    /// A visit's progress or its follow-up: an officer of its team, or any lead.
    VisitWork(&'a Team),
    /// A visit's result (谁检查、谁录入): an officer of its team only.
    VisitResult(&'a Team),
    /// Publishing a visit's entered result (谁公示): an officer of its team, or anyone who
    /// may export the publicity list ([`Action::Publish`]).
    VisitPublication(&'a Team),
    /// Seeing a drawn visit before its inspection: a started visit is no longer confidential,
    /// and a team sees its own visit; otherwise those who see every drawn list.
    DrawnVisit { team: &'a Team, started: bool },
    /// Deciding on what someone asked for (a correction, a void): anyone but the one who asked.
    RequestOf(&'a str),
}

/// Why [`may`] says no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// None of the person's roles allows the action.
    Role,
    /// The person is not an officer of the visit's team.
    NotOnTeam,
    /// The person asked for what is being decided.
    OwnRequest,
}

/// May `who` do `action` to `subject`? Every "may this person do this to this thing" question
/// is answered here: services before acting, front ends before offering a key.
pub fn may(who: &User, action: Action, subject: Subject<'_>) -> Result<(), Refusal> {
    let by_role = allowed(&who.roles, action);
    let on = |team: &Team| who.inspector.as_deref().is_some_and(|me| team.includes(me));
    match subject {
        Subject::DrawnVisit { team, started } => {
            if by_role || started || on(team) {
                Ok(())
            } else {
                Err(Refusal::Role)
            }
        }
        _ if !by_role => Err(Refusal::Role),
        Subject::Any => Ok(()),
        Subject::VisitWork(team) if on(team) || who.roles.contains(&Role::Lead) => Ok(()),
        Subject::VisitResult(team) if on(team) => Ok(()),
        Subject::VisitPublication(team) if on(team) || allowed(&who.roles, Action::Publish) => {
            Ok(())
        }
        Subject::VisitWork(_) | Subject::VisitResult(_) | Subject::VisitPublication(_) => {
            Err(Refusal::NotOnTeam)
        }
        Subject::RequestOf(login) if login == who.login => Err(Refusal::OwnRequest),
        Subject::RequestOf(_) => Ok(()),
    }
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
    fn admins_and_leads_back_up_and_no_one_else() {
        let may: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| allowed(&set(&[*r]), Action::BackupDatabase))
            .collect();
        assert_eq!(may, vec![Role::Admin, Role::Lead]);
    }

    #[test]
    fn only_leads_record_targeted_checks() {
        let may: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| allowed(&set(&[*r]), Action::RecordTargeted))
            .collect();
        assert_eq!(may, vec![Role::Lead]);
    }

    #[test]
    fn no_roles_no_actions() {
        assert!(Action::ALL.iter().all(|a| !allowed(&BTreeSet::new(), *a)));
    }

    fn person(login: &str, roles: &[Role], inspector: Option<&str>) -> User {
        User {
            login: login.to_string(),
            name: login.to_string(),
            roles: set(roles),
            inspector: inspector.map(str::to_string),
            active: true,
        }
    }

    fn team(codes: &[&str]) -> Team {
        Team(
            codes
                .iter()
                .map(|c| crate::domain::draw::record::Seat {
                    inspector: c.to_string(),
                    department: "生态环境局".to_string(),
                    lead: false,
                    ticket: String::new(),
                })
                .collect(),
        )
    }

    #[test]
    fn results_are_entered_by_the_team_and_progress_also_by_leads() {
        let t = team(&["YC-001", "YC-002"]);
        let member = person("a", &[Role::Inspector], Some("YC-002"));
        let other = person("b", &[Role::Inspector], Some("YC-009"));
        let lead = person("c", &[Role::Lead], None);
        let observer = person("d", &[Role::Observer], Some("YC-001"));
        let result = Subject::VisitResult(&t);
        let work = Subject::VisitWork(&t);
        assert_eq!(may(&member, Action::EnterResult, result), Ok(()));
        assert_eq!(may(&member, Action::EnterResult, work), Ok(()));
        assert_eq!(
            may(&other, Action::EnterResult, result),
            Err(Refusal::NotOnTeam)
        );
        assert_eq!(
            may(&other, Action::EnterResult, work),
            Err(Refusal::NotOnTeam)
        );
        assert_eq!(may(&lead, Action::EnterResult, work), Ok(()));
        assert_eq!(
            may(&lead, Action::EnterResult, result),
            Err(Refusal::NotOnTeam)
        );
        // A role that may not enter results is refused for its role, even on the team.
        assert_eq!(
            may(&observer, Action::EnterResult, result),
            Err(Refusal::Role)
        );
    }

    #[test]
    fn a_team_publishes_its_own_result_and_exporters_any() {
        let t = team(&["YC-001", "YC-002"]);
        let member = person("a", &[Role::Inspector], Some("YC-001"));
        let other = person("b", &[Role::Inspector], Some("YC-009"));
        let lead = person("c", &[Role::Lead], None);
        let principal = person("p", &[Role::Principal], None);
        let observer = person("d", &[Role::Observer], Some("YC-002"));
        let admin = person("e", &[Role::Admin], Some("YC-002"));
        let publication = Subject::VisitPublication(&t);
        assert_eq!(may(&member, Action::PublishResult, publication), Ok(()));
        assert_eq!(
            may(&other, Action::PublishResult, publication),
            Err(Refusal::NotOnTeam)
        );
        // Those who export the list keep what they may do: publish any result.
        assert_eq!(may(&lead, Action::PublishResult, publication), Ok(()));
        assert_eq!(may(&principal, Action::PublishResult, publication), Ok(()));
        // On the team by their inspector code, but their role does not publish.
        assert_eq!(
            may(&observer, Action::PublishResult, publication),
            Err(Refusal::Role)
        );
        assert_eq!(
            may(&admin, Action::PublishResult, publication),
            Err(Refusal::Role)
        );
        // The export itself stays with leads and principals.
        assert!(!allowed(&member.roles, Action::Publish));
    }

    #[test]
    fn nobody_decides_their_own_request() {
        let principal = person("p", &[Role::Principal], None);
        assert_eq!(
            may(
                &principal,
                Action::ApproveCorrection,
                Subject::RequestOf("p")
            ),
            Err(Refusal::OwnRequest)
        );
        assert_eq!(
            may(
                &principal,
                Action::ApproveCorrection,
                Subject::RequestOf("q")
            ),
            Ok(())
        );
        let lead = person("q", &[Role::Lead], None);
        assert_eq!(
            may(&lead, Action::ApproveVoid, Subject::RequestOf("p")),
            Err(Refusal::Role)
        );
    }

    #[test]
    fn a_drawn_visit_is_seen_by_its_team_once_started_by_all() {
        let t = team(&["YC-001"]);
        let member = person("a", &[Role::Inspector], Some("YC-001"));
        let other = person("b", &[Role::Inspector], Some("YC-002"));
        let principal = person("p", &[Role::Principal], None);
        let unstarted = Subject::DrawnVisit {
            team: &t,
            started: false,
        };
        let started = Subject::DrawnVisit {
            team: &t,
            started: true,
        };
        assert_eq!(may(&member, Action::ViewDrawResults, unstarted), Ok(()));
        assert_eq!(may(&principal, Action::ViewDrawResults, unstarted), Ok(()));
        assert_eq!(
            may(&other, Action::ViewDrawResults, unstarted),
            Err(Refusal::Role)
        );
        assert_eq!(may(&other, Action::ViewDrawResults, started), Ok(()));
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
