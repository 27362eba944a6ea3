//! One stream connection: authentication, subscriptions and fan-out.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use altgate_protocol::stream::{ClientMessage, ServerBody, ServerMessage};
use altgate_protocol::{ErrorCode, Scope};
use axum::extract::ws::{CloseFrame, Message, WebSocket};

use crate::access::{PlatformError, Principal, Refusal};
use crate::market::{Next, Subscription};
use crate::state::AppState;

/// How long a connection may stay unauthenticated.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// The most channels one connection may hold.
const MAX_CHANNELS: usize = 1000;
/// Close codes (4000–4999 are the application's).
const CLOSE_UNAUTHORIZED: u16 = 4001;
const CLOSE_TOO_SLOW: u16 = 4008;
const CLOSE_GOING_AWAY: u16 = 1001;

struct Session {
    socket: WebSocket,
    seq: u64,
    subscription: Subscription,
}

impl Session {
    async fn send(&mut self, body: ServerBody) -> Result<(), axum::Error> {
        self.seq += 1;
        let text = serde_json::to_string(&ServerMessage { seq: self.seq, body }).unwrap_or_default();
        self.socket.send(Message::Text(text.into())).await
    }

    async fn close(mut self, code: u16, reason: &str) {
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = self.socket.send(Message::Close(Some(frame))).await;
    }

    async fn refuse(&mut self, code: ErrorCode, detail: impl Into<String>) -> Result<(), axum::Error> {
        self.send(ServerBody::Error { code, detail: detail.into() }).await
    }
}

/// Serves one connection until the client leaves, falls too far behind, or
/// the service shuts down.
pub(super) async fn run(state: AppState, socket: WebSocket, principal: Option<Arc<Principal>>, ip: IpAddr) {
    let subscription = state.platform.market.subscribe();
    let mut session = Session { socket, seq: 0, subscription };
    let principal = match principal {
        Some(principal) => principal,
        None => match authenticate_first_message(&state, &mut session, ip).await {
            Ok(principal) => principal,
            Err(refusal) => {
                let _ = session.refuse(refusal.code, refusal.detail.clone()).await;
                return session.close(CLOSE_UNAUTHORIZED, refusal.code.as_str()).await;
            }
        },
    };
    if session.send(ServerBody::Ready { key_id: principal.key.id.to_string() }).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return session.close(CLOSE_GOING_AWAY, "server shutting down").await,
            incoming = session.socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if handle(&state, &mut session, text.as_str()).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    if session.refuse(ErrorCode::BadRequest, "messages are JSON text frames").await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            },
            next = session.subscription.next() => match next {
                Next::Event(event) => {
                    session.seq += 1;
                    let message = event.message(session.seq);
                    if session.socket.send(Message::Text(message.into())).await.is_err() {
                        return;
                    }
                }
                Next::Overflowed => {
                    let buffer = state.platform.config.market.stream_buffer;
                    tracing::info!(key_id = %principal.key.id, buffer, "stream client too slow; disconnected");
                    let reason = format!("too slow: more than {buffer} events waiting");
                    return session.close(CLOSE_TOO_SLOW, &reason).await;
                }
            },
        }
    }
}

/// Reads the `auth` message that must come first when the upgrade request
/// carried no key.
async fn authenticate_first_message(
    state: &AppState,
    session: &mut Session,
    ip: IpAddr,
) -> Result<Arc<Principal>, Refusal> {
    let missing = || Refusal::new(ErrorCode::MissingCredentials, "send {\"op\":\"auth\",\"key\":\"…\"} first");
    let first = tokio::time::timeout(AUTH_TIMEOUT, session.socket.recv()).await.map_err(|_| missing())?;
    let Some(Ok(Message::Text(text))) = first else { return Err(missing()) };
    let Ok(ClientMessage::Auth { key }) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
        return Err(missing());
    };
    let platform = &state.platform;
    // One clock read for authentication and limits, as for an HTTP request.
    let now = platform.now();
    let principal = platform.authenticate_at(key.trim(), ip, now).await.map_err(refusal)?;
    if !principal.grants(Scope::Read) {
        return Err(Refusal::new(ErrorCode::InsufficientScope, "the stream needs the `read` scope"));
    }
    if principal.key.signature_required {
        let detail = "this key accepts only signed requests: sign the upgrade request";
        return Err(Refusal::new(ErrorCode::SignatureRequired, detail));
    }
    let admission = platform.admit(&principal, now).await.map_err(refusal)?;
    match admission.refusal {
        Some(refusal) => Err(refusal),
        None => Ok(principal),
    }
}

fn refusal(error: PlatformError) -> Refusal {
    match error {
        PlatformError::Refused(refusal) => refusal,
        other => {
            tracing::error!(error = %other, "stream authentication failed");
            Refusal::new(ErrorCode::ServiceUnavailable, "authentication is unavailable; retry later")
        }
    }
}

/// Answers one client message; an error means the connection is gone.
async fn handle(state: &AppState, session: &mut Session, text: &str) -> Result<(), axum::Error> {
    let message = match serde_json::from_str::<ClientMessage>(text) {
        Ok(message) => message,
        Err(e) => return session.refuse(ErrorCode::InvalidBody, format!("not a client message: {e}")).await,
    };
    match message {
        ClientMessage::Auth { .. } => session.refuse(ErrorCode::BadRequest, "the connection is authenticated").await,
        ClientMessage::Ping => session.send(ServerBody::Pong).await,
        ClientMessage::Subscribe { channels } => {
            if let Some(unknown) = channels.iter().find(|c| state.platform.catalog.get(c.asset().as_str()).is_none()) {
                let detail = format!("no asset has the id `{}`", unknown.asset());
                return session.refuse(ErrorCode::AssetNotFound, detail).await;
            }
            let held = session.subscription.channels();
            let fresh = channels.iter().filter(|c| !held.contains(c)).count();
            if held.len() + fresh > MAX_CHANNELS {
                let detail = format!("a connection may hold at most {MAX_CHANNELS} channels");
                return session.refuse(ErrorCode::InvalidParameter, detail).await;
            }
            session.subscription.add(channels);
            let channels = session.subscription.channels().iter().cloned().collect();
            session.send(ServerBody::Subscribed { channels }).await
        }
        ClientMessage::Unsubscribe { channels } => {
            session.subscription.remove(&channels);
            let channels = session.subscription.channels().iter().cloned().collect();
            session.send(ServerBody::Unsubscribed { channels }).await
        }
    }
}
