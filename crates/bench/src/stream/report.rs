//! The result of a fan-out run, as a human summary or as JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::message::Kind;
use super::subscriber::{Counts, Setup};
use crate::args::Mode;
use crate::report::{round1, round3};
use crate::tally::{MAX_LATENCY_US, latency_histogram};

/// What was run, for the report.
#[derive(Debug, Clone)]
pub struct StreamInfo {
    /// The credentials mode.
    pub mode: Mode,
    /// `ws://host:port/path`.
    pub url: String,
    /// The channels each subscriber subscribed to.
    pub channels: Vec<String>,
    /// Subscribers asked for.
    pub subscribers: u32,
    /// The unrecorded warmup.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
}

/// What the subscribers of a run observed, merged.
#[derive(Debug, Clone)]
pub struct StreamTally {
    /// Subscribers that got to `subscribed`.
    pub subscribed: u64,
    /// Subscribers that did not, by reason (`timeout`, `refused`,
    /// `http 429`, `closed 4001`, `error invalid_key`, …).
    pub connect_failures: BTreeMap<String, u64>,
    /// From the first connect until every subscriber had succeeded or
    /// failed.
    pub connect_time: Duration,
    /// Each successful subscriber's time from connecting to `subscribed`,
    /// in µs.
    pub setup_latencies: Histogram<u64>,
    /// Messages received in the measured window, by `type`.
    pub messages: BTreeMap<String, u64>,
    /// Tick-to-client latencies of the tickers received in the window, in µs.
    pub latencies: Histogram<u64>,
    /// Tickers stamped later than they arrived, recorded as 0.
    pub below_zero: u64,
    /// Messages whose `seq` was not the previous one's plus one, over the
    /// whole run.
    pub gaps: u64,
    /// Connections the server closed, by close code.
    pub closes: BTreeMap<u16, u64>,
    /// Other failures after subscribing, by kind.
    pub errors: BTreeMap<String, u64>,
}

impl Default for StreamTally {
    fn default() -> Self {
        StreamTally {
            subscribed: 0,
            connect_failures: BTreeMap::new(),
            connect_time: Duration::ZERO,
            setup_latencies: latency_histogram(),
            messages: BTreeMap::new(),
            latencies: latency_histogram(),
            below_zero: 0,
            gaps: 0,
            closes: BTreeMap::new(),
            errors: BTreeMap::new(),
        }
    }
}

impl StreamTally {
    pub(crate) fn add_setup(&mut self, setup: Setup) {
        match setup {
            Ok(took) => {
                self.subscribed += 1;
                let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
                self.setup_latencies.saturating_record(micros.min(MAX_LATENCY_US));
            }
            Err(reason) => *self.connect_failures.entry(reason).or_default() += 1,
        }
    }

    pub(crate) fn add(&mut self, counts: Counts) {
        for kind in Kind::ALL {
            let count = counts.messages[kind.index()];
            if count > 0 {
                *self.messages.entry(kind.as_str().to_owned()).or_default() += count;
            }
        }
        self.gaps += counts.gaps;
        self.below_zero += counts.below_zero;
        for (code, count) in counts.closes {
            *self.closes.entry(code).or_default() += count;
        }
        for (what, count) in counts.errors {
            *self.errors.entry(what).or_default() += count;
        }
    }
}

/// Latency percentiles in milliseconds, to 0.1 ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StreamLatency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// The largest.
    pub max: f64,
    /// The mean.
    pub mean: f64,
    /// How many values.
    pub samples: u64,
}

impl StreamLatency {
    /// The percentiles of a histogram in µs (all zero when it is empty).
    pub fn from_micros(histogram: &Histogram<u64>) -> StreamLatency {
        if histogram.is_empty() {
            return StreamLatency { p50: 0.0, p90: 0.0, p99: 0.0, p999: 0.0, max: 0.0, mean: 0.0, samples: 0 };
        }
        let ms = |us: f64| (us / 100.0).round() / 10.0;
        let at = |quantile| ms(histogram.value_at_quantile(quantile) as f64);
        StreamLatency {
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            p999: at(0.999),
            max: ms(histogram.max() as f64),
            mean: ms(histogram.mean()),
            samples: histogram.len(),
        }
    }
}

/// A fan-out run's result. Serialises to one JSON object:
///
/// ```json
/// { "mode": "bearer", "url": "ws://127.0.0.1:8080/v1/stream",
///   "channels": ["ticker:bitcoin", "candles:bitcoin:1m"],
///   "subscribers": 2000, "connected": 2000, "connect_failures": {},
///   "connect_s": 1.234,
///   "setup_ms": { "p50", "p90", "p99", "p999", "max", "mean", "samples" },
///   "warmup_s": 3.0, "duration_s": 30.0,
///   "messages": 120000, "messages_per_s": 4000.0,
///   "messages_by_type": { "candle": 60000, "ticker": 60000 },
///   "latency_ms": { "p50", "p90", "p99", "p999", "max", "mean", "samples" },
///   "below_zero": 0, "gaps": 0, "closes": { "4008": 3 }, "errors": {} }
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    /// The credentials mode.
    pub mode: Mode,
    /// The stream's URL.
    pub url: String,
    /// The channels each subscriber subscribed to.
    pub channels: Vec<String>,
    /// Subscribers asked for.
    pub subscribers: u32,
    /// Subscribers that connected, authenticated and subscribed.
    pub connected: u64,
    /// Subscribers that did not, by reason.
    pub connect_failures: BTreeMap<String, u64>,
    /// How long connecting everyone took, in seconds.
    pub connect_s: f64,
    /// Each subscriber's time from connecting to `subscribed`.
    pub setup_ms: StreamLatency,
    /// The warmup, in seconds.
    pub warmup_s: f64,
    /// The measured window, in seconds.
    pub duration_s: f64,
    /// Messages received in the window, by every subscriber.
    pub messages: u64,
    /// Messages received per second, to 0.1.
    pub messages_per_s: f64,
    /// Messages received in the window, by `type`.
    pub messages_by_type: BTreeMap<String, u64>,
    /// Tick-to-client latency of the tickers received in the window:
    /// receive time minus their `updated_at`.
    pub latency_ms: StreamLatency,
    /// Tickers stamped later than they arrived (the clocks disagree),
    /// counted in the latencies as 0.
    pub below_zero: u64,
    /// `seq` gaps over the whole run.
    pub gaps: u64,
    /// Connections the server closed, by close code.
    pub closes: BTreeMap<String, u64>,
    /// Other failures after subscribing, by kind.
    pub errors: BTreeMap<String, u64>,
}

impl StreamReport {
    /// The report of the run described by `info` that observed `tally`.
    pub fn new(info: &StreamInfo, tally: &StreamTally) -> StreamReport {
        let messages = tally.messages.values().sum();
        let duration_s = info.duration.as_secs_f64();
        StreamReport {
            mode: info.mode,
            url: info.url.clone(),
            channels: info.channels.clone(),
            subscribers: info.subscribers,
            connected: tally.subscribed,
            connect_failures: tally.connect_failures.clone(),
            connect_s: round3(tally.connect_time.as_secs_f64()),
            setup_ms: StreamLatency::from_micros(&tally.setup_latencies),
            warmup_s: round3(info.warmup.as_secs_f64()),
            duration_s: round3(duration_s),
            messages,
            messages_per_s: if duration_s > 0.0 { round1(messages as f64 / duration_s) } else { 0.0 },
            messages_by_type: tally.messages.clone(),
            latency_ms: StreamLatency::from_micros(&tally.latencies),
            below_zero: tally.below_zero,
            gaps: tally.gaps,
            closes: tally.closes.iter().map(|(code, count)| (code.to_string(), *count)).collect(),
            errors: tally.errors.clone(),
        }
    }

    /// Subscribers that failed to connect.
    pub fn connect_failed(&self) -> u64 {
        self.connect_failures.values().sum()
    }

    /// Everything that fails the run, in words; empty for a clean run.
    ///
    /// A run fails when any subscriber failed to connect, any `seq` gap,
    /// server close or error happened, or no message arrived in the window.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let failed = self.connect_failed();
        if failed > 0 {
            problems.push(format!("{failed} of {} subscribers failed to connect", self.subscribers));
        }
        if self.gaps > 0 {
            problems.push(format!("{} seq gaps", self.gaps));
        }
        let closes: u64 = self.closes.values().sum();
        if closes > 0 {
            problems.push(format!("{closes} connections closed by the server"));
        }
        let errors: u64 = self.errors.values().sum();
        if errors > 0 {
            problems.push(format!("{errors} stream errors"));
        }
        if self.connected > 0 && self.messages == 0 {
            problems.push("no message arrived in the measured window".to_owned());
        }
        problems
    }

    /// Whether the run failed (see [`StreamReport::problems`]).
    pub fn failed(&self) -> bool {
        !self.problems().is_empty()
    }

    /// The one-line JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }
}

impl fmt::Display for StreamReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "STREAM {}  mode {}  {} subscribers  channels {}",
            self.url,
            self.mode,
            self.subscribers,
            self.channels.join(", ")
        )?;
        let s = &self.setup_ms;
        write!(f, "  connected   {} of {} in {:.2} s", self.connected, self.subscribers, self.connect_s)?;
        if s.samples > 0 {
            write!(f, "  (setup p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms)", s.p50, s.p99, s.max)?;
        }
        writeln!(f)?;
        if !self.connect_failures.is_empty() {
            writeln!(f, "  CONNECT FAILED {}: {}", self.connect_failed(), counts(&self.connect_failures))?;
        }
        writeln!(f, "  measured    {:.2} s after {:.2} s warmup", self.duration_s, self.warmup_s)?;
        let per_subscriber = if self.connected > 0 { self.messages_per_s / self.connected as f64 } else { 0.0 };
        write!(
            f,
            "  messages    {}  {:.1}/s ({per_subscriber:.2}/s per subscriber)",
            self.messages, self.messages_per_s
        )?;
        for (kind, count) in &self.messages_by_type {
            write!(f, "  {kind} {count}")?;
        }
        writeln!(f)?;
        let l = &self.latency_ms;
        if l.samples == 0 {
            writeln!(f, "  latency     no ticker in the window")?;
        } else {
            write!(
                f,
                "  latency     p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  p99.9 {:.1} ms  max {:.1} ms  mean {:.1} ms  ({} tickers)",
                l.p50, l.p90, l.p99, l.p999, l.max, l.mean, l.samples
            )?;
            if self.below_zero > 0 {
                write!(f, "  [{} stamped ahead of this clock]", self.below_zero)?;
            }
            writeln!(f)?;
        }
        if self.gaps == 0 {
            writeln!(f, "  gaps        none")?;
        } else {
            writeln!(f, "  GAPS        {}", self.gaps)?;
        }
        if self.closes.is_empty() {
            writeln!(f, "  closes      none")?;
        } else {
            writeln!(f, "  CLOSES      {}: {}", self.closes.values().sum::<u64>(), counts(&self.closes))?;
        }
        if self.errors.is_empty() {
            write!(f, "  errors      none")?;
        } else {
            write!(f, "  ERRORS      {}: {}", self.errors.values().sum::<u64>(), counts(&self.errors))?;
        }
        if self.connected > 0 && self.messages == 0 {
            write!(f, "\n  NO MESSAGE arrived in the measured window")?;
        }
        Ok(())
    }
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    map.iter().map(|(what, count)| format!("{what}: {count}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> StreamInfo {
        StreamInfo {
            mode: Mode::Bearer,
            url: "ws://127.0.0.1:8080/v1/stream".to_owned(),
            channels: vec!["ticker:bitcoin".to_owned(), "candles:bitcoin:1m".to_owned()],
            subscribers: 4,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(2),
        }
    }

    /// Four subscribers; 1..=1000 ms of ticker latency and 1000 candles.
    fn clean() -> StreamTally {
        let mut tally = StreamTally::default();
        for i in 1..=4u64 {
            tally.add_setup(Ok(Duration::from_millis(i)));
        }
        let mut counts = Counts::default();
        counts.messages[Kind::Ticker.index()] = 1000;
        counts.messages[Kind::Candle.index()] = 1000;
        tally.add(counts);
        for ms in 1..=1000u64 {
            tally.latencies.record(ms * 1000).unwrap();
        }
        tally.connect_time = Duration::from_millis(1234);
        tally
    }

    #[test]
    fn a_clean_run_passes_and_reports_milliseconds() {
        let report = StreamReport::new(&info(), &clean());
        assert_eq!(report.connected, 4);
        assert_eq!(report.messages, 2000);
        assert_eq!(report.messages_per_s, 1000.0);
        assert_eq!(report.messages_by_type, BTreeMap::from([("candle".to_owned(), 1000), ("ticker".to_owned(), 1000)]));
        let l = report.latency_ms;
        // 3 significant figures: each value within 0.1% of the recorded one.
        assert_eq!((l.p50, l.p90, l.p99, l.p999, l.samples), (500.2, 900.1, 990.2, 999.4, 1000));
        assert_eq!(report.setup_ms.max, 4.0);
        assert_eq!(report.connect_s, 1.234);
        assert!(report.problems().is_empty(), "{:?}", report.problems());
        let text = report.to_string();
        assert!(text.contains("connected   4 of 4 in 1.23 s"), "{text}");
        assert!(text.contains("1000.0/s (250.00/s per subscriber)  candle 1000  ticker 1000"), "{text}");
        assert!(text.contains("p50 500.2 ms"), "{text}");
        assert!(text.contains("gaps        none") && text.contains("closes      none"), "{text}");
        assert!(text.contains("errors      none"), "{text}");
    }

    #[test]
    fn every_failure_fails_the_run() {
        let mut tally = clean();
        tally.add_setup(Err("timeout".to_owned()));
        tally.add_setup(Err("http 429".to_owned()));
        let mut counts = Counts { gaps: 2, ..Counts::default() };
        counts.closes.insert(4008, 1);
        counts.errors.insert("reset".to_owned(), 1);
        tally.add(counts);
        let report = StreamReport::new(&StreamInfo { subscribers: 6, ..info() }, &tally);
        assert_eq!(
            report.problems(),
            [
                "2 of 6 subscribers failed to connect",
                "2 seq gaps",
                "1 connections closed by the server",
                "1 stream errors"
            ]
        );
        let text = report.to_string();
        assert!(text.contains("CONNECT FAILED 2: http 429: 1, timeout: 1"), "{text}");
        assert!(text.contains("GAPS        2"), "{text}");
        assert!(text.contains("CLOSES      1: 4008: 1"), "{text}");
        assert!(text.contains("ERRORS      1: reset: 1"), "{text}");

        let mut silent = StreamTally::default();
        silent.add_setup(Ok(Duration::from_millis(1)));
        let report = StreamReport::new(&info(), &silent);
        assert_eq!(report.problems(), ["no message arrived in the measured window"]);
        assert!(report.to_string().contains("no ticker in the window"));
    }

    #[test]
    fn the_json_report_has_the_documented_fields() {
        let mut tally = clean();
        tally.closes.insert(4008, 3);
        let json: serde_json::Value = serde_json::from_str(&StreamReport::new(&info(), &tally).to_json()).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "below_zero",
                "channels",
                "closes",
                "connect_failures",
                "connect_s",
                "connected",
                "duration_s",
                "errors",
                "gaps",
                "latency_ms",
                "messages",
                "messages_by_type",
                "messages_per_s",
                "mode",
                "setup_ms",
                "subscribers",
                "url",
                "warmup_s"
            ]
        );
        let mut latency_keys: Vec<&str> = json["latency_ms"].as_object().unwrap().keys().map(String::as_str).collect();
        latency_keys.sort_unstable();
        assert_eq!(latency_keys, ["max", "mean", "p50", "p90", "p99", "p999", "samples"]);
        assert_eq!(json["closes"], serde_json::json!({ "4008": 3 }));
        assert_eq!(json["channels"], serde_json::json!(["ticker:bitcoin", "candles:bitcoin:1m"]));
        assert_eq!(json["mode"], "bearer");
        assert_eq!(json["latency_ms"]["p99"], 990.2);
    }
}
