//! Market data: the hot cache, the demo simulator and the exchange feeds.

use std::collections::BTreeMap;

use altgate_protocol::{AssetId, Interval};
use serde::{Deserialize, Serialize};

/// Market data settings (`[market]` and `[feeds]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarketConfig {
    /// Recent candles kept in memory per asset and stored interval.
    pub hot_candles: usize,
    /// A ticker whose last update is older than this many seconds is marked `stale`.
    pub stale_after_secs: u64,
    /// The largest file the admin import endpoint accepts, in bytes.
    pub max_import_bytes: usize,
    /// Stream events buffered for each subscriber; one that falls further
    /// behind is disconnected (close code 4008).
    pub stream_buffer: usize,
}

impl Default for MarketConfig {
    fn default() -> Self {
        MarketConfig {
            hot_candles: 10_000,
            stale_after_secs: 120,
            max_import_bytes: 64 * 1024 * 1024,
            stream_buffer: 4096,
        }
    }
}

/// Price feeds (`[feeds]`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedsConfig {
    /// The deterministic simulator, on with `altgate serve --demo`.
    pub simulator: SimulatorConfig,
    /// The live Binance connector, on when this section is present.
    pub binance: Option<BinanceConfig>,
}

/// The simulator (`[feeds.simulator]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimulatorConfig {
    /// Whether the simulator runs.
    pub enabled: bool,
    /// The seed every simulated price follows from.
    pub seed: u64,
    /// Days of hourly history generated at first start (the last day also
    /// in minutes).
    pub history_days: u32,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig { enabled: false, seed: 42, history_days: 3 * 365 }
    }
}

/// The Binance connector (`[feeds.binance]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BinanceConfig {
    /// Exchange symbol (`BTCUSDT`) to catalog asset id (`bitcoin`).
    pub symbols: BTreeMap<String, AssetId>,
    /// The WebSocket base URL; streams are at `{ws_url}/stream?streams=…`.
    pub ws_url: String,
    /// The REST base URL; klines are at `{rest_url}/api/v3/klines`.
    pub rest_url: String,
    /// The kline interval subscribed to and stored.
    pub interval: Interval,
    /// Reconnect before a connection is this old, in seconds (Binance closes
    /// connections at 24 hours).
    pub max_connection_secs: u64,
    /// The first reconnect delay, in milliseconds; it doubles up to `reconnect_max_ms`, with jitter.
    pub reconnect_min_ms: u64,
    /// The longest reconnect delay, in milliseconds.
    pub reconnect_max_ms: u64,
}

impl Default for BinanceConfig {
    fn default() -> Self {
        BinanceConfig {
            symbols: BTreeMap::new(),
            ws_url: "wss://stream.binance.com:9443".to_owned(),
            rest_url: "https://api.binance.com".to_owned(),
            interval: Interval::M1,
            max_connection_secs: 23 * 3600,
            reconnect_min_ms: 500,
            reconnect_max_ms: 30_000,
        }
    }
}
