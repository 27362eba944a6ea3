//! [`FingerprintTable`]: the set of 128-bit fingerprints behind one time
//! bucket of the in-memory nonce store.
//!
//! **One cache line a probe.** The table is an array of 64-byte lines, each
//! holding four fingerprints inline, with zero marking an empty slot. A
//! fingerprint's home line comes from its low bits (already uniform); a probe
//! reads that line and, only if the line is full without a match, the next
//! ones. A general-purpose hash set keeps its control bytes apart from its
//! slots, so a fresh nonce's insert there touches two lines of a table far
//! larger than the cache: two memory misses, and the second one is a store
//! that later atomic instructions wait for. Here the slot written is in the
//! line the probe has just read.
//!
//! **A summary for lookups that find nothing.** A claim also looks for its
//! fingerprint in its window's other live buckets, where it is almost never
//! found, and reading a line there would be a second miss. So each home line
//! has a 16-bit summary in a dense array (two bytes for every 64-byte line):
//! every fingerprint sets two of its bits, chosen by its high half, in the
//! summary of its home line, wherever its probe put it. A lookup whose two bits
//! are not both set knows the fingerprint is absent without reading any line;
//! the others (at most about one in ten, at the highest load) probe. So a
//! claim with a 120-second window, which looks in five buckets, reads
//! hardly more than one with 30 seconds, which looks in two.
//!
//! **Placed in batches.** A fresh fingerprint's home line is almost never in
//! the cache, and reading it stalls the claim for a memory round trip. So
//! an insert checks the summary first: when its bits are not both set (at
//! the highest load about nine inserts in ten, and nearly all while the table
//! is young) the fingerprint is absent without reading its line. It then
//! sets its summary bits and waits, with up to [`PENDING`] others, in a small
//! buffer that stays in the cache; lookups check the buffer too. When the
//! buffer is full, all of them are placed together, so that the processor
//! overlaps the misses of their independent lines instead of taking them one
//! claim at a time (see [`FingerprintTable::place_pending`]).
//!
//! **No deletion.** A bucket's nonces are forgotten together, by dropping the
//! table, so the first empty slot met ends every probe.
//!
//! **Load.** At most three slots in four are used, so most probes read one
//! line: 16½ bytes a slot with the summary, 22 bytes a fingerprint in a full
//! table. The number of lines is not restricted to powers of two (a
//! multiply-shift of the low half picks the home line), so a table sized
//! for a count takes what that count needs, not up to twice as much.

/// Slots in a line: 4 × 16 bytes is one 64-byte cache line.
const SLOTS: usize = 4;

/// The most fingerprints a line holds on average: three of its four slots.
const MAX_PER_LINE: usize = SLOTS * 3 / 4;

/// Fingerprints waiting to be placed, at most: 512 bytes, eight cache lines.
const PENDING: usize = 32;

/// A set of nonzero 128-bit fingerprints, hashed by their low bits.
#[derive(Debug, Default)]
pub(super) struct FingerprintTable {
    /// The lines, `SLOTS` fingerprints each, starting at the first slot on a
    /// 64-byte boundary (three spare slots make room for that); zero is empty.
    slots: Box<[u128]>,
    /// Per home line, the union of its fingerprints' [`summary_bits`]; one
    /// for each line, so its length is the number of lines.
    summaries: Box<[u16]>,
    /// Fingerprints in `slots`.
    placed: usize,
    /// Fingerprints held but not yet placed: absent from `slots`, distinct,
    /// and with their summary bits set. `placed` plus these never exceeds
    /// the capacity.
    pending: Vec<u128>,
}

impl FingerprintTable {
    /// An empty table that holds `capacity` fingerprints without growing.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        if capacity == 0 {
            return Self::default();
        }
        Self::with_lines(capacity.div_ceil(MAX_PER_LINE))
    }

    /// An empty table of `lines` lines, zeroed by the allocator (fresh pages
    /// from the system need no writing), with its buffer sized once.
    fn with_lines(lines: usize) -> Self {
        let slots = vec![0u128; lines * SLOTS + SLOTS - 1].into_boxed_slice();
        let summaries = vec![0; lines].into_boxed_slice();
        Self { slots, summaries, placed: 0, pending: Vec::with_capacity(PENDING) }
    }

    /// The slot where line 0 starts: the first on a 64-byte boundary.
    fn first(&self) -> usize {
        let line_bytes = SLOTS * size_of::<u128>();
        (line_bytes - self.slots.as_ptr().addr() % line_bytes) % line_bytes / size_of::<u128>()
    }

    /// Lines, any number.
    fn lines(&self) -> usize {
        self.summaries.len()
    }

    /// Fingerprints held.
    pub(super) fn len(&self) -> usize {
        self.placed + self.pending.len()
    }

    /// Fingerprints it holds before growing.
    pub(super) fn capacity(&self) -> usize {
        self.lines() * MAX_PER_LINE
    }

    /// Heap bytes held.
    pub(super) fn bytes(&self) -> usize {
        (self.slots.len() + self.pending.capacity()) * size_of::<u128>() + self.summaries.len() * size_of::<u16>()
    }

    /// Whether `fingerprint` is held.
    pub(super) fn contains(&self, fingerprint: u128) -> bool {
        self.lines() > 0 && self.may_hold(fingerprint) && self.holds(fingerprint)
    }

    /// Whether `fingerprint` is held, placed or waiting to be.
    fn holds(&self, fingerprint: u128) -> bool {
        matches!(self.find(fingerprint), Probe::Found) || self.pending.contains(&fingerprint)
    }

    /// Whether the summary of `fingerprint`'s home line allows it to be held.
    fn may_hold(&self, fingerprint: u128) -> bool {
        let bits = summary_bits(fingerprint);
        self.summaries[self.home(fingerprint)] & bits == bits
    }

    /// The line where `fingerprint`'s probe starts.
    fn home(&self, fingerprint: u128) -> usize {
        // Multiply-shift maps the uniform low half onto any number of lines.
        ((u128::from(fingerprint as u64) * self.lines() as u128) >> 64) as usize
    }

    /// Adds `fingerprint` (nonzero) and returns whether it was absent.
    pub(super) fn insert(&mut self, fingerprint: u128) -> bool {
        debug_assert_ne!(fingerprint, 0, "zero marks an empty slot");
        // Grown before looking, so the summary read is the final table's; a
        // repeat arriving at capacity grows it one insert early.
        if self.len() == self.capacity() {
            self.grow();
        }
        if self.may_hold(fingerprint) && self.holds(fingerprint) {
            return false;
        }
        let home = self.home(fingerprint);
        self.summaries[home] |= summary_bits(fingerprint);
        self.pending.push(fingerprint);
        if self.pending.len() == PENDING {
            self.place_pending();
        }
        true
    }

    /// Places the buffered fingerprints, in two passes. The first reads each
    /// one's home line and only folds what it read into a value nothing
    /// branches on, so the processor issues all the reads at once instead
    /// of waiting for each: where a probe ends depends on the data, and a
    /// branch mispredicted on it would discard the reads issued after it.
    /// The second pass then probes lines already in the cache.
    fn place_pending(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        let first = self.first();
        let read =
            pending.iter().fold(0, |read, &fingerprint| read ^ self.slots[first + self.home(fingerprint) * SLOTS]);
        std::hint::black_box(read);
        for &fingerprint in &pending {
            // Absent from the slots, and distinct: every probe ends empty.
            if let Probe::Empty(slot) = self.find(fingerprint) {
                self.slots[slot] = fingerprint;
                self.placed += 1;
            }
        }
        pending.clear();
        self.pending = pending;
    }

    /// Looks for `fingerprint` from its home line on, up to the first empty
    /// slot; there is always one, since at most three slots in four are used.
    fn find(&self, fingerprint: u128) -> Probe {
        let (first, lines) = (self.first(), self.lines());
        let mut line = self.home(fingerprint);
        loop {
            let start = first + line * SLOTS;
            for (offset, &held) in self.slots[start..start + SLOTS].iter().enumerate() {
                if held == fingerprint {
                    return Probe::Found;
                }
                if held == 0 {
                    return Probe::Empty(start + offset);
                }
            }
            line += 1;
            if line == lines {
                line = 0;
            }
        }
    }

    /// Writes `fingerprint` into the empty `slot` and its bits into its home
    /// line's summary.
    fn place(&mut self, fingerprint: u128, slot: usize) {
        self.slots[slot] = fingerprint;
        let home = self.home(fingerprint);
        self.summaries[home] |= summary_bits(fingerprint);
    }

    /// Places the buffered fingerprints, then doubles the lines (four at
    /// least) and reinserts every fingerprint.
    fn grow(&mut self) {
        self.place_pending();
        let mut grown = Self::with_lines((self.lines() * 2).max(4));
        for &fingerprint in self.slots.iter().filter(|&&held| held != 0) {
            if let Probe::Empty(slot) = grown.find(fingerprint) {
                grown.place(fingerprint, slot);
            }
        }
        grown.placed = self.placed;
        *self = grown;
    }
}

/// The two bits (one, when they coincide) that `fingerprint` sets in its home
/// line's summary, from its high half: the low half chose the line.
fn summary_bits(fingerprint: u128) -> u16 {
    let high = (fingerprint >> 64) as u32;
    1 << (high & 15) | 1 << (high >> 4 & 15)
}

/// Where a probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// The fingerprint is held.
    Found,
    /// It is not; this empty slot is where it goes.
    Empty(usize),
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn lines_start_on_cache_line_boundaries() {
        for capacity in [1, 3, 4, 100, 10_000] {
            let table = FingerprintTable::with_capacity(capacity);
            assert_eq!(table.slots[table.first()..].as_ptr().addr() % 64, 0, "capacity {capacity}");
            assert!(table.capacity() >= capacity);
            assert!(table.first() + table.lines() * SLOTS <= table.slots.len());
        }
    }

    #[test]
    fn a_table_never_fills_more_than_three_slots_in_four() {
        let mut table = FingerprintTable::with_capacity(6);
        let lines = table.lines();
        for fingerprint in 1..=6u128 {
            assert!(table.insert(fingerprint << 64));
        }
        assert_eq!(table.lines(), lines, "sized for six, it holds six without growing");
        assert!(table.insert(7 << 64));
        assert_eq!(table.lines(), lines * 2, "the seventh doubles it");
        // All seven share home line 0 (their low bits are zero): the probe
        // runs on across lines and still finds each one.
        assert!((1..=7u128).all(|fingerprint| table.contains(fingerprint << 64)));
        assert!(!table.contains(8 << 64));
    }

    #[test]
    fn buffered_fingerprints_are_found_and_placed_a_batch_at_a_time() {
        let mut table = FingerprintTable::with_capacity(1_000);
        let fingerprint = |i: u128| ((i * 0x9E37_79B9_7F4A_7C15) << 64) | (i * 0xD1B5_4A32_D192_ED03);
        for i in 1..=(PENDING as u128 + 5) {
            assert!(table.insert(fingerprint(i)));
        }
        assert_eq!((table.placed, table.pending.len()), (PENDING, 5), "the first batch is placed, five wait");
        for i in 1..=(PENDING as u128 + 5) {
            assert!(table.contains(fingerprint(i)), "{i}, placed or waiting, is found");
            assert!(!table.insert(fingerprint(i)), "{i} is a repeat");
        }
        assert_eq!(table.len(), PENDING + 5);
        assert!(!table.contains(fingerprint(PENDING as u128 + 6)));
    }

    proptest! {
        #[test]
        fn the_table_answers_like_a_hash_set(
            capacity in 0usize..64,
            // Few distinct values, so that probes collide and run across
            // lines, and repeats are common; the high halves spread over the
            // summary bits.
            fingerprints in prop::collection::vec((1u128..40, 0u128..4), 0..400),
        ) {
            let mut table = FingerprintTable::with_capacity(capacity);
            let mut model = HashSet::new();
            for (low, high) in fingerprints {
                let fingerprint = (high * 0x9E37_79B9_7F4A_7C15) << 64 | low;
                prop_assert_eq!(table.contains(fingerprint), model.contains(&fingerprint));
                prop_assert_eq!(table.insert(fingerprint), model.insert(fingerprint));
                prop_assert_eq!(table.len(), model.len());
                prop_assert!(table.len() <= table.capacity());
            }
            prop_assert!(model.iter().all(|&fingerprint| table.contains(fingerprint)));
        }
    }
}
