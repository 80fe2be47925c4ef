//! The curation JSON API for scripts: who the page is talking to, and the collections.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::curate::collections;
use crate::serve::auth::Who;
use crate::serve::AppState;

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
