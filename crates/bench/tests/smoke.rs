//! End to end: the load tool against a tiny HTTP/1.1 server started here.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use altgate_bench::{Args, Report, run, run_alternating};
use altgate_protocol::signing::{
    CanonicalRequest, KEY_ID_HEADER, NONCE_HEADER, SIGNATURE_HEADER, SignatureHeaders, TIMESTAMP_HEADER, Verifier,
    canonical_string,
};
use altgate_protocol::{ApiKey, Environment};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY_ID: &str = "key_3XfN8bQ2LrT7";

fn key() -> ApiKey {
    ApiKey::from_entropy(Environment::Test, &[5; 32])
}

/// How the test server answers.
#[derive(Clone, Copy)]
struct Behaviour {
    status: u16,
    /// Close the connection after every response.
    close: bool,
    /// The status of requests without signature headers, when not `status`.
    unsigned_status: Option<u16>,
}

const OK: Behaviour = Behaviour { status: 200, close: false, unsigned_status: None };

/// What the test server saw.
#[derive(Default)]
struct Seen {
    connections: AtomicU64,
    requests: AtomicU64,
    /// Requests carrying all four signature headers.
    signed: AtomicU64,
    /// Signed requests whose signature verifies under [`key`].
    verified: AtomicU64,
    /// Requests without signature headers or whose signature fails.
    unverified: AtomicU64,
}

/// Starts the server on a free port.
async fn serve(behaviour: Behaviour) -> (SocketAddr, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let counters = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counters.connections.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(answer(stream, behaviour, counters.clone()));
        }
    });
    (address, seen)
}

/// Reads requests one after another and answers each; just enough HTTP/1.1
/// for keep-alive GETs and bodies with `content-length`.
async fn answer(mut stream: TcpStream, behaviour: Behaviour, seen: Arc<Seen>) {
    let mut buffer = Vec::new();
    loop {
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8(buffer[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap().split(' ');
        let (method, target) = (request_line.next().unwrap().to_owned(), request_line.next().unwrap().to_owned());
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_bytes());
        let length: usize = header("content-length").map_or(0, |v| std::str::from_utf8(v).unwrap().parse().unwrap());
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buffer.drain(..head_end + length).skip(head_end).collect();

        seen.requests.fetch_add(1, Ordering::Relaxed);
        let signed =
            [KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER].iter().all(|name| header(name).is_some());
        let status = if signed { behaviour.status } else { behaviour.unsigned_status.unwrap_or(behaviour.status) };
        if signed {
            seen.signed.fetch_add(1, Ordering::Relaxed);
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            if let Ok(parsed) = SignatureHeaders::parse(header) {
                let canonical = canonical_string(&CanonicalRequest {
                    key_id: parsed.key_id,
                    timestamp_ms: parsed.timestamp_ms,
                    nonce: parsed.nonce,
                    method: &method,
                    path,
                    query,
                    body: &body,
                    sequence: parsed.sequence,
                });
                let verifier = Verifier::hmac(key().expose_secret().as_bytes());
                if verifier.verify(canonical.as_bytes(), parsed.signature()).is_ok() {
                    seen.verified.fetch_add(1, Ordering::Relaxed);
                } else {
                    seen.unverified.fetch_add(1, Ordering::Relaxed);
                }
            } else {
                seen.unverified.fetch_add(1, Ordering::Relaxed);
            }
        } else {
            seen.unverified.fetch_add(1, Ordering::Relaxed);
        }

        let connection = if behaviour.close { "connection: close\r\n" } else { "" };
        let response = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\n{connection}\r\nok");
        if stream.write_all(response.as_bytes()).await.is_err() || behaviour.close {
            return;
        }
    }
}

/// Runs the tool in process with these flags after `--url` and `--path`.
async fn bench(address: SocketAddr, flags: &[&str]) -> Report {
    let url = format!("http://{address}");
    let base = ["altgate-bench", "--url", &url, "--path", "/v1/assets/bitcoin?vs=usd", "--warmup", "0s"];
    let args = Args::try_parse_from(base.iter().chain(flags)).unwrap();
    run(&args.into_plan().unwrap()).await.unwrap()
}

const SHORT: [&str; 4] = ["--connections", "4", "--duration", "300ms"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_requests_without_credentials() {
    let (address, seen) = serve(OK).await;
    let report = bench(address, &SHORT).await;
    println!("{report}");
    assert!(report.requests > 0);
    assert!(report.errors.is_empty(), "{report}");
    assert!(!report.failed());
    assert_eq!(report.reconnects, 0);
    // Keep-alive: one connection each, many requests on it.
    assert_eq!(seen.connections.load(Ordering::Relaxed), 4);
    assert!(seen.requests.load(Ordering::Relaxed) >= report.requests);
    assert_eq!(seen.signed.load(Ordering::Relaxed), 0);
    assert!(report.latency_us.p50 > 0 && report.latency_us.p50 <= report.latency_us.max);
}

/// Busy polling keeps every runtime thread spinning: the connections must
/// still get their turns, on a runtime with one thread as on one with
/// several.
#[test]
fn busy_polling_still_measures() {
    for threads in [1, 2] {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build().unwrap();
        runtime.block_on(async {
            let (address, seen) = serve(OK).await;
            let report = bench(address, &[&SHORT[..], &["--busy-poll"]].concat()).await;
            assert!(report.requests > 0 && report.errors.is_empty(), "{report}");
            assert_eq!(seen.connections.load(Ordering::Relaxed), 4);
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signed_request_carries_a_valid_signature() {
    let (address, seen) = serve(OK).await;
    let key = key();
    let flags = [&SHORT[..], &["--mode", "signed", "--key-id", KEY_ID, "--key", key.expose_secret()]].concat();
    let report = bench(address, &flags).await;
    println!("{report}");
    assert!(report.requests > 0);
    assert!(report.errors.is_empty(), "{report}");
    // Requests may still be arriving as the counters are read, so count the
    // failures rather than compare totals.
    assert_eq!(seen.unverified.load(Ordering::Relaxed), 0);
    assert!(seen.verified.load(Ordering::Relaxed) >= report.requests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_statuses_are_counted_and_fail_the_run() {
    let (address, _) = serve(Behaviour { status: 503, ..OK }).await;
    let report = bench(address, &SHORT).await;
    assert!(report.requests > 0);
    assert_eq!(report.errors.get("503"), Some(&report.requests));
    assert!(report.failed());
    assert!(report.to_string().contains("ERRORS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_server_closes_is_reopened() {
    let (address, seen) = serve(Behaviour { close: true, ..OK }).await;
    let report = bench(address, &SHORT).await;
    assert!(report.requests > 0);
    assert!(report.errors.is_empty(), "{report}");
    assert!(report.reconnects > 0);
    assert!(seen.connections.load(Ordering::Relaxed) > 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_reported_as_io_errors() {
    let address = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let report = bench(address, &["--connections", "2", "--duration", "200ms"]).await;
    assert_eq!(report.requests, 0);
    assert!(report.errors.get("io").copied().unwrap_or(0) >= 2, "{report}");
    assert!(report.failed());
}

/// Alternating with a baseline: the measured requests (signed, answered
/// 200) and the baseline's (unsigned, answered 503 here) take turns, and
/// each lands in its own report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_takes_turns_with_the_measured_requests() {
    let (address, seen) = serve(Behaviour { unsigned_status: Some(503), ..OK }).await;
    let (url, key) = (format!("http://{address}"), key());
    let args = Args::try_parse_from([
        "altgate-bench",
        "--url",
        &url,
        "--path",
        "/v1/assets/bitcoin",
        "--mode",
        "signed",
        "--key-id",
        KEY_ID,
        "--key",
        key.expose_secret(),
        "--baseline-path",
        "/healthz",
        "--slice",
        "100ms",
        "--connections",
        "4",
        "--duration",
        "900ms",
        "--warmup",
        "0s",
    ])
    .unwrap();
    let report = run_alternating(&args.into_plan().unwrap()).await.unwrap();
    println!("{report}");
    let (measured, baseline) = (&report.measured, &report.baseline);
    assert_eq!((measured.path.as_str(), baseline.path.as_str()), ("/v1/assets/bitcoin", "/healthz"));
    assert!(measured.requests > 0 && baseline.requests > 0, "{report}");
    assert!(measured.errors.is_empty(), "only signed requests in the measured report: {report}");
    assert_eq!(baseline.errors.get("503"), Some(&baseline.requests), "only unsigned ones in the baseline's");
    assert!(seen.verified.load(Ordering::Relaxed) >= measured.requests);
    // 900 ms rounds up to five pairs of 100-ms slices: half a second each.
    assert_eq!((measured.duration_s, baseline.duration_s), (0.5, 0.5));
    assert_eq!(report.slices.count, 5);
    let ratio = measured.throughput_rps / baseline.throughput_rps;
    assert!((report.ratio - ratio).abs() < 0.001, "{} against {ratio}", report.ratio);
    assert!(report.slices.min <= report.slices.median && report.slices.median <= report.slices.max);
    assert!(report.failed(), "the baseline's failures fail the run");

    let (code, stdout, stderr) = binary(address, &["--json", "--baseline-path", "/v1/time", "--slice", "50ms"]).await;
    assert_eq!(code, Some(1), "the baseline's 503s fail the run: {stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(json["baseline"]["path"], "/v1/time");
    assert!(json["measured"]["requests"].as_u64().unwrap() > 0);
    assert!(json["ratio"].as_f64().unwrap() > 0.0, "{json}");
}

/// The binary: JSON on stdout and the exit code.
async fn binary(address: SocketAddr, flags: &[&str]) -> (Option<i32>, String, String) {
    let url = format!("http://{address}");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_altgate-bench"))
        .args(["--url", &url, "--path", "/v1/assets/bitcoin", "--warmup", "100ms"])
        .args(SHORT)
        .args(flags)
        .env_remove("ALTGATE_KEY")
        .output()
        .await
        .unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_json_and_exits_by_the_error_rate() {
    let (address, _) = serve(OK).await;
    let key = key();
    let (code, stdout, stderr) = binary(address, &["--json", "--mode", "bearer", "--key", key.expose_secret()]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(json["mode"], "bearer");
    assert!(json["requests"].as_u64().unwrap() > 0);
    assert_eq!(json["errors"], serde_json::json!({}));
    assert!(!stdout.contains(key.expose_secret()));

    let (failing, _) = serve(Behaviour { status: 429, ..OK }).await;
    let (code, stdout, stderr) = binary(failing, &[]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("ERRORS"), "{stdout}");
    assert!(stderr.contains("more than 1%"), "{stderr}");
    let (code, _, _) = binary(failing, &["--allow-errors"]).await;
    assert_eq!(code, Some(0));

    let (code, _, stderr) = binary(address, &["--mode", "signed", "--key", key.expose_secret()]).await;
    assert_eq!(code, Some(2), "{stderr}");
}
