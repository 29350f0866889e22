//! `entities list | show | exclude | include`.

use super::messages::{self, NO, label};
use super::{CliResult, output};
use shuangsuiji::domain::classification::SupervisionClass;
use shuangsuiji::domain::vocab::{CreditTier, TargetType, join_list};
use shuangsuiji::services::Session;
use shuangsuiji::services::browse::{EntityDetail, EntityVisit};
use shuangsuiji::services::registry::EntityFilter;

#[derive(Debug, clap::Subcommand)]
pub enum EntitiesCommand {
    /// 列出监管对象
    List(ListArgs),
    /// 显示一个监管对象的详情与分类理由
    Show {
        code: String,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 设为不参与双随机（搬迁、长期停产、破产、注销……）
    Exclude {
        code: String,
        /// 不参与的原因，如 搬迁（写在对象上，随对象显示）
        #[arg(long, value_name = "原因", required_unless_present = "old_exclusion")]
        exclusion: Option<String>,
        /// The old spelling of --exclusion, too close to --as: still accepted, with a note.
        #[arg(
            long = "as-reason",
            value_name = "原因",
            hide = true,
            conflicts_with = "exclusion"
        )]
        old_exclusion: Option<String>,
        /// 变更理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 恢复参与双随机
    Include {
        code: String,
        #[arg(long)]
        reason: String,
    },
    /// 修改一个监管对象的一个字段（字段名同导入表头，如 信用风险等级、生产状态、乡镇），记入审计日志
    Set {
        code: String,
        /// 字段名（导入模板的表头）
        field: String,
        /// 新的值（写法同导入）
        value: String,
        /// 修改理由（至少4个字，记入审计日志）
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// 监管类别 key|special|general
    #[arg(long, value_parser = parse_class)]
    class: Option<SupervisionClass>,
    /// 信用风险等级 low|normal|elevated|high
    #[arg(long, value_parser = parse_tier)]
    tier: Option<CreditTier>,
    /// 乡镇
    #[arg(long)]
    town: Option<String>,
    /// 检查对象类型，如 排污单位
    #[arg(long = "type", value_parser = parse_type)]
    target_type: Option<TargetType>,
    /// 按名称或代码查找
    #[arg(long)]
    search: Option<String>,
    #[command(flatten)]
    json: output::JsonFlag,
}

impl ListArgs {
    fn filter(&self) -> EntityFilter {
        EntityFilter {
            class: self.class,
            tier: self.tier,
            town: self.town.clone(),
            target_type: self.target_type,
            search: self.search.clone(),
        }
    }
}

fn parse_class(s: &str) -> Result<SupervisionClass, String> {
    SupervisionClass::parse(s).ok_or_else(|| "应为 key|special|general".to_string())
}

fn parse_tier(s: &str) -> Result<CreditTier, String> {
    CreditTier::parse(s).ok_or_else(|| "应为 low|normal|elevated|high".to_string())
}

fn parse_type(s: &str) -> Result<TargetType, String> {
    TargetType::parse(s).ok_or_else(|| format!("应为 {}", TargetType::choices()))
}

pub fn run(s: &mut Session, c: &EntitiesCommand) -> CliResult {
    match c {
        EntitiesCommand::List(a) => list(s, a),
        EntitiesCommand::Show { code, json } => show(s, code, json.json),
        EntitiesCommand::Exclude {
            code,
            exclusion,
            old_exclusion,
            reason,
        } => {
            if old_exclusion.is_some() {
                eprintln!(
                    "提示：--as-reason 已改名为 --exclusion（避免与 --as 混淆），旧写法今后将不再接受"
                );
            }
            let why = exclusion
                .as_deref()
                .or(old_exclusion.as_deref())
                .unwrap_or("");
            exclude(s, code, why, reason)
        }
        EntitiesCommand::Include { code, reason } => include(s, code, reason),
        EntitiesCommand::Set {
            code,
            field,
            value,
            reason,
        } => {
            let r = s.set_entity_field(code, field, value, reason)?;
            if r.updated == 0 {
                output::say(&format!("{code} 的“{field}”已是“{value}”，未修改"));
            } else {
                output::say(&format!(
                    "{code} 的“{field}”已改为“{value}”（审计日志第 {} 条）",
                    r.audit_seq.unwrap_or_default()
                ));
            }
            Ok(())
        }
    }
}

fn exclude(s: &mut Session, code: &str, exclusion: &str, reason: &str) -> CliResult {
    s.set_exclusion(code, Some(exclusion), reason)?;
    output::say(&format!("{code} 已设为不参与双随机：{exclusion}"));
    Ok(())
}

fn include(s: &mut Session, code: &str, reason: &str) -> CliResult {
    s.set_exclusion(code, None, reason)?;
    output::say(&format!("{code} 已恢复参与双随机"));
    Ok(())
}

fn list(s: &Session, a: &ListArgs) -> CliResult {
    let headers = [
        label::CODE,
        label::NAME,
        label::TOWN,
        label::CLASS,
        label::CREDIT_TIER,
        label::TARGET_TYPE,
        label::NOTE,
    ];
    let list = s.list_entities(&a.filter())?;
    output::counted_listing(a.json.json, &headers, &list, "个", |c| {
        vec![
            c.id.clone(),
            c.entity.name.clone(),
            c.entity.town.clone(),
            c.classification.class.label().to_string(),
            messages::tier(c.entity.credit_tier).to_string(),
            join_list(c.entity.target_types.iter().map(|t| t.label())),
            c.entity
                .exclusion
                .clone()
                .map(|r| format!("不参与：{r}"))
                .unwrap_or_default(),
        ]
    })
}

fn show(s: &Session, code: &str, json: bool) -> CliResult {
    let d = s.show_entity(code)?;
    if json {
        return output::json(&d);
    }
    output::fields(&detail_fields(&d))?;
    output::say("");
    output::say("检查记录");
    if d.history.is_empty() {
        output::say("（无）");
        return Ok(());
    }
    let names = super::inspector_names(s);
    output::table_of(
        &[
            "期次",
            "抽查",
            "任务",
            "检查组",
            "状态",
            "日期",
            "检查结果",
            "后续处理",
        ],
        &d.history,
        |h| {
            vec![
                h.period.clone(),
                h.source(),
                match &h.targeted {
                    Some(t) => t.reason_text.clone(),
                    None => join_list(&h.tasks),
                },
                h.problem
                    .clone()
                    .unwrap_or_else(|| super::team_text(&h.team, &names)),
                h.state.label().to_string(),
                h.latest_date().map(|d| d.to_string()).unwrap_or_default(),
                history_result(h),
                history_followups(h),
            ]
        },
    )
}

/// The result categories in force, marked when a correction replaced the submitted result.
fn history_result(h: &EntityVisit) -> String {
    let cats = join_list(h.categories.iter().map(|c| c.label()));
    if h.corrected {
        format!("{cats}（已更正）")
    } else {
        cats
    }
}

/// Each follow-up as kind, case number and status.
fn history_followups(h: &EntityVisit) -> String {
    h.followups
        .iter()
        .map(|f| {
            [f.kind.as_str(), f.case_no.as_str(), f.status.as_str()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// An entity's details, its classification and the reasons for it, as `label value` lines.
fn detail_fields(d: &EntityDetail) -> Vec<(&'static str, String)> {
    let e = &d.entity.entity;
    let c = &d.entity.classification;
    let months = if e.production_months.is_empty() {
        String::new()
    } else {
        let months = e.production_months.iter().map(|m| m.to_string());
        format!("（{}月）", join_list(months))
    };
    vec![
        (label::NAME, e.name.clone()),
        (label::CODE, d.entity.id.clone()),
        (label::TOWN, e.town.clone()),
        ("地址", e.address.clone()),
        ("行业", e.industry.clone()),
        ("联系人", format!("{} {}", e.contact, e.phone)),
        (
            label::TARGET_TYPE,
            join_list(e.target_types.iter().map(|t| t.label())),
        ),
        (label::CLASS, c.class.label().to_string()),
        ("分类理由", c.reasons.join("；")),
        ("计入重点覆盖", messages::yes_no(c.also_key).to_string()),
        (
            "排污许可",
            e.permit_class
                .map(|p| p.label())
                .unwrap_or(messages::NONE)
                .to_string(),
        ),
        ("绩效分级", e.perf_grade.label().to_string()),
        (
            "环评类别",
            join_list(e.eia_classes.iter().map(|x| x.label())),
        ),
        (
            label::CREDIT_TIER,
            messages::tier(e.credit_tier).to_string(),
        ),
        ("生产状态", format!("{}{months}", e.production)),
        ("入河排污口", join_list(e.outfall_rivers.iter())),
        (
            "不参与双随机",
            e.exclusion.clone().unwrap_or_else(|| NO.into()),
        ),
        ("回避人员", join_list(&d.conflicted_inspectors)),
        (label::NOTE, e.note.clone()),
        ("最后变更", messages::audit_entry(d.changed_seq)),
    ]
}
