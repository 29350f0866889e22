//! 示例数据: the synthetic demo county.
//!
//! A realistic but invented 阳城县: about 600 regulated units of every target type, 30
//! inspectors of the bureau and its two partner departments, and demo logins for every role.
//! The townships are the county's real ones; every unit, name, code, address and phone number
//! is made up, and every entity carries [`DEMO_LABEL`] in its note.
//!
//! The county is a pure function of the date: the same date always gives the same county
//! (with this build's random-number generator), so a demo can be reproduced, and dates such as
//! certificate expiries, leave periods and penalty dates fall around that day.

mod codes;
mod ctx;
mod entities;
mod industry;
mod kinds;
mod people;
mod summary;
mod trades;
mod variety;
mod words;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::entity::Entity;
use crate::domain::inspector::Inspector;
use crate::domain::user::User;

pub use codes::{COUNTY_CODE, org_check};
pub use people::{HOUSING_BUREAU, WATER_BUREAU};
pub use summary::{DemoSummary, summary};
pub use words::TOWNS;

/// The label on every demo record.
pub const DEMO_LABEL: &str = "示例数据";

/// The demo county's libraries and users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoCounty {
    pub entities: Vec<Entity>,
    pub inspectors: Vec<Inspector>,
    /// The bureau ([`crate::domain::inspector::BUREAU`]), 水利局 and 住建局, spelled as the
    /// plans' cooperating departments are.
    pub departments: Vec<String>,
    /// Demo logins: at least one per role; inspector logins link to their records.
    pub users: Vec<User>,
}

/// Builds the demo county as of a date. Deterministic: the same date gives the same county.
pub fn demo_county(today: NaiveDate) -> DemoCounty {
    let mut ctx = ctx::Ctx::new(today);
    let mut generated = entities::generate(&mut ctx);
    variety::ensure_variety(&mut ctx, &mut generated);
    let entities = generated.entities;
    let (inspectors, people) = people::inspectors(&mut ctx, &entities);
    let users = people::users(&mut ctx, &inspectors, &people);
    DemoCounty {
        entities,
        inspectors,
        departments: people::departments(),
        users,
    }
}

#[cfg(test)]
mod tests;
