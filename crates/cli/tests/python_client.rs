//! The Python client of `docs/signing.md` against a real `altgate serve`:
//! `docs/examples/sign.py` signs a request that is accepted once, and its
//! exact replay is refused, with an HMAC key and with an Ed25519 key made
//! from a seed the server never sees.

// Helpers of a test binary are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::server_with_admin;

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
/// Returns the first answer's body.
fn assert_accepted_once(output: &Output, status: &str) -> serde_json::Value {
    let text = stdout(output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(lines.first(), Some(&status), "{text}");
    assert_eq!(lines.get(2), Some(&"replayed: 401"), "{text}");
    assert!(lines.get(3).is_some_and(|body| body.contains("\"code\":\"nonce_replayed\"")), "{text}");
    serde_json::from_str(lines[1]).unwrap()
}

/// `GET /v1/assets/bitcoin` signed as `key_id` with `credential` (`--key`
/// or `--seed-hex`, and its value), sent a second time with `replay`.
fn get_bitcoin(url: &str, key_id: &str, credential: [&str; 2], replay: bool) -> Output {
    let mut args = vec!["request", "--url", url, "--key-id", key_id, credential[0], credential[1]];
    if replay {
        args.push("--replay");
    }
    args.push("/v1/assets/bitcoin");
    sign_py(&args)
}

#[test]
fn a_request_signed_by_the_python_example_is_accepted_once_and_refused_on_replay() {
    let (server, admin) = server_with_admin();
    let url = server.url();
    let (key_id, key) = (admin["key_id"].as_str().unwrap(), admin["key"].as_str().unwrap());

    let asset = assert_accepted_once(&get_bitcoin(&url, key_id, ["--key", key], true), "200");
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
    let created = assert_accepted_once(&created, "201");
    assert_eq!(created["key"], serde_json::Value::Null, "no secret exists for an Ed25519 key");
    let ed25519_id = created["info"]["id"].as_str().unwrap();

    let asset = assert_accepted_once(&get_bitcoin(&url, ed25519_id, ["--seed-hex", &seed], true), "200");
    assert_eq!(asset["id"], "bitcoin");

    // A wrong seed signs nothing the server accepts.
    let wrong = get_bitcoin(&url, ed25519_id, ["--seed-hex", &"0".repeat(64)], false);
    assert_eq!(wrong.status.code(), Some(1));
    let text = stdout(&wrong);
    assert!(text.starts_with("401\n") && text.contains("signature_invalid"), "{text}");
    server.stop();
}
