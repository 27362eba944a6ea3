//! Running the load: one task per connection, in a closed loop.

use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout_at};

use crate::args::Mode;
use crate::report::{Report, RunInfo};
use crate::request::{Auth, RequestBuilder, Target};
use crate::tally::Tally;

/// How long a connection waits before reconnecting after a failure.
const RECONNECT_BACKOFF: Duration = Duration::from_millis(50);

/// A run: what to send, how, how hard and for how long.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The requests.
    pub target: Arc<Target>,
    /// Their credentials.
    pub auth: Auth,
    /// The mode the credentials came from, for the report.
    pub mode: Mode,
    /// Concurrent connections.
    pub connections: u32,
    /// Sending without recording, first.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
    /// Whether the runtime's threads poll instead of sleeping
    /// (`--busy-poll`).
    pub busy_poll: bool,
}

impl Plan {
    /// What the report says was run.
    pub fn info(&self) -> RunInfo {
        RunInfo {
            mode: self.mode,
            method: self.target.method().to_string(),
            path: self.target.path().as_str().to_owned(),
            connections: self.connections,
            duration: self.duration,
            warmup: self.warmup,
        }
    }
}

/// The window of a run: requests that start at or after `record_from` and
/// complete by `end` are recorded; at `end` every connection stops, and a
/// request still in flight is neither recorded nor an error.
#[derive(Debug, Clone, Copy)]
struct Window {
    record_from: Instant,
    end: Instant,
}

/// Runs `plan` against the server and reports what it measured.
///
/// Fails only when the host does not resolve; a server that refuses
/// connections or answers errors is reported, not failed.
pub async fn run(plan: &Plan) -> anyhow::Result<Report> {
    let address = tokio::net::lookup_host(&plan.target.address)
        .await
        .with_context(|| format!("resolving {}", plan.target.address))?
        .next()
        .with_context(|| format!("{} resolves to no address", plan.target.address))?;
    let random = SystemRandom::new();
    let start = Instant::now();
    let window = Window { record_from: start + plan.warmup, end: start + plan.warmup + plan.duration };
    let mut tasks = JoinSet::new();
    for _ in 0..plan.connections {
        let mut seed = [0u8; 24];
        random.fill(&mut seed).map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
        let builder = RequestBuilder::new(plan.target.clone(), &plan.auth, seed);
        tasks.spawn(connection(address, builder, window));
    }
    // Dropping the set at the end stops them.
    let _pollers = if plan.busy_poll { busy_pollers(window.end) } else { JoinSet::new() };
    let mut total = Tally::default();
    while let Some(tally) = tasks.join_next().await {
        total.merge(tally.context("a connection task panicked")?);
    }
    Ok(Report::new(&plan.info(), &total))
}

/// One task per runtime thread that yields until `end`, so no thread parks
/// to wait for the network: the runtime checks for ready sockets without
/// blocking every few dozen task polls, and a response finds its thread
/// awake.
fn busy_pollers(end: Instant) -> JoinSet<()> {
    let mut pollers = JoinSet::new();
    for _ in 0..tokio::runtime::Handle::current().metrics().num_workers() {
        pollers.spawn(async move {
            while Instant::now() < end {
                tokio::task::yield_now().await;
            }
        });
    }
    pollers
}

/// One connection's closed loop: connect, then send one request after
/// another until the window ends, reconnecting when the connection fails.
async fn connection(address: SocketAddr, mut builder: RequestBuilder, window: Window) -> Tally {
    let mut tally = Tally::default();
    let recording = |at: Instant| at >= window.record_from;
    while Instant::now() < window.end {
        let mut conn = match timeout_at(window.end, connect(address)).await {
            Err(_) => break,
            Ok(Some(conn)) => conn,
            Ok(None) => {
                if recording(Instant::now()) {
                    tally.io_errors += 1;
                }
                sleep_until((Instant::now() + RECONNECT_BACKOFF).min(window.end)).await;
                continue;
            }
        };
        loop {
            match timeout_at(window.end, conn.ready()).await {
                Err(_) => return tally,
                Ok(true) => {}
                Ok(false) => {
                    if recording(Instant::now()) {
                        tally.reconnects += 1;
                    }
                    break;
                }
            }
            let request = builder.build(unix_ms());
            let started = Instant::now();
            match timeout_at(window.end, conn.exchange(request)).await {
                Err(_) => return tally,
                Ok(Some(status)) => {
                    if recording(started) {
                        tally.record(status.as_u16(), started.elapsed());
                    }
                }
                Ok(None) => {
                    if recording(started) {
                        tally.io_errors += 1;
                    }
                    break;
                }
            }
        }
    }
    tally
}

/// A client connection: the request sender and the connection that it
/// drives, polled in the same task (no second task per connection).
struct Client {
    sender: SendRequest<Full<Bytes>>,
    connection: Pin<Box<Connection<TokioIo<TcpStream>, Full<Bytes>>>>,
    /// The connection future has completed and must not be polled again.
    closed: bool,
}

/// Opens a connection; `None` when the server cannot be reached.
async fn connect(address: SocketAddr) -> Option<Client> {
    let stream = TcpStream::connect(address).await.ok()?;
    // Latency is what is measured: never wait to coalesce small writes.
    stream.set_nodelay(true).ok()?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.ok()?;
    Some(Client { sender, connection: Box::pin(connection), closed: false })
}

impl Client {
    /// Waits until the connection can take a request; false when the
    /// server closed it.
    async fn ready(&mut self) -> bool {
        if self.closed {
            return false;
        }
        let Client { sender, connection, closed } = self;
        tokio::select! {
            biased;
            result = sender.ready() => result.is_ok(),
            _ = connection => {
                *closed = true;
                false
            }
        }
    }

    /// Sends `request` and reads the whole response; its status, or `None`
    /// if no full response came.
    async fn exchange(&mut self, request: Request<Full<Bytes>>) -> Option<StatusCode> {
        let Client { sender, connection, closed } = self;
        let response = async {
            let response = sender.send_request(request).await?;
            let status = response.status();
            response.into_body().collect().await?;
            Ok::<_, hyper::Error>(status)
        };
        let mut response = pin!(response);
        if !*closed {
            tokio::select! {
                biased;
                result = &mut response => return result.ok(),
                _ = connection => *closed = true,
            }
        }
        // The connection ended (the server closed it after answering, or
        // failed): a response it delivered in full is still read; otherwise
        // the request fails at once.
        response.await.ok()
    }
}

/// The system clock in Unix milliseconds, the timestamp a signature carries.
pub(crate) fn unix_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
