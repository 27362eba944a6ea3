//! Timestamp parsing edge cases. Expected values were computed with
//! Python's `datetime` in UTC.

use proptest::prelude::*;

use super::super::time::{self, TimeError, civil_from_days, days_from_civil};
use super::TimeStyle;

const HOUR: i64 = 3_600_000;
/// 2019-10-17T00:00:00Z.
const OCT_17: i64 = 1_571_270_400_000;

fn parse(text: &str) -> Result<i64, TimeError> {
    time::parse(text.as_bytes())
}

#[test]
fn dates_are_utc_midnights() {
    assert_eq!(parse("1970-01-01"), Ok(0));
    assert_eq!(parse("1969-12-31"), Ok(-24 * HOUR));
    assert_eq!(parse("2019-10-17"), Ok(OCT_17));
    assert_eq!(parse("1600-03-01"), Ok(-11_670_912_000_000));
    assert_eq!(parse("9999-12-31T23:59:59.999Z"), Ok(253_402_300_799_999));
}

#[test]
fn leap_days_follow_the_gregorian_rules() {
    assert_eq!(parse("2000-02-29"), Ok(951_782_400_000));
    assert_eq!(parse("2024-02-29"), Ok(1_709_164_800_000));
    assert_eq!(parse("2024-02-29T23:30:00"), Ok(1_709_249_400_000));
    assert_eq!(parse("2100-03-01"), Ok(4_107_542_400_000));
    for not_leap in ["1900-02-29", "2023-02-29", "2100-02-29"] {
        assert_eq!(parse(not_leap), Err(TimeError::OutOfRange("day")), "{not_leap}");
    }
    assert_eq!(parse("2024-02-30"), Err(TimeError::OutOfRange("day")));
    assert_eq!(parse("2024-04-31"), Err(TimeError::OutOfRange("day")));
    assert_eq!(parse("2024-04-00"), Err(TimeError::OutOfRange("day")));
    assert_eq!(parse("2024-13-01"), Err(TimeError::OutOfRange("month")));
    assert_eq!(parse("2024-00-01"), Err(TimeError::OutOfRange("month")));
}

#[test]
fn days_from_civil_matches_counting_days() {
    let mut days = days_from_civil(1899, 12, 31);
    for year in 1900..2101 {
        for month in 1..=12 {
            let length = match month {
                2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            for day in 1..=length {
                days += 1;
                assert_eq!(days_from_civil(year, month, day), days, "{year}-{month}-{day}");
                assert_eq!(civil_from_days(days), (i64::from(year), month, day));
            }
        }
    }
}

#[test]
fn am_pm_hours_put_12_am_at_midnight_and_12_pm_at_noon() {
    assert_eq!(parse("2019-10-17 12-AM"), Ok(OCT_17));
    assert_eq!(parse("2019-10-17 01-AM"), Ok(OCT_17 + HOUR));
    assert_eq!(parse("2019-10-17 09-AM"), Ok(OCT_17 + 9 * HOUR));
    assert_eq!(parse("2019-10-17 11-AM"), Ok(OCT_17 + 11 * HOUR));
    assert_eq!(parse("2019-10-17 12-PM"), Ok(OCT_17 + 12 * HOUR));
    assert_eq!(parse("2019-10-17 01-PM"), Ok(OCT_17 + 13 * HOUR));
    assert_eq!(parse("2019-10-17 11-PM"), Ok(OCT_17 + 23 * HOUR));
    assert_eq!(parse("2019-10-17 09-pm"), Ok(OCT_17 + 21 * HOUR));
    assert_eq!(parse("2019-10-17 00-AM"), Err(TimeError::OutOfRange("hour")));
    assert_eq!(parse("2019-10-17 13-PM"), Err(TimeError::OutOfRange("hour")));
    assert_eq!(parse("2019-10-17 09-XM"), Err(TimeError::Syntax));
    assert_eq!(parse("2019-10-17 9-AM"), Err(TimeError::Syntax));
}

#[test]
fn clock_times_with_and_without_seconds_fractions_and_zones() {
    let noon = OCT_17 + 12 * HOUR;
    for text in [
        "2019-10-17T12:00",
        "2019-10-17 12:00",
        "2019-10-17t12:00:00",
        "2019-10-17T12:00:00Z",
        "2019-10-17T12:00:00z",
        "2019-10-17 12:00:00 UTC",
        "2019-10-17T12:00:00.000Z",
        "2019-10-17T12:00:00,000000000",
        "2019-10-17T12:00:00+00:00",
        "2019-10-17T12:00:00-00:00",
        "2019-10-17T13:00:00+01:00",
        "2019-10-17T13:00:00+0100",
        "2019-10-17T13:00:00+01",
        "2019-10-17T06:30:00-05:30",
        "2019-10-17 13:00 +01:00",
    ] {
        assert_eq!(parse(text), Ok(noon), "{text}");
    }
    assert_eq!(parse("2019-10-17T12:00:00.5"), Ok(noon + 500));
    assert_eq!(parse("2019-10-17T12:00:00.123Z"), Ok(noon + 123));
    assert_eq!(parse("2019-10-17T12:00:00.123000+00:00"), Ok(noon + 123));
    assert_eq!(parse("2019-10-17T12:00:00.1234"), Err(TimeError::SubMillisecond));
    // An offset can move the time to another day.
    assert_eq!(parse("2019-10-17T00:30:00+01:00"), Ok(OCT_17 - HOUR / 2));
    assert_eq!(parse("2019-10-17T23:30:00-01:00"), Ok(OCT_17 + 24 * HOUR + HOUR / 2));
}

#[test]
fn malformed_clock_times_are_refused() {
    assert_eq!(parse("2019-10-17 24:00"), Err(TimeError::OutOfRange("hour")));
    assert_eq!(parse("2019-10-17 23:60"), Err(TimeError::OutOfRange("minute")));
    assert_eq!(parse("2019-10-17 23:59:60"), Err(TimeError::OutOfRange("second")));
    assert_eq!(parse("2019-10-17T12:00+24:00"), Err(TimeError::OutOfRange("offset")));
    for bad in [
        "2019-10-17X12:00",
        "2019-10-17T",
        "2019-10-17T12",
        "2019-10-17T12:0",
        "2019-10-17T12:00:00.",
        "2019-10-17T12:00:00Q",
        "2019-10-17T12:00+1",
        "2019-1-17",
        "17-10-2019",
        "10/17/2019",
        "abc",
        "-1",
        "1e12",
    ] {
        assert_eq!(parse(bad), Err(TimeError::Syntax), "{bad}");
    }
    assert_eq!(parse(""), Err(TimeError::Empty));
}

#[test]
fn epoch_units_are_told_by_magnitude() {
    // Seconds below 1e11 (up to 5138-11-16T09:46:39Z).
    assert_eq!(parse("0"), Ok(0));
    assert_eq!(parse("1571270400"), Ok(OCT_17));
    assert_eq!(parse("99999999999"), Ok(99_999_999_999_000));
    // Milliseconds from 1e11 (1973-03-03T09:46:40Z) below 1e14.
    assert_eq!(parse("100000000000"), Ok(100_000_000_000));
    assert_eq!(parse("1571270400000"), Ok(OCT_17));
    assert_eq!(parse("99999999999999"), Ok(99_999_999_999_999));
    // Microseconds from 1e14 below 1e17; they must be whole milliseconds.
    assert_eq!(parse("100000000000000"), Ok(100_000_000_000));
    assert_eq!(parse("1571270400000000"), Ok(OCT_17));
    assert_eq!(parse("1571270400000001"), Err(TimeError::SubMillisecond));
    // Nanoseconds from 1e17.
    assert_eq!(parse("100000000000000000"), Ok(100_000_000_000));
    assert_eq!(parse("1571270400000000000"), Ok(OCT_17));
    assert_eq!(parse("1571270400000000100"), Err(TimeError::SubMillisecond));
    assert_eq!(parse("99999999999999999999999"), Err(TimeError::Syntax));
}

#[test]
fn epoch_fractions_must_be_whole_milliseconds() {
    assert_eq!(parse("1571270400.5"), Ok(OCT_17 + 500));
    assert_eq!(parse("1571270400.000"), Ok(OCT_17));
    assert_eq!(parse("1571270400.123000000000"), Ok(OCT_17 + 123));
    assert_eq!(parse("1571270400000.0"), Ok(OCT_17));
    assert_eq!(parse("1571270400.0001"), Err(TimeError::SubMillisecond));
    assert_eq!(parse("1571270400000.5"), Err(TimeError::SubMillisecond));
    assert_eq!(parse("1571270400."), Err(TimeError::Syntax));
    assert_eq!(parse("1571270400.5.5"), Err(TimeError::Syntax));
}

proptest! {
    #[test]
    fn rendered_times_parse_back(seconds in 0_i64..4_102_444_800, style in 0_usize..TimeStyle::ALL.len()) {
        let style = TimeStyle::ALL[style];
        // Whole minutes, hours or days as the style can write them.
        let ms = match style {
            TimeStyle::Date => seconds / 86_400 * 86_400_000,
            TimeStyle::AmPm => seconds / 3_600 * HOUR,
            TimeStyle::IsoOffset => seconds / 60 * 60_000,
            _ => seconds * 1_000,
        };
        // Seconds before 1973-03-03 would read as milliseconds, and so on.
        let ms = match style {
            TimeStyle::Millis | TimeStyle::Micros => ms.max(100_000_000_000),
            _ => ms,
        };
        let text = style.render(ms);
        prop_assert_eq!(parse(&text), Ok(ms), "{}", text);
    }

    #[test]
    fn any_text_parses_or_fails_without_panicking(text in "\\PC{0,40}") {
        let _ = parse(&text);
    }

    #[test]
    fn date_like_text_parses_or_fails_without_panicking(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]?[0-9:.+\\-APMZ ]{0,16}") {
        let _ = parse(&text);
    }
}
