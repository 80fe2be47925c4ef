//! Stage 1: walk. Finds every regular file under the evidence roots, without writing anything
//! there, and describes it by path bytes, size, mtime and inode: what incremental indexing
//! compares against the catalog to decide whether a file must be read again.

use crate::platform::{file_id, path_bytes, path_from_bytes, FileId};
use crate::problem::{Code, Problem};
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// One regular file seen by the walk.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Where the relative part starts in `path`'s bytes.
    pub(crate) rel_start: usize,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: i64,
    pub inode: u64,
    pub dev: u64,
}

impl FileEntry {
    /// The path relative to the root, as exact bytes (the catalog's key; see
    /// [`crate::platform::path_bytes`]). Borrowed from `path` on Unix.
    pub fn rel_bytes(&self) -> Cow<'_, [u8]> {
        match path_bytes(self.path.as_os_str()) {
            Cow::Borrowed(b) => Cow::Borrowed(&b[self.rel_start..]),
            Cow::Owned(mut b) => {
                b.drain(..self.rel_start);
                Cow::Owned(b)
            }
        }
    }

    /// The relative path in display form (GBK components decoded). Made on demand: an
    /// unchanged re-index walks every file and needs only the bytes.
    pub fn rel_display(&self) -> String {
        display_bytes(&self.rel_bytes())
    }
}

/// A problem met while walking: reported with its path, never fatal to the walk.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub problem: Problem,
}

#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub follow_symlinks: bool,
    /// Folders never descended into (the archive folder itself when it sits inside a root).
    pub skip: Vec<PathBuf>,
    /// Set by another thread to end the walk early (the run failed and will not use the rest).
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

pub enum Walked {
    File(FileEntry),
    Problem(WalkProblem),
    /// Something that is not evidence and was passed over on purpose (a link not followed, a
    /// FIFO or socket, a link leading out of the evidence folder): a note, not an error, but
    /// said, so that nobody wonders why a name in the folder is not in the archive.
    Skipped(WalkProblem),
}

/// Walk one root, calling `visit` for every file and problem in a stable order (entries of a
/// folder sorted by their name bytes, depth first).
///
/// Written on `std::fs::read_dir` rather than a walking crate because the metadata of each
/// entry is then read relative to its open folder (`statx` on the folder's descriptor), not
/// by resolving the full path from `/` again for every file: on an unchanged re-index the walk
/// is most of the work, and `find`, the tool it is measured against, does the same.
pub fn walk(root: &Path, opts: &WalkOptions, mut visit: impl FnMut(Walked)) {
    let skip: Vec<FileId> = opts
        .skip
        .iter()
        .filter_map(|s| std::fs::metadata(s).ok().map(|m| file_id(s, &m)))
        .collect();
    let root_meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) => {
            visit(Walked::Problem(WalkProblem {
                path: root.to_path_buf(),
                problem: io_problem(&e),
            }));
            return;
        }
    };
    let root_id = file_id(root, &root_meta);
    if skip.contains(&root_id) {
        return;
    }
    let rel_start = {
        let root_bytes = path_bytes(root.as_os_str());
        let n = root_bytes.len();
        if root_bytes.ends_with(b"/") {
            n
        } else {
            n + 1
        }
    };
    let mut w = Walker {
        opts,
        skip,
        root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        rel_start,
        ancestors: vec![(root_id, root.to_path_buf())],
        visit: &mut visit,
    };
    w.dir(root);
}

struct Walker<'a, F: FnMut(Walked)> {
    opts: &'a WalkOptions,
    /// The root with every link resolved: a followed link must lead somewhere below it.
    root: PathBuf,
    skip: Vec<FileId>,
    pub(crate) rel_start: usize,
    /// (dev, inode) and path of every folder from the root down to the current one: a folder
    /// reached again through a symlink is a loop.
    ancestors: Vec<(FileId, PathBuf)>,
    visit: &'a mut F,
}

impl<F: FnMut(Walked)> Walker<'_, F> {
    fn problem(&mut self, path: &Path, problem: Problem) {
        (self.visit)(Walked::Problem(WalkProblem {
            path: path.to_path_buf(),
            problem,
        }));
    }

    fn skipped(&mut self, path: &Path, problem: Problem) {
        (self.visit)(Walked::Skipped(WalkProblem {
            path: path.to_path_buf(),
            problem,
        }));
    }

    fn dir(&mut self, dir: &Path) {
        let read = match std::fs::read_dir(dir) {
            Ok(r) => r,
            Err(e) => return self.problem(dir, io_problem(&e)),
        };
        let mut entries = Vec::new();
        for e in read {
            match e {
                Ok(e) => entries.push((e.file_name(), e)),
                Err(e) => self.problem(dir, io_problem(&e)),
            }
        }
        entries.sort_unstable_by(|a, b| path_bytes(&a.0).cmp(&path_bytes(&b.0)));
        for (name, entry) in entries {
            if self
                .opts
                .stop
                .as_ref()
                .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
            {
                return;
            }
            let path = dir.join(&name);
            let file_type = match entry.file_type() {
                Ok(t) => t,
                Err(e) => {
                    self.problem(&path, io_problem(&e));
                    continue;
                }
            };
            // Metadata relative to the open folder; a symlink's target by its path when followed.
            let meta = if file_type.is_symlink() {
                if !self.opts.follow_symlinks {
                    self.skipped(&path, Problem::new(Code::LinkNotFollowed));
                    continue;
                }
                // Followed only while it stays inside the root: a link to /etc/shadow in a
                // submitted folder must not put the server's files in the archive.
                match std::fs::canonicalize(&path) {
                    Ok(target) if !target.starts_with(&self.root) => {
                        let problem = Problem::new(Code::LinkOutsideRoot)
                            .with("target", display_path(target.as_os_str()));
                        self.skipped(&path, problem);
                        continue;
                    }
                    _ => {}
                }
                std::fs::metadata(&path)
            } else {
                entry.metadata()
            };
            let meta = match meta {
                Ok(m) => m,
                Err(e) => {
                    self.problem(&path, io_problem(&e));
                    continue;
                }
            };
            if meta.is_dir() {
                let id = file_id(&path, &meta);
                if self.skip.contains(&id) {
                    continue;
                }
                if let Some((_, ancestor)) = self.ancestors.iter().find(|(a, _)| *a == id) {
                    let problem = Problem::new(Code::FolderLoop)
                        .with("target", display_path(ancestor.as_os_str()));
                    self.problem(&path, problem);
                    continue;
                }
                self.ancestors.push((id, path.clone()));
                self.dir(&path);
                self.ancestors.pop();
            } else if !meta.is_file() {
                // Sockets, FIFOs and devices are not evidence (and reading a FIFO would block).
                self.skipped(&path, Problem::new(Code::SpecialFile));
            } else {
                let (dev, inode) = file_id(&path, &meta);
                (self.visit)(Walked::File(FileEntry {
                    rel_start: self.rel_start,
                    size: meta.len(),
                    mtime_ns: mtime_ns(&meta),
                    inode,
                    dev,
                    path,
                }));
            }
        }
    }
}

/// A file's modification time in nanoseconds since the epoch, as the catalog keeps it.
#[inline]
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    crate::platform::mtime_ns(meta)
}

/// The words for a path that is gone, whether the walk or the read found it so
/// ([`ReadFailure`](crate::hash::ReadFailure) says the same; they live here, the lower stage).
pub const VANISHED: &str = "vanished while indexing (no such file)";
/// The words for a path the process may not read, from the walk or the read.
pub const PERMISSION_DENIED: &str = "permission denied: cannot read it";

/// What a user is told about an I/O error on a file or folder.
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => VANISHED.to_string(),
        std::io::ErrorKind::PermissionDenied => PERMISSION_DENIED.to_string(),
        _ => e.to_string(),
    }
}

/// What a user is told about an I/O error on a file or folder, as a problem.
pub fn io_problem(e: &std::io::Error) -> Problem {
    match e.kind() {
        std::io::ErrorKind::NotFound => Problem::new(Code::FileVanished),
        std::io::ErrorKind::PermissionDenied => Problem::new(Code::PermissionDenied),
        _ => Problem::detail(Code::ReadFailed, e),
    }
}

/// Display form of a path: each component as UTF-8 when it is, otherwise decoded as GB18030
/// (what Windows zip tools in China write). Mixed trees (UTF-8 folders, GBK file) stay readable.
pub fn display_path(p: &OsStr) -> String {
    display_bytes(&path_bytes(p))
}

/// [`display_path`] of a path's catalog bytes.
pub fn display_bytes(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    bytes
        .split(|b| *b == b'/')
        .map(|part| match std::str::from_utf8(part) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::GB18030
                .decode_without_bom_handling(part)
                .0
                .into_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a path needs its exact bytes kept beside the display form.
pub fn is_utf8(p: &OsStr) -> bool {
    p.to_str().is_some()
}

/// The path a catalog's root and relative bytes name.
pub fn join_bytes(root: &[u8], rel: &[u8]) -> PathBuf {
    let mut bytes = root.to_vec();
    if !bytes.ends_with(b"/") {
        bytes.push(b'/');
    }
    bytes.extend_from_slice(rel);
    path_from_bytes(&bytes)
}

// Unix only: GBK names, symlinks and sockets (the Windows side is platform::path's tests).
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

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
        // A link out of the evidence folder and a socket: never evidence, always said.
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("secret.txt"), b"s").unwrap();
        std::os::unix::fs::symlink(
            elsewhere.path().join("secret.txt"),
            dir.path().join("a/shadow"),
        )
        .unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("a/sock")).unwrap();
        let mut files = vec![];
        let mut problems = vec![];
        let mut skipped = vec![];
        let mut collect = |w: Walked, files: &mut Vec<String>, problems: &mut Vec<String>| match w {
            Walked::File(f) => files.push(f.rel_display()),
            Walked::Problem(p) => problems.push(p.problem.reason(crate::i18n::Lang::En)),
            Walked::Skipped(p) => skipped.push(format!(
                "{}: {}",
                p.path.file_name().unwrap().to_string_lossy(),
                p.problem.reason(crate::i18n::Lang::En)
            )),
        };
        walk(dir.path(), &WalkOptions::default(), |w| {
            collect(w, &mut files, &mut problems)
        });
        assert_eq!(files, vec!["a/x.txt"]);
        assert!(problems.is_empty());

        files.clear();
        let opts = WalkOptions {
            follow_symlinks: true,
            ..Default::default()
        };
        walk(dir.path(), &opts, |w| collect(w, &mut files, &mut problems));
        assert_eq!(files, vec!["a/x.txt"], "secret.txt stays out");
        assert!(
            problems.iter().any(|m| m.contains("a link back to")),
            "{problems:?}"
        );
        assert!(
            skipped
                .iter()
                .any(|m| m.starts_with("loop: a symbolic link: not followed")),
            "{skipped:?}"
        );
        assert!(
            skipped
                .iter()
                .any(|m| m.starts_with("sock: not a regular file")),
            "{skipped:?}"
        );
        assert!(
            skipped
                .iter()
                .any(|m| m.starts_with("shadow: a link to")
                    && m.contains("outside the evidence folder")),
            "{skipped:?}"
        );
    }
}
