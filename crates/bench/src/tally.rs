//! What one connection observed, and merging it with the others'.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// The largest latency recorded exactly, in µs (60 s); longer ones are
/// recorded as this.
pub const MAX_LATENCY_US: u64 = 60_000_000;

/// An empty latency histogram: microseconds, 1 µs to 60 s, 3 significant
/// figures.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant bounds are valid")
}

/// Merges histograms made by [`latency_histogram`] into one.
pub fn merge_histograms(histograms: impl IntoIterator<Item = Histogram<u64>>) -> Histogram<u64> {
    let mut merged = latency_histogram();
    for histogram in histograms {
        merged.add(histogram).expect("histograms with the same bounds always merge");
    }
    merged
}

/// The responses, failures and latencies of one connection (or, merged, of
/// a run).
#[derive(Debug, Clone)]
pub struct Tally {
    /// Latencies of every response, whatever its status, in µs.
    pub latencies: Histogram<u64>,
    /// Responses by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests that failed without a response (connect, write or read
    /// errors).
    pub io_errors: u64,
    /// Connections the server closed between two requests, then reopened.
    pub reconnects: u64,
}

impl Default for Tally {
    fn default() -> Self {
        Tally { latencies: latency_histogram(), statuses: BTreeMap::new(), io_errors: 0, reconnects: 0 }
    }
}

impl Tally {
    /// Records one response.
    pub fn record(&mut self, status: u16, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latencies.saturating_record(micros.min(MAX_LATENCY_US));
        *self.statuses.entry(status).or_default() += 1;
    }

    /// Adds `other` into this tally.
    pub fn merge(&mut self, other: Tally) {
        self.latencies.add(other.latencies).expect("histograms with the same bounds always merge");
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.io_errors += other.io_errors;
        self.reconnects += other.reconnects;
    }

    /// Responses received, whatever their status.
    pub fn responses(&self) -> u64 {
        self.statuses.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_everything() {
        let mut a = Tally::default();
        a.record(200, Duration::from_micros(100));
        a.record(429, Duration::from_micros(50));
        a.io_errors = 1;
        let mut b = Tally::default();
        b.record(200, Duration::from_micros(300));
        b.record(200, Duration::from_secs(3600));
        b.reconnects = 2;
        a.merge(b);
        assert_eq!(a.responses(), 4);
        assert_eq!(a.statuses, BTreeMap::from([(200, 3), (429, 1)]));
        assert_eq!((a.io_errors, a.reconnects), (1, 2));
        assert_eq!(a.latencies.len(), 4);
        assert_eq!(a.latencies.min(), 50);
        // An hour is recorded as the 60 s ceiling, within the histogram's precision.
        assert!(a.latencies.equivalent(a.latencies.max(), MAX_LATENCY_US));
    }

    #[test]
    fn merged_histograms_keep_every_value() {
        let parts = (0..4).map(|i| {
            let mut h = latency_histogram();
            for v in 1..=250u64 {
                h.record(i * 250 + v).unwrap();
            }
            h
        });
        let merged = merge_histograms(parts);
        assert_eq!(merged.len(), 1000);
        assert_eq!((merged.min(), merged.max()), (1, 1000));
    }
}
