//! The audit trail: appending with the hash chain, and reading.

use altgate_protocol::{AccountId, AuditAction, AuditEvent, KeyId, Timestamp};
use sqlx::SqliteConnection;

use crate::audit::chain::{self, ChainFields, GENESIS};
use crate::store::{AuditEntry, AuditFilter, ChainedEvent, StoreError};

/// Appends `entries` after the current head, chaining each hash. Must run
/// inside a write transaction so the head cannot move underneath.
pub(super) async fn append(
    conn: &mut SqliteConnection,
    entries: &[AuditEntry],
    mac: &(dyn Fn(&[u8]) -> [u8; 32] + Send + Sync),
) -> Result<(), StoreError> {
    let head: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (mut seq, mut prev) = match head {
        Some((seq, hash)) => (u64::try_from(seq).unwrap_or_default(), hash),
        None => (0, GENESIS.to_vec()),
    };
    for entry in entries {
        seq += 1;
        let details = entry.details.to_string();
        let ip = entry.ip.as_deref();
        let fields = ChainFields {
            seq,
            at: entry.at,
            action: entry.action.as_str(),
            actor_account_id: entry.actor_account_id.as_ref().map(AccountId::as_str),
            actor_key_id: entry.actor_key_id.as_ref().map(KeyId::as_str),
            account_id: entry.account_id.as_ref().map(AccountId::as_str),
            key_id: entry.key_id.as_ref().map(KeyId::as_str),
            ip,
            details: &details,
        };
        let hash = mac(&chain::message(&prev, &fields));
        sqlx::query(
            "INSERT INTO audit_events (seq, at, action, actor_account_id, actor_key_id, account_id, \
             key_id, ip, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(entry.at)
        .bind(fields.action)
        .bind(fields.actor_account_id)
        .bind(fields.actor_key_id)
        .bind(fields.account_id)
        .bind(fields.key_id)
        .bind(ip)
        .bind(&details)
        .bind(prev.as_slice())
        .bind(hash.as_slice())
        .execute(&mut *conn)
        .await?;
        tracing::info!(seq, action = fields.action, head = %chain::hex(&hash), "audit event appended");
        prev = hash.to_vec();
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: i64,
    action: String,
    actor_account_id: Option<String>,
    actor_key_id: Option<String>,
    account_id: Option<String>,
    key_id: Option<String>,
    ip: Option<String>,
    details: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

impl AuditRow {
    fn into_chained(self) -> Result<ChainedEvent, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("audit event {}: {what}", self.seq));
        let account =
            |s: &Option<String>| s.as_deref().map(AccountId::parse).transpose().map_err(|_| bad("account id"));
        let key = |s: &Option<String>| s.as_deref().map(KeyId::parse).transpose().map_err(|_| bad("key id"));
        let event = AuditEvent {
            seq: u64::try_from(self.seq).map_err(|_| bad("seq"))?,
            at: Timestamp::from_millis(self.at),
            action: self.action.parse::<AuditAction>().map_err(|_| bad("action"))?,
            actor_account_id: account(&self.actor_account_id)?,
            actor_key_id: key(&self.actor_key_id)?,
            account_id: account(&self.account_id)?,
            key_id: key(&self.key_id)?,
            ip: self.ip.clone(),
            details: serde_json::from_str(&self.details).map_err(|_| bad("details"))?,
            hash: chain::hex(&self.hash),
        };
        Ok(ChainedEvent {
            event,
            prev_hash: self.prev_hash,
            hash: self.hash,
            details_text: self.details,
            action_text: self.action,
        })
    }
}

const AUDIT_COLUMNS: &str =
    "seq, at, action, actor_account_id, actor_key_id, account_id, key_id, ip, details, prev_hash, hash";

pub(super) async fn list(
    conn: &mut SqliteConnection,
    filter: &AuditFilter,
    after_seq: u64,
    limit: u32,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT ");
    query.push(AUDIT_COLUMNS).push(" FROM audit_events WHERE seq > ");
    query.push_bind(i64::try_from(after_seq).unwrap_or(i64::MAX));
    if let Some(account) = &filter.account_id {
        query.push(" AND (account_id = ").push_bind(account.as_str());
        query.push(" OR actor_account_id = ").push_bind(account.as_str()).push(")");
    }
    if let Some(key) = &filter.key_id {
        query.push(" AND (key_id = ").push_bind(key.as_str());
        query.push(" OR actor_key_id = ").push_bind(key.as_str()).push(")");
    }
    if let Some(action) = filter.action {
        query.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(since) = filter.since {
        query.push(" AND at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        query.push(" AND at < ").push_bind(until);
    }
    query.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit));
    let rows: Vec<AuditRow> = query.build_query_as().fetch_all(conn).await?;
    rows.into_iter().map(|r| r.into_chained().map(|c| c.event)).collect()
}

pub(super) async fn chain(
    conn: &mut SqliteConnection,
    after_seq: u64,
    limit: u32,
) -> Result<Vec<ChainedEvent>, StoreError> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT seq, at, action, actor_account_id, actor_key_id, account_id, key_id, ip, details, \
         prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(i64::try_from(after_seq).unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(AuditRow::into_chained).collect()
}
