//! Curation on the page: sign-in, collections (create, rename, describe, review, remove,
//! reorder, download as a BagIt zip), re-tagging from the detail page, and the users page.
//!
//! Every handler is a thin form-to-call adapter over `crate::curate`, which checks the
//! actor's role and writes the audit log: the page can do nothing the command line could not,
//! and nothing without a trace. Forms post back here and are answered with a redirect (so a
//! reload never repeats a change) or the error page with the right status. This file holds
//! what every form handler shares; each page or group of forms has its own file.

mod api;
mod caption;
mod collections;
mod download;
mod flags;
mod problem_link;
mod record;
mod review;
mod signin;
mod users;

use axum::body::Bytes;
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

pub use api::{api_collection, api_collections, api_session};
pub use caption::caption_action;
pub use collections::{collection_action, collection_page, collections_page, create_collection};
pub use flags::flag_action;
pub use problem_link::{link_results_to_problem, link_to_problem};
pub use record::{add_from_page, retag};
pub use signin::{login, login_form, logout};
pub use users::{add_user, remove_user, users_page};

use super::auth::Who;
use super::pages;
use super::params::{with_lang, Lang};
use super::WebError;

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

/// Where a record page's form returns: the page as it was opened (inside its search or
/// collection, the form's `back`), but only ever this record's own page, so the field cannot
/// send the browser elsewhere.
fn back_to_record(f: &Form, blake3: &str, lang: Lang) -> String {
    let own = format!("/record/{}", enc(blake3));
    match field(f, "back") {
        b if b == own || b.starts_with(&format!("{own}?")) => b.to_string(),
        _ => with_lang(&own, lang),
    }
}

/// What every form on a record page starts from: a signed-in user, the record's content id
/// from the path (checked), the form, and the page to return to ([`back_to_record`]).
struct RecordForm {
    actor: crate::curate::Actor,
    b3: String,
    form: Form,
    back: String,
}

impl RecordForm {
    /// The error page (or sign-in redirect) to answer with when the request cannot be one.
    fn read(
        who: &Who,
        lang: Lang,
        blake3: &str,
        body: &Bytes,
    ) -> Result<RecordForm, Box<Response>> {
        let actor = who.require(false).map_err(Box::new)?.clone();
        let b3 = super::api::valid_hash(blake3).map_err(|e| Box::new(error_page(who, lang, e)))?;
        let form = parse_form(body);
        let back = back_to_record(&form, &b3, lang);
        Ok(RecordForm {
            actor,
            b3,
            form,
            back,
        })
    }
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
