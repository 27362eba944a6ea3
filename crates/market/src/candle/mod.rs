//! Candles: checked OHLCV values and their aggregation into longer intervals.

mod resample;

use std::fmt;

pub use altgate_protocol::Interval;
pub use resample::{Resampler, resample};

/// An OHLCV candle whose values are consistent: prices finite and positive,
/// `low ≤ min(open, close) ≤ max(open, close) ≤ high`, volumes finite and
/// non-negative, and the open time aligned to the candle's interval.
///
/// The interval is not stored in the candle: a candle belongs to a series
/// of one interval, which checked it on construction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candle {
    open_time: i64,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: f64,
    quote_volume: Option<f64>,
    trades: Option<u64>,
}

/// The raw values of a candle, before they are checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandleParts {
    /// The open time, Unix milliseconds.
    pub open_time: i64,
    /// The first price.
    pub open: f64,
    /// The highest price.
    pub high: f64,
    /// The lowest price.
    pub low: f64,
    /// The last price.
    pub close: f64,
    /// The base-asset volume.
    pub volume: f64,
    /// The quote volume, when known.
    pub quote_volume: Option<f64>,
    /// The trade count, when known.
    pub trades: Option<u64>,
}

/// Why values do not make a candle.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CandleError {
    /// A price is NaN, infinite, zero or negative.
    #[error("{field} must be a finite positive price, got {value}")]
    Price {
        /// Which price.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A volume is NaN, infinite or negative.
    #[error("{field} must be finite and not negative, got {value}")]
    Volume {
        /// Which volume.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// The low is above the open or the close.
    #[error("low {low} is above min(open, close) {min}")]
    LowAbove {
        /// The low.
        low: f64,
        /// `min(open, close)`.
        min: f64,
    },
    /// The high is below the open or the close.
    #[error("high {high} is below max(open, close) {max}")]
    HighBelow {
        /// The high.
        high: f64,
        /// `max(open, close)`.
        max: f64,
    },
    /// The open time is not on the interval's grid.
    #[error("open time {open_time} is not aligned to the {interval} grid (nearest earlier {aligned})")]
    Misaligned {
        /// The open time given.
        open_time: i64,
        /// The interval.
        interval: Interval,
        /// The aligned open time before it.
        aligned: i64,
    },
}

fn price(field: &'static str, value: f64) -> Result<f64, CandleError> {
    if value.is_finite() && value > 0.0 { Ok(value) } else { Err(CandleError::Price { field, value }) }
}

fn volume(field: &'static str, value: f64) -> Result<f64, CandleError> {
    if value.is_finite() && value >= 0.0 { Ok(value) } else { Err(CandleError::Volume { field, value }) }
}

impl Candle {
    /// Checks `parts` as a candle of `interval`.
    pub fn new(interval: Interval, parts: CandleParts) -> Result<Candle, CandleError> {
        let open = price("open", parts.open)?;
        let high = price("high", parts.high)?;
        let low = price("low", parts.low)?;
        let close = price("close", parts.close)?;
        let min = open.min(close);
        let max = open.max(close);
        if low > min {
            return Err(CandleError::LowAbove { low, min });
        }
        if high < max {
            return Err(CandleError::HighBelow { high, max });
        }
        let aligned = interval.align(parts.open_time);
        if aligned != parts.open_time {
            return Err(CandleError::Misaligned { open_time: parts.open_time, interval, aligned });
        }
        Ok(Candle {
            open_time: parts.open_time,
            open,
            high,
            low,
            close,
            volume: volume("volume", parts.volume)?,
            quote_volume: parts.quote_volume.map(|v| volume("quote_volume", v)).transpose()?,
            trades: parts.trades,
        })
    }

    /// The open time, Unix milliseconds.
    pub fn open_time(&self) -> i64 {
        self.open_time
    }
    /// The first price.
    pub fn open(&self) -> f64 {
        self.open
    }
    /// The highest price.
    pub fn high(&self) -> f64 {
        self.high
    }
    /// The lowest price.
    pub fn low(&self) -> f64 {
        self.low
    }
    /// The last price.
    pub fn close(&self) -> f64 {
        self.close
    }
    /// The base-asset volume.
    pub fn volume(&self) -> f64 {
        self.volume
    }
    /// The quote volume, when known.
    pub fn quote_volume(&self) -> Option<f64> {
        self.quote_volume
    }
    /// The trade count, when known.
    pub fn trades(&self) -> Option<u64> {
        self.trades
    }

    /// The candle's values.
    pub fn parts(&self) -> CandleParts {
        CandleParts {
            open_time: self.open_time,
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
            quote_volume: self.quote_volume,
            trades: self.trades,
        }
    }

    /// Folds a later candle of the same bucket into this one: the first open,
    /// the extremes, the last close and the sums. A sum is known only if it
    /// is known for both.
    pub(crate) fn absorb(&mut self, later: &Candle) {
        self.high = self.high.max(later.high);
        self.low = self.low.min(later.low);
        self.close = later.close;
        self.volume += later.volume;
        self.quote_volume = self.quote_volume.zip(later.quote_volume).map(|(a, b)| a + b);
        self.trades = self.trades.zip(later.trades).map(|(a, b)| a.saturating_add(b));
    }

    /// The same candle with another open time (a bucket start, so aligned
    /// on the longer interval whenever the candle was on the shorter one).
    pub(crate) fn reopened(mut self, open_time: i64) -> Candle {
        self.open_time = open_time;
        self
    }
}

impl fmt::Display for Candle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} o={} h={} l={} c={} v={}",
            self.open_time, self.open, self.high, self.low, self.close, self.volume
        )
    }
}

#[cfg(test)]
mod tests;
