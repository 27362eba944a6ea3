//! The catalog in memory: assets by id, read on every asset request.
//!
//! The catalog is small and changes only when it is merged at start (and,
//! later, by operator edits through this process), so a snapshot is kept and
//! replaced whole whenever the store's catalog changes. Each asset's JSON is
//! rendered once; readers clone a reference-counted buffer and never wait
//! for the store.

use std::sync::{Arc, PoisonError, RwLock};

use altgate_protocol::AssetId;
use axum::body::Bytes;

use crate::id_map::IdMap;
use crate::store::{AssetFilter, CatalogStore, PageRequest, StoreError};

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct CatalogCache {
    assets: RwLock<Arc<IdMap<AssetId, CachedAsset>>>,
}

/// An asset's JSON, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct CachedAsset {
    pub(crate) json: Bytes,
}

impl CatalogCache {
    /// Reloads the snapshot from the store.
    pub(crate) async fn reload(&self, store: &(dyn CatalogStore + Sync)) -> Result<usize, StoreError> {
        let mut assets = IdMap::default();
        let mut after = None;
        loop {
            let page =
                store.list_assets(&AssetFilter::default(), &PageRequest { after: after.clone(), limit: 500 }).await?;
            let done = page.len() < 500;
            after = page.last().map(|a| a.id.clone());
            for asset in page {
                let json = Bytes::from(serde_json::to_vec(&asset).map_err(|e| StoreError::Corrupt(e.to_string()))?);
                assets.insert(asset.id.clone(), CachedAsset { json });
            }
            if done {
                break;
            }
        }
        let count = assets.len();
        *self.assets.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(assets);
        Ok(count)
    }

    /// One asset, by its id as given: an id that is not of the id form is
    /// simply not found.
    pub(crate) fn get(&self, id: &str) -> Option<CachedAsset> {
        self.assets.read().unwrap_or_else(PoisonError::into_inner).get(id).cloned()
    }
}
