//! Usage counters kept in memory between flushes to the store.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use altgate_protocol::KeyId;

use crate::store::UsageBatch;

#[derive(Debug, Default)]
struct Pending {
    requests: HashMap<(KeyId, i64), u64>,
    rejects: HashMap<(KeyId, i64, &'static str), u64>,
    last_used: HashMap<KeyId, i64>,
}

/// Per-key request counts per minute, refusals by code, and `last_used_at`,
/// gathered per request and written in batches by a background task.
#[derive(Debug, Default)]
pub(crate) struct UsageRecorder {
    pending: Mutex<Pending>,
}

fn minute(ms: i64) -> i64 {
    ms.div_euclid(60_000)
}

impl UsageRecorder {
    /// Counts an admitted request.
    pub(crate) fn admitted(&self, key: &KeyId, now_ms: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        *pending.requests.entry((key.clone(), minute(now_ms))).or_default() += 1;
        let last = pending.last_used.entry(key.clone()).or_insert(now_ms);
        *last = (*last).max(now_ms);
    }

    /// Counts a refused request of a known key.
    pub(crate) fn refused(&self, key: &KeyId, code: &'static str, now_ms: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        *pending.rejects.entry((key.clone(), minute(now_ms), code)).or_default() += 1;
    }

    /// The last use not yet flushed.
    pub(crate) fn last_used(&self, key: &KeyId) -> Option<i64> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner).last_used.get(key).copied()
    }

    /// Requests of `key` counted since Unix minute `since` and not yet written.
    pub(crate) fn pending_since(&self, key: &KeyId, since: i64) -> u64 {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.requests.iter().filter(|((k, minute), _)| k == key && *minute >= since).map(|(_, n)| n).sum()
    }

    /// Takes everything gathered since the last drain.
    pub(crate) fn drain(&self, now_ms: i64) -> UsageBatch {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        UsageBatch {
            now_ms,
            requests: pending.requests.into_iter().map(|((k, m), n)| (k, m, n)).collect(),
            rejects: pending.rejects.into_iter().map(|((k, m, c), n)| (k, m, c, n)).collect(),
            last_used: pending.last_used.into_iter().collect(),
            months: Vec::new(),
            sequences: Vec::new(),
        }
    }

    /// Puts a batch back after a failed write, so nothing is lost.
    pub(crate) fn restore(&self, batch: UsageBatch) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        for (k, m, n) in batch.requests {
            *pending.requests.entry((k, m)).or_default() += n;
        }
        for (k, m, c, n) in batch.rejects {
            *pending.rejects.entry((k, m, c)).or_default() += n;
        }
        for (k, at) in batch.last_used {
            let last = pending.last_used.entry(k).or_insert(at);
            *last = (*last).max(at);
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
        let mut batch = usage.drain(130_000);
        batch.requests.sort();
        assert_eq!(batch.requests, vec![(key.clone(), 1, 2), (key.clone(), 2, 1)]);
        assert_eq!(batch.rejects, vec![(key, 2, "rate_limited", 1)]);
        assert_eq!(usage.drain(140_000).requests, vec![]);
        usage.restore(batch);
        assert_eq!(usage.drain(150_000).requests.len(), 2, "a failed write loses nothing");
    }
}
