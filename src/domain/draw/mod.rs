//! 抽取 (the draw): tickets, quotas, selection, teams and the verifiable record.
//! The procedure is documented step by step in `docs/draw.md`.

pub mod commit;
pub mod period;
pub mod printable;
pub mod quota;
pub mod record;
pub mod select;
pub mod status;
pub mod team;
pub mod ticket;
pub mod verify;

pub use status::{Draw, DrawStatus, RunInfo, VoidInfo};
