//! What an index run (and a retag) writes: roots, batches of files and their contents in one
//! transaction each, taggings, files gone missing, and the run log.

use std::path::Path;

use rusqlite::{params, OptionalExtension};

use super::read::excerpt;
use super::schema::EXTRACTOR_VERSION;
use super::stale::mark_stale;
use super::{now_rfc3339, Catalog};
use crate::extract::Facts;
use crate::tag::Tagging;
use crate::walk::display_path;
use crate::{Error, Result};

/// One file's result from the hash and extract stages, ready to be written.
#[derive(Debug, Clone)]
pub struct FileUpdate {
    pub root_id: i64,
    pub rel: Vec<u8>,
    pub rel_display: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub dev: u64,
    pub blake3: Option<String>,
    /// None when the blob was already catalogued (its facts are reused, not re-read). In the
    /// stored form ([`into_stored`]): the text is in `text`.
    pub facts: Option<Facts>,
    /// `facts` serialised as stored, when the writer did that beside tagging (in parallel);
    /// None: [`Catalog::write_batch`] serialises them.
    pub facts_json: Option<String>,
    /// Document text, stored apart from the facts.
    pub text: Option<String>,
    /// Problems reading this file (I/O, corrupt content), shown on its record.
    pub errors: Vec<crate::problem::Problem>,
    /// The file's tagging as JSON, when the run tags files as they are read (None keeps the
    /// stored one).
    pub tagging: Option<String>,
}

/// Facts as the catalog stores them: text moved out (kept in its own column, returned beside)
/// and a short excerpt in its place.
pub fn into_stored(mut facts: Facts) -> (Facts, Option<String>) {
    let text = facts.text.take();
    facts.excerpt = text.as_deref().map(|t| excerpt(t, 300));
    (facts, text)
}

impl Catalog {
    /// The id of an indexed root, registering it the first time.
    pub fn root_id(&self, root: &Path) -> Result<i64> {
        let bytes = &*crate::platform::path_bytes(root.as_os_str());
        if let Some(id) = self
            .conn
            .query_row("SELECT id FROM roots WHERE path=?1", [bytes], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
        {
            return Ok(id);
        }
        self.conn
            .execute(
                "INSERT INTO roots(path,display,added_at) VALUES(?1,?2,?3)",
                params![bytes, display_path(root.as_os_str()), now_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Write a batch of file results in one transaction. Returns each file's id, in order, and
    /// the time written as their last-seen time.
    pub fn write_batch(&mut self, updates: &[FileUpdate]) -> Result<(Vec<i64>, String)> {
        let now = now_rfc3339();
        let path = self.path.clone();
        let err = |source| Error::Catalog {
            path: path.clone(),
            cause: source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut ids = Vec::new();
        {
            let mut blob_stmt = tx
                .prepare_cached(
                    "INSERT INTO blobs(blake3,size,media,mime,facts,text,extractor,extracted_at)
                     VALUES(?1,?2,?3,?4,?5,?6,?7,?8)
                     ON CONFLICT(blake3) DO UPDATE SET media=excluded.media, mime=excluded.mime,
                       facts=excluded.facts, text=excluded.text, extractor=excluded.extractor,
                       extracted_at=excluded.extracted_at",
                )
                .map_err(err)?;
            let mut file_stmt = tx
                .prepare_cached(
                    "INSERT INTO files(root_id,rel,rel_display,blake3,size,mtime_ns,inode,dev,status,first_seen,last_seen,errors,tagging)
                     VALUES(?1,?2,?3,?4,?5,?6,?7,?8,'present',?9,?9,?10,?11)
                     ON CONFLICT(root_id,rel) DO UPDATE SET rel_display=excluded.rel_display,
                       blake3=excluded.blake3, size=excluded.size, mtime_ns=excluded.mtime_ns,
                       inode=excluded.inode, dev=excluded.dev, status='present',
                       last_seen=excluded.last_seen, errors=excluded.errors,
                       tagging=COALESCE(excluded.tagging, files.tagging)
                     RETURNING id",
                )
                .map_err(err)?;
            ids.reserve(updates.len());
            for u in updates {
                if let (Some(b3), Some(facts)) = (&u.blake3, &u.facts) {
                    let text = &u.text;
                    let serialised;
                    let facts_json = match &u.facts_json {
                        Some(j) => j,
                        None => {
                            serialised = serde_json::to_string(facts).expect("facts serialize");
                            &serialised
                        }
                    };
                    blob_stmt
                        .execute(params![
                            b3,
                            u.size as i64,
                            facts.media().as_str(),
                            facts.mime,
                            facts_json,
                            text,
                            EXTRACTOR_VERSION,
                            now
                        ])
                        .map_err(err)?;
                }
                let errors = serde_json::to_string(&u.errors).expect("errors serialize");
                let id: i64 = file_stmt
                    .query_row(
                        params![
                            u.root_id,
                            u.rel,
                            u.rel_display,
                            u.blake3,
                            u.size as i64,
                            u.mtime_ns,
                            u.inode as i64,
                            u.dev as i64,
                            now,
                            errors,
                            u.tagging
                        ],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                ids.push(id);
            }
            mark_stale(&tx, &ids).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok((ids, now))
    }

    /// Store taggings; the files whose tagging changed are marked stale (their search documents
    /// must be rebuilt) and returned.
    pub fn write_taggings(&mut self, taggings: &[(i64, Tagging)]) -> Result<Vec<i64>> {
        let path = self.path.clone();
        let err = |source| Error::Catalog {
            path: path.clone(),
            cause: source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut changed = Vec::new();
        {
            let mut st = tx
                .prepare_cached(
                    "UPDATE files SET tagging=?1 WHERE id=?2 AND (tagging IS NULL OR tagging<>?1)",
                )
                .map_err(err)?;
            for (id, t) in taggings {
                let json = serde_json::to_string(t).expect("tagging serialize");
                if st.execute(params![json, id]).map_err(err)? > 0 {
                    changed.push(*id);
                }
            }
            mark_stale(&tx, &changed).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(changed)
    }

    /// After a complete walk of a root: files not seen are missing (kept, with when they were
    /// last seen). Returns the newly missing count.
    ///
    /// The walk's time is recorded once for the root (meta `root_seen:ID`) instead of being
    /// written into every present file's row: that rewrote the whole files table on each run
    /// (100,000 rows for an unchanged re-index). A file that goes missing was present at the
    /// root's previous complete walk, so that time, or its own row's if later, is when it was
    /// last seen.
    pub fn finish_root(&mut self, root_id: i64, unseen: &[i64]) -> Result<usize> {
        let now = now_rfc3339();
        let key = format!("root_seen:{root_id}");
        let path = self.path.clone();
        let err = |source| Error::Catalog {
            path: path.clone(),
            cause: source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let previous: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key=?1", [&key], |r| r.get(0))
            .optional()
            .map_err(err)?;
        let newly = {
            let mut st = tx
                .prepare_cached(
                    "UPDATE files SET status='missing',
                       last_seen = CASE WHEN ?2 IS NOT NULL AND ?2 > last_seen THEN ?2 ELSE last_seen END
                     WHERE id=?1 AND status='present'",
                )
                .map_err(err)?;
            let mut gone = Vec::new();
            for id in unseen {
                if st.execute(params![id, previous]).map_err(err)? > 0 {
                    gone.push(*id);
                }
            }
            mark_stale(&tx, &gone).map_err(err)?;
            gone.len()
        };
        tx.execute(
            "INSERT INTO meta(key,value) VALUES(?1,?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            params![key, now],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(newly)
    }

    pub fn start_run(&self, kind: &str, roots: &[String]) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO runs(kind,started,roots) VALUES(?1,?2,?3)",
                params![kind, now_rfc3339(), serde_json::to_string(roots).unwrap()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn end_run(&self, run_id: i64, summary: &serde_json::Value) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET ended=?1, summary=?2 WHERE id=?3",
                params![now_rfc3339(), summary.to_string(), run_id],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}
