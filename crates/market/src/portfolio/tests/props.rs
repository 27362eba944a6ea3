//! Invariants of the portfolio analytics over generated portfolios.

use proptest::prelude::*;

use super::super::weights::Concentration;
use super::super::{AssetHistory, CorrelationMatrix, PortfolioConfig, PortfolioReport, Weights};
use super::{history, holding};
use crate::catalog::Catalog;
use crate::risk::{PeriodsPerYear, annual_volatility};

const NAMES: [&str; 6] = ["bitcoin", "ethereum", "litecoin", "tether", "dogecoin", "solana"];

/// Positive values for 1 to 6 distinct assets.
fn values() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.01..1e6_f64, 1..=6)
}

/// Up to six histories of equal length with a shared factor, so that some
/// pairs correlate strongly, offset by up to two periods.
fn histories() -> impl Strategy<Value = Vec<AssetHistory>> {
    (2..=6_usize, 8..60_usize).prop_flat_map(|(n, len)| {
        (
            prop::collection::vec(-0.1..0.1_f64, len),
            prop::collection::vec((prop::collection::vec(-0.1..0.1_f64, len), -1.0..1.0_f64, 0..3_i64), n),
        )
            .prop_map(|(factor, assets)| {
                assets
                    .iter()
                    .enumerate()
                    .map(|(i, (noise, loading, offset))| {
                        let r: Vec<f64> =
                            factor.iter().zip(noise).map(|(f, e)| (loading * f + e).clamp(-0.9, 0.9)).collect();
                        history(NAMES[i], *offset, &r)
                    })
                    .collect()
            })
    })
}

fn config() -> PortfolioConfig {
    PortfolioConfig { min_history: 5, ..PortfolioConfig::default() }
}

proptest! {
    #[test]
    fn weights_sum_to_one_and_hhi_is_bounded(values in values()) {
        let holdings: Vec<_> = values.iter().zip(NAMES).map(|(v, name)| holding(name, *v)).collect();
        let weights = Weights::of(&holdings).unwrap();
        let total: f64 = weights.holdings().iter().map(|h| h.weight).sum();
        prop_assert!((total - 1.0).abs() <= 1e-12);
        let n = holdings.len() as f64;
        let hhi = Concentration::of(&weights).hhi;
        prop_assert!(hhi >= 1.0 / n - 1e-12 && hhi <= 1.0 + 1e-12, "{hhi}");
    }

    #[test]
    fn correlation_matrix_is_symmetric_with_unit_diagonal(histories in histories()) {
        let matrix = CorrelationMatrix::pairwise(&histories, 5);
        for i in 0..matrix.len() {
            prop_assert_eq!(matrix.get(i, i), Ok(1.0));
            for j in 0..matrix.len() {
                prop_assert_eq!(matrix.get(i, j), matrix.get(j, i));
                prop_assert_eq!(matrix.overlap(i, j), matrix.overlap(j, i));
                if let Ok(c) = matrix.get(i, j) {
                    prop_assert!((-1.0..=1.0).contains(&c));
                }
            }
        }
    }

    #[test]
    fn diversification_ratio_is_at_least_one_and_volatility_matches_the_rebalanced_series(
        histories in histories(),
        values in prop::collection::vec(1.0..1000.0_f64, 6),
    ) {
        let holdings: Vec<_> = histories.iter().zip(&values).map(|(h, v)| holding(h.asset.as_str(), *v)).collect();
        let report = PortfolioReport::analyse(&holdings, &histories, &Catalog::builtin(), &config()).unwrap();
        let window = &report.window;
        let weights: f64 = window.weights.iter().sum();
        prop_assert!((weights - 1.0).abs() <= 1e-12);
        if let Ok(ratio) = window.diversification_ratio {
            prop_assert!(ratio >= 1.0);
        }
        if let Ok(volatility) = window.volatility {
            let rebalanced = annual_volatility(window.returns.returns(), PeriodsPerYear::DAILY).unwrap();
            prop_assert!((volatility - rebalanced).abs() <= 1e-9 * volatility.max(1e-12), "{volatility} {rebalanced}");
        }
        let suggested: Vec<f64> = report.inverse_volatility.iter().filter_map(|s| s.weight.ok()).collect();
        if !suggested.is_empty() {
            prop_assert!((suggested.iter().sum::<f64>() - 1.0).abs() <= 1e-12);
            prop_assert!(suggested.iter().all(|w| *w > 0.0 && *w <= 1.0));
        }
        for cluster in &report.clusters {
            prop_assert!(cluster.assets.len() >= 2 && cluster.weakest_link >= 0.8);
        }
    }
}
