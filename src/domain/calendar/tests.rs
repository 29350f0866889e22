use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::new(&shipped())
}

#[test]
fn the_shipped_notices_are_2024_to_2026_and_valid() {
    let notices = shipped();
    assert_eq!(
        notices.iter().map(|n| n.year).collect::<Vec<_>>(),
        vec![2024, 2025, 2026]
    );
    for n in &notices {
        assert!(n.problems().is_empty(), "{}: {:?}", n.year, n.problems());
        assert!(
            n.source
                .contains(&format!("关于{}年部分节假日安排的通知", n.year))
        );
    }
    // 2024 spring festival: 02-10..02-17 is eight days, weekend days included.
    let spring: Vec<_> = notices[0]
        .days_off
        .iter()
        .filter(|x| x.month() == 2)
        .collect();
    assert_eq!(spring.len(), 8);
    assert_eq!(notices[1].workdays.len(), 5);
}

#[test]
fn the_domain_rules_vectors() {
    let c = cal();
    for (from, due) in [
        ("2024-02-05", "2024-03-08"),
        ("2024-09-20", "2024-10-23"),
        ("2024-12-20", "2025-01-20"),
        ("2025-01-20", "2025-02-21"),
        ("2025-09-25", "2025-10-29"),
        ("2026-02-10", "2026-03-16"),
        ("2026-09-15", "2026-10-19"),
        ("2026-12-01", "2026-12-29"),
    ] {
        let dl = c.add_working_days(d(from), RESULT_DEADLINE_DAYS);
        assert_eq!(dl.date, d(due), "from {from}");
        assert!(!dl.provisional, "from {from}");
        assert_eq!(c.working_days_between(d(from), d(due)), 20);
    }
}

#[test]
fn a_year_without_a_notice_counts_weekends_only_and_is_provisional() {
    let c = cal();
    assert!(!c.known(2027));
    // 2027-01-01 is a Friday: a working day while the schedule is unknown.
    assert!(c.is_working_day(d("2027-01-01")));
    let dl = c.add_working_days(d("2026-12-31"), 20);
    assert_eq!(dl.date, d("2027-01-28"));
    assert!(dl.provisional);
    assert_eq!(dl.unknown_years, vec![2027]);
    assert_eq!(
        dl.to_string(),
        "2027-01-28（临时：2027年节假日安排未载入，仅按周末计算）"
    );
    assert_eq!(
        cal().add_working_days(d("2026-09-15"), 20).to_string(),
        "2026-10-19"
    );
    // Starting on the last day of an unknown year touches only the next one.
    let c = WorkingCalendar::new(&shipped()[2..]);
    assert!(!c.add_working_days(d("2025-12-31"), 3).provisional);
    assert!(c.add_working_days(d("2025-12-30"), 3).provisional);
}

#[test]
fn adjusted_weekend_days_work_and_holidays_rest() {
    let c = cal();
    assert!(c.is_working_day(d("2026-02-28"))); // Saturday, 调休
    assert!(!c.is_working_day(d("2026-02-23"))); // Monday, 春节
    assert!(!c.is_working_day(d("2026-02-21"))); // Saturday inside the holiday
    assert!(c.is_working_day(d("2026-03-02")));
    assert!(!c.is_working_day(d("2026-03-07")));
}

#[test]
fn working_days_between_turns_around_and_matches_adding() {
    let c = cal();
    let from = d("2025-09-25");
    for n in [0, 1, 5, 20, 60] {
        let due = c.add_working_days(from, n).date;
        assert_eq!(c.working_days_between(from, due), i64::from(n));
        assert_eq!(c.working_days_between(due, from), -i64::from(n));
    }
    assert_eq!(c.add_working_days(from, 0).date, from);
    // Over the national-day holiday: 09-26, 09-28 (Sunday, 调休), 09-29, 09-30, 10-09.
    assert_eq!(c.working_days_between(from, d("2025-10-09")), 5);
}

#[test]
fn countdown_boundaries() {
    for (left, class, label) in [
        (6, Countdown::Ample, "充裕"),
        (5, Countdown::Near, "临近"),
        (3, Countdown::Near, "临近"),
        (2, Countdown::Urgent, "紧急"),
        (0, Countdown::Urgent, "紧急"),
        (-1, Countdown::Overdue, "逾期"),
    ] {
        assert_eq!(Countdown::of(left), class, "{left}");
        assert_eq!(class.label(), label);
    }
    let c = cal();
    // Due Monday 2026-10-19; 2026-10-10 is a 调休 Saturday, 10-11 a plain Sunday.
    let due = d("2026-10-19");
    assert_eq!(c.countdown(d("2026-10-09"), due), (7, Countdown::Ample));
    assert_eq!(c.countdown(d("2026-10-10"), due), (6, Countdown::Ample));
    assert_eq!(c.countdown(d("2026-10-11"), due), (6, Countdown::Ample));
    assert_eq!(c.countdown(d("2026-10-12"), due), (5, Countdown::Near));
    assert_eq!(c.countdown(d("2026-10-14"), due), (3, Countdown::Near));
    assert_eq!(c.countdown(d("2026-10-15"), due), (2, Countdown::Urgent));
    assert_eq!(c.countdown(due, due), (0, Countdown::Urgent));
    assert_eq!(c.countdown(d("2026-10-20"), due), (-1, Countdown::Overdue));
    // Due on a Friday and looked at on Saturday: no working day has passed, yet overdue.
    assert_eq!(
        c.countdown(d("2026-10-24"), d("2026-10-23")),
        (-1, Countdown::Overdue)
    );
    assert_eq!(c.countdown(d("2026-10-27"), due), (-6, Countdown::Overdue));
}

#[test]
fn runs_collapse_consecutive_days() {
    let n = &shipped()[2];
    let r = runs(&n.days_off);
    assert_eq!(r.len(), 7);
    assert_eq!(r[1], (d("2026-02-15"), d("2026-02-23")));
    assert_eq!(runs(&n.workdays).len(), 6);
}

const GOOD: &str = r#"
[[notice]]
year = 2027
source = "测试通知"
days_off = ["2027-01-01", "2027-02-06..2027-02-13"]
workdays = ["2027-02-14"]
"#;

fn problems(text: &str) -> Vec<String> {
    parse_toml(text)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn toml_ranges_are_inclusive() {
    let n = parse_toml(GOOD).unwrap().remove(0);
    assert_eq!(n.days_off.len(), 9);
    assert_eq!(n.days_off[1], d("2027-02-06"));
    assert_eq!(n.days_off[8], d("2027-02-13"));
    assert_eq!(n.workdays, vec![d("2027-02-14")]);
}

#[test]
fn toml_problems_name_the_line() {
    let p = problems(&GOOD.replace("\"2027-02-14\"", "\"2027-02-10\""));
    assert_eq!(
        p,
        vec!["第6行 workdays 调休上班日 2027-02-10 是星期三，应为星期六或星期日"]
    );
    let p = problems(&GOOD.replace("\"2027-01-01\"", "\"2026-12-31\""));
    assert_eq!(p, vec!["第5行 days_off 2026-12-31 不在2027年内"]);
    let p = problems(&GOOD.replace("2027-02-06..2027-02-13", "2027-02-13..2027-02-06"));
    assert_eq!(
        p,
        vec!["第5行 days_off 范围“2027-02-13..2027-02-06”的结束日早于开始日"]
    );
    let p = problems(&GOOD.replace("2027-02-06..2027-02-13", "2027-02-06..2028-01-02"));
    assert!(p[0].contains("超出2027年"), "{p:?}");
    let p = problems(&GOOD.replace("2027-02-06..2027-02-13", "2027-02-06.."));
    assert!(p[0].contains("无法识别"), "{p:?}");
    let p = problems(&GOOD.replace("\"2027-01-01\"", "\"2027-02-07\""));
    assert_eq!(
        p,
        vec!["第5行 days_off 放假日 2027-02-07 重复列出（第5行已列出）"]
    );
    let p = problems(&GOOD.replace("\"2027-02-14\"", "\"2027-02-13\""));
    assert!(p[0].contains("既是调休上班日又是放假日"), "{p:?}");
    let p = problems(&GOOD.replace("source = \"测试通知\"", "source = \" \""));
    assert_eq!(
        p,
        vec!["第4行 source 2027年没有写明来源（通知名称，确知时加文号）"]
    );
    let p = problems(&format!("{GOOD}{GOOD}"));
    assert!(
        p[0].contains("2027年的安排重复出现（第3行已列出）"),
        "{p:?}"
    );
    let p = problems(&GOOD.replace("workdays", "workday"));
    assert!(p[0].starts_with("第6行 TOML 格式错误"), "{p:?}");
    assert!(problems("")[0].contains("没有任何节假日安排"));
}

#[test]
fn csv_reads_the_same_notice() {
    let mut csv = String::from("\u{feff}日期,类型,来源\n2027-01-01,休,测试通知\n");
    for day in 6..=13 {
        csv.push_str(&format!("2027-02-{day:02},放假,\n"));
    }
    csv.push_str("2027/2/14,调休上班,测试通知\n");
    assert_eq!(parse_csv(&csv).unwrap(), parse_toml(GOOD).unwrap());
    assert_eq!(parse(NoticeFormat::Csv, &csv).unwrap().len(), 1);
}

#[test]
fn csv_problems_name_the_row() {
    let p = |text: &str| -> Vec<String> {
        parse_csv(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        p("日期,类型,来源\n2027-01-01,休,甲\n2027-02-10,班,甲\n"),
        vec!["第3行 日期 调休上班日 2027-02-10 是星期三，应为星期六或星期日"]
    );
    assert_eq!(
        p("日期,类型,来源\n2027-01-01,假,甲\n"),
        vec!["第2行 类型 “假”应为 休/放假 或 班/调休上班"]
    );
    assert_eq!(
        p("日期,类型,来源\n2027-01-01,休,甲\n2027-01-02,休,乙\n"),
        vec!["第3行 来源 与第2行的2027年来源不同"]
    );
    assert_eq!(
        p("日期,类型\n2027-01-01,休\n"),
        vec!["第1行 表头 应为“日期,类型,来源”三列"]
    );
    assert!(p("日期,类型,来源\n2027-01-01,休,\n")[0].contains("没有写明来源"));
}

#[test]
fn formats_by_extension() {
    assert_eq!(
        NoticeFormat::from_extension("TOML"),
        Some(NoticeFormat::Toml)
    );
    assert_eq!(NoticeFormat::from_extension("csv"), Some(NoticeFormat::Csv));
    assert_eq!(NoticeFormat::from_extension("xlsx"), None);
}
