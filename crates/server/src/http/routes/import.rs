//! `POST /v1/import`: an OHLCV file for one asset, as `altgate import` does.

use altgate_market::import::ImportOptions;
use altgate_protocol::{AssetId, ErrorCode, ImportResult, Interval, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Admin, Auth};
use crate::http::error::ApiError;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::QueryParams;
use crate::market::ImportFailure;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import))
}

/// What the file is for.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    /// The catalog asset the candles are for, e.g. `ethereum`.
    #[param(value_type = String)]
    asset: AssetId,
    /// The candle interval; inferred from the rows' spacing when absent.
    #[param(value_type = Option<String>, example = "1h")]
    interval: Option<Interval>,
    /// The asset's symbol in a multi-asset file (`ETH` for `ETH:open`…).
    symbol: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ImportQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let asset = params.one("asset", AssetId::parse)?;
        let query = ImportQuery {
            asset: asset.ok_or_else(|| ApiError::invalid_parameter("asset", "is required"))?,
            interval: params.one("interval", str::parse)?,
            symbol: params.one("symbol", |s| match s.trim() {
                "" => Err("must not be empty"),
                s if s.len() > 20 => Err("must be at most 20 characters"),
                s => Ok(s.to_owned()),
            })?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// Imports an OHLCV file (the body, as sent) for one asset.
///
/// The formats are those of `altgate import`: Binance kline CSV, CSV with a
/// header in any column order, multi-asset CSV (`symbol` chooses the
/// columns), newest-first files, a banner line before the header. Candles
/// are upserted in batches, so importing the same file again changes
/// nothing. Rows that are not valid candles are counted and listed, never
/// stored. The body may be up to `market.max_import_bytes`.
#[utoipa::path(
    post,
    path = "/v1/import",
    tag = "market",
    security(("api_key" = [])),
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The file"),
    responses(
        (status = 200, description = "What was imported, with the rejected rows", body = ImportResult),
        (status = 400, description = "A parameter is missing, unknown or invalid (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No asset has this id (`asset_not_found`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file cannot be imported at all (`import_unreadable`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn import(
    State(state): State<AppState>,
    _: Auth<Admin>,
    query: ImportQuery,
    body: Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let options = ImportOptions { interval: query.interval, symbol: query.symbol };
    match state.platform.import_file(&query.asset, body, options, |_| {}).await {
        Ok(result) => Ok(Json(result)),
        Err(ImportFailure::UnknownAsset(id)) => Err(ApiError::asset_not_found(&id)),
        Err(ImportFailure::Unreadable(e)) => Err(ApiError::new(ErrorCode::ImportUnreadable).detail(e.to_string())),
        Err(ImportFailure::Store(e)) => Err(e.into()),
    }
}
