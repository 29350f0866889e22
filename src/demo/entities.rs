//! The entity library of the demo county: units of every kind, then non-road machines.

use std::collections::{BTreeSet, HashMap};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::classification::{SupervisionClass, classify};
use crate::domain::entity::{Entity, RIVERS};
use crate::domain::vocab::{
    CreditTier, EiaClass, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
};

use super::DEMO_LABEL;
use super::codes::{Registrant, random_uscc};
use super::ctx::Ctx;
use super::kinds::{self, Eia, Kind, MACHINE_COUNT};
use super::words::{COUNTY_SEAT, MACHINE_OWNER_TRADES, MACHINES, TRADE_WORDS, VILLAGES};

/// The generated entities with the kind each came from (`None` for machines).
pub struct Generated {
    pub entities: Vec<Entity>,
    pub kinds: Vec<Option<usize>>,
}

/// Kinds whose units own loaders and excavators.
const MACHINE_OWNER_KINDS: &[&str] = &["coal", "washing", "quarry", "concrete", "brick", "ore"];

pub fn generate(ctx: &mut Ctx) -> Generated {
    let mut entities = Vec::new();
    let mut kind_of = Vec::new();
    for (ki, kind) in kinds::all().enumerate() {
        for _ in 0..kind.count {
            entities.push(unit(ctx, kind));
            kind_of.push(Some(ki));
        }
    }
    for e in &mut entities {
        settle_status(ctx, e);
    }
    let owners: Vec<usize> = (0..entities.len())
        .filter(|&i| {
            kind_of[i]
                .and_then(kinds::get)
                .is_some_and(|k| MACHINE_OWNER_KINDS.contains(&k.tag))
                && entities[i].exclusion.is_none()
        })
        .collect();
    let mut owner_usccs = OwnerUsccs::default();
    for seq in 1..=MACHINE_COUNT {
        let owner = if owners.is_empty() || !ctx.chance(0.5) {
            None
        } else {
            owners
                .get(ctx.rng.random_range(0..owners.len()))
                .and_then(|&i| entities.get(i))
                .cloned()
        };
        entities.push(machine(ctx, &mut owner_usccs, seq, owner.as_ref()));
        kind_of.push(None);
    }
    Generated {
        entities,
        kinds: kind_of,
    }
}

/// Whether a name pattern suits the kind of registrant.
fn fits(pattern: &str, who: Registrant) -> bool {
    let clinic = pattern.contains("卫生院");
    let coop = pattern.contains("合作社");
    match who {
        Registrant::Institution => clinic,
        Registrant::Cooperative => coop,
        Registrant::Individual => !clinic && !coop && !pattern.contains("有限公司"),
        Registrant::Enterprise => !clinic && !coop && !pattern.contains("{P}"),
    }
}

fn unit(ctx: &mut Ctx, kind: &Kind) -> Entity {
    let weights: Vec<u32> = kind.registrants.iter().map(|r| r.1).collect();
    let mut who = kind
        .registrants
        .get(ctx.weighted(&weights))
        .map_or(Registrant::Enterprise, |r| r.0);
    let mut patterns: Vec<(&'static str, &'static str)> = kind
        .names
        .iter()
        .copied()
        .filter(|(p, _)| fits(p, who))
        .collect();
    if patterns.is_empty() {
        who = Registrant::Enterprise;
        patterns = kind.names.to_vec();
    }
    let (pattern, industry) = if patterns.is_empty() {
        ("阳城县{T}有限公司", "")
    } else {
        patterns[ctx.rng.random_range(0..patterns.len())]
    };
    let town = ctx.town(kind.urban);
    let name = ctx.unit_name(pattern, town);
    let uscc = ctx.uscc(who);
    let mut e = Entity::named(&name, &uscc);
    e.town = town.to_string();
    e.address = ctx.address(town);
    e.industry = industry.to_string();
    e.contact = ctx.person().name;
    e.phone = if who == Registrant::Institution || ctx.chance(0.2) {
        ctx.landline()
    } else {
        ctx.mobile()
    };
    e.note = DEMO_LABEL.to_string();
    e.target_types = kind.types.iter().copied().collect();
    for (t, p) in kind.extra {
        if ctx.chance(*p) {
            e.target_types.insert(*t);
        }
    }
    if e.target_types.contains(&TargetType::RiverOutfall) {
        e.outfall_rivers = BTreeSet::from([ctx.pick(RIVERS).to_string()]);
    }
    let r: f64 = ctx.rng.random();
    let [key, simplified, registration] = kind.permit;
    e.permit_class = if r < key {
        Some(PermitClass::Key)
    } else if r < key + simplified {
        Some(PermitClass::Simplified)
    } else if r < key + simplified + registration {
        Some(PermitClass::Registration)
    } else {
        None
    };
    e.key_polluter_list = e.permit_class.is_some() && ctx.chance(kind.key_list);
    if kind.graded {
        e.perf_grade = perf_grade(ctx);
    }
    if ctx.chance(0.012) {
        e.supervised_listing = Some(level(ctx));
    }
    if e.permit_class.is_some() && ctx.chance(0.012) {
        e.exceedance_notice = Some(level(ctx));
    }
    if ctx.chance(kind.violation) {
        e.violation_date = Some(if ctx.chance(0.5) {
            ctx.days_from_today(-360, -1)
        } else {
            ctx.days_from_today(-729, -370)
        });
    }
    e.eia_classes = eia(ctx, kind.eia);
    e.credit_tier = tier(ctx, &e);
    e.production = if ctx.chance(0.04) {
        ProductionStatus::Suspended
    } else if ctx.chance(0.012) {
        ProductionStatus::Closed
    } else {
        ProductionStatus::Normal
    };
    if let Some((months, share)) = kind.seasonal
        && e.production == ProductionStatus::Normal
        && ctx.chance(share)
    {
        e.production = ProductionStatus::Seasonal;
        e.production_months = months.iter().copied().collect();
    }
    if !kind.urban && e.town == COUNTY_SEAT && ctx.chance(0.03) {
        // Industry moving out of the county seat.
        e.exclusion = Some("搬迁".to_string());
        e.production = ProductionStatus::Suspended;
        e.production_months.clear();
    }
    e
}

/// Exclusions of long-idle units, and the positive list of clean general units.
fn settle_status(ctx: &mut Ctx, e: &mut Entity) {
    if e.exclusion.is_none() {
        e.exclusion = match e.production {
            ProductionStatus::Suspended if ctx.chance(0.3) => Some("长期停产".to_string()),
            ProductionStatus::Closed if ctx.chance(0.6) => {
                Some(ctx.pick(&["注销", "破产"]).to_string())
            }
            _ => None,
        };
    }
    let class = classify(e, ctx.today).class;
    if class == SupervisionClass::General
        && e.exclusion.is_none()
        && matches!(e.credit_tier, Some(CreditTier::Low | CreditTier::Normal))
        && ctx.chance(0.15)
    {
        e.positive_list = true;
    }
}

pub fn perf_grade(ctx: &mut Ctx) -> PerfGrade {
    let r: f64 = ctx.rng.random();
    match r {
        r if r < 0.03 => PerfGrade::Leading,
        r if r < 0.20 => PerfGrade::A,
        r if r < 0.32 => PerfGrade::B,
        r if r < 0.40 => PerfGrade::C,
        r if r < 0.44 => PerfGrade::D,
        _ => PerfGrade::Ungraded,
    }
}

fn level(ctx: &mut Ctx) -> Level {
    if ctx.chance(0.3) {
        Level::Province
    } else {
        Level::City
    }
}

fn eia(ctx: &mut Ctx, eia: Eia) -> BTreeSet<EiaClass> {
    let mut out = BTreeSet::new();
    match eia {
        Eia::Book => {
            out.insert(EiaClass::ReportBook);
            if ctx.chance(0.4) {
                out.insert(EiaClass::ReportForm);
            }
        }
        Eia::Form => {
            out.insert(EiaClass::ReportForm);
            if ctx.chance(0.2) {
                out.insert(EiaClass::Registration);
            }
        }
        Eia::FormOrRegistration => {
            out.insert(if ctx.chance(0.5) {
                EiaClass::ReportForm
            } else {
                EiaClass::Registration
            });
        }
        Eia::Registration => {
            out.insert(EiaClass::Registration);
        }
        Eia::None => {}
    }
    if eia != Eia::Book && ctx.chance(0.08) {
        // Built before EIA was required: nothing on file.
        out.clear();
    }
    out
}

/// The credit tier, higher for units with a record of trouble.
fn tier(ctx: &mut Ctx, e: &Entity) -> Option<CreditTier> {
    let mut points = 0;
    if e.violation_date.is_some() {
        points += 2;
    }
    if e.supervised_listing.is_some() || e.exceedance_notice.is_some() {
        points += 2;
    }
    if matches!(e.perf_grade, PerfGrade::C | PerfGrade::D) {
        points += 1;
    }
    // Weights for None, Low, Normal, Elevated, High.
    let weights: [u32; 5] = match points {
        0 => [7, 40, 40, 10, 3],
        1 => [5, 20, 50, 20, 5],
        _ => [3, 5, 30, 40, 22],
    };
    match ctx.weighted(&weights) {
        1 => Some(CreditTier::Low),
        2 => Some(CreditTier::Normal),
        3 => Some(CreditTier::Elevated),
        4 => Some(CreditTier::High),
        _ => None,
    }
}

/// The USCCs of machine-owning companies outside the library, one per company name.
#[derive(Default)]
struct OwnerUsccs(HashMap<String, String>);

impl OwnerUsccs {
    /// The company's USCC: drawn from a generator seeded by its name, so that giving owners
    /// a code leaves the demo's own random sequence (and everything built after) as it was.
    fn of(&mut self, ctx: &mut Ctx, company: &str) -> String {
        if let Some(code) = self.0.get(company) {
            return code.clone();
        }
        // FNV-1a of the name: stable across builds and platforms.
        let seed = company.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut rng = StdRng::seed_from_u64(seed);
        loop {
            if let Some(code) = random_uscc(&mut rng, Registrant::Enterprise)
                && ctx.claim_id(&code)
            {
                self.0.insert(company.to_string(), code.clone());
                return code;
            }
        }
    }
}

/// A non-road machine, registered by code, owned by a unit (with its USCC), a builder (with
/// a USCC) or a person (without).
fn machine(ctx: &mut Ctx, usccs: &mut OwnerUsccs, seq: usize, owner: Option<&Entity>) -> Entity {
    let (kind, industry, models) =
        MACHINES[ctx.weighted(&[45, 30, 15, 7, 3]).min(MACHINES.len() - 1)];
    let model = ctx.pick(models);
    let mut code = format!("FDL-140522-{seq:04}");
    while !ctx.claim_id(&code) {
        code.push('A');
    }
    let mut e = Entity::named(&format!("{kind}（{model}）"), "");
    e.uscc = None;
    e.registry_code = Some(code);
    e.industry = industry.to_string();
    e.target_types = BTreeSet::from([TargetType::NonRoadMachine]);
    e.note = DEMO_LABEL.to_string();
    e.phone = ctx.mobile();
    match owner {
        Some(o) => {
            e.owner = o.name.clone();
            e.owner_uscc = o.uscc.clone();
            e.town = o.town.clone();
            e.address = o.address.clone();
            e.contact = ctx.person().name;
            e.credit_tier = o.credit_tier;
        }
        None => {
            let town = ctx.town(false);
            e.town = town.to_string();
            e.address = format!("阳城县{town}{}村", ctx.pick(VILLAGES));
            if ctx.chance(0.6) {
                let trade = ctx.pick(TRADE_WORDS);
                let business = ctx.pick(MACHINE_OWNER_TRADES);
                e.owner = format!("阳城县{trade}{business}有限公司");
                e.owner_uscc = Some(usccs.of(ctx, &e.owner));
                e.contact = ctx.person().name;
                if ctx.chance(0.5) {
                    e.credit_tier = Some(CreditTier::ALL[ctx.weighted(&[40, 40, 15, 5])]);
                }
            } else {
                e.owner = ctx.person().name;
                e.contact = e.owner.clone();
            }
        }
    }
    if ctx.chance(0.03) {
        e.violation_date = Some(ctx.days_from_today(-700, -1));
    }
    if ctx.chance(0.03) {
        e.production = ProductionStatus::Suspended;
    }
    e
}
