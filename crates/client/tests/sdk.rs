//! The SDK against a real server started in process on port 0.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use altgate_client::protocol::{AssetId, ErrorCode, Interval, Source};
use altgate_client::{Client, OhlcvQuery};
use altgate_market::{Candle, CandleParts};
use altgate_server::feeds::FeedUpdate;
use altgate_server::{Application, Config, ManualClock, Platform};

/// 2026-01-01T00:00:00Z: the server's clock, far from this machine's.
const SERVER_NOW: i64 = 1_767_225_600_000;

struct Server {
    url: String,
    platform: Platform,
    admin: altgate_server::Bootstrap,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config =
        Config { data_dir: dir.path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Config::default() };
    let clock = Arc::new(ManualClock::new(SERVER_NOW));
    let platform = Platform::open(config.clone(), clock.clone()).await.unwrap();
    let admin = platform.bootstrap_admin().await.unwrap();
    platform.close().await;
    let app = Application::build_with_clock(config, clock).await.unwrap();
    let url = format!("http://{}", app.local_addr());
    let platform = app.platform().clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    Server { url, platform, admin, _dir: dir }
}

fn minute(i: i64, close: f64) -> FeedUpdate {
    let parts = CandleParts {
        open_time: SERVER_NOW - 3_600_000 + i * 60_000,
        open: close,
        high: close + 1.0,
        low: close - 1.0,
        close,
        volume: 1.0,
        quote_volume: None,
        trades: None,
    };
    FeedUpdate {
        asset: AssetId::parse("bitcoin").unwrap(),
        interval: Interval::M1,
        candle: Candle::new(Interval::M1, parts).unwrap(),
        closed: true,
        source: Source::Binance,
    }
}

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
    let error = client.risk("ethereum", 30, None).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NoMarketData));
}
