//! The result of a run: throughput, latency percentiles and errors, as a
//! human summary or as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::args::Mode;
use crate::tally::Tally;

/// The share of failed requests above which a run fails (1%).
pub const MAX_FAILURE_RATIO: f64 = 0.01;

/// What was run, for the report.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The credentials mode.
    pub mode: Mode,
    /// The method, such as `GET`.
    pub method: String,
    /// The path and query as sent.
    pub path: String,
    /// Concurrent connections.
    pub connections: u32,
    /// The measured window.
    pub duration: Duration,
    /// The unrecorded warmup before it.
    pub warmup: Duration,
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// The slowest response.
    pub max: u64,
    /// The mean, to 0.1 µs.
    pub mean: f64,
}

impl Latency {
    /// The percentiles of `histogram` (all zero when it is empty). Each is
    /// the highest value equivalent to the recorded one (within 0.1%).
    pub fn from_histogram(histogram: &Histogram<u64>) -> Latency {
        if histogram.is_empty() {
            return Latency { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0.0 };
        }
        let at = |quantile| histogram.value_at_quantile(quantile);
        Latency {
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            p999: at(0.999),
            max: histogram.max(),
            mean: round1(histogram.mean()),
        }
    }
}

/// A run's result. Serialises to the documented JSON object:
/// `{ "mode", "path", "connections", "duration_s", "requests",
/// "throughput_rps", "latency_us": { "p50", "p90", "p99", "p999", "max",
/// "mean" }, "errors": { "<status or 'io'>": n } }`.
///
/// `requests` counts the responses received in the measured window,
/// whatever their status; latencies cover all of them. `errors` counts the
/// non-2xx responses by status and, as `io`, requests that got no response.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The credentials mode.
    pub mode: Mode,
    /// The path and query as sent.
    pub path: String,
    /// Concurrent connections.
    pub connections: u32,
    /// The measured window, in seconds.
    pub duration_s: f64,
    /// Responses received in the window.
    pub requests: u64,
    /// Responses per second, to 0.1.
    pub throughput_rps: f64,
    /// Latency percentiles.
    pub latency_us: Latency,
    /// Failures by status code, or `io`.
    pub errors: BTreeMap<String, u64>,
    /// The method.
    #[serde(skip)]
    pub method: String,
    /// The warmup, in seconds.
    #[serde(skip)]
    pub warmup_s: f64,
    /// Responses by status code.
    #[serde(skip)]
    pub statuses: BTreeMap<u16, u64>,
    /// Connections the server closed between requests.
    #[serde(skip)]
    pub reconnects: u64,
}

impl Report {
    /// The report of a run described by `info` that observed `tally`.
    pub fn new(info: &RunInfo, tally: &Tally) -> Report {
        let requests = tally.responses();
        let duration_s = info.duration.as_secs_f64();
        let mut errors: BTreeMap<String, u64> = tally
            .statuses
            .iter()
            .filter(|(status, _)| !(200..300).contains(*status))
            .map(|(status, count)| (status.to_string(), *count))
            .collect();
        if tally.io_errors > 0 {
            errors.insert("io".to_owned(), tally.io_errors);
        }
        Report {
            mode: info.mode,
            path: info.path.clone(),
            connections: info.connections,
            duration_s: round3(duration_s),
            requests,
            throughput_rps: if duration_s > 0.0 { round1(requests as f64 / duration_s) } else { 0.0 },
            latency_us: Latency::from_histogram(&tally.latencies),
            errors,
            method: info.method.clone(),
            warmup_s: round3(info.warmup.as_secs_f64()),
            statuses: tally.statuses.clone(),
            reconnects: tally.reconnects,
        }
    }

    /// Failed requests: non-2xx responses and requests without a response.
    pub fn failures(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The share of requests that failed; 1 when nothing was even attempted.
    pub fn failure_ratio(&self) -> f64 {
        let attempts = self.requests + self.errors.get("io").copied().unwrap_or(0);
        if attempts == 0 { 1.0 } else { self.failures() as f64 / attempts as f64 }
    }

    /// Whether the run failed: more than 1% of requests failed, or none was
    /// attempted.
    pub fn failed(&self) -> bool {
        self.failure_ratio() > MAX_FAILURE_RATIO
    }

    /// The one-line JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {}  mode {}  {} connections  {:.2} s measured after {:.2} s warmup",
            self.method, self.path, self.mode, self.connections, self.duration_s, self.warmup_s
        )?;
        writeln!(f, "  requests    {}", self.requests)?;
        writeln!(f, "  throughput  {:.1} req/s", self.throughput_rps)?;
        let l = &self.latency_us;
        writeln!(
            f,
            "  latency     p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  mean {}",
            micros(l.p50 as f64),
            micros(l.p90 as f64),
            micros(l.p99 as f64),
            micros(l.p999 as f64),
            micros(l.max as f64),
            micros(l.mean)
        )?;
        let mut classes = BTreeMap::<u16, u64>::new();
        for (status, count) in &self.statuses {
            *classes.entry(status / 100).or_default() += count;
        }
        let classes: Vec<String> = classes.iter().map(|(class, count)| format!("{class}xx {count}")).collect();
        writeln!(f, "  statuses    {}", if classes.is_empty() { "none".to_owned() } else { classes.join("  ") })?;
        if self.reconnects > 0 {
            writeln!(f, "  reconnects  {} (the server closed the connection)", self.reconnects)?;
        }
        if self.errors.is_empty() {
            write!(f, "  errors      none")?;
        } else {
            let each: Vec<String> = self.errors.iter().map(|(what, count)| format!("{what}: {count}")).collect();
            write!(
                f,
                "  ERRORS      {} failed ({:.2}%): {}",
                self.failures(),
                self.failure_ratio() * 100.0,
                each.join(", ")
            )?;
        }
        if self.requests == 0 {
            write!(f, "\n  NO RESPONSE was received in the measured window")?;
        }
        Ok(())
    }
}

/// A latency in µs, shown in µs, ms or s.
fn micros(us: f64) -> String {
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1_000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RunInfo {
        RunInfo {
            mode: Mode::Signed,
            method: "GET".to_owned(),
            path: "/v1/assets/bitcoin".to_owned(),
            connections: 4,
            duration: Duration::from_secs(2),
            warmup: Duration::ZERO,
        }
    }

    /// 1..=1000 µs, once each, with `errors` of them answered 429.
    fn tally(errors: u64, io_errors: u64) -> Tally {
        let mut tally = Tally::default();
        for us in 1..=1000u64 {
            tally.record(if us <= errors { 429 } else { 200 }, Duration::from_micros(us));
        }
        tally.io_errors = io_errors;
        tally
    }

    #[test]
    fn percentiles_of_known_values() {
        let report = Report::new(&info(), &tally(0, 0));
        let l = report.latency_us;
        assert_eq!((l.p50, l.p90, l.p99, l.p999, l.max), (500, 900, 990, 999, 1000));
        assert_eq!(l.mean, 500.5);
        assert_eq!(report.requests, 1000);
        assert_eq!(report.throughput_rps, 500.0);
        assert!(report.errors.is_empty());
        assert!(!report.failed());
    }

    #[test]
    fn the_json_report_has_the_documented_fields() {
        let report = Report::new(&info(), &tally(20, 3));
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["connections", "duration_s", "errors", "latency_us", "mode", "path", "requests", "throughput_rps"]
        );
        assert_eq!(json["mode"], "signed");
        assert_eq!(json["path"], "/v1/assets/bitcoin");
        assert_eq!(json["connections"], 4);
        assert_eq!(json["duration_s"], 2.0);
        assert_eq!(json["requests"], 1000);
        assert_eq!(json["throughput_rps"], 500.0);
        let latency = json["latency_us"].as_object().unwrap();
        let mut latency_keys: Vec<&str> = latency.keys().map(String::as_str).collect();
        latency_keys.sort_unstable();
        assert_eq!(latency_keys, ["max", "mean", "p50", "p90", "p99", "p999"]);
        assert_eq!(json["latency_us"]["p99"], 990);
        assert_eq!(json["errors"], serde_json::json!({ "429": 20, "io": 3 }));
    }

    #[test]
    fn more_than_one_percent_of_failures_fails_the_run() {
        // 10 of 1000: exactly 1% passes; 11 does not.
        assert!(!Report::new(&info(), &tally(10, 0)).failed());
        assert!(Report::new(&info(), &tally(10, 1)).failed());
        assert!(Report::new(&info(), &tally(11, 0)).failed());
        // Nothing at all is a failure too.
        let empty = Report::new(&info(), &Tally::default());
        assert!(empty.failed());
        assert_eq!(empty.latency_us.max, 0);
    }

    #[test]
    fn the_summary_says_clearly_when_requests_failed() {
        let clean = Report::new(&info(), &tally(0, 0)).to_string();
        assert!(clean.contains("errors      none"), "{clean}");
        assert!(clean.contains("p50 500 µs"), "{clean}");
        assert!(clean.contains("max 1.00 ms"), "{clean}");
        assert!(clean.contains("500.0 req/s"), "{clean}");
        assert!(clean.contains("2xx 1000"), "{clean}");

        let failing = Report::new(&info(), &tally(20, 3)).to_string();
        assert!(failing.contains("ERRORS      23 failed (2.29%): 429: 20, io: 3"), "{failing}");
        assert!(failing.contains("2xx 980  4xx 20"), "{failing}");
    }
}
