//! Tests of the importer: timestamps, detection and rows, property tests
//! over every format, and the real files under `shared/data/prices/`.

mod formats;
mod props;
mod real;
mod timestamps;

use super::time::civil_from_days;
use super::{ImportOptions, Parsed, parse};
use crate::candle::{Candle, CandleParts, Interval};

/// Options with an interval and no symbol.
fn with_interval(interval: Interval) -> ImportOptions {
    ImportOptions { interval: Some(interval), symbol: None }
}

/// Parses text that must parse, checking that the counts add up.
fn parse_ok(text: &str, options: &ImportOptions) -> Parsed {
    let parsed = parse(text.as_bytes(), options).unwrap_or_else(|error| panic!("{error}\n{text}"));
    assert_counts(&parsed);
    parsed
}

/// Rows are candles, rejections or skips; candles are sorted and unique.
fn assert_counts(parsed: &Parsed) {
    assert_eq!(parsed.rows, parsed.candles.len() as u64 + parsed.rejected.len() as u64 + parsed.skipped);
    assert!(parsed.candles.windows(2).all(|pair| pair[0].open_time() < pair[1].open_time()));
    assert!(parsed.rejected.windows(2).all(|pair| pair[0].line < pair[1].line));
}

/// The reasons of the rejections, by line.
fn reasons(parsed: &Parsed) -> Vec<(u64, &str)> {
    parsed.rejected.iter().map(|rejection| (rejection.line, rejection.reason.as_str())).collect()
}

fn candle(interval: Interval, parts: CandleParts) -> Candle {
    Candle::new(interval, parts).unwrap_or_else(|error| panic!("{error}: {parts:?}"))
}

/// Unix milliseconds as calendar fields: year, month, day, hour, minute,
/// second, millisecond.
fn civil(ms: i64) -> (i64, u32, u32, i64, i64, i64, i64) {
    const DAY: i64 = 86_400_000;
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY));
    let in_day = ms.rem_euclid(DAY);
    (year, month, day, in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1_000 % 60, in_day % 1_000)
}

/// The ways a test renders a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeStyle {
    /// `2024-03-01T12:00:00Z`
    IsoZ,
    /// `2024-03-01 12:00:00`
    IsoSpace,
    /// `2024-03-01T12:00:00.000000`
    IsoFraction,
    /// `2024-03-01 13:30` with `+01:30`
    IsoOffset,
    /// `2024-03-01`, for midnights.
    Date,
    /// `2024-03-01 12-PM`, for whole hours.
    AmPm,
    /// Unix seconds.
    Seconds,
    /// Unix milliseconds.
    Millis,
    /// Unix microseconds.
    Micros,
}

impl TimeStyle {
    const ALL: [TimeStyle; 9] = [
        TimeStyle::IsoZ,
        TimeStyle::IsoSpace,
        TimeStyle::IsoFraction,
        TimeStyle::IsoOffset,
        TimeStyle::Date,
        TimeStyle::AmPm,
        TimeStyle::Seconds,
        TimeStyle::Millis,
        TimeStyle::Micros,
    ];

    /// Whether every open time of `interval` can be written in this style.
    fn fits(self, interval: Interval) -> bool {
        match self {
            TimeStyle::Date => interval >= Interval::D1,
            TimeStyle::AmPm => interval >= Interval::H1,
            _ => true,
        }
    }

    fn render(self, ms: i64) -> String {
        let (y, mo, d, h, mi, s, milli) = civil(ms);
        match self {
            TimeStyle::IsoZ => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            TimeStyle::IsoSpace => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
            TimeStyle::IsoFraction => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}000"),
            TimeStyle::IsoOffset => {
                let (y, mo, d, h, mi, _, _) = civil(ms + 90 * 60_000);
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}+01:30")
            }
            TimeStyle::Date => format!("{y:04}-{mo:02}-{d:02}"),
            TimeStyle::AmPm => {
                let half = if h < 12 { "AM" } else { "PM" };
                let hour12 = if h % 12 == 0 { 12 } else { h % 12 };
                format!("{y:04}-{mo:02}-{d:02} {hour12:02}-{half}")
            }
            TimeStyle::Seconds => (ms / 1_000).to_string(),
            TimeStyle::Millis => ms.to_string(),
            TimeStyle::Micros => (ms * 1_000).to_string(),
        }
    }
}

/// A Binance kline row for `candle`, its times in microseconds if `micros`.
fn binance_row(interval: Interval, candle: &Candle, micros: bool) -> String {
    let scale = if micros { 1_000 } else { 1 };
    let open_time = candle.open_time() * scale;
    let close_time = (candle.open_time() + interval.millis()) * scale - 1;
    format!(
        "{open_time},{},{},{},{},{},{close_time},{},{},{},{},0",
        candle.open(),
        candle.high(),
        candle.low(),
        candle.close(),
        candle.volume(),
        candle.quote_volume().unwrap_or_default(),
        candle.trades().unwrap_or_default(),
        candle.volume() / 2.0,
        candle.quote_volume().unwrap_or_default() / 2.0,
    )
}

/// A small deterministic generator (xorshift64*) for synthetic rows.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A fair coin toss.
    fn coin(&mut self) -> bool {
        self.next() >> 63 == 1
    }

    /// A float in `[low, high)` with a short decimal form.
    fn price(&mut self, low: f64, high: f64) -> f64 {
        let cents = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((low + (high - low) * cents) * 100.0).round() / 100.0
    }

    /// Shuffles `items` (Fisher–Yates).
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
