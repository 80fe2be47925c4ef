//! The search page: the query form, filter chips, facets, map, timeline, the grid of results
//! and the pager (`templates/search.html`). Every state is a URL; the page works without
//! JavaScript.

use crate::fields::Registry;
use crate::search::{understand, without_word};
use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use super::curation::{add_results, link_problem, AddResults, LinkProblem};
use super::facets::{filter_label, flag_label, indicator_label, sidebar, FacetGroup, FacetNode};
use super::layout::{toggled, Layout};
use super::map::{map_view, MapView};
use super::render;
use super::timeline::{timeline, Timeline};
use crate::i18n::{Lang, Msg};
use crate::record::{Gps, Record};
use crate::schema::Schema;
use crate::search::{Hit, SearchResponse, Sort, MAX_LIMIT};
use crate::serve::api::{request, run_search};
use crate::serve::auth::Who;
use crate::serve::params::{lang_of, Params};
use crate::serve::AppState;

/// Results per page of the grid.
pub const PAGE_SIZE: usize = 48;

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub l: Lang,
    pub q: String,
    /// The filters as `field:value`, carried by the form.
    pub filters: Vec<String>,
    pub sorts: Vec<SortOption>,
    pub chips: Vec<Chip>,
    pub clear_href: String,
    pub facets: Vec<FacetGroup>,
    /// Why the search could not run.
    pub error: Option<String>,
    pub results: Option<Results>,
    /// The syntax table, shown with an error or an empty result.
    pub syntax: Vec<(&'static str, &'static str)>,
    /// With the results: where they are.
    pub map: Option<MapView>,
    pub timeline: Option<Timeline>,
    pub add: Option<AddResults>,
    /// The 作为整改佐证 form under the results (curators, open problems).
    pub link_problem: Option<LinkProblem>,
    /// With no result: each condition whose removal gives results, with how many.
    pub relax: Vec<Relax>,
}

/// One way out of an empty result: drop this condition, get `n` files.
pub struct Relax {
    /// "去掉“2019”：8 个文件".
    pub text: String,
    pub n: usize,
    pub href: String,
}

pub struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct Chip {
    pub filter: String,
    pub href: String,
    pub label: String,
}

pub struct Results {
    pub total: usize,
    pub cards: Vec<Card>,
    pub pager: Option<Pager>,
    /// The result as a slideshow (`/present` with the same words and filters).
    pub present: String,
}

pub struct Card {
    pub media: &'static str,
    /// The content, for the 作为整改佐证 tick box.
    pub blake3: Option<String>,
    pub link: Option<String>,
    pub thumb: String,
    /// A real thumbnail (loaded lazily) rather than an inline icon.
    pub lazy: bool,
    pub path: String,
    /// Escaped by the search, with `<b>` around the matched words.
    pub name_html: String,
    pub place: String,
    pub indicator: String,
    pub when: String,
    /// (label, reason)
    pub flags: Vec<(String, String)>,
    /// Escaped by the search, with `<b>` marks.
    pub snippet_html: Option<String>,
}

pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    pub text: String,
}

pub async fn search_page(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (p, parse_err) = match Params::parse(raw.as_deref()) {
        Ok(p) => (p, None),
        // Keep what can be kept (language) so the message is in the user's language.
        Err(e) => (
            Params {
                lang: lang_of(raw.as_deref()),
                ..Params::default()
            },
            Some(e),
        ),
    };
    let l = p.lang;
    let result = match parse_err {
        Some(e) => Err(e),
        None => run_search(&st, request(&p, PAGE_SIZE, true)).await,
    };
    // Points for the map: every result up to the API's page bound, not only this page.
    let points: Vec<(Gps, String)> = match &result {
        Ok(resp) if resp.total > resp.hits.len() => {
            let mut req = request(&p, MAX_LIMIT, false);
            req.offset = 0;
            req.snippets = false;
            match run_search(&st, req).await {
                Ok(all) => gps_points(&all),
                Err(_) => gps_points(resp),
            }
        }
        Ok(resp) => gps_points(resp),
        Err(_) => Vec::new(),
    };
    let title = if p.q.is_empty() {
        l.t(Msg::NavSearch).to_string()
    } else {
        p.q.clone()
    };
    let mut page = SearchPage {
        layout: Layout::search(&p, "/", toggled(&p, "/"), &title),
        l,
        q: p.q.clone(),
        filters: p.filters.iter().map(|(f, v)| format!("{f}:{v}")).collect(),
        sorts: sort_options(&p),
        chips: chips(&st, &p),
        clear_href: p.href("/", |q| q.filters.clear()),
        facets: Vec::new(),
        error: None,
        results: None,
        syntax: Vec::new(),
        map: None,
        timeline: None,
        add: None,
        link_problem: None,
        relax: Vec::new(),
    };
    let status = match &result {
        Err(e) => {
            page.error = Some(e.message_in(l));
            page.syntax = syntax_rows(l);
            e.status()
        }
        Ok(resp) => {
            page.facets = sidebar(&st, &p, resp);
            page.timeline = timeline(&p, resp);
            let counts = prefecture_counts(&st, resp);
            page.map = Some(map_view(
                &st,
                &counts,
                &points,
                &|code| {
                    let name = st.schema().division(code)?.short_name.clone();
                    Some(p.href("/", |q| {
                        q.filters
                            .retain(|(f, _)| f != "prefecture" && f != "county");
                        q.filters.push(("prefecture".into(), name));
                    }))
                },
                None,
                "map",
            ));
            let cards: Vec<Card> = resp
                .hits
                .iter()
                .enumerate()
                .filter_map(|(i, hit)| card(&p, hit, st.schema(), p.offset + i + 1))
                .collect();
            if resp.hits.is_empty() {
                page.syntax = syntax_rows(l);
                page.relax = relaxations(&st, &p).await;
            } else {
                page.add = add_results(&st, &who, l, &p.q, &p.filters, resp.total);
                let pref = p
                    .filters
                    .iter()
                    .filter(|(f, _)| f == "prefecture")
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>();
                let one = if pref.len() == 1 { Some(pref[0]) } else { None };
                page.link_problem = link_problem(&st, &who, one, p.href("/", |_| {}));
            }
            page.results = Some(Results {
                total: resp.total,
                cards,
                pager: pager(&p, resp),
                present: p.href("/present", |_| {}),
            });
            StatusCode::OK
        }
    };
    render(status, &page)
}

fn sort_options(p: &Params) -> Vec<SortOption> {
    let l = p.lang;
    [
        (Sort::Relevance, "relevance", Msg::SortRelevance),
        (Sort::DateDesc, "date_desc", Msg::SortEvidenceNewest),
        (Sort::DateAsc, "date_asc", Msg::SortEvidenceOldest),
    ]
    .into_iter()
    .map(|(s, value, m)| SortOption {
        value,
        label: l.t(m),
        selected: p.sort == s,
    })
    .collect()
}

/// The chips: the filters chosen, then the words of the query read as filters (a place, a
/// year…); removing one of those takes the word out of the query.
fn chips(st: &AppState, p: &Params) -> Vec<Chip> {
    let mut out: Vec<Chip> = p
        .filters
        .iter()
        .map(|(f, v)| Chip {
            filter: format!("{f}:{v}"),
            href: p.href("/", |q| q.filters.retain(|(a, b)| !(a == f && b == v))),
            label: filter_label(st, p.lang, f, v),
        })
        .collect();
    for r in understand(Registry::standard(), st.schema(), &p.q).filters {
        out.push(Chip {
            filter: format!("{}:{}", r.field, r.value),
            href: p.href("/", |q| q.q = without_word(&q.q, &r.word)),
            label: filter_label(st, p.lang, r.field, &r.value),
        });
    }
    out
}

/// Why nothing matched: every condition (a chip, or the remaining words) whose removal alone
/// would give results, with how many, most first.
async fn relaxations(st: &AppState, p: &Params) -> Vec<Relax> {
    let mut tries: Vec<(String, Params)> = Vec::new();
    for (f, v) in &p.filters {
        let mut q = p.clone();
        q.filters.retain(|(a, b)| !(a == f && b == v));
        tries.push((filter_label(st, p.lang, f, v), q));
    }
    let understood = understand(Registry::standard(), st.schema(), &p.q);
    for r in &understood.filters {
        let mut q = p.clone();
        q.q = without_word(&q.q, &r.word);
        tries.push((r.word.clone(), q));
    }
    if !understood.query.trim().is_empty() && !tries.is_empty() {
        let mut q = p.clone();
        q.q = understood
            .filters
            .iter()
            .map(|r| r.word.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        tries.push((understood.query.trim().to_string(), q));
    }
    let mut out = Vec::new();
    for (label, q) in tries {
        let mut req = request(&q, 1, false);
        req.snippets = false;
        if let Ok(resp) = run_search(st, req).await {
            if resp.total > 0 {
                out.push(Relax {
                    text: p
                        .lang
                        .fill(Msg::RelaxWithout, &[("what", &label), ("n", &resp.total)]),
                    n: resp.total,
                    href: q.href("/", |_| {}),
                });
            }
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.n));
    out
}

pub(crate) fn date_short(t: &str) -> String {
    t.chars().take(16).collect::<String>().replace('T', " ")
}

pub(crate) fn place_text(r: &Record) -> Option<String> {
    match (&r.prefecture, &r.county) {
        (Some(p), Some(c)) => Some(format!("{} {}", p.name, c.name)),
        (Some(p), None) => Some(p.name.clone()),
        (None, Some(c)) => Some(c.name.clone()),
        (None, None) => None,
    }
}

/// A result's card; `pos` is its place in the whole result list (from 1), which its record
/// page is given with the search so that it can link the previous and next results.
fn card(p: &Params, hit: &Hit, schema: &Schema, pos: usize) -> Option<Card> {
    let l = p.lang;
    let r = hit.record()?;
    let link = r
        .blake3
        .as_ref()
        .map(|b| super::context::in_search(p, b, hit.id, pos));
    let (thumb, lazy) = match &r.blake3 {
        Some(b) => (format!("/thumb/{b}"), true),
        None => (
            format!(
                "data:image/svg+xml;utf8,{}",
                crate::serve::files::icon(r.media).replace('#', "%23")
            ),
            false,
        ),
    };
    Some(Card {
        media: r.media.as_str(),
        blake3: r.blake3.clone(),
        link,
        thumb,
        lazy,
        path: r.path.clone(),
        name_html: hit.name_html.clone(),
        place: place_text(&r).unwrap_or_else(|| l.t(Msg::PlaceUnknown).to_string()),
        indicator: match r.indicators.first() {
            Some(i) => indicator_label(schema, &i.code),
            None => l.t(Msg::NoIndicator).to_string(),
        },
        // The evidence date, saying when it is a document's creation date.
        when: match (r.evidence_date.as_deref(), r.evidence_date_kind.as_deref()) {
            (Some(t), Some("doc_created")) => {
                format!("{} · {}", date_short(t), l.t(Msg::DateKindDocCreated))
            }
            (Some(t), _) => date_short(t),
            (None, _) => l.t(Msg::NoCaptureDate).to_string(),
        },
        // Only what still needs checking: a flag a curator settled is on the record page.
        flags: r
            .flags
            .iter()
            .filter(|f| f.resolved.is_none())
            .map(|f| (flag_label(l, &f.flag), crate::tag::flags::reason(f, l)))
            .collect(),
        snippet_html: hit.snippet_html.clone(),
    })
}

/// The syntax table: examples are query text (the same in both languages), what they do is
/// in the catalogue.
fn syntax_rows(l: Lang) -> Vec<(&'static str, &'static str)> {
    [
        ("科普 大篷车", Msg::SyntaxBoth),
        ("\"科技活动周\"", Msg::SyntaxPhrase),
        ("~科学素质", Msg::SyntaxAnyOrder),
        ("科普 OR 宣传", Msg::SyntaxEither),
        ("科普 -会议", Msg::SyntaxWithout),
        ("prefecture:海东市 county:互助县", Msg::SyntaxPlace),
        (
            "indicator:B4.1 year:2019 date:2019-06",
            Msg::SyntaxIndicatorDate,
        ),
        (
            "media:photo camera:HUAWEI flag:no_indicator",
            Msg::SyntaxTypeCameraFlag,
        ),
        ("name:总结 path:互助 text:培训", Msg::SyntaxFields),
        ("blake3:3f8a1c07", Msg::SyntaxHash),
    ]
    .into_iter()
    .map(|(q, m)| (q, l.t(m)))
    .collect()
}

fn gps_points(resp: &SearchResponse) -> Vec<(Gps, String)> {
    /// The two fields of a stored record the map needs: reading whole records for up to
    /// `MAX_LIMIT` hits built every other field only to drop it.
    #[derive(serde::Deserialize)]
    struct Placed {
        gps: Option<Gps>,
        path: String,
    }
    resp.hits
        .iter()
        .filter_map(|h| serde_json::from_str::<Placed>(h.record_json.get()).ok())
        .filter_map(|r| {
            r.gps
                .map(|g| (g, r.path.rsplit('/').next().unwrap_or("").to_string()))
        })
        .collect()
}

/// Results per prefecture code, from the place facet (keyed by short name).
fn prefecture_counts(st: &AppState, resp: &SearchResponse) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for fc in resp.facets.get("place").into_iter().flatten() {
        if let Some(d) = st.schema().resolve_place(&fc.label) {
            out.insert(d.code.clone(), fc.count);
        }
    }
    out
}

fn pager(p: &Params, resp: &SearchResponse) -> Option<Pager> {
    if resp.total <= PAGE_SIZE {
        return None;
    }
    let page = p.offset / PAGE_SIZE + 1;
    let pages = resp.total.div_ceil(PAGE_SIZE);
    let prev = (p.offset > 0).then(|| {
        let prev = p.offset.saturating_sub(PAGE_SIZE);
        p.href("/", |q| q.offset = prev)
    });
    let next = (p.offset + PAGE_SIZE < resp.total).then(|| {
        let next = p.offset + PAGE_SIZE;
        p.href("/", |q| q.offset = next)
    });
    Some(Pager {
        prev,
        next,
        text: p
            .lang
            .fill(Msg::PageOf, &[("page", &page), ("pages", &pages)]),
    })
}
