//! Storing imported candles: in batches, each one transaction with its
//! roll-ups, so a kill at any moment leaves a consistent store and running
//! the import again completes it (writes are upserts: what is already
//! stored is left unchanged).

use altgate_market::{Candle, Interval};
use altgate_protocol::{AssetId, Source};

use super::Market;
use crate::store::{Series, SeriesWrite, SourcedCandle, StoreError};

/// Candles per transaction.
pub(crate) const IMPORT_BATCH: usize = 50_000;

impl Market {
    /// Stores `candles` of `interval` for `asset`, reporting the number of
    /// candles stored so far after each batch. Returns how many stored
    /// candles were new or changed.
    pub(crate) async fn import(
        &self,
        asset: &AssetId,
        interval: Interval,
        candles: &[Candle],
        mut progress: impl FnMut(u64) + Send,
    ) -> Result<u64, StoreError> {
        let mut written = 0;
        let mut done = 0;
        for batch in candles.chunks(IMPORT_BATCH) {
            let candles = batch.iter().map(|&candle| SourcedCandle { candle, source: Source::Import }).collect();
            let write = SeriesWrite { series: Series::new(asset.clone(), interval), candles };
            written += self.write(vec![write]).await?;
            done += batch.len() as u64;
            progress(done);
        }
        Ok(written)
    }
}

/// How far an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// Bytes of the file read so far, of `total`.
    Read {
        /// Bytes read.
        done: u64,
        /// The file's size.
        total: u64,
    },
    /// Candles stored so far, of `total`.
    Stored {
        /// Candles stored.
        done: u64,
        /// Candles to store.
        total: u64,
    },
}

/// Why a file was not imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// No asset has this id.
    #[error("no asset has the id `{0}`")]
    UnknownAsset(AssetId),
    /// The file cannot be read as candles.
    #[error(transparent)]
    Unreadable(#[from] altgate_market::import::ImportError),
    /// The store failed; batches already committed stay, and importing the
    /// file again completes it.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Rejected rows listed in an [`ImportResult`](altgate_protocol::ImportResult).
pub const LISTED_REJECTIONS: usize = 100;

/// An import is parsed in parts of about this size, each one parsed while
/// the previous one is stored, so memory stays small and both cores work.
const PART_BYTES: usize = 16 << 20;

/// What the parts of a file added up to.
#[derive(Debug, Default)]
struct Tally {
    rows: u64,
    candles: u64,
    skipped: u64,
    rejected: Vec<altgate_market::import::Rejection>,
    /// The open-time range of each part's candles.
    ranges: Vec<(i64, i64)>,
}

impl Tally {
    /// Counts a parsed part whose data lines start at file line `first_line`;
    /// false when its candles overlap an earlier part's (the file is not in
    /// time order, so duplicates across parts could not be told).
    fn add(&mut self, part: &altgate_market::import::Parsed, first_line: u64) -> bool {
        if let (Some(first), Some(last)) = (part.candles.first(), part.candles.last()) {
            let (lo, hi) = (first.open_time(), last.open_time());
            if self.ranges.iter().any(|&(a, b)| lo <= b && hi >= a) {
                return false;
            }
            self.ranges.push((lo, hi));
        }
        self.rows += part.rows;
        self.candles += part.candles.len() as u64;
        self.skipped += part.skipped;
        let shift = first_line.saturating_sub(part.data_start.1);
        self.rejected.extend(
            part.rejected
                .iter()
                .map(|r| altgate_market::import::Rejection { line: r.line + shift, reason: r.reason.clone() }),
        );
        true
    }
}

/// The end of the part starting at `start`: the end of the line holding
/// byte `start + PART_BYTES`, or of the file.
fn part_end(file: &[u8], start: usize, part_bytes: usize) -> usize {
    let from = start.saturating_add(part_bytes);
    if from >= file.len() {
        return file.len();
    }
    file[from..].iter().position(|&b| b == b'\n').map_or(file.len(), |i| from + i + 1)
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

async fn parse_blocking(
    input: axum::body::Bytes,
    options: altgate_market::import::ImportOptions,
) -> Result<altgate_market::import::Parsed, ImportFailure> {
    tokio::task::spawn_blocking(move || altgate_market::import::parse(&input, &options))
        .await
        .map_err(|e| StoreError::Corrupt(format!("import parser stopped: {e}")))?
        .map_err(ImportFailure::from)
}

impl crate::platform::Platform {
    /// Parses an OHLCV file and stores its candles for `asset`.
    ///
    /// The file is parsed in parts, each stored (in batches, with roll-ups)
    /// while the next is parsed; later parts are parsed with the first
    /// part's header and interval. A file whose parts overlap in time is
    /// parsed again as a whole, so duplicates are still told apart.
    pub(crate) async fn import_file(
        &self,
        asset: &AssetId,
        file: axum::body::Bytes,
        options: altgate_market::import::ImportOptions,
        progress: impl Fn(ImportProgress) + Send + Sync + 'static,
    ) -> Result<altgate_protocol::ImportResult, ImportFailure> {
        self.import_in_parts(asset, file, options, progress, PART_BYTES).await
    }

    async fn import_in_parts(
        &self,
        asset: &AssetId,
        file: axum::body::Bytes,
        options: altgate_market::import::ImportOptions,
        progress: impl Fn(ImportProgress) + Send + Sync + 'static,
        part_bytes: usize,
    ) -> Result<altgate_protocol::ImportResult, ImportFailure> {
        if self.catalog.get(asset.as_str()).is_none() {
            return Err(ImportFailure::UnknownAsset(asset.clone()));
        }
        self.market.ensure_warm().await?;
        let total = file.len() as u64;
        let mut end = part_end(&file, 0, part_bytes);
        let first = match parse_blocking(file.slice(..end), options.clone()).await {
            // The interval is inferred from the whole file when the first
            // part cannot tell it.
            Err(ImportFailure::Unreadable(
                altgate_market::import::ImportError::TooFewTimes
                | altgate_market::import::ImportError::UnsupportedSpacing { .. },
            )) if end < file.len() => {
                end = file.len();
                parse_blocking(file.clone(), options.clone()).await?
            }
            first => first?,
        };
        progress(ImportProgress::Read { done: end as u64, total });
        let (format, interval) = (first.format, first.interval);
        let preamble = file.slice(..first.data_start.0);
        let options = altgate_market::import::ImportOptions { interval: Some(interval), ..options };
        let mut tally = Tally::default();
        tally.add(&first, first.data_start.1);
        let mut lines_before = newlines(&file[..end]);
        let mut to_store = Some(first.candles);
        let mut written = 0;
        let mut stored = 0;
        let mut in_order = true;
        while let Some(candles) = to_store.take() {
            let next = (end < file.len()).then(|| {
                let start = end;
                end = part_end(&file, start, part_bytes);
                (start, end)
            });
            let parse_next = async {
                match next {
                    Some((start, stop)) => {
                        let input = [&preamble[..], &file[start..stop]].concat();
                        Some(parse_blocking(input.into(), options.clone()).await)
                    }
                    None => None,
                }
            };
            let store = self.market.import(asset, interval, &candles, |_| {});
            let (parsed, store) = tokio::join!(parse_next, store);
            written += store?;
            stored += candles.len() as u64;
            progress(ImportProgress::Stored { done: stored, total: tally.candles });
            if let (Some(part), Some((start, stop))) = (parsed, next) {
                progress(ImportProgress::Read { done: stop as u64, total });
                let candles = match part {
                    Ok(part) if !tally.add(&part, lines_before + 1) => {
                        in_order = false;
                        break;
                    }
                    Ok(part) => part.candles,
                    // A part of blank lines only.
                    Err(ImportFailure::Unreadable(altgate_market::import::ImportError::Empty)) => Vec::new(),
                    Err(e) => return Err(e),
                };
                lines_before += newlines(&file[start..stop]);
                to_store = Some(candles);
            }
        }
        if !in_order {
            // Everything stored so far is stored again unchanged: only new
            // or changed candles count as written.
            let whole = parse_blocking(file.clone(), options).await?;
            tally = Tally::default();
            tally.add(&whole, whole.data_start.1);
            written += self.market.import(asset, interval, &whole.candles, |_| {}).await?;
            progress(ImportProgress::Stored { done: tally.candles, total: tally.candles });
        }
        tally.rejected.sort_by_key(|r| r.line);
        Ok(altgate_protocol::ImportResult {
            asset_id: asset.clone(),
            interval,
            format: format.to_string(),
            rows: tally.rows,
            candles: tally.candles,
            written,
            skipped: tally.skipped,
            rejected: tally.rejected.len() as u64,
            rejections: tally
                .rejected
                .into_iter()
                .take(LISTED_REJECTIONS)
                .map(|r| altgate_protocol::RejectedRow { line: r.line, reason: r.reason })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests;
