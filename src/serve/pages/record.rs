//! The detail page of one content (`templates/record.html`): a preview, the download, the
//! map, flags with their reasons, tags with their sources and evidence, the metadata, every
//! path with the same content, and the curation block.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::context::{in_collection, in_search, record_nav, RecordNav};
use super::curation::{record_curation, RecordCuration};
use super::facets::media_label;
use super::layout::{error_page, Layout};
use super::map::{map_view, MapView};
use super::render;
use crate::i18n::{Lang, Msg};
use crate::present::{self, TagRow};
use crate::record::{Gps, Media};
use crate::serve::api::{rows_for, valid_hash};
use crate::serve::auth::Who;
use crate::serve::params::{with_lang, Params};
use crate::serve::AppState;
use crate::tag::flags::{differences, differences_said, Side};

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
    /// Each flag with its reason, what to do, and the curator's decision.
    pub flags: Vec<present::ShownFlag>,
    /// Curators mark flags checked or explained from the page (`partials/flag_list.html`).
    pub flag_form: Option<FlagForm>,
    pub tags: Vec<TagRow>,
    /// (label, value)
    pub meta: Vec<(String, String)>,
    pub copies: Vec<OtherCopy>,
    /// 相似照片: near-duplicates (the same picture with other bytes), each shown beside this
    /// photo (`similar_here`).
    pub similar: Vec<SimilarRow>,
    pub similar_here: PairSide,
    pub excerpt: Option<String>,
    pub curation: Option<RecordCuration>,
    /// 照片说明: the caption's lines, and the form for curators.
    pub caption: Option<CaptionView>,
    /// Back to the search or collection it was opened from, and its neighbours there.
    pub nav: RecordNav,
}

/// What the flags' forms post: to `/record/{blake3}/flag`, with the session's CSRF token.
pub struct FlagForm {
    pub csrf: String,
    pub blake3: String,
    /// The page as opened (inside its search or collection), to come back to.
    pub back: String,
}

/// A caption as the page shows it: how complete it is, its lines, and (curators) the form.
pub struct CaptionView {
    pub state: String,
    pub lines: Vec<(String, String)>,
    pub form: Option<CaptionForm>,
}

/// What the caption form posts to `/record/{blake3}/caption`: every field, pre-filled.
pub struct CaptionForm {
    pub csrf: String,
    pub blake3: String,
    pub back: String,
    pub inputs: Vec<CaptionInput>,
}

pub struct CaptionInput {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// The description is a paragraph (a text area).
    pub long: bool,
}

fn caption_view(
    l: Lang,
    c: &crate::record::Caption,
    form: Option<(String, String, String)>,
) -> CaptionView {
    let missing = c.missing();
    let state = if missing.is_empty() {
        present::caption_state_label(l, "complete")
    } else {
        let sep = if l == Lang::Zh { "、" } else { ", " };
        missing
            .iter()
            .map(|f| present::caption_state_label(l, &format!("no_{f}")))
            .collect::<Vec<_>>()
            .join(sep)
    };
    CaptionView {
        state,
        lines: present::caption_lines(l, c),
        form: form.map(|(csrf, blake3, back)| CaptionForm {
            csrf,
            blake3,
            back,
            inputs: crate::record::Caption::FIELDS
                .iter()
                .map(|f| CaptionInput {
                    name: f,
                    label: present::caption_field_label(l, f),
                    value: c.get(f).unwrap_or_default().to_string(),
                    long: *f == "description",
                })
                .collect(),
        }),
    }
}

pub struct Preview {
    pub video: bool,
    pub class: &'static str,
    pub src: String,
    pub alt: String,
    /// A video's poster frame.
    pub poster: String,
    /// Why there is only an icon: the format's tool is not installed.
    pub note: Option<String>,
}

/// The tool a format's preview needs, when it is not installed.
fn missing_tool(mime: &str) -> Option<crate::thumb::tools::Missing> {
    use crate::thumb::tools::{which, FFMPEG, HEIF};
    let needs = match mime {
        "image/heic" | "image/heif" | "image/avif" => HEIF,
        m if m.starts_with("video/") => FFMPEG,
        _ => return None,
    };
    which(needs.tool).is_none().then_some(needs)
}

/// Another path holding the same content (the file itself is not listed: issue 15).
pub struct OtherCopy {
    pub href: String,
    pub path: String,
    pub status: String,
}

/// A near-duplicate photo: its record, its path, how alike (similarity), what differs besides
/// the picture, and what a reader compares side by side.
pub struct SimilarRow {
    /// The other file's catalog id, for adding the group to a collection.
    pub file_id: i64,
    pub href: String,
    pub path: String,
    pub score: String,
    pub how: String,
    pub side: PairSide,
}

/// One photo of a near-duplicate pair as shown beside the other: its thumbnail, where and
/// under which indicator it was submitted, when and with what it was taken.
pub struct PairSide {
    pub thumb: String,
    pub place: String,
    pub indicator: String,
    pub date: String,
    pub camera: String,
}

impl PairSide {
    fn of(r: &crate::record::Record, thumb: String) -> PairSide {
        let dash = || "-".to_string();
        PairSide {
            thumb,
            place: match (&r.prefecture, &r.county) {
                (Some(p), Some(c)) => format!("{} {}", p.name, c.name),
                (Some(p), None) => p.name.clone(),
                _ => dash(),
            },
            indicator: r
                .indicators
                .iter()
                .map(|i| format!("{} {}", i.code, i.name))
                .collect::<Vec<_>>()
                .join("，"),
            date: r
                .captured_at
                .as_deref()
                .map(|t| t.chars().take(10).collect())
                .unwrap_or_else(dash),
            camera: r
                .camera
                .as_ref()
                .and_then(|c| c.label())
                .unwrap_or_else(dash),
        }
    }
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
        tokio::task::spawn_blocking(move || {
            st.with_catalog(|c| {
                let mut out = Vec::new();
                for s in c.similar_files(&b3)? {
                    let theirs = c
                        .files_by_blake3(&s.blake3)?
                        .into_iter()
                        .find(|f| f.display_path() == s.path)
                        .map(|f| (f.id, f.to_record(l)));
                    out.push((s, theirs));
                }
                Ok(out)
            })
        })
        .await
    };
    let row = rows.iter().find(|r| Some(r.id) == p.id).unwrap_or(&rows[0]);
    let r = row.to_record(l);
    let similar_here = PairSide::of(&r, format!("/thumb/{b3}"));
    let similar = match near {
        Ok(Ok(v)) => v
            .into_iter()
            .filter_map(|(s, theirs)| {
                let (file_id, theirs) = theirs?;
                let differences: std::collections::BTreeMap<String, String> = differences(
                    s.crop,
                    s.mirrored,
                    &Side::of_record(&r),
                    &Side::of_record(&theirs),
                )
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
                let sep = if l == Lang::Zh { "，" } else { ", " };
                Some(SimilarRow {
                    file_id,
                    href: with_lang(&format!("/record/{}", s.blake3), l),
                    side: PairSide::of(&theirs, format!("/thumb/{}", s.blake3)),
                    path: s.path,
                    score: format!("{:.3}", s.similarity),
                    how: differences_said(&differences, l).join(sep),
                })
            })
            .collect(),
        Ok(Err(e)) => return error_page(&p, &here, &e.into()),
        Err(e) => return error_page(&p, &here, &e.into()),
    };
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
        poster: format!("/thumb/{b3}"),
        note: missing_tool(&r.mime).map(|m| {
            l.fill(
                Msg::PreviewNeedsTool,
                &[("tool", &m.tool), ("package", &m.package)],
            )
        }),
    };

    let tags = present::tags(l, &r, st.schema());
    let flags = present::flags(l, &r);
    let copies = rows
        .iter()
        .filter(|other| other.id != row.id)
        .map(|other| OtherCopy {
            href: with_lang(&format!("/record/{b3}?id={}", other.id), l),
            path: other.display_path(),
            status: present::status_text(l, other.status),
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
    // The same page in the other language, still inside its search or collection.
    let toggle = match (&p.collection, p.pos) {
        (Some(c), _) => in_collection(l.other(), c, &b3, row.id),
        (None, Some(pos)) => {
            let mut q = p.clone();
            q.lang = l.other();
            in_search(&q, &b3, row.id as u64, pos)
        }
        (None, None) => with_lang(&format!("/record/{b3}?id={}", row.id), l.other()),
    };
    // This page as opened, for the re-tag form to come back to.
    let here = match (&p.collection, p.pos) {
        (Some(c), _) => in_collection(l, c, &b3, row.id),
        (None, Some(pos)) => in_search(&p, &b3, row.id as u64, pos),
        (None, None) => with_lang(&format!("/record/{b3}?id={}", row.id), l),
    };
    let nav = record_nav(&st, &who, &p, row.id).await;
    let curator = who
        .actor
        .as_ref()
        .is_some_and(|a| a.can(crate::curate::Role::Curator));
    let caption = r.caption.as_ref().map(|c| {
        caption_view(
            l,
            c,
            curator.then(|| (who.csrf.clone(), b3.clone(), here.clone())),
        )
    });
    let page = RecordPage {
        layout: Layout::search(&p, "", toggle, &name),
        l,
        download: format!("/file/{b3}?id={}", row.id),
        preview,
        map,
        map_note,
        flag_form: who
            .actor
            .as_ref()
            .filter(|a| a.can(crate::curate::Role::Curator))
            .map(|_| FlagForm {
                csrf: who.csrf.clone(),
                blake3: b3.clone(),
                back: here.clone(),
            }),
        flags,
        tags,
        meta: present::facts(l, &r, st.config().limits.default_offset),
        copies,
        similar,
        similar_here,
        excerpt: r.text_excerpt.clone(),
        curation: record_curation(&st, &who, row, &b3, l, here),
        caption,
        nav,
        name,
    };
    render(StatusCode::OK, &page)
}
