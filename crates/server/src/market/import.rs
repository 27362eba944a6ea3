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

impl crate::platform::Platform {
    /// Parses an OHLCV file and stores its candles for `asset`.
    pub(crate) async fn import_file(
        &self,
        asset: &AssetId,
        file: axum::body::Bytes,
        options: altgate_market::import::ImportOptions,
        progress: impl Fn(ImportProgress) + Send + Sync + 'static,
    ) -> Result<altgate_protocol::ImportResult, ImportFailure> {
        if self.catalog.get(asset).is_none() {
            return Err(ImportFailure::UnknownAsset(asset.clone()));
        }
        self.market.ensure_warm().await?;
        let progress = std::sync::Arc::new(progress);
        let reader = std::sync::Arc::clone(&progress);
        let total = file.len() as u64;
        let parsed = tokio::task::spawn_blocking(move || {
            altgate_market::import::parse_with_progress(&file, &options, |done| {
                reader(ImportProgress::Read { done: done as u64, total });
            })
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("import parser stopped: {e}")))??;
        let candles = parsed.candles.len() as u64;
        let written = self
            .market
            .import(asset, parsed.interval, &parsed.candles, |done| {
                progress(ImportProgress::Stored { done, total: candles });
            })
            .await?;
        Ok(altgate_protocol::ImportResult {
            asset_id: asset.clone(),
            interval: parsed.interval,
            format: parsed.format.to_string(),
            rows: parsed.rows,
            candles,
            written,
            skipped: parsed.skipped,
            rejected: parsed.rejected.len() as u64,
            rejections: parsed
                .rejected
                .into_iter()
                .take(LISTED_REJECTIONS)
                .map(|r| altgate_protocol::RejectedRow { line: r.line, reason: r.reason })
                .collect(),
        })
    }
}
