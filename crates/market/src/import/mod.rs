//! Parsing OHLCV files for import.
//!
//! [`parse`] takes the bytes of one file and returns checked [`Candle`]s,
//! oldest first, together with every row it could not use and why. It does
//! no I/O: the caller reads the file.
//!
//! # Formats
//!
//! The format is told from the first lines of the file:
//!
//! 1. A UTF-8 byte-order mark is skipped; a UTF-16 one is refused
//!    ([`ImportError::Utf16`]). Blank lines (nothing but whitespace) are
//!    ignored everywhere and are not rows.
//! 2. **Binance kline CSV** ([`Format::BinanceKlines`]), as published on
//!    data.binance.vision: the first non-blank line has exactly 12 fields,
//!    the first an integer and the next five numbers. There is no header;
//!    every non-blank line is a row of `open_time, open, high, low, close,
//!    volume, close_time, quote_volume, trades, taker_buy_base,
//!    taker_buy_quote, ignore`. The open time is Unix milliseconds or, in
//!    files from 2025 on, microseconds, told apart per value by magnitude
//!    (see *Timestamps*). The quote volume and trade count are kept; the
//!    close time and taker columns are not read. A row with another number
//!    of fields is rejected.
//! 3. Otherwise the first 10 non-blank lines are searched for a **header**:
//!    the first line naming every needed column is the header, and lines
//!    before it are a banner (such as CryptoDataDownload's
//!    `https://www.CryptoDataDownload.com` line) and are ignored. The rows
//!    are the non-blank lines after the header. A header whose names carry
//!    `SYM:` prefixes makes a multi-asset file; otherwise it is a
//!    single-asset file ([`Format::Columns`]).
//! 4. If no line is a complete header, the first line naming at least two
//!    known columns (names from the table below, or `price`) explains why: with a `close` or `price` column but
//!    no open, high or low column the file is close-only, which is refused
//!    ([`ImportError::CloseOnly`], e.g. CoinGecko's
//!    `timestamp,readableTimestamp,coinId,price,marketCap,totalVolume`);
//!    otherwise the missing columns are listed
//!    ([`ImportError::MissingColumns`]). With no such line the format is
//!    unknown ([`ImportError::UnknownFormat`]). Headerless files other than
//!    Binance's are not supported.
//!
//! # Header columns
//!
//! Column names are compared after lower-casing them and turning every run
//! of characters other than ASCII letters and digits into one `_`, trimmed
//! at both ends: `Volume_(BTC)`, `Volume BTC` and `volume-btc` all read
//! `volume_btc`; `Open Time` reads `open_time`. Columns may come in any
//! order; unknown columns (`symbol`, `close_time`, `Adj Close`, …) are
//! ignored.
//!
//! | Meaning | Names |
//! |---|---|
//! | time | `time`, `timestamp`, `timestamp_ms`, `date`, `datetime`, `date_time`, `unix`, `unix_time`, `unix_timestamp`, `open_time`, `opentime`, `time_open`, `timeopen`, `ts`, `t` |
//! | open | `open`, `o`, `open_price`, `price_open` |
//! | high | `high`, `h`, `high_price`, `price_high` |
//! | low | `low`, `l`, `low_price`, `price_low` |
//! | close | `close`, `c`, `close_price`, `price_close` |
//! | base volume | `volumefrom`, `volume_from`, `base_volume`, `volume_base`, `base_asset_volume` |
//! | quote volume | `volumeto`, `volume_to`, `quote_volume`, `volume_quote`, `quote_asset_volume` |
//! | either volume | `volume`, `vol`, `v`, and `volume_<code>` / `vol_<code>` with an alphanumeric code of up to 10 characters |
//! | trade count (optional) | `trades`, `count`, `trade_count`, `trades_count`, `tradecount`, `number_of_trades`, `num_trades`, `n_trades`, `ntrades` |
//!
//! - **Time**: the leftmost column with a time name; if none has one and
//!   the first column's name is empty (as in pandas exports), the first
//!   column.
//! - **Volumes**: a time, open, high, low, close and base volume are needed;
//!   the quote volume and trade count are kept when present. The volume
//!   columns are resolved in this order:
//!   1. explicit base and quote names are what they say;
//!   2. two `volume_<code>` columns are the base volume (the left one) and
//!      the quote volume (the right one), as in CryptoDataDownload's
//!      `Volume BTC,Volume USDT`; a single one is the quote volume if its
//!      code is `usd`, `usdt`, `usdc`, `busd`, `tusd`, `fdusd`, `dai`,
//!      `eur`, `gbp`, `jpy`, `krw`, `try`, `aud`, `cad`, `chf`, `currency`
//!      or `quote`, and the base volume otherwise (`volume_btc`); more than
//!      two are refused ([`ImportError::AmbiguousVolume`]);
//!   3. a plain `volume` is the base volume, unless another column already
//!      is, when it is the quote volume (CryptoDataDownload's
//!      `volume_btc,volume`, where `volume` is in dollars), unless that is
//!      taken too, when it is ignored.
//! - Two columns with the same meaning (say, two `open`) are refused
//!   ([`ImportError::DuplicateColumn`]), except time columns, where the
//!   leftmost wins.
//!
//! # Multi-asset files
//!
//! A header with columns named `SYM:field` (`,BTC:open,BTC:high,…,ETH:open,…`)
//! holds several assets ([`Format::MultiAsset`]). `SYM` is any non-empty
//! prefix before the first `:` and `field` any value name from the table.
//! [`ImportOptions::symbol`] chooses the asset, case-insensitively; it is
//! needed unless the file holds one symbol only. Without it, or when the
//! symbol is absent, the file is refused with the symbols present
//! ([`ImportError::SymbolRequired`], [`ImportError::UnknownSymbol`]). The
//! time column is an unprefixed time name or the unnamed first column.
//! The symbol is not used for single-asset files.
//!
//! # Rows
//!
//! Fields are separated by commas and trimmed of surrounding whitespace;
//! lines end in LF or CRLF. Fields may be double-quoted (with `""` for a
//! quote inside), but a row must be one line: a quoted field may not hold a
//! line break. Numbers are decimal (`123`, `0.5`, `1e-3`); trade counts are
//! digits, optionally with a zero fraction (`42.0`).
//!
//! A row may lack trailing columns beyond the time, prices and volume: its
//! quote volume or trade count is then unknown, as when the cell is empty.
//!
//! Every row is counted in [`Parsed::rows`] and ends up as exactly one of:
//!
//! - a **candle**, when it decodes and passes [`Candle::new`];
//! - **skipped** ([`Parsed::skipped`]), when every value cell of the chosen
//!   columns (prices, volumes, trade count) is empty: the asset had no data
//!   then, as before it was listed in a multi-asset file;
//! - **rejected** ([`Parsed::rejected`]), with its line and the reason: too
//!   few fields, an empty or invalid time or number, a price or volume that
//!   [`Candle::new`] refuses (not positive, low above open or close, high
//!   below), a time not on the interval's grid, or an open time already
//!   taken by an earlier row of the file.
//!
//! # Timestamps
//!
//! All times are UTC unless they carry an offset. Accepted forms:
//!
//! - `YYYY-MM-DD` (midnight);
//! - `YYYY-MM-DD` then `T` or a space, then `HH:MM`, `HH:MM:SS` or
//!   `HH:MM:SS.fff…` (`,` also separates the fraction), then optionally
//!   `Z`, `UTC`, or an offset `±HH`, `±HHMM` or `±HH:MM`, optionally after
//!   one space (`2024-03-01T12:00:00+01:00` is 11:00 UTC);
//! - `YYYY-MM-DD HH-AM` / `YYYY-MM-DD HH-PM` (CryptoDataDownload's hourly
//!   files), hours 01 to 12: `12-AM` is midnight and `12-PM` noon;
//! - Unix epoch numbers, optionally with a fraction, whose unit is told by
//!   the integer part `n`: seconds if `n < 10^11` (before the year 5138),
//!   milliseconds if `n < 10^14` (from 1973-03-03T09:46:40Z on),
//!   microseconds if `n < 10^17`, nanoseconds otherwise.
//!
//! Times with a non-zero part below the millisecond are rejected, as are
//! impossible dates and clock times (`2023-02-29`, `24:00`).
//!
//! # Order, duplicates and interval
//!
//! Rows may come in any order, oldest first, newest first or mixed; the
//! candles are sorted oldest first. [`Parsed::order`] tells whether more
//! consecutive rows went back in time than forward. When two rows share an
//! open time, the first in file order that makes a valid candle is kept and
//! later ones are rejected as duplicates.
//!
//! The interval is [`ImportOptions::interval`] when given. Otherwise it is
//! inferred: the most common spacing between consecutive distinct times of
//! the decoded rows, in time order (the shorter spacing on a tie), which
//! must be the length of an [`Interval`]; if it is not, or there are fewer
//! than two distinct times, the file is refused
//! ([`ImportError::UnsupportedSpacing`], [`ImportError::TooFewTimes`]).
//! Rows whose time is not on the interval's grid are then rejected.

mod detect;
mod error;
mod finish;
mod row;
mod split;
mod time;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::candle::{Candle, Interval};
use detect::Layout;
pub use error::ImportError;
use finish::Pending;
use split::Records;

/// What the caller knows about a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The candle interval; inferred from the rows' spacing when `None`.
    pub interval: Option<Interval>,
    /// The asset's symbol (such as `ETH`), choosing its columns in a
    /// multi-asset file; unused for other files.
    pub symbol: Option<String>,
}

/// The detected format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Binance kline CSV, without a header.
    BinanceKlines,
    /// CSV with a header naming the columns of one asset.
    Columns,
    /// CSV with a header of `SYM:field` columns for several assets.
    MultiAsset,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::BinanceKlines => "Binance kline CSV",
            Format::Columns => "CSV with a header",
            Format::MultiAsset => "multi-asset CSV",
        })
    }
}

/// The order of a file's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Mostly oldest first (also said of files with fewer than two rows).
    OldestFirst,
    /// Mostly newest first.
    NewestFirst,
}

/// A row that is not a candle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The row's 1-based physical line in the file.
    pub line: u64,
    /// Why the row was rejected.
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// A parsed file. `rows == candles.len() + rejected.len() + skipped`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The detected format.
    pub format: Format,
    /// The order the rows came in.
    pub order: Order,
    /// The candles' interval, given or inferred.
    pub interval: Interval,
    /// The candles, oldest first, with distinct open times.
    pub candles: Vec<Candle>,
    /// The rejected rows, by line.
    pub rejected: Vec<Rejection>,
    /// Rows with no values for the asset.
    pub skipped: u64,
    /// Data rows: non-blank lines after the header, if any.
    pub rows: u64,
    /// Where the data rows start: the byte offset in the input (after any
    /// banner and header) and the 1-based line there. Everything before it
    /// is the preamble a later part of the same file can be parsed with.
    pub data_start: (usize, u64),
}

/// A guess at the number of rows, from the length of the first: exact for
/// fixed-width files such as Binance's, and only a capacity hint.
fn estimate_rows(data: &[u8]) -> usize {
    let first = data.iter().take(4_096).position(|&b| b == b'\n').unwrap_or(4_096).max(16);
    data.len() / first + 1
}

/// How many rows go by between progress reports.
const PROGRESS_ROWS: u64 = 1 << 16;

/// Parses a whole OHLCV file. See the [module documentation](self) for the
/// formats and rules.
pub fn parse(input: &[u8], options: &ImportOptions) -> Result<Parsed, ImportError> {
    parse_with_progress(input, options, |_| {})
}

/// Like [`parse`], reporting progress to `progress` as the number of input
/// bytes read so far: every 65 536 rows, and once at the end of the rows
/// with `input.len()`. Checking and sorting the candles follows, taking a
/// fraction of the time reading took.
pub fn parse_with_progress(
    input: &[u8],
    options: &ImportOptions,
    mut progress: impl FnMut(usize),
) -> Result<Parsed, ImportError> {
    let (input, skipped_bom) = match input {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => return Err(ImportError::Utf16),
        [0xEF, 0xBB, 0xBF, rest @ ..] => (rest, 3),
        _ => (input, 0),
    };
    let detected = detect::detect(input, options)?;
    // Validated once, so that fields are sliced as text without checking each.
    let text = std::str::from_utf8(input).ok();
    let mut records = Records::new(input, text, detected.offset, detected.line);
    let mut pending = Vec::with_capacity(estimate_rows(&input[detected.offset..]));
    let mut rejected = Vec::new();
    let (mut rows, mut skipped) = (0_u64, 0_u64);
    while let Some((line, fields)) = records.next_record() {
        if fields.is_blank() {
            continue;
        }
        rows += 1;
        let decoded = match &detected.layout {
            Layout::Binance => row::binance(fields).map(Some),
            Layout::Columns(columns) => row::columns(columns, fields),
        };
        match decoded {
            Ok(Some(parts)) => pending.push(Pending { line, parts }),
            Ok(None) => skipped += 1,
            Err(reason) => rejected.push(Rejection { line, reason }),
        }
        if rows.is_multiple_of(PROGRESS_ROWS) {
            progress(skipped_bom + records.offset());
        }
    }
    progress(skipped_bom + input.len());

    let finished = finish::finish(pending, options.interval, &mut rejected)?;
    rejected.sort_by_key(|rejection| rejection.line);
    let parsed = Parsed {
        format: detected.format,
        order: finished.order,
        interval: finished.interval,
        candles: finished.candles,
        rejected,
        skipped,
        rows,
        data_start: (skipped_bom + detected.offset, detected.line),
    };
    debug_assert_eq!(parsed.rows, parsed.candles.len() as u64 + parsed.rejected.len() as u64 + parsed.skipped);
    Ok(parsed)
}
