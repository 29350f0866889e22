//! A draw's record as the dashboard shows it: the printable record's Markdown (one place for
//! what a record says: `domain::draw::printable`) read back into text lines and table rows, so
//! that its tables (strata, selections, visits and teams) are drawn as tables with aligned
//! columns instead of `| 1 | LH-1 | …` source lines. Pure: text in, lines and widths out.
//!
//! Columns are fitted to the width: a column keeps its natural width when everything fits;
//! otherwise the columns of text (names, rules, teams) give way, never below what their codes
//! need. A cell that must be cut keeps its codes and drops names first ([`fit_cell`]).

use unicode_width::UnicodeWidthStr;

use super::text::{fit, width};

/// One line of an opened record: text, or a row of one of its tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordLine {
    /// A heading, a `- key：value` line, a paragraph or an empty line.
    Text(String),
    /// A row of table number `table`; `header` for its first row.
    Row {
        table: usize,
        header: bool,
        cells: Vec<String>,
    },
}

impl RecordLine {
    /// The line as plain text (a row's cells joined by spaces): for search and tests.
    pub fn text(&self) -> String {
        match self {
            RecordLine::Text(t) => t.clone(),
            RecordLine::Row { cells, .. } => cells.join(" "),
        }
    }

    /// Changes every piece of text of the line.
    pub fn map_text(&mut self, f: impl Fn(&str) -> String) {
        match self {
            RecordLine::Text(t) => *t = f(t),
            RecordLine::Row { cells, .. } => cells.iter_mut().for_each(|c| *c = f(c)),
        }
    }
}

/// Plain lines of text.
pub fn text_lines(text: &str) -> Vec<RecordLine> {
    text.lines()
        .map(|l| RecordLine::Text(l.to_string()))
        .collect()
}

/// Reads Markdown: `| a | b |` lines become rows (the one before a `|---|` line is the
/// table's header), everything else text. Tables are numbered in order. The lead's ★ (of
/// ambiguous width in a terminal) is shown as `*`, as the lists show it.
pub fn parse(markdown: &str) -> Vec<RecordLine> {
    let mut out: Vec<RecordLine> = Vec::new();
    let mut table = 0;
    let mut in_table = false;
    let markdown = markdown.replace('★', "*");
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with('|') && t.ends_with('|') && t.len() >= 2 {
            let inner = &t[1..t.len() - 1];
            if inner
                .split('|')
                .all(|c| c.trim().chars().all(|ch| ch == '-' || ch == ':'))
            {
                // The separator: the row before it is the header.
                if let Some(RecordLine::Row { header, .. }) = out.last_mut() {
                    *header = true;
                }
                continue;
            }
            if !in_table {
                in_table = true;
                table += 1;
            }
            let cells = inner.split('|').map(|c| c.trim().to_string()).collect();
            out.push(RecordLine::Row {
                table,
                header: false,
                cells,
            });
        } else {
            in_table = false;
            out.push(RecordLine::Text(line.to_string()));
        }
    }
    out
}

/// What of a cell must never be cut: its codes, joined by spaces. A cell is a list of parts
/// (split at `、`); a part's codes are its leading ASCII words (USCC codes, officers' codes
/// with the lead's `*`, task codes, tickets, numbers), before its name begins.
pub fn codes(cell: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in cell.split('、') {
        for word in part.split(' ') {
            if word.is_empty() {
                continue;
            }
            if !word.is_ascii() {
                break;
            }
            if word != "*" {
                out.push(word);
            }
        }
    }
    out.join(" ")
}

/// The width a column needs at least: the codes of its widest body cell, and a short header
/// (up to four columns: "序号"; a longer one may be cut).
fn least(rows: &[&Vec<String>], col: usize) -> usize {
    let header = rows
        .first()
        .and_then(|r| r.get(col))
        .map_or(0, |h| width(h).min(4));
    rows.iter()
        .skip(1)
        .filter_map(|r| r.get(col))
        .map(|c| width(&codes(c)))
        .max()
        .unwrap_or(0)
        .max(header)
        .max(2)
}

/// The widths of a table's columns within `room` columns (one space between columns).
/// Natural widths when they fit; else the columns that can give way shrink, the widest first,
/// never below what their codes need. What still does not fit is cut at the right edge.
pub fn widths(rows: &[&Vec<String>], room: usize) -> Vec<usize> {
    let n = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut w: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| width(x))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let min: Vec<usize> = (0..n).map(|c| least(rows, c).min(w[c])).collect();
    let total = |w: &[usize]| w.iter().sum::<usize>() + n.saturating_sub(1);
    while total(&w) > room {
        // The column with the most to give.
        let Some((c, _)) = (0..n)
            .map(|c| (c, w[c] - min[c]))
            .filter(|(_, slack)| *slack > 0)
            .max_by_key(|(c, slack)| (w[*c], *slack))
        else {
            break;
        };
        let over = total(&w) - room;
        // Down to the next widest column's width at most, so wide columns shrink together.
        let next = (0..n)
            .filter(|&o| o != c && w[o] < w[c])
            .map(|o| w[o])
            .max()
            .unwrap_or(0);
        let cut = over.min(w[c] - min[c]).min((w[c] - next).max(1));
        w[c] -= cut;
    }
    w
}

/// A cell fitted to `cols` columns: whole when it fits; else without its bracketed parts
/// (departments); else its codes alone with as much of the names as fits after them; cut only
/// when even its codes do not fit.
pub fn fit_cell(cell: &str, cols: usize) -> String {
    if width(cell) <= cols {
        return fit(cell, cols);
    }
    let plain = without_brackets(cell);
    if width(&plain) <= cols {
        return fit(&plain, cols);
    }
    // Cut at the end when that keeps every code whole (the names come after the codes).
    let code = codes(&plain);
    let cut = fit(&plain, cols);
    if code.split(' ').all(|c| cut.contains(c)) {
        return cut;
    }
    if !code.is_empty() && width(&code) <= cols {
        return fit(&code, cols);
    }
    cut
}

/// The text without its `（…）` parts.
fn without_brackets(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '（' => depth += 1,
            '）' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A row's cells laid out in `widths`, one space apart, trailing spaces trimmed.
pub fn row_text(cells: &[String], widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let cell = cells.get(i).map(String::as_str).unwrap_or("");
        out.push_str(&fit_cell(cell, *w));
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    debug_assert!(out.width() <= widths.iter().sum::<usize>() + widths.len());
    out
}

/// The widths of every table of `lines` within `room` columns, by table number.
pub fn table_widths(
    lines: &[RecordLine],
    room: usize,
) -> std::collections::HashMap<usize, Vec<usize>> {
    let mut rows: std::collections::HashMap<usize, Vec<&Vec<String>>> = Default::default();
    for l in lines {
        if let RecordLine::Row { table, cells, .. } = l {
            rows.entry(*table).or_default().push(cells);
        }
    }
    rows.into_iter()
        .map(|(t, r)| (t, widths(&r, room)))
        .collect()
}

/// A line of the record in full, for `v`: a row as `header：cell` lines (its table's header
/// found above it), text as it is.
pub fn in_full(lines: &[RecordLine], at: usize) -> Vec<String> {
    match lines.get(at) {
        Some(RecordLine::Row { table, cells, .. }) => {
            let head = lines[..at].iter().rev().find_map(|l| match l {
                RecordLine::Row {
                    table: t,
                    header: true,
                    cells,
                } if t == table => Some(cells),
                _ => None,
            });
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| match head.and_then(|h| h.get(i)) {
                    Some(h) => super::strings::labelled(h, c),
                    None => c.clone(),
                })
                .collect()
        }
        Some(RecordLine::Text(t)) => super::text::wrap(t, 68),
        None => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "# 记录\n\n| 序号 | 对象 | 检查组（★组长） |\n|---|---|---|\n| 1 | 91140522MA0K5W2R2J 阳城县源丰化工有限公司 | ★YC-018 张三（生态环境局）、YC-019 李四（环境监测站） |\n| 2 | 91140522MA0K5W2R3X 阳城县瑞达科技 | ★YC-001 王五（生态环境局）、YC-002 赵六（生态环境局） |\n\n文字\n";

    #[test]
    fn markdown_tables_become_rows_with_a_header_and_text_stays_text() {
        let lines = parse(MD);
        assert_eq!(lines[0], RecordLine::Text("# 记录".into()));
        match &lines[2] {
            RecordLine::Row {
                table: 1,
                header: true,
                cells,
            } => assert_eq!(cells, &["序号", "对象", "检查组（*组长）"]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(&lines[3], RecordLine::Row { header: false, .. }));
        assert_eq!(lines.len(), 7, "the separator is not a line");
        assert_eq!(lines[6].text(), "文字");
    }

    #[test]
    fn at_80_columns_every_code_of_a_team_is_whole_and_names_give_way() {
        let lines = parse(MD);
        let rows: Vec<&Vec<String>> = lines
            .iter()
            .filter_map(|l| match l {
                RecordLine::Row { cells, .. } => Some(cells),
                _ => None,
            })
            .collect();
        let room = 80 - 4 - 2;
        let w = widths(&rows, room);
        assert!(w.iter().sum::<usize>() + w.len() - 1 <= room, "{w:?}");
        for r in &rows[1..] {
            let text = row_text(r, &w);
            assert!(width(&text) <= room, "{text}");
            for code in codes(&r.join(" ")).split(' ') {
                assert!(text.contains(code), "{code} cut in {text:?}");
            }
        }
        // Wide enough, everything shows, names and departments included.
        let wide = widths(&rows, 200);
        assert!(row_text(rows[1], &wide).contains("张三（生态环境局）"));
    }

    #[test]
    fn a_cell_drops_brackets_then_names_before_it_cuts_a_code() {
        let team = "*YC-018 张三（生态环境局）、YC-019 李四（环境监测站）";
        assert_eq!(fit_cell(team, 60).trim_end(), team);
        assert_eq!(fit_cell(team, 26).trim_end(), "*YC-018 张三、YC-019 李四");
        assert_eq!(fit_cell(team, 16).trim_end(), "*YC-018 YC-019");
        assert_eq!(fit_cell(team, 22).trim_end(), "*YC-018 张三、YC-019..");
        let entity = "91140522MA0K5W2R2J 阳城县源丰化工有限公司";
        assert_eq!(fit_cell(entity, 24).trim_end(), "91140522MA0K5W2R2J 阳..");
        assert_eq!(width(&fit_cell(team, 16)), 16, "padded to the column");
    }

    #[test]
    fn v_on_a_row_labels_each_cell_with_its_header() {
        let lines = parse(MD);
        let full = in_full(&lines, 3);
        assert_eq!(full[0], "序号：1");
        assert!(full[2].starts_with("检查组（*组长）：*YC-018 张三（生态环境局）"));
    }
}
