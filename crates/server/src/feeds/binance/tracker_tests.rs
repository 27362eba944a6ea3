use altgate_market::CandleParts;

use super::*;

const MINUTE: i64 = 60_000;
/// An aligned minute, and "now" well after every kline used below.
const T0: i64 = 1_634_943_780_000;
const LATER: i64 = T0 + 10_000 * MINUTE;

/// Kline `n` minutes after `T0`, a valid candle whose close is `100 + n`.
fn kline(n: i64) -> Kline {
    let price = 100.0 + n as f64;
    let parts = CandleParts {
        open_time: T0 + n * MINUTE,
        open: price,
        high: price + 1.0,
        low: price - 1.0,
        close: price,
        volume: 1.0,
        quote_volume: Some(price),
        trades: Some(1),
    };
    Kline { parts, close_time: T0 + (n + 1) * MINUTE - 1 }
}

fn stream(symbol: &str, n: i64, closed: bool) -> StreamKline {
    StreamKline { symbol: symbol.to_owned(), interval: Interval::M1, closed, kline: kline(n) }
}

fn tracker(resume: Option<i64>) -> Tracker {
    let symbols = vec![("BTCUSDT".to_owned(), AssetId::parse("bitcoin").expect("id"))];
    let resume = resume.map(|at| (AssetId::parse("bitcoin").expect("id"), at)).into_iter().collect();
    Tracker::new(Interval::M1, symbols, resume)
}

/// (closed, minute) of each update.
fn summary(out: &[FeedUpdate]) -> Vec<(bool, i64)> {
    out.iter().map(|update| (update.closed, (update.candle.open_time() - T0) / MINUTE)).collect()
}

/// Runs the pending sync jobs, answering each with `rows(job)`.
fn sync(tracker: &mut Tracker, now: i64, rows: impl Fn(&Job) -> Vec<Kline>, out: &mut Vec<FeedUpdate>) -> Vec<Job> {
    let mut jobs = Vec::new();
    while let Some(job) = tracker.next_job(now) {
        tracker.apply_page(&job, rows(&job), now, out);
        jobs.push(job);
    }
    jobs
}

#[test]
fn first_sync_starts_a_window_back_or_after_the_stored_history() {
    let mut fresh = tracker(None);
    fresh.begin_sync();
    let now = T0 + 30_000;
    assert_eq!(fresh.next_job(now).map(|job| job.start), Some(T0 - INITIAL_WINDOW * MINUTE));
    let mut resumed = tracker(Some(T0));
    resumed.begin_sync();
    assert_eq!(resumed.next_job(now), Some(Job { symbol: "BTCUSDT".to_owned(), start: T0 + MINUTE }));
    assert_eq!(resumed.next_job(now), None);
}

#[test]
fn stream_candles_wait_for_the_sync_and_go_out_once() {
    let mut tracker = tracker(Some(T0));
    let mut out = Vec::new();
    tracker.begin_sync();
    // While REST is asked, the stream brings 2 (closed), 3 (open) and 3 (closed).
    tracker.on_stream(&stream("BTCUSDT", 2, true), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 3, false), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 3, true), &mut out);
    assert_eq!(summary(&out), [(false, 3)]);
    // REST answers 1 and 2 (closed) and 3 (still open by then).
    let jobs = sync(&mut tracker, T0 + 4 * MINUTE - 10, |_| vec![kline(1), kline(2), kline(3)], &mut out);
    assert_eq!(jobs.len(), 1);
    assert_eq!(summary(&out), [(false, 3), (true, 1), (true, 2), (true, 3)]);
    // Late duplicates change nothing.
    out.clear();
    tracker.on_stream(&stream("BTCUSDT", 2, true), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 3, true), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 3, false), &mut out);
    assert_eq!(summary(&out), []);
    tracker.on_stream(&stream("BTCUSDT", 4, false), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 4, true), &mut out);
    assert_eq!(summary(&out), [(false, 4), (true, 4)]);
}

#[test]
fn the_last_rest_row_is_open_until_it_has_surely_closed() {
    let mut out = Vec::new();
    let mut recent = tracker(Some(T0));
    recent.begin_sync();
    sync(&mut recent, kline(2).close_time + 1, |_| vec![kline(1), kline(2)], &mut out);
    assert_eq!(summary(&out), [(true, 1), (false, 2)], "a row followed by another is closed; the last is not yet");
    out.clear();
    let mut old = tracker(Some(T0));
    old.begin_sync();
    sync(&mut old, LATER, |_| vec![kline(1), kline(2)], &mut out);
    assert_eq!(summary(&out), [(true, 1), (true, 2)]);
}

#[test]
fn a_gap_in_the_stream_is_backfilled() {
    let mut tracker = tracker(Some(T0));
    let mut out = Vec::new();
    tracker.begin_sync();
    sync(&mut tracker, LATER, |_| vec![], &mut out);
    tracker.on_stream(&stream("BTCUSDT", 1, true), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 4, true), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 5, true), &mut out);
    assert_eq!(summary(&out), [(true, 1)]);
    let jobs = sync(&mut tracker, LATER, |_| (2..=4).map(kline).collect(), &mut out);
    assert_eq!(jobs, [Job { symbol: "BTCUSDT".to_owned(), start: T0 + 2 * MINUTE }]);
    assert_eq!(summary(&out), [(true, 1), (true, 2), (true, 3), (true, 4), (true, 5)]);
}

#[test]
fn rest_decides_what_a_gap_holds() {
    // The exchange was down for minutes 2 and 3: REST has no klines for
    // them, and they are not asked for again.
    let mut tracker = tracker(Some(T0 + MINUTE));
    let mut out = Vec::new();
    tracker.begin_sync();
    sync(&mut tracker, LATER, |_| vec![], &mut out);
    tracker.on_stream(&stream("BTCUSDT", 4, true), &mut out);
    let jobs = sync(&mut tracker, LATER, |_| vec![kline(4)], &mut out);
    assert_eq!(jobs.len(), 1);
    tracker.on_stream(&stream("BTCUSDT", 5, true), &mut out);
    assert_eq!(summary(&out), [(true, 4), (true, 5)]);
    assert_eq!(tracker.next_job(LATER), None);
}

#[test]
fn full_pages_are_followed_by_the_next() {
    let mut tracker = tracker(None);
    let mut out = Vec::new();
    tracker.begin_sync();
    let now = T0 + 1_500 * MINUTE + 30_000;
    let jobs = sync(
        &mut tracker,
        now,
        |job| {
            let first = (job.start - T0) / MINUTE;
            (first..1_500).take(PAGE_LIMIT).map(kline).collect()
        },
        &mut out,
    );
    let starts: Vec<i64> = jobs.iter().map(|job| (job.start - T0) / MINUTE).collect();
    assert_eq!(starts, [500, 1_500]);
    let closed: Vec<i64> = summary(&out).iter().filter(|(closed, _)| *closed).map(|(_, n)| *n).collect();
    assert_eq!(closed, (500..1_500).collect::<Vec<_>>());
}

#[test]
fn open_candles_never_go_back() {
    let mut tracker = tracker(None);
    let mut out = Vec::new();
    tracker.on_stream(&stream("BTCUSDT", 5, false), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 4, false), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 5, false), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 5, true), &mut out);
    tracker.on_stream(&stream("BTCUSDT", 5, false), &mut out);
    assert_eq!(summary(&out), [(false, 5), (false, 5), (true, 5)]);
}

#[test]
fn invalid_candles_are_skipped_without_stalling() {
    let mut tracker = tracker(Some(T0));
    let mut out = Vec::new();
    let mut broken = stream("BTCUSDT", 1, true);
    broken.kline.parts.low = broken.kline.parts.high + 1.0;
    tracker.on_stream(&broken, &mut out);
    tracker.on_stream(&stream("BTCUSDT", 2, true), &mut out);
    assert_eq!(summary(&out), [(true, 2)]);
    assert_eq!(tracker.next_job(LATER), None, "no backfill for a candle that was seen");
}

#[test]
fn other_symbols_and_intervals_are_ignored() {
    let mut tracker = tracker(None);
    let mut out = Vec::new();
    tracker.on_stream(&stream("ETHUSDT", 1, true), &mut out);
    tracker.on_stream(&stream("btcusdt", 1, true), &mut out);
    tracker.on_stream(&StreamKline { interval: Interval::M5, ..stream("BTCUSDT", 0, true) }, &mut out);
    assert!(out.is_empty());
}

#[test]
fn held_candles_survive_a_reconnect() {
    let mut tracker = tracker(Some(T0));
    let mut out = Vec::new();
    tracker.begin_sync();
    tracker.on_stream(&stream("BTCUSDT", 3, true), &mut out);
    // The connection drops before REST answers; the next one syncs again.
    tracker.begin_sync();
    sync(&mut tracker, LATER, |_| vec![kline(1), kline(2)], &mut out);
    assert_eq!(summary(&out), [(true, 1), (true, 2), (true, 3)]);
}

#[test]
fn an_abandoned_sync_releases_what_it_held() {
    let mut tracker = tracker(Some(T0));
    let mut out = Vec::new();
    tracker.begin_sync();
    tracker.on_stream(&stream("BTCUSDT", 1, true), &mut out);
    let job = tracker.next_job(LATER).expect("a job");
    tracker.abandon_sync(&job, &mut out);
    assert_eq!(summary(&out), [(true, 1)]);
}
