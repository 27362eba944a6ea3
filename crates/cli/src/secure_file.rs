//! Files that hold secrets on the user's machine: the profile file and
//! Ed25519 private keys. They are created private (0600, in a 0700
//! directory), written atomically, and never read while group or others
//! have any permission on them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// The profile file: `$XDG_CONFIG_HOME/altgate/config.toml`, else
/// `$HOME/.config/altgate/config.toml`; `None` when neither is set to an
/// absolute path.
pub(crate) fn config_file() -> Option<PathBuf> {
    let absolute = |name: &str| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let base = absolute("XDG_CONFIG_HOME").or_else(|| absolute("HOME").map(|home| home.join(".config")))?;
    Some(base.join("altgate").join("config.toml"))
}

/// The text of a private file, or `None` when there is none. A file that
/// grants any permission to group or others is refused, unread.
pub(crate) fn read_private(path: &Path) -> Result<Option<String>, Failure> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_failure("open", path, &error)),
    };
    let metadata = file.metadata().map_err(|e| io_failure("inspect", path, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Failure::Local(format!(
                "{} holds secrets but is open to other users (mode {mode:04o}); \
                 refusing to read it. Fix it with `chmod 600 {}`",
                path.display(),
                path.display()
            )));
        }
    }
    let capacity = usize::try_from(metadata.len()).unwrap_or(0).saturating_add(1);
    let mut text = String::with_capacity(capacity);
    file.read_to_string(&mut text).map_err(|e| io_failure("read", path, &e))?;
    Ok(Some(text))
}

/// Writes `contents` to a new private file at `path` (its directory is
/// created 0700 when missing); an existing file is never overwritten.
pub(crate) fn write_new_private(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut file = private_file(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => {
            Failure::Local(format!("{} already exists; refusing to overwrite it", path.display()))
        }
        _ => io_failure("create", path, &e),
    })?;
    file.write_all(contents).and_then(|()| file.sync_all()).map_err(|e| io_failure("write", path, &e))
}

/// Replaces the file at `path` with `contents` atomically: a private
/// temporary file beside it, synced, then renamed over it. The directory is
/// created (0700) when missing.
pub(crate) fn replace_private(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    let dir = path.parent().ok_or_else(|| Failure::Local(format!("{} has no directory", path.display())))?;
    create_private_dir(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // A leftover from a process that died with this id; the directory is ours.
    let _ = fs::remove_file(&temp);
    let written = private_file(&temp)
        .and_then(|mut file| file.write_all(contents).and_then(|()| file.sync_all()))
        .and_then(|()| fs::rename(&temp, path));
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(io_failure("write", path, &error));
    }
    // Makes the rename durable; a failure here loses nothing already written.
    let _ = File::open(dir).and_then(|d| d.sync_all());
    Ok(())
}

/// Creates `dir` with mode 0700 (its missing parents with the defaults).
fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).map_err(|e| io_failure("create the directory", parent, &e))?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Err(error) if error.kind() != io::ErrorKind::AlreadyExists => {
            Err(io_failure("create the directory", dir, &error))
        }
        _ => Ok(()),
    }
}

/// A new file, private from the moment it exists.
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn io_failure(action: &str, path: &Path, error: &io::Error) -> Failure {
    Failure::Local(format!("cannot {action} {}: {error}", path.display()))
}
