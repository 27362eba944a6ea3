//! Candle intervals and the UTC grid they are aligned to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;
/// 1970-01-05T00:00:00Z, the first Monday of the Unix epoch: weeks start on
/// Monday at 00:00 UTC, as exchanges' weekly candles do.
const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;

/// A candle interval. Candles open on a UTC-aligned grid: minutes and hours
/// from the Unix epoch, days at 00:00 UTC and weeks on Monday at 00:00 UTC.
///
/// Each interval is a whole number of every shorter one, and each bucket of a
/// longer interval is the union of whole buckets of every shorter one, so any
/// interval aggregates exactly into any longer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Interval {
    /// One minute.
    M1,
    /// Five minutes.
    M5,
    /// Fifteen minutes.
    M15,
    /// One hour.
    H1,
    /// Four hours.
    H4,
    /// One day.
    D1,
    /// One week, from Monday.
    W1,
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Interval {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A candle interval on the UTC grid."))
            .enum_values(Some(Interval::ALL.iter().map(|i| i.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Interval {}

/// A string that names no [`Interval`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown interval; expected one of 1m, 5m, 15m, 1h, 4h, 1d, 1w")]
pub struct UnknownInterval;

impl Interval {
    /// Every interval, shortest first.
    pub const ALL: [Interval; 7] =
        [Interval::M1, Interval::M5, Interval::M15, Interval::H1, Interval::H4, Interval::D1, Interval::W1];

    /// The interval's name: `1m`, `5m`, `15m`, `1h`, `4h`, `1d` or `1w`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Interval::M1 => "1m",
            Interval::M5 => "5m",
            Interval::M15 => "15m",
            Interval::H1 => "1h",
            Interval::H4 => "4h",
            Interval::D1 => "1d",
            Interval::W1 => "1w",
        }
    }

    /// The interval's length in milliseconds.
    pub const fn millis(self) -> i64 {
        match self {
            Interval::M1 => MINUTE_MS,
            Interval::M5 => 5 * MINUTE_MS,
            Interval::M15 => 15 * MINUTE_MS,
            Interval::H1 => HOUR_MS,
            Interval::H4 => 4 * HOUR_MS,
            Interval::D1 => DAY_MS,
            Interval::W1 => WEEK_MS,
        }
    }

    /// The open time of the bucket holding `ms` (Unix milliseconds). For
    /// the few instants whose bucket would start before `i64::MIN`, the
    /// next bucket's.
    pub const fn align(self, ms: i64) -> i64 {
        let origin = match self {
            Interval::W1 => FIRST_MONDAY_MS,
            _ => 0,
        };
        // In i128, so no instant overflows.
        let (x, step) = (ms as i128, self.millis() as i128);
        let mut aligned = x - (x - origin as i128).rem_euclid(step);
        if aligned < i64::MIN as i128 {
            aligned += step;
        }
        aligned as i64
    }

    /// Whether `ms` is the open time of a bucket.
    pub const fn is_aligned(self, ms: i64) -> bool {
        self.align(ms) == ms
    }

    /// The open time of the bucket after the one opening at `open_ms`.
    pub const fn next(self, open_ms: i64) -> i64 {
        open_ms.saturating_add(self.millis())
    }

    /// Whether this interval's buckets each hold whole buckets of `finer`:
    /// every interval holds itself and every shorter one.
    pub fn holds(self, finer: Interval) -> bool {
        finer <= self
    }

    /// How many `finer` buckets make one of this interval's.
    pub const fn count_of(self, finer: Interval) -> i64 {
        self.millis() / finer.millis()
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Interval {
    type Err = UnknownInterval;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Interval::ALL.into_iter().find(|interval| interval.as_str() == s).ok_or(UnknownInterval)
    }
}

impl TryFrom<String> for Interval {
    type Error = UnknownInterval;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Interval> for &'static str {
    fn from(interval: Interval) -> &'static str {
        interval.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MONDAY_2024_01_01: i64 = 1_704_067_200_000;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for interval in Interval::ALL {
            assert_eq!(interval.as_str().parse::<Interval>(), Ok(interval));
        }
        for bad in ["", "1M", "2m", "60m", "1H", "1d ", "7d"] {
            assert_eq!(bad.parse::<Interval>(), Err(UnknownInterval), "{bad:?}");
        }
    }

    #[test]
    fn weeks_start_on_monday_at_midnight_utc() {
        // 2024-01-01 was a Monday; the following Sunday night is still its week.
        assert_eq!(Interval::W1.align(MONDAY_2024_01_01), MONDAY_2024_01_01);
        assert_eq!(Interval::W1.align(MONDAY_2024_01_01 + WEEK_MS - 1), MONDAY_2024_01_01);
        assert_eq!(Interval::W1.align(MONDAY_2024_01_01 - 1), MONDAY_2024_01_01 - WEEK_MS);
        assert_eq!(Interval::D1.align(MONDAY_2024_01_01 + 5 * HOUR_MS), MONDAY_2024_01_01);
    }

    #[test]
    fn the_extremes_align_without_overflow() {
        for interval in Interval::ALL {
            for ms in [i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1, 0, -1] {
                let aligned = interval.align(ms);
                assert!(interval.align(aligned) == aligned, "{interval} {ms}");
            }
        }
    }

    proptest! {
        #[test]
        fn align_is_the_greatest_grid_point_not_after(ms in -4_000_000_000_000i64..8_000_000_000_000, i in 0usize..7) {
            let interval = Interval::ALL[i];
            let open = interval.align(ms);
            prop_assert!(open <= ms && ms < open + interval.millis());
            prop_assert!(interval.is_aligned(open));
            prop_assert_eq!(interval.align(open), open);
        }

        #[test]
        fn longer_buckets_are_unions_of_shorter_ones(ms in 0i64..8_000_000_000_000, a in 0usize..7, b in 0usize..7) {
            let (finer, coarser) = (Interval::ALL[a.min(b)], Interval::ALL[a.max(b)]);
            prop_assert!(coarser.holds(finer));
            // A coarse bucket's start is a fine bucket's start, and the fine
            // bucket holding any instant lies inside the coarse one holding it.
            prop_assert!(finer.is_aligned(coarser.align(ms)));
            prop_assert_eq!(coarser.align(finer.align(ms)), coarser.align(ms));
            prop_assert_eq!(coarser.millis() % finer.millis(), 0);
        }
    }
}
