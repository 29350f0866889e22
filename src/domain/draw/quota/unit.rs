//! What the preparation reads of an entity: its id, name and town, its supervision class on the
//! day of preparation, and the few facts the populations and exclusions depend on. A whole
//! [`Entity`] (addresses, contacts, notes, the class's reasons in words) is several times its
//! size; a county of a million is held as units, not as records.

use chrono::NaiveDate;

use crate::domain::classification::{SupervisionClass, classify};
use crate::domain::entity::Entity;
use crate::domain::vocab::{CreditTier, EiaClass, ProductionStatus, TargetType};

/// An entity as the preparation reads it (see the module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// [`Entity::id`].
    pub id: String,
    pub name: String,
    pub town: String,
    /// The supervision class on the day of preparation.
    pub class: SupervisionClass,
    /// Meets a key criterion (counts toward key coverage even when special).
    pub also_key: bool,
    pub credit_tier: Option<CreditTier>,
    /// The target types, one bit each (by [`TargetType`]'s order).
    target_types: u8,
    /// The EIA classes, one bit each (by [`EiaClass`]'s order).
    eia_classes: u8,
    pub production: ProductionStatus,
    /// The production months of a seasonal producer, bit `m` for month `m` (1–12).
    production_months: u16,
    pub outfall_rivers: Vec<String>,
    /// 不参与双随机: the reason, when the unit is excluded from draws.
    pub exclusion: Option<String>,
}

fn type_bit(t: TargetType) -> u8 {
    1 << (t as u8)
}

fn eia_bit(c: EiaClass) -> u8 {
    1 << (c as u8)
}

fn month_bit(m: u8) -> u16 {
    // Months are 1–12; anything else is never asked about (a quarter's months are 1–12).
    1u16.checked_shl(u32::from(m)).unwrap_or(0)
}

impl Unit {
    /// The unit of an entity, its class as of `on`; the entity is taken apart, not copied.
    pub fn from_entity(e: Entity, on: NaiveDate) -> Unit {
        let c = classify(&e, on);
        let id = match (e.uscc, e.registry_code) {
            (Some(u), _) => u,
            (None, Some(r)) => r,
            (None, None) => String::new(),
        };
        Unit {
            id,
            name: e.name,
            town: e.town,
            class: c.class,
            also_key: c.also_key,
            credit_tier: e.credit_tier,
            target_types: e.target_types.iter().fold(0, |m, t| m | type_bit(*t)),
            eia_classes: e.eia_classes.iter().fold(0, |m, c| m | eia_bit(*c)),
            production: e.production,
            production_months: e.production_months.iter().fold(0, |m, x| m | month_bit(*x)),
            outfall_rivers: e.outfall_rivers.into_iter().collect(),
            exclusion: e.exclusion,
        }
    }

    /// [`Unit::from_entity`] of a copy.
    pub fn of(e: &Entity, on: NaiveDate) -> Unit {
        Unit::from_entity(e.clone(), on)
    }

    pub fn has_type(&self, t: TargetType) -> bool {
        self.target_types & type_bit(t) != 0
    }

    pub fn has_eia(&self, c: EiaClass) -> bool {
        self.eia_classes & eia_bit(c) != 0
    }

    /// [`Entity::producing_in`].
    pub fn producing_in(&self, month: u8) -> bool {
        match self.production {
            ProductionStatus::Normal => true,
            ProductionStatus::Seasonal => self.production_months & month_bit(month) != 0,
            ProductionStatus::Suspended | ProductionStatus::Closed => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::vocab::{Level, PermitClass};

    fn sample() -> Entity {
        let mut e = Entity::named("甲厂", "91350100M000100Y43");
        e.town = "凤城镇".into();
        e.address = "某村1号".into();
        e.target_types = BTreeSet::from([TargetType::Polluter, TargetType::RiverOutfall]);
        e.eia_classes = BTreeSet::from([EiaClass::ReportForm, EiaClass::Registration]);
        e.production = ProductionStatus::Seasonal;
        e.production_months = BTreeSet::from([11, 12, 1]);
        e.outfall_rivers = BTreeSet::from(["沁河".to_string()]);
        e.permit_class = Some(PermitClass::Key);
        e.exceedance_notice = Some(Level::City);
        e.credit_tier = Some(CreditTier::Elevated);
        e.exclusion = Some("搬迁".into());
        e
    }

    #[test]
    fn a_unit_keeps_what_the_preparation_asks_of_its_entity() {
        let e = sample();
        let on: NaiveDate = "2026-05-01".parse().unwrap();
        let u = Unit::of(&e, on);
        assert_eq!(u, Unit::from_entity(e.clone(), on));
        assert_eq!(u.id, e.id());
        assert_eq!((u.name.as_str(), u.town.as_str()), ("甲厂", "凤城镇"));
        let c = classify(&e, on);
        assert_eq!((u.class, u.also_key), (c.class, c.also_key));
        assert_eq!(u.class, SupervisionClass::Special);
        for t in TargetType::ALL {
            assert_eq!(u.has_type(*t), e.target_types.contains(t), "{t}");
        }
        for c in EiaClass::ALL {
            assert_eq!(u.has_eia(*c), e.eia_classes.contains(c), "{c}");
        }
        for m in 0..=13 {
            assert_eq!(u.producing_in(m), e.producing_in(m), "month {m}");
        }
        assert_eq!(u.outfall_rivers, vec!["沁河".to_string()]);
        assert_eq!(u.exclusion.as_deref(), Some("搬迁"));
        assert_eq!(u.credit_tier, Some(CreditTier::Elevated));
    }

    #[test]
    fn a_unit_without_a_uscc_goes_by_its_registry_code() {
        let mut e = sample();
        e.uscc = None;
        e.registry_code = Some("FDL-0001".into());
        let on: NaiveDate = "2026-05-01".parse().unwrap();
        assert_eq!(Unit::from_entity(e.clone(), on).id, "FDL-0001");
        assert_eq!(Unit::of(&e, on).id, "FDL-0001");
    }
}
