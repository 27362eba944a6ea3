//! Exponential backoff with equal jitter, for reconnects and REST retries.

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, RngExt, SeedableRng};
use ring::rand::{SecureRandom, SystemRandom};

/// Delays that double from `min` up to `max`, jittered so that many clients
/// dropped at once do not come back at once.
///
/// Attempt `n` has the ceiling `min(max, min·2ⁿ)` and waits a uniform delay
/// in `[max(min, ceiling/2), ceiling]` ("equal jitter", floored at `min`), so
/// every delay lies in `[min, max]` and the ceiling never decreases until
/// [`Backoff::reset`].
#[derive(Debug, Clone)]
pub(super) struct Backoff {
    min_ms: u64,
    max_ms: u64,
    attempt: u32,
}

impl Backoff {
    /// A backoff from `min` to `max`. A zero `min` counts as one millisecond
    /// (so the delay still grows) and a `max` below `min` as `min`.
    pub(super) fn new(min: Duration, max: Duration) -> Backoff {
        let min_ms = millis(min).max(1);
        Backoff { min_ms, max_ms: millis(max).max(min_ms), attempt: 0 }
    }

    /// The longest delay the next attempt may wait, in milliseconds.
    pub(super) fn ceiling_ms(&self) -> u64 {
        let factor = 1_u64.checked_shl(self.attempt).unwrap_or(u64::MAX);
        self.min_ms.saturating_mul(factor).min(self.max_ms)
    }

    /// The delay before the next attempt; each call moves to the next attempt.
    pub(super) fn next_delay<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Duration {
        let ceiling = self.ceiling_ms();
        let floor = (ceiling / 2).max(self.min_ms);
        if ceiling < self.max_ms {
            self.attempt = self.attempt.saturating_add(1);
        }
        Duration::from_millis(rng.random_range(floor..=ceiling))
    }

    /// Starts over from `min`, after a success.
    pub(super) fn reset(&mut self) {
        self.attempt = 0;
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A fast generator for jitter, seeded from the operating system. Jitter
/// needs no cryptographic strength, only different seeds per process.
pub(super) fn jitter_rng() -> SmallRng {
    let mut seed = [0_u8; 8];
    if SystemRandom::new().fill(&mut seed).is_err() {
        // Without OS randomness, the time still differs between processes.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        seed = (nanos.as_nanos() as u64).to_le_bytes();
    }
    SmallRng::seed_from_u64(u64::from_le_bytes(seed))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn seeded(seed: u64) -> SmallRng {
        SmallRng::seed_from_u64(seed)
    }

    #[test]
    fn ceilings_double_from_min_and_stop_at_max() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut rng = seeded(1);
        let mut ceilings = Vec::new();
        for _ in 0..9 {
            ceilings.push(backoff.ceiling_ms());
            backoff.next_delay(&mut rng);
        }
        assert_eq!(ceilings, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    }

    #[test]
    fn first_delay_is_min_and_later_ones_are_jittered_in_the_upper_half() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut rng = seeded(7);
        assert_eq!(backoff.next_delay(&mut rng), Duration::from_millis(500));
        let second = backoff.next_delay(&mut rng);
        assert!((Duration::from_millis(500)..=Duration::from_millis(1_000)).contains(&second), "{second:?}");
        for _ in 0..20 {
            backoff.next_delay(&mut rng);
        }
        let capped = backoff.next_delay(&mut rng);
        assert!((Duration::from_secs(15)..=Duration::from_secs(30)).contains(&capped), "{capped:?}");
    }

    #[test]
    fn jitter_varies_between_draws() {
        let mut rng = seeded(3);
        let delays: std::collections::BTreeSet<Duration> = (0..20)
            .map(|_| {
                let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
                for _ in 0..5 {
                    backoff.next_delay(&mut rng);
                }
                backoff.next_delay(&mut rng)
            })
            .collect();
        assert!(delays.len() > 1, "no jitter: {delays:?}");
    }

    #[test]
    fn reset_starts_over() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(1));
        let mut rng = seeded(5);
        for _ in 0..6 {
            backoff.next_delay(&mut rng);
        }
        assert_eq!(backoff.ceiling_ms(), 640);
        backoff.reset();
        assert_eq!(backoff.ceiling_ms(), 10);
        assert_eq!(backoff.next_delay(&mut rng), Duration::from_millis(10));
    }

    #[test]
    fn degenerate_bounds_are_sanitised() {
        let mut rng = seeded(9);
        let mut zero = Backoff::new(Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.next_delay(&mut rng), Duration::from_millis(1));
        let mut inverted = Backoff::new(Duration::from_secs(5), Duration::from_secs(1));
        assert_eq!(inverted.next_delay(&mut rng), Duration::from_secs(5));
        assert_eq!(inverted.next_delay(&mut rng), Duration::from_secs(5));
    }

    proptest! {
        #[test]
        fn delays_stay_within_bounds_and_ceilings_never_shrink(
            min in 0_u64..5_000,
            spread in 0_u64..600_000,
            seed in any::<u64>(),
            attempts in 1_usize..80,
        ) {
            let max = min + spread;
            let mut backoff = Backoff::new(Duration::from_millis(min), Duration::from_millis(max));
            let mut rng = seeded(seed);
            let (low, high) = (min.max(1), max.max(1));
            let mut previous_ceiling = 0;
            for _ in 0..attempts {
                let ceiling = backoff.ceiling_ms();
                prop_assert!(ceiling >= previous_ceiling, "ceiling shrank: {previous_ceiling} -> {ceiling}");
                prop_assert!(ceiling <= high);
                previous_ceiling = ceiling;
                let delay = u64::try_from(backoff.next_delay(&mut rng).as_millis()).unwrap();
                prop_assert!((low..=high).contains(&delay), "{delay} not in [{low}, {high}]");
                prop_assert!(delay <= ceiling);
            }
        }

        #[test]
        fn ceiling_reaches_max(min in 1_u64..10_000, spread in 0_u64..10_000_000, seed in any::<u64>()) {
            let max = min + spread;
            let mut backoff = Backoff::new(Duration::from_millis(min), Duration::from_millis(max));
            let mut rng = seeded(seed);
            for _ in 0..64 {
                backoff.next_delay(&mut rng);
            }
            prop_assert_eq!(backoff.ceiling_ms(), max);
        }
    }
}
