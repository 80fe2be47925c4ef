//! `archive publish`: the catalog's records streamed to a national OpenSearch/Elasticsearch
//! (`_bulk`) or Quickwit (NDJSON ingest) cluster, incrementally. The evidence stays in the
//! province; the cluster holds records, text and links back (docs/scale-out.md).
//!
//! Incremental by signature: after a batch is taken, each document's id and a hash of what it
//! said are kept in the catalog per target (`publish_state`). A rerun builds every document
//! again (cheap: ~tens of thousands per second), sends those whose hash differs, and deletes
//! (OpenSearch) or tombstones (Quickwit) the ids it sent before that no longer stand for a
//! present file. A per-file change sequence would have needed every writer of the catalog
//! (index, retag, curators' edits, captions) to bump it; the signature sees every change to
//! what is published, whoever made it. A run killed midway resumes after its last recorded
//! batch; a resend of the batch in flight is harmless, ids being stable.

pub mod payload;
pub mod send;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::params;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::i18n::{Lang, Msg};

pub use payload::{Links, DEFAULT_TEXT_CAP};
pub use send::{Auth, Target};

/// The engine a cluster runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// OpenSearch or Elasticsearch: `POST /_bulk`.
    #[value(name = "opensearch", alias = "elasticsearch")]
    OpenSearch,
    /// Quickwit: `POST /api/v1/<index>/ingest`.
    Quickwit,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{url}: {last}")]
    Unreachable { url: String, last: String },
    #[error("{url}: HTTP {status}: {body}")]
    Refused {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{path}: {why}")]
    Out { path: PathBuf, why: String },
    #[error("catalog: {0}")]
    Catalog(#[from] crate::Error),
    #[error("catalog: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl PublishError {
    /// The message in one language.
    pub fn localized(&self, l: Lang) -> String {
        match self {
            PublishError::Unreachable { url, last } => {
                l.fill(Msg::PublishUnreachable, &[("url", url), ("last", last)])
            }
            PublishError::Refused { url, status, body } => l.fill(
                Msg::PublishRefused,
                &[
                    ("url", url),
                    ("status", &status.to_string()),
                    ("body", body),
                ],
            ),
            PublishError::Out { path, why } => l.fill(
                Msg::PublishBadOut,
                &[("path", &path.display().to_string()), ("why", why)],
            ),
            other => other.to_string(),
        }
    }
}

/// What to publish where.
#[derive(Debug, Clone)]
pub struct Options {
    /// None for a dry run without a cluster in mind (everything counts as new).
    pub target: Option<Target>,
    pub engine: Engine,
    pub index: String,
    pub province: String,
    pub links: Links,
    pub text_cap: usize,
    /// Bytes per request at most (OpenSearch takes up to 100 MB by default and recommends 5–15;
    /// Quickwit's ingest API up to 10 MB).
    pub batch_bytes: usize,
    /// Write the payloads here instead of sending them; nothing is recorded as published.
    pub dry_run: Option<PathBuf>,
    /// First wait between retries (doubles each time).
    pub backoff: Duration,
}

impl Options {
    /// A failed write of the dry run's file.
    fn out_error(&self, e: std::io::Error) -> PublishError {
        PublishError::Out {
            path: self.dry_run.clone().unwrap_or_default(),
            why: e.to_string(),
        }
    }

    /// The state key: the same cluster and index is one target whoever runs the command.
    fn state_key(&self) -> String {
        match &self.target {
            Some(t) => format!(
                "{:?}|{}|{}|{}",
                self.engine,
                t.url.trim_end_matches('/'),
                self.index,
                self.province
            ),
            None => String::new(),
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub engine: String,
    pub index: String,
    pub province: String,
    pub dry_run: bool,
    pub records: u64,
    pub sent: u64,
    pub deleted: u64,
    pub unchanged: u64,
    pub refused: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_refusal: Option<String>,
    pub batches: u64,
    pub retries: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub records_per_s: f64,
}

/// One action waiting in a batch: the id, and the signature to record once it is taken (None
/// for a delete).
struct Pending {
    id: String,
    sig: Option<String>,
}

pub fn ensure_tables(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS publish_state(
            target TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            sig TEXT NOT NULL,
            PRIMARY KEY(target, doc_id)
        ) WITHOUT ROWID;",
    )
}

/// Publish the catalog's present files (and the removal of those gone) to the target.
pub fn publish(catalog: &Catalog, opts: &Options) -> Result<Summary, PublishError> {
    let started = Instant::now();
    let conn = catalog.conn();
    ensure_tables(conn)?;
    let key = opts.state_key();
    let mut known: FxHashMap<String, String> = FxHashMap::default();
    if opts.target.is_some() {
        let mut st = conn.prepare("SELECT doc_id, sig FROM publish_state WHERE target = ?1")?;
        let rows = st.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for r in rows {
            let (id, sig) = r?;
            known.insert(id, sig);
        }
    }
    let mut summary = Summary {
        engine: format!("{:?}", opts.engine).to_lowercase(),
        index: opts.index.clone(),
        province: opts.province.clone(),
        dry_run: opts.dry_run.is_some(),
        ..Summary::default()
    };
    let out: Box<dyn Write> = match &opts.dry_run {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| opts.out_error(e))?,
        )),
        None => Box::new(std::io::sink()),
    };
    let sender = match (&opts.target, &opts.dry_run) {
        (Some(t), None) => Some(send::Sender::new(t.clone(), opts.backoff)),
        _ => None,
    };
    let mut p = Publisher {
        batch: Batch::default(),
        summary: &mut summary,
        out,
        sender,
        conn,
        key: &key,
        opts,
    };
    catalog.for_each_present_with_text(|row, text| {
        p.summary.records += 1;
        let (id, doc) = payload::document(
            &row,
            text.as_deref(),
            &opts.province,
            &opts.links,
            opts.text_cap,
        );
        let sig = payload::signature(&doc);
        // What is left in `known` after the walk stands for no present file: deleted below.
        if known.remove(&id).as_ref() == Some(&sig) {
            p.summary.unchanged += 1;
            return Ok(());
        }
        payload::upsert_lines(opts.engine, &opts.index, &id, &doc, &mut p.batch.body);
        p.queued(Pending { id, sig: Some(sig) })
    })?;
    for id in known.into_keys() {
        payload::delete_lines(
            opts.engine,
            &opts.index,
            &id,
            &opts.province,
            &mut p.batch.body,
        );
        p.queued(Pending { id, sig: None })?;
    }
    p.flush()?;
    p.out.flush().map_err(|e| opts.out_error(e))?;
    summary.seconds = started.elapsed().as_secs_f64();
    summary.records_per_s = summary.records as f64 / summary.seconds.max(1e-6);
    Ok(summary)
}

#[derive(Default)]
struct Batch {
    body: Vec<u8>,
    pending: Vec<Pending>,
}

/// The batch being filled, and where it goes.
struct Publisher<'a> {
    batch: Batch,
    summary: &'a mut Summary,
    out: Box<dyn Write>,
    sender: Option<send::Sender>,
    conn: &'a rusqlite::Connection,
    key: &'a str,
    opts: &'a Options,
}

impl Publisher<'_> {
    /// One action's lines were added to the batch: send it once it is full.
    fn queued(&mut self, p: Pending) -> Result<(), PublishError> {
        self.batch.pending.push(p);
        if self.batch.body.len() >= self.opts.batch_bytes {
            self.flush()?;
        }
        Ok(())
    }

    /// Send (or write) the batch, then record what the engine took, in one transaction.
    fn flush(&mut self) -> Result<(), PublishError> {
        let (batch, summary) = (&mut self.batch, &mut *self.summary);
        if batch.pending.is_empty() {
            return Ok(());
        }
        summary.batches += 1;
        summary.bytes += batch.body.len() as u64;
        let taken = match &self.sender {
            Some(s) => {
                let o = s.send(&batch.body, batch.pending.len())?;
                summary.retries += u64::from(o.retries);
                if summary.first_refusal.is_none() {
                    summary.first_refusal = o.first_refusal;
                }
                o.taken
            }
            None => {
                self.out
                    .write_all(&batch.body)
                    .map_err(|e| self.opts.out_error(e))?;
                vec![true; batch.pending.len()]
            }
        };
        // A dry run records nothing: the next real run sends everything.
        let record = self.sender.is_some();
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO publish_state(target, doc_id, sig) VALUES (?1, ?2, ?3)
                 ON CONFLICT(target, doc_id) DO UPDATE SET sig = excluded.sig",
            )?;
            let mut del =
                tx.prepare_cached("DELETE FROM publish_state WHERE target = ?1 AND doc_id = ?2")?;
            for (p, ok) in batch.pending.iter().zip(&taken) {
                if !ok {
                    summary.refused += 1;
                    continue;
                }
                match &p.sig {
                    Some(sig) => {
                        summary.sent += 1;
                        if record {
                            put.execute(params![self.key, p.id, sig])?;
                        }
                    }
                    None => {
                        summary.deleted += 1;
                        if record {
                            del.execute(params![self.key, p.id])?;
                        }
                    }
                }
            }
        }
        tx.commit()?;
        batch.body.clear();
        batch.pending.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
