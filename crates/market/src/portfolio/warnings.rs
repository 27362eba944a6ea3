//! Warnings about a portfolio, typed, with a human message each.

use std::fmt;

use altgate_protocol::AssetId;

/// Something about the holdings worth knowing. Information, not advice.
#[derive(Debug, Clone, PartialEq)]
pub enum PortfolioWarning {
    /// One holding is more than the concentration limit of the portfolio.
    Concentrated {
        /// The holding.
        asset: AssetId,
        /// Its weight.
        weight: f64,
        /// The limit it exceeds.
        limit: f64,
    },
    /// Holdings whose returns move together (a correlation cluster).
    HighlyCorrelated {
        /// The members of the cluster.
        assets: Vec<AssetId>,
        /// Their combined weight.
        weight: f64,
        /// The `|correlation|` threshold that linked them.
        threshold: f64,
    },
    /// One issuer's stablecoins are more than the issuer limit of the
    /// portfolio. Each stablecoin is its own issuer (the catalog records none).
    StablecoinIssuer {
        /// The issuer.
        issuer: AssetId,
        /// Its weight in the whole portfolio.
        weight: f64,
        /// Its share of the stablecoin holdings.
        share_of_stablecoins: f64,
        /// The limit it exceeds.
        limit: f64,
    },
    /// A holding has no price history, so it is left out of the history
    /// analytics.
    MissingHistory {
        /// The holding.
        asset: AssetId,
    },
    /// A holding's history is too short, so it is left out of the history
    /// analytics.
    ShortHistory {
        /// The holding.
        asset: AssetId,
        /// The returns it has.
        returns: usize,
        /// The returns needed.
        needed: usize,
    },
    /// The holdings with history share too few periods for the portfolio's
    /// volatility and drawdown.
    ShortCommonHistory {
        /// The common returns there are.
        returns: usize,
        /// The returns needed.
        needed: usize,
    },
    /// A holding is not in the catalog, so its categories are unknown.
    NotInCatalog {
        /// The holding.
        asset: AssetId,
    },
}

impl fmt::Display for PortfolioWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |x: f64| x * 100.0;
        match self {
            PortfolioWarning::Concentrated { asset, weight, limit } => write!(
                f,
                "{asset} is {:.1}% of the portfolio, more than {:.0}% in one asset",
                pct(*weight),
                pct(*limit)
            ),
            PortfolioWarning::HighlyCorrelated { assets, weight, threshold } => {
                let names: Vec<&str> = assets.iter().map(AssetId::as_str).collect();
                write!(
                    f,
                    "{} move together (|correlation| at least {threshold}) and are {:.1}% of the portfolio together",
                    names.join(", "),
                    pct(*weight)
                )
            }
            PortfolioWarning::StablecoinIssuer { issuer, weight, share_of_stablecoins, limit } => write!(
                f,
                "{:.1}% of the portfolio ({:.1}% of its stablecoins) depends on the issuer of {issuer}, \
                 more than {:.0}%",
                pct(*weight),
                pct(*share_of_stablecoins),
                pct(*limit)
            ),
            PortfolioWarning::MissingHistory { asset } => {
                write!(f, "{asset} has no price history; volatility and drawdown leave it out")
            }
            PortfolioWarning::ShortHistory { asset, returns, needed } => write!(
                f,
                "{asset} has {returns} returns of history, fewer than {needed}; volatility and drawdown leave it out"
            ),
            PortfolioWarning::ShortCommonHistory { returns, needed } => write!(
                f,
                "the holdings share only {returns} periods of history, fewer than {needed}; \
                 the portfolio's volatility and drawdown are not computed"
            ),
            PortfolioWarning::NotInCatalog { asset } => {
                write!(f, "{asset} is not in the catalog; its categories are unknown")
            }
        }
    }
}

impl PortfolioWarning {
    /// The human message (the `Display` text).
    pub fn message(&self) -> String {
        self.to_string()
    }
}
