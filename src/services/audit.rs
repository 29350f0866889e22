//! Reading and verifying the audit chain.

use super::{Result, Session};
use crate::domain::audit::{AuditEvent, ChainBreak, Checkpoint};
use crate::domain::role::Action;
use crate::store::{self, audit::EventFilter};

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

    /// `audit log`: events, newest first.
    pub fn audit_events(&self, filter: &EventFilter) -> Result<Vec<AuditEvent>> {
        self.require(Action::ViewAudit)?;
        Ok(store::audit::list(self.store().conn(), filter)?)
    }
}
