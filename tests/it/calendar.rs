//! The working calendar through the services and the binary: the domain-rules vectors, every
//! day of the notices table, provisional dates for a year without a notice, imports (all or
//! nothing, admin only) and the `calendar` commands.

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Weekday};
use shuangsuiji::domain::calendar::{WorkingCalendar, shipped};
use shuangsuiji::domain::role::Role;
use shuangsuiji::services::{ServiceError, Session};

use crate::support::{self, day as d, open, run, stderr, stdout};

fn demo(dir: &tempfile::TempDir) -> PathBuf {
    support::demo_copy(dir, "cal.db")
}

fn audit_size(s: &Session) -> u64 {
    s.audit_checkpoint().unwrap().size
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Domain rules §7, written out here independently of data/holidays.toml.
/// (year, days off beyond weekends as inclusive ranges, 调休 working weekend days)
type Year = (
    i32,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

const TABLE: [Year; 3] = [
    (
        2024,
        &[
            ("01-01", "01-01"),
            ("02-10", "02-17"),
            ("04-04", "04-06"),
            ("05-01", "05-05"),
            ("06-10", "06-10"),
            ("09-15", "09-17"),
            ("10-01", "10-07"),
        ],
        &[
            "02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12",
        ],
    ),
    (
        2025,
        &[
            ("01-01", "01-01"),
            ("01-28", "02-04"),
            ("04-04", "04-06"),
            ("05-01", "05-05"),
            ("05-31", "06-02"),
            ("10-01", "10-08"),
        ],
        &["01-26", "02-08", "04-27", "09-28", "10-11"],
    ),
    (
        2026,
        &[
            ("01-01", "01-03"),
            ("02-15", "02-23"),
            ("04-04", "04-06"),
            ("05-01", "05-05"),
            ("06-19", "06-21"),
            ("09-25", "09-27"),
            ("10-01", "10-07"),
        ],
        &["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
    ),
];

const VECTORS: [(&str, &str); 8] = [
    ("2024-02-05", "2024-03-08"),
    ("2024-09-20", "2024-10-23"),
    ("2024-12-20", "2025-01-20"),
    ("2025-01-20", "2025-02-21"),
    ("2025-09-25", "2025-10-29"),
    ("2026-02-10", "2026-03-16"),
    ("2026-09-15", "2026-10-19"),
    ("2026-12-01", "2026-12-29"),
];

fn md(year: i32, text: &str) -> NaiveDate {
    d(&format!("{year}-{text}"))
}

#[test]
fn every_day_of_the_table_is_as_the_notices_say() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo(&dir), None);
    let stored = s.calendar().unwrap();
    let from_file = WorkingCalendar::new(&shipped());
    for cal in [&stored, &from_file] {
        for (year, off, work) in TABLE {
            assert!(cal.known(year));
            let mut listed_off = Vec::new();
            for (a, b) in off {
                let (a, b) = (md(year, a), md(year, b));
                let mut day = a;
                while day <= b {
                    assert!(!cal.is_working_day(day), "{day} is a day off");
                    listed_off.push(day);
                    day = day.succ_opt().unwrap();
                }
            }
            for w in work {
                let day = md(year, w);
                assert!(
                    matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                    "{day}"
                );
                assert!(cal.is_working_day(day), "{day} is a 调休 working day");
            }
            // Every other day of the year follows the week.
            let mut day = md(year, "01-01");
            while day.year() == year {
                if !listed_off.contains(&day) && !work.iter().any(|w| md(year, w) == day) {
                    let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                    assert_eq!(cal.is_working_day(day), weekday, "{day}");
                }
                day = day.succ_opt().unwrap();
            }
        }
    }
    // The stored notices are the shipped ones, sources included.
    for n in shipped() {
        assert_eq!(s.holiday_notice(n.year).unwrap().as_ref(), Some(&n));
    }
}

#[test]
fn the_eight_vectors_through_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo(&dir), None);
    for (from, due) in VECTORS {
        let dl = s.deadline(d(from), 20).unwrap();
        assert_eq!(dl.date, d(due), "from {from}");
        assert!(!dl.provisional, "from {from}");
    }
    assert!(s.deadline(d("2026-09-15"), 0).is_err());
}

const NOTICE_2027: &str = r#"
# A test notice for 2027 (not the real one).
[[notice]]
year = 2027
source = "测试用2027年节假日安排"
days_off = ["2027-01-01", "2027-02-06..2027-02-13"]
workdays = ["2027-02-20"]
"#;

#[test]
fn a_year_without_a_notice_is_provisional_until_its_notice_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir);
    let mut s = open(&path, None);
    assert_eq!(s.holiday_notice(2027).unwrap(), None);
    // Weekends only: 2027-01-01 (Friday) counts, so the 20th working day is Thursday 01-28.
    let dl = s.deadline(d("2026-12-31"), 20).unwrap();
    assert_eq!(dl.date, d("2027-01-28"));
    assert!(dl.provisional);
    assert_eq!(dl.unknown_years, vec![2027]);
    let size = audit_size(&s);
    let file = write(&dir, "2027.toml", NOTICE_2027);
    assert_eq!(s.import_calendar(&file).unwrap(), vec![2027]);
    assert_eq!(audit_size(&s), size + 1);
    let dl = s.deadline(d("2026-12-31"), 20).unwrap();
    assert_eq!(dl.date, d("2027-01-29"));
    assert!(!dl.provisional);
    let n = s.holiday_notice(2027).unwrap().unwrap();
    assert_eq!(n.days_off.len(), 9);
    let ev = s
        .audit_events(&Default::default())
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(ev.action, "calendar.import");
    let detail: serde_json::Value = serde_json::from_str(&ev.detail).unwrap();
    assert_eq!(detail["year"], 2027);
    assert!(detail["before"].is_null());
    assert_eq!(detail["after"]["source"], "测试用2027年节假日安排");
    // The same file again changes nothing and is refused.
    let err = s.import_calendar(&file).unwrap_err();
    assert!(err.to_string().contains("完全相同"), "{err}");
    assert_eq!(audit_size(&s), size + 1);
    // A different notice for the year replaces it, and the audit keeps the old one.
    let changed = write(
        &dir,
        "2027b.csv",
        "日期,类型,来源\n2027-01-01,休,测试用2027年节假日安排（修订）\n2027-02-22,放假,\n",
    );
    assert_eq!(s.import_calendar(&changed).unwrap(), vec![2027]);
    let n = s.holiday_notice(2027).unwrap().unwrap();
    assert_eq!(n.workdays, vec![]);
    assert_eq!(n.days_off, vec![d("2027-01-01"), d("2027-02-22")]);
    let ev = &s.audit_events(&Default::default()).unwrap()[0];
    let detail: serde_json::Value = serde_json::from_str(&ev.detail).unwrap();
    assert_eq!(detail["before"]["source"], "测试用2027年节假日安排");
}

#[test]
fn bad_files_are_rejected_whole_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir);
    let mut s = open(&path, None);
    let size = audit_size(&s);
    let before_2026 = s.holiday_notice(2026).unwrap();
    let cases = [
        (
            "weekday.toml",
            NOTICE_2027.replace("2027-02-20", "2027-02-17"),
            "调休上班日 2027-02-17 是星期三，应为星期六或星期日",
        ),
        (
            "outside.toml",
            NOTICE_2027.replace("\"2027-01-01\"", "\"2026-12-31\""),
            "2026-12-31 不在2027年内",
        ),
        (
            "range.toml",
            NOTICE_2027.replace("2027-02-06..2027-02-13", "2027-02-13..2027-02-06"),
            "的结束日早于开始日",
        ),
        (
            "garbled.toml",
            NOTICE_2027.replace("2027-02-06..2027-02-13", "2027-02-06...13"),
            "无法识别",
        ),
        // A good 2027 next to a bad 2026 replacement: neither is stored.
        (
            "mixed.toml",
            format!(
                "{NOTICE_2027}\n[[notice]]\nyear = 2026\nsource = \"改\"\ndays_off = [\"2026-01-01\"]\nworkdays = [\"2026-03-04\"]\n"
            ),
            "第13行 workdays 调休上班日 2026-03-04 是星期三",
        ),
        (
            "weekday.csv",
            "日期,类型,来源\n2027-01-01,休,测试\n2027-02-17,班,\n".to_string(),
            "第3行 日期 调休上班日 2027-02-17 是星期三",
        ),
    ];
    for (name, text, expected) in cases {
        let file = write(&dir, name, &text);
        let err = s.import_calendar(&file).unwrap_err();
        assert!(matches!(err, ServiceError::Rejected(_)), "{name}: {err:?}");
        let ServiceError::Rejected(problems) = &err else {
            unreachable!()
        };
        let text = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains(expected), "{name}: {text}");
        assert!(err.to_string().contains("未导入任何数据"), "{err}");
        assert_eq!(s.holiday_notice(2027).unwrap(), None, "{name}");
        assert_eq!(s.holiday_notice(2026).unwrap(), before_2026, "{name}");
        assert_eq!(audit_size(&s), size, "{name}");
    }
    let err = s
        .import_calendar(&write(&dir, "notice.xlsx", "x"))
        .unwrap_err();
    assert!(err.to_string().contains(".toml 或 .csv"), "{err}");
    assert_eq!(audit_size(&s), size);
}

#[test]
fn only_an_admin_imports_and_everyone_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir);
    let admin = open(&path, None);
    let lead = support::only(&admin, Role::Lead);
    let size = audit_size(&admin);
    let mut s = open(&path, &lead);
    let file = write(&dir, "2027.toml", NOTICE_2027);
    let err = s.import_calendar(&file).unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err:?}");
    assert!(err.to_string().contains("维护节假日安排"), "{err}");
    assert_eq!(s.holiday_notice(2027).unwrap(), None);
    assert_eq!(audit_size(&s), size);
    // Reading is for everyone.
    assert!(s.calendar().unwrap().known(2026));
    assert_eq!(
        s.deadline(d("2026-09-15"), 20).unwrap().date,
        d("2026-10-19")
    );
}

/// An administrator corrects one day of a loaded notice, with a reason; the deadline follows,
/// the audit log has the reason and both versions, and nobody else may.
#[test]
fn an_admin_changes_one_day_with_a_reason() {
    use shuangsuiji::services::calendar::DayKind;
    let dir = tempfile::tempdir().unwrap();
    let path = demo(&dir);
    let mut admin = open(&path, None);
    // Friday 2026-11-13: the next working day is Monday 11-16 until Saturday 11-14 is worked.
    assert_eq!(
        admin.deadline(d("2026-11-13"), 1).unwrap().date,
        d("2026-11-16")
    );
    let size = audit_size(&admin);
    let short = admin.set_calendar_day(d("2026-11-14"), DayKind::Workday, "补");
    assert!(short.unwrap_err().to_string().contains("理由"));
    admin
        .set_calendar_day(d("2026-11-14"), DayKind::Workday, "县政府通知调休上班")
        .unwrap();
    assert_eq!(
        admin.deadline(d("2026-11-13"), 1).unwrap().date,
        d("2026-11-14")
    );
    let events = admin
        .audit_events(&shuangsuiji::domain::audit::EventFilter {
            limit: Some(1),
            ..Default::default()
        })
        .unwrap();
    let ev = &events[0];
    assert_eq!((ev.seq, ev.action.as_str()), (size + 1, "calendar.edit"));
    let detail: serde_json::Value = serde_json::from_str(&ev.detail).unwrap();
    assert_eq!(detail["reason"], "县政府通知调休上班");
    assert!(
        !detail["before"]["workdays"]
            .to_string()
            .contains("2026-11-14")
    );
    assert!(
        detail["after"]["workdays"]
            .to_string()
            .contains("2026-11-14")
    );
    // The same again changes nothing; a weekday cannot be a 调休 working day; a year with no
    // notice has nothing to correct.
    let again = admin.set_calendar_day(d("2026-11-14"), DayKind::Workday, "县政府通知调休上班");
    assert!(again.unwrap_err().to_string().contains("未作更改"));
    let weekday = admin.set_calendar_day(d("2026-11-12"), DayKind::Workday, "写错的日期");
    assert!(weekday.unwrap_err().to_string().contains("星期四"));
    let unknown = admin.set_calendar_day(d("2027-01-04"), DayKind::Off, "提前安排假期");
    assert!(unknown.unwrap_err().to_string().contains("尚未载入"));
    // Back to ordinary: the notice as it was.
    admin
        .set_calendar_day(d("2026-11-14"), DayKind::Ordinary, "撤回：通知已取消")
        .unwrap();
    assert_eq!(
        admin.deadline(d("2026-11-13"), 1).unwrap().date,
        d("2026-11-16")
    );
    let size = audit_size(&admin);
    let mut lead = open(&path, "lead.liu");
    assert!(matches!(
        lead.set_calendar_day(d("2026-11-14"), DayKind::Workday, "队长想调休上班"),
        Err(ServiceError::Denied { .. })
    ));
    assert_eq!(audit_size(&lead), size);
}

#[test]
fn the_calendar_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let o = run(&db, &["init", "--demo"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = run(&db, &["calendar", "deadline", "--from", "2026-09-15"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("截止日期：2026-10-19\n"), "{out}");
    assert!(!out.contains("临时"), "{out}");

    let o = run(
        &db,
        &["calendar", "deadline", "--from", "2026-09-15", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["date"], "2026-10-19");
    assert_eq!(v["provisional"], false);
    assert_eq!(v["days"], 20);
    assert_eq!(v["countdown"], "ample");

    let o = run(&db, &["calendar", "deadline", "--from", "2026-12-31"]);
    let out = stdout(&o);
    assert!(
        out.contains("2027-01-28（临时：2027年节假日安排未载入，仅按周末计算）"),
        "{out}"
    );

    let o = run(&db, &["calendar", "show", "2027"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("未载入2027年节假日安排，按周末计算（临时）"),
        "{}",
        stdout(&o)
    );
    let o = run(&db, &["calendar", "show", "2027", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["loaded"], false);

    let o = run(&db, &["calendar", "show", "2025"]);
    let out = stdout(&o);
    assert!(out.contains("国办发明电〔2024〕12号"), "{out}");
    assert!(out.contains("01-28至02-04（8天）"), "{out}");
    assert!(out.contains("09-28（星期日）"), "{out}");

    let bad = write(
        &dir,
        "bad.toml",
        &NOTICE_2027.replace("2027-02-20", "2027-02-17"),
    );
    let o = run(&db, &["calendar", "import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("第7行 workdays"), "{}", stderr(&o));

    let good = write(&dir, "good.toml", NOTICE_2027);
    let o = run(&db, &["calendar", "import", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("已载入2027年节假日安排"),
        "{}",
        stdout(&o)
    );
    let o = run(&db, &["calendar", "deadline", "--from", "2026-12-31"]);
    assert!(
        stdout(&o).contains("截止日期：2027-01-29\n"),
        "{}",
        stdout(&o)
    );
}
