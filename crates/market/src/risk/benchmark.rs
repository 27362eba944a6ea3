//! Metrics against a benchmark: beta, alpha and correlation.

use super::period::{PeriodsPerYear, Rate};
use super::returns::PairedReturns;
use super::stats::{co_moments, mean, sum};
use super::{Metric, Unavailable, at_least, finite};

/// Below this population variance of the benchmark, empyrical calls beta undefined.
const MIN_BENCHMARK_VARIANCE: f64 = 1.0e-30;

/// Beta (empyrical `beta`): `cov(r, b) / var(b)` over the paired periods,
/// both with the same divisor. Needs 2 pairs and a benchmark whose
/// population variance is at least 1e-30 (empyrical's threshold).
pub fn beta(pair: &PairedReturns) -> Metric {
    let (asset, benchmark) = (pair.asset().as_slice(), pair.benchmark().as_slice());
    at_least(2, pair.len())?;
    let mean_benchmark = mean(benchmark);
    let covariance = sum(asset.iter().zip(benchmark).map(|(r, b)| (b - mean_benchmark) * r));
    let variance = sum(benchmark.iter().map(|b| (b - mean_benchmark).powi(2)));
    let n = pair.len() as f64;
    if variance / n < MIN_BENCHMARK_VARIANCE {
        return Err(Unavailable::ZeroBenchmarkVariance);
    }
    finite(covariance / variance)
}

/// Annualised alpha (empyrical `alpha`, as `alpha_beta` returns it): with
/// the per-period risk-free rate `rf`,
/// `(1 + mean((r - rf) - β (b - rf)))^periods_per_year - 1`.
/// Needs what [`beta`] needs.
pub fn alpha(pair: &PairedReturns, risk_free: Rate, periods: PeriodsPerYear) -> Metric {
    alpha_with(pair, beta(pair)?, risk_free, periods)
}

pub(super) fn alpha_with(pair: &PairedReturns, beta: f64, risk_free: Rate, periods: PeriodsPerYear) -> Metric {
    let rf = risk_free.per_period(periods);
    let (asset, benchmark) = (pair.asset().as_slice(), pair.benchmark().as_slice());
    let excess = sum(asset.iter().zip(benchmark).map(|(r, b)| (r - rf) - beta * (b - rf))) / pair.len() as f64;
    finite((1.0 + excess).powf(periods.get()) - 1.0)
}

/// Pearson's correlation of the paired returns, clamped to `[-1, 1]`
/// against rounding. Needs 2 pairs, neither series constant.
pub fn correlation(pair: &PairedReturns) -> Metric {
    pearson(pair.asset().as_slice(), pair.benchmark().as_slice())
}

/// Pearson's correlation of two equally long series; the first is the
/// asset, the second the benchmark, for the reason a constant one gives.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> Metric {
    at_least(2, x.len().min(y.len()))?;
    let (sxy, sxx, syy) = co_moments(x, y);
    if super::stats::is_constant(x) || sxx == 0.0 {
        return Err(Unavailable::ZeroVariance);
    }
    if super::stats::is_constant(y) || syy == 0.0 {
        return Err(Unavailable::ZeroBenchmarkVariance);
    }
    finite((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}
