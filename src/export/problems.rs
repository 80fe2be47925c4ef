//! The package's rectification ledger: the problems of the problem list (问题清单) whose
//! evidence the package holds, with their status on the day of export and, for each, the
//! linked files by their path inside the package. Written as `problems.csv` and
//! `problems.xlsx` (tag files, so the tag manifests cover them and `archive verify` checks
//! them) and shown in `index.html`, so a reader offline sees which problem each file proves.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::curate::CurateResult;
use crate::i18n::{Lang, Msg};
use crate::problems::track::{self, Filter};
use crate::schema::Schema;
use crate::{Error, Result};

/// One linked file as the package holds it.
#[derive(Debug, Clone, Serialize)]
pub struct PkgEvidence {
    pub bag_path: String,
    /// `bag_path` as a relative link (each segment percent-encoded: a `#` or `?` in a name
    /// must not end the path).
    pub href: String,
    pub name: String,
    pub note: String,
}

/// A problem as the package shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PkgProblem {
    pub number: String,
    pub place: String,
    pub county: String,
    pub category: String,
    pub description: String,
    pub indicators: String,
    pub measures: String,
    pub responsible: String,
    pub deadline: String,
    pub status: String,
    pub overdue: bool,
    pub evidence: Vec<PkgEvidence>,
    /// Files linked to the problem that this package does not hold.
    pub elsewhere: usize,
}

/// The problems with at least one linked content among `in_package` (BLAKE3 → path in the
/// bag), their status judged on `as_of`.
pub fn gather(
    cat: &Catalog,
    schema: &Schema,
    in_package: &HashMap<String, String>,
    as_of: NaiveDate,
) -> CurateResult<Vec<PkgProblem>> {
    let l = Lang::Zh;
    let every = Filter {
        prefecture: None,
        category: None,
        status: None,
        overdue_only: false,
        as_of,
    };
    let all = track::list(cat, schema, &every).map_err(|e| match e {
        crate::problems::ProblemsError::Curate(c) => c,
        other => crate::curate::CurateError::Invalid(other.localized(l)),
    })?;
    Ok(all
        .into_iter()
        .filter(|p| {
            p.evidence
                .iter()
                .any(|e| in_package.contains_key(&e.blake3))
        })
        .map(|p| {
            let (held, elsewhere): (Vec<_>, Vec<_>) = p
                .evidence
                .iter()
                .partition(|e| in_package.contains_key(&e.blake3));
            PkgProblem {
                number: p.number.clone(),
                place: p.prefecture.as_ref().map_or_else(
                    || l.t(Msg::ProblemsProvinceWide).to_string(),
                    |x| x.name.clone(),
                ),
                county: p
                    .county
                    .as_ref()
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                category: p.category.clone(),
                description: p.description.clone(),
                indicators: if p.indicators.is_empty() {
                    p.indicator_text.clone()
                } else {
                    p.indicators.join("、")
                },
                measures: p.measures.clone(),
                responsible: p.responsible.clone(),
                deadline: p.deadline.clone().unwrap_or(p.deadline_text.clone()),
                status: l.t(p.status.label()).to_string(),
                overdue: p.overdue,
                evidence: held
                    .into_iter()
                    .map(|e| {
                        let path = in_package[&e.blake3].clone();
                        PkgEvidence {
                            href: href(&path),
                            name: path.rsplit('/').next().unwrap_or(&path).to_string(),
                            bag_path: path,
                            note: e.note.clone(),
                        }
                    })
                    .collect(),
                elsewhere: elsewhere.len(),
            }
        })
        .collect())
}

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');

fn href(path: &str) -> String {
    path.split('/')
        .map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn header(l: Lang) -> Vec<String> {
    [
        Msg::ProblemsColNumber,
        Msg::ProblemsColPlace,
        Msg::ProblemsLabelCounty,
        Msg::ProblemsColCategory,
        Msg::ProblemsColDescription,
        Msg::ProblemsLabelIndicators,
        Msg::ProblemsLabelMeasures,
        Msg::ProblemsLabelResponsible,
        Msg::ProblemsColDeadline,
        Msg::ProblemsColStatus,
        Msg::ProblemsColOverdue,
        Msg::PkgProblemsInPackage,
        Msg::PkgProblemsElsewhere,
    ]
    .iter()
    .map(|m| l.t(*m).to_string())
    .collect()
}

fn row(p: &PkgProblem, l: Lang) -> Vec<String> {
    let evidence: Vec<String> = p
        .evidence
        .iter()
        .map(|e| {
            if e.note.is_empty() {
                e.bag_path.clone()
            } else {
                format!("{}（{}）", e.bag_path, e.note)
            }
        })
        .collect();
    vec![
        p.number.clone(),
        p.place.clone(),
        p.county.clone(),
        p.category.clone(),
        p.description.clone(),
        p.indicators.clone(),
        p.measures.clone(),
        p.responsible.clone(),
        p.deadline.clone(),
        p.status.clone(),
        if p.overdue {
            l.t(Msg::ProblemsOverdue).to_string()
        } else {
            String::new()
        },
        evidence.join("\n"),
        p.elsewhere.to_string(),
    ]
}

/// `problems.csv`: UTF-8 with a BOM (Excel opens it as UTF-8), one row per problem, the
/// package's files of each in one cell, one per line.
pub fn to_csv(problems: &[PkgProblem]) -> Result<Vec<u8>> {
    let l = Lang::Zh;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let err = |e: csv::Error| Error::Other(format!("could not write problems.csv: {e}"));
        w.write_record(header(l)).map_err(err)?;
        // The list's cells come from the office's spreadsheet: defused as the ledger's are.
        for p in problems {
            let cells: Vec<String> = row(p, l)
                .iter()
                .map(|c| super::ledger::spreadsheet_safe(c))
                .collect();
            w.write_record(cells).map_err(err)?;
        }
        w.flush()
            .map_err(|e| Error::Other(format!("could not write problems.csv: {e}")))?;
    }
    Ok(out)
}

/// `problems.xlsx`: the same table under a title, header frozen and repeated on every printed
/// page, A4 landscape one page wide, overdue problems in red.
pub fn to_xlsx(problems: &[PkgProblem], title: &str, date: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
    let l = Lang::Zh;
    let xerr =
        |e: rust_xlsxwriter::XlsxError| Error::Other(format!("could not write problems.xlsx: {e}"));
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
    let red = cell.clone().set_font_color(Color::RGB(0xC00000));
    let ws = wb.add_worksheet();
    ws.set_name(l.t(Msg::PkgProblemsSheet)).map_err(xerr)?;
    let head = header(l);
    let last = (head.len() - 1) as u16;
    ws.merge_range(
        0,
        0,
        0,
        last,
        &l.fill(Msg::PkgProblemsTitle, &[("title", &title), ("date", &date)]),
        &Format::new().set_bold().set_font_size(16),
    )
    .map_err(xerr)?;
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, h, &th)
            .map_err(xerr)?;
        let wide = matches!(c, 4 | 6 | 11);
        ws.set_column_width(c as u16, if wide { 36 } else { 11 })
            .map_err(xerr)?;
    }
    for (i, p) in problems.iter().enumerate() {
        let fmt = if p.overdue { &red } else { &cell };
        for (c, v) in row(p, l).iter().enumerate() {
            ws.write_string_with_format(2 + i as u32, c as u16, v, fmt)
                .map_err(xerr)?;
        }
    }
    ws.set_freeze_panes(2, 0).map_err(xerr)?;
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(1, 1).map_err(xerr)?;
    wb.save_to_buffer().map_err(xerr)
}
