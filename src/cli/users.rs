//! `user …`, `settings …` (service account, province cap, public remark), `whoami`.

use super::messages::{self, label};
use super::{CliResult, Failure, output};
use shuangsuiji::domain::role::Role;
use shuangsuiji::domain::vocab::join_list;
use shuangsuiji::services::publicity::PublicRemark;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{Mode, Session};

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "应为 admin|lead|inspector|principal|observer".to_string())
}

/// The role of `user grant|revoke`, given either way (clap requires exactly one).
fn one_role(positional: Option<Role>, option: Option<Role>) -> Role {
    positional.or(option).unwrap_or(Role::Observer)
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
        /// 角色 admin|lead|inspector|principal|observer（写作 --role ROLE，与 user add 相同；也可直接写在登录名后）
        #[arg(value_parser = parse_role, required_unless_present = "role_option", conflicts_with = "role_option", value_name = "ROLE")]
        role: Option<Role>,
        /// 角色（同上）
        #[arg(long = "role", value_parser = parse_role, value_name = "ROLE")]
        role_option: Option<Role>,
    },
    /// 收回角色
    Revoke {
        login: String,
        /// 角色 admin|lead|inspector|principal|observer（写作 --role ROLE，与 user add 相同；也可直接写在登录名后）
        #[arg(value_parser = parse_role, required_unless_present = "role_option", conflicts_with = "role_option", value_name = "ROLE")]
        role: Option<Role>,
        /// 角色（同上）
        #[arg(long = "role", value_parser = parse_role, value_name = "ROLE")]
        role_option: Option<Role>,
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
    match c {
        UserCommand::List(json) => list(s, json.json),
        UserCommand::Add {
            login,
            name,
            roles,
            inspector,
        } => add(s, login, name, roles, inspector.as_deref()),
        UserCommand::Grant {
            login,
            role,
            role_option,
        } => change(s, login, UserChange::Grant(one_role(*role, *role_option))),
        UserCommand::Revoke {
            login,
            role,
            role_option,
        } => change(s, login, UserChange::Revoke(one_role(*role, *role_option))),
        UserCommand::Link { login, inspector } => {
            change(s, login, UserChange::Link(Some(inspector.clone())))
        }
        UserCommand::Unlink { login } => change(s, login, UserChange::Link(None)),
        UserCommand::Deactivate { login } => change(s, login, UserChange::Active(false)),
        UserCommand::Activate { login } => change(s, login, UserChange::Active(true)),
    }
}

fn list(s: &Session, json: bool) -> CliResult {
    let headers = [
        "登录名",
        label::PERSON,
        "角色",
        label::INSPECTOR,
        label::STATE,
    ];
    output::listing(json, &headers, &s.list_users()?, |u| {
        vec![
            u.login.clone(),
            u.name.clone(),
            u.role_labels(),
            u.inspector.clone().unwrap_or_default(),
            messages::account(u.active).to_string(),
        ]
    })
}

fn add(
    s: &mut Session,
    login: &str,
    name: &str,
    roles: &[Role],
    inspector: Option<&str>,
) -> CliResult {
    let u = s.add_user(login, name, roles, inspector)?;
    output::say(&format!("已添加用户 {}（{}）", u.login, u.role_labels()));
    Ok(())
}

/// Any change to an existing user; prints the user as it now is.
fn change(s: &mut Session, login: &str, change: UserChange) -> CliResult {
    let u = s.change_user(login, change)?;
    output::say(&format!(
        "用户 {}：{}，{}{}",
        u.login,
        if u.roles.is_empty() {
            "无角色".to_string()
        } else {
            u.role_labels()
        },
        messages::account(u.active),
        messages::linked_inspector(u.inspector.as_deref())
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
    /// 选择公示备注另含的内部内容：correction-reason（更正理由）、followup-notes（后续处理说明）；默认均不含
    PublicityRemark {
        /// correction-reason、followup-notes（可同时给出）
        parts: Vec<String>,
        /// 恢复默认：公示备注不含更正理由和后续处理说明
        #[arg(long, conflicts_with = "parts")]
        clear: bool,
    },
    /// 列出本局和配合部门及其别名
    Departments,
    /// 修改本局名称（原名称保留为别名，本局执法人员随之更名）
    Bureau {
        name: String,
        /// 修改理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 添加配合部门
    DepartmentAdd {
        name: String,
        /// 添加理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 登记部门别名（执法人员表可用的另一种写法，如 阳城县水利局 → 水利局）
    DepartmentAlias {
        alias: String,
        department: String,
        /// 登记理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 部门改名（执法人员的所属部门、别名和计划任务的配合部门随之更改，原名称保留为别名）
    DepartmentRename {
        old: String,
        new: String,
        /// 改名理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 删除不再使用的配合部门及其别名（仍有执法人员或计划任务引用时拒绝；本局不能删除）
    DepartmentRemove {
        name: String,
        /// 删除理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 列出乡镇名单及各乡镇的监管对象数
    Towns {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 在乡镇名单中添加乡镇
    TownAdd {
        name: String,
        /// 添加理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 从乡镇名单中删除乡镇（仍有监管对象在该乡镇时拒绝）
    TownRemove {
        name: String,
        /// 删除理由（记入审计日志）
        #[arg(long)]
        reason: String,
    },
    /// 设置 doctor 核对的见证文件（audit checkpoint --append 写的；应在数据库目录以外）
    WitnessFile {
        file: Option<std::path::PathBuf>,
        /// 取消见证文件
        #[arg(long, conflicts_with = "file")]
        clear: bool,
    },
}

pub fn settings(s: &mut Session, c: &SettingsCommand) -> CliResult {
    match c {
        SettingsCommand::Show => {
            output::table_of(&["设置", "值"], s.settings()?, |(k, v)| vec![k, v])
        }
        SettingsCommand::ServiceAccount { login, clear } => {
            service_account(s, login.as_deref(), *clear)
        }
        SettingsCommand::ProvinceCap { cap, clear } => province_cap(s, *cap, *clear),
        SettingsCommand::PublicityRemark { parts, clear } => publicity_remark(s, parts, *clear),
        SettingsCommand::WitnessFile { file, clear } => witness_file(s, file.as_deref(), *clear),
        SettingsCommand::Departments => {
            output::table_of(&["部门", "类别", "别名"], s.departments()?, |d| {
                vec![
                    d.name,
                    if d.bureau { "本局" } else { "配合部门" }.to_string(),
                    d.aliases.join("、"),
                ]
            })
        }
        SettingsCommand::Bureau { name, reason } => {
            let moved = s.set_bureau(name, reason)?;
            output::say(&format!(
                "本局名称已改为“{}”；{moved} 名执法人员随之更名，原名称保留为别名",
                name.trim()
            ));
            Ok(())
        }
        SettingsCommand::DepartmentAdd { name, reason } => {
            s.add_department(name, reason)?;
            output::say(&format!("已添加配合部门“{}”", name.trim()));
            Ok(())
        }
        SettingsCommand::DepartmentRename { old, new, reason } => {
            let r = s.rename_department(old, new, reason)?;
            output::say(&format!(
                "部门“{}”已改名为“{}”；{} 名执法人员、{} 项计划任务随之更改{}，原名称保留为别名",
                old.trim(),
                new.trim(),
                r.inspectors,
                r.tasks.len(),
                if r.tasks.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", r.tasks.join("、"))
                }
            ));
            Ok(())
        }
        SettingsCommand::DepartmentRemove { name, reason } => {
            s.remove_department(name, reason)?;
            output::say(&format!("已删除配合部门“{}”及其别名", name.trim()));
            Ok(())
        }
        SettingsCommand::Towns { json } => towns(s, *json),
        SettingsCommand::TownAdd { name, reason } => {
            s.add_town(name, reason)?;
            output::say(&format!("已将“{}”加入乡镇名单", name.trim()));
            Ok(())
        }
        SettingsCommand::TownRemove { name, reason } => {
            s.remove_town(name, reason)?;
            output::say(&format!("已将“{}”从乡镇名单中删除", name.trim()));
            Ok(())
        }
        SettingsCommand::DepartmentAlias {
            alias,
            department,
            reason,
        } => {
            s.add_department_alias(alias, department, reason)?;
            output::say(&format!(
                "已登记别名：{} → {}",
                alias.trim(),
                department.trim()
            ));
            Ok(())
        }
    }
}

fn towns(s: &Session, json: bool) -> CliResult {
    let list = s.towns()?;
    if json {
        return output::json(&list);
    }
    output::table_of(&["乡镇", "监管对象"], list.listed, |t| {
        vec![t.name, t.entities.to_string()]
    })?;
    if !list.unlisted.is_empty() {
        output::say(&format!(
            "名单以外、已有监管对象使用的乡镇：{}（再次导入或修改这些对象的乡镇时须改为名单中的名称）",
            list.unlisted
                .iter()
                .map(|t| format!("{}（{}个）", t.name, t.entities))
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    Ok(())
}

fn witness_file(s: &mut Session, file: Option<&std::path::Path>, clear: bool) -> CliResult {
    let file = value_or_clear(file, clear, "见证文件")?;
    s.set_witness_file(file)?;
    output::say(&match s.witness_file()? {
        Some(p) => format!(
            "见证文件已设为 {}；doctor 将核对审计日志是其中每个检查点的延续",
            p.display()
        ),
        None => "已取消见证文件".to_string(),
    });
    Ok(())
}

fn publicity_remark(s: &mut Session, parts: &[String], clear: bool) -> CliResult {
    if parts.is_empty() && !clear {
        return Err(Failure::Message(messages::value_or_clear(
            "公示备注另含的内容（correction-reason、followup-notes）",
        )));
    }
    let public = PublicRemark::parse(parts)?;
    s.set_publicity_remark(public)?;
    output::say(&format!("公示备注：{}", public.label()));
    Ok(())
}

fn service_account(s: &mut Session, login: Option<&str>, clear: bool) -> CliResult {
    let login = value_or_clear(login, clear, "服务账户名")?;
    s.set_service_account(login)?;
    output::say(&match login {
        Some(l) => format!("服务账户已设为 {l}"),
        None => "已取消服务账户".to_string(),
    });
    Ok(())
}

fn province_cap(s: &mut Session, cap: Option<u32>, clear: bool) -> CliResult {
    let cap = value_or_clear(cap, clear, "上限次数")?;
    s.set_province_cap(cap)?;
    output::say(&match cap {
        Some(n) => format!("省级年度抽查上限已设为每家企业 {n} 次"),
        None => "已取消省级年度抽查上限".to_string(),
    });
    Ok(())
}

/// A setting is given a value, or `--clear` to take it away; neither is a mistake.
fn value_or_clear<T>(value: Option<T>, clear: bool, what: &str) -> Result<Option<T>, Failure> {
    if value.is_none() && !clear {
        return Err(Failure::Message(messages::value_or_clear(what)));
    }
    Ok(value)
}

pub fn whoami(s: &Session, json: bool) -> CliResult {
    let u = s.user();
    let may = s.permitted_actions();
    if json {
        #[derive(serde::Serialize)]
        struct WhoAmI<'a> {
            #[serde(flatten)]
            user: &'a shuangsuiji::domain::user::User,
            may: &'a [shuangsuiji::domain::role::Action],
        }
        return output::json(&WhoAmI { user: u, may: &may });
    }
    output::say(&format!(
        "{}（{}），角色：{}{}；数据库 {}{}",
        u.login,
        u.name,
        u.role_labels(),
        messages::linked_inspector(u.inspector.as_deref()),
        s.db_path().display(),
        if s.mode() == Mode::Demo {
            format!("（{}）", messages::DEMO)
        } else {
            String::new()
        }
    ));
    let labels: Vec<&str> = may.iter().map(|a| a.label()).collect();
    output::say(&format!("{}{}", messages::MAY, join_list(labels)));
    Ok(())
}
