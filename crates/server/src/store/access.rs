//! Storage of the key platform: accounts, keys, usage and the audit trail.

use altgate_protocol::{AccountId, AuditAction, AuditEvent, Email, Environment, KeyId, Labels, Name, Plan, Scopes};
use async_trait::async_trait;
use serde_json::Value;

use super::StoreError;
use crate::secrets::{LookupHash, Sealed};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Its id.
    pub id: AccountId,
    /// Display name.
    pub name: Name,
    /// Contact address.
    pub email: Option<Email>,
    /// Plan.
    pub plan: Plan,
    /// The operator's account.
    pub admin: bool,
    /// Per-minute override of the plan.
    pub rate_per_minute: Option<u32>,
    /// Monthly-quota override of the plan.
    pub monthly_quota: Option<u64>,
    /// Creation time (ms).
    pub created_at: i64,
    /// Suspension time (ms), while suspended.
    pub suspended_at: Option<i64>,
}

/// A key's metadata as stored. The secret is not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// Its id.
    pub id: KeyId,
    /// Its account.
    pub account_id: AccountId,
    /// Display name.
    pub name: Name,
    /// Live or test.
    pub environment: Environment,
    /// Scopes.
    pub scopes: Scopes,
    /// Public start of the key.
    pub start: String,
    /// Rotation generation, from 1.
    pub version: u32,
    /// The first key of its rotation family.
    pub family_id: KeyId,
    /// The key it replaced.
    pub rotated_from: Option<KeyId>,
    /// The key that replaced it (derived from the successor's `rotated_from`).
    pub rotated_to: Option<KeyId>,
    /// Creation time (ms).
    pub created_at: i64,
    /// Expiry (ms).
    pub expires_at: Option<i64>,
    /// Revocation time (ms).
    pub revoked_at: Option<i64>,
    /// Last authenticated request (ms), as of the last usage flush.
    pub last_used_at: Option<i64>,
    /// Allowed client networks; empty means anywhere.
    pub ip_allowlist: Vec<ipnet::IpNet>,
    /// Labels.
    pub labels: Labels,
    /// Whether requests must be signed.
    pub signature_required: bool,
    /// How its requests are signed.
    pub signing: altgate_protocol::signing::SignatureMethod,
    /// For Ed25519 keys, the public key.
    pub public_key: Option<altgate_protocol::signing::PublicKey>,
    /// Its own freshness window for signed requests, in seconds.
    pub signature_window_secs: Option<u32>,
    /// Whether signed requests must carry an increasing sequence.
    pub sequence_required: bool,
    /// Per-key per-minute override.
    pub rate_per_minute: Option<u32>,
    /// Per-key monthly-quota override.
    pub monthly_quota: Option<u64>,
}

/// A key to insert: its record, its lookup hash and its sealed secret.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The metadata.
    pub record: KeyRecord,
    /// HMAC of the key under the current pepper.
    pub lookup: LookupHash,
    /// The secret under envelope encryption; `None` for keys whose secret the
    /// server must not hold (Ed25519 public keys).
    pub sealed: Option<Sealed>,
}

/// One audit event to append. The store assigns `seq` and chains the hash.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// When (ms).
    pub at: i64,
    /// What.
    pub action: AuditAction,
    /// The acting key's account.
    pub actor_account_id: Option<AccountId>,
    /// The acting key.
    pub actor_key_id: Option<KeyId>,
    /// The account acted upon.
    pub account_id: Option<AccountId>,
    /// The key acted upon.
    pub key_id: Option<KeyId>,
    /// The client address.
    pub ip: Option<String>,
    /// Action-specific facts. Never secrets.
    pub details: Value,
}

/// A change to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// Block every key of the account.
    Suspend {
        /// When (ms).
        at: i64,
    },
    /// Unblock it.
    Reactivate,
    /// Change name, plan or overrides (`Some(None)` clears an override).
    Update {
        /// New name.
        name: Option<Name>,
        /// New plan.
        plan: Option<Plan>,
        /// New per-minute override.
        rate_per_minute: Option<Option<u32>>,
        /// New monthly-quota override.
        monthly_quota: Option<Option<u64>>,
    },
}

/// The result of a rotation attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The successor was stored and the old key's expiry set.
    Rotated,
    /// Another rotation of the same key won.
    Conflict,
}

/// Counters gathered in memory and written in one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageBatch {
    /// When the batch was taken (ms); rows too old to serve are pruned.
    pub now_ms: i64,
    /// Requests per key and Unix minute.
    pub requests: Vec<(KeyId, i64, u64)>,
    /// Refusals per key, Unix minute and error code.
    pub rejects: Vec<(KeyId, i64, &'static str, u64)>,
    /// The latest use of each key (ms).
    pub last_used: Vec<(KeyId, i64)>,
    /// Requests per account, environment and month (`YYYY-MM`).
    pub months: Vec<(AccountId, Environment, String, u64)>,
    /// The last accepted sequence of keys in sequence mode.
    pub sequences: Vec<(KeyId, u64)>,
}

/// Stored usage of one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredUsage {
    /// Requests per Unix minute since the asked minute.
    pub minutes: Vec<(i64, u64)>,
    /// Requests per Unix day since the asked day.
    pub days: Vec<(i64, u64)>,
    /// Refusals by code since the asked day.
    pub rejects: Vec<(String, u64)>,
}

/// Which audit events to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events about or by this account.
    pub account_id: Option<AccountId>,
    /// Events about or by this key.
    pub key_id: Option<KeyId>,
    /// Events of this action.
    pub action: Option<AuditAction>,
    /// At or after (ms).
    pub since: Option<i64>,
    /// Before (ms).
    pub until: Option<i64>,
}

/// A stored audit row with the fields its MAC covers, for verification.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainedEvent {
    /// The event as served.
    pub event: AuditEvent,
    /// The previous event's hash as stored in this row.
    pub prev_hash: Vec<u8>,
    /// This row's hash as stored.
    pub hash: Vec<u8>,
    /// The details text exactly as stored (the MAC covers these bytes).
    pub details_text: String,
    /// The action text exactly as stored.
    pub action_text: String,
}

/// Accounts, keys, usage and audit.
#[async_trait]
pub trait AccessStore {
    /// Inserts an account, optionally with its first key, and the audit
    /// events, in one transaction.
    async fn create_account(
        &self,
        account: &AccountRecord,
        first_key: Option<&NewKey>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError>;

    /// One account.
    async fn account(&self, id: &AccountId) -> Result<Option<AccountRecord>, StoreError>;

    /// Whether the operator's account exists.
    async fn admin_exists(&self) -> Result<bool, StoreError>;

    /// Applies a change and its audit event; `None` if there is no such account.
    async fn change_account(
        &self,
        id: &AccountId,
        change: &AccountChange,
        audit: &AuditEntry,
    ) -> Result<Option<AccountRecord>, StoreError>;

    /// Inserts a key and its audit event.
    async fn create_key(&self, key: &NewKey, audit: &AuditEntry) -> Result<(), StoreError>;

    /// The key (and its account) whose lookup hash is any of `hashes`.
    async fn key_by_hash(&self, hashes: &[LookupHash]) -> Result<Option<(KeyRecord, AccountRecord, u32)>, StoreError>;

    /// One key.
    async fn key(&self, id: &KeyId) -> Result<Option<KeyRecord>, StoreError>;

    /// Keys of an account, optionally of one environment, ordered by id,
    /// after `after`.
    async fn list_keys(
        &self,
        account: &AccountId,
        environment: Option<Environment>,
        after: Option<&KeyId>,
        limit: u32,
    ) -> Result<Vec<KeyRecord>, StoreError>;

    /// Every key of a rotation family, oldest first.
    async fn key_family(&self, family_id: &KeyId) -> Result<Vec<KeyRecord>, StoreError>;

    /// Stores `successor` and sets the old key's expiry, unless another
    /// rotation of the old key already happened.
    async fn rotate_key(
        &self,
        old: &KeyId,
        old_expires_at: i64,
        successor: &NewKey,
        audit: &AuditEntry,
    ) -> Result<RotateOutcome, StoreError>;

    /// Sets a key's revocation (if not yet revoked) or expiry; returns the
    /// key after the change.
    async fn retire_key(
        &self,
        id: &KeyId,
        retirement: Retirement,
        audit: &AuditEntry,
    ) -> Result<Option<KeyRecord>, StoreError>;

    /// Revokes every unrevoked key of an account; returns their ids.
    async fn revoke_all_keys(&self, account: &AccountId, at: i64, audit: &AuditEntry)
    -> Result<Vec<KeyId>, StoreError>;

    /// Re-stores a key's lookup hash under a newer pepper.
    async fn rehash_key(&self, id: &KeyId, lookup: &LookupHash) -> Result<(), StoreError>;

    /// Up to `limit` sealed secrets wrapped under a master key older than `version`.
    async fn sealed_below(&self, version: u32, limit: u32) -> Result<Vec<(KeyId, Sealed)>, StoreError>;

    /// Replaces a sealed secret if it is still wrapped under `old_version`.
    async fn reseal(&self, id: &KeyId, old_version: u32, sealed: &Sealed) -> Result<bool, StoreError>;

    /// The sealed secret of one key.
    async fn sealed(&self, id: &KeyId) -> Result<Option<Sealed>, StoreError>;

    /// How many secrets are wrapped under a master key older than `version`.
    async fn count_sealed_below(&self, version: u32) -> Result<u64, StoreError>;

    /// Appends audit events with no other change.
    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;

    /// Audit events matching `filter`, after `after_seq`, oldest first.
    async fn audit_events(
        &self,
        filter: &AuditFilter,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;

    /// Raw chained rows from `after_seq`, for verification.
    async fn audit_chain(&self, after_seq: u64, limit: u32) -> Result<Vec<ChainedEvent>, StoreError>;

    /// Adds a batch of usage counters.
    async fn record_usage(&self, batch: &UsageBatch) -> Result<(), StoreError>;

    /// Usage of a key since a Unix minute (minutes) and a Unix day (days, rejects).
    async fn key_usage(&self, id: &KeyId, since_minute: i64, since_day: i64) -> Result<StoredUsage, StoreError>;

    /// The last accepted sequence of a key, as last written.
    async fn last_sequence(&self, id: &KeyId) -> Result<Option<u64>, StoreError>;

    /// Requests written for a key since a Unix minute (within the 31 days kept).
    async fn key_requests_since(&self, id: &KeyId, since_minute: i64) -> Result<u64, StoreError>;

    /// Requests counted for an account and environment in a month (`YYYY-MM`).
    async fn month_usage(&self, account: &AccountId, environment: Environment, month: &str) -> Result<u64, StoreError>;
}

/// How a key is retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retirement {
    /// Revoked now (ms); a revoked key stays revoked at its first time.
    Revoke(i64),
    /// Expires at (ms).
    ExpireAt(i64),
}
