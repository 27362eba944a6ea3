//! Tests of the secrets module through its crate-visible API (unix: they
//! check file modes).

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;
use tempfile::TempDir;

use super::{Keyring, KeyringError, KeyringHandle, LookupHash, Sealed, SecretError};

/// A fresh directory and the keyring path inside it.
fn keyring_path() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.toml");
    (dir, path)
}

/// Writes `text` as a `0600` keyring file.
fn write_private(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A valid keyring text with the given pepper, whose other keys are
/// `[2; 32]` (master key) and `[3; 32]` (audit).
fn keyring_text(pepper: &[u8]) -> String {
    format!(
        "[pepper]\ncurrent = 1\n[pepper.versions]\n1 = \"{}\"\n\
         [master_key]\ncurrent = 1\nmin_decryption_version = 1\n[master_key.versions]\n1 = \"{}\"\n\
         [audit]\nkey = \"{}\"\n",
        b64(pepper),
        b64(&[2; 32]),
        b64(&[3; 32]),
    )
}

/// Every quoted value of a keyring file: the base64 of its keys.
fn materials(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let values = text.lines().filter_map(|line| line.split_once("= \"")).map(|(_, v)| v.trim_end_matches('"'));
    values.map(str::to_owned).collect()
}

/// The base64 of `version` in the `[<section>]` table of the file, if present.
fn material_of(path: &Path, section: &str, version: u32) -> Option<String> {
    let text = fs::read_to_string(path).unwrap();
    let (_, rest) = text.split_once(&format!("[{section}]\n"))?;
    let table = rest.split('[').next().unwrap_or_default();
    let line = table.lines().find_map(|line| line.strip_prefix(&format!("{version} = \"")))?;
    Some(line.trim_end_matches('"').to_owned())
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn load_or_create_creates_a_private_file_then_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/nested/keyring.toml");
    let (first, created) = Keyring::load_or_create(&path).unwrap();
    assert!(created);
    assert_eq!(mode(&path), 0o600);
    let text = fs::read_to_string(&path).unwrap();
    for section in ["[pepper]", "[pepper.versions]", "[master_key]", "[master_key.versions]", "[audit]"] {
        assert!(text.contains(section), "{section} missing from:\n{text}");
    }
    assert_eq!(materials(&path).len(), 3);

    let (second, created) = Keyring::load_or_create(&path).unwrap();
    assert!(!created);
    assert_eq!(second.lookup_hash("ag_live_key"), first.lookup_hash("ag_live_key"));
    assert_eq!(second.audit_mac(b"entry"), first.audit_mac(b"entry"));
    let sealed = first.seal("key_1", b"secret").unwrap();
    assert_eq!(&second.open("key_1", &sealed).unwrap()[..], b"secret");
}

#[test]
fn a_file_accessible_by_group_or_others_is_refused() {
    let (_dir, path) = keyring_path();
    Keyring::load_or_create(&path).unwrap();
    for insecure in [0o644, 0o640, 0o602] {
        fs::set_permissions(&path, fs::Permissions::from_mode(insecure)).unwrap();
        let error = Keyring::load(&path).unwrap_err();
        assert!(matches!(error, KeyringError::InsecurePermissions { mode, .. } if mode == insecure));
        assert!(error.to_string().contains("chmod 600"), "{error}");
        assert!(Keyring::load_or_create(&path).is_err());
        assert!(Keyring::rotate_master_key(&path).is_err());
    }
}

#[test]
fn malformed_files_give_errors_naming_the_key() {
    let valid = keyring_text(&[1; 32]);
    let pepper = b64(&[1; 32]);
    let cases = [
        (valid.replace(&b64(&[2; 32]), "not*base64"), "master_key.versions.1: not 32 bytes of base64"),
        (valid.replace(&pepper, &b64(&[1; 16])), "pepper.versions.1: not 32 bytes of base64"),
        (valid.replace("key = ", "key = 7 #"), "audit.key: not 32 bytes of base64"),
        (valid.replace("[master_key]\ncurrent = 1", "[master_key]\ncurrent = 2"), "master_key.current: not among"),
        (valid.replace("min_decryption_version = 1", "min_decryption_version = 2"), "min_decryption_version: greater"),
        (valid.replace("[pepper]\ncurrent = 1", "[pepper]\ncurrent = 0"), "pepper.current: not a version number"),
        (valid.replace("\n1 = ", "\n01 = "), "pepper.versions.01: not a version number"),
        (valid.replace("min_decryption_version", "min_decrypt_version"), "master_key.min_decrypt_version: unknown key"),
        (valid.replace("[audit]\nkey", "[audit]\nkee"), "audit.kee: unknown key"),
        (valid.replace("[audit]", "[audit_log]"), "audit_log: unknown key"),
        (valid.replace(&format!("{pepper}\"\n"), &format!("{pepper}\n")), "not valid TOML at line 4"),
    ];
    let (_dir, path) = keyring_path();
    for (text, expected) in cases {
        write_private(&path, &text);
        let error = Keyring::load(&path).unwrap_err().to_string();
        assert!(error.contains(expected), "expected {expected:?} in {error:?}");
        for material in [&pepper, &b64(&[2; 32]), &b64(&[3; 32])] {
            assert!(!error.contains(material.as_str()), "key material in {error:?}");
        }
    }
}

#[test]
fn lookup_hash_matches_rfc_4231_test_case_1() {
    // HMAC pads short keys with zeros to the block size, so the 20-byte key
    // of RFC 4231 §4.2 padded to 32 bytes gives the same MAC.
    let mut pepper = [0; 32];
    pepper[..20].fill(0x0b);
    let (_dir, path) = keyring_path();
    write_private(&path, &keyring_text(&pepper));
    let keyring = Keyring::load(&path).unwrap();
    let expected = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    let hash = keyring.lookup_hash("Hi There");
    let hex: String = hash.hash.iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(hex, expected);
    assert_eq!(hash.pepper_version, 1);
    assert_eq!(keyring.lookup_hash("Hi There"), hash, "deterministic");
    assert_ne!(keyring.lookup_hash("Hi there").hash, hash.hash);
}

#[test]
fn rotate_pepper_puts_the_new_hash_first_and_keeps_the_old_one() {
    let (_dir, path) = keyring_path();
    let (before, _) = Keyring::load_or_create(&path).unwrap();
    let old = before.lookup_hash("ag_live_key");
    assert_eq!(before.lookup_hashes("ag_live_key"), vec![old]);

    assert_eq!(Keyring::rotate_pepper(&path).unwrap(), 2);
    assert_eq!(Keyring::rotate_pepper(&path).unwrap(), 3);
    let after = Keyring::load(&path).unwrap();
    let hashes: Vec<LookupHash> = after.lookup_hashes("ag_live_key");
    let versions: Vec<u32> = hashes.iter().map(|hash| hash.pepper_version).collect();
    assert_eq!(versions, [3, 2, 1]);
    assert_eq!(hashes[0], after.lookup_hash("ag_live_key"));
    assert_eq!(hashes[2], old, "a key hashed before the rotation is still found");
    assert_ne!(hashes[0].hash, hashes[1].hash, "each pepper gives its own hash");
    assert_ne!(hashes[1].hash, old.hash);
    assert_eq!(after.master_key_version(), 1, "the master key is untouched");
}

#[test]
fn audit_mac_is_hmac_sha256_under_the_audit_key() {
    let (_dir, path) = keyring_path();
    write_private(&path, &keyring_text(&[1; 32]));
    let keyring = Keyring::load(&path).unwrap();
    let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &[3; 32]), b"entry 1");
    let mac = keyring.audit_mac(b"entry 1");
    assert_eq!(&mac[..], expected.as_ref());
    assert!(keyring.verify_audit_mac(b"entry 1", &mac));
    assert!(!keyring.verify_audit_mac(b"entry 2", &mac));
    assert_ne!(keyring.audit_mac(b"entry 1"), keyring.lookup_hash("entry 1").hash);
}

#[test]
fn master_key_rotation_rewraps_then_retires_the_old_version() {
    let (dir, path) = keyring_path();
    let (v1, _) = Keyring::load_or_create(&path).unwrap();
    let old = v1.seal("key_a", b"alpha").unwrap();
    let left_behind = v1.seal("key_b", b"beta").unwrap();

    assert_eq!(Keyring::rotate_master_key(&path).unwrap(), 2);
    let v2 = Keyring::load(&path).unwrap();
    assert_eq!(v2.master_key_version(), 2);
    assert_eq!(v2.seal("key_c", b"gamma").unwrap().kek_version, 2);
    let rewrapped: Sealed = v2.rewrap("key_a", &old).unwrap();
    assert_eq!(rewrapped.kek_version, 2);
    assert_eq!((&rewrapped.ciphertext, rewrapped.nonce), (&old.ciphertext, old.nonce));
    assert_ne!(rewrapped.wrapped_dek, old.wrapped_dek);
    assert_eq!(v2.rewrap("key_b", &old), Err(SecretError::Authentication), "rewrap checks the record");

    let master_v1 = material_of(&path, "master_key.versions", 1).unwrap();
    Keyring::retire_master_keys_below(&path, 2).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("min_decryption_version = 2"));
    assert!(!text.contains(&master_v1), "retiring deletes the material");
    assert!(material_of(&path, "master_key.versions", 2).is_some());
    assert!(material_of(&path, "pepper.versions", 1).is_some(), "peppers are untouched");

    let reloaded = Keyring::load(&path).unwrap();
    assert_eq!(reloaded.min_decryption_version(), 2);
    assert_eq!(&reloaded.open("key_a", &rewrapped).unwrap()[..], b"alpha");
    let error = reloaded.open("key_b", &left_behind).unwrap_err();
    assert_eq!(error, SecretError::KeyVersionUnavailable { kek_version: 1 });
    assert_eq!(reloaded.rewrap("key_b", &left_behind), Err(error));

    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().all(|name| name == "keyring.toml" || name == ".keyring.toml.lock"), "{names:?}");
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_version_below_the_minimum_cannot_decrypt_even_if_left_in_the_file() {
    let (_dir, path) = keyring_path();
    let text = keyring_text(&[1; 32]);
    write_private(&path, &text);
    let sealed = Keyring::load(&path).unwrap().seal("key_a", b"alpha").unwrap();
    let edited = text
        .replace("current = 1\nmin_decryption_version = 1", "current = 2\nmin_decryption_version = 2")
        .replace("[audit]", &format!("2 = \"{}\"\n[audit]", b64(&[4; 32])));
    write_private(&path, &edited);
    let keyring = Keyring::load(&path).unwrap();
    assert_eq!((keyring.master_key_version(), keyring.min_decryption_version()), (2, 2));
    assert!(!keyring.can_decrypt_with(1));
    let error = keyring.open("key_a", &sealed).unwrap_err();
    assert_eq!(error, SecretError::KeyVersionUnavailable { kek_version: 1 });
}

#[test]
fn retirement_must_lie_between_the_minimum_and_current() {
    let (_dir, path) = keyring_path();
    Keyring::load_or_create(&path).unwrap();
    Keyring::rotate_master_key(&path).unwrap();
    let above = Keyring::retire_master_keys_below(&path, 3).unwrap_err();
    assert!(matches!(above, KeyringError::Retirement { requested: 3, min: 1, current: 2 }));
    Keyring::retire_master_keys_below(&path, 2).unwrap();
    let below = Keyring::retire_master_keys_below(&path, 1).unwrap_err();
    assert!(matches!(below, KeyringError::Retirement { requested: 1, min: 2, current: 2 }));
    Keyring::retire_master_keys_below(&path, 2).unwrap();
    assert_eq!(Keyring::rotate_master_key(&path).unwrap(), 3);
}

#[test]
fn concurrent_rotations_keep_every_version() {
    let (_dir, path) = keyring_path();
    Keyring::load_or_create(&path).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..5 {
                    assert!(Keyring::rotate_master_key(&path).unwrap() > 1);
                }
            });
        }
    });
    let keyring = Keyring::load(&path).unwrap();
    assert_eq!(keyring.master_key_version(), 21);
    assert!((1..=21).all(|version| keyring.can_decrypt_with(version)));
}

#[test]
fn rotation_writes_through_a_symlinked_keyring() {
    let (dir, target) = keyring_path();
    Keyring::load_or_create(&target).unwrap();
    let link = dir.path().join("link.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(Keyring::rotate_master_key(&link).unwrap(), 2);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(Keyring::load(&target).unwrap().master_key_version(), 2);
}

#[test]
fn handle_reloads_when_another_process_rotates() {
    let (_dir, path) = keyring_path();
    let (handle, created) = KeyringHandle::load_or_create(&path).unwrap();
    assert!(created);
    assert_eq!(handle.path(), path);
    assert!(!handle.reload_if_changed().unwrap());
    let before = handle.get();

    assert_eq!(Keyring::rotate_master_key(&path).unwrap(), 2);
    let clone = handle.clone();
    assert!(clone.reload_if_changed().unwrap());
    assert_eq!(clone.get().master_key_version(), 2, "clones share the keyring");
    assert_eq!(handle.get().master_key_version(), 2);
    assert_eq!(before.master_key_version(), 1, "readers keep the keyring they hold");
    assert!(!handle.reload_if_changed().unwrap());

    assert_eq!(Keyring::rotate_master_key(&path).unwrap(), 3);
    let sealed = Keyring::load(&path).unwrap().seal("key_x", b"xi").unwrap();
    assert!(!handle.get().can_decrypt_with(3));
    let keyring = handle.get_with_version(sealed.kek_version).unwrap();
    assert_eq!(&keyring.open("key_x", &sealed).unwrap()[..], b"xi");
    assert_eq!(handle.get().master_key_version(), 3);

    let unknown = handle.get_with_version(99).unwrap();
    assert!(!unknown.can_decrypt_with(99));
}

#[test]
fn handle_keeps_the_old_keyring_when_a_reload_fails() {
    let (_dir, path) = keyring_path();
    let handle = {
        Keyring::load_or_create(&path).unwrap();
        KeyringHandle::load(&path).unwrap()
    };
    Keyring::rotate_pepper(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(handle.reload_if_changed(), Err(KeyringError::InsecurePermissions { .. })));
    assert_eq!(handle.get().pepper_version(), 1);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(handle.reload_if_changed().unwrap());
    assert_eq!(handle.get().pepper_version(), 2);
}

#[test]
fn debug_output_shows_no_key_material() {
    let (_dir, path) = keyring_path();
    let (handle, _) = KeyringHandle::load_or_create(&path).unwrap();
    Keyring::rotate_master_key(&path).unwrap();
    Keyring::rotate_pepper(&path).unwrap();
    handle.reload_if_changed().unwrap();
    let keyring = handle.get();
    let sealed = keyring.seal("key_1", b"plaintext").unwrap();
    let debug = format!("{keyring:?} {handle:?} {sealed:?} {:?}", keyring.lookup_hash("k"));
    assert!(debug.contains("master_key_current: 2"), "{debug}");
    let materials = materials(&path);
    assert_eq!(materials.len(), 5);
    for material in materials {
        assert!(!debug.contains(&material), "{material} in {debug}");
        assert!(!debug.contains(&material[..16]), "part of {material} in {debug}");
    }
}
