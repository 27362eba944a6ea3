//! The keys built from the keyring file: loading and rotation, lookup
//! hashes and the audit MAC.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use ring::{aead, hmac};

use super::KeyringError;
use super::file::{self, Contents, FileStamp, Material, invalid};

/// The checked keys of a keyring file, ready to compute with. The raw bytes
/// are wiped once these are built; ring does not wipe its own key schedules.
pub struct Keyring {
    /// The current pepper and its version.
    pepper: (u32, hmac::Key),
    /// The other pepper versions, newest first.
    older_peppers: Vec<(u32, hmac::Key)>,
    /// The current master key and its version.
    kek: (u32, aead::LessSafeKey),
    /// The other master keys at or above `min_decryption_version`.
    older_keks: BTreeMap<u32, aead::LessSafeKey>,
    min_decryption_version: u32,
    audit: hmac::Key,
}

/// An API key's lookup hash: `HMAC-SHA256(pepper, key)` under one pepper version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LookupHash {
    /// The pepper version the hash was computed with.
    pub pepper_version: u32,
    /// The HMAC-SHA256 output.
    pub hash: [u8; 32],
}

impl Keyring {
    /// Loads and checks the keyring at `path`, refusing a file that group or
    /// others may access.
    pub fn load(path: &Path) -> Result<Self, KeyringError> {
        load_stamped(path).map(|(keyring, _)| keyring)
    }

    /// Loads the keyring at `path`, first creating it with fresh keys (and
    /// its parent directory) when missing; the flag tells whether it was
    /// created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyringError> {
        load_or_create_stamped(path).map(|(keyring, _, created)| (keyring, created))
    }

    /// Adds a fresh master key version, one above the highest, and makes it
    /// current; returns it. Re-reads the file under the lock, so concurrent
    /// changes are kept.
    pub fn rotate_master_key(path: &Path) -> Result<u32, KeyringError> {
        file::modify(path, |contents| contents.master.add())
    }

    /// Raises `min_decryption_version` to `min_version` and deletes the
    /// material of every master key version below it. The caller checks
    /// first that no record is still wrapped under those versions.
    pub fn retire_master_keys_below(path: &Path, min_version: u32) -> Result<(), KeyringError> {
        file::modify(path, |contents| {
            let (min, current) = (contents.min_decryption_version, contents.master.current);
            if !(min..=current).contains(&min_version) {
                return Err(KeyringError::Retirement { requested: min_version, min, current });
            }
            contents.min_decryption_version = min_version;
            contents.master.keys.retain(|version, _| *version >= min_version);
            Ok(())
        })
    }

    /// Adds a fresh pepper version, one above the highest, and makes it
    /// current; returns it. Older versions stay for lookups.
    pub fn rotate_pepper(path: &Path) -> Result<u32, KeyringError> {
        file::modify(path, |contents| contents.pepper.add())
    }

    /// The current pepper version.
    pub fn pepper_version(&self) -> u32 {
        self.pepper.0
    }

    /// The current master key version, the one [`Keyring::seal`] wraps under.
    pub fn master_key_version(&self) -> u32 {
        self.kek.0
    }

    /// The lowest master key version this keyring can still unwrap with.
    pub fn min_decryption_version(&self) -> u32 {
        self.min_decryption_version
    }

    /// Whether records wrapped under master key `version` can be opened.
    pub fn can_decrypt_with(&self, version: u32) -> bool {
        self.kek(version).is_some()
    }

    /// The lookup hash of `key` under the current pepper.
    ///
    /// Runs on every authenticated request. ring's `hmac::Key` keeps the
    /// padded inner and outer states, so a short key costs about four
    /// SHA-256 block compressions (well under a microsecond).
    pub fn lookup_hash(&self, key: &str) -> LookupHash {
        hash_with(self.pepper.0, &self.pepper.1, key)
    }

    /// The lookup hashes of `key` under every pepper version, current first,
    /// then newest to oldest; one HMAC per version.
    pub fn lookup_hashes(&self, key: &str) -> Vec<LookupHash> {
        let all = std::iter::once(&self.pepper).chain(&self.older_peppers);
        all.map(|(version, pepper)| hash_with(*version, pepper, key)).collect()
    }

    /// `HMAC-SHA256(audit key, message)`, the link of the audit hash chain.
    pub fn audit_mac(&self, message: &[u8]) -> [u8; 32] {
        tag_bytes(&hmac::sign(&self.audit, message))
    }

    /// Whether `mac` is the audit MAC of `message`, compared in constant time.
    pub fn verify_audit_mac(&self, message: &[u8], mac: &[u8]) -> bool {
        hmac::verify(&self.audit, message, mac).is_ok()
    }

    /// The current master key and its version.
    pub(super) fn current_kek(&self) -> (u32, &aead::LessSafeKey) {
        (self.kek.0, &self.kek.1)
    }

    /// Master key `version`, unless it is unknown or retired.
    pub(super) fn kek(&self, version: u32) -> Option<&aead::LessSafeKey> {
        if version == self.kek.0 { Some(&self.kek.1) } else { self.older_keks.get(&version) }
    }

    fn build(path: &Path, contents: &Contents) -> Result<Self, KeyringError> {
        let hmac_key = |material: &Material| hmac::Key::new(hmac::HMAC_SHA256, &material[..]);
        let (pepper_version, kek_version) = (contents.pepper.current, contents.master.current);
        let mut pepper = None;
        let mut older_peppers = Vec::new();
        for (version, material) in contents.pepper.keys.iter().rev() {
            if *version == pepper_version {
                pepper = Some((*version, hmac_key(material)));
            } else {
                older_peppers.push((*version, hmac_key(material)));
            }
        }
        let mut kek = None;
        let mut older_keks = BTreeMap::new();
        for (version, material) in contents.master.keys.range(contents.min_decryption_version..) {
            let key = aead::UnboundKey::new(&aead::AES_256_GCM, &material[..])
                .map_err(|_| invalid(path, format!("master_key.versions.{version}"), "not an AES-256 key"))?;
            if *version == kek_version {
                kek = Some((*version, aead::LessSafeKey::new(key)));
            } else {
                older_keks.insert(*version, aead::LessSafeKey::new(key));
            }
        }
        // Both are checked by `Contents::parse`; this keeps the types honest.
        let not_among = |name: &str| invalid(path, format!("{name}.current"), "not among the versions");
        Ok(Self {
            pepper: pepper.ok_or_else(|| not_among("pepper"))?,
            older_peppers,
            kek: kek.ok_or_else(|| not_among("master_key"))?,
            older_keks,
            min_decryption_version: contents.min_decryption_version,
            audit: hmac_key(&contents.audit),
        })
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("pepper_current", &self.pepper.0)
            .field("older_peppers", &self.older_peppers.iter().map(|(v, _)| v).collect::<Vec<_>>())
            .field("master_key_current", &self.kek.0)
            .field("older_master_keys", &self.older_keks.keys().collect::<Vec<_>>())
            .field("min_decryption_version", &self.min_decryption_version)
            .field("audit", &"<redacted>")
            .finish()
    }
}

fn hash_with(pepper_version: u32, pepper: &hmac::Key, key: &str) -> LookupHash {
    LookupHash { pepper_version, hash: tag_bytes(&hmac::sign(pepper, key.as_bytes())) }
}

fn tag_bytes(tag: &hmac::Tag) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// Loads the keyring at `path` with the stamp of the file it was read from.
pub(super) fn load_stamped(path: &Path) -> Result<(Keyring, FileStamp), KeyringError> {
    let (contents, stamp) = file::read(path)?;
    Ok((Keyring::build(path, &contents)?, stamp))
}

/// [`Keyring::load_or_create`], with the stamp of the file.
pub(super) fn load_or_create_stamped(path: &Path) -> Result<(Keyring, FileStamp, bool), KeyringError> {
    let (contents, stamp, created) = file::read_or_create(path)?;
    Ok((Keyring::build(path, &contents)?, stamp, created))
}
