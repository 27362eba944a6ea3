//! What every handler can reach.

use std::ops::Deref;
use std::sync::Arc;

use altgate_market::Taxonomy;
use axum::body::Bytes;

use crate::metrics::Metrics;
use crate::platform::Platform;

/// Shared application state: one `Arc`, because axum clones the state for
/// every middleware and extractor of every request, and each clone of an
/// `Arc` is an atomic operation on a counter all cores share.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<State>);

/// The state's contents.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) platform: Platform,
    pub(crate) taxonomy: Taxonomy,
    pub(crate) metrics: Metrics,
    /// Cancelled when the service shuts down, so long-lived connections end.
    pub(crate) shutdown: tokio_util::sync::CancellationToken,
    /// Computed analytics.
    pub(crate) analytics: crate::analytics::AnalyticsCache,
    /// The OpenAPI document, serialised once at start.
    pub(crate) openapi_json: Bytes,
}

impl AppState {
    pub(crate) fn new(state: State) -> AppState {
        AppState(Arc::new(state))
    }
}

impl Deref for AppState {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}
