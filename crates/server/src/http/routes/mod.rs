//! One module per group of endpoints, each exposing its own `router()`.

pub(crate) mod accounts;
pub(crate) mod analytics;
pub(crate) mod audit;
pub(crate) mod catalog;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod market;
pub(crate) mod stream;
pub(crate) mod system;

use altgate_protocol::AssetId;

use crate::http::error::ApiError;
use crate::state::AppState;

/// An asset id given as `param`, parsed and known to the catalog.
pub(crate) fn known_asset(state: &AppState, id: &str, param: &'static str) -> Result<AssetId, ApiError> {
    let asset = AssetId::parse(id).map_err(|e| ApiError::invalid_parameter(param, e))?;
    match state.platform.catalog.get(asset.as_str()) {
        Some(_) => Ok(asset),
        None => Err(ApiError::asset_not_found(&asset)),
    }
}
