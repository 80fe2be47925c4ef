//! Traces in a photo's file that say what made its bytes, besides EXIF Software: the JPEG
//! quantization tables (a camera's own, or the IJG standard tables that libjpeg, WeChat and
//! most image libraries scale by a quality), the editor named in XMP (`xmp:CreatorTool`,
//! `xmpMM:History`'s `stEvt:softwareAgent`) or in Photoshop's image resources, the AIGC label
//! GB 45438-2025 requires in generated images' XMP, and C2PA content credentials (JUMBF in
//! APP11). Only facts are read here; the tagger decides what they suggest
//! (`tag::flags::possibly_edited`, `ai_generated`), so every reason names what was found.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a photo's container says about the program that wrote it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Traces {
    /// The JPEG's quantization tables are exactly the IJG standard tables scaled to this
    /// quality (1–100); None when they are anything else (a camera's own tables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ijg_quality: Option<u8>,
    /// Programs XMP names: CreatorTool, then each History softwareAgent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xmp_tools: Vec<String>,
    /// The writer Photoshop's image resources name (VersionInfo, resource 0x0421).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photoshop_writer: Option<String>,
    /// The fields of the GB 45438-2025 implicit label (XMP `TC260:AIGC`, a JSON object:
    /// Label, ContentProducer, ProduceID, …); the raw text under `raw` when it is not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aigc: Option<BTreeMap<String, String>>,
    /// A C2PA manifest store is embedded (JUMBF labelled `c2pa` in APP11). Not verified.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub c2pa: bool,
    /// Editing actions the manifest names (from [`C2PA_EDITS`]), as found in its bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub c2pa_actions: Vec<String>,
    /// The manifest names IPTC's digital source type for generative AI
    /// (`trainedAlgorithmicMedia`, also in `compositeWithTrainedAlgorithmicMedia`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub c2pa_generative: bool,
}

impl Traces {
    pub fn is_empty(&self) -> bool {
        *self == Traces::default()
    }
}

/// The GB 45438-2025 label's XMP namespace (TC260's practice guide registers it with prefix
/// `TC260`, property `AIGC`).
const AIGC_NS: &str = "http://www.tc260.org.cn/ns/AIGC/1.0/";

/// Zigzag position → natural (row-major) index of an 8×8 block: DQT stores zigzag order.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// The IJG (JPEG standard, Annex K) tables at quality 50, natural order.
const IJG_LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const IJG_CHROMA: [u16; 64] = {
    let mut t = [99u16; 64];
    let top = [
        [17, 18, 24, 47],
        [18, 21, 26, 66],
        [24, 26, 56, 99],
        [47, 66, 99, 99],
    ];
    let mut r = 0;
    while r < 4 {
        let mut c = 0;
        while c < 4 {
            t[r * 8 + c] = top[r][c];
            c += 1;
        }
        r += 1;
    }
    t
};

/// A quantization table as a DQT segment defines it: its slot (0–3) and 64 steps in
/// natural order.
pub(super) type QuantTable = (u8, [u16; 64]);

/// The tables of one DQT segment's body (several may share one segment).
pub(super) fn dqt_tables(body: &[u8], out: &mut Vec<QuantTable>) {
    let mut i = 0;
    while i < body.len() {
        let (precision, slot) = (body[i] >> 4, body[i] & 0x0F);
        i += 1;
        let width = if precision == 0 { 1 } else { 2 };
        let Some(raw) = body.get(i..i + 64 * width) else {
            return;
        };
        let mut t = [0u16; 64];
        for (k, &at) in ZIGZAG.iter().enumerate() {
            t[at] = if width == 1 {
                u16::from(raw[k])
            } else {
                u16::from_be_bytes([raw[2 * k], raw[2 * k + 1]])
            };
        }
        out.push((slot, t));
        i += 64 * width;
    }
}

/// IJG's scaling of a standard table to `quality` (libjpeg's `jpeg_quality_scaling` with
/// baseline clamping).
fn ijg_scaled(std: &[u16; 64], quality: u32) -> [u16; 64] {
    let scale = if quality < 50 {
        5000 / quality
    } else {
        200 - 2 * quality
    };
    std.map(|v| ((u32::from(v) * scale + 50) / 100).clamp(1, 255) as u16)
}

/// The quality whose IJG-scaled tables are exactly the luminance table (slot 0) and, when
/// present, the chrominance table (slot 1); None for any other tables.
pub(super) fn ijg_quality(tables: &[QuantTable]) -> Option<u8> {
    let luma = tables.iter().find(|t| t.0 == 0)?.1;
    let chroma = tables.iter().find(|t| t.0 == 1).map(|t| t.1);
    // Every JPEG is asked, and most are cameras' own tables: one entry rules a quality out
    // before its whole table is scaled.
    let first = |q: u32| {
        let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
        ((u32::from(IJG_LUMA[0]) * scale + 50) / 100).clamp(1, 255) as u16
    };
    (1..=100u32)
        .find(|&q| {
            first(q) == luma[0]
                && ijg_scaled(&IJG_LUMA, q) == luma
                && chroma.is_none_or(|c| ijg_scaled(&IJG_CHROMA, q) == c)
        })
        .map(|q| q as u8)
}

/// The programs an XMP packet names as having written or edited the picture.
pub(super) fn xmp_tools(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["xmp:CreatorTool", "xap:CreatorTool", "stEvt:softwareAgent"] {
        for v in values(text, name) {
            let v = unescape(v);
            if !v.is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// The GB 45438-2025 label of an XMP packet: the `AIGC` property in TC260's namespace, under
/// whatever prefix the packet binds to it.
pub(super) fn aigc_label(text: &str) -> Option<BTreeMap<String, String>> {
    let at = text.find(AIGC_NS)?;
    // `xmlns:PREFIX="…ns/AIGC/1.0/"`: the prefix is the name before the `=`.
    let before = text[..at].trim_end_matches(['"', '\'']).trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let prefix = before.rsplit(|c: char| c.is_whitespace()).next()?;
    let prefix = prefix.strip_prefix("xmlns:")?;
    let raw = values(text, &format!("{prefix}:AIGC")).into_iter().next()?;
    let raw = unescape(raw);
    let mut fields = BTreeMap::new();
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&raw) {
        Ok(map) => {
            for (k, v) in map {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                fields.insert(k, v);
            }
        }
        Err(_) => {
            fields.insert("raw".into(), raw.chars().take(200).collect());
        }
    }
    Some(fields)
}

/// Every value of `name` written as an attribute (`name="v"`) or an element (`<name>v<`).
fn values<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before = text[..start].chars().next_back();
        if !matches!(before, None | Some('<' | ' ' | '\n' | '\r' | '\t')) {
            continue;
        }
        let after = &text[from..];
        let rest = after.trim_start();
        if let Some(rest) = rest.strip_prefix('=') {
            let rest = rest.trim_start();
            if let Some(q @ ('"' | '\'')) = rest.chars().next() {
                if let Some(end) = rest[1..].find(q) {
                    out.push(rest[1..1 + end].trim());
                }
            }
        } else if let Some(body) = after.strip_prefix('>') {
            if let Some(end) = body.find('<') {
                out.push(body[..end].trim());
            }
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
}

/// The writer's name in Photoshop's VersionInfo resource (0x0421): a version, a flag, then the
/// writer and reader as length-prefixed UTF-16BE strings.
pub(super) fn photoshop_writer(resources: &[u8]) -> Option<String> {
    let d = super::xmp::photoshop_resource(resources, 0x0421)?;
    let n = u32::from_be_bytes(d.get(5..9)?.try_into().ok()?) as usize;
    let units: Vec<u16> = d
        .get(9..9 + n.checked_mul(2)?)?
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let s = String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .trim()
        .to_string();
    (!s.is_empty()).then_some(s)
}

/// C2PA actions that change the picture (the C2PA specification's action names).
pub const C2PA_EDITS: [&str; 9] = [
    "c2pa.edited",
    "c2pa.color_adjustments",
    "c2pa.cropped",
    "c2pa.filtered",
    "c2pa.drawing",
    "c2pa.resized",
    "c2pa.removed",
    "c2pa.placed",
    "c2pa.transcoded",
];

/// A C2PA manifest store in APP11 segments (JPEG XT boxes whose JUMBF description is
/// labelled `c2pa`): noted, and its bytes searched for edit actions and the generative-AI
/// source type. The CBOR is not parsed and the signature not checked: the `c2pa` crate that
/// would do both does not build in reasonable time here (docs/decisions.md), so the reasons say
/// "not verified".
pub(super) fn read_c2pa(segments: &[&[u8]], t: &mut Traces) {
    use memchr::memmem::find;
    if !segments
        .iter()
        .any(|b| find(&b[..b.len().min(96)], b"c2pa").is_some())
    {
        return;
    }
    t.c2pa = true;
    for b in segments {
        for a in C2PA_EDITS {
            if find(b, a.as_bytes()).is_some() && !t.c2pa_actions.iter().any(|x| x == a) {
                t.c2pa_actions.push(a.to_string());
            }
        }
        t.c2pa_generative |= find(b, b"trainedAlgorithmicMedia").is_some();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ijg_tables_are_recognised_at_their_quality_and_others_are_not() {
        for q in [50u32, 65, 75, 90, 95] {
            let t = [
                (0, ijg_scaled(&IJG_LUMA, q)),
                (1, ijg_scaled(&IJG_CHROMA, q)),
            ];
            assert_eq!(ijg_quality(&t), Some(q as u8));
        }
        let mut camera = ijg_scaled(&IJG_LUMA, 92);
        camera[63] += 1;
        assert_eq!(ijg_quality(&[(0, camera)]), None);
    }

    #[test]
    fn the_aigc_label_is_read_under_any_prefix() {
        let x = r#"<rdf:Description xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"
            TC260:AIGC="{&quot;Label&quot;:&quot;1&quot;,&quot;ContentProducer&quot;:&quot;001191110108MA01KP2T5U00000&quot;}"/>"#;
        let l = aigc_label(x).unwrap();
        assert_eq!(l["Label"], "1");
        assert_eq!(l["ContentProducer"], "001191110108MA01KP2T5U00000");
        let y = r#"<x xmlns:aigc='http://www.tc260.org.cn/ns/AIGC/1.0/'><aigc:AIGC>{"Label":2}</aigc:AIGC></x>"#;
        assert_eq!(aigc_label(y).unwrap()["Label"], "2");
        assert_eq!(aigc_label("<x xmp:CreatorTool='GIMP'/>"), None);
    }

    #[test]
    fn xmp_names_creator_tool_and_history_agents() {
        let x = r#"<x xmp:CreatorTool="Adobe Photoshop CC 2019 (Windows)">
            <rdf:li stEvt:action="saved" stEvt:softwareAgent="Adobe Photoshop CC 2019 (Windows)"/>
            <rdf:li><stEvt:softwareAgent>Adobe Lightroom 6.0</stEvt:softwareAgent></rdf:li></x>"#;
        assert_eq!(
            xmp_tools(x),
            ["Adobe Photoshop CC 2019 (Windows)", "Adobe Lightroom 6.0"]
        );
    }
}
