//! One error type for every handler: a status and a sentence the user can act on, as JSON
//! `{"error": "..."}`. Internal failures are logged in full and answered with a generic
//! sentence, so paths, SQL and stack traces never reach a browser.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub enum WebError {
    /// The request is wrong (bad query, bad parameter, malformed hash): 400.
    BadRequest(String),
    /// Nothing with that name: 404.
    NotFound(String),
    /// Refused on principle (a request for a host name this server does not serve): 403.
    Forbidden(String),
    /// Not signed in: 401.
    Unauthorized(String),
    /// The change clashes with the current state (a name already taken): 409.
    Conflict(String),
    /// Our fault: 500, details only in the log.
    Internal(String),
    /// A query or filter the user can fix: 400, said in the page's language.
    Query(crate::error::QueryError),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) | WebError::Query(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The sentence shown to the user (internals hidden).
    /// The message in `lang` (a query's error is in the catalogue; the others are written
    /// where they happen).
    pub fn message_in(&self, lang: crate::i18n::Lang) -> String {
        match self {
            WebError::Query(q) => q.text(lang),
            other => other.message(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            WebError::Query(q) => q.to_string(),
            WebError::BadRequest(m)
            | WebError::NotFound(m)
            | WebError::Forbidden(m)
            | WebError::Unauthorized(m)
            | WebError::Conflict(m) => m.clone(),
            WebError::Internal(_) => {
                "the server could not answer this request; the server log has the details"
                    .to_string()
            }
        }
    }
}

impl From<crate::Error> for WebError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Query(q) => WebError::Query(q),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<crate::curate::CurateError> for WebError {
    fn from(e: crate::curate::CurateError) -> Self {
        use crate::curate::CurateError as C;
        let msg = e.to_string();
        match e {
            C::Forbidden { .. } => WebError::Forbidden(msg),
            C::NotFound(_) => WebError::NotFound(msg),
            // The CLI wording names --reason; on the page it is the reason field.
            C::Invalid(_) => WebError::BadRequest(msg),
            C::ReasonRequired(m) => {
                WebError::BadRequest(format!("{m}: give a reason so the audit log says why"))
            }
            C::Conflict(_) => WebError::Conflict(msg),
            C::Catalog(crate::Error::Query(q)) => WebError::Query(q),
            C::Catalog(_) | C::Sql(_) => WebError::Internal(msg),
        }
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> Self {
        WebError::Internal(format!("a request task failed: {e}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        (
            self.status(),
            Json(serde_json::json!({ "error": self.message() })),
        )
            .into_response()
    }
}

/// Unknown routes: JSON under `/api/`, a small page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return WebError::NotFound(format!(
            "no API route {}; the routes are listed at /api/openapi.json",
            uri.path()
        ))
        .into_response();
    }
    super::pages::not_found_page(&uri)
}
