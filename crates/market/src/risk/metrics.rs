//! One-series metrics: volatility, growth, risk-adjusted ratios, tail
//! risk and the shape of the distribution.

use super::period::{PeriodsPerYear, Rate};
use super::returns::ReturnSeries;
use super::stats::{Summary, quantile_linear, sum};
use super::{Metric, Unavailable, at_least, finite};

/// Annualised volatility (empyrical `annual_volatility`): the sample
/// standard deviation (ddof = 1) times `√periods_per_year`. Needs 2 returns.
pub fn annual_volatility(returns: &ReturnSeries, periods: PeriodsPerYear) -> Metric {
    volatility_of(&Summary::of(returns.as_slice()), periods)
}

pub(super) fn volatility_of(summary: &Summary, periods: PeriodsPerYear) -> Metric {
    at_least(2, summary.n)?;
    finite(summary.std(1) * periods.get().sqrt())
}

/// Compound annual growth rate (empyrical `cagr`):
/// `(Π (1 + r))^(periods_per_year / n) - 1`. Needs 1 return.
pub fn cagr(returns: &ReturnSeries, periods: PeriodsPerYear) -> Metric {
    let returns = returns.as_slice();
    at_least(1, returns.len())?;
    let ending: f64 = returns.iter().map(|r| 1.0 + r).product();
    let years = returns.len() as f64 / periods.get();
    finite(ending.powf(1.0 / years) - 1.0)
}

/// Annualised Sharpe ratio (empyrical `sharpe_ratio`): with `a = r - rf`
/// for the per-period risk-free rate `rf`, `mean(a) / std(a, ddof = 1) ×
/// √periods_per_year`. Needs 2 returns that are not all equal.
pub fn sharpe_ratio(returns: &ReturnSeries, risk_free: Rate, periods: PeriodsPerYear) -> Metric {
    sharpe_of(&Summary::of(returns.as_slice()), risk_free, periods)
}

pub(super) fn sharpe_of(summary: &Summary, risk_free: Rate, periods: PeriodsPerYear) -> Metric {
    at_least(2, summary.n)?;
    if summary.constant() {
        return Err(Unavailable::ZeroVariance);
    }
    let excess = summary.mean - risk_free.per_period(periods);
    finite(excess / summary.std(1) * periods.get().sqrt())
}

/// Annualised downside deviation (empyrical `downside_risk`): with
/// `a = r - required` per period, `√(mean(min(a, 0)²)) × √periods_per_year`,
/// the mean taken over all returns. Needs 1 return.
pub fn downside_risk(returns: &ReturnSeries, required_return: Rate, periods: PeriodsPerYear) -> Metric {
    let returns = returns.as_slice();
    at_least(1, returns.len())?;
    downside_of(returns, required_return.per_period(periods), periods)
}

pub(super) fn downside_of(returns: &[f64], required: f64, periods: PeriodsPerYear) -> Metric {
    let squares = sum(returns.iter().map(|r| (r - required).min(0.0).powi(2)));
    finite((squares / returns.len() as f64).sqrt() * periods.get().sqrt())
}

/// Annualised Sortino ratio (empyrical `sortino_ratio`): with
/// `a = r - required` per period, `mean(a) × periods_per_year` divided by
/// the [`downside_risk`]. Needs 2 returns, one of them below the required return.
pub fn sortino_ratio(returns: &ReturnSeries, required_return: Rate, periods: PeriodsPerYear) -> Metric {
    let slice = returns.as_slice();
    at_least(2, slice.len())?;
    let required = required_return.per_period(periods);
    let mean = super::stats::mean(slice) - required;
    sortino_of(mean, downside_of(slice, required, periods)?, periods)
}

pub(super) fn sortino_of(mean_excess: f64, downside: f64, periods: PeriodsPerYear) -> Metric {
    if downside == 0.0 {
        return Err(Unavailable::NoDownside);
    }
    finite(mean_excess * periods.get() / downside)
}

/// Historical value at risk (empyrical `value_at_risk`): the `cutoff`
/// quantile of the returns (0.05 for 95 %), numpy's `percentile` with its
/// default linear interpolation. A return, so losses are negative. Needs 1 return.
pub fn value_at_risk(returns: &ReturnSeries, cutoff: f64) -> Metric {
    var_of(&sorted(returns), cutoff)
}

pub(super) fn sorted(returns: &ReturnSeries) -> Vec<f64> {
    let mut sorted = returns.as_slice().to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

fn check_cutoff(cutoff: f64) -> Result<(), Unavailable> {
    if (0.0..=1.0).contains(&cutoff) { Ok(()) } else { Err(Unavailable::InvalidCutoff) }
}

pub(super) fn var_of(sorted: &[f64], cutoff: f64) -> Metric {
    check_cutoff(cutoff)?;
    at_least(1, sorted.len())?;
    // numpy's `percentile` takes `100 × cutoff` and divides it by 100 again.
    finite(quantile_linear(sorted, cutoff * 100.0 / 100.0))
}

/// Conditional value at risk (empyrical `conditional_value_at_risk`): the
/// mean of the `⌊(n - 1) × cutoff⌋ + 1` lowest returns, which are the
/// returns at or below the [`value_at_risk`] unless others tie with the
/// last of them. Needs 1 return.
pub fn conditional_value_at_risk(returns: &ReturnSeries, cutoff: f64) -> Metric {
    cvar_of(&sorted(returns), cutoff)
}

pub(super) fn cvar_of(sorted: &[f64], cutoff: f64) -> Metric {
    check_cutoff(cutoff)?;
    at_least(1, sorted.len())?;
    let tail = ((sorted.len() - 1) as f64 * cutoff).floor() as usize + 1;
    let tail = &sorted[..tail];
    // The mean of the tail lies between its ends; clamping keeps rounding
    // from putting it a last bit outside.
    finite(super::stats::mean(tail).clamp(tail[0], tail[tail.len() - 1]))
}

/// Skewness (scipy `stats.skew` with its defaults, as empyrical lists it):
/// the biased `m3 / m2^1.5` with `mk` the k-th central moment (divided by
/// n). Unavailable when `m2 ≤ (ε × mean)²`, as scipy, or for fewer than 2 returns.
pub fn skewness(returns: &ReturnSeries) -> Metric {
    skew_of(&Summary::of(returns.as_slice()))
}

/// The biased second central moment, or why the shape metrics are undefined.
fn spread(summary: &Summary) -> Metric {
    at_least(2, summary.n)?;
    let m2 = summary.ss2 / summary.n as f64;
    if summary.constant() || m2 <= (f64::EPSILON * summary.mean).powi(2) {
        return Err(Unavailable::ZeroVariance);
    }
    Ok(m2)
}

pub(super) fn skew_of(summary: &Summary) -> Metric {
    let m2 = spread(summary)?;
    finite(summary.ss3 / summary.n as f64 / m2.powf(1.5))
}

/// Excess kurtosis (scipy `stats.kurtosis` with its defaults: Fisher's
/// definition, biased): `m4 / m2² - 3`. Unavailable as [`skewness`] is.
pub fn excess_kurtosis(returns: &ReturnSeries) -> Metric {
    kurtosis_of(&Summary::of(returns.as_slice()))
}

pub(super) fn kurtosis_of(summary: &Summary) -> Metric {
    let m2 = spread(summary)?;
    finite(summary.ss4 / summary.n as f64 / (m2 * m2) - 3.0)
}
