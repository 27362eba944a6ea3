//! The demo feed: the deterministic simulator of `altgate-market`, with
//! history generated at first start and a tick per asset every second.
//!
//! The seed and the anchor (the hour of the first start, where the history
//! ends at each asset's reference price) are kept in `simulator.toml` in the
//! data directory, so a restart continues the same path: the minutes the
//! service was down are generated (hours for all but the last day), then
//! live ticks resume.

use std::path::Path;
use std::time::Duration;

use altgate_market::simulator::{Simulator, Ticker};
use altgate_market::{Candle, CandleParts, Catalog, Interval};
use altgate_protocol::{AssetId, Source};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::FeedUpdate;
use crate::config::SimulatorConfig;
use crate::platform::Platform;
use crate::store::{Series, SeriesWrite, SourcedCandle};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// The file that pins the simulated path of a data directory.
pub const STATE_FILE: &str = "simulator.toml";

/// What a data directory's simulation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Pinned {
    seed: u64,
    anchor_ms: i64,
}

/// Why the simulator cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorStartError {
    /// The state file cannot be read or written.
    #[error("{path}: {message}")]
    State {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The configured seed differs from the one the data was generated with.
    #[error("the data directory was simulated with seed {pinned}, not {configured}; use a fresh data directory")]
    SeedChanged {
        /// The seed in `simulator.toml`.
        pinned: u64,
        /// The seed configured now.
        configured: u64,
    },
    /// The simulator refused the catalog or a time.
    #[error("simulator: {0}")]
    Model(#[from] altgate_market::simulator::SimulatorError),
    /// Storing history failed.
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
}

fn pinned(dir: &Path, config: SimulatorConfig, now_ms: i64) -> Result<Pinned, SimulatorStartError> {
    let path = dir.join(STATE_FILE);
    let state_error = |message: String| SimulatorStartError::State { path: path.display().to_string(), message };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let pinned: Pinned = toml::from_str(&text).map_err(|e| state_error(e.to_string()))?;
            if pinned.seed != config.seed {
                return Err(SimulatorStartError::SeedChanged { pinned: pinned.seed, configured: config.seed });
            }
            Ok(pinned)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let pinned = Pinned { seed: config.seed, anchor_ms: Interval::H1.align(now_ms) };
            let text = toml::to_string(&pinned).map_err(|e| state_error(e.to_string()))?;
            std::fs::write(&path, text).map_err(|e| state_error(e.to_string()))?;
            Ok(pinned)
        }
        Err(e) => Err(state_error(e.to_string())),
    }
}

/// Opens the simulation of the data directory and stores the history it is
/// missing: at first start `history_days` of hours and the last day of
/// minutes, after a restart the time the service was down. Returns the
/// simulator for the live ticks.
pub(crate) async fn prepare(platform: &Platform) -> Result<Simulator, SimulatorStartError> {
    let config = platform.config.feeds.simulator;
    let now = platform.clock.now_ms();
    let pinned = pinned(&platform.config.data_dir, config, now)?;
    let sim = Simulator::new(&Catalog::builtin(), pinned.seed)?.with_anchor(pinned.anchor_ms)?;
    let last_minutes = platform.market.last_closed(Interval::M1, Source::Simulated);
    let last_hours = platform.market.last_closed(Interval::H1, Source::Simulated);
    let minute_now = Interval::M1.align(now);
    let history_start = pinned.anchor_ms - i64::from(config.history_days) * DAY_MS;
    let mut stored = 0;
    for asset in sim.assets() {
        // Hours up to the start of the last day, then minutes to now.
        let minutes_from = minute_now.saturating_sub(DAY_MS).max(history_start);
        let hours_from = last_hours.get(asset).map_or(history_start, |h| h + Interval::H1.millis());
        let mut writes = Vec::new();
        if hours_from < Interval::H1.align(minutes_from) {
            let hours = sim.candles(asset, Interval::H1, hours_from, Interval::H1.align(minutes_from))?;
            writes.push(write(asset, Interval::H1, hours));
        }
        let minutes_from = last_minutes.get(asset).map_or(minutes_from, |m| (m + MINUTE_MS).max(minutes_from));
        if minutes_from < minute_now {
            writes.push(write(asset, Interval::M1, sim.candles(asset, Interval::M1, minutes_from, minute_now)?));
        }
        stored += platform.market.write(writes).await?;
    }
    tracing::info!(seed = pinned.seed, anchor_ms = pinned.anchor_ms, stored, "simulated history ready");
    Ok(sim)
}

fn write(asset: &AssetId, interval: Interval, candles: Vec<Candle>) -> SeriesWrite {
    let candles = candles.into_iter().map(|candle| SourcedCandle { candle, source: Source::Simulated }).collect();
    SeriesWrite { series: Series::new(asset.clone(), interval), candles }
}

/// Live minutes built from ticks: the minute so far, per asset.
#[derive(Debug)]
pub(crate) struct LiveMinutes {
    ticker: Ticker,
    minute: Option<i64>,
    open: Vec<Option<Candle>>,
    last_second: Option<i64>,
}

impl LiveMinutes {
    pub(crate) fn new(sim: &Simulator) -> LiveMinutes {
        LiveMinutes { ticker: sim.ticker(), minute: None, open: vec![None; sim.assets().len()], last_second: None }
    }

    /// The updates for the second holding `now`: when a minute has passed,
    /// every asset's closed minute (the simulator's exact candle); then each
    /// asset's minute so far, from the ticks seen in it. Nothing twice for
    /// the same second.
    pub(crate) fn step(&mut self, now: i64) -> Result<Vec<FeedUpdate>, altgate_market::simulator::SimulatorError> {
        let second = now.div_euclid(1_000);
        if self.last_second.is_some_and(|last| second <= last) {
            return Ok(Vec::new());
        }
        self.last_second = Some(second);
        let minute = Interval::M1.align(now);
        let mut updates = Vec::new();
        let assets: Vec<AssetId> = self.ticker.simulator().assets().cloned().collect();
        if let Some(previous) = self.minute.filter(|m| *m < minute) {
            let closed = self.ticker.candles(Interval::M1, previous)?;
            for (asset, candle) in assets.iter().zip(closed) {
                updates.push(update(asset, candle, true));
            }
            self.open.iter_mut().for_each(|o| *o = None);
        }
        self.minute = Some(minute);
        let prices: Vec<f64> = self.ticker.tick(now)?.iter().map(|t| t.price).collect();
        for ((asset, price), open) in assets.iter().zip(prices).zip(&mut self.open) {
            let parts = match open {
                Some(c) => CandleParts {
                    high: c.high().max(price),
                    low: c.low().min(price),
                    close: price,
                    volume: 0.0,
                    ..c.parts()
                },
                None => CandleParts {
                    open_time: minute,
                    open: price,
                    high: price,
                    low: price,
                    close: price,
                    volume: 0.0,
                    quote_volume: None,
                    trades: None,
                },
            };
            if let Ok(candle) = Candle::new(Interval::M1, parts) {
                *open = Some(candle);
                updates.push(update(asset, candle, false));
            }
        }
        Ok(updates)
    }
}

fn update(asset: &AssetId, candle: Candle, closed: bool) -> FeedUpdate {
    FeedUpdate { asset: asset.clone(), interval: Interval::M1, candle, closed, source: Source::Simulated }
}

/// Sends live updates every second until `cancel`.
pub(crate) async fn run(
    platform: Platform,
    sim: Simulator,
    updates: mpsc::Sender<FeedUpdate>,
    cancel: CancellationToken,
) {
    let mut live = LiveMinutes::new(&sim);
    let mut every_second = tokio::time::interval(Duration::from_secs(1));
    every_second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = every_second.tick() => {}
        }
        match live.step(platform.clock.now_ms()) {
            Ok(batch) => {
                for update in batch {
                    if updates.send(update).await.is_err() {
                        return;
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, "the simulator stopped");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_minutes_follow_the_ticks_and_close_on_the_simulators_candle() {
        let anchor = 1_767_225_600_000;
        let sim = Simulator::new(&Catalog::builtin(), 7).unwrap().with_anchor(anchor).unwrap();
        let mut live = LiveMinutes::new(&sim);
        let n = sim.assets().len();
        let bitcoin = AssetId::parse("bitcoin").unwrap();
        let mut seen = Vec::new();
        for s in 0..60 {
            let updates = live.step(anchor + s * 1_000 + 250).unwrap();
            assert_eq!(updates.len(), n, "one open update per asset each second");
            assert!(updates.iter().all(|u| !u.closed && u.source == Source::Simulated));
            let btc = updates.iter().find(|u| u.asset == bitcoin).unwrap();
            assert_eq!(btc.candle.close(), sim.tick(&bitcoin, anchor + s * 1_000).unwrap());
            seen.push(btc.candle.close());
            // The same second again sends nothing.
            assert!(live.step(anchor + s * 1_000 + 900).unwrap().is_empty());
        }
        let next = live.step(anchor + 60_000).unwrap();
        let closed: Vec<_> = next.iter().filter(|u| u.closed).collect();
        assert_eq!(closed.len(), n);
        let btc = closed.iter().find(|u| u.asset == bitcoin).unwrap();
        let exact = sim.candles(&bitcoin, Interval::M1, anchor, anchor + 60_000).unwrap()[0];
        assert_eq!(btc.candle, exact);
        assert_eq!(exact.close(), *seen.last().unwrap());
        assert!(seen.iter().all(|p| (exact.low()..=exact.high()).contains(p)));
    }
}
