//! Sequence mode: the last accepted `X-AG-Sequence` of each key.
//!
//! The check-and-set is atomic under one lock. The last value is loaded from
//! the store on first use and written back with the usage counters; after a
//! crash, values accepted in the last flush interval may be accepted again,
//! but never by a replayed request: the restart guard refuses every request
//! signed before the start.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use altgate_protocol::KeyId;

#[derive(Debug, Clone, Copy)]
struct Last {
    value: Option<u64>,
    dirty: bool,
}

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct Sequences {
    last: Mutex<HashMap<KeyId, Last>>,
}

/// The outcome of [`Sequences::advance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Advance {
    /// Accepted; it is now the last.
    Accepted,
    /// Not greater than the last accepted one.
    NotIncreasing { last: u64 },
    /// The key's last value is not loaded yet.
    Unknown,
}

impl Sequences {
    /// Accepts `sequence` if it is greater than the key's last one.
    pub(crate) fn advance(&self, key: &KeyId, sequence: u64) -> Advance {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match last.get_mut(key) {
            None => Advance::Unknown,
            Some(entry) => match entry.value {
                Some(previous) if sequence <= previous => Advance::NotIncreasing { last: previous },
                _ => {
                    *entry = Last { value: Some(sequence), dirty: true };
                    Advance::Accepted
                }
            },
        }
    }

    /// Records the stored last value, unless one is already known.
    pub(crate) fn load(&self, key: &KeyId, stored: Option<u64>) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        last.entry(key.clone()).or_insert(Last { value: stored, dirty: false });
    }

    /// The values accepted since the last call, to write to the store.
    pub(crate) fn drain_dirty(&self) -> Vec<(KeyId, u64)> {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        last.iter_mut()
            .filter(|(_, entry)| entry.dirty)
            .filter_map(|(key, entry)| {
                entry.dirty = false;
                entry.value.map(|v| (key.clone(), v))
            })
            .collect()
    }

    /// Marks values as unwritten again after a failed write.
    pub(crate) fn restore(&self, written: &[(KeyId, u64)]) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, _) in written {
            if let Some(entry) = last.get_mut(key) {
                entry.dirty = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strictly_greater_sequences_pass() {
        let sequences = Sequences::default();
        let key = KeyId::parse("key_abcdefgh").unwrap();
        assert_eq!(sequences.advance(&key, 1), Advance::Unknown);
        sequences.load(&key, Some(5));
        assert_eq!(sequences.advance(&key, 5), Advance::NotIncreasing { last: 5 });
        assert_eq!(sequences.advance(&key, 6), Advance::Accepted);
        assert_eq!(sequences.advance(&key, 6), Advance::NotIncreasing { last: 6 });
        sequences.load(&key, Some(1));
        assert_eq!(sequences.advance(&key, 7), Advance::Accepted, "a late load does not rewind");
        assert_eq!(sequences.drain_dirty(), vec![(key, 7)]);
        assert_eq!(sequences.drain_dirty(), vec![]);
        let fresh = KeyId::parse("key_zzzzzzzz").unwrap();
        sequences.load(&fresh, None);
        assert_eq!(sequences.advance(&fresh, 0), Advance::Accepted, "any first value is accepted");
    }
}
