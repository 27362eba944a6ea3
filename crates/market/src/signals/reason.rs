//! Reasons, kept as values and put into words only when shown: a history
//! of thousands of signals costs no text until it is read.

use std::fmt;

use serde::{Serialize, Serializer};

use super::When;

/// A named value a rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// `EMA n`.
    Ema(usize),
    /// `SMA n`.
    Sma(usize),
    /// `RSI n`.
    Rsi(usize),
    /// `MACD`.
    Macd,
    /// `its signal line` (of MACD).
    MacdSignal,
    /// `close`.
    Close,
    /// `Bollinger(n,k)`.
    Bollinger(usize, u32),
    /// Any fixed name.
    Named(&'static str),
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Ema(n) => write!(f, "EMA {n}"),
            Label::Sma(n) => write!(f, "SMA {n}"),
            Label::Rsi(n) => write!(f, "RSI {n}"),
            Label::Macd => f.write_str("MACD"),
            Label::MacdSignal => f.write_str("its signal line"),
            Label::Close => f.write_str("close"),
            Label::Bollinger(n, k) => write!(f, "Bollinger({n},{k})"),
            Label::Named(name) => f.write_str(name),
        }
    }
}

/// Why a rule says what it says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// The named values are not defined yet.
    WarmingUp(Label, Option<Label>),
    /// `a` equals `b`.
    Equal(Label, Label),
    /// `a` crossed above (or below) `b` at this candle.
    Crossed { a: Label, b: Label, above: bool, at: i64 },
    /// `a` is above (below) `b` since it crossed at `since`.
    Since { a: Label, b: Label, above: bool, since: i64 },
    /// `a` is above (below) `b`, with no cross seen.
    Side { a: Label, b: Label, above: bool },
    /// An oscillator below its low level.
    Oversold { name: Label, value: f64, level: f64, at: i64 },
    /// An oscillator above its high level.
    Overbought { name: Label, value: f64, level: f64, at: i64 },
    /// An oscillator crossed back over a level.
    CrossedLevel { name: Label, level: f64, up: bool, at: i64 },
    /// An oscillator between its levels.
    Between { name: Label, value: f64, low: f64, high: f64 },
    /// The close broke out of a band.
    BrokeOut { name: Label, close: f64, band: f64, up: bool, at: i64 },
    /// The close is inside the bands.
    Inside(Label),
    /// The combined score.
    Score(f64),
    /// No rule has a view.
    NoView,
}

impl Reason {
    /// Whether this says the rule has no value yet.
    pub fn is_warming_up(&self) -> bool {
        matches!(self, Reason::WarmingUp(..))
    }
}

fn side(above: bool) -> &'static str {
    if above { "above" } else { "below" }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reason::WarmingUp(a, None) => write!(f, "{a} is still warming up"),
            Reason::WarmingUp(a, Some(b)) => write!(f, "{a} and {b} are still warming up"),
            Reason::Equal(a, b) => write!(f, "{a} equals {b}"),
            Reason::Crossed { a, b, above, at } => write!(f, "{a} crossed {} {b} at {}", side(above), When(at)),
            Reason::Since { a, b, above, since } => {
                write!(f, "{a} {} {b} since it crossed at {}", side(above), When(since))
            }
            Reason::Side { a, b, above } => write!(f, "{a} {} {b}", side(above)),
            Reason::Oversold { name, value, level, at } => {
                write!(f, "{name} at {value:.1}, below {level} (oversold) at {}", When(at))
            }
            Reason::Overbought { name, value, level, at } => {
                write!(f, "{name} at {value:.1}, above {level} (overbought) at {}", When(at))
            }
            Reason::CrossedLevel { name, level, up, at } => {
                write!(f, "{name} crossed {} {level} at {}", side(up), When(at))
            }
            Reason::Between { name, value, low, high } => write!(f, "{name} at {value:.1}, between {low} and {high}"),
            Reason::BrokeOut { name, close, band, up, at } => {
                let which = if up { "upper" } else { "lower" };
                write!(f, "close {close} broke {} the {which} {name} band ({band:.2}) at {}", side(up), When(at))
            }
            Reason::Inside(name) => write!(f, "close inside the {name} bands"),
            Reason::Score(score) => write!(f, "combined score {score:+.1}"),
            Reason::NoView => f.write_str("no rule has a view"),
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
