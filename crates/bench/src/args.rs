//! The command line, parsed into typed values at the edge.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use altgate_protocol::stream::Channel;
use altgate_protocol::{ApiKey, KeyId};
use clap::{CommandFactory, Parser, ValueEnum};
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};
use hyper::http::uri::{PathAndQuery, Uri};
use serde::Serialize;

use crate::load::{Baseline, Plan};
use crate::request::{Auth, Target};
use crate::stream::{STREAM_PATH, StreamPlan};

/// Drives a running Altgate server with concurrent keep-alive HTTP/1.1
/// connections and reports throughput and latency percentiles; or, with
/// `--stream N`, holds N WebSocket subscribers on `/v1/stream` and reports
/// the message rate and each ticker's latency from the server's feed.
///
/// HTTP (the default) is a closed loop: each connection sends its next
/// request as soon as the previous response is read, so throughput is
/// connections / latency. Run on the server's machine, the tool competes
/// with it for CPU: compare ratios measured in the same session, not
/// absolute numbers across machines. Exits with 1 when more than 1% of
/// requests failed (non-2xx or I/O), unless --allow-errors.
///
/// Stream fan-out (`--stream N --channels ticker:bitcoin,…`): connects N
/// subscribers (--connect-concurrency at a time), authenticates and
/// subscribes each, then after --warmup counts every message for
/// --duration and times each ticker as now - its `updated_at` (same
/// clock: run on the server's machine). Exits with 1 when a subscriber
/// failed to connect, a `seq` gap, a server close or an error happened, or
/// nothing arrived, unless --allow-errors. N sockets need N open files:
/// raise `ulimit -n` first.
///
/// Exits with 2 on a usage error.
#[derive(Debug, Parser)]
#[command(name = "altgate-bench", version)]
pub struct Args {
    /// The server's base URL: `http://`, a host and a port, no path.
    #[arg(long, value_parser = Origin::parse)]
    pub url: Origin,

    /// The request path, with an optional query, sent and signed exactly as given
    /// (with --stream: the stream's path, `/v1/stream` by default).
    #[arg(long, value_parser = RequestPath::parse, required_unless_present = "stream")]
    pub path: Option<RequestPath>,

    /// The credentials each request carries (with --stream: each upgrade request).
    #[arg(long, value_enum, default_value_t = Mode::None)]
    pub mode: Mode,

    /// Concurrent connections, each one task sending one request at a time.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub connections: u32,

    /// Stream fan-out instead of HTTP: this many WebSocket subscribers on the stream.
    #[arg(
        long,
        value_name = "SUBSCRIBERS",
        value_parser = clap::value_parser!(u32).range(1..=200_000),
        requires = "channels",
        conflicts_with_all = ["connections", "method", "body"],
        help_heading = "Stream fan-out"
    )]
    pub stream: Option<u32>,

    /// The channels each subscriber subscribes to, comma-separated
    /// (`ticker:<asset>`, `candles:<asset>:<interval>`).
    #[arg(
        long,
        value_name = "CHANNEL,…",
        value_delimiter = ',',
        value_parser = parse_channel,
        requires = "stream",
        help_heading = "Stream fan-out"
    )]
    pub channels: Vec<Channel>,

    /// Subscribers connecting at once while ramping up (each from connect to `subscribed`).
    #[arg(
        long,
        default_value_t = 100,
        value_parser = clap::value_parser!(u32).range(1..=100_000),
        requires = "stream",
        help_heading = "Stream fan-out"
    )]
    pub connect_concurrency: u32,

    /// The longest one subscriber may take from connecting to `subscribed`.
    #[arg(long, default_value = "10s", value_parser = parse_duration, requires = "stream", help_heading = "Stream fan-out")]
    pub connect_timeout: Duration,

    /// Send the key in an `{"op":"auth"}` message instead of on the upgrade request (--mode bearer).
    #[arg(long, requires = "stream", help_heading = "Stream fan-out")]
    pub auth_message: bool,

    /// How long to measure, after the warmup (`10s`, `500ms`, `2m`; a bare number is seconds).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,

    /// How long to send requests before measuring; they are not recorded.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub warmup: Duration,

    /// The public key id (`key_…`); required with `--mode signed`.
    #[arg(long, value_parser = KeyId::parse, required_if_eq("mode", "signed"))]
    pub key_id: Option<KeyId>,

    /// The API key (`ag_…`); required with `--mode bearer` and `--mode signed`.
    #[arg(
        long,
        env = "ALTGATE_KEY",
        hide_env_values = true,
        value_parser = ApiKey::parse,
        required_if_eq_any([("mode", "bearer"), ("mode", "signed")])
    )]
    pub key: Option<ApiKey>,

    /// The request method.
    #[arg(long, default_value = "GET")]
    pub method: Method,

    /// A request body, sent (and signed) with every request.
    #[arg(long)]
    pub body: Option<String>,

    /// An extra request header, `name: value`; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = ExtraHeader::parse)]
    pub headers: Vec<ExtraHeader>,

    /// Keep the tool's threads busy polling for responses instead of
    /// sleeping until one arrives. Against a server on the same machine, a
    /// sleeping tool must be woken for each response, and the server's CPU
    /// pays for that wakeup (an inter-processor interrupt, dear in a virtual
    /// machine): the slower the endpoint, the more often the tool sleeps, so
    /// the wakeups weigh most on the slowest. The tool's CPU then runs at
    /// 100%.
    #[arg(long)]
    pub busy_poll: bool,

    /// Alternate with a baseline: send GET requests to this path (with
    /// --baseline-mode's credentials) in every other slice of the run, and
    /// report both kinds and their ratio, so that both meet the machine in
    /// the same state. The warm-up and the duration are rounded up to whole
    /// pairs of slices.
    #[arg(long, value_parser = RequestPath::parse, conflicts_with = "stream", help_heading = "Baseline")]
    pub baseline_path: Option<RequestPath>,

    /// The credentials of the baseline's requests.
    #[arg(long, value_enum, requires = "baseline_path", help_heading = "Baseline")]
    pub baseline_mode: Option<Mode>,

    /// How long each kind's turn lasts when alternating with a baseline.
    #[arg(long, default_value = "500ms", value_parser = parse_duration, help_heading = "Baseline")]
    pub slice: Duration,

    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    pub json: bool,

    /// Exit with 0 even when more than 1% of requests failed (or, with --stream, anything failed).
    #[arg(long)]
    pub allow_errors: bool,
}

/// What the command line asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// HTTP load.
    Http(Plan),
    /// Stream fan-out.
    Stream(StreamPlan),
}

impl Args {
    /// The run these arguments describe: HTTP load, or stream fan-out with
    /// `--stream`. Fails, as a usage error, when the measured duration is
    /// zero or a mode lacks its credentials (which clap already refuses).
    pub fn into_command(self) -> Result<Command, clap::Error> {
        if self.stream.is_some() {
            self.into_stream_plan().map(Command::Stream)
        } else {
            self.into_plan().map(Command::Http)
        }
    }

    /// The HTTP run these arguments describe; a usage error with `--stream`
    /// (see [`Args::into_command`]).
    pub fn into_plan(self) -> Result<Plan, clap::Error> {
        let auth = self.checked_auth()?;
        let baseline = self.baseline()?;
        if self.stream.is_some() {
            return Err(usage(clap::error::ErrorKind::ArgumentConflict, "--stream describes a stream run, not HTTP"));
        }
        let Some(path) = &self.path else {
            return Err(usage(clap::error::ErrorKind::MissingRequiredArgument, "an HTTP run needs --path"));
        };
        let target = Target::new(
            &self.url,
            self.method,
            path,
            self.body.map(String::into_bytes).unwrap_or_default(),
            self.headers.into_iter().map(|h| (h.name, h.value)).collect(),
        );
        Ok(Plan {
            target: Arc::new(target),
            auth,
            mode: self.mode,
            connections: self.connections,
            warmup: self.warmup,
            duration: self.duration,
            busy_poll: self.busy_poll,
            baseline,
        })
    }

    /// The baseline of `--baseline-path`, if given.
    fn baseline(&self) -> Result<Option<Baseline>, clap::Error> {
        let Some(path) = &self.baseline_path else { return Ok(None) };
        if self.slice.is_zero() {
            return Err(usage(clap::error::ErrorKind::ValueValidation, "--slice must be above zero"));
        }
        let mode = self.baseline_mode.unwrap_or(Mode::None);
        let headers = self.headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect();
        Ok(Some(Baseline {
            target: Arc::new(Target::new(&self.url, Method::GET, path, Vec::new(), headers)),
            auth: self.auth_for(mode, "--baseline-mode")?,
            mode,
            slice: self.slice,
        }))
    }

    /// The stream fan-out these arguments describe; a usage error without
    /// `--stream` or `--channels`, or with `--auth-message` but no bearer
    /// key.
    pub fn into_stream_plan(self) -> Result<StreamPlan, clap::Error> {
        let auth = self.checked_auth()?;
        let Some(subscribers) = self.stream else {
            return Err(usage(clap::error::ErrorKind::MissingRequiredArgument, "a stream run needs --stream"));
        };
        if self.channels.is_empty() {
            return Err(usage(clap::error::ErrorKind::MissingRequiredArgument, "--stream needs --channels"));
        }
        if self.auth_message && self.mode != Mode::Bearer {
            return Err(usage(
                clap::error::ErrorKind::ArgumentConflict,
                "--auth-message sends a bearer key: use --mode bearer",
            ));
        }
        let path = match self.path {
            Some(path) => path,
            None => RequestPath::parse(STREAM_PATH).expect("the stream path is a valid path"),
        };
        Ok(StreamPlan {
            origin: self.url,
            path,
            headers: self.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            auth,
            mode: self.mode,
            auth_message: self.auth_message,
            channels: self.channels,
            subscribers,
            connect_concurrency: self.connect_concurrency,
            connect_timeout: self.connect_timeout,
            warmup: self.warmup,
            duration: self.duration,
        })
    }

    /// The credentials of `--mode`, after checking the durations.
    fn checked_auth(&self) -> Result<Auth, clap::Error> {
        if self.duration.is_zero() {
            return Err(usage(clap::error::ErrorKind::ValueValidation, "--duration must be above zero"));
        }
        if self.stream.is_some() && self.connect_timeout.is_zero() {
            return Err(usage(clap::error::ErrorKind::ValueValidation, "--connect-timeout must be above zero"));
        }
        self.auth_for(self.mode, "--mode")
    }

    /// The credentials of `mode`, given as `flag`.
    fn auth_for(&self, mode: Mode, flag: &str) -> Result<Auth, clap::Error> {
        let missing =
            |what: &str| usage(clap::error::ErrorKind::MissingRequiredArgument, &format!("{flag} {mode} needs {what}"));
        Ok(match mode {
            Mode::None => Auth::None,
            Mode::Bearer => Auth::Bearer(self.key.clone().ok_or_else(|| missing("--key"))?),
            Mode::Signed => Auth::Signed {
                key_id: self.key_id.clone().ok_or_else(|| missing("--key-id"))?,
                key: self.key.clone().ok_or_else(|| missing("--key"))?,
            },
        })
    }
}

fn usage(kind: clap::error::ErrorKind, message: &str) -> clap::Error {
    Args::command().error(kind, message)
}

/// Parses a stream channel, `ticker:<asset>` or `candles:<asset>:<interval>`.
fn parse_channel(s: &str) -> Result<Channel, String> {
    s.trim().parse().map_err(|e: altgate_protocol::stream::InvalidChannel| e.to_string())
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// No credentials.
    None,
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// Every request freshly signed with the HMAC scheme (`AG1`): a new nonce and the current time.
    Signed,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::None => "none",
            Mode::Bearer => "bearer",
            Mode::Signed => "signed",
        })
    }
}

/// Where the server listens: an `http://host:port` URL without a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `host:port`, with IPv6 hosts in brackets; for connecting.
    pub(crate) address: String,
    /// The authority as written, for the `Host` header.
    pub(crate) authority: String,
}

impl Origin {
    /// Parses `http://host[:port][/]`.
    pub fn parse(s: &str) -> Result<Origin, String> {
        let uri: Uri = s.parse().map_err(|e| format!("not a URL: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err("only http:// URLs are supported".to_owned());
        }
        let authority = uri.authority().ok_or("the URL has no host")?;
        if authority.as_str().contains('@') {
            return Err("the URL must not carry user information".to_owned());
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err("the URL must not have a path or query: put them in --path".to_owned());
        }
        let port = authority.port_u16().unwrap_or(80);
        Ok(Origin { address: format!("{}:{port}", authority.host()), authority: authority.as_str().to_owned() })
    }
}

/// A request path with an optional query, as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPath(PathAndQuery);

impl RequestPath {
    /// Parses an origin-form target: `/`, then path and query characters.
    pub fn parse(s: &str) -> Result<RequestPath, String> {
        if !s.starts_with('/') {
            return Err("the path must start with /".to_owned());
        }
        if s.contains('#') {
            return Err("the path must not have a fragment".to_owned());
        }
        s.parse::<PathAndQuery>().map(RequestPath).map_err(|e| format!("not a valid path: {e}"))
    }

    /// The path and query, as sent.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// The raw query without `?`; empty when there is none.
    pub fn query(&self) -> &str {
        self.0.query().unwrap_or("")
    }

    pub(crate) fn path_and_query(&self) -> &PathAndQuery {
        &self.0
    }
}

impl fmt::Display for RequestPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header given with `--header name: value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraHeader {
    /// The name, lowercased.
    pub name: HeaderName,
    /// The value, trimmed.
    pub value: HeaderValue,
}

impl ExtraHeader {
    /// Parses `name: value`.
    pub fn parse(s: &str) -> Result<ExtraHeader, String> {
        let (name, value) = s.split_once(':').ok_or("expected `name: value`")?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| "not a valid header name".to_owned())?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| "not a valid header value".to_owned())?;
        Ok(ExtraHeader { name, value })
    }
}

/// Parses a duration: a number and a unit, `ms`, `s` or `m`; a bare number
/// is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number.parse().map_err(|_| format!("`{s}` is not a duration such as 10s, 500ms or 2m"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("unknown unit `{unit}`: use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{s}` is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> Result<Args, clap::Error> {
        let base = ["altgate-bench", "--url", "http://127.0.0.1:8080", "--path", "/v1/assets/bitcoin?x=1"];
        Args::try_parse_from(base.iter().chain(extra))
    }

    const KEY_ID: &str = "key_3XfN8bQ2LrT7";

    fn key() -> String {
        ApiKey::from_entropy(altgate_protocol::Environment::Test, &[9; 32]).expose_secret().to_owned()
    }

    #[test]
    fn defaults_match_the_documentation() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.mode, Mode::None);
        assert_eq!(args.connections, 64);
        assert_eq!(args.duration, Duration::from_secs(10));
        assert_eq!(args.warmup, Duration::from_secs(2));
        assert_eq!(args.method, Method::GET);
        assert_eq!(args.url.address, "127.0.0.1:8080");
        let path = args.path.as_ref().unwrap();
        assert_eq!((path.path(), path.query()), ("/v1/assets/bitcoin", "x=1"));
        assert_eq!(args.stream, None);
        assert!(!args.json && !args.allow_errors);
        assert!(matches!(args.into_command(), Ok(Command::Http(_))));
    }

    #[test]
    fn each_mode_requires_its_credentials() {
        let key = key();
        // `ALTGATE_KEY` stands in for `--key` (the CLI docs suggest exporting it).
        if std::env::var_os("ALTGATE_KEY").is_none() {
            assert!(parse(&["--mode", "bearer"]).is_err());
            assert!(parse(&["--mode", "signed", "--key-id", KEY_ID]).is_err());
        }
        assert!(parse(&["--duration", "0s"]).unwrap().into_plan().is_err());
        assert!(parse(&["--mode", "bearer", "--key", &key]).unwrap().into_plan().is_ok());
        assert!(parse(&["--mode", "signed", "--key", &key]).is_err());
        assert!(parse(&["--mode", "signed", "--key-id", "nope", "--key", &key]).is_err());
        let plan = parse(&["--mode", "signed", "--key", &key, "--key-id", KEY_ID]).unwrap().into_plan().unwrap();
        assert!(matches!(plan.auth, Auth::Signed { .. }));
        // A mistyped key is refused before any request.
        assert!(parse(&["--mode", "bearer", "--key", &key[..key.len() - 1]]).is_err());
        // The key never shows in the parsed arguments' Debug.
        let args = parse(&["--mode", "bearer", "--key", &key]).unwrap();
        assert!(!format!("{args:?}").contains(&key));
    }

    fn parse_stream(extra: &[&str]) -> Result<Args, clap::Error> {
        let base = ["altgate-bench", "--url", "http://127.0.0.1:8080", "--stream", "2000"];
        Args::try_parse_from(base.iter().chain(extra))
    }

    #[test]
    fn stream_runs_need_channels_and_default_to_the_stream_path() {
        let key = key();
        let channels = ["--channels", "ticker:bitcoin,candles:bitcoin:1m"];
        assert!(parse_stream(&[]).is_err(), "--channels is required");
        let plan = parse_stream(&channels).unwrap().into_stream_plan().unwrap();
        assert_eq!(plan.subscribers, 2000);
        assert_eq!(plan.url(), "ws://127.0.0.1:8080/v1/stream");
        assert_eq!(
            plan.channels.iter().map(ToString::to_string).collect::<Vec<_>>(),
            channels[1].split(',').collect::<Vec<_>>()
        );
        assert_eq!((plan.connect_concurrency, plan.connect_timeout), (100, Duration::from_secs(10)));
        assert!(matches!(plan.auth, Auth::None) && !plan.auth_message);

        let flags = [
            &channels[..],
            &[
                "--mode",
                "bearer",
                "--key",
                &key,
                "--auth-message",
                "--connect-concurrency",
                "7",
                "--connect-timeout",
                "2s",
                "--path",
                "/v2/stream",
            ],
        ]
        .concat();
        let Command::Stream(plan) = parse_stream(&flags).unwrap().into_command().unwrap() else {
            panic!("a stream run")
        };
        assert!(matches!(plan.auth, Auth::Bearer(_)) && plan.auth_message);
        assert_eq!((plan.connect_concurrency, plan.connect_timeout), (7, Duration::from_secs(2)));
        assert_eq!(plan.url(), "ws://127.0.0.1:8080/v2/stream");
        // The HTTP plan of stream arguments is refused, and the other way round.
        assert!(parse_stream(&channels).unwrap().into_plan().is_err());
        assert!(parse(&[]).unwrap().into_stream_plan().is_err());
    }

    #[test]
    fn stream_flags_are_checked() {
        let channels = ["--channels", "ticker:bitcoin"];
        for bad in ["ticker:", "candles:bitcoin", "candles:bitcoin:7m", "trades:bitcoin", "ticker:BTC USD"] {
            assert!(parse_stream(&["--channels", bad]).is_err(), "{bad}");
        }
        // Stream flags need --stream, and HTTP-only flags conflict with it.
        assert!(parse(&channels).is_err());
        assert!(parse(&["--auth-message"]).is_err());
        assert!(parse(&["--connect-concurrency", "5"]).is_err());
        assert!(parse(&["--connect-timeout", "5s"]).is_err());
        for http_only in [&["--connections", "8"][..], &["--method", "POST"], &["--body", "{}"]] {
            assert!(parse_stream(&[&channels[..], http_only].concat()).is_err(), "{http_only:?}");
        }
        assert!(parse_stream(&["--stream", "0", "--channels", "ticker:bitcoin"]).is_err());
        // --auth-message sends a bearer key.
        assert!(parse_stream(&[&channels[..], &["--auth-message"]].concat()).unwrap().into_stream_plan().is_err());
        assert!(
            parse_stream(&[&channels[..], &["--connect-timeout", "0s"]].concat()).unwrap().into_stream_plan().is_err()
        );
        // Without --stream the path stays required.
        assert!(Args::try_parse_from(["altgate-bench", "--url", "http://127.0.0.1:8080"]).is_err());
    }

    #[test]
    fn urls_are_plain_http_origins() {
        assert_eq!(Origin::parse("http://localhost").unwrap().address, "localhost:80");
        assert_eq!(Origin::parse("http://[::1]:9000/").unwrap().address, "[::1]:9000");
        assert_eq!(Origin::parse("http://[::1]:9000/").unwrap().authority, "[::1]:9000");
        assert!(Origin::parse("https://localhost").is_err());
        assert!(Origin::parse("http://localhost/v1").is_err());
        assert!(Origin::parse("localhost:8080").is_err());
    }

    #[test]
    fn paths_and_headers_are_checked() {
        assert!(RequestPath::parse("v1/assets").is_err());
        assert!(RequestPath::parse("/a b").is_err());
        assert!(RequestPath::parse("/a#b").is_err());
        assert_eq!(RequestPath::parse("/a%2Fb?q=1&r").unwrap().path(), "/a%2Fb");
        let header = ExtraHeader::parse("Content-Type:  application/json ").unwrap();
        assert_eq!((header.name.as_str(), header.value.to_str().unwrap()), ("content-type", "application/json"));
        assert!(ExtraHeader::parse("no colon").is_err());
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        for bad in ["", "s", "10h", "-1s", "1e3s", "ten"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
