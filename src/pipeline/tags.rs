//! Whether the tags stored in the catalog can be trusted, and retagging every file from the
//! catalog when they cannot.
//!
//! Tags depend on the files and on three things besides: the vocabulary and the tagging
//! settings (their fingerprint, meta `tag_fingerprint`), and the tagging rules themselves
//! ([`tag::TAGGER_VERSION`], meta `tagger_version`). When either differs from what the catalog
//! stores, the run takes the full path: files are written untagged as they are read and every
//! file is retagged from the catalog after the walk.

use super::stream;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::record::Status;
use crate::schema::Schema;
use crate::tag::{self, FileForTagging};
use crate::Result;

/// The meta key holding the [`tag::TAGGER_VERSION`] the stored tags were computed with.
const TAGGER_VERSION_KEY: &str = "tagger_version";

/// A fingerprint of the vocabulary and settings tagging depends on besides the files.
fn tag_fingerprint(schema: &Schema, cfg: &Config) -> String {
    let t = &cfg.tag;
    let text = format!(
        "{}|{}|{}|{}",
        schema.fingerprint(),
        t.period_start,
        t.period_end,
        t.edit_gap_days,
    );
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// Whether the stored tags were computed by these rules, with this vocabulary and settings, by
/// a run that completed.
pub(super) fn tags_current(catalog: &Catalog, schema: &Schema, cfg: &Config) -> Result<bool> {
    Ok(
        catalog.meta("tag_fingerprint")?.as_deref() == Some(tag_fingerprint(schema, cfg).as_str())
            && catalog.meta(TAGGER_VERSION_KEY)?.as_deref()
                == Some(tag::TAGGER_VERSION.to_string().as_str()),
    )
}

/// Record that the stored tags are current (after every file's tags were settled).
pub(super) fn mark_tags_current(catalog: &Catalog, schema: &Schema, cfg: &Config) -> Result<()> {
    catalog.set_meta(TAGGER_VERSION_KEY, &tag::TAGGER_VERSION.to_string())?;
    catalog.set_meta("tag_fingerprint", &tag_fingerprint(schema, cfg))
}

/// Compare the catalog's tagger version with this one, at the start of a run. Returns what the
/// run says when they differ (a catalog with files tagged by other rules, or by a version that
/// did not record them): every file is then retagged, since [`tags_current`] is false. An empty
/// catalog takes this version at once: whatever the run writes is tagged by these rules, and a
/// first run killed before its end must not read as a change of rules to the next one.
pub(super) fn check_tagger_version(catalog: &Catalog) -> Result<Option<String>> {
    let current = tag::TAGGER_VERSION.to_string();
    let stored = catalog.meta(TAGGER_VERSION_KEY)?;
    if stored.as_deref() == Some(current.as_str()) {
        return Ok(None);
    }
    if catalog.is_empty()? {
        catalog.set_meta(TAGGER_VERSION_KEY, &current)?;
        return Ok(None);
    }
    Ok(Some(format!(
        "tagging rules changed (tagger version {} to {current}): every file is retagged from the catalog",
        stored.as_deref().unwrap_or("unrecorded"),
    )))
}

/// Forget the tag fingerprint before the first catalog change of a run. Tags are recomputed
/// after the walk; if the run is killed in between, the next run may find nothing new to read
/// and would otherwise trust the old fingerprint, leaving the files written by the killed run
/// untagged for good.
pub(super) fn invalidate_tags(catalog: &Catalog, done: &mut bool) -> Result<()> {
    if !*done {
        catalog.set_meta("tag_fingerprint", "")?;
        // New or returned contents may be photos without a fingerprint.
        catalog.set_meta(super::similar::COMPLETE_KEY, "")?;
        // …and contents the OCR queue has not seen.
        catalog.set_meta(super::ocr::COMPLETE_KEY, "")?;
        *done = true;
    }
    Ok(())
}

/// After a run that did not tag as it read: retag everything when files changed or the stored
/// tags are not current. Returns how many files' tags changed.
pub(super) fn retag_if_needed(
    catalog: &mut Catalog,
    schema: &Schema,
    cfg: &Config,
    changed: bool,
) -> Result<usize> {
    if !changed && tags_current(catalog, schema, cfg)? {
        return Ok(0);
    }
    retag(catalog, schema, cfg)
}

/// Recompute tags and flags for every present file from the catalog alone. Returns how many
/// files' tags changed.
pub fn retag(catalog: &mut Catalog, schema: &Schema, cfg: &Config) -> Result<usize> {
    Ok(retag_changed(catalog, schema, cfg)?.len())
}

/// [`retag`], returning the files whose tags changed.
pub(super) fn retag_changed(
    catalog: &mut Catalog,
    schema: &Schema,
    cfg: &Config,
) -> Result<Vec<i64>> {
    let manual = catalog.manual_tags()?;
    let resolved = catalog.flag_resolutions()?;
    let mut rows = Vec::new();
    catalog.for_each_file(|row| {
        if row.status == Status::Present {
            rows.push(row);
        }
        Ok(())
    })?;
    // Recognised text is tagged like document text; it lives in its own table.
    let ocr = catalog.ocr_texts()?;
    if !ocr.is_empty() {
        for row in &mut rows {
            if let Some(b3) = &row.blake3 {
                // A content's text is needed by each of its files (copies are few).
                row.facts.ocr_text = ocr.get(b3).cloned();
            }
        }
    }
    let none = Vec::new();
    // The near-duplicate pairs as the last index run stored them (never recomputed here).
    let near = catalog.near_map()?;
    let inputs: Vec<FileForTagging> = rows
        .iter()
        .map(|r| stream::for_tagging(r, manual.get(&r.id).unwrap_or(&none), &resolved, &near))
        .collect();
    let taggings = tag::tag_all(schema, &cfg.tag, &inputs);
    let pairs: Vec<(i64, tag::Tagging)> = rows.iter().map(|r| r.id).zip(taggings).collect();
    let changed = catalog.write_taggings(&pairs)?;
    mark_tags_current(catalog, schema, cfg)?;
    Ok(changed)
}
