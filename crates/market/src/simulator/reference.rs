//! The reference prices: an approximate USD price and a model class for
//! every catalog asset, from `data/reference_prices.toml`.

use std::collections::BTreeMap;

use altgate_protocol::AssetId;
use serde::Deserialize;

/// The reference table shipped with this release.
const BUILTIN: &str = include_str!("../../data/reference_prices.toml");

/// How an asset's price moves: which part of the model drives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Class {
    /// The reference asset (bitcoin): the market factor itself.
    Reference,
    /// A large-cap altcoin.
    Large,
    /// A mid-cap altcoin.
    Mid,
    /// A small-cap altcoin.
    Small,
    /// A meme coin: high beta, high volatility.
    Meme,
    /// A catalog stablecoin: mean-reverting around its peg.
    Stable,
    /// A fund share with a fixed net asset value, not a catalog stablecoin.
    Fund,
    /// A wrapped token tracking another asset (`tracks`).
    Wrapped,
}

/// One asset's entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Reference {
    /// The approximate USD price the simulated history ends at.
    pub(super) usd: f64,
    /// The model class.
    pub(super) class: Class,
    /// The typical daily turnover in USD, when it differs from the class's.
    pub(super) daily_volume: Option<f64>,
    /// For [`Class::Wrapped`]: the asset it tracks.
    pub(super) tracks: Option<AssetId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    asset: BTreeMap<AssetId, Reference>,
}

/// The parsed table, by asset id.
pub(super) type References = BTreeMap<AssetId, Reference>;

/// Parses and checks the built-in table.
pub(super) fn builtin() -> Result<References, String> {
    parse(BUILTIN)
}

/// Parses and checks a reference table: prices and volumes finite and
/// positive, and `tracks` given exactly for wrapped assets, naming an
/// asset of the table that moves by itself (not a stablecoin, fund or
/// another wrapped token).
pub(super) fn parse(text: &str) -> Result<References, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    for (id, entry) in &file.asset {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(entry.usd) {
            return Err(format!("asset `{id}`: usd must be a finite positive price"));
        }
        if entry.daily_volume.is_some_and(|v| !positive(v)) {
            return Err(format!("asset `{id}`: daily_volume must be finite and positive"));
        }
        match (&entry.tracks, entry.class) {
            (Some(target), Class::Wrapped) => {
                let moves_alone = file.asset.get(target).is_some_and(|t| {
                    matches!(t.class, Class::Reference | Class::Large | Class::Mid | Class::Small | Class::Meme)
                });
                if !moves_alone {
                    return Err(format!(
                        "asset `{id}`: tracks `{target}`, which is not a free-moving asset of the table"
                    ));
                }
            }
            (None, Class::Wrapped) => return Err(format!("asset `{id}`: a wrapped asset needs `tracks`")),
            (Some(_), _) => return Err(format!("asset `{id}`: only a wrapped asset may have `tracks`")),
            (None, _) => {}
        }
    }
    Ok(file.asset)
}
