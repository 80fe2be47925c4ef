//! Which archive folder a command works on, so that it does not depend on where the command
//! happens to run: `--archive DIR`, else `ARCHIVE_DIR`, else the folder the last `archive
//! index` or `archive demo` used (remembered in a per-user file), else `archive-data` in the
//! current folder, made absolute so that messages name it in full.
//!
//! The per-user file is `$ARCHIVE_USER_CONFIG` when set (tests point it into a temporary
//! folder), else `archive/last-archive` under `$XDG_CONFIG_HOME`, `~/.config` or, on Windows,
//! `%APPDATA%`: one line, the folder's absolute path.

use std::path::{Path, PathBuf};

use crate::config::DEFAULT_ARCHIVE_DIR;

/// Where the folder came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// `--archive` or `ARCHIVE_DIR`.
    Given,
    /// The folder the last `index` or `demo` used.
    Remembered,
    /// `archive-data` in the current folder.
    Default,
}

/// The per-user file that remembers the last archive folder.
pub(super) fn memory_file() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(f) = var("ARCHIVE_USER_CONFIG") {
        return Some(f);
    }
    let base = var("XDG_CONFIG_HOME")
        .or_else(|| var("APPDATA"))
        .or_else(|| var("HOME").map(|h| h.join(".config")))?;
    Some(base.join("archive").join("last-archive"))
}

/// The folder to use and where it came from.
pub(super) fn resolve(given: Option<PathBuf>) -> (PathBuf, Origin) {
    if let Some(dir) = given {
        return (dir, Origin::Given);
    }
    let remembered = memory_file()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|s| PathBuf::from(s.trim()))
        .filter(|p| !p.as_os_str().is_empty() && p.join("catalog.sqlite").is_file());
    if let Some(dir) = remembered {
        return (dir, Origin::Remembered);
    }
    let dir = PathBuf::from(DEFAULT_ARCHIVE_DIR);
    (std::path::absolute(&dir).unwrap_or(dir), Origin::Default)
}

/// Remember `dir` as the last archive folder used. Best effort: a home folder that cannot be
/// written to only means the next command needs `--archive` again; returns the file written.
pub(super) fn remember(dir: &Path) -> Option<PathBuf> {
    let file = memory_file()?;
    let abs = std::path::absolute(dir).ok()?;
    std::fs::create_dir_all(file.parent()?).ok()?;
    std::fs::write(&file, format!("{}\n", abs.display())).ok()?;
    Some(file)
}
