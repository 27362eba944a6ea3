//! jesse 3.0.7's indicator expectations (`tests/test_indicators.py`, quoted
//! in `indicators/SOURCES.md`) on its real candles (`jesse/test_candles_*.csv`,
//! columns `timestamp, open, close, high, low, volume`). jesse computes
//! these with TA-Lib and rounds the last value: RSI(14) and MACD to 2
//! decimals, ATR and Bollinger Bands to 1.

use super::data::{Candles, Table, read};
use crate::indicators::{Series, atr, bbands, macd, rsi};

fn candles(file: &str) -> Option<Candles> {
    Some(Candles::jesse(&Table::parse(&read(&format!("jesse/{file}"))?)))
}

/// The last value of `series` rounded to `decimals`.
fn rounded(series: &Series, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (series.last().expect("a defined last value") * scale).round() / scale
}

#[test]
fn rsi_on_candles_14() {
    let Some(c) = candles("test_candles_14.csv") else { return };
    assert_eq!(rounded(&rsi(&c.close, 14).unwrap(), 2), 57.84);
}

#[test]
fn atr_on_candles_2() {
    let Some(c) = candles("test_candles_2.csv") else { return };
    assert_eq!(rounded(&atr(&c.high, &c.low, &c.close, 14).unwrap(), 1), 2.8);
}

#[test]
fn bollinger_bands_on_candles_11() {
    let Some(c) = candles("test_candles_11.csv") else { return };
    let out = bbands(&c.close, 20, 2.0, 2.0).unwrap();
    assert_eq!(rounded(&out.upper, 1), 145.8);
    assert_eq!(rounded(&out.middle, 1), 141.2);
    assert_eq!(rounded(&out.lower, 1), 136.7);
}

#[test]
fn macd_on_candles_19() {
    let Some(c) = candles("test_candles_19.csv") else { return };
    let out = macd(&c.close, 12, 26, 9).unwrap();
    assert_eq!(rounded(&out.macd, 2), -15.32);
    assert_eq!(rounded(&out.signal, 2), -4.10);
    assert_eq!(rounded(&out.hist, 2), -11.22);
    // The other columns are read too: the candles are complete.
    assert_eq!(c.open.len(), c.volume.len());
}
