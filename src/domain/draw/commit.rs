//! 承诺值与种子 (commitment and seed).
//!
//! * commitment = hex SHA-256 of the canonical JSON of `prepared` (sorted keys, no
//!   whitespace, non-ASCII unescaped, integers and strings only).
//! * seed = hex SHA-256 of `"<commitment>|<part1>|<part2>|…"`, each part digits only.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Canonical JSON: `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
/// Written straight from the typed value ([`crate::domain::canonical`]): the bytes of
/// serde_json's `Value` tree (keys in a `BTreeMap`, sorted by UTF-8 bytes, which is code point
/// order; compact; non-ASCII as it is), without building the tree.
pub fn canonical_json<T: Serialize>(value: &T) -> String {
    crate::domain::canonical::to_string(value)
}

pub fn commitment<T: Serialize>(prepared: &T) -> String {
    hex::encode(Sha256::digest(crate::domain::canonical::to_vec(prepared)))
}

/// Serialised once: the canonical text and the hex SHA-256 of those same bytes (what is
/// stored, and its commitment).
pub fn canonical_with_commitment<T: Serialize>(value: &T) -> (String, String) {
    let mut text = canonical_json(value);
    // Written into a buffer that doubled as it grew: up to twice the text, for as long as the
    // text is kept (tens of megabytes for a large county).
    text.shrink_to_fit();
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    (text, digest)
}

/// Normalises a seed part: full-width digits to ASCII, spaces and separators removed. Anything
/// else is refused.
pub fn normalise_part(text: &str) -> Result<String, String> {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => out.push(c),
            '０'..='９' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            ' ' | '　' | '-' | '－' | ',' | '，' | '.' | '、' | '_' | '\t' => {}
            _ => return Err(format!("种子“{text}”含有非数字字符“{c}”")),
        }
    }
    if out.is_empty() {
        return Err("种子不能为空".to_string());
    }
    Ok(out)
}

/// Hex SHA-256 of a text (the system part's digest in `prepared.system_part_sha256`).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub fn seed(commitment: &str, parts: &[String]) -> String {
    let mut text = commitment.to_string();
    for p in parts {
        text.push('|');
        text.push_str(p);
    }
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_keeps_chinese() {
        #[derive(Serialize)]
        struct S {
            zeta: u32,
            alpha: &'static str,
        }
        assert_eq!(
            canonical_json(&S {
                zeta: 1,
                alpha: "沁河"
            }),
            r#"{"alpha":"沁河","zeta":1}"#
        );
    }

    #[test]
    fn seed_matches_sha256sum_of_the_joined_text() {
        // printf '%s' 'abc|123|456' | sha256sum
        assert_eq!(
            seed("abc", &["123".into(), "456".into()]),
            hex::encode(Sha256::digest(b"abc|123|456"))
        );
    }

    #[test]
    fn parts_are_digits_only() {
        assert_eq!(
            normalise_part("1234 5678-９０").as_deref(),
            Ok("1234567890")
        );
        assert!(normalise_part("12a4").is_err());
        assert!(normalise_part("  ").is_err());
    }
}
