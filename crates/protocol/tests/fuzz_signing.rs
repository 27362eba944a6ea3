//! Fuzz targets for the signing scheme's parsers and canonicaliser.
//!
//! Under `cargo test` each target runs as a short random smoke test (this
//! is what CI runs). For a real fuzzing session with coverage guidance, run
//! one with bolero's libFuzzer engine (needs a nightly toolchain):
//!
//! ```sh
//! cargo bolero test -p altgate-protocol --test fuzz_signing header_parsing_never_panics_and_round_trips
//! ```

use altgate_protocol::signing::{
    CanonicalRequest, KEY_ID_HEADER, NONCE_HEADER, SEQUENCE_HEADER, SIGNATURE_HEADER, SignatureHeaders,
    TIMESTAMP_HEADER, canonical_query, canonical_string,
};

const NAMES: [&str; 5] = [KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER, SEQUENCE_HEADER];

/// Any header values: parsing never panics, and whatever parses is of the
/// documented form.
#[test]
fn header_parsing_never_panics_and_round_trips() {
    bolero::check!().with_type::<[Option<Vec<u8>>; 5]>().for_each(|values| {
        let lookup = |name: &str| NAMES.iter().position(|n| *n == name).and_then(|i| values[i].as_deref());
        if let Ok(parsed) = SignatureHeaders::parse(lookup) {
            assert!(parsed.key_id.starts_with("key_"));
            assert!((16..=64).contains(&parsed.nonce.len()));
            assert!(parsed.timestamp_ms >= 0);
            assert!(parsed.signature().len() <= 64);
            // The timestamp header is the canonical decimal of the number.
            assert_eq!(values[1].as_deref(), Some(parsed.timestamp_ms.to_string().as_bytes()));
        }
    });
}

/// Any raw query: canonicalising never panics, is idempotent, and yields
/// only unreserved characters, escapes and separators.
#[test]
fn canonical_queries_are_total_and_idempotent() {
    bolero::check!().with_type::<String>().for_each(|raw| {
        let once = canonical_query(raw);
        assert_eq!(canonical_query(&once), once);
        assert!(once.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)));
    });
}

/// Any request parts: the canonical string has its nine (or eight) lines
/// and starts with the scheme.
#[test]
fn canonical_strings_are_total() {
    bolero::check!().with_type::<(String, i64, String, String, String, String, Vec<u8>, Option<u64>)>().for_each(
        |(key_id, timestamp_ms, nonce, method, path, query, body, sequence)| {
            let canonical = canonical_string(&CanonicalRequest {
                key_id,
                timestamp_ms: *timestamp_ms,
                nonce,
                method,
                path,
                query,
                body,
                sequence: *sequence,
            });
            assert!(canonical.starts_with("AG1\n"));
            let body_hash =
                if sequence.is_some() { canonical.rsplit('\n').nth(1) } else { canonical.rsplit('\n').next() };
            assert_eq!(body_hash.map(str::len), Some(64));
        },
    );
}
