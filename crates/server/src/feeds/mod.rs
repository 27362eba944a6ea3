//! Price feeds: background tasks that turn a source of prices into candle
//! updates. Each feed sends [`FeedUpdate`]s down a channel; the market
//! service stores closed candles and keeps the hot cache current.

pub mod binance;
pub mod simulator;

use altgate_market::Candle;
use altgate_protocol::{AssetId, Interval, Source};

/// One candle from a feed: either still open (a live price) or closed (final).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedUpdate {
    /// The catalog asset.
    pub asset: AssetId,
    /// The candle's interval.
    pub interval: Interval,
    /// The candle as it stands.
    pub candle: Candle,
    /// Whether the candle is final; an open candle may still change.
    pub closed: bool,
    /// Where the prices come from.
    pub source: Source,
}

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::platform::Platform;

impl Platform {
    /// Applies one feed update to the market: stores a closed candle (with
    /// its roll-ups) or sets the live price, and tells the stream.
    pub async fn apply_feed_update(&self, update: FeedUpdate) -> Result<(), crate::store::StoreError> {
        self.market.apply(update).await
    }
}

/// Starts the configured feeds and the task that applies their updates.
pub(crate) fn spawn(
    platform: &Platform,
    simulator: Option<altgate_market::simulator::Simulator>,
    tracker: &TaskTracker,
    cancel: &CancellationToken,
) {
    let (updates, mut received) = tokio::sync::mpsc::channel::<FeedUpdate>(4096);
    let feeds = &platform.config.feeds;
    if let Some(sim) = simulator {
        tracker.spawn(simulator::run(platform.clone(), sim, updates.clone(), cancel.clone()));
    }
    if let Some(binance) = &feeds.binance {
        let resume = platform.market.last_closed(binance.interval, Source::Binance).into_iter().collect();
        let clock = std::sync::Arc::clone(&platform.clock);
        let run = binance::run(binance.clone(), clock, resume, updates.clone(), cancel.clone());
        tracker.spawn(async move {
            if let Err(error) = run.await {
                tracing::error!(%error, "the Binance feed cannot start");
            }
        });
    }
    drop(updates);
    let platform = platform.clone();
    tracker.spawn(async move {
        while let Some(update) = received.recv().await {
            if let Err(error) = platform.market.apply(update).await {
                tracing::error!(%error, "storing a feed update failed");
            }
        }
    });
}
