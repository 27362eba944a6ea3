//! Telling the file format from its first lines, and mapping header names
//! to columns. The rules are documented in [`super`].

use super::split::{Fields, Records};
use super::{Format, ImportError, ImportOptions, time};

/// How many non-blank lines are searched for a header.
pub(super) const HEADER_SEARCH_LINES: usize = 10;

/// How to read the data rows of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Layout {
    /// Binance kline rows: 12 fixed columns.
    Binance,
    /// Columns picked from a header.
    Columns(Columns),
}

/// Which column holds what, by 0-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Columns {
    pub(super) time: usize,
    pub(super) open: usize,
    pub(super) high: usize,
    pub(super) low: usize,
    pub(super) close: usize,
    pub(super) volume: usize,
    pub(super) quote_volume: Option<usize>,
    pub(super) trades: Option<usize>,
    /// How many fields a row needs to hold the time, prices and volume.
    pub(super) needed: usize,
    /// Every column's name as the file gives it (or `column N` when it
    /// has none), for messages.
    pub(super) labels: Vec<String>,
}

impl Columns {
    /// The name of column `index`, for messages.
    pub(super) fn label(&self, index: usize) -> &str {
        self.labels.get(index).map_or("?", String::as_str)
    }
}

/// The outcome of detection: the format, and where the data rows start.
#[derive(Debug)]
pub(super) struct Detected {
    pub(super) format: Format,
    pub(super) layout: Layout,
    /// Byte offset of the first line after the header (or of the first
    /// Binance row).
    pub(super) offset: usize,
    /// The 1-based line number at `offset`.
    pub(super) line: u64,
}

/// Detects the format of `input` from its first non-blank lines.
pub(super) fn detect(input: &[u8], options: &ImportOptions) -> Result<Detected, ImportError> {
    let mut records = Records::new(input, None, 0, 1);
    let mut seen = 0;
    let mut first_line = None;
    let mut partial = None;
    while seen < HEADER_SEARCH_LINES {
        let offset = records.offset();
        let Some((line, fields)) = records.next_record() else { break };
        if fields.is_blank() {
            continue;
        }
        seen += 1;
        if seen == 1 && is_binance_row(fields) {
            return Ok(Detected { format: Format::BinanceKlines, layout: Layout::Binance, offset, line });
        }
        let names: Vec<String> = fields.iter().map(|name| String::from_utf8_lossy(name).into_owned()).collect();
        if seen == 1 {
            first_line = Some(preview(&input[offset..records.offset()]));
        }
        match read_header(line, &names, options.symbol.as_deref())? {
            LineKind::Header(columns, format) => {
                return Ok(Detected {
                    format,
                    layout: Layout::Columns(columns),
                    offset: records.offset(),
                    line: records.line(),
                });
            }
            LineKind::Partial(error) => {
                partial.get_or_insert(error);
            }
            LineKind::Other => {}
        }
    }
    Err(partial
        .or_else(|| first_line.map(|first_line| ImportError::UnknownFormat { first_line }))
        .unwrap_or(ImportError::Empty))
}

/// Whether a line is a Binance kline row: 12 fields, an integer open time
/// and numbers for open, high, low, close and volume.
fn is_binance_row(fields: Fields<'_>) -> bool {
    let is_number = |index| {
        fields
            .get(index)
            .and_then(|field| std::str::from_utf8(field).ok())
            .is_some_and(|text| text.parse::<f64>().is_ok())
    };
    fields.len() == 12 && fields.get(0).and_then(time::digits).is_some() && (1..=5).all(is_number)
}

/// The start of a line, for messages.
fn preview(line: &[u8]) -> String {
    const MAX: usize = 80;
    let text = String::from_utf8_lossy(line.trim_ascii());
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

fn label(names: &[String], index: usize) -> String {
    match names.get(index).map(String::as_str) {
        Some("") | None => format!("column {}", index + 1),
        Some(name) => name.to_owned(),
    }
}

/// What a line is, read as a header.
enum LineKind {
    /// A header with every needed column.
    Header(Columns, Format),
    /// A line that names columns but lacks some; the error to report if no
    /// complete header follows.
    Partial(ImportError),
    /// Not a header (a banner, or data).
    Other,
}

/// What a column name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Time,
    Open,
    High,
    Low,
    Close,
    /// A price with no open, high or low: close-only data.
    Price,
    Volume(VolumeName),
    Trades,
    Other,
}

/// The kinds of volume column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VolumeName {
    /// Explicitly the base volume, like `VolumeFrom`.
    Base,
    /// Explicitly the quote volume, like `VolumeTo` or `quote_volume`.
    Quote,
    /// Just `volume`.
    Plain,
    /// `volume_<code>`; whether the code is a fiat or stablecoin code.
    Coded { quote_code: bool },
}

/// Currency codes that make `volume_<code>` a quote volume.
const QUOTE_CODES: &[&str] = &[
    "usd", "usdt", "usdc", "busd", "tusd", "fdusd", "dai", "eur", "gbp", "jpy", "krw", "try", "aud", "cad", "chf",
    "currency", "quote",
];

/// Lower-cases `name` and turns every run of characters other than ASCII
/// letters and digits into one `_`, trimmed at both ends:
/// `Volume_(BTC)` → `volume_btc`, `Open Time` → `open_time`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    if out.ends_with('_') {
        out.pop();
    }
    out
}

fn role_of(name: &str) -> Role {
    let name = normalize(name);
    match name.as_str() {
        "time" | "timestamp" | "timestamp_ms" | "date" | "datetime" | "date_time" | "unix" | "unix_time"
        | "unix_timestamp" | "open_time" | "opentime" | "time_open" | "timeopen" | "ts" | "t" => Role::Time,
        "open" | "o" | "open_price" | "price_open" => Role::Open,
        "high" | "h" | "high_price" | "price_high" => Role::High,
        "low" | "l" | "low_price" | "price_low" => Role::Low,
        "close" | "c" | "close_price" | "price_close" => Role::Close,
        "price" => Role::Price,
        "volume" | "vol" | "v" => Role::Volume(VolumeName::Plain),
        "volumefrom" | "volume_from" | "base_volume" | "volume_base" | "base_asset_volume" => {
            Role::Volume(VolumeName::Base)
        }
        "volumeto" | "volume_to" | "quote_volume" | "volume_quote" | "quote_asset_volume" => {
            Role::Volume(VolumeName::Quote)
        }
        "trades" | "count" | "trade_count" | "trades_count" | "tradecount" | "number_of_trades" | "num_trades"
        | "n_trades" | "ntrades" => Role::Trades,
        other => match other.strip_prefix("volume_").or_else(|| other.strip_prefix("vol_")) {
            Some(code) if !code.is_empty() && code.len() <= 10 && code.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                Role::Volume(VolumeName::Coded { quote_code: QUOTE_CODES.contains(&code) })
            }
            _ => Role::Other,
        },
    }
}

fn is_value(role: Role) -> bool {
    !matches!(role, Role::Time | Role::Other)
}

/// Reads a line's fields as a header.
fn read_header(line: u64, names: &[String], symbol: Option<&str>) -> Result<LineKind, ImportError> {
    // `SYM:field` columns make a multi-asset file.
    let prefixed = |name: &str| {
        let (prefix, field) = name.split_once(':')?;
        let prefix = prefix.trim();
        (!prefix.is_empty() && is_value(role_of(field))).then_some((prefix.to_owned(), role_of(field)))
    };
    let mut symbols: Vec<String> = Vec::new();
    for (prefix, _) in names.iter().filter_map(|name| prefixed(name)) {
        if !symbols.iter().any(|known| known.eq_ignore_ascii_case(&prefix)) {
            symbols.push(prefix);
        }
    }
    let time = names
        .iter()
        .position(|name| !name.contains(':') && role_of(name) == Role::Time)
        .or_else(|| names.first().filter(|name| name.is_empty()).map(|_| 0));

    if !symbols.is_empty() {
        let chosen = match symbol {
            Some(wanted) => symbols
                .iter()
                .find(|known| known.eq_ignore_ascii_case(wanted.trim()))
                .cloned()
                .ok_or_else(|| ImportError::UnknownSymbol { symbol: wanted.to_owned(), symbols: symbols.clone() })?,
            None if symbols.len() == 1 => symbols[0].clone(),
            None => return Err(ImportError::SymbolRequired { symbols }),
        };
        let roles = names.iter().enumerate().map(|(index, name)| match prefixed(name) {
            Some((prefix, role)) if prefix.eq_ignore_ascii_case(&chosen) => (index, role),
            _ => (index, Role::Other),
        });
        let columns = assign(line, names, time, roles)?;
        return Ok(LineKind::Header(columns, Format::MultiAsset));
    }

    let roles = names.iter().enumerate().map(|(index, name)| match role_of(name) {
        // The time column is chosen above; other time names are ignored.
        Role::Time => (index, Role::Other),
        role => (index, role),
    });
    match assign(line, names, time, roles) {
        Ok(columns) => Ok(LineKind::Header(columns, Format::Columns)),
        Err(error @ (ImportError::MissingColumns { .. } | ImportError::CloseOnly { .. })) => {
            let named = names.iter().filter(|name| role_of(name) != Role::Other).count();
            Ok(if named >= 2 { LineKind::Partial(error) } else { LineKind::Other })
        }
        Err(error) => Err(error),
    }
}

/// Column indices found so far, by role.
#[derive(Debug, Default)]
struct Found {
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: Option<usize>,
    price: Option<usize>,
    trades: Option<usize>,
    base: Option<usize>,
    quote: Option<usize>,
    plain: Option<usize>,
    coded: Vec<(usize, bool)>,
}

/// Assigns columns to roles, resolving which volume is which.
fn assign(
    line: u64,
    names: &[String],
    time: Option<usize>,
    roles: impl Iterator<Item = (usize, Role)>,
) -> Result<Columns, ImportError> {
    let mut found = Found::default();
    for (index, role) in roles {
        let (slot, what) = match role {
            Role::Open => (&mut found.open, "open"),
            Role::High => (&mut found.high, "high"),
            Role::Low => (&mut found.low, "low"),
            Role::Close => (&mut found.close, "close"),
            Role::Price => (&mut found.price, "price"),
            Role::Trades => (&mut found.trades, "trade count"),
            Role::Volume(VolumeName::Base) => (&mut found.base, "base volume"),
            Role::Volume(VolumeName::Quote) => (&mut found.quote, "quote volume"),
            Role::Volume(VolumeName::Plain) => (&mut found.plain, "volume"),
            Role::Volume(VolumeName::Coded { quote_code }) => {
                found.coded.push((index, quote_code));
                continue;
            }
            Role::Time | Role::Other => continue,
        };
        if let Some(first) = *slot {
            return Err(ImportError::DuplicateColumn {
                line,
                role: what,
                first: label(names, first),
                second: label(names, index),
            });
        }
        *slot = Some(index);
    }

    // `volume_<code>` columns: two are base then quote, as CryptoDataDownload
    // writes them; one is quote if its code is a fiat or stablecoin, else base.
    match found.coded[..] {
        [] => {}
        [(only, quote_code)] => {
            let slot = if quote_code { &mut found.quote } else { &mut found.base };
            slot.get_or_insert(only);
        }
        [(left, _), (right, _)] => {
            found.base.get_or_insert(left);
            found.quote.get_or_insert(right);
        }
        ref many => {
            return Err(ImportError::AmbiguousVolume {
                line,
                columns: many.iter().map(|&(index, _)| label(names, index)).collect(),
            });
        }
    }
    // A plain `volume` is the base volume, unless another column is, when
    // it is the quote volume (CryptoDataDownload's `volume_btc,volume`).
    if let Some(plain) = found.plain {
        if found.base.is_none() {
            found.base = Some(plain);
        } else if found.quote.is_none() {
            found.quote = Some(plain);
        }
    }

    let no_range = found.open.is_none() && found.high.is_none() && found.low.is_none();
    if no_range && (found.close.is_some() || found.price.is_some()) {
        return Err(ImportError::CloseOnly { line });
    }
    let (Some(time), Some(open), Some(high), Some(low), Some(close), Some(volume)) =
        (time, found.open, found.high, found.low, found.close, found.base)
    else {
        let missing = [
            ("time", time),
            ("open", found.open),
            ("high", found.high),
            ("low", found.low),
            ("close", found.close),
            ("volume", found.base),
        ];
        let missing = missing.iter().filter(|(_, index)| index.is_none()).map(|&(what, _)| what).collect();
        return Err(ImportError::MissingColumns { line, missing });
    };
    Ok(Columns {
        time,
        open,
        high,
        low,
        close,
        volume,
        quote_volume: found.quote,
        trades: found.trades,
        needed: [time, open, high, low, close, volume].into_iter().max().unwrap_or_default() + 1,
        labels: (0..names.len()).map(|index| label(names, index)).collect(),
    })
}
