//! A photo of paper made ready for the engine: decoded to grey, turned upright by its EXIF
//! orientation, brought down to the character height tesseract reads best at, and turned
//! straight when askew.
//!
//! A phone photographs an A4 page at 3000–4000 px, so an official document's 五号 body is
//! ~40–45 px high and its 二号 title ~90 px. tesseract reads characters best at a few dozen
//! pixels and worse both below and above (its ImproveQuality page, "Rescaling", points to
//! measurements putting the best capital-letter height at ~30 px; docs/ocr.md has ours).
//! Scans are scaled by the height of their lines for this reason (`straighten.rs`); photos
//! are measured the same way, on the middle of the frame only: the edges of a photo of paper
//! are the table it lies on, whose texture would count as ink. A smaller picture is also read
//! in less time (docs/ocr.md).
//!
//! Uneven light is left to tesseract's own thresholding: dividing by a blurred background
//! first lost phrases on the benchmark (docs/ocr.md).

use super::straighten::{self, downscale, measure, Grey, Prepared, LINE_PX, MAX_LINE_PX};
use crate::similar::fingerprint::{decode_grey_min, decode_jpeg_luma, shrink, Grey as FGrey};

/// The part of the frame measured: this share of the width and of the height is left off on
/// each side. A photo of a page has the page in the middle; at ±5° and the page filling 85 %
/// of the width, this keeps the table out.
const INSET_X: f64 = 0.15;
const INSET_Y: f64 = 0.08;
/// Scaled down at most this far (a close-up of large type: lines of 90 px are brought to ~30,
/// not further: strokes thinner than ~2 px are lost in the resampling).
const MIN_FACTOR: f64 = 1.0 / 3.0;
/// The copy lines are measured on is shrunk to about this width or more (what `measure`
/// works at).
const PROBE_WIDTH: usize = 800;
/// Photos at least this wide are first taken at 1/2 (a phone's 12 MP is 3000–4000 px).
const HALF_FROM: usize = 2400;
/// Lines at least this high at 1/2 are read there (a 150 dpi scan's 五号 body is ~20 px).
const MIN_HALF_LINE_PX: f64 = 18.0;
/// No photo is wider or higher than this (a decompression bomb's header says more).
const MAX_EDGE: usize = 20_000;

/// The photo's bytes (JPEG, PNG, TIFF, WebP, BMP, GIF) made ready (see [`prepare_decoded`]). Err when they cannot
/// be decoded (the caller hands the engine the file as stored, which reads formats this does
/// not).
pub fn prepare(bytes: &[u8], orientation: Option<u16>) -> Result<Prepared, String> {
    prepare_decoded(decode(bytes)?, orientation)
}

/// A photo as stored, whole and grey: a JPEG's luma plane alone (zune-jpeg: no colour plane
/// transformed or converted), anything else the general way.
///
/// Whole, then averaged down where a smaller picture will do: on the benchmark's 12 MP phone
/// photos zune-jpeg decodes the luma whole in ~21 ms, where jpeg-decoder took ~51 ms to decode
/// them at 1/2 by DCT scaling (it decodes and converts every colour plane) and ~23 ms at 1/8.
/// So one decode serves the document test (averaged down by the JPEG's blocks, what 1/8 DCT
/// scaling reads) and the engine's picture (by 2×2 boxes at 1/2).
pub fn decode(bytes: &[u8]) -> Result<FGrey, String> {
    match decode_jpeg_luma(bytes, MAX_EDGE) {
        Some(g) => Ok(g),
        None => decode_grey_min(bytes, u16::MAX).map_err(|e| e.to_string()),
    }
}

/// A decoded photo (as [`decode`] gives it, as stored) made ready: upright by `orientation`
/// (EXIF 1–8), scaled when its lines are over [`MAX_LINE_PX`] high, turned when askew. Err
/// when the picture has fewer pixels than its size says.
pub fn prepare_decoded(g: FGrey, orientation: Option<u16>) -> Result<Prepared, String> {
    let o = orientation.unwrap_or(1);
    // A phone-size photo is first taken at 1/2 (as a 300 dpi scan is): kept when its lines are
    // still high enough there for the engine, as a 150 dpi scan's 五号 body (~20 px) is.
    if g.width as usize >= HALF_FROM {
        if let Some(half) = upright(Grey::from(shrink(&g, 2)), o) {
            let m = measure_middle(&half);
            if m.line_px.is_some_and(|l| l >= MIN_HALF_LINE_PX) {
                let mut p = prepare_measured(half, m);
                p.scaled = true;
                return Ok(p);
            }
        }
    }
    let g = upright(Grey::from(g), o)
        .ok_or_else(|| "the decoded photo has fewer pixels than its size".to_string())?;
    Ok(prepare_grey(g))
}

/// An upright grey photo made ready (see [`prepare`]).
pub fn prepare_grey(g: Grey) -> Prepared {
    let m = measure_middle(&g);
    prepare_measured(g, m)
}

/// The lines of the middle of the frame, measured on a copy shrunk by whole blocks (sums, no
/// weights: a few ms on 12 MP where the weighted resampling took tens), in the picture's pixels.
fn measure_middle(g: &Grey) -> straighten::Measure {
    let k = (g.width / PROBE_WIDTH).max(1);
    let mut m = measure(&middle(g, k));
    m.line_px = m.line_px.map(|l| l * k as f64);
    m
}

fn prepare_measured(g: Grey, m: straighten::Measure) -> Prepared {
    let mut f = 1.0;
    if let Some(line) = m.line_px {
        if line > MAX_LINE_PX {
            f = (LINE_PX / line).max(MIN_FACTOR);
        }
    }
    let scaled = f < 0.98;
    let g = if scaled { downscale(&g, f) } else { g };
    // Turned from 1° as scans are: tesseract finds skewed lines, but reads each as the strip of
    // pixels around it, where turned characters lean into their neighbours (docs/ocr.md: on
    // the benchmark's photos askew up to 4.5°, turning read as many phrases or more).
    let turned = m.skew.abs() >= straighten::MIN_SKEW;
    let g = if turned {
        straighten::rotate(&g, -m.skew)
    } else {
        g
    };
    Prepared {
        bytes: straighten::pgm(&g),
        // Unknown: a photo has no resolution on paper. tesseract assumes 70 dpi for a PGM and
        // reads by the pixels.
        dpi: 0,
        skew: m.skew,
        turned,
        scaled,
    }
}

/// The middle of the frame, where the page is (see [`INSET_X`]), each `k`×`k` block averaged.
fn middle(g: &Grey, k: usize) -> Grey {
    let (x0, y0) = (
        (g.width as f64 * INSET_X) as usize,
        (g.height as f64 * INSET_Y) as usize,
    );
    let (w, h) = ((g.width - 2 * x0) / k, (g.height - 2 * y0) / k);
    if k == 1 {
        // No blocks to average: the rows' middles as they are.
        let mut px = Vec::with_capacity(w * h);
        for r in g.px.chunks_exact(g.width).skip(y0).take(h) {
            px.extend_from_slice(&r[x0..x0 + w]);
        }
        return Grey {
            width: w,
            height: h,
            px,
        };
    }
    let mut sums = vec![0u32; w];
    let mut px = Vec::with_capacity(w * h);
    for block in
        g.px.chunks_exact(g.width)
            .skip(y0)
            .take(h * k)
            .collect::<Vec<_>>()
            .chunks_exact(k)
    {
        sums.iter_mut().for_each(|s| *s = 0);
        for row in block {
            for (s, cell) in sums.iter_mut().zip(row[x0..x0 + w * k].chunks_exact(k)) {
                *s += cell.iter().map(|&p| u32::from(p)).sum::<u32>();
            }
        }
        px.extend(sums.iter().map(|&s| (s / (k * k) as u32) as u8));
    }
    Grey {
        width: w,
        height: h,
        px,
    }
}

/// Turned and mirrored as EXIF orientation `o` says a viewer shows it (`image`'s reading of
/// the tag, as thumbnails and exports turn photos).
fn upright(g: Grey, o: u16) -> Option<Grey> {
    let Some(o) = u8::try_from(o)
        .ok()
        .and_then(image::metadata::Orientation::from_exif)
        .filter(|o| *o != image::metadata::Orientation::NoTransforms)
    else {
        return Some(g);
    };
    let img = image::GrayImage::from_raw(g.width as u32, g.height as u32, g.px)?;
    let mut img = image::DynamicImage::ImageLuma8(img);
    img.apply_orientation(o);
    let img = img.into_luma8();
    Some(Grey {
        width: img.width() as usize,
        height: img.height() as usize,
        px: img.into_raw(),
    })
}
