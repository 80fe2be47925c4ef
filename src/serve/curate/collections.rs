//! The collections pages: the list (and creating one), one collection with its items, and
//! every form on it (rename, describe, review, move, remove, add, delete, download).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

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

fn review_label(l: Lang, r: Review) -> &'static str {
    l.t(match r {
        Review::Pending => Msg::ReviewPending,
        Review::Accepted => Msg::ReviewAccepted,
        Review::Rejected => Msg::ReviewRejected,
    })
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
    items: Vec<ItemRow>,
}

struct ItemRow {
    id: i64,
    /// `pending`, `accepted`, `rejected`: the item's class.
    state: &'static str,
    label: &'static str,
    record_href: Option<String>,
    thumb: String,
    path: String,
    reason: Option<String>,
    by: Option<String>,
    /// The positions a move up or down goes to.
    up: Option<i64>,
    down: Option<i64>,
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
    let c = &d.collection;
    let base = collection_href(&c.name);
    let n = d.items.len() as i64;
    let items = d
        .items
        .iter()
        .map(|it| {
            let b3 = it.blake3.clone().unwrap_or_default();
            ItemRow {
                id: it.file_id,
                state: it.review.as_str(),
                label: review_label(lang, it.review),
                record_href: (!b3.is_empty())
                    .then(|| with_lang(&format!("/record/{b3}?id={}", it.file_id), lang)),
                thumb: format!("/thumb/{b3}"),
                path: it.path.clone(),
                reason: it.review_reason.clone(),
                by: it.reviewed_by.clone(),
                up: (it.position > 1).then_some(it.position - 1),
                down: (it.position < n).then_some(it.position + 1),
            }
        })
        .collect();
    let title = lang.fill(Msg::CollectionTitle, &[("name", &c.name)]);
    let page = CollectionPage {
        layout: Layout::curation(&who, lang, Some(&base), &title),
        l: lang,
        name: c.name.clone(),
        description: c.description.clone(),
        counts: lang.fill(
            Msg::CollectionCounts,
            &[
                ("items", &c.items),
                ("accepted", &c.accepted),
                ("rejected", &c.rejected),
            ],
        ),
        base,
        curator: actor.can(Role::Curator),
        csrf: who.csrf.clone(),
        items,
    };
    pages::render(StatusCode::OK, &page)
}

/// Every form on the collection page posts to `/collections/{name}/{action}`.
pub async fn collection_action(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path((name, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let reason = Some(field(&f, "reason"));
    let back = collection_href(&name);
    let file_ids = match ids(&f, "file") {
        Ok(i) => i,
        Err(e) => return error_page(&who, lang, e),
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
            .map(|_| back),
        "review" => match Review::parse(field(&f, "state")) {
            Some(state) => st
                .with_curation(|cat| {
                    collections::review(cat, &actor, &name, &file_ids, state, reason)
                })
                .map(|_| back),
            None => Err(WebError::BadRequest(
                "the review state must be accepted, rejected or pending".into(),
            )),
        },
        "remove" => st
            .with_curation(|cat| collections::remove_files(cat, &actor, &name, &file_ids, reason))
            .map(|_| back),
        "move" => match (file_ids.first(), field(&f, "to").trim().parse::<i64>()) {
            (Some(&id), Ok(to)) => st
                .with_curation(|cat| collections::move_item(cat, &actor, &name, id, to))
                .map(|_| back),
            _ => Err(WebError::BadRequest(
                "moving needs a file and a position".into(),
            )),
        },
        "add" => add_to_collection(&st, &actor, &name, &f, file_ids).map(|_| back),
        "delete" => st
            .with_curation(|cat| collections::delete(cat, &actor, &name, reason))
            .map(|_| "/collections".to_string()),
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
        Ok(to) => see_other(lang, &to),
        Err(e) => error_page(&who, lang, e),
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
