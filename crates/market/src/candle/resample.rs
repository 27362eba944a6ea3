//! Aggregating candles into a longer interval on the UTC grid.

use super::{Candle, Interval};

/// Aggregates candles, oldest first, into buckets of `to`: each output
/// candle has the first open, the highest high, the lowest low, the last
/// close and the summed volumes of the input candles in its bucket.
///
/// The input must be ascending by open time, on a grid of an interval that
/// `to` holds; a bucket with only some of its candles (at either end of the
/// data, or around a gap) aggregates what there is.
pub fn resample(candles: &[Candle], to: Interval) -> Vec<Candle> {
    let mut resampler = Resampler::new(to);
    let mut out = Vec::with_capacity(candles.len().min(1 << 16));
    for candle in candles {
        if let Some(done) = resampler.push(candle) {
            out.push(done);
        }
    }
    out.extend(resampler.finish());
    out
}

/// Aggregates a stream of candles into buckets of one interval, returning
/// each bucket as soon as a candle of a later bucket arrives.
#[derive(Debug, Clone)]
pub struct Resampler {
    to: Interval,
    current: Option<Candle>,
}

impl Resampler {
    /// A resampler into `to`.
    pub fn new(to: Interval) -> Resampler {
        Resampler { to, current: None }
    }

    /// Adds the next candle; returns the previous bucket if this one starts a
    /// new bucket.
    pub fn push(&mut self, candle: &Candle) -> Option<Candle> {
        let bucket = self.to.align(candle.open_time());
        match &mut self.current {
            Some(current) if current.open_time() == bucket => {
                current.absorb(candle);
                None
            }
            current => current.replace(candle.reopened(bucket)),
        }
    }

    /// The bucket being aggregated, if any: complete or not.
    pub fn current(&self) -> Option<&Candle> {
        self.current.as_ref()
    }

    /// The last bucket, if any.
    pub fn finish(self) -> Option<Candle> {
        self.current
    }
}
