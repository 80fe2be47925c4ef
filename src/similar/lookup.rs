//! Finding the candidate near-duplicates of a photo among a million without comparing all
//! pairs: multi-index hashing over the 64-bit hashes.
//!
//! Each hash is cut into four 16-bit bands, and each band value is a key of its own table. Two
//! hashes within Hamming distance 7 agree on at least one band up to one bit (pigeonhole), so a
//! query looks up each band's value and its 16 one-bit neighbours: 68 lookups per hash, each
//! returning a handful of entries, whatever the number of photos. Candidates further than
//! [`MAX_DISTANCE`] are dropped before any thumbnail is compared.

use rustc_hash::FxHashMap;

use super::KINDS;

/// The largest Hamming distance between two hashes that makes a candidate. Distances up to 7
/// are always found; 8 to this bound when one band is closer than the others (it usually is).
pub const MAX_DISTANCE: u32 = 12;

/// An index of fingerprints by their hashes. Entries are numbered in the order added.
#[derive(Default)]
pub struct Index {
    hashes: Vec<[u64; KINDS]>,
    /// Per band (0..4): band value → (entry << 2 | kind).
    bands: [FxHashMap<u16, Vec<u32>>; 4],
}

/// A candidate from [`Index::candidates`]: the entry and the closest pair of hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub entry: u32,
    pub distance: u32,
    /// Which of the query's hashes and which of the entry's were that close (indexes into
    /// `fingerprint::INSETS`): they say how the two pictures are likely aligned.
    pub query_kind: u8,
    pub entry_kind: u8,
    /// An equally close pair of the same two photos' hashes suggests the opposite crop (the
    /// query's centre against the entry's whole, and the other way round, as when both were
    /// cropped from a larger picture): verification tries both, so that what it finds does not
    /// depend on which of the two photos asked.
    pub opposite_tie: bool,
}

impl Candidate {
    /// The crop the closest hashes suggest, as [`super::compare::Match::crop`] counts it
    /// (> 0: the entry is a crop of the query).
    pub fn crop_hint(&self) -> f32 {
        use super::fingerprint::INSETS;
        INSETS[usize::from(self.query_kind)] - INSETS[usize::from(self.entry_kind)]
    }

    /// The crops verification tries around: [`Candidate::crop_hint`], and its opposite when an
    /// equally close pair of hashes suggests that one (`opposite_tie`).
    pub fn crop_hints(&self) -> Vec<f32> {
        let h = self.crop_hint();
        if self.opposite_tie {
            vec![h, -h]
        } else {
            vec![h]
        }
    }
}

fn band(h: u64, b: usize) -> u16 {
    (h >> (16 * b)) as u16
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The hashes of an entry.
    pub fn hashes_of(&self, entry: u32) -> [u64; KINDS] {
        self.hashes[entry as usize]
    }

    /// Add one photo's hashes; returns its entry number.
    pub fn add(&mut self, hashes: [u64; KINDS]) -> u32 {
        let entry = self.hashes.len() as u32;
        for (k, h) in hashes.iter().enumerate() {
            for b in 0..4 {
                self.bands[b]
                    .entry(band(*h, b))
                    .or_default()
                    .push(entry << 2 | k as u32);
            }
        }
        self.hashes.push(hashes);
        entry
    }

    /// Entries with any of their hashes within [`MAX_DISTANCE`] of any of `hashes` (a
    /// fingerprint's, or its first few: kinds in `INSETS` order), each entry once with the
    /// smallest distance, `skip` excepted.
    pub fn candidates(&self, hashes: &[u64], skip: Option<u32>) -> Vec<Candidate> {
        let mut best: FxHashMap<u32, Candidate> = FxHashMap::default();
        for (qk, &q) in hashes.iter().enumerate() {
            for b in 0..4 {
                let v = band(q, b);
                for flip in std::iter::once(0u16).chain((0..16).map(|i| 1u16 << i)) {
                    let Some(list) = self.bands[b].get(&(v ^ flip)) else {
                        continue;
                    };
                    for &packed in list {
                        let entry = packed >> 2;
                        if Some(entry) == skip {
                            continue;
                        }
                        let ek = (packed & 3) as usize;
                        let d = (self.hashes[entry as usize][ek] ^ q).count_ones();
                        if d > MAX_DISTANCE {
                            continue;
                        }
                        let c = Candidate {
                            entry,
                            distance: d,
                            query_kind: qk as u8,
                            entry_kind: ek as u8,
                            opposite_tie: false,
                        };
                        let e = best.entry(entry).or_insert(c);
                        // The closest pair; among equals, the one with the least crop (the
                        // same amount either way round is a tie to say).
                        let key = |c: &Candidate| (c.distance, c.crop_hint().abs().to_bits());
                        if key(&c) < key(e) {
                            *e = c;
                        } else if key(&c) == key(e) && c.crop_hint() != e.crop_hint() {
                            e.opposite_tie = true;
                        }
                    }
                }
            }
        }
        let mut out: Vec<Candidate> = best.into_values().collect();
        out.sort_by_key(|c| (c.distance, c.entry));
        out
    }
}
