//! The generator's state: the seeded random source, the date, and the codes and names used.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::codes::{Registrant, random_uscc};
use super::words::{
    COUNTY_SEAT, GIVEN, MOBILE_PREFIXES, STREETS, SURNAMES, TOWN_WEIGHTS, TOWNS, TRADE_WORDS,
    VILLAGES,
};

/// A person's name with its pinyin (`surname`, `given`), for logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub surname_pinyin: &'static str,
    pub given_pinyin: String,
}

pub struct Ctx {
    pub rng: StdRng,
    pub today: NaiveDate,
    ids: HashSet<String>,
    names: HashSet<String>,
}

impl Ctx {
    /// A generator seeded from the date alone: the same date gives the same county.
    pub fn new(today: NaiveDate) -> Ctx {
        let days = u64::from(today.num_days_from_ce().unsigned_abs());
        Ctx {
            rng: StdRng::seed_from_u64(0x5353_4A00_0000_0000 ^ days),
            today,
            ids: HashSet::new(),
            names: HashSet::new(),
        }
    }

    /// `today` shifted by a number of days (today itself if out of range).
    pub fn shift(&self, days: i64) -> NaiveDate {
        self.today
            .checked_add_signed(TimeDelta::days(days))
            .unwrap_or(self.today)
    }

    /// A date a random number of days from today, within `lo..=hi`.
    pub fn days_from_today(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let n = self.rng.random_range(lo..=hi.max(lo));
        self.shift(n)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// One word of a non-empty list ("" for an empty one).
    pub fn pick(&mut self, words: &[&'static str]) -> &'static str {
        if words.is_empty() {
            return "";
        }
        words[self.rng.random_range(0..words.len())]
    }

    /// An index into weights, chosen in proportion to them (0 when all are zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut r = self.rng.random_range(0..total);
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        0
    }

    /// A town, weighted by industry; urban trades cluster in the county seat.
    pub fn town(&mut self, urban: bool) -> &'static str {
        if urban && self.chance(0.35) {
            return COUNTY_SEAT;
        }
        let i = self.weighted(TOWN_WEIGHTS);
        TOWNS.get(i).copied().unwrap_or(COUNTY_SEAT)
    }

    /// An address in a town: a street number in the county seat, a village elsewhere.
    pub fn address(&mut self, town: &str) -> String {
        if town == COUNTY_SEAT && self.chance(0.6) {
            let street = self.pick(STREETS);
            let no = self.rng.random_range(1..=399);
            format!("阳城县{town}{street}{no}号")
        } else {
            let village = self.pick(VILLAGES);
            format!("阳城县{town}{village}村")
        }
    }

    pub fn person(&mut self) -> Person {
        let (surname, sp) = SURNAMES[self.rng.random_range(0..SURNAMES.len())];
        let (given, given_pinyin) = self.given_name();
        Person {
            name: format!("{surname}{given}"),
            surname_pinyin: sp,
            given_pinyin,
        }
    }

    /// A given name of one or two characters, with its pinyin.
    pub fn given_name(&mut self) -> (String, String) {
        let mut given = String::new();
        let mut pinyin = String::new();
        let len = if self.chance(0.7) { 2 } else { 1 };
        for _ in 0..len {
            let (c, p) = GIVEN[self.rng.random_range(0..GIVEN.len())];
            given.push_str(c);
            pinyin.push_str(p);
        }
        (given, pinyin)
    }

    /// A synthetic mobile number: prefix + 0356 + four digits.
    pub fn mobile(&mut self) -> String {
        let prefix = self.pick(MOBILE_PREFIXES);
        format!("{prefix}0356{:04}", self.rng.random_range(0..10_000))
    }

    /// A synthetic landline in the county (0356-42xxxxx).
    pub fn landline(&mut self) -> String {
        format!("0356-42{:05}", self.rng.random_range(0..100_000))
    }

    /// A fresh valid USCC, never one given before.
    pub fn uscc(&mut self, who: Registrant) -> String {
        loop {
            if let Some(code) = random_uscc(&mut self.rng, who)
                && self.ids.insert(code.clone())
            {
                return code;
            }
        }
    }

    /// Claims a code (e.g. a machine's registry code); false if it was taken.
    pub fn claim_id(&mut self, id: &str) -> bool {
        self.ids.insert(id.to_string())
    }

    /// A unit name from a pattern, unique in the county. Placeholders: `{T}` trade name,
    /// `{Z}` town without 镇/乡, `{V}` village stem, `{P}` a person's name.
    pub fn unit_name(&mut self, pattern: &str, town: &str) -> String {
        let short = town.trim_end_matches(['镇', '乡']);
        for attempt in 0..200 {
            let mut name = pattern
                .replace("{T}", self.pick(TRADE_WORDS))
                .replace("{Z}", short)
                .replace("{V}", self.pick(VILLAGES));
            if name.contains("{P}") {
                let p = self.person().name;
                name = name.replace("{P}", &p);
            }
            if attempt >= 100 && !name.contains(short) {
                // Many units of one trade: add the town to keep names apart.
                name = name.replacen("阳城县", &format!("阳城县{short}"), 1);
            }
            if self.names.insert(name.clone()) {
                return name;
            }
        }
        let no = self.names.len();
        let bare = ["{T}", "{Z}", "{V}", "{P}"]
            .iter()
            .fold(pattern.to_string(), |s, p| s.replace(p, ""));
        let name = format!("{bare}（{no}）");
        self.names.insert(name.clone());
        name
    }
}
