//! `inspectors list | duty | leave | conflict`, `items list`, `stats`.

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
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        to: chrono::NaiveDate,
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
    let json = match c {
        InspectorsCommand::List(json) => json,
        InspectorsCommand::Duty {
            code,
            state,
            reason,
        } => {
            let i = s.set_on_duty(code, state == "on", reason)?;
            output::say(&format!(
                "{} {}：{}",
                i.code,
                i.name,
                if i.on_duty { "在岗" } else { "不在岗" }
            ));
            return Ok(());
        }
        InspectorsCommand::Leave {
            code,
            from,
            to,
            reason,
        } => {
            let i = s.add_leave(code, *from, *to, reason)?;
            output::say(&format!("{} {}：已登记 {from}~{to} 请假", i.code, i.name));
            return Ok(());
        }
        InspectorsCommand::Conflict {
            code,
            entity,
            reason,
        } => {
            let i = s.declare_conflict(code, entity, reason)?;
            output::say(&format!("{} {}：已登记对 {entity} 的回避", i.code, i.name));
            return Ok(());
        }
    };
    let list = s.list_inspectors()?;
    if json.json {
        return Ok(output::json(&list)?);
    }
    let today = s.today();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|i| {
            vec![
                i.code.clone(),
                i.name.clone(),
                i.department.clone(),
                i.unit.clone(),
                join_list(i.expertise.iter().map(|x| x.label())),
                join_list(i.areas.iter()),
                if !i.on_duty {
                    "不在岗"
                } else if i.on_leave(today) {
                    "请假"
                } else {
                    "在岗"
                }
                .to_string(),
                match i.cert_expiry {
                    Some(d) if i.certified_on(today) => format!("至{d}"),
                    Some(d) => format!("已过期{d}"),
                    None => "无".to_string(),
                },
            ]
        })
        .collect();
    output::table(
        &[
            "编号",
            "姓名",
            "部门",
            "股室/大队",
            "专业",
            "片区",
            "状态",
            "执法证",
        ],
        &rows,
    )?;
    output::say(&format!("共 {} 名", list.len()));
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum ItemsCommand {
    /// 列出抽查事项清单
    List(output::JsonFlag),
}

pub fn items(s: &Session, c: &ItemsCommand) -> CliResult {
    let ItemsCommand::List(json) = c;
    let list = s.list_check_items()?;
    if json.json {
        return Ok(output::json(&list)?);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|i| {
            let item: String = i.item.chars().take(30).collect();
            vec![
                i.code.clone(),
                i.category.clone(),
                item,
                i.target_type.label().to_string(),
                i.method.clone(),
            ]
        })
        .collect();
    output::table(
        &["编号", "抽查类别", "抽查事项", "检查对象", "检查方式"],
        &rows,
    )?;
    Ok(())
}

pub fn stats(s: &Session, json: bool) -> CliResult {
    let st = s.stats()?;
    if json {
        return Ok(output::json(&st)?);
    }
    let map = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join("，")
    };
    let mode = match st.mode {
        shuangsuiji::services::Mode::Demo => "示例数据",
        shuangsuiji::services::Mode::Production => "正式",
    };
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
            "监管类别",
            format!(
                "{}；计入重点年度覆盖 {}",
                map(&st.by_class),
                st.key_coverage_pool
            ),
        ),
        ("信用风险", map(&st.by_tier)),
        ("检查对象", map(&st.by_target_type)),
        ("乡镇", map(&st.by_town)),
        (
            "执法人员",
            format!(
                "{} 名，在岗 {}，持有效执法证 {}",
                st.inspectors, st.inspectors_on_duty, st.inspectors_certified
            ),
        ),
        ("部门", map(&st.by_department)),
        ("抽查事项", format!("{} 条", st.check_items)),
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
    ])?;
    Ok(())
}
