//! A correlation matrix of the returns of several assets.

use altgate_market::Interval;
use altgate_market::portfolio::{AssetHistory, CorrelationMatrix};
use altgate_market::risk::DatedReturns;
use altgate_protocol::{AssetId, Correlations};

use super::{AnalyticsError, last_candles};
use crate::market::Market;

/// The fewest common returns a pair needs for a correlation.
const MIN_OVERLAP: usize = 10;

/// The correlations of `ids` over the latest `window` periods (ending at
/// the newest candle of any of them), pair by pair over common dates.
pub(crate) async fn correlations(
    market: &Market,
    ids: &[AssetId],
    interval: Interval,
    window: u32,
) -> Result<Correlations, AnalyticsError> {
    // One window of time for all, ending with the newest candle of any.
    let mut end = i64::MIN;
    for id in ids {
        let newest = last_candles(market, id, interval, 1).await?;
        end = end.max(newest.first().map_or(i64::MIN, altgate_market::Candle::open_time));
    }
    let start = end.saturating_sub(i64::from(window).saturating_mul(interval.millis()));
    let mut histories = Vec::with_capacity(ids.len());
    for id in ids {
        let candles = market.history(id, interval, start, end.saturating_add(1)).await?;
        if candles.len() < 2 {
            return Err(AnalyticsError::InsufficientHistory(format!(
                "`{id}` has {} {interval} candles from {} on; a correlation needs returns",
                candles.len(),
                altgate_protocol::Timestamp::from_millis(start)
            )));
        }
        let returns = DatedReturns::from_candles(&candles).map_err(|e| {
            AnalyticsError::InsufficientHistory(format!("the prices of `{id}` cannot make returns: {e}"))
        })?;
        histories.push(AssetHistory { asset: id.clone(), returns });
    }
    let matrix = CorrelationMatrix::pairwise(&histories, MIN_OVERLAP);
    let n = ids.len();
    Ok(Correlations {
        ids: ids.to_vec(),
        interval,
        window,
        matrix: (0..n).map(|i| (0..n).map(|j| matrix.get(i, j).ok()).collect()).collect(),
        overlap: (0..n).map(|i| (0..n).map(|j| matrix.overlap(i, j) as u64).collect()).collect(),
    })
}
