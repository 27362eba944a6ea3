//! TA-Lib 0.4.0's regression expectations (`src/tools/ta_regtest/
//! ta_test_func/test_{ma,rsi,macd,bbands,trange,stoch,adx,mom,stddev}.c`)
//! on its 252-bar reference series (`talib_generated/
//! ta_regtest_252bars_input.csv`, parsed from `test_data.c`). Each
//! expectation is (output index counted from the first defined output,
//! value as printed in the test); it must hold within 0.01, the tolerance of
//! TA-Lib's own harness (`checkExpectedValue`: `TA_REAL_EQ(expected, value,
//! 0.01)`), and the first defined output must be at the expected `begIdx`.
//! (These are loose checks of definitions, seeds and alignment; the
//! full-series comparisons of `talib_generated.rs` are the tight ones.)

use super::data::{Table, read};
use crate::indicators::{Series, adx, atr, bbands, ema, macd, roc, rsi, sma, stddev, stoch, trange, wma};

struct Bars {
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
}

fn bars() -> Option<Bars> {
    let table = Table::parse(&read("talib_generated/ta_regtest_252bars_input.csv")?);
    assert_eq!(table.len(), 252);
    Some(Bars { high: table.column("high"), low: table.column("low"), close: table.column("close") })
}

/// TA-Lib's regression harness tolerance.
const TOLERANCE: f64 = 0.01;

/// Checks `series` against TA-Lib's `(index from begIdx, printed value)`
/// expectations.
fn expect(label: &str, series: &Series, beg_idx: usize, expected: &[(usize, &str)]) {
    assert_eq!(series.len(), 252, "{label}: length");
    assert_eq!(series.warm_up(), beg_idx, "{label}: begIdx");
    for &(out_index, printed) in expected {
        let value: f64 = printed.parse().expect("expected value");
        let ours = series.get(beg_idx + out_index).unwrap_or_else(|| panic!("{label}[{out_index}] undefined"));
        assert!(
            (ours - value).abs() < TOLERANCE,
            "{label}: out[{out_index}] = {ours}, TA-Lib's test expects {printed}"
        );
    }
}

#[test]
fn moving_averages() {
    let Some(b) = bars() else { return };
    let c = &b.close;
    expect("SMA(2)", &sma(c, 2).unwrap(), 1, &[(0, "93.15"), (1, "94.59"), (2, "94.73"), (250, "108.31")]);
    let sma30 = [(0, "90.42"), (1, "90.21"), (2, "89.96"), (29, "87.12"), (221, "107.95"), (222, "108.42")];
    expect("SMA(30)", &sma(c, 30).unwrap(), 29, &sma30);
    expect("WMA(2)", &wma(c, 2).unwrap(), 1, &[(0, "93.71"), (1, "94.52"), (2, "94.85"), (250, "108.16")]);
    let wma30 = [(0, "88.567"), (1, "88.233"), (2, "88.034"), (29, "87.191"), (221, "109.3413"), (222, "109.3466")];
    expect("WMA(30)", &wma(c, 30).unwrap(), 29, &wma30);
    expect("EMA(2)", &ema(c, 2).unwrap(), 1, &[(0, "93.15"), (1, "93.96"), (250, "108.21")]);
    expect("EMA(10)", &ema(c, 10).unwrap(), 9, &[(0, "93.22"), (1, "93.75"), (20, "86.46"), (242, "108.97")]);
}

#[test]
fn rsi_and_roc() {
    let Some(b) = bars() else { return };
    let c = &b.close;
    expect("RSI(14)", &rsi(c, 14).unwrap(), 14, &[(0, "49.14"), (1, "52.32"), (2, "46.07"), (237, "49.63")]);
    let roc14 = [(0, "-0.546"), (1, "-2.109"), (2, "-5.53"), (237, "-1.0367"), (6, "-4.49"), (7, "-5.5256")];
    expect("ROC(14)", &roc(c, 14).unwrap(), 14, &roc14);
}

#[test]
fn macd_including_swapped_periods() {
    let Some(b) = bars() else { return };
    for (fast, slow) in [(12, 26), (26, 12)] {
        let out = macd(&b.close, fast, slow, 9).unwrap();
        let label = format!("MACD({fast},{slow},9)");
        expect(&format!("{label}.macd"), &out.macd, 33, &[(0, "-1.9738")]);
        expect(&format!("{label}.signal"), &out.signal, 33, &[(0, "-2.7071")]);
        expect(&format!("{label}.hist"), &out.hist, 33, &[(0, "0.7333")]);
    }
}

#[test]
fn bollinger_bands_and_stddev() {
    let Some(b) = bars() else { return };
    let out = bbands(&b.close, 20, 2.0, 2.0).unwrap();
    expect("BBANDS.upper", &out.upper, 19, &[(0, "98.0734")]);
    expect("BBANDS.middle", &out.middle, 19, &[(0, "92.8910")]);
    expect("BBANDS.lower", &out.lower, 19, &[(0, "87.7086")]);
    expect("STDDEV(5,1)", &stddev(&b.close, 5, 1.0).unwrap(), 4, &[(0, "1.2856"), (1, "0.4462"), (247, "0.7144")]);
    let nbdev = [(0, "1.9285"), (1, "0.66937"), (247, "1.075")];
    expect("STDDEV(5,1.5)", &stddev(&b.close, 5, 1.5).unwrap(), 4, &nbdev);
}

#[test]
fn true_range_and_atr() {
    let Some(b) = bars() else { return };
    let ranges = [(0, "3.535"), (12, "9.685"), (40, "5.125"), (250, "2.88")];
    expect("TRANGE", &trange(&b.high, &b.low, &b.close).unwrap(), 1, &ranges);
    expect("ATR(1)", &atr(&b.high, &b.low, &b.close, 1).unwrap(), 1, &ranges);
    let atr14 = [(0, "3.578"), (1, "3.4876"), (2, "3.55"), (12, "3.245"), (13, "3.394"), (14, "3.413"), (237, "3.26")];
    expect("ATR(14)", &atr(&b.high, &b.low, &b.close, 14).unwrap(), 14, &atr14);
}

#[test]
fn stochastic() {
    let Some(b) = bars() else { return };
    let out = stoch(&b.high, &b.low, &b.close, 5, 3, 3).unwrap();
    expect("STOCH(5,3,3).slowk", &out.slowk, 8, &[(0, "24.0128"), (243, "30.194")]);
    expect("STOCH(5,3,3).slowd", &out.slowd, 8, &[(0, "36.254"), (243, "43.69")]);
    let out = stoch(&b.high, &b.low, &b.close, 5, 3, 4).unwrap();
    expect("STOCH(5,3,4).slowk", &out.slowk, 9, &[(0, "38.139"), (242, "30.194")]);
    expect("STOCH(5,3,4).slowd", &out.slowd, 9, &[(0, "36.725"), (242, "46.641")]);
}

#[test]
fn adx_and_directional_indicators() {
    let Some(b) = bars() else { return };
    let out = adx(&b.high, &b.low, &b.close, 14).unwrap();
    expect("ADX(14)", &out.adx, 27, &[(0, "23.0000"), (1, "22.0802"), (223, "16.6840"), (224, "15.5260")]);
    let plus = [(0, "20.3781"), (13, "22.1073"), (14, "20.3746"), (237, "21.0000")];
    expect("PLUS_DI(14)", &out.plus_di, 14, &plus);
    expect("MINUS_DI(14)", &out.minus_di, 14, &[(0, "30.1684"), (14, "24.969182"), (237, "21.1988")]);
}
