//! `archive similar FILE|BLAKE3`: the photos in the archive that show the same picture as
//! one file, each with how alike they are and what differs besides the picture.
//!
//! A catalogued photo's near-duplicates were verified by `archive index` and stored, so they
//! are read, not computed: the answer costs a few indexed reads however many photos the
//! archive holds. A photo that is not in the catalog (one about to be submitted) is
//! fingerprinted here and looked up among every stored fingerprint, with the same
//! verification the index run applies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::bail;
use serde::Serialize;

use crate::catalog::{Catalog, FileRow};
use crate::cli::{print, Exit};
use crate::config::Config;
use crate::i18n::Msg;
use crate::record::{Record, Status};
use crate::similar::{self, Index, Near};
use crate::tag::flags::{differences, differences_said, Side};

/// What `archive similar` found, as printed or as `--json`.
#[derive(Debug, Serialize)]
pub(in crate::cli) struct SimilarReport {
    pub path: String,
    pub blake3: String,
    /// The file is in the catalog (its stored pairs were read); otherwise it was looked up
    /// among the catalog's fingerprints.
    pub catalogued: bool,
    pub matches: Vec<SimilarMatch>,
}

/// One file showing the same picture.
#[derive(Debug, Serialize)]
pub(in crate::cli) struct SimilarMatch {
    pub path: String,
    pub blake3: String,
    /// Correlation of the aligned thumbnails' detail, up to 1.
    pub similarity: f32,
    /// Hamming distance between the closest of the two photos' hashes (0..64).
    pub distance: u32,
    /// Fraction cut from each side: > 0 when this match is a crop of the file asked about.
    pub crop: f32,
    /// One is the other flipped left to right (absent when not).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mirrored: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    pub indicators: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    /// What differs besides the picture, language-neutral (`crop`, `size_here`/`size_there`,
    /// `format_here`/`format_there`, `dated`), as in the `reused_photo` reason's params.
    pub differences: BTreeMap<String, String>,
    /// The same in the reader's language.
    pub how: Vec<String>,
}

pub(in crate::cli) fn similar(cfg: &Config, target: &str, json: bool) -> anyhow::Result<Exit> {
    let catalog = Catalog::open_existing(&cfg.archive_dir)?;
    let l = crate::cli::lang();
    let report = match catalogued(&catalog, target)? {
        Some(row) => from_catalog(&catalog, row)?,
        None => {
            let path = PathBuf::from(target);
            if !path.is_file() {
                bail!(
                    "{}",
                    l.fill(
                        Msg::SimilarNotFound,
                        &[("target", &target), ("archive", &cfg.archive_dir.display())]
                    )
                );
            }
            from_outside(&catalog, cfg, &path)?
        }
    };
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &report)?;
        std::io::Write::write_all(&mut out, b"\n")?;
    } else {
        print::similar(&mut out, &report)?;
    }
    Ok(Exit::Ok)
}

/// The catalogued file `target` names (a BLAKE3 or a unique prefix of 8+, or a path), if any.
fn catalogued(catalog: &Catalog, target: &str) -> anyhow::Result<Option<FileRow>> {
    let t = target.trim();
    let looks_like_hash = (8..=64).contains(&t.len()) && t.chars().all(|c| c.is_ascii_hexdigit());
    let mut rows = if looks_like_hash {
        catalog.files_by_blake3_prefix(&t.to_lowercase())?
    } else {
        Vec::new()
    };
    if rows.is_empty() {
        let p = PathBuf::from(t);
        let abs = crate::platform::canonicalize(&p).unwrap_or(p);
        rows.extend(catalog.file_by_path(&abs)?);
    }
    // A present copy speaks for the content; any row will do otherwise.
    rows.sort_by_key(|r| r.status != Status::Present);
    Ok(rows.into_iter().next())
}

/// A catalogued file: its content's stored pairs.
fn from_catalog(catalog: &Catalog, row: FileRow) -> anyhow::Result<SimilarReport> {
    let l = crate::cli::lang();
    let here = row.to_record(l);
    let Some(b3) = row.blake3.clone() else {
        bail!(
            "{}",
            l.fill(Msg::SimilarNoFingerprint, &[("path", &here.path)])
        );
    };
    if catalog.fingerprint(&b3)?.is_none() {
        bail!(
            "{}",
            l.fill(Msg::SimilarNoFingerprint, &[("path", &here.path)])
        );
    }
    let matches = matches_of(catalog, &Side::of_record(&here), &catalog.near_of(&b3)?)?;
    Ok(SimilarReport {
        path: here.path,
        blake3: b3,
        catalogued: true,
        matches,
    })
}

/// A file outside the catalog: fingerprinted now and looked up among every stored
/// fingerprint (a content already catalogued under another name answers from its pairs).
fn from_outside(catalog: &Catalog, cfg: &Config, path: &Path) -> anyhow::Result<SimilarReport> {
    let l = crate::cli::lang();
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, e))?;
    let b3 = blake3::hash(&bytes).to_hex().to_string();
    if let Some(row) = catalog.files_by_blake3(&b3)?.into_iter().next() {
        let mut r = from_catalog(catalog, row)?;
        r.path = shown;
        return Ok(r);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = Arc::new(bytes);
    let facts = crate::extract::extract_bytes(&name, bytes.clone(), &cfg.limits);
    let cannot = |why: String| {
        anyhow::anyhow!(
            "{}",
            l.fill(
                Msg::SimilarCannotFingerprint,
                &[("path", &shown), ("why", &why)]
            )
        )
    };
    // The picture `archive index` would fingerprint: a HEIC through libheif, a camera RAW by
    // its embedded preview.
    let (grey, origin) =
        crate::pipeline::similar_picture(path, &facts.mime, &bytes).map_err(cannot)?;
    let f = similar::fingerprint::of_grey(&grey, origin.orientation(facts.orientation));
    // Only the fingerprints close enough to be candidates are kept from the scan; the index
    // and the verification are then the ones `archive index` uses.
    let all = catalog.fingerprints_near(&f.hashes, similar::lookup::MAX_DISTANCE)?;
    let mut index = Index::new();
    for (_, h) in &all {
        index.add(*h);
    }
    let mut near = Vec::new();
    for v in similar::near_duplicates(&index, &f, None, |e| {
        catalog
            .fingerprint(&all[e as usize].0)
            .ok()
            .flatten()
            .map(|f| f.thumb)
    }) {
        near.push(Near {
            blake3: all[v.entry as usize].0.clone(),
            similarity: v.matched.similarity,
            distance: v.distance,
            crop: v.matched.crop,
            mirrored: v.matched.mirrored,
        });
    }
    near.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    let matches = matches_of(catalog, &Side::of_facts(&facts), &near)?;
    Ok(SimilarReport {
        path: shown,
        blake3: b3,
        catalogued: false,
        matches,
    })
}

/// Every present file holding one of `near`'s contents, most similar first.
fn matches_of(catalog: &Catalog, here: &Side, near: &[Near]) -> anyhow::Result<Vec<SimilarMatch>> {
    let l = crate::cli::lang();
    let mut out = Vec::new();
    for n in near {
        for row in catalog.files_by_blake3(&n.blake3)? {
            if row.status != Status::Present {
                continue;
            }
            let r: Record = row.to_record(l);
            let differences: BTreeMap<String, String> =
                differences(n.crop, n.mirrored, here, &Side::of_record(&r))
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
            out.push(SimilarMatch {
                how: differences_said(&differences, l),
                differences,
                path: r.path.clone(),
                blake3: n.blake3.clone(),
                similarity: n.similarity,
                distance: n.distance,
                crop: n.crop,
                mirrored: n.mirrored,
                prefecture: r.prefecture.as_ref().map(|p| p.name.clone()),
                county: r.county.as_ref().map(|c| c.name.clone()),
                indicators: r.indicators.iter().map(|i| i.code.clone()).collect(),
                captured_at: r.captured_at.clone(),
                camera: r.camera.as_ref().and_then(|c| c.label()),
            });
        }
    }
    Ok(out)
}
