//! Reading and verifying the audit chain.

use super::{Result, Session};
use crate::domain::audit::EventFilter;
use crate::domain::audit::{AuditEvent, ChainBreak, Checkpoint};
use crate::domain::role::Action;
use crate::store;

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

    /// `audit checkpoint`: the current head.
    pub fn audit_checkpoint(&self) -> Result<Checkpoint> {
        self.require(Action::ViewAudit)?;
        Ok(store::audit::head(self.store().conn())?)
    }

    /// `audit log`: events, newest first. For those who may not see drawn lists before the
    /// visits start, the particulars of draw runs and substitutions (the drawn entities, the
    /// seed that would let one recompute them) are held back; the chain itself is verified on
    /// the full events.
    pub fn audit_events(&self, filter: &EventFilter) -> Result<Vec<AuditEvent>> {
        self.require(Action::ViewAudit)?;
        let mut events = store::audit::list(self.store().conn(), filter)?;
        if self.require(Action::ViewDrawResults).is_err() {
            for e in &mut events {
                if e.action == "draw.run" || e.action == "draw.substitute" {
                    e.detail = held_back(&e.detail);
                }
            }
        }
        Ok(events)
    }
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
