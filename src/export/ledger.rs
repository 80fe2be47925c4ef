//! The package's ledger (台账): one row per exported file, in the collection's order, as CSV
//! (UTF-8 with a BOM, so Excel shows the Chinese) and XLSX. The columns are the ones the
//! office's paper ledgers use, so an inspector can tick them off.

use serde::Serialize;

use crate::{Error, Result};

pub const COLUMNS: [&str; 13] = [
    "序号",
    "市州",
    "县区",
    "指标",
    "文件名",
    "拍摄时间",
    "地点",
    "大小",
    "BLAKE3",
    "SHA-256",
    "审核状态",
    "标志",
    "备注",
];

/// One exported file as the ledger and the offline page show it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    pub n: usize,
    pub prefecture: String,
    pub county: String,
    /// "B4.1 科普大篷车", or empty.
    pub indicator: String,
    pub indicator_code: String,
    /// Path inside the bag: `data/海东市/B4.1 科普大篷车/IMG_0001.jpg`.
    pub bag_path: String,
    pub name: String,
    /// `2019-06-12 10:30:00+08:00`, or empty.
    pub captured: String,
    /// `36.62,101.78`, or empty.
    pub gps: String,
    pub size: u64,
    pub blake3: String,
    pub sha256: String,
    /// 待审核 / 通过 / 不通过
    pub review: String,
    pub flags: String,
    /// Review reason and the original path.
    pub note: String,
    pub media: String,
    /// `thumbs/….jpg` when a thumbnail was made.
    pub thumb: Option<String>,
}

/// The columns that can carry user or evidence text (place and file names, indicator, review
/// state, flags, reasons and paths). The others are numbers, hashes, times and places we
/// formatted ourselves, and stay exactly as written.
const TEXT_COLUMNS: [usize; 7] = [1, 2, 3, 4, 10, 11, 12];

impl LedgerRow {
    fn cells(&self) -> [String; 13] {
        [
            self.n.to_string(),
            self.prefecture.clone(),
            self.county.clone(),
            self.indicator.clone(),
            self.bag_path.clone(),
            self.captured.clone(),
            self.gps.clone(),
            self.size.to_string(),
            self.blake3.clone(),
            self.sha256.clone(),
            self.review.clone(),
            self.flags.clone(),
            self.note.clone(),
        ]
    }

    /// The cells as the CSV carries them: text cells defused for spreadsheets. The XLSX needs
    /// none of this, since its writer stores text as text cells that are never evaluated.
    fn csv_cells(&self) -> [String; 13] {
        let mut cells = self.cells();
        for c in TEXT_COLUMNS {
            cells[c] = spreadsheet_safe(&cells[c]);
        }
        cells
    }
}

/// Excel and WPS read a CSV cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
/// return before one) as a formula, so a review reason `=HYPERLINK(…)` would become a live link
/// on the inspector's machine. OWASP's remedy: a leading single quote, which the spreadsheet
/// shows as text and hides.
fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// CSV with a UTF-8 BOM.
pub fn to_csv(rows: &[LedgerRow]) -> Result<Vec<u8>> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let err = |e: csv::Error| Error::Other(format!("could not write the CSV ledger: {e}"));
        w.write_record(COLUMNS).map_err(err)?;
        for r in rows {
            w.write_record(r.csv_cells()).map_err(err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("could not write the CSV ledger: {e}")))?;
    }
    Ok(out)
}

/// An Excel workbook with one sheet 台账: frozen header, numbers as numbers.
pub fn to_xlsx(rows: &[LedgerRow], title: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::Other(format!("could not write the XLSX ledger: {e}"))
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("台账").map_err(xerr)?;
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let rejected = Format::new()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xF8CBAD));
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)
            .map_err(xerr)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        let cells = r.cells();
        for (c, v) in cells.iter().enumerate() {
            let fmt = if c == 10 && r.review == "不通过" {
                &rejected
            } else {
                &cell
            };
            if c == 0 || c == 7 {
                ws.write_number_with_format(row, c as u16, v.parse::<f64>().unwrap_or(0.0), fmt)
                    .map_err(xerr)?;
            } else {
                ws.write_string_with_format(row, c as u16, v, fmt)
                    .map_err(xerr)?;
            }
        }
    }
    for (c, w) in [
        6.0, 10.0, 12.0, 24.0, 48.0, 20.0, 20.0, 12.0, 20.0, 20.0, 10.0, 20.0, 40.0,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(c as u16, *w).map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(title));
    wb.save_to_buffer().map_err(xerr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(note: &str) -> LedgerRow {
        LedgerRow {
            n: 1,
            prefecture: "+海东市".into(),
            county: String::new(),
            indicator: "B4.1 科普大篷车".into(),
            indicator_code: "B4.1".into(),
            bag_path: "data/海东市/@IMG.jpg".into(),
            name: "@IMG.jpg".into(),
            captured: "2019-06-12 10:30:00+08:00".into(),
            gps: "-36.620000,101.780000".into(),
            size: 12,
            blake3: "0".repeat(64),
            sha256: "0".repeat(64),
            review: "不通过".into(),
            flags: String::new(),
            note: note.into(),
            media: "photo".into(),
            thumb: None,
        }
    }

    #[test]
    fn formula_cells_are_defused_in_the_csv_only() {
        let r = row("=HYPERLINK(\"http://x\",\"y\")");
        let csv = to_csv(std::slice::from_ref(&r)).unwrap();
        let mut rd = csv::Reader::from_reader(&csv[3..]);
        let cells: Vec<String> = rd
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(cells[12], "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(cells[1], "'+海东市");
        assert_eq!(
            cells[4], "data/海东市/@IMG.jpg",
            "only the first character counts"
        );
        assert_eq!(cells[3], "B4.1 科普大篷车", "ordinary text is untouched");
        assert_eq!(cells[6], "-36.620000,101.780000", "our own numbers stay");
        assert_eq!(cells[7], "12");

        for (text, want) in [
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("重复提交", "重复提交"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(text), want);
        }
    }

    #[test]
    fn the_workbook_stores_formula_text_as_text() {
        use calamine::Reader;
        let r = row("=HYPERLINK(\"http://x\",\"y\")");
        let bytes = to_xlsx(std::slice::from_ref(&r), "t").unwrap();
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let values = wb.worksheet_range("台账").unwrap();
        assert_eq!(
            values.get_value((1, 12)).unwrap().to_string(),
            "=HYPERLINK(\"http://x\",\"y\")",
            "kept exactly, with no quote"
        );
        let formulas = wb.worksheet_formula("台账").unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no cell is a formula"
        );
    }
}
