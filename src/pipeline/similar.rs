//! The index run's near-duplicate step: fingerprint every photo content that has no current
//! fingerprint, then find and verify the near-duplicates of those just fingerprinted.
//!
//! It runs after the walk, over the catalog rather than inside the readers, so that one
//! mechanism serves a new tree, new files in an old tree and a catalog made before
//! fingerprints existed (or by another fingerprint version): all are "photo contents without a
//! current fingerprint". Each content is decoded once, from one of its present files, and a
//! killed run keeps every chunk already written. `retag` and `reindex` never come here.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{Catalog, ToFingerprint};
use crate::similar::{self, Candidate, Fingerprint, Index, Match, Near, Prepared, KINDS};
use crate::thumb::tools::{heif_small, heif_small_available, HEIF_MIMES};
use crate::Result;

/// Contents fingerprinted (and then searched) per transaction.
const CHUNK: usize = 512;
/// Prepared thumbnails kept between chunks of pairing (~20 KB each with their views).
const THUMBS_KEPT: usize = 4096;
/// Thumbnails of this run's fingerprints kept in memory for pairing (1 KB each), so that a
/// first index does not read back from the catalog what it has just written; beyond this many,
/// pairing reads the rest from the catalog.
const FRESH_THUMBS_KEPT: usize = 32_768;
/// Photos larger than this are not read for a fingerprint (no phone photo comes near it).
const MAX_PHOTO_BYTES: u64 = 256 * 1024 * 1024;

/// What the step did.
#[derive(Debug, Default)]
pub(super) struct SimilarPass {
    /// Contents fingerprinted this run (decoded or found undecodable).
    pub fingerprinted: u64,
    /// Contents whose flags may have changed: those paired before being fingerprinted again
    /// or paired now, their partners, and those whose EXIF thumbnail disagrees with the
    /// picture. Their files are retagged.
    pub changed: FxHashSet<String>,
    /// Photos settled as scenes for the OCR stage by its document test, run here on the
    /// picture already decoded (the stage would otherwise read and decode every photo again).
    pub scenes: u64,
    /// HEIC, HEIF and AVIF photos left without a fingerprint because neither of libheif's
    /// tools (`heif-thumbnailer`, `heif-convert`) is installed: fingerprinted by a run that
    /// has one.
    pub waiting_for_tool: u64,
}

/// What a photo left unfingerprinted waits for: [`COMPLETE_KEY`] says the step is complete
/// but for these, so that an unchanged re-index does not look again until the tool is there.
const WITHOUT_HEIF: &str = "|without heif-convert";

/// Meta key: the fingerprint version with which every present photo content was fingerprinted
/// and paired at the end of the last run. Cleared by a run's first catalog change (with the tag
/// fingerprint, `tags::invalidate_tags`), so an unchanged re-index skips the step without
/// asking the catalog which photos lack a fingerprint (a join over every file).
pub(super) const COMPLETE_KEY: &str = crate::catalog::FINGERPRINTS_COMPLETE;

/// Fingerprint what needs it and pair it. `threads` decode at once. With `settle_scenes`
/// (OCR of documents only), each picture also takes OCR's document test.
pub(super) fn run(
    catalog: &mut Catalog,
    threads: usize,
    settle_scenes: bool,
    announce: impl Fn(usize),
) -> Result<SimilarPass> {
    let mut pass = SimilarPass::default();
    let version = crate::similar::FINGERPRINT_VERSION.to_string();
    let complete = catalog.meta(COMPLETE_KEY)?;
    if complete.as_deref() == Some(version.as_str()) {
        return Ok(pass);
    }
    let heif = heif_small_available();
    if !heif && complete.as_deref() == Some(format!("{version}{WITHOUT_HEIF}").as_str()) {
        pass.waiting_for_tool = catalog.photos_to_fingerprint_count(Some(HEIF_MIMES))?;
        return Ok(pass);
    }
    let mut todo = catalog.photos_to_fingerprint()?;
    if !heif {
        // Left as they are: the run that has the tool fingerprints them.
        let before = todo.len();
        todo.retain(|t| !HEIF_MIMES.contains(&t.mime.as_str()));
        pass.waiting_for_tool = (before - todo.len()) as u64;
    }
    let complete = if pass.waiting_for_tool > 0 {
        format!("{version}{WITHOUT_HEIF}")
    } else {
        version.clone()
    };
    if todo.is_empty() && catalog.unpaired_fingerprints()?.is_empty() {
        catalog.set_meta(COMPLETE_KEY, &complete)?;
        return Ok(pass);
    }
    // Pairs change flags: if this run is killed after writing some, the next one must retag.
    super::tags::invalidate_tags(catalog, &mut false)?;
    if !todo.is_empty() {
        announce(todo.len());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("fingerprint-{i}"))
        .build()
        .map_err(|e| crate::Error::Thread {
            what: "fingerprint threads",
            cause: std::io::Error::other(e),
        })?;
    let started = std::time::Instant::now();
    let mut decoding = std::time::Duration::ZERO;
    let mut fresh_thumbs: FxHashMap<String, Vec<u8>> = FxHashMap::default();
    for chunk in todo.chunks(CHUNK) {
        let t = std::time::Instant::now();
        let read: Vec<(String, std::result::Result<Read, String>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|t| (t.blake3.clone(), fingerprint_file(t, settle_scenes)))
                .collect()
        });
        decoding += t.elapsed();
        // Only a disagreement is recorded: it is what the tagger flags, and rewriting every
        // photo's facts to say "agrees" would double this step's catalog writes.
        let disagreements: Vec<(String, f32)> = read
            .iter()
            .filter_map(|(b3, r)| Some((b3.clone(), r.as_ref().ok()?.thumb_agreement?)))
            .filter(|(_, a)| *a < similar::exif_thumb::MIN_AGREEMENT)
            .collect();
        catalog.write_thumb_agreements(&disagreements)?;
        let scenes: Vec<String> = read
            .iter()
            .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.scene))
            .map(|(b3, _)| b3.clone())
            .collect();
        pass.scenes += catalog.write_scenes(&scenes)?;
        pass.changed
            .extend(disagreements.into_iter().map(|(b3, _)| b3));
        let done: Vec<(String, std::result::Result<Fingerprint, String>)> = read
            .into_iter()
            .map(|(b3, r)| (b3, r.map(|r| r.fingerprint)))
            .collect();
        // Pairs of a content fingerprinted again are dropped with its old fingerprint: it and
        // its old partners are retagged. A content never paired (the usual case: a new photo)
        // changes no flag unless the pairing below finds it a partner.
        for (b3, _) in &done {
            let old = catalog.near_of(b3)?;
            if !old.is_empty() {
                pass.changed.insert(b3.clone());
                pass.changed.extend(old.into_iter().map(|n| n.blake3));
            }
        }
        catalog.write_fingerprints(&done)?;
        pass.fingerprinted += done.len() as u64;
        for (b3, f) in done {
            if let (Ok(f), true) = (f, fresh_thumbs.len() < FRESH_THUMBS_KEPT) {
                fresh_thumbs.insert(b3, f.thumb);
            }
        }
    }
    // Phase times for whoever tunes this step: `ARCHIVE_LOG=archive::pipeline::similar=debug`.
    tracing::debug!(
        photos = todo.len(),
        decoding_s = decoding.as_secs_f64(),
        writing_s = (started.elapsed() - decoding).as_secs_f64(),
        "fingerprinted"
    );
    // This run's fingerprints, and any a killed run left unpaired.
    let fresh = catalog.unpaired_fingerprints()?;
    let started = std::time::Instant::now();
    pair(catalog, &pool, &fresh, &fresh_thumbs, &mut pass.changed)?;
    tracing::debug!(
        fresh = fresh.len(),
        pairing_s = started.elapsed().as_secs_f64(),
        "paired"
    );
    catalog.set_meta(COMPLETE_KEY, &complete)?;
    Ok(pass)
}

/// What one decode of a photo gives.
struct Read {
    fingerprint: Fingerprint,
    /// How its EXIF thumbnail agrees with it, when it has one that decodes.
    thumb_agreement: Option<f32>,
    /// OCR's document test was run and found a scene.
    scene: bool,
}

fn fingerprint_file(t: &ToFingerprint, test_scene: bool) -> std::result::Result<Read, String> {
    let size = std::fs::metadata(&t.path).map_err(|e| e.to_string())?.len();
    if size > MAX_PHOTO_BYTES {
        return Err(format!("{size} bytes is larger than any photo"));
    }
    let heif = HEIF_MIMES.contains(&t.mime.as_str());
    // A HEIC's picture comes from libheif, which reads the file itself.
    let bytes = if heif {
        Vec::new()
    } else {
        std::fs::read(&t.path).map_err(|e| e.to_string())?
    };
    let (grey, origin) = picture_of(&t.path, &t.mime, &bytes)?;
    let orientation = origin.orientation(t.orientation);
    Ok(Read {
        // The picture is decoded here anyway: its EXIF thumbnail costs only its own small
        // decode. Only the file's own picture: a RAW's small thumbnail and its preview are two
        // renderings of the sensor's data, not an edit's before and after.
        thumb_agreement: (origin == Origin::File)
            .then(|| similar::exif_thumb::thumbnail_agreement(&bytes, &grey))
            .flatten(),
        fingerprint: similar::fingerprint::of_grey(&grey, orientation),
        scene: test_scene && is_scene(t, &grey, origin, &bytes, orientation),
    })
}

/// OCR's document test on the picture decoded for the fingerprint: true for a scene.
fn is_scene(
    t: &ToFingerprint,
    grey: &similar::fingerprint::Grey,
    origin: Origin,
    bytes: &[u8],
    orientation: Option<u16>,
) -> bool {
    use crate::ocr::looks;
    // Too small to carry writing the engine reads: the OCR stage would call it a scene after
    // decoding it whole (`looks::of_decoded`), so no test is needed. (A RAW's stated size
    // may be its small IFD0 thumbnail's, not the picture's.)
    if origin != Origin::RawPreview && t.long_side.is_some_and(|s| s < looks::MIN_DOCUMENT_SIDE) {
        return true;
    }
    let looks = || looks::of_picture(grey, orientation);
    match origin {
        // A JPEG (the file, or a RAW's preview) arrives at 1/8 already.
        Origin::RawPreview => !looks().document,
        Origin::File if bytes.starts_with(&[0xFF, 0xD8]) => !looks().document,
        // Anything else whole, brought to that scale.
        Origin::File => !looks::of_whole(grey, orientation).document,
        // A HEIC's stored thumbnail is too small to count a page's lines on: it settles only
        // plain scenes, and the OCR stage decodes the rest whole.
        Origin::Heif => looks::plainly_a_scene(&looks()),
    }
}

/// Where the picture a fingerprint is made from came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The file decoded as it is (JPEG at 1/8, anything else whole).
    File,
    /// A camera RAW's embedded JPEG preview (the RAW's orientation applies to it).
    RawPreview,
    /// A HEIC, HEIF or AVIF through libheif: its stored thumbnail, or the whole picture,
    /// already turned as the container says (its `irot`/`imir`; EXIF orientation does not
    /// apply to HEIF).
    Heif,
}

impl Origin {
    /// The EXIF orientation to turn the picture by.
    pub(crate) fn orientation(self, exif: Option<u16>) -> Option<u16> {
        if self == Origin::Heif {
            None
        } else {
            exif
        }
    }
}

/// The picture a photo's fingerprint is made from, for `archive index` and for `archive
/// similar FILE` alike: a HEIC through libheif, a camera RAW (or a RAW that looks like a TIFF:
/// CR2, NEF, DNG) by the JPEG the camera rendered and embedded, anything else decoded as it is.
/// `bytes` are the file's (unused for a HEIC).
pub(crate) fn picture_of(
    path: &std::path::Path,
    mime: &str,
    bytes: &[u8],
) -> std::result::Result<(similar::fingerprint::Grey, Origin), String> {
    use similar::fingerprint::decode_grey;
    if HEIF_MIMES.contains(&mime) {
        let small = heif_small(path, 512).map_err(|e| e.to_string())?;
        return Ok((
            decode_grey(&small).map_err(|e| e.to_string())?,
            Origin::Heif,
        ));
    }
    match decode_grey(bytes) {
        Ok(g) => Ok((g, Origin::File)),
        Err(e) if crate::thumb::is_raw(mime) || mime == "image/tiff" => {
            // A TIFF that is no RAW (a fax server's Group 3 pages) keeps its own error.
            let preview = crate::thumb::tools::raw_preview(bytes).ok_or_else(|| {
                if mime == "image/tiff" {
                    e.to_string()
                } else {
                    "a camera RAW file without an embedded JPEG preview".to_string()
                }
            })?;
            let g = decode_grey(preview).map_err(|e| e.to_string())?;
            Ok((g, Origin::RawPreview))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Find the verified near-duplicates of each fresh content among all fingerprinted contents
/// and store them. Contents with the same hashes (the same pixels under other metadata) share
/// one index entry, so each pair of pictures is verified once however many copies each has;
/// the index holds hashes only, and thumbnails are read for candidates alone.
fn pair(
    catalog: &mut Catalog,
    pool: &rayon::ThreadPool,
    fresh: &[String],
    known: &FxHashMap<String, Vec<u8>>,
    changed: &mut FxHashSet<String>,
) -> Result<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let t = std::time::Instant::now();
    let all = catalog.fingerprint_hashes()?;
    // Every hash is in memory now: the copy for lookups from outside costs one write.
    catalog.write_hash_file(&all)?;
    let mut index = Index::new();
    let mut entry_of: FxHashMap<[u64; KINDS], u32> = FxHashMap::default();
    // Per entry, the contents (indexes into `all`) with its hashes.
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, (_, h)) in all.iter().enumerate() {
        let e = *entry_of.entry(*h).or_insert_with(|| {
            members.push(Vec::new());
            index.add(*h)
        });
        members[e as usize].push(i);
    }
    let fresh: FxHashSet<&str> = fresh.iter().map(String::as_str).collect();
    // Per entry, how many of its contents are new this run: an entry with any is queried; a
    // pair of two entries with nothing else is verified once (below).
    let new_members: Vec<usize> = members
        .iter()
        .map(|m| {
            m.iter()
                .filter(|&&i| fresh.contains(all[i].0.as_str()))
                .count()
        })
        .collect();
    let all_fresh = |e: u32| new_members[e as usize] == members[e as usize].len();
    // In entry order, so that a pair verified once is verified from its first entry.
    let queries: Vec<u32> = (0..members.len() as u32)
        .filter(|&e| new_members[e as usize] > 0)
        .collect();
    let setup = t.elapsed();
    let mut thumbs: FxHashMap<usize, Prepared> = FxHashMap::default();
    let (mut looking, mut reading, mut verifying) = Default::default();
    let mut n_cands = 0usize;
    for chunk in queries.chunks(CHUNK) {
        let t = std::time::Instant::now();
        let index = &index;
        let mut cands: Vec<(u32, Vec<Candidate>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|&e| (e, index.candidates(&index.hashes_of(e), Some(e))))
                .collect()
        });
        looking += t.elapsed();
        n_cands += cands.iter().map(|(_, c)| c.len()).sum::<usize>();
        let t = std::time::Instant::now();
        // Thumbnails: every member of a queried entry, the first member of each candidate.
        // Prepared thumbnails are kept while they fit (a photo is often a candidate of photos
        // in later chunks), and dropped all at once beyond that: a first index of a province's
        // photos must not hold every one of them (~30 KB each with its views).
        if thumbs.len() > THUMBS_KEPT {
            thumbs.clear();
        }
        let mine = cands.iter().flat_map(|(e, _)| &members[*e as usize]);
        load_thumbs(catalog, pool, &all, known, &mut thumbs, mine.copied())?;
        // Mirrored copies: candidates of each queried picture's flipped thumbnail.
        let flips: Vec<Vec<Candidate>> = {
            let (thumbs, members) = (&thumbs, &members);
            pool.install(|| {
                cands
                    .par_iter()
                    .map(|(e, cs)| match thumbs.get(&members[*e as usize][0]) {
                        Some(mine) => {
                            similar::mirrored_candidates(index, &mine.mirrored(), Some(*e), cs)
                        }
                        None => Vec::new(),
                    })
                    .collect()
            })
        };
        // A pair of two entries of new contents only is verified once, from the first:
        // candidates are symmetric (the same bands, the same distance), the verification is too
        // (`Candidate::opposite_tie`), and from either side every content of both is written,
        // both ways (`write_near`). A first index has only such entries, so this halves its
        // verifications. An entry that also holds a content paired before writes only its new
        // ones (below), so its pairs are verified from both sides as before. (The flipped
        // look-ups above needed every plain candidate, to leave them out.)
        for (e, cs) in &mut cands {
            if all_fresh(*e) {
                cs.retain(|c| !all_fresh(c.entry) || c.entry > *e);
            }
        }
        let theirs = cands
            .iter()
            .flat_map(|(_, cs)| cs)
            .chain(flips.iter().flatten());
        let theirs = theirs.map(|c| members[c.entry as usize][0]);
        load_thumbs(catalog, pool, &all, known, &mut thumbs, theirs)?;
        n_cands += flips.iter().map(Vec::len).sum::<usize>();
        reading += t.elapsed();
        let t = std::time::Instant::now();
        let (thumbs, members) = (&thumbs, &members);
        // Per queried entry: how each of its contents matches the first (the same hashes
        // should mean the same picture; the thumbnails confirm it), and the candidates verified.
        type Verified = (u32, Vec<Option<Match>>, Vec<(Candidate, Match)>);
        let verified: Vec<Verified> = pool.install(|| {
            cands
                .par_iter()
                .zip(&flips)
                .map(|((e, cs), flipped_cs)| {
                    let group = &members[*e as usize];
                    let Some(mine) = thumbs.get(&group[0]) else {
                        return (*e, vec![None; group.len()], Vec::new());
                    };
                    // The first is itself, as it is: a flat first matches no other content
                    // anyway (nothing correlates with it), so it need not be compared.
                    let itself = Match {
                        similarity: 1.0,
                        crop: 0.0,
                        mirrored: false,
                    };
                    let same = std::iter::once(Some(itself))
                        .chain(group[1..].iter().map(|i| {
                            let m = similar::compare::compare_hinted(mine, thumbs.get(i)?, &[]);
                            (m.similarity >= similar::MIN_SIMILARITY).then_some(m)
                        }))
                        .collect();
                    let verify = |mine: &Prepared, cs: &[Candidate]| {
                        cs.iter()
                            .filter_map(|c| {
                                let theirs = thumbs.get(&members[c.entry as usize][0])?;
                                Some((*c, similar::verify(mine, theirs, c)?))
                            })
                            .collect::<Vec<_>>()
                    };
                    let mut ok = verify(mine, cs);
                    if !flipped_cs.is_empty() {
                        ok.extend(verify(&mine.mirrored(), flipped_cs));
                    }
                    (*e, same, ok)
                })
                .collect()
        });
        verifying += t.elapsed();
        let mut out: Vec<(String, Vec<Near>)> = Vec::new();
        for (e, same, ok) in verified {
            let group = &members[e as usize];
            for (x, &i) in group.iter().enumerate() {
                if !fresh.contains(all[i].0.as_str()) {
                    continue;
                }
                let mut near = Vec::new();
                // The other contents with the same hashes: each was compared with the first,
                // and a pair is as alike as the less alike of the two.
                for (y, &j) in group.iter().enumerate() {
                    if let (true, Some(a), Some(b)) = (x != y, same[x], same[y]) {
                        let m = if a.similarity < b.similarity { a } else { b };
                        near.push(near_of(&all[j].0, 0, m));
                    }
                }
                for (c, m) in &ok {
                    for &j in &members[c.entry as usize] {
                        near.push(near_of(&all[j].0, c.distance, *m));
                    }
                }
                if !near.is_empty() {
                    changed.insert(all[i].0.clone());
                    changed.extend(near.iter().map(|n| n.blake3.clone()));
                }
                out.push((all[i].0.clone(), near));
            }
        }
        catalog.write_near(&out)?;
    }
    tracing::debug!(
        entries = members.len(),
        candidates = n_cands,
        setup_s = setup.as_secs_f64(),
        candidates_s = std::time::Duration::as_secs_f64(&looking),
        thumbnails_s = std::time::Duration::as_secs_f64(&reading),
        verifying_s = std::time::Duration::as_secs_f64(&verifying),
        "pairing phases"
    );
    Ok(())
}

/// Make ready the thumbnails of contents `wanted` (indexes into `all`) not in `thumbs`: this
/// run's from `known`, others read from the catalog, all prepared in parallel.
fn load_thumbs(
    catalog: &Catalog,
    pool: &rayon::ThreadPool,
    all: &[(String, [u64; KINDS])],
    known: &FxHashMap<String, Vec<u8>>,
    thumbs: &mut FxHashMap<usize, Prepared>,
    wanted: impl Iterator<Item = usize>,
) -> Result<()> {
    let mut missing: Vec<usize> = wanted.filter(|i| !thumbs.contains_key(i)).collect();
    missing.sort_unstable();
    missing.dedup();
    let mut read: Vec<(usize, Cow<[u8]>)> = Vec::with_capacity(missing.len());
    for i in missing {
        let b3 = &all[i].0;
        match known.get(b3) {
            Some(t) => read.push((i, Cow::Borrowed(t))),
            None => {
                if let Some(f) = catalog.fingerprint(b3)? {
                    read.push((i, Cow::Owned(f.thumb)));
                }
            }
        }
    }
    let ready: Vec<(usize, Prepared)> = pool.install(|| {
        read.into_par_iter()
            .filter_map(|(i, t)| Some((i, Prepared::new(&t)?)))
            .collect()
    });
    thumbs.extend(ready);
    Ok(())
}

fn near_of(blake3: &str, distance: u32, m: Match) -> Near {
    Near {
        blake3: blake3.to_string(),
        similarity: m.similarity,
        distance,
        crop: m.crop,
        mirrored: m.mirrored,
    }
}
