//! Optical character recognition of paper: photos that look like documents and image-only
//! PDF pages, read by an outside engine (Debian's `tesseract` with `chi_sim+eng`), one page per
//! call with a time bound. The engine is optional: without it nothing here fails, the caller
//! notes "OCR not available". This module knows pictures and programs only; which contents to
//! read, where results are kept and how they become searchable is `pipeline::ocr`'s.
//!
//! `looks.rs` is the cheap document-or-scene test, `photo.rs` a photo made ready for the
//! engine, `tesseract.rs` the engine, `pdf.rs` a scanned
//! page as a picture (its own image, `scan.rs`, straightened, `straighten.rs`; or rendered by
//! poppler), `run.rs` a subprocess with a deadline.

pub mod looks;
pub mod pdf;
pub mod photo;
pub mod run;
pub mod scan;
pub mod straighten;
pub mod tesseract;

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use tesseract::{Missing, PageText, Tesseract};

/// Which photos are read (`--ocr`, `[ocr] mode`). Image-only PDFs are read in both `all` and
/// `documents`: a scan is a document by definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every photo, scenes too.
    All,
    /// Photos that pass the document test ([`looks`]).
    #[default]
    Documents,
    /// Nothing is read.
    Off,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Some(Mode::All),
            "documents" | "docs" => Some(Mode::Documents),
            "off" | "none" => Some(Mode::Off),
            _ => None,
        }
    }
}

/// Bumped when what is read changes (engine settings, the document test): contents read by an
/// older version are read again.
pub const OCR_VERSION: i64 = 3;

/// Under this many characters of text per page a PDF counts as image-only (a scanner's
/// stamp or a page number is not a text layer).
pub const MIN_TEXT_PER_PAGE: usize = 20;

/// Between the pages of a recognised text (whitespace to the tokenizer).
pub const PAGE_BREAK: &str = "\n\u{c}\n";

/// The page (1-based) of a recognised `text` that byte offset `at` falls on.
pub fn page_at(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at].iter().filter(|&&b| b == 0x0c).count() + 1
}

/// What reading one content gave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// Each page's text, in order (one for a photo).
    pub pages: Vec<String>,
    /// Mean of the pages' word confidences (0–100), weighted by words.
    pub mean_confidence: f32,
    pub seconds: f64,
    /// Pages the engine or the renderer gave up on (time bound, failure): page number and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<(u32, String)>,
}

impl Reading {
    /// All pages' text, in order, each page after the first starting after a form feed
    /// ([`PAGE_BREAK`], as pdftotext writes), so an excerpt can say which page it is from.
    pub fn text(&self) -> String {
        let pages: Vec<&str> = self.pages.iter().map(|p| p.trim()).collect();
        pages.join(PAGE_BREAK)
    }

    fn add(&mut self, page: u32, read: Result<PageText, String>, words: &mut usize) {
        match read {
            Ok(t) => {
                let all = *words + t.words;
                if all > 0 {
                    self.mean_confidence = (self.mean_confidence * *words as f32
                        + t.confidence * t.words as f32)
                        / all as f32;
                }
                *words = all;
                self.pages.push(t.text);
            }
            Err(why) => {
                self.pages.push(String::new());
                self.failed.push((page, why));
            }
        }
    }
}

fn failure(f: tesseract::PageFailure, limit: Duration) -> String {
    match f {
        tesseract::PageFailure::TimedOut => format!("over the {}s page limit", limit.as_secs()),
        tesseract::PageFailure::Failed(why) => why,
    }
}

/// Read a photo (JPEG, PNG…: whatever the engine opens), made ready by
/// [`photo::prepare_decoded`] from its `picture` decoded whole ([`photo::decode`], which the
/// caller has made for the document test): turned upright by its EXIF `orientation`
/// (tesseract reads the pixels as stored, and a phone's portrait shot is stored sideways) and
/// scaled to the character height the engine reads best. Without a picture (one that could
/// not be decoded here) the engine reads the file at `path` as stored.
pub fn read_photo(
    engine: &Tesseract,
    path: &Path,
    picture: Option<crate::similar::fingerprint::Grey>,
    orientation: Option<u16>,
    limit: Duration,
) -> Reading {
    let at = Instant::now();
    let mut r = Reading::default();
    let mut words = 0;
    let picture = match picture.map(|g| photo::prepare_decoded(g, orientation)) {
        Some(Ok(p)) => tesseract::Picture::Bytes(p.bytes),
        _ => tesseract::Picture::File(path),
    };
    let read = engine
        .read(picture, None, limit)
        .map_err(|f| failure(f, limit));
    r.add(1, read, &mut words);
    r.seconds = at.elapsed().as_secs_f64();
    r
}

/// Read a multi-page TIFF (a scanner's or a fax server's several pages in one file): the
/// engine reads the file as stored, every page in one call (libtiff's decoders, Group 3 and 4
/// among them), within `limit` a page. Its pages are not made ready as a photo's are.
pub fn read_tiff_pages(engine: &Tesseract, path: &Path, pages: usize, limit: Duration) -> Reading {
    let at = Instant::now();
    let mut r = Reading::default();
    let mut words = 0;
    match engine.read_pages(path, limit * pages.clamp(1, 1000) as u32) {
        Ok(read) => {
            for (i, page) in read.into_iter().enumerate() {
                r.add(i as u32 + 1, Ok(page), &mut words);
            }
        }
        Err(f) => r.add(1, Err(failure(f, limit)), &mut words),
    }
    r.seconds = at.elapsed().as_secs_f64();
    r
}

/// How many pages (image file directories) a TIFF holds: 1 for anything else, and for a TIFF
/// whose chain of directories cannot be followed (BigTIFF, damage).
pub fn tiff_pages(bytes: &[u8]) -> usize {
    let le = match bytes.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return 1,
    };
    let u16_at = |i: usize| {
        let b: [u8; 2] = bytes.get(i..i + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |i: usize| {
        let b: [u8; 4] = bytes.get(i..i + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        } as usize)
    };
    let (mut n, mut at) = (0, u32_at(4).unwrap_or(0));
    // A loop in the chain (a damaged or hostile file) ends at the cap.
    while at != 0 && n < 1000 {
        let Some(entries) = u16_at(at) else { break };
        // A directory cut short is not a page that can be read.
        let Some(next) = u32_at(at + 2 + 12 * usize::from(entries)) else {
            break;
        };
        n += 1;
        at = next;
    }
    n.max(1)
}

/// Read pages `1..=pages` of a PDF, each taken from its own image or rendered by `pdftoppm`
/// (`pdf::page_picture`), then read, each within `limit`.
pub fn read_pdf(
    engine: &Tesseract,
    pdftoppm: &Path,
    path: &Path,
    pages: u32,
    limit: Duration,
) -> Reading {
    let at = Instant::now();
    let mut r = Reading::default();
    let mut words = 0;
    let doc = pdf::open(path);
    for page in 1..=pages.max(1) {
        let read = pdf::page_picture(doc.as_ref(), pdftoppm, path, page, limit).and_then(|p| {
            engine
                .read(tesseract::Picture::Bytes(p.bytes), Some(p.dpi), limit)
                .map_err(|f| failure(f, limit))
        });
        r.add(page, read, &mut words);
    }
    r.seconds = at.elapsed().as_secs_f64();
    r
}

#[cfg(test)]
mod tests;
