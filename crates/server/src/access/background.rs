//! The key platform's background work: writing usage and quota counters
//! and aggregated auth failures to the store, pruning limiter state and
//! expired nonces, and
//! picking up keyring changes made by another process (a master-key
//! rotation run beside the service).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::PlatformError;
use crate::platform::Platform;
use crate::store::UsageBatch;

impl Platform {
    /// Writes everything gathered in memory to the store. On failure the
    /// counters are put back, so nothing is lost.
    pub(crate) async fn flush(&self) -> Result<(), PlatformError> {
        let now = self.now();
        let mut batch: UsageBatch = self.access.usage.drain(now);
        let increments = self.access.limiter.drain_quota_increments();
        batch.sequences = self.access.sequences.drain_dirty();
        batch.months = increments
            .iter()
            .filter_map(|inc| {
                let account = altgate_protocol::AccountId::parse(&inc.account_id).ok()?;
                let environment = match inc.environment {
                    crate::ratelimit::Env::Live => altgate_protocol::Environment::Live,
                    crate::ratelimit::Env::Test => altgate_protocol::Environment::Test,
                };
                Some((account, environment, inc.month.to_string(), inc.requests))
            })
            .collect();
        if let Err(error) = self.store.record_usage(&batch).await {
            self.access.sequences.restore(&batch.sequences);
            self.access.usage.restore(batch);
            self.access.limiter.restore_quota_increments(increments);
            return Err(error.into());
        }
        let failures = self.access.failures.drain(now);
        self.store.append_audit(&failures).await?;
        self.access.limiter.prune(now);
        self.access.signups.prune(now);
        self.access.nonces.forget_expired(now);
        Ok(())
    }

    /// Runs the periodic work until `cancel`, then flushes one last time.
    pub(crate) async fn run_background(self, cancel: CancellationToken) {
        let period = Duration::from_secs(self.config.usage_flush_secs.max(1));
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => break,
                _ = ticker.tick() => {}
            }
            if let Err(error) = self.flush().await {
                tracing::error!(%error, "writing usage counters failed; they will be retried");
            }
            match self.access.keyring.reload_if_changed() {
                Ok(true) => tracing::info!("keyring reloaded"),
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(%error, "the keyring file changed but cannot be loaded; keeping the old one");
                }
            }
        }
        if let Err(error) = self.flush().await {
            tracing::error!(%error, "final write of usage counters failed");
        }
    }
}
