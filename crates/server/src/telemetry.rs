//! Logging setup: `tracing` to stderr, human-readable or JSON.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. The `ALTGATE_LOG` environment variable,
/// when set, overrides the configured filter (handy for one-off debugging).
///
/// Returns an error if the filter does not parse, or if a subscriber is
/// already installed.
pub fn init(format: LogFormat, filter: &str) -> Result<(), TelemetryError> {
    let filter = match std::env::var("ALTGATE_LOG") {
        Ok(from_env) => EnvFilter::try_new(from_env),
        Err(_) => EnvFilter::try_new(filter),
    }
    .map_err(|e| TelemetryError(e.to_string()))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
    };
    installed.map_err(|e| TelemetryError(e.to_string()))
}

/// Logging could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up logging: {0}")]
pub struct TelemetryError(String);
