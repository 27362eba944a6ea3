//! Every metric of a series at once, and against a benchmark.

use super::benchmark::{alpha_with, beta, correlation};
use super::drawdown::{Drawdown, max_drawdown};
use super::metrics::{
    cagr, cvar_of, downside_of, kurtosis_of, sharpe_of, skew_of, sorted, sortino_of, var_of, volatility_of,
};
use super::period::{PeriodsPerYear, Rate};
use super::returns::{PairedReturns, ReturnSeries};
use super::stats::Summary;
use super::{Metric, at_least};

/// The parameters of the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RiskConfig {
    /// How many returns make a year (default 365, for daily returns).
    pub periods_per_year: PeriodsPerYear,
    /// The risk-free rate of the Sharpe ratio and alpha (default 0).
    pub risk_free: Rate,
    /// The required return of the Sortino ratio and downside risk (default 0).
    pub required_return: Rate,
}

impl RiskConfig {
    /// Zero rates, with `periods_per_year`.
    pub fn new(periods_per_year: PeriodsPerYear) -> RiskConfig {
        RiskConfig { periods_per_year, risk_free: Rate::ZERO, required_return: Rate::ZERO }
    }
}

/// The tail cutoff of the 95 % value at risk.
const CUTOFF_95: f64 = 0.05;
/// The tail cutoff of the 99 % value at risk.
const CUTOFF_99: f64 = 0.01;

/// Every one-series metric of a return series. See the functions of the
/// same names for the definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskReport {
    /// How many returns the metrics were computed over.
    pub returns: usize,
    /// [`annual_volatility`](super::annual_volatility).
    pub annual_volatility: Metric,
    /// [`cagr`](super::cagr).
    pub cagr: Metric,
    /// [`sharpe_ratio`](super::sharpe_ratio) with the configured risk-free rate.
    pub sharpe: Metric,
    /// [`sortino_ratio`](super::sortino_ratio) with the configured required return.
    pub sortino: Metric,
    /// [`downside_risk`](super::downside_risk) with the configured required return.
    pub downside_risk: Metric,
    /// [`max_drawdown`](super::max_drawdown), with its episode.
    pub max_drawdown: Metric<Drawdown>,
    /// [`value_at_risk`](super::value_at_risk) at a cutoff of 0.05.
    pub var_95: Metric,
    /// [`value_at_risk`](super::value_at_risk) at a cutoff of 0.01.
    pub var_99: Metric,
    /// [`conditional_value_at_risk`](super::conditional_value_at_risk) at a cutoff of 0.05.
    pub cvar_95: Metric,
    /// [`conditional_value_at_risk`](super::conditional_value_at_risk) at a cutoff of 0.01.
    pub cvar_99: Metric,
    /// [`skewness`](super::skewness).
    pub skew: Metric,
    /// [`excess_kurtosis`](super::excess_kurtosis).
    pub kurtosis: Metric,
}

impl RiskReport {
    /// Computes every metric: the moments in one summary, one sort for the
    /// tail metrics, one pass for the downside and one for the drawdown.
    pub fn compute(returns: &ReturnSeries, config: &RiskConfig) -> RiskReport {
        let periods = config.periods_per_year;
        let summary = Summary::of(returns.as_slice());
        let sorted = sorted(returns);
        let required = config.required_return.per_period(periods);
        let downside = at_least(1, returns.len()).and_then(|()| downside_of(returns.as_slice(), required, periods));
        let sortino = at_least(2, returns.len())
            .and(downside)
            .and_then(|downside| sortino_of(summary.mean - required, downside, periods));
        RiskReport {
            returns: returns.len(),
            annual_volatility: volatility_of(&summary, periods),
            cagr: cagr(returns, periods),
            sharpe: sharpe_of(&summary, config.risk_free, periods),
            sortino,
            downside_risk: downside,
            max_drawdown: max_drawdown(returns),
            var_95: var_of(&sorted, CUTOFF_95),
            var_99: var_of(&sorted, CUTOFF_99),
            cvar_95: cvar_of(&sorted, CUTOFF_95),
            cvar_99: cvar_of(&sorted, CUTOFF_99),
            skew: skew_of(&summary),
            kurtosis: kurtosis_of(&summary),
        }
    }
}

/// An asset's metrics against a benchmark over their common periods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchmarkReport {
    /// How many paired returns the metrics were computed over.
    pub returns: usize,
    /// [`beta`](super::beta).
    pub beta: Metric,
    /// [`alpha`](super::alpha) with the configured risk-free rate.
    pub alpha: Metric,
    /// [`correlation`](super::correlation).
    pub correlation: Metric,
}

impl BenchmarkReport {
    /// Computes beta, alpha and correlation, beta once for both.
    pub fn compute(pair: &PairedReturns, config: &RiskConfig) -> BenchmarkReport {
        let beta = beta(pair);
        BenchmarkReport {
            returns: pair.len(),
            beta,
            alpha: beta.and_then(|b| alpha_with(pair, b, config.risk_free, config.periods_per_year)),
            correlation: correlation(pair),
        }
    }
}
