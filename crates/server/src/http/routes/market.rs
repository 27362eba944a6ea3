//! `GET /v1/prices` and `GET /v1/assets/{id}/ohlcv`.

use altgate_protocol::{AssetId, ErrorCode, Interval, Ohlcv, Prices, Problem, Timestamp};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Auth, Read};
use crate::http::cursor::Cursor;
use crate::http::error::ApiError;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::{QueryParams, int_in_range};
use crate::http::routes::known_asset;
use crate::market::{MarketError, OhlcvRequest, candle_data};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(prices)).routes(routes!(ohlcv))
}

/// The default and largest OHLCV page sizes.
const DEFAULT_LIMIT: u32 = 500;
const MAX_LIMIT: u32 = 1000;
/// The most ids one prices request may name.
const MAX_IDS: usize = 250;

/// Which tickers `GET /v1/prices` returns.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PricesQuery {
    /// Comma-separated asset ids (at most 250); every asset with market data
    /// when absent.
    #[param(value_type = Option<String>, example = "bitcoin,ethereum")]
    ids: Option<Vec<AssetId>>,
}

impl<S: Send + Sync> FromRequestParts<S> for PricesQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let ids = params.one("ids", |s| {
            let ids = s.split(',').map(|id| AssetId::parse(id.trim())).collect::<Result<Vec<_>, _>>();
            match ids {
                Ok(ids) if ids.len() > MAX_IDS => Err(format!("names more than {MAX_IDS} assets")),
                Ok(ids) => Ok(ids),
                Err(e) => Err(e.to_string()),
            }
        })?;
        params.finish()?;
        Ok(PricesQuery { ids })
    }
}

/// The latest price of assets, with their last 24 hours.
#[utoipa::path(
    get,
    path = "/v1/prices",
    tag = "market",
    security(("api_key" = [])),
    params(PricesQuery),
    responses(
        (status = 200, description = "One ticker per asset with market data, in the order asked for \
            (by id without `ids`); assets without market data yet are left out", body = Prices),
        (status = 400, description = "A parameter is unknown or invalid (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "An id names no asset (`asset_not_found`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn prices(State(state): State<AppState>, _: Auth<Read>, query: PricesQuery) -> Result<Json<Prices>, ApiError> {
    let ids = query.ids.unwrap_or_default();
    if let Some(unknown) = ids.iter().find(|id| state.platform.catalog.get(id.as_str()).is_none()) {
        return Err(ApiError::asset_not_found(unknown));
    }
    Ok(Json(Prices { data: state.platform.market.tickers(&ids) }))
}

/// The range and paging of `GET /v1/assets/{id}/ohlcv`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OhlcvQuery {
    /// The candle interval: 1m, 5m, 15m, 1h, 4h, 1d or 1w.
    #[param(value_type = String, example = "1h")]
    interval: Interval,
    /// The earliest candle: the one containing this instant (RFC 3339 or
    /// Unix ms). From the first stored candle when absent.
    #[param(value_type = Option<String>)]
    start: Option<Timestamp>,
    /// The latest candle: the last one opening at or before this instant.
    /// To the newest candle, including the one in progress, when absent.
    #[param(value_type = Option<String>)]
    end: Option<Timestamp>,
    /// Candles per page, from 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 500)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page; give the same other parameters.
    cursor: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for OhlcvQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let interval = params.one("interval", str::parse::<Interval>)?;
        let query = OhlcvQuery {
            interval: interval.ok_or_else(|| ApiError::invalid_parameter("interval", "is required"))?,
            start: params.one("start", Timestamp::parse)?,
            end: params.one("end", Timestamp::parse)?,
            limit: params.one("limit", int_in_range(1, MAX_LIMIT))?,
            cursor: params.one("cursor", |s| Ok::<_, String>(s.to_owned()))?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// An asset's candles, oldest first, a page at a time.
///
/// Any interval at or above the shortest one stored for the asset is served,
/// aggregated on the UTC grid (weeks start on Monday). The last page ends
/// with the candle in progress. Pages follow each other without gap or
/// overlap: pass `next_cursor` with the same parameters to get the next one.
#[utoipa::path(
    get,
    path = "/v1/assets/{id}/ohlcv",
    tag = "market",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The asset id, e.g. `ethereum`"), OhlcvQuery),
    responses(
        (status = 200, description = "One page of candles", body = Ohlcv),
        (status = 400, description = "A parameter is missing, unknown or invalid, `start` is after `end`, or the \
            interval is shorter than any stored for the asset (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No asset has this id (`asset_not_found`), or it has no market data yet \
            (`no_market_data`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn ohlcv(
    State(state): State<AppState>,
    _: Auth<Read>,
    Path(id): Path<String>,
    query: OhlcvQuery,
) -> Result<Json<Ohlcv>, ApiError> {
    let asset = known_asset(&state, &id, "id")?;
    let interval = query.interval;
    let start = query.start.map_or(i64::MIN, |t| interval.align(t.as_millis()));
    let to = query.end.map_or(i64::MAX, |t| interval.align(t.as_millis()).saturating_add(interval.millis()));
    if start >= to {
        return Err(ApiError::invalid_parameter("end", "must not be before `start`"));
    }
    let from = match &query.cursor {
        Some(token) => {
            let next = Cursor::Candles
                .decode(token, |s| parse_cursor(s, interval))
                .map_err(|e| ApiError::invalid_parameter("cursor", e))?;
            next.max(start)
        }
        None => start,
    };
    let request =
        OhlcvRequest { asset: asset.clone(), interval, from, to, limit: query.limit.unwrap_or(DEFAULT_LIMIT) };
    let page = state.platform.market.ohlcv(&request).await.map_err(|e| match e {
        MarketError::NoData(_) => {
            ApiError::new(ErrorCode::NoMarketData).detail(format!("`{asset}` has no market data yet"))
        }
        MarketError::TooFine { finest } => ApiError::invalid_parameter(
            "interval",
            format!("is shorter than the shortest interval stored for `{asset}` ({finest})"),
        ),
        MarketError::Store(e) => e.into(),
    })?;
    Ok(Json(Ohlcv {
        asset_id: asset,
        interval,
        data: page.candles.iter().map(candle_data).collect(),
        next_cursor: page.next.map(|next| Cursor::Candles.encode(&format!("{interval}:{next}"))),
    }))
}

/// A candle cursor: the interval it pages and the next page's first open time.
fn parse_cursor(s: &str, interval: Interval) -> Result<i64, ()> {
    let (name, next) = s.split_once(':').ok_or(())?;
    let next: i64 = next.parse().map_err(|_| ())?;
    (name == interval.as_str() && interval.is_aligned(next)).then_some(next).ok_or(())
}
