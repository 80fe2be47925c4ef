//! A record as people read it: the labels of its values (media, flags, statuses, tag
//! sources), its facts as (label, value) lines, its tags with their sources, its flags with
//! their reasons, in the reader's language. The detail page and `archive show` print the same
//! lines from here, so the terminal and the page never disagree on what a file is.

use chrono::FixedOffset;

use crate::i18n::{Lang, Msg};
use crate::record::{Record, Status, TagValue};
use crate::schema::Schema;
use crate::tag::Flag;

pub fn media_label(l: Lang, m: &str) -> String {
    let key = match m {
        "photo" => Msg::MediaPhoto,
        "video" => Msg::MediaVideo,
        "document" => Msg::MediaDocument,
        "other" => Msg::MediaOther,
        _ => return m.to_string(),
    };
    l.t(key).to_string()
}

pub fn flag_label(l: Lang, name: &str) -> String {
    match Flag::parse(name) {
        Some(f) => f.label(l).to_string(),
        None => name.to_string(),
    }
}

pub fn source_label(l: Lang, s: &str) -> String {
    let key = match s {
        "manual" => Msg::SourceManual,
        "manifest" => Msg::SourceManifest,
        "path" => Msg::SourcePath,
        "keyword" => Msg::SourceKeyword,
        "gps" => Msg::SourceGps,
        _ => return s.to_string(),
    };
    l.t(key).to_string()
}

pub fn indicator_label(schema: &Schema, code: &str) -> String {
    match schema.indicator(code) {
        Some(i) => format!("{} {}", i.code, i.name),
        None => code.to_string(),
    }
}

/// A field's name as the page shows it: the field table's label (aliases such as `type` for
/// `media` included).
pub fn field_label(l: Lang, f: &str) -> &'static str {
    match crate::fields::by_name(f) {
        Some(field) => field.label(l),
        None => l.t(Msg::FieldOther),
    }
}

pub fn status_label(l: Lang, s: &str) -> String {
    match s {
        "present" => l.t(Msg::StatusPresent).to_string(),
        "missing" => l.t(Msg::StatusMissing).to_string(),
        _ => s.to_string(),
    }
}

/// A caption state (`complete`, `no_people`…) as the page shows it (完整, 缺人物…).
pub fn caption_state_label(l: Lang, state: &str) -> String {
    match crate::fields::CAPTION_STATES
        .iter()
        .find(|(name, msg)| *name == state || Lang::Zh.t(*msg) == state)
    {
        Some((_, msg)) => l.t(*msg).to_string(),
        None => state.to_string(),
    }
}

/// A caption field's name (题名, 摄影者…) by its stable name.
pub fn caption_field_label(l: Lang, field: &str) -> &'static str {
    l.t(match field {
        "title" => Msg::CaptionTitle,
        "photographer" => Msg::CaptionPhotographer,
        "people" => Msg::CaptionPeople,
        "background" => Msg::CaptionBackground,
        "description" => Msg::CaptionDescription,
        "place" => Msg::CaptionPlace,
        "taken" => Msg::CaptionTaken,
        _ => Msg::FieldOther,
    })
}

/// The caption as (label, value) lines, every DA/T 50 field in order: an empty one says it
/// is missing, a prefilled one says where it came from.
pub fn caption_lines(l: Lang, c: &crate::record::Caption) -> Vec<(String, String)> {
    crate::record::Caption::FIELDS
        .iter()
        .map(|f| {
            let label = caption_field_label(l, f).to_string();
            let value = match c.get(f).map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if c.prefilled.iter().any(|p| p == f) => {
                    let from = if *f == "taken" {
                        Msg::CaptionFromCapture
                    } else {
                        Msg::CaptionFromTags
                    };
                    l.fill(from, &[("value", &v)])
                }
                Some(v) => v.to_string(),
                None => l.t(Msg::CaptionEmpty).to_string(),
            };
            (label, value)
        })
        .collect()
}

/// One tag as shown: the effective value with its source, or (`alt`) a weaker source's
/// reading under the tag it lost to.
pub struct TagRow {
    pub alt: bool,
    pub head: &'static str,
    pub value: String,
    pub source: String,
    pub evidence: String,
}

/// Every tag of the record, each followed by the weaker readings it won over.
pub fn tags(l: Lang, r: &Record, schema: &Schema) -> Vec<TagRow> {
    let mut out = Vec::new();
    for (kind, t) in [("prefecture", &r.prefecture), ("county", &r.county)] {
        if let Some(t) = t {
            tag_rows(l, kind, t, schema, &mut out);
        }
    }
    for t in &r.indicators {
        tag_rows(l, "indicator", t, schema, &mut out);
    }
    out
}

/// One flag as shown: what it is, why it was raised, what to do (怎么办), and the curator's
/// decision when it was marked checked or explained.
pub struct ShownFlag {
    /// The stable name (`no_capture_date`), for forms.
    pub name: String,
    pub label: String,
    pub reason: String,
    pub advice: String,
    /// "已核实（张三，2026-12-03）：…", when resolved.
    pub resolved: Option<String>,
}

/// The record's flags, open ones first (a resolved flag no longer needs checking).
pub fn flags(l: Lang, r: &Record) -> Vec<ShownFlag> {
    let mut v: Vec<ShownFlag> = r
        .flags
        .iter()
        .map(|f| ShownFlag {
            name: f.flag.clone(),
            label: flag_label(l, &f.flag),
            reason: crate::tag::flags::reason(f, l),
            advice: crate::tag::flags::advice(f, l),
            resolved: f.resolved.as_ref().map(|d| resolution_line(l, d)),
        })
        .collect();
    v.sort_by_key(|f| f.resolved.is_some());
    v
}

/// 已核实 / 已说明 (or the stored word, for a state this version does not know).
pub fn resolution_state(l: Lang, state: &str) -> String {
    match state {
        "checked" => l.t(Msg::FlagStateChecked).to_string(),
        "explained" => l.t(Msg::FlagStateExplained).to_string(),
        other => other.to_string(),
    }
}

/// "已核实（张三，2026-12-03）：note": who decided, on which day, and the note.
pub fn resolution_line(l: Lang, d: &crate::record::FlagResolution) -> String {
    l.fill(
        Msg::FlagResolvedLine,
        &[
            ("state", &resolution_state(l, &d.state)),
            ("who", &d.who),
            ("at", &d.at.chars().take(10).collect::<String>()),
            ("note", &d.note),
        ],
    )
}

fn tag_rows(l: Lang, kind: &str, t: &TagValue, schema: &Schema, out: &mut Vec<TagRow>) {
    let value = |code: &str, name: &str| {
        if kind == "indicator" {
            indicator_label(schema, code)
        } else {
            format!("{name} ({code})")
        }
    };
    out.push(TagRow {
        alt: false,
        head: field_label(l, kind),
        value: value(&t.code, &t.name),
        source: source_label(l, &t.source),
        evidence: t.evidence.clone(),
    });
    for a in &t.alternatives {
        out.push(TagRow {
            alt: true,
            head: l.t(Msg::WeakerSource),
            value: value(&a.code, &a.name),
            source: source_label(l, &a.source),
            evidence: a.evidence.clone(),
        });
    }
}

pub fn status_text(l: Lang, s: Status) -> String {
    status_label(
        l,
        if s == Status::Missing {
            "missing"
        } else {
            "present"
        },
    )
}

/// A size as Windows' Explorer says it (1024 to the KB), "14.6 KB"; bytes alone below 1 KB.
pub fn human_size(l: Lang, n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return l.fill(Msg::Bytes, &[("n", &n)]);
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// A time the file system gave (stored in the indexing machine's zone) in the configured
/// zone, so it reads beside capture times written with their own +08:00.
pub fn local_time(t: &str, zone: FixedOffset) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d
            .with_timezone(&zone)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        Err(_) => t.to_string(),
    }
}

/// The record's facts as (label, value) lines: path, hash, size, type, status, dates, place,
/// camera, document properties, then its errors, warnings and notes. File-system times are
/// shown in `zone` (`[time] default_offset`).
pub fn facts(l: Lang, r: &Record, zone: FixedOffset) -> Vec<(String, String)> {
    let b3 = r.blake3.as_deref().unwrap_or("-");
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut kv = |k: &str, v: String| meta.push((k.to_string(), v));
    kv(field_label(l, "path"), r.path.clone());
    if let Some(h) = &r.path_bytes_hex {
        kv(l.t(Msg::MetaPathBytes), h.clone());
    }
    kv("BLAKE3", b3.to_string());
    kv(
        l.t(Msg::MetaSize),
        if r.size < 1024 {
            human_size(l, r.size)
        } else {
            format!(
                "{} ({})",
                human_size(l, r.size),
                l.fill(Msg::Bytes, &[("n", &r.size)])
            )
        },
    );
    kv(
        field_label(l, "type"),
        if r.system {
            format!("{} ({})", l.t(Msg::MediaSystemFile), r.mime)
        } else {
            format!("{} ({})", media_label(l, r.media.as_str()), r.mime)
        },
    );
    let status = status_text(l, r.status);
    kv(
        field_label(l, "status"),
        match &r.last_seen {
            Some(t) => format!("{status}, {} {}", l.t(Msg::LastSeen), local_time(t, zone)),
            None => status,
        },
    );
    kv(
        l.t(Msg::Captured),
        match &r.captured_at {
            // The last-modified time standing in for a capture time says so.
            Some(t) if r.captured_at_source.as_deref() == Some("exif:ModifyDate") => {
                format!("{t} (exif:ModifyDate, {})", l.t(Msg::CapturedIsModifyDate))
            }
            Some(t) => format!("{t} ({})", r.captured_at_source.as_deref().unwrap_or("?")),
            None => l.t(Msg::NoneLower).to_string(),
        },
    );
    if let Some(t) = &r.captured_at_alt {
        kv(
            l.t(Msg::CapturedAlt),
            format!(
                "{t} ({})",
                r.captured_at_alt_source.as_deref().unwrap_or("?")
            ),
        );
    }
    if let (Some(t), Some(kind)) = (&r.evidence_date, r.evidence_date_kind.as_deref()) {
        let kind = match kind {
            "doc_created" => l.t(Msg::DateKindDocCreated),
            _ => l.t(Msg::DateKindCaptured),
        };
        kv(l.t(Msg::EvidenceDate), format!("{t} ({kind})"));
    }
    if let Some(t) = &r.modified {
        kv(l.t(Msg::Modified), local_time(t, zone));
    }
    if let Some(g) = r.gps {
        kv("GPS", format!("{:.6}, {:.6}", g.lat, g.lon));
    }
    if let Some(c) = r.camera.as_ref().and_then(|c| c.label()) {
        kv(field_label(l, "camera"), c);
    }
    if let Some(s) = &r.software {
        kv(l.t(Msg::Software), s.clone());
    }
    if let (Some(w), Some(h)) = (r.width, r.height) {
        kv(l.t(Msg::Pixels), format!("{w} × {h}"));
    }
    if let Some(o) = r.orientation {
        kv(l.t(Msg::Orientation), o.to_string());
    }
    if let Some(d) = r.duration_s {
        kv(l.t(Msg::Duration), format!("{d:.1} s"));
    }
    if let Some(n) = r.pages {
        kv(l.t(Msg::Pages), n.to_string());
    }
    for (k, v) in [
        (Msg::DocTitle, &r.title),
        (Msg::Author, &r.author),
        (Msg::DocCreated, &r.doc_created),
        (Msg::DocModified, &r.doc_modified),
        (Msg::TextStatus, &r.text_status),
    ] {
        if let Some(v) = v {
            kv(l.t(k), v.clone());
        }
    }
    for e in &r.errors {
        kv(l.t(Msg::SeverityError), e.reason.clone());
    }
    for e in &r.warnings {
        kv(l.t(Msg::SeverityWarning), e.reason.clone());
    }
    for e in &r.notes {
        kv(l.t(Msg::SeverityNote), e.reason.clone());
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_explorer() {
        assert_eq!(human_size(Lang::Zh, 14968), "14.6 KB");
        assert_eq!(human_size(Lang::Zh, 900), "900 字节");
        assert_eq!(human_size(Lang::En, 5 * 1024 * 1024 + 1), "5.0 MB");
    }

    #[test]
    fn file_times_are_in_the_configured_zone() {
        let bj = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            local_time("2019-08-01T02:03:04+00:00", bj),
            "2019-08-01T10:03:04+08:00"
        );
        assert_eq!(local_time("garbage", bj), "garbage");
    }
}
