//! Failed authentications, aggregated for the audit trail: one event per
//! source and reason per flush, never one row per bad request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use altgate_protocol::{AuditAction, KeyId};
use serde_json::json;

use crate::store::AuditEntry;

/// Distinct (reason, source) pairs tracked between flushes; further sources
/// are counted together, so memory stays bounded under a flood.
const MAX_SOURCES: usize = 10_000;

/// Who failed: a known key (revoked, expired…) or, when no key could be
/// identified, the client address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum FailureSource {
    Key(KeyId),
    Ip(IpAddr),
    /// Sources beyond [`MAX_SOURCES`].
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    count: u64,
    first_ms: i64,
    last_ms: i64,
}

/// The aggregator.
#[derive(Debug, Default)]
pub(crate) struct AuthFailures {
    windows: Mutex<HashMap<(&'static str, FailureSource), Window>>,
}

impl AuthFailures {
    /// Counts one failure.
    pub(crate) fn record(&self, code: &'static str, source: FailureSource, now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = if windows.len() >= MAX_SOURCES && !windows.contains_key(&(code, source.clone())) {
            (code, FailureSource::Other)
        } else {
            (code, source)
        };
        let window = windows.entry(key).or_insert(Window { count: 0, first_ms: now_ms, last_ms: now_ms });
        window.count += 1;
        window.last_ms = now_ms;
    }

    /// Takes the counts gathered since the last drain, as audit events.
    pub(crate) fn drain(&self, now_ms: i64) -> Vec<AuditEntry> {
        let windows = std::mem::take(&mut *self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let mut entries: Vec<AuditEntry> = windows
            .into_iter()
            .map(|((code, source), w)| {
                let (key_id, ip) = match &source {
                    FailureSource::Key(id) => (Some(id.clone()), None),
                    FailureSource::Ip(ip) => (None, Some(ip.to_string())),
                    FailureSource::Other => (None, None),
                };
                AuditEntry {
                    at: now_ms,
                    action: AuditAction::AuthFailures,
                    actor_account_id: None,
                    actor_key_id: None,
                    account_id: None,
                    key_id,
                    ip,
                    details: json!({
                        "code": code,
                        "count": w.count,
                        "first_at": w.first_ms,
                        "last_at": w.last_ms,
                        "other_sources": matches!(source, FailureSource::Other),
                    }),
                }
            })
            .collect();
        entries.sort_by(|a, b| (&a.key_id, &a.ip).cmp(&(&b.key_id, &b.ip)));
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_per_source_and_reason_and_drained_once() {
        let failures = AuthFailures::default();
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for t in 0..1_000 {
            failures.record("unknown_key", FailureSource::Ip(ip), t);
        }
        failures.record("invalid_key_format", FailureSource::Ip(ip), 5);
        let entries = failures.drain(2_000);
        assert_eq!(entries.len(), 2);
        let unknown = entries.iter().find(|e| e.details["code"] == "unknown_key").unwrap();
        assert_eq!(unknown.details["count"], 1_000);
        assert_eq!(unknown.details["first_at"], 0);
        assert_eq!(unknown.details["last_at"], 999);
        assert_eq!(unknown.ip.as_deref(), Some("203.0.113.9"));
        assert!(failures.drain(3_000).is_empty());
    }

    #[test]
    fn memory_stays_bounded_under_many_sources() {
        let failures = AuthFailures::default();
        for i in 0..(MAX_SOURCES as u32 + 500) {
            failures.record("unknown_key", FailureSource::Ip(IpAddr::from(i.to_be_bytes())), 0);
        }
        let entries = failures.drain(1);
        assert_eq!(entries.len(), MAX_SOURCES + 1);
        let other = entries.iter().find(|e| e.details["other_sources"] == true).unwrap();
        assert_eq!(other.details["count"], 500);
    }
}
