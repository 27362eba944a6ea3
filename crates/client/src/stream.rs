//! A typed client for `/v1/stream` that reconnects, resubscribes, and
//! reports gaps in the sequence numbers.

use std::collections::BTreeSet;
use std::time::Duration;

use altgate_protocol::ErrorCode;
use altgate_protocol::stream::{Channel, ClientMessage, ServerBody, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::keyring::lock;
use crate::transport::problem_error;
use crate::{Client, Error};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The first reconnect delay; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Key switches while opening one connection.
const MAX_KEY_SWITCHES: u32 = 4;

/// What the stream delivers.
///
/// ```no_run
/// # async fn run(mut stream: altgate_client::Stream) -> Result<(), altgate_client::Error> {
/// use altgate_client::StreamEvent;
/// use altgate_client::protocol::stream::ServerBody;
/// match stream.next().await? {
///     StreamEvent::Message(message) => match message.body {
///         ServerBody::Ticker { data, .. } => println!("{} {}", data.asset_id, data.price),
///         other => println!("{other:?}"),
///     },
///     StreamEvent::Gap { expected, got } => eprintln!("lost {expected}..{got}"),
///     StreamEvent::Reconnected { close_code } => eprintln!("reconnected after {close_code:?}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A message of a subscribed channel (or an error or pong), in order.
    Message(ServerMessage),
    /// Messages were lost on this connection: `seq` jumped from
    /// `expected` to `got`. The message numbered `got` follows.
    Gap {
        /// The sequence number that should have come.
        expected: u64,
        /// The one that came.
        got: u64,
    },
    /// The connection was lost (closed with `code`, if the server said)
    /// and opened again with every channel resubscribed; anything in
    /// between is missing, so fetch it over HTTP if it matters.
    Reconnected {
        /// The close code of the lost connection, if any (4008: too slow).
        close_code: Option<u16>,
    },
}

/// An open stream; see [`Client::stream`].
///
/// ```no_run
/// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
/// let mut stream = client.stream(&["ticker:bitcoin".parse().unwrap()]).await?;
/// stream.subscribe(&["candles:ethereum:1m".parse().unwrap()]).await?;
/// println!("following {:?}", stream.channels());
/// let event = stream.next().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Stream {
    client: Client,
    channels: BTreeSet<Channel>,
    socket: Option<Socket>,
    /// The key ring's generation the connection was opened with.
    generation: u64,
    last_seq: u64,
    pending: Option<ServerMessage>,
    lost: Option<Option<u16>>,
    backoff: Duration,
}

impl Client {
    /// Opens `/v1/stream` (the upgrade request signed, or carrying the
    /// bearer key, like any other) and subscribes to `channels`. The key
    /// ring applies as for every call: a refused key is replaced by the next
    /// one, on this first connection and on every reconnection.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::StreamEvent;
    /// let channels = ["ticker:bitcoin".parse().unwrap()];
    /// let mut stream = client.stream(&channels).await?;
    /// loop {
    ///     match stream.next().await? {
    ///         StreamEvent::Message(message) => println!("{message:?}"),
    ///         StreamEvent::Gap { expected, got } => eprintln!("missed {}", got - expected),
    ///         StreamEvent::Reconnected { .. } => eprintln!("reconnected"),
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn stream(&self, channels: &[Channel]) -> Result<Stream, Error> {
        let mut stream = Stream {
            client: self.clone(),
            channels: channels.iter().cloned().collect(),
            socket: None,
            generation: 0,
            last_seq: 0,
            pending: None,
            lost: None,
            backoff: FIRST_BACKOFF,
        };
        stream.open().await.map_err(ConnectError::into_error)?;
        Ok(stream)
    }
}

fn stream_error(e: impl std::fmt::Display) -> Error {
    Error::Stream(e.to_string())
}

/// Why a connection did not open: for good (refused) or for now.
#[derive(Debug)]
enum ConnectError {
    /// The server refused the key or the request: retrying will not help.
    Refused(Error),
    /// The network or the server is unavailable: try again later.
    Transient(Error),
}

impl From<Error> for ConnectError {
    fn from(e: Error) -> ConnectError {
        ConnectError::Refused(e)
    }
}

impl ConnectError {
    fn into_error(self) -> Error {
        match self {
            ConnectError::Refused(e) | ConnectError::Transient(e) => e,
        }
    }
}

impl Stream {
    /// The channels subscribed to.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let stream = client.stream(&["ticker:bitcoin".parse().unwrap()]).await?;
    /// assert_eq!(stream.channels().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn channels(&self) -> &BTreeSet<Channel> {
        &self.channels
    }

    /// Opens the connection as `connect` does, moving to another
    /// key of the ring when the server refuses the key, and re-syncing the
    /// clock once when it refuses the timestamp.
    async fn open(&mut self) -> Result<(), ConnectError> {
        let mut reread = false;
        let mut resynced = false;
        let mut switches = 0;
        lock(&self.client.keys).reload_if_changed();
        loop {
            match self.connect().await {
                Err(ConnectError::Refused(e))
                    if e.is_key_refusal()
                        && switches < MAX_KEY_SWITCHES
                        && self.client.recover_key(self.generation, &mut reread) =>
                {
                    switches += 1;
                }
                Err(ConnectError::Refused(e)) if e.code() == Some(ErrorCode::TimestampOutOfWindow) && !resynced => {
                    resynced = true;
                    self.client.sync_clock().await.map_err(ConnectError::Transient)?;
                }
                other => return other,
            }
        }
    }

    /// Opens the connection, waits for `ready`, and subscribes.
    async fn connect(&mut self) -> Result<(), ConnectError> {
        let base = self.client.base().replacen("http", "ws", 1);
        let url = reqwest::Url::parse(&format!("{base}/v1/stream")).map_err(stream_error)?;
        let mut request = url.as_str().into_client_request().map_err(stream_error)?;
        let authorization = self.client.authorize("GET", &url, b"")?;
        self.generation = authorization.generation;
        for (name, value) in authorization.headers {
            request.headers_mut().insert(name, value.parse().map_err(stream_error)?);
        }
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| match e {
            tokio_tungstenite::tungstenite::Error::Http(response) if response.status().is_client_error() => {
                let body = response.body().as_deref().unwrap_or_default();
                ConnectError::Refused(problem_error(response.status().as_u16(), body, None))
            }
            other => ConnectError::Transient(stream_error(other)),
        })?;
        self.last_seq = 0;
        let ready = read(&mut socket).await.map_err(ConnectError::Transient)?;
        self.expect_seq(&ready);
        if let ServerBody::Error { code, detail } = ready.body {
            return Err(ConnectError::Refused(Error::Stream(format!("{code}: {detail}"))));
        }
        if !self.channels.is_empty() {
            let channels = self.channels.iter().cloned().collect();
            send(&mut socket, &ClientMessage::Subscribe { channels }).await.map_err(ConnectError::Transient)?;
        }
        self.socket = Some(socket);
        Ok(())
    }

    fn expect_seq(&mut self, message: &ServerMessage) -> Option<StreamEvent> {
        let event = gap(self.last_seq, message.seq);
        self.last_seq = message.seq;
        event
    }

    /// Adds channels; they are subscribed again on every reconnection.
    ///
    /// ```no_run
    /// # async fn run(mut stream: altgate_client::Stream) -> Result<(), altgate_client::Error> {
    /// stream.subscribe(&["candles:bitcoin:1h".parse().unwrap()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(&mut self, channels: &[Channel]) -> Result<(), Error> {
        self.channels.extend(channels.iter().cloned());
        if let Some(socket) = &mut self.socket {
            send(socket, &ClientMessage::Subscribe { channels: channels.to_vec() }).await?;
        }
        Ok(())
    }

    /// Removes channels.
    ///
    /// ```no_run
    /// # async fn run(mut stream: altgate_client::Stream) -> Result<(), altgate_client::Error> {
    /// stream.unsubscribe(&["ticker:bitcoin".parse().unwrap()]).await?;
    /// assert!(stream.channels().is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe(&mut self, channels: &[Channel]) -> Result<(), Error> {
        for channel in channels {
            self.channels.remove(channel);
        }
        if let Some(socket) = &mut self.socket {
            send(socket, &ClientMessage::Unsubscribe { channels: channels.to_vec() }).await?;
        }
        Ok(())
    }

    /// The next event. A lost connection is opened again (with backoff,
    /// resubscribing every channel) and reported as
    /// [`StreamEvent::Reconnected`]; this returns an error only when a
    /// reconnection is refused outright (such as a revoked key with no
    /// other key in the ring).
    ///
    /// ```no_run
    /// # async fn run(mut stream: altgate_client::Stream) -> Result<(), altgate_client::Error> {
    /// while let altgate_client::StreamEvent::Message(message) = stream.next().await? {
    ///     println!("{}: {:?}", message.seq, message.body);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next(&mut self) -> Result<StreamEvent, Error> {
        if let Some(message) = self.pending.take() {
            return Ok(StreamEvent::Message(message));
        }
        loop {
            if self.socket.is_none() {
                match self.open().await {
                    Ok(()) => {
                        self.backoff = FIRST_BACKOFF;
                        let close_code = self.lost.take().flatten();
                        return Ok(StreamEvent::Reconnected { close_code });
                    }
                    Err(ConnectError::Refused(e)) => return Err(e),
                    Err(ConnectError::Transient(_)) => {
                        tokio::time::sleep(self.backoff).await;
                        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                }
            }
            let Some(socket) = &mut self.socket else { continue };
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let message: ServerMessage = serde_json::from_str(text.as_str())
                        .map_err(|e| Error::Protocol { status: 101, reason: format!("stream message: {e}") })?;
                    if let Some(gap) = self.expect_seq(&message) {
                        self.pending = Some(message);
                        return Ok(gap);
                    }
                    return Ok(StreamEvent::Message(message));
                }
                Some(Ok(Message::Close(frame))) => {
                    self.lost = Some(frame.map(|f| u16::from(f.code)));
                    self.socket = None;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    self.lost.get_or_insert(None);
                    self.socket = None;
                }
            }
        }
    }
}

/// The gap between the last sequence number seen and the next one, if any.
fn gap(last: u64, seq: u64) -> Option<StreamEvent> {
    let expected = last.saturating_add(1);
    (seq != expected).then_some(StreamEvent::Gap { expected, got: seq })
}

async fn send(socket: &mut Socket, message: &ClientMessage) -> Result<(), Error> {
    let text = serde_json::to_string(message).map_err(stream_error)?;
    socket.send(Message::Text(text.into())).await.map_err(stream_error)
}

async fn read(socket: &mut Socket) -> Result<ServerMessage, Error> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str())
                    .map_err(|e| Error::Protocol { status: 101, reason: format!("stream message: {e}") });
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(Error::Stream(format!("closed before ready: {:?}", frame.map(|f| u16::from(f.code)))));
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(stream_error(e)),
            None => return Err(Error::Stream("closed before ready".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_jump_in_the_sequence_is_a_gap() {
        assert_eq!(gap(0, 1), None);
        assert_eq!(gap(41, 42), None);
        assert_eq!(gap(41, 45), Some(StreamEvent::Gap { expected: 42, got: 45 }));
        assert_eq!(gap(7, 3), Some(StreamEvent::Gap { expected: 8, got: 3 }));
    }
}
