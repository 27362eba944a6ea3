//! Trading signals: explainable rules over indicators, their history, and
//! honest backtests.
//!
//! Every rule reads only candles up to the one it speaks for, so a signal
//! never changes when later candles arrive (no look-ahead), and its
//! reasons say which values crossed what, when.
//!
//! | strategy | family | bullish when | bearish when | strength |
//! | --- | --- | --- | --- | --- |
//! | `ema_cross(f,s)` | trend | EMA f above EMA s | EMA f below EMA s | the gap, 5 % of price = 100 |
//! | `trend_sma(p)` | trend | close above SMA p | close below SMA p | the gap, 10 % of price = 100 |
//! | `rsi(p,lo,hi)` | momentum | RSI below lo (oversold) | RSI above hi (overbought) | how far past the level, 20 points = 100 |
//! | `macd(f,s,g)` | momentum | MACD above its signal line | MACD below it | the gap, 1 % of price = 100 |
//! | `bollinger(p,k)` | volatility breakout | close above the upper band | close below the lower band | how far outside, half a band width = 100 |
//! | `combined` | all | weighted score above +10 | below −10 | the absolute score |
//!
//! The combined score is Σ wᵢ·sᵢ·dᵢ over the rules with a value (d = +1
//! bullish, −1 bearish, 0 neutral; s the rule's strength), divided by the
//! sum of those rules' weights: `ema_cross(12,26)` 0.25, `trend_sma(200)`
//! 0.25, `rsi(14)` 0.15, `macd(12,26,9)` 0.2, `bollinger(20,2)` 0.15. Rules
//! still warming up are left out of both sums.

mod backtest;
mod reason;
mod rules;
mod strategies;

use std::fmt;

use serde::Serialize;

pub use backtest::{BacktestStats, backtest};
pub use reason::{Label, Reason};
pub use rules::{above_level, bands, combine, crossover};
pub use strategies::{STRATEGIES, SignalSet, Strategy, evaluate_all};

/// Which way a signal points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Expect a rise.
    Bullish,
    /// Expect a fall.
    Bearish,
    /// No view, or not enough data yet.
    Neutral,
}

impl Direction {
    /// +1, −1 or 0.
    pub fn sign(self) -> f64 {
        match self {
            Direction::Bullish => 1.0,
            Direction::Bearish => -1.0,
            Direction::Neutral => 0.0,
        }
    }
}

/// One rule's view at one candle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    /// The open time of the candle it was generated at (Unix ms).
    pub at: i64,
    /// The view.
    pub direction: Direction,
    /// How strong, from 0 to 100.
    pub strength: f64,
    /// Why; each reason reads as words (`RSI 14 crossed above 30 at
    /// 2024-03-02`) through `Display`.
    pub reasons: Vec<Reason>,
}

impl Signal {
    fn neutral(at: i64, reason: Reason) -> Signal {
        Signal { at, direction: Direction::Neutral, strength: 0.0, reasons: vec![reason] }
    }
}

/// A time in reasons: the date at midnight UTC, else date and minute.
pub(crate) struct When(pub(crate) i64);

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = altgate_protocol::Timestamp::from_millis(self.0).to_string();
        match text.split_once('T') {
            Some((date, time)) if time.starts_with("00:00:00") => f.write_str(date),
            Some((date, time)) => write!(f, "{date} {} UTC", time.get(..5).unwrap_or(time)),
            None => f.write_str(&text),
        }
    }
}

#[cfg(test)]
mod tests;
