//! `export publicity FILE [--period P]` and `report annual | quarter`.

use std::path::PathBuf;

use super::stdio::{self, Format, Output};
use super::{CliResult, Failure, messages, output};
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::services::Session;
use shuangsuiji::services::reports::{Report, Scope, write_report};
use shuangsuiji::sheets::Overwrite;

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// 年度报告（.md 或 .xlsx，按扩展名）
    Annual {
        #[arg(long, value_parser = super::year)]
        year: i32,
        /// 报告文件（.md/.xlsx）；写作 - 时输出到标准输出，须加 --format
        file: PathBuf,
        /// 覆盖已有文件（不加则文件已存在时拒绝）
        #[arg(long)]
        force: bool,
        /// 输出到标准输出（-）时的格式：md 或 xlsx
        #[arg(long, value_enum)]
        format: Option<Format>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
    /// 季度报告（.md 或 .xlsx，按扩展名）
    Quarter {
        /// 期间，如 2026Q2
        #[arg(long)]
        period: Period,
        /// 报告文件（.md/.xlsx）；写作 - 时输出到标准输出，须加 --format
        file: PathBuf,
        /// 覆盖已有文件（不加则文件已存在时拒绝）
        #[arg(long)]
        force: bool,
        /// 输出到标准输出（-）时的格式：md 或 xlsx
        #[arg(long, value_enum)]
        format: Option<Format>,
        #[command(flatten)]
        json: output::JsonFlag,
    },
}

pub fn run(s: &mut Session, c: &ReportCommand) -> CliResult {
    let (file, format, json) = match c {
        ReportCommand::Annual {
            file, format, json, ..
        }
        | ReportCommand::Quarter {
            file, format, json, ..
        } => (file, *format, json.json),
    };
    if json && stdio::is_stdio(file) {
        return Err(Failure::Message(
            "报告输出到标准输出（-）时不能同时用 --json".to_string(),
        ));
    }
    let out = Output::of(file, format, None)?;
    let report = match c {
        ReportCommand::Annual { year, force, .. } => {
            s.write_annual_report(*year, out.path(), Overwrite::from_force(*force))?
        }
        ReportCommand::Quarter { period, force, .. } => {
            let report = s.quarter_report(*period)?;
            write_report(&report, out.path(), Overwrite::from_force(*force))?;
            report
        }
    };
    if json {
        return output::json(&report);
    }
    print_summary(&report, &out.shown());
    out.finish()
}

fn print_summary(r: &Report, file: &str) {
    let t = &r.total;
    output::say(&format!("已生成 {}：{file}", r.title));
    output::say(&format!(
        "抽取 {} 项，已检查 {}，已录入 {}，发现问题 {}，已公示 {}（公示率 {}），逾期录入 {}，当前逾期未录入 {}，作废抽取 {} 次",
        t.drawn,
        t.inspected,
        t.entered,
        t.problems,
        t.published,
        t.publication_rate,
        t.late,
        r.overdue_now,
        r.voided_draws
    ));
    output::say(&format!(
        "个案检查 {} 项（非随机，单独列出，不计入以上抽取数）",
        r.targeted.count
    ));
    if matches!(r.scope, Scope::Year(_)) {
        let sent = r.plan_changes.iter().filter(|c| c.sent.is_sent()).count();
        output::say(&format!(
            "计划调整 {} 项，已书面报送 {} 项，未报送 {} 项",
            r.plan_changes.len(),
            sent,
            r.plan_changes.len() - sent
        ));
    }
}

/// `export publicity FILE|- [--period P] [--force] [--format F]`
pub fn export_publicity(
    s: &mut Session,
    out: Output,
    period: Option<Period>,
    overwrite: Overwrite,
) -> CliResult {
    let r = s.export_publicity_to(out.path(), period, overwrite)?;
    output::say(&format!(
        "已导出公示 {} 条（{}）到 {}；本次新标记已公示 {} 项",
        r.rows.len(),
        r.period.as_deref().unwrap_or("全部期间"),
        out.shown(),
        r.newly_published.len()
    ));
    if !r.newly_published.is_empty() {
        output::say(&format!(
            "其中检查组已标记待公示 {} 项；未经检查组标记、由导出人代为公示 {} 项",
            r.marked.len(),
            r.unmarked.len()
        ));
    }
    if !r.held_back.is_empty() {
        output::say(&format!(
            "以下 {} 项检查任务的结果有待审批的更正，本次未导出：",
            r.held_back.len()
        ));
        for h in &r.held_back {
            output::say(&format!(
                "  {} {} {} {}（更正 {}）",
                h.visit_id, h.draw_id, h.entity, h.entity_name, h.correction
            ));
        }
    }
    output::say(&format!("文件 SHA-256：{}", r.sha256));
    output::say(&messages::audit_checkpoint(&r.checkpoint));
    out.finish()
}
