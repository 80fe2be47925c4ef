//! The detail page of one content (`templates/record.html`): a preview, the download, the
//! map, flags with their reasons, tags with their sources and evidence, the metadata, every
//! path with the same content, and the curation block.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::curation::{record_curation, RecordCuration};
use super::facets::{
    field_label, flag_label, indicator_label, media_label, source_label, status_label,
};
use super::layout::{error_page, Layout};
use super::map::{map_view, MapView};
use super::render;
use crate::i18n::{Lang, Msg};
use crate::record::{Gps, Media, Record, Status, TagValue};
use crate::schema::Schema;
use crate::serve::api::{rows_for, valid_hash};
use crate::serve::auth::Who;
use crate::serve::params::{with_lang, Params};
use crate::serve::AppState;

#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub layout: Layout,
    pub l: Lang,
    pub name: String,
    pub preview: Preview,
    pub download: String,
    pub map: MapView,
    pub map_note: &'static str,
    /// (label, reason)
    pub flags: Vec<(String, String)>,
    pub tags: Vec<TagRow>,
    /// (label, value)
    pub meta: Vec<(String, String)>,
    pub copies: Vec<OtherCopy>,
    /// 相似照片: near-duplicates (the same picture with other bytes).
    pub similar: Vec<SimilarRow>,
    pub excerpt: Option<String>,
    pub curation: Option<RecordCuration>,
}

pub struct Preview {
    pub video: bool,
    pub class: &'static str,
    pub src: String,
    pub alt: String,
}

pub struct TagRow {
    /// A weaker source's alternative, under the tag it lost to.
    pub alt: bool,
    pub head: &'static str,
    pub value: String,
    pub source: String,
    pub evidence: String,
}

/// Another path holding the same content (the file itself is not listed: issue 15).
pub struct OtherCopy {
    pub href: String,
    pub path: String,
    pub status: String,
}

/// A near-duplicate photo: its record, its path, and how alike (similarity, and "cropped").
pub struct SimilarRow {
    pub href: String,
    pub path: String,
    pub score: String,
    pub how: &'static str,
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

fn status_text(l: Lang, s: Status) -> String {
    status_label(
        l,
        if s == Status::Missing {
            "missing"
        } else {
            "present"
        },
    )
}

fn metadata(l: Lang, r: &Record, b3: &str) -> Vec<(String, String)> {
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut kv = |k: &str, v: String| meta.push((k.to_string(), v));
    kv(field_label(l, "path"), r.path.clone());
    if let Some(h) = &r.path_bytes_hex {
        kv(l.t(Msg::MetaPathBytes), h.clone());
    }
    kv("BLAKE3", b3.to_string());
    kv(l.t(Msg::MetaSize), l.fill(Msg::Bytes, &[("n", &r.size)]));
    kv(
        field_label(l, "type"),
        format!("{} ({})", media_label(l, r.media.as_str()), r.mime),
    );
    let status = status_text(l, r.status);
    kv(
        field_label(l, "status"),
        match &r.last_seen {
            Some(t) => format!("{status}, {} {t}", l.t(Msg::LastSeen)),
            None => status,
        },
    );
    kv(
        l.t(Msg::Captured),
        match &r.captured_at {
            Some(t) => format!("{t} ({})", r.captured_at_source.as_deref().unwrap_or("?")),
            None => l.t(Msg::NoneLower).to_string(),
        },
    );
    if let Some(t) = &r.modified {
        kv(l.t(Msg::Modified), t.clone());
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
        (Msg::TextStatus, &r.text_status),
    ] {
        if let Some(v) = v {
            kv(l.t(k), v.clone());
        }
    }
    for e in &r.errors {
        kv(l.t(Msg::Problem), e.reason.clone());
    }
    for e in &r.warnings {
        kv(l.t(Msg::SeverityWarning), e.reason.clone());
    }
    for e in &r.notes {
        kv(l.t(Msg::SeverityNote), e.reason.clone());
    }
    meta
}

pub async fn record_page(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(blake3): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw.as_deref()).unwrap_or_default();
    let here = format!(
        "/record/{}",
        blake3
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect::<String>()
    );
    let b3 = match valid_hash(&blake3) {
        Ok(b) => b,
        Err(e) => return error_page(&p, &here, &e),
    };
    let rows = match rows_for(&st, &b3).await {
        Ok(r) => r,
        Err(e) => return error_page(&p, &here, &e),
    };
    let l = p.lang;
    let near = {
        let (st, b3) = (st.clone(), b3.clone());
        tokio::task::spawn_blocking(move || st.with_catalog(|c| c.similar_files(&b3))).await
    };
    let similar = match near {
        Ok(Ok(v)) => v
            .into_iter()
            .map(|s| SimilarRow {
                href: with_lang(&format!("/record/{}", s.blake3), l),
                path: s.path,
                score: format!("{:.3}", s.similarity),
                how: if s.crop.abs() > 0.005 {
                    l.t(Msg::SimilarCropped)
                } else {
                    ""
                },
            })
            .collect(),
        Ok(Err(e)) => return error_page(&p, &here, &e.into()),
        Err(e) => return error_page(&p, &here, &e.into()),
    };
    let row = rows.iter().find(|r| Some(r.id) == p.id).unwrap_or(&rows[0]);
    let r = row.to_record(l);
    let name = row.file_name().to_string();
    let inline_ok = matches!(
        r.mime.as_str(),
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    );
    let original = format!("/file/{b3}?id={}&inline=1", row.id);
    let thumb = format!("/thumb/{b3}");
    let preview = match r.media {
        Media::Photo if inline_ok && r.errors.is_empty() => {
            (false, "preview", original, name.clone())
        }
        Media::Photo => (false, "preview small", thumb, name.clone()),
        Media::Video => (true, "preview", original, String::new()),
        m => (false, "preview icon", thumb, media_label(l, m.as_str())),
    };
    let preview = Preview {
        video: preview.0,
        class: preview.1,
        src: preview.2,
        alt: preview.3,
    };

    let mut tags = Vec::new();
    for (kind, t) in [("prefecture", &r.prefecture), ("county", &r.county)] {
        if let Some(t) = t {
            tag_rows(l, kind, t, st.schema(), &mut tags);
        }
    }
    for t in &r.indicators {
        tag_rows(l, "indicator", t, st.schema(), &mut tags);
    }
    let flags = r
        .flags
        .iter()
        .map(|f| (flag_label(l, &f.flag), f.reason.clone()))
        .collect();
    let copies = rows
        .iter()
        .filter(|other| other.id != row.id)
        .map(|other| OtherCopy {
            href: with_lang(&format!("/record/{b3}?id={}", other.id), l),
            path: other.display_path(),
            status: status_text(l, other.status),
        })
        .collect();

    let claimed = r
        .prefecture
        .as_ref()
        .and_then(|t| st.schema().prefecture_of(&t.code))
        .map(|d| d.code.clone());
    let points: Vec<(Gps, String)> = r.gps.map(|g| (g, name.clone())).into_iter().collect();
    let map = map_view(
        &st,
        &HashMap::new(),
        &points,
        &|code| {
            let name = st.schema().division(code)?.short_name.clone();
            Some(p.href("/", |q| {
                q.filters = vec![("prefecture".into(), name)];
                q.q.clear();
            }))
        },
        claimed.as_deref(),
        "map small",
    );
    let map_note = l.t(if r.gps.is_none() {
        Msg::MapNoGps
    } else {
        Msg::MapDot
    });
    let toggle = with_lang(&format!("/record/{b3}?id={}", row.id), l.other());
    let page = RecordPage {
        layout: Layout::search(&p, "", toggle, &name),
        l,
        download: format!("/file/{b3}?id={}", row.id),
        preview,
        map,
        map_note,
        flags,
        tags,
        meta: metadata(l, &r, &b3),
        copies,
        similar,
        excerpt: r.text_excerpt.clone(),
        curation: record_curation(&st, &who, row.id, &b3),
        name,
    };
    render(StatusCode::OK, &page)
}
