//! The forms of a file's detail page: add it to a collection, and re-tag it by hand (with a
//! confirmation showing the value now and the new one).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::collections::add_to_collection;
use super::{back_to_record, collection_href, error_page, field, ids, parse_form, see_other};
use crate::curate::tags::{self, Resolved};
use crate::i18n::Msg;
use crate::present::{field_label, source_label};
use crate::serve::auth::Who;
use crate::serve::pages::{self, Layout};
use crate::serve::params::{with_lang, Lang};
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

/// The re-tag form of a detail page. The value is read as the search reads it (a code, `4.1`,
/// a name, "B4.1 科普大篷车" from the list); a first post shows the change (now → new) for
/// confirmation, and only the confirmed form (`confirm=1`, the resolved code) changes the tag.
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
    if let Err(e) = actor
        .require(crate::curate::Role::Curator, "re-tag files")
        .map_err(WebError::from)
    {
        return error_page(&who, lang, e);
    }
    let resolved = match resolve(&st, lang, kind, &value) {
        Ok(r) => r,
        Err(e) => return error_page(&who, lang, e),
    };
    if reason.trim().is_empty() {
        return error_page(
            &who,
            lang,
            WebError::BadRequest(lang.t(Msg::RetagNeedsReason).to_string()),
        );
    }
    let back = back_to_record(&f, &blake3, lang);
    if field(&f, "confirm") != "1" {
        return confirm_page(&st, &who, lang, kind, &file_ids, &resolved, &reason, &back);
    }
    let st2 = st.clone();
    let code = resolved.code.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        st2.with_curation(|cat| {
            tags::set(
                cat,
                st2.schema(),
                &actor,
                &file_ids,
                kind,
                &code,
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
        Ok(()) => axum::response::Redirect::to(&back).into_response(),
        Err(e) => error_page(&who, lang, e),
    }
}

/// `value` for `kind` as the vocabulary knows it, or why not in the page's language.
fn resolve(st: &AppState, l: Lang, kind: TagKind, value: &str) -> Result<Resolved, WebError> {
    let schema = st.schema();
    if kind == TagKind::Indicator {
        return match tags::resolve_indicator(schema, value) {
            Ok(i) => Ok(Resolved {
                code: i.code.clone(),
                name: i.name.clone(),
            }),
            Err(several) if !several.is_empty() => Err(WebError::BadRequest(
                l.fill(
                    Msg::RetagAmbiguousIndicator,
                    &[
                        ("value", &value.trim()),
                        (
                            "options",
                            &several
                                .iter()
                                .map(|i| format!("{} {}", i.code, i.name))
                                .collect::<Vec<_>>()
                                .join(if l == Lang::Zh { "、" } else { ", " }),
                        ),
                    ],
                ),
            )),
            Err(_) => Err(WebError::BadRequest(
                l.fill(Msg::RetagUnknownIndicator, &[("value", &value.trim())]),
            )),
        };
    }
    tags::resolve(schema, kind, value).map_err(|_| {
        let what = if kind == TagKind::County {
            "county"
        } else {
            "prefecture"
        };
        WebError::BadRequest(match schema.resolve_place(value) {
            None => l.fill(Msg::RetagUnknownPlace, &[("value", &value.trim())]),
            Some(_) => l.fill(
                Msg::RetagWrongLevel,
                &[("value", &value.trim()), ("kind", &field_label(l, what))],
            ),
        })
    })
}

#[derive(Template)]
#[template(path = "curate/retag_confirm.html")]
struct RetagConfirm {
    layout: Layout,
    l: Lang,
    lead: String,
    what: &'static str,
    old: String,
    new: String,
    reason: String,
    action: String,
    csrf: String,
    files: Vec<i64>,
    kind: &'static str,
    code: String,
    /// Where the change returns (and 取消 goes): the record page as it was opened.
    back: String,
}

#[allow(clippy::too_many_arguments)]
fn confirm_page(
    st: &AppState,
    who: &Who,
    l: Lang,
    kind: TagKind,
    file_ids: &[i64],
    resolved: &Resolved,
    reason: &str,
    back: &str,
) -> Response {
    let row = match st.with_catalog(|cat| cat.file(file_ids[0])) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return error_page(
                who,
                l,
                WebError::NotFound(format!("no catalogued file with id {}", file_ids[0])),
            )
        }
        Err(e) => return error_page(who, l, e.into()),
    };
    let kind_name = match kind {
        TagKind::Indicator => "indicator",
        TagKind::Prefecture => "prefecture",
        TagKind::County => "county",
    };
    let t = row.tagging.as_ref();
    let now = match kind {
        TagKind::Indicator => t.and_then(|t| t.indicators.first()),
        TagKind::Prefecture => t.and_then(|t| t.prefecture.as_ref()),
        TagKind::County => t.and_then(|t| t.county.as_ref()),
    };
    let old = match now {
        Some(v) => format!("{} {} ({})", v.code, v.name, source_label(l, &v.source)),
        None => l.t(Msg::NoValue).to_string(),
    };
    let new = match kind {
        TagKind::Indicator => format!("{} {}", resolved.code, resolved.name),
        _ => format!("{} ({})", resolved.name, resolved.code),
    };
    let title = l.t(Msg::RetagConfirmTitle);
    let page = RetagConfirm {
        layout: Layout::curation(who, l, None, title),
        l,
        lead: l.fill(Msg::RetagConfirmLead, &[("name", &row.file_name())]),
        what: field_label(l, kind_name),
        old,
        new,
        reason: reason.trim().to_string(),
        action: with_lang(
            &format!("/record/{}/tag", row.blake3.as_deref().unwrap_or("")),
            l,
        ),
        csrf: who.csrf.clone(),
        files: file_ids.to_vec(),
        kind: kind_name,
        code: resolved.code.clone(),
        back: back.to_string(),
    };
    pages::render(StatusCode::OK, &page)
}
