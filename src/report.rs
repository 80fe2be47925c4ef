//! The coverage ledger (台账): how many files support each indicator in each prefecture (or in
//! one prefecture's counties), and above all which cells have no evidence at all.
//!
//! Rows follow the catalog tree; a parent's cell counts every file tagged to it or to any node
//! below it, each file once, so a subtotal reads like the rubric's own roll-up. One model,
//! four renderings: a terminal table (CJK characters are two columns wide), CSV with a BOM so
//! Excel opens Chinese correctly, XLSX with a frozen header and the empty cells shaded, JSON.

use crate::i18n::{Lang, Msg};
use std::collections::HashSet;
use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::schema::Schema;
use crate::tag::Tagging;

mod counted;
mod letterhead;
use crate::{Error, Result};
pub use counted::Counted;
pub use letterhead::{legend_text, Letterhead};

/// What the columns are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "by", content = "prefecture")]
pub enum By {
    /// The eight prefectures.
    Prefecture,
    /// The counties of one prefecture (code, or any name `resolve_place` knows).
    County(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Division code; `None` for the "place unknown" column.
    pub code: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    /// Files tagged to this indicator or any below it.
    pub total: usize,
    /// Files tagged to exactly this indicator.
    pub direct: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Indicator code; `None` for the "no indicator" row.
    pub code: Option<String>,
    pub name: String,
    pub depth: usize,
    pub cells: Vec<Cell>,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub by: By,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Distinct files per column (a file under two indicators counts once here).
    pub column_totals: Vec<usize>,
    pub total: usize,
    /// Which files were counted (see [`Counted::includes`]).
    pub counted: Counted,
}

pub(crate) const EMPTY: &str = "—";
const NO_PLACE: &str = "未定位";
const NO_COUNTY: &str = "未定县";
const NO_INDICATOR: &str = "未归入指标";

/// The rows and columns of what no tag names are stored under their Chinese names (the
/// coverage is built once and shown in either language); shown, they are said in `l`.
fn unknown_label(name: &str, l: Lang) -> String {
    let key = match name {
        NO_PLACE => Msg::PlaceUnknown,
        NO_COUNTY => Msg::ReportNoCounty,
        NO_INDICATOR => Msg::NoIndicator,
        _ => return name.to_string(),
    };
    l.t(key).to_string()
}

impl Coverage {
    /// The ledger over `files` (each present file's tagging, and whether a review rejected
    /// it), counting those `counted` includes.
    pub fn build_counted(
        schema: &Schema,
        files: &[(Tagging, bool)],
        by: By,
        counted: Counted,
    ) -> Result<Coverage> {
        let kept: Vec<Tagging> = files
            .iter()
            .filter(|(t, rejected)| counted.includes(t, *rejected))
            .map(|(t, _)| t.clone())
            .collect();
        let mut c = Coverage::build(schema, &kept, by)?;
        c.counted = counted;
        Ok(c)
    }

    /// The ledger over every tagging given.
    pub fn build(schema: &Schema, taggings: &[Tagging], by: By) -> Result<Coverage> {
        let (by, columns) = match by {
            By::Prefecture => {
                let mut cols: Vec<Column> = schema
                    .prefectures()
                    .into_iter()
                    .map(|d| Column {
                        code: Some(d.code.clone()),
                        name: d.short_name.clone(),
                    })
                    .collect();
                cols.push(Column {
                    code: None,
                    name: NO_PLACE.into(),
                });
                (By::Prefecture, cols)
            }
            By::County(p) => {
                let pref = schema
                    .resolve_place(&p)
                    .filter(|d| d.level == crate::schema::Level::Prefecture)
                    .ok_or_else(|| Error::NotAPrefecture(p.clone()))?;
                let mut cols: Vec<Column> = schema
                    .counties_of(&pref.code)
                    .into_iter()
                    .map(|d| Column {
                        code: Some(d.code.clone()),
                        name: d.short_name.clone(),
                    })
                    .collect();
                cols.push(Column {
                    code: None,
                    name: NO_COUNTY.into(),
                });
                (By::County(pref.code.clone()), cols)
            }
        };
        let inds = schema.indicators();
        let mut rows: Vec<Row> = inds
            .iter()
            .map(|i| Row {
                code: Some(i.code.clone()),
                name: i.name.clone(),
                depth: i.depth,
                cells: vec![Cell::default(); columns.len()],
                total: 0,
            })
            .collect();
        rows.push(Row {
            code: None,
            name: NO_INDICATOR.into(),
            depth: 0,
            cells: vec![Cell::default(); columns.len()],
            total: 0,
        });
        let mut column_totals = vec![0usize; columns.len()];
        let mut total = 0;

        for t in taggings {
            let col = match &by {
                By::Prefecture => {
                    let code = t.prefecture.as_ref().map(|p| p.code.as_str());
                    columns
                        .iter()
                        .position(|c| c.code.as_deref() == code)
                        .unwrap_or(columns.len() - 1)
                }
                By::County(pc) => {
                    if t.prefecture.as_ref().map(|p| &p.code) != Some(pc) {
                        continue;
                    }
                    let code = t.county.as_ref().map(|c| c.code.as_str());
                    columns
                        .iter()
                        .position(|c| c.code.is_some() && c.code.as_deref() == code)
                        .unwrap_or(columns.len() - 1)
                }
            };
            total += 1;
            column_totals[col] += 1;
            // Each row counts the file once, however many of its indicators sit below that row.
            let mut rolled: HashSet<usize> = HashSet::new();
            let mut direct: HashSet<usize> = HashSet::new();
            for v in &t.indicators {
                let path = schema.indicator_path(&v.code);
                for (n, node) in path.iter().enumerate() {
                    if let Some(r) = inds.iter().position(|i| i.code == node.code) {
                        rolled.insert(r);
                        if n + 1 == path.len() {
                            direct.insert(r);
                        }
                    }
                }
            }
            if rolled.is_empty() {
                rolled.insert(rows.len() - 1);
                direct.insert(rows.len() - 1);
            }
            for r in rolled {
                rows[r].cells[col].total += 1;
                rows[r].total += 1;
            }
            for r in direct {
                rows[r].cells[col].direct += 1;
            }
        }
        Ok(Coverage {
            by,
            columns,
            rows,
            column_totals,
            total,
            counted: Counted::All,
        })
    }

    /// Indicator rows whose cell is empty: the gaps the office must fill.
    pub fn empty_cells(&self) -> Vec<(&Row, &Column)> {
        let mut v = Vec::new();
        for r in self.rows.iter().filter(|r| r.code.is_some()) {
            for (c, col) in r.cells.iter().zip(&self.columns) {
                if c.total == 0 && col.code.is_some() {
                    v.push((r, col));
                }
            }
        }
        v
    }

    fn row_label(r: &Row, l: Lang) -> String {
        match &r.code {
            Some(code) => format!("{}{} {}", "  ".repeat(r.depth), code, r.name),
            None => unknown_label(&r.name, l),
        }
    }

    fn header(&self, l: Lang) -> Vec<String> {
        let mut h = vec![l.t(Msg::FieldIndicator).to_string()];
        h.extend(self.columns.iter().map(|c| unknown_label(&c.name, l)));
        h.push(l.t(Msg::ReportTotal).into());
        h
    }

    /// Aligned for a terminal; empty cells show "—".
    pub fn to_table(&self, l: Lang) -> String {
        let mut grid: Vec<Vec<String>> = vec![self.header(l)];
        for r in &self.rows {
            let mut line = vec![Self::row_label(r, l)];
            line.extend(r.cells.iter().map(|c| {
                if c.total == 0 {
                    EMPTY.to_string()
                } else {
                    c.total.to_string()
                }
            }));
            line.push(r.total.to_string());
            grid.push(line);
        }
        let mut foot = vec![l.t(Msg::ReportTotalFiles).to_string()];
        foot.extend(self.column_totals.iter().map(|n| n.to_string()));
        foot.push(self.total.to_string());
        grid.push(foot);
        let ncol = grid[0].len();
        let widths: Vec<usize> = (0..ncol)
            .map(|c| grid.iter().map(|r| r[c].width()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for (n, r) in grid.iter().enumerate() {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                let pad = widths[c] - cell.width();
                if c == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
            if n == 0 || n + 2 == grid.len() {
                let total: usize = widths.iter().sum::<usize>() + 2 * (ncol - 1);
                let _ = writeln!(out, "{}", "-".repeat(total));
            }
        }
        let _ = writeln!(out, "{}", l.fill(Msg::ReportLegend, &[("empty", &EMPTY)]));
        let _ = writeln!(out, "{}", self.counted.sentence(l));
        out
    }

    /// UTF-8 with a BOM, so that Excel shows the Chinese; codes and names in separate columns.
    pub fn to_csv(&self, l: Lang) -> Vec<u8> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut h = vec![
                l.t(Msg::ReportCode).to_string(),
                l.t(Msg::FieldIndicator).to_string(),
                l.t(Msg::ReportLevel).to_string(),
            ];
            h.extend(self.columns.iter().map(|c| unknown_label(&c.name, l)));
            h.push(l.t(Msg::ReportTotal).into());
            let _ = w.write_record(&h);
            for r in &self.rows {
                let mut line = vec![
                    r.code.clone().unwrap_or_default(),
                    match &r.code {
                        Some(_) => r.name.clone(),
                        None => unknown_label(&r.name, l),
                    },
                    r.depth.to_string(),
                ];
                line.extend(r.cells.iter().map(|c| c.total.to_string()));
                line.push(r.total.to_string());
                let _ = w.write_record(&line);
            }
            let mut foot = vec![
                String::new(),
                l.t(Msg::ReportTotalFiles).to_string(),
                String::new(),
            ];
            foot.extend(self.column_totals.iter().map(|n| n.to_string()));
            foot.push(self.total.to_string());
            let _ = w.write_record(&foot);
            let _ = w.flush();
        }
        out
    }

    /// An Excel workbook ready to print and stamp: the title, the issuing office, the date and
    /// the assessment period above the table, a legend, the header row frozen and repeated on
    /// every printed page, A4 landscape fitted to one page wide, page numbers in the footer;
    /// empty indicator cells shaded and marked "—" as on the page.
    pub fn to_xlsx(&self, l: Lang, head: &Letterhead) -> Result<Vec<u8>> {
        use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
        let xerr = Error::Xlsx;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(l.t(Msg::ReportSheet)).map_err(xerr)?;
        let head_fmt = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        let empty = Format::new()
            .set_background_color(Color::RGB(0xF8CBAD))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center);
        let num = Format::new().set_border(FormatBorder::Thin);
        let dash = num.clone().set_align(FormatAlign::Center);
        let bold_num = Format::new().set_bold().set_border(FormatBorder::Thin);
        let label = Format::new().set_border(FormatBorder::Thin);
        let last_col = (self.columns.len() + 1) as u16;

        // Above the table: title, who/when/which period, legend (each merged across the table).
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        ws.merge_range(0, 0, 0, last_col, &head.title(l), &title)
            .map_err(xerr)?;
        ws.set_row_height(0, 24).map_err(xerr)?;
        let plain = Format::new().set_align(FormatAlign::Left);
        ws.merge_range(1, 0, 1, last_col, &head.byline(l), &plain)
            .map_err(xerr)?;
        let legend = Format::new()
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap()
            .set_font_size(9);
        ws.merge_range(2, 0, 2, last_col, &legend_text(l, self.counted), &legend)
            .map_err(xerr)?;
        ws.set_row_height(2, 30).map_err(xerr)?;
        const TOP: u32 = 3;

        for (c, h) in self.header(l).iter().enumerate() {
            ws.write_string_with_format(TOP, c as u16, h, &head_fmt)
                .map_err(xerr)?;
        }
        ws.set_column_width(0, 40).map_err(xerr)?;
        for c in 1..=last_col {
            ws.set_column_width(c, 8.5).map_err(xerr)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = TOP + 1 + i as u32;
            let fmt = label.clone().set_indent(r.depth.min(15) as u8);
            let text = match &r.code {
                Some(code) => format!("{code} {}", r.name),
                None => unknown_label(&r.name, l),
            };
            let fmt = if r.depth == 0 { fmt.set_bold() } else { fmt };
            ws.write_string_with_format(row, 0, &text, &fmt)
                .map_err(xerr)?;
            for (c, cell) in r.cells.iter().enumerate() {
                let col = (c + 1) as u16;
                if cell.total > 0 {
                    ws.write_number_with_format(row, col, cell.total as f64, &num)
                        .map_err(xerr)?;
                    continue;
                }
                let gap = r.code.is_some() && self.columns[c].code.is_some();
                ws.write_string_with_format(row, col, EMPTY, if gap { &empty } else { &dash })
                    .map_err(xerr)?;
            }
            ws.write_number_with_format(row, last_col, r.total as f64, &bold_num)
                .map_err(xerr)?;
        }
        let last = TOP + 1 + self.rows.len() as u32;
        ws.write_string_with_format(last, 0, l.t(Msg::ReportTotalFiles), &head_fmt)
            .map_err(xerr)?;
        for (c, n) in self.column_totals.iter().enumerate() {
            ws.write_number_with_format(last, (c + 1) as u16, *n as f64, &bold_num)
                .map_err(xerr)?;
        }
        ws.write_number_with_format(last, last_col, self.total as f64, &bold_num)
            .map_err(xerr)?;
        ws.set_freeze_panes(TOP + 1, 1).map_err(xerr)?;

        // Printing: A4 (paper 9) landscape, one page wide however long, the header row on
        // every page, "第 1 页，共 3 页" at the bottom (Excel's &P and &N).
        ws.set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0)
            .set_print_center_horizontally(true)
            .set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
        ws.set_repeat_rows(TOP, TOP).map_err(xerr)?;
        let footer = l
            .t(Msg::LedgerPage)
            .replace('&', "&&")
            .replace("{page}", "&P")
            .replace("{pages}", "&N");
        ws.set_footer(format!("&C{footer}"));
        wb.save_to_buffer().map_err(xerr)
    }

    pub fn to_json(&self) -> serde_json::Value {
        let (by, pref) = match &self.by {
            By::Prefecture => ("prefecture", None),
            By::County(p) => ("county", Some(p.clone())),
        };
        serde_json::json!({
            "by": by,
            "prefecture": pref,
            "columns": self.columns,
            "rows": self.rows.iter().map(|r| serde_json::json!({
                "code": r.code,
                "name": r.name,
                "depth": r.depth,
                "cells": r.cells,
                "total": r.total,
                "empty_columns": r.cells.iter().zip(&self.columns)
                    .filter(|(c, col)| c.total == 0 && col.code.is_some() && r.code.is_some())
                    .map(|(_, col)| col.code.clone()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "column_totals": self.column_totals,
            "total": self.total,
            "counted": self.counted.as_str(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TagValue;
    use crate::schema::tests::schema;
    use chrono::NaiveDate;

    fn tv(code: &str) -> TagValue {
        TagValue {
            code: code.into(),
            name: String::new(),
            source: "path".into(),
            evidence: String::new(),
            alternatives: vec![],
        }
    }

    fn t(pref: Option<&str>, county: Option<&str>, inds: &[&str]) -> Tagging {
        Tagging {
            prefecture: pref.map(tv),
            county: county.map(tv),
            indicators: inds.iter().map(|c| tv(c)).collect(),
            ..Tagging::default()
        }
    }

    fn sample() -> Vec<Tagging> {
        vec![
            t(Some("630200"), Some("630223"), &["B4.1"]),
            t(Some("630200"), Some("630223"), &["B4.1", "B4"]), // counted once under B and B4
            t(Some("630200"), None, &["B4.2"]),
            t(Some("630100"), Some("630103"), &["A1.1"]),
            t(None, None, &["D2"]),
            t(Some("630200"), Some("630202"), &[]),
        ]
    }

    fn row<'a>(c: &'a Coverage, code: &str) -> &'a Row {
        c.rows
            .iter()
            .find(|r| r.code.as_deref() == Some(code))
            .unwrap()
    }

    #[test]
    fn counts_roll_up_each_file_once() {
        let c = Coverage::build(schema(), &sample(), By::Prefecture).unwrap();
        assert_eq!(c.columns.len(), 9);
        let haidong = c
            .columns
            .iter()
            .position(|x| x.code.as_deref() == Some("630200"))
            .unwrap();
        assert_eq!(
            row(&c, "B4.1").cells[haidong],
            Cell {
                total: 2,
                direct: 2
            }
        );
        assert_eq!(
            row(&c, "B4").cells[haidong],
            Cell {
                total: 3,
                direct: 1
            }
        );
        assert_eq!(row(&c, "B").cells[haidong].total, 3);
        assert_eq!(row(&c, "A").total, 1);
        assert_eq!(row(&c, "D2").cells[8].total, 1, "unknown place column");
        let none = c.rows.last().unwrap();
        assert_eq!((none.code.as_ref(), none.total), (None, 1));
        assert_eq!(c.column_totals[haidong], 4);
        assert_eq!(c.total, 6);
        assert!(c
            .empty_cells()
            .iter()
            .any(|(r, col)| r.code.as_deref() == Some("D3") && col.name == "果洛州"));
    }

    #[test]
    fn county_mode_keeps_one_prefecture() {
        let c = Coverage::build(schema(), &sample(), By::County("海东市".into())).unwrap();
        assert_eq!(c.by, By::County("630200".into()));
        let names: Vec<&str> = c.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "乐都区",
                "平安区",
                "民和县",
                "互助县",
                "化隆县",
                "循化县",
                "未定县"
            ]
        );
        assert_eq!(c.total, 4);
        assert_eq!(row(&c, "B4.1").cells[3].total, 2);
        assert_eq!(row(&c, "B4.2").cells[6].total, 1);
        assert!(Coverage::build(schema(), &sample(), By::County("互助县".into())).is_err());
    }

    #[test]
    fn table_is_aligned_with_wide_characters() {
        let c = Coverage::build(schema(), &sample(), By::Prefecture).unwrap();
        let table = c.to_table(Lang::Zh);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("指标")
                && lines[0].contains("海东市")
                && lines[0].ends_with("合计")
        );
        // Every data row ends at the same display column as the header.
        let w = lines[0].width();
        for l in lines.iter().skip(2).take(c.rows.len()) {
            assert_eq!(l.width(), w, "{l}");
        }
        assert!(table.contains("    B4.1 科普大篷车"));
        // The same ledger in English: the interface's words change, the evidence's names stay.
        let en = c.to_table(Lang::En);
        let head = en.lines().next().unwrap();
        assert!(
            head.starts_with("Indicator") && head.contains("海东市") && head.ends_with("Total"),
            "{head}"
        );
        assert!(en.contains("Total (files)") && !en.contains("合计"), "{en}");
        assert!(table.contains(EMPTY));
    }

    #[test]
    fn csv_has_bom_and_one_line_per_row() {
        let c = Coverage::build(schema(), &sample(), By::Prefecture).unwrap();
        let bytes = c.to_csv(Lang::Zh);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text.lines().count(), c.rows.len() + 2);
        assert!(
            text.lines()
                .any(|l| l.starts_with("B4.1,科普大篷车,2,0,2,")),
            "{text}"
        );
    }

    #[test]
    fn ledger_from_tagged_paths() {
        use crate::extract::Facts;
        use crate::tag::{tag_all, FileForTagging, TagConfig};
        let facts = Facts::default();
        let paths = [
            "海东市/互助县/B4.1科普大篷车/IMG_001.jpg",
            "海东市/互助县/B4.1科普大篷车/IMG_002.jpg",
            "03-海东-乐都区-科技活动周.jpg",
            "西宁市/城中区/（二）青少年科学素质行动/a.jpg",
            "未分类/IMG_0003.jpg",
        ];
        let files: Vec<FileForTagging> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| FileForTagging {
                file_id: i as i64,
                rel_path: p,
                root: "/evidence",
                blake3: None,
                facts: &facts,
                manual: &[],
                resolved: &[],
                unreadable: false,
                read_errors: &[],
                similar: &[],
            })
            .collect();
        let tags = tag_all(schema(), &TagConfig::default(), &files);
        let c = Coverage::build(schema(), &tags, By::Prefecture).unwrap();
        let col = |code: &str| {
            c.columns
                .iter()
                .position(|x| x.code.as_deref() == Some(code))
                .unwrap()
        };
        assert_eq!(row(&c, "B4.1").cells[col("630200")].total, 2);
        assert_eq!(row(&c, "D").cells[col("630200")].total, 1);
        assert_eq!(row(&c, "A1").cells[col("630100")].total, 1);
        assert_eq!(
            c.rows.last().unwrap().cells[c.columns.len() - 1].total,
            1,
            "untagged, unplaced"
        );
        let by_county = Coverage::build(schema(), &tags, By::County("630200".into())).unwrap();
        let huzhu = by_county
            .columns
            .iter()
            .position(|x| x.name == "互助县")
            .unwrap();
        let ledu = by_county
            .columns
            .iter()
            .position(|x| x.name == "乐都区")
            .unwrap();
        assert_eq!(row(&by_county, "B4.1").cells[huzhu].total, 2);
        assert_eq!(row(&by_county, "D2").cells[ledu].total, 1);
        if std::env::var_os("SHOW_LEDGER").is_some() {
            eprintln!("{}\n{}", c.to_table(Lang::Zh), by_county.to_table(Lang::Zh));
        }
    }

    #[test]
    fn xlsx_and_json_render() {
        let c = Coverage::build(schema(), &sample(), By::Prefecture).unwrap();
        let head = Letterhead {
            place: None,
            office: Some("青海省科学技术协会".into()),
            date: NaiveDate::from_ymd_opt(2026, 12, 3),
            period: NaiveDate::from_ymd_opt(2016, 1, 1).zip(NaiveDate::from_ymd_opt(2020, 12, 31)),
        };
        let x = c.to_xlsx(Lang::Zh, &head).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(x)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
            s
        };
        let sheet = read("xl/worksheets/sheet1.xml");
        // The header row sits under the title, byline and legend: frozen below row 4.
        assert!(
            sheet.contains("state=\"frozen\"")
                && sheet.contains("xSplit=\"1\"")
                && sheet.contains("ySplit=\"4\""),
            "{sheet}"
        );
        // A4 landscape, one page wide, page numbers in the footer.
        assert!(
            sheet.contains("paperSize=\"9\"") && sheet.contains("orientation=\"landscape\""),
            "{sheet}"
        );
        assert!(sheet.contains("fitToPage=\"1\"") && sheet.contains("fitToHeight=\"0\""));
        assert!(
            sheet.contains("<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"),
            "{sheet}"
        );
        // The header row repeats on every printed page.
        assert!(read("xl/workbook.xml").contains("_xlnm.Print_Titles"));
        assert!(
            read("xl/styles.xml").contains("F8CBAD"),
            "empty cells are shaded"
        );
        let strings = read("xl/sharedStrings.xml");
        for s in [
            "B4.1 科普大篷车",
            "青海省科学素质工作证据覆盖台账",
            "编制单位：青海省科学技术协会",
            "编制日期：2026-12-03",
            "考核期：2016-01-01 至 2020-12-31",
            "表中数字为证据文件数",
            "—",
        ] {
            assert!(strings.contains(s), "{s} in {strings}");
        }
        // No office configured: its words are left out, not printed empty.
        let bare = Letterhead {
            office: None,
            ..head.clone()
        }
        .byline(Lang::Zh);
        assert!(
            !bare.contains("编制单位") && bare.starts_with("编制日期"),
            "{bare}"
        );
        let county = Letterhead {
            place: Some("海东市".into()),
            ..head
        };
        assert!(county.title(Lang::Zh).contains("海东市"));
        let j = c.to_json();
        assert_eq!(j["total"], 6);
        assert_eq!(j["rows"][0]["code"], "A");
        assert!(j["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "D3" && r["empty_columns"].as_array().unwrap().len() == 8));
    }
}
