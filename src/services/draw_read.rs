//! The draw's slim read of the entity library (issue 12): each record's JSON is read straight
//! from SQLite's row (not copied), decoded into only the fields the preparation reads, and
//! kept as a [`Unit`]. Addresses, contacts, notes and the class's reasons are never built:
//! holding every whole record was most of the preparation's peak memory.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Deserialize;

use crate::domain::draw::quota::Unit;
use crate::domain::entity::Entity;
use crate::domain::vocab::{
    CreditTier, EiaClass, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};
use crate::store::{self, StoreError};

/// The fields of an [`Entity`]'s stored JSON that a [`Unit`] is made of, under the same names
/// and defaults; the other fields are skipped without being decoded into values.
#[derive(Deserialize)]
struct Slim {
    #[serde(default)]
    uscc: Option<String>,
    #[serde(default)]
    registry_code: Option<String>,
    name: String,
    town: String,
    target_types: BTreeSet<TargetType>,
    #[serde(default)]
    permit_class: Option<PermitClass>,
    #[serde(default)]
    key_polluter_list: bool,
    #[serde(default = "ungraded")]
    perf_grade: PerfGrade,
    #[serde(default)]
    supervised_listing: Option<Level>,
    #[serde(default)]
    exceedance_notice: Option<Level>,
    #[serde(default)]
    violation_date: Option<NaiveDate>,
    #[serde(default)]
    eia_classes: BTreeSet<EiaClass>,
    #[serde(default)]
    credit_tier: Option<CreditTier>,
    #[serde(default = "producing")]
    production: ProductionStatus,
    #[serde(default)]
    production_months: BTreeSet<u8>,
    #[serde(default)]
    outfall_rivers: BTreeSet<String>,
    #[serde(default)]
    exclusion: Option<String>,
}

fn ungraded() -> PerfGrade {
    PerfGrade::Ungraded
}

fn producing() -> ProductionStatus {
    ProductionStatus::Normal
}

impl Slim {
    /// The entity with what a unit reads of it and nothing else (no text is copied).
    fn entity(self) -> Entity {
        Entity {
            uscc: self.uscc,
            registry_code: self.registry_code,
            name: self.name,
            town: self.town,
            address: String::new(),
            industry: String::new(),
            contact: String::new(),
            phone: String::new(),
            target_types: self.target_types,
            permit_class: self.permit_class,
            key_polluter_list: self.key_polluter_list,
            perf_grade: self.perf_grade,
            supervised_listing: self.supervised_listing,
            exceedance_notice: self.exceedance_notice,
            violation_date: self.violation_date,
            positive_list: false,
            eia_classes: self.eia_classes,
            credit_tier: self.credit_tier,
            production: self.production,
            production_months: self.production_months,
            outfall_rivers: self.outfall_rivers,
            owner: String::new(),
            owner_uscc: None,
            exclusion: self.exclusion,
            note: String::new(),
        }
    }
}

/// The unit of one stored record (`data` of `entities`), classed as of `on`.
pub(crate) fn unit_of_json(code: &str, data: &str, on: NaiveDate) -> store::Result<Unit> {
    let slim: Slim =
        serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
    Ok(Unit::from_entity(slim.entity(), on))
}

/// Every entity of the library as a [`Unit`] classed as of `on`, in the table's order (the
/// preparation orders by id itself).
pub(crate) fn units(conn: &Connection, on: NaiveDate) -> store::Result<Vec<Unit>> {
    let mut stmt = conn.prepare("SELECT code, data FROM entities")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let text = |n: usize| -> store::Result<&str> {
            row.get_ref(n)?
                .as_str()
                .map_err(|e| StoreError::Corrupt(format!("entities: {e}")))
        };
        out.push(unit_of_json(text(0)?, text(1)?, on)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocab::PerfGrade;

    fn day() -> NaiveDate {
        "2026-05-01".parse().unwrap()
    }

    fn entities() -> Vec<Entity> {
        let mut a = Entity::named("甲厂", "91350100M000100Y43");
        a.town = "凤城镇".into();
        a.address = "某村1号".into();
        a.industry = "制造业".into();
        a.contact = "张三".into();
        a.phone = "13800000000".into();
        a.note = "备注".into();
        a.positive_list = true;
        a.target_types = BTreeSet::from([TargetType::Polluter, TargetType::RiverOutfall]);
        a.outfall_rivers = BTreeSet::from(["沁河".to_string()]);
        a.eia_classes = BTreeSet::from([EiaClass::ReportBook]);
        a.credit_tier = Some(CreditTier::High);
        a.permit_class = Some(PermitClass::Key);
        a.key_polluter_list = true;
        let mut b = Entity::named("乙机械", "");
        b.uscc = None;
        b.registry_code = Some("FDL-0001".into());
        b.target_types = BTreeSet::from([TargetType::NonRoadMachine]);
        b.owner = "李四".into();
        b.production = ProductionStatus::Seasonal;
        b.production_months = BTreeSet::from([3, 4, 5]);
        b.perf_grade = PerfGrade::C;
        let mut c = Entity::named("丙厂", "91350100M000100Y44");
        c.violation_date = Some("2026-01-10".parse().unwrap());
        c.supervised_listing = Some(Level::Province);
        c.exceedance_notice = Some(Level::City);
        c.production = ProductionStatus::Suspended;
        c.exclusion = Some("长期停产".into());
        let mut d = Entity::named("丁厂", "91350100M000100Y45");
        d.violation_date = Some("2024-01-10".parse().unwrap());
        d.production = ProductionStatus::Closed;
        vec![a, b, c, d]
    }

    /// The slim read gives the very unit the whole record gives, for records using every field
    /// the preparation reads, and some it does not.
    #[test]
    fn the_slim_read_gives_the_unit_of_the_whole_record() {
        for e in entities() {
            let json = store::to_json(&e);
            let slim = unit_of_json(e.id(), &json, day()).unwrap();
            assert_eq!(slim, Unit::of(&e, day()), "{json}");
        }
    }

    #[test]
    fn a_record_that_does_not_decode_is_refused_with_its_code() {
        let err = unit_of_json("X1", r#"{"name":"甲"}"#, day()).unwrap_err();
        assert!(err.to_string().contains("X1"), "{err}");
        let err = unit_of_json("X2", "not json", day()).unwrap_err();
        assert!(err.to_string().contains("X2"), "{err}");
    }
}
