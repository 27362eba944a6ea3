//! The SDK against a real server started in process on port 0.

#![allow(clippy::unwrap_used)]

mod common;

use altgate_client::protocol::{ErrorCode, Interval};
use altgate_client::{Client, OhlcvQuery};
use common::{SERVER_NOW, minute, minute_of, server, server_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_a_wrong_clock_resyncs_once_and_goes_on() {
    let server = server().await;
    let client = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
    assert_eq!(client.clock_offset_ms(), 0);
    // Signed with this machine's clock, eleven months after the server's:
    // refused, re-synced, signed again with a new nonce, answered.
    let prices = client.prices(&[]).await.unwrap();
    assert!(prices.data.is_empty());
    let offset = client.clock_offset_ms();
    let local = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert!((local + offset - SERVER_NOW).abs() < 5_000, "offset {offset}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn market_methods_return_typed_answers_and_typed_errors() {
    let server = server().await;
    for i in 0..30 {
        server.platform.apply_feed_update(minute(i, 100.0 + i as f64)).await.unwrap();
    }
    let client = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
    client.sync_clock().await.unwrap();

    let prices = client.prices(&["bitcoin"]).await.unwrap();
    assert_eq!(prices.data[0].price, 129.0);
    let mut query = OhlcvQuery::new(Interval::M1);
    query.limit = Some(20);
    let first = client.ohlcv("bitcoin", &query).await.unwrap();
    assert_eq!(first.data.len(), 20);
    query.cursor = first.next_cursor.clone();
    let second = client.ohlcv("bitcoin", &query).await.unwrap();
    assert_eq!(second.data.len(), 10);
    assert_eq!(second.data[0].open_time.as_millis(), first.data[19].open_time.as_millis() + 60_000);
    let indicators = client.indicators("bitcoin", Interval::M1, "sma(5)").await.unwrap();
    assert_eq!(indicators.series[0].values.iter().flatten().count(), 26);

    let error = client.ohlcv("no-such-coin", &OhlcvQuery::new(Interval::M1)).await.unwrap_err();
    assert_eq!((error.code(), error.status()), (Some(ErrorCode::AssetNotFound), Some(404)));
    let error = client.risk("ethereum", Interval::D1, 30, None).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NoMarketData));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_replaced_without_a_failed_call() {
    let server = server().await;
    let admin = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
    admin.sync_clock().await.unwrap();
    let request = |body: serde_json::Value| serde_json::from_value(body).unwrap();
    let bot_key = admin.create_key(&request(serde_json::json!({"name": "bot", "scopes": ["read", "keys"]}))).await;
    let bot_key = bot_key.unwrap();
    let bot = Client::new(&server.url, bot_key.info.id.as_str(), bot_key.key.as_deref().unwrap()).unwrap();
    bot.sync_clock().await.unwrap();
    bot.prices(&[]).await.unwrap();

    // Rotated with no grace: the old key is expired at once. The bot was
    // given the successor and switches on `key_expired`, inside the call.
    let successor = admin.rotate_key(&bot_key.info.id, 0).await.unwrap();
    bot.set_next_key(successor.info.id.as_str(), successor.key.as_deref().unwrap()).unwrap();
    bot.prices(&[]).await.unwrap();
    assert_eq!(bot.key_id(), Some(successor.info.id.clone()));

    // From a credentials file: rewriting it is enough.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("altgate.toml");
    let write = |id: &str, key: &str| std::fs::write(&path, format!("key_id = \"{id}\"\nkey = \"{key}\"\n")).unwrap();
    write(successor.info.id.as_str(), successor.key.as_deref().unwrap());
    let from_file = Client::with_credentials_file(&server.url, &path).unwrap();
    from_file.sync_clock().await.unwrap();
    from_file.prices(&[]).await.unwrap();
    let third = admin.rotate_key(&successor.info.id, 0).await.unwrap();
    write(third.info.id.as_str(), third.key.as_deref().unwrap());
    from_file.prices(&[]).await.unwrap();
    assert_eq!(from_file.key_id(), Some(third.info.id.clone()));

    // Without a successor the refusal is the caller's, with its code.
    let stale = Client::new(&server.url, bot_key.info.id.as_str(), bot_key.key.as_deref().unwrap()).unwrap();
    stale.sync_clock().await.unwrap();
    assert_eq!(stale.prices(&[]).await.unwrap_err().code(), Some(ErrorCode::KeyExpired));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ed25519_client_signs_with_a_key_the_server_never_sees() {
    let server = server().await;
    let admin = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
    admin.sync_clock().await.unwrap();
    let (seed, public_key) = altgate_client::generate_ed25519().unwrap();
    let body =
        serde_json::json!({"name": "signer", "scopes": ["read"], "signing": "ed25519", "public_key": public_key});
    let created = admin.create_key(&serde_json::from_value(body).unwrap()).await.unwrap();
    assert!(created.key.is_none(), "no secret exists for an Ed25519 key");
    let client = Client::with_ed25519(&server.url, created.info.id.as_str(), &seed).unwrap();
    client.sync_clock().await.unwrap();
    client.prices(&[]).await.unwrap();
    let (other_seed, _) = altgate_client::generate_ed25519().unwrap();
    let impostor = Client::with_ed25519(&server.url, created.info.id.as_str(), &other_seed).unwrap();
    impostor.sync_clock().await.unwrap();
    assert_eq!(impostor.prices(&[]).await.unwrap_err().code(), Some(ErrorCode::SignatureInvalid));
}

/// One thread runs the server and the client, so updates applied without
/// yielding overrun a connection's queue deterministically.
#[tokio::test]
async fn the_stream_reports_a_lost_connection_and_resubscribes() {
    use altgate_client::StreamEvent;
    use altgate_client::protocol::stream::ServerBody;

    let server = server_with(|c| c.market.stream_buffer = 4).await;
    let client = Client::new(&server.url, server.admin.key_id.as_str(), &server.admin.key).unwrap();
    client.sync_clock().await.unwrap();
    let mut stream = client.stream(&["ticker:bitcoin".parse().unwrap()]).await.unwrap();
    let StreamEvent::Message(subscribed) = stream.next().await.unwrap() else { panic!() };
    assert_eq!(subscribed.seq, 2);
    assert!(matches!(subscribed.body, ServerBody::Subscribed { .. }));

    server.platform.apply_feed_update(minute_of(0, 100.0, false)).await.unwrap();
    let StreamEvent::Message(ticker) = stream.next().await.unwrap() else { panic!() };
    assert_eq!(ticker.seq, 3);
    let ServerBody::Ticker { data, .. } = ticker.body else { panic!("{ticker:?}") };
    assert_eq!(data.price, 100.0);

    // Twenty updates at once overrun a queue of four: the server closes
    // the connection with 4008, the client reconnects and resubscribes.
    for i in 0..20 {
        server.platform.apply_feed_update(minute_of(0, 101.0 + f64::from(i), false)).await.unwrap();
    }
    let reconnected = loop {
        match stream.next().await.unwrap() {
            StreamEvent::Reconnected { close_code } => break close_code,
            StreamEvent::Message(_) | StreamEvent::Gap { .. } => {}
        }
    };
    assert_eq!(reconnected, Some(4008));
    let StreamEvent::Message(again) = stream.next().await.unwrap() else { panic!() };
    assert_eq!(again.seq, 2, "a new connection counts from 1 (ready), then subscribed");
    server.platform.apply_feed_update(minute_of(0, 150.0, false)).await.unwrap();
    let StreamEvent::Message(ticker) = stream.next().await.unwrap() else { panic!() };
    let ServerBody::Ticker { data, .. } = ticker.body else { panic!("{ticker:?}") };
    assert_eq!(data.price, 150.0);
}
