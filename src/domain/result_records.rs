//! 结果记录 (the records of a visit's result): the draft being typed, the submitted result,
//! corrections with their decisions, and follow-ups. Rows of the store become these at its
//! edge; services and front ends read only these.

use super::result::InspectionResult;

/// A saved draft.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Draft {
    pub author: String,
    pub result: InspectionResult,
    pub updated_at: String,
}

/// A submitted result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Submitted {
    pub visit_id: i64,
    pub result: InspectionResult,
    pub submitted_by: String,
    pub submitted_on: String,
    pub due: String,
    pub late: bool,
    pub seq: u64,
}

/// A correction with its decision, if decided.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Correction {
    pub id: i64,
    pub visit_id: i64,
    pub result: InspectionResult,
    pub reason: String,
    pub filed_by: String,
    pub filed_at: String,
    pub seq: u64,
    pub decision: Option<Decision>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Decision {
    pub approved: bool,
    pub by: String,
    pub at: String,
    pub note: String,
    pub seq: u64,
}

/// A follow-up with its latest status.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub visit_id: i64,
    pub kind: String,
    pub case_no: String,
    pub note: String,
    pub opened_by: String,
    pub opened_at: String,
    pub status: String,
    pub closed_on: Option<String>,
}
