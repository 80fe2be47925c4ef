//! The record page's 作为整改佐证 form: link this content to a problem of the problem list as
//! the evidence of its rectification. The link goes through `crate::problems::track::link`
//! (role check, audit entry, the problem's history); nothing about the file itself changes.
//! The search results carry the same link for the files ticked on their cards.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

use super::{error_page, field, parse_form, RecordForm};
use crate::serve::api::valid_hash;
use crate::serve::auth::Who;
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};

/// `POST /record/{blake3}/problem`: `problem` (its id), `note`, `back`.
pub async fn link_to_problem(
    lang: Lang,
    State(st): State<AppState>,
    Extension(who): Extension<Who>,
    Path(blake3): Path<String>,
    body: Bytes,
) -> Response {
    let RecordForm {
        actor,
        b3,
        form: f,
        back,
    } = match RecordForm::read(&who, lang, &blake3, &body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let Ok(id) = field(&f, "problem").parse::<i64>() else {
        return error_page(
            &who,
            lang,
            WebError::BadRequest("请选择一个问题 / choose a problem".into()),
        );
    };
    let note = field(&f, "note").trim().to_string();
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<usize, WebError> {
        st2.with_curation(|cat| {
            crate::problems::track::link(
                cat,
                st2.schema(),
                &actor,
                id,
                std::slice::from_ref(&b3),
                (!note.is_empty()).then_some(note.as_str()),
            )
        })
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => error_page(&who, lang, e),
    }
}

/// Where the results' form returns: the search page as it was (`/` or `/?…`), never another
/// site or another page.
fn back_to_search(f: &super::Form, lang: Lang) -> String {
    match field(f, "back") {
        b if b == "/" || b.starts_with("/?") => b.to_string(),
        _ => crate::serve::params::with_lang("/", lang),
    }
}

/// `POST /problems/link`: the search results' 作为整改佐证 form: `problem`, `note`, `back`,
/// and one `file` (BLAKE3) per ticked card. Each content must be in the catalog.
pub async fn link_results_to_problem(
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
    let back = back_to_search(&f, lang);
    let Ok(id) = field(&f, "problem").parse::<i64>() else {
        return error_page(
            &who,
            lang,
            WebError::BadRequest("请选择一个问题 / choose a problem".into()),
        );
    };
    let mut files: Vec<String> = Vec::new();
    for (_, v) in f.iter().filter(|(k, _)| k == "file") {
        match valid_hash(v) {
            Ok(b) if !files.contains(&b) => files.push(b),
            Ok(_) => {}
            Err(e) => return error_page(&who, lang, e),
        }
    }
    if files.is_empty() {
        let said = lang.t(crate::i18n::Msg::ProblemLinkNothingTicked);
        return error_page(&who, lang, WebError::BadRequest(said.to_string()));
    }
    let note = field(&f, "note").trim().to_string();
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<usize, WebError> {
        st2.with_curation(|cat| {
            for b in &files {
                crate::curate::collections::resolve_target(cat, b)?;
            }
            crate::problems::track::link(
                cat,
                st2.schema(),
                &actor,
                id,
                &files,
                (!note.is_empty()).then_some(note.as_str()),
            )
            .map_err(WebError::from)
        })
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => error_page(&who, lang, e),
    }
}
