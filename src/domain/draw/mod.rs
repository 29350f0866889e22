//! 抽取 (the draw): tickets, quotas, selection, teams and the verifiable record.

pub mod ticket;
