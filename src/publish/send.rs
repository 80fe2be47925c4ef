//! Sending NDJSON batches to an engine: authentication, retries with backoff on 429 and 5xx,
//! and reading OpenSearch's per-item answers so that only what was taken counts as published.

use std::time::Duration;

use serde_json::Value;

use super::{Engine, PublishError};

/// How to reach the engine.
#[derive(Debug, Clone)]
pub struct Target {
    pub engine: Engine,
    /// The engine's base URL, e.g. `https://search.example:9200`.
    pub url: String,
    pub index: String,
    pub auth: Auth,
}

/// Credentials sent with every request (never written to the catalog or the log).
#[derive(Debug, Clone, Default)]
pub enum Auth {
    #[default]
    None,
    Basic {
        user: String,
        password: String,
    },
    /// `Authorization: ApiKey …` (OpenSearch/Elasticsearch API keys) or a bearer token
    /// (Quickwit behind a gateway).
    ApiKey(String),
    Bearer(String),
}

/// Tries per batch before the run stops (the first and five retries: 1, 2, 4, 8, 16 s apart).
const TRIES: u32 = 6;

/// What became of one batch.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Per action in the batch, in order: whether the engine took it.
    pub taken: Vec<bool>,
    /// The first refusal the engine gave for an action, to show the user.
    pub first_refusal: Option<String>,
    pub retries: u32,
}

pub struct Sender {
    agent: ureq::Agent,
    target: Target,
    /// Seconds between retries start here (tests set it to 0).
    backoff: Duration,
}

impl Sender {
    pub fn new(target: Target, backoff: Duration) -> Sender {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        Sender {
            agent,
            target,
            backoff,
        }
    }

    fn endpoint(&self) -> String {
        let base = self.target.url.trim_end_matches('/');
        match self.target.engine {
            Engine::OpenSearch => format!("{base}/_bulk"),
            Engine::Quickwit => format!("{base}/api/v1/{}/ingest", self.target.index),
        }
    }

    /// Send one batch of `actions` actions; retried as a whole on 429, 5xx and network errors,
    /// and, for OpenSearch, the items refused with 429 or 5xx are counted as not taken (the
    /// next run sends them again: ids are stable, so a resend is harmless).
    pub fn send(&self, body: &[u8], actions: usize) -> Result<Outcome, PublishError> {
        let url = self.endpoint();
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 0..TRIES {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = (wait * 2).max(Duration::from_millis(1));
            }
            let mut req = self
                .agent
                .post(&url)
                .header("Content-Type", "application/x-ndjson");
            req = match &self.target.auth {
                Auth::None => req,
                Auth::Basic { user, password } => {
                    use base64::Engine as _;
                    let token = base64::engine::general_purpose::STANDARD
                        .encode(format!("{user}:{password}"));
                    req.header("Authorization", format!("Basic {token}"))
                }
                Auth::ApiKey(k) => req.header("Authorization", format!("ApiKey {k}")),
                Auth::Bearer(t) => req.header("Authorization", format!("Bearer {t}")),
            };
            let resp = match req.send(body) {
                Ok(r) => r,
                Err(e) => {
                    last = e.to_string();
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let text = resp.into_body().read_to_string().unwrap_or_default();
            if status == 429 || status >= 500 {
                last = format!("HTTP {status}: {}", one_line(&text));
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(PublishError::Refused {
                    url,
                    status,
                    body: one_line(&text),
                });
            }
            let mut out = match self.target.engine {
                Engine::OpenSearch => bulk_outcome(&text, actions),
                Engine::Quickwit => Outcome {
                    taken: vec![true; actions],
                    ..Outcome::default()
                },
            };
            out.retries = attempt;
            return Ok(out);
        }
        Err(PublishError::Unreachable { url, last })
    }
}

/// OpenSearch's `_bulk` answer: `errors` says whether any item failed; each item's status says
/// which. A delete of a document the engine does not have (404) is what was wanted.
fn bulk_outcome(text: &str, actions: usize) -> Outcome {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if v.get("errors") == Some(&Value::Bool(false)) {
        return Outcome {
            taken: vec![true; actions],
            ..Outcome::default()
        };
    }
    let items = v.get("items").and_then(Value::as_array);
    let mut out = Outcome {
        taken: vec![false; actions],
        ..Outcome::default()
    };
    for (i, item) in items.into_iter().flatten().enumerate().take(actions) {
        let Some((kind, result)) = item.as_object().and_then(|m| m.iter().next()) else {
            continue;
        };
        let status = result.get("status").and_then(Value::as_u64).unwrap_or(0);
        let ok = (200..300).contains(&status) || (kind == "delete" && status == 404);
        out.taken[i] = ok;
        if !ok && out.first_refusal.is_none() {
            out.first_refusal = Some(format!(
                "{kind} {status}: {}",
                one_line(
                    &result
                        .get("error")
                        .map(Value::to_string)
                        .unwrap_or_default()
                )
            ));
        }
    }
    out
}

/// An engine's answer shortened to one line for a message.
fn one_line(s: &str) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_items_refused_are_not_counted_and_a_missing_delete_is_fine() {
        let text = r#"{"took":3,"errors":true,"items":[
            {"index":{"_id":"a","status":201}},
            {"index":{"_id":"b","status":429,"error":{"type":"es_rejected_execution_exception"}}},
            {"delete":{"_id":"c","status":404}},
            {"index":{"_id":"d","status":400,"error":{"type":"mapper_parsing_exception"}}}]}"#;
        let o = bulk_outcome(text, 4);
        assert_eq!(o.taken, [true, false, true, false]);
        assert!(o
            .first_refusal
            .unwrap()
            .contains("es_rejected_execution_exception"));
        let o = bulk_outcome(r#"{"errors":false,"items":[]}"#, 3);
        assert_eq!(o.taken, [true, true, true]);
    }
}
