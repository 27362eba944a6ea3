//! The HTTP API: routes, middleware, errors and the OpenAPI document.

pub(crate) mod auth;
pub(crate) mod cursor;
pub(crate) mod error;
pub(crate) mod json;
pub(crate) mod middleware;
pub(crate) mod openapi;
pub(crate) mod query;
pub(crate) mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every route, and the OpenAPI document that describes them.
pub(crate) fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::system::router())
        .merge(routes::catalog::router())
        .merge(routes::keys::router())
        .merge(routes::market::router())
        .merge(routes::analytics::router())
        .merge(routes::import::router())
        .merge(routes::stream::router())
        .merge(routes::accounts::router())
        .merge(routes::audit::router())
        .split_for_parts()
}

/// The OpenAPI document of this version of the service.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    routes().1
}

/// The complete application: routes wrapped in the middleware stack.
pub(crate) fn app(routes: Router<AppState>, state: AppState) -> Router {
    // Layers wrap what is above them: the last one added runs first.
    routes
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        // The body is bounded by the edge middleware, so axum's own default
        // limit would only be a second, different number.
        .layer(DefaultBodyLimit::disable())
        .layer(CatchPanicLayer::new())
        .layer(from_fn_with_state(state.clone(), middleware::edge))
        .with_state(state)
}
