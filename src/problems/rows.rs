//! A list's rows as problems, or every reason some row cannot be one.
//!
//! Offices write a 市州 once for its group of rows (a merged cell, or left blank below): a blank
//! 市州 takes the one above, until a section heading (一、共性问题) starts a new group. Places go
//! through the vocabulary (海东, 海东市, 海北藏族自治州 alike); 各市州 or 全省 makes the problem
//! province-wide. A row holding one cell only is a heading; a row repeating the header, or
//! a 合计 row, is skipped.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::deadline::{self, DeadlineError};
use super::table::{normalise, Columns, Table};
use super::{BadRow, Field, Why};
use crate::schema::{Level, Schema};

/// What a 市州 cell says when the problem concerns the whole province.
const PROVINCE_WORDS: &[&str] = &[
    "各市州",
    "全省",
    "全省各市州",
    "省级",
    "各地",
    "各市州各县区",
    "8个市州",
    "八个市州",
    "青海省",
];

/// Whether a problem concerns one prefecture or the whole province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Prefecture,
    Province,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Prefecture => "prefecture",
            Scope::Province => "province",
        }
    }
}

/// One problem as read from the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parsed {
    /// The row as the spreadsheet numbers it.
    pub row: usize,
    pub number: String,
    pub scope: Scope,
    /// GB code; `None` when province-wide.
    pub prefecture: Option<String>,
    pub county: Option<String>,
    pub category: String,
    pub description: String,
    /// Indicator codes the vocabulary recognised in the 对应指标 cell.
    pub indicators: Vec<String>,
    pub indicator_text: String,
    pub measures: String,
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
    pub deadline_text: String,
    pub progress: String,
    pub remark: String,
}

/// The place a 市州 cell names: the province, a prefecture, or a county (with its prefecture).
pub(super) enum Place {
    Province,
    Prefecture(String),
    County { county: String, prefecture: String },
}

pub(super) fn place_of(schema: &Schema, text: &str) -> Option<Place> {
    let n = normalise(text);
    if PROVINCE_WORDS.contains(&n.as_str()) {
        return Some(Place::Province);
    }
    let d = schema.resolve_place(&n)?;
    // A historical name (湟中县) means the division that replaced it.
    let d = d
        .successor
        .as_deref()
        .and_then(|s| schema.division(s))
        .unwrap_or(d);
    match d.level {
        Level::Province => Some(Place::Province),
        Level::Prefecture => Some(Place::Prefecture(d.code.clone())),
        Level::County => Some(Place::County {
            county: d.code.clone(),
            prefecture: d.parent_code.clone()?,
        }),
    }
}

/// Indicator codes named in a cell (B4.1、B4.2 or names), as the vocabulary knows them.
fn indicators(schema: &Schema, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(['、', ',', '，', ';', '；', '/', '\n']) {
        if let Some(i) = schema.resolve_indicator(part.trim()) {
            if !out.contains(&i.code) {
                out.push(i.code.clone());
            }
        }
    }
    out
}

/// A number as written, without the `.0` a numeric cell may carry.
fn number_text(s: &str) -> String {
    let s = s.trim();
    match s.strip_suffix(".0") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.to_string(),
        _ => s.to_string(),
    }
}

/// Read every row below the header; `year` is `--year`, else the title's.
pub fn parse(
    schema: &Schema,
    table: &Table,
    cols: &Columns,
    year: Option<i32>,
) -> Result<Vec<Parsed>, Vec<BadRow>> {
    let header: Vec<String> = table.rows[cols.header]
        .iter()
        .map(|c| normalise(c))
        .collect();
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut carried: Option<(String, usize)> = None;
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    for (i, row) in table.rows.iter().enumerate().skip(cols.header + 1) {
        let at = table.numbers[i];
        let filled: Vec<&str> = row
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if filled.is_empty() {
            continue;
        }
        // A header repeated down the sheet (lists pasted one under another).
        let same_as_header = row
            .iter()
            .zip(&header)
            .filter(|(c, h)| !c.trim().is_empty() && normalise(c) == **h)
            .count();
        if same_as_header * 2 > filled.len() {
            carried = None;
            continue;
        }
        let cell = |f: Field| cols.cell(row, f);
        let number = number_text(cell(Field::Number));
        if matches!(number.as_str(), "合计" | "小计" | "总计") {
            continue;
        }
        // 一、共性问题（7个）: a heading, merged across the table; a new group starts below.
        if filled.len() == 1 && cell(Field::Description).is_empty() && !number.is_empty() {
            let is_number = number.bytes().all(|b| b.is_ascii_digit());
            if !is_number {
                // A heading that names a place (西宁市) heads that place's group.
                carried = place_of(schema, &number).map(|_| (number.clone(), at));
                continue;
            }
        }
        let before = bad.len();
        let mut row_bad = |field: Field, value: &str, why: Why| {
            bad.push(BadRow {
                row: at,
                column: cols.name(table, field),
                value: value.to_string(),
                why,
            });
        };
        if number.is_empty() {
            row_bad(Field::Number, "", Why::NoNumber);
        }
        let description = cell(Field::Description).to_string();
        if description.is_empty() {
            row_bad(Field::Description, "", Why::NoDescription);
        }
        // The 市州, or the one written above for this group.
        let written = cell(Field::Prefecture);
        let (place_text, place_row) = if written.is_empty() {
            match &carried {
                Some((t, r)) => (t.clone(), *r),
                None => (String::new(), at),
            }
        } else {
            carried = Some((written.to_string(), at));
            (written.to_string(), at)
        };
        let mut scope = Scope::Prefecture;
        let mut prefecture = None;
        let mut county = None;
        if !place_text.is_empty() {
            match place_of(schema, &place_text) {
                Some(Place::Province) => scope = Scope::Province,
                Some(Place::Prefecture(p)) => prefecture = Some(p),
                Some(Place::County {
                    county: c,
                    prefecture: p,
                }) => {
                    prefecture = Some(p);
                    county = Some(c);
                }
                None if place_row == at => {
                    row_bad(Field::Prefecture, &place_text, Why::UnknownPlace)
                }
                // The group's place was already named bad on its own row.
                None => {}
            }
        }
        let county_text = cell(Field::County);
        if !county_text.is_empty() && !PROVINCE_WORDS.contains(&normalise(county_text).as_str()) {
            match place_of(schema, county_text) {
                Some(Place::County {
                    county: c,
                    prefecture: p,
                }) => match &prefecture {
                    Some(pre) if *pre != p => {
                        let name = schema
                            .division(pre)
                            .map_or(pre.clone(), |d| d.short_name.clone());
                        row_bad(
                            Field::County,
                            county_text,
                            Why::CountyElsewhere { prefecture: name },
                        )
                    }
                    _ => {
                        if scope == Scope::Prefecture {
                            prefecture = Some(p);
                        }
                        county = Some(c);
                    }
                },
                // A county column naming its prefecture (市本级, 海东市) adds nothing.
                Some(Place::Prefecture(p)) if prefecture.as_ref() == Some(&p) => {}
                // 市本级, 各县区, 全州: no one county.
                _ if county_text.ends_with("本级") || county_text.starts_with(['各', '全']) => {
                }
                _ => row_bad(Field::County, county_text, Why::UnknownPlace),
            }
        }
        // A list without a 市州 column may still name each row's county.
        if place_text.is_empty() && prefecture.is_none() {
            row_bad(Field::Prefecture, "", Why::NoPrefecture);
        }
        let deadline_text = cell(Field::Deadline).to_string();
        let deadline = match deadline::parse(&deadline_text, year) {
            Ok(d) => d,
            Err(DeadlineError::Unreadable) => {
                row_bad(Field::Deadline, &deadline_text, Why::UnreadableDeadline);
                None
            }
            Err(DeadlineError::NoYear) => {
                row_bad(Field::Deadline, &deadline_text, Why::NoYear);
                None
            }
        };
        // Only rows whose place is known can clash (an unknown place is named bad already).
        if !number.is_empty() && (prefecture.is_some() || scope == Scope::Province) {
            let key = (number.clone(), prefecture.clone());
            if let Some(first) = seen.get(&key) {
                row_bad(Field::Number, &number, Why::Duplicate { first: *first });
            } else {
                seen.insert(key, at);
            }
        }
        if bad.len() > before {
            continue;
        }
        let indicator_text = cell(Field::Indicator).to_string();
        out.push(Parsed {
            row: at,
            number,
            scope,
            prefecture,
            county,
            category: cell(Field::Category).to_string(),
            description,
            indicators: indicators(schema, &indicator_text),
            indicator_text,
            measures: cell(Field::Measures).to_string(),
            responsible: cell(Field::Responsible).to_string(),
            deadline,
            deadline_text,
            progress: cell(Field::Progress).to_string(),
            remark: cell(Field::Remark).to_string(),
        });
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(bad)
    }
}
