//! Curation on the page: sign-in, collections (create, rename, describe, review, remove,
//! reorder, download as a BagIt zip), re-tagging from the detail page, and the users page.
//!
//! Every handler is a thin form-to-call adapter over `crate::curate`, which checks the
//! actor's role and writes the audit log: the page can do nothing the command line could not,
//! and nothing without a trace. Forms post back here and are answered with a redirect (so a
//! reload never repeats a change) or a small error page with the right status.

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::auth::{self, Who};
use super::pages::{self, Layout};
use super::params::{with_lang, Lang};
use super::{AppState, WebError};
use crate::curate::collections::{self, Review};
use crate::curate::tags;
use crate::curate::{users, Role};
use crate::i18n::Msg;
use crate::tag::TagKind;

type Form = Vec<(String, String)>;

fn parse_form(body: &Bytes) -> Form {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(f: &'a Form, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn ids(f: &Form, name: &str) -> Result<Vec<i64>, WebError> {
    f.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("{v:?} is not a file number")))
        })
        .collect()
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn collection_href(name: &str) -> String {
    format!("/collections/{}", enc(name))
}

/// An error as the error page with the right status (forms are posted by browsers, not
/// scripts).
fn error_page(who: &Who, lang: Lang, e: WebError) -> Response {
    pages::curation_error(who, lang, e)
}

/// After a change: go to `to` in the same language (a reload never repeats the change).
fn see_other(lang: Lang, to: &str) -> Response {
    Redirect::to(&with_lang(to, lang)).into_response()
}

// ------------------------------------------------------------------ sign-in

#[derive(Template)]
#[template(path = "curate/login.html")]
struct LoginPage {
    layout: Layout,
    l: Lang,
    /// No users are configured: nobody needs to sign in here.
    local: bool,
    error: Option<&'static str>,
}

pub async fn login_form(lang: Lang, Extension(who): Extension<Who>) -> Response {
    login_page(&who, lang, StatusCode::OK, None)
}

fn login_page(who: &Who, lang: Lang, status: StatusCode, error: Option<Msg>) -> Response {
    let page = LoginPage {
        layout: Layout::curation(who, lang, Some("/login"), lang.t(Msg::SignIn)),
        l: lang,
        local: who.open_local,
        error: error.map(|m| lang.t(m)),
    };
    pages::render(status, &page)
}

pub async fn login(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let f = parse_form(&body);
    let (name, password) = (
        field(&f, "name").to_string(),
        field(&f, "password").to_string(),
    );
    let st2 = st.clone();
    // argon2 takes tens of milliseconds: keep it off the async workers.
    let res = tokio::task::spawn_blocking(move || auth::sign_in(&st2, &name, &password)).await;
    match res {
        Ok(Some((_, cookie))) => {
            let mut r = see_other(lang, "/collections");
            if let Ok(v) = cookie.parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => login_page(
            &who,
            lang,
            StatusCode::UNAUTHORIZED,
            Some(Msg::WrongPassword),
        ),
        Err(e) => error_page(&who, lang, e.into()),
    }
}

pub async fn logout(lang: Lang, State(st): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = auth::sign_out(&st, &headers);
    let mut r = see_other(lang, "/login");
    if let Ok(v) = cookie.parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

// ------------------------------------------------------------------ collections

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
            return export_download(
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
fn add_to_collection(
    st: &AppState,
    actor: &crate::curate::Actor,
    name: &str,
    f: &Form,
    mut file_ids: Vec<i64>,
) -> Result<(), WebError> {
    if f.iter().any(|(k, _)| k == "q") {
        let raw = field(f, "q");
        let p = super::params::Params::parse(Some(raw))?;
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

/// Build the package into a temporary zip under the archive folder and stream it; the file
/// is unlinked once open, so it disappears when the download ends (or fails).
async fn export_download(
    st: AppState,
    lang: Lang,
    who: Who,
    actor: crate::curate::Actor,
    name: String,
    include_rejected: bool,
) -> Response {
    let tmp_dir = st.config().archive_dir.join("tmp");
    let out = tmp_dir.join(format!("web-export-{}.zip", &auth::random_token()[..16]));
    let st2 = st.clone();
    let (name2, out2) = (name.clone(), out.clone());
    let built = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        std::fs::create_dir_all(&tmp_dir)
            .map_err(|e| WebError::Internal(format!("creating {}: {e}", tmp_dir.display())))?;
        let opts = crate::export::ExportOptions {
            collection: name2,
            out: out2,
            zip: true,
            include_rejected,
            source_organization: st2.config().source_organization.clone(),
        };
        st2.with_curation(|cat| {
            crate::export::export_collection(cat, st2.schema(), &actor, &opts)
        })?;
        Ok(())
    })
    .await;
    if let Err(e) = built.map_err(WebError::from).and_then(|r| r) {
        let _ = std::fs::remove_file(&out);
        return error_page(&who, lang, e);
    }
    let file = match tokio::fs::File::open(&out).await {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(&out);
            return error_page(
                &who,
                lang,
                WebError::Internal(format!("opening {}: {e}", out.display())),
            );
        }
    };
    let len = file.metadata().await.map(|m| m.len()).ok();
    // Unix keeps an unlinked open file readable, so the name goes at once; where that fails
    // (Windows), the guard deletes it when the download ends or is abandoned.
    let removed = std::fs::remove_file(&out).is_ok();
    let guard = TempFile {
        path: (!removed).then(|| out.clone()),
    };
    let stream = futures_util::stream::unfold((file, guard), |(mut f, g)| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 256 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), (f, g)))
            }
            Err(e) => Some((Err(e), (f, g))),
        }
    });
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{}.zip\"; filename*=UTF-8''{}.zip",
        if ascii.is_empty() {
            "collection".into()
        } else {
            ascii
        },
        enc(&name)
    );
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = disposition.parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, len.into());
    }
    r
}

/// Deletes a temporary package when dropped (the stream ends, fails, or the client leaves).
struct TempFile {
    path: Option<std::path::PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `POST /collections/add` from a detail page (the collection is a form field).
pub async fn add_from_page(
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
    let name = field(&f, "collection").to_string();
    let res =
        ids(&f, "file").and_then(|file_ids| add_to_collection(&st, &actor, &name, &f, file_ids));
    match res {
        Ok(()) => see_other(lang, &collection_href(&name)),
        Err(e) => error_page(&who, lang, e),
    }
}

pub async fn retag(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(blake3): Path<String>,
    body: Bytes,
) -> Response {
    let actor = match who.require(false) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let kind = match field(&f, "kind") {
        "indicator" => TagKind::Indicator,
        "prefecture" => TagKind::Prefecture,
        "county" => TagKind::County,
        other => {
            return error_page(
                &who,
                lang,
                WebError::BadRequest(format!(
                    "{other:?} is not a tag kind: indicator, prefecture or county"
                )),
            )
        }
    };
    let file_ids = match ids(&f, "file") {
        Ok(i) if !i.is_empty() => i,
        Ok(_) => {
            return error_page(
                &who,
                lang,
                WebError::BadRequest("re-tagging needs a file".into()),
            )
        }
        Err(e) => return error_page(&who, lang, e),
    };
    let (value, reason) = (
        field(&f, "value").to_string(),
        field(&f, "reason").to_string(),
    );
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        st2.with_curation(|cat| {
            tags::set(
                cat,
                st2.schema(),
                &actor,
                &file_ids,
                kind,
                &value,
                Some(&reason),
            )
        })?;
        st2.with_catalog_mut(|cat| tags::refresh(cat, st2.config(), st2.schema()).map(|_| ()))?;
        Ok(())
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(()) => see_other(lang, &format!("/record/{}", enc(&blake3))),
        Err(e) => error_page(&who, lang, e),
    }
}

// ------------------------------------------------------------------ users

// The error is the finished answer, built once per refused request: boxing buys nothing.
#[allow(clippy::result_large_err)]
fn require_admin(who: &Who, lang: Lang) -> Result<crate::curate::Actor, Response> {
    let a = who.require(false)?.clone();
    if !a.can(Role::Admin) {
        return Err(error_page(
            who,
            lang,
            auth::forbidden(&a, Role::Admin, "manage users"),
        ));
    }
    Ok(a)
}

#[derive(Template)]
#[template(path = "curate/users.html")]
struct UsersPage {
    layout: Layout,
    l: Lang,
    csrf: String,
    /// (name, role)
    users: Vec<(String, &'static str)>,
    min_password: usize,
}

pub async fn users_page(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
) -> Response {
    if let Err(r) = require_admin(&who, lang) {
        return r;
    }
    let list = match users::list(&st.config().archive_dir) {
        Ok(l) => l,
        Err(e) => return error_page(&who, lang, e.into()),
    };
    let page = UsersPage {
        layout: Layout::curation(&who, lang, Some("/users"), lang.t(Msg::NavUsers)),
        l: lang,
        csrf: who.csrf.clone(),
        users: list
            .iter()
            .map(|u| (u.name.clone(), u.role.as_str()))
            .collect(),
        min_password: users::MIN_PASSWORD_CHARS,
    };
    pages::render(StatusCode::OK, &page)
}

pub async fn add_user(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match require_admin(&who, lang) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let Some(role) = Role::parse(field(&f, "role")) else {
        return error_page(
            &who,
            lang,
            WebError::BadRequest("the role must be viewer, curator or admin".into()),
        );
    };
    let (name, password) = (
        field(&f, "name").to_string(),
        field(&f, "password").to_string(),
    );
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || {
        users::add(&st2.config().archive_dir, &actor, &name, role, &password)
    })
    .await;
    match res
        .map_err(WebError::from)
        .and_then(|r| r.map_err(WebError::from))
    {
        Ok(_) => {
            st.reload_users();
            see_other(lang, "/users")
        }
        Err(e) => error_page(&who, lang, e),
    }
}

pub async fn remove_user(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    body: Bytes,
) -> Response {
    let actor = match require_admin(&who, lang) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = parse_form(&body);
    let name = field(&f, "name");
    match users::remove(
        &st.config().archive_dir,
        &actor,
        name,
        Some(field(&f, "reason")),
    ) {
        Ok(()) => {
            st.inner.sessions.end_user(name);
            st.reload_users();
            see_other(lang, "/users")
        }
        Err(e) => error_page(&who, lang, e.into()),
    }
}

// ------------------------------------------------------------------ JSON API

pub async fn api_collections(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
) -> Response {
    let actor = match who.require(true) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    match st.with_curation(|cat| collections::list(cat, &actor)) {
        Ok(l) => Json(serde_json::json!({ "collections": l })).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn api_collection(
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(name): Path<String>,
) -> Response {
    let actor = match who.require(true) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    match st.with_curation(|cat| collections::show(cat, &actor, &name)) {
        Ok(d) => Json(d).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/session`: who the page is talking to and the CSRF token scripts must send.
pub async fn api_session(Extension(who): Extension<Who>, RawQuery(_): RawQuery) -> Response {
    Json(serde_json::json!({
        "user": who.actor.as_ref().map(|a| &a.name),
        "role": who.actor.as_ref().map(|a| a.role.as_str()),
        "local_mode": who.open_local,
        "csrf": if who.actor.is_some() { Some(&who.csrf) } else { None },
    }))
    .into_response()
}
