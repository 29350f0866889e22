//! Parsing and formatting single cells (单元格): vocabularies, yes/no, months, dates.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::domain::vocab::{
    CreditTier, EiaClass, Expertise, Level, PerfGrade, PermitClass, ProductionStatus, TargetType,
    join_list, split_list,
};

/// The reason for a code that Excel has turned into a number.
pub(crate) const MANGLED: &str = "应为文本格式（Excel 已将其变为数字）";

/// A closed vocabulary of the domain, seen generically.
pub(crate) trait Vocab: Sized + Copy + Ord + 'static {
    fn from_label(text: &str) -> Option<Self>;
    fn to_label(self) -> &'static str;
    fn all() -> &'static [Self];
}

macro_rules! vocab {
    ($($t:ty),+) => {$(
        impl Vocab for $t {
            fn from_label(text: &str) -> Option<Self> { <$t>::parse(text) }
            fn to_label(self) -> &'static str { self.label() }
            fn all() -> &'static [Self] { <$t>::ALL }
        }
    )+};
}

vocab!(
    TargetType,
    PermitClass,
    PerfGrade,
    Level,
    EiaClass,
    CreditTier,
    ProductionStatus,
    Expertise
);

/// The labels of a vocabulary, for templates.
pub(crate) fn labels<T: Vocab>() -> Vec<&'static str> {
    T::all().iter().map(|v| v.to_label()).collect()
}

/// 是 and 否, for templates.
pub(crate) fn yes_no_labels() -> Vec<&'static str> {
    vec!["是", "否"]
}

/// The months 1–12, for templates.
pub(crate) fn month_labels() -> Vec<&'static str> {
    vec![
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
    ]
}

/// Whether a cell says “nothing”: empty, `无`, or a dash or slash.
pub(crate) fn is_blank(text: &str) -> bool {
    matches!(
        text.trim(),
        "" | "无" | "-" | "/" | "—" | "－" | "／" | "--"
    )
}

fn not_a_choice<T: Vocab>(text: &str) -> String {
    format!("“{text}”不是有效取值（{}）", labels::<T>().join("/"))
}

/// One term of a vocabulary, or `None` for a blank cell.
pub(crate) fn one<T: Vocab>(text: &str) -> Result<Option<T>, String> {
    if is_blank(text) {
        return Ok(None);
    }
    T::from_label(text)
        .map(Some)
        .ok_or_else(|| not_a_choice::<T>(text))
}

/// Several terms of a vocabulary in one cell.
pub(crate) fn many<T: Vocab>(text: &str) -> Result<BTreeSet<T>, String> {
    if is_blank(text) {
        return Ok(BTreeSet::new());
    }
    split_list(text)
        .into_iter()
        .map(|item| T::from_label(item).ok_or_else(|| not_a_choice::<T>(item)))
        .collect()
}

/// The labels of several terms, joined with `、`.
pub(crate) fn many_text<T: Vocab>(set: &BTreeSet<T>) -> String {
    join_list(set.iter().map(|v| v.to_label()))
}

/// The label of an optional term, or an empty cell.
pub(crate) fn one_text<T: Vocab>(value: Option<T>) -> String {
    value.map_or_else(String::new, |v| v.to_label().to_string())
}

/// A yes/no cell: 是/否, Y/N, yes/no, 1/0, √/×, true/false; an empty cell is `default`.
pub(crate) fn yes_no(text: &str, default: bool) -> Result<bool, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(default);
    }
    let lower = t.to_lowercase();
    match lower.as_str() {
        "是" | "y" | "yes" | "1" | "√" | "✓" | "true" | "有" => Ok(true),
        "否" | "n" | "no" | "0" | "×" | "✗" | "false" | "无" => Ok(false),
        _ => Err(format!("“{t}”应为 是/否")),
    }
}

/// 是 or 否.
pub(crate) fn yes_no_text(value: bool) -> String {
    if value { "是" } else { "否" }.to_string()
}

fn month_number(text: &str) -> Result<u8, String> {
    let t = text.trim();
    let digits = t.strip_suffix('月').unwrap_or(t).trim();
    let n: u32 = digits
        .parse()
        .map_err(|_| format!("生产月份“{t}”无法识别（应为1至12的月份，如 1、2、3 或 11-3）"))?;
    match u8::try_from(n) {
        Ok(m) if (1..=12).contains(&m) => Ok(m),
        _ => Err(format!("月份“{t}”应在1至12之间")),
    }
}

/// 生产月份: months `1、2、3`, `3月`, and ranges `11-3` (November to March, wrapping).
pub(crate) fn months(text: &str) -> Result<BTreeSet<u8>, String> {
    let mut out = BTreeSet::new();
    if is_blank(text) {
        return Ok(out);
    }
    for item in split_list(text) {
        match item.split_once(['-', '~', '～', '至', '—', '－']) {
            Some((a, b)) => {
                let (from, to) = (month_number(a)?, month_number(b)?);
                let mut m = from;
                loop {
                    out.insert(m);
                    if m == to {
                        break;
                    }
                    m = m % 12 + 1;
                }
            }
            None => {
                out.insert(month_number(item)?);
            }
        }
    }
    Ok(out)
}

/// Months joined with `、`, ascending.
pub(crate) fn months_text(set: &BTreeSet<u8>) -> String {
    join_list(set.iter().map(|m| m.to_string()))
}

/// An optional date (`domain::parse_date` spellings).
pub(crate) fn date(text: &str) -> Result<Option<NaiveDate>, String> {
    if is_blank(text) {
        return Ok(None);
    }
    crate::domain::parse_date(text).map(Some)
}

/// An optional date as `YYYY-MM-DD`, or an empty cell.
pub(crate) fn date_text(value: Option<NaiveDate>) -> String {
    value.map_or_else(String::new, |d| d.to_string())
}

/// Free text that names several things (towns, rivers), split like any list.
pub(crate) fn names(text: &str) -> BTreeSet<String> {
    split_list(text).into_iter().map(str::to_string).collect()
}

/// Whether a cell looks like a long number Excel shows in scientific notation (`9.1E+17`),
/// which is what becomes of a code typed into a cell that is not formatted as text.
pub(crate) fn is_mangled_number(text: &str) -> bool {
    let t = text.trim();
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else {
        return false;
    };
    let Some(exponent) = exponent.strip_prefix('+') else {
        return false;
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    [whole, fraction, exponent]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The first characters that make a spreadsheet program read a cell as a formula (OWASP's
/// list for CSV injection): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell is a plain decimal number (`-3`, `+1.5`, `.5`, `-2E+3`), which no
/// spreadsheet program reads as a formula.
fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    digits(whole)
        && digits(fraction)
        && !(whole.is_empty() && fraction.is_empty())
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// Whether a text cell would be read as a formula when a CSV file is opened.
fn reads_as_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS) && !is_plain_number(text)
}

/// Whether a cell is a formula after any leading `'`: the cells [`guard_formula`] guards.
fn guarded_kind(text: &str) -> bool {
    reads_as_formula(text.trim_start_matches('\''))
}

/// A CSV cell safe to open: a text that would be read as a formula gets a leading `'`;
/// numbers and other text stay as they are. So that [`unguard_formula`] gives back exactly
/// what was written, a formula that already has leading quotes gets one more.
pub(crate) fn guard_formula(text: &str) -> std::borrow::Cow<'_, str> {
    if guarded_kind(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// An .xlsx text cell: written as text, never as a formula, so only a formula that already
/// starts with `'` gets one more (which [`unguard_formula`] takes off again on import).
pub(crate) fn guard_quoted(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with('\'') {
        guard_formula(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A cell as it was before [`guard_formula`]: one leading `'` goes only where the rest would
/// have been guarded, so a `'` the user typed before other text stays.
pub(crate) fn unguard_formula(text: &str) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if guarded_kind(rest) => rest.to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_cells_accept_labels_and_explain_errors() {
        assert_eq!(
            one::<PermitClass>("简化管理"),
            Ok(Some(PermitClass::Simplified))
        );
        assert_eq!(one::<Level>("无"), Ok(None));
        assert_eq!(
            one::<PermitClass>("重点").unwrap_err(),
            "“重点”不是有效取值（重点管理/简化管理/登记管理）"
        );
        let set = many::<EiaClass>("报告书、登记表").unwrap();
        assert_eq!(many_text(&set), "报告书、登记表");
        assert!(
            many::<TargetType>("排污单位、工厂")
                .unwrap_err()
                .contains("“工厂”")
        );
    }

    #[test]
    fn yes_no_spellings() {
        for t in ["是", "Y", "yes", "1", "√", "TRUE"] {
            assert_eq!(yes_no(t, false), Ok(true), "{t}");
        }
        for t in ["否", "n", "No", "0", "×"] {
            assert_eq!(yes_no(t, true), Ok(false), "{t}");
        }
        assert_eq!(yes_no(" ", true), Ok(true));
        assert_eq!(yes_no("", false), Ok(false));
        assert_eq!(yes_no("也许", false).unwrap_err(), "“也许”应为 是/否");
    }

    #[test]
    fn months_lists_and_wrapping_ranges() {
        assert_eq!(months("1、2、3").unwrap(), BTreeSet::from([1, 2, 3]));
        assert_eq!(months("11-3").unwrap(), BTreeSet::from([11, 12, 1, 2, 3]));
        assert_eq!(
            months("11月-3月").unwrap(),
            BTreeSet::from([11, 12, 1, 2, 3])
        );
        assert_eq!(months("3月，5~6").unwrap(), BTreeSet::from([3, 5, 6]));
        assert_eq!(months("4-4").unwrap(), BTreeSet::from([4]));
        assert!(months("").unwrap().is_empty());
        assert_eq!(months("13").unwrap_err(), "月份“13”应在1至12之间");
        assert_eq!(months("0").unwrap_err(), "月份“0”应在1至12之间");
        assert!(months("冬季").unwrap_err().contains("无法识别"));
        let all = months("1-12").unwrap();
        assert_eq!(months(&months_text(&all)).unwrap(), all);
    }

    #[test]
    fn scientific_notation_is_recognised_as_a_mangled_code() {
        assert!(is_mangled_number("9.1E+17"));
        assert!(is_mangled_number("9.13501E+17"));
        assert!(is_mangled_number("1E+15"));
        assert!(!is_mangled_number("91140522MA0K1234XX"));
        assert!(!is_mangled_number("12E3"));
        assert!(!is_mangled_number("E+17"));
        assert!(!is_mangled_number("13800000000"));
    }

    #[test]
    fn dates_are_optional() {
        assert_eq!(date(""), Ok(None));
        assert_eq!(date("2026/3/1"), Ok(NaiveDate::from_ymd_opt(2026, 3, 1)));
        assert!(date("昨天").is_err());
    }

    #[test]
    fn formulas_are_guarded_numbers_are_not() {
        for text in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+A1",
            "-1+2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
            "-inf",
            "--3",
            "'=x",
            "''@a",
        ] {
            let guarded = guard_formula(text);
            assert_eq!(guarded, format!("'{text}"), "{text:?}");
            assert_eq!(unguard_formula(&guarded), text, "{text:?}");
        }
        for text in [
            "-3",
            "-1.5",
            "+3",
            "-.5",
            "-2E+3",
            "3",
            "阳城县",
            "",
            "a=b",
            "'说明",
        ] {
            assert_eq!(guard_formula(text), text, "{text:?}");
            assert_eq!(unguard_formula(text), text, "{text:?}");
        }
        // A quote the user typed stays where the rest is no formula.
        assert_eq!(unguard_formula("'-3"), "'-3");
        assert_eq!(unguard_formula("'说明"), "'说明");
        assert_eq!(guard_formula("'=x"), "''=x");
        assert_eq!(unguard_formula("''=x"), "'=x");
        assert_eq!(guard_quoted("=x"), "=x");
        assert_eq!(guard_quoted("'=x"), "''=x");
        assert_eq!(guard_quoted("'x"), "'x");
    }
}
