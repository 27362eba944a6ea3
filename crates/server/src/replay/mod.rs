//! Replay protection: remembering the nonces of accepted signed requests.
//!
//! A signed request carries a key id, a timestamp and a nonce. The server
//! accepts it only if its timestamp is within the key's freshness window of
//! the service clock (`|now − timestamp| ≤ window`) and if no other accepted
//! request of the same key used the same nonce within that window. The
//! second condition is this module: a [`NonceStore`] answers, atomically per
//! claim, "has this (key id, nonce) been seen? If not, remember it", so of
//! 100 concurrent copies of one signed request exactly one is fresh.
//!
//! The freshness check comes first and the store is asked second, so a store
//! only has to remember a nonce until no request with its timestamp could
//! pass the freshness check again: its *retention* is the largest window any
//! key may have.
//!
//! The trait takes batches and is async so a networked store (Redis, with
//! `SET NX` in a pipeline) can implement it later without changing callers.
//! [`MemoryNonceStore`] is the in-process implementation; its design is
//! described in [`memory`].

pub mod memory;
mod table;
#[cfg(test)]
mod tests;

pub use memory::{MemoryNonceConfig, MemoryNonceStore};

/// Remembers the nonces of accepted requests and tells repeats apart.
///
/// Claims are answered in order, each one atomically against every other
/// claim of any caller: of any number of concurrent claims of one (key id,
/// nonce), at most one is fresh.
#[async_trait::async_trait]
pub trait NonceStore: std::fmt::Debug + Send + Sync + 'static {
    /// For each claim, atomically records it unless the same (key id, nonce)
    /// is already recorded with a timestamp inside the claim's window of
    /// `now_ms`; returns, in order, whether each claim was fresh.
    /// Claims in one batch with the same (key id, nonce) count as repeats of
    /// the first. `now_ms` is the service clock.
    ///
    /// A store may answer `false` (not fresh) for a claim whose timestamp is
    /// older than its retention covers: it can no longer vouch for it, and
    /// such a request cannot pass the freshness check anyway.
    ///
    /// On error, claims before the failing one may have been recorded; the
    /// caller must refuse every request of the batch.
    async fn claim(&self, claims: &[NonceClaim<'_>], now_ms: i64) -> Result<Vec<bool>, NonceError>;

    /// Answers one claim at once, when the store can without waiting (an
    /// in-memory store): the hot path of every signed request, which then
    /// allocates no future and no answer vector. `None` means "ask
    /// [`NonceStore::claim`]".
    fn claim_now(&self, _claim: &NonceClaim<'_>, _now_ms: i64) -> Option<Result<bool, NonceError>> {
        None
    }

    /// Forgets nonces that expired by `now_ms` and releases their memory,
    /// for a store that only does so as claims arrive; the service calls it
    /// periodically, so memory is released while traffic is idle too. A
    /// store whose entries expire by themselves (a TTL) does nothing.
    fn forget_expired(&self, _now_ms: i64) {}
}

/// One request's claim to a nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonceClaim<'a> {
    /// The id of the key that signed the request.
    pub key_id: &'a str,
    /// The request's nonce: 16 to 64 characters of `[A-Za-z0-9_-]`, already
    /// checked by the caller (the store accepts any string).
    pub nonce: &'a str,
    /// The request's signed timestamp, in Unix milliseconds.
    pub timestamp_ms: i64,
    /// The key's freshness window, in milliseconds. A nonce must be unique
    /// among the key's accepted requests whose timestamps lie within this
    /// window of now: an earlier request outside it can no longer pass the
    /// freshness check, so neither can its replay, and a store need not look
    /// for it. A replay carries its original's timestamp, so it is always
    /// looked for where that original was recorded.
    pub window_ms: i64,
}

/// Why a [`NonceStore`] could not answer. Either way the request must be
/// refused: accepting it unchecked would allow a replay.
#[derive(Debug, thiserror::Error)]
pub enum NonceError {
    /// The store holds its configured maximum of live nonces; refusing keeps
    /// replay protection intact.
    #[error("the nonce store holds its maximum of {max_live} live nonces")]
    Full {
        /// The configured maximum.
        max_live: usize,
    },
    /// A networked store failed (unused in memory).
    #[error("the nonce store is unavailable: {0}")]
    Unavailable(String),
}

/// Claims one nonce: whether `claim` was fresh (and is now recorded).
///
/// # Errors
/// Whatever the store returns, and [`NonceError::Unavailable`] if it answers
/// no claim at all.
pub async fn claim_one(store: &dyn NonceStore, claim: NonceClaim<'_>, now_ms: i64) -> Result<bool, NonceError> {
    if let Some(answer) = store.claim_now(&claim, now_ms) {
        return answer;
    }
    let answers = store.claim(&[claim], now_ms).await?;
    match answers.as_slice() {
        [fresh] => Ok(*fresh),
        _ => Err(NonceError::Unavailable(format!("the store answered {} claims for 1", answers.len()))),
    }
}
