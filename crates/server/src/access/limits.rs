//! Rate limits and quotas applied to an authenticated key.

use std::net::IpAddr;

use altgate_protocol::{Environment, ErrorCode};

use super::principal::{Principal, account_limits};
use super::{PlatformError, Refusal};
use crate::platform::Platform;
use crate::ratelimit::{Decision, Env, Limit, LimitRequest, LimitStatus, MonthKey};

/// The outcome of the limits: the budget left (for the `RateLimit`
/// headers), and the refusal when a limit is reached.
#[derive(Debug, Clone)]
pub(crate) struct Admission {
    pub(crate) status: LimitStatus,
    pub(crate) refusal: Option<Refusal>,
}

pub(crate) fn env(environment: Environment) -> Env {
    match environment {
        Environment::Live => Env::Live,
        Environment::Test => Env::Test,
    }
}

impl Platform {
    /// Applies the key's rate, its account's rate and the account's monthly
    /// quota for the key's environment, atomically: a request refused by one
    /// consumes none of the others. Counts the request for usage when
    /// admitted. `now` is the request's time, read once for it.
    pub(crate) async fn admit(&self, principal: &Principal, now: i64) -> Result<Admission, PlatformError> {
        let key = &principal.key;
        let account = &principal.account;
        let environment = env(key.environment);
        let limiter = &self.access.limiter;
        let (account_rate, account_quota) = account_limits(account, &self.config.plans);
        let request = LimitRequest {
            key_id: key.id.as_str(),
            account_id: account.id.as_str(),
            environment,
            key_limit: Limit::per_minute(key.rate_per_minute.unwrap_or(account_rate)),
            account_limit: Limit::per_minute(account_rate),
            monthly_quota: account_quota,
            key_monthly_quota: key.monthly_quota,
        };
        // The common case decides under one lock; a month not yet counted in
        // memory is first seeded from the store.
        let decision = match limiter.check_seeded(&request, now) {
            Some(decision) => decision,
            None => {
                // Boxed: the store's futures would otherwise swell every
                // request's future, and this runs once a month per account.
                Box::pin(self.seed_month(principal, now)).await?;
                limiter.check(&request, now)
            }
        };
        let (status, refusal) = match decision {
            Decision::Allowed(status) => {
                self.access.usage.admitted(&key.id, now);
                (status, None)
            }
            Decision::RateLimited { retry_after_ms, status } => {
                let refusal = Refusal::new(ErrorCode::RateLimited, "too many requests for this key or its account")
                    .retry_after_ms(retry_after_ms);
                (status, Some(refusal))
            }
            Decision::QuotaExhausted { retry_after_ms, status } => {
                let refusal = Refusal::new(
                    ErrorCode::QuotaExhausted,
                    format!("this month's quota of {} requests is used up", status.month.quota),
                )
                .retry_after_ms(retry_after_ms);
                (status, Some(refusal))
            }
        };
        if let Some(refusal) = &refusal {
            self.refused(principal, refusal.code, now);
        }
        Ok(Admission { status, refusal })
    }

    /// Seeds the limiter with the month's stored usage: the account's in the
    /// key's environment, and the key's own when it has a quota.
    async fn seed_month(&self, principal: &Principal, now: i64) -> Result<(), PlatformError> {
        let key = &principal.key;
        let account = &principal.account;
        let environment = env(key.environment);
        let limiter = &self.access.limiter;
        let month = MonthKey::of(now);
        if limiter.needs_seed(account.id.as_str(), environment, now) {
            let used = self.store.month_usage(&account.id, key.environment, &month.to_string()).await?;
            limiter.seed(account.id.as_str(), environment, month, used);
        }
        if key.monthly_quota.is_some() && limiter.needs_key_seed(account.id.as_str(), key.id.as_str(), now) {
            // The key's requests this month: those written to the store and
            // those still counted in memory.
            let since_minute = month.start_ms().div_euclid(60_000);
            let stored = self.store.key_requests_since(&key.id, since_minute).await?;
            let pending = self.access.usage.pending_since(&key.id, since_minute);
            limiter.seed_key(account.id.as_str(), key.id.as_str(), month, stored + pending);
        }
        Ok(())
    }

    /// Limits signups per client address.
    pub(crate) fn admit_signup(&self, ip: IpAddr) -> Result<(), Refusal> {
        let per_hour = self.config.signup.per_ip_per_hour.max(1);
        self.access.signups.check(&ip, Limit::per_hour(per_hour).with_burst(per_hour), self.now()).map_err(
            |retry_after_ms| {
                Refusal::new(
                    ErrorCode::RateLimited,
                    format!("too many signups from this address (the sustained rate is {per_hour} an hour)"),
                )
                .retry_after_ms(retry_after_ms)
            },
        )
    }
}
