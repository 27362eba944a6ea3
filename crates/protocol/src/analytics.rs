//! Analytics on the wire: risk metrics, correlations.

use serde::{Deserialize, Serialize};

use crate::asset::AssetId;
use crate::interval::Interval;
use crate::timestamp::Timestamp;

/// A number that may not be computable: then `value` is `null` and
/// `reason` says why. Never NaN, never made up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricValue {
    /// The value, or `null`.
    pub value: Option<f64>,
    /// Why there is no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The largest fall from a peak, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawdownInfo {
    /// The fall as a fraction (−0.25 is −25 %).
    pub depth: MetricValue,
    /// The close the fall is measured from.
    pub peak_at: Option<Timestamp>,
    /// The lowest close.
    pub trough_at: Option<Timestamp>,
    /// The first close back at the peak's level; `null` if not yet.
    pub recovery_at: Option<Timestamp>,
}

/// Beta, correlation and alpha against a benchmark, over the dates both have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenchmarkRisk {
    /// The benchmark asset.
    pub asset_id: AssetId,
    /// Returns on common dates.
    pub returns: u64,
    /// Beta of the asset's returns on the benchmark's.
    pub beta: MetricValue,
    /// Pearson correlation of the returns.
    pub correlation: MetricValue,
    /// Annualised alpha.
    pub alpha: MetricValue,
}

/// Risk metrics of an asset over a window (definitions in docs/risk.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Risk {
    /// The asset.
    pub asset_id: AssetId,
    /// The candles' interval.
    pub interval: Interval,
    /// Returns in the window.
    pub window: u32,
    /// The first close of the window.
    pub start: Timestamp,
    /// The last close of the window.
    pub end: Timestamp,
    /// Periods per year used to annualise (365 for daily candles).
    pub periods_per_year: f64,
    /// The annual risk-free rate used by Sharpe and Sortino.
    pub risk_free_rate: f64,
    /// Annualised volatility (sample standard deviation).
    pub annual_volatility: MetricValue,
    /// Compound annual growth rate.
    pub cagr: MetricValue,
    /// Sharpe ratio.
    pub sharpe: MetricValue,
    /// Sortino ratio.
    pub sortino: MetricValue,
    /// Annualised downside deviation.
    pub downside_risk: MetricValue,
    /// Maximum drawdown with its dates.
    pub max_drawdown: DrawdownInfo,
    /// Historical value at risk at 95 % (a return: −0.05 is −5 %).
    pub var_95: MetricValue,
    /// Historical value at risk at 99 %.
    pub var_99: MetricValue,
    /// Conditional value at risk (expected shortfall) at 95 %.
    pub cvar_95: MetricValue,
    /// Conditional value at risk at 99 %.
    pub cvar_99: MetricValue,
    /// Skewness of returns.
    pub skew: MetricValue,
    /// Excess kurtosis of returns.
    pub kurtosis: MetricValue,
    /// Against the benchmark, when one was asked for (bitcoin by default).
    pub benchmark: Option<BenchmarkRisk>,
}

/// A correlation matrix of returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correlations {
    /// The assets, in the order of the rows and columns.
    pub ids: Vec<AssetId>,
    /// The candles' interval.
    pub interval: Interval,
    /// The most recent returns considered per asset.
    pub window: u32,
    /// Pearson correlation over each pair's common dates; `null` where it
    /// cannot be computed (too little overlap, no variation).
    pub matrix: Vec<Vec<Option<f64>>>,
    /// Common returns of each pair.
    pub overlap: Vec<Vec<u64>>,
}

/// One position of a portfolio to analyse: a quantity of the asset (valued
/// at its last price) or a value in USD, not both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldingInput {
    /// The asset.
    pub asset_id: AssetId,
    /// Units held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    /// Value held in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_usd: Option<f64>,
}

/// `POST /v1/portfolio/analyze`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioRequest {
    /// The positions, 1 to 100, each asset once.
    pub holdings: Vec<HoldingInput>,
    /// Periods of history for volatility, correlation and drawdown (default 365).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u32>,
}

/// A share of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// What the share is of: an asset id, a category, a peg.
    pub name: String,
    /// Its value in USD, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_usd: Option<f64>,
    /// Its weight in the portfolio, 0 to 1.
    pub weight: f64,
}

/// A warning about the portfolio, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioWarningInfo {
    /// A stable kind: `concentrated`, `highly_correlated`, `stablecoin_issuer`, `missing_history`…
    pub kind: String,
    /// What it means.
    pub message: String,
}

/// The analysis of a portfolio (definitions in docs/risk.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioAnalysis {
    /// The total value in USD.
    pub total_value_usd: f64,
    /// Each holding's value and weight.
    pub holdings: Vec<Share>,
    /// Weight by taxonomy category (an asset counts in each of its categories).
    pub categories: Vec<Share>,
    /// The weight in stablecoins.
    pub stablecoin_weight: f64,
    /// Stablecoin weight by issuer (each stablecoin is its own issuer).
    pub stablecoin_issuers: Vec<Share>,
    /// The Herfindahl–Hirschman index of the weights.
    pub hhi: f64,
    /// The largest holding.
    pub largest: Share,
    /// Annualised volatility of the portfolio (constant weights).
    pub volatility: MetricValue,
    /// Weighted mean of the holdings' volatilities over the portfolio's.
    pub diversification_ratio: MetricValue,
    /// Historical max drawdown of the portfolio.
    pub max_drawdown: MetricValue,
    /// Returns in the window the numbers above use.
    pub window_returns: u64,
    /// The weight of the holdings with enough history for them.
    pub covered_weight: f64,
    /// Groups of highly correlated holdings.
    pub clusters: Vec<Vec<AssetId>>,
    /// Inverse-volatility weights of the covered holdings: information, not advice.
    pub inverse_volatility: Vec<(AssetId, MetricValue)>,
    /// Plain warnings.
    pub warnings: Vec<PortfolioWarningInfo>,
    /// This is analysis, not investment advice.
    pub disclaimer: String,
}

/// One named indicator output, aligned with `open_times`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorValues {
    /// `rsi(14)`, `macd(12,26,9).signal`, `bbands(20,2).upper`…
    pub name: String,
    /// The values; `null` during the indicator's warm-up, never NaN.
    pub values: Vec<Option<f64>>,
}

/// Indicators over an asset's candles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicators {
    /// The asset.
    pub asset_id: AssetId,
    /// The candles' interval.
    pub interval: Interval,
    /// The open times of the candles the values belong to.
    pub open_times: Vec<Timestamp>,
    /// Every output of every indicator asked for, in the order asked.
    pub series: Vec<IndicatorValues>,
}

/// A signal at one candle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalInfo {
    /// The open time of the candle it was generated at.
    pub at: Timestamp,
    /// `bullish`, `bearish` or `neutral`.
    pub direction: String,
    /// 0 to 100.
    pub strength: f64,
    /// Why, in words.
    pub reasons: Vec<String>,
}

/// What a strategy would have done over the history (long when bullish,
/// flat otherwise, decided at each close, with the fee on every entry and
/// exit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacktestInfo {
    /// Cumulative return after fees (0.25 is +25 %).
    pub strategy_return: f64,
    /// Buy-and-hold over the same candles.
    pub buy_and_hold_return: f64,
    /// Closed trades that made money; `null` without any.
    pub hit_rate: Option<f64>,
    /// Trades entered.
    pub trades: u32,
    /// The strategy's worst fall from a peak.
    pub max_drawdown: f64,
    /// The fee per entry or exit.
    pub fee: f64,
}

/// One strategy's current signal and backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrategyReport {
    /// `ema_cross(12,26)`, `trend_sma(200)`, `rsi(14)`, `macd(12,26,9)`, `bollinger(20,2)` or `combined`.
    pub strategy: String,
    /// The signal at the newest candle.
    pub signal: SignalInfo,
    /// The backtest over the candles read.
    pub backtest: BacktestInfo,
}

/// Trading signals of an asset (definitions in docs/signals.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signals {
    /// The asset.
    pub asset_id: AssetId,
    /// The candles' interval.
    pub interval: Interval,
    /// The combined signal and every strategy's, with backtests.
    pub strategies: Vec<StrategyReport>,
    /// The combined signal at each of the latest candles, oldest first.
    pub history: Vec<SignalInfo>,
    /// Not advice.
    pub disclaimer: String,
}

/// One component of a grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeComponent {
    /// What it measures.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// Its score, 0 to 100.
    pub score: f64,
    /// Its weight (the weights of a grade sum to 1).
    pub weight: f64,
}

/// A grade from 0 to 100 with its components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeInfo {
    /// 0 to 100.
    pub score: f64,
    /// How it was made.
    pub components: Vec<GradeComponent>,
}

/// The trader and investor grades of an asset (formulas in docs/grades.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grades {
    /// The asset.
    pub asset_id: AssetId,
    /// The newest daily candle graded.
    pub as_of: Timestamp,
    /// Short term: momentum, trend, volume; `null` with too little history.
    pub trader: Option<GradeInfo>,
    /// Long term: risk-adjusted return, drawdown, liquidity, history.
    pub investor: Option<GradeInfo>,
    /// Not advice.
    pub disclaimer: String,
}
