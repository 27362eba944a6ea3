//! Whole series for analytics: every candle of an interval over a range,
//! through the same path as OHLCV pages (stored, rolled up and live).

use altgate_market::{Candle, Interval};
use altgate_protocol::AssetId;

use super::{Market, MarketError, OhlcvRequest};

/// The most candles one analytics request reads.
pub(crate) const MAX_HISTORY: usize = 200_000;

impl Market {
    /// The candles of `asset` at `interval` opening in `[from, to)`
    /// (aligned to the interval), oldest first, at most [`MAX_HISTORY`] (the
    /// newest ones if there are more).
    pub(crate) async fn history(
        &self,
        asset: &AssetId,
        interval: Interval,
        from: i64,
        to: i64,
    ) -> Result<Vec<Candle>, MarketError> {
        let mut candles = Vec::new();
        let mut request = OhlcvRequest { asset: asset.clone(), interval, from: interval.align(from), to, limit: 1000 };
        loop {
            let page = self.ohlcv(&request).await?;
            candles.extend(page.candles.iter().map(|c| c.candle));
            match page.next {
                Some(next) => request.from = next,
                None => break,
            }
        }
        if candles.len() > MAX_HISTORY {
            candles.drain(..candles.len() - MAX_HISTORY);
        }
        Ok(candles)
    }
}
