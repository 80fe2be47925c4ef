//! The index run's near-duplicate step: fingerprint every photo content that has no current
//! fingerprint, then find and verify the near-duplicates of those just fingerprinted.
//!
//! It runs after the walk, over the catalog rather than inside the readers, so that one
//! mechanism serves a new tree, new files in an old tree and a catalog made before
//! fingerprints existed (or by another fingerprint version): all are "photo contents without a
//! current fingerprint". Each content is decoded once, from one of its present files, and a
//! killed run keeps every chunk already written. `retag` and `reindex` never come here.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{Catalog, ToFingerprint};
use crate::similar::{self, Fingerprint, Index, Near};
use crate::Result;

/// Contents fingerprinted (and then searched) per transaction.
const CHUNK: usize = 512;
/// Photos larger than this are not read for a fingerprint (no phone photo comes near it).
const MAX_PHOTO_BYTES: u64 = 256 * 1024 * 1024;

/// What the step did.
#[derive(Debug, Default)]
pub(super) struct SimilarPass {
    /// Contents fingerprinted this run (decoded or found undecodable).
    pub fingerprinted: u64,
    /// Contents whose near-duplicate pairs may have changed: those fingerprinted and every
    /// content paired with them before or now. Their files' flags are recomputed.
    pub changed: FxHashSet<String>,
}

/// Fingerprint what needs it and pair it. `threads` decode at once.
pub(super) fn run(
    catalog: &mut Catalog,
    threads: usize,
    announce: impl Fn(usize),
) -> Result<SimilarPass> {
    let todo = catalog.photos_to_fingerprint()?;
    let mut pass = SimilarPass::default();
    if todo.is_empty() {
        return Ok(pass);
    }
    announce(todo.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("fingerprint-{i}"))
        .build()
        .map_err(|e| crate::Error::Thread {
            what: "fingerprint threads",
            cause: std::io::Error::other(e),
        })?;
    let mut fresh = Vec::new();
    for chunk in todo.chunks(CHUNK) {
        let done: Vec<(String, std::result::Result<Fingerprint, String>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|t| (t.blake3.clone(), fingerprint_file(t)))
                .collect()
        });
        // Pairs of a content fingerprinted again are dropped with its old fingerprint.
        for (b3, _) in &done {
            pass.changed
                .extend(catalog.near_of(b3)?.into_iter().map(|n| n.blake3));
        }
        catalog.write_fingerprints(&done)?;
        pass.fingerprinted += done.len() as u64;
        for (b3, f) in done {
            pass.changed.insert(b3.clone());
            if f.is_ok() {
                fresh.push(b3);
            }
        }
    }
    pair(catalog, &pool, &fresh, &mut pass.changed)?;
    Ok(pass)
}

fn fingerprint_file(t: &ToFingerprint) -> std::result::Result<Fingerprint, String> {
    let size = std::fs::metadata(&t.path).map_err(|e| e.to_string())?.len();
    if size > MAX_PHOTO_BYTES {
        return Err(format!("{size} bytes is larger than any photo"));
    }
    let bytes = std::fs::read(&t.path).map_err(|e| e.to_string())?;
    similar::fingerprint(&bytes, t.orientation).map_err(|e| e.to_string())
}

/// Find the verified near-duplicates of each fresh content among all fingerprinted contents
/// and store them. The index holds hashes only; thumbnails are read for candidates alone.
fn pair(
    catalog: &mut Catalog,
    pool: &rayon::ThreadPool,
    fresh: &[String],
    changed: &mut FxHashSet<String>,
) -> Result<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let all = catalog.fingerprint_hashes()?;
    let mut index = Index::new();
    let mut entry_of: FxHashMap<&str, u32> = FxHashMap::default();
    for (b3, h) in &all {
        entry_of.insert(b3.as_str(), index.add(*h));
    }
    for chunk in fresh.chunks(CHUNK) {
        let mut queries = Vec::with_capacity(chunk.len());
        for b3 in chunk {
            if let Some(f) = catalog.fingerprint(b3)? {
                let own = entry_of.get(b3.as_str()).copied();
                let cands = index.candidates(&f, own);
                queries.push((b3, f, cands));
            }
        }
        let mut thumbs: FxHashMap<u32, Vec<u8>> = FxHashMap::default();
        for (_, _, cands) in &queries {
            for c in cands {
                if let std::collections::hash_map::Entry::Vacant(v) = thumbs.entry(c.entry) {
                    if let Some(f) = catalog.fingerprint(&all[c.entry as usize].0)? {
                        v.insert(f.thumb);
                    }
                }
            }
        }
        let found: Vec<(&String, Vec<Near>)> = pool.install(|| {
            queries
                .par_iter()
                .map(|(b3, f, cands)| {
                    let near = cands
                        .iter()
                        .filter_map(|c| {
                            let m = similar::compare::compare_hinted(
                                &f.thumb,
                                thumbs.get(&c.entry)?,
                                c.crop_hint(),
                            );
                            (m.similarity >= similar::MIN_SIMILARITY).then(|| Near {
                                blake3: all[c.entry as usize].0.clone(),
                                similarity: m.similarity,
                                distance: c.distance,
                                crop: m.crop,
                            })
                        })
                        .collect();
                    (*b3, near)
                })
                .collect()
        });
        for (b3, near) in found {
            changed.extend(near.iter().map(|n| n.blake3.clone()));
            catalog.write_near(b3, &near)?;
        }
    }
    Ok(())
}
