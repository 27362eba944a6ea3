//! True range (TRANGE) and average true range (ATR).

use super::error::{IndicatorError, check_len, check_period};
use super::rsi::wilder_factors;
use super::series::Series;
use super::smooth::Smoother;

/// The smallest ATR period (TA-Lib's minimum; period 1 is the true range).
pub const ATR_MIN_PERIOD: usize = 1;

/// The lookback of [`trange`]: 1 (the previous close is needed).
pub fn trange_lookback() -> usize {
    1
}

/// The lookback of [`atr`]: `period` (1 for period 1).
pub fn atr_lookback(period: usize) -> usize {
    period.max(1)
}

/// The true range of a bar: the greatest of `high - low`,
/// `|previous close - high|` and `|previous close - low|`.
#[inline(always)]
pub(crate) fn true_range(high: f64, low: f64, previous_close: f64) -> f64 {
    let mut greatest = high - low;
    let to_high = (previous_close - high).abs();
    if to_high > greatest {
        greatest = to_high;
    }
    let to_low = (previous_close - low).abs();
    if to_low > greatest {
        greatest = to_low;
    }
    greatest
}

/// Checks that `low` and `close` have the length of `high`.
fn check_hlc(high: &[f64], low: &[f64], close: &[f64]) -> Result<(), IndicatorError> {
    check_len("low", high.len(), low)?;
    check_len("close", high.len(), close)
}

/// True range of each bar from the second on.
pub fn trange(high: &[f64], low: &[f64], close: &[f64]) -> Result<Series, IndicatorError> {
    check_hlc(high, low, close)?;
    let n = high.len();
    if n <= 1 {
        return Ok(Series::undefined(n));
    }
    let mut values = Vec::with_capacity(n - 1);
    let bars = high[1..].iter().zip(&low[1..]).zip(close);
    values.extend(bars.map(|((&h, &l), &previous)| true_range(h, l, previous)));
    Ok(Series::new(1, values))
}

/// Streaming [`trange`].
#[derive(Debug, Clone, Default)]
pub struct Trange {
    previous_close: Option<f64>,
}

impl Trange {
    /// A streaming true range.
    pub fn new() -> Trange {
        Trange::default()
    }

    /// The number of bars pushed before the first output.
    pub fn lookback(&self) -> usize {
        trange_lookback()
    }

    /// Adds a bar; returns its true range from the second bar on.
    pub fn push(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let previous = self.previous_close.replace(close)?;
        Some(true_range(high, low, previous))
    }
}

/// Wilder's smoothing of the true range from `seed`:
/// `a ← a·(n-1)/n + tr·(1 - (n-1)/n)`.
fn atr_smoother(period: usize, seed: f64) -> Smoother {
    let (keep, add) = wilder_factors(period);
    Smoother::new(keep, add, seed)
}

/// Average true range of the bars over `period` (1 to 100000): the mean of
/// the first `period` true ranges, then Wilder's smoothing. Period 1 is the
/// true range itself.
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Result<Series, IndicatorError> {
    check_period("period", period, ATR_MIN_PERIOD)?;
    if period == 1 {
        return trange(high, low, close);
    }
    check_hlc(high, low, close)?;
    let n = high.len();
    let lookback = atr_lookback(period);
    if n <= lookback {
        return Ok(Series::undefined(n));
    }
    let mut sum = 0.0;
    for i in 1..=period {
        sum += true_range(high[i], low[i], close[i - 1]);
    }
    let seed = sum / period as f64;
    let mut values = Vec::with_capacity(n - lookback);
    values.push(seed);
    let mut smoother = atr_smoother(period, seed);
    let bars = high[period + 1..].iter().zip(&low[period + 1..]).zip(&close[period..]);
    values.extend(bars.map(move |((&h, &l), &previous)| smoother.step(true_range(h, l, previous))));
    Ok(Series::new(lookback, values))
}

/// Streaming [`atr`].
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    range: Trange,
    seen: usize,
    sum: f64,
    smoothing: Option<Smoother>,
}

impl Atr {
    /// A streaming ATR over `period` bars (1 to 100000).
    pub fn new(period: usize) -> Result<Atr, IndicatorError> {
        check_period("period", period, ATR_MIN_PERIOD)?;
        Ok(Atr { period, range: Trange::new(), seen: 0, sum: 0.0, smoothing: None })
    }

    /// The number of bars pushed before the first output.
    pub fn lookback(&self) -> usize {
        atr_lookback(self.period)
    }

    /// Adds a bar; returns the ATR once `period + 1` bars were pushed.
    pub fn push(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let range = self.range.push(high, low, close)?;
        if self.period == 1 {
            return Some(range);
        }
        if let Some(smoothing) = &mut self.smoothing {
            return Some(smoothing.step(range));
        }
        self.seen += 1;
        self.sum += range;
        if self.seen < self.period {
            return None;
        }
        let seed = self.sum / self.period as f64;
        self.smoothing = Some(atr_smoother(self.period, seed));
        Some(seed)
    }
}
