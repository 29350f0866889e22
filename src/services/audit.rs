//! Reading and verifying the audit chain.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::audit::EventFilter;
use crate::domain::audit::{
    AuditEvent, ChainBreak, Checkpoint, parse_witness, witness_checkpoints, witness_line,
};
use crate::domain::role::Action;
pub use crate::store::binding::{BindingCheck, DETAIL_KEY as BOUND_KEY, RowProblem};
use crate::store::{self, settings};

/// What the held-back particulars of a draw event read as.
pub const CONFIDENTIAL_DETAIL: &str = "{\"保密\":\"抽取名单与种子在检查开始前不公开\"}";

impl Session {
    /// `audit verify [--checkpoint SIZE:HASH]`: `Ok(Ok(head))` when the chain is whole (and
    /// extends the checkpoint), `Ok(Err(break))` naming the first problem.
    pub fn verify_audit(
        &self,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<std::result::Result<Checkpoint, ChainBreak>> {
        self.require(Action::ViewAudit)?;
        Ok(store::audit::verify(self.store().conn(), checkpoint)?)
    }

    /// `audit verify`, second part: every record table against the log (see
    /// `store::binding`). Those who may not see drawn lists before the visits start get the
    /// problems in the teams table without the rows' keys (a deleted row's key names a team
    /// member); every other key is shown, so that whoever repairs it knows which row.
    pub fn verify_rows(&self) -> Result<store::binding::BindingCheck> {
        self.require(Action::ViewAudit)?;
        let mut check = store::binding::check(self.store().conn())?;
        if self.require(Action::ViewDrawResults).is_err() {
            for p in &mut check.problems {
                p.hide_key();
            }
        }
        Ok(check)
    }

    /// `audit checkpoint`: the current head.
    pub fn audit_checkpoint(&self) -> Result<Checkpoint> {
        self.require(Action::ViewAudit)?;
        Ok(store::audit::head(self.store().conn())?)
    }

    /// `audit log`: events, newest first. For those who may not see drawn lists before the
    /// visits start, the particulars of draw runs, substitutions and requests for them (the
    /// drawn entities, the seed that would let one recompute them, why an officer left) are
    /// held back; the chain itself is verified on
    /// the full events.
    pub fn audit_events(&self, filter: &EventFilter) -> Result<Vec<AuditEvent>> {
        self.require(Action::ViewAudit)?;
        let mut events = store::audit::list(self.store().conn(), filter)?;
        if self.require(Action::ViewDrawResults).is_err() {
            for e in &mut events {
                if matches!(
                    e.action.as_str(),
                    "draw.run" | "draw.substitute" | "draw.substitute_request"
                ) {
                    e.detail = held_back(&e.detail);
                }
            }
        }
        Ok(events)
    }
}

/// What checking the log against a witness file found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WitnessCheck {
    /// How many checkpoints the file holds.
    pub checkpoints: usize,
    /// The log's current head.
    pub head: Checkpoint,
    /// Each checkpoint the log is not a continuation of: the line, the checkpoint, and why.
    pub breaks: Vec<WitnessBreak>,
}

/// A checkpoint of a witness file the log does not continue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WitnessBreak {
    pub line: usize,
    pub checkpoint: Checkpoint,
    pub why: String,
}

impl std::fmt::Display for WitnessBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "见证文件第{}行的检查点 {}：{}",
            self.line, self.checkpoint, self.why
        )
    }
}

/// What `audit checkpoint --append` wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WitnessAppended {
    pub checkpoint: Checkpoint,
    pub line: String,
    /// The witness file is in the database's own directory, where whoever can replace the
    /// database can replace it too.
    pub beside_db: bool,
}

/// The most a witness file may hold (a line a day for a century is under 10 MB).
const WITNESS_LIMIT: u64 = 16 * 1024 * 1024;

impl Session {
    /// `audit checkpoint --append FILE`: adds the current checkpoint and the time to a witness
    /// file, one line, opened for appending only (created if missing, 0644). A symbolic link,
    /// the database or one of its side files, and a file that holds anything but checkpoints
    /// are refused. The file is meant to live outside the database's directory (another
    /// machine's share, a USB key) or be printed and signed; nothing ever rewrites it.
    pub fn append_witness(&self, path: &Path) -> Result<WitnessAppended> {
        use std::io::{Read, Write};
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        self.require(Action::ViewAudit)?;
        let checkpoint = store::audit::head(self.store().conn())?;
        let line = witness_line(&checkpoint, &self.now_rfc3339());
        let shown = || format!("无法追加见证文件 {}", path.display());
        let refuse = |why: &str| {
            Err(ServiceError::invalid(
                "witness",
                format!("{} {why}，不能作见证文件", path.display()),
            ))
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o644)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| ServiceError::io(shown(), e))?;
        let meta = file.metadata().map_err(|e| ServiceError::io(shown(), e))?;
        if !meta.is_file() {
            return refuse("不是普通文件");
        }
        let db = self.db_path();
        let ours = ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
            std::fs::metadata(store::side_file(db, suffix))
                .is_ok_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()))
        });
        if ours {
            return refuse("是数据库文件本身");
        }
        let mut before = Vec::new();
        (&mut file)
            .take(WITNESS_LIMIT + 1)
            .read_to_end(&mut before)
            .map_err(|e| ServiceError::io(shown(), e))?;
        let text = String::from_utf8_lossy(&before);
        if before.len() as u64 > WITNESS_LIMIT || witness_checkpoints(&text).is_err() {
            return refuse("已有其他内容（不是每行一个检查点）");
        }
        if !before.is_empty() && !before.ends_with(b"\n") {
            // A line typed in by hand without its end: the new one starts on a line of its own.
            file.write_all(b"\n")
                .map_err(|e| ServiceError::io(shown(), e))?;
        }
        // One write of one short line: with O_APPEND it lands whole at the end.
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| ServiceError::io(shown(), e))?;
        Ok(WitnessAppended {
            checkpoint,
            line: line.trim_end().to_string(),
            beside_db: same_directory(path, self.db_path()),
        })
    }

    /// `audit verify --witness FILE`: whether the log is a continuation of every checkpoint
    /// of a witness file's text. The chain is verified once against the largest checkpoint
    /// (`store::audit::verify`); every other is then its row's hash in that verified chain.
    pub fn check_witness(&self, text: &str) -> Result<WitnessCheck> {
        self.require(Action::ViewAudit)?;
        let checkpoints =
            parse_witness(text).map_err(|why| ServiceError::invalid("witness", why))?;
        let conn = self.store().conn();
        let (last_line, largest) = checkpoints
            .iter()
            .max_by_key(|(line, cp)| (cp.size, *line))
            .cloned()
            .expect("parse_witness returns at least one checkpoint");
        let mut breaks = Vec::new();
        let chain = store::audit::verify(conn, Some(&largest))?;
        if let Err(why) = &chain {
            breaks.push(WitnessBreak {
                line: last_line,
                checkpoint: largest.clone(),
                why: why.to_string(),
            });
        }
        for (line, cp) in &checkpoints {
            if *line == last_line || cp.size == 0 {
                continue;
            }
            let why = match store::audit::hash_at(conn, cp.size)? {
                None => ChainBreak::Truncated {
                    size: store::audit::head(conn)?.size,
                    checkpoint: cp.size,
                },
                Some(h) if h != cp.head => ChainBreak::Diverged { seq: cp.size },
                Some(_) => continue,
            };
            breaks.push(WitnessBreak {
                line: *line,
                checkpoint: cp.clone(),
                why: why.to_string(),
            });
        }
        breaks.sort_by_key(|b| b.line);
        Ok(WitnessCheck {
            checkpoints: checkpoints.len(),
            head: store::audit::head(conn)?,
            breaks,
        })
    }

    /// [`Session::check_witness`] on a file (at most 16 MB).
    pub fn check_witness_file(&self, path: &Path) -> Result<WitnessCheck> {
        use std::io::Read;
        let shown = || format!("无法读取见证文件 {}", path.display());
        let file = std::fs::File::open(path).map_err(|e| ServiceError::io(shown(), e))?;
        let mut bytes = Vec::new();
        file.take(WITNESS_LIMIT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ServiceError::io(shown(), e))?;
        if bytes.len() as u64 > WITNESS_LIMIT {
            return Err(ServiceError::invalid(
                "witness",
                format!(
                    "见证文件 {} 超过 16 MB，不是本程序写的见证文件",
                    path.display()
                ),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            ServiceError::invalid(
                "witness",
                format!("见证文件 {} 不是 UTF-8 文本", path.display()),
            )
        })?;
        self.check_witness(&text)
    }

    /// The witness file `doctor` checks, if one is set.
    pub fn witness_file(&self) -> Result<Option<PathBuf>> {
        self.require(Action::ViewAudit)?;
        Ok(settings::get(self.store().conn(), settings::WITNESS_FILE)?.map(PathBuf::from))
    }

    /// `settings witness-file PATH | --clear` (administrators, audited): the witness file
    /// `doctor` checks the log against. It must exist and hold checkpoints the log continues
    /// (`audit checkpoint --append` makes one); it is kept as an absolute path.
    pub fn set_witness_file(&mut self, path: Option<&Path>) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let path = match path {
            None => None,
            Some(p) => {
                let abs = std::path::absolute(p)
                    .map_err(|e| ServiceError::io(format!("无法确定 {} 的位置", p.display()), e))?;
                let check = self.check_witness_file(&abs)?;
                if let Some(b) = check.breaks.first() {
                    return Err(ServiceError::invalid(
                        "witness",
                        format!("审计日志不是见证文件中检查点的延续，未设置：{b}"),
                    ));
                }
                Some(abs.display().to_string())
            }
        };
        self.write(|tx, actor| {
            let before = settings::get(tx, settings::WITNESS_FILE)?;
            actor.log(
                tx,
                "settings.witness_file",
                path.as_deref().unwrap_or(""),
                &json!({ "before": before, "after": path }),
            )?;
            match &path {
                Some(p) => settings::set(tx, settings::WITNESS_FILE, p)?,
                None => settings::unset(tx, settings::WITNESS_FILE)?,
            }
            Ok(())
        })
    }
}

/// Whether two files are in the same directory (by the directories' real paths).
pub(crate) fn same_directory(a: &Path, b: &Path) -> bool {
    let dir = |p: &Path| {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::canonicalize(parent).ok()
    };
    matches!((dir(a), dir(b)), (Some(x), Some(y)) if x == y)
}

/// The held-back particulars of an event: [`CONFIDENTIAL_DETAIL`], keeping only how the
/// actor was established (`"via"`), which is not secret.
fn held_back(detail: &str) -> String {
    let via = serde_json::from_str::<serde_json::Value>(detail)
        .ok()
        .and_then(|d| d.get("via").cloned());
    match via {
        None => CONFIDENTIAL_DETAIL.to_string(),
        Some(via) => {
            let mut shown: serde_json::Value =
                serde_json::from_str(CONFIDENTIAL_DETAIL).unwrap_or_default();
            shown["via"] = via;
            store::to_json(&shown)
        }
    }
}
