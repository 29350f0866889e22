//! 签号 (tickets): Rivest's consistent-sampler tickets, the one random primitive of every draw.
//!
//! 1. `S` = lowercase hex SHA-256 of the seed text.
//! 2. For an id, `d` = SHA-256 of the text `S + id`, read as a big-endian 256-bit integer.
//! 3. `d` in decimal, left-padded with zeros to at least 64 digits, **reversed**, prefixed `0.`.
//! 4. Order by ticket as strings, then by id.
//!
//! Comparing tickets as strings compares `d`'s decimal digits from the least significant one,
//! so [`TicketKey`] orders by the 19 least significant digits (one `u64`) first and falls back
//! to the full strings only on a tie: exact, and fast enough to rank a million entities.

use std::cmp::Ordering;

use sha2::{Digest, Sha256};

/// `S`: lowercase hex SHA-256 of a seed text.
pub fn seed_hash(seed: &str) -> String {
    hex::encode(Sha256::digest(seed.as_bytes()))
}

fn digest(s: &str, id: &str) -> [u8; 32] {
    Seeded::new(s).digest(id)
}

/// SHA-256 with `S` already absorbed: every ticket under one seed hash starts with the same 64
/// bytes `S`, exactly one block, so each id costs one compression of its own instead of two.
#[derive(Clone)]
pub struct Seeded(Sha256);

impl Seeded {
    pub fn new(s: &str) -> Seeded {
        let mut h = Sha256::new();
        h.update(s.as_bytes());
        Seeded(h)
    }

    /// SHA-256 of `S + id`.
    fn digest(&self, id: &str) -> [u8; 32] {
        let mut h = self.0.clone();
        h.update(id.as_bytes());
        h.finalize().into()
    }
}

/// Divides a big-endian 256-bit number (as four u64 limbs, most significant first) by `div`,
/// in place; returns the remainder. The tests' reference for the arithmetic below.
#[cfg(test)]
fn div_rem(limbs: &mut [u64; 4], div: u64) -> u64 {
    let mut rem: u128 = 0;
    for limb in limbs.iter_mut() {
        let cur = (rem << 64) | u128::from(*limb);
        *limb = (cur / u128::from(div)) as u64;
        rem = cur % u128::from(div);
    }
    rem as u64
}

#[cfg(test)]
fn limbs(d: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (i, chunk) in d.chunks_exact(8).enumerate() {
        out[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
    }
    out
}

#[cfg(test)]
const TEN_19: u64 = 10_000_000_000_000_000_000;
/// 10^19 = 2^19 · 5^19.
const FIVE_19: u64 = 19_073_486_328_125;
const LOW_19: u64 = (1 << 19) - 1;

/// The inverse of an odd number modulo 2^64 (Newton's iteration; each step doubles the bits).
const fn inverse_mod_2_64(a: u64) -> u64 {
    let mut x = a; // right modulo 2^3 for any odd a
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// 5^-19 modulo 2^19.
const FIVE_19_INV: u64 = inverse_mod_2_64(FIVE_19) & LOW_19;

/// `d mod 10^19` of a big-endian 256-bit digest, without 128-bit division: `d mod 2^19` is its
/// low bits, `d mod 5^19` is folded 16 bits at a time in `u64` (the remainder stays below
/// 2^45, so `r · 2^16 + 16 bits` stays below 2^61, and the division by a constant compiles to
/// a multiplication), and the two are joined by the Chinese remainder theorem. Equal to
/// [`div_rem`]'s remainder by 10^19 (property-tested).
fn low_19_digits(d: &[u8; 32]) -> u64 {
    let mut r5 = 0u64;
    for pair in d.chunks_exact(2) {
        r5 = ((r5 << 16) | u64::from(u16::from_be_bytes([pair[0], pair[1]]))) % FIVE_19;
    }
    let r2 = u64::from(u32::from_be_bytes([d[28], d[29], d[30], d[31]])) & LOW_19;
    // x = r5 + 5^19 · t with x ≡ r2 (mod 2^19): t = (r2 − r5) · 5^-19 (mod 2^19).
    let t = r2.wrapping_sub(r5).wrapping_mul(FIVE_19_INV) & LOW_19;
    r5 + FIVE_19 * t
}

const TEN_9: u64 = 1_000_000_000;

/// The ticket text of a digest.
///
/// The digest is divided by 10^9 limb by limb in 32-bit limbs, so that every division is of a
/// `u64` by a constant, which compiles to a multiplication (dividing 64-bit limbs by 10^19
/// needs a 128-bit division, a library call: that made the text of a ticket cost more than
/// hashing it).
fn ticket_text(d: &[u8; 32]) -> String {
    let mut n = [0u32; 8];
    for (limb, chunk) in n.iter_mut().zip(d.chunks_exact(4)) {
        *limb = u32::from_be_bytes(chunk.try_into().expect("4 bytes"));
    }
    // The most significant limb not yet zero: the division skips the zeros above it.
    let mut top = n.iter().position(|l| *l != 0).unwrap_or(n.len());
    // Up to 78 decimal digits (81 with the last chunk's zeros), least significant first, 9 at
    // a time.
    let mut digits = Vec::with_capacity(82);
    loop {
        let mut rem = 0u64;
        for limb in &mut n[top..] {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / TEN_9) as u32;
            rem = cur % TEN_9;
        }
        for _ in 0..9 {
            digits.push(b'0' + (rem % 10) as u8);
            rem /= 10;
        }
        while top < n.len() && n[top] == 0 {
            top += 1;
        }
        if top == n.len() {
            break;
        }
    }
    // `digits` is least-significant first, i.e. already reversed. Pad to 64 digits, and strip
    // the zeros beyond that which stand for leading zeros of the number.
    digits.resize(digits.len().max(64), b'0');
    while digits.len() > 64 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let mut text = Vec::with_capacity(digits.len() + 2);
    text.extend_from_slice(b"0.");
    text.extend_from_slice(&digits);
    String::from_utf8(text).expect("ASCII digits")
}

/// The ticket of `id` under the seed hash `s`.
pub fn ticket(s: &str, id: &str) -> String {
    ticket_text(&digest(s, id))
}

/// A ticket in a form that sorts exactly like the ticket string, cheaply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketKey {
    /// The first 19 digits of the ticket (d's 19 least significant digits, reversed).
    head: u64,
    digest: [u8; 32],
}

impl TicketKey {
    pub fn new(s: &str, id: &str) -> TicketKey {
        TicketKey::of_digest(digest(s, id))
    }

    /// The key of `id` under the seed hash `S` that `seeded` has absorbed.
    pub fn seeded(seeded: &Seeded, id: &str) -> TicketKey {
        TicketKey::of_digest(seeded.digest(id))
    }

    fn of_digest(digest: [u8; 32]) -> TicketKey {
        let mut low = low_19_digits(&digest);
        let mut head = 0u64;
        for _ in 0..19 {
            head = head * 10 + low % 10;
            low /= 10;
        }
        TicketKey { head, digest }
    }

    /// The full ticket string.
    pub fn text(&self) -> String {
        ticket_text(&self.digest)
    }
}

impl Ord for TicketKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.head
            .cmp(&other.head)
            .then_with(|| self.text().cmp(&other.text()))
    }
}

impl PartialOrd for TicketKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The `take` ids with the smallest `(ticket, id)`, in that order, with their tickets.
pub fn smallest<'a>(s: &str, ids: &[&'a str], take: usize) -> Vec<(String, &'a str)> {
    let seeded = Seeded::new(s);
    let mut keyed: Vec<(TicketKey, &str)> = ids
        .iter()
        .map(|id| (TicketKey::seeded(&seeded, id), *id))
        .collect();
    let take = take.min(keyed.len());
    if take < keyed.len() && take > 0 {
        keyed.select_nth_unstable(take - 1);
    }
    keyed.truncate(take);
    keyed.sort();
    keyed.into_iter().map(|(k, id)| (k.text(), id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_hash_is_hex_sha256() {
        assert_eq!(
            seed_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ticket_keys_sort_like_ticket_strings() {
        let s = seed_hash("314159265358979323846");
        let ids: Vec<String> = (0..2000).map(|i| format!("ID-{i}")).collect();
        let mut by_key: Vec<(TicketKey, &str)> = ids
            .iter()
            .map(|i| (TicketKey::new(&s, i), i.as_str()))
            .collect();
        by_key.sort();
        let mut by_text: Vec<(String, &str)> =
            ids.iter().map(|i| (ticket(&s, i), i.as_str())).collect();
        by_text.sort();
        let a: Vec<&str> = by_key.iter().map(|x| x.1).collect();
        let b: Vec<&str> = by_text.iter().map(|x| x.1).collect();
        assert_eq!(a, b);
    }

    /// The remainder by 10^19 as it was computed before: 128-bit division of the limbs.
    fn low_by_division(d: &[u8; 32]) -> u64 {
        div_rem(&mut limbs(d), TEN_19)
    }

    proptest::proptest! {
        #[test]
        fn low_digits_equal_the_128_bit_division(d in proptest::array::uniform32(proptest::prelude::any::<u8>())) {
            proptest::prop_assert_eq!(low_19_digits(&d), low_by_division(&d));
        }
    }

    #[test]
    fn low_digits_at_the_edges() {
        let mut cases = vec![[0u8; 32], [0xff; 32]];
        for k in [
            1u64,
            TEN_19 - 1,
            TEN_19,
            TEN_19 + 1,
            FIVE_19,
            1 << 19,
            u64::MAX,
        ] {
            let mut d = [0u8; 32];
            d[24..].copy_from_slice(&k.to_be_bytes());
            cases.push(d);
            let mut hi = d;
            hi[0] = 0x80;
            cases.push(hi);
        }
        for i in 0..2000u32 {
            cases.push(Sha256::digest(i.to_le_bytes()).into());
        }
        for d in &cases {
            assert_eq!(low_19_digits(d), low_by_division(d), "{}", hex::encode(d));
        }
        assert_eq!(FIVE_19 * (1 << 19), TEN_19);
        assert_eq!((FIVE_19 * FIVE_19_INV) & LOW_19, 1);
    }

    /// The ticket text as it was computed before: 128-bit division of 64-bit limbs by 10^19.
    fn text_by_division(d: &[u8; 32]) -> String {
        let mut n = limbs(d);
        let mut digits = Vec::with_capacity(80);
        loop {
            let mut chunk = div_rem(&mut n, TEN_19);
            for _ in 0..19 {
                digits.push(b'0' + (chunk % 10) as u8);
                chunk /= 10;
            }
            if n == [0; 4] {
                break;
            }
        }
        digits.resize(digits.len().max(64), b'0');
        while digits.len() > 64 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        format!("0.{}", String::from_utf8(digits).unwrap())
    }

    proptest::proptest! {
        #[test]
        fn ticket_text_equals_the_128_bit_division(d in proptest::array::uniform32(proptest::prelude::any::<u8>())) {
            proptest::prop_assert_eq!(ticket_text(&d), text_by_division(&d));
        }

        #[test]
        fn seeded_digests_equal_hashing_the_whole_text(s in "[0-9a-f]{0,80}", id in "[A-Z0-9-]{0,40}") {
            let whole: [u8; 32] = Sha256::digest(format!("{s}{id}").as_bytes()).into();
            proptest::prop_assert_eq!(Seeded::new(&s).digest(&id), whole);
            proptest::prop_assert_eq!(TicketKey::seeded(&Seeded::new(&s), &id), TicketKey::new(&s, &id));
        }
    }

    #[test]
    fn ticket_text_at_the_edges() {
        let mut cases = vec![[0u8; 32], [0xff; 32]];
        for at in 0..32 {
            for b in [1u8, 0x3b, 0x80, 0xff] {
                let mut d = [0u8; 32];
                d[at] = b;
                cases.push(d);
                let mut ones = [0xffu8; 32];
                ones[at] = 0;
                cases.push(ones);
            }
        }
        for i in 0..2000u32 {
            cases.push(Sha256::digest(i.to_le_bytes()).into());
        }
        for d in &cases {
            assert_eq!(ticket_text(d), text_by_division(d), "{}", hex::encode(d));
        }
        assert_eq!(ticket_text(&[0u8; 32]), format!("0.{}", "0".repeat(64)));
    }

    #[test]
    fn tickets_have_at_least_64_digits() {
        let s = seed_hash("1");
        for i in 0..500 {
            let t = ticket(&s, &i.to_string());
            assert!(t.len() >= 66 && t.starts_with("0."), "{t}");
            assert!(t[2..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn a_ticket_is_the_reversed_decimal_digest() {
        // d = 1 (if a digest were 1) → "0.1000…0" (64 digits). Check the arithmetic directly.
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(ticket_text(&one), format!("0.1{}", "0".repeat(63)));
        let max = [0xffu8; 32];
        // 2^256 - 1 = 115792089237316195423570985008687907853269984665640564039457584007913129639935
        let rev: String =
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
                .chars()
                .rev()
                .collect();
        assert_eq!(ticket_text(&max), format!("0.{rev}"));
    }

    #[test]
    fn smallest_takes_the_lowest_in_order() {
        let s = seed_hash("42");
        let ids: Vec<String> = (0..300).map(|i| format!("E{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let top = smallest(&s, &refs, 10);
        let mut all: Vec<(String, &str)> = refs.iter().map(|i| (ticket(&s, i), *i)).collect();
        all.sort();
        assert_eq!(top, all[..10].to_vec());
        assert_eq!(smallest(&s, &refs, 1000).len(), 300);
        assert!(smallest(&s, &refs, 0).is_empty());
    }
}
