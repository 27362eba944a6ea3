//! Relative strength index (Wilder).

use super::error::{IndicatorError, check_period};
use super::series::Series;
use super::smooth::Smoother;

/// The smallest RSI period (TA-Lib's minimum).
pub const RSI_MIN_PERIOD: usize = 2;

/// The lookback of [`rsi`]: `period` (the first change needs two values).
pub fn rsi_lookback(period: usize) -> usize {
    period
}

/// Wilder's smoothing factors for `period`: `keep = (period-1)/period` and
/// `add = 1 - keep` (exact complements).
pub(crate) fn wilder_factors(period: usize) -> (f64, f64) {
    let keep = (period - 1) as f64 / period as f64;
    (keep, 1.0 - keep)
}

/// The gain (increase) and loss (decrease) of a change.
#[inline(always)]
fn split(change: f64) -> (f64, f64) {
    let gain = if change > 0.0 { change } else { 0.0 };
    let loss = if change < 0.0 { -change } else { 0.0 };
    (gain, loss)
}

/// `100 · gain / (gain + loss)`, 0 when nothing moved.
#[inline(always)]
fn index(gain: f64, loss: f64) -> f64 {
    let total = gain + loss;
    // Computed before the test and selected, so that the loop vectorizes.
    let value = 100.0 * (gain / total);
    if total > 0.0 { value } else { 0.0 }
}

/// The mean gain and loss of the first `period` changes of `input`.
fn seed(input: &[f64], period: usize) -> (f64, f64) {
    let (mut gain, mut loss) = (0.0, 0.0);
    for pair in input[..=period].windows(2) {
        let change = pair[1] - pair[0];
        if change < 0.0 {
            loss -= change;
        } else {
            gain += change;
        }
    }
    (gain / period as f64, loss / period as f64)
}

/// The Wilder averages of gains and losses.
#[derive(Debug, Clone, Copy)]
struct Averages {
    gain: Smoother,
    loss: Smoother,
}

impl Averages {
    fn new(period: usize, gain: f64, loss: f64) -> Averages {
        let (keep, add) = wilder_factors(period);
        Averages { gain: Smoother::new(keep, add, gain), loss: Smoother::new(keep, add, loss) }
    }
}

/// Relative strength index of `input` over `period` changes (2 to 100000).
pub fn rsi(input: &[f64], period: usize) -> Result<Series, IndicatorError> {
    check_period("period", period, RSI_MIN_PERIOD)?;
    let lookback = rsi_lookback(period);
    if input.len() <= lookback {
        return Ok(Series::undefined(input.len()));
    }
    let (gain, loss) = seed(input, period);
    let mut values = Vec::with_capacity(input.len() - lookback);
    values.push(index(gain, loss));
    let mut averages = Averages::new(period, gain, loss);
    values.extend(input[period + 1..].iter().zip(&input[period..]).map(move |(&x, &previous)| {
        let (gain, loss) = split(x - previous);
        index(averages.gain.step(gain), averages.loss.step(loss))
    }));
    Ok(Series::new(lookback, values))
}

/// Streaming [`rsi`].
#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    seen: usize,
    previous: f64,
    gain: f64,
    loss: f64,
    averages: Option<Averages>,
}

impl Rsi {
    /// A streaming RSI over `period` changes (2 to 100000).
    pub fn new(period: usize) -> Result<Rsi, IndicatorError> {
        check_period("period", period, RSI_MIN_PERIOD)?;
        Ok(Rsi { period, seen: 0, previous: 0.0, gain: 0.0, loss: 0.0, averages: None })
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        rsi_lookback(self.period)
    }

    /// Adds `value`; returns the RSI once `period + 1` values were pushed.
    pub fn push(&mut self, value: f64) -> Option<f64> {
        let change = value - self.previous;
        self.previous = value;
        if let Some(averages) = &mut self.averages {
            let (gain, loss) = split(change);
            return Some(index(averages.gain.step(gain), averages.loss.step(loss)));
        }
        self.seen += 1;
        if self.seen == 1 {
            return None;
        }
        if change < 0.0 {
            self.loss -= change;
        } else {
            self.gain += change;
        }
        if self.seen <= self.period {
            return None;
        }
        let (gain, loss) = (self.gain / self.period as f64, self.loss / self.period as f64);
        self.averages = Some(Averages::new(self.period, gain, loss));
        Some(index(gain, loss))
    }
}
