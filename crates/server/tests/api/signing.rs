//! Signed requests over HTTP: acceptance, each refusal, the freshness
//! window's edges, replays (concurrent and across a restart), a full nonce
//! store, sequences and Ed25519 keys.

use std::time::Duration;

use altgate_protocol::signing::{CanonicalRequest, Ed25519Signer, canonical_string};
use altgate_protocol::{ErrorCode, KeyInfo, Page};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

async fn code_of(response: reqwest::Response) -> ErrorCode {
    let status = response.status();
    assert_problem(response, status).await.error_code().unwrap()
}

/// A request with the given signature headers.
fn with_headers(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&'static str, String)],
) -> reqwest::RequestBuilder {
    let mut builder = app.client.request(method, app.url(path));
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    builder
}

/// A `read` + `keys` key on its own account, with its id.
async fn signer(app: &TestApp, extra: Value) -> (String, String) {
    let (account, _) = app.new_account_with_key("signer", &["read"]).await;
    let mut body = json!({ "name": "signer", "scopes": ["read", "keys"], "account_id": account });
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    let minted = app.created(app.post_as(&app.admin.key, "/v1/keys", &body).await).await;
    (minted.info.id.to_string(), minted.key)
}

#[tokio::test]
async fn a_signed_request_is_accepted_once_and_a_replay_is_refused() {
    let app = TestApp::spawn().await;
    let (id, key) = signer(&app, json!({})).await;
    let headers = app.signature(&id, &key, "GET", "/v1/keys?limit=5", b"", None);
    let first = with_headers(&app, Method::GET, "/v1/keys?limit=5", &headers).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let page: Page<KeyInfo> = first.json().await.unwrap();
    assert_eq!(page.data.len(), 2, "the account's read key and the signer");
    let replay = with_headers(&app, Method::GET, "/v1/keys?limit=5", &headers).send().await.unwrap();
    assert_eq!(code_of(replay).await, ErrorCode::NonceReplayed);
    app.stop().await;
}

#[tokio::test]
async fn of_a_hundred_concurrent_copies_exactly_one_is_accepted() {
    let app = TestApp::spawn().await;
    let (id, key) = signer(&app, json!({})).await;
    let headers = app.signature(&id, &key, "GET", "/v1/assets/bitcoin", b"", None);
    let copies: Vec<_> = (0..100)
        .map(|_| tokio::spawn(with_headers(&app, Method::GET, "/v1/assets/bitcoin", &headers).send()))
        .collect();
    let mut accepted = 0;
    for copy in copies {
        let response = copy.await.unwrap().unwrap();
        match response.status() {
            StatusCode::OK => accepted += 1,
            _ => assert_eq!(code_of(response).await, ErrorCode::NonceReplayed),
        }
    }
    assert_eq!(accepted, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_window_admits_its_edges_and_nothing_beyond() {
    let app = TestApp::spawn().await;
    let (id, key) = signer(&app, json!({})).await;
    let window = 30_000i64;
    app.clock.advance(Duration::from_secs(600));
    let now = {
        use altgate_server::Clock;
        app.clock.now_ms()
    };
    for (offset, accepted) in [(-(window - 1), true), (window - 1, true), (-(window + 1), false), (window + 1, false)] {
        let headers = app.signature_at(now + offset, &id, &key, "GET", "/v1/keys", b"", None);
        let response = with_headers(&app, Method::GET, "/v1/keys", &headers).send().await.unwrap();
        if accepted {
            assert_eq!(response.status(), StatusCode::OK, "offset {offset}");
        } else {
            let problem = assert_problem(response, StatusCode::UNAUTHORIZED).await;
            assert_eq!(problem.error_code(), Some(ErrorCode::TimestampOutOfWindow), "offset {offset}");
            assert_eq!(problem.extensions["server_time_ms"], now, "the server tells its time");
        }
    }
    app.stop().await;
}

/// A full nonce store refuses fresh nonces with 503 rather than forget
/// nonces that could then be replayed; repeats are still told as such, and
/// room returns as nonces expire.
#[tokio::test]
async fn a_full_nonce_store_refuses_fresh_nonces_until_old_ones_expire() {
    const ROOM: usize = 20;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = altgate_server::Config { data_dir: dir.path().to_owned(), ..crate::helpers::test_config() };
    config.signing.max_live_nonces = ROOM;
    let app = TestApp::spawn_with(config).await;
    let (id, key) = signer(&app, json!({})).await;
    let send = |headers: &[(&'static str, String)]| with_headers(&app, Method::GET, "/v1/keys", headers).send();
    let mut accepted = Vec::new();
    let refused = loop {
        assert!(accepted.len() < ROOM, "the store holds at most {ROOM} nonces");
        let headers = app.signature(&id, &key, "GET", "/v1/keys", b"", None);
        let response = send(&headers).await.unwrap();
        if response.status() != StatusCode::OK {
            break response;
        }
        accepted.push(headers);
    };
    assert!(!accepted.is_empty(), "the store had room for the first requests");
    let problem = assert_problem(refused, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::ServiceUnavailable));
    let replay = send(&accepted[0]).await.unwrap();
    assert_eq!(code_of(replay).await, ErrorCode::NonceReplayed, "a repeat needs no room");
    // A nonce is held for the window (30 s) plus at most a bucket's span (30 s).
    app.clock.advance(Duration::from_secs(61));
    let fresh = app.signature(&id, &key, "GET", "/v1/keys", b"", None);
    assert_eq!(send(&fresh).await.unwrap().status(), StatusCode::OK, "room again once the old nonces expired");
    app.stop().await;
}

#[tokio::test]
async fn a_key_may_narrow_its_window() {
    let app = TestApp::spawn().await;
    let (id, key) = signer(&app, json!({ "signature_window_secs": 5 })).await;
    let headers = app.signature(&id, &key, "GET", "/v1/keys", b"", None);
    app.clock.advance(Duration::from_millis(5_001));
    let late = with_headers(&app, Method::GET, "/v1/keys", &headers).send().await.unwrap();
    assert_eq!(code_of(late).await, ErrorCode::TimestampOutOfWindow);
    let bad = app
        .post_as(&app.admin.key, "/v1/keys", &json!({ "name": "x", "scopes": ["read"], "signature_window_secs": 300 }))
        .await;
    assert_eq!(assert_problem(bad, StatusCode::BAD_REQUEST).await.param.as_deref(), Some("signature_window_secs"));
    app.stop().await;
}

#[tokio::test]
async fn each_refusal_has_its_code() {
    let app = TestApp::spawn().await;
    let (id, key) = signer(&app, json!({})).await;
    let path = "/v1/keys";
    let good = app.signature(&id, &key, "GET", path, b"", None);
    let replace = |name: &str, value: &str| -> Vec<(&'static str, String)> {
        good.iter().map(|(n, v)| if *n == name { (*n, value.to_owned()) } else { (*n, v.clone()) }).collect()
    };

    let tampered = app.signature(&id, &key, "GET", "/v1/keys?limit=1", b"", None);
    let response = with_headers(&app, Method::GET, path, &tampered).send().await.unwrap();
    assert_eq!(code_of(response).await, ErrorCode::SignatureInvalid, "signed another path");

    let response = with_headers(&app, Method::GET, path, &replace("x-ag-timestamp", "soon")).send().await.unwrap();
    let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        (problem.error_code(), problem.param.as_deref()),
        (Some(ErrorCode::MalformedSignatureHeader), Some("x-ag-timestamp"))
    );

    let response = with_headers(&app, Method::GET, path, &replace("x-ag-nonce", "short")).send().await.unwrap();
    assert_eq!(code_of(response).await, ErrorCode::NonceInvalid);

    let response =
        with_headers(&app, Method::GET, path, &replace("x-ag-key-id", "key_doesnotexist1")).send().await.unwrap();
    assert_eq!(code_of(response).await, ErrorCode::UnknownKey);

    let bearer = app.request(Method::GET, path, Some(&key)).send().await.unwrap();
    assert_eq!(code_of(bearer).await, ErrorCode::SignatureRequired, "key management is signed only");

    let strict = app
        .created(
            app.post_as(
                &app.admin.key,
                "/v1/keys",
                &json!({
                    "name": "strict", "scopes": ["read"], "account_id": app.read_account, "signature_required": true
                }),
            )
            .await,
        )
        .await;
    let bearer = app.request(Method::GET, "/v1/assets/bitcoin", Some(&strict.key)).send().await.unwrap();
    assert_eq!(code_of(bearer).await, ErrorCode::SignatureRequired, "the key opted in");
    assert_eq!(app.get_as(&strict.key, "/v1/assets/bitcoin").await.status(), StatusCode::OK, "signed, it works");

    // The body limit applies before any hashing.
    let big = vec![b'x'; app.config.max_body_bytes + 1];
    let headers = app.signature(&id, &key, "POST", path, &big, None);
    let response = with_headers(&app, Method::POST, path, &headers).body(big).send().await.unwrap();
    assert_eq!(code_of(response).await, ErrorCode::PayloadTooLarge);
    app.stop().await;
}

#[tokio::test]
async fn sequence_mode_demands_an_increasing_sequence() {
    let app = TestApp::spawn().await;
    let (id, key) = signer(&app, json!({ "sequence_required": true })).await;
    let send = |sequence: Option<u64>| {
        let headers = app.signature(&id, &key, "GET", "/v1/keys", b"", sequence);
        with_headers(&app, Method::GET, "/v1/keys", &headers).send()
    };
    assert_eq!(send(Some(10)).await.unwrap().status(), StatusCode::OK);
    assert_eq!(send(Some(11)).await.unwrap().status(), StatusCode::OK);
    assert_eq!(code_of(send(Some(11)).await.unwrap()).await, ErrorCode::SequenceNotIncreasing);
    assert_eq!(code_of(send(Some(3)).await.unwrap()).await, ErrorCode::SequenceNotIncreasing);
    let missing = assert_problem(send(None).await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_eq!(missing.param.as_deref(), Some("x-ag-sequence"));
    assert_eq!(send(Some(u64::MAX)).await.unwrap().status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_replay_after_a_restart_is_refused_and_sequences_survive_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::spawn_in(dir.path()).await;
    let (id, key) = signer(&app, json!({ "sequence_required": true })).await;
    let headers = app.signature(&id, &key, "GET", "/v1/keys", b"", Some(7));
    assert_eq!(with_headers(&app, Method::GET, "/v1/keys", &headers).send().await.unwrap().status(), StatusCode::OK);
    app.stop().await;

    // The server restarts three seconds later, well inside the window.
    let config = altgate_server::Config { data_dir: dir.path().to_owned(), ..crate::helpers::test_config() };
    let app = TestApp::spawn_at(config, crate::helpers::START_MS + 3_000).await;
    let replay = with_headers(&app, Method::GET, "/v1/keys", &headers).send().await.unwrap();
    let problem = assert_problem(replay, StatusCode::UNAUTHORIZED).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::TimestampOutOfWindow));
    assert!(problem.detail.unwrap().contains("before the server started"));

    let fresh = app.signature(&id, &key, "GET", "/v1/keys", b"", Some(7));
    let response = with_headers(&app, Method::GET, "/v1/keys", &fresh).send().await.unwrap();
    assert_eq!(code_of(response).await, ErrorCode::SequenceNotIncreasing, "the last sequence was persisted");
    let next = app.signature(&id, &key, "GET", "/v1/keys", b"", Some(8));
    assert_eq!(with_headers(&app, Method::GET, "/v1/keys", &next).send().await.unwrap().status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn ed25519_keys_sign_with_a_private_key_the_server_never_sees() {
    let app = TestApp::spawn().await;
    let signer = Ed25519Signer::from_seed(&[42; 32]).unwrap();
    let created = app
        .post_as(
            &app.admin.key,
            "/v1/keys",
            &json!({
                "name": "hsm", "scopes": ["read", "keys"], "account_id": app.read_account,
                "signing": "ed25519", "public_key": signer.public_key().to_string()
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["key"], Value::Null, "there is no secret to show");
    assert_eq!(created["info"]["signing"], "ed25519");
    let id = created["info"]["id"].as_str().unwrap().to_owned();

    let now = {
        use altgate_server::Clock;
        app.clock.now_ms()
    };
    let nonce = "ed25519-nonce-000001";
    let canonical = canonical_string(&CanonicalRequest {
        key_id: &id,
        timestamp_ms: now,
        nonce,
        method: "GET",
        path: "/v1/keys",
        query: "",
        body: b"",
        sequence: None,
    });
    let headers = vec![
        ("x-ag-key-id", id.clone()),
        ("x-ag-timestamp", now.to_string()),
        ("x-ag-nonce", nonce.to_owned()),
        ("x-ag-signature", signer.sign(&canonical)),
    ];
    let response = with_headers(&app, Method::GET, "/v1/keys", &headers).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let wrong = Ed25519Signer::from_seed(&[43; 32]).unwrap();
    let forged: Vec<_> = headers
        .iter()
        .map(|(n, v)| {
            if *n == "x-ag-signature" {
                (*n, wrong.sign(&canonical.replace(nonce, "ed25519-nonce-000002")))
            } else if *n == "x-ag-nonce" {
                (*n, "ed25519-nonce-000002".to_owned())
            } else {
                (*n, v.clone())
            }
        })
        .collect();
    let response = with_headers(&app, Method::GET, "/v1/keys", &forged).send().await.unwrap();
    assert_eq!(code_of(response).await, ErrorCode::SignatureInvalid);

    let data_dir = app.config.data_dir.clone();
    let _dir = app.stop().await;
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        data_dir.join(altgate_server::store::DATABASE_FILE).display()
    ))
    .await
    .unwrap();
    let (sealed, dek): (Option<Vec<u8>>, Option<Vec<u8>>) =
        sqlx::query_as("SELECT secret_ciphertext, dek_wrapped FROM api_keys WHERE id = ?")
            .bind(&id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((sealed, dek), (None, None), "nothing that could forge a request is stored");
    db.close().await;
}
