//! `inspectors list | duty | leave | conflict`, `items list`, `stats`.

use chrono::NaiveDate;

use super::messages::{self, NONE, label};
use super::{CliResult, output};
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::Session;

#[derive(Debug, clap::Subcommand)]
pub enum InspectorsCommand {
    /// 列出执法人员
    List(output::JsonFlag),
    /// 设置在岗或不在岗
    Duty {
        code: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[arg(long)]
        reason: String,
    },
    /// 登记请假/离岗时段
    Leave {
        code: String,
        #[arg(long, value_parser = super::day)]
        from: NaiveDate,
        #[arg(long, value_parser = super::day)]
        to: NaiveDate,
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
        InspectorsCommand::Duty {
            code,
            state,
            reason,
        } => duty(s, code, state == "on", reason),
        InspectorsCommand::Leave {
            code,
            from,
            to,
            reason,
        } => leave(s, code, *from, *to, reason),
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
