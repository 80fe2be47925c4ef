//! What differs between Unix and Windows, kept in one place so that the stages above read the
//! same on both: a path as bytes (the catalog's key), a file's identity (change detection, loop
//! detection), files only their owner may read (mode bits on Unix, access lists on Windows:
//! `acl`, the crate's only `unsafe` code), and a file's modification time.
//!
//! On Unix every function here is what the code did before this module existed, inlined: the
//! index's hot path (walk, compare with the catalog) makes no extra allocation or system call.
//! Windows pays where it must (UTF-16 names re-encoded, one open per file for its identity).
//! A leaf: imports nothing from the crate. See docs/platforms.md.

#[cfg(windows)]
mod acl;
mod path;

pub use path::{path_bytes, path_from_bytes};

use std::fs::{Metadata, OpenOptions};
use std::path::Path;

/// Which file this is, independent of its name: (device, inode) on Unix, (volume serial
/// number, file index) on Windows. Two paths with the same identity are the same file; a file
/// replaced under the same name has a new one. `(0, 0)` when Windows would not say (a file
/// opened exclusively by another program): size and modification time still tell a change.
pub type FileId = (u64, u64);

/// The identity of the file at `path`, whose metadata the caller already has.
#[cfg(unix)]
#[inline]
pub fn file_id(_path: &Path, meta: &Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// The identity of the file at `path`. Windows gives a file's index only through an open
/// handle (std's accessors for it are unstable), so the file is opened for no access at all,
/// which sharing modes never refuse, with backup semantics so that folders open too.
#[cfg(windows)]
pub fn file_id(path: &Path, _meta: &Metadata) -> FileId {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
    OpenOptions::new()
        .access_mode(0)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
        .and_then(|f| winapi_util::file::information(&f))
        .map_or((0, 0), |i| (i.volume_serial_number(), i.file_index()))
}

/// A file's modification time in nanoseconds since the epoch, as the catalog keeps it.
#[cfg(unix)]
#[inline]
pub fn mtime_ns(meta: &Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    meta.mtime() * 1_000_000_000 + meta.mtime_nsec()
}

/// A file's modification time in nanoseconds since the epoch, as the catalog keeps it
/// (NTFS keeps 100 ns steps; times before 1970 are negative, as on Unix).
#[cfg(windows)]
pub fn mtime_ns(meta: &Metadata) -> i64 {
    let Ok(t) = meta.modified() else { return 0 };
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

/// Set the modification time of a file or folder (the sample generator dates its tree).
/// Unix: a read-only descriptor is enough for `futimens`, folders included. Windows: the handle
/// needs the right to write attributes, and a folder opens only with backup semantics.
pub fn set_modified(path: &Path, t: std::time::SystemTime) -> std::io::Result<()> {
    #[cfg(windows)]
    let file = {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
        const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
        OpenOptions::new()
            .access_mode(FILE_WRITE_ATTRIBUTES)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
            .open(path)?
    };
    #[cfg(not(windows))]
    let file = std::fs::File::open(path)?;
    file.set_modified(t)
}

/// Open `path` with `opts` so that, when the file is created, only its owner can read it:
/// mode 0600 on Unix (an existing file keeps its mode); on Windows a protected access list
/// granting the current user and SYSTEM only, set right after the open, before anything is
/// written (see `acl`). A file system without access lists (FAT on a USB stick) is not an
/// error, as a mode on one is not on Unix.
pub fn open_owner_only(opts: &mut OpenOptions, path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(opts, 0o600);
    let file = opts.open(path)?;
    #[cfg(windows)]
    acl_best_effort(acl::restrict_to_owner(path, false))?;
    Ok(file)
}

/// Replace `path` with `bytes`, its owner's alone: written beside it (`NAME.tmp`), flushed to
/// disk, then renamed over it, so that a reader (or a crash) never meets half a file.
pub fn replace_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    {
        let mut f = open_owner_only(
            OpenOptions::new().write(true).create(true).truncate(true),
            &tmp,
        )?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Make an existing folder its owner's alone: 0700 on Unix; on Windows the same protected list
/// as [`open_owner_only`], passed on to the files and folders made in it.
pub fn owner_only_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(windows)]
    acl_best_effort(acl::restrict_to_owner(dir, true))?;
    #[cfg(not(any(unix, windows)))]
    let _ = dir;
    Ok(())
}

/// FAT and exFAT keep no access lists: Windows answers "not supported" (or "invalid
/// function" from some drivers), which is no reason to refuse a catalog on a USB stick.
#[cfg(windows)]
fn acl_best_effort(r: std::io::Result<()>) -> std::io::Result<()> {
    const ERROR_INVALID_FUNCTION: i32 = 1;
    const ERROR_NOT_SUPPORTED: i32 = 50;
    match r {
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(ERROR_INVALID_FUNCTION | ERROR_NOT_SUPPORTED)
            ) =>
        {
            Ok(())
        }
        r => r,
    }
}

/// Whether others than the owner may read the file at `path`, whose metadata the caller has:
/// group or world bits on Unix; on Windows an access list that lets Everyone, (Authenticated)
/// Users, Guests, Anonymous or Interactive read it, or none at all (see `acl`).
pub fn readable_by_others(path: &Path, meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = path;
        meta.permissions().mode() & 0o077 != 0
    }
    #[cfg(windows)]
    {
        let _ = meta;
        acl::broadly_readable(path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (path, meta);
        false
    }
}

/// Open `url` in the desktop's browser, best effort (a server without a desktop just has the
/// URL printed): `xdg-open` on Linux (Kylin and UOS desktops have it), `start` on Windows.
pub fn open_in_browser(url: &str) {
    let mut cmd = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        // The empty title: `start` takes its first quoted argument as the window's title.
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    let _ = cmd
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// The absolute path with every link resolved, as people write it. On Windows std gives the
/// verbatim form (`\\?\C:\证据`), which would be stored in the catalog and shown in every path;
/// the prefix is dropped when the plain form names the same file (a drive or UNC path shorter
/// than the classic 260-character limit).
#[cfg(unix)]
#[inline]
pub fn canonicalize(p: &Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::canonicalize(p)
}

#[cfg(windows)]
pub fn canonicalize(p: &Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::canonicalize(p).map(|c| plain_windows_path(&c).unwrap_or(c))
}

/// `\\?\C:\x` → `C:\x`, `\\?\UNC\server\share\x` → `\\server\share\x`; `None` when the
/// verbatim form is needed (a long path) or the path is not one of those.
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
fn plain_windows_path(p: &Path) -> Option<std::path::PathBuf> {
    let s = p.to_str()?;
    let rest = s.strip_prefix(r"\\?\")?;
    let plain = if let Some(unc) = rest.strip_prefix(r"UNC\") {
        format!(r"\\{unc}")
    } else {
        let b = rest.as_bytes();
        if b.len() < 3 || !b[0].is_ascii_alphabetic() || b[1] != b':' || b[2] != b'\\' {
            return None;
        }
        rest.to_string()
    };
    (plain.encode_utf16().count() < 260).then(|| plain.into())
}

/// Whether a file's mode lets it be run (Unix: any execute bit). On Windows every regular
/// file found on PATH is taken as a program; which ones run is decided by their extension.
#[cfg(unix)]
pub fn is_executable(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
pub fn is_executable(_meta: &Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::plain_windows_path;
    use std::path::Path;

    #[test]
    fn windows_verbatim_paths_lose_their_prefix_when_the_plain_form_is_the_same_file() {
        let plain = |s: &str| plain_windows_path(Path::new(s)).map(|p| p.display().to_string());
        assert_eq!(
            plain(r"\\?\C:\证据\海东市").as_deref(),
            Some(r"C:\证据\海东市")
        );
        assert_eq!(plain(r"\\?\UNC\nas\证据").as_deref(), Some(r"\\nas\证据"));
        assert_eq!(plain(r"\\?\Volume{1234}\x"), None);
        assert_eq!(plain(r"C:\x"), None);
        let long = format!(r"\\?\C:\{}", "长".repeat(300));
        assert_eq!(plain(&long), None);
    }
}
