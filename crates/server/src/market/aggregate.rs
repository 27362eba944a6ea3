//! Aggregation of stored candles into longer intervals, keeping track of
//! whether each bucket is complete and where its prices came from.

use altgate_market::{Interval, Resampler};

use crate::store::SourcedCandle;

/// Aggregates `candles` (ascending, on the grid of `from`) into buckets of
/// `to`. With `complete_only`, a bucket is returned only when it holds every
/// candle of `from` it spans; otherwise partial buckets (at the ends of the
/// data or around gaps) aggregate what there is.
///
/// An aggregated candle takes the source of its last candle.
pub(crate) fn aggregate(
    candles: &[SourcedCandle],
    from: Interval,
    to: Interval,
    complete_only: bool,
) -> Vec<SourcedCandle> {
    if from == to {
        return candles.to_vec();
    }
    let per_bucket = to.millis() / from.millis();
    let mut out = Vec::with_capacity(candles.len() / usize::try_from(per_bucket).unwrap_or(1).max(1) + 1);
    let mut resampler = Resampler::new(to);
    let mut count = 0;
    let mut source = None;
    let mut emit = |candle, count, source: Option<_>| {
        if let Some(source) = source
            && (!complete_only || count == per_bucket)
        {
            out.push(SourcedCandle { candle, source });
        }
    };
    for item in candles {
        if let Some(done) = resampler.push(&item.candle) {
            emit(done, count, source);
            count = 0;
        }
        count += 1;
        source = Some(item.source);
    }
    if let Some(last) = resampler.finish() {
        emit(last, count, source);
    }
    out
}

#[cfg(test)]
mod tests {
    use altgate_market::{Candle, CandleParts};
    use altgate_protocol::Source;

    use super::*;

    fn minute(m: i64, price: f64) -> SourcedCandle {
        let parts = CandleParts {
            open_time: m * 60_000,
            open: price,
            high: price + 1.0,
            low: price - 1.0,
            close: price,
            volume: 2.0,
            quote_volume: None,
            trades: Some(3),
        };
        SourcedCandle { candle: Candle::new(Interval::M1, parts).unwrap(), source: Source::Binance }
    }

    #[test]
    fn only_full_buckets_pass_when_completeness_is_asked() {
        // Minutes 0..5 fill the first 5-minute bucket; 5..8 are three of the next five.
        let candles: Vec<_> = (0..8).map(|m| minute(m, 10.0 + m as f64)).collect();
        let complete = aggregate(&candles, Interval::M1, Interval::M5, true);
        assert_eq!(complete.len(), 1);
        let c = complete[0].candle;
        assert_eq!((c.open_time(), c.open(), c.close(), c.high(), c.low()), (0, 10.0, 14.0, 15.0, 9.0));
        assert_eq!((c.volume(), c.trades()), (10.0, Some(15)));
        let all = aggregate(&candles, Interval::M1, Interval::M5, false);
        assert_eq!(all.len(), 2);
        assert_eq!((all[1].candle.open_time(), all[1].candle.volume()), (300_000, 6.0));
    }
}
