//! A local stand-in for Binance, for tests: the combined WebSocket stream
//! and the REST klines endpoint on 127.0.0.1, fed from real recorded data.
//!
//! The stream follows a [`Step`] script, run once by a producer task: every
//! frame goes to every connection open at that moment (like a live feed,
//! a connection only sees what is published after it opened). Klines
//! become visible to REST when their final update is published, or when
//! the script closes them while nobody is connected ([`Script::missed`]),
//! which is how the market moves on during a disconnect.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

/// The shared Binance data, relative to this crate.
const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/exchange_messages/binance");
/// 10 real BTCUSDT 1m klines, as `GET /api/v3/klines` returns them.
const KLINES_FILE: &str = "nautilus_trader/resources/http_responses/http_spot_market_klines.json";
/// A recorded combined-stream session (depth, book ticker, trades, klines).
const SESSION_FILE: &str = "cryptofeed_recorded/BINANCE.ws.1.0";
/// The symbol the fixture klines belong to.
pub(super) const SYMBOL: &str = "BTCUSDT";

/// The recorded data every replay is built from.
#[derive(Debug, Clone)]
pub(super) struct Fixture {
    /// The BTCUSDT klines, rows exactly as the REST API returns them.
    pub(super) rows: Vec<Value>,
    /// The recorded stream frames, in order.
    pub(super) recorded: Vec<String>,
}

impl Fixture {
    /// Loads the shared files; `None` (after saying so) if they are not
    /// there, unless `ALTGATE_REQUIRE_SHARED=1`, which makes that a failure.
    pub(super) fn load() -> Option<Fixture> {
        let read = |file: &str| std::fs::read_to_string(format!("{DATA_DIR}/{file}"));
        match (read(KLINES_FILE), read(SESSION_FILE)) {
            (Ok(klines), Ok(session)) => {
                let rows: Vec<Value> = serde_json::from_str(&klines).expect("the klines file is a JSON array");
                let recorded = session
                    .lines()
                    .skip(1)
                    .filter_map(|line| line.split_once(": ").map(|(_, json)| json.to_owned()))
                    .collect();
                Some(Fixture { rows, recorded })
            }
            (Err(error), _) | (_, Err(error)) => {
                assert!(
                    std::env::var("ALTGATE_REQUIRE_SHARED").as_deref() != Ok("1"),
                    "shared Binance data missing under {DATA_DIR}: {error}"
                );
                println!("skipping: shared Binance data missing under {DATA_DIR}: {error}");
                None
            }
        }
    }

    /// The open time of kline `index`.
    pub(super) fn open_time(&self, index: usize) -> i64 {
        self.rows[index][0].as_i64().expect("open time")
    }

    /// The stream updates of kline `index`: one or two partial updates,
    /// then the final one, in Binance's wire format.
    fn updates(&self, index: usize) -> (Vec<String>, String) {
        let row = &self.rows[index];
        let text = |i: usize| row[i].as_str().expect("decimal string").to_owned();
        let decimal = |i: usize| text(i).parse::<f64>().expect("decimal");
        let open_time = row[0].as_i64().expect("open time");
        let close_time = row[6].as_i64().expect("close time");
        let trades = row[8].as_u64().expect("trades");
        let first_trade = 1_100_000_000 + i64::try_from(index).expect("small") * 10_000;
        let last_trade = first_trade + i64::try_from(trades).expect("small") - 1;
        let full = WireKline {
            symbol: SYMBOL.to_owned(),
            interval: "1m".to_owned(),
            event_time: close_time + 1,
            open_time,
            close_time,
            first_trade,
            last_trade,
            open: text(1),
            high: text(2),
            low: text(3),
            close: text(4),
            volume: text(5),
            quote_volume: text(7),
            trades,
            taker_volume: text(9),
            taker_quote_volume: text(10),
            closed: true,
        };
        // A first partial: one price so far, a fifth of the volume.
        let early = WireKline {
            event_time: open_time + 12_000,
            high: text(1),
            low: text(1),
            close: text(1),
            volume: format!("{:.8}", decimal(5) / 5.0),
            quote_volume: format!("{:.8}", decimal(7) / 5.0),
            trades: trades.div_ceil(5),
            last_trade: first_trade + i64::try_from(trades.div_ceil(5)).expect("small") - 1,
            taker_volume: format!("{:.8}", decimal(9) / 5.0),
            taker_quote_volume: format!("{:.8}", decimal(10) / 5.0),
            closed: false,
            ..full.clone()
        };
        // A later partial: the final range, most of the volume.
        let late_trades = (trades * 4 / 5).max(1);
        let late = WireKline {
            event_time: open_time + 48_000,
            volume: format!("{:.8}", decimal(5) * 0.8),
            quote_volume: format!("{:.8}", decimal(7) * 0.8),
            trades: late_trades,
            last_trade: first_trade + i64::try_from(late_trades).expect("small") - 1,
            taker_volume: format!("{:.8}", decimal(9) * 0.8),
            taker_quote_volume: format!("{:.8}", decimal(10) * 0.8),
            closed: false,
            ..full.clone()
        };
        let partials = if index.is_multiple_of(2) { vec![early.render()] } else { vec![early.render(), late.render()] };
        (partials, full.render())
    }
}

/// A kline event's fields, rendered exactly as Binance sends them.
#[derive(Debug, Clone)]
pub(super) struct WireKline {
    pub(super) symbol: String,
    pub(super) interval: String,
    pub(super) event_time: i64,
    pub(super) open_time: i64,
    pub(super) close_time: i64,
    pub(super) first_trade: i64,
    pub(super) last_trade: i64,
    pub(super) open: String,
    pub(super) high: String,
    pub(super) low: String,
    pub(super) close: String,
    pub(super) volume: String,
    pub(super) quote_volume: String,
    pub(super) trades: u64,
    pub(super) taker_volume: String,
    pub(super) taker_quote_volume: String,
    pub(super) closed: bool,
}

impl WireKline {
    /// The combined-stream frame, fields in Binance's order.
    pub(super) fn render(&self) -> String {
        let k = self;
        let stream = format!("{}@kline_{}", k.symbol.to_ascii_lowercase(), k.interval);
        format!(
            concat!(
                r#"{{"stream":"{stream}","data":{{"e":"kline","E":{E},"s":"{s}","k":{{"t":{t},"T":{T},"s":"{s}","#,
                r#""i":"{i}","f":{f},"L":{L},"o":"{o}","c":"{c}","h":"{h}","l":"{l}","v":"{v}","n":{n},"x":{x},"#,
                r#""q":"{q}","V":"{V}","Q":"{Q}","B":"0"}}}}}}"#
            ),
            stream = stream,
            E = k.event_time,
            s = k.symbol,
            t = k.open_time,
            T = k.close_time,
            i = k.interval,
            f = k.first_trade,
            L = k.last_trade,
            o = k.open,
            c = k.close,
            h = k.high,
            l = k.low,
            v = k.volume,
            n = k.trades,
            x = k.closed,
            q = k.quote_volume,
            V = k.taker_volume,
            Q = k.taker_quote_volume,
        )
    }
}

/// One thing the producer does.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// Sends a text frame to every open connection.
    Frame(String),
    /// Closes kline `index` at the exchange (it becomes visible to REST),
    /// sending its final update if there is one.
    Closes { index: usize, frame: Option<String> },
    /// Pings every open connection and waits (a while) for a pong.
    Ping(&'static [u8]),
    /// Drops every open connection without a close frame.
    DropAll,
    /// Waits until this many connections have been accepted in all.
    AwaitConnections(usize),
    /// Waits until the test calls [`Replay::release`].
    Gate,
}

/// Builds a list of [`Step`]s.
#[derive(Debug, Default)]
pub(super) struct Script {
    steps: Vec<Step>,
}

impl Script {
    /// Waits for the `n`th connection.
    pub(super) fn await_connections(mut self, n: usize) -> Self {
        self.steps.push(Step::AwaitConnections(n));
        self
    }

    /// Streams klines `indices`: before each, its share of the recorded
    /// session; then its partial updates and its final one.
    pub(super) fn klines(mut self, fixture: &Fixture, indices: std::ops::Range<usize>) -> Self {
        let total = fixture.rows.len();
        for index in indices {
            let share = fixture.recorded.len();
            for frame in &fixture.recorded[index * share / total..(index + 1) * share / total] {
                self.steps.push(Step::Frame(frame.clone()));
            }
            let (partials, last) = fixture.updates(index);
            self.steps.extend(partials.into_iter().map(Step::Frame));
            self.steps.push(Step::Closes { index, frame: Some(last) });
        }
        self
    }

    /// Closes klines `indices` without streaming them: they happen while
    /// nobody is connected.
    pub(super) fn missed(mut self, indices: std::ops::Range<usize>) -> Self {
        self.steps.extend(indices.map(|index| Step::Closes { index, frame: None }));
        self
    }

    /// Sends one text frame.
    pub(super) fn frame(mut self, text: &str) -> Self {
        self.steps.push(Step::Frame(text.to_owned()));
        self
    }

    /// Pings and waits for the pong.
    pub(super) fn ping(mut self, payload: &'static [u8]) -> Self {
        self.steps.push(Step::Ping(payload));
        self
    }

    /// Waits for [`Replay::release`].
    pub(super) fn gate(mut self) -> Self {
        self.steps.push(Step::Gate);
        self
    }

    /// Drops every connection.
    pub(super) fn drop_all(mut self) -> Self {
        self.steps.push(Step::DropAll);
        self
    }
}

/// A failure the REST endpoint serves instead of the next answer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fault {
    /// HTTP 429 with `Retry-After: {0}`.
    RateLimited(u64),
    /// Never answers.
    Hang,
}

/// A REST request as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RestRequest {
    pub(super) symbol: String,
    pub(super) start_time: Option<i64>,
    pub(super) status: u16,
}

/// What happened to connections, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConnEvent {
    Opened(usize),
    Closed(usize),
}

#[derive(Debug)]
enum Out {
    Text(String),
    Ping(&'static [u8]),
    Drop,
}

#[derive(Debug, Default)]
struct Log {
    /// The `streams` parameter of each connection, by connection number.
    streams: Vec<String>,
    events: Vec<ConnEvent>,
    pongs: Vec<Vec<u8>>,
    rest: Vec<RestRequest>,
}

#[derive(Debug)]
struct Shared {
    rows: Vec<Value>,
    visible: Mutex<Vec<bool>>,
    /// Senders of the open connections, by connection number.
    open: Mutex<Vec<(usize, mpsc::UnboundedSender<Out>)>>,
    log: Mutex<Log>,
    faults: Mutex<VecDeque<Fault>>,
    accepted: watch::Sender<usize>,
    pongs: watch::Sender<usize>,
    rest_requests: watch::Sender<usize>,
    gate: Notify,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().expect("replay state lock poisoned")
}

impl Shared {
    fn broadcast(&self, make: impl Fn() -> Out) {
        lock(&self.open).retain(|(_, sender)| sender.send(make()).is_ok());
    }
}

/// A running replay server; stops when dropped.
#[derive(Debug)]
pub(super) struct Replay {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Replay {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Replay {
    /// Starts serving `fixture` on a free local port and runs `script`.
    pub(super) async fn start(fixture: &Fixture, script: Script) -> Replay {
        let shared = Arc::new(Shared {
            rows: fixture.rows.clone(),
            visible: Mutex::new(vec![false; fixture.rows.len()]),
            open: Mutex::new(Vec::new()),
            log: Mutex::new(Log::default()),
            faults: Mutex::new(VecDeque::new()),
            accepted: watch::Sender::new(0),
            pongs: watch::Sender::new(0),
            rest_requests: watch::Sender::new(0),
            gate: Notify::new(),
        });
        let router = Router::new()
            .route("/stream", get(stream))
            .route("/api/v3/klines", get(klines))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("replay server failed");
        });
        let producer = tokio::spawn(produce(Arc::clone(&shared), script.steps));
        Replay { addr, shared, tasks: vec![server, producer] }
    }

    /// The `ws_url` to configure.
    pub(super) fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The `rest_url` to configure.
    pub(super) fn rest_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Lets the script go on past its next [`Step::Gate`].
    pub(super) fn release(&self) {
        self.shared.gate.notify_one();
    }

    /// Makes the next REST requests fail with `faults`, in order.
    pub(super) fn fail_rest(&self, faults: &[Fault]) {
        lock(&self.shared.faults).extend(faults.iter().copied());
    }

    /// The `streams` parameter of every connection so far.
    pub(super) fn streams(&self) -> Vec<String> {
        lock(&self.shared.log).streams.clone()
    }

    /// Connection openings and closings so far.
    pub(super) fn events(&self) -> Vec<ConnEvent> {
        lock(&self.shared.log).events.clone()
    }

    /// The payloads of the pongs received so far.
    pub(super) fn pongs(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.log).pongs.clone()
    }

    /// The REST requests served so far.
    pub(super) fn rest_requests(&self) -> Vec<RestRequest> {
        lock(&self.shared.log).rest.clone()
    }

    /// Waits until `n` REST requests have arrived.
    pub(super) async fn wait_rest_requests(&self, n: usize) {
        let mut requests = self.shared.rest_requests.subscribe();
        requests.wait_for(|count| *count >= n).await.expect("the replay state outlives this");
    }
}

async fn produce(shared: Arc<Shared>, steps: Vec<Step>) {
    let mut accepted = shared.accepted.subscribe();
    let mut pongs = shared.pongs.subscribe();
    for step in steps {
        match step {
            Step::Frame(text) => shared.broadcast(|| Out::Text(text.clone())),
            Step::Closes { index, frame } => {
                lock(&shared.visible)[index] = true;
                if let Some(text) = frame {
                    shared.broadcast(|| Out::Text(text.clone()));
                }
            }
            Step::Ping(payload) => {
                let before = *pongs.borrow_and_update();
                shared.broadcast(|| Out::Ping(payload));
                // A missing pong shows in the log the test checks; don't hang on it.
                let _ = tokio::time::timeout(Duration::from_secs(5), pongs.wait_for(|n| *n > before)).await;
            }
            Step::DropAll => {
                for (_, sender) in lock(&shared.open).drain(..) {
                    let _ = sender.send(Out::Drop);
                }
            }
            Step::AwaitConnections(n) => {
                accepted.wait_for(|count| *count >= n).await.expect("the replay state outlives the producer");
            }
            Step::Gate => shared.gate.notified().await,
        }
    }
}

/// `GET /stream?streams=…`: registers the connection before the upgrade
/// completes, so it receives everything published once the client is in.
async fn stream(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery, upgrade: WebSocketUpgrade) -> Response {
    let streams = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "streams")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let (sender, receiver) = mpsc::unbounded_channel();
    let id = {
        let mut log = lock(&shared.log);
        let id = log.streams.len();
        log.streams.push(streams);
        log.events.push(ConnEvent::Opened(id));
        lock(&shared.open).push((id, sender));
        id
    };
    shared.accepted.send_modify(|count| *count += 1);
    upgrade.on_upgrade(move |socket| serve(shared, id, socket, receiver))
}

async fn serve(shared: Arc<Shared>, id: usize, mut socket: WebSocket, mut outgoing: mpsc::UnboundedReceiver<Out>) {
    loop {
        tokio::select! {
            out = outgoing.recv() => {
                let message = match out {
                    Some(Out::Text(text)) => Message::Text(text.into()),
                    Some(Out::Ping(payload)) => Message::Ping(Bytes::from_static(payload)),
                    Some(Out::Drop) | None => break,
                };
                if socket.send(message).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Pong(payload))) => {
                    lock(&shared.log).pongs.push(payload.to_vec());
                    shared.pongs.send_modify(|count| *count += 1);
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            }
        }
    }
    lock(&shared.open).retain(|(open, _)| *open != id);
    lock(&shared.log).events.push(ConnEvent::Closed(id));
}

/// `GET /api/v3/klines`, with Binance's semantics: klines opening in
/// `[startTime, endTime]`, ascending, at most `limit` (default 500, at most
/// 1000); without a start, the latest ones. Only klines already closed
/// are visible; symbols other than [`SYMBOL`] have none.
async fn klines(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let params: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let number = |name: &str| param(name).and_then(|value| value.parse::<i64>().ok());
    let symbol = param("symbol").unwrap_or_default().to_owned();
    let start_time = number("startTime");
    let fault = lock(&shared.faults).pop_front();
    let (status, response) = match fault {
        Some(Fault::RateLimited(seconds)) => {
            let body =
                json!({"code": -1003, "msg": "Too many requests; current limit is 6000 request weight per 1 MINUTE."});
            let response = (StatusCode::TOO_MANY_REQUESTS, [(RETRY_AFTER, seconds.to_string())], Json(body));
            (StatusCode::TOO_MANY_REQUESTS, response.into_response())
        }
        Some(Fault::Hang) => {
            record(&shared, RestRequest { symbol, start_time, status: 0 });
            return std::future::pending().await;
        }
        None if param("interval") != Some("1m") => {
            let body = json!({"code": -1120, "msg": "Invalid interval."});
            (StatusCode::BAD_REQUEST, (StatusCode::BAD_REQUEST, Json(body)).into_response())
        }
        None => {
            let limit = number("limit").unwrap_or(500).clamp(1, 1000);
            let limit = usize::try_from(limit).expect("positive");
            let rows =
                if symbol == SYMBOL { visible_rows(&shared, start_time, number("endTime"), limit) } else { vec![] };
            (StatusCode::OK, Json(rows).into_response())
        }
    };
    record(&shared, RestRequest { symbol, start_time, status: status.as_u16() });
    response
}

fn visible_rows(shared: &Shared, start: Option<i64>, end: Option<i64>, limit: usize) -> Vec<Value> {
    let visible = lock(&shared.visible);
    let matching: Vec<&Value> = shared
        .rows
        .iter()
        .zip(visible.iter())
        .filter(|(_, visible)| **visible)
        .map(|(row, _)| row)
        .filter(|row| {
            let open = row[0].as_i64().expect("open time");
            start.is_none_or(|start| open >= start) && end.is_none_or(|end| open <= end)
        })
        .collect();
    let chosen: &[&Value] = if start.is_some() {
        &matching[..matching.len().min(limit)]
    } else {
        &matching[matching.len().saturating_sub(limit)..]
    };
    chosen.iter().map(|row| (*row).clone()).collect()
}

fn record(shared: &Shared, request: RestRequest) {
    lock(&shared.log).rest.push(request);
    shared.rest_requests.send_modify(|count| *count += 1);
}
