//! 抽取记录 (the printable record) as Markdown: commitment, seed parts, strata and quotas,
//! the selected entities with their tickets, the teams, witnesses, checkpoint, signature lines.

use std::collections::HashMap;
use std::fmt::Write;

use super::record::{DrawRecord, Prepared, PrivatePart, StratumCount};
use super::team::current_team;

/// 抽取记录 (the printable record of a run draw): header, seed, strata with the selected
/// entities, exclusions, visits and teams, substitutions, witnesses and signature lines.
pub fn markdown(r: &DrawRecord, prepared_by: &str, run_by: &str) -> String {
    let names: HashMap<&str, &str> = r
        .prepared
        .entities
        .iter()
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect();
    let mut s = String::new();
    let _ = writeln!(s, "# 双随机抽查抽取记录 {}\n", r.draw_id);
    let _ = writeln!(s, "- 抽查期间：{}", r.period);
    let _ = writeln!(s, "- 算法：{}（记录格式 {}）", r.algorithm, r.format);
    let _ = writeln!(
        s,
        "- 准备日期：{}；准备人：{prepared_by}；运行人：{run_by}",
        r.prepared.prepared_on
    );
    tasks_commitment_sources(&mut s, &r.prepared, &r.commitment);
    let _ = writeln!(s, "\n## 种子\n");
    for (p, src) in r.seed_parts.iter().zip(&r.seed_sources) {
        let _ = writeln!(s, "- {src}：`{p}`");
    }
    let _ = writeln!(s, "- 种子 = SHA-256(承诺值|各部分)：`{}`", r.seed);
    strata_section(&mut s, r, &names);
    if !r.prepared.excluded.is_empty() {
        excluded_table(&mut s, &r.prepared);
        let _ = writeln!(s);
    }
    visits_section(&mut s, r, &names);
    substitutions_section(&mut s, r);
    let _ = writeln!(s, "\n## 见证与检查点\n");
    let _ = writeln!(
        s,
        "- 见证人：{}",
        if r.witnesses.is_empty() {
            "（无）".to_string()
        } else {
            r.witnesses.join("、")
        }
    );
    if let Some(c) = &r.checkpoint {
        let _ = writeln!(s, "- 运行后审计检查点：`{}:{}`", c.size, c.head);
    }
    let _ = writeln!(
        s,
        "\n任何人可用 `shuangsuiji draw verify --file 记录.json` 或按 docs/draw.md 的步骤复算本记录。\n"
    );
    let _ = writeln!(
        s,
        "抽取人（签字）：__________　　见证人（签字）：__________　　监督人（签字）：__________　　日期：__________"
    );
    s
}

/// Each stratum with its population, priority, quota and rule, and a table of the entities
/// it selected with their tickets.
fn strata_section(s: &mut String, r: &DrawRecord, names: &HashMap<&str, &str>) {
    let _ = writeln!(s, "\n## 分层、名额与抽中对象\n");
    for (spec, res) in r.prepared.strata.iter().zip(&r.strata) {
        let _ = writeln!(s, "### {} {}\n", spec.task, spec.label);
        let _ = writeln!(
            s,
            "总体 {} 个，优先 {} 个，名额 {}。规则：{}\n",
            spec.population.len(),
            spec.priority.len(),
            spec.quota,
            spec.rule
        );
        if !res.selected.is_empty() {
            let _ = writeln!(
                s,
                "| 序号 | 统一社会信用代码/登记编码 | 名称 | 签号 |\n|---|---|---|---|"
            );
            for (i, sel) in res.selected.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    i + 1,
                    sel.id,
                    names.get(sel.id.as_str()).unwrap_or(&""),
                    sel.ticket
                );
            }
            let _ = writeln!(s);
        }
    }
}

/// The visits with their tasks and current teams (★ the lead), or why a team could not be
/// formed.
fn visits_section(s: &mut String, r: &DrawRecord, names: &HashMap<&str, &str>) {
    let officers: HashMap<&str, &str> = r
        .prepared
        .inspectors
        .iter()
        .map(|i| (i.id.as_str(), i.name.as_str()))
        .collect();
    let _ = writeln!(s, "## 检查任务与检查组（{} 项）\n", r.visits.len());
    let _ = writeln!(
        s,
        "| 序号 | 对象 | 任务 | 检查组（★组长） |\n|---|---|---|---|"
    );
    for (i, v) in r.visits.iter().enumerate() {
        let team = current_team(v, &r.substitutions);
        let members: Vec<String> = team
            .iter()
            .map(|m| {
                format!(
                    "{}{} {}（{}）",
                    if m.lead { "★" } else { "" },
                    m.inspector,
                    officers.get(m.inspector.as_str()).unwrap_or(&""),
                    m.department
                )
            })
            .collect();
        let cell = match &v.problem {
            Some(p) => format!("未能组成：{p}"),
            None => members.join("、"),
        };
        let _ = writeln!(
            s,
            "| {} | {} {} | {} | {cell} |",
            i + 1,
            v.entity,
            names.get(v.entity.as_str()).unwrap_or(&""),
            v.tasks.join("、")
        );
    }
}

/// Each substitution: when, which visit, who left and who replaced them, why, by whom, and
/// whom the ranking passed over (nothing when there were none).
fn substitutions_section(s: &mut String, r: &DrawRecord) {
    if r.substitutions.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## 人员替换\n");
    for sub in &r.substitutions {
        // A further substitution of the same seat: who asked, and that the principal approved.
        let by = match &sub.approval {
            Some(a) => format!(
                "再次替换：{} 于 {} 申请，{} 批准",
                a.requested_by, a.requested_at, sub.by
            ),
            None => sub.by.clone(),
        };
        let reason = if sub.withheld {
            "（不公开）"
        } else {
            sub.reason.as_str()
        };
        let _ = writeln!(
            s,
            "- {} {}：{} 由 {} 接替，理由：{}（{}，{}）",
            sub.at,
            sub.entity,
            sub.out,
            sub.replacement,
            reason,
            by,
            if sub.skipped.is_empty() {
                "无跳过".to_string()
            } else {
                format!(
                    "跳过 {}",
                    sub.skipped
                        .iter()
                        .map(|x| format!("{} {}", x.id, x.reason))
                        .collect::<Vec<_>>()
                        .join("、")
                )
            }
        );
    }
}

/// 抽取准备记录 (the printable record of a prepared draw, before the run): tasks, strata with
/// quotas and rules, exclusions, the eligible and ineligible inspectors, the commitment to be
/// announced, and signature lines.
pub fn prepared_markdown(
    draw_id: &str,
    commitment: &str,
    p: &Prepared,
    private: Option<&PrivatePart>,
    prepared_by: &str,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# 双随机抽查抽取准备记录 {draw_id}\n");
    let _ = writeln!(s, "- 抽查期间：{}", p.period);
    let _ = writeln!(s, "- 算法：{}", p.algorithm);
    let _ = writeln!(s, "- 准备日期：{}；准备人：{prepared_by}", p.prepared_on);
    tasks_commitment_sources(&mut s, p, commitment);
    let _ = writeln!(s, "- 每名执法人员本次最多 {} 项检查任务", p.workload_cap);
    let _ = writeln!(s, "\n## 分层、名额与规则\n");
    let _ = writeln!(
        s,
        "| 序号 | 任务 | 分层 | 总体 | 优先 | 比例 | 名额 | 规则 |\n|---|---|---|---|---|---|---|---|"
    );
    for (i, st) in p.strata.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            st.task,
            st.label,
            st.population.len(),
            st.priority.len(),
            crate::domain::plan::pct(st.ratio_bp),
            st.quota,
            st.rule
        );
    }
    let _ = writeln!(s);
    excluded_table(&mut s, p);
    let _ = writeln!(s, "\n## 可派执法人员（{} 名）\n", p.inspectors.len());
    if !p.inspectors.is_empty() {
        let _ = writeln!(s, "| 编号 | 姓名 | 部门 | 专业 |\n|---|---|---|---|");
        for i in &p.inspectors {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                i.id,
                i.name,
                i.department,
                i.expertise.join("、")
            );
        }
    }
    match (&p.ineligible, private) {
        (None, None) => {
            let _ = writeln!(
                s,
                "\n## 不可派执法人员\n\n不可派人员及原因、申报的回避和上次检查组属于保密部分，其摘要已计入承诺值。"
            );
        }
        _ => {
            let ineligible = p.ineligible(private);
            let _ = writeln!(s, "\n## 不可派执法人员（{} 名）\n", ineligible.len());
            if !ineligible.is_empty() {
                let _ = writeln!(s, "| 编号 | 原因 |\n|---|---|");
                for i in ineligible {
                    let _ = writeln!(s, "| {} | {} |", i.id, i.reason);
                }
            }
        }
    }
    let _ = writeln!(
        s,
        "\n承诺值 = SHA-256(prepared 的规范 JSON)，任何人可用 `shuangsuiji draw show {draw_id} --json` 的 prepared 按 docs/draw.md 复算。\n"
    );
    let _ = writeln!(
        s,
        "准备人（签字）：__________　　见证人（签字）：__________　　监督人（签字）：__________　　日期：__________"
    );
    s
}

/// The prepared draw as an observer may see it before the year's earlier visits have started:
/// the commitment, the tasks and each stratum's counts, no names.
pub fn withheld_markdown(
    draw_id: &str,
    commitment: &str,
    p: &Prepared,
    counts: &[StratumCount],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# 双随机抽查抽取准备记录 {draw_id}（公开部分）\n");
    let _ = writeln!(s, "- 抽查期间：{}", p.period);
    tasks_commitment_sources(&mut s, p, commitment);
    let _ = writeln!(
        s,
        "\n总体名单、排除名单和对象信息在本年此前各次抽取的检查任务全部开始（或标为未实施）之前保密，以免推知尚未检查的对象；此处只列各层数目。\n"
    );
    let _ = writeln!(
        s,
        "| 序号 | 任务 | 分层 | 总体 | 优先 | 名额 |\n|---|---|---|---|---|---|"
    );
    for (i, c) in counts.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            c.task,
            c.label,
            c.population,
            c.priority,
            c.quota
        );
    }
    s
}

/// The tasks, the commitment and the declared randomness sources: the header lines both
/// records share.
fn tasks_commitment_sources(s: &mut String, p: &Prepared, commitment: &str) {
    let tasks: Vec<String> = p
        .tasks
        .iter()
        .map(|t| format!("{} {}", t.code, t.name))
        .collect();
    let _ = writeln!(s, "- 抽查任务：{}", tasks.join("；"));
    let _ = writeln!(s, "- 承诺值（运行前公布）：`{commitment}`");
    let _ = writeln!(s, "- 声明的随机来源：{}", p.sources.join("；"));
    if let Some(h) = &p.system_part_sha256 {
        let _ = writeln!(s, "- 系统随机数的摘要（准备时生成，运行时公布原数）：`{h}`");
    }
    if let Some(h) = &p.private_sha256 {
        let _ = writeln!(s, "- 保密部分的摘要：`{h}`");
    }
    if let (Some(by), Some(at)) = (&p.prepared_by, &p.prepared_at) {
        let _ = writeln!(s, "- 承诺值所含的准备人与准备时间：{by}，{at}");
    }
}

/// The units left out of the population, with task and reason (the heading always, the table
/// when there are any).
fn excluded_table(s: &mut String, p: &Prepared) {
    let _ = writeln!(s, "## 未纳入总体的对象（{} 个）\n", p.excluded.len());
    if !p.excluded.is_empty() {
        let _ = writeln!(s, "| 任务 | 代码 | 原因 |\n|---|---|---|");
        for x in &p.excluded {
            let _ = writeln!(s, "| {} | {} | {} |", x.task, x.id, x.reason);
        }
    }
}
