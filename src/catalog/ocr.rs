//! The catalog's `ocr` table: what reading each content's pictures gave, per BLAKE3, so a copy
//! elsewhere is never read again, and kept through `retag` and `reindex` (both derive from it).
//!
//! A row is written for every content the OCR stage decided on: `read` (its text, possibly
//! empty), `scene` (a photo the document test passed over: tried again only under `--ocr all`)
//! or `failed` (the engine gave up on every page: not tried again until the OCR version
//! changes). Contents with no row, or a row of an older [`OCR_VERSION`], are the queue.

use std::path::PathBuf;

use rusqlite::params;

use super::stale::mark_stale;
use super::Catalog;
use crate::ocr::OCR_VERSION;
use crate::record::OcrInfo;
use crate::Result;

pub(super) const DDL: &str = "
CREATE TABLE IF NOT EXISTS ocr(
    blake3 TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    -- read | scene | failed
    status TEXT NOT NULL,
    text TEXT,
    -- OcrInfo as JSON (engine, language, pages, mean_confidence, seconds), for `read` rows.
    info TEXT,
    detail TEXT,
    done_at TEXT NOT NULL
);
";

/// The photo types the queue takes. The stage's "queue found empty" mark names them, so a
/// catalog marked by a build that queued fewer types has its queue looked at again, and the
/// photos of the new types already in it are read.
pub const OCR_PHOTO_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/heic",
    "image/heif",
    "image/avif",
    "image/tiff",
    "image/webp",
    "image/bmp",
    "image/gif",
];

/// A content waiting for OCR and one present file that holds it.
#[derive(Debug, Clone)]
pub struct ToRead {
    pub blake3: String,
    pub path: PathBuf,
    /// A PDF (its pages are rendered), else a photo.
    pub pdf: bool,
    pub pages: u32,
    /// A photo's EXIF orientation (1–8).
    pub orientation: Option<u16>,
    /// What it is (`image/tiff`, `image/heic`…: a TIFF may hold several pages, a HEIC is
    /// decoded by `heif-convert`).
    pub mime: String,
}

/// What the stage decided about one content.
#[derive(Debug, Clone)]
pub enum OcrOutcome {
    Read { text: String, info: OcrInfo },
    Scene,
    Failed(String),
}

impl Catalog {
    /// Contents to read: JPEG and PNG photos, and PDFs with less than `min_per_page`
    /// characters of text per page, held by a present file, without a current `ocr` row
    /// (scenes count as done unless `rescan_scenes`). In BLAKE3 order, so a resumed run
    /// goes on where the last one stopped.
    pub fn ocr_queue(&self, rescan_scenes: bool, min_per_page: usize) -> Result<Vec<ToRead>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT b.blake3, b.media, json_extract(b.facts, '$.pages'), r.path, MIN(f.rel),
                        json_extract(b.facts, '$.orientation'), b.mime
                 FROM blobs b JOIN files f ON f.blake3 = b.blake3 AND f.status = 'present'
                 JOIN roots r ON r.id = f.root_id
                 WHERE ((b.media = 'photo' AND b.mime IN (SELECT value FROM json_each(?4)))
                     OR (b.media = 'document' AND b.mime = 'application/pdf'
                         AND COALESCE(length(b.text), 0)
                             < ?3 * MAX(1, COALESCE(json_extract(b.facts, '$.pages'), 1))
                         -- An encrypted PDF (already reported as such) renders no better than
                         -- its text extracts: without the password every page fails.
                         AND NOT EXISTS(SELECT 1 FROM json_each(b.facts, '$.problems') p
                             WHERE json_extract(p.value, '$.code') = 'pdf_encrypted')))
                   AND NOT EXISTS(SELECT 1 FROM ocr o WHERE o.blake3 = b.blake3
                       AND o.version = ?1 AND (o.status != 'scene' OR ?2 = 0))
                 GROUP BY b.blake3 ORDER BY b.blake3",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(
                params![
                    OCR_VERSION,
                    rescan_scenes,
                    min_per_page as i64,
                    serde_json::to_string(OCR_PHOTO_TYPES).unwrap_or_default()
                ],
                |r| {
                    let media: String = r.get(1)?;
                    let pages: Option<i64> = r.get(2)?;
                    let root: Vec<u8> = r.get(3)?;
                    let rel: Vec<u8> = r.get(4)?;
                    Ok(ToRead {
                        blake3: r.get(0)?,
                        path: crate::platform::path_from_bytes(&root)
                            .join(crate::platform::path_from_bytes(&rel)),
                        pdf: media == "document",
                        pages: pages.and_then(|p| u32::try_from(p).ok()).unwrap_or(1),
                        orientation: r
                            .get::<_, Option<i64>>(5)?
                            .and_then(|o| u16::try_from(o).ok()),
                        mime: r.get(6)?,
                    })
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Store a batch of outcomes in one transaction; the files holding a content whose text
    /// was read are listed stale, so the next index sweep makes the text searchable (and
    /// [`Catalog::ocr_files`] names them for retagging). Returns those files' ids.
    pub fn write_ocr(&mut self, done: &[(String, OcrOutcome)]) -> Result<Vec<i64>> {
        let path = self.path.clone();
        let err = |cause| crate::Error::Catalog {
            path: path.clone(),
            cause,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut touched = Vec::new();
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO ocr(blake3, version, status, text, info, detail, done_at)
                     VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(err)?;
            let mut files = tx
                .prepare_cached("SELECT id FROM files WHERE blake3 = ?1")
                .map_err(err)?;
            let now = super::now_rfc3339();
            for (b3, outcome) in done {
                let (status, text, info, detail) = match outcome {
                    OcrOutcome::Read { text, info } => (
                        "read",
                        Some(text.as_str()),
                        serde_json::to_string(info).ok(),
                        None,
                    ),
                    OcrOutcome::Scene => ("scene", None, None, None),
                    OcrOutcome::Failed(why) => ("failed", None, None, Some(why.as_str())),
                };
                put.execute(params![b3, OCR_VERSION, status, text, info, detail, now])
                    .map_err(err)?;
                if status == "read" {
                    let ids: Vec<i64> = files
                        .query_map([b3], |r| r.get(0))
                        .map_err(err)?
                        .collect::<rusqlite::Result<_>>()
                        .map_err(err)?;
                    mark_stale(&tx, &ids).map_err(err)?;
                    touched.extend(ids);
                }
            }
        }
        tx.commit().map_err(err)?;
        Ok(touched)
    }

    /// Settle photos found to be scenes by a test made elsewhere (the near-duplicate step runs
    /// it on the picture it decodes anyway), where no current outcome is stored yet: a text
    /// already read is never replaced. Returns how many were settled.
    pub fn write_scenes(&mut self, scenes: &[String]) -> Result<u64> {
        if scenes.is_empty() {
            return Ok(0);
        }
        let path = self.path.clone();
        let err = |cause| crate::Error::Catalog {
            path: path.clone(),
            cause,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut settled = 0;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO ocr(blake3, version, status, done_at) VALUES(?1, ?2, 'scene', ?3)
                     ON CONFLICT(blake3) DO UPDATE SET version = excluded.version,
                         status = 'scene', text = NULL, info = NULL, detail = NULL,
                         done_at = excluded.done_at
                     WHERE ocr.version != excluded.version",
                )
                .map_err(err)?;
            let now = super::now_rfc3339();
            for b3 in scenes {
                settled += put.execute(params![b3, OCR_VERSION, now]).map_err(err)? as u64;
            }
        }
        tx.commit().map_err(err)?;
        Ok(settled)
    }

    /// The recognised text of every content that has some, by BLAKE3 (what tagging reads
    /// beside the stored facts).
    pub fn ocr_texts(&self) -> Result<rustc_hash::FxHashMap<String, String>> {
        let mut st = self
            .conn
            .prepare("SELECT blake3, text FROM ocr WHERE status = 'read' AND length(text) > 0")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// How many contents have a current `read` row, and their pages.
    pub fn ocr_counts(&self) -> Result<(u64, u64)> {
        self.conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(json_extract(info, '$.pages')), 0)
                 FROM ocr WHERE status = 'read' AND version = ?1",
                [OCR_VERSION],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_settled_elsewhere_never_replace_a_text_already_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        let (paper, scene) = ("a".repeat(64), "b".repeat(64));
        let info = OcrInfo {
            engine: "tesseract 5".into(),
            language: "chi_sim".into(),
            pages: 1,
            mean_confidence: 90.0,
            seconds: 1.0,
        };
        let read = OcrOutcome::Read {
            text: "签到表".into(),
            info,
        };
        cat.write_ocr(&[(paper.clone(), read)]).unwrap();
        // A scene row of an older OCR version is settled again; the paper's text stays.
        cat.conn
            .execute(
                "INSERT INTO ocr(blake3, version, status, done_at) VALUES(?1, 0, 'scene', 'x')",
                [&scene],
            )
            .unwrap();
        assert_eq!(
            cat.write_scenes(&[paper.clone(), scene.clone()]).unwrap(),
            1
        );
        assert_eq!(
            cat.ocr_texts().unwrap().get(&paper).map(String::as_str),
            Some("签到表")
        );
        assert_eq!(cat.write_scenes(&[scene]).unwrap(), 0, "already current");
    }
}
