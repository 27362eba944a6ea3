//! Tickers: the last price and the last 24 hours, from the shortest series.

use altgate_protocol::{AssetId, Ticker};

use super::at;
use super::state::AssetMarket;
use crate::store::SourcedCandle;

const DAY_MS: i64 = 24 * 3_600_000;

/// The ticker of an asset, from its live candle and the newest candles of
/// its shortest stored series; `None` without any. `stale` is left unset.
///
/// The price is the live candle's close, or the last stored close. The 24
/// hours end at the last update (the live candle's, or the close of the
/// last stored candle): high, low and volume cover the candles opening in
/// them, and the change is against the close of the last candle that closed
/// at or before their start.
pub(crate) fn compute(id: &AssetId, asset: &AssetMarket) -> Option<Ticker> {
    let finest = asset.stored_intervals().next();
    let hot = finest.and_then(|i| asset.series.get(&i).map(|s| (i, s)));
    let live = asset.live.filter(|live| finest.is_none_or(|f| f >= live.interval));
    let stored = hot.map(|(_, s)| s.newest_first()).into_iter().flatten();
    let live_item = live.map(|l| (SourcedCandle { candle: l.candle, source: l.source }, l.interval.millis()));
    let step = hot.map_or(0, |(i, _)| i.millis());
    let mut candles = live_item.into_iter().chain(stored.map(|c| (*c, step)));

    let (newest, newest_len) = candles.next()?;
    let updated_at = match live {
        Some(l) => l.updated_at,
        None => newest.candle.open_time().saturating_add(newest_len),
    };
    let since = updated_at.saturating_sub(DAY_MS);
    let (mut high, mut low, mut volume) = (newest.candle.high(), newest.candle.low(), newest.candle.volume());
    let mut reference = None;
    for (item, len) in candles {
        let c = item.candle;
        if c.open_time().saturating_add(len) <= since {
            reference = Some(c.close());
            break;
        }
        if c.open_time() >= since {
            high = high.max(c.high());
            low = low.min(c.low());
            volume += c.volume();
        }
    }
    let price = newest.candle.close();
    Some(Ticker {
        asset_id: id.clone(),
        price,
        change_24h_pct: reference.map(|r| (price / r - 1.0) * 100.0),
        high_24h: high,
        low_24h: low,
        volume_24h: volume,
        updated_at: at(updated_at),
        source: newest.source,
        stale: false,
    })
}
