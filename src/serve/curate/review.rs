//! The review flow of the collection page: each item as a card of the grid (thumbnail, date,
//! place, indicator, flags), and the answer to a review made by the page's script.
//!
//! A curator reviews hundreds of items one after another; a page reload per decision (back to
//! the top each time) made that slow. The script (`assets/review.js`) posts the same forms
//! with `Accept: application/json` and is answered with every item's state as JSON, so the page
//! stays where it is; without the script the forms still work, one reload each, and the
//! redirect returns to the item acted on. CSRF is checked by `auth::layer` as for any form.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::enc;
use crate::curate::collections::{self, CollectionDetail, Item, Review};
use crate::curate::Actor;
use crate::i18n::{Lang, Msg};
use crate::present;
use crate::serve::pages::{date_short, place_text};
use crate::serve::params::with_lang;
use crate::serve::{AppState, WebError};

/// Rejection reasons offered again on the page.
pub(super) const RECENT_REASONS: usize = 9;

/// Whether the request asked for JSON (the page's script) rather than a page (a form).
pub(super) fn wants_json(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// One item of the grid.
pub(super) struct GridItem {
    pub id: i64,
    /// `pending`, `accepted`, `rejected`: the item's class.
    pub state: &'static str,
    /// The review as one line: "不通过 — 照片模糊 (cai)".
    pub state_text: String,
    pub record_href: Option<String>,
    pub thumb: String,
    pub name: String,
    pub path: String,
    pub when: String,
    pub place: String,
    pub indicator: String,
    /// (label, reason)
    pub flags: Vec<(String, String)>,
    /// The positions a move up or down goes to.
    pub up: Option<i64>,
    pub down: Option<i64>,
}

pub(super) fn review_label(l: Lang, r: Review) -> &'static str {
    l.t(match r {
        Review::Pending => Msg::ReviewPending,
        Review::Accepted => Msg::ReviewAccepted,
        Review::Rejected => Msg::ReviewRejected,
    })
}

fn state_text(l: Lang, it: &Item) -> String {
    let mut s = review_label(l, it.review).to_string();
    if let Some(r) = &it.review_reason {
        s.push_str(" — ");
        s.push_str(r);
    }
    if let Some(b) = &it.reviewed_by {
        s.push_str(&format!(" ({b})"));
    }
    s
}

/// The record page of an item, inside its collection (previous and next follow its order).
pub(super) fn record_href(l: Lang, collection: &str, it: &Item) -> Option<String> {
    let b3 = it.blake3.as_deref().filter(|b| !b.is_empty())?;
    Some(with_lang(
        &format!(
            "/record/{b3}?id={}&collection={}",
            it.file_id,
            enc(collection)
        ),
        l,
    ))
}

/// The grid's items, with what the catalog says of each file now.
pub(super) fn grid_items(st: &AppState, l: Lang, d: &CollectionDetail) -> Vec<GridItem> {
    let n = d.items.len() as i64;
    let ids: Vec<i64> = d.items.iter().map(|it| it.file_id).collect();
    // One lock for the whole grid: hundreds of items, each a short read.
    let rows = st
        .with_catalog(|cat| {
            ids.iter()
                .map(|&id| cat.file(id))
                .collect::<crate::Result<Vec<_>>>()
        })
        .unwrap_or_default();
    d.items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let record = rows.get(i).and_then(|r| r.as_ref()).map(|r| r.to_record(l));
            let b3 = it.blake3.clone().unwrap_or_default();
            let thumb = match (&record, b3.is_empty()) {
                (_, false) => format!("/thumb/{b3}"),
                (Some(r), true) => icon_src(r.media),
                (None, true) => icon_src(crate::record::Media::Other),
            };
            let name = it.path.rsplit('/').next().unwrap_or(&it.path).to_string();
            GridItem {
                id: it.file_id,
                state: it.review.as_str(),
                state_text: state_text(l, it),
                record_href: record_href(l, &d.collection.name, it),
                thumb,
                name,
                path: it.path.clone(),
                when: record
                    .as_ref()
                    .and_then(|r| r.evidence_date.as_deref())
                    .map(date_short)
                    .unwrap_or_else(|| l.t(Msg::NoCaptureDate).to_string()),
                place: record
                    .as_ref()
                    .and_then(place_text)
                    .unwrap_or_else(|| l.t(Msg::PlaceUnknown).to_string()),
                indicator: match record.as_ref().and_then(|r| r.indicators.first()) {
                    Some(i) => present::indicator_label(st.schema(), &i.code),
                    None => l.t(Msg::NoIndicator).to_string(),
                },
                // The flags still to check (a settled one is on the record page).
                flags: record
                    .as_ref()
                    .map(|r| {
                        present::flags(l, r)
                            .into_iter()
                            .filter(|f| f.resolved.is_none())
                            .map(|f| (f.label, f.reason))
                            .collect()
                    })
                    .unwrap_or_default(),
                up: (it.position > 1).then_some(it.position - 1),
                down: (it.position < n).then_some(it.position + 1),
            }
        })
        .collect()
}

fn icon_src(m: crate::record::Media) -> String {
    format!(
        "data:image/svg+xml;utf8,{}",
        crate::serve::files::icon(m).replace('#', "%23")
    )
}

/// The files of `ids` that are still pending in the collection: "accept all pending" accepts
/// what the curator saw pending, never an item someone else decided on meanwhile.
pub(super) fn still_pending(d: &CollectionDetail, ids: &[i64]) -> Vec<i64> {
    d.items
        .iter()
        .filter(|it| it.review == Review::Pending && ids.contains(&it.file_id))
        .map(|it| it.file_id)
        .collect()
}

#[derive(Serialize)]
struct ItemState {
    id: i64,
    state: &'static str,
    text: String,
}

/// The JSON answer to a review made by the script: what was done, in words, and every item's
/// state now (another curator may have decided some meanwhile).
pub(super) fn answer(
    st: &AppState,
    actor: &Actor,
    l: Lang,
    name: &str,
    changed: usize,
    state: Option<Review>,
) -> Response {
    let d = match st.with_curation(|cat| collections::show(cat, actor, name)) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let c = &d.collection;
    let pending = d
        .items
        .iter()
        .filter(|it| it.review == Review::Pending)
        .count();
    Json(serde_json::json!({
        "changed": changed,
        "message": state.map(|s| l.fill(Msg::ReviewDone, &[("n", &changed), ("state", &review_label(l, s))])),
        "counts": counts(l, c),
        "pending": pending,
        "accept_pending": l.fill(Msg::AcceptAllPending, &[("n", &pending)]),
        "items": d.items.iter().map(|it| ItemState {
            id: it.file_id,
            state: it.review.as_str(),
            text: state_text(l, it),
        }).collect::<Vec<_>>(),
    }))
    .into_response()
}

pub(super) fn counts(l: Lang, c: &collections::Collection) -> String {
    l.fill(
        Msg::CollectionCounts,
        &[
            ("items", &c.items),
            ("accepted", &c.accepted),
            ("rejected", &c.rejected),
        ],
    )
}

/// An error as the script reads it: the status and `{"error": …}` in the page's language.
pub(super) fn json_error(l: Lang, e: WebError) -> Response {
    if let WebError::Internal(detail) = &e {
        tracing::error!("internal error: {detail}");
    }
    (
        e.status(),
        Json(serde_json::json!({ "error": e.message_in(l) })),
    )
        .into_response()
}
