//! Text as it enters and leaves: how long each kind of field may be, which invisible
//! characters names and codes refuse, how stored text is shown so that nothing hides in it,
//! and how a cell is cut to what Excel can hold. One place for all of it: the imports, the
//! result files, the command line, the dashboard's forms and the exports call these.
//!
//! Lengths count characters (Unicode scalar values), not bytes: “阳城县” is 3.

use std::borrow::Cow;
use std::fmt;

/// The kinds of text field, each with its maximum length in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// 名称、姓名: an entity's, a person's, a department's, a check item's name. 200.
    Name,
    /// 地址. 300.
    Address,
    /// 备注 (published with the result). 2,000.
    Remark,
    /// 违法依据、检查依据. 500.
    LegalBasis,
    /// Any other field: codes, reasons, notes, findings, measures, phone numbers. 500.
    Other,
}

impl TextKind {
    /// The most characters a field of this kind may hold.
    pub const fn limit(self) -> usize {
        match self {
            TextKind::Name => 200,
            TextKind::Address => 300,
            TextKind::Remark => 2_000,
            TextKind::LegalBasis => 500,
            TextKind::Other => 500,
        }
    }
}

/// The most characters Excel keeps in one cell.
pub const EXCEL_CELL_LIMIT: usize = 32_767;

/// What an .xlsx cell cut to [`EXCEL_CELL_LIMIT`] ends with.
pub const EXCEL_CUT_NOTE: &str = "…（超长，已截断）";

/// Why a text is refused; shown after the field's name ("备注不能超过2000个字符（现有2001个）").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// Longer than the field's limit.
    TooLong { limit: usize, actual: usize },
    /// A bidi control or zero-width character in a name or code, at a 1-based position.
    Invisible { found: char, position: usize },
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextProblem::TooLong { limit, actual } => {
                write!(f, "不能超过{limit}个字符（现有{actual}个）")
            }
            TextProblem::Invisible { found, position } => write!(
                f,
                "含有不可见字符 {}（第{position}个字符），会使显示的文字与实际内容不同，请删除",
                code_point(*found)
            ),
        }
    }
}

/// Whether `c` is an invisible character that can make text look like other text: the bidi
/// controls (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C), and the
/// zero-width characters (U+200B–U+200D, U+2060, U+FEFF).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `<U+202E>`: how an invisible character is shown.
pub fn code_point(c: char) -> String {
    format!("<U+{:04X}>", c as u32)
}

/// Checks a field's length.
pub fn check(kind: TextKind, text: &str) -> Result<(), TextProblem> {
    let limit = kind.limit();
    // Counting stops early: a 20 MB paste is refused without counting all of it.
    let actual = text.chars().take(limit + 1).count();
    if actual > limit {
        return Err(TextProblem::TooLong {
            limit,
            actual: text.chars().count(),
        });
    }
    Ok(())
}

/// Checks a name or a code: no invisible characters, and its length.
pub fn check_identifier(kind: TextKind, text: &str) -> Result<(), TextProblem> {
    if let Some((i, found)) = text.chars().enumerate().find(|(_, c)| is_invisible(*c)) {
        return Err(TextProblem::Invisible {
            found,
            position: i + 1,
        });
    }
    check(kind, text)
}

/// [`check`] with the field's Chinese name in front of the reason.
pub fn field(label: &str, kind: TextKind, text: &str) -> Result<(), String> {
    check(kind, text).map_err(|p| format!("{label}{p}"))
}

/// [`check_identifier`] with the field's Chinese name in front of the reason.
pub fn identifier(label: &str, kind: TextKind, text: &str) -> Result<(), String> {
    check_identifier(kind, text).map_err(|p| format!("{label}{p}"))
}

/// Stored text as it is shown in the terminal and the dashboard: each invisible character
/// written out as `<U+202E>`, so a name with a zero-width space does not pass for another.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_invisible(c) {
            out.push_str(&code_point(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A cell for an .xlsx file: text longer than Excel holds is cut, ending with
/// [`EXCEL_CUT_NOTE`], so an export never fails on stored text.
pub fn excel_cell(text: &str) -> Cow<'_, str> {
    // Excel counts UTF-16 code units, never more than the bytes of UTF-8.
    if text.len() <= EXCEL_CELL_LIMIT || text.encode_utf16().count() <= EXCEL_CELL_LIMIT {
        return Cow::Borrowed(text);
    }
    // Cut by UTF-16 units, so characters outside the BMP count twice.
    let room = EXCEL_CELL_LIMIT - EXCEL_CUT_NOTE.encode_utf16().count();
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        end = at + c.len_utf8();
    }
    let mut out = String::with_capacity(end + EXCEL_CUT_NOTE.len());
    out.push_str(&text[..end]);
    out.push_str(EXCEL_CUT_NOTE);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        let name: String = "阳".repeat(200);
        assert_eq!(check(TextKind::Name, &name), Ok(()));
        let longer = format!("{name}城");
        assert_eq!(
            check(TextKind::Name, &longer),
            Err(TextProblem::TooLong {
                limit: 200,
                actual: 201
            })
        );
        assert_eq!(
            field("备注", TextKind::Remark, &"x".repeat(2001)).unwrap_err(),
            "备注不能超过2000个字符（现有2001个）"
        );
        assert!(field("备注", TextKind::Remark, &"x".repeat(2000)).is_ok());
        assert_eq!(TextKind::Address.limit(), 300);
        assert_eq!(TextKind::LegalBasis.limit(), 500);
        assert_eq!(TextKind::Other.limit(), 500);
    }

    #[test]
    fn names_and_codes_refuse_bidi_and_zero_width_characters() {
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200B}', '\u{200D}', '\u{FEFF}',
        ] {
            let text = format!("阳城{c}煤业");
            let err = identifier("名称", TextKind::Name, &text).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "名称含有不可见字符 <U+{:04X}>（第3个字符），会使显示的文字与实际内容不同，请删除",
                    c as u32
                )
            );
            assert!(check(TextKind::Name, &text).is_ok(), "other fields keep it");
        }
        assert!(check_identifier(TextKind::Name, "阳城县\u{3000}煤业 (A-1)").is_ok());
    }

    #[test]
    fn invisible_characters_are_shown_by_code_point() {
        assert_eq!(visible("甲\u{202E}乙\u{200B}"), "甲<U+202E>乙<U+200B>");
        assert!(matches!(visible("阳城县"), Cow::Borrowed(_)));
    }

    #[test]
    fn excel_cells_are_cut_with_a_note() {
        let short = "备注".repeat(100);
        assert!(matches!(excel_cell(&short), Cow::Borrowed(_)));
        let exact: String = "甲".repeat(EXCEL_CELL_LIMIT);
        assert_eq!(excel_cell(&exact), exact.as_str());
        let long: String = "甲".repeat(40_000);
        let cut = excel_cell(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_LIMIT);
        assert!(cut.ends_with(EXCEL_CUT_NOTE));
        // Outside the BMP a character is two UTF-16 units, as Excel counts.
        let wide: String = "𠀀".repeat(20_000);
        let cut = excel_cell(&wide);
        assert!(cut.encode_utf16().count() <= EXCEL_CELL_LIMIT);
        assert!(cut.ends_with(EXCEL_CUT_NOTE));
    }
}
