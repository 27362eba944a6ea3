//! The Generic Cell Rate Algorithm for one subject, in integer microseconds.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Mutex, MutexGuard, PoisonError};

const US_PER_MS: i64 = 1_000;
const MS_PER_MINUTE: u32 = 60_000;
const MS_PER_HOUR: u32 = 3_600_000;

/// A rate: `count` requests per `period_ms`, with up to `burst` at once.
///
/// Constructors raise zero arguments to 1, so every `Limit` admits something;
/// configuration should refuse zeros before it gets here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limit {
    count: u32,
    period_ms: u32,
    burst: u32,
    /// `period / count`: the time one request "costs", at least 1 µs.
    emission_us: i64,
}

impl Limit {
    /// `count` requests per `period_ms`, with `burst` admitted back to back.
    pub(crate) const fn new(count: u32, period_ms: u32, burst: u32) -> Limit {
        let count = if count == 0 { 1 } else { count };
        let period_ms = if period_ms == 0 { 1 } else { period_ms };
        let burst = if burst == 0 { 1 } else { burst };
        let emission_us = (period_ms as i64 * US_PER_MS) / count as i64;
        Limit { count, period_ms, burst, emission_us: if emission_us == 0 { 1 } else { emission_us } }
    }

    /// `count` requests per `period_ms`, with a burst of one second's worth
    /// of traffic (at least 1).
    pub(crate) const fn per_period(count: u32, period_ms: u32) -> Limit {
        let period_ms = if period_ms == 0 { 1 } else { period_ms };
        // ceil(count * 1000 / period_ms), in u64 so it cannot overflow.
        let per_second = (count as u64 * 1_000).div_ceil(period_ms as u64);
        let burst = if per_second > u32::MAX as u64 { u32::MAX } else { per_second as u32 };
        Limit::new(count, period_ms, burst)
    }

    /// `n` requests per minute, burst `max(1, ceil(n / 60))`.
    pub(crate) const fn per_minute(n: u32) -> Limit {
        Limit::per_period(n, MS_PER_MINUTE)
    }

    /// `n` requests per hour, burst `max(1, ceil(n / 3600))`; use
    /// [`Limit::with_burst`] to allow more at once.
    pub(crate) const fn per_hour(n: u32) -> Limit {
        Limit::per_period(n, MS_PER_HOUR)
    }

    /// The same rate with another burst (0 is raised to 1).
    pub(crate) const fn with_burst(self, burst: u32) -> Limit {
        Limit::new(self.count, self.period_ms, burst)
    }

    /// Requests per period.
    pub(crate) const fn count(self) -> u32 {
        self.count
    }

    /// The period in milliseconds.
    pub(crate) const fn period_ms(self) -> u32 {
        self.period_ms
    }

    /// The tolerance τ = T × (burst − 1) in microseconds.
    fn tolerance_us(self) -> i64 {
        self.emission_us.saturating_mul(i64::from(self.burst) - 1)
    }
}

/// Proof that a request fits, carrying the state to [`Gcra::commit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an admission does nothing until it is committed"]
pub(crate) struct Admit {
    new_tat_us: i64,
}

/// How long until a refused request would be admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryAfter {
    /// Milliseconds to wait, at least 1.
    pub(crate) ms: i64,
}

/// GCRA state for one subject: its theoretical arrival time (TAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gcra {
    tat_us: i64,
}

impl Default for Gcra {
    fn default() -> Self {
        Gcra::new()
    }
}

impl Gcra {
    /// A subject that has never been seen: its TAT is in the distant past.
    pub(crate) const fn new() -> Gcra {
        Gcra { tat_us: i64::MIN }
    }

    /// Whether a request at `now_ms` fits `limit`, without changing anything.
    pub(crate) fn peek(&self, limit: Limit, now_ms: i64) -> Result<Admit, RetryAfter> {
        let now_us = to_us(now_ms);
        let tat_us = self.tat_us.max(now_us);
        let allow_at_us = tat_us.saturating_sub(limit.tolerance_us());
        if now_us < allow_at_us {
            Err(RetryAfter { ms: ceil_ms(allow_at_us - now_us) })
        } else {
            Ok(Admit { new_tat_us: tat_us.saturating_add(limit.emission_us) })
        }
    }

    /// Records an admission returned by [`Gcra::peek`] on this state.
    pub(crate) fn commit(&mut self, admit: Admit) {
        self.tat_us = admit.new_tat_us;
    }

    /// How many requests `limit` would admit back to back at `now_ms`.
    pub(crate) fn remaining(&self, limit: Limit, now_ms: i64) -> u32 {
        let now_us = to_us(now_ms);
        let slack_us = now_us.saturating_sub(self.tat_us.max(now_us)).saturating_add(limit.tolerance_us());
        if slack_us < 0 {
            return 0;
        }
        let fits = (slack_us / limit.emission_us).saturating_add(1);
        u32::try_from(fits).unwrap_or(u32::MAX).min(limit.burst)
    }

    /// Milliseconds until the full burst is available again (0 when idle).
    pub(crate) fn reset_ms(&self, now_ms: i64) -> i64 {
        ceil_ms(self.tat_us.saturating_sub(to_us(now_ms)).max(0))
    }

    /// Whether this state is equivalent to [`Gcra::new`] at `now_ms`, so it
    /// can be forgotten.
    pub(crate) fn is_idle(&self, now_ms: i64) -> bool {
        self.tat_us <= to_us(now_ms)
    }
}

fn to_us(ms: i64) -> i64 {
    ms.saturating_mul(US_PER_MS)
}

fn ceil_ms(us: i64) -> i64 {
    us.div_euclid(US_PER_MS) + i64::from(us.rem_euclid(US_PER_MS) != 0)
}

/// One [`Limit`] per key, for simple uses such as signups per client IP.
///
/// Unlike [`super::RateLimiter`] it commits on check. Call
/// [`KeyedGcra::prune`] periodically so idle keys are forgotten.
#[derive(Debug)]
pub(crate) struct KeyedGcra<K> {
    shards: Vec<Mutex<HashMap<K, Gcra>>>,
    hasher: RandomState,
}

impl<K: Hash + Eq + Clone> Default for KeyedGcra<K> {
    fn default() -> Self {
        KeyedGcra::new()
    }
}

impl<K: Hash + Eq + Clone> KeyedGcra<K> {
    /// An empty limiter with 16 shards.
    pub(crate) fn new() -> KeyedGcra<K> {
        KeyedGcra {
            shards: (0..super::DEFAULT_SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        }
    }

    /// Admits and records a request for `key`, or returns the milliseconds
    /// until it would be admitted.
    pub(crate) fn check(&self, key: &K, limit: Limit, now_ms: i64) -> Result<(), i64> {
        let mut shard = self.shard(key);
        match shard.get_mut(key) {
            Some(state) => state.peek(limit, now_ms).map(|admit| state.commit(admit)),
            None => Gcra::new().peek(limit, now_ms).map(|admit| {
                let mut state = Gcra::new();
                state.commit(admit);
                shard.insert(key.clone(), state);
            }),
        }
        .map_err(|retry| retry.ms)
    }

    /// Forgets keys whose state is idle at `now_ms`; behaviour is unchanged.
    pub(crate) fn prune(&self, now_ms: i64) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            shard.retain(|_, state| !state.is_idle(now_ms));
        }
    }

    /// How many keys are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.lock().unwrap_or_else(PoisonError::into_inner).len()).sum()
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, HashMap<K, Gcra>> {
        // Truncating the hash is fine: it only spreads keys over shards.
        let index = (self.hasher.hash_one(key) % self.shards.len() as u64) as usize;
        self.shards[index].lock().unwrap_or_else(PoisonError::into_inner)
    }
}
