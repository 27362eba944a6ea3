//! The hot cache: the newest candles of each stored series, in memory.

use std::collections::VecDeque;
use std::ops::Range;

use crate::store::SourcedCandle;

/// The newest candles of one stored series, oldest first, with what the
/// store holds in total.
///
/// The deque holds *every* stored candle of the series from
/// [`HotSeries::complete_from`] on, so a range starting there is answered
/// from memory alone.
#[derive(Debug, Clone)]
pub(crate) struct HotSeries {
    candles: VecDeque<SourcedCandle>,
    capacity: usize,
    complete_from: i64,
    last_stored: i64,
}

impl HotSeries {
    /// A series loaded with the store's newest `candles` (oldest first);
    /// `first_stored` is the open time of the series' first stored candle.
    pub(crate) fn loaded(candles: Vec<SourcedCandle>, first_stored: i64, capacity: usize) -> HotSeries {
        let capacity = capacity.max(1);
        let mut candles = VecDeque::from(candles);
        while candles.len() > capacity {
            candles.pop_front();
        }
        let front = candles.front().map_or(i64::MAX, |c| c.candle.open_time());
        let last_stored = candles.back().map_or(i64::MIN, |c| c.candle.open_time());
        let complete_from = if front <= first_stored { i64::MIN } else { front };
        HotSeries { candles, capacity, complete_from, last_stored }
    }

    /// An empty series that the store does not hold yet.
    pub(crate) fn empty(capacity: usize) -> HotSeries {
        HotSeries {
            candles: VecDeque::new(),
            capacity: capacity.max(1),
            complete_from: i64::MIN,
            last_stored: i64::MIN,
        }
    }

    /// Records candles just written to the store (in any order).
    pub(crate) fn written(&mut self, candles: &[SourcedCandle]) {
        for candle in candles {
            let at = candle.candle.open_time();
            self.last_stored = self.last_stored.max(at);
            if at < self.complete_from {
                continue;
            }
            match self.candles.back() {
                Some(last) if last.candle.open_time() < at => self.candles.push_back(*candle),
                None => self.candles.push_back(*candle),
                Some(_) => match self.candles.binary_search_by_key(&at, |c| c.candle.open_time()) {
                    Ok(i) => self.candles[i] = *candle,
                    Err(i) => self.candles.insert(i, *candle),
                },
            }
        }
        while self.candles.len() > self.capacity {
            self.candles.pop_front();
            self.complete_from = self.candles.front().map_or(i64::MAX, |c| c.candle.open_time());
        }
    }

    /// The open time of the series' last stored candle, if any.
    pub(crate) fn last_stored(&self) -> Option<i64> {
        (self.last_stored != i64::MIN).then_some(self.last_stored)
    }

    /// Whether every stored candle in `range` is in memory.
    pub(crate) fn covers(&self, range: &Range<i64>) -> bool {
        range.start >= self.complete_from
    }

    /// The cached candles in `range`, oldest first.
    pub(crate) fn range(&self, range: Range<i64>) -> impl Iterator<Item = &SourcedCandle> {
        let start = self.candles.partition_point(|c| c.candle.open_time() < range.start);
        let end = self.candles.partition_point(|c| c.candle.open_time() < range.end);
        self.candles.range(start..end.max(start))
    }

    /// The cached candles, newest first.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = &SourcedCandle> {
        self.candles.iter().rev()
    }
}

#[cfg(test)]
mod tests {
    use altgate_market::{Candle, CandleParts, Interval};
    use altgate_protocol::Source;
    use proptest::prelude::*;

    use super::*;

    fn candle(hour: i64) -> SourcedCandle {
        let parts = CandleParts {
            open_time: hour * 3_600_000,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            volume: 1.0,
            quote_volume: None,
            trades: None,
        };
        SourcedCandle { candle: Candle::new(Interval::H1, parts).unwrap(), source: Source::Import }
    }

    proptest! {
        /// Whatever is written in whatever order, a covered range holds
        /// exactly the written candles in it, in order.
        #[test]
        fn covered_ranges_hold_exactly_what_was_written(
            hours in prop::collection::vec(0i64..200, 0..300),
            capacity in 1usize..64,
            from in 0i64..200,
            len in 0i64..100,
        ) {
            let mut hot = HotSeries::empty(capacity);
            let mut stored = std::collections::BTreeSet::new();
            for chunk in hours.chunks(7) {
                let candles: Vec<_> = chunk.iter().map(|h| candle(*h)).collect();
                hot.written(&candles);
                stored.extend(chunk.iter().copied());
            }
            let range = from * 3_600_000..(from + len) * 3_600_000;
            if hot.covers(&range) {
                let got: Vec<i64> = hot.range(range).map(|c| c.candle.open_time() / 3_600_000).collect();
                let want: Vec<i64> = stored.range(from..from + len).copied().collect();
                prop_assert_eq!(got, want);
            }
            prop_assert_eq!(hot.last_stored(), stored.last().map(|h| h * 3_600_000));
        }
    }
}
