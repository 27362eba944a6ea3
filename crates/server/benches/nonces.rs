//! Replay-nonce store cost, in process, with the default configuration
//! (120 s retention, 16 shards).
//!
//! - `claim_fresh`: a claim of a new nonce with the default 30-s window
//!   into a store holding 1,000,000 live nonces of that window. The clock
//!   advances 30 ms per 1,000 claims (1,000,000 per window), so the store
//!   stays in a steady state of 1.0 to 2.0 million (a nonce is held 30 to
//!   60 s), and the cost of dropping expired buckets is included, amortised.
//! - `claim_fresh_120s_window`: the same with the widest window a key may
//!   have, 120 s (1,000,000 claims per 120 s; held 120 to 150 s).
//! - `claim_repeat`: a claim of a nonce already held, refused.
//!
//! Before each, it prints the memory per live nonce at 1,000,000: the
//! store's own estimate (`memory_bytes / len`) and the growth of the
//! process's resident set divided by the count. Futures are polled once and
//! must be ready: the memory store never waits.
//!
//! Run with `cargo bench -p altgate-server --bench nonces`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use altgate_server::replay::{MemoryNonceConfig, MemoryNonceStore, NonceClaim, NonceStore};
use criterion::{Criterion, criterion_group, criterion_main};

/// Live nonces before the measurements.
const LIVE: u64 = 1_000_000;
/// The key id of every claim.
const KEY: &str = "key_01JQ7ZK3N8W5V4YB";
/// The service clock at the start.
const START_MS: i64 = 1_750_000_000_000;
/// The default freshness window of a key.
const WINDOW_MS: i64 = 30_000;

fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the memory store must not wait"),
    }
}

/// A distinct 22-character nonce for each `n`, written into `buffer`.
fn nonce(n: u64, buffer: &mut [u8; 22]) -> &str {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    buffer[..11].copy_from_slice(b"benchnonce_");
    for (i, byte) in buffer[11..].iter_mut().enumerate() {
        *byte = DIGITS[((n >> (6 * i)) & 63) as usize];
    }
    std::str::from_utf8(buffer).expect("ASCII")
}

/// The process's resident set, in bytes.
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).and_then(|field| field.parse().ok()).expect("resident pages");
    pages * 4096
}

/// Fills a store with `LIVE` nonces of `window_ms` whose timestamps are
/// spread evenly over the window before `START_MS`, and prints the memory
/// they take.
#[allow(clippy::print_stdout)]
fn filled_store(window_ms: i64) -> MemoryNonceStore {
    let before = resident_bytes();
    let store = MemoryNonceStore::new(MemoryNonceConfig::default());
    let mut buffer = [0; 22];
    for n in 0..LIVE {
        let timestamp_ms = START_MS - window_ms + (n as i64 * window_ms) / LIVE as i64;
        let claim = NonceClaim { key_id: KEY, nonce: nonce(n, &mut buffer), timestamp_ms, window_ms };
        assert_eq!(ready(store.claim(&[claim], START_MS)).expect("room"), [true]);
    }
    let grown = resident_bytes().saturating_sub(before);
    println!(
        "nonces/memory ({} s window): {} live, estimated {:.1} bytes per nonce, resident set grew {:.1} bytes per nonce",
        window_ms / 1_000,
        store.len(),
        store.memory_bytes() as f64 / store.len() as f64,
        grown as f64 / LIVE as f64,
    );
    store
}

fn nonces(c: &mut Criterion) {
    let mut group = c.benchmark_group("nonces");
    let mut buffer = [0; 22];
    // Both stores are filled before either is timed: a store filled after
    // another was dropped would take memory the allocator kept, and its
    // resident-set growth would read as nothing.
    let stores = [("claim_fresh", WINDOW_MS), ("claim_fresh_120s_window", 120_000)]
        .map(|(name, window_ms)| (name, window_ms, filled_store(window_ms)));
    for (name, window_ms, store) in stores {
        let mut next = LIVE;
        group.bench_function(name, |b| {
            b.iter(|| {
                // `LIVE` claims per window.
                let now_ms = START_MS + (next - LIVE) as i64 * window_ms / LIVE as i64;
                let nonce = nonce(next, &mut buffer);
                let claim = NonceClaim { key_id: KEY, nonce, timestamp_ms: now_ms, window_ms };
                next += 1;
                let answers = ready(store.claim(black_box(&[claim]), now_ms)).expect("room");
                assert!(answers[0], "a new nonce is fresh");
            });
        });
        if window_ms == WINDOW_MS {
            let now_ms = START_MS + (next - LIVE) as i64 * window_ms / LIVE as i64;
            let held = NonceClaim { key_id: KEY, nonce: "benchmark-repeated-nonce", timestamp_ms: now_ms, window_ms };
            assert_eq!(ready(store.claim(&[held], now_ms)).expect("room"), [true]);
            group.bench_function("claim_repeat", |b| {
                b.iter(|| {
                    let answers = ready(store.claim(black_box(&[held]), now_ms)).expect("answered");
                    assert!(!answers[0], "a held nonce is a repeat");
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, nonces);
criterion_main!(benches);
