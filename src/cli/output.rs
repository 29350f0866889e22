//! Printing: aligned tables by display width, JSON, and neutralising control characters so
//! nothing stored can drive the terminal. A closed pipe (`| head`) ends a command quietly
//! ([`Failure::Quiet`](super::Failure::Quiet)).

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::{CliResult, Failure, messages};
use shuangsuiji::domain::text::{is_invisible, visible};

#[derive(Debug, clap::Args)]
pub struct JsonFlag {
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

/// Replaces control characters (escape sequences included) with U+FFFD, keeping newlines,
/// and writes invisible characters (bidi controls, zero-width) out as `<U+202E>`
/// (`domain::text::visible`, as the dashboard shows them).
pub fn clean(text: &str) -> String {
    visible(text)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// One line for a table cell: control characters and newlines neutralised.
fn cell(text: &str) -> String {
    clean(text).replace('\n', " ")
}

/// `--json`: the items as JSON; otherwise a table, one row an item.
pub fn listing<T: Serialize>(
    json: bool,
    headers: &[&str],
    items: &[T],
    row: impl FnMut(&T) -> Vec<String>,
) -> CliResult {
    if json {
        return self::json(&items);
    }
    table_of(headers, items, row)
}

/// As [`listing`], with a line under the table that counts the items: “共 N 个”.
pub fn counted_listing<T: Serialize>(
    json: bool,
    headers: &[&str],
    items: &[T],
    unit: &str,
    row: impl FnMut(&T) -> Vec<String>,
) -> CliResult {
    listing(json, headers, items, row)?;
    if !json {
        say(&messages::total(items.len(), unit));
    }
    Ok(())
}

/// Prints a table with one row for each item.
pub fn table_of<T>(
    headers: &[&str],
    items: impl IntoIterator<Item = T>,
    row: impl FnMut(T) -> Vec<String>,
) -> CliResult {
    let rows: Vec<Vec<String>> = items.into_iter().map(row).collect();
    table(headers, &rows)
}

/// Prints rows as a table whose columns are aligned by display width (CJK = 2 columns).
fn table(headers: &[&str], rows: &[Vec<String>]) -> CliResult {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cell(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.width());
            }
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let line = |cells: Vec<&str>| -> String {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c.to_string()
                } else {
                    format!("{c}{}", " ".repeat(widths[i] - c.width()))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    for r in &rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(out.flush()?)
}

/// Prints a value as pretty JSON. serde_json escapes C0 controls; DEL and the C1 controls
/// (U+0080–U+009F, which some terminals obey) are escaped here too, and so are invisible
/// characters (`\u202e`): the value read back is the stored one, the text seen shows them.
pub fn json<T: Serialize>(value: &T) -> CliResult {
    let mut out = SafeJson::new(std::io::BufWriter::new(std::io::stdout().lock()));
    // Streamed: a run record of a large county (tens of megabytes) is written as it is
    // serialised, never held whole as text.
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    let mut inner = out.finish()?;
    writeln!(inner)?;
    Ok(inner.flush()?)
}

/// Writes JSON text through, with DEL, the C1 controls and invisible characters written as
/// `\uXXXX` escapes (inside strings, where they can only be, that is the same text), so
/// nothing printed can drive the terminal or hide in it.
pub struct SafeJson<W: Write> {
    inner: W,
    /// The first bytes of a character whose rest is in the next write.
    pending: Vec<u8>,
}

impl<W: Write> SafeJson<W> {
    pub fn new(inner: W) -> Self {
        SafeJson {
            inner,
            pending: Vec::new(),
        }
    }

    /// The writer, once everything written was whole characters.
    pub fn finish(self) -> std::io::Result<W> {
        if self.pending.is_empty() {
            Ok(self.inner)
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "JSON text ended inside a character",
            ))
        }
    }

    fn write_whole(&mut self, text: &str) -> std::io::Result<()> {
        let mut from = 0;
        for (i, c) in text.char_indices() {
            if c.is_ascii() && c != '\u{7f}' {
                continue;
            }
            if ('\u{7f}'..='\u{9f}').contains(&c) || is_invisible(c) {
                self.inner.write_all(&text.as_bytes()[from..i])?;
                write!(self.inner, "\\u{:04x}", c as u32)?;
                from = i + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[from..])
    }
}

impl<W: Write> Write for SafeJson<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let bytes = if self.pending.is_empty() {
            buf
        } else {
            self.pending.extend_from_slice(buf);
            joined = std::mem::take(&mut self.pending);
            &joined[..]
        };
        let (whole, rest) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, &[][..]),
            Err(e) if e.error_len().is_none() => {
                let (a, b) = bytes.split_at(e.valid_up_to());
                (std::str::from_utf8(a).expect("valid up to here"), b)
            }
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        self.write_whole(whole)?;
        self.pending = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Prints `label：value` lines, labels padded by display width.
pub fn fields(pairs: &[(&str, String)]) -> CliResult {
    let w = pairs.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (k, v) in pairs {
        writeln!(out, "{k}{}  {}", " ".repeat(w - k.width()), cell(v))?;
    }
    Ok(out.flush()?)
}

/// A file named on the command line, as text; `-` is standard input.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    if super::stdio::is_stdio(path) {
        let bytes = super::stdio::read_small(path, super::stdio::SMALL_LIMIT)?;
        return String::from_utf8(bytes).map_err(|_| {
            Failure::Message(format!(
                "{} 不是 UTF-8 编码的文本",
                super::stdio::STDIN_NAME
            ))
        });
    }
    std::fs::read_to_string(path).map_err(|e| Failure::Message(messages::unreadable(path, &e)))
}

/// Why a file could not be read, in words: missing, a directory, no permission, or the
/// system's own text for anything rarer.
pub fn io_problem(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let why = match e.kind() {
        ErrorKind::NotFound => "文件不存在".to_string(),
        ErrorKind::PermissionDenied => "没有读取权限".to_string(),
        ErrorKind::IsADirectory => "这是一个目录，不是文件".to_string(),
        _ => format!("读取失败（{e}）"),
    };
    messages::unreadable(path, why)
}

/// Set while standard output carries a file (`export … -`): messages go to standard error.
static STDOUT_CARRIES_FILE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// From now on [`say`] writes to standard error, because standard output carries a file.
pub fn messages_to_stderr() {
    STDOUT_CARRIES_FILE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Prints one line of plain text, neutralised. A closed pipe (`| head`) is not an error.
pub fn say(text: &str) {
    if STDOUT_CARRIES_FILE.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(std::io::stderr().lock(), "{}", clean(text));
    } else {
        let _ = writeln!(std::io::stdout().lock(), "{}", clean(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        assert_eq!(clean("甲\u{1b}[2J乙\r"), "甲\u{FFFD}[2J乙\u{FFFD}");
        assert_eq!(cell("a\nb"), "a b");
    }

    /// What `json` printed before it streamed: the whole pretty text, then escaped.
    fn escaped_whole(text: &str) -> String {
        let mut safe = String::new();
        for c in text.chars() {
            if ('\u{7f}'..='\u{9f}').contains(&c) || is_invisible(c) {
                safe.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                safe.push(c);
            }
        }
        safe
    }

    #[test]
    fn streamed_json_is_escaped_as_the_whole_text_was() {
        let value = serde_json::json!({
            "名称": "沁河\u{7f}\u{85}\u{9f}\u{202E}甲\u{200B}乙\u{FEFF}😀",
            "n": [1, 2, "\u{1b}[2J"],
        });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let expected = escaped_whole(&text);
        // Written whole, and one byte at a time (characters split across writes).
        let mut whole = SafeJson::new(Vec::new());
        serde_json::to_writer_pretty(&mut whole, &value).unwrap();
        assert_eq!(
            String::from_utf8(whole.finish().unwrap()).unwrap(),
            expected
        );
        let mut bytewise = SafeJson::new(Vec::new());
        for b in text.as_bytes() {
            bytewise.write_all(std::slice::from_ref(b)).unwrap();
        }
        assert_eq!(
            String::from_utf8(bytewise.finish().unwrap()).unwrap(),
            expected
        );
        assert!(expected.contains("\\u007f") && expected.contains("\\u202e"));
    }

    #[test]
    fn invisible_characters_are_written_out() {
        assert_eq!(clean("甲\u{202E}乙\u{200B}"), "甲<U+202E>乙<U+200B>");
    }
}
