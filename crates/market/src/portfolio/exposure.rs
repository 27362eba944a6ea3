//! Exposure by taxonomy category, and to stablecoins by issuer and peg.

use altgate_protocol::{Asset, AssetId, Category};

use super::weights::Weights;
use crate::catalog::Catalog;

/// The share of the portfolio in one category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryExposure {
    /// The category.
    pub category: Category,
    /// The value of the holdings in it, in USD.
    pub value_usd: f64,
    /// Their combined weight.
    pub weight: f64,
}

/// The share of the portfolio in one issuer's stablecoins.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerExposure {
    /// The issuer. The catalog records no issuer, so each stablecoin is its
    /// own issuer, named by its asset id.
    pub issuer: AssetId,
    /// Its weight in the whole portfolio.
    pub weight: f64,
    /// Its share of the stablecoin holdings.
    pub share_of_stablecoins: f64,
}

/// The share of the portfolio in stablecoins of one peg target.
#[derive(Debug, Clone, PartialEq)]
pub struct PegExposure {
    /// The ISO 4217 code pegged to: `USD`, `EUR`, `XAU`…
    pub target: String,
    /// The combined weight in the whole portfolio.
    pub weight: f64,
}

/// Where the portfolio's value sits in the taxonomy.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    /// Every category with holdings in it, in taxonomy order. An asset
    /// counts in each of its categories, so the weights may sum past 1.
    pub by_category: Vec<CategoryExposure>,
    /// Held assets the catalog does not list, in holding order.
    pub not_in_catalog: Vec<AssetId>,
    /// The combined weight of [`Exposure::not_in_catalog`].
    pub not_in_catalog_weight: f64,
    /// The weight in stablecoins (the `stablecoin` category: catalog
    /// assets with a peg).
    pub stablecoin_weight: f64,
    /// Stablecoins by issuer, largest first.
    pub stablecoin_issuers: Vec<IssuerExposure>,
    /// Stablecoins by peg target, largest first.
    pub stablecoin_pegs: Vec<PegExposure>,
}

impl Exposure {
    /// The exposure of `weights`, with assets looked up in `catalog`.
    pub fn of(weights: &Weights, catalog: &Catalog) -> Exposure {
        let find = |id: &AssetId| catalog.assets().iter().find(|asset| &asset.id == id);
        let held: Vec<(&super::Weighted, Option<&Asset>)> =
            weights.holdings().iter().map(|holding| (holding, find(&holding.asset))).collect();

        let by_category = Category::ALL
            .iter()
            .filter_map(|&category| {
                let members = held.iter().filter(|(_, asset)| asset.is_some_and(|a| a.categories.contains(&category)));
                let (value_usd, weight) = members.fold((0.0, 0.0), |(v, w), (h, _)| (v + h.value_usd, w + h.weight));
                (weight > 0.0).then_some(CategoryExposure { category, value_usd, weight })
            })
            .collect();
        let unknown: Vec<&super::Weighted> = held.iter().filter(|(_, a)| a.is_none()).map(|(h, _)| *h).collect();

        let stablecoins: Vec<(&super::Weighted, &Asset)> = held
            .iter()
            .filter_map(|&(h, asset)| asset.filter(|a| a.categories.contains(&Category::Stablecoin)).map(|a| (h, a)))
            .collect();
        let stablecoin_weight: f64 = stablecoins.iter().map(|(h, _)| h.weight).sum();
        let mut stablecoin_issuers: Vec<IssuerExposure> = stablecoins
            .iter()
            .map(|(h, _)| IssuerExposure {
                issuer: h.asset.clone(),
                weight: h.weight,
                share_of_stablecoins: h.weight / stablecoin_weight,
            })
            .collect();
        stablecoin_issuers.sort_by(|a, b| b.weight.total_cmp(&a.weight));

        let mut stablecoin_pegs: Vec<PegExposure> = Vec::new();
        for (h, asset) in &stablecoins {
            let Some(peg) = &asset.peg else { continue };
            match stablecoin_pegs.iter_mut().find(|p| p.target == peg.target) {
                Some(existing) => existing.weight += h.weight,
                None => stablecoin_pegs.push(PegExposure { target: peg.target.clone(), weight: h.weight }),
            }
        }
        stablecoin_pegs.sort_by(|a, b| b.weight.total_cmp(&a.weight));

        Exposure {
            by_category,
            not_in_catalog_weight: unknown.iter().map(|h| h.weight).sum(),
            not_in_catalog: unknown.into_iter().map(|h| h.asset.clone()).collect(),
            stablecoin_weight,
            stablecoin_issuers,
            stablecoin_pegs,
        }
    }
}
