//! Rolling standard deviation (STDDEV) and Bollinger Bands (BBANDS).

use super::error::{IndicatorError, check_factor, check_period};
use super::ma::RollingSum;
use super::series::{Series, fill};
use super::window::Ring;

/// The smallest period of STDDEV and BBANDS (TA-Lib's minimum).
pub const BANDS_MIN_PERIOD: usize = 2;

/// The lookback of [`stddev`]: `period - 1`.
pub fn stddev_lookback(period: usize) -> usize {
    period.saturating_sub(1)
}

/// The lookback of [`bbands`]: `period - 1`.
pub fn bbands_lookback(period: usize) -> usize {
    period.saturating_sub(1)
}

/// Re-anchor at least every this many windows, in units of the period.
const REANCHOR_PERIODS: usize = 16;
/// Re-anchor when the variance falls below this share of the mean squared
/// deviation from the shift (the subtraction then cancels digits).
const CANCELLATION: f64 = 1e-6;
/// Re-anchor when the squared deviation of the value that left exceeds this
/// many times what remains (its rounding would dominate the sums).
const OUTLIER: f64 = 1e6;
/// A fresh variance below this share of the mean squared deviation is
/// rounding noise: the window is flat.
const FLOOR: f64 = 1e-12;

/// The population variance of a sliding window, from sums of deviations
/// from a shift near the window's values: `s1 = Σ(x - shift)` and
/// `s2 = Σ(x - shift)²`, so that `s2/n - (s1/n)²` does not subtract two
/// quantities of the size of the squared price. The shift is moved to the
/// window's mean and the sums rebuilt (two passes over the window) when the
/// subtraction would lose digits, when a value that left the window was so
/// far off that its rounding dominates what remains, and every 16 periods.
/// A window of identical values has variance exactly 0: re-anchoring on it
/// makes every deviation 0, and the sums then stay 0 while it stays flat.
#[derive(Debug, Clone)]
struct RollingVariance {
    period: usize,
    inv_period: f64,
    shift: f64,
    s1: f64,
    s2: f64,
    age: usize,
    limit: usize,
}

impl RollingVariance {
    fn new(period: usize) -> RollingVariance {
        RollingVariance {
            period,
            inv_period: 1.0 / period as f64,
            shift: 0.0,
            s1: 0.0,
            s2: 0.0,
            age: 0,
            limit: REANCHOR_PERIODS * period,
        }
    }

    /// Slides the window (`x` in, `oldest` out) and returns the variance of
    /// the new window, re-anchoring from `window` (the new window, oldest
    /// first) when needed.
    #[inline(always)]
    fn step<I: Iterator<Item = f64> + Clone>(&mut self, x: f64, oldest: f64, window: impl FnOnce() -> I) -> f64 {
        let d_in = x - self.shift;
        let d_out = oldest - self.shift;
        let (square_in, square_out) = (d_in * d_in, d_out * d_out);
        self.s1 += d_in - d_out;
        self.s2 += square_in - square_out;
        self.age += 1;
        let mean_square = self.s2 * self.inv_period;
        let mean = self.s1 * self.inv_period;
        let variance = mean_square - mean * mean;
        if variance > CANCELLATION * mean_square && square_out <= OUTLIER * self.s2 && self.age < self.limit {
            variance
        } else if self.s2 == 0.0 && square_in == 0.0 && square_out == 0.0 {
            // Every value of the window equals the shift.
            0.0
        } else {
            self.anchor(window())
        }
    }

    /// Moves the shift to the mean of `window` and rebuilds the sums;
    /// returns the window's variance. Also starts the first window.
    #[inline(always)]
    fn anchor<I: Iterator<Item = f64> + Clone>(&mut self, window: I) -> f64 {
        let mut sum = 0.0;
        for x in window.clone() {
            sum += x;
        }
        self.shift = sum * self.inv_period;
        self.s1 = 0.0;
        self.s2 = 0.0;
        for x in window {
            let d = x - self.shift;
            self.s1 += d;
            self.s2 += d * d;
        }
        self.age = 0;
        let mean_square = self.s2 * self.inv_period;
        let mean = self.s1 * self.inv_period;
        let variance = mean_square - mean * mean;
        if variance > FLOOR * mean_square { variance } else { 0.0 }
    }
}

/// The window of a streaming variance, and the variance itself.
#[derive(Debug, Clone)]
struct StreamingVariance {
    var: RollingVariance,
    window: Ring,
}

impl StreamingVariance {
    fn new(period: usize) -> StreamingVariance {
        StreamingVariance { var: RollingVariance::new(period), window: Ring::new(period) }
    }

    /// Adds `value`; returns the variance once the window is full, and the
    /// value that left the window (if one did).
    fn push(&mut self, value: f64) -> (Option<f64>, Option<f64>) {
        match self.window.push(value) {
            None if self.window.is_full() => (Some(self.var.anchor(self.window.iter())), None),
            None => (None, None),
            Some(oldest) => {
                let ring = &self.window;
                (Some(self.var.step(value, oldest, || ring.iter())), Some(oldest))
            }
        }
    }
}

/// Population standard deviation of `input` over `period` values (2 to
/// 100000), times `nbdev` (a number within ±3e37).
pub fn stddev(input: &[f64], period: usize, nbdev: f64) -> Result<Series, IndicatorError> {
    check_period("period", period, BANDS_MIN_PERIOD)?;
    check_factor("nbdev", nbdev)?;
    let lookback = stddev_lookback(period);
    if input.len() <= lookback {
        return Ok(Series::undefined(input.len()));
    }
    let mut var = RollingVariance::new(period);
    let mut values = Vec::with_capacity(input.len() - lookback);
    values.push(var.anchor(input[..period].iter().copied()).sqrt() * nbdev);
    let slides = (0..).zip(input[period..].iter().zip(input));
    values.extend(slides.map(move |(i, (&x, &oldest))| {
        let window = || input[i + 1..=i + period].iter().copied();
        var.step(x, oldest, window).sqrt() * nbdev
    }));
    Ok(Series::new(lookback, values))
}

/// Streaming [`stddev`].
#[derive(Debug, Clone)]
pub struct Stddev {
    nbdev: f64,
    var: StreamingVariance,
}

impl Stddev {
    /// A streaming STDDEV (same parameters as [`stddev`]).
    pub fn new(period: usize, nbdev: f64) -> Result<Stddev, IndicatorError> {
        check_period("period", period, BANDS_MIN_PERIOD)?;
        check_factor("nbdev", nbdev)?;
        Ok(Stddev { nbdev, var: StreamingVariance::new(period) })
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        stddev_lookback(self.var.var.period)
    }

    /// Adds `value`; returns the deviation once `period` values were pushed.
    pub fn push(&mut self, value: f64) -> Option<f64> {
        let variance = self.var.push(value).0?;
        Some(variance.sqrt() * self.nbdev)
    }
}

/// The three aligned series of [`bbands`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BbandsOutput {
    /// Middle band plus `nbdev_up` deviations.
    pub upper: Series,
    /// The SMA.
    pub middle: Series,
    /// Middle band minus `nbdev_down` deviations.
    pub lower: Series,
}

/// One point of a streaming [`Bbands`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BbandsPoint {
    /// Middle band plus `nbdev_up` deviations.
    pub upper: f64,
    /// The SMA.
    pub middle: f64,
    /// Middle band minus `nbdev_down` deviations.
    pub lower: f64,
}

/// The bands around `middle` at `deviation`.
#[inline(always)]
fn bands(middle: f64, deviation: f64, up: f64, down: f64) -> BbandsPoint {
    if up == down {
        let width = deviation * up;
        BbandsPoint { upper: middle + width, middle, lower: middle - width }
    } else {
        BbandsPoint { upper: middle + deviation * up, middle, lower: middle - deviation * down }
    }
}

/// Bollinger Bands of `input`: the SMA over `period` values (2 to 100000)
/// and that SMA plus `nbdev_up` / minus `nbdev_down` population standard
/// deviations of the same window (multipliers within ±3e37).
pub fn bbands(input: &[f64], period: usize, nbdev_up: f64, nbdev_down: f64) -> Result<BbandsOutput, IndicatorError> {
    check_period("period", period, BANDS_MIN_PERIOD)?;
    check_factor("nbdev_up", nbdev_up)?;
    check_factor("nbdev_down", nbdev_down)?;
    let lookback = bbands_lookback(period);
    let n = input.len();
    if n <= lookback {
        let undefined = Series::undefined(n);
        return Ok(BbandsOutput { upper: undefined.clone(), middle: undefined.clone(), lower: undefined });
    }
    let mut var = RollingVariance::new(period);
    let mut mean = RollingSum::new(period);
    for &x in &input[..period] {
        mean.seed(x);
    }
    let first = bands(mean.mean(), var.anchor(input[..period].iter().copied()).sqrt(), nbdev_up, nbdev_down);
    let mut outputs: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; n - lookback]);
    for (output, value) in outputs.iter_mut().zip([first.upper, first.middle, first.lower]) {
        output[0] = value;
    }
    fill(&mut outputs, (var, mean), n - period, |(var, mean), range, [uppers, middles, lowers]| {
        let count = range.len();
        let newest = &input[range.start + period..range.end + period];
        let slides = newest.iter().zip(&input[range.clone()]);
        let slots = uppers.iter_mut().zip(middles.iter_mut());
        for (i, ((variance, middle), (&x, &oldest))) in (range.start..).zip(slots.zip(slides)) {
            let window = || input[i + 1..=i + period].iter().copied();
            mean.slide(x, oldest, window);
            *middle = mean.mean();
            *variance = var.step(x, oldest, window);
        }
        // The square roots are independent: a separate loop runs them in SIMD.
        let points = uppers.iter_mut().zip(middles.iter_mut()).zip(lowers.iter_mut()).take(count);
        for ((upper, middle), lower) in points {
            let point = bands(*middle, upper.sqrt(), nbdev_up, nbdev_down);
            (*upper, *lower) = (point.upper, point.lower);
        }
    });
    let [upper, middle, lower] = outputs;
    Ok(BbandsOutput {
        upper: Series::new(lookback, upper),
        middle: Series::new(lookback, middle),
        lower: Series::new(lookback, lower),
    })
}

/// Streaming [`bbands`].
#[derive(Debug, Clone)]
pub struct Bbands {
    nbdev_up: f64,
    nbdev_down: f64,
    mean: RollingSum,
    var: StreamingVariance,
}

impl Bbands {
    /// A streaming BBANDS (same parameters as [`bbands`]).
    pub fn new(period: usize, nbdev_up: f64, nbdev_down: f64) -> Result<Bbands, IndicatorError> {
        check_period("period", period, BANDS_MIN_PERIOD)?;
        check_factor("nbdev_up", nbdev_up)?;
        check_factor("nbdev_down", nbdev_down)?;
        Ok(Bbands { nbdev_up, nbdev_down, mean: RollingSum::new(period), var: StreamingVariance::new(period) })
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        bbands_lookback(self.var.var.period)
    }

    /// Adds `value`; returns the bands once `period` values were pushed.
    pub fn push(&mut self, value: f64) -> Option<BbandsPoint> {
        let (variance, oldest) = self.var.push(value);
        match oldest {
            Some(oldest) => {
                let window = &self.var.window;
                self.mean.slide(value, oldest, || window.iter());
            }
            None => self.mean.seed(value),
        }
        Some(bands(self.mean.mean(), variance?.sqrt(), self.nbdev_up, self.nbdev_down))
    }
}
