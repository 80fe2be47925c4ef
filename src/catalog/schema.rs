//! The catalog's tables, the format version and the conversions from older formats, and the
//! `meta` key-value table where versions and fingerprints are kept. Everything that decides
//! whether an existing catalog can be read as it is lives here.

use rusqlite::OptionalExtension;

use super::Catalog;
use crate::{Error, Result};

const SCHEMA_VERSION: i64 = 2;

/// Bumped when extractors learn to read more. Stored with each blob: a content extracted by an
/// older version counts as unknown, so it is extracted again the next time a file holding it is
/// read. A bump makes the next `archive index` read again every file whose content was
/// extracted by an older version (`Known::stale_facts`), unchanged or not: an upgrade that
/// reads dates or damage better must correct what the catalog already says.
pub const EXTRACTOR_VERSION: i64 = 3;

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
-- Contents read by an older extractor (re-read on the next run): found through this index
-- instead of a scan of every blob's facts and text, which an unchanged re-index paid for.
CREATE INDEX IF NOT EXISTS blobs_extractor ON blobs(extractor);
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
-- Files flagged unreadable, so that every index run can report all of them (not only those it
-- read): the same evidence gives the same count on every run. The expression must match the
-- one in `Catalog::unusable_files`.
CREATE INDEX IF NOT EXISTS files_unusable ON files(id)
    WHERE instr(tagging, '\"flag\":\"unreadable\"') > 0;
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
-- A curator's decision on a flag (checked / explained, with a note), per content: every copy
-- of a provincial circular filed by several prefectures is explained at once. Written by
-- `curate::flags` (audited), read by the tagger.
CREATE TABLE IF NOT EXISTS flag_resolutions(
    blake3 TEXT NOT NULL,
    flag TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY(blake3, flag)
);
-- A photo's caption (DA/T 50 / DA/T 54), per content: the fields a curator wrote, as a JSON
-- object (`record::Caption` without its prefilled fields). Written by `curate::captions`
-- (audited); read with every file row, so the record and its search document carry it.
CREATE TABLE IF NOT EXISTS captions(
    blake3 TEXT PRIMARY KEY,
    fields TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
";

impl Catalog {
    pub(super) fn init(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            )
            .map_err(|e| self.err(e))?;
        self.conn.execute_batch(DDL).map_err(|e| self.err(e))?;
        self.conn
            .execute_batch(super::similar::DDL)
            .map_err(|e| self.err(e))?;
        super::similar::upgrade(&self.conn).map_err(|e| self.err(e))?;
        self.conn
            .execute_batch(super::ocr::DDL)
            .map_err(|e| self.err(e))?;
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
                    .execute(
                        "INSERT INTO meta(key,value) VALUES('schema_version',?1)",
                        [SCHEMA_VERSION.to_string()],
                    )
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
                return Err(Error::CatalogFormat {
                    path: self.path.clone(),
                    found: format!("{v:?}"),
                    expected: SCHEMA_VERSION,
                })
            }
        }
        Ok(())
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
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

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
}
