//! Thumbnails for the search page: small JPEGs of photos, made once and cached by content hash.
//!
//! Inspectors scroll grids of hundreds of phone photos; sending the 5 MB originals would make
//! the page unusable on an office network, and decoding them on every request would make the
//! server unusable. So each photo is decoded once (under [`image::Limits`], so a hostile
//! 100-megapixel file cannot exhaust memory), turned upright by its EXIF orientation, shrunk
//! to [`MAX_EDGE`] pixels and stored under `ARCHIVE/thumbs/ab/abcdef….jpg`. The cache is keyed
//! by BLAKE3 only: the path is built from a validated hash, never from request text, and
//! deleting the folder loses nothing. A file that cannot be decoded leaves a `.fail` marker so
//! that it is not decoded again on every page view; the caller shows a placeholder icon.

pub mod tools;

use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageReader, Limits};

/// Longest edge of a thumbnail, in pixels.
pub const MAX_EDGE: u32 = 320;
/// Sources wider or taller than this are not decoded.
pub const MAX_SOURCE_EDGE: u32 = 16_384;
/// Memory the decoder may allocate: a 50-megapixel RGB photo fits, a 100-megapixel bomb does not.
pub const MAX_DECODE_BYTES: u64 = 192 * 1024 * 1024;
const JPEG_QUALITY: u8 = 80;

#[derive(Debug, thiserror::Error)]
pub enum ThumbError {
    #[error("{0:?} is not a BLAKE3 content hash (64 lowercase hex characters)")]
    NotAHash(String),
    /// The source is unreadable, corrupt, too large or not an image this build decodes.
    #[error("no thumbnail for {path}: {reason}")]
    Undecodable { path: PathBuf, reason: String },
    /// A tool the format needs is missing: said, not remembered (it may be installed later).
    #[error("no preview: {} is not installed (package {})", .0.tool, .0.package)]
    Unavailable(tools::Missing),
    #[error("thumbnail cache {path}: {source}")]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Why one image could not be made into a thumbnail. Its text is what the `.fail` marker
/// keeps and what [`ThumbError::Undecodable`] reports, so it reads as a sentence for the log.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot open: {0}")]
    Open(std::io::Error),
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    #[error("not an image format this server decodes (JPEG, PNG, GIF, WebP, TIFF, BMP)")]
    NotAnImage,
    #[error("cannot decode: {0}")]
    Decode(image::ImageError),
    #[error("cannot encode the thumbnail: {0}")]
    Encode(image::ImageError),
    /// The tool this format needs is not installed (not the file's fault).
    #[error("{} is not installed (package {})", .0.tool, .0.package)]
    Missing(tools::Missing),
    #[error("{0}")]
    Tool(String),
    #[error("no preview in this camera RAW file")]
    NoRawPreview,
}

/// `true` for exactly 64 lowercase hexadecimal characters: the only shape a content id has.
pub fn is_blake3(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where the thumbnail of `blake3` lives: `thumbs/ab/abcdef….jpg`. `None` for anything that is
/// not a well-formed hash, so request text can never steer the path.
pub fn cache_path(thumbs_dir: &Path, blake3: &str) -> Option<PathBuf> {
    is_blake3(blake3).then(|| thumbs_dir.join(&blake3[..2]).join(format!("{blake3}.jpg")))
}

fn fail_marker(jpg: &Path) -> PathBuf {
    jpg.with_extension("fail")
}

/// The cached preview of a photo or video (`mime` as catalogued) of any format: what `image`
/// decodes (JPEG, PNG, GIF, WebP, TIFF, BMP), HEIC/HEIF/AVIF and videos through their tools,
/// camera RAW through its embedded JPEG. See [`cached`] for the cache.
pub fn preview(
    thumbs_dir: &Path,
    blake3: &str,
    source: &Path,
    mime: &str,
    orientation: Option<u16>,
) -> Result<Vec<u8>, ThumbError> {
    cached(thumbs_dir, blake3, source, |src| {
        render_any(src, mime, orientation)
    })
}

/// The cached thumbnail of a photo, made by `render` from `source` on first use.
///
/// `orientation` is the EXIF orientation (1–8) recorded for the content; other values are
/// treated as upright. Blocking (decoding takes tens of milliseconds): call it from
/// `spawn_blocking` in async code.
fn cached(
    thumbs_dir: &Path,
    blake3: &str,
    source: &Path,
    render: impl FnOnce(&Path) -> Result<Vec<u8>, RenderError>,
) -> Result<Vec<u8>, ThumbError> {
    let jpg =
        cache_path(thumbs_dir, blake3).ok_or_else(|| ThumbError::NotAHash(blake3.to_string()))?;
    if let Ok(bytes) = std::fs::read(&jpg) {
        return Ok(bytes);
    }
    let marker = fail_marker(&jpg);
    if let Ok(reason) = std::fs::read_to_string(&marker) {
        return Err(ThumbError::Undecodable {
            path: source.to_path_buf(),
            reason,
        });
    }
    let bytes = match render(source) {
        Ok(b) => b,
        Err(RenderError::Missing(m)) => return Err(ThumbError::Unavailable(m)),
        Err(e) => {
            let reason = e.to_string();
            // Remember the failure (best effort): a corrupt file stays corrupt for this hash.
            if let Some(dir) = marker.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(&marker, &reason);
            return Err(ThumbError::Undecodable {
                path: source.to_path_buf(),
                reason,
            });
        }
    };
    store(&jpg, &bytes)?;
    Ok(bytes)
}

/// Write through a temporary name and rename, so a concurrent reader never sees half a JPEG.
fn store(jpg: &Path, bytes: &[u8]) -> Result<(), ThumbError> {
    let err = |source| ThumbError::Cache {
        path: jpg.to_path_buf(),
        source,
    };
    let dir = jpg.parent().expect("cache paths have a parent");
    std::fs::create_dir_all(dir).map_err(err)?;
    let tmp = jpg.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, jpg).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SOURCE_EDGE);
    l.max_image_height = Some(MAX_SOURCE_EDGE);
    l.max_alloc = Some(MAX_DECODE_BYTES);
    l
}

/// Decode, orient and shrink one image file.
pub fn render_file(source: &Path, orientation: Option<u16>) -> Result<Vec<u8>, RenderError> {
    render(
        ImageReader::open(source).map_err(RenderError::Open)?,
        orientation,
    )
}

/// The same as [`render_file`] for bytes in memory: the tests' way in.
#[cfg(test)]
fn render_bytes(bytes: &[u8], orientation: Option<u16>) -> Result<Vec<u8>, RenderError> {
    render(ImageReader::new(std::io::Cursor::new(bytes)), orientation)
}

fn render<R: std::io::BufRead + std::io::Seek>(
    reader: ImageReader<R>,
    orientation: Option<u16>,
) -> Result<Vec<u8>, RenderError> {
    let mut reader = reader.with_guessed_format().map_err(RenderError::Read)?;
    if reader.format().is_none() {
        return Err(RenderError::NotAnImage);
    }
    reader.limits(limits());
    let img = reader.decode().map_err(RenderError::Decode)?;
    encode(img, orientation)
}

/// Camera RAW formats, whose preview is the JPEG the camera embedded.
pub(crate) fn is_raw(mime: &str) -> bool {
    matches!(
        mime,
        "image/x-raw"
            | "image/x-canon-cr2"
            | "image/x-canon-cr3"
            | "image/x-nikon-nef"
            | "image/x-sony-arw"
            | "image/x-adobe-dng"
            | "image/x-sigma-x3f"
            | "image/x-panasonic-rw2"
            | "image/x-olympus-orf"
    )
}

/// Decode one file of any format this build previews, orient and shrink it.
pub fn render_any(
    source: &Path,
    mime: &str,
    orientation: Option<u16>,
) -> Result<Vec<u8>, RenderError> {
    let first = render_native(source, mime, orientation);
    match first {
        // Formats the crates here do not decode (JPEG 2000, JPEG XL, Sigma X3F), ffmpeg often
        // does: its first frame, when it is installed. Without it, the first reason stands.
        // Not for a picture refused by the decoding limits: that refusal is on purpose.
        Err(e)
            if mime.starts_with("image/")
                && matches!(
                    e,
                    RenderError::NoRawPreview
                        | RenderError::NotAnImage
                        | RenderError::Decode(image::ImageError::Unsupported(_))
                ) =>
        {
            match tools::video_frame(source) {
                Ok(jpeg) => from_jpeg(&jpeg, None),
                Err(_) => Err(e),
            }
        }
        other => other,
    }
}

/// A JPEG (a tool's output, a RAW's preview) made into the thumbnail.
fn from_jpeg(jpeg: &[u8], orientation: Option<u16>) -> Result<Vec<u8>, RenderError> {
    let mut reader = ImageReader::new(std::io::Cursor::new(jpeg));
    reader.set_format(image::ImageFormat::Jpeg);
    reader.limits(limits());
    encode(reader.decode().map_err(RenderError::Decode)?, orientation)
}

fn render_native(
    source: &Path,
    mime: &str,
    orientation: Option<u16>,
) -> Result<Vec<u8>, RenderError> {
    match mime {
        "image/heic" | "image/heif" | "image/avif" => {
            // libheif applies the container's rotation itself.
            from_jpeg(&tools::heif_to_jpeg(source)?, None)
        }
        m if m.starts_with("video/") => from_jpeg(&tools::video_frame(source)?, None),
        m if is_raw(m) || m == "image/tiff" => {
            // A TIFF decodes as one; a RAW that looks like a TIFF (CR2, NEF, DNG) does not.
            if m == "image/tiff" {
                if let Ok(jpeg) = render_file(source, orientation) {
                    return Ok(jpeg);
                }
            }
            let data = std::fs::read(source).map_err(RenderError::Open)?;
            let jpeg = tools::raw_preview(&data).ok_or(RenderError::NoRawPreview)?;
            from_jpeg(jpeg, orientation)
        }
        _ => render_file(source, orientation),
    }
}

fn encode(img: DynamicImage, orientation: Option<u16>) -> Result<Vec<u8>, RenderError> {
    // Shrink first: rotating 320 px is cheaper than rotating 4000 px, and the result is the same.
    let mut small = if img.width() > MAX_EDGE || img.height() > MAX_EDGE {
        img.thumbnail(MAX_EDGE, MAX_EDGE)
    } else {
        img
    };
    if let Some(o) = orientation
        .and_then(|o| u8::try_from(o).ok())
        .and_then(image::metadata::Orientation::from_exif)
    {
        small.apply_orientation(o);
    }
    let rgb = DynamicImage::ImageRgb8(small.to_rgb8());
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    rgb.write_with_encoder(encoder)
        .map_err(RenderError::Encode)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageFormat;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x % 256) as u8, 10, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn size_of(jpeg: &[u8]) -> (u32, u32) {
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
        let img = image::load_from_memory(jpeg).unwrap();
        (img.width(), img.height())
    }

    #[test]
    fn shrinks_and_applies_orientation() {
        let src = png(800, 400);
        assert_eq!(size_of(&render_bytes(&src, None).unwrap()), (320, 160));
        assert_eq!(size_of(&render_bytes(&src, Some(1)).unwrap()), (320, 160));
        // 6 = the camera was turned a quarter: the upright picture is taller than wide.
        assert_eq!(size_of(&render_bytes(&src, Some(6)).unwrap()), (160, 320));
        assert_eq!(size_of(&render_bytes(&src, Some(8)).unwrap()), (160, 320));
        assert_eq!(
            size_of(&render_bytes(&src, Some(99)).unwrap()),
            (320, 160),
            "nonsense orientation: as stored"
        );
        assert_eq!(
            size_of(&render_bytes(&png(100, 50), None).unwrap()),
            (100, 50),
            "small images are not enlarged"
        );
    }

    #[test]
    fn gif_webp_tiff_and_bmp_are_previewed() {
        let dir = tempfile::tempdir().unwrap();
        let img = image::RgbImage::from_fn(640, 360, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        for (i, (fmt, mime)) in [
            (ImageFormat::Gif, "image/gif"),
            (ImageFormat::WebP, "image/webp"),
            (ImageFormat::Tiff, "image/tiff"),
            (ImageFormat::Bmp, "image/bmp"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut out = std::io::Cursor::new(Vec::new());
            let pixels = if fmt == ImageFormat::Gif {
                DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(img.clone()).to_rgba8())
            } else {
                DynamicImage::ImageRgb8(img.clone())
            };
            pixels.write_to(&mut out, fmt).unwrap();
            let src = dir.path().join(format!("p{i}"));
            std::fs::write(&src, out.into_inner()).unwrap();
            let h = format!("{i:x}").repeat(64);
            let jpeg = preview(&dir.path().join("thumbs"), &h[..64], &src, mime, None)
                .unwrap_or_else(|e| panic!("{mime}: {e}"));
            assert_eq!(size_of(&jpeg), (320, 180), "{mime}");
        }
    }

    #[test]
    fn a_raw_file_is_previewed_by_its_embedded_jpeg() {
        let dir = tempfile::tempdir().unwrap();
        let jpeg = crate::sample::jpeg::jpeg(&crate::sample::PhotoSpec {
            width: 640,
            height: 480,
            ..Default::default()
        });
        let mut raw = b"II*\x00\x08\x00\x00\x00".to_vec();
        raw.extend(std::iter::repeat_n(0x5A, 5000));
        raw.extend_from_slice(&jpeg);
        let src = dir.path().join("IMG_0001.NEF");
        std::fs::write(&src, raw).unwrap();
        let h = "ef".repeat(32);
        for mime in ["image/x-raw", "image/tiff"] {
            let out = render_any(&src, mime, None).unwrap_or_else(|e| panic!("{mime}: {e}"));
            assert_eq!(size_of(&out), (320, 240), "{mime}");
        }
        assert!(preview(&dir.path().join("thumbs"), &h, &src, "image/x-raw", None).is_ok());
        std::fs::write(&src, b"II*\x00 sensor data only").unwrap();
        assert!(matches!(
            render_any(&src, "image/x-raw", None),
            Err(RenderError::NoRawPreview)
        ));
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        assert!(render_bytes(b"", None).is_err());
        assert!(render_bytes(b"\xFF\xD8\xFF\xE0garbage garbage", None).is_err());
        let mut cut = png(300, 300);
        cut.truncate(cut.len() / 2);
        assert!(render_bytes(&cut, None).is_err());
        // A PNG header claiming 30000 x 30000 pixels is refused before any allocation.
        let mut huge = png(1, 1);
        huge[16..20].copy_from_slice(&30000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&30000u32.to_be_bytes());
        let e = render_bytes(&huge, None).unwrap_err();
        assert!(matches!(e, RenderError::Decode(_)), "{e}");
        assert!(e.to_string().contains("decode"), "{e}");
    }

    #[test]
    fn cache_is_keyed_by_hash_only() {
        let dir = tempfile::tempdir().unwrap();
        let h = "ab".repeat(32);
        assert_eq!(
            cache_path(dir.path(), &h),
            Some(dir.path().join("ab").join(format!("{h}.jpg")))
        );
        for bad in [
            "../etc/passwd",
            &"AB".repeat(32),
            &"ab".repeat(31),
            &format!("{}/x", "a".repeat(62)),
            "",
        ] {
            assert_eq!(cache_path(dir.path(), bad), None, "{bad}");
        }
        let src = dir.path().join("p.png");
        std::fs::write(&src, png(640, 480)).unwrap();
        let first = preview(&dir.path().join("thumbs"), &h, &src, "image/png", None).unwrap();
        std::fs::remove_file(&src).unwrap();
        let again = preview(&dir.path().join("thumbs"), &h, &src, "image/png", None).unwrap();
        assert_eq!(first, again, "the second request is served from the cache");

        let bad = dir.path().join("bad.jpg");
        std::fs::write(&bad, b"\xFF\xD8 not really").unwrap();
        let h2 = "cd".repeat(32);
        assert!(matches!(
            preview(&dir.path().join("thumbs"), &h2, &bad, "image/jpeg", None),
            Err(ThumbError::Undecodable { .. })
        ));
        assert!(
            dir.path()
                .join("thumbs/cd")
                .join(format!("{h2}.fail"))
                .exists(),
            "the failure is remembered"
        );
    }
}
