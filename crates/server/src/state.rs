//! What every handler can reach.

use std::sync::Arc;

use altgate_market::Taxonomy;
use axum::body::Bytes;

use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;

/// Shared, cheaply cloned application state.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) taxonomy: Arc<Taxonomy>,
    pub(crate) metrics: Arc<Metrics>,
    /// The OpenAPI document, serialised once at start.
    pub(crate) openapi_json: Bytes,
}
