//! The rectification ledger (整改台账) as a report: per place × category the totals (all,
//! open, overdue, rectified, verified), then every problem with its evidence count.
//!
//! Province-wide problems are one row of their own (全省), counted once: they are rectified
//! once for the province, and adding them to each prefecture would count each of them eight
//! times in the province's total. Withdrawn problems are listed but counted in no total.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::deadline::ymd;
use super::track::ProblemView;
use super::Status;
use crate::i18n::{Lang, Msg};

/// Each place's name and totals per category, the province-wide row first (`false`), then
/// the prefectures in code order.
type Places = BTreeMap<(bool, Option<String>), (String, BTreeMap<String, Totals>)>;

/// Counts of one cell, one place, or the whole list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub all: usize,
    /// `open` or `rectifying`.
    pub open: usize,
    pub overdue: usize,
    pub rectified: usize,
    pub verified: usize,
}

impl Totals {
    fn add(&mut self, p: &ProblemView) {
        if p.status == Status::Withdrawn {
            return;
        }
        self.all += 1;
        self.open += p.status.is_pending() as usize;
        self.overdue += p.overdue as usize;
        self.rectified += (p.status == Status::Rectified) as usize;
        self.verified += (p.status == Status::Verified) as usize;
    }

    fn cells(&self) -> [usize; 5] {
        [
            self.all,
            self.open,
            self.overdue,
            self.rectified,
            self.verified,
        ]
    }
}

/// One line of the summary: a place and a category (or all categories: `category` None).
#[derive(Debug, Clone, Serialize)]
pub struct SummaryLine {
    /// Prefecture code; `None` for the province-wide row.
    pub code: Option<String>,
    pub place: String,
    pub category: Option<String>,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: String,
    /// Per place (province-wide first, then the prefectures in code order): each category,
    /// then the place's subtotal.
    pub summary: Vec<SummaryLine>,
    pub total: Totals,
    pub problems: Vec<ProblemView>,
}

impl Report {
    /// `problems` as `track::list` gives them (sorted, overdue judged on `as_of`).
    pub fn build(problems: Vec<ProblemView>, as_of: NaiveDate, l: Lang) -> Report {
        let mut by: Places = BTreeMap::new();
        let mut total = Totals::default();
        for p in &problems {
            let code = p.prefecture.as_ref().map(|x| x.code.clone());
            let name = p.prefecture.as_ref().map_or_else(
                || l.t(Msg::ProblemsProvinceWide).to_string(),
                |x| x.name.clone(),
            );
            let place = by
                .entry((code.is_some(), code))
                .or_insert((name, BTreeMap::new()));
            place.1.entry(p.category.clone()).or_default().add(p);
            total.add(p);
        }
        let mut summary = Vec::new();
        for ((_, code), (place, cats)) in by {
            let mut sub = Totals::default();
            for (category, t) in &cats {
                for (a, b) in [
                    (&mut sub.all, t.all),
                    (&mut sub.open, t.open),
                    (&mut sub.overdue, t.overdue),
                    (&mut sub.rectified, t.rectified),
                    (&mut sub.verified, t.verified),
                ] {
                    *a += b;
                }
                summary.push(SummaryLine {
                    code: code.clone(),
                    place: place.clone(),
                    category: Some(category.clone()),
                    totals: *t,
                });
            }
            summary.push(SummaryLine {
                code,
                place,
                category: None,
                totals: sub,
            });
        }
        Report {
            as_of: ymd(as_of),
            summary,
            total,
            problems,
        }
    }

    fn summary_header(l: Lang) -> Vec<String> {
        [
            Msg::ProblemsColPlace,
            Msg::ProblemsColCategory,
            Msg::ProblemsColAll,
            Msg::ProblemsColOpen,
            Msg::ProblemsColOverdue,
            Msg::ProblemsColRectified,
            Msg::ProblemsColVerified,
        ]
        .iter()
        .map(|m| l.t(*m).to_string())
        .collect()
    }

    fn summary_rows(&self, l: Lang) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = self
            .summary
            .iter()
            .map(|s| {
                let mut r = vec![
                    s.place.clone(),
                    s.category
                        .clone()
                        .unwrap_or_else(|| l.t(Msg::ProblemsReportSubtotal).to_string()),
                ];
                r.extend(s.totals.cells().iter().map(usize::to_string));
                r
            })
            .collect();
        let mut last = vec![l.t(Msg::ProblemsReportTotal).to_string(), String::new()];
        last.extend(self.total.cells().iter().map(usize::to_string));
        rows.push(last);
        rows
    }

    fn list_header(l: Lang) -> Vec<String> {
        [
            Msg::ProblemsColId,
            Msg::ProblemsColPlace,
            Msg::ProblemsLabelCounty,
            Msg::ProblemsColNumber,
            Msg::ProblemsColCategory,
            Msg::ProblemsColDescription,
            Msg::ProblemsLabelIndicators,
            Msg::ProblemsLabelMeasures,
            Msg::ProblemsLabelResponsible,
            Msg::ProblemsColDeadline,
            Msg::ProblemsColStatus,
            Msg::ProblemsColOverdue,
            Msg::ProblemsColEvidence,
        ]
        .iter()
        .map(|m| l.t(*m).to_string())
        .collect()
    }

    fn list_rows(&self, l: Lang) -> Vec<Vec<String>> {
        self.problems
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    p.prefecture.as_ref().map_or_else(
                        || l.t(Msg::ProblemsProvinceWide).to_string(),
                        |x| x.name.clone(),
                    ),
                    p.county
                        .as_ref()
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    p.number.clone(),
                    p.category.clone(),
                    p.description.clone(),
                    match p.indicators.is_empty() {
                        true => p.indicator_text.clone(),
                        false => p.indicators.join("、"),
                    },
                    p.measures.clone(),
                    p.responsible.clone(),
                    p.deadline
                        .clone()
                        .unwrap_or_else(|| p.deadline_text.clone()),
                    l.t(p.status.label()).to_string(),
                    if p.overdue {
                        l.t(Msg::ProblemsOverdue).to_string()
                    } else {
                        String::new()
                    },
                    p.evidence.len().to_string(),
                ]
            })
            .collect()
    }

    /// Both tables as CSV (UTF-8 with BOM, so Excel opens it as UTF-8), a blank line between.
    pub fn to_csv(&self, l: Lang) -> Vec<u8> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(&mut out);
            let _ = w.write_record(Self::summary_header(l));
            for r in self.summary_rows(l) {
                let _ = w.write_record(r);
            }
            let _ = w.write_record([""]);
            let _ = w.write_record(Self::list_header(l));
            for r in self.list_rows(l) {
                let _ = w.write_record(r);
            }
            let _ = w.flush();
        }
        out
    }

    /// The summary as aligned text rows (the CLI prints them with its table printer).
    pub fn summary_table(&self, l: Lang) -> (Vec<String>, Vec<Vec<String>>) {
        (Self::summary_header(l), self.summary_rows(l))
    }

    /// A workbook of two sheets (汇总, 问题清单): title above, header frozen and repeated on
    /// every printed page, A4 landscape one page wide, overdue problems in red.
    pub fn to_xlsx(&self, l: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
        let mut wb = Workbook::new();
        let head = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
        let red = cell.clone().set_font_color(Color::RGB(0xC00000));
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        let sheets = [
            (
                Msg::ProblemsReportSummarySheet,
                Self::summary_header(l),
                self.summary_rows(l),
                vec![],
            ),
            (
                Msg::ProblemsReportListSheet,
                Self::list_header(l),
                self.list_rows(l),
                self.problems.iter().map(|p| p.overdue).collect::<Vec<_>>(),
            ),
        ];
        for (name, header, rows, overdue) in sheets {
            let ws = wb.add_worksheet();
            ws.set_name(l.t(name))?;
            let last_col = (header.len() - 1) as u16;
            let text = l.fill(Msg::ProblemsReportTitle, &[("date", &self.as_of)]);
            ws.merge_range(0, 0, 0, last_col, &text, &title)?;
            ws.set_row_height(0, 24)?;
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(1, c as u16, h, &head)?;
                let wide =
                    h == l.t(Msg::ProblemsColDescription) || h == l.t(Msg::ProblemsLabelMeasures);
                ws.set_column_width(c as u16, if wide { 36 } else { 11 })?;
            }
            for (i, row) in rows.iter().enumerate() {
                let fmt = if overdue.get(i).copied().unwrap_or(false) {
                    &red
                } else {
                    &cell
                };
                for (c, v) in row.iter().enumerate() {
                    match v.parse::<f64>() {
                        Ok(n)
                            if c > 0 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            ws.write_number_with_format(2 + i as u32, c as u16, n, fmt)?
                        }
                        _ => ws.write_string_with_format(2 + i as u32, c as u16, v, fmt)?,
                    };
                }
            }
            ws.set_freeze_panes(2, 0)?;
            ws.set_paper_size(9)
                .set_landscape()
                .set_print_fit_to_pages(1, 0)
                .set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
            ws.set_repeat_rows(1, 1)?;
            let footer = l
                .t(Msg::LedgerPage)
                .replace('&', "&&")
                .replace("{page}", "&P")
                .replace("{pages}", "&N");
            ws.set_footer(format!("&C{footer}"));
        }
        wb.save_to_buffer()
    }
}
