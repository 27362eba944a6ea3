//! Small cases whose answers can be checked by hand.

use super::super::{
    BenchmarkReport, DatedReturns, DrawdownEpisode, PairedReturns, PeriodsPerYear, Rate, ReturnSeries, ReturnsError,
    RiskConfig, RiskReport, Unavailable, alpha, annual_volatility, beta, cagr, conditional_value_at_risk, correlation,
    downside_risk, excess_kurtosis, max_drawdown, sharpe_ratio, skewness, sortino_ratio, value_at_risk,
};
use crate::candle::Interval;

fn series(returns: &[f64]) -> ReturnSeries {
    ReturnSeries::new(returns.to_vec()).unwrap()
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "got {got}, want {want}");
}

fn periods(n: f64) -> PeriodsPerYear {
    PeriodsPerYear::new(n).unwrap()
}

#[test]
fn returns_come_from_consecutive_closes_and_are_checked() {
    let returns = ReturnSeries::from_closes(&[100.0, 110.0, 99.0]).unwrap();
    close(returns.as_slice()[0], 0.1);
    close(returns.as_slice()[1], -0.1);
    assert_eq!(ReturnSeries::from_closes(&[1.0, 0.0]), Err(ReturnsError::Price { index: 1, value: 0.0 }));
    assert!(matches!(ReturnSeries::new(vec![0.1, f64::NAN]), Err(ReturnsError::Return { index: 1, .. })));
    assert_eq!(ReturnSeries::new(vec![-1.5]), Err(ReturnsError::Return { index: 0, value: -1.5 }));
    assert!(ReturnSeries::new(vec![-1.0]).is_ok(), "a total loss is a return");
    assert_eq!(returns.last(1).as_slice(), &returns.as_slice()[1..]);
    assert_eq!(returns.last(9), returns);
}

#[test]
fn dated_returns_need_increasing_times_and_pair_on_common_times() {
    assert_eq!(DatedReturns::new(vec![2, 2], series(&[0.0, 0.0])), Err(ReturnsError::Unordered { index: 1 }));
    assert!(matches!(DatedReturns::new(vec![1], series(&[])), Err(ReturnsError::LengthMismatch { .. })));
    let a = DatedReturns::from_closes(&[0, 1, 2, 3, 5], &[1.0, 2.0, 4.0, 8.0, 16.0]).unwrap();
    assert_eq!(a.times(), &[1, 2, 3, 5]);
    let b = DatedReturns::new(vec![2, 3, 4, 5], series(&[0.1, 0.2, 0.3, 0.4])).unwrap();
    let pair = a.pair_with(&b);
    assert_eq!(pair.asset().as_slice(), &[1.0, 1.0, 1.0]);
    assert_eq!(pair.benchmark().as_slice(), &[0.1, 0.2, 0.4]);
    assert_eq!(pair.last(1).benchmark().as_slice(), &[0.4]);
    assert!(PairedReturns::new(series(&[0.1]), series(&[])).is_err());
}

#[test]
fn periods_per_year_scale_with_the_interval() {
    assert_eq!(PeriodsPerYear::of_interval(Interval::D1), PeriodsPerYear::DAILY);
    assert_eq!(PeriodsPerYear::of_interval(Interval::H1), PeriodsPerYear::HOURLY);
    assert_eq!(PeriodsPerYear::of_interval(Interval::H4).get(), 2190.0);
    assert_eq!(PeriodsPerYear::of_interval(Interval::M1).get(), 525_600.0);
    close(PeriodsPerYear::of_interval(Interval::W1).get(), 365.0 / 7.0);
    assert_eq!(PeriodsPerYear::of_period_millis(3_600_000), Some(PeriodsPerYear::HOURLY));
    assert_eq!(PeriodsPerYear::of_period_millis(0), None);
    assert_eq!(PeriodsPerYear::new(0.0), None);
    assert_eq!(PeriodsPerYear::new(f64::INFINITY), None);
}

#[test]
fn annual_rates_compound_to_their_per_period_rate() {
    let daily = Rate::Annual(0.05).per_period(PeriodsPerYear::DAILY);
    close((1.0 + daily).powf(365.0), 1.05);
    assert_eq!(Rate::PerPeriod(0.001).per_period(PeriodsPerYear::DAILY), 0.001);
    assert_eq!(Rate::default(), Rate::ZERO);
}

#[test]
fn volatility_is_the_sample_deviation_annualised() {
    let returns = series(&[0.01, -0.01]);
    close(annual_volatility(&returns, periods(4.0)).unwrap(), 0.0002_f64.sqrt() * 2.0);
    assert_eq!(
        annual_volatility(&series(&[0.01]), periods(4.0)),
        Err(Unavailable::TooFewReturns { needed: 2, got: 1 })
    );
}

#[test]
fn cagr_compounds_over_the_years_covered() {
    close(cagr(&series(&[0.1, 0.1]), periods(2.0)).unwrap(), 0.21);
    close(cagr(&series(&[0.21]), periods(0.5)).unwrap(), 0.1);
    assert_eq!(cagr(&series(&[-1.0]), periods(1.0)), Ok(-1.0));
    assert_eq!(cagr(&series(&[]), periods(1.0)), Err(Unavailable::TooFewReturns { needed: 1, got: 0 }));
    assert_eq!(cagr(&series(&[1.0]), PeriodsPerYear::HOURLY), Err(Unavailable::NotFinite), "2^8760 overflows");
}

#[test]
fn sharpe_and_sortino_follow_empyrical() {
    let returns = series(&[0.02, -0.01, 0.03]);
    let mean: f64 = 0.04 / 3.0;
    let std = ((0.02 - mean).powi(2) + (-0.01 - mean).powi(2) + (0.03 - mean).powi(2)).sqrt() / 2.0_f64.sqrt();
    close(sharpe_ratio(&returns, Rate::ZERO, periods(4.0)).unwrap(), mean / std * 2.0);
    close(sharpe_ratio(&returns, Rate::PerPeriod(0.01), periods(4.0)).unwrap(), (mean - 0.01) / std * 2.0);
    // Only -0.01 falls below 0: downside = √(0.0001 / 3) × √4.
    let downside = (0.0001_f64 / 3.0).sqrt() * 2.0;
    close(downside_risk(&returns, Rate::ZERO, periods(4.0)).unwrap(), downside);
    close(sortino_ratio(&returns, Rate::ZERO, periods(4.0)).unwrap(), mean * 4.0 / downside);
    assert_eq!(sharpe_ratio(&series(&[0.01; 5]), Rate::ZERO, periods(4.0)), Err(Unavailable::ZeroVariance));
    assert_eq!(sortino_ratio(&series(&[0.01, 0.02]), Rate::ZERO, periods(4.0)), Err(Unavailable::NoDownside));
    assert!(sortino_ratio(&series(&[0.01, 0.02]), Rate::PerPeriod(0.015), periods(4.0)).is_ok());
}

#[test]
fn value_at_risk_interpolates_as_numpy() {
    // Sorted: -0.05, -0.04, …, 0.05 (11 values).
    let returns = series(&[0.05, -0.05, 0.04, -0.04, 0.03, -0.03, 0.02, -0.02, 0.01, -0.01, 0.0]);
    // 95 %: h = 10 × 0.05 = 0.5, so g = 0.5 and b - (b - a)(1 - g).
    close(value_at_risk(&returns, 0.05).unwrap(), -0.045);
    // 99 %: h = 0.1, a + (b - a) × 0.1.
    close(value_at_risk(&returns, 0.01).unwrap(), -0.049);
    close(value_at_risk(&returns, 0.5).unwrap(), 0.0);
    close(value_at_risk(&returns, 1.0).unwrap(), 0.05);
    // CVaR: the ⌊10 × c⌋ + 1 lowest returns.
    close(conditional_value_at_risk(&returns, 0.05).unwrap(), -0.05);
    close(conditional_value_at_risk(&returns, 0.1).unwrap(), -0.045);
    close(conditional_value_at_risk(&returns, 0.25).unwrap(), -0.04);
    assert_eq!(value_at_risk(&returns, 1.5), Err(Unavailable::InvalidCutoff));
    assert_eq!(conditional_value_at_risk(&returns, -0.1), Err(Unavailable::InvalidCutoff));
    assert_eq!(value_at_risk(&series(&[]), 0.05), Err(Unavailable::TooFewReturns { needed: 1, got: 0 }));
}

#[test]
fn max_drawdown_finds_peak_trough_and_recovery() {
    let returns = ReturnSeries::from_closes(&[100.0, 120.0, 90.0, 60.0, 130.0, 110.0]).unwrap();
    let drawdown = max_drawdown(&returns).unwrap();
    close(drawdown.depth, -0.5);
    assert_eq!(drawdown.episode, Some(DrawdownEpisode { peak: 1, trough: 3, recovery: Some(4) }));

    let unrecovered = ReturnSeries::from_closes(&[100.0, 80.0, 90.0]).unwrap();
    let drawdown = max_drawdown(&unrecovered).unwrap();
    close(drawdown.depth, -0.2);
    assert_eq!(drawdown.episode, Some(DrawdownEpisode { peak: 0, trough: 1, recovery: None }));

    // The peak is the last time at the running maximum before the trough.
    let flat_top = ReturnSeries::from_closes(&[100.0, 120.0, 120.0, 60.0, 60.0]).unwrap();
    assert_eq!(max_drawdown(&flat_top).unwrap().episode, Some(DrawdownEpisode { peak: 2, trough: 3, recovery: None }));

    let rising = series(&[0.1, 0.0, 0.2]);
    assert_eq!(max_drawdown(&rising).unwrap().depth, 0.0);
    assert_eq!(max_drawdown(&rising).unwrap().episode, None);
    assert_eq!(max_drawdown(&series(&[-1.0, 0.5])).unwrap().depth, -1.0);
    assert_eq!(max_drawdown(&series(&[1e300, 1e300, -1.0])), Err(Unavailable::NotFinite), "the value overflows");
}

#[test]
fn skew_and_kurtosis_are_scipys_biased_defaults() {
    let symmetric = series(&[-0.01, 0.0, 0.01]);
    close(skewness(&symmetric).unwrap(), 0.0);
    // m2 = m4 = 2/3 in units of 0.01: 1.5 - 3.
    close(excess_kurtosis(&symmetric).unwrap(), -1.5);
    // 0, 0, 0, 1: mean 1/4, m2 = 3/16, m3 = 3/32: skew = (3/32) / (3/16)^1.5.
    let skewed = series(&[0.0, 0.0, 0.0, 1.0]);
    close(skewness(&skewed).unwrap(), (3.0 / 32.0) / (3.0_f64 / 16.0).powf(1.5));
    assert_eq!(skewness(&series(&[0.02; 4])), Err(Unavailable::ZeroVariance));
    assert_eq!(excess_kurtosis(&series(&[0.02])), Err(Unavailable::TooFewReturns { needed: 2, got: 1 }));
}

#[test]
fn beta_alpha_and_correlation_against_a_benchmark() {
    let benchmark = [0.01, -0.02, 0.03, 0.0];
    let doubled: Vec<f64> = benchmark.iter().map(|b| 2.0 * b + 0.001).collect();
    let pair = PairedReturns::new(series(&doubled), series(&benchmark)).unwrap();
    close(beta(&pair).unwrap(), 2.0);
    close(correlation(&pair).unwrap(), 1.0);
    close(alpha(&pair, Rate::ZERO, periods(12.0)).unwrap(), 1.001_f64.powi(12) - 1.0);
    // With a risk-free rate rf: mean((r - rf) - 2 (b - rf)) = 0.001 + rf.
    close(alpha(&pair, Rate::PerPeriod(0.002), periods(12.0)).unwrap(), 1.003_f64.powi(12) - 1.0);

    let opposite: Vec<f64> = benchmark.iter().map(|b| -b).collect();
    let pair = PairedReturns::new(series(&opposite), series(&benchmark)).unwrap();
    close(correlation(&pair).unwrap(), -1.0);

    let flat = PairedReturns::new(series(&benchmark), series(&[0.01; 4])).unwrap();
    assert_eq!(beta(&flat), Err(Unavailable::ZeroBenchmarkVariance));
    assert_eq!(correlation(&flat), Err(Unavailable::ZeroBenchmarkVariance));
    let flat_asset = PairedReturns::new(series(&[0.01; 4]), series(&benchmark)).unwrap();
    assert_eq!(correlation(&flat_asset), Err(Unavailable::ZeroVariance));
    close(beta(&flat_asset).unwrap(), 0.0);
    let one = PairedReturns::new(series(&[0.01]), series(&[0.02])).unwrap();
    let report = BenchmarkReport::compute(&one, &RiskConfig::default());
    assert_eq!(report.beta, Err(Unavailable::TooFewReturns { needed: 2, got: 1 }));
    assert_eq!(report.alpha, report.beta);
}

#[test]
fn an_empty_series_has_reasons_for_everything() {
    let report = RiskReport::compute(&series(&[]), &RiskConfig::default());
    assert_eq!(report.returns, 0);
    let too_few = |needed| Err(Unavailable::TooFewReturns { needed, got: 0 });
    for metric in [report.annual_volatility, report.sharpe, report.sortino, report.skew, report.kurtosis] {
        assert_eq!(metric, too_few(2));
    }
    for metric in [report.cagr, report.downside_risk, report.var_95, report.var_99, report.cvar_95, report.cvar_99] {
        assert_eq!(metric, too_few(1));
    }
    assert_eq!(report.max_drawdown, Err(Unavailable::TooFewReturns { needed: 1, got: 0 }));
    assert_eq!(Unavailable::TooFewReturns { needed: 2, got: 0 }.to_string(), "needs at least 2 returns, has 0");
}
