//! Master-key (KEK) rotation and retirement, safe to run beside a serving
//! service: the data keys are re-wrapped row by row, each update guarded by
//! the version it replaces, and the service reloads the keyring file when it
//! changes.

use altgate_protocol::{AuditAction, ErrorCode};
use serde::Serialize;
use serde_json::json;

use super::{Actor, PlatformError, Refusal};
use crate::platform::Platform;
use crate::secrets::Keyring;

/// Rows re-wrapped per batch.
const BATCH: u32 = 500;

/// What a rotation or retirement did.
#[derive(Debug, Clone, Serialize)]
pub struct MasterKeyReport {
    /// The current master-key version afterwards.
    pub current_version: u32,
    /// The oldest version still able to decrypt.
    pub min_decryption_version: u32,
    /// Data keys re-wrapped under the current version.
    pub rewrapped: u64,
}

impl Platform {
    /// Adds a new master-key version, makes it current, and re-wraps every
    /// data key under it.
    pub async fn rotate_master_key(&self) -> Result<MasterKeyReport, PlatformError> {
        let path = self.config.keyring_path();
        let version = Keyring::rotate_master_key(&path)?;
        self.access.keyring.reload_if_changed()?;
        let rewrapped = self.rewrap_below(version).await?;
        let audit = Actor::Operator.audit(
            self.now(),
            AuditAction::MasterKeyRotated,
            json!({ "version": version, "rewrapped": rewrapped }),
        );
        self.store.append_audit(&[audit]).await?;
        self.report(rewrapped)
    }

    /// Retires every master-key version below `min_version`: re-wraps any
    /// data key still under one, checks none is left, then removes their
    /// material from the keyring.
    pub async fn retire_master_keys(&self, min_version: u32) -> Result<MasterKeyReport, PlatformError> {
        let current = self.access.keyring.get().master_key_version();
        if min_version > current {
            return Err(Refusal::new(
                ErrorCode::InvalidParameter,
                format!("cannot retire below {min_version}: the current version is {current}"),
            )
            .into());
        }
        let rewrapped = self.rewrap_below(min_version).await?;
        let left = self.store.count_sealed_below(min_version).await?;
        if left > 0 {
            return Err(Refusal::new(
                ErrorCode::InvalidParameter,
                format!("{left} data keys still use a version below {min_version}; run again"),
            )
            .into());
        }
        Keyring::retire_master_keys_below(&self.config.keyring_path(), min_version)?;
        self.access.keyring.reload_if_changed()?;
        let audit = Actor::Operator.audit(self.now(), AuditAction::MasterKeysRetired, json!({ "below": min_version }));
        self.store.append_audit(&[audit]).await?;
        self.report(rewrapped)
    }

    /// Re-wraps every data key under a version below `version` to the current one.
    async fn rewrap_below(&self, version: u32) -> Result<u64, PlatformError> {
        let mut rewrapped = 0;
        loop {
            let batch = self.store.sealed_below(version, BATCH).await?;
            if batch.is_empty() {
                return Ok(rewrapped);
            }
            let keyring = self.access.keyring.get();
            for (id, sealed) in batch {
                let fresh = keyring.rewrap(id.as_str(), &sealed)?;
                // Guarded by the old version: a concurrent re-wrap of the same
                // row makes this a no-op rather than a lost update.
                if self.store.reseal(&id, sealed.kek_version, &fresh).await? {
                    rewrapped += 1;
                }
            }
        }
    }

    fn report(&self, rewrapped: u64) -> Result<MasterKeyReport, PlatformError> {
        let keyring = self.access.keyring.get();
        Ok(MasterKeyReport {
            current_version: keyring.master_key_version(),
            min_decryption_version: keyring.min_decryption_version(),
            rewrapped,
        })
    }
}
