//! Reading server messages with as little work as a fan-out measurement
//! allows: `seq` and `type` from every message, `updated_at` from tickers,
//! and a full JSON parse only for the rare control messages.

use std::borrow::Cow;

use serde::Deserialize;

/// What a server message is, by its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Ready,
    Subscribed,
    Unsubscribed,
    Ticker,
    Candle,
    Pong,
    Error,
    /// A type this version does not know (the server may be newer).
    Other,
}

impl Kind {
    /// Every kind, in the order of their counters.
    pub(crate) const ALL: [Kind; 8] = [
        Kind::Ready,
        Kind::Subscribed,
        Kind::Unsubscribed,
        Kind::Ticker,
        Kind::Candle,
        Kind::Pong,
        Kind::Error,
        Kind::Other,
    ];

    fn from_type(name: &str) -> Kind {
        match name {
            "ticker" => Kind::Ticker,
            "candle" => Kind::Candle,
            "ready" => Kind::Ready,
            "subscribed" => Kind::Subscribed,
            "unsubscribed" => Kind::Unsubscribed,
            "pong" => Kind::Pong,
            "error" => Kind::Error,
            _ => Kind::Other,
        }
    }

    /// The `type` on the wire (`other` for unknown types).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Ready => "ready",
            Kind::Subscribed => "subscribed",
            Kind::Unsubscribed => "unsubscribed",
            Kind::Ticker => "ticker",
            Kind::Candle => "candle",
            Kind::Pong => "pong",
            Kind::Error => "error",
            Kind::Other => "other",
        }
    }

    /// The index of this kind's counter.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The part of a server message every message needs read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    /// The message's number on its connection.
    pub(crate) seq: u64,
    /// Its type.
    pub(crate) kind: Kind,
    /// The whole message, for the fields a kind needs.
    pub(crate) text: &'a str,
}

/// Reads `seq` and `type`; `None` when `text` is not a server message.
///
/// The server writes `{"seq":N,"type":"…",…}`, so that prefix is read
/// directly; any other layout of a JSON object with both fields is accepted
/// through a full parse.
pub(crate) fn header(text: &str) -> Option<Header<'_>> {
    fast_header(text).or_else(|| slow_header(text))
}

fn fast_header(text: &str) -> Option<Header<'_>> {
    let rest = text.strip_prefix(r#"{"seq":"#)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    // More than 19 digits may overflow; leave those to the full parse.
    if digits == 0 || digits > 19 {
        return None;
    }
    let seq = rest[..digits].parse().ok()?;
    let rest = rest[digits..].strip_prefix(r#","type":""#)?;
    let name = &rest[..rest.find('"')?];
    // A name with an escape is not one this parser can compare.
    if name.contains('\\') {
        return None;
    }
    Some(Header { seq, kind: Kind::from_type(name), text })
}

fn slow_header(text: &str) -> Option<Header<'_>> {
    #[derive(Deserialize)]
    struct Loose<'a> {
        seq: u64,
        #[serde(rename = "type", borrow)]
        kind: Cow<'a, str>,
    }
    let loose: Loose<'_> = serde_json::from_str(text).ok()?;
    Some(Header { seq: loose.seq, kind: Kind::from_type(&loose.kind), text })
}

/// The `code` of an `error` message, or `unknown`.
pub(crate) fn error_code(text: &str) -> String {
    #[derive(Deserialize)]
    struct ErrorMessage {
        code: String,
    }
    serde_json::from_str::<ErrorMessage>(text).map_or_else(|_| "unknown".to_owned(), |m| m.code)
}

/// A ticker's `updated_at`, in Unix milliseconds; `None` when it has none
/// or it is not a time.
pub(crate) fn ticker_updated_at_ms(text: &str) -> Option<i64> {
    const FIELD: &str = r#""updated_at":""#;
    let start = text.find(FIELD)? + FIELD.len();
    let rest = &text[start..];
    let value = &rest[..rest.find('"')?];
    parse_utc_millis(value)
}

/// Parses an RFC 3339 time to Unix milliseconds. The server's own form,
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, is read by hand; anything else (other
/// precisions, offsets) goes through the protocol's full parser.
pub(crate) fn parse_utc_millis(value: &str) -> Option<i64> {
    fast_utc_millis(value.as_bytes())
        .or_else(|| altgate_protocol::Timestamp::parse(value).ok().map(altgate_protocol::Timestamp::as_millis))
}

/// Days before the first of each month in a common year.
const DAYS_BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Leap years from year 1 up to, not including, `year` (for `year` ≥ 1).
fn leap_years_before(year: i64) -> i64 {
    let y = year - 1;
    y / 4 - y / 100 + y / 400
}

fn fast_utc_millis(b: &[u8]) -> Option<i64> {
    // 0123456789012345678901234
    // 2026-11-28T10:00:00.123Z
    if b.len() != 24 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[19] != b'.' || b[23] != b'Z' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second, milli) = (number(11, 13)?, number(14, 16)?, number(17, 19)?, number(20, 23)?);
    if year < 1970 || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let month_index = usize::try_from(month - 1).ok()?;
    let leap_day = i64::from(month > 2 && is_leap_year(year));
    let days_in_month = match month {
        2 => 28 + i64::from(is_leap_year(year)),
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    let days = 365 * (year - 1970) + leap_years_before(year) - leap_years_before(1970)
        + DAYS_BEFORE_MONTH[month_index]
        + leap_day
        + day
        - 1;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(seconds * 1_000 + milli)
}

#[cfg(test)]
mod tests {
    use altgate_protocol::Timestamp;

    use super::*;

    #[test]
    fn the_server_layout_is_read_without_a_json_parse() {
        let text =
            r#"{"seq":42,"type":"ticker","channel":"ticker:bitcoin","data":{"updated_at":"2026-11-28T06:35:29.123Z"}}"#;
        let h = fast_header(text).unwrap();
        assert_eq!((h.seq, h.kind), (42, Kind::Ticker));
        assert_eq!(ticker_updated_at_ms(h.text), Some(1_795_847_729_123));
        let candle = r#"{"seq":7,"type":"candle","channel":"candles:bitcoin:1m","closed":false,"data":{}}"#;
        assert_eq!(header(candle).map(|h| (h.seq, h.kind)), Some((7, Kind::Candle)));
        assert_eq!(header(r#"{"seq":1,"type":"future_thing"}"#).map(|h| h.kind), Some(Kind::Other));
    }

    #[test]
    fn other_layouts_fall_back_to_a_full_parse() {
        let reordered = r#"{ "type": "pong", "seq": 9 }"#;
        assert!(fast_header(reordered).is_none());
        assert_eq!(header(reordered).map(|h| (h.seq, h.kind)), Some((9, Kind::Pong)));
        let escaped = r#"{"seq":3,"type":"p\u006fng"}"#;
        assert_eq!(header(escaped).map(|h| (h.seq, h.kind)), Some((3, Kind::Pong)));
        let huge = r#"{"seq":18446744073709551615,"type":"pong"}"#;
        assert_eq!(header(huge).map(|h| h.seq), Some(u64::MAX));
        for bad in ["", "{}", r#"{"seq":-1,"type":"pong"}"#, r#"{"seq":1}"#, r#"{"type":"pong"}"#, "[1]", "{\"seq\":1,"]
        {
            assert_eq!(header(bad), None, "{bad}");
        }
    }

    #[test]
    fn error_messages_give_their_code() {
        let text = r#"{"seq":3,"type":"error","code":"asset_not_found","detail":"no asset has the id `x`"}"#;
        assert_eq!(header(text).map(|h| h.kind), Some(Kind::Error));
        assert_eq!(error_code(text), "asset_not_found");
        assert_eq!(error_code(r#"{"seq":3,"type":"error"}"#), "unknown");
    }

    #[test]
    fn hand_parsed_times_agree_with_the_protocol_parser() {
        // Every ~3.1 days plus an odd number of ms, 1970 to about 2230:
        // every month, leap day and century rule in between.
        let mut ms = 0i64;
        while ms < 8_200_000_000_000 {
            let text = Timestamp::from_millis(ms).to_string();
            assert_eq!(fast_utc_millis(text.as_bytes()), Some(ms), "{text}");
            ms += 271_234_567;
        }
        for text in ["2000-02-29T23:59:59.999Z", "2100-03-01T00:00:00.000Z", "2024-12-31T12:00:00.500Z"] {
            assert_eq!(fast_utc_millis(text.as_bytes()), Timestamp::parse(text).ok().map(Timestamp::as_millis));
        }
    }

    #[test]
    fn impossible_or_unusual_times_are_not_hand_parsed() {
        for text in [
            "2026-02-29T00:00:00.000Z",
            "2100-02-29T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-04-31T00:00:00.000Z",
            "2026-01-01T24:00:00.000Z",
            "1969-12-31T23:59:59.999Z",
            "2026-01-01T00:00:00.00xZ",
            "2026-01-01 00:00:00.000Z",
        ] {
            assert_eq!(fast_utc_millis(text.as_bytes()), None, "{text}");
        }
        // Other RFC 3339 forms still parse, through the full parser.
        assert_eq!(parse_utc_millis("2026-11-28T07:35:29.123+01:00"), Some(1_795_847_729_123));
        assert_eq!(parse_utc_millis("2026-11-28T06:35:29Z"), Some(1_795_847_729_000));
        assert_eq!(parse_utc_millis("yesterday"), None);
        assert_eq!(ticker_updated_at_ms(r#"{"seq":1,"type":"ticker","data":{}}"#), None);
    }
}
