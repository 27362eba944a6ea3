//! Every point of the full-series outputs TA-Lib computed
//! (`talib_generated/`, see its `generate.py`): on TA-Lib's 252-bar
//! regression series and on 1770 Coinbase BTC-USD daily bars, within 1e-9
//! relative error.

use super::data::{Table, compare, read};
use crate::indicators::{atr, bbands, ema, macd, rsi, sma, stddev, trange};

const TOLERANCE: f64 = 1e-9;

fn check_file(file: &str) {
    let Some(text) = read(&format!("talib_generated/{file}")) else { return };
    let table = Table::parse(&text);
    let (high, low, close) = (table.column("high"), table.column("low"), table.column("close"));
    let mut report = Vec::new();
    let mut check = |column: &str, ours: crate::indicators::Series| {
        let (worst, identical) = compare(&format!("{file} {column}"), &ours, &table.optional(column), TOLERANCE);
        report.push(format!("{column}: max rel err {worst:.2e}, {identical}/{} bit-identical", ours.values().len()));
    };
    check("SMA_20", sma(&close, 20).unwrap());
    check("SMA_30", sma(&close, 30).unwrap());
    check("EMA_12", ema(&close, 12).unwrap());
    check("EMA_20", ema(&close, 20).unwrap());
    check("EMA_26", ema(&close, 26).unwrap());
    check("RSI_14", rsi(&close, 14).unwrap());
    let out = macd(&close, 12, 26, 9).unwrap();
    check("MACD_12_26_9", out.macd);
    check("MACDsignal_12_26_9", out.signal);
    check("MACDhist_12_26_9", out.hist);
    let bands = bbands(&close, 20, 2.0, 2.0).unwrap();
    check("BBupper_20_2", bands.upper);
    check("BBmiddle_20_2", bands.middle);
    check("BBlower_20_2", bands.lower);
    check("TRANGE", trange(&high, &low, &close).unwrap());
    check("ATR_14", atr(&high, &low, &close, 14).unwrap());
    check("STDDEV_20_1", stddev(&close, 20, 1.0).unwrap());
    println!("{file} ({} bars):\n  {}", table.len(), report.join("\n  "));
}

#[test]
fn every_point_of_the_252_bar_regression_series() {
    check_file("talib_outputs_on_ta_regtest_252bars.csv");
}

#[test]
fn every_point_of_coinbase_btcusd_daily() {
    check_file("talib_outputs_on_coinbase_btcusd_daily.csv");
}
