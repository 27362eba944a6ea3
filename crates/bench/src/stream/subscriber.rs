//! One subscriber: connect, authenticate, subscribe, then read until the
//! measured window ends.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

use super::Window;
use super::message::{self, Kind};
use crate::load::unix_ms;
use crate::request::RequestBuilder;
use crate::tally::MAX_LATENCY_US;

/// How long a subscriber waits for the server to take its close frame at
/// the end of the run.
const CLOSE_GRACE: Duration = Duration::from_millis(500);
/// Latencies a subscriber collects before adding them to the shared
/// histogram, so the lock is taken once per this many tickers.
const LATENCY_BATCH: usize = 64;
/// The close code reported for a close frame without one (RFC 6455 §7.1.5).
pub(crate) const NO_STATUS: u16 = 1005;

/// What all subscribers of a run share.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Where to connect.
    pub(crate) address: SocketAddr,
    /// `ws://authority/path`, for the upgrade request.
    pub(crate) url: String,
    /// `{"op":"auth",…}`, sent first when the key goes by message.
    pub(crate) auth_message: Option<Utf8Bytes>,
    /// `{"op":"subscribe",…}`.
    pub(crate) subscribe: Utf8Bytes,
    /// The longest a subscriber may take from connecting to `subscribed`.
    pub(crate) connect_timeout: Duration,
    /// Bounds the subscribers setting up at once.
    pub(crate) ramp: Semaphore,
    /// Tick-to-client latencies of every subscriber, in µs.
    pub(crate) latencies: Mutex<Histogram<u64>>,
}

/// How a subscriber's setup went: how long it took, or why it failed.
pub(crate) type Setup = Result<Duration, String>;

/// What one subscriber counted.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// Messages received in the measured window, by [`Kind::index`].
    pub(crate) messages: [u64; Kind::ALL.len()],
    /// Messages whose `seq` was not the previous one's plus one.
    pub(crate) gaps: u64,
    /// Tickers stamped later than they arrived (clocks disagree).
    pub(crate) below_zero: u64,
    /// The server closed the connection, by close code.
    pub(crate) closes: BTreeMap<u16, u64>,
    /// Anything else that went wrong once subscribed.
    pub(crate) errors: BTreeMap<String, u64>,
}

impl Counts {
    fn error(&mut self, what: impl Into<String>) {
        *self.errors.entry(what.into()).or_default() += 1;
    }
}

/// Runs one subscriber: reports its setup on `setups`, reads until the
/// window published on `windows` ends, and returns what it counted.
pub(crate) async fn run(
    shared: Arc<Shared>,
    mut builder: RequestBuilder,
    setups: mpsc::UnboundedSender<Setup>,
    mut windows: watch::Receiver<Option<Window>>,
) -> Counts {
    let mut subscriber = {
        // The semaphore is never closed; without a permit, do not connect.
        let Ok(_permit) = shared.ramp.acquire().await else { return Counts::default() };
        let started = Instant::now();
        let setup = timeout(shared.connect_timeout, Subscriber::open(&shared, &mut builder)).await;
        match setup {
            Ok(Ok(subscriber)) => {
                let _ = setups.send(Ok(started.elapsed()));
                subscriber
            }
            Ok(Err(reason)) => {
                let _ = setups.send(Err(reason));
                return Counts::default();
            }
            Err(_) => {
                let _ = setups.send(Err("timeout".to_owned()));
                return Counts::default();
            }
        }
    };
    // The run waits for every subscriber's report; this one is in.
    drop(setups);

    // Keep reading while the others connect, so the server never sees a
    // slow reader, then through the warmup and the window.
    let window = loop {
        tokio::select! {
            biased;
            changed = windows.changed() => {
                if changed.is_err() {
                    // The run was abandoned.
                    return subscriber.finish();
                }
                if let Some(window) = *windows.borrow_and_update() {
                    break window;
                }
            }
            next = subscriber.next() => {
                if !subscriber.observe(next, None) {
                    return subscriber.finish();
                }
            }
        }
    };
    let mut end = pin!(sleep_until(window.end));
    loop {
        tokio::select! {
            biased;
            () = &mut end => break,
            next = subscriber.next() => {
                if !subscriber.observe(next, Some(window)) {
                    return subscriber.finish();
                }
            }
        }
    }
    subscriber.close().await;
    subscriber.finish()
}

/// What reading the connection gave.
#[derive(Debug)]
enum Next {
    /// A text message.
    Text(Utf8Bytes),
    /// A frame that needs no attention (ping, pong).
    Nothing,
    /// A binary message, which the protocol never sends.
    Binary,
    /// The server closed the connection with this code.
    Closed(u16),
    /// The connection failed or ended without a close frame.
    Failed(&'static str),
}

/// An open connection and what it counted.
struct Subscriber<'a> {
    ws: WebSocketStream<TcpStream>,
    last_seq: u64,
    counts: Counts,
    pending: Vec<u64>,
    shared: &'a Shared,
}

impl<'a> Subscriber<'a> {
    /// Connects, authenticates and subscribes; the reason when it fails.
    async fn open(shared: &'a Shared, builder: &mut RequestBuilder) -> Result<Subscriber<'a>, String> {
        let mut request = shared.url.as_str().into_client_request().map_err(|e| format!("bad request: {e}"))?;
        request.headers_mut().extend(builder.headers(unix_ms()));
        let stream = TcpStream::connect(shared.address).await.map_err(|e| io_reason(&e))?;
        // Latency is what is measured: never wait to coalesce small writes.
        stream.set_nodelay(true).map_err(|e| io_reason(&e))?;
        let (ws, _) = client_async_with_config(request, stream, Some(ws_config())).await.map_err(|e| match e {
            WsError::Http(response) => format!("http {}", response.status().as_u16()),
            WsError::Io(e) => io_reason(&e),
            other => format!("handshake: {other}"),
        })?;
        let mut subscriber = Subscriber { ws, last_seq: 0, counts: Counts::default(), pending: Vec::new(), shared };
        if let Some(auth) = &shared.auth_message {
            subscriber.send(auth.clone()).await?;
        }
        subscriber.expect(Kind::Ready).await?;
        subscriber.send(shared.subscribe.clone()).await?;
        subscriber.expect(Kind::Subscribed).await?;
        Ok(subscriber)
    }

    async fn send(&mut self, text: Utf8Bytes) -> Result<(), String> {
        self.ws.send(Message::Text(text)).await.map_err(|e| failure_reason(&e).to_owned())
    }

    /// Reads until a message of `kind`; an `error` message or the end of
    /// the connection fails the setup.
    async fn expect(&mut self, kind: Kind) -> Result<(), String> {
        loop {
            match self.next().await {
                Next::Text(text) => match self.sequence(&text) {
                    Some(got) if got == kind => return Ok(()),
                    Some(Kind::Error) => return Err(format!("error {}", message::error_code(&text))),
                    _ => {}
                },
                Next::Nothing | Next::Binary => {}
                Next::Closed(code) => return Err(format!("closed {code}")),
                Next::Failed(reason) => return Err(reason.to_owned()),
            }
        }
    }

    async fn next(&mut self) -> Next {
        match self.ws.next().await {
            Some(Ok(Message::Text(text))) => Next::Text(text),
            Some(Ok(Message::Binary(_))) => Next::Binary,
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Next::Nothing,
            Some(Ok(Message::Close(frame))) => Next::Closed(frame.map_or(NO_STATUS, |f| u16::from(f.code))),
            Some(Err(e)) => Next::Failed(failure_reason(&e)),
            None => Next::Failed("eof"),
        }
    }

    /// Checks a text message's `seq` against the previous one and returns
    /// its kind; `None` (and an error counted) when it is not a server
    /// message.
    fn sequence(&mut self, text: &str) -> Option<Kind> {
        let Some(header) = message::header(text) else {
            self.counts.error("bad_message");
            return None;
        };
        if header.seq != self.last_seq.wrapping_add(1) {
            self.counts.gaps += 1;
        }
        self.last_seq = header.seq;
        Some(header.kind)
    }

    /// Counts what `next` gave; false when the connection is over. Messages
    /// are counted, and tickers timed, only inside `window`.
    fn observe(&mut self, next: Next, window: Option<Window>) -> bool {
        let text = match next {
            Next::Text(text) => text,
            Next::Nothing => return true,
            Next::Binary => {
                self.counts.error("binary_message");
                return true;
            }
            Next::Closed(code) => {
                *self.counts.closes.entry(code).or_default() += 1;
                return false;
            }
            Next::Failed(reason) => {
                self.counts.error(reason);
                return false;
            }
        };
        let Some(kind) = self.sequence(&text) else { return true };
        if kind == Kind::Error {
            self.counts.error(format!("error {}", message::error_code(&text)));
        }
        let Some(window) = window else { return true };
        let now = Instant::now();
        if now < window.record_from || now >= window.end {
            return true;
        }
        self.counts.messages[kind.index()] += 1;
        if kind == Kind::Ticker {
            match message::ticker_updated_at_ms(&text) {
                Some(updated_at_ms) => self.record_latency(updated_at_ms),
                None => self.counts.error("bad_updated_at"),
            }
        }
        true
    }

    fn record_latency(&mut self, updated_at_ms: i64) {
        let now_us = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        let latency_us = now_us.saturating_sub(updated_at_ms.saturating_mul(1_000));
        if latency_us < 0 {
            self.counts.below_zero += 1;
        }
        self.pending.push(u64::try_from(latency_us).unwrap_or(0).min(MAX_LATENCY_US));
        if self.pending.len() >= LATENCY_BATCH {
            self.flush_latencies();
        }
    }

    fn flush_latencies(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // A poisoned lock only means another subscriber panicked; its
        // histogram is still whole.
        let mut histogram = self.shared.latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for latency in self.pending.drain(..) {
            histogram.saturating_record(latency);
        }
    }

    /// What this subscriber counted, its latencies added to the shared
    /// histogram.
    fn finish(mut self) -> Counts {
        self.flush_latencies();
        std::mem::take(&mut self.counts)
    }

    /// Closes the connection politely, without waiting long for the server.
    async fn close(&mut self) {
        let frame = CloseFrame { code: CloseCode::Normal, reason: "measurement over".into() };
        let _ = timeout(CLOSE_GRACE, self.ws.close(Some(frame))).await;
    }
}

impl Drop for Subscriber<'_> {
    fn drop(&mut self) {
        self.flush_latencies();
    }
}

/// Small buffers: a subscriber reads messages of a few hundred bytes, and
/// thousands of them share the machine.
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(Some(1 << 20))
        .max_frame_size(Some(1 << 20))
}

fn failure_reason(error: &WsError) -> &'static str {
    match error {
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => "reset",
        WsError::Io(e) if e.kind() == io::ErrorKind::ConnectionReset => "reset",
        WsError::Io(_) => "io",
        WsError::ConnectionClosed | WsError::AlreadyClosed => "eof",
        WsError::Capacity(_) => "too_large",
        _ => "protocol",
    }
}

/// Why a connection could not be opened.
fn io_reason(error: &io::Error) -> String {
    // EMFILE, on Linux and the BSDs alike.
    if error.raw_os_error() == Some(24) {
        return "too many open files (raise ulimit -n)".to_owned();
    }
    match error.kind() {
        io::ErrorKind::ConnectionRefused => "refused".to_owned(),
        io::ErrorKind::ConnectionReset => "reset".to_owned(),
        io::ErrorKind::TimedOut => "timeout".to_owned(),
        io::ErrorKind::AddrNotAvailable => "no local port available".to_owned(),
        kind => format!("io: {kind}"),
    }
}
