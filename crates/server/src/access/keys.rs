//! Operations on keys: create, list, show, rotate, revoke, retire early,
//! and usage.

use altgate_protocol::{
    AccountId, ApiKey, AuditAction, CreateKeyRequest, CreatedKey, Environment, ErrorCode, KeyId, KeyInfo, KeyStatus,
    KeyUsage, KeyUsageEntry, Scope, Timestamp, UsagePoint,
};
use serde_json::json;

use altgate_protocol::signing::SignatureMethod;

use super::principal::{key_info, key_status};
use super::{Actor, PlatformError, Refusal};
use crate::platform::Platform;
use crate::secrets::LookupHash;
use crate::store::{KeyRecord, NewKey, Retirement, RotateOutcome};

/// The narrowest and widest freshness windows of signed requests.
pub(crate) const MIN_WINDOW_SECS: u32 = 5;
/// See [`MIN_WINDOW_SECS`].
pub(crate) const MAX_WINDOW_SECS: u32 = 120;

/// The longest rotation grace window: 30 days.
pub(crate) const MAX_GRACE_SECONDS: u32 = 30 * 24 * 3600;
/// The most networks in an IP allowlist.
const MAX_ALLOWLIST: usize = 32;

fn not_found(id: &KeyId) -> PlatformError {
    Refusal::new(ErrorCode::KeyNotFound, format!("no key `{id}` is visible to you")).into()
}

impl Platform {
    /// A key the actor may see: an admin sees every key; any other key sees
    /// the keys of its own account and environment. Others are "not found".
    pub(crate) async fn visible_key(&self, actor: &Actor, id: &KeyId) -> Result<KeyRecord, PlatformError> {
        let key = self.store.key(id).await?.ok_or_else(|| not_found(id))?;
        match actor {
            Actor::Key { principal, .. } if !principal.is_admin() => {
                let own = key.account_id == principal.account.id && key.environment == principal.key.environment;
                if own { Ok(key) } else { Err(not_found(id)) }
            }
            _ => Ok(key),
        }
    }

    /// The account a new key goes to, checked against the actor.
    async fn target_account(&self, actor: &Actor, asked: Option<&AccountId>) -> Result<AccountId, PlatformError> {
        let missing = |id: &AccountId| -> PlatformError {
            Refusal::new(ErrorCode::AccountNotFound, format!("no account `{id}` is visible to you")).into()
        };
        match (actor, asked) {
            (Actor::Key { principal, .. }, None) => Ok(principal.account.id.clone()),
            (Actor::Key { principal, .. }, Some(id)) if !principal.is_admin() && *id != principal.account.id => {
                Err(missing(id))
            }
            (_, Some(id)) => match self.store.account(id).await? {
                Some(account) => Ok(account.id),
                None => Err(missing(id)),
            },
            (Actor::Operator, None) => {
                Err(Refusal::invalid("account_id", "give the account to create the key in").into())
            }
        }
    }

    /// Creates a key. The secret is in the answer and nowhere else.
    pub(crate) async fn create_key(
        &self,
        actor: &Actor,
        request: CreateKeyRequest,
    ) -> Result<CreatedKey, PlatformError> {
        let now = self.now();
        let account_id = self.target_account(actor, request.account_id.as_ref()).await?;
        let account = self.store.account(&account_id).await?.ok_or_else(|| not_found_account(&account_id))?;
        let environment = match actor {
            Actor::Key { principal, .. } => {
                let own = principal.key.environment;
                let asked = request.environment.unwrap_or(own);
                if asked != own && !principal.is_admin() {
                    return Err(Refusal::new(
                        ErrorCode::InsufficientScope,
                        format!("a {own} key can only create {own} keys"),
                    )
                    .into());
                }
                if !principal.key.scopes.covers(request.scopes) {
                    return Err(Refusal::new(
                        ErrorCode::InsufficientScope,
                        format!("a key can only grant scopes it holds; yours are [{}]", principal.key.scopes),
                    )
                    .into());
                }
                asked
            }
            Actor::Operator => request.environment.unwrap_or(Environment::Live),
        };
        if request.scopes.is_empty() {
            return Err(Refusal::invalid("scopes", "give at least one scope").into());
        }
        if request.scopes.grants(Scope::Admin) && !account.admin {
            return Err(Refusal::invalid("scopes", "`admin` keys exist only on the operator's account").into());
        }
        if (request.rate_per_minute.is_some() || request.monthly_quota.is_some()) && !actor.is_admin() {
            return Err(Refusal::new(ErrorCode::InsufficientScope, "only an admin can override limits").into());
        }
        if request.rate_per_minute == Some(0) {
            return Err(Refusal::invalid("rate_per_minute", "must be at least 1").into());
        }
        if request.expires_at.is_some_and(|at| at.as_millis() <= now) {
            return Err(Refusal::invalid("expires_at", "must be in the future").into());
        }
        match (request.signing, &request.public_key) {
            (SignatureMethod::Ed25519, None) => {
                return Err(Refusal::invalid("public_key", "an ed25519 key needs its public key").into());
            }
            (SignatureMethod::Hmac, Some(_)) => {
                return Err(Refusal::invalid("public_key", "only ed25519 keys take a public key").into());
            }
            _ => {}
        }
        if request.signature_window_secs.is_some_and(|w| !(MIN_WINDOW_SECS..=MAX_WINDOW_SECS).contains(&w)) {
            return Err(Refusal::invalid(
                "signature_window_secs",
                format!("must be from {MIN_WINDOW_SECS} to {MAX_WINDOW_SECS} seconds"),
            )
            .into());
        }
        if request.ip_allowlist.len() > MAX_ALLOWLIST {
            return Err(Refusal::invalid("ip_allowlist", format!("at most {MAX_ALLOWLIST} networks")).into());
        }
        let id = self.access.new_key_id()?;
        let record = KeyRecord {
            family_id: id.clone(),
            id,
            account_id,
            name: request.name,
            environment,
            scopes: request.scopes,
            start: String::new(),
            version: 1,
            rotated_from: None,
            rotated_to: None,
            created_at: now,
            expires_at: request.expires_at.map(Timestamp::as_millis),
            revoked_at: None,
            last_used_at: None,
            ip_allowlist: request.ip_allowlist,
            labels: request.labels,
            signature_required: request.signature_required,
            signing: request.signing,
            public_key: request.public_key,
            signature_window_secs: request.signature_window_secs,
            sequence_required: request.sequence_required,
            rate_per_minute: request.rate_per_minute,
            monthly_quota: request.monthly_quota,
        };
        let (secret, new_key) = self.mint(record)?;
        let mut audit = actor.audit(now, AuditAction::KeyCreated, key_facts(&new_key.record));
        audit.account_id = Some(new_key.record.account_id.clone());
        audit.key_id = Some(new_key.record.id.clone());
        self.store.create_key(&new_key, &audit).await?;
        Ok(CreatedKey { key: secret.map(|s| s.expose_secret().to_owned()), info: key_info(&new_key.record, now, None) })
    }

    /// Generates the secret for `record`, and its lookup hash and sealed
    /// copy. An Ed25519 key gets no secret: the client holds its private
    /// key, and the record a random lookup hash that no key hashes to.
    pub(crate) fn mint(&self, mut record: KeyRecord) -> Result<(Option<ApiKey>, NewKey), PlatformError> {
        if record.signing == SignatureMethod::Ed25519 {
            record.start = format!(
                "ed25519:{}",
                record.public_key.as_ref().map_or(String::new(), |p| p.to_string()[..8].to_owned())
            );
            let mut unused = [0u8; 32];
            self.access.fill(&mut unused)?;
            let lookup = LookupHash { pepper_version: 0, hash: unused };
            return Ok((None, NewKey { record, lookup, sealed: None }));
        }
        let secret = self.access.new_key(record.environment)?;
        record.start = secret.start().to_owned();
        // Seal under the newest master key, even if another process rotated
        // it since the last periodic reload.
        if let Err(error) = self.access.keyring.reload_if_changed() {
            tracing::error!(%error, "the keyring file changed but cannot be loaded; keeping the old one");
        }
        let keyring = self.access.keyring.get();
        let lookup = keyring.lookup_hash(secret.expose_secret());
        let sealed = keyring.seal(record.id.as_str(), secret.expose_secret().as_bytes())?;
        Ok((Some(secret), NewKey { record, lookup, sealed: Some(sealed) }))
    }

    /// One key's metadata.
    pub(crate) async fn show_key(&self, actor: &Actor, id: &KeyId) -> Result<KeyInfo, PlatformError> {
        let key = self.visible_key(actor, id).await?;
        Ok(key_info(&key, self.now(), self.access.usage.last_used(&key.id)))
    }

    /// Keys of an account, one page.
    pub(crate) async fn list_keys(
        &self,
        actor: &Actor,
        account: Option<&AccountId>,
        after: Option<&KeyId>,
        limit: u32,
    ) -> Result<Vec<KeyInfo>, PlatformError> {
        let (account, environment) = match actor {
            Actor::Key { principal, .. } if principal.is_admin() => {
                (account.cloned().unwrap_or_else(|| principal.account.id.clone()), None)
            }
            Actor::Key { principal, .. } => {
                if account.is_some_and(|a| *a != principal.account.id) {
                    return Err(not_found_account(account.unwrap_or(&principal.account.id)));
                }
                (principal.account.id.clone(), Some(principal.key.environment))
            }
            Actor::Operator => {
                let account = account.cloned().ok_or_else(|| Refusal::invalid("account_id", "give the account"))?;
                (account, None)
            }
        };
        let now = self.now();
        let keys = self.store.list_keys(&account, environment, after, limit).await?;
        Ok(keys.iter().map(|k| key_info(k, now, self.access.usage.last_used(&k.id))).collect())
    }

    /// Rotates a key: a new key with the same configuration and `version +
    /// 1`; the old one keeps working until `min(now + grace, its expiry)`.
    pub(crate) async fn rotate_key(
        &self,
        actor: &Actor,
        id: &KeyId,
        grace_seconds: u32,
    ) -> Result<CreatedKey, PlatformError> {
        if grace_seconds > MAX_GRACE_SECONDS {
            return Err(
                Refusal::invalid("grace_seconds", format!("must be at most {MAX_GRACE_SECONDS} (30 days)")).into()
            );
        }
        let now = self.now();
        let old = self.visible_key(actor, id).await?;
        require_usable(&old, now, "rotated")?;
        if let Some(next) = &old.rotated_to {
            return Err(rotation_conflict(id, next));
        }
        let new_id = self.access.new_key_id()?;
        let successor = KeyRecord {
            id: new_id,
            version: old.version + 1,
            rotated_from: Some(old.id.clone()),
            rotated_to: None,
            created_at: now,
            // A rotated key keeps the lifetime of the old one, counted afresh.
            expires_at: old.expires_at.map(|at| now + (at - old.created_at)),
            revoked_at: None,
            last_used_at: None,
            start: String::new(),
            ..old.clone()
        };
        let old_expires_at = old
            .expires_at
            .map_or(now + i64::from(grace_seconds) * 1_000, |at| at.min(now + i64::from(grace_seconds) * 1_000));
        let (secret, new_key) = self.mint(successor)?;
        let mut audit = actor.audit(
            now,
            AuditAction::KeyRotated,
            json!({
                "rotated_to": new_key.record.id,
                "version": new_key.record.version,
                "grace_seconds": grace_seconds,
                "old_key_expires_at": Timestamp::from_millis(old_expires_at),
            }),
        );
        audit.account_id = Some(old.account_id.clone());
        audit.key_id = Some(old.id.clone());
        match self.store.rotate_key(&old.id, old_expires_at, &new_key, &audit).await? {
            RotateOutcome::Rotated => {}
            RotateOutcome::Conflict => {
                let winner = self.store.key(id).await?.and_then(|k| k.rotated_to);
                return Err(rotation_conflict(id, winner.as_ref().unwrap_or(&new_key.record.id)));
            }
        }
        self.access.cache.evict_key(&old.id);
        Ok(CreatedKey { key: secret.map(|s| s.expose_secret().to_owned()), info: key_info(&new_key.record, now, None) })
    }

    /// Revokes a key; revoking a revoked key changes nothing.
    pub(crate) async fn revoke_key(&self, actor: &Actor, id: &KeyId) -> Result<KeyInfo, PlatformError> {
        let now = self.now();
        let key = self.visible_key(actor, id).await?;
        if key.revoked_at.is_some() {
            return Ok(key_info(&key, now, None));
        }
        let mut audit = actor.audit(now, AuditAction::KeyRevoked, json!({ "name": key.name }));
        audit.account_id = Some(key.account_id.clone());
        audit.key_id = Some(key.id.clone());
        let revoked = self.store.retire_key(id, Retirement::Revoke(now), &audit).await?.ok_or_else(|| not_found(id))?;
        self.access.cache.evict_key(id);
        Ok(key_info(&revoked, now, self.access.usage.last_used(id)))
    }

    /// Retires a key early, at `at` (now if `at` is in the past).
    pub(crate) async fn expire_key(&self, actor: &Actor, id: &KeyId, at: Timestamp) -> Result<KeyInfo, PlatformError> {
        let now = self.now();
        let key = self.visible_key(actor, id).await?;
        require_usable(&key, now, "retired")?;
        let at = at.as_millis().max(now);
        if key.expires_at.is_some_and(|current| at > current) {
            return Err(Refusal::invalid("at", "must not be later than the key's current expires_at").into());
        }
        let mut audit =
            actor.audit(now, AuditAction::KeyExpiredEarly, json!({ "expires_at": Timestamp::from_millis(at) }));
        audit.account_id = Some(key.account_id.clone());
        audit.key_id = Some(key.id.clone());
        let retired =
            self.store.retire_key(id, Retirement::ExpireAt(at), &audit).await?.ok_or_else(|| not_found(id))?;
        self.access.cache.evict_key(id);
        Ok(key_info(&retired, now, self.access.usage.last_used(id)))
    }

    /// The usage of a key and its whole rotation family.
    pub(crate) async fn key_usage(&self, actor: &Actor, id: &KeyId) -> Result<KeyUsage, PlatformError> {
        let key = self.visible_key(actor, id).await?;
        self.flush().await?;
        let now = self.now();
        let this_minute = now.div_euclid(60_000);
        let today = now.div_euclid(86_400_000);
        let mut family = Vec::new();
        for member in self.store.key_family(&key.family_id).await? {
            let stored = self.store.key_usage(&member.id, this_minute - 59, today - 29).await?;
            let points = |rows: Vec<(i64, u64)>, unit_ms: i64| {
                rows.into_iter()
                    .map(|(n, requests)| UsagePoint { at: Timestamp::from_millis(n * unit_ms), requests })
                    .collect()
            };
            family.push(KeyUsageEntry {
                key_id: member.id.clone(),
                version: member.version,
                status: key_status(&member, now),
                expires_at: member.expires_at.map(Timestamp::from_millis),
                last_used_at: member.last_used_at.map(Timestamp::from_millis),
                minutes: points(stored.minutes, 60_000),
                days: points(stored.days, 86_400_000),
                rejects: stored.rejects.into_iter().collect(),
            });
        }
        Ok(KeyUsage { key_id: key.id, family })
    }
}

/// The facts of a key worth recording (never the secret).
fn key_facts(key: &KeyRecord) -> serde_json::Value {
    json!({
        "name": key.name,
        "environment": key.environment,
        "scopes": key.scopes,
        "version": key.version,
        "expires_at": key.expires_at.map(Timestamp::from_millis),
        "signature_required": key.signature_required,
        "signing": key.signing,
        "sequence_required": key.sequence_required,
    })
}

fn require_usable(key: &KeyRecord, now: i64, what: &str) -> Result<(), PlatformError> {
    match key_status(key, now) {
        KeyStatus::Revoked | KeyStatus::Expired => Err(Refusal::new(
            ErrorCode::KeyInactive,
            format!(
                "key `{}` is {} and cannot be {what}",
                key.id,
                if key.revoked_at.is_some() { "revoked" } else { "expired" }
            ),
        )
        .into()),
        KeyStatus::Active | KeyStatus::Expiring => Ok(()),
    }
}

fn rotation_conflict(id: &KeyId, winner: &KeyId) -> PlatformError {
    Refusal::new(ErrorCode::RotationConflict, format!("key `{id}` was already rotated to `{winner}`")).into()
}

pub(crate) fn not_found_account(id: &AccountId) -> PlatformError {
    Refusal::new(ErrorCode::AccountNotFound, format!("no account `{id}` is visible to you")).into()
}
