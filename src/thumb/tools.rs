//! Previews of what the `image` crate cannot decode: HEIC/HEIF and AVIF through libheif's
//! `heif-convert`, video poster frames through `ffmpeg`, and camera RAW files through the JPEG
//! preview the camera embedded in them (no tool needed). A tool that is not installed is said
//! as such ([`Missing`]), never an error of the file: the page shows an icon with the reason.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::RenderError;

/// A tool a preview needs and the Debian package that has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    pub tool: &'static str,
    pub package: &'static str,
}

/// The photo types decoded through [`HEIF`]'s tool.
pub const HEIF_MIMES: &[&str] = &["image/heic", "image/heif", "image/avif"];

pub const HEIF: Missing = Missing {
    tool: "heif-convert",
    package: "libheif-examples",
};
pub const FFMPEG: Missing = Missing {
    tool: "ffmpeg",
    package: "ffmpeg",
};

/// How long one tool may take for one preview before it is stopped.
const TOOL_TIMEOUT: Duration = Duration::from_secs(30);

/// Where `tool` is on the `PATH`, if anywhere (`ARCHIVE_NO_TOOLS=1` hides every tool: the
/// tests of the absent case).
pub fn which(tool: &str) -> Option<PathBuf> {
    if std::env::var_os("ARCHIVE_NO_TOOLS").is_some_and(|v| v == "1") {
        return None;
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// A temporary file name for a tool's output, removed when dropped.
struct TempOut(PathBuf);

impl TempOut {
    fn new(ext: &str) -> TempOut {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        TempOut(
            std::env::temp_dir().join(format!("archive-preview-{}-{n}.{ext}", std::process::id())),
        )
    }
}

impl Drop for TempOut {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Run `cmd` to completion within [`TOOL_TIMEOUT`]; its standard output.
fn run(mut cmd: Command, tool: &str) -> Result<Vec<u8>, RenderError> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| RenderError::Tool(format!("{tool}: {e}")))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut buf);
        }
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TOOL_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::Tool(format!(
                    "{tool} took more than {} s",
                    TOOL_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(RenderError::Tool(format!("{tool}: {e}"))),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(RenderError::Tool(format!("{tool} failed ({status})")));
    }
    Ok(out)
}

/// A HEIC, HEIF or AVIF photo decoded by `heif-convert` into a JPEG.
pub fn heif_to_jpeg(source: &Path) -> Result<Vec<u8>, RenderError> {
    let tool = which(HEIF.tool).ok_or(RenderError::Missing(HEIF))?;
    let out = TempOut::new("jpg");
    let mut cmd = Command::new(tool);
    cmd.arg("-q").arg("85").arg(source).arg(&out.0);
    run(cmd, HEIF.tool)?;
    std::fs::read(&out.0).map_err(RenderError::Read)
}

/// A small picture of a HEIC, HEIF or AVIF photo (about `size` pixels on its longer side, at
/// least 240), as PNG, for what needs no more (a fingerprint): the thumbnail the phone stored in
/// the file, through `heif-thumbnailer` (Debian `heif-thumbnailer`; ~40 ms where decoding a
/// 12 MP photo whole takes ~0.7 s), else the whole picture by [`heif_to_jpeg`]. Turned as the
/// container says, like the whole picture.
pub fn heif_small(source: &Path, size: u32) -> Result<Vec<u8>, RenderError> {
    let Some(tool) = which(HEIF_THUMBNAILER) else {
        return heif_to_jpeg(source);
    };
    let out = TempOut::new("png");
    let mut cmd = Command::new(tool);
    cmd.arg("-s").arg(size.to_string()).arg(source).arg(&out.0);
    match run(cmd, HEIF_THUMBNAILER) {
        Ok(_) => std::fs::read(&out.0).map_err(RenderError::Read),
        // Some files it cannot take (an AVIF before libheif knows it): the whole decode can.
        Err(_) => heif_to_jpeg(source),
    }
}

/// The tool [`heif_small`] prefers (optional: without it the whole picture is decoded).
pub const HEIF_THUMBNAILER: &str = "heif-thumbnailer";

/// Whether [`heif_small`] can give a picture at all (either of libheif's tools is there).
pub fn heif_small_available() -> bool {
    which(HEIF_THUMBNAILER).is_some() || which(HEIF.tool).is_some()
}

/// A video's poster frame (one second in, or the first frame of a shorter one), as a JPEG.
pub fn video_frame(source: &Path) -> Result<Vec<u8>, RenderError> {
    let tool = which(FFMPEG.tool).ok_or(RenderError::Missing(FFMPEG))?;
    let mut last = RenderError::Tool("ffmpeg gave no frame".into());
    for at in ["1", "0"] {
        let mut cmd = Command::new(&tool);
        cmd.args(["-nostdin", "-v", "error", "-ss", at, "-i"])
            .arg(source)
            .args([
                "-frames:v",
                "1",
                "-vf",
                "scale='min(640,iw)':-2",
                "-f",
                "image2pipe",
                "-vcodec",
                "mjpeg",
                "-",
            ]);
        match run(cmd, FFMPEG.tool) {
            Ok(jpeg) if jpeg.starts_with(&[0xFF, 0xD8]) => return Ok(jpeg),
            Ok(_) => {}
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The largest JPEG a camera RAW file (CR2, NEF, ARW, DNG, ORF, RW2, PEF…) carries as its
/// preview: every JPEG start in the file is looked at and the one with the most pixels kept.
pub fn raw_preview(data: &[u8]) -> Option<&[u8]> {
    let mut best: Option<(u64, usize)> = None;
    let mut at = 0;
    while let Some(i) = memchr::memmem::find(&data[at..], &[0xFF, 0xD8, 0xFF]) {
        let start = at + i;
        if let Some((w, h)) = frame_size(&data[start..]) {
            let px = u64::from(w) * u64::from(h);
            if best.is_none_or(|(b, _)| px > b) {
                best = Some((px, start));
            }
        }
        at = start + 3;
    }
    best.map(|(_, start)| &data[start..])
}

/// Width and height of a baseline or progressive JPEG's frame (lossless JPEGs, which RAW files
/// also hold for their sensor data, are not previews and are passed over).
fn frame_size(data: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < data.len() && i < 1 << 20 {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        match marker {
            0xC0..=0xC2 => {
                let h = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
                let w = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
                return (w >= 64 && h >= 64).then_some((w, h));
            }
            0xC3 | 0xDA | 0xD9 => return None,
            _ => i += 2 + len,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_embedded_jpeg_is_the_preview() {
        let small = crate::sample::jpeg::jpeg(&crate::sample::PhotoSpec {
            width: 160,
            height: 120,
            ..Default::default()
        });
        let big = crate::sample::jpeg::jpeg(&crate::sample::PhotoSpec {
            width: 640,
            height: 480,
            ..Default::default()
        });
        // A TIFF-shaped RAW: header, sensor bytes, a thumbnail, the preview, more sensor bytes.
        let mut raw = b"II*\x00\x08\x00\x00\x00".to_vec();
        raw.extend(std::iter::repeat_n(0x5A, 5000));
        raw.extend_from_slice(&small);
        raw.extend(std::iter::repeat_n(0xA5, 3000));
        raw.extend_from_slice(&big);
        raw.extend(std::iter::repeat_n(0x3C, 4000));
        let p = raw_preview(&raw).expect("a preview");
        assert!(p.starts_with(&big[..64]));
        assert_eq!(raw_preview(b"II*\x00 no pictures here"), None);
    }
}
