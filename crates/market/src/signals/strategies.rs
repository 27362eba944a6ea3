//! The documented strategies, over closes.

use serde::Serialize;

use super::{Label, Signal, above_level, bands, combine, crossover};
use crate::indicators::{self, IndicatorError};

/// A strategy and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum Strategy {
    /// Fast EMA against slow EMA.
    EmaCross {
        /// The fast period.
        fast: usize,
        /// The slow period.
        slow: usize,
    },
    /// Close against its long SMA.
    TrendSma {
        /// The SMA period.
        period: usize,
    },
    /// RSI against oversold and overbought levels.
    Rsi {
        /// The RSI period.
        period: usize,
    },
    /// MACD against its signal line.
    Macd {
        /// The fast EMA period.
        fast: usize,
        /// The slow EMA period.
        slow: usize,
        /// The signal EMA period.
        signal: usize,
    },
    /// Close breaking out of Bollinger Bands.
    Bollinger {
        /// The SMA period.
        period: usize,
        /// The band width in standard deviations (whole number).
        k: u32,
    },
}

/// The documented set, in the order the combined signal weighs them, with
/// their weights.
pub const STRATEGIES: [(Strategy, f64); 5] = [
    (Strategy::EmaCross { fast: 12, slow: 26 }, 0.25),
    (Strategy::TrendSma { period: 200 }, 0.25),
    (Strategy::Rsi { period: 14 }, 0.15),
    (Strategy::Macd { fast: 12, slow: 26, signal: 9 }, 0.2),
    (Strategy::Bollinger { period: 20, k: 2 }, 0.15),
];

impl Strategy {
    /// The strategy's name on the wire: `ema_cross(12,26)`, `rsi(14)`…
    pub fn name(&self) -> String {
        match *self {
            Strategy::EmaCross { fast, slow } => format!("ema_cross({fast},{slow})"),
            Strategy::TrendSma { period } => format!("trend_sma({period})"),
            Strategy::Rsi { period } => format!("rsi({period})"),
            Strategy::Macd { fast, slow, signal } => format!("macd({fast},{slow},{signal})"),
            Strategy::Bollinger { period, k } => format!("bollinger({period},{k})"),
        }
    }

    /// The signal at every candle (`times` and `closes` aligned, oldest
    /// first).
    pub fn evaluate(&self, times: &[i64], closes: &[f64]) -> Result<Vec<Signal>, IndicatorError> {
        Ok(match *self {
            Strategy::EmaCross { fast, slow } => {
                let (a, b) = (indicators::ema(closes, fast)?.to_vec(), indicators::ema(closes, slow)?.to_vec());
                crossover(times, closes, &a, &b, (Label::Ema(fast), Label::Ema(slow)), 0.05)
            }
            Strategy::TrendSma { period } => {
                let price: Vec<Option<f64>> = closes.iter().map(|c| Some(*c)).collect();
                let sma = indicators::sma(closes, period)?.to_vec();
                crossover(times, closes, &price, &sma, (Label::Close, Label::Sma(period)), 0.10)
            }
            Strategy::Rsi { period } => {
                let rsi = indicators::rsi(closes, period)?.to_vec();
                above_level(times, &rsi, Label::Rsi(period), (30.0, 70.0), 20.0)
            }
            Strategy::Macd { fast, slow, signal } => {
                let out = indicators::macd(closes, fast, slow, signal)?;
                let labels = (Label::Macd, Label::MacdSignal);
                crossover(times, closes, &out.macd.to_vec(), &out.signal.to_vec(), labels, 0.01)
            }
            Strategy::Bollinger { period, k } => {
                let out = indicators::bbands(closes, period, f64::from(k), f64::from(k))?;
                bands(times, closes, &out.upper.to_vec(), &out.lower.to_vec(), Label::Bollinger(period, k))
            }
        })
    }
}

/// Every strategy of [`STRATEGIES`] and their combination, at every candle.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalSet {
    /// Each strategy with its signals.
    pub strategies: Vec<(Strategy, Vec<Signal>)>,
    /// The weighted combination.
    pub combined: Vec<Signal>,
}

/// Evaluates every documented strategy and their combination.
pub fn evaluate_all(times: &[i64], closes: &[f64]) -> Result<SignalSet, IndicatorError> {
    let strategies = STRATEGIES
        .iter()
        .map(|(strategy, _)| Ok((*strategy, strategy.evaluate(times, closes)?)))
        .collect::<Result<Vec<_>, IndicatorError>>()?;
    let weighted: Vec<(&[Signal], f64)> =
        strategies.iter().zip(STRATEGIES).map(|((_, signals), (_, w))| (signals.as_slice(), w)).collect();
    let combined = combine(&weighted, times);
    Ok(SignalSet { strategies, combined })
}
