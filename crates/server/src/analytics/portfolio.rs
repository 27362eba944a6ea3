//! Portfolio analysis: weights, exposure, concentration, risk over history.

use altgate_market::portfolio::{AssetHistory, Holding, PortfolioConfig, PortfolioReport, PortfolioWarning};
use altgate_market::risk::{DatedReturns, PeriodsPerYear};
use altgate_market::{Catalog, Interval};
use altgate_protocol::{PortfolioAnalysis, PortfolioRequest, PortfolioWarningInfo, Share};

use super::{AnalyticsError, metric};
use crate::market::{Market, MarketError};

/// The disclaimer every analysis carries.
pub(crate) const DISCLAIMER: &str = "Analysis of past prices for information only, not investment advice. \
     Past volatility and correlation do not predict future ones.";

/// Why a request cannot be analysed, for people.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PortfolioInputError {
    /// A holding is malformed.
    #[error("{0}")]
    Holding(String),
    /// The analysis refused the holdings.
    #[error(transparent)]
    Report(#[from] altgate_market::portfolio::PortfolioError),
    /// Reading history failed.
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
}

fn kind(warning: &PortfolioWarning) -> &'static str {
    match warning {
        PortfolioWarning::Concentrated { .. } => "concentrated",
        PortfolioWarning::HighlyCorrelated { .. } => "highly_correlated",
        PortfolioWarning::StablecoinIssuer { .. } => "stablecoin_issuer",
        PortfolioWarning::MissingHistory { .. } => "missing_history",
        PortfolioWarning::ShortHistory { .. } => "short_history",
        PortfolioWarning::ShortCommonHistory { .. } => "short_common_history",
        PortfolioWarning::NotInCatalog { .. } => "not_in_catalog",
    }
}

/// Analyses the holdings over the latest `window` daily returns.
pub(crate) async fn analyze(
    market: &Market,
    request: &PortfolioRequest,
) -> Result<PortfolioAnalysis, PortfolioInputError> {
    let window = request.window.unwrap_or(365);
    let interval = Interval::D1;
    let mut holdings = Vec::with_capacity(request.holdings.len());
    let mut histories = Vec::with_capacity(request.holdings.len());
    for input in &request.holdings {
        let asset = &input.asset_id;
        let value_usd = match (input.quantity, input.value_usd) {
            (Some(q), None) if q.is_finite() && q > 0.0 => {
                let price = market.tickers(std::slice::from_ref(asset)).first().map(|t| t.price).ok_or_else(|| {
                    PortfolioInputError::Holding(format!(
                        "`{asset}` has no price to value its quantity; give value_usd"
                    ))
                })?;
                q * price
            }
            (None, Some(v)) if v.is_finite() && v > 0.0 => v,
            (Some(_), Some(_)) => {
                return Err(PortfolioInputError::Holding(format!("`{asset}`: give quantity or value_usd, not both")));
            }
            _ => {
                return Err(PortfolioInputError::Holding(format!("`{asset}`: give a positive quantity or value_usd")));
            }
        };
        holdings.push(Holding { asset: asset.clone(), value_usd });
        // History is optional here: missing or short history is a warning.
        let candles = match market.history(asset, interval, i64::MIN, i64::MAX).await {
            Ok(candles) => candles,
            Err(MarketError::NoData(_) | MarketError::TooFine { .. }) => continue,
            Err(e) => return Err(AnalyticsError::from(e).into()),
        };
        let start = candles.len().saturating_sub(usize::try_from(window).unwrap_or(usize::MAX).saturating_add(1));
        if let Ok(returns) = DatedReturns::from_candles(&candles[start..]) {
            histories.push(AssetHistory { asset: asset.clone(), returns });
        }
    }
    let config =
        PortfolioConfig { periods_per_year: PeriodsPerYear::of_interval(interval), ..PortfolioConfig::default() };
    let report = PortfolioReport::analyse(&holdings, &histories, &Catalog::builtin(), &config)?;
    Ok(wire(&report))
}

fn wire(report: &PortfolioReport) -> PortfolioAnalysis {
    let holdings: Vec<Share> = report
        .weights
        .holdings()
        .iter()
        .map(|h| Share { name: h.asset.to_string(), value_usd: Some(h.value_usd), weight: h.weight })
        .collect();
    let largest = &report.concentration.largest;
    PortfolioAnalysis {
        total_value_usd: report.weights.total_usd(),
        holdings,
        categories: report
            .exposure
            .by_category
            .iter()
            .map(|c| Share { name: c.category.to_string(), value_usd: Some(c.value_usd), weight: c.weight })
            .collect(),
        stablecoin_weight: report.exposure.stablecoin_weight,
        stablecoin_issuers: report
            .exposure
            .stablecoin_issuers
            .iter()
            .map(|i| Share { name: i.issuer.to_string(), value_usd: None, weight: i.weight })
            .collect(),
        hhi: report.concentration.hhi,
        largest: Share { name: largest.asset.to_string(), value_usd: Some(largest.value_usd), weight: largest.weight },
        volatility: metric(&report.window.volatility),
        diversification_ratio: metric(&report.window.diversification_ratio),
        max_drawdown: metric(&report.window.max_drawdown.as_ref().map(|d| d.depth).map_err(Clone::clone)),
        window_returns: report.window.returns.len() as u64,
        covered_weight: report.window.covered_weight,
        clusters: report.clusters.iter().map(|c| c.assets.clone()).collect(),
        inverse_volatility: report.inverse_volatility.iter().map(|s| (s.asset.clone(), metric(&s.weight))).collect(),
        warnings: report
            .warnings
            .iter()
            .map(|w| PortfolioWarningInfo { kind: kind(w).to_owned(), message: w.message() })
            .collect(),
        disclaimer: DISCLAIMER.to_owned(),
    }
}
