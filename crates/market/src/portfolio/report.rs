//! Everything about a portfolio at once.

use altgate_protocol::AssetId;

use super::clusters::Cluster;
use super::correlation::CorrelationMatrix;
use super::exposure::Exposure;
use super::warnings::PortfolioWarning;
use super::weights::{Concentration, Weights};
use super::window::{CommonWindow, SuggestedWeight};
use super::{AssetHistory, Holding, PortfolioConfig, PortfolioError};
use crate::catalog::Catalog;

/// The analytics of a portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioReport {
    /// The holdings with their weights.
    pub weights: Weights,
    /// Exposure by category and to stablecoins.
    pub exposure: Exposure,
    /// HHI and the largest holding.
    pub concentration: Concentration,
    /// Pairwise correlations of the holdings that have a history, in
    /// holding order.
    pub correlation: CorrelationMatrix,
    /// Clusters of highly correlated holdings.
    pub clusters: Vec<Cluster>,
    /// Volatility, diversification and drawdown over the common window.
    pub window: CommonWindow,
    /// Inverse-volatility weights of the covered holdings (information,
    /// not advice).
    pub inverse_volatility: Vec<SuggestedWeight>,
    /// Warnings, in a stable order: concentration, clusters, stablecoin
    /// issuers, then history and catalog gaps by holding.
    pub warnings: Vec<PortfolioWarning>,
}

impl PortfolioReport {
    /// Analyses `holdings`, with each held asset's history from `histories`
    /// (histories of assets not held are ignored) and categories from
    /// `catalog`.
    pub fn analyse(
        holdings: &[Holding],
        histories: &[AssetHistory],
        catalog: &Catalog,
        config: &PortfolioConfig,
    ) -> Result<PortfolioReport, PortfolioError> {
        for (index, history) in histories.iter().enumerate() {
            if histories[..index].iter().any(|h| h.asset == history.asset) {
                return Err(PortfolioError::DuplicateHistory(history.asset.clone()));
            }
        }
        let weights = Weights::of(holdings)?;
        let exposure = Exposure::of(&weights, catalog);
        let concentration = Concentration::of(&weights);
        let history_of = |asset: &AssetId| histories.iter().find(|h| &h.asset == asset);

        let with_history: Vec<AssetHistory> =
            weights.holdings().iter().filter_map(|h| history_of(&h.asset)).cloned().collect();
        let correlation = CorrelationMatrix::pairwise(&with_history, config.min_history);
        let clusters = correlation.clusters(config.cluster_threshold);

        let mut gaps = Vec::new();
        let mut covered = Vec::new();
        for holding in weights.holdings() {
            match history_of(&holding.asset) {
                None => gaps.push(PortfolioWarning::MissingHistory { asset: holding.asset.clone() }),
                Some(history) if history.returns.len() < config.min_history => {
                    gaps.push(PortfolioWarning::ShortHistory {
                        asset: holding.asset.clone(),
                        returns: history.returns.len(),
                        needed: config.min_history,
                    });
                }
                Some(history) => covered.push((&holding.asset, holding.weight, history)),
            }
            if exposure.not_in_catalog.contains(&holding.asset) {
                gaps.push(PortfolioWarning::NotInCatalog { asset: holding.asset.clone() });
            }
        }
        let window = CommonWindow::of(&covered, config.min_history, config.periods_per_year);
        if !covered.is_empty() && window.returns.len() < config.min_history {
            gaps.push(PortfolioWarning::ShortCommonHistory {
                returns: window.returns.len(),
                needed: config.min_history,
            });
        }

        let mut warnings: Vec<PortfolioWarning> = weights
            .holdings()
            .iter()
            .filter(|h| h.weight > config.concentration_limit)
            .map(|h| PortfolioWarning::Concentrated {
                asset: h.asset.clone(),
                weight: h.weight,
                limit: config.concentration_limit,
            })
            .collect();
        warnings.extend(clusters.iter().map(|cluster| PortfolioWarning::HighlyCorrelated {
            assets: cluster.assets.clone(),
            weight: cluster.assets.iter().map(|a| weights.weight_of(a)).sum(),
            threshold: config.cluster_threshold,
        }));
        warnings.extend(exposure.stablecoin_issuers.iter().filter(|i| i.weight > config.issuer_limit).map(|i| {
            PortfolioWarning::StablecoinIssuer {
                issuer: i.issuer.clone(),
                weight: i.weight,
                share_of_stablecoins: i.share_of_stablecoins,
                limit: config.issuer_limit,
            }
        }));
        warnings.extend(gaps);

        let inverse_volatility = window.inverse_volatility();
        Ok(PortfolioReport {
            weights,
            exposure,
            concentration,
            correlation,
            clusters,
            window,
            inverse_volatility,
            warnings,
        })
    }
}
