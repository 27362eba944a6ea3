//! Operations on accounts: create, show, update, suspend, reactivate,
//! revoke all keys; free signup; the admin bootstrap; the audit listing.

use std::net::IpAddr;

use altgate_protocol::signing::SignatureMethod;
use altgate_protocol::{
    Account, AccountId, AuditAction, AuditEvent, CreateAccountRequest, CreatedKey, Email, Environment, ErrorCode,
    KeyId, Labels, Name, Plan, Scope, Scopes, Signup, SignupRequest, UpdateAccountRequest,
};
use serde::Serialize;
use serde_json::json;

use super::keys::not_found_account;
use super::principal::{account_view, key_info};
use super::{Actor, PlatformError, Refusal};
use crate::platform::Platform;
use crate::store::{AccountChange, AccountRecord, AuditEntry, AuditFilter, KeyRecord};

/// What `altgate admin init` prints, once.
#[derive(Debug, Clone, Serialize)]
pub struct Bootstrap {
    /// The operator's account.
    pub account_id: AccountId,
    /// The admin key's id.
    pub key_id: KeyId,
    /// The admin key itself. Store it safely; it is not shown again.
    pub key: String,
}

fn admin_only() -> PlatformError {
    Refusal::new(ErrorCode::InsufficientScope, "this operation needs the `admin` scope").into()
}

impl Platform {
    fn new_account(
        &self,
        name: Name,
        email: Option<Email>,
        plan: Plan,
        admin: bool,
    ) -> Result<AccountRecord, PlatformError> {
        Ok(AccountRecord {
            id: self.access.new_account_id()?,
            name,
            email,
            plan,
            admin,
            rate_per_minute: None,
            monthly_quota: None,
            created_at: self.now(),
            suspended_at: None,
        })
    }

    fn first_key(&self, account: &AccountRecord, name: &str, scopes: &[Scope]) -> Result<KeyRecord, PlatformError> {
        let id = self.access.new_key_id()?;
        Ok(KeyRecord {
            family_id: id.clone(),
            id,
            account_id: account.id.clone(),
            name: Name::try_from(name.to_owned()).map_err(|e| Refusal::invalid("name", e.to_string()))?,
            environment: Environment::Live,
            scopes: Scopes::of(scopes),
            start: String::new(),
            version: 1,
            rotated_from: None,
            rotated_to: None,
            created_at: account.created_at,
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
            ip_allowlist: Vec::new(),
            labels: Labels::default(),
            signature_required: false,
            signing: SignatureMethod::Hmac,
            public_key: None,
            signature_window_secs: None,
            sequence_required: false,
            rate_per_minute: None,
            monthly_quota: None,
        })
    }

    /// Creates the operator's account and its admin key, on a store that
    /// has none. Refuses, changing nothing, when one exists.
    pub async fn bootstrap_admin(&self) -> Result<Bootstrap, PlatformError> {
        if self.store.admin_exists().await? {
            return Err(
                Refusal::new(ErrorCode::InvalidParameter, "this data directory already has an admin account").into()
            );
        }
        let name = Name::try_from("operator".to_owned()).map_err(|e| Refusal::invalid("name", e.to_string()))?;
        let account = self.new_account(name, None, Plan::Platinum, true)?;
        let (secret, key) = self.mint(self.first_key(&account, "admin", &[Scope::Admin])?)?;
        let secret = secret.ok_or(PlatformError::Random)?;
        let mut audit = Actor::Operator.audit(account.created_at, AuditAction::AdminInitialized, json!({}));
        audit.account_id = Some(account.id.clone());
        audit.key_id = Some(key.record.id.clone());
        // The unique index on the admin flag makes a concurrent second
        // bootstrap fail here rather than create a second operator.
        self.store.create_account(&account, Some(&key), &[audit]).await?;
        Ok(Bootstrap { account_id: account.id, key_id: key.record.id, key: secret.expose_secret().to_owned() })
    }

    /// Free self-service signup: a `free` account and its first live `read` key.
    pub(crate) async fn signup(&self, ip: IpAddr, request: SignupRequest) -> Result<Signup, PlatformError> {
        if !self.config.signup.enabled {
            return Err(Refusal::new(ErrorCode::NotFound, "signup is disabled on this server").into());
        }
        self.admit_signup(ip)?;
        let account = self.new_account(request.name, Some(request.email), Plan::Free, false)?;
        let (secret, key) = self.mint(self.first_key(&account, "default", &[Scope::Read])?)?;
        let secret = secret.ok_or(PlatformError::Random)?;
        let at = account.created_at;
        let entry = |action, key_id: Option<KeyId>, details| AuditEntry {
            at,
            action,
            actor_account_id: None,
            actor_key_id: None,
            account_id: Some(account.id.clone()),
            key_id,
            ip: Some(ip.to_string()),
            details,
        };
        let audit = [
            entry(AuditAction::AccountCreated, None, json!({ "plan": "free", "via": "signup" })),
            entry(AuditAction::KeyCreated, Some(key.record.id.clone()), json!({ "scopes": ["read"], "via": "signup" })),
        ];
        self.store.create_account(&account, Some(&key), &audit).await?;
        Ok(Signup {
            account: account_view(&account, &self.config.plans),
            key: CreatedKey { key: Some(secret.expose_secret().to_owned()), info: key_info(&key.record, at, None) },
        })
    }

    /// Creates an account (admin).
    pub(crate) async fn create_account(
        &self,
        actor: &Actor,
        request: CreateAccountRequest,
    ) -> Result<Account, PlatformError> {
        if !actor.is_admin() {
            return Err(admin_only());
        }
        if request.rate_per_minute == Some(0) {
            return Err(Refusal::invalid("rate_per_minute", "must be at least 1").into());
        }
        let mut account = self.new_account(request.name, request.email, request.plan.unwrap_or(Plan::Free), false)?;
        account.rate_per_minute = request.rate_per_minute;
        account.monthly_quota = request.monthly_quota;
        let mut audit = actor.audit(
            account.created_at,
            AuditAction::AccountCreated,
            json!({ "plan": account.plan, "rate_per_minute": account.rate_per_minute, "monthly_quota": account.monthly_quota }),
        );
        audit.account_id = Some(account.id.clone());
        self.store.create_account(&account, None, &[audit]).await?;
        Ok(account_view(&account, &self.config.plans))
    }

    /// An account the actor may see: an admin sees all, others their own.
    pub(crate) async fn show_account(&self, actor: &Actor, id: &AccountId) -> Result<Account, PlatformError> {
        if let Actor::Key { principal, .. } = actor
            && !principal.is_admin()
            && principal.account.id != *id
        {
            return Err(not_found_account(id));
        }
        let account = self.store.account(id).await?.ok_or_else(|| not_found_account(id))?;
        Ok(account_view(&account, &self.config.plans))
    }

    /// Changes an account's plan, name, limits or status (admin).
    pub(crate) async fn change_account(
        &self,
        actor: &Actor,
        id: &AccountId,
        change: AccountChange,
    ) -> Result<Account, PlatformError> {
        if !actor.is_admin() {
            return Err(match actor {
                Actor::Key { principal, .. } if principal.account.id != *id => not_found_account(id),
                _ => admin_only(),
            });
        }
        let current = self.store.account(id).await?.ok_or_else(|| not_found_account(id))?;
        let now = self.now();
        let (action, details) = match &change {
            AccountChange::Suspend { .. } if current.admin => {
                return Err(
                    Refusal::new(ErrorCode::InvalidParameter, "the operator's account cannot be suspended").into()
                );
            }
            AccountChange::Suspend { .. } => (AuditAction::AccountSuspended, json!({})),
            AccountChange::Reactivate => (AuditAction::AccountReactivated, json!({})),
            AccountChange::Update { name, plan, rate_per_minute, monthly_quota } => {
                if *rate_per_minute == Some(Some(0)) {
                    return Err(Refusal::invalid("rate_per_minute", "must be at least 1").into());
                }
                (
                    AuditAction::AccountUpdated,
                    json!({ "name": name, "plan": plan, "rate_per_minute": rate_per_minute, "monthly_quota": monthly_quota }),
                )
            }
        };
        let mut audit = actor.audit(now, action, details);
        audit.account_id = Some(id.clone());
        let account = self.store.change_account(id, &change, &audit).await?.ok_or_else(|| not_found_account(id))?;
        self.access.cache.evict_account(id);
        Ok(account_view(&account, &self.config.plans))
    }

    /// Applies an update request (admin).
    pub(crate) async fn update_account(
        &self,
        actor: &Actor,
        id: &AccountId,
        request: UpdateAccountRequest,
    ) -> Result<Account, PlatformError> {
        let change = AccountChange::Update {
            name: request.name,
            plan: request.plan,
            rate_per_minute: request.rate_per_minute,
            monthly_quota: request.monthly_quota,
        };
        self.change_account(actor, id, change).await
    }

    /// Revokes every key of an account at once: an admin for any account, a
    /// `keys` key for its own.
    pub(crate) async fn revoke_all_keys(&self, actor: &Actor, id: &AccountId) -> Result<Vec<KeyId>, PlatformError> {
        if let Actor::Key { principal, .. } = actor
            && !principal.is_admin()
            && principal.account.id != *id
        {
            return Err(not_found_account(id));
        }
        if self.store.account(id).await?.is_none() {
            return Err(not_found_account(id));
        }
        let now = self.now();
        let mut audit = actor.audit(now, AuditAction::AllKeysRevoked, json!({}));
        audit.account_id = Some(id.clone());
        let revoked = self.store.revoke_all_keys(id, now, &audit).await?;
        self.access.cache.evict_account(id);
        Ok(revoked)
    }

    /// Audit events: every event for an admin, the own account's for others.
    pub(crate) async fn audit_events(
        &self,
        actor: &Actor,
        mut filter: AuditFilter,
        after_seq: u64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, PlatformError> {
        if let Actor::Key { principal, .. } = actor
            && !principal.is_admin()
        {
            if filter.account_id.as_ref().is_some_and(|a| *a != principal.account.id) {
                return Err(not_found_account(filter.account_id.as_ref().unwrap_or(&principal.account.id)));
            }
            filter.account_id = Some(principal.account.id.clone());
        }
        Ok(self.store.audit_events(&filter, after_seq, limit).await?)
    }
}
