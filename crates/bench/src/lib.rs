//! `altgate-bench`: the project's own load tool.
//!
//! It drives a running Altgate server with many concurrent keep-alive
//! HTTP/1.1 connections and reports throughput and latency percentiles:
//!
//! ```sh
//! altgate-bench --url http://127.0.0.1:8080 --path /v1/assets/bitcoin \
//!               --mode signed --key-id key_… --connections 64 --duration 10s --warmup 2s
//! ```
//!
//! or, with `--stream N`, holds N WebSocket subscribers on `/v1/stream` and
//! reports the messages they receive and how long each ticker took from
//! the server's feed to them (see [Stream fan-out](#stream-fan-out)):
//!
//! ```sh
//! altgate-bench --url http://127.0.0.1:8080 --stream 2000 --channels ticker:bitcoin,candles:bitcoin:1m \
//!               --mode bearer --key ag_… --duration 30s --warmup 3s
//! ```
//!
//! # What it measures (HTTP)
//!
//! Each connection is one task with its own HTTP/1.1 connection
//! (`TCP_NODELAY`), sending one request after another on it. A request's
//! latency runs from just before it is sent to the last byte of its response
//! body; building and signing it are not included. Latencies go into one
//! HDR histogram per connection (µs, 1 µs to 60 s, 3 significant figures),
//! merged at the end. Requests during the warmup are sent but not recorded;
//! a request still in flight when the window closes is dropped. `requests`
//! counts responses of any status, and every non-2xx response, and every
//! request that got no response (`io`), is an error. More than 1% of errors
//! fails the run (exit code 1) unless `--allow-errors`.
//!
//! With `--mode signed` every request is signed afresh (`AG1`, HMAC-SHA256
//! keyed by the API key) with the current Unix time and a nonce unique to
//! the connection, so the server's replay check sees what a real client
//! sends.
//!
//! # Against a baseline, in one run
//!
//! `--baseline-path /healthz` (with `--baseline-mode`, `none` by default)
//! makes every connection alternate: the baseline's GET requests during
//! even slices of `--slice` (500 ms), the measured ones during odd slices,
//! so that the two meet the machine in the same state. The report gives
//! each kind as a run over its half of the window, their throughput ratio,
//! and the spread of the per-slice ratios (see [`AlternatingReport`]).
//! Alternating a request with itself measures 1.00 (1.001 and 1.008 in two
//! runs of `/healthz` against `/healthz`), so the turns themselves favour
//! neither kind.
//!
//! # Reading the numbers
//!
//! - **Closed loop.** A connection sends its next request only when the
//!   previous response is read, so with N connections throughput ≈ N /
//!   mean latency. A slower server gets fewer requests rather than a queue,
//!   so the percentiles show service time under this concurrency, not the
//!   latency an open stream of arrivals would see (no coordinated-omission
//!   correction). Raise `--connections` until throughput stops growing to
//!   find the saturation point.
//! - **Same machine.** Run on the server's machine, the tool competes with
//!   it for CPU. Compare ratios measured in one session (for example bearer
//!   against signed, run back to back with the same flags), not absolute
//!   numbers across runs or machines.
//! - **The tool's own cost.** An HTTP/1.1 client spends about as much CPU
//!   on a request as a lean server does on answering it (on a 2-core
//!   machine, 15–23 µs a request each), so one core of load tool only just
//!   keeps one core of server busy. Pin the two apart (`taskset`) and check
//!   that the server is close to 100% busy, as `bench/http_auth.sh` reports;
//!   where it is not, part of what is measured is the tool. The tool uses
//!   mimalloc, as the server does, and signs each request outside the timed
//!   part but on the same core.
//!
//! # Stream fan-out
//!
//! `--stream N --channels ticker:<asset>,candles:<asset>:<interval>,…`
//! (`--path` defaults to `/v1/stream`):
//!
//! 1. **Connect.** N subscribers, one task and one connection each
//!    (`TCP_NODELAY`, 8 KiB WebSocket buffers), connect at most
//!    `--connect-concurrency` (100) at a time. Each sends the upgrade with
//!    the credentials of `--mode` (`Authorization: Bearer`, or a fresh
//!    `AG1` signature of `GET /v1/stream`; with `--auth-message` the bearer
//!    key goes in `{"op":"auth"}` instead), waits for `ready`, subscribes
//!    to every channel and waits for `subscribed`, all within
//!    `--connect-timeout` (10 s). A subscriber that does not get there is a
//!    connect failure, counted by reason: `timeout`, `refused`,
//!    `http 429`, `closed 4001`, `error unknown_key`, … The report gives
//!    the time until every subscriber had succeeded or failed
//!    (`connect_s`) and each one's setup time (`setup_ms`).
//! 2. **Warm up, then measure.** Once all have reported, `--warmup`, then
//!    the `--duration` window. Subscribers read all along (a slow reader
//!    would be disconnected by the server), but only messages arriving in
//!    the window are counted, by `type`, and only their tickers timed.
//!    At the end each subscriber sends a close frame (1000).
//!
//! **Latency** of a ticker is the receive time minus its `updated_at`,
//! both read from the system clock, so run the tool on the server's
//! machine (or on clocks known to agree). Latencies are recorded in µs
//! into one HDR histogram (1 µs to 60 s, 3 significant figures) and
//! reported in ms to 0.1 ms. `updated_at` has ms resolution, truncated, so
//! each value overstates the true latency by 0 to 1 ms (0.5 ms on average).
//! A ticker stamped later than it arrived is recorded as 0 and counted in
//! `below_zero`.
//!
//! **Correctness** is watched over the whole run, connecting and warmup
//! included: every message's `seq` must be the previous one's plus one
//! (anything else is one gap), a close frame from the server is counted by
//! its code (4008: too slow), and anything else (an `error` message, a
//! connection dropped without a close frame, a message that is not the
//! protocol's) is an error. Any connect failure, gap, close or error, or
//! no message at all in the window, fails the run (exit code 1) unless
//! `--allow-errors`.
//!
//! **Cost.** Messages are not parsed as JSON: `seq` and `type` are read
//! from the `{"seq":N,"type":"…"` prefix the server writes (other layouts
//! fall back to a JSON parse), and a ticker's `updated_at` is found by
//! substring and read by hand. On a 2-core machine 2000 subscribers take
//! a few percent of a core at the demo's rate.
//!
//! **Open files.** Each subscriber holds a socket: the run refuses to
//! start when the soft `ulimit -n` is below N + 256, saying what to raise
//! it to, rather than failing half-way through the ramp (a server started
//! from the same shell needs as many).
//!
//! With `--json` the report is one object: see [`StreamReport`].
//!
//! # Layout
//!
//! The pure parts are here to be tested: [`Args`] (the command line, into a
//! [`Command`]), [`RequestBuilder`] (each request's headers for a
//! [`Mode`]), [`Tally`] and [`merge_histograms`] (what connections
//! observed), [`Report`], [`AlternatingReport`] and [`StreamReport`] (the
//! summaries and their JSON). [`run`], [`run_alternating`] and
//! [`run_stream`] do the I/O; `main.rs` only prints.

mod alternate;
mod args;
mod load;
mod report;
mod request;
mod stream;
mod tally;

pub use alternate::{AlternatingReport, SliceRatios};
pub use args::{Args, Command, ExtraHeader, Mode, Origin, RequestPath, parse_duration};
pub use load::{Baseline, Plan, run, run_alternating};
pub use report::{Latency, MAX_FAILURE_RATIO, Report, RunInfo};
pub use request::{Auth, RequestBuilder, Target};
pub use stream::{STREAM_PATH, StreamInfo, StreamLatency, StreamPlan, StreamReport, StreamTally, run_stream};
pub use tally::{MAX_LATENCY_US, Tally, latency_histogram, merge_histograms};
