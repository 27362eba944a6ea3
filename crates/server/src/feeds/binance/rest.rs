//! Backfill through `GET /api/v3/klines`, one page at a time, retrying
//! rate limits and transient failures with backoff.

use std::time::Duration;

use altgate_protocol::Interval;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;

use super::backoff::{Backoff, jitter_rng};
use super::tracker::{Job, PAGE_LIMIT};
use super::wire::{Kline, parse_rest_klines};

/// The klines endpoint of one REST base URL. Cheap to clone: clones share
/// the HTTP client and its connection pool.
#[derive(Debug, Clone)]
pub(super) struct Rest {
    client: reqwest::Client,
    klines_url: String,
    interval: Interval,
    retry_min: Duration,
    retry_max: Duration,
}

/// A request the API refused for good; retrying it would not help.
#[derive(Debug, thiserror::Error)]
#[error("Binance refused the klines request with HTTP {status}: {message}")]
pub(super) struct Refused {
    status: StatusCode,
    message: String,
}

/// How one attempt failed.
enum Failure {
    /// Worth retrying, after at least `after` if the server said so.
    Transient { reason: String, after: Option<Duration> },
    /// Not worth retrying.
    Refused(Refused),
}

/// Binance's error body, `{"code":-1121,"msg":"Invalid symbol."}`.
#[derive(Deserialize)]
struct ApiError {
    code: i64,
    msg: String,
}

impl Rest {
    /// Klines of `interval` from `{rest_url}/api/v3/klines`, retried with
    /// backoff from `retry_min` to `retry_max`.
    pub(super) fn new(
        client: reqwest::Client,
        rest_url: &str,
        interval: Interval,
        retry_min: Duration,
        retry_max: Duration,
    ) -> Self {
        let klines_url = format!("{}/api/v3/klines", rest_url.trim_end_matches('/'));
        Rest { client, klines_url, interval, retry_min, retry_max }
    }

    /// Fetches one page for `job`: up to [`PAGE_LIMIT`] klines opening at
    /// or after `job.start`, ascending. Retries until the API answers or
    /// refuses for good; a 429 or 418 waits at least its `Retry-After`.
    /// Dropping the future abandons the request.
    pub(super) async fn page(self, job: Job) -> (Job, Result<Vec<Kline>, Refused>) {
        let mut backoff = Backoff::new(self.retry_min, self.retry_max);
        let mut rng = jitter_rng();
        loop {
            let (reason, after) = match self.fetch(&job).await {
                Ok(rows) => return (job, Ok(rows)),
                Err(Failure::Refused(refused)) => return (job, Err(refused)),
                Err(Failure::Transient { reason, after }) => (reason, after),
            };
            let delay = backoff.next_delay(&mut rng).max(after.unwrap_or_default());
            tracing::warn!(
                symbol = %job.symbol,
                start = job.start,
                %reason,
                retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "binance: klines request failed; retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn fetch(&self, job: &Job) -> Result<Vec<Kline>, Failure> {
        let start = job.start.to_string();
        let limit = PAGE_LIMIT.to_string();
        let query = [
            ("symbol", job.symbol.as_str()),
            ("interval", self.interval.as_str()),
            ("startTime", start.as_str()),
            ("limit", limit.as_str()),
        ];
        let transient = |reason: String| Failure::Transient { reason, after: None };
        let response = self
            .client
            .get(&self.klines_url)
            .query(&query)
            .send()
            .await
            .map_err(|error| transient(error.without_url().to_string()))?;
        let status = response.status();
        let after = retry_after(response.headers());
        let body = response.bytes().await.map_err(|error| transient(error.without_url().to_string()))?;
        if status.is_success() {
            return parse_rest_klines(&body).map_err(|error| transient(error.to_string()));
        }
        let message = match serde_json::from_slice::<ApiError>(&body) {
            Ok(api) => format!("{} (code {})", api.msg, api.code),
            Err(_) => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        };
        let retryable = status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::IM_A_TEAPOT
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error();
        if retryable {
            Err(Failure::Transient { reason: format!("HTTP {status}: {message}"), after })
        } else {
            Err(Failure::Refused(Refused { status, message }))
        }
    }
}

/// The `Retry-After` header in seconds, as Binance sends it with 429 and 418.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers(" 0 ")), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}
