//! Annualisation: how many periods make a year, and rates per period.

use crate::candle::Interval;

/// The year used to annualise, in milliseconds: 365 days, since crypto
/// markets trade every day.
const YEAR_MS: f64 = 365.0 * 86_400_000.0;

/// How many return periods make a year: finite and positive.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct PeriodsPerYear(f64);

impl PeriodsPerYear {
    /// Daily returns: 365 a year.
    pub const DAILY: PeriodsPerYear = PeriodsPerYear(365.0);
    /// Hourly returns: 365 × 24 = 8760 a year.
    pub const HOURLY: PeriodsPerYear = PeriodsPerYear(8760.0);

    /// A count of periods a year; `None` unless finite and positive.
    pub fn new(periods: f64) -> Option<PeriodsPerYear> {
        (periods.is_finite() && periods > 0.0).then_some(PeriodsPerYear(periods))
    }

    /// The periods a year of candles of `interval`: 365 days divided by the
    /// interval's length (8760 for `1h`, 365 for `1d`, 365 / 7 for `1w`).
    pub fn of_interval(interval: Interval) -> PeriodsPerYear {
        PeriodsPerYear(YEAR_MS / interval.millis() as f64)
    }

    /// The periods a year of a period `period_ms` milliseconds long; `None`
    /// unless positive.
    pub fn of_period_millis(period_ms: i64) -> Option<PeriodsPerYear> {
        (period_ms > 0).then(|| PeriodsPerYear(YEAR_MS / period_ms as f64))
    }

    /// The count.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for PeriodsPerYear {
    /// [`PeriodsPerYear::DAILY`].
    fn default() -> PeriodsPerYear {
        PeriodsPerYear::DAILY
    }
}

/// A rate of return (a risk-free rate or a required return), given per
/// period or per year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// A simple return per period, used as is (empyrical's convention).
    PerPeriod(f64),
    /// An effective annual rate, turned into the per-period rate that
    /// compounds to it: `(1 + annual)^(1 / periods_per_year) - 1`.
    Annual(f64),
}

impl Rate {
    /// No return: the default risk-free rate and required return.
    pub const ZERO: Rate = Rate::PerPeriod(0.0);

    /// The rate per period. An annual rate below -1 has no per-period
    /// equivalent and gives NaN, which makes the metrics using it
    /// [`NotFinite`](super::Unavailable::NotFinite).
    pub fn per_period(self, periods: PeriodsPerYear) -> f64 {
        match self {
            Rate::PerPeriod(rate) => rate,
            Rate::Annual(rate) => (rate.ln_1p() / periods.get()).exp_m1(),
        }
    }
}

impl Default for Rate {
    /// [`Rate::ZERO`].
    fn default() -> Rate {
        Rate::ZERO
    }
}
