//! The live Binance connector: spot klines of the configured symbols, from
//! the combined WebSocket stream, backfilled through the REST API.
//!
//! [`run`] keeps one connection to
//! `{ws_url}/stream?streams=btcusdt@kline_1m/…` and sends a [`FeedUpdate`]
//! for every kline update: open ones (`x:false`) as live prices, closed
//! ones (`x:true`) as final candles to store. Other events and symbols are
//! ignored; a malformed message is logged and skipped.
//!
//! **No closed candle is lost or sent twice.** After every (re)connect each
//! symbol is backfilled through `GET {rest_url}/api/v3/klines`, paged from
//! the candle after the last closed one sent (or stored, see `resume`),
//! while the stream's closed candles wait; per-symbol bookkeeping drops
//! whatever arrives twice (see the `tracker` module). A gap in the stream
//! starts another backfill.
//!
//! **Reconnects.** A dropped connection is retried with exponential backoff
//! (`reconnect_min_ms` doubling to `reconnect_max_ms`, equal jitter), reset
//! once a connection has stayed up for a minute. A connection silent for
//! three minutes (Binance pings every 20 s) is taken as dead. When a
//! connection reaches `max_connection_secs`, or Binance announces a server
//! shutdown, a new connection is opened first and the old one closed once
//! the new one is up, so the stream is never interrupted.

mod backoff;
mod connection;
mod rest;
mod tracker;
mod wire;

#[cfg(test)]
mod replay;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use altgate_protocol::{AssetId, Interval};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use self::backoff::{Backoff, jitter_rng};
use self::connection::{Ending, connect};
use self::rest::Rest;
use self::tracker::Tracker;
use super::FeedUpdate;
use crate::clock::Clock;
use crate::config::BinanceConfig;

/// The most streams Binance serves on one connection.
const MAX_STREAMS: usize = 1024;
/// A connection without any frame (data or ping) for this long is dead.
const SILENCE: Duration = Duration::from_secs(180);
/// A connection that stayed up this long resets the reconnect backoff.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);
/// The longest a WebSocket connect (TCP, TLS, upgrade) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest one REST request may take, body included.
const REST_TIMEOUT: Duration = Duration::from_secs(30);

/// A `[feeds.binance]` section the connector cannot run with.
#[derive(Debug, thiserror::Error)]
pub enum BinanceError {
    /// No symbol is configured.
    #[error("feeds.binance.symbols is empty")]
    NoSymbols,
    /// A symbol is not 1 to 20 ASCII letters and digits.
    #[error("feeds.binance.symbols: `{0}` is not a Binance symbol (1 to 20 ASCII letters and digits)")]
    Symbol(String),
    /// Two keys name the same symbol in different case.
    #[error("feeds.binance.symbols: `{0}` is configured twice")]
    DuplicateSymbol(String),
    /// Two symbols feed the same asset, whose candles would then mix.
    #[error("feeds.binance.symbols: `{first}` and `{second}` both feed asset `{asset}`")]
    SharedAsset {
        /// The asset.
        asset: AssetId,
        /// The first symbol mapped to it.
        first: String,
        /// The second symbol mapped to it.
        second: String,
    },
    /// More symbols than one connection can carry.
    #[error("feeds.binance.symbols: {0} symbols, but one connection carries at most {MAX_STREAMS}")]
    TooManySymbols(usize),
    /// `ws_url` is not a `ws://` or `wss://` URL without query.
    #[error("feeds.binance.ws_url `{0}` is not a ws:// or wss:// URL without query or fragment")]
    WsUrl(String),
    /// `rest_url` is not an `http://` or `https://` URL without query.
    #[error("feeds.binance.rest_url `{0}` is not an http:// or https:// URL without query or fragment")]
    RestUrl(String),
    /// The reconnect or connection-age settings make no sense.
    #[error("feeds.binance: {0}")]
    Timing(&'static str),
    /// The HTTP client could not be built (TLS initialisation failed).
    #[error("feeds.binance: could not build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// Checks a `[feeds.binance]` section without starting anything, so a
/// mistake can be reported when the configuration is loaded. [`run`]
/// checks the same.
pub fn validate(config: &BinanceConfig) -> Result<(), BinanceError> {
    symbols(config).map(drop)
}

/// Runs the connector until `shutdown` is cancelled or `updates` is closed,
/// sending every kline update of the configured symbols to `updates`.
///
/// `resume` holds, per asset, the open time (Unix ms) of the last closed
/// candle of `config.interval` already stored: the first backfill starts
/// right after it. An asset without an entry gets the last 1000 closed
/// candles. Closed candles then arrive once each, in order of open time,
/// per asset; open candles may repeat and are never older than the last
/// one sent.
///
/// Errors only for a configuration [`validate`] rejects or an HTTP client
/// that cannot be built, before connecting. Connection and REST failures
/// are logged and retried, never returned. Shutdown is prompt whatever the
/// connector is doing (connecting, backing off, waiting on REST).
pub async fn run(
    config: BinanceConfig,
    clock: Arc<dyn Clock>,
    resume: HashMap<AssetId, i64>,
    updates: mpsc::Sender<FeedUpdate>,
    shutdown: CancellationToken,
) -> Result<(), BinanceError> {
    Feed::new(config, clock, resume, updates, shutdown)?.run().await;
    Ok(())
}

/// Installs rustls's ring provider as the process default, which both the
/// WebSocket and the HTTP client use. Installing again is harmless.
fn install_crypto_provider() {
    // An `Err` only says a default is already installed, which is fine.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// The configured symbols, upper-cased and checked, paired with their assets.
fn symbols(config: &BinanceConfig) -> Result<Vec<(String, AssetId)>, BinanceError> {
    if !is_base_url(&config.ws_url, &["ws", "wss"]) {
        return Err(BinanceError::WsUrl(config.ws_url.clone()));
    }
    if !is_base_url(&config.rest_url, &["http", "https"]) {
        return Err(BinanceError::RestUrl(config.rest_url.clone()));
    }
    if config.reconnect_min_ms > config.reconnect_max_ms {
        return Err(BinanceError::Timing("reconnect_min_ms must not exceed reconnect_max_ms"));
    }
    if config.max_connection_secs == 0 {
        return Err(BinanceError::Timing("max_connection_secs must be at least 1"));
    }
    if config.symbols.is_empty() {
        return Err(BinanceError::NoSymbols);
    }
    if config.symbols.len() > MAX_STREAMS {
        return Err(BinanceError::TooManySymbols(config.symbols.len()));
    }
    let mut by_symbol = BTreeMap::new();
    let mut by_asset: HashMap<&AssetId, &str> = HashMap::new();
    for (key, asset) in &config.symbols {
        let valid = (1..=20).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid {
            return Err(BinanceError::Symbol(key.clone()));
        }
        let symbol = key.to_ascii_uppercase();
        if by_symbol.contains_key(&symbol) {
            return Err(BinanceError::DuplicateSymbol(symbol));
        }
        if let Some(first) = by_asset.insert(asset, key) {
            return Err(BinanceError::SharedAsset {
                asset: asset.clone(),
                first: first.to_owned(),
                second: key.clone(),
            });
        }
        by_symbol.insert(symbol, asset.clone());
    }
    Ok(by_symbol.into_iter().collect())
}

/// Whether `url` parses, has one of `schemes` and a host, and no query or fragment.
fn is_base_url(url: &str, schemes: &[&str]) -> bool {
    reqwest::Url::parse(url).is_ok_and(|parsed| {
        schemes.contains(&parsed.scheme())
            && parsed.host_str().is_some()
            && parsed.query().is_none()
            && parsed.fragment().is_none()
    })
}

/// Timing and addresses, fixed for a run; tests shorten the durations.
#[derive(Debug, Clone)]
struct Settings {
    stream_url: String,
    interval: Interval,
    max_age: Duration,
    silence: Duration,
    healthy_after: Duration,
    connect_timeout: Duration,
    reconnect_min: Duration,
    reconnect_max: Duration,
}

/// The connector's state across connections.
#[derive(Debug)]
struct Feed {
    settings: Settings,
    clock: Arc<dyn Clock>,
    rest: Rest,
    tracker: Tracker,
    updates: mpsc::Sender<FeedUpdate>,
    shutdown: CancellationToken,
}

impl Feed {
    fn new(
        config: BinanceConfig,
        clock: Arc<dyn Clock>,
        resume: HashMap<AssetId, i64>,
        updates: mpsc::Sender<FeedUpdate>,
        shutdown: CancellationToken,
    ) -> Result<Feed, BinanceError> {
        let symbols = symbols(&config)?;
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .user_agent(concat!("altgate/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REST_TIMEOUT)
            .build()
            .map_err(BinanceError::Client)?;
        let BinanceConfig {
            symbols: _,
            ws_url,
            rest_url,
            interval,
            max_connection_secs,
            reconnect_min_ms,
            reconnect_max_ms,
        } = config;
        let tracker = Tracker::new(interval, symbols, resume);
        let settings = Settings {
            stream_url: wire::stream_url(&ws_url, tracker.symbols(), interval),
            interval,
            max_age: Duration::from_secs(max_connection_secs),
            silence: SILENCE,
            healthy_after: HEALTHY_AFTER,
            connect_timeout: CONNECT_TIMEOUT,
            reconnect_min: Duration::from_millis(reconnect_min_ms),
            reconnect_max: Duration::from_millis(reconnect_max_ms),
        };
        let rest = Rest::new(client, &rest_url, interval, settings.reconnect_min, settings.reconnect_max);
        Ok(Feed { settings, clock, rest, tracker, updates, shutdown })
    }

    /// Connects, runs a session, backs off, and again, until told to stop.
    async fn run(mut self) {
        let mut backoff = Backoff::new(self.settings.reconnect_min, self.settings.reconnect_max);
        let mut rng = jitter_rng();
        let streams = self.tracker.symbols().count();
        loop {
            let connecting = connect(self.settings.stream_url.clone(), self.settings.connect_timeout);
            let connected = tokio::select! {
                biased;
                () = self.shutdown.cancelled() => break,
                connected = connecting => connected,
            };
            match connected {
                Ok(ws) => {
                    tracing::info!(streams, interval = %self.settings.interval, "binance: connected");
                    let started = Instant::now();
                    match self.session(ws).await {
                        Ending::Shutdown => break,
                        Ending::Unwanted => {
                            tracing::info!("binance: nobody takes updates any more; stopping");
                            break;
                        }
                        Ending::Lost(reason) => tracing::info!(%reason, "binance: disconnected"),
                    }
                    if started.elapsed() >= self.settings.healthy_after {
                        backoff.reset();
                    }
                }
                Err(error) => tracing::warn!(%error, "binance: could not connect"),
            }
            let delay = backoff.next_delay(&mut rng);
            tracing::info!(delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "binance: reconnecting");
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => break,
                () = tokio::time::sleep(delay) => {}
            }
        }
        tracing::info!("binance: stopped");
    }
}
