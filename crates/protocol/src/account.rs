//! Accounts (tenants), and free self-service signup.

use serde::{Deserialize, Serialize};

use crate::{AccountId, CreatedKey, Email, Name, Plan, Timestamp};

/// Whether an account's keys work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccountStatus {
    /// Its keys work.
    Active,
    /// Every key of the account is refused with `account_suspended`.
    Suspended,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    /// The account id.
    pub id: AccountId,
    /// Its display name.
    pub name: Name,
    /// The contact address, if given.
    pub email: Option<Email>,
    /// The plan.
    pub plan: Plan,
    /// True for the operator's account, whose keys may hold `admin`.
    pub admin: bool,
    /// Active or suspended.
    pub status: AccountStatus,
    /// The requests per minute all keys of the account share: the plan's,
    /// or an override.
    pub rate_per_minute: u32,
    /// The requests per calendar month (UTC), per environment.
    pub monthly_quota: u64,
    /// Whether `rate_per_minute` is an override of the plan's.
    pub rate_overridden: bool,
    /// Whether `monthly_quota` is an override of the plan's.
    pub quota_overridden: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was suspended, while it is.
    pub suspended_at: Option<Timestamp>,
}

/// `POST /v1/accounts` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAccountRequest {
    /// Display name.
    pub name: Name,
    /// Contact address.
    #[serde(default)]
    pub email: Option<Email>,
    /// The plan; `free` when omitted.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// Overrides the plan's per-minute rate.
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
    /// Overrides the plan's monthly quota.
    #[serde(default)]
    pub monthly_quota: Option<u64>,
}

/// `PATCH /v1/accounts/{id}` (admin). Absent fields are unchanged; an
/// override set to `null` returns to the plan's value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateAccountRequest {
    /// A new display name.
    #[serde(default)]
    pub name: Option<Name>,
    /// A new plan.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// A new per-minute override, or `null` to clear it.
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub rate_per_minute: Option<Option<u32>>,
    /// A new monthly-quota override, or `null` to clear it.
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u64>))]
    pub monthly_quota: Option<Option<u64>>,
}

/// `POST /v1/signup`: a free account and its first `read` key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupRequest {
    /// Your name or your project's.
    pub name: Name,
    /// Where to reach you.
    pub email: Email,
}

/// The answer to a signup. The key is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signup {
    /// The new account.
    pub account: Account,
    /// Its first key, with the secret.
    pub key: CreatedKey,
}

/// Distinguishes "absent" from "null" for PATCH fields.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}
