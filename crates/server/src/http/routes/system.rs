//! Liveness, readiness, time, metrics, the error table and the OpenAPI document.

use altgate_protocol::{ErrorCode, ErrorCodeInfo, Health, Problem, ServerTime};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Auth, OperatorKey};
use crate::http::error::ApiError;
use crate::http::json::APPLICATION_JSON;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::NoParams;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(time))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
        .routes(routes!(problem_type))
}

/// Answers as long as the process runs.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "The process is up", body = Health), CommonErrors))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".to_owned() })
}

/// Answers 200 when the store is reachable, 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The store is unreachable (`service_unavailable`)",
            body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    ))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match state.platform.store.ping().await {
        Ok(()) => Ok(Json(Health { status: "ready".to_owned() })),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            Err(ApiError::new(ErrorCode::ServiceUnavailable).detail("the store is not reachable"))
        }
    }
}

/// The server's clock, for client clock synchronisation: take the midpoint
/// of your request's round trip as the moment this was read.
#[utoipa::path(get, path = "/v1/time", tag = "system",
    responses(
        (status = 200, description = "The server time", body = ServerTime),
        (status = 400, description = "A query parameter was given (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    ))]
async fn time(State(state): State<AppState>, _: NoParams) -> Json<ServerTime> {
    Json(ServerTime { server_time_ms: state.platform.now() })
}

/// Prometheus metrics in the OpenMetrics text format. Any key of the
/// operator's account may read them, as a bearer: give the scraper a
/// `read`-only key of that account, never the admin key.
#[utoipa::path(get, path = "/metrics", tag = "system", security(("api_key" = [])),
    responses((status = 200, description = "Request counts and latency histograms by route and status",
        body = String, content_type = "application/openmetrics-text"), AuthErrors, CommonErrors))]
async fn metrics(State(state): State<AppState>, _: Auth<OperatorKey>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.encode())
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object), CommonErrors))]
async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, APPLICATION_JSON)], state.openapi_json.clone())
}

/// Describes an error code: the target of every problem's `type`.
#[utoipa::path(get, path = "/problems/{code}", tag = "system",
    params(("code" = String, Path, description = "An error code, e.g. `asset_not_found`")),
    responses(
        (status = 200, description = "The code's row of the error table", body = ErrorCodeInfo),
        (status = 404, description = "No such code (`not_found`)",
            body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    ))]
async fn problem_type(Path(code): Path<String>) -> Result<Json<ErrorCodeInfo>, ApiError> {
    let code: ErrorCode =
        code.parse().map_err(|_| ApiError::new(ErrorCode::NotFound).detail(format!("no error code `{code}`")))?;
    Ok(Json(code.into()))
}
