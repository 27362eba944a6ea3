//! Envelope encryption of stored secrets: each secret is encrypted with its
//! own random data key (DEK), and the DEK is wrapped by a master key (KEK).

use std::fmt;

use ring::aead::{self, AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::{Keyring, SecretError};

/// The length of a data key, in bytes.
const DEK_LEN: usize = 32;

/// Prefix of the associated data of a secret's ciphertext. Changing it makes
/// every stored secret unreadable.
const SECRET_AAD: &[u8] = b"altgate-secret-v1\0";

/// Prefix of the associated data of a wrapped DEK. Changing it makes every
/// stored secret unreadable.
const DEK_AAD: &[u8] = b"altgate-dek-v1\0";

/// A secret as stored: its ciphertext under its own data key, and that data
/// key wrapped under master key `kek_version`. Holds nothing readable without
/// the keyring.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The secret under the DEK, AES-256-GCM tag included.
    pub ciphertext: Vec<u8>,
    /// The nonce of `ciphertext`.
    pub nonce: [u8; NONCE_LEN],
    /// The DEK under the master key, AES-256-GCM tag included.
    pub wrapped_dek: Vec<u8>,
    /// The nonce of `wrapped_dek`.
    pub dek_nonce: [u8; NONCE_LEN],
    /// The master key version that wrapped the DEK.
    pub kek_version: u32,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("ciphertext_len", &self.ciphertext.len())
            .field("wrapped_dek_len", &self.wrapped_dek.len())
            .field("kek_version", &self.kek_version)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// Encrypts `secret` for the record `record_id` under a fresh data key,
    /// wrapped by the current master key.
    pub fn seal(&self, record_id: &str, secret: &[u8]) -> Result<Sealed, SecretError> {
        let rng = SystemRandom::new();
        let mut dek = Zeroizing::new([0; DEK_LEN]);
        rng.fill(&mut dek[..]).map_err(|_| SecretError::Random)?;
        let nonce = random_nonce(&rng)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(secret.len() + AES_256_GCM.tag_len()));
        buffer.extend_from_slice(secret);
        data_key(&dek)?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(secret_aad(record_id)),
                &mut *buffer,
            )
            .map_err(|_| SecretError::TooLarge)?;
        // Now ciphertext: taken out of the wiping buffer, which wipes the empty rest.
        let ciphertext = std::mem::take(&mut *buffer);
        let (wrapped_dek, dek_nonce, kek_version) = self.wrap(record_id, &dek, &rng)?;
        Ok(Sealed { ciphertext, nonce, wrapped_dek, dek_nonce, kek_version })
    }

    /// Decrypts the secret of record `record_id`.
    pub fn open(&self, record_id: &str, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, SecretError> {
        let dek = self.unwrap_dek(record_id, sealed)?;
        let mut buffer = Zeroizing::new(sealed.ciphertext.clone());
        let len = data_key(&dek)?
            .open_in_place(Nonce::assume_unique_for_key(sealed.nonce), Aad::from(secret_aad(record_id)), &mut buffer)
            .map_err(|_| SecretError::Authentication)?
            .len();
        buffer.truncate(len);
        Ok(buffer)
    }

    /// Wraps the data key of `sealed` again under the current master key,
    /// with a fresh nonce. The secret's ciphertext and nonce are unchanged.
    pub fn rewrap(&self, record_id: &str, sealed: &Sealed) -> Result<Sealed, SecretError> {
        let dek = self.unwrap_dek(record_id, sealed)?;
        let (wrapped_dek, dek_nonce, kek_version) = self.wrap(record_id, &dek, &SystemRandom::new())?;
        Ok(Sealed { ciphertext: sealed.ciphertext.clone(), nonce: sealed.nonce, wrapped_dek, dek_nonce, kek_version })
    }

    /// Wraps `dek` under the current master key: the wrapped DEK, its nonce
    /// and the master key version.
    fn wrap(
        &self,
        record_id: &str,
        dek: &[u8; DEK_LEN],
        rng: &SystemRandom,
    ) -> Result<(Vec<u8>, [u8; NONCE_LEN], u32), SecretError> {
        let (kek_version, kek) = self.current_kek();
        let nonce = random_nonce(rng)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(DEK_LEN + AES_256_GCM.tag_len()));
        buffer.extend_from_slice(dek);
        kek.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(dek_aad(record_id, kek_version)),
            &mut *buffer,
        )
        .map_err(|_| SecretError::TooLarge)?;
        Ok((std::mem::take(&mut *buffer), nonce, kek_version))
    }

    /// The data key of `sealed`, unwrapped with the master key it names.
    fn unwrap_dek(&self, record_id: &str, sealed: &Sealed) -> Result<Zeroizing<[u8; DEK_LEN]>, SecretError> {
        let kek_version = sealed.kek_version;
        let kek = self.kek(kek_version).ok_or(SecretError::KeyVersionUnavailable { kek_version })?;
        let mut buffer = Zeroizing::new(sealed.wrapped_dek.clone());
        let plain = kek
            .open_in_place(
                Nonce::assume_unique_for_key(sealed.dek_nonce),
                Aad::from(dek_aad(record_id, kek_version)),
                &mut buffer,
            )
            .map_err(|_| SecretError::Authentication)?;
        let mut dek = Zeroizing::new([0; DEK_LEN]);
        if plain.len() != DEK_LEN {
            return Err(SecretError::Authentication);
        }
        dek.copy_from_slice(plain);
        Ok(dek)
    }
}

/// The AES-256-GCM key of one data key; cannot fail for 32 bytes.
fn data_key(dek: &[u8; DEK_LEN]) -> Result<LessSafeKey, SecretError> {
    let key = UnboundKey::new(&aead::AES_256_GCM, dek).map_err(|_| SecretError::Authentication)?;
    Ok(LessSafeKey::new(key))
}

fn random_nonce(rng: &SystemRandom) -> Result<[u8; NONCE_LEN], SecretError> {
    let mut nonce = [0; NONCE_LEN];
    rng.fill(&mut nonce).map_err(|_| SecretError::Random)?;
    Ok(nonce)
}

/// `"altgate-secret-v1\0" ‖ record_id`.
fn secret_aad(record_id: &str) -> Vec<u8> {
    [SECRET_AAD, record_id.as_bytes()].concat()
}

/// `"altgate-dek-v1\0" ‖ record_id ‖ "\0" ‖ kek_version` (big endian). The
/// version has a fixed length at the end, so any record id parses back.
fn dek_aad(record_id: &str, kek_version: u32) -> Vec<u8> {
    [DEK_AAD, record_id.as_bytes(), b"\0", &kek_version.to_be_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tempfile::TempDir;

    use super::{Keyring, Sealed, SecretError};

    /// A fresh keyring, in a directory that must outlive it.
    fn keyring() -> (TempDir, Keyring) {
        let dir = tempfile::tempdir().unwrap();
        let (keyring, _) = Keyring::load_or_create(&dir.path().join("keyring.toml")).unwrap();
        (dir, keyring)
    }

    #[test]
    fn seal_and_open_round_trip_bound_to_the_record() {
        let (_dir, keyring) = keyring();
        let sealed = keyring.seal("key_3XfN8bQ2LrT7", b"s3cr3t").unwrap();
        assert_eq!(sealed.kek_version, 1);
        assert_eq!(&keyring.open("key_3XfN8bQ2LrT7", &sealed).unwrap()[..], b"s3cr3t");
        assert_eq!(keyring.open("key_3XfN8bQ2LrT8", &sealed), Err(SecretError::Authentication));
        assert_ne!(keyring.seal("key_3XfN8bQ2LrT7", b"s3cr3t").unwrap(), sealed, "fresh keys and nonces");

        let unknown = Sealed { kek_version: 2, ..sealed.clone() };
        let error = keyring.open("key_3XfN8bQ2LrT7", &unknown).unwrap_err();
        assert_eq!(error, SecretError::KeyVersionUnavailable { kek_version: 2 });
        assert!(!format!("{error} {sealed:?}").contains("s3cr3t"));
    }

    #[test]
    fn flipping_any_byte_of_a_sealed_secret_fails_to_open() {
        let (_dir, keyring) = keyring();
        let sealed = keyring.seal("key_1", b"secret").unwrap();
        type Field = fn(&mut Sealed) -> &mut [u8];
        let fields: [(&str, Field); 4] = [
            ("ciphertext", |s| &mut s.ciphertext[..]),
            ("nonce", |s| &mut s.nonce[..]),
            ("wrapped_dek", |s| &mut s.wrapped_dek[..]),
            ("dek_nonce", |s| &mut s.dek_nonce[..]),
        ];
        for (name, field) in fields {
            let len = field(&mut sealed.clone()).len();
            for index in 0..len {
                let mut tampered = sealed.clone();
                field(&mut tampered)[index] ^= 0x01;
                let opened = keyring.open("key_1", &tampered);
                assert_eq!(opened, Err(SecretError::Authentication), "{name}[{index}]");
            }
        }
        let mut truncated = sealed;
        truncated.wrapped_dek.pop();
        assert_eq!(keyring.open("key_1", &truncated), Err(SecretError::Authentication));
    }

    #[test]
    fn seal_open_round_trips_any_secret_and_id() {
        let (_dir, keyring) = keyring();
        let config = ProptestConfig { cases: 128, ..ProptestConfig::default() };
        proptest!(config, |(secret in prop::collection::vec(any::<u8>(), 0..300), id in "\\PC{0,24}", other in "\\PC{0,24}")| {
            let sealed = keyring.seal(&id, &secret).unwrap();
            prop_assert_eq!(&keyring.open(&id, &sealed).unwrap()[..], &secret[..]);
            prop_assert_eq!(sealed.ciphertext.len(), secret.len() + 16);
            if other != id {
                prop_assert_eq!(keyring.open(&other, &sealed), Err(SecretError::Authentication));
            }
        });
    }

    #[test]
    fn each_ciphertext_is_bound_to_its_record_on_its_own() {
        // A DEK rewrapped for another record must still not open the
        // ciphertext there: the secret's own associated data names the record.
        let (_dir, keyring) = keyring();
        let sealed = keyring.seal("key_a", b"secret").unwrap();
        let dek = keyring.unwrap_dek("key_a", &sealed).unwrap();
        let (wrapped_dek, dek_nonce, kek_version) = keyring.wrap("key_b", &dek, &super::SystemRandom::new()).unwrap();
        let moved = Sealed { wrapped_dek, dek_nonce, kek_version, ..sealed };
        assert!(keyring.unwrap_dek("key_b", &moved).is_ok());
        assert_eq!(keyring.open("key_b", &moved), Err(SecretError::Authentication));
    }
}
