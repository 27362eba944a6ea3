//! Configuration: built-in defaults, then an optional TOML file, then
//! `ALTGATE_*` environment variables, then command-line flags; each layer
//! overrides the one before. Errors name the offending key and where it came
//! from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod market;

pub use market::{BinanceConfig, FeedsConfig, MarketConfig, SimulatorConfig};

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
    /// The keyring (peppers, master keys, audit key). Defaults to
    /// `<data_dir>/keyring.toml`, created on first start; keep it elsewhere,
    /// on protected storage, in production.
    pub keyring_file: Option<PathBuf>,
    /// Per-plan default limits.
    pub plans: Plans,
    /// Free self-service signup.
    pub signup: SignupConfig,
    /// Proxies whose `X-Forwarded-For` is believed (CIDR). Empty: the peer
    /// address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How often usage counters and `last_used_at` are written to the store, in seconds.
    pub usage_flush_secs: u64,
    /// Signed requests.
    pub signing: SigningConfig,
    /// Market data.
    pub market: MarketConfig,
    /// Price feeds.
    pub feeds: FeedsConfig,
}

/// Signed requests: freshness and replay protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// How far a signed request's timestamp may be from the server's clock,
    /// in seconds (5 to 120); keys may set their own.
    pub window_secs: u32,
    /// The most nonces remembered at once. Each takes about 30 bytes and is
    /// held for its key's window plus up to 30 s; when full, signed requests
    /// are refused (503) until older nonces expire, rather than forgetting
    /// nonces that could then be replayed.
    pub max_live_nonces: usize,
}

impl Default for SigningConfig {
    fn default() -> Self {
        SigningConfig { window_secs: 30, max_live_nonces: 6_000_000 }
    }
}

/// The limits of every plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plans {
    /// The self-service plan.
    pub free: PlanLimits,
    /// The first paid tier.
    pub silver: PlanLimits,
    /// The second paid tier.
    pub gold: PlanLimits,
    /// The highest tier.
    pub platinum: PlanLimits,
}

impl Plans {
    /// The limits of `plan`.
    pub fn limits(&self, plan: altgate_protocol::Plan) -> PlanLimits {
        use altgate_protocol::Plan;
        match plan {
            Plan::Free => self.free,
            Plan::Silver => self.silver,
            Plan::Gold => self.gold,
            Plan::Platinum => self.platinum,
        }
    }
}

impl Default for Plans {
    fn default() -> Self {
        Plans {
            free: PlanLimits { rate_per_minute: 120, monthly_quota: 100_000 },
            silver: PlanLimits { rate_per_minute: 600, monthly_quota: 2_000_000 },
            gold: PlanLimits { rate_per_minute: 3_000, monthly_quota: 20_000_000 },
            platinum: PlanLimits { rate_per_minute: 12_000, monthly_quota: 200_000_000 },
        }
    }
}

/// One plan's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanLimits {
    /// Requests per minute, shared by all keys of an account (and the
    /// default for each key).
    pub rate_per_minute: u32,
    /// Requests per UTC calendar month, per account and environment.
    pub monthly_quota: u64,
}

/// Free self-service signup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupConfig {
    /// Whether `POST /v1/signup` is open.
    pub enabled: bool,
    /// Signups accepted per client address per hour.
    pub per_ip_per_hour: u32,
}

impl Default for SignupConfig {
    fn default() -> Self {
        SignupConfig { enabled: true, per_ip_per_hour: 5 }
    }
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
            keyring_file: None,
            plans: Plans::default(),
            signup: SignupConfig::default(),
            trusted_proxies: Vec::new(),
            usage_flush_secs: 5,
            signing: SigningConfig::default(),
            market: MarketConfig::default(),
            feeds: FeedsConfig::default(),
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

impl Config {
    /// Loads the layered configuration.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError { message: format!("config file {} does not exist", path.display()) });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // Variables with the prefix whose name is not one of ours (such as
        // `ALTGATE_LOG`, read by the logger) are ignored; names match the
        // top-level keys, with `__` separating nested ones.
        let ours = top_level_keys();
        let env = Env::prefixed(ENV_PREFIX).split("__").filter(move |key| {
            // Keys keep the variable's case here; they are lowercased later.
            let top = key.as_str().split('.').next().unwrap_or_default();
            ours.iter().any(|k| k.eq_ignore_ascii_case(top))
        });
        let config: Config = figment
            .merge(env)
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError { message: describe(&e) })?;
        config.check()?;
        Ok(config)
    }

    /// Ranges that types alone do not express.
    fn check(&self) -> Result<(), ConfigError> {
        if !(5..=120).contains(&self.signing.window_secs) {
            return Err(ConfigError { message: "key `signing.window_secs`: must be from 5 to 120".to_owned() });
        }
        if !(1..=1 << 20).contains(&self.market.stream_buffer) {
            return Err(ConfigError { message: "key `market.stream_buffer`: must be from 1 to 1048576".to_owned() });
        }
        if self.signing.max_live_nonces == 0 {
            return Err(ConfigError { message: "key `signing.max_live_nonces`: must be at least 1".to_owned() });
        }
        Ok(())
    }
}

impl Config {
    /// Where the keyring lives.
    pub fn keyring_path(&self) -> PathBuf {
        self.keyring_file.clone().unwrap_or_else(|| self.data_dir.join("keyring.toml"))
    }
}

/// The top-level keys of [`Config`], read off its serialised default.
fn top_level_keys() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
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
                    format!("environment variable {ENV_PREFIX}{}", e.path.join("__").to_uppercase())
                }
                _ => m.name.to_string(),
            });
            let source = source.map(|s| format!(" (from {s})")).unwrap_or_default();
            if key.is_empty() { format!("{}{source}", e.kind) } else { format!("key `{key}`{source}: {}", e.kind) }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
