//! Portfolios: weights, exposure, concentration, correlation, volatility,
//! diversification and drawdown of a set of holdings. Pure: the server
//! values the holdings in USD and hands in each asset's returns.
//!
//! [`PortfolioReport::analyse`] computes everything at once; the parts are
//! also available alone ([`Weights`], [`Exposure`], [`Concentration`],
//! [`CorrelationMatrix`], [`CommonWindow`]). The definitions are in
//! `docs/risk.md`. Nothing here is advice: the inverse-volatility weights
//! are information about the holdings' histories.

mod clusters;
mod correlation;
mod exposure;
mod report;
mod warnings;
mod weights;
mod window;

#[cfg(test)]
mod tests;

use altgate_protocol::AssetId;

use crate::risk::{DatedReturns, PeriodsPerYear};

pub use clusters::Cluster;
pub use correlation::CorrelationMatrix;
pub use exposure::{CategoryExposure, Exposure, IssuerExposure, PegExposure};
pub use report::PortfolioReport;
pub use warnings::PortfolioWarning;
pub use weights::{Concentration, Weighted, Weights};
pub use window::{CommonWindow, SuggestedWeight};

/// One position, valued in USD by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    /// The asset held.
    pub asset: AssetId,
    /// Its value in USD: finite and positive.
    pub value_usd: f64,
}

/// An asset's past returns, for the analytics that need history.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetHistory {
    /// The asset.
    pub asset: AssetId,
    /// Its periodic returns, dated; all histories share one interval.
    pub returns: DatedReturns,
}

/// The parameters of the analytics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortfolioConfig {
    /// How many return periods make a year (default 365, for daily returns).
    pub periods_per_year: PeriodsPerYear,
    /// The fewest returns an asset's history, a pair's common history and
    /// the portfolio's common window need (default 30).
    pub min_history: usize,
    /// The `|correlation|` at or above which two holdings are linked into
    /// a cluster (default 0.8).
    pub cluster_threshold: f64,
    /// The weight above which one holding is a concentration warning
    /// (default 0.5).
    pub concentration_limit: f64,
    /// The share of the whole portfolio above which one issuer's
    /// stablecoins are a warning (default 0.25).
    pub issuer_limit: f64,
}

impl Default for PortfolioConfig {
    fn default() -> PortfolioConfig {
        PortfolioConfig {
            periods_per_year: PeriodsPerYear::DAILY,
            min_history: 30,
            cluster_threshold: 0.8,
            concentration_limit: 0.5,
            issuer_limit: 0.25,
        }
    }
}

/// Why holdings cannot be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortfolioError {
    /// There are no holdings.
    #[error("the portfolio has no holdings")]
    Empty,
    /// An asset is held twice; merge the positions first.
    #[error("asset `{0}` is held more than once")]
    DuplicateHolding(AssetId),
    /// A holding's value is not finite and positive.
    #[error("asset `{asset}`: value {value} USD must be finite and positive")]
    InvalidValue {
        /// The asset.
        asset: AssetId,
        /// The value given.
        value: f64,
    },
    /// An asset has two histories.
    #[error("asset `{0}` has more than one history")]
    DuplicateHistory(AssetId),
}
