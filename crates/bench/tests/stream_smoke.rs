//! End to end: the stream fan-out mode against a small `/v1/stream` stub
//! started here, which speaks the protocol with the protocol crate's types
//! and ticks every 10 ms (rendering each update once, as the server does).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use altgate_bench::{Args, StreamReport, run_stream};
use altgate_protocol::signing::{CanonicalRequest, SignatureHeaders, Verifier, canonical_string};
use altgate_protocol::stream::{Channel, ClientMessage, ServerBody, ServerMessage};
use altgate_protocol::{ApiKey, CandleData, Environment, ErrorCode, Source, Ticker, Timestamp};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Callback, ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::{WebSocketStream, accept_hdr_async_with_config};

const KEY_ID: &str = "key_3XfN8bQ2LrT7";
const CHANNELS: &str = "ticker:bitcoin,candles:bitcoin:1m";
/// How often the stub's feed ticks, unless a test says otherwise.
const TICK: Duration = Duration::from_millis(10);

fn key() -> ApiKey {
    ApiKey::from_entropy(Environment::Test, &[5; 32])
}

/// How the stub behaves.
#[derive(Clone, Copy)]
struct Behaviour {
    /// How often the feed ticks.
    tick: Duration,
    /// Expect the key in an `auth` message rather than on the upgrade.
    auth_message: bool,
    /// On the first connection, number the message after `subscribed` one
    /// too far.
    skip_seq_on_first: bool,
    /// On the first connection, close with this code right after
    /// `subscribed`.
    close_first_with: Option<u16>,
    /// Refuse every upgrade with this status.
    reject_with: Option<u16>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            tick: TICK,
            auth_message: false,
            skip_seq_on_first: false,
            close_first_with: None,
            reject_with: None,
        }
    }
}

/// One tick's updates: each channel's message after `"seq":N,`.
type Updates = Arc<Vec<(Channel, String)>>;

/// What the stub saw.
#[derive(Default)]
struct Seen {
    connections: AtomicU64,
    /// Upgrades carrying the bearer key.
    bearer: AtomicU64,
    /// Upgrades whose signature verifies under [`key`].
    signed: AtomicU64,
    /// `auth` messages carrying [`key`].
    auth_messages: AtomicU64,
    /// Subscribes to exactly [`CHANNELS`].
    subscribes: AtomicU64,
    /// Connections between their upgrade and their `subscribe`, now and at
    /// most.
    setting_up: AtomicU64,
    most_setting_up: AtomicU64,
}

struct Stub {
    address: SocketAddr,
    seen: Arc<Seen>,
}

/// Starts the stub on a free port, with its feed.
async fn stub(behaviour: Behaviour) -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let (ticks, _) = broadcast::channel::<Updates>(64);
    let feed = ticks.clone();
    tokio::spawn(async move {
        let channels: Vec<Channel> = CHANNELS.split(',').map(|c| c.parse().unwrap()).collect();
        let mut interval = tokio::time::interval(behaviour.tick);
        loop {
            interval.tick().await;
            let updates = channels.iter().map(|channel| (channel.clone(), render(update(channel)))).collect();
            let _ = feed.send(Arc::new(updates));
        }
    });
    let counters = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let index = counters.connections.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(connection(stream, index, behaviour, counters.clone(), ticks.subscribe()));
        }
    });
    Stub { address, seen }
}

/// Checks the upgrade request's credentials, as the server would.
struct Upgrade<'a> {
    behaviour: Behaviour,
    seen: &'a Seen,
}

impl Callback for Upgrade<'_> {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        let seen = self.seen;
        if let Some(status) = self.behaviour.reject_with {
            let mut refusal = ErrorResponse::new(Some("refused".to_owned()));
            *refusal.status_mut() = StatusCode::from_u16(status).unwrap();
            return Err(refusal);
        }
        let headers = request.headers();
        let bearer = format!("Bearer {}", key().expose_secret());
        if headers.get("authorization").is_some_and(|v| v.as_bytes() == bearer.as_bytes()) {
            seen.bearer.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(parsed) = SignatureHeaders::parse(|name| headers.get(name).map(|v| v.as_bytes())) {
            let canonical = canonical_string(&CanonicalRequest {
                key_id: parsed.key_id,
                timestamp_ms: parsed.timestamp_ms,
                nonce: parsed.nonce,
                method: request.method().as_str(),
                path: request.uri().path(),
                query: request.uri().query().unwrap_or(""),
                body: b"",
                sequence: parsed.sequence,
            });
            let verifier = Verifier::hmac(key().expose_secret().as_bytes());
            if parsed.key_id == KEY_ID && verifier.verify(canonical.as_bytes(), parsed.signature()).is_ok() {
                seen.signed.fetch_add(1, Ordering::Relaxed);
            }
        }
        let now = seen.setting_up.fetch_add(1, Ordering::Relaxed) + 1;
        seen.most_setting_up.fetch_max(now, Ordering::Relaxed);
        Ok(response)
    }
}

struct Session {
    ws: WebSocketStream<TcpStream>,
    seq: u64,
}

impl Session {
    async fn send(&mut self, body: ServerBody) -> bool {
        self.seq += 1;
        let text = serde_json::to_string(&ServerMessage { seq: self.seq, body }).unwrap();
        self.ws.send(Message::text(text)).await.is_ok()
    }

    /// The next client message; `None` when the client left.
    async fn receive(&mut self) -> Option<ClientMessage> {
        loop {
            match self.ws.next().await? {
                Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).unwrap()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }
}

async fn connection(
    stream: TcpStream,
    index: u64,
    behaviour: Behaviour,
    seen: Arc<Seen>,
    mut ticks: broadcast::Receiver<Updates>,
) {
    let callback = Upgrade { behaviour, seen: &seen };
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let Ok(ws) = accept_hdr_async_with_config(stream, callback, Some(config)).await else { return };
    let mut session = Session { ws, seq: 0 };
    if behaviour.auth_message {
        match session.receive().await {
            Some(ClientMessage::Auth { key: sent }) if sent == key().expose_secret() => {
                seen.auth_messages.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                // As the server does: say why, then close with 4001.
                let detail = "unknown key".to_owned();
                if session.send(ServerBody::Error { code: ErrorCode::UnknownKey, detail }).await {
                    let frame = CloseFrame { code: CloseCode::from(4001), reason: "unknown_key".into() };
                    let _ = session.ws.close(Some(frame)).await;
                }
                return;
            }
        }
    }
    if !session.send(ServerBody::Ready { key_id: KEY_ID.to_owned() }).await {
        return;
    }
    let channels = loop {
        match session.receive().await {
            Some(ClientMessage::Subscribe { channels }) => {
                seen.setting_up.fetch_sub(1, Ordering::Relaxed);
                if let Some(unknown) = channels.iter().find(|c| c.asset().as_str() == "nope") {
                    let detail = format!("no asset has the id `{}`", unknown.asset());
                    if !session.send(ServerBody::Error { code: ErrorCode::AssetNotFound, detail }).await {
                        return;
                    }
                    continue;
                }
                if channels.iter().map(ToString::to_string).collect::<Vec<_>>().join(",") == CHANNELS {
                    seen.subscribes.fetch_add(1, Ordering::Relaxed);
                }
                break channels;
            }
            Some(_) => {}
            None => return,
        }
    };
    if !session.send(ServerBody::Subscribed { channels: channels.clone() }).await {
        return;
    }
    if index == 0 {
        if behaviour.skip_seq_on_first {
            session.seq += 1;
        }
        if let Some(code) = behaviour.close_first_with {
            let frame = CloseFrame { code: CloseCode::from(code), reason: "too slow: 9 events missed".into() };
            let _ = session.ws.close(Some(frame)).await;
            return;
        }
    }
    loop {
        tokio::select! {
            tick = ticks.recv() => {
                let updates = match tick {
                    Ok(updates) => updates,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                for (_, rest) in updates.iter().filter(|(channel, _)| channels.contains(channel)) {
                    session.seq += 1;
                    let text = format!(r#"{{"seq":{},{rest}"#, session.seq);
                    if session.ws.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
            }
            incoming = session.ws.next() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// A message without its `{"seq":N,` prefix.
fn render(body: ServerBody) -> String {
    let text = serde_json::to_string(&ServerMessage { seq: 0, body }).unwrap();
    text.strip_prefix(r#"{"seq":0,"#).unwrap().to_owned()
}

/// A ticker stamped now, or a candle in progress.
fn update(channel: &Channel) -> ServerBody {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let now = Timestamp::from_millis(i64::try_from(now.as_millis()).unwrap());
    match channel {
        Channel::Ticker(asset) => ServerBody::Ticker {
            channel: channel.clone(),
            data: Ticker {
                asset_id: asset.clone(),
                price: 91_234.5,
                change_24h_pct: Some(1.25),
                high_24h: 92_000.0,
                low_24h: 90_000.0,
                volume_24h: 12_345.6,
                updated_at: now,
                source: Source::Simulated,
                stale: false,
            },
        },
        Channel::Candles(..) => ServerBody::Candle {
            channel: channel.clone(),
            closed: false,
            data: CandleData {
                open_time: now,
                open: 1.0,
                high: 2.0,
                low: 0.5,
                close: 1.5,
                volume: 10.0,
                quote_volume: None,
                trades: Some(3),
                source: Source::Simulated,
            },
        },
    }
}

/// Runs the tool in process against `address` with these flags (measuring
/// 300 ms unless they say otherwise).
async fn bench(address: SocketAddr, flags: &[&str]) -> StreamReport {
    let url = format!("http://{address}");
    let base = ["altgate-bench", "--url", &url, "--warmup", "0s"];
    let duration: &[&str] = if flags.contains(&"--duration") { &[] } else { &["--duration", "300ms"] };
    let args = Args::try_parse_from(base.iter().chain(duration).chain(flags)).unwrap();
    run_stream(&args.into_stream_plan().unwrap()).await.unwrap()
}

fn bearer<'a>(key: &'a ApiKey, subscribers: &'a str) -> [&'a str; 8] {
    ["--stream", subscribers, "--channels", CHANNELS, "--mode", "bearer", "--key", key.expose_secret()]
}

fn map(entries: &[(&str, u64)]) -> BTreeMap<String, u64> {
    entries.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_time_every_ticker_and_count_every_message() {
    let stub = stub(Behaviour::default()).await;
    let key = key();
    let flags = [&bearer(&key, "20")[..], &["--connect-concurrency", "5"]].concat();
    let report = bench(stub.address, &flags).await;
    println!("{report}");
    assert_eq!((report.subscribers, report.connected), (20, 20));
    assert!(report.problems().is_empty(), "{report}");
    assert_eq!(report.channels, ["ticker:bitcoin", "candles:bitcoin:1m"]);
    let tickers = report.messages_by_type["ticker"];
    assert!(tickers > 0 && report.messages_by_type["candle"] > 0, "{report}");
    assert_eq!(report.messages, tickers + report.messages_by_type["candle"]);
    assert!(report.messages_per_s > 0.0);
    // Every ticker in the window was timed; on one machine, well under a second.
    assert_eq!(report.latency_ms.samples, tickers);
    assert!(report.latency_ms.p50 <= report.latency_ms.max && report.latency_ms.max < 5_000.0, "{report}");
    assert_eq!(report.setup_ms.samples, 20);
    assert_eq!((report.gaps, report.below_zero), (0, 0));
    // Every upgrade carried the key; at most 5 subscribers set up at once.
    assert_eq!(stub.seen.bearer.load(Ordering::Relaxed), 20);
    assert_eq!(stub.seen.subscribes.load(Ordering::Relaxed), 20);
    let most = stub.seen.most_setting_up.load(Ordering::Relaxed);
    assert!((1..=5).contains(&most), "{most} set up at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_seq_is_one_gap_and_fails_the_run() {
    let stub = stub(Behaviour { skip_seq_on_first: true, ..Behaviour::default() }).await;
    let key = key();
    let report = bench(stub.address, &bearer(&key, "4")).await;
    assert_eq!(report.connected, 4);
    assert_eq!(report.gaps, 1, "{report}");
    assert!(report.closes.is_empty() && report.errors.is_empty(), "{report}");
    assert_eq!(report.problems(), ["1 seq gaps"]);
    assert!(report.failed());
    assert!(report.to_string().contains("GAPS        1"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_close_is_reported_by_its_code() {
    let stub = stub(Behaviour { close_first_with: Some(4008), ..Behaviour::default() }).await;
    let key = key();
    let report = bench(stub.address, &bearer(&key, "4")).await;
    assert_eq!(report.connected, 4);
    assert_eq!(report.closes, map(&[("4008", 1)]), "{report}");
    assert_eq!((report.gaps, report.errors.len()), (0, 0), "{report}");
    assert_eq!(report.problems(), ["1 connections closed by the server"]);
    assert!(report.to_string().contains("CLOSES      1: 4008: 1"), "{report}");
    // The other three went on receiving.
    assert!(report.messages_by_type["ticker"] > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_can_go_in_an_auth_message() {
    let stub = stub(Behaviour { auth_message: true, ..Behaviour::default() }).await;
    let key = key();
    let flags = [&bearer(&key, "3")[..], &["--auth-message"]].concat();
    let report = bench(stub.address, &flags).await;
    assert!(report.problems().is_empty(), "{report}");
    assert_eq!(stub.seen.auth_messages.load(Ordering::Relaxed), 3);
    assert_eq!(stub.seen.bearer.load(Ordering::Relaxed), 0);

    // A key the stub does not know is refused before `ready`.
    let unknown = ApiKey::from_entropy(Environment::Test, &[6; 32]);
    let flags = [&bearer(&unknown, "2")[..], &["--auth-message"]].concat();
    let report = bench(stub.address, &flags).await;
    assert_eq!(report.connect_failures, map(&[("error unknown_key", 2)]), "{report}");
    assert_eq!(report.connected, 0);
    assert!(report.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_upgrade_requests_verify() {
    let stub = stub(Behaviour::default()).await;
    let key = key();
    let flags = ["--stream", "3", "--channels", CHANNELS, "--mode", "signed", "--key-id", KEY_ID, "--key"];
    let report = bench(stub.address, &[&flags[..], &[key.expose_secret()]].concat()).await;
    assert!(report.problems().is_empty(), "{report}");
    assert_eq!(stub.seen.signed.load(Ordering::Relaxed), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_that_cannot_subscribe_are_connect_failures() {
    let key = key();
    let rejecting = stub(Behaviour { reject_with: Some(429), ..Behaviour::default() }).await;
    let report = bench(rejecting.address, &bearer(&key, "3")).await;
    assert_eq!(report.connect_failures, map(&[("http 429", 3)]), "{report}");
    assert_eq!((report.connected, report.messages), (0, 0));
    assert_eq!(report.problems(), ["3 of 3 subscribers failed to connect"]);
    assert!(report.to_string().contains("CONNECT FAILED 3: http 429: 3"), "{report}");

    let open = stub(Behaviour::default()).await;
    let flags = ["--stream", "2", "--channels", "ticker:nope", "--mode", "bearer", "--key", key.expose_secret()];
    let report = bench(open.address, &flags).await;
    assert_eq!(report.connect_failures, map(&[("error asset_not_found", 2)]), "{report}");

    // A server that accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let flags = [&bearer(&key, "2")[..], &["--connect-timeout", "200ms"]].concat();
    let report = bench(silent.local_addr().unwrap(), &flags).await;
    assert_eq!(report.connect_failures, map(&[("timeout", 2)]), "{report}");
    drop(silent);

    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let report = bench(closed, &bearer(&key, "2")).await;
    assert_eq!(report.connect_failures, map(&[("refused", 2)]), "{report}");
}

/// Hundreds of subscribers through a bounded ramp; set
/// `ALTGATE_BENCH_STREAM_SUBSCRIBERS=2000` (with `ulimit -n` above about
/// 4500: both ends live in this process) for the full-size check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_subscribers_connect_and_receive() {
    let subscribers = std::env::var("ALTGATE_BENCH_STREAM_SUBSCRIBERS").unwrap_or_else(|_| "300".to_owned());
    let stub = stub(Behaviour { tick: Duration::from_millis(100), ..Behaviour::default() }).await;
    let key = key();
    let flags = [&bearer(&key, &subscribers)[..], &["--connect-concurrency", "50", "--duration", "1s"]].concat();
    let report = bench(stub.address, &flags).await;
    println!("{report}");
    let subscribers: u64 = subscribers.parse().unwrap();
    assert_eq!(report.connected, subscribers, "{report}");
    assert!(report.problems().is_empty(), "{report}");
    assert!(report.latency_ms.samples >= subscribers, "{report}");
    assert!(stub.seen.most_setting_up.load(Ordering::Relaxed) <= 50);
}

/// The binary: JSON on stdout and the exit code.
async fn binary(address: SocketAddr, flags: &[&str]) -> (Option<i32>, String, String) {
    let url = format!("http://{address}");
    let key = key();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_altgate-bench"))
        .args(["--url", &url, "--warmup", "100ms", "--duration", "300ms"])
        .args(bearer(&key, "3"))
        .args(flags)
        .output()
        .await
        .unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_json_and_fails_on_a_gap() {
    let clean = stub(Behaviour::default()).await;
    let (code, stdout, stderr) = binary(clean.address, &["--json"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(json["connected"], 3);
    assert_eq!(json["gaps"], 0);
    assert!(json["latency_ms"]["samples"].as_u64().unwrap() > 0);
    assert!(!stdout.contains(key().expose_secret()));

    let gappy = stub(Behaviour { skip_seq_on_first: true, ..Behaviour::default() }).await;
    let (code, stdout, stderr) = binary(gappy.address, &[]).await;
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("GAPS        1"), "{stdout}");
    assert!(stderr.contains("1 seq gaps; --allow-errors accepts that"), "{stderr}");
    let (code, _, stderr) = binary(gappy.address, &["--allow-errors"]).await;
    assert_eq!(code, Some(0), "{stderr}");

    // A usage error: HTTP-only flags do not mix with --stream.
    let (code, _, stderr) = binary(clean.address, &["--connections", "8"]).await;
    assert_eq!(code, Some(2), "{stderr}");
}
