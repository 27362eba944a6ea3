//! The stream fan-out mode: many WebSocket subscribers on `/v1/stream`,
//! timing how long each ticker takes from the server's feed to a client.

mod limits;
mod message;
mod report;
mod subscriber;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use altgate_protocol::stream::{Channel, ClientMessage};
use anyhow::Context;
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

pub use report::{StreamInfo, StreamLatency, StreamReport, StreamTally};

use crate::args::{Mode, Origin, RequestPath};
use crate::request::{Auth, RequestBuilder, Target};
use crate::tally::latency_histogram;

/// The path of the stream endpoint.
pub const STREAM_PATH: &str = "/v1/stream";

/// A fan-out run: who subscribes to what, how fast they connect, and for
/// how long they are measured.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    /// The server.
    pub origin: Origin,
    /// The stream's path (normally [`STREAM_PATH`]).
    pub path: RequestPath,
    /// Extra headers on every upgrade request.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The credentials of the upgrade request (or of the `auth` message).
    pub auth: Auth,
    /// The mode the credentials came from, for the report.
    pub mode: Mode,
    /// Send the key in an `{"op":"auth"}` message instead of on the
    /// upgrade request (bearer keys only).
    pub auth_message: bool,
    /// The channels every subscriber subscribes to.
    pub channels: Vec<Channel>,
    /// WebSocket connections, one subscriber each.
    pub subscribers: u32,
    /// Subscribers setting up (connect to `subscribed`) at once.
    pub connect_concurrency: u32,
    /// The longest one subscriber's setup may take.
    pub connect_timeout: Duration,
    /// Receiving without recording, after everyone subscribed.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
}

impl StreamPlan {
    /// `ws://host:port/path`.
    pub fn url(&self) -> String {
        format!("ws://{}{}", self.origin.authority, self.path)
    }

    /// What the report says was run.
    pub fn info(&self) -> StreamInfo {
        StreamInfo {
            mode: self.mode,
            url: self.url(),
            channels: self.channels.iter().map(Channel::to_string).collect(),
            subscribers: self.subscribers,
            warmup: self.warmup,
            duration: self.duration,
        }
    }

    fn messages(&self) -> anyhow::Result<(Option<Utf8Bytes>, Utf8Bytes)> {
        let auth = match (&self.auth, self.auth_message) {
            (_, false) => None,
            (Auth::Bearer(key), true) => {
                let auth = ClientMessage::Auth { key: key.expose_secret().to_owned() };
                Some(serde_json::to_string(&auth)?.into())
            }
            (_, true) => anyhow::bail!("an `auth` message carries a bearer key: use --mode bearer"),
        };
        let subscribe = serde_json::to_string(&ClientMessage::Subscribe { channels: self.channels.clone() })?;
        Ok((auth, subscribe.into()))
    }
}

/// Messages that arrive in `[record_from, end)` are counted.
#[derive(Debug, Clone, Copy)]
struct Window {
    record_from: Instant,
    end: Instant,
}

/// Runs a fan-out measurement and reports it.
///
/// Every subscriber connects (at most `connect_concurrency` at once),
/// authenticates and subscribes; once all of them have succeeded or
/// failed, the warmup starts, then the measured window. Fails only when
/// the open-file limit is too low for the subscribers, or the host does
/// not resolve; a server that refuses or drops subscribers is reported,
/// not failed.
pub async fn run_stream(plan: &StreamPlan) -> anyhow::Result<StreamReport> {
    limits::check(limits::open_files(), u64::from(plan.subscribers)).map_err(anyhow::Error::msg)?;
    let address = tokio::net::lookup_host(&plan.origin.address)
        .await
        .with_context(|| format!("resolving {}", plan.origin.address))?
        .next()
        .with_context(|| format!("{} resolves to no address", plan.origin.address))?;
    let (auth_message, subscribe) = plan.messages()?;
    let shared = Arc::new(subscriber::Shared {
        address,
        url: plan.url(),
        auth_message,
        subscribe,
        connect_timeout: plan.connect_timeout,
        ramp: Semaphore::new(usize::try_from(plan.connect_concurrency.max(1)).unwrap_or(usize::MAX)),
        latencies: Mutex::new(latency_histogram()),
    });
    // Upgrade requests carry the credentials of an HTTP request to the
    // stream's path (a bearer key, or a fresh signature each), unless the
    // key goes in the `auth` message.
    let target = Arc::new(Target::new(&plan.origin, Method::GET, &plan.path, Vec::new(), plan.headers.clone()));
    let upgrade_auth = if plan.auth_message { Auth::None } else { plan.auth.clone() };
    let random = SystemRandom::new();
    let (setup_tx, mut setup_rx) = mpsc::unbounded_channel();
    let (window_tx, window_rx) = watch::channel(None);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..plan.subscribers {
        let mut seed = [0u8; 24];
        random.fill(&mut seed).map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
        let builder = RequestBuilder::new(target.clone(), &upgrade_auth, seed);
        tasks.spawn(subscriber::run(shared.clone(), builder, setup_tx.clone(), window_rx.clone()));
    }
    drop(setup_tx);

    let mut tally = StreamTally::default();
    // Each subscriber reports its setup once and then drops its sender, so
    // this ends when all have (or a task died).
    while let Some(setup) = setup_rx.recv().await {
        tally.add_setup(setup);
    }
    tally.connect_time = started.elapsed();

    let start = Instant::now();
    let window = if tally.subscribed == 0 {
        // Nobody to measure: end at once.
        Window { record_from: start, end: start }
    } else {
        Window { record_from: start + plan.warmup, end: start + plan.warmup + plan.duration }
    };
    window_tx.send_replace(Some(window));
    while let Some(counts) = tasks.join_next().await {
        tally.add(counts.context("a subscriber task panicked")?);
    }
    tally.latencies = std::mem::replace(
        &mut *shared.latencies.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        latency_histogram(),
    );
    Ok(StreamReport::new(&plan.info(), &tally))
}
