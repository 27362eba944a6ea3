//! The key platform: authentication, authorisation, limits, usage, and the
//! operations on accounts and keys that the HTTP API and the offline CLI
//! share.

pub(crate) mod accounts;
pub(crate) mod authenticate;
pub(crate) mod background;
pub(crate) mod cache;
pub(crate) mod keys;
pub(crate) mod limits;
pub(crate) mod master_key;
pub(crate) mod operator;
pub(crate) mod principal;
pub(crate) mod sequences;
pub(crate) mod signed;
pub(crate) mod usage;

use std::net::IpAddr;
use std::sync::Arc;

use altgate_protocol::{AccountId, ApiKey, Environment, ErrorCode, KeyId};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;

use crate::audit::failures::AuthFailures;
use crate::log_throttle::LogThrottle;
use crate::ratelimit::{KeyedGcra, RateLimiter};
use crate::replay::NonceStore;
use crate::secrets::{KeyringError, KeyringHandle, SecretError};
use crate::store::{AuditEntry, StoreError};

pub use principal::Principal;

/// The key platform's in-memory state, shared by every request.
#[derive(Debug)]
pub(crate) struct Access {
    pub(crate) keyring: KeyringHandle,
    pub(crate) cache: cache::KeyCache,
    pub(crate) limiter: RateLimiter,
    pub(crate) usage: usage::UsageRecorder,
    pub(crate) failures: AuthFailures,
    pub(crate) signups: KeyedGcra<IpAddr>,
    pub(crate) nonces: Arc<dyn NonceStore>,
    pub(crate) sequences: sequences::Sequences,
    /// When this process started (ms): signed requests older than this are
    /// refused for one window, so nothing signed before a restart replays.
    pub(crate) started_at_ms: i64,
    /// The nonce store's refusals, logged once per interval rather than once
    /// per signed request: when it is full,
    pub(crate) nonce_full_log: LogThrottle,
    /// and when it is unavailable.
    pub(crate) nonce_unavailable_log: LogThrottle,
    random: SystemRandom,
}

/// How often a condition refusing every signed request is logged again.
const NONCE_LOG_INTERVAL_MS: i64 = 10_000;

impl Access {
    pub(crate) fn new(keyring: KeyringHandle, nonces: Arc<dyn NonceStore>, started_at_ms: i64) -> Access {
        Access {
            keyring,
            cache: cache::KeyCache::default(),
            limiter: RateLimiter::new(),
            usage: usage::UsageRecorder::default(),
            failures: AuthFailures::default(),
            signups: KeyedGcra::default(),
            nonces,
            sequences: sequences::Sequences::default(),
            started_at_ms,
            nonce_full_log: LogThrottle::new(NONCE_LOG_INTERVAL_MS),
            nonce_unavailable_log: LogThrottle::new(NONCE_LOG_INTERVAL_MS),
            random: SystemRandom::new(),
        }
    }

    pub(crate) fn fill(&self, bytes: &mut [u8]) -> Result<(), PlatformError> {
        self.random.fill(bytes).map_err(|_| PlatformError::Random)
    }

    /// A fresh key from the operating system's CSPRNG.
    pub(crate) fn new_key(&self, environment: Environment) -> Result<ApiKey, PlatformError> {
        let mut entropy = zeroize::Zeroizing::new([0u8; 32]);
        self.fill(entropy.as_mut())?;
        Ok(ApiKey::from_entropy(environment, &entropy))
    }

    pub(crate) fn new_key_id(&self) -> Result<KeyId, PlatformError> {
        let mut entropy = [0u8; 12];
        self.fill(&mut entropy)?;
        Ok(KeyId::from_entropy(&entropy))
    }

    pub(crate) fn new_account_id(&self) -> Result<AccountId, PlatformError> {
        let mut entropy = [0u8; 12];
        self.fill(&mut entropy)?;
        Ok(AccountId::from_entropy(&entropy))
    }
}

/// Who performs an operation.
#[derive(Debug, Clone)]
pub(crate) enum Actor {
    /// A key, over HTTP, from a client address.
    Key { principal: Arc<Principal>, ip: IpAddr },
    /// The operator at the machine, through the offline CLI.
    Operator,
}

impl Actor {
    pub(crate) fn is_admin(&self) -> bool {
        match self {
            Actor::Key { principal, .. } => principal.is_admin(),
            Actor::Operator => true,
        }
    }

    /// An audit entry with this actor filled in.
    pub(crate) fn audit(&self, at: i64, action: altgate_protocol::AuditAction, details: Value) -> AuditEntry {
        let (actor_account_id, actor_key_id, ip, details) = match self {
            Actor::Key { principal, ip } => {
                (Some(principal.account.id.clone()), Some(principal.key.id.clone()), Some(ip.to_string()), details)
            }
            Actor::Operator => {
                let mut details = details;
                if let Value::Object(map) = &mut details {
                    map.insert("via".to_owned(), Value::from("local operator"));
                }
                (None, None, None, details)
            }
        };
        AuditEntry { at, action, actor_account_id, actor_key_id, account_id: None, key_id: None, ip, details }
    }
}

/// A request the platform refuses, with the code from the error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// What is wrong, for people.
    pub detail: String,
    /// The offending field or parameter.
    pub param: Option<&'static str>,
    /// For limits: when to try again, in whole seconds.
    pub retry_after_secs: Option<u64>,
    /// For clock errors: the server's time (ms), so the client can correct.
    pub server_time_ms: Option<i64>,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Refusal { code, detail: detail.into(), param: None, retry_after_secs: None, server_time_ms: None }
    }

    pub(crate) fn invalid(param: &'static str, detail: impl Into<String>) -> Self {
        Refusal { param: Some(param), ..Refusal::new(ErrorCode::InvalidBody, detail) }
    }

    pub(crate) fn server_time(mut self, now_ms: i64) -> Self {
        self.server_time_ms = Some(now_ms);
        self
    }

    pub(crate) fn retry_after_ms(mut self, ms: i64) -> Self {
        // Round up: retrying after the whole seconds given must succeed.
        self.retry_after_secs = Some(u64::try_from(ms.max(0)).unwrap_or_default().div_ceil(1_000));
        self
    }
}

/// Why a platform operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The caller's request is refused.
    #[error("refused: {}", .0.detail)]
    Refused(Refusal),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sealing or opening a secret failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The keyring file could not be read or changed.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// The operating system's random generator failed.
    #[error("the system random generator failed")]
    Random,
}

impl From<Refusal> for PlatformError {
    fn from(refusal: Refusal) -> Self {
        PlatformError::Refused(refusal)
    }
}
