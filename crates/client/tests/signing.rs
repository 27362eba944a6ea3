//! How requests carry keys: clock skew, fresh nonces, bearer keys and
//! Ed25519 keys from a credentials file.

#![allow(clippy::unwrap_used)]

mod common;

use altgate_client::protocol::{ErrorCode, KeyStatus};
use altgate_client::{AuditQuery, AuthMode, Client};
use common::{create_key, local_now_ms, secret, server, server_at};
use serde_json::json;

const TEN_MINUTES_MS: i64 = 600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_ten_minutes_off_succeeds_after_one_resync() {
    for skew in [TEN_MINUTES_MS, -TEN_MINUTES_MS] {
        // The server's clock is ten minutes ahead of (or behind) this
        // machine's, far outside the 30-second window.
        let server = server_at(local_now_ms() + skew, |_| {}).await;

        // A GET: refused for its timestamp, re-synced, signed again, answered.
        let reader = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
        assert_eq!(reader.clock_offset_ms(), 0);
        assert!(reader.prices(&[]).await.unwrap().data.is_empty());
        assert!((reader.clock_offset_ms() - skew).abs() < 5_000, "offset {} for skew {skew}", reader.clock_offset_ms());

        // A POST is sent again too: refused for its timestamp, it never ran.
        let writer = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
        let created = create_key(&writer, json!({"name": "after-skew", "scopes": ["read"]})).await;
        assert_eq!(created.info.status, KeyStatus::Active);
        assert!((writer.clock_offset_ms() - skew).abs() < 5_000);
        let listed = writer.list_keys(None, None).await.unwrap();
        assert_eq!(listed.data.iter().filter(|k| k.name.as_str() == "after-skew").count(), 1, "created once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_signed_calls_carry_fresh_nonces_and_both_succeed() {
    let server = server().await;
    let admin = server.admin_client().await;
    let key = create_key(&admin, json!({"name": "target", "scopes": ["read"]})).await;
    // The server records every nonce and refuses one seen before, so two
    // identical requests in the same millisecond window are accepted only
    // because each is signed with its own nonce.
    let first = admin.key(&key.info.id).await.unwrap();
    let second = admin.key(&key.info.id).await.unwrap();
    assert_eq!(first, second);
    let revoked = admin.revoke_key(&key.info.id).await.unwrap();
    let again = admin.revoke_key(&key.info.id).await.unwrap();
    assert_eq!((revoked.status, again.status), (KeyStatus::Revoked, KeyStatus::Revoked));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_client_reads_and_is_told_to_sign_for_key_management() {
    let server = server().await;
    let admin = server.admin_client().await;
    let key = create_key(&admin, json!({"name": "bearer", "scopes": ["read", "keys"]})).await;
    let bearer = Client::bearer(&server.url, secret(&key)).unwrap();
    assert_eq!((bearer.auth_mode(), bearer.key_id()), (Some(AuthMode::Bearer), None));

    // No clock sync is needed: nothing is signed.
    assert!(bearer.prices(&[]).await.unwrap().data.is_empty());
    assert_eq!(bearer.asset("bitcoin").await.unwrap().symbol, "BTC");
    assert_eq!(bearer.clock_offset_ms(), 0);

    // The key has the `keys` scope, but key management takes only signed
    // requests.
    let listing = bearer.list_keys(None, None).await.unwrap_err();
    assert_eq!((listing.code(), listing.status()), (Some(ErrorCode::SignatureRequired), Some(401)));
    let request = serde_json::from_value(json!({"name": "child", "scopes": ["read"]})).unwrap();
    assert_eq!(bearer.create_key(&request).await.unwrap_err().code(), Some(ErrorCode::SignatureRequired));
    assert_eq!(bearer.audit(&AuditQuery::default()).await.unwrap_err().code(), Some(ErrorCode::SignatureRequired));

    // The same key, signed, may.
    let signed = Client::new(&server.url, key.info.id.as_str(), secret(&key)).unwrap();
    signed.sync_clock().await.unwrap();
    assert_eq!(signed.list_keys(None, None).await.unwrap().data.len(), 2);

    // A key that requires signing is refused as a bearer even for reading.
    let strict = create_key(&admin, json!({"name": "strict", "scopes": ["read"], "signature_required": true})).await;
    let strict = Client::bearer(&server.url, secret(&strict)).unwrap();
    assert_eq!(strict.prices(&[]).await.unwrap_err().code(), Some(ErrorCode::SignatureRequired));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ed25519_key_signs_from_a_credentials_file() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let server = server().await;
    let admin = server.admin_client().await;
    let (seed, public_key) = altgate_client::generate_ed25519().unwrap();
    let body = json!({"name": "signer", "scopes": ["read", "keys"], "signing": "ed25519", "public_key": public_key});
    let created = create_key(&admin, body).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("altgate.toml");
    let text = format!("key_id = \"{}\"\nprivate_key = \"{}\"\n", created.info.id, URL_SAFE_NO_PAD.encode(seed));
    std::fs::write(&path, text).unwrap();

    let client = Client::with_credentials_file(&server.url, &path).unwrap();
    assert_eq!(client.auth_mode(), Some(AuthMode::Ed25519));
    client.sync_clock().await.unwrap();
    let own = client.key(&created.info.id).await.unwrap();
    assert_eq!(own.public_key, Some(public_key));

    // A file that names a key in a mode it cannot be is refused at once.
    std::fs::write(&path, format!("auth = \"bearer\"\nkey_id = \"{}\"\nprivate_key = \"x\"\n", created.info.id))
        .unwrap();
    let error = Client::with_credentials_file(&server.url, &path).unwrap_err();
    assert!(matches!(error, altgate_client::Error::Config(_)), "{error}");
}
