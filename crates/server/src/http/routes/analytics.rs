//! `GET /v1/assets/{id}/risk` and the other analytics.

use altgate_protocol::{
    AssetId, Correlations, ErrorCode, Grades, Indicators, Interval, PortfolioAnalysis, PortfolioRequest, Problem, Risk,
    Signals, Timestamp,
};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::analytics::{
    AnalyticsError, PortfolioInputError, RiskRequest, analyze, correlations, grades, indicators, risk, signals,
};
use crate::http::auth::{Auth, Read};
use crate::http::error::ApiError;
use crate::http::json::APPLICATION_JSON;
use crate::http::json::JsonBody;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::{QueryParams, int_in_range};
use crate::http::routes::known_asset;
use crate::market::MarketError;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_risk))
        .routes(routes!(get_correlations))
        .routes(routes!(analyze_portfolio))
        .routes(routes!(get_indicators))
        .routes(routes!(get_signals))
        .routes(routes!(get_grades))
}

/// An analytics failure as a problem.
pub(crate) fn analytics_error(error: AnalyticsError) -> ApiError {
    match error {
        AnalyticsError::InsufficientHistory(detail) => ApiError::new(ErrorCode::InsufficientHistory).detail(detail),
        AnalyticsError::TooMany(detail) => ApiError::invalid_parameter("start", detail),
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
    Ok(([(CONTENT_TYPE, APPLICATION_JSON)], body).into_response())
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

/// The most indicators one request may ask for.
const MAX_SPECS: usize = 20;

/// What `GET /v1/assets/{id}/indicators` computes.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IndicatorsQuery {
    /// Comma-separated specs: `sma(20)`, `ema(50)`, `wma(10)`, `rsi(14)`,
    /// `macd(12,26,9)`, `bbands(20,2)`, `atr(14)`, `trange`, `stoch(5,3,3)`,
    /// `obv`, `adx(14)`, `roc(10)`, `stddev(20,1)`; omitted parameters take
    /// TA-Lib's defaults.
    #[param(value_type = String, example = "rsi(14),macd(12,26,9),bbands(20,2),ema(50)")]
    indicators: String,
    /// The candle interval; `1d` by default.
    #[param(value_type = Option<String>, example = "1d")]
    interval: Option<Interval>,
    /// The first candle returned (RFC 3339 or Unix ms); earlier candles
    /// still warm the indicators up. The last 1000 candles when absent.
    #[param(value_type = Option<String>)]
    start: Option<Timestamp>,
    /// The last candle returned opens at or before this.
    #[param(value_type = Option<String>)]
    end: Option<Timestamp>,
}

impl<S: Send + Sync> FromRequestParts<S> for IndicatorsQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let indicators = params.one("indicators", |s| Ok::<_, String>(s.to_owned()))?;
        let query = IndicatorsQuery {
            indicators: indicators.ok_or_else(|| ApiError::invalid_parameter("indicators", "is required"))?,
            interval: params.one("interval", str::parse)?,
            start: params.one("start", Timestamp::parse)?,
            end: params.one("end", Timestamp::parse)?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// Technical indicators of an asset, exact to TA-Lib.
///
/// Aligned series, one per indicator output, with `null` during warm-up.
/// Indicators are computed over the whole stored history, so the first
/// points of a range are warmed up by the candles before it.
#[utoipa::path(
    get,
    path = "/v1/assets/{id}/indicators",
    tag = "analytics",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The asset id, e.g. `ethereum`"), IndicatorsQuery),
    responses(
        (status = 200, description = "The series", body = Indicators),
        (status = 400, description = "A malformed indicator spec (naming the indicator and why), an unknown \
            interval, or more than 10000 points (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset (`asset_not_found`), or no data (`no_market_data`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn get_indicators(
    State(state): State<AppState>,
    _: Auth<Read>,
    Path(id): Path<String>,
    query: IndicatorsQuery,
) -> Result<Response, ApiError> {
    let asset = known_asset(&state, &id, "id")?;
    let specs = altgate_market::indicators::IndicatorSpec::parse_list(&query.indicators)
        .map_err(|e| ApiError::invalid_parameter("indicators", e))?;
    if specs.len() > MAX_SPECS {
        return Err(ApiError::invalid_parameter("indicators", format!("names more than {MAX_SPECS} indicators")));
    }
    let interval = query.interval.unwrap_or(Interval::D1);
    let to = query.end.map_or(i64::MAX, |t| interval.align(t.as_millis()).saturating_add(interval.millis()));
    let from = match query.start {
        Some(start) => interval.align(start.as_millis()),
        // The last 1000 candles.
        None => to.min(state.platform.now().saturating_add(interval.millis())).saturating_sub(1000 * interval.millis()),
    };
    if from >= to {
        return Err(ApiError::invalid_parameter("end", "must not be before `start`"));
    }
    let market = &state.platform.market;
    let key = format!("indicators|{asset}|{interval}|{specs:?}|{from}|{to}|{:?}", market.version(&asset));
    cached(&state, key, async {
        indicators(market, &asset, interval, &specs, (from, to)).await.map_err(analytics_error)
    })
    .await
}

/// The fee and history of `GET /v1/assets/{id}/signals`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SignalsQuery {
    /// The candle interval; `1d` by default.
    #[param(value_type = Option<String>, example = "1d")]
    interval: Option<Interval>,
    /// The fee per entry or exit in backtests, as a fraction (0 to 0.05; 0.001 by default).
    fee: Option<f64>,
    /// How many of the latest combined signals to return (0 to 10000; 100 by default).
    history: Option<u32>,
}

impl<S: Send + Sync> FromRequestParts<S> for SignalsQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let query = SignalsQuery {
            interval: params.one("interval", str::parse)?,
            fee: params.one("fee", |s| match s.parse::<f64>() {
                Ok(f) if (0.0..=0.05).contains(&f) => Ok(f),
                _ => Err("must be a fraction from 0 to 0.05"),
            })?,
            history: params.one("history", int_in_range(0, 10_000))?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// Explainable trading signals with backtests.
///
/// The current signal of each documented strategy (trend: EMA crossover,
/// close against SMA 200; momentum: RSI, MACD; volatility: Bollinger
/// breakout) and their weighted combination, each with its reasons and a
/// long-or-flat backtest with fees and no look-ahead (docs/signals.md).
#[utoipa::path(
    get,
    path = "/v1/assets/{id}/signals",
    tag = "analytics",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The asset id, e.g. `ethereum`"), SignalsQuery),
    responses(
        (status = 200, description = "The signals", body = Signals),
        (status = 400, description = "A parameter is invalid (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset (`asset_not_found`), or no data (`no_market_data`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too little history (`insufficient_history`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn get_signals(
    State(state): State<AppState>,
    _: Auth<Read>,
    Path(id): Path<String>,
    query: SignalsQuery,
) -> Result<Response, ApiError> {
    let asset = known_asset(&state, &id, "id")?;
    let interval = query.interval.unwrap_or(Interval::D1);
    let fee = query.fee.unwrap_or(0.001);
    let history = usize::try_from(query.history.unwrap_or(100)).unwrap_or(100);
    let market = &state.platform.market;
    let key = format!("signals|{asset}|{interval}|{fee}|{history}|{:?}", market.version(&asset));
    cached(&state, key, async { signals(market, &asset, interval, fee, history).await.map_err(analytics_error) }).await
}

/// The trader and investor grades of an asset, with their components.
#[utoipa::path(
    get,
    path = "/v1/assets/{id}/grades",
    tag = "analytics",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The asset id, e.g. `ethereum`")),
    responses(
        (status = 200, description = "The grades (docs/grades.md)", body = Grades),
        (status = 404, description = "No such asset (`asset_not_found`), or no data (`no_market_data`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too little history (`insufficient_history`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn get_grades(
    State(state): State<AppState>,
    _: Auth<Read>,
    Path(id): Path<String>,
    _: crate::http::query::NoParams,
) -> Result<Response, ApiError> {
    let asset = known_asset(&state, &id, "id")?;
    let market = &state.platform.market;
    let key = format!("grades|{asset}|{:?}", market.version(&asset));
    cached(&state, key, async { grades(market, &asset).await.map_err(analytics_error) }).await
}
