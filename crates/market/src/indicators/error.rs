//! Why an indicator cannot be computed: a parameter out of range, or input
//! series of different lengths.

/// The largest period any indicator accepts, as in TA-Lib.
pub const MAX_PERIOD: usize = 100_000;

/// The largest magnitude of a deviation multiplier (`nbdev`), TA-Lib's
/// `TA_REAL_MAX`.
pub const MAX_FACTOR: f64 = 3e37;

/// Why an indicator cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    /// A period is outside the range the indicator accepts.
    #[error("{name} must be from {min} to {max}, got {value}")]
    Period {
        /// The parameter, e.g. `period` or `slow`.
        name: &'static str,
        /// The smallest accepted value.
        min: usize,
        /// The largest accepted value ([`MAX_PERIOD`]).
        max: usize,
        /// The value given.
        value: usize,
    },
    /// A multiplier is NaN, infinite or beyond ±[`MAX_FACTOR`].
    #[error("{name} must be a number from -3e37 to 3e37, got {value}")]
    Factor {
        /// The parameter, e.g. `nbdev_up`.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// Two input series that must be aligned have different lengths.
    #[error("input {name} has {found} values where {expected} were expected")]
    Length {
        /// The input, e.g. `low`.
        name: &'static str,
        /// The length of the first input.
        expected: usize,
        /// The length of this input.
        found: usize,
    },
}

/// Checks that `value` is from `min` to [`MAX_PERIOD`].
pub(crate) fn check_period(name: &'static str, value: usize, min: usize) -> Result<(), IndicatorError> {
    if (min..=MAX_PERIOD).contains(&value) {
        Ok(())
    } else {
        Err(IndicatorError::Period { name, min, max: MAX_PERIOD, value })
    }
}

/// Checks that `value` is a finite number within ±[`MAX_FACTOR`].
pub(crate) fn check_factor(name: &'static str, value: f64) -> Result<(), IndicatorError> {
    if (-MAX_FACTOR..=MAX_FACTOR).contains(&value) { Ok(()) } else { Err(IndicatorError::Factor { name, value }) }
}

/// Checks that `input` has `expected` values.
pub(crate) fn check_len(name: &'static str, expected: usize, input: &[f64]) -> Result<(), IndicatorError> {
    if input.len() == expected { Ok(()) } else { Err(IndicatorError::Length { name, expected, found: input.len() }) }
}
