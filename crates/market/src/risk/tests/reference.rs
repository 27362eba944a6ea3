//! The metrics against `crates/market/tests/reference/risk_reference.toml`,
//! which `generate_risk.py` beside it computed with empyrical (and scipy
//! and numpy) from the real series under `shared/data/prices/`.
//!
//! Every metric must agree within 1e-9 relative (1e-12 absolute for values
//! near zero); the interpolation of the value at risk is numpy's, so it
//! gets no wider tolerance.

use std::collections::HashMap;

use serde::Deserialize;

use super::super::{
    BenchmarkReport, DatedReturns, Metric, PeriodsPerYear, Rate, RiskConfig, RiskReport, annual_volatility, beta, cagr,
    conditional_value_at_risk, correlation, max_drawdown, sharpe_ratio, value_at_risk,
};
use crate::import::{ImportOptions, parse};

const REFERENCE: &str = include_str!("../../../tests/reference/risk_reference.toml");
const RELATIVE: f64 = 1e-9;
const ABSOLUTE: f64 = 1e-12;

#[derive(Deserialize)]
struct Reference {
    meta: HashMap<String, String>,
    series: Vec<SeriesCase>,
    benchmark: Vec<BenchmarkCase>,
}

#[derive(Deserialize)]
struct SeriesCase {
    name: String,
    file: String,
    symbol: String,
    periods_per_year: f64,
    window: usize,
    risk_free: f64,
    required_return: f64,
    returns: usize,
    first_return: String,
    last_return: String,
    annual_volatility: f64,
    cagr: f64,
    sharpe: f64,
    sortino: f64,
    downside_risk: f64,
    max_drawdown: f64,
    var_95: f64,
    var_99: f64,
    cvar_95: f64,
    cvar_99: f64,
    skew: f64,
    kurtosis: f64,
    drawdown_peak: Option<usize>,
    drawdown_trough: Option<usize>,
    drawdown_recovery: Option<usize>,
}

#[derive(Deserialize)]
struct BenchmarkCase {
    name: String,
    asset_file: String,
    asset_symbol: String,
    benchmark_file: String,
    benchmark_symbol: String,
    periods_per_year: f64,
    window: usize,
    risk_free: f64,
    returns: usize,
    first_return: String,
    last_return: String,
    beta: f64,
    alpha: f64,
    correlation: f64,
}

fn reference() -> Reference {
    toml::from_str(REFERENCE).expect("the reference file parses")
}

/// The bytes of a shared price file (see [`crate::shared_data::read`]).
fn shared(path: &str) -> Option<Vec<u8>> {
    crate::shared_data::read(&format!("prices/{path}"))
}

/// The dated returns of one asset of a shared file. Single-asset files
/// ignore the symbol.
fn returns_of(path: &str, symbol: &str) -> Option<DatedReturns> {
    let bytes = shared(path)?;
    let parsed = parse(&bytes, &ImportOptions { interval: None, symbol: Some(symbol.to_owned()) })
        .unwrap_or_else(|error| panic!("{path}: {error}"));
    assert!(parsed.rejected.is_empty(), "{path}: {:?}", parsed.rejected.first());
    Some(DatedReturns::from_candles(&parsed.candles).expect("candles make returns"))
}

/// Unix milliseconds of `YYYY-MM-DDTHH:MM:SSZ`.
fn millis(text: &str) -> i64 {
    let field = |range: std::ops::Range<usize>| text[range].parse::<i64>().expect("a number");
    let (year, month, day) = (field(0..4), field(5..7), field(8..10));
    let (hour, minute, second) = (field(11..13), field(14..16), field(17..19));
    // Days since 1970-01-01 of a proleptic Gregorian date, with March as the
    // first month so that the leap day ends the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000
}

/// The largest relative error seen per metric.
#[derive(Default)]
struct Errors(HashMap<&'static str, f64>);

impl Errors {
    fn check(&mut self, case: &str, metric: &'static str, got: Metric, want: f64) {
        if want.is_nan() {
            assert!(got.is_err(), "{case} {metric}: empyrical has none, got {got:?}");
            return;
        }
        let got = got.unwrap_or_else(|reason| panic!("{case} {metric}: want {want}, unavailable: {reason}"));
        let error = (got - want).abs();
        let relative = error / want.abs().max(f64::MIN_POSITIVE);
        assert!(
            error <= ABSOLUTE || relative <= RELATIVE,
            "{case} {metric}: got {got}, want {want} (relative error {relative:e})"
        );
        let worst = self.0.entry(metric).or_default();
        *worst = worst.max(relative);
    }

    fn print(&self) {
        let mut rows: Vec<_> = self.0.iter().collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        for (metric, worst) in rows {
            println!("max relative error {metric}: {worst:e}");
        }
    }
}

#[test]
fn the_reference_records_its_generator_and_library_versions() {
    let reference = reference();
    for key in ["generator", "python", "empyrical_reloaded", "numpy", "pandas", "scipy"] {
        assert!(reference.meta.get(key).is_some_and(|v| !v.is_empty()), "meta.{key}");
    }
    assert!(reference.series.len() >= 6 && reference.benchmark.len() >= 4);
}

#[test]
fn series_metrics_match_empyrical() {
    let mut errors = Errors::default();
    for case in reference().series {
        let Some(dated) = returns_of(&case.file, &case.symbol) else { return };
        let dated = if case.window == 0 { dated } else { dated.last(case.window) };
        assert_eq!(dated.len(), case.returns, "{}", case.name);
        assert_eq!(dated.times().first(), Some(&millis(&case.first_return)), "{}", case.name);
        assert_eq!(dated.times().last(), Some(&millis(&case.last_return)), "{}", case.name);
        let periods = PeriodsPerYear::new(case.periods_per_year).expect("positive");
        let config = RiskConfig {
            periods_per_year: periods,
            risk_free: Rate::PerPeriod(case.risk_free),
            required_return: Rate::PerPeriod(case.required_return),
        };
        let returns = dated.returns();
        let report = RiskReport::compute(returns, &config);
        let name = case.name.as_str();
        errors.check(name, "annual_volatility", report.annual_volatility, case.annual_volatility);
        errors.check(name, "cagr", report.cagr, case.cagr);
        errors.check(name, "sharpe", report.sharpe, case.sharpe);
        errors.check(name, "sortino", report.sortino, case.sortino);
        errors.check(name, "downside_risk", report.downside_risk, case.downside_risk);
        errors.check(name, "max_drawdown", report.max_drawdown.map(|d| d.depth), case.max_drawdown);
        errors.check(name, "var_95", report.var_95, case.var_95);
        errors.check(name, "var_99", report.var_99, case.var_99);
        errors.check(name, "cvar_95", report.cvar_95, case.cvar_95);
        errors.check(name, "cvar_99", report.cvar_99, case.cvar_99);
        errors.check(name, "skew", report.skew, case.skew);
        errors.check(name, "kurtosis", report.kurtosis, case.kurtosis);

        let episode = report.max_drawdown.expect("a drawdown").episode;
        assert_eq!(episode.map(|e| e.peak), case.drawdown_peak, "{name} peak");
        assert_eq!(episode.map(|e| e.trough), case.drawdown_trough, "{name} trough");
        assert_eq!(episode.and_then(|e| e.recovery), case.drawdown_recovery, "{name} recovery");

        // The single-metric functions agree with the report.
        assert_eq!(annual_volatility(returns, periods), report.annual_volatility, "{name}");
        assert_eq!(cagr(returns, periods), report.cagr, "{name}");
        assert_eq!(sharpe_ratio(returns, config.risk_free, periods), report.sharpe, "{name}");
        assert_eq!(max_drawdown(returns), report.max_drawdown, "{name}");
        assert_eq!(value_at_risk(returns, 0.01), report.var_99, "{name}");
        assert_eq!(conditional_value_at_risk(returns, 0.05), report.cvar_95, "{name}");
    }
    errors.print();
}

#[test]
fn benchmark_metrics_match_empyrical() {
    let mut errors = Errors::default();
    for case in reference().benchmark {
        let Some(asset) = returns_of(&case.asset_file, &case.asset_symbol) else { return };
        let Some(benchmark) = returns_of(&case.benchmark_file, &case.benchmark_symbol) else { return };
        let pair = asset.pair_with(&benchmark);
        let pair = if case.window == 0 { pair } else { pair.last(case.window) };
        assert_eq!(pair.len(), case.returns, "{}", case.name);
        let common: Vec<i64> = asset.times().iter().filter(|t| benchmark.times().contains(t)).copied().collect();
        let common = &common[common.len() - case.returns..];
        assert_eq!(common.first(), Some(&millis(&case.first_return)), "{}", case.name);
        assert_eq!(common.last(), Some(&millis(&case.last_return)), "{}", case.name);
        let config = RiskConfig {
            periods_per_year: PeriodsPerYear::new(case.periods_per_year).expect("positive"),
            risk_free: Rate::PerPeriod(case.risk_free),
            required_return: Rate::ZERO,
        };
        let report = BenchmarkReport::compute(&pair, &config);
        let name = case.name.as_str();
        errors.check(name, "beta", report.beta, case.beta);
        errors.check(name, "alpha", report.alpha, case.alpha);
        errors.check(name, "correlation", report.correlation, case.correlation);
        assert_eq!(beta(&pair), report.beta, "{name}");
        assert_eq!(correlation(&pair), report.correlation, "{name}");
    }
    errors.print();
}
