//! 用户 (users): an operating-system login with roles, optionally linked to an inspector.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::role::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The operating-system account name.
    pub login: String,
    /// 姓名
    pub name: String,
    pub roles: BTreeSet<Role>,
    /// 人员编号 of the linked inspector record, if any.
    pub inspector: Option<String>,
    pub active: bool,
}

impl User {
    /// Roles joined for display ("队长/股室负责人、执法人员").
    pub fn role_labels(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Checks a login name: what POSIX allows for portable user names.
pub fn parse_login(text: &str) -> Result<String, String> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.len() <= 32
        && !t.starts_with('-')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(t.to_string())
    } else {
        Err(format!(
            "登录名“{t}”不合法（只允许字母、数字、. _ -，最长32位）"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        assert_eq!(parse_login(" zhang.wei ").as_deref(), Ok("zhang.wei"));
        assert!(parse_login("-rf").is_err());
        assert!(parse_login("张伟").is_err());
        assert!(parse_login("a b").is_err());
    }
}
