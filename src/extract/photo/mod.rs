//! Photo metadata: capture time, place, camera, editing software, pixel size and orientation.
//!
//! Inspectors judge a photo by when and where it was taken and with what; those facts live in
//! EXIF, which cameras, phones and editors write with many small deviations from the standard
//! (blank or all-zero dates, missing GPS references, degrees written as one rational, strings
//! padded with NULs, broken IFD offsets after careless editing). This module is the only place
//! that parses EXIF (through kamadak-exif) and turns those deviations into clean [`Facts`]:
//! a value we are unsure of is left out rather than guessed, and damage is reported in plain
//! language while everything that could still be read is kept.
//!
//! Containers: JPEG is walked here (so that a truncated APP1 segment still yields the IFDs that
//! precede the cut, and so that a damaged JPEG is reported even when it carries no EXIF); TIFF,
//! HEIF/HEIC/AVIF, PNG and WebP are opened by kamadak-exif's container reader. The pixel size is
//! read from the image header itself where that is cheap (JPEG SOF, PNG IHDR, WebP, GIF, HEIF
//! `ispe`, TIFF IFD0), because the header describes the pixels actually stored while EXIF sizes
//! often survive a resize unchanged; EXIF's PixelXDimension is the fallback (raw formats).
//!
//! Formats kamadak-exif does not open (RAF, X3F, JPEG 2000, JPEG XL, RW2/ORF with their own
//! TIFF magic, Canon CR3 with its EXIF split over several boxes) are searched for the
//! TIFF-structured EXIF block they embed, so a camera's raw file still gets its date and model.
//!
//! Files: `jpeg.rs` walks a JPEG's segments, `traces.rs` reads what made the bytes (quantization
//! tables, XMP tools, Photoshop's writer, the AIGC label, C2PA), `exif_block.rs` finds and opens the EXIF block in every
//! other container, `time.rs` and `fields.rs` turn its fields into facts, `header.rs` reads the
//! pixel size from the image header.

mod exif_block;
mod fields;
mod header;
mod jpeg;
mod png_text;
mod time;
pub(crate) mod traces;
mod xmp;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod date_tests;
#[cfg(test)]
mod quirk_tests;
#[cfg(test)]
mod tests;

use exif::{Context, In, Tag};

use self::exif_block::{
    cr3_sub_ifds, embedded_exif, is_cr3, parse_raw, read_container, repair_pointers, summarize,
    tiff_variant, uint, Meta, ReadFailure,
};
use self::fields::fill_from_exif;
use self::header::{heif_size, simple_size};
use self::jpeg::scan_jpeg;
use self::png_text::scan_png;
pub(crate) use self::time::parse_exif_time_text;
pub use self::time::parse_utc_offset;
use self::time::{exif_times, settle, RANKS};
use self::xmp::{iptc_date, webp_xmp, xmp_dates};
use super::{Facts, Limits};
use crate::problem::{Code, Problem};

/// Fill capture time, GPS, camera, software, pixel size and orientation from EXIF and the
/// image header. Never panics on hostile input; problems are pushed to `f.problems`.
pub fn extract(data: &[u8], limits: &Limits, f: &mut Facts) {
    let container = Container::detect(data);

    let mut found = Vec::new();
    // XMP and IPTC blocks seen on the way, read for dates only when EXIF has no
    // DateTimeOriginal (which outranks them): most camera photos need no XMP parsing.
    let mut xmp_packet: Option<std::borrow::Cow<[u8]>> = None;
    let mut photoshop: Option<&[u8]> = None;
    let mut traces = traces::Traces::default();
    let (exif, jpeg_size) = match container {
        Container::Jpeg => {
            let scan = scan_jpeg(data);
            if let Some(problem) = &scan.damage {
                f.problems.push(problem.clone());
            }
            xmp_packet = scan.xmp.map(std::borrow::Cow::Borrowed);
            photoshop = scan.photoshop;
            traces.ijg_quality = traces::ijg_quality(&scan.quant);
            traces::read_c2pa(&scan.app11, &mut traces);
            let exif = scan.exif_tiff.map(|tiff| {
                let truncated = scan.exif_truncated;
                (parse_raw(repair_pointers(tiff.to_vec())), truncated)
            });
            (exif, scan.size)
        }
        Container::Png => {
            let text = scan_png(data);
            xmp_packet = text.xmp.map(std::borrow::Cow::Owned);
            // The eXIf chunk first; the legacy text chunk when there is none.
            let exif = read_container(data)
                .or_else(|| text.exif_tiff.map(|tiff| parse_raw(repair_pointers(tiff))));
            (exif.map(|r| (r, false)), None)
        }
        _ => {
            if container == Container::Webp {
                xmp_packet = webp_xmp(data).map(std::borrow::Cow::Borrowed);
            }
            // Raw and newer formats (RAF, RW2, X3F, CR3, JPEG 2000, JPEG XL) that kamadak-exif
            // does not open still carry a TIFF-structured EXIF block, often in a JPEG preview
            // that has more of the camera's tags than the raw IFD0 itself.
            let found = read_container(data)
                .or_else(|| {
                    matches!(container, Container::Other | Container::Heif)
                        .then(|| embedded_exif(data))
                        .flatten()
                        .map(Ok)
                })
                .or_else(|| tiff_variant(data));
            (found.map(|r| (r, false)), None)
        }
    };

    let exif = match exif {
        None => None,
        Some((Ok((exif, warnings)), truncated)) => {
            // The values were read: damage around them is a warning, never unreadable.
            if truncated {
                f.problems.push(Problem::new(Code::ExifTruncated));
            }
            if !warnings.is_empty() {
                f.problems
                    .push(Problem::detail(Code::ExifLayoutQuirk, summarize(&warnings)));
            }
            Some(exif)
        }
        Some((Err(ReadFailure::Corrupt(msg)), truncated)) => {
            if truncated {
                f.problems.push(Problem::new(Code::ExifTruncated));
            }
            f.problems.push(Problem::detail(Code::ExifUnreadable, msg));
            None
        }
        Some((Err(ReadFailure::Absent), _)) => None,
    };

    let meta = exif.map(|main| {
        let (exif_ifd, gps_ifd) = if is_cr3(data) {
            cr3_sub_ifds(data)
        } else {
            (None, None)
        };
        Meta {
            main,
            exif_ifd,
            gps_ifd,
        }
    });
    if let Some(meta) = &meta {
        exif_times(meta, limits, f, &mut found);
        if container == Container::Tiff {
            xmp_packet = tiff_xmp(meta).map(std::borrow::Cow::Borrowed);
        }
        fill_from_exif(meta, f);
    }
    if !found.iter().any(|c| c.source == RANKS[0]) {
        if let Some(packet) = &xmp_packet {
            xmp_dates(packet, limits.default_offset, f, &mut found);
        }
        if let Some(resources) = photoshop {
            iptc_date(resources, limits.default_offset, f, &mut found);
        }
    }
    settle(found, f);
    if let Some(packet) = &xmp_packet {
        let text = String::from_utf8_lossy(packet);
        traces.xmp_tools = traces::xmp_tools(&text);
        traces.aigc = traces::aigc_label(&text);
    }
    if let Some(resources) = photoshop {
        traces.photoshop_writer = traces::photoshop_writer(resources);
    }
    if !traces.is_empty() {
        f.traces = Some(traces);
    }
    if meta.is_none() && container == Container::Other && looks_like_text(data) {
        f.problems.push(Problem::new(Code::NotAnImage));
    }

    // The stored pixels are the truth; EXIF sizes (filled above) are only the fallback. In a
    // TIFF, IFD0's ImageWidth/ImageLength describe the stored pixels.
    let header_size = match container {
        Container::Jpeg => jpeg_size,
        Container::Png | Container::Webp | Container::Gif => simple_size(data),
        Container::Heif => heif_size(data),
        Container::Tiff => meta
            .as_ref()
            .filter(|m| !ifd0_is_preview(m))
            .and_then(|m| pair(uint(m, Tag::ImageWidth), uint(m, Tag::ImageLength))),
        Container::Other => None,
    };
    if let Some((w, h)) = header_size {
        f.width = Some(w);
        f.height = Some(h);
    }
}

/// A TIFF's XMP packet (tag 700, XMLPacket, in IFD0).
fn tiff_xmp(m: &Meta) -> Option<&[u8]> {
    match &m
        .main
        .get_field(Tag(Context::Tiff, 700), In::PRIMARY)?
        .value
    {
        exif::Value::Byte(b) | exif::Value::Undefined(b, _) => Some(b),
        _ => None,
    }
}

/// TIFF NewSubfileType (0xFE) bit 0: IFD0 holds a reduced-resolution copy, as in DNG and
/// several raw formats, so its size is not the photo's.
fn ifd0_is_preview(m: &Meta) -> bool {
    m.main
        .get_field(Tag(Context::Tiff, 0xFE), In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .is_some_and(|t| t & 1 == 1)
}

fn pair(w: Option<u32>, h: Option<u32>) -> Option<(u32, u32)> {
    match (w, h) {
        (Some(w), Some(h)) if w > 0 && h > 0 => Some((w, h)),
        _ => None,
    }
}

/// No NUL and valid UTF-8 in the first bytes: JSON, HTML, an error page saved as `.jpg`.
fn looks_like_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(512)];
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the window's end is still text.
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Jpeg,
    Tiff,
    Png,
    Webp,
    Gif,
    Heif,
    Other,
}

impl Container {
    fn detect(d: &[u8]) -> Container {
        if d.starts_with(&[0xFF, 0xD8]) {
            Container::Jpeg
        } else if d.starts_with(b"II*\0") || d.starts_with(b"MM\0*") {
            Container::Tiff
        } else if d.starts_with(b"\x89PNG\r\n\x1a\n") {
            Container::Png
        } else if d.len() >= 12 && d.starts_with(b"RIFF") && &d[8..12] == b"WEBP" {
            Container::Webp
        } else if d.starts_with(b"GIF87a") || d.starts_with(b"GIF89a") {
            Container::Gif
        } else if d.len() >= 12 && &d[4..8] == b"ftyp" {
            Container::Heif
        } else {
            Container::Other
        }
    }
}
