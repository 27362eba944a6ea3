//! The Rust SDK for the Altgate API.
//!
//! The wire types it speaks are those of [`altgate_protocol`], re-exported
//! here as [`protocol`], so the SDK and the server cannot disagree about a
//! field. Every endpoint has a typed method on [`Client`].
//!
//! # Quickstart
//!
//! ```no_run
//! # async fn run() -> Result<(), altgate_client::Error> {
//! use altgate_client::Client;
//! let client = Client::new("http://127.0.0.1:8080", "key_3XfN8bQ2LrT7aPq9", "ag_live_…")?;
//! client.sync_clock().await?;
//! let ethereum = client.asset("ethereum").await?;
//! println!("{} is in {:?}", ethereum.name, ethereum.categories);
//! # Ok(()) }
//! ```
//!
//! # Credentials
//!
//! A client carries its key in one of three ways ([`AuthMode`]):
//!
//! - **HMAC-signed** ([`Client::new`]): every request is signed with
//!   HMAC-SHA256 under the key, with a timestamp and a fresh CSPRNG nonce,
//!   so the key never crosses the network and a captured request cannot be
//!   replayed. Every endpoint accepts it.
//! - **Ed25519-signed** ([`Client::with_ed25519`]): the same, with a private
//!   key the server never sees.
//! - **Bearer** ([`Client::bearer`]): the key itself in
//!   `Authorization: Bearer`. Enough for market data and analytics (`read`);
//!   key management and administration answer `signature_required`.
//!
//! Credentials can also come from a file ([`Client::with_credentials_file`])
//! or the environment ([`Client::from_env`]: `ALTGATE_CREDENTIALS_FILE`, or
//! `ALTGATE_KEY_ID`, `ALTGATE_KEY`, `ALTGATE_NEXT_KEY_ID`,
//! `ALTGATE_NEXT_KEY` and `ALTGATE_AUTH=hmac|bearer`):
//!
//! ```no_run
//! # async fn run() -> Result<(), altgate_client::Error> {
//! let client = altgate_client::Client::from_env("http://127.0.0.1:8080")?;
//! let prices = client.prices(&["bitcoin"]).await?;
//! # Ok(()) }
//! ```
//!
//! # Key rotation
//!
//! Keys rotate under a running client: give it the successor
//! ([`Client::set_next_key`]), or let it read a credentials file or the
//! environment, and it switches when the server answers `key_expired`,
//! `key_revoked` or `unknown_key`, retrying the refused call with the new
//! key, for every auth mode.
//!
//! # Clock and retries
//!
//! Signed requests carry a timestamp the server accepts within a window
//! (30 s by default). [`Client::sync_clock`] measures the offset of the
//! server's clock NTP-style, and a call refused with
//! `timestamp_out_of_window` re-syncs once and is signed again. A call is
//! sent again only when that is safe:
//!
//! - a request the server refused before running it (a refused key, a
//!   stale timestamp, a 429 with `Retry-After` of up to a minute) is sent
//!   again, whatever its method, signed anew with a fresh nonce;
//! - a transport error (connection reset, timeout) leaves unknown whether
//!   the server acted, so only GET requests are tried again (three tries,
//!   exponential backoff with jitter). POST and PATCH requests are never
//!   sent twice after one; the error is returned. The server does not take
//!   an `Idempotency-Key` yet; once it does, the SDK will send one with
//!   every non-GET request and retry those too.
//!
//! # Errors
//!
//! [`Error`] carries the problem document of every refusal: match on
//! [`Error::code`], and read [`Error::status`], [`Error::retry_after_secs`]
//! and [`Error::problem`].
//!
//! # Streaming
//!
//! [`Client::stream`] follows `/v1/stream`, reconnecting, resubscribing
//! and reporting gaps ([`StreamEvent`]).

mod access;
mod catalog;
mod client;
mod credentials;
mod error;
mod keyring;
mod market;
mod stream;
mod system;
#[cfg(test)]
mod test_keys;
mod transport;

pub use access::AuditQuery;
pub use altgate_protocol as protocol;
pub use catalog::AssetsQuery;
pub use client::Client;
pub use credentials::{AuthMode, generate_ed25519};
pub use error::Error;
pub use market::{ImportOptions, OhlcvQuery};
pub use stream::{Stream, StreamEvent};
