//! Reading the catalog: the walk's snapshot of what is known, file rows with their facts and
//! tagging (what tagging, indexing, the server and export work from), and the record shown to
//! users.

use crate::i18n::Lang;
use crate::problem::{Problem, Severity};
use crate::record::{FlagValue, Notice};
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;

use super::Catalog;
use crate::extract::Facts;
use crate::record::FlagResolution;
use crate::record::{Caption, Media, Record, Status};
use crate::tag::{ManualTag, ResolvedFlag, TagKind, Tagging};

/// The curators' decisions on flags, per BLAKE3.
pub type FlagResolutions = std::collections::HashMap<String, Vec<ResolvedFlag>>;
use crate::walk::display_path;
use crate::Result;

/// The state of a catalogued file that incremental indexing compares against.
#[derive(Debug, Clone)]
pub struct Known {
    pub id: i64,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub status: Status,
    pub blake3: Option<String>,
    /// Its content's facts were read by an older extractor ([`EXTRACTOR_VERSION`]): the file
    /// is read again although it did not change, so that an upgrade that reads dates or damage
    /// better corrects what the catalog says.
    ///
    /// [`EXTRACTOR_VERSION`]: super::EXTRACTOR_VERSION
    pub stale_facts: bool,
}

/// The defaults a row read back from the catalog gets for facts that lack them.
pub(crate) fn fill_facts(facts: &mut Facts, media: Option<&str>, mime: Option<String>) {
    if facts.media.is_none() {
        facts.media = media.and_then(Media::parse);
    }
    if facts.mime.is_empty() {
        facts.mime = mime.unwrap_or_else(|| "application/octet-stream".into());
    }
    facts.upgrade_legacy_dates();
}

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
    /// Problems reading the file itself (I/O), beside the content's own in `facts.problems`.
    pub errors: Vec<Problem>,
    pub facts: Facts,
    pub tagging: Option<Tagging>,
    /// The caption a curator wrote for this content (`captions` table), without prefills.
    pub caption: Option<Caption>,
}

impl FileRow {
    /// The absolute path, exact bytes.
    pub fn abs_path(&self) -> PathBuf {
        crate::walk::join_bytes(&self.root_path, &self.rel)
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
    /// Every problem met reading this file: the read's, then the content's.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.errors.iter().chain(self.facts.problems.iter())
    }

    /// The record shown to users, its sentences in `lang`.
    pub fn to_record(&self, lang: Lang) -> Record {
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
                .then(|| hex::encode(crate::platform::path_bytes(abs.as_os_str()))),
            blake3: self.blake3.clone(),
            size: self.size,
            media: f.media(),
            mime: f.mime.clone(),
            modified: Some(rfc3339_from_ns(self.mtime_ns)),
            captured_at: f.captured_at.map(|t| t.to_rfc3339()),
            captured_at_source: f.captured_at_source.clone(),
            captured_at_alt: f.captured_at_alt.map(|t| t.to_rfc3339()),
            captured_at_alt_source: f.captured_at_alt_source.clone(),
            evidence_date: f.evidence_date().map(|(t, _)| t.to_rfc3339()),
            evidence_date_kind: f.evidence_date().map(|(_, k)| k.as_str().to_string()),
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
            doc_modified: f.doc_modified.map(|t| t.to_rfc3339()),
            text_excerpt: excerpt,
            text_status: f.text_status.clone(),
            ocr: f.ocr.clone(),
            status: self.status,
            last_seen: (self.status == Status::Missing).then(|| self.last_seen.clone()),
            errors: self.notices(Severity::Error, lang),
            warnings: self.notices(Severity::Warning, lang),
            notes: self.notices(Severity::Note, lang),
            prefecture: t.and_then(|t| t.prefecture.clone()),
            county: t.and_then(|t| t.county.clone()),
            indicators: t.map(|t| t.indicators.clone()).unwrap_or_default(),
            flags: t
                .map(|t| {
                    t.flags
                        .iter()
                        .map(|f| FlagValue {
                            reason: crate::tag::flags::reason(f, lang),
                            advice: crate::tag::flags::advice(f, lang),
                            ..f.clone()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            system: t.is_some_and(|t| t.system),
            similar: Vec::new(),
            caption: self.shown_caption(),
        }
    }

    /// The caption as shown: what was written, the place from the tags and the time from the
    /// capture time where nothing was written. Photos and videos always have one (empty
    /// fields tell what is missing); other files only when someone wrote one.
    pub fn shown_caption(&self) -> Option<Caption> {
        let visual = matches!(self.facts.media(), Media::Photo | Media::Video);
        if !visual && self.caption.is_none() {
            return None;
        }
        let mut c = self.caption.clone().unwrap_or_default();
        c.prefilled.clear();
        let t = self.tagging.as_ref();
        if c.place.is_none() {
            let names: Vec<&str> = t
                .into_iter()
                .flat_map(|t| [t.prefecture.as_ref(), t.county.as_ref()])
                .flatten()
                .map(|v| v.name.as_str())
                .collect();
            if !names.is_empty() {
                c.place = Some(names.join(" "));
                c.prefilled.push("place".into());
            }
        }
        if c.taken.is_none() {
            if let Some(t) = self.facts.captured_at {
                c.taken = Some(t.format("%Y-%m-%d %H:%M").to_string());
                c.prefilled.push("taken".into());
            }
        }
        Some(c)
    }
}

impl FileRow {
    fn notices(&self, severity: Severity, lang: Lang) -> Vec<Notice> {
        self.problems()
            .filter(|p| p.severity() == severity)
            .map(|p| p.notice(lang))
            .collect()
    }
}

/// The first `max_chars` characters of `text` with runs of whitespace collapsed, "…" when cut.
/// Stops reading at the cut: documents can hold megabytes of text.
pub(super) fn excerpt(text: &str, max_chars: usize) -> String {
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

pub(super) fn parse_status(s: &str) -> Status {
    if s == "missing" {
        Status::Missing
    } else {
        Status::Present
    }
}

impl Catalog {
    /// Every catalogued file under a root, keyed by its relative path bytes.
    pub fn known_files(&self, root_id: i64) -> Result<rustc_hash::FxHashMap<Vec<u8>, Known>> {
        // Contents read by an older extractor, apart: joining blobs to every file made each
        // unchanged re-index do one index lookup per file (+50 % on 100,000 files), while this
        // is one pass over blobs and usually empty.
        let stale: rustc_hash::FxHashSet<String> = {
            let mut st = self
                .conn
                .prepare("SELECT blake3 FROM blobs WHERE extractor < ?1")
                .map_err(|e| self.err(e))?;
            let rows = st
                .query_map([super::EXTRACTOR_VERSION], |r| r.get::<_, String>(0))
                .map_err(|e| self.err(e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.err(e))?
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.rel,f.id,f.size,f.mtime_ns,f.inode,f.status,f.blake3
                 FROM files f WHERE f.root_id=?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params![root_id], |r| {
                let blake3: Option<String> = r.get(6)?;
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    Known {
                        id: r.get(1)?,
                        size: r.get::<_, i64>(2)? as u64,
                        mtime_ns: r.get(3)?,
                        inode: r.get::<_, i64>(4)? as u64,
                        status: parse_status(&r.get::<_, String>(5)?),
                        stale_facts: blake3.as_ref().is_some_and(|b| stale.contains(b)),
                        blake3,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    pub(super) const ROW_SELECT: &'static str =
        "SELECT f.id, r.display, f.rel_display, f.rel, r.path, f.blake3, f.size, f.mtime_ns,
            f.status, f.last_seen, f.errors,
            CASE WHEN o.info IS NULL THEN b.facts ELSE json_set(b.facts, '$.ocr', json(o.info)) END,
            f.tagging, b.media, b.mime, c.fields
         FROM files f JOIN roots r ON r.id = f.root_id LEFT JOIN blobs b ON b.blake3 = f.blake3
         LEFT JOIN ocr o ON o.blake3 = f.blake3 AND o.status = 'read'
         LEFT JOIN captions c ON c.blake3 = f.blake3";

    /// [`Self::ROW_SELECT`] plus, as column 16, the text of documents and, as column 17, the
    /// recognised text (what a search document is made from).
    pub(super) fn row_with_text_select() -> &'static str {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            Catalog::ROW_SELECT.replace(
                " FROM files f",
                ", CASE WHEN b.media = 'document' THEN b.text END, o.text FROM files f",
            )
        });
        &SQL
    }

    /// [`Self::map_row`] of a [`Self::row_with_text_select`] row, with its recognised text.
    pub(super) fn map_row_with_ocr(r: &rusqlite::Row) -> rusqlite::Result<FileRow> {
        let mut row = Self::map_row(r)?;
        row.facts.ocr_text = r.get(17)?;
        Ok(row)
    }

    pub(super) fn map_row(r: &rusqlite::Row) -> rusqlite::Result<FileRow> {
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
        let caption: Option<String> = r.get(15)?;
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
            caption: caption.and_then(|c| serde_json::from_str(&c).ok()),
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

    pub fn file(&self, id: i64) -> Result<Option<FileRow>> {
        // Cached: curation looks up files one by one, and preparing the join each time cost
        // more than running it.
        let sql = format!("{} WHERE f.id = ?1", Self::ROW_SELECT);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row([id], Self::map_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Device and inode of a file as the walk last saw it. With size and mtime they prove that
    /// the file now at its path is the one catalogued: a copy, link or edit swapped in keeps
    /// neither.
    pub fn file_identity(&self, id: i64) -> Result<Option<(u64, u64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT dev, inode FROM files WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        stmt.query_row([id], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })
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
    /// Present files flagged unreadable (their content cannot be used), in path order.
    pub fn unusable_files(&self) -> Result<Vec<FileRow>> {
        let sql = format!(
            "{} WHERE instr(f.tagging, '\"flag\":\"unreadable\"') > 0 AND f.status = 'present'
             ORDER BY r.display, f.rel_display",
            Self::ROW_SELECT
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], Self::map_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

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
        let wanted = crate::platform::path_bytes(path.as_os_str());
        let display = display_path(path.as_os_str());
        let mut found = None;
        self.for_each_file(|row| {
            if found.is_none()
                && (crate::platform::path_bytes(row.abs_path().as_os_str()) == wanted
                    || row.display_path() == display)
            {
                found = Some(row);
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// One file with, for documents, its text (what its search document is made from).
    /// Every present file with the text of documents, in path order (what `archive publish`
    /// sends).
    /// `f`'s own error type stops the walk and comes back as it is (a failed send, for
    /// `publish`).
    pub fn for_each_present_with_text<E: From<crate::Error>>(
        &self,
        mut f: impl FnMut(FileRow, Option<String>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let sql = format!(
            "{} WHERE f.status = 'present' ORDER BY r.display, f.rel_display",
            Self::row_with_text_select()
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let text: Option<String> = row.get(16).map_err(|e| self.err(e))?;
            f(Self::map_row_with_ocr(row).map_err(|e| self.err(e))?, text)?;
        }
        Ok(())
    }

    pub fn file_with_text(&self, id: i64) -> Result<Option<(FileRow, Option<String>)>> {
        let sql = format!("{} WHERE f.id = ?1", Self::row_with_text_select());
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row([id], |row| Ok((Self::map_row_with_ocr(row)?, row.get(16)?)))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The stored facts of a catalogued content and, for documents, its text; with what OCR
    /// read of it (a new copy of a scan is found by its recognised text at once).
    pub fn blob_facts(&self, blake3: &str) -> Result<Option<(Facts, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT b.facts, b.media, b.mime, CASE WHEN b.media = 'document' THEN b.text END,
                        o.info, o.text
                 FROM blobs b LEFT JOIN ocr o ON o.blake3 = b.blake3 AND o.status = 'read'
                 WHERE b.blake3=?1",
            )
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
            let info: Option<String> = r.get(4)?;
            facts.ocr = info.and_then(|j| serde_json::from_str(&j).ok());
            facts.ocr_text = r.get(5)?;
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

    /// The display form of a root's path, as file rows carry it.
    pub fn root_display(&self, root_id: i64) -> Result<String> {
        self.conn
            .query_row("SELECT display FROM roots WHERE id=?1", [root_id], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
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

    /// The curators' decisions on flags (checked, explained) per content, for the tagger.
    pub fn flag_resolutions(&self) -> Result<FlagResolutions> {
        let mut stmt = self
            .conn
            .prepare("SELECT blake3, flag, state, note, who, at FROM flag_resolutions")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut out = FlagResolutions::default();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let get = |i: usize| r.get::<_, String>(i).map_err(|e| self.err(e));
            out.entry(get(0)?).or_default().push(ResolvedFlag {
                flag: get(1)?,
                resolution: FlagResolution {
                    state: get(2)?,
                    note: get(3)?,
                    who: get(4)?,
                    at: get(5)?,
                },
            });
        }
        Ok(out)
    }

    /// Every written caption by content, for an index run's new documents.
    pub fn captions(&self) -> Result<std::collections::HashMap<String, Caption>> {
        let mut stmt = self
            .conn
            .prepare("SELECT blake3, fields FROM captions")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut out = std::collections::HashMap::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let b3: String = r.get(0).map_err(|e| self.err(e))?;
            let json: String = r.get(1).map_err(|e| self.err(e))?;
            if let Ok(c) = serde_json::from_str(&json) {
                out.insert(b3, c);
            }
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

    #[test]
    fn excerpts_collapse_whitespace_and_cut_at_a_character_count() {
        assert_eq!(excerpt("  科普\n\n活动  记录 ", 300), "科普 活动 记录");
        assert_eq!(excerpt("科普 活动", 5), "科普 活动");
        assert_eq!(excerpt("科普 活动记录", 5), "科普 活动…");
        assert_eq!(excerpt("科普   活动", 2), "科普…");
        assert_eq!(excerpt("", 3), "");
    }

    fn row(rel: &str, facts: Facts) -> FileRow {
        FileRow {
            id: 1,
            root: "/evidence".into(),
            rel_display: rel.into(),
            rel: rel.as_bytes().to_vec(),
            root_path: b"/evidence".to_vec(),
            blake3: None,
            size: 1,
            mtime_ns: 0,
            status: Status::Present,
            last_seen: String::new(),
            errors: Vec::new(),
            facts,
            tagging: None,
            caption: None,
        }
    }

    #[test]
    fn a_record_says_which_date_its_evidence_date_is() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
        let doc = row(
            "海东市/纪要.pdf",
            Facts {
                media: Some(Media::Document),
                doc_created: Some(at("2019-03-15T10:30:00+08:00")),
                doc_modified: Some(at("2019-03-16T08:00:00+08:00")),
                ..Facts::default()
            },
        )
        .to_record(Lang::Zh);
        assert_eq!(doc.captured_at, None, "a document has no capture time");
        assert_eq!(
            doc.evidence_date.as_deref(),
            Some("2019-03-15T10:30:00+08:00")
        );
        assert_eq!(doc.evidence_date_kind.as_deref(), Some("doc_created"));
        assert_eq!(
            doc.doc_modified.as_deref(),
            Some("2019-03-16T08:00:00+08:00")
        );
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["evidence_date_kind"], "doc_created");

        let photo = row(
            "海东市/现场.jpg",
            Facts {
                media: Some(Media::Photo),
                captured_at: Some(at("2018-05-20T10:00:00+08:00")),
                captured_at_source: Some("exif:DateTimeOriginal".into()),
                ..Facts::default()
            },
        )
        .to_record(Lang::Zh);
        assert_eq!(photo.evidence_date_kind.as_deref(), Some("captured"));
        assert_eq!(photo.evidence_date, photo.captured_at);
        let none = row("x.bin", Facts::default()).to_record(Lang::Zh);
        let json = serde_json::to_value(&none).unwrap();
        assert!(json.get("evidence_date").is_none() && json.get("evidence_date_kind").is_none());
    }
}
