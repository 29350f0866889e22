//! 核验 (verification): re-compute a record from itself alone and say exactly what differs.

use super::commit::{commitment, normalise_part, seed};
use super::record::{ALGORITHM, DrawRecord, FORMAT};
use super::select::{select, visits};
use super::team::{match_teams, next_substitute};

/// Every difference found; empty when the record is sound.
pub fn verify(record: &DrawRecord) -> Vec<String> {
    let mut diffs = Vec::new();
    if record.format != FORMAT {
        diffs.push(format!("记录格式为“{}”，应为“{FORMAT}”", record.format));
    }
    if record.algorithm != ALGORITHM || record.prepared.algorithm != ALGORITHM {
        diffs.push(format!(
            "算法为“{}”，本程序只能核验“{ALGORITHM}”",
            record.algorithm
        ));
        return diffs;
    }
    if record.period != record.prepared.period {
        diffs.push(format!(
            "期间“{}”与承诺内容中的“{}”不一致",
            record.period, record.prepared.period
        ));
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
        if let Some(p) = st.priority.iter().find(|p| !st.population.contains(p)) {
            diffs.push(format!(
                "第{}层（{} {}）的优先对象{p}不在总体中",
                i + 1,
                st.task,
                st.label
            ));
        }
    }
    for p in &record.seed_parts {
        if normalise_part(p).as_deref() != Ok(p.as_str()) {
            diffs.push(format!("种子部分“{p}”不是纯数字"));
        }
    }
    let s = seed(&record.commitment, &record.seed_parts);
    if s != record.seed {
        diffs.push(format!(
            "种子不符：记录为 {}，按承诺值和种子部分重算为 {s}",
            record.seed
        ));
    }
    // Recompute from the recorded commitment's own seed, so one mistake is reported once.
    let results = select(&record.prepared, &s);
    if results.len() != record.strata.len() {
        diffs.push(format!(
            "分层数为{}，应为{}",
            record.strata.len(),
            results.len()
        ));
    }
    for (i, (got, want)) in record.strata.iter().zip(&results).enumerate() {
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
        } else if got.selected != want.selected {
            let ids = |v: &[super::record::Selected]| {
                v.iter()
                    .map(|s| s.id.clone())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            diffs.push(format!(
                "第{}层（{} {}）抽中对象不符：记录为 {}，重算为 {}",
                i + 1,
                want.task,
                want.label,
                ids(&got.selected),
                ids(&want.selected)
            ));
        }
    }
    let planned = visits(&record.prepared, &results);
    let teams = match_teams(&record.prepared, &s, &planned);
    if teams.len() != record.visits.len() {
        diffs.push(format!(
            "检查任务数为{}，应为{}",
            record.visits.len(),
            teams.len()
        ));
    }
    for (got, want) in record.visits.iter().zip(&teams) {
        if got != want {
            diffs.push(format!(
                "对象 {} 的检查任务或检查组不符（应为 {}）",
                got.entity,
                want.team
                    .iter()
                    .map(|s| s.inspector.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
    }
    for (i, sub) in record.substitutions.iter().enumerate() {
        let Some(visit) = teams.iter().find(|v| v.entity == sub.entity) else {
            diffs.push(format!(
                "第{}次替换的对象 {} 不在本次抽取中",
                i + 1,
                sub.entity
            ));
            continue;
        };
        let skipped = sub.skipped.clone();
        let unavailable = |id: &str| {
            skipped
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.reason.clone())
        };
        match next_substitute(
            &record.prepared,
            &s,
            visit,
            &record.substitutions[..i],
            &sub.out,
            &unavailable,
        ) {
            Ok((seat, passed)) if seat.inspector == sub.replacement && passed == sub.skipped => {}
            Ok((seat, _)) => diffs.push(format!(
                "第{}次替换（对象 {}）应由 {} 接替 {}，记录为 {}",
                i + 1,
                sub.entity,
                seat.inspector,
                sub.out,
                sub.replacement
            )),
            Err(e) => diffs.push(format!(
                "第{}次替换（对象 {}）无法复现：{e}",
                i + 1,
                sub.entity
            )),
        }
    }
    diffs
}
