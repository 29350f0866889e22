//! `-` as a file name: standard input for a file a command reads, standard output for a file
//! it writes. This is how files pass through an SSH forced command (`serve`), where the
//! server's own files are out of reach: `ssh bureau import entities - < 名录.xlsx`,
//! `ssh bureau export entities - --format csv > 名录.csv`.
//!
//! The services read and write files by path (a workbook is checked and read through one open
//! file; an export is staged and renamed into place), so standard input is first copied to a
//! private temporary directory, and an export to standard output is written there and then
//! copied out. The directory is the process's own (mode 0700) and is removed when the command
//! ends.

use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::{CliResult, Failure};
use shuangsuiji::sheets::limits::MAX_BYTES;

/// Whether a file argument is `-`.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How a file given as `-` is named in messages, reports and the audit log.
pub const STDIN_NAME: &str = "标准输入";
pub const STDOUT_NAME: &str = "标准输出";

/// The format of a file written to standard output (`--format`), where no extension says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
    /// Markdown（报告）
    Md,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Md => "md",
        }
    }
}

/// A private directory for one command's file, removed (with what is in it) when dropped.
pub struct Spool {
    dir: PathBuf,
}

impl Spool {
    fn new() -> Result<Spool, Failure> {
        let base = std::env::temp_dir();
        let mut last = None;
        for _ in 0..8 {
            let dir = base.join(format!(
                ".shuangsuiji-{}-{:012x}",
                std::process::id(),
                rand::random::<u64>() >> 16
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(Spool { dir }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(spool_failed(&base, &e)),
            }
        }
        let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
        Err(spool_failed(&base, &e))
    }
}

fn spool_failed(base: &Path, e: &std::io::Error) -> Failure {
    Failure::Message(format!(
        "无法在临时目录 {} 中建立临时文件：{e}",
        base.display()
    ))
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Refuses to wait on a terminal for a file that was meant to come through a pipe.
fn stdin_not_a_terminal() -> Result<(), Failure> {
    if std::io::stdin().is_terminal() {
        return Err(Failure::Message(
            "文件写作 - 时从标准输入读取，但标准输入是终端：请用 < 文件 或管道传入（如 ssh 服务器 import entities - < 名录.xlsx）"
                .to_string(),
        ));
    }
    Ok(())
}

/// Reads all of standard input, at most `limit` bytes; more is refused.
fn read_stdin(limit: u64) -> Result<Vec<u8>, Failure> {
    stdin_not_a_terminal()?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Message(format!("读取标准输入失败：{e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::Message(format!(
            "标准输入超过 {} MB，未读取",
            limit / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// The bytes of a small file named on the command line (a result, a task, a draw record):
/// the file, or standard input for `-`; at most `limit` bytes from standard input.
pub fn read_small(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    if is_stdio(path) {
        return read_stdin(limit);
    }
    std::fs::read(path).map_err(|e| Failure::Message(super::output::io_problem(path, &e)))
}

/// How a file read is named in messages: its path, or 标准输入.
pub fn shown_input(path: &Path) -> String {
    if is_stdio(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// The most a result file, task definition or draw record read from standard input may hold.
pub const SMALL_LIMIT: u64 = 16 * 1024 * 1024;

/// What a sheet's bytes are, by their first bytes: a zip (.xlsx), an OLE compound file
/// (.xls), JSON (an export of ours: `[` or `{` first), else CSV text.
pub fn sheet_extension(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"PK\x03\x04") {
        return "xlsx";
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return "xls";
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[' | b'{') => "json",
        _ => "csv",
    }
}

/// A sheet given as `-`: standard input, kept in a private temporary file named by what its
/// bytes are (`标准输入.xlsx`) while the import reads it.
pub struct StdinSheet {
    _spool: Spool,
    path: PathBuf,
    name: String,
}

impl StdinSheet {
    /// Copies standard input (at most the import limit, 500 MB) to the temporary file.
    pub fn read() -> Result<StdinSheet, Failure> {
        stdin_not_a_terminal()?;
        let spool = Spool::new()?;
        let mut stdin = std::io::stdin().lock();
        let mut head = Vec::new();
        (&mut stdin)
            .take(8)
            .read_to_end(&mut head)
            .map_err(|e| Failure::Message(format!("读取标准输入失败：{e}")))?;
        // The extension needs a look past a BOM and blank space for JSON: read a little more.
        let mut start = head.clone();
        if sheet_extension(&head) == "csv" {
            (&mut stdin)
                .take(4096)
                .read_to_end(&mut start)
                .map_err(|e| Failure::Message(format!("读取标准输入失败：{e}")))?;
        }
        if start.is_empty() {
            return Err(Failure::Message(
                "标准输入没有内容：请用 < 文件 或管道传入要导入的文件".to_string(),
            ));
        }
        let ext = sheet_extension(&start);
        let name = format!("{STDIN_NAME}.{ext}");
        let path = spool.dir.join(&name);
        let written = (|| -> std::io::Result<u64> {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)?;
            file.write_all(&start)?;
            let rest = std::io::copy(&mut (&mut stdin).take(MAX_BYTES + 1), &mut file)?;
            file.flush()?;
            Ok(start.len() as u64 + rest)
        })()
        .map_err(|e| Failure::Message(format!("读取标准输入失败：{e}")))?;
        if written > MAX_BYTES {
            return Err(Failure::Message(format!(
                "文件超出导入上限：文件大小超过 {} MB",
                MAX_BYTES / (1024 * 1024)
            )));
        }
        Ok(StdinSheet {
            _spool: spool,
            path,
            name,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `标准输入.xlsx`: how the report and the audit log name it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Where a command writes the file it was given: the path, or standard output for `-`
/// (through a temporary file named `标准输出.EXT`, copied out by [`Output::finish`]).
pub enum Output {
    File(PathBuf),
    Stdout { _spool: Spool, path: PathBuf },
}

impl Output {
    /// The output for `file`. For `-` the format comes from `format`, else `default`; with
    /// neither the command is refused (nothing else says what to write). `--format` with a
    /// file name is refused: the extension says it. While standard output carries the file,
    /// the command's own messages go to standard error.
    pub fn of(
        file: &Path,
        format: Option<Format>,
        default: Option<Format>,
    ) -> Result<Output, Failure> {
        if !is_stdio(file) {
            if format.is_some() {
                return Err(Failure::Message(
                    "--format 只用于输出到标准输出（文件名写作 -）；写入文件时按扩展名确定格式"
                        .to_string(),
                ));
            }
            return Ok(Output::File(file.to_path_buf()));
        }
        let Some(format) = format.or(default) else {
            return Err(Failure::Message(
                "输出到标准输出（-）时须用 --format 指明格式（如 --format csv）".to_string(),
            ));
        };
        let spool = Spool::new()?;
        let path = spool
            .dir
            .join(format!("{STDOUT_NAME}.{}", format.extension()));
        super::output::messages_to_stderr();
        Ok(Output::Stdout {
            _spool: spool,
            path,
        })
    }

    /// The path the service writes to.
    pub fn path(&self) -> &Path {
        match self {
            Output::File(p) => p,
            Output::Stdout { path, .. } => path,
        }
    }

    /// How messages name it: the file, or 标准输出.
    pub fn shown(&self) -> String {
        match self {
            Output::File(p) => p.display().to_string(),
            Output::Stdout { .. } => STDOUT_NAME.to_string(),
        }
    }

    /// Copies a file written for standard output there; nothing to do for a file.
    pub fn finish(self) -> CliResult {
        if let Output::Stdout { path, .. } = &self {
            let mut file = std::fs::File::open(path)
                .map_err(|e| Failure::Message(format!("读取临时文件失败：{e}")))?;
            let mut out = std::io::stdout().lock();
            std::io::copy(&mut file, &mut out)?;
            out.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_are_told_apart_by_their_bytes() {
        assert_eq!(sheet_extension(b"PK\x03\x04rest"), "xlsx");
        assert_eq!(
            sheet_extension(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1..."),
            "xls"
        );
        assert_eq!(sheet_extension(b"\xEF\xBB\xBF  \n[{\"a\":1}]"), "json");
        assert_eq!(sheet_extension(b"{\"a\":1}"), "json");
        assert_eq!(sheet_extension("统一社会信用代码,名称\n".as_bytes()), "csv");
        assert_eq!(sheet_extension(b"\xEF\xBB\xBFcode,name"), "csv");
        assert_eq!(sheet_extension(b""), "csv");
    }

    #[test]
    fn a_format_is_needed_for_standard_output_only() {
        let dash = Path::new("-");
        assert!(Output::of(dash, None, None).is_err());
        let named = Output::of(Path::new("a.csv"), None, None);
        assert!(matches!(named, Ok(Output::File(ref p)) if p == Path::new("a.csv")));
        assert!(Output::of(Path::new("a.csv"), Some(Format::Csv), None).is_err());
    }
}
