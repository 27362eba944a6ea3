//! Maximum drawdown and the episode it happened in.

use super::returns::ReturnSeries;
use super::{Metric, Unavailable, at_least};

/// The deepest fall of the compounded value from a running peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawdown {
    /// The fall as a fraction of the peak, in `[-1, 0]`: `-0.25` is a 25 %
    /// loss from the peak (empyrical `max_drawdown`).
    pub depth: f64,
    /// Where it happened; `None` when the value never fell below a peak.
    pub episode: Option<DrawdownEpisode>,
}

/// Where the maximum drawdown happened, as indices into the value path:
/// index 0 is the start, before the first return, and index `i` the value
/// after `i` returns. For returns made from closes, these are indices into
/// the closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawdownEpisode {
    /// The peak the fall is measured from: the last index at or before the
    /// trough where the value stood at its running maximum.
    pub peak: usize,
    /// The lowest point: the first index where the drawdown is deepest.
    pub trough: usize,
    /// The first index after the trough where the value is back at or
    /// above the peak's, or `None` if it has not recovered.
    pub recovery: Option<usize>,
}

/// The maximum drawdown of the value `v_0 = 1`, `v_i = v_{i-1} (1 + r_i)`:
/// `min_i (v_i - max_{j ≤ i} v_j) / max_{j ≤ i} v_j`, with its episode.
/// Needs 1 return, and a value path that does not overflow.
pub fn max_drawdown(returns: &ReturnSeries) -> Metric<Drawdown> {
    at_least(1, returns.len())?;
    let mut values = Vec::with_capacity(returns.len() + 1);
    values.push(1.0_f64);
    let mut value = 1.0_f64;
    for r in returns.as_slice() {
        value *= 1.0 + r;
        if !value.is_finite() {
            return Err(Unavailable::NotFinite);
        }
        values.push(value);
    }
    let (mut peak, mut peak_value) = (0, 1.0_f64);
    let mut worst: Option<(f64, usize, usize)> = None;
    for (index, &value) in values.iter().enumerate().skip(1) {
        if value >= peak_value {
            (peak, peak_value) = (index, value);
        } else {
            let depth = (value - peak_value) / peak_value;
            if worst.is_none_or(|(deepest, _, _)| depth < deepest) {
                worst = Some((depth, peak, index));
            }
        }
    }
    let Some((depth, peak, trough)) = worst else { return Ok(Drawdown { depth: 0.0, episode: None }) };
    let recovery = (trough + 1..values.len()).find(|&i| values[i] >= values[peak]);
    Ok(Drawdown { depth, episode: Some(DrawdownEpisode { peak, trough, recovery }) })
}
