//! What every handler can reach.

use std::sync::Arc;

use altgate_market::Taxonomy;
use axum::body::Bytes;

use crate::metrics::Metrics;
use crate::platform::Platform;

/// Shared, cheaply cloned application state.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) platform: Platform,
    pub(crate) taxonomy: Arc<Taxonomy>,
    pub(crate) metrics: Arc<Metrics>,
    /// The OpenAPI document, serialised once at start.
    pub(crate) openapi_json: Bytes,
}
