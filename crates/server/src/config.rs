//! Configuration: built-in defaults, then an optional TOML file, then
//! `ALTGATE_*` environment variables, then command-line flags; each layer
//! overrides the one before. Errors name the offending key and where it came
//! from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The prefix of every environment variable the service reads.
pub const ENV_PREFIX: &str = "ALTGATE_";

/// The whole service configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Where the embedded store and every other file of the service live.
    pub data_dir: PathBuf,
    /// The log output format.
    pub log_format: LogFormat,
    /// The log filter, in `tracing` directive syntax (`info`, `altgate_server=debug`…).
    pub log_level: String,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long in-flight requests may take to finish after a shutdown signal, in seconds.
    pub shutdown_timeout_secs: u64,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines, for a terminal.
    #[default]
    Human,
    /// One JSON object per line, for log shippers.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./altgate-data"),
            log_format: LogFormat::Human,
            log_level: "info".to_owned(),
            max_body_bytes: 1024 * 1024,
            shutdown_timeout_secs: 30,
        }
    }
}

/// Values given on the command line; only those that are set override.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    /// `--listen`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// `--data-dir`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--log-format`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

/// A configuration that could not be loaded, naming the key and its source.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {message}")]
pub struct ConfigError {
    message: String,
}

/// The top-level keys, which are also the environment variable names after
/// the prefix. Variables with the prefix but another name are not ours (for
/// example `ALTGATE_LOG` for tests) and are ignored.
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "log_format",
    "log_level",
    "max_body_bytes",
    "shutdown_timeout_secs",
];

impl Config {
    /// Loads the layered configuration.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError {
                    message: format!("config file {} does not exist", path.display()),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let env = Env::prefixed(ENV_PREFIX).split("__").filter(|key| {
            // Keys keep the variable's case here; they are lowercased later.
            let top = key.as_str().split('.').next().unwrap_or_default();
            KEYS.iter().any(|k| k.eq_ignore_ascii_case(top))
        });
        figment
            .merge(env)
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError {
                message: describe(&e),
            })
    }
}

fn describe(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let source = e.metadata.as_ref().map(|m| match &m.source {
                Some(figment::Source::File(path)) => format!("file {}", path.display()),
                _ if m.name.contains("environment") && !e.path.is_empty() => {
                    format!(
                        "environment variable {ENV_PREFIX}{}",
                        e.path.join("__").to_uppercase()
                    )
                }
                _ => m.name.to_string(),
            });
            let source = source.map(|s| format!(" (from {s})")).unwrap_or_default();
            if key.is_empty() {
                format!("{}{source}", e.kind)
            } else {
                format!("key `{key}`{source}: {}", e.kind)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
