//! PNG metadata outside the `eXIf` chunk: XMP in an iTXt chunk, and EXIF in the legacy text
//! chunks ImageMagick and older exiv2 write (`Raw profile type exif` / `APP1`, hex digits in
//! a tEXt, zTXt or iTXt chunk). ExifTool reads both; a PNG exported by such tools otherwise
//! seems to carry no date at all.
//!
//! Only chunk headers are walked, over bytes already in memory; compressed text is inflated
//! with a cap, since a chunk is untrusted input.

use std::io::Read;

/// What a PNG's text chunks hold that the EXIF reader does not see.
#[derive(Default)]
pub(super) struct PngText {
    pub(super) xmp: Option<Vec<u8>>,
    /// The TIFF structure of a legacy EXIF text chunk (without any `Exif\0\0` prefix).
    pub(super) exif_tiff: Option<Vec<u8>>,
}

/// Largest text chunk inflated: XMP packets and EXIF blocks are kilobytes.
const MAX_INFLATED: u64 = 4 * 1024 * 1024;

pub(super) fn scan_png(d: &[u8]) -> PngText {
    let mut out = PngText::default();
    let mut pos = 8;
    while pos + 12 <= d.len() {
        let len = u32::from_be_bytes([d[pos], d[pos + 1], d[pos + 2], d[pos + 3]]) as usize;
        let kind = &d[pos + 4..pos + 8];
        let Some(body) = d.get(pos + 8..(pos + 8).saturating_add(len)) else {
            break;
        };
        match kind {
            b"IEND" => break,
            b"tEXt" | b"zTXt" | b"iTXt" => {
                if let Some((keyword, text)) = text_chunk(kind, body) {
                    if keyword == b"XML:com.adobe.xmp" && out.xmp.is_none() {
                        out.xmp = Some(text);
                    } else if (keyword == b"Raw profile type exif"
                        || keyword == b"Raw profile type APP1")
                        && out.exif_tiff.is_none()
                    {
                        out.exif_tiff = raw_profile(&text);
                    }
                }
            }
            _ => {}
        }
        pos += 12 + len;
    }
    out
}

/// A text chunk's keyword and (inflated) text.
fn text_chunk(kind: &[u8], body: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let nul = body.iter().position(|&b| b == 0)?;
    let keyword = body[..nul].to_vec();
    let rest = &body[nul + 1..];
    let text = match kind {
        b"tEXt" => rest.to_vec(),
        // compression method (0 = zlib), then the compressed text
        b"zTXt" => inflate(rest.get(1..)?)?,
        _ => {
            // iTXt: compression flag, method, language tag\0, translated keyword\0, text
            let (flag, rest) = (*rest.first()?, rest.get(2..)?);
            let lang_end = rest.iter().position(|&b| b == 0)?;
            let rest = &rest[lang_end + 1..];
            let tk_end = rest.iter().position(|&b| b == 0)?;
            let text = &rest[tk_end + 1..];
            if flag == 1 {
                inflate(text)?
            } else {
                text.to_vec()
            }
        }
    };
    Some((keyword, text))
}

fn inflate(z: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(z)
        .take(MAX_INFLATED)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// ImageMagick's raw profile: `\nexif\n    1234\n` then the bytes as hex digits over many
/// lines. The bytes may start with `Exif\0\0` (APP1 form) before the TIFF header.
fn raw_profile(text: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(text).ok()?;
    let mut lines = s.trim_start().splitn(3, '\n');
    let _name = lines.next()?;
    let len: usize = lines.next()?.trim().parse().ok()?;
    let hex: Vec<u8> = lines
        .next()?
        .bytes()
        .filter(|b| b.is_ascii_hexdigit())
        .take(len.saturating_mul(2))
        .collect();
    let bytes: Vec<u8> = hex
        .chunks_exact(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect();
    let start = memchr::memmem::find(&bytes[..bytes.len().min(64)], b"MM\0*")
        .or_else(|| memchr::memmem::find(&bytes[..bytes.len().min(64)], b"II*\0"))?;
    Some(bytes[start..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_profile_hex_is_decoded_past_the_app1_prefix() {
        let text = b"\nexif\n      14\n457869660000\n4d4d002a00000008\n";
        assert_eq!(
            raw_profile(text).unwrap(),
            vec![0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]
        );
        assert_eq!(raw_profile(b"\nexif\n  x\n00"), None);
    }
}
