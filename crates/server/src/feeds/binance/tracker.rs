//! What has been delivered, per symbol, so that every closed candle goes out
//! exactly once and in order, whichever way it arrives.
//!
//! Each symbol remembers the open time of the last closed candle it sent
//! (`last_closed`). A closed candle at or before it is a duplicate and
//! dropped. After every (re)connect each symbol *syncs*: the REST API is
//! paged from the candle after `last_closed` up to now, while the stream's
//! closed candles are *held* in memory; when the pages are done, the held
//! candles newer than what REST gave are released. REST covers everything
//! that closed before the request, the stream everything that closed after
//! the connection opened, and the connection opens first, so nothing falls
//! between. Outside a sync, a closed candle that does not follow
//! `last_closed` reveals a gap in the stream: it is held and the symbol
//! syncs again. REST is the authority: an interval it has no kline for
//! (exchange downtime) is not asked for again.

use std::collections::{BTreeMap, HashMap, VecDeque};

use altgate_market::Candle;
use altgate_protocol::{AssetId, Interval, Source};

use super::wire::{Kline, StreamKline};
use crate::feeds::FeedUpdate;

/// The most klines one REST request returns (Binance's maximum).
pub(super) const PAGE_LIMIT: usize = 1000;

/// How many closed candles are fetched for a symbol with no history.
pub(super) const INITIAL_WINDOW: i64 = 1000;

/// A REST kline whose close time is less than this far in the past may
/// still take trades if Binance's clock is behind ours, so unless a later
/// kline follows it in the same response it counts as open. Its final
/// arrives on the stream, or, should the stream have missed it, the next
/// sync fetches it.
const CLOSE_GRACE_MS: i64 = 2_000;

/// Held stream candles per symbol; older ones are dropped past this (the
/// sync that releases them fetches them again from REST anyway).
const MAX_HELD: usize = PAGE_LIMIT;

/// One REST request to make: klines of `symbol` opening at or after `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Job {
    /// The exchange symbol, upper-case.
    pub(super) symbol: String,
    /// The earliest open time wanted, Unix milliseconds.
    pub(super) start: i64,
}

/// See the module docs.
#[derive(Debug)]
pub(super) struct Tracker {
    interval: Interval,
    series: BTreeMap<String, Series>,
    /// Symbols waiting for their next REST page, in order.
    queue: VecDeque<String>,
}

#[derive(Debug)]
struct Series {
    asset: AssetId,
    /// Open time of the last closed candle delivered (or already stored).
    last_closed: Option<i64>,
    /// Open time of the last open candle delivered, so the live price never
    /// goes back to an older candle.
    last_open: Option<i64>,
    /// Whether a sync is under way.
    syncing: bool,
    /// Closed stream candles waiting for the sync, by open time.
    held: BTreeMap<i64, Kline>,
}

impl Tracker {
    /// A tracker for `symbols` (upper-case symbol, asset) whose stored
    /// history ends at `resume[asset]`, the open time of the last stored
    /// closed candle.
    pub(super) fn new(interval: Interval, symbols: Vec<(String, AssetId)>, mut resume: HashMap<AssetId, i64>) -> Self {
        let series = symbols
            .into_iter()
            .map(|(symbol, asset)| {
                let last_closed = resume.remove(&asset);
                let series = Series { asset, last_closed, last_open: None, syncing: false, held: BTreeMap::new() };
                (symbol, series)
            })
            .collect();
        Tracker { interval, series, queue: VecDeque::new() }
    }

    /// The symbols tracked, upper-case, in order.
    pub(super) fn symbols(&self) -> impl Iterator<Item = &str> {
        self.series.keys().map(String::as_str)
    }

    /// Starts a sync of every symbol, after a (re)connect. Candles held
    /// from an earlier connection stay held.
    pub(super) fn begin_sync(&mut self) {
        self.queue.clear();
        for (symbol, series) in &mut self.series {
            series.syncing = true;
            self.queue.push_back(symbol.clone());
        }
    }

    /// The next REST page to fetch, if any. Without history, a symbol
    /// starts [`INITIAL_WINDOW`] candles before the one open at `now`.
    pub(super) fn next_job(&mut self, now: i64) -> Option<Job> {
        while let Some(symbol) = self.queue.pop_front() {
            let Some(series) = self.series.get(&symbol).filter(|series| series.syncing) else {
                continue;
            };
            let millis = self.interval.millis();
            let start = match series.last_closed {
                Some(last) => self.interval.next(last),
                None => self.interval.align(now).saturating_sub(INITIAL_WINDOW.saturating_mul(millis)),
            };
            return Some(Job { symbol, start });
        }
        None
    }

    /// Takes in one REST page for `job`, fetched at `now`, pushing what is
    /// new to `out`. Queues the next page when this one was full, else
    /// ends the symbol's sync and releases its held candles.
    pub(super) fn apply_page(&mut self, job: &Job, mut rows: Vec<Kline>, now: i64, out: &mut Vec<FeedUpdate>) {
        let interval = self.interval;
        let Some(series) = self.series.get_mut(&job.symbol) else {
            return;
        };
        let full = rows.len() >= PAGE_LIMIT;
        rows.sort_by_key(|kline| kline.parts.open_time);
        rows.dedup_by_key(|kline| kline.parts.open_time);
        let before = series.last_closed;
        let mut last_closed_row = false;
        let count = rows.len();
        for (index, kline) in rows.iter().enumerate() {
            let followed = index + 1 < count;
            last_closed_row = followed || kline.close_time < now.saturating_sub(CLOSE_GRACE_MS);
            if last_closed_row {
                series.deliver_closed(interval, &job.symbol, kline, out);
            } else {
                series.deliver_open(interval, &job.symbol, kline, Freshness::Unknown, out);
            }
        }
        if full && last_closed_row && series.last_closed != before {
            self.queue.push_front(job.symbol.clone());
        } else {
            series.finish_sync(interval, &job.symbol, out);
        }
    }

    /// Ends the sync of `job`'s symbol without REST (it refused the
    /// request for good), releasing its held candles.
    pub(super) fn abandon_sync(&mut self, job: &Job, out: &mut Vec<FeedUpdate>) {
        let interval = self.interval;
        if let Some(series) = self.series.get_mut(&job.symbol) {
            series.finish_sync(interval, &job.symbol, out);
        }
    }

    /// Takes in one stream kline, pushing what is new to `out`. Klines of
    /// other symbols or intervals are ignored.
    pub(super) fn on_stream(&mut self, update: &StreamKline, out: &mut Vec<FeedUpdate>) {
        let interval = self.interval;
        if update.interval != interval {
            return;
        }
        let Some(series) = self.series.get_mut(&update.symbol) else {
            return;
        };
        let symbol = update.symbol.as_str();
        let kline = &update.kline;
        if !update.closed {
            series.deliver_open(interval, symbol, kline, Freshness::Latest, out);
            return;
        }
        let open_time = kline.parts.open_time;
        if series.last_closed.is_some_and(|last| open_time <= last) {
            return;
        }
        if series.syncing {
            series.hold(kline);
            return;
        }
        match series.last_closed {
            Some(last) if open_time != interval.next(last) => {
                tracing::warn!(
                    symbol,
                    expected = interval.next(last),
                    received = open_time,
                    "binance: the kline stream skipped candles; backfilling them"
                );
                series.hold(kline);
                series.syncing = true;
                self.queue.push_back(update.symbol.clone());
            }
            _ => series.deliver_closed(interval, symbol, kline, out),
        }
    }
}

/// Whether an open candle is known to be the latest state of its candle.
#[derive(Debug, Clone, Copy)]
enum Freshness {
    /// From the stream, which delivers in order.
    Latest,
    /// From REST, which may answer with a state the stream has already passed.
    Unknown,
}

impl Series {
    /// Sends a closed candle unless it is not newer than the last one. The
    /// cursor moves even past a candle that fails the check: it is final
    /// at the exchange and will not become valid.
    fn deliver_closed(&mut self, interval: Interval, symbol: &str, kline: &Kline, out: &mut Vec<FeedUpdate>) {
        let open_time = kline.parts.open_time;
        if self.last_closed.is_some_and(|last| open_time <= last) {
            return;
        }
        self.last_closed = Some(open_time);
        if let Some(candle) = checked(interval, symbol, kline) {
            out.push(self.update(interval, candle, true));
        }
    }

    /// Sends an open candle unless a newer candle was sent, or, for an
    /// update that may be older than the last one sent, the same candle.
    fn deliver_open(
        &mut self,
        interval: Interval,
        symbol: &str,
        kline: &Kline,
        freshness: Freshness,
        out: &mut Vec<FeedUpdate>,
    ) {
        let open_time = kline.parts.open_time;
        let superseded = self.last_closed.is_some_and(|last| open_time <= last)
            || self.last_open.is_some_and(|last| match freshness {
                Freshness::Latest => open_time < last,
                Freshness::Unknown => open_time <= last,
            });
        if superseded {
            return;
        }
        self.last_open = Some(open_time);
        if let Some(candle) = checked(interval, symbol, kline) {
            out.push(self.update(interval, candle, false));
        }
    }

    fn hold(&mut self, kline: &Kline) {
        self.held.insert(kline.parts.open_time, *kline);
        while self.held.len() > MAX_HELD {
            self.held.pop_first();
        }
    }

    fn finish_sync(&mut self, interval: Interval, symbol: &str, out: &mut Vec<FeedUpdate>) {
        self.syncing = false;
        for kline in std::mem::take(&mut self.held).into_values() {
            self.deliver_closed(interval, symbol, &kline, out);
        }
    }

    fn update(&self, interval: Interval, candle: Candle, closed: bool) -> FeedUpdate {
        FeedUpdate { asset: self.asset.clone(), interval, candle, closed, source: Source::Binance }
    }
}

/// The kline as a checked candle, or `None` (logged) if its values are not
/// a candle.
fn checked(interval: Interval, symbol: &str, kline: &Kline) -> Option<Candle> {
    match Candle::new(interval, kline.parts) {
        Ok(candle) => Some(candle),
        Err(error) => {
            tracing::warn!(symbol, open_time = kline.parts.open_time, %error, "binance: skipping an invalid kline");
            None
        }
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
