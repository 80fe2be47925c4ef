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

use std::io::Cursor;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use exif::{Context, Exif, Field, In, Reader, Tag, Value};

use super::{Facts, Limits};
use crate::record::{Camera, Gps};

/// Fill capture time, GPS, camera, software, pixel size and orientation from EXIF and the
/// image header. Never panics on hostile input; problems are pushed to `f.errors`.
pub fn extract(data: &[u8], limits: &Limits, f: &mut Facts) {
    let container = Container::detect(data);

    let (exif, jpeg_size) = match container {
        Container::Jpeg => {
            let scan = scan_jpeg(data);
            if let Some(problem) = &scan.damage {
                f.errors.push(problem.clone());
            }
            let exif = scan.exif_tiff.map(|tiff| {
                let truncated = scan.exif_truncated;
                (parse_raw(repair_pointers(tiff.to_vec())), truncated)
            });
            (exif, scan.size)
        }
        _ => {
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
            if truncated || !warnings.is_empty() {
                let mut what = Vec::new();
                if truncated {
                    what.push("the EXIF block is cut short".to_string());
                }
                what.extend(warnings);
                f.errors.push(format!(
                    "EXIF is corrupt: {}; capture time and GPS may be incomplete",
                    summarize(&what)
                ));
            }
            Some(exif)
        }
        Some((Err(ReadFailure::Corrupt(msg)), truncated)) => {
            let cut = if truncated {
                "the EXIF block is cut short; "
            } else {
                ""
            };
            f.errors.push(format!(
                "EXIF is corrupt: {cut}{msg}; capture time, GPS and camera could not be read"
            ));
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
        fill_from_exif(meta, limits, f);
    } else if container == Container::Other && looks_like_text(data) {
        f.errors.push(
            "named like a photo, but the content is text, not an image: the file may be misnamed \
             or a placeholder; ask for the real picture"
                .into(),
        );
    }

    // The stored pixels are the truth; EXIF sizes (filled above) are only the fallback. In a
    // TIFF, IFD0's ImageWidth/ImageLength describe the stored pixels.
    let header_size = match container {
        Container::Jpeg => jpeg_size,
        Container::Png => png_size(data),
        Container::Webp => webp_size(data),
        Container::Gif => gif_size(data),
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

/// The first plausible TIFF header (`II*\0` or `MM\0*` with IFD0 right after it, as every
/// EXIF writer lays it out) in the first 4 MiB, parsed. Only a block that yields fields counts:
/// this is a guess, so its parse errors are not reported as damage.
fn embedded_exif(data: &[u8]) -> Option<Parsed> {
    const LE: &[u8] = b"II*\0\x08\0\0\0";
    const BE: &[u8] = b"MM\0*\0\0\0\x08";
    let window = &data[..data.len().min(4 << 20)];
    let mut from = 0;
    for _ in 0..8 {
        let rest = &window[from..];
        let rel = memchr::memchr2_iter(b'I', b'M', rest)
            .find(|&i| rest[i..].starts_with(LE) || rest[i..].starts_with(BE))?;
        let at = from + rel;
        // An EXIF block in a preview JPEG fits one 64 KiB segment; 1 MiB covers raw IFDs too
        // without copying a whole raw file for every candidate.
        let block = &data[at..data.len().min(at + (1 << 20))];
        if let Ok((exif, _)) = parse_raw(repair_pointers(block.to_vec())) {
            if exif.fields().len() > 2 {
                return Some((exif, Vec::new()));
            }
        }
        from = at + 1;
    }
    None
}

/// Raw formats that are TIFF with their own magic number (Panasonic RW2 `IIU\0`, Olympus ORF
/// `IIRO`/`IIRS`/`MMOR`): parsed as TIFF after restoring the standard magic.
fn tiff_variant(data: &[u8]) -> Option<Result<Parsed, ReadFailure>> {
    let head = data.get(..4)?;
    let standard: &[u8] = match head {
        b"IIU\0" | b"IIRO" | b"IIRS" => b"II*\0",
        b"MMOR" => b"MM\0*",
        _ => return None,
    };
    let mut tiff = data.to_vec();
    tiff[..4].copy_from_slice(standard);
    match parse_raw(repair_pointers(tiff)) {
        Err(ReadFailure::Absent) => None,
        other => Some(other),
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

/// Some writers type the EXIF and GPS IFD pointers as SLONG or IFD instead of LONG;
/// kamadak-exif then drops the whole sub-IFD ("Invalid pointer"). Retype them in IFD0.
fn repair_pointers(mut tiff: Vec<u8>) -> Vec<u8> {
    let le = match tiff.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return tiff,
    };
    let u16_at = |t: &[u8], i: usize| -> Option<u16> {
        let b: [u8; 2] = t.get(i..i + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |t: &[u8], i: usize| -> Option<u32> {
        let b: [u8; 4] = t.get(i..i + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let Some(ifd) = u32_at(&tiff, 4).map(|o| o as usize) else {
        return tiff;
    };
    let Some(count) = u16_at(&tiff, ifd) else {
        return tiff;
    };
    for i in 0..count as usize {
        let e = ifd + 2 + i * 12;
        let (Some(tag), Some(typ), Some(n)) =
            (u16_at(&tiff, e), u16_at(&tiff, e + 2), u32_at(&tiff, e + 4))
        else {
            break;
        };
        if matches!(tag, 0x8769 | 0x8825) && matches!(typ, 9 | 13) && n == 1 {
            let long: [u8; 2] = if le {
                4u16.to_le_bytes()
            } else {
                4u16.to_be_bytes()
            };
            tiff[e + 2..e + 4].copy_from_slice(&long);
        }
    }
    tiff
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

enum ReadFailure {
    /// No EXIF in this file, or a format kamadak-exif does not open: not a problem.
    Absent,
    /// EXIF is there but could not be parsed at all.
    Corrupt(String),
}

/// Parsed EXIF plus the non-fatal problems met while parsing it.
type Parsed = (Exif, Vec<String>);

fn read_container(data: &[u8]) -> Option<Result<Parsed, ReadFailure>> {
    let mut cursor = Cursor::new(data);
    let result = Reader::new()
        .continue_on_error(true)
        .read_from_container(&mut cursor);
    match result {
        Ok(exif) => Some(Ok((exif, Vec::new()))),
        Err(e) => match classify(e) {
            Ok(parsed) => Some(Ok(parsed)),
            Err(ReadFailure::Absent) => None,
            Err(other) => Some(Err(other)),
        },
    }
}

fn parse_raw(tiff: Vec<u8>) -> Result<Parsed, ReadFailure> {
    match Reader::new().continue_on_error(true).read_raw(tiff) {
        Ok(exif) => Ok((exif, Vec::new())),
        Err(e) => classify(e),
    }
}

fn classify(e: exif::Error) -> Result<Parsed, ReadFailure> {
    match e {
        exif::Error::PartialResult(partial) => {
            let (exif, errors) = partial.into_inner();
            Ok((
                exif,
                errors.iter().map(|e| lower_first(&e.to_string())).collect(),
            ))
        }
        exif::Error::NotFound(_) => Err(ReadFailure::Absent),
        // kamadak-exif's answer for formats it does not open (GIF, BMP, JPEG 2000, raw files
        // outside TIFF): there is nothing to report, the file simply has no EXIF we can read.
        exif::Error::InvalidFormat("Unknown image format") => Err(ReadFailure::Absent),
        other => Err(ReadFailure::Corrupt(lower_first(&other.to_string()))),
    }
}

/// kamadak-exif's messages ("Truncated IFD") read as sentence starts; ours continue a sentence.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One line out of many parser complaints: the first few, then a count.
fn summarize(items: &[String]) -> String {
    let mut shown: Vec<&str> = Vec::new();
    for item in items {
        if !shown.contains(&item.as_str()) {
            shown.push(item);
        }
    }
    let more = shown.len().saturating_sub(3);
    let mut s = shown.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more problems"));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// JPEG container

struct JpegScan<'a> {
    /// The TIFF structure inside the first `Exif\0\0` APP1 segment (maybe cut short).
    exif_tiff: Option<&'a [u8]>,
    exif_truncated: bool,
    size: Option<(u32, u32)>,
    /// Why the JPEG itself is damaged, in words for the user.
    damage: Option<String>,
}

/// Walk the JPEG marker segments up to the first scan, then check that the image data ends
/// with an end-of-image marker. Only headers are parsed; the entropy-coded data is scanned
/// for `FF D9`, which cannot occur inside it (a literal FF is always stuffed as `FF 00`).
fn scan_jpeg(d: &[u8]) -> JpegScan<'_> {
    let mut scan = JpegScan {
        exif_tiff: None,
        exif_truncated: false,
        size: None,
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
        scan.damage = Some(
            "JPEG image data is truncated (no end-of-image marker): the picture is incomplete, \
             probably an interrupted copy or upload; ask for the original file"
                .into(),
        );
    }
    scan
}

fn damaged(why: &str) -> String {
    format!(
        "JPEG is damaged: {why}; the picture cannot be shown and its metadata may be incomplete"
    )
}

fn contains_eoi(d: &[u8]) -> bool {
    // Most photos end with the marker. Others carry a trailer after it (a phone's motion-photo
    // video, vendor data), so the search goes forward from the image data, with memchr's SIMD
    // search: a byte-by-byte scan cost more than hashing a camera's JPEG, and memchr's reverse
    // search, which is not vectorised, crawled back through whole trailers.
    d.ends_with(&[0xFF, 0xD9]) || memchr::memmem::find(d, &[0xFF, 0xD9]).is_some()
}

// ---------------------------------------------------------------------------------------------
// EXIF fields → facts

fn fill_from_exif(exif: &Meta, limits: &Limits, f: &mut Facts) {
    capture_time(exif, limits, f);
    match gps(exif) {
        Ok(point) => f.gps = point,
        Err(msg) => f.errors.push(msg),
    }

    let make = ascii(exif, Tag::Make);
    let model = ascii(exif, Tag::Model);
    if make.is_some() || model.is_some() {
        f.camera = Some(Camera { make, model });
    }
    f.software = ascii(exif, Tag::Software);

    f.orientation = field(exif, Tag::Orientation)
        .and_then(|fl| fl.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u16);

    let exif_size = pair(
        uint(exif, Tag::PixelXDimension),
        uint(exif, Tag::PixelYDimension),
    )
    .or_else(|| pair(uint(exif, Tag::ImageWidth), uint(exif, Tag::ImageLength)));
    if let Some((w, h)) = exif_size {
        f.width = Some(w);
        f.height = Some(h);
    }
}

/// EXIF as read from one file. Canon CR3 stores the EXIF and GPS IFDs as separate TIFF
/// structures (boxes CMT2 and CMT4) whose tags are then numbered as if in IFD0.
struct Meta {
    main: Exif,
    exif_ifd: Option<Exif>,
    gps_ifd: Option<Exif>,
}

/// The primary image's field; IFD1 (the thumbnail) is never used for facts about the photo.
fn field(m: &Meta, tag: Tag) -> Option<&Field> {
    m.main.get_field(tag, In::PRIMARY).or_else(|| {
        let flat = match tag.context() {
            Context::Exif => m.exif_ifd.as_ref(),
            Context::Gps => m.gps_ifd.as_ref(),
            _ => None,
        }?;
        flat.get_field(Tag(Context::Tiff, tag.number()), In::PRIMARY)
    })
}

fn is_cr3(data: &[u8]) -> bool {
    data.get(4..12) == Some(b"ftypcrx ")
}

/// CR3's CMT2 (EXIF IFD) and CMT4 (GPS IFD) boxes, found by name in the metadata at the
/// start of the file; each holds a complete little TIFF structure.
fn cr3_sub_ifds(data: &[u8]) -> (Option<Exif>, Option<Exif>) {
    let head = &data[..data.len().min(1 << 20)];
    let find = |name: &[u8; 4]| -> Option<Exif> {
        let at = memchr::memmem::find(head, name)?;
        let size = u32::from_be_bytes(head.get(at.checked_sub(4)?..at)?.try_into().ok()?) as usize;
        let body = head.get(at + 4..(at - 4).checked_add(size)?)?;
        match parse_raw(body.to_vec()) {
            Ok((exif, _)) => Some(exif),
            Err(_) => None,
        }
    };
    (find(b"CMT2"), find(b"CMT4"))
}

fn uint(exif: &Meta, tag: Tag) -> Option<u32> {
    field(exif, tag).and_then(|fl| fl.value.get_uint(0))
}

/// An ASCII field as clean text: NUL padding and blanks trimmed, empty meaning absent. Bytes
/// that are not UTF-8 are read as GB18030, the encoding Chinese software uses when it ignores
/// the ASCII rule.
fn ascii(exif: &Meta, tag: Tag) -> Option<String> {
    let raw = ascii_bytes(exif, tag)?;
    let text = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(raw).0.into_owned(),
    };
    let cleaned = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    // Some cameras pad with NULs mid-string and then garbage; keep what precedes the first NUL.
    let cleaned = cleaned.split('\0').next().unwrap_or("").trim();
    if cleaned.is_empty() {
        None
    } else {
        Some(cleaned.to_string())
    }
}

fn ascii_bytes(exif: &Meta, tag: Tag) -> Option<&[u8]> {
    match &field(exif, tag)?.value {
        Value::Ascii(parts) => parts.iter().find(|p| !p.is_empty()).map(|p| p.as_slice()),
        // Some writers store strings as UNDEFINED or BYTE.
        Value::Undefined(bytes, _) | Value::Byte(bytes) => Some(bytes.as_slice()),
        _ => None,
    }
}

/// The three EXIF times, each with its sub-second and offset companions.
struct TimeTag {
    tag: Tag,
    subsec: Tag,
    offset: Tag,
    source: &'static str,
}

const TIME_TAGS: [TimeTag; 3] = [
    TimeTag {
        tag: Tag::DateTimeOriginal,
        subsec: Tag::SubSecTimeOriginal,
        offset: Tag::OffsetTimeOriginal,
        source: "exif:DateTimeOriginal",
    },
    TimeTag {
        tag: Tag::DateTimeDigitized,
        subsec: Tag::SubSecTimeDigitized,
        offset: Tag::OffsetTimeDigitized,
        source: "exif:CreateDate",
    },
    TimeTag {
        tag: Tag::DateTime,
        subsec: Tag::SubSecTime,
        offset: Tag::OffsetTime,
        source: "exif:DateTime",
    },
];

/// Capture time: DateTimeOriginal, else DateTimeDigitized (ExifTool's CreateDate), else DateTime.
///
/// The offset comes from the OffsetTime* tag that belongs to the chosen time; without one (EXIF
/// before 2.31, i.e. nearly every camera before 2017) the configured zone is assumed. The
/// assumption is deliberately not written into `captured_at_source`: that field names the tag,
/// stays a small fixed vocabulary that can be faceted and compared, and an assumed zone is the
/// normal case for this evidence rather than a finding. A damaged offset tag, in contrast, is
/// reported as an error because the file claims a zone we could not read.
///
/// `modified_at` is EXIF DateTime (ExifTool's ModifyDate), set only when the capture time came
/// from another tag, so that capture and modify time are two independent statements.
fn capture_time(exif: &Meta, limits: &Limits, f: &mut Facts) {
    let mut times: [Option<DateTime<FixedOffset>>; 3] = [None, None, None];
    for (i, t) in TIME_TAGS.iter().enumerate() {
        let Some(raw) = ascii_bytes(exif, t.tag) else {
            continue;
        };
        match parse_exif_time(raw) {
            Ok(None) => {}
            Ok(Some((naive, inline_offset))) => {
                let naive = match ascii_bytes(exif, t.subsec).and_then(parse_subsec) {
                    Some(nanos) if naive.and_utc().timestamp_subsec_nanos() == 0 => {
                        naive.with_nanosecond(nanos).unwrap_or(naive)
                    }
                    _ => naive,
                };
                let offset = match ascii_bytes(exif, t.offset).map(parse_offset) {
                    Some(Ok(Some(o))) => o,
                    Some(Err(bad)) => {
                        f.errors.push(format!(
                            "EXIF {} has an unreadable time zone ({bad}); assumed {}",
                            tag_name(t.offset),
                            limits.default_offset
                        ));
                        inline_offset.unwrap_or(limits.default_offset)
                    }
                    _ => inline_offset.unwrap_or(limits.default_offset),
                };
                match offset.from_local_datetime(&naive).single() {
                    Some(dt) => times[i] = Some(dt),
                    None => f.errors.push(format!(
                        "EXIF {} ({}) cannot be placed in time; ignored",
                        tag_name(t.tag),
                        show(raw)
                    )),
                }
            }
            Err(()) => f.errors.push(format!(
                "EXIF {} is not a valid date ({}); ignored, the next date tag is used if any",
                tag_name(t.tag),
                show(raw)
            )),
        }
    }
    if let Some(i) = times.iter().position(|t| t.is_some()) {
        f.captured_at = times[i];
        f.captured_at_source = Some(TIME_TAGS[i].source.to_string());
        if i != 2 {
            f.modified_at = times[2];
        }
    }
}

fn tag_name(tag: Tag) -> String {
    match tag {
        Tag::DateTimeDigitized => "CreateDate (DateTimeDigitized)".into(),
        Tag::DateTime => "ModifyDate (DateTime)".into(),
        other => other.to_string(),
    }
}

/// Raw bytes shown to a user: text if printable, else a short hex dump.
fn show(raw: &[u8]) -> String {
    let raw = &raw[..raw.len().min(40)];
    match std::str::from_utf8(raw) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("\"{s}\""),
        _ => raw
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Parse an EXIF date-time. `Ok(None)` means the camera said "unknown" (blank, all zeros, or
/// only separators); `Err` means something is there but it is not a date.
///
/// Accepted beyond the standard `YYYY:MM:DD HH:MM:SS`: `-` or `/` as date separators, `T`
/// between date and time, missing seconds, and a trailing `Z` or `±HH:MM` (some editors
/// write the zone into the date itself).
pub(crate) fn parse_exif_time(
    raw: &[u8],
) -> Result<Option<(NaiveDateTime, Option<FixedOffset>)>, ()> {
    let text = std::str::from_utf8(raw).map_err(|_| ())?;
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text.chars().all(|c| c == '0' || !c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let (main, offset) = split_inline_offset(text)?;
    let nums: Vec<&str> = main
        .split(|c: char| matches!(c, ':' | '-' | '/' | ' ' | 'T' | '.'))
        .filter(|s| !s.is_empty())
        .collect();
    if nums.len() < 5 || !nums.iter().all(|n| n.bytes().all(|b| b.is_ascii_digit())) {
        return Err(());
    }
    let num = |i: usize| -> Result<u32, ()> { nums[i].parse::<u32>().map_err(|_| ()) };
    let (y, mo, d, h, mi) = (num(0)?, num(1)?, num(2)?, num(3)?, num(4)?);
    let s = if nums.len() > 5 { num(5)? } else { 0 };
    if nums[0].len() != 4 {
        return Err(());
    }
    // Year, month or day zero with a real time is still "date unknown" to the camera.
    if y == 0 || mo == 0 || d == 0 {
        return Ok(None);
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d).ok_or(())?;
    let time = NaiveTime::from_hms_opt(h, mi, s).ok_or(())?;
    let mut naive = date.and_time(time);
    // A fraction written into the time itself ("10:33:20.009").
    if nums.len() > 6 && main.contains('.') {
        if let Some(nanos) = parse_subsec(nums[6].as_bytes()) {
            naive = naive.with_nanosecond(nanos).unwrap_or(naive);
        }
    }
    Ok(Some((naive, offset)))
}

fn split_inline_offset(text: &str) -> Result<(&str, Option<FixedOffset>), ()> {
    if let Some(main) = text.strip_suffix('Z') {
        return Ok((main, FixedOffset::east_opt(0)));
    }
    // Only look after the date part, whose own '-' separators are not a zone.
    // Bytes, not a str slice: byte 19 of a damaged value may fall inside a multi-byte
    // character (fuzzing found one), and '+' and '-' are always character boundaries.
    if text.len() > 19 {
        if let Some(rel) = text.as_bytes()[19..]
            .iter()
            .position(|b| *b == b'+' || *b == b'-')
        {
            let at = 19 + rel;
            let zone = parse_offset(text[at..].as_bytes()).map_err(|_| ())?;
            return Ok((&text[..at], zone));
        }
    }
    Ok((text, None))
}

/// `SubSecTime*`: digits are a decimal fraction of a second ("09" = 0.09 s).
fn parse_subsec(raw: &[u8]) -> Option<u32> {
    let digits: Vec<u8> = raw
        .iter()
        .copied()
        .take_while(|b| b.is_ascii_digit())
        .take(9)
        .collect();
    if digits.is_empty() {
        return None;
    }
    let mut nanos: u32 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + digits.get(i).map(|b| (b - b'0') as u32).unwrap_or(0);
    }
    Some(nanos)
}

/// `OffsetTime*` (`+08:00`). `Ok(None)` when blank; `Err` carries the shown value.
fn parse_offset(raw: &[u8]) -> Result<Option<FixedOffset>, String> {
    let text = std::str::from_utf8(raw).map_err(|_| show(raw))?;
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text.is_empty() || text.chars().all(|c| c == ':') {
        return Ok(None);
    }
    let bad = || format!("\"{text}\"");
    let (sign, rest) = match text.as_bytes()[0] {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        // get(): a 4-byte value may hold a multi-byte character where the split falls.
        None if rest.len() == 4 => match (rest.get(..2), rest.get(2..)) {
            (Some(h), Some(m)) => (h, m),
            _ => return Err(bad()),
        },
        None if rest.len() <= 2 => (rest, "0"),
        None => return Err(bad()),
    };
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if h > 14 || m > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        .map(Some)
        .ok_or_else(bad)
}

/// GPS position in signed decimal degrees. `Ok(None)` when absent or 0,0 (what many phones
/// write when they had no fix); `Err` when present but unusable.
fn gps(exif: &Meta) -> Result<Option<Gps>, String> {
    let lat = field(exif, Tag::GPSLatitude);
    let lon = field(exif, Tag::GPSLongitude);
    let (lat, lon) = match (lat, lon) {
        (None, None) => return Ok(None),
        (Some(lat), Some(lon)) => (lat, lon),
        _ => {
            return Err(
                "EXIF GPS has a latitude or a longitude but not both; position ignored".into(),
            )
        }
    };
    let lat_v =
        degrees(&lat.value).map_err(|why| format!("EXIF GPSLatitude {why}; position ignored"))?;
    let lon_v =
        degrees(&lon.value).map_err(|why| format!("EXIF GPSLongitude {why}; position ignored"))?;
    let lat_v = apply_ref(lat_v, ascii_bytes(exif, Tag::GPSLatitudeRef), b'S', b'N');
    let lon_v = apply_ref(lon_v, ascii_bytes(exif, Tag::GPSLongitudeRef), b'W', b'E');
    if !lat_v.is_finite() || !lon_v.is_finite() {
        return Err("EXIF GPS position is not a number; position ignored".into());
    }
    if lat_v == 0.0 && lon_v == 0.0 {
        return Ok(None);
    }
    if lat_v.abs() > 90.0 || lon_v.abs() > 180.0 {
        return Err(format!(
            "EXIF GPS position {lat_v:.6}, {lon_v:.6} is outside the globe; position ignored"
        ));
    }
    Ok(Some(Gps {
        lat: lat_v,
        lon: lon_v,
    }))
}

/// A reference letter flips the sign; without one (or with an unknown letter) the value keeps
/// its own sign, i.e. north/east is assumed, as ExifTool does.
fn apply_ref(v: f64, r: Option<&[u8]>, negative: u8, positive: u8) -> f64 {
    let letter = r.and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace() && **b != 0));
    match letter.map(|b| b.to_ascii_uppercase()) {
        Some(l) if l == negative => -v.abs(),
        Some(l) if l == positive => v.abs(),
        _ => v,
    }
}

/// Degrees from 1 (degrees), 2 (degrees, decimal minutes) or 3 (D, M, S) numbers.
fn degrees(value: &Value) -> Result<f64, String> {
    let parts: Vec<f64> = match value {
        Value::Rational(v) => v
            .iter()
            .map(|r| ratio(r.num as f64, r.denom as f64))
            .collect::<Result<_, _>>()?,
        Value::SRational(v) => v
            .iter()
            .map(|r| ratio(r.num as f64, r.denom as f64))
            .collect::<Result<_, _>>()?,
        Value::Double(v) => v.clone(),
        Value::Float(v) => v.iter().map(|x| *x as f64).collect(),
        Value::Ascii(v) => {
            // A few writers store "36.84" or "36 50 24" as text.
            let text = v
                .first()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            text.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<f64>()
                        .map_err(|_| format!("is not a number (\"{text}\")"))
                })
                .collect::<Result<_, _>>()?
        }
        _ => return Err("has an unexpected type".into()),
    };
    if parts.is_empty() {
        return Err("is empty".into());
    }
    if parts.iter().any(|p| !p.is_finite()) {
        return Err("is not a number".into());
    }
    let sign = if parts[0] < 0.0 { -1.0 } else { 1.0 };
    let mut total = parts[0].abs();
    if let Some(m) = parts.get(1) {
        total += m.abs() / 60.0;
    }
    if let Some(s) = parts.get(2) {
        total += s.abs() / 3600.0;
    }
    Ok(sign * total)
}

/// 0/0 is what several phones write for "seconds not recorded": it counts as zero.
fn ratio(num: f64, denom: f64) -> Result<f64, String> {
    if denom == 0.0 {
        if num == 0.0 {
            return Ok(0.0);
        }
        return Err("divides by zero".into());
    }
    Ok(num / denom)
}

// ---------------------------------------------------------------------------------------------
// Pixel size from the container header

fn png_size(d: &[u8]) -> Option<(u32, u32)> {
    if d.len() < 24 || &d[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(d[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(d[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

fn gif_size(d: &[u8]) -> Option<(u32, u32)> {
    if d.len() < 10 {
        return None;
    }
    let w = u16::from_le_bytes([d[6], d[7]]) as u32;
    let h = u16::from_le_bytes([d[8], d[9]]) as u32;
    (w > 0 && h > 0).then_some((w, h))
}

fn webp_size(d: &[u8]) -> Option<(u32, u32)> {
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
fn heif_size(d: &[u8]) -> Option<(u32, u32)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::jpeg::{
        encode_pixels, exif_tiff, jpeg, with_exif_segment, GpsLayout, Pattern, PhotoSpec,
    };
    use chrono::NaiveDate;
    use image::ImageEncoder;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    fn zone(h: i32, m: i32) -> FixedOffset {
        FixedOffset::east_opt(h.signum() * (h.abs() * 3600 + m * 60)).unwrap()
    }

    #[test]
    fn multibyte_characters_where_times_and_zones_are_split_are_rejected_not_a_panic() {
        // Found by fuzzing: byte 19 of a damaged DateTimeOriginal fell inside a BOM (U+FEFF),
        // and a 4-byte OffsetTime with a two-byte character split mid-character.
        assert_eq!(
            parse_exif_time("2006:05:t begin=\"\u{feff}\"+08:00".as_bytes()),
            Err(())
        );
        assert_eq!(
            parse_exif_time("2019:09:15 10:30:0\u{e9}+08:00".as_bytes()),
            Err(())
        );
        assert!(parse_offset("+1\u{e9}1".as_bytes()).is_err());
        assert_eq!(parse_offset(b"+0800"), Ok(Some(zone(8, 0))));
    }

    fn phone() -> PhotoSpec {
        let when = at(2019, 6, 12, 10, 15, 30);
        PhotoSpec {
            width: 160,
            height: 120,
            pattern: Pattern::Scene(7),
            make: Some("HUAWEI".into()),
            model: Some("ALP-AL00".into()),
            software: Some("ALP-AL00 8.0.0.120(C00)".into()),
            orientation: Some(6),
            date_time_original: Some(when),
            create_date: Some(when),
            modify_date: Some(when),
            gps: Some((36.840512, 101.951234)),
            ..PhotoSpec::default()
        }
    }

    fn read(bytes: &[u8]) -> Facts {
        let mut f = Facts::default();
        extract(bytes, &Limits::default(), &mut f);
        f
    }

    fn assert_gps(f: &Facts, lat: f64, lon: f64) {
        let g = f
            .gps
            .unwrap_or_else(|| panic!("no GPS read; errors: {:?}", f.errors));
        assert!((g.lat - lat).abs() < 1e-6, "lat {} != {lat}", g.lat);
        assert!((g.lon - lon).abs() < 1e-6, "lon {} != {lon}", g.lon);
    }

    #[test]
    fn phone_photo_gives_exact_values() {
        let f = read(&jpeg(&phone()));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2019-06-12T10:15:30+08:00"
        );
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
        assert_eq!(
            f.modified_at.unwrap().to_rfc3339(),
            "2019-06-12T10:15:30+08:00"
        );
        assert_gps(&f, 36.840512, 101.951234);
        let cam = f.camera.clone().unwrap();
        assert_eq!(cam.make.as_deref(), Some("HUAWEI"));
        assert_eq!(cam.model.as_deref(), Some("ALP-AL00"));
        assert_eq!(f.software.as_deref(), Some("ALP-AL00 8.0.0.120(C00)"));
        assert_eq!(f.orientation, Some(6));
        assert_eq!((f.width, f.height), (Some(160), Some(120)));
    }

    #[test]
    fn offset_and_subseconds_come_from_the_file() {
        let mut spec = phone();
        spec.offset_time_original = Some(zone(-3, 30));
        spec.subsec_original = Some("25".into());
        spec.little_endian = false;
        let f = read(&jpeg(&spec));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2019-06-12T10:15:30.250-03:30"
        );
    }

    #[test]
    fn missing_offset_uses_the_configured_zone() {
        let limits = Limits {
            default_offset: zone(0, 0),
            ..Limits::default()
        };
        let mut f = Facts::default();
        extract(&jpeg(&phone()), &limits, &mut f);
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2019-06-12T10:15:30+00:00"
        );
    }

    #[test]
    fn date_falls_back_to_create_date_then_modify_date() {
        let mut spec = phone();
        spec.date_time_original = None;
        spec.create_date = Some(at(2017, 1, 2, 3, 4, 5));
        spec.modify_date = Some(at(2018, 2, 3, 4, 5, 6));
        let f = read(&jpeg(&spec));
        assert_eq!(f.captured_at_source.as_deref(), Some("exif:CreateDate"));
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2017-01-02T03:04:05+08:00"
        );
        assert_eq!(
            f.modified_at.unwrap().to_rfc3339(),
            "2018-02-03T04:05:06+08:00"
        );

        spec.create_date = None;
        let f = read(&jpeg(&spec));
        assert_eq!(f.captured_at_source.as_deref(), Some("exif:DateTime"));
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2018-02-03T04:05:06+08:00"
        );
        assert_eq!(
            f.modified_at, None,
            "DateTime used as capture time is not also a modify time"
        );
    }

    #[test]
    fn edited_photo_keeps_modify_date_apart() {
        let mut spec = phone();
        spec.software = Some("Adobe Photoshop CC 2019 (Windows)".into());
        spec.modify_date = Some(at(2019, 9, 1, 20, 0, 0));
        let f = read(&jpeg(&spec));
        assert_eq!(
            f.software.as_deref(),
            Some("Adobe Photoshop CC 2019 (Windows)")
        );
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2019-06-12T10:15:30+08:00"
        );
        assert_eq!(
            f.modified_at.unwrap().to_rfc3339(),
            "2019-09-01T20:00:00+08:00"
        );
    }

    #[test]
    fn all_zero_dates_mean_unknown_without_error() {
        let mut spec = phone();
        spec.zero_dates = true;
        let f = read(&jpeg(&spec));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.captured_at, None);
        assert_eq!(f.captured_at_source, None);
        assert_eq!(f.modified_at, None);
        assert!(f.camera.is_some(), "other fields still read");
    }

    #[test]
    fn south_and_west_are_negative_in_every_layout() {
        for layout in [
            GpsLayout::Dms,
            GpsLayout::DecimalMinutes,
            GpsLayout::Degrees,
        ] {
            let mut spec = phone();
            spec.gps = Some((-33.856784, -70.648273));
            spec.gps_layout = layout;
            let f = read(&jpeg(&spec));
            assert!(f.errors.is_empty(), "{layout:?}: {:?}", f.errors);
            assert_gps(&f, -33.856784, -70.648273);
        }
    }

    #[test]
    fn missing_refs_assume_north_and_east() {
        let mut spec = phone();
        spec.gps = Some((-33.5, -70.25));
        spec.gps_refs = false;
        let f = read(&jpeg(&spec));
        assert_gps(&f, 33.5, 70.25);
    }

    #[test]
    fn zero_gps_is_unknown() {
        let mut spec = phone();
        spec.gps = Some((0.0, 0.0));
        let f = read(&jpeg(&spec));
        assert_eq!(f.gps, None);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
    }

    #[test]
    fn impossible_gps_is_rejected_with_an_error() {
        let mut spec = phone();
        spec.gps = Some((95.0, 10.0));
        let f = read(&jpeg(&spec));
        assert_eq!(f.gps, None);
        assert!(
            f.errors.iter().any(|e| e.contains("outside the globe")),
            "{:?}",
            f.errors
        );
    }

    #[test]
    fn jpeg_without_exif_gives_size_and_no_error() {
        let spec = PhotoSpec {
            width: 200,
            height: 150,
            ..PhotoSpec::default()
        };
        let bytes = jpeg(&spec);
        assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"));
        let f = read(&bytes);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!((f.width, f.height), (Some(200), Some(150)));
        assert_eq!(f.captured_at, None);
        assert_eq!(f.camera, None);
    }

    #[test]
    fn header_size_wins_over_stale_exif_size() {
        // A resized copy whose EXIF still states the original size.
        let mut spec = phone();
        spec.width = 64;
        spec.height = 48;
        let mut tiff_spec = spec.clone();
        tiff_spec.width = 4000;
        tiff_spec.height = 3000;
        let bytes = with_exif_segment(&encode_pixels(&spec), &exif_tiff(&tiff_spec).unwrap());
        let f = read(&bytes);
        assert_eq!((f.width, f.height), (Some(64), Some(48)));
    }

    /// Offset of the value field of `tag` in IFD0 of a little-endian TIFF block.
    fn ifd0_entry_value_at(tiff: &[u8], tag: u16) -> usize {
        assert_eq!(&tiff[..2], b"II");
        let ifd = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
        let n = u16::from_le_bytes([tiff[ifd], tiff[ifd + 1]]) as usize;
        (0..n)
            .map(|i| ifd + 2 + i * 12)
            .find(|&e| u16::from_le_bytes([tiff[e], tiff[e + 1]]) == tag)
            .map(|e| e + 8)
            .expect("tag in IFD0")
    }

    #[test]
    fn broken_gps_pointer_keeps_the_rest_and_reports() {
        let spec = phone();
        let mut tiff = exif_tiff(&spec).unwrap();
        let at = ifd0_entry_value_at(&tiff, 0x8825);
        tiff[at..at + 4].copy_from_slice(&0x00FF_FF00u32.to_le_bytes());
        let f = read(&with_exif_segment(&encode_pixels(&spec), &tiff));
        assert_eq!(f.gps, None);
        assert_eq!(
            f.camera.as_ref().and_then(|c| c.make.as_deref()),
            Some("HUAWEI")
        );
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
        assert!(
            f.errors
                .iter()
                .any(|e| e.starts_with("EXIF is corrupt") && e.contains("may be incomplete")),
            "{:?}",
            f.errors
        );
    }

    #[test]
    fn exif_cut_short_keeps_what_precedes_the_cut() {
        let spec = phone();
        let tiff = exif_tiff(&spec).unwrap();
        // kamadak's writer puts the GPS values last: losing the tail loses the position only.
        let f = read(&with_exif_segment(
            &encode_pixels(&spec),
            &tiff[..tiff.len() - 20],
        ));
        assert_eq!(f.gps, None);
        assert_eq!(
            f.camera.as_ref().and_then(|c| c.model.as_deref()),
            Some("ALP-AL00")
        );
        assert!(
            f.errors.iter().any(|e| e.starts_with("EXIF is corrupt")),
            "{:?}",
            f.errors
        );
    }

    #[test]
    fn garbage_exif_is_reported_and_size_still_read() {
        let spec = phone();
        let bytes = with_exif_segment(&encode_pixels(&spec), b"this is not a TIFF header at all");
        let f = read(&bytes);
        assert!(
            f.errors.iter().any(|e| e.starts_with("EXIF is corrupt")),
            "{:?}",
            f.errors
        );
        assert_eq!((f.width, f.height), (Some(160), Some(120)));
        assert_eq!(f.captured_at, None);
    }

    #[test]
    fn file_cut_inside_the_exif_segment_is_damaged_but_keeps_ifd0() {
        let bytes = jpeg(&phone());
        let tiff_len = exif_tiff(&phone()).unwrap().len();
        let cut = &bytes[..12 + tiff_len * 3 / 4];
        let f = read(cut);
        assert!(
            f.errors.iter().any(|e| e.starts_with("JPEG is damaged")),
            "{:?}",
            f.errors
        );
        assert!(
            f.errors.iter().any(|e| e.contains("cut short")),
            "{:?}",
            f.errors
        );
        assert_eq!(
            f.camera.as_ref().and_then(|c| c.make.as_deref()),
            Some("HUAWEI")
        );
    }

    #[test]
    fn truncated_image_data_is_reported_with_metadata_kept() {
        let bytes = jpeg(&phone());
        let f = read(&bytes[..bytes.len() * 6 / 10]);
        assert!(
            f.errors.iter().any(|e| e.contains("truncated")),
            "{:?}",
            f.errors
        );
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
        assert_gps(&f, 36.840512, 101.951234);
    }

    #[test]
    fn stray_bytes_between_segments_are_tolerated() {
        // libjpeg skips them with a warning and shows the picture; so do we, silently.
        let bytes = jpeg(&phone());
        let after_app1 = 4 + u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
        let mut odd = bytes.clone();
        odd.splice(after_app1..after_app1, [0u8, 0x12, 0x34]);
        let f = read(&odd);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!((f.width, f.height), (Some(160), Some(120)));
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
    }

    #[test]
    fn garbage_after_soi_is_reported() {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend((0..3000u32).map(|i| (i * 7 % 127) as u8));
        let f = read(&bytes);
        assert!(
            f.errors.iter().any(|e| e.starts_with("JPEG is damaged")),
            "{:?}",
            f.errors
        );
        assert_eq!(f.width, None);
    }

    #[test]
    fn no_prefix_or_bit_flip_panics() {
        let bytes = jpeg(&phone());
        let exif_end = 12 + exif_tiff(&phone()).unwrap().len();
        for n in (0..exif_end + 400).chain((exif_end + 400..bytes.len()).step_by(331)) {
            let _ = read(&bytes[..n]);
        }
        let mut x: u32 = 99;
        for _ in 0..600 {
            let mut b = bytes.clone();
            for _ in 0..3 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let i = 2 + (x as usize) % (exif_end - 2);
                b[i] ^= (x >> 8) as u8 | 1;
            }
            let _ = read(&b);
        }
    }

    #[test]
    fn text_named_as_photo_is_reported() {
        let f = read(br#"{ "WEBP": {} }"#);
        assert!(
            f.errors.iter().any(|e| e.contains("content is text")),
            "{:?}",
            f.errors
        );
        // Unknown binary formats are not accused of anything.
        let f = read(&[0x00, 0x01, 0x02, 0x03, 0x10, 0x20]);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
    }

    #[test]
    fn tiff_variant_magic_is_read_as_tiff() {
        let mut tiff = exif_tiff(&phone()).unwrap();
        tiff[..4].copy_from_slice(b"IIU\0");
        let f = read(&tiff);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            f.camera.clone().and_then(|c| c.model).as_deref(),
            Some("ALP-AL00")
        );
        assert_gps(&f, 36.840512, 101.951234);
    }

    #[test]
    fn exif_embedded_in_an_unknown_container_is_found() {
        let mut raw = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
        raw.extend_from_slice(&[0u8; 100]);
        raw.extend_from_slice(&jpeg(&phone()));
        let f = read(&raw);
        assert_eq!(
            f.captured_at_source.as_deref(),
            Some("exif:DateTimeOriginal")
        );
        assert_gps(&f, 36.840512, 101.951234);
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn png_with_exif_chunk() {
        let spec = phone();
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(
                &[200u8; 30 * 20 * 3],
                30,
                20,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        // eXIf goes before the image data: after the 33-byte signature + IHDR.
        let tiff = exif_tiff(&spec).unwrap();
        let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
        let mut body = b"eXIf".to_vec();
        body.extend_from_slice(&tiff);
        chunk.extend_from_slice(&body);
        chunk.extend_from_slice(&crc32(&body).to_be_bytes());
        png.splice(33..33, chunk);
        let f = read(&png);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(
            (f.width, f.height),
            (Some(30), Some(20)),
            "IHDR size, not the EXIF claim"
        );
        assert_eq!(
            f.captured_at.unwrap().to_rfc3339(),
            "2019-06-12T10:15:30+08:00"
        );
        assert_gps(&f, 36.840512, 101.951234);
    }

    #[test]
    fn webp_with_exif_chunk() {
        let tiff = exif_tiff(&phone()).unwrap();
        let mut body = b"WEBP".to_vec();
        body.extend_from_slice(b"VP8X");
        body.extend_from_slice(&10u32.to_le_bytes());
        body.extend_from_slice(&[0x08, 0, 0, 0]); // flags: EXIF present
        body.extend_from_slice(&[(640 - 1) as u8, ((640 - 1) >> 8) as u8, 0]);
        body.extend_from_slice(&[(480 - 1) as u8, ((480 - 1) >> 8) as u8, 0]);
        body.extend_from_slice(b"EXIF");
        body.extend_from_slice(&(tiff.len() as u32).to_le_bytes());
        body.extend_from_slice(&tiff);
        if tiff.len() % 2 == 1 {
            body.push(0);
        }
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&(body.len() as u32).to_le_bytes());
        webp.extend_from_slice(&body);
        let f = read(&webp);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!((f.width, f.height), (Some(640), Some(480)));
        assert_eq!(f.camera.unwrap().make.as_deref(), Some("HUAWEI"));
    }

    #[test]
    fn bare_tiff_is_read_with_exif_size_fallback() {
        let mut spec = phone();
        spec.little_endian = false;
        let f = read(&exif_tiff(&spec).unwrap());
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!((f.width, f.height), (Some(160), Some(120)));
        assert_eq!(f.orientation, Some(6));
    }

    #[test]
    fn heif_size_is_the_largest_ispe() {
        fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
            let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(body);
            v
        }
        let ispe = |w: u32, h: u32| {
            let mut b = vec![0u8; 4];
            b.extend_from_slice(&w.to_be_bytes());
            b.extend_from_slice(&h.to_be_bytes());
            bx(b"ispe", &b)
        };
        let ipco = bx(
            b"ipco",
            &[ispe(512, 512), ispe(4032, 3024), ispe(320, 240)].concat(),
        );
        let mut meta_body = vec![0u8; 4];
        meta_body.extend(bx(b"iprp", &ipco));
        let file = [
            bx(b"ftyp", b"heic\0\0\0\0mif1heic"),
            bx(b"meta", &meta_body),
        ]
        .concat();
        assert_eq!(heif_size(&file), Some((4032, 3024)));
        // Truncated anywhere: no panic, no answer invented.
        for n in 0..file.len() {
            let _ = heif_size(&file[..n]);
        }
    }

    #[test]
    fn exif_time_parsing() {
        let p = |s: &str| parse_exif_time(s.as_bytes());
        let (dt, off) = p("2019:05:26 10:33:20").unwrap().unwrap();
        assert_eq!(dt, at(2019, 5, 26, 10, 33, 20));
        assert_eq!(off, None);
        assert_eq!(p("0000:00:00 00:00:00"), Ok(None));
        assert_eq!(p("    :  :     :  :  "), Ok(None));
        assert_eq!(p(""), Ok(None));
        assert_eq!(p("2019:00:00 00:00:00"), Ok(None));
        let (dt, off) = p("2019-05-26T10:33:20+02:00").unwrap().unwrap();
        assert_eq!((dt, off), (at(2019, 5, 26, 10, 33, 20), Some(zone(2, 0))));
        let (dt, _) = p("2019:05:26 10:33:20.009").unwrap().unwrap();
        assert_eq!(dt.and_utc().timestamp_subsec_millis(), 9);
        assert_eq!(
            p("2019:05:26 10:33").unwrap().unwrap().0,
            at(2019, 5, 26, 10, 33, 0)
        );
        assert!(p("2019:13:45 10:00:00").is_err());
        assert!(p("yesterday noon").is_err());
        assert!(p("19:05:26 10:33:20").is_err());
    }

    #[test]
    fn offset_parsing() {
        assert_eq!(parse_offset(b"+08:00"), Ok(Some(zone(8, 0))));
        assert_eq!(parse_offset(b"-05:30"), Ok(Some(zone(-5, 30))));
        assert_eq!(parse_offset(b"+0800"), Ok(Some(zone(8, 0))));
        assert_eq!(parse_offset(b"   :  "), Ok(None));
        assert!(parse_offset(b"08:00").is_err());
        assert!(parse_offset(b"+25:00").is_err());
    }

    #[test]
    fn degree_layouts_and_zero_denominators() {
        let r = |num, denom| exif::Rational { num, denom };
        let dms = Value::Rational(vec![r(36, 1), r(50, 1), r(2, 1)]);
        assert!((degrees(&dms).unwrap() - (36.0 + 50.0 / 60.0 + 2.0 / 3600.0)).abs() < 1e-12);
        // "seconds not recorded" as 0/0
        let dm = Value::Rational(vec![r(36, 1), r(504, 10), r(0, 0)]);
        assert!((degrees(&dm).unwrap() - 36.84).abs() < 1e-12);
        let bad = Value::Rational(vec![r(36, 0), r(0, 1), r(0, 1)]);
        assert!(degrees(&bad).is_err());
        assert!(degrees(&Value::Double(vec![f64::NAN])).is_err());
    }
}

/// Opt-in checks against real files: `EVIDENCE_DEV_CORPUS=/path/to/corpus cargo test --lib
/// extract::photo::corpus -- --nocapture`. Skipped (passing) when the variable is unset.
#[cfg(test)]
mod corpus {
    use super::*;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    fn corpus_dir() -> Option<PathBuf> {
        let dir = PathBuf::from(std::env::var_os("EVIDENCE_DEV_CORPUS")?);
        dir.join("reference/exiftool.json").is_file().then_some(dir)
    }

    /// ExifTool's answers by path relative to the corpus (`photos/...`).
    fn reference(dir: &Path) -> HashMap<String, serde_json::Map<String, serde_json::Value>> {
        let mut out = HashMap::new();
        for name in ["exiftool.json", "exiftool_extra.json"] {
            let Ok(text) = std::fs::read_to_string(dir.join("reference").join(name)) else {
                continue;
            };
            let rows: Vec<serde_json::Map<String, serde_json::Value>> =
                serde_json::from_str(&text).unwrap();
            for row in rows {
                let path = row["SourceFile"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string();
                out.insert(path, row);
            }
        }
        out
    }

    fn text(row: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
        match row.get(key)? {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// ExifTool -json prints some numbers as strings ("-0.00417777777777778").
    fn number(row: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<f64> {
        match row.get(key)? {
            serde_json::Value::String(s) => s.trim().parse().ok(),
            v => v.as_f64(),
        }
    }

    #[derive(Default)]
    struct Tally {
        agree: usize,
        differ: usize,
        /// ExifTool found it in EXIF, we did not.
        missed: usize,
        /// We report it, ExifTool's EXIF has nothing.
        extra: usize,
    }

    impl Tally {
        fn total(&self) -> usize {
            self.agree + self.differ + self.missed + self.extra
        }
    }

    /// Compare one field; returns a mismatch line when they disagree.
    fn judge(
        t: &mut Tally,
        ours: Option<String>,
        theirs: Option<String>,
        same: impl Fn(&str, &str) -> bool,
    ) -> Option<String> {
        match (ours, theirs) {
            (None, None) => None,
            (Some(a), Some(b)) if same(&a, &b) => {
                t.agree += 1;
                None
            }
            (Some(a), Some(b)) => {
                t.differ += 1;
                Some(format!("ours {a} / exiftool {b}"))
            }
            (None, Some(b)) => {
                t.missed += 1;
                Some(format!("ours none / exiftool {b}"))
            }
            (Some(a), None) => {
                t.extra += 1;
                Some(format!("ours {a} / exiftool none"))
            }
        }
    }

    #[test]
    fn agrees_with_exiftool_on_corpus_photos() {
        let Some(dir) = corpus_dir() else {
            eprintln!("EVIDENCE_DEV_CORPUS not set: corpus conformance skipped");
            return;
        };
        let refs = reference(&dir);
        let fields = ["date", "offset", "gps", "make", "model", "software", "size"];
        let mut tallies: HashMap<&str, Tally> =
            fields.iter().map(|f| (*f, Tally::default())).collect();
        let mut lines = Vec::new();
        let mut files = 0;
        let mut with_errors = Vec::new();
        for entry in walkdir::WalkDir::new(dir.join("photos")).sort_by_file_name() {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let Some(row) = refs.get(&rel) else {
                lines.push(format!("{rel}: no reference row"));
                continue;
            };
            files += 1;
            let data = std::fs::read(entry.path()).unwrap();
            let mut f = Facts::default();
            let started = std::time::Instant::now();
            extract(&data, &Limits::default(), &mut f);
            assert!(
                started.elapsed().as_secs() < 5,
                "{rel} took {:?}",
                started.elapsed()
            );
            if !f.errors.is_empty() {
                with_errors.push(format!("{rel}: {}", f.errors.join(" | ")));
            }

            // Capture time: ExifTool's EXIF:DateTimeOriginal, else EXIF:CreateDate; all-zero is none.
            let theirs_date = text(row, "EXIF:DateTimeOriginal")
                .or_else(|| text(row, "EXIF:CreateDate"))
                .filter(|d| d.chars().any(|c| c.is_ascii_digit() && c != '0'));
            // Our DateTime fallback has no counterpart in the reference (ModifyDate was not dumped).
            let ours_date = f
                .captured_at
                .filter(|_| f.captured_at_source.as_deref() != Some("exif:DateTime"))
                .map(|d| d.format("%Y:%m:%d %H:%M:%S").to_string());
            let mut problems = Vec::new();
            let same_text = |a: &str, b: &str| a == b;
            if let Some(p) = judge(
                tallies.get_mut("date").unwrap(),
                ours_date,
                theirs_date,
                same_text,
            ) {
                problems.push(format!("date {p}"));
            }
            let ours_offset = f
                .captured_at
                .filter(|_| f.captured_at_source.as_deref() == Some("exif:DateTimeOriginal"))
                .map(|d| d.offset().to_string());
            let theirs_offset = text(row, "EXIF:OffsetTimeOriginal").filter(|o| !o.is_empty());
            // Without OffsetTimeOriginal we assume +08:00 by design: only judge files that have one.
            if theirs_offset.is_some() {
                if let Some(p) = judge(
                    tallies.get_mut("offset").unwrap(),
                    ours_offset,
                    theirs_offset,
                    same_text,
                ) {
                    problems.push(format!("offset {p}"));
                }
            }
            let theirs_gps = match (
                number(row, "Composite:GPSLatitude"),
                number(row, "Composite:GPSLongitude"),
            ) {
                (Some(a), Some(b)) if !(a == 0.0 && b == 0.0) => Some(format!("{a:.7},{b:.7}")),
                _ => None,
            };
            let ours_gps = f.gps.map(|g| format!("{:.7},{:.7}", g.lat, g.lon));
            let near = |a: &str, b: &str| {
                let p = |s: &str| {
                    s.split(',')
                        .map(|x| x.parse::<f64>().unwrap())
                        .collect::<Vec<_>>()
                };
                let (a, b) = (p(a), p(b));
                (a[0] - b[0]).abs() < 1e-5 && (a[1] - b[1]).abs() < 1e-5
            };
            if let Some(p) = judge(tallies.get_mut("gps").unwrap(), ours_gps, theirs_gps, near) {
                problems.push(format!("gps {p}"));
            }
            let cam = f.camera.clone().unwrap_or_default();
            for (field, ours, key) in [
                ("make", cam.make, "EXIF:Make"),
                ("model", cam.model, "EXIF:Model"),
                ("software", f.software.clone(), "EXIF:Software"),
            ] {
                let theirs = text(row, key).filter(|s| !s.is_empty());
                // ExifTool -n prints "12.2" for a Software of "12.2", and "11" for "11.0".
                let same = |a: &str, b: &str| {
                    a == b
                        || a.parse::<f64>()
                            .ok()
                            .zip(b.parse::<f64>().ok())
                            .is_some_and(|(x, y)| x == y)
                };
                if let Some(p) = judge(tallies.get_mut(field).unwrap(), ours, theirs, same) {
                    problems.push(format!("{field} {p}"));
                }
            }
            let theirs_size = ["File", "PNG", "RIFF", "Jpeg2000", "SigmaRaw", "EXIF"]
                .iter()
                .find_map(|g| {
                    Some(format!(
                        "{}x{}",
                        number(row, &format!("{g}:ImageWidth"))?,
                        number(row, &format!("{g}:ImageHeight"))?
                    ))
                });
            let ours_size = f.width.zip(f.height).map(|(w, h)| format!("{w}x{h}"));
            if let Some(p) = judge(
                tallies.get_mut("size").unwrap(),
                ours_size,
                theirs_size,
                same_text,
            ) {
                problems.push(format!("size {p}"));
            }
            if !problems.is_empty() {
                lines.push(format!("{rel}: {}", problems.join("; ")));
            }
        }

        eprintln!("\n== photo conformance against ExifTool 12.57 on {files} corpus photos ==");
        eprintln!(
            "{:<10} {:>6} {:>7} {:>7} {:>6} {:>8}",
            "field", "agree", "differ", "missed", "extra", "rate"
        );
        for field in fields {
            let t = &tallies[field];
            let rate = if t.total() == 0 {
                1.0
            } else {
                t.agree as f64 / t.total() as f64
            };
            eprintln!(
                "{field:<10} {:>6} {:>7} {:>7} {:>6} {:>7.1}%",
                t.agree,
                t.differ,
                t.missed,
                t.extra,
                rate * 100.0
            );
        }
        eprintln!("\n-- mismatches --");
        for l in &lines {
            eprintln!("{l}");
        }
        eprintln!("\n-- files with errors reported --");
        for l in &with_errors {
            eprintln!("{l}");
        }

        let core = ["date", "gps", "make", "model"];
        let agree: usize = core.iter().map(|f| tallies[f].agree).sum();
        let total: usize = core.iter().map(|f| tallies[f].total()).sum();
        let rate = agree as f64 / total.max(1) as f64;
        eprintln!(
            "\ncore agreement (date, gps, make, model): {agree}/{total} = {:.1}%",
            rate * 100.0
        );
        assert!(files > 50, "only {files} photos compared");
        assert!(
            rate >= 0.90,
            "agreement with ExifTool fell to {:.1}%",
            rate * 100.0
        );
        assert_eq!(
            tallies["gps"].differ, 0,
            "a GPS position disagrees with ExifTool"
        );
        assert_eq!(
            tallies["date"].differ, 0,
            "a capture date disagrees with ExifTool"
        );
    }

    /// Every corpus file, photo or not, damaged or not, goes through the photo extractor
    /// without a panic and within a second.
    #[test]
    fn survives_every_corpus_file() {
        let Some(dir) = corpus_dir() else { return };
        let mut n = 0;
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let data = std::fs::read(entry.path()).unwrap();
            let started = std::time::Instant::now();
            let result = std::panic::catch_unwind(|| {
                let mut f = Facts::default();
                extract(&data, &Limits::default(), &mut f);
                f
            });
            assert!(result.is_ok(), "panicked on {}", entry.path().display());
            assert!(
                started.elapsed().as_secs() < 2,
                "{} took {:?}",
                entry.path().display(),
                started.elapsed()
            );
            n += 1;
        }
        eprintln!("{n} corpus files read without a panic");
    }
}
