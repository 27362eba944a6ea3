//! The candle store: OHLCV series per asset and interval.

use std::ops::Range;

use altgate_market::Candle;
use altgate_protocol::{AssetId, Interval, Source};
use async_trait::async_trait;

use super::StoreError;

/// One asset's candles at one interval.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Series {
    /// The asset.
    pub asset: AssetId,
    /// The interval every candle of the series spans.
    pub interval: Interval,
}

impl Series {
    /// The series of `asset` at `interval`.
    pub fn new(asset: AssetId, interval: Interval) -> Series {
        Series { asset, interval }
    }
}

/// A checked candle and where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourcedCandle {
    /// The candle.
    pub candle: Candle,
    /// Its origin.
    pub source: Source,
}

/// Candles to write into one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesWrite {
    /// The series written to.
    pub series: Series,
    /// Candles checked against the series' interval, in any order, open
    /// times unique.
    pub candles: Vec<SourcedCandle>,
}

/// What a stored series holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesInfo {
    /// The series.
    pub series: Series,
    /// The open time of its first candle.
    pub first: i64,
    /// The open time of its last candle.
    pub last: i64,
    /// How many candles it holds.
    pub count: u64,
}

/// OHLCV storage.
#[async_trait]
pub trait CandleStore {
    /// Writes candles, replacing stored candles with the same open time,
    /// all in one transaction. Returns, for each write, how many of its
    /// candles were new or different; writing candles already stored
    /// changes nothing.
    async fn upsert_candles(&self, writes: &[SeriesWrite]) -> Result<Vec<u64>, StoreError>;

    /// Candles of `series` whose open time is in `range`, oldest first, at
    /// most `limit`.
    async fn candles(&self, series: &Series, range: Range<i64>, limit: u32) -> Result<Vec<SourcedCandle>, StoreError>;

    /// The open time of the first candle of `series` in `range`.
    async fn first_open_time(&self, series: &Series, range: Range<i64>) -> Result<Option<i64>, StoreError>;

    /// The newest `count` candles of `series`, oldest first.
    async fn latest_candles(&self, series: &Series, count: u32) -> Result<Vec<SourcedCandle>, StoreError>;

    /// Every series that holds candles.
    async fn series(&self) -> Result<Vec<SeriesInfo>, StoreError>;
}
