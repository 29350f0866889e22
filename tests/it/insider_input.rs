//! What an insider can type: business dates in China Standard Time whatever `TZ` says, text
//! limits at every entry, invisible characters in names and codes, dates outside 2000–2100,
//! and `doctor` on the files that block writes (issue 10, items 6, 9, 11, 12 and 13).
//!
//! The parsers of dates, periods, codes, numbers and seed parts are fuzzed with proptest:
//! arbitrary strings never panic, and valid inputs read back as they were written.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::domain::audit::Checkpoint;
use shuangsuiji::domain::calendar::{self, china_time};
use shuangsuiji::domain::draw::commit::normalise_part;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::entity::{Entity, parse_registry_code};
use shuangsuiji::domain::inspector::{
    Conflict, Leave, format_conflicts, format_leaves, parse_conflicts, parse_inspector_code,
    parse_leaves,
};
use shuangsuiji::domain::result::InspectionResult;
use shuangsuiji::domain::text::{
    self, EXCEL_CELL_LIMIT, EXCEL_CUT_NOTE, TextKind, excel_cell, is_invisible, visible,
};
use shuangsuiji::domain::user::parse_login;
use shuangsuiji::domain::{parse_date, parse_day, parse_year, uscc};
use shuangsuiji::services::ServiceError;
use shuangsuiji::services::maintenance::{self, Finding};
use shuangsuiji::sheets::{self, Row, Table};
use shuangsuiji::tui;

use crate::support::{self, command, open, run, stderr, stdout};

// ---------------------------------------------------------------------------------------------
// Item 6: business dates are China Standard Time.

/// The binary on `db` with no `--today` from the environment (the clock decides), under `tz`
/// (`None`: `TZ` unset).
fn on_the_clock(db: &Path, tz: Option<&str>, args: &[&str]) -> Output {
    let mut c = command(db, args);
    c.env_remove("SHUANGSUIJI_TODAY");
    match tz {
        Some(tz) => c.env("TZ", tz),
        None => c.env_remove("TZ"),
    };
    c.output().expect("the binary runs")
}

/// A drawn demo copy turned into a production database: `--today` is refused there, so its
/// "today" is the clock's.
fn production_copy(dir: &tempfile::TempDir) -> (std::path::PathBuf, i64) {
    let db = support::drawn_copy(dir, "prod.db");
    let visit = support::assigned_q2_visit(&open(&db, "lead.liu"), |_| true).id;
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute(
        "UPDATE settings SET value = 'production' WHERE key = 'mode'",
        [],
    )
    .unwrap();
    drop(raw);
    // The production database refuses a fixed date outright.
    let o = run(&db, &["whoami"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--today"), "{}", stderr(&o));
    (db, visit)
}

/// Today in UTC+8, worked out here rather than by the code under test.
fn china_today() -> NaiveDate {
    let utc8 = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    chrono::Utc::now().with_timezone(&utc8).date_naive()
}

/// The zones that moved "today" before: UTC+23 (a day ahead of UTC+8 from 01:00 to 16:00
/// UTC) and UTC−12 (a day behind it from 16:00 to 12:00 UTC). At every hour one of the two
/// differs from UTC+8 by a day, so the checks below fail at any hour if the local date is used.
const ZONES: [Option<&str>; 3] = [None, Some("XYZ-23"), Some("UTC+12")];

#[test]
fn today_is_the_date_in_utc_plus_8_whatever_tz_says() {
    let dir = tempfile::tempdir().unwrap();
    let (db, visit) = production_copy(&dir);
    let id = visit.to_string();
    // Tomorrow in UTC+8 is a future date under every TZ, with the same words. (Should the
    // date in UTC+8 turn over between the runs, they are run again.)
    let refusals = loop {
        let today = china_today();
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap().to_string();
        let refusals: Vec<String> = ZONES
            .iter()
            .map(|tz| {
                let o = on_the_clock(&db, *tz, &["visit", "start", &id, "--date", &tomorrow]);
                assert_eq!(o.status.code(), Some(1), "TZ={tz:?}: {}", stdout(&o));
                stderr(&o)
            })
            .collect();
        if china_today() == today {
            assert!(
                refusals[0].contains(&format!("不能晚于今天 {today}")),
                "{}",
                refusals[0]
            );
            break refusals;
        }
    };
    assert!(
        refusals.iter().all(|r| r == &refusals[0]),
        "the refusal differs by TZ: {refusals:#?}"
    );
    // Today in UTC+8 is accepted with the clock a day behind (UTC−12), and the event is
    // stamped in UTC+8.
    let today = china_today();
    let o = on_the_clock(
        &db,
        Some("UTC+12"),
        &["visit", "start", &id, "--date", &today.to_string()],
    );
    if china_today() == today {
        assert!(o.status.success(), "{}", stderr(&o));
        let o = on_the_clock(
            &db,
            Some("UTC+12"),
            &["audit", "log", "--limit", "1", "--json"],
        );
        let events: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let at = events[0]["at"].as_str().unwrap();
        assert_eq!(events[0]["action"], "visit.start");
        assert!(at.ends_with("+08:00"), "{at}");
        assert!(at.starts_with(&today.to_string()), "{at}");
    }
}

#[test]
fn audit_times_keep_their_offset_and_are_shown_in_utc_plus_8() {
    assert_eq!(
        china_time("2026-05-20T18:30:00+00:00"),
        "2026-05-21T02:30:00+08:00"
    );
    assert_eq!(
        china_time("2026-05-20T09:00:00+08:00"),
        "2026-05-20T09:00:00+08:00"
    );
    assert_eq!(
        china_time("2026-05-20T00:30:00-12:00"),
        "2026-05-20T20:30:00+08:00"
    );
    assert_eq!(china_time("不是时间"), "不是时间");
    assert_eq!(calendar::china().local_minus_utc(), 8 * 3600);
}

// ---------------------------------------------------------------------------------------------
// Item 9: text limits at entry.

/// A result file (TOML) every check item of which is compliant, with `remark`.
fn result_file(dir: &Path, s: &shuangsuiji::services::Session, id: i64, remark: &str) -> String {
    let mut r = support::clean_result(s, id);
    r.remark = remark.to_string();
    let path = dir.join(format!("result-{}.toml", remark.chars().count()));
    std::fs::write(&path, toml::to_string(&r).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn a_remark_over_2000_characters_is_refused_naming_the_field_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let c = support::completed_visit(&dir, "remark.db", |_| true);
    let id = c.visit.id.to_string();
    let s = open(&c.db, c.officer.as_str());
    let long = result_file(dir.path(), &s, c.visit.id, &"长".repeat(2001));
    let fits = result_file(dir.path(), &s, c.visit.id, &"长".repeat(2000));
    drop(s);
    let submit = |file: &str| {
        run(
            &c.db,
            &["--as", &c.officer, "result", "submit", &id, "--file", file],
        )
    };
    let o = submit(&long);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("备注不能超过2000个字符（现有2001个）"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // Not even a draft keeps it, in the service the dashboard's form saves through.
    let mut s = open(&c.db, c.officer.as_str());
    let mut r = support::clean_result(&s, c.visit.id);
    r.remark = "长".repeat(2001);
    let err = s.save_draft(c.visit.id, &r).unwrap_err().to_string();
    assert_eq!(err, "备注不能超过2000个字符（现有2001个）");
    r.remark.clear();
    r.legal_basis = "依".repeat(501);
    let err = s.submit_result(c.visit.id, &r).unwrap_err().to_string();
    assert_eq!(err, "违法依据不能超过500个字符（现有501个）");
    assert!(s.result_view(c.visit.id).unwrap().submitted.is_none());
    drop(s);
    let o = submit(&fits);
    assert!(o.status.success(), "2,000 characters fit: {}", stderr(&o));
}

#[test]
fn the_result_form_names_text_over_its_limit_and_saves_no_such_draft() {
    let dir = tempfile::tempdir().unwrap();
    let c = support::completed_visit(&dir, "form.db", |_| true);
    let mut s = open(&c.db, c.officer.as_str());
    let mut m = tui::model_for(&s, false);
    tui::load::overview(&s, &mut m).unwrap();
    let press = |s: &mut shuangsuiji::services::Session, m: &mut _, code| {
        tui::handle(s, m, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    };
    // 检查任务, the completed visit selected, its form opened.
    press(&mut s, &mut m, KeyCode::Char('4'));
    assert_eq!(m.screen, shuangsuiji::tui::model::ScreenId::Visits);
    let at = m
        .visits
        .list
        .iter()
        .position(|v| v.id == c.visit.id)
        .expect("the visit is listed");
    m.visits.selected = at;
    press(&mut s, &mut m, KeyCode::Enter);
    let form = m.form.as_mut().expect("the result form opens");
    form.focus = shuangsuiji::tui::model::FormFocus::Remark;
    for _ in 0..2001 {
        press(&mut s, &mut m, KeyCode::Char('长'));
    }
    let form = m.form.as_ref().unwrap();
    assert!(
        form.problems
            .contains(&"备注不能超过2000个字符（现有2001个）".to_string()),
        "{:?}",
        form.problems
    );
    let draft = s.result_view(c.visit.id).unwrap().draft.expect("a draft");
    assert_eq!(
        draft.result.remark.chars().count(),
        2000,
        "the draft keeps the last text within the limit"
    );
}

/// The entity sheet's header and a row of the required columns with `name`, the valid USCC
/// `uscc` and 凤城镇.
fn entity_csv(rows: &[(&str, &str)]) -> String {
    let mut out = String::from("名称,统一社会信用代码,乡镇,检查对象类型,地址,备注\n");
    for (name, code) in rows {
        out.push_str(&format!("{name},{code},凤城镇,排污单位,,\n"));
    }
    out
}

fn import(db: &Path, kind: &str, file: &Path) -> Output {
    run(
        db,
        &["--as", "admin.li", "import", kind, file.to_str().unwrap()],
    )
}

/// Counts that an import refused leaves as they were: entities, inspectors, audit events.
fn counts(db: &Path) -> (i64, i64, i64) {
    let raw = rusqlite::Connection::open(db).unwrap();
    let n = |t: &str| {
        raw.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    (n("entities"), n("inspectors"), n("audit_log"))
}

#[test]
fn an_import_row_over_a_limit_is_refused_naming_row_column_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "limits.db");
    let before = counts(&db);
    let file = dir.path().join("entities.csv");
    let long_name = "阳".repeat(201);
    std::fs::write(
        &file,
        entity_csv(&[
            ("阳城县甲公司", "91140522MA0K00001P"),
            (&long_name, "91140522MA0K00002T"),
        ]),
    )
    .unwrap();
    let o = import(&db, "entities", &file);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("第3行 名称 不能超过200个字符（现有201个）"),
        "{err}"
    );
    assert!(err.contains("未导入任何数据"), "{err}");
    assert_eq!(counts(&db), before, "nothing written");
    // Every column has its limit: addresses 300, remarks 2,000, any other 500.
    let header = "名称,统一社会信用代码,乡镇,检查对象类型,地址,备注,行业\n";
    let row = |name: &str, code: &str, address: usize, note: usize, industry: usize| {
        format!(
            "{name},{code},凤城镇,排污单位,{},{},{}\n",
            "址".repeat(address),
            "注".repeat(note),
            "业".repeat(industry)
        )
    };
    std::fs::write(
        &file,
        format!(
            "{header}{}{}",
            row("甲", "91140522MA0K00001P", 301, 2001, 501),
            row("乙", "91140522MA0K00002T", 300, 2000, 500)
        ),
    )
    .unwrap();
    let o = import(&db, "entities", &file);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for want in [
        "第2行 地址 不能超过300个字符（现有301个）",
        "第2行 备注 不能超过2000个字符（现有2001个）",
        "第2行 行业 不能超过500个字符（现有501个）",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(
        !err.contains("第3行"),
        "the row at the limits passes: {err}"
    );
    assert_eq!(counts(&db), before, "nothing written");
}

#[test]
fn inspector_and_check_item_imports_have_limits_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "people.db");
    let before = counts(&db);
    let file = dir.path().join("inspectors.csv");
    std::fs::write(
        &file,
        format!(
            "人员编号,姓名,所属部门\nYC-901,{},县水利局\nYC-902,王五,{}\n",
            "张".repeat(201),
            "局".repeat(201)
        ),
    )
    .unwrap();
    let err = stderr(&import(&db, "inspectors", &file));
    assert!(
        err.contains("第2行 姓名 不能超过200个字符（现有201个）"),
        "{err}"
    );
    assert!(
        err.contains("第3行 所属部门 不能超过200个字符（现有201个）"),
        "{err}"
    );
    let file = dir.path().join("items.csv");
    std::fs::write(
        &file,
        format!(
            "编号,类别序号,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据\n\
             9-1,9,类别,事项,排污单位,一般事项,现场检查,县局,{}\n",
            "法".repeat(501)
        ),
    )
    .unwrap();
    let err = stderr(&import(&db, "items", &file));
    assert!(
        err.contains("第2行 检查依据 不能超过500个字符（现有501个）"),
        "{err}"
    );
    assert_eq!(counts(&db), before, "nothing written");
}

#[test]
fn free_text_on_the_command_line_is_limited_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "cli.db");
    let before = counts(&db);
    let long = "理".repeat(501);
    let code = open(&db, "admin.li")
        .list_entities(&Default::default())
        .unwrap()[0]
        .id
        .clone();
    for (args, want) in [
        (
            vec![
                "entities",
                "exclude",
                &code,
                "--as-reason",
                "搬迁",
                "--reason",
                &long,
            ],
            "理由不能超过500个字符（现有501个）",
        ),
        (
            vec!["inspectors", "duty", "YC-001", "off", "--reason", &long],
            "理由不能超过500个字符（现有501个）",
        ),
    ] {
        let o = run(&db, &[&["--as", "admin.li"][..], &args[..]].concat());
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    let name = "名".repeat(201);
    let o = run(
        &db,
        &[
            "--as", "admin.li", "user", "add", "x.y", "--name", &name, "--role", "observer",
        ],
    );
    assert!(
        stderr(&o).contains("姓名不能超过200个字符（现有201个）"),
        "{}",
        stderr(&o)
    );
    assert_eq!(counts(&db), before, "nothing written");
}

#[test]
fn exports_never_fail_on_stored_text_and_cut_it_for_excel_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let c = support::completed_visit(&dir, "export.db", |_| true);
    let mut s = open(&c.db, c.officer.as_str());
    s.submit_result(c.visit.id, &support::clean_result(&s, c.visit.id))
        .unwrap();
    drop(s);
    // A 40,000-character remark stored before the limits (written past the append-only
    // trigger, as an old version could have stored it).
    let raw = rusqlite::Connection::open(&c.db).unwrap();
    let data: String = raw
        .query_row(
            "SELECT data FROM results WHERE visit_id = ?1",
            [c.visit.id],
            |r| r.get(0),
        )
        .unwrap();
    let mut r: InspectionResult = serde_json::from_str(&data).unwrap();
    r.remark = "超".repeat(40_000);
    raw.execute_batch("DROP TRIGGER results_no_update").unwrap();
    raw.execute(
        "UPDATE results SET data = ?1 WHERE visit_id = ?2",
        rusqlite::params![serde_json::to_string(&r).unwrap(), c.visit.id],
    )
    .unwrap();
    drop(raw);
    let xlsx = dir.path().join("公示.xlsx");
    let o = run(
        &c.db,
        &[
            "--as",
            "lead.liu",
            "export",
            "publicity",
            xlsx.to_str().unwrap(),
            "--period",
            "2026Q2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let table = sheets::read_table(&xlsx).unwrap();
    let remark_col = table.headers.iter().position(|h| h == "备注").unwrap();
    let cut = table
        .rows
        .iter()
        .map(|r| &r.cells[remark_col])
        .find(|cell| cell.starts_with("超超超"))
        .expect("the long remark is in the workbook");
    assert_eq!(cut.chars().count(), EXCEL_CELL_LIMIT);
    assert!(cut.ends_with(EXCEL_CUT_NOTE), "{}", &cut[cut.len() - 40..]);
}

// ---------------------------------------------------------------------------------------------
// Item 11: invisible characters.

#[test]
fn names_and_codes_with_invisible_characters_are_refused_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "bidi.db");
    let before = counts(&db);
    let file = dir.path().join("entities.csv");
    let csv = "名称,统一社会信用代码,登记编码,乡镇,检查对象类型,所有人\n\
               阳城\u{202E}煤业,91140522MA0K00001P,,凤城镇,排污单位,\n\
               挖掘机,,FDL\u{200B}-1,凤城镇,非道路移动机械,某\u{FEFF}某\n\
               乙公司,91140522MA0K00002T,,北\u{2066}留镇,排污单位,\n\
               丙公司,9114052\u{200D}2MA0K00003X,,凤城镇,排污单位,\n";
    std::fs::write(&file, csv).unwrap();
    let o = import(&db, "entities", &file);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for want in [
        "第2行 名称 含有不可见字符 <U+202E>（第3个字符）",
        "第3行 登记编码 含有不可见字符 <U+200B>（第4个字符）",
        "第3行 所有人 含有不可见字符 <U+FEFF>（第2个字符）",
        "第4行 乡镇 含有不可见字符 <U+2066>（第2个字符）",
        "第5行 统一社会信用代码 含有不可见字符 <U+200D>（第8个字符）",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(
        !err.contains('\u{202E}') && !err.contains('\u{200B}'),
        "the message shows them, not the characters: {err:?}"
    );
    let file = dir.path().join("inspectors.csv");
    std::fs::write(
        &file,
        "人员编号,姓名,所属部门\nYC-901,张\u{200B}伟,县水利局\n",
    )
    .unwrap();
    let err = stderr(&import(&db, "inspectors", &file));
    assert!(
        err.contains("第2行 姓名 含有不可见字符 <U+200B>（第2个字符）"),
        "{err}"
    );
    // Typed on the command line too.
    let o = run(
        &db,
        &[
            "--as",
            "admin.li",
            "user",
            "add",
            "zhang.w",
            "--name",
            "张\u{202E}伟",
            "--role",
            "observer",
        ],
    );
    assert!(
        stderr(&o).contains("姓名含有不可见字符 <U+202E>（第2个字符）"),
        "{}",
        stderr(&o)
    );
    assert_eq!(counts(&db), before, "nothing written");
}

/// A demo copy with one entity's name holding U+202E and U+200B, written straight into the
/// table (as an older version, or someone with the file, could have stored it): its id.
fn stored_invisible(db: &Path) -> String {
    let raw = rusqlite::Connection::open(db).unwrap();
    let (code, data): (String, String) = raw
        .query_row(
            "SELECT code, data FROM entities ORDER BY code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut e: Entity = serde_json::from_str(&data).unwrap();
    e.name = format!("隐\u{202E}藏\u{200B}{}", e.name);
    raw.execute(
        "UPDATE entities SET name = ?1, data = ?2 WHERE code = ?3",
        rusqlite::params![e.name, serde_json::to_string(&e).unwrap(), code],
    )
    .unwrap();
    code
}

#[test]
fn stored_invisible_characters_are_shown_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "shown.db");
    let code = stored_invisible(&db);
    for args in [
        vec!["entities", "list", "--search", "隐"],
        vec!["entities", "show", &code],
    ] {
        let o = run(&db, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("隐<U+202E>藏<U+200B>"), "{args:?}: {out}");
        assert!(!out.chars().any(is_invisible), "{args:?}: {out:?}");
    }
    // JSON keeps the stored value, escaped so that it is seen.
    let o = run(&db, &["entities", "show", &code, "--json"]);
    let out = stdout(&o);
    assert!(out.contains("隐\\u202e藏\\u200b"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["name"]
            .as_str()
            .unwrap()
            .starts_with("隐\u{202E}藏\u{200B}")
    );
}

/// The text of a rendered dashboard, 120 columns by 40 rows.
fn screen_text(m: &shuangsuiji::tui::model::Model) -> String {
    support::drawn(m, 120, 40)
}

#[test]
fn stored_invisible_characters_are_shown_in_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "tui.db");
    let code = stored_invisible(&db);
    let mut s = open(&db, "lead.liu");
    let mut m = tui::model_for(&s, false);
    tui::load::overview(&s, &mut m).unwrap();
    let key = |c| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    tui::handle(&mut s, &mut m, key(KeyCode::Char('2')));
    let e = &mut m.entities;
    let at = e
        .shown
        .iter()
        .position(|i| e.all[*i].id == code)
        .expect("the entity is listed");
    e.selected = at;
    let list = screen_text(&m);
    assert!(list.contains("隐<U+202E>藏<U+200B>"), "{list}");
    tui::handle(&mut s, &mut m, key(KeyCode::Enter));
    assert!(m.entities.detail);
    let detail = screen_text(&m);
    assert!(detail.contains("隐<U+202E>藏<U+200B>"), "{detail}");
    assert!(!detail.chars().any(is_invisible));
}

// ---------------------------------------------------------------------------------------------
// Item 12: dates outside 2000–2100, at every parser.

#[test]
fn far_off_dates_and_years_are_refused_in_words_never_with_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "dates.db");
    let cases: Vec<Vec<&str>> = vec![
        vec!["calendar", "deadline", "--from", "+262142-12-31"],
        vec!["calendar", "deadline", "--from", "1999-12-31"],
        vec!["calendar", "deadline", "--from", "2101-01-01"],
        vec!["calendar", "show", "99999"],
        vec!["visit", "start", "1", "--date=-0001-01-01"],
        vec!["visit", "list", "--year", "262143"],
        vec!["plan", "list", "--year", "1900"],
        vec!["report", "annual", "--year", "3000", "x.md"],
        vec![
            "inspectors",
            "leave",
            "YC-001",
            "--from",
            "2026-06-01",
            "--to",
            "9999-12-31",
            "--reason",
            "病假",
        ],
        vec!["--today", "2101-01-01", "stats"],
    ];
    for args in cases {
        let o = run(&db, &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("超出范围"), "{args:?}: {err}");
        assert!(err.contains("2000年至2100年"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // In a file: an entity's date, an officer's leave.
    let file = dir.path().join("entities.csv");
    std::fs::write(
        &file,
        "名称,统一社会信用代码,乡镇,检查对象类型,行政处罚或举报查实日期\n\
         甲,91140522MA0K00001P,凤城镇,排污单位,1999-12-31\n",
    )
    .unwrap();
    let err = stderr(&import(&db, "entities", &file));
    assert!(
        err.contains("第2行 行政处罚或举报查实日期 日期“1999-12-31”超出范围"),
        "{err}"
    );
    let file = dir.path().join("inspectors.csv");
    std::fs::write(
        &file,
        "人员编号,姓名,所属部门,请假时段\nYC-901,张伟,县水利局,2026-03-01~+99999-03-10 病假\n",
    )
    .unwrap();
    let err = stderr(&import(&db, "inspectors", &file));
    assert!(err.contains("第2行 请假时段"), "{err}");
    assert!(err.contains("超出范围"), "{err}");
    // The services refuse them as well (the dashboard and library callers).
    let s = open(&db, "lead.liu");
    let far = NaiveDate::from_ymd_opt(262_142, 12, 31).unwrap();
    let err = s.deadline(far, 20).unwrap_err();
    assert!(
        matches!(err, ServiceError::InvalidField { field: "from", .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Item 13: doctor sees what blocks writes.

/// A database's side file (`-wal`, `-shm`).
fn side(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

fn file_problems(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.check == "文件权限" && f.level != "ok")
        .collect()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn doctor_reports_a_read_only_shm_or_wal_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "live.db");
    chmod(&db, 0o660);
    // Someone has the database open: its -wal and -shm are there.
    let holder = open(&db, "lead.liu");
    let shm = side(&db, "-shm");
    let wal = side(&db, "-wal");
    assert!(shm.exists() && wal.exists());
    assert!(file_problems(&maintenance::file_findings(&db)).is_empty());
    chmod(&shm, 0o444);
    let o = run(&db, &["doctor"]);
    assert_eq!(o.status.code(), Some(1), "an error: {}", stdout(&o));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("-shm"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with("错误"), "{line}");
    assert!(line.contains("只读"), "{line}");
    assert!(
        line.contains(&format!("修复：chmod 660 {}", shm.display())),
        "{line}"
    );
    assert!(
        !out.lines()
            .any(|l| l.contains("文件权限") && l.starts_with("正常")),
        "{out}"
    );
    chmod(&shm, 0o660);
    chmod(&wal, 0o440);
    let found = maintenance::file_findings(&db);
    let problems = file_problems(&found);
    assert_eq!(problems.len(), 1, "{found:?}");
    assert_eq!(problems[0].level, "fail");
    assert!(
        problems[0]
            .detail
            .ends_with(&format!("修复：chmod 660 {}", wal.display())),
        "{}",
        problems[0].detail
    );
    chmod(&wal, 0o660);
    drop(holder);
}

#[test]
fn doctor_reports_the_wrong_mode_of_the_database_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "mode.db");
    for (mode, level, want) in [
        (0o440, "fail", "属主不能读写"),
        (0o640, "fail", "同组用户只能读不能写"),
        (0o664, "warn", "其他用户可访问"),
    ] {
        chmod(&db, mode);
        let found = maintenance::file_findings(&db);
        let problems = file_problems(&found);
        assert_eq!(problems.len(), 1, "{mode:o}: {found:?}");
        assert_eq!(problems[0].level, level, "{mode:o}");
        assert!(problems[0].detail.contains(want), "{}", problems[0].detail);
        assert!(
            problems[0]
                .detail
                .ends_with(&format!("修复：chmod 660 {}", db.display())),
            "{}",
            problems[0].detail
        );
    }
    chmod(&db, 0o600);
    let found = maintenance::file_findings(&db);
    assert!(file_problems(&found).is_empty(), "{found:?}");
    assert!(found[0].detail.starts_with("600 "), "{found:?}");
}

#[test]
fn doctor_reports_a_side_file_of_the_wrong_owner_with_the_fix() {
    if !nix::unistd::getuid().is_root() {
        eprintln!("skipped: changing a file's owner needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = support::demo_copy(&dir, "owner.db");
    chmod(&db, 0o600);
    let holder = open(&db, "lead.liu");
    let shm = side(&db, "-shm");
    // Owner-only (one service account): a -shm owned by another account blocks it.
    let nobody = nix::unistd::Uid::from_raw(65_534);
    nix::unistd::chown(&shm, Some(nobody), None).unwrap();
    let found = maintenance::file_findings(&db);
    let problems = file_problems(&found);
    assert_eq!(problems.len(), 1, "{found:?}");
    assert_eq!(problems[0].level, "fail");
    let me = shuangsuiji::services::identity::os_login().unwrap();
    assert!(
        problems[0].detail.contains("属主为 "),
        "{}",
        problems[0].detail
    );
    assert!(
        problems[0].detail.contains(&format!("修复：chown {me}:")),
        "{}",
        problems[0].detail
    );
    nix::unistd::chown(&shm, Some(nix::unistd::getuid()), None).unwrap();
    assert!(file_problems(&maintenance::file_findings(&db)).is_empty());
    drop(holder);
}

// ---------------------------------------------------------------------------------------------
// Fuzzing every date, number and code parser (stable proptest).

/// A date in 2000–2100.
fn valid_date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..=2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

/// Strings near what the parsers read: digits, separators, signs, letters, CJK and the odd
/// invisible character, mixed with arbitrary text.
fn near_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9+\\-/.年月日Qq ]{0,24}",
        "[+-]?[0-9]{1,12}-[0-9]{1,3}-[0-9]{1,3}",
        "[0-9A-Za-z\\-\u{202E}\u{200B}\u{FF10}-\u{FF19}]{0,40}",
    ]
}

proptest! {
    #![proptest_config(crate::proptest_config(256))]

    #[test]
    fn dates_never_panic_and_stay_within_2000_to_2100(text in near_text()) {
        for d in [parse_date(&text), parse_day(&text)].into_iter().flatten() {
            prop_assert!((2000..=2100).contains(&d.year()), "{text:?} → {d}");
        }
        if let Ok(y) = parse_year(&text) {
            prop_assert!((2000..=2100).contains(&y));
        }
    }

    #[test]
    fn valid_dates_round_trip_in_every_spelling(d in valid_date()) {
        let (y, m, day) = (d.year(), d.month(), d.day());
        for text in [
            d.to_string(),
            format!("{y}/{m}/{day}"),
            format!("{y}.{m}.{day}"),
            format!("{y}年{m}月{day}日"),
            format!(" {y}-{m}-{day} "),
        ] {
            prop_assert_eq!(parse_date(&text), Ok(d));
            prop_assert_eq!(parse_day(&text), Ok(d));
        }
        prop_assert_eq!(parse_year(&y.to_string()), Ok(y));
    }

    #[test]
    fn periods_never_panic_and_round_trip(text in near_text(), y in 2000i32..=2100, q in 1u32..=4) {
        if let Ok(p) = text.parse::<Period>() {
            prop_assert!((2000..=2100).contains(&p.year) && (1..=4).contains(&p.quarter));
            let _ = (p.first_day(), p.last_day());
        }
        let p = Period { year: y, quarter: q };
        prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
        prop_assert_eq!(p.to_string().to_lowercase().parse::<Period>(), Ok(p));
    }

    #[test]
    fn codes_never_panic_and_valid_ones_round_trip(
        text in near_text(),
        body in "[0-9A-HJ-NP-RTUW-Y]{17}",
        registry in "[A-Z0-9][A-Z0-9\\-]{0,31}",
        login in "[a-z][a-z0-9._\\-]{0,31}",
    ) {
        let _ = (uscc::parse(&text), parse_registry_code(&text), parse_inspector_code(&text));
        let _ = parse_login(&text);
        let code = uscc::complete(&body).expect("17 characters of the alphabet");
        prop_assert_eq!(uscc::parse(&code), Ok(code.clone()));
        prop_assert_eq!(uscc::parse(&code.to_lowercase()), Ok(code.clone()));
        prop_assert_eq!(parse_registry_code(&registry), Ok(registry.clone()));
        prop_assert_eq!(parse_inspector_code(&registry.to_lowercase()), Ok(registry.clone()));
        prop_assert_eq!(parse_login(&login), Ok(login.clone()));
        // A code with an invisible character never passes.
        let hidden = format!("{}\u{200B}{}", &code[..9], &code[9..]);
        prop_assert!(uscc::parse(&hidden).is_err());
        prop_assert!(text::check_identifier(TextKind::Other, &hidden).is_err());
    }

    #[test]
    fn seed_parts_never_panic_and_digits_round_trip(text in near_text(), digits in "[0-9]{1,40}") {
        if let Ok(part) = normalise_part(&text) {
            prop_assert!(!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        }
        prop_assert_eq!(normalise_part(&digits), Ok(digits.clone()));
        let wide: String = digits
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        prop_assert_eq!(normalise_part(&wide), Ok(digits.clone()));
    }

    #[test]
    fn numbers_never_panic(
        text in near_text(),
        part in any::<usize>(),
        whole in any::<usize>(),
        bp in any::<u32>(),
        n in 0usize..10_000_000,
    ) {
        let _ = shuangsuiji::services::reports::percent(part, whole);
        let _ = shuangsuiji::domain::plan::pct(bp);
        prop_assert!(shuangsuiji::domain::draw::quota::ceil_share(n, bp) as usize <= n);
        if let Ok(cp) = text.parse::<Checkpoint>() {
            prop_assert_eq!(cp.to_string().parse::<Checkpoint>(), Ok(cp));
        }
    }

    #[test]
    fn checkpoints_round_trip(size in any::<u64>(), hash in "[0-9a-f]{64}") {
        let text = format!("{size}:{hash}");
        let cp: Checkpoint = text.parse().unwrap();
        prop_assert_eq!(cp.to_string(), text);
    }

    #[test]
    fn leave_and_conflict_cells_never_panic_and_round_trip(
        text in near_text(),
        from in valid_date(),
        days in 0u64..400,
        reason in "[\u{4e00}-\u{4e20}]{0,8}",
        entity in "[A-Z0-9][A-Z0-9\\-]{0,17}",
    ) {
        let _ = (parse_leaves(&text), parse_conflicts(&text));
        let to = from.checked_add_days(Days::new(days)).unwrap();
        if to.year() <= 2100 {
            let leaves = vec![Leave { from, to, reason: reason.clone() }];
            prop_assert_eq!(parse_leaves(&format_leaves(&leaves)), Ok(leaves));
        }
        if !reason.is_empty() {
            let conflicts = vec![Conflict { entity, reason }];
            prop_assert_eq!(parse_conflicts(&format_conflicts(&conflicts)), Ok(conflicts));
        }
    }

    #[test]
    fn notice_and_result_files_never_panic(text in near_text()) {
        let _ = calendar::parse_toml(&text);
        let _ = calendar::parse_csv(&text);
        let _ = calendar::parse_csv(&format!("日期,类型,来源\n{text}"));
        let _ = toml::from_str::<InspectionResult>(&text);
        let _ = shuangsuiji::domain::draw::record::parse_record(&text);
    }

    #[test]
    fn sheet_rows_never_panic(cells in prop::collection::vec(near_text(), 0..26)) {
        let headers: Vec<String> = [
            "名称", "统一社会信用代码", "登记编码", "乡镇", "地址", "行业", "联系人", "联系电话",
            "检查对象类型", "排污许可管理类别", "重点排污单位名录", "重污染天气绩效分级",
            "挂牌督办", "超标通报", "行政处罚或举报查实日期", "监督执法正面清单", "环评类别",
            "信用风险等级", "生产状态", "生产月份", "入河排污口河流", "所有人",
            "所有人统一社会信用代码", "不参与双随机原因", "备注",
        ]
        .map(String::from)
        .to_vec();
        let table = |headers: Vec<String>| Table {
            header_row: 1,
            headers,
            rows: vec![Row { number: 2, cells: cells.clone() }],
        };
        let _ = sheets::parse_entities(&table(headers.clone()));
        let _ = sheets::parse_inspectors(&table(
            ["人员编号", "姓名", "执法证号", "执法证有效期至", "所属部门", "股室/大队", "专业",
             "负责片区", "在岗", "联系电话", "请假时段", "回避对象"].map(String::from).to_vec(),
        ));
        let _ = sheets::parse_check_items(&table(
            ["编号", "类别序号", "抽查类别", "抽查事项", "检查对象", "事项类别", "检查方式",
             "检查主体", "检查依据"].map(String::from).to_vec(),
        ));
    }

    #[test]
    fn text_rules_hold_for_any_text(text in any::<String>(), n in 0usize..3000) {
        prop_assert!(!visible(&text).chars().any(is_invisible));
        prop_assert_eq!(visible(&text) == text.as_str(), !text.chars().any(is_invisible));
        let cut = excel_cell(&text);
        prop_assert!(cut.encode_utf16().count() <= EXCEL_CELL_LIMIT);
        let long = "长".repeat(n);
        prop_assert_eq!(text::check(TextKind::Remark, &long).is_ok(), n <= 2000);
        prop_assert_eq!(text::check(TextKind::Name, &long).is_ok(), n <= 200);
    }
}
