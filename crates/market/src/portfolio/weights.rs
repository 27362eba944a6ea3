//! Weights and concentration.

use altgate_protocol::AssetId;

use super::{Holding, PortfolioError};
use crate::risk::stats::sum;

/// A holding with its share of the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighted {
    /// The asset.
    pub asset: AssetId,
    /// Its value in USD.
    pub value_usd: f64,
    /// `value_usd / total_usd`, in `(0, 1]`.
    pub weight: f64,
}

/// Checked holdings with their weights, in the order given: at least
/// one, each asset once, weights summing to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    holdings: Vec<Weighted>,
    total_usd: f64,
}

impl Weights {
    /// Checks holdings (not empty, each asset once, values finite and
    /// positive) and weighs them by value.
    pub fn of(holdings: &[Holding]) -> Result<Weights, PortfolioError> {
        if holdings.is_empty() {
            return Err(PortfolioError::Empty);
        }
        for (index, holding) in holdings.iter().enumerate() {
            if !(holding.value_usd.is_finite() && holding.value_usd > 0.0) {
                return Err(PortfolioError::InvalidValue { asset: holding.asset.clone(), value: holding.value_usd });
            }
            if holdings[..index].iter().any(|earlier| earlier.asset == holding.asset) {
                return Err(PortfolioError::DuplicateHolding(holding.asset.clone()));
            }
        }
        let total_usd = sum(holdings.iter().map(|h| h.value_usd));
        if !total_usd.is_finite() {
            let largest = holdings.iter().max_by(|a, b| a.value_usd.total_cmp(&b.value_usd)).unwrap_or(&holdings[0]);
            return Err(PortfolioError::InvalidValue { asset: largest.asset.clone(), value: largest.value_usd });
        }
        let holdings = holdings
            .iter()
            .map(|h| Weighted { asset: h.asset.clone(), value_usd: h.value_usd, weight: h.value_usd / total_usd })
            .collect();
        Ok(Weights { holdings, total_usd })
    }

    /// The holdings with their weights, in the order given; never empty.
    pub fn holdings(&self) -> &[Weighted] {
        &self.holdings
    }

    /// The total value in USD.
    pub fn total_usd(&self) -> f64 {
        self.total_usd
    }

    /// The weight of `asset`, 0 when not held.
    pub fn weight_of(&self, asset: &AssetId) -> f64 {
        self.holdings.iter().find(|h| &h.asset == asset).map_or(0.0, |h| h.weight)
    }
}

/// How concentrated the holdings are.
#[derive(Debug, Clone, PartialEq)]
pub struct Concentration {
    /// The Herfindahl–Hirschman index `Σ wᵢ²`, in `[1/n, 1]`: 1 for a
    /// single holding, `1/n` for `n` equal ones.
    pub hhi: f64,
    /// `1 / hhi`: how many equal holdings would be as concentrated.
    pub effective_holdings: f64,
    /// The largest holding (the first of equals, in the order given).
    pub largest: Weighted,
}

impl Concentration {
    /// The concentration of `weights`.
    pub fn of(weights: &Weights) -> Concentration {
        let holdings = weights.holdings();
        let hhi = sum(holdings.iter().map(|h| h.weight * h.weight));
        // `Weights` is never empty.
        let largest =
            holdings.iter().skip(1).fold(&holdings[0], |best, h| if h.weight > best.weight { h } else { best });
        Concentration { hhi, effective_holdings: 1.0 / hhi, largest: largest.clone() }
    }
}
