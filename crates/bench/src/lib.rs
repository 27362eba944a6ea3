//! `altgate-bench`: the project's own HTTP load tool.
//!
//! It drives a running Altgate server with many concurrent keep-alive
//! HTTP/1.1 connections and reports throughput and latency percentiles:
//!
//! ```sh
//! altgate-bench --url http://127.0.0.1:8080 --path /v1/assets/bitcoin \
//!               --mode signed --key-id key_… --connections 64 --duration 10s --warmup 2s
//! ```
//!
//! # What it measures
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
//!
//! # Layout
//!
//! The pure parts are here to be tested: [`Args`] (the command line),
//! [`RequestBuilder`] (each request's headers for a [`Mode`]), [`Tally`] and
//! [`merge_histograms`] (what connections observed), [`Report`] (the summary
//! and its JSON). [`run`] does the I/O; `main.rs` only prints.

mod args;
mod load;
mod report;
mod request;
mod tally;

pub use args::{Args, ExtraHeader, Mode, Origin, RequestPath, parse_duration};
pub use load::{Plan, run};
pub use report::{Latency, MAX_FAILURE_RATIO, Report, RunInfo};
pub use request::{Auth, RequestBuilder, Target};
pub use tally::{MAX_LATENCY_US, Tally, latency_histogram, merge_histograms};
