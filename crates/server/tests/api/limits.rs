use std::time::Duration;

use altgate_protocol::ErrorCode;
use altgate_server::config::PlanLimits;
use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_problem, test_config};

async fn app_with_free_plan(limits: PlanLimits) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config();
    config.data_dir = dir.path().to_owned();
    config.plans.free = limits;
    (TestApp::spawn_with(config).await, dir)
}

/// A client hammering for one simulated minute is admitted within 5% of
/// the plan's per-minute limit.
#[tokio::test]
async fn rate_limits_admit_the_limit_per_minute_within_five_percent() {
    let limit = 120;
    let (app, _dir) = app_with_free_plan(PlanLimits { rate_per_minute: limit, monthly_quota: 1_000_000 }).await;
    let mut admitted = 0u32;
    let mut limited = 0u32;
    for _ in 0..600 {
        for _ in 0..3 {
            match app.get("/v1/assets/bitcoin").await.status() {
                StatusCode::OK => admitted += 1,
                StatusCode::TOO_MANY_REQUESTS => limited += 1,
                other => panic!("{other}"),
            }
        }
        app.clock.advance(Duration::from_millis(100));
    }
    let ratio = f64::from(admitted) / f64::from(limit);
    assert!((0.95..=1.05).contains(&ratio), "admitted {admitted} of {limit} ({ratio:.3}), limited {limited}");
    assert!(limited > 0);
    app.stop().await;
}

#[tokio::test]
async fn responses_carry_ratelimit_headers_and_429s_say_when_to_retry() {
    let (app, _dir) = app_with_free_plan(PlanLimits { rate_per_minute: 60, monthly_quota: 1_000 }).await;
    let first = app.get("/v1/assets/bitcoin").await;
    let policy = first.headers()["ratelimit-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("\"minute\";q=60;w=60"), "{policy}");
    assert!(policy.contains("\"month\";q=1000"), "{policy}");
    let budget = first.headers()["ratelimit"].to_str().unwrap().to_owned();
    assert!(budget.starts_with("\"minute\";r="), "{budget}");

    // One request per second is the rate; a second one now is over it.
    let limited = app.get("/v1/assets/bitcoin").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert!(limited.headers().contains_key("ratelimit"));
    let problem = assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::RateLimited));
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK, "after Retry-After it works");
    app.stop().await;
}

#[tokio::test]
async fn the_monthly_quota_is_enforced_and_renews_next_month() {
    let (app, _dir) = app_with_free_plan(PlanLimits { rate_per_minute: 1_000_000, monthly_quota: 5 }).await;
    for _ in 0..5 {
        assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK);
    }
    let exhausted = app.get("/v1/assets/bitcoin").await;
    let retry_after: i64 = exhausted.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    // The test clock starts at 2026-01-01T00:00:00Z: 31 days to February.
    assert_eq!(retry_after, 31 * 86_400);
    let problem = assert_problem(exhausted, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::QuotaExhausted));
    app.clock.advance(Duration::from_secs(31 * 86_400));
    assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK, "a new month, a new quota");
    app.stop().await;
}

#[tokio::test]
async fn the_quota_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config();
    config.data_dir = dir.path().to_owned();
    config.plans.free = PlanLimits { rate_per_minute: 1_000_000, monthly_quota: 4 };
    let app = TestApp::spawn_with(config.clone()).await;
    let key = app.read_key.clone();
    for _ in 0..3 {
        assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK);
    }
    app.stop().await;
    let app = TestApp::spawn_with(config).await;
    assert_eq!(app.get_as(&key, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    assert_eq!(app.get_as(&key, "/v1/assets/bitcoin").await.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_can_give_one_key_a_quota_of_its_own() {
    let app = TestApp::spawn().await;
    let body = serde_json::json!({ "name": "metered", "scopes": ["read"], "account_id": app.read_account, "monthly_quota": 2 });
    let metered = app.created(app.post_as(&app.admin.key, "/v1/keys", &body).await).await.key;
    for _ in 0..2 {
        assert_eq!(app.get_as(&metered, "/v1/assets/bitcoin").await.status(), StatusCode::OK);
    }
    let refused = app.get_as(&metered, "/v1/assets/bitcoin").await;
    assert!(refused.headers()["ratelimit-policy"].to_str().unwrap().contains("\"month\";q=2;"));
    let problem = assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::QuotaExhausted));
    assert_eq!(app.get("/v1/assets/bitcoin").await.status(), StatusCode::OK, "the account's other key goes on");

    let (_, manager) = app.new_account_with_key("manager", &["read", "keys"]).await;
    let own = serde_json::json!({ "name": "greedy", "scopes": ["read"], "monthly_quota": 1_000_000_000 });
    let problem = assert_problem(app.post_as(&manager, "/v1/keys", &own).await, StatusCode::FORBIDDEN).await;
    assert_eq!(problem.error_code(), Some(ErrorCode::InsufficientScope), "only admins override limits");
    app.stop().await;
}
