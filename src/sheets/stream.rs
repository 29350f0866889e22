//! Reading a CSV file as a stream of rows (逐行读取): the bytes are hashed as they are read,
//! decoded in pieces (UTF-8 with or without BOM, UTF-16 with a BOM, else GBK, as
//! [`super::decode_text`] decides for a whole file) and parsed one record at a time, so an
//! import holds one row at a time instead of the whole file three or four times over.
//!
//! The encoding of a file without a BOM is decided before parsing by a first pass that checks
//! the bytes are UTF-8 (it stops at the first byte that is not, so a GBK file is barely read);
//! the second pass decodes, hashes and parses. Memory stays constant whatever the file's size.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use encoding_rs::{DecoderResult, Encoding};
use sha2::{Digest, Sha256};

use super::cells::unguard_formula;
use super::limits::{MAX_BYTES, check_csv_row, check_file_bytes, check_file_size};
use super::{Row, SheetError, TextEncoding};

/// Size of the pieces read and decoded.
const CHUNK: usize = 64 * 1024;
/// How many title rows may come before the header (as for a workbook).
const MAX_TITLE_ROWS: usize = 3;

/// Why a read inside the stream failed, carried through `std::io::Error` to the CSV reader
/// and back.
#[derive(Debug)]
enum Fail {
    /// Bytes that are not in the file's encoding, or a NUL (binary data).
    Encoding,
    /// More than [`MAX_BYTES`] bytes.
    TooLarge(u64),
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Fail {}

fn fail(why: Fail) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why)
}

/// The bytes read so far hashed (SHA-256) and counted, refused past [`MAX_BYTES`].
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if self.bytes > MAX_BYTES {
            return Err(fail(Fail::TooLarge(self.bytes)));
        }
        Ok(n)
    }
}

/// UTF-8 text decoded from `inner` piece by piece, without replacement: a byte sequence that
/// is not in the encoding, or a NUL, is an error.
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    out: Vec<u8>,
    out_at: usize,
}

impl<R: Read> Decoding<R> {
    fn new(inner: R, encoding: &'static Encoding, bom: bool) -> Self {
        let decoder = if bom {
            encoding.new_decoder_with_bom_removal()
        } else {
            encoding.new_decoder_without_bom_handling()
        };
        Decoding {
            inner,
            decoder,
            input: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            done: false,
            out: Vec::new(),
            out_at: 0,
        }
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_at < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_at);
                buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
                self.out_at += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                (self.start, self.end, self.eof) = (0, n, n == 0);
            }
            let src = &self.input[self.start..self.end];
            let room = self
                .decoder
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(CHUNK * 4)
                .max(16);
            self.out.clear();
            self.out.resize(room, 0);
            self.out_at = 0;
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, self.eof);
            self.start += read;
            self.out.truncate(written);
            match result {
                DecoderResult::InputEmpty => self.done = self.eof,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(_, _) => return Err(fail(Fail::Encoding)),
            }
            // A NUL means binary data, not a spreadsheet saved as text.
            if self.out.contains(&0) {
                return Err(fail(Fail::Encoding));
            }
        }
    }
}

/// The encoding of a text file, decided as [`super::decode_text`] does for the whole file:
/// a BOM (UTF-8, UTF-16), else UTF-8 when every byte is, else GBK. Reads the file up to the
/// first byte that is not UTF-8 (all of it for a UTF-8 file without BOM), in pieces.
fn sniff<R: Read>(mut r: R) -> std::io::Result<(&'static Encoding, TextEncoding, bool, bool)> {
    let mut buf = vec![0u8; CHUNK];
    let mut have = 0;
    // The first bytes, enough for a BOM or the zip signature.
    while have < 4 {
        match r.read(&mut buf[have..])? {
            0 => break,
            n => have += n,
        }
    }
    let head = &buf[..have];
    let zip = head.starts_with(b"PK\x03\x04");
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok((encoding_rs::UTF_8, TextEncoding::Utf8Bom, true, zip));
    }
    if head.starts_with(b"\xFF\xFE") {
        return Ok((encoding_rs::UTF_16LE, TextEncoding::Utf16, true, zip));
    }
    if head.starts_with(b"\xFE\xFF") {
        return Ok((encoding_rs::UTF_16BE, TextEncoding::Utf16, true, zip));
    }
    // UTF-8 throughout, checked piece by piece; a sequence cut by a piece's end is carried.
    let mut carry;
    loop {
        match std::str::from_utf8(&buf[..have]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => carry = have - e.valid_up_to(),
            Err(_) => return Ok((encoding_rs::GBK, TextEncoding::Gbk, false, zip)),
        }
        buf.copy_within(have - carry..have, 0);
        let n = r.read(&mut buf[carry..])?;
        if n == 0 {
            break;
        }
        have = carry + n;
    }
    if carry > 0 {
        return Ok((encoding_rs::GBK, TextEncoding::Gbk, false, zip));
    }
    Ok((encoding_rs::UTF_8, TextEncoding::Utf8, false, zip))
}

/// The rows of a CSV file (comma- or tab-separated), one at a time, after its header.
pub struct CsvStream<R> {
    reader: csv::Reader<BufReader<Decoding<Hashing<R>>>>,
    path: Option<PathBuf>,
    record: csv::StringRecord,
    /// Records read so far (numbered from 1, as the rows are).
    records: usize,
    /// Rows read while looking for the header, not yet handed out.
    ahead: VecDeque<Row>,
    header_row: usize,
    headers: Vec<String>,
    encoding: TextEncoding,
}

/// Opens a CSV file as a stream of rows (refused beyond the import limits).
pub fn open_csv(path: &Path) -> Result<CsvStream<std::fs::File>, SheetError> {
    check_file_size(path)?;
    let file = std::fs::File::open(path).map_err(|e| SheetError::io(path, e))?;
    CsvStream::new(file, Some(path.to_path_buf()))
}

impl<R: Read + Seek> CsvStream<R> {
    /// A stream over `inner` (read from its start), its header found. `path` names the
    /// file in I/O errors.
    pub fn new(mut inner: R, path: Option<PathBuf>) -> Result<Self, SheetError> {
        let io = |e: std::io::Error| io_error(path.as_deref(), e);
        let (encoding, label, bom, zip) = sniff(&mut inner).map_err(io)?;
        if zip {
            return Err(SheetError::Csv(
                "该文件实际是 Excel 工作簿，请把扩展名改为 .xlsx 后再导入".to_string(),
            ));
        }
        inner.seek(SeekFrom::Start(0)).map_err(io)?;
        let hashing = Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        };
        let mut text = BufReader::with_capacity(CHUNK, Decoding::new(hashing, encoding, bom));
        // The delimiter, from the first line as far as the first piece holds it.
        let head = text
            .fill_buf()
            .map_err(|e| stream_error(path.as_deref(), e))?;
        let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
        let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
        let delimiter = if count(b'\t') > count(b',') {
            b'\t'
        } else {
            b','
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(CHUNK)
            .from_reader(text);
        let mut stream = CsvStream {
            reader,
            path,
            record: csv::StringRecord::new(),
            records: 0,
            ahead: VecDeque::new(),
            header_row: 0,
            headers: Vec::new(),
            encoding: label,
        };
        stream.find_header()?;
        Ok(stream)
    }

    /// The header: the first row that is not blank, after at most three title rows (rows
    /// with a single filled cell followed by a wider row).
    fn find_header(&mut self) -> Result<(), SheetError> {
        while self.ahead.len() < MAX_TITLE_ROWS + 1 {
            match self.next_filled()? {
                Some(row) => self.ahead.push_back(row),
                None => break,
            }
        }
        let titles = self
            .ahead
            .iter()
            .position(|r| filled(&r.cells) > 1)
            .unwrap_or(0);
        self.ahead.drain(..titles);
        let header = self.ahead.pop_front().ok_or(SheetError::Empty)?;
        self.header_row = header.number;
        self.headers = header.cells;
        Ok(())
    }

    /// The next record that is not blank, its trailing empty cells dropped.
    fn next_filled(&mut self) -> Result<Option<Row>, SheetError> {
        loop {
            let more = self.reader.read_record(&mut self.record).map_err(|e| {
                if let csv::ErrorKind::Io(io) = e.kind()
                    && let Some(known) = known(io)
                {
                    return known;
                }
                let line = e.position().map_or(self.records + 1, |p| p.line() as usize);
                let message = format!("第{line}行无法解析：{e}");
                match e.into_kind() {
                    csv::ErrorKind::Io(io) => io_error(self.path.as_deref(), io),
                    _ => SheetError::Csv(message),
                }
            })?;
            if !more {
                return Ok(None);
            }
            self.records += 1;
            let record = &self.record;
            // Trailing empty cells count for nothing; a blank row is left out at once.
            let filled = (0..record.len())
                .rev()
                .find(|&at| record.get(at).is_some_and(|c| !c.trim().is_empty()))
                .map_or(0, |last| last + 1);
            check_csv_row(self.records, filled)?;
            if filled > 0 {
                return Ok(Some(Row {
                    number: self.records,
                    cells: record.iter().take(filled).map(unguard_formula).collect(),
                }));
            }
        }
    }

    /// The header's row number.
    pub fn header_row(&self) -> usize {
        self.header_row
    }

    /// The header's cells.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The encoding the file was decoded from.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The next data row (blank rows left out), or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row>, SheetError> {
        match self.ahead.pop_front() {
            Some(row) => Ok(Some(row)),
            None => self.next_filled(),
        }
    }

    /// The bytes of the file read so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().get_ref().inner.bytes
    }

    /// The SHA-256 of the whole file, in hex (what is left of it is read first).
    pub fn digest(&mut self) -> Result<String, SheetError> {
        let path = self.path.clone();
        let hashing = &mut self.reader.get_mut().get_mut().inner;
        std::io::copy(hashing, &mut std::io::sink())
            .map_err(|e| stream_error(path.as_deref(), e))?;
        check_file_bytes(hashing.bytes)?;
        Ok(hex::encode(hashing.hasher.clone().finalize()))
    }
}

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

/// The refusal an error raised inside the stream stands for, if it is one of ours.
fn known(e: &std::io::Error) -> Option<SheetError> {
    match e.get_ref()?.downcast_ref::<Fail>()? {
        Fail::Encoding => Some(SheetError::Encoding),
        Fail::TooLarge(bytes) => Some(
            check_file_bytes(*bytes)
                .err()
                .unwrap_or(SheetError::Encoding),
        ),
    }
}

fn stream_error(path: Option<&Path>, e: std::io::Error) -> SheetError {
    known(&e).unwrap_or_else(|| io_error(path, e))
}

fn io_error(path: Option<&Path>, e: std::io::Error) -> SheetError {
    match path {
        Some(p) => SheetError::io(p, e),
        None => SheetError::Io(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn rows(bytes: &[u8]) -> Result<(usize, Vec<String>, Vec<Row>, String), SheetError> {
        let mut s = CsvStream::new(Cursor::new(bytes.to_vec()), None)?;
        let mut out = Vec::new();
        while let Some(r) = s.next_row()? {
            out.push(r);
        }
        let (header_row, headers) = (s.header_row(), s.headers().to_vec());
        Ok((header_row, headers, out, s.digest()?))
    }

    #[test]
    fn the_digest_is_the_whole_files_with_its_bom() {
        let text = "\u{feff}名称,乡镇\r\n甲,町店镇\r\n";
        let (_, headers, rows, sha) = rows(text.as_bytes()).unwrap();
        assert_eq!(headers, vec!["名称", "乡镇"]);
        assert_eq!(rows[0].cells, vec!["甲", "町店镇"]);
        assert_eq!(sha, hex::encode(Sha256::digest(text.as_bytes())));
    }

    #[test]
    fn gbk_is_decoded_across_piece_boundaries() {
        // Many rows, so that two-byte characters straddle the 64 KiB pieces.
        let mut text = String::from("名称,乡镇\r\n");
        for i in 0..20_000 {
            text.push_str(&format!("甲{i},町店镇\r\n"));
        }
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let s = CsvStream::new(Cursor::new(gbk.to_vec()), None).unwrap();
        assert_eq!(s.encoding(), TextEncoding::Gbk);
        let (_, _, rows, sha) = rows(&gbk).unwrap();
        assert_eq!(rows.len(), 20_000);
        assert_eq!(rows[19_999].cells, vec!["甲19999", "町店镇"]);
        assert_eq!(sha, hex::encode(Sha256::digest(&gbk)));
    }

    #[test]
    fn utf8_without_bom_with_a_late_gbk_byte_is_gbk() {
        // The first pass must look past the first piece to tell.
        let mut bytes = "名称,乡镇\r\n".as_bytes().to_vec();
        for i in 0..10_000 {
            bytes.extend(format!("a{i},b\r\n").as_bytes());
        }
        bytes.extend(encoding_rs::GBK.encode("甲,町店镇\r\n").0.iter());
        let s = CsvStream::new(Cursor::new(bytes.clone()), None);
        // The header was UTF-8 Chinese, which GBK cannot decode the same: the file is
        // refused or read as GBK, exactly as `decode_text` reads it whole.
        match (s, crate::sheets::decode_text(&bytes)) {
            (Ok(s), Ok((_, enc))) => assert_eq!(s.encoding(), enc),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("stream {:?} vs whole {:?}", a.err(), b.err()),
        }
    }

    #[test]
    fn a_nul_or_a_bad_byte_is_an_encoding_error() {
        let err = rows(b"a,b\r\nc,\0\r\n").unwrap_err();
        assert!(matches!(err, SheetError::Encoding), "{err}");
        // 0xFF is never GBK.
        let err = rows(b"a,b\r\n\xFF\xFF,c\r\n").unwrap_err();
        assert!(matches!(err, SheetError::Encoding), "{err}");
    }
}
