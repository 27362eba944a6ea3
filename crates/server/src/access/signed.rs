//! Verifying signed requests: key lookup, freshness, the signature, the
//! key's state, the nonce and the sequence, in that order. The key's state
//! is told only to a correctly signed request, so a key id alone reveals
//! nothing; a nonce is recorded only for a fresh, correctly signed request;
//! a sequence advances only for a request whose nonce was fresh.

use std::net::IpAddr;
use std::sync::Arc;

use altgate_protocol::signing::{
    CanonicalRequest, SignatureHeaderError, SignatureHeaders, SignatureMethod, Verifier, canonical_string,
};
use altgate_protocol::{ErrorCode, KeyId};

use super::authenticate::standing_refusal;
use super::cache::SigningKey;
use super::principal::Principal;
use super::sequences::Advance;
use super::{PlatformError, Refusal};
use crate::audit::failures::FailureSource;
use crate::platform::Platform;
use crate::replay::{NonceClaim, NonceError, claim_one};

/// The widest freshness window any key may have; also how long after a
/// start requests signed before it are refused.
pub(crate) const MAX_WINDOW_MS: i64 = 120_000;

/// The parts of a request its signature covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) body: &'a [u8],
}

/// A malformed header as a refusal.
pub(crate) fn header_refusal(error: SignatureHeaderError) -> Refusal {
    match error {
        SignatureHeaderError::Nonce => Refusal::new(ErrorCode::NonceInvalid, error.to_string()),
        SignatureHeaderError::Missing(name) | SignatureHeaderError::Malformed(name) => {
            Refusal { param: Some(name), ..Refusal::new(ErrorCode::MalformedSignatureHeader, error.to_string()) }
        }
    }
}

impl Platform {
    /// Authenticates a signed request from `ip` arriving at `now`.
    pub(crate) async fn authenticate_signed(
        &self,
        headers: &SignatureHeaders<'_>,
        request: SignedRequest<'_>,
        ip: IpAddr,
        now: i64,
    ) -> Result<Arc<Principal>, PlatformError> {
        let entry = self.signing_key(headers.key_id, ip, now).await?;
        let principal = &entry.principal;
        let refuse = |refusal: Refusal| -> PlatformError {
            self.refused(principal, refusal.code, now);
            refusal.into()
        };
        let window_ms =
            i64::from(principal.key.signature_window_secs.unwrap_or(self.config.signing.window_secs)) * 1_000;
        let skew = now - headers.timestamp_ms;
        if skew.abs() > window_ms {
            let detail = format!("the timestamp is {skew} ms from the server's clock; the window is {window_ms} ms");
            return Err(refuse(Refusal::new(ErrorCode::TimestampOutOfWindow, detail).server_time(now)));
        }
        let started = self.access.started_at_ms;
        if headers.timestamp_ms < started && now - started <= MAX_WINDOW_MS {
            let detail = "the request was signed before the server started; sign it again";
            return Err(refuse(Refusal::new(ErrorCode::TimestampOutOfWindow, detail).server_time(now)));
        }
        let canonical = canonical_string(&CanonicalRequest {
            key_id: headers.key_id,
            timestamp_ms: headers.timestamp_ms,
            nonce: headers.nonce,
            method: request.method,
            path: request.path,
            query: request.query,
            body: request.body,
            sequence: headers.sequence,
        });
        if entry.verifier.verify(canonical.as_bytes(), headers.signature()).is_err() {
            let detail = "the signature does not match the request; see docs/signing.md for the canonical string";
            return Err(refuse(Refusal::new(ErrorCode::SignatureInvalid, detail)));
        }
        if let Some(refusal) = standing_refusal(principal, ip, now) {
            return Err(refuse(refusal));
        }
        let sequence = match (principal.key.sequence_required, headers.sequence) {
            (true, None) => {
                let refusal = header_refusal(SignatureHeaderError::Missing(altgate_protocol::signing::SEQUENCE_HEADER));
                return Err(refuse(refusal));
            }
            (true, Some(sequence)) => Some(sequence),
            (false, _) => None,
        };
        let claim =
            NonceClaim { key_id: headers.key_id, nonce: headers.nonce, timestamp_ms: headers.timestamp_ms, window_ms };
        match claim_one(&*self.access.nonces, claim, now).await {
            Ok(true) => {}
            Ok(false) => {
                return Err(refuse(Refusal::new(
                    ErrorCode::NonceReplayed,
                    "this nonce was already used; use a fresh one",
                )));
            }
            Err(NonceError::Full { max_live }) => {
                if let Some(held_back) = self.access.nonce_full_log.occurred(now) {
                    tracing::error!(
                        max_live,
                        held_back,
                        "the nonce store is full; refusing signed requests until nonces expire \
                         (raise `signing.max_live_nonces` if this traffic is legitimate)"
                    );
                }
                return Err(Refusal::new(
                    ErrorCode::ServiceUnavailable,
                    "too many signed requests in flight; retry shortly",
                )
                .into());
            }
            Err(NonceError::Unavailable(reason)) => {
                if let Some(held_back) = self.access.nonce_unavailable_log.occurred(now) {
                    tracing::error!(%reason, held_back, "the nonce store is unavailable");
                }
                return Err(Refusal::new(
                    ErrorCode::ServiceUnavailable,
                    "replay protection is unavailable; retry shortly",
                )
                .into());
            }
        }
        if let Some(sequence) = sequence
            && let Advance::NotIncreasing { last } = self.advance_sequence(&principal.key.id, sequence).await?
        {
            let detail = format!("the sequence must be greater than {last}, the last accepted");
            return Err(refuse(Refusal::new(ErrorCode::SequenceNotIncreasing, detail)));
        }
        Ok(Arc::clone(principal))
    }

    /// The key of a signed request, from the cache or the store.
    async fn signing_key(&self, id: &str, ip: IpAddr, now: i64) -> Result<Arc<SigningKey>, PlatformError> {
        match self.access.cache.signing(id) {
            Some(entry) => Ok(entry),
            // Boxed, so that the store's futures do not swell every signed
            // request's future.
            None => Box::pin(self.load_signing_key(id, ip, now)).await,
        }
    }

    /// Reads the key of a signed request from the store, unsealing an HMAC
    /// key, and caches it.
    async fn load_signing_key(&self, id: &str, ip: IpAddr, now: i64) -> Result<Arc<SigningKey>, PlatformError> {
        let generation = self.access.cache.generation();
        let unknown = || -> PlatformError {
            self.access.failures.record(ErrorCode::UnknownKey.as_str(), FailureSource::Ip(ip), now);
            Refusal::new(ErrorCode::UnknownKey, format!("no key `{id}` is known to this server")).into()
        };
        let id = KeyId::parse(id).map_err(|_| unknown())?;
        let Some(key) = self.store.key(&id).await? else { return Err(unknown()) };
        let account = self.store.account(&key.account_id).await?.ok_or_else(unknown)?;
        let verifier = match (key.signing, &key.public_key) {
            (SignatureMethod::Ed25519, Some(public)) => Verifier::Ed25519(public.clone()),
            (SignatureMethod::Ed25519, None) => return Err(unknown()),
            (SignatureMethod::Hmac, _) => {
                let sealed = self.store.sealed(&id).await?.ok_or_else(unknown)?;
                let keyring = self.access.keyring.get_with_version(sealed.kek_version)?;
                let secret = keyring.open(id.as_str(), &sealed)?;
                Verifier::hmac(&secret)
            }
        };
        let entry = Arc::new(SigningKey { principal: Arc::new(Principal { key, account }), verifier });
        self.access.cache.insert_signing(generation, Arc::clone(&entry));
        Ok(entry)
    }

    /// Advances a key's sequence, loading its last value on first use.
    async fn advance_sequence(&self, key: &KeyId, sequence: u64) -> Result<Advance, PlatformError> {
        let sequences = &self.access.sequences;
        match sequences.advance(key, sequence) {
            Advance::Unknown => {
                // Boxed, as above: the store is read once per key.
                sequences.load(key, Box::pin(self.store.last_sequence(key)).await?);
                Ok(sequences.advance(key, sequence))
            }
            decided => Ok(decided),
        }
    }
}
