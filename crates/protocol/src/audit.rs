//! The audit trail.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{AccountId, KeyId, Timestamp};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AuditAction {
    /// The admin account and key were bootstrapped.
    AdminInitialized,
    /// An account was created (by an admin or by signup).
    AccountCreated,
    /// An account's plan, name or limits changed.
    AccountUpdated,
    /// An account was suspended; its keys stopped working.
    AccountSuspended,
    /// A suspended account was reactivated.
    AccountReactivated,
    /// Every key of an account was revoked at once.
    AllKeysRevoked,
    /// A key was created.
    KeyCreated,
    /// A key was rotated; `details` names the new key and the grace window.
    KeyRotated,
    /// A key was retired early.
    KeyExpiredEarly,
    /// A key was revoked.
    KeyRevoked,
    /// The master key (KEK) was rotated and data keys re-wrapped.
    MasterKeyRotated,
    /// Old master-key versions were retired.
    MasterKeysRetired,
    /// A burst of failed authentications, aggregated per source and reason.
    AuthFailures,
}

impl AuditAction {
    /// The action as stored and filtered on.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AdminInitialized => "admin_initialized",
            AuditAction::AccountCreated => "account_created",
            AuditAction::AccountUpdated => "account_updated",
            AuditAction::AccountSuspended => "account_suspended",
            AuditAction::AccountReactivated => "account_reactivated",
            AuditAction::AllKeysRevoked => "all_keys_revoked",
            AuditAction::KeyCreated => "key_created",
            AuditAction::KeyRotated => "key_rotated",
            AuditAction::KeyExpiredEarly => "key_expired_early",
            AuditAction::KeyRevoked => "key_revoked",
            AuditAction::MasterKeyRotated => "master_key_rotated",
            AuditAction::MasterKeysRetired => "master_keys_retired",
            AuditAction::AuthFailures => "auth_failures",
        }
    }

    /// Every action.
    pub const ALL: [AuditAction; 13] = [
        AuditAction::AdminInitialized,
        AuditAction::AccountCreated,
        AuditAction::AccountUpdated,
        AuditAction::AccountSuspended,
        AuditAction::AccountReactivated,
        AuditAction::AllKeysRevoked,
        AuditAction::KeyCreated,
        AuditAction::KeyRotated,
        AuditAction::KeyExpiredEarly,
        AuditAction::KeyRevoked,
        AuditAction::MasterKeyRotated,
        AuditAction::MasterKeysRetired,
        AuditAction::AuthFailures,
    ];
}

impl std::str::FromStr for AuditAction {
    type Err = crate::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| crate::UnknownValue {
            kind: "audit action",
            value: s.to_owned(),
            expected: &[
                "admin_initialized",
                "account_created",
                "account_updated",
                "account_suspended",
                "account_reactivated",
                "all_keys_revoked",
                "key_created",
                "key_rotated",
                "key_expired_early",
                "key_revoked",
                "master_key_rotated",
                "master_keys_retired",
                "auth_failures",
            ],
        })
    }
}

/// One event of the append-only, hash-chained audit trail. Keys are named
/// by id, never by secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub action: AuditAction,
    /// The account whose key did it, if a key did.
    pub actor_account_id: Option<AccountId>,
    /// The key that did it, if any.
    pub actor_key_id: Option<KeyId>,
    /// The account acted upon.
    pub account_id: Option<AccountId>,
    /// The key acted upon.
    pub key_id: Option<KeyId>,
    /// The client address of the request, when there was one.
    pub ip: Option<String>,
    /// Action-specific facts.
    pub details: Value,
    /// The MAC of this event, chained over the previous one (hex).
    pub hash: String,
}
