//! Old binary Excel files (.xls, Excel 97–2003): BIFF8 records in an OLE2 compound file,
//! written by hand so tests exercise the reader on the format offices still send.
//!
//! Only what a reader needs to see the cells is written: the workbook globals (BOF, CODEPAGE
//! 1200, the FORMAT and XF records a date cell refers to, one BOUNDSHEET per sheet, EOF) and
//! each sheet (BOF, DIMENSIONS, LABEL, NUMBER, MERGEDCELLS, EOF); not the fonts, styles,
//! window and print records Excel adds. Strings are UTF-16 (MS-XLS 2.5.294), so Chinese needs
//! no code page. The container is a version-3 compound file (512-byte sectors) with one stream,
//! `Workbook`, padded to the 4096 bytes below which a stream would live in the mini stream.

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum XlsCell {
    Empty,
    Text(String),
    Number(f64),
    /// A date cell: the Excel serial with a date format (`yyyy"年"m"月"d"日"`).
    Date(i32, u32, u32),
}

/// A sheet: its name, rows of cells, and merged ranges (first row, last row, first column,
/// last column), as `MERGEDCELLS` gives them.
pub struct XlsSheet<'a> {
    pub name: &'a str,
    pub rows: Vec<Vec<XlsCell>>,
    pub merges: Vec<(u16, u16, u16, u16)>,
}

/// The index of the XF record date cells use, and of the general one text and numbers use.
const XF_DATE: u16 = 16;
const XF_CELL: u16 = 15;
const FMT_DATE: u16 = 164;

fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    assert!(
        data.len() <= 8224,
        "a BIFF8 record holds at most 8224 bytes"
    );
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// XLUnicodeString: 16-bit length, flags (1: UTF-16LE), the characters.
fn unicode_string(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = (units.len() as u16).to_le_bytes().to_vec();
    v.push(1);
    for u in units {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

fn bof(dt: u16) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0x0600u16.to_le_bytes()); // BIFF8
    v.extend_from_slice(&dt.to_le_bytes()); // 0x0005 globals, 0x0010 worksheet
    v.extend_from_slice(&0x0DBBu16.to_le_bytes()); // build
    v.extend_from_slice(&1996u16.to_le_bytes()); // year
    v.extend_from_slice(&[0; 8]); // file history, lowest version
    v
}

/// Days since 1899-12-30: Excel's 1900 date system (its phantom 1900-02-29 lies before every
/// date a list holds).
fn serial(y: i32, m: u32, d: u32) -> f64 {
    let day = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
    (day - base).num_days() as f64
}

fn sheet_stream(s: &XlsSheet) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0809, &bof(0x0010));
    let rows = s.rows.len() as u32;
    let cols = s.rows.iter().map(Vec::len).max().unwrap_or(0) as u16;
    let mut dim = Vec::new();
    dim.extend_from_slice(&0u32.to_le_bytes());
    dim.extend_from_slice(&rows.to_le_bytes()); // last row + 1
    dim.extend_from_slice(&0u16.to_le_bytes());
    dim.extend_from_slice(&cols.to_le_bytes()); // last column + 1
    dim.extend_from_slice(&0u16.to_le_bytes());
    record(&mut out, 0x0200, &dim);
    for (r, row) in s.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let mut head = Vec::new();
            head.extend_from_slice(&(r as u16).to_le_bytes());
            head.extend_from_slice(&(c as u16).to_le_bytes());
            match cell {
                XlsCell::Empty => {}
                XlsCell::Text(t) => {
                    head.extend_from_slice(&XF_CELL.to_le_bytes());
                    head.extend_from_slice(&unicode_string(t));
                    record(&mut out, 0x0204, &head);
                }
                XlsCell::Number(n) => {
                    head.extend_from_slice(&XF_CELL.to_le_bytes());
                    head.extend_from_slice(&n.to_le_bytes());
                    record(&mut out, 0x0203, &head);
                }
                XlsCell::Date(y, m, d) => {
                    head.extend_from_slice(&XF_DATE.to_le_bytes());
                    head.extend_from_slice(&serial(*y, *m, *d).to_le_bytes());
                    record(&mut out, 0x0203, &head);
                }
            }
        }
    }
    if !s.merges.is_empty() {
        let mut m = (s.merges.len() as u16).to_le_bytes().to_vec();
        for (r1, r2, c1, c2) in &s.merges {
            for v in [r1, r2, c1, c2] {
                m.extend_from_slice(&v.to_le_bytes());
            }
        }
        record(&mut out, 0x00E5, &m);
    }
    record(&mut out, 0x000A, &[]);
    out
}

/// The `Workbook` stream: globals, then each sheet at the offset its BOUNDSHEET names.
fn workbook_stream(sheets: &[XlsSheet]) -> Vec<u8> {
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1200u16.to_le_bytes()); // CODEPAGE: UTF-16
    let mut fmt = FMT_DATE.to_le_bytes().to_vec();
    fmt.extend_from_slice(&unicode_string("yyyy\"年\"m\"月\"d\"日\""));
    record(&mut globals, 0x041E, &fmt);
    for i in 0..=XF_DATE {
        let mut xf = [0u8; 20];
        let ifmt = if i == XF_DATE { FMT_DATE } else { 0 };
        xf[2..4].copy_from_slice(&ifmt.to_le_bytes());
        record(&mut globals, 0x00E0, &xf);
    }
    // BOUNDSHEET records hold absolute offsets: write them once with placeholders, measure,
    // then fill in.
    let bounds_at = globals.len();
    let names: Vec<Vec<u8>> = sheets
        .iter()
        .map(|s| {
            let units: Vec<u16> = s.name.encode_utf16().collect();
            let mut v = vec![units.len() as u8, 1];
            for u in units {
                v.extend_from_slice(&u.to_le_bytes());
            }
            v
        })
        .collect();
    for n in &names {
        let mut b = vec![0u8; 6];
        b.extend_from_slice(n);
        record(&mut globals, 0x0085, &b);
    }
    record(&mut globals, 0x000A, &[]);
    let bodies: Vec<Vec<u8>> = sheets.iter().map(sheet_stream).collect();
    let mut at = globals.len();
    let mut pos = bounds_at;
    for (n, body) in names.iter().zip(&bodies) {
        globals[pos + 4..pos + 8].copy_from_slice(&(at as u32).to_le_bytes());
        pos += 4 + 6 + n.len();
        at += body.len();
    }
    let mut out = globals;
    for b in bodies {
        out.extend_from_slice(&b);
    }
    out
}

const SECTOR: usize = 512;
const FREESECT: u32 = 0xFFFF_FFFF;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FATSECT: u32 = 0xFFFF_FFFD;
const NOSTREAM: u32 = 0xFFFF_FFFF;

fn dir_entry(name: &str, typ: u8, child: u32, start: u32, size: u32) -> [u8; 128] {
    let mut e = [0u8; 128];
    let units: Vec<u16> = name.encode_utf16().collect();
    for (i, u) in units.iter().enumerate() {
        e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    if typ != 0 {
        e[64..66].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
        e[67] = 1; // black
    }
    e[66] = typ;
    e[68..72].copy_from_slice(&NOSTREAM.to_le_bytes()); // left sibling
    e[72..76].copy_from_slice(&NOSTREAM.to_le_bytes()); // right sibling
    e[76..80].copy_from_slice(&child.to_le_bytes());
    e[116..120].copy_from_slice(&start.to_le_bytes());
    e[120..124].copy_from_slice(&size.to_le_bytes());
    e
}

/// A compound file holding one stream named `Workbook`.
fn compound_file(mut stream: Vec<u8>) -> Vec<u8> {
    // Below the mini-stream cutoff a stream would be stored in 64-byte mini sectors.
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let size = stream.len();
    let data_sectors = size.div_ceil(SECTOR);
    // Sectors: the FAT, one directory sector, then the stream.
    let mut fat_sectors = 1;
    while fat_sectors * (SECTOR / 4) < fat_sectors + 1 + data_sectors {
        fat_sectors += 1;
    }
    assert!(
        fat_sectors <= 109,
        "the header's DIFAT holds 109 FAT sectors"
    );
    let dir = fat_sectors as u32;
    let first_data = dir + 1;
    let mut fat: Vec<u32> = vec![FATSECT; fat_sectors];
    fat.push(ENDOFCHAIN); // the directory
    for i in 0..data_sectors as u32 {
        fat.push(if i + 1 == data_sectors as u32 {
            ENDOFCHAIN
        } else {
            first_data + i + 1
        });
    }
    fat.resize(fat_sectors * SECTOR / 4, FREESECT);

    let mut h = vec![0u8; SECTOR];
    h[0..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    h[24..26].copy_from_slice(&0x003Eu16.to_le_bytes()); // minor version
    h[26..28].copy_from_slice(&0x0003u16.to_le_bytes()); // major version 3
    h[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes()); // little-endian
    h[30..32].copy_from_slice(&9u16.to_le_bytes()); // 512-byte sectors
    h[32..34].copy_from_slice(&6u16.to_le_bytes()); // 64-byte mini sectors
    h[44..48].copy_from_slice(&(fat_sectors as u32).to_le_bytes());
    h[48..52].copy_from_slice(&dir.to_le_bytes());
    h[56..60].copy_from_slice(&4096u32.to_le_bytes()); // mini-stream cutoff
    h[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes()); // no mini FAT
    h[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes()); // no DIFAT sectors
    for i in 0..109 {
        let v = if i < fat_sectors { i as u32 } else { FREESECT };
        h[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }

    let mut out = h;
    for v in fat {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&dir_entry("Root Entry", 5, 1, ENDOFCHAIN, 0));
    out.extend_from_slice(&dir_entry("Workbook", 2, NOSTREAM, first_data, size as u32));
    out.extend_from_slice(&dir_entry("", 0, NOSTREAM, 0, 0));
    out.extend_from_slice(&dir_entry("", 0, NOSTREAM, 0, 0));
    stream.resize(data_sectors * SECTOR, 0);
    out.extend_from_slice(&stream);
    out
}

/// An .xls file of these sheets.
pub fn xls(sheets: &[XlsSheet]) -> Vec<u8> {
    compound_file(workbook_stream(sheets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xls};

    #[test]
    fn calamine_reads_text_numbers_dates_and_merges() {
        let long = "很长的问题描述".repeat(400); // the stream past the mini-stream cutoff
        let bytes = xls(&[XlsSheet {
            name: "问题清单",
            rows: vec![
                vec![XlsCell::Text("2020年问题清单".into())],
                vec![
                    XlsCell::Number(1.0),
                    XlsCell::Text("海东市".into()),
                    XlsCell::Date(2020, 6, 30),
                    XlsCell::Empty,
                    XlsCell::Text(long.clone()),
                ],
            ],
            merges: vec![(0, 0, 0, 4)],
        }]);
        assert!(bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]));
        let mut book: Xls<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["问题清单"]);
        let range = book.worksheet_range("问题清单").unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("2020年问题清单".into()))
        );
        assert_eq!(range.get_value((1, 0)), Some(&Data::Float(1.0)));
        assert_eq!(
            range.get_value((1, 1)),
            Some(&Data::String("海东市".into()))
        );
        match range.get_value((1, 2)) {
            Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 44012.0),
            other => panic!("not a date cell: {other:?}"),
        }
        assert_eq!(range.get_value((1, 4)), Some(&Data::String(long)));
        let merges = book.merge_cells_by_sheet_name("问题清单").unwrap();
        assert_eq!(merges.len(), 1);
        assert_eq!((merges[0].start, merges[0].end), ((0, 0), (0, 4)));
    }
}
