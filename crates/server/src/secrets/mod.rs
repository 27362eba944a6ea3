//! Secret material: the keyring file, API-key lookup hashes, envelope
//! encryption of stored key secrets, and the audit-chain MAC.
//!
//! Everything secret the service holds comes from one file, the *keyring*.
//! [`Keyring`] is its parsed, checked form; [`KeyringHandle`] shares it with
//! the running service and reloads it when the file changes.
//!
//! # The keyring file
//!
//! A TOML file, by default `<data_dir>/keyring.toml`, created by
//! [`Keyring::load_or_create`] on first start with mode `0600`. The service
//! refuses to load it when group or others may read or write it (like `ssh`
//! with private keys), and never logs or displays its contents; errors name
//! the offending key, never its value. Every key is 32 random bytes in
//! standard base64 (44 characters).
//!
//! ```toml
//! # Altgate keyring: secret material. Never share, log or commit this file.
//!
//! [pepper]                     # HMAC keys of the API-key lookup hashes
//! current = 2
//!
//! [pepper.versions]
//! 1 = "<base64 of 32 random bytes>"
//! 2 = "<base64 of 32 random bytes>"
//!
//! [master_key]                 # KEKs that wrap per-record data keys
//! current = 2
//! min_decryption_version = 2   # versions below this are retired
//!
//! [master_key.versions]
//! 2 = "<base64 of 32 random bytes>"
//!
//! [audit]                      # HMAC key of the audit hash chain
//! key = "<base64 of 32 random bytes>"
//! ```
//!
//! Versions are integers ≥ 1 written in canonical form; `current` must be
//! present in `versions`, and `min_decryption_version` must not exceed
//! `current`. Unknown sections and keys are refused, so a typo cannot go
//! unnoticed. Writes are atomic: a temporary `0600` file in the same
//! directory is written, synced and renamed over the keyring, under an
//! exclusive lock on a sidecar `.<name>.lock` file so that concurrent
//! rotations cannot lose each other's versions. A symlinked keyring is
//! written through the link.
//!
//! The keyring sitting beside the data it protects is a convenience for
//! development; in production it belongs on a separate, protected location.
//!
//! # Lookup hashes
//!
//! API keys are never stored. A key is found by its lookup hash,
//! `HMAC-SHA256(pepper, key)` ([`LookupHash`]), which is useless to whoever
//! steals the database without the keyring. [`Keyring::lookup_hashes`] gives
//! the hash under every pepper version, current first, so keys issued before
//! a pepper rotation are still found.
//!
//! # Envelope encryption
//!
//! Each stored secret gets its own random 256-bit data key (DEK):
//!
//! - the secret is encrypted with the DEK, AES-256-GCM, a random 96-bit
//!   nonce and associated data `"altgate-secret-v1\0" ‖ record_id`;
//! - the DEK is wrapped with the current master key (KEK), AES-256-GCM, a
//!   fresh random nonce and associated data
//!   `"altgate-dek-v1\0" ‖ record_id ‖ "\0" ‖ kek_version (u32, big endian)`.
//!
//! The associated data binds a ciphertext to its record and a wrapped DEK to
//! its record and KEK version, so neither can be moved to another row or
//! relabelled. A [`Sealed`] holds both ciphertexts, both nonces and the KEK
//! version. Each DEK encrypts one message; a KEK wraps one DEK per record
//! with random nonces, which stays far below the 2³² wraps per KEK that
//! random GCM nonces allow.
//!
//! # Rotation and retirement
//!
//! Master key, without downtime:
//!
//! 1. [`Keyring::rotate_master_key`] adds version `n` and makes it current.
//!    Each node picks it up at its next [`KeyringHandle::reload_if_changed`],
//!    or at once when it meets a record wrapped under a version it does not
//!    know ([`KeyringHandle::get_with_version`]). Wait until every node has
//!    reloaded, so that none still seals under an older version.
//! 2. [`Keyring::rewrap`] every record with `kek_version < n` and store the
//!    new wrapped DEK, DEK nonce and version. Only these small wrapped DEKs
//!    change; the secrets' ciphertexts stay as they are.
//! 3. Check that no record still uses a version below `n`, then
//!    [`Keyring::retire_master_keys_below`]`(n)`: it raises
//!    `min_decryption_version` and deletes the older key material from the
//!    file. A record still wrapped under a retired version can no longer be
//!    opened ([`SecretError::KeyVersionUnavailable`]). Copies of the old
//!    keyring file (backups) still hold that material; destroy them too.
//!
//! Pepper: [`Keyring::rotate_pepper`] adds a version that new keys are
//! hashed under. Old versions stay, because keys are never stored and so
//! cannot be re-hashed until they are next presented; there is deliberately
//! no command to retire a pepper version.
//!
//! The audit key has a single version: rotating it would break the
//! verification of the existing chain.

// The API is wider than what the service calls today (`open`,
// `get_with_version`, `rotate_pepper`, `verify_audit_mac`…); the test build,
// which uses all of it, still reports anything truly dead.

mod envelope;
mod file;
mod keyring;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

pub use envelope::Sealed;
pub use keyring::{Keyring, LookupHash};

/// Why the keyring could not be loaded, created or changed. Never holds key
/// material: only paths, key names and versions.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// A file-system operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, such as `read` or `rename`.
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is readable or writable by group or others.
    #[error(
        "keyring {} is accessible by group or others (mode {mode:o}); \
         it holds secret keys, restrict it with `chmod 600`",
        path.display()
    )]
    InsecurePermissions {
        /// The keyring file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not valid TOML. The offending line is not quoted, since
    /// it may hold key material.
    #[error(
        "keyring {}: not valid TOML{}: {message}",
        path.display(),
        line.map(|line| format!(" at line {line}")).unwrap_or_default()
    )]
    Syntax {
        /// The keyring file.
        path: PathBuf,
        /// The 1-based line of the error, when known.
        line: Option<usize>,
        /// The parser's description of the error.
        message: String,
    },
    /// A key is missing or has an invalid value.
    #[error("keyring {}: {key}: {reason}", path.display())]
    Invalid {
        /// The keyring file.
        path: PathBuf,
        /// The dotted name of the key, such as `master_key.versions.2`.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A retirement would lower `min_decryption_version` or pass `current`.
    #[error(
        "cannot retire master keys below version {requested}: it must lie between \
         min_decryption_version ({min}) and current ({current})"
    )]
    Retirement {
        /// The requested new minimum.
        requested: u32,
        /// The present `min_decryption_version`.
        min: u32,
        /// The present current version.
        current: u32,
    },
    /// A version number would overflow `u32`.
    #[error("no version is left after {0}")]
    VersionsExhausted(u32),
    /// The system random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// Why a secret could not be sealed, opened or rewrapped. Says no more than
/// which of these happened; never holds key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The record is wrapped under a master key version this keyring does not
    /// hold, or one that is retired (below `min_decryption_version`).
    #[error("master key version {kek_version} is unknown or retired")]
    KeyVersionUnavailable {
        /// The version the record names.
        kek_version: u32,
    },
    /// A ciphertext, nonce or associated datum does not authenticate.
    #[error("the sealed secret does not authenticate")]
    Authentication,
    /// The secret is beyond what AES-GCM can encrypt (64 GiB).
    #[error("the secret is too large to seal")]
    TooLarge,
    /// The system random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// The shared keyring of a running service: cheap to clone, swapped whole on
/// reload so readers never see a half-loaded keyring.
#[derive(Debug, Clone)]
pub struct KeyringHandle {
    inner: Arc<HandleInner>,
}

#[derive(Debug)]
struct HandleInner {
    path: PathBuf,
    loaded: RwLock<Loaded>,
    /// Serialises reloads, so a slow one cannot replace a newer keyring.
    reloading: Mutex<()>,
}

/// A keyring and the stamp of the file it came from.
#[derive(Debug)]
struct Loaded {
    keyring: Arc<Keyring>,
    stamp: file::FileStamp,
}

impl KeyringHandle {
    /// Loads the keyring at `path` (see [`Keyring::load`]).
    pub fn load(path: &Path) -> Result<Self, KeyringError> {
        let (keyring, stamp) = keyring::load_stamped(path)?;
        Ok(Self::new(path, keyring, stamp))
    }

    /// Loads the keyring at `path`, creating it first when missing (see
    /// [`Keyring::load_or_create`]); the flag tells whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyringError> {
        let (keyring, stamp, created) = keyring::load_or_create_stamped(path)?;
        Ok((Self::new(path, keyring, stamp), created))
    }

    fn new(path: &Path, keyring: Keyring, stamp: file::FileStamp) -> Self {
        let loaded = Loaded { keyring: Arc::new(keyring), stamp };
        Self {
            inner: Arc::new(HandleInner {
                path: path.to_owned(),
                loaded: RwLock::new(loaded),
                reloading: Mutex::new(()),
            }),
        }
    }

    /// The keyring file this handle follows.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The keyring in use now.
    pub fn get(&self) -> Arc<Keyring> {
        // A poisoned lock still holds a whole `Arc`: swaps cannot half-happen.
        let loaded = self.inner.loaded.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&loaded.keyring)
    }

    /// Reloads the keyring when the file's identity, length or modification
    /// time differ from the loaded one; tells whether it reloaded. On error
    /// the previous keyring stays in use.
    pub fn reload_if_changed(&self) -> Result<bool, KeyringError> {
        let path = &self.inner.path;
        let _reloading = self.inner.reloading.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = file::FileStamp::of_path(path)?;
        if self.stamp() == stamp {
            return Ok(false);
        }
        let (keyring, stamp) = keyring::load_stamped(path)?;
        let mut loaded = self.inner.loaded.write().unwrap_or_else(PoisonError::into_inner);
        *loaded = Loaded { keyring: Arc::new(keyring), stamp };
        drop(loaded);
        tracing::info!(path = %path.display(), "reloaded the keyring");
        Ok(true)
    }

    /// The keyring to open a record wrapped under master key `kek_version`:
    /// when the one in use cannot, reloads it if the file changed. If the
    /// version is still unavailable, [`Keyring::open`] will say so.
    pub fn get_with_version(&self, kek_version: u32) -> Result<Arc<Keyring>, KeyringError> {
        let keyring = self.get();
        if keyring.can_decrypt_with(kek_version) {
            return Ok(keyring);
        }
        // Costs one `stat` per unknown version, then a reload only if the
        // file really changed, so bogus versions cannot force reloads.
        self.reload_if_changed()?;
        Ok(self.get())
    }

    fn stamp(&self) -> file::FileStamp {
        let loaded = self.inner.loaded.read().unwrap_or_else(PoisonError::into_inner);
        loaded.stamp.clone()
    }
}
