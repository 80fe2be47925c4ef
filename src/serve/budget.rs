//! A budget for expensive requests (issue 20, finding 14): one 1,000-character random CJK
//! query costs about a second of CPU, and nothing stopped one client from sending them by the
//! dozen and taking the two cores from every inspector.
//!
//! Each client address may run [`ServeConfig::searches_per_client`] searches at once; one
//! more is answered 503 at once. A search that runs past [`ServeConfig::search_timeout`] is
//! answered 503 too, but its work goes on to the end (tantivy cannot be interrupted) and keeps
//! the client's slot until it does, so waiting out the timeout frees nothing: the client's CPU
//! share stays bounded either way. Requests without a known address (a test calling the router
//! directly) get the time cap only.
//!
//! [`ServeConfig::searches_per_client`]: crate::config::ServeConfig::searches_per_client
//! [`ServeConfig::search_timeout`]: crate::config::ServeConfig::search_timeout

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::i18n::{Lang, Msg};

/// Searches running per client address.
pub struct SearchBudget {
    per_client: usize,
    timeout: Duration,
    running: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One running search of one client; the slot is given back when it is dropped.
pub struct Slot {
    ip: IpAddr,
    running: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                // Nothing kept for idle clients: the map holds only addresses with work running.
                map.remove(&self.ip);
            }
        }
    }
}

/// Why a search was not answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The client already runs its share of searches.
    Busy,
    /// The search ran past the time cap.
    TooSlow,
}

impl SearchBudget {
    pub fn new(per_client: usize, timeout: Duration) -> SearchBudget {
        SearchBudget {
            per_client: per_client.max(1),
            timeout,
            running: Arc::default(),
        }
    }

    /// A slot for `ip`, or `None` while it runs its share already.
    pub fn take(&self, ip: IpAddr) -> Option<Slot> {
        let mut map = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= self.per_client {
            return None;
        }
        *n += 1;
        Some(Slot {
            ip,
            running: Arc::clone(&self.running),
        })
    }

    /// Run `work` within the budget of `ip` (the time cap only when the address is unknown).
    /// The work runs as its own task holding the slot, so an answer given up on still counts
    /// against the client until the work ends.
    pub async fn run<F>(&self, ip: Option<IpAddr>, work: F) -> Result<F::Output, Refused>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let slot = match ip {
            Some(ip) => Some(self.take(ip).ok_or(Refused::Busy)?),
            None => None,
        };
        let task = tokio::spawn(async move {
            let out = work.await;
            drop(slot);
            out
        });
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(out)) => Ok(out),
            // The work panicked: that is the handler's failure, answered as such below.
            Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(Refused::TooSlow),
        }
    }

    fn limits(&self) -> (usize, u64) {
        (self.per_client, self.timeout.as_secs().max(1))
    }
}

/// The requests that run a search for anyone who asks: the search page and the search API.
/// ("Add all results" searches too, but only for curators, and cutting it short would leave
/// the change half-reported.)
fn is_search(path: &str) -> bool {
    matches!(path, "/" | "/api/search")
}

/// The middleware: searches run within their client's budget, everything else as it comes.
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !is_search(req.uri().path()) {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let api = req.uri().path().starts_with("/api/");
    let budget = &st.inner.budget;
    match budget.run(ip, next.run(req)).await {
        Ok(res) => res,
        Err(why) => {
            let (n, secs) = budget.limits();
            tracing::warn!("search refused for {ip:?}: {why:?}");
            busy(api, n, secs)
        }
    }
}

/// 503 with a `Retry-After`, in Chinese and English (the language of a refused request is not
/// worth parsing for).
fn busy(api: bool, n: usize, secs: u64) -> Response {
    let args: [(&str, &dyn std::fmt::Display); 2] = [("n", &n), ("secs", &secs)];
    let zh = Lang::Zh.fill(Msg::ServeBusy, &args);
    let en = Lang::En.fill(Msg::ServeBusy, &args);
    let mut res = if api {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "error": format!("{zh} / {en}") })),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{zh}\n{en}\n"),
        )
            .into_response()
    };
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 8));

    #[test]
    fn each_address_has_its_own_share() {
        let b = SearchBudget::new(2, Duration::from_secs(5));
        let one = b.take(A).unwrap();
        let _two = b.take(A).unwrap();
        assert!(b.take(A).is_none(), "a third at once is refused");
        assert!(b.take(B).is_some(), "another client is not held up");
        drop(one);
        assert!(b.take(A).is_some(), "a finished search frees its slot");
    }

    #[tokio::test]
    async fn a_slow_search_is_answered_503_and_keeps_its_slot_until_it_ends() {
        let b = SearchBudget::new(1, Duration::from_millis(50));
        let quick = b.run(Some(A), async { 7 }).await;
        assert_eq!(quick, Ok(7));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let slow = b.run(Some(A), async move {
            let _ = rx.await;
        });
        assert_eq!(slow.await, Err(Refused::TooSlow));
        assert_eq!(
            b.run(Some(A), async { 1 }).await,
            Err(Refused::Busy),
            "the abandoned search still runs and still counts"
        );
        assert_eq!(
            b.run(None, async { 2 }).await,
            Ok(2),
            "no address: time cap only"
        );
        tx.send(()).unwrap();
        for _ in 0..100 {
            if b.take(A).is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the slot was not given back when the search ended");
    }

    #[test]
    fn the_refusal_says_why_in_both_languages() {
        let res = busy(true, 4, 10);
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "10");
    }
}
