//! One session: a WebSocket connection (or a chain of them, when one is
//! replaced before it gets too old) read until it fails, with the REST
//! backfill running beside it.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async_with_config};

use super::Feed;
use super::rest::Refused;
use super::tracker::Job;
use super::wire::{self, Frame, Kline, WireError};
use crate::feeds::FeedUpdate;

/// A client connection to the stream.
pub(super) type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

type Pending<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A REST page on its way: the job and what came of it.
type PageOutcome = (Job, Result<Vec<Kline>, Refused>);

/// The largest message or frame accepted; kline events are a few hundred bytes.
const MAX_MESSAGE: usize = 1 << 20;
/// The longest a write (a pong) may take before the connection counts as dead.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a replaced or failed connection is given to close politely.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a session ended.
#[derive(Debug)]
pub(super) enum Ending {
    /// Shutdown was requested.
    Shutdown,
    /// The update receiver is gone.
    Unwanted,
    /// The connection failed or went quiet; reconnect.
    Lost(String),
}

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub(super) enum ConnectError {
    /// The connect, TLS or upgrade took too long.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The connect, TLS or upgrade failed.
    #[error(transparent)]
    WebSocket(Box<tungstenite::Error>),
}

/// Opens a connection to `url` (TLS through the installed rustls provider).
pub(super) async fn connect(url: String, timeout: Duration) -> Result<WsStream, ConnectError> {
    let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE)).max_frame_size(Some(MAX_MESSAGE));
    match tokio::time::timeout(timeout, connect_async_with_config(url.as_str(), Some(config), true)).await {
        Err(_) => Err(ConnectError::Timeout(timeout)),
        Ok(Err(error)) => Err(ConnectError::WebSocket(Box::new(error))),
        Ok(Ok((ws, _response))) => Ok(ws),
    }
}

/// What the session loop does after handling one event.
enum Next {
    Continue,
    /// Open a replacement connection (unless one is being opened).
    Replace,
    End(Ending),
}

/// Counts malformed frames so only the first of a connection is a warning.
#[derive(Debug, Default)]
struct Malformed {
    count: u64,
}

impl Malformed {
    fn record(&mut self, error: &WireError, text: &str) {
        self.count += 1;
        let excerpt: String = text.chars().take(120).collect();
        if self.count == 1 {
            tracing::warn!(%error, %excerpt, "binance: ignoring a malformed message (further ones are logged at debug)");
        } else {
            tracing::debug!(%error, %excerpt, "binance: ignoring a malformed message");
        }
    }
}

impl Feed {
    /// Reads `ws` until it fails, backfilling beside it, and replaces the
    /// connection in place when it reaches its maximum age.
    pub(super) async fn session(&mut self, mut ws: WsStream) -> Ending {
        self.tracker.begin_sync();
        let mut batch = Vec::new();
        let mut malformed = Malformed::default();
        let mut backfill: Option<Pending<PageOutcome>> = None;
        let mut replacement: Option<Pending<Result<WsStream, ConnectError>>> = None;
        let max_age = sleep_until(after(self.settings.max_age));
        let silence = sleep_until(after(self.settings.silence));
        tokio::pin!(max_age, silence);
        let ending = loop {
            if backfill.is_none()
                && let Some(job) = self.tracker.next_job(self.clock.now_ms())
            {
                tracing::debug!(symbol = %job.symbol, start = job.start, "binance: backfilling");
                backfill = Some(Box::pin(self.rest.clone().page(job)));
            }
            // Biased: REST pages and the age timer go first, so a busy stream
            // cannot hold them up; the stream goes before the silence timer,
            // so a frame that is already there is not taken for silence.
            let next = tokio::select! {
                biased;
                () = self.shutdown.cancelled() => Next::End(Ending::Shutdown),
                (job, page) = poll_some(&mut backfill) => {
                    backfill = None;
                    self.on_page(&job, page, &mut batch);
                    Next::Continue
                }
                () = &mut max_age, if replacement.is_none() => {
                    tracing::info!(max_age = ?self.settings.max_age, "binance: connection reached its maximum age");
                    Next::Replace
                }
                opened = poll_some(&mut replacement) => {
                    replacement = None;
                    match opened {
                        Ok(new) => {
                            retire(std::mem::replace(&mut ws, new));
                            max_age.as_mut().reset(after(self.settings.max_age));
                            silence.as_mut().reset(after(self.settings.silence));
                            tracing::info!("binance: switched to a new connection");
                            Next::Continue
                        }
                        Err(error) => Next::End(Ending::Lost(format!("could not open a replacement connection: {error}"))),
                    }
                }
                frame = ws.next() => {
                    silence.as_mut().reset(after(self.settings.silence));
                    self.on_frame(frame, &mut ws, &mut batch, &mut malformed).await
                }
                () = &mut silence => {
                    Next::End(Ending::Lost(format!("no message for {} s", self.settings.silence.as_secs_f64())))
                }
            };
            match next {
                Next::Continue => {}
                Next::Replace => {
                    if replacement.is_none() {
                        tracing::info!("binance: opening a replacement connection");
                        let url = self.settings.stream_url.clone();
                        replacement = Some(Box::pin(connect(url, self.settings.connect_timeout)));
                    }
                }
                Next::End(ending) => break ending,
            }
            if let Err(ending) = self.emit(&mut batch).await {
                break ending;
            }
        };
        if malformed.count > 1 {
            tracing::warn!(count = malformed.count, "binance: ignored malformed messages on this connection");
        }
        retire(ws);
        ending
    }

    async fn on_frame(
        &mut self,
        frame: Option<Result<Message, tungstenite::Error>>,
        ws: &mut WsStream,
        batch: &mut Vec<FeedUpdate>,
        malformed: &mut Malformed,
    ) -> Next {
        let message = match frame {
            None => return Next::End(Ending::Lost("the server ended the stream".to_owned())),
            Some(Err(error)) => return Next::End(Ending::Lost(format!("read failed: {error}"))),
            Some(Ok(message)) => message,
        };
        match message {
            Message::Text(text) => match wire::parse_frame(text.as_str()) {
                Ok(Frame::Kline(kline)) => {
                    self.tracker.on_stream(&kline, batch);
                    Next::Continue
                }
                Ok(Frame::ServerShutdown) => {
                    tracing::info!("binance: the server announced a shutdown");
                    Next::Replace
                }
                Ok(Frame::Other) => Next::Continue,
                Err(error) => {
                    malformed.record(&error, text.as_str());
                    Next::Continue
                }
            },
            // Tungstenite queued the pong while reading; send it now rather
            // than whenever the next read happens to flush it.
            Message::Ping(_) => match tokio::time::timeout(WRITE_TIMEOUT, ws.flush()).await {
                Ok(Ok(())) => Next::Continue,
                Ok(Err(error)) => Next::End(Ending::Lost(format!("could not answer a ping: {error}"))),
                Err(_) => Next::End(Ending::Lost("could not answer a ping in time".to_owned())),
            },
            Message::Close(frame) => {
                let reason = match frame {
                    Some(frame) => format!("the server closed the connection ({} {})", frame.code, frame.reason),
                    None => "the server closed the connection".to_owned(),
                };
                Next::End(Ending::Lost(reason))
            }
            Message::Binary(_) | Message::Pong(_) | Message::Frame(_) => Next::Continue,
        }
    }

    fn on_page(&mut self, job: &Job, page: Result<Vec<Kline>, Refused>, batch: &mut Vec<FeedUpdate>) {
        match page {
            Ok(rows) => self.tracker.apply_page(job, rows, self.clock.now_ms(), batch),
            Err(error) => {
                tracing::error!(symbol = %job.symbol, %error, "binance: backfill refused; going on with the stream alone");
                self.tracker.abandon_sync(job, batch);
            }
        }
    }

    /// Sends `batch` in order; stops early on shutdown or when nobody listens.
    async fn emit(&self, batch: &mut Vec<FeedUpdate>) -> Result<(), Ending> {
        for update in batch.drain(..) {
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => return Err(Ending::Shutdown),
                sent = self.updates.send(update) => sent.map_err(|_| Ending::Unwanted)?,
            }
        }
        Ok(())
    }
}

/// The instant `duration` from now, or a year from now if that is later
/// than the clock can say.
fn after(duration: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(duration).unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
}

/// Awaits the future in `slot`, or forever if there is none.
async fn poll_some<T>(slot: &mut Option<Pending<T>>) -> T {
    match slot {
        Some(future) => future.await,
        None => std::future::pending().await,
    }
}

/// Closes a connection politely in the background, giving up after a while.
fn retire(mut ws: WsStream) {
    tokio::spawn(async move {
        // The connection is being dropped either way; a failed close changes nothing.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, ws.close(None)).await;
    });
}
