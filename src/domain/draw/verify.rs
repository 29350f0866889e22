//! 核验 (verification): re-compute a record from itself alone and say exactly what differs;
//! compare a record field by field with another (the stored record, an audit event).

use serde_json::Value;

use super::commit::{commitment, normalise_part, seed};
use super::record::{
    ALGORITHM, DrawRecord, FORMAT, SYSTEM_SOURCE, Seat, Selected, VisitResult, person_source,
};
use super::select::{select, visits};
use super::team::{NoSubstitute, match_teams, next_substitute};

/// What [`verify`] re-computes from the record alone, in words.
pub const RECOMPUTED: &[&str] = &[
    "承诺值（由 prepared 重算）",
    "抽取编号与期间、算法、记录格式",
    "种子（由承诺值和各种子部分重算）及种子来源与声明来源的对应",
    "每一层的名额、抽中对象及其签号",
    "每项检查任务的对象、任务、签号和检查组（人员、部门、组长、签号）",
    "每次人员替换（被替换者在组内、接替者、组长传递、跳过的人员）",
];

/// What a record alone cannot prove: only the bureau's audit log or the published checkpoint
/// can confirm these.
pub const UNCONFIRMED: &[&str] = &[
    "见证人（witnesses）",
    "运行日期（run_on）",
    "替换的理由、时间和操作人，以及是否有替换被删去",
    "检查点（checkpoint）是否在审计日志中，记录是否为当时运行所得（须与局方审计日志或公布的检查点核对）",
];

fn join(v: &[String]) -> String {
    if v.is_empty() {
        "（空）".to_string()
    } else {
        v.join("、")
    }
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Every difference found; empty when the record is sound.
pub fn verify(record: &DrawRecord) -> Vec<String> {
    let mut diffs = Vec::new();
    if !check_identity(record, &mut diffs) {
        return diffs;
    }
    check_prepared(record, &mut diffs);
    let s = check_seed(record, &mut diffs);
    // Recompute from the recorded commitment's own seed, so one mistake is reported once.
    let results = select(&record.prepared, &s);
    check_strata(&record.strata, &results, &mut diffs);
    let planned = visits(&record.prepared, &results);
    let teams = match_teams(&record.prepared, &s, &planned);
    if teams.len() != record.visits.len() {
        diffs.push(format!(
            "检查任务数为{}，应为{}",
            record.visits.len(),
            teams.len()
        ));
    }
    for (i, (got, want)) in record.visits.iter().zip(&teams).enumerate() {
        visit_diffs(i, got, want, &mut diffs);
    }
    for i in 0..record.substitutions.len() {
        check_substitution(record, &s, &teams, i, &mut diffs);
    }
    diffs
}

/// The record's format, algorithm, period, draw id and run date; false when the algorithm is
/// not one this program can replay (nothing further is checked then).
fn check_identity(record: &DrawRecord, diffs: &mut Vec<String>) -> bool {
    if record.format != FORMAT {
        diffs.push(format!("记录格式为“{}”，应为“{FORMAT}”", record.format));
    }
    if record.algorithm != ALGORITHM || record.prepared.algorithm != ALGORITHM {
        diffs.push(format!(
            "算法为“{}”，本程序只能核验“{ALGORITHM}”",
            record.algorithm
        ));
        return false;
    }
    if record.period != record.prepared.period {
        diffs.push(format!(
            "期间“{}”与承诺内容中的“{}”不一致",
            record.period, record.prepared.period
        ));
    }
    let id_ok = record
        .draw_id
        .strip_prefix(record.prepared.period.as_str())
        .and_then(|n| n.strip_prefix('-'))
        .is_some_and(|n| n.len() >= 2 && n.bytes().all(|b| b.is_ascii_digit()));
    if !id_ok {
        diffs.push(format!(
            "抽取编号“{}”与期间“{}”不一致（应为“{}-序号”）",
            record.draw_id, record.prepared.period, record.prepared.period
        ));
    }
    if !record.run_on.is_empty() && !is_date(&record.run_on) {
        diffs.push(format!(
            "运行日期“{}”不是 YYYY-MM-DD 格式的日期",
            record.run_on
        ));
    }
    true
}

/// The commitment re-computed from `prepared`, and each frozen stratum's quota and priority
/// within its population.
fn check_prepared(record: &DrawRecord, diffs: &mut Vec<String>) {
    let c = commitment(&record.prepared);
    if c != record.commitment {
        diffs.push(format!(
            "承诺值不符：记录为 {}，按承诺内容重算为 {c}",
            record.commitment
        ));
    }
    for (i, st) in record.prepared.strata.iter().enumerate() {
        if st.quota as usize > st.population.len() {
            diffs.push(format!(
                "第{}层（{} {}）名额{}大于总体{}",
                i + 1,
                st.task,
                st.label,
                st.quota,
                st.population.len()
            ));
        }
        if let Some(p) = st.priority.iter().find(|p| !st.population.contains(p)) {
            diffs.push(format!(
                "第{}层（{} {}）的优先对象{p}不在总体中",
                i + 1,
                st.task,
                st.label
            ));
        }
    }
}

/// The seed parts, their sources and the seed re-computed from the recorded commitment; the
/// re-computed seed, which the rest of the replay uses.
fn check_seed(record: &DrawRecord, diffs: &mut Vec<String>) -> String {
    for p in &record.seed_parts {
        if normalise_part(p).as_deref() != Ok(p.as_str()) {
            diffs.push(format!("种子部分“{p}”不是纯数字"));
        }
    }
    check_sources(record, diffs);
    let s = seed(&record.commitment, &record.seed_parts);
    if s != record.seed {
        diffs.push(format!(
            "种子不符：记录为 {}，按承诺值和种子部分重算为 {s}",
            record.seed
        ));
    }
    s
}

/// The recorded strata against the re-drawn ones: task, label and quota, then the selected
/// entities, then their tickets.
fn check_strata(
    got: &[super::record::StratumResult],
    want: &[super::record::StratumResult],
    diffs: &mut Vec<String>,
) {
    if want.len() != got.len() {
        diffs.push(format!("分层数为{}，应为{}", got.len(), want.len()));
    }
    for (i, (got, want)) in got.iter().zip(want).enumerate() {
        if (got.task.as_str(), got.label.as_str(), got.quota)
            != (want.task.as_str(), want.label.as_str(), want.quota)
        {
            diffs.push(format!(
                "第{}层应为 {} {}（名额{}），记录为 {} {}（名额{}）",
                i + 1,
                want.task,
                want.label,
                want.quota,
                got.task,
                got.label,
                got.quota
            ));
            continue;
        }
        let ids = |v: &[Selected]| v.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        let at = format!("第{}层（{} {}）", i + 1, want.task, want.label);
        if ids(&got.selected) != ids(&want.selected) {
            diffs.push(format!(
                "{at}抽中对象不符：记录为 {}，重算为 {}",
                join(&ids(&got.selected)),
                join(&ids(&want.selected))
            ));
        } else {
            for (g, w) in got.selected.iter().zip(&want.selected) {
                if g.ticket != w.ticket {
                    diffs.push(format!(
                        "{at}对象 {} 的签号（ticket）不符：记录为 {}，重算为 {}",
                        g.id, g.ticket, w.ticket
                    ));
                }
            }
        }
    }
}

/// The `i`-th substitution replayed on the re-computed teams: its visit, reason, time and
/// operator, then who the ranking says replaces the officer and whom it passes over.
fn check_substitution(
    record: &DrawRecord,
    seed: &str,
    teams: &[VisitResult],
    i: usize,
    diffs: &mut Vec<String>,
) {
    let sub = &record.substitutions[i];
    let n = i + 1;
    let Some(visit) = teams.iter().find(|v| v.entity == sub.entity) else {
        diffs.push(format!("第{n}次替换的对象 {} 不在本次抽取中", sub.entity));
        return;
    };
    if sub.reason.trim().is_empty() {
        diffs.push(format!("第{n}次替换（对象 {}）没有理由", sub.entity));
    }
    if sub.by.trim().is_empty() || sub.at.trim().is_empty() {
        diffs.push(format!(
            "第{n}次替换（对象 {}）缺少时间或操作人",
            sub.entity
        ));
    }
    let unavailable = |id: &str| {
        sub.skipped
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.reason.clone())
    };
    let replayed = next_substitute(
        &record.prepared,
        seed,
        visit,
        &record.substitutions[..i],
        &sub.out,
        &unavailable,
    );
    diffs.extend(replay_diff(n, sub, replayed));
}

/// What differs between the `n`-th substitution as recorded and as the ranking replays it:
/// the replacement, else whom it passed over; or why it cannot be replayed.
fn replay_diff(
    n: usize,
    sub: &super::record::Substitution,
    replayed: Result<(Seat, Vec<super::record::Ineligible>), NoSubstitute>,
) -> Option<String> {
    match replayed {
        Ok((seat, _)) if seat.inspector != sub.replacement => Some(format!(
            "第{n}次替换（对象 {}）应由 {} 接替 {}，记录为 {}",
            sub.entity, seat.inspector, sub.out, sub.replacement
        )),
        Ok((_, passed)) if passed != sub.skipped => {
            let list = |v: &[super::record::Ineligible]| {
                v.iter()
                    .map(|x| format!("{}（{}）", x.id, x.reason))
                    .collect::<Vec<_>>()
            };
            Some(format!(
                "第{n}次替换（对象 {}）跳过的人员（skipped）不符：记录为 {}，按排序重放为 {}",
                sub.entity,
                join(&list(&sub.skipped)),
                join(&list(&passed))
            ))
        }
        Ok(_) => None,
        Err(e) => Some(format!(
            "第{n}次替换（对象 {}，替换 {}）无法复现：{e}",
            sub.entity, sub.out
        )),
    }
}

/// The seed sources: one per part, the people's parts first (`现场种子1` …), the system's
/// last, and the system's source the last declared in `prepared.sources`.
fn check_sources(record: &DrawRecord, diffs: &mut Vec<String>) {
    let parts = record.seed_parts.len();
    if record.seed_sources.len() != parts {
        diffs.push(format!(
            "种子来源（seed_sources）有{}项，种子部分有{parts}项，应一一对应",
            record.seed_sources.len()
        ));
    }
    if record.prepared.sources.last().map(String::as_str) != Some(SYSTEM_SOURCE) {
        diffs.push(format!(
            "承诺内容声明的随机来源（prepared.sources）最后一项应为“{SYSTEM_SOURCE}”，为“{}”",
            record.prepared.sources.last().cloned().unwrap_or_default()
        ));
    }
    for (i, src) in record.seed_sources.iter().enumerate() {
        let want = if i + 1 == parts {
            SYSTEM_SOURCE.to_string()
        } else {
            person_source(i + 1)
        };
        if *src != want {
            diffs.push(format!(
                "第{}个种子来源（seed_sources[{i}]）不符：记录为“{src}”，应为“{want}”",
                i + 1
            ));
        }
    }
    if parts == 0 {
        diffs.push("没有种子部分".to_string());
        return;
    }
    let people: usize = record.seed_parts[..parts - 1].iter().map(String::len).sum();
    if people < 20 {
        diffs.push(format!("现场种子合计应至少20位数字，记录为{people}位"));
    }
}

fn seat_text(s: &Seat) -> String {
    format!(
        "{}（{}{}）",
        s.inspector,
        s.department,
        if s.lead { "，组长" } else { "" }
    )
}

/// One visit compared with its recomputation, naming each field that differs.
fn visit_diffs(i: usize, got: &VisitResult, want: &VisitResult, diffs: &mut Vec<String>) {
    if got.entity != want.entity {
        diffs.push(format!(
            "第{}项检查任务的对象（entity）不符：记录为 {}，重算为 {}",
            i + 1,
            got.entity,
            want.entity
        ));
        return;
    }
    let e = &got.entity;
    if got.tasks != want.tasks {
        diffs.push(format!(
            "对象 {e} 的任务（tasks）不符：记录为 {}，重算为 {}",
            join(&got.tasks),
            join(&want.tasks)
        ));
    }
    if got.ticket != want.ticket {
        diffs.push(format!(
            "对象 {e} 的签号（ticket）不符：记录为 {}，重算为 {}",
            got.ticket, want.ticket
        ));
    }
    if got.problem != want.problem {
        let p = |x: &Option<String>| x.clone().unwrap_or_else(|| "（无）".to_string());
        diffs.push(format!(
            "对象 {e} 的组队问题（problem）不符：记录为 {}，重算为 {}",
            p(&got.problem),
            p(&want.problem)
        ));
    }
    if got.team.len() != want.team.len() {
        let t = |v: &[Seat]| v.iter().map(seat_text).collect::<Vec<_>>();
        diffs.push(format!(
            "对象 {e} 的检查组人数不符：记录为{}人（{}），重算为{}人（{}）",
            got.team.len(),
            join(&t(&got.team)),
            want.team.len(),
            join(&t(&want.team))
        ));
        return;
    }
    for (j, (g, w)) in got.team.iter().zip(&want.team).enumerate() {
        let at = format!("对象 {e} 检查组第{}人", j + 1);
        if g.inspector != w.inspector {
            diffs.push(format!(
                "{at}（inspector）不符：记录为 {}，重算为 {}",
                g.inspector, w.inspector
            ));
            continue;
        }
        if g.department != w.department {
            diffs.push(format!(
                "{at} {} 的部门（department）不符：记录为 {}，重算为 {}",
                g.inspector, g.department, w.department
            ));
        }
        if g.lead != w.lead {
            let l = |b: bool| if b { "组长" } else { "组员" };
            diffs.push(format!(
                "{at} {} 的组长标记（lead）不符：记录为{}，重算为{}",
                g.inspector,
                l(g.lead),
                l(w.lead)
            ));
        }
        if g.ticket != w.ticket {
            diffs.push(format!(
                "{at} {} 的签号（ticket）不符：记录为 {}，重算为 {}",
                g.inspector, g.ticket, w.ticket
            ));
        }
    }
}

fn short(v: &Value) -> String {
    let t = match v {
        Value::String(s) => format!("“{s}”"),
        Value::Null => "（无）".to_string(),
        other => other.to_string(),
    };
    if t.chars().count() > 120 {
        format!(
            "{}..（共{}字符）",
            t.chars().take(117).collect::<String>(),
            t.chars().count()
        )
    } else {
        t
    }
}

/// Field-by-field differences between two JSON values, each naming its path
/// (`visits[2].team[0].lead`) and both values; `what` says what each side is, e.g.
/// `("文件", "数据库中的记录")`.
pub fn field_diffs(path: &str, a: &Value, b: &Value, what: (&str, &str), out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                field_diffs(
                    &p,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    what,
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "字段 {path} 的项数不符：{}有{}项，{}有{}项",
                    what.0,
                    x.len(),
                    what.1,
                    y.len()
                ));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                field_diffs(&format!("{path}[{i}]"), p, q, what, out);
            }
        }
        _ if a != b => out.push(format!(
            "字段 {path} 不符：{}为 {}，{}为 {}",
            what.0,
            short(a),
            what.1,
            short(b)
        )),
        _ => {}
    }
}
