//! `draw prepare | run | void | approve-void | list | show | verify | substitute |
//! approve-substitute`.

use std::path::{Path, PathBuf};

use super::messages::{self, AWAITS_PRINCIPAL, label};
use super::{CliResult, Failure, output};
use shuangsuiji::domain::calendar::china_time;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::draw::record::{
    DrawRecord, Prepared, PrivatePart, StratumCount, Substitution, parse_record,
};
use shuangsuiji::domain::draw::status::Draw;
use shuangsuiji::domain::draw::team::current_team;
use shuangsuiji::domain::draw::verify::{RECOMPUTED, UNCONFIRMED, notes, verify};
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::Session;
use shuangsuiji::services::draws::DrawCheck;

#[derive(Debug, clap::Subcommand)]
pub enum DrawCommand {
    /// 准备抽取：冻结总体、排除、名额和可派人员，计算并登记承诺值
    Prepare {
        /// 抽查期间，如 2026Q2
        #[arg(long)]
        period: Period,
        /// 任务编号（可多次）；不给时取检查时间覆盖本季度的全部任务
        #[arg(long = "task")]
        tasks: Vec<String>,
        /// 声明的随机来源（可多次）
        #[arg(long = "source")]
        sources: Vec<String>,
    },
    /// 运行抽取（只能一次）：输入现场种子（合计至少20位数字）和见证人
    Run {
        id: String,
        #[arg(long = "seed", required = true)]
        seeds: Vec<String>,
        #[arg(long = "witness")]
        witnesses: Vec<String>,
    },
    /// 申请作废抽取（须主要负责人批准）
    Void {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// 批准作废（主要负责人）
    ApproveVoid { id: String },
    /// 列出抽取
    List(output::JsonFlag),
    /// 显示抽取记录
    Show {
        id: String,
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// 可打印的抽取记录（Markdown）
        #[arg(long)]
        markdown: bool,
    },
    /// 复算核验：按编号（数据库）或 --file 记录.json（无需数据库）
    Verify {
        #[arg(required_unless_present = "file")]
        id: Option<String>,
        /// 抽取记录（JSON）；写作 - 时从标准输入读取
        #[arg(long, conflicts_with = "id")]
        file: Option<PathBuf>,
    },
    /// 替换一名检查人员（仅限尚未开始的检查任务；按原排序取下一名合格人员；每个席位队长可替换一次）
    Substitute {
        id: String,
        /// 检查任务编号（visit list 的“编号”），或检查对象代码
        #[arg(long)]
        visit: String,
        /// 被替换的执法人员编号
        #[arg(long)]
        inspector: String,
        /// 理由：病假、公差、回避、离岗，或“其他：说明”
        #[arg(long)]
        reason: String,
        /// 该席位已替换过：提交再次替换的申请，经主要负责人批准后替换
        #[arg(long)]
        request: bool,
    },
    /// 批准同一席位的再次替换申请（主要负责人，非申请人）
    ApproveSubstitute {
        /// 申请编号（draw show 列出）
        request: i64,
    },
}

pub fn run(cli: &super::Cli, c: &DrawCommand) -> CliResult {
    let db = cli.db.as_path();
    if let DrawCommand::Verify { file: Some(f), .. } = c {
        return verify_file(f, cli);
    }
    let s = &mut cli.open()?;
    match c {
        DrawCommand::Prepare {
            period,
            tasks,
            sources,
        } => prepare(s, *period, tasks, sources),
        DrawCommand::Run {
            id,
            seeds,
            witnesses,
        } => run_draw(s, id, seeds, witnesses),
        DrawCommand::Void { id, reason } => request_void(s, id, reason),
        DrawCommand::ApproveVoid { id } => approve_void(s, id),
        DrawCommand::List(json) => list(s, json.json),
        DrawCommand::Show { id, json, markdown } => show(s, id, *json, *markdown),
        DrawCommand::Verify { id, .. } => verify_stored(s, id.as_deref(), db),
        DrawCommand::Substitute {
            id,
            visit,
            inspector,
            reason,
            request: false,
        } => substitute(s, id, visit, inspector, reason),
        DrawCommand::Substitute {
            id,
            visit,
            inspector,
            reason,
            request: true,
        } => request_substitution(s, id, visit, inspector, reason),
        DrawCommand::ApproveSubstitute { request } => approve_substitution(s, *request),
    }
}

fn prepare(s: &mut Session, period: Period, tasks: &[String], sources: &[String]) -> CliResult {
    let p = s.prepare_draw(period, tasks, sources)?;
    output::say(&format!(
        "已准备抽取 {}（{}）：任务 {}，{} 层，名额合计 {}，排除 {} 项",
        p.id,
        p.period,
        join_list(&p.tasks),
        p.strata,
        p.quota,
        p.excluded
    ));
    output::say(&format!("承诺值：{}", p.commitment));
    for n in &p.notes {
        output::say(&format!("提示：{n}"));
    }
    output::say(&format!(
        "请在现场公布承诺值后掷骰，再运行：shuangsuiji draw run {} --seed … --seed … --witness …",
        p.id
    ));
    Ok(())
}

fn run_draw(s: &mut Session, id: &str, seeds: &[String], witnesses: &[String]) -> CliResult {
    let r = s.run_draw_brief(id, seeds, witnesses)?;
    let problems = r.problems;
    output::say(&format!(
        "抽取 {id} 已运行：种子 {}，检查任务 {} 项",
        r.seed, r.visits
    ));
    if problems > 0 {
        output::say(&format!(
            "注意：{problems} 项检查任务未能组成检查组，见 draw show {id}"
        ));
    }
    if let Some(cp) = &r.checkpoint {
        output::say(&messages::audit_checkpoint(cp));
    }
    Ok(())
}

fn request_void(s: &mut Session, id: &str, reason: &str) -> CliResult {
    s.request_void(id, reason)?;
    output::say(&format!("已申请作废抽取 {id}，{AWAITS_PRINCIPAL}"));
    Ok(())
}

fn approve_void(s: &mut Session, id: &str) -> CliResult {
    s.approve_void(id)?;
    output::say(&format!("已批准作废抽取 {id}；该抽取及其记录保留可查"));
    Ok(())
}

fn list(s: &Session, json: bool) -> CliResult {
    let headers = [
        label::ID,
        "期间",
        label::TASK,
        label::STATE,
        "准备人",
        "承诺值（前16位）",
    ];
    output::listing(json, &headers, &s.list_draws()?, |d| {
        vec![
            d.id.clone(),
            d.period.clone(),
            join_list(&d.tasks),
            d.status().label().to_string(),
            d.prepared_by.clone(),
            d.commitment[..16].to_string(),
        ]
    })
}

/// `draw show`: as JSON or Markdown, the record (once run) or what was frozen at preparation;
/// otherwise a summary of both.
fn show(s: &Session, id: &str, json: bool, markdown: bool) -> CliResult {
    let v = s.show_draw(id)?;
    let has_run = v.record.is_some();
    if json && has_run {
        return output::json(&s.draw_record(id)?);
    }
    if json {
        return output::json(&s.prepared_record(id)?);
    }
    if markdown {
        let text = if has_run {
            s.printable_record(id)?
        } else {
            s.printable_prepared(id)?
        };
        print!("{}", output::clean(&text));
        return Ok(());
    }
    say_draw(&v.draw);
    say_prepared(&v.prepared, &v.counts, v.withheld, v.private.as_ref())?;
    match &v.record {
        None => {
            output::say("尚未运行：等待现场种子。");
            Ok(())
        }
        Some(r) => {
            say_run(r, v.confidential, &super::inspector_names(s))?;
            say_substitutions(s, id, r)
        }
    }
}

/// Each substitution (the reason only for those who may see it) and, for leads and
/// principals, the requests for a further substitution of a seat.
fn say_substitutions(s: &Session, id: &str, r: &DrawRecord) -> CliResult {
    if !r.substitutions.is_empty() {
        output::say("人员替换：");
        output::table_of(
            &[
                label::SUBJECT,
                "替换",
                label::REASON,
                label::ACTOR,
                label::TIME,
                "批准",
            ],
            &r.substitutions,
            |x| {
                vec![
                    x.entity.clone(),
                    format!("{} → {}", x.out, x.replacement),
                    substitution_reason_text(x),
                    x.by.clone(),
                    china_time(&x.at),
                    x.approval
                        .as_ref()
                        .map(|a| format!("{} 申请，{} 批准", a.requested_by, x.by))
                        .unwrap_or_default(),
                ]
            },
        )?;
    }
    let Ok(requests) = s.substitution_requests(id) else {
        return Ok(());
    };
    let pending: Vec<_> = requests.into_iter().filter(|q| !q.approved).collect();
    if !pending.is_empty() {
        output::say("待主要负责人批准的再次替换申请（draw approve-substitute 编号）：");
        output::table_of(
            &[
                label::ID,
                label::SUBJECT,
                "被替换",
                label::REASON,
                "申请人",
                label::TIME,
            ],
            &pending,
            |q| {
                vec![
                    q.id.to_string(),
                    q.entity.clone(),
                    q.out.clone(),
                    q.reason.clone(),
                    q.requested_by.clone(),
                    china_time(&q.requested_at),
                ]
            },
        )?;
    }
    Ok(())
}

/// A substitution's reason as shown: held back (保密) from those who may not see it.
pub fn substitution_reason_text(x: &Substitution) -> String {
    if x.withheld {
        "（保密）".to_string()
    } else {
        x.reason.clone()
    }
}

/// Who prepared the draw, its commitment, and any void request and approval.
fn say_draw(d: &Draw) {
    output::say(&format!(
        "抽取 {}（{}），任务 {}",
        d.id,
        d.period,
        join_list(&d.tasks)
    ));
    output::say(&format!(
        "准备：{} {}；承诺值 {}",
        d.prepared_by, d.prepared_at, d.commitment
    ));
    if let Some(vr) = &d.void_request {
        output::say(&format!(
            "作废申请：{} {}，理由：{}",
            vr.by, vr.at, vr.reason
        ));
    }
    if let Some(va) = &d.void_approved {
        output::say(&format!("已批准作废：{} {}", va.by, va.at));
    }
}

/// What was frozen at preparation: strata, exclusions, inspectors who can and cannot be sent.
fn say_prepared(
    p: &Prepared,
    counts: &[StratumCount],
    withheld: bool,
    private: Option<&PrivatePart>,
) -> CliResult {
    output::table_of(
        &[label::TASK, "分层", "总体", "优先", "名额", "规则"],
        counts,
        |st| {
            vec![
                st.task.clone(),
                st.label.clone(),
                st.population.to_string(),
                st.priority.to_string(),
                st.quota.to_string(),
                st.rule.clone(),
            ]
        },
    )?;
    if withheld {
        output::say(
            "总体名单、排除名单和对象信息在本年此前各次抽取的检查任务全部开始（或标为未实施）之前保密；此处只列各层数目和承诺值。",
        );
        return Ok(());
    }
    let ineligible = p.ineligible(private);
    let ineligible_count = match (&p.ineligible, private) {
        (None, None) => "若干（保密部分）".to_string(),
        _ => ineligible.len().to_string(),
    };
    output::say(&format!(
        "排除 {} 项；可派执法人员 {} 名，不可派 {ineligible_count} 名；每人本次最多 {} 项",
        p.excluded.len(),
        p.inspectors.len(),
        p.workload_cap
    ));
    if !p.excluded.is_empty() {
        output::say("未纳入总体的对象：");
        output::table_of(
            &[label::TASK, label::CODE, label::CAUSE],
            &p.excluded,
            |x| vec![x.task.clone(), x.id.clone(), x.reason.clone()],
        )?;
    }
    if !ineligible.is_empty() {
        output::say("不可派的执法人员：");
        output::table_of(&[label::ID, label::CAUSE], ineligible, |x| {
            vec![x.id.clone(), x.reason.clone()]
        })?;
    }
    Ok(())
}

/// The run: seed and witnesses (unless the list is still confidential) and each visit's team.
fn say_run(
    r: &DrawRecord,
    confidential: bool,
    names: &std::collections::HashMap<String, String>,
) -> CliResult {
    if confidential {
        output::say("名单在检查开始前保密；下列仅为你所在检查组的任务。");
    } else {
        output::say(&format!(
            "种子 {}；见证人 {}",
            r.seed,
            join_list(&r.witnesses)
        ));
    }
    output::table_of(
        &[label::SUBJECT, label::TASK, "检查组（*组长）"],
        &r.visits,
        |vis| {
            let members = current_team(vis, &r.substitutions)
                .iter()
                .map(|m| super::seat_text(&m.inspector, m.lead, names))
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                vis.entity.clone(),
                join_list(&vis.tasks),
                vis.problem.clone().unwrap_or(members),
            ]
        },
    )
}

/// `draw verify ID`: the stored record against the database.
fn verify_stored(s: &Session, id: Option<&str>, db: &Path) -> CliResult {
    let id = id.ok_or_else(|| Failure::Message("请给出抽取编号或 --file".into()))?;
    report(id, s.check_draw(id)?, Some(db))
}

/// The entity code `--visit` stands for: a visit number of draw `id` (as `visit list` shows it)
/// names its entity; anything else is taken as the entity code.
fn visit_entity(s: &Session, id: &str, visit: &str) -> Result<String, Failure> {
    let text = visit.trim();
    let Ok(number) = text.parse::<i64>() else {
        return Ok(text.to_string());
    };
    match s.visit(number) {
        Ok(v) if v.draw_id == id => Ok(v.entity),
        Ok(v) => Err(Failure::Message(format!(
            "检查任务 {number} 属于抽取 {}，不属于 {id}",
            v.draw_id
        ))),
        // Not a visit this user may see: perhaps an entity code made of digits.
        Err(_) => Ok(text.to_string()),
    }
}

fn substitute(s: &mut Session, id: &str, visit: &str, inspector: &str, reason: &str) -> CliResult {
    let entity = visit_entity(s, id, visit)?;
    let sub = s.substitute(id, &entity, inspector, reason)?;
    output::say(&format!(
        "对象 {} 的检查组：{} 由 {} 接替（{}）",
        sub.entity, sub.out, sub.replacement, sub.reason
    ));
    Ok(())
}

fn request_substitution(
    s: &mut Session,
    id: &str,
    visit: &str,
    inspector: &str,
    reason: &str,
) -> CliResult {
    let q = s.request_substitution(id, visit, inspector, reason)?;
    output::say(&format!(
        "已提交替换申请第{}号（对象 {}，替换 {}，{}），{AWAITS_PRINCIPAL}：draw approve-substitute {}",
        q.id, q.entity, q.out, q.reason, q.id
    ));
    Ok(())
}

fn approve_substitution(s: &mut Session, request: i64) -> CliResult {
    let sub = s.approve_substitution(request)?;
    output::say(&format!(
        "已批准替换申请第{request}号：对象 {} 的检查组中 {} 由 {} 接替（{}）",
        sub.entity, sub.out, sub.replacement, sub.reason
    ));
    Ok(())
}

/// `draw verify --file F`: the record re-computed from itself; with a database (`--db`, or
/// ./shuangsuiji.db when it exists) also compared with the stored record and its audit events.
fn verify_file(path: &Path, cli: &super::Cli) -> CliResult {
    let db = cli.db.as_path();
    let text = output::read_text(path)?;
    let record = parse_record(&text).map_err(|e| {
        Failure::Message(format!(
            "{} 不是有效的抽取记录：{e}",
            super::stdio::shown_input(path)
        ))
    })?;
    if db.exists() {
        let s = cli.open()?;
        let check = s.check_record(&record)?;
        return report(&record.draw_id, check, Some(db));
    }
    let check = DrawCheck {
        diffs: verify(&record),
        notes: notes(&record),
    };
    report(&record.draw_id, check, None)
}

/// Prints the outcome; with `db` the record was also checked against the database.
fn report(id: &str, check: DrawCheck, db: Option<&Path>) -> CliResult {
    if !check.diffs.is_empty() {
        let mut msg = format!("抽取 {id} 核验不通过，{}处不一致：", check.diffs.len());
        for d in check.diffs {
            msg.push('\n');
            msg.push_str(&d);
        }
        for n in check.notes {
            msg.push_str("\n注：");
            msg.push_str(&n);
        }
        return Err(Failure::Message(msg));
    }
    match db {
        Some(db) => output::say(&format!(
            "抽取 {id} 核验通过：记录复算一致，并与数据库 {} 中的记录、准备时冻结的内容、检查任务表、运行与替换的审计事件及审计链（检查点）逐项一致",
            db.display()
        )),
        None => {
            output::say(&format!("抽取 {id} 的记录自身复算一致。已复算："));
            for r in RECOMPUTED {
                output::say(&format!("  - {r}"));
            }
            output::say(
                "仅凭记录无法确认，须与局方审计日志或公布的检查点核对（shuangsuiji --db 数据库 draw verify --file 记录.json）：",
            );
            for u in UNCONFIRMED {
                output::say(&format!("  - {u}"));
            }
        }
    }
    for n in check.notes {
        output::say(&format!("注：{n}"));
    }
    Ok(())
}
