//! Decoding one data row into candle values.

use std::fmt;

use super::detect::Columns;
use super::split::Fields;
use super::time::{self, TimeError};
use crate::candle::CandleParts;

/// The number of columns of a Binance kline row.
const BINANCE_COLUMNS: usize = 12;

/// Decodes a Binance kline row: open time, open, high, low, close, volume,
/// close time, quote volume, trades, taker buy base and quote volumes, and
/// an ignored column.
pub(super) fn binance(fields: Fields<'_>) -> Result<CandleParts, String> {
    if fields.len() != BINANCE_COLUMNS {
        return Err(format!("expected {BINANCE_COLUMNS} columns, found {}", fields.len()));
    }
    let field = |index| fields.get(index).unwrap_or_default();
    Ok(CandleParts {
        open_time: open_time(field(0), "open_time", time::epoch)?,
        open: number(fields, 1, "open")?,
        high: number(fields, 2, "high")?,
        low: number(fields, 3, "low")?,
        close: number(fields, 4, "close")?,
        volume: number(fields, 5, "volume")?,
        quote_volume: Some(number(fields, 7, "quote_volume")?),
        trades: Some(count(field(8), "trades")?),
    })
}

/// Decodes a row by the columns a header named: `None` when every value
/// cell is empty (no data for the asset at that time).
pub(super) fn columns(columns: &Columns, fields: Fields<'_>) -> Result<Option<CandleParts>, String> {
    let field = |index| fields.get(index).unwrap_or_default();
    let values = [columns.open, columns.high, columns.low, columns.close, columns.volume];
    let optional = [columns.quote_volume, columns.trades];
    if values.into_iter().chain(optional.into_iter().flatten()).all(|index| field(index).is_empty()) {
        return Ok(None);
    }
    if fields.len() < columns.needed {
        return Err(format!("row has {} fields, fewer than the header's {}", fields.len(), columns.labels.len()));
    }
    let value = |index| number(fields, index, columns.label(index));
    Ok(Some(CandleParts {
        open_time: open_time(field(columns.time), columns.label(columns.time), time::parse)?,
        open: value(columns.open)?,
        high: value(columns.high)?,
        low: value(columns.low)?,
        close: value(columns.close)?,
        volume: value(columns.volume)?,
        quote_volume: match columns.quote_volume {
            Some(index) if !field(index).is_empty() => Some(value(index)?),
            _ => None,
        },
        trades: match columns.trades {
            Some(index) if !field(index).is_empty() => Some(count(field(index), columns.label(index))?),
            _ => None,
        },
    }))
}

/// A time field read by `parse`.
fn open_time(field: &[u8], column: &str, parse: fn(&[u8]) -> Result<i64, TimeError>) -> Result<i64, String> {
    match parse(field) {
        Ok(time) => Ok(time),
        Err(_) if field.is_empty() => Err(format!("empty time in column `{column}`")),
        Err(error) => Err(format!("invalid time `{}` in column `{column}`: {error}", Shown(field))),
    }
}

/// Field `index` as a decimal number, with Rust's correctly rounded float
/// parsing.
fn number(fields: Fields<'_>, index: usize, column: &str) -> Result<f64, String> {
    match fields.text(index) {
        Ok(None | Some("")) => Err(format!("empty value in column `{column}`")),
        Ok(Some(text)) => {
            text.parse().map_err(|_| format!("invalid number `{}` in column `{column}`", Shown(text.as_bytes())))
        }
        Err(bytes) => Err(format!("invalid number `{}` in column `{column}`", Shown(bytes))),
    }
}

/// A trade count: digits, optionally followed by a zero fraction (`12.0`,
/// as spreadsheets and dataframes write integers).
fn count(field: &[u8], column: &str) -> Result<u64, String> {
    let whole = match field.iter().position(|&b| b == b'.') {
        Some(dot) if field[dot + 1..].iter().all(|&b| b == b'0') => &field[..dot],
        Some(_) | None => field,
    };
    time::digits(whole).ok_or_else(|| match field {
        b"" => format!("empty value in column `{column}`"),
        _ => format!("invalid count `{}` in column `{column}`", Shown(field)),
    })
}

/// A field's bytes for a message: lossily decoded and cut short.
struct Shown<'a>(&'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 40;
        let text = String::from_utf8_lossy(self.0);
        match text.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, "{}…", &text[..cut]),
            None => f.write_str(&text),
        }
    }
}
