//! The command line: parse, call a service, print. Nothing here decides anything.

mod args_error;
mod audit;
mod calendar;
mod draws;
mod entities;
mod init;
mod library;
mod maintenance;
mod messages;
mod output;
mod plans;
mod publish;
mod registry;
mod reports;
mod serve;
mod stdio;
mod users;
mod visits;

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use shuangsuiji::services::{OpenOptions, ServiceError, Session};

/// 双随机、一公开 抽查管理 — shuangsuiji
#[derive(Debug, Parser)]
#[command(name = "shuangsuiji", version, about = "双随机、一公开 随机抽查：名录库、公平抽取、结果录入与公示", long_about = None)]
pub struct Cli {
    /// 数据库文件（默认 ./shuangsuiji.db）
    #[arg(
        long,
        global = true,
        env = "SHUANGSUIJI_DB",
        default_value = "shuangsuiji.db"
    )]
    pub db: PathBuf,
    /// The database path is the default one (neither `--db` nor `SHUANGSUIJI_DB` was given):
    /// only then does a run without a subcommand create the demo county there.
    #[arg(skip)]
    pub db_defaulted: bool,
    /// 以指定用户身份操作（仅服务账户或示例数据库有效）
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub act_as: Option<String>,
    /// 指定“今天”的日期（仅示例和测试数据库）
    #[arg(
        long,
        global = true,
        env = "SHUANGSUIJI_TODAY",
        value_name = "YYYY-MM-DD",
        value_parser = day
    )]
    pub today: Option<NaiveDate>,
    /// 仪表盘使用 ASCII 边框（终端把制表符画成双宽时）
    #[arg(long, global = true)]
    pub ascii: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Set by `serve LOGIN`: the person an SSH key was given to, and what sshd said of the
    /// key. Sessions are then opened for that person (see [`serve`]).
    #[arg(skip)]
    pub served: Option<shuangsuiji::services::identity::Served>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 创建数据库：--demo 示例县，--empty 正式库
    Init(init::InitArgs),
    /// 导入名录（.xlsx/.csv，UTF-8 或 GBK），全部成功或全部不导入
    Import(registry::ImportArgs),
    /// 导出名录或公示清单（.xlsx/.csv/.json，按扩展名）
    Export(registry::ExportArgs),
    /// 生成导入模板（.xlsx）
    Template(registry::TemplateArgs),
    /// 监管对象库
    #[command(subcommand)]
    Entities(entities::EntitiesCommand),
    /// 执法人员库
    #[command(subcommand)]
    Inspectors(library::InspectorsCommand),
    /// 抽查事项清单
    #[command(subcommand)]
    Items(library::ItemsCommand),
    /// 名录统计
    Stats(output::JsonFlag),
    /// 抽查计划与任务
    #[command(subcommand)]
    Plan(plans::PlanCommand),
    /// 用户与角色
    #[command(subcommand)]
    User(users::UserCommand),
    /// 系统设置（本局与配合部门、乡镇名单、服务账户、省级年度抽查上限）
    #[command(subcommand)]
    Settings(users::SettingsCommand),
    /// 抽取：准备、运行（一次）、作废、核验、替换
    #[command(subcommand)]
    Draw(draws::DrawCommand),
    /// 工作日历：节假日安排、20个工作日期限
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// 检查任务：列表、开始、完成
    #[command(subcommand)]
    Visit(visits::VisitCommand),
    /// 检查结果：录入、更正、审批
    #[command(subcommand)]
    Result(visits::ResultCommand),
    /// 后续处理
    #[command(subcommand)]
    Followup(visits::FollowUpCommand),
    /// 报告：年度、季度“双随机、一公开”工作情况（.md/.xlsx）
    #[command(subcommand)]
    Report(reports::ReportCommand),
    /// 审计日志：核验、检查点、查看
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// 显示当前用户与角色
    Whoami(output::JsonFlag),
    /// 生成公开网站（静态页面：计划、抽取及浏览器内核验、公示结果、年度情况）
    Publish(publish::PublishArgs),
    /// 在线备份数据库（他人可继续使用）
    Backup(maintenance::BackupArgs),
    /// 从备份恢复（先核验完整性和审计日志）
    Restore(maintenance::RestoreArgs),
    /// 体检：完整性、审计日志、文件权限、节假日安排、执法证、未运行的抽取、逾期结果、逾期未公示、年度报告
    Doctor(output::JsonFlag),
    /// 打开仪表盘（无子命令时在终端中默认打开）
    #[command(alias = "tui")]
    Dashboard,
    /// SSH 强制命令：以 LOGIN 的身份运行 SSH_ORIGINAL_COMMAND（没有时打开仪表盘），见 docs/deploy.md
    Serve(serve::ServeArgs),
}

pub use args_error::explain as explain_arguments;

/// A date given as an option's value: an existing day in 2000–2100 (`domain::parse_day`).
pub(crate) fn day(text: &str) -> Result<NaiveDate, String> {
    shuangsuiji::domain::parse_day(text)
}

/// A year given as an option's value: 2000–2100.
pub(crate) fn year(text: &str) -> Result<i32, String> {
    shuangsuiji::domain::parse_year(text)
}
pub use output::clean;

/// How a command failed.
pub enum Failure {
    /// The reader of the output went away (`| head`): nothing to report, and the command ends
    /// as if it had finished.
    Quiet,
    /// A failure already in words for the user, printed after “错误：”.
    Message(String),
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Rejected(problems) => {
                let mut s = format!("导入被拒绝：{}处问题，未导入任何数据。", problems.len());
                for p in &problems {
                    s.push('\n');
                    s.push_str(&output::clean(&p.to_string()));
                }
                Failure::Message(s)
            }
            other => Failure::Message(output::clean(&other.to_string())),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader went away (`| head`): nothing to report.
            Failure::Quiet
        } else {
            Failure::Message(format!("输出失败：{e}"))
        }
    }
}

pub type CliResult = Result<(), Failure>;

/// How a command that did not fail ended: `doctor` exits 2 when it found warnings only.
pub enum Finished {
    Cleanly,
    WithWarnings,
}

impl Cli {
    fn options(&self) -> OpenOptions {
        OpenOptions {
            act_as: self.act_as.clone(),
            today: self.today,
        }
    }

    fn open(&self) -> Result<Session, Failure> {
        Ok(match &self.served {
            Some(served) => Session::open_served(&self.db, &self.options(), served)?,
            None => Session::open(&self.db, &self.options())?,
        })
    }
}

pub use serve::parse_command_line;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Finished, Failure> {
    let Some(command) = &cli.command else {
        return init::first_run(&cli).map(|()| Finished::Cleanly);
    };
    match command {
        Command::Init(a) => init::run(&cli, a),
        Command::Import(a) => registry::import(&mut cli.open()?, a),
        Command::Export(a) => registry::export(&mut cli.open()?, a),
        Command::Template(a) => registry::template(&cli, a),
        Command::Entities(c) => entities::run(&mut cli.open()?, c),
        Command::Inspectors(c) => library::inspectors(&mut cli.open()?, c),
        Command::Items(c) => library::items(&cli.open()?, c),
        Command::Stats(j) => library::stats(&cli.open()?, j.json),
        Command::Plan(c) => plans::run(&mut cli.open()?, c),
        Command::User(c) => users::run(&mut cli.open()?, c),
        Command::Settings(c) => users::settings(&mut cli.open()?, c),
        Command::Report(c) => reports::run(&mut cli.open()?, c),
        Command::Audit(c) => audit::run(&cli.open()?, c),
        Command::Draw(c) => draws::run(&cli, c),
        Command::Calendar(c) => match calendar::without_database(c) {
            Some(done) => done,
            None => calendar::run(&mut cli.open()?, c),
        },
        Command::Visit(c) => visits::run(&mut cli.open()?, c),
        Command::Result(c) => visits::result(&mut cli.open()?, c),
        Command::Followup(c) => visits::followup(&mut cli.open()?, c),
        Command::Whoami(j) => users::whoami(&cli.open()?, j.json),
        Command::Dashboard => dashboard(&cli),
        Command::Backup(a) => maintenance::backup(&cli, a),
        Command::Publish(a) => publish::publish(&cli, a),
        Command::Restore(a) => maintenance::restore(&cli, a),
        Command::Doctor(j) => return maintenance::doctor(&cli, j.json),
        // `serve` is resolved into the command it carries before anything runs.
        Command::Serve(_) => Err(Failure::Message(
            "serve 只能作为 SSH 强制命令运行".to_string(),
        )),
    }
    .map(|()| Finished::Cleanly)
}

/// Opens the dashboard on the database.
pub fn dashboard(cli: &Cli) -> CliResult {
    if cli.served.is_some() && !serve::on_a_terminal() {
        return Err(Failure::Message(serve::no_terminal()));
    }
    let session = cli.open()?;
    shuangsuiji::tui::run(session, cli.ascii)
        .map_err(|e| Failure::Message(format!("终端出错：{e}")))
}

/// The names of the inspectors by code, for showing teams; empty when the user may not see
/// the inspectors library (the codes are shown alone then).
pub(crate) fn inspector_names(s: &Session) -> std::collections::HashMap<String, String> {
    s.list_inspectors()
        .map(|list| list.into_iter().map(|i| (i.code, i.name)).collect())
        .unwrap_or_default()
}

/// A team as lists show it, names beside codes, the lead marked with `*`:
/// "*YC-001 王伟 YC-004 李娜".
pub(crate) fn team_text(
    team: &shuangsuiji::domain::draw::record::Team,
    names: &std::collections::HashMap<String, String>,
) -> String {
    team.0
        .iter()
        .map(|seat| seat_text(&seat.inspector, seat.lead, names))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One team member: `*CODE 姓名`, or the code alone when the name is not known.
pub(crate) fn seat_text(
    code: &str,
    lead: bool,
    names: &std::collections::HashMap<String, String>,
) -> String {
    let mark = if lead { "*" } else { "" };
    match names.get(code) {
        Some(name) => format!("{mark}{code} {name}"),
        None => format!("{mark}{code}"),
    }
}

/// How every command's `--help` is laid out: clap's own words replaced by Chinese ones.
const HELP_TEMPLATE: &str =
    "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The command line as parsed and as `--help` shows it: [`Cli`]'s, with the help in Chinese
/// ("用法", "参数", "选项", "命令", "显示帮助") instead of clap's English.
pub(crate) fn command() -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    chinese_help(Cli::command())
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        )
}

/// One command and its subcommands with Chinese help headings and a Chinese `-h/--help`.
fn chinese_help(cmd: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let mut cmd = cmd
        .disable_help_flag(true)
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        );
    let ids: Vec<clap::Id> = cmd.get_arguments().map(|a| a.get_id().clone()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| {
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading("参数")
            } else {
                a.help_heading("选项")
            }
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, chinese_help);
    }
    cmd
}

/// The words clap writes into help that no setting changes, in Chinese.
pub(crate) fn chinese_words(help: &str) -> String {
    [
        ("[OPTIONS]", "[选项]"),
        ("[env: ", "[环境变量: "),
        ("[default: ", "[默认: "),
        ("[possible values: ", "[可选值: "),
        ("Possible values:", "可选值："),
        ("[aliases: ", "[别名: "),
        ("[alias: ", "[别名: "),
    ]
    .iter()
    .fold(help.to_string(), |text, (en, zh)| text.replace(en, zh))
}
