//! `indicators.toml`: the indicator catalog, validated so that every code, name, alias and
//! keyword points at exactly one indicator and the parent links form a tree.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::SourceText;
use crate::schema::text::compact;
use crate::schema::{code_key, Indicator, Source};
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
