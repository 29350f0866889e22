//! Users and roles, the service account, and system settings.

use serde_json::json;

use super::{Existing, Result, ServiceError, Session};
use crate::domain::role::{Action, Role};
use crate::domain::user::{User, parse_login};
use crate::store::{self, settings};

impl Session {
    pub fn list_users(&self) -> Result<Vec<User>> {
        self.require(Action::ViewRegistry)?;
        Ok(store::users::all(self.store().conn())?)
    }

    /// `user add LOGIN --name N --role R… [--inspector CODE]`.
    pub fn add_user(
        &mut self,
        login: &str,
        name: &str,
        roles: &[Role],
        inspector: Option<&str>,
    ) -> Result<User> {
        self.require(Action::ManageUsers)?;
        let login = parse_login(login).map_err(|reason| ServiceError::invalid("login", reason))?;
        if name.trim().is_empty() {
            return Err(ServiceError::invalid("name", "姓名不能为空"));
        }
        crate::domain::text::identifier("姓名", crate::domain::text::TextKind::Name, name.trim())
            .map_err(|why| ServiceError::invalid("name", why))?;
        let user = User {
            login: login.clone(),
            name: name.trim().to_string(),
            roles: roles.iter().copied().collect(),
            inspector: inspector.map(|c| c.trim().to_ascii_uppercase()),
            active: true,
        };
        self.write(|tx, actor| {
            if store::users::get(tx, &login)?.is_some() {
                return Err(ServiceError::Exists(Existing::User {
                    login: login.clone(),
                }));
            }
            check_inspector_link(tx, &user)?;
            actor.log(
                tx,
                "users.add",
                &login,
                &json!({ "name": user.name, "roles": user.roles, "inspector": user.inspector }),
            )?;
            store::users::put(tx, &user)?;
            Ok(user.clone())
        })
    }

    /// Grants or revokes one role; link or unlink an inspector; activate or deactivate.
    pub fn change_user(&mut self, login: &str, change: UserChange) -> Result<User> {
        self.require(Action::ManageUsers)?;
        let me = self.user().login.clone();
        self.write(|tx, actor| {
            let mut user = store::users::get(tx, login)?
                .ok_or_else(|| ServiceError::not_found("用户", login))?;
            let before = user.clone();
            match &change {
                UserChange::Grant(r) => {
                    user.roles.insert(*r);
                }
                UserChange::Revoke(r) => {
                    user.roles.remove(r);
                }
                UserChange::Link(code) => {
                    user.inspector = code.as_ref().map(|c| c.trim().to_ascii_uppercase())
                }
                UserChange::Active(a) => user.active = *a,
            }
            if user == before {
                return Ok(user);
            }
            check_inspector_link(tx, &user)?;
            let admins_left = store::users::all(tx)?
                .iter()
                .filter(|u| u.login != user.login && u.active && u.roles.contains(&Role::Admin))
                .count()
                + usize::from(user.active && user.roles.contains(&Role::Admin));
            if admins_left == 0 {
                return Err(ServiceError::LastAdmin);
            }
            if user.login == me && !user.active {
                return Err(ServiceError::OwnAccount);
            }
            actor.log(
                tx,
                "users.change",
                login,
                &json!({ "change": change.describe(), "before": before, "after": user }),
            )?;
            store::users::put(tx, &user)?;
            Ok(user)
        })
    }

    /// Sets (or clears) the service account for SSH forced commands.
    pub fn set_service_account(&mut self, login: Option<&str>) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let login = login
            .map(parse_login)
            .transpose()
            .map_err(|reason| ServiceError::invalid("login", reason))?;
        self.write(|tx, actor| {
            let before = settings::get(tx, settings::SERVICE_ACCOUNT)?;
            actor.log(
                tx,
                "settings.service_account",
                login.as_deref().unwrap_or(""),
                &json!({ "before": before, "after": login }),
            )?;
            match &login {
                Some(l) => settings::set(tx, settings::SERVICE_ACCOUNT, l)?,
                None => settings::unset(tx, settings::SERVICE_ACCOUNT)?,
            }
            Ok(())
        })
    }

    /// Sets (or clears) the province's annual cap per enterprise (环办执法〔2025〕4号).
    pub fn set_province_cap(&mut self, cap: Option<u32>) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        if cap == Some(0) {
            return Err(ServiceError::invalid("cap", "年度抽查上限应大于0"));
        }
        self.write(|tx, actor| {
            let before = settings::get(tx, settings::PROVINCE_CAP)?;
            actor.log(
                tx,
                "settings.province_cap",
                "",
                &json!({ "before": before, "after": cap }),
            )?;
            match cap {
                Some(c) => settings::set(tx, settings::PROVINCE_CAP, &c.to_string())?,
                None => settings::unset(tx, settings::PROVINCE_CAP)?,
            }
            Ok(())
        })
    }

    /// The system settings shown by `settings`.
    pub fn settings(&self) -> Result<Vec<(String, String)>> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let mut out = Vec::new();
        for key in [
            settings::MODE,
            settings::CREATED_BY,
            settings::CREATED_AT,
            settings::DEMO_DATE,
            settings::BUREAU,
            settings::SERVICE_ACCOUNT,
            settings::PROVINCE_CAP,
            settings::PUBLICITY_REMARK,
            settings::WITNESS_FILE,
        ] {
            if let Some(v) = settings::get(conn, key)? {
                out.push((key.to_string(), v));
            }
        }
        Ok(out)
    }
}

fn check_inspector_link(conn: &rusqlite::Connection, user: &User) -> Result<()> {
    if let Some(code) = &user.inspector
        && store::inspectors::get(conn, code)?.is_none()
    {
        return Err(ServiceError::not_found("执法人员", code));
    }
    Ok(())
}

/// One change to a user.
#[derive(Debug, Clone)]
pub enum UserChange {
    Grant(Role),
    Revoke(Role),
    Link(Option<String>),
    Active(bool),
}

impl UserChange {
    fn describe(&self) -> String {
        match self {
            UserChange::Grant(r) => format!("grant {}", r.key()),
            UserChange::Revoke(r) => format!("revoke {}", r.key()),
            UserChange::Link(Some(c)) => format!("link {c}"),
            UserChange::Link(None) => "unlink".to_string(),
            UserChange::Active(true) => "activate".to_string(),
            UserChange::Active(false) => "deactivate".to_string(),
        }
    }
}
