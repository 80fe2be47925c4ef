//! Opt-in checks against real files: `EVIDENCE_DEV_CORPUS=/path/to/corpus cargo test --lib
//! extract::photo::corpus -- --nocapture`. Skipped (passing) when the variable is unset.
//!
//! Kept apart from the fixture tests: these compare with ExifTool's answers on a corpus that
//! only a developer machine has, and report agreement rates rather than exact values.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::extract;
use crate::extract::{Facts, Limits};

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
    let mut tallies: HashMap<&str, Tally> = fields.iter().map(|f| (*f, Tally::default())).collect();
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
        if !f.problems.is_empty() {
            with_errors.push(format!("{rel}: {}", f.problem_texts().join(" | ")));
        }

        // Capture time: ExifTool's EXIF:DateTimeOriginal, else EXIF:CreateDate; all-zero is none.
        let theirs_date = text(row, "EXIF:DateTimeOriginal")
            .or_else(|| text(row, "EXIF:CreateDate"))
            .filter(|d| d.chars().any(|c| c.is_ascii_digit() && c != '0'));
        // Our DateTime fallback has no counterpart in the reference (ModifyDate was not dumped).
        let ours_date = f
            .captured_at
            .filter(|_| f.captured_at_source.as_deref() != Some("exif:ModifyDate"))
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
