//! Property tests: random valid candles written in every supported format
//! parse back to themselves, and no input makes the parser panic.

use proptest::prelude::*;

use super::super::{Format, ImportOptions, Order, parse};
use super::{Rng, TimeStyle, assert_counts, binance_row, candle};
use crate::candle::{Candle, CandleParts, Interval};

/// Random valid candles of one interval at consecutive open times, with
/// quote volumes and trade counts.
fn series() -> impl Strategy<Value = (Interval, Vec<Candle>)> {
    let values = (0.0001_f64..1e6, 0.0001_f64..1e6, 0.0_f64..1e4, 0.001_f64..=1.0, 0.0_f64..1e7, 0_u64..1_000_000);
    (0..Interval::ALL.len(), 1_420_070_400_000_i64..1_893_456_000_000, proptest::collection::vec(values, 2..40))
        .prop_map(|(interval, start, values)| {
            let interval = Interval::ALL[interval];
            let start = interval.align(start);
            let candles = values
                .into_iter()
                .zip(0_i64..)
                .map(|((open, close, above, below, volume, trades), i)| {
                    candle(
                        interval,
                        CandleParts {
                            open_time: start + i * interval.millis(),
                            open,
                            high: open.max(close) + above,
                            low: open.min(close) * below,
                            close,
                            volume,
                            quote_volume: Some(volume * close),
                            trades: Some(trades),
                        },
                    )
                })
                .collect();
            (interval, candles)
        })
}

/// How a test file is laid out, besides its rows.
#[derive(Debug, Clone)]
struct Layout {
    /// Which of the formats below.
    kind: Kind,
    /// Rows newest first.
    newest_first: bool,
    /// CRLF line ends.
    crlf: bool,
    /// A banner line before the header (not for Binance files).
    banner: Option<&'static str>,
    /// Whether the interval is given rather than inferred.
    give_interval: bool,
    /// Seeds the shuffling and casing of header columns.
    seed: u64,
}

#[derive(Debug, Clone)]
enum Kind {
    Binance { micros: bool },
    Columns { style: usize, time_name: &'static str, volumes: (&'static str, Option<&'static str>), trades: bool },
    MultiAsset { style: usize, chosen: usize, empty_before: usize },
}

/// The columns of a single-asset test file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Time,
    Open,
    High,
    Low,
    Close,
    Volume,
    QuoteVolume,
    Trades,
    Symbol,
}

/// Base and quote volume names, as files write them. The quote name is
/// dropped at random; pairs of `volume_<code>` columns keep their order.
const VOLUMES: [(&str, &str); 7] = [
    ("volume", "quote_volume"),
    ("Volume BTC", "Volume USD"),
    ("VolumeFrom", "VolumeTo"),
    ("volume_btc", "volume"),
    ("Volume_(BTC)", "Volume_(Currency)"),
    ("base_asset_volume", "Quote Asset Volume"),
    ("Volume ETH", "Volume BTC"),
];

const TIME_NAMES: [&str; 8] = ["date", "Date", "timestamp", "time", "datetime", "open_time", "unix", "Open Time"];

const BANNERS: [&str; 3] =
    ["https://www.CryptoDataDownload.com", "Created on 10-17-2019,https://www.CryptoDataDownload.com", "# export"];

const SYMBOLS: [&str; 3] = ["BTC", "ETH", "LTC"];

fn layout() -> impl Strategy<Value = Layout> {
    let kind = prop_oneof![
        any::<bool>().prop_map(|micros| Kind::Binance { micros }),
        (0..TimeStyle::ALL.len(), 0..TIME_NAMES.len(), 0..VOLUMES.len(), any::<bool>(), any::<bool>()).prop_map(
            |(style, time, volumes, quote, trades)| {
                let (base, quote_name) = VOLUMES[volumes];
                Kind::Columns {
                    style,
                    time_name: TIME_NAMES[time],
                    volumes: (base, quote.then_some(quote_name)),
                    trades,
                }
            }
        ),
        (0..TimeStyle::ALL.len(), 0..SYMBOLS.len(), 0_usize..5)
            .prop_map(|(style, chosen, empty_before)| Kind::MultiAsset { style, chosen, empty_before }),
    ];
    (kind, any::<bool>(), any::<bool>(), proptest::option::of(0..BANNERS.len()), any::<bool>(), any::<u64>()).prop_map(
        |(kind, newest_first, crlf, banner, give_interval, seed)| Layout {
            banner: banner.filter(|_| !matches!(kind, Kind::Binance { .. })).map(|banner| BANNERS[banner]),
            kind,
            newest_first,
            crlf,
            give_interval,
            seed: seed | 1,
        },
    )
}

/// Randomly upper- or lower-cases each letter.
fn random_case(name: &str, rng: &mut Rng) -> String {
    name.chars().map(|c| if rng.coin() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
}

/// A time style that can write every open time of `interval`.
fn style_for(style: usize, interval: Interval) -> TimeStyle {
    let style = TimeStyle::ALL[style];
    if style.fits(interval) { style } else { TimeStyle::IsoZ }
}

/// A file for `candles`, the options to read it with, and the candles as
/// the file can tell them, the format, and how many rows are skipped.
struct Rendered {
    text: String,
    options: ImportOptions,
    expected: Vec<Candle>,
    format: Format,
    skipped: u64,
}

fn render(interval: Interval, candles: &[Candle], layout: &Layout) -> Rendered {
    let mut rng = Rng(layout.seed);
    let strip = |quote: bool, trades: bool| -> Vec<Candle> {
        candles
            .iter()
            .map(|c| {
                let mut parts = c.parts();
                parts.quote_volume = parts.quote_volume.filter(|_| quote);
                parts.trades = parts.trades.filter(|_| trades);
                candle(interval, parts)
            })
            .collect()
    };
    let mut header = None;
    let mut rows: Vec<String>;
    let (expected, format, mut symbol, skipped) = match layout.kind {
        Kind::Binance { micros } => {
            rows = candles.iter().map(|c| binance_row(interval, c, micros)).collect();
            (candles.to_vec(), Format::BinanceKlines, None, 0)
        }
        Kind::Columns { style, time_name, volumes: (base, quote), trades } => {
            let style = style_for(style, interval);
            let time_name = match style {
                // An unnamed first column is a time column too.
                TimeStyle::Seconds if rng.coin() => "",
                _ => time_name,
            };
            let mut columns: Vec<(String, Cell)> = [
                Some((time_name, Cell::Time)),
                Some(("open", Cell::Open)),
                Some(("High", Cell::High)),
                Some(("low", Cell::Low)),
                Some(("CLOSE", Cell::Close)),
                Some((base, Cell::Volume)),
                quote.map(|quote| (quote, Cell::QuoteVolume)),
                trades.then_some(("trades", Cell::Trades)),
                Some(("symbol", Cell::Symbol)),
            ]
            .into_iter()
            .flatten()
            .map(|(name, cell)| (random_case(name, &mut rng), cell))
            .collect();
            if !time_name.is_empty() {
                rng.shuffle(&mut columns);
            }
            // Two `volume_<code>` columns are read base first.
            let position = |columns: &[(String, Cell)], which| columns.iter().position(|&(_, cell)| cell == which);
            if let (Some(b), Some(q)) = (position(&columns, Cell::Volume), position(&columns, Cell::QuoteVolume))
                && b > q
            {
                columns.swap(b, q);
            }
            header = Some(columns.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(","));
            rows = candles
                .iter()
                .map(|c| {
                    let cell = |cell: Cell| match cell {
                        Cell::Time => style.render(c.open_time()),
                        Cell::Open => c.open().to_string(),
                        Cell::High => c.high().to_string(),
                        Cell::Low => c.low().to_string(),
                        Cell::Close => c.close().to_string(),
                        Cell::Volume => c.volume().to_string(),
                        Cell::QuoteVolume => c.quote_volume().unwrap_or_default().to_string(),
                        Cell::Trades => c.trades().unwrap_or_default().to_string(),
                        Cell::Symbol => "BTCUSD".to_owned(),
                    };
                    columns.iter().map(|&(_, column)| cell(column)).collect::<Vec<_>>().join(",")
                })
                .collect();
            (strip(quote.is_some(), trades), Format::Columns, None, 0)
        }
        Kind::MultiAsset { style, chosen, empty_before } => {
            let style = style_for(style, interval);
            let fields = ["open", "high", "low", "close", "volume"];
            let names = SYMBOLS.iter().flat_map(|symbol| fields.iter().map(move |field| format!("{symbol}:{field}")));
            header = Some(std::iter::once(String::new()).chain(names).collect::<Vec<_>>().join(","));
            let other = "1,1,1,1,1";
            let row = |time: i64, values: &str| {
                let cells: Vec<&str> = (0..SYMBOLS.len()).map(|s| if s == chosen { values } else { other }).collect();
                format!("{},{}", style.render(time), cells.join(","))
            };
            let first = candles[0].open_time();
            rows = (1..=empty_before as i64).rev().map(|back| row(first - back * interval.millis(), ",,,,")).collect();
            rows.extend(candles.iter().map(|c| {
                row(c.open_time(), &format!("{},{},{},{},{}", c.open(), c.high(), c.low(), c.close(), c.volume()))
            }));
            (strip(false, false), Format::MultiAsset, Some(SYMBOLS[chosen].to_lowercase()), empty_before as u64)
        }
    };
    if layout.newest_first {
        rows.reverse();
    }
    let lines = layout.banner.map(str::to_owned).into_iter().chain(header).chain(rows);
    let end = if layout.crlf { "\r\n" } else { "\n" };
    let text = lines.map(|line| line + end).collect();
    if !matches!(layout.kind, Kind::MultiAsset { .. }) && rng.coin() {
        // A symbol is ignored by single-asset files.
        symbol = Some("XYZ".to_owned());
    }
    let options = ImportOptions { interval: layout.give_interval.then_some(interval), symbol };
    Rendered { text, options, expected, format, skipped }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_format_round_trips((interval, candles) in series(), layout in layout()) {
        let rendered = render(interval, &candles, &layout);
        let parsed = parse(rendered.text.as_bytes(), &rendered.options)
            .map_err(|error| TestCaseError::fail(format!("{error}\n{}", rendered.text)))?;
        assert_counts(&parsed);
        prop_assert_eq!(parsed.rejected.first(), None, "{}", rendered.text);
        prop_assert_eq!(parsed.format, rendered.format);
        prop_assert_eq!(parsed.interval, interval);
        prop_assert_eq!(parsed.skipped, rendered.skipped);
        prop_assert_eq!(parsed.rows, candles.len() as u64 + rendered.skipped);
        let order = if layout.newest_first { Order::NewestFirst } else { Order::OldestFirst };
        prop_assert_eq!(parsed.order, order);
        prop_assert_eq!(parsed.candles, rendered.expected);
    }

    #[test]
    fn garbage_lines_are_rejected_or_skipped_never_panicking(
        (interval, candles) in series(),
        layout in layout(),
        garbage in proptest::collection::vec(("[ -~\\t]{0,80}", any::<prop::sample::Index>()), 1..10),
    ) {
        let rendered = render(interval, &candles, &layout);
        let mut lines: Vec<&str> = rendered.text.lines().collect();
        // Data starts after the header, or after the first Binance row.
        let first_data = match layout.kind {
            Kind::Binance { .. } => 1,
            _ => usize::from(layout.banner.is_some()) + 1,
        };
        let mut nonblank = 0;
        for (line, at) in &garbage {
            let at = first_data + at.index(lines.len() - first_data + 1);
            lines.insert(at, line);
            nonblank += u64::from(!line.trim().is_empty());
        }
        let text = lines.join("\n");
        let options = ImportOptions { interval: Some(interval), ..rendered.options };
        let parsed = parse(text.as_bytes(), &options).map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
        assert_counts(&parsed);
        prop_assert_eq!(parsed.rows, candles.len() as u64 + rendered.skipped + nonblank);
        prop_assert_eq!(parsed.candles, rendered.expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), interval in proptest::option::of(0..Interval::ALL.len())) {
        let options = ImportOptions { interval: interval.map(|i| Interval::ALL[i]), symbol: None };
        if let Ok(parsed) = parse(&bytes, &options) {
            assert_counts(&parsed);
        }
    }

    #[test]
    fn corrupted_files_never_panic_and_counts_add_up(
        (interval, candles) in series(),
        layout in layout(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
    ) {
        let rendered = render(interval, &candles, &layout);
        let mut bytes = rendered.text.into_bytes();
        for (at, byte) in flips {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        if let Ok(parsed) = parse(&bytes, &rendered.options) {
            assert_counts(&parsed);
        }
    }
}
