//! One process per data directory.
//!
//! The service holds an exclusive lock on `<data_dir>/altgate.lock` while it
//! runs, and offline commands that change accounts or keys take the same
//! lock, so they cannot change state behind a running service's caches.
//! (Commands that are safe beside a running service, such as master-key
//! rotation and audit verification, do not take it.)

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file's name.
pub const LOCK_FILE: &str = "altgate.lock";

/// Holds the data directory until dropped.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// The data directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("{0} is in use by another Altgate process (is the service running? use the HTTP API instead)")]
    Busy(PathBuf),
    /// The lock file could not be opened.
    #[error("cannot lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl DataDirLock {
    /// Takes the lock, creating the directory if needed; fails at once if
    /// another process holds it.
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let io = |source| LockError::Io { path: path.clone(), source };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy(data_dir.to_owned())),
            Err(TryLockError::Error(source)) => Err(io(source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        assert!(matches!(DataDirLock::acquire(dir.path()), Err(LockError::Busy(_))));
        drop(first);
        assert!(DataDirLock::acquire(dir.path()).is_ok());
    }
}
