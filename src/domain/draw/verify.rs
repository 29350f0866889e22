//! 核验 (verification): re-compute a record from itself alone and say exactly what differs;
//! compare a record field by field with another (the stored record, an audit event).

use serde_json::Value;

use super::commit::sha256_hex;
use super::commit::{commitment, normalise_part, seed};
use super::record::{
    DrawRecord, Prepared, SUBSTITUTION_REASONS, SYSTEM_SOURCE, Seat, Selected, StratumSpec,
    VisitResult, format_of, known_algorithm, person_source, reason_kind,
};
use super::select::{select, visits};
use super::team::{NoSubstitute, match_teams, next_substitute, seat_substitutions};

/// What [`verify`] re-computes from the record alone, in words.
pub const RECOMPUTED: &[&str] = &[
    "承诺值（由 prepared 重算）",
    "抽取编号与期间、算法、记录格式",
    "种子（由承诺值和各种子部分重算）及种子来源与声明来源的对应",
    "每一层的名额（v2：按比例、比例基数、年度目标或全覆盖规则由记录中的数据重算）、抽中对象及其签号",
    "v2：承诺值所含的抽取编号、系统随机数的摘要与公布的系统随机数、保密部分的摘要（记录含保密部分时）",
    "每项检查任务的对象、任务、签号、标记和检查组（人员、部门、组长、签号；v2 须有保密部分）",
    "每次人员替换（被替换者在组内、接替者、组长传递、跳过的人员；v2 须有保密部分）",
    "每个席位的替换次数：同一席位的再次替换须经主要负责人批准（申请人与批准人不同）；v2：替换理由属于规定类别（病假、公差、回避、离岗、其他：说明）",
];

/// What a v2 record without its private part leaves unchecked (said, not a failure).
pub fn notes(record: &DrawRecord) -> Vec<String> {
    let mut out = Vec::new();
    if record.prepared.is_v2() && record.private.is_none() {
        out.push(
            "记录不含保密部分（执法人员的回避申报、不可派原因和上次检查组）：检查组和人员替换未核验，须由可查看检查组的人员核验；抽中对象和名额已核验".to_string(),
        );
    }
    let withheld = record.substitutions.iter().filter(|s| s.withheld).count();
    if withheld > 0 {
        out.push(format!(
            "{withheld}次人员替换的理由涉及个人情况，对查看者保密（withheld）：理由未显示、未核验；替换人员、跳过的人员和批准已核验"
        ));
    }
    out
}

/// What a record alone cannot prove: only the bureau's audit log or the published checkpoint
/// can confirm these.
pub const UNCONFIRMED: &[&str] = &[
    "见证人（witnesses）",
    "运行日期（run_on）",
    "替换的理由、时间、操作人和申请人，以及是否有替换被删去",
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
    check_substitution_rules(record, &mut diffs);
    let private_ok = check_private(record, &mut diffs);
    if record.prepared.is_v2() && !private_ok {
        // Without the private part only what the public may check: entities, tasks, tickets.
        let want: Vec<VisitResult> = planned
            .iter()
            .map(|p| VisitResult {
                entity: p.entity.clone(),
                tasks: p.tasks.clone(),
                ticket: p.ticket.clone(),
                team: vec![],
                problem: None,
                note: p.note.clone(),
            })
            .collect();
        check_visit_count(record, want.len(), &mut diffs);
        for (i, (got, want)) in record.visits.iter().zip(&want).enumerate() {
            let mut got = got.clone();
            got.team.clear();
            got.problem = None;
            visit_diffs(i, &got, want, &mut diffs);
        }
        return diffs;
    }
    let drawn: std::collections::HashSet<&str> =
        planned.iter().map(|v| v.entity.as_str()).collect();
    let full = record.prepared.merged_for(&drawn, record.private.as_ref());
    let teams = match_teams(&full, &s, &planned);
    check_visit_count(record, teams.len(), &mut diffs);
    for (i, (got, want)) in record.visits.iter().zip(&teams).enumerate() {
        visit_diffs(i, got, want, &mut diffs);
    }
    for i in 0..record.substitutions.len() {
        check_substitution(record, &full, &s, &teams, i, &mut diffs);
    }
    diffs
}

fn check_visit_count(record: &DrawRecord, want: usize, diffs: &mut Vec<String>) {
    if want != record.visits.len() {
        diffs.push(format!("检查任务数为{}，应为{want}", record.visits.len(),));
    }
}

/// v2: the private part, when the record carries it, against its digest in `prepared`; true
/// when it is there and matches.
fn check_private(record: &DrawRecord, diffs: &mut Vec<String>) -> bool {
    let Some(private) = &record.private else {
        return false;
    };
    if !record.prepared.is_v2() {
        diffs.push("v1 记录不应含保密部分（private）".to_string());
        return false;
    }
    let d = private.digest();
    if record.prepared.private_sha256.as_deref() != Some(d.as_str()) {
        diffs.push("保密部分（private）与承诺内容中的摘要（prepared.private_sha256）不符：保密部分被改动过".to_string());
        return false;
    }
    true
}

/// The record's format, algorithm, period, draw id and run date; false when the algorithm is
/// not one this program can replay (nothing further is checked then).
fn check_identity(record: &DrawRecord, diffs: &mut Vec<String>) -> bool {
    if !known_algorithm(&record.algorithm) || record.prepared.algorithm != record.algorithm {
        diffs.push(format!(
            "算法为“{}”（承诺内容中为“{}”），本程序只能核验 ssj-draw-v1 和 ssj-draw-v2",
            record.algorithm, record.prepared.algorithm
        ));
        return false;
    }
    let format = format_of(&record.algorithm);
    if record.format != format {
        diffs.push(format!("记录格式为“{}”，应为“{format}”", record.format));
    }
    if record.prepared.is_v2() {
        check_v2_binding(record, diffs);
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

/// v2: what the commitment binds besides the population: the draw id, the preparer and the
/// time of preparation, the digests of the system's part and of the private part.
fn check_v2_binding(record: &DrawRecord, diffs: &mut Vec<String>) {
    let p = &record.prepared;
    if p.draw_id.as_deref() != Some(record.draw_id.as_str()) {
        diffs.push(format!(
            "承诺内容中的抽取编号（prepared.draw_id）为“{}”，记录为“{}”：承诺值不是为本次抽取作出的",
            p.draw_id.clone().unwrap_or_default(),
            record.draw_id
        ));
    }
    let missing: Vec<&str> = [
        ("prepared_by", p.prepared_by.is_none()),
        ("prepared_at", p.prepared_at.is_none()),
        ("system_part_sha256", p.system_part_sha256.is_none()),
        ("private_sha256", p.private_sha256.is_none()),
    ]
    .into_iter()
    .filter(|(_, m)| *m)
    .map(|(k, _)| k)
    .collect();
    if !missing.is_empty() {
        diffs.push(format!("v2 承诺内容缺少字段：{}", missing.join("、")));
    }
    if p.ineligible.is_some()
        || p.inspectors.iter().any(|i| i.conflicts.is_some())
        || p.entities.iter().any(|e| e.last_team.is_some())
    {
        diffs.push(
            "v2 承诺内容不应含个人数据（不可派原因、回避申报、上次检查组应在保密部分）".to_string(),
        );
    }
}

/// What a v2 stratum's quota must be, from the data the record holds.
fn v2_quota(st: &StratumSpec) -> u32 {
    let by_rule = st.wanted().min(st.population.len() as u32);
    if st.take_all_priority {
        by_rule.max(st.priority.len() as u32)
    } else {
        by_rule
    }
}

/// v2: each stratum's quota re-computed from its ratio, ratio base, yearly target or
/// full-coverage rule; the ratio base and over-cap marks consistent with the population.
fn check_v2_quotas(p: &Prepared, diffs: &mut Vec<String>) {
    for (i, st) in p.strata.iter().enumerate() {
        let at = format!("第{}层（{} {}）", i + 1, st.task, st.label);
        let want = v2_quota(st);
        if st.quota != want {
            diffs.push(format!(
                "{at}名额为{}，按记录中的规则数据应为{want}",
                st.quota
            ));
        }
        if st
            .ratio_base
            .is_some_and(|b| (b as usize) < st.population.len())
        {
            diffs.push(format!("{at}比例基数（ratio_base）小于总体"));
        }
        if !st.over_cap.is_empty() && !st.full_coverage {
            diffs.push(format!(
                "{at}只有全覆盖任务可有超出年度上限的对象（over_cap）"
            ));
        }
        if let Some(x) = first_outside(&st.over_cap, &st.population) {
            diffs.push(format!("{at}超出年度上限的对象 {x} 不在总体中"));
        }
    }
}

/// The first of `ids` not in `population`. Looked up in a set: a million-entity county's
/// strata hold priority lists as long as their populations (50,000 ids), and a search of the
/// list for each was half of `draw verify` at a million entities (issue 12).
fn first_outside<'a>(ids: &'a [String], population: &[String]) -> Option<&'a String> {
    if ids.is_empty() {
        return None;
    }
    let population: std::collections::HashSet<&str> =
        population.iter().map(String::as_str).collect();
    ids.iter().find(|id| !population.contains(id.as_str()))
}

/// The commitment re-computed from `prepared`, and each frozen stratum's quota and priority
/// within its population.
fn check_prepared(record: &DrawRecord, diffs: &mut Vec<String>) {
    if record.prepared.is_v2() {
        check_v2_quotas(&record.prepared, diffs);
    }
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
        if let Some(p) = first_outside(&st.priority, &st.population) {
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
    if let (Some(want), Some(system)) = (
        &record.prepared.system_part_sha256,
        record.seed_parts.last(),
    ) && sha256_hex(system) != *want
    {
        diffs.push(
            "系统随机数（最后一个种子部分）与准备时承诺的摘要（prepared.system_part_sha256）不符：系统随机数在准备后被换过".to_string(),
        );
    }
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
    prepared: &Prepared,
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
    let unavailable = |id: &str| {
        sub.skipped
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.reason.clone())
    };
    let replayed = next_substitute(
        prepared,
        seed,
        visit,
        &record.substitutions[..i],
        &sub.out,
        &unavailable,
    );
    diffs.extend(replay_diff(n, sub, replayed));
}

/// What every reader can check of the substitutions, with or without the private part: each
/// has a time, an operator and (unless withheld) a reason, of the fixed kinds in a v2 record;
/// and a seat substituted before is substituted again only with a request by someone other
/// than the one who approved it (the principal). The seats are followed on the recorded teams.
fn check_substitution_rules(record: &DrawRecord, diffs: &mut Vec<String>) {
    for (i, sub) in record.substitutions.iter().enumerate() {
        let n = i + 1;
        let e = &sub.entity;
        if sub.withheld {
            // The reasons are held back from this reader: nothing to check of them.
        } else if sub.reason.trim().is_empty() {
            diffs.push(format!("第{n}次替换（对象 {e}）没有理由"));
        } else if record.prepared.is_v2() && reason_kind(&sub.reason).is_none() {
            diffs.push(format!(
                "第{n}次替换（对象 {e}）的理由不在规定的类别中（{}，或“其他：说明”）",
                SUBSTITUTION_REASONS[..4].join("、")
            ));
        }
        if sub.by.trim().is_empty() || sub.at.trim().is_empty() {
            diffs.push(format!("第{n}次替换（对象 {e}）缺少时间或操作人"));
        }
        let Some(visit) = record.visits.iter().find(|v| &v.entity == e) else {
            // Said by the replay (the entity is not in the draw).
            continue;
        };
        let Some(before) = seat_substitutions(visit, &record.substitutions[..i], &sub.out) else {
            // Said by the replay (the officer is not on the team).
            continue;
        };
        match (&sub.approval, before.len()) {
            (None, 0) => {}
            (None, k) => diffs.push(format!(
                "第{n}次替换（对象 {e}，替换 {}）是该席位的第{}次替换，同一席位再次替换须经主要负责人批准，记录中没有批准（approval）",
                sub.out,
                k + 1
            )),
            (Some(a), _) => {
                if a.requested_by.trim().is_empty() || a.requested_at.trim().is_empty() {
                    diffs.push(format!(
                        "第{n}次替换（对象 {e}）的批准缺少申请人或申请时间"
                    ));
                } else if a.requested_by == sub.by {
                    diffs.push(format!(
                        "第{n}次替换（对象 {e}）由申请人 {} 自己批准：须由申请人以外的主要负责人批准",
                        sub.by
                    ));
                }
            }
        }
    }
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
    if got.note != want.note {
        let p = |x: &Option<String>| x.clone().unwrap_or_else(|| "（无）".to_string());
        diffs.push(format!(
            "对象 {e} 的标记（note）不符：记录为 {}，重算为 {}",
            p(&got.note),
            p(&want.note)
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
/// (`visits[2].team[0].lead`) and the first value; `what` says what each side is, e.g.
/// `("文件", "数据库中的记录")`. The second value is never printed: it is what the database
/// holds, which the reader may not be allowed to see ("seed_parts[2] 与数据库中的记录不一致").
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
                    "字段 {path} 的项数不符：{}有{}项，与{}不一致",
                    what.0,
                    x.len(),
                    what.1,
                ));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                field_diffs(&format!("{path}[{i}]"), p, q, what, out);
            }
        }
        _ if a != b => out.push(format!(
            "字段 {path} 不符：{}为 {}，与{}不一致",
            what.0,
            short(a),
            what.1,
        )),
        _ => {}
    }
}
