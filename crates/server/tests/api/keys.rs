use std::time::Duration;

use altgate_protocol::{ErrorCode, KeyInfo, KeyStatus, KeyUsage, Page};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

async fn code_of(response: reqwest::Response) -> ErrorCode {
    let status = response.status();
    assert_problem(response, status).await.error_code().unwrap()
}

#[tokio::test]
async fn a_key_works_and_a_one_character_change_fails_the_checksum() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK);
    let bearer = app.client.get(app.url("/v1/assets/bitcoin")).bearer_auth(&app.read_key).send().await.unwrap();
    assert_eq!(bearer.status(), StatusCode::OK, "Authorization: Bearer works too");

    let mut typo = app.read_key.clone().into_bytes();
    let last = typo.len() - 1;
    typo[last] = if typo[last] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    let problem = assert_problem(app.get_as(&typo, "/v1/assets/bitcoin").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::InvalidKeyFormat));
    assert!(problem.detail.unwrap().contains("checksum"));

    let missing = app.client.get(app.url("/v1/assets/bitcoin")).send().await.unwrap();
    assert_eq!(missing.headers()["www-authenticate"], "Bearer realm=\"altgate\"");
    assert_eq!(code_of(missing).await, ErrorCode::MissingCredentials);

    // Well-formed (valid checksum) but never issued.
    let stranger = altgate_protocol::ApiKey::from_entropy(altgate_protocol::Environment::Live, &[7; 32]);
    assert_eq!(code_of(app.get_as(stranger.expose_secret(), "/v1/assets/bitcoin").await).await, ErrorCode::UnknownKey);
    app.stop().await;
}

#[tokio::test]
async fn open_endpoints_need_no_key_and_market_endpoints_do() {
    let app = TestApp::spawn().await;
    for open in ["/healthz", "/readyz", "/v1/time", "/openapi.json", "/problems/unknown_key"] {
        let response = app.client.get(app.url(open)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{open}");
    }
    for closed in ["/v1/assets", "/v1/assets/bitcoin", "/v1/categories", "/metrics", "/v1/keys", "/v1/audit"] {
        let response = app.client.get(app.url(closed)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{closed}");
        assert_eq!(code_of(response).await, ErrorCode::MissingCredentials, "{closed}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_rotated_key_overlaps_for_exactly_the_grace_window() {
    let app = TestApp::spawn().await;
    let (_, old) = app.new_account_with_key("bot", &["read", "keys"]).await;
    let old_info: KeyInfo = app.get_as(&old, "/v1/keys").await.json::<Page<KeyInfo>>().await.unwrap().data.remove(0);

    let rotated = app
        .created(app.post_as(&old, &format!("/v1/keys/{}/rotate", old_info.id), &json!({ "grace_seconds": 60 })).await)
        .await;
    assert_eq!(rotated.info.version, old_info.version + 1);
    assert_eq!(rotated.info.rotated_from.as_ref(), Some(&old_info.id));
    assert_eq!(rotated.info.scopes, old_info.scopes);
    assert_eq!(rotated.info.name, old_info.name);

    app.clock.advance(Duration::from_millis(59_999));
    assert_eq!(app.get_as(&old, "/v1/assets/bitcoin").await.status(), StatusCode::OK, "inside the grace window");
    assert_eq!(app.get_as(&rotated.key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);

    app.clock.advance(Duration::from_millis(1));
    let expired = assert_problem(app.get_as(&old, "/v1/assets/bitcoin").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(expired.error_code(), Some(ErrorCode::KeyExpired));
    assert!(expired.detail.unwrap().contains(rotated.info.id.as_str()), "the refusal names the successor");
    assert_eq!(app.get_as(&rotated.key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);

    // An expired key cannot be rotated.
    let again =
        app.post_as(&rotated.key, &format!("/v1/keys/{}/rotate", old_info.id), &json!({ "grace_seconds": 0 })).await;
    assert_eq!(code_of(again).await, ErrorCode::KeyInactive);
    app.stop().await;
}

#[tokio::test]
async fn of_concurrent_rotations_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let (_, key) = app.new_account_with_key("racer", &["read", "keys"]).await;
    let page: Page<KeyInfo> = app.get_as(&key, "/v1/keys").await.json().await.unwrap();
    let path = format!("/v1/keys/{}/rotate", page.data[0].id);
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let request = app.call(reqwest::Method::POST, &path, &key, Some(&json!({ "grace_seconds": 300 })));
            tokio::spawn(request.send())
        })
        .collect();
    let mut responses = Vec::new();
    for attempt in attempts {
        responses.push(attempt.await.unwrap().unwrap());
    }
    let mut wins = 0;
    let mut conflicts = 0;
    for response in responses {
        match response.status() {
            StatusCode::CREATED => wins += 1,
            StatusCode::CONFLICT => {
                assert_eq!(code_of(response).await, ErrorCode::RotationConflict);
                conflicts += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((wins, conflicts), (1, 7));
    let keys: Page<KeyInfo> = app.get_as(&key, "/v1/keys").await.json().await.unwrap();
    assert_eq!(keys.data.len(), 2, "one successor, no orphans");
    app.stop().await;
}

#[tokio::test]
async fn revocation_applies_to_the_very_next_request() {
    let app = TestApp::spawn().await;
    let (_, key) = app.new_account_with_key("victim", &["read", "keys"]).await;
    // Warm the cache.
    for _ in 0..3 {
        assert_eq!(app.get_as(&key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    }
    let page: Page<KeyInfo> = app.get_as(&key, "/v1/keys").await.json().await.unwrap();
    let id = &page.data[0].id;
    let revoked = app.post_as(&app.admin.key, &format!("/v1/keys/{id}/revoke"), &json!(null)).await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let info: KeyInfo = revoked.json().await.unwrap();
    assert_eq!(info.status, KeyStatus::Revoked);
    assert_eq!(code_of(app.get_as(&key, "/v1/assets/bitcoin").await).await, ErrorCode::KeyRevoked);
    // A revoked key cannot be rotated.
    let rotate = app.post_as(&app.admin.key, &format!("/v1/keys/{id}/rotate"), &json!({ "grace_seconds": 1 })).await;
    assert_eq!(code_of(rotate).await, ErrorCode::KeyInactive);
    app.stop().await;
}

#[tokio::test]
async fn a_read_key_cannot_manage_keys_and_a_key_cannot_grant_more_than_it_holds() {
    let app = TestApp::spawn().await;
    let forbidden = [
        app.get("/v1/keys").await,
        app.post_as(&app.read_key, "/v1/keys", &json!({ "name": "x", "scopes": ["read"] })).await,
        app.get_as(&app.read_key, "/v1/audit").await,
    ];
    for response in forbidden {
        assert_eq!(code_of(response).await, ErrorCode::InsufficientScope);
    }
    let (_, manager) = app.new_account_with_key("manager", &["read", "keys"]).await;
    let escalate = app.post_as(&manager, "/v1/keys", &json!({ "name": "x", "scopes": ["trade"] })).await;
    assert_eq!(code_of(escalate).await, ErrorCode::InsufficientScope);
    let admin = app.post_as(&manager, "/v1/keys", &json!({ "name": "x", "scopes": ["admin"] })).await;
    assert_eq!(code_of(admin).await, ErrorCode::InsufficientScope);
    let test_key =
        app.post_as(&manager, "/v1/keys", &json!({ "name": "x", "scopes": ["read"], "environment": "test" })).await;
    assert_eq!(code_of(test_key).await, ErrorCode::InsufficientScope, "a live key cannot mint test keys");
    let ok =
        app.created(app.post_as(&manager, "/v1/keys", &json!({ "name": "child", "scopes": ["read"] })).await).await;
    assert_eq!(ok.info.scopes, altgate_protocol::Scopes::of(&[altgate_protocol::Scope::Read]));
    app.stop().await;
}

#[tokio::test]
async fn test_keys_never_see_or_touch_live_keys() {
    let app = TestApp::spawn().await;
    let (account, live) = app.new_account_with_key("dual", &["read", "keys"]).await;
    let body = json!({ "name": "sandbox", "scopes": ["read", "keys"], "environment": "test", "account_id": account });
    let test = app.created(app.post_as(&app.admin.key, "/v1/keys", &body).await).await;
    assert!(test.key.starts_with("ag_test_"));
    let seen: Page<KeyInfo> = app.get_as(&test.key, "/v1/keys").await.json().await.unwrap();
    assert!(seen.data.iter().all(|k| k.environment == altgate_protocol::Environment::Test));
    let live_id = app
        .get_as(&live, "/v1/keys")
        .await
        .json::<Page<KeyInfo>>()
        .await
        .unwrap()
        .data
        .into_iter()
        .find(|k| k.environment == altgate_protocol::Environment::Live)
        .unwrap()
        .id;
    let revoke = app.post_as(&test.key, &format!("/v1/keys/{live_id}/revoke"), &json!(null)).await;
    assert_eq!(code_of(revoke).await, ErrorCode::KeyNotFound);
    app.stop().await;
}

#[tokio::test]
async fn one_account_cannot_see_or_act_on_another_accounts_keys() {
    let app = TestApp::spawn().await;
    let (account_a, a) = app.new_account_with_key("alice", &["read", "keys"]).await;
    let (account_b, b) = app.new_account_with_key("bob", &["read", "keys"]).await;
    let b_id = app.get_as(&b, "/v1/keys").await.json::<Page<KeyInfo>>().await.unwrap().data[0].id.clone();

    let attempts = [
        app.get_as(&a, &format!("/v1/keys?account_id={account_b}")).await,
        app.get_as(&a, &format!("/v1/keys/{b_id}")).await,
        app.post_as(&a, &format!("/v1/keys/{b_id}/rotate"), &json!({ "grace_seconds": 0 })).await,
        app.post_as(&a, &format!("/v1/keys/{b_id}/revoke"), &json!(null)).await,
        app.post_as(&a, &format!("/v1/keys/{b_id}/expire"), &json!({ "at": 0 })).await,
        app.get_as(&a, &format!("/v1/keys/{b_id}/usage")).await,
        app.get_as(&a, &format!("/v1/accounts/{account_b}")).await,
        app.post_as(&a, &format!("/v1/accounts/{account_b}/revoke-all-keys"), &json!(null)).await,
        app.get_as(&a, &format!("/v1/audit?account_id={account_b}")).await,
    ];
    for response in attempts {
        let url = response.url().to_string();
        let code = code_of(response).await;
        assert!(matches!(code, ErrorCode::KeyNotFound | ErrorCode::AccountNotFound), "{url}: {code}");
    }
    let listed: Page<KeyInfo> = app.get_as(&a, "/v1/keys").await.json().await.unwrap();
    assert!(listed.data.iter().all(|k| k.account_id.as_str() == account_a));
    assert_eq!(app.get_as(&b, "/v1/assets/bitcoin").await.status(), StatusCode::OK, "B's key is untouched");
    app.stop().await;
}

#[tokio::test]
async fn ip_allowlists_are_enforced() {
    let app = TestApp::spawn().await;
    let (account, _) = app.new_account_with_key("fenced", &["read"]).await;
    let make =
        |cidr: &str| json!({ "name": "fenced", "scopes": ["read"], "account_id": account, "ip_allowlist": [cidr] });
    let elsewhere = app.created(app.post_as(&app.admin.key, "/v1/keys", &make("10.0.0.0/8")).await).await;
    let here = app.created(app.post_as(&app.admin.key, "/v1/keys", &make("127.0.0.1/32")).await).await;
    assert_eq!(code_of(app.get_as(&elsewhere.key, "/v1/assets/bitcoin").await).await, ErrorCode::IpNotAllowed);
    assert_eq!(app.get_as(&here.key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    let bad = app.post_as(&app.admin.key, "/v1/keys", &make("10.0.0.0/33")).await;
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem.param.as_deref(), Some("ip_allowlist[0]"));
    app.stop().await;
}

#[tokio::test]
async fn usage_shows_who_still_uses_the_old_key_and_it_can_be_retired_early() {
    let app = TestApp::spawn().await;
    let (_, old) = app.new_account_with_key("migrating", &["read", "keys"]).await;
    let old_id = app.get_as(&old, "/v1/keys").await.json::<Page<KeyInfo>>().await.unwrap().data[0].id.clone();
    let new = app
        .created(app.post_as(&old, &format!("/v1/keys/{old_id}/rotate"), &json!({ "grace_seconds": 3600 })).await)
        .await;
    for _ in 0..3 {
        app.get_as(&old, "/v1/assets/bitcoin").await;
    }
    app.clock.advance(Duration::from_secs(120));
    for _ in 0..2 {
        app.get_as(&new.key, "/v1/assets/bitcoin").await;
    }
    let usage: KeyUsage = app.get_as(&new.key, &format!("/v1/keys/{}/usage", new.info.id)).await.json().await.unwrap();
    assert_eq!(usage.family.len(), 2);
    let requests = |i: usize| usage.family[i].minutes.iter().map(|p| p.requests).sum::<u64>();
    assert_eq!(usage.family[0].key_id, old_id);
    assert!(requests(0) >= 3, "old key used {} times", requests(0));
    assert!(requests(1) >= 2);
    assert!(usage.family[0].last_used_at.unwrap() < usage.family[1].last_used_at.unwrap());

    let retire = app.post_as(&new.key, &format!("/v1/keys/{old_id}/expire"), &json!({ "at": 0 })).await;
    assert_eq!(retire.status(), StatusCode::OK);
    assert_eq!(code_of(app.get_as(&old, "/v1/assets/bitcoin").await).await, ErrorCode::KeyExpired);
    let later = app
        .post_as(&new.key, &format!("/v1/keys/{}/expire", new.info.id), &json!({ "at": "2099-01-01T00:00:00Z" }))
        .await;
    assert_eq!(later.status(), StatusCode::OK, "a key without expiry may be given one");
    let usage: KeyUsage = app.get_as(&new.key, &format!("/v1/keys/{old_id}/usage")).await.json().await.unwrap();
    assert!(usage.family[0].rejects.get("key_expired").copied().unwrap_or(0) >= 1, "{:?}", usage.family[0].rejects);
    app.stop().await;
}

#[tokio::test]
async fn key_bodies_are_validated_with_the_field_named() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "name": "", "scopes": ["read"] }), "name"),
        (json!({ "name": "x", "scopes": ["root"] }), "scopes[0]"),
        (json!({ "name": "x", "scopes": [] }), "scopes"),
        (json!({ "name": "x", "scopes": ["read"], "colour": 1 }), "colour"),
        (json!({ "name": "x", "scopes": ["read"], "expires_at": "yesterday" }), "expires_at"),
        (json!({ "name": "x", "scopes": ["read"], "expires_at": 5 }), "expires_at"),
        (json!({ "name": "x", "scopes": ["read"], "labels": { "Bad Key": "v" } }), "labels"),
    ];
    for (body, field) in cases {
        let problem =
            assert_problem(app.post_as(&app.admin.key, "/v1/keys", &body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem.error_code(), Some(ErrorCode::InvalidBody), "{body}");
        assert!(problem.param.as_deref().unwrap_or_default().starts_with(field), "{body}: {problem:?}");
    }
    let not_json =
        app.call_raw(reqwest::Method::POST, "/v1/keys", &app.admin.key, "text/plain", b"name=x").send().await.unwrap();
    assert_eq!(code_of(not_json).await, ErrorCode::UnsupportedMediaType);
    let broken = app
        .call_raw(reqwest::Method::POST, "/v1/keys", &app.admin.key, "application/json", b"{\"name\":")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(broken).await, ErrorCode::InvalidBody);
    app.stop().await;
}
