//! Numerical building blocks shared by the risk and portfolio metrics.
//!
//! Sums are compensated (Neumaier), so a metric's rounding error does not
//! grow with the length of the series.

/// The compensated sum of `values`.
pub(crate) fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut total, mut compensation) = (0.0_f64, 0.0_f64);
    for value in values {
        let next = total + value;
        compensation += if total.abs() >= value.abs() { (total - next) + value } else { (value - next) + total };
        total = next;
    }
    total + compensation
}

/// The arithmetic mean of a non-empty slice (NaN when empty).
pub(crate) fn mean(values: &[f64]) -> f64 {
    sum(values.iter().copied()) / values.len() as f64
}

/// The mean and the sums of the 2nd, 3rd and 4th powers of the deviations
/// from it, with the extremes: everything the one-series metrics need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary {
    /// The number of values.
    pub(crate) n: usize,
    /// The mean (NaN when empty).
    pub(crate) mean: f64,
    /// `Σ (x - mean)²`.
    pub(crate) ss2: f64,
    /// `Σ (x - mean)³`.
    pub(crate) ss3: f64,
    /// `Σ (x - mean)⁴`.
    pub(crate) ss4: f64,
    /// The smallest value (+∞ when empty).
    pub(crate) min: f64,
    /// The largest value (-∞ when empty).
    pub(crate) max: f64,
}

impl Summary {
    /// Summarises `values` in two passes: the mean, then the deviations.
    pub(crate) fn of(values: &[f64]) -> Summary {
        let mean = mean(values);
        let powers = |k: i32| sum(values.iter().map(|x| (x - mean).powi(k)));
        let (min, max) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        Summary { n: values.len(), mean, ss2: powers(2), ss3: powers(3), ss4: powers(4), min, max }
    }

    /// Whether every value is the same (or there are none).
    pub(crate) fn constant(&self) -> bool {
        self.min >= self.max
    }

    /// The standard deviation with `ddof` degrees of freedom removed.
    pub(crate) fn std(&self, ddof: usize) -> f64 {
        (self.ss2 / (self.n as f64 - ddof as f64)).sqrt()
    }
}

/// The `q` quantile (`0 ≤ q ≤ 1`) of sorted, non-empty `sorted`, exactly as
/// numpy's default `linear` method (Hyndman and Fan's definition 7): at the
/// virtual index `h = (n - 1) q`, between `a = sorted[⌊h⌋]` and
/// `b = sorted[⌊h⌋ + 1]` with `g = h - ⌊h⌋`, the value `a + (b - a) g` when
/// `g < 0.5` and `b - (b - a)(1 - g)` otherwise.
pub(crate) fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len().saturating_sub(1);
    let h = last as f64 * q;
    if h >= last as f64 {
        return sorted[last];
    }
    if h <= 0.0 {
        return sorted[0];
    }
    let below = h.floor();
    let gamma = h - below;
    // `0 < h < last`, so `below` is a valid index and `below + 1` too.
    let index = below as usize;
    let (a, b) = (sorted[index], sorted[index + 1]);
    let diff = b - a;
    if gamma >= 0.5 { b - diff * (1.0 - gamma) } else { a + diff * gamma }
}

/// The centred cross products of two equally long series: `Σ dx dy`,
/// `Σ dx²` and `Σ dy²` with `d` the deviation from each series' mean.
pub(crate) fn co_moments(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let (mx, my) = (mean(x), mean(y));
    let sxy = sum(x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)));
    let sxx = sum(x.iter().map(|a| (a - mx) * (a - mx)));
    let syy = sum(y.iter().map(|b| (b - my) * (b - my)));
    (sxy, sxx, syy)
}

/// Whether all values are equal (true for none).
pub(crate) fn is_constant(values: &[f64]) -> bool {
    values.windows(2).all(|pair| pair[0] == pair[1])
}
