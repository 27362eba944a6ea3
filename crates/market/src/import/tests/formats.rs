//! Format detection, header columns and row outcomes, on small files.

use super::super::{Format, ImportError, ImportOptions, Order, parse, parse_with_progress};
use super::{Rng, binance_row, candle, parse_ok, reasons, with_interval};
use crate::candle::{CandleParts, Interval};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2024-01-01T00:00:00Z.
const JAN_1: i64 = 1_704_067_200_000;

fn no_options() -> ImportOptions {
    ImportOptions::default()
}

fn symbol(symbol: &str) -> ImportOptions {
    ImportOptions { interval: None, symbol: Some(symbol.to_owned()) }
}

fn error(text: &str, options: &ImportOptions) -> ImportError {
    match parse(text.as_bytes(), options) {
        Ok(parsed) => panic!("parsed: {parsed:?}"),
        Err(error) => error,
    }
}

#[test]
fn binance_rows_mix_millisecond_and_microsecond_open_times() {
    let text = "\
1735686000000,93500.1,93600,93400.5,93550,12.5,1735689599999,1169000.25,4000,6.25,584500.125,0
1735689600000000,93550,93700,93500,93650,10,1735693199999999,936000,3500,5,468000,0
";
    let parsed = parse_ok(text, &no_options());
    assert_eq!(parsed.format, Format::BinanceKlines);
    assert_eq!(parsed.interval, Interval::H1);
    assert_eq!((parsed.rows, parsed.candles.len()), (2, 2));
    let first = parsed.candles[0];
    assert_eq!(first.open_time(), 1_735_686_000_000);
    assert_eq!((first.open(), first.high(), first.low(), first.close()), (93_500.1, 93_600.0, 93_400.5, 93_550.0));
    assert_eq!((first.volume(), first.quote_volume(), first.trades()), (12.5, Some(1_169_000.25), Some(4_000)));
    assert_eq!(parsed.candles[1].open_time(), 1_735_689_600_000);
}

#[test]
fn bad_binance_rows_are_rejected_with_their_line_and_reason() {
    let text = "\
1704067200000,1,2,0.5,1.5,10,1704067259999,15,3,5,7.5,0

1704067260000,1,2,0.5,1.5,10,1704067319999,15,3,5,7.5
1704067320000,1,x2,0.5,1.5,10,1704067379999,15,3,5,7.5,0
1704067380000,1,2,0.5,1.5,10,1704067439999,15,3.5,5,7.5,0
1704067440000,1,2,1.2,1.5,10,1704067499999,15,3,5,7.5,0
1704067500000,1,2,0.5,1.5,-1,1704067559999,15,3,5,7.5,0
1704067560001,1,2,0.5,1.5,10,1704067619999,15,3,5,7.5,0
1704067620000,1,2,0.5,1.5,10,1704067679999,15,3,5,7.5,0
1704067620000,1,3,0.5,1.5,10,1704067679999,15,3,5,7.5,0
";
    let parsed = parse_ok(text, &with_interval(Interval::M1));
    assert_eq!(parsed.rows, 9, "the blank line 2 is no row");
    assert_eq!(parsed.candles.len(), 2);
    assert_eq!(
        reasons(&parsed),
        [
            (3, "expected 12 columns, found 11"),
            (4, "invalid number `x2` in column `high`"),
            (5, "invalid count `3.5` in column `trades`"),
            (6, "low 1.2 is above min(open, close) 1"),
            (7, "volume must be finite and not negative, got -1"),
            (8, "time 2024-01-01T00:06:00.001Z is not on the 1m grid"),
            (10, "duplicate open time 2024-01-01T00:07:00Z (first at line 9)"),
        ]
    );
}

#[test]
fn a_banner_and_newest_first_rows_are_handled() {
    let text = "\
Timestamps are UTC timezone,https://www.CryptoDataDownload.com\r
date,symbol,open,high,low,close,volume_btc,volume\r
2019-10-17 02-AM,BTCUSD,8000,8100,7900,8050,2,16100\r
2019-10-17 01-AM,BTCUSD,7990,8010,7980,8000,1.5,12000\r
2019-10-17 12-AM,BTCUSD,7950,8000,7900,7990,3,24000\r
";
    let parsed = parse_ok(text, &no_options());
    assert_eq!((parsed.format, parsed.order, parsed.interval), (Format::Columns, Order::NewestFirst, Interval::H1));
    let expected: Vec<_> = [
        (0, 7950.0, 8000.0, 7900.0, 7990.0, 3.0, 24_000.0),
        (1, 7990.0, 8010.0, 7980.0, 8000.0, 1.5, 12_000.0),
        (2, 8000.0, 8100.0, 7900.0, 8050.0, 2.0, 16_100.0),
    ]
    .into_iter()
    .map(|(hour, open, high, low, close, volume, quote)| {
        candle(
            Interval::H1,
            CandleParts {
                open_time: 1_571_270_400_000 + hour * HOUR,
                open,
                high,
                low,
                close,
                volume,
                quote_volume: Some(quote),
                trades: None,
            },
        )
    })
    .collect();
    assert_eq!(parsed.candles, expected);
}

/// The base and quote volume a header's columns give for a row with
/// `10` under the first volume-like column and `20` under the second.
fn volumes(header_volumes: &str) -> Result<(f64, Option<f64>), ImportError> {
    let text = format!(
        "time,open,high,low,close,{header_volumes}\n2024-01-01,1,2,0.5,1.5,10,20\n2024-01-02,1,2,0.5,1.5,10,20\n"
    );
    let parsed = parse(text.as_bytes(), &no_options())?;
    Ok((parsed.candles[0].volume(), parsed.candles[0].quote_volume()))
}

#[test]
fn volume_columns_are_told_apart_by_name_and_order() {
    for (header, expected) in [
        ("volume,quote_volume", (10.0, Some(20.0))),
        ("quote_volume,volume", (20.0, Some(10.0))),
        ("VolumeFrom,VolumeTo", (10.0, Some(20.0))),
        ("VolumeTo,VolumeFrom", (20.0, Some(10.0))),
        ("Volume BTC,Volume USD", (10.0, Some(20.0))),
        ("Volume ETH,Volume BTC", (10.0, Some(20.0))),
        ("Volume_(BTC),Volume_(Currency)", (10.0, Some(20.0))),
        ("volume_btc,volume", (10.0, Some(20.0))),
        ("volume,volume_btc", (20.0, Some(10.0))),
        ("volume_usd,volume", (20.0, Some(10.0))),
        ("Volume,Volume USDT", (10.0, Some(20.0))),
        ("base_volume,tradecount", (10.0, None)),
        ("vol,Volume Weighted Average Price", (10.0, None)),
    ] {
        assert_eq!(volumes(header), Ok(expected), "{header}");
    }
    assert_eq!(
        volumes("volume_usd,quote_volume"),
        Err(ImportError::MissingColumns { line: 1, missing: vec!["volume"] })
    );
    assert_eq!(
        volumes("volume,vol"),
        Err(ImportError::DuplicateColumn { line: 1, role: "volume", first: "volume".into(), second: "vol".into() })
    );
    let error = volumes("volume_a,volume_b,volume_c").unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 1: cannot tell the base volume from the quote volume among columns `volume_a`, `volume_b`, `volume_c`"
    );
}

#[test]
fn header_names_match_in_any_case_and_order_and_trades_are_kept() {
    let text = "\
Symbol,TRADES,Close,Low,High,Open,Volume,Open Time,Close Time
BTCUSDT,42.0,1.5,0.5,2,1,10,2024-01-01T00:00:00Z,2024-01-01T23:59:59.999Z
BTCUSDT,,1.5,0.5,2,1,10,2024-01-02T00:00:00Z,2024-01-02T23:59:59.999Z
BTCUSDT,7x,1.5,0.5,2,1,10,2024-01-03T00:00:00Z,2024-01-03T23:59:59.999Z
";
    let parsed = parse_ok(text, &no_options());
    assert_eq!(parsed.interval, Interval::D1);
    assert_eq!(parsed.candles.len(), 2);
    assert_eq!(
        parsed.candles[0].parts(),
        CandleParts {
            open_time: JAN_1,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            volume: 10.0,
            quote_volume: None,
            trades: Some(42),
        }
    );
    assert_eq!(parsed.candles[1].trades(), None);
    assert_eq!(reasons(&parsed), [(4, "invalid count `7x` in column `TRADES`")]);
}

#[test]
fn binance_futures_and_newer_cryptodatadownload_headers_are_read() {
    let futures = "\
open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore
1704067200000,1,2,0.5,1.5,10,1704067259999,15,3,5,7.5,0
1704067260000,1,2,0.5,1.5,10,1704067319999,15,3,5,7.5,0
";
    let parsed = parse_ok(futures, &no_options());
    assert_eq!((parsed.format, parsed.interval), (Format::Columns, Interval::M1));
    assert_eq!(
        (parsed.candles[0].volume(), parsed.candles[0].quote_volume(), parsed.candles[0].trades()),
        (10.0, Some(15.0), Some(3))
    );
    let cdd = "\
https://www.CryptoDataDownload.com
unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount
1704153600000,2024-01-02 00:00:00,BTC/USDT,1,2,0.5,1.5,10,15,3
1704067200,2024-01-01 00:00:00,BTC/USDT,1,2,0.5,1.5,20,30,6
";
    let parsed = parse_ok(cdd, &no_options());
    assert_eq!((parsed.order, parsed.interval), (Order::NewestFirst, Interval::D1));
    assert_eq!(
        parsed.candles[0].parts(),
        CandleParts {
            open_time: JAN_1,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            volume: 20.0,
            quote_volume: Some(30.0),
            trades: Some(6),
        }
    );
    assert_eq!(
        reasons(&parse_ok(
            "unix,open,high,low,close,volume\n1704067200,1,2,0.5,1.5,10\n",
            &with_interval(Interval::D1)
        )),
        []
    );
    let bad_binance = "1704067200000,1,2,0.5,1.5,10,1704067259999,15,3,5,7.5,0\n2024-01-01,1,2,0.5,1.5,10,1704067259999,15,3,5,7.5,0\n";
    assert_eq!(
        reasons(&parse_ok(bad_binance, &with_interval(Interval::M1))),
        [(
            2,
            "invalid time `2024-01-01` in column `open_time`: expected a date (YYYY-MM-DD, optionally with a time), or Unix seconds, milliseconds or microseconds"
        )]
    );
}

#[test]
fn an_unnamed_first_column_is_the_time_when_no_column_is_named_so() {
    let text = ",open,high,low,close,volume\n1704067200,1,2,0.5,1.5,10\n1704153600,1,2,0.5,1.5,10\n";
    let parsed = parse_ok(text, &no_options());
    assert_eq!((parsed.interval, parsed.candles[0].open_time()), (Interval::D1, JAN_1));
    // A named time column wins over a pandas index.
    let text = ",unix,open,high,low,close,volume\n0,1704067200000,1,2,0.5,1.5,10\n1,1704153600000,1,2,0.5,1.5,10\n";
    assert_eq!(parse_ok(text, &no_options()).candles[1].open_time(), JAN_1 + DAY);
}

#[test]
fn quoted_fields_are_unquoted() {
    let text = "\
\"date\",\"open\",\"high\",\"low\",\"close\",\"volume\",\"note\"
\"2024-01-01\",\"1\",\"2\",\"0.5\",\"1.5\",\"10\",\"a, \"\"quoted\"\" note\"
2024-01-02, 1 , 2 ,0.5,1.5,10,plain
\"2024-01-03\",\"1,5\",\"2\",\"0.5\",\"1.5\",\"10\",
";
    let parsed = parse_ok(text, &no_options());
    assert_eq!(parsed.candles.len(), 2);
    assert_eq!(parsed.candles[1].open(), 1.0);
    assert_eq!(reasons(&parsed), [(4, "invalid number `1,5` in column `open`")]);
}

#[test]
fn rows_with_empty_value_cells_are_skipped_and_short_or_partial_rows_rejected() {
    let text = "\
date,open,high,low,close,volume
2024-01-01,1,2,0.5,1.5,10
2024-01-02,,,,,
2024-01-03
2024-01-04,1,2,0.5,,10
2024-01-05,1,2,0.5
,1,2,0.5,1.5,10
2024-01-07,1,2,0.5,1.5,10
";
    let parsed = parse_ok(text, &with_interval(Interval::D1));
    assert_eq!((parsed.rows, parsed.candles.len(), parsed.skipped), (7, 2, 2));
    assert_eq!(
        reasons(&parsed),
        [
            (5, "empty value in column `close`"),
            (6, "row has 4 fields, fewer than the header's 6"),
            (7, "empty time in column `date`"),
        ]
    );
}

#[test]
fn multi_asset_files_need_a_symbol_that_names_their_columns() {
    let text = "\
,BTC:open,BTC:high,BTC:low,BTC:close,BTC:volume,ETH:open,ETH:high,ETH:low,ETH:close,ETH:volume
2024-01-01,100,110,90,105,1.5,,,,,
2024-01-02,105,115,100,110,2.5,10,11,9,10.5,30
2024-01-03,110,120,105,115,3.5,10.5,12,10,11,40
2024-01-04,115,125,110,120,4.5,11,12,10,,50
";
    assert_eq!(error(text, &no_options()), ImportError::SymbolRequired { symbols: vec!["BTC".into(), "ETH".into()] });
    assert_eq!(error(text, &symbol("LTC")).to_string(), "the file has no `LTC` columns; it holds BTC, ETH");
    let btc = parse_ok(text, &symbol("BTC"));
    assert_eq!((btc.format, btc.interval, btc.candles.len(), btc.skipped), (Format::MultiAsset, Interval::D1, 4, 0));
    assert_eq!(btc.candles[3].volume(), 4.5);
    let eth = parse_ok(text, &symbol("eth"));
    assert_eq!((eth.rows, eth.candles.len(), eth.skipped), (4, 2, 1));
    assert_eq!(eth.candles[0].parts().open_time, JAN_1 + DAY);
    assert_eq!((eth.candles[0].open(), eth.candles[0].volume()), (10.0, 30.0));
    assert_eq!(reasons(&eth), [(5, "empty value in column `ETH:close`")]);
}

#[test]
fn a_file_with_one_prefixed_symbol_needs_none() {
    let text =
        "date,BTC:open,BTC:high,BTC:low,BTC:close,BTC:volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,1.5,10\n";
    assert_eq!(parse_ok(text, &no_options()).candles.len(), 2);
}

#[test]
fn whole_file_problems_are_refused_with_a_clear_error() {
    let coingecko = "\
timestamp,readableTimestamp,coinId,price,marketCap,totalVolume
1609459200000,\"1/1/2021, 12:00:00 AM\",bitcoin,29022.41839530417,539438036435.6701,43503516563.294876
";
    assert_eq!(error(coingecko, &no_options()), ImportError::CloseOnly { line: 1 });
    assert_eq!(error("date,close,volume\n2024-01-01,1,2\n", &no_options()), ImportError::CloseOnly { line: 1 });
    assert_eq!(
        error("banner\ndate,open,close\n", &no_options()).to_string(),
        "line 2: the header has no high, low or volume column"
    );
    assert_eq!(
        error("open,high,low,close,volume\n1,2,0.5,1.5,10\n", &no_options()),
        ImportError::MissingColumns { line: 1, missing: vec!["time"] }
    );
    assert_eq!(
        error("date,open,high,low,close,volume,Open\n", &no_options()).to_string(),
        "line 1: columns `open` and `Open` are both read as the open; remove or rename one"
    );
    assert_eq!(error("1,2,3\n4,5,6\n", &no_options()), ImportError::UnknownFormat { first_line: "1,2,3".into() });
    assert_eq!(error(" \n\r\n\n", &no_options()), ImportError::Empty);
    assert_eq!(error("", &no_options()), ImportError::Empty);
    let utf16 = [0xFF, 0xFE, b'd', 0, b'a', 0];
    assert_eq!(parse(&utf16, &no_options()), Err(ImportError::Utf16));
    // The header must be among the first 10 non-blank lines.
    let late = format!("{}date,open,high,low,close,volume\n", "banner\n".repeat(10));
    assert!(matches!(error(&late, &no_options()), ImportError::UnknownFormat { .. }));
}

#[test]
fn the_interval_is_inferred_from_the_most_common_spacing() {
    let row = |ms: i64| format!("{ms},1,2,0.5,1.5,10\n");
    let file = |times: &[i64]| {
        format!("time,open,high,low,close,volume\n{}", times.iter().map(|&t| row(t)).collect::<String>())
    };
    // One gap and one out-of-place row do not change the 4h spacing.
    let four = 4 * HOUR;
    let times = [JAN_1, JAN_1 + four, JAN_1 + 3 * four, JAN_1 + 2 * four, JAN_1 + 7 * four, JAN_1 + 8 * four];
    let parsed = parse_ok(&file(&times), &no_options());
    assert_eq!((parsed.interval, parsed.order, parsed.candles.len()), (Interval::H4, Order::OldestFirst, 6));
    assert_eq!(
        error(&file(&[JAN_1, JAN_1 + 2 * HOUR, JAN_1 + 4 * HOUR]), &no_options()).to_string(),
        "rows are most often 2h apart, which is not a supported interval (1m, 5m, 15m, 1h, 4h, 1d, 1w); pass --interval"
    );
    assert_eq!(
        error(&file(&[JAN_1 + 90_500, JAN_1]), &no_options()),
        ImportError::UnsupportedSpacing { spacing_ms: 90_500 }
    );
    assert!(error(&file(&[JAN_1 + 90_500, JAN_1]), &no_options()).to_string().contains("1m 30s 500ms apart"));
    assert_eq!(error(&file(&[JAN_1, JAN_1]), &no_options()), ImportError::TooFewTimes);
    assert_eq!(error(&file(&[]), &no_options()), ImportError::TooFewTimes);
    // Given an interval, a header-only file is fine, and rows off its grid
    // are rejected.
    assert_eq!(parse_ok(&file(&[]), &with_interval(Interval::D1)).rows, 0);
    let parsed = parse_ok(&file(&[JAN_1, JAN_1 + HOUR, JAN_1 + DAY]), &with_interval(Interval::D1));
    assert_eq!(reasons(&parsed), [(3, "time 2024-01-01T01:00:00Z is not on the 1d grid")]);
}

#[test]
fn a_duplicate_time_keeps_the_first_valid_row_in_file_order() {
    let text = "\
date,open,high,low,close,volume
2024-01-02,1,2,0.5,1.5,10
2024-01-01,1,1,0.5,1.5,10
2024-01-01,1,2,0.5,1.5,11
2024-01-01,1,2,0.5,1.5,12
";
    let parsed = parse_ok(text, &no_options());
    assert_eq!(parsed.candles.len(), 2);
    assert_eq!(parsed.candles[0].volume(), 11.0);
    assert_eq!(
        reasons(&parsed),
        [
            (3, "high 1 is below max(open, close) 1.5"),
            (5, "duplicate open time 2024-01-01T00:00:00Z (first at line 4)")
        ]
    );
}

#[test]
fn a_utf8_byte_order_mark_is_skipped() {
    let text = "\u{feff}date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,1.5,10\n";
    assert_eq!(parse_ok(text, &no_options()).candles.len(), 2);
}

#[test]
fn invalid_utf8_in_a_value_rejects_the_row() {
    let mut bytes = b"date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,1.".to_vec();
    bytes.extend_from_slice(&[0xFF, b',', b'1', b'0', b'\n']);
    bytes.extend_from_slice(b"2024-01-03,1,2,0.5,1.5,10\n");
    let parsed = parse(&bytes, &with_interval(Interval::D1)).unwrap();
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(parsed.rejected[0].line, 3);
    assert_eq!(parsed.rejected[0].reason, "invalid number `1.\u{fffd}` in column `close`");
}

#[test]
fn progress_reports_bytes_read_up_to_the_whole_input() {
    let text: String =
        (0..200_000_i64).map(|i| format!("{},1,2,0.5,1.5,10,0,15,3,5,7.5,0\n", JAN_1 + i * 60_000)).collect();
    let mut reports = Vec::new();
    let parsed = parse_with_progress(text.as_bytes(), &no_options(), |done| reports.push(done)).unwrap();
    assert_eq!(parsed.candles.len(), 200_000);
    assert_eq!(reports.len(), 4);
    assert!(reports.is_sorted());
    assert_eq!(reports.last(), Some(&text.len()));
}

#[test]
fn ten_thousand_synthetic_binance_rows_round_trip() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let start = 1_735_000_000_000 / 60_000 * 60_000;
    let candles: Vec<_> = (0..10_000_i64)
        .map(|i| {
            let open = rng.price(50_000.0, 100_000.0);
            let close = rng.price(50_000.0, 100_000.0);
            let volume = rng.next() as f64 / u64::MAX as f64 * 50.0;
            candle(
                Interval::M1,
                CandleParts {
                    open_time: start + i * 60_000,
                    open,
                    high: open.max(close) + rng.price(0.0, 100.0),
                    low: open.min(close) - rng.price(0.0, 100.0),
                    close,
                    volume,
                    quote_volume: Some(volume * open),
                    trades: Some(rng.next() % 10_000),
                },
            )
        })
        .collect();
    // The second half in microseconds, as in files from 2025 on.
    let text: String =
        candles.iter().enumerate().map(|(i, c)| binance_row(Interval::M1, c, i >= 5_000) + "\n").collect();
    let parsed = parse_ok(&text, &no_options());
    assert_eq!((parsed.format, parsed.interval, parsed.rows), (Format::BinanceKlines, Interval::M1, 10_000));
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected.first());
    assert_eq!(parsed.candles, candles);
}
