//! The known answers of the scheme, and its property tests.

use proptest::prelude::*;

use super::*;

const KEY_ID: &str = "key_3XfN8bQ2LrT7";
const SECRET: &str = "ag_test_5Q2vUJ9wKx8mRbT3nYc7LpZ4sD6fH1gA0eWqVrXyKjM2oNt9Pi";
const TIMESTAMP: i64 = 1_764_316_800_123;
const NONCE: &str = "n0nce-Xy7_abcdefGH";

fn request<'a>(method: &'a str, path: &'a str, query: &'a str, body: &'a [u8]) -> CanonicalRequest<'a> {
    CanonicalRequest {
        key_id: KEY_ID,
        timestamp_ms: TIMESTAMP,
        nonce: NONCE,
        method,
        path,
        query,
        body,
        sequence: None,
    }
}

#[test]
fn the_two_published_known_answers() {
    let get = canonical_string(&request("GET", "/v1/assets/bitcoin", "", b""));
    assert_eq!(HmacSigner::new(SECRET).sign(&get), "_DRb9jmsoc-F4dus2edyL1JpgevissEvprgj97Imle4");

    let body = br#"{"name":"bot-2","scopes":["read"]}"#;
    let post = request("POST", "/v1/keys", "b=2&a=%c3%a9t%c3%a9&a=1&c=&d=x+y&&e", body);
    let canonical = canonical_string(&post);
    assert_eq!(canonical.lines().nth(6), Some("a=%C3%A9t%C3%A9&a=1&b=2&c=&d=x%2By&e="));
    assert_eq!(HmacSigner::new(SECRET).sign(&canonical), "1OFfW41p4Ti7ogz6CLqMDGYQfuUPoRmbxXfqADH_zxg");
}

#[test]
fn the_canonical_string_has_the_documented_lines() {
    let mut r = request("get", "/v1/x%2Fy", "", b"");
    r.sequence = Some(7);
    let canonical = canonical_string(&r);
    let lines: Vec<&str> = canonical.split('\n').collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(&lines[..6], ["AG1", KEY_ID, "1764316800123", NONCE, "GET", "/v1/x%2Fy"]);
    assert_eq!(lines[6], "");
    assert_eq!(lines[8], "7");
    assert!(!canonical.ends_with('\n'));
}

#[test]
fn ed25519_matches_rfc_8032_test_1() {
    // RFC 8032, section 7.1, TEST 1: the empty message.
    let seed: [u8; 32] = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let signer = Ed25519Signer::from_seed(&seed).unwrap();
    assert_eq!(
        signer.public_key().as_bytes(),
        &hex::<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    );
    let signature = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signer.sign("")).unwrap();
    assert_eq!(
        signature,
        hex::<64>(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
    );
    assert_eq!(Verifier::Ed25519(signer.public_key()).verify(b"", &signature), Ok(()));
    assert_eq!(Verifier::Ed25519(signer.public_key()).verify(b"x", &signature), Err(VerifyError::Mismatch));
}

fn hex<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// A request and every way to change one part of it.
#[derive(Debug, Clone)]
struct Parts {
    key_id: String,
    timestamp_ms: i64,
    nonce: String,
    method: String,
    path: String,
    query: String,
    body: Vec<u8>,
    sequence: Option<u64>,
}

impl Parts {
    fn canonical(&self) -> String {
        canonical_string(&CanonicalRequest {
            key_id: &self.key_id,
            timestamp_ms: self.timestamp_ms,
            nonce: &self.nonce,
            method: &self.method,
            path: &self.path,
            query: &self.query,
            body: &self.body,
            sequence: self.sequence,
        })
    }
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        "key_[A-Za-z0-9]{12}",
        0i64..4_000_000_000_000,
        "[A-Za-z0-9_-]{16,64}",
        prop_oneof![Just("GET"), Just("POST"), Just("DELETE")],
        "/v1/[a-z0-9/%-]{0,20}",
        "([a-z]{1,4}=[a-z0-9%+]{0,4}&?){0,3}",
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(key_id, timestamp_ms, nonce, method, path, query, body, sequence)| Parts {
            key_id,
            timestamp_ms,
            nonce,
            method: method.to_owned(),
            path,
            query,
            body,
            sequence,
        })
}

proptest! {
    /// Changing any one of method, path, query, body, timestamp, nonce, key
    /// id or sequence invalidates the signature.
    #[test]
    fn changing_any_part_invalidates_the_signature(p in parts(), which in 0usize..8, seed in any::<[u8; 32]>()) {
        let mut changed = p.clone();
        match which {
            0 => changed.method = if p.method == "GET" { "POST".into() } else { "GET".into() },
            1 => changed.path.push('x'),
            2 => changed.query.push_str("&zz=1"),
            3 => changed.body.push(0),
            4 => changed.timestamp_ms += 1,
            5 => changed.nonce = if p.nonce.ends_with('a') { format!("{}b", &p.nonce[..p.nonce.len() - 1]) } else { format!("{}a", &p.nonce[..p.nonce.len() - 1]) },
            6 => changed.key_id.push('Z'),
            _ => changed.sequence = Some(p.sequence.map_or(0, |s| s.wrapping_add(1))),
        }
        let hmac = HmacSigner::new(SECRET);
        let signature = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, hmac.sign(&p.canonical())).unwrap();
        let verifier = Verifier::hmac(SECRET.as_bytes());
        prop_assert_eq!(verifier.verify(p.canonical().as_bytes(), &signature), Ok(()));
        prop_assert_eq!(verifier.verify(changed.canonical().as_bytes(), &signature), Err(VerifyError::Mismatch));

        let ed = Ed25519Signer::from_seed(&seed).unwrap();
        let signature = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, ed.sign(&p.canonical())).unwrap();
        let verifier = Verifier::Ed25519(ed.public_key());
        prop_assert_eq!(verifier.verify(p.canonical().as_bytes(), &signature), Ok(()));
        prop_assert_eq!(verifier.verify(changed.canonical().as_bytes(), &signature), Err(VerifyError::Mismatch));
    }
}
