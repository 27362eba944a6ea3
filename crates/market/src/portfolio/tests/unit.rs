//! Small portfolios whose analytics can be checked by hand.

use super::super::weights::Concentration;
use super::super::{
    CorrelationMatrix, Exposure, PortfolioConfig, PortfolioError, PortfolioReport, PortfolioWarning, Weights,
};
use super::{close, history, holding, id};
use crate::catalog::Catalog;
use crate::risk::{PeriodsPerYear, Unavailable, annual_volatility};
use altgate_protocol::Category;

const UP_DOWN: [f64; 6] = [0.01, -0.01, 0.01, -0.01, 0.01, -0.01];

fn config(min_history: usize) -> PortfolioConfig {
    PortfolioConfig { periods_per_year: PeriodsPerYear::new(1.0).unwrap(), min_history, ..PortfolioConfig::default() }
}

#[test]
fn weights_and_concentration() {
    let weights =
        Weights::of(&[holding("bitcoin", 600.0), holding("ethereum", 300.0), holding("tether", 100.0)]).unwrap();
    assert_eq!(weights.total_usd(), 1000.0);
    let w: Vec<f64> = weights.holdings().iter().map(|h| h.weight).collect();
    assert_eq!(w, [0.6, 0.3, 0.1]);
    let concentration = Concentration::of(&weights);
    close(concentration.hhi, 0.46);
    close(concentration.effective_holdings, 1.0 / 0.46);
    assert_eq!(concentration.largest.asset, id("bitcoin"));
    assert_eq!(weights.weight_of(&id("dogecoin")), 0.0);
}

#[test]
fn holdings_are_checked() {
    assert_eq!(Weights::of(&[]), Err(PortfolioError::Empty));
    assert_eq!(
        Weights::of(&[holding("bitcoin", 1.0), holding("bitcoin", 2.0)]),
        Err(PortfolioError::DuplicateHolding(id("bitcoin")))
    );
    for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(Weights::of(&[holding("bitcoin", bad)]), Err(PortfolioError::InvalidValue { .. })));
    }
    let twice = [history("bitcoin", 0, &UP_DOWN), history("bitcoin", 0, &UP_DOWN)];
    let result = PortfolioReport::analyse(&[holding("bitcoin", 1.0)], &twice, &Catalog::builtin(), &config(2));
    assert_eq!(result.err(), Some(PortfolioError::DuplicateHistory(id("bitcoin"))));
}

#[test]
fn exposure_by_category_and_stablecoin_issuer() {
    let catalog = Catalog::builtin();
    let holdings = [
        holding("bitcoin", 400.0),
        holding("tether", 300.0),
        holding("usd-coin", 100.0),
        holding("pax-gold", 100.0),
        holding("not-listed", 100.0),
    ];
    let exposure = Exposure::of(&Weights::of(&holdings).unwrap(), &catalog);
    close(exposure.stablecoin_weight, 0.5);
    let stable = exposure.by_category.iter().find(|c| c.category == Category::Stablecoin).unwrap();
    close(stable.weight, 0.5);
    close(stable.value_usd, 500.0);
    let pow = exposure.by_category.iter().find(|c| c.category == Category::ProofOfWork).unwrap();
    close(pow.weight, 0.4);
    assert_eq!(exposure.not_in_catalog, [id("not-listed")]);
    close(exposure.not_in_catalog_weight, 0.1);
    let issuers: Vec<_> = exposure.stablecoin_issuers.iter().map(|i| (i.issuer.as_str(), i.weight)).collect();
    assert_eq!(issuers[0], ("tether", 0.3));
    close(exposure.stablecoin_issuers[0].share_of_stablecoins, 0.6);
    assert_eq!(exposure.stablecoin_issuers.len(), 3);
    let pegs: Vec<_> = exposure.stablecoin_pegs.iter().map(|p| p.target.as_str()).collect();
    assert_eq!(pegs, ["USD", "XAU"]);
    close(exposure.stablecoin_pegs[0].weight, 0.4);
}

#[test]
fn correlations_are_pairwise_over_common_dates() {
    let a = UP_DOWN.to_vec();
    let doubled: Vec<f64> = a.iter().map(|x| 2.0 * x).collect();
    let opposite: Vec<f64> = a.iter().map(|x| -x).collect();
    let other = [0.02, 0.01, -0.03, 0.0, 0.01, 0.02];
    let histories = [
        history("bitcoin", 0, &a),
        history("ethereum", 0, &doubled),
        history("litecoin", 2, &opposite), // shares times 2..6 with the first two
        history("dogecoin", 0, &other),
        history("tether", 0, &[0.0; 6]),
    ];
    let matrix = CorrelationMatrix::pairwise(&histories, 3);
    assert_eq!(matrix.len(), 5);
    close(matrix.get(0, 1).unwrap(), 1.0);
    close(matrix.get(0, 2).unwrap(), -1.0);
    assert_eq!(matrix.overlap(0, 2), 4);
    assert_eq!(matrix.overlap(2, 2), 6);
    assert_eq!(matrix.get(0, 0), Ok(1.0));
    assert_eq!(matrix.get(4, 4), Err(Unavailable::ZeroVariance));
    assert_eq!(matrix.get(0, 4), Err(Unavailable::ZeroBenchmarkVariance));
    assert_eq!(matrix.get(4, 0), matrix.get(0, 4));
    let short = CorrelationMatrix::pairwise(&histories, 5);
    assert_eq!(short.get(0, 2), Err(Unavailable::TooFewReturns { needed: 5, got: 4 }));

    let clusters = matrix.clusters(0.8);
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0].assets, [id("bitcoin"), id("ethereum"), id("litecoin")]);
    close(clusters[0].weakest_link, 1.0);
    assert!(matrix.clusters(1.5).is_empty());
}

#[test]
fn window_volatility_diversification_and_inverse_volatility() {
    let a = UP_DOWN.to_vec();
    let doubled: Vec<f64> = a.iter().map(|x| 2.0 * x).collect();
    let opposite: Vec<f64> = a.iter().map(|x| -x).collect();
    let catalog = Catalog::builtin();
    let sigma = (6.0 * 0.0001_f64 / 5.0).sqrt(); // ddof = 1, one period a year

    // Perfectly correlated: no diversification.
    let holdings = [holding("bitcoin", 500.0), holding("ethereum", 500.0)];
    let histories = [history("bitcoin", 0, &a), history("ethereum", 0, &doubled)];
    let report = PortfolioReport::analyse(&holdings, &histories, &catalog, &config(3)).unwrap();
    let window = &report.window;
    close(window.asset_volatility[0].unwrap(), sigma);
    close(window.asset_volatility[1].unwrap(), 2.0 * sigma);
    close(window.volatility.unwrap(), 1.5 * sigma);
    close(window.diversification_ratio.unwrap(), 1.0);
    let inverse: Vec<f64> = report.inverse_volatility.iter().map(|s| s.weight.unwrap()).collect();
    close(inverse[0], 2.0 / 3.0);
    close(inverse[1], 1.0 / 3.0);
    // The rebalanced portfolio gains 1.5 %, loses 1.5 %, three times over:
    // from the first peak to the end.
    let drawdown = window.max_drawdown.unwrap();
    close(drawdown.depth, (1.015_f64 * 0.985).powi(3) / 1.015 - 1.0);
    assert_eq!(drawdown.episode.map(|e| (e.peak, e.trough, e.recovery)), Some((1, 6, None)));

    // Perfect hedge: the portfolio does not move.
    let histories = [history("bitcoin", 0, &a), history("ethereum", 0, &opposite)];
    let report = PortfolioReport::analyse(&holdings, &histories, &catalog, &config(3)).unwrap();
    close(report.window.volatility.unwrap(), 0.0);
    assert_eq!(report.window.diversification_ratio, Err(Unavailable::ZeroVariance));
    assert_eq!(report.window.max_drawdown.unwrap().episode, None);
}

#[test]
fn warnings_name_what_is_wrong() {
    let catalog = Catalog::builtin();
    let holdings = [
        holding("bitcoin", 550.0),
        holding("tether", 300.0),
        holding("ethereum", 50.0),
        holding("litecoin", 50.0),
        holding("dogecoin", 25.0),
        holding("not-listed", 25.0),
    ];
    let a = UP_DOWN.to_vec();
    let histories = [
        history("bitcoin", 0, &a),
        history("ethereum", 0, &a.iter().map(|x| 3.0 * x).collect::<Vec<_>>()),
        history("litecoin", 0, &a[..2]),
        history("tether", 0, &[0.001, -0.001, 0.0, 0.0, 0.0, 0.001]),
        history("solana", 0, &a),
    ];
    let report = PortfolioReport::analyse(&holdings, &histories, &catalog, &config(4)).unwrap();
    let expected = vec![
        PortfolioWarning::Concentrated { asset: id("bitcoin"), weight: 0.55, limit: 0.5 },
        PortfolioWarning::HighlyCorrelated {
            assets: vec![id("bitcoin"), id("ethereum")],
            weight: 0.55 + 0.05,
            threshold: 0.8,
        },
        PortfolioWarning::StablecoinIssuer {
            issuer: id("tether"),
            weight: 0.3,
            share_of_stablecoins: 1.0,
            limit: 0.25,
        },
        PortfolioWarning::ShortHistory { asset: id("litecoin"), returns: 2, needed: 4 },
        PortfolioWarning::MissingHistory { asset: id("dogecoin") },
        PortfolioWarning::MissingHistory { asset: id("not-listed") },
        PortfolioWarning::NotInCatalog { asset: id("not-listed") },
    ];
    assert_eq!(report.warnings, expected);
    assert_eq!(report.warnings[0].message(), "bitcoin is 55.0% of the portfolio, more than 50% in one asset");
    assert!(report.warnings.iter().all(|w| !w.message().is_empty()));
    close(report.window.covered_weight, 0.9);
    assert_eq!(report.window.assets, [id("bitcoin"), id("tether"), id("ethereum")]);
    assert_eq!(report.correlation.assets().len(), 4, "every held asset with a history");

    let none = PortfolioReport::analyse(&holdings[5..], &[], &catalog, &config(4)).unwrap();
    assert_eq!(none.window.volatility, Err(Unavailable::NoHistory));
    assert!(none.inverse_volatility.is_empty());

    let apart = [history("bitcoin", 0, &a), history("tether", 100, &a)];
    let report = PortfolioReport::analyse(&holdings[..2], &apart, &catalog, &config(4)).unwrap();
    assert!(report.warnings.contains(&PortfolioWarning::ShortCommonHistory { returns: 0, needed: 4 }));
    assert_eq!(report.window.volatility, Err(Unavailable::TooFewReturns { needed: 4, got: 0 }));
    let rebalanced = annual_volatility(report.window.returns.returns(), PeriodsPerYear::new(1.0).unwrap());
    assert_eq!(rebalanced, Err(Unavailable::TooFewReturns { needed: 2, got: 0 }));
}
