//! The JPEG container, walked by hand: so that a truncated APP1 segment still yields the IFDs
//! before the cut, and a damaged JPEG is reported even when it carries no EXIF. The frame size
//! is read on the same walk (a second parser for it would walk the segments again), and so
//! are the XMP and Photoshop (IPTC) segments that carry capture dates after an edit.

use crate::problem::{Code, Problem};

pub(super) struct JpegScan<'a> {
    /// The TIFF structure inside the first `Exif\0\0` APP1 segment (maybe cut short).
    pub(super) exif_tiff: Option<&'a [u8]>,
    pub(super) exif_truncated: bool,
    /// The first XMP packet (APP1 after `http://ns.adobe.com/xap/1.0/\0`).
    pub(super) xmp: Option<&'a [u8]>,
    /// Photoshop's image resources (APP13 after `Photoshop 3.0\0`), where IPTC lives.
    pub(super) photoshop: Option<&'a [u8]>,
    pub(super) size: Option<(u32, u32)>,
    /// The quantization tables defined before the first scan.
    pub(super) quant: Vec<super::traces::QuantTable>,
    /// The APP11 segments in JPEG XT box form (`JP`), where C2PA manifests are carried.
    pub(super) app11: Vec<&'a [u8]>,
    /// Why the JPEG itself is damaged.
    pub(super) damage: Option<Problem>,
}

/// Walk the JPEG marker segments up to the first scan, then check that the image data ends
/// with an end-of-image marker. Only headers are parsed; the entropy-coded data is scanned
/// for `FF D9`, which cannot occur inside it (a literal FF is always stuffed as `FF 00`).
pub(super) fn scan_jpeg(d: &[u8]) -> JpegScan<'_> {
    let mut scan = JpegScan {
        exif_tiff: None,
        exif_truncated: false,
        xmp: None,
        photoshop: None,
        size: None,
        quant: Vec::new(),
        app11: Vec::new(),
        damage: None,
    };
    let mut saw_frame = false;
    let mut pos = 2;
    loop {
        // Fill bytes (extra FFs) may precede a marker.
        while pos < d.len() && d[pos] == 0xFF && d.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        if pos + 1 >= d.len() {
            scan.damage = Some(damaged(
                "the file ends inside its headers, before any image data",
            ));
            return scan;
        }
        if d[pos] != 0xFF {
            // Stray bytes between segments: decoders (libjpeg) skip to the next marker with a
            // warning and show the picture, so this is not damage worth reporting by itself.
            match d[pos..].iter().position(|&b| b == 0xFF) {
                Some(skip) => {
                    pos += skip;
                    continue;
                }
                None => {
                    scan.damage = Some(damaged("no JPEG header follows the start-of-image marker"));
                    return scan;
                }
            }
        }
        let marker = d[pos + 1];
        pos += 2;
        match marker {
            0xD8 => {
                scan.damage = Some(damaged("a second start-of-image marker inside the headers"));
                return scan;
            }
            0xD9 => {
                scan.damage = Some(damaged("the file ends before any image data"));
                return scan;
            }
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        if pos + 2 > d.len() {
            scan.damage = Some(damaged(
                "the file ends inside its headers, before any image data",
            ));
            return scan;
        }
        let len = u16::from_be_bytes([d[pos], d[pos + 1]]) as usize;
        if len < 2 {
            scan.damage = Some(damaged(&format!(
                "a header segment has an invalid length at offset {pos}"
            )));
            return scan;
        }
        let body_start = pos + 2;
        let body_end = pos + len;
        let available_end = body_end.min(d.len());
        let body = &d[body_start.min(available_end)..available_end];
        let cut = body_end > d.len();

        if marker == 0xE1 && scan.exif_tiff.is_none() && body.starts_with(b"Exif\0\0") {
            scan.exif_tiff = Some(&body[6..]);
            scan.exif_truncated = cut;
        }
        // XMP and IPTC date photos that editors re-saved; they sit in segments walked anyway.
        if marker == 0xE1 && scan.xmp.is_none() {
            if let Some(packet) = body.strip_prefix(b"http://ns.adobe.com/xap/1.0/\0") {
                scan.xmp = Some(packet);
            }
        }
        if marker == 0xED && scan.photoshop.is_none() {
            if let Some(res) = body.strip_prefix(b"Photoshop 3.0\0") {
                scan.photoshop = Some(res);
            }
        }
        // What wrote the bytes: quantization tables, content credentials.
        if marker == 0xDB && !cut {
            super::traces::dqt_tables(body, &mut scan.quant);
        }
        if marker == 0xEB && body.starts_with(b"JP") {
            scan.app11.push(body);
        }
        // SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) && !saw_frame {
            saw_frame = true;
            // Height 0 is legal (defined later by a DNL marker): the size stays unknown.
            if body.len() >= 5 {
                let h = u16::from_be_bytes([body[1], body[2]]) as u32;
                let w = u16::from_be_bytes([body[3], body[4]]) as u32;
                if w > 0 && h > 0 {
                    scan.size = Some((w, h));
                }
            }
        }
        if cut {
            scan.damage = Some(damaged(
                "the file ends inside its headers, before any image data",
            ));
            return scan;
        }
        pos = body_end;
        if marker == 0xDA {
            break;
        }
    }
    if !saw_frame {
        scan.damage = Some(damaged(
            "it has no frame header, so the picture cannot be decoded",
        ));
        return scan;
    }
    if !contains_eoi(&d[pos..]) {
        scan.damage = Some(Problem::new(Code::JpegTruncated));
    }
    scan
}

fn damaged(why: &str) -> Problem {
    Problem::detail(Code::ImageDamaged, why)
}

fn contains_eoi(d: &[u8]) -> bool {
    // Most photos end with the marker. Others carry a trailer after it (a phone's motion-photo
    // video, vendor data), so the search goes forward from the image data, with memchr's SIMD
    // search: a byte-by-byte scan cost more than hashing a camera's JPEG, and memchr's reverse
    // search, which is not vectorised, crawled back through whole trailers.
    d.ends_with(&[0xFF, 0xD9]) || memchr::memmem::find(d, &[0xFF, 0xD9]).is_some()
}
