//! `indicators.toml`: the indicator catalog, validated so that every code, name, alias and
//! keyword points at exactly one indicator and the parent links form a tree.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::SourceText;
use crate::record::Media;
use crate::schema::text::compact;
use crate::schema::{code_key, Indicator, Requirement, Source};
use crate::Result;

pub(crate) struct Catalog {
    pub(crate) meta: toml::Table,
    pub(crate) sources: Vec<Source>,
    pub(crate) indicators: Vec<Indicator>,
    pub(crate) generic: HashSet<String>,
}

#[derive(Deserialize)]
struct RawCatalog {
    #[serde(default)]
    meta: toml::Table,
    #[serde(default, rename = "source")]
    sources: Vec<Source>,
    #[serde(default, rename = "indicator")]
    indicators: Vec<RawIndicator>,
    #[serde(default)]
    tagging: RawTagging,
}

#[derive(Deserialize, Default)]
struct RawTagging {
    /// Generic words that never tag alone (the draft calls them ambiguous_keywords).
    #[serde(default, alias = "generic_keywords")]
    ambiguous_keywords: Vec<String>,
}

#[derive(Deserialize)]
struct RawIndicator {
    code: toml::Spanned<String>,
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    keywords: Vec<toml::Spanned<String>>,
    #[serde(default)]
    aliases: Vec<toml::Spanned<String>>,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    activity: bool,
    /// 分值 in the scoring rules.
    #[serde(default, alias = "分值")]
    points: Option<f64>,
    #[serde(default)]
    requires: Vec<RawRequirement>,
}

/// `[[indicator.requires]]`: unknown keys are refused, so a misspelt `mnin = 5` is not a rule
/// silently asking for one file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    #[serde(default)]
    media: Option<String>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    per: Option<String>,
    #[serde(default)]
    named: Vec<String>,
    #[serde(default)]
    label: Option<String>,
}

/// An indicator's scoring fields, checked: the error names the indicator (its line is the
/// caller's).
fn scoring(r: &RawIndicator) -> std::result::Result<(Option<f64>, Vec<Requirement>), String> {
    let code = r.code.get_ref().trim();
    if let Some(p) = r.points {
        if !p.is_finite() || p < 0.0 {
            return Err(format!(
                "indicator {code}: points = {p} must be a number of 0 or more"
            ));
        }
    }
    if r.points.is_none() && !r.requires.is_empty() {
        return Err(format!(
            "indicator {code} lists [[indicator.requires]] but no points; give it points = N (its 分值) or remove the requirements"
        ));
    }
    let mut out = Vec::new();
    for q in &r.requires {
        let media = match q.media.as_deref().map(str::trim) {
            None | Some("") | Some("any") => None,
            Some(m) => match Media::parse(m) {
                Some(Media::Other) | None => {
                    return Err(format!(
                    "indicator {code}: requires media = {m:?}; use photo, video, document or any"
                ))
                }
                some => some,
            },
        };
        let min = q.min.unwrap_or(1);
        if min < 1 {
            return Err(format!(
                "indicator {code}: requires min = {min}; at least 1 file must be asked for"
            ));
        }
        let per_year = match q.per.as_deref().map(str::trim) {
            None | Some("") | Some("year") => true,
            Some("period") => false,
            Some(p) => {
                return Err(format!(
                    "indicator {code}: requires per = {p:?}; use year (each year of the period) or period (once in the period)"
                ))
            }
        };
        let named: Vec<String> = q
            .named
            .iter()
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect();
        out.push(Requirement {
            media,
            min: min as usize,
            per_year,
            named,
            label: q.label.clone().filter(|l| !l.trim().is_empty()),
        });
    }
    Ok((r.points, out))
}

pub(crate) fn parse_catalog(src: &SourceText) -> Result<Catalog> {
    let raw: RawCatalog = toml::from_str(&src.text).map_err(|e| {
        let line = e.span().map(|s| src.line_of(s.start));
        src.err(line, format!("not a valid catalog: {}", e.message()))
    })?;
    if raw.indicators.is_empty() {
        return Err(src.err(
            None,
            "no [[indicator]] entries; the catalog needs at least one indicator",
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &raw.indicators {
        let code = r.code.get_ref().trim();
        let line = src.line_of(r.code.span().start);
        if code.is_empty() || code.contains('/') || code.contains(char::is_whitespace) {
            return Err(src.err(
                Some(line),
                format!("indicator code {code:?} must be non-empty, without spaces or '/'"),
            ));
        }
        if r.name.trim().is_empty() {
            return Err(src.err(Some(line), format!("indicator {code} has no name")));
        }
        if let Some(first) = seen.insert(code_key(code), line) {
            return Err(src.err(
                Some(line),
                format!("duplicate indicator code {code} (first defined on line {first})"),
            ));
        }
    }
    for r in &raw.indicators {
        let parent = r.parent.trim();
        if !parent.is_empty()
            && !raw
                .indicators
                .iter()
                .any(|o| o.code.get_ref().trim() == parent)
        {
            return Err(src.err(
                Some(src.line_of(r.code.span().start)),
                format!(
                    "indicator {} names parent {parent:?}, which is not a code in this catalog",
                    r.code.get_ref()
                ),
            ));
        }
    }
    let generic: HashSet<String> = raw
        .tagging
        .ambiguous_keywords
        .iter()
        .map(|k| compact(k))
        .collect();
    let mut kw_owner: HashMap<String, (String, usize)> = HashMap::new();
    for r in &raw.indicators {
        for k in &r.keywords {
            let key = compact(k.get_ref());
            let line = src.line_of(k.span().start);
            if key.is_empty() {
                return Err(src.err(
                    Some(line),
                    format!("empty keyword under {}", r.code.get_ref()),
                ));
            }
            if let Some((other, other_line)) = kw_owner.get(&key) {
                if other != r.code.get_ref() {
                    return Err(src.err(
                        Some(line),
                        format!(
                            "keyword {:?} is listed under both {other} (line {other_line}) and {}; a keyword must point at one indicator (keep it under the more specific one)",
                            k.get_ref(),
                            r.code.get_ref()
                        ),
                    ));
                }
            }
            kw_owner.insert(key, (r.code.get_ref().clone(), line));
        }
    }

    // A name or alias naming two indicators would make "indicator=..." filters and path tags
    // depend on file order.
    let mut name_owner: HashMap<String, (String, usize)> = HashMap::new();
    for r in &raw.indicators {
        let code = r.code.get_ref().trim().to_string();
        let mut names = vec![(
            compact(&r.name),
            src.line_of(r.code.span().start),
            r.name.clone(),
        )];
        names.extend(r.aliases.iter().map(|a| {
            (
                compact(a.get_ref()),
                src.line_of(a.span().start),
                a.get_ref().clone(),
            )
        }));
        for (key, line, shown) in names {
            if key.is_empty() {
                continue;
            }
            if let Some((other, other_line)) = name_owner.get(&key) {
                if other != &code {
                    return Err(src.err(
                        Some(line),
                        format!("name or alias {shown:?} is used by both {other} (line {other_line}) and {code}; keep it on one indicator"),
                    ));
                }
            }
            name_owner.insert(key, (code.clone(), line));
        }
    }

    // Points on a node and on one below it would count the same files twice in the total.
    for r in &raw.indicators {
        let line = src.line_of(r.code.span().start);
        scoring(r).map_err(|m| src.err(Some(line), m))?;
        if r.points.is_none() {
            continue;
        }
        let mut up = r.parent.trim().to_string();
        // Bounded: a parent cycle is reported below, not looped on here.
        for _ in 0..raw.indicators.len() {
            let Some(p) = raw
                .indicators
                .iter()
                .find(|o| o.code.get_ref().trim() == up)
            else {
                break;
            };
            if p.points.is_some() {
                return Err(src.err(
                    Some(line),
                    format!(
                        "indicator {} has points and so has {}, above it; points go on one level only (a parent's files include its children's, so both would count them)",
                        r.code.get_ref().trim(),
                        up
                    ),
                ));
            }
            up = p.parent.trim().to_string();
            if up.is_empty() {
                break;
            }
        }
    }

    // Tree order: roots in file order, each followed by its subtree; a node never reached sits
    // on a parent cycle.
    let codes: Vec<String> = raw
        .indicators
        .iter()
        .map(|r| r.code.get_ref().trim().to_string())
        .collect();
    let mut order = Vec::new();
    let mut depth = vec![0usize; codes.len()];
    let mut stack: Vec<(usize, usize)> = raw
        .indicators
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, r)| r.parent.trim().is_empty())
        .map(|(i, _)| (i, 0))
        .collect();
    while let Some((i, d)) = stack.pop() {
        order.push(i);
        depth[i] = d;
        for (j, r) in raw.indicators.iter().enumerate().rev() {
            if r.parent.trim() == codes[i] {
                stack.push((j, d + 1));
            }
        }
    }
    if order.len() != codes.len() {
        let stray = (0..codes.len()).find(|i| !order.contains(i)).unwrap_or(0);
        return Err(src.err(
            Some(src.line_of(raw.indicators[stray].code.span().start)),
            format!("indicator {} is on a parent cycle (it never reaches a root); give one of them parent = \"\"", codes[stray]),
        ));
    }
    let mut by_index: Vec<Option<RawIndicator>> = raw.indicators.into_iter().map(Some).collect();
    let indicators = order
        .into_iter()
        .filter_map(|i| {
            let r = by_index[i].take()?;
            let parent = r.parent.trim().to_string();
            let (points, requires) = scoring(&r).unwrap_or_default();
            Some(Indicator {
                code: r.code.get_ref().trim().to_string(),
                name: r.name.trim().to_string(),
                parent: if parent.is_empty() {
                    None
                } else {
                    Some(parent)
                },
                keywords: r.keywords.into_iter().map(|k| k.into_inner()).collect(),
                aliases: r.aliases.into_iter().map(|a| a.into_inner()).collect(),
                basis: r.basis,
                sources: r.sources,
                note: r.note,
                activity: r.activity,
                depth: depth[i],
                points,
                requires,
            })
        })
        .collect();
    Ok(Catalog {
        meta: raw.meta,
        sources: raw.sources,
        indicators,
        generic,
    })
}
