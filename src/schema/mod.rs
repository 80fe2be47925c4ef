//! The vocabulary (`archive-schema/`): indicator catalog, gazetteer, boundaries.
//!
//! It is data, not code: the office replaces the draft catalog with the inspection's own scoring
//! rubric (评分细则), or the boundaries with official ones, by pointing `--schema DIR` at a folder;
//! files missing there fall back to the copies compiled into the binary. Loading validates
//! everything and names the file and line of each problem, because the people editing these
//! files are not programmers. The lookups here run per file and per query, so the name tables
//! are hashed and the matchers are built once.

pub mod geo;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::record::Gps;
use crate::{Error, Result};
pub use geo::{Polygon, Region, SvgShape, UNCERTAIN_KM};
use text::{compact, is_cjk, normalize, strip_parenthetical};

/// File names inside a schema folder.
pub const INDICATORS_FILE: &str = "indicators.toml";
pub const DIVISIONS_FILE: &str = "divisions.csv";
pub const TOWNS_FILE: &str = "towns.csv";
pub const PREFECTURES_FILE: &str = "prefectures.geojson";
pub const COUNTIES_FILE: &str = "counties.geojson";

const EMBEDDED_INDICATORS: &str = include_str!("../../archive-schema/indicators.toml");
const EMBEDDED_DIVISIONS: &str = include_str!("../../archive-schema/divisions.csv");
const EMBEDDED_TOWNS: &str = include_str!("../../archive-schema/towns.csv");
const EMBEDDED_PREFECTURES: &str = include_str!("../../archive-schema/prefectures.geojson");
const EMBEDDED_COUNTIES: &str = include_str!("../../archive-schema/counties.geojson");
/// The same outlines pre-parsed by `build.rs` (its header describes the format).
const EMBEDDED_PREFECTURES_BIN: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/prefectures.geobin"));
const EMBEDDED_COUNTIES_BIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/counties.geobin"));

/// One node of the indicator catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// `None` for a root (A, B, C, D in the draft).
    pub parent: Option<String>,
    pub keywords: Vec<String>,
    pub aliases: Vec<String>,
    /// verified | partial | proposal: how well the node is supported by a located source.
    pub basis: String,
    pub sources: Vec<String>,
    pub note: Option<String>,
    /// An activity (科普大篷车) rather than a policy heading.
    pub activity: bool,
    /// 0 for a root.
    pub depth: usize,
}

/// A `[[source]]` entry of the catalog: where a node's wording was found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    Prefecture,
    County,
}

/// A prefecture or county (or the province) of the gazetteer, GB/T 2260 code.
#[derive(Debug, Clone, Serialize)]
pub struct Division {
    pub code: String,
    pub level: Level,
    pub parent_code: Option<String>,
    /// Official name: 海北藏族自治州, 互助土族自治县.
    pub name: String,
    /// Everyday name: 海北州, 互助县. Used in facets and tables.
    pub short_name: String,
    pub full_name: String,
    pub pinyin: String,
    /// Romanised name as used abroad (Golmud, Golog); may be empty.
    pub roman: String,
    pub aliases: Vec<String>,
    /// The bare stem (海南, 互助, 平安) also means something else and never tags alone.
    pub ambiguous_stem: bool,
    /// current | historical | statistical | geometry_only
    pub status: String,
    /// For a historical code: the division that replaced it (湟中县 → 湟中区).
    pub successor: Option<String>,
    pub note: String,
}

/// A township-level unit (镇, 乡, 街道); names a county when the name is unique.
#[derive(Debug, Clone, Serialize)]
pub struct Town {
    pub code: String,
    pub county_code: String,
    pub name: String,
}

/// Where a GPS point falls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub wgs84: Gps,
    /// The point shifted to the boundaries' datum.
    pub gcj02: Gps,
    /// Prefecture code containing the point (`None`: outside every prefecture).
    pub prefecture: Option<String>,
    /// County code containing the point; `None` outside, or inside the 海西州直辖 area that
    /// has no county of its own.
    pub county: Option<String>,
    /// Distance to the nearest boundary of the containing prefecture (or, when outside all of
    /// them, of the nearest prefecture).
    pub prefecture_edge_km: Option<f64>,
    pub county_edge_km: Option<f64>,
}

impl Location {
    /// Within [`UNCERTAIN_KM`] of a prefecture boundary: the prefecture may be either side.
    pub fn uncertain(&self) -> bool {
        self.prefecture_edge_km.is_some_and(|d| d < UNCERTAIN_KM)
    }
    pub fn county_uncertain(&self) -> bool {
        self.county_edge_km.is_some_and(|d| d < UNCERTAIN_KM)
    }
}

/// What a place-name match in free text points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceRef {
    Division(usize),
    Town(usize),
    /// A town name shared by several counties (城关镇): names no county alone.
    AmbiguousTown,
}

/// A place name found in a piece of text.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceMention {
    pub place: PlaceRef,
    /// The text as matched (normalised).
    pub text: String,
    pub start: usize,
}

/// An indicator found in a piece of text, by code or name/alias.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorMention {
    pub index: usize,
    pub text: String,
    pub by_code: bool,
}

/// A keyword found in a piece of text.
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordMention {
    pub index: usize,
    pub keyword: String,
    pub generic: bool,
}

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

/// One schema file's text and the name to use in messages.
struct SourceText {
    label: String,
    text: String,
    /// Byte offsets of the newlines, built on first use: every indicator and keyword records
    /// its line, and counting from the start each time was quadratic.
    newlines: std::sync::OnceLock<Vec<usize>>,
    /// For the built-in boundary files: their features as `build.rs` pre-parsed them.
    geobin: Option<&'static [u8]>,
}

impl SourceText {
    fn embedded(file: &str, text: &str) -> SourceText {
        let geobin = match file {
            PREFECTURES_FILE => Some(EMBEDDED_PREFECTURES_BIN),
            COUNTIES_FILE => Some(EMBEDDED_COUNTIES_BIN),
            _ => None,
        };
        SourceText {
            label: format!("{file} (built-in)"),
            text: text.to_string(),
            newlines: Default::default(),
            geobin,
        }
    }
    fn err(&self, line: Option<usize>, message: impl Into<String>) -> Error {
        let file = match line {
            Some(l) => format!("{} line {l}", self.label),
            None => self.label.clone(),
        };
        Error::Schema {
            file,
            message: message.into(),
        }
    }
    fn line_of(&self, byte: usize) -> usize {
        let newlines = self.newlines.get_or_init(|| {
            self.text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect()
        });
        newlines.partition_point(|&n| n < byte.min(self.text.len())) + 1
    }
    /// Line of the first occurrence of `needle` (for JSON, where the parser gives no positions).
    fn line_of_str(&self, needle: &str) -> Option<usize> {
        self.text.find(needle).map(|b| self.line_of(b))
    }
}

impl Schema {
    /// The vocabulary compiled into the binary (the project's `archive-schema/`).
    pub fn embedded() -> Result<Schema> {
        Schema::from_sources(
            SourceText::embedded(INDICATORS_FILE, EMBEDDED_INDICATORS),
            SourceText::embedded(DIVISIONS_FILE, EMBEDDED_DIVISIONS),
            SourceText::embedded(TOWNS_FILE, EMBEDDED_TOWNS),
            SourceText::embedded(PREFECTURES_FILE, EMBEDDED_PREFECTURES),
            SourceText::embedded(COUNTIES_FILE, EMBEDDED_COUNTIES),
        )
    }

    /// A user's schema folder; each file missing there falls back to the built-in copy, so a
    /// folder holding only `indicators.toml` replaces just the catalog.
    pub fn load(dir: &Path) -> Result<Schema> {
        if !dir.is_dir() {
            return Err(Error::Schema {
                file: dir.display().to_string(),
                message: "schema folder not found; pass an existing folder holding indicators.toml and/or the gazetteer files".into(),
            });
        }
        let read = |file: &str, builtin: &str| -> Result<SourceText> {
            let path = dir.join(file);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    // Excel on Chinese Windows saves "CSV (逗号分隔)" as GBK: accept it rather than
                    // make every user learn about encodings.
                    let text = match String::from_utf8(bytes) {
                        Ok(t) => t,
                        Err(e) => {
                            let (t, _, bad) = encoding_rs::GB18030.decode(e.as_bytes());
                            if bad {
                                return Err(Error::Schema {
                                    file: path.display().to_string(),
                                    message: "neither UTF-8 nor GBK text; save the file as UTF-8 (Excel: \"CSV UTF-8\")".into(),
                                });
                            }
                            t.into_owned()
                        }
                    };
                    let text = text
                        .strip_prefix('\u{feff}')
                        .map(str::to_string)
                        .unwrap_or(text);
                    Ok(SourceText {
                        label: path.display().to_string(),
                        text,
                        newlines: Default::default(),
                        geobin: None,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Ok(SourceText::embedded(file, builtin))
                }
                Err(e) => Err(Error::io(path, e)),
            }
        };
        Schema::from_sources(
            read(INDICATORS_FILE, EMBEDDED_INDICATORS)?,
            read(DIVISIONS_FILE, EMBEDDED_DIVISIONS)?,
            read(TOWNS_FILE, EMBEDDED_TOWNS)?,
            read(PREFECTURES_FILE, EMBEDDED_PREFECTURES)?,
            read(COUNTIES_FILE, EMBEDDED_COUNTIES)?,
        )
    }

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

    // ------------------------------------------------------------------ indicators

    /// All indicators in tree order (each node followed by its subtree).
    /// Identifies this vocabulary's content (for knowing when tags must be recomputed).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.ind_by_code.get(code).map(|&i| &self.indicators[i])
    }

    pub(crate) fn indicator_index(&self, code: &str) -> Option<usize> {
        self.ind_by_code.get(code).copied()
    }

    /// A code as typed (`b4.1`, `B4-1`, `Ｂ４．１`, `B41` when that is unambiguous), a name or an alias.
    pub fn resolve_indicator(&self, text: &str) -> Option<&Indicator> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let key = code_key(t);
        if let Some(&i) = self.ind_lookup.get(&key) {
            return Some(&self.indicators[i]);
        }
        let name = compact(t);
        if let Some(&i) = self.ind_lookup.get(&name).or_else(|| {
            self.ind_lookup
                .get(&strip_parenthetical(t).replace(' ', ""))
        }) {
            return Some(&self.indicators[i]);
        }
        // "B4.1 科普大篷车", as the ledger and exports label a row: the leading code decides.
        let first = normalize(t);
        let first = first.split_whitespace().next()?;
        if first.len() < t.len() {
            return self
                .ind_by_code_ci(&code_key(first))
                .map(|&i| &self.indicators[i]);
        }
        None
    }

    /// Root..node, for the hierarchical facet `/indicator/A/A1/A1.1`. Empty for an unknown code.
    pub fn indicator_path(&self, code: &str) -> Vec<&Indicator> {
        let mut path = Vec::new();
        let mut cur = self.indicator(code);
        while let Some(n) = cur {
            path.push(n);
            if path.len() > self.indicators.len() {
                break; // validation forbids cycles; never loop forever on a bad in-memory edit
            }
            cur = n.parent.as_deref().and_then(|p| self.indicator(p));
        }
        path.reverse();
        path
    }

    /// The facet path of an indicator: `/indicator/B/B4/B4.1` (what `facet_paths` emits and a
    /// search filter `indicator=B4.1` must match). `None` for an unknown code.
    pub fn indicator_facet(&self, code: &str) -> Option<String> {
        let path = self.indicator_path(code);
        if path.is_empty() {
            return None;
        }
        let codes: Vec<String> = path.iter().map(|n| facet_escape(&n.code)).collect();
        Some(format!("/indicator/{}", codes.join("/")))
    }

    /// Direct children, in catalog order.
    pub fn indicator_children(&self, code: &str) -> Vec<&Indicator> {
        self.ind_by_code
            .get(code)
            .map(|&i| {
                self.children[i]
                    .iter()
                    .map(|&c| &self.indicators[c])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `a` is `b` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, a: &str, b: &str) -> bool {
        self.indicator_path(b).iter().any(|n| n.code == a)
    }

    /// Keywords that never tag alone (工程, 通知, 学生 ...).
    pub fn is_generic_keyword(&self, keyword: &str) -> bool {
        self.generic_keywords.contains(&compact(keyword))
    }

    /// Indicator names and aliases inside `text` (leftmost-longest), plus codes written as
    /// separate tokens (`A1`, `B4.1`, `B4-1`, `B4_1`; not `B41`, not inside `DSCA1234`).
    pub fn find_indicators(&self, text: &str) -> Vec<IndicatorMention> {
        let mut out = Vec::new();
        // normalize() maps char to char, so a token's char range also locates it in the original.
        let original: Vec<char> = text.chars().collect();
        for (code, range) in code_tokens(&normalize(text)) {
            if let Some(i) = self.code_token_lookup(&code) {
                let raw: String = original
                    .get(range)
                    .map(|c| c.iter().collect())
                    .unwrap_or_else(|| code.clone());
                out.push(IndicatorMention {
                    index: i,
                    text: raw,
                    by_code: true,
                });
            }
        }
        let hay = compact(text);
        for m in self.name_ac.find_iter(&hay) {
            let i = self.name_payload[m.pattern().as_usize()];
            out.push(IndicatorMention {
                index: i,
                text: hay[m.range()].to_string(),
                by_code: false,
            });
        }
        out
    }

    fn code_token_lookup(&self, token: &str) -> Option<usize> {
        // The whole token, then shorter prefixes when only short components (sequence numbers such as
        // `B4-1-02`) were dropped: `A1_0023` is a camera counter, not A1.
        let parts: Vec<&str> = token.split('.').collect();
        for n in (1..=parts.len()).rev() {
            if parts[n..].iter().any(|p| p.len() > 2) {
                return None;
            }
            if let Some(&i) = self.ind_by_code_ci(&parts[..n].join(".")) {
                return Some(i);
            }
        }
        None
    }

    fn ind_by_code_ci(&self, key: &str) -> Option<&usize> {
        // ind_lookup holds the lower-cased codes; a name can never look like a code token.
        self.ind_lookup
            .get(key)
            .filter(|&&i| code_key(&self.indicators[i].code) == key)
    }

    /// Catalog keywords inside `text` (leftmost-longest, so 流动科技馆 wins over 科技馆).
    pub fn find_keywords(&self, text: &str) -> Vec<KeywordMention> {
        let hay = compact(text);
        self.keyword_ac
            .find_iter(&hay)
            .map(|m| {
                let (i, generic) = self.keyword_payload[m.pattern().as_usize()];
                KeywordMention {
                    index: i,
                    keyword: hay[m.range()].to_string(),
                    generic,
                }
            })
            .collect()
    }

    // ------------------------------------------------------------------ places

    pub fn division(&self, code: &str) -> Option<&Division> {
        self.div_by_code.get(code).map(|&i| &self.divisions[i])
    }

    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    pub fn towns(&self) -> &[Town] {
        &self.towns
    }

    /// A prefecture or county by code, name, short name, alias, pinyin or historical name
    /// (湟中县 → 湟中区). A bare ambiguous stem (海南, 互助) resolves to nothing.
    pub fn resolve_place(&self, text: &str) -> Option<&Division> {
        let t = text.trim();
        let i = self
            .div_lookup
            .get(t)
            .or_else(|| self.div_lookup.get(&compact(t)))
            .or_else(|| {
                self.div_lookup
                    .get(&t.to_lowercase().replace([' ', '\''], ""))
            })?;
        Some(&self.divisions[*i])
    }

    /// The facet path of a prefecture or county: `/place/海东市`, `/place/海东市/互助县` (short
    /// names, as `facet_paths` emits them). `None` for an unknown code or the province.
    pub fn place_facet(&self, code: &str) -> Option<String> {
        let d = self.division(code)?;
        let d = match &d.successor {
            Some(s) => self.division(s)?,
            None => d,
        };
        match d.level {
            Level::Prefecture => Some(format!("/place/{}", facet_escape(&d.short_name))),
            Level::County => {
                let p = self.division(d.parent_code.as_deref()?)?;
                Some(format!(
                    "/place/{}/{}",
                    facet_escape(&p.short_name),
                    facet_escape(&d.short_name)
                ))
            }
            Level::Province => None,
        }
    }

    /// The eight prefectures, in code order.
    pub fn prefectures(&self) -> Vec<&Division> {
        let mut v: Vec<&Division> = self
            .divisions
            .iter()
            .filter(|d| d.level == Level::Prefecture && d.successor.is_none())
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// The current county-level units of a prefecture (historical and geometry-only codes left out).
    pub fn counties_of(&self, prefecture_code: &str) -> Vec<&Division> {
        let mut v: Vec<&Division> = self
            .divisions
            .iter()
            .filter(|d| {
                d.level == Level::County
                    && d.parent_code.as_deref() == Some(prefecture_code)
                    && matches!(d.status.as_str(), "current" | "statistical")
            })
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// The prefecture a division belongs to (itself for a prefecture).
    pub fn prefecture_of(&self, code: &str) -> Option<&Division> {
        let d = self.division(code)?;
        match d.level {
            Level::Prefecture => Some(d),
            Level::County => d.parent_code.as_deref().and_then(|p| self.division(p)),
            Level::Province => None,
        }
    }

    /// Place names inside `text`: divisions by name/alias and towns, leftmost-longest. Names of
    /// two characters (海东, 乐都) count only at a word start (start of text, after a non-Chinese
    /// character or right after another place name), so 青海东部 does not say 海东.
    pub fn find_places(&self, text: &str) -> Vec<PlaceMention> {
        let hay = compact(text);
        let mut out: Vec<PlaceMention> = Vec::new();
        let mut last_end = usize::MAX;
        for m in self.place_ac.find_iter(&hay) {
            let matched = &hay[m.range()];
            if matched.chars().count() <= 2 && m.start() > 0 && m.start() != last_end {
                let prev = hay[..m.start()].chars().next_back();
                if prev.is_some_and(is_cjk) {
                    continue;
                }
            }
            last_end = m.end();
            out.push(PlaceMention {
                place: self.place_payload[m.pattern().as_usize()],
                text: matched.to_string(),
                start: m.start(),
            });
        }
        out
    }

    // ------------------------------------------------------------------ boundaries

    /// Prefecture polygons (GCJ-02), e.g. for a schematic SVG map.
    pub fn prefecture_shapes(&self) -> &[Region] {
        &self.prefecture_shapes
    }

    /// The prefectures drawn for a schematic SVG map in a `width`×`height` box.
    pub fn prefecture_svg(&self, width: f64, height: f64) -> Vec<geo::SvgShape> {
        geo::svg_shapes(&self.prefecture_shapes, width, height)
    }

    pub fn county_shapes(&self) -> &[Region] {
        &self.county_shapes
    }

    /// Where a camera's WGS-84 point falls, after the shift to GCJ-02.
    pub fn locate(&self, wgs84: Gps) -> Location {
        let g = geo::wgs84_to_gcj02(wgs84);
        let (lon, lat) = (g.lon, g.lat);
        let mut loc = Location {
            wgs84,
            gcj02: g,
            prefecture: None,
            county: None,
            prefecture_edge_km: None,
            county_edge_km: None,
        };
        if !lon.is_finite() || !lat.is_finite() {
            return loc;
        }
        if let Some(r) = self.prefecture_shapes.iter().find(|r| r.contains(lon, lat)) {
            loc.prefecture = Some(r.code.clone());
            loc.prefecture_edge_km = Some(r.distance_to_edge_km(lon, lat));
        } else {
            loc.prefecture_edge_km = geo::nearest_edge_km(&self.prefecture_shapes, lon, lat);
        }
        if let Some(r) = self.county_shapes.iter().find(|r| r.contains(lon, lat)) {
            loc.county_edge_km = Some(r.distance_to_edge_km(lon, lat));
            if self
                .division(&r.code)
                .is_some_and(|d| d.status != "geometry_only")
            {
                loc.county = Some(r.code.clone());
            }
            // A county polygon that disagrees with the prefecture polygon (sliver at a shared
            // border): trust the county, whose parent is authoritative in the gazetteer.
            if let Some(pc) = self.division(&r.code).and_then(|d| d.parent_code.clone()) {
                if loc.prefecture.as_deref() != Some(pc.as_str()) {
                    let d = self.distance_to_region_km(&pc, g);
                    loc.prefecture = Some(pc);
                    loc.prefecture_edge_km = d;
                }
            }
        }
        loc
    }

    /// Distance (km) from a GCJ-02 point to the boundary of the region with this code.
    pub fn distance_to_region_km(&self, code: &str, gcj02: Gps) -> Option<f64> {
        self.prefecture_shapes
            .iter()
            .chain(self.county_shapes.iter())
            .find(|r| r.code == code)
            .map(|r| r.distance_to_edge_km(gcj02.lon, gcj02.lat))
    }
}

/// Facet segments cannot hold '/': it is replaced (codes and names never need it).
pub fn facet_escape(s: &str) -> String {
    s.replace('/', "∕")
}

/// `B4.1`, `b4-1`, `Ｂ４＿１` → `b4.1`: the form codes are compared in.
pub fn code_key(s: &str) -> String {
    normalize(s.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '-' || c == '_' { '.' } else { c })
        .collect()
}

/// Code-like tokens in normalised text: a letter, digits, optionally `.`/`-`/`_` + digits,
/// bounded by non-alphanumerics. Returns (code key, char range).
fn code_tokens(s: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let left_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if c.is_ascii_alphabetic()
            && left_ok
            && i + 1 < chars.len()
            && chars[i + 1].is_ascii_digit()
        {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let mut key: String = chars[i..j].iter().collect();
            while j + 1 < chars.len()
                && matches!(chars[j], '.' | '-' | '_')
                && chars[j + 1].is_ascii_digit()
            {
                let mut k = j + 1;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    k += 1;
                }
                key.push('.');
                key.extend(&chars[j + 1..k]);
                j = k;
            }
            // "A4纸", "A3幅面": paper sizes, not catalog codes ("A1版块" is a code, so 版 does not count).
            let paper = key.len() == 2 && matches!(chars.get(j), Some('纸' | '幅' | '开' | '尺'));
            let right_ok = (j == chars.len() || !chars[j].is_ascii_alphanumeric()) && !paper;
            if right_ok {
                out.push((key, i..j));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn indicator_names(n: &Indicator) -> Vec<String> {
    let mut v = vec![compact(&n.name)];
    let stripped = strip_parenthetical(&n.name).replace(' ', "");
    if !stripped.is_empty() {
        v.push(stripped);
    }
    v.extend(n.aliases.iter().map(|a| compact(a)));
    v.retain(|s| !s.is_empty());
    v.sort();
    v.dedup();
    v
}

fn division_names(d: &Division) -> Vec<String> {
    let mut v = vec![
        compact(&d.name),
        compact(&d.short_name),
        compact(&d.full_name),
    ];
    v.extend(d.aliases.iter().map(|a| compact(a)));
    // Even if a user's gazetteer lists the bare stem (海南 for 海南州) as an alias, a division
    // marked ambiguous_stem never answers to it.
    let stem = if d.ambiguous_stem {
        bare_stem(&d.short_name)
    } else {
        None
    };
    v.retain(|s| !s.is_empty() && Some(s) != stem.as_ref());
    v.sort();
    v.dedup();
    v
}

/// 海南州 → 海南, 互助县 → 互助, 平安区 → 平安: the short name without its level suffix.
fn bare_stem(short_name: &str) -> Option<String> {
    let c = compact(short_name);
    let stem = c.strip_suffix(['州', '县', '区', '市', '旗'])?;
    (!stem.is_empty()).then(|| stem.to_string())
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

// ---------------------------------------------------------------------- indicators.toml

struct Catalog {
    meta: toml::Table,
    sources: Vec<Source>,
    indicators: Vec<Indicator>,
    generic: HashSet<String>,
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

fn parse_catalog(src: &SourceText) -> Result<Catalog> {
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

// ---------------------------------------------------------------------- gazetteer CSVs

fn csv_rows(
    src: &SourceText,
    required: &[&str],
) -> Result<(Vec<String>, Vec<(usize, csv::StringRecord)>)> {
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

fn parse_divisions(src: &SourceText) -> Result<Vec<Division>> {
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

fn parse_towns(
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

// ---------------------------------------------------------------------- GeoJSON

/// GeoJSON coordinates: nested arrays of numbers, read without a `serde_json::Value` per
/// number (building those for the bundled 2.8 MB of boundaries cost every command ~40 ms at
/// start-up).
enum Coords {
    Num(f64),
    /// An array of numbers: a position (`[lon, lat]`, maybe an altitude after them, dropped).
    /// Read straight into place: a `Vec` per position was a third of parsing the outlines.
    Point([f64; 2]),
    List(Vec<Coords>),
}

impl<'de> serde::Deserialize<'de> for Coords {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Coords;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("GeoJSON coordinates (arrays of numbers)")
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Coords, E> {
                Ok(Coords::Num(v))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Coords, E> {
                Ok(Coords::Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Coords, E> {
                Ok(Coords::Num(v as f64))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Coords, A::Error> {
                let first: Option<Coords> = a.next_element()?;
                if let Some(Coords::Num(x)) = first {
                    // A position: the rest must be numbers too.
                    let Some(y) = a.next_element::<f64>()? else {
                        return Ok(Coords::List(vec![Coords::Num(x)]));
                    };
                    while a.next_element::<f64>()?.is_some() {}
                    return Ok(Coords::Point([x, y]));
                }
                let mut v = Vec::with_capacity(a.size_hint().unwrap_or(4));
                v.extend(first);
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Coords::List(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl std::fmt::Display for Coords {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Coords::Num(n) => write!(f, "{n}"),
            Coords::Point([x, y]) => write!(f, "[{x},{y}]"),
            Coords::List(v) => {
                f.write_str("[")?;
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl Coords {
    fn list(&self) -> Option<&[Coords]> {
        match self {
            Coords::List(v) => Some(v),
            Coords::Num(_) | Coords::Point(_) => None,
        }
    }

    fn point(&self) -> Option<[f64; 2]> {
        match self {
            Coords::Point(p) => Some(*p),
            _ => None,
        }
    }
}

/// One GeoJSON feature, as far as boundaries need it.
struct Feature {
    /// `properties.code`, or else the feature's `id`.
    code: Option<String>,
    geometry: Option<GeoGeometry>,
}

fn geojson_features(src: &SourceText) -> Result<Vec<Feature>> {
    let v: GeoFeatures = serde_json::from_str(&src.text)
        .map_err(|e| src.err(Some(e.line()), format!("not valid GeoJSON: {e}")))?;
    let feats = v.features.ok_or_else(|| {
        src.err(
            Some(1),
            "not a GeoJSON FeatureCollection (no \"features\" array)",
        )
    })?;
    Ok(feats
        .into_iter()
        .map(|f| Feature {
            code: f
                .properties
                .as_ref()
                .and_then(|p| p.get("code"))
                .and_then(|c| {
                    c.as_str()
                        .map(str::to_string)
                        .or_else(|| c.as_u64().map(|n| n.to_string()))
                })
                .or_else(|| f.id.as_ref().and_then(|c| c.as_str()).map(str::to_string)),
            geometry: f.geometry,
        })
        .collect())
}

/// Features from `build.rs`'s binary form; None if it is malformed.
fn decode_geobin(bin: &[u8]) -> Option<Vec<Feature>> {
    struct Reader<'a>(&'a [u8]);
    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Option<&[u8]> {
            let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
            self.0 = rest;
            Some(head)
        }
        fn u8(&mut self) -> Option<u8> {
            self.take(1).map(|b| b[0])
        }
        fn u32(&mut self) -> Option<u32> {
            self.take(4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        }
        fn f64(&mut self) -> Option<f64> {
            self.take(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        }
        /// Outer None: malformed; inner None: the feature has no coordinates (tag 3).
        fn coords(&mut self) -> Option<Option<Coords>> {
            Some(Some(match self.u8()? {
                0 => Coords::Num(self.f64()?),
                1 => Coords::Point([self.f64()?, self.f64()?]),
                2 => {
                    let n = self.u32()? as usize;
                    let mut v = Vec::with_capacity(n.min(self.0.len()));
                    for _ in 0..n {
                        v.push(self.coords()??);
                    }
                    Coords::List(v)
                }
                3 => return Some(None),
                _ => return None,
            }))
        }
    }
    let mut r = Reader(bin);
    let n = r.u32()? as usize;
    let mut out = Vec::with_capacity(n.min(bin.len()));
    for _ in 0..n {
        let len = u16::from_le_bytes(r.take(2)?.try_into().ok()?) as usize;
        let code = std::str::from_utf8(r.take(len)?).ok()?.to_string();
        let kind = match r.u8()? {
            0 => None,
            1 => Some("Polygon".to_string()),
            2 => Some("MultiPolygon".to_string()),
            _ => Some("other".to_string()),
        };
        let coordinates = r.coords()?;
        out.push(Feature {
            code: (!code.is_empty()).then_some(code),
            geometry: Some(GeoGeometry { kind, coordinates }),
        });
    }
    r.0.is_empty().then_some(out)
}

#[derive(serde::Deserialize)]
struct GeoFeatures {
    features: Option<Vec<GeoFeature>>,
}

#[derive(serde::Deserialize)]
struct GeoFeature {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    geometry: Option<GeoGeometry>,
}

#[derive(serde::Deserialize)]
struct GeoGeometry {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    coordinates: Option<Coords>,
}

fn parse_regions(
    src: &SourceText,
    div_by_code: &HashMap<String, usize>,
    divs: &[Division],
    level: Level,
) -> Result<Vec<Region>> {
    let feats = match src.geobin {
        Some(bin) => decode_geobin(bin)
            .ok_or_else(|| src.err(None, "the built-in outlines are damaged (a build problem)"))?,
        None => geojson_features(src)?,
    };
    let mut out = Vec::new();
    for (n, f) in feats.iter().enumerate() {
        let Some(code) = f.code.clone() else {
            return Err(src.err(
                None,
                format!(
                    "feature #{} has no properties.code (the GB/T 2260 code)",
                    n + 1
                ),
            ));
        };
        // The line is looked up only for a message: searching the 2.4 MB boundary file for
        // every feature made each command start a second slower.
        let bad = |msg: String| {
            src.err(
                src.line_of_str(&format!("\"{code}\"")),
                format!("feature {code}: {msg}"),
            )
        };
        let Some(&di) = div_by_code.get(&code) else {
            return Err(bad(
                "code not found in divisions.csv; add it there or fix the code".into(),
            ));
        };
        if divs[di].level != level {
            return Err(bad(format!(
                "is a {:?} in divisions.csv, but this file holds {:?} boundaries",
                divs[di].level, level
            )));
        }
        let geom = f
            .geometry
            .as_ref()
            .ok_or_else(|| bad("no geometry".into()))?;
        let coords = geom
            .coordinates
            .as_ref()
            .ok_or_else(|| bad("geometry has no coordinates".into()))?;
        let polys: Vec<&Coords> = match geom.kind.as_deref() {
            Some("Polygon") => vec![coords],
            Some("MultiPolygon") => coords
                .list()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            other => {
                return Err(bad(format!(
                    "geometry type {other:?}; only Polygon and MultiPolygon are boundaries"
                )))
            }
        };
        let mut polygons = Vec::new();
        for (pi, p) in polys.into_iter().enumerate() {
            let rings = p
                .list()
                .ok_or_else(|| bad(format!("polygon {} is not an array of rings", pi + 1)))?;
            let mut rs = Vec::new();
            for (ri, r) in rings.iter().enumerate() {
                let pts = r
                    .list()
                    .ok_or_else(|| bad(format!("ring {} is not an array of points", ri + 1)))?;
                let mut ring = Vec::with_capacity(pts.len());
                for pt in pts {
                    match pt.point() {
                        Some([x, y])
                            if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) =>
                        {
                            ring.push([x, y])
                        }
                        _ => {
                            return Err(bad(format!(
                            "invalid point {pt} in polygon {} ring {} (want [lon, lat] in degrees)",
                            pi + 1,
                            ri + 1
                        )))
                        }
                    }
                }
                if ring.len() < 4 {
                    return Err(bad(format!("invalid polygon: ring {} of polygon {} has {} points, a closed ring needs at least 4", ri + 1, pi + 1, ring.len())));
                }
                if ring.first() != ring.last() {
                    return Err(bad(format!("invalid polygon: ring {} of polygon {} is not closed (first point differs from last)", ri + 1, pi + 1)));
                }
                // Zero-area slivers are what polygon repair tools leave behind: they contain no
                // point and change no answer, so they are dropped rather than refused.
                if ring_area(&ring) == 0.0 {
                    if ri == 0 {
                        break;
                    }
                    continue;
                }
                rs.push(ring);
            }
            if rings.is_empty() {
                return Err(bad(format!(
                    "invalid polygon: polygon {} has no rings",
                    pi + 1
                )));
            }
            if !rs.is_empty() {
                polygons.push(Polygon::new(rs));
            }
        }
        if polygons.is_empty() {
            return Err(bad("invalid polygon: no polygons".into()));
        }
        out.push(Region::new(code, divs[di].name.clone(), polygons));
    }
    Ok(out)
}

fn ring_area(r: &[[f64; 2]]) -> f64 {
    r.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

#[cfg(test)]
pub(crate) mod tests;
