//! [`AccessStore`] on SQLite. Every write runs in an `IMMEDIATE`
//! transaction together with its audit events, so a change is recorded if
//! and only if it happened.

mod accounts;
mod audit;
mod keys;
mod rows;
mod usage;

use altgate_protocol::{AccountId, AuditEvent, Environment, KeyId};
use async_trait::async_trait;

use super::SqliteStore;
use crate::secrets::{LookupHash, Sealed};
use crate::store::{
    AccessStore, AccountChange, AccountRecord, AuditEntry, AuditFilter, ChainedEvent, KeyRecord, NewKey, Retirement,
    RotateOutcome, StoreError, StoredUsage, UsageBatch,
};

impl SqliteStore {
    async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

#[async_trait]
impl AccessStore for SqliteStore {
    async fn create_account(
        &self,
        account: &AccountRecord,
        first_key: Option<&NewKey>,
        audit_entries: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        accounts::insert(&mut tx, account).await?;
        if let Some(key) = first_key {
            keys::insert(&mut tx, key).await?;
        }
        audit::append(&mut tx, audit_entries, &*self.audit_mac).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account(&self, id: &AccountId) -> Result<Option<AccountRecord>, StoreError> {
        accounts::get(&mut *self.pool.acquire().await?, id).await
    }

    async fn admin_exists(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts WHERE admin = 1").fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    async fn change_account(
        &self,
        id: &AccountId,
        change: &AccountChange,
        audit_entry: &AuditEntry,
    ) -> Result<Option<AccountRecord>, StoreError> {
        let mut tx = self.write().await?;
        if !accounts::change(&mut tx, id, change).await? {
            return Ok(None);
        }
        audit::append(&mut tx, std::slice::from_ref(audit_entry), &*self.audit_mac).await?;
        let account = accounts::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn create_key(&self, key: &NewKey, audit_entry: &AuditEntry) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        keys::insert(&mut tx, key).await?;
        audit::append(&mut tx, std::slice::from_ref(audit_entry), &*self.audit_mac).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn key_by_hash(&self, hashes: &[LookupHash]) -> Result<Option<(KeyRecord, AccountRecord, u32)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        for lookup in hashes {
            if let Some((key, pepper_version)) = keys::by_hash(&mut conn, &lookup.hash).await? {
                let account = accounts::get(&mut conn, &key.account_id)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt(format!("{} has no account", key.id)))?;
                return Ok(Some((key, account, pepper_version)));
            }
        }
        Ok(None)
    }

    async fn key(&self, id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
        keys::get(&mut *self.pool.acquire().await?, id).await
    }

    async fn list_keys(
        &self,
        account: &AccountId,
        environment: Option<Environment>,
        after: Option<&KeyId>,
        limit: u32,
    ) -> Result<Vec<KeyRecord>, StoreError> {
        keys::list(&mut *self.pool.acquire().await?, account, environment, after, limit).await
    }

    async fn key_family(&self, family_id: &KeyId) -> Result<Vec<KeyRecord>, StoreError> {
        keys::family(&mut *self.pool.acquire().await?, family_id).await
    }

    async fn rotate_key(
        &self,
        old: &KeyId,
        old_expires_at: i64,
        successor: &NewKey,
        audit_entry: &AuditEntry,
    ) -> Result<RotateOutcome, StoreError> {
        let mut tx = self.write().await?;
        match keys::insert(&mut tx, successor).await {
            Ok(()) => {}
            Err(StoreError::Database(e)) if is_unique_violation(&e) => return Ok(RotateOutcome::Conflict),
            Err(e) => return Err(e),
        }
        keys::shorten_expiry(&mut tx, old, old_expires_at).await?;
        audit::append(&mut tx, std::slice::from_ref(audit_entry), &*self.audit_mac).await?;
        tx.commit().await?;
        Ok(RotateOutcome::Rotated)
    }

    async fn retire_key(
        &self,
        id: &KeyId,
        retirement: Retirement,
        audit_entry: &AuditEntry,
    ) -> Result<Option<KeyRecord>, StoreError> {
        let mut tx = self.write().await?;
        if !keys::retire(&mut tx, id, retirement).await? {
            return Ok(None);
        }
        audit::append(&mut tx, std::slice::from_ref(audit_entry), &*self.audit_mac).await?;
        let key = keys::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(key)
    }

    async fn revoke_all_keys(
        &self,
        account: &AccountId,
        at: i64,
        audit_entry: &AuditEntry,
    ) -> Result<Vec<KeyId>, StoreError> {
        let mut tx = self.write().await?;
        let revoked = keys::revoke_all(&mut tx, account, at).await?;
        let mut entry = audit_entry.clone();
        entry.details["revoked"] = serde_json::json!(revoked.iter().map(KeyId::as_str).collect::<Vec<_>>());
        audit::append(&mut tx, std::slice::from_ref(&entry), &*self.audit_mac).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    async fn rehash_key(&self, id: &KeyId, lookup: &LookupHash) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET lookup_hash = ?, pepper_version = ? WHERE id = ?")
            .bind(lookup.hash.as_slice())
            .bind(i64::from(lookup.pepper_version))
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn sealed_below(&self, version: u32, limit: u32) -> Result<Vec<(KeyId, Sealed)>, StoreError> {
        keys::sealed_below(&mut *self.pool.acquire().await?, version, limit).await
    }

    async fn reseal(&self, id: &KeyId, old_version: u32, sealed: &Sealed) -> Result<bool, StoreError> {
        keys::reseal(&mut *self.pool.acquire().await?, id, old_version, sealed).await
    }

    async fn sealed(&self, id: &KeyId) -> Result<Option<Sealed>, StoreError> {
        keys::sealed(&mut *self.pool.acquire().await?, id).await
    }

    async fn count_sealed_below(&self, version: u32) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM api_keys WHERE kek_version < ?")
            .bind(i64::from(version))
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        audit::append(&mut tx, entries, &*self.audit_mac).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_events(
        &self,
        filter: &AuditFilter,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        audit::list(&mut *self.pool.acquire().await?, filter, after_seq, limit).await
    }

    async fn audit_chain(&self, after_seq: u64, limit: u32) -> Result<Vec<ChainedEvent>, StoreError> {
        audit::chain(&mut *self.pool.acquire().await?, after_seq, limit).await
    }

    async fn record_usage(&self, batch: &UsageBatch) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        usage::record(&mut tx, batch).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn key_usage(&self, id: &KeyId, since_minute: i64, since_day: i64) -> Result<StoredUsage, StoreError> {
        usage::of_key(&mut *self.pool.acquire().await?, id, since_minute, since_day).await
    }

    async fn last_sequence(&self, id: &KeyId) -> Result<Option<u64>, StoreError> {
        let last: Option<Option<i64>> = sqlx::query_scalar("SELECT last_sequence FROM api_keys WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        // Stored as the signed bit pattern of the u64.
        Ok(last.flatten().map(|v| v as u64))
    }

    async fn key_requests_since(&self, id: &KeyId, since_minute: i64) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT coalesce(sum(requests), 0) FROM key_usage WHERE key_id = ? AND minute >= ?")
                .bind(id.as_str())
                .bind(since_minute)
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn month_usage(&self, account: &AccountId, environment: Environment, month: &str) -> Result<u64, StoreError> {
        usage::of_month(&mut *self.pool.acquire().await?, account, environment, month).await
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
