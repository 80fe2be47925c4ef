//! One photo's visual fingerprint: perceptual hashes of the whole picture and of two centred
//! crops, and a small grey thumbnail kept to verify a candidate match.
//!
//! A single 64-bit DCT hash separates a photo cropped by 6 % per side from its original by about
//! as much as two different photos of similar outdoor scenes are separated, because the crop
//! shifts and rescales everything. Hashing the centre of each photo as well means a cropped
//! copy's whole picture meets its original's centre at a small distance. The hashes only find
//! candidates; the thumbnail comparison in `compare.rs` decides.
//!
//! Cost is what decides the decoding: a JPEG is decoded at 1/8 of its size by DCT scaling
//! (`jpeg-decoder`'s `scale`), which skips the inverse transform of all but the DC term, so a
//! 12-megapixel photo never exists at full size (docs/decisions.md has the measurement).

use std::io::Cursor;

use super::{Fingerprint, GRID, KINDS, THUMB};

/// Centred crops hashed besides the whole picture: the fraction cut from each side.
pub const INSETS: [f32; KINDS] = [0.0, 0.06, 0.12];

/// Sources with a longer edge than this are not decoded (a decompression bomb's header).
const MAX_EDGE: u32 = 30_000;
/// Memory a decoder may take for one photo's scaled pixels.
const MAX_DECODE_BYTES: usize = 96 * 1024 * 1024;

/// Why a photo has no fingerprint (kept as text in the catalog so it is not retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    /// Not a picture this decodes. (The catalog's upgrade finds rows of an older version by
    /// this text, before WebP, TIFF, GIF, BMP, HEIC and RAW were: `OLD_UNSUPPORTED` there.)
    #[error("not a picture format fingerprinted (JPEG, PNG, WebP, TIFF, GIF, BMP; HEIC and camera RAW through their tools)")]
    Unsupported,
    #[error("cannot decode: {0}")]
    Decode(String),
    #[error("too small to compare ({0}×{1} pixels)")]
    TooSmall(u32, u32),
}

/// A greyscale picture as decoded (scaled), row-major.
pub struct Grey {
    pub width: u32,
    pub height: u32,
    pub px: Vec<u8>,
}

/// The fingerprint of a photo's bytes, upright by its EXIF orientation (1–8; anything else is
/// taken as upright).
pub fn fingerprint(
    bytes: &[u8],
    orientation: Option<u16>,
) -> Result<Fingerprint, FingerprintError> {
    let grey = decode_grey(bytes)?;
    Ok(of_grey(&grey, orientation))
}

/// The fingerprint of an already decoded greyscale picture.
pub fn of_grey(g: &Grey, orientation: Option<u16>) -> Fingerprint {
    let integral = Integral::new(g);
    let mut hashes = [0u64; KINDS];
    let mut whole = None;
    for (k, inset) in INSETS.iter().enumerate() {
        let grid = orient(&integral.grid(*inset, GRID), GRID, orientation);
        hashes[k] = phash(&grid);
        if *inset == 0.0 {
            whole = Some(grid);
        }
    }
    // The thumbnail is the whole picture's grid when the two are the same size (they are):
    // computed once.
    let thumb = match whole {
        Some(grid) if GRID == THUMB => grid,
        _ => orient(&integral.grid(0.0, THUMB), THUMB, orientation),
    };
    Fingerprint {
        hashes,
        thumb: thumb.iter().map(|&v| to_level(v)).collect(),
    }
}

/// A mean of grey levels (0–255) rounded to a level: `+ 0.5` and truncation, which rounds such
/// values as `round` does (but for one a hair under a half, within f32's last bit): `round`
/// is a call into libm on the baseline x86-64 target, once a cell of every photo's thumbnail.
fn to_level(v: f32) -> u8 {
    (v.max(0.0) + 0.5).min(255.0) as u8
}

/// The THUMB×THUMB grid of a whole picture as stored (not turned), rounded to grey levels.
pub fn thumb_grid(g: &Grey) -> Vec<u8> {
    Integral::new(g)
        .grid(0.0, THUMB)
        .iter()
        .map(|&v| to_level(v))
        .collect()
}

/// Decode to greyscale, small: JPEG by DCT scaling, PNG whole (screenshots and re-saves are
/// small) and then averaged down.
pub fn decode_grey(bytes: &[u8]) -> Result<Grey, FingerprintError> {
    decode_grey_min(bytes, 64)
}

/// [`decode_grey`] with a JPEG scaled down as far as keeps `min_side` pixels on its longer side
/// (jpeg-decoder's rule: the request is met when either side is; an EXIF thumbnail compared
/// on a 32×32 grid needs no more than 32).
pub fn decode_grey_min(bytes: &[u8], min_side: u16) -> Result<Grey, FingerprintError> {
    let g = if bytes.starts_with(&[0xFF, 0xD8]) {
        decode_jpeg(bytes, min_side)?
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)?
    } else {
        decode_other(bytes)?
    };
    if g.width < 8 || g.height < 8 {
        return Err(FingerprintError::TooSmall(g.width, g.height));
    }
    Ok(g)
}

fn decode_jpeg(bytes: &[u8], min_side: u16) -> Result<Grey, FingerprintError> {
    if let Some(g) = decode_small_jpeg(bytes, min_side) {
        return Ok(g);
    }
    decode_jpeg_with(bytes, |_, _| (min_side, min_side)).map(|(g, _)| g)
}

/// A JPEG too small for jpeg-decoder's 1/8 scaling (which reads only the DC terms) decoded by
/// zune-jpeg to its luma alone, skipping the colour planes' transforms, upsampling and
/// conversion, then averaged down by the factor DCT scaling would have used. Measured on the
/// bench's 160×120 photos: 50 µs against 85 µs; 80×80: 11 against 55 µs; from about 300 pixels
/// up the two are even, and 1/8 scaling wins on anything larger. None hands the photo to
/// jpeg-decoder: larger, not YCbCr or grey (CMYK), or anything zune-jpeg refuses (the error
/// then comes from the decoder used for every other photo).
pub(super) fn decode_small_jpeg(bytes: &[u8], min_side: u16) -> Option<Grey> {
    let g = decode_jpeg_luma(bytes, 8 * usize::from(min_side) - 1)?;
    Some(shrink_for(&g, min_side).unwrap_or(g))
}

/// A JPEG's luma plane alone, decoded by zune-jpeg: no colour plane is transformed, upsampled
/// or converted (fingerprints and OCR both want grey). None when a side is longer than
/// `max_edge`, the JPEG is not YCbCr or grey (CMYK), or zune-jpeg refuses it: the caller then
/// decodes it the general way, whose errors are the ones reported.
pub fn decode_jpeg_luma(bytes: &[u8], max_edge: usize) -> Option<Grey> {
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_max_width(max_edge)
        .set_max_height(max_edge);
    let mut d = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    d.decode_headers().ok()?;
    let info = d.info()?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    if w.max(h) > max_edge || !matches!(d.input_colorspace()?, ColorSpace::YCbCr | ColorSpace::Luma)
    {
        return None;
    }
    let px = d.decode().ok()?;
    (px.len() == w * h).then_some(Grey {
        width: w as u32,
        height: h as u32,
        px,
    })
}

/// `g` brought down as DCT scaling would decode its JPEG for `min_side`: by the largest of 8,
/// 4 and 2 that keeps `min_side` pixels on the longer side (jpeg-decoder's rule), each pixel
/// the mean of its box. At 8 the boxes are the JPEG's blocks, whose means are the DC terms
/// 1/8 scaling reads. None when no reduction keeps `min_side`.
pub fn shrink_for(g: &Grey, min_side: u16) -> Option<Grey> {
    let (w, h) = (g.width as usize, g.height as usize);
    let f = [8, 4, 2]
        .into_iter()
        .find(|f| w.max(h).div_ceil(*f) >= usize::from(min_side))?;
    Some(shrink(g, f))
}

/// `g` brought down to 1/`f` (2, 4 or 8) by the means of `f`×`f` boxes.
pub fn shrink(g: &Grey, f: usize) -> Grey {
    let w = g.width as usize;
    let px = match f {
        2 => box_down::<2>(&g.px, w),
        4 => box_down::<4>(&g.px, w),
        8 => box_down::<8>(&g.px, w),
        _ => panic!("shrink by 2, 4 or 8, not {f}"),
    };
    Grey {
        width: w.div_ceil(f) as u32,
        height: (g.height as usize).div_ceil(f) as u32,
        px,
    }
}

/// The means of `F`×`F` boxes of a picture `w` wide (clipped at the right and bottom edges).
/// Each band of `F` rows is first summed down its columns (whole rows at a time, which the
/// compiler vectorises), then across: a 12 MP photo is halved in ~2 ms.
fn box_down<const F: usize>(px: &[u8], w: usize) -> Vec<u8> {
    let ow = w.div_ceil(F);
    // At most 8 rows of 255: a u16 holds the column sums.
    let mut cols = vec![0u16; w];
    let mut out = Vec::with_capacity(ow * (px.len() / w).div_ceil(F));
    for band in px.chunks(w * F) {
        cols.fill(0);
        for row in band.chunks_exact(w) {
            for (c, &p) in cols.iter_mut().zip(row) {
                *c += u16::from(p);
            }
        }
        let rows = (band.len() / w) as u32;
        let cells = cols.chunks_exact(F);
        let tail = cells.remainder();
        let sum = |cell: &[u16]| cell.iter().map(|&v| u32::from(v)).sum::<u32>();
        // Written into place rather than pushed: a push a pixel (its capacity check and
        // length update) took longer than the sums.
        let start = out.len();
        out.resize(start + w / F, 0);
        let dst = &mut out[start..];
        let means = |n: u32| {
            for (d, cell) in dst.iter_mut().zip(cells) {
                *d = ((sum(cell) + n / 2) / n) as u8;
            }
        };
        if rows as usize == F {
            // A constant divisor, a power of two (the closure is inlined with it): a shift,
            // not a division a pixel.
            means((F * F) as u32);
        } else {
            means(rows * F as u32);
        }
        if !tail.is_empty() {
            let c = rows * tail.len() as u32;
            out.push(((sum(tail) + c / 2) / c) as u8);
        }
    }
    out
}

/// A JPEG as grey at 1/`divisor` of its size by DCT scaling (1, 2, 4 or 8; others round to
/// the next of those that keeps at least that size), and its full width: OCR takes a fine
/// scan at half size this way.
pub fn decode_jpeg_scaled(bytes: &[u8], divisor: u16) -> Result<(Grey, u32), FingerprintError> {
    let d = divisor.max(1);
    decode_jpeg_with(bytes, |w, h| (w.div_ceil(d), h.div_ceil(d)))
}

/// Decode at the smallest DCT scale that keeps at least the size `request` asks for, given the
/// full size; returns the picture and the full width.
fn decode_jpeg_with(
    bytes: &[u8],
    request: impl FnOnce(u16, u16) -> (u16, u16),
) -> Result<(Grey, u32), FingerprintError> {
    use jpeg_decoder::{Decoder, PixelFormat};
    let err = |e: jpeg_decoder::Error| FingerprintError::Decode(e.to_string());
    let mut d = Decoder::new(Cursor::new(bytes));
    d.set_max_decoding_buffer_size(MAX_DECODE_BYTES);
    d.read_info().map_err(err)?;
    let info = d.info().ok_or(FingerprintError::Unsupported)?;
    if u32::from(info.width.max(info.height)) > MAX_EDGE {
        return Err(FingerprintError::Decode(format!(
            "{}×{} pixels is larger than any photo",
            info.width, info.height
        )));
    }
    let (want_w, want_h) = request(info.width, info.height);
    let (w, h) = d.scale(want_w, want_h).map_err(err)?;
    let data = d.decode().map_err(err)?;
    let n = usize::from(w) * usize::from(h);
    let px: Vec<u8> = match info.pixel_format {
        PixelFormat::L8 => data.get(..n).map(<[u8]>::to_vec),
        PixelFormat::L16 => {
            (data.len() >= 2 * n).then(|| data.chunks_exact(2).take(n).map(|c| c[0]).collect())
        }
        PixelFormat::RGB24 => (data.len() >= 3 * n).then(|| {
            data.chunks_exact(3)
                .take(n)
                .map(|c| luma(c[0], c[1], c[2]))
                .collect()
        }),
        PixelFormat::CMYK32 => (data.len() >= 4 * n).then(|| {
            // Decoded CMYK arrives inverted (Adobe): each channel is already "ink absent".
            data.chunks_exact(4)
                .take(n)
                .map(|c| {
                    let k = u16::from(c[3]);
                    let ch = |v: u8| (u16::from(v) * k / 255) as u8;
                    luma(ch(c[0]), ch(c[1]), ch(c[2]))
                })
                .collect()
        }),
    }
    .ok_or_else(|| FingerprintError::Decode("fewer pixels than the header says".into()))?;
    let g = Grey {
        width: u32::from(w),
        height: u32::from(h),
        px,
    };
    Ok((g, u32::from(info.width)))
}

/// WebP, TIFF, GIF and BMP (a messaging app's re-save, a scanner's or a camera's TIFF) whole, by
/// the `image` crate, within the same limits; anything else is not a picture this decodes.
fn decode_other(bytes: &[u8]) -> Result<Grey, FingerprintError> {
    use image::ImageFormat::{Bmp, Gif, Tiff, WebP};
    let format = image::guess_format(bytes).map_err(|_| FingerprintError::Unsupported)?;
    if !matches!(format, WebP | Tiff | Gif | Bmp) {
        return Err(FingerprintError::Unsupported);
    }
    decode_with(bytes, format)
}

fn decode_png(bytes: &[u8]) -> Result<Grey, FingerprintError> {
    decode_with(bytes, image::ImageFormat::Png)
}

fn decode_with(bytes: &[u8], format: image::ImageFormat) -> Result<Grey, FingerprintError> {
    let mut r = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_EDGE);
    l.max_image_height = Some(MAX_EDGE);
    l.max_alloc = Some(MAX_DECODE_BYTES as u64);
    r.limits(l);
    let img = r
        .decode()
        .map_err(|e| FingerprintError::Decode(e.to_string()))?
        .into_luma8();
    Ok(Grey {
        width: img.width(),
        height: img.height(),
        px: img.into_raw(),
    })
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29) >> 8) as u8
}

/// A summed-area table, so that every cell of every grid is an average over its exact box.
struct Integral {
    w: usize,
    h: usize,
    /// Integers, exact (as the `f64`s they replaced were, below 2^53) and added without the
    /// chain of floating-point latencies a row of running sums is; signed, because x86-64
    /// turns a signed integer into a float in one instruction and an unsigned one in several.
    sums: Vec<i64>,
}

impl Integral {
    fn new(g: &Grey) -> Integral {
        let (w, h) = (g.width as usize, g.height as usize);
        let mut sums = vec![0i64; (w + 1) * (h + 1)];
        for (y, src) in g.px.chunks_exact(w.max(1)).take(h).enumerate() {
            let (above, here) = sums.split_at_mut((y + 1) * (w + 1));
            let above = &above[y * (w + 1) + 1..];
            let mut row = 0i64;
            for ((s, a), &p) in here[1..=w].iter_mut().zip(above).zip(src) {
                row += i64::from(p);
                *s = a + row;
            }
        }
        Integral { w, h, sums }
    }

    /// Where a fractional coordinate falls between the integral's samples `0..=last`: the two
    /// neighbours and the weight of the second. Coordinates are never negative, so truncation
    /// is the floor (`f64::floor` is a library call on the baseline x86-64 target).
    fn split(v: f64, last: usize) -> (usize, usize, f64) {
        let i = (v as usize).min(last);
        (i, (i + 1).min(last), v - i as f64)
    }

    /// The integral image at a fractional point: bilinear between its four neighbours, which is
    /// the exact area sum when a box edge falls inside a pixel.
    fn at(&self, (xi, xj, tx): (usize, usize, f64), (yi, yj, ty): (usize, usize, f64)) -> f64 {
        let s = |xx: usize, yy: usize| self.sums[yy * (self.w + 1) + xx] as f64;
        let top = s(xi, yi) * (1.0 - tx) + s(xj, yi) * tx;
        let bot = s(xi, yj) * (1.0 - tx) + s(xj, yj) * tx;
        top * (1.0 - ty) + bot * ty
    }

    /// An `n`×`n` grid of box means over the centred region left after cutting `inset` of each
    /// side (the aspect ratio is not kept: resized copies keep theirs, so both squash alike).
    /// The integral is read once per grid corner; each cell is four of them.
    fn grid(&self, inset: f32, n: usize) -> Vec<f32> {
        let (w, h) = (self.w as f64, self.h as f64);
        let i = f64::from(inset);
        let (x0, y0) = (w * i, h * i);
        let (cw, ch) = (w * (1.0 - 2.0 * i), h * (1.0 - 2.0 * i));
        // Each corner's column and row, found once per grid line rather than per corner.
        let xs: Vec<_> = (0..=n)
            .map(|g| Self::split(x0 + cw * g as f64 / n as f64, self.w))
            .collect();
        let ys: Vec<_> = (0..=n)
            .map(|g| Self::split(y0 + ch * g as f64 / n as f64, self.h))
            .collect();
        let mut corners = Vec::with_capacity((n + 1) * (n + 1));
        for &y in &ys {
            corners.extend(xs.iter().map(|&x| self.at(x, y)));
        }
        let c = |gx: usize, gy: usize| corners[gy * (n + 1) + gx];
        let area = (cw / n as f64 * ch / n as f64).max(1e-9);
        let mut out = Vec::with_capacity(n * n);
        for gy in 0..n {
            for gx in 0..n {
                let sum = c(gx + 1, gy + 1) - c(gx, gy + 1) - c(gx + 1, gy) + c(gx, gy);
                out.push((sum / area) as f32);
            }
        }
        out
    }
}

/// Turn a square grid upright by EXIF orientation: a rotated re-save (pixels turned, tag
/// dropped) then matches its original.
pub fn orient(g: &[f32], n: usize, orientation: Option<u16>) -> Vec<f32> {
    let o = orientation.unwrap_or(1);
    if !(2..=8).contains(&o) {
        return g.to_vec();
    }
    let mut out = vec![0f32; n * n];
    let last = n - 1;
    for y in 0..n {
        for x in 0..n {
            // Where the upright pixel (x, y) is stored in the file.
            let (sx, sy) = match o {
                2 => (last - x, y),
                3 => (last - x, last - y),
                4 => (x, last - y),
                5 => (y, x),
                6 => (y, last - x),
                7 => (last - y, last - x),
                _ => (last - y, x),
            };
            out[y * n + x] = g[sy * n + sx];
        }
    }
    out
}

/// The 64-bit DCT hash of a GRID×GRID picture: the 8×8 lowest frequencies, each bit set when the
/// coefficient is above their median (the DC term is left out of the median).
pub fn phash(grid: &[f32]) -> u64 {
    let n = GRID;
    let basis = dct_basis();
    // Rows, then columns, keeping only the first 8 frequencies in each direction. The eight
    // frequencies are summed side by side (each still in order along its row or column), so
    // the compiler keeps them in one vector register: the same sums, a fraction of the time.
    let across = dct_basis_by_x();
    let mut rows = [[0f32; 8]; GRID];
    for (y, r) in rows.iter_mut().enumerate() {
        for (x, bx) in across.iter().enumerate() {
            let g = grid[y * n + x];
            for u in 0..8 {
                r[u] += g * bx[u];
            }
        }
    }
    let mut coef = [0f32; 64];
    for v in 0..8 {
        let mut c = [0f32; 8];
        for (y, r) in rows.iter().enumerate() {
            let b = basis[v][y];
            for u in 0..8 {
                c[u] += r[u] * b;
            }
        }
        coef[v * 8..v * 8 + 8].copy_from_slice(&c);
    }
    let mut sorted: Vec<f32> = coef[1..].to_vec();
    sorted.sort_by(f32::total_cmp);
    let median = (sorted[31] + sorted[32]) / 2.0;
    coef.iter()
        .enumerate()
        .fold(0u64, |h, (i, c)| if *c > median { h | 1 << i } else { h })
}

/// [`dct_basis`] transposed: the eight frequencies' values at each position, side by side.
fn dct_basis_by_x() -> &'static [[f32; 8]; GRID] {
    static BY_X: std::sync::OnceLock<[[f32; 8]; GRID]> = std::sync::OnceLock::new();
    BY_X.get_or_init(|| {
        let b = dct_basis();
        std::array::from_fn(|x| std::array::from_fn(|u| b[u][x]))
    })
}

fn dct_basis() -> &'static [[f32; GRID]; 8] {
    static BASIS: std::sync::OnceLock<[[f32; GRID]; 8]> = std::sync::OnceLock::new();
    BASIS.get_or_init(|| {
        let mut b = [[0f32; GRID]; 8];
        for (u, row) in b.iter_mut().enumerate() {
            for (x, v) in row.iter_mut().enumerate() {
                *v = ((std::f64::consts::PI / GRID as f64) * (x as f64 + 0.5) * u as f64).cos()
                    as f32;
            }
        }
        b
    })
}
