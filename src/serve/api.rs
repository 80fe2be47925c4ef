//! The JSON API under `/api/`: the same search, records, ledger and vocabulary the page shows,
//! for scripts and other tools. Described by hand in `assets/openapi.json` (a test checks that
//! every documented path answers).

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::report::{By, Counted, Coverage};
use crate::schema::Level;
use crate::search::{SearchRequest, SearchResponse};

use super::params::Params;
use super::{AppState, WebError};

const OPENAPI: &str = include_str!("assets/openapi.json");
/// Hits per API page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 20;

/// Run a search off the async threads (tantivy work is blocking). Answers from the result
/// cache when the same request was answered against the same index state.
pub(super) async fn run_search(
    st: &AppState,
    req: SearchRequest,
) -> Result<Arc<SearchResponse>, WebError> {
    let st = st.clone();
    let resp = tokio::task::spawn_blocking(move || -> crate::Result<Arc<SearchResponse>> {
        let idx = st.index();
        // What the index holds (segments and their deletes), not the reload counter: the
        // reader reloads every few seconds whether or not anything changed.
        let generation = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for (segment, deletes) in idx.reader.searcher().generation().segments() {
                segment.hash(&mut h);
                deletes.hash(&mut h);
            }
            h.finish()
        };
        if let Some(hit) = st.inner.results.get(generation, &req) {
            return Ok(hit);
        }
        let understood = req.clone().understood(st.schema());
        let resp = Arc::new(crate::search::search(idx, st.schema(), &understood)?);
        st.inner.results.put(generation, req, Arc::clone(&resp));
        Ok(resp)
    })
    .await??;
    Ok(resp)
}

/// The last few hundred search results, valid for one state of the index (a reload after an
/// index run starts afresh). Inspectors page back and forth, click a facet and remove it again,
/// and the page asks for the same results as the map: counting facets over thousands of hits
/// is the costly part of a request, and repeating it for an identical request buys nothing.
pub struct ResultCache {
    inner: std::sync::Mutex<CacheState>,
}

struct CacheState {
    generation: u64,
    /// Least recently used first out: the pages an inspector goes back to stay.
    results: lru::LruCache<SearchRequest, Arc<SearchResponse>>,
}

const CACHED_RESULTS: std::num::NonZeroUsize = std::num::NonZeroUsize::new(256).unwrap();

impl Default for ResultCache {
    fn default() -> ResultCache {
        ResultCache {
            inner: std::sync::Mutex::new(CacheState {
                generation: 0,
                results: lru::LruCache::new(CACHED_RESULTS),
            }),
        }
    }
}

impl ResultCache {
    fn get(&self, generation: u64, req: &SearchRequest) -> Option<Arc<SearchResponse>> {
        let mut state = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if state.generation != generation {
            return None;
        }
        state.results.get(req).cloned()
    }

    fn put(&self, generation: u64, req: SearchRequest, resp: Arc<SearchResponse>) {
        let mut state = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if state.generation != generation {
            state.results.clear();
            state.generation = generation;
        }
        state.results.put(req, resp);
    }
}

pub(super) fn request(p: &Params, limit: usize, facets: bool) -> SearchRequest {
    SearchRequest {
        query: p.q.clone(),
        filters: p.filters.clone(),
        ranking_words: Vec::new(),
        sort: p.sort,
        offset: p.offset,
        limit,
        facets,
        snippets: true,
    }
}

pub async fn search(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let p = Params::parse(raw.as_deref())?;
    let req = request(&p, p.limit.unwrap_or(DEFAULT_LIMIT), true);
    let resp = run_search(&st, req).await?;
    // Serialised from the shared result, which is not copied (what `Json` would need).
    let body = serde_json::to_vec(&*resp).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// A hash from a URL: exactly 64 lowercase hex characters, else 400 (uppercase is accepted
/// and lowered, as people paste hashes from other tools).
pub(super) fn valid_hash(s: &str) -> Result<String, WebError> {
    let lower = s.to_ascii_lowercase();
    if crate::thumb::is_blake3(&lower) {
        Ok(lower)
    } else {
        Err(WebError::BadRequest(
            "a content address is a BLAKE3 hash of 64 hexadecimal characters".to_string(),
        ))
    }
}

pub(super) async fn rows_for(
    st: &AppState,
    blake3: &str,
) -> Result<Vec<crate::catalog::FileRow>, WebError> {
    let st = st.clone();
    let b3 = blake3.to_string();
    let rows =
        tokio::task::spawn_blocking(move || st.with_catalog(|c| c.files_by_blake3(&b3))).await??;
    if rows.is_empty() {
        return Err(WebError::NotFound(format!(
            "no file in this archive has the content {blake3}"
        )));
    }
    Ok(rows)
}

/// One file's records; `?lang=en` renders the reasons in English (Chinese by default, as the
/// page).
pub async fn record(
    State(st): State<AppState>,
    Path(blake3): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, WebError> {
    let lang = super::params::lang_of(raw.as_deref());
    let b3 = valid_hash(&blake3)?;
    let rows = rows_for(&st, &b3).await?;
    let files: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r.to_record(lang)).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), json!(r.id));
            }
            v
        })
        .collect();
    Ok(Json(json!({ "blake3": b3, "files": files })))
}

/// The last ledger built: valid while the catalog's data version and the columns asked for
/// (one prefecture's counties, or the prefectures) are the same.
pub(super) struct CachedLedger {
    data_version: i64,
    prefecture: Option<String>,
    counted: Counted,
    coverage: Arc<Coverage>,
}

/// The ledger over the catalog's present files. Building it reads every file's tagging, so
/// the last one is kept until the catalog changes (SQLite's `data_version` moves when another
/// connection, such as a running `archive index`, commits).
pub(super) async fn build_coverage(
    st: &AppState,
    prefecture: Option<&str>,
    counted: Counted,
) -> Result<std::sync::Arc<Coverage>, WebError> {
    let by = match prefecture {
        None => By::Prefecture,
        Some(p) => {
            let d = st
                .schema()
                .resolve_place(p)
                .filter(|d| d.level == Level::Prefecture)
                .ok_or_else(|| WebError::BadRequest(format!("{p:?} is not a prefecture; use a name such as 海东市 or a code such as 630200")))?;
            By::County(d.code.clone())
        }
    };
    let key = match &by {
        By::Prefecture => None,
        By::County(c) => Some(c.clone()),
    };
    let st = st.clone();
    let cov = tokio::task::spawn_blocking(move || -> crate::Result<std::sync::Arc<Coverage>> {
        let mut files = Vec::new();
        let version = st.with_catalog(|c| {
            let version: i64 = c
                .conn()
                .query_row("PRAGMA data_version", [], |r| r.get(0))
                .map_err(|e| crate::Error::Other(format!("catalog data version: {e}")))?;
            let cached = st.inner.coverage.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cached.as_ref() {
                if c.data_version == version && c.prefecture == key && c.counted == counted {
                    return Ok(Err(c.coverage.clone()));
                }
            }
            drop(cached);
            let rejected = crate::curate::collections::rejected_files(c)
                .map_err(|e| crate::Error::Other(e.to_string()))?;
            c.for_each_file(|row| {
                if row.status == crate::record::Status::Present {
                    let no = rejected.contains(&row.id);
                    files.push((row.tagging.unwrap_or_default(), no));
                }
                Ok(())
            })?;
            Ok(Ok(version))
        })?;
        let version = match version {
            Err(cached) => return Ok(cached),
            Ok(v) => v,
        };
        let cov = std::sync::Arc::new(Coverage::build_counted(st.schema(), &files, by, counted)?);
        *st.inner.coverage.lock().unwrap_or_else(|p| p.into_inner()) = Some(CachedLedger {
            data_version: version,
            prefecture: key,
            counted,
            coverage: cov.clone(),
        });
        Ok(cov)
    })
    .await??;
    Ok(cov)
}

pub async fn coverage(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, WebError> {
    let p = Params::parse(raw.as_deref())?;
    let cov = build_coverage(&st, p.prefecture.as_deref(), p.count.unwrap_or_default()).await?;
    Ok(Json(cov.to_json()))
}

pub async fn indicators(State(st): State<AppState>) -> Json<Value> {
    Json(json!({ "indicators": st.schema().indicators() }))
}

pub async fn places(State(st): State<AppState>) -> Json<Value> {
    let s = st.schema();
    let prefectures: Vec<Value> = s
        .prefectures()
        .into_iter()
        .map(|p| {
            let counties: Vec<Value> = s
                .counties_of(&p.code)
                .into_iter()
                .map(|c| json!({ "code": c.code, "name": c.name, "short_name": c.short_name, "facet": s.place_facet(&c.code) }))
                .collect();
            json!({ "code": p.code, "name": p.name, "short_name": p.short_name, "facet": s.place_facet(&p.code), "counties": counties })
        })
        .collect();
    Json(json!({ "prefectures": prefectures }))
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(total: usize) -> Arc<SearchResponse> {
        Arc::new(SearchResponse {
            total,
            offset: 0,
            limit: 20,
            hits: Vec::new(),
            facets: Default::default(),
        })
    }

    fn q(text: &str) -> SearchRequest {
        SearchRequest {
            query: text.to_string(),
            limit: 20,
            ..Default::default()
        }
    }

    #[test]
    fn result_cache_answers_only_for_the_same_index_state_and_forgets_the_least_used() {
        let cache = ResultCache::default();
        cache.put(1, q("a"), resp(7));
        assert_eq!(cache.get(1, &q("a")).map(|r| r.total), Some(7));
        assert!(cache.get(1, &q("b")).is_none());
        // The same words on another page are another request.
        assert!(cache
            .get(
                1,
                &SearchRequest {
                    offset: 20,
                    ..q("a")
                }
            )
            .is_none());
        // After the index changed, nothing from before is served.
        assert!(cache.get(2, &q("a")).is_none());
        cache.put(2, q("b"), resp(8));
        cache.put(2, q("c"), resp(9));
        assert!(cache.get(2, &q("a")).is_none());
        // "c" is asked for again while the cache fills, so "b" is the one that goes.
        for i in 0..CACHED_RESULTS.get() - 2 {
            cache.put(2, q(&format!("k{i}")), resp(i));
            assert!(cache.get(2, &q("c")).is_some());
        }
        cache.put(2, q("one more"), resp(0));
        assert!(
            cache.get(2, &q("b")).is_none(),
            "the least recently used goes first"
        );
        assert_eq!(cache.get(2, &q("c")).map(|r| r.total), Some(9));
        assert_eq!(cache.get(2, &q("k0")).map(|r| r.total), Some(0));
    }
}
