//! The vocabulary (`archive-schema/`): indicator catalog, gazetteer, boundaries.
//!
//! It is data, not code: the office replaces the draft catalog with the inspection's own scoring
//! rubric (评分细则), or the boundaries with official ones, by pointing `--schema DIR` at a folder;
//! files missing there fall back to the copies compiled into the binary. Loading validates
//! everything and names the file and line of each problem, because the people editing these
//! files are not programmers. The lookups here run per file and per query, so the name tables
//! are hashed and the matchers are built once.
//!
//! Layout: `model.rs` holds the data types, `load/` reads and validates the five files,
//! `indicators.rs` and `places.rs` answer the per-file and per-query lookups, `geo.rs` does the
//! geometry and `text.rs` the normalisation they share. This file builds the lookup tables once.

pub mod geo;
mod indicators;
mod load;
mod model;
mod places;
pub mod text;

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

pub use geo::{Polygon, Region, SvgShape, UNCERTAIN_KM};
pub use indicators::code_key;
use indicators::indicator_names;
use load::{parse_catalog, parse_divisions, parse_regions, parse_towns, Catalog, SourceText};
pub use model::{
    Division, Indicator, IndicatorMention, KeywordMention, Level, Location, PlaceMention, PlaceRef,
    Requirement, Source, Town,
};
use places::division_names;
use text::compact;

use crate::{Error, Result};

/// File names inside a schema folder.
pub const INDICATORS_FILE: &str = "indicators.toml";
pub const DIVISIONS_FILE: &str = "divisions.csv";
pub const TOWNS_FILE: &str = "towns.csv";
pub const PREFECTURES_FILE: &str = "prefectures.geojson";
pub const COUNTIES_FILE: &str = "counties.geojson";

/// The loaded, validated vocabulary.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Hash of the source texts: tagging results are stale when it changes.
    fingerprint: String,
    /// Catalog `[meta]` (title, version, period, plans).
    pub meta: toml::Table,
    pub sources: Vec<Source>,
    indicators: Vec<Indicator>,
    ind_by_code: HashMap<String, usize>,
    /// Normalised code, compact code, names, aliases → indicator.
    ind_lookup: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
    generic_keywords: HashSet<String>,
    divisions: Vec<Division>,
    div_by_code: HashMap<String, usize>,
    div_lookup: HashMap<String, usize>,
    towns: Vec<Town>,
    prefecture_shapes: Vec<Region>,
    county_shapes: Vec<Region>,
    place_ac: AhoCorasick,
    place_payload: Vec<PlaceRef>,
    name_ac: AhoCorasick,
    name_payload: Vec<usize>,
    keyword_ac: AhoCorasick,
    keyword_payload: Vec<(usize, bool)>,
}

impl Schema {
    fn from_sources(
        ind: SourceText,
        div: SourceText,
        towns: SourceText,
        pref: SourceText,
        counties: SourceText,
    ) -> Result<Schema> {
        let fingerprint = {
            let mut h = blake3::Hasher::new();
            for part in [&ind, &div, &towns, &pref, &counties] {
                h.update(part.text.as_bytes());
                h.update(b"\0");
            }
            h.finalize().to_hex()[..16].to_string()
        };
        let catalog = parse_catalog(&ind)?;
        let divisions = parse_divisions(&div)?;
        let div_by_code: HashMap<String, usize> = divisions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.clone(), i))
            .collect();
        let towns = parse_towns(&towns, &div_by_code, &divisions)?;
        let prefecture_shapes = parse_regions(&pref, &div_by_code, &divisions, Level::Prefecture)?;
        let county_shapes = parse_regions(&counties, &div_by_code, &divisions, Level::County)?;

        let Catalog {
            meta,
            sources,
            indicators,
            generic,
        } = catalog;
        let ind_by_code: HashMap<String, usize> = indicators
            .iter()
            .enumerate()
            .map(|(i, n)| (n.code.clone(), i))
            .collect();
        let mut children = vec![Vec::new(); indicators.len()];
        for (i, n) in indicators.iter().enumerate() {
            if let Some(p) = &n.parent {
                children[ind_by_code[p]].push(i);
            }
        }

        // Indicator lookup: exact keys first so that a name never shadows a code.
        let mut ind_lookup = HashMap::new();
        for (i, n) in indicators.iter().enumerate() {
            ind_lookup.insert(code_key(&n.code), i);
        }
        let mut compact_codes: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, n) in indicators.iter().enumerate() {
            compact_codes
                .entry(code_key(&n.code).replace('.', ""))
                .or_default()
                .push(i);
        }
        for (k, v) in compact_codes {
            if v.len() == 1 {
                ind_lookup.entry(k).or_insert(v[0]);
            }
        }
        let mut name_needles: Vec<(String, usize)> = Vec::new();
        for (i, n) in indicators.iter().enumerate() {
            for name in indicator_names(n) {
                ind_lookup.entry(name.clone()).or_insert(i);
                name_needles.push((name, i));
            }
        }

        let mut div_lookup = HashMap::new();
        let mut place_needles: HashMap<String, PlaceRef> = HashMap::new();
        // Prefectures first, so that a name shared with one of their counties means the prefecture.
        let mut by_level: Vec<(usize, &Division)> = divisions.iter().enumerate().collect();
        by_level.sort_by_key(|(_, d)| d.level != Level::Prefecture);
        for (i, d) in by_level {
            let target = match &d.successor {
                Some(s) => match div_by_code.get(s) {
                    Some(&t) => t,
                    None => continue,
                },
                None => i,
            };
            if d.level == Level::Province {
                continue;
            }
            div_lookup.insert(d.code.clone(), target);
            if d.status == "geometry_only" {
                continue;
            }
            for name in division_names(d) {
                div_lookup.entry(name.clone()).or_insert(target);
                place_needles
                    .entry(name)
                    .or_insert(PlaceRef::Division(target));
            }
            // Romanised forms for typed queries: "Haidong Shi", "haidongshi", "haidong", "golmud".
            // The bare form of an ambiguous stem (hainan, huzhu) is left out, as for the Chinese.
            let first = d
                .pinyin
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_lowercase()
                .replace('\'', "");
            let mut keys = vec![compact(&d.pinyin).replace('\'', "")];
            if !d.ambiguous_stem {
                keys.push(first);
                keys.push(compact(&d.roman).replace('\'', ""));
            }
            for key in keys {
                if !key.is_empty() {
                    div_lookup.entry(key).or_insert(target);
                }
            }
        }
        let mut town_count: HashMap<String, usize> = HashMap::new();
        for t in &towns {
            *town_count.entry(compact(&t.name)).or_default() += 1;
        }
        for (i, t) in towns.iter().enumerate() {
            let key = compact(&t.name);
            if place_needles.contains_key(&key) {
                continue; // a division's own name wins over a town of the same name
            }
            let r = if town_count[&key] > 1 {
                PlaceRef::AmbiguousTown
            } else {
                PlaceRef::Town(i)
            };
            place_needles.insert(key, r);
        }
        let (place_ac, place_payload) = build_ac(place_needles.into_iter().collect())?;
        let (name_ac, name_payload) = build_ac(name_needles)?;
        let mut kw_needles = Vec::new();
        for (i, n) in indicators.iter().enumerate() {
            for k in &n.keywords {
                let key = compact(k);
                let is_generic = generic.contains(&key);
                kw_needles.push((key, (i, is_generic)));
            }
        }
        let (keyword_ac, keyword_payload) = build_ac(kw_needles)?;

        Ok(Schema {
            fingerprint,
            meta,
            sources,
            indicators,
            ind_by_code,
            ind_lookup,
            children,
            generic_keywords: generic,
            divisions,
            div_by_code,
            div_lookup,
            towns,
            prefecture_shapes,
            county_shapes,
            place_ac,
            place_payload,
            name_ac,
            name_payload,
            keyword_ac,
            keyword_payload,
        })
    }

    /// Identifies this vocabulary's content (for knowing when tags must be recomputed).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// Facet segments cannot hold '/': it is replaced (codes and names never need it).
pub fn facet_escape(s: &str) -> String {
    s.replace('/', "∕")
}

fn build_ac<T>(mut needles: Vec<(String, T)>) -> Result<(AhoCorasick, Vec<T>)> {
    needles.retain(|(k, _)| !k.is_empty());
    let (keys, payload): (Vec<String>, Vec<T>) = needles.into_iter().unzip();
    let ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&keys)
        .map_err(|e| Error::Other(format!("could not build the name matcher: {e}")))?;
    Ok((ac, payload))
}

#[cfg(test)]
pub(crate) mod tests;
