//! The authenticated-key cache.
//!
//! Maps a key's lookup hash to its record and account, so a repeat request
//! costs one HMAC and one hash-map read instead of a database query. Every
//! change to a key or account goes through this process's write path, which
//! evicts the affected entries *after* the store commits: revocation and
//! suspension apply to the very next request, never served stale. Expiry is
//! checked against the clock on every request, so it needs no eviction.
//!
//! A lookup that misses reads the store, then inserts what it read only if
//! no eviction happened meanwhile (a generation counter), so a revocation
//! that commits during that read cannot be undone by a stale insert.
//!
//! Unknown hashes are remembered too (a bounded negative cache), so a flood
//! of well-formed but unknown keys does not turn into a flood of queries.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use altgate_protocol::{AccountId, KeyId};

use altgate_protocol::signing::Verifier;

use super::principal::Principal;
use crate::id_map::IdMap;

/// Entries held before the cache is emptied and refilled on demand.
const MAX_ENTRIES: usize = 100_000;

/// Hashes a lookup hash by its first eight bytes. Lookup hashes are HMACs
/// under the secret pepper, so they are uniformly distributed and no client
/// can choose them: hashing them again (SipHash) would only cost time, and
/// there is no flooding risk to defend against.
#[derive(Debug, Default, Clone, Copy)]
struct MacHasher(u64);

impl Hasher for MacHasher {
    fn write(&mut self, bytes: &[u8]) {
        if let Some(head) = bytes.first_chunk::<8>() {
            self.0 ^= u64::from_le_bytes(*head);
        }
    }

    fn write_usize(&mut self, _length_prefix: usize) {}

    fn finish(&self) -> u64 {
        self.0
    }
}

type MacBuild = BuildHasherDefault<MacHasher>;

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    known: RwLock<HashMap<[u8; 32], Arc<Principal>, MacBuild>>,
    unknown: RwLock<HashSet<[u8; 32], MacBuild>>,
    /// Keys of signed requests, by id, with what verifies their signatures.
    signing: RwLock<IdMap<KeyId, Arc<SigningKey>>>,
    generation: AtomicU64,
}

/// A key as signed requests use it: its principal and its verifier (for an
/// HMAC key, built from the unsealed API key).
#[derive(Debug)]
pub(crate) struct SigningKey {
    pub(crate) principal: Arc<Principal>,
    pub(crate) verifier: Verifier,
}

/// What the cache knows of a hash.
#[derive(Debug)]
pub(crate) enum Cached {
    Known(Arc<Principal>),
    Unknown,
    Miss,
}

impl KeyCache {
    pub(crate) fn get(&self, hash: &[u8; 32]) -> Cached {
        if let Some(principal) = self.known.read().unwrap_or_else(PoisonError::into_inner).get(hash) {
            return Cached::Known(Arc::clone(principal));
        }
        if self.unknown.read().unwrap_or_else(PoisonError::into_inner).contains(hash) {
            return Cached::Unknown;
        }
        Cached::Miss
    }

    /// The generation to pass to [`KeyCache::insert`] after a store read.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Caches what a store read found, unless an eviction happened since
    /// `generation` was taken.
    pub(crate) fn insert(&self, generation: u64, hash: [u8; 32], principal: Arc<Principal>) {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if known.len() >= MAX_ENTRIES {
            known.clear();
        }
        known.insert(hash, principal);
    }

    pub(crate) fn insert_unknown(&self, hash: [u8; 32]) {
        let mut unknown = self.unknown.write().unwrap_or_else(PoisonError::into_inner);
        if unknown.len() >= MAX_ENTRIES {
            unknown.clear();
        }
        unknown.insert(hash);
    }

    /// The signing entry of a key id.
    pub(crate) fn signing(&self, id: &str) -> Option<Arc<SigningKey>> {
        self.signing.read().unwrap_or_else(PoisonError::into_inner).get(id).cloned()
    }

    /// Caches a signing entry read from the store, unless an eviction
    /// happened since `generation` was taken.
    pub(crate) fn insert_signing(&self, generation: u64, entry: Arc<SigningKey>) {
        let mut signing = self.signing.write().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if signing.len() >= MAX_ENTRIES {
            signing.clear();
        }
        signing.insert(entry.principal.key.id.clone(), entry);
    }

    /// Forgets every cached key and unknown hash.
    pub(crate) fn clear(&self) {
        self.evict(|_| true);
        self.unknown.write().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Evicts one key.
    pub(crate) fn evict_key(&self, id: &KeyId) {
        self.evict(|p| &p.key.id == id);
    }

    /// Evicts every key of an account.
    pub(crate) fn evict_account(&self, id: &AccountId) {
        self.evict(|p| &p.account.id == id);
    }

    /// Evicts the entries whose principal matches, from both maps, and
    /// moves the generation on so no concurrent read re-inserts them.
    fn evict(&self, matches: impl Fn(&Principal) -> bool) {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        let mut signing = self.signing.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        known.retain(|_, p| !matches(p));
        signing.retain(|_, entry| !matches(&entry.principal));
    }
}
