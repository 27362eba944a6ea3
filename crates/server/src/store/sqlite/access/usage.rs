//! Usage counters.

use altgate_protocol::{AccountId, Environment, KeyId};
use sqlx::SqliteConnection;

use super::rows::to_i64;
use crate::store::{StoreError, StoredUsage, UsageBatch};

/// Minute rows are kept for 31 days (day totals are summed from them) and
/// pruned at each flush after that.
const MINUTES_KEPT: i64 = 31 * 24 * 60;

pub(super) async fn record(conn: &mut SqliteConnection, batch: &UsageBatch) -> Result<(), StoreError> {
    for (key, minute, requests) in &batch.requests {
        sqlx::query(
            "INSERT INTO key_usage (key_id, minute, requests) VALUES (?, ?, ?) \
             ON CONFLICT (key_id, minute) DO UPDATE SET requests = requests + excluded.requests",
        )
        .bind(key.as_str())
        .bind(minute)
        .bind(to_i64(*requests, "requests")?)
        .execute(&mut *conn)
        .await?;
    }
    for (key, minute, code, count) in &batch.rejects {
        sqlx::query(
            "INSERT INTO key_rejects (key_id, minute, code, count) VALUES (?, ?, ?, ?) \
             ON CONFLICT (key_id, minute, code) DO UPDATE SET count = count + excluded.count",
        )
        .bind(key.as_str())
        .bind(minute)
        .bind(*code)
        .bind(to_i64(*count, "count")?)
        .execute(&mut *conn)
        .await?;
    }
    for (key, at) in &batch.last_used {
        sqlx::query("UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?")
            .bind(at)
            .bind(key.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for (account, environment, month, requests) in &batch.months {
        sqlx::query(
            "INSERT INTO account_usage (account_id, environment, month, requests) VALUES (?, ?, ?, ?) \
             ON CONFLICT (account_id, environment, month) DO UPDATE SET requests = requests + excluded.requests",
        )
        .bind(account.as_str())
        .bind(environment.as_str())
        .bind(month)
        .bind(to_i64(*requests, "requests")?)
        .execute(&mut *conn)
        .await?;
    }
    for (key, sequence) in &batch.sequences {
        // A u64 is stored as its i64 bit pattern, so the comparison is done
        // here, as unsigned, inside the write transaction.
        let stored: Option<Option<i64>> = sqlx::query_scalar("SELECT last_sequence FROM api_keys WHERE id = ?")
            .bind(key.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if stored.flatten().is_none_or(|last| (last as u64) < *sequence) {
            sqlx::query("UPDATE api_keys SET last_sequence = ? WHERE id = ?")
                .bind(*sequence as i64)
                .bind(key.as_str())
                .execute(&mut *conn)
                .await?;
        }
    }
    let horizon = batch.now_ms.div_euclid(60_000) - MINUTES_KEPT;
    sqlx::query("DELETE FROM key_usage WHERE minute < ?").bind(horizon).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM key_rejects WHERE minute < ?").bind(horizon).execute(&mut *conn).await?;
    Ok(())
}

pub(super) async fn of_key(
    conn: &mut SqliteConnection,
    id: &KeyId,
    since_minute: i64,
    since_day: i64,
) -> Result<StoredUsage, StoreError> {
    let minutes: Vec<(i64, i64)> =
        sqlx::query_as("SELECT minute, requests FROM key_usage WHERE key_id = ? AND minute >= ? ORDER BY minute")
            .bind(id.as_str())
            .bind(since_minute)
            .fetch_all(&mut *conn)
            .await?;
    let days: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT minute / 1440 AS day, sum(requests) FROM key_usage WHERE key_id = ? AND minute >= ? \
         GROUP BY day ORDER BY day",
    )
    .bind(id.as_str())
    .bind(since_day * 1440)
    .fetch_all(&mut *conn)
    .await?;
    let rejects: Vec<(String, i64)> = sqlx::query_as(
        "SELECT code, sum(count) FROM key_rejects WHERE key_id = ? AND minute >= ? GROUP BY code ORDER BY code",
    )
    .bind(id.as_str())
    .bind(since_day * 1440)
    .fetch_all(conn)
    .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    Ok(StoredUsage {
        minutes: minutes.into_iter().map(|(m, n)| (m, count(n))).collect(),
        days: days.into_iter().map(|(d, n)| (d, count(n))).collect(),
        rejects: rejects.into_iter().map(|(c, n)| (c, count(n))).collect(),
    })
}

pub(super) async fn of_month(
    conn: &mut SqliteConnection,
    account: &AccountId,
    environment: Environment,
    month: &str,
) -> Result<u64, StoreError> {
    let n: Option<i64> =
        sqlx::query_scalar("SELECT requests FROM account_usage WHERE account_id = ? AND environment = ? AND month = ?")
            .bind(account.as_str())
            .bind(environment.as_str())
            .bind(month)
            .fetch_optional(conn)
            .await?;
    Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or_default()))
}
