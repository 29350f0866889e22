//! Issue 15, items 1 and 3: day one at a bureau. The checklist at the top of docs/deploy.md,
//! command by command, on a fresh production database whose departments are spelled the
//! bureau's way, through a correction, the publicity export and the annual report; and
//! departments as data (the bureau's name, aliases, the import's refusal with the close
//! match, `draw prepare`'s refusal before any commitment).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::Datelike;
use shuangsuiji::services::visits::VisitFilter;
use shuangsuiji::services::{OpenOptions, Session, china_today, identity};

use crate::support::{self, BIN, stderr, stdout};

/// The binary on a production database: no `--today` from the environment (a production
/// database refuses one), no database from the environment.
fn prod(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SHUANGSUIJI_DB")
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .expect("the binary runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = prod(db, args);
    assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn refused(db: &Path, args: &[&str]) -> String {
    let o = prod(db, args);
    assert!(!o.status.success(), "{args:?} succeeded: {}", stdout(&o));
    stderr(&o)
}

/// The bureau's spelling of each department, as its personnel office types them.
const BUREAU: &str = "阳城分局";
const WATER: &str = "阳城县水利局";
const HOUSING: &str = "阳城县住房和城乡建设局";

/// The bureau's sheets: the demo county's registry exported through the templates' columns,
/// the inspectors' departments spelled the bureau's way, certificates valid and no leaves (so
/// that the day the test runs does not matter). Returns (entities, inspectors, inspectors
/// without the 水利局 officers).
fn bureau_sheets(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    // A copy: the shared demo database must not gain export events.
    let demo_dir = tempfile::tempdir().unwrap();
    let demo = &support::demo_copy(&demo_dir, "demo.db");
    let entities = dir.join("监管对象.csv");
    let exported = dir.join("demo-inspectors.csv");
    for (kind, file) in [("entities", &entities), ("inspectors", &exported)] {
        let o = support::run(demo, &["export", kind, file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut reader = csv::Reader::from_path(&exported).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (dept, expiry, leaves) = (col("所属部门"), col("执法证有效期至"), col("请假时段"));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for r in reader.records() {
        let mut r: Vec<String> = r.unwrap().iter().map(str::to_string).collect();
        r[dept] = match r[dept].as_str() {
            "水利局" => WATER,
            "住建局" => HOUSING,
            _ => BUREAU,
        }
        .to_string();
        r[expiry] = "2099-12-31".into();
        r[leaves] = String::new();
        rows.push(r);
    }
    let write = |name: &str, keep: &dyn Fn(&Vec<String>) -> bool| {
        let path = dir.join(name);
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(&headers).unwrap();
        for r in rows.iter().filter(|r| keep(r)) {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
        path
    };
    let all = write("执法人员.csv", &|_| true);
    let no_water = write("执法人员-缺水利局.csv", &|r| r[dept] != WATER);
    (entities, all, no_water)
}

/// The notes sheet of a template, as text.
fn template_notes(path: &Path) -> String {
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range("填写说明").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The 合计 row of the report's table whose header starts with `header`, by column.
fn total_row(md: &str, header: &str) -> std::collections::HashMap<String, String> {
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut lines = md.lines().skip_while(|l| !l.starts_with(header));
    let names = cells(lines.next().expect("the table"));
    let total = lines
        .find(|l| l.starts_with("| 合计 |"))
        .expect("the table's 合计 row");
    names.into_iter().zip(cells(total)).collect()
}

fn current_period() -> String {
    let today = china_today();
    format!("{}Q{}", today.year(), today.month0() / 3 + 1)
}

/// The checklist of docs/deploy.md, option B at the server (the test's own account is the
/// service account, so `--as` names the person), from `init --empty --bureau` to `doctor`.
#[test]
fn the_day_one_checklist_runs_on_a_fresh_production_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shuangsuiji.db");
    let me = identity::os_login().unwrap();
    let (entities, inspectors, no_water) = bureau_sheets(dir.path());

    // 1. The database, with the bureau's own name.
    let said = ok(&db, &["init", "--empty", "--bureau", BUREAU]);
    assert!(said.contains(&format!("本局：{BUREAU}")), "{said}");
    assert!(said.contains("先导入执法人员"), "{said}");
    ok(&db, &["settings", "service-account", &me]);
    let listed = ok(&db, &["settings", "departments"]);
    assert!(
        listed.contains(BUREAU) && listed.contains("水利局") && listed.contains("住建局"),
        "{listed}"
    );
    // The town list: 阳城县's towns, which the entity sheet's 乡镇 must name.
    let towns = ok(&db, &["settings", "towns"]);
    assert!(
        towns.contains("凤城镇") && towns.contains("驾岭乡"),
        "{towns}"
    );

    // 2. The templates; the inspectors' one names the configured departments, the entities'
    //    one the listed towns.
    let template = dir.path().join("执法人员模板.xlsx");
    ok(&db, &["template", "inspectors", template.to_str().unwrap()]);
    let notes = template_notes(&template);
    assert!(notes.contains(BUREAU), "{notes}");
    assert!(!notes.contains("县水利局"), "{notes}");
    let template = dir.path().join("e.xlsx");
    ok(&db, &["template", "entities", template.to_str().unwrap()]);
    let notes = template_notes(&template);
    assert!(notes.contains("凤城镇/北留镇"), "{notes}");

    // 3. The registry: entities, then inspectors. The personnel office's spelling is refused
    //    with the department meant, until the spelling is registered as an alias.
    ok(&db, &["import", "entities", entities.to_str().unwrap()]);
    let err = refused(&db, &["import", "inspectors", inspectors.to_str().unwrap()]);
    assert!(err.contains(&format!("{WATER} → 水利局？")), "{err}");
    assert!(err.contains(&format!("{HOUSING} → 住建局？")), "{err}");
    assert!(err.contains("所属部门"), "{err}");
    ok(
        &db,
        &[
            "settings",
            "department-alias",
            HOUSING,
            "住建局",
            "--reason",
            "人事科表格的写法",
        ],
    );
    // Only the 水利局 officers missing: the import passes, prepare will refuse.
    ok(&db, &["import", "inspectors", no_water.to_str().unwrap()]);

    // 4. Users, after the inspectors they are linked to.
    ok(
        &db,
        &[
            "user",
            "add",
            "zhang.wei",
            "--name",
            "张伟",
            "--role",
            "lead",
        ],
    );
    ok(
        &db,
        &[
            "user",
            "add",
            "wang.jz",
            "--name",
            "王局长",
            "--role",
            "principal",
        ],
    );
    ok(
        &db,
        &[
            "user",
            "add",
            "li.wen",
            "--name",
            "李文",
            "--role",
            "inspector",
            "--inspector",
            "YC-001",
        ],
    );

    // 5. The plans, then the draw of the current quarter.
    let year = china_today().year().to_string();
    ok(&db, &["plan", "init", "--year", &year]);
    let period = current_period();
    let before = Session::open(&db, &OpenOptions::default())
        .unwrap()
        .audit_checkpoint()
        .unwrap();
    let err = refused(
        &db,
        &["--as", "zhang.wei", "draw", "prepare", "--period", &period],
    );
    assert!(err.contains("LH-1") && err.contains("水利局"), "{err}");
    assert!(err.contains("未作任何承诺"), "{err}");
    let after = Session::open(&db, &OpenOptions::default())
        .unwrap()
        .audit_checkpoint()
        .unwrap();
    assert_eq!(before, after, "a refused prepare logs nothing");
    assert!(
        !ok(&db, &["draw", "list"]).contains(&period),
        "no draw was made"
    );

    ok(
        &db,
        &[
            "settings",
            "department-alias",
            WATER,
            "水利局",
            "--reason",
            "人事科表格的写法",
        ],
    );
    ok(&db, &["import", "inspectors", inspectors.to_str().unwrap()]);
    let said = ok(
        &db,
        &["--as", "zhang.wei", "draw", "prepare", "--period", &period],
    );
    let draw = format!("{period}-01");
    assert!(said.contains(&draw), "{said}");
    let said = ok(
        &db,
        &[
            "--as",
            "zhang.wei",
            "draw",
            "run",
            &draw,
            "--seed",
            support::SEEDS[0],
            "--seed",
            support::SEEDS[1],
            "--witness",
            "张三",
            "--witness",
            "李四",
        ],
    );
    assert!(said.contains("已运行"), "{said}");

    // 6. The printed record, verified from its file.
    let record = dir.path().join("记录.json");
    let json = ok(&db, &["--as", "zhang.wei", "draw", "show", &draw, "--json"]);
    std::fs::write(&record, json).unwrap();
    let said = ok(&db, &["draw", "verify", "--file", record.to_str().unwrap()]);
    assert!(said.contains("核验通过"), "{said}");
    // The record's teams are led by the bureau, under its configured name.
    let prepared: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert!(
        prepared
            .to_string()
            .contains(&format!("\"lead_department\":\"{BUREAU}\"")),
        "the record's lead department is the configured bureau"
    );

    // 7. A visit of li.wen's team: started, completed, its result, published.
    let s = Session::open(
        &db,
        &OpenOptions {
            act_as: Some("li.wen".into()),
            today: None,
        },
    )
    .unwrap();
    let today = china_today();
    let visit = s
        .list_visits(&VisitFilter {
            mine: true,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|v| v.draw_id == draw)
        .expect("li.wen's team has a visit");
    let id = visit.id.to_string();
    let date = today.to_string();
    let step = |verb: &str| {
        let mut args = vec![
            "--as",
            "li.wen",
            "visit",
            verb,
            id.as_str(),
            "--date",
            date.as_str(),
        ];
        if visit.outside_on(today).is_some() {
            args.extend(["--reason", "窗口外补充检查"]);
        }
        ok(&db, &args);
    };
    step("start");
    step("complete");
    let shown: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["--as", "li.wen", "result", "show", &id, "--json"],
    ))
    .unwrap();
    let mut result =
        String::from("categories = [\"未发现问题\"]\nremark = \"企业已签收检查记录\"\n");
    for item in shown["items"].as_array().unwrap() {
        result.push_str(&format!(
            "\n[[item]]\ncode = \"{}\"\noutcome = \"符合要求\"\n",
            item[0].as_str().unwrap()
        ));
    }
    let file = dir.path().join("结果.toml");
    std::fs::write(&file, result).unwrap();
    ok(
        &db,
        &[
            "--as",
            "li.wen",
            "result",
            "submit",
            &id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    ok(&db, &["--as", "li.wen", "visit", "publish", &id]);

    // 8. A correction filed by the inspector, approved by the principal (not by its filer):
    //    the result in force is the corrected one.
    let mut corrected = String::from(
        "categories = [\"发现问题已责令改正\"]\nfindings = \"危险废物贮存场所未设置识别标志\"\n\
         legal_basis = \"《中华人民共和国固体废物污染环境防治法》第七十七条\"\n\
         measure = \"责令当场改正，已设置标志\"\nremark = \"企业已签收检查记录\"\n",
    );
    for (i, item) in shown["items"].as_array().unwrap().iter().enumerate() {
        let (outcome, note) = if i == 0 {
            ("发现问题", "识别标志缺失")
        } else {
            ("符合要求", "")
        };
        corrected.push_str(&format!(
            "\n[[item]]\ncode = \"{}\"\noutcome = \"{outcome}\"\nnote = \"{note}\"\n",
            item[0].as_str().unwrap()
        ));
    }
    let file = dir.path().join("更正.toml");
    std::fs::write(&file, corrected).unwrap();
    let said = ok(
        &db,
        &[
            "--as",
            "li.wen",
            "result",
            "correct",
            &id,
            "--file",
            file.to_str().unwrap(),
            "--reason",
            "复核现场照片，漏记问题",
        ],
    );
    let correction: String = said
        .split("已提交更正 ")
        .nth(1)
        .expect("the correction's number")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let pending = ok(&db, &["--as", "wang.jz", "result", "pending"]);
    assert!(pending.contains("复核现场照片，漏记问题"), "{pending}");
    let err = refused(
        &db,
        &[
            "--as",
            "li.wen",
            "result",
            "approve-correction",
            &correction,
        ],
    );
    assert!(!err.is_empty());
    ok(
        &db,
        &[
            "--as",
            "wang.jz",
            "result",
            "approve-correction",
            &correction,
        ],
    );
    let shown = ok(&db, &["--as", "li.wen", "result", "show", &id]);
    assert!(
        shown.contains("现行结果（已更正）") && shown.contains("发现问题已责令改正"),
        "{shown}"
    );

    // 9. The publicity export names the bureau as configured and shows the corrected result.
    let entity = visit.entity.clone();
    let publicity = dir.path().join("公示.csv");
    ok(
        &db,
        &[
            "--as",
            "zhang.wei",
            "export",
            "publicity",
            publicity.to_str().unwrap(),
            "--period",
            &period,
        ],
    );
    let text = std::fs::read_to_string(&publicity).unwrap();
    assert!(text.contains(BUREAU), "{text}");
    assert!(!text.contains("晋城市生态环境局阳城分局"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains(&entity))
        .unwrap_or_else(|| panic!("the visit's row: {text}"));
    assert!(
        row.contains("发现问题已责令改正") && row.contains("已更正（原结果：未发现问题）"),
        "{row}"
    );

    // 10. The annual report: the year's figures, with the corrected result in force.
    let drawn = Session::open(
        &db,
        &OpenOptions {
            act_as: Some("zhang.wei".into()),
            today: None,
        },
    )
    .unwrap()
    .list_visits(&VisitFilter::default())
    .unwrap()
    .into_iter()
    .filter(|v| v.draw_id == draw)
    .count();
    let report = dir.path().join("年度报告.md");
    let said = ok(
        &db,
        &[
            "--as",
            "wang.jz",
            "report",
            "annual",
            "--year",
            &year,
            report.to_str().unwrap(),
        ],
    );
    assert!(said.contains("已生成"), "{said}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.starts_with(&format!("# {year}年度")), "{md}");
    let tasks = total_row(&md, "| 抽查任务编号 | 抽查任务名称");
    assert_eq!(tasks["检查任务数"], drawn.to_string(), "{md}");
    for column in ["已检查", "已录入", "发现问题", "已公示"] {
        assert_eq!(tasks[column], "1", "{column}: {md}");
    }
    let kinds = total_row(&md, "| 抽查任务编号 | 未发现问题");
    assert_eq!(kinds["发现问题已责令改正"], "1", "{md}");
    assert_eq!(kinds["未发现问题"], "0", "{md}");
    assert!(md.contains("作废的抽取：0 次"), "{md}");

    // 11. Backup and doctor.
    let backup = dir.path().join("备份.db");
    ok(&db, &["backup", backup.to_str().unwrap()]);
    let o = prod(&db, &["doctor"]);
    assert_ne!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("审计日志"), "{}", stdout(&o));
}

/// The bureau's name and the departments are edited with a logged reason; renaming the bureau
/// moves its officers and keeps the old name as an alias.
#[test]
fn departments_are_edited_with_a_logged_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let (_, inspectors, _) = bureau_sheets(dir.path());
    ok(&db, &["init", "--empty", "--bureau", BUREAU]);
    let entities = dir.path().join("监管对象.csv");
    ok(&db, &["import", "entities", entities.to_str().unwrap()]);
    // A reason is required.
    let err = refused(
        &db,
        &[
            "settings",
            "department-alias",
            WATER,
            "水利局",
            "--reason",
            " ",
        ],
    );
    assert!(err.contains("理由"), "{err}");
    // An alias must name a known department.
    let err = refused(
        &db,
        &[
            "settings",
            "department-alias",
            "某局",
            "公安局",
            "--reason",
            "试",
        ],
    );
    assert!(err.contains("公安局"), "{err}");
    ok(
        &db,
        &[
            "settings",
            "department-alias",
            WATER,
            "水利局",
            "--reason",
            "表格写法",
        ],
    );
    ok(
        &db,
        &[
            "settings",
            "department-alias",
            HOUSING,
            "住建局",
            "--reason",
            "表格写法",
        ],
    );
    ok(&db, &["import", "inspectors", inspectors.to_str().unwrap()]);

    let renamed = "晋城市生态环境局阳城分局";
    let said = ok(
        &db,
        &[
            "settings",
            "bureau",
            renamed,
            "--reason",
            "按机构编制文件全称",
        ],
    );
    assert!(said.contains("24 名执法人员"), "{said}");
    let s = Session::open(&db, &OpenOptions::default()).unwrap();
    let yc = s.list_inspectors().unwrap();
    let yc = yc.iter().find(|i| i.code == "YC-001").unwrap();
    assert_eq!(yc.department, renamed);
    let listed = ok(&db, &["settings", "departments"]);
    assert!(
        listed.contains(BUREAU),
        "the old name stays as an alias: {listed}"
    );
    // The sheet in the old spelling still imports (through the alias).
    ok(&db, &["import", "inspectors", inspectors.to_str().unwrap()]);
    let log = ok(&db, &["audit", "log"]);
    for action in ["settings.bureau", "settings.department_alias"] {
        assert!(log.contains(action), "{action}: {log}");
    }
    assert!(log.contains("按机构编制文件全称"), "{log}");

    // A new cooperating department, and then a sheet may name it.
    let err = refused(
        &db,
        &["settings", "department-add", "水利局", "--reason", "重复"],
    );
    assert!(err.contains("已登记"), "{err}");
    ok(
        &db,
        &[
            "settings",
            "department-add",
            "自然资源局",
            "--reason",
            "联合检查新增",
        ],
    );
    assert!(ok(&db, &["settings", "departments"]).contains("自然资源局"));
}

/// A demo database keeps the default bureau, and its draw still prepares.
#[test]
fn the_demo_still_prepares_under_the_default_bureau() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let s = support::open(&db, "lead.liu");
    let listed = s.departments().unwrap();
    assert!(
        listed
            .iter()
            .any(|d| d.bureau && d.name == shuangsuiji::domain::inspector::BUREAU),
        "{listed:?}"
    );
}

/// A plan task names its cooperating departments as the database lists them: an unlisted one
/// is refused with the department meant, and a listed one is accepted.
#[test]
fn a_plan_task_names_a_listed_department() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let mut task = shuangsuiji::domain::plan::seed_plans(2026)
        .into_iter()
        .flat_map(|p| p.tasks)
        .find(|t| t.code == "LH-1")
        .unwrap();
    task.code = "LH-3".into();
    task.cooperating_departments = vec![WATER.into()];
    let file = dir.path().join("任务.toml");
    std::fs::write(&file, toml::to_string(&task).unwrap()).unwrap();
    let add = |db: &Path| {
        support::run(
            db,
            &[
                "plan",
                "add-task",
                "--year",
                "2026",
                "--plan",
                "LH",
                "--file",
                file.to_str().unwrap(),
                "--reason",
                "增加联合检查任务",
            ],
        )
    };
    let o = add(&db);
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!("{WATER} → 水利局？")),
        "{}",
        stderr(&o)
    );

    task.cooperating_departments = vec!["水利局".into()];
    std::fs::write(&file, toml::to_string(&task).unwrap()).unwrap();
    let o = add(&db);
    assert!(o.status.success(), "{}", stderr(&o));
}
