//! Rate of change (ROC).

use super::error::{IndicatorError, check_period};
use super::series::{Series, fill};
use super::window::Ring;

/// The smallest ROC period (TA-Lib's minimum).
pub const ROC_MIN_PERIOD: usize = 1;

/// The lookback of [`roc`]: `period`.
pub fn roc_lookback(period: usize) -> usize {
    period
}

/// `((value / previous) - 1) · 100`, 0 when `previous` is 0.
#[inline(always)]
fn rate(value: f64, previous: f64) -> f64 {
    // Computed before the test and selected, so that the loop vectorizes.
    let rate = ((value / previous) - 1.0) * 100.0;
    if previous != 0.0 { rate } else { 0.0 }
}

/// Rate of change of `input` over `period` values (1 to 100000), in
/// percent: `(x[i] / x[i - period] - 1) · 100`.
pub fn roc(input: &[f64], period: usize) -> Result<Series, IndicatorError> {
    check_period("period", period, ROC_MIN_PERIOD)?;
    let n = input.len();
    if n <= period {
        return Ok(Series::undefined(n));
    }
    let mut values = [vec![0.0; n - period]];
    fill(&mut values, (), n - period, |(), range, [out]| {
        let out = &mut out[..range.len()];
        let newest = &input[range.start + period..range.end + period];
        for ((slot, &x), &previous) in out.iter_mut().zip(newest).zip(&input[range]) {
            *slot = rate(x, previous);
        }
    });
    let [values] = values;
    Ok(Series::new(period, values))
}

/// Streaming [`roc`].
#[derive(Debug, Clone)]
pub struct Roc {
    period: usize,
    window: Ring,
}

impl Roc {
    /// A streaming ROC over `period` values (1 to 100000).
    pub fn new(period: usize) -> Result<Roc, IndicatorError> {
        check_period("period", period, ROC_MIN_PERIOD)?;
        Ok(Roc { period, window: Ring::new(period) })
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        roc_lookback(self.period)
    }

    /// Adds `value`; returns the rate of change once `period + 1` values
    /// were pushed.
    pub fn push(&mut self, value: f64) -> Option<f64> {
        let previous = self.window.push(value)?;
        Some(rate(value, previous))
    }
}
