//! What the cache knows about one asset.

use std::collections::BTreeMap;

use altgate_market::{Candle, Interval};
use altgate_protocol::{AssetId, Source, Ticker};

use super::hot::HotSeries;
use super::ticker;

/// One asset's cached series, live candle and ticker.
#[derive(Debug, Default)]
pub(crate) struct AssetMarket {
    /// The stored series by interval.
    pub(crate) series: BTreeMap<Interval, HotSeries>,
    /// The feed's candle in progress, newer than every stored one.
    pub(crate) live: Option<Live>,
    /// The ticker, computed whenever the above change (`stale` unset).
    pub(crate) ticker: Option<Ticker>,
}

/// A feed's open candle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Live {
    pub(crate) interval: Interval,
    pub(crate) candle: Candle,
    pub(crate) source: Source,
    /// When the feed last updated it (Unix ms).
    pub(crate) updated_at: i64,
}

impl AssetMarket {
    /// Whether an open candle of `interval` opening at `open_time` is already
    /// closed and stored.
    pub(crate) fn is_superseded(&self, interval: Interval, open_time: i64) -> bool {
        self.series.get(&interval).and_then(HotSeries::last_stored).is_some_and(|last| last >= open_time)
    }

    /// Forgets the live candle once a candle at or after it is stored.
    pub(crate) fn drop_superseded_live(&mut self) {
        if let Some(live) = self.live
            && self.is_superseded(live.interval, live.candle.open_time())
        {
            self.live = None;
        }
    }

    /// The stored intervals, shortest first.
    pub(crate) fn stored_intervals(&self) -> impl Iterator<Item = Interval> + '_ {
        self.series.iter().filter(|(_, s)| s.last_stored().is_some()).map(|(i, _)| *i)
    }

    /// The shortest stored interval.
    pub(crate) fn finest(&self) -> Option<Interval> {
        self.stored_intervals().next()
    }

    /// Recomputes the ticker from the shortest series and the live candle.
    pub(crate) fn refresh_ticker(&mut self, id: &AssetId) {
        self.ticker = ticker::compute(id, self);
    }
}
