//! Authentication cost, in process.
//!
//! - `cached_key`: a bearer key whose record is cached: format and checksum,
//!   the HMAC lookup hash, the cache read, and the expiry, revocation,
//!   suspension and allowlist checks. The future is polled once and must be
//!   ready: the cached path never waits.
//! - `cache_miss`: the same after the cache was emptied, so the key and its
//!   account are read from SQLite.
//! - `hmac_sha256_baseline`: one HMAC-SHA256 of the key string, the floor
//!   under any lookup that keeps no plaintext key, measured in the same run.
//!
//! Run with `cargo bench -p altgate-server --bench auth`.

use std::future::Future;
use std::hint::black_box;
use std::net::IpAddr;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use altgate_server::{Config, Platform, SystemClock};
use criterion::{Criterion, criterion_group, criterion_main};

fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the cached path must not wait"),
    }
}

fn authentication(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config { data_dir: dir.path().to_owned(), ..Config::default() };
    let platform = runtime.block_on(Platform::open(config, Arc::new(SystemClock))).expect("platform");
    let admin = runtime.block_on(platform.bootstrap_admin()).expect("bootstrap");
    let ip = IpAddr::from([127, 0, 0, 1]);
    runtime.block_on(platform.authenticate(&admin.key, ip)).expect("the key authenticates");

    let mut group = c.benchmark_group("auth");
    group.bench_function("cached_key", |b| {
        b.iter(|| ready(platform.authenticate(black_box(&admin.key), ip)).expect("authenticated"));
    });
    group.bench_function("cache_miss", |b| {
        b.iter(|| {
            platform.forget_cached_keys();
            runtime.block_on(platform.authenticate(black_box(&admin.key), ip)).expect("authenticated")
        });
    });
    let pepper = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[7; 32]);
    group.bench_function("hmac_sha256_baseline", |b| {
        b.iter(|| ring::hmac::sign(&pepper, black_box(admin.key.as_bytes())));
    });
    group.finish();
    runtime.block_on(platform.close());
}

criterion_group!(benches, authentication);
criterion_main!(benches);
