//! Monthly request quotas: UTC calendar months and in-memory counters.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::Offset;

/// Which of an account's environments a request is for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Env {
    /// Production keys.
    Live,
    /// Sandbox keys; limited and counted separately from `Live`.
    Test,
}

impl Env {
    /// A dense index for per-environment arrays.
    pub(super) fn index(self) -> usize {
        match self {
            Env::Live => 0,
            Env::Test => 1,
        }
    }

    /// Both environments, in [`Env::index`] order.
    pub(super) const ALL: [Env; 2] = [Env::Live, Env::Test];
}

/// A UTC calendar month, stored as `year * 12 + (month - 1)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) struct MonthKey(i32);

impl MonthKey {
    /// The UTC month containing `now_ms` (clamped to jiff's range). Every
    /// request asks, so each thread remembers the last month it computed
    /// and its bounds.
    pub(crate) fn of(now_ms: i64) -> MonthKey {
        thread_local! {
            static LAST: std::cell::Cell<Option<(i64, i64, MonthKey)>> = const { std::cell::Cell::new(None) };
        }
        if let Some((start, next, key)) = LAST.get()
            && (start..next).contains(&now_ms)
        {
            return key;
        }
        let key = MonthKey::compute(now_ms);
        LAST.set(Some((key.start_ms(), key.next_start_ms(), key)));
        key
    }

    fn compute(now_ms: i64) -> MonthKey {
        let at =
            Timestamp::from_millisecond(now_ms).unwrap_or(if now_ms < 0 { Timestamp::MIN } else { Timestamp::MAX });
        let date = Offset::UTC.to_datetime(at).date();
        MonthKey(i32::from(date.year()) * 12 + i32::from(date.month()) - 1)
    }

    /// The calendar year.
    pub(crate) fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// The month of the year, 1–12.
    pub(crate) fn month(self) -> i32 {
        self.0.rem_euclid(12) + 1
    }

    /// The month after this one.
    pub(crate) fn next(self) -> MonthKey {
        MonthKey(self.0.saturating_add(1))
    }

    /// Unix milliseconds of the first instant of this month (saturating
    /// past jiff's years ±9999, as [`MonthKey::of`] does).
    pub(crate) fn start_ms(self) -> i64 {
        thread_local! {
            static LAST: std::cell::Cell<Option<(MonthKey, i64)>> = const { std::cell::Cell::new(None) };
        }
        if let Some((key, start)) = LAST.get()
            && key == self
        {
            return start;
        }
        let start = self.compute_start_ms();
        LAST.set(Some((self, start)));
        start
    }

    fn compute_start_ms(self) -> i64 {
        let year = i16::try_from(self.year()).unwrap_or(i16::MAX);
        let month = i8::try_from(self.month()).unwrap_or(1);
        Date::new(year, month, 1)
            .ok()
            .and_then(|date| Offset::UTC.to_timestamp(date.to_datetime(Time::midnight())).ok())
            .unwrap_or(if self.0 < 0 { Timestamp::MIN } else { Timestamp::MAX })
            .as_millisecond()
    }

    /// Unix milliseconds of the first instant of the next month.
    pub(crate) fn next_start_ms(self) -> i64 {
        self.next().start_ms()
    }
}

impl fmt::Display for MonthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// Requests counted for one (account, environment, month) and not yet
/// persisted, as returned by [`super::RateLimiter::drain_quota_increments`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuotaIncrement {
    /// The account the requests were made by.
    pub(crate) account_id: String,
    /// The environment they were made in.
    pub(crate) environment: Env,
    /// The month they count towards.
    pub(crate) month: MonthKey,
    /// How many requests to add to the stored count.
    pub(crate) requests: u64,
}

/// One month's count for one (account, environment).
#[derive(Debug, Clone, PartialEq, Eq)]
struct MonthCount {
    month: MonthKey,
    /// Requests used this month: the seeded value plus those counted here.
    used: u64,
    /// Requests counted here and not yet drained.
    pending: u64,
    /// Whether the stored count has been added to `used`.
    seeded: bool,
}

/// The monthly counters of one (account, environment); usually one month,
/// two around a month boundary until the old one is drained and pruned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Counters {
    months: Vec<MonthCount>,
}

impl Counters {
    /// The count for `month`, if any request or seed has touched it.
    fn get(&self, month: MonthKey) -> Option<&MonthCount> {
        self.months.iter().find(|count| count.month == month)
    }

    /// Requests used in `month` (0 if never seeded nor counted).
    pub(super) fn used(&self, month: MonthKey) -> u64 {
        self.get(month).map_or(0, |count| count.used)
    }

    /// Whether the stored count for `month` has not been seeded yet.
    pub(super) fn needs_seed(&self, month: MonthKey) -> bool {
        self.get(month).is_none_or(|count| !count.seeded)
    }

    /// Adds the stored count for `month`, once.
    pub(super) fn seed(&mut self, month: MonthKey, used: u64) {
        let count = self.entry(month);
        if !count.seeded {
            count.seeded = true;
            count.used = count.used.saturating_add(used);
        }
    }

    /// Counts one admitted request in `month`.
    pub(super) fn add_one(&mut self, month: MonthKey) {
        let count = self.entry(month);
        count.used = count.used.saturating_add(1);
        count.pending = count.pending.saturating_add(1);
    }

    /// Takes the pending increments, leaving them at zero.
    pub(super) fn drain(&mut self) -> impl Iterator<Item = (MonthKey, u64)> + '_ {
        self.months
            .iter_mut()
            .filter(|count| count.pending > 0)
            .map(|count| (count.month, std::mem::take(&mut count.pending)))
    }

    /// Puts back increments that could not be persisted.
    pub(super) fn restore(&mut self, month: MonthKey, requests: u64) {
        let count = self.entry(month);
        count.pending = count.pending.saturating_add(requests);
    }

    /// Drops months before `current` with nothing left to persist.
    pub(super) fn prune(&mut self, current: MonthKey) {
        self.months.retain(|count| count.month >= current || count.pending > 0);
    }

    fn entry(&mut self, month: MonthKey) -> &mut MonthCount {
        let index = match self.months.iter().position(|count| count.month == month) {
            Some(index) => index,
            None => {
                self.months.push(MonthCount { month, used: 0, pending: 0, seeded: false });
                self.months.len() - 1
            }
        };
        &mut self.months[index]
    }
}
