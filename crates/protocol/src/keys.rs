//! API-key records and requests. Nothing here ever carries a key's secret
//! except [`CreatedKey`], which exists only in the response that creates it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::signing::{PublicKey, SignatureMethod};
use crate::{AccountId, Environment, KeyId, Labels, Name, Scopes, Timestamp};

/// A key's state at the time of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KeyStatus {
    /// It works, with no expiry set.
    Active,
    /// It works until `expires_at` (for example during a rotation's grace window).
    Expiring,
    /// Its `expires_at` has passed.
    Expired,
    /// It was revoked.
    Revoked,
}

/// A key's metadata. Never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyInfo {
    /// The public key id.
    pub id: KeyId,
    /// The account it belongs to.
    pub account_id: AccountId,
    /// A name for people.
    pub name: Name,
    /// `live` or `test`.
    pub environment: Environment,
    /// What it may do.
    pub scopes: Scopes,
    /// The public start of the key, e.g. `ag_live_7Hq2`, to recognise it.
    pub start: String,
    /// The rotation generation: 1 for a new key, one more per rotation.
    pub version: u32,
    /// The key this one replaced by rotation.
    pub rotated_from: Option<KeyId>,
    /// The key that replaced this one by rotation.
    pub rotated_to: Option<KeyId>,
    /// Its state now.
    pub status: KeyStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// When it last authenticated a request.
    pub last_used_at: Option<Timestamp>,
    /// When set, requests are accepted only from these networks (CIDR).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["203.0.113.0/24"])))]
    pub ip_allowlist: Vec<ipnet::IpNet>,
    /// Free-form labels.
    pub labels: Labels,
    /// Whether every request with this key must be signed.
    pub signature_required: bool,
    /// How its requests are signed.
    pub signing: SignatureMethod,
    /// For Ed25519 keys: the registered public key.
    pub public_key: Option<PublicKey>,
    /// The freshness window of its signed requests, in seconds, when it
    /// differs from the service's.
    pub signature_window_secs: Option<u32>,
    /// Whether its signed requests must carry an increasing `X-AG-Sequence`.
    pub sequence_required: bool,
    /// A per-key override of the per-minute rate.
    pub rate_per_minute: Option<u32>,
    /// A per-key override of the monthly quota.
    pub monthly_quota: Option<u64>,
}

/// A key as created: the secret, shown this once, and its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedKey {
    /// The secret, shown this once; `null` for Ed25519 keys, which have none
    /// (the client holds the private key).
    pub key: Option<String>,
    /// The key's metadata.
    pub info: KeyInfo,
}

/// `POST /v1/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateKeyRequest {
    /// A name for people.
    pub name: Name,
    /// Its scopes: at most those of the key creating it.
    pub scopes: Scopes,
    /// `live` or `test`; the creating key's own when omitted.
    #[serde(default)]
    pub environment: Option<Environment>,
    /// The account to create it in (admin only); the caller's own when omitted.
    #[serde(default)]
    pub account_id: Option<AccountId>,
    /// When it stops working.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// Accept requests only from these networks (CIDR, up to 32).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub ip_allowlist: Vec<ipnet::IpNet>,
    /// Free-form labels.
    #[serde(default)]
    pub labels: Labels,
    /// Require every request with this key to be signed.
    #[serde(default)]
    pub signature_required: bool,
    /// `hmac` (the default: sign with the API key) or `ed25519` (sign with
    /// your private key; give `public_key`).
    #[serde(default)]
    pub signing: SignatureMethod,
    /// For `ed25519`: the public key, base64url without padding.
    #[serde(default)]
    pub public_key: Option<PublicKey>,
    /// The freshness window of signed requests, 5 to 120 seconds.
    #[serde(default)]
    pub signature_window_secs: Option<u32>,
    /// Require an increasing `X-AG-Sequence` on every signed request.
    #[serde(default)]
    pub sequence_required: bool,
    /// Override the per-minute rate (admin only).
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
    /// Override the monthly quota (admin only).
    #[serde(default)]
    pub monthly_quota: Option<u64>,
}

/// `POST /v1/keys/{id}/rotate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateKeyRequest {
    /// How long the old key keeps working, in seconds (0 to 2,592,000, i.e.
    /// 30 days). It never outlives its own `expires_at`.
    pub grace_seconds: u32,
}

/// `POST /v1/keys/{id}/expire`: retire a key early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpireKeyRequest {
    /// When it stops working: now or later, but not after its current `expires_at`.
    pub at: Timestamp,
}

/// Requests counted in one interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsagePoint {
    /// The interval's start.
    pub at: Timestamp,
    /// Requests authenticated by the key in the interval.
    pub requests: u64,
}

/// One key's usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyUsageEntry {
    /// The key.
    pub key_id: KeyId,
    /// Its rotation generation.
    pub version: u32,
    /// Its state now.
    pub status: KeyStatus,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it last authenticated a request.
    pub last_used_at: Option<Timestamp>,
    /// Requests per minute over the last hour (minutes without requests are omitted).
    pub minutes: Vec<UsagePoint>,
    /// Requests per UTC day over the last 30 days (days without requests are omitted).
    pub days: Vec<UsagePoint>,
    /// Requests refused over the last 30 days, by error code.
    pub rejects: BTreeMap<String, u64>,
}

/// `GET /v1/keys/{id}/usage`: the key and every key of its rotation family,
/// oldest first, so an operator can see whether clients still use the old
/// key during a grace window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyUsage {
    /// The key asked about.
    pub key_id: KeyId,
    /// Its rotation family, oldest first (the key itself included).
    pub family: Vec<KeyUsageEntry>,
}

/// `POST /v1/accounts/{id}/revoke-all-keys`: the keys that were revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokedKeys {
    /// The ids of the keys revoked by this call (already revoked keys are not listed).
    pub revoked: Vec<KeyId>,
}
