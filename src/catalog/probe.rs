//! The reading workers' question "are this content's facts already catalogued?", answered
//! through a read-only connection per thread beside the single writer.

use std::path::PathBuf;

use rusqlite::{params, Connection};

use super::schema::EXTRACTOR_VERSION;
use super::Catalog;

/// Answers "are this content's facts already catalogued?" for one worker thread, through its
/// own read-only connection opened on first use. Loading every known hash up front cost an
/// unchanged re-index of 100,000 files a scan of the whole blobs table (facts and text
/// included) for nothing; a primary-key lookup per file read costs microseconds. A blob written
/// by this run's uncommitted batch is not seen yet: its facts are extracted twice, no harm.
pub struct BlobProbe {
    path: PathBuf,
    conn: Option<Connection>,
    /// The catalog held no content when the run started (a first index): nothing can be
    /// known, and asking SQLite for each file was a fifth of reading small photos. A content
    /// met twice in such a run is extracted twice, which is only slower.
    none_before: bool,
}

impl BlobProbe {
    /// Another probe on the same catalog, with its own connection (one per thread).
    pub fn fresh(&self) -> BlobProbe {
        BlobProbe {
            path: self.path.clone(),
            conn: None,
            none_before: self.none_before,
        }
    }

    /// True when `blake3` has facts from the current extractors. Any database error answers
    /// false: the file is then simply extracted again.
    pub fn known(&mut self, blake3: &str) -> bool {
        if self.none_before {
            return false;
        }
        if self.conn.is_none() {
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            match Connection::open_with_flags(&self.path, flags) {
                Ok(c) => {
                    let _ = c.busy_timeout(std::time::Duration::from_secs(10));
                    self.conn = Some(c);
                }
                Err(e) => {
                    tracing::debug!("blob probe: cannot open {}: {e}", self.path.display());
                    return false;
                }
            }
        }
        let Some(conn) = &self.conn else { return false };
        let found = conn
            .prepare_cached("SELECT 1 FROM blobs WHERE blake3=?1 AND extractor >= ?2")
            .and_then(|mut st| st.exists(params![blake3, EXTRACTOR_VERSION]));
        found.unwrap_or(false)
    }
}

impl Catalog {
    /// A probe for worker threads: is some content already catalogued with current extractors?
    pub fn blob_probe(&self) -> BlobProbe {
        let none_before = self
            .conn
            .prepare_cached("SELECT 1 FROM blobs LIMIT 1")
            .and_then(|mut st| st.exists([]))
            .map(|any| !any)
            .unwrap_or(false);
        BlobProbe {
            path: self.path.clone(),
            conn: None,
            none_before,
        }
    }
}
