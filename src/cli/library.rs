//! `inspectors list | duty | leave | conflict`, `items list`, `stats`.

use chrono::NaiveDate;

use super::messages::{self, NONE, label};
use super::{CliResult, Failure, output};
use shuangsuiji::domain::inspector::Inspector;
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::Session;

#[derive(Debug, clap::Subcommand)]
pub enum InspectorsCommand {
    /// 列出执法人员（今天请假的标为“请假”）
    List(output::JsonFlag),
    /// 显示一名执法人员：执法证、部门、片区、专业、请假和回避
    Show {
        code: String,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 设置在岗或不在岗
    Duty {
        code: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[arg(long)]
        reason: String,
    },
    /// 登记请假/离岗时段；--cancel 起始日 取消一段请假，--edit 起始日 修改其日期
    Leave {
        code: String,
        /// 起始日期（登记时必填；与 --edit 一起时为新的起始日期）
        #[arg(long, value_parser = super::day)]
        from: Option<NaiveDate>,
        /// 结束日期（登记时必填；与 --edit 一起时为新的结束日期）
        #[arg(long, value_parser = super::day)]
        to: Option<NaiveDate>,
        /// 取消从该日开始的请假
        #[arg(long, value_name = "起始日", value_parser = super::day, conflicts_with_all = ["edit", "from", "to"])]
        cancel: Option<NaiveDate>,
        /// 修改从该日开始的请假（用 --from/--to 给出新日期）
        #[arg(long, value_name = "起始日", value_parser = super::day)]
        edit: Option<NaiveDate>,
        /// 登记时为请假原因；取消或修改时为变更原因（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 登记回避（利害关系）
    Conflict {
        code: String,
        /// 监管对象代码
        #[arg(long)]
        entity: String,
        #[arg(long)]
        reason: String,
    },
}

pub fn inspectors(s: &mut Session, c: &InspectorsCommand) -> CliResult {
    match c {
        InspectorsCommand::List(json) => list_inspectors(s, json.json),
        InspectorsCommand::Show { code, json } => show_inspector(s, code, json.json),
        InspectorsCommand::Duty {
            code,
            state,
            reason,
        } => duty(s, code, state == "on", reason),
        InspectorsCommand::Leave {
            code,
            from,
            to,
            cancel,
            edit,
            reason,
        } => match (cancel, edit) {
            (Some(day), _) => {
                let i = s.cancel_leave(code, *day, reason)?;
                output::say(&format!(
                    "{} {}：已取消从 {day} 开始的请假；{}",
                    i.code,
                    i.name,
                    leaves_text(&i)
                ));
                Ok(())
            }
            (None, Some(day)) => {
                if from.is_none() && to.is_none() {
                    return Err(Failure::Message(
                        "修改请假须用 --from 或 --to 给出新的日期".to_string(),
                    ));
                }
                let i = s.edit_leave(code, *day, *from, *to, reason)?;
                output::say(&format!(
                    "{} {}：已修改从 {day} 开始的请假；{}",
                    i.code,
                    i.name,
                    leaves_text(&i)
                ));
                Ok(())
            }
            (None, None) => match (from, to) {
                (Some(from), Some(to)) => leave(s, code, *from, *to, reason),
                _ => Err(Failure::Message(
                    "登记请假须给出 --from 和 --to（取消用 --cancel 起始日，修改用 --edit 起始日）"
                        .to_string(),
                )),
            },
        },
        InspectorsCommand::Conflict {
            code,
            entity,
            reason,
        } => conflict(s, code, entity, reason),
    }
}

fn duty(s: &mut Session, code: &str, on: bool, reason: &str) -> CliResult {
    let i = s.set_on_duty(code, on, reason)?;
    output::say(&format!(
        "{} {}：{}",
        i.code,
        i.name,
        messages::duty(i.on_duty)
    ));
    Ok(())
}

fn leave(s: &mut Session, code: &str, from: NaiveDate, to: NaiveDate, reason: &str) -> CliResult {
    let i = s.add_leave(code, from, to, reason)?;
    output::say(&format!("{} {}：已登记 {from}~{to} 请假", i.code, i.name));
    Ok(())
}

/// The leaves on file: "请假：2026-05-01~2026-05-10（病假）", or 无请假.
fn leaves_text(i: &Inspector) -> String {
    if i.leaves.is_empty() {
        return "现无请假".to_string();
    }
    format!(
        "现有请假：{}",
        i.leaves
            .iter()
            .map(|l| format!("{}~{}", l.from, l.to))
            .collect::<Vec<_>>()
            .join("、")
    )
}

/// `inspectors show CODE`
fn show_inspector(s: &Session, code: &str, json: bool) -> CliResult {
    let wanted = code.trim().to_ascii_uppercase();
    let Some(i) = s.list_inspectors()?.into_iter().find(|i| i.code == wanted) else {
        return Err(Failure::Message(format!(
            "未找到人员编号为 {wanted} 的执法人员"
        )));
    };
    if json {
        return output::json(&i);
    }
    let today = s.today();
    let state = if i.on_duty && i.on_leave(today) {
        messages::ON_LEAVE
    } else {
        messages::duty(i.on_duty)
    };
    let cert = match i.cert_expiry {
        Some(d) if i.certified_on(today) => format!("{}，有效期至 {d}", i.cert_no),
        Some(d) => format!("{}，已于 {d} 过期", i.cert_no),
        None => format!("{}，未登记有效期", i.cert_no),
    };
    let or_none = |t: String| if t.is_empty() { NONE.to_string() } else { t };
    output::fields(&[
        (label::ID, i.code.clone()),
        (label::PERSON, i.name.clone()),
        ("执法证", cert),
        (label::DEPARTMENT, i.department.clone()),
        ("股室/大队", or_none(i.unit.clone())),
        (
            "专业",
            or_none(join_list(i.expertise.iter().map(|x| x.label()))),
        ),
        ("负责片区", or_none(join_list(i.areas.iter()))),
        (label::STATE, format!("{state}（{today}）")),
        ("联系电话", or_none(i.phone.clone())),
    ])?;
    output::say("");
    output::say("请假/离岗");
    if i.leaves.is_empty() {
        output::say("（无）");
    }
    for l in &i.leaves {
        let now = if l.from <= today && today <= l.to {
            "（今天在请假中）"
        } else {
            ""
        };
        output::say(&format!("  {}~{}：{}{now}", l.from, l.to, l.reason));
    }
    output::say("回避");
    if i.conflicts.is_empty() {
        output::say("（无）");
    }
    for c in &i.conflicts {
        output::say(&format!("  {}：{}", c.entity, c.reason));
    }
    Ok(())
}

fn conflict(s: &mut Session, code: &str, entity: &str, reason: &str) -> CliResult {
    let i = s.declare_conflict(code, entity, reason)?;
    output::say(&format!("{} {}：已登记对 {entity} 的回避", i.code, i.name));
    Ok(())
}

fn list_inspectors(s: &Session, json: bool) -> CliResult {
    let headers = [
        label::ID,
        label::PERSON,
        label::DEPARTMENT,
        "股室/大队",
        "专业",
        "片区",
        label::STATE,
        "执法证",
    ];
    let today = s.today();
    let list = s.list_inspectors()?;
    output::counted_listing(json, &headers, &list, "名", |i| {
        let state = if i.on_duty && i.on_leave(today) {
            messages::ON_LEAVE
        } else {
            messages::duty(i.on_duty)
        };
        vec![
            i.code.clone(),
            i.name.clone(),
            i.department.clone(),
            i.unit.clone(),
            join_list(i.expertise.iter().map(|x| x.label())),
            join_list(i.areas.iter()),
            state.to_string(),
            match i.cert_expiry {
                Some(d) if i.certified_on(today) => format!("至{d}"),
                Some(d) => format!("已过期{d}"),
                None => NONE.to_string(),
            },
        ]
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum ItemsCommand {
    /// 列出抽查事项清单
    List(output::JsonFlag),
}

pub fn items(s: &Session, c: &ItemsCommand) -> CliResult {
    let ItemsCommand::List(json) = c;
    let headers = [
        label::ID,
        "抽查类别",
        label::CHECK_ITEM,
        label::TARGET_TYPE,
        "检查方式",
    ];
    output::listing(json.json, &headers, &s.list_check_items()?, |i| {
        vec![
            i.code.clone(),
            i.category.clone(),
            i.item.chars().take(30).collect(),
            i.target_type.label().to_string(),
            i.method.clone(),
        ]
    })
}

pub fn stats(s: &Session, json: bool) -> CliResult {
    let st = s.stats()?;
    if json {
        return output::json(&st);
    }
    let map = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join("，")
    };
    let mode = messages::mode(st.mode);
    output::fields(&[
        (
            "数据库",
            format!("{}（{mode}），今天 {}", s.db_path().display(), st.today),
        ),
        (
            "监管对象",
            format!("{} 个，其中不参与双随机 {}", st.entities, st.excluded),
        ),
        (
            label::CLASS,
            format!(
                "{}；计入重点年度覆盖 {}",
                map(&st.by_class),
                st.key_coverage_pool
            ),
        ),
        (label::CREDIT_TIER, map(&st.by_tier)),
        (label::TARGET_TYPE, map(&st.by_target_type)),
        (label::TOWN, map(&st.by_town)),
        (
            label::INSPECTOR,
            format!(
                "{} 名，在岗 {}，持有效执法证 {}",
                st.inspectors, st.inspectors_on_duty, st.inspectors_certified
            ),
        ),
        (label::DEPARTMENT, map(&st.by_department)),
        (label::CHECK_ITEM, format!("{} 条", st.check_items)),
        (
            "本年计划",
            format!("{} 个，任务 {} 项", st.plans_this_year, st.tasks_this_year),
        ),
        ("用户", format!("{} 个", st.users)),
        (
            "审计日志",
            format!(
                "{} 条，检查点 {}:{}",
                st.audit_size, st.audit_size, st.audit_head
            ),
        ),
    ])
}
