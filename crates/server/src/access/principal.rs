//! Who is calling: an authenticated key and its account.

use altgate_protocol::{AccountStatus, KeyInfo, KeyStatus, Scope, Timestamp};

use crate::config::Plans;
use crate::store::{AccountRecord, KeyRecord};

/// An authenticated caller: a key and its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub(crate) key: KeyRecord,
    pub(crate) account: AccountRecord,
}

impl Principal {
    /// The key's metadata.
    pub fn key(&self) -> &KeyRecord {
        &self.key
    }

    /// The key's account.
    pub fn account(&self) -> &AccountRecord {
        &self.account
    }

    /// Whether the key holds `scope` (directly or through `admin`).
    pub(crate) fn grants(&self, scope: Scope) -> bool {
        self.key.scopes.grants(scope)
    }

    /// Whether the caller is an administrator.
    pub(crate) fn is_admin(&self) -> bool {
        self.key.scopes.grants(Scope::Admin) && self.account.admin
    }
}

/// A key's state at `now_ms`.
pub(crate) fn key_status(key: &KeyRecord, now_ms: i64) -> KeyStatus {
    match (key.revoked_at, key.expires_at) {
        (Some(_), _) => KeyStatus::Revoked,
        (None, Some(at)) if at <= now_ms => KeyStatus::Expired,
        (None, Some(_)) => KeyStatus::Expiring,
        (None, None) => KeyStatus::Active,
    }
}

/// The per-minute rate and monthly quota that apply to an account.
pub(crate) fn account_limits(account: &AccountRecord, plans: &Plans) -> (u32, u64) {
    let plan = plans.limits(account.plan);
    (account.rate_per_minute.unwrap_or(plan.rate_per_minute), account.monthly_quota.unwrap_or(plan.monthly_quota))
}

/// The wire view of a key.
pub(crate) fn key_info(key: &KeyRecord, now_ms: i64, last_used_pending: Option<i64>) -> KeyInfo {
    let ts = |ms: Option<i64>| ms.map(Timestamp::from_millis);
    KeyInfo {
        id: key.id.clone(),
        account_id: key.account_id.clone(),
        name: key.name.clone(),
        environment: key.environment,
        scopes: key.scopes,
        start: key.start.clone(),
        version: key.version,
        rotated_from: key.rotated_from.clone(),
        rotated_to: key.rotated_to.clone(),
        status: key_status(key, now_ms),
        created_at: Timestamp::from_millis(key.created_at),
        expires_at: ts(key.expires_at),
        revoked_at: ts(key.revoked_at),
        last_used_at: ts(key.last_used_at.max(last_used_pending)),
        ip_allowlist: key.ip_allowlist.clone(),
        labels: key.labels.clone(),
        signature_required: key.signature_required,
        signing: key.signing,
        public_key: key.public_key.clone(),
        signature_window_secs: key.signature_window_secs,
        sequence_required: key.sequence_required,
        rate_per_minute: key.rate_per_minute,
        monthly_quota: key.monthly_quota,
    }
}

/// The wire view of an account.
pub(crate) fn account_view(account: &AccountRecord, plans: &Plans) -> altgate_protocol::Account {
    let (rate, quota) = account_limits(account, plans);
    altgate_protocol::Account {
        id: account.id.clone(),
        name: account.name.clone(),
        email: account.email.clone(),
        plan: account.plan,
        admin: account.admin,
        status: if account.suspended_at.is_some() { AccountStatus::Suspended } else { AccountStatus::Active },
        rate_per_minute: rate,
        monthly_quota: quota,
        rate_overridden: account.rate_per_minute.is_some(),
        quota_overridden: account.monthly_quota.is_some(),
        created_at: Timestamp::from_millis(account.created_at),
        suspended_at: account.suspended_at.map(Timestamp::from_millis),
    }
}
