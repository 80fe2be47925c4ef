//! The vocabulary's plain data types: what loading produces and what the lookups return.
//!
//! They are kept apart from the loaders and the matchers so that a reader of tagging or the
//! page sees the shapes without the parsing and indexing around them.

use serde::{Deserialize, Serialize};

use super::geo::UNCERTAIN_KM;
use crate::record::{Gps, Media};

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
    /// Its points in the scoring rules (分值); `None`: the catalog does not score it.
    pub points: Option<f64>,
    /// What evidence earns the points, per prefecture (empty with points: any one file).
    pub requires: Vec<Requirement>,
}

/// One line of an indicator's scoring rule: "per prefecture, each year, at least 5 photos", or
/// "at least one document named 工作总结 in the period". Files tagged to the indicator or any
/// node below it count, each content once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    /// `None`: a file of any kind.
    pub media: Option<Media>,
    pub min: usize,
    /// Each year of the assessment period separately, else the period as a whole.
    pub per_year: bool,
    /// The file's name or title must contain one of these words (a named document type:
    /// 工作总结, 实施方案); empty: any name.
    pub named: Vec<String>,
    /// The rubric's own wording, shown instead of the generated one.
    pub label: Option<String>,
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
