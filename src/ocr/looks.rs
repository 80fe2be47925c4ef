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

use crate::similar::fingerprint::{decode_grey, shrink_for, Grey};

/// What the test measured, for the benchmark and the tests' messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Looks {
    /// Share of pixels that are bare, bright background.
    pub paper: f32,
    /// The most text lines counted in one strip (0 when the picture is not paper enough for
    /// them to be counted).
    pub lines: u32,
    pub document: bool,
}

/// Share of the picture that must be bare paper.
const MIN_PAPER: f32 = 0.40;
/// Text lines one strip must show.
const MIN_LINES: u32 = 3;
/// Strips the picture is cut into, across.
const STRIPS: u32 = 4;

/// A picture plainly not paper: not a document, and not even enough bare background to be one
/// (the test's first and commonest exit). What a picture too small to count lines on (a
/// HEIC's stored thumbnail) can settle; anything else is left for a closer look.
pub fn plainly_a_scene(l: &Looks) -> bool {
    !l.document && l.paper < MIN_PAPER
}

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

/// The test on a photo decoded whole (OCR's own decode, [`super::photo::decode`], as stored):
/// first averaged down by 8×8 boxes, which for a JPEG are its blocks, whose means are what 1/8
/// DCT scaling gives [`looks`] (the DC terms), so that both decide alike; every other format
/// is brought to the same scale ([`of_whole`]).
pub fn of_decoded(g: &Grey, orientation: Option<u16>) -> Looks {
    let mut l = of_whole(g, orientation);
    // Too small to carry writing the engine can read, whatever its rows look like (a page
    // photographed whole at 320 px passes the test on its picture).
    if g.width.max(g.height) < MIN_DOCUMENT_SIDE {
        l.document = false;
    }
    l
}

/// The test on a picture decoded whole (a PNG, WebP or TIFF; a JPEG by OCR's decode), at the
/// scale the test was made for: the 1/8 that DCT scaling gives a JPEG (averaged down by 8×8
/// boxes, or less for a picture under 512 px). Tested whole, a 1200×800 WebP of Stonehenge
/// (the corpus's) passed for paper: its sky is even and bright, and its stones made "lines".
pub fn of_whole(g: &Grey, orientation: Option<u16>) -> Looks {
    match shrink_for(g, 64) {
        Some(small) => of_picture(&small, orientation),
        None => of_picture(g, orientation),
    }
}

/// Pictures whose longer side is under this many pixels are not read: a page photographed
/// whole at that size has a body line under ~8 px high, below what the engine reads.
pub const MIN_DOCUMENT_SIDE: u32 = 480;

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
    // Darkness of each pixel against its local paper tone, 0 (paper) … 1 (black), row by row.
    let bw = w.div_ceil(BLOCK);
    let row = |y: usize| {
        (
            &g.px[y * w..(y + 1) * w],
            &bg[(y / BLOCK) * bw..(y / BLOCK + 1) * bw],
        )
    };
    // Bare paper: the darkness below 0.08, as the lightest level that gives it per tone (the
    // same test as computing every pixel's darkness, compared as bytes a block at a time).
    let lightest = paper_levels();
    let mut paper = 0usize;
    for y in 0..h {
        let (px, tones) = row(y);
        for (cells, &b) in px.chunks(BLOCK).zip(tones) {
            let min = lightest[b as usize];
            paper += cells.iter().filter(|&&p| u16::from(p) >= min).count();
        }
    }
    let paper = paper as f32 / (w * h) as f32;
    if paper < MIN_PAPER {
        // Most photos stop here: a scene is not mostly bare paper, and its lines are not
        // counted (the document test runs on every photo of an index run).
        return Looks {
            paper,
            lines: 0,
            document: false,
        };
    }
    let mut dark = Vec::with_capacity(w * h);
    for y in 0..h {
        let (px, tones) = row(y);
        darkness(px, tones, |d| dark.push(d));
    }
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

/// Each pixel's darkness against its block's paper tone, 0 (paper) … 1 (black); a block too
/// dark to be lit paper makes its pixels count as neither (1).
fn darkness(px: &[u8], tones: &[f32], mut out: impl FnMut(f32)) {
    for (x, &p) in px.iter().enumerate() {
        let b = tones[x / BLOCK];
        out(if b < 100.0 {
            1.0
        } else {
            ((b - f32::from(p)) / b).max(0.0)
        });
    }
}

/// Per paper tone (0..=255), the lightest grey level whose darkness against it is below 0.08
/// (256: none, for tones too dark to be lit paper).
fn paper_levels() -> &'static [u16; 256] {
    static LEVELS: std::sync::OnceLock<[u16; 256]> = std::sync::OnceLock::new();
    LEVELS.get_or_init(|| {
        std::array::from_fn(|b| {
            let mut d = 0f32;
            (0..=255u8)
                .find(|&p| {
                    darkness(&[p], &[b as f32], |v| d = v);
                    d < 0.08
                })
                .map_or(256, u16::from)
        })
    })
}

/// Side of the blocks the paper tone is estimated in.
const BLOCK: usize = 8;

/// The brightest tone around each block (row-major, BLOCK×BLOCK blocks): the 2nd-brightest of
/// each block (a speck of glare does not set it), then the brightest of the 3×3 blocks
/// around, so a block full of ink takes its neighbours' paper.
fn background(g: &Grey) -> Vec<f32> {
    const B: usize = BLOCK;
    let (w, h) = (g.width as usize, g.height as usize);
    let (bw, bh) = (w.div_ceil(B), h.div_ceil(B));
    let mut block = vec![0f32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let rows = || {
                (by * B..((by + 1) * B).min(h))
                    .map(move |y| &g.px[y * w + bx * B..y * w + ((bx + 1) * B).min(w)])
            };
            // The brightest level, and the second: the brightest again if two pixels have it.
            let top = rows().flat_map(|r| r.iter().copied()).max().unwrap_or(0);
            let at_top: usize = rows()
                .map(|r| r.iter().filter(|&&p| p == top).count())
                .sum();
            let second = if at_top >= 2 {
                top
            } else {
                rows()
                    .flat_map(|r| r.iter().copied().filter(|&p| p < top))
                    .max()
                    .unwrap_or(0)
            };
            block[by * bw + bx] = f32::from(second);
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
    spread
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
