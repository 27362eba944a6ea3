//! Storage behind traits, so the service runs on the embedded SQLite store
//! today and on a networked database later without touching the handlers.
//!
//! The traits are async and say nothing about SQL. One trait per concern
//! ([`CatalogStore`], …) keeps each small; [`Store`] is all of them.

mod access;
mod candles;
mod sqlite;

use std::sync::Arc;

use altgate_protocol::{Asset, AssetId, Category, Consensus};
use async_trait::async_trait;

pub use access::{
    AccessStore, AccountChange, AccountRecord, AuditEntry, AuditFilter, ChainedEvent, KeyRecord, NewKey, Retirement,
    RotateOutcome, StoredUsage, UsageBatch,
};
pub use candles::{CandleStore, Series, SeriesInfo, SeriesWrite, SourcedCandle};
pub use sqlite::{DATABASE_FILE, SqliteStore};

/// The MAC that chains audit events (HMAC-SHA256 under the keyring's audit key).
pub type AuditMac = Arc<dyn Fn(&[u8]) -> [u8; 32] + Send + Sync>;

/// Everything the service persists.
#[async_trait]
pub trait Store: CatalogStore + AccessStore + CandleStore + std::fmt::Debug + Send + Sync + 'static {
    /// Checks that the store answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Waits for pending writes and releases connections.
    async fn close(&self);
}

/// The asset catalog.
#[async_trait]
pub trait CatalogStore {
    /// Merges catalog assets into the store: inserts new ids, updates
    /// changed ones, and never touches an asset an operator has edited.
    async fn merge_catalog(&self, assets: &[Asset], now_ms: i64) -> Result<MergeReport, StoreError>;

    /// One page of assets matching `filter`, ordered by id.
    async fn list_assets(&self, filter: &AssetFilter, page: &PageRequest) -> Result<Vec<Asset>, StoreError>;

    /// One asset by id.
    async fn asset(&self, id: &AssetId) -> Result<Option<Asset>, StoreError>;

    /// How many assets each category holds; categories with none are absent.
    async fn category_counts(&self) -> Result<Vec<(Category, u64)>, StoreError>;
}

/// Which assets to list. Every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetFilter {
    /// The asset is in every one of these categories.
    pub categories: Vec<Category>,
    /// The asset has this consensus mechanism.
    pub consensus: Option<Consensus>,
    /// The asset's symbol equals this, ignoring ASCII case.
    pub symbol: Option<String>,
    /// The asset's name or symbol contains this, ignoring ASCII case.
    pub text: Option<String>,
}

/// A keyset page: items after `after`, at most `limit` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Return items strictly after this id.
    pub after: Option<AssetId>,
    /// The most items to return.
    pub limit: u32,
}

/// What a catalog merge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Assets that were new to the store.
    pub inserted: u32,
    /// Assets whose catalog facts changed and were updated.
    pub updated: u32,
    /// Assets already identical in the store.
    pub unchanged: u32,
    /// Assets left as they are because an operator edited them.
    pub kept_operator_edits: u32,
}

/// A storage failure. Handlers turn it into an opaque 500 or 503; the cause
/// is logged once, at the HTTP boundary.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error or could not be reached.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not parse; the store was changed outside the service.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The data directory could not be prepared.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
