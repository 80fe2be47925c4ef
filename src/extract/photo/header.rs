//! The pixel size from the image header: it describes the pixels actually stored, while EXIF
//! sizes often survive a resize unchanged.

pub(super) fn png_size(d: &[u8]) -> Option<(u32, u32)> {
    if d.len() < 24 || &d[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(d[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(d[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

pub(super) fn gif_size(d: &[u8]) -> Option<(u32, u32)> {
    if d.len() < 10 {
        return None;
    }
    let w = u16::from_le_bytes([d[6], d[7]]) as u32;
    let h = u16::from_le_bytes([d[8], d[9]]) as u32;
    (w > 0 && h > 0).then_some((w, h))
}

pub(super) fn webp_size(d: &[u8]) -> Option<(u32, u32)> {
    let chunk = d.get(12..16)?;
    let le24 = |b: &[u8]| b[0] as u32 | (b[1] as u32) << 8 | (b[2] as u32) << 16;
    match chunk {
        b"VP8X" => {
            let b = d.get(24..30)?;
            Some((le24(&b[0..3]) + 1, le24(&b[3..6]) + 1))
        }
        b"VP8 " => {
            // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height.
            let b = d.get(20..30)?;
            if b[3..6] != [0x9D, 0x01, 0x2A] {
                return None;
            }
            let w = u16::from_le_bytes([b[6], b[7]]) as u32 & 0x3FFF;
            let h = u16::from_le_bytes([b[8], b[9]]) as u32 & 0x3FFF;
            (w > 0 && h > 0).then_some((w, h))
        }
        b"VP8L" => {
            let b = d.get(20..25)?;
            if b[0] != 0x2F {
                return None;
            }
            let bits = u32::from_le_bytes([b[1], b[2], b[3], b[4]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        _ => None,
    }
}

/// HEIF/AVIF: the largest `ispe` (image spatial extent) property. The primary image of a
/// camera HEIC is a grid whose `ispe` is the full picture; tiles and thumbnails are smaller.
pub(super) fn heif_size(d: &[u8]) -> Option<(u32, u32)> {
    let meta = find_box(d, b"meta")?;
    let meta = meta.get(4..)?; // full box: version and flags
    let iprp = find_box(meta, b"iprp")?;
    let ipco = find_box(iprp, b"ipco")?;
    let mut best: Option<(u32, u32)> = None;
    for (kind, body) in boxes(ipco) {
        if kind == *b"ispe" && body.len() >= 12 {
            let w = u32::from_be_bytes(body[4..8].try_into().ok()?);
            let h = u32::from_be_bytes(body[8..12].try_into().ok()?);
            if w > 0
                && h > 0
                && best.is_none_or(|(bw, bh)| (w as u64 * h as u64) > (bw as u64 * bh as u64))
            {
                best = Some((w, h));
            }
        }
    }
    best
}

fn find_box<'a>(d: &'a [u8], want: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(d)
        .find(|(kind, _)| kind == want)
        .map(|(_, body)| body)
}

/// ISO-BMFF boxes at one level; stops quietly at the first malformed header.
fn boxes(d: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let head = d.get(pos..pos + 8)?;
        let size32 = u32::from_be_bytes(head[0..4].try_into().ok()?) as u64;
        let kind: [u8; 4] = head[4..8].try_into().ok()?;
        let (header, size) = match size32 {
            0 => (8u64, (d.len() - pos) as u64),
            1 => {
                let big = d.get(pos + 8..pos + 16)?;
                (16, u64::from_be_bytes(big.try_into().ok()?))
            }
            n => (8, n),
        };
        if size < header {
            return None;
        }
        let end = pos.checked_add(usize::try_from(size).ok()?)?.min(d.len());
        let body = d.get(pos + header as usize..end)?;
        pos = end;
        Some((kind, body))
    })
}
