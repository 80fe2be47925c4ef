//! Spreadsheets (XLSX/XLSM through calamine's streaming cell reader, legacy XLS through its
//! range reader): cell text of every sheet, sheet names, and submission-list rows.
//!
//! calamine opens the zip itself, so an XLSX is first proven safe by [`super::ooxml`] (entry
//! count, declared sizes, and an inflate-to-nothing pass under a byte limit) before calamine
//! sees it. Cells are streamed, not loaded as a dense range: a sheet with one cell in A1 and
//! one in XFD1048576 would otherwise ask for seventeen billion cells.

use crate::problem::{Code, Problem};
use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, DataType, Reader, Xls, Xlsx};

use super::{manifest, ooxml, DocKind};
use crate::extract::{Facts, Limits, ManifestRow};

/// Columns kept per row for manifest detection (a submission list is narrow).
const MANIFEST_COLS: u32 = 64;
/// Rows kept per sheet for manifest detection.
const MANIFEST_ROWS: usize = 100_000;

fn cell_text(v: &DataRef<'_>) -> Option<String> {
    let s = match v {
        DataRef::Empty => return None,
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => excel_date(d),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) => return None,
        other => other.as_string()?,
    };
    let s = s.replace("_x000D_", "");
    (!s.trim().is_empty()).then_some(s)
}

/// Dates as people type them when searching (`2019-03-15`), not Excel's serial number.
fn excel_date(d: &calamine::ExcelDateTime) -> String {
    if !d.is_datetime() || !(0.0..2_958_466.0).contains(&d.as_f64()) {
        return d.to_string();
    }
    let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// Collects one sheet's cells into text and, for the first rows, a small grid for manifests.
struct SheetText {
    rows: BTreeMap<u32, Vec<(u32, String)>>,
}

impl SheetText {
    fn new() -> Self {
        SheetText {
            rows: BTreeMap::new(),
        }
    }
    fn push(&mut self, row: u32, col: u32, text: String) {
        if self.rows.len() < MANIFEST_ROWS || self.rows.contains_key(&row) {
            self.rows.entry(row).or_default().push((col, text));
        }
    }
    fn write_text(&self, out: &mut String) {
        for cells in self.rows.values() {
            let line: Vec<&str> = cells.iter().map(|(_, t)| t.as_str()).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
    fn manifest(&self, sheet: &str) -> Vec<ManifestRow> {
        let numbers: Vec<u32> = self.rows.keys().copied().collect();
        let grid: Vec<Vec<String>> = self
            .rows
            .values()
            .map(|cells| {
                let width = cells
                    .iter()
                    .map(|(c, _)| *c)
                    .filter(|c| *c < MANIFEST_COLS)
                    .max()
                    .map_or(0, |m| m + 1);
                let mut row = vec![String::new(); width as usize];
                for (c, t) in cells {
                    if *c < MANIFEST_COLS {
                        row[*c as usize] = t.clone();
                    }
                }
                row
            })
            .collect();
        manifest::rows_of(&grid, |i| format!("{sheet}!{}", numbers[i] + 1))
    }
}

pub fn extract(data: &[u8], kind: DocKind, limits: &Limits, f: &mut Facts) {
    match kind {
        DocKind::Xls => extract_xls(data, limits, f),
        _ => extract_xlsx(data, limits, f),
    }
}

fn extract_xlsx(data: &[u8], limits: &Limits, f: &mut Facts) {
    match ooxml::open_checked(data, DocKind::Xlsx, limits) {
        Ok(mut z) => {
            if let Err(e) = z.drain_all() {
                f.problems.push(e.problem());
                return;
            }
            if let Ok(Some(core)) = z.read("docProps/core.xml") {
                let props = ooxml::core_props(&core, limits);
                f.title = props.title;
                f.author = props.creator;
                if let Some(c) = props.created {
                    super::set_doc_created(f, c, "xlsx:dcterms:created");
                }
                super::set_doc_modified(f, props.modified, "xlsx:dcterms:modified");
            }
        }
        Err(e) => {
            f.problems.push(e.problem());
            return;
        }
    }
    let mut book: Xlsx<_> = match calamine::open_workbook_from_rs(Cursor::new(data)) {
        Ok(b) => b,
        Err(e) => {
            f.problems.push(Problem::detail(Code::SheetInvalid, e));
            return;
        }
    };
    let names = book.sheet_names();
    workbook_text(&names, limits, f, |name, sheet, errors| {
        match book.worksheet_cells_reader(name) {
            Ok(mut reader) => loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => {
                        if let Some(t) = cell_text(cell.get_value()) {
                            let (r, c) = cell.get_position();
                            sheet.push(r, c, t);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        errors.push(
                            Problem::new(Code::SheetPartlyRead)
                                .with("sheet", name)
                                .with("detail", e),
                        );
                        break;
                    }
                }
            },
            Err(e) => errors.push(
                Problem::new(Code::SheetPartlyRead)
                    .with("sheet", name)
                    .with("detail", e),
            ),
        }
    });
}

fn extract_xls(data: &[u8], limits: &Limits, f: &mut Facts) {
    let mut book: Xls<_> = match calamine::open_workbook_from_rs(Cursor::new(data)) {
        Ok(b) => b,
        Err(e) => {
            f.problems.push(Problem::detail(Code::SheetInvalid, e));
            return;
        }
    };
    let names = book.sheet_names();
    workbook_text(&names, limits, f, |name, sheet, errors| {
        match book.worksheet_range(name) {
            Ok(range) => {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, v) in range.used_cells() {
                    let s = match v {
                        calamine::Data::DateTime(d) => excel_date(d),
                        other => other.to_string(),
                    };
                    if !s.trim().is_empty() {
                        sheet.push(r0 + r as u32, c0 + c as u32, s);
                    }
                }
            }
            Err(e) => errors.push(
                Problem::new(Code::SheetPartlyRead)
                    .with("sheet", name)
                    .with("detail", e),
            ),
        }
    });
}

/// The frame both workbook formats share: each sheet's name then its cells as text, up to the
/// text cap, and the submission-list rows any sheet holds. `read_sheet` fills one sheet.
fn workbook_text(
    names: &[String],
    limits: &Limits,
    f: &mut Facts,
    mut read_sheet: impl FnMut(&str, &mut SheetText, &mut Vec<Problem>),
) {
    let mut text = String::new();
    let mut manifest_rows = Vec::new();
    for name in names {
        if text.len() > limits.text_cap {
            break;
        }
        text.push_str(name);
        text.push('\n');
        let mut sheet = SheetText::new();
        read_sheet(name, &mut sheet, &mut f.problems);
        sheet.write_text(&mut text);
        manifest_rows.extend(sheet.manifest(name));
    }
    f.manifest_rows = manifest_rows;
    f.set_text(text, limits.text_cap);
}
