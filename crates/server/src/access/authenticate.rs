//! Turning presented credentials into a [`Principal`], or a refusal.

use std::net::IpAddr;
use std::sync::Arc;

use altgate_protocol::{ApiKey, ErrorCode};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use super::cache::Cached;
use super::principal::{Principal, key_status};
use super::{PlatformError, Refusal};
use crate::audit::failures::FailureSource;
use crate::platform::Platform;
use crate::secrets::{Keyring, LookupHash};

/// The header carrying a key, as an alternative to `Authorization: Bearer`.
pub(crate) const API_KEY_HEADER: &str = "x-api-key";

/// The key a request presents: `X-API-Key: <key>` or
/// `Authorization: Bearer <key>`. Sending two different keys is refused.
pub(crate) fn presented_key(headers: &HeaderMap) -> Result<&str, Refusal> {
    let header_key = headers.get(API_KEY_HEADER).map(|v| v.to_str().unwrap_or_default().trim());
    let bearer = headers.get(AUTHORIZATION).map(|v| {
        let v = v.to_str().unwrap_or_default().trim();
        match v.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => "",
        }
    });
    match (header_key, bearer) {
        (None, None) => Err(Refusal::new(
            ErrorCode::MissingCredentials,
            "send your key as `X-API-Key: <key>` or `Authorization: Bearer <key>`",
        )),
        (Some(a), Some(b)) if a != b => {
            Err(Refusal::new(ErrorCode::InvalidKeyFormat, "two different keys were sent; send one"))
        }
        (Some(key), _) | (None, Some(key)) if key.is_empty() => Err(Refusal::new(
            ErrorCode::InvalidKeyFormat,
            "the credentials are empty or not of the form `Bearer <key>`",
        )),
        (Some(key), _) | (None, Some(key)) => Ok(key),
    }
}

impl Platform {
    /// Authenticates a presented key from client address `ip`: format and
    /// checksum first (no lookup for a malformed key), then the cache or
    /// the store, then revocation, expiry, suspension and the IP allowlist.
    /// Every refusal is counted for usage and the audit trail.
    pub async fn authenticate(&self, presented: &str, ip: IpAddr) -> Result<Arc<Principal>, PlatformError> {
        self.authenticate_at(presented, ip, self.now()).await
    }

    /// As [`Platform::authenticate`], at `now` (read once per request).
    pub(crate) async fn authenticate_at(
        &self,
        presented: &str,
        ip: IpAddr,
        now: i64,
    ) -> Result<Arc<Principal>, PlatformError> {
        let access = &self.access;
        // Checked in place: the presented key is not copied.
        if let Err(e) = ApiKey::check(presented) {
            access.failures.record(ErrorCode::InvalidKeyFormat.as_str(), FailureSource::Ip(ip), now);
            return Err(Refusal::new(ErrorCode::InvalidKeyFormat, format!("the key {e}")).into());
        }
        let keyring = access.keyring.get();
        let lookup = keyring.lookup_hash(presented);
        let principal = match access.cache.get(&lookup.hash) {
            Cached::Known(principal) => principal,
            Cached::Unknown => return Err(self.unknown_key(ip, now)),
            // Boxed, so that the store's futures do not swell every
            // request's future, which is moved and set up each time.
            Cached::Miss => Box::pin(self.load_presented(presented, &keyring, &lookup, ip, now)).await?,
        };
        if let Some(refusal) = standing_refusal(&principal, ip, now) {
            self.refused(&principal, refusal.code, now);
            return Err(refusal.into());
        }
        Ok(principal)
    }

    /// Reads a presented key the cache does not know from the store, and
    /// caches what it finds (or that it found nothing).
    async fn load_presented(
        &self,
        presented: &str,
        keyring: &Keyring,
        lookup: &LookupHash,
        ip: IpAddr,
        now: i64,
    ) -> Result<Arc<Principal>, PlatformError> {
        let access = &self.access;
        let generation = access.cache.generation();
        let hashes = keyring.lookup_hashes(presented);
        match self.store.key_by_hash(&hashes).await? {
            Some((key_record, account, pepper_version)) => {
                if pepper_version != lookup.pepper_version {
                    // Found under an older pepper: store it under the current one.
                    self.store.rehash_key(&key_record.id, lookup).await?;
                }
                let principal = Arc::new(Principal { key: key_record, account });
                access.cache.insert(generation, lookup.hash, Arc::clone(&principal));
                Ok(principal)
            }
            None => {
                access.cache.insert_unknown(lookup.hash);
                Err(self.unknown_key(ip, now))
            }
        }
    }

    /// Counts a refusal of a known key for its usage and the audit trail.
    pub(crate) fn refused(&self, principal: &Principal, code: ErrorCode, now: i64) {
        self.access.usage.refused(&principal.key.id, code.as_str(), now);
        self.access.failures.record(code.as_str(), FailureSource::Key(principal.key.id.clone()), now);
    }

    fn unknown_key(&self, ip: IpAddr, now: i64) -> PlatformError {
        self.access.failures.record(ErrorCode::UnknownKey.as_str(), FailureSource::Ip(ip), now);
        Refusal::new(ErrorCode::UnknownKey, "this key is not known to this server").into()
    }
}

/// Whether a known key may not be used now from `ip`, and why.
pub(crate) fn standing_refusal(principal: &Principal, ip: IpAddr, now: i64) -> Option<Refusal> {
    use altgate_protocol::KeyStatus;
    let key = &principal.key;
    match key_status(key, now) {
        KeyStatus::Revoked => return Some(Refusal::new(ErrorCode::KeyRevoked, "this key was revoked")),
        KeyStatus::Expired => {
            let detail = match &key.rotated_to {
                Some(next) => format!("this key expired; it was rotated to {next}"),
                None => "this key expired".to_owned(),
            };
            return Some(Refusal::new(ErrorCode::KeyExpired, detail));
        }
        KeyStatus::Active | KeyStatus::Expiring => {}
    }
    if principal.account.suspended_at.is_some() {
        return Some(Refusal::new(ErrorCode::AccountSuspended, "the key's account is suspended"));
    }
    if !key.ip_allowlist.is_empty() && !key.ip_allowlist.iter().any(|net| net.contains(&ip)) {
        return Some(Refusal::new(ErrorCode::IpNotAllowed, format!("{ip} is not in this key's IP allowlist")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn keys_are_read_from_either_header_and_never_two_different_ones() {
        assert_eq!(presented_key(&headers(&[("x-api-key", "k1")])), Ok("k1"));
        assert_eq!(presented_key(&headers(&[("authorization", "Bearer k1")])), Ok("k1"));
        assert_eq!(presented_key(&headers(&[("authorization", "bearer   k1 ")])), Ok("k1"));
        assert_eq!(presented_key(&headers(&[("x-api-key", "k1"), ("authorization", "Bearer k1")])), Ok("k1"));
        let code = |h| presented_key(&h).unwrap_err().code;
        assert_eq!(code(headers(&[])), ErrorCode::MissingCredentials);
        assert_eq!(code(headers(&[("x-api-key", "k1"), ("authorization", "Bearer k2")])), ErrorCode::InvalidKeyFormat);
        assert_eq!(code(headers(&[("authorization", "Basic abc")])), ErrorCode::InvalidKeyFormat);
        assert_eq!(code(headers(&[("x-api-key", "")])), ErrorCode::InvalidKeyFormat);
    }
}
