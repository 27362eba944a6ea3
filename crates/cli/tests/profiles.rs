//! Profiles: `altgate login`, `logout`, `profiles` and `keys keygen`,
//! driving the real binary against a real server with its own HOME.

// This is test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use altgate_protocol::{ApiKey, Environment};
use common::{admin_env, altgate, init, server_with_admin};
use serde_json::Value;

/// A user's home: HOME and XDG_CONFIG_HOME in a temporary directory.
struct Home {
    dir: tempfile::TempDir,
    home: String,
    xdg: String,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap().to_owned();
        let xdg = dir.path().join("xdg").to_str().unwrap().to_owned();
        Home { dir, home, xdg }
    }

    /// `altgate args` as this user, with extra environment.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut all = vec![("HOME", self.home.as_str()), ("XDG_CONFIG_HOME", self.xdg.as_str())];
        all.extend_from_slice(env);
        altgate(args, &all)
    }

    fn config_file(&self) -> PathBuf {
        Path::new(&self.xdg).join("altgate/config.toml")
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A well-formed key id.
const KEY_ID: &str = "key_3XfN8bQ2LrT7aPq9";

/// A well-formed key the server never issued.
fn stranger_key() -> String {
    ApiKey::from_entropy(Environment::Live, &[9; 32]).expose_secret().to_owned()
}

#[test]
fn login_saves_a_private_profile_that_commands_use_field_by_field_under_the_environment() {
    let (server, admin) = server_with_admin();
    let url = server.url();
    let (admin_id, admin_key) = (admin["key_id"].as_str().unwrap(), admin["key"].as_str().unwrap());
    let home = Home::new();

    let login = home.run(&["login", "--url", &url, "--key-id", admin_id], &[("ALTGATE_KEY", admin_key)]);
    assert!(login.status.success(), "{}", text(&login.stderr));
    assert!(text(&login.stdout).contains("`default`"), "{}", text(&login.stdout));
    assert!(!text(&login.stdout).contains(admin_key) && !text(&login.stderr).contains(admin_key));
    let file = home.config_file();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);

    // No URL or key given: the default profile is used.
    let prices = json(&home.run(&["prices", "--json"], &[]));
    assert!(prices["data"].is_array(), "{prices}");
    let account = admin["account_id"].as_str().unwrap();
    let reader =
        json(&home.run(&["keys", "create", "--name", "r", "--scopes", "read", "--account", account, "--json"], &[]));
    let (reader_id, reader_key) = (reader["info"]["id"].as_str().unwrap(), reader["key"].as_str().unwrap());

    // A second profile, picked by flag or variable; the default is kept.
    let second = home.run(
        &["login", "--profile", "reader", "--url", &url, "--key-id", reader_id, "--key", reader_key],
        &[("ALTGATE_KEY", admin_key)],
    );
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(home.run(&["keys", "list", "--account", account], &[]).status.success(), "default: the admin");
    let as_reader = home.run(&["keys", "list", "--account", account, "--profile", "reader"], &[]);
    assert_eq!(as_reader.status.code(), Some(3), "a read key cannot list keys");
    let by_env = home.run(&["keys", "list", "--account", account], &[("ALTGATE_PROFILE", "reader")]);
    assert_eq!(by_env.status.code(), Some(3));

    // The environment overrides the profile field by field.
    let elsewhere = home.run(&["prices"], &[("ALTGATE_URL", "http://127.0.0.1:9")]);
    assert_eq!(elsewhere.status.code(), Some(5), "the URL from the environment was used");
    let other_id = home.run(&["keys", "list", "--account", account], &[("ALTGATE_KEY_ID", reader_id)]);
    assert_eq!(other_id.status.code(), Some(3), "the admin's key signed as the reader's id");
    let promoted = home.run(
        &["keys", "list", "--account", account, "--profile", "reader", "--json"],
        &[("ALTGATE_KEY_ID", admin_id), ("ALTGATE_KEY", admin_key)],
    );
    assert_eq!(json(&promoted).as_array().unwrap().len(), 2, "the reader profile's URL with the admin's key");

    // Listed without their keys.
    for args in [&["profiles"][..], &["profiles", "--json"][..]] {
        let listed = home.run(args, &[]);
        assert!(listed.status.success(), "{}", text(&listed.stderr));
        let (out, err) = (text(&listed.stdout), text(&listed.stderr));
        for key in [admin_key, reader_key] {
            assert!(!out.contains(key) && !err.contains(key), "{out}{err}");
        }
        assert!(out.contains(admin_id) && out.contains(reader_id), "{out}");
    }
    let listed = json(&home.run(&["profiles", "--json"], &[]));
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "reader"]);
    assert_eq!(listed[0]["url"], url.as_str());
    assert_eq!(listed[0]["auth"], "hmac");

    // Logout removes one profile and keeps the other.
    assert!(home.run(&["logout", "--profile", "reader"], &[]).status.success());
    let listed = json(&home.run(&["profiles", "--json"], &[]));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "default");
    assert_eq!(mode(&file), 0o600, "rewritten private");
    assert_eq!(home.run(&["prices", "--profile", "reader"], &[]).status.code(), Some(2));
}

#[test]
fn a_profile_file_open_to_others_is_refused_naming_the_file_and_the_fix() {
    let home = Home::new();
    let key = stranger_key();
    let login = home
        .run(&["login", "--no-verify", "--url", "http://127.0.0.1:9", "--key-id", KEY_ID], &[("ALTGATE_KEY", &key)]);
    assert!(login.status.success(), "{}", text(&login.stderr));
    let file = home.config_file();
    assert_eq!(home.run(&["prices"], &[]).status.code(), Some(5), "read, and its URL tried");

    chmod(&file, 0o644);
    let login_x = ["login", "--no-verify", "--profile", "x", "--url", "http://127.0.0.1:9", "--key-id", KEY_ID];
    for (args, env) in [
        (&["prices"][..], &[][..]),
        (&["prices"][..], &[("ALTGATE_URL", "http://127.0.0.1:9"), ("ALTGATE_KEY_ID", KEY_ID)][..]),
        (&["profiles"][..], &[][..]),
        (&login_x[..], &[("ALTGATE_KEY", key.as_str())][..]),
    ] {
        let refused = home.run(args, env);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        let message = text(&refused.stderr);
        assert!(message.contains(file.to_str().unwrap()) && message.contains("chmod 600"), "{message}");
    }
    assert_eq!(mode(&file), 0o644, "a refused login wrote nothing");

    // Offline work ignores profiles.
    let data = tempfile::tempdir().unwrap();
    let admin = init(data.path());
    let data_dir = data.path().to_str().unwrap();
    let account = admin["account_id"].as_str().unwrap();
    let offline = home.run(&["keys", "list", "--data-dir", data_dir, "--account", account], &[]);
    assert!(offline.status.success(), "{}", text(&offline.stderr));

    chmod(&file, 0o600);
    assert!(home.run(&["profiles"], &[]).status.success());
}

#[test]
fn login_with_a_key_the_server_refuses_exits_3_and_writes_nothing() {
    let (server, admin) = server_with_admin();
    let url = server.url();
    let (admin_id, admin_key) = (admin["key_id"].as_str().unwrap(), admin["key"].as_str().unwrap());
    let home = Home::new();
    let stranger = stranger_key();

    let refused = home.run(&["login", "--url", &url, "--key-id", admin_id], &[("ALTGATE_KEY", &stranger)]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("nothing saved"), "{}", text(&refused.stderr));
    assert!(!home.config_file().parent().unwrap().exists(), "not even the directory");

    let saved = home.run(&["login", "--url", &url, "--key-id", admin_id], &[("ALTGATE_KEY", admin_key)]);
    assert!(saved.status.success(), "{}", text(&saved.stderr));
    let before = std::fs::read(home.config_file()).unwrap();
    let again = home.run(&["login", "--url", &url, "--key-id", admin_id, "--key", &stranger], &[]);
    assert_eq!(again.status.code(), Some(3));
    assert_eq!(std::fs::read(home.config_file()).unwrap(), before, "the saved profile is untouched");

    // --no-verify saves what the server would refuse.
    let unverified = home.run(&["login", "--no-verify", "--url", &url, "--key-id", admin_id, "--key", &stranger], &[]);
    assert!(unverified.status.success(), "{}", text(&unverified.stderr));
    assert_eq!(home.run(&["prices"], &[]).status.code(), Some(3));
}

#[test]
fn an_ed25519_profile_from_keygen_signs_requests_with_its_private_key_file() {
    let (server, admin) = server_with_admin();
    let url = server.url();
    let admin_key = admin["key"].as_str().unwrap();
    let as_admin = admin_env(&url, &admin);
    let home = Home::new();
    let key_file = home.dir.path().join("keys/ed25519.key");
    let key_path = key_file.to_str().unwrap();

    let generated = json(&home.run(&["keys", "keygen", "--out", key_path, "--json"], &[]));
    let public_key = generated["public_key"].as_str().unwrap();
    assert_eq!((mode(&key_file), mode(key_file.parent().unwrap())), (0o600, 0o700));
    let seed = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(seed.trim_end().len(), 43, "32 bytes of base64url without padding");
    let twice = home.run(&["keys", "keygen", "--out", key_path], &[]);
    assert_eq!(twice.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), seed, "never overwritten");

    let account = admin["account_id"].as_str().unwrap();
    let create = ["keys", "create", "--name=ed", "--scopes=read", "--account", account, "--json"];
    let created = json(&home.run(&[&create[..], &["--ed25519-public-key", public_key]].concat(), &as_admin));
    let ed_id = created["info"]["id"].as_str().unwrap();

    let login = home.run(
        &["login", "--profile", "ed", "--url", &url, "--key-id", ed_id, "--private-key", key_path],
        &[("ALTGATE_KEY", admin_key)],
    );
    assert!(login.status.success(), "{}", text(&login.stderr));
    assert!(!std::fs::read_to_string(home.config_file()).unwrap().contains(seed.trim_end()), "the path, not the key");
    let listed = json(&home.run(&["profiles", "--json"], &[]));
    assert_eq!(listed[0]["auth"], "ed25519");
    assert_eq!(listed[0]["private_key"], key_path);

    let prices = json(&home.run(&["prices", "--json", "--profile", "ed"], &[]));
    assert!(prices["data"].is_array(), "{prices}");

    chmod(&key_file, 0o640);
    let refused = home.run(&["prices", "--profile", "ed"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains(key_path), "{}", text(&refused.stderr));

    // A public key that does not match: login refuses it.
    let other = home.dir.path().join("other.key");
    assert!(home.run(&["keys", "keygen", "--out", other.to_str().unwrap()], &[]).status.success());
    let mismatch = home.run(
        &["login", "--profile", "bad", "--url", &url, "--key-id", ed_id, "--private-key", other.to_str().unwrap()],
        &[],
    );
    assert_eq!(mismatch.status.code(), Some(3), "{}", text(&mismatch.stderr));
}

#[test]
fn a_missing_profile_is_a_usage_error_naming_the_file() {
    let home = Home::new();
    let file = home.config_file();
    let missing = home.run(&["prices", "--profile", "work"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains(file.to_str().unwrap()), "{}", text(&missing.stderr));

    let key = stranger_key();
    let login =
        home.run(&["login", "--no-verify", "--url", "http://127.0.0.1:9", "--key-id", KEY_ID, "--key", &key], &[]);
    assert!(login.status.success(), "{}", text(&login.stderr));
    assert_eq!(home.run(&["assets"], &[]).status.code(), Some(5), "the default profile exists");
    for (args, env) in
        [(&["assets", "--profile", "work"][..], &[][..]), (&["assets"][..], &[("ALTGATE_PROFILE", "work")][..])]
    {
        let missing = home.run(args, env);
        assert_eq!(missing.status.code(), Some(2));
        let message = text(&missing.stderr);
        assert!(message.contains("no profile `work`") && message.contains(file.to_str().unwrap()), "{message}");
    }
    assert_eq!(home.run(&["logout", "--profile", "work"], &[]).status.code(), Some(2));

    // Without XDG_CONFIG_HOME the file is under HOME; without a profile there is no target.
    let under_home = home.run(&["profiles", "--json"], &[("XDG_CONFIG_HOME", "")]);
    assert_eq!(json(&under_home), serde_json::json!([]));
    assert_eq!(home.run(&["prices"], &[("XDG_CONFIG_HOME", "")]).status.code(), Some(2), "no URL");
    let login = home.run(
        &["login", "--no-verify", "--url", "http://127.0.0.1:9", "--key-id", KEY_ID, "--key", &key],
        &[("XDG_CONFIG_HOME", "")],
    );
    assert!(login.status.success(), "{}", text(&login.stderr));
    assert_eq!(mode(&home.dir.path().join(".config/altgate/config.toml")), 0o600);
}
