//! OHLCV pages: any interval at or above the shortest stored one, served
//! from the longest stored interval that divides it, plus the candles newer
//! than that series, built from shorter ones and the live candle.

use std::ops::Range;

use altgate_market::Interval;
use altgate_protocol::AssetId;

use super::aggregate::aggregate;
use super::state::AssetMarket;
use super::{Market, MarketError};
use crate::store::{Series, SourcedCandle};

/// One page request. `from` and `to` are aligned to `interval`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OhlcvRequest {
    pub(crate) asset: AssetId,
    pub(crate) interval: Interval,
    /// The first bucket's open time (inclusive).
    pub(crate) from: i64,
    /// The end of the last bucket (exclusive).
    pub(crate) to: i64,
    pub(crate) limit: u32,
}

/// One page: candles oldest first, and where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OhlcvPage {
    pub(crate) candles: Vec<SourcedCandle>,
    pub(crate) next: Option<i64>,
}

/// How a request is answered, decided under the cache lock.
struct Plan {
    base: Interval,
    /// Stored base candles end here; newer ones come from `tail`.
    stored_end: i64,
    /// Base-interval candles newer than the stored series.
    tail: Vec<SourcedCandle>,
}

impl Market {
    /// One page of candles.
    pub(crate) async fn ohlcv(&self, req: &OhlcvRequest) -> Result<OhlcvPage, MarketError> {
        let plan = {
            let assets = self.read_assets();
            let asset = assets.get(&req.asset).ok_or_else(|| MarketError::NoData(req.asset.clone()))?;
            plan(asset, req.interval).ok_or_else(|| match asset.finest() {
                Some(finest) => MarketError::TooFine { finest },
                None => MarketError::NoData(req.asset.clone()),
            })?
        };
        let series = Series::new(req.asset.clone(), plan.base);
        let stored_end = plan.stored_end.min(req.to);
        let tail = &plan.tail;
        let tail_in = |range: Range<i64>| tail.iter().filter(move |c| range.contains(&c.candle.open_time()));

        let first = match self.first_stored(&series, req.from..stored_end).await? {
            Some(first) => Some(first),
            None => tail_in(req.from..req.to).next().map(|c| c.candle.open_time()),
        };
        let Some(first) = first else {
            return Ok(OhlcvPage { candles: Vec::new(), next: None });
        };
        let start = req.interval.align(first);
        let width = i64::from(req.limit).saturating_mul(req.interval.millis());
        let end = start.saturating_add(width).min(req.to);

        let mut base =
            if start < stored_end { self.read(&series, start..end.min(stored_end)).await? } else { Vec::new() };
        base.extend(tail_in(start.max(plan.stored_end)..end).copied());
        let candles = aggregate(&base, plan.base, req.interval, false);

        let more =
            self.first_stored(&series, end..stored_end).await?.is_some() || tail_in(end..req.to).next().is_some();
        Ok(OhlcvPage { candles, next: more.then_some(end) })
    }

    async fn first_stored(&self, series: &Series, range: Range<i64>) -> Result<Option<i64>, MarketError> {
        if range.is_empty() {
            return Ok(None);
        }
        {
            let assets = self.read_assets();
            let hot = assets.get(&series.asset).and_then(|a| a.series.get(&series.interval));
            match hot {
                None => return Ok(None),
                Some(hot) if hot.covers(&range) => return Ok(hot.range(range).next().map(|c| c.candle.open_time())),
                Some(_) => {}
            }
        }
        Ok(self.store.first_open_time(series, range).await?)
    }
}

fn plan(asset: &AssetMarket, interval: Interval) -> Option<Plan> {
    match asset.stored_intervals().filter(|i| *i <= interval).last() {
        Some(base) => {
            let stored_end = stored_end(asset, base)?;
            Some(Plan { base, stored_end, tail: tail(asset, base, stored_end) })
        }
        None => {
            let live = asset.live.filter(|l| l.interval <= interval && asset.finest().is_none())?;
            let stored_end = live.candle.open_time();
            Some(Plan { base: live.interval, stored_end, tail: tail(asset, live.interval, stored_end) })
        }
    }
}

/// Where the stored candles of `level` stop being final. The last bucket of
/// a roll-up may still be filling: when a shorter series reaches into it, it
/// is rebuilt from that series (and the live candle) instead.
fn stored_end(asset: &AssetMarket, level: Interval) -> Option<i64> {
    let last = asset.series.get(&level)?.last_stored()?;
    let finer_reaches_in = asset
        .stored_intervals()
        .filter(|i| *i < level)
        .last()
        .and_then(|finer| asset.series.get(&finer)?.last_stored())
        .is_some_and(|finer_last| finer_last >= last);
    Some(if finer_reaches_in { last } else { last.saturating_add(level.millis()) })
}

/// Candles of `level` opening at or after `from`, built from the shorter
/// stored series and the live candle.
pub(crate) fn tail(asset: &AssetMarket, level: Interval, from: i64) -> Vec<SourcedCandle> {
    let finer = asset.stored_intervals().filter(|i| *i < level).last();
    let mut parts = Vec::new();
    let sub_level = match finer.and_then(|f| Some((f, stored_end(asset, f)?))) {
        Some((finer, finer_end)) => {
            let Some(series) = asset.series.get(&finer) else { return parts };
            parts.extend(series.range(from..finer_end));
            parts.extend(tail(asset, finer, finer_end.max(from)));
            finer
        }
        None => match asset.live {
            Some(live) if live.interval <= level && live.candle.open_time() >= from => {
                parts.push(SourcedCandle { candle: live.candle, source: live.source });
                live.interval
            }
            _ => return parts,
        },
    };
    aggregate(&parts, sub_level, level, false)
}

/// The candle of `interval` opening at `bucket` as it stands, from stored
/// candles, shorter ones and the live candle.
pub(crate) fn bucket(asset: &AssetMarket, interval: Interval, bucket: i64) -> Option<SourcedCandle> {
    let plan = plan(asset, interval)?;
    let range = bucket..bucket.saturating_add(interval.millis());
    let mut base: Vec<SourcedCandle> = match asset.series.get(&plan.base) {
        Some(series) => series.range(range.start..range.end.min(plan.stored_end)).copied().collect(),
        None => Vec::new(),
    };
    base.extend(plan.tail.iter().filter(|c| range.contains(&c.candle.open_time())).copied());
    aggregate(&base, plan.base, interval, false).pop()
}
