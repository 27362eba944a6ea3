//! Usage counters kept in memory between flushes to the store.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use altgate_protocol::KeyId;

use crate::id_map::IdMap;
use crate::store::UsageBatch;

/// One key's counts since the last flush.
#[derive(Debug, Default)]
struct KeyCounts {
    /// Requests per Unix minute.
    requests: BTreeMap<i64, u64>,
    /// Refusals per Unix minute and code.
    rejects: HashMap<(i64, &'static str), u64>,
    last_used: Option<i64>,
}

/// Per-key request counts per minute, refusals by code, and `last_used_at`,
/// gathered per request and written in batches by a background task. Keyed
/// by key, so counting a request of a known key allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct UsageRecorder {
    pending: Mutex<IdMap<KeyId, KeyCounts>>,
}

fn minute(ms: i64) -> i64 {
    ms.div_euclid(60_000)
}

impl UsageRecorder {
    fn with_key<R>(&self, key: &KeyId, f: impl FnOnce(&mut KeyCounts) -> R) -> R {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        match pending.get_mut(key) {
            Some(counts) => f(counts),
            None => f(pending.entry(key.clone()).or_default()),
        }
    }

    /// Counts an admitted request.
    pub(crate) fn admitted(&self, key: &KeyId, now_ms: i64) {
        self.with_key(key, |counts| {
            *counts.requests.entry(minute(now_ms)).or_default() += 1;
            counts.last_used = Some(counts.last_used.map_or(now_ms, |last| last.max(now_ms)));
        });
    }

    /// Counts a refused request of a known key.
    pub(crate) fn refused(&self, key: &KeyId, code: &'static str, now_ms: i64) {
        self.with_key(key, |counts| *counts.rejects.entry((minute(now_ms), code)).or_default() += 1);
    }

    /// The last use not yet flushed.
    pub(crate) fn last_used(&self, key: &KeyId) -> Option<i64> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner).get(key).and_then(|counts| counts.last_used)
    }

    /// Requests of `key` counted since Unix minute `since` and not yet written.
    pub(crate) fn pending_since(&self, key: &KeyId, since: i64) -> u64 {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.get(key).map_or(0, |counts| counts.requests.range(since..).map(|(_, n)| n).sum())
    }

    /// Takes everything gathered since the last drain.
    pub(crate) fn drain(&self, now_ms: i64) -> UsageBatch {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        let mut batch = UsageBatch { now_ms, ..UsageBatch::default() };
        for (key, counts) in pending {
            batch.requests.extend(counts.requests.into_iter().map(|(m, n)| (key.clone(), m, n)));
            batch.rejects.extend(counts.rejects.into_iter().map(|((m, c), n)| (key.clone(), m, c, n)));
            if let Some(at) = counts.last_used {
                batch.last_used.push((key, at));
            }
        }
        batch
    }

    /// Puts a batch back after a failed write, so nothing is lost.
    pub(crate) fn restore(&self, batch: UsageBatch) {
        for (key, m, n) in batch.requests {
            self.with_key(&key, |counts| *counts.requests.entry(m).or_default() += n);
        }
        for (key, m, c, n) in batch.rejects {
            self.with_key(&key, |counts| *counts.rejects.entry((m, c)).or_default() += n);
        }
        for (key, at) in batch.last_used {
            self.with_key(&key, |counts| counts.last_used = Some(counts.last_used.map_or(at, |last| last.max(at))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_per_minute_and_drained_once() {
        let usage = UsageRecorder::default();
        let key = KeyId::parse("key_abcdefgh").unwrap();
        usage.admitted(&key, 60_000);
        usage.admitted(&key, 119_999);
        usage.admitted(&key, 120_000);
        usage.refused(&key, "rate_limited", 120_001);
        assert_eq!(usage.last_used(&key), Some(120_000));
        assert_eq!(usage.pending_since(&key, 2), 1);
        let mut batch = usage.drain(130_000);
        batch.requests.sort();
        assert_eq!(batch.requests, vec![(key.clone(), 1, 2), (key.clone(), 2, 1)]);
        assert_eq!(batch.rejects, vec![(key, 2, "rate_limited", 1)]);
        assert_eq!(usage.drain(140_000).requests, vec![]);
        usage.restore(batch);
        assert_eq!(usage.drain(150_000).requests.len(), 2, "a failed write loses nothing");
    }
}
