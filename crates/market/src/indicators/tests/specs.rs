//! The spec parser: examples, defaults, error messages, and properties
//! (Display → parse round trip, no panic on any text).

use proptest::prelude::*;

use super::streaming::spec_strategy;
use crate::indicators::{IndicatorSpec, SpecErrorKind};

fn parse(text: &str) -> IndicatorSpec {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn error(text: &str) -> String {
    text.parse::<IndicatorSpec>().expect_err(text).to_string()
}

#[test]
fn parses_the_api_example() {
    let specs = IndicatorSpec::parse_list("rsi(14),macd(12,26,9),bbands(20,2),ema(50)").unwrap();
    assert_eq!(
        specs,
        [
            IndicatorSpec::Rsi { period: 14 },
            IndicatorSpec::Macd { fast: 12, slow: 26, signal: 9 },
            IndicatorSpec::Bbands { period: 20, nbdev_up: 2.0, nbdev_down: 2.0 },
            IndicatorSpec::Ema { period: 50 },
        ]
    );
    let names: Vec<String> = specs.iter().flat_map(IndicatorSpec::series_names).collect();
    assert_eq!(
        names,
        [
            "rsi(14)",
            "macd(12,26,9).macd",
            "macd(12,26,9).signal",
            "macd(12,26,9).hist",
            "bbands(20,2).upper",
            "bbands(20,2).middle",
            "bbands(20,2).lower",
            "ema(50)",
        ]
    );
}

#[test]
fn omitted_parameters_take_talib_defaults() {
    let defaults = [
        ("sma", "sma(30)"),
        ("ema", "ema(30)"),
        ("wma()", "wma(30)"),
        ("rsi", "rsi(14)"),
        ("macd", "macd(12,26,9)"),
        ("bbands", "bbands(20,2)"),
        ("bbands(10)", "bbands(10,2)"),
        ("stddev", "stddev(5,1)"),
        ("stddev(20)", "stddev(20,1)"),
        ("atr", "atr(14)"),
        ("trange", "trange"),
        ("stoch", "stoch(5,3,3)"),
        ("obv()", "obv"),
        ("adx", "adx(14)"),
        ("roc", "roc(10)"),
    ];
    for (text, canonical) in defaults {
        assert_eq!(parse(text).to_string(), canonical, "{text}");
    }
}

#[test]
fn accepts_case_spaces_and_decimal_multipliers() {
    assert_eq!(parse(" RSI ( 7 ) "), IndicatorSpec::Rsi { period: 7 });
    assert_eq!(parse("bbands(20, 2.5, 1.5)").to_string(), "bbands(20,2.5,1.5)");
    assert_eq!(parse("bbands(20,2,2)").to_string(), "bbands(20,2)");
    assert_eq!(parse("stddev(10,-1)").to_string(), "stddev(10,-1)");
    assert_eq!(parse("macd(26,12,9)").to_string(), "macd(26,12,9)");
}

#[test]
fn errors_name_the_indicator_and_the_reason() {
    assert_eq!(error("macd(12,26)"), "macd: expected 3 parameters (fast, slow, signal), got 2");
    assert_eq!(error("rsi(0)"), "rsi(0): period must be from 2 to 100000");
    assert_eq!(error("sma(1)"), "sma(1): period must be from 2 to 100000");
    assert_eq!(error("atr(0)"), "atr(0): period must be from 1 to 100000");
    assert_eq!(error("ema(100001)"), "ema(100001): period must be from 2 to 100000");
    assert_eq!(error("ema(99999999999999999999999)"), "ema(99999999999999999999999): period must be from 2 to 100000");
    assert_eq!(error("stoch(5,0,3)"), "stoch(5,0,3): slowk must be from 1 to 100000");
    assert_eq!(error("rsi(14.5)"), "rsi(14.5): period must be a whole number");
    assert_eq!(error("bbands(20,x)"), "bbands(20,x): nbdev must be a number");
    assert_eq!(error("bbands(20,inf)"), "bbands(20,inf): nbdev must be a number");
    assert_eq!(error("bbands(20,1e38)"), "bbands(20,1e38): nbdev must be a number from -3e37 to 3e37");
    assert_eq!(error("rsi(14"), "rsi(14: missing ')'");
    assert_eq!(error("rsi(14)x"), "rsi(14)x: text after ')'");
    assert_eq!(error("rsi(1,2)"), "rsi: expected at most 1 parameter (period), got 2");
    assert_eq!(error("obv(3)"), "obv: expected no parameters, got 1");
    assert!(error("foo(3)").starts_with("foo(3): unknown indicator (known: sma, ema"));
    assert_eq!(error(""), "empty indicator spec");
    let long = format!("sma({})", "9".repeat(60));
    assert!(error(&long).contains('…'), "long specs are shortened in errors");
    let list = IndicatorSpec::parse_list("rsi(14),,ema").unwrap_err();
    assert_eq!(list.kind(), &SpecErrorKind::Empty);
    assert_eq!(IndicatorSpec::parse_list("rsi(14)),ema").unwrap_err().kind(), &SpecErrorKind::UnbalancedClose);
}

#[test]
fn lookbacks_match_the_outputs() {
    assert_eq!(parse("macd").lookback(), 33);
    assert_eq!(parse("adx(14)").lookbacks(), [27, 14, 14]);
    assert_eq!(parse("stoch").lookbacks(), [8, 8]);
    assert_eq!(parse("atr(1)").lookback(), 1);
    assert_eq!(parse("obv").lookback(), 0);
}

proptest! {
    #[test]
    fn display_parses_back(spec in spec_strategy(), period in 2usize..=100_000) {
        let text = spec.to_string();
        prop_assert_eq!(text.parse::<IndicatorSpec>().unwrap(), spec);
        let wide = IndicatorSpec::Ema { period };
        prop_assert_eq!(wide.to_string().parse::<IndicatorSpec>().unwrap(), wide);
    }

    #[test]
    fn list_display_parses_back(specs in prop::collection::vec(spec_strategy(), 1..6)) {
        let text = specs.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        prop_assert_eq!(IndicatorSpec::parse_list(&text).unwrap(), specs);
    }

    #[test]
    fn random_text_never_panics(text in ".{0,40}", shaped in "[a-zA-Z]{0,8}\\(?[0-9.,eE+\\- ()a-z]{0,16}\\)?") {
        let _ = text.parse::<IndicatorSpec>();
        let _ = IndicatorSpec::parse_list(&text);
        if let Ok(spec) = shaped.parse::<IndicatorSpec>() {
            prop_assert!(spec.validate().is_ok());
            prop_assert_eq!(spec.to_string().parse::<IndicatorSpec>().unwrap(), spec);
        }
        let _ = IndicatorSpec::parse_list(&shaped);
    }
}
