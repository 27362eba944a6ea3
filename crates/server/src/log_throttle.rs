//! [`LogThrottle`]: one log line per interval for a condition that fails
//! many requests at once.
//!
//! When the nonce store is full or unreachable, every signed request is
//! refused for the same reason, tens of thousands a second; a line for each
//! would bury everything else in the log and cost more than the refusal.
//! Each request still gets its problem response; the log says once per
//! interval that the condition holds, and how many times it was met since
//! the last line.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Lets one occurrence of a condition through per interval; counts the rest.
#[derive(Debug)]
pub(crate) struct LogThrottle {
    interval_ms: i64,
    /// When a line was last let through; `i64::MIN` before the first.
    last_ms: AtomicI64,
    /// Occurrences held back since then.
    held_back: AtomicU64,
}

impl LogThrottle {
    /// A throttle letting one occurrence through every `interval_ms`.
    pub(crate) const fn new(interval_ms: i64) -> Self {
        LogThrottle { interval_ms, last_ms: AtomicI64::new(i64::MIN), held_back: AtomicU64::new(0) }
    }

    /// Records an occurrence at `now_ms`. Returns `Some(held_back)` when it
    /// should be logged, with the number of occurrences not logged since the
    /// previous line, and `None` when it should not.
    pub(crate) fn occurred(&self, now_ms: i64) -> Option<u64> {
        let last = self.last_ms.load(Ordering::Relaxed);
        let due = last == i64::MIN || now_ms.saturating_sub(last) >= self.interval_ms;
        // Of threads finding it due at once, one logs.
        if due && self.last_ms.compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            return Some(self.held_back.swap(0, Ordering::Relaxed));
        }
        self.held_back.fetch_add(1, Ordering::Relaxed);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_occurrence_per_interval_is_let_through_with_the_count_held_back() {
        let throttle = LogThrottle::new(10_000);
        assert_eq!(throttle.occurred(1_000), Some(0), "the first is logged");
        assert_eq!(throttle.occurred(1_001), None);
        assert_eq!(throttle.occurred(10_999), None);
        assert_eq!(throttle.occurred(11_000), Some(2), "an interval later, with the two held back");
        assert_eq!(throttle.occurred(11_000), None);
        assert_eq!(throttle.occurred(50_000), Some(1));
    }

    #[test]
    fn among_concurrent_occurrences_one_is_logged_and_the_rest_counted() {
        let throttle = LogThrottle::new(10_000);
        let logged: Vec<Option<u64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8).map(|_| scope.spawn(|| throttle.occurred(5_000))).collect();
            handles.into_iter().map(|handle| handle.join().expect("no panic")).collect()
        });
        assert_eq!(logged.iter().filter(|line| line.is_some()).count(), 1, "{logged:?}");
        assert_eq!(throttle.occurred(15_000), Some(7));
    }
}
