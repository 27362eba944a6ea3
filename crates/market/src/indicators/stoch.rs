//! Stochastic oscillator (STOCH): slow %K and %D, smoothed with SMAs.

use super::error::{IndicatorError, check_len, check_period};
use super::ma::{Sma, rolling_means};
use super::series::Series;
use super::window::{Extreme, Extremum};

/// The smallest period of each of STOCH's three periods (TA-Lib's minimum).
pub const STOCH_MIN_PERIOD: usize = 1;

/// The lookback of [`stoch`]: `(fastk - 1) + (slowk - 1) + (slowd - 1)`.
pub fn stoch_lookback(fastk: usize, slowk: usize, slowd: usize) -> usize {
    fastk.saturating_sub(1) + slowk.saturating_sub(1) + slowd.saturating_sub(1)
}

/// The two aligned series of [`stoch`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StochOutput {
    /// Slow %K: the SMA of fast %K over `slowk` bars.
    pub slowk: Series,
    /// Slow %D: the SMA of slow %K over `slowd` bars.
    pub slowd: Series,
}

/// One point of a streaming [`Stoch`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StochPoint {
    /// Slow %K.
    pub slowk: f64,
    /// Slow %D.
    pub slowd: f64,
}

fn check(fastk: usize, slowk: usize, slowd: usize) -> Result<(), IndicatorError> {
    check_period("fastk", fastk, STOCH_MIN_PERIOD)?;
    check_period("slowk", slowk, STOCH_MIN_PERIOD)?;
    check_period("slowd", slowd, STOCH_MIN_PERIOD)
}

/// Fast %K: where the close sits in the range of the window, in percent;
/// 0 when the window's range is empty.
#[inline(always)]
fn fast_k(close: f64, highest: f64, lowest: f64) -> f64 {
    let range = highest - lowest;
    if range != 0.0 { (close - lowest) / range * 100.0 } else { 0.0 }
}

/// Windows up to this length are scanned for their extremes (no branch to
/// mispredict); longer ones use monotonic queues (amortised O(1) per bar,
/// whatever the data).
const SCAN: usize = 16;

/// The highest high and lowest low of each window of `period` bars, in
/// order (`period` ≤ the number of bars), passed to `each` with the index
/// of the window's last bar.
fn extremes(high: &[f64], low: &[f64], period: usize, mut each: impl FnMut(usize, f64, f64)) {
    if period <= SCAN {
        let max = |window: &[f64]| window.iter().fold(f64::NEG_INFINITY, |m, &v| if v > m { v } else { m });
        let min = |window: &[f64]| window.iter().fold(f64::INFINITY, |m, &v| if v < m { v } else { m });
        for (i, (h, l)) in high.windows(period).zip(low.windows(period)).enumerate() {
            each(i + period - 1, max(h), min(l));
        }
        return;
    }
    let mut highest = Extremum::new(Extreme::Max, period);
    let mut lowest = Extremum::new(Extreme::Min, period);
    for (i, (&h, &l)) in high.iter().zip(low).enumerate() {
        let (h, l) = (highest.push(h), lowest.push(l));
        if i + 1 >= period {
            each(i, h, l);
        }
    }
}

/// Stochastic oscillator of the bars: fast %K over `fastk` bars (highest
/// high and lowest low of the window), slow %K its SMA over `slowk` bars and
/// slow %D the SMA of slow %K over `slowd` bars (each period 1 to 100000).
/// Both outputs start at the lookback, as TA-Lib's STOCH.
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk: usize,
    slowk: usize,
    slowd: usize,
) -> Result<StochOutput, IndicatorError> {
    check(fastk, slowk, slowd)?;
    check_len("low", high.len(), low)?;
    check_len("close", high.len(), close)?;
    let n = high.len();
    let lookback = stoch_lookback(fastk, slowk, slowd);
    if n <= lookback {
        let undefined = Series::undefined(n);
        return Ok(StochOutput { slowk: undefined.clone(), slowd: undefined });
    }
    let mut fast = Vec::with_capacity(n + 1 - fastk);
    extremes(high, low, fastk, |i, highest, lowest| fast.push(fast_k(close[i], highest, lowest)));
    let slow_k = rolling_means(&fast, slowk);
    drop(fast);
    let slow_d = rolling_means(&slow_k, slowd);
    let slow_k = slow_k[slowd - 1..].to_vec();
    Ok(StochOutput { slowk: Series::new(lookback, slow_k), slowd: Series::new(lookback, slow_d) })
}

/// Streaming [`stoch`].
#[derive(Debug, Clone)]
pub struct Stoch {
    fastk: usize,
    slowk_period: usize,
    slowd_period: usize,
    seen: usize,
    highest: Extremum,
    lowest: Extremum,
    slowk: Sma,
    slowd: Sma,
}

impl Stoch {
    /// A streaming STOCH (same parameters as [`stoch`]).
    pub fn new(fastk: usize, slowk: usize, slowd: usize) -> Result<Stoch, IndicatorError> {
        check(fastk, slowk, slowd)?;
        Ok(Stoch {
            fastk,
            slowk_period: slowk,
            slowd_period: slowd,
            seen: 0,
            highest: Extremum::new(Extreme::Max, fastk),
            lowest: Extremum::new(Extreme::Min, fastk),
            slowk: Sma::unchecked(slowk),
            slowd: Sma::unchecked(slowd),
        })
    }

    /// The number of bars pushed before the first output.
    pub fn lookback(&self) -> usize {
        stoch_lookback(self.fastk, self.slowk_period, self.slowd_period)
    }

    /// Adds a bar; returns slow %K and %D once the lookback is passed.
    pub fn push(&mut self, high: f64, low: f64, close: f64) -> Option<StochPoint> {
        self.seen += 1;
        let highest = self.highest.push(high);
        let lowest = self.lowest.push(low);
        if self.seen < self.fastk {
            return None;
        }
        let slowk = self.slowk.push(fast_k(close, highest, lowest))?;
        let slowd = self.slowd.push(slowk)?;
        Some(StochPoint { slowk, slowd })
    }
}
