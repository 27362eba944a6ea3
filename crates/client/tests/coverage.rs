//! Every public method of the SDK against a real server, each with an
//! assertion on its typed answer.

#![allow(clippy::unwrap_used)]

mod common;

use altgate_client::protocol::stream::ServerBody;
use altgate_client::protocol::{
    AccountStatus, AssetId, AuditAction, CreateAccountRequest, ErrorCode, HoldingInput, Interval, KeyStatus, Plan,
    PortfolioRequest, SignupRequest, Timestamp, UpdateAccountRequest,
};
use altgate_client::{AssetsQuery, AuditQuery, Client, ImportOptions, OhlcvQuery, StreamEvent};
use common::{DAY_MS, SERVER_NOW, create_key, daily_csv, minute_of, secret, server};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_endpoints_answer_in_their_types() {
    let server = server().await;
    let open = Client::anonymous(&server.url).unwrap();
    assert_eq!(open.health().await.unwrap().status, "ok");
    assert_eq!(open.ready().await.unwrap().status, "ready");
    assert_eq!(open.time().await.unwrap().server_time_ms, SERVER_NOW);
    let document = open.openapi().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
    assert!(document["paths"]["/v1/import"]["post"].is_object());
    let row = open.error_code_info(ErrorCode::SignatureRequired).await.unwrap();
    assert_eq!((row.code.as_str(), row.status), ("signature_required", 401));

    // Metrics are the operator's: its admin key reads them, a stranger's
    // key is refused.
    let admin = server.admin_client().await;
    let metrics = admin.metrics().await.unwrap();
    assert!(metrics.contains("# EOF"), "{metrics}");
    assert!(metrics.contains("/healthz"), "the requests above are counted by route");
    let request = SignupRequest { name: "stranger".parse().unwrap(), email: "s@example.com".parse().unwrap() };
    let signup = open.signup(&request).await.unwrap();
    assert_eq!((signup.account.plan, signup.account.admin), (Plan::Free, false));
    assert_eq!(signup.key.info.scopes.to_string(), "read");
    let stranger = Client::bearer(&server.url, secret(&signup.key)).unwrap();
    assert_eq!(stranger.metrics().await.unwrap_err().code(), Some(ErrorCode::InsufficientScope));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_is_read_a_page_at_a_time() {
    let server = server().await;
    let admin = server.admin_client().await;
    let reader_key = create_key(&admin, json!({"name": "reader", "scopes": ["read"]})).await;
    let reader = Client::bearer(&server.url, secret(&reader_key)).unwrap();

    let bitcoin = reader.asset("bitcoin").await.unwrap();
    assert_eq!((bitcoin.id.as_str(), bitcoin.symbol.as_str()), ("bitcoin", "BTC"));
    let mut query = AssetsQuery { limit: Some(2), ..AssetsQuery::default() };
    let first = reader.assets(&query).await.unwrap();
    assert_eq!(first.data.len(), 2);
    query.cursor = first.next_cursor;
    let second = reader.assets(&query).await.unwrap();
    assert_eq!(second.data.len(), 2);
    assert!(second.data.iter().all(|a| first.data.iter().all(|b| a.id != b.id)), "pages do not overlap");
    let categories = reader.categories().await.unwrap();
    assert!(!categories.data.is_empty());
    let category = categories.data.iter().find(|c| c.asset_count > 0).unwrap();
    let query = AssetsQuery { categories: vec![category.id], limit: Some(250), ..AssetsQuery::default() };
    let listed = reader.assets(&query).await.unwrap();
    assert_eq!(listed.data.len() as u64, category.asset_count);
    assert!(listed.data.iter().all(|asset| asset.categories.contains(&category.id)));
    let text = AssetsQuery { text: Some("bitcoin cash".to_owned()), ..AssetsQuery::default() };
    let found = reader.assets(&text).await.unwrap();
    assert!(!found.data.is_empty());
    assert!(found.data.iter().all(|asset| asset.name.to_lowercase().contains("bitcoin cash")), "{found:?}");
    assert_eq!(reader.asset("no-such-coin").await.unwrap_err().code(), Some(ErrorCode::AssetNotFound));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_and_keys_go_through_their_whole_life() {
    let server = server().await;
    let admin = server.admin_client().await;

    let request = CreateAccountRequest {
        name: "Acme".parse().unwrap(),
        email: None,
        plan: Some(Plan::Silver),
        rate_per_minute: None,
        monthly_quota: None,
    };
    let account = admin.create_account(&request).await.unwrap();
    assert_eq!((account.plan, account.status), (Plan::Silver, AccountStatus::Active));
    assert_eq!(admin.account(&account.id).await.unwrap(), account);
    let update =
        UpdateAccountRequest { plan: Some(Plan::Gold), rate_per_minute: Some(Some(600)), ..Default::default() };
    let updated = admin.update_account(&account.id, &update).await.unwrap();
    assert_eq!((updated.plan, updated.rate_per_minute, updated.rate_overridden), (Plan::Gold, 600, true));

    let body = json!({"name": "acme-bot", "scopes": ["read", "keys"], "account_id": account.id});
    let bot = create_key(&admin, body).await;
    assert_eq!((bot.info.version, bot.info.status), (1, KeyStatus::Active));
    assert_eq!(admin.key(&bot.info.id).await.unwrap().name.as_str(), "acme-bot");
    let listed = admin.list_keys(Some(&account.id), None).await.unwrap();
    assert_eq!(listed.data.iter().map(|k| &k.id).collect::<Vec<_>>(), vec![&bot.info.id]);

    // The bot itself, signed, sees its own account and uses its key.
    let bot_client = Client::new(&server.url, bot.info.id.as_str(), secret(&bot)).unwrap();
    bot_client.sync_clock().await.unwrap();
    assert_eq!(bot_client.account(&account.id).await.unwrap().id, account.id);
    let usage = admin.key_usage(&bot.info.id).await.unwrap();
    assert_eq!(usage.family.len(), 1);
    assert_eq!(usage.family[0].minutes.iter().map(|m| m.requests).sum::<u64>(), 1);

    let successor = admin.rotate_key(&bot.info.id, 3600).await.unwrap();
    assert_eq!(successor.info.version, 2);
    assert_eq!(successor.info.rotated_from.as_ref(), Some(&bot.info.id));
    assert_eq!(admin.key(&bot.info.id).await.unwrap().status, KeyStatus::Expiring);
    let retired = admin.expire_key(&bot.info.id, Timestamp::from_millis(0)).await.unwrap();
    assert_eq!(retired.status, KeyStatus::Expired);
    let revoked = admin.revoke_key(&successor.info.id).await.unwrap();
    assert_eq!(revoked.status, KeyStatus::Revoked);

    let suspended = admin.suspend_account(&account.id).await.unwrap();
    assert_eq!(suspended.status, AccountStatus::Suspended);
    let reactivated = admin.reactivate_account(&account.id).await.unwrap();
    assert_eq!(reactivated.status, AccountStatus::Active);
    let spare = create_key(&admin, json!({"name": "spare", "scopes": ["read"], "account_id": account.id})).await;
    let mut stopped = admin.revoke_all_keys(&account.id).await.unwrap().revoked;
    stopped.sort();
    // Every key not revoked yet: the expired one too, never the revoked one.
    let mut expected = vec![bot.info.id.clone(), spare.info.id.clone()];
    expected.sort();
    assert_eq!(stopped, expected);

    let trail = admin.audit(&AuditQuery { account_id: Some(account.id.clone()), ..AuditQuery::default() }).await;
    let trail = trail.unwrap();
    let actions: Vec<AuditAction> = trail.data.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::AccountCreated,
            AuditAction::AccountUpdated,
            AuditAction::KeyCreated,
            AuditAction::KeyRotated,
            AuditAction::KeyExpiredEarly,
            AuditAction::KeyRevoked,
            AuditAction::AccountSuspended,
            AuditAction::AccountReactivated,
            AuditAction::KeyCreated,
            AuditAction::AllKeysRevoked,
        ]
    );
    assert!(trail.data.iter().all(|e| e.actor_key_id.as_ref() == Some(&server.admin.key_id)));
}

fn holding(id: &str, usd: f64) -> HoldingInput {
    HoldingInput { asset_id: AssetId::parse(id).unwrap(), quantity: None, value_usd: Some(usd) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn market_data_and_analytics_over_an_imported_history() {
    let server = server().await;
    let admin = server.admin_client().await;
    let days = 400;
    let bitcoin_file = daily_csv(days, |d| 30_000.0 * (1.0 + 0.002 * d as f64 + 0.03 * (d as f64 / 7.0).sin()));
    let imported = admin.import("bitcoin", &ImportOptions::default(), &bitcoin_file).await.unwrap();
    assert_eq!((imported.rows, imported.candles, imported.written, imported.rejected), (400, 400, 400, 0));
    assert_eq!(imported.interval, Interval::D1);
    let again = admin.import("bitcoin", &ImportOptions::default(), &bitcoin_file).await.unwrap();
    assert_eq!(again.written, 0, "the same file again changes nothing");
    let ethereum_file = daily_csv(days, |d| 2_000.0 * (1.0 + 0.001 * d as f64 + 0.05 * (d as f64 / 5.0).cos()));
    let options = ImportOptions { interval: Some(Interval::D1), symbol: None };
    assert_eq!(admin.import("ethereum", &options, &ethereum_file).await.unwrap().candles, 400);
    let unknown = admin.import("no-such-coin", &options, &ethereum_file).await.unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::AssetNotFound));

    let reader_key = create_key(&admin, json!({"name": "reader", "scopes": ["read"]})).await;
    let reader = Client::bearer(&server.url, secret(&reader_key)).unwrap();
    let refused = reader.import("bitcoin", &options, &bitcoin_file).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::InsufficientScope));

    let last_close = 30_000.0 * (1.0 + 0.002 * 399.0 + 0.03 * (399.0f64 / 7.0).sin());
    let prices = reader.prices(&["bitcoin", "ethereum"]).await.unwrap();
    assert_eq!(prices.data.len(), 2);
    let bitcoin = prices.data.iter().find(|t| t.asset_id.as_str() == "bitcoin").unwrap();
    assert!((bitcoin.price - last_close).abs() < 1e-6, "{} {last_close}", bitcoin.price);

    let mut query = OhlcvQuery::new(Interval::D1);
    query.start = Some(Timestamp::from_millis(SERVER_NOW - 10 * DAY_MS));
    let candles = reader.ohlcv("bitcoin", &query).await.unwrap();
    assert_eq!(candles.data.len(), 10);
    assert_eq!(candles.data[9].open_time.as_millis(), SERVER_NOW - DAY_MS);

    let indicators = reader.indicators("bitcoin", Interval::D1, "sma(10),rsi(14)").await.unwrap();
    assert_eq!(indicators.series.len(), 2);
    assert_eq!(indicators.series[0].values.iter().flatten().count(), indicators.open_times.len() - 9);
    let signals = reader.signals("bitcoin", Interval::D1).await.unwrap();
    assert!(!signals.strategies.is_empty());
    assert!(["bullish", "bearish", "neutral"].contains(&signals.strategies[0].signal.direction.as_str()));
    let grades = reader.grades("bitcoin").await.unwrap();
    assert_eq!(grades.asset_id.as_str(), "bitcoin");
    assert!(grades.investor.is_some() || grades.trader.is_some());

    let risk = reader.risk("ethereum", Interval::D1, 90, Some("bitcoin")).await.unwrap();
    assert_eq!((risk.window, risk.interval), (90, Interval::D1));
    assert_eq!(risk.benchmark.as_ref().map(|b| b.asset_id.as_str()), Some("bitcoin"));
    assert!(risk.annual_volatility.value.unwrap() > 0.0);
    let alone = reader.risk("ethereum", Interval::D1, 90, None).await.unwrap();
    assert!(alone.benchmark.is_none());

    let correlations = reader.correlations(&["bitcoin", "ethereum"], 90).await.unwrap();
    assert_eq!(correlations.ids.len(), 2);
    assert!((correlations.matrix[0][0].unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(correlations.matrix[0][1], correlations.matrix[1][0]);

    let request = PortfolioRequest { holdings: vec![holding("bitcoin", 6e4), holding("ethereum", 3e4)], window: None };
    let analysis = reader.analyze_portfolio(&request).await.unwrap();
    assert_eq!(analysis.total_value_usd, 9e4);
    assert_eq!(analysis.largest.name, "bitcoin");
    assert!((analysis.largest.weight - 2.0 / 3.0).abs() < 1e-9);
    assert!((analysis.hhi - (4.0 / 9.0 + 1.0 / 9.0)).abs() < 1e-6, "{}", analysis.hhi);
}

/// One thread runs the server and the client, so every update reaches the
/// stream before the next one is applied.
#[tokio::test]
async fn a_stream_subscribes_and_unsubscribes_with_a_bearer_key() {
    let server = server().await;
    let admin = server.admin_client().await;
    let reader_key = create_key(&admin, json!({"name": "reader", "scopes": ["read"]})).await;
    let reader = Client::bearer(&server.url, secret(&reader_key)).unwrap();

    let mut stream = reader.stream(&[]).await.unwrap();
    assert!(stream.channels().is_empty());
    let ticker = "ticker:bitcoin".parse().unwrap();
    stream.subscribe(std::slice::from_ref(&ticker)).await.unwrap();
    let StreamEvent::Message(subscribed) = stream.next().await.unwrap() else { panic!("a message") };
    assert_eq!(subscribed.body, ServerBody::Subscribed { channels: vec![ticker.clone()] });

    server.platform.apply_feed_update(minute_of(0, 123.0, false)).await.unwrap();
    let StreamEvent::Message(message) = stream.next().await.unwrap() else { panic!("a message") };
    let ServerBody::Ticker { data, .. } = message.body else { panic!("{message:?}") };
    assert_eq!(data.price, 123.0);

    stream.unsubscribe(std::slice::from_ref(&ticker)).await.unwrap();
    assert!(stream.channels().is_empty());
    let StreamEvent::Message(unsubscribed) = stream.next().await.unwrap() else { panic!("a message") };
    assert_eq!(unsubscribed.body, ServerBody::Unsubscribed { channels: vec![] });
}
