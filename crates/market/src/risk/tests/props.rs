//! Invariants of the metrics over generated series.

use proptest::prelude::*;

use super::super::{
    Metric, PairedReturns, PeriodsPerYear, Rate, ReturnSeries, RiskConfig, RiskReport, annual_volatility, beta,
    conditional_value_at_risk, correlation, max_drawdown, sharpe_ratio, value_at_risk,
};

fn returns(max_len: usize) -> impl Strategy<Value = ReturnSeries> {
    prop::collection::vec(-0.4..0.4_f64, 0..max_len).prop_map(|r| ReturnSeries::new(r).unwrap())
}

/// Returns with enough spread that ratios over it are well conditioned.
fn varied(max_len: usize) -> impl Strategy<Value = ReturnSeries> {
    returns(max_len).prop_filter("needs spread", |r| {
        r.len() >= 3 && annual_volatility(r, PeriodsPerYear::DAILY).is_ok_and(|v| v > 1e-3)
    })
}

/// Anything a caller may hand in, extremes included.
fn extreme() -> impl Strategy<Value = ReturnSeries> {
    let value = prop_oneof![Just(-1.0), Just(0.0), -1.0..1.0_f64, 0.0..1e6_f64, Just(1e300)];
    prop::collection::vec(value, 0..40).prop_map(|r| ReturnSeries::new(r).unwrap())
}

fn near(a: f64, b: f64, relative: f64) -> bool {
    (a - b).abs() <= relative * a.abs().max(b.abs()).max(1e-300)
}

fn finite_or_reason(metric: Metric) -> Result<(), TestCaseError> {
    if let Ok(value) = metric {
        prop_assert!(value.is_finite(), "{value}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn drawdown_is_between_minus_one_and_zero_with_ordered_indices(r in returns(200)) {
        let Ok(drawdown) = max_drawdown(&r) else { return Ok(()) };
        prop_assert!((-1.0..=0.0).contains(&drawdown.depth));
        match drawdown.episode {
            None => prop_assert_eq!(drawdown.depth, 0.0),
            Some(e) => {
                prop_assert!(drawdown.depth < 0.0);
                prop_assert!(e.peak < e.trough && e.trough <= r.len());
                if let Some(recovery) = e.recovery {
                    prop_assert!(e.trough < recovery && recovery <= r.len());
                }
            }
        }
    }

    #[test]
    fn tail_metrics_are_ordered(r in returns(300)) {
        let Ok(var_95) = value_at_risk(&r, 0.05) else { return Ok(()) };
        let var_99 = value_at_risk(&r, 0.01).unwrap();
        let cvar_95 = conditional_value_at_risk(&r, 0.05).unwrap();
        let cvar_99 = conditional_value_at_risk(&r, 0.01).unwrap();
        prop_assert!(var_99 <= var_95);
        prop_assert!(cvar_95 <= var_95);
        prop_assert!(cvar_99 <= var_99);
        prop_assert!(cvar_99 <= cvar_95);
        let lowest = r.as_slice().iter().copied().fold(f64::INFINITY, f64::min);
        prop_assert!(lowest <= cvar_99);
    }

    #[test]
    fn a_series_against_itself_has_beta_and_correlation_one(r in varied(200)) {
        let pair = PairedReturns::new(r.clone(), r).unwrap();
        prop_assert!(near(beta(&pair).unwrap(), 1.0, 1e-12));
        prop_assert!(near(correlation(&pair).unwrap(), 1.0, 1e-12));
    }

    #[test]
    fn scaling_returns_scales_volatility_and_keeps_sharpe(r in varied(200), k in 0.05..2.0_f64) {
        let scaled = ReturnSeries::new(r.as_slice().iter().map(|x| x * k).collect()).unwrap();
        let periods = PeriodsPerYear::DAILY;
        let vol = annual_volatility(&r, periods).unwrap();
        prop_assert!(near(annual_volatility(&scaled, periods).unwrap(), k * vol, 1e-9));
        let sharpe = sharpe_ratio(&r, Rate::ZERO, periods).unwrap();
        let scaled_sharpe = sharpe_ratio(&scaled, Rate::ZERO, periods).unwrap();
        prop_assert!((scaled_sharpe - sharpe).abs() <= 1e-9 * sharpe.abs().max(1.0));
    }

    #[test]
    fn correlation_is_bounded_and_symmetric(a in varied(100), b in varied(100)) {
        let n = a.len().min(b.len());
        let (a, b) = (a.last(n), b.last(n));
        let ab = correlation(&PairedReturns::new(a.clone(), b.clone()).unwrap());
        let ba = correlation(&PairedReturns::new(b, a).unwrap());
        if let Ok(c) = ab {
            prop_assert!((-1.0..=1.0).contains(&c));
        }
        prop_assert_eq!(ab.is_ok(), ba.is_ok());
        if let (Ok(x), Ok(y)) = (ab, ba) {
            prop_assert!((x - y).abs() <= 1e-12);
        }
    }

    #[test]
    fn no_metric_is_ever_nan_or_infinite(r in extreme(), hourly in any::<bool>()) {
        let periods = if hourly { PeriodsPerYear::HOURLY } else { PeriodsPerYear::DAILY };
        let config = RiskConfig { periods_per_year: periods, risk_free: Rate::Annual(0.04), required_return: Rate::PerPeriod(0.001) };
        let report = RiskReport::compute(&r, &config);
        for metric in [
            report.annual_volatility, report.cagr, report.sharpe, report.sortino, report.downside_risk,
            report.var_95, report.var_99, report.cvar_95, report.cvar_99, report.skew, report.kurtosis,
        ] {
            finite_or_reason(metric)?;
        }
        finite_or_reason(report.max_drawdown.map(|d| d.depth))?;
        let pair = PairedReturns::new(r.clone(), ReturnSeries::new(r.as_slice().iter().rev().copied().collect()).unwrap()).unwrap();
        finite_or_reason(beta(&pair))?;
        finite_or_reason(correlation(&pair))?;
    }
}
