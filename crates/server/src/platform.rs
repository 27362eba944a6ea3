//! The service's core, independent of HTTP: configuration, store, clock and
//! the key platform. The HTTP handlers and the offline CLI both work
//! through a [`Platform`].

use std::sync::Arc;

use altgate_market::Catalog;

use crate::access::Access;
use crate::access::signed::MAX_WINDOW_MS;
use crate::catalog_cache::CatalogCache;
use crate::clock::Clock;
use crate::config::Config;
use crate::market::Market;
use crate::replay::{MemoryNonceConfig, MemoryNonceStore};
use crate::secrets::{KeyringError, KeyringHandle};
use crate::store::{AuditMac, SqliteStore, Store, StoreError};

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Platform {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) access: Arc<Access>,
    pub(crate) catalog: Arc<CatalogCache>,
    pub(crate) market: Arc<Market>,
}

/// The platform could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The keyring could not be loaded or created.
    #[error("keyring: {0}")]
    Keyring(#[from] KeyringError),
    /// The store could not be opened, migrated or loaded.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

impl Platform {
    /// Loads (or on first start creates) the keyring, opens the store and
    /// merges the shipped catalog into it.
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> Result<Platform, OpenError> {
        let path = config.keyring_path();
        // A newly created keyring is announced (with a warning) by the loader.
        let (keyring, _created) = KeyringHandle::load_or_create(&path)?;
        let audit_key = keyring.get();
        let audit_mac: AuditMac = Arc::new(move |message: &[u8]| audit_key.audit_mac(message));
        let store = SqliteStore::open(&config.data_dir, audit_mac).await?;
        let report =
            crate::store::CatalogStore::merge_catalog(&store, Catalog::builtin().assets(), clock.now_ms()).await?;
        tracing::info!(
            inserted = report.inserted,
            updated = report.updated,
            unchanged = report.unchanged,
            kept_operator_edits = report.kept_operator_edits,
            "catalog loaded"
        );
        let nonces = Arc::new(MemoryNonceStore::new(MemoryNonceConfig {
            retention_ms: MAX_WINDOW_MS,
            max_live: config.signing.max_live_nonces,
            ..MemoryNonceConfig::default()
        }));
        let started_at_ms = clock.now_ms();
        let access = Arc::new(Access::new(keyring, nonces, started_at_ms));
        let catalog = Arc::new(CatalogCache::default());
        catalog.reload(&store).await?;
        let store: Arc<dyn Store> = Arc::new(store);
        let market = Arc::new(Market::new(Arc::clone(&store), Arc::clone(&clock), config.market.clone()));
        Ok(Platform { config: Arc::new(config), store, clock, access, catalog, market })
    }

    /// The clock's time (Unix ms).
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Verifies the audit trail's hash chain from its first event.
    pub async fn verify_audit(&self) -> Result<crate::audit::VerifyReport, StoreError> {
        let keyring = self.access.keyring.get();
        crate::audit::verify_chain(&*self.store, &|message: &[u8]| keyring.audit_mac(message)).await
    }

    /// Drops every cached key, so the next request of each reads the store.
    pub fn forget_cached_keys(&self) {
        self.access.cache.clear();
    }

    /// Writes counters gathered in memory and closes the store.
    pub async fn close(&self) {
        if let Err(error) = self.flush().await {
            tracing::error!(%error, "writing usage counters failed");
        }
        self.store.close().await;
    }
}
