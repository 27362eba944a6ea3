//! The cost of verifying a signed request, against a bare HMAC-SHA256 over
//! the same canonical string measured in the same run.
//!
//! - `hmac_sha256_baseline`: one HMAC-SHA256 of a canonical string, with the
//!   key's pads precomputed (as the server caches them per key).
//! - `verify_and_nonce`: what the server does per signed request once the
//!   key is cached: build the canonical string from the request's parts
//!   (hashing the empty body), verify the HMAC in constant time, and claim
//!   the nonce in the in-memory store as the server does (which holds
//!   ~120,000 live nonces, the clock moving 1 ms per request, so expiry is
//!   included).
//!
//! The requests are signed beforehand and laid out side by side, as a
//! request's headers arrive in one read buffer: scattered over the heap,
//! fetching them cost more than some of the work measured. The allocator
//! is the server's.
//!
//! Run with `cargo bench -p altgate-server --bench signing`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use altgate_protocol::signing::{CanonicalRequest, HmacSigner, Verifier, canonical_string};
use altgate_server::replay::{MemoryNonceConfig, MemoryNonceStore, NonceClaim, claim_one};
use base64::Engine;
use criterion::{Criterion, criterion_group, criterion_main};

const KEY: &str = "ag_live_5Q2vUJ9wKx8mRbT3nYc7LpZ4sD6fH1gA0eWqVrXyKjM2oNt9Pi";
const KEY_ID: &str = "key_3XfN8bQ2LrT7aPq9";
const START_MS: i64 = 1_764_316_800_000;

/// The server's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A request signed beforehand, inline: `bench-nonce-` and 16 digits.
struct Presigned {
    nonce: [u8; 28],
    timestamp_ms: i64,
    signature: [u8; 32],
}

fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the memory store never waits"),
    }
}

fn request(nonce: &str, timestamp_ms: i64) -> CanonicalRequest<'_> {
    CanonicalRequest {
        key_id: KEY_ID,
        timestamp_ms,
        nonce,
        method: "GET",
        path: "/v1/assets/bitcoin",
        query: "",
        body: b"",
        sequence: None,
    }
}

fn signing(c: &mut Criterion) {
    let mut group = c.benchmark_group("signing");
    let canonical = canonical_string(&request("n0nce-Xy7_abcdefGH", START_MS));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, KEY.as_bytes());
    group
        .bench_function("hmac_sha256_baseline", |b| b.iter(|| ring::hmac::sign(&key, black_box(canonical.as_bytes()))));

    let verifier = Verifier::hmac(KEY.as_bytes());
    let signer = HmacSigner::new(KEY);
    let store = MemoryNonceStore::new(MemoryNonceConfig::default());
    // Pre-signed requests with distinct nonces, one per simulated millisecond.
    let signed: Vec<Presigned> = (0..200_000i64)
        .map(|i| {
            let nonce = format!("bench-nonce-{i:016}");
            let timestamp_ms = START_MS + i;
            let signature = signer.sign(&canonical_string(&request(&nonce, timestamp_ms)));
            let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature).expect("base64");
            Presigned {
                nonce: nonce.as_bytes().try_into().expect("28 bytes"),
                timestamp_ms,
                signature: signature.try_into().expect("32 bytes"),
            }
        })
        .collect();
    let mut next = 0usize;
    let mut round = 0i64;
    group.bench_function("verify_and_nonce", |b| {
        b.iter(|| {
            let Presigned { nonce, timestamp_ms: timestamp, signature } = &signed[next];
            let nonce = std::str::from_utf8(nonce).expect("ASCII");
            // Each pass over the requests happens a retention later, so
            // their nonces are fresh again.
            let shift = round * 1_000_000;
            let now = timestamp + shift;
            next += 1;
            if next == signed.len() {
                next = 0;
                round += 1;
            }
            let canonical = canonical_string(&request(nonce, *timestamp));
            verifier.verify(canonical.as_bytes(), signature).expect("a valid signature");
            let claim = NonceClaim { key_id: KEY_ID, nonce, timestamp_ms: timestamp + shift, window_ms: 30_000 };
            let fresh = ready(claim_one(&store, claim, now)).expect("room for the nonce");
            assert!(fresh, "each nonce is fresh");
        });
    });
    group.bench_function("canonical_only", |b| {
        b.iter(|| canonical_string(black_box(&request("n0nce-Xy7_abcdefGH", START_MS))));
    });
    let signature = &signed[0].signature;
    group.bench_function("verify_only", |b| {
        b.iter(|| verifier.verify(black_box(canonical.as_bytes()), signature));
    });
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
