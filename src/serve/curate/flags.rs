//! The record page's flag forms: mark a flag of this content checked (已核实) or explained
//! (已说明) with a note, or reopen it. The decision goes through `crate::curate::flags`
//! (role check, audit entry); then tags and the index are brought up to date so the 需核查
//! counts follow at once.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

use axum::response::IntoResponse;

use super::{error_page, field, RecordForm};
use crate::curate::flags::{self, Resolution};
use crate::serve::auth::Who;
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};

/// `POST /record/{blake3}/flag`: `flag`, `action` (resolve | reopen), `as` (checked |
/// explained), `note`.
pub async fn flag_action(
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
    let (flag, note) = (field(&f, "flag").to_string(), field(&f, "note").to_string());
    let state = match (field(&f, "action"), Resolution::parse(field(&f, "as"))) {
        ("resolve", Some(s)) => Some(s),
        ("reopen", _) => None,
        (action, _) => {
            return error_page(
                &who,
                lang,
                WebError::BadRequest(format!(
                "{action:?} / {:?}: 请选择已核实或已说明 / choose checked or explained, or reopen",
                field(&f, "as")
            )),
            )
        }
    };
    let st2 = st.clone();
    let b3c = b3.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        st2.with_curation(|cat| {
            let t = flags::target(cat, &b3c, &flag)?;
            match state {
                Some(s) => flags::resolve(cat, &actor, &t, s, Some(&note)).map(|_| ()),
                None => flags::reopen(cat, &actor, &t, Some(&note)),
            }
        })?;
        st2.with_catalog_mut(|cat| {
            crate::pipeline::retag(cat, st2.schema(), st2.config())?;
            crate::pipeline::sync_index(cat, st2.config(), st2.schema()).map(|_| ())
        })?;
        st2.reload_index();
        Ok(())
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(()) => axum::response::Redirect::to(&back).into_response(),
        Err(e) => error_page(&who, lang, e),
    }
}
