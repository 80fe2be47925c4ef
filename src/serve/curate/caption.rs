//! The caption forms: one content's caption from its record page, and one caption for many
//! files (the selected items of a collection, or all of them) from the collection page. Both go
//! through `crate::curate::captions` (role check, audit entry); then the search documents of the
//! captioned files are rewritten so the words are found at once.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::{error_page, Form, RecordForm};
use crate::curate::captions::{self, CaptionEdit};
use crate::curate::collections;
use crate::record::Caption;
use crate::serve::auth::Who;
use crate::serve::params::Lang;
use crate::serve::{AppState, WebError};

/// The caption fields in a form. `bulk`: an empty field is left as it is (one photographer for
/// many); otherwise every field is posted and an empty one clears it.
fn edit_from(f: &Form, bulk: bool) -> Result<CaptionEdit, WebError> {
    let mut edit = CaptionEdit::default();
    for name in Caption::FIELDS {
        let Some((_, v)) = f.iter().find(|(k, _)| k == name) else {
            continue;
        };
        if bulk && v.trim().is_empty() {
            continue;
        }
        edit.set(name, v)?;
    }
    Ok(edit)
}

/// Write `edit` for the contents and rewrite their search documents.
fn write(
    st: &AppState,
    actor: &crate::curate::Actor,
    targets: &[(String, String)],
    edit: &CaptionEdit,
    reason: Option<&str>,
) -> Result<(), WebError> {
    st.with_curation(|cat| captions::set(cat, actor, targets, edit, reason))?;
    st.with_catalog_mut(|cat| {
        crate::pipeline::sync_index(cat, st.config(), st.schema()).map(|_| ())
    })?;
    st.reload_index();
    Ok(())
}

/// `POST /record/{blake3}/caption`: every caption field, `back`.
pub async fn caption_action(
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
    let st2 = st.clone();
    let res = tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        let edit = edit_from(&f, false)?;
        let label = st2
            .with_catalog(|cat| cat.files_by_blake3(&b3))?
            .first()
            .map(|r| r.display_path())
            .ok_or_else(|| WebError::NotFound(format!("no catalogued file has content {b3}")))?;
        write(&st2, &actor, &[(b3, label)], &edit, None)
    })
    .await;
    match res.map_err(WebError::from).and_then(|r| r) {
        Ok(()) => axum::response::Redirect::to(&format!("{back}#caption")).into_response(),
        Err(e) => error_page(&who, lang, e),
    }
}

/// The collection page's bulk caption: the non-empty fields, for the selected items (`file`)
/// or, when none is selected, every item of the collection.
pub(super) fn caption_collection(
    st: &AppState,
    actor: &crate::curate::Actor,
    name: &str,
    f: &Form,
    file_ids: &[i64],
) -> Result<(), WebError> {
    let edit = edit_from(f, true)?;
    let ids: Vec<i64> = if file_ids.is_empty() {
        st.with_curation(|cat| collections::show(cat, actor, name))?
            .items
            .iter()
            .map(|i| i.file_id)
            .collect()
    } else {
        file_ids.to_vec()
    };
    let rows = st.with_curation(|cat| collections::file_rows(cat, &ids))?;
    let mut targets: Vec<(String, String)> = Vec::new();
    for r in rows {
        if let Some(b3) = r.blake3.clone() {
            if !targets.iter().any(|(b, _)| *b == b3) {
                targets.push((b3, r.display_path()));
            }
        }
    }
    write(st, actor, &targets, &edit, None)
}
