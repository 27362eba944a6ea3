//! Market data in the service: the candle store behind a hot cache, the
//! write path every feed and import goes through, tickers, OHLCV pages and
//! the events the stream fans out.
//!
//! Every write goes through [`Market::write`], under one lock, so the cache
//! and the store never disagree: candles are written with their roll-ups
//! (complete hours and days aggregated from shorter candles) in one
//! transaction, then the cache is updated and tickers are recomputed.

mod aggregate;
mod events;
mod history;
mod hot;
mod import;
mod query;
mod state;
mod subscribers;
mod ticker;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use altgate_protocol::stream::Channel;
use altgate_protocol::{AssetId, Interval, Source, Ticker, Timestamp};

use crate::clock::Clock;
use crate::config::MarketConfig;
use crate::feeds::FeedUpdate;
use crate::store::{Series, SeriesWrite, SourcedCandle, Store, StoreError};

pub(crate) use events::{MarketEvent, candle_data};
pub use import::{ImportFailure, ImportProgress, LISTED_REJECTIONS};
pub(crate) use query::OhlcvRequest;
use state::{AssetMarket, Live};
pub(crate) use subscribers::{Next, Subscription};

/// Intervals that shorter candles are rolled up into when they are written,
/// so long ranges are read from few rows. Every bucket a write touches is
/// recomputed from all the shorter candles stored in it, so a bucket with
/// missing candles (a gap in the data, or the bucket still in progress)
/// holds what there is, and is completed when the rest arrives.
const ROLLUPS: [Interval; 2] = [Interval::H1, Interval::D1];

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Market {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: MarketConfig,
    assets: RwLock<BTreeMap<AssetId, AssetMarket>>,
    writes: tokio::sync::Mutex<()>,
    subscribers: Arc<subscribers::Subscribers>,
    warmed: tokio::sync::OnceCell<()>,
}

/// Why market data could not be served.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MarketError {
    /// The asset has no candles and no live price.
    #[error("no market data for `{0}`")]
    NoData(AssetId),
    /// The interval asked for is shorter than any stored for the asset.
    #[error("the shortest interval stored for this asset is {finest}")]
    TooFine {
        /// The shortest stored interval.
        finest: Interval,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Market {
    /// A market over `store` with an empty cache; [`Market::warm`] loads it.
    pub(crate) fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: MarketConfig) -> Market {
        Market {
            store,
            clock,
            config,
            assets: RwLock::new(BTreeMap::new()),
            writes: tokio::sync::Mutex::new(()),
            subscribers: Arc::default(),
            warmed: tokio::sync::OnceCell::new(),
        }
    }

    /// Loads the cache once; writes need it, as it tells which candles are
    /// stored.
    pub(crate) async fn ensure_warm(&self) -> Result<(), StoreError> {
        self.warmed.get_or_try_init(|| self.warm()).await.map(|_| ())
    }

    /// Loads the newest candles of every stored series into the cache and
    /// computes every ticker.
    async fn warm(&self) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let mut loaded = BTreeMap::<AssetId, AssetMarket>::new();
        let capacity = self.config.hot_candles;
        for info in self.store.series().await? {
            let count = u32::try_from(capacity).unwrap_or(u32::MAX);
            let candles = self.store.latest_candles(&info.series, count).await?;
            let hot = hot::HotSeries::loaded(candles, info.first, capacity);
            loaded.entry(info.series.asset).or_default().series.insert(info.series.interval, hot);
        }
        for (id, asset) in &mut loaded {
            asset.refresh_ticker(id);
        }
        *self.write_assets() = loaded;
        Ok(())
    }

    /// A stream subscription, with a queue of `market.stream_buffer` events.
    pub(crate) fn subscribe(&self) -> Subscription {
        self.subscribers.open(self.config.stream_buffer)
    }

    /// Applies one feed update: a closed candle is stored (with its
    /// roll-ups), an open one becomes the asset's live price. The stream
    /// hears of the asset's ticker and of its candle at every interval the
    /// update falls in.
    pub(crate) async fn apply(&self, update: FeedUpdate) -> Result<(), StoreError> {
        let FeedUpdate { asset, interval, candle, closed, source } = update;
        let open_time = candle.open_time();
        if closed {
            let write = SeriesWrite {
                series: Series::new(asset.clone(), interval),
                candles: vec![SourcedCandle { candle, source }],
            };
            self.write(vec![write]).await?;
        } else {
            let now = self.clock.now_ms();
            let mut assets = self.write_assets();
            let state = assets.entry(asset.clone()).or_default();
            if state.is_superseded(interval, open_time) {
                return Ok(());
            }
            state.live = Some(Live { interval, candle, source, updated_at: now });
            state.refresh_ticker(&asset);
        }
        let events = {
            let assets = self.read_assets();
            let Some(state) = assets.get(&asset) else { return Ok(()) };
            let close_time = open_time.saturating_add(interval.millis());
            let wanted = |channel: Channel| self.subscribers.wanted(&channel);
            let mut events: Vec<MarketEvent> = Interval::ALL
                .into_iter()
                .filter(|i| *i >= interval && wanted(Channel::Candles(asset.clone(), *i)))
                // A closed candle closes the buckets it ends.
                .filter(|i| !closed || i.align(close_time) == close_time)
                .filter_map(|i| {
                    let candle = query::bucket(state, i, i.align(open_time))?;
                    Some(MarketEvent::candle(&asset, i, &candle, closed))
                })
                .collect();
            if wanted(Channel::Ticker(asset.clone())) {
                events.extend(state.ticker.as_ref().map(MarketEvent::ticker));
            }
            events
        };
        for event in events {
            self.publish(event);
        }
        Ok(())
    }

    /// Writes candles and their roll-ups and updates the cache and tickers.
    /// Returns how many of the given candles were new or changed (roll-ups
    /// not counted).
    pub(crate) async fn write(&self, writes: Vec<SeriesWrite>) -> Result<u64, StoreError> {
        let _writing = self.writes.lock().await;
        let mut all = Vec::with_capacity(writes.len() * (ROLLUPS.len() + 1));
        let mut given = Vec::with_capacity(writes.len());
        for write in writes {
            // Each write goes first, then its roll-ups.
            given.push(all.len());
            self.with_rollups(write, &mut all).await?;
        }
        let counts = self.store.upsert_candles(&all).await?;
        let changed = given.iter().filter_map(|&i| counts.get(i)).sum();
        let capacity = self.config.hot_candles;
        {
            let mut assets = self.write_assets();
            for write in &all {
                let state = assets.entry(write.series.asset.clone()).or_default();
                state
                    .series
                    .entry(write.series.interval)
                    .or_insert_with(|| hot::HotSeries::empty(capacity))
                    .written(&write.candles);
                state.drop_superseded_live();
            }
            let touched: std::collections::BTreeSet<&AssetId> = all.iter().map(|w| &w.series.asset).collect();
            for asset in touched {
                if let Some(state) = assets.get_mut(asset) {
                    state.refresh_ticker(asset);
                }
            }
        }
        Ok(changed)
    }

    /// Pushes `write` and the complete buckets it fills in each longer
    /// roll-up interval, shortest first.
    async fn with_rollups(&self, write: SeriesWrite, out: &mut Vec<SeriesWrite>) -> Result<(), StoreError> {
        let mut current = write;
        for to in ROLLUPS {
            if to <= current.series.interval {
                continue;
            }
            if current.candles.is_empty() {
                break;
            }
            let from = current.series.interval;
            let first = current.candles.iter().map(|c| to.align(c.candle.open_time())).min().unwrap_or(0);
            let last = current.candles.iter().map(|c| to.align(c.candle.open_time())).max().unwrap_or(0);
            let range = first..last.saturating_add(to.millis());
            let mut merged: BTreeMap<i64, SourcedCandle> =
                self.read(&current.series, range).await?.into_iter().map(|c| (c.candle.open_time(), c)).collect();
            merged.extend(current.candles.iter().map(|c| (c.candle.open_time(), *c)));
            let touched: std::collections::BTreeSet<i64> =
                current.candles.iter().map(|c| to.align(c.candle.open_time())).collect();
            let candles: Vec<SourcedCandle> = merged.into_values().collect();
            let rolled: Vec<SourcedCandle> = aggregate::aggregate(&candles, from, to, false)
                .into_iter()
                .filter(|c| touched.contains(&c.candle.open_time()))
                .collect();
            let next = SeriesWrite { series: Series::new(current.series.asset.clone(), to), candles: rolled };
            out.push(std::mem::replace(&mut current, next));
        }
        out.push(current);
        Ok(())
    }

    /// Every stored candle of `series` in `range`, from the cache when it
    /// holds the range.
    async fn read(&self, series: &Series, range: Range<i64>) -> Result<Vec<SourcedCandle>, StoreError> {
        {
            let assets = self.read_assets();
            let hot = assets.get(&series.asset).and_then(|a| a.series.get(&series.interval));
            if let Some(hot) = hot
                && hot.covers(&range)
            {
                return Ok(hot.range(range).copied().collect());
            }
        }
        self.store.candles(series, range, u32::MAX).await
    }

    /// The tickers of `ids` (every asset with market data when empty), with
    /// staleness as of now. Unknown or data-less ids are left out.
    pub(crate) fn tickers(&self, ids: &[AssetId]) -> Vec<Ticker> {
        let now = self.clock.now_ms();
        let stale_after = i64::try_from(self.config.stale_after_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        let assets = self.read_assets();
        let fresh = |ticker: &Ticker| {
            let mut ticker = ticker.clone();
            ticker.stale = now.saturating_sub(ticker.updated_at.as_millis()) > stale_after;
            ticker
        };
        if ids.is_empty() {
            assets.values().filter_map(|a| a.ticker.as_ref()).map(fresh).collect()
        } else {
            ids.iter().filter_map(|id| assets.get(id)?.ticker.as_ref()).map(fresh).collect()
        }
    }

    /// What identifies the asset's newest data: the time and price of its
    /// ticker. Analytics are cached under it.
    pub(crate) fn version(&self, asset: &AssetId) -> Option<(i64, u64)> {
        let assets = self.read_assets();
        let ticker = assets.get(asset)?.ticker.as_ref()?;
        Some((ticker.updated_at.as_millis(), ticker.price.to_bits()))
    }

    /// The open time of the newest candle of `source` in the cached series of
    /// `interval`, per asset, so a feed resumes after its own last candle
    /// (not after an import or the simulator).
    pub(crate) fn last_closed(&self, interval: Interval, source: Source) -> BTreeMap<AssetId, i64> {
        self.read_assets()
            .iter()
            .filter_map(|(id, a)| {
                let newest = a.series.get(&interval)?.newest_first().find(|c| c.source == source)?;
                Some((id.clone(), newest.candle.open_time()))
            })
            .collect()
    }

    fn publish(&self, event: MarketEvent) {
        self.subscribers.publish(&Arc::new(event));
    }

    fn read_assets(&self) -> RwLockReadGuard<'_, BTreeMap<AssetId, AssetMarket>> {
        self.assets.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_assets(&self) -> RwLockWriteGuard<'_, BTreeMap<AssetId, AssetMarket>> {
        self.assets.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A timestamp from Unix ms.
fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

#[cfg(test)]
mod tests;
