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
    let xs = &input[lookback + 1..];
    let mut pairs = xs.chunks_exact(2);
    let mut slots =
        lines[1..].chunks_exact_mut(2).zip(signals[1..].chunks_exact_mut(2)).zip(hists[1..].chunks_exact_mut(2));
    for (x, ((line, signal), hist)) in (&mut pairs).zip(&mut slots) {
        let first = emas.first(x[0]);
        let second = emas.second(x[0], first.macd, x[1]);
        (line[0], signal[0], hist[0]) = (first.macd, first.signal, first.hist);
        (line[1], signal[1], hist[1]) = (second.macd, second.signal, second.hist);
    }
    if let [x] = pairs.remainder() {
        let last = emas.first(*x);
        (lines[count - 1], signals[count - 1], hists[count - 1]) = (last.macd, last.signal, last.hist);
    }
    let [macd_values, signal_values, hist_values] = outputs;
    Ok(MacdOutput {
        macd: Series::new(lookback, macd_values),
        signal: Series::new(lookback, signal_values),
        hist: Series::new(lookback, hist_values),
    })
}

/// The factors of one EMA, `e ← e·keep + x·k`, and of two steps at once:
/// `e₂ = e₀·keep² + (x₁·k·keep + x₂·k)`.
#[derive(Debug, Clone, Copy)]
struct Factors {
    k: f64,
    keep: f64,
    keep2: f64,
    k_keep: f64,
}

impl Factors {
    fn new(period: usize) -> Factors {
        let (k, keep) = ema_factors(period);
        Factors { k, keep, keep2: keep * keep, k_keep: k * keep }
    }

    #[inline(always)]
    fn one(&self, e: f64, x: f64) -> f64 {
        e * self.keep + x * self.k
    }

    #[inline(always)]
    fn two(&self, e: f64, x1: f64, x2: f64) -> f64 {
        e * self.keep2 + (x1 * self.k_keep + x2 * self.k)
    }
}

/// The three EMAs of a MACD. While the signal line is seeded they advance
/// one value at a time; then two at a time (the second value of a pair
/// does not wait for the first, which halves the dependency chains), the
/// first value of a pair being computed from the same state.
#[derive(Debug, Clone, Copy)]
struct Emas {
    fast: f64,
    slow: f64,
    signal: f64,
    factors: [Factors; 3],
    /// The first value of a pair and its MACD line, in the streaming form.
    pending: Option<(f64, f64)>,
}

impl Emas {
    fn new(fast: usize, slow: usize, fast_seed: f64, slow_seed: f64) -> Emas {
        let factors = [Factors::new(fast), Factors::new(slow), Factors::new(1)];
        Emas { fast: fast_seed, slow: slow_seed, signal: 0.0, factors, pending: None }
    }

    fn start_signal(&mut self, period: usize, seed: f64) {
        self.signal = seed;
        self.factors[2] = Factors::new(period);
    }

    /// Advances the fast and slow EMAs by one value; returns the MACD line.
    #[inline(always)]
    fn step(&mut self, x: f64) -> f64 {
        self.fast = self.factors[0].one(self.fast, x);
        self.slow = self.factors[1].one(self.slow, x);
        self.fast - self.slow
    }

    /// The point after `x`, first of a pair (the state does not move).
    #[inline(always)]
    fn first(&self, x: f64) -> MacdPoint {
        let [fast, slow, signal] = self.factors;
        let line = fast.one(self.fast, x) - slow.one(self.slow, x);
        let signal = signal.one(self.signal, line);
        MacdPoint { macd: line, signal, hist: line - signal }
    }

    /// The point after `x2`, second of a pair after `x1` (whose line is
    /// `line1`); the state moves two values.
    #[inline(always)]
    fn second(&mut self, x1: f64, line1: f64, x2: f64) -> MacdPoint {
        let [fast, slow, signal] = self.factors;
        self.fast = fast.two(self.fast, x1, x2);
        self.slow = slow.two(self.slow, x1, x2);
        let line = self.fast - self.slow;
        self.signal = signal.two(self.signal, line1, line);
        MacdPoint { macd: line, signal: self.signal, hist: line - self.signal }
    }

    /// One value of the streaming form, after the signal is seeded.
    fn point(&mut self, x: f64) -> MacdPoint {
        match self.pending.take() {
            None => {
                let point = self.first(x);
                self.pending = Some((x, point.macd));
                point
            }
            Some((x1, line1)) => self.second(x1, line1, x),
        }
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
