//! Checking an old Excel workbook (.xls) before calamine reads it.
//!
//! calamine reads a whole .xls at once: it follows the compound file's sector chains as long
//! as their declared lengths say, reserves each worksheet's declared dimension, and lays every
//! worksheet out densely from its first to its last cell. A few crafted bytes can make any of
//! these take all memory. This module walks the same structures first, without copying more
//! than the file holds, and refuses:
//!
//! - a chain of sectors that loops, leaves the file, or a FAT listed more often than the file
//!   has sectors (a damaged file);
//! - a worksheet whose declared dimension or whose cells reach beyond 65,536 rows or
//!   [`MAX_COLUMNS`] columns, or whose cells span more than [`XLS_MAX_CELLS`] cells, counted
//!   over all worksheets (a workbook beyond the limits).

use super::SheetError;
use super::limits::{MAX_COLUMNS, cell_name, refuse};

/// The most rows of an .xls worksheet (the format's own limit).
const XLS_MAX_ROWS: u32 = 65_536;
/// The most cells all worksheets of an .xls may span, from first to last cell: calamine lays
/// them out densely.
pub const XLS_MAX_CELLS: u64 = 4_000_000;

const SIGNATURE: &[u8; 8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;

fn damaged(why: &str) -> SheetError {
    SheetError::Xlsx(format!(
        "工作簿结构异常（{why}），无法读取（请用 Excel 打开后另存为 .xlsx 再导入）"
    ))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The compound file as calamine sees it.
struct Cfb<'a> {
    bytes: &'a [u8],
    sector: usize,
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    fn sector(&self, id: u32) -> Result<&'a [u8], SheetError> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector))
            .ok_or_else(|| damaged("扇区编号超出文件"))?;
        let end = (start + self.sector).min(self.bytes.len());
        self.bytes
            .get(start..end)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| damaged("扇区编号超出文件"))
    }

    /// The bytes of a chain, up to `len`; refuses a chain that loops or leaves the table.
    fn chain(&self, start: u32, len: usize) -> Result<Vec<u8>, SheetError> {
        chain(start, len, &self.fat, |id| self.sector(id))
    }
}

/// Follows a chain in `table` from `start`, taking each unit from `unit`, until the end of
/// the chain or `len` bytes.
fn chain<'a>(
    start: u32,
    len: usize,
    table: &[u32],
    unit: impl Fn(u32) -> Result<&'a [u8], SheetError>,
) -> Result<Vec<u8>, SheetError> {
    let mut out = Vec::new();
    let mut seen = vec![false; table.len()];
    let mut id = start;
    while id != END_OF_CHAIN && out.len() < len {
        let slot = seen
            .get_mut(id as usize)
            .ok_or_else(|| damaged("扇区链指向文件之外"))?;
        if *slot {
            return Err(damaged("扇区链循环"));
        }
        *slot = true;
        let data = unit(id)?;
        let take = data.len().min(len - out.len());
        out.extend_from_slice(&data[..take]);
        id = table[id as usize];
    }
    Ok(out)
}

/// The workbook stream of an .xls file, read as calamine reads it, or why not.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, SheetError> {
    if bytes.len() < 512 || &bytes[..8] != SIGNATURE {
        return Err(damaged("不是 Excel 97-2003 工作簿"));
    }
    let version = u16_at(bytes, 26).unwrap_or(0);
    let sector = match u16_at(bytes, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return Err(damaged("扇区大小无效")),
    };
    let max_id = bytes.len() / sector;
    let fat_len = |id: u32| id < DIFAT_SECTOR;
    let mut cfb = Cfb {
        bytes,
        sector,
        fat: Vec::new(),
    };
    // The FAT's sectors: 109 in the header, then the DIFAT chain (each sector's last entry
    // names the next).
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(bytes, 76 + 4 * i)).collect();
    let mut next = u32_at(bytes, 68).unwrap_or(END_OF_CHAIN);
    let mut hops = 0;
    while next < RESERVED {
        hops += 1;
        if hops > max_id + 1 {
            return Err(damaged("DIFAT 链循环"));
        }
        let s = cfb.sector(next)?;
        difat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, 4 * i)));
        next = difat.pop().unwrap_or(END_OF_CHAIN);
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|id| fat_len(*id)).collect();
    if fat_sectors.len() > max_id + 1 {
        return Err(damaged("FAT 扇区多于文件的扇区"));
    }
    let mut fat = Vec::new();
    for id in fat_sectors {
        let s = cfb.sector(id)?;
        fat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    cfb.fat = fat;

    let dir_start = u32_at(bytes, 48).unwrap_or(END_OF_CHAIN);
    let dirs = cfb.chain(dir_start, usize::MAX)?;
    let entries: Vec<&[u8]> = dirs.chunks(128).filter(|c| c.len() == 128).collect();
    let Some(root) = entries.first() else {
        return Err(damaged("没有根目录"));
    };
    let entry_len = |e: &[u8]| -> usize {
        if sector == 512 {
            u32_at(e, 120).unwrap_or(0) as usize
        } else {
            usize::try_from(u64_at(e, 120).unwrap_or(0)).unwrap_or(usize::MAX)
        }
    };
    let entry_start = |e: &[u8]| u32_at(e, 116).unwrap_or(END_OF_CHAIN);
    let mini_fat_len = u32_at(bytes, 64).unwrap_or(0) as usize;
    let (mini_fat, mini_stream) = if mini_fat_len > 0 {
        let stream = cfb.chain(entry_start(root), entry_len(root))?;
        let table = cfb.chain(
            u32_at(bytes, 60).unwrap_or(END_OF_CHAIN),
            mini_fat_len.saturating_mul(sector),
        )?;
        let table: Vec<u32> = (0..table.len() / 4)
            .filter_map(|i| u32_at(&table, 4 * i))
            .collect();
        (table, stream)
    } else {
        (Vec::new(), Vec::new())
    };
    if version != 3 && entry_start(root) == END_OF_CHAIN {
        return Err(damaged("根目录为空"));
    }
    let name = |e: &[u8]| -> String {
        let units: Vec<u16> = (0..32).filter_map(|i| u16_at(e, 2 * i)).collect();
        let text = String::from_utf16_lossy(&units);
        text.split('\0').next().unwrap_or("").to_string()
    };
    let find = |wanted: &str| {
        entries
            .iter()
            .find(|e| name(e).eq_ignore_ascii_case(wanted))
            .copied()
    };
    let Some(entry) = find("Workbook").or_else(|| find("Book")) else {
        return Err(damaged("没有 Workbook 数据流"));
    };
    let len = entry_len(entry);
    if len < 4096 {
        chain(entry_start(entry), len, &mini_fat, |id| {
            let start = id as usize * 64;
            mini_stream
                .get(start..start + 64)
                .ok_or_else(|| damaged("小扇区超出小流"))
        })
    } else {
        cfb.chain(entry_start(entry), len)
    }
}

/// One BIFF record: its type and data (CONTINUE records are not needed here).
struct Records<'a> {
    stream: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        let typ = u16_at(self.stream, 0)?;
        let len = u16_at(self.stream, 2)? as usize;
        let data = self.stream.get(4..4 + len)?;
        self.stream = &self.stream[4 + len..];
        Some((typ, data))
    }
}

/// The first and last row and column of a worksheet's cells.
#[derive(Default)]
struct Extent(Option<((u32, u32), (u32, u32))>);

impl Extent {
    fn add(&mut self, row: u32, col: u32) -> Result<(), SheetError> {
        if row >= XLS_MAX_ROWS || col >= MAX_COLUMNS {
            return Err(refuse(format!(
                "单元格 {} 超出范围（.xls 工作表最多读取 {XLS_MAX_ROWS} 行、{MAX_COLUMNS} 列）",
                cell_name(row, col)
            )));
        }
        self.0 = Some(match self.0 {
            None => ((row, col), (row, col)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(row), c0.min(col)), (r1.max(row), c1.max(col))),
        });
        Ok(())
    }

    fn cells(&self) -> u64 {
        self.0.map_or(0, |((r0, c0), (r1, c1))| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }
}

fn too_many_cells(cells: u64) -> SheetError {
    refuse(format!(
        ".xls 工作簿的单元格范围共 {cells} 个，超过 {XLS_MAX_CELLS} 个（请用 Excel 另存为 .xlsx 再导入）"
    ))
}

/// Checks one worksheet substream from `stream[pos..]` as calamine reads it (records in
/// embedded substreams skipped); returns the cells it spans.
fn check_sheet(stream: &[u8], pos: usize) -> Result<u64, SheetError> {
    let Some(sheet) = stream.get(pos..) else {
        return Err(damaged("工作表位置超出数据流"));
    };
    let mut extent = Extent::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    for (typ, data) in (Records { stream: sheet }) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let at = |d: &[u8]| -> Option<(u32, u32)> {
            Some((u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?)))
        };
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // DIMENSIONS: first row, last row + 1, first column, last column + 1.
            0x0200 => {
                let (first_row, end_row, end_col) = match data.len() {
                    10 => (
                        u32::from(u16_at(data, 0).unwrap_or(0)),
                        u32::from(u16_at(data, 2).unwrap_or(0)),
                        u32::from(u16_at(data, 6).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u32_at(data, 0).unwrap_or(0),
                        u32_at(data, 4).unwrap_or(0),
                        u32::from(u16_at(data, 10).unwrap_or(0)),
                    ),
                    _ => continue,
                };
                if end_row > XLS_MAX_ROWS || end_col > MAX_COLUMNS {
                    return Err(refuse(format!(
                        "工作表声明的范围有 {end_row} 行、{end_col} 列，超过 .xls 的 {XLS_MAX_ROWS} 行或 {MAX_COLUMNS} 列"
                    )));
                }
                if end_row >= 1 && first_row > end_row - 1 {
                    return Err(damaged("工作表范围的首行在末行之后"));
                }
                let declared =
                    u64::from(end_row.saturating_sub(first_row)) * u64::from(end_col.max(1));
                if declared > XLS_MAX_CELLS {
                    return Err(too_many_cells(declared));
                }
            }
            // NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let Some((row, col)) = at(data) {
                    extent.add(row, col)?;
                }
            }
            // MULRK: row, first column, …, last column.
            0x00BD => {
                if let (Some((row, first)), Some(last)) = (
                    at(data),
                    data.len().checked_sub(2).and_then(|i| u16_at(data, i)),
                ) {
                    extent.add(row, first)?;
                    extent.add(row, u32::from(last))?;
                }
            }
            _ => {}
        }
    }
    match extent.cells() {
        cells if cells > XLS_MAX_CELLS => Err(too_many_cells(cells)),
        cells => Ok(cells),
    }
}

/// Checks an .xls file's bytes before calamine reads them.
pub(crate) fn check_xls(bytes: &[u8]) -> Result<(), SheetError> {
    let stream = workbook_stream(bytes)?;
    // The workbook globals, up to their EOF: where each worksheet starts (BOUNDSHEET).
    let mut positions = Vec::new();
    for (typ, data) in (Records { stream: &stream }) {
        match typ {
            0x0085 => positions.push(u32_at(data, 0).unwrap_or(0) as usize),
            0x000A => break,
            _ => {}
        }
    }
    let mut spans = std::collections::HashMap::new();
    let mut total: u64 = 0;
    for pos in positions {
        let cells = match spans.get(&pos) {
            Some(&c) => c,
            None => {
                let c = check_sheet(&stream, pos)?;
                spans.insert(pos, c);
                c
            }
        };
        total = total.saturating_add(cells);
        if total > XLS_MAX_CELLS {
            return Err(too_many_cells(total));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    fn cell(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        record(0x0203, &d)
    }

    fn sheet(records: &[Vec<u8>]) -> Vec<u8> {
        let mut s = record(0x0809, &[0; 16]);
        for r in records {
            s.extend(r);
        }
        s.extend(record(0x000A, &[]));
        s
    }

    #[test]
    fn sheets_are_checked_by_cells_and_declared_dimension() {
        let ok = sheet(&[cell(0, 0), cell(999, 29)]);
        assert_eq!(check_sheet(&ok, 0).unwrap(), 1000 * 30);
        let wide = sheet(&[cell(0, 0), cell(1, 250)]);
        assert!(matches!(check_sheet(&wide, 0), Err(SheetError::Limit(_))));
        let spread = sheet(&[cell(0, 0), cell(65_535, 199)]);
        assert!(matches!(check_sheet(&spread, 0), Err(SheetError::Limit(_))));
        let mut dim = 0u32.to_le_bytes().to_vec();
        dim.extend(4_000_000_000u32.to_le_bytes());
        dim.extend([0u8; 6]);
        let declared = sheet(&[record(0x0200, &dim)]);
        assert!(matches!(
            check_sheet(&declared, 0),
            Err(SheetError::Limit(_))
        ));
        let mut backwards = 9u32.to_le_bytes().to_vec();
        backwards.extend(3u32.to_le_bytes());
        backwards.extend([0, 0, 5, 0, 0, 0]);
        let backwards = sheet(&[record(0x0200, &backwards)]);
        assert!(matches!(
            check_sheet(&backwards, 0),
            Err(SheetError::Xlsx(_))
        ));
        // Cells inside an embedded chart's substream are not the worksheet's.
        let chart = sheet(&[record(0x0809, &[0; 16]), cell(0, 250), record(0x000A, &[])]);
        assert_eq!(check_sheet(&chart, 0).unwrap(), 0);
    }

    #[test]
    fn not_a_compound_file_and_looping_chains_are_damaged() {
        assert!(matches!(check_xls(b"PK\x03\x04"), Err(SheetError::Xlsx(_))));
        // A header whose directory chain is one sector pointing at itself.
        let mut bytes = vec![0u8; 512 * 3];
        bytes[..8].copy_from_slice(SIGNATURE);
        bytes[26..28].copy_from_slice(&3u16.to_le_bytes());
        bytes[30..32].copy_from_slice(&9u16.to_le_bytes());
        bytes[32..34].copy_from_slice(&6u16.to_le_bytes());
        bytes[44..48].copy_from_slice(&1u32.to_le_bytes());
        bytes[48..52].copy_from_slice(&1u32.to_le_bytes()); // directory at sector 1
        bytes[68..72].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        for i in 0..109 {
            let at = 76 + 4 * i;
            let v = if i == 0 { 0u32 } else { 0xFFFF_FFFF };
            bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        // FAT (sector 0): sector 0 is a FAT sector, sector 1 points to itself.
        bytes[512..516].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
        bytes[516..520].copy_from_slice(&1u32.to_le_bytes());
        let err = check_xls(&bytes).unwrap_err();
        assert!(err.to_string().contains("扇区链循环"), "{err}");
    }
}
