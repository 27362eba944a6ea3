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

use crate::alternate::{AlternatingReport, Slices, Turn, whole_pairs};
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
    /// The requests to alternate with, if any (`--baseline-path`).
    pub baseline: Option<Baseline>,
}

/// The baseline of an alternating run: what it sends, and how long each
/// kind's turn lasts (see [`crate::alternate`]).
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The baseline's requests.
    pub target: Arc<Target>,
    /// Their credentials.
    pub auth: Auth,
    /// The mode the credentials came from, for the report.
    pub mode: Mode,
    /// How long each turn lasts.
    pub slice: Duration,
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
/// request still in flight is neither recorded nor an error. In an
/// alternating run, `slices` says whose turn it is.
#[derive(Debug, Clone, Copy)]
struct Window {
    record_from: Instant,
    end: Instant,
    slices: Option<Slices>,
    /// The slice `record_from` starts (0 without slices).
    first_recorded: u64,
}

impl Window {
    /// For a request built at `at`: which of a connection's builders makes
    /// it (the only one, or the measured (0) and the baseline (1) by turns),
    /// and the recorded slice it counts in, from `record_from` (which
    /// starts a slice).
    fn turn(&self, at: Instant) -> (usize, Option<usize>) {
        let Some(slices) = self.slices else { return (0, None) };
        let index = slices.index(at);
        let builder = match Turn::of(index) {
            Turn::Measured => 0,
            Turn::Baseline => 1,
        };
        let recorded = (at >= self.record_from && at < self.end)
            .then(|| usize::try_from(index - self.first_recorded).unwrap_or(usize::MAX));
        (builder, recorded)
    }
}

/// What one connection, or all of them merged, observed: a tally per
/// builder, and in an alternating run the requests built in each recorded
/// slice.
#[derive(Debug, Default)]
struct Observed {
    tallies: Vec<Tally>,
    slices: Vec<u64>,
}

impl Observed {
    fn new(builders: usize) -> Observed {
        Observed { tallies: (0..builders).map(|_| Tally::default()).collect(), slices: Vec::new() }
    }

    fn merge(&mut self, other: Observed) {
        for (tally, theirs) in self.tallies.iter_mut().zip(other.tallies) {
            tally.merge(theirs);
        }
        if self.slices.len() < other.slices.len() {
            self.slices.resize(other.slices.len(), 0);
        }
        for (count, theirs) in self.slices.iter_mut().zip(other.slices) {
            *count += theirs;
        }
    }
}

/// Runs `plan` against the server and reports what it measured; the
/// measured requests only, when `plan` has a baseline (see
/// [`run_alternating`]).
///
/// Fails only when the host does not resolve; a server that refuses
/// connections or answers errors is reported, not failed.
pub async fn run(plan: &Plan) -> anyhow::Result<Report> {
    let start = Instant::now();
    let (record_from, end) = (start + plan.warmup, start + plan.warmup + plan.duration);
    let window = Window { record_from, end, slices: None, first_recorded: 0 };
    let observed = drive(plan, window).await?;
    let tally = observed.tallies.into_iter().next().unwrap_or_default();
    Ok(Report::new(&plan.info(), &tally))
}

/// Runs `plan` with its baseline by turns (see [`crate::alternate`]): the
/// warm-up and the window are rounded up to whole pairs of slices.
///
/// # Errors
/// As [`run`], and when `plan` has no baseline.
pub async fn run_alternating(plan: &Plan) -> anyhow::Result<AlternatingReport> {
    let baseline = plan.baseline.as_ref().context("an alternating run needs a baseline")?;
    let (warmup, duration) = (whole_pairs(plan.warmup, baseline.slice), whole_pairs(plan.duration, baseline.slice));
    let start = Instant::now();
    let slices = Slices::new(start, baseline.slice);
    let record_from = start + warmup;
    let window = Window {
        record_from,
        end: record_from + duration,
        slices: Some(slices),
        first_recorded: slices.index(record_from),
    };
    let observed = drive(plan, window).await?;
    let mut tallies = observed.tallies.into_iter();
    let (measured, base) = (tallies.next().unwrap_or_default(), tallies.next().unwrap_or_default());
    let half = RunInfo { duration: duration / 2, warmup, ..plan.info() };
    let baseline_info = RunInfo {
        mode: baseline.mode,
        method: baseline.target.method().to_string(),
        path: baseline.target.path().as_str().to_owned(),
        ..half
    };
    let mut counts = observed.slices;
    counts.resize(usize::try_from(duration.as_nanos() / baseline.slice.as_nanos().max(1)).unwrap_or(0), 0);
    Ok(AlternatingReport::new(
        Report::new(&half, &measured),
        Report::new(&baseline_info, &base),
        baseline.slice,
        &counts,
    ))
}

/// Opens `plan.connections` connections and drives them until `window`
/// ends: with the measured requests, and the baseline's by turns when the
/// window has slices.
async fn drive(plan: &Plan, window: Window) -> anyhow::Result<Observed> {
    let address = tokio::net::lookup_host(&plan.target.address)
        .await
        .with_context(|| format!("resolving {}", plan.target.address))?
        .next()
        .with_context(|| format!("{} resolves to no address", plan.target.address))?;
    let random = SystemRandom::new();
    let seed = || -> anyhow::Result<[u8; 24]> {
        let mut seed = [0u8; 24];
        random.fill(&mut seed).map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
        Ok(seed)
    };
    let mut tasks = JoinSet::new();
    for _ in 0..plan.connections {
        let mut builders = vec![RequestBuilder::new(plan.target.clone(), &plan.auth, seed()?)];
        if let (Some(baseline), Some(_)) = (&plan.baseline, window.slices) {
            builders.push(RequestBuilder::new(baseline.target.clone(), &baseline.auth, seed()?));
        }
        tasks.spawn(connection(address, builders, window));
    }
    // Dropping the set at the end stops them.
    let _pollers = if plan.busy_poll { busy_pollers(window.end) } else { JoinSet::new() };
    let mut total = Observed::new(if window.slices.is_some() { 2 } else { 1 });
    while let Some(observed) = tasks.join_next().await {
        total.merge(observed.context("a connection task panicked")?);
    }
    Ok(total)
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
/// Each request is built by the builder whose turn it is.
async fn connection(address: SocketAddr, mut builders: Vec<RequestBuilder>, window: Window) -> Observed {
    let mut observed = Observed::new(builders.len());
    let recording = |at: Instant| at >= window.record_from;
    // A failure between requests counts against whoever's turn it is.
    while Instant::now() < window.end {
        let mut conn = match timeout_at(window.end, connect(address)).await {
            Err(_) => break,
            Ok(Some(conn)) => conn,
            Ok(None) => {
                let now = Instant::now();
                if recording(now) {
                    observed.tallies[window.turn(now).0].io_errors += 1;
                }
                sleep_until((Instant::now() + RECONNECT_BACKOFF).min(window.end)).await;
                continue;
            }
        };
        loop {
            match timeout_at(window.end, conn.ready()).await {
                Err(_) => return observed,
                Ok(true) => {}
                Ok(false) => {
                    let now = Instant::now();
                    if recording(now) {
                        observed.tallies[window.turn(now).0].reconnects += 1;
                    }
                    break;
                }
            }
            let built_at = Instant::now();
            let (which, slice) = window.turn(built_at);
            let request = builders[which].build(unix_ms());
            let started = Instant::now();
            let outcome = timeout_at(window.end, conn.exchange(request)).await;
            let tally = &mut observed.tallies[which];
            match outcome {
                Err(_) => return observed,
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
            if let Some(slice) = slice {
                if observed.slices.len() <= slice {
                    observed.slices.resize(slice + 1, 0);
                }
                observed.slices[slice] += 1;
            }
        }
    }
    observed
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
