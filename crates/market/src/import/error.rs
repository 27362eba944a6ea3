//! Why a whole file cannot be imported.

use std::fmt;

use super::detect::HEADER_SEARCH_LINES;

/// Why a file cannot be imported at all. Problems with single rows are
/// [`Rejection`](super::Rejection)s instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file holds no non-blank line.
    #[error("the file is empty")]
    Empty,
    /// The file starts with a UTF-16 byte-order mark.
    #[error("the file is UTF-16 text; save it as UTF-8 CSV")]
    Utf16,
    /// The first lines are neither Binance kline rows nor a header.
    #[error(
        "unknown file format: the first line `{first_line}` is not a Binance kline row (12 numeric columns), and none \
         of the first {HEADER_SEARCH_LINES} lines is a header naming time, open, high, low, close and volume columns"
    )]
    UnknownFormat {
        /// The start of the first non-blank line.
        first_line: String,
    },
    /// The header names prices but no open, high or low column.
    #[error(
        "line {line}: the file has no open, high or low columns, only a price or close; candles cannot be made \
         from close-only data (such as CoinGecko price exports)"
    )]
    CloseOnly {
        /// The header's line.
        line: u64,
    },
    /// The header lacks columns a candle needs.
    #[error("line {line}: the header has no {} column", Names(missing))]
    MissingColumns {
        /// The header's line.
        line: u64,
        /// What is missing, among `time`, `open`, `high`, `low`, `close`
        /// and `volume`.
        missing: Vec<&'static str>,
    },
    /// Two columns of the header mean the same thing.
    #[error("line {line}: columns `{first}` and `{second}` are both read as the {role}; remove or rename one")]
    DuplicateColumn {
        /// The header's line.
        line: u64,
        /// What both columns are read as.
        role: &'static str,
        /// The first column's name.
        first: String,
        /// The second column's name.
        second: String,
    },
    /// More than two `volume_<code>` columns, so which is base and which is
    /// quote volume is not clear.
    #[error("line {line}: cannot tell the base volume from the quote volume among columns {}", Quoted(columns))]
    AmbiguousVolume {
        /// The header's line.
        line: u64,
        /// The volume columns' names.
        columns: Vec<String>,
    },
    /// The file holds several assets and no symbol chose one.
    #[error("the file holds several assets ({}); choose one with --symbol", symbols.join(", "))]
    SymbolRequired {
        /// The symbols of the file's column prefixes, in file order.
        symbols: Vec<String>,
    },
    /// The chosen symbol has no columns in the file.
    #[error("the file has no `{symbol}` columns; it holds {}", symbols.join(", "))]
    UnknownSymbol {
        /// The symbol asked for.
        symbol: String,
        /// The symbols present, in file order.
        symbols: Vec<String>,
    },
    /// No interval was given and the rows have fewer than two distinct times.
    #[error("cannot infer the interval from fewer than two distinct row times; pass --interval")]
    TooFewTimes,
    /// No interval was given and the rows' most common spacing is no
    /// supported interval.
    #[error(
        "rows are most often {} apart, which is not a supported interval (1m, 5m, 15m, 1h, 4h, 1d, 1w); \
         pass --interval",
        Spacing(*spacing_ms)
    )]
    UnsupportedSpacing {
        /// The most common spacing, in milliseconds.
        spacing_ms: i64,
    },
}

/// Names joined as `a, b and c`.
struct Names<'a>(&'a [&'static str]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            let separator = match i {
                0 => "",
                i if i + 1 == self.0.len() => " or ",
                _ => ", ",
            };
            write!(f, "{separator}{name}")?;
        }
        Ok(())
    }
}

/// Column names, back-quoted and comma-separated.
struct Quoted<'a>(&'a [String]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            write!(f, "{separator}`{name}`")?;
        }
        Ok(())
    }
}

/// A duration in milliseconds, as `1d 2h 30m`, `90s` or `250ms`.
struct Spacing(i64);

impl fmt::Display for Spacing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(i64, &str); 5] = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s"), (1, "ms")];
        let mut rest = self.0;
        let mut written = false;
        for (size, unit) in UNITS {
            let amount = rest / size;
            if amount != 0 {
                let separator = if written { " " } else { "" };
                write!(f, "{separator}{amount}{unit}")?;
                written = true;
            }
            rest -= amount * size;
        }
        if !written {
            f.write_str("0ms")?;
        }
        Ok(())
    }
}
