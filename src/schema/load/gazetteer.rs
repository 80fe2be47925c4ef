//! `divisions.csv` and `towns.csv`: the prefectures, counties and townships, by GB/T 2260 code.
//!
//! Read as Excel writes CSV (columns found by header name, any order, extra columns ignored);
//! a name shared by two divisions is refused, since it would tag files at random.

use std::collections::HashMap;

use super::SourceText;
use crate::schema::places::division_names;
use crate::schema::{Division, Level, Town};
use crate::Result;

/// A CSV file's trimmed header names and its records, each with its line number.
type Rows = (Vec<String>, Vec<(usize, csv::StringRecord)>);

fn csv_rows(src: &SourceText, required: &[&str]) -> Result<Rows> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(src.text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| src.err(Some(1), format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(src.err(
                Some(1),
                format!(
                    "missing column {r:?} (columns found: {})",
                    headers.join(", ")
                ),
            ));
        }
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            src.err(line, format!("malformed CSV row: {e}"))
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        rows.push((line, rec));
    }
    Ok((headers, rows))
}

fn col<'a>(headers: &[String], rec: &'a csv::StringRecord, name: &str) -> &'a str {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| rec.get(i))
        .map(str::trim)
        .unwrap_or("")
}

pub(crate) fn parse_divisions(src: &SourceText) -> Result<Vec<Division>> {
    let (h, rows) = csv_rows(src, &["code", "level", "parent_code", "name"])?;
    let mut out: Vec<Division> = Vec::new();
    let mut lines: HashMap<String, usize> = HashMap::new();
    for (line, rec) in &rows {
        let code = col(&h, rec, "code").to_string();
        if code.is_empty() {
            return Err(src.err(Some(*line), "empty code"));
        }
        if let Some(first) = lines.insert(code.clone(), *line) {
            return Err(src.err(
                Some(*line),
                format!("duplicate division code {code} (first on line {first})"),
            ));
        }
        let level = match col(&h, rec, "level") {
            "province" => Level::Province,
            "prefecture" => Level::Prefecture,
            "county" => Level::County,
            other => {
                return Err(src.err(
                    Some(*line),
                    format!("level {other:?} of {code}: use province, prefecture or county"),
                ))
            }
        };
        let name = col(&h, rec, "name").to_string();
        if name.is_empty() {
            return Err(src.err(Some(*line), format!("division {code} has no name")));
        }
        let opt = |s: &str| {
            if s.is_empty() {
                None
            } else {
                Some(s.to_string())
            }
        };
        let short = col(&h, rec, "short_name");
        out.push(Division {
            code,
            level,
            parent_code: opt(col(&h, rec, "parent_code")),
            short_name: if short.is_empty() {
                name.clone()
            } else {
                short.to_string()
            },
            full_name: col(&h, rec, "full_name").to_string(),
            pinyin: col(&h, rec, "pinyin").to_string(),
            roman: col(&h, rec, "roman").to_string(),
            aliases: col(&h, rec, "aliases")
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            ambiguous_stem: matches!(
                col(&h, rec, "ambiguous_stem").to_lowercase().as_str(),
                "true" | "1" | "yes"
            ),
            status: match col(&h, rec, "status") {
                "" => "current".to_string(),
                s => s.to_string(),
            },
            successor: opt(col(&h, rec, "successor")),
            note: col(&h, rec, "note").to_string(),
            name,
        });
    }
    for d in &out {
        let line = Some(lines[&d.code]);
        if let Some(p) = &d.parent_code {
            if !lines.contains_key(p) {
                return Err(src.err(
                    line,
                    format!(
                        "division {} names parent {p}, which is not a code in this file",
                        d.code
                    ),
                ));
            }
        } else if d.level != Level::Province {
            return Err(src.err(line, format!("{} {} has no parent_code", d.code, d.name)));
        }
        if let Some(s) = &d.successor {
            if !lines.contains_key(s) {
                return Err(src.err(
                    line,
                    format!(
                        "division {} names successor {s}, which is not a code in this file",
                        d.code
                    ),
                ));
            }
        }
    }
    // The same name under two divisions would tag files at random: refuse it.
    let mut owner: HashMap<String, (String, usize)> = HashMap::new();
    for d in &out {
        if d.successor.is_some() || d.status == "geometry_only" || d.level == Level::Province {
            continue;
        }
        for n in division_names(d) {
            if let Some((other, l)) = owner.get(&n) {
                // 玉树 names both 玉树州 and its seat 玉树市: a prefecture sharing a name with one of
                // its own counties is fine, the bare name then means the prefecture.
                let nested = d.parent_code.as_deref() == Some(other.as_str())
                    || out.iter().any(|o| {
                        &o.code == other && o.parent_code.as_deref() == Some(d.code.as_str())
                    });
                if other != &d.code && !nested {
                    return Err(src.err(
                        Some(lines[&d.code]),
                        format!("name {n:?} is used by both {other} (line {l}) and {}; remove it from one alias list", d.code),
                    ));
                }
            }
            owner.insert(n, (d.code.clone(), lines[&d.code]));
        }
    }
    Ok(out)
}

pub(crate) fn parse_towns(
    src: &SourceText,
    div_by_code: &HashMap<String, usize>,
    divs: &[Division],
) -> Result<Vec<Town>> {
    let (h, rows) = csv_rows(src, &["code", "county_code", "name"])?;
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, rec) in rows {
        let t = Town {
            code: col(&h, &rec, "code").to_string(),
            county_code: col(&h, &rec, "county_code").to_string(),
            name: col(&h, &rec, "name").to_string(),
        };
        if t.code.is_empty() || t.name.is_empty() {
            return Err(src.err(Some(line), "town without code or name"));
        }
        if let Some(first) = seen.insert(t.code.clone(), line) {
            return Err(src.err(
                Some(line),
                format!("duplicate town code {} (first on line {first})", t.code),
            ));
        }
        match div_by_code.get(&t.county_code) {
            Some(&i) if divs[i].level == Level::County => {}
            _ => {
                return Err(src.err(
                    Some(line),
                    format!(
                        "town {} names county {}, which is not a county in divisions.csv",
                        t.name, t.county_code
                    ),
                ))
            }
        }
        out.push(t);
    }
    Ok(out)
}
