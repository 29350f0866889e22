//! The quarterly and annual reports against a hand-worked second quarter: a voided draw and its
//! re-draw, three results entered (one late, one with a problem and a follow-up), two of them
//! published, one inspection overdue, one visit only started. Every expected figure is worked
//! out here from what the test itself did and from the draw record, not from the report code.

use std::collections::{BTreeMap, BTreeSet};

use calamine::{Data, Reader};
use chrono::NaiveDate;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::plan::PlanKind;
use shuangsuiji::domain::result::{Category, FollowUpKind, Outcome};
use shuangsuiji::domain::role::Role;
use shuangsuiji::services::reports::{Report, write_report};
use shuangsuiji::services::visits::{VisitFilter, VisitView};

use crate::support::{self, compliant_result as result, demo_day, only, open, open_on, seeds};
use shuangsuiji::sheets::Overwrite;

const VOID_REASON: &str = "见证人未到场，程序不合规";

fn q2() -> Period {
    Period {
        year: 2026,
        quarter: 2,
    }
}

/// What the test did to one visit.
#[derive(Debug, Default, Clone)]
struct Done {
    inspected: bool,
    entered: bool,
    late: bool,
    published: bool,
    problem: bool,
    followups: usize,
    overdue: bool,
    categories: Vec<Category>,
}

/// Expected figures of a task (or of all), in the order the report lists them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Expect {
    population: usize,
    quota: u64,
    drawn: usize,
    inspected: usize,
    entered: usize,
    problems: usize,
    followups: usize,
    followups_closed: usize,
    published: usize,
    late: usize,
    overdue: usize,
    joint_visits: usize,
    categories: BTreeMap<Category, usize>,
}

impl Expect {
    fn add(&mut self, done: &Done, joint: bool) {
        self.drawn += 1;
        self.inspected += usize::from(done.inspected);
        self.entered += usize::from(done.entered);
        self.problems += usize::from(done.problem);
        self.followups += done.followups;
        self.published += usize::from(done.published);
        self.late += usize::from(done.late);
        self.overdue += usize::from(done.overdue);
        self.joint_visits += usize::from(joint);
        for c in &done.categories {
            *self.categories.entry(*c).or_default() += 1;
        }
    }

    fn of(f: &shuangsuiji::services::reports::Figures) -> Expect {
        Expect {
            population: f.population,
            quota: f.quota,
            drawn: f.drawn,
            inspected: f.inspected,
            entered: f.entered,
            problems: f.problems,
            followups: f.followups,
            followups_closed: f.followups_closed,
            published: f.published,
            late: f.late,
            overdue: f.overdue,
            joint_visits: f.joint_visits,
            categories: f
                .categories
                .iter()
                .filter(|c| c.count > 0)
                .map(|c| (c.category, c.count))
                .collect(),
        }
    }
}

struct Worked {
    path: std::path::PathBuf,
    /// The day the report is taken: after the late entry and past the open visit's due date.
    report_day: NaiveDate,
    tasks: BTreeMap<String, Expect>,
    total: Expect,
    joint: (usize, usize),
}

fn work(dir: &tempfile::TempDir) -> Worked {
    let path = support::demo_copy(dir, "r.db");
    let day = demo_day();
    let mut lead = open(&path, None);
    let principal = only(&lead, Role::Principal);

    // Run, void with the principal's approval, re-draw.
    lead.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    lead.request_void("2026Q2-01", VOID_REASON).unwrap();
    open(&path, &principal).approve_void("2026Q2-01").unwrap();
    let p = lead.prepare_draw(q2(), &[], &[]).unwrap();
    assert_eq!(p.id, "2026Q2-02");
    lead.run_draw("2026Q2-02", &seeds(), &[]).unwrap();

    // The re-draw's visits and a login on each team.
    let users = lead.list_users().unwrap();
    let visits: Vec<VisitView> = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.draw_id == "2026Q2-02")
        .collect();
    let login_of = |v: &VisitView| {
        v.team.iter().find_map(|seat| {
            users
                .iter()
                .find(|u| u.inspector.as_deref() == Some(&seat.inspector))
                .map(|u| u.login.clone())
        })
    };
    let workable: Vec<(&VisitView, String)> = visits
        .iter()
        .filter(|v| v.problem.is_none())
        .filter_map(|v| login_of(v).map(|l| (v, l)))
        .take(5)
        .collect();
    assert_eq!(workable.len(), 5);
    let due = lead.deadline(day, 20).unwrap().date;
    let late_day = due.succ_opt().unwrap();
    let report_day = late_day.succ_opt().unwrap();
    let mut done: BTreeMap<i64, Done> = BTreeMap::new();

    for (i, (v, login)) in workable.iter().enumerate() {
        let id = v.id;
        let mut s = open(&path, login);
        s.start_visit(id, day, None).unwrap();
        let mut it = Done::default();
        if i == 4 {
            // Only started: drawn, not inspected.
            done.insert(id, it);
            continue;
        }
        s.complete_visit(id, day, None).unwrap();
        it.inspected = true;
        match i {
            0 => {
                let r = result(&s, id, &[Category::NoProblem]);
                s.submit_result(id, &r).unwrap();
                it.categories = vec![Category::NoProblem];
            }
            1 => {
                let mut r = result(&s, id, &[Category::Corrected]);
                r.items[0].outcome = Outcome::Problem;
                r.findings = "危废台账不全".into();
                r.legal_basis = "《中华人民共和国固体废物污染环境防治法》第七十八条".into();
                r.measure = "责令改正".into();
                s.submit_result(id, &r).unwrap();
                s.add_followup(id, FollowUpKind::Rectify, "", "限期补齐台账")
                    .unwrap();
                it.categories = vec![Category::Corrected];
                it.problem = true;
                it.followups = 1;
            }
            2 => {
                // Entered the day after its due date, after the export below.
                it.categories = vec![Category::NoActivity];
                it.late = true;
            }
            _ => {
                // Completed, never entered: overdue on the report day.
                it.overdue = true;
            }
        }
        it.entered = !it.categories.is_empty();
        done.insert(id, it);
    }
    // Publish what is entered so far: visits 0 and 1.
    let exported = lead
        .export_publicity(&dir.path().join("pub.csv"), Some(q2()))
        .unwrap();
    let published: BTreeSet<i64> = exported.newly_published.iter().copied().collect();
    assert_eq!(published, [workable[0].0.id, workable[1].0.id].into());
    for id in &published {
        done.get_mut(id).unwrap().published = true;
    }
    let (late_visit, late_login) = &workable[2];
    let mut s = open_on(&path, late_login, late_day);
    let r = result(&s, late_visit.id, &[Category::NoActivity]);
    assert!(s.submit_result(late_visit.id, &r).unwrap().late);
    assert_eq!(done.values().filter(|x| x.entered).count(), 3);

    // Expected figures from the re-draw's record and what was done.
    let view = lead.show_draw("2026Q2-02").unwrap();
    let plans = lead.list_plans(Some(2026)).unwrap();
    let joint_task = |code: &str| {
        plans
            .iter()
            .any(|p| p.plan.kind == PlanKind::Joint && p.plan.tasks.iter().any(|t| t.code == code))
    };
    let mut tasks: BTreeMap<String, Expect> = BTreeMap::new();
    let mut pops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut total = Expect::default();
    let mut everyone = BTreeSet::new();
    for t in &view.prepared.tasks {
        tasks.entry(t.code.clone()).or_default();
    }
    // 应抽 in distinct entities: what each task's strata selected, each entity once, plus what
    // the rule asked for beyond the eligible units (the cap), computed here from the data.
    let record = view.record.as_ref().expect("the re-draw was run");
    let mut selected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut all_selected = BTreeSet::new();
    for st in &record.strata {
        let ids = st.selected.iter().map(|x| x.id.clone());
        selected
            .entry(st.task.clone())
            .or_default()
            .extend(ids.clone());
        all_selected.extend(ids);
    }
    let mut short_total = 0u64;
    for st in &view.prepared.strata {
        let n = st.population.len() as u64;
        let wanted = match (st.annual, st.ratio_base) {
            (Some(a), _) => u64::from(a.target.saturating_sub(a.drawn).div_ceil(a.quarters_left)),
            (None, Some(base)) => (u64::from(base) * u64::from(st.ratio_bp))
                .div_ceil(10_000)
                .min(u64::from(base)),
            (None, None) => n.min(u64::from(st.quota)),
        };
        let short = wanted.saturating_sub(u64::from(st.quota));
        tasks.get_mut(&st.task).unwrap().quota += short;
        short_total += short;
        pops.entry(st.task.clone())
            .or_default()
            .extend(st.population.iter().cloned());
        everyone.extend(st.population.iter().cloned());
    }
    for (code, ids) in &selected {
        tasks.get_mut(code).unwrap().quota += ids.len() as u64;
    }
    total.quota = all_selected.len() as u64 + short_total;
    for (code, pop) in &pops {
        tasks.get_mut(code).unwrap().population = pop.len();
    }
    total.population = everyone.len();
    let mut joint_visits = 0;
    for v in &visits {
        let it = done.get(&v.id).cloned().unwrap_or_default();
        let joint = v.tasks.iter().any(|t| joint_task(t));
        joint_visits += usize::from(joint);
        total.add(&it, joint);
        for t in &v.tasks {
            tasks.get_mut(t).unwrap().add(&it, joint_task(t));
        }
    }
    Worked {
        path,
        report_day,
        tasks,
        total,
        joint: (joint_visits, visits.len()),
    }
}

/// One decimal, rounded half up, computed with integers.
fn pct(part: usize, whole: usize) -> String {
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

fn check_quarter(w: &Worked, r: &Report) {
    assert_eq!(
        r.title,
        format!(
            "2026年第二季度“双随机、一公开”抽查工作情况（截至{}）",
            w.report_day
        )
    );
    let got: BTreeMap<String, Expect> = r
        .tasks
        .iter()
        .map(|f| (f.code.clone(), Expect::of(f)))
        .collect();
    assert_eq!(got, w.tasks);
    assert_eq!(Expect::of(&r.total), w.total);
    // The hand-checked totals.
    assert_eq!(r.total.inspected, 4);
    assert_eq!(r.total.entered, 3);
    assert_eq!(r.total.late, 1);
    assert_eq!(r.total.published, 2);
    assert_eq!(r.total.publication_rate, "66.7%");
    assert_eq!(r.total.problems, 1);
    assert_eq!((r.total.followups, r.total.followups_closed), (1, 0));
    assert_eq!(r.overdue_now, 1);
    assert_eq!(r.voided_draws, 1);
    assert_eq!(r.pending_corrections, 0);
    assert_eq!(r.joint_share, pct(w.joint.0, w.joint.1));
    let draws: Vec<(&str, &str)> = r
        .draws
        .iter()
        .map(|d| (d.id.as_str(), d.state.as_str()))
        .collect();
    assert_eq!(
        draws,
        vec![("2026Q2-01", "已作废"), ("2026Q2-02", "已运行")]
    );
    assert_eq!(r.draws[0].void_reason.as_deref(), Some(VOID_REASON));
    for f in &r.tasks {
        let rate = if f.entered == 0 {
            "—".to_string()
        } else {
            pct(f.published, f.entered)
        };
        assert_eq!(f.publication_rate, rate, "{}", f.code);
    }
}

#[test]
fn quarter_report_matches_the_hand_worked_figures_and_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let w = work(&dir);
    let s = open_on(&w.path, None, w.report_day);
    let r = s.quarter_report(q2()).unwrap();
    check_quarter(&w, &r);

    // An observer may read the same report.
    let observer = only(&s, Role::Observer);
    let o = open_on(&w.path, &observer, w.report_day)
        .quarter_report(q2())
        .unwrap();
    assert_eq!(Expect::of(&o.total), Expect::of(&r.total));

    // Markdown.
    let md_path = dir.path().join("q2.md");
    write_report(&r, &md_path, Overwrite::Refuse).unwrap();
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.starts_with(&format!("# {}\n", r.title)), "{md}");
    let total_line = md
        .lines()
        .find(|l| l.starts_with("| 合计 |"))
        .expect("a 合计 row");
    let cells: Vec<&str> = total_line.split('|').map(str::trim).collect();
    // | 合计 | name | type | population | quota | drawn | slots | visits | inspected | entered
    // | problems | …
    assert_eq!(cells[4], w.total.population.to_string());
    assert_eq!(cells[5], w.total.quota.to_string());
    assert_eq!(cells[6], w.total.drawn.to_string());
    assert_eq!(cells[8], r.total.visits.to_string());
    assert_eq!(&cells[9..12], &["4", "3", "1"]);
    assert!(total_line.contains("66.7%"), "{total_line}");
    assert!(md.contains(VOID_REASON), "the voided draw is listed");
    assert!(md.contains("作废的抽取：1 次"));
    assert!(md.contains("当前逾期未录入：1 项"));

    // Excel.
    let xlsx_path = dir.path().join("q2.xlsx");
    write_report(&r, &xlsx_path, Overwrite::Refuse).unwrap();
    let mut book = calamine::open_workbook_auto(&xlsx_path).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec![
            "汇总".to_string(),
            "抽取".to_string(),
            "未完成事项".to_string()
        ]
    );
    let summary = book.worksheet_range("汇总").unwrap();
    let rows: Vec<Vec<Data>> = summary.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 1 + w.tasks.len() + 1, "a row per task and 合计");
    let last = rows.last().unwrap();
    assert_eq!(last[col("抽查任务编号")].to_string(), "合计");
    assert_eq!(last[col("抽取数")], Data::Float(w.total.drawn as f64));
    assert_eq!(last[col("已录入")], Data::Float(3.0));
    assert_eq!(last[col("逾期录入")], Data::Float(1.0));
    assert_eq!(last[col("已公示")], Data::Float(2.0));
    assert_eq!(last[col("公示率")].to_string(), "66.7%");
    assert_eq!(last[col("逾期未录入")], Data::Float(1.0));
    assert_eq!(last[col("发现问题已责令改正")], Data::Float(1.0));
    assert_eq!(
        last[col("部门联合抽查占比")].to_string(),
        pct(w.joint.0, w.joint.1)
    );
    for row in &rows[1..rows.len() - 1] {
        let code = row[col("抽查任务编号")].to_string();
        let e = &w.tasks[&code];
        assert_eq!(row[col("抽取数")], Data::Float(e.drawn as f64), "{code}");
        assert_eq!(row[col("应抽数")], Data::Float(e.quota as f64), "{code}");
    }
    let draws = book.worksheet_range("抽取").unwrap();
    let draw_rows: Vec<Vec<String>> = draws
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(draw_rows.len(), 2);
    assert_eq!(draw_rows[0][0], "2026Q2-01");
    assert_eq!(draw_rows[0][3], "已作废");
    assert!(draw_rows[0].contains(&VOID_REASON.to_string()));

    assert!(write_report(&r, &dir.path().join("q2.txt"), Overwrite::Refuse).is_err());
}

#[test]
fn annual_report_adds_the_first_quarter_and_counts_every_live_visit() {
    let dir = tempfile::tempdir().unwrap();
    let w = work(&dir);
    let s = open_on(&w.path, None, w.report_day);
    let year = s.annual_report(2026).unwrap();
    let quarter = s.quarter_report(q2()).unwrap();
    assert!(
        year.title
            .starts_with("2026年度“双随机、一公开”抽查工作情况（截至")
    );
    // Every live visit of the year, as the visit list shows them (a lead sees all).
    let visits = s
        .list_visits(&VisitFilter {
            year: Some(2026),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(year.total.visits, visits.len());
    let entities: BTreeSet<&str> = visits.iter().map(|v| v.entity.as_str()).collect();
    assert_eq!(
        year.total.drawn,
        entities.len(),
        "抽取 counts distinct entities"
    );
    for f in &year.tasks {
        let of_task: BTreeSet<&str> = visits
            .iter()
            .filter(|v| v.tasks.contains(&f.code))
            .map(|v| v.entity.as_str())
            .collect();
        assert_eq!(f.drawn, of_task.len(), "{}", f.code);
        assert!(
            f.quota >= f.drawn as u64 || f.code == "合计",
            "{}: 应抽 {} < 抽取 {}",
            f.code,
            f.quota,
            f.drawn
        );
    }
    let entered = visits.iter().filter(|v| v.dates.entered.is_some()).count();
    assert_eq!(year.total.entered, entered);
    let late = visits
        .iter()
        .filter(|v| v.dates.entered.is_some() && v.late)
        .count();
    assert_eq!(year.total.late, late);
    assert_eq!(year.voided_draws, 1, "Q1 has no voided draw");
    assert!(year.draws.iter().any(|d| d.id == "2026Q1-01"));
    // The second quarter is inside the year.
    for f in &quarter.tasks {
        let y = year.tasks.iter().find(|t| t.code == f.code).unwrap();
        assert!(y.drawn >= f.drawn && y.quota >= f.quota && y.population >= f.population);
    }
    assert_eq!(
        year.total.visits - quarter.total.visits,
        visits
            .iter()
            .filter(|v| v.draw_id.starts_with("2026Q1"))
            .count()
    );
    let md_path = dir.path().join("2026.md");
    write_report(&year, &md_path, Overwrite::Refuse).unwrap();
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.contains(&year.title));
    assert!(md.contains(&format!("| 合计 |  |  | {} |", year.total.population)));
}
