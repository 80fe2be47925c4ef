//! Media type by content: magic bytes first, the extension only when the content says nothing.
//! A `.jpg` that is really a PDF is a document; a `.txt` is text only if no signature says otherwise.

use crate::record::Media;

/// Decide the media type and MIME type of a file from its first bytes and its name.
pub fn sniff(head: &[u8], name: &str) -> (Media, &'static str) {
    if let Some(found) = by_magic(head) {
        return found;
    }
    by_extension(name)
}

fn by_magic(h: &[u8]) -> Option<(Media, &'static str)> {
    let starts = |sig: &[u8]| h.starts_with(sig);
    // ISO base media (MP4/MOV/3GP/HEIF): `ftyp` at offset 4, brand decides photo or video.
    if h.len() >= 12 && &h[4..8] == b"ftyp" {
        let brand = &h[8..12];
        return Some(match brand {
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"hevc" | b"hevx" => {
                (Media::Photo, "image/heic")
            }
            b"avif" | b"avis" => (Media::Photo, "image/avif"),
            b"qt  " => (Media::Video, "video/quicktime"),
            b"3gp4" | b"3gp5" | b"3gp6" | b"3gp7" | b"3gs7" | b"3g2a" | b"3ge6" | b"3ge7" => {
                (Media::Video, "video/3gpp")
            }
            b"M4V " | b"M4VH" | b"M4VP" => (Media::Video, "video/x-m4v"),
            b"crx " => (Media::Photo, "image/x-canon-cr3"),
            _ => (Media::Video, "video/mp4"),
        });
    }
    // Old QuickTime files start with a `moov`/`mdat`/`wide` atom and no `ftyp`.
    if h.len() >= 8
        && matches!(
            &h[4..8],
            b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot"
        )
    {
        return Some((Media::Video, "video/quicktime"));
    }
    if starts(b"\xFF\xD8\xFF") {
        return Some((Media::Photo, "image/jpeg"));
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some((Media::Photo, "image/png"));
    }
    if h.len() >= 12 && starts(b"RIFF") {
        return Some(match &h[8..12] {
            b"WEBP" => (Media::Photo, "image/webp"),
            b"AVI " => (Media::Video, "video/x-msvideo"),
            b"WAVE" => (Media::Other, "audio/wav"),
            _ => (Media::Other, "application/octet-stream"),
        });
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        // Many raw formats (DNG, NEF, CR2) are TIFF inside.
        return Some((Media::Photo, "image/tiff"));
    }
    // Sigma X3F, JPEG 2000 and JPEG XL: cameras and archives write them; their EXIF dates
    // are read from the TIFF block they embed.
    if starts(b"FOVb") {
        return Some((Media::Photo, "image/x-sigma-x3f"));
    }
    if starts(b"\0\0\0\x0cjP  ") {
        return Some((Media::Photo, "image/jp2"));
    }
    if starts(b"\0\0\0\x0cJXL ") || starts(b"\xFF\x0A") {
        return Some((Media::Photo, "image/jxl"));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some((Media::Photo, "image/gif"));
    }
    if starts(b"BM") && h.len() >= 14 {
        return Some((Media::Photo, "image/bmp"));
    }
    if starts(b"\x1A\x45\xDF\xA3") {
        return Some((Media::Video, "video/x-matroska"));
    }
    if starts(b"FLV\x01") {
        return Some((Media::Video, "video/x-flv"));
    }
    if starts(b"\x00\x00\x01\xBA") {
        return Some((Media::Video, "video/mpeg"));
    }
    if h.len() > 188 && h[0] == 0x47 && h[188] == 0x47 {
        return Some((Media::Video, "video/mp2t"));
    }
    if find(h, b"%PDF-", 1024) {
        return Some((Media::Document, "application/pdf"));
    }
    if starts(b"PK\x03\x04") {
        return Some(zip_kind(h));
    }
    if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        // OLE2 compound file: legacy .doc/.xls/.ppt/.wps; which one is decided by name.
        return Some((Media::Document, "application/x-ole-storage"));
    }
    if starts(b"{\\rtf") {
        return Some((Media::Document, "application/rtf"));
    }
    if starts(b"Rar!\x1a\x07") {
        return Some((Media::Other, "application/vnd.rar"));
    }
    if starts(b"7z\xBC\xAF\x27\x1C") {
        return Some((Media::Other, "application/x-7z-compressed"));
    }
    None
}

/// OOXML files are zips whose first entry names tell the format; a plain zip is "other".
fn zip_kind(h: &[u8]) -> (Media, &'static str) {
    if find(h, b"word/", h.len()) {
        (
            Media::Document,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    } else if find(h, b"xl/", h.len()) {
        (
            Media::Document,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    } else if find(h, b"ppt/", h.len()) {
        (
            Media::Document,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        )
    } else if find(h, b"[Content_Types].xml", h.len()) || find(h, b"docProps/", h.len()) {
        // An OOXML package whose parts come later in the zip: trust the extension below.
        (Media::Document, "application/x-ooxml")
    } else {
        (Media::Other, "application/zip")
    }
}

fn find(h: &[u8], needle: &[u8], within: usize) -> bool {
    let end = h.len().min(within + needle.len());
    memchr::memmem::find(&h[..end], needle).is_some()
}

pub fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn by_extension(name: &str) -> (Media, &'static str) {
    match extension(name).as_str() {
        "jpg" | "jpeg" | "jpe" => (Media::Photo, "image/jpeg"),
        "png" => (Media::Photo, "image/png"),
        "heic" | "heif" => (Media::Photo, "image/heic"),
        "webp" => (Media::Photo, "image/webp"),
        "tif" | "tiff" => (Media::Photo, "image/tiff"),
        "dng" | "cr2" | "cr3" | "nef" | "arw" | "raf" | "rw2" | "orf" | "x3f" => {
            (Media::Photo, "image/x-raw")
        }
        "jp2" | "j2k" | "jpf" => (Media::Photo, "image/jp2"),
        "jxl" => (Media::Photo, "image/jxl"),
        "mp4" => (Media::Video, "video/mp4"),
        "mov" => (Media::Video, "video/quicktime"),
        "3gp" => (Media::Video, "video/3gpp"),
        "m4v" => (Media::Video, "video/x-m4v"),
        "avi" => (Media::Video, "video/x-msvideo"),
        "mts" | "m2ts" => (Media::Video, "video/mp2t"),
        "mkv" => (Media::Video, "video/x-matroska"),
        "pdf" => (Media::Document, "application/pdf"),
        "docx" | "docm" => (
            Media::Document,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" | "xlsm" => (
            Media::Document,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "pptx" | "pptm" => (
            Media::Document,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        "doc" => (Media::Document, "application/msword"),
        "xls" => (Media::Document, "application/vnd.ms-excel"),
        "ppt" => (Media::Document, "application/vnd.ms-powerpoint"),
        "wps" => (Media::Document, "application/vnd.ms-works"),
        "txt" | "text" | "log" | "srt" => (Media::Document, "text/plain"),
        "csv" => (Media::Document, "text/csv"),
        "md" | "markdown" => (Media::Document, "text/markdown"),
        _ => (Media::Other, "application/octet-stream"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_wins_over_extension() {
        assert_eq!(
            sniff(b"%PDF-1.7\n...", "照片.jpg"),
            (Media::Document, "application/pdf")
        );
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE1\0\0Exif", "scan.pdf").0,
            Media::Photo
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypisom\0\0\0\0", "a.bin"),
            (Media::Video, "video/mp4")
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0", "IMG_1.HEIC").0,
            Media::Photo
        );
    }

    #[test]
    fn extension_is_the_fallback() {
        assert_eq!(sniff(b"hello", "说明.TXT"), (Media::Document, "text/plain"));
        assert_eq!(sniff(b"", "a.docx").0, Media::Document);
        assert_eq!(sniff(b"hello", "noext").0, Media::Other);
        assert_eq!(sniff(b"hello", ".bashrc").0, Media::Other);
    }
}
