//! `entities list | show | exclude | include`.

use super::{CliResult, output};
use shuangsuiji::domain::classification::SupervisionClass;
use shuangsuiji::domain::vocab::{CreditTier, TargetType, join_list};
use shuangsuiji::services::Session;
use shuangsuiji::services::registry::EntityFilter;

#[derive(Debug, clap::Subcommand)]
pub enum EntitiesCommand {
    /// 列出监管对象
    List {
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
    },
    /// 显示一个监管对象的详情与分类理由
    Show {
        code: String,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 设为不参与双随机（搬迁、长期停产、破产、注销……）
    Exclude {
        code: String,
        /// 不参与的原因，如 搬迁
        #[arg(long = "as-reason", value_name = "原因")]
        exclusion: String,
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

pub fn entities(s: &mut Session, c: &EntitiesCommand) -> CliResult {
    match c {
        EntitiesCommand::Exclude {
            code,
            exclusion,
            reason,
        } => {
            s.set_exclusion(code, Some(exclusion), reason)?;
            output::say(&format!("{code} 已设为不参与双随机：{exclusion}"));
            Ok(())
        }
        EntitiesCommand::Include { code, reason } => {
            s.set_exclusion(code, None, reason)?;
            output::say(&format!("{code} 已恢复参与双随机"));
            Ok(())
        }
        EntitiesCommand::List {
            class,
            tier,
            town,
            target_type,
            search,
            json,
        } => {
            let list = s.list_entities(&EntityFilter {
                class: *class,
                tier: *tier,
                town: town.clone(),
                target_type: *target_type,
                search: search.clone(),
            })?;
            if json.json {
                return Ok(output::json(&list)?);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        c.entity.name.clone(),
                        c.entity.town.clone(),
                        c.classification.class.label().to_string(),
                        c.entity
                            .credit_tier
                            .map(|t| t.label())
                            .unwrap_or("未评级")
                            .to_string(),
                        join_list(c.entity.target_types.iter().map(|t| t.label())),
                        c.entity
                            .exclusion
                            .clone()
                            .map(|r| format!("不参与：{r}"))
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(
                &[
                    "代码",
                    "名称",
                    "乡镇",
                    "监管类别",
                    "信用风险",
                    "检查对象",
                    "备注",
                ],
                &rows,
            )?;
            output::say(&format!("共 {} 个", list.len()));
            Ok(())
        }
        EntitiesCommand::Show { code, json } => {
            let d = s.show_entity(code)?;
            if json.json {
                return Ok(output::json(&d)?);
            }
            let e = &d.entity.entity;
            let c = &d.entity.classification;
            let yes = |b: bool| if b { "是" } else { "否" }.to_string();
            output::fields(&[
                ("名称", e.name.clone()),
                ("代码", d.entity.id.clone()),
                ("乡镇", e.town.clone()),
                ("地址", e.address.clone()),
                ("行业", e.industry.clone()),
                ("联系人", format!("{} {}", e.contact, e.phone)),
                (
                    "检查对象",
                    join_list(e.target_types.iter().map(|t| t.label())),
                ),
                ("监管类别", c.class.label().to_string()),
                ("分类理由", c.reasons.join("；")),
                ("计入重点覆盖", yes(c.also_key)),
                (
                    "排污许可",
                    e.permit_class
                        .map(|p| p.label())
                        .unwrap_or("无")
                        .to_string(),
                ),
                ("绩效分级", e.perf_grade.label().to_string()),
                (
                    "环评类别",
                    join_list(e.eia_classes.iter().map(|x| x.label())),
                ),
                (
                    "信用风险",
                    e.credit_tier
                        .map(|t| t.label())
                        .unwrap_or("未评级")
                        .to_string(),
                ),
                (
                    "生产状态",
                    format!(
                        "{}{}",
                        e.production,
                        if e.production_months.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "（{}月）",
                                join_list(e.production_months.iter().map(|m| m.to_string()))
                            )
                        }
                    ),
                ),
                ("入河排污口", join_list(e.outfall_rivers.iter())),
                (
                    "不参与双随机",
                    e.exclusion.clone().unwrap_or_else(|| "否".into()),
                ),
                ("回避人员", d.conflicted_inspectors.join("、")),
                ("备注", e.note.clone()),
                ("最后变更", format!("审计日志第 {} 条", d.changed_seq)),
            ])?;
            Ok(())
        }
    }
}
