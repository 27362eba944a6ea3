//! The signature headers and their parsing.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::KeyId;

/// The public key id.
pub const KEY_ID_HEADER: &str = "x-ag-key-id";
/// Unix milliseconds.
pub const TIMESTAMP_HEADER: &str = "x-ag-timestamp";
/// 16–64 characters of `[A-Za-z0-9_-]`, unique per key within the window.
pub const NONCE_HEADER: &str = "x-ag-nonce";
/// The signature, base64url without padding.
pub const SIGNATURE_HEADER: &str = "x-ag-signature";
/// Optional: a u64 that must increase with every request (sequence mode).
pub const SEQUENCE_HEADER: &str = "x-ag-sequence";

/// The bytes a nonce may hold, `A-Z a-z 0-9 _ -`, as a table: checking a
/// nonce is on every signed request's path.
static NONCE_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        byte += 1;
    }
    table
};

/// A request nonce: 16 to 64 characters of `A-Z a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nonce(String);

impl Nonce {
    /// Parses a nonce.
    pub fn parse(s: &str) -> Result<Nonce, SignatureHeaderError> {
        Nonce::check(s).map(|()| Nonce(s.to_owned()))
    }

    /// Checks the form of a nonce without copying it.
    pub fn check(s: &str) -> Result<(), SignatureHeaderError> {
        let ok = (16..=64).contains(&s.len()) && s.bytes().all(|b| NONCE_BYTES[usize::from(b)]);
        if ok { Ok(()) } else { Err(SignatureHeaderError::Nonce) }
    }

    /// The nonce as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh 32-character nonce from 24 bytes of CSPRNG output.
    pub fn from_entropy(entropy: &[u8; 24]) -> Nonce {
        Nonce(URL_SAFE_NO_PAD.encode(entropy))
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why the signature headers were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureHeaderError {
    /// A required header is absent.
    #[error("the `{0}` header is missing")]
    Missing(&'static str),
    /// A header is present but malformed.
    #[error("the `{0}` header is malformed")]
    Malformed(&'static str),
    /// The nonce is not 16–64 characters of `[A-Za-z0-9_-]`.
    #[error("the nonce must be 16 to 64 characters of A-Z a-z 0-9 _ -")]
    Nonce,
}

/// The parsed signature headers of a request, borrowing the header values
/// (the server parses them on every signed request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders<'h> {
    /// `X-AG-Key-Id`, of the key id form.
    pub key_id: &'h str,
    /// `X-AG-Timestamp`, Unix ms.
    pub timestamp_ms: i64,
    /// `X-AG-Nonce`, of the nonce form.
    pub nonce: &'h str,
    signature: [u8; 64],
    signature_len: usize,
    /// `X-AG-Sequence`, when sent.
    pub sequence: Option<u64>,
}

impl<'h> SignatureHeaders<'h> {
    /// Whether a request carries a signature at all (then it is treated as
    /// signed, and must be well-formed).
    pub fn present(header: impl Fn(&str) -> Option<&'h [u8]>) -> bool {
        header(SIGNATURE_HEADER).is_some()
    }

    /// Parses the headers, looked up by lowercase name.
    pub fn parse(header: impl Fn(&str) -> Option<&'h [u8]>) -> Result<SignatureHeaders<'h>, SignatureHeaderError> {
        let text = |name: &'static str| -> Result<&'h str, SignatureHeaderError> {
            let raw = header(name).ok_or(SignatureHeaderError::Missing(name))?;
            std::str::from_utf8(raw).map_err(|_| SignatureHeaderError::Malformed(name))
        };
        let key_id = text(KEY_ID_HEADER)?;
        KeyId::check(key_id).map_err(|_| SignatureHeaderError::Malformed(KEY_ID_HEADER))?;
        let timestamp = text(TIMESTAMP_HEADER)?;
        let timestamp_ms = digits(timestamp)
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or(SignatureHeaderError::Malformed(TIMESTAMP_HEADER))?;
        let nonce = text(NONCE_HEADER)?;
        Nonce::check(nonce)?;
        // Checked byte by byte as it is decoded, so no UTF-8 check first.
        let encoded = header(SIGNATURE_HEADER).ok_or(SignatureHeaderError::Missing(SIGNATURE_HEADER))?;
        let mut signature = [0u8; 64];
        // 86 characters decode to the 64 bytes of the largest signature.
        if encoded.len() > 86 {
            return Err(SignatureHeaderError::Malformed(SIGNATURE_HEADER));
        }
        let signature_len = super::base64url::decode(encoded, &mut signature)
            .ok_or(SignatureHeaderError::Malformed(SIGNATURE_HEADER))?;
        let sequence = match header(SEQUENCE_HEADER) {
            None => None,
            Some(raw) => Some(
                std::str::from_utf8(raw)
                    .ok()
                    .and_then(digits)
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or(SignatureHeaderError::Malformed(SEQUENCE_HEADER))?,
            ),
        };
        Ok(SignatureHeaders { key_id, timestamp_ms, nonce, signature, signature_len, sequence })
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature[..self.signature_len]
    }
}

/// `s` if it is 1 to 20 ASCII digits without a leading zero (so the text
/// signed and the number parsed cannot differ).
fn digits(s: &str) -> Option<&str> {
    let canonical = s == "0" || !s.starts_with('0');
    ((1..=20).contains(&s.len()) && canonical && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// The parsed headers' owned parts, to compare.
    type Parsed = (String, i64, String, Vec<u8>, Option<u64>);

    fn parse(pairs: &[(&str, &str)]) -> Result<Parsed, SignatureHeaderError> {
        let map: HashMap<String, Vec<u8>> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec())).collect();
        SignatureHeaders::parse(|name| map.get(name).map(Vec::as_slice))
            .map(|h| (h.key_id.to_owned(), h.timestamp_ms, h.nonce.to_owned(), h.signature().to_vec(), h.sequence))
    }

    const GOOD: [(&str, &str); 4] = [
        (KEY_ID_HEADER, "key_3XfN8bQ2LrT7"),
        (TIMESTAMP_HEADER, "1764316800123"),
        (NONCE_HEADER, "n0nce-Xy7_abcdefGH"),
        (SIGNATURE_HEADER, "_DRb9jmsoc-F4dus2edyL1JpgevissEvprgj97Imle4"),
    ];

    #[test]
    fn well_formed_headers_parse() {
        let (key_id, timestamp_ms, nonce, signature, sequence) = parse(&GOOD).unwrap();
        assert_eq!(key_id, "key_3XfN8bQ2LrT7");
        assert_eq!(timestamp_ms, 1_764_316_800_123);
        assert_eq!(nonce, "n0nce-Xy7_abcdefGH");
        assert_eq!(signature.len(), 32);
        assert_eq!(sequence, None);
        let mut with_sequence = GOOD.to_vec();
        with_sequence.push((SEQUENCE_HEADER, "42"));
        assert_eq!(parse(&with_sequence).unwrap().4, Some(42));
    }

    #[test]
    fn each_bad_header_is_named() {
        let with = |name: &str, value: &'static str| {
            let mut pairs = GOOD.to_vec();
            pairs.retain(|(n, _)| *n != name);
            pairs.push((Box::leak(name.to_owned().into_boxed_str()), value));
            parse(&pairs)
        };
        assert_eq!(with(KEY_ID_HEADER, "bogus"), Err(SignatureHeaderError::Malformed(KEY_ID_HEADER)));
        assert_eq!(with(TIMESTAMP_HEADER, "-5"), Err(SignatureHeaderError::Malformed(TIMESTAMP_HEADER)));
        assert_eq!(with(TIMESTAMP_HEADER, "12.5"), Err(SignatureHeaderError::Malformed(TIMESTAMP_HEADER)));
        assert_eq!(with(TIMESTAMP_HEADER, "01764316800123"), Err(SignatureHeaderError::Malformed(TIMESTAMP_HEADER)));
        assert_eq!(with(SEQUENCE_HEADER, "007"), Err(SignatureHeaderError::Malformed(SEQUENCE_HEADER)));
        assert_eq!(with(NONCE_HEADER, "short"), Err(SignatureHeaderError::Nonce));
        assert_eq!(with(NONCE_HEADER, "has space in it!!"), Err(SignatureHeaderError::Nonce));
        assert_eq!(with(SIGNATURE_HEADER, "not+base64url="), Err(SignatureHeaderError::Malformed(SIGNATURE_HEADER)));
        assert_eq!(with(SEQUENCE_HEADER, "x"), Err(SignatureHeaderError::Malformed(SEQUENCE_HEADER)));
        let missing: Vec<_> = GOOD.iter().copied().filter(|(n, _)| *n != NONCE_HEADER).collect();
        assert_eq!(parse(&missing), Err(SignatureHeaderError::Missing(NONCE_HEADER)));
    }

    #[test]
    fn a_nonce_holds_exactly_the_documented_bytes() {
        for byte in 0..=255u8 {
            let nonce = String::from_utf8(vec![byte; 16]).unwrap_or_default();
            let allowed = byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-';
            assert_eq!(Nonce::check(&nonce).is_ok(), allowed, "byte {byte}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_header_values_never_panic(values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 5)) {
            let names = [KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER, SEQUENCE_HEADER];
            let _ = SignatureHeaders::parse(|name| names.iter().position(|n| *n == name).map(|i| values[i].as_slice()));
        }
    }
}
