//! Fixed-capacity windows over the latest values, for the streaming forms
//! and the rolling extremes of the stochastic.

use std::collections::VecDeque;

/// The latest `capacity` values, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct Ring {
    buf: Box<[f64]>,
    head: usize,
    len: usize,
}

impl Ring {
    /// An empty ring holding up to `capacity` values (`capacity` ≥ 1).
    pub(crate) fn new(capacity: usize) -> Ring {
        Ring { buf: vec![0.0; capacity.max(1)].into_boxed_slice(), head: 0, len: 0 }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    /// Appends `value`; when the ring was full, drops and returns the oldest.
    pub(crate) fn push(&mut self, value: f64) -> Option<f64> {
        let cap = self.buf.len();
        if self.len == cap {
            let old = std::mem::replace(&mut self.buf[self.head], value);
            self.head = if self.head + 1 == cap { 0 } else { self.head + 1 };
            Some(old)
        } else {
            let at = self.head + self.len;
            self.buf[if at >= cap { at - cap } else { at }] = value;
            self.len += 1;
            None
        }
    }

    /// The `i`-th oldest value (`i` < `len`).
    pub(crate) fn get(&self, i: usize) -> f64 {
        let at = self.head + i;
        let cap = self.buf.len();
        self.buf[if at >= cap { at - cap } else { at }]
    }

    /// The values, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = f64> + Clone + '_ {
        (0..self.len).map(|i| self.get(i))
    }
}

/// Which extreme an [`Extremum`] tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extreme {
    Max,
    Min,
}

/// The maximum or minimum of the latest `period` values, in amortised O(1)
/// per value: a monotonic queue of (sequence number, value) candidates.
#[derive(Debug, Clone)]
pub(crate) struct Extremum {
    kind: Extreme,
    period: u64,
    seq: u64,
    queue: VecDeque<(u64, f64)>,
}

impl Extremum {
    pub(crate) fn new(kind: Extreme, period: usize) -> Extremum {
        Extremum { kind, period: period as u64, seq: 0, queue: VecDeque::with_capacity(period + 1) }
    }

    /// Adds `value` and returns the extreme of the latest `period` values.
    pub(crate) fn push(&mut self, value: f64) -> f64 {
        let dominated = |kept: f64| match self.kind {
            Extreme::Max => kept <= value,
            Extreme::Min => kept >= value,
        };
        while self.queue.back().is_some_and(|&(_, kept)| dominated(kept)) {
            self.queue.pop_back();
        }
        self.queue.push_back((self.seq, value));
        while self.queue.front().is_some_and(|&(seq, _)| seq + self.period <= self.seq) {
            self.queue.pop_front();
        }
        self.seq += 1;
        self.queue.front().map_or(value, |&(_, v)| v)
    }
}
