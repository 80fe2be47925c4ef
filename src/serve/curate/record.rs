//! The forms of a file's detail page: add it to a collection, and re-tag it by hand.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

use super::collections::add_to_collection;
use super::{collection_href, enc, error_page, field, ids, parse_form, see_other};
use crate::curate::tags;
use crate::serve::auth::Who;
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};
use crate::tag::TagKind;

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
        st2.with_catalog_mut(|cat| {
            crate::pipeline::retag(cat, st2.schema(), st2.config())?;
            crate::pipeline::sync_index(cat, st2.config(), st2.schema()).map(|_| ())
        })?;
        Ok(())
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(()) => see_other(lang, &format!("/record/{}", enc(&blake3))),
        Err(e) => error_page(&who, lang, e),
    }
}
