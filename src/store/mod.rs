//! Storage: SQLite through rusqlite, and nothing else touches it.
//!
//! Opening sets WAL, foreign keys and a busy timeout, then runs the migrations. Every write
//! goes through [`Store::write`], one `BEGIN IMMEDIATE` transaction, so two processes never
//! interleave half-written changes.

pub mod audit;
mod batch;
pub mod binding;
pub mod calendar;
pub mod draws;
pub mod entities;
pub mod files;
pub mod inspectors;
pub mod items;
mod migrations;

pub use migrations::LATEST as SCHEMA_VERSION;
pub mod plans;
pub mod results;
pub mod settings;
pub mod substitution_requests;
pub mod targeted;
pub mod users;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use rusqlite::Error as SqlError;

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The file opened (device and inode), to notice when another file has been put in its
    /// place (a restore) while this connection still holds the old one.
    file: Option<(u64, u64)>,
    /// Write transactions this connection has committed (what a burst of keys costs).
    commits: std::cell::Cell<u64>,
}

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库文件 {0} 不存在（先运行 shuangsuiji init --demo 或 init --empty）")]
    Missing(PathBuf),
    #[error(
        "没有权限访问数据库文件 {0}（当前账户无法进入其所在目录或读取该文件；请管理员检查目录和文件的权限与用户组）"
    )]
    NoPermission(PathBuf),
    #[error(
        "数据库文件 {0} 是空文件（0 字节），还不是 shuangsuiji 数据库；运行 shuangsuiji init --empty（或 init --demo）即在此文件中新建数据库"
    )]
    EmptyFile(PathBuf),
    #[error(
        "文件 {0} 不是 shuangsuiji 数据库（其中没有本程序的数据表），未做任何改动；请检查 --db 参数"
    )]
    NotOurs(PathBuf),
    #[error("文件 {0} 不是数据库文件，或已损坏，未做任何改动；请检查 --db 参数")]
    NotADatabase(PathBuf),
    #[error("文件不是数据库文件，或已损坏")]
    NotADatabaseFile,
    #[error("数据库文件 {0} 已存在")]
    Exists(PathBuf),
    #[error("数据库文件 {0} 已被替换（例如刚从备份恢复），本次未写入任何内容；请退出后重新打开")]
    Replaced(PathBuf),
    #[error("数据库版本 {found} 比本程序支持的 {supported} 更新，请升级 shuangsuiji")]
    TooNew { found: i64, supported: i64 },
    #[error("数据库正忙（其他用户正在写入），请稍后再试")]
    Busy,
    #[error("数据库文件是只读的，无法写入：{0}")]
    ReadOnly(String),
    #[error("磁盘已满，未写入任何内容")]
    DiskFull,
    #[error("无法打开数据库文件（没有读写权限，或目录不存在）：{0}")]
    CantOpen(String),
    #[error("磁盘已满或无法读写，未写入任何内容：{0}")]
    IoFailure(String),
    #[error("数据库错误：{0}")]
    Sql(rusqlite::Error),
    #[error("数据库中的记录无法解析：{0}")]
    Corrupt(String),
    #[error("无法创建数据库文件：{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<rusqlite::Error> for StoreError {
    /// Turns SQLite's conditions a person can act on into plain words; nobody should read
    /// "database is locked".
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(e.to_string()),
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabaseFile,
            Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::CantOpen(e.to_string())
            }
            // A disk with no room left cannot even grow the WAL index (SQLITE_IOERR_SHMSIZE).
            Some(ErrorCode::SystemIoFailure) => StoreError::IoFailure(e.to_string()),
            _ => StoreError::Sql(e),
        }
    }
}

impl Store {
    /// Opens an existing database and brings its schema up to date. A file that is not
    /// already a shuangsuiji database (empty, another program's SQLite file, not SQLite at
    /// all) is refused and left exactly as it was.
    pub fn open(path: &Path) -> Result<Store> {
        if existing(path)?.len() == 0 {
            return Err(StoreError::EmptyFile(path.to_path_buf()));
        }
        // A restore renames its file into place while it holds the old file's lock, so the
        // first read of a process that opened the old file just then waits, and afterwards
        // reads the file kept aside: such a connection is dropped and the path opened again.
        for _ in 0..3 {
            // The same file at the path before and after the open is the file opened.
            let before = file_id(path);
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            let file = file_id(path);
            if file != before {
                continue;
            }
            conn.busy_timeout(BUSY_TIMEOUT)?;
            ensure_ours(&conn, path)?;
            if file.is_some() && !replaced(path, file) {
                return Self::prepare(conn, path, file);
            }
        }
        Err(StoreError::Replaced(path.to_path_buf()))
    }

    /// Creates a new database file (refusing to overwrite one), readable and writable by its
    /// owner and group only.
    pub fn create(path: &Path) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o660)
                .open(path)?;
            // The umask (022 on most systems) strips the group's write bit from the mode
            // above; the group of inspectors must write, so the mode is set outright.
            // SQLite creates -wal and -shm with the database file's mode.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::prepare(conn, path, file_id(path))
    }

    /// Creates a database in an existing 0-byte file, one an administrator prepared with the
    /// owner, group and mode the deployment needs (`install -m 660 -g GROUP /dev/null FILE`);
    /// those are kept. Any other existing file is refused.
    pub fn create_in_empty(path: &Path) -> Result<Store> {
        if existing(path)?.len() != 0 || side_file(path, "-wal").exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::prepare(conn, path, file_id(path))
    }

    /// Opens a database file read-only, without migrating it (to check a backup).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        existing(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            file: file_id(path),
            commits: std::cell::Cell::new(0),
        })
    }

    /// An in-memory database, for tests.
    pub fn in_memory() -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?, Path::new(":memory:"), None)
    }

    fn prepare(conn: Connection, path: &Path, file: Option<(u64, u64)>) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Statement journals (every insert into a table whose triggers may abort keeps one)
        // in memory rather than in temporary files.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            file,
            commits: std::cell::Cell::new(0),
        };
        migrations::migrate(&mut store.conn)?;
        binding::install(&store.conn)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file at the path is no longer the one this store opened (another has been
    /// put in its place, or it is gone). Writes are then refused with [`StoreError::Replaced`].
    pub fn replaced(&self) -> bool {
        replaced(&self.path, self.file)
    }

    /// Read access.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction; commits if it returns `Ok`.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        // Checked once the write lock is held: a restore puts its file in place under the
        // old file's lock, so nobody can slip in between.
        if replaced(&self.path, self.file) {
            return Err(StoreError::Replaced(self.path.clone()).into());
        }
        // Rows name the event that wrote them, which is written at the end (see
        // `audit::append`): foreign keys are checked at commit.
        tx.pragma_update(None, "defer_foreign_keys", true)
            .map_err(StoreError::from)?;
        let out = f(&tx)?;
        // Every row written must belong to an event of the log.
        audit::seal(&tx)?;
        let unlogged = binding::unlogged(&tx)?;
        if !unlogged.is_empty() {
            return Err(binding::unlogged_error(&unlogged).into());
        }
        tx.commit().map_err(StoreError::from)?;
        self.commits.set(self.commits.get() + 1);
        Ok(out)
    }

    /// As [`Store::write`], for a use case that otherwise only reads and logs that it did (an
    /// export, a backup), so that it needs no exclusive borrow of the store.
    pub fn write_shared<T, E>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        if replaced(&self.path, self.file) {
            return Err(StoreError::Replaced(self.path.clone()).into());
        }
        // Rows name the event that wrote them, which is written at the end (see
        // `audit::append`): foreign keys are checked at commit.
        tx.pragma_update(None, "defer_foreign_keys", true)
            .map_err(StoreError::from)?;
        let out = f(&tx)?;
        // Every row written must belong to an event of the log.
        audit::seal(&tx)?;
        let unlogged = binding::unlogged(&tx)?;
        if !unlogged.is_empty() {
            return Err(binding::unlogged_error(&unlogged).into());
        }
        tx.commit().map_err(StoreError::from)?;
        self.commits.set(self.commits.get() + 1);
        Ok(out)
    }

    /// How many write transactions this connection has committed since it was opened.
    pub fn commits(&self) -> u64 {
        self.commits.get()
    }

    /// SQLite's `PRAGMA data_version`: changes when another connection commits.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems found.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// The id range `BETWEEN ?a AND ?b` selects: just `only`, or every id. (A range rather than
/// `?a IS NULL OR id = ?a`, which SQLite can only answer by scanning the table.)
pub(crate) fn id_range(only: Option<i64>) -> [i64; 2] {
    only.map_or([i64::MIN, i64::MAX], |id| [id, id])
}

/// A map keyed by visit id, hashed by foldhash: the reads of every visit fill one entry a
/// visit (or an event), where std's SipHash cost a quarter of the overview at the year's end.
pub type ById<V> = std::collections::HashMap<i64, V, foldhash::fast::RandomState>;

/// Which visits a read of the visit tables covers: every one, one, or those of the given
/// ids (in any order). Each is read as runs of ids, one `BETWEEN ?a AND ?b` a run, so a
/// screen that lists a few hundred visits of 32,000 reads only theirs. Ids less than
/// [`RUN_GAP`] apart share a run, and more than [`MAX_RUNS`] runs are read as one: a read
/// of `These` may bring visits beside those asked for, which the readers leave out
/// ([`Visits::asked`]).
#[derive(Debug, Clone, Copy)]
pub enum Visits<'a> {
    All,
    One(i64),
    These(&'a [i64]),
}

/// Ids closer than this are read in one run (the rows between read and left): cheaper than a
/// statement more.
pub const RUN_GAP: i64 = 32;
/// More runs than this are read as one, from the first id to the last. A run costs a
/// statement for each table read (8 for a list of visits); a pass over every visit's rows
/// is what the overview's reference does, 0.23–0.33 s at 100,000 entities and 2.1–3.4 s at
/// a million (`benches/draw_scale.rs`). At the year's end of the million 5,349 visits wait
/// for their result: read as one span (past 2,048 runs) the first screen took 8.06 s, as
/// runs 1.81 s.
pub const MAX_RUNS: usize = 8192;

/// A set of visit ids, hashed as [`ById`].
pub type IdSet = std::collections::HashSet<i64, foldhash::fast::RandomState>;

impl Visits<'_> {
    /// The ids asked for when a run may bring others ([`Visits::These`]): the readers leave
    /// the others out as they read, before building anything of them.
    pub(crate) fn asked(self) -> Option<IdSet> {
        match self {
            Visits::These(ids) => Some(ids.iter().copied().collect()),
            Visits::All | Visits::One(_) => None,
        }
    }

    /// The id ranges to read, each `[low, high]` for `BETWEEN ?1 AND ?2`.
    pub(crate) fn ranges(self) -> Vec<[i64; 2]> {
        match self {
            Visits::All => vec![id_range(None)],
            Visits::One(id) => vec![id_range(Some(id))],
            Visits::These(ids) => {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                let mut out: Vec<[i64; 2]> = Vec::new();
                for id in ids {
                    match out.last_mut() {
                        Some(run) if id.saturating_sub(run[1]) <= RUN_GAP => run[1] = id,
                        _ => out.push([id, id]),
                    }
                }
                if out.len() > MAX_RUNS {
                    out = vec![[out[0][0], out[out.len() - 1][1]]];
                }
                out
            }
        }
    }
}

/// Runs `stmt` (`… WHERE visit_id BETWEEN ?1 AND ?2`, the visit id its first column) over
/// each range of `which`, and calls `each` with every row of a visit asked for
/// ([`Visits::asked`]): the others of a run are left before anything is built of them.
pub(crate) fn each_visit_row(
    stmt: &mut rusqlite::Statement<'_>,
    which: Visits<'_>,
    mut each: impl FnMut(i64, &rusqlite::Row<'_>) -> Result<()>,
) -> Result<()> {
    let asked = which.asked();
    for range in which.ranges() {
        let mut rows = stmt.query(range)?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if asked.as_ref().is_none_or(|asked| asked.contains(&id)) {
                each(id, r)?;
            }
        }
    }
    Ok(())
}

/// The device and inode of the file at `path`, if there is one.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether the file at `path` is no longer `opened` (another is in its place, or none).
fn replaced(path: &Path, opened: Option<(u64, u64)>) -> bool {
    opened.is_some() && file_id(path) != opened
}

/// `path` with `suffix` appended (`-wal`, `-shm`).
pub fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The metadata of a file that must exist: a missing file and one the account may not reach
/// (a directory it cannot enter makes `exists()` false too) are told apart.
fn existing(path: &Path) -> Result<std::fs::Metadata> {
    use std::io::ErrorKind;
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(StoreError::NotADatabase(path.to_path_buf())),
        Ok(m) => Ok(m),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(StoreError::Missing(path.to_path_buf())),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            Err(StoreError::NoPermission(path.to_path_buf()))
        }
        Err(e) => Err(StoreError::Io(e)),
    }
}

/// How many of the tables every shuangsuiji database has had since the first schema exist.
const COUNT_OUR_TABLES: &str = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN \
    ('settings', 'audit_log', 'check_items', 'departments', 'entities', 'inspectors', 'users', \
    'plans', 'tasks', 'plan_changes')";

/// Refuses, before anything is written, a file that is not a shuangsuiji database: one with
/// no schema version and none of our tables (migrating it would write our tables into
/// another program's file), or one that is not SQLite at all.
fn ensure_ours(conn: &Connection, path: &Path) -> Result<()> {
    let not_db = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase(path.to_path_buf()),
        _ => StoreError::from(e),
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(not_db)?;
    if version != 0 {
        return Ok(());
    }
    let ours: i64 = conn
        .query_row(COUNT_OUR_TABLES, [], |r| r.get(0))
        .map_err(not_db)?;
    if ours == 0 {
        return Err(StoreError::NotOurs(path.to_path_buf()));
    }
    Ok(())
}

/// Tables that keep each record as JSON in `data` beside its `code`. The SQL comes from the
/// callers as literals (never assembled from strings).
pub(crate) mod records {
    use std::collections::HashMap;

    use rusqlite::{Connection, OptionalExtension};

    use super::{Result, from_json};

    /// `code → data` of every row (to compare an import against what is stored).
    pub fn json_by_code(conn: &Connection, sql: &'static str) -> Result<HashMap<String, String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One record by code.
    pub fn one<T: serde::de::DeserializeOwned>(
        conn: &Connection,
        sql: &'static str,
        code: &str,
    ) -> Result<Option<T>> {
        let data: Option<String> = conn.query_row(sql, [code], |r| r.get(0)).optional()?;
        data.map(|d| from_json(code, &d)).transpose()
    }

    /// Every record, in the given order.
    pub fn all<T: serde::de::DeserializeOwned>(
        conn: &Connection,
        sql: &'static str,
    ) -> Result<Vec<T>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, data) = row?;
            out.push(from_json(&code, &data)?);
        }
        Ok(out)
    }
}

/// Decodes a JSON column, mapping errors to [`StoreError::Corrupt`].
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Encodes a value as canonical JSON (sorted keys, compact, UTF-8 unescaped).
/// Written straight from the value, without a `serde_json::Value` tree (same bytes).
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    crate::domain::canonical::to_string(value)
}

/// [`to_json`] of a JSON value, without first copying its tree (a value's objects keep their
/// keys sorted already): the same bytes, for an audit detail listing 100,000 ids.
pub fn value_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value).expect("a JSON value always serialises")
}

/// SQLite's query plan for `sql` with `args` (as many as it takes), one step a line: what the
/// store's tests check their queries' use of indexes against.
#[cfg(test)]
pub(crate) fn query_plan(conn: &Connection, sql: &str, args: &[rusqlite::types::Value]) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let args = &args[..stmt.parameter_count()];
    let plan: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    plan.join("\n")
}

#[cfg(test)]
mod tests {
    use super::{MAX_RUNS, RUN_GAP, Visits};

    #[test]
    fn visits_are_read_as_runs_of_ids() {
        assert_eq!(Visits::All.ranges(), [[i64::MIN, i64::MAX]]);
        assert_eq!(Visits::One(7).ranges(), [[7, 7]]);
        let far = RUN_GAP + 1;
        assert_eq!(
            Visits::These(&[9, 3, 4, 5, 9, 9 + far, 9 + far + 1]).ranges(),
            [[3, 9], [9 + far, 9 + far + 1]],
            "ids less than RUN_GAP apart share a run"
        );
        assert!(Visits::These(&[]).ranges().is_empty());
        let n = MAX_RUNS as i64;
        let scattered: Vec<i64> = (0..=n).map(|i| 10_000 - i * far).collect();
        assert_eq!(
            Visits::These(&scattered).ranges(),
            [[10_000 - n * far, 10_000]],
            "past MAX_RUNS runs, one span"
        );
        let just: Vec<i64> = (0..n).map(|i| i * far).collect();
        assert_eq!(Visits::These(&just).ranges().len(), MAX_RUNS);
    }
}
