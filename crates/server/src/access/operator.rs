//! The local operator's view of the platform, for the offline CLI: the same
//! operations as the HTTP API, acting as an administrator at the machine.
//! Hold a [`crate::lock::DataDirLock`] while using it, so no running service
//! keeps stale caches.

use altgate_protocol::{
    Account, AccountId, AuditEvent, CreateAccountRequest, CreateKeyRequest, CreatedKey, KeyId, KeyInfo, KeyUsage,
    Timestamp,
};

use super::{Actor, PlatformError};
use crate::platform::Platform;
use crate::store::{AccountChange, AuditFilter};

/// See the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a>(pub &'a Platform);

impl Operator<'_> {
    /// Creates a key (the request must name the account).
    pub async fn create_key(&self, request: CreateKeyRequest) -> Result<CreatedKey, PlatformError> {
        self.0.create_key(&Actor::Operator, request).await
    }

    /// Lists an account's keys.
    pub async fn list_keys(&self, account: &AccountId) -> Result<Vec<KeyInfo>, PlatformError> {
        let mut all = Vec::new();
        let mut after: Option<KeyId> = None;
        loop {
            let page = self.0.list_keys(&Actor::Operator, Some(account), after.as_ref(), 250).await?;
            let done = page.len() < 250;
            after = page.last().map(|k| k.id.clone());
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// Shows a key.
    pub async fn show_key(&self, id: &KeyId) -> Result<KeyInfo, PlatformError> {
        self.0.show_key(&Actor::Operator, id).await
    }

    /// Rotates a key.
    pub async fn rotate_key(&self, id: &KeyId, grace_seconds: u32) -> Result<CreatedKey, PlatformError> {
        self.0.rotate_key(&Actor::Operator, id, grace_seconds).await
    }

    /// Revokes a key.
    pub async fn revoke_key(&self, id: &KeyId) -> Result<KeyInfo, PlatformError> {
        self.0.revoke_key(&Actor::Operator, id).await
    }

    /// Retires a key early.
    pub async fn expire_key(&self, id: &KeyId, at: Timestamp) -> Result<KeyInfo, PlatformError> {
        self.0.expire_key(&Actor::Operator, id, at).await
    }

    /// A key's usage.
    pub async fn key_usage(&self, id: &KeyId) -> Result<KeyUsage, PlatformError> {
        self.0.key_usage(&Actor::Operator, id).await
    }

    /// Creates an account.
    pub async fn create_account(&self, request: CreateAccountRequest) -> Result<Account, PlatformError> {
        self.0.create_account(&Actor::Operator, request).await
    }

    /// Shows an account.
    pub async fn show_account(&self, id: &AccountId) -> Result<Account, PlatformError> {
        self.0.show_account(&Actor::Operator, id).await
    }

    /// Changes an account's name, plan or limit overrides.
    pub async fn update_account(
        &self,
        id: &AccountId,
        request: altgate_protocol::UpdateAccountRequest,
    ) -> Result<Account, PlatformError> {
        self.0.update_account(&Actor::Operator, id, request).await
    }

    /// Suspends an account.
    pub async fn suspend_account(&self, id: &AccountId) -> Result<Account, PlatformError> {
        self.0.change_account(&Actor::Operator, id, AccountChange::Suspend { at: self.0.now() }).await
    }

    /// Reactivates an account.
    pub async fn reactivate_account(&self, id: &AccountId) -> Result<Account, PlatformError> {
        self.0.change_account(&Actor::Operator, id, AccountChange::Reactivate).await
    }

    /// Revokes every key of an account.
    pub async fn revoke_all_keys(&self, id: &AccountId) -> Result<Vec<KeyId>, PlatformError> {
        self.0.revoke_all_keys(&Actor::Operator, id).await
    }

    /// The whole audit trail from `after_seq`.
    pub async fn audit(&self, after_seq: u64, limit: u32) -> Result<Vec<AuditEvent>, PlatformError> {
        self.0.audit_events(&Actor::Operator, AuditFilter::default(), after_seq, limit).await
    }
}

impl Operator<'_> {
    /// Imports an OHLCV file for `asset` (see `POST /v1/import`).
    pub async fn import_file(
        &self,
        asset: &altgate_protocol::AssetId,
        file: Vec<u8>,
        options: altgate_market::import::ImportOptions,
        progress: impl Fn(crate::ImportProgress) + Send + Sync + 'static,
    ) -> Result<altgate_protocol::ImportResult, crate::ImportFailure> {
        self.0.import_file(asset, file.into(), options, progress).await
    }
}
