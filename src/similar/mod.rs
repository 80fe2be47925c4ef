//! Near-duplicate photos: the same picture submitted again after it was re-compressed,
//! resized, cropped, watermarked, brightened or saved as PNG, so that its BLAKE3 differs and
//! the exact-duplicate check cannot see it.
//!
//! Three steps, each in its own file: a visual fingerprint per photo ([`fingerprint`]: DCT
//! hashes of the whole picture and of centred crops, and a 32×32 grey thumbnail), candidates by
//! multi-index hashing ([`lookup`], never all pairs), and a verification that aligns and
//! correlates the thumbnails ([`compare`]). Fingerprints are computed once per content by
//! `archive index` and stored in the catalog; the pairs found are stored too, so tagging, the
//! record page and `archive show` read them without decoding anything.
//!
//! A leaf module: it knows bytes and pixels, not files, catalogs or tags.

pub mod compare;
pub mod exif_thumb;
pub mod fingerprint;
pub mod lookup;
#[cfg(test)]
mod tests;

pub use compare::{compare, Match, Prepared};
pub use fingerprint::{fingerprint, FingerprintError};
pub use lookup::{Candidate, Index};

/// Bumped when the fingerprint changes (its hashes, grid, thumbnail or decoding, or what the
/// step records beside it: version 2 compares the EXIF thumbnail with the picture): a catalog's
/// fingerprints of another version are computed again by the next `archive index`.
/// Version 3: the acceptance rule changed (`accept`); pairs found under the old rule go with
/// the fingerprints they were found with, and the next index run pairs again.
pub const FINGERPRINT_VERSION: i64 = 3;

/// Hashes per photo: the whole picture and two centred crops (see `fingerprint::INSETS`).
pub const KINDS: usize = 3;
/// Side of the grid each hash is computed from.
pub const GRID: usize = 32;
/// Side of the grey thumbnail kept for verification.
pub const THUMB: usize = 32;

/// Two photos whose aligned thumbnails' detail correlates at least this much are the same
/// picture. Chosen with `bench/similar_recall.rs`, which prints recall and precision at several
/// thresholds over 100 originals × 8 alterations among 300 look-alike photos of other events:
/// at 0.965 precision by file was 94.6 % (look-alikes scored 0.966–0.976), at 0.975 it is
/// 98.7 % with 98.9 % of copies still found, at 0.98 99.9 % but recall falls to 95 %. A larger,
/// held-out set (other seeds and size) is in docs/performance.md. The generated fixtures'
/// margins are asserted in src/similar/tests.rs.
pub const MIN_SIMILARITY: f32 = 0.975;

/// Hamming distance of the closest hashes above which a pair must be all but identical in its
/// thumbnails ([`SURE_SIMILARITY`]) to count. Look-alike photos of other events that pass
/// `MIN_SIMILARITY` do so with hashes 7–12 bits apart; every alteration the issue names keeps
/// its closest hashes within 6 bits, or scores higher. `bench/similar_recall.rs` prints the
/// table this was read from (docs/performance.md).
pub const MAX_DISTANCE_UNLESS_SURE: u32 = 6;
/// A thumbnail correlation that counts whatever the hashes say.
pub const SURE_SIMILARITY: f32 = 0.99;

/// Whether a verified candidate is a near-duplicate: its thumbnails' similarity, and how far
/// apart its closest hashes are.
pub fn accept(similarity: f32, distance: u32) -> bool {
    similarity >= MIN_SIMILARITY
        && (distance <= MAX_DISTANCE_UNLESS_SURE || similarity >= SURE_SIMILARITY)
}

/// Compare `mine` with a candidate's thumbnail at the crop their closest hashes suggest: the
/// match when it is a near-duplicate by [`accept`]. A thumbnail compared flipped must be all
/// but identical ([`SURE_SIMILARITY`]): the generated look-alikes (sky, ridge, banner, a row of
/// people) are nearly symmetric, and flipping gives each photo a second chance to meet one;
/// under [`accept`]'s rule `similar_recall` flagged 4 more files of other events among 1,800
/// (precision by file 99.06 → 98.84 %), while a flipped copy scores above 0.99.
pub fn verify(mine: &Prepared, theirs: &Prepared, c: &Candidate) -> Option<Match> {
    let m = compare::compare_hinted(mine, theirs, &c.crop_hints());
    let near = if m.mirrored {
        m.similarity >= SURE_SIMILARITY
    } else {
        accept(m.similarity, c.distance)
    };
    near.then_some(m)
}

/// One photo's visual fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub hashes: [u64; KINDS],
    /// THUMB×THUMB grey levels, upright, row-major.
    pub thumb: Vec<u8>,
}

impl Fingerprint {
    /// The hashes as stored (little-endian, KINDS × 8 bytes).
    pub fn hash_bytes(&self) -> Vec<u8> {
        self.hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
    }

    /// Hashes from their stored bytes; None when the length is not KINDS × 8.
    pub fn hashes_from(bytes: &[u8]) -> Option<[u64; KINDS]> {
        if bytes.len() != KINDS * 8 {
            return None;
        }
        let mut out = [0u64; KINDS];
        for (h, c) in out.iter_mut().zip(bytes.chunks_exact(8)) {
            *h = u64::from_le_bytes(c.try_into().ok()?);
        }
        Some(out)
    }
}

/// One side of a verified near-duplicate pair, as seen from the other.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    pub blake3: String,
    /// Correlation of the aligned thumbnails' detail (1 = the same picture).
    pub similarity: f32,
    /// Hamming distance between the closest hashes (0..64).
    pub distance: u32,
    /// The fraction cut from each side that aligned them: > 0 when this near-duplicate is a
    /// crop of the photo it is listed for, < 0 when that photo is a crop of it.
    pub crop: f32,
    /// One is the other flipped left to right.
    pub mirrored: bool,
}

/// Near-duplicates per content.
pub type NearMap = rustc_hash::FxHashMap<String, Vec<Near>>;

/// A verified near-duplicate of a photo: which entry, how far its closest hashes are, and how
/// its thumbnail matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verified {
    pub entry: u32,
    pub distance: u32,
    pub matched: Match,
}

/// The verified near-duplicates of `f` in `index`: candidates by hash, then thumbnails
/// compared; then, among entries not already matched, candidates of the flipped thumbnail's
/// hash, compared flipped (see [`mirrored_candidates`]). `thumb` gives an entry's thumbnail
/// (kept outside the index, which holds only hashes, so a million photos' index stays small).
pub fn near_duplicates(
    index: &Index,
    f: &Fingerprint,
    skip: Option<u32>,
    mut thumb: impl FnMut(u32) -> Option<Vec<u8>>,
) -> Vec<Verified> {
    let Some(mine) = Prepared::new(&f.thumb) else {
        return Vec::new();
    };
    let plain = index.candidates(&f.hashes, skip);
    let flipped = mine.mirrored();
    // Never an entry already among `plain`: one picture is matched one way.
    let mirrored = mirrored_candidates(index, &flipped, skip, &plain);
    let mut found = |cands: Vec<Candidate>, mine: &Prepared| -> Vec<Verified> {
        cands
            .into_iter()
            .filter_map(|c| {
                let matched = verify(mine, &Prepared::new(&thumb(c.entry)?)?, &c)?;
                Some(Verified {
                    entry: c.entry,
                    distance: c.distance,
                    matched,
                })
            })
            .collect()
    };
    let mut all = found(plain, &mine);
    all.extend(found(mirrored, &flipped));
    all
}

/// Candidates for a mirrored copy: entries whose hashes are within
/// [`MAX_DISTANCE_UNLESS_SURE`] of the whole flipped thumbnail's, other than `skip` and those
/// `plain` already holds (they are compared as they are). Only the whole picture is flipped,
/// and only the close band is taken: a flipped copy lands within a few bits of its original,
/// while the 7–12 band is where look-alike scenes of other events are (on the bench's 5,000
/// photos it held 6,898 of 6,972 flipped candidates, each a verification for nothing). A
/// mirrored copy that was also cropped is not looked for.
pub fn mirrored_candidates(
    index: &Index,
    flipped: &Prepared,
    skip: Option<u32>,
    plain: &[Candidate],
) -> Vec<Candidate> {
    // The crops' hashes cannot be had from a thumbnail; the whole picture's is kind 0, so
    // the crop hints stay right.
    index
        .candidates(&[flipped.whole_hash()], skip)
        .into_iter()
        .filter(|c| c.distance <= MAX_DISTANCE_UNLESS_SURE)
        .filter(|c| !plain.iter().any(|p| p.entry == c.entry))
        .collect()
}
