//! `GET /v1/stream`: live tickers and candles over a WebSocket.

mod session;

use altgate_protocol::ErrorCode;
use altgate_protocol::signing::SignatureHeaders;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::authenticate::presented_key;
use crate::http::auth::{Auth, Read, context};
use crate::http::error::ApiError;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

/// The largest message a client may send.
const MAX_CLIENT_MESSAGE: usize = 16 * 1024;

/// Opens the stream (a WebSocket upgrade).
///
/// Authenticate with the usual key headers on the upgrade request, or send
/// `{"op":"auth","key":"…"}` as the first message (within 10 seconds). Then
/// `{"op":"subscribe","channels":["ticker:bitcoin","candles:ethereum:1m"]}`.
/// Every server message carries `seq`, 1, 2, 3… on each connection. A client
/// that falls more than `market.stream_buffer` (4096) events behind is
/// disconnected with close code 4008; a failed authentication closes with 4001. See docs/market.md.
#[utoipa::path(
    get,
    path = "/v1/stream",
    tag = "market",
    security((), ("api_key" = [])),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade request (`bad_request`)",
            body = altgate_protocol::Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn stream(State(state): State<AppState>, mut parts: Parts) -> Result<Response, ApiError> {
    let upgrade = WebSocketUpgrade::from_request_parts(&mut parts, &state).await;
    // Signed exactly when `Auth` takes it as signed, so that malformed
    // signature headers are refused here as everywhere.
    let signed = SignatureHeaders::present(|name| parts.headers.get(name).map(|value| value.as_bytes()));
    // Without a key, only an upgrade may go on (to authenticate by message).
    let principal = if signed || presented_key(&parts.headers).is_ok() || upgrade.is_err() {
        Some(Auth::<Read>::from_request_parts(&mut parts, &state).await?.principal)
    } else {
        None
    };
    let upgrade = upgrade.map_err(|rejection| {
        ApiError::new(ErrorCode::BadRequest).detail(format!("this endpoint is a WebSocket: {rejection}"))
    })?;
    let ip = context(&parts).client_ip;
    Ok(upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| session::run(state, socket, principal, ip)))
}
