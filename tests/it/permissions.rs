//! Who may do what, end to end.
//!
//! * A role × use-case table: every role, through a demo login that holds only that role, tries
//!   every service use case on a fresh copy of one prepared database. The expectation is derived
//!   from `Action::roles()` (plus the team rule, 谁检查、谁录入, where the service applies it),
//!   never copied from it; refused means `ServiceError::Denied`, allowed means anything else.
//! * Identity comes from the process, not from environment variables or `--as` outside the
//!   rules.
//! * A visit not yet started is confidential to leads, principals and its team: an inspector of
//!   another team sees it neither on the command line nor in the dashboard, until it starts.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::result::{FollowUpKind, InspectionResult};
use shuangsuiji::domain::role::{Action, Role, allowed};
use shuangsuiji::domain::targeted::TargetedReason;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::targeted::TargetedEntry;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::visits::VisitFilter;
use shuangsuiji::services::{ServiceError, Session, identity};
use shuangsuiji::tui::model::ScreenId;
use shuangsuiji::tui::{self, load, views};
use unicode_width::UnicodeWidthStr;

use crate::support::{
    self, clean_result, command, demo_day as day, login_of, open, problem_result, seeds, text,
};
use shuangsuiji::sheets::Overwrite;

// ---------------------------------------------------------------------------------------------
// The prepared database.

/// The visits the table acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Visit {
    /// 待检查: not started, confidential.
    A,
    /// 已完成: waiting for its result.
    B,
    /// 已录入 with a problem, a pending correction and a follow-up.
    C,
    /// 检查中.
    D,
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    /// A login holding only the inspector role, on none of the fixture visits' teams.
    inspector: String,
    /// Visit ids, entities and teams (inspector codes).
    ids: HashMap<Visit, i64>,
    entities: HashMap<Visit, String>,
    teams: HashMap<Visit, Vec<String>>,
    /// For each visit, a login on its team that holds only the inspector role (the teams are
    /// drawn with a system random part, so who that is differs from run to run).
    officers: HashMap<Visit, String>,
    /// Each login's inspector code.
    codes: HashMap<String, Option<String>>,
    b_result: InspectionResult,
    c_result: InspectionResult,
    correction: i64,
    followup: i64,
    /// A second draw, prepared and not run.
    q3: String,
    /// Files to import: one new entity, the inspectors and check items as exported, a year of
    /// holidays not yet loaded.
    new_entity_csv: PathBuf,
    inspectors_csv: PathBuf,
    items_csv: PathBuf,
    calendar_toml: PathBuf,
}

impl Fixture {
    /// A copy of the prepared database, `name` in a new directory.
    fn copy(&self, name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(name);
        std::fs::copy(&self.db, &db).unwrap();
        (dir, db)
    }

    fn id(&self, v: Visit) -> i64 {
        self.ids[&v]
    }

    fn on_team(&self, login: &str, v: Visit) -> bool {
        self.codes
            .get(login)
            .cloned()
            .flatten()
            .is_some_and(|c| self.teams[&v].contains(&c))
    }
}

/// The demo of 2026-05-20 with its second quarter drawn and visits in every state.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

fn build_fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "fixture.db");
    open(&db, "lead.liu")
        .run_draw("2026Q2-01", &seeds(), &["见证人甲".into()])
        .unwrap();
    let lead = open(&db, "lead.liu");
    let users = lead.list_users().unwrap();
    let codes: HashMap<String, Option<String>> = users
        .iter()
        .map(|u| (u.login.clone(), u.inspector.clone()))
        .collect();
    let all = lead.list_visits(&VisitFilter::default()).unwrap();
    // Entities visited once only: an earlier, published visit of the same entity is public
    // and would show its name to anyone.
    let mut visits_of: HashMap<&str, usize> = HashMap::new();
    for v in &all {
        *visits_of.entry(v.entity.as_str()).or_default() += 1;
    }
    let fresh: Vec<_> = all
        .iter()
        .filter(|v| {
            v.draw_id == "2026Q2-01"
                && visits_of[v.entity.as_str()] == 1
                && v.state == VisitState::Assigned
                && v.problem.is_none()
                && v.entity.starts_with('9')
        })
        .collect();
    let inspector_only = |code: &str| {
        users.iter().any(|u| {
            u.inspector.as_deref() == Some(code) && u.roles == BTreeSet::from([Role::Inspector])
        })
    };
    // An inspector-only login and four visits whose teams it is not on, each team with an
    // inspector-only officer of its own.
    let (inspector, chosen) = users
        .iter()
        .filter(|u| u.roles == BTreeSet::from([Role::Inspector]) && u.inspector.is_some())
        .find_map(|u| {
            let code = u.inspector.as_ref().unwrap();
            let mine: Vec<_> = fresh
                .iter()
                .filter(|v| !v.team.iter().any(|s| &s.inspector == code))
                .filter(|v| v.team.iter().any(|s| inspector_only(&s.inspector)))
                .take(4)
                .copied()
                .collect();
            (mine.len() == 4).then(|| (u.login.clone(), mine))
        })
        .expect("an inspector-only login off four teams");
    let visits = [Visit::A, Visit::B, Visit::C, Visit::D];
    let ids: HashMap<Visit, i64> = visits
        .iter()
        .zip(&chosen)
        .map(|(k, v)| (*k, v.id))
        .collect();
    let entities: HashMap<Visit, String> = visits
        .iter()
        .zip(&chosen)
        .map(|(k, v)| (*k, v.entity.clone()))
        .collect();
    let teams: HashMap<Visit, Vec<String>> = visits
        .iter()
        .zip(&chosen)
        .map(|(k, v)| (*k, v.team.iter().map(|s| s.inspector.clone()).collect()))
        .collect();
    let officers: HashMap<Visit, String> = visits
        .iter()
        .map(|v| {
            let code = teams[v].iter().find(|c| inspector_only(c)).unwrap();
            (*v, login_of(&lead, code))
        })
        .collect();
    drop(lead);
    let member = |v: Visit| officers[&v].clone();

    // B: completed, waiting for its result.
    let mut s = open(&db, &member(Visit::B));
    s.start_visit(ids[&Visit::B], day(), None).unwrap();
    s.complete_visit(ids[&Visit::B], day(), None).unwrap();
    let b_result = clean_result(&s, ids[&Visit::B]);
    // C: a problem entered, a correction filed, a follow-up opened.
    let mut s = open(&db, &member(Visit::C));
    let c = ids[&Visit::C];
    s.start_visit(c, day(), None).unwrap();
    s.complete_visit(c, day(), None).unwrap();
    let c_result = problem_result(&s, c);
    s.submit_result(c, &c_result).unwrap();
    let mut corrected = c_result.clone();
    corrected.findings.push_str("（补充：标志已脱落）");
    let correction = s
        .file_correction(c, &corrected, "补充检查发现的细节")
        .unwrap();
    let followup = s
        .add_followup(c, FollowUpKind::Rectify, "", "责令三日内设置标志")
        .unwrap();
    // D: started.
    open(&db, &member(Visit::D))
        .start_visit(ids[&Visit::D], day(), None)
        .unwrap();
    // The first quarter's draw asked to be voided; the third prepared.
    let mut lead = open(&db, "lead.liu");
    lead.request_void("2026Q1-01", "测试：现场种子记录有误")
        .unwrap();
    let q3 = lead
        .prepare_draw("2026Q3".parse().unwrap(), &[], &[])
        .unwrap()
        .id;
    // Files.
    let admin = open(&db, "admin.li");
    let inspectors_csv = dir.path().join("inspectors.csv");
    admin
        .export_inspectors(&inspectors_csv, Overwrite::Refuse)
        .unwrap();
    let items_csv = dir.path().join("items.csv");
    admin
        .export_check_items(&items_csv, Overwrite::Refuse)
        .unwrap();
    let new_entity_csv = dir.path().join("new-entity.csv");
    let uscc = shuangsuiji::domain::uscc::complete("91140522MA9PQ0001").unwrap();
    std::fs::write(
        &new_entity_csv,
        format!(
            "名称,统一社会信用代码,乡镇,检查对象类型\n权限测试有限公司,{uscc},凤城镇,排污单位\n"
        ),
    )
    .unwrap();
    let calendar_toml = dir.path().join("2030.toml");
    std::fs::write(
        &calendar_toml,
        "[[notice]]\nyear = 2030\nsource = \"测试用节假日安排\"\ndays_off = [\"2030-01-01\"]\nworkdays = []\n",
    )
    .unwrap();
    drop((admin, lead, s));
    Fixture {
        _dir: dir,
        db,
        inspector,
        ids,
        entities,
        teams,
        officers,
        codes,
        b_result,
        c_result,
        correction,
        followup,
        q3,
        new_entity_csv,
        inspectors_csv,
        items_csv,
        calendar_toml,
    }
}

// ---------------------------------------------------------------------------------------------
// The table.

/// What decides whether a role may run a case.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// `Action::roles()` alone.
    Table(Action),
    /// The table, and the user's inspector record on the visit's current team.
    OnTeam(Action, Visit),
    /// The table, and on the visit's team or a lead.
    TeamOrLead(Action, Visit),
    /// The table, and on the visit's team or a role that exports the publicity list (谁公示).
    TeamOrExporter(Action, Visit),
}

/// What happened when a role ran a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome2 {
    Allowed,
    Denied,
    /// "未找到检查任务": the visit is not yet started and confidential to this user, so it is
    /// refused without admitting it exists.
    Hidden,
}

type Run = fn(&mut Session, &Fixture, &Path) -> Result<(), ServiceError>;

struct Case {
    name: &'static str,
    rule: Rule,
    run: Run,
}

fn ok<T>(r: Result<T, ServiceError>) -> Result<(), ServiceError> {
    r.map(|_| ())
}

fn q(p: &str) -> Period {
    p.parse().unwrap()
}

fn cases() -> Vec<Case> {
    use Action::*;
    use Rule::*;
    let c = |name, rule, run: Run| Case { name, rule, run };
    vec![
        // The libraries.
        c("stats", Table(ViewRegistry), |s, _, _| ok(s.stats())),
        c("entities list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_entities(&Default::default()))
        }),
        c("entities show", Table(ViewRegistry), |s, f, _| {
            ok(s.show_entity(&f.entities[&Visit::B]))
        }),
        c("inspectors list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_inspectors())
        }),
        c("items list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_check_items())
        }),
        c("user list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_users())
        }),
        c("settings show", Table(ViewRegistry), |s, _, _| {
            ok(s.settings())
        }),
        c("import entities", Table(EditEntities), |s, f, _| {
            ok(s.import_entities(&f.new_entity_csv, false, &mut |_, _| {}))
        }),
        c("entities exclude", Table(EditEntities), |s, f, _| {
            ok(s.set_exclusion(&f.entities[&Visit::B], Some("搬迁"), "已搬迁出县"))
        }),
        c("import inspectors", Table(EditInspectors), |s, f, _| {
            ok(s.import_inspectors(&f.inspectors_csv, false))
        }),
        c("inspectors duty", Table(EditInspectors), |s, f, _| {
            ok(s.set_on_duty(&f.teams[&Visit::B][0], false, "借调"))
        }),
        c("inspectors leave", Table(EditInspectors), |s, f, _| {
            ok(s.add_leave(
                &f.teams[&Visit::B][0],
                "2026-06-01".parse().unwrap(),
                "2026-06-03".parse().unwrap(),
                "年假",
            ))
        }),
        c("inspectors conflict", Table(EditInspectors), |s, f, _| {
            ok(s.declare_conflict(&f.teams[&Visit::B][0], &f.entities[&Visit::A], "亲属任职"))
        }),
        c("import items", Table(EditCheckItems), |s, f, _| {
            ok(s.import_check_items(&f.items_csv, false))
        }),
        c("export entities", Table(ExportRegistry), |s, _, dir| {
            ok(s.export_entities(&dir.join("e.csv"), Overwrite::Refuse))
        }),
        c("export inspectors", Table(ExportRegistry), |s, _, dir| {
            ok(s.export_inspectors(&dir.join("i.xlsx"), Overwrite::Refuse))
        }),
        c("export items", Table(ExportRegistry), |s, _, dir| {
            ok(s.export_check_items(&dir.join("c.json"), Overwrite::Refuse))
        }),
        // Plans.
        c("plan list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_plans(Some(2026)))
        }),
        c("plan changes", Table(ViewRegistry), |s, _, _| {
            ok(s.plan_changes(2026))
        }),
        c("plan copy", Table(EditPlans), |s, _, _| {
            ok(s.copy_plans(2026, 2027))
        }),
        c("plan init", Table(EditPlans), |s, _, _| {
            ok(s.create_seed_plans(2028))
        }),
        // Users and settings.
        c("user add", Table(ManageUsers), |s, _, _| {
            ok(s.add_user("new.user", "新用户", &[Role::Observer], None))
        }),
        c("user grant", Table(ManageUsers), |s, _, _| {
            ok(s.change_user("observer.chen", UserChange::Grant(Role::Lead)))
        }),
        c(
            "settings service-account",
            Table(ConfigureSystem),
            |s, _, _| ok(s.set_service_account(Some("svc"))),
        ),
        c(
            "settings province-cap",
            Table(ConfigureSystem),
            |s, _, _| ok(s.set_province_cap(Some(2))),
        ),
        // Draws.
        c("draw list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_draws())
        }),
        c("draw show", Table(ViewRegistry), |s, _, _| {
            ok(s.show_draw("2026Q2-01"))
        }),
        c("draw verify", Table(ViewRegistry), |s, _, _| {
            ok(s.verify_draw("2026Q2-01"))
        }),
        c("draw show --json", Table(ViewDrawResults), |s, _, _| {
            ok(s.draw_record("2026Q2-01"))
        }),
        c("draw prepare", Table(PrepareDraw), |s, _, _| {
            ok(s.prepare_draw(q("2026Q4"), &[], &[]))
        }),
        c("draw run", Table(RunDraw), |s, f, _| {
            ok(s.run_draw(&f.q3, &seeds(), &[]))
        }),
        c("draw substitute", Table(RunDraw), |s, f, _| {
            ok(s.substitute(
                "2026Q2-01",
                &f.entities[&Visit::A],
                &f.teams[&Visit::A][0],
                "病假",
            ))
        }),
        c("draw void", Table(RequestVoid), |s, _, _| {
            ok(s.request_void("2026Q2-01", "测试：承诺值公布有误"))
        }),
        c("draw approve-void", Table(ApproveVoid), |s, _, _| {
            ok(s.approve_void("2026Q1-01"))
        }),
        c(
            "draw approve-substitute",
            Table(ApproveSubstitution),
            |s, f, dir| {
                // A lead substitutes a seat of visit A once and asks to substitute it again.
                let mut lead = open(&dir.join("case.db"), "lead.liu");
                let e = &f.entities[&Visit::A];
                let sub = lead
                    .substitute("2026Q2-01", e, &f.teams[&Visit::A][0], "病假")
                    .unwrap();
                let q = lead
                    .request_substitution("2026Q2-01", e, &sub.replacement, "公差")
                    .unwrap();
                ok(s.approve_substitution(q.id))
            },
        ),
        // The calendar.
        c("calendar show", Table(ViewRegistry), |s, _, _| {
            ok(s.holiday_notice(2026))
        }),
        c("calendar deadline", Table(ViewRegistry), |s, _, _| {
            ok(s.deadline(day(), 20))
        }),
        c("calendar import", Table(EditCalendar), |s, f, _| {
            ok(s.import_calendar(&f.calendar_toml))
        }),
        // Visits and results.
        c("visit list", Table(ViewRegistry), |s, _, _| {
            ok(s.list_visits(&VisitFilter::default()))
        }),
        c(
            "visit start",
            TeamOrLead(EnterResult, Visit::A),
            |s, f, _| s.start_visit(f.id(Visit::A), day(), None),
        ),
        c(
            "visit complete",
            TeamOrLead(EnterResult, Visit::D),
            |s, f, _| s.complete_visit(f.id(Visit::D), day(), None),
        ),
        c("visit lapse", Table(MarkLapsed), |s, f, _| {
            s.lapse_visit(f.id(Visit::A), "企业搬迁，无法实施")
        }),
        c("visit record-targeted", Table(RecordTargeted), |s, f, _| {
            let entity = f.entities[&Visit::B].clone();
            // Two officers who may inspect it today.
            let team = s
                .list_inspectors()?
                .into_iter()
                .filter(|i| {
                    i.certified_on(day()) && !i.on_leave(day()) && !i.conflicts_with(&entity)
                })
                .take(2)
                .map(|i| i.code)
                .collect();
            let entry = TargetedEntry {
                entity,
                reason: TargetedReason::Complaint,
                detail: "12369-0001".into(),
                team,
                started: day(),
                completed: day(),
            };
            ok(s.record_targeted(&entry, &f.b_result))
        }),
        c("result show", Table(ViewRegistry), |s, f, _| {
            ok(s.result_view(f.id(Visit::C)))
        }),
        c("result draft", OnTeam(EnterResult, Visit::B), |s, f, _| {
            s.save_draft(f.id(Visit::B), &f.b_result)
        }),
        c("result submit", OnTeam(EnterResult, Visit::B), |s, f, _| {
            ok(s.submit_result(f.id(Visit::B), &f.b_result))
        }),
        c(
            "result correct",
            OnTeam(EnterResult, Visit::C),
            |s, f, _| ok(s.file_correction(f.id(Visit::C), &f.c_result, "更正录入错误")),
        ),
        c("result pending", Table(ViewRegistry), |s, _, _| {
            ok(s.pending_corrections())
        }),
        c(
            "result approve-correction",
            Table(ApproveCorrection),
            |s, f, _| s.decide_correction(f.correction, true, "同意"),
        ),
        c(
            "result reject-correction",
            Table(ApproveCorrection),
            |s, f, _| s.decide_correction(f.correction, false, "依据不足"),
        ),
        c(
            "followup add",
            TeamOrLead(ManageFollowUp, Visit::C),
            |s, f, _| ok(s.add_followup(f.id(Visit::C), FollowUpKind::Rectify, "", "复查")),
        ),
        c(
            "followup update",
            TeamOrLead(ManageFollowUp, Visit::C),
            |s, f, _| s.update_followup(f.followup, "办理中", None, "已通知"),
        ),
        // Publication and reports.
        c(
            "visit publish",
            TeamOrExporter(PublishResult, Visit::C),
            |s, f, _| ok(s.mark_for_publicity(f.id(Visit::C))),
        ),
        c("export publicity", Table(Publish), |s, _, dir| {
            ok(s.export_publicity(&dir.join("p.csv"), Some(q("2026Q1"))))
        }),
        c("report annual", Table(ViewReports), |s, _, _| {
            ok(s.annual_report(2026))
        }),
        c("report quarter", Table(ViewReports), |s, _, _| {
            ok(s.quarter_report(q("2026Q1")))
        }),
        // Maintenance and the audit chain.
        c("backup", Table(BackupDatabase), |s, _, dir| {
            ok(s.backup(&dir.join("b.db"), Overwrite::Refuse))
        }),
        c("doctor", Table(ViewAudit), |s, _, _| ok(s.doctor())),
        c("audit verify", Table(ViewAudit), |s, _, _| {
            ok(s.verify_audit(None))
        }),
        c("audit checkpoint", Table(ViewAudit), |s, _, _| {
            ok(s.audit_checkpoint())
        }),
        c("audit log", Table(ViewAudit), |s, _, _| {
            ok(s.audit_events(&EventFilter::default()))
        }),
    ]
}

/// The demo login that holds exactly this role.
fn login_for(f: &Fixture, role: Role) -> String {
    match role {
        Role::Admin => "admin.li".into(),
        Role::Lead => "lead.liu".into(),
        Role::Inspector => f.inspector.clone(),
        Role::Principal => "principal.wang".into(),
        Role::Observer => "observer.chen".into(),
    }
}

/// The outcome the rules call for.
fn expected(f: &Fixture, rule: Rule, role: Role, login: &str) -> Outcome2 {
    let roles = BTreeSet::from([role]);
    let sees_unstarted = |v: Visit| allowed(&roles, Action::ViewDrawResults) || f.on_team(login, v);
    let (may, visit) = match rule {
        Rule::Table(a) => (allowed(&roles, a), None),
        Rule::OnTeam(a, v) => (allowed(&roles, a) && f.on_team(login, v), Some(v)),
        Rule::TeamOrLead(a, v) => (
            allowed(&roles, a) && (f.on_team(login, v) || role == Role::Lead),
            Some(v),
        ),
        Rule::TeamOrExporter(a, v) => (
            allowed(&roles, a) && (f.on_team(login, v) || allowed(&roles, Action::Publish)),
            Some(v),
        ),
    };
    if may {
        Outcome2::Allowed
    } else if visit.is_some_and(|v| v == Visit::A && !sees_unstarted(v)) {
        Outcome2::Hidden
    } else {
        Outcome2::Denied
    }
}

fn classify(r: &Result<(), ServiceError>) -> Outcome2 {
    match r {
        Err(ServiceError::Denied { .. }) => Outcome2::Denied,
        Err(ServiceError::NotFound { what, .. }) if what.starts_with("检查任务") => {
            Outcome2::Hidden
        }
        _ => Outcome2::Allowed,
    }
}

#[test]
fn every_role_against_every_use_case_follows_the_action_table() {
    let f = fixture();
    let cases = cases();
    // Every action of the table is exercised by at least one case.
    let covered: BTreeSet<Action> = cases
        .iter()
        .map(|c| match c.rule {
            Rule::Table(a)
            | Rule::OnTeam(a, _)
            | Rule::TeamOrLead(a, _)
            | Rule::TeamOrExporter(a, _) => a,
        })
        .collect();
    let missing: Vec<_> = Action::ALL
        .iter()
        .filter(|a| !covered.contains(a))
        .collect();
    assert!(missing.is_empty(), "actions without a case: {missing:?}");

    let mut mismatches = Vec::new();
    let mut matrix = String::new();
    let mut allowed_errors = Vec::new();
    for c in &cases {
        let mut line = format!("{:<28}", c.name);
        for role in Role::ALL {
            let login = login_for(f, role);
            let (dir, db) = f.copy("case.db");
            let mut s = open(&db, &login);
            assert_eq!(
                s.user().roles,
                BTreeSet::from([role]),
                "{login} must hold only {role:?}"
            );
            let r = (c.run)(&mut s, f, dir.path());
            let got = classify(&r);
            let want = expected(f, c.rule, role, &login);
            line.push_str(match got {
                Outcome2::Allowed if r.is_ok() => " ok    ",
                Outcome2::Allowed => " ok*   ",
                Outcome2::Denied => " denied",
                Outcome2::Hidden => " hidden",
            });
            if let (Outcome2::Allowed, Err(e)) = (got, &r) {
                allowed_errors.push(format!("{} as {role:?}: {e}", c.name));
            }
            if got != want {
                mismatches.push(format!(
                    "{} as {login} ({role:?}): expected {want:?}, got {got:?} ({r:?})",
                    c.name
                ));
            }
        }
        matrix.push_str(&line);
        matrix.push('\n');
    }
    println!(
        "{:<28} admin  lead   insp.  princ. observer\n{matrix}\nok* = allowed past the \
         permission check, refused for another reason:\n{}",
        "case",
        allowed_errors.join("\n")
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The team rule from the other side: an officer on the team may do what the table allows
/// the inspector role, and the same officer may not touch another team's visit.
#[test]
fn a_team_officer_acts_on_the_own_visit_only() {
    let f = fixture();
    let (_dir, db) = f.copy("team.db");
    let b_officer = f.officers[&Visit::B].clone();
    let mut s = open(&db, &b_officer);
    assert_eq!(s.user().roles, BTreeSet::from([Role::Inspector]));
    s.save_draft(f.id(Visit::B), &f.b_result).unwrap();
    s.submit_result(f.id(Visit::B), &f.b_result).unwrap();
    if !f.on_team(&b_officer, Visit::D) {
        assert!(matches!(
            s.complete_visit(f.id(Visit::D), day(), None),
            Err(ServiceError::Denied { .. })
        ));
    }
    let a_officer = f.officers[&Visit::A].clone();
    let mut s = open(&db, &a_officer);
    assert_eq!(s.user().roles, BTreeSet::from([Role::Inspector]));
    s.start_visit(f.id(Visit::A), day(), None).unwrap();
    if !f.on_team(&a_officer, Visit::B) {
        let mut other = f.b_result.clone();
        other.remark = "他组代录".into();
        assert!(matches!(
            s.file_correction(f.id(Visit::B), &other, "替他组更正"),
            Err(ServiceError::Denied { .. })
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Identity.

fn run(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(db, args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

#[test]
fn environment_variables_do_not_change_who_you_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "who.db");
    let real = identity::os_login().unwrap();
    for var in [
        "USER",
        "LOGNAME",
        "USERNAME",
        "SUDO_USER",
        "SHUANGSUIJI_AS",
        "SHUANGSUIJI_USER",
    ] {
        let o = run(&db, &["whoami", "--json"], &[(var, "principal.wang")]);
        assert!(o.status.success(), "{var}: {}", text(&o.stderr));
        let who: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(who["login"], real.as_str(), "{var}=principal.wang: {who}");
    }
    // And nothing in the environment lets a principal's action through.
    let o = run(
        &db,
        &["--as", "observer.chen", "draw", "approve-void", "2026Q1-01"],
        &[("USER", "principal.wang"), ("LOGNAME", "principal.wang")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("无权"), "{}", text(&o.stderr));
}

#[test]
fn as_is_refused_on_a_production_database_without_the_service_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prod.db");
    let prod = |args: &[&str]| {
        command(&db, args)
            .env_remove("SHUANGSUIJI_TODAY")
            .output()
            .unwrap()
    };
    let o = prod(&["init", "--empty"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let real = identity::os_login().unwrap();
    let o = prod(&[
        "user",
        "add",
        "principal.wang",
        "--name",
        "王云海",
        "--role",
        "principal",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // No service account: --as is refused, even for a registered login, even for oneself.
    for login in ["principal.wang", real.as_str(), "nobody"] {
        let o = prod(&["--as", login, "whoami"]);
        assert_eq!(o.status.code(), Some(1), "--as {login}");
        let err = text(&o.stderr);
        assert!(err.contains("服务账户"), "--as {login}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A service account that is not this process's account changes nothing.
    let o = prod(&["settings", "service-account", "svc.ssh"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = prod(&["--as", "principal.wang", "whoami"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("服务账户为 svc.ssh"),
        "{}",
        text(&o.stderr)
    );
    // Running as the service account, --as names a registered, active user only.
    let o = prod(&["settings", "service-account", &real]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = prod(&["--as", "principal.wang", "whoami", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let who: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(who["login"], "principal.wang");
    for bad in ["nobody", "../root", "a b", "x\u{1b}[2J"] {
        let o = prod(&["--as", bad, "whoami"]);
        assert_eq!(o.status.code(), Some(1), "--as {bad:?}");
        assert!(!o.stderr.contains(&0x1b), "{:?}", text(&o.stderr));
    }
    let o = prod(&["user", "deactivate", "principal.wang"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = prod(&["--as", "principal.wang", "whoami"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("已停用"), "{}", text(&o.stderr));
}

// ---------------------------------------------------------------------------------------------
// A visit not yet started is confidential.

/// The text of a buffer, one string per row, wide characters once.
fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let c = &buf[(x, y)];
            out.push_str(c.symbol());
            skip = c.symbol().width().saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// The dashboard's visits screen as `login` sees it, on a terminal tall enough for every row.
fn dashboard_visits(db: &Path, login: &str) -> (String, Vec<i64>) {
    let s = open(db, login);
    let mut m = tui::model_for(&s, false);
    m.screen = ScreenId::Visits;
    load::visits(&s, &mut m).unwrap();
    let ids = m.visits.list.iter().map(|v| v.id).collect();
    let height = (m.visits.list.len() as u16 + 10).max(40);
    let mut terminal = Terminal::new(TestBackend::new(220, height)).unwrap();
    terminal.draw(|f| views::render(f, &m)).unwrap();
    (buffer_text(terminal.backend().buffer()), ids)
}

/// The visit ids of an entity's history (`entities show --json`) as `login` sees it.
fn history_ids(db: &Path, login: &str, entity: &str) -> Vec<i64> {
    let o = run(
        db,
        &["--as", login, "entities", "show", entity, "--json"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    shown["history"]
        .as_array()
        .expect("a history array")
        .iter()
        .map(|v| v["visit_id"].as_i64().unwrap())
        .collect()
}

/// The visit ids of the history the dashboard loads when `login` opens the entity's detail.
fn dashboard_history(db: &Path, login: &str, entity: &str) -> Vec<i64> {
    let s = open(db, login);
    let mut m = tui::model_for(&s, false);
    m.screen = ScreenId::Entities;
    load::entities(&s, &mut m).unwrap();
    load::entity_history(&s, &mut m, entity).unwrap();
    let (code, history) = m.entities.history.expect("the history is loaded");
    assert_eq!(code, entity);
    history.iter().map(|v| v.visit_id).collect()
}

/// The dashboard's record of a draw (the draws screen, Enter) as `login` sees it, and how many
/// of its lines name a visit of the user's own.
fn dashboard_draw(db: &Path, login: &str, id: &str) -> (String, usize) {
    let mut s = open(db, login);
    let mut m = tui::model_for(&s, false);
    m.screen = ScreenId::Draws;
    load::draws(&s, &mut m).unwrap();
    m.draws.selected = m.draws.list.iter().position(|d| d.id == id).unwrap();
    tui::handle(
        &mut s,
        &mut m,
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let (_, lines) = m.draws.detail.clone().expect("the record opens");
    let lines: Vec<String> = lines.iter().map(|l| l.text()).collect();
    let mut terminal = Terminal::new(TestBackend::new(220, lines.len() as u16 + 10)).unwrap();
    terminal.draw(|f| views::render(f, &m)).unwrap();
    let mine = s
        .list_visits(&VisitFilter {
            mine: true,
            ..Default::default()
        })
        .unwrap()
        .iter()
        .filter(|v| v.draw_id == id)
        .filter(|v| lines.iter().any(|l| l.contains(&v.entity)))
        .count();
    (buffer_text(terminal.backend().buffer()), mine)
}

/// A unique name for the visit's entity, so a search of the screen finds only it.
const SECRET_NAME: &str = "保密测试对象阳城县甲乙丙有限公司";

#[test]
fn an_inspector_off_the_team_sees_a_visit_only_once_it_has_started() {
    let f = fixture();
    let (dir, db) = f.copy("secret.db");
    let a = f.id(Visit::A);
    let entity = &f.entities[&Visit::A];
    let csv = dir.path().join("rename.csv");
    std::fs::write(
        &csv,
        format!(
            "名称,统一社会信用代码,乡镇,检查对象类型\n{SECRET_NAME},{entity},凤城镇,排污单位\n"
        ),
    )
    .unwrap();
    open(&db, "admin.li")
        .import_entities(&csv, false, &mut |_, _| {})
        .unwrap();
    let outsider = f.inspector.as_str();
    assert!(!f.on_team(outsider, Visit::A));

    let listed = |login: &str| -> Vec<i64> {
        let o = run(&db, &["--as", login, "visit", "list", "--json"], &[]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect()
    };
    // Before the visit starts: the lead sees it, the outsider does not — in the list, in the
    // drawn list of the draw, by its number, or in the dashboard.
    assert!(listed("lead.liu").contains(&a));
    assert!(!listed(outsider).contains(&a));
    let o = run(&db, &["--as", outsider, "draw", "show", "2026Q2-01"], &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        !text(&o.stdout).contains(entity.as_str()),
        "draw show names it"
    );
    let o = run(
        &db,
        &["--as", outsider, "result", "show", &a.to_string()],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("未找到检查任务"),
        "{}",
        text(&o.stderr)
    );
    // The entity's history (`entities show`, text and JSON, and the dashboard's detail) does
    // not list it for an inspector of another team or an observer; it does for the lead and
    // the team.
    let member = login_of(&open(&db, "lead.liu"), &f.teams[&Visit::A][0]);
    for (login, sees) in [
        (outsider, false),
        ("observer.chen", false),
        ("lead.liu", true),
        (member.as_str(), true),
    ] {
        assert_eq!(
            history_ids(&db, login, entity).contains(&a),
            sees,
            "{login}"
        );
        let o = run(&db, &["--as", login, "entities", "show", entity], &[]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(
            text(&o.stdout).contains("2026Q2-01"),
            sees,
            "{login}: {}",
            text(&o.stdout)
        );
        assert_eq!(
            dashboard_history(&db, login, entity).contains(&a),
            sees,
            "{login}"
        );
    }
    let (screen, ids) = dashboard_visits(&db, outsider);
    assert!(!ids.contains(&a));
    assert!(!screen.contains(SECRET_NAME), "{screen}");
    let (screen, _) = dashboard_visits(&db, "lead.liu");
    assert!(
        screen.contains(SECRET_NAME),
        "the lead's screen shows it:\n{screen}"
    );
    let (record, mine) = dashboard_draw(&db, outsider, "2026Q2-01");
    assert!(!record.contains(entity.as_str()), "{record}");
    assert!(!record.contains(SECRET_NAME), "{record}");
    assert!(mine > 0, "the outsider's own visits are listed: {record}");
    let (record, _) = dashboard_draw(&db, "lead.liu", "2026Q2-01");
    assert!(
        record.contains(entity.as_str()),
        "the lead sees the whole record"
    );

    // Started by its team: now everyone may see it.
    open(&db, &member).start_visit(a, day(), None).unwrap();
    assert!(listed(outsider).contains(&a));
    for login in [outsider, "observer.chen"] {
        assert!(history_ids(&db, login, entity).contains(&a), "{login}");
        assert!(
            dashboard_history(&db, login, entity).contains(&a),
            "{login}"
        );
    }
    let (screen, ids) = dashboard_visits(&db, outsider);
    assert!(ids.contains(&a));
    assert!(screen.contains(SECRET_NAME), "{screen}");
}

/// The audit log is open to every role (`ViewAudit`), and the `draw.run` event lists every
/// drawn entity (and the seed), so the drawn list is readable before the visits start.
#[test]
fn the_audit_log_does_not_reveal_the_drawn_list_before_the_visits_start() {
    let f = fixture();
    let (_dir, db) = f.copy("audit-leak.db");
    let outsider = f.inspector.as_str();
    let entity = f.entities[&Visit::A].as_str();
    for args in [
        &["audit", "log", "--json", "--limit", "1000"][..],
        &["audit", "log", "--action", "draw", "--json"][..],
    ] {
        let mut full = vec!["--as", outsider];
        full.extend_from_slice(args);
        let o = run(&db, &full, &[]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        // The library lists every entity in its import events; what must not appear is the
        // draw's own account of what it drew (or the seed that recomputes it).
        let events: Vec<serde_json::Value> = serde_json::from_str(&text(&o.stdout)).unwrap();
        let draws: Vec<&serde_json::Value> = events
            .iter()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("draw.")))
            .collect();
        assert!(
            draws.iter().any(|e| e["action"] == "draw.run"),
            "the run is in the log"
        );
        for e in draws {
            let detail = e["detail"].as_str().unwrap();
            assert!(
                !detail.contains(entity),
                "{args:?} as {outsider}: {} names {entity}: {detail}",
                e["action"]
            );
            assert!(
                !detail.contains("seed"),
                "{args:?} as {outsider}: {} shows the seed: {detail}",
                e["action"]
            );
        }
    }
}
