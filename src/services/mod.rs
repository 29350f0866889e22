//! Use cases. Each one checks who may act, then runs in one transaction and logs what it
//! changed to the audit chain. The command line and the dashboard call only these.

pub mod audit;
pub mod browse;
pub mod calendar;
pub mod dashboard;
pub mod demo_history;
pub mod departments;
mod draw_read;
pub mod draws;
pub mod edits;
mod error;
pub mod identity;
pub mod init;
pub mod maintenance;
mod memory;
pub mod plans;
pub mod publicity;
pub mod registry;
pub mod reports;
pub mod results;
pub mod site;
pub mod targeted;
pub mod towns;
pub mod users;
pub mod visits;

use chrono::NaiveDate;
use rusqlite::Transaction;

pub use error::{Done, Existing, Result, ServiceError, Unchanged, Unusable};

use crate::domain::audit::AuditEvent;
use crate::domain::role::{self, Action, Refusal, Subject};
use crate::domain::user::User;
use crate::store::{self, Store, settings};

/// What kind of database this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// 示例数据: synthetic; `--as` may act as any demo user and `--today` is allowed.
    Demo,
    /// A bureau's real database.
    Production,
}

impl Mode {
    fn read(conn: &rusqlite::Connection) -> Result<Mode> {
        match settings::get(conn, settings::MODE)?.as_deref() {
            Some("demo") => Ok(Mode::Demo),
            Some("production") => Ok(Mode::Production),
            other => Err(ServiceError::NotInitialised {
                mode: other.map(str::to_string),
            }),
        }
    }
}

/// One user working on one database.
pub struct Session {
    store: Store,
    user: User,
    /// How the user was established (written into every audit event).
    via: identity::Via,
    mode: Mode,
    today: NaiveDate,
    /// `--today` was given: the date does not follow the clock.
    today_fixed: bool,
}

/// How to open a session.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `--as LOGIN`
    pub act_as: Option<String>,
    /// `--today` / `SHUANGSUIJI_TODAY` (demo databases only).
    pub today: Option<NaiveDate>,
}

impl Session {
    /// Opens the database at `path` as the operating-system account running this process.
    pub fn open(path: &std::path::Path, options: &OpenOptions) -> Result<Session> {
        let os_login = identity::os_login()?;
        Self::open_as_os_user(path, &os_login, options)
    }

    /// Opens the database at `path` for the person an SSH key was given to (`serve LOGIN`):
    /// honoured only when the process runs as the service account, or on a demo database.
    /// `options.act_as` must be empty: the key's login is the only one.
    pub fn open_served(
        path: &std::path::Path,
        options: &OpenOptions,
        served: &identity::Served,
    ) -> Result<Session> {
        if options.act_as.is_some() {
            return Err(ServiceError::Identity(
                "serve 已指定用户，不能再用 --as".to_string(),
            ));
        }
        let os_login = identity::os_login()?;
        let store = Store::open(path)?;
        Self::from_claim(store, &os_login, options, identity::Claim::Serve(served))
    }

    /// Opens with an explicit operating-system login (the caller vouches for it: tests and
    /// `open` only).
    pub(crate) fn open_as_os_user(
        path: &std::path::Path,
        os_login: &str,
        options: &OpenOptions,
    ) -> Result<Session> {
        let store = Store::open(path)?;
        Self::from_store(store, os_login, options)
    }

    pub(crate) fn from_store(
        store: Store,
        os_login: &str,
        options: &OpenOptions,
    ) -> Result<Session> {
        let claim = match &options.act_as {
            Some(login) => identity::Claim::As(login),
            None => identity::Claim::None,
        };
        Self::from_claim(store, os_login, options, claim)
    }

    fn from_claim(
        store: Store,
        os_login: &str,
        options: &OpenOptions,
        claim: identity::Claim<'_>,
    ) -> Result<Session> {
        let mode = Mode::read(store.conn())?;
        let today = match (options.today, mode) {
            (None, _) => china_today(),
            (Some(d), Mode::Demo) => {
                crate::domain::check_date(d).map_err(|why| ServiceError::invalid("today", why))?
            }
            (Some(_), Mode::Production) => {
                return Err(ServiceError::invalid(
                    "today",
                    "正式数据库不允许指定 --today（只用于示例和测试数据库）",
                ));
            }
        };
        let (user, via) = identity::resolve_claim(store.conn(), mode, os_login, claim)?;
        Ok(Session {
            store,
            user,
            via,
            mode,
            today,
            today_fixed: options.today.is_some(),
        })
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    /// How the user was established: the OS account, `serve` with a key, or `--as`.
    pub fn via(&self) -> &identity::Via {
        &self.via
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Moves a demo session's date (the demo's history is written day by day by one session
    /// per person). Production sessions keep the clock's date.
    pub(crate) fn move_demo_day(&mut self, day: NaiveDate) {
        if self.mode == Mode::Demo && self.today_fixed {
            self.today = day;
        }
    }

    /// The time of an act as a record binds it (RFC 3339): the clock's, or on a session whose
    /// date was fixed (the demo, tests) 09:00 of that date in UTC+8, so that the demo county is
    /// the same for the same date.
    pub fn now_rfc3339(&self) -> String {
        if self.today_fixed {
            format!("{}T09:00:00+08:00", self.today)
        } else {
            now_rfc3339()
        }
    }

    /// Follows the clock to a new day (unless the date was fixed with `--today`).
    pub fn refresh_today(&mut self) {
        if !self.today_fixed {
            self.today = china_today();
        }
    }

    /// Changes when another connection commits (`PRAGMA data_version`).
    /// How many write transactions this session has committed: a burst of typed keys or a
    /// paste saves its draft once, not once per character.
    pub fn commits(&self) -> u64 {
        self.store.commits()
    }

    pub fn data_version(&self) -> Result<i64> {
        Ok(self.store.data_version()?)
    }

    /// Whether another file has been put in place of the database this session opened (a
    /// restore); its writes are refused then.
    pub fn database_replaced(&self) -> bool {
        self.store.replaced()
    }

    /// A second session of the same user on the same database, on a connection of its own:
    /// the dashboard runs long work (a draw on a big county) on it in another thread while
    /// its own session keeps answering keys. The user, how they were established and the date
    /// are this session's; nothing is resolved again.
    pub fn reopen(&self) -> Result<Session> {
        Ok(Session {
            store: Store::open(self.store.path())?,
            user: self.user.clone(),
            via: self.via.clone(),
            mode: self.mode,
            today: self.today,
            today_fixed: self.today_fixed,
        })
    }

    pub fn db_path(&self) -> &std::path::Path {
        self.store.path()
    }

    /// Refuses the action unless the user's roles allow it.
    pub fn require(&self, action: Action) -> Result<()> {
        self.require_on(action, Subject::Any, action.label())
    }

    /// What the user's roles let them do, in the role table's order: `whoami` lists it.
    pub fn permitted_actions(&self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.may(*a, Subject::Any))
            .collect()
    }

    /// Whether the user may do `action` to `subject` ([`role::may`]).
    pub fn may(&self, action: Action, subject: Subject<'_>) -> bool {
        role::may(&self.user, action, subject).is_ok()
    }

    /// Refuses unless the user may do `action` to `subject`; `what` names the refused act
    /// when the subject, not the role, is why ("录入不属于自己检查组的检查结果").
    pub(crate) fn require_on(
        &self,
        action: Action,
        subject: Subject<'_>,
        what: &'static str,
    ) -> Result<()> {
        require_on(&self.user, action, subject, what)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Runs a write in one transaction.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &Actor) -> Result<T>,
    ) -> Result<T> {
        let actor = Actor {
            login: self.user.login.clone(),
            user: self.user.clone(),
            via: self.via.clone(),
        };
        self.store.write(|tx| f(tx, &actor))
    }
}

impl Session {
    /// Logs one event for a use case that otherwise only reads (an export, a backup), in a
    /// transaction of its own: taking data out of the database leaves a trace too.
    pub(crate) fn log_read(
        &self,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditEvent> {
        let actor = Actor {
            login: self.user.login.clone(),
            user: self.user.clone(),
            via: self.via.clone(),
        };
        self.store
            .write_shared(|tx| actor.log(tx, action, subject, detail))
    }
}

/// Refuses unless `user` may do `action` to `subject` (see [`Session::require_on`]).
fn require_on(user: &User, action: Action, subject: Subject<'_>, what: &'static str) -> Result<()> {
    let denied = |action, why| ServiceError::Denied {
        login: user.login.clone(),
        roles: if user.roles.is_empty() {
            "无角色".to_string()
        } else {
            user.role_labels()
        },
        action,
        why,
    };
    match role::may(user, action, subject) {
        Ok(()) => Ok(()),
        Err(why @ Refusal::Role) => Err(denied(action.label(), why)),
        Err(why @ Refusal::NotOnTeam) => Err(denied(what, why)),
        Err(Refusal::OwnRequest) => Err(ServiceError::OwnRequest { what }),
    }
}

/// Who is writing, for audit events and for the checks that need what the transaction reads.
pub(crate) struct Actor {
    pub login: String,
    user: User,
    /// How the login was established; every event this actor logs carries it as `"via"`.
    via: identity::Via,
}

impl Actor {
    /// The person who creates a database: logged by name, with no roles to check yet.
    pub fn creator(login: &str) -> Actor {
        Actor {
            login: login.to_string(),
            user: User {
                login: login.to_string(),
                name: login.to_string(),
                roles: Default::default(),
                inspector: None,
                active: true,
            },
            via: identity::Via::Os {
                account: login.to_string(),
            },
        }
    }

    /// [`Session::require_on`], inside a write.
    pub fn require_on(
        &self,
        action: Action,
        subject: Subject<'_>,
        what: &'static str,
    ) -> Result<()> {
        require_on(&self.user, action, subject, what)
    }

    /// Appends an audit event; `detail` is serialised as canonical JSON, with how the actor
    /// was established added as its `"via"` key ([`identity::Via`]; a detail that is not an
    /// object is kept under `"detail"`). The chain's format and fields are unchanged.
    pub fn log(
        &self,
        tx: &Transaction<'_>,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditEvent> {
        Ok(store::audit::append(
            tx,
            &now_rfc3339(),
            &self.login,
            action,
            subject,
            &self.detail_text(detail.clone()),
        )?)
    }

    /// Replaces the detail of an event [`Actor::log`] appended in this transaction, before
    /// it is sealed (see [`store::audit::amend_held`]), with the same `"via"` added.
    pub fn amend_log(
        &self,
        tx: &Transaction<'_>,
        event: &AuditEvent,
        detail: serde_json::Value,
    ) -> Result<()> {
        Ok(store::audit::amend_held(
            tx,
            event.seq,
            &self.detail_text(detail),
        )?)
    }

    /// An event's detail as logged: canonical JSON with `"via"` added.
    fn detail_text(&self, detail: serde_json::Value) -> String {
        let mut detail = match detail {
            serde_json::Value::Object(map) => map,
            other => {
                let mut map = serde_json::Map::new();
                map.insert("detail".to_string(), other);
                map
            }
        };
        detail.insert("via".to_string(), self.via.to_json());
        store::value_json(&serde_json::Value::Object(detail))
    }
}

/// A name part no other temporary file of this process has: the process id and a counter,
/// so two threads (or two demo builds) never share a file.
pub(crate) fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The current time in China Standard Time (UTC+8), whatever `TZ` says.
pub fn china_now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().with_timezone(&crate::domain::calendar::china())
}

/// Today's date in China Standard Time: the date every business rule counts from.
pub fn china_today() -> NaiveDate {
    china_now().date_naive()
}

/// The current time as RFC 3339 in UTC+8, to the second (audit events, drafts).
pub fn now_rfc3339() -> String {
    china_now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[cfg(test)]
mod unique_tests {
    #[test]
    fn temporary_names_differ_across_threads() {
        let names: std::collections::HashSet<String> = (0..8)
            .map(|_| std::thread::spawn(super::unique_suffix))
            .map(|t| t.join().unwrap())
            .collect();
        assert_eq!(names.len(), 8);
    }
}
