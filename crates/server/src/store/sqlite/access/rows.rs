//! Row types and their conversion into records.

use altgate_protocol::signing::{PublicKey, SignatureMethod};
use altgate_protocol::{AccountId, Email, KeyId, Labels, Name, Plan, Scope, Scopes};

use crate::store::{AccountRecord, KeyRecord, StoreError};

/// Account columns.
macro_rules! account_columns {
    () => {
        "id, name, email, plan, admin, rate_per_minute, monthly_quota, created_at, suspended_at"
    };
}
pub(super) use account_columns;

/// Key columns, as `k.`-qualified names, plus the successor's id.
macro_rules! key_columns {
    () => {
        "k.id, k.account_id, k.name, k.environment, k.scopes, k.start, k.version, k.family_id, \
         k.rotated_from, (SELECT s.id FROM api_keys s WHERE s.rotated_from = k.id) AS rotated_to, \
         k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.ip_allowlist, k.labels, \
         k.signature_required, k.rate_per_minute, k.monthly_quota, k.signing, k.public_key, \
         k.signature_window_secs, k.sequence_required"
    };
}
pub(super) use key_columns;

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    id: String,
    name: String,
    email: Option<String>,
    plan: String,
    admin: bool,
    rate_per_minute: Option<i64>,
    monthly_quota: Option<i64>,
    created_at: i64,
    suspended_at: Option<i64>,
}

impl AccountRow {
    pub(super) fn into_record(self) -> Result<AccountRecord, StoreError> {
        let id = &self.id;
        Ok(AccountRecord {
            id: AccountId::parse(id).map_err(|e| corrupt(id, e))?,
            name: Name::try_from(self.name).map_err(|e| corrupt(id, e))?,
            email: self.email.map(Email::try_from).transpose().map_err(|e| corrupt(id, e))?,
            plan: self.plan.parse::<Plan>().map_err(|e| corrupt(id, e))?,
            admin: self.admin,
            rate_per_minute: self.rate_per_minute.map(u32::try_from).transpose().map_err(|e| corrupt(id, e))?,
            monthly_quota: self.monthly_quota.map(u64::try_from).transpose().map_err(|e| corrupt(id, e))?,
            created_at: self.created_at,
            suspended_at: self.suspended_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct KeyRow {
    id: String,
    account_id: String,
    name: String,
    environment: String,
    scopes: String,
    start: String,
    version: i64,
    family_id: String,
    rotated_from: Option<String>,
    rotated_to: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    ip_allowlist: String,
    labels: String,
    signature_required: bool,
    rate_per_minute: Option<i64>,
    monthly_quota: Option<i64>,
    signing: String,
    public_key: Option<Vec<u8>>,
    signature_window_secs: Option<i64>,
    sequence_required: bool,
}

impl KeyRow {
    pub(super) fn into_record(self) -> Result<KeyRecord, StoreError> {
        let id = self.id.clone();
        let c = |e: &dyn std::fmt::Display| corrupt(&id, e);
        let key_id = |s: &str| KeyId::parse(s).map_err(|e| c(&e));
        let scopes = self
            .scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<Scope>().map_err(|e| c(&e)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KeyRecord {
            id: key_id(&self.id)?,
            account_id: AccountId::parse(&self.account_id).map_err(|e| c(&e))?,
            name: Name::try_from(self.name).map_err(|e| c(&e))?,
            environment: self.environment.parse().map_err(|e| c(&e))?,
            scopes: Scopes::of(&scopes),
            start: self.start,
            version: u32::try_from(self.version).map_err(|e| c(&e))?,
            family_id: key_id(&self.family_id)?,
            rotated_from: self.rotated_from.as_deref().map(key_id).transpose()?,
            rotated_to: self.rotated_to.as_deref().map(key_id).transpose()?,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
            ip_allowlist: serde_json::from_str(&self.ip_allowlist).map_err(|e| c(&e))?,
            labels: serde_json::from_str::<Labels>(&self.labels).map_err(|e| c(&e))?,
            signature_required: self.signature_required,
            signing: match self.signing.as_str() {
                "hmac" => SignatureMethod::Hmac,
                "ed25519" => SignatureMethod::Ed25519,
                other => return Err(c(&format!("unknown signing `{other}`"))),
            },
            public_key: self
                .public_key
                .map(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).map(PublicKey::from_bytes))
                .transpose()
                .map_err(|e| c(&e))?,
            signature_window_secs: self.signature_window_secs.map(u32::try_from).transpose().map_err(|e| c(&e))?,
            sequence_required: self.sequence_required,
            rate_per_minute: self.rate_per_minute.map(u32::try_from).transpose().map_err(|e| c(&e))?,
            monthly_quota: self.monthly_quota.map(u64::try_from).transpose().map_err(|e| c(&e))?,
        })
    }
}

/// A `u64` as SQLite's signed integer, refusing values it cannot hold.
pub(super) fn to_i64(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| corrupt(what, "exceeds the store's integer range"))
}
