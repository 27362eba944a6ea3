//! Timestamps: calendar dates and times, and Unix epoch numbers, all UTC.
//!
//! See the module documentation of [`super`] for the accepted forms.

use std::fmt;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// Epoch integers below this are seconds (up to the year 5138).
pub(super) const SECONDS_BELOW: u64 = 100_000_000_000;
/// Epoch integers from [`SECONDS_BELOW`] up to below this are milliseconds.
pub(super) const MILLIS_BELOW: u64 = 100_000_000_000_000;
/// Epoch integers from [`MILLIS_BELOW`] up to below this are microseconds;
/// larger ones are nanoseconds.
pub(super) const MICROS_BELOW: u64 = 100_000_000_000_000_000;

/// Why a time field is not a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeError {
    /// The field is empty.
    Empty,
    /// The field is in no accepted form.
    Syntax,
    /// A calendar or clock component is out of range.
    OutOfRange(&'static str),
    /// The time has a non-zero part below a millisecond.
    SubMillisecond,
    /// The time is too far from 1970 to count in milliseconds.
    Overflow,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeError::Empty => f.write_str("empty"),
            TimeError::Syntax => f.write_str(
                "expected a date (YYYY-MM-DD, optionally with a time), or Unix seconds, milliseconds or microseconds",
            ),
            TimeError::OutOfRange(what) => write!(f, "{what} out of range"),
            TimeError::SubMillisecond => f.write_str("finer than a millisecond"),
            TimeError::Overflow => f.write_str("too far from 1970"),
        }
    }
}

/// Parses a time field into Unix milliseconds.
pub(super) fn parse(field: &[u8]) -> Result<i64, TimeError> {
    match field {
        [] => Err(TimeError::Empty),
        [_, _, _, _, b'-', ..] => date_time(field),
        [b'0'..=b'9', ..] => epoch(field),
        _ => Err(TimeError::Syntax),
    }
}

/// Parses a Unix epoch number, its unit told by its magnitude.
pub(super) fn epoch(field: &[u8]) -> Result<i64, TimeError> {
    let (int, frac) = match field.iter().position(|&b| b == b'.') {
        Some(dot) => (&field[..dot], Some(&field[dot + 1..])),
        None => (field, None),
    };
    let whole = digits(int).ok_or(TimeError::Syntax)?;
    // Nanoseconds in one unit of the number.
    let unit_ns: u64 = match whole {
        n if n < SECONDS_BELOW => 1_000_000_000,
        n if n < MILLIS_BELOW => 1_000_000,
        n if n < MICROS_BELOW => 1_000,
        _ => 1,
    };
    let mut ms = match unit_ns {
        1_000_000_000 => whole * 1_000,
        1_000_000 => whole,
        _ => {
            let per_ms = 1_000_000 / unit_ns;
            if !whole.is_multiple_of(per_ms) {
                return Err(TimeError::SubMillisecond);
            }
            whole / per_ms
        }
    };
    if let Some(frac) = frac {
        // The fraction, in billionths of a unit; digits past the ninth must be zero.
        let (head, tail) = frac.split_at(frac.len().min(9));
        if frac.is_empty() || !tail.iter().all(|&b| b == b'0') {
            return Err(if frac.is_empty() { TimeError::Syntax } else { TimeError::SubMillisecond });
        }
        let mut billionths = digits(head).ok_or(TimeError::Syntax)?;
        for _ in head.len()..9 {
            billionths *= 10;
        }
        // billionths * unit_ns / 1e9 nanoseconds, as whole milliseconds.
        let scaled = billionths * unit_ns;
        if !scaled.is_multiple_of(1_000_000_000_000_000) {
            return Err(TimeError::SubMillisecond);
        }
        ms += scaled / 1_000_000_000_000_000;
    }
    i64::try_from(ms).map_err(|_| TimeError::Overflow)
}

/// Parses `YYYY-MM-DD`, optionally followed by `T` or a space and a time.
fn date_time(field: &[u8]) -> Result<i64, TimeError> {
    let (date, rest) = field.split_at_checked(10).ok_or(TimeError::Syntax)?;
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = date else {
        return Err(TimeError::Syntax);
    };
    let year = two(y0, y1)? * 100 + two(y2, y3)?;
    let month = two(m0, m1)?;
    let day = two(d0, d1)?;
    if !(1..=12).contains(&month) {
        return Err(TimeError::OutOfRange("month"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(TimeError::OutOfRange("day"));
    }
    let midnight = days_from_civil(year, month, day) * MS_PER_DAY;
    let clock = match rest {
        [] => 0,
        [b'T' | b't' | b' ', time @ ..] => time_of_day(time)?,
        _ => return Err(TimeError::Syntax),
    };
    Ok(midnight + clock)
}

/// Parses the time after the date: `HH-AM`/`HH-PM`, or
/// `HH:MM[:SS[.fff…]]` with an optional zone (`Z`, `UTC`, `±HH[:MM]`).
/// Returns milliseconds from the date's midnight UTC (negative or past a
/// day when the offset moves it).
fn time_of_day(time: &[u8]) -> Result<i64, TimeError> {
    let [h0, h1, rest @ ..] = time else {
        return Err(TimeError::Syntax);
    };
    let hour = two(*h0, *h1)?;
    if let [b'-', half @ ..] = rest {
        // CryptoDataDownload's hourly form: 12-AM is midnight, 12-PM noon.
        let pm = match half {
            [b'A' | b'a', b'M' | b'm'] => false,
            [b'P' | b'p', b'M' | b'm'] => true,
            _ => return Err(TimeError::Syntax),
        };
        if !(1..=12).contains(&hour) {
            return Err(TimeError::OutOfRange("hour"));
        }
        return Ok(i64::from(hour % 12 + if pm { 12 } else { 0 }) * MS_PER_HOUR);
    }
    let [b':', m0, m1, rest @ ..] = rest else {
        return Err(TimeError::Syntax);
    };
    let minute = two(*m0, *m1)?;
    let (second, rest) = match rest {
        [b':', s0, s1, rest @ ..] => (two(*s0, *s1)?, rest),
        _ => (0, rest),
    };
    let (millis, rest) = match rest {
        [b'.' | b',', rest @ ..] => fraction_ms(rest)?,
        _ => (0, rest),
    };
    if hour > 23 {
        return Err(TimeError::OutOfRange("hour"));
    }
    if minute > 59 {
        return Err(TimeError::OutOfRange("minute"));
    }
    if second > 59 {
        return Err(TimeError::OutOfRange("second"));
    }
    let local =
        i64::from(hour) * MS_PER_HOUR + i64::from(minute) * MS_PER_MINUTE + i64::from(second) * MS_PER_SECOND + millis;
    Ok(local - offset_ms(rest)?)
}

/// Parses fractional-second digits into milliseconds; digits past the third
/// must be zero. Returns the rest of the input.
fn fraction_ms(input: &[u8]) -> Result<(i64, &[u8]), TimeError> {
    let count = input.iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 {
        return Err(TimeError::Syntax);
    }
    let (frac, rest) = input.split_at(count);
    let (head, tail) = frac.split_at(count.min(3));
    if tail.iter().any(|&b| b != b'0') {
        return Err(TimeError::SubMillisecond);
    }
    let mut millis = head.iter().fold(0, |acc, &b| acc * 10 + i64::from(b - b'0'));
    for _ in head.len()..3 {
        millis *= 10;
    }
    Ok((millis, rest))
}

/// Parses a zone suffix into the offset east of UTC, in milliseconds.
fn offset_ms(zone: &[u8]) -> Result<i64, TimeError> {
    // One space may separate the zone from the time.
    let zone = zone.strip_prefix(b" ").unwrap_or(zone);
    if zone.eq_ignore_ascii_case(b"UTC") {
        return Ok(0);
    }
    let (sign, digits) = match zone {
        [] | [b'Z' | b'z'] => return Ok(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return Err(TimeError::Syntax),
    };
    let (hours, minutes) = match *digits {
        [h0, h1] => (two(h0, h1)?, 0),
        [h0, h1, m0, m1] | [h0, h1, b':', m0, m1] => (two(h0, h1)?, two(m0, m1)?),
        _ => return Err(TimeError::Syntax),
    };
    if hours > 23 || minutes > 59 {
        return Err(TimeError::OutOfRange("offset"));
    }
    Ok(sign * (i64::from(hours) * MS_PER_HOUR + i64::from(minutes) * MS_PER_MINUTE))
}

/// Two ASCII digits as a number.
fn two(tens: u8, ones: u8) -> Result<u32, TimeError> {
    if tens.is_ascii_digit() && ones.is_ascii_digit() {
        Ok(u32::from(tens - b'0') * 10 + u32::from(ones - b'0'))
    } else {
        Err(TimeError::Syntax)
    }
}

/// A non-empty run of ASCII digits as a number, or `None` if it is not one
/// or overflows.
pub(super) fn digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    Some(value)
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
///
/// Counts in a calendar whose years start on 1 March, so the leap day is
/// the last day of its year, and whose 400-year eras each hold 146 097 days.
pub(super) fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    // Months from March: March is 0, February 11. Month lengths from March
    // repeat 31, 30, 31, 30, 31 so `(153 m + 2) / 5` counts the days before.
    let march_month = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * march_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days separate 0000-03-01 from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01: the inverse of
/// [`days_from_civil`].
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_month + 2) / 5 + 1;
    let month = if march_month < 10 { march_month + 3 } else { march_month - 9 };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    // Both are in range by construction: 1 ≤ day ≤ 31, 1 ≤ month ≤ 12.
    (year, u32::try_from(month).unwrap_or(1), u32::try_from(day).unwrap_or(1))
}

/// Unix milliseconds as an RFC 3339 UTC time, for messages.
pub(super) struct Iso(pub(super) i64);

impl fmt::Display for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0.div_euclid(MS_PER_DAY));
        let in_day = self.0.rem_euclid(MS_PER_DAY);
        let (hour, minute) = (in_day / MS_PER_HOUR, in_day % MS_PER_HOUR / MS_PER_MINUTE);
        let (second, millis) = (in_day % MS_PER_MINUTE / MS_PER_SECOND, in_day % MS_PER_SECOND);
        write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")?;
        if millis != 0 {
            write!(f, ".{millis:03}")?;
        }
        f.write_str("Z")
    }
}

impl fmt::Debug for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
