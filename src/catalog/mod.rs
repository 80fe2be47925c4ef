//! Stage 5: catalog. SQLite (WAL) at `ARCHIVE/catalog.sqlite` is the source of truth: roots,
//! files (paths as exact bytes), blobs (content by BLAKE3, with extracted facts and text),
//! index runs, tags, flags and manual edits. The search index is derived from it.
//!
//! Only one writer exists per run; it batches rows into transactions, so an interrupted run
//! leaves every committed batch consistent and the next run picks up from there.
//!
//! [`Catalog`] is one type; its methods are grouped by concern: the tables and their format
//! ([`schema`]), what an index run writes ([`write`]), what everyone else reads ([`read`]), the
//! list of out-of-date search documents ([`stale`]), the workers' per-thread lookups ([`probe`])
//! and the background log copier ([`checkpoint`]).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::{Error, Result};

mod checkpoint;
mod hash_file;
mod ocr;
mod probe;
mod read;
mod schema;
mod similar;
mod stale;
mod write;

use checkpoint::Checkpointer;

pub use ocr::{OcrOutcome, ToRead, OCR_PHOTO_TYPES};
pub use probe::BlobProbe;
pub(crate) use read::fill_facts;
pub use read::{rfc3339_from_ns, FileRow, FlagResolutions, Known};
pub use schema::EXTRACTOR_VERSION;
pub use similar::{ToFingerprint, FINGERPRINTS_COMPLETE};
pub use stale::StaleMark;
pub use write::{into_stored, FileUpdate};

/// The open catalog: one connection, the run's only writer.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
    checkpointer: Option<Checkpointer>,
}

/// Now, local time with its offset, to the second: how the catalog writes times.
pub fn now_rfc3339() -> String {
    chrono::Local::now()
        .fixed_offset()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The catalog holds every path, the extracted text and the audit log, so like `config.toml`
/// it is the owner's alone: an empty file made 0600 before SQLite opens it (an empty file is a
/// new database), and SQLite gives its `-wal` and `-shm` files the database's own mode. An
/// existing catalog keeps the mode it has, so a deliberately shared one stays shared.
fn create_owner_only(path: &Path) -> Result<()> {
    match crate::platform::open_owner_only(
        std::fs::OpenOptions::new().write(true).create_new(true),
        path,
    ) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

impl Catalog {
    /// Open (creating if needed) the catalog in `archive_dir`.
    pub fn open(archive_dir: &Path) -> Result<Catalog> {
        std::fs::create_dir_all(archive_dir).map_err(|e| Error::io(archive_dir, e))?;
        let path = archive_dir.join("catalog.sqlite");
        create_owner_only(&path)?;
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

    /// Open an existing catalog; a missing one is a clear error, not an empty archive.
    pub fn open_existing(archive_dir: &Path) -> Result<Catalog> {
        let path = archive_dir.join("catalog.sqlite");
        if !path.exists() {
            return Err(Error::NoCatalog { path });
        }
        Catalog::open(archive_dir)
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Catalog {
            path: self.path.clone(),
            cause: source,
        }
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
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_new_catalog_and_its_log_files_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalog::open(dir.path()).unwrap();
        cat.set_meta("probe", "1").unwrap();
        let mut seen = 0;
        for name in ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"] {
            let Ok(m) = std::fs::metadata(dir.path().join(name)) else {
                continue;
            };
            seen += 1;
            assert_eq!(m.permissions().mode() & 0o777, 0o600, "{name}");
        }
        assert_eq!(seen, 3, "WAL mode keeps both side files while open");
        drop(cat);
        // Reopening an existing catalog neither fails nor changes it.
        Catalog::open(dir.path()).unwrap();
    }
}
