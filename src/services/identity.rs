//! Who is acting. Identity is the operating-system account running the process (looked up
//! from the real user id, never from `$USER`). `--as LOGIN` is honoured only
//!
//! * when the process runs as the service account configured in the database (SSH forced
//!   commands, one `authorized_keys` line per person, the way gitolite maps keys to people), or
//! * on a demo database, where a newcomer may try every role.

use rusqlite::Connection;

use super::{Mode, Result, ServiceError};
use crate::domain::user::{User, parse_login};
use crate::store::{settings, users};

/// The name of the account of the process's real user id.
pub fn os_login() -> Result<String> {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(u)) => Ok(u.name),
        Ok(None) => Err(ServiceError::Identity(format!(
            "无法确定当前操作系统账户（uid {uid} 没有账户名）"
        ))),
        Err(e) => Err(ServiceError::Identity(format!(
            "无法读取当前操作系统账户：{e}"
        ))),
    }
}

/// Resolves the acting user from the OS login and an optional `--as`.
pub fn resolve(
    conn: &Connection,
    mode: Mode,
    os_login: &str,
    act_as: Option<&str>,
) -> Result<User> {
    let login = match act_as {
        None => os_login.to_string(),
        Some(requested) => {
            let requested = parse_login(requested).map_err(ServiceError::Identity)?;
            let service = settings::get(conn, settings::SERVICE_ACCOUNT)?;
            let is_service = service.as_deref() == Some(os_login);
            if !(is_service || mode == Mode::Demo) {
                return Err(ServiceError::Identity(format!(
                    "--as 只在以服务账户运行时有效（当前账户 {os_login}{}）",
                    match service {
                        Some(s) => format!("，服务账户为 {s}"),
                        None => "，本库未设置服务账户".to_string(),
                    }
                )));
            }
            requested
        }
    };
    match users::get(conn, &login)? {
        Some(u) if u.active => Ok(u),
        Some(_) => Err(ServiceError::Identity(format!("用户 {login} 已停用"))),
        None => {
            let hint = if mode == Mode::Demo {
                let all = users::all(conn)?;
                format!(
                    "。示例数据库可用 --as 登录名 扮演示例用户：{}",
                    all.iter()
                        .map(|u| u.login.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                )
            } else {
                "，请联系系统管理员添加".to_string()
            };
            Err(ServiceError::Identity(format!("用户 {login} 未登记{hint}")))
        }
    }
}
