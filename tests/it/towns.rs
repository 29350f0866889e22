//! Issue 15's leftovers, items 1 and 2: 乡镇 is checked against the town list the database
//! holds (seeded with 阳城县's towns, edited with a logged reason), and a cooperating
//! department is renamed (its officers, aliases and plan tasks following) or removed.

use std::path::{Path, PathBuf};

use shuangsuiji::domain::audit::EventFilter;

use crate::support::{self, stderr, stdout};

fn ok(db: &Path, args: &[&str]) -> String {
    let o = support::run(db, args);
    assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn refused(db: &Path, args: &[&str]) -> String {
    let o = support::run(db, args);
    assert!(!o.status.success(), "{args:?} succeeded: {}", stdout(&o));
    stderr(&o)
}

/// The actions of the audit log, oldest first.
fn actions(db: &Path) -> Vec<String> {
    support::open(db, None)
        .audit_events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// The towns `settings towns --json` lists, in its order.
fn listed(db: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&ok(db, &["settings", "towns", "--json"])).unwrap();
    v["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// The entity library exported as a CSV: (headers, rows).
fn exported(db: &Path, dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    // Exported from a copy: the database under test gains no export event.
    let copy = dir.join("导出用.db");
    std::fs::copy(db, &copy).unwrap();
    let file = dir.join("导出.csv");
    ok(&copy, &["export", "entities", file.to_str().unwrap()]);
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

fn write_csv(path: &Path, headers: &[String], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(headers).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

fn column(headers: &[String], name: &str) -> usize {
    headers.iter().position(|h| h == name).unwrap()
}

/// The stored town of the entity `code`.
fn town_of(db: &Path, code: &str) -> String {
    support::open(db, None)
        .show_entity(code)
        .unwrap()
        .entity
        .entity
        .town
}

#[test]
fn every_database_starts_with_the_countys_towns() {
    let dir = tempfile::tempdir().unwrap();
    // A production database: 阳城县's towns, as the demo county has them, in the same order.
    let db = dir.path().join("p.db");
    let o = support::command(&db, &["init", "--empty"])
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let towns = support::command(&db, &["settings", "towns", "--json"])
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&towns.stdout).unwrap();
    let names: Vec<&str> = v["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, shuangsuiji::demo::TOWNS);

    // The demo: every entity's town is listed, and the counts add up to the library.
    let demo = support::demo_copy(&dir, "demo.db");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&demo, &["settings", "towns", "--json"])).unwrap();
    assert_eq!(v["unlisted"].as_array().unwrap().len(), 0, "{v}");
    let counted: u64 = v["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["entities"].as_u64().unwrap())
        .sum();
    let library = support::open(&demo, None)
        .list_entities(&Default::default())
        .unwrap()
        .len();
    assert_eq!(counted as usize, library);
    let table = ok(&demo, &["settings", "towns"]);
    assert!(
        table.starts_with("乡镇") && table.contains("凤城镇"),
        "{table}"
    );
}

/// A full sheet with two towns typed wrong: both rows are refused with the town meant, and
/// nothing is imported; corrected, it imports.
#[test]
fn an_import_refuses_an_unlisted_town_with_the_close_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let (headers, mut rows) = exported(&db, dir.path());
    let (town, uscc, name) = (
        column(&headers, "乡镇"),
        column(&headers, "统一社会信用代码"),
        column(&headers, "名称"),
    );
    // Rows 8 and 12 of the sheet (the header is row 1), one in 凤城镇, one elsewhere.
    let pick = |rows: &Vec<Vec<String>>, t: &str| {
        rows.iter()
            .position(|r| r[town] == t && !r[uscc].is_empty())
            .unwrap()
    };
    let feng = rows.remove(pick(&rows, "凤城镇"));
    let other = rows.remove(pick(&rows, "北留镇"));
    rows.insert(6, feng);
    rows.insert(10, other);
    let (code8, code12) = (rows[6][uscc].clone(), rows[10][uscc].clone());
    rows[6][town] = "凤城".into();
    rows[10][town] = "阳城县北留镇".into();
    // A new entity in a town that is no town at all: no match offered.
    let mut new = rows[0].clone();
    new[uscc] = String::new();
    new[column(&headers, "登记编码")] = "TEST-TOWN-1".into();
    new[name] = "新增测试单位".into();
    new[town] = "火星".into();
    rows.push(new);
    let sheet = dir.path().join("监管对象.csv");
    write_csv(&sheet, &headers, &rows);

    let before = actions(&db).len();
    let err = refused(&db, &["import", "entities", sheet.to_str().unwrap()]);
    assert!(
        err.contains("第8行 乡镇 “凤城” 不在乡镇名单中，是否为“凤城镇”？"),
        "{err}"
    );
    assert!(
        err.contains("第12行 乡镇 “阳城县北留镇” 不在乡镇名单中，是否为“北留镇”？"),
        "{err}"
    );
    let last = rows.len() + 1;
    assert!(
        err.contains(&format!("第{last}行 乡镇 “火星” 不在乡镇名单中（")),
        "{err}"
    );
    // All or nothing: nothing logged, nothing changed.
    assert_eq!(actions(&db).len(), before);
    assert_eq!(town_of(&db, &code8), "凤城镇");
    assert_eq!(town_of(&db, &code12), "北留镇");

    // Corrected, the same sheet imports (the new unit's town added to the list first).
    rows[6][town] = "凤城镇".into();
    rows[10][town] = "润城镇".into();
    write_csv(&sheet, &headers, &rows);
    let err = refused(&db, &["import", "entities", sheet.to_str().unwrap()]);
    assert!(err.contains("“火星”"), "{err}");
    ok(
        &db,
        &["settings", "town-add", "火星", "--reason", "测试用乡镇"],
    );
    ok(&db, &["import", "entities", sheet.to_str().unwrap()]);
    assert_eq!(town_of(&db, &code12), "润城镇");
    assert_eq!(town_of(&db, "TEST-TOWN-1"), "火星");
}

/// A partial sheet of 统一社会信用代码 and 乡镇 is checked the same way; one that does not
/// change the town is not, so a town stored before the list (not listed) stays importable.
#[test]
fn partial_sheets_and_entities_set_check_the_town_typed() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let (headers, rows) = exported(&db, dir.path());
    let uscc = column(&headers, "统一社会信用代码");
    let coded: Vec<&Vec<String>> = rows.iter().filter(|r| !r[uscc].is_empty()).collect();
    let (a, b) = (coded[0][uscc].clone(), coded[1][uscc].clone());

    let partial = dir.path().join("乡镇更正.csv");
    let heads = vec!["统一社会信用代码".to_string(), "乡镇".to_string()];
    write_csv(
        &partial,
        &heads,
        &[
            vec![a.clone(), "润城镇".into()],
            vec![b.clone(), "芹池".into()],
        ],
    );
    let err = refused(&db, &["import", "entities", partial.to_str().unwrap()]);
    assert!(
        err.contains("第3行 乡镇 “芹池” 不在乡镇名单中，是否为“芹池镇”？"),
        "{err}"
    );
    assert!(!err.contains("第2行"), "a listed town passes: {err}");
    assert_ne!(town_of(&db, &a), "润城镇", "nothing imported");

    // `entities set` reads the same way.
    let err = refused(
        &db,
        &[
            "entities",
            "set",
            &a,
            "乡镇",
            "横河",
            "--reason",
            "地址核实更正",
        ],
    );
    assert!(
        err.contains("乡镇 “横河” 不在乡镇名单中，是否为“横河镇”？"),
        "{err}"
    );
    ok(
        &db,
        &[
            "entities",
            "set",
            &a,
            "乡镇",
            "横河镇",
            "--reason",
            "地址核实更正",
        ],
    );
    assert_eq!(town_of(&db, &a), "横河镇");

    // A town stored before the list (written here behind the services' back, as an older
    // database has it): listed as unlisted, and a sheet that leaves it alone still imports.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE entities SET town = '老城关', data = json_set(data, '$.town', '老城关') WHERE code = ?1",
            [&b],
        )
        .unwrap();
    }
    let shown = ok(&db, &["settings", "towns"]);
    assert!(shown.contains("老城关（1个）"), "{shown}");
    let note = dir.path().join("备注.csv");
    write_csv(
        &note,
        &["统一社会信用代码".to_string(), "备注".to_string()],
        &[vec![b.clone(), "已核实".into()]],
    );
    ok(&db, &["import", "entities", note.to_str().unwrap()]);
    assert_eq!(town_of(&db, &b), "老城关");
}

/// The list is edited with a logged reason; a town still used is not removed, and the
/// refusal says how many entities are in it.
#[test]
fn towns_are_added_and_removed_with_a_logged_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let err = refused(&db, &["settings", "town-add", "新城镇", "--reason", " "]);
    assert!(err.contains("理由"), "{err}");
    let err = refused(
        &db,
        &["settings", "town-add", "凤城镇", "--reason", "重复添加"],
    );
    assert!(err.contains("已在乡镇名单中"), "{err}");
    ok(
        &db,
        &[
            "settings",
            "town-add",
            "新城镇",
            "--reason",
            "行政区划调整新设",
        ],
    );
    assert_eq!(listed(&db).last().map(String::as_str), Some("新城镇"));

    let used = support::open(&db, None)
        .list_entities(&Default::default())
        .unwrap()
        .iter()
        .filter(|e| e.entity.town == "驾岭乡")
        .count();
    assert!(used > 0);
    let err = refused(
        &db,
        &["settings", "town-remove", "驾岭乡", "--reason", "撤并"],
    );
    assert!(
        err.contains(&format!("乡镇“驾岭乡”仍有 {used} 个监管对象")),
        "{err}"
    );
    assert!(listed(&db).contains(&"驾岭乡".to_string()));
    let err = refused(
        &db,
        &["settings", "town-remove", "新城", "--reason", "撤并"],
    );
    assert!(err.contains("是否为“新城镇”"), "{err}");

    ok(
        &db,
        &[
            "settings",
            "town-remove",
            "新城镇",
            "--reason",
            "录入有误，撤回",
        ],
    );
    assert!(!listed(&db).contains(&"新城镇".to_string()));
    let events = support::open(&db, None)
        .audit_events(&EventFilter::default())
        .unwrap();
    let add = events
        .iter()
        .find(|e| e.action == "settings.town_add")
        .unwrap();
    assert_eq!(add.subject, "新城镇");
    assert!(add.detail.contains("行政区划调整新设"), "{}", add.detail);
    let remove = events
        .iter()
        .find(|e| e.action == "settings.town_remove")
        .unwrap();
    assert!(
        remove.detail.contains("录入有误，撤回"),
        "{}",
        remove.detail
    );
    // Only users who configure the system edit the list.
    let o = support::run(
        &db,
        &[
            "--as", "lead.liu", "settings", "town-add", "某镇", "--reason", "试试",
        ],
    );
    assert!(!o.status.success());
}

/// The entity template names the database's towns; without a database, a listed town.
#[test]
fn the_entity_template_offers_the_listed_towns() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    ok(
        &db,
        &[
            "settings",
            "town-add",
            "新城镇",
            "--reason",
            "行政区划调整新设",
        ],
    );
    let template = dir.path().join("监管对象模板.xlsx");
    ok(&db, &["template", "entities", template.to_str().unwrap()]);
    let notes = notes_of(&template);
    let row = notes
        .lines()
        .find(|l| l.starts_with("乡镇\t"))
        .unwrap()
        .to_string();
    assert!(
        row.contains("凤城镇/") && row.contains("新城镇") && row.contains("settings towns"),
        "{row}"
    );

    let bare = dir.path().join("无库模板.xlsx");
    let o = support::run_without_db(dir.path(), &["template", "entities", "无库模板.xlsx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let row = notes_of(&bare)
        .lines()
        .find(|l| l.starts_with("乡镇\t"))
        .unwrap()
        .to_string();
    let example = shuangsuiji::demo::TOWNS[0];
    assert!(row.contains(&format!("如 {example}")), "{row}");
}

fn notes_of(path: &PathBuf) -> String {
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

/// Renaming 水利局: its officers, its aliases and the plan task that names it follow in one
/// transaction, the old name stays an alias, and the next draw prepares with the new name.
#[test]
fn a_department_is_renamed_with_everything_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let water: Vec<String> = support::open(&db, None)
        .list_inspectors()
        .unwrap()
        .into_iter()
        .filter(|i| i.department == "水利局")
        .map(|i| i.code)
        .collect();
    assert!(!water.is_empty());
    ok(
        &db,
        &[
            "settings",
            "department-alias",
            "阳城县水利局",
            "水利局",
            "--reason",
            "人事科写法",
        ],
    );
    // A name already taken, the bureau, or an unknown department: refused.
    let err = refused(
        &db,
        &[
            "settings",
            "department-rename",
            "水利局",
            "住建局",
            "--reason",
            "机构改革",
        ],
    );
    assert!(err.contains("已登记"), "{err}");
    let err = refused(
        &db,
        &[
            "settings",
            "department-rename",
            shuangsuiji::domain::inspector::BUREAU,
            "分局",
            "--reason",
            "机构改革",
        ],
    );
    assert!(err.contains("settings bureau"), "{err}");
    let err = refused(
        &db,
        &[
            "settings",
            "department-rename",
            "水务局",
            "县水务局",
            "--reason",
            "机构改革",
        ],
    );
    assert!(err.contains("水务局"), "{err}");

    // A task the 水利局 initiates, since removed: it is carried along too.
    let mut task = shuangsuiji::domain::plan::seed_plans(2026)
        .into_iter()
        .flat_map(|p| p.tasks)
        .find(|t| t.code == "LH-1")
        .unwrap();
    task.code = "LH-3".into();
    task.seq = 3;
    task.initiating_unit = "水利局".into();
    let file = dir.path().join("任务.toml");
    std::fs::write(&file, toml::to_string(&task).unwrap()).unwrap();
    let plan = ["--year", "2026", "--plan", "LH"];
    ok(
        &db,
        &[
            &["plan", "add-task"][..],
            &plan,
            &["--file", file.to_str().unwrap(), "--reason", "增加联合检查"],
        ]
        .concat(),
    );
    ok(
        &db,
        &[
            &["plan", "remove-task"][..],
            &plan,
            &["--task", "LH-3", "--reason", "本年不再开展"],
        ]
        .concat(),
    );

    let said = ok(
        &db,
        &[
            "settings",
            "department-rename",
            "水利局",
            "阳城县水务局",
            "--reason",
            "机构改革更名",
        ],
    );
    assert!(
        said.contains(&format!("{} 名执法人员", water.len()))
            && said.contains("2 项计划任务")
            && said.contains("2026年 LH-1、2026年 LH-3（已删除的任务）"),
        "{said}"
    );
    let s = support::open(&db, None);
    for i in s.list_inspectors().unwrap() {
        assert_ne!(i.department, "水利局", "{}", i.code);
        if water.contains(&i.code) {
            assert_eq!(i.department, "阳城县水务局", "{}", i.code);
        }
    }
    let lh1 = s
        .list_plans(Some(2026))
        .unwrap()
        .into_iter()
        .flat_map(|p| p.plan.tasks)
        .find(|t| t.code == "LH-1")
        .unwrap();
    assert_eq!(lh1.cooperating_departments, vec!["阳城县水务局"]);
    let lh3 = s
        .list_plans(Some(2026))
        .unwrap()
        .into_iter()
        .flat_map(|p| p.removed)
        .find(|t| t.code == "LH-3")
        .unwrap();
    assert_eq!(lh3.cooperating_departments, vec!["阳城县水务局"]);
    assert_eq!(lh3.initiating_unit, "阳城县水务局");
    assert_eq!(lh3.lines, task.lines, "the rest of the task is untouched");
    let ds = s.departments().unwrap();
    let renamed = ds.iter().find(|d| d.name == "阳城县水务局").unwrap();
    assert_eq!(renamed.aliases, vec!["水利局", "阳城县水利局"]);
    assert!(!ds.iter().any(|d| d.name == "水利局"));
    let event = s
        .audit_events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "settings.department_rename")
        .unwrap();
    assert!(
        event.detail.contains("机构改革更名") && event.detail.contains("\"before\":\"水利局\""),
        "{}",
        event.detail
    );
    drop(s);

    // The next quarter prepares: the task and the officers agree on the new name.
    let said = ok(
        &db,
        &["--as", "lead.liu", "draw", "prepare", "--period", "2026Q3"],
    );
    assert!(said.contains("2026Q3-01"), "{said}");
    let record = ok(
        &db,
        &["--as", "lead.liu", "draw", "show", "2026Q3-01", "--json"],
    );
    assert!(
        record.contains("阳城县水务局"),
        "the prepared draw names the new name"
    );
}

/// Removing a department: refused for the bureau and while officers or plan tasks name it
/// (naming them); a department nothing uses goes, with its aliases, logged.
#[test]
fn a_department_is_removed_only_when_nothing_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "demo.db");
    let err = refused(
        &db,
        &[
            "settings",
            "department-remove",
            shuangsuiji::domain::inspector::BUREAU,
            "--reason",
            "试删本局",
        ],
    );
    assert!(err.contains("是本局，不能删除"), "{err}");
    let err = refused(
        &db,
        &[
            "settings",
            "department-remove",
            "住建局",
            "--reason",
            "不再配合",
        ],
    );
    assert!(
        err.contains("执法人员 3 名（") && err.contains("计划任务 1 项（2026年 LH-2）"),
        "{err}"
    );
    let err = refused(
        &db,
        &[
            "settings",
            "department-remove",
            "阳城县住建局",
            "--reason",
            "不再配合",
        ],
    );
    assert!(err.contains("住建局？"), "{err}");
    assert!(
        support::open(&db, None)
            .departments()
            .unwrap()
            .iter()
            .any(|d| d.name == "住建局")
    );

    ok(
        &db,
        &[
            "settings",
            "department-add",
            "自然资源局",
            "--reason",
            "拟联合检查",
        ],
    );
    ok(
        &db,
        &[
            "settings",
            "department-alias",
            "县自然资源局",
            "自然资源局",
            "--reason",
            "表格写法",
        ],
    );
    // An alias names the department, not itself.
    let err = refused(
        &db,
        &[
            "settings",
            "department-remove",
            "县自然资源局",
            "--reason",
            "计划取消",
        ],
    );
    assert!(err.contains("别名"), "{err}");
    ok(
        &db,
        &[
            "settings",
            "department-remove",
            "自然资源局",
            "--reason",
            "计划取消",
        ],
    );
    let s = support::open(&db, None);
    assert!(
        !s.departments()
            .unwrap()
            .iter()
            .any(|d| d.name == "自然资源局" || d.aliases.contains(&"县自然资源局".to_string()))
    );
    let event = s
        .audit_events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "settings.department_remove")
        .unwrap();
    assert_eq!(event.subject, "自然资源局");
    assert!(
        event.detail.contains("县自然资源局") && event.detail.contains("计划取消"),
        "{}",
        event.detail
    );
}
