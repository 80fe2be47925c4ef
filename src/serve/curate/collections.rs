//! The collections pages: the list (and creating one), one collection with its items, and
//! every form on it (rename, describe, review, move, remove, add, delete, download).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::review::{self, wants_json, GridItem, RECENT_REASONS};
use super::{collection_href, error_page, field, ids, parse_form, see_other, Form};
use crate::curate::collections::{self, Review};
use crate::curate::Role;
use crate::i18n::Msg;
use crate::serve::auth::Who;
use crate::serve::pages::{self, Layout};
use crate::serve::params::{with_lang, Lang};
use crate::serve::{AppState, WebError};

#[derive(Template)]
#[template(path = "curate/collections.html")]
struct CollectionsPage {
    layout: Layout,
    l: Lang,
    list: Vec<CollectionRow>,
    curator: bool,
    csrf: String,
}

struct CollectionRow {
    href: String,
    name: String,
    description: String,
    items: u64,
    accepted: u64,
    rejected: u64,
}

pub async fn collections_page(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let list = match st.with_curation(|cat| collections::list(cat, &actor)) {
        Ok(l) => l,
        Err(e) => return error_page(&who, lang, e),
    };
    let page = CollectionsPage {
        layout: Layout::curation(
            &who,
            lang,
            Some("/collections"),
            lang.t(Msg::NavCollections),
        ),
        l: lang,
        list: list
            .into_iter()
            .map(|c| CollectionRow {
                href: with_lang(&collection_href(&c.name), lang),
                name: c.name,
                description: c.description,
                items: c.items,
                accepted: c.accepted,
                rejected: c.rejected,
            })
            .collect(),
        curator: actor.can(Role::Curator),
        csrf: who.csrf.clone(),
    };
    pages::render(StatusCode::OK, &page)
}

pub async fn create_collection(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    match st.with_curation(|cat| {
        collections::create(cat, &actor, field(&f, "name"), field(&f, "description"))
    }) {
        Ok(c) => see_other(lang, &collection_href(&c.name)),
        Err(e) => error_page(&who, lang, e),
    }
}

#[derive(Template)]
#[template(path = "curate/collection.html")]
struct CollectionPage {
    layout: Layout,
    l: Lang,
    name: String,
    description: String,
    /// `/collections/{name}`: the forms post below it.
    base: String,
    counts: String,
    curator: bool,
    csrf: String,
    items: Vec<GridItem>,
    /// Items pending review, for "accept all pending".
    pending: Vec<i64>,
    accept_pending: String,
    /// Rejection reasons used lately, most recent first.
    reasons: Vec<String>,
    /// The bulk caption form's fields (name, label) and its hint.
    caption_fields: Vec<(&'static str, &'static str)>,
    caption_hint: String,
    /// The collection as a slideshow.
    present: String,
    /// The print form's choices.
    per_page_6: String,
    per_page_12: String,
}

pub async fn collection_page(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(name): Path<String>,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let d = match st.with_curation(|cat| collections::show(cat, &actor, &name)) {
        Ok(d) => d,
        Err(e) => return error_page(&who, lang, e),
    };
    let curator = actor.can(Role::Curator);
    let reasons = if curator {
        st.with_curation(|cat| collections::recent_reject_reasons(cat, &actor, RECENT_REASONS))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let c = &d.collection;
    let base = collection_href(&c.name);
    let pending: Vec<i64> = d
        .items
        .iter()
        .filter(|it| it.review == Review::Pending)
        .map(|it| it.file_id)
        .collect();
    let title = lang.fill(Msg::CollectionTitle, &[("name", &c.name)]);
    let page = CollectionPage {
        layout: Layout::curation(&who, lang, Some(&base), &title).with_script("/static/review.js"),
        l: lang,
        name: c.name.clone(),
        description: c.description.clone(),
        counts: review::counts(lang, c),
        base,
        curator,
        csrf: who.csrf.clone(),
        items: review::grid_items(&st, lang, &d),
        accept_pending: lang.fill(Msg::AcceptAllPending, &[("n", &pending.len())]),
        per_page_6: lang.fill(Msg::PrintPerPage, &[("n", &6)]),
        per_page_12: lang.fill(Msg::PrintPerPage, &[("n", &12)]),
        present: with_lang(
            &format!("/present?collection={}", super::enc(&c.name)),
            lang,
        ),
        caption_hint: lang.fill(Msg::CaptionBulkHint, &[("n", &d.items.len())]),
        caption_fields: crate::record::Caption::FIELDS
            .iter()
            .map(|f| (*f, crate::present::caption_field_label(lang, f)))
            .collect(),
        pending,
        reasons,
    };
    pages::render(StatusCode::OK, &page)
}

/// Every form on the collection page posts to `/collections/{name}/{action}`. Asked with
/// `Accept: application/json` (the page's script), a review is answered with the items' states
/// instead of a redirect.
pub async fn collection_action(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path((name, action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let json = wants_json(&headers);
    let refuse = |e: WebError| {
        if json {
            review::json_error(lang, e)
        } else {
            error_page(&who, lang, e)
        }
    };
    let f = parse_form(&body);
    let reason = Some(field(&f, "reason"));
    let back = collection_href(&name);
    let file_ids = match ids(&f, "file") {
        Ok(i) => i,
        Err(e) => return refuse(e),
    };
    // Back to the item acted on, not to the top of a long page.
    let at_item = |id: Option<&i64>| match id {
        Some(id) => format!("{back}#item-{id}"),
        None => back.clone(),
    };
    let res: Result<String, WebError> = match action.as_str() {
        "rename" => {
            let new = field(&f, "new_name").trim().to_string();
            st.with_curation(|cat| collections::rename(cat, &actor, &name, &new))
                .map(|_| collection_href(&new))
        }
        "describe" => st
            .with_curation(|cat| {
                collections::describe(cat, &actor, &name, field(&f, "description"))
            })
            .map(|_| back.clone()),
        "review" => match Review::parse(field(&f, "state")) {
            Some(Review::Rejected) if field(&f, "reason").trim().is_empty() => Err(
                WebError::BadRequest(lang.t(Msg::RejectNeedsReason).to_string()),
            ),
            Some(state) => match st.with_curation(|cat| {
                collections::review(cat, &actor, &name, &file_ids, state, reason)
            }) {
                Ok(n) if json => return review::answer(&st, &actor, lang, &name, n, Some(state)),
                Ok(_) => Ok(at_item(file_ids.first())),
                Err(e) => Err(e),
            },
            None => Err(WebError::BadRequest(
                "the review state must be accepted, rejected or pending".into(),
            )),
        },
        "accept_pending" => {
            let shown = st.with_curation(|cat| collections::show(cat, &actor, &name));
            let todo = shown.map(|d| review::still_pending(&d, &file_ids));
            let done = todo.and_then(|todo| {
                if todo.is_empty() {
                    return Ok(0);
                }
                st.with_curation(|cat| {
                    collections::review(cat, &actor, &name, &todo, Review::Accepted, None)
                })
            });
            match done {
                Ok(n) if json => {
                    return review::answer(&st, &actor, lang, &name, n, Some(Review::Accepted))
                }
                Ok(_) => Ok(back.clone()),
                Err(e) => Err(e),
            }
        }
        "remove" => st
            .with_curation(|cat| collections::remove_files(cat, &actor, &name, &file_ids, reason))
            .map(|_| back.clone()),
        "move" => match (file_ids.first(), field(&f, "to").trim().parse::<i64>()) {
            (Some(&id), Ok(to)) => st
                .with_curation(|cat| collections::move_item(cat, &actor, &name, id, to))
                .map(|_| at_item(Some(&id))),
            _ => Err(WebError::BadRequest(
                "moving needs a file and a position".into(),
            )),
        },
        "add" => add_to_collection(&st, &actor, &name, &f, file_ids).map(|_| back.clone()),
        "caption" => super::caption::caption_collection(&st, &actor, &name, &f, &file_ids)
            .map(|_| back.clone()),
        "delete" => st
            .with_curation(|cat| collections::delete(cat, &actor, &name, reason))
            .map(|_| "/collections".to_string()),
        "print" => {
            let per_page = if field(&f, "per_page") == "12" { 12 } else { 6 };
            let prefix = Some(field(&f, "prefix").trim().to_string()).filter(|p| !p.is_empty());
            return super::download::print_download(
                st,
                lang,
                who.clone(),
                actor,
                name,
                per_page,
                prefix,
            )
            .await;
        }
        "export" => {
            return super::download::export_download(
                st,
                lang,
                who.clone(),
                actor,
                name,
                field(&f, "include_rejected") == "1",
            )
            .await
        }
        _ => Err(WebError::NotFound(format!(
            "no collection action {action:?}"
        ))),
    };
    match res {
        Ok(_) if json => StatusCode::NO_CONTENT.into_response(),
        Ok(to) => see_other_at(lang, &to),
        Err(e) => refuse(e),
    }
}

/// `see_other` to a place in a page: the language goes before the `#fragment`.
fn see_other_at(lang: Lang, to: &str) -> Response {
    match to.split_once('#') {
        Some((path, frag)) => {
            axum::response::Redirect::to(&format!("{}#{frag}", with_lang(path, lang)))
                .into_response()
        }
        None => see_other(lang, to),
    }
}

/// Add the files given, or every result of the search query `q` (with the page's filters).
pub(super) fn add_to_collection(
    st: &AppState,
    actor: &crate::curate::Actor,
    name: &str,
    f: &Form,
    mut file_ids: Vec<i64>,
) -> Result<(), WebError> {
    let search_fields = |k: &str| k == "q" || k == "f";
    if f.iter().any(|(k, _)| search_fields(k)) {
        // The search as the page's own search box and facet links send it: words in `q`, one
        // `f` per filter. It is parsed by the page's own rules, so what is added is what the
        // page listed; anything else in the form is not part of the search.
        let p = crate::serve::params::Params::from_pairs(
            f.iter()
                .filter(|(k, _)| search_fields(k))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )?;
        if p.q.trim().is_empty() && p.filters.is_empty() {
            return Err(WebError::BadRequest(
                "an empty search would add every catalogued file: search for words or choose a \
                 filter first"
                    .into(),
            ));
        }
        let found = collections::files_for_query(st.index(), st.schema(), &p.q, &p.filters)?;
        file_ids.extend(found);
    }
    if file_ids.is_empty() {
        return Err(WebError::BadRequest(
            "nothing to add: choose a file, or a search with results".into(),
        ));
    }
    st.with_curation(|cat| collections::add_files(cat, actor, name, &file_ids))?;
    Ok(())
}
