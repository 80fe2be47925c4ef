//! Pages of a scanned PDF as pictures for the engine. A page that is one image covering it (a
//! scanner's) is taken as stored (`scan.rs`), straightened and brought to the engine's
//! resolution (`straighten.rs`); any other page is rendered by poppler's `pdftoppm`, one page
//! at a time, greyscale, to its stdout (no temporary files; the evidence is only read), and
//! straightened the same way.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pdf_oxide::PdfDocument;

use super::run::{bounded, Ran};
use super::scan;
use super::straighten::{self, Grey, TARGET_DPI};

/// poppler's renderer, when installed.
pub fn renderer() -> Option<PathBuf> {
    super::tesseract::on_path("pdftoppm")
}

/// A page ready for the engine.
#[derive(Debug, Clone)]
pub struct PagePicture {
    /// JPEG or PGM bytes.
    pub bytes: Vec<u8>,
    /// Its resolution (the engine is told: a PGM carries none).
    pub dpi: u32,
    pub how: How,
    /// The skew measured (degrees, counter-clockwise) and whether the page was turned back.
    pub skew: f64,
    pub turned: bool,
}

/// Where a page's picture came from.
#[derive(Debug, Clone, PartialEq)]
pub enum How {
    /// The page's own image (`jpeg`, `ccitt`, `flate`, `raw`), scaled down or not.
    Embedded {
        encoding: &'static str,
        scaled: bool,
    },
    /// Rendered by pdftoppm: the page is more than one image.
    Rendered,
}

/// The PDF parsed for its pages' images; None when pdf_oxide cannot (every page is then
/// rendered, as poppler may still read it).
pub fn open(pdf: &Path) -> Option<PdfDocument> {
    std::panic::catch_unwind(|| PdfDocument::open(pdf).ok())
        .ok()
        .flatten()
}

/// Page `page` (1-based) of `pdf` as a picture: its own image when it is one image covering
/// the page, else rendered (within `limit`).
pub fn page_picture(
    doc: Option<&PdfDocument>,
    pdftoppm: &Path,
    pdf: &Path,
    page: u32,
    limit: Duration,
) -> Result<PagePicture, String> {
    let embedded = doc.and_then(|d| scan::embedded_image(d, page.saturating_sub(1) as usize));
    if let Some(e) = embedded {
        let encoding = e.encoding;
        // A stored image that does not decode: the renderer may still draw the page.
        if let Ok(p) = straighten::prepare(e) {
            return Ok(PagePicture {
                bytes: p.bytes,
                dpi: p.dpi,
                how: How::Embedded {
                    encoding,
                    scaled: p.scaled,
                },
                skew: p.skew,
                turned: p.turned,
            });
        }
    }
    let g = render_page(pdftoppm, pdf, page, limit)?;
    let p = straighten::prepare_grey(g, TARGET_DPI);
    Ok(PagePicture {
        bytes: p.bytes,
        dpi: p.dpi,
        how: How::Rendered,
        skew: p.skew,
        turned: p.turned,
    })
}

/// Render page `page` (1-based) of `pdf` greyscale at [`TARGET_DPI`], within `limit`. PGM
/// rather than PNG: nothing to compress or decompress on either side of the pipe.
pub fn render_page(
    pdftoppm: &Path,
    pdf: &Path,
    page: u32,
    limit: Duration,
) -> Result<Grey, String> {
    let mut cmd = Command::new(pdftoppm);
    let n = page.to_string();
    let dpi = (TARGET_DPI as u32).to_string();
    cmd.args(["-f", &n, "-l", &n, "-r", &dpi, "-gray", "-singlefile"])
        .arg(pdf);
    match bounded(cmd, None, limit) {
        Ran::Ok(out) => {
            straighten::decode_pgm(&out).ok_or_else(|| "pdftoppm gave no picture".into())
        }
        Ran::TimedOut => Err(format!("rendering page {page} took over {limit:?}")),
        Ran::Failed(why) => Err(why),
        Ran::NotStarted(e) => Err(e.to_string()),
    }
}
