use axum::http::HeaderValue;
use jiff::Timestamp;
use proptest::prelude::*;

use super::{
    Decision, Env, Gcra, KeyedGcra, Limit, LimitRequest, LimitStatus, MonthKey, PolicyStatus, QuotaIncrement,
    RateLimiter, headers,
};

const MINUTE_MS: i64 = 60_000;

/// Unix milliseconds of an RFC 3339 instant.
fn at(instant: &str) -> i64 {
    instant.parse::<Timestamp>().unwrap().as_millisecond()
}

/// 2026-01-15T00:00:00Z, well inside a month.
fn t0() -> i64 {
    at("2026-01-15T00:00:00Z")
}

/// A request by `key` of account "acct" with generous defaults.
fn req(key_id: &str) -> LimitRequest<'_> {
    LimitRequest {
        key_id,
        account_id: "acct",
        environment: Env::Live,
        key_limit: Limit::per_minute(60),
        account_limit: Limit::per_minute(6_000),
        monthly_quota: 1_000_000,
        key_monthly_quota: None,
    }
}

fn allowed(decision: &Decision) -> bool {
    matches!(decision, Decision::Allowed(_))
}

/// The limits a decision reports, whatever the outcome.
fn status_of(decision: &Decision) -> LimitStatus {
    match decision {
        Decision::Allowed(status) | Decision::RateLimited { status, .. } | Decision::QuotaExhausted { status, .. } => {
            *status
        }
    }
}

/// The wait of a [`Decision::RateLimited`].
fn rate_limited(decision: &Decision) -> Option<i64> {
    match decision {
        Decision::RateLimited { retry_after_ms, .. } => Some(*retry_after_ms),
        _ => None,
    }
}

/// The wait of a [`Decision::QuotaExhausted`].
fn quota_exhausted(decision: &Decision) -> Option<i64> {
    match decision {
        Decision::QuotaExhausted { retry_after_ms, .. } => Some(*retry_after_ms),
        _ => None,
    }
}

/// The rate states of `key_id` and of its account "acct" (live).
fn states(limiter: &RateLimiter, key_id: &str) -> (Gcra, Gcra) {
    let shard = limiter.shard("acct");
    let known = shard.get("acct");
    let key = known.and_then(|known| known.keys.get(key_id)).copied().unwrap_or_default();
    (key.rate, known.map_or(Gcra::new(), |known| known.envs[0].rate))
}

/// How many entries the limiter remembers: (keys, accounts).
fn sizes(limiter: &RateLimiter) -> (usize, usize) {
    let shards = limiter.shards.iter().map(|shard| shard.lock().unwrap());
    shards.fold((0, 0), |(keys, accounts), shard| {
        let shard_keys: usize = shard.values().map(|known| known.keys.len()).sum();
        (keys + shard_keys, accounts + shard.len())
    })
}

/// Requests a fresh GCRA admits to a client that, every `step_ms` of
/// `[0, window_ms)`, sends up to `tries` requests, stopping at a refusal.
fn hammer(limit: Limit, step_ms: usize, window_ms: i64, tries: usize) -> i64 {
    let mut gcra = Gcra::new();
    let mut send = |now| gcra.peek(limit, now).map(|admit| gcra.commit(admit)).is_ok();
    let admitted =
        (0..window_ms).step_by(step_ms).map(|now| (0..tries).take_while(|_| send(now)).count()).sum::<usize>();
    i64::try_from(admitted).unwrap()
}

#[test]
fn default_burst_is_one_seconds_worth() {
    assert_eq!(Limit::per_minute(1), Limit::new(1, 60_000, 1));
    assert_eq!(Limit::per_minute(60), Limit::new(60, 60_000, 1));
    assert_eq!(Limit::per_minute(61), Limit::new(61, 60_000, 2));
    assert_eq!(Limit::per_minute(6_000), Limit::new(6_000, 60_000, 100));
    assert_eq!(Limit::per_hour(5), Limit::new(5, 3_600_000, 1));
    assert_eq!(Limit::per_minute(0), Limit::per_minute(1));
    assert_eq!(Limit::new(0, 0, 0), Limit::new(1, 1, 1));
    assert_eq!(Limit::per_hour(5).with_burst(5), Limit::new(5, 3_600_000, 5));
}

#[test]
fn admits_the_configured_rate_over_a_minute() {
    for (per_minute, step_ms) in [(30, 1), (60, 1), (600, 1), (6_000, 10)] {
        let admitted = hammer(Limit::per_minute(per_minute), step_ms, MINUTE_MS, 1);
        let rate = i64::from(per_minute);
        assert!(admitted * 100 >= rate * 95 && admitted * 100 <= rate * 105, "{per_minute}/min admitted {admitted}");
    }
}

#[test]
fn admits_burst_plus_rate_over_any_window() {
    let limits = [(7, 60_000, 1), (600, 60_000, 10), (6_000, 60_000, 100), (5, 3_600_000, 3)];
    for (count, period_ms, burst) in limits {
        let limit = Limit::new(count, period_ms, burst);
        for window_ms in [1, 999, 60_000, 719_999, 720_001, 3_600_000] {
            let admitted = hammer(limit, 1, window_ms, usize::MAX);
            let expected = i64::from(burst) + window_ms * i64::from(count) / i64::from(period_ms);
            assert!((admitted - expected).abs() <= 1, "{limit:?} over {window_ms}: {admitted}");
        }
    }
}

#[test]
fn steady_clients_at_the_rate_are_never_refused() {
    for per_minute in [1, 7, 60, 600, 6_000, 12_345] {
        let limit = Limit::per_minute(per_minute);
        // The shortest whole-millisecond interval at or above the rate.
        let interval_ms = i64::from(60_000_u32.div_ceil(per_minute));
        let mut gcra = Gcra::new();
        for i in 0..2_000 {
            let admit = gcra.peek(limit, t0() + i * interval_ms);
            assert!(admit.is_ok(), "{per_minute}/min refused request {i}");
            gcra.commit(admit.unwrap());
        }
    }
    // And a client 1 ms too fast is caught once its burst is spent.
    let limit = Limit::per_minute(60);
    let mut gcra = Gcra::new();
    let refused = (0..10).find(|i| match gcra.peek(limit, t0() + i * 999) {
        Ok(admit) => {
            gcra.commit(admit);
            false
        }
        Err(retry) => retry.ms == 1,
    });
    assert_eq!(refused, Some(1));
}

#[test]
fn burst_overflow_is_refused_until_exactly_retry_after() {
    let limit = Limit::new(7, 60_000, 3);
    let mut gcra = Gcra::new();
    for _ in 0..3 {
        gcra.commit(gcra.peek(limit, t0()).unwrap());
    }
    assert_eq!(gcra.remaining(limit, t0()), 0);
    let retry = gcra.peek(limit, t0()).unwrap_err().ms;
    // T = 8_571_428 µs: the next slot opens 8571.428 ms after the first.
    assert_eq!(retry, 8_572);
    assert!(gcra.peek(limit, t0() + retry - 1).is_err());
    assert!(gcra.peek(limit, t0() + retry).is_ok());
    assert_eq!(gcra.reset_ms(t0()), 25_715);
    assert_eq!(gcra.remaining(limit, t0() + 25_715), 3);
}

#[test]
fn a_request_refused_by_the_account_consumes_nothing_of_its_key() {
    let (seen, unseen) = (RateLimiter::new(), RateLimiter::new());
    let (mut other, mut mine) = (req("other"), req("mine"));
    other.account_limit = Limit::per_minute(2);
    mine.account_limit = Limit::per_minute(2);
    for limiter in [&seen, &unseen] {
        assert!(allowed(&limiter.check(&other, t0())));
    }
    assert_eq!(rate_limited(&seen.check(&mine, t0() + 1)), Some(29_999));
    assert_eq!(states(&seen, "mine"), states(&unseen, "mine"));
    assert_eq!(seen.drain_quota_increments(), unseen.drain_quota_increments());
    for now in (t0() + 2..t0() + MINUTE_MS).step_by(500) {
        assert_eq!(seen.check(&mine, now), unseen.check(&mine, now), "at {now}");
    }
}

#[test]
fn a_request_refused_by_its_key_consumes_nothing_of_the_account() {
    let (seen, unseen) = (RateLimiter::new(), RateLimiter::new());
    for limiter in [&seen, &unseen] {
        assert!(allowed(&limiter.check(&req("mine"), t0())));
    }
    assert_eq!(rate_limited(&seen.check(&req("mine"), t0() + 1)), Some(999));
    assert_eq!(states(&seen, "mine"), states(&unseen, "mine"));
    assert_eq!(seen.drain_quota_increments(), unseen.drain_quota_increments());
}

#[test]
fn a_request_refused_by_the_quota_consumes_no_rate() {
    let (seen, unseen) = (RateLimiter::new(), RateLimiter::new());
    let mut capped = req("mine");
    capped.monthly_quota = 10;
    for limiter in [&seen, &unseen] {
        limiter.seed("acct", Env::Live, MonthKey::of(t0()), 9);
        assert!(allowed(&limiter.check(&capped, t0())));
    }
    assert!(quota_exhausted(&seen.check(&capped, t0() + 5_000)).is_some());
    assert_eq!(states(&seen, "mine"), states(&unseen, "mine"));
    // A higher quota then sees the rates exactly as if nothing had happened.
    let later = t0() + 5_001;
    assert_eq!(seen.check(&req("mine"), later), unseen.check(&req("mine"), later));
}

#[test]
fn keys_of_an_account_share_its_rate_per_environment() {
    // One shard, so separation comes from the keys, not from hashing.
    let limiter = RateLimiter::with_shards(1);
    let (mut a, mut b) = (req("a"), req("b"));
    a.account_limit = Limit::per_minute(60);
    b.account_limit = Limit::per_minute(60);
    assert!(allowed(&limiter.check(&a, t0())));
    assert_eq!(rate_limited(&limiter.check(&b, t0())), Some(1_000));
    // A key belongs to one account and one environment.
    let (mut other_account, mut test) = (req("x"), req("t"));
    other_account.account_id = "other";
    test.environment = Env::Test;
    for request in [other_account, test] {
        assert!(allowed(&limiter.check(&request, t0())));
    }
}

#[test]
fn environments_have_separate_quotas() {
    let limiter = RateLimiter::new();
    let mut live = req("k");
    live.monthly_quota = 1;
    let mut test = live;
    (test.key_id, test.environment) = ("t", Env::Test);
    assert!(allowed(&limiter.check(&live, t0())));
    assert!(quota_exhausted(&limiter.check(&live, t0() + 5_000)).is_some());
    assert!(allowed(&limiter.check(&test, t0() + 5_000)));
}

#[test]
fn quota_runs_out_until_the_next_utc_month() {
    let limiter = RateLimiter::new();
    let now = at("2026-01-31T23:59:59Z");
    let january = MonthKey::of(now);
    assert_eq!(january.to_string(), "2026-01");
    assert_eq!(january.start_ms(), at("2026-01-01T00:00:00Z"));
    assert_eq!(january.next_start_ms(), at("2026-02-01T00:00:00Z"));
    // A loose key rate, so only the quota can refuse.
    let mut capped = req("k");
    (capped.monthly_quota, capped.key_limit) = (100, Limit::per_minute(6_000));

    assert!(limiter.needs_seed("acct", Env::Live, now));
    limiter.seed("acct", Env::Live, january, 99);
    limiter.seed("acct", Env::Live, january, 5);
    assert!(!limiter.needs_seed("acct", Env::Live, now));
    assert!(limiter.needs_seed("acct", Env::Test, now));

    assert_eq!(status_of(&limiter.check(&capped, now)).month.remaining, 0);
    assert_eq!(quota_exhausted(&limiter.check(&capped, now + 500)), Some(500));

    let february = at("2026-02-01T00:00:00Z");
    assert!(limiter.needs_seed("acct", Env::Live, february));
    let decision = limiter.check(&capped, february);
    assert!(allowed(&decision));
    assert_eq!(status_of(&decision).month.remaining, 99);
    assert_eq!(status_of(&decision).month.window_s, 28 * 86_400);

    let mut drained = limiter.drain_quota_increments();
    drained.sort_by_key(|increment| increment.month);
    let increment =
        |month: MonthKey| QuotaIncrement { account_id: "acct".to_owned(), environment: Env::Live, month, requests: 1 };
    assert_eq!(drained, [increment(january), increment(MonthKey::of(february))]);
    assert_eq!(limiter.drain_quota_increments(), []);
}

#[test]
fn a_key_with_a_quota_of_its_own_is_capped_without_capping_its_account() {
    let limiter = RateLimiter::new();
    let mut capped = req("capped");
    (capped.key_limit, capped.key_monthly_quota) = (Limit::per_minute(6_000), Some(3));
    let mut sibling = req("sibling");
    sibling.key_limit = Limit::per_minute(6_000);
    assert!(limiter.needs_key_seed("acct", "capped", t0()));
    limiter.seed_key("acct", "capped", MonthKey::of(t0()), 1);
    assert!(!limiter.needs_key_seed("acct", "capped", t0()));
    let mut now = t0();
    for _ in 0..2 {
        now += 1_000;
        let decision = limiter.check(&capped, now);
        assert!(allowed(&decision));
    }
    assert_eq!(status_of(&limiter.check(&sibling, now)).month.quota, 1_000_000);
    now += 1_000;
    let refused = limiter.check(&capped, now);
    assert!(quota_exhausted(&refused).is_some(), "{refused:?}");
    assert_eq!(status_of(&refused).month.quota, 3, "the tighter quota is reported");
    assert!(allowed(&limiter.check(&sibling, now + 1)), "the account's other keys go on");
    // The refusal consumed nothing: the account counted 2 + 2 requests.
    assert_eq!(limiter.drain_quota_increments()[0].requests, 4);
    // A new month starts the key afresh (once seeded).
    let next = MonthKey::of(t0()).next_start_ms();
    assert!(limiter.needs_key_seed("acct", "capped", next));
    limiter.seed_key("acct", "capped", MonthKey::of(next), 0);
    assert!(allowed(&limiter.check(&capped, next)));
    // Pruning keeps a key's current count.
    limiter.prune(next + 120_000);
    assert!(!limiter.needs_key_seed("acct", "capped", next + 120_000));
}

#[test]
fn increments_that_could_not_be_written_are_restored_not_lost() {
    let limiter = RateLimiter::new();
    for i in 0..3 {
        assert!(allowed(&limiter.check(&req("k"), t0() + i * 1_000)));
    }
    let drained = limiter.drain_quota_increments();
    assert_eq!(drained[0].requests, 3);
    limiter.restore_quota_increments(drained);
    assert!(allowed(&limiter.check(&req("k"), t0() + 5_000)));
    let again = limiter.drain_quota_increments();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].requests, 4, "the restored three and the new one");
}

#[test]
fn seeding_after_a_check_keeps_the_checked_requests() {
    let limiter = RateLimiter::new();
    assert!(allowed(&limiter.check(&req("k"), t0())));
    assert!(limiter.needs_seed("acct", Env::Live, t0()));
    limiter.seed("acct", Env::Live, MonthKey::of(t0()), 40);
    let decision = limiter.check(&req("k"), t0() + 1_000);
    assert!(allowed(&decision));
    assert_eq!(status_of(&decision).month.remaining, 1_000_000 - 42);
    assert_eq!(limiter.drain_quota_increments()[0].requests, 2);
}

#[test]
fn check_seeded_decides_only_once_every_month_in_play_is_seeded() {
    let limiter = RateLimiter::new();
    let month = MonthKey::of(t0());
    assert!(limiter.check_seeded(&req("k"), t0()).is_none(), "an unknown account is unseeded");
    assert!(limiter.drain_quota_increments().is_empty(), "deciding nothing counts nothing");
    limiter.seed("acct", Env::Live, month, 7);
    let decision = limiter.check_seeded(&req("k"), t0()).expect("seeded");
    assert_eq!(status_of(&decision).month.remaining, 1_000_000 - 8);

    // A key with a quota of its own also needs its month.
    let mut capped = req("capped");
    capped.key_monthly_quota = Some(5);
    assert!(limiter.check_seeded(&capped, t0() + 1_000).is_none());
    limiter.seed_key("acct", "capped", month, 4);
    assert!(allowed(&limiter.check_seeded(&capped, t0() + 1_000).expect("seeded")));
    let refused = limiter.check_seeded(&capped, t0() + 2_000).expect("seeded");
    assert!(quota_exhausted(&refused).is_some(), "{refused:?}");

    // The test environment and the next month are each seeded separately.
    let mut test_env = req("k");
    test_env.environment = Env::Test;
    assert!(limiter.check_seeded(&test_env, t0() + 3_000).is_none());
    assert!(limiter.check_seeded(&req("k"), month.next_start_ms()).is_none());
}

#[test]
fn headers_render_the_tighter_rate_and_the_month() {
    let limiter = RateLimiter::new();
    let mut request = req("k");
    request.monthly_quota = 1_000;
    limiter.seed("acct", Env::Live, MonthKey::of(t0()), 10);
    let decision = limiter.check(&request, t0() + 400);
    let [(policy_name, policy), (name, current)] = headers(&status_of(&decision));
    assert_eq!((policy_name.as_str(), name.as_str()), ("ratelimit-policy", "ratelimit"));
    let expected = "\"minute\";q=60;w=60, \"month\";q=1000;w=2678400";
    assert_eq!(policy, HeaderValue::from_static(expected));
    // 17 days minus 400 ms to February.
    let expected = "\"minute\";r=0;t=1, \"month\";r=989;t=1468800";
    assert_eq!(current, HeaderValue::from_static(expected));

    // With a tight account, the account is reported.
    request.account_id = "b";
    (request.account_limit, request.key_limit) = (Limit::per_minute(30), Limit::per_minute(600));
    let minute = status_of(&limiter.check(&request, t0())).minute;
    assert_eq!((minute.quota, minute.remaining, minute.reset_s), (30, 0, 2));
}

#[test]
fn pruning_forgets_idle_state_without_changing_decisions() {
    let (pruned, kept) = (RateLimiter::new(), RateLimiter::new());
    let script = [(0, "a"), (1, "b"), (400, "a"), (1_200, "c"), (65_000, "a"), (65_001, "b")];
    for limiter in [&pruned, &kept] {
        limiter.seed("acct", Env::Live, MonthKey::of(t0()), 3);
    }
    for (offset, key_id) in script {
        let now = t0() + offset;
        pruned.prune(now);
        let mut request = req(key_id);
        request.account_limit = Limit::per_minute(120);
        let decision = pruned.check(&request, now);
        assert_eq!(decision, kept.check(&request, now), "{offset} {key_id}");
    }
    pruned.prune(t0() + 120_000);
    assert_eq!(sizes(&pruned), (0, 1), "the month's counter stays");
    assert_eq!(sizes(&kept), (3, 1));

    // Past months go once drained, and never while they hold increments.
    let march = at("2026-03-01T00:00:00Z");
    pruned.prune(march);
    assert_eq!(sizes(&pruned), (0, 1));
    assert_eq!(pruned.drain_quota_increments(), kept.drain_quota_increments());
    pruned.prune(march);
    assert_eq!(sizes(&pruned), (0, 0));
}

#[test]
fn pruning_keeps_a_busy_key_after_its_account_month_is_gone() {
    let limiter = RateLimiter::new();
    let mut slow = req("k");
    slow.key_limit = Limit::per_minute(1);
    let now = at("2026-01-31T23:59:59Z");
    assert!(allowed(&limiter.check(&slow, now)));
    assert_eq!(limiter.drain_quota_increments().len(), 1);
    // January is drained and over, the account rate idle; the key is not.
    limiter.prune(now + 2_000);
    assert_eq!(rate_limited(&limiter.check(&slow, now + 2_000)), Some(58_000));
}

#[test]
fn keyed_gcra_limits_each_key_and_prunes() {
    let signups: KeyedGcra<[u8; 4]> = KeyedGcra::new();
    let limit = Limit::per_hour(5).with_burst(5);
    let (ip, other) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    for i in 0..5 {
        assert_eq!(signups.check(&ip, limit, t0() + i), Ok(()));
    }
    assert_eq!(signups.check(&ip, limit, t0() + 5), Err(720_000 - 5));
    assert_eq!(signups.check(&other, limit, t0() + 5), Ok(()));
    assert_eq!(signups.check(&ip, limit, t0() + 720_000), Ok(()));
    signups.prune(t0() + 720_000);
    assert_eq!(signups.len(), 2);
    signups.prune(t0() + 6 * 720_000);
    assert_eq!(signups.len(), 0);
}

proptest! {
    #[test]
    fn no_subject_exceeds_its_rate(
        steps in prop::collection::vec((0_i64..3_000, 0_usize..3), 1..300),
        key_rate in 1_u32..300,
        account_rate in 1_u32..600,
    ) {
        let limiter = RateLimiter::new();
        let keys = ["k0", "k1", "k2"];
        let (key_limit, key_burst) = (Limit::per_minute(key_rate), key_rate.div_ceil(60));
        let account_burst = account_rate.div_ceil(60);
        let account_limit = Limit::per_minute(account_rate);
        let mut admitted = [0_i64; 3];
        let mut first = [None::<i64>; 3];
        let (mut account_admitted, start) = (0_i64, t0());
        let mut now = start;
        for (advance, index) in steps {
            now += advance;
            let request = LimitRequest { key_limit, account_limit, ..req(keys[index]) };
            let before = states(&limiter, keys[index]);
            let decision = limiter.check(&request, now);
            let fits = before.0.peek(key_limit, now).is_ok()
                && before.1.peek(account_limit, now).is_ok();
            prop_assert_eq!(allowed(&decision), fits);
            if allowed(&decision) {
                admitted[index] += 1;
                account_admitted += 1;
                first[index].get_or_insert(now);
            } else {
                prop_assert_eq!(states(&limiter, keys[index]), before);
            }
            let bound = |rate: u32, burst: u32, since: i64| {
                i64::from(burst) + (now - since) * i64::from(rate) / MINUTE_MS + 1
            };
            if let Some(since) = first[index] {
                prop_assert!(admitted[index] <= bound(key_rate, key_burst, since));
            }
            prop_assert!(account_admitted <= bound(account_rate, account_burst, start));
        }
    }
}

/// The widest numbers still fit the value's buffer and are written whole.
#[test]
fn headers_hold_the_largest_numbers() {
    let widest = PolicyStatus { quota: u64::MAX, window_s: i64::MAX, remaining: u64::MAX, reset_s: i64::MAX };
    let [_, (_, current)] = headers(&LimitStatus { minute: widest, month: widest });
    let (max, reset) = (u64::MAX, i64::MAX);
    let expected = format!("\"minute\";r={max};t={reset}, \"month\";r={max};t={reset}");
    assert_eq!(current.to_str().unwrap(), expected);
}
