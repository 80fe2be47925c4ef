//! The slides of a presentation (放映): a collection or a search result as full-screen photos
//! and videos with a caption band (题名, 时间, 地点, 指标, the flags), a title slide before each
//! prefecture or indicator. The server's `/present` page and the package's `slideshow.html`
//! both show these with the one script `serve/assets/slideshow.js`; only where the pictures
//! come from differs (the server's `/file/…`, the package's `data/…`), so the caller gives
//! each record its addresses.

use serde::Serialize;

use crate::i18n::{Lang, Msg};
use crate::record::{Media, Record};

/// One slide as the script reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slide {
    /// `photo`, `video` or `title`.
    pub kind: &'static str,
    /// The picture or video shown (empty on a title slide).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub src: String,
    /// The caption's title, else the file name; a title slide's heading.
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub time: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub place: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub indicator: String,
    /// The flags' labels, open ones only (a flag checked or explained is settled).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// A title slide: how many photos follow. A photo: its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What a title slide comes before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Group {
    #[default]
    Prefecture,
    Indicator,
    None,
}

impl Group {
    pub fn parse(s: &str) -> Option<Group> {
        Some(match s.trim() {
            "" | "prefecture" | "市州" => Group::Prefecture,
            "indicator" | "指标" => Group::Indicator,
            "none" | "无" => Group::None,
            _ => return None,
        })
    }

    fn key(self, l: Lang, r: &Record) -> String {
        match self {
            Group::Prefecture => r
                .prefecture
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_else(|| l.t(Msg::SlidesNoPrefecture).to_string()),
            Group::Indicator => r
                .indicators
                .first()
                .map(|t| format!("{} {}", t.code, t.name))
                .unwrap_or_else(|| l.t(Msg::SlidesNoIndicator).to_string()),
            Group::None => String::new(),
        }
    }
}

/// Whether a record is shown: photos and videos that could be read.
pub fn shown(r: &Record) -> bool {
    matches!(r.media, Media::Photo | Media::Video) && !r.system && r.errors.is_empty()
}

/// The slides of `items` (each record with the address of its picture or video), in their
/// order within each group, the groups in the order they first appear; records that are not
/// photos or videos are left out.
pub fn slides(l: Lang, items: &[(Record, String)], group: Group) -> Vec<Slide> {
    let mut groups: Vec<(String, Vec<&(Record, String)>)> = Vec::new();
    for it in items.iter().filter(|(r, _)| shown(r)) {
        let key = group.key(l, &it.0);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(it),
            None => groups.push((key, vec![it])),
        }
    }
    let mut out = Vec::new();
    for (key, members) in groups {
        if group != Group::None {
            out.push(Slide {
                kind: "title",
                src: String::new(),
                title: key,
                time: String::new(),
                place: String::new(),
                indicator: String::new(),
                flags: Vec::new(),
                note: l.fill(Msg::SlidesCount, &[("n", &members.len())]),
            });
        }
        out.extend(members.into_iter().map(|(r, src)| slide(l, r, src)));
    }
    out
}

fn slide(l: Lang, r: &Record, src: &str) -> Slide {
    let c = r.caption.clone().unwrap_or_default();
    let name = r.path.rsplit('/').next().unwrap_or(&r.path).to_string();
    Slide {
        kind: if r.media == Media::Video {
            "video"
        } else {
            "photo"
        },
        src: src.to_string(),
        title: c.title.clone().unwrap_or(name),
        time: c.taken.clone().unwrap_or_default(),
        place: c.place.clone().unwrap_or_default(),
        indicator: r
            .indicators
            .first()
            .map(|t| format!("{} {}", t.code, t.name))
            .unwrap_or_default(),
        flags: r
            .flags
            .iter()
            .filter(|f| f.resolved.is_none())
            .map(|f| crate::present::flag_label(l, &f.flag))
            .collect(),
        note: c.description.unwrap_or_default(),
    }
}

/// The texts the script shows (keys, counter), as JSON.
pub fn script_texts(l: Lang) -> serde_json::Value {
    serde_json::json!({
        "keys": l.t(Msg::SlidesKeys),
        "of": l.t(Msg::SlidesOf),
        "empty": l.t(Msg::SlidesEmpty),
    })
}

/// The script, for pages that inline it (the package opened from disk has no server).
pub const SCRIPT: &str = include_str!("serve/assets/slideshow.js");
/// Its style, likewise.
pub const STYLE: &str = include_str!("serve/assets/slideshow.css");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Caption, Status, TagValue};

    fn rec(name: &str, pref: &str, media: Media) -> Record {
        let tag = |code: &str, name: &str| TagValue {
            code: code.into(),
            name: name.into(),
            source: "path".into(),
            evidence: String::new(),
            alternatives: Vec::new(),
        };
        let mut r: Record = serde_json::from_value(serde_json::json!({
            "path": format!("/e/{name}"), "blake3": null, "size": 1, "media": "photo",
            "mime": "image/jpeg", "modified": null, "captured_at": null,
            "captured_at_source": null, "gps": null, "camera": null, "software": null,
            "width": null, "height": null, "status": "present", "errors": [],
            "prefecture": null, "county": null, "indicators": [], "flags": []
        }))
        .unwrap();
        r.media = media;
        r.status = Status::Present;
        r.prefecture = Some(tag("630200", pref));
        r.indicators = vec![tag("B4.1", "科普大篷车")];
        r
    }

    #[test]
    fn a_title_slide_opens_each_prefecture_in_order_of_appearance() {
        let mut a = rec("a.jpg", "海东市", Media::Photo);
        a.caption = Some(Caption {
            title: Some("大篷车进校园".into()),
            ..Default::default()
        });
        let items = vec![
            (a, "s/a".to_string()),
            (rec("b.mp4", "西宁市", Media::Video), "s/b".into()),
            (rec("c.jpg", "海东市", Media::Photo), "s/c".into()),
            (rec("d.pdf", "海东市", Media::Document), "s/d".into()),
        ];
        let s = slides(Lang::Zh, &items, Group::Prefecture);
        let kinds: Vec<&str> = s.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, ["title", "photo", "photo", "title", "video"]);
        assert_eq!(s[0].title, "海东市");
        assert_eq!(s[0].note, "2 张");
        assert_eq!(s[1].title, "大篷车进校园");
        assert_eq!(s[2].title, "c.jpg", "the file name without a caption");
        assert_eq!(s[1].indicator, "B4.1 科普大篷车");
        let s = slides(Lang::Zh, &items, Group::None);
        assert_eq!(s.len(), 3, "no title slides, no document");
    }
}
