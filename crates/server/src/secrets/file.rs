//! The keyring file on disk: its TOML format and validation, and atomic
//! writes under an exclusive lock. See the module docs for the format.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::{SecureRandom, SystemRandom};
use toml::{Table, Value};
use zeroize::{Zeroize, Zeroizing};

use super::KeyringError;

/// The length of every key in the keyring, in bytes.
const KEY_LEN: usize = 32;

/// Why a version number is refused.
const NOT_A_VERSION: &str = "not a version number (an integer ≥ 1)";

/// Raw key bytes, wiped on drop.
pub(super) type Material = Zeroizing<[u8; KEY_LEN]>;

/// What identifies one version of the keyring file: a rename gives a new
/// inode, an edit in place a new length or modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: Option<(u64, u64)>,
}

impl FileStamp {
    fn of(metadata: &Metadata) -> Self {
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            Some((metadata.dev(), metadata.ino()))
        };
        #[cfg(not(unix))]
        let inode = None;
        Self { len: metadata.len(), modified: metadata.modified().ok(), inode }
    }

    /// The stamp of the file at `path` now.
    pub(super) fn of_path(path: &Path) -> Result<Self, KeyringError> {
        fs::metadata(path).map(|metadata| Self::of(&metadata)).map_err(io_error("inspect", path))
    }
}

/// Reads and checks the keyring file at `path`, with its stamp.
pub(super) fn read(path: &Path) -> Result<(Contents, FileStamp), KeyringError> {
    let Some((text, stamp)) = read_checked(path)? else {
        return Err(io_error("read", path)(io::ErrorKind::NotFound.into()));
    };
    Ok((Contents::parse(path, &text)?, stamp))
}

/// Reads the keyring file at `path`, first creating it with fresh keys (and
/// its parent directory) when missing; the flag tells whether it was created.
pub(super) fn read_or_create(path: &Path) -> Result<(Contents, FileStamp, bool), KeyringError> {
    if let Some((text, stamp)) = read_checked(path)? {
        return Ok((Contents::parse(path, &text)?, stamp, false));
    }
    let dir = parent_dir(path);
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_error("create the directory", dir))?;
    let _lock = lock(path)?;
    // Another process may have created it while this one waited for the lock.
    if let Some((text, stamp)) = read_checked(path)? {
        return Ok((Contents::parse(path, &text)?, stamp, false));
    }
    let contents = Contents::generate()?;
    write_atomically(path, contents.render().as_bytes())?;
    let stamp = FileStamp::of_path(path)?;
    tracing::warn!(
        path = %path.display(),
        "created a new keyring; keep it apart from the data it protects: for production, \
         move it to a separate, protected location and configure its path"
    );
    Ok((contents, stamp, true))
}

/// Reads the keyring file under its lock, applies `change` and writes the
/// result atomically, through a symlink if the path is one.
pub(super) fn modify<T>(
    path: &Path,
    change: impl FnOnce(&mut Contents) -> Result<T, KeyringError>,
) -> Result<T, KeyringError> {
    let path = fs::canonicalize(path).map_err(io_error("resolve", path))?;
    let _lock = lock(&path)?;
    let Some((text, _)) = read_checked(&path)? else {
        return Err(io_error("read", &path)(io::ErrorKind::NotFound.into()));
    };
    let mut contents = Contents::parse(&path, &text)?;
    let outcome = change(&mut contents)?;
    write_atomically(&path, contents.render().as_bytes())?;
    Ok(outcome)
}

/// The text and stamp of the keyring file, or `None` when there is none.
fn read_checked(path: &Path) -> Result<Option<(Zeroizing<String>, FileStamp)>, KeyringError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_error("open", path)(error)),
    };
    let metadata = file.metadata().map_err(io_error("inspect", path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyringError::InsecurePermissions { path: path.to_owned(), mode });
        }
    }
    // Sized up front so that reading never reallocates and leaves copies behind.
    let capacity = usize::try_from(metadata.len()).unwrap_or(0).saturating_add(1);
    let mut text = Zeroizing::new(String::with_capacity(capacity));
    file.read_to_string(&mut text).map_err(io_error("read", path))?;
    Ok(Some((text, FileStamp::of(&metadata))))
}

/// Writes `contents` to a private temporary file beside `path`, syncs it and
/// renames it over `path`, then syncs the directory.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), KeyringError> {
    let mut suffix = [0u8; 8];
    SystemRandom::new().fill(&mut suffix).map_err(|_| KeyringError::Random)?;
    let suffix: String = suffix.iter().map(|byte| format!("{byte:02x}")).collect();
    let temp = sibling(path, &format!("tmp-{suffix}"));
    let written = private_file(&temp, true).and_then(|mut file| {
        file.write_all(contents).map_err(io_error("write", &temp))?;
        file.sync_all().map_err(io_error("sync", &temp))?;
        fs::rename(&temp, path).map_err(io_error("rename", &temp))
    });
    if written.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&temp);
    }
    written?;
    #[cfg(unix)]
    {
        let dir = parent_dir(path);
        File::open(dir).and_then(|dir| dir.sync_all()).map_err(io_error("sync", dir))?;
    }
    Ok(())
}

/// Takes the exclusive lock that serialises changes to the keyring at
/// `path`; it is released when the returned file is dropped.
fn lock(path: &Path) -> Result<File, KeyringError> {
    let lock_path = sibling(path, "lock");
    let file = private_file(&lock_path, false)?;
    file.lock().map_err(io_error("lock", &lock_path))?;
    Ok(file)
}

/// Opens a file with mode `0600`, which must not exist yet when `new` is set.
fn private_file(path: &Path, new: bool) -> Result<File, KeyringError> {
    let mut options = OpenOptions::new();
    options.write(true).truncate(false);
    if new {
        options.create_new(true);
    } else {
        options.create(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io_error("create", path))
}

/// `<dir>/.<name>.<suffix>` for the keyring at `<dir>/<name>`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    parent_dir(path).join(format!(".{name}.{suffix}"))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> KeyringError {
    let path = path.to_owned();
    move |source| KeyringError::Io { action, path, source }
}

pub(super) fn invalid(path: &Path, key: String, reason: &'static str) -> KeyringError {
    KeyringError::Invalid { path: path.to_owned(), key, reason }
}

/// The raw contents of a keyring file, held only while it is read or written.
pub(super) struct Contents {
    /// The lookup-hash peppers.
    pub(super) pepper: Versions,
    /// The master keys (KEKs).
    pub(super) master: Versions,
    /// The lowest master key version that may still unwrap.
    pub(super) min_decryption_version: u32,
    /// The audit-chain HMAC key.
    pub(super) audit: Material,
}

/// The versions of one kind of key and the current one.
pub(super) struct Versions {
    /// The version new hashes or seals use.
    pub(super) current: u32,
    /// Every version's material.
    pub(super) keys: BTreeMap<u32, Material>,
}

impl Versions {
    fn first() -> Result<Self, KeyringError> {
        Ok(Self { current: 1, keys: BTreeMap::from([(1, random_material()?)]) })
    }

    /// Adds a fresh version above the highest and makes it current.
    pub(super) fn add(&mut self) -> Result<u32, KeyringError> {
        let highest = self.keys.keys().next_back().copied().unwrap_or(0).max(self.current);
        let next = highest.checked_add(1).ok_or(KeyringError::VersionsExhausted(highest))?;
        self.keys.insert(next, random_material()?);
        self.current = next;
        Ok(next)
    }
}

fn random_material() -> Result<Material, KeyringError> {
    let mut material = Zeroizing::new([0; KEY_LEN]);
    SystemRandom::new().fill(&mut material[..]).map_err(|_| KeyringError::Random)?;
    Ok(material)
}

impl Contents {
    fn generate() -> Result<Self, KeyringError> {
        Ok(Self {
            pepper: Versions::first()?,
            master: Versions::first()?,
            min_decryption_version: 1,
            audit: random_material()?,
        })
    }

    fn parse(path: &Path, text: &str) -> Result<Self, KeyringError> {
        let mut root: Table = text.parse().map_err(|error: toml::de::Error| {
            let line = error.span().map(|span| {
                let before = text.as_bytes().get(..span.start).unwrap_or_default();
                before.iter().filter(|byte| **byte == b'\n').count() + 1
            });
            // Only the message: the default rendering quotes the line, which may hold a key.
            KeyringError::Syntax { path: path.to_owned(), line, message: error.message().to_owned() }
        })?;
        let contents = Self::from_table(path, &root);
        scrub(&mut root);
        contents
    }

    fn from_table(path: &Path, root: &Table) -> Result<Self, KeyringError> {
        only(path, root, "", &["pepper", "master_key", "audit"])?;
        let pepper = section(path, root, "", "pepper")?;
        only(path, pepper, "pepper", &["current", "versions"])?;
        let master = section(path, root, "", "master_key")?;
        only(path, master, "master_key", &["current", "min_decryption_version", "versions"])?;
        let audit = section(path, root, "", "audit")?;
        only(path, audit, "audit", &["key"])?;
        let contents = Self {
            pepper: versions(path, pepper, "pepper")?,
            master: versions(path, master, "master_key")?,
            min_decryption_version: version(
                path,
                master.get("min_decryption_version"),
                "master_key.min_decryption_version",
            )?,
            audit: material(path, audit.get("key"), "audit.key")?,
        };
        if contents.min_decryption_version > contents.master.current {
            let key = "master_key.min_decryption_version".to_owned();
            return Err(invalid(path, key, "greater than master_key.current"));
        }
        Ok(contents)
    }

    /// The file's text, built in one wiped buffer sized so it never reallocates.
    fn render(&self) -> Zeroizing<String> {
        let lines = self.pepper.keys.len() + self.master.keys.len();
        let mut out = Zeroizing::new(String::with_capacity(1024 + 96 * lines));
        out.push_str("# Altgate keyring: secret material. Never share, log or commit this file.\n");
        out.push_str("# Keys are 32 random bytes in base64; see the `secrets` module docs.\n");
        out.push_str(&format!("\n[pepper]\ncurrent = {}\n", self.pepper.current));
        push_versions(&mut out, "pepper", &self.pepper);
        out.push_str(&format!(
            "\n[master_key]\ncurrent = {}\nmin_decryption_version = {}\n",
            self.master.current, self.min_decryption_version
        ));
        push_versions(&mut out, "master_key", &self.master);
        out.push_str("\n[audit]\nkey = \"");
        STANDARD.encode_string(&self.audit[..], &mut out);
        out.push_str("\"\n");
        out
    }
}

fn push_versions(out: &mut String, name: &str, versions: &Versions) {
    out.push_str(&format!("\n[{name}.versions]\n"));
    for (version, material) in &versions.keys {
        out.push_str(&format!("{version} = \""));
        STANDARD.encode_string(&material[..], out);
        out.push_str("\"\n");
    }
}

/// Refuses keys of `table` (named `name`) outside `allowed`.
fn only(path: &Path, table: &Table, name: &str, allowed: &[&str]) -> Result<(), KeyringError> {
    match table.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(invalid(path, dotted(name, key), "unknown key")),
        None => Ok(()),
    }
}

fn section<'t>(path: &Path, table: &'t Table, name: &str, key: &str) -> Result<&'t Table, KeyringError> {
    match table.get(key) {
        Some(Value::Table(section)) => Ok(section),
        Some(_) => Err(invalid(path, dotted(name, key), "not a table")),
        None => Err(invalid(path, dotted(name, key), "missing")),
    }
}

fn versions(path: &Path, table: &Table, name: &str) -> Result<Versions, KeyringError> {
    let current = version(path, table.get("current"), &format!("{name}.current"))?;
    let versions_name = format!("{name}.versions");
    let mut keys = BTreeMap::new();
    for (key, value) in section(path, table, name, "versions")? {
        let key_name = dotted(&versions_name, key);
        // Canonical form only, so that `1` and `01` cannot both be version 1.
        let version = key.parse::<u32>().ok();
        let version = version.filter(|v| *v >= 1 && v.to_string() == *key);
        let version = version.ok_or_else(|| invalid(path, key_name.clone(), NOT_A_VERSION))?;
        keys.insert(version, material(path, Some(value), &key_name)?);
    }
    if !keys.contains_key(&current) {
        return Err(invalid(path, format!("{name}.current"), "not among the versions"));
    }
    Ok(Versions { current, keys })
}

fn version(path: &Path, value: Option<&Value>, key: &str) -> Result<u32, KeyringError> {
    let value = value.ok_or_else(|| invalid(path, key.to_owned(), "missing"))?;
    let version = value.as_integer().and_then(|number| u32::try_from(number).ok());
    let version = version.filter(|version| *version >= 1);
    version.ok_or_else(|| invalid(path, key.to_owned(), NOT_A_VERSION))
}

fn material(path: &Path, value: Option<&Value>, key: &str) -> Result<Material, KeyringError> {
    let value = value.ok_or_else(|| invalid(path, key.to_owned(), "missing"))?;
    let not_a_key = || invalid(path, key.to_owned(), "not 32 bytes of base64");
    let encoded = value.as_str().ok_or_else(not_a_key)?;
    // Sized to the input so that decoding never reallocates and leaves copies behind.
    let mut decoded = Zeroizing::new(Vec::with_capacity(encoded.len()));
    STANDARD.decode_vec(encoded, &mut decoded).map_err(|_| not_a_key())?;
    let mut material = Zeroizing::new([0; KEY_LEN]);
    if decoded.len() != KEY_LEN {
        return Err(not_a_key());
    }
    material.copy_from_slice(&decoded);
    Ok(material)
}

fn dotted(name: &str, key: &str) -> String {
    if name.is_empty() { key.to_owned() } else { format!("{name}.{key}") }
}

/// Wipes every string of a parsed keyring, best effort: the parser's own
/// temporaries are out of reach.
fn scrub(table: &mut Table) {
    for (_, value) in table.iter_mut() {
        match value {
            Value::String(text) => text.zeroize(),
            Value::Table(inner) => scrub(inner),
            _ => {}
        }
    }
}
