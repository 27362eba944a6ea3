//! `GET /v1/assets/{id}/risk` and the other analytics.

use altgate_protocol::{
    AssetId, Correlations, ErrorCode, Interval, PortfolioAnalysis, PortfolioRequest, Problem, Risk,
};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::analytics::{AnalyticsError, PortfolioInputError, RiskRequest, analyze, correlations, risk};
use crate::http::auth::{Auth, Read};
use crate::http::error::ApiError;
use crate::http::json::JsonBody;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::{QueryParams, int_in_range};
use crate::market::MarketError;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_risk)).routes(routes!(get_correlations)).routes(routes!(analyze_portfolio))
}

/// An asset id from the path, known to the catalog.
pub(crate) fn known_asset(state: &AppState, id: &str, param: &'static str) -> Result<AssetId, ApiError> {
    let asset = AssetId::parse(id).map_err(|e| ApiError::invalid_parameter(param, e))?;
    match state.platform.catalog.get(&asset) {
        Some(_) => Ok(asset),
        None => Err(ApiError::new(ErrorCode::AssetNotFound).detail(format!("no asset has the id `{asset}`"))),
    }
}

/// An analytics failure as a problem.
pub(crate) fn analytics_error(error: AnalyticsError) -> ApiError {
    match error {
        AnalyticsError::InsufficientHistory(detail) => ApiError::new(ErrorCode::InsufficientHistory).detail(detail),
        AnalyticsError::Market(MarketError::NoData(asset)) => {
            ApiError::new(ErrorCode::NoMarketData).detail(format!("`{asset}` has no market data yet"))
        }
        AnalyticsError::Market(MarketError::TooFine { finest }) => {
            ApiError::invalid_parameter("interval", format!("is shorter than the shortest interval stored ({finest})"))
        }
        AnalyticsError::Market(MarketError::Store(e)) => e.into(),
    }
}

/// A cached JSON answer, or the one `compute` makes (then cached).
pub(crate) async fn cached<T, F>(state: &AppState, key: String, compute: F) -> Result<Response, ApiError>
where
    T: serde::Serialize,
    F: std::future::Future<Output = Result<T, ApiError>>,
{
    let body = match state.analytics.get(&key) {
        Some(body) => body,
        None => {
            let answer = compute.await?;
            let body = Bytes::from(serde_json::to_vec(&answer).map_err(ApiError::internal)?);
            state.analytics.put(key, body.clone());
            body
        }
    };
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// The window and benchmark of `GET /v1/assets/{id}/risk`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RiskQuery {
    /// Returns in the window, from 2 to 100000.
    #[param(minimum = 2, maximum = 100000, default = 365)]
    window: Option<u32>,
    /// The candle interval; `1d` by default.
    #[param(value_type = Option<String>, example = "1d")]
    interval: Option<Interval>,
    /// The benchmark asset (`bitcoin` by default); `none` for no benchmark.
    benchmark: Option<String>,
    /// The annual risk-free rate as a fraction (0.04 is 4 %); 0 by default.
    risk_free: Option<f64>,
}

impl<S: Send + Sync> FromRequestParts<S> for RiskQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let query = RiskQuery {
            window: params.one("window", int_in_range(2, 100_000))?,
            interval: params.one("interval", str::parse)?,
            benchmark: params.one("benchmark", |s| Ok::<_, String>(s.to_owned()))?,
            risk_free: params.one("risk_free", |s| match s.parse::<f64>() {
                Ok(r) if (-0.5..=1.0).contains(&r) => Ok(r),
                _ => Err("must be a fraction from -0.5 to 1"),
            })?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// Risk metrics of an asset over its latest window of returns.
///
/// Annualised volatility, CAGR, Sharpe and Sortino, max drawdown with its
/// dates, historical VaR and CVaR at 95 and 99 %, skew, kurtosis, and beta,
/// correlation and alpha against a benchmark, as the empyrical library
/// defines them (docs/risk.md). A metric that cannot be computed is `null`
/// with a reason.
#[utoipa::path(
    get,
    path = "/v1/assets/{id}/risk",
    tag = "analytics",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The asset id, e.g. `ethereum`"), RiskQuery),
    responses(
        (status = 200, description = "The metrics", body = Risk),
        (status = 400, description = "A parameter is invalid (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset (`asset_not_found`), or no data (`no_market_data`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Less history than the window (`insufficient_history`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn get_risk(
    State(state): State<AppState>,
    _: Auth<Read>,
    Path(id): Path<String>,
    query: RiskQuery,
) -> Result<Response, ApiError> {
    let asset = known_asset(&state, &id, "id")?;
    let benchmark = match query.benchmark.as_deref() {
        Some("none") => None,
        Some(id) => Some(known_asset(&state, id, "benchmark")?),
        None => Some(AssetId::parse("bitcoin").map_err(ApiError::internal)?),
    };
    let request = RiskRequest {
        asset,
        interval: query.interval.unwrap_or(Interval::D1),
        window: query.window.unwrap_or(365),
        benchmark,
        risk_free: query.risk_free.unwrap_or(0.0),
    };
    let market = &state.platform.market;
    let version = |a: &AssetId| market.version(a);
    let key =
        format!("risk|{request:?}|{:?}|{:?}", version(&request.asset), request.benchmark.as_ref().and_then(version));
    cached(&state, key, async { risk(market, &request).await.map_err(analytics_error) }).await
}

/// The assets and window of `GET /v1/correlations`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CorrelationsQuery {
    /// Comma-separated asset ids, 2 to 50.
    #[param(value_type = String, example = "bitcoin,ethereum,litecoin")]
    ids: Vec<AssetId>,
    /// Returns per asset, from 2 to 100000; 90 by default.
    #[param(minimum = 2, maximum = 100000, default = 90)]
    window: Option<u32>,
    /// The candle interval; `1d` by default.
    #[param(value_type = Option<String>, example = "1d")]
    interval: Option<Interval>,
}

impl<S: Send + Sync> FromRequestParts<S> for CorrelationsQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let ids = params.one("ids", |s| {
            let ids = s.split(',').map(|id| AssetId::parse(id.trim())).collect::<Result<Vec<_>, _>>();
            match ids {
                Ok(ids) if !(2..=50).contains(&ids.len()) => Err("must name 2 to 50 assets".to_owned()),
                Ok(ids) if (1..ids.len()).any(|i| ids[..i].contains(&ids[i])) => Err("names an asset twice".to_owned()),
                Ok(ids) => Ok(ids),
                Err(e) => Err(e.to_string()),
            }
        })?;
        let query = CorrelationsQuery {
            ids: ids.ok_or_else(|| ApiError::invalid_parameter("ids", "is required"))?,
            window: params.one("window", int_in_range(2, 100_000))?,
            interval: params.one("interval", str::parse)?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// The correlation matrix of several assets' returns.
///
/// Pearson correlation of each pair over the dates both have within each
/// asset's latest `window` returns; `null` where a pair shares fewer than 10
/// returns or one of them does not vary.
#[utoipa::path(
    get,
    path = "/v1/correlations",
    tag = "analytics",
    security(("api_key" = [])),
    params(CorrelationsQuery),
    responses(
        (status = 200, description = "The matrix, rows and columns in the order of `ids`", body = Correlations),
        (status = 400, description = "A parameter is invalid (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset (`asset_not_found`), or no data (`no_market_data`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An asset has less history than the window (`insufficient_history`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn get_correlations(
    State(state): State<AppState>,
    _: Auth<Read>,
    query: CorrelationsQuery,
) -> Result<Response, ApiError> {
    for id in &query.ids {
        known_asset(&state, id.as_str(), "ids")?;
    }
    let interval = query.interval.unwrap_or(Interval::D1);
    let window = query.window.unwrap_or(90);
    let market = &state.platform.market;
    let versions: Vec<_> = query.ids.iter().map(|a| market.version(a)).collect();
    let key = format!("correlations|{:?}|{interval}|{window}|{versions:?}", query.ids);
    cached(&state, key, async { correlations(market, &query.ids, interval, window).await.map_err(analytics_error) })
        .await
}

/// Analyses a portfolio.
///
/// Holdings by quantity (valued at the last price) or by value in USD.
/// Returns weights and total, exposure by taxonomy category and to
/// stablecoins by issuer, concentration (HHI, largest holding), volatility,
/// diversification ratio and max drawdown over the latest `window` daily
/// returns (constant weights), clusters of highly correlated holdings,
/// plain warnings, and inverse-volatility weights as information. Not
/// advice: every answer carries a disclaimer.
#[utoipa::path(
    post,
    path = "/v1/portfolio/analyze",
    tag = "analytics",
    security(("api_key" = [])),
    request_body = PortfolioRequest,
    responses(
        (status = 200, description = "The analysis", body = PortfolioAnalysis),
        (status = 400, description = "The body is invalid (`invalid_body`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A holding names no asset (`asset_not_found`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn analyze_portfolio(
    State(state): State<AppState>,
    _: Auth<Read>,
    JsonBody(request): JsonBody<PortfolioRequest>,
) -> Result<Response, ApiError> {
    let invalid = |detail: String| ApiError::new(ErrorCode::InvalidBody).param("holdings").detail(detail);
    if !(1..=100).contains(&request.holdings.len()) {
        return Err(invalid("give 1 to 100 holdings".to_owned()));
    }
    if request.window.is_some_and(|w| !(2..=100_000).contains(&w)) {
        return Err(ApiError::new(ErrorCode::InvalidBody).param("window").detail("must be from 2 to 100000"));
    }
    for holding in &request.holdings {
        known_asset(&state, holding.asset_id.as_str(), "holdings")?;
    }
    let market = &state.platform.market;
    let versions: Vec<_> = request.holdings.iter().map(|h| market.version(&h.asset_id)).collect();
    let key = format!("portfolio|{request:?}|{versions:?}");
    cached(&state, key, async {
        analyze(market, &request).await.map_err(|e| match e {
            PortfolioInputError::Analytics(e) => analytics_error(e),
            other => invalid(other.to_string()),
        })
    })
    .await
}
