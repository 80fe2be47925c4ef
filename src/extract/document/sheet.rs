//! Spreadsheets (XLSX/XLSM through calamine's streaming cell reader, legacy XLS through its
//! range reader): cell text of every sheet and sheet names; each sheet's first cells go to
//! [`super::manifest`], which decides whether it is a submission list.
//!
//! calamine opens the zip itself, so an XLSX is first proven safe by [`super::ooxml`] (entry
//! count, declared sizes, and an inflate-to-nothing pass under a byte limit) before calamine
//! sees it. Cells are streamed, not loaded as a dense range: a sheet with one cell in A1 and
//! one in XFD1048576 would otherwise ask for seventeen billion cells.

use crate::problem::{Code, Problem};
use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, DataType, Dimensions, Reader, Xls, Xlsx};

use super::manifest::{self, Detector};
use super::{ooxml, DocKind};
use crate::extract::{Facts, Limits};

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
    /// The first cells of each row as a grid, and each grid row's sheet row number.
    fn grid(&self) -> (Vec<Vec<String>>, Vec<u32>) {
        let numbers: Vec<u32> = self.rows.keys().copied().collect();
        let grid = self
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
        (grid, numbers)
    }
}

/// The workbook cannot be read: say so, and say too that a submission list was lost with it.
fn refuse(f: &mut Facts, lists: &Detector, p: Problem) {
    let detail = p
        .params
        .get("detail")
        .map_or(p.code.as_str(), String::as_str);
    f.problems.extend(lists.unreadable(detail));
    f.problems.push(p);
}

/// Read a workbook; `name` is the file's name, which may say it is a submission list.
pub fn extract(name: &str, data: &[u8], kind: DocKind, limits: &Limits, f: &mut Facts) {
    let mut lists = Detector::new(name);
    match kind {
        DocKind::Xls => extract_xls(data, limits, f, &mut lists),
        _ => extract_xlsx(data, limits, f, &mut lists),
    }
    lists.finish(f);
}

fn extract_xlsx(data: &[u8], limits: &Limits, f: &mut Facts, lists: &mut Detector) {
    match ooxml::open_checked(data, DocKind::Xlsx, limits) {
        Ok(mut z) => {
            if let Err(e) = z.drain_all() {
                refuse(f, lists, e.problem());
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
            refuse(f, lists, e.problem());
            return;
        }
    }
    let mut book: Xlsx<_> = match calamine::open_workbook_from_rs(Cursor::new(data)) {
        Ok(b) => b,
        Err(e) => {
            refuse(f, lists, Problem::detail(Code::SheetInvalid, e));
            return;
        }
    };
    let names = book.sheet_names();
    workbook_text(&names, limits, f, lists, |name, ask| {
        let (sheet, errors) = match ask {
            Ask::Merges(out) => {
                *out = book.merge_cells_by_sheet_name(name).unwrap_or_default();
                return;
            }
            Ask::Cells(sheet, errors) => (sheet, errors),
        };
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

fn extract_xls(data: &[u8], limits: &Limits, f: &mut Facts, lists: &mut Detector) {
    let mut book: Xls<_> = match calamine::open_workbook_from_rs(Cursor::new(data)) {
        Ok(b) => b,
        Err(e) => {
            refuse(f, lists, Problem::detail(Code::SheetInvalid, e));
            return;
        }
    };
    let names = book.sheet_names();
    workbook_text(&names, limits, f, lists, |name, ask| {
        let (sheet, errors) = match ask {
            Ask::Merges(out) => {
                *out = book.merge_cells_by_sheet_name(name).unwrap_or_default();
                return;
            }
            Ask::Cells(sheet, errors) => (sheet, errors),
        };
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

/// What the frame asks of a workbook about one sheet.
enum Ask<'s> {
    /// Its cells, and problems met reading them.
    Cells(&'s mut SheetText, &'s mut Vec<Problem>),
    /// Its merged regions (only for a list with gaps: it means reading the sheet again).
    Merges(&'s mut Vec<Dimensions>),
}

/// A cell merged down several rows (指标 B4.1 beside the five photos it covers) holds its
/// text in the top row only: give it to every row of the region.
fn fill_merged(grid: &mut [Vec<String>], numbers: &[u32], merges: &[Dimensions]) {
    for m in merges.iter().filter(|m| m.end.0 > m.start.0) {
        let (top, left) = m.start;
        let Ok(at) = numbers.binary_search(&top) else {
            continue;
        };
        let Some(text) = grid[at]
            .get(left as usize)
            .filter(|t| !t.is_empty())
            .cloned()
        else {
            continue;
        };
        let right = m.end.1.min(MANIFEST_COLS - 1);
        for i in at + 1..grid.len() {
            if numbers[i] > m.end.0 {
                break;
            }
            let row = &mut grid[i];
            if row.len() <= right as usize {
                row.resize(right as usize + 1, String::new());
            }
            for c in left..=right {
                if row[c as usize].is_empty() {
                    row[c as usize] = text.clone();
                }
            }
        }
    }
}

/// The frame both workbook formats share: each sheet's name then its cells as text, up to the
/// text cap, and the submission-list rows any sheet holds. `read_sheet` answers an [`Ask`].
fn workbook_text(
    names: &[String],
    limits: &Limits,
    f: &mut Facts,
    lists: &mut Detector,
    mut read_sheet: impl FnMut(&str, Ask<'_>),
) {
    let mut text = String::new();
    for name in names {
        if text.len() > limits.text_cap {
            break;
        }
        text.push_str(name);
        text.push('\n');
        let mut sheet = SheetText::new();
        read_sheet(name, Ask::Cells(&mut sheet, &mut f.problems));
        sheet.write_text(&mut text);
        let (mut grid, numbers) = sheet.grid();
        if manifest::has_gaps(&grid) {
            let mut merges = Vec::new();
            read_sheet(name, Ask::Merges(&mut merges));
            fill_merged(&mut grid, &numbers, &merges);
        }
        lists.table(&grid, |i| format!("{name}!{}", numbers[i] + 1));
    }
    f.set_text(text, limits.text_cap);
}

/// A CSV file's text with Excel's CRLF line ends made LF: the csv reader numbers lines one short
/// after each CRLF, and the numbers are shown to people ("第 N 行").
pub fn csv_lines(text: &str) -> std::borrow::Cow<'_, str> {
    match text.contains("\r\n") {
        true => text.replace("\r\n", "\n").into(),
        false => text.into(),
    }
}

/// A reader of CSV text (after [`csv_lines`]) by its delimiter: comma, or Excel's semicolons
/// (some locales) or tabs ("Unicode text"), whichever the first 4 KB hold most of. No header
/// row is assumed and rows may differ in length.
pub fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    let start = &text.as_bytes()[..text.len().min(4096)];
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| (start.iter().filter(|b| *b == d).count(), *d == b','))
        .unwrap_or(b',');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// One sheet as a grid of cell texts, for readers of office tables other than the indexer
/// (the problem list, `crate::problems`): cells merged down several rows are given to every
/// row they cover, whatever the table looks like.
#[derive(Debug, Clone)]
pub struct Grid {
    pub sheet: String,
    pub rows: Vec<Vec<String>>,
    /// The sheet row number (0-based) of each grid row; empty rows are not in the grid.
    pub numbers: Vec<u32>,
}

/// Every sheet of a workbook (XLSX after the same zip checks as indexing, or XLS) as a
/// [`Grid`]; the problem says why the workbook could not be opened at all.
pub fn grids(data: &[u8], kind: DocKind, limits: &Limits) -> Result<Vec<Grid>, Problem> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut keep = |name: &str, sheet: SheetText, merges: Vec<Dimensions>| {
        let (mut rows, numbers) = sheet.grid();
        fill_merged(&mut rows, &numbers, &merges);
        out.push(Grid {
            sheet: name.to_string(),
            rows,
            numbers,
        });
    };
    if kind == DocKind::Xls {
        let mut book: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(data))
            .map_err(|e| Problem::detail(Code::SheetInvalid, e))?;
        for name in book.sheet_names() {
            let mut sheet = SheetText::new();
            let range = book.worksheet_range(&name).map_err(|e| {
                Problem::new(Code::SheetPartlyRead)
                    .with("sheet", &name)
                    .with("detail", e)
            })?;
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
            let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
            keep(&name, sheet, merges);
        }
    } else {
        let mut z = ooxml::open_checked(data, DocKind::Xlsx, limits).map_err(|e| e.problem())?;
        z.drain_all().map_err(|e| e.problem())?;
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(data))
            .map_err(|e| Problem::detail(Code::SheetInvalid, e))?;
        for name in book.sheet_names() {
            let mut sheet = SheetText::new();
            match book.worksheet_cells_reader(&name) {
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
                                    .with("sheet", &name)
                                    .with("detail", e),
                            );
                            break;
                        }
                    }
                },
                Err(e) => errors.push(
                    Problem::new(Code::SheetPartlyRead)
                        .with("sheet", &name)
                        .with("detail", e),
                ),
            }
            let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
            keep(&name, sheet, merges);
        }
    }
    // A sheet read only in part is refused: a list must be read whole or not at all.
    match errors.into_iter().next() {
        Some(p) => Err(p),
        None => Ok(out),
    }
}
