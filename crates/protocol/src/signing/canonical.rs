//! The canonical string of a request.

use std::fmt::Write;

/// The parts of a request that a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalRequest<'a> {
    /// The public key id (`X-AG-Key-Id`).
    pub key_id: &'a str,
    /// Unix milliseconds (`X-AG-Timestamp`).
    pub timestamp_ms: i64,
    /// The nonce (`X-AG-Nonce`).
    pub nonce: &'a str,
    /// The HTTP method, any case; it is uppercased.
    pub method: &'a str,
    /// The path exactly as sent, percent-encoding unchanged.
    pub path: &'a str,
    /// The raw query, without `?`; empty when there is none.
    pub query: &'a str,
    /// The body bytes; empty when there is none.
    pub body: &'a [u8],
    /// `X-AG-Sequence`, when sent.
    pub sequence: Option<u64>,
}

/// The SHA-256 of the empty body, which most requests have.
const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The canonical string of `request` (see the module docs). Built in one
/// allocation: it is on the path of every signed request.
pub fn canonical_string(request: &CanonicalRequest<'_>) -> String {
    let mut out = String::with_capacity(
        140 + request.key_id.len() + request.nonce.len() + request.path.len() + request.query.len() * 3,
    );
    out.push_str("AG1\n");
    out.push_str(request.key_id);
    // Writing to a String cannot fail.
    out.push('\n');
    // `itoa` rather than `fmt`: this runs for every signed request.
    out.push_str(itoa::Buffer::new().format(request.timestamp_ms));
    out.push('\n');
    out.push_str(request.nonce);
    out.push('\n');
    if request.method.bytes().any(|b| b.is_ascii_lowercase()) {
        out.push_str(&request.method.to_ascii_uppercase());
    } else {
        out.push_str(request.method);
    }
    out.push('\n');
    out.push_str(request.path);
    out.push('\n');
    if !request.query.is_empty() {
        out.push_str(&canonical_query(request.query));
    }
    out.push('\n');
    push_sha256_hex(&mut out, request.body);
    if let Some(sequence) = request.sequence {
        let _ = write!(out, "\n{sequence}");
    }
    out
}

/// The lowercase hex SHA-256 of `body`.
pub fn body_sha256_hex(body: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    push_sha256_hex(&mut hex, body);
    hex
}

fn push_sha256_hex(out: &mut String, body: &[u8]) {
    if body.is_empty() {
        out.push_str(EMPTY_BODY_SHA256);
        return;
    }
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    for byte in digest.as_ref() {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
}

/// The canonical query: split on `&` dropping empty parts; split each at
/// its first `=` (none means an empty value); percent-decode name and value
/// with `+` kept as a literal plus; re-encode leaving only `A-Z a-z 0-9 - _ .
/// ~` bare and every other byte as uppercase `%XX`; sort by encoded name,
/// then encoded value, bytewise; join as `name=value` with `&`.
///
/// A `%` not followed by two hex digits is taken literally (and so encoded
/// as `%25`).
pub fn canonical_query(raw: &str) -> String {
    if raw.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (encode(&decode(name)), encode(&decode(value)))
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(raw.len() + 8);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes; `+` stays `+`.
fn decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) =
                (bytes.get(i + 1).and_then(|b| hex_value(*b)), bytes.get(i + 2).and_then(|b| hex_value(*b)))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Percent-encodes everything but the unreserved characters.
fn encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xf)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_documented_query_example() {
        assert_eq!(canonical_query("b=2&a=%c3%a9t%c3%a9&a=1&c=&d=x+y&&e"), "a=%C3%A9t%C3%A9&a=1&b=2&c=&d=x%2By&e=");
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("&&"), "");
        assert_eq!(canonical_query("a=%zz&b=%4"), "a=%25zz&b=%254");
        assert_eq!(canonical_query("x=a=b"), "x=a%3Db");
    }

    #[test]
    fn body_hashes() {
        assert_eq!(body_sha256_hex(b""), EMPTY_BODY_SHA256);
        // The constant is what SHA-256 gives.
        let computed: String =
            ring::digest::digest(&ring::digest::SHA256, b"").as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(computed, EMPTY_BODY_SHA256);
        assert_eq!(body_sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    proptest! {
        /// Canonicalising is idempotent and ignores the order of pairs.
        #[test]
        fn canonical_queries_are_stable(pairs in proptest::collection::vec(("[a-z%+=~ .]{0,6}", "[a-zA-Z0-9%+ ]{0,6}"), 0..6)) {
            let raw: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let once = canonical_query(&raw.join("&"));
            prop_assert_eq!(&canonical_query(&once), &once);
            let mut reversed = raw;
            reversed.reverse();
            prop_assert_eq!(&canonical_query(&reversed.join("&")), &once);
            prop_assert!(once.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)));
        }

        #[test]
        fn arbitrary_queries_never_panic(raw in "\\PC{0,64}") {
            let _ = canonical_query(&raw);
        }
    }
}
