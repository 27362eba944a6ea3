//! Analytics over the candle store: risk, correlations, indicators,
//! signals, grades and portfolios, computed by `altgate-market` and cached
//! by the newest price of every asset involved, so a repeated request costs
//! a lookup until a new price arrives.

mod cache;
mod correlations;
mod portfolio;
mod risk;
mod signals;

use altgate_market::{Candle, Interval};
use altgate_protocol::{AssetId, MetricValue};

pub(crate) use cache::AnalyticsCache;
pub(crate) use correlations::correlations;
pub(crate) use portfolio::{PortfolioInputError, analyze};
pub(crate) use risk::{RiskRequest, risk};
pub(crate) use signals::{grades, indicators, signals};

use crate::market::{Market, MarketError};

/// Why an analysis could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AnalyticsError {
    /// The history is shorter than the analysis needs.
    #[error("{0}")]
    InsufficientHistory(String),
    /// The answer would be larger than allowed; the range must be narrowed.
    #[error("{0}")]
    TooMany(String),
    /// The market could not answer.
    #[error(transparent)]
    Market(#[from] MarketError),
}

/// The newest `count` candles of `asset`, or an error saying how many there are.
pub(crate) async fn last_candles(
    market: &Market,
    asset: &AssetId,
    interval: Interval,
    count: usize,
) -> Result<Vec<Candle>, AnalyticsError> {
    let mut candles = market.history(asset, interval, i64::MIN, i64::MAX).await?;
    if candles.len() < count {
        return Err(AnalyticsError::InsufficientHistory(format!(
            "`{asset}` has {} {interval} candles; this needs {count}",
            candles.len()
        )));
    }
    candles.drain(..candles.len() - count);
    Ok(candles)
}

/// A metric on the wire.
pub(crate) fn metric<E: std::fmt::Display>(value: &Result<f64, E>) -> MetricValue {
    match value {
        Ok(v) => MetricValue { value: Some(*v), reason: None },
        Err(e) => MetricValue { value: None, reason: Some(e.to_string()) },
    }
}
