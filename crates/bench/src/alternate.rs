//! Alternating with a baseline (`--baseline-path`): the measured requests
//! and the baseline's take turns in time slices of one run, so that both
//! meet the same machine.
//!
//! On a shared machine the server's speed drifts by tens of percent within
//! a minute, so two runs made one after the other compare the machine's two
//! moments as much as the two requests. Here every connection sends the
//! baseline's requests during even slices and the measured ones during odd
//! slices (a slice is `--slice`, 500 ms by default), so each kind gets half
//! of every second of the run. Each kind is reported as a run of its own,
//! over its half of the window, and their ratio over the whole window is
//! the headline. The spread of that ratio is shown by the slices: each
//! measured slice against the mean of the baseline slices either side of
//! it, which also cancels a drift that is steady across the three.
//!
//! A request belongs to the slice in which it is built; one still in flight
//! when its slice ends completes in the next (at most one per connection,
//! a few hundred microseconds against a slice of hundreds of milliseconds).

use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::report::{MAX_FAILURE_RATIO, Report, round3};

/// Which requests a slice carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
    /// The measured requests (`--path`, `--mode`).
    Measured,
    /// The baseline's (`--baseline-path`, `--baseline-mode`).
    Baseline,
}

/// The slices of a run, counted from its start: even ones are the
/// baseline's, odd ones the measured requests'.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slices {
    start: Instant,
    slice: Duration,
}

impl Slices {
    pub(crate) fn new(start: Instant, slice: Duration) -> Slices {
        Slices { start, slice }
    }

    /// The slice `at` falls in.
    pub(crate) fn index(&self, at: Instant) -> u64 {
        let elapsed = at.saturating_duration_since(self.start).as_nanos();
        u64::try_from(elapsed / self.slice.as_nanos().max(1)).unwrap_or(u64::MAX)
    }
}

impl Turn {
    /// Whose turn slice `index` is.
    pub(crate) fn of(index: u64) -> Turn {
        if index.is_multiple_of(2) { Turn::Baseline } else { Turn::Measured }
    }
}

/// `duration` rounded up to whole pairs of slices (a baseline slice, then
/// a measured one), so that a warm-up ends where a baseline slice begins
/// and a window holds as much of each kind.
pub(crate) fn whole_pairs(duration: Duration, slice: Duration) -> Duration {
    let pair = slice.saturating_mul(2).as_nanos().max(1);
    let pairs = duration.as_nanos().div_ceil(pair);
    Duration::from_nanos(u64::try_from(pairs * pair).unwrap_or(u64::MAX))
}

/// The spread of the per-slice ratios: each measured slice's requests
/// against the mean of the baseline slices before and after it (the one
/// before, for the last).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SliceRatios {
    /// Measured slices compared (those with baseline requests beside them).
    pub count: usize,
    /// The median ratio, to 0.001.
    pub median: f64,
    /// The lowest.
    pub min: f64,
    /// The highest.
    pub max: f64,
}

impl SliceRatios {
    /// From the requests counted in each recorded slice, baseline first.
    pub fn from_counts(counts: &[u64]) -> SliceRatios {
        let mut ratios: Vec<f64> = counts
            .chunks(2)
            .enumerate()
            .filter_map(|(pair, slices)| {
                let (&before, &measured) = (slices.first()?, slices.get(1)?);
                let after = counts.get(2 * pair + 2).copied().unwrap_or(before);
                let baseline = (before + after) as f64 / 2.0;
                (baseline > 0.0).then(|| measured as f64 / baseline)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let median = match ratios.len() {
            0 => 0.0,
            n if n % 2 == 1 => ratios[n / 2],
            n => (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0,
        };
        SliceRatios {
            count: ratios.len(),
            median: round3(median),
            min: round3(ratios.first().copied().unwrap_or(0.0)),
            max: round3(ratios.last().copied().unwrap_or(0.0)),
        }
    }
}

/// The result of an alternating run. Serialises as `{ "measured": <report>,
/// "baseline": <report>, "slice_s", "ratio", "slices": { "count", "median",
/// "min", "max" } }`, where each report is that of a plain run over its
/// kind's half of the window (`duration_s` is that half).
#[derive(Debug, Clone, Serialize)]
pub struct AlternatingReport {
    /// The measured requests.
    pub measured: Report,
    /// The baseline's.
    pub baseline: Report,
    /// The length of a slice, in seconds.
    pub slice_s: f64,
    /// Measured throughput ÷ baseline throughput over the whole window, to 0.001.
    pub ratio: f64,
    /// The per-slice ratios.
    pub slices: SliceRatios,
}

impl AlternatingReport {
    /// The report of the two kinds, and the requests counted per recorded
    /// slice (baseline first).
    pub fn new(measured: Report, baseline: Report, slice: Duration, counts: &[u64]) -> AlternatingReport {
        let ratio = if baseline.throughput_rps > 0.0 { measured.throughput_rps / baseline.throughput_rps } else { 0.0 };
        AlternatingReport {
            measured,
            baseline,
            slice_s: round3(slice.as_secs_f64()),
            ratio: round3(ratio),
            slices: SliceRatios::from_counts(counts),
        }
    }

    /// Whether either kind failed (see [`Report::failed`]).
    pub fn failed(&self) -> bool {
        self.failure_ratio() > MAX_FAILURE_RATIO
    }

    /// The larger failure ratio of the two kinds.
    pub fn failure_ratio(&self) -> f64 {
        self.measured.failure_ratio().max(self.baseline.failure_ratio())
    }

    /// The one-line JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }
}

impl std::fmt::Display for AlternatingReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "measured, in alternate slices of {:.3} s:", self.slice_s)?;
        writeln!(f, "{}", self.measured)?;
        writeln!(f, "baseline, in the slices between:")?;
        writeln!(f, "{}", self.baseline)?;
        let s = &self.slices;
        write!(
            f,
            "measured ÷ baseline  {:.3}  (per slice: median {:.3}, from {:.3} to {:.3}, {} slices)",
            self.ratio, s.median, s.min, s.max, s.count
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_take_turns_from_the_baseline() {
        let start = Instant::now();
        let slices = Slices::new(start, Duration::from_millis(500));
        let at = |ms| start + Duration::from_millis(ms);
        let turn = |ms| Turn::of(slices.index(at(ms)));
        assert_eq!(turn(0), Turn::Baseline);
        assert_eq!(turn(499), Turn::Baseline);
        assert_eq!(turn(500), Turn::Measured);
        assert_eq!(turn(999), Turn::Measured);
        assert_eq!(turn(1000), Turn::Baseline);
        assert_eq!(slices.index(at(2750)), 5);
    }

    #[test]
    fn durations_round_up_to_whole_pairs() {
        let slice = Duration::from_millis(500);
        assert_eq!(whole_pairs(Duration::ZERO, slice), Duration::ZERO);
        assert_eq!(whole_pairs(Duration::from_millis(1), slice), Duration::from_secs(1));
        assert_eq!(whole_pairs(Duration::from_secs(2), slice), Duration::from_secs(2));
        assert_eq!(whole_pairs(Duration::from_millis(2_100), slice), Duration::from_secs(3));
    }

    #[test]
    fn each_measured_slice_is_held_against_the_baselines_beside_it() {
        // Baseline 100, measured 80, baseline 120, measured 90: 80 ÷ 110 and 90 ÷ 120.
        let ratios = SliceRatios::from_counts(&[100, 80, 120, 90]);
        assert_eq!(ratios.count, 2);
        assert_eq!(ratios.min, 0.727);
        assert_eq!(ratios.max, 0.75);
        assert_eq!(ratios.median, round3((80.0 / 110.0 + 0.75) / 2.0));
        // A trailing baseline slice without its measured one is not a pair.
        assert_eq!(SliceRatios::from_counts(&[100, 50, 100]).count, 1);
        assert_eq!(SliceRatios::from_counts(&[0, 50]).count, 0);
    }
}
