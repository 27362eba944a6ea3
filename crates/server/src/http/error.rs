//! Handler errors and their rendering as RFC 9457 problem documents.
//!
//! Handlers return [`ApiError`]. Its response carries the problem in an
//! extension; [`crate::http::middleware::render_problems`] then writes the
//! body once, adding the request id and path, logging server-side causes,
//! and turning any other error response (a 405 from the router, a panic…)
//! into a problem too. So every error leaves the service in one shape.

use std::error::Error as StdError;
use std::sync::Arc;

use altgate_protocol::{ErrorCode, Problem};
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::access::{PlatformError, Refusal};
use crate::store::StoreError;

/// An error a handler returns.
#[derive(Debug)]
pub(crate) struct ApiError {
    problem: Box<Problem>,
    cause: Option<Arc<dyn StdError + Send + Sync>>,
    retry_after_secs: Option<u64>,
}

/// The problem an error response will be rendered from; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct ProblemDraft {
    pub(crate) problem: Problem,
    pub(crate) cause: Option<Arc<dyn StdError + Send + Sync>>,
}

impl ApiError {
    /// An error of `code` with its standard title.
    pub(crate) fn new(code: ErrorCode) -> Self {
        ApiError { problem: Box::new(Problem::new(code)), cause: None, retry_after_secs: None }
    }

    /// `invalid_parameter`, naming the parameter and what is wrong with it.
    pub(crate) fn invalid_parameter(param: &str, reason: impl std::fmt::Display) -> Self {
        ApiError::new(ErrorCode::InvalidParameter).detail(format!("parameter `{param}` {reason}")).param(param)
    }

    /// `asset_not_found` for `id`.
    pub(crate) fn asset_not_found(id: impl std::fmt::Display) -> Self {
        ApiError::new(ErrorCode::AssetNotFound).detail(format!("no asset has the id `{id}`"))
    }

    /// An internal failure: the client sees an opaque 500, the log the cause.
    pub(crate) fn internal(cause: impl StdError + Send + Sync + 'static) -> Self {
        ApiError {
            problem: Box::new(Problem::new(ErrorCode::Internal)),
            cause: Some(Arc::new(cause)),
            retry_after_secs: None,
        }
    }

    /// Sets the human-readable detail.
    #[must_use]
    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Self {
        self.problem.detail = Some(detail.into());
        self
    }

    /// Names the offending parameter.
    #[must_use]
    pub(crate) fn param(mut self, param: &str) -> Self {
        self.problem.param = Some(param.to_owned());
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::internal(error)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let mut error = ApiError::new(refusal.code).detail(refusal.detail);
        if let Some(param) = refusal.param {
            error = error.param(param);
        }
        error.retry_after_secs = refusal.retry_after_secs;
        if let Some(now) = refusal.server_time_ms {
            error.problem.extensions.insert("server_time_ms".to_owned(), now.into());
        }
        error
    }
}

impl From<PlatformError> for ApiError {
    fn from(error: PlatformError) -> Self {
        match error {
            PlatformError::Refused(refusal) => refusal.into(),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"altgate\""));
        }
        response.extensions_mut().insert(ProblemDraft { problem: *self.problem, cause: self.cause });
        response
    }
}

/// The code for an error response that carries no problem of its own, such
/// as the router's 405 or a caught panic.
pub(crate) fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::ServiceUnavailable,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    }
}
