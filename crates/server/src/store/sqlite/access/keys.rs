//! API keys.

use altgate_protocol::{AccountId, Environment, KeyId};
use sqlx::SqliteConnection;

use super::rows::{KeyRow, key_columns, to_i64};
use crate::secrets::Sealed;
use crate::store::{KeyRecord, NewKey, Retirement, StoreError};

pub(super) async fn insert(conn: &mut SqliteConnection, key: &NewKey) -> Result<(), StoreError> {
    let k = &key.record;
    let scopes = k.scopes.to_string();
    let allowlist = serde_json::to_string(&k.ip_allowlist).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let labels = serde_json::to_string(&k.labels).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sealed = key.sealed.as_ref();
    sqlx::query(
        "INSERT INTO api_keys (id, account_id, name, environment, scopes, start, version, family_id, \
         rotated_from, lookup_hash, pepper_version, secret_ciphertext, secret_nonce, dek_wrapped, \
         dek_nonce, kek_version, created_at, expires_at, revoked_at, last_used_at, ip_allowlist, \
         labels, signature_required, rate_per_minute, monthly_quota, signing, public_key, \
         signature_window_secs, sequence_required) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(k.id.as_str())
    .bind(k.account_id.as_str())
    .bind(k.name.as_str())
    .bind(k.environment.as_str())
    .bind(scopes)
    .bind(&k.start)
    .bind(i64::from(k.version))
    .bind(k.family_id.as_str())
    .bind(k.rotated_from.as_ref().map(KeyId::as_str))
    .bind(key.lookup.hash.as_slice())
    .bind(i64::from(key.lookup.pepper_version))
    .bind(sealed.map(|s| s.ciphertext.as_slice()))
    .bind(sealed.map(|s| s.nonce.as_slice()))
    .bind(sealed.map(|s| s.wrapped_dek.as_slice()))
    .bind(sealed.map(|s| s.dek_nonce.as_slice()))
    .bind(sealed.map(|s| i64::from(s.kek_version)))
    .bind(k.created_at)
    .bind(k.expires_at)
    .bind(k.revoked_at)
    .bind(k.last_used_at)
    .bind(allowlist)
    .bind(labels)
    .bind(k.signature_required)
    .bind(k.rate_per_minute.map(i64::from))
    .bind(k.monthly_quota.map(|q| to_i64(q, "monthly_quota")).transpose()?)
    .bind(k.signing.as_str())
    .bind(k.public_key.as_ref().map(|p| p.as_bytes().as_slice()))
    .bind(k.signature_window_secs.map(i64::from))
    .bind(k.sequence_required)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn get(conn: &mut SqliteConnection, id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
    let sql = concat!("SELECT ", key_columns!(), " FROM api_keys k WHERE k.id = ?");
    let row: Option<KeyRow> = sqlx::query_as(sql).bind(id.as_str()).fetch_optional(conn).await?;
    row.map(KeyRow::into_record).transpose()
}

#[derive(sqlx::FromRow)]
struct KeyWithPepper {
    #[sqlx(flatten)]
    key: KeyRow,
    pepper_version: i64,
}

pub(super) async fn by_hash(conn: &mut SqliteConnection, hash: &[u8]) -> Result<Option<(KeyRecord, u32)>, StoreError> {
    let sql = concat!("SELECT ", key_columns!(), ", k.pepper_version FROM api_keys k WHERE k.lookup_hash = ?");
    let found: Option<KeyWithPepper> = sqlx::query_as(sql).bind(hash).fetch_optional(conn).await?;
    let Some(found) = found else { return Ok(None) };
    let version = u32::try_from(found.pepper_version).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some((found.key.into_record()?, version)))
}

pub(super) async fn list(
    conn: &mut SqliteConnection,
    account: &AccountId,
    environment: Option<Environment>,
    after: Option<&KeyId>,
    limit: u32,
) -> Result<Vec<KeyRecord>, StoreError> {
    let sql = concat!(
        "SELECT ",
        key_columns!(),
        " FROM api_keys k WHERE k.account_id = ? AND (? IS NULL OR k.environment = ?) \
         AND k.id > ? ORDER BY k.id LIMIT ?"
    );
    let env = environment.map(Environment::as_str);
    let rows: Vec<KeyRow> = sqlx::query_as(sql)
        .bind(account.as_str())
        .bind(env)
        .bind(env)
        .bind(after.map_or("", KeyId::as_str))
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(KeyRow::into_record).collect()
}

pub(super) async fn family(conn: &mut SqliteConnection, family_id: &KeyId) -> Result<Vec<KeyRecord>, StoreError> {
    let sql = concat!("SELECT ", key_columns!(), " FROM api_keys k WHERE k.family_id = ? ORDER BY k.version");
    let rows: Vec<KeyRow> = sqlx::query_as(sql).bind(family_id.as_str()).fetch_all(conn).await?;
    rows.into_iter().map(KeyRow::into_record).collect()
}

/// Sets the old key's expiry to `expires_at` unless it is already earlier.
pub(super) async fn shorten_expiry(conn: &mut SqliteConnection, id: &KeyId, expires_at: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_keys SET expires_at = min(coalesce(expires_at, ?), ?) WHERE id = ?")
        .bind(expires_at)
        .bind(expires_at)
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) async fn retire(
    conn: &mut SqliteConnection,
    id: &KeyId,
    retirement: Retirement,
) -> Result<bool, StoreError> {
    let done = match retirement {
        Retirement::Revoke(at) => {
            sqlx::query("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?")
                .bind(at)
                .bind(id.as_str())
                .execute(conn)
                .await?
        }
        Retirement::ExpireAt(at) => {
            sqlx::query("UPDATE api_keys SET expires_at = ? WHERE id = ?")
                .bind(at)
                .bind(id.as_str())
                .execute(conn)
                .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

pub(super) async fn revoke_all(
    conn: &mut SqliteConnection,
    account: &AccountId,
    at: i64,
) -> Result<Vec<KeyId>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL RETURNING id",
    )
    .bind(at)
    .bind(account.as_str())
    .fetch_all(conn)
    .await?;
    ids.iter().map(|id| KeyId::parse(id).map_err(|e| StoreError::Corrupt(format!("{id}: {e}")))).collect()
}

#[derive(sqlx::FromRow)]
struct SealedRow {
    id: String,
    secret_ciphertext: Vec<u8>,
    secret_nonce: Vec<u8>,
    dek_wrapped: Vec<u8>,
    dek_nonce: Vec<u8>,
    kek_version: i64,
}

impl SealedRow {
    fn into_parts(self) -> Result<(KeyId, Sealed), StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("{}: {what}", self.id));
        let id = KeyId::parse(&self.id).map_err(|_| bad("id"))?;
        let sealed = Sealed {
            ciphertext: self.secret_ciphertext.clone(),
            nonce: self.secret_nonce.as_slice().try_into().map_err(|_| bad("nonce length"))?,
            wrapped_dek: self.dek_wrapped.clone(),
            dek_nonce: self.dek_nonce.as_slice().try_into().map_err(|_| bad("nonce length"))?,
            kek_version: u32::try_from(self.kek_version).map_err(|_| bad("kek version"))?,
        };
        Ok((id, sealed))
    }
}

pub(super) async fn sealed(conn: &mut SqliteConnection, id: &KeyId) -> Result<Option<Sealed>, StoreError> {
    let row: Option<SealedRow> = sqlx::query_as(
        "SELECT id, secret_ciphertext, secret_nonce, dek_wrapped, dek_nonce, kek_version FROM api_keys \
         WHERE id = ? AND secret_ciphertext IS NOT NULL",
    )
    .bind(id.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.into_parts().map(|(_, s)| s)).transpose()
}

pub(super) async fn sealed_below(
    conn: &mut SqliteConnection,
    version: u32,
    limit: u32,
) -> Result<Vec<(KeyId, Sealed)>, StoreError> {
    let rows: Vec<SealedRow> = sqlx::query_as(
        "SELECT id, secret_ciphertext, secret_nonce, dek_wrapped, dek_nonce, kek_version FROM api_keys \
         WHERE kek_version < ? AND secret_ciphertext IS NOT NULL ORDER BY id LIMIT ?",
    )
    .bind(i64::from(version))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(SealedRow::into_parts).collect()
}

pub(super) async fn reseal(
    conn: &mut SqliteConnection,
    id: &KeyId,
    old_version: u32,
    sealed: &Sealed,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE api_keys SET secret_ciphertext = ?, secret_nonce = ?, dek_wrapped = ?, dek_nonce = ?, \
         kek_version = ? WHERE id = ? AND kek_version = ?",
    )
    .bind(sealed.ciphertext.as_slice())
    .bind(sealed.nonce.as_slice())
    .bind(sealed.wrapped_dek.as_slice())
    .bind(sealed.dek_nonce.as_slice())
    .bind(i64::from(sealed.kek_version))
    .bind(id.as_str())
    .bind(i64::from(old_version))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
