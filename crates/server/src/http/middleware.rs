//! The middleware every request passes through: [`edge`].

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use altgate_protocol::{ErrorCode, PROBLEM_CONTENT_TYPE, Problem};
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tracing::Instrument;

use super::auth::{RequestContext, client_ip};
use super::error::{ApiError, ProblemDraft, code_for_status};
use crate::state::AppState;

/// The header that carries the request id both ways.
pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request: the caller's `x-request-id` when it is a sane
/// token (1–128 characters of `A-Za-z0-9._:-`), otherwise a fresh UUID.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(HeaderValue);

impl RequestId {
    fn from_request(request: &Request) -> Self {
        let given = request.headers().get(&REQUEST_ID).filter(|v| {
            let bytes = v.as_bytes();
            (1..=128).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(b))
        });
        match given {
            Some(value) => RequestId(value.clone()),
            None => {
                let mut buffer = uuid::Uuid::encode_buffer();
                let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
                RequestId(HeaderValue::from_str(id).unwrap_or_else(|_| HeaderValue::from_static("invalid")))
            }
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

/// The one middleware every request passes through: it assigns the request
/// id and the client address, opens the request's span, reads the body
/// (bounded), runs the handler, renders any error as a problem document,
/// records metrics, writes the access log line and adds the response
/// headers. One layer rather than several: axum clones every layer's
/// service for every request.
pub(crate) async fn edge(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::from_request(&request);
    let method = request.method().clone();
    let uri = request.uri().clone();
    let route = request.extensions().get::<MatchedPath>().map(|p| Arc::<str>::from(p.as_str()));
    let span = tracing::info_span!("request", id = id.as_str(), %method, path = uri.path());
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let client_ip = client_ip(peer, request.headers(), &state.platform.config.trusted_proxies);
    let context = Arc::new(RequestContext { client_ip, limits: OnceLock::new() });
    request.extensions_mut().insert(Arc::clone(&context));

    span.in_scope(|| tracing::debug!("received"));
    let config = &state.platform.config;
    let limit = if uri.path() == IMPORT_PATH { config.market.max_import_bytes } else { config.max_body_bytes };
    let response = match buffer_body(limit, request).await {
        Ok(request) => next.run(request).instrument(span.clone()).await,
        Err(refusal) => refusal,
    };
    let mut response = span.in_scope(|| render_problem(response, &id, uri.path()));

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, micros = elapsed.as_micros() as u64, "answered"));
    state.metrics.observe(&method, route.as_deref().unwrap_or("unmatched"), status, elapsed.as_secs_f64());
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID.clone(), id.0);
    if let Some(limits) = context.limits.get() {
        for (name, value) in crate::ratelimit::headers(limits) {
            headers.insert(name, value);
        }
    }
    response
}

/// The one route whose bodies may be as large as `market.max_import_bytes`.
pub(crate) const IMPORT_PATH: &str = "/v1/import";

/// Writes an error response as a problem document; see [`super::error`].
/// Other responses pass unchanged.
fn render_problem(mut response: Response, id: &RequestId, path: &str) -> Response {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    let (problem, cause) = match response.extensions_mut().remove::<ProblemDraft>() {
        Some(draft) => (draft.problem, draft.cause),
        None => (Problem::new(code_for_status(status)), None),
    };
    if status.is_server_error() {
        match &cause {
            Some(cause) => {
                tracing::error!(code = problem.code, error = %ErrorChain(cause.as_ref()), "request failed");
            }
            None => tracing::error!(code = problem.code, "request failed"),
        }
    }
    let mut problem = problem;
    problem.instance = Some(path.to_owned());
    problem.request_id = Some(id.as_str().to_owned());
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
    headers.remove(CONTENT_LENGTH);
    let (parts, _) = response.into_parts();
    Response::from_parts(parts, Body::from(body))
}

/// Reads the whole request body before the handler runs, refusing it with
/// 413 as soon as it passes `limit`: up front from `Content-Length`, or
/// while streaming a chunked body. Handlers, and the signature check, then
/// see a complete, bounded body (also as [`BufferedBody`]).
async fn buffer_body(limit: usize, request: Request) -> Result<Request, Response> {
    let declared = request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let (mut parts, body) = request.into_parts();
    if body.is_end_stream() {
        parts.extensions.insert(BufferedBody(Bytes::new()));
        return Ok(Request::from_parts(parts, body));
    }
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return Err(too_large(limit)),
        Err(_) => {
            return Err(ApiError::new(ErrorCode::BadRequest)
                .detail("the request body could not be read")
                .into_response());
        }
    };
    parts.extensions.insert(BufferedBody(bytes.clone()));
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The whole request body, as read by the edge middleware, for the signature
/// check (a cheap reference-counted copy).
#[derive(Debug, Clone)]
pub(crate) struct BufferedBody(pub(crate) Bytes);

fn too_large(limit: usize) -> Response {
    ApiError::new(ErrorCode::PayloadTooLarge)
        .detail(format!("request bodies are limited to {limit} bytes"))
        .into_response()
}

/// Displays an error with its chain of causes.
struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
