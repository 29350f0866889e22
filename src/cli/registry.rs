//! `import`, `export`, `template`, `entities`, `inspectors`, `items`, `stats`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{CliResult, Failure, output};
use shuangsuiji::domain::classification::SupervisionClass;
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::domain::vocab::{CreditTier, TargetType, join_list};
use shuangsuiji::services::Session;
use shuangsuiji::services::registry::{EntityFilter, ImportReport};
use shuangsuiji::sheets::{self, SheetKind};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    Entities,
    Inspectors,
    Items,
    /// 公示清单（只能导出）
    Publicity,
}

impl Kind {
    fn sheet(self) -> Result<SheetKind, Failure> {
        match self {
            Kind::Entities => Ok(SheetKind::Entities),
            Kind::Inspectors => Ok(SheetKind::Inspectors),
            Kind::Items => Ok(SheetKind::Items),
            Kind::Publicity => Err(Failure(
                "公示清单只能导出（export publicity），不能导入或生成模板".to_string(),
            )),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub kind: Kind,
    pub file: PathBuf,
    /// 只检查并报告，不写入
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    pub kind: Kind,
    pub file: PathBuf,
    /// 只导出该期间的公示（如 2026Q2；仅用于 publicity）
    #[arg(long)]
    pub period: Option<Period>,
}

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    pub kind: Kind,
    /// 模板文件（.xlsx）
    pub file: PathBuf,
}

pub fn import(s: &mut Session, a: &ImportArgs) -> CliResult {
    let report = match a.kind {
        Kind::Entities => {
            let bar = std::io::stderr().is_terminal().then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template("写入 {bar:40} {pos}/{len}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let mut tick = |done: usize, total: usize| {
                if let Some(b) = &bar {
                    b.set_length(total as u64);
                    b.set_position(done as u64);
                }
            };
            let r = s.import_entities(&a.file, a.dry_run, &mut tick);
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            r?
        }
        Kind::Inspectors => s.import_inspectors(&a.file, a.dry_run)?,
        Kind::Items => s.import_check_items(&a.file, a.dry_run)?,
        Kind::Publicity => return a.kind.sheet().map(|_| ()),
    };
    print_import(&report);
    Ok(())
}

fn print_import(r: &ImportReport) {
    let head = if r.dry_run {
        "检查通过（未写入）"
    } else {
        "导入完成"
    };
    output::say(&format!(
        "{head}：{} 共 {} 行，新增 {}，更新 {}，未变 {}，问题 0",
        r.file, r.rows, r.added, r.updated, r.unchanged
    ));
    if let Some(seq) = r.audit_seq {
        output::say(&format!("审计日志第 {seq} 条；文件 SHA-256 {}", r.sha256));
    }
}

pub fn export(s: &mut Session, a: &ExportArgs) -> CliResult {
    if a.period.is_some() && !matches!(a.kind, Kind::Publicity) {
        return Err(Failure("--period 只用于 export publicity".to_string()));
    }
    let n = match a.kind {
        Kind::Entities => s.export_entities(&a.file)?,
        Kind::Inspectors => s.export_inspectors(&a.file)?,
        Kind::Items => s.export_check_items(&a.file)?,
        Kind::Publicity => return super::reports::export_publicity(s, &a.file, a.period),
    };
    output::say(&format!("已导出 {n} 条到 {}", a.file.display()));
    Ok(())
}

pub fn template(a: &TemplateArgs) -> CliResult {
    sheets::write_template(a.kind.sheet()?, &a.file).map_err(|e| Failure(e.to_string()))?;
    output::say(&format!("已生成模板 {}", a.file.display()));
    Ok(())
}

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
