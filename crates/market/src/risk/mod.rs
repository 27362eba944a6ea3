//! Risk metrics of a return series, as the empyrical library defines them.
//!
//! The input is a series of periodic simple returns, `r_t = p_t / p_{t-1} - 1`,
//! built from closes with [`ReturnSeries::from_closes`] or
//! [`DatedReturns::from_candles`]. Metrics are annualised with
//! [`PeriodsPerYear`]: 365 for daily candles (crypto trades every day), 8760
//! for hourly ones, and so on ([`PeriodsPerYear::of_interval`]).
//!
//! Every metric is a [`Metric`]: the value, or the reason it cannot be
//! computed ([`Unavailable`]). No metric is ever NaN or infinite.
//! [`RiskReport`] computes them all at once, and [`BenchmarkReport`] the
//! beta, alpha and correlation against a benchmark on common dates.
//!
//! The exact definitions (formulas, degrees of freedom, interpolation, what
//! makes a metric unavailable) are in `docs/risk.md`, and the tests compare
//! every metric with values produced by empyrical on real daily series.

mod benchmark;
mod drawdown;
mod metrics;
mod period;
mod report;
mod returns;
pub(crate) mod stats;

pub(crate) use returns::intersect;

#[cfg(test)]
mod tests;

pub(crate) use benchmark::pearson;
pub use benchmark::{alpha, beta, correlation};
pub use drawdown::{Drawdown, DrawdownEpisode, max_drawdown};
pub use metrics::{
    annual_volatility, cagr, conditional_value_at_risk, downside_risk, excess_kurtosis, sharpe_ratio, skewness,
    sortino_ratio, value_at_risk,
};
pub use period::{PeriodsPerYear, Rate};
pub use report::{BenchmarkReport, RiskConfig, RiskReport};
pub use returns::{DatedReturns, PairedReturns, ReturnSeries, ReturnsError};

/// Why a metric has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    /// The series is shorter than the metric needs.
    #[error("needs at least {needed} returns, has {got}")]
    TooFewReturns {
        /// The fewest returns the metric is defined for.
        needed: usize,
        /// The returns there are.
        got: usize,
    },
    /// The returns do not vary, so a ratio over their spread is undefined.
    #[error("the returns do not vary")]
    ZeroVariance,
    /// The benchmark's returns do not vary, so beta and correlation are undefined.
    #[error("the benchmark's returns do not vary")]
    ZeroBenchmarkVariance,
    /// No return fell below the required return, so the downside deviation
    /// is zero and the Sortino ratio undefined.
    #[error("no return is below the required return")]
    NoDownside,
    /// A tail cutoff outside `[0, 1]` was asked for.
    #[error("the tail cutoff must be between 0 and 1")]
    InvalidCutoff,
    /// There is no price history to compute from.
    #[error("no price history")]
    NoHistory,
    /// The result overflowed or is otherwise not a finite number, as a
    /// compounded growth rate over a very short window can be.
    #[error("the result is not a finite number")]
    NotFinite,
}

/// A metric's value, or why it has none. `.ok()` gives the `Option<f64>`.
pub type Metric<T = f64> = Result<T, Unavailable>;

/// `Ok(x)` when `x` is finite, else [`Unavailable::NotFinite`].
fn finite(x: f64) -> Metric {
    if x.is_finite() { Ok(x) } else { Err(Unavailable::NotFinite) }
}

/// Refuses a series of fewer than `needed` returns.
fn at_least(needed: usize, got: usize) -> Result<(), Unavailable> {
    if got < needed { Err(Unavailable::TooFewReturns { needed, got }) } else { Ok(()) }
}
