//! Whether two candidate photos are really the same picture: their small grey thumbnails are
//! aligned (one may be a centred crop of the other) and correlated, ignoring the worst-matching
//! part (a watermark pasted over a corner).
//!
//! The hashes alone cannot decide: two photos of different events with the same layout (sky,
//! mountains, a banner, a row of people) share most low frequencies. The thumbnails keep the
//! shapes, and a correlation after normalising brightness and contrast is insensitive to what
//! re-saving does (brightening, re-compression, resizing, PNG).

use super::THUMB;

/// Crops tried when aligning without a hint: the fraction cut from each side of the larger
/// picture.
const CROPS: [f32; 6] = [0.0, 0.02, 0.04, 0.06, 0.08, 0.10];
/// Around a hinted crop, the step tried on either side.
const STEP: f32 = 0.02;
/// The worst-matching share of pixels left out (a corner watermark covers ~15 %).
const TRIM: f32 = 0.2;

/// How two thumbnails match at their best alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Correlation of the aligned thumbnails after trimming, -1..1 (1: the same picture).
    pub similarity: f32,
    /// The fraction cut from each side that aligned them: > 0 when the second is a crop of the
    /// first, < 0 when the first is a crop of the second.
    pub crop: f32,
    /// The first was compared flipped left to right (a mirrored copy).
    pub mirrored: bool,
}

/// Crops are multiples of this step (`CROPS`, and a hint ± `STEP` where hints are differences
/// of `fingerprint::INSETS`), so each thumbnail's views can be kept per step.
const CROP_UNIT: f32 = 0.02;
/// Views kept per thumbnail: crops 0, 0.02 … 0.18 (hinted crops stay below 0.2).
const VIEWS: usize = 10;

/// A thumbnail ready to compare: its detail (see [`detail`]) and z-scores, whole and for each
/// centred crop, computed once when first needed. Verification compares one photo with many
/// candidates and each candidate with many photos; recomputing these per comparison was most
/// of the near-duplicate step's time.
pub struct Prepared {
    px: Vec<f32>,
    views: [std::sync::OnceLock<View>; VIEWS],
    mirrored: bool,
}

struct View {
    detail: Vec<f32>,
    z: Vec<f32>,
}

impl Prepared {
    /// None when the thumbnail is not THUMB×THUMB.
    pub fn new(t: &[u8]) -> Option<Prepared> {
        (t.len() == THUMB * THUMB).then(|| Prepared {
            px: to_f32(t),
            views: Default::default(),
            mirrored: false,
        })
    }

    /// The thumbnail flipped left to right: compared with another photo's, it finds a
    /// mirrored copy (a selfie camera's, or one flipped to hide that it was used before), and
    /// the match says so.
    pub fn mirrored(&self) -> Prepared {
        let mut px = self.px.clone();
        for row in px.chunks_exact_mut(THUMB) {
            row.reverse();
        }
        Prepared {
            px,
            views: Default::default(),
            mirrored: !self.mirrored,
        }
    }

    /// The 64-bit DCT hash of the whole thumbnail as it is (flipped, for a mirrored one): the
    /// whole picture's hash (`fingerprint::INSETS[0]`) up to the thumbnail's rounding.
    pub fn whole_hash(&self) -> u64 {
        super::fingerprint::phash(&self.px)
    }

    /// The view of the centre left after cutting `inset` from each side (a multiple of
    /// `CROP_UNIT`).
    fn view(&self, inset: f32) -> &View {
        let i = ((inset / CROP_UNIT).round() as usize).min(VIEWS - 1);
        self.views[i].get_or_init(|| {
            let detail = detail(&centre(&self.px, i as f32 * CROP_UNIT));
            View {
                z: zscores(&detail),
                detail,
            }
        })
    }
}

/// Compare two THUMB×THUMB thumbnails at every alignment in `CROPS`, either way.
pub fn compare(a: &[u8], b: &[u8]) -> Match {
    let crops: Vec<f32> = CROPS
        .iter()
        .flat_map(|&c| if c == 0.0 { vec![0.0] } else { vec![c, -c] })
        .collect();
    match (Prepared::new(a), Prepared::new(b)) {
        (Some(a), Some(b)) => compare_at(&a, &b, &crops),
        _ => no_match(),
    }
}

/// Compare two thumbnails uncropped, at the crop the hashes suggest (`Candidate::crop_hint`)
/// and a step either side of it: four alignments instead of eleven, since verification runs
/// for every candidate.
pub fn compare_hinted(a: &Prepared, b: &Prepared, hint: f32) -> Match {
    let mut crops = vec![0.0, hint - STEP, hint, hint + STEP];
    crops.retain(|c| c.abs() < 0.2);
    crops.sort_by(f32::total_cmp);
    crops.dedup_by(|x, y| (*x - *y).abs() < 1e-4);
    compare_at(a, b, &crops)
}

fn no_match() -> Match {
    Match {
        similarity: -1.0,
        crop: 0.0,
        mirrored: false,
    }
}

/// The best of the given alignments: crop > 0 compares b with the centre of a, < 0 a with the
/// centre of b.
fn compare_at(a: &Prepared, b: &Prepared, crops: &[f32]) -> Match {
    let mut best = no_match();
    for &crop in crops {
        let (x, y) = if crop > 1e-4 {
            (a.view(crop), b.view(0.0))
        } else if crop < -1e-4 {
            (b.view(-crop), a.view(0.0))
        } else {
            (a.view(0.0), b.view(0.0))
        };
        // Trimming leaves out the worst fifth; it cannot lift pictures that disagree
        // everywhere. On the altered copies of `similar_recall` no accepted alignment correlated
        // below 0.47 untrimmed (a corner watermark), while 40 % of rejected ones did.
        if plain_correlation(x, y) < MIN_PLAIN {
            continue;
        }
        let s = trimmed_correlation(x, y);
        if s > best.similarity {
            best = Match {
                similarity: s,
                crop,
                mirrored: a.mirrored,
            };
        }
    }
    best
}

fn to_f32(t: &[u8]) -> Vec<f32> {
    t.iter().map(|&v| f32::from(v)).collect()
}

const PX: usize = THUMB * THUMB;

/// The centred region of a thumbnail left after cutting `inset` of each side, resampled
/// (bilinear) to the full size. The sample positions are the same along both axes (square
/// thumbnails, the same cut on every side), so each input row is resampled across once and the
/// rows are then blended down: the same arithmetic as blending four pixels per output pixel,
/// at a fraction of the cost (verification prepares these views for every candidate).
fn centre(t: &[f32], inset: f32) -> Vec<f32> {
    if inset == 0.0 {
        return t.to_vec();
    }
    let n = THUMB as f32;
    let span = n * (1.0 - 2.0 * inset);
    let taps: [(usize, usize, f32); THUMB] = std::array::from_fn(|g| {
        // Cell centres of the output, in the input's pixel-centre coordinates.
        let v = (n * inset + (g as f32 + 0.5) * span / n - 0.5).clamp(0.0, n - 1.0);
        // Clamped to 0 or more, so truncation is the floor (a library call on x86-64).
        let i = v as usize;
        (i, (i + 1).min(THUMB - 1), v - i as f32)
    });
    let mut across = vec![0f32; PX];
    for (src, dst) in t.chunks_exact(THUMB).zip(across.chunks_exact_mut(THUMB)) {
        for (d, &(x0, x1, tx)) in dst.iter_mut().zip(&taps) {
            *d = src[x0] * (1.0 - tx) + src[x1] * tx;
        }
    }
    let mut out = vec![0f32; PX];
    for (dst, &(y0, y1, ty)) in out.chunks_exact_mut(THUMB).zip(&taps) {
        let (r0, r1) = (
            &across[y0 * THUMB..(y0 + 1) * THUMB],
            &across[y1 * THUMB..(y1 + 1) * THUMB],
        );
        for ((d, a), b) in dst.iter_mut().zip(r0).zip(r1) {
            *d = a * (1.0 - ty) + b * ty;
        }
    }
    out
}

/// The picture less its local average (a 5×5 box): what is left is edges and texture. Two
/// photos of the same layout share the sky-over-ground gradient that dominates a plain
/// correlation; their banners, people and ridges differ here.
fn detail(t: &[f32]) -> Vec<f32> {
    const R: usize = 2;
    let n = THUMB;
    // The box is a rectangle clipped at the edges, so its sum is separable: rows, then columns.
    let span = |i: usize| (i.saturating_sub(R), (i + R).min(n - 1));
    let spans: [(usize, usize); THUMB] = std::array::from_fn(span);
    let mut rows = vec![0f32; PX];
    for (src, dst) in t.chunks_exact(n).zip(rows.chunks_exact_mut(n)) {
        // Away from the edges every box is five wide: written out, the sums are independent
        // and the compiler does several at once (added left to right, as the edges are).
        for x in R..n - R {
            dst[x] = src[x - 2] + src[x - 1] + src[x] + src[x + 1] + src[x + 2];
        }
        for x in (0..R).chain(n - R..n) {
            let (a, b) = spans[x];
            dst[x] = src[a..=b].iter().sum();
        }
    }
    let mut sums = vec![0f32; n];
    let mut out = vec![0f32; PX];
    for (y, &(a, b)) in spans.iter().enumerate() {
        // Column sums in the same order as adding the box's rows top to bottom.
        sums.copy_from_slice(&rows[a * n..(a + 1) * n]);
        for yy in a + 1..=b {
            for (s, r) in sums.iter_mut().zip(&rows[yy * n..(yy + 1) * n]) {
                *s += r;
            }
        }
        let src = &t[y * n..(y + 1) * n];
        let dst = &mut out[y * n..(y + 1) * n];
        for (x, ((d, v), s)) in dst.iter_mut().zip(src).zip(&sums).enumerate() {
            let (c, e) = spans[x];
            let count = ((b - a + 1) * (e - c + 1)) as f32;
            *d = v - s / count;
        }
    }
    out
}

/// Untrimmed correlations below this are not worth trimming (see `compare_at`).
const MIN_PLAIN: f32 = 0.3;

/// The sum of products of two equal-length vectors, in eight running sums the compiler can keep
/// in one vector register (a single running sum is a chain of dependent additions).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The correlation of two views with every pixel counted (their z-scores are over all pixels).
fn plain_correlation(a: &View, b: &View) -> f32 {
    dot(&a.z, &b.z) / a.z.len().max(1) as f32
}

/// Pearson correlation over the pixels that match best: normalise both, leave out the TRIM
/// share with the largest differences, normalise the rest again and correlate it.
fn trimmed_correlation(a: &View, b: &View) -> f32 {
    if a.z.len() != PX || b.z.len() != PX {
        return 0.0;
    }
    let mut diff = [0f32; PX];
    for ((d, x), y) in diff.iter_mut().zip(&a.z).zip(&b.z) {
        *d = (x - y) * (x - y);
    }
    let keep = ((1.0 - TRIM) * PX as f32) as usize;
    // The largest difference kept: the pixels below it are kept, and of those equal to it as
    // many as make `keep` (only which pixels are kept matters, not their order).
    let mut sorted = diff;
    let (_, &mut cut, _) = sorted.select_nth_unstable_by(keep - 1, f32::total_cmp);
    let mut ties = keep - diff.iter().filter(|d| **d < cut).count();
    // One pass of sums over the kept pixels' detail: the same as z-scoring both again and
    // averaging the products, without the vectors.
    let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0f64, 0f64, 0f64, 0f64, 0f64);
    for (i, d) in diff.iter().enumerate() {
        if *d > cut || (*d == cut && ties == 0) {
            continue;
        }
        if *d == cut {
            ties -= 1;
        }
        let (x, y) = (f64::from(a.detail[i]), f64::from(b.detail[i]));
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
    }
    let n = keep as f64;
    let (ma, mb) = (sa / n, sb / n);
    let (va, vb) = (saa / n - ma * ma, sbb / n - mb * mb);
    // A flat region has no shape (as `zscores` says): nothing to correlate.
    if va < 1.0 || vb < 1.0 {
        return 0.0;
    }
    ((sab / n - ma * mb) / (va.sqrt() * vb.sqrt())) as f32
}

/// z-scores of `v` (a flat picture has no shape: all zero).
fn zscores(v: &[f32]) -> Vec<f32> {
    let n = v.len().max(1) as f32;
    let mean = v.iter().sum::<f32>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n;
    let sd = var.sqrt();
    if sd < 1.0 {
        return vec![0.0; v.len()];
    }
    v.iter().map(|x| (x - mean) / sd).collect()
}

/// How two thumbnails of the same framing agree: the correlation of their detail with every
/// pixel counted and no realignment, so that a region changed in one of them (an edit made
/// after an EXIF thumbnail was written) lowers it, where [`compare`] would leave it out. None
/// when either is flat (nothing to compare).
pub fn agreement(a: &[u8], b: &[u8]) -> Option<f32> {
    if a.len() != THUMB * THUMB || b.len() != THUMB * THUMB {
        return None;
    }
    let (da, db) = (detail(&to_f32(a)), detail(&to_f32(b)));
    let (za, zb) = (zscores(&da), zscores(&db));
    if za.iter().all(|v| *v == 0.0) || zb.iter().all(|v| *v == 0.0) {
        return None;
    }
    Some(za.iter().zip(&zb).map(|(x, y)| x * y).sum::<f32>() / da.len() as f32)
}
