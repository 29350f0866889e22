//! Who is acting, and how that was established. Identity is the operating-system account
//! running the process (looked up from the real user id, never from `$USER`). Another login
//! is taken only
//!
//! * from `serve LOGIN`, the SSH forced command of the service account configured in the
//!   database (one `authorized_keys` line per person, the way gitolite maps keys to people),
//! * from `--as LOGIN` when the process runs as that service account (an administrator at the
//!   server), or
//! * from `--as LOGIN` on a demo database, where a newcomer may try every role.
//!
//! How the login was established ([`Via`]) goes into every audit event the session writes,
//! so the log tells a person's own key from an administrator acting in their name.

use base64::Engine;
use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

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

/// How the acting user was established; written into every audit event's detail as `"via"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Via {
    /// The operating-system account running the process is the user (`account`).
    Os { account: String },
    /// `serve LOGIN`, run by the service account `account` as an SSH forced command.
    Serve {
        account: String,
        /// What sshd reported of the key (`ExposeAuthInfo`); absent when it did not.
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        key: Option<SshKey>,
        /// The client's address (`SSH_CONNECTION`), when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
    },
    /// `--as LOGIN`, given by the operating-system account `account` (on a demo database, or
    /// as the service account).
    As { account: String },
}

impl Via {
    /// The detail's `"via"` value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// In words, for `audit log`: “系统账户 li.na”, “serve 密钥 SHA256:…”, “--as（系统账户 ssj）”.
    pub fn describe(via: &serde_json::Value) -> String {
        let text = |k: &str| via.get(k).and_then(|v| v.as_str()).unwrap_or("");
        match text("kind") {
            "os" => format!("系统账户 {}", text("account")),
            "serve" => {
                let key = match text("key") {
                    "" => "密钥未知（未开启 ExposeAuthInfo）".to_string(),
                    k => format!("密钥 {k}"),
                };
                match text("from") {
                    "" => format!("serve {key}"),
                    from => format!("serve {key} 来自 {from}"),
                }
            }
            "as" => format!("--as（系统账户 {}）", text("account")),
            _ => String::new(),
        }
    }
}

/// The key an SSH login was made with, as sshd reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SshKey {
    /// The fingerprint as `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of the
    /// SHA-256 of the key blob.
    pub key: String,
    /// The key's type, e.g. `ssh-ed25519`.
    pub key_type: String,
}

impl SshKey {
    /// The public key that authenticated the session, from the text of the file that sshd
    /// names in `SSH_USER_AUTH` when `ExposeAuthInfo yes` is set: one line per method that
    /// succeeded, `publickey ssh-ed25519 AAAA…` for a key. The last key listed is taken (with
    /// `AuthenticationMethods publickey,publickey` the last is the one whose line applies).
    pub fn from_user_auth(text: &str) -> Option<SshKey> {
        text.lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                if words.next()? != "publickey" {
                    return None;
                }
                let key_type = words.next()?;
                let blob = words.next()?;
                Some(SshKey {
                    key: fingerprint(blob)?,
                    key_type: key_type.to_string(),
                })
            })
            .next_back()
    }
}

/// The SHA256 fingerprint of a public key given as the base64 of its blob (the second word
/// of an `authorized_keys` or `.pub` line), as `ssh-keygen -l -E sha256` writes it; `None`
/// when the text is no base64.
pub fn fingerprint(blob_base64: &str) -> Option<String> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(blob_base64)
        .ok()?;
    if blob.is_empty() {
        return None;
    }
    let digest = Sha256::digest(&blob);
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    ))
}

/// A login claimed by `serve LOGIN`, with what sshd said about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub login: String,
    pub key: Option<SshKey>,
    pub from: Option<String>,
}

impl Served {
    /// `serve LOGIN` as sshd started it: the key from the file `SSH_USER_AUTH` names, the
    /// client's address from `SSH_CONNECTION`. Either may be missing (no `ExposeAuthInfo`, or
    /// `serve` run by hand); nothing read here decides who acts, only what the log records.
    pub fn from_environment(login: &str) -> Served {
        use std::io::Read;
        let key = std::env::var_os("SSH_USER_AUTH")
            .and_then(|path| std::fs::File::open(path).ok())
            .and_then(|f| {
                let mut text = String::new();
                f.take(64 * 1024).read_to_string(&mut text).ok()?;
                SshKey::from_user_auth(&text)
            });
        let from = std::env::var("SSH_CONNECTION")
            .ok()
            .and_then(|c| c.split_whitespace().next().map(str::to_string))
            .filter(|a| {
                a.len() <= 64 && a.chars().all(|c| c.is_ascii_hexdigit() || ".:".contains(c))
            });
        Served {
            login: login.to_string(),
            key,
            from,
        }
    }
}

/// Who a session claims to be, besides the operating-system account.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Claim<'a> {
    /// Nobody else: the OS account is the user.
    None,
    /// `--as LOGIN`.
    As(&'a str),
    /// `serve LOGIN`.
    Serve(&'a Served),
}

/// Resolves the acting user from the OS login and an optional `--as`.
pub fn resolve(
    conn: &Connection,
    mode: Mode,
    os_login: &str,
    act_as: Option<&str>,
) -> Result<User> {
    let claim = act_as.map_or(Claim::None, Claim::As);
    resolve_claim(conn, mode, os_login, claim).map(|(user, _)| user)
}

/// Resolves the acting user and how it was established.
pub(crate) fn resolve_claim(
    conn: &Connection,
    mode: Mode,
    os_login: &str,
    claim: Claim<'_>,
) -> Result<(User, Via)> {
    let (login, via) = match claim {
        Claim::None => (
            os_login.to_string(),
            Via::Os {
                account: os_login.to_string(),
            },
        ),
        Claim::As(_) | Claim::Serve(_) => {
            let (requested, what) = match claim {
                Claim::Serve(s) => (s.login.as_str(), "serve"),
                Claim::As(login) => (login, "--as"),
                Claim::None => unreachable!("matched above"),
            };
            let requested = parse_login(requested).map_err(ServiceError::Identity)?;
            let service = settings::get(conn, settings::SERVICE_ACCOUNT)?;
            let is_service = service.as_deref() == Some(os_login);
            if !(is_service || mode == Mode::Demo) {
                return Err(ServiceError::Identity(format!(
                    "{what} 只在以服务账户运行时有效（当前账户 {os_login}{}）",
                    match service {
                        Some(s) => format!("，服务账户为 {s}"),
                        None => "，本库未设置服务账户".to_string(),
                    }
                )));
            }
            let account = os_login.to_string();
            let via = match claim {
                Claim::Serve(s) => Via::Serve {
                    account,
                    key: s.key.clone(),
                    from: s.from.clone(),
                },
                _ => Via::As { account },
            };
            (requested, via)
        }
    };
    match users::get(conn, &login)? {
        Some(u) if u.active => Ok((u, via)),
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

#[cfg(test)]
mod tests {
    use super::*;

    // A key made with `ssh-keygen -t ed25519 -C zhang.wei@laptop`, and the fingerprint
    // `ssh-keygen -lf` printed for it.
    const BLOB: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIBVTZe3xxd+CLkDTW9hegs/Lq3rOk7O37bUh3JJikr0c";
    const PRINTED: &str = "SHA256:C910mHXjL9Ww+K9hlyqUSxX5U8eyaPctacr6TzrkvH4";

    #[test]
    fn fingerprints_are_written_as_ssh_keygen_writes_them() {
        assert_eq!(fingerprint(BLOB).as_deref(), Some(PRINTED));
        assert_eq!(fingerprint("not base64!"), None);
        assert_eq!(fingerprint(""), None);
    }

    #[test]
    fn the_key_is_read_from_what_sshd_exposes() {
        let text = format!("publickey ssh-ed25519 {BLOB}\n");
        let key = SshKey::from_user_auth(&text).unwrap();
        assert_eq!(key.key, PRINTED);
        assert_eq!(key.key_type, "ssh-ed25519");
        // Other methods are not keys; with two keys the last one counts.
        let two =
            format!("password\npublickey ssh-rsa AAAAB3NzaC1yc2E=\npublickey ssh-ed25519 {BLOB}\n");
        assert_eq!(SshKey::from_user_auth(&two).unwrap().key, PRINTED);
        assert_eq!(SshKey::from_user_auth("keyboard-interactive\n"), None);
        assert_eq!(SshKey::from_user_auth("publickey ssh-ed25519 ***\n"), None);
    }

    #[test]
    fn via_is_written_and_described() {
        let served = Via::Serve {
            account: "ssj".into(),
            key: Some(SshKey {
                key: PRINTED.into(),
                key_type: "ssh-ed25519".into(),
            }),
            from: Some("10.0.0.5".into()),
        };
        let json = served.to_json();
        assert_eq!(json["kind"], "serve");
        assert_eq!(json["account"], "ssj");
        assert_eq!(json["key"], PRINTED);
        assert_eq!(json["key_type"], "ssh-ed25519");
        assert_eq!(
            Via::describe(&json),
            format!("serve 密钥 {PRINTED} 来自 10.0.0.5")
        );
        let bare = Via::Serve {
            account: "ssj".into(),
            key: None,
            from: None,
        }
        .to_json();
        assert!(bare.get("key").is_none(), "{bare}");
        assert!(Via::describe(&bare).contains("密钥未知"));
        let os = Via::Os {
            account: "li.na".into(),
        };
        assert_eq!(Via::describe(&os.to_json()), "系统账户 li.na");
        let as_ = Via::As {
            account: "ssj".into(),
        };
        assert_eq!(Via::describe(&as_.to_json()), "--as（系统账户 ssj）");
    }
}
