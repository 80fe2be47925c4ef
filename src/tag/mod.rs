//! Stage 4: tag. Gives every file an indicator, a prefecture and a county, each with the
//! source that decided it, and raises flags an inspector should look at.
//!
//! Tagging reads only the catalog (paths and stored [`Facts`]), never the evidence, so
//! `archive retag` can rerun it after the schema or config changes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::Facts;
use crate::record::{FlagValue, TagValue};
use crate::schema::Schema;

/// The version of the tagging rules. Bump it when tagging rules or flags change (a new flag, a
/// rule that decides differently): the catalog stores the version its tags were computed with,
/// and the next `archive index` retags every file from the catalog when it differs. Changes to
/// the vocabulary or the tagging settings need no bump; their fingerprint is stored too.
pub const TAGGER_VERSION: u32 = 4;

/// What a tag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagKind {
    Indicator,
    Prefecture,
    County,
}

/// A curator's edit, stored in the catalog; the strongest source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualTag {
    pub kind: TagKind,
    /// Indicator code (B4.1) or division code (630202).
    pub code: String,
    pub reason: String,
    pub who: String,
}

/// A curator's decision on one flag of a content (`archive flag resolve`, the record page),
/// stored in the catalog per BLAKE3 and flag name and read by the tagger like a manual tag: the
/// flag stays raised, carrying the decision, so every later run keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedFlag {
    pub flag: String,
    pub resolution: crate::record::FlagResolution,
}

/// Settings that change tagging results (from the archive's config.toml).
#[derive(Debug, Clone)]
pub struct TagConfig {
    /// The assessment period: capture dates outside it are flagged.
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Capture and modify times further apart than this suggest an edit.
    pub edit_gap_days: i64,
}

impl Default for TagConfig {
    fn default() -> Self {
        TagConfig {
            period_start: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap(),
            period_end: NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
            edit_gap_days: 30,
        }
    }
}

/// One present file as the tagger sees it.
#[derive(Debug, Clone)]
pub struct FileForTagging<'a> {
    pub file_id: i64,
    /// Path relative to its indexed root, display form, `/`-separated.
    pub rel_path: &'a str,
    /// The root's display path (its last segments may name a prefecture too).
    pub root: &'a str,
    pub blake3: Option<&'a str>,
    pub facts: &'a Facts,
    pub manual: &'a [ManualTag],
    /// The curator's decisions on this content's flags (checked, explained).
    pub resolved: &'a [ResolvedFlag],
    /// The file could not be read (I/O error) or its content is corrupt.
    pub unreadable: bool,
    /// What went wrong reading the file itself (beside its content's own problems).
    pub read_errors: &'a [crate::problem::Problem],
    /// Contents visually near-identical to this file's (a photo re-saved, cropped, resized…),
    /// from the catalog's near-duplicate pairs; empty for anything else.
    pub similar: &'a [crate::similar::Near],
}

/// The tagger's answer for one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tagging {
    pub prefecture: Option<TagValue>,
    pub county: Option<TagValue>,
    pub indicators: Vec<TagValue>,
    pub flags: Vec<FlagValue>,
    /// A file the operating system or an office program left (Thumbs.db, desktop.ini,
    /// .DS_Store, `~$` lock files, `._` AppleDouble): catalogued, never tagged, flagged or
    /// counted (see [`is_system_file`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub system: bool,
}

/// Whether a file name is one the operating system or an office program writes beside the
/// evidence: Windows' thumbnail caches and folder settings (Thumbs.db, ehthumbs.db,
/// desktop.ini), macOS' .DS_Store and `._` AppleDouble companions, Office and WPS lock files
/// (`~$报告.docx`). They are catalogued (the folder's contents stay complete and checkable)
/// but never tagged, flagged or counted: decided here, by the tagger, so that `retag` applies
/// the rule to an existing catalog without a new walk.
pub fn is_system_file(name: &str) -> bool {
    let lower = name.to_lowercase();
    matches!(
        lower.as_str(),
        "thumbs.db" | "ehthumbs.db" | "ehthumbs_vista.db" | "desktop.ini" | ".ds_store"
    ) || lower.starts_with("~$")
        || lower.starts_with("._")
}

mod checks;
mod engine;
pub mod flags;
mod manifests;
mod segments;
#[cfg(test)]
mod tests;

pub use engine::{facet_paths, FolderMemo, Source};
pub use flags::Flag;
pub use manifests::Manifests;

/// Tag every file; the slice is the whole catalog's present files, so that cross-file
/// facts (manifests in a parent folder, duplicates across submissions) can be seen.
pub fn tag_all(schema: &Schema, cfg: &TagConfig, files: &[FileForTagging]) -> Vec<Tagging> {
    engine::tag_all(schema, cfg, files)
}

/// Tag a group of files against the given submission lists, duplicate flags included: the
/// answer of [`tag_all`] for them when `files` holds every present file of each content
/// among them and `manifests` every list in the catalog.
pub fn tag_with(
    schema: &Schema,
    cfg: &TagConfig,
    files: &[FileForTagging],
    manifests: &Manifests,
) -> Vec<Tagging> {
    engine::tag_with(schema, cfg, files, manifests)
}

/// One file's tags as [`tag_all`] gives them, but for the duplicate flags: an index run tags
/// each file as it is read and adds those flags at the end.
/// `memo` holds the folder names' matches (see [`FolderMemo`]); an empty one matches them here.
pub fn tag_one(
    schema: &Schema,
    cfg: &TagConfig,
    file: &FileForTagging,
    manifests: &Manifests,
    memo: &FolderMemo,
) -> Tagging {
    engine::tag_one(schema, cfg, file, manifests, memo)
}
