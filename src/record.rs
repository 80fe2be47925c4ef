//! The record: the one JSON shape that `--json`, the API and the export ledger share.
//!
//! Its fields are described by `archive-schema/record.schema.json`; a test validates real
//! output against that schema, so a field added here must be added there too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of evidence a file is, decided by content (magic bytes) with the extension as fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    Photo,
    Video,
    Document,
    Other,
}

impl Media {
    pub fn as_str(self) -> &'static str {
        match self {
            Media::Photo => "photo",
            Media::Video => "video",
            Media::Document => "document",
            Media::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Media> {
        Some(match s {
            "photo" | "照片" | "图片" => Media::Photo,
            "video" | "视频" => Media::Video,
            "document" | "文档" => Media::Document,
            "other" | "其他" => Media::Other,
            _ => return None,
        })
    }
}

/// A point in signed WGS-84 decimal degrees (south and west negative), as cameras record it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gps {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Camera {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl Camera {
    /// "Make Model" without the make repeated (many phones put the make inside the model).
    pub fn label(&self) -> Option<String> {
        match (self.make.as_deref(), self.model.as_deref()) {
            (Some(make), Some(model)) if model.to_lowercase().starts_with(&make.to_lowercase()) => {
                Some(model.to_string())
            }
            (Some(make), Some(model)) => Some(format!("{make} {model}")),
            (Some(m), None) | (None, Some(m)) => Some(m.to_string()),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Present,
    Missing,
}

/// One effective tag (indicator, prefecture or county) with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagValue {
    pub code: String,
    pub name: String,
    /// manual | manifest | path | keyword | gps
    pub source: String,
    /// The text that made the tag: a folder name, a manifest row, a keyword, a point.
    pub evidence: String,
    /// Weaker sources that disagree (or agree) with the effective value, strongest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<TagAlternative>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagAlternative {
    pub code: String,
    pub name: String,
    pub source: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagValue {
    pub flag: String,
    /// The reason in the reader's language.
    pub reason: String,
    /// The named values in the reason (paths, places, dates, distances), so that another tool
    /// can write its own sentence.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// The catalogue key of the reason's sentence (`FlagWhyGpsInOther`…); empty for a reason
    /// stored by an older version, which is then shown as it was written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// What to do about it (what to ask for, what to check), in the reader's language; filled
    /// where a record is shown, never stored with the tagging.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub advice: String,
    /// A curator marked the flag checked or explained (per content and flag): it stays on the
    /// record with this note but no longer counts as needing a check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<FlagResolution>,
}

/// A curator's decision on one flag of one content: 已核实 (`checked`: looked at, it is fine)
/// or 已说明 (`explained`: it stands, and the note says why that is acceptable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagResolution {
    /// `checked` or `explained`.
    pub state: String,
    pub note: String,
    pub who: String,
    /// RFC 3339.
    pub at: String,
}

/// A problem met while reading a file, as shown: its stable code, its sentence in the reader's
/// language, and the named values in that sentence (for tools that render their own text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub code: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

/// The full description of one catalogued file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Display form of the path; non-UTF-8 names are decoded as GB18030.
    pub path: String,
    /// Present only when the path is not valid UTF-8: the exact bytes, in hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes_hex: Option<String>,
    pub blake3: Option<String>,
    pub size: u64,
    pub media: Media,
    pub mime: String,
    /// File-system modification time, RFC 3339.
    pub modified: Option<String>,
    /// Capture time, RFC 3339 with offset.
    pub captured_at: Option<String>,
    /// Which tag the capture time came from, e.g. `exif:DateTimeOriginal`; `exif:ModifyDate`
    /// marks the weaker last-modified time.
    pub captured_at_source: Option<String>,
    /// A second capture time the container states (QuickTime CreateDate beside Apple's key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at_alt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at_alt_source: Option<String>,
    /// The one date standing for the file: `captured_at`, else `doc_created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_date: Option<String>,
    /// `captured` or `doc_created`: which date `evidence_date` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_date_kind: Option<String>,
    pub gps: Option<Gps>,
    pub camera: Option<Camera>,
    pub software: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_excerpt: Option<String>,
    /// Why no text was extracted, or that it was cut at the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_status: Option<String>,
    /// How the text of a scan or a photo of paper was read (its text is the `ocr_text` search
    /// field, not part of the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrInfo>,
    pub status: Status,
    /// When a missing file was last seen, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The content cannot be used (the file is flagged unreadable).
    pub errors: Vec<Notice>,
    /// Something was recovered or left out; the file's facts stand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Notice>,
    /// Information: why something is absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Notice>,
    pub prefecture: Option<TagValue>,
    pub county: Option<TagValue>,
    pub indicators: Vec<TagValue>,
    pub flags: Vec<FlagValue>,
    /// A file the operating system or an office program left (Thumbs.db, desktop.ini,
    /// .DS_Store, `~$` lock files, `._` AppleDouble): catalogued, never tagged, flagged or
    /// counted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub system: bool,
    /// Photos that show the same picture with other bytes (re-saved, resized, cropped…), most
    /// similar first; filled where one record is shown (`archive show`, the record page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub similar: Vec<SimilarFile>,
    /// The photo's caption (DA/T 50 / DA/T 54: 题名, 摄影者, 人物, 背景, 文字说明, 地点,
    /// 摄影时间): what a curator wrote, per content, with the place and time taken from the
    /// tags and the capture time where none was written. Photos and videos, and any file
    /// with a caption written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<Caption>,
}

/// A caption as shown: each field as written, or (place, taken) as the file's tags and
/// capture time give it, named in `prefilled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Caption {
    /// 题名
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// 摄影者
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photographer: Option<String>,
    /// 人物
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<String>,
    /// 背景 (the occasion)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// 文字说明
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 地点
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// 摄影时间, as written (`2019-06-12`, `2019年6月`) or the capture time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken: Option<String>,
    /// The fields not written by a curator but filled from the file (`place`, `taken`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefilled: Vec<String>,
}

impl Caption {
    /// The caption's fields in DA/T 50 order, by their stable names.
    pub const FIELDS: [&'static str; 7] = [
        "title",
        "photographer",
        "people",
        "background",
        "description",
        "place",
        "taken",
    ];

    pub fn get(&self, field: &str) -> Option<&str> {
        match field {
            "title" => self.title.as_deref(),
            "photographer" => self.photographer.as_deref(),
            "people" => self.people.as_deref(),
            "background" => self.background.as_deref(),
            "description" => self.description.as_deref(),
            "place" => self.place.as_deref(),
            "taken" => self.taken.as_deref(),
            _ => None,
        }
    }

    pub fn slot(&mut self, field: &str) -> Option<&mut Option<String>> {
        Some(match field {
            "title" => &mut self.title,
            "photographer" => &mut self.photographer,
            "people" => &mut self.people,
            "background" => &mut self.background,
            "description" => &mut self.description,
            "place" => &mut self.place,
            "taken" => &mut self.taken,
            _ => return None,
        })
    }

    /// The fields with no text, in [`Caption::FIELDS`] order.
    pub fn missing(&self) -> Vec<&'static str> {
        Caption::FIELDS
            .into_iter()
            .filter(|f| self.get(f).is_none_or(|v| v.trim().is_empty()))
            .collect()
    }

    /// Nothing written by a curator (prefilled fields do not count).
    pub fn is_unwritten(&self) -> bool {
        Caption::FIELDS
            .into_iter()
            .all(|f| self.get(f).is_none() || self.prefilled.iter().any(|p| p == f))
    }

    /// The words a search finds the file by: every field's text.
    pub fn words(&self) -> String {
        Caption::FIELDS
            .into_iter()
            .filter_map(|f| self.get(f))
            .collect::<Vec<_>>()
            .join("\n|\n")
    }
}

/// How a content's text was recognised: which engine, in which languages, over how many pages,
/// how sure it was (mean word confidence, 0–100) and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrInfo {
    pub engine: String,
    pub language: String,
    pub pages: u32,
    pub mean_confidence: f32,
    pub seconds: f64,
}

/// A near-duplicate of a record's photo: another present file and how alike they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarFile {
    pub path: String,
    pub blake3: String,
    /// Correlation of the aligned thumbnails' detail, up to 1.
    pub similarity: f32,
    /// The fraction cut from each side: > 0 when this file is a crop of the record's photo,
    /// < 0 when the record's photo is a crop of it.
    pub crop: f32,
    /// One is the other flipped left to right (absent when not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mirrored: bool,
}
