//! Writing the planned tree: everything is collected in memory first, so that the destination
//! can be checked before a single file is written (the generator must never mix into real
//! evidence), then written with the fixed modification times that make runs byte-identical.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{china_time, jpeg, PhotoSpec, SampleFile, SampleSummary, PACKED_AT};

/// Collects the whole tree in memory first, so that the destination can be checked before
/// anything is written.
pub(super) struct Gen {
    pub(super) summary: SampleSummary,
    pub(super) planned: Vec<(PathBuf, Vec<u8>, i64)>,
}

impl Gen {
    pub(super) fn write(
        &mut self,
        rel: &Path,
        bytes: &[u8],
        mtime: i64,
        exercises: &str,
        photo: Option<PhotoSpec>,
    ) -> io::Result<()> {
        self.summary.bytes += bytes.len() as u64;
        self.summary.files += 1;
        self.summary.entries.push(SampleFile {
            path: rel.to_path_buf(),
            exercises: exercises.into(),
            photo,
        });
        self.planned
            .push((rel.to_path_buf(), bytes.to_vec(), mtime));
        Ok(())
    }

    pub(super) fn photo(&mut self, rel: &str, spec: PhotoSpec, exercises: &str) -> io::Result<()> {
        let bytes = jpeg::jpeg(&spec);
        let mtime = spec
            .date_time_original
            .map(|d| china_time(d) + 90) // copied off the phone: the file keeps the shot's time
            .unwrap_or(PACKED_AT);
        self.write(Path::new(rel), &bytes, mtime, exercises, Some(spec))?;
        self.summary.photos += 1;
        Ok(())
    }

    pub(super) fn document(&mut self, rel: &Path, bytes: &[u8], exercises: &str) -> io::Result<()> {
        self.write(rel, bytes, PACKED_AT - 3600, exercises, None)?;
        self.summary.documents += 1;
        Ok(())
    }

    pub(super) fn finish(mut self, dest: &Path) -> io::Result<SampleSummary> {
        refuse_foreign_content(dest, &self.planned)?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (rel, bytes, mtime) in &self.planned {
            let path = dest.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut d = rel.parent();
            while let Some(p) = d.filter(|p| !p.as_os_str().is_empty()) {
                if !dirs.iter().any(|x| x == p) {
                    dirs.push(p.to_path_buf());
                }
                d = p.parent();
            }
            fs::write(&path, bytes)?;
            set_mtime(&path, *mtime)?;
        }
        // Deepest first, so that setting a folder's time is not undone by its children.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in &dirs {
            set_mtime(&dest.join(d), PACKED_AT)?;
        }
        self.summary.entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(self.summary)
    }
}

fn refuse_foreign_content(dest: &Path, planned: &[(PathBuf, Vec<u8>, i64)]) -> io::Result<()> {
    if !dest.exists() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dest).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dest).unwrap_or(entry.path());
        if !entry.file_type().is_file() || !planned.iter().any(|(p, _, _)| p == rel) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already holds files that are not sample evidence (for example {}); \
                     choose a new or empty folder: the sample generator never writes into real \
                     evidence",
                    dest.display(),
                    rel.display()
                ),
            ));
        }
    }
    Ok(())
}

fn set_mtime(path: &Path, secs: i64) -> io::Result<()> {
    let t: SystemTime = UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64);
    crate::platform::set_modified(path, t)
}
