//! The analytics on the common window: covariance, volatility,
//! diversification, drawdown and inverse-volatility weights.

use altgate_protocol::AssetId;

use super::AssetHistory;
use crate::risk::stats::{mean, sum};
use crate::risk::{DatedReturns, Drawdown, Metric, PeriodsPerYear, ReturnSeries, Unavailable, intersect, max_drawdown};

/// The holdings that have enough history, over the times all of them have
/// (the common window, so the covariance matrix is positive semi-definite),
/// with their weights scaled to sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonWindow {
    /// The assets covered, in holding order.
    pub assets: Vec<AssetId>,
    /// Their weights within the covered part, summing to 1.
    pub weights: Vec<f64>,
    /// The weight of the covered assets in the whole portfolio.
    pub covered_weight: f64,
    /// Each covered asset's annualised volatility over the window (sample
    /// standard deviation, ddof = 1).
    pub asset_volatility: Vec<Metric>,
    /// The annualised volatility of the portfolio, `√(wᵀ Σ w × periods_per_year)`
    /// with `Σ` the sample covariance matrix (ddof = 1) over the window.
    pub volatility: Metric,
    /// `Σ wᵢ σᵢ / σ_p`: at least 1 for long-only weights (rounding is
    /// clamped), higher the more the holdings offset each other.
    pub diversification_ratio: Metric,
    /// The portfolio's returns over the window, rebalanced to the weights
    /// every period: `r_p = Σ wᵢ rᵢ`.
    pub returns: DatedReturns,
    /// The maximum drawdown of [`CommonWindow::returns`].
    pub max_drawdown: Metric<Drawdown>,
}

/// An inverse-volatility weight: information, not advice.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestedWeight {
    /// The asset.
    pub asset: AssetId,
    /// `(1/σᵢ) / Σ (1/σⱼ)` over the covered assets with a positive
    /// volatility, or why the asset has none.
    pub weight: Metric,
}

impl CommonWindow {
    /// The window of `covered` (asset, weight in the whole portfolio,
    /// history) triples; `needed` is the fewest returns the window needs.
    pub(super) fn of(
        covered: &[(&AssetId, f64, &AssetHistory)],
        needed: usize,
        periods: PeriodsPerYear,
    ) -> CommonWindow {
        let histories: Vec<&DatedReturns> = covered.iter().map(|(_, _, h)| &h.returns).collect();
        let (times, columns) = intersect(&histories);
        let covered_weight = sum(covered.iter().map(|(_, w, _)| *w));
        let weights: Vec<f64> = covered.iter().map(|(_, w, _)| w / covered_weight).collect();
        let t = times.len();
        let enough = if covered.is_empty() {
            Err(Unavailable::NoHistory)
        } else if t < needed.max(2) {
            Err(Unavailable::TooFewReturns { needed: needed.max(2), got: t })
        } else {
            Ok(())
        };

        let means: Vec<f64> = columns.iter().map(|c| mean(c)).collect();
        let covariance = |i: usize, j: usize| {
            sum(columns[i].iter().zip(&columns[j]).map(|(x, y)| (x - means[i]) * (y - means[j]))) / (t as f64 - 1.0)
        };
        let asset_volatility: Vec<Metric> = (0..covered.len())
            .map(|i| enough.and_then(|()| finite((covariance(i, i).max(0.0) * periods.get()).sqrt())))
            .collect();
        let volatility = enough.and_then(|()| {
            let n = covered.len();
            let variance = sum((0..n)
                .flat_map(|i| (0..n).map(move |j| (i, j)))
                .map(|(i, j)| weights[i] * weights[j] * covariance(i, j)));
            finite((variance.max(0.0) * periods.get()).sqrt())
        });
        let diversification_ratio = volatility.and_then(|portfolio| {
            let weighted = sum(weights.iter().zip(&asset_volatility).map(|(w, v)| w * v.unwrap_or(0.0)));
            if portfolio == 0.0 { Err(Unavailable::ZeroVariance) } else { finite((weighted / portfolio).max(1.0)) }
        });

        let portfolio: Vec<f64> =
            (0..t).map(|k| sum(weights.iter().zip(&columns).map(|(w, c)| w * c[k])).max(-1.0)).collect();
        let returns = ReturnSeries::new(portfolio).and_then(|r| DatedReturns::new(times, r)).unwrap_or_default();
        let max_drawdown = enough.and_then(|()| max_drawdown(returns.returns()));
        CommonWindow {
            assets: covered.iter().map(|(a, _, _)| (*a).clone()).collect(),
            weights,
            covered_weight,
            asset_volatility,
            volatility,
            diversification_ratio,
            returns,
            max_drawdown,
        }
    }

    /// Inverse-volatility weights of the covered assets.
    pub fn inverse_volatility(&self) -> Vec<SuggestedWeight> {
        let inverse: Vec<Metric> = self
            .asset_volatility
            .iter()
            .map(|v| v.and_then(|v| if v > 0.0 { Ok(1.0 / v) } else { Err(Unavailable::ZeroVariance) }))
            .collect();
        let total = sum(inverse.iter().filter_map(|x| x.ok()));
        self.assets
            .iter()
            .zip(inverse)
            .map(|(asset, x)| SuggestedWeight { asset: asset.clone(), weight: x.and_then(|x| finite(x / total)) })
            .collect()
    }
}

fn finite(x: f64) -> Metric {
    if x.is_finite() { Ok(x) } else { Err(Unavailable::NotFinite) }
}
