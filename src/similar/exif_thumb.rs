//! The EXIF thumbnail of a JPEG against its picture: a camera writes both at the moment of
//! capture, and an editor that changes the picture often leaves the thumbnail as it was. A
//! thumbnail that shows something else than the picture (a crop, a removed or added object,
//! another photo) is a sign the picture was edited after it was taken.
//!
//! The thumbnail is found by a short walk of the EXIF block (IFD0, then IFD1's JPEG pointer),
//! decoded (it is small), cut to the picture's aspect ratio when the camera letterboxed it,
//! and compared with the picture's own 32×32 grid by [`super::compare::agreement`].

use super::fingerprint::{decode_grey_min, thumb_grid, Grey};

/// Below this agreement the thumbnail is taken to show another picture. Set low on purpose:
/// in the corpus, thumbnails of unedited photos score 0.88 to 0.99 and two copies processed by
/// tools that kept the camera's thumbnail about 0.62, while its two photos edited after
/// capture score 0.03; the edited fixture (a crop and a repainted region,
/// src/sample/authenticity.rs) scores below 0.3 (docs/decisions.md).
pub const MIN_AGREEMENT: f32 = 0.5;

/// How the EXIF thumbnail of `jpeg` agrees with its decoded picture `main` (as stored, not
/// turned upright: the thumbnail is stored the same way); None when there is no thumbnail or
/// it does not decode.
pub fn thumbnail_agreement(jpeg: &[u8], main: &Grey) -> Option<f32> {
    let thumb = decode_grey_min(exif_thumbnail(jpeg)?, super::THUMB as u16).ok()?;
    let thumb = to_aspect(thumb, main.width as f32 / main.height as f32);
    super::compare::agreement(&thumb_grid(main), &thumb_grid(&thumb))
}

/// The thumbnail's centre at the picture's aspect ratio: cameras that write a 160×120
/// thumbnail of a 16:9 picture add black bars.
fn to_aspect(g: Grey, aspect: f32) -> Grey {
    let have = g.width as f32 / g.height as f32;
    if (have / aspect - 1.0).abs() < 0.03 {
        return g;
    }
    let (w, h) = if have > aspect {
        (((g.height as f32 * aspect).round() as u32).max(1), g.height)
    } else {
        (g.width, ((g.width as f32 / aspect).round() as u32).max(1))
    };
    let (x0, y0) = ((g.width - w) / 2, (g.height - h) / 2);
    let mut px = Vec::with_capacity((w * h) as usize);
    for y in y0..y0 + h {
        let row = (y * g.width) as usize;
        px.extend_from_slice(&g.px[row + x0 as usize..row + (x0 + w) as usize]);
    }
    Grey {
        width: w,
        height: h,
        px,
    }
}

/// The JPEG that IFD1 of the first EXIF segment points at.
pub fn exif_thumbnail(jpeg: &[u8]) -> Option<&[u8]> {
    let tiff = exif_block(jpeg)?;
    let le = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u32> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(u32::from(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }))
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd0 = u32_at(4)? as usize;
    let count0 = u16_at(ifd0)? as usize;
    let ifd1 = u32_at(ifd0 + 2 + 12 * count0)? as usize;
    if ifd1 == 0 || ifd1 == ifd0 {
        return None;
    }
    let (mut offset, mut length) = (None, None);
    for e in 0..u16_at(ifd1)? as usize {
        let at = ifd1 + 2 + 12 * e;
        match u16_at(at)? {
            0x0201 => offset = u32_at(at + 8),
            0x0202 => length = u32_at(at + 8),
            _ => {}
        }
    }
    let (offset, length) = (offset? as usize, length? as usize);
    let thumb = tiff.get(offset..offset.checked_add(length)?)?;
    thumb.starts_with(&[0xFF, 0xD8]).then_some(thumb)
}

/// The TIFF structure of the first `Exif` APP1 segment, found before the first scan.
fn exif_block(d: &[u8]) -> Option<&[u8]> {
    let mut pos = 2;
    while pos + 4 <= d.len() && d[pos] == 0xFF {
        let marker = d[pos + 1];
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([d[pos + 2], d[pos + 3]]));
        let body = d.get(pos + 4..pos + 2 + len.max(2))?;
        if marker == 0xE1 {
            if let Some(tiff) = body.strip_prefix(b"Exif\0\0") {
                return Some(tiff);
            }
        }
        pos += 2 + len;
    }
    None
}
