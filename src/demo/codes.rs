//! Synthetic but valid codes: USCCs whose positions 9–17 form a GB 11714 organization code.

use rand::Rng;

use crate::domain::uscc;

/// Yangcheng county's administrative division code (区划码).
pub const COUNTY_CODE: &str = "140522";

/// The registering authority and kind of unit (first two USCC characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registrant {
    /// 91: 工商 — enterprise.
    Enterprise,
    /// 12: 机构编制 — public institution (事业单位).
    Institution,
    /// 92: 工商 — individual business (个体工商户).
    Individual,
    /// 93: 工商 — farmers' cooperative (农民专业合作社).
    Cooperative,
}

impl Registrant {
    pub fn prefix(self) -> &'static str {
        match self {
            Registrant::Enterprise => "91",
            Registrant::Institution => "12",
            Registrant::Individual => "92",
            Registrant::Cooperative => "93",
        }
    }
}

/// The USCC alphabet (no I, O, S, V, Z).
const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The value of an organization-code character: digits 0–9, letters A=10 … Z=35.
fn org_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The GB 11714 check character of an 8-character organization-code body.
pub fn org_check(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    if bytes.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in bytes.iter().zip(ORG_WEIGHTS) {
        sum += org_value(*b)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from(b'0' + n as u8),
    })
}

/// A random organization code: "MA" + 6 characters for newer units, 8 digits for older ones,
/// then the check character.
pub fn random_org_code(rng: &mut impl Rng, newer: bool) -> String {
    let mut body = String::with_capacity(9);
    if newer {
        body.push_str("MA");
        for _ in 0..6 {
            let i = rng.random_range(0..USCC_CHARS.len());
            body.push(char::from(USCC_CHARS[i]));
        }
    } else {
        for _ in 0..8 {
            body.push(char::from(b'0' + rng.random_range(0..10u8)));
        }
    }
    if let Some(c) = org_check(&body) {
        body.push(c);
    }
    body
}

/// A random valid USCC of a unit registered in the county, or `None` in the (impossible)
/// case that the body leaves the code alphabet.
pub fn random_uscc(rng: &mut impl Rng, who: Registrant) -> Option<String> {
    let newer = match who {
        Registrant::Institution => false,
        Registrant::Cooperative => true,
        Registrant::Enterprise | Registrant::Individual => rng.random_bool(0.6),
    };
    let org = random_org_code(rng, newer);
    uscc::complete(&format!("{}{COUNTY_CODE}{org}", who.prefix()))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn org_check_matches_published_examples() {
        // GB 11714 worked example: D2143569 → X.
        assert_eq!(org_check("D2143569"), Some('X'));
        assert_eq!(org_check("12345678"), Some('8'));
        assert_eq!(org_check("1234567"), None);
        assert_eq!(org_check("1234567*"), None);
    }

    #[test]
    fn random_usccs_are_valid_and_carry_a_valid_org_code() {
        let mut rng = StdRng::seed_from_u64(7);
        for who in [
            Registrant::Enterprise,
            Registrant::Institution,
            Registrant::Individual,
            Registrant::Cooperative,
        ] {
            for _ in 0..200 {
                let code = random_uscc(&mut rng, who).expect("alphabet only");
                assert_eq!(uscc::parse(&code).as_deref(), Ok(code.as_str()));
                assert!(code.starts_with(&format!("{}140522", who.prefix())));
                assert_eq!(org_check(&code[8..16]), code[16..17].chars().next());
            }
        }
    }
}
