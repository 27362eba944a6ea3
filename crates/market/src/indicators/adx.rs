//! Average directional index (ADX) with the directional indicators +DI and
//! -DI.

use super::error::{IndicatorError, check_len, check_period};
use super::range::true_range;
use super::rsi::wilder_factors;
use super::series::{CHUNK, Series, fill};
use super::smooth::Smoother;

/// The smallest ADX period (TA-Lib's minimum).
pub const ADX_MIN_PERIOD: usize = 2;

/// The lookback of the ADX line of [`adx`]: `2·period - 1`.
pub fn adx_lookback(period: usize) -> usize {
    (2 * period).saturating_sub(1)
}

/// The lookback of the +DI and -DI lines of [`adx`]: `period`.
pub fn di_lookback(period: usize) -> usize {
    period
}

/// A DI sum below this is zero (TA-Lib's `TA_IS_ZERO` band; the DIs are
/// percentages, so the band does not depend on the price scale).
const DI_ZERO: f64 = 1e-14;

/// The three aligned series of [`adx`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdxOutput {
    /// The ADX line (lookback `2·period - 1`).
    pub adx: Series,
    /// The +DI line (lookback `period`).
    pub plus_di: Series,
    /// The -DI line (lookback `period`).
    pub minus_di: Series,
}

/// One point of a streaming [`Adx`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdxPoint {
    /// The ADX, from `2·period` bars on.
    pub adx: Option<f64>,
    /// +DI.
    pub plus_di: f64,
    /// -DI.
    pub minus_di: f64,
}

/// The one-bar +DM, -DM and true range of a bar after the previous one.
#[inline(always)]
fn movement(high: f64, low: f64, previous_high: f64, previous_low: f64, previous_close: f64) -> [f64; 3] {
    let up = high - previous_high;
    let down = previous_low - low;
    // Both tests are computed and selected (they exclude each other): a
    // branch on the bar's direction would be mispredicted half the time.
    let minus = if down > 0.0 && up < down { down } else { 0.0 };
    let plus = if up > 0.0 && up > down { up } else { 0.0 };
    [plus, minus, true_range(high, low, previous_close)]
}

/// +DI, -DI and DX from the smoothed +DM, -DM and true range; DX is -1
/// when undefined (no range, or no directional movement).
#[inline(always)]
fn directional(plus: f64, minus: f64, range: f64) -> [f64; 3] {
    let scale = 100.0 / range;
    let plus_di = plus * scale;
    let minus_di = minus * scale;
    let sum = minus_di + plus_di;
    let dx = 100.0 * ((minus_di - plus_di).abs() / sum);
    let dx = if sum.abs() < DI_ZERO { -1.0 } else { dx };
    if range > 0.0 { [plus_di, minus_di, dx] } else { [0.0, 0.0, -1.0] }
}

/// Wilder-smooths `dx` into `adx`; a bar without DX keeps the ADX.
#[inline(always)]
fn smooth_adx(adx: f64, dx: f64, keep: f64, add: f64) -> f64 {
    let next = adx * keep + dx * add;
    if dx >= 0.0 { next } else { adx }
}

/// The directional movement and range state shared by batch and stream.
#[derive(Debug, Clone)]
struct Directional {
    period: usize,
    keep: f64,
    add: f64,
    /// Bars seen so far.
    seen: usize,
    previous: [f64; 3],
    /// The sums of the first `period - 1` movements and ranges.
    sums: [f64; 3],
    /// Wilder's smoothing of +DM, -DM and TR, once seeded.
    smoothers: Option<[Smoother; 3]>,
    /// The sum of the first `period` DX, then the ADX.
    adx: f64,
}

impl Directional {
    fn new(period: usize) -> Directional {
        let (keep, add) = wilder_factors(period);
        Directional { period, keep, add, seen: 0, previous: [0.0; 3], sums: [0.0; 3], smoothers: None, adx: 0.0 }
    }

    /// Adds a bar. Returns nothing during the first `period` bars, then
    /// (+DI, -DI, ADX once defined).
    fn step(&mut self, high: f64, low: f64, close: f64) -> Option<(f64, f64, Option<f64>)> {
        let index = self.seen;
        self.seen += 1;
        let [previous_high, previous_low, previous_close] = self.previous;
        self.previous = [high, low, close];
        if index == 0 {
            return None;
        }
        let moved = movement(high, low, previous_high, previous_low, previous_close);
        let Some(smoothers) = &mut self.smoothers else {
            for (sum, x) in self.sums.iter_mut().zip(moved) {
                *sum += x;
            }
            if index == self.period - 1 {
                self.smoothers = Some(self.sums.map(|sum| Smoother::new(self.keep, 1.0, sum)));
            }
            return None;
        };
        let [plus, minus, range] = [0, 1, 2].map(|i| smoothers[i].step(moved[i]));
        let [plus_di, minus_di, dx] = directional(plus, minus, range);
        let last_seed = 2 * self.period - 1;
        let adx = if index <= last_seed {
            self.adx += dx.max(0.0);
            if index < last_seed {
                None
            } else {
                self.adx /= self.period as f64;
                Some(self.adx)
            }
        } else {
            self.adx = smooth_adx(self.adx, dx, self.keep, self.add);
            Some(self.adx)
        };
        Some((plus_di, minus_di, adx))
    }
}

/// ADX of the bars over `period` (2 to 100000), with +DI and -DI: the
/// directional movements and true ranges are summed over the first
/// `period - 1` bar pairs and then Wilder-smoothed; `±DI = 100·±DM / TR`
/// (0 when TR is 0); `DX = 100·|+DI - -DI| / (+DI + -DI)`; the first ADX is
/// the mean of the first `period` DX and the next ones Wilder-smooth DX (a
/// bar without a DX keeps the previous ADX).
pub fn adx(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Result<AdxOutput, IndicatorError> {
    check_period("period", period, ADX_MIN_PERIOD)?;
    check_len("low", high.len(), low)?;
    check_len("close", high.len(), close)?;
    let n = high.len();
    let di_start = di_lookback(period);
    let adx_start = adx_lookback(period);
    if n <= di_start {
        let undefined = Series::undefined(n);
        return Ok(AdxOutput { adx: undefined.clone(), plus_di: undefined.clone(), minus_di: undefined });
    }
    // The seed: the bars up to the first ADX, one at a time.
    let mut state = Directional::new(period);
    let mut outputs = [vec![0.0; n - di_start], vec![0.0; n - di_start], vec![0.0; n.saturating_sub(adx_start)]];
    let seeded = n.min(adx_start + 1);
    for i in 0..seeded {
        if let Some((plus_di, minus_di, adx)) = state.step(high[i], low[i], close[i]) {
            outputs[0][i - di_start] = plus_di;
            outputs[1][i - di_start] = minus_di;
            if let Some(adx) = adx {
                outputs[2][0] = adx;
            }
        }
    }
    // The rest in chunks: movements, smoothing, DIs, then the ADX.
    let (keep, add) = (state.keep, state.add);
    if let (Some(smoothers), true) = (state.smoothers, n > seeded) {
        let start = seeded;
        let carried = (smoothers, state.adx);
        fill(&mut outputs, carried, n - start, |(smoothers, adx), range, [plus_out, minus_out, adx_out]| {
            let count = range.len();
            let (from, to) = (range.start + start, range.end + start);
            let mut moves = [[0.0; CHUNK]; 3];
            let previous = high[from - 1..to - 1].iter().zip(&low[from - 1..to - 1]).zip(&close[from - 1..to - 1]);
            let bars = high[from..to].iter().zip(&low[from..to]).zip(previous);
            for (i, ((&h, &l), ((&ph, &pl), &pc))) in bars.enumerate() {
                let [plus, minus, range] = movement(h, l, ph, pl, pc);
                (moves[0][i], moves[1][i], moves[2][i]) = (plus, minus, range);
            }
            let mut smoothed = [[0.0; CHUNK]; 3];
            for ((smoother, values), out) in smoothers.iter_mut().zip(&moves).zip(&mut smoothed) {
                smoother.run(&values[..count], &mut out[..count]);
            }
            // The divisions are independent: this loop runs in SIMD. The DX
            // goes to `smoothed[0]`, no longer needed.
            let [plus, minus, range] = &mut smoothed;
            let points = plus_out.iter_mut().zip(minus_out.iter_mut());
            for ((plus_di, minus_di), ((plus, &minus), &range)) in
                points.zip(plus.iter_mut().zip(minus.iter()).zip(range.iter()))
            {
                let [p, m, dx] = directional(*plus, minus, range);
                (*plus_di, *minus_di, *plus) = (p, m, dx);
            }
            for (slot, &dx) in adx_out.iter_mut().zip(plus.iter()) {
                *adx = smooth_adx(*adx, dx, keep, add);
                *slot = *adx;
            }
        });
    }
    let [plus_values, minus_values, adx_values] = outputs;
    let adx = if adx_values.is_empty() { Series::undefined(n) } else { Series::new(adx_start, adx_values) };
    Ok(AdxOutput { adx, plus_di: Series::new(di_start, plus_values), minus_di: Series::new(di_start, minus_values) })
}

/// Streaming [`adx`].
#[derive(Debug, Clone)]
pub struct Adx {
    state: Directional,
}

impl Adx {
    /// A streaming ADX over `period` bars (2 to 100000).
    pub fn new(period: usize) -> Result<Adx, IndicatorError> {
        check_period("period", period, ADX_MIN_PERIOD)?;
        Ok(Adx { state: Directional::new(period) })
    }

    /// The number of bars pushed before the first +DI/-DI output; the ADX
    /// needs [`adx_lookback`] bars.
    pub fn lookback(&self) -> usize {
        di_lookback(self.state.period)
    }

    /// Adds a bar; returns +DI and -DI once `period + 1` bars were pushed,
    /// and the ADX from `2·period` bars on.
    pub fn push(&mut self, high: f64, low: f64, close: f64) -> Option<AdxPoint> {
        let (plus_di, minus_di, adx) = self.state.step(high, low, close)?;
        Some(AdxPoint { adx, plus_di, minus_di })
    }
}
