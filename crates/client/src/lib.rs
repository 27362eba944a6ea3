//! The Rust SDK for the Altgate API.
//!
//! The wire types it speaks are those of [`altgate_protocol`], re-exported
//! here as [`protocol`], so the SDK and the server cannot disagree about a
//! field.
//!
//! Every request is signed (HMAC-SHA256 with the key, a fresh CSPRNG nonce
//! and a timestamp). The client keeps its clock in step with the server's:
//! [`Client::sync_clock`] measures the offset NTP-style, and a call refused
//! with `timestamp_out_of_window` re-syncs once and is signed again. A 429
//! is waited out once (`Retry-After`, up to a minute); GET requests are
//! retried through transient network errors with exponential backoff and
//! jitter; other requests are never replayed blindly.
//!
//! Keys rotate under a running client: give it the successor
//! ([`Client::set_next_key`]) or point it at a credentials file
//! ([`Client::with_credentials_file`]) and it switches when the server says
//! the old key expired. [`Client::stream`] follows `/v1/stream`,
//! reconnecting, resubscribing and reporting gaps.
//!
//! ```no_run
//! # async fn run() -> Result<(), altgate_client::Error> {
//! use altgate_client::Client;
//! let client = Client::new("http://127.0.0.1:8080", "key_3XfN8bQ2LrT7aPq9", "ag_live_…")?;
//! let ethereum = client.asset("ethereum").await?;
//! println!("{} is in {:?}", ethereum.name, ethereum.categories);
//! # Ok(()) }
//! ```

mod client;
mod error;
mod keyring;
mod market;
mod stream;

pub use altgate_protocol as protocol;
pub use client::Client;
pub use error::Error;
pub use keyring::generate_ed25519;
pub use market::OhlcvQuery;
pub use stream::{Stream, StreamEvent};
