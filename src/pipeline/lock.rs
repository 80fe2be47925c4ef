//! One writer run at a time per archive. Two `archive index` runs at once used to fail on
//! SQLite's or tantivy's own locks with their raw messages, after the first had already written
//! catalog rows that stayed unsearchable until the next run. The lock is taken before anything
//! is written and held for the whole run; the operating system drops it when the process ends,
//! however it ends (a killed run leaves no stale lock behind).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::{Error, Result};

/// Held while an index, retag or reindex runs; released on drop.
pub struct RunLock {
    _file: File,
}

impl RunLock {
    /// Take the archive's run lock, or say that another run holds it.
    pub fn take(archive_dir: &Path) -> Result<RunLock> {
        std::fs::create_dir_all(archive_dir).map_err(|e| Error::io(archive_dir, e))?;
        let path = archive_dir.join("run.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::Busy {
                path: archive_dir.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_told_the_first_holds_the_archive_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::take(dir.path()).unwrap();
        let err = RunLock::take(dir.path())
            .err()
            .expect("the second run is refused");
        assert!(matches!(err, Error::Busy { .. }));
        assert!(err.to_string().contains("wait for it"));
        assert!(err
            .localized(crate::i18n::Lang::Zh)
            .contains("正在处理档案库"));
        drop(first);
        assert!(
            RunLock::take(dir.path()).is_ok(),
            "free again once the first ended"
        );
    }
}
