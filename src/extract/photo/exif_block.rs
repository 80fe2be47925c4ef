//! Finding and opening the EXIF block: kamadak-exif's container reader, the TIFF structure
//! embedded in formats it does not open, and the repairs that let a sloppy writer's block parse.
//!
//! Whatever the container, the result is one [`Meta`] (with Canon CR3's separate EXIF and GPS
//! structures beside the main one) and the parser's complaints in words for the user.

use std::io::Cursor;

use exif::{Context, Exif, Field, In, Reader, Tag, Value};

/// The first plausible TIFF header (`II*\0` or `MM\0*` with IFD0 right after it, as every
/// EXIF writer lays it out) in the first 4 MiB, parsed. Only a block that yields fields counts:
/// this is a guess, so its parse errors are not reported as damage.
pub(super) fn embedded_exif(data: &[u8]) -> Option<Parsed> {
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
pub(super) fn tiff_variant(data: &[u8]) -> Option<Result<Parsed, ReadFailure>> {
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

/// Some writers type the EXIF and GPS IFD pointers as SLONG or IFD instead of LONG;
/// kamadak-exif then drops the whole sub-IFD ("Invalid pointer"). Retype them in IFD0.
pub(super) fn repair_pointers(mut tiff: Vec<u8>) -> Vec<u8> {
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

pub(super) enum ReadFailure {
    /// No EXIF in this file, or a format kamadak-exif does not open: not a problem.
    Absent,
    /// EXIF is there but could not be parsed at all.
    Corrupt(String),
}

/// Parsed EXIF plus the non-fatal problems met while parsing it.
pub(super) type Parsed = (Exif, Vec<String>);

pub(super) fn read_container(data: &[u8]) -> Option<Result<Parsed, ReadFailure>> {
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

pub(super) fn parse_raw(tiff: Vec<u8>) -> Result<Parsed, ReadFailure> {
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
pub(super) fn summarize(items: &[String]) -> String {
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

/// EXIF as read from one file. Canon CR3 stores the EXIF and GPS IFDs as separate TIFF
/// structures (boxes CMT2 and CMT4) whose tags are then numbered as if in IFD0.
pub(super) struct Meta {
    pub(super) main: Exif,
    pub(super) exif_ifd: Option<Exif>,
    pub(super) gps_ifd: Option<Exif>,
}

/// The primary image's field; IFD1 (the thumbnail) is never used for facts about the photo.
pub(super) fn field(m: &Meta, tag: Tag) -> Option<&Field> {
    m.main.get_field(tag, In::PRIMARY).or_else(|| {
        let flat = match tag.context() {
            Context::Exif => m.exif_ifd.as_ref(),
            Context::Gps => m.gps_ifd.as_ref(),
            _ => None,
        }?;
        flat.get_field(Tag(Context::Tiff, tag.number()), In::PRIMARY)
    })
}

pub(super) fn is_cr3(data: &[u8]) -> bool {
    data.get(4..12) == Some(b"ftypcrx ")
}

/// CR3's CMT2 (EXIF IFD) and CMT4 (GPS IFD) boxes, found by name in the metadata at the
/// start of the file; each holds a complete little TIFF structure.
pub(super) fn cr3_sub_ifds(data: &[u8]) -> (Option<Exif>, Option<Exif>) {
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

pub(super) fn uint(exif: &Meta, tag: Tag) -> Option<u32> {
    field(exif, tag).and_then(|fl| fl.value.get_uint(0))
}

/// An ASCII field as clean text: NUL padding and blanks trimmed, empty meaning absent. Bytes
/// that are not UTF-8 are read as GB18030, the encoding Chinese software uses when it ignores
/// the ASCII rule.
pub(super) fn ascii(exif: &Meta, tag: Tag) -> Option<String> {
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

pub(super) fn ascii_bytes(exif: &Meta, tag: Tag) -> Option<&[u8]> {
    match &field(exif, tag)?.value {
        Value::Ascii(parts) => parts.iter().find(|p| !p.is_empty()).map(|p| p.as_slice()),
        // Some writers store strings as UNDEFINED or BYTE.
        Value::Undefined(bytes, _) | Value::Byte(bytes) => Some(bytes.as_slice()),
        _ => None,
    }
}
