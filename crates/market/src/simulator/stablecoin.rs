//! De-peg episodes of pegged and wrapped assets.
//!
//! Each UTC day independently holds the start of an episode with a small
//! probability (a Poisson process of a few events a year, thinned to at
//! most one a day). An episode drops the log price linearly over 1 to 3
//! hours by a depth drawn log-uniformly from the peg's range, then recovers
//! along `(1 − t / recovery)²` over a recovery time drawn log-uniformly
//! (hours to days): a sharp fall, then a recovery that is quick at first and
//! slows near the peg. Episodes are drawn per day, so the offset at any hour
//! is computed from the few days before it, without any state; the steady
//! mean reversion around the peg is the path's, see [`super::path`].

use super::math;
use super::model::DepegParams;
use super::rng::{Draws, Entity, Purpose};

/// One episode.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Episode {
    /// The hour boundary at which the drop starts.
    start: i64,
    /// The drop's length, in hours (at least 1).
    drop_hours: i64,
    /// The recovery's length, in hours.
    recovery_hours: f64,
    /// The depth in log price: `−ln(1 − depth)`.
    depth: f64,
}

impl Episode {
    /// The episode's (non-positive) log-price offset at hour boundary `at`.
    fn offset(&self, at: i64) -> f64 {
        let since = at - self.start;
        if since <= 0 {
            return 0.0;
        }
        if since < self.drop_hours {
            // Both small positive integers (at most a few hours).
            return -self.depth * since as f64 / self.drop_hours as f64;
        }
        let t = (since - self.drop_hours) as f64 / self.recovery_hours;
        if t >= 1.0 { 0.0 } else { -self.depth * (1.0 - t) * (1.0 - t) }
    }
}

/// The episodes that touch a span of hour boundaries.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Depegs {
    episodes: Vec<Episode>,
}

impl Depegs {
    /// No episodes: for assets without de-pegs.
    pub(super) fn none() -> Depegs {
        Depegs { episodes: Vec::new() }
    }

    /// The episodes of `entity` under `seed` that can move the price at any
    /// hour boundary in `[from, to]`.
    pub(super) fn between(seed: u64, entity: Entity, params: &DepegParams, from: i64, to: i64) -> Depegs {
        let mut draws = Draws::new(seed, entity, Purpose::Depeg);
        let first_day = (from - params.max_span_hours()).div_euclid(24);
        let last_day = to.div_euclid(24);
        let (ln_min_depth, ln_max_depth) = (math::ln(params.depth.0), math::ln(params.depth.1));
        let (ln_min_recovery, ln_max_recovery) = (math::ln(params.recovery_hours.0), math::ln(params.recovery_hours.1));
        let mut episodes = Vec::new();
        for day in first_day..=last_day {
            // One block per day, read in full: occurrence, start hour, depth,
            // drop length, recovery length.
            draws.seek_block(day);
            let occurs = draws.uniform() < params.daily_probability;
            let start_hour = draws.uniform();
            let depth = draws.uniform();
            let drop = draws.uniform();
            let recovery = draws.uniform();
            if !occurs {
                continue;
            }
            // Floors of numbers in [0, 24) and [0, drop_hours): the casts are exact.
            let start = day * 24 + (start_hour * 24.0).floor() as i64;
            let drop_hours = 1 + (drop * f64::from(params.drop_hours)).floor() as i64;
            let depth = math::exp(ln_min_depth + depth * (ln_max_depth - ln_min_depth));
            episodes.push(Episode {
                start,
                drop_hours,
                recovery_hours: math::exp(ln_min_recovery + recovery * (ln_max_recovery - ln_min_recovery)),
                depth: -math::ln(1.0 - depth),
            });
        }
        Depegs { episodes }
    }

    /// The log-price offset at hour boundary `at` (zero outside episodes).
    pub(super) fn at(&self, at: i64) -> f64 {
        self.episodes.iter().map(|e| e.offset(at)).sum()
    }

    /// The number of episodes found.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.episodes.len()
    }
}
