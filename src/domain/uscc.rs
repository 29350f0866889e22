//! 统一社会信用代码 (unified social credit code, USCC): GB 32100-2015 check character.
//!
//! An 18-character code over the alphabet `0-9 A-H J-N P-R T-U W-Y` (no I, O, S, V, Z).
//! The last character is a check character: with the alphabet's values `v_i` and weights
//! `w_i = 3^(i-1) mod 31`, the check value is `31 - (Σ v_i·w_i mod 31)`, where 31 maps to 0.

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a text is not a valid USCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    /// Not 18 characters long (the count is given).
    Length(usize),
    /// A character outside the code alphabet at a 1-based position.
    Character { position: usize, found: char },
    /// The check character does not match; the expected one is given.
    CheckCharacter { expected: char, found: char },
}

impl std::fmt::Display for UsccError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsccError::Length(n) => write!(f, "长度应为18位，实为{n}位"),
            UsccError::Character { position, found } => {
                write!(f, "第{position}位字符“{found}”不合法")
            }
            UsccError::CheckCharacter { .. } => write!(f, "校验位错误"),
        }
    }
}

impl std::error::Error for UsccError {}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters of a code, if they are in the alphabet.
pub fn check_character(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        sum += value_of(b)? * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

/// Normalises (trim, full-width to half-width, upper case) and validates a USCC.
pub fn parse(text: &str) -> Result<String, UsccError> {
    let code: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase();
    let count = code.chars().count();
    if count != 18 {
        return Err(UsccError::Length(count));
    }
    for (i, c) in code.chars().enumerate() {
        if !c.is_ascii() || value_of(c as u8).is_none() {
            return Err(UsccError::Character {
                position: i + 1,
                found: c,
            });
        }
    }
    let expected = check_character(&code[..17]).expect("alphabet checked above");
    let found = code.as_bytes()[17] as char;
    if expected != found {
        return Err(UsccError::CheckCharacter { expected, found });
    }
    Ok(code)
}

/// Completes a 17-character body with its check character (used by the demo county).
pub fn complete(body: &str) -> Option<String> {
    check_character(body).map(|c| format!("{body}{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn accepts_published_codes() {
        for code in ["91110000600037341L", "91350100M000100Y43"] {
            assert_eq!(parse(code).as_deref(), Ok(code), "{code}");
        }
    }

    #[test]
    fn rejects_a_changed_check_character() {
        let err = parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err,
            UsccError::CheckCharacter {
                expected: '3',
                found: '4'
            }
        );
        assert_eq!(err.to_string(), "校验位错误");
    }

    #[test]
    fn rejects_wrong_length_and_letters_outside_the_alphabet() {
        assert_eq!(parse("9135010"), Err(UsccError::Length(7)));
        assert!(matches!(
            parse("91350100M00010OY43"),
            Err(UsccError::Character {
                position: 15,
                found: 'O'
            })
        ));
    }

    #[test]
    fn normalises_full_width_and_lower_case() {
        assert_eq!(
            parse(" ９１３５０１００m０００１００y４３ ").as_deref(),
            Ok("91350100M000100Y43")
        );
    }

    #[test]
    fn complete_produces_valid_codes() {
        let code = complete("91140522MA0K12345").unwrap();
        assert_eq!(parse(&code).as_deref(), Ok(code.as_str()));
    }
}
