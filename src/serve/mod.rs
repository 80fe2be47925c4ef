//! Stage 7: the inspectors' search page and the JSON API (axum).
//!
//! Inspectors sit at the provincial office with a browser: they search in Chinese, narrow by
//! prefecture, indicator, date and flags, look at photos and check the coverage ledger. The
//! page is rendered on the server (plain HTML and CSS, one small script, all embedded in the
//! binary: no build step, works offline) so every state is a URL that can be bookmarked, and
//! the API under `/api/` answers the same questions as JSON.
//!
//! Security decisions (see `docs/serve.md`): loopback by default; originals and thumbnails are
//! addressed by BLAKE3 only and the file-system path always comes from the catalog, never from
//! the request; every user or file text is HTML-escaped; errors never show internals.

mod api;
pub mod auth;
pub mod budget;
mod curate;
mod error;
mod files;
mod pages;
mod params;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::index::SearchIndex;
use crate::schema::Schema;

pub use error::WebError;

/// How often, at most, the searcher looks for a newer commit of the index (a running
/// `archive index` commits while the page is served).
const RELOAD_EVERY: Duration = Duration::from_secs(2);

/// Everything a request needs, shared by all requests (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: Config,
    schema: Arc<Schema>,
    index: SearchIndex,
    /// rusqlite connections are not `Sync`; catalog reads are short, so one behind a lock is enough.
    catalog: Mutex<Catalog>,
    /// Recent search results, for the same request against the same index state.
    results: api::ResultCache,
    map: pages::MapGeometry,
    last_reload: Mutex<Instant>,
    /// Thumbnails decoded at once: each may take up to `thumb::MAX_DECODE_BYTES`, and a grid
    /// asks for dozens together.
    thumb_slots: tokio::sync::Semaphore,
    /// Answer only requests addressed to this machine by a loopback name (see [`host_guard`]).
    loopback_only: bool,
    /// Reading without signing in, although users exist ([`AppState::public_read`]).
    public_read: bool,
    /// The last ledger built, keyed by the catalog's data version and the columns asked for.
    coverage: Mutex<Option<api::CachedLedger>>,
    /// Sign-ins, CSRF tokens and the configured users.
    sessions: auth::Sessions,
    /// Searches running per client address, and their time cap.
    budget: budget::SearchBudget,
}

impl AppState {
    /// Open the archive folder of `cfg` (catalog, index, vocabulary) for serving.
    pub fn open(cfg: Config) -> crate::Result<AppState> {
        let schema = Arc::new(cfg.schema()?);
        AppState::with_schema(cfg, schema)
    }

    /// The same with a vocabulary already loaded (it takes a while to load in debug builds).
    pub fn with_schema(cfg: Config, schema: Arc<Schema>) -> crate::Result<AppState> {
        let catalog = Catalog::open_existing(&cfg.archive_dir)?;
        let index = SearchIndex::open(&cfg.index_dir())?;
        let map = pages::MapGeometry::new(&schema);
        let budget =
            budget::SearchBudget::new(cfg.serve.searches_per_client, cfg.serve.search_timeout);
        let sessions =
            auth::Sessions::new(cfg.users.clone()).with_single_session(cfg.serve.single_session);
        Ok(AppState {
            inner: Arc::new(Inner {
                cfg,
                schema,
                index,
                catalog: Mutex::new(catalog),
                results: api::ResultCache::default(),
                map,
                last_reload: Mutex::new(Instant::now()),
                thumb_slots: tokio::sync::Semaphore::new(
                    std::thread::available_parallelism()
                        .map(|n| n.get())
                        .unwrap_or(2)
                        .clamp(1, 4),
                ),
                loopback_only: true,
                public_read: false,
                coverage: Mutex::new(None),
                sessions,
                budget,
            }),
        })
    }

    /// Let anyone who reaches the server search, read records and download originals without
    /// signing in, although users exist (a kiosk in the office's hall). Curation still needs a
    /// sign-in. Call before the state is shared.
    pub fn public_read(mut self) -> AppState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.public_read = true;
        }
        self
    }

    /// Accept requests for any host name (the server is bound to an address other machines
    /// reach, on purpose). Call before the state is shared.
    pub fn allowing_remote(mut self) -> AppState {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.loopback_only = false;
        }
        self
    }

    pub fn config(&self) -> &Config {
        &self.inner.cfg
    }

    pub fn schema(&self) -> &Schema {
        &self.inner.schema
    }

    fn index(&self) -> &SearchIndex {
        let mut last = self
            .inner
            .last_reload
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if last.elapsed() >= RELOAD_EVERY {
            if let Err(e) = self.inner.index.reader.reload() {
                tracing::warn!("search index reload failed, serving the previous state: {e}");
            }
            *last = Instant::now();
        }
        &self.inner.index
    }

    /// Search the index as the page's own change left it (a flag settled, a tag set), without
    /// waiting for the next periodic reload: the counts the user returns to must show it.
    fn reload_index(&self) {
        if let Err(e) = self.inner.index.reader.reload() {
            tracing::warn!("search index reload failed, serving the previous state: {e}");
        }
        *self
            .inner
            .last_reload
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// Run `f` with the catalog. A poisoned lock (a panic in another request) is recovered:
    /// readers cannot leave the connection inconsistent.
    fn with_catalog<T>(&self, f: impl FnOnce(&Catalog) -> crate::Result<T>) -> crate::Result<T> {
        let cat = self.inner.catalog.lock().unwrap_or_else(|p| p.into_inner());
        f(&cat)
    }

    /// The same for a change that needs the catalog mutably (re-deriving tags).
    fn with_catalog_mut<T>(
        &self,
        f: impl FnOnce(&mut Catalog) -> crate::Result<T>,
    ) -> crate::Result<T> {
        let mut cat = self.inner.catalog.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut cat)
    }

    /// Run a curation operation with the catalog; its error mapped to a status.
    fn with_curation<T, E: Into<WebError>>(
        &self,
        f: impl FnOnce(&Catalog) -> Result<T, E>,
    ) -> Result<T, WebError> {
        let cat = self.inner.catalog.lock().unwrap_or_else(|p| p.into_inner());
        f(&cat).map_err(Into::into)
    }

    /// Whether sign-in is in force (some user is configured).
    pub fn has_users(&self) -> bool {
        self.inner.sessions.has_users()
    }

    /// Re-read the users from `config.toml` after the users page changed them.
    fn reload_users(&self) {
        match crate::curate::users::load(&self.inner.cfg.archive_dir) {
            Ok(u) => self.inner.sessions.set_users(u),
            Err(e) => tracing::warn!("could not re-read the users: {e}"),
        }
    }
}

/// The whole application: pages, API, originals and thumbnails.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::search_page))
        .route("/record/{blake3}", get(pages::record_page))
        .route("/ledger", get(pages::ledger_page))
        .route("/ledger.xlsx", get(pages::ledger_xlsx))
        .route("/ledger.csv", get(pages::ledger_csv))
        .route("/problems", get(pages::problems_page))
        .route("/score", get(pages::score_page))
        .route("/problems/{id}", get(pages::problem_page))
        .route("/static/style.css", get(pages::style_css))
        .route("/static/app.js", get(pages::app_js))
        .route("/static/review.js", get(pages::review_js))
        .route("/static/slideshow.js", get(pages::slideshow_js))
        .route("/present", get(pages::present_page))
        .route("/favicon.ico", get(files::favicon))
        .route("/file/{blake3}", get(files::original))
        .route("/thumb/{blake3}", get(files::thumb))
        .route("/api/search", get(api::search))
        .route("/api/record/{blake3}", get(api::record))
        .route("/api/coverage", get(api::coverage))
        .route("/api/schema/indicators", get(api::indicators))
        .route("/api/schema/places", get(api::places))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/session", get(curate::api_session))
        .route("/api/collections", get(curate::api_collections))
        .route("/api/collections/{name}", get(curate::api_collection))
        .route("/login", get(curate::login_form).post(curate::login))
        .route("/logout", post(curate::logout))
        .route(
            "/collections",
            get(curate::collections_page).post(curate::create_collection),
        )
        .route("/collections/add", post(curate::add_from_page))
        .route("/collections/{name}", get(curate::collection_page))
        .route(
            "/collections/{name}/{action}",
            post(curate::collection_action),
        )
        .route("/record/{blake3}/tag", post(curate::retag))
        .route("/record/{blake3}/flag", post(curate::flag_action))
        .route("/record/{blake3}/caption", post(curate::caption_action))
        .route("/record/{blake3}/problem", post(curate::link_to_problem))
        .route("/problems/link", post(curate::link_results_to_problem))
        .route("/users", get(curate::users_page).post(curate::add_user))
        .route("/users/remove", post(curate::remove_user))
        .fallback(error::not_found)
        // Inside the sign-in check: an anonymous request is refused before it costs a search.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            budget::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            host_guard,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Headers every answer carries: no MIME sniffing (a text file is never run as HTML), no
/// scripts but our own, no referrer leaking search words to other sites.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
    ));
    res
}

/// A loopback server is still reachable from any web page the inspector opens, through DNS
/// rebinding (evil.example resolving to 127.0.0.1). Such requests carry the attacker's host
/// name, so a loopback server answers only requests whose `Host` is a loopback name.
async fn host_guard(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if st.inner.loopback_only {
        if let Some(host) = req.headers().get(header::HOST) {
            let host = host.to_str().unwrap_or("");
            if !is_loopback_host(host) {
                return WebError::Forbidden(format!(
                    "this archive answers only at a loopback address such as http://127.0.0.1/, not at {host:?}"
                ))
                .into_response();
            }
        }
    }
    next.run(req).await
}

/// `127.0.0.1:8080`, `localhost`, `[::1]:8080`, `127.1.2.3`.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether an address only this machine can reach.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// How long open connections may take to finish their requests once shutdown is asked for.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve on an already bound listener until Ctrl-C (or `shutdown` resolves).
///
/// The accept loop is our own rather than `axum::serve`, which has no header-read timeout:
/// 1,100 half-open connections stayed open against it (issue 20, finding 14). hyper's HTTP/1
/// connection (what `axum::serve` spoke too; HTTP/2 would add a crate for nothing behind an
/// office proxy) closes a client that has not sent its headers within `[serve]
/// header_timeout_secs`. The client's address is put into each request as `ConnectInfo`
/// (sign-in throttling and the search budget count per address), and shutdown stops
/// accepting, lets open requests finish for up to [`DRAIN_TIMEOUT`], then returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};

    crate::index::tokenizer::warm_up();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.config().serve.header_timeout)
        .keep_alive(true);
    let router = app(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning, as
                    // axum::serve does.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            tower::ServiceExt::oneshot(router.clone(), req)
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // A client that went away or was too slow with its headers: not our failure.
                tracing::debug!("connection from {addr} ended: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM: the usual way to stop `archive serve`.
pub async fn ctrl_c() {
    let int = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = int.await;
                    return;
                }
            };
        tokio::select! {
            _ = int => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = int.await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_host_names() {
        for h in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost:1",
            "LOCALHOST",
            "[::1]:80",
            "[::1]",
            "app.localhost:3",
            "127.9.9.9",
        ] {
            assert!(super::is_loopback_host(h), "{h}");
        }
        for h in [
            "evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.1:80",
            "[2001:db8::1]:80",
            "",
            "localhost.evil.example",
        ] {
            assert!(!super::is_loopback_host(h), "{h}");
        }
    }
}
