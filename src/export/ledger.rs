//! The package's ledger (台账): one row per exported file, in the collection's order, as CSV
//! (UTF-8 with a BOM, so Excel shows the Chinese) and XLSX. The columns are the ones the
//! office's paper ledgers use, so an inspector can tick them off.
//!
//! The two differ on purpose. The CSV is for machines: one line per file, all 13 columns,
//! flags as their stable codes (`no_capture_date`), times as text with their offset. The XLSX
//! is for printing and stamping: a title with the office, the date and the assessment period,
//! 拍摄时间 as real dates, flags as Chinese labels, the two 64-hex hashes on a second sheet
//! (哈希), landscape A4 fitted to the page width with the header row repeated on every page.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::Serialize;

use crate::i18n::{Lang, Msg};
use crate::{Error, Result};

pub const COLUMNS: [&str; 20] = [
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
    // The caption (DA/T 50), empty for files without one.
    "题名",
    "摄影者",
    "人物",
    "背景",
    "文字说明",
    "摄影地点",
    "摄影时间",
];

/// The XLSX's main sheet: the CSV's columns but the hashes (indexes into [`COLUMNS`]), and of
/// the caption only 题名, 摄影者 and 文字说明 (the rest would not fit a printed page).
const PRINTED: [usize; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 17];
/// Column widths of the printed sheet, in characters.
const PRINTED_WIDTHS: [f64; 14] = [
    5.0, 8.0, 10.0, 20.0, 36.0, 17.0, 18.0, 9.0, 8.0, 18.0, 36.0, 24.0, 8.0, 30.0,
];

/// A flag as the page shows it: its label and why it was raised.
#[derive(Debug, Clone, Serialize)]
pub struct ShownFlag {
    pub label: String,
    pub reason: String,
    /// The curator's decision, "已核实（张三，2026-12-03）：…"; empty while the flag is open.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resolved: String,
}

/// How one tag was decided: 自动 by a folder name, a keyword, GPS or a submission list, or
/// 人工 by a curator with a reason.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    /// 市州 / 县区 / 指标
    pub what: String,
    pub value: String,
    /// 自动 / 人工
    pub how: String,
    /// The source's label (文件夹路径, 关键词, 报送清单, GPS定位, 人工标注).
    pub source: String,
    /// The text that decided it (a folder name, a keyword, the curator's reason).
    pub evidence: String,
}

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
    /// The capture time as the camera's clock showed it, for the XLSX's date cells.
    #[serde(skip)]
    pub captured_at: Option<NaiveDateTime>,
    /// `36.62,101.78`, or empty.
    pub gps: String,
    pub size: u64,
    pub blake3: String,
    pub sha256: String,
    /// 待审核 / 通过 / 不通过
    pub review: String,
    /// The flags' Chinese labels, `、`-separated.
    pub flags: String,
    /// The flags' stable codes, `, `-separated (the CSV's 标志).
    #[serde(skip)]
    pub flag_codes: String,
    /// Each flag with its reason.
    pub flag_reasons: Vec<ShownFlag>,
    /// How each tag was decided.
    pub decided: Vec<Decided>,
    /// Review reason and the original path.
    pub note: String,
    pub media: String,
    /// `thumbs/….jpg` when a thumbnail was made.
    pub thumb: Option<String>,
    /// The caption's 题名, 摄影者, 人物, 背景, 文字说明, 地点, 摄影时间 (empty when none).
    #[serde(skip)]
    pub caption: [String; 7],
}

/// What the XLSX's title rows say.
pub struct LedgerHead<'a> {
    pub title: &'a str,
    pub org: &'a str,
    pub date: &'a str,
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// The columns that can carry user or evidence text (place and file names, indicator, review
/// state, flags, reasons and paths). The others are numbers, hashes, times and places we
/// formatted ourselves, and stay exactly as written.
const TEXT_COLUMNS: [usize; 14] = [1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

impl LedgerRow {
    /// The cells as people read them (flags as labels).
    fn cells(&self) -> [String; 20] {
        let c = &self.caption;
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
            c[0].clone(),
            c[1].clone(),
            c[2].clone(),
            c[3].clone(),
            c[4].clone(),
            c[5].clone(),
            c[6].clone(),
        ]
    }

    /// The cells as the CSV carries them: flags as codes, text cells defused for spreadsheets.
    /// The XLSX needs no defusing, since its writer stores text as text cells that are never
    /// evaluated.
    fn csv_cells(&self) -> [String; 20] {
        let mut cells = self.cells();
        cells[11] = self.flag_codes.clone();
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
pub(super) fn spreadsheet_safe(text: &str) -> String {
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

fn excel_time(t: &NaiveDateTime) -> Option<rust_xlsxwriter::ExcelDateTime> {
    rust_xlsxwriter::ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
        .ok()?
        .and_hms(t.hour() as u16, t.minute() as u8, t.second() as f64)
        .ok()
}

/// The header rows above the table on the printed sheet (title, office line, legend).
const HEAD_ROWS: u32 = 3;

/// An Excel workbook ready to print: sheet 台账 (title, office, date, period, legend, then the
/// table with its header repeated on every page) and sheet 哈希 (BLAKE3 and SHA-256 per file).
pub fn to_xlsx(rows: &[LedgerRow], head: &LedgerHead) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
    let l = Lang::Zh;
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::Other(format!("could not write the XLSX ledger: {e}"))
    };
    let mut wb = Workbook::new();
    let th = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let date = cell.clone().set_num_format("yyyy-mm-dd hh:mm:ss");
    let rejected = cell.clone().set_background_color(Color::RGB(0xF8CBAD));
    let title_fmt = Format::new().set_bold().set_font_size(16);

    let ws = wb.add_worksheet();
    ws.set_name("台账").map_err(xerr)?;
    let last = (PRINTED.len() - 1) as u16;
    let period = match head.period {
        Some((a, b)) => format!("{a} 至 {b}"),
        None => l.t(Msg::LedgerXlsxPeriodUnknown).to_string(),
    };
    ws.merge_range(
        0,
        0,
        0,
        last,
        &l.fill(Msg::LedgerXlsxTitle, &[("title", &head.title)]),
        &title_fmt,
    )
    .map_err(xerr)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        &l.fill(
            Msg::LedgerXlsxSubtitle,
            &[
                ("org", &head.org),
                ("date", &head.date),
                ("period", &period),
            ],
        ),
        &Format::new(),
    )
    .map_err(xerr)?;
    ws.merge_range(2, 0, 2, last, l.t(Msg::LedgerXlsxLegend), &Format::new())
        .map_err(xerr)?;
    for (c, &src) in PRINTED.iter().enumerate() {
        ws.write_string_with_format(HEAD_ROWS, c as u16, COLUMNS[src], &th)
            .map_err(xerr)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = HEAD_ROWS + 1 + i as u32;
        let cells = r.cells();
        for (c, &src) in PRINTED.iter().enumerate() {
            let c = c as u16;
            let v = &cells[src];
            match src {
                0 | 7 => ws
                    .write_number_with_format(row, c, v.parse::<f64>().unwrap_or(0.0), &cell)
                    .map(|_| ()),
                5 => match r.captured_at.as_ref().and_then(excel_time) {
                    Some(t) => ws.write_datetime_with_format(row, c, &t, &date).map(|_| ()),
                    None => ws.write_string_with_format(row, c, v, &cell).map(|_| ()),
                },
                10 if r.review == "不通过" => ws
                    .write_string_with_format(row, c, v, &rejected)
                    .map(|_| ()),
                _ => ws.write_string_with_format(row, c, v, &cell).map(|_| ()),
            }
            .map_err(xerr)?;
        }
    }
    for (c, w) in PRINTED_WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(xerr)?;
    }
    ws.set_freeze_panes(HEAD_ROWS + 1, 0).map_err(xerr)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEAD_ROWS, HEAD_ROWS).map_err(xerr)?;
    ws.set_footer("&C&P / &N");
    ws.set_print_center_horizontally(true);

    let hs = wb.add_worksheet();
    hs.set_name("哈希").map_err(xerr)?;
    for (c, h) in ["序号", "文件名", "大小", "BLAKE3", "SHA-256"]
        .iter()
        .enumerate()
    {
        hs.write_string_with_format(0, c as u16, *h, &th)
            .map_err(xerr)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        hs.write_number(row, 0, r.n as f64).map_err(xerr)?;
        hs.write_string(row, 1, &r.bag_path).map_err(xerr)?;
        hs.write_number(row, 2, r.size as f64).map_err(xerr)?;
        hs.write_string(row, 3, &r.blake3).map_err(xerr)?;
        hs.write_string(row, 4, &r.sha256).map_err(xerr)?;
    }
    for (c, w) in [5.0, 48.0, 10.0, 66.0, 66.0].iter().enumerate() {
        hs.set_column_width(c as u16, *w).map_err(xerr)?;
    }
    hs.set_freeze_panes(1, 0).map_err(xerr)?;
    hs.set_landscape();
    hs.set_paper_size(9);
    hs.set_print_fit_to_pages(1, 0);
    hs.set_repeat_rows(0, 0).map_err(xerr)?;

    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(head.title));
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
            captured_at: chrono::NaiveDate::from_ymd_opt(2019, 6, 12)
                .and_then(|d| d.and_hms_opt(10, 30, 0)),
            gps: "-36.620000,101.780000".into(),
            size: 12,
            blake3: "0".repeat(64),
            sha256: "0".repeat(64),
            review: "不通过".into(),
            flags: "无拍摄时间".into(),
            flag_codes: "no_capture_date".into(),
            flag_reasons: Vec::new(),
            decided: Vec::new(),
            note: note.into(),
            media: "photo".into(),
            thumb: None,
            caption: Default::default(),
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
        let head = LedgerHead {
            title: "t",
            org: "o",
            date: "2026-12-03",
            period: None,
        };
        let bytes = to_xlsx(std::slice::from_ref(&r), &head).unwrap();
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let values = wb.worksheet_range("台账").unwrap();
        assert_eq!(
            values.get_value((HEAD_ROWS + 1, 10)).unwrap().to_string(),
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
