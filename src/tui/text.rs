//! Chinese text in a terminal: widths, truncation and padding by display width, wrapping.
//! A CJK character takes two columns. The ellipsis U+2026 is ambiguous-width (two columns in
//! a Chinese locale), so truncation ends with ASCII `..`.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The ellipsis we draw: ASCII, so it is one column wide in every locale.
pub const ELLIPSIS: &str = "..";

pub fn width(s: &str) -> usize {
    s.width()
}

/// Neutralises control characters (escape sequences included) so stored text cannot drive
/// the terminal, and writes invisible characters (bidi controls, zero-width) out as
/// `<U+202E>` (`domain::text::visible`, as the command line shows them).
pub fn clean(s: &str) -> String {
    crate::domain::text::visible(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cuts `s` to at most `max` columns, ending with `..` when cut; never splits a wide char.
pub fn truncate(s: &str, max: usize) -> String {
    let s = clean(s);
    if s.width() <= max {
        return s;
    }
    let room = max.saturating_sub(ELLIPSIS.len());
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if max >= ELLIPSIS.len() {
        out.push_str(ELLIPSIS);
    }
    out
}

/// The end of `s` that fits in `max` columns (for a field whose cursor is at its end).
pub fn tail(s: &str, max: usize) -> String {
    let s = clean(s);
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.into_iter().rev().collect()
}

/// Truncates, then pads with spaces to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut t = truncate(s, cols);
    let w = t.width();
    t.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    t
}

/// Wraps text to lines of at most `cols` columns, breaking anywhere (Chinese has no spaces).
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n').map(clean) {
        let mut line = String::new();
        let mut used = 0;
        for c in para.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > cols.max(2) {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_wide_characters() {
        assert_eq!(truncate("阳城县焦化有限公司", 10), "阳城县焦..");
        assert_eq!(truncate("阳城县焦化有限公司", 9), "阳城县..");
        assert_eq!(width(&truncate("阳城县焦化有限公司", 9)), 8);
        assert_eq!(truncate("短", 10), "短");
    }

    #[test]
    fn fit_pads_to_the_exact_width() {
        for cols in 0..16 {
            assert_eq!(
                width(&fit("阳城县abc焦化", cols)),
                cols.max(width(&truncate("阳城县abc焦化", cols)))
            );
        }
        assert_eq!(fit("甲", 4), "甲  ");
    }

    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(tail("阳城县焦化", 6), "县焦化");
        assert_eq!(tail("阳城县焦化", 5), "焦化");
        assert_eq!(tail("ab", 5), "ab");
    }

    #[test]
    fn wrap_breaks_chinese_anywhere() {
        assert_eq!(wrap("一二三四五", 4), vec!["一二", "三四", "五"]);
        assert_eq!(wrap("ab\ncd", 10), vec!["ab", "cd"]);
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(clean("a\u{1b}[2Jb"), "a [2Jb");
    }

    #[test]
    fn invisible_characters_are_written_out() {
        assert_eq!(clean("甲\u{200B}乙"), "甲<U+200B>乙");
        assert_eq!(truncate("甲\u{202E}乙", 20), "甲<U+202E>乙");
    }
}
