//! `import`, `export`, `template`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::stdio::{self, Format, Output, StdinSheet};
use super::{CliResult, Failure, messages, output};
use shuangsuiji::domain::draw::period::Period;
use shuangsuiji::services::Session;
use shuangsuiji::services::registry::{ImportFile, ImportReport};
use shuangsuiji::sheets::{self, Overwrite, SheetKind};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// 监管对象名录
    Entities,
    /// 执法人员名录
    Inspectors,
    /// 抽查事项清单
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
            Kind::Publicity => Err(Failure::Message(
                "公示清单只能导出（export publicity），不能导入或生成模板".to_string(),
            )),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub kind: Kind,
    /// 文件（.xlsx/.xls/.csv/.json）；写作 - 时从标准输入读取，按内容识别格式
    pub file: PathBuf,
    /// 只检查并报告，不写入
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    pub kind: Kind,
    /// 文件（.xlsx/.csv/.json，按扩展名）；写作 - 时输出到标准输出，须加 --format
    pub file: PathBuf,
    /// 只导出该期间的公示（如 2026Q2；仅用于 publicity）
    #[arg(long)]
    pub period: Option<Period>,
    /// 输出到标准输出（-）时的格式
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// 覆盖已有文件（不加则文件已存在时拒绝）
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    pub kind: Kind,
    /// 模板文件（.xlsx）；写作 - 时输出到标准输出
    pub file: PathBuf,
    /// 覆盖已有文件（不加则文件已存在时拒绝）
    #[arg(long)]
    pub force: bool,
}

pub fn import(s: &mut Session, a: &ImportArgs) -> CliResult {
    if let Kind::Publicity = a.kind {
        return a.kind.sheet().map(|_| ());
    }
    // `-`: standard input, kept in a private temporary file while it is read.
    let stdin = if stdio::is_stdio(&a.file) {
        Some(StdinSheet::read()?)
    } else {
        None
    };
    let file = match &stdin {
        Some(sheet) => ImportFile {
            path: sheet.path(),
            name: sheet.name().to_string(),
        },
        None => ImportFile::from(&a.file),
    };
    let report = match a.kind {
        Kind::Entities => import_entities(s, file, a.dry_run)?,
        Kind::Inspectors => s.import_inspectors(file, a.dry_run)?,
        Kind::Items => s.import_check_items(file, a.dry_run)?,
        Kind::Publicity => unreachable!("refused above"),
    };
    print_import(&report);
    Ok(())
}

/// The entity registry, the largest of the imports, with a progress bar on a terminal (how
/// far through the file, or through the sheet's rows).
fn import_entities(
    s: &mut Session,
    file: ImportFile<'_>,
    dry_run: bool,
) -> Result<ImportReport, Failure> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("导入 {bar:40} {percent}%")
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
    let r = s.import_entities(file, dry_run, &mut tick);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(r?)
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
        output::say(&format!(
            "{}；文件 SHA-256 {}",
            messages::audit_entry(seq),
            r.sha256
        ));
    }
}

pub fn export(s: &mut Session, a: &ExportArgs) -> CliResult {
    if a.period.is_some() && !matches!(a.kind, Kind::Publicity) {
        return Err(Failure::Message(
            "--period 只用于 export publicity".to_string(),
        ));
    }
    let overwrite = Overwrite::from_force(a.force);
    let out = Output::of(&a.file, a.format, None)?;
    // The audit log names the file as the user gave it (标准输出 for `-`).
    let file = || ImportFile {
        path: out.path(),
        name: out.shown(),
    };
    let n = match a.kind {
        Kind::Entities => s.export_entities(file(), overwrite)?,
        Kind::Inspectors => s.export_inspectors(file(), overwrite)?,
        Kind::Items => s.export_check_items(file(), overwrite)?,
        Kind::Publicity => {
            return super::reports::export_publicity(s, out, a.period, overwrite);
        }
    };
    output::say(&format!("已导出 {n} 条到 {}", out.shown()));
    out.finish()
}

pub fn template(cli: &super::Cli, a: &TemplateArgs) -> CliResult {
    let kind = a.kind.sheet()?;
    // A template is a workbook whatever it is called: `-` needs no --format.
    let out = Output::of(&a.file, None, Some(Format::Xlsx))?;
    // An inspector template uses the database's own department names, an entity template
    // its town list, when there is a database this user may read (issue 15).
    let names: Vec<String> = if cli.db.exists() && kind != sheets::SheetKind::Items {
        let s = cli.open().ok();
        match kind {
            sheets::SheetKind::Inspectors => s
                .and_then(|s| s.departments().ok())
                .map(|ds| ds.into_iter().map(|d| d.name).collect()),
            sheets::SheetKind::Entities => s
                .and_then(|s| s.towns().ok())
                .map(|ts| ts.listed.into_iter().map(|t| t.name).collect()),
            sheets::SheetKind::Items => None,
        }
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    sheets::write_template_for(kind, out.path(), Overwrite::from_force(a.force), &names)
        .map_err(|e| Failure::Message(e.to_string()))?;
    output::say(&format!("已生成模板 {}", out.shown()));
    out.finish()
}
