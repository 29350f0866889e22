//! `user …`, `settings …`, `whoami`.

use super::{CliResult, output};
use shuangsuiji::domain::role::Role;
use shuangsuiji::services::Session;
use shuangsuiji::services::users::UserChange;

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "应为 admin|lead|inspector|principal|observer".to_string())
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// 列出用户
    List(output::JsonFlag),
    /// 添加用户（操作系统账户名）
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// 角色 admin|lead|inspector|principal|observer，可多次
        #[arg(long = "role", value_parser = parse_role, required = true)]
        roles: Vec<Role>,
        /// 关联的执法人员编号
        #[arg(long)]
        inspector: Option<String>,
    },
    /// 授予角色
    Grant {
        login: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// 收回角色
    Revoke {
        login: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// 关联执法人员
    Link { login: String, inspector: String },
    /// 取消关联执法人员
    Unlink { login: String },
    /// 停用用户
    Deactivate { login: String },
    /// 启用用户
    Activate { login: String },
}

pub fn run(s: &mut Session, c: &UserCommand) -> CliResult {
    let (login, change) = match c {
        UserCommand::List(json) => {
            let users = s.list_users()?;
            if json.json {
                return Ok(output::json(&users)?);
            }
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    vec![
                        u.login.clone(),
                        u.name.clone(),
                        u.role_labels(),
                        u.inspector.clone().unwrap_or_default(),
                        if u.active { "在用" } else { "停用" }.to_string(),
                    ]
                })
                .collect();
            return Ok(output::table(
                &["登录名", "姓名", "角色", "执法人员", "状态"],
                &rows,
            )?);
        }
        UserCommand::Add {
            login,
            name,
            roles,
            inspector,
        } => {
            let u = s.add_user(login, name, roles, inspector.as_deref())?;
            output::say(&format!("已添加用户 {}（{}）", u.login, u.role_labels()));
            return Ok(());
        }
        UserCommand::Grant { login, role } => (login, UserChange::Grant(*role)),
        UserCommand::Revoke { login, role } => (login, UserChange::Revoke(*role)),
        UserCommand::Link { login, inspector } => {
            (login, UserChange::Link(Some(inspector.clone())))
        }
        UserCommand::Unlink { login } => (login, UserChange::Link(None)),
        UserCommand::Deactivate { login } => (login, UserChange::Active(false)),
        UserCommand::Activate { login } => (login, UserChange::Active(true)),
    };
    let u = s.change_user(login, change)?;
    output::say(&format!(
        "用户 {}：{}，{}{}",
        u.login,
        if u.roles.is_empty() {
            "无角色".to_string()
        } else {
            u.role_labels()
        },
        if u.active { "在用" } else { "停用" },
        u.inspector
            .map(|c| format!("，执法人员 {c}"))
            .unwrap_or_default()
    ));
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum SettingsCommand {
    /// 显示设置
    Show,
    /// 设置 SSH 强制命令使用的服务账户（--as 只对它有效）
    ServiceAccount {
        login: Option<String>,
        /// 取消服务账户
        #[arg(long, conflicts_with = "login")]
        clear: bool,
    },
    /// 设置省级公布的每家企业年度抽查上限（环办执法〔2025〕4号）
    ProvinceCap {
        cap: Option<u32>,
        #[arg(long, conflicts_with = "cap")]
        clear: bool,
    },
}

pub fn settings(s: &mut Session, c: &SettingsCommand) -> CliResult {
    match c {
        SettingsCommand::Show => {
            let rows: Vec<Vec<String>> =
                s.settings()?.into_iter().map(|(k, v)| vec![k, v]).collect();
            Ok(output::table(&["设置", "值"], &rows)?)
        }
        SettingsCommand::ServiceAccount { login, clear } => {
            if login.is_none() && !clear {
                return Err(super::Failure::Message("请给出服务账户名，或用 --clear 取消".into()));
            }
            s.set_service_account(login.as_deref())?;
            output::say(&match login {
                Some(l) => format!("服务账户已设为 {l}"),
                None => "已取消服务账户".to_string(),
            });
            Ok(())
        }
        SettingsCommand::ProvinceCap { cap, clear } => {
            if cap.is_none() && !clear {
                return Err(super::Failure::Message("请给出上限次数，或用 --clear 取消".into()));
            }
            s.set_province_cap(*cap)?;
            output::say(&match cap {
                Some(n) => format!("省级年度抽查上限已设为每家企业 {n} 次"),
                None => "已取消省级年度抽查上限".to_string(),
            });
            Ok(())
        }
    }
}

pub fn whoami(s: &Session, json: bool) -> CliResult {
    let u = s.user();
    if json {
        return Ok(output::json(u)?);
    }
    output::say(&format!(
        "{}（{}），角色：{}{}；数据库 {}{}",
        u.login,
        u.name,
        u.role_labels(),
        u.inspector
            .as_ref()
            .map(|c| format!("，执法人员 {c}"))
            .unwrap_or_default(),
        s.db_path().display(),
        if s.mode() == shuangsuiji::services::Mode::Demo {
            "（示例数据）"
        } else {
            ""
        }
    ));
    Ok(())
}
