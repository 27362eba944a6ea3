//! The curated asset catalog: parsing the data file into checked [`Asset`]s.
//!
//! The data file states facts; the categories that follow from facts are
//! derived here rather than typed by hand, so they cannot disagree:
//!
//! - `stablecoin` ⇐ the asset has a peg;
//! - `proof-of-work` ⇐ its consensus is proof-of-work;
//! - `proof-of-stake` ⇐ its consensus is proof-of-stake or delegated proof-of-stake;
//! - `forked` ⇐ it has `fork_of`;
//! - `energy-efficient` ⇐ its consensus, or for a token its host platform's,
//!   is known and is not proof-of-work, unless the entry says otherwise.
//!
//! The file may list only the remaining, editorial categories.

use std::collections::{BTreeSet, HashMap};

use altgate_protocol::{Asset, AssetId, Category, Chain, Consensus, Peg};
use serde::Deserialize;

/// The catalog shipped with this release.
const BUILTIN: &str = include_str!("../data/catalog.toml");

/// Categories that follow from an asset's facts and may not be listed by hand.
pub const DERIVED_CATEGORIES: [Category; 5] =
    [Category::Stablecoin, Category::ProofOfWork, Category::ProofOfStake, Category::Forked, Category::EnergyEfficient];

/// A checked catalog: unique ids, consistent categories, and every
/// `fork_of` and platform pointing at an asset of the catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    assets: Vec<Asset>,
}

/// Why a catalog file was refused. Every variant names the asset.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file is not valid TOML of the expected shape.
    #[error("catalog file: {0}")]
    Syntax(#[from] toml::de::Error),
    /// Two entries share an id.
    #[error("asset `{0}`: the id appears more than once")]
    DuplicateId(AssetId),
    /// An entry breaks a rule of the catalog.
    #[error("asset `{id}`: {reason}")]
    Invalid {
        /// The offending asset.
        id: AssetId,
        /// The rule it breaks.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    asset: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: AssetId,
    symbol: String,
    name: String,
    categories: Vec<Category>,
    consensus: Consensus,
    native_chain: Option<String>,
    platform: Option<AssetId>,
    standard: Option<String>,
    fork_of: Option<AssetId>,
    peg: Option<Peg>,
    launch_year: u16,
    max_supply: Option<u64>,
    #[serde(default)]
    reference: bool,
    energy_efficient: Option<bool>,
    description: String,
}

impl Catalog {
    /// The catalog compiled into this release.
    ///
    /// # Panics
    /// Never at run time: a test proves the built-in file parses.
    pub fn builtin() -> Catalog {
        Catalog::parse(BUILTIN).expect("the built-in catalog is checked by a test")
    }

    /// Parses and checks a catalog file.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = toml::from_str(text)?;
        let mut consensus_of = HashMap::with_capacity(file.asset.len());
        for entry in &file.asset {
            if consensus_of.insert(&entry.id, entry.consensus).is_some() {
                return Err(CatalogError::DuplicateId(entry.id.clone()));
            }
        }
        let assets = file
            .asset
            .iter()
            .map(|entry| {
                entry.to_asset(&consensus_of).map_err(|reason| CatalogError::Invalid { id: entry.id.clone(), reason })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalog { assets })
    }

    /// The assets in file order.
    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }
}

impl Entry {
    fn to_asset(&self, consensus_of: &HashMap<&AssetId, Consensus>) -> Result<Asset, String> {
        let chain = self.chain()?;
        let host_consensus = match &chain {
            Chain::Native { .. } => Some(self.consensus),
            Chain::Token { platform, .. } => Some(
                *consensus_of.get(platform).ok_or_else(|| format!("platform `{platform}` is not in the catalog"))?,
            ),
        };
        if let Some(parent) = &self.fork_of
            && (parent == &self.id || !consensus_of.contains_key(parent))
        {
            return Err(format!("fork_of `{parent}` is not another asset of the catalog"));
        }
        if let Some(peg) = &self.peg {
            let iso = peg.target.len() == 3 && peg.target.bytes().all(|b| b.is_ascii_uppercase());
            if !iso {
                return Err(format!("peg target `{}` is not an ISO 4217 code", peg.target));
            }
        }
        if self.reference && self.id.as_str() != "bitcoin" {
            return Err("only bitcoin is the reference asset".to_owned());
        }
        for (field, value) in [("symbol", &self.symbol), ("name", &self.name), ("description", &self.description)] {
            if value.trim().is_empty() {
                return Err(format!("{field} is empty"));
            }
        }
        if self.max_supply == Some(0) {
            return Err("max_supply of 0; omit it when supply is uncapped".to_owned());
        }
        Ok(Asset {
            id: self.id.clone(),
            symbol: self.symbol.clone(),
            name: self.name.clone(),
            reference_asset: self.reference,
            categories: self.categories(host_consensus)?,
            consensus: self.consensus,
            chain,
            fork_of: self.fork_of.clone(),
            peg: self.peg.clone(),
            launch_year: self.launch_year,
            max_supply: self.max_supply,
            description: self.description.trim().to_owned(),
        })
    }

    fn chain(&self) -> Result<Chain, String> {
        match (&self.native_chain, &self.platform, &self.standard) {
            (Some(name), None, None) if self.consensus != Consensus::None => Ok(Chain::Native { name: name.clone() }),
            (Some(_), None, None) => Err("a native coin needs a consensus other than none".into()),
            (None, Some(platform), Some(standard)) if self.consensus == Consensus::None => {
                if platform == &self.id {
                    return Err("a token cannot be hosted by itself".to_owned());
                }
                Ok(Chain::Token { platform: platform.clone(), standard: standard.clone() })
            }
            (None, Some(_), Some(_)) => Err("a token's consensus must be none".to_owned()),
            _ => Err("give either native_chain, or platform and standard".to_owned()),
        }
    }

    fn categories(&self, host_consensus: Option<Consensus>) -> Result<Vec<Category>, String> {
        let mut set = BTreeSet::new();
        for &category in &self.categories {
            if DERIVED_CATEGORIES.contains(&category) {
                return Err(format!("category `{category}` is derived from the facts; remove it"));
            }
            if !set.insert(category) {
                return Err(format!("category `{category}` is listed twice"));
            }
        }
        let derived = [
            (Category::Stablecoin, self.peg.is_some()),
            (Category::ProofOfWork, self.consensus == Consensus::ProofOfWork),
            (
                Category::ProofOfStake,
                matches!(self.consensus, Consensus::ProofOfStake | Consensus::DelegatedProofOfStake),
            ),
            (Category::Forked, self.fork_of.is_some()),
            (
                Category::EnergyEfficient,
                self.energy_efficient.unwrap_or(matches!(
                    host_consensus,
                    Some(c) if c != Consensus::ProofOfWork && c != Consensus::None
                )),
            ),
        ];
        set.extend(derived.into_iter().filter_map(|(c, holds)| holds.then_some(c)));
        Ok(set.into_iter().collect())
    }
}

#[cfg(test)]
mod tests;
