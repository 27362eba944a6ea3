use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;

use super::{MemoryNonceConfig, MemoryNonceStore, NonceClaim, NonceError, NonceStore, claim_one};

/// Retention of the small stores below; their buckets cover 250 ms.
const RETENTION: i64 = 1_000;
const BUCKET: i64 = RETENTION / 4;

/// Polls a future that must be ready at once, as the memory store's are.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the memory store never waits"),
    }
}

fn store(retention_ms: i64, max_live: usize, shards: usize) -> MemoryNonceStore {
    MemoryNonceStore::new(MemoryNonceConfig { retention_ms, max_live, shards })
}

/// A claim with the widest window, the retention.
fn claim<'a>(key_id: &'a str, nonce: &'a str, timestamp_ms: i64) -> NonceClaim<'a> {
    NonceClaim { key_id, nonce, timestamp_ms, window_ms: RETENTION }
}

/// Claims one nonce at `now_ms` with the request's timestamp equal to `now_ms`
/// unless given: whether it was fresh.
fn check(store: &MemoryNonceStore, key_id: &str, nonce: &str, timestamp_ms: i64, now_ms: i64) -> bool {
    ready(claim_one(store, claim(key_id, nonce, timestamp_ms), now_ms)).unwrap()
}

#[test]
fn a_repeat_is_refused_and_other_pairs_stay_fresh() {
    let store = store(RETENTION, 100, 4);
    assert!(check(&store, "key-a", "nonce-0000000001", 0, 0));
    assert!(!check(&store, "key-a", "nonce-0000000001", 0, 0));
    assert!(!check(&store, "key-a", "nonce-0000000001", 400, 10), "another timestamp, another bucket");
    assert!(check(&store, "key-b", "nonce-0000000001", 0, 10), "the same nonce under another key");
    assert!(check(&store, "key-a", "nonce-0000000002", 0, 10));
    // Key and nonce are separated, not concatenated.
    assert!(check(&store, "ab", "c", 0, 10));
    assert!(check(&store, "a", "bc", 0, 10));
    assert_eq!(store.len(), 5);
    assert!(!store.is_empty());
}

/// Pairs too long to be hashed in one write (over 128 bytes, beyond any key
/// id and nonce of the signing scheme) are hashed part by part, and still
/// tell repeats from new pairs.
#[test]
fn pairs_of_any_length_are_told_apart() {
    let store = store(RETENTION, 100, 4);
    let key = "k".repeat(100);
    for (key_id, nonce) in [(key.as_str(), "n".repeat(27)), (key.as_str(), "n".repeat(28)), ("kk", "n".repeat(200))] {
        assert!(check(&store, key_id, &nonce, 0, 0), "{} + {}", key_id.len(), nonce.len());
        assert!(!check(&store, key_id, &nonce, 0, 0), "{} + {} again", key_id.len(), nonce.len());
        let mut other = nonce.clone();
        other.replace_range(nonce.len() - 1.., "m");
        assert!(check(&store, key_id, &other, 0, 0), "{} + {}, last byte changed", key_id.len(), nonce.len());
    }
}

#[test]
fn repeats_inside_one_batch_count_as_repeats_of_the_first() {
    let store = store(RETENTION, 100, 4);
    let claims = [
        claim("key-a", "nonce-1", 0),
        claim("key-a", "nonce-1", 0),
        claim("key-b", "nonce-1", 0),
        claim("key-a", "nonce-2", 100),
        claim("key-a", "nonce-1", 300),
        claim("key-b", "nonce-1", 0),
    ];
    let answers = ready(store.claim(&claims, 0)).unwrap();
    assert_eq!(answers, [true, false, true, true, false, false]);
    assert_eq!(ready(store.claim(&[], 0)).unwrap(), Vec::<bool>::new());
    assert_eq!(store.len(), 3);
}

/// Rounds of 100 tasks claiming the same nonces, one call each, so that
/// claims of one nonce overlap on every worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_of_100_concurrent_copies_is_fresh() {
    const COPIES: usize = 100;
    const NONCES: usize = 100;
    let store: Arc<dyn NonceStore> = Arc::new(MemoryNonceStore::new(MemoryNonceConfig::default()));
    for round in 0..20 {
        let barrier = Arc::new(tokio::sync::Barrier::new(COPIES));
        let tasks: Vec<_> = (0..COPIES)
            .map(|_| {
                let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
                tokio::spawn(async move {
                    barrier.wait().await;
                    let mut fresh = Vec::with_capacity(NONCES);
                    for i in 0..NONCES {
                        let nonce = format!("concurrent-nonce-{round:02}-{i:03}");
                        fresh.push(claim_one(store.as_ref(), claim("key-a", &nonce, 1_000), 1_000).await.unwrap());
                    }
                    fresh
                })
            })
            .collect();
        let mut fresh = [0; NONCES];
        for task in tasks {
            for (count, was_fresh) in fresh.iter_mut().zip(task.await.unwrap()) {
                *count += usize::from(was_fresh);
            }
        }
        assert_eq!(fresh, [1; NONCES], "round {round}");
    }
}

#[test]
fn a_nonce_is_remembered_through_retention_and_its_bucket_dropped_after() {
    // One shard, so every claim drops expired buckets.
    let store = store(RETENTION, 100, 1);
    assert!(check(&store, "key", "a", 100, 100));
    assert!(!check(&store, "key", "a", 100, 100 + RETENTION), "at timestamp + retention");
    // Bucket [0, 250) may go once now > 250 + retention.
    let edge = BUCKET + RETENTION;
    assert!(check(&store, "key", "b", edge, edge));
    assert_eq!(store.len(), 2, "not dropped at the edge");
    assert!(!check(&store, "key", "a", 100, edge));
    assert!(check(&store, "key", "c", edge + 1, edge + 1));
    assert_eq!(store.len(), 2, "a's bucket was dropped");
    assert!(check(&store, "key", "a", edge + 1, edge + 1), "forgotten, and recorded again");
    assert_eq!(store.len(), 3);
}

/// A nonce is unique within the key's window: reused with another timestamp
/// it is refused while the first request could still be fresh, and allowed
/// once that one is outside the window; an exact replay is refused always.
#[test]
fn a_nonce_is_unique_within_the_claims_window() {
    let store = store(RETENTION, 100, 1);
    let windowed = |nonce, timestamp_ms, now_ms| {
        ready(claim_one(&store, NonceClaim { window_ms: 200, ..claim("key", nonce, timestamp_ms) }, now_ms)).unwrap()
    };
    assert!(windowed("n", 100, 100));
    assert!(!windowed("n", 100, 300), "a replay");
    assert!(!windowed("n", 300, 300), "[100 ms] is inside 300 ± 200");
    // At 800 the window is [600, 1000]: the first use is outside it, and
    // its bucket, [0, 250) with a 200-ms window, has expired at 450.
    assert!(windowed("n", 800, 800));
    assert_eq!(store.len(), 1, "the first use was forgotten");
    // A timestamp far ahead (which the freshness check would refuse) is not
    // in the window of a request signed now, but its replay is refused.
    assert!(windowed("m", 5_000, 800));
    assert!(windowed("m", 800, 800));
    assert!(!windowed("m", 5_000, 800));
}

/// A nonce is held for its own window, not the widest: one of a 200-ms
/// window is forgotten long before one of the retention's.
#[test]
fn each_window_expires_on_its_own() {
    let store = store(RETENTION, 100, 1);
    let claim_with = |nonce, window_ms, now_ms| {
        ready(claim_one(&store, NonceClaim { window_ms, ..claim("key", nonce, 0) }, now_ms)).unwrap()
    };
    assert!(claim_with("short", 200, 0));
    assert!(claim_with("long", RETENTION, 0));
    // A window wider than the retention counts as the retention.
    assert!(claim_with("widest", 10 * RETENTION, 0));
    assert_eq!(store.purge_expired(BUCKET + 200), 0);
    assert_eq!(store.purge_expired(BUCKET + 201), 1, "only the short window's bucket");
    assert!(!claim_with("long", RETENTION, BUCKET + 201));
    assert_eq!(store.purge_expired(BUCKET + RETENTION + 1), 2);
    assert!(store.is_empty());
}

#[test]
fn timestamps_far_from_now_are_handled() {
    let store = store(RETENTION, 100, 1);
    let now = 1_000_000;
    let future = now + 10 * RETENTION;
    assert!(check(&store, "key", "future", future, now));
    assert!(check(&store, "key", "present", now, now));
    assert!(check(&store, "key", "edge", i64::MAX, now));
    // Past the present bucket's expiry, the future one is still remembered.
    let later = now + BUCKET + RETENTION + 1;
    assert!(!check(&store, "key", "future", future, later));
    assert!(!check(&store, "key", "edge", i64::MAX, later));
    assert_eq!(store.len(), 2, "the present bucket was dropped");
    assert!(check(&store, "key", "present", later, later));
    // A timestamp whose bucket has expired is refused, not recorded.
    assert!(!check(&store, "key", "past", now - 10 * RETENTION, later));
    assert!(!check(&store, "key", "minimum", i64::MIN, later));
    assert!(!check(&store, "key", "past", i64::MIN, i64::MAX));
    assert_eq!(store.len(), 1, "only the bucket at the end of time is left by i64::MAX");
}

#[test]
fn expiry_follows_the_latest_time_seen_not_the_claim_clock() {
    let store = store(RETENTION, 100, 4);
    assert!(check(&store, "key", "old", 0, 0));
    // Another request read the clock later and reached the store first.
    assert!(check(&store, "key", "new", 2_000, 2_000));
    // A request that read the clock earlier still finds "old" expired: the
    // store may have dropped its bucket, so it cannot vouch for it.
    assert!(!check(&store, "key", "old", 0, 1_000));
    assert!(!check(&store, "key", "unseen", 0, 1_000));
    assert!(check(&store, "key", "recent", 1_000, 1_000));
}

#[test]
fn the_ceiling_refuses_new_nonces_until_buckets_expire() {
    let store = store(RETENTION, 1_000, 16);
    for i in 0..1_000 {
        assert!(check(&store, "key", &format!("nonce-{i}"), 0, 0));
    }
    let full = ready(claim_one(&store, claim("key", "nonce-1000", 0), 0));
    assert!(matches!(full, Err(NonceError::Full { max_live: 1_000 })), "{full:?}");
    assert!(!check(&store, "key", "nonce-7", 0, 0), "repeats are still answered");
    let full = ready(claim_one(&store, claim("key", "nonce-1000", 500), BUCKET + RETENTION));
    assert!(matches!(full, Err(NonceError::Full { .. })), "nothing has expired yet: {full:?}");
    assert!(check(&store, "key", "nonce-1000", 500, BUCKET + RETENTION + 1), "expired buckets free room first");
    store.purge_expired(BUCKET + RETENTION + 1);
    assert_eq!(store.len(), 1);
    assert!(format!("{store:?}").contains("live: 1,"), "{store:?}");
}

#[test]
fn purging_forgets_expired_nonces_and_releases_their_memory() {
    let store = store(RETENTION, 100, 4);
    let empty = store.memory_bytes();
    for i in 0..50 {
        assert!(check(&store, "key", &format!("nonce-{i}"), 0, 0));
    }
    let full = store.memory_bytes();
    assert!(full > empty + 50 * 17, "{full} bytes");
    assert_eq!(store.purge_expired(BUCKET + RETENTION), 0);
    assert_eq!(store.purge_expired(BUCKET + RETENTION + 1), 50);
    assert_eq!(store.len(), 0);
    // The tables are gone; only the shards' emptied bucket lists remain (four
    // entries of under 128 bytes each).
    assert!(store.memory_bytes() <= empty + 4 * 4 * 128, "{} bytes", store.memory_bytes());
}

/// A slice's first claim finds its bucket already sized for as many nonces
/// as the slice before took, so steady traffic never rehashes a table.
#[test]
fn a_new_bucket_is_sized_like_the_previous_one() {
    let store = store(RETENTION, 10_000, 1);
    for i in 0..1_000 {
        assert!(check(&store, "key", &format!("first-{i}"), 0, 0));
    }
    let one_slice = store.memory_bytes();
    assert!(check(&store, "key", "second-0", BUCKET, BUCKET));
    let with_next = store.memory_bytes();
    assert!(with_next - one_slice >= 1_000 * 17, "the next bucket holds {} bytes", with_next - one_slice);
    // Filling it to the same count allocates nothing more.
    for i in 1..1_000 {
        assert!(check(&store, "key", &format!("second-{i}"), BUCKET, BUCKET));
    }
    assert_eq!(store.memory_bytes(), with_next);
    // A bucket of another window starts small: its traffic is its own.
    let other = NonceClaim { key_id: "key", nonce: "other-window-0", timestamp_ms: BUCKET, window_ms: RETENTION / 2 };
    assert!(ready(claim_one(&store, other, BUCKET)).expect("room"));
    assert!(store.memory_bytes() - with_next < 1_000, "{} bytes", store.memory_bytes() - with_next);
}

/// Through the trait, as the service's periodic work calls it: expired
/// nonces are forgotten without any claim arriving.
#[test]
fn the_periodic_sweep_forgets_expired_nonces() {
    let store: Box<dyn NonceStore> = Box::new(store(RETENTION, 100, 4));
    for i in 0..20 {
        assert!(ready(claim_one(&*store, claim("key", &format!("nonce-{i}"), 0), 0)).unwrap());
    }
    store.forget_expired(BUCKET + RETENTION);
    assert!(!ready(claim_one(&*store, claim("key", "nonce-3", 0), BUCKET + RETENTION)).unwrap(), "still held");
    store.forget_expired(BUCKET + RETENTION + 1);
    assert!(format!("{store:?}").contains("live: 0,"), "{store:?}");
}

#[test]
fn out_of_range_configuration_is_raised() {
    let store = store(0, 10, 0);
    assert_eq!(store.config(), MemoryNonceConfig { retention_ms: 4, max_live: 10, shards: 1 });
    assert!(check(&store, "key", "nonce", -3, -3));
    assert!(!check(&store, "key", "nonce", -3, 0));
}

/// One million live nonces, timestamps spread over the retention, take at
/// most 64 bytes each. Hashing dominates; it takes a few seconds in debug.
#[test]
fn a_live_nonce_takes_at_most_64_bytes() {
    const NONCES: u32 = 1_000_000;
    let config = MemoryNonceConfig::default();
    let store = MemoryNonceStore::new(config);
    let now = 1_700_000_000_000;
    let nonces: Vec<String> = (0..NONCES).map(|i| format!("bench-nonce-{i:010}")).collect();
    for (chunk_index, chunk) in nonces.chunks(1_000).enumerate() {
        let timestamp = now - config.retention_ms + chunk_index as i64 * config.retention_ms / 1_000;
        let claims: Vec<_> = chunk
            .iter()
            .map(|nonce| NonceClaim { window_ms: config.retention_ms, ..claim("key", nonce, timestamp) })
            .collect();
        assert!(ready(store.claim(&claims, now)).unwrap().into_iter().all(|fresh| fresh));
    }
    assert_eq!(store.len(), NONCES as usize);
    let per_nonce = store.memory_bytes() / store.len();
    assert!(per_nonce <= 64, "{per_nonce} bytes per nonce");
}

/// The model: every recorded (key, nonce) with its timestamps, and the
/// latest time seen. Each key has a window of its own (within the retention).
/// A claim's bucket has expired once the latest time is past the bucket's end
/// plus the window; expired claims are refused and expired entries
/// forgotten. A claim repeats an entry in its own bucket or in one that
/// overlaps the window around now, exactly as the store documents.
#[derive(Debug, Default)]
struct Model {
    entries: HashMap<(usize, usize), Vec<i64>>,
    windows: [i64; 3],
    latest: i64,
}

impl Model {
    fn window(&self, key: usize) -> i64 {
        self.windows[key].clamp(0, RETENTION)
    }

    fn expired(&self, key: usize, timestamp: i64) -> bool {
        timestamp.div_euclid(BUCKET) * BUCKET + BUCKET + self.window(key) < self.latest
    }

    fn forget_expired(&mut self) {
        let windows = [0, 1, 2].map(|key| self.window(key));
        let latest = self.latest;
        for (&(key, _), timestamps) in &mut self.entries {
            timestamps.retain(|&t| t.div_euclid(BUCKET) * BUCKET + BUCKET + windows[key] >= latest);
        }
        self.entries.retain(|_, timestamps| !timestamps.is_empty());
    }

    fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    fn claim(&mut self, key: usize, nonce: usize, timestamp: i64, now: i64, max_live: usize) -> Result<bool, ()> {
        self.forget_expired();
        let window = self.window(key);
        let own = timestamp.div_euclid(BUCKET) * BUCKET;
        let overlaps = |t: &i64| {
            let start = t.div_euclid(BUCKET) * BUCKET;
            start == own || (start + BUCKET > now - window && start <= now + window)
        };
        let repeated = self.entries.get(&(key, nonce)).is_some_and(|timestamps| timestamps.iter().any(overlaps));
        if self.expired(key, timestamp) || repeated {
            return Ok(false);
        }
        if self.len() == max_live {
            return Err(());
        }
        self.entries.entry((key, nonce)).or_default().push(timestamp);
        Ok(true)
    }
}

const KEYS: [&str; 3] = ["key-a", "key-b", "key-c"];
const NONCES: [&str; 5] = ["n0", "n1", "n2", "n3", "n4"];

proptest! {
    /// Batches of claims at a clock that mostly advances but may step back,
    /// with timestamps from expired to a window ahead, against the model;
    /// `max_live` 4 makes `Full` common.
    #[test]
    fn the_store_answers_like_the_model(
        start in -5_000i64..5_000,
        max_live in prop_oneof![Just(4usize), Just(1_000)],
        shards in 1usize..4,
        windows in prop::array::uniform3(prop_oneof![Just(0i64), Just(100), Just(400), Just(RETENTION), Just(3 * RETENTION)]),
        steps in prop::collection::vec(
            (-100i64..400, prop::collection::vec((0..KEYS.len(), 0..NONCES.len(), -1_600i64..=1_100), 1..4)),
            1..60,
        ),
    ) {
        let store = store(RETENTION, max_live, shards);
        let mut model = Model { latest: i64::MIN, windows, ..Model::default() };
        let mut now = start;
        for (advance, batch) in steps {
            now += advance;
            model.latest = model.latest.max(now);
            let claims: Vec<_> = batch
                .iter()
                .map(|&(k, n, jitter)| NonceClaim { window_ms: windows[k], ..claim(KEYS[k], NONCES[n], now + jitter) })
                .collect();
            let mut expected = Vec::new();
            let mut full = false;
            for &(k, n, jitter) in &batch {
                match model.claim(k, n, now + jitter, now, max_live) {
                    Ok(fresh) => expected.push(fresh),
                    Err(()) => { full = true; break; }
                }
            }
            match ready(store.claim(&claims, now)) {
                Ok(answers) => prop_assert!(!full && answers == expected, "{answers:?} vs {expected:?} full {full}"),
                Err(NonceError::Full { max_live: reported }) => prop_assert!(full && reported == max_live),
                Err(error) => prop_assert!(false, "{error}"),
            }
            prop_assert!(store.len() >= model.len());
        }
        store.purge_expired(now);
        model.forget_expired();
        prop_assert_eq!(store.len(), model.len());
    }
}
