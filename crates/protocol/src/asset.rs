//! The catalog vocabulary: asset ids, the taxonomy of altcoin types,
//! consensus mechanisms, chains and pegs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A stable asset id: a lowercase slug such as `bitcoin` or `usd-coin`.
///
/// Symbols are not unique across assets, so the id is the key and the symbol
/// an attribute. Ids follow CoinGecko's where one exists. A valid id is 1 to
/// 64 characters of `a-z`, `0-9` and single inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "ethereum"))]
pub struct AssetId(String);

/// Why a string is not an [`AssetId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAssetId {
    /// Empty or longer than 64 characters.
    #[error("must be 1 to 64 characters long")]
    Length,
    /// A character outside `a-z`, `0-9` and `-`, or a misplaced hyphen.
    #[error("must be lowercase letters, digits and single inner hyphens")]
    Form,
}

impl AssetId {
    /// The longest id accepted.
    pub const MAX_LEN: usize = 64;

    /// Parses an id, enforcing the slug form.
    pub fn parse(s: &str) -> Result<Self, InvalidAssetId> {
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err(InvalidAssetId::Length);
        }
        let bytes = s.as_bytes();
        let slug_byte = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
        if !bytes.iter().all(slug_byte)
            || bytes.first() == Some(&b'-')
            || bytes.last() == Some(&b'-')
            || s.contains("--")
        {
            return Err(InvalidAssetId::Form);
        }
        Ok(AssetId(s.to_owned()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by ids are looked up with the id as a client sent it, before
/// parsing it: an id found there is well-formed by construction.
impl std::borrow::Borrow<str> for AssetId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl FromStr for AssetId {
    type Err = InvalidAssetId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssetId::parse(s)
    }
}

impl TryFrom<String> for AssetId {
    type Error = InvalidAssetId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AssetId::parse(&s)
    }
}

impl From<AssetId> for String {
    fn from(id: AssetId) -> String {
        id.0
    }
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Implements `as_str`, `ALL`, `Display` and `FromStr` for a kebab-case
/// vocabulary enum, from one list so the three cannot disagree.
macro_rules! vocabulary {
    ($ty:ident, $what:literal { $($variant:ident = $s:literal,)+ }) => {
        impl $ty {
            /// Every value, in a stable order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)+];

            /// The value as it appears on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $s,)+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok($ty::$variant),)+
                    _ => Err(UnknownValue {
                        kind: $what,
                        value: s.to_owned(),
                        expected: &[$($s,)+],
                    }),
                }
            }
        }
    };
}

/// A string that is not one of a vocabulary's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// What was being parsed, e.g. `category`.
    pub kind: &'static str,
    /// The rejected input.
    pub value: String,
    /// The accepted values.
    pub expected: &'static [&'static str],
}

/// The taxonomy of altcoin types. An asset may belong to several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Category {
    /// Pegged to an external value such as a fiat currency or gold.
    Stablecoin,
    /// Hides senders, receivers or amounts by default or on request.
    Privacy,
    /// Pays for a service or resource on a network.
    Utility,
    /// Represents a regulated financial instrument.
    SecurityToken,
    /// Issued by a trading venue.
    Exchange,
    /// Votes on a protocol's parameters or treasury.
    Governance,
    /// The currency of a game or virtual world.
    Gaming,
    /// Backed by, or redeemable for, non-fungible tokens.
    NftBacked,
    /// Secured without proof-of-work mining.
    EnergyEfficient,
    /// Secured by staked coins.
    ProofOfStake,
    /// Secured by mining.
    ProofOfWork,
    /// Born of a split from another chain.
    Forked,
    /// Connects or moves value between chains.
    CrossChain,
}

vocabulary!(Category, "category" {
    Stablecoin = "stablecoin",
    Privacy = "privacy",
    Utility = "utility",
    SecurityToken = "security-token",
    Exchange = "exchange",
    Governance = "governance",
    Gaming = "gaming",
    NftBacked = "nft-backed",
    EnergyEfficient = "energy-efficient",
    ProofOfStake = "proof-of-stake",
    ProofOfWork = "proof-of-work",
    Forked = "forked",
    CrossChain = "cross-chain",
});

/// How a chain reaches agreement. Tokens have none of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Consensus {
    /// Miners compete to solve hash puzzles.
    ProofOfWork,
    /// Validators lock up coins as collateral.
    ProofOfStake,
    /// Holders elect a small set of block producers.
    DelegatedProofOfStake,
    /// Anything else: federated agreement, proof of authority, hashgraph…
    Other,
    /// A token secured by its host platform.
    None,
}

vocabulary!(Consensus, "consensus" {
    ProofOfWork = "proof-of-work",
    ProofOfStake = "proof-of-stake",
    DelegatedProofOfStake = "delegated-proof-of-stake",
    Other = "other",
    None = "none",
});

/// What keeps a stablecoin at its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PegKind {
    /// Reserves of fiat money and short-term debt held by an issuer.
    FiatBacked,
    /// Over-collateralised crypto assets locked on chain.
    CryptoBacked,
    /// A physical commodity such as gold held in custody.
    CommodityBacked,
    /// Supply rules and incentives, without full collateral.
    Algorithmic,
}

vocabulary!(PegKind, "peg kind" {
    FiatBacked = "fiat-backed",
    CryptoBacked = "crypto-backed",
    CommodityBacked = "commodity-backed",
    Algorithmic = "algorithmic",
});

/// A stablecoin's peg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Peg {
    /// What it tracks, as an ISO 4217 code: `USD`, `EUR`, `XAU` for gold.
    pub target: String,
    /// What holds the peg.
    pub kind: PegKind,
}

/// Where an asset lives: its own chain, or a host platform as a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Chain {
    /// The asset is the native coin of its own chain.
    Native {
        /// The chain's name, e.g. `Ethereum`.
        name: String,
    },
    /// The asset is a token on another asset's chain.
    Token {
        /// The id of the host platform's asset, e.g. `ethereum`.
        platform: AssetId,
        /// The token standard, e.g. `ERC-20`.
        standard: String,
    },
}

/// One asset of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    /// The stable id.
    pub id: AssetId,
    /// The ticker symbol, e.g. `ETH`. Not unique.
    pub symbol: String,
    /// The display name.
    pub name: String,
    /// True only for the reference asset (Bitcoin), which is not an altcoin.
    pub reference_asset: bool,
    /// The asset's categories, in taxonomy order.
    pub categories: Vec<Category>,
    /// The consensus mechanism; `none` for tokens.
    pub consensus: Consensus,
    /// Its native chain, or its host platform and token standard.
    pub chain: Chain,
    /// For forks: the asset it split from.
    pub fork_of: Option<AssetId>,
    /// For stablecoins: what it is pegged to and how.
    pub peg: Option<Peg>,
    /// The year its network or token launched.
    pub launch_year: u16,
    /// The hard cap on supply, in whole units, when there is one.
    pub max_supply: Option<u64>,
    /// A short factual description.
    pub description: String,
}

/// One category of the taxonomy, with how many assets it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryInfo {
    /// The category id.
    pub id: Category,
    /// A display name.
    pub name: String,
    /// What the category is and what risks a holder should know.
    pub description: String,
    /// How many catalog assets are in it.
    pub asset_count: u64,
}

/// The taxonomy, with asset counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryList {
    /// Every category, in taxonomy order.
    pub data: Vec<CategoryInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn asset_ids_accept_slugs_only() {
        for ok in ["bitcoin", "usd-coin", "avalanche-2", "a"] {
            assert!(AssetId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Bitcoin", "-btc", "btc-", "b--c", "b c", "b_c", "é"] {
            assert!(AssetId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(AssetId::parse(&"a".repeat(65)), Err(InvalidAssetId::Length));
    }

    #[test]
    fn vocabularies_round_trip_through_serde_and_from_str() {
        for &c in Category::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        for &c in Consensus::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        let err = "memecoin".parse::<Category>().unwrap_err();
        assert!(err.to_string().contains("stablecoin"), "{err}");
    }

    proptest! {
        #[test]
        fn parsed_ids_keep_the_slug_invariant(s in "[a-z0-9-]{0,70}") {
            if let Ok(id) = AssetId::parse(&s) {
                prop_assert!(!id.as_str().starts_with('-') && !id.as_str().ends_with('-'));
                prop_assert!(!id.as_str().contains("--"));
                prop_assert!((1..=64).contains(&id.as_str().len()));
            }
        }
    }
}
