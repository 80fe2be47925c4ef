//! A scanned page made ready for the engine: turned straight when the scanner fed it slightly
//! askew, and brought down to [`TARGET_DPI`] when scanned finer.
//!
//! Skew by projection profiles: on a reduced copy, the dark pixels are projected onto rows
//! along each candidate angle; along the angle of the text lines the rows alternate between
//! full (a line) and empty (the gap), so the sum of squared row counts peaks there. A few
//! thousand sums over some ten thousand pixels: milliseconds, no crate.

use super::scan::{Embedded, Stored};

/// Pages are handed to the engine at this resolution at most: tesseract reads best at
/// character heights of ~20–40 px, which an official document's body (五号, 10.5 pt) has at
/// 150 dpi; a 300 dpi scan's title is misread whole (docs/ocr.md).
pub const TARGET_DPI: f64 = 150.0;
/// Scans up to this much finer are left as they are (resampling costs more than it gives).
const SCALE_ABOVE: f64 = TARGET_DPI * 1.25;
/// Skews smaller than this (degrees) are left: tesseract's line finding copes, and turning
/// costs a resampling of the page. Measured on the benchmark's scans (docs/ocr.md), turning
/// pages 0.3–0.8° askew lost as many phrases as it won; from 1° it helped.
pub const MIN_SKEW: f64 = 1.0;
/// Lines of writing higher than this (pixels of ink, the median line's) are brought down to
/// [`LINE_PX`]: tesseract read large type better smaller (docs/ocr.md: the benchmark's
/// 1/30-page body, ~37 px of ink at 150 dpi, read better at 120 dpi). An official document's
/// body (五号) is ~20 px at 150 dpi and is left alone.
pub const MAX_LINE_PX: f64 = 32.0;
pub const LINE_PX: f64 = 28.0;
/// Skews searched, degrees either way.
const MAX_SKEW: f64 = 5.0;
/// No scanned page is wider or higher than this (a decompression bomb's header says more).
const MAX_EDGE: usize = 20_000;
/// The reduced copy the skew is measured on is about this wide.
const PROBE_WIDTH: usize = 800;

/// A page picture for the engine.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// JPEG (the scanner's own, untouched) or binary PGM bytes.
    pub bytes: Vec<u8>,
    /// Its resolution, given to the engine (`--dpi`).
    pub dpi: u32,
    /// The skew measured (degrees, counter-clockwise), and whether the page was turned.
    pub skew: f64,
    pub turned: bool,
    pub scaled: bool,
}

/// A greyscale picture, 0 black … 255 white.
#[derive(Debug, Clone)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u8>,
}

impl From<crate::similar::fingerprint::Grey> for Grey {
    fn from(g: crate::similar::fingerprint::Grey) -> Grey {
        Grey {
            width: g.width as usize,
            height: g.height as usize,
            px: g.px,
        }
    }
}

/// Make an embedded page image ready: decoded only when it has to be turned or scaled (a
/// straight JPEG at a fitting resolution and type size goes to the engine as stored).
pub fn prepare(e: Embedded) -> Result<Prepared, String> {
    match e.picture {
        Stored::Jpeg(bytes) => {
            // A fine scan is taken at 1/2: at 300 dpi it lands on the target. Its luma is
            // decoded whole and averaged down by 2×2 boxes, faster than jpeg-decoder's 1/2 DCT
            // scaling, which decodes and converts every colour plane (`photo::decode`).
            let half = e.dpi >= 2.0 * TARGET_DPI * 0.95;
            use crate::similar::fingerprint::{decode_jpeg_luma, decode_jpeg_scaled, shrink};
            let (g, full_width) = match decode_jpeg_luma(&bytes, MAX_EDGE) {
                Some(g) if half => (shrink(&g, 2), g.width),
                Some(g) => {
                    let w = g.width;
                    (g, w)
                }
                None => decode_jpeg_scaled(&bytes, if half { 2 } else { 1 })
                    .map_err(|e| e.to_string())?,
            };
            let g = Grey::from(g);
            let dpi = e.dpi * g.width as f64 / f64::from(full_width);
            let mut p = prepare_grey(g, dpi);
            if !half && !p.turned && !p.scaled {
                // Nothing changed: the scanner's own bytes, not a copy of them decoded.
                p.bytes = bytes;
            }
            p.scaled |= half;
            Ok(p)
        }
        Stored::Grey { width, height, px } => Ok(prepare_grey(
            Grey {
                width: width as usize,
                height: height as usize,
                px,
            },
            e.dpi,
        )),
    }
}

/// A decoded page at `dpi` made ready: brought down to [`TARGET_DPI`] when finer, further when
/// its type is large (lines over [`MAX_LINE_PX`] high, to [`LINE_PX`]), turned when askew.
pub fn prepare_grey(g: Grey, dpi: f64) -> Prepared {
    let m = measure(&g);
    let mut f: f64 = 1.0;
    if dpi > SCALE_ABOVE {
        f = TARGET_DPI / dpi;
    }
    if let Some(line) = m.line_px {
        if line * f > MAX_LINE_PX {
            f = (LINE_PX / line).max(0.5 * f);
        }
    }
    let scaled = f < 0.98;
    let mut g = g;
    if scaled {
        g = downscale(&g, f);
    }
    let turned = m.skew.abs() >= MIN_SKEW;
    if turned {
        g = rotate(&g, -m.skew);
    }
    Prepared {
        bytes: pgm(&g),
        dpi: (dpi * if scaled { f } else { 1.0 }).round() as u32,
        skew: m.skew,
        turned,
        scaled,
    }
}

/// Scale by `f` < 1, each output pixel the mean of the input area under it (partly covered
/// pixels weighted by how much: whole-pixel spans make strokes uneven, and tesseract misread
/// characters of a 200 dpi scan brought to 150 that way).
pub fn downscale(g: &Grey, f: f64) -> Grey {
    let (w, h) = (
        ((g.width as f64 * f).round() as usize).max(1),
        ((g.height as f64 * f).round() as usize).max(1),
    );
    let hw = weights(g.width, w);
    let vw = weights(g.height, h);
    // Across each row, then down each column.
    let mut across = vec![0f32; w * g.height];
    for (row, out) in g.px.chunks_exact(g.width).zip(across.chunks_exact_mut(w)) {
        for (o, (start, ws)) in out.iter_mut().zip(&hw) {
            *o = ws
                .iter()
                .zip(&row[*start..])
                .map(|(k, &p)| k * f32::from(p))
                .sum();
        }
    }
    let mut px = vec![0u8; w * h];
    for (y, (start, ws)) in vw.iter().enumerate() {
        let out = &mut px[y * w..(y + 1) * w];
        let mut acc = vec![0f32; w];
        for (k, src) in ws.iter().zip(across[start * w..].chunks_exact(w)) {
            for (a, &v) in acc.iter_mut().zip(src) {
                *a += k * v;
            }
        }
        for (o, a) in out.iter_mut().zip(acc) {
            // Rounded by `+ 0.5` and truncation (not `round`, a libm call a pixel; see `rotate`).
            *o = (a.clamp(0.0, 255.0) + 0.5) as u8;
        }
    }
    Grey {
        width: w,
        height: h,
        px,
    }
}

/// For each of `to` output pixels over `from` input pixels: the first input pixel under it and
/// the share of it each input pixel from there covers (summing to 1).
fn weights(from: usize, to: usize) -> Vec<(usize, Vec<f32>)> {
    let step = from as f64 / to as f64;
    (0..to)
        .map(|i| {
            let (a, b) = (i as f64 * step, ((i + 1) as f64 * step).min(from as f64));
            let first = a.floor() as usize;
            let last = (b.ceil() as usize).clamp(first + 1, from);
            let ws = (first..last)
                .map(|j| ((b.min(j as f64 + 1.0) - a.max(j as f64)).max(0.0) / (b - a)) as f32)
                .collect();
            (first, ws)
        })
        .collect()
}

/// What the lines of writing on a page say about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    /// The angle (degrees, counter-clockwise) the lines are turned by; 0 when nothing says.
    pub skew: f64,
    /// The median line's height of ink, in the picture's pixels; None without lines.
    pub line_px: Option<f64>,
}

/// The angle (degrees, counter-clockwise) the page's lines of text are turned by; 0 when
/// nothing on it says.
pub fn skew_degrees(g: &Grey) -> f64 {
    measure(g).skew
}

/// The skew and the line height of a page.
pub fn measure(g: &Grey) -> Measure {
    let none = Measure {
        skew: 0.0,
        line_px: None,
    };
    let probe = if g.width > PROBE_WIDTH * 3 / 2 {
        downscale(g, PROBE_WIDTH as f64 / g.width as f64)
    } else {
        g.clone()
    };
    // Ink: clearly darker than the page's paper (its bright tone, the 90th percentile).
    let mut hist = [0usize; 256];
    probe.px.iter().for_each(|&p| hist[p as usize] += 1);
    let mut seen = 0;
    let paper = (0..256)
        .rev()
        .find(|&v| {
            seen += hist[v];
            seen * 10 >= probe.px.len()
        })
        .unwrap_or(255) as u32;
    let ink = (paper * 6 / 10) as u8;
    let pts: Vec<(f64, f64)> = (0..probe.height)
        .flat_map(|y| (0..probe.width).map(move |x| (x, y)))
        .filter(|&(x, y)| probe.px[y * probe.width + x] < ink)
        .map(|(x, y)| (x as f64 - probe.width as f64 / 2.0, y as f64))
        .collect();
    if pts.len() < 200 {
        return none;
    }
    let h = probe.height;
    let profile = |deg: f64| {
        // A line of text turned counter-clockwise by `deg` rises to the right: y = y0 − x·tan,
        // so y + x·tan(deg) is the same all along it (small angles: a shear is a turn).
        let t = deg.to_radians().tan();
        let pad = (probe.width as f64 * t.abs()) as usize + 2;
        let mut rows = vec![0u32; h + 2 * pad];
        // `pad` keeps every row index positive, where truncating `+ 0.5` rounds (`round` is a
        // call into libm on the baseline x86-64 target, once a point and angle).
        let off = pad as f64 + 0.5;
        for &(x, y) in &pts {
            if let Some(c) = rows.get_mut((y + x * t + off) as usize) {
                *c += 1;
            }
        }
        rows
    };
    let score = |deg: f64| {
        profile(deg)
            .iter()
            .map(|&c| f64::from(c) * f64::from(c))
            .sum::<f64>()
    };
    let scores = |from: f64, to: f64, step: f64| {
        let n = ((to - from) / step).round() as i64;
        (0..=n)
            .map(|i| from + i as f64 * step)
            .map(|a| (a, score(a)))
            .collect::<Vec<_>>()
    };
    let best = |s: &[(f64, f64)]| {
        s.iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0.0, |&(a, _)| a)
    };
    let all = scores(-MAX_SKEW, MAX_SKEW, 0.25);
    // No line structure at all: every angle scores alike.
    let (lo, hi) = all
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &(_, s)| (lo.min(s), hi.max(s)));
    if hi - lo <= 1e-9 * hi {
        return none;
    }
    let coarse = best(&all);
    let fine = best(&scores(coarse - 0.25, coarse + 0.25, 0.05));
    // Lines: runs of rows with ink across a few percent of the width, along the skew.
    let rows = profile(fine);
    let min_ink = (probe.width as u32 / 50).max(2);
    let mut runs = Vec::new();
    let mut run = 0usize;
    for &c in rows.iter().chain([0].iter()) {
        if c >= min_ink {
            run += 1;
        } else {
            if run >= 2 {
                runs.push(run);
            }
            run = 0;
        }
    }
    runs.sort_unstable();
    let line_px = (runs.len() >= 3)
        .then(|| runs[runs.len() / 2] as f64 * g.width as f64 / probe.width as f64);
    Measure {
        skew: (fine * 100.0).round() / 100.0,
        line_px,
    }
}

/// Turn by `deg` counter-clockwise about the centre, bilinear, corners filled with the page's
/// paper (white).
///
/// In fixed point: along an output row the source moves by a constant step, so each pixel's
/// source is a sum (32 fractional bits: after 20,000 steps it is off by under 1/100,000 of a
/// pixel) and its weights are 11-bit, which moves a grey level by at most 1 against the same
/// turn in floating point (the test below). A 12 MP photo taken at 1/2 turned in ~29 ms in
/// floating point; in fixed point it is a few.
pub fn rotate(g: &Grey, deg: f64) -> Grey {
    const ONE: f64 = (1u64 << 32) as f64;
    let (w, h) = (g.width, g.height);
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let mut px = vec![255u8; w * h];
    // The source of output (x, y) is the inverse turn (image y points down, so a turn
    // counter-clockwise on screen is clockwise in these axes):
    // u = cx + c·(x − cx) − s·(y − cy), v = cy + s·(x − cx) + c·(y − cy).
    let (du, dv) = ((c * ONE) as i64, (s * ONE) as i64);
    for (y, out) in px.chunks_exact_mut(w.max(1)).enumerate().take(h) {
        let dy = y as f64 - cy;
        let mut u = ((cx - c * cx - s * dy) * ONE) as i64;
        let mut v = ((cy - s * cx + c * dy) * ONE) as i64;
        for o in out.iter_mut() {
            let (x0, y0) = (u >> 32, v >> 32);
            if u >= 0 && v >= 0 && (x0 as usize) + 1 < w && (y0 as usize) + 1 < h {
                let (x0, y0) = (x0 as usize, y0 as usize);
                // 11-bit weights: 255 · 2¹¹ · 2¹¹ fits a u32.
                let fx = ((u >> 21) & 0x7FF) as u32;
                let fy = ((v >> 21) & 0x7FF) as u32;
                let i = y0 * w + x0;
                let p = |j: usize| u32::from(g.px[j]);
                let top = p(i) * (2048 - fx) + p(i + 1) * fx;
                let bottom = p(i + w) * (2048 - fx) + p(i + w + 1) * fx;
                *o = ((top * (2048 - fy) + bottom * fy + (1 << 21)) >> 22) as u8;
            }
            u += du;
            v += dv;
        }
    }
    Grey {
        width: w,
        height: h,
        px,
    }
}

/// A binary 8-bit PGM (`P5`), as pdftoppm writes it and [`pgm`] does.
pub fn decode_pgm(b: &[u8]) -> Option<Grey> {
    let rest = b.strip_prefix(b"P5")?;
    let mut fields = [0usize; 3];
    let mut i = 0;
    for f in &mut fields {
        while rest.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while rest.get(i)?.is_ascii_digit() {
            i += 1;
        }
        *f = std::str::from_utf8(&rest[start..i]).ok()?.parse().ok()?;
    }
    let [width, height, max] = fields;
    // One whitespace byte, then the samples.
    let px = rest.get(i + 1..i + 1 + width * height)?;
    (max == 255 && width > 0 && height > 0).then(|| Grey {
        width,
        height,
        px: px.to_vec(),
    })
}

/// Binary PGM: what the engine reads from a pipe with no encoding cost.
pub fn pgm(g: &Grey) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", g.width, g.height).into_bytes();
    out.extend_from_slice(&g.px);
    out
}
