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

/// A thumbnail ready to compare: its detail's (see [`detail`]) z-scores, whole and for each
/// centred crop, computed once when first needed. Verification compares one photo with many
/// candidates and each candidate with many photos; recomputing these per comparison was most
/// of the near-duplicate step's time.
pub struct Prepared {
    px: Vec<f32>,
    views: [std::sync::OnceLock<View>; VIEWS],
    mirrored: bool,
}

/// A view's detail as z-scores, and the detail's standard deviation. The detail itself is not
/// kept: a correlation is the same over z-scores (an affine map of it), and verification, which
/// reads views of thousands of thumbnails, spent its time waiting for memory when each view
/// held both.
struct View {
    z: Vec<f32>,
    sd: f32,
    /// The sum of `z`, and of its squares (0 and the pixel count, but for rounding).
    sum: f64,
    sum_sq: f64,
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
            let (z, sd) = zscores_sd(&detail(&centre(&self.px, i as f32 * CROP_UNIT)));
            View {
                sum: f64::from(lanes_sum(&z, |v| v)),
                sum_sq: f64::from(lanes_sum(&z, |v| v * v)),
                z,
                sd,
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

/// Compare two thumbnails uncropped, and at each crop the hashes suggest
/// (`Candidate::crop_hints`) and a step either side of it: four alignments for one hint instead
/// of eleven, since verification runs for every candidate.
pub fn compare_hinted(a: &Prepared, b: &Prepared, hints: &[f32]) -> Match {
    let mut crops = vec![0.0];
    crops.extend(hints.iter().flat_map(|&h| [h - STEP, h, h + STEP]));
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
        let dot = dot(&x.z, &y.z);
        if plain_correlation(dot) < MIN_PLAIN {
            continue;
        }
        let s = trimmed_correlation(x, y, dot);
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
    // Pixels in each box, by the box's height (R + 1 ..= 2R + 1 rows) and column: a table, so
    // the last pass is a division per pixel and no integer arithmetic.
    let box_counts: [[f32; THUMB]; R + 1] = std::array::from_fn(|h| {
        std::array::from_fn(|x| ((h + R + 1) * (spans[x].1 - spans[x].0 + 1)) as f32)
    });
    let mut rows = vec![0f32; PX];
    for (src, dst) in t.chunks_exact(n).zip(rows.chunks_exact_mut(n)) {
        // Away from the edges every box is five wide: written out, the sums are independent
        // and the compiler does several at once (added left to right, as the edges are).
        let (a, b, c, d, e) = (
            &src[..n - 4],
            &src[1..n - 3],
            &src[2..n - 2],
            &src[3..n - 1],
            &src[4..],
        );
        for (i, o) in dst[R..n - R].iter_mut().enumerate() {
            *o = a[i] + b[i] + c[i] + d[i] + e[i];
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
        let counts = &box_counts[b - a + 1 - (R + 1)];
        for (((d, v), s), count) in dst.iter_mut().zip(src).zip(&sums).zip(counts) {
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

/// The sum of `f` over `v` in eight running sums, as [`dot`] adds (one running sum is a chain
/// of dependent additions: a thumbnail's 1,024 of them took longer than all the rest of a view).
fn lanes_sum(v: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = v.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().map(|&x| f(x)).sum();
    for c in chunks {
        for i in 0..8 {
            acc[i] += f(c[i]);
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The correlation of two views with every pixel counted (their z-scores are over all
/// pixels), from their [`dot`].
fn plain_correlation(dot: f32) -> f32 {
    dot / PX as f32
}

/// Pearson correlation over the pixels that match best: normalise both, leave out the TRIM
/// share with the largest differences, normalise the rest again and correlate it. `dot` is the
/// two views' [`dot`] (every pixel), which the caller has for [`plain_correlation`].
fn trimmed_correlation(a: &View, b: &View, dot: f32) -> f32 {
    if a.z.len() != PX || b.z.len() != PX {
        return 0.0;
    }
    // Each pixel's squared difference and its position in one key: a float that is not
    // negative orders as its bits do, and the position breaks ties (the first are kept), so
    // selecting the `keep` smallest keys selects which pixels are kept, and the keys left over
    // say which are left out. Integers are also selected among several times faster than
    // floats by `total_cmp`.
    let mut keys = [0u64; PX];
    for (i, (k, (x, y))) in keys.iter_mut().zip(a.z.iter().zip(&b.z)).enumerate() {
        *k = u64::from(((x - y) * (x - y)).to_bits()) << 32 | i as u64;
    }
    let keep = ((1.0 - TRIM) * PX as f32) as usize;
    keys.select_nth_unstable(keep - 1);
    // Sums over the kept pixels' z-scores (their detail's correlation, since correlation
    // ignores an offset and a positive scale): every pixel's, known beforehand, less those of
    // the pixels left out. The same as z-scoring both again and averaging the products,
    // without the vectors.
    let (mut sa, mut sb, mut saa, mut sbb, mut sab) =
        (a.sum, b.sum, a.sum_sq, b.sum_sq, f64::from(dot));
    for k in &keys[keep..] {
        let i = (*k as u32) as usize;
        let (x, y) = (f64::from(a.z[i]), f64::from(b.z[i]));
        sa -= x;
        sb -= y;
        saa -= x * x;
        sbb -= y * y;
        sab -= x * y;
    }
    let n = keep as f64;
    let (ma, mb) = (sa / n, sb / n);
    let (va, vb) = (saa / n - ma * ma, sbb / n - mb * mb);
    // A flat region has no shape (as `zscores` says): nothing to correlate. Measured in the
    // detail's own grey levels: a z-score's variance times the detail's.
    if va * f64::from(a.sd).powi(2) < 1.0 || vb * f64::from(b.sd).powi(2) < 1.0 {
        return 0.0;
    }
    ((sab / n - ma * mb) / (va.sqrt() * vb.sqrt())) as f32
}

/// z-scores of `v` (a flat picture has no shape: all zero).
fn zscores(v: &[f32]) -> Vec<f32> {
    zscores_sd(v).0
}

/// [`zscores`], and the standard deviation they were divided by.
fn zscores_sd(v: &[f32]) -> (Vec<f32>, f32) {
    let n = v.len().max(1) as f32;
    let mean = lanes_sum(v, |x| x) / n;
    let var = lanes_sum(v, |x| (x - mean) * (x - mean)) / n;
    let sd = var.sqrt();
    if sd < 1.0 {
        return (vec![0.0; v.len()], sd);
    }
    (v.iter().map(|x| (x - mean) / sd).collect(), sd)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::altered::{alter, original, Alteration};
    use crate::similar::fingerprint;

    /// The trimmed correlation as first written: the detail itself, every squared difference
    /// sorted with its position, the first `keep` kept, Pearson over them.
    fn reference(a: &[f32], b: &[f32]) -> f32 {
        let (da, db) = (detail(a), detail(b));
        let (za, zb) = (zscores(&da), zscores(&db));
        let mut order: Vec<(f32, usize)> = (0..PX).map(|i| ((za[i] - zb[i]).powi(2), i)).collect();
        order.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        let keep = ((1.0 - TRIM) * PX as f32) as usize;
        let kept = &order[..keep];
        let n = keep as f64;
        let mean = |d: &[f32]| kept.iter().map(|&(_, i)| f64::from(d[i])).sum::<f64>() / n;
        let (ma, mb) = (mean(&da), mean(&db));
        let (mut sab, mut saa, mut sbb) = (0f64, 0f64, 0f64);
        for &(_, i) in kept {
            let (x, y) = (f64::from(da[i]) - ma, f64::from(db[i]) - mb);
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        if saa / n < 1.0 || sbb / n < 1.0 {
            return 0.0;
        }
        (sab / (saa.sqrt() * sbb.sqrt())) as f32
    }

    fn thumb(bytes: &[u8]) -> Vec<u8> {
        fingerprint::thumb_grid(&fingerprint::decode_grey(bytes).expect("decodes"))
    }

    /// The kept pixels found by selecting keys and their sums taken as every pixel's less those
    /// left out give the same similarity as sorting and summing the kept ones, on altered
    /// copies (a watermark is what trimming is for), other events' photos and a flat picture.
    #[test]
    fn the_trimmed_correlation_is_the_one_first_written() {
        let mut pairs = Vec::new();
        for seed in 0..6 {
            let o = original(seed, 320, 240, false);
            for a in [
                Alteration::Watermarked,
                Alteration::Brightened,
                Alteration::Png,
            ] {
                pairs.push((thumb(&o), thumb(&alter(&o, None, a))));
            }
            pairs.push((thumb(&o), thumb(&original(seed + 100, 320, 240, false))));
        }
        pairs.push((vec![128; PX], pairs[0].0.clone()));
        let mut compared = 0;
        for (a, b) in &pairs {
            let (pa, pb) = (Prepared::new(a).unwrap(), Prepared::new(b).unwrap());
            let (va, vb) = (pa.view(0.0), pb.view(0.0));
            let d = dot(&va.z, &vb.z);
            let got = trimmed_correlation(va, vb, d);
            let want = reference(&to_f32(a), &to_f32(b));
            assert!((got - want).abs() < 1e-4, "{got} against {want}");
            compared += usize::from(want > 0.9);
        }
        // Not only trivial cases: the altered copies correlate highly.
        assert!(compared >= 12, "{compared} pairs above 0.9");
    }
}
