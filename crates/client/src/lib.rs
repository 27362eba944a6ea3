//! The Rust SDK for the Altgate API.
//!
//! The wire types it speaks are those of [`altgate_protocol`], re-exported
//! here as [`protocol`], so the SDK and the server cannot disagree about a
//! field.
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

pub use altgate_protocol as protocol;
pub use client::Client;
pub use error::Error;
