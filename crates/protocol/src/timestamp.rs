//! Instants on the wire.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An instant, held as Unix milliseconds (UTC).
///
/// Serialised as an RFC 3339 string (`2026-11-28T06:35:29.123Z`); accepted
/// as such a string or as an integer of Unix milliseconds, here and
/// everywhere else in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = DateTime, example = "2026-11-28T06:35:29.123Z"))]
pub struct Timestamp(i64);

/// Why a value is not an instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an RFC 3339 time such as 2026-01-31T12:00:00Z, or Unix milliseconds")]
pub struct InvalidTimestamp;

impl Timestamp {
    /// The instant `ms` milliseconds after the Unix epoch.
    pub const fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339 (any offset, normalised to UTC) or integer milliseconds.
    pub fn parse(s: &str) -> Result<Timestamp, InvalidTimestamp> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return s.parse().map(Timestamp).map_err(|_| InvalidTimestamp);
        }
        let instant: jiff::Timestamp = s.parse().map_err(|_| InvalidTimestamp)?;
        Ok(Timestamp(instant.as_millisecond()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(instant) => write!(f, "{instant:.3}"),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either<'a> {
            Millis(i64),
            Text(std::borrow::Cow<'a, str>),
        }
        match Either::deserialize(deserializer)? {
            Either::Millis(ms) => Ok(Timestamp(ms)),
            Either::Text(text) => Timestamp::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_and_millis_both_parse_and_print_as_rfc3339() {
        let t = Timestamp::parse("2026-11-28T06:35:29.123Z").unwrap();
        assert_eq!(t.as_millis(), 1_795_847_729_123);
        assert_eq!(Timestamp::parse("1795847729123"), Ok(t));
        assert_eq!(Timestamp::parse("2026-11-28T07:35:29.123+01:00"), Ok(t));
        assert_eq!(t.to_string(), "2026-11-28T06:35:29.123Z");
        assert_eq!(Timestamp::from_millis(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2026-11-28T06:35:29.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>("1795847729123").unwrap(), t);
        assert_eq!(serde_json::from_str::<Timestamp>("\"2026-11-28T06:35:29.123Z\"").unwrap(), t);
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "12:00"] {
            assert_eq!(Timestamp::parse(bad), Err(InvalidTimestamp), "{bad:?}");
        }
    }
}
