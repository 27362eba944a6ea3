//! Accounts.

use altgate_protocol::AccountId;
use sqlx::SqliteConnection;

use super::rows::{AccountRow, account_columns, to_i64};
use crate::store::{AccountChange, AccountRecord, StoreError};

pub(super) async fn insert(conn: &mut SqliteConnection, a: &AccountRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO accounts (id, name, email, plan, admin, rate_per_minute, monthly_quota, \
         created_at, suspended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(a.id.as_str())
    .bind(a.name.as_str())
    .bind(a.email.as_ref().map(|e| e.as_str()))
    .bind(a.plan.as_str())
    .bind(a.admin)
    .bind(a.rate_per_minute.map(i64::from))
    .bind(a.monthly_quota.map(|q| to_i64(q, "monthly_quota")).transpose()?)
    .bind(a.created_at)
    .bind(a.suspended_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn get(conn: &mut SqliteConnection, id: &AccountId) -> Result<Option<AccountRecord>, StoreError> {
    let sql = concat!("SELECT ", account_columns!(), " FROM accounts WHERE id = ?");
    let row: Option<AccountRow> = sqlx::query_as(sql).bind(id.as_str()).fetch_optional(conn).await?;
    row.map(AccountRow::into_record).transpose()
}

pub(super) async fn change(
    conn: &mut SqliteConnection,
    id: &AccountId,
    change: &AccountChange,
) -> Result<bool, StoreError> {
    let done = match change {
        AccountChange::Suspend { at } => {
            sqlx::query("UPDATE accounts SET suspended_at = coalesce(suspended_at, ?) WHERE id = ?")
                .bind(at)
                .bind(id.as_str())
                .execute(conn)
                .await?
        }
        AccountChange::Reactivate => {
            sqlx::query("UPDATE accounts SET suspended_at = NULL WHERE id = ?").bind(id.as_str()).execute(conn).await?
        }
        AccountChange::Update { name, plan, rate_per_minute, monthly_quota } => {
            let quota = match monthly_quota {
                Some(Some(q)) => Some(Some(to_i64(*q, "monthly_quota")?)),
                Some(None) => Some(None),
                None => None,
            };
            sqlx::query(
                "UPDATE accounts SET name = coalesce(?, name), plan = coalesce(?, plan), \
                 rate_per_minute = CASE WHEN ? THEN ? ELSE rate_per_minute END, \
                 monthly_quota = CASE WHEN ? THEN ? ELSE monthly_quota END WHERE id = ?",
            )
            .bind(name.as_ref().map(|n| n.as_str()))
            .bind(plan.map(|p| p.as_str()))
            .bind(rate_per_minute.is_some())
            .bind(rate_per_minute.flatten().map(i64::from))
            .bind(quota.is_some())
            .bind(quota.flatten())
            .bind(id.as_str())
            .execute(conn)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}
