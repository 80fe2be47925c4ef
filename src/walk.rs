//! Stage 1: walk. Finds every regular file under the evidence roots, without writing anything
//! there, and describes it by path bytes, size, mtime and inode: what incremental indexing
//! compares against the catalog to decide whether a file must be read again.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One regular file seen by the walk.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Path relative to the root, `/`-separated, display form.
    pub rel_display: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: i64,
    pub inode: u64,
    pub dev: u64,
}

/// A problem met while walking: reported with its path, never fatal to the walk.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub follow_symlinks: bool,
    /// Folders never descended into (the archive folder itself when it sits inside a root).
    pub skip: Vec<PathBuf>,
}

pub enum Walked {
    File(FileEntry),
    Problem(WalkProblem),
}

/// Walk one root, calling `visit` for every file and problem in a stable (sorted) order.
pub fn walk(root: &Path, opts: &WalkOptions, mut visit: impl FnMut(Walked)) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(opts.follow_symlinks)
        .sort_by(|a, b| a.file_name().as_bytes().cmp(b.file_name().as_bytes()));
    let mut it = walker.into_iter();
    while let Some(next) = it.next() {
        let entry = match next {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
                let message = if let Some(ancestor) = err.loop_ancestor() {
                    format!("symlink loop back to {}; not followed", display_path(ancestor.as_os_str()))
                } else if let Some(io) = err.io_error() {
                    describe_io(io)
                } else {
                    err.to_string()
                };
                visit(Walked::Problem(WalkProblem { path, message }));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            if opts.skip.iter().any(|s| same_dir(entry.path(), s)) {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() && !opts.follow_symlinks {
            continue;
        }
        // With follow_links the metadata is the target's; without, a symlink was skipped above.
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(err) => {
                let message = err.io_error().map(describe_io).unwrap_or_else(|| err.to_string());
                visit(Walked::Problem(WalkProblem { path: entry.path().to_path_buf(), message }));
                continue;
            }
        };
        if !meta.is_file() {
            continue; // sockets, fifos, devices: not evidence
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        visit(Walked::File(FileEntry {
            path: entry.path().to_path_buf(),
            rel_display: display_path(rel.as_os_str()),
            size: meta.len(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            inode: meta.ino(),
            dev: meta.dev(),
        }));
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "vanished while indexing (no such file)".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied: cannot read it".into(),
        _ => e.to_string(),
    }
}

/// Display form of a path: each component as UTF-8 when it is, otherwise decoded as GB18030
/// (what Windows zip tools in China write). Mixed trees (UTF-8 folders, GBK file) stay readable.
pub fn display_path(p: &OsStr) -> String {
    let bytes = p.as_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    bytes
        .split(|b| *b == b'/')
        .map(|part| match std::str::from_utf8(part) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::GB18030.decode_without_bom_handling(part).0.into_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a path needs its exact bytes kept beside the display form.
pub fn is_utf8(p: &OsStr) -> bool {
    std::str::from_utf8(p.as_bytes()).is_ok()
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_names_display_as_chinese() {
        // "会议照片.jpg" in GBK.
        let name = encoding_rs::GBK.encode("会议照片.jpg").0.into_owned();
        let mut p = "海东市/".as_bytes().to_vec();
        p.extend_from_slice(&name);
        assert_eq!(display_path(OsStr::from_bytes(&p)), "海东市/会议照片.jpg");
        assert!(!is_utf8(OsStr::from_bytes(&p)));
    }

    #[test]
    fn walk_reports_loops_and_skips_links() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.txt"), b"x").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
        let mut files = vec![];
        let mut problems = vec![];
        let collect = |w: Walked, files: &mut Vec<String>, problems: &mut Vec<String>| match w {
            Walked::File(f) => files.push(f.rel_display),
            Walked::Problem(p) => problems.push(p.message),
        };
        walk(dir.path(), &WalkOptions::default(), |w| collect(w, &mut files, &mut problems));
        assert_eq!(files, vec!["a/x.txt"]);
        assert!(problems.is_empty());

        files.clear();
        let opts = WalkOptions { follow_symlinks: true, ..Default::default() };
        walk(dir.path(), &opts, |w| collect(w, &mut files, &mut problems));
        assert_eq!(files, vec!["a/x.txt"]);
        assert!(problems.iter().any(|m| m.contains("symlink loop")), "{problems:?}");
    }
}
