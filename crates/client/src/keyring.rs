//! The client's credentials: the key in use and the one that follows it,
//! so a key can be rotated under a running client without a failed call.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use altgate_protocol::signing::{Ed25519Signer, HmacSigner, PublicKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;

use crate::Error;

/// A way to sign requests.
#[derive(Debug)]
pub(crate) enum Signer {
    /// HMAC-SHA256 with the API key.
    Hmac(HmacSigner),
    /// Ed25519 with a private key the server never sees.
    Ed25519(Ed25519Signer),
}

impl Signer {
    pub(crate) fn sign(&self, canonical: &str) -> String {
        match self {
            Signer::Hmac(signer) => signer.sign(canonical),
            Signer::Ed25519(signer) => signer.sign(canonical),
        }
    }
}

/// One key: its public id and how to sign with it.
#[derive(Debug)]
pub(crate) struct Credentials {
    pub(crate) key_id: String,
    pub(crate) signer: Signer,
}

impl Credentials {
    pub(crate) fn hmac(key_id: &str, key: &str) -> Credentials {
        Credentials { key_id: key_id.to_owned(), signer: Signer::Hmac(HmacSigner::new(key)) }
    }

    pub(crate) fn ed25519(key_id: &str, seed: &[u8; 32]) -> Result<Credentials, Error> {
        let signer = Ed25519Signer::from_seed(seed).map_err(|e| Error::Config(format!("Ed25519 seed: {e}")))?;
        Ok(Credentials { key_id: key_id.to_owned(), signer: Signer::Ed25519(signer) })
    }
}

/// A new Ed25519 key pair from the system's CSPRNG: the 32-byte seed (keep
/// it secret) and the public key to register with `POST /v1/keys`.
///
/// ```
/// let (seed, public_key) = altgate_client::generate_ed25519().unwrap();
/// assert_eq!(seed.len(), 32);
/// println!("register {public_key}");
/// ```
pub fn generate_ed25519() -> Result<([u8; 32], PublicKey), Error> {
    let mut seed = [0u8; 32];
    SystemRandom::new().fill(&mut seed).map_err(|_| Error::Config("the system random generator failed".into()))?;
    let signer = Ed25519Signer::from_seed(&seed).map_err(|e| Error::Config(format!("Ed25519 seed: {e}")))?;
    Ok((seed, signer.public_key()))
}

/// The credentials file `Client::with_credentials_file` watches: TOML with
/// `key_id` and `key`, and optionally `next_key_id` and `next_key` (the
/// successor from a rotation, used as soon as the server refuses the first).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    key_id: String,
    key: String,
    next_key_id: Option<String>,
    next_key: Option<String>,
}

/// The key in use, the next one, and the file they come from.
#[derive(Debug, Default)]
pub(crate) struct KeyRing {
    pub(crate) current: Option<Credentials>,
    pub(crate) next: Option<Credentials>,
    file: Option<(PathBuf, Option<SystemTime>)>,
}

impl KeyRing {
    pub(crate) fn new(current: Option<Credentials>) -> KeyRing {
        KeyRing { current, next: None, file: None }
    }

    /// Moves to the next key; false when there is none.
    pub(crate) fn advance(&mut self) -> bool {
        match self.next.take() {
            Some(next) => {
                self.current = Some(next);
                true
            }
            None => false,
        }
    }

    /// Reads `path` now and remembers it, to reload it when it changes.
    pub(crate) fn watch(&mut self, path: &Path) -> Result<(), Error> {
        self.file = Some((path.to_owned(), None));
        self.reload_if_changed()
    }

    /// Reloads the credentials file if its modification time changed.
    pub(crate) fn reload_if_changed(&mut self) -> Result<(), Error> {
        let Some((path, seen)) = &self.file else { return Ok(()) };
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if modified.is_some() && modified == *seen {
            return Ok(());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("credentials file {}: {e}", path.display())))?;
        let file: CredentialsFile = toml::from_str(&text)
            .map_err(|e| Error::Config(format!("credentials file {}: {}", path.display(), e.message())))?;
        let current = Credentials::hmac(&file.key_id, &file.key);
        // A file that now names the key this ring moved to keeps it current.
        self.next = match (file.next_key_id, file.next_key) {
            (Some(id), Some(key)) => Some(Credentials::hmac(&id, &key)),
            _ => None,
        };
        self.current = Some(current);
        let path = path.clone();
        self.file = Some((path, modified));
        Ok(())
    }
}

/// Locks the ring; a poisoned lock still holds usable credentials.
pub(crate) fn lock(ring: &Mutex<KeyRing>) -> MutexGuard<'_, KeyRing> {
    ring.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
