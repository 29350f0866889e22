//! A draw's life: prepared (待运行), run (已运行), a void asked for (作废待批), voided
//! (已作废). The state is derived here, from the stamps a draw carries, and nowhere else.

use serde::Serialize;

/// Who did a step of a draw, and when (the audit event's sequence number binds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunInfo {
    pub seq: u64,
    pub by: String,
    pub at: String,
}

/// A void request or its approval, with the reason given in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoidInfo {
    pub seq: u64,
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// A draw as the database holds it, without its frozen population: what lists show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draw {
    pub id: String,
    pub period: String,
    pub tasks: Vec<String>,
    pub commitment: String,
    pub prepared_seq: u64,
    pub prepared_by: String,
    pub prepared_at: String,
    pub run: Option<RunInfo>,
    pub void_request: Option<VoidInfo>,
    pub void_approved: Option<VoidInfo>,
}

/// 抽取状态: where a draw stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawStatus {
    /// 待运行: prepared and committed, waiting for the seed.
    Prepared,
    /// 已运行: the list and the teams exist.
    Run,
    /// 作废待批: a lead asked for a void; the principal has not approved it yet.
    VoidRequested,
    /// 已作废: voided with the principal's approval; kept for the record.
    Void,
}

impl DrawStatus {
    /// The state of a draw with these stamps. An approved void wins over everything; a void
    /// request over the run.
    pub fn of(run: bool, void_requested: bool, void_approved: bool) -> DrawStatus {
        if void_approved {
            DrawStatus::Void
        } else if void_requested {
            DrawStatus::VoidRequested
        } else if run {
            DrawStatus::Run
        } else {
            DrawStatus::Prepared
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DrawStatus::Prepared => "待运行",
            DrawStatus::Run => "已运行",
            DrawStatus::VoidRequested => "作废待批",
            DrawStatus::Void => "已作废",
        }
    }
}

impl Draw {
    pub fn status(&self) -> DrawStatus {
        DrawStatus::of(
            self.run.is_some(),
            self.void_request.is_some(),
            self.void_approved.is_some(),
        )
    }

    /// Voided with the principal's approval.
    pub fn is_void(&self) -> bool {
        self.status() == DrawStatus::Void
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_follows_the_stamps_in_order_of_weight() {
        let table = [
            ((false, false, false), DrawStatus::Prepared),
            ((true, false, false), DrawStatus::Run),
            ((false, true, false), DrawStatus::VoidRequested),
            ((true, true, false), DrawStatus::VoidRequested),
            ((true, true, true), DrawStatus::Void),
            ((false, true, true), DrawStatus::Void),
        ];
        for ((run, asked, approved), want) in table {
            assert_eq!(
                DrawStatus::of(run, asked, approved),
                want,
                "{run} {asked} {approved}"
            );
        }
    }
}
