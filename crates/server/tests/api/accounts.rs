use altgate_protocol::{Account, AccountStatus, ErrorCode, Plan, Signup};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem, test_config};

#[tokio::test]
async fn signup_gives_a_free_read_key_limited_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config();
    config.data_dir = dir.path().to_owned();
    config.signup.per_ip_per_hour = 2;
    let app = TestApp::spawn_with(config).await;
    let signup = |n: u32| {
        app.client
            .post(app.url("/v1/signup"))
            .json(&json!({ "name": format!("dev {n}"), "email": "dev@example.com" }))
            .send()
    };
    let first = signup(1).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Signup = first.json().await.unwrap();
    assert_eq!(first.account.plan, Plan::Free);
    app.remember(&first.key);
    let key = first.key.key.clone().unwrap();
    assert!(key.starts_with("ag_live_"));
    assert_eq!(first.key.info.scopes.to_string(), "read");
    assert_eq!(app.get_as(&key, "/v1/assets/ethereum").await.status(), StatusCode::OK);
    let keys = app.get_as(&key, "/v1/keys").await;
    assert_eq!(keys.status(), StatusCode::FORBIDDEN, "a signup key only reads");

    assert_eq!(signup(2).await.unwrap().status(), StatusCode::CREATED);
    let third = signup(3).await.unwrap();
    let retry_after: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let problem = assert_problem(third, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::RateLimited));

    let bad =
        app.client.post(app.url("/v1/signup")).json(&json!({ "name": "x", "email": "nope" })).send().await.unwrap();
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem.param.as_deref(), Some("email"));
    app.stop().await;
}

#[tokio::test]
async fn suspending_an_account_blocks_all_its_keys_at_once() {
    let app = TestApp::spawn().await;
    let (account, key) = app.new_account_with_key("tenant", &["read", "keys"]).await;
    let second =
        app.created(app.post_as(&key, "/v1/keys", &json!({ "name": "second", "scopes": ["read"] })).await).await.key;
    for k in [&key, &second] {
        assert_eq!(app.get_as(k, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    }
    let suspended = app.post_as(&app.admin.key, &format!("/v1/accounts/{account}/suspend"), &json!(null)).await;
    let suspended: Account = suspended.json().await.unwrap();
    assert_eq!(suspended.status, AccountStatus::Suspended);
    for k in [&key, &second] {
        let problem = assert_problem(app.get_as(k, "/v1/assets/bitcoin").await, StatusCode::FORBIDDEN).await;
        assert_eq!(problem.error_code(), Some(ErrorCode::AccountSuspended));
    }
    let back = app.post_as(&app.admin.key, &format!("/v1/accounts/{account}/reactivate"), &json!(null)).await;
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(app.get_as(&key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);

    let own =
        app.post_as(&app.admin.key, &format!("/v1/accounts/{}/suspend", app.admin.account_id), &json!(null)).await;
    assert_eq!(own.status(), StatusCode::BAD_REQUEST, "the operator cannot lock itself out");
    let not_admin = app.post_as(&key, &format!("/v1/accounts/{account}/suspend"), &json!(null)).await;
    assert_eq!(not_admin.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn revoke_all_keys_is_an_emergency_stop() {
    let app = TestApp::spawn().await;
    let (account, key) = app.new_account_with_key("leaky", &["read", "keys"]).await;
    app.post_as(&key, "/v1/keys", &json!({ "name": "b", "scopes": ["read"] })).await;
    let revoked = app.post_as(&key, &format!("/v1/accounts/{account}/revoke-all-keys"), &json!(null)).await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let revoked: altgate_protocol::RevokedKeys = revoked.json().await.unwrap();
    assert_eq!(revoked.revoked.len(), 2);
    let problem = assert_problem(app.get_as(&key, "/v1/assets/bitcoin").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::KeyRevoked));
    assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK, "other accounts are untouched");
    app.stop().await;
}

#[tokio::test]
async fn admins_create_accounts_and_override_limits() {
    let app = TestApp::spawn().await;
    let created = app
        .post_as(&app.admin.key, "/v1/accounts", &json!({ "name": "fund", "plan": "gold", "rate_per_minute": 42 }))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let account: Account = created.json().await.unwrap();
    assert_eq!((account.plan, account.rate_per_minute, account.rate_overridden), (Plan::Gold, 42, true));
    assert_eq!(account.monthly_quota, app.config.plans.gold.monthly_quota);

    let patched = app
        .call(
            reqwest::Method::PATCH,
            &format!("/v1/accounts/{}", account.id),
            &app.admin.key,
            Some(&json!({ "rate_per_minute": null, "plan": "silver" })),
        )
        .send()
        .await
        .unwrap();
    let account: Account = patched.json().await.unwrap();
    assert_eq!((account.plan, account.rate_overridden), (Plan::Silver, false));
    assert_eq!(account.rate_per_minute, app.config.plans.silver.rate_per_minute);

    let own: Account =
        app.get_as(&app.read_key, &format!("/v1/accounts/{}", app.read_account)).await.json().await.unwrap();
    assert_eq!(own.id.as_str(), app.read_account);
    let refused = app.post_as(&app.read_key, "/v1/accounts", &json!({ "name": "x" })).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}
