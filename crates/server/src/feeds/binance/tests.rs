//! The connector against the local replay server: real recorded Binance
//! frames and klines, dropped connections, ageing connections, rate limits
//! and shutdown. Waits are event-driven (a channel, a watch) under a
//! generous timeout; the only real-time durations are the shortened
//! connection-age and silence limits of the tests that are about them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use altgate_market::CandleParts;
use altgate_protocol::{AssetId, Interval, Source};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::replay::{ConnEvent, Fault, Fixture, Replay, SYMBOL, Script};
use super::{BinanceError, Feed, Settings, run, validate};
use crate::clock::ManualClock;
use crate::config::BinanceConfig;
use crate::feeds::FeedUpdate;

/// The bound on every event-driven wait; normally met in milliseconds.
const WAIT: Duration = Duration::from_secs(10);
/// How soon `run` must return once shut down.
const PROMPT: Duration = Duration::from_secs(2);

fn asset(id: &str) -> AssetId {
    AssetId::parse(id).expect("valid asset id")
}

/// BTCUSDT (the fixture klines), ETHUSDT (nothing on the stream) and
/// LRCBTC (one recorded kline), with tiny reconnect delays.
fn config(ws_url: String, rest_url: String) -> BinanceConfig {
    let symbols = [("BTCUSDT", "bitcoin"), ("ETHUSDT", "ethereum"), ("LRCBTC", "loopring")]
        .into_iter()
        .map(|(symbol, id)| (symbol.to_owned(), asset(id)))
        .collect();
    BinanceConfig {
        symbols,
        ws_url,
        rest_url,
        interval: Interval::M1,
        max_connection_secs: 23 * 3600,
        reconnect_min_ms: 5,
        reconnect_max_ms: 50,
    }
}

fn replay_config(replay: &Replay) -> BinanceConfig {
    config(replay.ws_url(), replay.rest_url())
}

/// The fixture klines `range` as candle values, read straight from the rows.
fn expected(fixture: &Fixture, range: std::ops::Range<usize>) -> Vec<CandleParts> {
    range
        .map(|index| {
            let row = &fixture.rows[index];
            let decimal = |i: usize| row[i].as_str().expect("decimal string").parse::<f64>().expect("decimal");
            CandleParts {
                open_time: row[0].as_i64().expect("open time"),
                open: decimal(1),
                high: decimal(2),
                low: decimal(3),
                close: decimal(4),
                volume: decimal(5),
                quote_volume: Some(decimal(7)),
                trades: Some(row[8].as_u64().expect("trades")),
            }
        })
        .collect()
}

fn closed_of(updates: &[FeedUpdate], id: &str) -> Vec<CandleParts> {
    updates.iter().filter(|update| update.closed && update.asset.as_str() == id).map(|u| u.candle.parts()).collect()
}

/// Every update is a Binance 1m update, and no open update of a candle
/// comes after that candle closed.
fn assert_well_ordered(updates: &[FeedUpdate]) {
    let mut closed = HashSet::new();
    for update in updates {
        assert_eq!(update.source, Source::Binance);
        assert_eq!(update.interval, Interval::M1);
        let key = (update.asset.clone(), update.candle.open_time());
        if update.closed {
            assert!(closed.insert(key), "closed twice: {update:?}");
        } else {
            assert!(!closed.contains(&key), "open update after its candle closed: {update:?}");
        }
    }
}

/// Closed candles of `id` step one minute at a time.
fn assert_contiguous(updates: &[FeedUpdate], id: &str) {
    let times: Vec<i64> = closed_of(updates, id).iter().map(|parts| parts.open_time).collect();
    for pair in times.windows(2) {
        assert_eq!(pair[1] - pair[0], 60_000, "gap or duplicate in {times:?}");
    }
}

/// A connector running against a server, with its updates gathered.
struct Running {
    updates: mpsc::Receiver<FeedUpdate>,
    received: Vec<FeedUpdate>,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

/// Starts the connector with the clock after the last fixture kline, so
/// every kline REST serves has closed.
fn start(
    fixture: &Fixture,
    config: BinanceConfig,
    resume: HashMap<AssetId, i64>,
    tune: impl FnOnce(&mut Settings),
) -> Running {
    let clock = Arc::new(ManualClock::new(fixture.open_time(fixture.rows.len() - 1) + 65_000));
    let (sender, updates) = mpsc::channel(16);
    let shutdown = CancellationToken::new();
    let mut feed = Feed::new(config, clock, resume, sender, shutdown.clone()).expect("valid configuration");
    tune(&mut feed.settings);
    let task = tokio::spawn(feed.run());
    Running { updates, received: Vec::new(), shutdown, task }
}

impl Running {
    /// Receives until `n` closed candles of `id` have arrived in all.
    async fn until_closed(&mut self, id: &str, n: usize) {
        let (updates, received) = (&mut self.updates, &mut self.received);
        let gather = async {
            while closed_of(received, id).len() < n {
                received.push(updates.recv().await.expect("the connector is running"));
            }
        };
        if tokio::time::timeout(WAIT, gather).await.is_err() {
            let got: Vec<(bool, &str, i64)> =
                self.received.iter().map(|u| (u.closed, u.asset.as_str(), u.candle.open_time())).collect();
            panic!("timed out waiting for {n} closed candles of {id}; got {got:?}");
        }
    }

    /// Shuts the connector down, which must return promptly, and returns
    /// everything it sent.
    async fn stop(mut self) -> Vec<FeedUpdate> {
        self.shutdown.cancel();
        tokio::time::timeout(PROMPT, self.task).await.expect("run returns promptly").expect("run does not panic");
        while let Ok(update) = self.updates.try_recv() {
            self.received.push(update);
        }
        self.received
    }
}

fn btc_requests(replay: &Replay) -> Vec<(Option<i64>, u16)> {
    replay.rest_requests().into_iter().filter(|r| r.symbol == SYMBOL).map(|r| (r.start_time, r.status)).collect()
}

const STREAMS: &str = "btcusdt@kline_1m/ethusdt@kline_1m/lrcbtc@kline_1m";

#[tokio::test]
async fn replays_a_recorded_session_across_a_dropped_connection() {
    let Some(fixture) = Fixture::load() else { return };
    let script = Script::default()
        .await_connections(1)
        .klines(&fixture, 0..2)
        .ping(b"still there?")
        .klines(&fixture, 2..4)
        .gate()
        .drop_all()
        .missed(4..6)
        .await_connections(2)
        .frame("this is not JSON")
        .frame(r#"{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":{"t":"soon"}}}"#)
        .klines(&fixture, 6..10);
    let replay = Replay::start(&fixture, script).await;
    let mut feed = start(&fixture, replay_config(&replay), HashMap::new(), |_| {});
    feed.until_closed("bitcoin", 4).await;
    replay.release();
    feed.until_closed("bitcoin", 10).await;
    let updates = feed.stop().await;

    // Every real kline, once, in order, with its exact values, although
    // two of them closed while the connector was disconnected.
    assert_eq!(closed_of(&updates, "bitcoin"), expected(&fixture, 0..10));
    assert_contiguous(&updates, "bitcoin");
    assert_well_ordered(&updates);
    let first_open = updates.iter().position(|u| !u.closed && u.candle.open_time() == fixture.open_time(0));
    let first_closed = updates.iter().position(|u| u.closed && u.candle.open_time() == fixture.open_time(0));
    assert!(first_open.is_some() && first_open < first_closed, "the live price of the first kline went out first");
    // The backfill after the reconnect started right after the last closed candle seen.
    assert!(btc_requests(&replay).contains(&(Some(fixture.open_time(4)), 200)), "{:?}", btc_requests(&replay));
    // The ping was answered with its payload.
    assert_eq!(replay.pongs(), [b"still there?".to_vec()]);
    // Both connections asked for exactly the configured streams, and the
    // malformed frames on the second one did not cost a reconnect.
    assert_eq!(replay.streams(), [STREAMS, STREAMS]);
    // Depth, book ticker and trades were ignored, and of the two recorded
    // klines of other symbols only the configured one (LRCBTC) went out.
    let assets: BTreeSet<&str> = updates.iter().map(|u| u.asset.as_str()).collect();
    assert_eq!(assets, BTreeSet::from(["bitcoin", "loopring"]));
    let loopring: Vec<&FeedUpdate> = updates.iter().filter(|u| u.asset.as_str() == "loopring").collect();
    assert_eq!(loopring.len(), 1);
    assert!(!loopring[0].closed);
    let recorded = CandleParts {
        open_time: 1_633_998_480_000,
        open: 0.000_006_38,
        high: 0.000_006_38,
        low: 0.000_006_38,
        close: 0.000_006_38,
        volume: 177.0,
        quote_volume: Some(0.001_129_26),
        trades: Some(1),
    };
    assert_eq!(loopring[0].candle.parts(), recorded);
}

#[tokio::test]
async fn resumes_after_the_last_stored_candle() {
    let Some(fixture) = Fixture::load() else { return };
    let script = Script::default().missed(0..5).await_connections(1).klines(&fixture, 5..10);
    let replay = Replay::start(&fixture, script).await;
    let resume = HashMap::from([(asset("bitcoin"), fixture.open_time(2))]);
    let mut feed = start(&fixture, replay_config(&replay), resume, |_| {});
    feed.until_closed("bitcoin", 7).await;
    let updates = feed.stop().await;

    assert_eq!(closed_of(&updates, "bitcoin"), expected(&fixture, 3..10));
    assert_well_ordered(&updates);
    assert_eq!(btc_requests(&replay).first(), Some(&(Some(fixture.open_time(3)), 200)));
}

#[tokio::test]
async fn replaces_the_connection_at_its_maximum_age_without_losing_a_candle() {
    let Some(fixture) = Fixture::load() else { return };
    let script =
        Script::default().await_connections(1).klines(&fixture, 0..3).await_connections(2).klines(&fixture, 3..10);
    let replay = Replay::start(&fixture, script).await;
    let mut feed = start(&fixture, replay_config(&replay), HashMap::new(), |s| s.max_age = Duration::from_millis(200));
    feed.until_closed("bitcoin", 10).await;
    let updates = feed.stop().await;

    assert_eq!(closed_of(&updates, "bitcoin"), expected(&fixture, 0..10));
    assert_well_ordered(&updates);
    // The new connection was up before the old one closed, so no backfill
    // was needed: the only klines request is the one after the first connect.
    let events = replay.events();
    let second_opened = events.iter().position(|e| *e == ConnEvent::Opened(1)).expect("a second connection");
    let first_closed = events.iter().position(|e| *e == ConnEvent::Closed(0));
    assert!(first_closed.is_none_or(|closed| second_opened < closed), "{events:?}");
    assert_eq!(btc_requests(&replay).len(), 1, "{:?}", btc_requests(&replay));
    assert!(replay.streams().iter().all(|streams| streams == STREAMS));
}

#[tokio::test]
async fn replaces_the_connection_when_the_server_announces_a_shutdown() {
    let Some(fixture) = Fixture::load() else { return };
    let script = Script::default()
        .await_connections(1)
        .klines(&fixture, 0..5)
        .frame(r#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}"#)
        .await_connections(2)
        .klines(&fixture, 5..10);
    let replay = Replay::start(&fixture, script).await;
    let mut feed = start(&fixture, replay_config(&replay), HashMap::new(), |_| {});
    feed.until_closed("bitcoin", 10).await;
    let updates = feed.stop().await;

    assert_eq!(closed_of(&updates, "bitcoin"), expected(&fixture, 0..10));
    assert_well_ordered(&updates);
    assert_eq!(replay.streams().len(), 2);
    assert_eq!(btc_requests(&replay).len(), 1);
}

#[tokio::test]
async fn treats_a_silent_connection_as_dead() {
    let Some(fixture) = Fixture::load() else { return };
    let script =
        Script::default().await_connections(1).klines(&fixture, 0..2).await_connections(2).klines(&fixture, 2..10);
    let replay = Replay::start(&fixture, script).await;
    let mut feed = start(&fixture, replay_config(&replay), HashMap::new(), |s| s.silence = Duration::from_millis(250));
    feed.until_closed("bitcoin", 10).await;
    let updates = feed.stop().await;

    assert_eq!(closed_of(&updates, "bitcoin"), expected(&fixture, 0..10));
    assert_well_ordered(&updates);
    // A reconnect, not a replacement: the connector backfilled again.
    assert_eq!(replay.streams().len(), 2);
    assert!(btc_requests(&replay).contains(&(Some(fixture.open_time(2)), 200)), "{:?}", btc_requests(&replay));
}

#[tokio::test]
async fn retries_a_rate_limited_backfill() {
    let Some(fixture) = Fixture::load() else { return };
    let script = Script::default().missed(0..3).await_connections(1).klines(&fixture, 3..10);
    let replay = Replay::start(&fixture, script).await;
    replay.fail_rest(&[Fault::RateLimited(0)]);
    let mut feed = start(&fixture, replay_config(&replay), HashMap::new(), |_| {});
    feed.until_closed("bitcoin", 10).await;
    let updates = feed.stop().await;

    assert_eq!(closed_of(&updates, "bitcoin"), expected(&fixture, 0..10));
    assert_well_ordered(&updates);
    let requests = btc_requests(&replay);
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!((requests[0].1, requests[1].1), (429, 200));
    assert_eq!(requests[0].0, requests[1].0, "the retry asks for the same page");
}

#[tokio::test]
async fn shutdown_interrupts_a_pending_backfill() {
    let Some(fixture) = Fixture::load() else { return };
    let replay = Replay::start(&fixture, Script::default()).await;
    replay.fail_rest(&[Fault::Hang]);
    let feed = start(&fixture, replay_config(&replay), HashMap::new(), |_| {});
    tokio::time::timeout(WAIT, replay.wait_rest_requests(1)).await.expect("a backfill request");
    let updates = feed.stop().await;
    assert!(updates.is_empty());
}

#[tokio::test]
async fn shutdown_interrupts_the_reconnect_backoff() {
    // A server that accepts TCP and hangs up at once: every connect fails
    // and the connector backs off for a minute.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (accepted, mut accepts) = mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
            let _ = accepted.send(());
        }
    });
    let mut config = config(format!("ws://{addr}"), format!("http://{addr}"));
    config.reconnect_min_ms = 60_000;
    config.reconnect_max_ms = 60_000;
    let (sender, _updates) = mpsc::channel(1);
    let shutdown = CancellationToken::new();
    let clock = Arc::new(ManualClock::new(0));
    let task = tokio::spawn(run(config, clock, HashMap::new(), sender, shutdown.clone()));
    tokio::time::timeout(WAIT, accepts.recv()).await.expect("a connection attempt");
    shutdown.cancel();
    let result = tokio::time::timeout(PROMPT, task).await.expect("run returns promptly").expect("no panic");
    assert!(result.is_ok());
    assert!(accepts.try_recv().is_err(), "no second attempt within the backoff");
    server.abort();
}

#[tokio::test]
async fn a_failed_tls_handshake_is_an_error() {
    super::install_crypto_provider();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let result = super::connection::connect(format!("wss://localhost:{}/stream?streams=x", addr.port()), WAIT).await;
    assert!(matches!(result, Err(super::connection::ConnectError::WebSocket(_))), "{result:?}");
    server.abort();
}

#[tokio::test]
async fn stops_when_nobody_takes_updates() {
    let Some(fixture) = Fixture::load() else { return };
    let script = Script::default().await_connections(1).klines(&fixture, 0..10);
    let replay = Replay::start(&fixture, script).await;
    let Running { updates, task, .. } = start(&fixture, replay_config(&replay), HashMap::new(), |_| {});
    drop(updates);
    tokio::time::timeout(WAIT, task).await.expect("run returns").expect("no panic");
}

#[tokio::test]
async fn run_rejects_a_bad_configuration_at_once() {
    let mut config = config("ws://127.0.0.1:9".to_owned(), "http://127.0.0.1:9".to_owned());
    config.symbols.clear();
    let (sender, _updates) = mpsc::channel(1);
    let clock = Arc::new(ManualClock::new(0));
    let result = run(config, clock, HashMap::new(), sender, CancellationToken::new()).await;
    assert!(matches!(result, Err(BinanceError::NoSymbols)), "{result:?}");
}

#[test]
fn validation_names_what_is_wrong() {
    let good = config("wss://stream.binance.com:9443".to_owned(), "https://api.binance.com".to_owned());
    assert!(validate(&good).is_ok());
    assert!(
        validate(&BinanceConfig {
            symbols: BTreeMap::from([("BTCUSDT".to_owned(), asset("bitcoin"))]),
            ..BinanceConfig::default()
        })
        .is_ok()
    );

    let with = |change: &dyn Fn(&mut BinanceConfig)| {
        let mut config = good.clone();
        change(&mut config);
        validate(&config).expect_err("invalid")
    };
    assert!(matches!(with(&|c| c.symbols.clear()), BinanceError::NoSymbols));
    let symbol = |s: &'static str| move |c: &mut BinanceConfig| drop(c.symbols.insert(s.to_owned(), asset("other")));
    assert!(matches!(with(&symbol("BTC-USDT")), BinanceError::Symbol(s) if s == "BTC-USDT"));
    assert!(matches!(with(&symbol("")), BinanceError::Symbol(_)));
    assert!(matches!(with(&symbol("btcusdt")), BinanceError::DuplicateSymbol(s) if s == "BTCUSDT"));
    let shared = with(&|c| drop(c.symbols.insert("BTCUSDC".to_owned(), asset("bitcoin"))));
    assert!(matches!(shared, BinanceError::SharedAsset { ref asset, .. } if asset.as_str() == "bitcoin"), "{shared}");
    assert!(matches!(with(&|c| c.ws_url = "https://stream.binance.com".to_owned()), BinanceError::WsUrl(_)));
    assert!(matches!(with(&|c| c.ws_url = "wss://host/stream?streams=x".to_owned()), BinanceError::WsUrl(_)));
    assert!(matches!(with(&|c| c.rest_url = "ftp://api.binance.com".to_owned()), BinanceError::RestUrl(_)));
    assert!(matches!(with(&|c| c.rest_url = "not a url".to_owned()), BinanceError::RestUrl(_)));
    assert!(matches!(with(&|c| c.reconnect_min_ms = 60_000), BinanceError::Timing(_)));
    assert!(matches!(with(&|c| c.max_connection_secs = 0), BinanceError::Timing(_)));
    let many = with(&|c| {
        c.symbols = (0..=1024).map(|i| (format!("S{i}USDT"), asset(&format!("asset-{i}")))).collect();
    });
    assert!(matches!(many, BinanceError::TooManySymbols(1025)));
}

#[test]
fn the_stream_url_subscribes_the_configured_symbols_in_lower_case() {
    let mut config = config("wss://stream.binance.com:9443/".to_owned(), "https://api.binance.com".to_owned());
    config.symbols =
        BTreeMap::from([("ethusdt".to_owned(), asset("ethereum")), ("BTCUSDT".to_owned(), asset("bitcoin"))]);
    let (sender, _updates) = mpsc::channel(1);
    let feed = Feed::new(config, Arc::new(ManualClock::new(0)), HashMap::new(), sender, CancellationToken::new())
        .expect("valid configuration");
    assert_eq!(
        feed.settings.stream_url,
        "wss://stream.binance.com:9443/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m"
    );
}
