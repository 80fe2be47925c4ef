//! Stage 5: catalog. SQLite (WAL) at `ARCHIVE/catalog.sqlite` is the source of truth: roots,
//! files (paths as exact bytes), blobs (content by BLAKE3, with extracted facts and text),
//! index runs, tags, flags and manual edits. The search index is derived from it.
//!
//! Only one writer exists per run; it batches rows into transactions, so an interrupted run
//! leaves every committed batch consistent and the next run picks up from there.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::extract::Facts;
use crate::record::{Media, Record, Status};
use crate::tag::{ManualTag, TagKind, Tagging};
use crate::walk::{display_path, hex};
use crate::{Error, Result};

const SCHEMA_VERSION: i64 = 2;

/// Bumped when extractors learn to read more, so that `archive index --reextract` knows what is stale.
pub const EXTRACTOR_VERSION: i64 = 1;

const DDL: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roots(
    id INTEGER PRIMARY KEY,
    path BLOB NOT NULL UNIQUE,
    display TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs(
    blake3 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    media TEXT NOT NULL,
    mime TEXT NOT NULL,
    facts TEXT NOT NULL,
    text TEXT,
    extractor INTEGER NOT NULL,
    extracted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files(
    id INTEGER PRIMARY KEY,
    root_id INTEGER NOT NULL REFERENCES roots(id),
    rel BLOB NOT NULL,
    rel_display TEXT NOT NULL,
    blake3 TEXT,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    dev INTEGER NOT NULL,
    status TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    errors TEXT NOT NULL DEFAULT '[]',
    tagging TEXT,
    UNIQUE(root_id, rel)
);
-- Status too, so that finding the contents several present files share reads only this index.
CREATE INDEX IF NOT EXISTS files_content ON files(blake3, status);
-- Covers the walk's snapshot (what a re-index compares each file with), so that reading it does
-- not page through every row's tagging JSON.
CREATE INDEX IF NOT EXISTS files_walk ON files(root_id, rel, size, mtime_ns, inode, status, blake3);
-- Files whose search document is out of date, in the order they became so (a file may be
-- listed more than once). Entries are deleted up to a sequence number once the index holding
-- their documents is committed, so entries added meanwhile (by the server) stay. A column on
-- files did this before (format 1); clearing it rewrote every indexed file's row.
CREATE TABLE IF NOT EXISTS stale(seq INTEGER PRIMARY KEY, file_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    roots TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS manual_tags(
    file_id INTEGER NOT NULL REFERENCES files(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY(file_id, kind)
);
";

/// The state of a catalogued file that incremental indexing compares against.
#[derive(Debug, Clone)]
pub struct Known {
    pub id: i64,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub status: Status,
    pub blake3: Option<String>,
}

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
    pub errors: Vec<String>,
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

/// The defaults a row read back from the catalog gets for facts that lack them.
pub(crate) fn fill_facts(facts: &mut Facts, media: Option<&str>, mime: Option<String>) {
    if facts.media.is_none() {
        facts.media = media.and_then(Media::parse);
    }
    if facts.mime.is_empty() {
        facts.mime = mime.unwrap_or_else(|| "application/octet-stream".into());
    }
}

pub struct Catalog {
    conn: Connection,
    path: PathBuf,
    checkpointer: Option<Checkpointer>,
}

/// A thread with its own connection that copies the write-ahead log into the database file
/// while an index run writes. Without it the writer stopped every 1,000 pages to do the copy
/// itself (8 % of indexing 5,000 photos, all on the run's one serial thread); SQLite lets a
/// passive checkpoint run beside a writer.
struct Checkpointer {
    /// Asks for a truncating checkpoint; dropping it stops the thread.
    truncate: crossbeam_channel::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// How far the `stale` list had grown when a sweep read it (its last sequence number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleMark(i64);

/// How far the stale list has grown, read in the transaction that then reads the list.
fn stale_mark(tx: &rusqlite::Transaction) -> rusqlite::Result<StaleMark> {
    tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM stale", [], |r| r.get(0))
        .map(StaleMark)
}

/// List files as stale in the transaction that changed them.
fn mark_stale(tx: &rusqlite::Transaction, ids: &[i64]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached("INSERT INTO stale(file_id) VALUES(?1)")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

impl Drop for Catalog {
    fn drop(&mut self) {
        self.checkpoint_in_foreground();
    }
}

/// How often the checkpointer looks for committed pages to copy.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// A present file with everything tagging and indexing need.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: i64,
    pub root: String,
    pub rel_display: String,
    pub rel: Vec<u8>,
    pub root_path: Vec<u8>,
    pub blake3: Option<String>,
    pub size: u64,
    pub mtime_ns: i64,
    pub status: Status,
    /// For a missing file, when it was last seen. For a present file only the time its row
    /// was last written (see [`Catalog::finish_root`]).
    pub last_seen: String,
    pub errors: Vec<String>,
    pub facts: Facts,
    pub tagging: Option<Tagging>,
}

impl FileRow {
    /// The absolute path, exact bytes.
    pub fn abs_path(&self) -> PathBuf {
        let mut bytes = self.root_path.clone();
        if !bytes.ends_with(b"/") {
            bytes.push(b'/');
        }
        bytes.extend_from_slice(&self.rel);
        PathBuf::from(std::ffi::OsStr::from_bytes(&bytes))
    }

    pub fn display_path(&self) -> String {
        let root = self.root.trim_end_matches('/');
        format!("{root}/{}", self.rel_display)
    }

    pub fn file_name(&self) -> &str {
        self.rel_display
            .rsplit('/')
            .next()
            .unwrap_or(&self.rel_display)
    }

    /// The record shown to users.
    pub fn to_record(&self) -> Record {
        let abs = self.abs_path();
        let f = &self.facts;
        let excerpt = f
            .excerpt
            .clone()
            .or_else(|| f.text.as_deref().map(|t| excerpt(t, 300)));
        // Only the effective tags: cloning the whole tagging copied its alternatives too.
        let t = self.tagging.as_ref();
        Record {
            path: self.display_path(),
            path_bytes_hex: (!crate::walk::is_utf8(abs.as_os_str()))
                .then(|| hex(abs.as_os_str().as_bytes())),
            blake3: self.blake3.clone(),
            size: self.size,
            media: f.media(),
            mime: f.mime.clone(),
            modified: Some(rfc3339_from_ns(self.mtime_ns)),
            captured_at: f.captured_at.map(|t| t.to_rfc3339()),
            captured_at_source: f.captured_at_source.clone(),
            gps: f.gps,
            camera: f
                .camera
                .clone()
                .filter(|c| c.make.is_some() || c.model.is_some()),
            software: f.software.clone(),
            width: f.width,
            height: f.height,
            orientation: f.orientation,
            duration_s: f.duration_s,
            pages: f.pages,
            title: f.title.clone(),
            author: f.author.clone(),
            doc_created: f.doc_created.map(|t| t.to_rfc3339()),
            text_excerpt: excerpt,
            text_status: f.text_status.clone(),
            status: self.status,
            last_seen: (self.status == Status::Missing).then(|| self.last_seen.clone()),
            errors: self
                .errors
                .iter()
                .chain(&self.facts.errors)
                .cloned()
                .collect(),
            prefecture: t.and_then(|t| t.prefecture.clone()),
            county: t.and_then(|t| t.county.clone()),
            indicators: t.map(|t| t.indicators.clone()).unwrap_or_default(),
            flags: t.map(|t| t.flags.clone()).unwrap_or_default(),
        }
    }
}

/// The first `max_chars` characters of `text` with runs of whitespace collapsed, "…" when cut.
/// Stops reading at the cut: documents can hold megabytes of text.
fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > 0 {
            if chars == max_chars {
                out.push('…');
                return out;
            }
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == max_chars {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

pub fn now_rfc3339() -> String {
    chrono::Local::now()
        .fixed_offset()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub fn rfc3339_from_ns(ns: i64) -> String {
    chrono::DateTime::from_timestamp(
        ns.div_euclid(1_000_000_000),
        ns.rem_euclid(1_000_000_000) as u32,
    )
    .map(|t| {
        t.with_timezone(&chrono::Local)
            .fixed_offset()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    })
    .unwrap_or_default()
}

fn parse_status(s: &str) -> Status {
    if s == "missing" {
        Status::Missing
    } else {
        Status::Present
    }
}

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
    /// Open (creating if needed) the catalog in `archive_dir`.
    pub fn open(archive_dir: &Path) -> Result<Catalog> {
        std::fs::create_dir_all(archive_dir).map_err(|e| Error::io(archive_dir, e))?;
        let path = archive_dir.join("catalog.sqlite");
        let conn = Connection::open(&path).map_err(|source| Error::Catalog {
            path: path.clone(),
            cause: source,
        })?;
        let cat = Catalog {
            conn,
            path,
            checkpointer: None,
        };
        cat.init()?;
        Ok(cat)
    }

    /// Hand checkpoints to a background thread until [`Catalog::checkpoint_in_foreground`]
    /// (or drop). For long writes; a failure to start it only costs speed.
    pub fn checkpoint_in_background(&mut self) {
        if self.checkpointer.is_some() {
            return;
        }
        let Ok(conn) = Connection::open(&self.path) else {
            return;
        };
        if conn.execute_batch("PRAGMA busy_timeout=10000;").is_err() {
            return;
        }
        let (truncate, told) = crossbeam_channel::bounded::<()>(1);
        let thread = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || loop {
                match told.recv_timeout(CHECKPOINT_EVERY) {
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                        // Passive: copies what no reader still needs and never waits for the writer.
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    }
                    Ok(()) => {
                        // Waits for readers, and holds off the writer while it copies: briefly,
                        // or not at all (a busy catalog leaves the log to the close).
                        let _ = conn.execute_batch("PRAGMA busy_timeout=200;");
                        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                        let _ = conn.execute_batch("PRAGMA busy_timeout=10000;");
                    }
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
                }
            });
        if let Ok(thread) = thread {
            if self
                .conn
                .execute_batch("PRAGMA wal_autocheckpoint=0;")
                .is_ok()
            {
                self.checkpointer = Some(Checkpointer { truncate, thread });
            }
        }
    }

    /// Copy the whole log into the database and cut the log to nothing, on the checkpoint
    /// thread, while the caller does something else (the run commits its search index). The
    /// log of a large run is never restarted while the writer writes, and deleting a 16 MB log
    /// when the catalog closed took the end of indexing 5,000 photos ~8 ms on its one thread.
    pub fn truncate_log_in_background(&self) {
        if let Some(c) = &self.checkpointer {
            let _ = c.truncate.try_send(());
        }
    }

    /// Back to SQLite's own checkpoints after each commit that leaves a long log.
    pub fn checkpoint_in_foreground(&mut self) {
        if let Some(c) = self.checkpointer.take() {
            drop(c.truncate);
            let _ = c.thread.join();
            let _ = self.conn.execute_batch("PRAGMA wal_autocheckpoint=1000;");
        }
    }

    /// Open an existing catalog; a missing one is a clear error, not an empty archive.
    pub fn open_existing(archive_dir: &Path) -> Result<Catalog> {
        let path = archive_dir.join("catalog.sqlite");
        if !path.exists() {
            return Err(Error::Other(format!(
                "no catalog at {}: run `archive index PATH` first, or point --archive at an archive folder",
                path.display()
            )));
        }
        Catalog::open(archive_dir)
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Catalog {
            path: self.path.clone(),
            cause: source,
        }
    }

    fn init(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            )
            .map_err(|e| self.err(e))?;
        self.conn.execute_batch(DDL).map_err(|e| self.err(e))?;
        let version: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key='schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match version.as_deref().map(str::parse::<i64>) {
            None => {
                self.conn
                    .execute("INSERT INTO meta(key,value) VALUES('schema_version',?1)", [SCHEMA_VERSION.to_string()])
                    .map_err(|e| self.err(e))?;
            }
            Some(Ok(SCHEMA_VERSION)) => {}
            Some(Ok(1)) => {
                // Format 1 kept a dirty flag on each file and indexed contents without status.
                self.conn
                    .execute_batch(
                        "BEGIN;
                         INSERT INTO stale(file_id) SELECT id FROM files WHERE dirty = 1 ORDER BY id;
                         DROP INDEX IF EXISTS files_dirty;
                         ALTER TABLE files DROP COLUMN dirty;
                         DROP INDEX IF EXISTS files_blake3;
                         UPDATE meta SET value = '2' WHERE key = 'schema_version';
                         COMMIT;",
                    )
                    .map_err(|e| self.err(e))?;
            }
            Some(v) => {
                return Err(Error::Other(format!(
                    "{}: catalog format {:?} is not one this version reads ({SCHEMA_VERSION}); use a matching archive version",
                    self.path.display(),
                    v
                )))
            }
        }
        Ok(())
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// No file has ever been catalogued.
    pub fn is_empty(&self) -> Result<bool> {
        self.conn
            .query_row("SELECT NOT EXISTS(SELECT 1 FROM files)", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key=?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute("INSERT INTO meta(key,value) VALUES(?1,?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value", [key, value])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The id of an indexed root, registering it the first time.
    pub fn root_id(&self, root: &Path) -> Result<i64> {
        let bytes = root.as_os_str().as_bytes();
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

    /// Every catalogued file under a root, keyed by its relative path bytes.
    pub fn known_files(&self, root_id: i64) -> Result<rustc_hash::FxHashMap<Vec<u8>, Known>> {
        let mut stmt = self
            .conn
            .prepare("SELECT rel,id,size,mtime_ns,inode,status,blake3 FROM files WHERE root_id=?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([root_id], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    Known {
                        id: r.get(1)?,
                        size: r.get::<_, i64>(2)? as u64,
                        mtime_ns: r.get(3)?,
                        inode: r.get::<_, i64>(4)? as u64,
                        status: parse_status(&r.get::<_, String>(5)?),
                        blake3: r.get(6)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

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

    /// The stored facts of a catalogued content and, for documents, its text.
    pub fn blob_facts(&self, blake3: &str) -> Result<Option<(Facts, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT facts, media, mime, CASE WHEN media = 'document' THEN text END FROM blobs WHERE blake3=?1")
            .map_err(|e| self.err(e))?;
        stmt.query_row([blake3], |r| {
            let json: Option<String> = r.get(0)?;
            let mut facts: Facts = json
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            fill_facts(
                &mut facts,
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get(2)?,
            );
            Ok((facts, r.get(3)?))
        })
        .optional()
        .map_err(|e| self.err(e))
    }

    /// Present files that are submission lists (their facts hold manifest rows).
    pub fn manifest_files(&self) -> Result<Vec<FileRow>> {
        // The key is written only for a non-empty list; inside a JSON string its quotes would
        // be escaped, so the pattern cannot match text that merely mentions it.
        let sql = format!(
            "{} WHERE f.status = 'present' AND instr(b.facts, '\"manifest_rows\":') > 0",
            Self::ROW_SELECT
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], Self::map_row).map_err(|e| self.err(e))?;
        let rows: Vec<FileRow> = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .filter(|r| !r.facts.manifest_rows.is_empty())
            .collect())
    }

    /// Contents held by more than one present file.
    pub fn shared_blake3s(&self) -> Result<rustc_hash::FxHashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT blake3 FROM files WHERE status = 'present' AND blake3 IS NOT NULL GROUP BY blake3 HAVING COUNT(*) > 1")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Files whose search document is out of date, in id order, and the mark to pass to
    /// [`Catalog::clear_stale`] once their documents are committed.
    pub fn stale_ids(&self) -> Result<(Vec<i64>, StaleMark)> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mark = stale_mark(&tx).map_err(|e| self.err(e))?;
        let mut stmt = tx
            .prepare("SELECT file_id FROM stale WHERE seq <= ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([mark.0], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let mut ids: Vec<i64> = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        ids.sort_unstable();
        ids.dedup();
        Ok((ids, mark))
    }

    /// One file with, for documents, its text (what its search document is made from).
    pub fn file_with_text(&self, id: i64) -> Result<Option<(FileRow, Option<String>)>> {
        let sql = format!("{} WHERE f.id = ?1", Self::row_with_text_select());
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row([id], |row| Ok((Self::map_row(row)?, row.get(15)?)))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The display form of a root's path, as file rows carry it.
    pub fn root_display(&self, root_id: i64) -> Result<String> {
        self.conn
            .query_row("SELECT display FROM roots WHERE id=?1", [root_id], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
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

    const ROW_SELECT: &'static str =
        "SELECT f.id, r.display, f.rel_display, f.rel, r.path, f.blake3, f.size, f.mtime_ns,
            f.status, f.last_seen, f.errors, b.facts, f.tagging, b.media, b.mime
         FROM files f JOIN roots r ON r.id = f.root_id LEFT JOIN blobs b ON b.blake3 = f.blake3";

    /// [`Self::ROW_SELECT`] plus, as column 15, the text of documents (what a search document
    /// is made from).
    fn row_with_text_select() -> &'static str {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            Catalog::ROW_SELECT.replace(
                " FROM files f",
                ", CASE WHEN b.media = 'document' THEN b.text END FROM files f",
            )
        });
        &SQL
    }

    fn map_row(r: &rusqlite::Row) -> rusqlite::Result<FileRow> {
        let facts_json: Option<String> = r.get(11)?;
        let mut facts: Facts = facts_json
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        fill_facts(
            &mut facts,
            r.get::<_, Option<String>>(13)?.as_deref(),
            r.get(14)?,
        );
        let errors: String = r.get(10)?;
        let tagging: Option<String> = r.get(12)?;
        Ok(FileRow {
            id: r.get(0)?,
            root: r.get(1)?,
            rel_display: r.get(2)?,
            rel: r.get(3)?,
            root_path: r.get(4)?,
            blake3: r.get(5)?,
            size: r.get::<_, i64>(6)? as u64,
            mtime_ns: r.get(7)?,
            status: parse_status(&r.get::<_, String>(8)?),
            last_seen: r.get(9)?,
            errors: serde_json::from_str(&errors).unwrap_or_default(),
            facts,
            tagging: tagging.and_then(|t| serde_json::from_str(&t).ok()),
        })
    }

    /// Visit every file (present and missing) in path order, without loading them all at once.
    pub fn for_each_file(&self, mut f: impl FnMut(FileRow) -> Result<()>) -> Result<()> {
        let sql = format!("{} ORDER BY r.display, f.rel_display", Self::ROW_SELECT);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            f(Self::map_row(row).map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }

    /// Every file whose search document is out of date, in id order, with its document text
    /// (documents only), read in one pass instead of a query per file. Returns the mark to pass
    /// to [`Catalog::clear_stale`] once their documents are committed.
    pub fn for_each_stale(
        &self,
        mut f: impl FnMut(FileRow, Option<String>) -> Result<()>,
    ) -> Result<StaleMark> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mark = stale_mark(&tx).map_err(|e| self.err(e))?;
        let sql = format!(
            "{} WHERE f.id IN (SELECT file_id FROM stale WHERE seq <= ?1) ORDER BY f.id",
            Self::row_with_text_select()
        );
        let mut stmt = tx.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([mark.0]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let text: Option<String> = row.get(15).map_err(|e| self.err(e))?;
            f(Self::map_row(row).map_err(|e| self.err(e))?, text)?;
        }
        Ok(mark)
    }

    pub fn file(&self, id: i64) -> Result<Option<FileRow>> {
        // Cached: curation looks up files one by one, and preparing the join each time cost
        // more than running it.
        let sql = format!("{} WHERE f.id = ?1", Self::ROW_SELECT);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row([id], Self::map_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Files holding a given content (several paths may share one blob).
    pub fn files_by_blake3(&self, blake3: &str) -> Result<Vec<FileRow>> {
        let sql = format!(
            "{} WHERE f.blake3 = ?1 ORDER BY r.display, f.rel_display",
            Self::ROW_SELECT
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([blake3], Self::map_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Files whose content hash starts with `prefix` (a user may paste a shortened hash).
    pub fn files_by_blake3_prefix(&self, prefix: &str) -> Result<Vec<FileRow>> {
        if prefix.len() == 64 {
            return self.files_by_blake3(prefix);
        }
        let sql = format!(
            "{} WHERE f.blake3 >= ?1 AND f.blake3 < ?2 ORDER BY r.display, f.rel_display",
            Self::ROW_SELECT
        );
        let upper = format!("{prefix}g");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([prefix, upper.as_str()], Self::map_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Find a file by the path a user typed (absolute, or as displayed).
    pub fn file_by_path(&self, path: &Path) -> Result<Option<FileRow>> {
        let wanted = path.as_os_str().as_bytes();
        let display = display_path(path.as_os_str());
        let mut found = None;
        self.for_each_file(|row| {
            if found.is_none()
                && (row.abs_path().as_os_str().as_bytes() == wanted
                    || row.display_path() == display)
            {
                found = Some(row);
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// Whether some file's search document is out of date.
    pub fn any_stale(&self) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM stale LIMIT 1")
            .and_then(|mut st| st.exists([]))
            .map_err(|e| self.err(e))
    }

    pub fn mark_all_stale(&self) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO stale(file_id) SELECT id FROM files ORDER BY id",
                [],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The documents of the files stale at `mark` are committed to the index: forget them
    /// (files made stale since stay so).
    pub fn clear_stale(&mut self, mark: StaleMark) -> Result<()> {
        self.conn
            .execute("DELETE FROM stale WHERE seq <= ?1", [mark.0])
            .map(|_| ())
            .map_err(|e| self.err(e))
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

    /// Manual tags per file id, for the tagger.
    pub fn manual_tags(&self) -> Result<std::collections::HashMap<i64, Vec<ManualTag>>> {
        let mut stmt = self
            .conn
            .prepare("SELECT file_id, kind, code, reason, who FROM manual_tags")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut out: std::collections::HashMap<i64, Vec<ManualTag>> = Default::default();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let kind: String = r.get(1).map_err(|e| self.err(e))?;
            let kind = match kind.as_str() {
                "indicator" => TagKind::Indicator,
                "prefecture" => TagKind::Prefecture,
                _ => TagKind::County,
            };
            out.entry(r.get(0).map_err(|e| self.err(e))?)
                .or_default()
                .push(ManualTag {
                    kind,
                    code: r.get(2).map_err(|e| self.err(e))?,
                    reason: r.get(3).map_err(|e| self.err(e))?,
                    who: r.get(4).map_err(|e| self.err(e))?,
                });
        }
        Ok(out)
    }

    pub fn counts(&self) -> Result<(u64, u64)> {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(status='present'),0), COALESCE(SUM(status='missing'),0) FROM files",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog written by format 1 (a `dirty` column on files) is converted when opened,
    /// keeping which search documents were out of date.
    #[test]
    fn a_format_1_catalog_is_converted_and_keeps_its_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join("catalog.sqlite")).unwrap();
            // Format 1's files table and indexes, as that version created them.
            conn.execute_batch(
                "PRAGMA journal_mode=WAL;
                 CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE roots(id INTEGER PRIMARY KEY, path BLOB NOT NULL UNIQUE, display TEXT NOT NULL, added_at TEXT NOT NULL);
                 CREATE TABLE files(
                     id INTEGER PRIMARY KEY, root_id INTEGER NOT NULL REFERENCES roots(id), rel BLOB NOT NULL,
                     rel_display TEXT NOT NULL, blake3 TEXT, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                     inode INTEGER NOT NULL, dev INTEGER NOT NULL, status TEXT NOT NULL, first_seen TEXT NOT NULL,
                     last_seen TEXT NOT NULL, errors TEXT NOT NULL DEFAULT '[]', tagging TEXT,
                     dirty INTEGER NOT NULL DEFAULT 1, UNIQUE(root_id, rel));
                 CREATE INDEX files_blake3 ON files(blake3);
                 CREATE INDEX files_walk ON files(root_id, rel, size, mtime_ns, inode, status, blake3);
                 CREATE INDEX files_dirty ON files(dirty) WHERE dirty = 1;
                 INSERT INTO meta VALUES('schema_version', '1');
                 INSERT INTO roots VALUES(1, X'2f65', '/e', '2026-01-01T00:00:00Z');
                 INSERT INTO files(id,root_id,rel,rel_display,blake3,size,mtime_ns,inode,dev,status,first_seen,last_seen,dirty)
                   VALUES(1,1,X'61','a','aa',1,1,1,1,'present','t','t',0),
                         (2,1,X'62','b','bb',1,1,2,1,'present','t','t',1),
                         (3,1,X'63','c','cc',1,1,3,1,'missing','t','t',1);",
            )
            .unwrap();
        }
        let mut cat = Catalog::open(dir.path()).unwrap();
        assert_eq!(cat.meta("schema_version").unwrap().as_deref(), Some("2"));
        let (stale, mark) = cat.stale_ids().unwrap();
        assert_eq!(stale, [2, 3], "the files format 1 flagged, and only those");
        let columns: Vec<String> = cat
            .conn()
            .prepare("SELECT name FROM pragma_table_info('files')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(!columns.iter().any(|c| c == "dirty"), "{columns:?}");
        cat.clear_stale(mark).unwrap();
        assert!(!cat.any_stale().unwrap());
        drop(cat);
        // Opening again finds format 2 and changes nothing.
        let cat = Catalog::open(dir.path()).unwrap();
        assert!(!cat.any_stale().unwrap());
    }

    /// Clearing after an index commit forgets only what the sweep read: a file made stale
    /// meanwhile (by the server, say) stays listed.
    #[test]
    fn files_made_stale_during_a_sweep_stay_stale() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        let root = cat.root_id(dir.path()).unwrap();
        let update = |rel: &str| FileUpdate {
            root_id: root,
            rel: rel.as_bytes().to_vec(),
            rel_display: rel.to_string(),
            size: 1,
            mtime_ns: 1,
            inode: 1,
            dev: 1,
            blake3: Some(format!("{rel:0>64}")),
            facts: Some(Facts::default()),
            facts_json: None,
            text: None,
            errors: Vec::new(),
            tagging: None,
        };
        let (ids, _) = cat.write_batch(&[update("a"), update("b")]).unwrap();
        let (stale, mark) = cat.stale_ids().unwrap();
        assert_eq!(stale, ids);
        // Meanwhile a tag changes on the first file.
        let changed = cat
            .write_taggings(&[(ids[0], crate::tag::Tagging::default())])
            .unwrap();
        assert_eq!(changed, [ids[0]]);
        cat.clear_stale(mark).unwrap();
        assert_eq!(cat.stale_ids().unwrap().0, [ids[0]]);
    }

    #[test]
    fn excerpts_collapse_whitespace_and_cut_at_a_character_count() {
        assert_eq!(excerpt("  科普\n\n活动  记录 ", 300), "科普 活动 记录");
        assert_eq!(excerpt("科普 活动", 5), "科普 活动");
        assert_eq!(excerpt("科普 活动记录", 5), "科普 活动…");
        assert_eq!(excerpt("科普   活动", 2), "科普…");
        assert_eq!(excerpt("", 3), "");
    }
}
