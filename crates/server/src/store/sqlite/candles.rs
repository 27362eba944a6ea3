//! The candle tables.
//!
//! Writes go in multi-row `INSERT … ON CONFLICT DO UPDATE` statements of
//! [`ROWS_PER_STATEMENT`] rows, whose text is built once, so SQLite prepares
//! each shape once per connection. The update only touches a row whose
//! values differ, so rewriting stored candles changes nothing and counts
//! nothing.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use altgate_market::{Candle, CandleParts};
use altgate_protocol::{AssetId, Interval, Source};
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, SqliteConnection};

use super::SqliteStore;
use crate::store::{CandleStore, Series, SeriesInfo, SeriesWrite, SourcedCandle, StoreError};

/// Candles per statement: 10 parameters each, well under SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 3000;

const COLUMNS: &str = "series_id, open_time, open, high, low, close, volume, quote_volume, trades, source";

static FULL_UPSERT: LazyLock<Arc<str>> = LazyLock::new(|| upsert_sql(ROWS_PER_STATEMENT).into());

fn upsert_sql(rows: usize) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let values = vec![row; rows].join(", ");
    format!(
        "INSERT INTO candles ({COLUMNS}) VALUES {values} \
         ON CONFLICT (series_id, open_time) DO UPDATE SET \
         open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, \
         volume = excluded.volume, quote_volume = excluded.quote_volume, trades = excluded.trades, \
         source = excluded.source \
         WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR low IS NOT excluded.low \
         OR close IS NOT excluded.close OR volume IS NOT excluded.volume \
         OR quote_volume IS NOT excluded.quote_volume OR trades IS NOT excluded.trades \
         OR source IS NOT excluded.source"
    )
}

fn source_code(source: Source) -> i64 {
    match source {
        Source::Simulated => 1,
        Source::Binance => 2,
        Source::Import => 3,
    }
}

fn source_from_code(code: i64) -> Result<Source, StoreError> {
    match code {
        1 => Ok(Source::Simulated),
        2 => Ok(Source::Binance),
        3 => Ok(Source::Import),
        other => Err(StoreError::Corrupt(format!("candle source {other}"))),
    }
}

/// The id of `series`, created when `create` is set.
async fn series_id(conn: &mut SqliteConnection, series: &Series, create: bool) -> Result<Option<i64>, StoreError> {
    if create {
        sqlx::query("INSERT INTO candle_series (asset_id, interval) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(series.asset.as_str())
            .bind(series.interval.as_str())
            .execute(&mut *conn)
            .await?;
    }
    let id = sqlx::query_scalar("SELECT id FROM candle_series WHERE asset_id = ? AND interval = ?")
        .bind(series.asset.as_str())
        .bind(series.interval.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id)
}

async fn write_chunk(conn: &mut SqliteConnection, id: i64, chunk: &[SourcedCandle]) -> Result<u64, StoreError> {
    // Built from constants only.
    let sql: Arc<str> =
        if chunk.len() == ROWS_PER_STATEMENT { Arc::clone(&FULL_UPSERT) } else { upsert_sql(chunk.len()).into() };
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for SourcedCandle { candle, source } in chunk {
        query = query
            .bind(id)
            .bind(candle.open_time())
            .bind(candle.open())
            .bind(candle.high())
            .bind(candle.low())
            .bind(candle.close())
            .bind(candle.volume())
            .bind(candle.quote_volume())
            .bind(candle.trades().map(|t| i64::try_from(t).unwrap_or(i64::MAX)))
            .bind(source_code(*source));
    }
    Ok(query.execute(&mut *conn).await?.rows_affected())
}

fn candle_from_row(row: &SqliteRow, interval: Interval) -> Result<SourcedCandle, StoreError> {
    let trades: Option<i64> = row.try_get("trades")?;
    let parts = CandleParts {
        open_time: row.try_get("open_time")?,
        open: row.try_get("open")?,
        high: row.try_get("high")?,
        low: row.try_get("low")?,
        close: row.try_get("close")?,
        volume: row.try_get("volume")?,
        quote_volume: row.try_get("quote_volume")?,
        trades: trades.map(|t| u64::try_from(t).unwrap_or(0)),
    };
    let candle = Candle::new(interval, parts).map_err(|e| StoreError::Corrupt(format!("candle: {e}")))?;
    Ok(SourcedCandle { candle, source: source_from_code(row.try_get("source")?)? })
}

macro_rules! select_candles {
    ($tail:literal) => {
        concat!(
            "SELECT open_time, open, high, low, close, volume, quote_volume, trades, source FROM candles \
             WHERE series_id = (SELECT id FROM candle_series WHERE asset_id = ? AND interval = ?)",
            $tail
        )
    };
}

#[async_trait]
impl CandleStore for SqliteStore {
    async fn upsert_candles(&self, writes: &[SeriesWrite]) -> Result<Vec<u64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut changed = Vec::with_capacity(writes.len());
        for write in writes {
            let mut count = 0;
            if !write.candles.is_empty() {
                let id = series_id(&mut tx, &write.series, true)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt("candle series vanished".to_owned()))?;
                for chunk in write.candles.chunks(ROWS_PER_STATEMENT) {
                    count += write_chunk(&mut tx, id, chunk).await?;
                }
            }
            changed.push(count);
        }
        tx.commit().await?;
        Ok(changed)
    }

    async fn candles(&self, series: &Series, range: Range<i64>, limit: u32) -> Result<Vec<SourcedCandle>, StoreError> {
        let rows = sqlx::query(select_candles!(" AND open_time >= ? AND open_time < ? ORDER BY open_time LIMIT ?"))
            .bind(series.asset.as_str())
            .bind(series.interval.as_str())
            .bind(range.start)
            .bind(range.end)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| candle_from_row(row, series.interval)).collect()
    }

    async fn first_open_time(&self, series: &Series, range: Range<i64>) -> Result<Option<i64>, StoreError> {
        let first = sqlx::query_scalar(
            "SELECT open_time FROM candles \
             WHERE series_id = (SELECT id FROM candle_series WHERE asset_id = ? AND interval = ?) \
             AND open_time >= ? AND open_time < ? ORDER BY open_time LIMIT 1",
        )
        .bind(series.asset.as_str())
        .bind(series.interval.as_str())
        .bind(range.start)
        .bind(range.end)
        .fetch_optional(&self.pool)
        .await?;
        Ok(first)
    }

    async fn latest_candles(&self, series: &Series, count: u32) -> Result<Vec<SourcedCandle>, StoreError> {
        let rows = sqlx::query(select_candles!(" ORDER BY open_time DESC LIMIT ?"))
            .bind(series.asset.as_str())
            .bind(series.interval.as_str())
            .bind(i64::from(count))
            .fetch_all(&self.pool)
            .await?;
        let mut candles =
            rows.iter().map(|row| candle_from_row(row, series.interval)).collect::<Result<Vec<_>, _>>()?;
        candles.reverse();
        Ok(candles)
    }

    async fn series(&self) -> Result<Vec<SeriesInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.asset_id, s.interval, MIN(c.open_time) AS first, MAX(c.open_time) AS last, COUNT(*) AS count \
             FROM candle_series s JOIN candles c ON c.series_id = s.id \
             GROUP BY s.id ORDER BY s.asset_id, s.interval",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let asset: String = row.try_get("asset_id")?;
                let interval: String = row.try_get("interval")?;
                let count: i64 = row.try_get("count")?;
                Ok(SeriesInfo {
                    series: Series {
                        asset: AssetId::parse(&asset).map_err(|e| StoreError::Corrupt(format!("asset id: {e}")))?,
                        interval: interval.parse().map_err(|e| StoreError::Corrupt(format!("interval: {e}")))?,
                    },
                    first: row.try_get("first")?,
                    last: row.try_get("last")?,
                    count: u64::try_from(count).unwrap_or(0),
                })
            })
            .collect()
    }
}
