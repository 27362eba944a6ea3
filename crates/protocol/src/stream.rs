//! The `/v1/stream` WebSocket protocol: text frames of JSON.
//!
//! The client authenticates (with the same headers as any request, or with
//! an `auth` message first), then subscribes to channels. Every message the
//! server sends carries `seq`, counting from 1 on each connection with no
//! gaps, so a client sees at once whether it missed anything.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::asset::AssetId;
use crate::error::ErrorCode;
use crate::interval::Interval;
use crate::market::{CandleData, Ticker};

/// A stream channel: `ticker:<asset>` (every price update of an asset) or
/// `candles:<asset>:<interval>` (its candle in progress, and each candle as
/// it closes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Channel {
    /// Price updates of one asset.
    Ticker(AssetId),
    /// Candles of one asset at one interval.
    Candles(AssetId, Interval),
}

/// A string that is not a channel name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a channel; expected ticker:<asset> or candles:<asset>:<interval>")]
pub struct InvalidChannel(pub String);

impl FromStr for Channel {
    type Err = InvalidChannel;

    fn from_str(s: &str) -> Result<Channel, InvalidChannel> {
        let bad = || InvalidChannel(s.chars().take(80).collect());
        let mut parts = s.split(':');
        let channel = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("ticker"), Some(asset), None, None) => Channel::Ticker(AssetId::parse(asset).map_err(|_| bad())?),
            (Some("candles"), Some(asset), Some(interval), None) => {
                Channel::Candles(AssetId::parse(asset).map_err(|_| bad())?, interval.parse().map_err(|_| bad())?)
            }
            _ => return Err(bad()),
        };
        Ok(channel)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Ticker(asset) => write!(f, "ticker:{}", asset.as_str()),
            Channel::Candles(asset, interval) => write!(f, "candles:{}:{}", asset.as_str(), interval.as_str()),
        }
    }
}

impl TryFrom<String> for Channel {
    type Error = InvalidChannel;

    fn try_from(s: String) -> Result<Channel, InvalidChannel> {
        s.parse()
    }
}

impl From<Channel> for String {
    fn from(channel: Channel) -> String {
        channel.to_string()
    }
}

impl Channel {
    /// The asset the channel is about.
    pub fn asset(&self) -> &AssetId {
        match self {
            Channel::Ticker(asset) | Channel::Candles(asset, _) => asset,
        }
    }
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Authenticates the connection when no key was sent with the upgrade
    /// request; it must be the first message.
    Auth {
        /// The API key.
        key: String,
    },
    /// Adds channels.
    Subscribe {
        /// The channels to add.
        channels: Vec<Channel>,
    },
    /// Removes channels.
    Unsubscribe {
        /// The channels to remove.
        channels: Vec<Channel>,
    },
    /// Asks for a `pong`.
    Ping,
}

/// A message from the server, numbered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerMessage {
    /// 1 for the first message of the connection, then one more each time.
    pub seq: u64,
    /// What the message says.
    #[serde(flatten)]
    pub body: ServerBody,
}

/// What a server message says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerBody {
    /// The connection is authenticated.
    Ready {
        /// The authenticated key.
        key_id: String,
    },
    /// The connection's channels after a `subscribe`.
    Subscribed {
        /// Every channel the connection is subscribed to now.
        channels: Vec<Channel>,
    },
    /// The connection's channels after an `unsubscribe`.
    Unsubscribed {
        /// Every channel the connection is subscribed to now.
        channels: Vec<Channel>,
    },
    /// A price update.
    Ticker {
        /// The channel.
        channel: Channel,
        /// The ticker.
        data: Ticker,
    },
    /// A candle in progress or closed.
    Candle {
        /// The channel.
        channel: Channel,
        /// Whether the candle is final.
        closed: bool,
        /// The candle.
        data: CandleData,
    },
    /// The answer to `ping`.
    Pong,
    /// A message was refused; the connection stays open unless the server
    /// closes it right after.
    Error {
        /// The error code, from the same table as HTTP problems.
        code: ErrorCode,
        /// What was wrong.
        detail: String,
    },
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn messages_have_the_documented_shape() {
        let sub: ClientMessage =
            serde_json::from_str(r#"{"op":"subscribe","channels":["ticker:bitcoin","candles:ethereum:1h"]}"#).unwrap();
        let bitcoin = AssetId::parse("bitcoin").unwrap();
        let ethereum = AssetId::parse("ethereum").unwrap();
        assert_eq!(
            sub,
            ClientMessage::Subscribe {
                channels: vec![Channel::Ticker(bitcoin), Channel::Candles(ethereum, Interval::H1)]
            }
        );
        let pong = serde_json::to_value(ServerMessage { seq: 7, body: ServerBody::Pong }).unwrap();
        assert_eq!(pong, serde_json::json!({"seq": 7, "type": "pong"}));
        assert!(serde_json::from_str::<ClientMessage>(r#"{"op":"subscribe","channels":["ticker:"]}"#).is_err());
    }

    proptest! {
        #[test]
        fn channels_round_trip(asset in "[a-z0-9]{1,12}", i in 0usize..7, ticker in any::<bool>()) {
            let asset = AssetId::parse(&asset).unwrap();
            let channel = if ticker { Channel::Ticker(asset) } else { Channel::Candles(asset, Interval::ALL[i]) };
            prop_assert_eq!(channel.to_string().parse::<Channel>().unwrap(), channel);
        }

        #[test]
        fn any_text_parses_or_fails_cleanly(s in ".{0,60}") {
            let _ = s.parse::<Channel>();
        }
    }
}
