//! Issue 15 items 4–8: the inspector's view of a visit (`visit show`, `result template`), the
//! maintenance verbs (`inspectors show`, leaves, partial sheets), the CLI's small frictions,
//! the holiday notice template and Chinese help.

use crate::support::*;
use shuangsuiji::domain::visit::VisitState;

/// `result template` writes every check item of the visit with its basis and the allowed
/// values; the file, once an item is marked as a problem and the problem fields are filled,
/// is accepted by `result submit`; `visit show` and `result show` list the same items.
#[test]
fn the_result_template_lists_the_items_and_is_accepted_once_filled() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "t.db", |_| true);
    let id = c.visit.id.to_string();
    let s = open(&c.db, &c.officer);
    let view = s.result_view(c.visit.id).unwrap();
    drop(s);
    assert!(!view.check_items.is_empty());

    let out = run(&c.db, &["--as", &c.officer, "result", "template", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for item in &view.check_items {
        assert!(
            text.contains(&format!("code = \"{}\"", item.code)),
            "{text}"
        );
        assert!(text.contains(&item.item), "the item's text: {text}");
        if !item.legal_basis.is_empty() {
            let first = item.legal_basis.split_whitespace().next().unwrap();
            assert!(text.contains(first), "the legal basis: {text}");
        }
    }
    for allowed in [
        "发现问题待后续处理",
        "未发现开展本次抽查涉及的经营活动",
        "不适用",
    ] {
        assert!(text.contains(allowed), "the allowed values: {text}");
    }

    // Filled: the first item is a problem, with the problem fields.
    let first = &view.check_items[0].code;
    let filled = text
        .replacen("outcome = \"符合要求\"", "outcome = \"发现问题\"", 1)
        .replace(
            "categories = [\"未发现问题\"]",
            "categories = [\"发现问题待后续处理\"]",
        )
        .replace("findings = \"\"", "findings = \"危废贮存场所无标志\"")
        .replace(
            "legal_basis = \"\"",
            "legal_basis = \"《固体废物污染环境防治法》第七十七条\"",
        )
        .replace("measure = \"\"", "measure = \"立案调查\"");
    let file = dir.path().join("结果.toml");
    std::fs::write(&file, &filled).unwrap();
    let out = run(
        &c.db,
        &[
            "--as",
            &c.officer,
            "result",
            "submit",
            &id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let s = open(&c.db, &c.officer);
    let r = s.result_view(c.visit.id).unwrap().effective.unwrap();
    assert_eq!(r.items[0].item, *first);
    assert_eq!(r.items[0].outcome.label(), "发现问题");
    assert_eq!(r.measure, "立案调查");
    drop(s);

    for args in [vec!["visit", "show", &id], vec!["result", "show", &id]] {
        let mut all = vec!["--as", c.officer.as_str()];
        all.extend(args.iter().copied());
        let out = run(&c.db, &all);
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = stdout(&out);
        assert!(shown.contains("抽查事项"), "{shown}");
        for item in &view.check_items {
            assert!(
                shown.contains(&format!(
                    "{} {}",
                    item.code,
                    item.item.split_whitespace().collect::<Vec<_>>().join(" ")
                )),
                "{shown}"
            );
        }
    }
}

/// `result template --output FILE` writes the file; the untouched template is a valid result
/// file (every item 符合要求, 未发现问题), as the dashboard's form starts.
#[test]
fn the_template_can_be_written_to_a_file_and_parses() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "t.db", |_| true);
    let id = c.visit.id.to_string();
    let file = dir.path().join("r.toml");
    let out = run(
        &c.db,
        &[
            "--as",
            &c.officer,
            "result",
            "template",
            &id,
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("已写入结果文件模板"),
        "{}",
        stdout(&out)
    );
    let out = run(
        &c.db,
        &[
            "--as",
            &c.officer,
            "result",
            "draft",
            &id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The draft's values come back in the next template.
    let s = open(&c.db, &c.officer);
    assert!(s.result_view(c.visit.id).unwrap().draft.is_some());
}

/// The audit actions recorded for `subject`, oldest first.
fn actions(db: &std::path::Path, subject: &str) -> Vec<String> {
    let s = open(db, None);
    let mut out: Vec<String> = s
        .audit_events(&shuangsuiji::domain::audit::EventFilter {
            subject: Some(subject.to_string()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    out.sort();
    out
}

/// `inspectors show` tells certificate, department, areas, expertise, leaves and conflicts;
/// a leave is added, edited and cancelled, each audited; `inspectors list` marks who is on
/// leave today.
#[test]
fn an_inspectors_leaves_are_shown_edited_and_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "i.db");
    let s = open(&db, None);
    let i = s
        .list_inspectors()
        .unwrap()
        .into_iter()
        .find(|i| i.on_duty && i.leaves.is_empty() && !i.areas.is_empty())
        .expect("an officer on duty without leave");
    drop(s);
    let code = i.code.as_str();

    let on_list = |db: &std::path::Path| -> String {
        let out = run(db, &["inspectors", "list"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .find(|l| l.contains(code))
            .unwrap()
            .to_string()
    };
    assert!(!on_list(&db).contains("请假"), "{}", on_list(&db));

    // Added around the demo day (2026-05-20): on leave today.
    let out = run(
        &db,
        &[
            "inspectors",
            "leave",
            code,
            "--from",
            "2026-05-18",
            "--to",
            "2026-05-22",
            "--reason",
            "病假",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(on_list(&db).contains("请假"), "{}", on_list(&db));

    let out = run(&db, &["inspectors", "show", code]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    for want in [
        i.name.as_str(),
        i.cert_no.as_str(),
        i.department.as_str(),
        "2026-05-18~2026-05-22：病假",
        "今天在请假中",
        "回避",
    ] {
        assert!(shown.contains(want), "{want}: {shown}");
    }
    for area in &i.areas {
        assert!(shown.contains(area.as_str()), "{area}: {shown}");
    }

    // Edited: moved to June, no longer on leave today; the leave's own reason kept.
    let out = run(
        &db,
        &[
            "inspectors",
            "leave",
            code,
            "--edit",
            "2026-05-18",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-05",
            "--reason",
            "改期",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!on_list(&db).contains("请假"), "{}", on_list(&db));
    let shown = stdout(&run(&db, &["inspectors", "show", code]));
    assert!(shown.contains("2026-06-01~2026-06-05：病假"), "{shown}");

    // A leave that does not exist is named, and nothing changes.
    let out = run(
        &db,
        &[
            "inspectors",
            "leave",
            code,
            "--cancel",
            "2026-05-18",
            "--reason",
            "销假",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("没有从 2026-05-18 开始的请假"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("2026-06-01~2026-06-05"),
        "{}",
        stderr(&out)
    );

    let out = run(
        &db,
        &[
            "inspectors",
            "leave",
            code,
            "--cancel",
            "2026-06-01",
            "--reason",
            "销假",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let s = open(&db, None);
    let now = s
        .list_inspectors()
        .unwrap()
        .into_iter()
        .find(|x| x.code == i.code)
        .unwrap();
    assert!(now.leaves.is_empty());
    drop(s);
    assert_eq!(
        actions(&db, code),
        [
            "inspectors.leave",
            "inspectors.leave_cancel",
            "inspectors.leave_edit"
        ]
    );

    // Adding without dates says what is needed.
    let out = run(&db, &["inspectors", "leave", code, "--reason", "病假"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--from 和 --to"), "{}", stderr(&out));
}

/// A sheet with only the key column and the columns it changes updates stored entities; the
/// same sheet with a new code is refused, naming the missing column and the new row.
#[test]
fn a_partial_entity_sheet_needs_only_the_key_and_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "e.db");
    let s = open(&db, None);
    let e = s
        .list_entities(&Default::default())
        .unwrap()
        .into_iter()
        .find(|e| e.entity.uscc.is_some())
        .unwrap()
        .entity;
    drop(s);
    let uscc = e.uscc.clone().unwrap();
    let sheet = dir.path().join("备注.csv");
    std::fs::write(
        &sheet,
        format!("统一社会信用代码,备注\r\n{uscc},已搬迁至工业园\r\n"),
    )
    .unwrap();
    let out = run(&db, &["import", "entities", sheet.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = open(&db, None);
    let after = s.show_entity(&uscc).unwrap().entity.entity;
    assert_eq!(after.note, "已搬迁至工业园");
    assert_eq!(
        (after.name, after.town, after.target_types),
        (e.name, e.town, e.target_types)
    );
    drop(s);

    let new = shuangsuiji::domain::uscc::complete("91140522MA0K00001").unwrap();
    std::fs::write(
        &sheet,
        format!("统一社会信用代码,备注\r\n{uscc},甲\r\n{new},乙\r\n"),
    )
    .unwrap();
    let out = run(&db, &["import", "entities", sheet.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("缺少必填列“名称”"), "{err}");
    assert!(err.contains("第3行是新对象"), "{err}");
    assert!(err.contains("缺少必填列“乡镇”"), "{err}");
    let s = open(&db, None);
    assert_eq!(
        s.show_entity(&uscc).unwrap().entity.entity.note,
        "已搬迁至工业园",
        "nothing imported"
    );
}

/// `entities exclude --exclusion` replaces `--as-reason`, which still works with a note.
#[test]
fn exclusion_is_spelt_apart_from_as() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "x.db");
    let s = open(&db, None);
    let codes: Vec<String> = s
        .list_entities(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.entity.exclusion.is_none())
        .map(|e| e.id)
        .take(2)
        .collect();
    drop(s);
    let out = run(
        &db,
        &[
            "entities",
            "exclude",
            &codes[0],
            "--exclusion",
            "搬迁",
            "--reason",
            "已搬离本县",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--as-reason"), "{}", stderr(&out));
    let out = run(
        &db,
        &[
            "entities",
            "exclude",
            &codes[1],
            "--as-reason",
            "搬迁",
            "--reason",
            "已搬离本县",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("已改名为 --exclusion"),
        "{}",
        stderr(&out)
    );
    let s = open(&db, None);
    for c in &codes {
        assert_eq!(
            s.show_entity(c).unwrap().entity.entity.exclusion.as_deref(),
            Some("搬迁")
        );
    }
}

/// `visit start` and `visit complete` take today when `--date` is left out; `--reason` still
/// goes with a day outside the windows.
#[test]
fn the_date_of_a_step_defaults_to_today() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "d.db");
    let lead = open(&db, "lead.liu");
    let visit = assigned_q2_visit(&lead, |_| true);
    let officer = login_of(&lead, &visit.team[0].inspector);
    drop(lead);
    let id = visit.id.to_string();
    for step in ["start", "complete"] {
        let out = run(&db, &["--as", &officer, "visit", step, &id]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(DEMO_DAY), "{}", stdout(&out));
    }
    let s = open(&db, &officer);
    let v = s.visit(visit.id).unwrap();
    assert_eq!(v.dates.started, Some(demo_day()));
    assert_eq!(v.dates.completed, Some(demo_day()));
}

/// `draw substitute --visit` takes the visit number as `visit list` shows it, or the entity
/// code as before; a visit of another draw is refused by name. Team lists show names.
#[test]
fn substitution_takes_the_visit_number_and_teams_show_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = drawn_copy(&dir, "s.db");
    let lead = open(&db, "lead.liu");
    let visit = assigned_q2_visit(&lead, |v| v.team.len() >= 2);
    let names: std::collections::HashMap<String, String> = lead
        .list_inspectors()
        .unwrap()
        .into_iter()
        .map(|i| (i.code, i.name))
        .collect();
    let other = lead
        .list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .find(|v| v.draw_id != "2026Q2-01")
        .expect("a visit of an earlier draw");
    drop(lead);
    let id = visit.id.to_string();

    let out = run(
        &db,
        &["--as", "lead.liu", "visit", "list", "--year", "2026"],
    );
    let list = stdout(&out);
    let lead_seat = &visit.team[0].inspector;
    assert!(
        list.contains(&format!("*{lead_seat} {}", names[lead_seat])),
        "{list}"
    );

    let out = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "draw",
            "substitute",
            "2026Q2-01",
            "--visit",
            &other.id.to_string(),
            "--inspector",
            &visit.team[1].inspector,
            "--reason",
            "病假",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("不属于 2026Q2-01"),
        "{}",
        stderr(&out)
    );

    let out = run(
        &db,
        &[
            "--as",
            "lead.liu",
            "draw",
            "substitute",
            "2026Q2-01",
            "--visit",
            &id,
            "--inspector",
            &visit.team[1].inspector,
            "--reason",
            "病假",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&visit.entity), "{}", stdout(&out));
    let s = open(&db, "lead.liu");
    assert!(
        !s.visit(visit.id)
            .unwrap()
            .team
            .includes(&visit.team[1].inspector)
    );
}

/// Unquoted dice digits are explained; `user grant` takes `--role` as `user add` does, and
/// the role after the login still works.
#[test]
fn seeds_and_roles_are_given_the_friendly_way() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "u.db");
    let out = run(&db, &["draw", "run", "2026Q2-01", "--seed", "1234", "5678"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("“5678”"), "{err}");
    assert!(
        err.contains("加引号") && err.contains("--seed 1234 --seed 5678"),
        "{err}"
    );
    assert!(!err.contains("unexpected"), "{err}");

    let s = open(&db, None);
    let observer = only(&s, shuangsuiji::domain::role::Role::Observer);
    drop(s);
    let out = run(&db, &["user", "grant", &observer, "--role", "principal"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&db, &["user", "revoke", &observer, "principal"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&db, &["user", "grant", &observer, "--role", "lead"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = open(&db, None);
    let u = s
        .list_users()
        .unwrap()
        .into_iter()
        .find(|u| u.login == observer)
        .unwrap();
    use shuangsuiji::domain::role::Role;
    assert_eq!(u.roles, [Role::Observer, Role::Lead].into());
    let out = run(&db, &["user", "grant", &observer]);
    assert!(!out.status.success());
}

/// `calendar template` writes a notice file to fill in: refused as it stands (no source),
/// loaded once filled; the same year's deadlines are then no longer provisional.
#[test]
fn the_holiday_notice_template_loads_once_filled() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "c.db");
    let out = run(&db, &["calendar", "template", "2027"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "year = 2027",
        "source = \"\"",
        "days_off",
        "workdays",
        "元旦",
        "国庆节",
        "调休上班",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let file = dir.path().join("2027.toml");
    let out = run(
        &db,
        &[
            "calendar",
            "template",
            "--year",
            "2027",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    let out = run(
        &db,
        &[
            "calendar",
            "template",
            "--year",
            "2027",
            file.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "an existing file is not overwritten");

    let out = run(&db, &["calendar", "import", file.to_str().unwrap()]);
    assert!(!out.status.success(), "an unfilled template is refused");
    assert!(stderr(&out).contains("source"), "{}", stderr(&out));

    let filled = text
        .replace(
            "source = \"\"",
            "source = \"国务院办公厅关于2027年部分节假日安排的通知（测试）\"",
        )
        .replacen(
            "    # \"2027-MM-DD..2027-MM-DD\", # 元旦",
            "    \"2027-01-01..2027-01-03\", # 元旦",
            1,
        );
    std::fs::write(&file, filled).unwrap();
    let out = run(&db, &["calendar", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&db, &["calendar", "deadline", "--from", "2026-12-31"]);
    assert!(!stdout(&out).contains("临时"), "{}", stdout(&out));
}

/// A result submitted for a visit whose due date falls in a year without a notice (2027 in
/// the demo) says the date is provisional.
#[test]
fn result_submit_marks_a_due_date_in_an_unknown_year_provisional() {
    let dir = tempfile::tempdir().unwrap();
    let built = day("2026-12-02");
    let today = day("2026-12-15");
    let db = demo_copy_at(&dir, "dec.db", built);
    open_on(&db, "lead.liu", today)
        .run_draw("2026Q4-01", &seeds(), &[])
        .unwrap();
    let lead = open_on(&db, "lead.liu", today);
    let visit = lead
        .list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .find(|v| {
            v.draw_id == "2026Q4-01" && v.state == VisitState::Assigned && v.problem.is_none()
        })
        .expect("an assigned fourth-quarter visit");
    let officer = login_of(&lead, &visit.team[0].inspector);
    drop(lead);
    let mut s = open_on(&db, &officer, today);
    let reason = visit.outside_on(today).map(|_| "检查时间外，经队长同意");
    s.start_visit(visit.id, today, reason).unwrap();
    s.complete_visit(visit.id, today, reason).unwrap();
    let due = s.visit(visit.id).unwrap().due.unwrap();
    assert!(
        due.provisional && due.date.to_string().starts_with("2027-"),
        "{due:?}"
    );
    let result = clean_result(&s, visit.id);
    drop(s);
    let file = dir.path().join("r.toml");
    std::fs::write(&file, toml::to_string(&result).unwrap()).unwrap();
    let out = command(
        &db,
        &[
            "--as",
            &officer,
            "result",
            "submit",
            &visit.id.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
    )
    .env("SHUANGSUIJI_TODAY", "2026-12-15")
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains(&format!("期限 {}（临时）", due.date)),
        "{said}"
    );
}

/// `--help` speaks Chinese at every level: no "Usage", "Options", "Commands", "Print help".
#[test]
fn help_is_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["visit", "--help"],
        vec!["result", "template", "--help"],
        vec!["inspectors", "leave", "-h"],
        vec!["export", "--help"],
    ] {
        let out = run(&db, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let help = stdout(&out);
        assert!(help.contains("用法："), "{args:?}: {help}");
        assert!(help.contains("显示帮助"), "{args:?}: {help}");
        for english in [
            "Usage",
            "Options",
            "Commands",
            "Arguments",
            "Print help",
            "[OPTIONS]",
            "[default:",
            "Possible values",
            "possible values",
        ] {
            assert!(!help.contains(english), "{args:?} says {english}: {help}");
        }
    }
    let root = stdout(&run(&db, &["--help"]));
    assert!(
        root.contains("命令") && root.contains("选项") && root.contains("显示版本"),
        "{root}"
    );
    let version = run(&db, &["--version"]);
    assert!(
        stdout(&version).starts_with("shuangsuiji "),
        "{}",
        stdout(&version)
    );
    // A mistake's usage line is Chinese too.
    let out = run(&db, &["visit", "start", "--bogus"]);
    assert!(
        stderr(&out).contains("用法：shuangsuiji visit start [选项]"),
        "{}",
        stderr(&out)
    );
}

/// `init --empty` tells the order that works: inspectors imported before the users linked
/// to them.
#[test]
fn init_says_inspectors_come_before_linked_users() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prod.db");
    let out = std::process::Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "init", "--empty"])
        .env_remove("SHUANGSUIJI_DB")
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    let inspectors = said.find("import inspectors").expect(&said);
    let users = said.find("user add").expect(&said);
    assert!(inspectors < users, "{said}");
    assert!(said.contains("先导入执法人员，再添加用户"), "{said}");
}

/// An import error quotes the value that was typed.
#[test]
fn import_errors_quote_the_value_typed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "q.db");
    let good = shuangsuiji::domain::uscc::complete("91140522MA0K00001").unwrap();
    let last = good.chars().last().unwrap();
    let wrong = if last == 'X' { 'Y' } else { 'X' };
    let bad = format!("{}{wrong}", &good[..17]);
    let sheet = dir.path().join("对象.csv");
    std::fs::write(
        &sheet,
        format!("名称,统一社会信用代码,乡镇,检查对象类型\r\n甲厂,{bad},町店镇,排污单位\r\n乙厂,{good},町店镇,工厂\r\n"),
    )
    .unwrap();
    let out = run(&db, &["import", "entities", sheet.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("第2行 统一社会信用代码 “{bad}” 校验位错误")),
        "{err}"
    );
    assert!(err.contains("第3行 检查对象类型 “工厂”"), "{err}");
}

/// The docs of this area stand alone: no link out of the repository; the rules they cite are
/// in docs/rules.md, with the plan named by its number.
#[test]
fn the_docs_do_not_point_outside_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    names.push(root.join("README.md"));
    assert!(names.len() > 5);
    for path in names {
        let name = path.display();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("../shared"),
            "{name} links outside the repository"
        );
    }
    let rules = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    assert!(rules.contains("阳分环发〔2024〕6号"));
    assert!(rules.contains("## 6. Results"));
}

/// `entities set CODE FIELD VALUE --reason` changes one field, read as a one-row partial
/// sheet (the import's column names and checks), logged; mistakes are refused in Chinese and
/// change nothing.
#[test]
fn one_field_of_an_entity_is_set_with_a_logged_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::support::demo_copy(&dir, "d.db");
    let lead = crate::support::open(&path, "lead.liu");
    let e = lead
        .list_entities(&Default::default())
        .unwrap()
        .into_iter()
        .find(|c| {
            c.entity.uscc.is_some() && c.entity.credit_tier.map(|t| t.label()) != Some("高风险")
        })
        .unwrap();
    let code = e.id.clone();
    drop(lead);
    let cli =
        |args: &[&str]| crate::support::run(&path, &[&["--as", "lead.liu"][..], args].concat());
    let o = cli(&[
        "entities",
        "set",
        &code,
        "信用风险等级",
        "高风险",
        "--reason",
        "按年度信用评价结果调整",
    ]);
    assert!(o.status.success(), "{}", crate::support::stderr(&o));
    assert!(
        crate::support::stdout(&o).contains("已改为"),
        "{}",
        crate::support::stdout(&o)
    );
    let show = crate::support::stdout(&cli(&["entities", "show", &code]));
    assert!(
        show.lines()
            .any(|l| l.starts_with("信用风险") && l.contains("高风险")),
        "{show}"
    );
    let log = crate::support::stdout(&cli(&["audit", "log"]));
    assert!(log.contains("entities.set"), "{log}");
    let before = crate::support::stdout(&cli(&["entities", "show", &code, "--json"]));
    for (args, says) in [
        (
            vec![
                "entities",
                "set",
                &code,
                "颜色",
                "红",
                "--reason",
                "测试字段名",
            ],
            "颜色",
        ),
        (
            vec![
                "entities",
                "set",
                &code,
                "信用风险等级",
                "很高",
                "--reason",
                "测试取值",
            ],
            "很高",
        ),
        (
            vec![
                "entities",
                "set",
                "91000000000000000X",
                "信用风险等级",
                "低风险",
                "--reason",
                "测试代码",
            ],
            "91000000000000000X",
        ),
        (
            vec![
                "entities",
                "set",
                &code,
                "信用风险等级",
                "低风险",
                "--reason",
                "短",
            ],
            "理由",
        ),
    ] {
        let o = cli(&args);
        let err = crate::support::stderr(&o);
        assert!(!o.status.success() && err.contains(says), "{args:?}: {err}");
    }
    let o = crate::support::run(
        &path,
        &[
            "--as",
            "observer.chen",
            "entities",
            "set",
            &code,
            "信用风险等级",
            "低风险",
            "--reason",
            "观察员试改",
        ],
    );
    assert!(!o.status.success());
    let after = crate::support::stdout(&cli(&["entities", "show", &code, "--json"]));
    assert_eq!(before, after, "nothing changed by a refused edit");
}
