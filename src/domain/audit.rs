//! 审计日志 (audit log): a hash chain over every change of state.
//!
//! `hash_n = SHA-256("ssj-audit-v1" ‖ n ‖ hash_{n-1} ‖ field_1 ‖ … ‖ field_5)` where `n` is the
//! 1-based sequence number as 8 bytes big-endian, `hash_0` is 32 zero bytes, and each field
//! (at, actor, action, subject, detail) is its UTF-8 length as 4 bytes big-endian followed by
//! its bytes. The head `(size, hash)` is a [`Checkpoint`]; a log *extends* a checkpoint when
//! its row `size` carries that hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const LABEL: &[u8] = b"ssj-audit-v1";

/// One event of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: u64,
    /// RFC 3339 timestamp with offset.
    pub at: String,
    /// The login that acted.
    pub actor: String,
    /// What happened, e.g. `entities.import`.
    pub action: String,
    /// What it happened to (an id, a file name).
    pub subject: String,
    /// Canonical JSON with the particulars.
    pub detail: String,
    /// Lower-case hex of `hash_seq`.
    pub hash: String,
}

/// The head of a log: its size and last hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub size: u64,
    pub head: String,
}

impl std::fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.size, self.head)
    }
}

impl std::str::FromStr for Checkpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (size, head) = s.trim().split_once(':').ok_or("检查点应写作 SIZE:HASH")?;
        let size = size.parse().map_err(|_| "检查点的 SIZE 应为整数")?;
        let head = head.to_ascii_lowercase();
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("检查点的 HASH 应为64位十六进制".to_string());
        }
        // Before the first event the head is the genesis hash, and nothing else.
        if size == 0 && head != hex::encode(GENESIS) {
            return Err(format!(
                "条数为0的检查点（空日志）的 HASH 只能是起始值 {}",
                hex::encode(GENESIS)
            ));
        }
        Ok(Checkpoint { size, head })
    }
}

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// Computes `hash_n` from the previous hash and the event's fields.
pub fn chain_hash(seq: u64, prev: &[u8; 32], fields: [&str; 5]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LABEL);
    h.update(seq.to_be_bytes());
    h.update(prev);
    for f in fields {
        h.update((f.len() as u32).to_be_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().into()
}

impl AuditEvent {
    /// Recomputes this event's hash on top of `prev`.
    pub fn compute_hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        chain_hash(
            self.seq,
            prev,
            [
                &self.at,
                &self.actor,
                &self.action,
                &self.subject,
                &self.detail,
            ],
        )
    }
}

/// What is wrong with a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// Row numbers are not 1, 2, 3 …: a row was deleted (or inserted) here.
    Gap { expected: u64, found: u64 },
    /// The stored hash does not match the recomputed one: the row was changed.
    HashMismatch { seq: u64 },
    /// The log is shorter than the checkpoint: rows at the end were deleted.
    Truncated { size: u64, checkpoint: u64 },
    /// The log's row at the checkpoint carries another hash: history was rewritten.
    Diverged { seq: u64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Gap { expected, found } => write!(
                f,
                "审计日志不连续：应为第{expected}条，实为第{found}条（有记录被删除或插入）"
            ),
            ChainBreak::HashMismatch { seq } => {
                write!(f, "审计日志第{seq}条的哈希不符（该记录或其前的记录被修改）")
            }
            ChainBreak::Truncated { size, checkpoint } => write!(
                f,
                "审计日志只有{size}条，少于检查点的{checkpoint}条（末尾记录被删除）"
            ),
            ChainBreak::Diverged { seq } => write!(
                f,
                "审计日志第{seq}条与检查点不一致（日志被改写后重新计算了哈希）"
            ),
        }
    }
}

/// Walks a log in order, checking every link, and optionally that it extends a checkpoint.
/// Returns the head on success.
pub struct ChainVerifier<'a> {
    prev: [u8; 32],
    size: u64,
    checkpoint: Option<&'a Checkpoint>,
    seen_checkpoint: bool,
}

impl<'a> ChainVerifier<'a> {
    pub fn new(checkpoint: Option<&'a Checkpoint>) -> Self {
        ChainVerifier {
            prev: GENESIS,
            size: 0,
            checkpoint,
            seen_checkpoint: checkpoint.is_none_or(|c| c.size == 0),
        }
    }

    /// Checks the next event.
    pub fn push(&mut self, e: &AuditEvent) -> Result<(), ChainBreak> {
        let expected = self.size + 1;
        if e.seq != expected {
            return Err(ChainBreak::Gap {
                expected,
                found: e.seq,
            });
        }
        let h = e.compute_hash(&self.prev);
        if hex::encode(h) != e.hash {
            return Err(ChainBreak::HashMismatch { seq: e.seq });
        }
        if let Some(cp) = self.checkpoint
            && cp.size == e.seq
        {
            if cp.head != e.hash {
                return Err(ChainBreak::Diverged { seq: e.seq });
            }
            self.seen_checkpoint = true;
        }
        self.prev = h;
        self.size = e.seq;
        Ok(())
    }

    /// Finishes the walk.
    pub fn finish(self) -> Result<Checkpoint, ChainBreak> {
        if !self.seen_checkpoint {
            let cp = self.checkpoint.expect("unseen only with a checkpoint");
            return Err(ChainBreak::Truncated {
                size: self.size,
                checkpoint: cp.size,
            });
        }
        Ok(Checkpoint {
            size: self.size,
            head: if self.size == 0 {
                hex::encode(GENESIS)
            } else {
                hex::encode(self.prev)
            },
        })
    }
}

/// Verifies a whole log held in memory.
pub fn verify(
    events: &[AuditEvent],
    checkpoint: Option<&Checkpoint>,
) -> Result<Checkpoint, ChainBreak> {
    let mut v = ChainVerifier::new(checkpoint);
    for e in events {
        v.push(e)?;
    }
    v.finish()
}

/// One line of a witness file (`audit checkpoint --append`): the checkpoint, then the time it
/// was taken. Plain text, so it can be printed, signed and typed back in.
pub fn witness_line(checkpoint: &Checkpoint, at: &str) -> String {
    format!("{checkpoint} {at}\n")
}

/// The checkpoints of a witness file with their line numbers (1-based); at least one.
pub fn parse_witness(text: &str) -> Result<Vec<(usize, Checkpoint)>, String> {
    let out = witness_checkpoints(text)?;
    if out.is_empty() {
        return Err("见证文件中没有检查点（用 audit checkpoint --append 文件 追加）".to_string());
    }
    Ok(out)
}

/// The checkpoints of a witness file with their line numbers (1-based), perhaps none. Blank
/// lines and lines starting with `#` are skipped; every other line starts with `SIZE:HASH`
/// (anything after it is a remark: the time, a signature). A line that does not is refused,
/// naming it.
pub fn witness_checkpoints(text: &str) -> Result<Vec<(usize, Checkpoint)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or_default();
        let cp: Checkpoint = first.parse().map_err(|why| {
            format!(
                "见证文件第{}行不是检查点（应为“条数:哈希 时间”）：{why}",
                i + 1
            )
        })?;
        out.push((i + 1, cp));
    }
    Ok(out)
}

/// Filter for listing events.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub action_prefix: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// Newest first, at most this many.
    pub limit: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: u64) -> Vec<AuditEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    seq,
                    at: format!("2026-03-0{}T09:00:00+08:00", seq % 9 + 1),
                    actor: "zhangsan".into(),
                    action: "entities.import".into(),
                    subject: format!("file-{seq}.xlsx"),
                    detail: format!("{{\"added\":{seq}}}"),
                    hash: String::new(),
                };
                prev = e.compute_hash(&prev);
                e.hash = hex::encode(prev);
                e
            })
            .collect()
    }

    #[test]
    fn a_clean_log_verifies_and_reports_its_head() {
        let l = log(5);
        let head = verify(&l, None).unwrap();
        assert_eq!(head.size, 5);
        assert_eq!(head.head, l[4].hash);
        let cp: Checkpoint = head.to_string().parse().unwrap();
        assert_eq!(verify(&l, Some(&cp)), Ok(cp.clone()));
    }

    #[test]
    fn field_boundaries_matter() {
        // Moving a byte from one field to the next must change the hash.
        let a = chain_hash(1, &GENESIS, ["ab", "c", "", "", ""]);
        let b = chain_hash(1, &GENESIS, ["a", "bc", "", "", ""]);
        assert_ne!(a, b);
    }

    #[test]
    fn an_edited_row_is_found() {
        let mut l = log(5);
        l[2].detail = "{\"added\":999}".into();
        assert_eq!(verify(&l, None), Err(ChainBreak::HashMismatch { seq: 3 }));
    }

    #[test]
    fn a_deleted_middle_row_is_found() {
        let mut l = log(5);
        l.remove(2);
        assert_eq!(
            verify(&l, None),
            Err(ChainBreak::Gap {
                expected: 3,
                found: 4
            })
        );
    }

    #[test]
    fn deleted_last_rows_are_found_with_a_checkpoint() {
        let l = log(5);
        let cp = verify(&l, None).unwrap();
        assert!(
            verify(&l[..3], None).is_ok(),
            "without a checkpoint a chain cannot tell"
        );
        assert_eq!(
            verify(&l[..3], Some(&cp)),
            Err(ChainBreak::Truncated {
                size: 3,
                checkpoint: 5
            })
        );
    }

    #[test]
    fn a_rewritten_tail_is_found_with_a_checkpoint() {
        let l = log(5);
        let cp = verify(&l, None).unwrap();
        let mut forged = l[..3].to_vec();
        let mut prev: [u8; 32] = hex::decode(&forged[2].hash).unwrap().try_into().unwrap();
        for seq in 4..=6 {
            let mut e = l[0].clone();
            e.seq = seq;
            e.subject = "forged".into();
            prev = e.compute_hash(&prev);
            e.hash = hex::encode(prev);
            forged.push(e);
        }
        assert!(
            verify(&forged, None).is_ok(),
            "a recomputed chain is self-consistent"
        );
        assert_eq!(
            verify(&forged, Some(&cp)),
            Err(ChainBreak::Diverged { seq: 5 })
        );
    }

    #[test]
    fn witness_files_are_lines_of_checkpoints() {
        let l = log(3);
        let a = verify(&l[..1], None).unwrap();
        let b = verify(&l, None).unwrap();
        let text = format!(
            "# 见证：张三\n{}\n{}",
            witness_line(&a, "2026-05-20T09:00:00+08:00"),
            witness_line(&b, "2026-05-21T09:00:00+08:00").trim_end()
        );
        assert_eq!(parse_witness(&text).unwrap(), vec![(2, a), (4, b)]);
        let err = parse_witness("# 只有注释\n\n").unwrap_err();
        assert!(err.contains("没有检查点"), "{err}");
        let err =
            parse_witness(&format!("{}12:abc 昨天\n", witness_line(&l_head(&l), "t"))).unwrap_err();
        assert!(err.contains("第2行"), "{err}");
    }

    fn l_head(l: &[AuditEvent]) -> Checkpoint {
        verify(l, None).unwrap()
    }

    #[test]
    fn checkpoints_parse_strictly() {
        assert!("12:abc".parse::<Checkpoint>().is_err());
        assert!("x:".parse::<Checkpoint>().is_err());
        let ok = format!("3:{}", "A".repeat(64))
            .parse::<Checkpoint>()
            .unwrap();
        assert_eq!(ok.head, "a".repeat(64));
    }

    #[test]
    fn an_empty_checkpoint_is_only_the_genesis_hash() {
        let err = format!("0:{}", "f".repeat(64))
            .parse::<Checkpoint>()
            .unwrap_err();
        assert!(
            err.contains("起始值") && err.contains(&"0".repeat(64)),
            "{err}"
        );
        let genesis: Checkpoint = format!("0:{}", "0".repeat(64)).parse().unwrap();
        assert_eq!(verify(&[], Some(&genesis)).unwrap(), genesis);
    }
}
