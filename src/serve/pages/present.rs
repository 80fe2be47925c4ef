//! `/present`: a collection (`?collection=NAME`) or a search result (`?q=…&f=…`) as a
//! full-screen slideshow (`templates/present.html`, `static/slideshow.js`), a title slide
//! before each prefecture or indicator (`group=prefecture|indicator|none`). The slides are
//! built by `crate::slides`, the same as a package's `slideshow.html`.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::layout::{error_page, Layout};
use super::render;
use crate::catalog::FileRow;
use crate::curate::collections;
use crate::i18n::{Lang, Msg};
use crate::record::{Media, Record};
use crate::search::MAX_LIMIT;
use crate::serve::api::{request, run_search};
use crate::serve::auth::Who;
use crate::serve::params::{with_lang, Params};
use crate::serve::{AppState, WebError};
use crate::slides::{self, Group, Slide};

/// The most files one show takes from a search (pages of [`MAX_LIMIT`]).
const MAX_SEARCH_SLIDES: usize = 5_000;

#[derive(Template)]
#[template(path = "present.html")]
pub struct PresentPage {
    pub layout: Layout,
    pub l: Lang,
    pub summary: String,
    pub back: String,
    pub texts: String,
    /// The slides as JSON for the script (inert inside `<script type="application/json">`).
    pub data: String,
    pub slides: Vec<Slide>,
}

/// Where the browser shows a record's photo or video from: the original when browsers can
/// show it, else its preview.
pub fn media_src(r: &Record, file_id: i64) -> String {
    let b3 = r.blake3.as_deref().unwrap_or_default();
    let inline = match r.media {
        Media::Video => true,
        _ => matches!(
            r.mime.as_str(),
            "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "image/avif"
        ),
    };
    if inline {
        format!("/file/{b3}?id={file_id}&inline=1")
    } else {
        format!("/thumb/{b3}")
    }
}

fn group_of(raw: Option<&str>) -> Result<Group, WebError> {
    let v = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "group")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Group::parse(&v).ok_or_else(|| {
        WebError::BadRequest(format!(
            "group {v:?}: 请用 prefecture、indicator 或 none / use prefecture, indicator or none"
        ))
    })
}

pub async fn present_page(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(&Params::default(), "/present", &e),
    };
    let l = p.lang;
    let group = match group_of(raw.as_deref()) {
        Ok(g) => g,
        Err(e) => return error_page(&p, "/present", &e),
    };
    let gathered = match &p.collection {
        Some(name) => match who.require(false) {
            Ok(actor) => from_collection(&st, actor, name, l),
            Err(r) => return r,
        },
        None => from_search(&st, &p, l).await,
    };
    let (title, back, items) = match gathered {
        Ok(g) => g,
        Err(e) => return error_page(&p, "/present", &e),
    };
    let slides = slides::slides(l, &items, group);
    let shown = slides.iter().filter(|s| s.kind != "title").count();
    let page = PresentPage {
        layout: Layout::search(&p, "", toggle(raw.as_deref(), l), &title)
            .with_script("/static/slideshow.js"),
        l,
        summary: l.fill(
            Msg::SlidesSummary,
            &[("n", &shown), ("skipped", &(items.len() - shown))],
        ),
        back,
        texts: crate::html::inline_json(&slides::script_texts(l)),
        data: crate::html::inline_json(&slides),
        slides,
    };
    render(StatusCode::OK, &page)
}

/// This show in the other language: the same query with `lang` switched.
fn toggle(raw: Option<&str>, l: Lang) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k != "lang" {
            ser.append_pair(&k, &v);
        }
    }
    let qs = ser.finish();
    let path = if qs.is_empty() {
        "/present".to_string()
    } else {
        format!("/present?{qs}")
    };
    with_lang(&path, l.other())
}

type Gathered = (String, String, Vec<(Record, String)>);

fn from_collection(
    st: &AppState,
    actor: &crate::curate::Actor,
    name: &str,
    l: Lang,
) -> Result<Gathered, WebError> {
    let d = st.with_curation(|cat| collections::show(cat, actor, name))?;
    let rows: Vec<Option<FileRow>> = st.with_catalog(|cat| {
        d.items
            .iter()
            .map(|it| cat.file(it.file_id))
            .collect::<crate::Result<_>>()
    })?;
    let items = rows
        .into_iter()
        .flatten()
        .map(|row| {
            let r = row.to_record(l);
            let src = media_src(&r, row.id);
            (r, src)
        })
        .collect();
    let back = with_lang(
        &format!(
            "/collections/{}",
            percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
        ),
        l,
    );
    Ok((l.fill(Msg::SlidesTitle, &[("name", &name)]), back, items))
}

async fn from_search(st: &AppState, p: &Params, l: Lang) -> Result<Gathered, WebError> {
    let mut items = Vec::new();
    let mut offset = 0;
    loop {
        let mut req = request(p, MAX_LIMIT, false);
        req.offset = offset;
        req.snippets = false;
        let resp = run_search(st, req).await?;
        let n = resp.hits.len();
        for h in &resp.hits {
            if let Some(r) = h.record() {
                let src = media_src(&r, h.id as i64);
                items.push((r, src));
            }
        }
        offset += n;
        if n == 0 || offset >= resp.total || offset >= MAX_SEARCH_SLIDES {
            break;
        }
    }
    let back = p.href("/", |_| {});
    let words = if p.q.trim().is_empty() {
        l.t(Msg::SlidesSearchAll).to_string()
    } else {
        p.q.clone()
    };
    Ok((l.fill(Msg::SlidesTitle, &[("name", &words)]), back, items))
}
