//! Flags: what an inspector should look at twice, each with a reason a person can check.
//!
//! A flag never changes a tag; it says why the evidence may not be what its folder claims
//! (taken elsewhere, taken outside the assessment period, submitted twice under different
//! headings, retouched, undated, untagged, unreadable).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::extract::Facts;
use crate::i18n::{Lang, Msg};
use crate::record::{FlagValue, Media};

use super::TagConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    GpsOutsidePrefecture,
    DateOutsidePeriod,
    DuplicateAcrossSubmissions,
    PossiblyEdited,
    NoCaptureDate,
    NoIndicator,
    Unreadable,
    ReusedPhoto,
}

impl Flag {
    pub const ALL: [Flag; 8] = [
        Flag::GpsOutsidePrefecture,
        Flag::DateOutsidePeriod,
        Flag::DuplicateAcrossSubmissions,
        Flag::PossiblyEdited,
        Flag::NoCaptureDate,
        Flag::NoIndicator,
        Flag::Unreadable,
        Flag::ReusedPhoto,
    ];

    /// The stable name used in facets (`/flag/no_indicator`), filters and the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::GpsOutsidePrefecture => "gps_outside_prefecture",
            Flag::DateOutsidePeriod => "date_outside_period",
            Flag::DuplicateAcrossSubmissions => "duplicate_across_submissions",
            Flag::PossiblyEdited => "possibly_edited",
            Flag::NoCaptureDate => "no_capture_date",
            Flag::NoIndicator => "no_indicator",
            Flag::Unreadable => "unreadable",
            Flag::ReusedPhoto => "reused_photo",
        }
    }

    /// The catalogue key of the flag's short label (the labels live in `crate::i18n`).
    pub fn msg(self) -> Msg {
        match self {
            Flag::GpsOutsidePrefecture => Msg::FlagGpsOutsidePrefecture,
            Flag::DateOutsidePeriod => Msg::FlagDateOutsidePeriod,
            Flag::DuplicateAcrossSubmissions => Msg::FlagDuplicateAcrossSubmissions,
            Flag::PossiblyEdited => Msg::FlagPossiblyEdited,
            Flag::NoCaptureDate => Msg::FlagNoCaptureDate,
            Flag::NoIndicator => Msg::FlagNoIndicator,
            Flag::Unreadable => Msg::FlagUnreadable,
            Flag::ReusedPhoto => Msg::FlagReusedPhoto,
        }
    }

    /// A short label for pages and ledgers.
    pub fn label(self, l: Lang) -> &'static str {
        l.t(self.msg())
    }

    /// The Chinese label (the CLI's and the ledgers' language).
    pub fn label_zh(self) -> &'static str {
        self.label(Lang::Zh)
    }

    /// Accepts the stable name or the Chinese label.
    pub fn parse(s: &str) -> Option<Flag> {
        let t = s.trim();
        Flag::ALL
            .into_iter()
            .find(|f| f.as_str() == t || f.label_zh() == t)
    }

    pub(crate) fn value(self, reason: String) -> FlagValue {
        FlagValue {
            flag: self.as_str().to_string(),
            reason,
        }
    }
}

/// Programs whose name in EXIF Software means the picture was retouched or re-encoded by an
/// editor (lower-case substrings). Camera firmware versions and OS photo viewers are not here.
const EDITORS: &[&str] = &[
    "photoshop",
    "lightroom",
    "camera raw",
    "gimp",
    "美图",
    "meitu",
    "snapseed",
    "醒图",
    "picsart",
    "pixelmator",
    "affinity photo",
    "paint.net",
    "acdsee",
    "acd systems",
    "faceu",
    "b612",
    "vsco",
    "canva",
    "美颜",
    "天天p图",
    "photoscape",
    "fotor",
    "polarr",
    "泼辣修图",
    "光影魔术手",
    "picasa",
    "photo editor",
    "photodirector",
    "capture one",
    "darktable",
    "digikam",
    "powerexif",
    "xnview",
];

pub(crate) fn editor_in(software: &str) -> Option<&'static str> {
    let s = software.to_lowercase();
    EDITORS.iter().copied().find(|e| s.contains(e))
}

fn is_capture_media(f: &Facts) -> bool {
    matches!(f.media(), Media::Photo | Media::Video)
}

fn day(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Photos and videos only: a document's creation date says when the file was written, and a
/// 2021 summary of the 2016–2020 work is exactly what an inspection expects.
pub(crate) fn date_outside_period(cfg: &TagConfig, f: &Facts) -> Option<FlagValue> {
    if !is_capture_media(f) {
        return None;
    }
    let t = f.captured_at?;
    let d = t.date_naive();
    let source = f.captured_at_source.as_deref().unwrap_or("metadata");
    let what = "captured";
    let side = if d < cfg.period_start {
        "before"
    } else if d > cfg.period_end {
        "after"
    } else {
        return None;
    };
    Some(Flag::DateOutsidePeriod.value(format!(
        "{what} {} ({source}), {side} the assessment period {}..{}",
        day(&t),
        cfg.period_start,
        cfg.period_end
    )))
}

pub(crate) fn possibly_edited(cfg: &TagConfig, f: &Facts) -> Option<FlagValue> {
    if let Some(sw) = f.software.as_deref() {
        if let Some(e) = editor_in(sw) {
            return Some(
                Flag::PossiblyEdited.value(format!("Software \"{sw}\" is an image editor ({e})")),
            );
        }
    }
    if !is_capture_media(f) {
        return None;
    }
    let (c, m) = (f.captured_at?, f.modified_at?);
    let gap = (m - c).num_seconds().abs();
    if gap > cfg.edit_gap_days.max(0) * 86_400 {
        let days = gap / 86_400;
        let when = if m > c { "after" } else { "before" };
        return Some(Flag::PossiblyEdited.value(format!(
            "modified {} {days} days {when} capture {} (more than {} days apart)",
            day(&m),
            day(&c),
            cfg.edit_gap_days
        )));
    }
    None
}

pub(crate) fn no_capture_date(f: &Facts) -> Option<FlagValue> {
    if !is_capture_media(f) || f.captured_at.is_some() {
        return None;
    }
    let what = if f.media() == Media::Photo {
        "photo"
    } else {
        "video"
    };
    Some(Flag::NoCaptureDate.value(format!(
        "{what} has no capture date in its metadata; when it was taken cannot be checked"
    )))
}

pub(crate) fn unreadable(f: &Facts) -> FlagValue {
    let why = f
        .problems
        .iter()
        .find(|p| p.is_error())
        .map(|e| format!(": {}", e.reason(Lang::En)))
        .unwrap_or_default();
    Flag::Unreadable.value(format!("the file could not be read or is corrupt{why}"))
}
