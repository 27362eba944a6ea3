//! Checked return series: plain, dated, and paired with a benchmark.

use crate::candle::Candle;

/// Why values do not make a return series.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ReturnsError {
    /// A price is NaN, infinite, zero or negative.
    #[error("price {index} is {value}; prices must be finite and positive")]
    Price {
        /// The price's position.
        index: usize,
        /// The price.
        value: f64,
    },
    /// A return is NaN, infinite or below -1 (a loss of more than everything).
    #[error("return {index} is {value}; returns must be finite and at least -1")]
    Return {
        /// The return's position.
        index: usize,
        /// The return.
        value: f64,
    },
    /// A time is not after the one before it.
    #[error("time {index} is not after the time before it")]
    Unordered {
        /// The time's position.
        index: usize,
    },
    /// Two sequences that must be as long as each other are not.
    #[error("lengths differ: {left} and {right}")]
    LengthMismatch {
        /// The first length.
        left: usize,
        /// The second length.
        right: usize,
    },
}

/// Periodic simple returns, oldest first: each finite and at least -1.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReturnSeries(Vec<f64>);

impl ReturnSeries {
    /// Checks returns.
    pub fn new(returns: Vec<f64>) -> Result<ReturnSeries, ReturnsError> {
        if let Some((index, &value)) = returns.iter().enumerate().find(|(_, r)| !(r.is_finite() && **r >= -1.0)) {
            return Err(ReturnsError::Return { index, value });
        }
        Ok(ReturnSeries(returns))
    }

    /// The returns of consecutive closes, `close[i] / close[i - 1] - 1`, as
    /// pandas' `pct_change` computes them: one fewer than the closes.
    pub fn from_closes(closes: &[f64]) -> Result<ReturnSeries, ReturnsError> {
        if let Some((index, &value)) = closes.iter().enumerate().find(|(_, p)| !(p.is_finite() && **p > 0.0)) {
            return Err(ReturnsError::Price { index, value });
        }
        ReturnSeries::new(closes.windows(2).map(|pair| pair[1] / pair[0] - 1.0).collect())
    }

    /// The returns.
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }

    /// The number of returns.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no returns.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last `n` returns (all of them if there are fewer).
    pub fn last(&self, n: usize) -> ReturnSeries {
        ReturnSeries(self.0[self.0.len().saturating_sub(n)..].to_vec())
    }
}

/// Returns with the time each period ended at, strictly increasing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DatedReturns {
    times: Vec<i64>,
    returns: ReturnSeries,
}

impl DatedReturns {
    /// Pairs returns with their times, which must be strictly increasing.
    pub fn new(times: Vec<i64>, returns: ReturnSeries) -> Result<DatedReturns, ReturnsError> {
        if times.len() != returns.len() {
            return Err(ReturnsError::LengthMismatch { left: times.len(), right: returns.len() });
        }
        if let Some(index) = (1..times.len()).find(|&i| times[i] <= times[i - 1]) {
            return Err(ReturnsError::Unordered { index });
        }
        Ok(DatedReturns { times, returns })
    }

    /// The returns of consecutive closes, each dated by the time of its
    /// later close. Consecutive means consecutive in the slices: a gap in
    /// the times makes one return span it, as with pandas' `pct_change`.
    pub fn from_closes(times: &[i64], closes: &[f64]) -> Result<DatedReturns, ReturnsError> {
        if times.len() != closes.len() {
            return Err(ReturnsError::LengthMismatch { left: times.len(), right: closes.len() });
        }
        let returns = ReturnSeries::from_closes(closes)?;
        DatedReturns::new(times.iter().skip(1).copied().collect(), returns)
    }

    /// The returns of candles' closes, dated by the later candle's open
    /// time (see [`DatedReturns::from_closes`]).
    pub fn from_candles(candles: &[Candle]) -> Result<DatedReturns, ReturnsError> {
        let times: Vec<i64> = candles.iter().map(Candle::open_time).collect();
        let closes: Vec<f64> = candles.iter().map(Candle::close).collect();
        DatedReturns::from_closes(&times, &closes)
    }

    /// The times, strictly increasing.
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// The returns.
    pub fn returns(&self) -> &ReturnSeries {
        &self.returns
    }

    /// The number of returns.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are no returns.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The last `n` returns (all of them if there are fewer).
    pub fn last(&self, n: usize) -> DatedReturns {
        let start = self.times.len().saturating_sub(n);
        DatedReturns { times: self.times[start..].to_vec(), returns: ReturnSeries(self.returns.0[start..].to_vec()) }
    }

    /// This series and `benchmark` on the times both have (an inner join).
    pub fn pair_with(&self, benchmark: &DatedReturns) -> PairedReturns {
        let (_, mut columns) = intersect(&[self, benchmark]);
        let benchmark = columns.pop().unwrap_or_default();
        let asset = columns.pop().unwrap_or_default();
        PairedReturns { asset: ReturnSeries(asset), benchmark: ReturnSeries(benchmark) }
    }
}

/// The times every series has, and each series' returns at them.
pub(crate) fn intersect(series: &[&DatedReturns]) -> (Vec<i64>, Vec<Vec<f64>>) {
    let mut cursors = vec![0_usize; series.len()];
    let mut times = Vec::new();
    let mut columns = vec![Vec::new(); series.len()];
    let Some(first) = series.first() else { return (times, columns) };
    'outer: for &time in &first.times {
        for (cursor, other) in cursors.iter_mut().zip(series) {
            while other.times.get(*cursor).is_some_and(|&t| t < time) {
                *cursor += 1;
            }
            if other.times.get(*cursor) != Some(&time) {
                continue 'outer;
            }
        }
        times.push(time);
        for ((column, other), &cursor) in columns.iter_mut().zip(series).zip(&cursors) {
            column.push(other.returns.0[cursor]);
        }
    }
    (times, columns)
}

/// An asset's returns and a benchmark's over the same periods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PairedReturns {
    asset: ReturnSeries,
    benchmark: ReturnSeries,
}

impl PairedReturns {
    /// Pairs two series that are already aligned period by period.
    pub fn new(asset: ReturnSeries, benchmark: ReturnSeries) -> Result<PairedReturns, ReturnsError> {
        if asset.len() != benchmark.len() {
            return Err(ReturnsError::LengthMismatch { left: asset.len(), right: benchmark.len() });
        }
        Ok(PairedReturns { asset, benchmark })
    }

    /// The asset's returns.
    pub fn asset(&self) -> &ReturnSeries {
        &self.asset
    }

    /// The benchmark's returns.
    pub fn benchmark(&self) -> &ReturnSeries {
        &self.benchmark
    }

    /// The number of paired periods.
    pub fn len(&self) -> usize {
        self.asset.len()
    }

    /// Whether there are no paired periods.
    pub fn is_empty(&self) -> bool {
        self.asset.is_empty()
    }

    /// The last `n` pairs (all of them if there are fewer).
    pub fn last(&self, n: usize) -> PairedReturns {
        PairedReturns { asset: self.asset.last(n), benchmark: self.benchmark.last(n) }
    }
}
