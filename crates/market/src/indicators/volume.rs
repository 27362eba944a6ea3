//! On-balance volume (OBV).

use super::error::{IndicatorError, check_len};
use super::series::{Series, fill};

/// The lookback of [`obv`]: 0.
pub fn obv_lookback() -> usize {
    0
}

/// The OBV after a bar: `total` plus `volume` on a higher close, minus it
/// on a lower one.
#[inline(always)]
fn on_balance(total: f64, close: f64, previous: f64, volume: f64) -> f64 {
    // Both sums are computed and one selected: a branch on the close's
    // direction would be mispredicted about half of the time.
    let (up, down) = (total + volume, total - volume);
    let moved = if close < previous { down } else { total };
    if close > previous { up } else { moved }
}

/// On-balance volume: starts at the first bar's volume, then adds each
/// bar's volume when its close is above the previous close and subtracts it
/// when below.
pub fn obv(close: &[f64], volume: &[f64]) -> Result<Series, IndicatorError> {
    check_len("volume", close.len(), volume)?;
    let (Some(&first_close), Some(&first_volume)) = (close.first(), volume.first()) else {
        return Ok(Series::undefined(0));
    };
    let mut values = [vec![0.0; close.len()]];
    values[0][0] = first_volume;
    let state = (first_close, first_volume);
    fill(&mut values, state, close.len() - 1, |(previous, total), range, [out]| {
        let bars = close[range.start + 1..range.end + 1].iter().zip(&volume[range.start + 1..range.end + 1]);
        for (slot, (&c, &v)) in out.iter_mut().zip(bars) {
            *total = on_balance(*total, c, *previous, v);
            *previous = c;
            *slot = *total;
        }
    });
    let [values] = values;
    Ok(Series::new(0, values))
}

/// Streaming [`obv`].
#[derive(Debug, Clone, Default)]
pub struct Obv {
    previous_close: Option<f64>,
    total: f64,
}

impl Obv {
    /// A streaming OBV.
    pub fn new() -> Obv {
        Obv::default()
    }

    /// The number of bars pushed before the first output.
    pub fn lookback(&self) -> usize {
        obv_lookback()
    }

    /// Adds a bar; returns the OBV.
    pub fn push(&mut self, close: f64, volume: f64) -> Option<f64> {
        self.total = match self.previous_close.replace(close) {
            None => volume,
            Some(previous) => on_balance(self.total, close, previous, volume),
        };
        Some(self.total)
    }
}
