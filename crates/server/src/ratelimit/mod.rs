//! Request rate limiting: per-key and per-account rates, and monthly quotas.
//!
//! Rates use the Generic Cell Rate Algorithm (GCRA). Each subject keeps one
//! number, its theoretical arrival time (TAT): every admitted request pushes
//! the TAT one emission interval `T = period / count` later. A request is
//! admitted while the TAT is at most the tolerance `τ = T × (burst − 1)` ahead
//! of now, which allows `burst` requests back to back and then one every `T`.
//!
//! A request must pass three limits: its key's rate, its account's rate (per
//! environment) and its account's monthly quota. A request refused by one of
//! them must consume none of the others, or a client hammering one key would
//! drain its whole account. So [`Gcra::peek`] decides without changing state
//! and [`Gcra::commit`] records, and [`RateLimiter::check`] commits all three
//! under one lock only when all three admit. Keyed limiters such as
//! `governor`'s commit on check, which is why this is written here.
//!
//! Everything is synchronous and takes the time as `now_ms` (Unix
//! milliseconds from the service's `Clock`). State lives in memory: the caller
//! seeds each month's stored quota usage, drains increments to persist them,
//! and calls [`RateLimiter::prune`] periodically (say every minute) so idle
//! subjects and past months are forgotten.

mod gcra;
mod quota;

#[cfg(test)]
mod tests;

use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue};

pub(crate) use gcra::{Admit, Gcra, KeyedGcra, Limit, RetryAfter};
use quota::Counters;

use crate::id_map::{IdHasher, IdMap};
pub(crate) use quota::{Env, MonthKey, QuotaIncrement};

/// Shards used by [`RateLimiter::new`] and [`KeyedGcra::new`].
const DEFAULT_SHARDS: usize = 16;

/// Everything [`RateLimiter::check`] needs to know about one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LimitRequest<'a> {
    /// The API key making the request.
    pub(crate) key_id: &'a str,
    /// The account owning the key.
    pub(crate) account_id: &'a str,
    /// The environment the key belongs to.
    pub(crate) environment: Env,
    /// The key's own rate.
    pub(crate) key_limit: Limit,
    /// The rate shared by all of the account's keys in `environment`.
    pub(crate) account_limit: Limit,
    /// Requests allowed per UTC calendar month in `environment`.
    pub(crate) monthly_quota: u64,
    /// Requests allowed per UTC calendar month through this key alone, when
    /// the key has a quota of its own (seed it with [`RateLimiter::seed_key`]).
    pub(crate) key_monthly_quota: Option<u64>,
}

/// The outcome of [`RateLimiter::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Admitted and counted.
    Allowed(LimitStatus),
    /// Refused by the key's or the account's rate; nothing was counted.
    RateLimited {
        /// Milliseconds until every refusing rate would admit it.
        retry_after_ms: i64,
        /// The limits as they stand.
        status: LimitStatus,
    },
    /// Refused because the month's quota is used up; nothing was counted.
    QuotaExhausted {
        /// Milliseconds until the next UTC month starts.
        retry_after_ms: i64,
        /// The limits as they stand.
        status: LimitStatus,
    },
}

/// One policy as reported in the `RateLimit` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PolicyStatus {
    /// The policy's quota `q`: requests per window.
    pub(crate) quota: u64,
    /// The policy's window `w` in seconds.
    pub(crate) window_s: i64,
    /// Requests that would be admitted now, `r`.
    pub(crate) remaining: u64,
    /// Seconds until the policy is fully replenished, `t`.
    pub(crate) reset_s: i64,
}

/// What the response headers need after a [`Decision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LimitStatus {
    /// The tighter of the key and account rates (fewer remaining).
    pub(crate) minute: PolicyStatus,
    /// The monthly quota.
    pub(crate) month: PolicyStatus,
}

/// The `RateLimit-Policy` and `RateLimit` headers (IETF
/// draft-ietf-httpapi-ratelimit-headers, structured-field form) for `status`.
/// The rate policy is named "minute"; its `w` is the limit's period in
/// seconds, so 60 for the per-minute limits it is meant for.
pub(crate) fn headers(status: &LimitStatus) -> [(HeaderName, HeaderValue); 2] {
    let (minute, month) = (&status.minute, &status.month);
    let policy = policy_header([
        minute.quota,
        u64::try_from(minute.window_s).unwrap_or(0),
        month.quota,
        u64::try_from(month.window_s).unwrap_or(0),
    ]);
    // At most 29 + 4 × 20 bytes: built on the stack, then copied once
    // into an exactly sized value (a `Vec` with spare capacity would cost a
    // second allocation when turned into `Bytes`).
    let mut current = [0u8; 128];
    let mut len = 0;
    let mut digits = itoa::Buffer::new();
    for (text, number) in [
        (&b"\"minute\";r="[..], minute.remaining),
        (b";t=", u64::try_from(minute.reset_s).unwrap_or(0)),
        (b", \"month\";r=", month.remaining),
        (b";t=", u64::try_from(month.reset_s).unwrap_or(0)),
    ] {
        for part in [text, digits.format(number).as_bytes()] {
            current[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
    }
    // Digits, quotes and punctuation only, so the fallback never happens.
    let current = HeaderValue::from_bytes(&current[..len]).unwrap_or_else(|_| HeaderValue::from_static(""));
    [(RATELIMIT_POLICY.clone(), policy), (RATELIMIT.clone(), current)]
}

/// The headers' names, checked once at compile time rather than per response.
static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// The `RateLimit-Policy` value of a policy. A client's policy changes only
/// when its limits do, so each thread keeps the last one it rendered.
fn policy_header(numbers: [u64; 4]) -> HeaderValue {
    thread_local! {
        static LAST: std::cell::RefCell<Option<([u64; 4], HeaderValue)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((cached, value)) if *cached == numbers => value.clone(),
        _ => {
            let [minute_q, minute_w, month_q, month_w] = numbers;
            let text = format!("\"minute\";q={minute_q};w={minute_w}, \"month\";q={month_q};w={month_w}");
            let value =
                HeaderValue::from_maybe_shared(Bytes::from(text)).unwrap_or_else(|_| HeaderValue::from_static(""));
            *last = Some((numbers, value.clone()));
            value
        }
    })
}

/// Per-key and per-account rates and monthly quotas, sharded by account so
/// one lock covers every limit a request touches.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Accounts by id; each account holds its keys, so they share its shard.
    shards: Vec<Mutex<IdMap<String, Account>>>,
    hasher: IdHasher,
}

/// One account's state and that of its keys.
#[derive(Debug, Default)]
struct Account {
    keys: IdMap<String, KeyState>,
    envs: [EnvState; 2],
}

/// A key's rate and, when it has a quota of its own, its month's count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct KeyState {
    rate: Gcra,
    month: Option<KeyMonth>,
}

/// Requests counted through one key in one month. Not drained: the caller
/// persists per-key usage anyway, and seeds from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyMonth {
    month: MonthKey,
    used: u64,
}

impl KeyState {
    fn used(&self, month: MonthKey) -> u64 {
        self.month.filter(|m| m.month == month).map_or(0, |m| m.used)
    }
}

impl Account {
    /// Forgets idle rates and drained past months; returns whether anything
    /// is left worth keeping.
    fn prune(&mut self, now_ms: i64, month: MonthKey) -> bool {
        // A key's count for the current month is kept: it cannot be rebuilt
        // from the store alone until its usage is flushed.
        self.keys.retain(|_, state| !state.rate.is_idle(now_ms) || state.month.is_some_and(|m| m.month == month));
        for state in &mut self.envs {
            if state.rate.is_idle(now_ms) {
                state.rate = Gcra::new();
            }
            state.quota.prune(month);
        }
        !self.keys.is_empty() || self.envs.iter().any(|state| *state != EnvState::default())
    }
}

/// One account's state in one environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct EnvState {
    rate: Gcra,
    quota: Counters,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new()
    }
}

impl RateLimiter {
    /// An empty limiter with 16 shards.
    pub(crate) fn new() -> RateLimiter {
        RateLimiter::with_shards(DEFAULT_SHARDS)
    }

    /// An empty limiter with `shards` shards (at least 1).
    pub(crate) fn with_shards(shards: usize) -> RateLimiter {
        RateLimiter { shards: (0..shards.max(1)).map(|_| Mutex::default()).collect(), hasher: IdHasher::default() }
    }

    /// Decides on one request: the key's rate, the account's rate in the
    /// request's environment, then the month's quota (an unseeded month counts
    /// from 0). Only if all three admit is it counted, against all three, under
    /// one lock. An exhausted quota is reported before a refused rate (it is
    /// the longer wait); a refused rate waits for the slower refusing limit.
    pub(crate) fn check(&self, req: &LimitRequest<'_>, now_ms: i64) -> Decision {
        // Runs once a month per account (see `check_seeded`): the id's copy does not matter.
        decide(self.shard(req.account_id).entry(req.account_id.to_owned()).or_default(), req, now_ms)
    }

    /// As [`RateLimiter::check`], but `None` (deciding nothing) when the
    /// account's month, or the key's when it has a quota of its own, has yet
    /// to be seeded: one lock on the common path instead of a separate
    /// [`RateLimiter::needs_seed`] first.
    pub(crate) fn check_seeded(&self, req: &LimitRequest<'_>, now_ms: i64) -> Option<Decision> {
        let month = MonthKey::of(now_ms);
        let mut shard = self.shard(req.account_id);
        // A seeded account is always present.
        let known = shard.get_mut(req.account_id)?;
        if known.envs[req.environment.index()].quota.needs_seed(month) {
            return None;
        }
        let key_unseeded = req.key_monthly_quota.is_some()
            && known.keys.get(req.key_id).and_then(|key| key.month).is_none_or(|m| m.month != month);
        if key_unseeded {
            return None;
        }
        Some(decide(known, req, now_ms))
    }

    /// Whether a key with a quota of its own has yet to be seeded with its
    /// stored usage for the month of `now_ms`.
    pub(crate) fn needs_key_seed(&self, account_id: &str, key_id: &str, now_ms: i64) -> bool {
        let month = MonthKey::of(now_ms);
        self.shard(account_id)
            .get(account_id)
            .and_then(|known| known.keys.get(key_id))
            .and_then(|key| key.month)
            .is_none_or(|m| m.month != month)
    }

    /// Sets a key's stored usage for `month`, unless the key already counts
    /// that month.
    pub(crate) fn seed_key(&self, account_id: &str, key_id: &str, month: MonthKey, used: u64) {
        let mut shard = self.shard(account_id);
        let known = shard.entry(account_id.to_owned()).or_default();
        let key = known.keys.entry(key_id.to_owned()).or_default();
        if key.month.is_none_or(|m| m.month != month) {
            key.month = Some(KeyMonth { month, used });
        }
    }

    /// Whether the stored usage of `account_id` in `environment` for the
    /// month of `now_ms` has yet to be passed to [`RateLimiter::seed`].
    pub(crate) fn needs_seed(&self, account_id: &str, environment: Env, now_ms: i64) -> bool {
        let month = MonthKey::of(now_ms);
        self.shard(account_id)
            .get(account_id)
            .is_none_or(|known| known.envs[environment.index()].quota.needs_seed(month))
    }

    /// Adds the stored usage `used` for `month`, once per (account,
    /// environment, month); later seeds for it are ignored. Requests counted
    /// before the seed are kept on top of it, so seed before the first check.
    pub(crate) fn seed(&self, account_id: &str, environment: Env, month: MonthKey, used: u64) {
        let mut shard = self.shard(account_id);
        let known = match shard.get_mut(account_id) {
            Some(known) => known,
            None => shard.entry(account_id.to_owned()).or_default(),
        };
        known.envs[environment.index()].quota.seed(month, used);
    }

    /// Takes every request counted since the last drain, for the caller to
    /// add to the stored usage; each is returned exactly once.
    pub(crate) fn drain_quota_increments(&self) -> Vec<QuotaIncrement> {
        let mut increments = Vec::new();
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            for (account_id, known) in shard.iter_mut() {
                for (environment, state) in Env::ALL.into_iter().zip(&mut known.envs) {
                    increments.extend(state.quota.drain().map(|(month, requests)| QuotaIncrement {
                        account_id: account_id.clone(),
                        environment,
                        month,
                        requests,
                    }));
                }
            }
        }
        increments
    }

    /// Puts back increments that [`RateLimiter::drain_quota_increments`]
    /// returned but that could not be persisted, so none is lost.
    pub(crate) fn restore_quota_increments(&self, increments: Vec<QuotaIncrement>) {
        for increment in increments {
            let mut shard = self.shard(&increment.account_id);
            let known = shard.entry(increment.account_id.clone()).or_default();
            known.envs[increment.environment.index()].quota.restore(increment.month, increment.requests);
        }
    }

    /// Forgets rate states that are idle at `now_ms` and months before it
    /// with nothing left to drain; decisions are unchanged. The caller runs
    /// this periodically so memory stays bounded by active subjects.
    pub(crate) fn prune(&self, now_ms: i64) {
        let month = MonthKey::of(now_ms);
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            shard.retain(|_, known| known.prune(now_ms, month));
        }
    }

    fn shard(&self, account_id: &str) -> MutexGuard<'_, IdMap<String, Account>> {
        // Truncating the hash is fine: it only spreads accounts over shards.
        let index = (self.hasher.hash_one(account_id) % self.shards.len() as u64) as usize;
        // Nothing panics while a shard is half-updated, so a poisoned lock
        // still guards consistent state.
        self.shards[index].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// This month's usage of the account and of the key.
#[derive(Debug, Clone, Copy)]
struct Quotas {
    account_used: u64,
    key_used: u64,
}

/// The header status given the key and account rate states and the month's
/// usage, all as they stand after the decision. The month policy is the
/// tighter of the account's quota and the key's own.
fn status(req: &LimitRequest<'_>, key: &Gcra, account: &Gcra, quotas: Quotas, now_ms: i64) -> LimitStatus {
    let rate = |state: &Gcra, limit: Limit| PolicyStatus {
        quota: u64::from(limit.count()),
        window_s: ceil_s(i64::from(limit.period_ms())),
        remaining: u64::from(state.remaining(limit, now_ms)),
        reset_s: ceil_s(state.reset_ms(now_ms)),
    };
    let key = rate(key, req.key_limit);
    let account = rate(account, req.account_limit);
    // Fewer remaining is tighter; on a tie, the one that takes longer to refill.
    let account_tighter =
        account.remaining < key.remaining || (account.remaining == key.remaining && account.reset_s > key.reset_s);
    let minute = if account_tighter { account } else { key };
    let month = MonthKey::of(now_ms);
    let (start_ms, next_ms) = (month.start_ms(), month.next_start_ms());
    LimitStatus {
        minute,
        month: {
            let account = (req.monthly_quota, req.monthly_quota.saturating_sub(quotas.account_used));
            let key = req.key_monthly_quota.map(|quota| (quota, quota.saturating_sub(quotas.key_used)));
            let (quota, remaining) = match key {
                Some(key) if key.1 < account.1 => key,
                _ => account,
            };
            PolicyStatus {
                quota,
                window_s: (next_ms - start_ms) / 1000,
                remaining,
                reset_s: ceil_s(next_ms.saturating_sub(now_ms)),
            }
        },
    }
}

/// Whole seconds covering `ms` (which is not negative).
fn ceil_s(ms: i64) -> i64 {
    ms / 1000 + i64::from(ms % 1000 != 0)
}

/// The decision of [`RateLimiter::check`] on the request's account, under
/// its shard's lock. A refusal changes no state.
fn decide(known: &mut Account, req: &LimitRequest<'_>, now_ms: i64) -> Decision {
    let month = MonthKey::of(now_ms);
    let env = req.environment.index();
    let Account { keys, envs } = known;
    // Looked up once, and written back through the same reference.
    let key_slot = keys.get_mut(req.key_id);
    let key_state = key_slot.as_deref().copied().unwrap_or_default();
    let key = key_state.rate;
    let key_used = key_state.used(month);
    let (account, used) = (envs[env].rate, envs[env].quota.used(month));
    let key_peek = key.peek(req.key_limit, now_ms);
    let account_peek = account.peek(req.account_limit, now_ms);
    let month_left = |used: u64, key_used: u64| Quotas { account_used: used, key_used };

    if used >= req.monthly_quota || req.key_monthly_quota.is_some_and(|quota| key_used >= quota) {
        let status = status(req, &key, &account, month_left(used, key_used), now_ms);
        return Decision::QuotaExhausted { retry_after_ms: month.next_start_ms().saturating_sub(now_ms), status };
    }
    let (key_admit, account_admit) = match (key_peek, account_peek) {
        (Ok(key_admit), Ok(account_admit)) => (key_admit, account_admit),
        (key_peek, account_peek) => {
            let wait = |peek: Result<Admit, RetryAfter>| peek.err().map_or(0, |retry| retry.ms);
            return Decision::RateLimited {
                retry_after_ms: wait(key_peek).max(wait(account_peek)),
                status: status(req, &key, &account, month_left(used, key_used), now_ms),
            };
        }
    };

    let mut key = key_state;
    key.rate.commit(key_admit);
    if req.key_monthly_quota.is_some() {
        key.month = Some(KeyMonth { month, used: key_used + 1 });
    }
    // The id is copied only for a new key.
    match key_slot {
        Some(state) => *state = key,
        None => {
            keys.insert(req.key_id.to_owned(), key);
        }
    }
    let state = &mut envs[env];
    state.rate.commit(account_admit);
    state.quota.add_one(month);
    Decision::Allowed(status(req, &key.rate, &state.rate, month_left(used + 1, key_used + 1), now_ms))
}
