//! Risk metrics of one asset over a window, against a benchmark.

use altgate_market::Interval;
use altgate_market::risk::{BenchmarkReport, DatedReturns, PeriodsPerYear, Rate, RiskConfig, RiskReport};
use altgate_protocol::{AssetId, BenchmarkRisk, DrawdownInfo, MetricValue, Risk, Timestamp};

use super::{AnalyticsError, last_candles, metric};
use crate::market::Market;

/// What `GET /v1/assets/{id}/risk` asks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RiskRequest {
    pub(crate) asset: AssetId,
    pub(crate) interval: Interval,
    /// Returns in the window.
    pub(crate) window: u32,
    pub(crate) benchmark: Option<AssetId>,
    /// Annual risk-free rate.
    pub(crate) risk_free: f64,
}

fn unusable(e: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::InsufficientHistory(format!("the prices cannot make returns: {e}"))
}

/// Computes the risk metrics.
pub(crate) async fn risk(market: &Market, request: &RiskRequest) -> Result<Risk, AnalyticsError> {
    let window = usize::try_from(request.window).unwrap_or(usize::MAX);
    let candles = last_candles(market, &request.asset, request.interval, window.saturating_add(1)).await?;
    let dated = DatedReturns::from_candles(&candles).map_err(unusable)?;
    let config = RiskConfig {
        risk_free: Rate::Annual(request.risk_free),
        ..RiskConfig::new(PeriodsPerYear::of_interval(request.interval))
    };
    let report = RiskReport::compute(dated.returns(), &config);
    let at = |i: usize| candles.get(i).map(|c| Timestamp::from_millis(c.open_time()));
    let max_drawdown = match &report.max_drawdown {
        Ok(drawdown) => DrawdownInfo {
            depth: MetricValue { value: Some(drawdown.depth), reason: None },
            peak_at: drawdown.episode.and_then(|e| at(e.peak)),
            trough_at: drawdown.episode.and_then(|e| at(e.trough)),
            recovery_at: drawdown.episode.and_then(|e| e.recovery).and_then(at),
        },
        Err(e) => DrawdownInfo {
            depth: MetricValue { value: None, reason: Some(e.to_string()) },
            peak_at: None,
            trough_at: None,
            recovery_at: None,
        },
    };
    let benchmark = match &request.benchmark {
        Some(id) => {
            // The benchmark over the same dates as the asset's window.
            let (first, last) =
                (candles.first().map_or(0, |c| c.open_time()), candles.last().map_or(0, |c| c.open_time()));
            let bench = market.history(id, request.interval, first, last.saturating_add(1)).await?;
            let bench = DatedReturns::from_candles(&bench).map_err(unusable)?;
            let paired = dated.pair_with(&bench);
            let report = BenchmarkReport::compute(&paired, &config);
            Some(BenchmarkRisk {
                asset_id: id.clone(),
                returns: report.returns as u64,
                beta: metric(&report.beta),
                correlation: metric(&report.correlation),
                alpha: metric(&report.alpha),
            })
        }
        None => None,
    };
    let first = candles.first().map_or(0, altgate_market::Candle::open_time);
    let last = candles.last().map_or(0, altgate_market::Candle::open_time);
    Ok(Risk {
        asset_id: request.asset.clone(),
        interval: request.interval,
        window: request.window,
        start: Timestamp::from_millis(first),
        end: Timestamp::from_millis(last),
        periods_per_year: config.periods_per_year.get(),
        risk_free_rate: request.risk_free,
        annual_volatility: metric(&report.annual_volatility),
        cagr: metric(&report.cagr),
        sharpe: metric(&report.sharpe),
        sortino: metric(&report.sortino),
        downside_risk: metric(&report.downside_risk),
        max_drawdown,
        var_95: metric(&report.var_95),
        var_99: metric(&report.var_99),
        cvar_95: metric(&report.cvar_95),
        cvar_99: metric(&report.cvar_99),
        skew: metric(&report.skew),
        kurtosis: metric(&report.kurtosis),
        benchmark,
    })
}
