//! The catalog's near-duplicate tables: each photo content's visual fingerprint (keyed by
//! BLAKE3, with the fingerprint version that made it) and the verified pairs of near-identical
//! contents found among them.
//!
//! Both are per content, like `blobs`, and both are derived: fingerprints from the evidence
//! (decoding is the costly part, so it is done once per content and version, never by `retag`
//! or `reindex`), pairs from the fingerprints. Tagging, `archive show` and the record page read
//! the pairs and decode nothing. The tables are created with `IF NOT EXISTS`, so an existing
//! catalog gains them when opened and its photos are fingerprinted by the next index run.

use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};

use super::Catalog;
use crate::record::{SimilarFile, Status};
use crate::similar::{Fingerprint, Near, NearMap, FINGERPRINT_VERSION, KINDS};
use crate::Result;

pub(super) const DDL: &str = "
-- One row per photo content fingerprinted: hashes NULL (and error set) when it could not be
-- decoded, so that it is not tried again until the fingerprint version changes.
CREATE TABLE IF NOT EXISTS fingerprints(
    blake3 TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    hashes BLOB,
    thumb BLOB,
    error TEXT,
    -- 0 until its near-duplicates are stored: a run killed between fingerprinting and pairing
    -- leaves it 0, and the next run pairs it.
    paired INTEGER NOT NULL DEFAULT 0
);
-- Verified near-duplicate contents, stored in both directions.
CREATE TABLE IF NOT EXISTS near_pairs(
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    similarity REAL NOT NULL,
    distance INTEGER NOT NULL,
    crop REAL NOT NULL,
    -- 1 when one is the other flipped left to right.
    mirrored INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY(a, b)
) WITHOUT ROWID;
";

/// Meta key: the fingerprint version with which every present photo content was fingerprinted
/// and paired at the end of the last index run (see `pipeline::similar`).
pub const FINGERPRINTS_COMPLETE: &str = "fingerprints_complete";

/// Bring a catalog made before fingerprints carried `paired` up to date (its contents are
/// then paired again by the next run, as after a killed one), and index the unpaired ones: an
/// unchanged re-index asks for them, and the answer must stay instant.
pub(super) fn upgrade(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('fingerprints') WHERE name = 'paired'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        conn.execute_batch(
            "ALTER TABLE fingerprints ADD COLUMN paired INTEGER NOT NULL DEFAULT 0;
             UPDATE fingerprints SET paired = 1 WHERE hashes IS NULL;",
        )?;
    }
    let mirrors: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('near_pairs') WHERE name = 'mirrored'",
        [],
        |r| r.get(0),
    )?;
    if !mirrors {
        // Pairs were found without looking for mirrored copies: every fingerprinted content
        // is paired again by the next index run (no photo is decoded again for it).
        conn.execute_batch(&format!(
            "ALTER TABLE near_pairs ADD COLUMN mirrored INTEGER NOT NULL DEFAULT 0;
             UPDATE fingerprints SET paired = 0 WHERE hashes IS NOT NULL;
             DELETE FROM meta WHERE key = '{FINGERPRINTS_COMPLETE}';"
        ))?;
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS fingerprints_unpaired ON fingerprints(blake3) WHERE paired = 0;",
    )?;
    // Photos an older build could not decode (WebP, TIFF, GIF, BMP, HEIC, camera RAW) were
    // stored as failures of this fingerprint version: their rows go once, so that the next
    // index run fingerprints them (only those are decoded).
    let formats: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [FORMATS_KEY],
            |r| r.get(0),
        )
        .optional()?;
    if formats.as_deref() != Some(FORMATS) {
        let n = conn.execute(
            "DELETE FROM fingerprints WHERE hashes IS NULL AND error = ?1",
            [OLD_UNSUPPORTED],
        )?;
        if n > 0 {
            conn.execute("DELETE FROM meta WHERE key = ?1", [FINGERPRINTS_COMPLETE])?;
        }
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
            [FORMATS_KEY, FORMATS],
        )?;
    }
    Ok(())
}

/// Meta key and value: the picture formats the stored failures were decided with.
const FORMATS_KEY: &str = "fingerprint_formats";
const FORMATS: &str = "jpeg png webp tiff gif bmp heif raw";
/// What builds that fingerprinted JPEG and PNG alone stored for every other photo.
const OLD_UNSUPPORTED: &str = "not a format fingerprinted (JPEG or PNG)";

/// A photo content without a current fingerprint, and one present file that holds it.
#[derive(Debug, Clone)]
pub struct ToFingerprint {
    pub blake3: String,
    pub path: PathBuf,
    pub orientation: Option<u16>,
    /// What the photo is (`image/jpeg`, `image/heic`…): HEIC, HEIF and AVIF are decoded by a
    /// tool.
    pub mime: String,
    /// The longer side of the stored picture, as its header says (None when unknown).
    pub long_side: Option<u32>,
}

impl Catalog {
    /// How many photo contents held by a present file have no fingerprint of this version
    /// (what `index --no-similar` leaves to the next run), without reading their paths; of the
    /// types `only` names, when given (the HEICs that wait for their tool).
    pub fn photos_to_fingerprint_count(&self, only: Option<&[&str]>) -> Result<u64> {
        let only = only.map(|m| serde_json::to_string(m).unwrap_or_else(|_| "[]".into()));
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM blobs b
                 WHERE b.media = 'photo'
                   AND (?2 IS NULL OR b.mime IN (SELECT value FROM json_each(?2)))
                   AND EXISTS(SELECT 1 FROM files f WHERE f.blake3 = b.blake3 AND f.status = 'present')
                   AND NOT EXISTS(
                     SELECT 1 FROM fingerprints p WHERE p.blake3 = b.blake3 AND p.version = ?1)",
                params![FINGERPRINT_VERSION, only],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// Photo contents held by a present file that have no fingerprint of this version.
    pub fn photos_to_fingerprint(&self) -> Result<Vec<ToFingerprint>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.blake3, json_extract(b.facts, '$.orientation'), r.path, MIN(f.rel),
                        b.mime, MAX(json_extract(b.facts, '$.width'), json_extract(b.facts, '$.height'))
                 FROM blobs b JOIN files f ON f.blake3 = b.blake3 AND f.status = 'present'
                 JOIN roots r ON r.id = f.root_id
                 WHERE b.media = 'photo' AND NOT EXISTS(
                     SELECT 1 FROM fingerprints p WHERE p.blake3 = b.blake3 AND p.version = ?1)
                 GROUP BY b.blake3 ORDER BY b.blake3",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([FINGERPRINT_VERSION], |r| {
                let root: Vec<u8> = r.get(2)?;
                let rel: Vec<u8> = r.get(3)?;
                let orientation: Option<i64> = r.get(1)?;
                Ok(ToFingerprint {
                    blake3: r.get(0)?,
                    path: crate::walk::join_bytes(&root, &rel),
                    orientation: orientation.and_then(|o| u16::try_from(o).ok()),
                    mime: r.get(4)?,
                    long_side: r
                        .get::<_, Option<i64>>(5)?
                        .and_then(|s| u32::try_from(s).ok()),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Store fingerprints (or why there is none) in one transaction; a content's earlier
    /// fingerprint and its pairs are replaced.
    pub fn write_fingerprints(
        &mut self,
        done: &[(String, std::result::Result<Fingerprint, String>)],
    ) -> Result<()> {
        let path = self.path.clone();
        let err = |cause| crate::Error::Catalog {
            path: path.clone(),
            cause,
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO fingerprints(blake3, version, hashes, thumb, error,
                         paired)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            let mut unpair = tx
                .prepare_cached("DELETE FROM near_pairs WHERE a = ?1 OR b = ?1")
                .map_err(err)?;
            // The hash file no longer holds every fingerprint: unused until rewritten.
            tx.execute(
                "DELETE FROM meta WHERE key = ?1",
                [super::hash_file::META_KEY],
            )
            .map_err(err)?;
            for (b3, f) in done {
                let (hashes, thumb, error) = match f {
                    Ok(f) => (Some(f.hash_bytes()), Some(f.thumb.clone()), None),
                    Err(e) => (None, None, Some(e.as_str())),
                };
                let paired = error.is_some();
                put.execute(params![
                    b3,
                    FINGERPRINT_VERSION,
                    hashes,
                    thumb,
                    error,
                    paired
                ])
                .map_err(err)?;
                unpair.execute([b3]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// Contents fingerprinted whose near-duplicates are not stored yet (this run's, or a killed
    /// run's).
    pub fn unpaired_fingerprints(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT blake3 FROM fingerprints
                 WHERE version = ?1 AND hashes IS NOT NULL AND paired = 0 ORDER BY blake3",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([FINGERPRINT_VERSION], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Record how each content's EXIF thumbnail agrees with its picture, in its facts
    /// (`Facts::exif_thumb_similarity`), where the tagger reads it.
    pub fn write_thumb_agreements(&mut self, found: &[(String, f32)]) -> Result<()> {
        if found.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |cause| crate::Error::Catalog {
            path: path.clone(),
            cause,
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut put = tx
                .prepare_cached(
                    "UPDATE blobs SET facts = json_set(facts, '$.exif_thumb_similarity', ?2)
                     WHERE blake3 = ?1",
                )
                .map_err(err)?;
            for (b3, a) in found {
                put.execute(params![b3, f64::from(*a)]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// Every current fingerprint's hashes, in BLAKE3 order.
    pub fn fingerprint_hashes(&self) -> Result<Vec<(String, [u64; KINDS])>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT blake3, hashes FROM fingerprints
                 WHERE version = ?1 AND hashes IS NOT NULL ORDER BY blake3",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([FINGERPRINT_VERSION], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (b3, bytes) = row.map_err(|e| self.err(e))?;
            if let Some(h) = Fingerprint::hashes_from(&bytes) {
                out.push((b3, h));
            }
        }
        Ok(out)
    }

    /// The current fingerprints with any hash within `max` bits of any of `hashes`, from the
    /// hash file when it matches the catalog (`hash_file.rs`), else read from the table in one
    /// pass with nothing kept for the rest: looking up one photo among a million this way
    /// costs a scan, not building an index of all of them.
    pub fn fingerprints_near(
        &self,
        hashes: &[u64; KINDS],
        max: u32,
    ) -> Result<Vec<(String, [u64; KINDS])>> {
        if let Some(found) = self.near_from_hash_file(hashes, max)? {
            return Ok(found);
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT blake3, hashes FROM fingerprints
                 WHERE version = ?1 AND hashes IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query([FINGERPRINT_VERSION]).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let value = row.get_ref(1).map_err(|e| self.err(e))?;
            let Some(h) = value.as_blob().ok().and_then(Fingerprint::hashes_from) else {
                continue;
            };
            let close = h
                .iter()
                .any(|a| hashes.iter().any(|b| (a ^ b).count_ones() <= max));
            if close {
                out.push((row.get(0).map_err(|e| self.err(e))?, h));
            }
        }
        Ok(out)
    }

    /// A content's current fingerprint, if it has one.
    pub fn fingerprint(&self, blake3: &str) -> Result<Option<Fingerprint>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT hashes, thumb FROM fingerprints
                 WHERE blake3 = ?1 AND version = ?2 AND hashes IS NOT NULL",
            )
            .and_then(|mut st| {
                st.query_row(params![blake3, FINGERPRINT_VERSION], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
            })
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|(h, thumb)| {
            Some(Fingerprint {
                hashes: Fingerprint::hashes_from(&h)?,
                thumb,
            })
        }))
    }

    /// Record contents' verified near-duplicates (both directions), in one transaction, and
    /// that those contents are paired.
    pub fn write_near(&mut self, found: &[(String, Vec<Near>)]) -> Result<()> {
        let path = self.path.clone();
        let err = |cause| crate::Error::Catalog {
            path: path.clone(),
            cause,
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO near_pairs(a, b, similarity, distance, crop, mirrored)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            let mut paired = tx
                .prepare_cached("UPDATE fingerprints SET paired = 1 WHERE blake3 = ?1")
                .map_err(err)?;
            for (blake3, near) in found {
                paired.execute([blake3]).map_err(err)?;
                for n in near {
                    let (s, d, m) = (n.similarity, n.distance, n.mirrored);
                    put.execute(params![blake3, n.blake3, s, d, n.crop, m])
                        .map_err(err)?;
                    put.execute(params![n.blake3, blake3, s, d, -n.crop, m])
                        .map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)
    }

    /// A content's near-duplicates, most similar first.
    pub fn near_of(&self, blake3: &str) -> Result<Vec<Near>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT b, similarity, distance, crop, mirrored FROM near_pairs WHERE a = ?1
                 ORDER BY similarity DESC, b",
            )
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([blake3], near_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The present files whose content is a near-duplicate of `blake3`, most similar first:
    /// what a record lists as 相似照片.
    pub fn similar_files(&self, blake3: &str) -> Result<Vec<SimilarFile>> {
        let mut out = Vec::new();
        for n in self.near_of(blake3)? {
            for row in self.files_by_blake3(&n.blake3)? {
                if row.status == Status::Present {
                    out.push(SimilarFile {
                        path: row.display_path(),
                        blake3: n.blake3.clone(),
                        similarity: n.similarity,
                        crop: n.crop,
                        mirrored: n.mirrored,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Every content's near-duplicates.
    pub fn near_map(&self) -> Result<NearMap> {
        let mut st = self
            .conn
            .prepare(
                "SELECT a, b, similarity, distance, crop, mirrored FROM near_pairs ORDER BY a, b",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, near_row_at(r, 1)?)))
            .map_err(|e| self.err(e))?;
        let mut map = NearMap::default();
        for row in rows {
            let (a, n) = row.map_err(|e| self.err(e))?;
            map.entry(a).or_default().push(n);
        }
        Ok(map)
    }
}

fn near_row(r: &rusqlite::Row) -> rusqlite::Result<Near> {
    near_row_at(r, 0)
}

fn near_row_at(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Near> {
    Ok(Near {
        blake3: r.get(at)?,
        similarity: r.get::<_, f64>(at + 1)? as f32,
        distance: r.get(at + 2)?,
        crop: r.get::<_, f64>(at + 3)? as f32,
        mirrored: r.get(at + 4)?,
    })
}
