//! Events for the stream, rendered to JSON once however many clients
//! receive them.

use altgate_protocol::stream::Channel;
use altgate_protocol::{AssetId, CandleData, Interval, Ticker};

use crate::store::SourcedCandle;

/// A price or candle update, with its JSON rendered once.
#[derive(Debug)]
pub(crate) struct MarketEvent {
    /// The channel it belongs to.
    pub(crate) channel: Channel,
    /// The message after `"seq":N,`: its type, channel and data, and the
    /// closing brace.
    pub(crate) rest: String,
}

impl MarketEvent {
    pub(crate) fn ticker(ticker: &Ticker) -> MarketEvent {
        let channel = Channel::Ticker(ticker.asset_id.clone());
        let data = serde_json::to_string(ticker).unwrap_or_default();
        let rest = format!(r#""type":"ticker","channel":"{channel}","data":{data}}}"#);
        MarketEvent { channel, rest }
    }

    pub(crate) fn candle(asset: &AssetId, interval: Interval, candle: &SourcedCandle, closed: bool) -> MarketEvent {
        let channel = Channel::Candles(asset.clone(), interval);
        let data = serde_json::to_string(&candle_data(candle)).unwrap_or_default();
        let rest = format!(r#""type":"candle","channel":"{channel}","closed":{closed},"data":{data}}}"#);
        MarketEvent { channel, rest }
    }

    /// The whole message, numbered `seq`.
    pub(crate) fn message(&self, seq: u64) -> String {
        format!(r#"{{"seq":{seq},{}"#, self.rest)
    }
}

/// A stored candle on the wire.
pub(crate) fn candle_data(item: &SourcedCandle) -> CandleData {
    let c = &item.candle;
    CandleData {
        open_time: super::at(c.open_time()),
        open: c.open(),
        high: c.high(),
        low: c.low(),
        close: c.close(),
        volume: c.volume(),
        quote_volume: c.quote_volume(),
        trades: c.trades(),
        source: item.source,
    }
}
