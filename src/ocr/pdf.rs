//! Pages of a scanned PDF as pictures: poppler's `pdftoppm` renders one page at a time to a
//! greyscale PNG on its stdout (no temporary files; the evidence is only read).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::run::{bounded, Ran};

/// 150 dpi: tesseract reads body text of a scanned A4 page well from 150 dpi up, and a red-header
/// title (~90 px tall at 200 dpi) is misread at higher resolutions (measured: docs/ocr.md).
const DPI: &str = "150";

/// poppler's renderer, when installed.
pub fn renderer() -> Option<PathBuf> {
    super::tesseract::on_path("pdftoppm")
}

/// Render page `page` (1-based) of `pdf` as a greyscale PNG, within `limit`.
pub fn render_page(
    pdftoppm: &Path,
    pdf: &Path,
    page: u32,
    limit: Duration,
) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new(pdftoppm);
    let n = page.to_string();
    cmd.args([
        "-f",
        &n,
        "-l",
        &n,
        "-r",
        DPI,
        "-gray",
        "-png",
        "-singlefile",
    ])
    .arg(pdf);
    match bounded(cmd, None, limit) {
        Ran::Ok(png) if png.starts_with(b"\x89PNG") => Ok(png),
        Ran::Ok(_) => Err("pdftoppm gave no picture".into()),
        Ran::TimedOut => Err(format!("rendering page {page} took over {limit:?}")),
        Ran::Failed(why) => Err(why),
        Ran::NotStarted(e) => Err(e.to_string()),
    }
}
