//! `init` and the first run without a subcommand.

use super::messages::{self, DEMO};
use super::{Cli, CliResult, Failure, output};
use shuangsuiji::services::{Mode, identity, init};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).multiple(false).args(["demo", "empty"])))]
pub struct InitArgs {
    /// 示例县（示例数据）：约600个监管对象、约30名执法人员、当年抽查计划
    #[arg(long)]
    pub demo: bool,
    /// 正式库：只含抽查事项清单，运行者成为系统管理员；之后先导入执法人员，再添加关联执法人员的用户
    #[arg(long)]
    pub empty: bool,
    /// 本局名称（正式库；与执法人员表“所属部门”一致，如 晋城市生态环境局阳城分局）
    #[arg(long, requires = "empty", value_name = "名称")]
    pub bureau: Option<String>,
}

fn today(cli: &Cli) -> chrono::NaiveDate {
    cli.today.unwrap_or_else(shuangsuiji::services::china_today)
}

pub fn run(cli: &Cli, args: &InitArgs) -> CliResult {
    let me = identity::os_login()?;
    let report = if args.demo {
        init::init_demo(&cli.db, &me, today(cli))?
    } else {
        if cli.today.is_some() {
            return Err(Failure::Message("正式数据库不允许指定 --today".into()));
        }
        let bureau = args
            .bureau
            .as_deref()
            .unwrap_or(shuangsuiji::domain::inspector::BUREAU);
        let report = init::init_empty_for(&cli.db, &me, today(cli), bureau)?;
        print_report(&report);
        output::say(&format!(
            "本局：{bureau}；配合部门：{}（settings departments 查看，settings bureau / department-add / department-alias 修改）",
            init::seed_departments(report.year).join("、")
        ));
        output::say(
            "下一步：先导入执法人员（import inspectors），再添加关联执法人员的用户（user add --inspector）",
        );
        return Ok(());
    };
    print_report(&report);
    Ok(())
}

fn print_report(r: &init::InitReport) {
    let kind = match r.mode {
        Mode::Demo => format!("示例数据库（{DEMO}）"),
        Mode::Production => "正式数据库".to_string(),
    };
    output::say(&format!("已创建{kind}：{}", r.path));
    output::say(&format!(
        "抽查事项 {} 条，监管对象 {} 个，执法人员 {} 名，用户 {} 个，{}年抽查计划 {} 个；管理员：{}",
        r.check_items, r.entities, r.inspectors, r.users, r.year, r.plans, r.admin
    ));
    if r.mode == Mode::Production {
        for line in NEXT_STEPS {
            output::say(line);
        }
    }
}

/// What a new production database needs, in the order that works: a user linked to an
/// inspector can only be added once that inspector is imported.
pub(crate) const NEXT_STEPS: &[&str] = &[
    "下一步（按此顺序）：",
    "  1. 导入执法人员：shuangsuiji import inspectors 执法人员.xlsx（模板：shuangsuiji template inspectors 执法人员.xlsx）",
    "  2. 导入监管对象：shuangsuiji import entities 监管对象.xlsx",
    "  3. 添加用户：shuangsuiji user add 登录名 --name 姓名 --role inspector --inspector 人员编号",
    "     关联执法人员的用户须在该执法人员导入之后添加（先导入执法人员，再添加用户）",
    "  4. 建立当年抽查计划：shuangsuiji plan init --year 年份",
    "详见 docs/deploy.md",
];

/// No subcommand: create the demo county on first run, then open the dashboard — or, when
/// not on a terminal, show what there is to do.
pub fn first_run(cli: &Cli) -> CliResult {
    use std::io::IsTerminal;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !cli.db.exists() && !cli.db_defaulted {
        // A path someone chose (a wrapper's production path, say) never gets a demo county
        // by surprise: `init` says which kind of database to create there.
        return Err(Failure::Message(messages::no_database_here(&cli.db)));
    }
    if !cli.db.exists() {
        let me = identity::os_login()?;
        if interactive {
            eprintln!(
                "正在创建示例数据库 {}（{DEMO}，约需数秒）",
                cli.db.display()
            );
        }
        let report = init::init_demo(&cli.db, &me, today(cli))?;
        if !interactive {
            print_report(&report);
            output::say("");
        }
    }
    if interactive {
        return super::dashboard(cli);
    }
    let help = super::command().render_help().to_string();
    print!("{}", super::chinese_words(&help));
    Ok(())
}
