//! The pixel size from the image header: it describes the pixels actually stored, while EXIF
//! sizes often survive a resize unchanged. (JPEG's frame size is read on the walk of its
//! segments in `jpeg.rs`, and TIFF's from IFD0.)

/// PNG (IHDR), GIF (logical screen) and WebP (VP8, VP8L or VP8X), read by `imagesize`.
/// `None` when the header is cut short or gives a zero side.
pub(super) fn simple_size(d: &[u8]) -> Option<(u32, u32)> {
    let size = imagesize::blob_size(d).ok()?;
    let w = u32::try_from(size.width).ok()?;
    let h = u32::try_from(size.height).ok()?;
    (w > 0 && h > 0).then_some((w, h))
}

/// HEIF/AVIF stay hand-read: `imagesize` swaps the sides when an `irot` property rotates the
/// picture, but `width`/`height` are the stored pixels here (the rotation is reported apart).
///
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
