//! Binance's wire formats: frames of the combined WebSocket stream and rows
//! of the REST klines endpoint. Parsing never panics: anything unexpected is
//! a [`WireError`] the caller logs and skips.

use std::fmt;

use altgate_market::CandleParts;
use altgate_protocol::Interval;
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One kline from either source: the candle's raw values and its close time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Kline {
    /// The candle's values, not yet checked.
    pub(super) parts: CandleParts,
    /// The last millisecond the kline covers (`T`, or index 6 of a REST row).
    pub(super) close_time: i64,
}

/// A kline event of the kline stream.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StreamKline {
    /// The exchange symbol, upper-case as Binance sends it.
    pub(super) symbol: String,
    /// The kline's interval.
    pub(super) interval: Interval,
    /// Whether this is the kline's final update (`x`).
    pub(super) closed: bool,
    /// The kline as it stands.
    pub(super) kline: Kline,
}

/// What a text frame of the combined stream carries.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Frame {
    /// A kline update.
    Kline(StreamKline),
    /// Binance is about to close the connection (`serverShutdown`).
    ServerShutdown,
    /// Any other event or stream (depth, book ticker, trades, a kline of an
    /// interval this service does not know): not for this connector.
    Other,
}

/// Why a frame or a REST body could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum WireError {
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The JSON is not a combined-stream envelope `{"stream":…,"data":{…}}`.
    #[error("not a combined-stream envelope")]
    Envelope,
    /// A kline event lacks a field or has one of the wrong type.
    #[error("malformed kline event: {0}")]
    Kline(#[source] serde_json::Error),
    /// A price or volume is not a decimal number.
    #[error("`{field}` is not a decimal number: {value:?}")]
    Decimal {
        /// The field.
        field: &'static str,
        /// The value, cut to a few characters.
        value: String,
    },
    /// The event and its kline name different symbols.
    #[error("event symbol {event:?} does not match kline symbol {kline:?}")]
    SymbolMismatch {
        /// The event's `s`.
        event: String,
        /// The kline's `s`.
        kline: String,
    },
    /// A REST body is not an array of kline rows.
    #[error("malformed klines response: {0}")]
    Rows(#[source] serde_json::Error),
}

/// Reads one text frame of the combined stream.
pub(super) fn parse_frame(text: &str) -> Result<Frame, WireError> {
    let envelope: Value = serde_json::from_str(text).map_err(WireError::Json)?;
    let (Some(Value::String(_)), Some(data @ Value::Object(_))) = (envelope.get("stream"), envelope.get("data")) else {
        return Err(WireError::Envelope);
    };
    match data.get("e").and_then(Value::as_str) {
        Some("kline") => parse_kline_event(data),
        Some("serverShutdown") => Ok(Frame::ServerShutdown),
        _ => Ok(Frame::Other),
    }
}

/// The `data` of a kline event; fields this connector does not use
/// (`E`, `f`, `L`, `V`, `Q`, `B`) are not read.
#[derive(Deserialize)]
struct KlineEvent<'a> {
    #[serde(rename = "s")]
    symbol: &'a str,
    #[serde(rename = "k", borrow)]
    kline: EventKline<'a>,
}

#[derive(Deserialize)]
struct EventKline<'a> {
    #[serde(rename = "t")]
    open_time: i64,
    #[serde(rename = "T")]
    close_time: i64,
    #[serde(rename = "s")]
    symbol: &'a str,
    #[serde(rename = "i")]
    interval: &'a str,
    #[serde(rename = "o")]
    open: &'a str,
    #[serde(rename = "h")]
    high: &'a str,
    #[serde(rename = "l")]
    low: &'a str,
    #[serde(rename = "c")]
    close: &'a str,
    #[serde(rename = "v")]
    volume: &'a str,
    #[serde(rename = "q")]
    quote_volume: &'a str,
    #[serde(rename = "n")]
    trades: u64,
    #[serde(rename = "x")]
    closed: bool,
}

fn parse_kline_event(data: &Value) -> Result<Frame, WireError> {
    let event = KlineEvent::deserialize(data).map_err(WireError::Kline)?;
    let k = event.kline;
    if event.symbol != k.symbol {
        return Err(WireError::SymbolMismatch { event: clip(event.symbol), kline: clip(k.symbol) });
    }
    let Ok(interval) = k.interval.parse::<Interval>() else {
        return Ok(Frame::Other);
    };
    let parts = CandleParts {
        open_time: k.open_time,
        open: decimal("o", k.open)?,
        high: decimal("h", k.high)?,
        low: decimal("l", k.low)?,
        close: decimal("c", k.close)?,
        volume: decimal("v", k.volume)?,
        quote_volume: Some(decimal("q", k.quote_volume)?),
        trades: Some(k.trades),
    };
    Ok(Frame::Kline(StreamKline {
        symbol: k.symbol.to_owned(),
        interval,
        closed: k.closed,
        kline: Kline { parts, close_time: k.close_time },
    }))
}

/// Reads the body of `GET /api/v3/klines`: an array of rows
/// `[openTime, open, high, low, close, volume, closeTime, quoteVolume,
/// trades, …]`. Columns after the trade count are ignored, so rows Binance
/// extends later still read.
pub(super) fn parse_rest_klines(body: &[u8]) -> Result<Vec<Kline>, WireError> {
    let rows: Vec<RestRow> = serde_json::from_slice(body).map_err(WireError::Rows)?;
    Ok(rows.into_iter().map(|row| row.0).collect())
}

struct RestRow(Kline);

impl<'de> Deserialize<'de> for RestRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = RestRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a kline row [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, …]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RestRow, A::Error> {
        fn next<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(seq: &mut A, index: usize) -> Result<T, A::Error> {
            seq.next_element()?.ok_or_else(|| de::Error::invalid_length(index, &RowVisitor))
        }
        fn price<'de, A: SeqAccess<'de>>(seq: &mut A, index: usize, field: &'static str) -> Result<f64, A::Error> {
            let text: &str = next(seq, index)?;
            decimal(field, text).map_err(de::Error::custom)
        }
        let open_time: i64 = next(&mut seq, 0)?;
        let open = price(&mut seq, 1, "open")?;
        let high = price(&mut seq, 2, "high")?;
        let low = price(&mut seq, 3, "low")?;
        let close = price(&mut seq, 4, "close")?;
        let volume = price(&mut seq, 5, "volume")?;
        let close_time: i64 = next(&mut seq, 6)?;
        let quote_volume = price(&mut seq, 7, "quote volume")?;
        let trades: u64 = next(&mut seq, 8)?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        let parts = CandleParts {
            open_time,
            open,
            high,
            low,
            close,
            volume,
            quote_volume: Some(quote_volume),
            trades: Some(trades),
        };
        Ok(RestRow(Kline { parts, close_time }))
    }
}

/// A decimal string as Binance sends prices and volumes (`"60685.22000000"`).
/// Whether the number is a sensible price is for the candle check to say.
fn decimal(field: &'static str, text: &str) -> Result<f64, WireError> {
    text.parse::<f64>().map_err(|_| WireError::Decimal { field, value: clip(text) })
}

/// A value quoted in an error, cut so a hostile message cannot flood the log.
fn clip(text: &str) -> String {
    const MAX: usize = 32;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The combined-stream URL subscribing to `interval` klines of `symbols`:
/// `{base}/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m`.
pub(super) fn stream_url<'a>(base: &str, symbols: impl IntoIterator<Item = &'a str>, interval: Interval) -> String {
    let streams: Vec<String> =
        symbols.into_iter().map(|symbol| format!("{}@kline_{interval}", symbol.to_ascii_lowercase())).collect();
    format!("{}/stream?streams={}", base.trim_end_matches('/'), streams.join("/"))
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
