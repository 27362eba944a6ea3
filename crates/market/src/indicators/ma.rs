//! Moving averages: SMA, EMA and WMA.

use super::error::{IndicatorError, check_period};
use super::series::{Series, fill};
use super::smooth::Smoother;
use super::window::Ring;

/// The smallest period of SMA, EMA and WMA (TA-Lib's classic minimum).
pub const MA_MIN_PERIOD: usize = 2;

/// Running window sums are recomputed from the window every this many
/// slides, in units of the period, so that rounding cannot accumulate over
/// a long series.
pub(crate) const RESUM_PERIODS: usize = 16;

/// The lookback of [`sma`]: `period - 1`.
pub fn sma_lookback(period: usize) -> usize {
    period.saturating_sub(1)
}

/// The lookback of [`ema`]: `period - 1`.
pub fn ema_lookback(period: usize) -> usize {
    period.saturating_sub(1)
}

/// The lookback of [`wma`]: `period - 1`.
pub fn wma_lookback(period: usize) -> usize {
    period.saturating_sub(1)
}

/// The running sum of a rolling mean: the window is summed in order, then
/// each slide adds `newest - oldest` (one addition on the dependency
/// chain), the window being summed afresh every 16 periods; the mean is the
/// sum times `1/period`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RollingSum {
    sum: f64,
    scale: f64,
    age: usize,
    limit: usize,
}

impl RollingSum {
    pub(crate) fn new(period: usize) -> RollingSum {
        RollingSum { sum: 0.0, scale: 1.0 / period as f64, age: 0, limit: RESUM_PERIODS * period }
    }

    /// Adds a value of the first window.
    #[inline(always)]
    pub(crate) fn seed(&mut self, x: f64) {
        self.sum += x;
    }

    /// Slides the window: `x` enters, `oldest` leaves; `window` gives the
    /// new window, oldest first, when it is time to sum it afresh.
    #[inline(always)]
    pub(crate) fn slide<I: Iterator<Item = f64>>(&mut self, x: f64, oldest: f64, window: impl FnOnce() -> I) {
        self.age += 1;
        if self.age < self.limit {
            self.sum += x - oldest;
        } else {
            self.age = 0;
            self.sum = 0.0;
            for x in window() {
                self.sum += x;
            }
        }
    }

    #[inline(always)]
    pub(crate) fn mean(&self) -> f64 {
        self.sum * self.scale
    }
}

/// Simple moving average of `input` over `period` values (2 to 100000).
pub fn sma(input: &[f64], period: usize) -> Result<Series, IndicatorError> {
    check_period("period", period, MA_MIN_PERIOD)?;
    let lookback = sma_lookback(period);
    if input.len() <= lookback {
        return Ok(Series::undefined(input.len()));
    }
    Ok(Series::new(lookback, rolling_means(input, period)))
}

/// The rolling means of `input` over `period` (≥ 1) values, one per full
/// window (none when `input` is shorter than `period`), with the operations
/// of [`Sma::push`].
pub(crate) fn rolling_means(input: &[f64], period: usize) -> Vec<f64> {
    if input.len() < period {
        return Vec::new();
    }
    let mut state = RollingSum::new(period);
    for &x in &input[..period] {
        state.seed(x);
    }
    let mut values = Vec::with_capacity(input.len() + 1 - period);
    values.push(state.mean());
    let slides = (0..).zip(input[period..].iter().zip(input));
    values.extend(slides.map(move |(i, (&x, &oldest))| {
        state.slide(x, oldest, || input[i + 1..=i + period].iter().copied());
        state.mean()
    }));
    values
}

/// Streaming [`sma`]: push one value at a time.
#[derive(Debug, Clone)]
pub struct Sma {
    period: usize,
    state: RollingSum,
    /// The latest `period` values.
    window: Ring,
}

impl Sma {
    /// A streaming SMA over `period` values (2 to 100000).
    pub fn new(period: usize) -> Result<Sma, IndicatorError> {
        check_period("period", period, MA_MIN_PERIOD)?;
        Ok(Sma::unchecked(period))
    }

    /// `period` ≥ 1 is not checked against TA-Lib's range (internal use by
    /// the stochastic, whose smoothing periods start at 1).
    pub(crate) fn unchecked(period: usize) -> Sma {
        Sma { period, state: RollingSum::new(period), window: Ring::new(period) }
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        sma_lookback(self.period)
    }

    /// Adds `value`; returns the SMA once `period` values were pushed.
    pub fn push(&mut self, value: f64) -> Option<f64> {
        match self.window.push(value) {
            Some(oldest) => {
                let window = &self.window;
                self.state.slide(value, oldest, || window.iter());
            }
            None => {
                self.state.seed(value);
                if !self.window.is_full() {
                    return None;
                }
            }
        }
        Some(self.state.mean())
    }
}

/// The smoothing factor `k = 2 / (period + 1)` of an EMA and `1 - k`.
pub(crate) fn ema_factors(period: usize) -> (f64, f64) {
    let k = 2.0 / (period as f64 + 1.0);
    (k, 1.0 - k)
}

/// The EMA smoother from `seed`: `e ← e·(1-k) + x·k`.
pub(crate) fn ema_smoother(period: usize, seed: f64) -> Smoother {
    let (k, keep) = ema_factors(period);
    Smoother::new(keep, k, seed)
}

/// Exponential moving average of `input` over `period` values (2 to
/// 100000), seeded with the SMA of the first `period` values.
pub fn ema(input: &[f64], period: usize) -> Result<Series, IndicatorError> {
    check_period("period", period, MA_MIN_PERIOD)?;
    let lookback = ema_lookback(period);
    if input.len() <= lookback {
        return Ok(Series::undefined(input.len()));
    }
    let mut sum = 0.0;
    for &x in &input[..period] {
        sum += x;
    }
    let seed = sum / period as f64;
    let mut values = [vec![0.0; input.len() - lookback]];
    values[0][0] = seed;
    fill(&mut values, ema_smoother(period, seed), input.len() - period, |smoother, range, [out]| {
        smoother.run(&input[range.start + period..range.end + period], &mut out[..range.len()]);
    });
    let [values] = values;
    Ok(Series::new(lookback, values))
}

/// Streaming [`ema`].
#[derive(Debug, Clone)]
pub struct Ema {
    period: usize,
    seen: usize,
    sum: f64,
    smoother: Option<Smoother>,
}

impl Ema {
    /// A streaming EMA over `period` values (2 to 100000).
    pub fn new(period: usize) -> Result<Ema, IndicatorError> {
        check_period("period", period, MA_MIN_PERIOD)?;
        Ok(Ema::unchecked(period))
    }

    /// `period` ≥ 1 is not checked against TA-Lib's range (MACD's signal
    /// line may use period 1).
    pub(crate) fn unchecked(period: usize) -> Ema {
        Ema { period, seen: 0, sum: 0.0, smoother: None }
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        ema_lookback(self.period)
    }

    /// Adds `value`; returns the EMA once `period` values were pushed.
    pub fn push(&mut self, value: f64) -> Option<f64> {
        if let Some(smoother) = &mut self.smoother {
            return Some(smoother.step(value));
        }
        self.seen += 1;
        self.sum += value;
        if self.seen < self.period {
            return None;
        }
        let seed = self.sum / self.period as f64;
        self.smoother = Some(ema_smoother(self.period, seed));
        Some(seed)
    }
}

/// Weighted moving average of `input` over `period` values (2 to 100000):
/// the newest value weighs `period`, the oldest 1, divided by
/// `period·(period+1)/2`.
pub fn wma(input: &[f64], period: usize) -> Result<Series, IndicatorError> {
    check_period("period", period, MA_MIN_PERIOD)?;
    let lookback = wma_lookback(period);
    if input.len() <= lookback {
        return Ok(Series::undefined(input.len()));
    }
    let mut state = WmaState::new(period);
    state.resum(input[..period].iter().copied());
    let mut values = Vec::with_capacity(input.len() - lookback);
    values.push(state.value());
    let slides = (0..).zip(input[period..].iter().zip(input));
    values.extend(slides.map(move |(i, (&x, &oldest))| {
        state.slide(x, oldest, || input[i + 1..=i + period].iter().copied());
        state.value()
    }));
    Ok(Series::new(lookback, values))
}

/// The running sums of a WMA, `weighted = Σ w·x` and `total = Σ x` over the
/// window, summed afresh every 16 periods.
#[derive(Debug, Clone, Copy)]
struct WmaState {
    weight: f64,
    /// `1 / (period·(period+1)/2)`.
    scale: f64,
    weighted: f64,
    total: f64,
    age: usize,
    limit: usize,
}

impl WmaState {
    fn new(period: usize) -> WmaState {
        let divisor = (period * (period + 1) / 2) as f64;
        WmaState {
            weight: period as f64,
            scale: 1.0 / divisor,
            weighted: 0.0,
            total: 0.0,
            age: 0,
            limit: RESUM_PERIODS * period,
        }
    }

    /// Sums the window (oldest first, weights 1 to `period`).
    #[inline(always)]
    fn resum(&mut self, window: impl Iterator<Item = f64>) {
        self.weighted = 0.0;
        self.total = 0.0;
        for (i, x) in window.enumerate() {
            self.total += x;
            self.weighted += x * (i + 1) as f64;
        }
    }

    #[inline(always)]
    fn value(&self) -> f64 {
        self.weighted * self.scale
    }

    /// Slides the window: every weight drops by one (subtracting the old
    /// total) and `x` enters with weight `period`; `window` gives the new
    /// window when it is time to sum it afresh.
    #[inline(always)]
    fn slide<I: Iterator<Item = f64>>(&mut self, x: f64, oldest: f64, window: impl FnOnce() -> I) {
        self.age += 1;
        if self.age < self.limit {
            self.weighted += self.weight * x - self.total;
            // `total - (oldest - x)` is `total + (x - oldest)` exactly; the
            // subtraction keeps LLVM from packing both sums in one vector,
            // which would put a lane shuffle on the dependency chain.
            self.total -= oldest - x;
        } else {
            self.age = 0;
            self.resum(window());
        }
    }
}

/// Streaming [`wma`].
#[derive(Debug, Clone)]
pub struct Wma {
    period: usize,
    state: WmaState,
    window: Ring,
}

impl Wma {
    /// A streaming WMA over `period` values (2 to 100000).
    pub fn new(period: usize) -> Result<Wma, IndicatorError> {
        check_period("period", period, MA_MIN_PERIOD)?;
        Ok(Wma { period, state: WmaState::new(period), window: Ring::new(period) })
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        wma_lookback(self.period)
    }

    /// Adds `value`; returns the WMA once `period` values were pushed.
    pub fn push(&mut self, value: f64) -> Option<f64> {
        match self.window.push(value) {
            Some(oldest) => {
                let window = &self.window;
                self.state.slide(value, oldest, || window.iter());
            }
            None if self.window.is_full() => self.state.resum(self.window.iter()),
            None => return None,
        }
        Some(self.state.value())
    }
}
