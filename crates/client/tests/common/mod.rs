//! A real server started in process on port 0, on a clock the test drives,
//! and what the tests build on it.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use altgate_client::Client;
use altgate_client::protocol::{AssetId, CreatedKey, Interval, Source};
use altgate_market::{Candle, CandleParts};
use altgate_server::feeds::FeedUpdate;
use altgate_server::{Application, Bootstrap, Config, ManualClock, Platform};

/// 2026-01-01T00:00:00Z: the server's clock, far from this machine's.
pub(crate) const SERVER_NOW: i64 = 1_767_225_600_000;
pub(crate) const DAY_MS: i64 = 86_400_000;

pub(crate) struct Server {
    pub(crate) url: String,
    pub(crate) platform: Platform,
    pub(crate) admin: Bootstrap,
    pub(crate) clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

pub(crate) async fn server() -> Server {
    server_at(SERVER_NOW, |_| {}).await
}

pub(crate) async fn server_with(adjust: impl FnOnce(&mut Config)) -> Server {
    server_at(SERVER_NOW, adjust).await
}

/// A server whose clock reads `now_ms` (and stays there until the test
/// moves it).
pub(crate) async fn server_at(now_ms: i64, adjust: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config { data_dir: dir.path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Config::default() };
    adjust(&mut config);
    let clock = Arc::new(ManualClock::new(now_ms));
    let platform = Platform::open(config.clone(), clock.clone()).await.unwrap();
    let admin = platform.bootstrap_admin().await.unwrap();
    platform.close().await;
    let app = Application::build_with_clock(config, clock.clone()).await.unwrap();
    let url = format!("http://{}", app.local_addr());
    let platform = app.platform().clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    Server { url, platform, admin, clock, _dir: dir }
}

impl Server {
    /// The admin key's client, its clock in step with the server's.
    pub(crate) async fn admin_client(&self) -> Client {
        let client = Client::new(&self.url, self.admin.key_id.as_str(), &self.admin.key).unwrap();
        client.sync_clock().await.unwrap();
        client
    }
}

/// Creates a key from its JSON request.
pub(crate) async fn create_key(admin: &Client, body: serde_json::Value) -> CreatedKey {
    admin.create_key(&serde_json::from_value(body).unwrap()).await.unwrap()
}

/// The secret of a created HMAC or bearer key.
pub(crate) fn secret(key: &CreatedKey) -> &str {
    key.key.as_deref().unwrap()
}

/// This machine's clock, in Unix ms.
pub(crate) fn local_now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A closed bitcoin minute candle, `i` minutes after an hour before the
/// server's time.
pub(crate) fn minute(i: i64, close: f64) -> FeedUpdate {
    minute_of(i, close, true)
}

pub(crate) fn minute_of(i: i64, close: f64, closed: bool) -> FeedUpdate {
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
        closed,
        source: Source::Binance,
    }
}

/// A CSV file of `days` daily candles ending the day before the server's
/// time, the close following `close(day)`.
pub(crate) fn daily_csv(days: i64, close: impl Fn(i64) -> f64) -> Vec<u8> {
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    let first = SERVER_NOW - days * DAY_MS;
    for day in 0..days {
        let (open, close) = (if day == 0 { close(0) } else { close(day - 1) }, close(day));
        let (high, low) = (open.max(close) * 1.01, open.min(close) * 0.99);
        text.push_str(&format!("{},{open},{high},{low},{close},{}\n", first + day * DAY_MS, 1000 + day));
    }
    text.into_bytes()
}
