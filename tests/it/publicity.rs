//! The publicity export (结果公示): gsxt's columns, the effective result after a correction,
//! results with a pending correction held back, marking 已公示 once, the audit checkpoint,
//! nothing published when the file cannot be written, and who may export.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use calamine::Reader;
use sha2::{Digest, Sha256};
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::plan::PlanKind;
use shuangsuiji::domain::result::{Category, FollowUpKind, InspectionResult, Outcome};
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::services::visits::{VisitFilter, VisitView};
use shuangsuiji::services::{ServiceError, Session};

use crate::support::{self, compliant_result as result, day as d, only, open, open_on};

const HEADERS: [&str; 11] = [
    "抽查计划编号",
    "抽查计划名称",
    "抽查任务编号",
    "抽查任务名称",
    "抽查类型",
    "检查机关",
    "检查完成日期",
    "检查结果",
    "备注",
    "统一社会信用代码",
    "企业名称",
];

const DAY: &str = "2026-05-20";
const EXPORT_DAY: &str = "2026-06-01";
const CASE_NO: &str = "阳环罚〔2026〕21号";
const REASON: &str = "企业检查当日停产，原录入有误";

fn q2() -> Period {
    Period {
        year: 2026,
        quarter: 2,
    }
}

fn problem_result(s: &Session, id: i64) -> InspectionResult {
    let mut r = result(s, id, &[Category::Pending]);
    r.items[0].outcome = Outcome::Problem;
    r.findings = "废气处理设施未运行".into();
    r.legal_basis = "《中华人民共和国大气污染防治法》第二十条".into();
    r.measure = "立案调查".into();
    r.remark = "企业已签收检查记录".into();
    r
}

/// The three visits the test works, each with a login of its team.
struct Scenario {
    path: PathBuf,
    /// Problem found, a penalty case closed on 2026-06-01.
    problem: (VisitView, String),
    /// Corrected: 未发现问题 → 未发现开展本次抽查涉及的经营活动, approved.
    corrected: (VisitView, String),
    /// A correction filed and not decided.
    pending: (VisitView, String),
}

/// Picks Q2 visits with a team, preferring a joint task and a unit without a USCC, so both
/// show up in the rows.
fn pick(s: &Session) -> Vec<(VisitView, String)> {
    let users = s.list_users().unwrap();
    let mut candidates: Vec<(VisitView, String)> = s
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.draw_id == "2026Q2-01" && v.problem.is_none())
        .filter_map(|v| {
            let login = v.team.iter().find_map(|seat| {
                users
                    .iter()
                    .find(|u| u.inspector.as_deref() == Some(&seat.inspector))
            })?;
            let login = login.login.clone();
            Some((v, login))
        })
        .collect();
    let mut chosen = Vec::new();
    let joint = |v: &VisitView| v.tasks.iter().any(|t| t.starts_with("LH-"));
    let machine = |v: &VisitView| shuangsuiji::domain::uscc::parse(&v.entity).is_err();
    for want in [&joint as &dyn Fn(&VisitView) -> bool, &machine] {
        if let Some(i) = candidates.iter().position(|(v, _)| want(v)) {
            chosen.push(candidates.remove(i));
        }
    }
    while chosen.len() < 3 {
        chosen.push(candidates.remove(0));
    }
    chosen
}

/// The visit entered as 未发现问题 by its officer, then a correction to `to` filed: its id.
fn entered_then_corrected(
    path: &Path,
    (visit, login): &(VisitView, String),
    to: Category,
    reason: &str,
) -> i64 {
    let mut s = open(path, login);
    let id = visit.id;
    let r = result(&s, id, &[Category::NoProblem]);
    s.submit_result(id, &r).unwrap();
    let fixed = result(&s, id, &[to]);
    s.file_correction(id, &fixed, reason).unwrap()
}

fn scenario(dir: &tempfile::TempDir) -> Scenario {
    let path = support::demo_copy(dir, "p.db");
    let mut lead = open(&path, None);
    lead.run_draw("2026Q2-01", &support::seeds(), &[]).unwrap();
    let mut chosen = pick(&lead).into_iter();
    let (problem, corrected, pending) = (
        chosen.next().unwrap(),
        chosen.next().unwrap(),
        chosen.next().unwrap(),
    );
    for (v, login) in [&problem, &corrected, &pending] {
        let mut s = open(&path, login);
        s.start_visit(v.id, d(DAY), None).unwrap();
        s.complete_visit(v.id, d(DAY), None).unwrap();
    }
    // Problem + a penalty case, closed on the export day.
    let mut s = open(&path, &problem.1);
    let r = problem_result(&s, problem.0.id);
    s.submit_result(problem.0.id, &r).unwrap();
    let fid = s
        .add_followup(problem.0.id, FollowUpKind::Penalty, CASE_NO, "已立案")
        .unwrap();
    open_on(&path, &problem.1, d(EXPORT_DAY))
        .update_followup(fid, "已办结", Some(d(EXPORT_DAY)), "已缴纳罚款")
        .unwrap();
    // Corrected, approved by the principal.
    let cid = entered_then_corrected(&path, &corrected, Category::NoActivity, REASON);
    let principal = only(&open(&path, None), Role::Principal);
    open(&path, &principal)
        .decide_correction(cid, true, "同意更正")
        .unwrap();
    // Pending correction.
    entered_then_corrected(&path, &pending, Category::Closed, "企业已注销，原录入有误");
    Scenario {
        path,
        problem,
        corrected,
        pending,
    }
}

/// The rows the test expects for a visit, from the plans and the visit, in column order.
fn expected_rows(s: &Session, v: &VisitView, result: &str, remark: &str) -> Vec<Vec<String>> {
    let plans = s.list_plans(Some(2026)).unwrap();
    let is_uscc = shuangsuiji::domain::uscc::parse(&v.entity).is_ok();
    // A unit without a USCC is published under its owner, its own name going to 备注.
    let stored = s.show_entity(&v.entity).unwrap().entity.entity;
    let owned = !is_uscc && !stored.owner.is_empty();
    let (party_uscc, party_name) = if is_uscc {
        (v.entity.clone(), v.entity_name.clone())
    } else if owned {
        (stored.owner_uscc.unwrap_or_default(), stored.owner.clone())
    } else {
        (String::new(), v.entity_name.clone())
    };
    let mut parts: Vec<String> = Vec::new();
    if !remark.is_empty() {
        parts.push(remark.to_string());
    }
    if owned {
        parts.push(format!("检查对象：{}", v.entity_name));
    }
    if !is_uscc {
        parts.push(format!("登记编码：{}", v.entity));
    }
    let remark = parts.join("；");
    v.tasks
        .iter()
        .map(|code| {
            let plan = plans
                .iter()
                .find(|p| p.plan.tasks.iter().any(|t| &t.code == code))
                .unwrap();
            let task = plan.plan.tasks.iter().find(|t| &t.code == code).unwrap();
            let joint = plan.plan.kind == PlanKind::Joint;
            let mut authority = task.inspecting_body.clone();
            if joint {
                for dep in &task.cooperating_departments {
                    authority.push('、');
                    authority.push_str(dep);
                }
            }
            vec![
                format!("2026-{}", plan.plan.code),
                format!("2026年{}", plan.plan.name),
                format!("2026Q2-01/{code}"),
                task.name.clone(),
                if joint {
                    "部门联合抽查"
                } else {
                    "定向抽查"
                }
                .to_string(),
                authority,
                DAY.to_string(),
                result.to_string(),
                remark.clone(),
                party_uscc.clone(),
                party_name.clone(),
            ]
        })
        .collect()
}

fn all_expected(sc: &Scenario) -> Vec<Vec<String>> {
    let s = open(&sc.path, None);
    let mut rows = expected_rows(
        &s,
        &sc.problem.0,
        "发现问题待后续处理",
        &format!("企业已签收检查记录；后续处理：立案处罚（案号{CASE_NO}）已办结{EXPORT_DAY}"),
    );
    rows.extend(expected_rows(
        &s,
        &sc.corrected.0,
        "未发现开展本次抽查涉及的经营活动",
        // The correction's reason is internal unless the bureau publishes it (year_publish).
        "已更正（原结果：未发现问题）",
    ));
    rows.sort();
    rows
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("the CSV starts with a byte-order mark");
    let mut r = csv::ReaderBuilder::new().from_reader(body);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

fn read_xlsx(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut book = calamine::open_workbook_auto(path).unwrap();
    assert_eq!(book.sheet_names(), vec!["双随机抽查结果".to_string()]);
    let range = book.worksheet_range("双随机抽查结果").unwrap();
    let mut rows = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<String>>());
    let headers = rows.next().unwrap();
    (headers, rows.collect())
}

fn sorted(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.sort();
    rows
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn export_publishes_effective_results_once_and_holds_back_pending_corrections() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(&dir);
    let expected = all_expected(&sc);
    let (a, b, c) = (sc.problem.0.id, sc.corrected.0.id, sc.pending.0.id);

    // A file that cannot be written publishes nothing.
    let mut lead = open_on(&sc.path, None, d(EXPORT_DAY));
    let missing = dir.path().join("no-such-dir").join("p.csv");
    assert!(lead.export_publicity(&missing, Some(q2())).is_err());
    let bad = lead
        .export_publicity(&dir.path().join("p.txt"), Some(q2()))
        .unwrap_err();
    assert!(bad.to_string().contains(".txt"), "{bad}");
    assert_eq!(lead.visit(a).unwrap().state, VisitState::Entered);
    assert!(leftovers(dir.path()).is_empty());

    // First export: CSV of the second quarter.
    let csv_path = dir.path().join("公示.csv");
    let report = lead.export_publicity(&csv_path, Some(q2())).unwrap();
    let (headers, rows) = read_csv(&csv_path);
    assert_eq!(headers, HEADERS);
    assert_eq!(sorted(rows), expected);
    assert_eq!(report.rows.len(), expected.len());
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.record.task_code.starts_with("2026Q2-01/")),
        "Q1 visits are not in a 2026Q2 export"
    );
    assert_eq!(
        report
            .rows
            .iter()
            .map(|r| r.visit_id)
            .collect::<BTreeSet<_>>(),
        [a, b].into()
    );
    assert_eq!(
        report
            .newly_published
            .iter()
            .copied()
            .collect::<BTreeSet<_>>(),
        [a, b].into()
    );
    assert_eq!(report.held_back.len(), 1);
    assert_eq!(report.held_back[0].visit_id, c);
    assert_eq!(report.held_back[0].entity, sc.pending.0.entity);
    assert_eq!(report.held_back[0].entity_name, sc.pending.0.entity_name);
    for id in [a, b] {
        let v = lead.visit(id).unwrap();
        assert_eq!(v.state, VisitState::Published);
        assert_eq!(v.dates.published, Some(d(EXPORT_DAY)));
    }
    assert_eq!(lead.visit(c).unwrap().state, VisitState::Entered);
    assert!(leftovers(dir.path()).is_empty(), "no temporary file left");

    // The audit event names the file, the rows and the file's hash; the checkpoint verifies.
    let sha = hex::encode(Sha256::digest(std::fs::read(&csv_path).unwrap()));
    assert_eq!(report.sha256, sha);
    let ev = &lead
        .audit_events(&EventFilter {
            action_prefix: Some("publicity.export".into()),
            ..Default::default()
        })
        .unwrap()[0];
    assert_eq!(ev.seq, report.checkpoint.size);
    assert_eq!(ev.hash, report.checkpoint.head);
    let detail: serde_json::Value = serde_json::from_str(&ev.detail).unwrap();
    assert_eq!(detail["sha256"], sha.as_str());
    assert_eq!(detail["file"], "公示.csv");
    assert_eq!(detail["period"], "2026Q2");
    assert_eq!(detail["rows"], expected.len());
    assert_eq!(detail["held_back"], serde_json::json!([c]));
    assert!(lead.verify_audit(Some(&report.checkpoint)).unwrap().is_ok());

    // Second export, a day later, as .xlsx: the same rows, nothing published again.
    let mut lead = open_on(&sc.path, None, d("2026-06-02"));
    let xlsx_path = dir.path().join("公示.xlsx");
    let again = lead.export_publicity(&xlsx_path, Some(q2())).unwrap();
    assert!(again.newly_published.is_empty());
    assert_eq!(again.held_back.len(), 1);
    let (headers, rows) = read_xlsx(&xlsx_path);
    assert_eq!(headers, HEADERS);
    assert_eq!(sorted(rows), expected);
    for id in [a, b] {
        assert_eq!(
            lead.visit(id).unwrap().dates.published,
            Some(d(EXPORT_DAY)),
            "no second publish event"
        );
    }
    assert!(lead.verify_audit(Some(&again.checkpoint)).unwrap().is_ok());
    assert!(again.checkpoint.size > report.checkpoint.size);

    // Once the principal decides the pending correction, the visit goes out.
    let principal = only(&lead, Role::Principal);
    let cid = lead
        .pending_corrections()
        .unwrap()
        .into_iter()
        .find(|p| p.visit_id == c)
        .unwrap()
        .id;
    open_on(&sc.path, &principal, d("2026-06-02"))
        .decide_correction(cid, true, "同意")
        .unwrap();
    let third = lead
        .export_publicity(&dir.path().join("公示2.json"), Some(q2()))
        .unwrap();
    assert_eq!(third.newly_published, vec![c]);
    assert!(third.held_back.is_empty());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("公示2.json")).unwrap()).unwrap();
    let c_rows: Vec<&serde_json::Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["企业名称"] == sc.pending.0.entity_name.as_str())
        .collect();
    assert_eq!(c_rows.len(), sc.pending.0.tasks.len());
    assert_eq!(c_rows[0]["检查结果"], "已关闭停业或正在组织清算");
}

#[test]
fn without_a_period_every_quarter_is_exported() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(&dir);
    let mut lead = open_on(&sc.path, None, d(EXPORT_DAY));
    // What the test expects of Q1, from the visit list: every entered visit without a pending
    // correction, once per task.
    let q1: Vec<VisitView> = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.draw_id.starts_with("2026Q1"))
        .filter(|v| v.state >= VisitState::Entered)
        .collect();
    let q1_rows: usize = q1
        .iter()
        .filter(|v| !v.pending_correction)
        .map(|v| v.tasks.len())
        .sum();
    let q1_held: BTreeSet<i64> = q1
        .iter()
        .filter(|v| v.pending_correction)
        .map(|v| v.id)
        .collect();
    let path = dir.path().join("all.json");
    let r = lead.export_publicity(&path, None).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let rows = json.as_array().unwrap();
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), HEADERS.len());
    let of = |prefix: &str| {
        rows.iter()
            .filter(|r| r["抽查任务编号"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    assert_eq!(of("2026Q1-"), q1_rows);
    assert_eq!(of("2026Q2-"), all_expected(&sc).len());
    let mut held: BTreeSet<i64> = q1_held;
    held.insert(sc.pending.0.id);
    assert_eq!(
        r.held_back
            .iter()
            .map(|h| h.visit_id)
            .collect::<BTreeSet<_>>(),
        held
    );
    // Units without a USCC carry their registry code in 备注; only those owned by a unit with
    // a USCC fill the column (with the owner's code).
    for row in rows {
        if row["统一社会信用代码"] == "" {
            assert!(
                row["备注"].as_str().unwrap().contains("登记编码："),
                "{row}"
            );
        }
    }
    for v in q1.iter().filter(|v| !v.pending_correction) {
        assert_eq!(lead.visit(v.id).unwrap().state, VisitState::Published);
    }
}

#[test]
fn only_leads_and_principals_export() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(&dir);
    let s = open_on(&sc.path, None, d(EXPORT_DAY));
    let observer = only(&s, Role::Observer);
    let inspector = only(&s, Role::Inspector);
    let principal = only(&s, Role::Principal);
    for login in [&observer, &inspector] {
        let mut s = open_on(&sc.path, login, d(EXPORT_DAY));
        let path = dir.path().join(format!("{login}.csv"));
        let e = s.export_publicity(&path, Some(q2())).unwrap_err();
        assert!(matches!(e, ServiceError::Denied { .. }), "{login}: {e}");
        assert!(!path.exists());
    }
    assert_eq!(s.visit(sc.problem.0.id).unwrap().state, VisitState::Entered);
    let mut p = open_on(&sc.path, &principal, d(EXPORT_DAY));
    let r = p
        .export_publicity(&dir.path().join("p.xlsx"), Some(q2()))
        .unwrap();
    assert_eq!(r.newly_published.len(), 2);
}

/// The visit of the scenario whose unit has no USCC (a non-road machine).
fn machine_visit(sc: &Scenario) -> &VisitView {
    [&sc.problem.0, &sc.corrected.0]
        .into_iter()
        .find(|v| shuangsuiji::domain::uscc::parse(&v.entity).is_err())
        .expect("the scenario picks a machine")
}

#[test]
fn a_machine_is_published_under_its_owner_and_the_owners_uscc() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(&dir);
    let machine = machine_visit(&sc).clone();
    let owner = "阳城县测试运输有限公司";
    let owner_uscc = shuangsuiji::domain::uscc::complete("91140522MA0T00001").unwrap();
    // The registry gives the machine a unit as its owner (a sheet of a few columns).
    let mut admin = open(&sc.path, None);
    let stored = admin.show_entity(&machine.entity).unwrap().entity.entity;
    let sheet = dir.path().join("owner.csv");
    std::fs::write(
        &sheet,
        format!(
            "名称,登记编码,乡镇,检查对象类型,所有人,所有人统一社会信用代码\n{},{},{},非道路移动机械,{owner},{owner_uscc}\n",
            stored.name, machine.entity, stored.town
        ),
    )
    .unwrap();
    let r = admin
        .import_entities(&sheet, false, &mut |_, _| {})
        .unwrap();
    assert_eq!(r.updated, 1);

    let mut lead = open_on(&sc.path, None, d(EXPORT_DAY));
    let path = dir.path().join("公示.json");
    lead.export_publicity(&path, Some(q2())).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let ours: Vec<&serde_json::Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["备注"]
                .as_str()
                .unwrap()
                .ends_with(&format!("登记编码：{}", machine.entity))
        })
        .collect();
    assert_eq!(ours.len(), machine.tasks.len());
    for row in &ours {
        assert_eq!(row["统一社会信用代码"], owner_uscc.as_str(), "{row}");
        assert_eq!(row["企业名称"], owner, "{row}");
        let remark = row["备注"].as_str().unwrap();
        assert!(
            remark.contains(&format!("检查对象：{}；登记编码：", machine.entity_name)),
            "the machine itself is named in 备注: {remark}"
        );
    }
    // The whole export is still what the rows of each visit say (units with a USCC unchanged).
    let (_, rows) = {
        let csv = dir.path().join("公示.csv");
        lead.export_publicity(&csv, Some(q2())).unwrap();
        read_csv(&csv)
    };
    assert_eq!(sorted(rows), all_expected(&sc));
}
