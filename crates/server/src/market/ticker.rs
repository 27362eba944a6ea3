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
    // The shortest series may not reach back a day (minutes kept only for
    // the last day, say): the longer ones are asked then.
    let reference = reference.or_else(|| {
        asset.stored_intervals().skip(1).find_map(|interval| {
            let series = asset.series.get(&interval)?;
            let before =
                series.newest_first().find(|c| c.candle.open_time().saturating_add(interval.millis()) <= since)?;
            Some(before.candle.close())
        })
    });
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

#[cfg(test)]
mod tests {
    use altgate_market::{Candle, CandleParts, Interval};
    use altgate_protocol::{AssetId, Source};

    use super::*;
    use crate::market::hot::HotSeries;

    fn candle(interval: Interval, open_time: i64, close: f64) -> SourcedCandle {
        let parts = CandleParts {
            open_time,
            open: close,
            high: close + 1.0,
            low: close - 1.0,
            close,
            volume: 1.0,
            quote_volume: None,
            trades: None,
        };
        SourcedCandle { candle: Candle::new(interval, parts).unwrap(), source: Source::Simulated }
    }

    #[test]
    fn the_day_before_comes_from_a_longer_series_when_the_shortest_is_too_short() {
        const HOUR: i64 = 3_600_000;
        let now = 1_767_225_600_000;
        let mut asset = AssetMarket::default();
        // Hours for two days, closing at 100 + hour; minutes only for the last hour.
        let hours: Vec<_> = (0..48).map(|h| candle(Interval::H1, now - (48 - h) * HOUR, 100.0 + h as f64)).collect();
        let minutes: Vec<_> = (0..60).map(|m| candle(Interval::M1, now - HOUR + m * 60_000, 200.0)).collect();
        let mut hourly = HotSeries::empty(1000);
        hourly.written(&hours);
        let mut by_minute = HotSeries::empty(1000);
        by_minute.written(&minutes);
        asset.series.insert(Interval::H1, hourly);
        asset.series.insert(Interval::M1, by_minute);
        let ticker = compute(&AssetId::parse("bitcoin").unwrap(), &asset).unwrap();
        assert_eq!(ticker.price, 200.0);
        assert_eq!(ticker.updated_at.as_millis(), now);
        // 24 hours before `now`, the last closed hour is hour 23 (close 123).
        let change = ticker.change_24h_pct.expect("a price a day old");
        assert!((change - (200.0 / 123.0 - 1.0) * 100.0).abs() < 1e-9, "{change}");
    }
}
