//! Does a photo look like a document? A cheap test on a small greyscale version (the JPEG
//! decoded at 1/8 size by DCT scaling, as for fingerprints), so that ordinary scene photos are
//! never handed to the OCR engine: running it costs ~0.5–2 s a photo, this test a few ms.
//!
//! Paper (a page, a screen of text, a whiteboard) is mostly a bright, even background — even
//! under uneven light, each neighbourhood's brightest tone is the paper's — and its writing is
//! rows of darker marks separated by rows of bare paper. So: each pixel is compared with the
//! brightest tone of its neighbourhood (which follows the light), and the picture passes when
//! enough of it is bare paper and, in some vertical strip, the darkness of each row rises and
//! falls as text lines do (several lines, each a few rows high, with paper between).
//! Strips rather than whole rows, because a page photographed a few degrees askew spreads each
//! line over more rows than the gap between lines when read across the whole width.

use crate::similar::fingerprint::{decode_grey, Grey};

/// What the test measured, for the benchmark and the tests' messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Looks {
    /// Share of pixels that are bare, bright background.
    pub paper: f32,
    /// The most text lines counted in one strip.
    pub lines: u32,
    pub document: bool,
}

/// Share of the picture that must be bare paper.
const MIN_PAPER: f32 = 0.40;
/// Text lines one strip must show.
const MIN_LINES: u32 = 3;
/// Strips the picture is cut into, across.
const STRIPS: u32 = 4;

/// Decode `bytes` small and test it, turned upright by its EXIF `orientation` (a phone stores a
/// portrait shot sideways with orientation 6: its lines would run down the picture); a picture
/// that does not decode (or is not JPEG/PNG) does not look like a document.
pub fn looks(bytes: &[u8], orientation: Option<u16>) -> Looks {
    match decode_grey(bytes) {
        Ok(g) => of_picture(&g, orientation),
        Err(_) => Looks {
            paper: 0.0,
            lines: 0,
            document: false,
        },
    }
}

/// The test on a picture already decoded small (the near-duplicate step's, which decodes every
/// photo anyway), as stored, with its EXIF `orientation`.
pub fn of_picture(g: &Grey, orientation: Option<u16>) -> Looks {
    // Only the lines' direction matters to the test, so a transpose stands for every quarter
    // turn (mirror images read alike).
    if matches!(orientation, Some(5..=8)) {
        of_grey(&transposed(g))
    } else {
        of_grey(g)
    }
}

fn transposed(g: &Grey) -> Grey {
    let (w, h) = (g.width as usize, g.height as usize);
    let mut px = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            px[x * h + y] = g.px[y * w + x];
        }
    }
    Grey {
        width: g.height,
        height: g.width,
        px,
    }
}

/// The test on a decoded greyscale picture.
pub fn of_grey(g: &Grey) -> Looks {
    let (w, h) = (g.width as usize, g.height as usize);
    if w < 32 || h < 32 {
        return Looks {
            paper: 0.0,
            lines: 0,
            document: false,
        };
    }
    let bg = background(g);
    // Darkness of each pixel against its local paper tone, 0 (paper) … 1 (black).
    let mut paper = 0usize;
    let mut dark = vec![0f32; w * h];
    for i in 0..w * h {
        let b = bg[i];
        let p = f32::from(g.px[i]);
        if b < 100.0 {
            // Too dark to be lit paper: counts as neither.
            dark[i] = 1.0;
            continue;
        }
        let d = ((b - p) / b).max(0.0);
        dark[i] = d;
        if d < 0.08 {
            paper += 1;
        }
    }
    let paper = paper as f32 / (w * h) as f32;
    let strip_w = w / STRIPS as usize;
    let lines = (0..STRIPS as usize)
        .map(|s| count_lines(&dark, w, h, s * strip_w, strip_w))
        .max()
        .unwrap_or(0);
    Looks {
        paper,
        lines,
        document: paper >= MIN_PAPER && lines >= MIN_LINES,
    }
}

/// The brightest tone around each pixel: the 2nd-brightest of each 8×8 block (a speck of glare
/// does not set it), then the brightest of the 3×3 blocks around, so a block full of ink takes
/// its neighbours' paper.
fn background(g: &Grey) -> Vec<f32> {
    const B: usize = 8;
    let (w, h) = (g.width as usize, g.height as usize);
    let (bw, bh) = (w.div_ceil(B), h.div_ceil(B));
    let mut block = vec![0f32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut a, mut b) = (0u8, 0u8);
            for y in by * B..((by + 1) * B).min(h) {
                for &p in &g.px[y * w + bx * B..y * w + ((bx + 1) * B).min(w)] {
                    if p > a {
                        b = a;
                        a = p;
                    } else if p > b {
                        b = p;
                    }
                }
            }
            block[by * bw + bx] = f32::from(b);
        }
    }
    let mut spread = vec![0f32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let mut m = 0f32;
            for y in by.saturating_sub(1)..(by + 2).min(bh) {
                for x in bx.saturating_sub(1)..(bx + 2).min(bw) {
                    m = m.max(block[y * bw + x]);
                }
            }
            spread[by * bw + bx] = m;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] = spread[(y / B) * bw + x / B];
        }
    }
    out
}

/// Text lines in one vertical strip: runs of rows darker than paper (a line of writing), each
/// at most a tenth of the picture high, separated by runs of nearly bare rows.
fn count_lines(dark: &[f32], w: usize, h: usize, x0: usize, sw: usize) -> u32 {
    let rows: Vec<f32> = (0..h)
        .map(|y| {
            let row = &dark[y * w + x0..y * w + x0 + sw];
            row.iter().sum::<f32>() / sw as f32
        })
        .collect();
    let (mut lines, mut run, mut in_line) = (0u32, 0usize, false);
    let max_run = (h / 10).max(2);
    for &d in &rows {
        let inky = d > 0.06 && d < 0.6;
        let bare = d < 0.03;
        if inky {
            run += 1;
            in_line = true;
        } else if bare {
            if in_line && run <= max_run {
                lines += 1;
            }
            in_line = false;
            run = 0;
        } else if in_line {
            // A row between: part of the line's edge.
            run += 1;
        }
    }
    lines
}
