//! A 429 is waited out once when `Retry-After` is short, and handed back at
//! once when it is not.

#![allow(clippy::unwrap_used)]

mod common;

use altgate_client::Client;
use altgate_client::protocol::{ErrorCode, SignupRequest};
use common::{secret, server_with};

/// How many `GET /v1/prices` the server answered with `status`, from its
/// Prometheus text.
async fn prices_answered(admin: &Client, status: u16) -> u64 {
    let metrics = admin.metrics().await.unwrap();
    let wanted = format!("status=\"{status}\"");
    metrics
        .lines()
        .filter(|line| line.starts_with("altgate_http_requests_total{") && line.contains("route=\"/v1/prices\""))
        .filter(|line| line.contains(&wanted))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_retry_after_is_waited_out_once_and_a_long_one_is_returned() {
    // For the free plan one request a second, and a month of 12 requests;
    // the operator's metrics polling is never limited.
    let server = server_with(|c| {
        (c.plans.free.rate_per_minute, c.plans.free.monthly_quota) = (60, 12);
        c.plans.platinum.rate_per_minute = 10_000_000;
    })
    .await;
    let admin = server.admin_client().await;
    let open = Client::anonymous(&server.url).unwrap();
    let request = SignupRequest { name: "bot".parse().unwrap(), email: "bot@example.com".parse().unwrap() };
    let key = open.signup(&request).await.unwrap().key;

    // Spend the burst without the SDK, which would wait by itself.
    let raw = reqwest::Client::new();
    let refused = loop {
        let response = raw.get(format!("{}/v1/prices", server.url)).bearer_auth(secret(&key)).send().await.unwrap();
        if response.status() == 429 {
            break response;
        }
    };
    assert_eq!(refused.headers()["retry-after"], "1");

    // The SDK's call is refused too, and waits the second out; the server's
    // clock moves on meanwhile, so the retry is admitted.
    let refusals = prices_answered(&admin, 429).await;
    let bot = Client::bearer(&server.url, secret(&key)).unwrap();
    let call = tokio::spawn(async move { bot.prices(&[]).await });
    while prices_answered(&admin, 429).await == refusals {
        tokio::task::yield_now().await;
    }
    server.clock.advance(std::time::Duration::from_secs(60));
    let prices = call.await.unwrap();
    assert!(prices.is_ok(), "{prices:?}");
    assert_eq!(prices_answered(&admin, 429).await, refusals + 1, "refused once, then admitted");

    // A month's quota renews in weeks: the call returns at once, with the hint.
    let bot = Client::bearer(&server.url, secret(&key)).unwrap();
    let exhausted = loop {
        server.clock.advance(std::time::Duration::from_secs(60));
        if let Err(error) = bot.prices(&[]).await {
            break error;
        }
    };
    assert_eq!(exhausted.code(), Some(ErrorCode::QuotaExhausted));
    assert!(exhausted.retry_after_secs().unwrap() > 60, "{:?}", exhausted.retry_after_secs());
}
