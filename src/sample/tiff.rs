//! Scanned pages as TIFF files, as scanners and fax servers store them: several pages in one
//! file (8-bit grey, uncompressed), or black-and-white pages in CCITT Group 3 (which libtiff
//! reads and the `image` crate does not). Written by hand: the `image` crate writes one page,
//! and no crate at hand writes Group 3.

use super::paper::Raster;

/// Scanned pages as one multi-page TIFF, as a scanner writes them: each page an 8-bit grey
/// image (uncompressed, one strip), its directory pointing at the next page's.
pub fn multipage_tiff(pages: &[Raster]) -> Vec<u8> {
    let pages: Vec<_> = pages
        .iter()
        .map(|p| {
            // (tag, type: 3 SHORT / 4 LONG, value), in tag order; 273 is filled in.
            let entries = vec![
                (256, 4, p.width),
                (257, 4, p.height),
                (258, 3, 8),
                (259, 3, 1),
                (262, 3, 1),
                (273, 4, 0),
                (278, 4, p.height),
                (279, 4, p.px.len() as u32),
            ];
            (p.px.clone(), entries)
        })
        .collect();
    tiff_file(&pages)
}

/// Pages as a fax server stores them: a TIFF of black-and-white pages, each CCITT Group 3
/// one-dimensional with EOLs (`Compression` 3, `T4Options` 0, white is zero), which libtiff
/// reads and the `image` crate does not.
pub fn fax_tiff(pages: &[Raster]) -> Vec<u8> {
    let pages: Vec<_> = pages
        .iter()
        .map(|p| {
            let (w, h) = (p.width as usize, p.height as usize);
            let black: Vec<bool> = p.px.iter().map(|&v| v < 128).collect();
            let data = super::ccitt::encode_g3(&black, w, h, 0);
            let entries = vec![
                (256, 4, p.width),
                (257, 4, p.height),
                (258, 3, 1),
                (259, 3, 3),
                (262, 3, 0),
                (273, 4, 0),
                (277, 3, 1),
                (278, 4, p.height),
                (279, 4, data.len() as u32),
                (292, 4, 0),
            ];
            (data, entries)
        })
        .collect();
    tiff_file(&pages)
}

/// A TIFF directory entry: tag, type (3 SHORT, 4 LONG) and its one value.
type Entry = (u16, u16, u32);

/// A little-endian TIFF of `pages`, each its strip's bytes and its directory's entries (the
/// strip's offset, tag 273, written here), each directory pointing at the next.
fn tiff_file(pages: &[(Vec<u8>, Vec<Entry>)]) -> Vec<u8> {
    let mut out = b"II*\0\0\0\0\0".to_vec();
    // Where the previous directory's "next" offset is written (first: the header's).
    let mut link = 4usize;
    for (data, entries) in pages {
        let data_at = out.len();
        out.extend_from_slice(data);
        if out.len() % 2 == 1 {
            out.push(0);
        }
        let ifd_at = out.len();
        out[link..link + 4].copy_from_slice(&(ifd_at as u32).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for &(tag, kind, value) in entries {
            let value = if tag == 273 { data_at as u32 } else { value };
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            if kind == 3 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        link = out.len();
        out.extend_from_slice(&[0, 0, 0, 0]);
    }
    out
}
