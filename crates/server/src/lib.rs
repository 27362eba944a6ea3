//! The Altgate service: an axum application over a [`store::Store`].
//!
//! The binary builds an [`Application`] from a [`Config`] and runs it until a
//! shutdown signal; tests do the same on port 0 with a temporary data
//! directory and a [`ManualClock`].
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use altgate_server::{Application, Config, shutdown_signal};
//! let app = Application::build(Config::default()).await?;
//! println!("listening on {}", app.local_addr());
//! app.run_until_stopped(shutdown_signal()).await?;
//! # Ok(()) }
//! ```

mod access;
mod analytics;
mod app;
pub mod audit;
mod catalog_cache;
mod clock;
pub mod config;
pub mod feeds;
mod http;
mod id_map;
pub mod lock;
mod log_throttle;
mod market;
mod metrics;
mod platform;
mod ratelimit;
pub mod replay;
pub mod secrets;
mod state;
pub mod store;
pub mod telemetry;

pub use access::accounts::Bootstrap;
pub use access::master_key::MasterKeyReport;
pub use access::operator::Operator;
pub use access::{PlatformError, Principal, Refusal};
pub use app::{Application, StartError, shutdown_signal};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, ConfigError, LogFormat, Overrides};
pub use http::openapi_document;
pub use market::{ImportFailure, ImportProgress, LISTED_REJECTIONS};
pub use platform::{OpenError, Platform};
