//! Moving average convergence/divergence.

use super::error::{IndicatorError, check_period};
use super::ma::ema_factors;
use super::series::Series;

/// The smallest fast and slow periods of MACD (TA-Lib's minimum).
pub const MACD_MIN_PERIOD: usize = 2;
/// The smallest signal period of MACD (TA-Lib's minimum).
pub const MACD_MIN_SIGNAL: usize = 1;

/// The lookback of [`macd`]: `(slow - 1) + (signal - 1)`, with `slow` the
/// larger of the two EMA periods.
pub fn macd_lookback(fast: usize, slow: usize, signal: usize) -> usize {
    fast.max(slow).saturating_sub(1) + signal.saturating_sub(1)
}

/// The three aligned series of [`macd`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MacdOutput {
    /// Fast EMA minus slow EMA.
    pub macd: Series,
    /// EMA of the MACD line over the signal period.
    pub signal: Series,
    /// MACD minus signal.
    pub hist: Series,
}

/// One point of a streaming [`Macd`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MacdPoint {
    /// Fast EMA minus slow EMA.
    pub macd: f64,
    /// EMA of the MACD line.
    pub signal: f64,
    /// MACD minus signal.
    pub hist: f64,
}

fn check(fast: usize, slow: usize, signal: usize) -> Result<(usize, usize), IndicatorError> {
    check_period("fast", fast, MACD_MIN_PERIOD)?;
    check_period("slow", slow, MACD_MIN_PERIOD)?;
    check_period("signal", signal, MACD_MIN_SIGNAL)?;
    // TA-Lib swaps the periods when the slow one is the shorter.
    Ok(if slow < fast { (slow, fast) } else { (fast, slow) })
}

/// MACD of `input`: fast EMA minus slow EMA (periods 2 to 100000; swapped
/// when `slow < fast`, as TA-Lib does), the signal EMA of that line (period
/// 1 to 100000) and their difference. Both EMAs start at index `slow - 1`:
/// the slow EMA is seeded with the SMA of the first `slow` values, the fast
/// one with the SMA of the `fast` values ending there.
pub fn macd(input: &[f64], fast: usize, slow: usize, signal: usize) -> Result<MacdOutput, IndicatorError> {
    let (fast, slow) = check(fast, slow, signal)?;
    let lookback = macd_lookback(fast, slow, signal);
    let n = input.len();
    if n <= lookback {
        let undefined = Series::undefined(n);
        return Ok(MacdOutput { macd: undefined.clone(), signal: undefined.clone(), hist: undefined });
    }
    let mut slow_sum = 0.0;
    for &x in &input[..slow] {
        slow_sum += x;
    }
    let mut fast_sum = 0.0;
    for &x in &input[slow - fast..slow] {
        fast_sum += x;
    }
    let (slow_seed, fast_seed) = (slow_sum / slow as f64, fast_sum / fast as f64);
    let mut emas = Emas::new(fast, slow, fast_seed, slow_seed);

    // The first `signal` MACD values seed the signal line.
    let mut line = fast_seed - slow_seed;
    let mut signal_sum = 0.0;
    signal_sum += line;
    for &x in &input[slow..=lookback] {
        line = emas.step(x);
        signal_sum += line;
    }
    let signal_seed = signal_sum / signal as f64;
    emas.start_signal(signal, signal_seed);

    let count = n - lookback;
    let mut outputs: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; count]);
    let [lines, signals, hists] = &mut outputs;
    (lines[0], signals[0], hists[0]) = (line, signal_seed, line - signal_seed);
    let points = lines[1..].iter_mut().zip(&mut signals[1..]).zip(&mut hists[1..]);
    for (((line, signal), hist), &x) in points.zip(&input[lookback + 1..]) {
        let point = emas.point(x);
        (*line, *signal, *hist) = (point.macd, point.signal, point.hist);
    }
    let [macd_values, signal_values, hist_values] = outputs;
    Ok(MacdOutput {
        macd: Series::new(lookback, macd_values),
        signal: Series::new(lookback, signal_values),
        hist: Series::new(lookback, hist_values),
    })
}

/// The three EMAs of a MACD, each `e ← e·(1-k) + x·k`: three independent
/// dependency chains of one multiplication and one addition, which run in
/// parallel.
#[derive(Debug, Clone, Copy)]
struct Emas {
    fast: f64,
    slow: f64,
    signal: f64,
    /// `k` and `1 - k` of the fast, slow and signal EMAs.
    factors: [(f64, f64); 3],
}

impl Emas {
    fn new(fast: usize, slow: usize, fast_seed: f64, slow_seed: f64) -> Emas {
        Emas { fast: fast_seed, slow: slow_seed, signal: 0.0, factors: [ema_factors(fast), ema_factors(slow), (0.0, 0.0)] }
    }

    fn start_signal(&mut self, period: usize, seed: f64) {
        self.signal = seed;
        self.factors[2] = ema_factors(period);
    }

    /// Advances the fast and slow EMAs; returns the MACD line.
    #[inline(always)]
    fn step(&mut self, x: f64) -> f64 {
        let [(fast_k, fast_keep), (slow_k, slow_keep), _] = self.factors;
        self.fast = self.fast * fast_keep + x * fast_k;
        self.slow = self.slow * slow_keep + x * slow_k;
        self.fast - self.slow
    }

    /// Advances all three EMAs.
    #[inline(always)]
    fn point(&mut self, x: f64) -> MacdPoint {
        let line = self.step(x);
        let (signal_k, signal_keep) = self.factors[2];
        self.signal = self.signal * signal_keep + line * signal_k;
        MacdPoint { macd: line, signal: self.signal, hist: line - self.signal }
    }
}

/// Streaming [`macd`].
#[derive(Debug, Clone)]
pub struct Macd {
    fast_period: usize,
    slow_period: usize,
    signal_period: usize,
    seen: usize,
    slow_sum: f64,
    fast_sum: f64,
    signal_sum: f64,
    emas: Option<Emas>,
    /// Set once the signal line is seeded.
    signalled: bool,
}

impl Macd {
    /// A streaming MACD (same parameters as [`macd`]).
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Macd, IndicatorError> {
        let (fast_period, slow_period) = check(fast, slow, signal)?;
        Ok(Macd {
            fast_period,
            slow_period,
            signal_period: signal,
            seen: 0,
            slow_sum: 0.0,
            fast_sum: 0.0,
            signal_sum: 0.0,
            emas: None,
            signalled: false,
        })
    }

    /// The number of values pushed before the first output.
    pub fn lookback(&self) -> usize {
        macd_lookback(self.fast_period, self.slow_period, self.signal_period)
    }

    /// Adds `value`; returns the MACD point once the lookback is passed.
    pub fn push(&mut self, value: f64) -> Option<MacdPoint> {
        if self.signalled {
            return self.emas.as_mut().map(|emas| emas.point(value));
        }
        self.seen += 1;
        let line = match &mut self.emas {
            Some(emas) => emas.step(value),
            None => {
                self.slow_sum += value;
                // The fast EMA's seed is the mean of the `fast` values
                // ending where the slow one's ends.
                if self.seen > self.slow_period - self.fast_period {
                    self.fast_sum += value;
                }
                if self.seen < self.slow_period {
                    return None;
                }
                let slow_seed = self.slow_sum / self.slow_period as f64;
                let fast_seed = self.fast_sum / self.fast_period as f64;
                self.emas = Some(Emas::new(self.fast_period, self.slow_period, fast_seed, slow_seed));
                fast_seed - slow_seed
            }
        };
        self.signal_sum += line;
        if self.seen < self.slow_period + self.signal_period - 1 {
            return None;
        }
        let seed = self.signal_sum / self.signal_period as f64;
        self.signalled = true;
        let emas = self.emas.as_mut()?;
        emas.start_signal(self.signal_period, seed);
        Some(MacdPoint { macd: line, signal: seed, hist: line - seed })
    }
}
