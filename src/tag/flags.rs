//! Flags: what an inspector should look at twice, each with a reason a person can check.
//!
//! A flag never changes a tag; it says why the evidence may not be what its folder claims
//! (taken elsewhere, taken outside the assessment period, submitted twice under different
//! headings, retouched, undated, untagged, unreadable).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::extract::dates::DateKind;
use crate::extract::photo::traces::Traces;
use crate::extract::Facts;
use crate::i18n::{Lang, Msg};
use crate::problem::{Code, Problem};
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
    AiGenerated,
}

impl Flag {
    pub const ALL: [Flag; 9] = [
        Flag::GpsOutsidePrefecture,
        Flag::DateOutsidePeriod,
        Flag::DuplicateAcrossSubmissions,
        Flag::PossiblyEdited,
        Flag::NoCaptureDate,
        Flag::NoIndicator,
        Flag::Unreadable,
        Flag::ReusedPhoto,
        Flag::AiGenerated,
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
            Flag::AiGenerated => "ai_generated",
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
            Flag::AiGenerated => Msg::FlagAiGenerated,
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

    /// What to do about the flag (怎么办), by the reason it was raised with: a WeChat picture
    /// without a date needs the sender's 原图, a camera file without one the original file.
    pub fn advice(self, reason_key: &str) -> Msg {
        match self {
            Flag::GpsOutsidePrefecture => Msg::AdviceGps,
            Flag::DateOutsidePeriod => Msg::AdviceDatePeriod,
            Flag::DuplicateAcrossSubmissions => Msg::AdviceDuplicate,
            Flag::PossiblyEdited => Msg::AdviceEdited,
            Flag::NoCaptureDate if reason_key == Msg::FlagWhyNoDateMessenger.code() => {
                Msg::AdviceNoDateMessenger
            }
            Flag::NoCaptureDate => Msg::AdviceNoDate,
            Flag::NoIndicator => Msg::AdviceNoIndicator,
            Flag::Unreadable => Msg::AdviceUnreadable,
            Flag::ReusedPhoto => Msg::AdviceReused,
            Flag::AiGenerated => Msg::AdviceAiGenerated,
        }
    }

    /// The flag with its reason: the catalogue key of the sentence and its named values.
    /// The stored `reason` is the Chinese sentence (what the ledgers and the page show by
    /// default); [`reason`] renders it in any language from the key and params.
    pub(crate) fn why(self, key: Msg, params: &[(&str, String)]) -> FlagValue {
        let mut v = FlagValue {
            flag: self.as_str().to_string(),
            reason: String::new(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            key: key.code().to_string(),
            advice: String::new(),
            resolved: None,
        };
        v.reason = reason(&v, Lang::Zh);
        v
    }
}

/// Parameters whose values are words of the interface, stored as a code and said in the
/// reader's language: who claims the place.
fn said_by(code: &str) -> Option<Msg> {
    Some(match code {
        "folder" => Msg::SaidByFolder,
        "file_name" => Msg::SaidByFileName,
        "curator" => Msg::SaidByCurator,
        _ => return None,
    })
}

/// What to do about a flag, in `lang` ("" for a flag this version does not know).
pub fn advice(f: &FlagValue, lang: Lang) -> String {
    Flag::parse(&f.flag)
        .map(|fl| lang.t(fl.advice(&f.key)).to_string())
        .unwrap_or_default()
}

/// A flag's reason in `lang`. A reason stored before reasons had keys is shown as written.
pub fn reason(f: &FlagValue, lang: Lang) -> String {
    let Some(key) = Msg::from_code(&f.key) else {
        return f.reason.clone();
    };
    // Unreadable carries the problem that made the file so: its sentence is the problem's.
    if key == Msg::FlagWhyUnreadable {
        let problem = f
            .params
            .get("code")
            .and_then(|c| Code::parse(c))
            .map(|code| {
                let mut p = Problem::new(code);
                p.params = f.params.clone();
                p.params.remove("code");
                p.reason(lang)
            })
            .unwrap_or_default();
        return lang.fill(key, &[("problem", &problem)]);
    }
    let localized: Vec<(String, String)> = f
        .params
        .iter()
        .map(|(k, v)| {
            let v = match (k.as_str(), said_by(v)) {
                ("said_by", Some(m)) => lang.t(m).to_string(),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    let mut localized = localized;
    if matches!(key, Msg::FlagWhyReused | Msg::FlagWhyReusedMore) {
        localized.push(("how".into(), reused_how(&f.params, lang)));
    }
    let args: Vec<(&str, &dyn std::fmt::Display)> = localized
        .iter()
        .map(|(k, v)| (k.as_str(), v as &dyn std::fmt::Display))
        .collect();
    lang.fill(key, &args)
}

/// One side of a near-duplicate pair, as far as a reader can check it besides the picture.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Pixel size as shown (turned upright by EXIF orientation).
    pub size: Option<(u32, u32)>,
    pub mime: &'a str,
    /// It has a capture time.
    pub dated: bool,
}

impl Side<'_> {
    /// A side from a record's facts (orientations 5–8 turn the stored size a quarter).
    pub fn of_record(r: &crate::record::Record) -> Side<'_> {
        Side {
            size: upright(r.width, r.height, r.orientation),
            mime: &r.mime,
            dated: r.captured_at.is_some(),
        }
    }

    pub fn of_facts(f: &Facts) -> Side<'_> {
        Side {
            size: upright(f.width, f.height, f.orientation),
            mime: &f.mime,
            dated: f.captured_at.is_some(),
        }
    }
}

fn upright(w: Option<u32>, h: Option<u32>, orientation: Option<u16>) -> Option<(u32, u32)> {
    let (w, h) = (w?, h?);
    Some(if matches!(orientation, Some(5..=8)) {
        (h, w)
    } else {
        (w, h)
    })
}

/// How two near-identical photos differ besides the picture, as language-neutral parameters
/// (worded by [`differences_said`]): flipped left to right, a crop (`crop` in % per side, > 0
/// when `there` is a crop of `here`), other pixel sizes, another format, a capture date on one
/// side only. Shared by the `reused_photo` reason and `archive similar`.
pub fn differences(
    crop: f32,
    mirrored: bool,
    here: &Side,
    there: &Side,
) -> Vec<(&'static str, String)> {
    let mut how = Vec::new();
    if mirrored {
        how.push(("mirrored", "1".to_string()));
    }
    if crop.abs() > 0.005 {
        how.push(("crop", format!("{:.0}", crop * 100.0)));
    }
    if let (Some((aw, ah)), Some((bw, bh))) = (here.size, there.size) {
        if (aw, ah) != (bw, bh) {
            how.push(("size_here", format!("{aw}×{ah}")));
            how.push(("size_there", format!("{bw}×{bh}")));
        }
    }
    if here.mime != there.mime && !here.mime.is_empty() && !there.mime.is_empty() {
        how.push(("format_here", here.mime.to_string()));
        how.push(("format_there", there.mime.to_string()));
    }
    match (here.dated, there.dated) {
        (true, false) => how.push(("dated", "here".into())),
        (false, true) => how.push(("dated", "there".into())),
        _ => {}
    }
    how
}

/// The [`differences`] parameters as phrases in `lang` ("对方是本图每边裁去约 6%", "尺寸 …"),
/// none when only the bytes differ.
pub fn differences_said(
    params: &std::collections::BTreeMap<String, String>,
    lang: Lang,
) -> Vec<String> {
    let get = |k: &str| params.get(k).map(String::as_str);
    let mut parts = Vec::new();
    if get("mirrored").is_some() {
        parts.push(lang.t(Msg::ReusedMirrored).to_string());
    }
    if let Some(crop) = get("crop").and_then(|c| c.parse::<i32>().ok()) {
        let pct = crop.abs();
        parts.push(if crop > 0 {
            lang.fill(Msg::ReusedCropThere, &[("pct", &pct)])
        } else {
            lang.fill(Msg::ReusedCropHere, &[("pct", &pct)])
        });
    }
    if let (Some(here), Some(there)) = (get("size_here"), get("size_there")) {
        parts.push(lang.fill(Msg::ReusedSizes, &[("here", &here), ("there", &there)]));
    }
    if let (Some(here), Some(there)) = (get("format_here"), get("format_there")) {
        parts.push(lang.fill(Msg::ReusedFormats, &[("here", &here), ("there", &there)]));
    }
    match get("dated") {
        Some("here") => parts.push(lang.t(Msg::ReusedDateHereOnly).to_string()),
        Some("there") => parts.push(lang.t(Msg::ReusedDateThereOnly).to_string()),
        _ => {}
    }
    parts
}

/// How a re-used photo differs from the other copy, in `lang`, from the parameters
/// [`differences`] stored: "；对方是本图每边裁去约 6%，尺寸 …", or "" when only the bytes differ.
fn reused_how(params: &std::collections::BTreeMap<String, String>, lang: Lang) -> String {
    let parts = differences_said(params, lang);
    if parts.is_empty() {
        return String::new();
    }
    match lang {
        Lang::Zh => format!("；{}", parts.join("，")),
        Lang::En => format!("; {}", parts.join(", ")),
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

/// On the evidence date: a photo's or video's capture time, else a document's creation date.
/// A document is flagged only when written before the period: a 2021 summary of the 2016–2020
/// work is exactly what an inspection expects, a 2014 notice filed as 2018 work is not.
pub(crate) fn date_outside_period(cfg: &TagConfig, f: &Facts) -> Option<FlagValue> {
    let (t, kind) = f.evidence_date()?;
    let d = t.date_naive();
    // What the file is decides the rule; the date's kind only names its source.
    let document = !is_capture_media(f);
    if !document && kind != DateKind::Captured {
        return None;
    }
    let source = match kind {
        DateKind::DocCreated => "doc_created",
        DateKind::Captured => f.captured_at_source.as_deref().unwrap_or("metadata"),
    };
    let key = if d < cfg.period_start {
        if document {
            Msg::FlagWhyDocBefore
        } else {
            Msg::FlagWhyDateBefore
        }
    } else if d > cfg.period_end && !document {
        Msg::FlagWhyDateAfter
    } else {
        return None;
    };
    Some(Flag::DateOutsidePeriod.why(
        key,
        &[
            ("date", day(&t)),
            ("source", source.to_string()),
            ("start", cfg.period_start.to_string()),
            ("end", cfg.period_end.to_string()),
        ],
    ))
}

/// Signs that the picture was changed after it was taken, strongest first; the first found
/// is the reason. Each names what was found, so a person can check it.
pub(crate) fn possibly_edited(cfg: &TagConfig, f: &Facts) -> Option<FlagValue> {
    if let Some(sw) = f.software.as_deref() {
        if let Some(e) = editor_in(sw) {
            return Some(Flag::PossiblyEdited.why(
                Msg::FlagWhyEditor,
                &[("software", sw.to_string()), ("editor", e.to_string())],
            ));
        }
    }
    if let Some(why) = f.traces.as_ref().and_then(editor_traces) {
        return Some(why);
    }
    if !is_capture_media(f) {
        return None;
    }
    if let Some(a) = f.exif_thumb_similarity {
        if a < crate::similar::exif_thumb::MIN_AGREEMENT {
            return Some(Flag::PossiblyEdited.why(
                Msg::FlagWhyThumbDiffers,
                &[("agreement", format!("{a:.2}"))],
            ));
        }
    }
    if let Some(why) = reencoded_camera_original(f) {
        return Some(why);
    }
    let (c, m) = (f.captured_at?, f.modified_at?);
    let gap = (m - c).num_seconds().abs();
    if gap > cfg.edit_gap_days.max(0) * 86_400 {
        let key = if m > c {
            Msg::FlagWhyModifiedAfter
        } else {
            Msg::FlagWhyModifiedBefore
        };
        return Some(Flag::PossiblyEdited.why(
            key,
            &[
                ("modified", day(&m)),
                ("captured", day(&c)),
                ("days", (gap / 86_400).to_string()),
                ("limit", cfg.edit_gap_days.to_string()),
            ],
        ));
    }
    None
}

/// An editor named in XMP (CreatorTool, History) or Photoshop's image resources, or edit
/// actions in C2PA content credentials.
fn editor_traces(t: &Traces) -> Option<FlagValue> {
    if let Some((tool, e)) = t
        .xmp_tools
        .iter()
        .find_map(|s| editor_in(s).map(|e| (s, e)))
    {
        return Some(Flag::PossiblyEdited.why(
            Msg::FlagWhyXmpEditor,
            &[("tool", tool.clone()), ("editor", e.to_string())],
        ));
    }
    if let Some((w, e)) = t
        .photoshop_writer
        .as_deref()
        .and_then(|w| Some((w, editor_in(w)?)))
    {
        return Some(Flag::PossiblyEdited.why(
            Msg::FlagWhyPhotoshopResources,
            &[("writer", w.to_string()), ("editor", e.to_string())],
        ));
    }
    if t.c2pa && !t.c2pa_actions.is_empty() {
        return Some(Flag::PossiblyEdited.why(
            Msg::FlagWhyC2paEdited,
            &[("actions", t.c2pa_actions.join(", "))],
        ));
    }
    None
}

/// The highest quality at which IJG's standard tables mark a re-encode rather than a camera:
/// in the corpus, photos straight from phones that use IJG's tables (Google HDR+, LG, Nikon
/// COOLPIX, Fujifilm, Panasonic, DJI) are at 92 to 100; the copies at 75 to 90 were all shrunk
/// by a library that kept the camera's EXIF (docs/decisions.md).
pub const REENCODE_MAX_QUALITY: u8 = 90;

/// A JPEG whose EXIF still names the camera (and no editor) but whose quantization tables are
/// IJG's standard ones at a quality cameras do not use: decoded and saved again by a library or
/// a messaging app (WeChat, QQ, libjpeg, PIL) that kept the metadata.
fn reencoded_camera_original(f: &Facts) -> Option<FlagValue> {
    let q = f.traces.as_ref()?.ijg_quality?;
    let camera = f.camera.as_ref()?.label()?;
    (q <= REENCODE_MAX_QUALITY && f.mime == "image/jpeg").then(|| {
        Flag::PossiblyEdited.why(
            Msg::FlagWhyReencoded,
            &[("quality", q.to_string()), ("camera", camera)],
        )
    })
}

/// Labelled as generated: the GB 45438-2025 implicit label in XMP, or C2PA content
/// credentials whose bytes name the generative-AI source type (not verified).
pub(crate) fn ai_generated(f: &Facts) -> Option<FlagValue> {
    let t = f.traces.as_ref()?;
    if let Some(label) = &t.aigc {
        let get = |k: &str| label.get(k).cloned().unwrap_or_else(|| "-".into());
        return Some(Flag::AiGenerated.why(
            Msg::FlagWhyAigcLabel,
            &[
                ("label", get("Label")),
                ("producer", get("ContentProducer")),
                ("id", get("ProduceID")),
            ],
        ));
    }
    t.c2pa_generative
        .then(|| Flag::AiGenerated.why(Msg::FlagWhyC2paGenerative, &[]))
}

/// File names that WeChat, QQ and phone galleries give to pictures they re-encoded: the
/// capture time was stripped in transit, and the sender still has the original.
const MESSENGER_NAMES: &[&str] = &["微信图片", "mmexport", "wx_camera", "qq图片", "wechatimg"];

pub(crate) fn no_capture_date(f: &Facts, file_name: &str) -> Option<FlagValue> {
    if !is_capture_media(f) || f.captured_at.is_some() {
        return None;
    }
    let lower = file_name.to_lowercase();
    let key = if MESSENGER_NAMES.iter().any(|m| lower.starts_with(m)) {
        Msg::FlagWhyNoDateMessenger
    } else if f.media() == Media::Photo {
        Msg::FlagWhyNoDatePhoto
    } else {
        Msg::FlagWhyNoDateVideo
    };
    Some(Flag::NoCaptureDate.why(key, &[]))
}

/// The file's content cannot be used; the reason is the first error met reading it.
pub(crate) fn unreadable(f: &Facts, read_errors: &[Problem]) -> FlagValue {
    let first = read_errors.iter().chain(&f.problems).find(|p| p.is_error());
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(p) = first {
        params.push(("code", p.code.as_str().to_string()));
        for (k, v) in &p.params {
            params.push((k.as_str(), v.clone()));
        }
    }
    Flag::Unreadable.why(Msg::FlagWhyUnreadable, &params)
}
