//! The in-memory [`NonceStore`].
//!
//! **Fingerprints, not strings.** Each claim is reduced to a 128-bit
//! fingerprint: two 64-bit outputs of one keyed hash function (`std`'s
//! `RandomState`, SipHash-1-3 today, whose random key is drawn when the store
//! is built), of `key id ‖ 0xFF ‖ nonce` and of the same with a zero byte
//! appended: one pass over the input, where two keys took two. The halves
//! are a pseudorandom function's outputs for two different inputs, so two
//! pairs share a fingerprint only if both outputs clash, as unlikely as with
//! two keys. `0xFF` never occurs in UTF-8, so distinct pairs are distinct
//! inputs, and without the key nobody can choose colliding nonces. Only
//! fingerprints are stored: 16 bytes in a table instead of two heap strings
//! (a 64-character nonce alone takes 88 bytes with its `String`), which
//! keeps a live nonce within 64 bytes.
//!
//! **Why 128 bits.** A fingerprint collision is a false repeat: an honest
//! request refused. With 2^-128 per pair of nonces, even 10^6 live nonces
//! checked against 10^15 claims give odds of about 10^-18; it never happens in
//! practice. With 64 bits, 4 million live nonces would meet a collision
//! within a few trillion claims.
//!
//! **Shards and buckets.** Fingerprints are spread by their high half over
//! independently locked shards; everything happens under one shard's lock and
//! synchronously, so no lock is ever held across an `.await`. A shard keeps
//! a list of time buckets, each holding the fingerprints of nonces claimed
//! with one window whose *timestamps* lie in one span of `bucket_ms =
//! retention_ms / 4` (30 s by default), in a table hashed by their low half
//! (already uniform) whose probes mostly read a single cache line (the
//! `FingerprintTable` of `replay/table.rs`). A nonce goes into the bucket of
//! its timestamp and its key's window; the timestamp may lie in the future.
//!
//! **Lookups.** A nonce must be unique among its key's accepted requests whose
//! timestamps lie within the key's window of now. A lookup therefore checks
//! only the buckets of the claim's window that overlap `[now − window, now +
//! window]`, and its own bucket: a nonce recorded outside belongs to a
//! request that can no longer pass the freshness check, and a replay, which
//! carries its original's timestamp, is looked for in the very bucket the
//! original went to. Buckets of other windows are never looked at: a key's
//! window is fixed when it is created, so they hold no nonce of this key.
//! With the default 30-second window that is two buckets; each is asked
//! first through a small summary that stays in the cache, and a fresh
//! nonce's line is written later, in a batch (see `replay/table.rs`), so a
//! fresh claim rarely waits for memory. (One table per shard mapping
//! fingerprints to buckets was measured too: a single probe, but expiry then
//! needs passes over the whole table, and at a million live nonces it was
//! slower, 518 against 340 ns a fresh claim, and larger, 52 against 31 bytes
//! a nonce.)
//!
//! **Expiry.** Let `latest` be the latest `now_ms` the store has seen. A
//! bucket of window `w` covering `[start, start + bucket_ms)` has *expired*
//! once `latest > start + bucket_ms + w`: every timestamp in it is then more
//! than `w` old, so the freshness check refuses it before the store is asked.
//! A nonce is thus held between `w` and `w + bucket_ms` past its timestamp:
//! 30 to 60 s with the default window, whatever the widest window a key may
//! have, which is what lets one server sustain a high rate of signed requests
//! within the ceiling below. Expired buckets are dropped whole when a claim
//! enters the shard after the shard's earliest expiry (and by
//! [`MemoryNonceStore::purge_expired`], which the service runs with its
//! periodic work, so idle memory is released too), so expiry is O(1)
//! amortised per nonce. Because buckets are dropped and new ones created,
//! table capacity follows load without shrinking. A new bucket is created
//! with room for as many nonces as the shard's previous bucket of its window
//! took: under steady traffic no table grows, so no claim waits while a
//! large table is rehashed (at 90,000 signed requests a second a shard's
//! table of 60,000 nonces took about 3 ms to double, under the shard's lock,
//! and every request behind it waited). A claim whose own bucket
//! has expired is answered "not fresh" and not recorded: expiry follows
//! `latest`, not the claim's `now_ms`, so a request that read the clock just
//! before another request expired its bucket cannot slip through as fresh
//! after the bucket is gone. The price is paid if the clock steps forward by
//! `J` and back: claims are refused for about `J − w`, until the clock
//! catches up, rather than replays let through. A window wider than
//! `retention_ms` counts as `retention_ms`.
//!
//! **A fail-closed ceiling.** One global count of live nonces is kept. A claim
//! that would exceed `max_live` first drops expired buckets in every shard,
//! then, if still over, fails with [`NonceError::Full`]. Live nonces are never
//! evicted early, which would allow replays. Memory is bounded by `max_live` ×
//! bytes per nonce: 16½ bytes per table slot at a load of at most 3/4, so at
//! least 22 bytes per nonce. A table that grows doubles, so it is between 3/8
//! and 3/4 full, 22 to 44 bytes per nonce: 132 to 264 MB at the default
//! 6,000,000 (plus a table doubling in progress, and, while traffic falls,
//! the unused room of buckets sized for the busier slice before them: at
//! most as much again). Under steady traffic a bucket is sized for its
//! predecessor's count and a quarter more, and ends 3/5 full: 27.5 bytes,
//! 165 MB at the ceiling. Each table also keeps a 512-byte buffer of
//! fingerprints waiting to be placed (see `replay/table.rs`). Repeats need
//! no room and are answered while full. With the default window a nonce is
//! held at most 60 s, so the default ceiling leaves room for about 100,000
//! signed requests a second, sustained: above what one server on two cores
//! answers (75,000 measured), so that a single busy server is never refused
//! by its own default. The memory is taken only as traffic needs it.
//! Timestamps are caller input; the store trusts the freshness check to have
//! kept them within a window of now, which bounds the bucket count.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::table::FingerprintTable;
use super::{NonceClaim, NonceError, NonceStore};

/// The configuration of a [`MemoryNonceStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryNonceConfig {
    /// The widest freshness window of any claim, in milliseconds (wider ones
    /// count as this); buckets span a quarter of it. Values below 4 are
    /// raised to 4.
    pub retention_ms: i64,
    /// The most nonces held at once; a claim beyond it fails with
    /// [`NonceError::Full`].
    pub max_live: usize,
    /// How many independently locked shards; 0 is raised to 1.
    pub shards: usize,
}

impl Default for MemoryNonceConfig {
    /// Two minutes of retention (the largest window), 6,000,000 live nonces
    /// and 16 shards.
    fn default() -> Self {
        Self { retention_ms: 120_000, max_live: 6_000_000, shards: 16 }
    }
}

/// A [`NonceStore`] in process memory, for a single server; see the
/// [module documentation](self) for its design.
pub struct MemoryNonceStore {
    /// The configuration, with out-of-range values raised.
    config: MemoryNonceConfig,
    /// The span of timestamps one bucket covers: a quarter of the retention.
    bucket_ms: i64,
    /// The keyed hasher of fingerprints.
    hasher: RandomState,
    /// The shards, each padded to its own cache lines.
    shards: Box<[PaddedShard]>,
    /// Live nonces in all shards, expired buckets not yet dropped included.
    live: AtomicUsize,
    /// The latest `now_ms` seen; buckets expire against it.
    latest_ms: AtomicI64,
}

/// A shard's lock, aligned so that two shards never share a cache line.
#[derive(Debug, Default)]
#[repr(align(128))]
struct PaddedShard(Mutex<Shard>);

/// One shard: its buckets in increasing order of `(start, window_ms)`.
#[derive(Debug)]
struct Shard {
    /// The buckets, oldest first.
    buckets: VecDeque<Bucket>,
    /// The earliest time after which one of the buckets has expired
    /// (`i128::MAX` without buckets), so most claims skip looking.
    next_expiry: i128,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { buckets: VecDeque::new(), next_expiry: i128::MAX }
    }
}

/// The fingerprints of nonces claimed with window `window_ms` whose
/// timestamps lie in `[start, start + bucket_ms)`.
#[derive(Debug)]
struct Bucket {
    /// The first timestamp covered, a multiple of `bucket_ms` (wide, so that
    /// timestamps near the ends of `i64` cannot overflow).
    start: i128,
    /// The window of every claim in it.
    window_ms: i64,
    /// The fingerprints.
    nonces: FingerprintTable,
}

/// How one claim went in its shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Recorded now.
    Fresh,
    /// Already recorded, or its bucket has expired.
    NotFresh,
    /// New, but the store is at `max_live`.
    Full,
}

impl MemoryNonceStore {
    /// An empty store with fresh random hash keys.
    pub fn new(config: MemoryNonceConfig) -> Self {
        let config = MemoryNonceConfig {
            retention_ms: config.retention_ms.max(4),
            max_live: config.max_live,
            shards: config.shards.max(1),
        };
        Self {
            bucket_ms: config.retention_ms / 4,
            hasher: RandomState::new(),
            shards: (0..config.shards).map(|_| PaddedShard::default()).collect(),
            live: AtomicUsize::new(0),
            latest_ms: AtomicI64::new(i64::MIN),
            config,
        }
    }

    /// The configuration in effect (out-of-range values raised).
    pub fn config(&self) -> MemoryNonceConfig {
        self.config
    }

    /// Nonces held: live ones, and expired ones whose bucket was not dropped yet.
    pub fn len(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Whether no nonce is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An estimate of the heap and inline bytes held: the tables' slots, and
    /// the shards and bucket lists.
    pub fn memory_bytes(&self) -> usize {
        let mut bytes = size_of::<Self>() + self.shards.len() * size_of::<PaddedShard>();
        for index in 0..self.shards.len() {
            let shard = self.lock(index);
            bytes += shard.buckets.capacity() * size_of::<Bucket>();
            bytes += shard.buckets.iter().map(|bucket| bucket.nonces.bytes()).sum::<usize>();
        }
        bytes
    }

    /// Drops every bucket that has expired by `now_ms` (or by a later time
    /// already seen) and returns how many nonces were forgotten. Claims do
    /// this shard by shard; call it periodically to release memory while
    /// traffic is idle.
    pub fn purge_expired(&self, now_ms: i64) -> usize {
        self.observe(now_ms);
        self.drop_all_expired()
    }

    /// Drops every expired bucket, one shard at a time.
    fn drop_all_expired(&self) -> usize {
        (0..self.shards.len())
            .map(|index| {
                let mut shard = self.lock(index);
                self.drop_expired(&mut shard, self.latest_ms.load(Ordering::Acquire))
            })
            .sum()
    }

    /// Answers a batch synchronously: the work behind [`NonceStore::claim`].
    fn claim_batch(&self, claims: &[NonceClaim<'_>], now_ms: i64) -> Result<Vec<bool>, NonceError> {
        self.observe(now_ms);
        claims.iter().map(|claim| self.claim_single(claim, now_ms)).collect()
    }

    /// Answers one claim, dropping expired buckets everywhere once if the
    /// store looks full.
    fn claim_single(&self, claim: &NonceClaim<'_>, now_ms: i64) -> Result<bool, NonceError> {
        let window_ms = claim.window_ms.clamp(0, self.config.retention_ms);
        let slot = Slot {
            fingerprint: self.fingerprint(claim.key_id, claim.nonce),
            start: self.bucket_start(claim.timestamp_ms),
            window_ms,
            // Buckets starting after `first` and at or before `last` overlap the window.
            first: i128::from(now_ms) - i128::from(window_ms) - i128::from(self.bucket_ms),
            last: i128::from(now_ms) + i128::from(window_ms),
        };
        let mut outcome = self.try_claim(&slot);
        if outcome == Outcome::Full {
            self.drop_all_expired();
            outcome = self.try_claim(&slot);
        }
        match outcome {
            Outcome::Fresh => Ok(true),
            Outcome::NotFresh => Ok(false),
            Outcome::Full => Err(NonceError::Full { max_live: self.config.max_live }),
        }
    }

    /// Answers one claim under its shard's lock.
    fn try_claim(&self, slot: &Slot) -> Outcome {
        let mut shard = self.lock(self.shard_index(slot.fingerprint));
        // Read under the lock, so at least the value that dropped any of this
        // shard's buckets: that happened before the lock was last released.
        let latest = self.latest_ms.load(Ordering::Acquire);
        self.drop_expired(&mut shard, latest);
        if self.expiry(slot.start, slot.window_ms) < i128::from(latest) {
            return Outcome::NotFresh;
        }
        let is_own = |bucket: &Bucket| bucket.start == slot.start && bucket.window_ms == slot.window_ms;
        // Room is reserved before any table is touched. The count is an
        // atomic read-modify-write, and the processor holds later loads back
        // until it completes; taken between the lookup and the insert, it
        // made their two cache misses wait for each other.
        let max_live = self.config.max_live;
        if self.live.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| (n < max_live).then_some(n + 1)).is_err() {
            // A repeat needs no room.
            let repeat =
                shard.buckets.iter().any(|bucket| slot.looks_at(bucket) && bucket.nonces.contains(slot.fingerprint));
            return if repeat { Outcome::NotFresh } else { Outcome::Full };
        }
        // The other buckets first; the claim's own is looked at once, by the
        // insert, which tells a repeat from a fresh nonce.
        let mut others = shard.buckets.iter().filter(|bucket| slot.looks_at(bucket) && !is_own(bucket));
        let fresh = !others.any(|bucket| bucket.nonces.contains(slot.fingerprint))
            && shard
                .bucket(slot.start, slot.window_ms, self.expiry(slot.start, slot.window_ms))
                .insert(slot.fingerprint);
        if fresh {
            Outcome::Fresh
        } else {
            self.live.fetch_sub(1, Ordering::Relaxed);
            Outcome::NotFresh
        }
    }

    /// Drops the shard's buckets expired by `latest` and returns how many nonces they held.
    fn drop_expired(&self, shard: &mut Shard, latest: i64) -> usize {
        let latest = i128::from(latest);
        if shard.next_expiry >= latest {
            return 0;
        }
        let mut dropped = 0;
        let mut next_expiry = i128::MAX;
        shard.buckets.retain(|bucket| {
            let expiry = self.expiry(bucket.start, bucket.window_ms);
            if expiry < latest {
                dropped += bucket.nonces.len();
                false
            } else {
                next_expiry = next_expiry.min(expiry);
                true
            }
        });
        shard.next_expiry = next_expiry;
        if dropped > 0 {
            self.live.fetch_sub(dropped, Ordering::Relaxed);
        }
        dropped
    }

    /// Raises `latest_ms` to `now_ms`.
    fn observe(&self, now_ms: i64) {
        if now_ms > self.latest_ms.load(Ordering::Acquire) {
            self.latest_ms.fetch_max(now_ms, Ordering::AcqRel);
        }
    }

    /// The last time at which the bucket starting at `start` of window
    /// `window_ms` has not expired.
    fn expiry(&self, start: i128, window_ms: i64) -> i128 {
        start + i128::from(self.bucket_ms) + i128::from(window_ms)
    }

    /// The start of the bucket covering `timestamp_ms`. The remainder is
    /// taken in 64 bits (in 128 it is a library call on every claim), the
    /// difference in 128, where it cannot overflow.
    fn bucket_start(&self, timestamp_ms: i64) -> i128 {
        i128::from(timestamp_ms) - i128::from(timestamp_ms.rem_euclid(self.bucket_ms))
    }

    /// The 128-bit fingerprint of (key id, nonce).
    fn fingerprint(&self, key_id: &str, nonce: &str) -> u128 {
        let mut hasher = self.hasher.build_hasher();
        // In one write where it fits (a key id and a nonce of the signing
        // scheme always do): each write has a fixed cost.
        let mut input = [0u8; 128];
        let length = key_id.len() + 1 + nonce.len();
        if let Some(input) = input.get_mut(..length) {
            let (key, rest) = input.split_at_mut(key_id.len());
            key.copy_from_slice(key_id.as_bytes());
            rest[0] = 0xFF;
            rest[1..].copy_from_slice(nonce.as_bytes());
            hasher.write(input);
        } else {
            hasher.write(key_id.as_bytes());
            hasher.write_u8(0xFF);
            hasher.write(nonce.as_bytes());
        }
        let high = hasher.finish();
        // The same keyed function of the input with one byte more: a second,
        // independent output, without hashing the input twice.
        hasher.write_u8(0);
        let low = hasher.finish();
        // Zero marks an empty slot; it becomes 1, a clash as unlikely as any other.
        ((u128::from(high) << 64) | u128::from(low)).max(1)
    }

    /// The shard of a fingerprint, from its high half (the low half hashes
    /// within the shard's tables).
    fn shard_index(&self, fingerprint: u128) -> usize {
        (((fingerprint >> 64) * self.shards.len() as u128) >> 64) as usize
    }

    /// Locks a shard; a panic elsewhere cannot leave a set inconsistent.
    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        self.shards[index].0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Shard {
    /// The set of the bucket of `(start, window_ms)`, created in order if
    /// absent (with its expiry).
    fn bucket(&mut self, start: i128, window_ms: i64, expiry: i128) -> &mut FingerprintTable {
        let key = (start, window_ms);
        let index = match self.buckets.iter().rposition(|bucket| (bucket.start, bucket.window_ms) <= key) {
            Some(index) if (self.buckets[index].start, self.buckets[index].window_ms) == key => index,
            before => {
                let index = before.map_or(0, |index| index + 1);
                // Sized for what the previous slice of this window took and a
                // quarter more, so steady or slowly rising traffic never
                // waits for a large table to be rehashed.
                let previous = self.buckets.range(..index).rev().find(|bucket| bucket.window_ms == window_ms);
                let capacity = previous.map_or(0, |bucket| bucket.nonces.len() + bucket.nonces.len() / 4);
                let nonces = FingerprintTable::with_capacity(capacity);
                self.buckets.insert(index, Bucket { start, window_ms, nonces });
                self.next_expiry = self.next_expiry.min(expiry);
                index
            }
        };
        &mut self.buckets[index].nonces
    }
}

/// Where one claim goes and what it looks at.
#[derive(Debug)]
struct Slot {
    fingerprint: u128,
    /// Its bucket's start.
    start: i128,
    /// Its window, within the retention.
    window_ms: i64,
    /// Buckets starting after this and at or before `last` overlap the window.
    first: i128,
    last: i128,
}

impl Slot {
    /// Whether a claim looks for its fingerprint in `bucket`.
    fn looks_at(&self, bucket: &Bucket) -> bool {
        bucket.window_ms == self.window_ms
            && (bucket.start == self.start || (bucket.start > self.first && bucket.start <= self.last))
    }
}

impl std::fmt::Debug for MemoryNonceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryNonceStore")
            .field("config", &self.config)
            .field("live", &self.len())
            .field("latest_ms", &self.latest_ms.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl NonceStore for MemoryNonceStore {
    async fn claim(&self, claims: &[NonceClaim<'_>], now_ms: i64) -> Result<Vec<bool>, NonceError> {
        self.claim_batch(claims, now_ms)
    }

    fn claim_now(&self, claim: &NonceClaim<'_>, now_ms: i64) -> Option<Result<bool, NonceError>> {
        self.observe(now_ms);
        Some(self.claim_single(claim, now_ms))
    }

    fn forget_expired(&self, now_ms: i64) {
        self.purge_expired(now_ms);
    }
}
