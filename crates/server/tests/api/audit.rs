//! The audit trail and secret hygiene: the chain verifies and detects
//! tampering; no key or secret reaches logs, error bodies, the audit trail or
//! the database file; the master key rotates while the service serves.

use std::sync::{Arc, Mutex, Once};

use altgate_protocol::{AuditAction, AuditEvent, KeyInfo, Page};
use altgate_server::store::DATABASE_FILE;
use altgate_server::{Platform, SystemClock};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

/// Everything every test in this binary logs, at debug level and above.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static INIT: Once = Once::new();
    static BUFFER: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    let buffer = BUFFER.get_or_init(|| Arc::new(Mutex::new(Vec::new()))).clone();
    INIT.call_once(|| {
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || SharedWriter(writer.clone()))
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    buffer
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn random_part(key: &str) -> &str {
    &key[12..]
}

#[tokio::test]
async fn no_key_or_secret_leaks_through_a_full_key_lifecycle() {
    let logs = captured_logs();
    let app = TestApp::spawn().await;
    let (account, first) = app.new_account_with_key("hygiene", &["read", "keys"]).await;
    let mut secrets = vec![first.clone(), app.admin.key.clone()];
    let mut bodies = String::new();

    let created =
        app.created(app.post_as(&first, "/v1/keys", &json!({ "name": "worker", "scopes": ["read"] })).await).await;
    secrets.push(created.key.clone());
    for _ in 0..2 {
        assert_eq!(app.get_as(&created.key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    }
    let rotated = app
        .created(
            app.post_as(&first, &format!("/v1/keys/{}/rotate", created.info.id), &json!({ "grace_seconds": 10 })).await,
        )
        .await;
    secrets.push(rotated.key.clone());
    bodies += &app.get_as(&rotated.key, "/v1/keys").await.text().await.unwrap();
    bodies += &app.get_as(&first, &format!("/v1/keys/{}", rotated.info.id)).await.text().await.unwrap();
    bodies += &app.get_as(&first, &format!("/v1/keys/{}/usage", rotated.info.id)).await.text().await.unwrap();
    bodies +=
        &app.post_as(&first, &format!("/v1/keys/{}/revoke", rotated.info.id), &json!(null)).await.text().await.unwrap();
    // Refusals: revoked, mistyped and unknown keys.
    bodies += &app.get_as(&rotated.key, "/v1/assets/bitcoin").await.text().await.unwrap();
    let mistyped = format!("{}x", &rotated.key[..rotated.key.len() - 1]);
    bodies += &app.get_as(&mistyped, "/v1/assets/bitcoin").await.text().await.unwrap();
    bodies +=
        &app.get_as(&app.admin.key, &format!("/v1/audit?account_id={account}&limit=500")).await.text().await.unwrap();
    app.stop().await;

    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logs.contains("audit event appended"), "logging was captured");
    for secret in &secrets {
        let part = random_part(secret);
        assert!(!logs.contains(part), "a key reached the logs");
        assert!(!bodies.contains(part), "a key reached a response body or the audit trail");
    }
}

#[tokio::test]
async fn the_database_file_holds_no_key_and_secrets_are_sealed() {
    let app = TestApp::spawn().await;
    let (_, key) = app.new_account_with_key("sealed", &["read", "keys"]).await;
    let created = app.created(app.post_as(&key, "/v1/keys", &json!({ "name": "w", "scopes": ["read"] })).await).await;
    app.get_as(&created.key, "/v1/assets/bitcoin").await;
    let data_dir = app.config.data_dir.clone();
    let admin_key = app.admin.key.clone();
    let _dir = app.stop().await;

    let mut raw = Vec::new();
    for file in [DATABASE_FILE.to_owned(), format!("{DATABASE_FILE}-wal")] {
        if let Ok(bytes) = std::fs::read(data_dir.join(file)) {
            raw.extend(bytes);
        }
    }
    assert!(raw.len() > 10_000, "the database was read");
    let raw = String::from_utf8_lossy(&raw);
    for secret in [&key, &created.key, &admin_key] {
        assert!(!raw.contains(random_part(secret)), "a key is stored in the clear");
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_detects_tampering() {
    let app = TestApp::spawn().await;
    let (_, key) = app.new_account_with_key("audited", &["read", "keys"]).await;
    let page: Page<KeyInfo> = app.get_as(&key, "/v1/keys").await.json().await.unwrap();
    app.post_as(&key, &format!("/v1/keys/{}/rotate", page.data[0].id), &json!({ "grace_seconds": 5 })).await;
    let events: Page<AuditEvent> = app.get_as(&app.admin.key, "/v1/audit").await.json().await.unwrap();
    let actions: Vec<_> = events.data.iter().map(|e| e.action).collect();
    for expected in
        [AuditAction::AdminInitialized, AuditAction::AccountCreated, AuditAction::KeyCreated, AuditAction::KeyRotated]
    {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }
    let rotated = events.data.iter().find(|e| e.action == AuditAction::KeyRotated).unwrap();
    assert_eq!(rotated.key_id.as_ref(), Some(&page.data[0].id), "events name keys by id");
    let config = app.config.clone();
    let _dir = app.stop().await;

    let platform = Platform::open(config.clone(), Arc::new(SystemClock)).await.unwrap();
    let report = platform.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.verified, events.data.len() as u64);
    platform.close().await;

    // An attacker with the database (but not the keyring) edits a row.
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", config.data_dir.join(DATABASE_FILE).display()))
        .await
        .unwrap();
    let refused = sqlx::query("UPDATE audit_events SET details = '{}' WHERE seq = 3").execute(&db).await;
    assert!(refused.is_err(), "the table refuses updates");
    sqlx::query("DROP TRIGGER audit_events_no_update").execute(&db).await.unwrap();
    sqlx::query("UPDATE audit_events SET ip = '203.0.113.66' WHERE seq = 3").execute(&db).await.unwrap();
    db.close().await;

    let platform = Platform::open(config.clone(), Arc::new(SystemClock)).await.unwrap();
    let report = platform.verify_audit().await.unwrap();
    let broken = report.broken.expect("tampering is detected");
    assert_eq!(broken.seq, 3);
    assert_eq!(report.verified, 2);
    platform.close().await;

    // Deleting a row in the middle is detected too.
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", config.data_dir.join(DATABASE_FILE).display()))
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_events_no_delete").execute(&db).await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = 2").execute(&db).await.unwrap();
    db.close().await;
    let platform = Platform::open(config, Arc::new(SystemClock)).await.unwrap();
    let broken = platform.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!((broken.seq, broken.reason), (2, "an event is missing before this one"));
    platform.close().await;
}

#[tokio::test]
async fn bursts_of_auth_failures_are_aggregated_into_one_event() {
    let app = TestApp::spawn().await;
    for _ in 0..50 {
        app.get_as("ag_live_nonsense", "/v1/assets/bitcoin").await;
    }
    let usage_flush = app.get_as(&app.admin.key, &format!("/v1/keys/{}/usage", app.admin.key_id)).await;
    assert_eq!(usage_flush.status(), StatusCode::OK);
    let events: Page<AuditEvent> =
        app.get_as(&app.admin.key, "/v1/audit?action=auth_failures").await.json().await.unwrap();
    assert_eq!(events.data.len(), 1, "{:?}", events.data);
    assert_eq!(events.data[0].details["count"], 50);
    assert_eq!(events.data[0].details["code"], "invalid_key_format");
    assert_eq!(events.data[0].ip.as_deref(), Some("127.0.0.1"));
    app.stop().await;
}

#[tokio::test]
async fn the_master_key_rotates_while_the_service_serves() {
    let app = TestApp::spawn().await;
    let (_, key) = app.new_account_with_key("steady", &["read", "keys"]).await;
    assert_eq!(app.get_as(&key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);

    // The operator runs the rotation beside the running service.
    let operator = Platform::open(app.config.clone(), Arc::new(SystemClock)).await.unwrap();
    let report = operator.rotate_master_key().await.unwrap();
    assert_eq!(report.current_version, 2);
    assert!(report.rewrapped >= 3, "every sealed key was re-wrapped: {report:?}");
    let retired = operator.retire_master_keys(2).await.unwrap();
    assert_eq!(retired.min_decryption_version, 2);
    operator.close().await;

    // The service keeps serving, and keys created now are sealed under v2.
    assert_eq!(app.get_as(&key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    let created = app.post_as(&key, "/v1/keys", &json!({ "name": "after", "scopes": ["read"] })).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let config = app.config.clone();
    let _dir = app.stop().await;

    // With v1 gone from the keyring, every secret still opens: none is left
    // under a retired version.
    let platform = Platform::open(config, Arc::new(SystemClock)).await.unwrap();
    let again = platform.retire_master_keys(2).await.unwrap();
    assert_eq!(again.rewrapped, 0);
    platform.close().await;
}
