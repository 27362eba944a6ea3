//! Computed analytics, keyed by the request and the newest price of every
//! asset it reads.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// The most answers kept; when full, the cache starts over.
const CAPACITY: usize = 4096;

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct AnalyticsCache {
    entries: Mutex<HashMap<String, Bytes>>,
}

impl AnalyticsCache {
    /// The cached answer to `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Bytes> {
        self.lock().get(key).cloned()
    }

    /// Remembers an answer.
    pub(crate) fn put(&self, key: String, answer: Bytes) {
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, answer);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Bytes>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
