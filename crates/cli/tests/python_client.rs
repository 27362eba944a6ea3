//! The Python client of `docs/signing.md` against a real `altgate serve`:
//! `docs/examples/sign.py` signs a request that is accepted once, and its
//! exact replay is refused, with an HMAC key and with an Ed25519 key made
//! from a seed the server never sees.

// Helpers of a test binary are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{Server, init};

/// `python3 docs/examples/sign.py ARGS`, with no `ALTGATE_*` variables of
/// the machine running the tests.
fn sign_py(args: &[&str]) -> Output {
    let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "..", "docs", "examples", "sign.py"].iter().collect();
    Command::new("python3")
        .arg(script)
        .args(args)
        .env_remove("ALTGATE_KEY")
        .env_remove("ALTGATE_URL")
        .output()
        .expect("python3 runs docs/examples/sign.py")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Checks the output of `request --replay`: the first answer `status`, the
/// replay refused as `nonce_replayed`, and the exit code saying both.
fn assert_accepted_once(output: &Output, status: &str) -> String {
    let text = stdout(output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(lines.first(), Some(&status), "{text}");
    assert_eq!(lines.get(2), Some(&"replayed: 401"), "{text}");
    assert!(lines.get(3).is_some_and(|body| body.contains("\"code\":\"nonce_replayed\"")), "{text}");
    lines[1].to_owned()
}

#[test]
fn a_request_signed_by_the_python_example_is_accepted_once_and_refused_on_replay() {
    let dir = tempfile::tempdir().unwrap();
    let admin = init(dir.path());
    let server = Server::start_in(dir);
    let url = server.url();
    let (key_id, key) = (admin["key_id"].as_str().unwrap(), admin["key"].as_str().unwrap());

    let hmac = sign_py(&["request", "--url", &url, "--key-id", key_id, "--key", key, "--replay", "/v1/assets/bitcoin"]);
    let asset: serde_json::Value = serde_json::from_str(&assert_accepted_once(&hmac, "200")).unwrap();
    assert_eq!(asset["id"], "bitcoin");

    // An Ed25519 key: the server is given only the public key.
    let seed = "5eed".repeat(16);
    let public = sign_py(&["public-key", "--seed-hex", &seed]);
    assert!(public.status.success(), "{}", String::from_utf8_lossy(&public.stderr));
    let public_key = stdout(&public).trim().to_owned();
    let body = serde_json::json!({
        "name": "python-ed25519", "scopes": ["read"], "signing": "ed25519", "public_key": public_key,
    })
    .to_string();
    let created = sign_py(&[
        "request", "--url", &url, "--key-id", key_id, "--key", key, "--method", "POST", "--data", &body, "--replay",
        "/v1/keys",
    ]);
    let created: serde_json::Value = serde_json::from_str(&assert_accepted_once(&created, "201")).unwrap();
    assert_eq!(created["key"], serde_json::Value::Null, "no secret exists for an Ed25519 key");
    let ed25519_id = created["info"]["id"].as_str().unwrap();

    let signed = sign_py(&[
        "request",
        "--url",
        &url,
        "--key-id",
        ed25519_id,
        "--seed-hex",
        &seed,
        "--replay",
        "/v1/assets/bitcoin",
    ]);
    let asset: serde_json::Value = serde_json::from_str(&assert_accepted_once(&signed, "200")).unwrap();
    assert_eq!(asset["id"], "bitcoin");

    // A wrong seed signs nothing the server accepts.
    let wrong = sign_py(&[
        "request",
        "--url",
        &url,
        "--key-id",
        ed25519_id,
        "--seed-hex",
        &"0".repeat(64),
        "/v1/assets/bitcoin",
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stdout(&wrong).starts_with("401\n") && stdout(&wrong).contains("signature_invalid"), "{}", stdout(&wrong));
    server.stop();
}
