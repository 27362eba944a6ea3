//! The whole request path in process: the service's router with its
//! middleware, called without a socket, so the user-space cost of each kind
//! of request shows without the kernel's share or the network's noise.
//!
//! - `healthz`: `GET /healthz`, no key: the baseline of the HTTP target.
//! - `bearer`: `GET /v1/assets/bitcoin` with the operator's key as a bearer.
//! - `signed`: the same request freshly signed (a new nonce each; signing
//!   happens outside the measurement).
//!
//! The operator's account has its limits lifted, so no request is refused.
//! The allocator is the server's (mimalloc).
//! Run with `cargo bench -p altgate-server --bench request_path`.

use std::sync::atomic::{AtomicU64, Ordering};

use altgate_protocol::UpdateAccountRequest;
use altgate_protocol::signing::{CanonicalRequest, HmacSigner, canonical_string};
use altgate_server::{Application, Clock, Config, Operator, SystemClock};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

const ASSET: &str = "/v1/assets/bitcoin";

/// The server's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn request_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config { data_dir: dir.path().to_owned(), listen: ([127, 0, 0, 1], 0).into(), ..Config::default() };
    let app = runtime.block_on(Application::build(config)).expect("application");
    let admin = runtime.block_on(app.platform().bootstrap_admin()).expect("bootstrap");
    let lifted = UpdateAccountRequest {
        rate_per_minute: Some(Some(u32::MAX)),
        monthly_quota: Some(Some(u64::MAX / 4)),
        ..UpdateAccountRequest::default()
    };
    runtime.block_on(Operator(app.platform()).update_account(&admin.account_id, lifted)).expect("limits lifted");
    let router = app.router();
    let call = |request: Request<Body>| {
        let response = runtime.block_on(router.clone().oneshot(request)).expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
    };

    let bearer = format!("Bearer {}", admin.key);
    let signer = HmacSigner::new(&admin.key);
    let key_id = admin.key_id.to_string();
    let counter = AtomicU64::new(0);
    let signed = || {
        let nonce = format!("bench-{:016}", counter.fetch_add(1, Ordering::Relaxed));
        let timestamp_ms = SystemClock.now_ms();
        let canonical = canonical_string(&CanonicalRequest {
            key_id: &key_id,
            timestamp_ms,
            nonce: &nonce,
            method: "GET",
            path: ASSET,
            query: "",
            body: b"",
            sequence: None,
        });
        Request::get(ASSET)
            .header("x-ag-key-id", &key_id)
            .header("x-ag-timestamp", timestamp_ms.to_string())
            .header("x-ag-nonce", nonce)
            .header("x-ag-signature", signer.sign(&canonical))
            .body(Body::empty())
            .expect("request")
    };

    let kinds: [(&str, &dyn Fn() -> Request<Body>); 3] = [
        ("healthz", &|| Request::get("/healthz").body(Body::empty()).expect("request")),
        ("bearer", &|| Request::get(ASSET).header("authorization", &bearer).body(Body::empty()).expect("request")),
        ("signed", &signed),
    ];
    let mut group = c.benchmark_group("request_path");
    for (name, request) in kinds {
        group.bench_function(name, |b| b.iter_batched(request, call, BatchSize::SmallInput));
    }
    group.finish();
}

criterion_group!(benches, request_path);
criterion_main!(benches);
